import FlyingFox
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The embedded HTTP server: `/metrics`, `/healthz`, `/readyz`, `/sessions/{id}`,
/// `/api/overview`, `/api/history` and `/`.
///
/// Everything it shows comes from the poll loop's published ``MetricsSnapshot`` (one source of
/// truth) or from ``SessionQueries`` answered by the loops; it never touches processor state.
/// While it listens it samples the published totals once a ``MetricsHistory/spacingMs`` into
/// ``MetricsHistory`` (`/api/history`), so that the dashboard's throughput chart is full the
/// moment the page opens.
///
/// A ``ServiceLifecycle/Service``: it serves until graceful shutdown or cancellation. When it
/// cannot listen (the port is taken), ``run()`` and ``listeningPort()`` fail at once with an
/// ``HTTPListenError`` naming the address, the port and the setting to change.
public final class ObservabilityServer: Service, Sendable {
    private let server: HTTPServer
    private let board: MetricsBoard
    private let history: MetricsHistory
    private let lookup: @Sendable (String) async -> String?
    private let clock: @Sendable () -> Int64
    private let overview: @Sendable (MetricsSnapshot, Int64) -> String
    private let page: Data
    private let address: String
    private let port: Int
    private let portSetting: String
    /// The bound port, or why binding failed: set once by ``run()``.
    private let listening = OneShot<Int>()
    private let stopping = Atomic<Bool>(false)

    /// - Parameters:
    ///   - address: IPv4 address to bind, e.g. `0.0.0.0` or `127.0.0.1`.
    ///   - port: port to bind; 0 picks a free one (see ``listeningPort()``).
    ///   - portSetting: how a user changes the port, for the error when it is taken.
    ///   - board: where the poll loop publishes its counters.
    ///   - history: where the recent totals are kept for `/api/history`.
    ///   - lookup: asks the poll loops for a live session's JSON by interaction id
    ///     (``SessionQueries/lookup(_:in:)``); `nil` when no open session has that id.
    ///   - overview: renders the `/api/overview` JSON from a snapshot.
    ///   - dashboardHTML: the page served at `/`.
    ///   - nowMs: the wall clock in ms since epoch.
    public init(
        address: String, port: Int, portSetting: String = "--metrics-port or CALLBACK_STREAM_METRICS_PORT",
        board: MetricsBoard, history: MetricsHistory = MetricsHistory(),
        lookup: @escaping @Sendable (String) async -> String?,
        overview: @escaping @Sendable (MetricsSnapshot, Int64) -> String,
        dashboardHTML: String,
        nowMs: @escaping @Sendable () -> Int64
    ) throws {
        let socketAddress = try sockaddr_in.inet(ip4: address, port: UInt16(port))
        self.server = HTTPServer(address: socketAddress, timeout: 15, logger: .disabled)
        self.board = board
        self.history = history
        self.lookup = lookup
        self.clock = nowMs
        self.overview = overview
        self.page = Data(dashboardHTML.utf8)
        self.address = address
        self.port = port
        self.portSetting = portSetting
    }

    /// Serves until graceful shutdown, cancellation or ``stop()``.
    ///
    /// - Throws: ``HTTPListenError`` at once when the server cannot listen.
    public func run() async throws {
        await appendRoutes()
        try await withGracefulShutdownHandler {
            try await serve()
        } onGracefulShutdown: { [self] in
            Task { await stop() }
        }
    }

    /// Runs the server and, once it listens, the history sampler; returns when the server stops.
    private func serve() async throws {
        // Each child says whether it was the server (whose end ends serving).
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { [self] in
                do {
                    try await server.run()
                } catch {
                    if listening.current == nil {
                        let failure = HTTPListenError(address: address, port: port, error: error, portSetting: portSetting)
                        listening.resolve(.failure(failure))
                        throw failure
                    }
                    if !stopping.load(ordering: .relaxed) && !Task.isCancelled { throw error }
                }
                return true
            }
            group.addTask { [self] in
                do {
                    // Not bounded by time: `run()` fails at once when it cannot listen.
                    try await server.waitUntilListening(timeout: 365 * 86_400)
                    guard case let .ip4(_, bound)? = await server.listeningAddress else { return false }
                    listening.resolve(.success(Int(bound)))
                    if stopping.load(ordering: .relaxed) { await server.stop(timeout: 1) }  // stopped while binding
                    try await sampleHistory()
                } catch is CancellationError {
                    // serving ended
                }
                return false
            }
            for try await serverEnded in group where serverEnded {
                group.cancelAll()
            }
        }
    }

    /// Keeps the published totals in ``MetricsHistory`` once a spacing, until cancelled.
    private func sampleHistory() async throws {
        let spacing = Duration.milliseconds(history.spacingMs)
        while true {
            history.record(board.snapshot, atMs: clock())
            try await Task.sleep(for: spacing)
        }
    }

    private func appendRoutes() async {
        let (server, board, history, lookup, overview, page, nowMs) = (self.server, self.board, self.history, self.lookup, self.overview, self.page, self.clock)
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
        await server.appendRoute("GET /api/history") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"],
                         body: Data(OverviewRenderer.renderHistory(history.samples, spacingMs: history.spacingMs, nowMs: nowMs()).utf8))
        }
        await server.appendRoute("GET /") { _ in
            HTTPResponse(statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: page)
        }
    }

    /// Waits until ``run()`` listens and returns the bound port.
    ///
    /// - Throws: ``HTTPListenError`` when the server cannot listen; `CancellationError` when
    ///   the waiting task is cancelled first.
    public func listeningPort() async throws -> Int {
        try await listening.value
    }

    /// Stops serving: ``run()`` returns once open connections have closed (at most 1 s).
    public func stop() async {
        stopping.store(true, ordering: .relaxed)
        await server.stop(timeout: 1)
    }
}
