// credo's engine: a deterministic state machine over customers' credit, products' stock,
// orders, invoices and payments. No I/O, no threads, no clock, no randomness: the state changes
// only in apply(), and the same commands in give the same state out, bit for bit (compare with
// state_hash()).
//
// Threading: an Engine is not thread-safe; one thread owns it (the single writer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"
#include "engine/result.h"

namespace credo {

struct State;  // engine/state.h, private to the engine

// Summary counters, for stats and tests.
struct EngineCounts {
  uint64_t customers = 0;
  uint64_t products = 0;
  uint64_t orders = 0;
  uint64_t invoices = 0;
  uint64_t payments = 0;
  uint64_t commands_applied = 0;
  uint64_t last_seq = 0;
  TimeMs now = 0;
};

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;
  // Not copyable: the state is large (copy it through save()/load() when meant).
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Applies one command. On success `out.body` holds the op's result; on failure
  // `out.error` says why and the state is unchanged (bad input changes nothing).
  // Time: business time becomes max(now, cmd.at); it never goes backwards. A Tick whose
  // `at` is before now is INVALID_STATE.
  // Authority: checks the principal's roles and level for the op (FORBIDDEN otherwise).
  void apply(const Command& cmd, Result& out);

  // Cache hints for a command that apply() will see soon; they change nothing (state_hash is
  // unaffected), and a hint made stale by the commands applied in between costs only its loads.
  // A loop over a batch calls prefetch(cmd[i + kPrefetchFar], index), then
  // prefetch(cmd[i + kPrefetchNear], records) (prefetch_ahead, below), then apply(cmd[i]): the
  // first asks for the hash
  // slots of the order's customer and skus, the second reads those slots and asks for the
  // records they lead to (the customer, its order list, the client order id's slot, the
  // products), so that apply() finds them in cache instead of waiting on memory for each
  // (bench/README.md, "Issue 12, sixth pass"). Only submit_order has hints today.
  enum class PrefetchStage : uint8_t { index, records };
  static constexpr std::size_t kPrefetchFar = 8;
  static constexpr std::size_t kPrefetchNear = 4;
  void prefetch(const CommandBody& body, PrefetchStage stage) const;
  // The hints a batch loop gives just before it applies item `i` of `n`: item i + kPrefetchFar's
  // index stage and item i + kPrefetchNear's records stage, each when there is such an item.
  // `hint(j, stage)` gives item j's hint (Engine::prefetch of its body, or nothing).
  template <typename Hint>
  static void prefetch_ahead(std::size_t i, std::size_t n, Hint&& hint) {
    if (i + kPrefetchFar < n) hint(i + kPrefetchFar, PrefetchStage::index);
    if (i + kPrefetchNear < n) hint(i + kPrefetchNear, PrefetchStage::records);
  }

  // Answers a read (quote, get_*, reports) against the current state; changes nothing.
  void query(const Query& q, Result& out) const;

  // Capacity hint: allocates and touches room for `orders` more orders (3 lines each on
  // average), so that recording them pays no page faults and no rehash on the hot path
  // (~400 bytes an order). Changes no state (state_hash is unaffected).
  void reserve(uint64_t orders);

  // The policy in force (set with SetPolicy).
  const Policy& policy() const;
  EngineCounts counts() const;
  TimeMs now() const;

  // XXH3-64 over the canonical serialization of the whole state (the bytes save() writes),
  // streamed: no image is built. Covers last_seq and commands_applied too.
  uint64_t state_hash() const;

  // Canonical serialization of the whole state (snapshots). load() replaces the state;
  // on a malformed image it returns false, sets *error and leaves the engine empty.
  void save(std::string& out) const;
  // The image as the previous version (4) wrote it, for the tests of older images; what
  // version 4 cannot say (deposits, the 14th hold reason, the rules policy block) is left out.
  void save_version(std::string& out, int version) const;
  bool load(std::string_view image, std::string* error);
  // The format version of a state image: kImageVersion (what save() writes), 2 or 1 (older,
  // still load; their state_hash after load is the current version's hash, not the hash
  // recorded with them), 0 (not one).
  static constexpr int kImageVersion = 6;
  static int image_version(std::string_view image);

  // Recomputes derived quantities from first principles and compares: reserved stock per
  // product = unshipped quantity of accepted+held orders, 0 <= reserved <= on_hand, each
  // customer's exposure components, unapplied/prepaid balances, ledger balance =
  // receivables - unapplied - prepaid_reserved, consecutive order numbers. Returns "" if all
  // hold, else a description of the first violation.
  // Cost: O(customers + products + open orders + open invoices); with full=true also walks
  // every order and every ledger entry (statement running balances), O(state).
  std::string check_invariants(bool full = false) const;

 private:
  std::unique_ptr<State> s_;
};

}  // namespace credo
