@testable import CallbackTraffic

/// A deliberately simple model of the processor's session rules (tests only), used to check that the
/// ground truth holds for any partitioning: per-partition watermark (max timestamp − lateness), a
/// session ends on `closed` or when the watermark reaches last event + timeout, a later event starts
/// the next session, an event older than the ended session's close is late, duplicates are dropped.
struct ReferenceSessionizer {
    struct Session {
        var interactionId: String
        var sessionSeq: Int
        var events: [ParsedEvent] = []
        var seen: Set<String> = []
        var lastTimestampMs = Int64.min
        var closeReason: ExpectedCloseReason?
    }

    private struct Partition {
        var maxTimestampMs = Int64.min
        var open: [String: Session] = [:]
        var lastClose: [String: Int64] = [:]
        var lastSeq: [String: Int] = [:]
    }

    let partitions: Int
    let inactivityTimeoutMs: Int64
    let allowedLatenessMs: Int64
    private var state: [Partition]
    private(set) var finished: [Session] = []
    private(set) var lateEvents = 0
    private(set) var duplicatesDropped = 0

    init(partitions: Int, inactivityTimeoutMs: Int64, allowedLatenessMs: Int64) {
        self.partitions = partitions
        self.inactivityTimeoutMs = inactivityTimeoutMs
        self.allowedLatenessMs = allowedLatenessMs
        state = Array(repeating: Partition(), count: partitions)
    }

    /// FNV-1a of the key, like any key-hashing partitioner (the exact hash does not matter).
    func partition(of key: [UInt8]) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in key { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        return Int(hash % UInt64(partitions))
    }

    mutating func consume(_ record: GeneratedRecord, _ event: ParsedEvent) {
        let p = partition(of: record.key)
        // Take the partition out (no copy-on-write), update it, put it back.
        var part = state[p]
        state[p] = Partition()
        defer { state[p] = part }
        part.maxTimestampMs = max(part.maxTimestampMs, event.timestampMs)
        let watermark = part.maxTimestampMs - allowedLatenessMs
        let id = event.interactionId
        if var session = part.open[id], session.lastTimestampMs + inactivityTimeoutMs <= watermark {
            session.closeReason = .inactivityTimeout
            finish(&part, session)
        }
        if part.open[id] == nil {
            if let close = part.lastClose[id], event.timestampMs < close {
                lateEvents += 1
                return
            }
            let seq = (part.lastSeq[id] ?? 0) + 1
            part.lastSeq[id] = seq
            part.open[id] = Session(interactionId: id, sessionSeq: seq)
        }
        var session = part.open[id]!
        let identity = event.eventId ?? "\(event.event.rawValue)@\(event.timestampMs)"
        guard session.seen.insert(identity).inserted else {
            duplicatesDropped += 1
            return
        }
        session.events.append(event)
        session.lastTimestampMs = max(session.lastTimestampMs, event.timestampMs)
        if event.event == .closed {
            session.closeReason = .closed
            finish(&part, session)
        } else {
            part.open[id] = session
        }
    }

    /// Input stopped: every open session times out (the idle watermark passes them all).
    mutating func finishAll() {
        for p in state.indices {
            var part = state[p]
            state[p] = Partition()
            for (_, session) in part.open.sorted(by: { $0.key < $1.key }) {
                var session = session
                session.closeReason = .inactivityTimeout
                finish(&part, session)
            }
            state[p] = part
        }
    }

    private mutating func finish(_ partition: inout Partition, _ session: Session) {
        partition.open[session.interactionId] = nil
        partition.lastClose[session.interactionId] = session.lastTimestampMs
        finished.append(session)
    }
}

extension ReferenceSessionizer.Session {
    /// The summary fields the truth predicts, derived from the events as the contract says.
    var summary: ReferenceSummary {
        let ordered = events.sorted { $0.timestampMs < $1.timestampMs }
        let names = Set(ordered.map(\.event))
        let errors = ordered.last(where: { !$0.errorCodes.isEmpty })?.errorCodes ?? []
        let outcome: ExpectedOutcome
        if names.contains(.completed) {
            outcome = .completed
        } else if names.contains(.submitted) {
            outcome = errors.isEmpty ? .submittedUnconfirmed : .failed
        } else if names.contains(.started) {
            outcome = .abandonedForm
        } else if names.contains(.opened) {
            outcome = .cancelledBeforeStart
        } else {
            outcome = .notOpened
        }
        var attributes: [String: String] = [:]
        for event in ordered { attributes.merge(event.attributes ?? [:]) { _, new in new } }
        let latest = ordered.last!.metadata
        return ReferenceSummary(
            summaryId: "\(interactionId):\(sessionSeq):\(ordered[0].timestampMs)",
            outcome: outcome,
            closeReason: closeReason!,
            events: ordered.map(\.event),
            errors: errors,
            formFields: ordered.last(where: { !$0.formFields.isEmpty })?.formFields ?? [],
            attributes: attributes,
            proactive: latest["proactive"]?.bool ?? false,
            prefilled: latest["prefilled"]?.bool ?? false,
            autoSubmitted: latest["autoSubmitted"]?.bool ?? false,
            elapsedMs: ordered.compactMap { $0.metadata["elapsed"]?.int }.last ?? fallbackElapsed(ordered)
        )
    }
}

/// started → cancelled/completed from the events themselves.
private func fallbackElapsed(_ ordered: [ParsedEvent]) -> Int64? {
    guard let started = ordered.first(where: { $0.event == .started })?.timestampMs,
          let end = ordered.first(where: { $0.event == .completed || $0.event == .cancelled })?.timestampMs
    else { return nil }
    return end - started
}

/// The comparable part of a summary (tests only).
struct ReferenceSummary: Equatable {
    var summaryId: String
    var outcome: ExpectedOutcome
    var closeReason: ExpectedCloseReason
    var events: [TrafficEventName]
    var errors: [String]
    var formFields: [String]
    var attributes: [String: String]
    var proactive: Bool
    var prefilled: Bool
    var autoSubmitted: Bool
    var elapsedMs: Int64?

    init(
        summaryId: String, outcome: ExpectedOutcome, closeReason: ExpectedCloseReason, events: [TrafficEventName],
        errors: [String], formFields: [String], attributes: [String: String], proactive: Bool, prefilled: Bool,
        autoSubmitted: Bool, elapsedMs: Int64?
    ) {
        self.summaryId = summaryId
        self.outcome = outcome
        self.closeReason = closeReason
        self.events = events
        self.errors = errors
        self.formFields = formFields
        self.attributes = attributes
        self.proactive = proactive
        self.prefilled = prefilled
        self.autoSubmitted = autoSubmitted
        self.elapsedMs = elapsedMs
    }

    init(_ expected: ExpectedSession) {
        self.init(
            summaryId: expected.summaryId, outcome: expected.outcome, closeReason: expected.closeReason,
            events: expected.events, errors: expected.errors, formFields: expected.formFields.sorted(),
            attributes: expected.attributes, proactive: expected.proactive, prefilled: expected.prefilled,
            autoSubmitted: expected.autoSubmitted, elapsedMs: expected.elapsedMs
        )
    }
}
