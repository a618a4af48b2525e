import FlyingFox
import Foundation
import Logging

/// The embedded HTTP server: `/metrics`, `/healthz`, `/readyz`, `/sessions/{id}`, `/api/overview` and `/`.
///
/// Everything it shows comes from the poll loop's published ``MetricsSnapshot`` (one source of
/// truth) or from ``SessionQueries`` answered by the loops; it never touches processor state.
public final class ObservabilityServer: Sendable {
    private let server: HTTPServer
    private let board: MetricsBoard
    private let lookup: @Sendable (String) async -> String?
    private let clock: @Sendable () -> Int64
    private let overview: @Sendable (MetricsSnapshot, Int64) -> String
    private let page: Data

    /// - Parameters:
    ///   - address: IPv4 address to bind, e.g. `0.0.0.0` or `127.0.0.1`.
    ///   - port: port to bind; 0 picks a free one (see ``listeningPort()``).
    ///   - board: where the poll loop publishes its counters.
    ///   - lookup: asks the poll loops for a live session's JSON by interaction id
    ///     (``SessionQueries/lookup(_:in:)``); `nil` when no open session has that id.
    ///   - overview: renders the `/api/overview` JSON from a snapshot.
    ///   - dashboardHTML: the page served at `/`.
    ///   - nowMs: the wall clock in ms since epoch.
    public init(
        address: String, port: Int, board: MetricsBoard, lookup: @escaping @Sendable (String) async -> String?,
        overview: @escaping @Sendable (MetricsSnapshot, Int64) -> String,
        dashboardHTML: String,
        nowMs: @escaping @Sendable () -> Int64
    ) throws {
        let socketAddress = try sockaddr_in.inet(ip4: address, port: UInt16(port))
        self.server = HTTPServer(address: socketAddress, timeout: 15, logger: .disabled)
        self.board = board
        self.lookup = lookup
        self.clock = nowMs
        self.overview = overview
        self.page = Data(dashboardHTML.utf8)
    }

    /// Serves until cancelled or ``stop()``.
    public func run() async throws {
        let (server, board, lookup, overview, page, nowMs) = (self.server, self.board, self.lookup, self.overview, self.page, self.clock)
        await server.appendRoute("GET /metrics") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: PrometheusRenderer.contentType],
                         body: Data(PrometheusRenderer.render(board.snapshot, nowMs: nowMs()).utf8))
        }
        await server.appendRoute("GET /healthz") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain"], body: Data("ok\n".utf8))
        }
        await server.appendRoute("GET /readyz") { _ in
            let ready = board.snapshot.ready
            return HTTPResponse(statusCode: ready ? .ok : .serviceUnavailable, headers: [.contentType: "text/plain"],
                                body: Data((ready ? "ready\n" : "not ready\n").utf8))
        }
        await server.appendRoute("GET /sessions/*") { request in
            let id = String(request.path.dropFirst("/sessions/".count)).removingPercentEncoding ?? ""
            guard !id.isEmpty, let json = await lookup(id) else {
                return HTTPResponse(statusCode: .notFound, headers: [.contentType: "application/json"],
                                    body: Data("{\"error\":\"no open session\"}\n".utf8))
            }
            return HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: Data(json.utf8))
        }
        await server.appendRoute("GET /api/overview") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"],
                         body: Data(overview(board.snapshot, nowMs()).utf8))
        }
        await server.appendRoute("GET /") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: page)
        }
        try await server.run()
    }

    /// Waits until the socket listens and returns the bound port.
    public func listeningPort() async throws -> Int {
        try await server.waitUntilListening(timeout: 10)
        guard case let .ip4(_, port)? = await server.listeningAddress else { return 0 }
        return Int(port)
    }

    public func stop() async {
        await server.stop(timeout: 1)
    }
}
