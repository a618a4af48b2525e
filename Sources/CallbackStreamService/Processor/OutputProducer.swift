import Kafka

/// What the ``RecordCollector`` needs of a producer: enqueue a record, serve delivery reports.
/// ``KafkaProducer`` in production; a recording fake in broker-free tests.
protocol OutputProducer: AnyObject {
    /// Enqueues one record (see ``KafkaProducer/produce(topic:partition:key:value:headers:timestamp:opaque:)``).
    func produce(
        topic: String, partition: Int32?, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?,
        headers: [KafkaHeader], timestamp: Int64?, opaque: UInt64
    ) throws(KafkaError)
    /// Serves delivery reports, waiting up to `timeout` for the first.
    @discardableResult func poll(timeout: Duration) -> Int
}

extension KafkaProducer: OutputProducer {}
