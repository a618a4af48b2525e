import CallbackStreamCore
import Kafka
import Logging
import Testing
@testable import CallbackStreamService

/// A producer that records what it is given and fails as told, with no broker.
final class RecordingProducer: OutputProducer {
    struct Record {
        var topic: String
        var partition: Int32?
        var key: String?
        var value: [UInt8]
        var headers: [String: String]
        var opaque: UInt64
    }

    var records: [Record] = []
    /// Errors thrown by the next `produce` calls, in order (then it accepts).
    var refusals: [KafkaError] = []
    var polls = 0

    func produce(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], timestamp: Int64?, opaque: UInt64
    ) throws(KafkaError) {
        if !refusals.isEmpty { throw refusals.removeFirst() }
        var named: [String: String] = [:]
        for header in headers { named[header.name] = header.value.map { String(decoding: $0, as: UTF8.self) } }
        records.append(Record(
            topic: topic, partition: partition, key: key.map { String(decoding: $0, as: UTF8.self) }, value: value.map(Array.init) ?? [],
            headers: named, opaque: opaque))
    }

    func poll(timeout: Duration) -> Int {
        polls += 1
        return 0
    }
}

@Suite struct RecordCollectorTests {
    static let t0: Int64 = 1_767_225_600_000
    static let topics = RecordCollector<RecordingProducer>.Topics(
        input: "in", summaries: "sums", deadLetters: "dlq", partials: "partials", partialsPartitionCount: 3)

    let producer = RecordingProducer()
    let clock = ManualProcessorClock()
    let collector: RecordCollector<RecordingProducer>
    let task = StreamTask(partition: 7, generation: 3, configuration: .init(), startOffset: 0, committed: nil)

    init() {
        collector = RecordCollector(producer: producer, topics: Self.topics, logger: Logger(label: "test"), clock: clock)
    }

    /// Runs a record through the task and sends its outputs through the collector.
    func pipe(_ value: String, key: String?, offset: Int64) {
        let keyBytes = key.map { Array($0.utf8) }
        let valueBytes = Array(value.utf8)
        let (task, collector) = (self.task, self.collector)
        valueBytes.withUnsafeBytes { v in
            if let keyBytes {
                keyBytes.withUnsafeBytes { k in
                    _ = task.process(key: k, value: v, offset: offset, recordTimestampMs: nil, arrivalMs: 0) { collector.send($0, from: task) }
                }
            } else {
                _ = task.process(key: nil, value: v, offset: offset, recordTimestampMs: nil, arrivalMs: 0) { collector.send($0, from: task) }
            }
        }
    }

    func report(_ record: RecordingProducer.Record, error: KafkaError? = nil) -> RecordCollector<RecordingProducer>.Settlement? {
        collector.delivered(DeliveryReport(topic: record.topic, partition: 0, offset: error == nil ? 1 : -1, error: error, opaque: record.opaque))
    }

    @Test func aDeadLetterCarriesItsReasonAndSource() throws {
        pipe("not json", key: "k", offset: 41)
        let record = try #require(producer.records.first)
        #expect(record.topic == "dlq")
        #expect(record.key == "k")
        #expect(record.value == Array("not json".utf8))
        #expect(record.headers["error"] == "invalid_json")
        #expect(record.headers["source.topic"] == "in")
        #expect(record.headers["source.partition"] == "7")
        #expect(record.headers["source.offset"] == "41")
        #expect(report(record) == .init(partition: 7, generation: 3, cause: 41))
        var metrics = MetricsSnapshot()
        collector.contribute(to: &metrics)
        #expect(metrics.deadLettersByCode == ["invalid_json": 1])
        #expect(metrics.producedByOutput == [.dlq: 1])
    }

