// Interner: maps short strings (ids) to dense integers 0, 1, 2, ... in first-seen order, with an
// open-addressing hash table (linear probing, power-of-two capacity, load <= 1/2). Lookups and
// inserts allocate nothing except when a table or the key arena grows. Iteration order is the
// dense id order, never hash order, so the engine stays deterministic.
//
// No operation is stop-the-world (issue 12): the keys and entries live in chunked storage that
// never copies, and growing the slot table rehashes incrementally, as Redis's dict does. The
// doubled table takes new keys at once while every later intern() moves the next
// kMigrateStep slots of the old one across; until the old table is drained, lookups probe
// both. A slot keeps the hash's high half, which also places it, so moving a slot never reads
// its key. Tables from 64 KiB come from the pool (kTablePoolFrom), and the doubled table is
// announced to the prefault thread (BlockPool::expect) when the current one is 3/8 full, so it
// is usually ready, zeroed and faulted in, when needed.
// Private to the engine.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string_view>
#include <utility>

#include "engine/chunked_text.h"
#include "engine/chunked_vector.h"
#include "engine/huge_alloc.h"

namespace credo {

class Interner {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr std::size_t kMaxKeyBytes = ChunkedText::kMaxView;

  Interner() = default;
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;
  Interner(Interner&& o) noexcept { swap(o); }
  Interner& operator=(Interner&& o) noexcept {
    if (this != &o) {
      Interner gone;
      swap(o);
      o.swap(gone);
    }
    return *this;
  }
  ~Interner() {
    slots_.release();
    old_.release();
  }

  // Returns the id of `s`, or kNone.
  uint32_t find(std::string_view s) const {
    const uint64_t h = hash(s);
    const uint32_t id = probe(slots_, h, s);
    return id != kNone || !old_.p ? id : probe(old_, h, s);
  }

  // Returns the id of `s`, adding it (as the next dense id) if it is new. `s` is at most
  // kMaxKeyBytes long.
  uint32_t intern(std::string_view s) {
    if (old_.p) migrate(kMigrateStep);
    if ((entries_.size() + 1) * 2 > slots_.cap) grow();
    const uint64_t h = hash(s);
    const auto tag = static_cast<uint32_t>(h >> 32);
    std::size_t i = tag & slots_.mask();
    for (;; i = (i + 1) & slots_.mask()) {
      const Slot& slot = slots_.p[i];
      if (slot.id1 == 0) break;
      if (slot.tag == tag && view(slot.id1 - 1) == s) return slot.id1 - 1;
    }
    if (old_.p) {
      const uint32_t earlier = probe(old_, h, s);
      if (earlier != kNone) return earlier;
    }
    const auto id = static_cast<uint32_t>(entries_.size());
    entries_.push_back({arena_.append(s), s.size()});
    slots_.p[i] = {id + 1, tag};
    // Three eighths full (a table starts a quarter full): the doubled table will be needed
    // after cap/8 more inserts, time for the prefault thread to prepare it.
    if (entries_.size() * 8 == slots_.cap * 3 && slots_.cap * 2 * sizeof(Slot) >= kTablePoolFrom)
      BlockPool::instance().expect(pool_bytes(slots_.cap * 2 * sizeof(Slot)));
    return id;
  }

  // Makes room for `n` ids in all, so that interning that many never grows the slot table
  // (the whole rehash happens here, off the hot path). `bytes` of key text is ignored: the key
  // arena grows by chunks and never copies.
  void reserve(std::size_t n, std::size_t /*bytes*/) {
    entries_.reserve(n);
    while (n * 2 > slots_.cap) {
      grow();
      migrate(old_.cap);
    }
  }

  // Cache hints for a lookup of `s` soon (Engine::prefetch); they change nothing. prefetch()
  // asks for the slot a probe starts at. guess() is the id a lookup would probably return: the
  // first slot of the probe with the hash's tag, without comparing keys, so it reads only slots
  // (the ones prefetch() asked for). A wrong guess is possible (a tag collision) and harmless:
  // callers use it only to prefetch more.
  void prefetch(std::string_view s) const {
    const auto tag = static_cast<uint32_t>(hash(s) >> 32);
    if (slots_.p) __builtin_prefetch(&slots_.p[tag & slots_.mask()]);
    if (old_.p) __builtin_prefetch(&old_.p[tag & old_.mask()]);
  }
  uint32_t guess(std::string_view s) const {
    const auto tag = static_cast<uint32_t>(hash(s) >> 32);
    const uint32_t id = guess_in(slots_, tag);
    return id != kNone || !old_.p ? id : guess_in(old_, tag);
  }
  // The key's entry (where its text lies), which a lookup reads to compare.
  void prefetch_key(uint32_t id) const {
    if (id < entries_.size()) __builtin_prefetch(&entries_[id]);
  }

