// Counts heap allocations: alloc_counter.cc replaces the global operator new (and delete) with
// versions that count every call, on every thread of the process. A test executable that wants
// the count lists alloc_counter.cc among its own sources (not through a library: the linker
// must take the replacement for certain), and must not run under ASan, which replaces them too.
#pragma once

#include <cstdint>

namespace credo::test {

// Allocations since the process started.
uint64_t allocations();

}  // namespace credo::test
