import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// An embedded Kafka-protocol cluster (librdkafka's mock cluster) as a
/// ``ServiceLifecycle/Service``: keeps the cluster alive until graceful shutdown.
///
/// `broker` runs it alone (announcing the bootstrap servers once signals are handled, so that
/// a SIGTERM right after the first stdout line already stops it cleanly); `demo` runs it first,
/// so that it is shut down last.
struct EmbeddedBrokerService: Service {
    let cluster: MockCluster
    let logger: Logger
    /// Runs once SIGINT/SIGTERM are handled, before waiting (the `broker` command's announcement).
    var onStart: @Sendable () -> Void = {}

    func run() async throws {
        onStart()
        do {
            try await gracefulShutdown()
        } catch is CancellationError {
            return
        }
        logger.info("stopping on signal")
        withExtendedLifetime(cluster) {}
    }
}
