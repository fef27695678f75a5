// Engine::apply: checks the command's time and the op's authority, then visits the command body
// with one `handle` overload per command (declared in engine/handlers.h, the op in
// engine/ops.h). The handlers live with their concept: engine/master_data.cc, orders.cc,
// fulfilment.cc, payments.cc, time_and_policy.cc. Every handler validates everything first and
// only then changes state, so a command that fails changes nothing (not even business time).
#include "engine/engine.h"

#include <algorithm>

#include "engine/authority.h"
#include "engine/handlers.h"

namespace credo {

using namespace internal;

Engine::Engine() : s_(std::make_unique<State>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

void Engine::apply(const Command& cmd, Result& out) {
  out.error.code = ErrorCode::OK;
  out.error.message.clear();
  out.error.field.clear();
  out.error.reason.clear();
  State& s = *s_;
  // Checked first: every rule below may add durations to the time.
  if (!time_in_range(cmd.at)) {
    fail(out, ErrorCode::BAD_REQUEST, "at must be a time from 0000-01-01 to 9999-12-31", "at");
    return;
  }
  if (std::holds_alternative<Tick>(cmd.body) && cmd.at < s.now) {
    fail(out, ErrorCode::INVALID_STATE,
         "time may not go backwards (now is " + format_time(s.now) + ")", "now");
    return;
  }
  // Authority for the op as such (role, the op's own level); handlers ask again where the
  // answer depends on the order (engine/authority.h).
  if (!authorize(op_id_of(cmd.body), cmd.by, AuthFacts{}, out.error)) return;
  const TimeMs before = s.now;
  s.now = std::max(s.now, cmd.at);  // handlers see the new time; undone on failure
  Ctx x{s, cmd.by, s.now, out};
  // One handler per CommandBody alternative, by overload: a body without a handler does not
  // compile (engine/ops.h declares the op, engine/handlers.h its handler).
  const bool ok = std::visit([&](const auto& body) -> bool { return handle(x, body); }, cmd.body);
  if (!ok) {
    s.now = before;
    return;
  }
  s.last_seq = std::max(s.last_seq, cmd.seq);
  ++s.commands_applied;
}

void Engine::reserve(uint64_t orders) {
  State& s = *s_;
  s.orders.reserve(s.orders.size() + orders);
  s.lines.reserve(s.lines.size() + 3 * orders);
  s.events.reserve(s.events.size() + orders);
  s.client_order_to_order.reserve(s.client_order_to_order.size() + orders);
  s.client_order_ids.reserve(s.client_order_ids.size() + orders, 20 * orders);
}

const Policy& Engine::policy() const {
  return s_->policy;
}
TimeMs Engine::now() const {
  return s_->now;
}

EngineCounts Engine::counts() const {
  EngineCounts c;
  for (const Customer& cust : s_->customers) c.customers += cust.exists;
  for (const Product& p : s_->products) c.products += p.exists;
  c.orders = s_->orders.size();
  c.invoices = s_->invoices.size();
  c.payments = s_->payments.size();
  c.commands_applied = s_->commands_applied;
  c.last_seq = s_->last_seq;
  c.now = s_->now;
  return c;
}

}  // namespace credo