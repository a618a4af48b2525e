/// The running totals of one (window, tenant) group. Its tenant and error codes are ids in the
/// aggregator's own ``SymbolTable`` (each holds one reference there while the group lives).
internal struct WindowGroupAggregate: Sendable {
    /// One error code and how many sessions of the group saw it.
    struct CodeCount: Sendable {
        var code: SymbolID
        var count: Int
    }

    /// The tenant, or `nil` for the tenant-less group.
    let tenant: SymbolID?
    var sessions = 0
    var outcomeCounts: [Int]
    var submissions = 0
    var submissionsWithErrors = 0
    /// Ordered by the codes' bytes.
    var errorCodes: [CodeCount] = []
    var errorCodesOmitted = 0
    var closedByEvent = 0
    var inactivityTimeouts = 0
    var maxDurations = 0
    var evicted = 0
    var flushed = 0
    var elapsed: DDSketch

    init(tenant: SymbolID?, outcomes: Int, relativeAccuracy: Double) {
        self.tenant = tenant
        outcomeCounts = Array(repeating: 0, count: outcomes)
        elapsed = DDSketch(relativeAccuracy: relativeAccuracy)
    }

    /// Counts one session that saw error code `bytes` (each distinct code of a session once):
    /// a known code adds 1, a new one is added with a reference in `symbols` while fewer than
    /// `maximumErrorCodes` are listed, and is otherwise counted in `errorCodesOmitted`.
    mutating func countErrorCode(_ bytes: UnsafeRawBufferPointer, maximumErrorCodes: Int, symbols: inout SymbolTable) {
        let known = symbols.lookup(bytes)
        if let known, let position = errorCodes.firstIndex(where: { $0.code == known }) {
            errorCodes[position].count += 1
            return
        }
        guard errorCodes.count < maximumErrorCodes else {
            errorCodesOmitted += 1
            return
        }
        let code: SymbolID
        if let known {
            symbols.retain(known)
            code = known
        } else {
            code = symbols.intern(bytes)
        }
        var low = 0, high = errorCodes.count
        while low < high {
            let middle = (low + high) / 2
            if symbols.compare(errorCodes[middle].code, code) < 0 { low = middle + 1 } else { high = middle }
        }
        errorCodes.insert(CodeCount(code: code, count: 1), at: low)
    }

    /// Counts the rest of one session (its error codes go through ``countErrorCode(_:maximumErrorCodes:symbols:)``).
    mutating func add(
        outcome: Int, submitted: Bool, hasErrorCodes: Bool, elapsedMilliseconds: Int64?, closeReason: SessionCloseReason,
        earlyClose: SessionEarlyClose?
    ) {
        sessions += 1
        outcomeCounts[outcome] += 1
        if submitted {
            submissions += 1
            if hasErrorCodes { submissionsWithErrors += 1 }
        }
        switch closeReason {
        case .closed: closedByEvent += 1
        case .inactivityTimeout: inactivityTimeouts += 1
        case .maxDuration: maxDurations += 1
        }
        switch earlyClose {
        case .evicted?: evicted += 1
        case .flushed?: flushed += 1
        case nil: break
        }
        if let elapsedMilliseconds { elapsed.add(elapsedMilliseconds) }
    }

    /// Drops the group's references in `symbols` (when it has been emitted).
    func releaseSymbols(in symbols: inout SymbolTable) {
        if let tenant { symbols.release(tenant) }
        for entry in errorCodes { symbols.release(entry.code) }
    }
}
