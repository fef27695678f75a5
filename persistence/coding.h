// Little-endian fixed-width integers and LEB128 varints: the primitives of the WAL and
// snapshot formats (docs/wal_format.md). The decoder is a cursor over a byte span that never
// reads past its end: every get_* returns false instead, and the cursor stays failed.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace credo::coding {

inline void put_u8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}
inline void put_u32(std::string& out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}
inline void put_u64(std::string& out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 8);
}
inline void put_varu(std::string& out, uint64_t v) {
  char b[10];
  int n = 0;
  while (v >= 0x80) {
    b[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  b[n++] = static_cast<char>(v);
  out.append(b, n);
}
// ZigZag keeps small negative numbers small: 0->0, -1->1, 1->2, -2->3 ...
inline void put_vari(std::string& out, int64_t v) {
  put_varu(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline uint32_t load_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline uint64_t load_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}
inline void store_u32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

class Cursor {
 public:
  explicit Cursor(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  bool ok() const { return ok_; }
  bool at_end() const { return p_ == end_; }

  bool get_u8(uint8_t* v) {
    if (!need(1)) return false;
    *v = static_cast<uint8_t>(*p_++);
    return true;
  }
  bool get_u64(uint64_t* v) {
    if (!need(8)) return false;
    *v = load_u64(p_);
    p_ += 8;
    return true;
  }
  // At most 10 bytes; an 11th continuation byte or bits beyond 64 fail.
  bool get_varu(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift <= 63; shift += 7) {
      if (!need(1)) return false;
      uint8_t byte = static_cast<uint8_t>(*p_++);
      if (shift == 63 && byte > 1) return fail();
      result |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return fail();
  }
  bool get_vari(int64_t* v) {
    uint64_t u = 0;
    if (!get_varu(&u)) return false;
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  // A view of the next n bytes (valid as long as the underlying data).
  bool get_bytes(std::size_t n, std::string_view* v) {
    if (!need(n)) return false;
    *v = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool fail() {
    ok_ = false;
    p_ = end_;
    return false;
  }

 private:
  bool need(std::size_t n) {
    if (!ok_ || remaining() < n) return fail();
    return true;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace credo::coding
