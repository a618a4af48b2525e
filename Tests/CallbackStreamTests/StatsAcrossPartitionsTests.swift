import CallbackTraffic
import Foundation
import Testing

/// Stats and alerts per tenant across all input partitions (CONTRACT §4, issue 16), end to end:
/// partials from every partition's task, merged by the merge stage of whichever instance owns
/// the partials partition, checked exactly against the generator's ground truth.
@Suite(.serialized) struct StatsAcrossPartitionsTests {
    static let t0: Int64 = 1_767_225_600_000
    static let windowMs: Int64 = 10_000  // Pipeline.fastSettings
    static let inactivityTimeoutMs: Int64 = 3_000

    /// What the truth says one (tenant, window) record must hold.
    struct ExpectedWindow {
        var sessions = 0
        var outcomes: [String: Int] = [:]
        var submissions = 0
        var submissionsWithErrors = 0
        var errorCodes: [String: Int] = [:]
        var elapsed: [Int64] = []
    }

    /// The truth's sessions grouped by tenant and the window containing their close time.
    static func expectedWindows(_ truth: GroundTruth) -> [String: ExpectedWindow] {
        var windows: [String: ExpectedWindow] = [:]
        for session in truth.expectedSessions ?? [] {
            let closeTime = session.closeReason == .closed
                ? (session.timestamps.closed ?? session.lastEventTimestampMs)
                : session.lastEventTimestampMs + inactivityTimeoutMs
            let windowStart = closeTime - ((closeTime % windowMs) + windowMs) % windowMs
            var window = windows["\(session.tenant ?? ""):\(windowStart)", default: ExpectedWindow()]
            window.sessions += 1
            window.outcomes[session.outcome.rawValue, default: 0] += 1
            if session.timestamps.submitted != nil {
                window.submissions += 1
                if !session.errors.isEmpty { window.submissionsWithErrors += 1 }
            }
            for code in Set(session.errors) { window.errorCodes[code, default: 0] += 1 }
            if let elapsed = session.elapsedMs { window.elapsed.append(elapsed) }
            windows["\(session.tenant ?? ""):\(windowStart)"] = window
        }
        return windows
    }

    /// The stats records read back, by `statsId`, each with every distinct value seen for it.
    static func statsByID(_ records: [ConsumedRecord]) -> [String: Set<String>] {
        var byID: [String: Set<String>] = [:]
        for record in records {
            guard let id = record.json["statsId"] as? String else { continue }
            byID[id, default: []].insert(record.value)
        }
        return byID
    }

