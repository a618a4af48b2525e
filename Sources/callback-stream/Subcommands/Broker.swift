import ArgumentParser

extension CallbackStream {
    /// `callback-stream broker` (scaffolding: not implemented yet).
    struct Broker: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Not implemented yet.")

        func run() async throws {
            throw ValidationError("'broker' is not implemented yet")
        }
    }
}