  std::string_view view(uint32_t id) const {
    const Entry& e = entries_[id];
    return arena_.view(e.offset, e.len);
  }
  uint32_t size() const { return static_cast<uint32_t>(entries_.size()); }

 private:
  // Slots of the old table moved per intern() while it drains. The old table holds
  // cap/2 keys at most and the new one grows again only after cap/2 more inserts, so any step
  // of 2 or more drains it in time; 16 drains it in cap/16 inserts.
  static constexpr std::size_t kMigrateStep = 16;

  // 8 bytes a key (16 as two plain fields): the arena's offset in 47 bits (128 TiB) and the
  // length in 17 (keys are at most kMaxKeyBytes = 64 KiB). Every order with a client order id
  // has one.
  struct Entry {
    uint64_t offset : 47;
    uint64_t len : 17;
  };
  static_assert(sizeof(Entry) == 8 && kMaxKeyBytes < (uint64_t{1} << 17));
  struct Slot {
    uint32_t id1;  // id + 1; 0 is an empty slot, so a zeroed table is an empty one
    uint32_t tag;  // high half of the hash: places the slot, and most mismatches never
                   // touch the arena
  };
  struct Table {
    Slot* p = nullptr;
    std::size_t cap = 0;
    std::size_t mask() const { return cap - 1; }
    void release() {
      free_zeroed(p, cap * sizeof(Slot), kTablePoolFrom);
      p = nullptr;
      cap = 0;
    }
  };

  static uint64_t hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

  uint32_t probe(const Table& t, uint64_t h, std::string_view s) const {
    if (!t.p) return kNone;
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (std::size_t i = tag & t.mask();; i = (i + 1) & t.mask()) {
      const Slot& slot = t.p[i];
      if (slot.id1 == 0) return kNone;
      if (slot.tag == tag && view(slot.id1 - 1) == s) return slot.id1 - 1;
    }
  }

  static uint32_t guess_in(const Table& t, uint32_t tag) {
    if (!t.p) return kNone;
    for (std::size_t i = tag & t.mask();; i = (i + 1) & t.mask()) {
      const Slot& slot = t.p[i];
      if (slot.id1 == 0) return kNone;
      if (slot.tag == tag) return slot.id1 - 1;
    }
  }

  // Starts moving to a table of twice the capacity; the old one drains in migrate().
  void grow() {
    if (old_.p) migrate(old_.cap);  // only reserve() grows twice in a row
    old_ = slots_;
    old_pos_ = 0;
    slots_.cap = old_.cap == 0 ? 64 : old_.cap * 2;
    slots_.p = static_cast<Slot*>(alloc_zeroed(slots_.cap * sizeof(Slot), kTablePoolFrom));
  }

  // Moves up to `n` slots of the old table into the current one; frees the old one when done.
  void migrate(std::size_t n) {
    const std::size_t end = std::min(old_.cap, old_pos_ + n);
    for (; old_pos_ < end; ++old_pos_) {
      const Slot slot = old_.p[old_pos_];
      if (slot.id1 == 0) continue;
      std::size_t i = slot.tag & slots_.mask();
      while (slots_.p[i].id1 != 0) i = (i + 1) & slots_.mask();
      slots_.p[i] = slot;
    }
    if (old_pos_ == old_.cap) old_.release();
  }

  void swap(Interner& o) noexcept {
    std::swap(arena_, o.arena_);
    std::swap(entries_, o.entries_);
    std::swap(slots_, o.slots_);
    std::swap(old_, o.old_);
    std::swap(old_pos_, o.old_pos_);
  }

  ChunkedText arena_;
  ChunkedVector<Entry> entries_;
  Table slots_;
  Table old_;            // the table being drained, or empty
  std::size_t old_pos_ = 0;  // next slot of old_ to move
};

}  // namespace credo
