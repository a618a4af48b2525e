/// Why a session was closed before its natural end (its close time is then the moment it was cut).
public enum SessionEarlyClose: UInt8, Sendable, Hashable, CaseIterable {
    /// The open-session cap was reached and this session had the earliest deadline
    /// (the summary's `evicted` anomaly).
    case evicted
    /// The caller closed every open session (`SessionStore.closeAllOpen()`), e.g. on shutdown.
    case flushed
}
