/// A realistic, deterministic lifecycle event mix held in one contiguous buffer: interleaved
/// interactions following the seed's scenarios (plus failures, timeouts, a few duplicates and
/// out-of-order deliveries), each record with a full metadata block and 4–5 attributes.
struct TrafficMix {
    struct Record {
        var keyStart: Int32
        var keyCount: Int32
        var valueStart: Int32
        var valueCount: Int32
    }

    private(set) var bytes: [UInt8] = []
    private(set) var records: [Record] = []
    private(set) var interactions = 0

    /// Generates about `events` records with `concurrent` interactions in flight at a time.
    init(events: Int, concurrent: Int = 2_000, seed: UInt64 = 1) {
        var rng = SplitMix64(seed: seed)
        bytes.reserveCapacity(events * 480)
        records.reserveCapacity(events + 16)
        var active: [Interaction] = []
        var clock: Int64 = 1_732_550_400_000
        var next = 0
        func fresh() -> Interaction {
            next += 1
            return Interaction(number: next, start: clock, rng: &rng)
        }
        for _ in 0..<concurrent { active.append(fresh()) }
        var pendingSwap: (key: [UInt8], value: [UInt8])?
        while records.count < events {
            let slot = Int(rng.next() % UInt64(active.count))
            clock += Int64(rng.next() % 40)
            guard let (key, value) = active[slot].nextRecord(clock: clock, rng: &rng) else {
                active[slot] = fresh()
                continue
            }
            let roll = rng.next() % 1000
            if roll < 10 {
                append(key, value)
                append(key, value)  // a redelivered duplicate
            } else if roll < 20, pendingSwap == nil {
                pendingSwap = (key, value)  // delivered after the next record: out of order
                continue
            } else {
                append(key, value)
            }
            if let swapped = pendingSwap {
                append(swapped.key, swapped.value)
                pendingSwap = nil
            }
        }
        interactions = next
    }

    private mutating func append(_ key: [UInt8], _ value: [UInt8]) {
        let keyStart = Int32(bytes.count)
        bytes.append(contentsOf: key)
        let valueStart = Int32(bytes.count)
        bytes.append(contentsOf: value)
        records.append(
            Record(keyStart: keyStart, keyCount: Int32(key.count), valueStart: valueStart, valueCount: Int32(value.count)))
    }

    var valueBytes: Int { records.reduce(0) { $0 + Int($1.valueCount) } }
}

/// One simulated widget interaction producing its events one at a time.
struct Interaction {
    let id: String
    let path: [String]
    var step = 0
    var timestamps: [String: Int64] = [:]
    let attributes: String
    let proactive: Bool
    let form: String
    let errors: String

    static let paths: [[String]] = [
        ["ready", "opened", "cancelled", "closed"],
        ["ready", "opened", "started", "cancelled", "closed"],
        ["ready", "opened", "started", "submitted", "completed", "closed"],
        ["ready", "opened", "started", "submitted", "completed", "closed"],
        ["ready", "opened", "started", "submitted", "closed"],  // failed
        ["ready", "opened", "started"],  // abandoned, times out
    ]
    static let tenants = ["acme", "globex", "initech", "umbrella", "hooli"]
    static let pages = ["/support/contact", "/pricing", "/checkout", "/account/billing", "/aide/\\u00e9t\\u00e9"]

    init(number: Int, start: Int64, rng: inout SplitMix64) {
        id = "cb-" + String(number + 1_000_000)
        path = Self.paths[Int(rng.next() % UInt64(Self.paths.count))]
        let tenant = Self.tenants[Int(rng.next() % 5)]
        let page = Self.pages[Int(rng.next() % 5)]
        var attributes = #"{"tenant":"\#(tenant)","deployment":"eu-west-1","page":"\#(page)","locale":"en-GB""#
        if rng.next() % 3 == 0 { attributes += #","campaign":"spring-\#(rng.next() % 20)""# }
        self.attributes = attributes + "}"
        proactive = rng.next() % 4 == 0
        form = #"{"firstname":"Ada","lastname":"Lovelace","phonenumber":"+44 20 7946 \#(rng.next() % 10_000)","subject":"Billing"}"#
        errors = path.count == 5 && path[3] == "submitted" ? #"[{"code":"E_PHONE_INVALID","message":"too short"}]"# : "false"
        timestamps["ready"] = start
    }

    mutating func nextRecord(clock: Int64, rng: inout SplitMix64) -> ([UInt8], [UInt8])? {
        guard step < path.count else { return nil }
        let name = path[step]
        step += 1
        let t = max(clock, (timestamps.values.max() ?? clock))
        timestamps[name] = timestamps[name] ?? t
        func ts(_ n: String) -> String { timestamps[n].map(String.init) ?? "false" }
        let submitted = timestamps["submitted"] != nil
        var elapsed = "false"
        if let s = timestamps["started"], let e = timestamps["completed"] ?? timestamps["cancelled"] { elapsed = String(e - s) }
        let prefix = rng.next() % 2 == 0 ? "Callback." : ""
        let json =
            #"{"interactionId":"\#(id)","event":"\#(prefix)\#(name)","timestamp":\#(timestamps[name]!),"eventId":"\#(id)-\#(step)","#
            + #""metadata":{"proactive":\#(proactive),"prefilled":false,"autoSubmitted":false,"errors":\#(submitted ? errors : "false"),"#
            + #""form":\#(submitted ? form : "false"),"opened":\#(ts("opened")),"started":\#(ts("started")),"cancelled":\#(ts("cancelled")),"#
            + #""completed":\#(ts("completed")),"closed":\#(ts("closed")),"elapsed":\#(elapsed)},"attributes":\#(attributes)}"#
        return (Array(id.utf8), Array(json.utf8))
    }
}

/// SplitMix64: a tiny deterministic PRNG.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
