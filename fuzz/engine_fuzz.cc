// libFuzzer target for the engine (engine/engine.h) fed arbitrary command sequences: the input
// bytes are decoded into a sequence of commands and reads (every op of engine/command.h, valid
// and invalid), applied one by one to an Engine. Never a crash, a hang or a sanitizer report,
// and these properties hold (each violation abort()s with a message: a finding):
//   - after every step, check_invariants(false) is empty; at the end check_invariants(true) is;
//   - a command that fails changes nothing: a replica Engine fed only the commands that
//     succeeded ends with the same state_hash (and a failed command never moves now());
//   - apply is deterministic: replaying the whole sequence (reads included) into a fresh
//     Engine gives the same answers, step for step, and the same state_hash;
//   - save() -> load() round-trips: the loaded engine has the same state_hash, passes the full
//     invariants and saves the same image again.
//
// The decoder ("a compact structured decoder"): each step is a header byte choosing the op,
// a byte choosing the principal (low 4 bits) and how business time moves (high 4 bits), then
// the op's fields. Ids come from SMALL spaces (6 customers, 6 skus, 3 client order ids, 5
// payment refs, order and invoice numbers near the ones that exist) so that commands collide
// and hit real rules; a few choices of each field are deliberately bad (empty or malformed ids,
// zero, negative and huge quantities and amounts, over-long text, unknown numbers, time going
// backwards or jumping by years, wrong roles and levels). When the input runs out, every read
// returns 0, which decodes to the most ordinary choice.
//
// Build and run: fuzz/build_and_run.sh engine (the suite's run); scripts/fuzz.sh to explore.
// Seeds: fuzz/make_engine_seeds.py.
// CREDO_FUZZ_TRACE=1 build-fuzz/engine_fuzz <input> prints each step (command or read, the
// index of its type in CommandBody / QueryBody) and a digest of its answer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"

