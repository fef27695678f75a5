// CRC32C (Castagnoli), the checksum of every WAL record and snapshot header
// (docs/wal_format.md). Uses the SSE4.2 crc32 instruction when the CPU has it (chosen once at
// run time), else a table; both give the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace credo::crc32c {

// Returns the CRC32C of data[0, n) continued from `crc`, the CRC32C of some earlier bytes
// (0 for none): extend(extend(0, a), b) == value(a + b).
uint32_t extend(uint32_t crc, const void* data, std::size_t n);

inline uint32_t value(const void* data, std::size_t n) {
  return extend(0, data, n);
}
inline uint32_t value(std::string_view s) {
  return extend(0, s.data(), s.size());
}

// True iff extend() uses the hardware instruction (for benchmarks and logs).
bool hardware_accelerated();

}  // namespace credo::crc32c
