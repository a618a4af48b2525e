import Foundation
import Glibc

/// Parses kcat's consumer output in the binary-safe layout of ``format``: a text line with the
/// partition, offset, key length and value length, then the raw key and value bytes, then the
/// headers as kcat's `name=value` CSV, ended by the byte 0x1E. Values may contain any byte
/// (invalid UTF-8, newlines), so reading by length is the only exact way.
struct KcatRecordParser {
    /// The `-f` argument that produces this layout.
    static let format = "%p %o %K %S\\n%k%s%h\\x1e"

    /// A record as seen by the parser; the buffers are valid only during the callback.
    struct View {
        var partition: Int32
        var offset: Int64
        /// `nil` for a null key.
        var key: UnsafeRawBufferPointer?
        /// `nil` for a null value.
        var value: UnsafeRawBufferPointer?
        /// kcat's `%h`: `name=value,name=value` (empty without headers).
        var headers: String

        /// The value of header `name`, assuming it is followed by `,` or the end (true for the
        /// machine codes this suite reads: `summaryId`, `error`).
        func header(_ name: String) -> String? {
            for part in headers.split(separator: ",") where part.hasPrefix(name + "=") {
                return String(part.dropFirst(name.count + 1))
            }
            return nil
        }
    }

    /// The output did not have the expected layout.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    private var bytes: [UInt8] = []
    private var start = 0
    /// Records parsed so far.
    private(set) var count = 0

    /// Appends `data` and calls `body` for every record now complete.
    mutating func feed(_ data: Data, _ body: (View) -> Void) throws(Malformed) {
        data.withUnsafeBytes { bytes.append(contentsOf: $0) }
        let (consumed, parsed, error) = bytes.withUnsafeBytes { raw in
            Self.parse(raw, from: start, body)
        }
        start = consumed
        count += parsed
        if let error { throw error }
        if start > 1 << 20, start * 2 > bytes.count {
            bytes.removeFirst(start)
            start = 0
        }
    }

    /// Parses complete records of `raw` from `from`; returns where the unparsed rest starts.
    private static func parse(
        _ raw: UnsafeRawBufferPointer, from: Int, _ body: (View) -> Void
    ) -> (Int, Int, Malformed?) {
        var position = from
        var parsed = 0
        guard let base = raw.baseAddress else { return (position, 0, nil) }
        while position < raw.count {
            guard let newline = memchr(base + position, 0x0A, raw.count - position) else { break }
            let lineEnd = base.distance(to: UnsafeRawPointer(newline))
            let line = String(decoding: UnsafeRawBufferPointer(rebasing: raw[position..<lineEnd]), as: UTF8.self)
            let fields = line.split(separator: " ")
            guard fields.count == 4, let partition = Int32(fields[0]), let offset = Int64(fields[1]),
                  let keyLength = Int(fields[2]), let valueLength = Int(fields[3])
            else {
                return (position, parsed, Malformed(description: "unexpected kcat line '\(line.prefix(200))'"))
            }
            let keyStart = lineEnd + 1
            let valueStart = keyStart + max(keyLength, 0)
            let headersStart = valueStart + max(valueLength, 0)
            guard headersStart <= raw.count,
                  let end = memchr(base + headersStart, 0x1E, raw.count - headersStart)
            else { break }  // incomplete: wait for more
            let headersEnd = base.distance(to: UnsafeRawPointer(end))
            let view = View(
                partition: partition, offset: offset,
                key: keyLength < 0 ? nil : UnsafeRawBufferPointer(rebasing: raw[keyStart..<valueStart]),
                value: valueLength < 0 ? nil : UnsafeRawBufferPointer(rebasing: raw[valueStart..<headersStart]),
                headers: String(decoding: UnsafeRawBufferPointer(rebasing: raw[headersStart..<headersEnd]), as: UTF8.self))
            body(view)
            parsed += 1
            position = headersEnd + 1
        }
        return (position, parsed, nil)
    }
}
