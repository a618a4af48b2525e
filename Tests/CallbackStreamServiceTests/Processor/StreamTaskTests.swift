import CallbackStreamCore
import Testing
@testable import CallbackStreamService

@Suite struct StreamTaskTests {
    static let t0: Int64 = 1_767_225_600_000
    typealias D = StreamTaskDriver

    /// cb-1's whole interaction, then cb-2's first event far enough later to close cb-1.
    static func pipeClosedSessionThenLaterEvent(_ driver: inout D) {
        driver.pipe(D.event("cb-1", "opened", at: t0))
        driver.pipe(D.event("cb-1", "cancelled", at: t0 + 1_000))
        driver.pipe(D.event("cb-1", "closed", at: t0 + 2_000))
        driver.pipe(D.event("cb-2", "opened", at: t0 + 60_000))
    }

    @Test func aFreshTaskPublishesWhatItComputes() {
        var driver = D()
        Self.pipeClosedSessionThenLaterEvent(&driver)
        #expect(driver.summaries.map(\.key) == ["cb-1"])
        #expect(driver.summaries[0].cause == 3)  // caused by the record that moved the watermark
    }

    @Test func aReplayingTaskRebuildsStateWithoutPublishingThenPublishesAfterItsMark() {
        // The commit said: outputs through offset 2 were published, with the watermark before 3.
        var driver = D(startOffset: 0, committed: CommitMetadata(emittedThrough: 2, watermark: Self.t0 - 10_000))
        #expect(driver.task.isReplaying)
        let ended = [
            driver.pipe(D.event("cb-1", "opened", at: Self.t0)),
            driver.pipe(D.event("cb-1", "cancelled", at: Self.t0 + 1_000)),
            driver.pipe(D.event("cb-1", "closed", at: Self.t0 + 2_000)),
        ]
        #expect(ended == [false, false, true])  // offset 2, the mark, ends the replay
        #expect(!driver.task.isReplaying)
        #expect(driver.published.isEmpty)
        // The session rebuilt by the replay is summarized by the first record after the mark.
        driver.pipe(D.event("cb-2", "opened", at: Self.t0 + 60_000))
        #expect(driver.summaries.map(\.key) == ["cb-1"])
    }

    @Test func finishingTheReplayRestoresTheWatermarkAndItsOutputsStaySuppressed() {
        // When the commit was made, the watermark had already closed cb-1 (its summary published).
        let restored = Self.t0 + 55_000
        var driver = D(startOffset: 0, committed: CommitMetadata(emittedThrough: 2, watermark: restored))
        driver.pipe(D.event("cb-1", "opened", at: Self.t0))
        driver.pipe(D.event("cb-1", "cancelled", at: Self.t0 + 1_000))
        driver.pipe(D.event("cb-1", "closed", at: Self.t0 + 2_000))
        #expect(driver.task.topology.watermark == restored)
        driver.pipe(D.event("cb-2", "opened", at: Self.t0 + 60_000))
        #expect(driver.published.isEmpty)  // cb-1 was published before the restart: not again
    }

    @Test func theEndOfThePartitionEndsAReplayWhoseMarkIsBeyondTheLog() {
        let driver = D(startOffset: 0, committed: CommitMetadata(emittedThrough: 10, watermark: Self.t0))
        #expect(driver.task.isReplaying)
        #expect(driver.task.reachedEndOfPartition())
        #expect(!driver.task.isReplaying)
        #expect(!driver.task.reachedEndOfPartition())
    }

    @Test func aCommitWithoutReplayRestoresTheWatermarkAtOnce() {
        let driver = D(startOffset: 5, committed: CommitMetadata(emittedThrough: 4, watermark: Self.t0))
        #expect(!driver.task.isReplaying)
        #expect(driver.task.topology.watermark == Self.t0)
    }

