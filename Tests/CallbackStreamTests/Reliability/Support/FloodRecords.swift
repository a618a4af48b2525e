import Foundation

/// The key-cardinality flood's input: `count` minimal `opened` events of distinct interactions
/// `flood-0000000`, `flood-0000001`, … that never close, as kcat `key<TAB>value` lines.
///
/// Timestamps advance 1 ms every 10 records from 2026-01-01, so 2,000,000 records span 200 s of
/// event time: far less than the default 30 min inactivity timeout, so sessions only end by
/// eviction.
struct FloodRecords: Sendable {
    static let startTimeMs: Int64 = 1_767_225_600_000
    static let digits = 7
    let count: Int

    /// The interaction id of record `index`.
    static func interactionId(_ index: Int) -> String {
        let number = String(index)
        return "flood-" + String(repeating: "0", count: max(0, digits - number.count)) + number
    }

    /// The record number of an interaction id (`nil` if it is not one of ours).
    static func index(of interactionId: UnsafeRawBufferPointer) -> Int? {
        guard interactionId.count == 6 + digits, interactionId.starts(with: Array("flood-".utf8)) else { return nil }
        var value = 0
        for byte in interactionId.dropFirst(6) {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// Lines `first..<end` as bytes.
    func lines(_ range: Range<Int>) -> Data {
        var text = ""
        text.reserveCapacity(range.count * 100)
        for index in range {
            let id = Self.interactionId(index)
            let timestamp = Self.startTimeMs + Int64(index / 10)
            text += "\(id)\t{\"interactionId\":\"\(id)\",\"event\":\"opened\",\"timestamp\":\(timestamp)}\n"
        }
        return Data(text.utf8)
    }

    /// Produces every record with kcat (lz4, keyed by interaction id) on a thread of its own;
    /// returns the kcat process (wait for its exit to know everything was delivered).
    func produce(bootstrap: String, topic: String = "callback.lifecycle") throws -> ChildProcess {
        let kcat = try ChildProcess(
            BrokerCommandTests.kcat,
            ["-b", bootstrap, "-P", "-t", topic, "-K\t", "-z", "lz4", "-X", "linger.ms=20", "-X", "queue.buffering.max.messages=500000"])
        let count = self.count
        let thread = Thread {
            var start = 0
            while start < count {
                let end = min(count, start + 10_000)
                kcat.write(FloodRecords(count: count).lines(start..<end))
                start = end
            }
            kcat.closeInput()
        }
        thread.start()
        return kcat
    }
}
