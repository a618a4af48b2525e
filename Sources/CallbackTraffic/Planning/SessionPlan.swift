/// One planned session of an interaction: its events, metadata, delivery schedule and delivery cursor.
///
/// A class so the generator's merge heap can hold it by reference while it advances `cursor`.
final class SessionPlan {
    let interactionId: String
    /// The record key: `interactionId` in UTF-8 (shared by all the session's records).
    let key: [UInt8]
    let sessionSeq: Int
    let outcome: ExpectedOutcome
    /// Ends with a `closed` event (otherwise it must time out).
    let closes: Bool
    let proactive: Bool
    let prefilled: Bool
    let autoSubmitted: Bool
    let errors: [String]
    let errorStyle: TrafficErrorStyle
    let form: [TrafficField]?
    let attributes: [TrafficField]
    let steps: [PlannedStep]
    /// All records of the session (originals and duplicates) in delivery order; `closed` is last.
    let deliveries: [PlannedDelivery]
    /// Next delivery to emit (used by the generator only).
    var cursor = 0

    init(
        interactionId: String, sessionSeq: Int, outcome: ExpectedOutcome, closes: Bool,
        proactive: Bool, prefilled: Bool, autoSubmitted: Bool, errors: [String], errorStyle: TrafficErrorStyle,
        form: [TrafficField]?, attributes: [TrafficField], steps: [PlannedStep]
    ) {
        self.interactionId = interactionId
        key = Array(interactionId.utf8)
        self.sessionSeq = sessionSeq
        self.outcome = outcome
        self.closes = closes
        self.proactive = proactive
        self.prefilled = prefilled
        self.autoSubmitted = autoSubmitted
        self.errors = errors
        self.errorStyle = errorStyle
        self.form = form
        self.attributes = attributes
        self.steps = steps
        var deliveries: [(delivery: PlannedDelivery, order: Int)] = []
        deliveries.reserveCapacity(steps.count + 2)
        for (i, step) in steps.enumerated() {
            let key = step.timestampMs + step.delayMs
            deliveries.append((PlannedDelivery(deliveryKey: key, step: i, isDuplicate: false), 2 * i))
            if let extra = step.duplicateExtraMs {
                deliveries.append((PlannedDelivery(deliveryKey: key + extra, step: i, isDuplicate: true), 2 * i + 1))
            }
        }
        deliveries.sort { ($0.delivery.deliveryKey, $0.order) < ($1.delivery.deliveryKey, $1.order) }
        self.deliveries = deliveries.map(\.delivery)
    }

    var firstTimestampMs: Int64 { steps[0].timestampMs }
    var lastTimestampMs: Int64 { steps[steps.count - 1].timestampMs }

    /// Number of re-sent copies.
    var duplicateCount: Int { deliveries.count - steps.count }

    /// Originals delivered with a delay.
    var delayedCount: Int { steps.reduce(0) { $0 + ($1.delayMs > 0 ? 1 : 0) } }

    /// Originals delivered after a later-timestamped record of the same session.
    var outOfOrderCount: Int {
        var maxSeen = Int64.min
        var count = 0
        for delivery in deliveries {
            let ts = steps[delivery.step].timestampMs
            if !delivery.isDuplicate, ts < maxSeen { count += 1 }
            maxSeen = max(maxSeen, ts)
        }
        return count
    }

    /// The metadata block carried by step `index`: cumulative over the steps up to it.
    func metadata(at index: Int) -> TrafficMetadata {
        var metadata = TrafficMetadata(
            proactive: proactive, prefilled: prefilled, autoSubmitted: autoSubmitted, errorStyle: errorStyle
        )
        for step in steps[...index] {
            let ts = step.timestampMs
            switch step.event {
            case .ready: break
            case .opened: metadata.opened = ts
            case .started: metadata.started = ts
            case .submitted:
                metadata.form = form
                metadata.errors = errors
            case .cancelled:
                metadata.cancelled = ts
                if let started = metadata.started { metadata.elapsed = ts - started }
            case .completed:
                metadata.completed = ts
                if let started = metadata.started { metadata.elapsed = ts - started }
            case .closed: metadata.closed = ts
            }
        }
        return metadata
    }

    /// The full description of step `index` as an event record.
    func event(at index: Int) -> TrafficEvent {
        let step = steps[index]
        return TrafficEvent(
            interactionId: interactionId, event: step.event, prefixedName: step.prefixedName,
            timestampMs: step.timestampMs, eventId: step.eventId, metadata: metadata(at: index),
            attributes: step.attributesPresent ? attributes : nil, layout: step.layout
        )
    }
}
