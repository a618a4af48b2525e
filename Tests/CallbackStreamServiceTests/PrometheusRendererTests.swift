import Testing
@testable import CallbackStreamService

@Suite struct PrometheusRendererTests {
    @Test func rendersCountersGaugesAndHistograms() {
        var snapshot = MetricsSnapshot()
        snapshot.consumedByPartition = [1: 10, 0: 5]
        snapshot.deadLettersByCode = ["invalid_json": 2]
        snapshot.summaries = [.init(outcome: "completed", closeReason: "closed"): 3]
        snapshot.watermarkByPartition = [0: 1_000]
        snapshot.deliveryLatency.observe(seconds: 0.003)
        snapshot.deliveryLatency.observe(seconds: 30)
        snapshot.ready = true
        snapshot.fetchWakeups = 7
        let text = PrometheusRenderer.render(snapshot, nowMs: 3_500)
        #expect(text.contains("# TYPE callback_stream_fetch_wakeups_total counter\ncallback_stream_fetch_wakeups_total 7\n"))
        #expect(text.contains("callback_stream_records_consumed_total{partition=\"0\"} 5\n"))
        #expect(text.contains("callback_stream_records_consumed_total{partition=\"1\"} 10\n"))
        #expect(text.contains("callback_stream_dead_letters_total{code=\"invalid_json\"} 2\n"))
        #expect(text.contains("callback_stream_summaries_total{outcome=\"completed\",close_reason=\"closed\"} 3\n"))
        #expect(text.contains("callback_stream_watermark_lag_seconds{partition=\"0\"} 2.5\n"))
        #expect(text.contains("callback_stream_delivery_latency_seconds_bucket{le=\"0.0025\"} 0\n"))
        #expect(text.contains("callback_stream_delivery_latency_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("callback_stream_delivery_latency_seconds_bucket{le=\"+Inf\"} 2\n"))
        #expect(text.contains("callback_stream_delivery_latency_seconds_count 2\n"))
        #expect(text.contains("callback_stream_ready 1\n"))
        // Every sample line belongs to a declared family.
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { n, suffix in
                n.hasSuffix(suffix) && !families.contains(Substring(n)) ? String(n.dropLast(suffix.count)) : n
            }
            #expect(families.contains(Substring(family)), "undeclared sample \(line)")
        }
    }

    @Test func labelValuesAreEscaped() {
        #expect(PrometheusRenderer.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }
}
