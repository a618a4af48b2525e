extension MetricsSnapshot {
    /// One snapshot for the whole process from the snapshots of its stream threads
    /// (`--stream-threads`), each published by one poll loop about the partitions it owns.
    ///
    /// Counters add up (a partition that moved between threads keeps counting in each: the sum
    /// stays monotonic); per-partition gauges are reported only by the partition's current owner,
    /// so they add up too (watermarks and lags take the largest value while an ownership change is
    /// published by one thread and not yet by the other). Histograms merge bucket by bucket. The
    /// last-window values and the sample summary come from the first thread that has one. The
    /// process is ready when some thread is ready and no partition is replaying anywhere (a thread
    /// may own no partition at all when there are more threads than partitions).
    public static func merging(_ snapshots: [MetricsSnapshot]) -> MetricsSnapshot {
        guard var merged = snapshots.first else { return MetricsSnapshot() }
        for other in snapshots.dropFirst() {
            merged.consumedByPartition.merge(other.consumedByPartition, uniquingKeysWith: +)
            merged.producedByOutput.merge(other.producedByOutput, uniquingKeysWith: +)
            merged.deadLettersByCode.merge(other.deadLettersByCode, uniquingKeysWith: +)
            merged.produceErrors.merge(other.produceErrors, uniquingKeysWith: +)
            merged.summaries.merge(other.summaries, uniquingKeysWith: +)
            merged.stageReached.merge(other.stageReached, uniquingKeysWith: +)
            merged.openSessionsByPartition.merge(other.openSessionsByPartition, uniquingKeysWith: +)
            merged.watermarkByPartition.merge(other.watermarkByPartition, uniquingKeysWith: max)
            merged.consumerLagByPartition.merge(other.consumerLagByPartition, uniquingKeysWith: max)
            merged.commitLagRecordsByPartition.merge(other.commitLagRecordsByPartition, uniquingKeysWith: max)
            merged.commitLagEventTimeMsByPartition.merge(other.commitLagEventTimeMsByPartition, uniquingKeysWith: max)
            merged.statsMerge.merge(other.statsMerge, uniquingKeysWith: +)
            merged.openStatsWindows += other.openStatsWindows
            merged.lateEvents += other.lateEvents
            merged.evictions += other.evictions
            merged.alerts += other.alerts
            merged.replayedRecords += other.replayedRecords
            merged.fetchWakeups += other.fetchWakeups
            merged.replayingPartitions += other.replayingPartitions
            merged.commitLatency.merge(other.commitLatency)
            merged.deliveryLatency.merge(other.deliveryLatency)
            merged.lastWindowErrorRatio = merged.lastWindowErrorRatio ?? other.lastWindowErrorRatio
            merged.lastWindowElapsed = merged.lastWindowElapsed ?? other.lastWindowElapsed
            merged.sampleSummary = merged.sampleSummary ?? other.sampleSummary
            merged.recentAlerts.append(contentsOf: other.recentAlerts)
        }
        if merged.recentAlerts.count > recentAlertLimit {
            merged.recentAlerts.removeFirst(merged.recentAlerts.count - recentAlertLimit)
        }
        merged.ready = snapshots.contains(where: \.ready) && merged.replayingPartitions == 0
        return merged
    }
}
