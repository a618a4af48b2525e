import Kafka

/// The librdkafka configurations of a stream thread's consumer and producer: our defaults
/// (cooperative-sticky, manual commits, a bounded prefetch shared by the stream threads, lz4)
/// with the user's `-X` properties on top.
enum KafkaClientConfigurations {
    /// The consumer's and the producer's librdkafka configurations for `configuration`.
    ///
    /// A pass-through (`-X`) property goes to every client that accepts it; one that neither
    /// accepts is an error carrying librdkafka's own text.
    ///
    /// - Parameter member: which member of this process the consumer is (a stream thread's index
    ///   when there are several, `stats-merge`), appended to `--instance-id` so that every static
    ///   member id is unique.
    static func make(_ configuration: ProcessorConfiguration, member: String? = nil) throws(KafkaError) -> (consumer: KafkaConfiguration, producer: KafkaConfiguration) {
        var common = KafkaConfiguration()
        try common.set("bootstrap.servers", configuration.bootstrapServers)
        var consumer = common
        try consumer.set("group.id", configuration.groupID)
        // Recovery after a crash: a member that died is noticed after 6 s instead of librdkafka's
        // 45 s (6 s is the smallest session timeout a default broker accepts). On the embedded
        // broker a restarted instance then processes again within 5–12 s instead of 44–89 s
        // (docs/operations.md, "Recovery after a crash"); heartbeats every 500 ms leave room for a
        // loaded machine. The price: a coordinator unreachable for more than 6 s takes the
        // partitions away (they are replayed). Override with -X session.timeout.ms=….
        try consumer.set("session.timeout.ms", "6000")
        try consumer.set("heartbeat.interval.ms", "500")
        if let instanceID = configuration.instanceID {
            // Static membership (KIP-345): a real broker hands a restarted member with the same id
            // its partitions back without a rebalance, within its session timeout.
            try consumer.set("group.instance.id", member.map { "\(instanceID)-\($0)" } ?? instanceID)
        }
        try consumer.set("partition.assignment.strategy", "cooperative-sticky")
        try consumer.set("auto.offset.reset", "earliest")
        try consumer.set("enable.partition.eof", "true")
        try consumer.set("enable.auto.commit", "false")
        try consumer.set("enable.auto.offset.store", "false")
        // A smaller prefetch than librdkafka's defaults (100,000 messages / 64 MiB, and fetch
        // responses of up to 50 MiB): with the fetcher woken as soon as the queue drains
        // (`--wake-fetcher`), 20,000 records / 8 MiB in responses of at most 4 MiB keep up just as
        // well and save ~140 MB of peak RSS (BENCHMARKS.md, "End to end", memory). Stream threads
        // share these bytes: each one's consumer gets 1/N of them, the process's prefetch stays the
        // same. (librdkafka refuses a `fetch.max.bytes` below `message.max.bytes`.)
        let threads = max(1, configuration.streamThreads ?? 1)
        let messageMaxBytes = configuration.librdkafka["message.max.bytes"].flatMap(Int.init) ?? 0
        try consumer.set("queued.min.messages", "20000")
        try consumer.set("queued.max.messages.kbytes", "\(max(1024, 8192 / threads))")
        try consumer.set("fetch.max.bytes", "\(max(1 << 20, (4 << 20) / threads, messageMaxBytes))")
        var producer = common
        try producer.set("linger.ms", "5")
        try producer.set("compression.type", "lz4")
        for (key, value) in configuration.librdkafka.sorted(by: { $0.key < $1.key }) {
            var accepted = false
            var rejection: KafkaError?
            do { try consumer.set(key, value); accepted = true } catch { rejection = error }
            do { try producer.set(key, value); accepted = true } catch { rejection = error }
            if !accepted, let rejection { throw rejection }
        }
        return (consumer, producer)
    }
}
