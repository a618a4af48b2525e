import CallbackStreamCore
import CallbackTraffic
import Testing

extension Reliability {
    /// Regression test for a bug the bad-input flood found: the traffic generator's ground truth
    /// expected `invalid_json` for records nested 10,000 deep, while the contract (the decoder,
    /// `schemas/lifecycle-event.schema.json`) says a nesting beyond the depth limit is
    /// `too_large`. Every malformed kind's expected code must be what the decoder decides.
    @Suite struct MalformedRecordCodes {
        @Test(arguments: MalformedKind.allCases)
        func expectedCodeIsTheDecodersRejection(kind: MalformedKind) {
            let decoder = LifecycleEventDecoder()
            let records = MalformedRecordGenerator(seed: 7, count: 90, kinds: [kind])
            for bad in records {
                let code: String? = bad.record.key.withUnsafeBytes { key in
                    bad.record.value.withUnsafeBytes { value in
                        if case .rejected(let rejection) = decoder.decode(key: key, value: value) { return rejection.code.rawValue }
                        return nil
                    }
                }
                #expect(code == bad.expectedErrorCode, "\(kind): \(bad.detail)")
            }
        }
    }
}
