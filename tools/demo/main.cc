// credo-demo: loads the demo world into an in-process Engine, submits a dozen orders that
// each show one of the credit rules at work, then releases a hold, ships, records a payment
// and prints the customer's aging. No server, no files: a first look at what credo decides
// and why.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"
#include "tools/demo/demo_data.h"

namespace credo::demo {
namespace {

// "1,234,567.89" from cents.
std::string money(Money m) {
  const bool negative = m < 0;
  // Work in unsigned so that INT64_MIN does not overflow on negation.
  uint64_t u = negative ? 0 - static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
  std::string whole = std::to_string(u / 100);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return fmt::format("{}{}.{:02}", negative ? "-" : "", grouped, u % 100);
}

std::string error_text(const Error& e) {
  std::string s = fmt::format("{}: {}", to_string(e.code), e.message);
  if (!e.field.empty()) s += fmt::format(" (field {})", e.field);
  return s;
}

std::string reasons_text(const OrderView& o) {
  std::string s;
  for (const ReasonView& r : o.reasons) {
    if (!s.empty()) s += ", ";
    s += to_string(r.code);
    std::string detail;
    if (r.line >= 0) detail += fmt::format("line {}", r.line);
    if (r.required_level >= 0) {
      if (!detail.empty()) detail += ", ";
      detail += fmt::format("needs level {}", r.required_level);
    }
    if (r.available >= 0) {
      if (!detail.empty()) detail += ", ";
      detail += fmt::format("available {}", r.available);
    }
    if (!detail.empty()) s += " (" + detail + ")";
  }
  return s;
}

const char* upper(OrderStatus s) {
  switch (s) {
    case OrderStatus::accepted:
      return "ACCEPTED";
    case OrderStatus::held:
      return "HELD";
    case OrderStatus::rejected:
      return "REJECTED";
    case OrderStatus::expired:
      return "EXPIRED";
    case OrderStatus::cancelled:
      return "CANCELLED";
    case OrderStatus::shipped:
      return "SHIPPED";
  }
  return "?";
}

struct Line {
  const char* sku;
  Qty qty;
  std::optional<Money> unit_price;
};

// One in-process engine with a business clock that moves a minute per command.
class Demo {
 public:
  explicit Demo(TimeMs start) : now_(start) {}

  // Applies the dataset; false (and a message) if any command fails.
  bool load(TimeMs start) {
    for (Command& c : demo_dataset(start)) {
      c.seq = ++seq_;
      engine_.apply(c, result_);
      if (!result_.ok()) {
        fmt::print(stderr, "credo-demo: demo dataset command {} failed: {}\n", c.seq,
                   error_text(result_.error));
        return false;
      }
    }
    return true;
  }

