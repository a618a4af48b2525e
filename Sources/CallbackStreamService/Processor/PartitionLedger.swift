/// Delivery bookkeeping for one input partition: which outputs are still unacknowledged, and
/// therefore which offset may be committed and what the commit's metadata says.
///
/// Every output record is attributed to a *cause*: the input offset being processed when it
/// was produced (outputs of wall-clock ticks are attributed to the last processed record).
/// Causes only grow, so pending outputs form a queue ordered by cause. The ledger never lets a
/// commit pass an unacknowledged output, nor the first record of the state that output was
/// computed from (a summary needs its whole session, which may have started long before its
/// cause and may no longer be retained by the store): that is what makes `kill -9` lose nothing.
public struct PartitionLedger: Sendable {
    private struct Pending: Sendable {
        var cause: Int64
        var remaining: Int
        var watermarkBefore: Int64
        /// The smallest offset a replay must start from to compute this output again.
        var rebuildFrom: Int64
    }

    /// The offset after the last processed record.
    public private(set) var nextOffset: Int64
    /// The watermark just before the record `nextOffset − 1` was processed.
    private var watermarkBeforeLast: Int64
    /// The smallest offset needed to rebuild the state as it was just before the record
    /// `nextOffset − 1` was processed (that record's own offset when nothing was retained).
    private var rebuildFromLast: Int64
    private var pending: [Pending] = []
    private var head = 0

    /// - Parameters:
    ///   - startOffset: the first offset that will be processed.
    ///   - watermark: the watermark before it (e.g. restored from ``CommitMetadata``).
    public init(startOffset: Int64, watermark: Int64) {
        nextOffset = startOffset
        watermarkBeforeLast = watermark
        rebuildFromLast = startOffset
    }

    /// Number of outputs produced and not yet acknowledged.
    public var unacknowledged: Int {
        var n = 0
        for i in head..<pending.count { n += pending[i].remaining }
        return n
    }

    /// Call before processing the record at `offset`.
    ///
    /// - Parameters:
    ///   - watermark: the partition's watermark at that moment.
    ///   - retainedOffset: the smallest input offset still needed by open (or remembered) state at
    ///     that moment (`nil`: none). Every output this record — or a tick after it — causes comes
    ///     from state that existed then or that this record creates, so a replay from there can
    ///     compute it again.
    public mutating func willProcess(offset: Int64, watermark: Int64, retainedOffset: Int64? = nil) {
        nextOffset = offset + 1
        watermarkBeforeLast = watermark
        rebuildFromLast = min(retainedOffset ?? offset, offset)
    }

    /// Records that an output was produced; returns its cause (to carry with the message).
    public mutating func produced() -> Int64 {
        let cause = nextOffset - 1
        if head < pending.count, pending[pending.count - 1].cause == cause {
            pending[pending.count - 1].remaining += 1
        } else {
            pending.append(Pending(cause: cause, remaining: 1, watermarkBefore: watermarkBeforeLast, rebuildFrom: rebuildFromLast))
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
        // An unacknowledged summary may come from a session the store no longer retains (closed
        // and forgotten): keep the records it was computed from replayable.
        for index in head..<pending.count where pending[index].remaining > 0 {
            offset = min(offset, pending[index].rebuildFrom)
        }
        return (offset, metadata)
    }
}
