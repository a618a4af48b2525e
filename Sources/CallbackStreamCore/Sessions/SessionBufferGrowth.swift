/// Appends to a store buffer, growing its capacity by half instead of doubling.
///
/// The store's buffers hold one element per session; growing by 1.5× keeps the unused tail at
/// most a third of the buffer (instead of half), which bounds the per-session overhead right after
/// a growth step. Amortised O(1) all the same.
@inlinable
@inline(__always)
internal func appendGrowingByHalf<Element>(_ array: inout [Element], _ element: Element) {
    if array.count == array.capacity {
        array.reserveCapacity(max(16, array.count + array.count / 2))
    }
    array.append(element)
}
