import Testing
@testable import CallbackStreamService

@Suite struct ShutdownProgressTests {
    @Test func reportsTheStepAndHowLongItHasLasted() {
        let progress = ShutdownProgress(name: "stream thread 1")
        #expect(progress.report() == "stream thread 1: still in its poll loop (it has not begun to stop)")
        progress.enter("committing offsets")
        guard case let .step(step, since) = progress.current else {
            Issue.record("expected a step, got \(progress.current)")
            return
        }
        #expect(step == "committing offsets")
        #expect(progress.report(now: since + .milliseconds(31_250)) == "stream thread 1: committing offsets for 31.2 s")
        #expect(progress.report(now: since + .milliseconds(900)) == "stream thread 1: committing offsets for 0.9 s")
        progress.finish()
        #expect(progress.report() == nil)
    }
}
