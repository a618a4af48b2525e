// Allocation counting for CoreBenchmark (benchmark-only, never linked into the product).
//
// On glibc, defining malloc & co. in the executable interposes them for the whole process
// (including the Swift runtime); each forwards to glibc's real implementation (__libc_*)
// after bumping a counter. free() is not interposed: memory always comes from glibc.
#include "CoreBenchmarkSupport.h"

#include <stdatomic.h>

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <malloc.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic unsigned long long allocations;

static inline void count_one(void) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
}

void *malloc(size_t size) {
    count_one();
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_one();
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_one();
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_one();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    count_one();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

unsigned long long cbs_allocation_count(void) {
    return atomic_load_explicit(&allocations, memory_order_relaxed);
}

size_t cbs_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;  // small chunks in use + mmapped large blocks
}

#else

unsigned long long cbs_allocation_count(void) { return 0; }
size_t cbs_heap_in_use(void) { return 0; }

#endif
