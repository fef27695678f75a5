// A small world builder for the engine's unit tests, so that each test reads like a business
// scenario:
//
//   World w;
//   w.customer("C1").limit(100000).grade(Grade::B);
//   w.product("BOLT").price(1000).stock(500);
//   OrderView o = w.submit("C1", {{"BOLT", 3}});
//
// The world owns an Engine and a business clock (starting 2026-11-23T10:00:00Z). Every command
// it sends is stamped with the clock and a fresh sequence number; the clock only moves when a
// test says so (advance_hours/advance_days), so expiries happen exactly where a test puts them.
//
// Helpers named after an op (submit, ship, pay, ...) expect success and return the typed
// result (a default value and a test failure otherwise); try_* and apply/query return the raw
// Result so tests can check errors.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"

namespace credo::test {

// 2026-11-23T10:00:00Z, a Monday morning.
constexpr TimeMs kStart = 1'795'428'000'000;

inline Principal principal(std::string_view name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}
// The people of the seller, one per role (separation of duties).
inline Principal admin() {
  return principal("ops", kRoleAdmin, 3);
}
inline Principal rep(int level = 0, std::string_view name = "") {
  static const char* const kNames[] = {"rep0", "rep1", "rep2", "rep3"};
  return principal(name.empty() ? kNames[level] : name, kRoleOrder, static_cast<uint8_t>(level));
}
inline Principal credit_officer(int level = 3) {
  return principal("credit", kRoleCredit, static_cast<uint8_t>(level));
}
inline Principal warehouse() {
  return principal("wh", kRoleWarehouse, 0);
}
inline Principal finance(int level = 2) {
  return principal("fin", kRoleFinance, static_cast<uint8_t>(level));
}
// A second finance principal: proposes write-offs that `finance()` approves (four eyes).
inline Principal finance_clerk(int level = 0) {
  return principal("fin-clerk", kRoleFinance, static_cast<uint8_t>(level));
}

inline std::string describe(const Error& e) {
  return std::string(to_string(e.code)) + " field='" + e.field + "' " + e.message;
}

// The typed body of a successful result, or T{} and a test failure.
template <typename T>
T body(const Result& r) {
  if (!r.ok()) {
    ADD_FAILURE() << "expected ok, got " << describe(r.error);
    return T{};
  }
  if (const T* t = std::get_if<T>(&r.body)) return *t;
  ADD_FAILURE() << "result holds another type (index " << r.body.index() << ")";
  return T{};
}

struct Line {
  std::string sku;
  Qty qty = 0;
  std::optional<Money> unit_price = {};
};

struct SubmitOptions {
  std::string client_order_id = {};  // empty: no idempotency key
  PaymentTerms payment = PaymentTerms::credit;
  Principal by = rep(0);
};

inline OrderRequest order_request(std::string_view customer, const std::vector<Line>& lines,
                                  const SubmitOptions& opt = {}) {
  OrderRequest r;
  r.customer = Key::of(customer);
  if (!opt.client_order_id.empty()) r.client_order_id = Key::of(opt.client_order_id);
  r.payment = opt.payment;
  for (const Line& l : lines) r.lines.push_back(LineRequest{Key::of(l.sku), l.qty, l.unit_price});
  return r;
}

inline std::vector<SkuQty> sku_qty(const std::vector<std::pair<std::string, Qty>>& lines) {
  std::vector<SkuQty> out;
  for (const auto& [sku, qty] : lines) out.push_back(SkuQty{Key::of(sku), qty});
  return out;
}

// Reasons as comparable (code, line) pairs, in the order the engine listed them.
inline std::vector<std::pair<Reason, int>> reason_codes(const OrderView& o) {
  std::vector<std::pair<Reason, int>> out;
  for (const ReasonView& r : o.reasons) out.emplace_back(r.code, r.line);
  return out;
}
inline const ReasonView* find_reason(const OrderView& o, Reason code) {
  for (const ReasonView& r : o.reasons)
    if (r.code == code) return &r;
  return nullptr;
}
inline bool has_reason(const OrderView& o, Reason code) {
  return find_reason(o, code) != nullptr;
}

// The engine saved to a snapshot image and loaded into a fresh one. The copy must load, hash the
// same and pass the full invariant check (EXPECTs: a failure names the calling test).
inline Engine snapshot_copy(const Engine& original) {
  std::string image;
  original.save(image);
  Engine copy;
  std::string error;
  if (!copy.load(image, &error)) ADD_FAILURE() << "the snapshot image does not load: " << error;
  EXPECT_EQ(copy.state_hash(), original.state_hash());
  EXPECT_EQ(copy.check_invariants(true), "");
  return copy;
}

class World;

// Collects a customer's master data and upserts it (as the credit officer) at the end of the
// full expression: `w.customer("C1").grade(Grade::A).limit(100000);`.
class CustomerBuilder {
 public:
  CustomerBuilder(World& w, std::string_view id) : w_(w) { cmd_.customer = Key::of(id); }
  CustomerBuilder(const CustomerBuilder&) = delete;
  CustomerBuilder& operator=(const CustomerBuilder&) = delete;
  ~CustomerBuilder();

