/// Thrown when a condition did not hold before its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let what: String
    public init(what: String) { self.what = what }
    public var description: String { "timed out waiting for \(what)" }
}

/// Checks `condition` every `interval` until it holds or `timeout` passes — the one way the test
/// targets wait for something another process or thread does (never a fixed sleep).
///
/// - Throws: ``DeadlineExceeded`` naming `what`, or what `condition` throws.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while try await !condition() {
        guard clock.now < deadline else { throw DeadlineExceeded(what: what) }
        try await Task.sleep(for: interval)
    }
}
