import ArgumentParser

extension CallbackStream {
    /// `callback-stream run` (scaffolding: not implemented yet).
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not implemented yet.")

        func run() async throws {
            throw ValidationError("'run' is not implemented yet")
        }
    }
}
