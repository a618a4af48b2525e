/// A deterministic flood of bad input records (for dead-letter and robustness tests), kinds in rotation.
///
/// Record `i` has kind `kinds[i % kinds.count]`; interaction ids are `malformed-<uuid>`, distinct from
/// generated traffic, so the flood can be interleaved with good traffic without changing its truth.
public struct MalformedRecordGenerator: Sequence, Sendable {
    /// Nesting depth of `deepNesting` records.
    public static let nestingDepth = 10_000
    /// Value size of `tooLarge` records is above this (64 KiB).
    public static let sizeLimit = 64 * 1_024

    public let seed: UInt64
    public let count: Int
    public let startTimeMs: Int64
    public let kinds: [MalformedKind]

    /// Creates a flood of `count` records.
    ///
    /// - Parameters:
    ///   - kinds: the kinds to rotate through (all by default; must not be empty).
    public init(
        seed: UInt64, count: Int, startTimeMs: Int64 = TrafficConfiguration.defaultStartTimeMs,
        kinds: [MalformedKind] = MalformedKind.allCases
    ) {
        self.seed = seed
        self.count = Swift.max(count, 0)
        self.startTimeMs = startTimeMs
        self.kinds = kinds.isEmpty ? MalformedKind.allCases : kinds
    }

    /// A fresh iteration from the first record.
    public func makeIterator() -> Iterator {
        Iterator(generator: self)
    }

    /// Walks the flood.
    public struct Iterator: IteratorProtocol {
        private let generator: MalformedRecordGenerator
        private var index = 0

        init(generator: MalformedRecordGenerator) {
            self.generator = generator
        }

        /// The next bad record, or `nil` after `count`.
        public mutating func next() -> MalformedRecord? {
            guard index < generator.count else { return nil }
            defer { index += 1 }
            return generator.record(index)
        }
    }

    /// Record `index` of the flood.
    public func record(_ index: Int) -> MalformedRecord {
        var rng = TrafficRandom(seed: seed ^ 0x4D41_4C46_4F52_4D45, stream: UInt64(index))
        let kind = kinds[index % kinds.count]
        let interactionId = "malformed-" + FakeData.uuid(rng.next(), rng.next())
        let timestamp = startTimeMs + Int64(index) * 10
        let event = TrafficEventName.allCases[rng.index(TrafficEventName.allCases.count)]
        var base = TrafficEvent(
            interactionId: interactionId, event: event, timestampMs: timestamp,
            eventId: FakeData.uuid(rng.next(), rng.next()),
            attributes: [TrafficField("tenant", "acme"), TrafficField("page", "/support")]
        )
        var key = Array(interactionId.utf8)
        var value: [UInt8]
        var detail: String
        switch kind {
        case .truncatedJSON:
            let full = TrafficRenderer.render(base)
            let cut = 1 + rng.index(full.count - 1)
            value = Array(full[..<cut])
            detail = "cut to \(cut) of \(full.count) bytes"
        case .emptyValue:
            value = []
            detail = "empty value"
        case .invalidUTF8:
            let marker = "@@INVALID_UTF8@@"
            base.attributes = [TrafficField("tenant", "acme"), TrafficField("page", marker)]
            let sequences: [([UInt8], String)] = [
                ([0xFF], "byte 0xFF"), ([0xC3, 0x28], "truncated 2-byte sequence"),
                ([0x80], "lone continuation byte"), ([0xC0, 0xAF], "overlong '/'"),
                ([0xED, 0xA0, 0x80], "UTF-16 surrogate"),
            ]
            let (bad, name) = sequences[rng.index(sequences.count)]
            value = Self.replacing(Array(marker.utf8), with: bad, in: TrafficRenderer.render(base))
            detail = "attributes.page contains \(name)"
        case .deepNesting:
            let json = TrafficRenderer.render(base)
            let depth = Self.nestingDepth
            value = Array(json.dropLast())
            value.append(contentsOf: Array(#","_deep":"#.utf8))
            value.append(contentsOf: [UInt8](repeating: 0x5B, count: depth))
            value.append(contentsOf: [UInt8](repeating: 0x5D, count: depth))
            value.append(0x7D)
            detail = "unknown member nested \(depth) arrays deep"
        case .wrongType:
            let canonical = TrafficRenderer.render(base)
            let variants: [(String, String, String)] = [
                ("\"timestamp\":\(timestamp)", "\"timestamp\":\"\(timestamp)\"", "timestamp is a string"),
                ("\"timestamp\":\(timestamp)", "\"timestamp\":true", "timestamp is a boolean"),
                ("\"event\":\"\(event.rawValue)\"", "\"event\":\(event.lifecycleIndex)", "event is a number"),
            ]
            let (from, to, what) = variants[rng.index(variants.count)]
            value = Self.replacing(Array(from.utf8), with: Array(to.utf8), in: canonical)
            detail = what
        case .tooLarge:
            let size = Self.sizeLimit + 1_024 + rng.index(64 * 1_024)
            base.attributes = [TrafficField("tenant", "acme"), TrafficField("note", String(repeating: "x", count: size))]
            value = TrafficRenderer.render(base)
            detail = "\(value.count) bytes"
        case .keyMismatch:
            value = TrafficRenderer.render(base)
            key = Array(("malformed-" + FakeData.uuid(rng.next(), rng.next())).utf8)
            detail = "key is another interaction id"
        case .missingField:
            let options: [(String, String)] = [
                (",\"timestamp\":\(timestamp)", "timestamp"),
                (",\"event\":\"\(event.rawValue)\"", "event"),
                ("\"interactionId\":\"\(interactionId)\",", "interactionId"),
            ]
            let (member, name) = options[rng.index(options.count)]
            value = Self.replacing(Array(member.utf8), with: [], in: TrafficRenderer.render(base))
            detail = "no \(name)"
        case .unknownEvent:
            let names = ["minimized", "Callback.minimized", "reopened", "Callback.error"]
            let name = names[rng.index(names.count)]
            value = Self.replacing(
                Array("\"event\":\"\(event.rawValue)\"".utf8), with: Array("\"event\":\"\(name)\"".utf8),
                in: TrafficRenderer.render(base)
            )
            detail = "event is \(name)"
        }
        return MalformedRecord(
            kind: kind, expectedErrorCode: kind.expectedErrorCode, detail: detail,
            record: GeneratedRecord(key: key, value: value, timestampMs: timestamp)
        )
    }

    /// `bytes` with the first occurrence of `pattern` replaced.
    private static func replacing(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard pattern.count <= bytes.count else { return bytes }
        for start in 0...(bytes.count - pattern.count) where bytes[start..<(start + pattern.count)].elementsEqual(pattern) {
            return Array(bytes[..<start]) + replacement + Array(bytes[(start + pattern.count)...])
        }
        return bytes
    }
}
