import Foundation
import Testing
@testable import CallbackStreamService

@Suite struct OverviewRendererTests {
    static let nowMs: Int64 = 1_764_000_000_000

    /// A snapshot with every field set, including awkward values (fractional lags, a label
    /// that needs escaping, an unreadable alert text).
    static func richSnapshot() -> MetricsSnapshot {
        var s = MetricsSnapshot()
        s.consumedByPartition = [0: 800, 2: 700]
        s.producedByOutput = [.summaries: 228, .stats: 12, .alerts: 2]
        s.deadLettersByCode = ["invalid_json": 4, "late_event": 2, "we\"ird\\code": 1]
        s.lateEvents = 2
        s.openSessionsByPartition = [0: 20, 1: 3, 2: 22]
        s.evictions = 1
        s.summaries = [
            .init(outcome: "completed", closeReason: "closed"): 90,
            .init(outcome: "failed", closeReason: "closed"): 15,
            .init(outcome: "abandonedForm", closeReason: "inactivityTimeout"): 40,
        ]
        s.stageReached = ["opened": 200, "started": 150, "submitted": 110, "completed": 90]
        s.alerts = 2
        s.lastWindowErrorRatio = 0.1 + 0.2
        s.alertThreshold = 0.25
        s.lastWindowElapsed = .init(p50: 41_000, p95: 93_000.5, p99: 120_500)
        s.watermarkByPartition = [0: nowMs - 5_000, 2: nowMs - 1_234]
        s.consumerLagByPartition = [0: 3, 2: 0, 3: 17]
        s.commitLagRecordsByPartition = [0: 40, 2: 0]
        s.commitLagEventTimeMsByPartition = [0: 61_500, 2: 0]
        s.produceErrors = [.init(output: "dlq", code: "MSG_SIZE_TOO_LARGE"): 3]
        s.statsMerge = ["partial": 24, "complete_window": 2, "late_partial": 1]
        s.openStatsWindows = 1
        s.commitLatency.observe(seconds: 0.004)
        s.commitLatency.observe(seconds: 0.02)
        s.deliveryLatency.observe(seconds: 0.3)
        s.replayingPartitions = 1
        s.replayedRecords = 99
        s.ready = true
        s.recentAlerts = [
            #"{"schemaVersion":1,"alertId":"a1","windowStart":1763999880000,"windowEnd":1763999940000,"tenant":"acme","ratio":0.2,"submissions":50,"submissionsWithErrors":10,"threshold":0.1,"topErrorCodes":[{"code":"timeout","count":6}]}"#,
            "not json <script>",
            #"  {"alertId":"a2","tenant":null}"# + "\n",
        ]
        return s
    }

