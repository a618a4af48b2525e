// Bytes currently allocated through malloc (glibc mallinfo2: in-use chunks + mmapped chunks),
// for the session benchmark's memory measurement. 0 where mallinfo2 does not exist.
#ifndef CALLBACK_STREAM_MALLOC_INFO_H
#define CALLBACK_STREAM_MALLOC_INFO_H
#include <stddef.h>
#if defined(__linux__)
#include <malloc.h>
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
static inline size_t callback_stream_malloc_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
#else
static inline size_t callback_stream_malloc_in_use(void) { return 0; }
#endif
#endif
