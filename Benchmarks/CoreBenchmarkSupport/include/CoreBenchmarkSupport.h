#ifndef CORE_BENCHMARK_SUPPORT_H
#define CORE_BENCHMARK_SUPPORT_H

#include <stddef.h>

/// Number of heap allocations (malloc, calloc, realloc, aligned variants) made by the process
/// so far. Counting works by interposing the allocator entry points in the benchmark
/// executable (glibc only); elsewhere it stays 0.
unsigned long long cbs_allocation_count(void);

/// Bytes of heap currently in use according to the allocator (glibc mallinfo2: in-use chunks
/// plus mmapped blocks), or 0.
size_t cbs_heap_in_use(void);

#endif
