import TestSupport
import Testing
@testable import CallbackStreamService

@Suite struct PartitionLedgerTests {
    @Test func nothingPendingCommitsNextOffsetWithCurrentWatermark() {
        var ledger = PartitionLedger(startOffset: 100, watermark: 5)
        ledger.willProcess(offset: 100, watermark: 5)
        ledger.willProcess(offset: 101, watermark: 7)
        let point = ledger.commitPoint(retainedOffset: nil, watermark: 9)
        #expect(point.offset == 102)
        #expect(point.metadata == CommitMetadata(emittedThrough: 101, watermark: 9))
    }

    @Test func commitNeverPassesAnUnacknowledgedOutput() {
        var ledger = PartitionLedger(startOffset: 0, watermark: 0)
        ledger.willProcess(offset: 0, watermark: 10)
        let first = ledger.produced()
        ledger.willProcess(offset: 1, watermark: 20)
        let second = ledger.produced()
        _ = ledger.produced()
        ledger.willProcess(offset: 2, watermark: 30)
        #expect(first == 0 && second == 1)
        #expect(ledger.unacknowledged == 3)

        // Acknowledging the later one first does not move the commit past offset 0.
        ledger.acknowledged(cause: 1)
        var point = ledger.commitPoint(retainedOffset: nil, watermark: 40)
        #expect(point.offset == 0)
        #expect(point.metadata == CommitMetadata(emittedThrough: -1, watermark: 10))

        ledger.acknowledged(cause: 0)
        point = ledger.commitPoint(retainedOffset: nil, watermark: 40)
        #expect(point.offset == 1)
        #expect(point.metadata == CommitMetadata(emittedThrough: 0, watermark: 20))

        ledger.acknowledged(cause: 1)
        point = ledger.commitPoint(retainedOffset: nil, watermark: 40)
        #expect(point.offset == 3)
        #expect(point.metadata == CommitMetadata(emittedThrough: 2, watermark: 40))
        #expect(ledger.unacknowledged == 0)
    }

    @Test func retainedOffsetHoldsTheCommitBackButNotTheEmittedMark() {
        var ledger = PartitionLedger(startOffset: 0, watermark: 0)
        for offset in 0..<10 { ledger.willProcess(offset: Int64(offset), watermark: Int64(offset)) }
        let point = ledger.commitPoint(retainedOffset: 4, watermark: 9)
        #expect(point.offset == 4)
        #expect(point.metadata.emittedThrough == 9)
    }

    @Test func tickOutputsAreAttributedToTheLastProcessedRecord() {
        var ledger = PartitionLedger(startOffset: 50, watermark: 0)
        ledger.willProcess(offset: 50, watermark: 1)
        ledger.willProcess(offset: 51, watermark: 2)
        let cause = ledger.produced()  // e.g. a timeout fired by a wall-clock tick
        #expect(cause == 51)
        let point = ledger.commitPoint(retainedOffset: nil, watermark: 3)
        #expect(point.offset == 51)
        #expect(point.metadata == CommitMetadata(emittedThrough: 50, watermark: 2))
    }

    @Test func anUnacknowledgedSummaryKeepsItsWholeSessionReplayable() {
        // A session starts at offset 10; at offset 50 it closes and the store forgets it at once
        // (retained offset jumps past it), but its summary is not acknowledged yet.
        var ledger = PartitionLedger(startOffset: 10, watermark: 0)
        for offset in 10..<50 { ledger.willProcess(offset: Int64(offset), watermark: 0, retainedOffset: 10) }
        ledger.willProcess(offset: 50, watermark: 0, retainedOffset: 10)
        let cause = ledger.produced()
        for offset in 51..<60 { ledger.willProcess(offset: Int64(offset), watermark: 0, retainedOffset: nil) }
        #expect(ledger.commitPoint(retainedOffset: nil, watermark: 0).offset == 10)
        ledger.acknowledged(cause: cause)
        #expect(ledger.commitPoint(retainedOffset: nil, watermark: 0).offset == 60)
    }

    @Test func randomizedAcknowledgementOrderMatchesAReferenceModel() {
        var rng = SeededRandom(seed: 42)
        for _ in 0..<200 {
            var ledger = PartitionLedger(startOffset: 0, watermark: 0)
            var outstanding: [Int64] = []
            var offset: Int64 = 0
            for _ in 0..<200 {
                switch rng.next() % 3 {
                case 0:
                    ledger.willProcess(offset: offset, watermark: offset * 10)
                    offset += 1
                case 1 where offset > 0:
                    outstanding.append(ledger.produced())
                default:
                    if !outstanding.isEmpty {
                        let index = Int(rng.next() % UInt64(outstanding.count))
                        ledger.acknowledged(cause: outstanding.remove(at: index))
                    }
                }
                let expected = min(outstanding.min() ?? offset, offset)
                #expect(ledger.commitPoint(retainedOffset: nil, watermark: 0).offset == expected)
                #expect(ledger.unacknowledged == outstanding.count)
            }
        }
    }
}

@Suite struct CommitMetadataTests {
    @Test func roundTrips() {
        let metadata = CommitMetadata(emittedThrough: 12345, watermark: -9)
        #expect(CommitMetadata(parsing: metadata.encoded) == metadata)
    }

    @Test(arguments: ["", "cs1", "cs2 e=1 w=2", "cs1 e=x w=2", "cs1 e=1", "hello world"])
    func rejectsForeignMetadata(_ text: String) {
        #expect(CommitMetadata(parsing: text) == nil)
    }
}

