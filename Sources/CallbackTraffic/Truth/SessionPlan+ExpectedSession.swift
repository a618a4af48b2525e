extension SessionPlan {
    /// What the processor must report for this session.
    var expectedSession: ExpectedSession {
        var timestamps = ExpectedTimestamps()
        for step in steps { timestamps[step.event] = step.timestampMs }
        let end = timestamps.completed ?? timestamps.cancelled
        let elapsed = span(from: timestamps.started, to: end)
        var attributeMap: [String: String] = [:]
        for field in attributes { attributeMap[field.name] = field.value }
        let first = firstTimestampMs
        return ExpectedSession(
            summaryId: "\(interactionId):\(sessionSeq):\(first)",
            interactionId: interactionId,
            sessionSeq: sessionSeq,
            outcome: outcome,
            closeReason: closes ? .closed : .inactivityTimeout,
            events: steps.map(\.event),
            timestamps: timestamps,
            firstEventTimestampMs: first,
            lastEventTimestampMs: lastTimestampMs,
            proactive: proactive,
            prefilled: prefilled,
            autoSubmitted: autoSubmitted,
            errors: errors,
            errorsAsObjects: !errors.isEmpty && errorStyle == .objects,
            formFields: form?.map(\.name) ?? [],
            attributes: attributeMap,
            tenant: attributeMap["tenant"],
            elapsedMs: elapsed,
            timeToStartMs: span(from: timestamps.opened, to: timestamps.started),
            timeToSubmitMs: span(from: timestamps.started, to: timestamps.submitted),
            openDurationMs: span(from: timestamps.opened, to: timestamps.closed),
            records: deliveries.count,
            duplicates: duplicateCount,
            delayedEvents: delayedCount,
            outOfOrderEvents: outOfOrderCount
        )
    }
}

/// `to − from` when both are present.
private func span(from: Int64?, to: Int64?) -> Int64? {
    guard let from, let to else { return nil }
    return to - from
}
