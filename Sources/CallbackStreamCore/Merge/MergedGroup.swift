/// The merged totals of one (window, tenant) group over the partials of all input partitions.
/// Every operation is a sum (or min / max), so the result does not depend on the order the
/// partials arrived in.
struct MergedGroup: Sendable {
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

    /// Adds a partial; `outcomeIndices[i]` is where the partial's `outcomes[i]` goes.
    mutating func merge(_ partial: WindowPartial, outcomeIndices: [Int]) {
        sessions += partial.sessions
        for (position, index) in outcomeIndices.enumerated() { outcomeCounts[index] += partial.outcomes[position].count }
        submissions += partial.submissions
        submissionsWithErrors += partial.submissionsWithErrors
        for code in partial.errorCodes { errorCodes[code.name, default: 0] += code.count }
        errorCodesOmitted += partial.errorCodesOmitted
        closedByEvent += partial.closedByEvent
        inactivityTimeouts += partial.inactivityTimeouts
        maxDurations += partial.maxDurations
        evicted += partial.evicted
        flushed += partial.flushed
        elapsed.merge(partial.elapsed)
    }

    func record(
        windowStart: Int64, windowEnd: Int64, tenant: String?, inputPartitions: Int, completePartitions: Int,
        configuration: WindowMergerConfiguration
    ) -> WindowStatsRecord {
        var codes = errorCodes.map { StatsCount(name: $0.key, count: $0.value) }
        var omitted = errorCodesOmitted
        let cap = max(0, configuration.maximumErrorCodesPerGroup)
        if codes.count > cap {
            codes.sort { $0.count != $1.count ? $0.count > $1.count : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            for dropped in codes[cap...] { omitted += dropped.count }
            codes.removeSubrange(cap...)
        }
        codes.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return WindowStatsRecord(
            windowStart: windowStart, windowEnd: windowEnd, inputPartitions: inputPartitions,
            completePartitions: completePartitions, tenant: tenant, sessions: sessions,
            outcomes: zip(configuration.outcomeLabels, outcomeCounts).map { StatsCount(name: $0, count: $1) },
            submissions: submissions, submissionsWithErrors: submissionsWithErrors, errorCodes: codes,
            errorCodesOmitted: omitted, closedByEvent: closedByEvent, inactivityTimeouts: inactivityTimeouts, maxDurations: maxDurations,
            evicted: evicted, flushed: flushed, elapsed: ElapsedSummary(elapsed))
    }

    /// The alert of a merged record, if the rule fires: `submissions ≥ alertMinVolume` and
    /// `submissionsWithErrors / submissions > alertThreshold` (strictly).
    static func alert(for record: WindowStatsRecord, configuration: WindowMergerConfiguration) -> ErrorSpikeAlert? {
        guard record.submissionsWithErrors > 0, record.submissions >= configuration.alertMinVolume else { return nil }
        let ratio = Double(record.submissionsWithErrors) / Double(record.submissions)
        guard ratio > configuration.alertThreshold else { return nil }
        let top = record.errorCodes.sorted { lhs, rhs in
            lhs.count != rhs.count ? lhs.count > rhs.count : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
        }.prefix(max(0, configuration.alertTopErrorCodes))
        return ErrorSpikeAlert(
            windowStart: record.windowStart, windowEnd: record.windowEnd, tenant: record.tenant, ratio: ratio,
            threshold: configuration.alertThreshold, submissions: record.submissions,
            submissionsWithErrors: record.submissionsWithErrors, minimumSubmissions: configuration.alertMinVolume,
            topErrorCodes: Array(top))
    }
}
