// Engine::prefetch: cache hints for a command a batch will apply soon (engine/engine.h). They
// read only what an earlier stage asked for and change nothing, so the engine stays a pure
// state machine: a hint never alters what apply() does, only how long it waits for memory.
//
// A 3-line submit_order against millions of orders waits on memory three times in a row: the
// customer's slot in its id table, then the customer's record, then the slot of (customer,
// client_order_id) in the idempotency table, whose key needs the customer's index. Each wait
// is a miss to DRAM, and each depends on the one before. Two stages some commands apart break
// the chain: `index` asks for the slots; `records`, a few commands later, reads those slots
// (now in cache) to learn the indexes and asks for what they point at.
#include <cstddef>
#include <variant>

#include "engine/engine.h"
#include "engine/handlers.h"

namespace credo {

using namespace internal;

namespace {
// Asks for `bytes` of an object from its start, one cache line at a time.
void prefetch_bytes(const void* p, std::size_t bytes) {
  const auto* c = static_cast<const char*>(p);
  for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off);
}
}  // namespace

namespace internal {

void prefetch_order(const State& s, const OrderRequest& req, Engine::PrefetchStage stage) {
  if (stage == Engine::PrefetchStage::index) {
    s.customer_ids.prefetch(req.customer.view());
    for (const LineRequest& line : req.lines) s.skus.prefetch(line.sku.view());
    return;
  }
  const uint32_t c = s.customer_ids.guess(req.customer.view());
  if (c < s.customers.size()) {
    s.customer_ids.prefetch_key(c);
    prefetch_bytes(&s.customers[c], sizeof(Customer));
    if (c < s.orders_by_customer.size()) __builtin_prefetch(&s.orders_by_customer[c]);
    if (!req.client_order_id.empty()) {
      char buf[4 + Key::kMaxLen];
      s.client_order_ids.prefetch(client_order_key(c, req.client_order_id, buf));
    }
  }
  for (const LineRequest& line : req.lines) {
    const uint32_t p = s.skus.guess(line.sku.view());
    if (p >= s.products.size()) continue;
    s.skus.prefetch_key(p);
    __builtin_prefetch(&s.products[p]);
  }
}

}  // namespace internal

// submit_orders hints its own orders as it goes (engine/orders.cc); only submit_order needs
// the batch's.
void Engine::prefetch(const CommandBody& body, PrefetchStage stage) const {
  if (const auto* submit = std::get_if<SubmitOrder>(&body))
    prefetch_order(*s_, submit->order, stage);
}

}  // namespace credo