namespace {

using namespace credo;

[[noreturn]] void fail(const char* what, const std::string& detail = "", std::size_t step = 0) {
  std::fprintf(stderr, "property violated at step %zu: %s%s%s\n", step, what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

// 2026-11-23T10:00:00Z.
constexpr TimeMs kStart = 1'795'428'000'000;
// Bounds the work per input: a few hundred steps already reach every rule; more only slow the
// search down (the O(state) checks at the end grow with the state).
constexpr std::size_t kMaxSteps = 400;

// The input, read front to back; past its end every read is 0.
class Bytes {
 public:
  Bytes(const uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  bool done() const { return n_ == 0; }
  uint8_t u8() {
    if (n_ == 0) return 0;
    --n_;
    return *p_++;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
  uint32_t u32() { return static_cast<uint32_t>(u16()) | (static_cast<uint32_t>(u16()) << 16); }
  uint64_t u64() { return static_cast<uint64_t>(u32()) | (static_cast<uint64_t>(u32()) << 32); }

 private:
  const uint8_t* p_;
  std::size_t n_;
};

// One step of the sequence: a command (journaled in real life) or a read.
using Step = std::variant<Command, Query>;

class Decoder {
 public:
  Decoder(const uint8_t* data, std::size_t size) : in_(data, size) {}

  bool done() const { return in_.done(); }

  // Decodes the next step. `orders` and `invoices` are how many the engine has (numbers are
  // drawn near them so that most hit something).
  Step next(uint64_t orders, uint64_t invoices) {
    orders_ = orders;
    invoices_ = invoices;
    const uint8_t op = in_.u8();
    const uint8_t who_when = in_.u8();
    const Principal by = principal(who_when & 15);
    const TimeMs at = advance(who_when >> 4);
    switch (op % 28) {
      case 0:
      case 1:
        return Command{0, at, by, SubmitOrder{order()}};
      case 2: {
        SubmitOrders b;
        const uint8_t n = in_.u8();
        // 0 orders and more than kMaxBatchOrders are both BAD_REQUEST.
        const std::size_t count = n == 255 ? kMaxBatchOrders + 1 : n % 4;
        if (count > kMaxBatchOrders) {
          b.orders.assign(count, OrderRequest{});
        } else {
          for (std::size_t i = 0; i < count; ++i) b.orders.push_back(order());
        }
        return Command{0, at, by, std::move(b)};
      }
      case 3: {
        UpsertCustomer u;
        u.customer = customer();
        const uint8_t f = in_.u8();
        if (f & 1) u.name = text();
        if (f & 2) u.grade = static_cast<Grade>(in_.u8() % 4);
        if (f & 4) u.credit_limit = money();
        if (f & 8) u.terms_days = days_field();
        if (f & 16) u.status = static_cast<CustomerStatus>(in_.u8() % 3);
        return Command{0, at, by, std::move(u)};
      }
      case 4: {
        SetCredit c;
        c.customer = customer();
        const uint8_t f = in_.u8();
        if (f & 1) c.credit_limit = money();
        if (f & 2) c.grade = static_cast<Grade>(in_.u8() % 4);
        if (f & 4) c.terms_days = days_field();
        c.reason = text();
        return Command{0, at, by, std::move(c)};
      }
      case 5: {
        SetCustomerStatus c;
        c.customer = customer();
        c.status = static_cast<CustomerStatus>(in_.u8() % 3);
        c.reason = text();
        return Command{0, at, by, std::move(c)};
      }
      case 6: {
        UpsertProduct u;
        u.sku = sku();
        const uint8_t f = in_.u8();
        if (!(f & 1)) u.price = money();  // usually present: a new product needs one
        if (f & 2) u.floor_price = money();
        if (f & 4) u.on_hand = qty();
        if (f & 8) u.name = text();
        return Command{0, at, by, std::move(u)};
      }
      case 7:
        return Command{0, at, by, ReceiveStock{sku(), qty()}};
      case 8:
        return Command{0, at, by, AdjustStock{sku(), qty()}};
      case 9:
        return Command{0, at, by, CancelOrder{order_no(), text()}};
      case 10:
        return Command{0, at, by, ReleaseOrder{order_no(), text()}};
      case 11:
        return Command{0, at, by, RejectOrder{order_no(), text()}};
      case 12:
      case 13:
        return Command{0, at, by, Ship{order_no(), sku_lines(/*allow_empty=*/true)}};
      case 14:
        return Command{0, at, by, RecordPayment{customer(), money(), payment_ref()}};
      case 15: {
        ReturnGoods r;
        r.order_no = order_no();
        r.lines = sku_lines(/*allow_empty=*/false);
        r.restock = in_.u8() & 1;
        r.reason = text();
        return Command{0, at, by, std::move(r)};
      }
      case 16:
        return Command{0, at, by, WriteOff{invoice_no(), text()}};
      case 17:
      case 18:
        return Command{0, at, by, Tick{}};
      case 19:
        return Command{0, at, by, SetPolicy{policy()}};
      // ---- reads ----
      case 20:
        return Query{at, by, Quote{order()}};
      case 21:
        return Query{at, by, GetCustomer{customer()}};
      case 22:
        return Query{at, by, GetProduct{sku()}};
      case 23: {
        GetOrder g;
        if (in_.u8() & 1) {
          g.customer = customer();
          g.client_order_id = client_order_id();
        } else {
          g.order_no = order_no();
        }
        return Query{at, by, g};
      }
      case 24: {
        const uint8_t f = in_.u8();
        if (f & 16) {  // discovery: any filter, a cursor that is valid, foreign or garbage
          std::optional<Key> cursor;
          if (f & 32)
            cursor = Key::of(std::string(1, "cpx"[in_.u8() % 3]) + std::to_string(in_.u8()));
          if (f & 64) cursor = customer();
          const uint32_t limit = (f & 8) ? in_.u32() : in_.u8();
          if (f & 1)
            return Query{
                at, by,
                ListProducts{f & 2 ? std::optional<Key>(sku()) : std::nullopt, cursor, limit}};
          ListCustomers l;
          if (f & 2) l.prefix = customer();
          if (f & 4) l.status = static_cast<CustomerStatus>(in_.u8() % 3);
          if (f & 128) l.grade = static_cast<Grade>(in_.u8() % 4);
          l.cursor = cursor;
          l.limit = limit;
          return Query{at, by, l};
        }
        if (f & 1) {
          ListHeld l;
          if (f & 2) l.customer = customer();
          if (f & 4) l.reason = static_cast<Reason>(in_.u8() % kReasonCount);
          l.limit = (f & 8) ? in_.u32() : in_.u8();
          return Query{at, by, l};
        }
        AgingQuery a;
        if (f & 2) a.customer = customer();
        return Query{at, by, a};
      }
      case 26: {  // orderbook: a new version of an order, a key that repeats often
        AmendOrder a;
        a.order_no = order_no();
        a.amendment_id = in_.u8() & 1 ? client_order_id() : Key::of("AM");
        const uint8_t f = in_.u8();
        if (f & 1) a.lines = order().lines;
        if (f & 2) a.ship_by = day(at);
        if (f & 4) a.ref = text();
        return Command{0, at, by, std::move(a)};
      }
      case 27: {  // orderbook: the ledger with any filter and a cursor valid or not
        const uint8_t f = in_.u8();
        ListOrders l;
        if (f & 1) l.customer = customer();
        if (f & 2) l.status = (f & 64) ? text() : std::string("held,accepted");
        if (f & 4) l.submitted_by = Key::of(f & 128 ? "rep0" : "nobody");
        if (f & 8) l.from = day(at);
        if (f & 16) l.to = day(at);
        if (f & 32) l.late = (in_.u8() & 1) != 0;
        if (in_.u8() & 1) l.cursor = Key::of("o" + std::to_string(in_.u8()));
        l.limit = in_.u8();
        return Query{at, by, l};
      }
      default: {
        if (in_.u8() & 1) return Query{at, by, DailyReportQuery{day(at)}};
        return Query{at, by, StatementQuery{customer(), day(at), day(at)}};
      }
    }
  }

 private:
  // The people: one per role and level, plus the awkward ones (no role, every role, a level
  // beyond the top, a second rep who did not submit the order, bytes chosen by the input).
  Principal principal(uint8_t i) {
    auto make = [](std::string_view name, uint8_t roles, uint8_t level) {
      Principal p;
      p.name = Key::of(name);
      p.roles = roles;
      p.level = level;
      return p;
    };
    switch (i) {
      case 0:
        return make("ops", kRoleAdmin, 3);
      case 1:
        return make("rep0", kRoleOrder, 0);
      case 2:
        return make("rep1", kRoleOrder, 1);
      case 3:
        return make("rep2", kRoleOrder, 2);
      case 4:
        return make("rep3", kRoleOrder, 3);
      case 5:
        return make("credit0", kRoleCredit, 0);
      case 6:
        return make("credit1", kRoleCredit, 1);
      case 7:
        return make("credit3", kRoleCredit, 3);
      case 8:
        return make("fin1", kRoleFinance, 1);
      case 9:
        return make("fin2", kRoleFinance, 2);
      case 10:
        return make("wh", kRoleWarehouse, 0);
      case 11:
        return make("guest", 0, 0);
      case 12:
        return make("boss", 31, 3);
      case 13:
        return make("rep9", kRoleOrder, 9);
      case 14:
        return make("other", kRoleOrder | kRoleCredit, 1);
      default: {
        const uint8_t roles = in_.u8();
        const uint8_t level = in_.u8();
        return make("any", roles, level);
      }
    }
  }

  // Business time for the next step, relative to the previous step's (which may be ahead of or
  // behind the engine's now(): the engine decides what a step in the past means).
  TimeMs advance(uint8_t mode) {
    // Unsigned arithmetic: the fuzzer's own clock wraps rather than overflowing.
    auto plus = [&](int64_t d) {
      clock_ = static_cast<TimeMs>(static_cast<uint64_t>(clock_) + static_cast<uint64_t>(d));
    };
    switch (mode) {
      case 0:
      case 1:
      case 2:
      case 3:
        break;
      case 4:
      case 5:
        plus(int64_t{in_.u8()} * 60'000);
        break;
      case 6:
      case 7:
        plus(int64_t{in_.u8()} * kMsPerHour);
        break;
      case 8:
      case 9:
        plus(int64_t{in_.u8()} * kMsPerDay);
        break;
      case 10:
        plus(int64_t{in_.u16()} * kMsPerDay);  // up to 179 years
        break;
      case 11:
        plus(-int64_t{in_.u8()} * 60'000);
        break;
      case 12:
        plus(-int64_t{in_.u8()} * kMsPerDay);
        break;
      case 13:
        clock_ = kStart;
        break;
      case 14: {
        static constexpr TimeMs kEdges[] = {0,
                                            -1,
                                            -kMsPerDay * 800'000,   // year -220
                                            kMsPerDay * 2'932'896,  // 9999-12-31
                                            kMsPerDay * 2'932'897,  // 10000-01-01
                                            INT64_MAX / 2,
                                            INT64_MAX - kMsPerDay,
                                            INT64_MAX,
                                            INT64_MIN};
        clock_ = kEdges[in_.u8() % (sizeof kEdges / sizeof kEdges[0])];
        break;
      }
      default:
        clock_ = static_cast<TimeMs>(in_.u64());
        break;
    }
    return clock_;
  }

  Key key_of(std::string_view prefix, uint8_t n) {
    std::string s(prefix);
    s += static_cast<char>('0' + n);
    return Key::of(s);
  }
  // The bad ids: empty, with a space, with a control character, with DEL; and the longest
  // valid id.
  Key odd_key(char c) {
    Key k;
    switch (in_.u8() % 5) {
      case 0:
        return k;  // empty
      case 1:
        k.len = 3;
        k.data[0] = c;
        k.data[1] = ' ';
        k.data[2] = '1';
        return k;
      case 2:
        k.len = 2;
        k.data[0] = c;
        k.data[1] = '\n';
        return k;
      case 3:
        k.len = 2;
        k.data[0] = c;
        k.data[1] = 0x7f;
        return k;
      default:
        k.len = Key::kMaxLen;
        for (char& ch : k.data) ch = c;
        return k;
    }
  }
  Key customer() {
    const uint8_t b = in_.u8();
    return (b & 7) < 6 ? key_of("C", b & 7) : odd_key('C');
  }
  Key sku() {
    const uint8_t b = in_.u8();
    return (b & 7) < 6 ? key_of("P", b & 7) : odd_key('P');
  }
  Key client_order_id() {
    const uint8_t b = in_.u8() & 7;
    if (b < 3) return Key{};  // no idempotency key
    return b < 6 ? key_of("K", b - 3) : odd_key('K');
  }
  Key payment_ref() {
    const uint8_t b = in_.u8() & 7;
    return b < 5 ? key_of("R", b) : odd_key('R');
  }

  std::string text() {
    switch (in_.u8() & 7) {
      case 5:
        return "x";
      case 6:
        return std::string(kMaxTextLen, 't');
      case 7:
        return std::string(kMaxTextLen + 1, 't');  // too long
      default:
        return {};
    }
  }

  Money money() {
    switch (in_.u8() & 15) {
      case 0:
        return 0;
      case 1:
        return 1;
      case 2:
        return -1;
      case 3:
        return int64_t{in_.u8()} * 100;
      case 4:
        return int64_t{in_.u16()} * 100;
      case 5:
        return in_.u32();
      case 6:
        return kMoneyMax;
      case 7:
        return INT64_MIN;
      case 8:
        return kMoneyMax / kQtyMax + 1;  // x a big quantity overflows
      case 9:
        return static_cast<Money>(in_.u64());
      default:
        return in_.u16();
    }
  }

  Qty qty() {
    switch (in_.u8() & 15) {
      case 0:
        return 0;
      case 1:
        return -1;
      case 2:
        return kQtyMax;
      case 3:
        return kQtyMax + 1;
      case 4:
        return INT64_MAX;
      case 5:
        return in_.u32();
      case 6:
        return static_cast<Qty>(in_.u64());
      default:
        return 1 + in_.u8() % 20;
    }
  }

  int32_t days_field() {
    switch (in_.u8() & 7) {
      case 0:
        return 0;
      case 1:
        return -1;
      case 2:
        return 3650;
      case 3:
        return 3651;
      case 4:
        return static_cast<int32_t>(in_.u32());
      default:
        return in_.u8() % 61;
    }
  }

  Day day(TimeMs at) {
    // day_of is only defined for times the engine accepts (types.h).
    const Day today = time_in_range(at) ? day_of(at) : 0;
    switch (in_.u8() & 7) {
      case 0:
        return 0;
      case 1:
        return INT32_MIN;
      case 2:
        return INT32_MAX;
      case 3:
        return static_cast<Day>(in_.u32());
      case 4:
        return today - in_.u8();
      case 5:
        return today + in_.u8();
      default:
        return today;
    }
  }

  OrderNo order_no() {
    const uint8_t b = in_.u8();
    switch (b & 7) {
      case 0:
        return 0;
      case 1:
        return in_.u64();
      case 2:
        return kFirstOrderNo - 1;
      default:
        return kFirstOrderNo + in_.u8() % (orders_ + 2);
    }
  }
  static constexpr OrderNo kFirstOrderNo = 100001;  // engine/state.h

  uint64_t invoice_no() {
    const uint8_t b = in_.u8();
    switch (b & 7) {
      case 0:
        return 0;
      case 1:
        return in_.u64();
      default:
        return 1 + in_.u8() % (invoices_ + 2);
    }
  }

  OrderRequest order() {
    OrderRequest o;
    o.customer = customer();
    o.client_order_id = client_order_id();
    const uint8_t f = in_.u8();
    o.payment = (f & 1) ? PaymentTerms::prepaid : PaymentTerms::credit;
    if (f & 2) o.ship_by = day(clock_);
    if (f & 4) o.ref = text();
    const uint8_t n = in_.u8();
    // 0 lines and more than kMaxOrderLines are BAD_REQUEST.
    const std::size_t lines = n == 255 ? kMaxOrderLines + 1 : n % 32 == 31 ? 0 : 1 + n % 4;
    for (std::size_t i = 0; i < lines; ++i) {
      LineRequest l;
      l.sku = sku();
      l.qty = qty();
      if (in_.u8() & 1) l.unit_price = money();
      o.lines.push_back(l);
    }
    return o;
  }

  std::vector<SkuQty> sku_lines(bool allow_empty) {
    const uint8_t n = in_.u8() % 4;
    std::vector<SkuQty> lines;
    const std::size_t count = n == 0 && !allow_empty ? 1 : n;
    for (std::size_t i = 0; i < count; ++i) lines.push_back({sku(), qty()});
    return lines;
  }

  Policy policy() {
    Policy p;
    const uint8_t f = in_.u8();
    if (f & 1) {
      const Money base = money();
      if (base < 0)
        p.approve_total_max_minor = {base, 0, 0, kMoneyMax};  // invalid
      else if (base > kMoneyMax / 4)
        p.approve_total_max_minor = {base, base, base, kMoneyMax};
      else
        p.approve_total_max_minor = {base, base * 2, base * 4, kMoneyMax};
      if (f & 128) std::swap(p.approve_total_max_minor[1], p.approve_total_max_minor[2]);
    }
    if (f & 2) {
      const int32_t d = in_.u8() * 10;
      p.discount_max_bp = {d, d, static_cast<int32_t>(d + in_.u8() * 10), 10'000};
      if (f & 64) p.discount_max_bp[3] = 10'001;  // invalid
    }
    if (f & 4) p.hold_ttl_hours = days_field();
    if (f & 8) p.order_ttl_days = days_field();
    if (f & 16) p.overdue_hold_days = days_field();
    if (f & 32) p.suspend_after_days = days_field();
    return p;
  }

  Bytes in_;
  TimeMs clock_ = kStart;
  uint64_t orders_ = 0;
  uint64_t invoices_ = 0;
};

// What an answer says, reduced to values that must be equal when the same step is replayed.
std::string digest(const Result& r) {
  std::string d = std::to_string(static_cast<int>(r.error.code));
  d += '|';
  d += r.error.message;
  d += '|';
  d += r.error.field;
  if (!r.ok()) return d;
  d += "|body " + std::to_string(r.body.index());
  auto order = [&](const OrderView& o) {
    d += " order " + std::to_string(o.order_no) + " " + to_string(o.status) + " " +
         to_string(o.decision) + " total " + std::to_string(o.total) + " reasons " +
         std::to_string(o.reasons.size()) + " lines " + std::to_string(o.lines.size()) +
         " events " + std::to_string(o.events.size()) + (o.duplicate ? " dup" : "");
    for (const ReasonView& rv : o.reasons) d += std::string(" ") + to_string(rv.code);
    if (o.has_credit) d += " exposure " + std::to_string(o.credit.exposure);
  };
  if (const auto* o = std::get_if<OrderView>(&r.body)) order(*o);
  if (const auto* b = std::get_if<BatchView>(&r.body))
    for (const BatchView::Item& item : b->results) {
      d += " [" + std::to_string(static_cast<int>(item.error.code)) + item.error.field;
      if (item.error.code == ErrorCode::OK) order(item.order);
      d += "]";
    }
  if (const auto* c = std::get_if<CustomerView>(&r.body))
    d += " customer " + std::to_string(c->exposure.total) + " " + std::to_string(c->available) +
         " " + to_string(c->status) + " " + std::to_string(c->oldest_overdue_days);
  if (const auto* p = std::get_if<ProductView>(&r.body))
    d += " product " + std::to_string(p->on_hand) + " " + std::to_string(p->reserved);
  if (const auto* s = std::get_if<ShipView>(&r.body))
    d += " ship " + std::to_string(s->invoice_no) + " " + std::to_string(s->amount) + " " +
         std::to_string(s->due_date) + " " + to_string(s->status);
  if (const auto* p = std::get_if<PaymentView>(&r.body))
    d += " payment " + std::to_string(p->applied.size()) + " " + std::to_string(p->unapplied) +
         (p->duplicate ? " dup" : "");
  if (const auto* v = std::get_if<ReturnView>(&r.body))
    d += " return " + std::to_string(v->credit_note_no) + " " + std::to_string(v->amount) + " " +
         std::to_string(v->applied.size()) + " " + std::to_string(v->unapplied);
  if (const auto* t = std::get_if<TickView>(&r.body))
    d += " tick " + std::to_string(t->held_expired) + " " + std::to_string(t->accepted_expired) +
         " " + std::to_string(t->customers_suspended) + " " +
         std::to_string(t->customers_reactivated);
  if (const auto* h = std::get_if<HeldList>(&r.body))
    d += " held " + std::to_string(h->orders.size());
  if (const auto* a = std::get_if<AgingView>(&r.body))
    d += " aging " + std::to_string(a->buckets.total) + " " + std::to_string(a->top.size());
  if (const auto* s = std::get_if<StatementView>(&r.body))
    d += " statement " + std::to_string(s->entries.size()) + " " +
         std::to_string(s->opening_balance) + " " + std::to_string(s->closing_balance);
  if (const auto* v = std::get_if<DailyReportView>(&r.body))
    d += " daily " + std::to_string(v->shipments) + " " + std::to_string(v->payments);
  return d;
}

// Runs `steps` against `engine`; when `digests` is non-null, records every answer's digest.
void run(Engine& engine, const std::vector<Step>& steps, std::vector<std::string>* digests) {
  Result r;
  for (const Step& step : steps) {
    if (const auto* c = std::get_if<Command>(&step))
      engine.apply(*c, r);
    else
      engine.query(std::get<Query>(step), r);
    if (digests) digests->push_back(digest(r));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // CREDO_FUZZ_TRACE=1: print every step and its answer (to read what an input does).
  static const bool trace = std::getenv("CREDO_FUZZ_TRACE") != nullptr;
  Decoder decoder(data, size);
  Engine engine;
  Engine replica;  // fed only the commands that succeed
  std::vector<Step> steps;
  std::vector<std::string> digests;
  Result r, replica_result;
  uint64_t seq = 0;
  while (!decoder.done() && steps.size() < kMaxSteps) {
    const EngineCounts counts = engine.counts();
    Step step = decoder.next(counts.orders, counts.invoices);
    const std::size_t i = steps.size();
    const TimeMs now_before = engine.now();
    if (auto* c = std::get_if<Command>(&step)) {
      c->seq = ++seq;
      engine.apply(*c, r);
      if (r.ok()) {
        replica.apply(*c, replica_result);
        if (!replica_result.ok()) fail("the replica refused a command the engine took", "", i);
        if (engine.now() < now_before) fail("now() went backwards", "", i);
      } else if (engine.now() != now_before) {
        fail("a failed command moved now()", digest(r), i);
      }
    } else {
      engine.query(std::get<Query>(step), r);
      if (engine.now() != now_before) fail("a read moved now()", "", i);
    }
    if (!r.ok() && r.error.code != ErrorCode::BAD_REQUEST && r.error.code != ErrorCode::FORBIDDEN &&
        r.error.code != ErrorCode::NOT_FOUND && r.error.code != ErrorCode::INVALID_STATE &&
        r.error.code != ErrorCode::DUPLICATE)
      fail("an error code the engine does not give", digest(r), i);
    if (!r.ok() && r.error.message.empty()) fail("an error without a message", digest(r), i);
    const std::string problem = engine.check_invariants(false);
    if (!problem.empty()) fail("invariant violated", problem + "\nafter: " + digest(r), i);
    digests.push_back(digest(r));
    if (trace) {
      const auto* c = std::get_if<Command>(&step);
      std::fprintf(stderr, "step %zu: %s %zu at %s: %s\n", i, c ? "command" : "read",
                   c ? c->body.index() : std::get<Query>(step).body.index(),
                   time_in_range(c ? c->at : std::get<Query>(step).at)
                       ? format_time(c ? c->at : std::get<Query>(step).at).c_str()
                       : "(out of range)",
                   digests.back().c_str());
    }
    steps.push_back(std::move(step));
  }

  const std::size_t end = steps.size();
  const std::string problem = engine.check_invariants(true);
  if (!problem.empty()) fail("invariant violated (full check)", problem, end);
  const uint64_t hash = engine.state_hash();
  if (replica.state_hash() != hash)
    fail(
        "the replica, fed only the commands that succeeded, differs: a failed command changed "
        "state",
        "", end);

  // Determinism: the same steps into a fresh engine give the same answers and state.
  Engine again;
  std::vector<std::string> again_digests;
  run(again, steps, &again_digests);
  for (std::size_t i = 0; i < end; ++i)
    if (again_digests[i] != digests[i])
      fail("replay answered differently", digests[i] + "\nreplay: " + again_digests[i], i);
  if (again.state_hash() != hash) fail("replay ended in another state", "", end);

  // Snapshot round trip.
  std::string image;
  engine.save(image);
  Engine loaded;
  std::string error;
  if (!loaded.load(image, &error)) fail("load() of a saved image failed", error, end);
  if (loaded.state_hash() != hash) fail("save -> load changed the state_hash", "", end);
  const std::string p2 = loaded.check_invariants(true);
  if (!p2.empty()) fail("invariant violated after load", p2, end);
  std::string image2;
  loaded.save(image2);
  if (image2 != image) fail("save(load(image)) differs from image", "", end);
  return 0;
}