  const Result& apply(const Principal& by, CommandBody body) {
    Command c;
    c.seq = ++seq_;
    c.at = (now_ += 60'000);
    c.by = by;
    c.body = std::move(body);
    engine_.apply(c, result_);
    return result_;
  }
  const Result& query(const Principal& by, QueryBody body) {
    Query q;
    q.at = now_;
    q.by = by;
    q.body = std::move(body);
    engine_.query(q, result_);
    return result_;
  }

  std::string customer_name(std::string_view id) {
    const Result& r = query(demo_rep(), GetCustomer{Key::of(id)});
    if (const auto* c = std::get_if<CustomerView>(&r.body); r.ok() && c && !c->name.empty())
      return fmt::format("{} ({})", c->name, id);
    return fmt::format("{} (not a customer)", id);
  }

  Money receivables(std::string_view id) {
    const Result& r = query(demo_rep(), GetCustomer{Key::of(id)});
    const auto* c = std::get_if<CustomerView>(&r.body);
    return r.ok() && c ? c->exposure.receivables : 0;
  }

  void print_world() {
    fmt::print("Customers at {}:\n", format_time(engine_.now()));
    fmt::print("  {:<6} {:<22} {:<5} {:>12} {:>5} {:<8} {:>12} {:>12}\n", "id", "name", "grade",
               "limit", "terms", "status", "exposure", "available");
    for (int i = 1; i <= 10; ++i) {
      const std::string id = fmt::format("C{}", 1000 + i);
      const Result& r = query(demo_rep(), GetCustomer{Key::of(id)});
      const auto* c = std::get_if<CustomerView>(&r.body);
      if (!r.ok() || !c) continue;
      fmt::print("  {:<6} {:<22} {:<5} {:>12} {:>5} {:<8} {:>12} {:>12}\n", id, c->name,
                 to_string(c->grade), money(c->credit_limit), c->terms_days, to_string(c->status),
                 money(c->exposure.total), money(c->available));
    }
    fmt::print("\n");
  }

  // Submits (or quotes) an order and prints the decision. Returns the order number (0 if the
  // request failed or was a quote).
  OrderNo order(int step, std::string_view title, std::string_view customer,
                std::string_view client_order_id, const std::vector<Line>& lines,
                PaymentTerms payment = PaymentTerms::credit, bool quote = false) {
    OrderRequest req;
    req.customer = Key::of(customer);
    if (!client_order_id.empty()) req.client_order_id = Key::of(client_order_id);
    req.payment = payment;
    std::string what;
    for (const Line& l : lines) {
      req.lines.push_back(LineRequest{Key::of(l.sku), l.qty, l.unit_price});
      if (!what.empty()) what += ", ";
      what += fmt::format("{} x {}", l.qty, l.sku);
      if (l.unit_price) what += fmt::format(" @ {}", money(*l.unit_price));
    }
    fmt::print("{:>2}. {}\n    {} {} {} ({}), by {} (level {})\n", step, title,
               customer_name(customer), quote ? "asks for a quote on" : "orders", what,
               to_string(payment), demo_rep().name.view(), demo_rep().level);
    const Result& r =
        quote ? query(demo_rep(), Quote{std::move(req)}) : apply(demo_rep(), SubmitOrder{req});
    if (!r.ok()) {
      fmt::print("    -> error {}\n\n", error_text(r.error));
      return 0;
    }
    const OrderView& o = std::get<OrderView>(r.body);
    if (o.quote) {
      fmt::print("    -> quote: would be {}", upper(o.decision));
    } else {
      fmt::print("    -> order {} {}{}", o.order_no, upper(o.decision),
                 o.duplicate ? " (duplicate: the original decision, nothing changed)" : "");
    }
    fmt::print(", total {}\n", money(o.total));
    if (!o.reasons.empty()) fmt::print("       reasons: {}\n", reasons_text(o));
    if (o.has_credit) {
      fmt::print("       credit: limit {}, exposure {}, available {}\n", money(o.credit.limit),
                 money(o.credit.exposure), money(o.credit.available));
    }
    fmt::print("\n");
    return o.quote ? 0 : o.order_no;
  }

  void print_aging(std::string_view customer) {
    AgingQuery q;
    q.customer = Key::of(customer);
    const Result& r = query(demo_rep(), q);
    if (!r.ok()) {
      fmt::print("    aging: error {}\n", error_text(r.error));
      return;
    }
    const AgingBuckets& b = std::get<AgingView>(r.body).buckets;
    fmt::print("    aging of {}: current {}, 1-30 {}, 31-60 {}, 61-90 {}, 90+ {}, total {}\n",
               customer, money(b.current), money(b.d1_30), money(b.d31_60), money(b.d61_90),
               money(b.d90_plus), money(b.total));
  }

  Engine& engine() { return engine_; }

 private:
  Engine engine_;
  Result result_;
  TimeMs now_;
  uint64_t seq_ = 0;
};

int run(TimeMs start) {
  Demo d(start);
  if (!d.load(start)) return 1;
  fmt::print("credo demo: {} commands of master data and history loaded (45 days up to {}).\n\n",
             d.engine().counts().commands_applied, format_time(start));
  d.print_world();

  fmt::print("Orders, each decided in the engine as it arrives:\n\n");
  int n = 0;
  d.order(++n, "A quote: the decision an order would get now; nothing is reserved", kGoodCustomer,
          "", {{"BOLT-M8", 200, {}}, {"NUT-M8", 200, {}}}, PaymentTerms::credit, true);
  const OrderNo first = d.order(++n, "Within the credit limit, at list price", kGoodCustomer,
                                "ACME-7801", {{"BOLT-M8", 200, {}}, {"NUT-M8", 200, {}}});
  d.order(++n, "The same client_order_id again (a retry)", kGoodCustomer, "ACME-7801",
          {{"BOLT-M8", 200, {}}, {"NUT-M8", 200, {}}});
  d.order(++n, "Over the credit limit: held for the credit function", kSmallCustomer, "QF-311",
          {{"CABLE-5G25", 50, {}}});
  d.order(++n, "Grade D on credit: no credit for D (a new customer starts there)", kNewCustomer,
          "SUN-1", {{"GLOVE-L", 10, {}}});
  d.order(++n, "An invoice past due: no more credit sales until paid", kOverdueCustomer,
          "DE-PO-3460", {{"TIE-300", 5, {}}});
  d.order(++n, "Below the floor price: never allowed", "C1002", "BF-55201",
          {{"BOLT-M8", 100, 900}});
  d.order(++n, "A 2.4% discount: beyond the sales rep's authority (0%)", "C1002", "BF-55202",
          {{"BOLT-M8", 100, 1'220}});
  const OrderNo big = d.order(++n, "Over 100,000.00: beyond the sales rep's approval limit",
                              kGoodCustomer, "ACME-7802", {{"GEN-20KVA", 7, {}}});
  d.order(++n, "More than is in stock", "C1003", "NW-2026-131", {{"SEALANT-300", 10, {}}});
  d.order(++n, "A sku that does not exist", "C1003", "NW-2026-132",
          {{"WIDGET-X", 1, {}}, {"CONDUIT-20", 10, {}}});
  d.order(++n, "Prepaid, covered by the customer's advance payment", kCashCustomer, "CASH-17",
          {{"GLOVE-L", 100, {}}}, PaymentTerms::prepaid);
  d.order(++n, "Prepaid, not covered by what is left of it", kCashCustomer, "CASH-18",
          {{"DRILL-SDS", 2, {}}}, PaymentTerms::prepaid);
  d.order(++n, "A customer put on hold by hand", kOnHoldCustomer, "OTP-9", {{"WASHER-M8", 20, {}}});
  d.order(++n, "A blocked customer", kBlockedCustomer, "FBN-1", {{"CABLE-5G25", 50, {}}});
  d.order(++n, "Nobody we know", "C9999", "X-1", {{"NUT-M8", 1, {}}});

  fmt::print("After the orders:\n\n");
  {
    // An amount approval is sales management's (004 P5 §9): an order-role principal of level 1.
    fmt::print("* The sales manager (level 1, may approve up to 500,000.00) releases order {}\n",
               big);
    const Principal sales_manager{Key::of("sue-sales-manager"), kRoleOrder, 1};
    const Result& r = d.apply(sales_manager, ReleaseOrder{big, "customer confirmed"});
    if (r.ok())
      fmt::print("    -> order {} is now {}\n\n", big, upper(std::get<OrderView>(r.body).status));
    else
      fmt::print("    -> error {}\n\n", error_text(r.error));
  }
  {
    fmt::print("* The warehouse ships order {} in full\n", first);
    const Result& r = d.apply(demo_warehouse(), Ship{first, {}});
    if (r.ok()) {
      const ShipView& s = std::get<ShipView>(r.body);
      fmt::print("    -> invoice {} for {}, due {}; order {} is {}\n\n", s.invoice_no,
                 money(s.amount), format_date(s.due_date), s.order_no, upper(s.status));
    } else {
      fmt::print("    -> error {}\n\n", error_text(r.error));
    }
  }
  {
    fmt::print("* {} pays its overdue invoice\n", d.customer_name(kOverdueCustomer));
    d.print_aging(kOverdueCustomer);
    const Money owed = d.receivables(kOverdueCustomer);
    const Result& r = d.apply(
        demo_finance(), RecordPayment{Key::of(kOverdueCustomer), owed, Key::of("BANK-2026-0002")});
    if (r.ok()) {
      const PaymentView& p = std::get<PaymentView>(r.body);
      std::string applied;
      for (const Application& a : p.applied)
        applied += fmt::format(" invoice {}: {};", a.invoice_no, money(a.amount));
      fmt::print("    -> payment of {} applied to{} unapplied {}\n", money(p.amount), applied,
                 money(p.unapplied));
    } else {
      fmt::print("    -> error {}\n", error_text(r.error));
    }
    d.print_aging(kOverdueCustomer);
    fmt::print("\n");
  }
  d.order(++n, "The same customer orders again, now that nothing is past due", kOverdueCustomer,
          "DE-PO-3461", {{"TIE-300", 5, {}}});

  d.print_world();
  const std::string problem = d.engine().check_invariants(/*full=*/true);
  if (!problem.empty()) {
    fmt::print(stderr, "credo-demo: engine invariant violated: {}\n", problem);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace credo::demo

static int run_main(int argc, char** argv) {
  CLI::App app{
      "credo-demo: loads a small demo world (10 customers, 13 products, 45 days of history)\n"
      "into an in-process engine, submits a dozen illustrative orders and prints each decision\n"
      "with its reasons, then a release, a shipment, a payment and the customer's aging."};
  std::string start_text = "2026-11-23T09:00:00Z";
  app.add_option("--start", start_text,
                 "business time at which the demo world's history ends (ISO-8601 UTC)")
      ->capture_default_str();
  app.footer(
      "Examples:\n"
      "  credo-demo                                the story (money shown as 12.50 is 1250 "
      "minor units)\n"
      "  credo-demo --start 2026-01-01T00:00:00Z   the same world, its history ending then\n"
      "  credo-server --demo                       the same world over TCP, with keys\n");
  CLI11_PARSE(app, argc, argv);

  const std::optional<credo::TimeMs> start = credo::parse_time(start_text);
  if (!start) {
    fmt::print(stderr, "credo-demo: --start: not an ISO-8601 UTC time: {}\n", start_text);
    return 2;
  }
  return credo::demo::run(*start);
}

// An exception that escapes (std::bad_alloc, std::system_error from a thread) ends the program
// with its message and exit status 1 instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credo-demo: %s\n", e.what());
    return 1;
  }
}
