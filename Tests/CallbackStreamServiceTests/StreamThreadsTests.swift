import Testing
@testable import CallbackStreamService

/// What stream threads share: one merged metrics snapshot, session lookups across loops, and
/// the process-wide session cap split between them.
@Suite struct StreamThreadsTests {
    static func snapshot(_ build: (inout MetricsSnapshot) -> Void) -> MetricsSnapshot {
        var snapshot = MetricsSnapshot()
        build(&snapshot)
        return snapshot
    }

    @Test func countersAddUpAndPerPartitionGaugesComeFromTheirOwners() {
        let first = Self.snapshot {
            $0.consumedByPartition = [0: 10, 1: 5]
            $0.openSessionsByPartition = [0: 3, 1: 2]
            $0.consumerLagByPartition = [0: 0, 1: 7]
            $0.watermarkByPartition = [0: 1_000, 1: 2_000]
            $0.producedByOutput = [.summaries: 4]
            $0.summaries = [.init(outcome: "completed", closeReason: "closed"): 4]
            $0.stageReached = ["opened": 4]
            $0.deadLettersByCode = ["invalid_json": 1]
            $0.lateEvents = 1
            $0.fetchWakeups = 2
            $0.deliveryLatency.observe(seconds: 0.002)
            $0.recentAlerts = ["a1"]
            $0.ready = true
        }
        let second = Self.snapshot {
            // Partition 1 moved to this thread: it counts on from 0; the first still lists it
            // until its next publication.
            $0.consumedByPartition = [1: 6, 2: 8]
            $0.openSessionsByPartition = [2: 4]
            $0.consumerLagByPartition = [1: 3, 2: 0]
            $0.watermarkByPartition = [1: 2_500, 2: 500]
            $0.producedByOutput = [.summaries: 1, .dlq: 2]
            $0.summaries = [.init(outcome: "completed", closeReason: "closed"): 1, .init(outcome: "abandoned", closeReason: "inactivityTimeout"): 2]
            $0.stageReached = ["opened": 3, "started": 1]
            $0.deadLettersByCode = ["invalid_json": 2, "late_event": 1]
            $0.lateEvents = 1
            $0.fetchWakeups = 3
            $0.deliveryLatency.observe(seconds: 3)
            $0.recentAlerts = ["a2"]
            $0.ready = true
        }
        let merged = MetricsSnapshot.merging([first, second])
        #expect(merged.consumedByPartition == [0: 10, 1: 11, 2: 8])
        #expect(merged.totalConsumed == 29)
        #expect(merged.openSessionsByPartition == [0: 3, 1: 2, 2: 4])
        #expect(merged.consumerLagByPartition == [0: 0, 1: 7, 2: 0])
        #expect(merged.watermarkByPartition == [0: 1_000, 1: 2_500, 2: 500])
        #expect(merged.producedByOutput == [.summaries: 5, .dlq: 2])
        #expect(merged.summaries == [.init(outcome: "completed", closeReason: "closed"): 5, .init(outcome: "abandoned", closeReason: "inactivityTimeout"): 2])
        #expect(merged.stageReached == ["opened": 7, "started": 1])
        #expect(merged.deadLettersByCode == ["invalid_json": 3, "late_event": 1])
        #expect(merged.lateEvents == 2)
        #expect(merged.fetchWakeups == 5)
        #expect(merged.deliveryLatency.count == 2)
        #expect(merged.deliveryLatency.cumulativeCounts.first == 0)
        #expect(merged.deliveryLatency.cumulativeCounts.last == 2)
        #expect(merged.recentAlerts == ["a1", "a2"])
        #expect(merged.ready)
    }

    @Test func theProcessIsReadyWhenSomeThreadIsReadyAndNothingReplays() {
        let ready = Self.snapshot { $0.ready = true }
        let idle = Self.snapshot { $0.ready = false }  // e.g. a thread without partitions
        let replaying = Self.snapshot {
            $0.ready = false
            $0.replayingPartitions = 1
        }
        #expect(MetricsSnapshot.merging([ready, idle]).ready)
        #expect(!MetricsSnapshot.merging([ready, replaying]).ready)
        #expect(!MetricsSnapshot.merging([idle, idle]).ready)
    }

    @Test func recentAlertsKeepTheLimit() {
        let many = Self.snapshot { $0.recentAlerts = (0..<MetricsSnapshot.recentAlertLimit).map { "a\($0)" } }
        let more = Self.snapshot { $0.recentAlerts = ["b0", "b1"] }
        let merged = MetricsSnapshot.merging([many, more])
        #expect(merged.recentAlerts.count == MetricsSnapshot.recentAlertLimit)
        #expect(merged.recentAlerts.last == "b1")
    }

    @Test func theBoardMergesItsSlots() {
        let board = MetricsBoard(slots: 2)
        board.publish(Self.snapshot { $0.consumedByPartition = [0: 1] }, slot: 0)
        board.publish(Self.snapshot { $0.consumedByPartition = [1: 2] }, slot: 1)
        #expect(board.snapshot.consumedByPartition == [0: 1, 1: 2])
        board.publish(Self.snapshot { $0.consumedByPartition = [1: 5] }, slot: 1)
        #expect(board.snapshot.totalConsumed == 6)
    }

    @Test func aSessionLookupAsksEveryLoopUntilOneKnowsTheSession() async {
        let loops = [SessionQueries(), SessionQueries()]
        // Each loop answers its queries once per turn; only the second owns "cb-7".
        let answering = loops.enumerated().map { index, queries in
            Task {
                while !Task.isCancelled {
                    for query in queries.drain() {
                        query.answer(index == 1 && query.interactionID == "cb-7" ? "{\"interactionId\":\"cb-7\"}" : nil)
                    }
                    await Task.yield()
                }
            }
        }
        defer { for task in answering { task.cancel() } }
        #expect(await SessionQueries.lookup("cb-7", in: loops) == "{\"interactionId\":\"cb-7\"}")
        #expect(await SessionQueries.lookup("nobody", in: loops) == nil)
    }

    @Test func theOpenSessionCapIsSplitBetweenThreads() {
        var configuration = ProcessorConfiguration()
        configuration.maxOpenSessions = 1_000_001
        #expect(ProcessorService.loopConfiguration(configuration) == configuration)
        configuration.streamThreads = 2
        let share = ProcessorService.loopConfiguration(configuration)
        #expect(share.maxOpenSessions == 500_001)
        // Closed sessions are remembered per partition: their default follows the whole cap.
        #expect(share.maxRememberedSessions == 62_500)
        configuration.maxRememberedSessions = 5_000
        #expect(ProcessorService.loopConfiguration(configuration).maxRememberedSessions == 5_000)
    }
}
