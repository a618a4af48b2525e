// Session store benchmark: memory per open session and routing throughput with ~1 M open
// sessions and timers firing, versus the same traffic on an initially empty store.
//
// Run: swift build -c release --product SessionBenchmark && .build/release/SessionBenchmark
// Arguments: [all|memory|empty|loaded|hits] [events] (defaults: all, 3,000,000 measured events).

import CMalloc
import CallbackStreamCore

#if canImport(Glibc)
import Glibc
#endif

/// Placeholder per-session state: 64 bytes, standing in for the processor's `InteractionState`.
struct PlaceholderState {
    var events: Int64 = 0
    var lastTime: Int64 = 0
    var sessionSeq: Int64 = 0
    var padding: (Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0)
}

// MARK: Keys: a 36-byte UUID-shaped interaction id derived from a 64-bit number.

@inline(__always)
func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

@inline(__always)
func withKey<R>(_ id: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 36) { buffer in
        var high = mix(id), low = mix(id ^ 0x5555_5555_5555_5555)
        var position = 0
        for index in 0 ..< 32 {
            if position == 8 || position == 13 || position == 18 || position == 23 {
                buffer[position] = UInt8(ascii: "-")
                position += 1
            }
            let nibble: UInt8
            if index < 16 {
                nibble = UInt8(truncatingIfNeeded: high & 0xF)
                high >>= 4
            } else {
                nibble = UInt8(truncatingIfNeeded: low & 0xF)
                low >>= 4
            }
            buffer[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            position += 1
        }
        return body(UnsafeRawBufferPointer(buffer))
    }
}

// MARK: Measurement helpers

func residentBytes() -> Int {
    let descriptor = open("/proc/self/statm", O_RDONLY)
    guard descriptor >= 0 else { return 0 }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 128)
    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 127) }
    guard count > 0 else { return 0 }
    let fields = String(decoding: buffer[0 ..< count], as: UTF8.self).split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func mallocInUse() -> Int { Int(callback_stream_malloc_in_use()) }

func seconds(_ duration: Duration) -> Double {
    let (whole, attoseconds) = duration.components
    return Double(whole) + Double(attoseconds) / 1e18
}

/// CPU time of this thread: unlike wall time, it excludes time spent descheduled while other
/// processes use the (shared, 2-core) machine.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Runs `body` and returns the thread CPU seconds it took.
func measureCPU(_ body: () -> Void) -> Double {
    let before = threadCPUSeconds()
    body()
    return threadCPUSeconds() - before
}

func format(_ value: Double, _ decimals: Int = 1) -> String {
    var scale = 1.0
    for _ in 0 ..< decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}

func millions(_ rate: Double) -> String { format(rate / 1e6, 2) + " M" }

// MARK: Traffic

let minute: Int64 = 60_000
let timeout: Int64 = 30 * minute
let configuration = SessionStoreConfiguration(maximumOpenSessions: 4_000_000, maximumRememberedSessions: 4_000_000)

/// Interaction lifecycle traffic in event-time order: `perMillisecond` interactions start every
/// event-time millisecond; each emits ready, opened, started, submitted, completed, closed at
/// +0, +0.2, +1.5, +20, +21, +22 s; every tenth abandons after `started` (and times out 30 min later).
struct LifecycleTraffic {
    static let offsets: [Int64] = [0, 200, 1_500, 20_000, 21_000, 22_000]
    let start: Int64
    let idBase: UInt64
    let perMillisecond: Int64
    var step: Int64 = 0
    var phase = 0
    var lane: Int64 = 0

    init(start: Int64, idBase: UInt64, perMillisecond: Int64) {
        self.start = start
        self.idBase = idBase
        self.perMillisecond = perMillisecond
    }

