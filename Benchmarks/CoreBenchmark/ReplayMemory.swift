import CallbackStreamCore
import CoreBenchmarkSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The replay benchmark's shape without Kafka: `sessions` interactions that each sent one `ready`
/// event (metadata block, 3 attributes, a 36-byte UUID-shaped interaction id and event id, as
/// written by `Benchmarks/e2e/e2e.py` `write_first_events`), spread over `partitions`
/// ``PartitionTopology`` instances and fed partition by partition in chunks of `chunk` records
/// (the way the processor receives fetch responses). Reports the heap (glibc `mallinfo2`) and RSS
/// growth per open session, the session stores' computed footprint and the allocations.
///
/// Records are written one at a time into a reused buffer, so the input costs no memory.
enum ReplayMemory {
    static let tenants = ["acme", "globex", "initech", "umbrella", "hooli"]
    static let pages = ["/support", "/help/faq", "/contact", "/billing", "/account"]
    static let deployments = ["prod-us-1", "prod-us-2", "prod-eu-1", "prod-ap-1"]
    static let startMs: Int64 = 1_767_225_600_000

    /// `x` of e2e.py's `uuid_like(n, salt)`: also decides the partition (`x & (partitions − 1)`).
    static func uuidHigh(_ n: Int, salt: UInt64) -> UInt64 {
        UInt64(n) &* 0x9E37_79B9_7F4A_7C15 &+ salt
    }

    /// e2e.py's `uuid_like(n, salt)`: 32 hex digits of (x, y) grouped 8-4-4-4-12.
    static func appendUUID(_ n: Int, salt: UInt64, to out: inout [UInt8]) {
        let x = uuidHigh(n, salt: salt)
        let y = (x ^ (x >> 31)) &* 0xBF58_476D_1CE4_E5B9
        var position = 0
        for half in 0..<2 {
            let word = half == 0 ? x : y
            for shift in stride(from: 60, through: 0, by: -4) {
                if position == 8 || position == 12 || position == 16 || position == 20 { out.append(UInt8(ascii: "-")) }
                let nibble = UInt8(truncatingIfNeeded: (word >> UInt64(shift)) & 0xF)
                out.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
                position += 1
            }
        }
    }

