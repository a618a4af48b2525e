@testable import CallbackStreamCore

/// A trivial per-session state for store tests: the timestamps applied to the session.
struct RecordedSession: Equatable, Sendable {
    var sessionSeq: UInt32
    var eventTimes: [Int64] = []
}

/// One close as observed by a test: the drained ``ClosedSession`` flattened with its key.
struct ObservedClose: Equatable, CustomStringConvertible {
    var key: String
    var sessionSeq: UInt32
    var reason: SessionCloseReason
    var earlyClose: SessionEarlyClose?
    var closeTime: Int64
    var eventTimes: [Int64]

    var description: String {
        "\(key)#\(sessionSeq) \(reason)\(earlyClose.map { "/\($0)" } ?? "") @\(closeTime) \(eventTimes)"
    }
}

/// Drives a `SessionStore<RecordedSession>` the way the processor will: route, apply, drain.
struct StoreDriver {
    var store: SessionStore<RecordedSession>
    var clock = ManualWallClock()
    var nextOffset: Int64 = 0
    var closes: [ObservedClose] = []

    init(_ configuration: SessionStoreConfiguration) {
        store = SessionStore(configuration: configuration)
    }

    /// Routes an event for `key` at `time`, applies it, reports `closed` if asked, drains closes.
    @discardableResult
    mutating func send(_ key: String, at time: Int64, closed: Bool = false, offset: Int64? = nil) -> SessionRoute {
        let recordOffset = offset ?? nextOffset
        nextOffset = max(nextOffset, recordOffset + 1)
        let route = store.route(interactionId: key, eventTime: time, offset: recordOffset, arrivedAt: clock.now()) {
            RecordedSession(sessionSeq: $0)
        }
        switch route {
        case let .existing(handle, _), let .opened(handle, _):
            store.withState(handle) { $0.eventTimes.append(time) }
            if closed { store.noteClosedEvent(handle, eventTime: time) }
        case .late, .rejected:
            break
        }
        drain()
        return route
    }

    mutating func tick(after duration: Duration) {
        clock.advance(by: duration)
        store.tick(now: clock.now())
        drain()
    }

    mutating func advance(to watermark: Int64) {
        store.advanceWatermark(to: watermark)
        drain()
    }

    mutating func drain() {
        store.drainClosed { closed, key in
            closes.append(ObservedClose(
                key: String(decoding: key, as: UTF8.self), sessionSeq: closed.sessionSeq,
                reason: closed.reason, earlyClose: closed.earlyClose, closeTime: closed.closeTime,
                eventTimes: closed.state.eventTimes
            ))
        }
    }

    /// Returns and clears the closes seen so far.
    mutating func takeCloses() -> [ObservedClose] {
        defer { closes = [] }
        return closes
    }
}

extension SessionRoute {
    var sequence: UInt32? {
        switch self {
        case let .existing(_, sequence), let .opened(_, sequence): sequence
        case .late, .rejected: nil
        }
    }

    var isOpened: Bool {
        if case .opened = self { return true }
        return false
    }

    var isExisting: Bool {
        if case .existing = self { return true }
        return false
    }
}
