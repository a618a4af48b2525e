import Foundation

/// What a correct processor must output for a traffic configuration: totals and (optionally) every session.
///
/// Computed by re-planning the traffic without rendering it, so it costs a fraction of generating.
/// Counts are per session: `outcomes`, `closeReasons`, `tenants`, `errorCodes` (sessions whose
/// errors include the code) and `flags` (sessions with the flag set) each sum over `sessions`.
public struct GroundTruth: Sendable, Equatable, Codable {
    /// Version of this JSON layout.
    public var schemaVersion = 1
    public var seed: UInt64
    public var interactions: Int
    public var startTimeMs: Int64
    public var spanMs: Int64
    public var inactivityTimeoutMs: Int64
    public var allowedLatenessMs: Int64
    /// All sessions, including `notOpened` ones.
    public var sessions: Int
    /// Sessions published by default (all but `notOpened`).
    public var publishedSessions: Int
    /// Sessions with `sessionSeq` ≥ 2.
    public var reopenedSessions: Int
    /// Interactions with more than one session.
    public var reopenedInteractions: Int
    /// Records produced (events plus duplicates).
    public var records: Int
    /// Distinct events (records minus duplicates).
    public var uniqueEvents: Int
    /// Duplicate records injected.
    public var duplicatesInjected: Int
    /// Records delivered late on purpose (each by less than the allowed lateness).
    public var outOfOrderInjected: Int
    /// Of those, records delivered after a later event of their own session.
    public var sessionOutOfOrderEvents: Int
    /// Sessions per outcome (every outcome present, maybe 0).
    public var outcomes: [String: Int]
    /// Sessions per close reason (both present, maybe 0).
    public var closeReasons: [String: Int]
    /// Sessions per `attributes.tenant`.
    public var tenants: [String: Int]
    /// Sessions per error code.
    public var errorCodes: [String: Int]
    /// Sessions with `proactive`, `prefilled`, `autoSubmitted` set.
    public var flags: [String: Int]
    /// Earliest event time of the traffic (`nil` when empty).
    public var firstEventTimestampMs: Int64?
    /// Latest event time: a processor's watermark must pass this plus the timeout to flush everything.
    public var lastEventTimestampMs: Int64?
    /// Every expected session, in interaction then session order (omitted when not requested).
    public var expectedSessions: [ExpectedSession]?

    /// The truth for `configuration`; validates it first.
    ///
    /// - Parameters:
    ///   - includeSessions: keep every `ExpectedSession` (memory grows with the traffic; for millions of
    ///     interactions prefer `false` and stream `TrafficGenerator.expectedSessions` if needed).
    public init(configuration: TrafficConfiguration, includeSessions: Bool = true) throws(TrafficConfigurationError) {
        self.init(generator: try TrafficGenerator(configuration: configuration), includeSessions: includeSessions)
    }

    /// The truth for the traffic of `generator`.
    public init(generator: TrafficGenerator, includeSessions: Bool = true) {
        let config = generator.configuration
        seed = config.seed
        interactions = config.interactions
        startTimeMs = config.startTimeMs
        spanMs = config.spanMs
        inactivityTimeoutMs = config.inactivityTimeoutMs
        allowedLatenessMs = config.allowedLatenessMs
        sessions = 0
        publishedSessions = 0
        reopenedSessions = 0
        reopenedInteractions = 0
        records = 0
        uniqueEvents = 0
        duplicatesInjected = 0
        outOfOrderInjected = 0
        sessionOutOfOrderEvents = 0
        outcomes = Dictionary(uniqueKeysWithValues: ExpectedOutcome.allCases.map { ($0.rawValue, 0) })
        closeReasons = Dictionary(uniqueKeysWithValues: ExpectedCloseReason.allCases.map { ($0.rawValue, 0) })
        tenants = [:]
        errorCodes = [:]
        flags = ["proactive": 0, "prefilled": 0, "autoSubmitted": 0]
        var kept: [ExpectedSession] = []
        for session in generator.expectedSessions {
            sessions += 1
            if session.isPublishedByDefault { publishedSessions += 1 }
            if session.sessionSeq >= 2 { reopenedSessions += 1 }
            if session.sessionSeq == 2 { reopenedInteractions += 1 }
            records += session.records
            uniqueEvents += session.events.count
            duplicatesInjected += session.duplicates
            outOfOrderInjected += session.delayedEvents
            sessionOutOfOrderEvents += session.outOfOrderEvents
            outcomes[session.outcome.rawValue, default: 0] += 1
            closeReasons[session.closeReason.rawValue, default: 0] += 1
            tenants[session.tenant ?? "", default: 0] += 1
            for code in session.errors { errorCodes[code, default: 0] += 1 }
            if session.proactive { flags["proactive", default: 0] += 1 }
            if session.prefilled { flags["prefilled", default: 0] += 1 }
            if session.autoSubmitted { flags["autoSubmitted", default: 0] += 1 }
            firstEventTimestampMs = min(firstEventTimestampMs ?? .max, session.firstEventTimestampMs)
            lastEventTimestampMs = max(lastEventTimestampMs ?? .min, session.lastEventTimestampMs)
            if includeSessions { kept.append(session) }
        }
        expectedSessions = includeSessions ? kept : nil
    }

    /// Sessions with `outcome`.
    public func count(of outcome: ExpectedOutcome) -> Int { outcomes[outcome.rawValue] ?? 0 }

    /// Sessions ended by `reason`.
    public func count(of reason: ExpectedCloseReason) -> Int { closeReasons[reason.rawValue] ?? 0 }

    /// `truth.json`: keys sorted, so equal truths give equal bytes.
    ///
    /// - Parameters:
    ///   - prettyPrinted: indent (about twice the size; use `false` for large truths).
    public func jsonData(prettyPrinted: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted
            ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Reads a `truth.json` written by `jsonData()`.
    public static func decode(from data: Data) throws -> GroundTruth {
        try JSONDecoder().decode(GroundTruth.self, from: data)
    }
}
