import CMalloc
import Glibc
import Testing
@testable import callback_stream

/// The processor's fixed mmap threshold: large buffers (librdkafka's fetch responses) keep their
/// own mappings even after glibc would have raised its threshold.
@Suite struct MallocTuningTests {
    @Test func largeBlocksKeepTheirOwnMappingsAfterALargerOneWasFreed() throws {
        #expect(MallocTuning.applyForProcessor(environment: [:]))
        // Freeing a mapped 4 MiB block is what makes glibc raise a dynamic threshold to 4 MiB.
        let first = try #require(malloc(4 << 20))
        #expect(callback_stream_malloc_block_is_mapped(first) == 1)
        free(first)
        let response = try #require(malloc(2 << 20))
        defer { free(response) }
        #expect(callback_stream_malloc_block_is_mapped(response) == 1, "a 2 MiB buffer must not come from a heap")
        let session = try #require(malloc(64 << 10))
        defer { free(session) }
        #expect(callback_stream_malloc_block_is_mapped(session) == 0, "smaller blocks stay on the heaps")
    }

    @Test(arguments: [
        ["MALLOC_MMAP_THRESHOLD_": "65536"],
        ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536"],
    ])
    func aThresholdFromTheEnvironmentIsLeftAlone(environment: [String: String]) {
        #expect(!MallocTuning.applyForProcessor(environment: environment))
    }
}
