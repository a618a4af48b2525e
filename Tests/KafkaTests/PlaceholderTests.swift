import Testing
@testable import Kafka

@Suite struct PlaceholderTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
