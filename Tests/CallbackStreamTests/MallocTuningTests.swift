import Testing
@testable import callback_stream

/// The processor's fixed mmap threshold (measured effect: BENCHMARKS.md, "End to end", memory).
/// Only the decision is tested here: setting it would change malloc for every other test in
/// this process.
@Suite struct MallocTuningTests {
    @Test func theProcessorFixesTheThresholdAtOneMebibyte() {
        #expect(MallocTuning.mmapThreshold(environment: [:]) == 1 << 20)
        #expect(MallocTuning.mmapThreshold(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"]) == 1 << 20)
    }

    @Test(arguments: [
        ["MALLOC_MMAP_THRESHOLD_": "65536"],
        ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536"],
    ])
    func aThresholdFromTheEnvironmentIsLeftAlone(environment: [String: String]) {
        #expect(MallocTuning.mmapThreshold(environment: environment) == nil)
        #expect(!MallocTuning.applyForProcessor(environment: environment))
    }
}
