// What credo-loadgen sends: the dataset it sets up (customers, products, limits, stock) and the
// stream of operations it draws from a weighted mix. Deterministic for a given seed, so two
// runs (or credo and a peer system) see the same sequence of orders.
//
// The dataset is made so that each business outcome has a known share:
//  - `limit_pct` of orders go to "tight" customers whose credit limit is 0 (held, CREDIT_LIMIT),
//  - `stockout_pct` of orders have one line on a product with no stock (rejected,
//    INSUFFICIENT_STOCK),
//  - `discount_pct` of orders ask 2% below list on their first line (held, PRICE_APPROVAL, for a
//    level-0 submitter; still above the floor price),
//  - everything else is accepted: normal customers have a limit far above what a run can use
//    and normal products a stock far above what a run can reserve.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace credo::loadgen {

enum class OpKind : uint8_t { order, quote, payment, ship };
constexpr int kOpKinds = 4;
const char* to_string(OpKind k);

struct Mix {
  uint32_t weight[kOpKinds] = {100, 0, 0, 0};  // indexed by OpKind
};
// Parses "orders=80,quotes=10,payments=5,ships=5" (missing kinds weigh 0). False on bad input.
bool parse_mix(const std::string& text, Mix* out, std::string* error);

struct DatasetConfig {
  uint32_t customers = 1000;  // normal customers (plus kTightCustomers)
  uint32_t products = 1000;   // normal products (plus kStockoutProducts)
};
constexpr uint32_t kTightCustomers = 16;
constexpr uint32_t kStockoutProducts = 4;
// Normal customers' credit limit and products' stock: far above what any bounded run uses.
constexpr int64_t kNormalCreditLimitMinor = 1'000'000'000'000'000;  // 10^13 units of currency
constexpr int64_t kNormalOnHand = 1'000'000'000'000;

std::string customer_id(uint32_t i);        // "LC000001"
std::string tight_customer_id(uint32_t i);  // "LT0001"
std::string sku(uint32_t i);                // "LP000001"
std::string stockout_sku(uint32_t i);       // "LS0001"
int64_t price_minor(uint32_t product);      // list price of sku(i)
int64_t floor_minor(uint32_t product);      // floor price of sku(i): 90% of list

struct WorkloadConfig {
  DatasetConfig data;
  Mix mix;
  uint32_t lines = 3;       // lines per order
  uint32_t qty_max = 5;     // each line orders 1..qty_max units
  double limit_pct = 5;     // % of orders by tight customers
  double stockout_pct = 2;  // % of orders with one line out of stock
  double discount_pct = 3;  // % of orders asking a discount
  uint64_t seed = 1;
  std::string run_tag;  // makes client_order_id and payment_ref unique across runs
};

struct Line {
  bool stockout = false;
  uint32_t product = 0;  // index into sku() or stockout_sku()
  uint32_t qty = 1;
  std::optional<int64_t> unit_price_minor;
};
struct Order {
  bool tight = false;
  uint32_t customer = 0;  // index into customer_id() or tight_customer_id()
  std::string client_order_id;
  std::vector<Line> lines;
};
struct Payment {
  uint32_t customer = 0;
  int64_t amount_minor = 0;
  std::string payment_ref;
};

// Draws operations. One per thread (not thread-safe); `stream` separates the threads' ids.
class Workload {
 public:
  Workload(const WorkloadConfig& config, uint32_t stream);
  OpKind next_kind();
  // Fills `out` (reusing its vectors) with the next order.
  void next_order(Order* out);
  void next_payment(Payment* out);

 private:
  uint64_t next_random();
  uint32_t uniform(uint32_t n) { return static_cast<uint32_t>(next_random() % n); }
  bool chance(double pct) { return (next_random() % 1'000'000) < pct * 10'000; }

  const WorkloadConfig& config_;
  uint32_t stream_;
  uint64_t state_;
  uint64_t orders_ = 0;
  uint64_t payments_ = 0;
  uint32_t weight_total_ = 0;
};

}  // namespace credo::loadgen
