import TestSupport
import Foundation
import Testing

@testable import CallbackStreamCore

/// Random realistic sessions for property tests (seeded: failures reproduce).
struct SessionGenerator {
    var rng: SeededRandom

    struct Record {
        var json: String
        var interactionId: String
        var timestamp: Int64
        /// The deduplication key (eventId, else event + timestamp).
        var identity: String
    }

    static let paths: [[String]] = [
        ["ready", "opened", "cancelled", "closed"],
        ["ready", "opened", "started", "cancelled", "closed"],
        ["ready", "opened", "started", "submitted", "completed", "closed"],
        ["ready", "opened", "started", "submitted", "closed"],
        ["ready", "opened", "started"],
        ["ready"],
        ["opened", "started", "submitted", "submitted", "completed"],
    ]

    mutating func session(index: Int) -> [Record] {
        let id = "cb-\(index)-" + (Bool.random(using: &rng) ? "é\"x" : "plain")
        var path = Self.paths.randomElement(using: &rng)!
        if Int.random(in: 0..<5, using: &rng) == 0 {
            // an irregular session: random names
            path = (0..<Int.random(in: 1...7, using: &rng)).map { _ in LifecycleEventName.allCases.randomElement(using: &rng)!.name.description }
        }
        var t = Int64.random(in: 1_700_000_000_000...1_800_000_000_000, using: &rng)
        let withIds = Bool.random(using: &rng)
        var records: [Record] = []
        var seen: [String: Int64] = [:]
        var errors: [String] = []
        var form: [String: String] = [:]
        let proactive = Bool.random(using: &rng)
        for (i, name) in path.enumerated() {
            // equal timestamps now and then
            t += Int.random(in: 0..<4, using: &rng) == 0 ? 0 : Int64.random(in: 1...90_000, using: &rng)
            // Distinct events must have distinct identities: a repeated identity with different
            // content is a conflicting duplicate, whose first arrival wins (documented).
            while !withIds && records.contains(where: { $0.identity == "\(name)@\(t)" }) { t += 1 }
            if seen[name] == nil { seen[name] = t }
            if name == "submitted" {
                if Bool.random(using: &rng) { errors.append(["E_PHONE", "E_TIMEOUT", "E_5xx"].randomElement(using: &rng)!) }
                form["phone"] = "\"+1 555 \(Int.random(in: 1000...9999, using: &rng))\""
                form[["name", "email", "subject"].randomElement(using: &rng)!] = "\"v\(i)\""
            }
            var meta: [String] = [
                "\"proactive\":\(proactive && i > 0)", "\"prefilled\":\(Bool.random(using: &rng))", "\"autoSubmitted\":false",
            ]
            meta.append("\"errors\":" + (errors.isEmpty ? "false" : "[" + errors.map { quoted($0) }.joined(separator: ",") + "]"))
            meta.append("\"form\":" + (form.isEmpty ? "false" : "{" + form.sorted { $0.key < $1.key }.map { "\(quoted($0.key)):\($0.value)" }.joined(separator: ",") + "}"))
            for field in ["opened", "started", "cancelled", "completed", "closed"] {
                // occasionally wrong metadata (a metadataMismatch)
                let value = seen[field].map { Int.random(in: 0..<25, using: &rng) == 0 ? $0 + 1 : $0 }
                meta.append("\"\(field)\":" + (value.map(String.init) ?? "false"))
            }
            if let s = seen["started"], let end = seen["completed"] ?? seen["cancelled"], end >= s {
                meta.append("\"elapsed\":\(end - s)")
            }
            let attributes: [(String, String)] = [
                ("tenant", ["acme", "globex"].randomElement(using: &rng)!),
                ("page", "/p\(Int.random(in: 0..<3, using: &rng))"),
            ] + (Bool.random(using: &rng) ? [("campaign", "c\(i)")] : [])
            let eventId = withIds ? "\(id)-\(i)" : nil
            let metadata = Int.random(in: 0..<6, using: &rng) == 0 ? nil : "{" + meta.joined(separator: ",") + "}"
            let json = EventJSON(
                Bool.random(using: &rng) ? name : "Callback.\(name)", t, id: eventId, metadata: metadata,
                attributes: attributes, interactionId: id
            ).json
            records.append(Record(json: json, interactionId: id, timestamp: t, identity: eventId ?? "\(name)@\(t)"))
        }
        return records
    }
}

@Suite struct PropertyTests {
    static func run(_ records: [SessionGenerator.Record]) throws -> (SessionDriver, [ApplyResult]) {
        var driver = SessionDriver()
        var results: [ApplyResult] = []
        for r in records { results.append(try driver.apply(r.json, key: r.interactionId)) }
        return (driver, results)
    }

    /// Any arrival order gives the same summary bytes, except that `outOfOrder` is present
    /// exactly when the arrival order was not sorted by timestamp.
    @Test func anyPermutationGivesTheSameSummary() throws {
        var gen = SessionGenerator(rng: SeededRandom(seed: 7))
        var rng = SeededRandom(seed: 8)
        var sawOutOfOrder = 0
        for index in 0..<300 {
            let records = gen.session(index: index)
            let id = records[0].interactionId
            let (sorted, _) = try Self.run(records)
            let baseline = sorted.summary(interactionId: id)
            let withOutOfOrder = sorted.summary(interactionId: id, extraAnomalies: [.outOfOrder])
            for _ in 0..<3 {
                let arrival = records.shuffled(using: &rng)
                let (driver, _) = try Self.run(arrival)
                var maxSoFar = Int64.min
                var unsorted = false
                for r in arrival {
                    if r.timestamp < maxSoFar { unsorted = true }
                    maxSoFar = max(maxSoFar, r.timestamp)
                }
                if unsorted { sawOutOfOrder += 1 }
                #expect(driver.summary(interactionId: id) == (unsorted ? withOutOfOrder : baseline))
            }
        }
        #expect(sawOutOfOrder > 100)  // the property was exercised both ways
    }

