#include "persistence/crc32c.h"

#include <array>
#include <cstring>

namespace credo::crc32c {
namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78;

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = make_table();

// Byte-at-a-time: slow (~0.5 GB/s) but portable; only used on CPUs without SSE4.2.
uint32_t extend_table(uint32_t crc, const uint8_t* p, std::size_t n) {
  uint32_t c = ~crc;
  for (std::size_t i = 0; i < n; ++i) c = kTable[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

#if defined(__x86_64__)
// Eight bytes per instruction. The target attribute lets this one function use SSE4.2
// without compiling the whole program for it; it is only called after the CPU check.
__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t crc, const uint8_t* p,
                                                        std::size_t n) {
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n > 0) {
    c32 = __builtin_ia32_crc32qi(c32, *p);
    ++p;
    --n;
  }
  return ~c32;
}

bool cpu_has_sse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#else
bool cpu_has_sse42() {
  return false;
}
#endif

using ExtendFn = uint32_t (*)(uint32_t, const uint8_t*, std::size_t);

ExtendFn choose() {
#if defined(__x86_64__)
  if (cpu_has_sse42()) return extend_sse42;
#endif
  return extend_table;
}

// Chosen once, at static initialization; a function-local static would add a guard check to
// every call.
const ExtendFn g_extend = choose();

}  // namespace

uint32_t extend(uint32_t crc, const void* data, std::size_t n) {
  return g_extend(crc, static_cast<const uint8_t*>(data), n);
}

bool hardware_accelerated() {
  return g_extend != extend_table;
}

// Test hook, declared in tests: the table implementation regardless of the CPU.
uint32_t extend_portable_for_test(uint32_t crc, const void* data, std::size_t n) {
  return extend_table(crc, static_cast<const uint8_t*>(data), n);
}

}  // namespace credo::crc32c