    mutating func next() -> (id: UInt64, time: Int64, closed: Bool) {
        while true {
            let phaseNow = phase, laneNow = lane
            let startStep = step - Self.offsets[phaseNow]
            let time = start + step
            lane += 1
            if lane == perMillisecond {
                lane = 0
                phase += 1
                if phase == Self.offsets.count {
                    phase = 0
                    step += 1
                }
            }
            if startStep < 0 { continue }
            let interaction = startStep * perMillisecond + laneNow
            if interaction % 10 == 0, phaseNow >= 3 { continue }
            return (idBase + UInt64(interaction), time, phaseNow == Self.offsets.count - 1)
        }
    }
}

struct RunResult {
    var eventsPerSecond: Double
    var closes: Int
    var openBefore: Int
    var openAfter: Int
    var timeouts: Int
    var evictions: Int
}

/// Routes `events` events of `traffic` (apply to state, report `closed`, drain closes every record,
/// tick the wall clock every 1,000 records) and times it. Record offsets start at `firstOffset` and
/// increase by one per event, as in a partition (the prefill used the offsets before it).
func run(_ store: inout SessionStore<PlaceholderState>, traffic: LifecycleTraffic, events: Int, firstOffset: Int64) -> RunResult {
    var traffic = traffic
    var closes = 0, wall: Int64 = 0, offset = firstOffset - 1
    let openBefore = store.openSessionCount
    let timeoutsBefore = store.metrics.inactivityTimeouts, evictionsBefore = store.metrics.evictions
    let elapsed = measureCPU {
        for index in 0 ..< events {
            let event = traffic.next()
            offset += 1
            let route = withKey(event.id) { key in
                store.route(interactionId: key, eventTime: event.time, offset: offset, arrivedAt: WallInstant(milliseconds: wall)) { sequence in
                    PlaceholderState(sessionSeq: Int64(sequence))
                }
            }
            switch route {
            case let .existing(handle, _), let .opened(handle, _):
                store.withState(handle) { state in
                    state.events += 1
                    state.lastTime = event.time
                }
                if event.closed { store.noteClosedEvent(handle, eventTime: event.time) }
            case .late, .rejected:
                break
            }
            if index % 1_000 == 0 {
                wall += 1
                store.tick(now: WallInstant(milliseconds: wall))
            }
            store.drainClosed { closed, _ in closes &+= closed.state.events > 0 ? 1 : 0 }
        }
    }
    return RunResult(
        eventsPerSecond: Double(events) / elapsed, closes: closes,
        openBefore: openBefore, openAfter: store.openSessionCount,
        timeouts: store.metrics.inactivityTimeouts - timeoutsBefore, evictions: store.metrics.evictions - evictionsBefore
    )
}

/// Opens `count` sessions with ids `idBase ..< idBase + count` and event times spread evenly
/// over `first ..< first + span` (in order), so their deadlines are spread over the next `span`;
/// their record offsets are `firstOffset ..< firstOffset + count`.
func prefill(_ store: inout SessionStore<PlaceholderState>, count: Int, idBase: UInt64, first: Int64, span: Int64, firstOffset: Int64 = 0) -> Double {
    let elapsed = measureCPU {
        for index in 0 ..< count {
            let time = first + Int64(index) * span / Int64(count)
            _ = withKey(idBase + UInt64(index)) { key in
                store.route(interactionId: key, eventTime: time, offset: firstOffset + Int64(index), arrivedAt: WallInstant(milliseconds: 0)) { sequence in
                    PlaceholderState(sessionSeq: Int64(sequence))
                }
            }
        }
    }
    return Double(count) / elapsed
}

// MARK: Scenarios

let start: Int64 = 1_700_000_000_000
let backgroundBase: UInt64 = 1 << 40

