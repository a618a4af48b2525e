import Foundation

/// Renders a ``MetricsSnapshot`` as the `GET /api/overview` JSON that the dashboard polls.
///
/// It shows the same numbers as ``PrometheusRenderer`` (one snapshot, one source of truth),
/// grouped for a page: totals, per-partition values, the funnel, outcomes, dead letters, the
/// last window and the recent alerts. Keys are written in a fixed order, so equal snapshots
/// give equal bytes. Not a hot path: it runs once per HTTP request.
///
/// Shape (`null` where the snapshot has no value; per-partition fields are `null` when that
/// partition has no sample of that metric):
/// ```
/// {"schemaVersion":1,"nowMs":…,"ready":true,"replayingPartitions":0,"replayedRecords":0,"fetchWakeups":0,
///  "totals":{"consumed":…,"openSessions":…,"summaries":…,"deadLetters":…,"lateEvents":…,
///            "evictions":…,"alerts":…},
///  "produced":{"summaries":…,"stats":…,"alerts":…,"dlq":…,"partials":…},
///  "produceErrors":[{"output":"dlq","code":"MSG_SIZE_TOO_LARGE","count":…}],
///  "statsMerge":{"partial":…,…},"statsOpenWindows":…,
///  "partitions":[{"partition":0,"consumed":…,"openSessions":…,"watermarkMs":…,
///                 "watermarkLagSeconds":…,"consumerLag":…,"commitLagRecords":…,
///                 "commitLagSeconds":…}],
///  "funnel":{"opened":…,"started":…,"submitted":…,"completed":…},
///  "summaries":[{"outcome":"completed","closeReason":"closed","count":…}],
///  "deadLettersByCode":{"invalid_json":…},
///  "window":{"errorRatio":…|null,"alertThreshold":…,"elapsedMs":{"p50":…,"p95":…,"p99":…}|null},
///  "commitLatency":{"count":…,"sumSeconds":…},"deliveryLatency":{"count":…,"sumSeconds":…},
///  "recentAlerts":[{…alert record…}]}
/// ```
/// `recentAlerts` are the snapshot's alert records, newest last, embedded as JSON objects; a
/// text that is not a JSON object is embedded as `{"raw":"<text>"}` instead.
public enum OverviewRenderer {
    public static let contentType = "application/json"