    /// Duplicates never change the summary except by adding `duplicate`, and `apply` reports
    /// exactly the repeated records as duplicates.
    @Test func duplicatesOnlyAddTheDuplicateAnomaly() throws {
        var gen = SessionGenerator(rng: SeededRandom(seed: 11))
        var rng = SeededRandom(seed: 12)
        for index in 0..<300 {
            let records = gen.session(index: index).shuffled(using: &rng)
            let id = records[0].interactionId
            var withCopies = records
            let copies = Int.random(in: 0...3, using: &rng)
            for _ in 0..<copies {
                withCopies.insert(records.randomElement(using: &rng)!, at: Int.random(in: 0...withCopies.count, using: &rng))
            }
            // the reference: first occurrences only, in arrival order
            var identities = Set<String>()
            var firsts: [SessionGenerator.Record] = []
            var expectedResults: [Bool] = []  // true = duplicate
            for r in withCopies {
                let isNew = identities.insert(r.identity).inserted
                expectedResults.append(!isNew)
                if isNew { firsts.append(r) }
            }
            let (reference, _) = try Self.run(firsts)
            let (driver, results) = try Self.run(withCopies)
            #expect(results.map { $0 == .duplicate } == expectedResults)
            let expected = reference.summary(interactionId: id, extraAnomalies: copies > 0 ? [.duplicate] : [])
            #expect(driver.summary(interactionId: id) == expected)
        }
    }

    /// Random byte strings never trap: the decoder returns an event or a rejection, and any
    /// event it returns can be applied and encoded into valid JSON.
    @Test func randomBytesNeverTrap() throws {
        var rng = SeededRandom(seed: 99)
        let alphabet = Array(#"{}[]:,"\ -0123456789.eE+truefalsnl"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF]
        let decoder = LifecycleEventDecoder()
        for _ in 0..<1_000 {
            let length = Int.random(in: 0..<200, using: &rng)
            let bytes: [UInt8] =
                Bool.random(using: &rng)
                ? (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
                : (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
            try Self.checkNoTrap(bytes, decoder: decoder)
        }
    }

    /// Mutations of valid events (byte flips, deletions, duplications, insertions, truncations)
    /// never trap either.
    @Test func mutatedEventsNeverTrap() throws {
        var gen = SessionGenerator(rng: SeededRandom(seed: 5))
        var rng = SeededRandom(seed: 6)
        let decoder = LifecycleEventDecoder()
        let tokens = [#"\u"#, #"\ud800"#, "\"", "{", "[", "]", "}", ",", ":", "-", "1e999", "null", "\u{0}", "é", #"\\"#]
        var accepted = 0
        for index in 0..<150 {
            for record in gen.session(index: index) {
                var bytes = Array(record.json.utf8)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0:
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                    }
                case 1:
                    let a = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes.removeSubrange(a..<min(bytes.count, a + Int.random(in: 1...20, using: &rng)))
                case 2:
                    let a = Int.random(in: 0..<bytes.count, using: &rng)
                    let b = min(bytes.count, a + Int.random(in: 1...30, using: &rng))
                    bytes.insert(contentsOf: bytes[a..<b], at: Int.random(in: 0...bytes.count, using: &rng))
                case 3:
                    bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: Int.random(in: 0...bytes.count, using: &rng))
                default:
                    bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
                }
                if try Self.checkNoTrap(bytes, key: Array(record.interactionId.utf8), decoder: decoder) { accepted += 1 }
            }
        }
        #expect(accepted > 50)  // some mutations stay valid and go through apply and encode
    }

    @Test func everyTruncationOfAValidEventIsInvalidJSON() throws {
        let json = Array(try SeedScenarioTests.records("completed")[3].utf8)
        for length in 0..<json.count {
            let result = decodeOwned(bytes: Array(json.prefix(length)), key: Array("cb-1003".utf8))
            guard case .failure(let r) = result else {
                Issue.record("accepted a truncation to \(length) bytes")
                continue
            }
            #expect(r.code == .invalidJSON)
        }
        #expect(throws: Never.self) { try decodeOwned(bytes: json, key: Array("cb-1003".utf8)).get() }
    }

    /// Decodes; if accepted, applies and encodes, and checks the output parses as JSON.
    @discardableResult
    static func checkNoTrap(_ bytes: [UInt8], key: [UInt8]? = nil, decoder: LifecycleEventDecoder) throws -> Bool {
        var symbols = SymbolTable()
        var state = InteractionState(keepFormValues: true)
        var out = OutputBuffer()
        let accepted: Bool = decoder.decode(key: key, value: bytes) { result in
            switch result {
            case .event(let e):
                _ = state.apply(e, symbols: &symbols)
                SummaryEncoder(includeFormValues: true).encodeSummary(
                    state, interactionId: e.interactionId.bytes, sessionSeq: 1, closeReason: .inactivityTimeout,
                    symbols: symbols, into: &out)
                return true
            case .rejected(let r):
                #expect(!r.detail.isEmpty)
                return false
            }
        }
        if accepted {
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(out.bytes)) }
        }
        return accepted
    }
}
