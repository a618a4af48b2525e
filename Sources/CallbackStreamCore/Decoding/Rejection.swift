/// A record that cannot be processed: a ``RejectionCode`` plus human-readable detail for the
/// dead-letter `error.detail` header.
///
/// The detail names fields and byte offsets only; it never quotes record content, so it never
/// contains form values (PII).
public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The machine code.
    public let code: RejectionCode
    /// Human-readable explanation (no record content).
    public let detail: String

    /// Creates a rejection.
    public init(code: RejectionCode, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "\(code.rawValue): \(detail)" }
}
