internal import CRdKafka
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns librdkafka's C topic names into Swift `String`s without allocating per message.
///
/// Delivery reports and consumed messages name their topic by a C string owned by the
/// topic object. The cache remembers the `String` for each C pointer it has seen and checks
/// the bytes still match before reusing it (so a recycled pointer cannot return a stale
/// name). Bounded: at most `capacity` topics are remembered.
final class TopicNameCache: Sendable {
    private struct Entry: Sendable {
        /// The address of the C name (compared, never dereferenced).
        let address: UInt
        let name: String
    }

    private let entries = Mutex<[Entry]>([])
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The Swift name for the C topic name `cName`.
    func name(for cName: UnsafePointer<CChar>) -> String {
        let address = UInt(bitPattern: cName)
        return entries.withLock { entries in
            if let entry = entries.first(where: { $0.address == address }),
                entry.name.withCString({ strcmp($0, cName) == 0 })
            {
                return entry.name
            }
            let name = String(cString: cName)
            entries.removeAll { $0.address == address }
            if entries.count >= capacity { entries.removeFirst() }
            entries.append(Entry(address: address, name: name))
            return name
        }
    }

    /// The name of a topic handle (`rd_kafka_topic_name`), or `""` for none.
    func name(ofTopic rkt: OpaquePointer?) -> String {
        guard let rkt, let cName = rd_kafka_topic_name(rkt) else { return "" }
        return name(for: cName)
    }
}
