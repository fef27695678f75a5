// API keys and the principals they stand for (docs/protocol.md "Authentication and roles").
//
// Keys are secrets: they are compared in constant time and never logged or echoed. The key file
// must not be readable by group or others (like ssh's private keys): a world-readable file of
// secrets is refused at start rather than silently trusted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"

namespace credo::net {

// Bounds: a key file is small configuration, not a user database.
constexpr std::size_t kMaxKeys = 10'000;
constexpr std::size_t kMaxKeyLen = 256;

class KeyStore {
 public:
  // Loads a key file: {"keys":[{"key":"..","principal":"..","roles":["order",..],"level":0..3}]}.
  // Returns false with `*error` (never containing a key) if the file is missing, readable by
  // group/others, malformed, has an unknown role, a bad principal name, a level outside 0..3,
  // an empty or too long key, or a key given twice.
  bool load_file(const std::string& path, std::string* error);

  // Adds one key. REQUIRES: 1 <= key.size() <= kMaxKeyLen, not already present.
  void add(std::string key, const Principal& p);

  // Finds the principal for `key`. Constant time in the key's content: every stored key is
  // compared in full, without early exit, so timing does not reveal how much of a guess matched.
  bool lookup(std::string_view key, Principal* out) const;

  // Separation of duties (不相容岗位, 001b 2.2; 000 二(二)): unless `allow_combined_roles`, no
  // key may give one principal both order and credit, or both credit and finance. Returns false
  // with `*error` naming the principal and its place in the file (never the key) otherwise.
  // admin is not a combination: it has every role and is bound by four eyes per order.
  bool check_separation(bool allow_combined_roles, std::string* error) const;

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string key;
    Principal principal;
  };
  std::vector<Entry> entries_;
};

// "order", "credit", ... for each bit set in `roles`, in Role order.
std::vector<std::string_view> role_names(uint8_t roles);

}  // namespace credo::net
