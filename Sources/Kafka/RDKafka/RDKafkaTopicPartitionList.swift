internal import CRdKafka

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns a `rd_kafka_topic_partition_list_t` and converts it to and from Swift values.
///
/// Not `Sendable`: lives within one call on one thread.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    private let owned: Bool

    /// A new, owned list with room for `capacity` elements.
    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(capacity, 1)))
        owned = true
    }

    /// A borrowed view of a list owned by librdkafka (e.g. a callback argument).
    init(borrowing pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
        owned = false
    }

    /// Takes ownership of a list librdkafka allocated for the caller
    /// (e.g. `rd_kafka_assignment`, `rd_kafka_topic_partition_list_copy`).
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
        owned = true
    }

    deinit {
        if owned { rd_kafka_topic_partition_list_destroy(pointer) }
    }

    convenience init(_ partitions: some Collection<TopicPartition>) {
        self.init(capacity: partitions.count)
        for tp in partitions {
            rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)
        }
    }

    convenience init(_ offsets: some Collection<TopicPartitionOffset>) {
        self.init(capacity: offsets.count)
        for tpo in offsets {
            let element = rd_kafka_topic_partition_list_add(pointer, tpo.topic, tpo.partition)!
            element.pointee.offset = tpo.offset
            if let metadata = tpo.metadata {
                // librdkafka frees `metadata` with free() when the list is destroyed.
                let bytes = Array(metadata.utf8)
                let buffer = malloc(max(bytes.count, 1))!
                bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                element.pointee.metadata = buffer
                element.pointee.metadata_size = bytes.count
            }
        }
    }

    var count: Int { Int(pointer.pointee.cnt) }

    private func element(_ index: Int) -> rd_kafka_topic_partition_t {
        pointer.pointee.elems[index]
    }

    var topicPartitions: [TopicPartition] {
        (0..<count).map { index in
            let element = element(index)
            return TopicPartition(topic: String(cString: element.topic), partition: element.partition)
        }
    }

    var offsets: [TopicPartitionOffset] {
        (0..<count).map { index in
            let element = element(index)
            return TopicPartitionOffset(
                topic: String(cString: element.topic), partition: element.partition,
                offset: element.offset, metadata: Self.metadata(of: element))
        }
    }

    /// Per-element errors, for elements whose `.err` is set.
    var errors: [TopicPartition: KafkaError] {
        var result: [TopicPartition: KafkaError] = [:]
        for index in 0..<count {
            let element = element(index)
            if let error = KafkaError.check(element.err) {
                result[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = error
            }
        }
        return result
    }

    /// The first per-element error, if any.
    var firstError: KafkaError? {
        for index in 0..<count {
            if let error = KafkaError.check(element(index).err) { return error }
        }
        return nil
    }

    private static func metadata(of element: rd_kafka_topic_partition_t) -> String? {
        guard let metadata = element.metadata, element.metadata_size > 0 else { return nil }
        var bytes = UnsafeRawBufferPointer(start: metadata, count: element.metadata_size)
        if bytes.last == 0 { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
