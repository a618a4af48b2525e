internal import CRdKafka

/// The headers of a ``ConsumedMessage``, read in place (valid only during the poll body call).
///
/// Iterate for every header in record order, or look one up by name with ``value(named:)``
/// without allocating.
public struct ConsumedHeaders: Sequence {
    /// One header: its name and its value bytes (`nil` for a null value), the bytes valid only
    /// during the poll body call.
    public struct Header {
        /// The header name.
        public let name: String
        /// The value bytes, or `nil` for a null value.
        public let value: UnsafeRawBufferPointer?
    }

    /// Walks the headers in record order.
    public struct Iterator: IteratorProtocol {
        private let headers: OpaquePointer?
        private var index = 0

        init(headers: OpaquePointer?) {
            self.headers = headers
        }

        public mutating func next() -> Header? {
            guard let headers else { return nil }
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                let name
            else { return nil }
            index += 1
            return Header(
                name: String(cString: name),
                value: value.map { UnsafeRawBufferPointer(start: $0, count: size) })
        }
    }

    /// `rd_kafka_headers_t` of the message, or `nil` if it has none.
    private let raw: OpaquePointer?

    init(_ message: UnsafePointer<rd_kafka_message_t>) {
        var headers: OpaquePointer?
        if rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR {
            headers = nil
        }
        self.raw = headers
    }

    /// The number of headers.
    public var count: Int {
        raw.map { rd_kafka_header_cnt($0) } ?? 0
    }

    /// The value of the last header called `name`: `.some(nil)` for a null value, `nil` if
    /// there is no such header.
    public func value(named name: String) -> UnsafeRawBufferPointer?? {
        guard let raw else { return nil }
        var value: UnsafeRawPointer?
        var size = 0
        guard rd_kafka_header_get_last(raw, name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return nil
        }
        return .some(value.map { UnsafeRawBufferPointer(start: $0, count: size) })
    }

    public func makeIterator() -> Iterator {
        Iterator(headers: raw)
    }
}
