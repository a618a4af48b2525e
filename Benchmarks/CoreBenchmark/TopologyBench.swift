import CallbackStreamCore
import CallbackTraffic
import CoreBenchmarkSupport

/// The processor's per-event path without Kafka (`--phase topology`): the records of
/// `callback-stream generate --seed 1 --interaction-spacing 1ms --inactivity-timeout 5s
/// --allowed-lateness 1s` (the e2e benchmark's input, scaled to `events` records), partitioned by
/// librdkafka's default partitioner (`consistent_random`: CRC-32 of the key modulo the partition
/// count) over 128 ``PartitionTopology`` instances with the e2e run's settings (inactivity 5 s,
/// lateness 1 s, idle advance 2 s, default windows and alerts), fed partition by partition in
/// chunks of 2,000 records as fetch responses arrive, each chunk followed by a tick of its
/// partition (as the poll loop does), and at the end one tick 1 h later that closes everything.
///
/// The records are generated once into one buffer, partition after partition (as a fetched
/// batch holds them); each repetition builds fresh topologies (not timed) and feeds all records
/// (timed). `emit` adds up the output bytes' length, first and last byte so that nothing can be
/// optimised away; ``fingerprint`` hashes every output in full (untimed), to check that an
/// optimisation changed no byte.
struct TopologyBench {
    static let configuration = TopologyConfiguration(
        inactivityTimeoutMs: 5_000, allowedLatenessMs: 1_000, idleAdvanceAfterMs: 2_000)

    struct Record {
        var keyStart: Int32
        var keyCount: Int32
        var valueStart: Int32
        var valueCount: Int32
    }

    let partitions: Int
    let chunk: Int
    private(set) var bytes: [UInt8] = []
    /// Records per partition, in partition order.
    private(set) var byPartition: [[Record]]
    private(set) var recordCount = 0
    private(set) var valueBytes = 0
    let interactions: Int

    /// Generates about `events` records (201,650 interactions give 1,000,032 records in e2e).
    init(events: Int, partitions: Int = 128, chunk: Int = 2_000) {
        self.partitions = partitions
        self.chunk = chunk
        interactions = max(1, Int((Double(events) * 201_650 / 1_000_032).rounded()))
        let traffic = TrafficConfiguration(
            seed: 1, interactions: interactions, spanMs: Int64(interactions), inactivityTimeoutMs: 5_000,
            allowedLatenessMs: 1_000)
        let generator: TrafficGenerator
        do {
            generator = try TrafficGenerator(configuration: traffic)
        } catch {
            fatalError("traffic configuration: \(error)")
        }
        byPartition = Array(repeating: [], count: partitions)
        // Each partition's records lie one after the other, as in a fetched batch (not in the
        // generator's interleaved order, which would make every record a cache miss).
        var partitionBytes = [[UInt8]](repeating: [], count: partitions)
        for record in generator {
            let p = Int(Self.crc32(record.key) % UInt32(partitions))
            let keyStart = Int32(partitionBytes[p].count)
            partitionBytes[p].append(contentsOf: record.key)
            let valueStart = Int32(partitionBytes[p].count)
            partitionBytes[p].append(contentsOf: record.value)
            byPartition[p].append(Record(
                keyStart: keyStart, keyCount: Int32(record.key.count), valueStart: valueStart,
                valueCount: Int32(record.value.count)))
            recordCount += 1
            valueBytes += record.value.count
        }
        bytes.reserveCapacity(partitionBytes.reduce(0) { $0 + $1.count })
        for p in 0..<partitions {
            let base = Int32(bytes.count)
            bytes.append(contentsOf: partitionBytes[p])
            for i in byPartition[p].indices {
                byPartition[p][i].keyStart += base
                byPartition[p][i].valueStart += base
            }
        }
    }

    /// Fresh topologies for one pass.
    func makeTopologies() -> [PartitionTopology] {
        (0..<partitions).map { PartitionTopology(partition: Int32($0), configuration: Self.configuration) }
    }

    /// Counts of what one pass emitted, and a cheap checksum of the bytes.
    struct Totals {
        var summaries = 0
        var deadLetters = 0
        var partials = 0
        var progressMarkers = 0
        var outputBytes = 0
        var checksum = 0
    }

    /// Feeds every record through `topologies`; `emit` sees every output.
    func feed(_ topologies: [PartitionTopology], emit: (TopologyOutput) -> Void) {
        bytes.withUnsafeBytes { all in
            let base = all.baseAddress!
            var nextOffset = [Int64](repeating: 0, count: partitions)
            var round = 0
            var fed = true
            while fed {
                fed = false
                for p in 0..<partitions {
                    let records = byPartition[p]
                    let start = round * chunk
                    guard start < records.count else { continue }
                    fed = true
                    let topology = topologies[p]
                    var offset = nextOffset[p]
                    for r in records[start..<min(records.count, start + chunk)] {
                        topology.process(
                            key: UnsafeRawBufferPointer(start: base + Int(r.keyStart), count: Int(r.keyCount)),
                            value: UnsafeRawBufferPointer(start: base + Int(r.valueStart), count: Int(r.valueCount)),
                            offset: offset, arrivalMs: 0, emit: emit)
                        offset += 1
                    }
                    nextOffset[p] = offset
                    topology.tick(nowMs: 0, emit: emit)
                }
                round += 1
            }
            for topology in topologies { topology.tick(nowMs: 3_600_000, emit: emit) }
        }
    }

    /// One timed-shape pass: cheap per-output work only.
    func run(_ topologies: [PartitionTopology]) -> Totals {
        var totals = Totals()
        feed(topologies) { output in
            let value = output.value
            totals.outputBytes &+= value.count
            if value.count > 0 { totals.checksum &+= Int(value[0]) &+ Int(value[value.count - 1]) }
            switch output.info {
            case .summary(_, _, _, _, let published): if published { totals.summaries += 1 }
            case .deadLetter: totals.deadLetters += 1
            case .partial: totals.partials += 1
            case .progress: totals.progressMarkers += 1
            }
        }
        return totals
    }

    /// FNV-1a 64 of every output's kind, key, value and payload facts, in order.
    func fingerprint() -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix(_ raw: UnsafeRawBufferPointer) {
            for b in raw {
                hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3
            }
            hash = (hash ^ 0xFF) &* 0x0000_0100_0000_01B3
        }
        func mix(_ text: String) {
            var text = text
            text.withUTF8 { mix(UnsafeRawBufferPointer($0)) }
        }
        feed(makeTopologies()) { output in
            if let key = output.key { mix(key) } else { mix("<nil>") }
            mix(output.value)
            switch output.info {
            case let .summary(id, outcome, reason, stages, published):
                mix("summary \(String(decoding: id, as: UTF8.self)) \(outcome.rawValue) \(reason.rawValue) \(stages.rawValue) \(published) \(output.evicted)")
            case let .deadLetter(code, detail, offset):
                mix("dlq \(code.rawValue) \(detail) \(offset)")
            case let .partial(windowStart):
                mix("partial \(windowStart)")
            case let .progress(completeThrough, _, _):
                mix("progress \(completeThrough)")
            }
        }
        return hash
    }

    /// CRC-32 (IEEE), as librdkafka's `consistent_random` partitioner computes it.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }
}
