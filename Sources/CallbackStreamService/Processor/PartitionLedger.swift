/// Delivery bookkeeping for one input partition: which outputs are still unacknowledged, and
/// therefore which offset may be committed and what the commit's metadata says.
///
/// Every output record is attributed to a *cause*: the input offset being processed when it
/// was produced (outputs of wall-clock ticks are attributed to the last processed record).
/// Causes only grow, so pending outputs form a queue ordered by cause. The ledger never lets a
/// commit pass an unacknowledged output: that is what makes `kill -9` lose nothing.
public struct PartitionLedger: Sendable {
    private struct Pending: Sendable {
        var cause: Int64
        var remaining: Int
        var watermarkBefore: Int64
    }

    /// The offset after the last processed record.
    public private(set) var nextOffset: Int64
    /// The watermark just before the record `nextOffset − 1` was processed.
    private var watermarkBeforeLast: Int64
    private var pending: [Pending] = []
    private var head = 0

    /// - Parameters:
    ///   - startOffset: the first offset that will be processed.
    ///   - watermark: the watermark before it (e.g. restored from ``CommitMetadata``).
    public init(startOffset: Int64, watermark: Int64) {
        nextOffset = startOffset
        watermarkBeforeLast = watermark
    }

    /// Number of outputs produced and not yet acknowledged.
    public var unacknowledged: Int {
        var n = 0
        for i in head..<pending.count { n += pending[i].remaining }
        return n
    }

    /// Call before processing the record at `offset`, with the watermark at that moment.
    public mutating func willProcess(offset: Int64, watermark: Int64) {
        nextOffset = offset + 1
        watermarkBeforeLast = watermark
    }

    /// Records that an output was produced; returns its cause (to carry with the message).
    public mutating func produced() -> Int64 {
        let cause = nextOffset - 1
        if head < pending.count, pending[pending.count - 1].cause == cause {
            pending[pending.count - 1].remaining += 1
        } else {
            pending.append(Pending(cause: cause, remaining: 1, watermarkBefore: watermarkBeforeLast))
        }
        return cause
    }

    /// Records the broker's acknowledgement of an output produced with `cause`.
    public mutating func acknowledged(cause: Int64) {
        // Binary search the live part of the queue: causes are strictly increasing.
        var low = head, high = pending.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if pending[mid].cause == cause {
                if pending[mid].remaining > 0 { pending[mid].remaining -= 1 }
                break
            } else if pending[mid].cause < cause {
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        while head < pending.count, pending[head].remaining == 0 { head += 1 }
        if head == pending.count {
            pending.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
    }

    /// The commit that is safe now.
    ///
    /// - Parameters:
    ///   - retainedOffset: the smallest input offset still needed by open (or remembered) state, if any.
    ///   - watermark: the current watermark, used when nothing is pending.
    /// - Returns: the offset to commit (the next record to read after a restart) and its metadata.
    public func commitPoint(retainedOffset: Int64?, watermark: Int64) -> (offset: Int64, metadata: CommitMetadata) {
        let metadata: CommitMetadata
        let acknowledgedThrough: Int64  // every output caused before this offset is acknowledged
        if head < pending.count {
            let front = pending[head]
            acknowledgedThrough = front.cause
            metadata = CommitMetadata(emittedThrough: front.cause - 1, watermark: front.watermarkBefore)
        } else {
            acknowledgedThrough = nextOffset
            metadata = CommitMetadata(emittedThrough: nextOffset - 1, watermark: watermark)
        }
        var offset = min(acknowledgedThrough, nextOffset)
        if let retainedOffset { offset = min(offset, retainedOffset) }
        return (offset, metadata)
    }
}
