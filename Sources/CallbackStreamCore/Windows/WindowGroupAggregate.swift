/// The running totals of one (window, tenant) group.
internal struct WindowGroupAggregate: Sendable {
    var sessions = 0
    var outcomeCounts: [Int]
    var submissions = 0
    var submissionsWithErrors = 0
    var errorCodes: [String: Int] = [:]
    var errorCodesOmitted = 0
    var closedByEvent = 0
    var inactivityTimeouts = 0
    var maxDurations = 0
    var evicted = 0
    var flushed = 0
    var elapsed: DDSketch

    init(outcomes: Int, relativeAccuracy: Double) {
        outcomeCounts = Array(repeating: 0, count: outcomes)
        elapsed = DDSketch(relativeAccuracy: relativeAccuracy)
    }

    mutating func add(_ contribution: SessionContribution, maximumErrorCodes: Int) {
        sessions += 1
        outcomeCounts[contribution.outcome] += 1
        let codes = contribution.errorCodes
        if contribution.submitted {
            submissions += 1
            if !codes.isEmpty { submissionsWithErrors += 1 }
        }
        for (position, code) in codes.enumerated() where !codes[..<position].contains(code) {
            if let current = errorCodes[code] {
                errorCodes[code] = current + 1
            } else if errorCodes.count < maximumErrorCodes {
                errorCodes[code] = 1
            } else {
                errorCodesOmitted += 1
            }
        }
        switch contribution.closeReason {
        case .closed: closedByEvent += 1
        case .inactivityTimeout: inactivityTimeouts += 1
        case .maxDuration: maxDurations += 1
        }
        switch contribution.earlyClose {
        case .evicted?: evicted += 1
        case .flushed?: flushed += 1
        case nil: break
        }
        if let elapsedMilliseconds = contribution.elapsedMilliseconds { elapsed.add(elapsedMilliseconds) }
    }
}