/// Memory of 1,000,000 open sessions, then random hits over them.
func memoryReport() {
    let count = 1_000_000
    let mallocBefore = mallocInUse(), residentBefore = residentBytes()
    var store = SessionStore<PlaceholderState>(configuration: configuration)
    let insertRate = prefill(&store, count: count, idBase: backgroundBase, first: start, span: 1_000)
    let mallocAfter = mallocInUse(), residentAfter = residentBytes()
    let footprint = store.footprint
    precondition(store.openSessionCount == count)
    let perSession = { (bytes: Int) in format(Double(bytes) / Double(count)) }
    print("## Memory, \(count) open sessions")
    print("- computed from capacities: store overhead \(perSession(footprint.overhead)) B/session (slots \(perSession(footprint.slots)), hash table \(perSession(footprint.hashTable)), timer heaps \(perSession(footprint.timers)), retained offsets \(perSession(footprint.offsets))); key bytes \(perSession(footprint.keyBytes)) B; states \(perSession(footprint.states)) B; total \(perSession(footprint.total)) B/session")
    print("- malloc in use (mallinfo2 uordblks + hblkhd) delta: \(perSession(mallocAfter - mallocBefore)) B/session (overhead + keys + states)")
    print("- RSS delta (/proc/self/statm): \(perSession(residentAfter - residentBefore)) B/session")
    print("- insert rate (new sessions): \(millions(insertRate)) sessions/s")

    // The computed overhead depends on where the count falls in each buffer's doubling.
    var growing = SessionStore<PlaceholderState>(configuration: configuration)
    var samples: [(Int, Double)] = []
    var inserted = 0
    for checkpoint in stride(from: 100_000, through: 2_000_000, by: 50_000) {
        _ = prefill(
            &growing, count: checkpoint - inserted, idBase: backgroundBase + UInt64(inserted), first: start, span: 1_000,
            firstOffset: Int64(inserted))
        inserted = checkpoint
        samples.append((checkpoint, Double(growing.footprint.overhead) / Double(checkpoint)))
    }
    let lowest = samples.min { $0.1 < $1.1 }!, highest = samples.max { $0.1 < $1.1 }!
    print("- store overhead over 100 k … 2 M open sessions (every 50 k): \(format(lowest.1)) B/session (at \(lowest.0)) … \(format(highest.1)) B/session (at \(highest.0))")

    // Hits on existing sessions in random order: the worst case for caches; must not allocate.
    var random = UInt64(7)
    var hits = 0
    let mallocBeforeHits = mallocInUse()
    let hitCount = 2_000_000
    let elapsed = measureCPU {
        for _ in 0 ..< hitCount {
            random = mix(random)
            let route = withKey(backgroundBase + random % UInt64(count)) { key in
                store.route(interactionId: key, eventTime: start + 500, offset: 0, arrivedAt: WallInstant(milliseconds: 0)) { _ in PlaceholderState() }
            }
            if case let .existing(handle, _) = route {
                store.withState(handle) { $0.events += 1 }
                hits += 1
            }
        }
    }
    precondition(hits == hitCount)
    print("- random hits over all 1 M sessions (cache-miss worst case): \(millions(Double(hitCount) / elapsed)) events/s; malloc in-use delta over \(hitCount) hits: \(mallocInUse() - mallocBeforeHits) B")
    print("")
}

func emptyRun(events: Int, perMillisecond: Int64) -> RunResult {
    var store = SessionStore<PlaceholderState>(configuration: configuration)
    return run(&store, traffic: LifecycleTraffic(start: start, idBase: 0, perMillisecond: perMillisecond), events: events, firstOffset: 0)
}

/// `background` sessions with last events spread over the 30 min before the traffic, so their
/// deadlines fall uniformly over the 30 min after it starts: they time out steadily during the run
/// (timers firing) while about 1 M stay open.
func loadedRun(events: Int, perMillisecond: Int64, maximumOpen: Int = 4_000_000, background: Int = 1_200_000) -> RunResult {
    var store = SessionStore<PlaceholderState>(configuration: SessionStoreConfiguration(
        maximumOpenSessions: maximumOpen, maximumRememberedSessions: 4_000_000
    ))
    _ = prefill(&store, count: background, idBase: backgroundBase, first: start - timeout + 1, span: timeout - 1)
    return run(
        &store, traffic: LifecycleTraffic(start: start, idBase: 0, perMillisecond: perMillisecond), events: events,
        firstOffset: Int64(background))
}

func best(_ results: [RunResult]) -> RunResult {
    results.max { $0.eventsPerSecond < $1.eventsPerSecond }!
}

