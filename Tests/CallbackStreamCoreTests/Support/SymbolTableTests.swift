import TestSupport
import Testing

@testable import CallbackStreamCore

@Suite struct SymbolTableTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func internReturnsTheSameIdForTheSameBytes() {
        var table = SymbolTable()
        let a = table.intern("acme")
        let b = table.intern("other")
        #expect(table.intern("acme") == a)
        #expect(a != b)
        #expect(table.count == 2)
        #expect(table.referenceCount(a) == 2)
        #expect(table.string(a) == "acme")
        #expect(table.intern("") != a)  // the empty string is a symbol too
        #expect(table.string(table.intern("")) == "")
    }

    @Test func releaseFreesAtZeroAndIdsAreReused() {
        var table = SymbolTable()
        let a = table.intern("a")
        table.retain(a)
        table.release(a)
        #expect(table.count == 1)
        table.release(a)
        #expect(table.count == 0)
        #expect(Self.bytes("a").withUnsafeBytes { table.lookup($0) } == nil)
        table.release(a)  // releasing a dead id is ignored
        #expect(table.referenceCount(a) == 0)
        let b = table.intern("b")
        #expect(b == a)  // slot reused
        #expect(table.string(b) == "b")
    }

    @Test func comparisonIsBytewise() {
        var table = SymbolTable()
        let ids = ["b", "a", "ab", "B", "é", ""].map { table.intern($0) }
        let sorted = ids.sorted { table.compare($0, $1) < 0 }.map { table.string($0) }
        #expect(sorted == ["", "B", "a", "ab", "b", "é"])
        #expect(Self.bytes("ab").withUnsafeBytes { table.compare(ids[1], $0) } < 0)
        #expect(Self.bytes("a").withUnsafeBytes { table.equals(ids[1], $0) })
    }

    /// Random interns and releases checked against a dictionary model; exercises index growth,
    /// backward-shift deletion and arena compaction.
    @Test func matchesAReferenceModelUnderChurn() {
        var rng = SeededRandom(seed: 42)
        var table = SymbolTable(capacity: 4)
        var model: [String: (id: SymbolID, refs: Int)] = [:]
        for step in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<600, using: &rng))-" + String(repeating: "x", count: Int.random(in: 0..<40, using: &rng) % 7)
            if Bool.random(using: &rng) || model[key] == nil {
                let id = table.intern(key)
                if let existing = model[key] {
                    #expect(existing.id == id)
                    model[key] = (id, existing.refs + 1)
                } else {
                    model[key] = (id, 1)
                }
            } else if let existing = model[key] {
                table.release(existing.id)
                model[key] = existing.refs == 1 ? nil : (existing.id, existing.refs - 1)
            }
            if step % 1_000 == 0 {
                #expect(table.count == model.count)
                for (k, v) in model {
                    #expect(table.string(v.id) == k)
                    #expect(table.referenceCount(v.id) == v.refs)
                    #expect(Self.bytes(k).withUnsafeBytes { table.lookup($0) } == v.id)
                }
            }
        }
        for (_, v) in model { for _ in 0..<v.refs { table.release(v.id) } }
        #expect(table.count == 0 && table.storedBytes == 0)
        // The arena is compacted rather than growing with churn.
        #expect(table.memoryFootprint < 200_000)
    }
}

@Suite struct StableHashTests {
    @Test func isDeterministicAndSensitiveToEveryByte() {
        var seen = Set<UInt64>()
        for length in 0..<64 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let h = bytes.withUnsafeBytes { StableHash.hash($0) }
            #expect(h == bytes.withUnsafeBytes { StableHash.hash($0) })
            seen.insert(h)
            for i in 0..<length {
                var flipped = bytes
                flipped[i] ^= 1
                seen.insert(flipped.withUnsafeBytes { StableHash.hash($0) })
            }
        }
        #expect(seen.count == 64 + (0..<64).reduce(0, +))  // no collisions among these 2,080 inputs
        let x = Array("same".utf8).withUnsafeBytes { StableHash.hash($0, seed: 1) }
        let y = Array("same".utf8).withUnsafeBytes { StableHash.hash($0, seed: 2) }
        #expect(x != y)
        #expect(StableHash.hash(1, 2) != StableHash.hash(2, 1))
    }

    /// The values are pinned: event dedup hashes order events that share a timestamp and name, so
    /// a change of the function (e.g. a faster tail read) must not change a single value.
    @Test func valuesArePinned() {
        let bytes = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let expected: [UInt64] = [
            0x890e4601021a9811, 0xb0027c74b9207e5e, 0x9ba9def6b219d054, 0x8ff81c3dbee26cc2,
            0xa06b8ee46fdb027f, 0x950c7e6a0fb149a4, 0xcf238662013f2bcf, 0xbe76fa85540a58ac,
            0xb755178450c87c57, 0x84b7943f5d7d5f5c, 0xb463fcb7d7472a4f, 0x32799f6978dbb477,
            0xfad3f10c27eacb29, 0x13037a4b7d261ed9, 0x4343bedf1e1634dd, 0xe9ac91d7a48edcc1,
            0x3a1e226ed7bb82e1, 0xc7f82b74fe7cb5d2, 0xb1493c920ddbb503, 0xb51ea0943ae0309d,
            0x4ed6ce231b771f11, 0x1236dedb8545e00a, 0xb430ab4b252805ba, 0x7dd748db47adc75a,
            0x7752dc51336f4b43, 0xbcd69caf9a8e308c, 0x67691052ac2db1bf, 0x463853058b3591e3,
            0x563bfacab483f26c, 0x704377c8b0bfa5d5, 0x276bcf5a0b51d3ce, 0x2e63b33942a7f76e,
            0x7fff8708acdb70c9, 0x9da805599891f401, 0x52fe9173d742869b, 0x5dd981473ce6b9c,
            0xbd03a8b7a6a8a19, 0xf7406c4552e37977, 0x94f126e55244dcb, 0x89b876eb6ca3f4a9,
            0xfa1cc897605ef3c3
        ]
        for length in 0...40 {
            let h = bytes.withUnsafeBytes { StableHash.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length]), seed: SymbolTable.seed) }
            #expect(h == expected[length], "length \(length)")
        }
        #expect(StableHash.hash(7, 9, seed: 3) == 0xe24d206a37ed77c7)
    }
}
