/// Renders a ``MetricsSnapshot`` in the Prometheus text exposition format (version 0.0.4).
///
/// The metric names and labels are documented in `docs/metrics.md`; the deploy dashboards and
/// tests check against this output.
public enum PrometheusRenderer {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// - Parameters:
    ///   - snapshot: the counters to render.
    ///   - nowMs: the wall clock in ms since epoch, for watermark lag.
    public static func render(_ snapshot: MetricsSnapshot, nowMs: Int64) -> String {
        var out = ""
        out.reserveCapacity(4096)

        func header(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ value: String) {
            sample(name, [], value)
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            if labels.isEmpty {
                out += "\(name) \(value)\n"
            } else {
                out += name + "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "} " + value + "\n"
            }
        }

        let p = "callback_stream_"
        header(p + "records_consumed_total", "counter", "Input records consumed.")
        for (partition, n) in snapshot.consumedByPartition.sorted(by: { $0.key < $1.key }) {
            sample(p + "records_consumed_total", [("partition", "\(partition)")], "\(n)")
        }
        header(p + "records_produced_total", "counter", "Records acknowledged by the broker, per output.")
        for output in MetricsSnapshot.Output.allCases {
            sample(p + "records_produced_total", [("output", output.rawValue)], "\(snapshot.producedByOutput[output] ?? 0)")
        }
        header(p + "dead_letters_total", "counter", "Records sent to the dead-letter topic, by code.")
        for (code, n) in snapshot.deadLettersByCode.sorted(by: { $0.key < $1.key }) {
            sample(p + "dead_letters_total", [("code", code)], "\(n)")
        }
        header(p + "produce_errors_total", "counter", "Output records refused for good (per-record failures such as MSG_SIZE_TOO_LARGE), by output and librdkafka error; counted and skipped.")
        for (key, n) in snapshot.produceErrors.sorted(by: { $0.key < $1.key }) {
            sample(p + "produce_errors_total", [("output", key.output), ("code", key.code)], "\(n)")
        }
        header(p + "late_events_total", "counter", "Events older than their closed session's end.")
        sample(p + "late_events_total", "\(snapshot.lateEvents)")
        header(p + "open_sessions", "gauge", "Open sessions in memory.")
        for (partition, n) in snapshot.openSessionsByPartition.sorted(by: { $0.key < $1.key }) {
            sample(p + "open_sessions", [("partition", "\(partition)")], "\(n)")
        }
        header(p + "evictions_total", "counter", "Sessions closed early because the open-session cap was reached.")
        sample(p + "evictions_total", "\(snapshot.evictions)")
        header(p + "summaries_total", "counter", "Summaries emitted, by outcome and close reason.")
        for (key, n) in snapshot.summaries.sorted(by: { $0.key < $1.key }) {
            sample(p + "summaries_total", [("outcome", key.outcome), ("close_reason", key.closeReason)], "\(n)")
        }
        header(p + "stage_reached_total", "counter", "Summarized sessions that reached each lifecycle stage.")
        for stage in MetricsSnapshot.funnelStages {
            sample(p + "stage_reached_total", [("stage", stage)], "\(snapshot.stageReached[stage] ?? 0)")
        }
        header(p + "alerts_total", "counter", "Error-spike alerts emitted.")
        sample(p + "alerts_total", "\(snapshot.alerts)")
        header(p + "stats_merge_total", "counter", "The stats merge stage's events: partials and progress markers read, duplicates (replays), late partials (counted, not merged), rejected values, windows published complete, incomplete (merge timeout) or early (too many open).")
        for (event, n) in snapshot.statsMerge.sorted(by: { $0.key < $1.key }) {
            sample(p + "stats_merge_total", [("event", event)], "\(n)")
        }
        header(p + "stats_open_windows", "gauge", "Windows the merge stage is waiting to publish.")
        sample(p + "stats_open_windows", "\(snapshot.openStatsWindows)")
        header(p + "window_error_ratio", "gauge", "Errors/submissions of the last closed window.")
        if let ratio = snapshot.lastWindowErrorRatio { sample(p + "window_error_ratio", number(ratio)) }
        header(p + "alert_threshold", "gauge", "Configured alert threshold.")
        sample(p + "alert_threshold", number(snapshot.alertThreshold))
        header(p + "window_elapsed_ms", "gauge", "Elapsed-time percentiles of the last closed window.")
        if let e = snapshot.lastWindowElapsed {
            sample(p + "window_elapsed_ms", [("quantile", "0.5")], number(e.p50))
            sample(p + "window_elapsed_ms", [("quantile", "0.95")], number(e.p95))
            sample(p + "window_elapsed_ms", [("quantile", "0.99")], number(e.p99))
        }
        header(p + "watermark_lag_seconds", "gauge", "Wall clock minus the partition's watermark.")
        for (partition, watermark) in snapshot.watermarkByPartition.sorted(by: { $0.key < $1.key }) {
            sample(p + "watermark_lag_seconds", [("partition", "\(partition)")], number(Double(nowMs - watermark) / 1000))
        }
        header(p + "consumer_lag", "gauge", "High watermark minus position, in records.")
        for (partition, lag) in snapshot.consumerLagByPartition.sorted(by: { $0.key < $1.key }) {
            sample(p + "consumer_lag", [("partition", "\(partition)")], "\(lag)")
        }
        header(p + "commit_lag_records", "gauge", "Records between the committed offset and the position: what a restart re-reads.")
        for (partition, lag) in snapshot.commitLagRecordsByPartition.sorted(by: { $0.key < $1.key }) {
            sample(p + "commit_lag_records", [("partition", "\(partition)")], "\(lag)")
        }
        header(p + "commit_lag_seconds", "gauge", "Event time between the partition's watermark and the oldest record its open or remembered sessions still need (the committed offset is held there; bounded by max-session-duration + max(inactivity-timeout, 2 x window + allowed-lateness)).")
        for (partition, lag) in snapshot.commitLagEventTimeMsByPartition.sorted(by: { $0.key < $1.key }) {
            sample(p + "commit_lag_seconds", [("partition", "\(partition)")], number(Double(lag) / 1000))
        }
        histogram(p + "commit_latency_seconds", "Time from requesting an offset commit to its acknowledgement.", snapshot.commitLatency)
        histogram(p + "delivery_latency_seconds", "Time from produce to delivery report.", snapshot.deliveryLatency)
        header(p + "replaying_partitions", "gauge", "Partitions rebuilding state by replay.")
        sample(p + "replaying_partitions", "\(snapshot.replayingPartitions)")
        header(p + "replayed_records_total", "counter", "Records re-read to rebuild state (outputs suppressed).")
        sample(p + "replayed_records_total", "\(snapshot.replayedRecords)")
        header(p + "fetch_wakeups_total", "counter", "Times the fetcher was woken after a full prefetch queue was drained.")
        sample(p + "fetch_wakeups_total", "\(snapshot.fetchWakeups)")
        header(p + "ready", "gauge", "1 when partitions are assigned and none is replaying.")
        sample(p + "ready", snapshot.ready ? "1" : "0")
        return out

        func histogram(_ name: String, _ help: String, _ h: LatencyHistogram) {
            header(name, "histogram", help)
            let cumulative = h.cumulativeCounts
            for (i, bound) in LatencyHistogram.bounds.enumerated() {
                sample(name + "_bucket", [("le", number(bound))], "\(cumulative[i])")
            }
            sample(name + "_bucket", [("le", "+Inf")], "\(h.count)")
            sample(name + "_sum", number(h.sum))
            sample(name + "_count", "\(h.count)")
        }
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