    static func check(_ stats: [String: Set<String>], against expected: [String: ExpectedWindow], partitions: Int) {
        #expect(Set(stats.keys) == Set(expected.keys), "one record per (tenant, window) with sessions, nothing else")
        for (id, values) in stats.sorted(by: { $0.key < $1.key }) {
            #expect(values.count == 1, "\(id): every copy of a record is byte-identical (\(values.count) versions)")
            guard let value = values.first, let want = expected[id],
                  let json = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any]
            else { continue }
            #expect(json["schemaVersion"] as? Int == 2)
            #expect(json["partition"] == nil, "\(id): no partition in schemaVersion 2")
            #expect(json["inputPartitions"] as? Int == partitions && json["completePartitions"] as? Int == partitions, "\(id): every partition reported")
            #expect(json["sessions"] as? Int == want.sessions, "\(id): sessions")
            let outcomes = (json["outcomes"] as? [String: Int] ?? [:]).filter { $0.value > 0 }
            #expect(outcomes == want.outcomes, "\(id): outcomes")
            #expect(json["submissions"] as? Int == want.submissions, "\(id): submissions")
            #expect(json["submissionsWithErrors"] as? Int == want.submissionsWithErrors, "\(id): submissions with errors")
            let codes = (json["errorCodes"] as? [[String: Any]] ?? []).reduce(into: [String: Int]()) {
                $0[$1["code"] as? String ?? "?"] = $1["count"] as? Int
            }
            #expect(codes == want.errorCodes, "\(id): error codes")
            let elapsed = json["elapsedMs"] as? [String: Any] ?? [:]
            let sorted = want.elapsed.sorted()
            for (name, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] where !sorted.isEmpty {
                let exact = Double(sorted[Int(q * Double(sorted.count - 1))])
                let estimate = (elapsed[name] as? NSNumber)?.doubleValue ?? -1
                #expect(abs(estimate - exact) <= 0.01 * exact + 0.5, "\(id) \(name): \(estimate) vs exact \(exact)")
            }
        }
    }

    @Test func twoInstancesPublishOneExactRecordPerTenantAndWindowEvenThroughAKill() async throws {
        let partitions = 8
        let pipeline = try await Pipeline.start(partitions: partitions)
        defer { pipeline.stop() }
        var (first, _) = try await pipeline.startProcessor()
        let (second, _) = try await pipeline.startProcessor()
        defer { first.kill(); second.kill() }

        let generator = try pipeline.startGenerator(
            ProcessorRecoveryTests.generatorArguments(interactions: 3_000, rate: 400, seed: 16) + ["--tenants", "acme,globex,initech"])
        // Mid-traffic: kill -9 one instance (its input and partials partitions move to the other
        // and back to a replacement, which replays both).
        _ = try await pipeline.waitFor("callback.stats", "the first stats records") { !$0.isEmpty }
        first.send(SIGKILL)
        _ = try await first.waitForExit()
        (first, _) = try await pipeline.startProcessor()
        let truth = try await generator.finish(timeout: .seconds(300))

        let expected = Self.expectedWindows(truth)
        #expect(Set(expected.keys.map { $0.split(separator: ":")[0] }) == ["acme", "globex", "initech"])
        let records = try await pipeline.waitFor("callback.stats", "a record for each of \(expected.count) (tenant, window)s", timeout: .seconds(180)) {
            Set(Self.statsByID($0).keys).isSuperset(of: expected.keys)
        }
        Self.check(Self.statsByID(records), against: expected, partitions: partitions)
    }

    /// A session of `tenant` that submitted, with or without an error, on `partition`.
    static func submittedSession(_ id: String, tenant: String, error: Bool, at t: Int64) -> [(key: String, value: String)] {
        let attributes = #","attributes":{"tenant":"\#(tenant)"}"#
        let errors = error ? #""errors":["E_PHONE"]"# : #""errors":false"#
        var events: [(String, String)] = []
        for (i, name) in ["opened", "started", "submitted"].enumerated() {
            events.append((name, #"{"interactionId":"\#(id)","event":"\#(name)","timestamp":\#(t + Int64(i) * 100),"metadata":{\#(errors)}\#(attributes)}"#))
        }
        if !error { events.append(("completed", #"{"interactionId":"\#(id)","event":"completed","timestamp":\#(t + 300)\#(attributes)}"#)) }
        events.append(("closed", #"{"interactionId":"\#(id)","event":"closed","timestamp":\#(t + 400)\#(attributes)}"#))
        return events.map { (id, $0.1) }
    }

    /// Produces records to one partition with kcat.
    static func produce(_ pipeline: Pipeline, _ records: [(key: String, value: String)], partition: Int) async throws {
        let input = records.map { "\($0.key)\t\($0.value)" }.joined(separator: "\n") + "\n"
        _ = try await BrokerCommandTests.kcat(["-b", pipeline.bootstrap, "-P", "-t", "callback.lifecycle", "-p", "\(partition)", "-K\t"], input: input)
    }

    @Test func anAlertFiresOnceForASpikeOverAllPartitionsAndNeverForOneInASinglePartition() async throws {
        let partitions = 8
        let pipeline = try await Pipeline.start(partitions: partitions)
        defer { pipeline.stop() }
        let (processor, _) = try await pipeline.startProcessor(["--alert-threshold", "0.2", "--alert-min-volume", "20"])
        defer { processor.kill() }

        // "spread": 5 submissions on each partition, 2 of them failing: 16 / 40 = 0.4 over all
        // partitions (above the threshold and the minimum volume), but no partition alone has 20.
        // "local": partition 0 alone has 10 failing of 30 (0.33 over 30 submissions: a
        // per-partition alert would fire), yet 10 / 230 over all partitions stays below 0.2.
        for partition in 0..<partitions {
            var records: [(key: String, value: String)] = []
            for i in 0..<5 {
                records += Self.submittedSession("spread-\(partition)-\(i)", tenant: "spread", error: i < 2, at: Self.t0 + Int64(i) * 500)
            }
            let local = partition == 0 ? 30 : 200 / (partitions - 1) + (partition <= 200 % (partitions - 1) ? 1 : 0)
            for i in 0..<local {
                records += Self.submittedSession("local-\(partition)-\(i)", tenant: "local", error: partition == 0 && i < 10, at: Self.t0 + Int64(i) * 10)
            }
            try await Self.produce(pipeline, records, partition: partition)
        }

        let stats = try await pipeline.waitFor("callback.stats", "the window's two records", timeout: .seconds(90)) { $0.count >= 2 }
        let byID = Self.statsByID(stats)
        #expect(Set(byID.keys) == ["spread:\(Self.t0)", "local:\(Self.t0)"])
        let spread = try #require(byID["spread:\(Self.t0)"]?.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(spread["submissions"] as? Int == 40 && spread["submissionsWithErrors"] as? Int == 16)
        let local = try #require(byID["local:\(Self.t0)"]?.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect(local["submissions"] as? Int == 230 && local["submissionsWithErrors"] as? Int == 10)

        // Alerts follow their window's stats records, tenants in byte order: once "spread"'s is
        // out, "local"'s would be too.
        let alerts = try await pipeline.waitFor("callback.alerts", "the spread tenant's alert") { $0.contains { $0.key == "spread" } }
        #expect(alerts.map(\.key) == ["spread"], "exactly one alert, for the spike over all partitions")
        let alert = try #require(alerts.first?.json)
        #expect(alert["schemaVersion"] as? Int == 2 && alert["partition"] == nil)
        #expect(alert["alertId"] as? String == "spread:\(Self.t0)")
        #expect(alert["submissions"] as? Int == 40 && alert["submissionsWithErrors"] as? Int == 16)
    }
}
