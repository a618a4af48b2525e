/// One bad input record, labelled with what it is and the dead-letter code it must get.
public struct MalformedRecord: Sendable, Equatable {
    public var kind: MalformedKind
    /// The dead-letter `error` header the processor must set (`kind.expectedErrorCode`).
    public var expectedErrorCode: String
    /// What exactly is wrong (for test failure messages).
    public var detail: String
    /// The record to produce.
    public var record: GeneratedRecord
}