    /// Progress markers dropped instead of published (a replay's, a restored watermark's) may
    /// have covered windows on any merger: the first one published after them goes to all.
    @Test func theFirstMarkerPublishedAfterARestartReachesEveryMerger() {
        func markers(_ driver: D) -> [Bool] { driver.published.filter { $0.kind == "progress" }.map(\.reachesEveryMerger) }
        var fresh = D()
        fresh.pipe(D.event("cb-1", "opened", at: Self.t0))
        fresh.pipe(D.event("cb-1", "opened", at: Self.t0 + 60_000))
        fresh.pipe(D.event("cb-1", "opened", at: Self.t0 + 120_000))
        #expect(markers(fresh) == [true, false, false])

        var replayed = D(startOffset: 0, committed: CommitMetadata(emittedThrough: 1, watermark: Self.t0 + 60_000))
        replayed.pipe(D.event("cb-1", "opened", at: Self.t0))
        replayed.pipe(D.event("cb-1", "opened", at: Self.t0 + 60_000))
        #expect(!replayed.task.isReplaying && replayed.published.isEmpty)
        replayed.pipe(D.event("cb-1", "opened", at: Self.t0 + 120_000))
        replayed.pipe(D.event("cb-1", "opened", at: Self.t0 + 180_000))
        replayed.pipe(D.event("cb-1", "opened", at: Self.t0 + 240_000))
        #expect(markers(replayed) == [true, false])

        var restored = D(startOffset: 5, committed: CommitMetadata(emittedThrough: 4, watermark: Self.t0 + 60_000))
        restored.pipe(D.event("cb-2", "opened", at: Self.t0 + 120_000))
        restored.pipe(D.event("cb-2", "opened", at: Self.t0 + 180_000))
        restored.pipe(D.event("cb-2", "opened", at: Self.t0 + 240_000))
        #expect(markers(restored) == [true, false])
    }

    @Test func noCommitWhileReplaying() {
        var driver = D(startOffset: 0, committed: CommitMetadata(emittedThrough: 1, watermark: Self.t0))
        driver.pipe(D.event("cb-1", "opened", at: Self.t0))
        #expect(driver.task.commitRequest() == nil)
    }

    @Test func theCommitNeverPassesAnUnacknowledgedOutputNorTheStateItCameFrom() throws {
        var driver = D()
        Self.pipeClosedSessionThenLaterEvent(&driver)
        let summary = try #require(driver.summaries.first)
        driver.acknowledge { $0.kind != "summary" }  // the window progress markers are out
        // Unacknowledged: the commit says nothing past the record before its cause is published,
        // and stays at cb-1's first record (offset 0), from which a replay computes it again.
        let before = try #require(driver.task.commitRequest())
        #expect(before.offset == 0)
        #expect(CommitMetadata(parsing: before.metadata)?.emittedThrough == summary.cause - 1)
        driver.task.acknowledged(cause: summary.cause)
        let after = try #require(driver.task.commitRequest())
        #expect(CommitMetadata(parsing: after.metadata)?.emittedThrough == 3)
    }

    @Test func aCommitThatChangesNothingIsSkippedUntilOneFails() throws {
        var driver = D()
        driver.pipe(D.event("cb-1", "opened", at: Self.t0))
        driver.acknowledge { _ in true }
        let first = try #require(driver.task.commitRequest())
        #expect(driver.task.commitRequest() == nil)
        driver.task.commitFailed()
        #expect(driver.task.commitRequest() == first)
        driver.pipe(D.event("cb-1", "started", at: Self.t0 + 1))
        driver.acknowledge { _ in true }
        // Same retained offset (cb-1 still open) but newer metadata: committed again.
        let second = try #require(driver.task.commitRequest())
        #expect(second.offset == first.offset)
        #expect(second.metadata != first.metadata)
    }

    @Test func theCommitLagCountsTheRecordsARestartWouldReRead() {
        var driver = D(startOffset: 10)
        #expect(driver.task.commitLagRecords == 0)
        driver.pipe(D.event("cb-1", "opened", at: Self.t0))
        driver.pipe(D.event("cb-2", "opened", at: Self.t0 + 1))
        driver.pipe(D.event("cb-2", "started", at: Self.t0 + 2))
        #expect(driver.task.commitLagRecords == 3)  // nothing committed yet: from 10
        #expect(driver.task.commitRequest()?.offset == 10)  // cb-1, opened at 10, is still open
        #expect(driver.task.commitLagRecords == 3)
    }

    @Test func ticksAndEvictionsDoNothingWhileReplaying() {
        var driver = D(startOffset: 0, committed: CommitMetadata(emittedThrough: 5, watermark: Self.t0))
        driver.pipe(D.event("cb-1", "opened", at: Self.t0))
        var outputs = 0
        driver.task.tick(nowMs: 10_000_000) { _ in outputs += 1 }
        driver.task.evictEarliest { _ in outputs += 1 }
        #expect(outputs == 0)
        #expect(driver.task.topology.openSessionCount == 1)
    }
}
