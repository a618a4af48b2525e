import Testing
@testable import CallbackStreamCore

@Suite struct StatsAlertEncoderTests {
    static func sampleRecord(tenant: String? = "acme", elapsed: [Int64] = [100, 200, 300]) -> WindowStatsRecord {
        var sketch = DDSketch()
        for value in elapsed { sketch.add(value) }
        return WindowStatsRecord(
            windowStart: 60_000, windowEnd: 120_000, inputPartitions: 8, completePartitions: 8, tenant: tenant, sessions: 4,
            outcomes: zip(WindowConfiguration.contractOutcomeLabels, [1, 1, 1, 0, 0, 1]).map { StatsCount(name: $0, count: $1) },
            submissions: 2, submissionsWithErrors: 1,
            errorCodes: [StatsCount(name: "E1", count: 2), StatsCount(name: "E2", count: 1)], errorCodesOmitted: 0,
            closedByEvent: 2, inactivityTimeouts: 2, evicted: 1, flushed: 0, elapsed: ElapsedSummary(sketch)
        )
    }

    static func sampleAlert(tenant: String? = "acme") -> ErrorSpikeAlert {
        ErrorSpikeAlert(
            windowStart: 60_000, windowEnd: 120_000, tenant: tenant, ratio: 0.25, threshold: 0.2,
            submissions: 40, submissionsWithErrors: 10, minimumSubmissions: 20,
            topErrorCodes: [StatsCount(name: "PHONE", count: 6), StatsCount(name: "MAIL", count: 4)]
        )
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func statsRecordHasAFixedLayout() {
        let record = Self.sampleRecord()
        let json = text(StatsRecordEncoder().encode(record))
        let p50 = record.elapsed.p50!, p95 = record.elapsed.p95!, p99 = record.elapsed.p99!
        #expect(json == """
        {"schemaVersion":2,"statsId":"acme:60000","windowStart":60000,"windowEnd":120000,"tenant":"acme",\
        "inputPartitions":8,"completePartitions":8,"sessions":4,\
        "outcomes":{"completed":1,"failed":1,"abandonedForm":1,"cancelledBeforeStart":0,"submittedUnconfirmed":0,"notOpened":1},\
        "submissions":2,"submissionsWithErrors":1,"errorCodes":[{"code":"E1","count":2},{"code":"E2","count":1}],\
        "errorCodesOmitted":0,"closeReasons":{"closed":2,"inactivityTimeout":2,"maxDuration":0},"evicted":1,"flushed":0,\
        "elapsedMs":{"count":3,"min":100,"max":300,"p50":\(p50),"p95":\(p95),"p99":\(p99),"relativeAccuracy":0.01}}
        """)
    }

    @Test func emptyElapsedAndMissingTenantAreNull() {
        let json = text(StatsRecordEncoder().encode(Self.sampleRecord(tenant: nil, elapsed: [])))
        #expect(json.contains(#""statsId":":60000","#))
        #expect(json.contains(#""tenant":null,"#))
        #expect(json.contains(#""elapsedMs":{"count":0,"min":null,"max":null,"p50":null,"p95":null,"p99":null,"relativeAccuracy":0.01}"#))
    }

    @Test func alertHasAFixedLayout() {
        let json = text(AlertRecordEncoder().encode(Self.sampleAlert()))
        #expect(json == """
        {"schemaVersion":2,"alert":"errorSpike","alertId":"acme:60000","windowStart":60000,"windowEnd":120000,"tenant":"acme",\
        "ratio":0.25,"threshold":0.2,"submissions":40,"submissionsWithErrors":10,"minimumSubmissions":20,\
        "topErrorCodes":[{"code":"PHONE","count":6},{"code":"MAIL","count":4}]}
        """)
    }

    @Test func stringsAreEscaped() {
        let json = text(AlertRecordEncoder().encode(Self.sampleAlert(tenant: "a\"b\\c\nd\u{1}é")))
        #expect(json.contains(#""tenant":"a\"b\\c\nd\u0001é","#))
    }

    @Test func encodingAppendsToTheBuffer() {
        var buffer = Array("prefix:".utf8)
        AlertRecordEncoder().encode(Self.sampleAlert(), into: &buffer)
        #expect(text(buffer).hasPrefix("prefix:{\"schemaVersion\":2,"))
        #expect(buffer.count == 7 + AlertRecordEncoder().encode(Self.sampleAlert()).count)
    }
}
