// glibc malloc controls that Swift's Glibc module does not import (malloc.h):
// - the processor's mmap threshold and its periodic heap trim (callback-stream run),
// - bytes currently allocated (the session benchmark's memory measurement).
#ifndef CALLBACK_STREAM_MALLOC_H
#define CALLBACK_STREAM_MALLOC_H
#include <stddef.h>
#if defined(__linux__)
#include <malloc.h>
#endif

// Serves allocations of at least `bytes` with their own mappings, returned to the kernel when
// freed; also stops glibc from raising the threshold dynamically. Returns 1 on success, 0 where
// not supported.
static inline int callback_stream_set_mmap_threshold(int bytes) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes;
    return 0;
#endif
}

// Gives the free pages inside every arena's heaps back to the kernel (malloc_trim(0): glibc returns
// only the top of a heap by itself). Returns 1 if memory was released, 0 if not or not supported.
static inline int callback_stream_malloc_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}

// Bytes currently allocated through malloc (glibc mallinfo2: in-use chunks + mmapped chunks);
// 0 where mallinfo2 does not exist.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
static inline size_t callback_stream_malloc_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
#else
static inline size_t callback_stream_malloc_in_use(void) { return 0; }
#endif
#endif
