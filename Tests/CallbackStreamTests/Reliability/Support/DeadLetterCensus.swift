import CallbackTraffic
import Foundation

/// Checks the dead-letter topic against the malformed records that were produced: each one must
/// be there once, with its original key and bytes, the right `error` code and its source headers.
///
/// Records are matched by a digest of key and value (the expected set is computed up front from
/// ``MalformedRecordGenerator``, so gigabytes of oversized values need not be kept). A value larger
/// than the record limit is dead-lettered as its first ``prefixBytes`` bytes with the header
/// `original.size`: such records are matched by that prefix and the original length.
struct DeadLetterCensus: Sendable {
    /// Identity of a record's bytes.
    struct Digest: Hashable, Sendable {
        var key: Int
        var value: Int
        var valueLength: Int

        /// - Parameter originalLength: the length of the whole value when `value` is its prefix.
        init(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, originalLength: Int? = nil) {
            var hasher = Hasher()
            if let key { hasher.combine(bytes: key) }
            self.key = hasher.finalize()
            var valueHasher = Hasher()
            if let value { valueHasher.combine(bytes: value) }
            self.value = valueHasher.finalize()
            valueLength = originalLength ?? value?.count ?? 0  // a null value and an empty one are the same bytes
        }
    }

    /// The processor's default record limit (`--max-record-bytes`) and the prefix a larger value is cut to.
    static let recordLimit = 65_536
    static let prefixBytes = 4_096

    /// The digest of the dead letter the processor makes of `value`.
    static func deadLetterDigest(key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer) -> Digest {
        guard value.count > recordLimit else { return Digest(key: key, value: value) }
        return Digest(key: key, value: UnsafeRawBufferPointer(rebasing: value.prefix(prefixBytes)), originalLength: value.count)
    }

    private struct Expected: Sendable {
        var code: String
        var kind: MalformedKind
        var seen = 0
    }

    private var expected: [Digest: Expected] = [:]
    private(set) var records = 0
    /// Dead letters that match no malformed record (e.g. a valid event dead-lettered).
    private(set) var unexpected = 0
    private(set) var wrongCode: [String] = []
    private(set) var badHeaders: [String] = []
    /// Dead letters by `error` code.
    private(set) var codes: [String: Int] = [:]

    /// Expects the `count` malformed records `generate --malformed count --seed seed` produces.
    init(seed: UInt64, count: Int, startTimeMs: Int64 = TrafficConfiguration.defaultStartTimeMs) {
        for bad in MalformedRecordGenerator(seed: seed, count: count, startTimeMs: startTimeMs) {
            let digest = bad.record.key.withUnsafeBytes { key in
                bad.record.value.withUnsafeBytes { value in Self.deadLetterDigest(key: key, value: value) }
            }
            expected[digest] = Expected(code: bad.expectedErrorCode, kind: bad.kind)
        }
    }

    /// Distinct malformed records expected.
    var expectedCount: Int { expected.count }
    /// Expected records never dead-lettered, by kind.
    var missingByKind: [String: Int] {
        var result: [String: Int] = [:]
        for entry in expected.values where entry.seen == 0 { result[entry.kind.rawValue, default: 0] += 1 }
        return result
    }
    var missing: Int { expected.values.count { $0.seen == 0 } }
    /// Extra copies of expected records.
    var duplicates: Int { expected.values.reduce(0) { $0 + max(0, $1.seen - 1) } }

    /// Adds one dead letter read from the topic.
    mutating func add(_ record: KcatRecordParser.View) {
        records += 1
        let code = record.header("error") ?? "?"
        codes[code, default: 0] += 1
        if record.header("source.topic") != "callback.lifecycle" || record.header("source.partition") == nil
            || record.header("source.offset") == nil || (record.header("error.detail") ?? "").isEmpty {
            if badHeaders.count < 10 { badHeaders.append("\(record.partition)@\(record.offset): \(record.headers.prefix(300))") }
        }
        let digest = Digest(key: record.key, value: record.value, originalLength: record.header("original.size").flatMap { Int($0) })
        guard var entry = expected[digest] else {
            unexpected += 1
            return
        }
        entry.seen += 1
        if entry.code != code, wrongCode.count < 10 {
            wrongCode.append("\(entry.kind.rawValue) got '\(code)' instead of '\(entry.code)'")
        }
        expected[digest] = entry
    }
}
