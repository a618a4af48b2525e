/// Plans interaction `i` as a pure function of the configuration and `i` (its own random stream).
///
/// Guarantees the ground truth relies on, whatever the partitioning and interleaving:
/// - steps of a session are `minStepGapMs…maxStepGapMs` apart (≤ timeout / 3), so no session can time
///   out between its own steps;
/// - a record is delivered at most `allowedLatenessMs − 1` ms of event time after its timestamp, a
///   session's first event is never overtaken by another of its events, and a `closed` is never
///   delayed, never duplicated and always the session's last record;
/// - a session that never closes is the interaction's last: nothing of the interaction follows it;
/// - a reopened session starts ≥ 2 × timeout + lateness after the previous session's `closed`.
struct InteractionPlanner: Sendable {
    let configuration: TrafficConfiguration
    private let seedKey: UInt64
    private let outcomeCumulative: [Double]
    private let tenantCumulative: [Double]
    private let errorCumulative: [Double]

    init(configuration: TrafficConfiguration) {
        self.configuration = configuration
        seedKey = TrafficRandom.mix(configuration.seed ^ 0x243F_6A88_85A3_08D3)
        let profile = configuration.profile
        outcomeCumulative = Self.cumulative(ExpectedOutcome.allCases.map { profile.weight(of: $0) })
        tenantCumulative = Self.cumulative(profile.tenants.indices.map { 1.0 / Double($0 + 1) })
        errorCumulative = Self.cumulative(FakeData.errorCodes.indices.map { 1.0 / Double($0 + 1) })
    }

    /// The plan of interaction `index`; its start time is non-decreasing in `index`.
    func plan(_ index: Int) -> InteractionPlan {
        let config = configuration
        let profile = config.profile
        var rng = TrafficRandom(seed: config.seed, stream: UInt64(index))
        let startMs = startTime(index, &rng)
        // The low half is a bijection of the index, so ids are unique for a seed.
        let interactionId = FakeData.uuid(rng.next(), TrafficRandom.mix(UInt64(index) &+ seedKey))
        let attributes = [
            TrafficField("tenant", profile.tenants[Self.pick(tenantCumulative, &rng)]),
            TrafficField("deployment", FakeData.deployments[rng.index(FakeData.deployments.count)]),
            TrafficField("page", FakeData.pages[rng.index(FakeData.pages.count)]),
        ]
        let script = profile.script.map { $0[index % $0.count] }
        var sessions: [SessionPlan] = []
        var sessionStart = startMs
        while true {
            let seq = sessions.count + 1
            let outcome: ExpectedOutcome
            let closes: Bool
            if let script {
                outcome = script.sessions[seq - 1].outcome
                closes = script.sessions[seq - 1].closes
            } else {
                outcome = ExpectedOutcome.allCases[Self.pick(outcomeCumulative, &rng)]
                closes = outcome != .notOpened && !rng.chance(profile.neverClosedRate)
            }
            let session = planSession(
                &rng, interactionId: interactionId, attributes: attributes, sessionSeq: seq,
                startMs: sessionStart, outcome: outcome, closes: closes
            )
            sessions.append(session)
            guard closes else { break }
            if let script {
                guard seq < script.sessions.count else { break }
            } else {
                guard seq < profile.maxSessionsPerInteraction, rng.chance(profile.reopenRate) else { break }
            }
            sessionStart = session.lastTimestampMs + config.minReopenGapMs
                + rng.int64(in: 0...config.inactivityTimeoutMs)
        }
        return InteractionPlan(index: index, interactionId: interactionId, startMs: startMs, sessions: sessions)
    }

    private func startTime(_ index: Int, _ rng: inout TrafficRandom) -> Int64 {
        let n = Int64(max(configuration.interactions, 1))
        let span = configuration.spanMs
        let slot = span / n
        let remainder = span % n
        let i = Int64(index)
        let spread = n.dividingFullWidth(remainder.multipliedFullWidth(by: i)).quotient
        let base = configuration.startTimeMs + slot * i + spread
        return slot > 1 ? base + rng.int64(in: 0...(slot - 1)) : base
    }

