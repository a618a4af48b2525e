import ArgumentParser

extension CallbackStream {
    /// `callback-stream demo` (scaffolding: not implemented yet).
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not implemented yet.")

        func run() async throws {
            throw ValidationError("'demo' is not implemented yet")
        }
    }
}
