import Synchronization

/// A result that is set once and awaited by any number of tasks; awaiting is cancellable.
///
/// The first ``resolve(_:)`` wins; later ones are ignored. A waiter whose task is cancelled
/// before the result arrives gets `CancellationError` (the result stays unset for the others).
/// Used where the awaited work cannot be cancelled itself (a poll loop on its own thread, the
/// HTTP server's bind) but the waiter must be able to stop waiting.
final class OneShot<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiters: [Int: CheckedContinuation<Value, any Error>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Sets the result (once) and wakes every waiter.
    func resolve(_ result: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The result, once set; `nil` before.
    var current: Result<Value, any Error>? {
        state.withLock { $0.result }
    }

    /// Waits for the result; throws `CancellationError` if the waiting task is cancelled first.
    var value: Value {
        get async throws {
            let id = state.withLock { state -> Int in
                defer { state.nextWaiter += 1 }
                return state.nextWaiter
            }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let ready = state.withLock { state -> Result<Value, any Error>? in
                        if let result = state.result { return result }
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let ready { continuation.resume(with: ready) }
                }
            } onCancel: {
                let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(throwing: CancellationError())
            }
        }
    }
}