    private func planSession(
        _ rng: inout TrafficRandom, interactionId: String, attributes: [TrafficField], sessionSeq: Int,
        startMs: Int64, outcome: ExpectedOutcome, closes: Bool
    ) -> SessionPlan {
        let config = configuration
        let profile = config.profile
        var events: [TrafficEventName]
        switch outcome {
        case .completed:
            events = [.ready, .opened, .started, .submitted, .completed]
        case .abandonedForm:
            events = [.ready, .opened, .started]
            // Unclosed: the user sometimes just leaves the page without cancelling.
            if closes || rng.chance(0.5) { events.append(.cancelled) }
        case .cancelledBeforeStart:
            events = [.ready, .opened]
            if closes || rng.chance(0.5) { events.append(.cancelled) }
        case .failed:
            events = [.ready, .opened, .started, .submitted]
            if rng.chance(0.5) { events.append(.cancelled) }
        case .submittedUnconfirmed:
            events = [.ready, .opened, .started, .submitted]
        case .notOpened:
            events = [.ready]
        }
        if closes { events.append(.closed) }
        let n = events.count
        let submits = outcome.submits

        let proactive = rng.chance(profile.proactiveRate)
        let prefilled = rng.chance(profile.prefilledRate)
        let autoSubmitted = submits && prefilled && rng.chance(profile.autoSubmittedRate)
        var errors: [String] = []
        var errorStyle = TrafficErrorStyle.strings
        if outcome == .failed {
            let wanted = 1 + rng.index(2)
            while errors.count < wanted {
                let code = FakeData.errorCodes[Self.pick(errorCumulative, &rng)]
                if !errors.contains(code) { errors.append(code) }
            }
            if rng.chance(profile.errorObjectRate) { errorStyle = .objects }
        }
        let form = submits ? FakeData.form(&rng, startMs: startMs) : nil

        // Which events are delivered late. Never the first event (the session's first record must be
        // its earliest) and never a closing `closed` (it must be the session's last record).
        let lateness = config.allowedLatenessMs
        let isClosing = { (i: Int) in closes && i == n - 1 }
        var delayed = [Bool](repeating: false, count: n)
        for i in 1..<max(n, 1) where !isClosing(i) {
            delayed[i] = rng.chance(profile.outOfOrderRate)
        }
        // Gaps between steps, skewed toward short ones; shortened before an event that a delayed one
        // should overtake, so that delivery really swaps within the allowed lateness.
        var timestamps = [Int64](repeating: startMs, count: n)
        for i in 1..<max(n, 1) {
            var gap = config.minStepGapMs
                + Int64(Double(config.maxStepGapMs - config.minStepGapMs) * pow2(rng.unit()))
            if delayed[i - 1], !isClosing(i), lateness >= 3 {
                gap = rng.int64(in: 1...max(1, lateness / 2 - 1))
            }
            timestamps[i] = timestamps[i - 1] + gap
        }
        // Nothing of a closing session may be delivered at or after its `closed`.
        let limit = closes ? timestamps[n - 1] - 1 : Int64.max
        var steps: [PlannedStep] = []
        steps.reserveCapacity(n)
        for i in 0..<n {
            let ts = timestamps[i]
            var delay: Int64 = 0
            if delayed[i] {
                let maxDelay = min(lateness - 1, limit - ts)
                let overtakesNext = i + 1 < n && !isClosing(i + 1)
                let minDelay = overtakesNext ? timestamps[i + 1] - ts + 1 : 1
                if maxDelay >= minDelay { delay = rng.int64(in: minDelay...maxDelay) }
            }
            var duplicateExtra: Int64?
            if !isClosing(i), rng.chance(profile.duplicateRate) {
                let maxExtra = min(max(lateness - 1, 0) - delay, limit - ts - delay)
                if maxExtra >= 0 { duplicateExtra = rng.int64(in: 0...maxExtra) }
            }
            let eventId = rng.chance(profile.eventIdRate) ? FakeData.uuid(rng.next(), rng.next()) : nil
            let shuffled = rng.chance(profile.shuffledFieldOrderRate)
            let layout = TrafficEventLayout(
                topLevelOrder: shuffled ? UInt8(1 + rng.below(UInt64(TrafficEventLayout.topLevelOrderCount - 1))) : 0,
                metadataOrder: shuffled ? UInt8(rng.below(2)) : 0,
                unknownField: rng.chance(profile.unknownFieldRate)
                    ? UInt8(1 + rng.below(UInt64(TrafficEventLayout.unknownFieldVariantCount))) : 0,
                spaced: rng.chance(profile.spacedRate)
            )
            steps.append(PlannedStep(
                event: events[i], timestampMs: ts, eventId: eventId,
                prefixedName: rng.chance(profile.prefixedEventNameRate),
                attributesPresent: i == 0 || !rng.chance(profile.attributesOmittedRate),
                layout: layout, delayMs: delay, duplicateExtraMs: duplicateExtra
            ))
        }
        return SessionPlan(
            interactionId: interactionId, sessionSeq: sessionSeq, outcome: outcome, closes: closes,
            proactive: proactive, prefilled: prefilled, autoSubmitted: autoSubmitted, errors: errors,
            errorStyle: errorStyle, form: form, attributes: attributes, steps: steps
        )
    }

    private func pow2(_ x: Double) -> Double { x * x }

    private static func cumulative(_ weights: [Double]) -> [Double] {
        var total = 0.0
        return weights.map { total += $0; return total }
    }

    /// Weighted pick: an index into `cumulative` (running sums of weights); always one draw.
    private static func pick(_ cumulative: [Double], _ rng: inout TrafficRandom) -> Int {
        let target = rng.unit() * (cumulative.last ?? 0)
        for (i, bound) in cumulative.enumerated() where target < bound { return i }
        // Only reached by rounding at the top end: the last index with a positive weight.
        var i = cumulative.count - 1
        while i > 0, cumulative[i] == cumulative[i - 1] { i -= 1 }
        return max(i, 0)
    }
}
