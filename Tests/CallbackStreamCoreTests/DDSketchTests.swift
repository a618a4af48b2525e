import TestSupport
import Testing
@testable import CallbackStreamCore

@Suite struct DDSketchTests {
    private static let quantiles = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0]

    /// The definition the sketch approximates: the rank-⌊q·(n−1)⌋ value of the sorted data.
    private func exact(_ sorted: [Int64], _ q: Double) -> Int64 {
        sorted[Int(q * Double(sorted.count - 1))]
    }

    private func checkBound(_ values: [Int64], accuracy: Double = 0.01, _ label: String) {
        var sketch = DDSketch(relativeAccuracy: accuracy)
        for value in values { sketch.add(value) }
        let sorted = values.map { max(0, $0) }.sorted()
        for q in Self.quantiles {
            let truth = Double(exact(sorted, q))
            let estimate = sketch.quantile(q)!
            #expect(abs(estimate - truth) <= accuracy * truth * (1 + 1e-9), "\(label) q=\(q): \(estimate) vs \(truth)")
            let rounded = Double(sketch.quantileMilliseconds(q)!)
            #expect(abs(rounded - truth) <= accuracy * truth + 0.5, "\(label) q=\(q) rounded: \(rounded) vs \(truth)")
        }
        #expect(sketch.count == Int64(values.count))
        #expect(sketch.minimum == sorted.first && sketch.maximum == sorted.last)
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func percentilesAreWithinTheRelativeErrorBound(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let uniform = (0 ..< 5_000).map { _ in Int64.random(in: 1 ... 1_000_000, using: &random) }
        checkBound(uniform, "uniform")
        // Long-tailed, like session durations: exp of a uniform exponent, 1 ms … ~2.7 h.
        let longTailed = (0 ..< 5_000).map { _ -> Int64 in
            let exponent = Double.random(in: 0 ... 23.0, using: &random)
            var value = 1.0
            for _ in 0 ..< Int(exponent) { value *= 2 }
            return Int64(value * Double.random(in: 1 ... 2, using: &random))
        }
        checkBound(longTailed, "long-tailed")
        // Small values and zeros, where rounding dominates.
        let small = (0 ..< 2_000).map { _ in Int64.random(in: -3 ... 60, using: &random) }
        checkBound(small, "small")
        checkBound(uniform, accuracy: 0.05, "uniform 5%")
    }

    @Test func singleValueAndEmpty() {
        var sketch = DDSketch()
        #expect(sketch.quantile(0.5) == nil)
        #expect(sketch.isEmpty)
        sketch.add(1_234)
        for q in Self.quantiles { #expect(sketch.quantileMilliseconds(q) == 1_234) }
    }

    @Test func mergingEqualsAddingEverything() {
        var random = SeededRandom(seed: 9)
        let values = (0 ..< 3_000).map { _ in Int64.random(in: 0 ... 500_000, using: &random) }
        var whole = DDSketch(), left = DDSketch(), right = DDSketch()
        for (index, value) in values.enumerated() {
            whole.add(value)
            if index % 3 == 0 { left.add(value) } else { right.add(value) }
        }
        left.merge(right)
        #expect(left == whole)
        for q in Self.quantiles { #expect(left.quantile(q) == whole.quantile(q)) }
    }

    @Test func extremeValuesAreClampedNotTrapping() {
        var sketch = DDSketch()
        sketch.add(.max)
        sketch.add(.min)
        #expect(sketch.maximum == DDSketch.maximumValue)
        #expect(sketch.zeroCount == 1)
        #expect(sketch.quantileMilliseconds(1) == DDSketch.maximumValue)
        #expect(sketch.buckets.count == 1)
    }
}
