// Retention: closed orders leave memory (issue 12, docs/limits.md "Closed orders").
//
// Orders, their lines, reasons and events are append-only arrays linked by index, so an order
// cannot be taken out of the middle. What can go is a prefix: `tick` archives orders from the
// oldest on, while the next one is closed (rejected, expired, cancelled or shipped), its last
// event is older than the policy's order_retention_days, and it has no return under way. An
// archived order keeps its 144-byte header (status, decision, payment, totals, customer, client
// order id, ref, invoices), which is what get_order, list_orders and a repeated submit_order
// answer from (with "archived": true); its lines, reasons and events are cut loose, and every
// whole 4 MiB chunk of those arrays that no order still reads is given back to the block pool.
//
// Which elements no order still reads:
//   lines    every order not archived asked for its lines after the first of them was decided,
//            so the first archived-not order's original first line bounds them all;
//   reasons  the same bound, from the first order not archived when it was never amended (an
//            amendment overwrites the order's reason range, so then the floor stays put);
//   events   an order's events come whenever something happens to it, so they interleave: each
//            chunk counts its events of orders not archived (live_events) and the floor moves
//            over chunks that count none.
// An order still open holds back the archiving of every order after it; order_ttl_days (at
// most 3650) bounds how long.
#include "engine/handlers.h"
#include "engine/limits.h"

namespace credo::internal {

namespace {

constexpr std::size_t kEventsPerChunk = ChunkedVector<EventRec>::chunk_size();

bool archivable(const State& s, uint32_t idx, TimeMs keep_until) {
  const Order& o = s.orders[idx];
  if (o.status == OrderStatus::held || o.status == OrderStatus::accepted) return false;
  if (s.returns_under_way.count(idx) != 0) return false;
  const TimeMs last = o.last_event == kNone ? o.at : s.events[o.last_event].at;
  return last <= keep_until;
}

// The first line the order ever had: amendments append new ranges, the first one records the
// original range as its old one.
uint32_t original_first_line(const State& s, const Order& o) {
  uint32_t first = o.first_line;
  for (uint32_t a = o.last_amendment; a != kNone; a = s.amendments[a].prev)
    first = s.amendments[a].old_first_line;
  return first;
}

void release_detail(State& s) {
  if (s.archived_orders == s.orders.size()) {
    s.lines.release_below(s.lines.size());
    s.reasons.release_below(s.reasons.size());
  } else {
    const Order& next = s.orders[s.archived_orders];
    s.lines.release_below(original_first_line(s, next));
    if (next.last_amendment == kNone) s.reasons.release_below(next.first_reason);
  }
  std::size_t chunk = s.events.floor() / kEventsPerChunk;
  while (chunk < s.live_events.size() && s.live_events[chunk] == 0 &&
         (chunk + 1) * kEventsPerChunk <= s.events.size())
    ++chunk;
  s.events.release_below(chunk * kEventsPerChunk);
}

void forget_events(State& s, const Order& o) {
  for (uint32_t e = o.first_event; e != kNone; e = s.events[e].next)
    --s.live_events[e / kEventsPerChunk];
}

}  // namespace

uint32_t archive_orders(State& s, TimeMs now) {
  if (s.policy.order_retention_days == 0) return 0;
  const TimeMs keep_until = now - static_cast<TimeMs>(s.policy.order_retention_days) * kMsPerDay;
  uint32_t archived = 0;
  while (archived < kMaxArchivedPerTick && s.archived_orders < s.orders.size() &&
         archivable(s, s.archived_orders, keep_until)) {
    Order& o = s.orders[s.archived_orders];
    forget_events(s, o);
    o.first_line = o.line_count = 0;
    o.first_reason = o.reason_count = 0;
    o.first_event = o.last_event = kNone;
    // Its amendments keep who, when and what was decided; their line and reason ranges go too,
    // so a repeated amend_order answers from them without a special case.
    for (uint32_t a = o.last_amendment; a != kNone; a = s.amendments[a].prev) {
      Amendment& rec = s.amendments[a];
      rec.old_line_count = rec.new_line_count = rec.reason_count = 0;
    }
    ++s.archived_orders;
    ++archived;
  }
  if (archived > 0) release_detail(s);
  return archived;
}

void note_live_event(State& s, uint32_t id) {
  const std::size_t chunk = id / kEventsPerChunk;
  if (s.live_events.size() <= chunk) s.live_events.resize(chunk + 1, 0);
  ++s.live_events[chunk];
}

void return_arrived(State& s, uint32_t order) {
  auto it = s.returns_under_way.find(order);
  CREDO_ASSERT(it != s.returns_under_way.end(), "a received return was under way");
  if (--it->second == 0) s.returns_under_way.erase(it);
}

void rebuild_archive_index(State& s) {
  s.live_events.assign((s.events.size() + kEventsPerChunk - 1) / kEventsPerChunk, 0);
  for (uint32_t i = s.archived_orders; i < s.orders.size(); ++i)
    for (uint32_t e = s.orders[i].first_event; e != kNone; e = s.events[e].next)
      ++s.live_events[e / kEventsPerChunk];
  s.returns_under_way.clear();
  for (const ReturnRec& r : s.returns)
    if (r.status != ReturnStatus::received) ++s.returns_under_way[r.order];
}

bool not_archived(const State& s, uint32_t idx, Result& out) {
  if (!s.archived(idx)) return true;
  return fail_state(out, "archived",
                    "order " + std::to_string(kFirstOrderNo + idx) +
                        " is archived: it closed more than order_retention_days ago and its "
                        "lines are no longer kept");
}

}  // namespace credo::internal
