#include "tools/demo/demo_data.h"

#include <optional>
#include <string>
#include <utility>

namespace credo::demo {
namespace {

Principal make_principal(std::string_view name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}

struct ProductRow {
  const char* sku;
  const char* name;
  Money price_minor;
  Money floor_minor;
  Qty on_hand;
};

// List and floor prices in cents. SEALANT-300 is nearly sold out and GEN-20KVA is the one
// big-ticket item, so that the demo can show a stock-out and an amount approval.
constexpr ProductRow kProducts[] = {
    {"BOLT-M8", "Hex bolt M8x40, zinc plated (box of 100)", 1'250, 1'000, 5'000},
    {"NUT-M8", "Hex nut M8, zinc plated (box of 100)", 650, 520, 8'000},
    {"WASHER-M8", "Flat washer M8 (box of 200)", 480, 380, 10'000},
    {"BOLT-M12", "Hex bolt M12x60, galvanised (box of 50)", 2'400, 1'950, 2'000},
    {"ANCHOR-10", "Wedge anchor 10 mm (box of 50)", 3'900, 3'100, 600},
    {"CABLE-3G15", "Installation cable 3x1.5 mm2, 100 m roll", 8'900, 7'400, 300},
    {"CABLE-5G25", "Installation cable 5x2.5 mm2, 50 m roll", 12'900, 10'900, 120},
    {"TIE-300", "Cable ties 300 mm, black (pack of 100)", 690, 520, 4'000},
    {"CONDUIT-20", "PVC conduit 20 mm, 3 m length", 310, 250, 2'500},
    {"DRILL-SDS", "SDS-plus hammer drill 800 W", 18'900, 15'500, 40},
    {"GLOVE-L", "Work gloves, size L (pair)", 350, 260, 1'500},
    {"SEALANT-300", "Silicone sealant, clear, 300 ml", 590, 450, 5},
    {"GEN-20KVA", "Diesel generator 20 kVA, silent", 1'450'000, 1'300'000, 8},
};

struct CustomerRow {
  const char* id = nullptr;
  const char* name = nullptr;
  std::optional<Grade> grade;  // nullopt: a new customer, left at the defaults (D, no credit)
  Money credit_limit_minor = 0;
  int32_t terms_days = 0;
};

constexpr CustomerRow kCustomers[] = {
    {"C1001", "Acme Hardware GmbH", Grade::A, 50'000'000, 30},
    {"C1002", "Baltic Fasteners Ltd", Grade::A, 30'000'000, 45},
    {"C1003", "Northwind Builders", Grade::B, 5'000'000, 30},
    {"C1004", "Delta Electric Co.", Grade::B, 1'000'000, 14},
    {"C1005", "Harbor Marine Supply", Grade::C, 2'000'000, 14},
    {"C1006", "Quickfix Repairs", Grade::C, 500'000, 14},
    {"C1007", "Walk-in Cash Sales", Grade::D, 0, 0},
    {"C1008", "Sunrise Contractors", std::nullopt, 0, 0},
    {"C1009", "Old Town Plumbing", Grade::B, 3'000'000, 30},
    {"C1010", "Fly-by-Night Trading", Grade::C, 1'000'000, 30},
};

// Appends commands stamped with a moving business clock.
class Script {
 public:
  explicit Script(std::vector<Command>* out) : out_(out) {}

  void at(TimeMs t) { now_ = t; }
  void add(const Principal& by, CommandBody body) {
    Command c;
    c.at = now_;
    c.by = by;
    c.body = std::move(body);
    out_->push_back(std::move(c));
    now_ += 60'000;  // one minute between commands, so histories read in order
  }

  // An order at list prices, submitted by the sales rep. Returns the order number a fresh
  // engine assigns to it (numbers start at 100001 and every decided order takes the next).
  OrderNo order(std::string_view customer, std::string_view client_order_id,
                std::initializer_list<std::pair<const char*, Qty>> lines) {
    OrderRequest r;
    r.customer = Key::of(customer);
    r.client_order_id = Key::of(client_order_id);
    r.ref = "phone order";
    for (const auto& [sku, qty] : lines) r.lines.push_back(LineRequest{Key::of(sku), qty, {}});
    add(demo_rep(), SubmitOrder{std::move(r)});
    return next_order_no_++;
  }

 private:
  std::vector<Command>* out_;
  TimeMs now_ = 0;
  OrderNo next_order_no_ = 100'001;
};

}  // namespace

Principal demo_admin() {
  return make_principal("ops-admin", kRoleAdmin, 3);
}
Principal demo_rep() {
  return make_principal("sam-rep", kRoleOrder, 0);
}
Principal demo_credit_manager() {
  return make_principal("maria-credit", kRoleCredit, 1);
}
Principal demo_credit_director() {
  return make_principal("dora-director", kRoleCredit, 2);
}
Principal demo_credit_chief() {
  return make_principal("carl-cfo", kRoleCredit, 3);
}
Principal demo_sales_manager() {
  return make_principal("sue-sales-manager", kRoleOrder, 1);
}
Principal demo_sales_director() {
  return make_principal("sid-sales-director", kRoleOrder, 2);
}
Principal demo_sales_vp() {
  return make_principal("val-sales-vp", kRoleOrder, 3);
}
Principal demo_warehouse() {
  return make_principal("wes-warehouse", kRoleWarehouse, 0);
}
Principal demo_finance() {
  return make_principal("fiona-finance", kRoleFinance, 2);
}

std::vector<Command> demo_dataset(TimeMs start) {
  std::vector<Command> out;
  out.reserve(64);
  Script s(&out);
  const TimeMs day = kMsPerDay;

  // Master data, 45 days ago.
  s.at(start - 45 * day);
  for (const ProductRow& p : kProducts) {
    UpsertProduct u;
    u.sku = Key::of(p.sku);
    u.name = p.name;
    u.price = p.price_minor;
    u.floor_price = p.floor_minor;
    u.on_hand = p.on_hand;
    s.add(demo_admin(), std::move(u));
  }
  for (const CustomerRow& c : kCustomers) {
    UpsertCustomer u;
    u.customer = Key::of(c.id);
    u.name = c.name;
    if (c.grade) {
      u.grade = *c.grade;
      u.credit_limit = c.credit_limit_minor;
      u.terms_days = c.terms_days;
    }
    s.add(demo_admin(), std::move(u));
  }
  s.add(demo_admin(), SetCustomerStatus{Key::of(kOnHoldCustomer), CustomerStatus::on_hold,
                                        "invoice dispute, ticket 4711"});
  s.add(demo_admin(), SetCustomerStatus{Key::of(kBlockedCustomer), CustomerStatus::blocked,
                                        "two returned cheques"});

  // Delta Electric (14 days' terms) buys cable and never pays: at `start` its invoice is
  // about a month (45 - 14 days) past due, so its new credit orders are held OVERDUE, but not
  // yet long enough (suspend_after_days, 60) for the overdue ladder to put it on hold.
  const OrderNo delta =
      s.order(kOverdueCustomer, "DE-PO-3391", {{"CABLE-3G15", 20}, {"TIE-300", 10}});
  s.add(demo_warehouse(), Ship{delta, {}});

  // Acme buys bolts and nuts 40 days ago, and pays on time 12 days ago.
  s.at(start - 40 * day);
  const OrderNo acme = s.order(kGoodCustomer, "ACME-7710", {{"BOLT-M8", 400}, {"NUT-M8", 400}});
  s.add(demo_warehouse(), Ship{acme, {}});
  s.at(start - 12 * day);
  s.add(demo_finance(),
        RecordPayment{Key::of(kGoodCustomer), 400 * 1'250 + 400 * 650, Key::of("BANK-2026-0001")});

  // Baltic Fasteners (45 days' terms) has a current, not yet due, invoice.
  s.at(start - 20 * day);
  const OrderNo baltic = s.order("C1002", "BF-55120", {{"DRILL-SDS", 5}, {"ANCHOR-10", 20}});
  s.add(demo_warehouse(), Ship{baltic, {}});

  // Harbor Marine: a partial shipment, the rest still open.
  s.at(start - 10 * day);
  const OrderNo harbor = s.order("C1005", "HM-0042", {{"GLOVE-L", 200}});
  s.at(start - 9 * day);
  s.add(demo_warehouse(), Ship{harbor, {SkuQty{Key::of("GLOVE-L"), 120}}});

  // The cash customer pays 500.00 in advance, for prepaid orders.
  s.at(start - 5 * day);
  s.add(demo_finance(), RecordPayment{Key::of(kCashCustomer), 50'000, Key::of("CASH-0001")});

  // Northwind has an accepted order waiting to be shipped.
  s.at(start - 2 * day);
  s.order("C1003", "NW-2026-118", {{"CONDUIT-20", 300}, {"CABLE-3G15", 10}});

  // Bring the clock to `start`: the overdue ladder runs, nothing expires (no holds yet).
  s.at(start);
  s.add(demo_admin(), Tick{});
  return out;
}

}  // namespace credo::demo
