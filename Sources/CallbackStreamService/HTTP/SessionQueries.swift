import Synchronization

/// Interactive queries for live session state, answered by the poll loop that owns the state.
///
/// The HTTP server enqueues a lookup and suspends; the poll loop drains the queue once per
/// turn (it never blocks for longer than its poll timeout), so no lock ever guards session state.
public final class SessionQueries: Sendable {
    /// A pending lookup: the interaction id and the way to answer it.
    public struct Query: Sendable {
        public let interactionID: String
        let continuation: CheckedContinuation<String?, Never>

        /// Answers with the session's JSON, or `nil` when no open session has that id.
        public func answer(_ json: String?) {
            continuation.resume(returning: json)
        }
    }

    private let pending = Mutex<[Query]>([])

    public init() {}

    /// Asks the poll loop for the live state of `interactionID`; returns its JSON or `nil`.
    public func lookup(_ interactionID: String) async -> String? {
        await withCheckedContinuation { continuation in
            pending.withLock { $0.append(Query(interactionID: interactionID, continuation: continuation)) }
        }
    }

    /// Asks each poll loop in turn (one per stream thread, each owning other partitions) and
    /// returns the first live session found, or `nil`.
    public static func lookup(_ interactionID: String, in loops: [SessionQueries]) async -> String? {
        for queries in loops {
            if let json = await queries.lookup(interactionID) { return json }
        }
        return nil
    }

    /// Takes every pending query; the caller must answer each one.
    public func drain() -> [Query] {
        pending.withLock { queries in
            defer { queries.removeAll(keepingCapacity: true) }
            return queries
        }
    }

    /// Answers every pending query with `nil` (used when the loop stops).
    public func failAll() {
        for query in drain() { query.answer(nil) }
    }
}