  CustomerBuilder& limit(Money m) {
    cmd_.credit_limit = m;
    return *this;
  }
  CustomerBuilder& grade(Grade g) {
    cmd_.grade = g;
    return *this;
  }
  CustomerBuilder& terms(int32_t days) {
    cmd_.terms_days = days;
    return *this;
  }
  CustomerBuilder& status(CustomerStatus s) {
    cmd_.status = s;
    return *this;
  }
  CustomerBuilder& name(std::string n) {
    cmd_.name = std::move(n);
    return *this;
  }

 private:
  World& w_;
  UpsertCustomer cmd_;
};

// Same for products (as admin): `w.product("BOLT").price(1000).floor(800).stock(500);`.
class ProductBuilder {
 public:
  ProductBuilder(World& w, std::string_view sku) : w_(w) { cmd_.sku = Key::of(sku); }
  ProductBuilder(const ProductBuilder&) = delete;
  ProductBuilder& operator=(const ProductBuilder&) = delete;
  ~ProductBuilder();

  ProductBuilder& price(Money m) {
    cmd_.price = m;
    return *this;
  }
  ProductBuilder& floor(Money m) {
    cmd_.floor_price = m;
    return *this;
  }
  ProductBuilder& stock(Qty q) {
    cmd_.on_hand = q;
    return *this;
  }

 private:
  World& w_;
  UpsertProduct cmd_;
};

class World {
 public:
  Engine engine;
  TimeMs now = kStart;
  uint64_t seq = 0;

  // ---- raw access ----
  Result apply(CommandBody b, const Principal& by) {
    Command c;
    c.seq = ++seq;
    c.at = now;
    c.by = by;
    c.body = std::move(b);
    Result r;
    engine.apply(c, r);
    return r;
  }
  Result query(QueryBody b, const Principal& by = rep(0)) const {
    Query q;
    q.at = now;
    q.by = by;
    q.body = std::move(b);
    Result r;
    engine.query(q, r);
    return r;
  }

  // ---- time ----
  void advance_ms(TimeMs ms) { now += ms; }
  void advance_hours(int64_t h) { now += h * kMsPerHour; }
  void advance_days(int64_t d) { now += d * kMsPerDay; }
  Day today() const { return day_of(now); }
  TickView tick() { return body<TickView>(apply(Tick{}, admin())); }

  // ---- master data ----
  CustomerBuilder customer(std::string_view id) { return CustomerBuilder(*this, id); }
  ProductBuilder product(std::string_view sku) { return ProductBuilder(*this, sku); }
  // A customer in good standing: grade A, the given limit (default 1,000,000.00).
  void good_customer(std::string_view id, Money limit = 100'000'000) {
    customer(id).grade(Grade::A).limit(limit);
  }
  Result set_status(std::string_view id, CustomerStatus s, std::string reason = "by hand") {
    return apply(SetCustomerStatus{Key::of(id), s, std::move(reason)}, credit_officer());
  }

  // ---- orders ----
  Result try_submit(std::string_view customer, const std::vector<Line>& lines,
                    const SubmitOptions& opt = {}) {
    return apply(SubmitOrder{order_request(customer, lines, opt)}, opt.by);
  }
  OrderView submit(std::string_view customer, const std::vector<Line>& lines,
                   const SubmitOptions& opt = {}) {
    return body<OrderView>(try_submit(customer, lines, opt));
  }
  OrderView quote(std::string_view customer, const std::vector<Line>& lines,
                  const SubmitOptions& opt = {}) {
    return body<OrderView>(query(Quote{order_request(customer, lines, opt)}, opt.by));
  }
  Result try_release(OrderNo n, int level = 3) {
    return apply(ReleaseOrder{n, "ok"}, credit_officer(level));
  }
  OrderView release(OrderNo n, int level = 3) { return body<OrderView>(try_release(n, level)); }
  Result try_reject(OrderNo n) { return apply(RejectOrder{n, "no"}, credit_officer()); }
  OrderView reject(OrderNo n) { return body<OrderView>(try_reject(n)); }
  Result try_cancel(OrderNo n, const Principal& by = rep(0)) {
    return apply(CancelOrder{n, "changed mind"}, by);
  }
  OrderView cancel(OrderNo n, const Principal& by = rep(0)) {
    return body<OrderView>(try_cancel(n, by));
  }

