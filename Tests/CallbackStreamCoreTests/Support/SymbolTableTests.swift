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
}