    /// A parsed JSON value. `JSONDecoder` reads numbers exactly; `JSONSerialization` on Linux
    /// does not (it reads 0.30000000000000004 as 0.3000000000000001).
    enum JSON: Decodable, Equatable {
        case null, bool(Bool), number(Double), string(String), array([JSON]), object([String: JSON])

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSON].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSON].self)) }
        }

        subscript(key: String) -> JSON? { if case let .object(o) = self { o[key] } else { nil } }
        subscript(index: Int) -> JSON? { if case let .array(a) = self, a.indices.contains(index) { a[index] } else { nil } }
        var number: Double? { if case let .number(n) = self { n } else { nil } }
        var string: String? { if case let .string(s) = self { s } else { nil } }
        var bool: Bool? { if case let .bool(b) = self { b } else { nil } }
        var array: [JSON]? { if case let .array(a) = self { a } else { nil } }
        var object: [String: JSON]? { if case let .object(o) = self { o } else { nil } }
        var isNull: Bool { self == .null }
        /// An object of numbers as a plain dictionary, for whole-object comparisons.
        var numbers: [String: Double]? { object?.compactMapValues(\.number) }
    }

    static func parse(_ json: String) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: Data(json.utf8))
    }

    @Test func rendersEveryFieldOfAKnownSnapshot() throws {
        let text = OverviewRenderer.render(Self.richSnapshot(), nowMs: Self.nowMs)
        let o = try Self.parse(text)
        #expect(text.hasPrefix(#"{"schemaVersion":1,"nowMs":1764000000000,"ready":true,"#))
        #expect(o["schemaVersion"]?.number == 1)
        #expect(o["nowMs"]?.number == Double(Self.nowMs))
        #expect(o["ready"]?.bool == true)
        #expect(o["replayingPartitions"]?.number == 1)
        #expect(o["replayedRecords"]?.number == 99)

        #expect(o["totals"]?.numbers == ["consumed": 1_500, "openSessions": 45, "summaries": 145, "deadLetters": 7,
                                          "lateEvents": 2, "evictions": 1, "alerts": 2])
        #expect(o["produced"]?.numbers == ["summaries": 228, "stats": 12, "alerts": 2, "dlq": 0, "partials": 0])

        let partitions = try #require(o["partitions"]?.array)
        #expect(partitions.map { $0["partition"]?.number } == [0, 1, 2, 3])
        #expect(partitions[0].object == ["partition": .number(0), "consumed": .number(800), "openSessions": .number(20),
                                         "watermarkMs": .number(Double(Self.nowMs - 5_000)), "watermarkLagSeconds": .number(5),
                                         "consumerLag": .number(3), "commitLagRecords": .number(40), "commitLagSeconds": .number(61.5)])
        #expect(partitions[1].object == ["partition": .number(1), "consumed": .null, "openSessions": .number(3),
                                         "watermarkMs": .null, "watermarkLagSeconds": .null, "consumerLag": .null,
                                         "commitLagRecords": .null, "commitLagSeconds": .null])
        #expect(partitions[2]["watermarkLagSeconds"]?.number == 1.234)
        #expect(partitions[2]["consumerLag"]?.number == 0)
        #expect(partitions[3]["consumerLag"]?.number == 17)
        #expect(partitions[3]["consumed"]?.isNull == true)

        #expect(o["funnel"]?.numbers == ["opened": 200, "started": 150, "submitted": 110, "completed": 90])
        let summaries = try #require(o["summaries"]?.array)
        #expect(summaries.map { "\($0["outcome"]?.string ?? "?")/\($0["closeReason"]?.string ?? "?")=\($0["count"]?.number ?? -1)" } ==
                ["abandonedForm/inactivityTimeout=40.0", "completed/closed=90.0", "failed/closed=15.0"])
        #expect(o["deadLettersByCode"]?.numbers == ["invalid_json": 4, "late_event": 2, "we\"ird\\code": 1])

        let window = try #require(o["window"])
        #expect(window["errorRatio"]?.number == 0.1 + 0.2)
        #expect(window["alertThreshold"]?.number == 0.25)
        #expect(window["elapsedMs"]?.numbers == ["p50": 41_000, "p95": 93_000.5, "p99": 120_500])

        #expect(o["commitLatency"]?.numbers == ["count": 2, "sumSeconds": 0.004 + 0.02])
        #expect(o["deliveryLatency"]?.numbers == ["count": 1, "sumSeconds": 0.3])

        let alerts = try #require(o["recentAlerts"]?.array)
        #expect(alerts.count == 3)
        #expect(alerts[0]["alertId"]?.string == "a1")
        #expect(alerts[0]["ratio"]?.number == 0.2)
        #expect(alerts[0]["windowEnd"]?.number == 1_763_999_940_000)
        #expect(alerts[0]["topErrorCodes"]?[0]?["code"]?.string == "timeout")
        #expect(alerts[1] == .object(["raw": .string("not json <script>")]))
        #expect(alerts[2]["alertId"]?.string == "a2")
        #expect(alerts[2]["tenant"]?.isNull == true)
    }

    @Test func emptySnapshotHasTheSameShapeWithZerosAndNulls() throws {
        let o = try Self.parse(OverviewRenderer.render(MetricsSnapshot(), nowMs: 7))
        #expect(o["nowMs"]?.number == 7)
        #expect(o["ready"]?.bool == false)
        #expect(o["totals"]?.numbers == ["consumed": 0, "openSessions": 0, "summaries": 0, "deadLetters": 0,
                                          "lateEvents": 0, "evictions": 0, "alerts": 0])
        #expect(o["partitions"] == .array([]))
        #expect(o["funnel"]?.numbers == ["opened": 0, "started": 0, "submitted": 0, "completed": 0])
        #expect(o["summaries"] == .array([]))
        #expect(o["deadLettersByCode"] == .object([:]))
        #expect(o["window"] == .object(["errorRatio": .null, "alertThreshold": .number(0), "elapsedMs": .null]))
        #expect(o["recentAlerts"] == .array([]))
    }

    @Test func nonFiniteValuesBecomeNullAndOutputIsDeterministic() throws {
        var s = Self.richSnapshot()
        s.lastWindowErrorRatio = .nan
        s.lastWindowElapsed = .init(p50: .infinity, p95: 1, p99: 2)
        let text = OverviewRenderer.render(s, nowMs: Self.nowMs)
        #expect(text == OverviewRenderer.render(s, nowMs: Self.nowMs))
        let window = try #require(try Self.parse(text)["window"])
        #expect(window["errorRatio"]?.isNull == true)
        #expect(window["elapsedMs"]?["p50"]?.isNull == true)
        // Text from input never closes a <script> element of a page that would embed it.
        #expect(!text.contains("<script>"))
    }

    @Test func stringsAreEscapedAsJSON() {
        #expect(OverviewRenderer.string("a\"b\\c\nd\u{1}é<") == #""a\"b\\c\nd\u0001é\u003c""#)
    }

    // MARK: - One source of truth: every number equals the /metrics sample

    /// One Prometheus sample: metric name and labels.
    struct Sample: Hashable, CustomStringConvertible {
        var name: String
        var labels: [String: String] = [:]
        var description: String {
            name + (labels.isEmpty ? "" : "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}")
        }
    }

    /// Parses the Prometheus text format (sample lines; label values unescaped).
    static func prometheusSamples(_ text: String) throws -> [Sample: Double] {
        var samples: [Sample: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            var rest = Substring(line)
            let name = String(rest.prefix { $0 != "{" && $0 != " " })
            rest = rest.dropFirst(name.count)
            var labels: [String: String] = [:]
            if rest.first == "{" {
                rest = rest.dropFirst()
                while rest.first != "}" {
                    let key = String(rest.prefix { $0 != "=" })
                    rest = rest.dropFirst(key.count + 2) // key="
                    var value = ""
                    while let c = rest.first, c != "\"" {
                        rest = rest.dropFirst()
                        if c == "\\", let escaped = rest.first {
                            value.append(escaped == "n" ? "\n" : escaped)
                            rest = rest.dropFirst()
                        } else {
                            value.append(c)
                        }
                    }
                    rest = rest.dropFirst() // closing quote
                    if rest.first == "," { rest = rest.dropFirst() }
                    labels[key] = value
                }
                rest = rest.dropFirst()
            }
            let value = try #require(Double(rest.trimmingCharacters(in: .whitespaces)), "bad sample line \(line)")
            samples[Sample(name: name, labels: labels)] = value
        }
        return samples
    }

    /// The overview's numbers, named as the Prometheus samples they must equal.
    static func overviewSamples(_ o: JSON) throws -> [Sample: Double] {
        let p = "callback_stream_"
        var samples: [Sample: Double] = [:]
        func put(_ name: String, _ labels: [String: String] = [:], _ value: JSON?) throws {
            let value = try #require(value, "overview lacks \(name) \(labels)")
            if value.isNull { return }
            let number = try #require(value.number, "\(name) \(labels) is not a number: \(value)")
            samples[Sample(name: p + name, labels: labels)] = number
        }
        let totals = try #require(o["totals"])
        let window = try #require(o["window"])
        for partition in try #require(o["partitions"]?.array) {
            let label = ["partition": String(Int(try #require(partition["partition"]?.number)))]
            try put("records_consumed_total", label, partition["consumed"])
            try put("open_sessions", label, partition["openSessions"])
            try put("watermark_lag_seconds", label, partition["watermarkLagSeconds"])
            try put("consumer_lag", label, partition["consumerLag"])
            try put("commit_lag_records", label, partition["commitLagRecords"])
            try put("commit_lag_seconds", label, partition["commitLagSeconds"])
        }
        for (output, n) in try #require(o["produced"]?.object) {
            try put("records_produced_total", ["output": output], n)
        }
        for error in try #require(o["produceErrors"]?.array) {
            let labels = ["output": try #require(error["output"]?.string), "code": try #require(error["code"]?.string)]
            try put("produce_errors_total", labels, error["count"])
        }
        for (event, n) in try #require(o["statsMerge"]?.object) {
            try put("stats_merge_total", ["event": event], n)
        }
        try put("stats_open_windows", [:], o["statsOpenWindows"])
        for (code, n) in try #require(o["deadLettersByCode"]?.object) {
            try put("dead_letters_total", ["code": code], n)
        }
        for summary in try #require(o["summaries"]?.array) {
            let labels = ["outcome": try #require(summary["outcome"]?.string),
                          "close_reason": try #require(summary["closeReason"]?.string)]
            try put("summaries_total", labels, summary["count"])
        }
        for (stage, n) in try #require(o["funnel"]?.object) {
            try put("stage_reached_total", ["stage": stage], n)
        }
        try put("late_events_total", [:], totals["lateEvents"])
        try put("evictions_total", [:], totals["evictions"])
        try put("alerts_total", [:], totals["alerts"])
        try put("window_error_ratio", [:], window["errorRatio"])
        try put("alert_threshold", [:], window["alertThreshold"])
        if let elapsed = window["elapsedMs"], !elapsed.isNull {
            try put("window_elapsed_ms", ["quantile": "0.5"], elapsed["p50"])
            try put("window_elapsed_ms", ["quantile": "0.95"], elapsed["p95"])
            try put("window_elapsed_ms", ["quantile": "0.99"], elapsed["p99"])
        }
        for (key, name) in [("commitLatency", "commit_latency_seconds"), ("deliveryLatency", "delivery_latency_seconds")] {
            let histogram = try #require(o[key])
            try put(name + "_count", [:], histogram["count"])
            try put(name + "_sum", [:], histogram["sumSeconds"])
        }
        try put("replaying_partitions", [:], o["replayingPartitions"])
        try put("replayed_records_total", [:], o["replayedRecords"])
        try put("fetch_wakeups_total", [:], o["fetchWakeups"])
        try put("ready", [:], o["ready"]?.bool.map { .number($0 ? 1 : 0) })
        return samples
    }

    static func consistencySnapshot(_ name: String) -> MetricsSnapshot {
        switch name {
        case "rich": return richSnapshot()
        case "sparse":
            var s = MetricsSnapshot()
            s.consumedByPartition = [5: 1]
            s.watermarkByPartition = [7: nowMs + 1_500] // a watermark ahead of the wall clock
            s.lastWindowErrorRatio = 0
            s.alertThreshold = 0.05
            return s
        default: return MetricsSnapshot()
        }
    }

    @Test(arguments: ["rich", "sparse", "empty"])
    func everyNumberEqualsTheMetricsSample(_ name: String) throws {
        let snapshot = Self.consistencySnapshot(name)
        let prometheus = try Self.prometheusSamples(PrometheusRenderer.render(snapshot, nowMs: Self.nowMs))
        let overview = try Self.parse(OverviewRenderer.render(snapshot, nowMs: Self.nowMs))
        // Histogram buckets are the only /metrics samples the overview leaves out.
        let expected = prometheus.filter { !$0.key.name.hasSuffix("_bucket") }
        let actual = try Self.overviewSamples(overview)
        for (sample, value) in expected {
            #expect(actual[sample] == value, "\(sample): /metrics \(value), overview \(String(describing: actual[sample]))")
        }
        for sample in actual.keys where expected[sample] == nil {
            Issue.record("overview has \(sample) = \(actual[sample]!), /metrics has no such sample")
        }
        #expect(!expected.isEmpty)

        // The overview's totals are the sums of the per-label samples.
        let totals = try #require(overview["totals"])
        func sum(_ name: String) -> Double {
            expected.filter { $0.key.name == "callback_stream_" + name }.values.reduce(0, +)
        }
        #expect(totals["consumed"]?.number == sum("records_consumed_total"))
        #expect(totals["openSessions"]?.number == sum("open_sessions"))
        #expect(totals["summaries"]?.number == sum("summaries_total"))
        #expect(totals["deadLetters"]?.number == sum("dead_letters_total"))
    }
}
