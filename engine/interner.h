// Interner: maps short strings (ids) to dense integers 0, 1, 2, ... in first-seen order, with an
// open-addressing hash table (linear probing, power-of-two capacity, load <= 1/2). Lookups and
// inserts allocate nothing except when the table or arena grows (amortized). Iteration order is
// the dense id order, never hash order, so the engine stays deterministic.
// Private to the engine.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/huge_alloc.h"

namespace credo {

class Interner {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // Returns the id of `s`, or kNone.
  uint32_t find(std::string_view s) const {
    if (slots_.empty()) return kNone;
    const uint64_t h = hash(s);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == kNone) return kNone;
      if (slot.tag == static_cast<uint32_t>(h >> 32) && view(slot.id) == s) return slot.id;
    }
  }

  // Returns the id of `s`, adding it (as the next dense id) if it is new.
  uint32_t intern(std::string_view s) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    const uint64_t h = hash(s);
    std::size_t i = h & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == kNone) break;
      if (slot.tag == static_cast<uint32_t>(h >> 32) && view(slot.id) == s) return slot.id;
    }
    const uint32_t id = static_cast<uint32_t>(entries_.size());
    entries_.push_back({static_cast<uint64_t>(arena_.size()), static_cast<uint32_t>(s.size())});
    arena_.insert(arena_.end(), s.begin(), s.end());
    slots_[i] = {id, static_cast<uint32_t>(h >> 32)};
    return id;
  }

  // Makes room for `n` ids in all with `bytes` of key text, so that interning that many
  // never rehashes.
  void reserve(std::size_t n, std::size_t bytes) {
    entries_.reserve(n);
    arena_.reserve(bytes);
    while (n * 2 > slots_.size()) grow();
  }

  std::string_view view(uint32_t id) const {
    const Entry& e = entries_[id];
    return {arena_.data() + e.offset, e.len};
  }
  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }

 private:
  struct Entry {
    uint64_t offset;
    uint32_t len;
  };
  struct Slot {
    uint32_t id = kNone;
    uint32_t tag = 0;  // high half of the hash: most mismatches never touch the arena
  };

  static uint64_t hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

  void grow() {
    BigVector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    for (uint32_t id = 0; id < entries_.size(); ++id) {
      const uint64_t h = hash(view(id));
      std::size_t i = h & mask_;
      while (slots_[i].id != kNone) i = (i + 1) & mask_;
      slots_[i] = {id, static_cast<uint32_t>(h >> 32)};
    }
  }

  BigVector<char> arena_;
  BigVector<Entry> entries_;
  BigVector<Slot> slots_;
  std::size_t mask_ = 0;
};

}  // namespace credo