func rates(_ results: [RunResult]) -> String {
    results.map { millions($0.eventsPerSecond) }.joined(separator: ", ")
}

// MARK: Main

let arguments = Array(CommandLine.arguments.dropFirst())
let scenario = arguments.first { Int($0) == nil } ?? "all"
let events = arguments.compactMap { Int($0) }.first ?? 3_000_000
let repetitions = 3

print("SessionStore benchmark — state: 64-byte placeholder struct (MemoryLayout<PlaceholderState?>.stride = \(MemoryLayout<PlaceholderState?>.stride)); keys: 36-byte UUID-shaped ids")
print("configuration: inactivity timeout 30 min, allowed lateness 5 s, closed-event policy atWatermark")
print("")

/// Compares the empty-store rate with the loaded rate for one traffic density.
func throughputReport(perMillisecond: Int64, title: String) {
    print("### \(title): \(perMillisecond) new interaction(s) per event-time ms, \(events) events (route + apply + drain every record, tick every 1,000); events per thread-CPU second, best of \(repetitions), runs interleaved")
    var emptyResults: [RunResult] = [], loadedResults: [RunResult] = [], cappedResults: [RunResult] = []
    _ = emptyRun(events: min(events, 500_000), perMillisecond: perMillisecond)  // warm-up
    for _ in 0 ..< repetitions {
        emptyResults.append(emptyRun(events: events, perMillisecond: perMillisecond))
        loadedResults.append(loadedRun(events: events, perMillisecond: perMillisecond))
        cappedResults.append(loadedRun(events: events, perMillisecond: perMillisecond, maximumOpen: 1_000_000, background: 1_000_000))
    }
    let baseline = best(emptyResults), loaded = best(loadedResults), capped = best(cappedResults)
    print("- empty store at start: \(millions(baseline.eventsPerSecond)) events/s (runs: \(rates(emptyResults))); open 0 → \(baseline.openAfter), sessions closed \(baseline.closes), timeouts \(baseline.timeouts)")
    print("- with 1.2 M background sessions: \(millions(loaded.eventsPerSecond)) events/s (runs: \(rates(loadedResults))); open \(loaded.openBefore) → \(loaded.openAfter), timeouts fired \(loaded.timeouts) (1 per \(events / max(1, loaded.timeouts)) events)")
    print("- ratio loaded / empty (best runs): \(format(loaded.eventsPerSecond / baseline.eventsPerSecond * 100)) %")
    print("- at a 1 M open-session cap with 1 M background sessions (evicting): \(millions(capped.eventsPerSecond)) events/s (runs: \(rates(cappedResults))); evictions \(capped.evictions), timeouts \(capped.timeouts)")
    print("")
}

switch scenario {
case "memory":
    memoryReport()
case "empty":
    print("empty: \(millions(emptyRun(events: events, perMillisecond: 5).eventsPerSecond)) events/s")
case "loaded":
    print("loaded: \(millions(loadedRun(events: events, perMillisecond: 5).eventsPerSecond)) events/s")
case "hits":
    // For counting allocations with heaptrack: prefill 100 k sessions, then `events` hits.
    var store = SessionStore<PlaceholderState>(configuration: configuration)
    _ = prefill(&store, count: 100_000, idBase: backgroundBase, first: start, span: 1_000)
    var random = UInt64(7)
    for _ in 0 ..< events {
        random = mix(random)
        let route = withKey(backgroundBase + random % 100_000) { key in
            store.route(interactionId: key, eventTime: start + 500, offset: 0, arrivedAt: WallInstant(milliseconds: 0)) { _ in PlaceholderState() }
        }
        if case let .existing(handle, _) = route { store.withState(handle) { $0.events += 1 } }
    }
    print("hits: \(events) done, open \(store.openSessionCount)")
default:
    memoryReport()
    print("## Throughput")
    throughputReport(perMillisecond: 5, title: "Steady-state traffic for 1 M open sessions")
    throughputReport(perMillisecond: 1, title: "Timer stress (5× fewer events per timeout)")
}
