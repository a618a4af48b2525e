import Testing
@testable import CallbackTraffic

@Suite struct TrafficRandomTests {
    /// Known answers from an independent (Python) implementation of SplitMix64-seeded xoshiro256**:
    /// traffic for a seed must not change across Swift versions or platforms.
    @Test func matchesTheReferenceAlgorithm() {
        var a = TrafficRandom(seed: 0, stream: 0)
        #expect([a.next(), a.next(), a.next()] == [0xA3B6_D438_B065_BF56, 0x7C7B_A2E8_E146_B2A3, 0x464D_4D3E_92DA_7375])
        var b = TrafficRandom(seed: 42, stream: 7)
        #expect([b.next(), b.next(), b.next()] == [0x5EE2_0EA8_58E8_C1E0, 0x51D6_AA04_5163_5A3F, 0x7977_ACC1_5975_FC29])
    }

    @Test func streamsAreIndependent() {
        var x = TrafficRandom(seed: 9, stream: 1)
        var y = TrafficRandom(seed: 9, stream: 2)
        #expect((0..<8).map { _ in x.next() } != (0..<8).map { _ in y.next() })
    }

    @Test func boundedDrawsStayInRange() {
        var rng = TrafficRandom(seed: 3)
        #expect(rng.below(0) == 0)
        var seen = Set<Int64>()
        for _ in 0..<10_000 {
            let v = rng.int64(in: -3...4)
            #expect((-3...4).contains(v))
            seen.insert(v)
            #expect(rng.int64(in: 7...7) == 7)
            #expect(!rng.chance(0) && rng.chance(1))
            let u = rng.unit()
            #expect(u >= 0 && u < 1)
        }
        #expect(seen.count == 8)
        let full = rng.int64(in: Int64.min...Int64.max)
        #expect(full != rng.int64(in: Int64.min...Int64.max))
    }

    @Test func chanceFollowsItsProbability() {
        var rng = TrafficRandom(seed: 4)
        let hits = (0..<100_000).filter { _ in rng.chance(0.3) }.count
        #expect(abs(Double(hits) / 100_000 - 0.3) < 0.01)
    }
}
