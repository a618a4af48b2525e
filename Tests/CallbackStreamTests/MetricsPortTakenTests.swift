import Foundation
import Glibc
import Testing

/// `callback-stream run` when its metrics port is taken (a second instance on one host, or
/// `demo` beside a processor): it must fail at once, saying which address and port and how to
/// choose another, instead of waiting and dying with a socket timeout.
@Suite struct MetricsPortTakenTests {
    /// A TCP socket listening on 127.0.0.1 at a port the kernel picked: a port that is taken.
    final class OccupiedPort {
        let descriptor: Int32
        let port: Int

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
            }
            guard bound == 0, listen(descriptor, 1) == 0 else {
                close(descriptor)
                throw POSIXError(.EADDRINUSE)
            }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            self.descriptor = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    @Test func aTakenPortFailsAtOnceNamingTheAddressPortAndSetting() async throws {
        let occupied = try OccupiedPort()
        // No broker is needed: the HTTP server is bound before the processor joins the group.
        let processor = try ChildProcess(Pipeline.binary, [
            "run", "--bootstrap-servers", "127.0.0.1:9", "--metrics-address", "127.0.0.1", "--metrics-port", "\(occupied.port)",
        ])
        defer { processor.kill() }
        processor.closeInput()
        let exit = try await processor.waitForExit(timeout: .seconds(60))
        #expect(exit.status == 1 && exit.reason == .exit, "exit \(exit): \(processor.stderr)")
        // The process's own lifetime (the test task may be scheduled late on a loaded machine).
        let lifetime = try #require(processor.lifetime)
        #expect(lifetime < .seconds(5), "ran \(lifetime) (before: a 10 s socket timeout)")
        let stderr = processor.stderr
        #expect(stderr.contains("127.0.0.1:\(occupied.port)"), "\(stderr)")
        #expect(stderr.contains("already in use"), "\(stderr)")
        #expect(stderr.contains("--metrics-port") && stderr.contains("CALLBACK_STREAM_METRICS_PORT"), "\(stderr)")
        #expect(stderr.contains("0 picks any free port"), "\(stderr)")
        #expect(!stderr.contains("processor started"), "the processor must not join the group: \(stderr)")
        withExtendedLifetime(occupied) {}
    }
}
