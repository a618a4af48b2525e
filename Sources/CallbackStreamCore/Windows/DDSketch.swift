#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mergeable quantile sketch of non-negative integer values (DDSketch, Masson, Rim & Lee,
/// VLDB 2019), used for the `elapsedMs` percentiles of a window.
///
/// Values `v ≥ 1` go to bucket `i = ⌈log_γ v⌉` with `γ = (1 + α) / (1 − α)`, i.e. the range
/// `(γ^(i−1), γ^i]`; values `≤ 0` are counted apart as zeros. A quantile is answered with the
/// bucket's midpoint `2γ^i / (γ + 1)`, clamped to the exact minimum and maximum, so for the
/// rank-`⌊q·(n−1)⌋` value `x` (0-based, ascending) the estimate `e` satisfies
/// `|e − x| ≤ α·x` — **1 % relative error** with the default `α = 0.01`. Rounded to whole
/// milliseconds (``quantileMilliseconds(_:)``) the bound is `α·x + 0.5 ms`.
///
/// Memory: one `UInt32` counter per bucket between the smallest and largest index seen
/// (about 1,400 buckets cover 1 ms … 35 years at 1 %). Merging two sketches with the same `α`
/// adds their counters, so per-partition windows can be combined losslessly.
public struct DDSketch: Sendable, Hashable {
    /// The default relative accuracy α (1 %).
    public static let defaultRelativeAccuracy = 0.01
    /// Values above this are recorded as this (≈ 35 years in milliseconds), bounding the bucket range.
    public static let maximumValue: Int64 = 1 << 40

    /// The relative accuracy α the sketch guarantees.
    public let relativeAccuracy: Double
    private let gamma: Double
    private let inverseLogGamma: Double
    /// Number of values added.
    public private(set) var count: Int64 = 0
    /// Number of values `≤ 0`.
    public private(set) var zeroCount: Int64 = 0
    /// Smallest value added (after clamping to `0 ... maximumValue`), or `nil` when empty.
    public private(set) var minimum: Int64?
    /// Largest value added (after clamping), or `nil` when empty.
    public private(set) var maximum: Int64?
    private var lowestIndex = 0
    private var counters: [UInt32] = []

    /// Creates an empty sketch with relative accuracy `relativeAccuracy` (clamped to 0.0001 ... 0.5).
    public init(relativeAccuracy: Double = DDSketch.defaultRelativeAccuracy) {
        let alpha = relativeAccuracy.isFinite ? min(0.5, max(0.0001, relativeAccuracy)) : Self.defaultRelativeAccuracy
        self.relativeAccuracy = alpha
        self.gamma = (1 + alpha) / (1 - alpha)
        self.inverseLogGamma = 1 / log(gamma)
    }

    /// The most bins a sketch restored from its wire form may have (the whole value range
    /// `1 ... maximumValue` needs about 1,400 at 1 %; 0.0001 accuracy would need more, and is
    /// refused on the wire).
    public static let maximumBinCount = 8_192

    /// Restores a sketch from its parts (``binOffset``, ``bins``, ``zeroCount``, ``minimum``,
    /// ``maximum``), as carried by a window partial. Returns `nil` when the parts are inconsistent
    /// (accuracy outside 0.0001 ... 0.5, negative counts, more than ``maximumBinCount`` bins,
    /// first or last bin zero, bins outside the index range of `1 ... maximumValue`, minimum or
    /// maximum missing, out of order or out of range), so a decoder never builds a sketch that
    /// answers nonsense.
    public init?(relativeAccuracy: Double, zeroCount: Int64, minimum: Int64?, maximum: Int64?, binOffset: Int, bins: [UInt32]) {
        guard relativeAccuracy.isFinite, relativeAccuracy >= 0.0001, relativeAccuracy <= 0.5, zeroCount >= 0,
              bins.count <= Self.maximumBinCount else { return nil }
        self.init(relativeAccuracy: relativeAccuracy)
        var total = zeroCount
        if !bins.isEmpty {
            let highest = bucketIndex(of: Self.maximumValue)
            guard bins.first != 0, bins.last != 0, binOffset >= 0, binOffset <= highest,
                  bins.count - 1 <= highest - binOffset else { return nil }
            for bin in bins {
                let (sum, overflow) = total.addingReportingOverflow(Int64(bin))
                guard !overflow else { return nil }
                total = sum
            }
        }
        if total == 0 {
            guard minimum == nil, maximum == nil else { return nil }
            return
        }
        guard let minimum, let maximum, minimum >= 0, minimum <= maximum, maximum <= Self.maximumValue,
              (zeroCount > 0) == (minimum == 0), bins.isEmpty == (maximum == 0) else { return nil }
        count = total
        self.zeroCount = zeroCount
        self.minimum = minimum
        self.maximum = maximum
        lowestIndex = bins.isEmpty ? 0 : binOffset
        counters = bins
    }

