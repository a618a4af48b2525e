import ArgumentParser

extension CallbackStream {
    /// `callback-stream generate` (scaffolding: not implemented yet).
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not implemented yet.")

        func run() async throws {
            throw ValidationError("'generate' is not implemented yet")
        }
    }
}
