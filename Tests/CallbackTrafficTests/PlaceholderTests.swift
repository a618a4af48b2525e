import Testing
@testable import CallbackTraffic

@Suite struct PlaceholderTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
