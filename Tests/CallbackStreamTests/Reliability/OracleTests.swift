import CallbackTraffic
import Foundation
import Testing

extension Reliability {
    /// The suite's own oracle: if the kcat parser or the truth comparison were wrong, every
    /// scenario could pass vacuously. These run without any process.
    @Suite struct Oracle {
        /// kcat output, in ``KcatRecordParser/format``, for (partition, offset, key, value, headers).
        static func kcatBytes(_ records: [(Int32, Int64, [UInt8]?, [UInt8]?, String)]) -> Data {
            var data = Data()
            for (partition, offset, key, value, headers) in records {
                data.append(Data("\(partition) \(offset) \(key.map { $0.count } ?? -1) \(value.map { $0.count } ?? -1)\n".utf8))
                if let key { data.append(contentsOf: key) }
                if let value { data.append(contentsOf: value) }
                data.append(Data(headers.utf8))
                data.append(0x1E)
            }
            return data
        }

        struct Parsed: Equatable {
            var partition: Int32
            var offset: Int64
            var key: [UInt8]?
            var value: [UInt8]?
            var headers: String
        }

        static func parse(_ data: Data, chunk: Int) throws -> [Parsed] {
            var parser = KcatRecordParser()
            var result: [Parsed] = []
            var start = 0
            while start < data.count {
                let end = min(data.count, start + chunk)
                try parser.feed(data.subdata(in: start..<end)) { view in
                    result.append(Parsed(partition: view.partition, offset: view.offset, key: view.key.map(Array.init),
                                         value: view.value.map(Array.init), headers: view.headers))
                }
                start = end
            }
            return result
        }

        @Test func parserReadsBinaryRecordsSplitAnywhere() throws {
            let records: [(Int32, Int64, [UInt8]?, [UInt8]?, String)] = [
                (0, 0, Array("k1".utf8), [0x7B, 0xFF, 0x0A, 0xC3, 0x28, 0x7D], "error=invalid_json,source.offset=0"),
                (3, 17, nil, nil, ""),
                (11, 4, Array("k3".utf8), [], "summaryId=k3:1:5"),
                (2, 9, Array("k4".utf8), Array(repeating: 0x78, count: 70_000), "error=too_large,error.detail=70000 bytes"),
            ]
            let data = Self.kcatBytes(records)
            let expected = records.map { Parsed(partition: $0.0, offset: $0.1, key: $0.2, value: $0.3, headers: $0.4) }
            for chunk in [1, 2, 7, 64, 4_096, data.count] {
                #expect(try Self.parse(data, chunk: chunk) == expected, "chunks of \(chunk) bytes")
            }
            var parser = KcatRecordParser()
            #expect(throws: KcatRecordParser.Malformed.self) { try parser.feed(Data("not kcat\n".utf8)) { _ in } }
        }

        /// A summary as the processor would write it for `session` (only the compared fields).
        static func summary(_ session: ExpectedSession, outcome: String? = nil) -> [UInt8] {
            let object: [String: Any] = [
                "summaryId": session.summaryId, "interactionId": session.interactionId, "sessionSeq": session.sessionSeq,
                "outcome": outcome ?? session.outcome.rawValue, "closeReason": session.closeReason.rawValue,
                "events": session.events.map(\.rawValue), "proactive": session.proactive, "prefilled": session.prefilled,
                "autoSubmitted": session.autoSubmitted, "errors": Array(Set(session.errors)).sorted(),
                "formFields": session.formFields, "attributes": session.attributes,
                "elapsedMs": session.elapsedMs.map { $0 as Any } ?? NSNull(),
                "timeToStartMs": session.timeToStartMs.map { $0 as Any } ?? NSNull(),
                "timeToSubmitMs": session.timeToSubmitMs.map { $0 as Any } ?? NSNull(),
                "openDurationMs": session.openDurationMs.map { $0 as Any } ?? NSNull(),
            ]
            return Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }

        static func census(_ values: [(String, [UInt8])]) throws -> SummaryCensus {
            var census = SummaryCensus()
            let data = kcatBytes(values.enumerated().map { index, entry in
                (0, Int64(index), Array(entry.0.utf8), entry.1, "summaryId=\(entry.0)")
            })
            var parser = KcatRecordParser()
            try parser.feed(data) { census.add($0) }
            return census
        }

        @Test func verdictCountsLostInventedDifferingAndDuplicatedSummaries() throws {
            let configuration = TrafficConfiguration(seed: 5, interactions: 40, inactivityTimeoutMs: 3_000, allowedLatenessMs: 1_000)
            let sessions = try #require(try GroundTruth(configuration: configuration).expectedSessions)
            let published = sessions.filter(\.isPublishedByDefault)
            #expect(published.count > 10)
            let all = published.map { ($0.summaryId, Self.summary($0)) }

            let exact = TruthVerdict(census: try Self.census(all), sessions: sessions)
            #expect(exact.exact && exact.expected == published.count && exact.duplicates == 0)

            let missingOne = TruthVerdict(census: try Self.census(Array(all.dropFirst())), sessions: sessions)
            #expect(missingOne.lost == [published[0].summaryId] && !missingOne.exact)

            let extra = TruthVerdict(census: try Self.census(all + [("nobody:1:0", Array("{}".utf8))]), sessions: sessions)
            #expect(extra.invented == ["nobody:1:0"] && !extra.exact)

            var changed = all
            let other = published[1].outcome == .completed ? "failed" : "completed"
            changed[1].1 = Self.summary(published[1], outcome: other)
            let differing = TruthVerdict(census: try Self.census(changed), sessions: sessions)
            #expect(differing.mismatched.count == 1 && differing.mismatched[0].contains("outcome") && !differing.exact)

            let replayed = TruthVerdict(census: try Self.census(all + [all[2]]), sessions: sessions)
            #expect(replayed.exact && replayed.duplicates == 1)

            let corrupt = TruthVerdict(census: try Self.census(all + [(all[2].0, Self.summary(published[2], outcome: other))]), sessions: sessions)
            #expect(corrupt.nonIdenticalDuplicates == [all[2].0] && !corrupt.exact)
        }
    }
}
