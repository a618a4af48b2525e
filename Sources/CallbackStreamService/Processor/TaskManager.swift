import CallbackStreamCore

/// The tasks of one stream thread (Kafka Streams' `TaskManager`): a task is created on
/// assignment and closed on revocation or loss here and nowhere else. No I/O: the stream thread
/// reads committed offsets, flushes and commits, and tells the manager what happened.
struct TaskManager {
    private(set) var configuration: TopologyConfiguration
    private(set) var tasks: [Int32: StreamTask] = [:]
    private var generation: UInt32 = 0
    /// The task of the previous record (records come in runs per partition).
    private var lastTask: StreamTask?

    init(configuration: TopologyConfiguration) {
        self.configuration = configuration
    }

    /// The task of `partition`, if assigned (cached for runs of records of one partition).
    @inline(__always)
    mutating func task(for partition: Int32) -> StreamTask? {
        if let last = lastTask, last.partition == partition { return last }
        guard let found = tasks[partition] else { return nil }
        lastTask = found
        return found
    }

    /// The task that produced an output of assignment `generation`, if it is still assigned.
    func task(partition: Int32, generation: UInt32) -> StreamTask? {
        guard let task = tasks[partition], task.generation == generation else { return nil }
        return task
    }

    /// The assigned tasks in partition order (a deterministic order for ticks and commits).
    var sortedTasks: [StreamTask] { tasks.values.sorted { $0.partition < $1.partition } }
    var partitions: [Int32] { tasks.keys.sorted() }
    var isEmpty: Bool { tasks.isEmpty }
    var replayingCount: Int { tasks.values.reduce(0) { $0 + ($1.isReplaying ? 1 : 0) } }
    var openSessionCount: Int { tasks.values.reduce(0) { $0 + $1.topology.openSessionCount } }

    /// Creates the task of a newly assigned partition, starting at its committed offset
    /// (`nil`: none committed, start at 0) with the commit's metadata, if ours.
    mutating func assign(partition: Int32, committedOffset: Int64?, metadata: String?, nowMs: Int64 = 0) -> StreamTask {
        generation &+= 1
        lastTask = nil
        let task = StreamTask(
            partition: partition, generation: generation, configuration: configuration,
            startOffset: committedOffset ?? 0, committed: metadata.flatMap(CommitMetadata.init(parsing:)), assignedAtMs: nowMs)
        tasks[partition] = task
        return task
    }

    /// The input topic's partition count, written into every partial and progress marker (the
    /// merge stage waits for that many partitions): for the tasks to come and the running ones.
    mutating func setInputPartitionCount(_ count: Int32) {
        guard count > 0, count != configuration.inputPartitionCount else { return }
        configuration.inputPartitionCount = count
        for task in tasks.values { task.topology.inputPartitionCount = count }
    }

    /// Closes the task of a revoked or lost partition; returns it (for its last counts).
    mutating func close(partition: Int32) -> StreamTask? {
        lastTask = nil
        return tasks.removeValue(forKey: partition)
    }

    /// Enforces the stream thread's cap on open sessions: while more are open, the session with
    /// the earliest deadline over all non-replaying tasks is closed early (anomaly `evicted`).
    ///
    /// - Parameter publish: receives each eviction's outputs with the task that emitted them.
    func enforceSessionCap(_ cap: Int, publish: (TopologyOutput, StreamTask) -> Void) {
        var open = openSessionCount
        guard open > cap else { return }
        let ordered = sortedTasks
        while open > cap {
            var victim: StreamTask?
            var victimDeadline = Int64.max
            for task in ordered where !task.isReplaying {
                if let deadline = task.topology.earliestDeadline(), deadline < victimDeadline {
                    victim = task
                    victimDeadline = deadline
                }
            }
            guard let victim else { break }
            victim.evictEarliest { output in publish(output, victim) }
            open -= 1
        }
    }
}