    /// Writes interaction `n`'s key and `ready` record (the same JSON text as e2e.py).
    static func record(_ n: Int, key: inout [UInt8], value: inout [UInt8]) {
        key.removeAll(keepingCapacity: true)
        value.removeAll(keepingCapacity: true)
        appendUUID(n, salt: 0x5EED, to: &key)
        func text(_ s: String) { value.append(contentsOf: s.utf8) }
        text(#"{"metadata":{"autoSubmitted":false,"cancelled":false,"closed":false,"completed":false,"#)
        text(#""elapsed":false,"errors":false,"form":false,"opened":false,"prefilled":"#)
        text(n % 3 == 0 ? "true" : "false")
        text(#","proactive":"#)
        text(n % 5 == 0 ? "true" : "false")
        text(#","started":false},"attributes":{"tenant":""#)
        text(tenants[n % 5])
        text(#"","deployment":""#)
        text(deployments[n % 4])
        text(#"","page":""#)
        text(pages[(n / 7) % 5])
        text(#""},"timestamp":"#)
        text(String(startMs + Int64(n)))
        text(#","event":"ready","interactionId":""#)
        value.append(contentsOf: key)
        text(#"","eventId":""#)
        appendUUID(n, salt: 0xE7E7, to: &value)
        text(#""}"#)
    }

    static func residentBytes() -> Int {
        let descriptor = open("/proc/self/statm", O_RDONLY)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 127) }
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func run(sessions: Int, partitions: Int, chunk: Int = 2_000) {
        precondition(partitions > 0 && partitions & (partitions - 1) == 0, "partitions must be a power of two")
        let configuration = TopologyConfiguration(
            inactivityTimeoutMs: 3_600_000, allowedLatenessMs: 1_000, maxOpenSessions: 2 * sessions)
        // Interaction n goes to partition uuidHigh(n) & mask; uuidHigh is n·K + salt with K odd,
        // so partition p receives exactly the n ≡ first[p] (mod partitions).
        let mask = UInt64(partitions - 1)
        var first = [Int](repeating: -1, count: partitions)
        for n in 0..<partitions { first[Int(uuidHigh(n, salt: 0x5EED) & mask)] = n }
        precondition(!first.contains(-1))

        var key: [UInt8] = []
        var value: [UInt8] = []
        key.reserveCapacity(64)
        value.reserveCapacity(1024)
        record(0, key: &key, value: &value)  // warm up the generator's own one-time allocations

        let residentStart = residentBytes(), heapStart = cbs_heap_in_use()
        var topologies: [PartitionTopology] = []
        for p in 0..<partitions {
            topologies.append(PartitionTopology(partition: Int32(p), configuration: configuration))
        }
        let residentBase = residentBytes(), heapBase = cbs_heap_in_use()
        let allocationsBefore = cbs_allocation_count()
        var outputs = 0
        var nextOffset = [Int64](repeating: 0, count: partitions)
        var fed = 0
        let started = DispatchClock.now()
        var round = 0
        while fed < sessions {
            for p in 0..<partitions {
                let topology = topologies[p]
                for j in (round * chunk)..<((round + 1) * chunk) {
                    let n = first[p] + j * partitions
                    guard n < sessions else { break }
                    record(n, key: &key, value: &value)
                    key.withUnsafeBytes { k in
                        value.withUnsafeBytes { v in
                            topology.process(key: k, value: v, offset: nextOffset[p], arrivalMs: 0) { output in
                                // Window progress markers and (empty) partials are expected; a summary or a dead letter is not.
                                switch output.info {
                                case .summary, .deadLetter: outputs += 1
                                case .partial, .progress: break
                                }
                            }
                        }
                    }
                    nextOffset[p] += 1
                    fed += 1
                }
            }
            round += 1
        }
        let seconds = DispatchClock.seconds(since: started)
        let allocations = cbs_allocation_count() - allocationsBefore
        let residentEnd = residentBytes(), heapEnd = cbs_heap_in_use()
        let open = topologies.reduce(0) { $0 + $1.openSessionCount }
        precondition(open == sessions && outputs == 0, "every session must be open and no summary or dead letter emitted")

        var store = SessionStoreFootprint()
        for topology in topologies {
            let f = topology.sessionStoreFootprint
            store.slots += f.slots
            store.hashTable += f.hashTable
            store.keyBytes += f.keyBytes
            store.timers += f.timers
            store.offsets += f.offsets
            store.states += f.states
            store.pendingCloses += f.pendingCloses
        }
        func per(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / Double(sessions)) }
        print("replay shape: \(sessions) open sessions (one `ready` event, metadata block, 3 attributes, 36-byte ids) in \(partitions) partitions, fed in chunks of \(chunk) records per partition")
        print("- \(partitions) empty topologies: heap \(per(Int(heapBase) - Int(heapStart))) B/session-equivalent (\((Int(heapBase) - Int(heapStart)) / 1024) KiB), RSS \((residentBase - residentStart) / 1024) KiB")
        print("- per open session: heap (mallinfo2 in use) \(per(Int(heapEnd) - Int(heapBase))) B, RSS \(per(residentEnd - residentBase)) B")
        print("- session stores, computed from capacities: overhead \(per(store.overhead)) B (slots \(per(store.slots)), hash table + recent-key cache \(per(store.hashTable)), timer heaps \(per(store.timers)), retained offsets \(per(store.offsets)), pending \(per(store.pendingCloses))); key bytes \(per(store.keyBytes)) B; inline states \(per(store.states)) B")
        print("- heap not in the stores' buffers (states' heap blocks, symbol tables, malloc headers and slack): \(per(Int(heapEnd) - Int(heapBase) - store.total)) B")
        print(String(format: "- %.3f allocations per session; %.0f records/s", Double(allocations) / Double(sessions), Double(sessions) / seconds))
        withExtendedLifetime(topologies) {}
    }
}

/// Monotonic wall time for the replay phase.
enum DispatchClock {
    static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    static func seconds(since start: UInt64) -> Double { Double(now() - start) / 1e9 }
}