  // ---- fulfilment and money ----
  Result try_ship(OrderNo n, const std::vector<std::pair<std::string, Qty>>& lines = {}) {
    return apply(Ship{n, sku_qty(lines)}, warehouse());
  }
  ShipView ship(OrderNo n, const std::vector<std::pair<std::string, Qty>>& lines = {}) {
    return body<ShipView>(try_ship(n, lines));
  }
  Result try_pay(std::string_view customer, Money amount, std::string_view ref) {
    return apply(RecordPayment{Key::of(customer), amount, Key::of(ref)}, finance());
  }
  PaymentView pay(std::string_view customer, Money amount, std::string_view ref) {
    return body<PaymentView>(try_pay(customer, amount, ref));
  }
  Result try_return(OrderNo n, const std::vector<std::pair<std::string, Qty>>& lines,
                    bool restock) {
    return apply(ReturnGoods{n, sku_qty(lines), restock, "damaged"}, admin());
  }
  ReturnView return_goods(OrderNo n, const std::vector<std::pair<std::string, Qty>>& lines,
                          bool restock) {
    return body<ReturnView>(try_return(n, lines, restock));
  }
  // The one-step write_off (refused unless the policy allows a single approver).
  Result try_write_off(InvoiceNo n, int level = 2) {
    return apply(WriteOff{n, "bankrupt"}, finance(level));
  }
  // The two-step write-off: proposed by the finance clerk, approved by `finance()`.
  Result try_propose_write_off(InvoiceNo n, WriteOffReason code = WriteOffReason::bankrupt,
                               const Principal& by = finance_clerk()) {
    return apply(ProposeWriteOff{n, code, "customer is bankrupt"}, by);
  }
  Result try_approve_write_off(uint64_t write_off_no, const Principal& by = finance()) {
    return apply(ApproveWriteOff{write_off_no, "approved"}, by);
  }
  // Proposes and approves; the approval's result (or the failed proposal's).
  Result try_write_off_approved(InvoiceNo n) {
    Result proposed = try_propose_write_off(n);
    if (!proposed.ok()) return proposed;
    return try_approve_write_off(std::get<WriteOffRecordView>(proposed.body).write_off_no);
  }

  // ---- reads ----
  CustomerView get_customer(std::string_view id) const {
    return body<CustomerView>(query(GetCustomer{Key::of(id)}));
  }
  ProductView get_product(std::string_view sku) const {
    return body<ProductView>(query(GetProduct{Key::of(sku)}));
  }
  OrderView get_order(OrderNo n) const {
    GetOrder g;
    g.order_no = n;
    return body<OrderView>(query(g));
  }
  AgingBuckets aging(std::string_view id) const {
    AgingQuery q;
    q.customer = Key::of(id);
    return body<AgingView>(query(q)).buckets;
  }
};

inline CustomerBuilder::~CustomerBuilder() {
  Result r = w_.apply(cmd_, credit_officer());
  EXPECT_TRUE(r.ok()) << "upsert_customer: " << describe(r.error);
}
inline ProductBuilder::~ProductBuilder() {
  Result r = w_.apply(cmd_, admin());
  EXPECT_TRUE(r.ok()) << "upsert_product: " << describe(r.error);
}

// Every test runs in a fixture whose world must satisfy the engine's invariants at the end.
// An image of today's version (CREDOST4) as version 3 wrote it, for the tests of older images:
// the pricing block at the end removed (empty there: two u64 counts) and each order line's
// trailing price_source byte dropped. `lines` are the image's order lines (their fields as
// serialized, engine/serialize.cc), each found by its bytes.
struct ImageLine {
  uint32_t product = 0;
  Qty qty = 0;
  Money unit_price = 0;
  int32_t discount_bp = 0;
  Money amount = 0;
  Qty shipped = 0;
  Qty returned = 0;
};
inline std::string image_as_version3(const std::string& v4, const std::vector<ImageLine>& lines) {
  std::string v3 = "CREDOST3" + v4.substr(8, v4.size() - 8 - 16);
  for (const ImageLine& l : lines) {
    std::string bytes;
    auto put = [&](const auto& v) { bytes.append(reinterpret_cast<const char*>(&v), sizeof v); };
    put(l.product), put(l.qty), put(l.unit_price), put(l.discount_bp), put(l.amount),
        put(l.shipped), put(l.returned);
    const std::size_t at = v3.find(bytes);
    EXPECT_NE(at, std::string::npos) << "an order line not found in the image";
    if (at != std::string::npos) v3.erase(at + bytes.size(), 1);
  }
  return v3;
}

class EngineTest : public ::testing::Test {
 protected:
  void TearDown() override { EXPECT_EQ(w.engine.check_invariants(/*full=*/true), ""); }
  World w;
};

}  // namespace credo::test
