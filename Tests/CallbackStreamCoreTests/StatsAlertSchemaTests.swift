import TestSupport
import Foundation
import Testing
@testable import CallbackStreamCore

/// Validates the schema examples and real encoder output with python3 `jsonschema`
/// (`scripts/validate_stats_alert_schemas.py`).
@Suite struct StatsAlertSchemaTests {
    private static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func runValidator(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let script = Self.root.appendingPathComponent("scripts/validate_stats_alert_schemas.py").path
        return try SpawnedProcess.run("/usr/bin/env", ["python3", script] + arguments)
    }

    @Test func examplesMatchTheSchemas() throws {
        let result = try runValidator([])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("stats: 2 valid and 3 invalid"))
    }

    @Test func encoderOutputMatchesTheSchemas() throws {
        // Real records from randomized aggregator runs on three partitions, merged: escapes, nulls,
        // alerts; and the partials and progress markers in between.
        var random = SeededRandom(seed: 3)
        var aggregators = (0 ..< 3).map {
            WindowAggregator(configuration: WindowConfiguration(partition: Int32($0), inputPartitionCount: 3))
        }
        for _ in 0 ..< 600 {
            let errors = Int.random(in: 0 ..< 3, using: &random) == 0 ? ["E\(Int.random(in: 0 ..< 9, using: &random))"] : []
            aggregators[Int.random(in: 0 ..< 3, using: &random)].add(SessionContribution(
                closeTime: Int64.random(in: 1_700_000_000_000 ..< 1_700_000_300_000, using: &random),
                tenant: ["acme", "t\"q\n", "ünï", nil][Int.random(in: 0 ..< 4, using: &random)],
                outcome: Int.random(in: 0 ..< 6, using: &random), submitted: Bool.random(using: &random),
                errorCodes: errors,
                elapsedMilliseconds: Bool.random(using: &random) ? Int64.random(in: 0 ..< 900_000, using: &random) : nil,
                closeReason: Bool.random(using: &random) ? .closed : .inactivityTimeout,
                earlyClose: Int.random(in: 0 ..< 10, using: &random) == 0 ? .evicted : nil
            ))
        }
        var merger = WindowMerger(configuration: WindowMergerConfiguration(alertMinVolume: 3))
        var statsDocuments: [[UInt8]] = [], alertDocuments: [[UInt8]] = [], partialDocuments: [[UInt8]] = []
        var offset: Int64 = 0
        for index in aggregators.indices {
            aggregators[index].advance(to: 1_700_000_400_000)
            aggregators[index].drainOutputs { output in
                let bytes: [UInt8]
                switch output {
                case let .partial(partial): bytes = WindowPartialEncoder().encode(partial)
                case let .progress(marker): bytes = WindowPartialEncoder().encode(marker)
                }
                partialDocuments.append(bytes)
                for result in bytes.withUnsafeBytes({ merger.add(value: $0, offset: offset, nowMs: 0) }) {
                    switch result {
                    case let .stats(_, _, value): statsDocuments.append(value)
                    case let .alert(_, _, value): alertDocuments.append(value)
                    case .latePartial: Issue.record("late partial")
                    }
                }
                offset += 1
            }
        }
        #expect(merger.metrics.rejectedMessages == 0 && merger.openWindowCount == 0)
        statsDocuments.append(StatsRecordEncoder().encode(StatsAlertEncoderTests.sampleRecord(tenant: nil, elapsed: [])))
        alertDocuments.append(AlertRecordEncoder().encode(StatsAlertEncoderTests.sampleAlert(tenant: nil)))
        #expect(statsDocuments.count > 10)
        #expect(alertDocuments.count > 2)

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stats-alert-schema-\(UInt64.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ documents: [[UInt8]], _ kind: String) throws -> [String] {
            try documents.enumerated().map { index, bytes in
                let url = directory.appendingPathComponent("\(kind)-\(index).json")
                try Data(bytes).write(to: url)
                return url.path
            }
        }
        let statsResult = try runValidator(["stats"] + write(statsDocuments, "stats"))
        #expect(statsResult.status == 0, "\(statsResult.output)")
        let alertResult = try runValidator(["alert"] + write(alertDocuments, "alert"))
        #expect(alertResult.status == 0, "\(alertResult.output)")
        #expect(partialDocuments.count > 20)
        let partialResult = try SchemaValidationTests.validate(["--schema", "stats-partial"] + write(partialDocuments, "partial"))
        #expect(partialResult.status == 0, "\(partialResult.output)")
        // The validator does reject a broken document.
        var broken = statsDocuments[0]
        broken.removeLast()
        let brokenResult = try runValidator(["stats"] + write([broken], "broken"))
        #expect(brokenResult.status == 1)
    }
}