    @Test func aSummaryCarriesItsIdAsAHeader() throws {
        pipe(#"{"interactionId":"cb-1","event":"opened","timestamp":\#(Self.t0)}"#, key: "cb-1", offset: 0)
        pipe(#"{"interactionId":"cb-1","event":"closed","timestamp":\#(Self.t0 + 1)}"#, key: "cb-1", offset: 1)
        pipe(#"{"interactionId":"cb-2","event":"opened","timestamp":\#(Self.t0 + 30_000)}"#, key: "cb-2", offset: 2)
        let record = try #require(producer.records.first { $0.topic == "sums" })
        #expect(record.headers["summaryId"] == "cb-1:1:\(Self.t0)")
    }

    @Test func aRecordRefusedForItsSizeIsCountedAndSettledWithoutStopping() throws {
        producer.refusals = [KafkaError(code: .messageSizeTooLarge)]
        pipe("not json either", key: "k", offset: 5)
        #expect(producer.records.isEmpty)
        #expect(collector.failure == nil)
        #expect(collector.inFlight == 0)
        #expect(task.ledger.unacknowledged == 0)  // settled: the commit may pass it
        var metrics = MetricsSnapshot()
        collector.contribute(to: &metrics)
        #expect(metrics.produceErrors == [.init(output: "dlq", code: "MSG_SIZE_TOO_LARGE"): 1])
        #expect(metrics.producedByOutput.isEmpty)
    }

    @Test func aRecordRefusedInItsDeliveryReportIsSettledToo() throws {
        pipe("bad", key: "k", offset: 9)
        let record = try #require(producer.records.first)
        #expect(task.ledger.unacknowledged == 1)
        let settlement = report(record, error: KafkaError(code: .invalidRecord))
        #expect(settlement == .init(partition: 7, generation: 3, cause: 9))
        #expect(collector.failure == nil)
        var metrics = MetricsSnapshot()
        collector.contribute(to: &metrics)
        #expect(metrics.produceErrors == [.init(output: "dlq", code: "INVALID_RECORD"): 1])
    }

    @Test func aTopicLevelFailureStopsTheProcessorAndIsNeverSettled() throws {
        producer.refusals = [KafkaError(code: .topicAuthorizationFailed)]
        pipe("bad", key: "k", offset: 3)
        #expect(collector.failure?.contains("cannot produce to 'dlq'") == true)
        #expect(collector.failure?.contains("TOPIC_AUTHORIZATION_FAILED") == true)
        #expect(task.ledger.unacknowledged == 1)  // the commit stays before offset 3

        pipe("bad", key: "k", offset: 4)
        let record = try #require(producer.records.first)
        #expect(report(record, error: KafkaError(code: .messageTimedOut)) == nil)
        #expect(collector.failure?.contains("cannot produce") == true)  // the first failure is kept
    }

    @Test func aFullQueueIsWaitedOutByServingDeliveryReports() {
        producer.refusals = Array(repeating: KafkaError(code: .queueFull), count: 3)
        pipe("bad", key: "k", offset: 0)
        #expect(producer.polls == 3)
        #expect(producer.records.count == 1)
        #expect(collector.failure == nil)
    }

    @Test func partialsGoToTheirWindowsPartitionAndProgressMarkersToTheMergersOfTheirWindows() throws {
        // A session closed in the first window, then an event that moves the watermark past its end.
        pipe(#"{"interactionId":"cb-1","event":"opened","timestamp":\#(Self.t0),"attributes":{"tenant":"acme"}}"#, key: "cb-1", offset: 0)
        pipe(#"{"interactionId":"cb-1","event":"closed","timestamp":\#(Self.t0 + 1)}"#, key: "cb-1", offset: 1)
        pipe(#"{"interactionId":"cb-2","event":"opened","timestamp":\#(Self.t0 + 120_000)}"#, key: "cb-2", offset: 2)
        let partials = producer.records.filter { $0.topic == "partials" }
        let windowPartials = partials.filter { String(decoding: $0.value, as: UTF8.self).contains(#""type":"partial""#) }
        let markers = partials.filter { String(decoding: $0.value, as: UTF8.self).contains(#""type":"progress""#) }
        #expect(windowPartials.count == 1)
        #expect(windowPartials.first?.key == "\(Self.t0)")
        #expect(windowPartials.first?.partition == WindowRouting.partialsPartition(windowStart: Self.t0, partialsPartitionCount: 3))
        // The first marker goes to every merger, once, in partition order; a later one only to
        // the mergers of the windows it newly reports complete (the partial's among them).
        func completeThrough(_ record: RecordingProducer.Record) -> Int64? {
            let text = String(decoding: record.value, as: UTF8.self)
            guard let range = text.range(of: #""completeThrough":"#) else { return nil }
            return Int64(text[range.upperBound...].prefix { $0.isNumber })
        }
        var throughs: [Int64] = []
        for marker in markers { if let t = completeThrough(marker), throughs.last != t { throughs.append(t) } }
        #expect(throughs.count == 2, "\(throughs)")
        #expect(markers.filter { completeThrough($0) == throughs.first }.map(\.partition) == [0, 1, 2])
        let later = markers.filter { completeThrough($0) == throughs.last }.map(\.partition)
        var expected: [Int32?] = []
        WindowRouting.forEachProgressPartition(since: throughs[0], through: throughs[1], windowSize: 60_000, partialsPartitionCount: 3) {
            expected.append($0)
        }
        #expect(later == expected && later.count < 3 && later.contains(windowPartials.first?.partition))
        let partialIndex = try #require(partials.firstIndex { String(decoding: $0.value, as: UTF8.self).contains(#""type":"partial""#) })
        #expect(partials[(partialIndex + 1)...].contains { completeThrough($0) == throughs.last && $0.partition == partials[partialIndex].partition })
        #expect(task.ledger.unacknowledged == partials.count + producer.records.filter { $0.topic == "sums" }.count)
    }

    @Test func deliveryLatencyIsMeasuredOnTheInjectedClock() throws {
        pipe("bad", key: "k", offset: 0)
        clock.advance(by: .milliseconds(20))
        _ = report(try #require(producer.records.first))
        var metrics = MetricsSnapshot()
        collector.contribute(to: &metrics)
        #expect(metrics.deliveryLatency.count == 1)
        #expect(abs(metrics.deliveryLatency.sum - 0.020) < 1e-9)
    }
}

@Suite struct RateLimitedLogTests {
    @Test func oneLinePerKeyAndIntervalCountingTheRest() {
        var log = RateLimitedLog(intervalNanos: 10)
        #expect(log.admit("a", nowNanos: 100) == 0)
        #expect(log.admit("a", nowNanos: 105) == nil)
        #expect(log.admit("b", nowNanos: 105) == 0)
        #expect(log.admit("a", nowNanos: 109) == nil)
        #expect(log.admit("a", nowNanos: 110) == 2)
        #expect(log.admit("a", nowNanos: 111) == nil)
    }
}