    /// The index of the first bin of ``bins`` (0 when there are none).
    public var binOffset: Int { counters.isEmpty ? 0 : lowestIndex }

    /// The counters of bins `binOffset, binOffset + 1, …` (first and last non-zero, empty when no
    /// value above 0 was added). Bin `i` holds the values in `(γ^(i−1), γ^i]`. Two sketches with
    /// the same accuracy merge by adding the counters of equal indices.
    public var bins: [UInt32] { counters }

    /// Calls `body` with ``bins`` in place (no copy of the array).
    func withBins<R>(_ body: (UnsafeBufferPointer<UInt32>) throws -> R) rethrows -> R {
        try counters.withUnsafeBufferPointer(body)
    }

    /// Whether no value was added.
    public var isEmpty: Bool { count == 0 }

    /// Adds one value (negative values count as 0).
    public mutating func add(_ value: Int64) {
        let clamped = min(max(value, 0), Self.maximumValue)
        count += 1
        minimum = Swift.min(minimum ?? clamped, clamped)
        maximum = Swift.max(maximum ?? clamped, clamped)
        guard clamped > 0 else {
            zeroCount += 1
            return
        }
        increment(index: bucketIndex(of: clamped), by: 1)
    }

    /// Adds all values of `other`. Sketches with a different accuracy are merged through their
    /// bucket midpoints (the result keeps this sketch's accuracy, with the two errors combined).
    public mutating func merge(_ other: DDSketch) {
        guard !other.isEmpty else { return }
        count += other.count
        zeroCount += other.zeroCount
        minimum = Swift.min(minimum ?? other.minimum!, other.minimum!)
        maximum = Swift.max(maximum ?? other.maximum!, other.maximum!)
        for (offset, counter) in other.counters.enumerated() where counter > 0 {
            let index = other.lowestIndex + offset
            let target = other.gamma == gamma ? index : bucketIndex(of: other.midpoint(of: index))
            increment(index: target, by: counter)
        }
    }

    /// The estimated rank-`⌊q·(n−1)⌋` value, or `nil` when empty (`q` is clamped to 0 ... 1).
    public func quantile(_ q: Double) -> Double? {
        guard count > 0, let minimum, let maximum else { return nil }
        let fraction = q.isNaN ? 0 : min(1, max(0, q))
        let rank = Int64(fraction * Double(count - 1))
        if rank < zeroCount { return 0 }
        var seen = zeroCount
        for (offset, counter) in counters.enumerated() {
            seen += Int64(counter)
            if seen > rank {
                return min(Double(maximum), max(Double(minimum), midpoint(of: lowestIndex + offset)))
            }
        }
        return Double(maximum)
    }

    /// ``quantile(_:)`` rounded to the nearest whole value.
    public func quantileMilliseconds(_ q: Double) -> Int64? {
        quantile(q).map { Int64($0.rounded()) }
    }

    /// The bucket counters as `(index, count)` pairs in ascending index order (for serialisation).
    public var buckets: [(index: Int, count: UInt32)] {
        counters.enumerated().compactMap { $1 > 0 ? (lowestIndex + $0, $1) : nil }
    }

    private func bucketIndex(of value: Double) -> Int {
        Int((log(value) * inverseLogGamma).rounded(.up))
    }

    private func bucketIndex(of value: Int64) -> Int {
        bucketIndex(of: Double(value))
    }

    private func midpoint(of index: Int) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    private mutating func increment(index: Int, by amount: UInt32) {
        if counters.isEmpty {
            lowestIndex = index
            counters = [amount]
            return
        }
        if index < lowestIndex {
            counters.insert(contentsOf: repeatElement(0, count: lowestIndex - index), at: 0)
            lowestIndex = index
        } else if index >= lowestIndex + counters.count {
            counters.append(contentsOf: repeatElement(0, count: index - lowestIndex - counters.count + 1))
        }
        let position = index - lowestIndex
        counters[position] = counters[position].addingReportingOverflow(amount).overflow ? .max : counters[position] + amount
    }

    public static func == (lhs: DDSketch, rhs: DDSketch) -> Bool {
        lhs.relativeAccuracy == rhs.relativeAccuracy && lhs.count == rhs.count && lhs.zeroCount == rhs.zeroCount
            && lhs.minimum == rhs.minimum && lhs.maximum == rhs.maximum
            && lhs.buckets.elementsEqual(rhs.buckets) { $0.index == $1.index && $0.count == $1.count }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(relativeAccuracy)
        hasher.combine(count)
        hasher.combine(zeroCount)
    }
}
