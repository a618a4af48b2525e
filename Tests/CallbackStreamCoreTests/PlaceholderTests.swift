import Testing
@testable import CallbackStreamCore

@Suite struct PlaceholderTests {
    @Test func moduleLinks() { #expect(Bool(true)) }
}
