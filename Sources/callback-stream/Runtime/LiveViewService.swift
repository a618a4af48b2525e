import CallbackStreamService
import ServiceLifecycle

/// The demo's terminal view as a ``ServiceLifecycle/Service``: once the dashboard's address is
/// announced, redraws once a second until the demo's duration has passed (then it returns,
/// which shuts the demo down) or graceful shutdown.
struct LiveViewService: Service {
    let view: LiveView
    let board: MetricsBoard
    let progress: GeneratorRun.Progress
    /// How long the demo runs; `nil`: until Ctrl-C.
    let duration: Duration?

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [view, board, progress, duration] in
                let clock = ContinuousClock()
                let deadline = duration.map { clock.now + $0 }
                // The dashboard's address comes first; then the live view.
                let listening = clock.now + .seconds(30)
                while !view.isAnnounced, clock.now < listening {
                    try await Task.sleep(for: .milliseconds(50))
                }
                while true {
                    if let deadline, clock.now >= deadline { return }
                    view.render(board.snapshot, produced: progress.produced.load(ordering: .relaxed))
                    try await Task.sleep(for: .seconds(1))  // the view's refresh period
                }
            }
        } catch is CancellationError {
            return  // graceful shutdown
        }
    }
}