    /// - Parameters:
    ///   - snapshot: the counters to render.
    ///   - nowMs: the wall clock in ms since epoch, for watermark lag (as in `/metrics`).
    public static func render(_ snapshot: MetricsSnapshot, nowMs: Int64) -> String {
        var w = Writer()
        w.open("{")
        w.field("schemaVersion", "1")
        w.field("nowMs", "\(nowMs)")
        w.field("ready", snapshot.ready ? "true" : "false")
        w.field("replayingPartitions", "\(snapshot.replayingPartitions)")
        w.field("replayedRecords", "\(snapshot.replayedRecords)")
        w.field("fetchWakeups", "\(snapshot.fetchWakeups)")

        w.key("totals"); w.open("{")
        w.field("consumed", "\(snapshot.totalConsumed)")
        w.field("openSessions", "\(snapshot.totalOpenSessions)")
        w.field("summaries", "\(snapshot.totalSummaries)")
        w.field("deadLetters", "\(snapshot.deadLettersByCode.values.reduce(0, +))")
        w.field("lateEvents", "\(snapshot.lateEvents)")
        w.field("evictions", "\(snapshot.evictions)")
        w.field("alerts", "\(snapshot.alerts)")
        w.close("}")

        w.key("produced"); w.open("{")
        for output in MetricsSnapshot.Output.allCases {
            w.field(output.rawValue, "\(snapshot.producedByOutput[output] ?? 0)")
        }
        w.close("}")

        w.key("produceErrors"); w.open("[")
        for (key, count) in snapshot.produceErrors.sorted(by: { $0.key < $1.key }) {
            w.element(); w.open("{")
            w.field("output", string(key.output))
            w.field("code", string(key.code))
            w.field("count", "\(count)")
            w.close("}")
        }
        w.close("]")

        w.key("statsMerge"); w.open("{")
        for (event, count) in snapshot.statsMerge.sorted(by: { $0.key < $1.key }) {
            w.field(event, "\(count)")
        }
        w.close("}")
        w.field("statsOpenWindows", "\(snapshot.openStatsWindows)")

        w.key("partitions"); w.open("[")
        var partitions = Set(snapshot.consumedByPartition.keys)
        partitions.formUnion(snapshot.openSessionsByPartition.keys)
        partitions.formUnion(snapshot.watermarkByPartition.keys)
        partitions.formUnion(snapshot.consumerLagByPartition.keys)
        partitions.formUnion(snapshot.commitLagRecordsByPartition.keys)
        partitions.formUnion(snapshot.commitLagEventTimeMsByPartition.keys)
        for partition in partitions.sorted() {
            w.element(); w.open("{")
            w.field("partition", "\(partition)")
            w.field("consumed", snapshot.consumedByPartition[partition].map { "\($0)" } ?? "null")
            w.field("openSessions", snapshot.openSessionsByPartition[partition].map { "\($0)" } ?? "null")
            let watermark = snapshot.watermarkByPartition[partition]
            w.field("watermarkMs", watermark.map { "\($0)" } ?? "null")
            w.field("watermarkLagSeconds", watermark.map { number(Double(nowMs - $0) / 1000) } ?? "null")
            w.field("consumerLag", snapshot.consumerLagByPartition[partition].map { "\($0)" } ?? "null")
            w.field("commitLagRecords", snapshot.commitLagRecordsByPartition[partition].map { "\($0)" } ?? "null")
            w.field("commitLagSeconds", snapshot.commitLagEventTimeMsByPartition[partition].map { number(Double($0) / 1000) } ?? "null")
            w.close("}")
        }
        w.close("]")

        w.key("funnel"); w.open("{")
        for stage in MetricsSnapshot.funnelStages {
            w.field(stage, "\(snapshot.stageReached[stage] ?? 0)")
        }
        w.close("}")

        w.key("summaries"); w.open("[")
        for (key, count) in snapshot.summaries.sorted(by: { $0.key < $1.key }) {
            w.element(); w.open("{")
            w.field("outcome", string(key.outcome))
            w.field("closeReason", string(key.closeReason))
            w.field("count", "\(count)")
            w.close("}")
        }
        w.close("]")

        w.key("deadLettersByCode"); w.open("{")
        for (code, count) in snapshot.deadLettersByCode.sorted(by: { $0.key < $1.key }) {
            w.field(code, "\(count)")
        }
        w.close("}")

        w.key("window"); w.open("{")
        w.field("errorRatio", snapshot.lastWindowErrorRatio.map(number) ?? "null")
        w.field("alertThreshold", number(snapshot.alertThreshold))
        if let e = snapshot.lastWindowElapsed {
            w.key("elapsedMs"); w.open("{")
            w.field("p50", number(e.p50))
            w.field("p95", number(e.p95))
            w.field("p99", number(e.p99))
            w.close("}")
        } else {
            w.field("elapsedMs", "null")
        }
        w.close("}")

        for (name, histogram) in [("commitLatency", snapshot.commitLatency), ("deliveryLatency", snapshot.deliveryLatency)] {
            w.key(name); w.open("{")
            w.field("count", "\(histogram.count)")
            w.field("sumSeconds", number(histogram.sum))
            w.close("}")
        }

        w.key("recentAlerts"); w.open("[")
        for alert in snapshot.recentAlerts {
            w.element()
            w.raw(embeddable(alert) ?? "{\"raw\":\(string(alert))}")
        }
        w.close("]")
        w.close("}")
        return w.out + "\n"
    }

    /// Renders the `GET /api/history` JSON: the recent samples the dashboard's throughput chart
    /// starts from, oldest first.
    ///
    /// ```
    /// {"schemaVersion":1,"nowMs":…,"spacingMs":1000,"samples":[{"t":…,"consumed":…,"summaries":…}]}
    /// ```
    /// `consumed` is `totals.consumed` and `summaries` is `produced.summaries` of
    /// `/api/overview` at time `t`.
    public static func renderHistory(_ samples: [ThroughputHistory.Sample], spacingMs: Int64, nowMs: Int64) -> String {
        var w = Writer()
        w.open("{")
        w.field("schemaVersion", "1")
        w.field("nowMs", "\(nowMs)")
        w.field("spacingMs", "\(spacingMs)")
        w.key("samples"); w.open("[")
        for sample in samples {
            w.element()
            w.open("{")
            w.field("t", "\(sample.atMs)")
            w.field("consumed", "\(sample.consumed)")
            w.field("summaries", "\(sample.summaries)")
            w.close("}")
        }
        w.close("]")
        w.close("}")
        return w.out + "\n"
    }

    /// The alert text itself when it is one JSON object, else `nil`.
    static func embeddable(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{"),
              let parsed = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)),
              parsed is [String: Any]
        else { return nil }
        return trimmed
    }

    /// A JSON number with the same digits as the Prometheus sample; `null` when not finite.
    static func number(_ value: Double) -> String {
        value.isFinite ? PrometheusRenderer.number(value) : "null"
    }

    /// A JSON string literal.
    static func string(_ value: String) -> String {
        JSONText.quoted(value)
    }

    /// Appends JSON tokens, placing the commas.
    private struct Writer {
        var out = ""
        private var needsComma = false

        init() { out.reserveCapacity(2048) }

        mutating func open(_ bracket: String) { out += bracket; needsComma = false }
        mutating func close(_ bracket: String) { out += bracket; needsComma = true }
        mutating func element() { if needsComma { out += "," }; needsComma = false }
        mutating func key(_ name: String) { element(); out += OverviewRenderer.string(name) + ":" }
        mutating func field(_ name: String, _ value: String) { key(name); out += value; needsComma = true }
        mutating func raw(_ value: String) { out += value; needsComma = true }
    }
}
