import CallbackStreamCore
import Testing
@testable import CallbackStreamService

@Suite struct TaskManagerTests {
    static let t0: Int64 = 1_767_225_600_000
    typealias D = StreamTaskDriver

    static func open(_ id: String, at timestamp: Int64, in task: StreamTask, offset: Int64) {
        let key = Array(id.utf8)
        let value = Array(D.event(id, "opened", at: timestamp).utf8)
        key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                _ = task.process(key: k, value: v, offset: offset, recordTimestampMs: nil, arrivalMs: 0) { _ in }
            }
        }
    }

    @Test func assignmentStartsAtTheCommittedOffsetAndReplaysFromOurMetadata() {
        var manager = TaskManager(configuration: .init())
        let fresh = manager.assign(partition: 0, committedOffset: nil, metadata: nil)
        let resumed = manager.assign(partition: 1, committedOffset: 40, metadata: CommitMetadata(emittedThrough: 45, watermark: Self.t0).encoded)
        let foreign = manager.assign(partition: 2, committedOffset: 40, metadata: "another tool's metadata")
        #expect(fresh.ledger.nextOffset == 0 && !fresh.isReplaying)
        #expect(resumed.ledger.nextOffset == 40 && resumed.replayThrough == 45)
        #expect(!foreign.isReplaying)
        #expect(manager.partitions == [0, 1, 2])
        #expect(manager.replayingCount == 1)
    }

    @Test func deliveryReportsOfAnEarlierAssignmentFindNoTask() {
        var manager = TaskManager(configuration: .init())
        let first = manager.assign(partition: 3, committedOffset: 0, metadata: nil)
        #expect(manager.close(partition: 3) === first)
        let second = manager.assign(partition: 3, committedOffset: 0, metadata: nil)
        #expect(manager.task(partition: 3, generation: first.generation) == nil)
        #expect(manager.task(partition: 3, generation: second.generation) === second)
        let cached = manager.task(for: 3)
        #expect(cached === second)
        _ = manager.close(partition: 3)
        let gone = manager.task(for: 3)
        #expect(gone == nil)  // the cached task is gone with it
    }

    @Test func theSessionCapEvictsTheEarliestDeadlineAcrossTasksAndSkipsReplayingOnes() {
        var manager = TaskManager(configuration: .init(inactivityTimeoutMs: 60_000))
        let a = manager.assign(partition: 0, committedOffset: nil, metadata: nil)
        let b = manager.assign(partition: 1, committedOffset: nil, metadata: nil)
        let replaying = manager.assign(partition: 2, committedOffset: 0, metadata: CommitMetadata(emittedThrough: 100, watermark: Self.t0).encoded)
        Self.open("a-late", at: Self.t0 + 3_000, in: a, offset: 0)
        Self.open("b-early", at: Self.t0 + 1_000, in: b, offset: 0)
        Self.open("a-mid", at: Self.t0 + 2_000, in: a, offset: 1)
        Self.open("r-earliest", at: Self.t0, in: replaying, offset: 0)
        #expect(manager.openSessionCount == 4)

        var evicted: [(Int32, String)] = []
        manager.enforceSessionCap(2) { output, task in
            let record = D.record(output, cause: 0)
            evicted.append((task.partition, record.key))
            #expect(record.value.contains(#""evicted""#))
        }
        #expect(evicted.map(\.0) == [1, 0])
        #expect(evicted.map(\.1) == ["b-early", "a-mid"])
        #expect(manager.openSessionCount == 2)
        manager.enforceSessionCap(2) { _, _ in Issue.record("nothing more to evict") }
    }
}
