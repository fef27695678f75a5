// A seeded, randomized run of the real engine over a small, crowded world: 20 customers with
// tight limits and 15 products with little stock, so that limits, holds, stock-outs, overdue
// holds and suspensions happen all the time. Every step sends one command (or a batch) and then
//
//   - asserts check_invariants() == "" (full walk every 10,000 steps);
//   - checks the answer against an independent model where that is cheap: order, invoice and
//     credit-note numbers consecutive; every submit decided exactly as docs/rules.md says
//     (reasons recomputed from get_customer/get_product read just before), lines priced as the
//     rules say; a rejected order reserves nothing, an accepted or held one reserves exactly
//     its quantities and adds its total to the right exposure component; duplicates return the
//     original order; payments balance; releases need the required level; a quote gives the
//     same decision as the submit that follows it;
//   - asserts that a failed command changed nothing (state_hash before == after, sampled: it
//     costs a full serialization) and did not move the clock.
//
// Replay: a second Engine (the replica) is fed every command that succeeded, in order; a
// failed command must be a no-op, so the replica, which never sees it, must stay identical to
// the engine under test: their snapshot images are compared at the end of each epoch, where
// the image is also loaded into a fresh Engine (like a recovery from a snapshot), which must
// have the same state_hash, pass the full invariants and save the same image again.
//
// Epochs: the run is cut into epochs of 25,000 steps, each a fresh world drawn from
// (seed, epoch number). That keeps the state small, so that the O(state) checks (state_hash,
// and today also check_invariants, see send()) stay affordable after many steps, and it covers
// many differently drawn worlds in one run.
//
// Reproduce: CREDO_SEED=<seed> CREDO_STEPS=<n> ./credo_sim_tests. On failure the seed, the
// step and the failing command are printed; CREDO_HASH_EVERY=1 checks the no-op rule on every
// failed command (slow) to pinpoint a divergence the replica found.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "engine/command.h"
#include "engine/engine.h"
#include "engine/result.h"
#include "engine/types.h"
#include "tests/common/fault_matrix.h"

namespace credo::sim {
namespace {

// 2026-11-23T10:00:00Z.
constexpr TimeMs kStart = 1'795'428'000'000;
constexpr uint64_t kDefaultSeed = 0x5EED'C0DE'2026ull;
constexpr uint64_t kDefaultSteps = 1'000'000;
constexpr uint64_t kCheckpointSteps = 10'000;  // full invariants

// Each epoch is a fresh world: the state (and so the cost of a full check or a state_hash)
// stays small, and a run covers several differently drawn worlds.
constexpr uint64_t kEpochSteps = 25'000;
constexpr uint64_t kOrdersPerCheckStride = 1'000;

// ---------------------------------------------------------------------------------------------
// xoshiro256** seeded by splitmix64: fast, and the same sequence on every platform (the
// standard distributions are not specified bit for bit).
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      s = z ^ (z >> 31);
    }
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [lo, hi], REQUIRES lo <= hi. (The modulo bias is irrelevant here.)
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool percent(int p) { return range(0, 99) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(range(0, static_cast<int64_t>(v.size()) - 1))];
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// prefix + decimal number. (Written out because GCC 12's -Wrestrict misfires on
// "literal" + std::to_string(n) at -O3.)
std::string numbered(std::string_view prefix, int64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

uint64_t env_u64(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 0);
}

struct SimFailure {
  std::string what;
};

Principal principal(std::string_view name, uint8_t roles, uint8_t level) {
  Principal p;
  p.name = Key::of(name);
  p.roles = roles;
  p.level = level;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Printing commands, so a failure names what was sent.
std::string describe(const OrderRequest& o) {
  std::ostringstream s;
  s << "{customer " << o.customer.view() << " coid '" << o.client_order_id.view() << "' "
    << to_string(o.payment) << " lines [";
  for (const LineRequest& l : o.lines) {
    s << " " << l.sku.view() << " x" << l.qty;
    if (l.unit_price) s << " @" << *l.unit_price;
  }
  s << " ]}";
  return s.str();
}

std::string describe(const std::vector<SkuQty>& lines) {
  std::ostringstream s;
  s << "[";
  for (const SkuQty& l : lines) s << " " << l.sku.view() << " x" << l.qty;
  s << " ]";
  return s.str();
}

std::string describe(const Command& c) {
  std::ostringstream s;
  s << "seq " << c.seq << " at " << format_time(c.at) << " by " << c.by.name.view() << " (roles "
    << int(c.by.roles) << " level " << int(c.by.level) << "): ";
  const CommandBody& b = c.body;
  if (auto* x = std::get_if<UpsertCustomer>(&b)) {
    s << "upsert_customer " << x->customer.view();
    if (x->grade) s << " grade " << to_string(*x->grade);
    if (x->credit_limit) s << " limit " << *x->credit_limit;
    if (x->terms_days) s << " terms " << *x->terms_days;
    if (x->status) s << " status " << to_string(*x->status);
  } else if (auto* x = std::get_if<SetCredit>(&b)) {
    s << "set_credit " << x->customer.view();
    if (x->grade) s << " grade " << to_string(*x->grade);
    if (x->credit_limit) s << " limit " << *x->credit_limit;
    if (x->terms_days) s << " terms " << *x->terms_days;
  } else if (auto* x = std::get_if<SetCustomerStatus>(&b)) {
    s << "set_customer_status " << x->customer.view() << " " << to_string(x->status);
  } else if (auto* x = std::get_if<UpsertProduct>(&b)) {
    s << "upsert_product " << x->sku.view();
    if (x->price) s << " price " << *x->price;
    if (x->floor_price) s << " floor " << *x->floor_price;
    if (x->on_hand) s << " on_hand " << *x->on_hand;
  } else if (auto* x = std::get_if<ReceiveStock>(&b)) {
    s << "receive_stock " << x->sku.view() << " " << x->qty;
  } else if (auto* x = std::get_if<AdjustStock>(&b)) {
    s << "adjust_stock " << x->sku.view() << " on_hand " << x->on_hand;
  } else if (auto* x = std::get_if<SubmitOrder>(&b)) {
    s << "submit_order " << describe(x->order);
  } else if (auto* x = std::get_if<SubmitOrders>(&b)) {
    s << "submit_orders (" << x->orders.size() << ")";
    for (const OrderRequest& o : x->orders) s << " " << describe(o);
  } else if (auto* x = std::get_if<CancelOrder>(&b)) {
    s << "cancel_order " << x->order_no;
  } else if (auto* x = std::get_if<ReleaseOrder>(&b)) {
    s << "release_order " << x->order_no;
  } else if (auto* x = std::get_if<RejectOrder>(&b)) {
    s << "reject_order " << x->order_no;
  } else if (auto* x = std::get_if<ApproveOrder>(&b)) {
    s << "approve_order " << x->order_no;
  } else if (auto* x = std::get_if<ReleaseShipment>(&b)) {
    s << "release_shipment " << x->order_no;
  } else if (auto* x = std::get_if<Ship>(&b)) {
    s << "ship " << x->order_no << " " << describe(x->lines);
  } else if (auto* x = std::get_if<RecordPayment>(&b)) {
    s << "record_payment " << x->customer.view() << " " << x->amount << " ref "
      << x->payment_ref.view();
    if (x->recovery_of) s << " recovery_of " << *x->recovery_of;
  } else if (auto* x = std::get_if<ReturnGoods>(&b)) {
    s << "return_goods " << x->order_no << " " << describe(x->lines)
      << (x->restock ? " restock" : "");
  } else if (auto* x = std::get_if<WriteOff>(&b)) {
    s << "write_off invoice " << x->invoice_no;
  } else if (auto* x = std::get_if<ReversePayment>(&b)) {
    s << "reverse_payment " << x->payment_ref.view() << (x->suspend ? " suspend" : "");
  } else if (auto* x = std::get_if<Refund>(&b)) {
    s << "refund " << x->customer.view() << " " << x->amount << " ref " << x->refund_ref.view();
  } else if (auto* x = std::get_if<ProposeWriteOff>(&b)) {
    s << "propose_write_off invoice " << x->invoice_no << " " << to_string(x->reason_code);
  } else if (auto* x = std::get_if<ApproveWriteOff>(&b)) {
    s << "approve_write_off " << x->write_off_no;
  } else if (auto* x = std::get_if<RequestReturn>(&b)) {
    s << "request_return " << x->order_no << " " << describe(x->lines);
  } else if (auto* x = std::get_if<ApproveReturn>(&b)) {
    s << "approve_return " << x->return_no;
  } else if (auto* x = std::get_if<ReceiveReturn>(&b)) {
    s << "receive_return " << x->return_no << " [";
    for (const ReceiveLine& l : x->lines)
      s << " " << l.sku.view() << "x" << l.qty << " " << to_string(l.qc);
    s << " ]";
  } else if (std::get_if<Tick>(&b)) {
    s << "tick";
  } else if (auto* x = std::get_if<AmendOrder>(&b)) {
    s << "amend_order " << x->order_no << " id " << x->amendment_id.view() << " ["
      << x->lines.size() << " lines]";
    for (const LineRequest& l : x->lines) s << " " << l.sku.view() << "x" << l.qty;
    if (x->ship_by) s << " ship_by " << format_date(*x->ship_by);
    if (x->ref) s << " ref '" << *x->ref << "'";
  } else if (auto* x = std::get_if<SetPolicy>(&b)) {
    const Policy& p = x->policy;
    s << "set_policy credit_max [" << p.credit_limit_max_minor[0] << " "
      << p.credit_limit_max_minor[1] << " " << p.credit_limit_max_minor[2] << "] review ["
      << p.review_cycle_days_a << " " << p.review_cycle_days_b << " " << p.review_cycle_days_c
      << " " << p.review_cycle_days_d << "] grace " << p.review_grace_days << " approve ["
      << p.approve_total_max_minor[0] << " " << p.approve_total_max_minor[1] << " "
      << p.approve_total_max_minor[2] << "] discount [" << p.discount_max_bp[0] << " "
      << p.discount_max_bp[1] << " " << p.discount_max_bp[2] << " " << p.discount_max_bp[3]
      << "] hold_ttl_hours " << p.hold_ttl_hours << " order_ttl_days " << p.order_ttl_days
      << " overdue_hold_days " << p.overdue_hold_days << " suspend_after_days "
      << p.suspend_after_days;
  } else if (auto* x = std::get_if<ApproveCredit>(&b)) {
    s << "approve_credit " << x->proposal_no;
  } else if (auto* x = std::get_if<RejectCredit>(&b)) {
    s << "reject_credit " << x->proposal_no << " reason '" << x->reason << "'";
  } else if (auto* x = std::get_if<ReviewCustomer>(&b)) {
    s << "review_customer " << x->customer.view();
    if (x->grade) s << " grade " << to_string(*x->grade);
    if (x->credit_limit) s << " limit " << *x->credit_limit;
    s << " reason '" << x->reason << "'";
  } else if (auto* x = std::get_if<UpsertPriceAgreement>(&b)) {
    s << "upsert_price_agreement " << x->agreement_ref.view() << " " << x->customer.view() << " "
      << x->sku.view() << " @" << x->unit_price << " " << format_date(x->from) << ".."
      << format_date(x->to);
  } else if (auto* x = std::get_if<EndPriceAgreement>(&b)) {
    s << "end_price_agreement " << x->agreement_ref.view();
  }
  return s.str();
}

std::string describe(const Error& e) {
  return std::string(to_string(e.code)) + " field='" + e.field + "' " + e.message;
}

std::string describe(const OrderView& o) {
  std::ostringstream s;
  s << "order " << o.order_no << " " << to_string(o.status) << " (decided " << to_string(o.decision)
    << ")" << (o.duplicate ? " duplicate" : "") << " total " << o.total << " reasons [";
  for (const ReasonView& r : o.reasons) {
    s << " " << to_string(r.code);
    if (r.line >= 0) s << "@" << r.line;
    if (r.required_level >= 0) s << " lvl" << r.required_level;
    if (r.available >= 0) s << " avail" << r.available;
  }
  s << " ] lines [";
  for (const LineView& l : o.lines)
    s << " " << l.sku.view() << " x" << l.qty << " @" << l.unit_price << " -" << l.discount_bp
      << "bp =" << l.amount << " shipped " << l.shipped << " returned " << l.returned;
  s << " ]";
  if (o.has_credit)
    s << " credit limit " << o.credit.limit << " exposure " << o.credit.exposure << " available "
      << o.credit.available;
  return s.str();
}

// A reason as a comparable value: (code, line, required_level, available).
using ReasonTuple = std::tuple<int, int32_t, int32_t, Qty>;

// ---------------------------------------------------------------------------------------------
// The simulation.
class Sim {
 public:
  // One epoch: a fresh world driven by `epoch_seed`, steps [first_step, first_step + steps) of
  // the run started with `seed`. check_every: 0 = adaptive (see send()), else fixed.
  Sim(uint64_t seed, uint64_t epoch_seed, uint64_t first_step, uint64_t steps, uint64_t hash_every,
      uint64_t check_every)
      : seed_(seed),
        first_step_(first_step),
        steps_(steps),
        hash_every_(hash_every),
        check_every_(check_every),
        rng_(epoch_seed) {}

  void run();
  std::string stats() const;

 private:
  enum Kind : int {
    kSubmit,
    kBatch,
    kQuoteSubmit,
    kShip,
    kPay,
    kReturn,
    kCancel,
    kRelease,
    kReject,
    kWriteOff,
    kReceive,
    kAdjust,
    kSetCredit,
    kSetStatus,
    kUpsertCustomer,
    kUpsertProduct,
    kTick,
    kSetPolicy,
    kInvalid,
    kList,
    kAmend,
    kListOrders,
    kReceivables,
    kApproveCredit,
    kRejectCredit,
    kReviewCustomer,
    kCreditReads,
    kApprove,
    kReleaseShipment,
    kPricing,
    kKindCount
  };
  static constexpr const char* kKindNames[kKindCount] = {
      "submit_order",   "submit_orders", "quote+submit",    "ship",        "record_payment",
      "returns",        "cancel_order",  "release",         "reject",      "write-offs",
      "receive_stock",  "adjust_stock",  "set_credit",      "set_status",  "upsert_customer",
      "upsert_product", "tick",          "set_policy",      "invalid",     "list_*",
      "amend_order",    "list_orders",   "receivables",     "approve_credit", "reject_credit",
      "review_customer", "credit reads", "approve_order",   "release_shipment", "pricing"};

  // ---- the world ----
  struct CustomerModel {
    std::string id;
    bool known = false;  // created in the engine
    Money limit = 0;     // the credit limit someone with the authority set or approved
  };
  // A credit-limit proposal (docs/rules.md "Credit data"), by proposal_no - 1.
  struct ProposalModel {
    std::size_t customer = 0;
    std::string proposer;
    Money limit = 0;
    bool pending = true;
  };
  struct ProductModel {
    std::string id;
    bool known = false;
  };

  [[noreturn]] void fail(const std::string& msg) const {
    std::ostringstream s;
    s << "SIM FAILURE seed=" << seed_ << " (0x" << std::hex << seed_ << std::dec
      << ") step=" << first_step_ + step_ << "\n  command: " << describe(cmd_) << "\n  " << msg
      << "\n  reproduce: CREDO_SEED=" << seed_ << " CREDO_STEPS=" << first_step_ + step_ + 1
      << " CREDO_CHECK_EVERY=1 CREDO_SKIP_EPOCHS=" << first_step_ / kEpochSteps;
    throw SimFailure{s.str()};
  }
// Checks `cond`; the message is only built when it fails (building it costs more than the
// check).
#define SIM_EXPECT(cond, msg) \
  do {                        \
    if (!(cond)) fail(msg);   \
  } while (0)

  void setup();
  void one_step();
  Kind pick_kind();

  // Sends cmd_ to the engine under test (and to the replica if it succeeds) and runs the
  // generic checks. `designed_invalid`: the command was built to fail.
  const Result& send(bool designed_invalid);
  const Result& query(QueryBody body, const Principal& by);

  TimeMs stamp();  // the time for the next command: usually the clock, sometimes a bit earlier
  const Principal& rep_for(std::string_view name) const;
  std::optional<CustomerView> customer_view(std::string_view id);
  std::optional<ProductView> product_view(std::string_view id);
  std::optional<OrderView> order_view(OrderNo n);

  OrderRequest random_order(bool allow_reuse);
  void record_decision(const OrderRequest& req, const OrderView& o, bool customer_known);
  void do_submit(bool with_quote);
  void do_batch();
  void do_ship();
  void do_pay();
  void do_return();
  void do_cancel();
  void do_release_or_reject(bool release, bool approve = false);
  void do_release_shipment();
  bool supply_stopped(const OrderView& o);
  void do_write_off();
  void do_return_flow();
  void do_legacy_return();
  void do_receive();
  void do_adjust();
  void do_set_credit();
  void do_set_status();
  void do_upsert_customer();
  void do_upsert_product();
  void do_tick();
  void do_set_policy();
  void do_invalid();
  void do_list();
  void do_amend();
  void do_list_orders();
  void do_receivables();
  void check_receivables(std::string_view customer);
  // creditdata
  void do_approve_credit();
  void do_reject_credit();
  void do_review_customer();
  void do_credit_reads();
  // pricing: contract prices (docs/rules.md "Contract prices")
  void do_pricing();
  // The model's agreement price of (customer, sku) on `day`, if one is in force.
  std::optional<Money> agreement_price(std::string_view customer, std::string_view sku,
                                       Day day) const {
    for (const auto& [ref, a] : agreements_)
      if (!a.ended && a.customer == customer && a.sku == sku && a.from <= day && day <= a.to)
        return a.price;
    return std::nullopt;
  }
  // Checks a customer command's answer against the limit authority and updates the model:
  // a proposal iff `limit` raises above `current` and the caller's maximum.
  void expect_limit_outcome(std::size_t customer, std::optional<Money> limit, Money current,
                            const Principal& by, const Result& r);
  template <typename Page, typename Q>
  std::vector<std::string> walk_pages(Q q, const Principal& by);

  const CustomerModel& pick_customer_any();
  int pick_known_customer();
  const ProductModel& pick_product_any();
  OrderNo pick_live_order();
  void forget_order(OrderNo n);
  void remember_accepted(OrderNo n);
  Key fresh_key(char prefix) {
    char buf[24];
    const int n = std::snprintf(buf, sizeof buf, "%c%llu", prefix,
                                static_cast<unsigned long long>(++key_counter_));
    return Key::of(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  void checkpoint(bool final);

  const uint64_t seed_;
  const uint64_t first_step_;
  const uint64_t steps_;
  const uint64_t hash_every_;
  const uint64_t check_every_;
  uint64_t invariant_checks_ = 0;
  Rng rng_;
  Engine a_;        // the engine under test
  Engine replica_;  // fed the successful commands only
  Result res_;
  Result replica_res_;
  Result qres_;
  Command cmd_;
  uint64_t step_ = 0;
  uint64_t seq_ = 0;
  TimeMs clock_ = kStart;
  TimeMs engine_now_ = 0;  // model of Engine::now(): the largest `at` of a successful command
  uint64_t key_counter_ = 0;

  // Principals, one per role and level.
  std::vector<Principal> reps_, credit_, finance_;
  Principal warehouse_ = principal("wh", kRoleWarehouse, 0);
  Principal admin_ = principal("ops", kRoleAdmin, 3);
  Principal guest_ = principal("guest", 0, 3);

  std::vector<CustomerModel> customers_;
  std::vector<ProductModel> products_;
  std::vector<ProposalModel> proposals_;
  Policy policy_;

  // ---- the independent model ----
  OrderNo next_order_no_ = 100'001;
  InvoiceNo next_invoice_no_ = 1;
  uint64_t next_credit_note_no_ = 1;
  // (customer, client_order_id) -> order_no, for customers that existed at submit time.
  std::unordered_map<std::string, OrderNo> idempotency_;
  std::vector<std::pair<int, Key>> reusable_coids_;  // (customer index, coid), bounded
  struct PaymentRecord {
    std::string customer;
    Money amount;
  };
  std::unordered_map<std::string, PaymentRecord> payments_;
  std::vector<Key> reusable_refs_;  // bounded
  std::vector<OrderNo> live_;       // accepted or held when last seen (may be stale)
  std::vector<OrderNo> accepted_;   // accepted when last seen (may be stale), for shipping
  std::vector<OrderNo> shipped_;    // had a shipment (for returns), bounded
  std::vector<std::pair<OrderNo, Key>> amendment_ids_;  // taken by an amendment, bounded
  // Write-offs and returns (branch writeoff): the next numbers, and who proposed/requested.
  uint64_t next_write_off_no_ = 1;
  std::vector<std::pair<uint64_t, std::string>> write_off_proposals_;  // (write_off_no, proposer), bounded
  std::vector<std::pair<InvoiceNo, Key>> written_off_;      // (invoice, customer), bounded
  uint64_t next_return_no_ = 1;
  struct ReturnModel {
    uint64_t no;
    std::string requester;
    Money value;
    std::vector<SkuQty> lines;
    ReturnStatus status;
  };
  std::vector<ReturnModel> returns_;  // bounded
  struct AgreementModel {
    std::string customer, sku;
    Money price = 0;
    Day from = 0, to = 0;
    bool ended = false;
  };
  std::map<std::string, AgreementModel> agreements_;  // by agreement_ref
  uint64_t agreement_priced_lines_ = 0;

  // ---- statistics ----
  uint64_t kind_count_[kKindCount] = {};
  uint64_t kind_ok_[kKindCount] = {};
  uint64_t status_count_[6] = {};
  uint64_t reason_count_[kReasonCount] = {};
  uint64_t duplicates_ = 0, hash_checks_ = 0, failures_ = 0, suspended_ = 0, reactivated_ = 0,
           held_expired_ = 0, accepted_expired_ = 0, forbidden_ = 0, archived_ = 0;
  Kind kind_ = kSubmit;
  // Deposit orders decided so far (the newest 256): record_payment with order_no picks one.
  std::vector<OrderNo> deposit_orders_;
  // True iff the customer has a cash-on-delivery invoice open past its due date.
  bool cod_overdue(std::string_view customer, Day today);
};

// ---------------------------------------------------------------------------------------------
const Result& Sim::send(bool designed_invalid) {
  cmd_.seq = ++seq_;
  // A window of 4 steps every `hash_every_` steps checks the no-op rule directly; elsewhere
  // the replica comparison at each checkpoint catches a failed command that changed state.
  const bool check_hash = hash_every_ <= 1 || step_ % hash_every_ < 4;
  const uint64_t hash_before = check_hash ? a_.state_hash() : 0;
  a_.apply(cmd_, res_);
  if (!res_.ok()) {
    ++failures_;
    if (res_.error.code == ErrorCode::FORBIDDEN) ++forbidden_;
    --seq_;  // a failed command is not journaled: the replica never sees its number
    if (check_hash) {
      ++hash_checks_;
      SIM_EXPECT(a_.state_hash() == hash_before,
                 "a failed command changed the state (" + describe(res_.error) + ")");
    }
    SIM_EXPECT(a_.now() == engine_now_, "a failed command moved the clock from " +
                                            format_time(engine_now_) + " to " +
                                            format_time(a_.now()));
  } else {
    if (designed_invalid) fail("a command built to be invalid succeeded");
    engine_now_ = std::max(engine_now_, cmd_.at);
    SIM_EXPECT(a_.now() == engine_now_,
               "now() is " + format_time(a_.now()) + ", expected " + format_time(engine_now_));
    replica_.apply(cmd_, replica_res_);
    SIM_EXPECT(replica_res_.ok() && replica_res_.body.index() == res_.body.index(),
               "the replica answered differently: " + describe(replica_res_.error));
    ++kind_ok_[kind_];
  }
  // The cheap check (full=false) costs O(customers + products + open orders + open
  // invoices), so by default it runs after EVERY step (CREDO_CHECK_EVERY=1). CREDO_CHECK_EVERY=0
  // strides it by history size instead (1 + orders / kOrdersPerCheckStride), for long soaks.
  const uint64_t stride =
      check_every_ > 0 ? check_every_ : 1 + (next_order_no_ - 100'001) / kOrdersPerCheckStride;
  if (stride == 1 || step_ % stride == 0) {
    ++invariant_checks_;
    const std::string problem = a_.check_invariants(/*full=*/false);
    if (!problem.empty()) fail("invariant violated: " + problem);
  }
  return res_;
}

const Result& Sim::query(QueryBody body, const Principal& by) {
  Query q;
  q.at = std::max(engine_now_, cmd_.at);
  q.by = by;
  q.body = std::move(body);
  a_.query(q, qres_);
  return qres_;
}

std::optional<CustomerView> Sim::customer_view(std::string_view id) {
  const Result& r = query(GetCustomer{Key::of(id)}, admin_);
  if (!r.ok()) return std::nullopt;
  return std::get<CustomerView>(r.body);
}
std::optional<ProductView> Sim::product_view(std::string_view id) {
  const Result& r = query(GetProduct{Key::of(id)}, admin_);
  if (!r.ok()) return std::nullopt;
  return std::get<ProductView>(r.body);
}
std::optional<OrderView> Sim::order_view(OrderNo n) {
  GetOrder g;
  g.order_no = n;
  const Result& r = query(g, admin_);
  if (!r.ok()) return std::nullopt;
  return std::get<OrderView>(r.body);
}

TimeMs Sim::stamp() {
  clock_ += rng_.range(0, 120'000);
  // Sometimes a command arrives stamped a little earlier than the engine's clock (it was
  // delayed on the way): the engine keeps its clock, it never goes backwards.
  if (rng_.percent(2)) return std::max<TimeMs>(0, clock_ - rng_.range(1, 3'600'000));
  return clock_;
}

const Principal& Sim::rep_for(std::string_view name) const {
  for (const Principal& p : reps_)
    if (p.name.view() == name) return p;
  return admin_;
}

const Sim::CustomerModel& Sim::pick_customer_any() {
  const int r = static_cast<int>(rng_.range(0, 99));
  if (r < 90) return customers_[static_cast<std::size_t>(rng_.range(0, 19))];
  if (r < 96) return customers_[static_cast<std::size_t>(rng_.range(20, 23))];
  return customers_[static_cast<std::size_t>(rng_.range(24, 25))];
}
int Sim::pick_known_customer() {
  for (;;) {
    const int i = static_cast<int>(rng_.range(0, static_cast<int64_t>(customers_.size()) - 1));
    if (customers_[static_cast<std::size_t>(i)].known) return i;
  }
}
const Sim::ProductModel& Sim::pick_product_any() {
  const int r = static_cast<int>(rng_.range(0, 99));
  if (r < 95) return products_[static_cast<std::size_t>(rng_.range(0, 14))];
  if (r < 98) return products_[static_cast<std::size_t>(rng_.range(15, 16))];
  return products_[17];
}

OrderNo Sim::pick_live_order() {
  if (live_.empty() || rng_.percent(3)) {
    // Any order ever decided (most are final by now), or occasionally one that does not exist.
    if (rng_.percent(20)) return next_order_no_ + static_cast<OrderNo>(rng_.range(0, 3));
    return static_cast<OrderNo>(rng_.range(100'001, static_cast<int64_t>(next_order_no_)));
  }
  return rng_.pick(live_);
}
void Sim::forget_order(OrderNo n) {
  for (std::vector<OrderNo>* v : {&live_, &accepted_}) {
    auto it = std::find(v->begin(), v->end(), n);
    if (it != v->end()) {
      *it = v->back();
      v->pop_back();
    }
  }
}
void Sim::remember_accepted(OrderNo n) {
  if (accepted_.size() >= 1'024)
    accepted_[static_cast<std::size_t>(rng_.range(0, 1'023))] = n;
  else
    accepted_.push_back(n);
}

// ---------------------------------------------------------------------------------------------
void Sim::setup() {
  for (int l = 0; l <= kMaxLevel; ++l) {
    reps_.push_back(
        principal(numbered("rep", static_cast<int64_t>(l)), kRoleOrder, static_cast<uint8_t>(l)));
    credit_.push_back(
        principal(numbered("cr", static_cast<int64_t>(l)), kRoleCredit, static_cast<uint8_t>(l)));
    finance_.push_back(
        principal(numbered("fin", static_cast<int64_t>(l)), kRoleFinance, static_cast<uint8_t>(l)));
  }
  for (int i = 0; i < 20; ++i)
    customers_.push_back({numbered("C", static_cast<int64_t>(100 + i)), false});
  for (int i = 0; i < 4; ++i)
    customers_.push_back({numbered("N", static_cast<int64_t>(i)), false});  // later
  customers_.push_back({"X0", false});                                      // never created
  customers_.push_back({"X1", false});
  for (int i = 0; i < 15; ++i)
    products_.push_back({numbered("P", static_cast<int64_t>(100 + i)), false});
  products_.push_back({"Q0", false});  // created later
  products_.push_back({"Q1", false});
  products_.push_back({"ZZ9", false});  // never created

  // A policy scaled to this small world's order values, so that amount approvals happen.
  policy_.approve_total_max_minor = {20'000, 60'000, 200'000, kMoneyMax};
  policy_.discount_max_bp = {0, 300, 1000, 10'000};
  // ... and so that limit raises become proposals (set_credit limits go up to 400,000).
  policy_.credit_limit_max_minor = {0, 100'000, 250'000, kMoneyMax};
  policy_.return_vp_minor = 20'000;  // so that returns needing the VP happen
  cmd_ = Command{0, clock_, admin_, SetPolicy{policy_}};
  send(false);

  static constexpr int32_t kTerms[] = {0, 7, 14, 30, 45, 60};
  for (int i = 0; i < 20; ++i) {
    UpsertCustomer u;
    u.customer = Key::of(customers_[static_cast<std::size_t>(i)].id);
    u.name = numbered("Customer ", static_cast<int64_t>(i));
    u.grade = static_cast<Grade>(i % 4);
    static constexpr Money kLimitMax[] = {500'000, 150'000, 60'000, 20'000};
    u.credit_limit = rng_.range(0, kLimitMax[i % 4]);
    u.terms_days = kTerms[rng_.range(0, 5)];
    if (i == 5 || i == 17) u.status = CustomerStatus::on_hold;
    if (i == 11) u.status = CustomerStatus::blocked;
    customers_[static_cast<std::size_t>(i)].limit = *u.credit_limit;
    cmd_ = Command{0, clock_, credit_[3], std::move(u)};  // level 3: no proposals
    send(false);
    customers_[static_cast<std::size_t>(i)].known = true;
  }
  for (int i = 0; i < 15; ++i) {
    UpsertProduct u;
    u.sku = Key::of(products_[static_cast<std::size_t>(i)].id);
    u.name = numbered("Product ", static_cast<int64_t>(i));
    const Money price = rng_.range(100, 5'000);
    u.price = price;
    u.floor_price = price * rng_.range(60, 100) / 100;
    u.on_hand = rng_.range(0, 40);
    cmd_ = Command{0, clock_, admin_, std::move(u)};
    send(false);
    products_[static_cast<std::size_t>(i)].known = true;
  }
}

Sim::Kind Sim::pick_kind() {
  // Weights per 1000 steps.
  static constexpr std::pair<Kind, int> kWeights[] = {
      {kSubmit, 175},       {kBatch, 15},       {kQuoteSubmit, 40},   {kShip, 130},
      {kPay, 65},           {kReturn, 30},      {kCancel, 30},        {kRelease, 45},
      {kReject, 15},        {kWriteOff, 8},     {kReceive, 70},       {kAdjust, 15},
      {kSetCredit, 25},     {kSetStatus, 8},    {kUpsertCustomer, 5}, {kUpsertProduct, 10},
      {kTick, 35},          {kSetPolicy, 2},    {kInvalid, 85},       {kList, 20},
      {kAmend, 40},         {kListOrders, 10},  {kReceivables, 30},
      {kApproveCredit, 12}, {kRejectCredit, 5}, {kReviewCustomer, 8}, {kCreditReads, 5},
      {kApprove, 30},       {kReleaseShipment, 12}, {kPricing, 20}};
  int r = static_cast<int>(rng_.range(0, 999));
  for (const auto& [k, w] : kWeights) {
    if (r < w) return k;
    r -= w;
  }
  return kSubmit;
}

void Sim::one_step() {
  kind_ = pick_kind();
  ++kind_count_[kind_];
  switch (kind_) {
    case kSubmit:
      do_submit(false);
      break;
    case kBatch:
      do_batch();
      break;
    case kQuoteSubmit:
      do_submit(true);
      break;
    case kShip:
      do_ship();
      break;
    case kPay:
      do_pay();
      break;
    case kReturn:
      do_return();
      break;
    case kCancel:
      do_cancel();
      break;
    case kRelease:
      do_release_or_reject(true);
      break;
    case kReject:
      do_release_or_reject(false);
      break;
    case kApprove:
      do_release_or_reject(false, true);
      break;
    case kReleaseShipment:
      do_release_shipment();
      break;
    case kWriteOff:
      do_write_off();
      break;
    case kReceive:
      do_receive();
      break;
    case kAdjust:
      do_adjust();
      break;
    case kSetCredit:
      do_set_credit();
      break;
    case kSetStatus:
      do_set_status();
      break;
    case kUpsertCustomer:
      do_upsert_customer();
      break;
    case kUpsertProduct:
      do_upsert_product();
      break;
    case kTick:
      do_tick();
      break;
    case kSetPolicy:
      do_set_policy();
      break;
    case kInvalid:
      do_invalid();
      break;
    case kList:
      do_list();
      break;
    case kAmend:
      do_amend();
      break;
    case kListOrders:
      do_list_orders();
      break;
    case kReceivables:
      do_receivables();
      break;
    case kApproveCredit:
      do_approve_credit();
      break;
    case kRejectCredit:
      do_reject_credit();
      break;
    case kReviewCustomer:
      do_review_customer();
      break;
    case kCreditReads:
      do_credit_reads();
      break;
    case kPricing:
      do_pricing();
      break;
    case kKindCount:
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Orders.
OrderRequest Sim::random_order(bool allow_reuse) {
  OrderRequest o;
  const CustomerModel& c = pick_customer_any();
  o.customer = Key::of(c.id);
  const int coid = static_cast<int>(rng_.range(0, 99));
  if (allow_reuse && coid < 8 && !reusable_coids_.empty()) {
    // A retry: the same (customer, client_order_id) again, maybe with other lines.
    const auto& [ci, key] = rng_.pick(reusable_coids_);
    o.customer = Key::of(customers_[static_cast<std::size_t>(ci)].id);
    o.client_order_id = key;
  } else if (coid < 70) {
    o.client_order_id = fresh_key('O');
  }
  const int pay = static_cast<int>(rng_.range(0, 99));
  o.payment = pay < 10   ? PaymentTerms::prepaid
              : pay < 16 ? PaymentTerms::cod
              : pay < 22 ? PaymentTerms::deposit
                         : PaymentTerms::credit;
  if (o.payment == PaymentTerms::deposit && rng_.percent(60))
    o.deposit_pct = static_cast<int32_t>(rng_.range(1, 100));
  const int lines = static_cast<int>(rng_.range(1, 5));
  for (int i = 0; i < lines; ++i) {
    LineRequest l;
    l.sku = Key::of(pick_product_any().id);
    l.qty = rng_.percent(90) ? rng_.range(1, 6) : rng_.range(7, 40);
    const int price = static_cast<int>(rng_.range(0, 99));
    if (price >= 70) {
      // A price of our own: mostly a small discount, sometimes deep (below the floor), or
      // above list. Derived from the list price when we know the product.
      Money list = 1'000;
      for (std::size_t p = 0; p < 15; ++p)
        if (products_[p].id == l.sku.view()) {
          if (auto v = product_view(products_[p].id)) list = v->price;
        }
      if (price < 85)
        l.unit_price = list - list * rng_.range(1, 500) / 10'000;
      else if (price < 95)
        l.unit_price = list * rng_.range(40, 99) / 100;
      else
        l.unit_price = list + rng_.range(1, 500);
    }
    o.lines.push_back(l);
  }
  return o;
}

void Sim::record_decision(const OrderRequest& req, const OrderView& o, bool customer_known) {
  const std::string idem_key =
      std::string(req.customer.view()) + "/" + std::string(req.client_order_id.view());
  if (!customer_known && o.duplicate) {
    // Whether an unknown customer's (customer, client_order_id) is remembered is left open.
    ++duplicates_;
    return;
  }
  if (!req.client_order_id.empty() && customer_known) {
    auto it = idempotency_.find(idem_key);
    if (it != idempotency_.end()) {
      SIM_EXPECT(o.duplicate, "a second submit with client_order_id " +
                                  std::string(req.client_order_id.view()) +
                                  " was not answered as a duplicate: " + describe(o));
      SIM_EXPECT(o.order_no == it->second, "the duplicate answer names order " +
                                               std::to_string(o.order_no) + ", the original was " +
                                               std::to_string(it->second));
      ++duplicates_;
      return;
    }
  }
  SIM_EXPECT(!o.duplicate, "a first submit was answered as a duplicate: " + describe(o));
  SIM_EXPECT(o.order_no == next_order_no_, "order numbers are not consecutive: got " +
                                               std::to_string(o.order_no) + ", expected " +
                                               std::to_string(next_order_no_));
  ++next_order_no_;
  SIM_EXPECT(o.status == o.decision, "a fresh order's status differs from its decision");
  ++status_count_[static_cast<int>(o.decision)];
  bool any_reject = false;
  for (const ReasonView& r : o.reasons) {
    ++reason_count_[static_cast<int>(r.code)];
    any_reject |= rejects(r.code);
  }
  const OrderStatus expected = any_reject          ? OrderStatus::rejected
                               : o.reasons.empty() ? OrderStatus::accepted
                                                   : OrderStatus::held;
  SIM_EXPECT(o.decision == expected,
             "the decision does not follow from the reasons: " + describe(o));
  if (!req.client_order_id.empty() && customer_known) {
    idempotency_.emplace(idem_key, o.order_no);
    if (reusable_coids_.size() < 512) {
      for (std::size_t i = 0; i < customers_.size(); ++i)
        if (customers_[i].id == req.customer.view())
          reusable_coids_.push_back({static_cast<int>(i), req.client_order_id});
    } else {
      auto& slot = reusable_coids_[static_cast<std::size_t>(rng_.range(0, 511))];
      for (std::size_t i = 0; i < customers_.size(); ++i)
        if (customers_[i].id == req.customer.view())
          slot = {static_cast<int>(i), req.client_order_id};
    }
  }
  if (o.decision != OrderStatus::rejected) {
    if (live_.size() >= 4'096)
      live_[static_cast<std::size_t>(rng_.range(0, 4'095))] = o.order_no;
    else
      live_.push_back(o.order_no);
    if (o.decision == OrderStatus::accepted) remember_accepted(o.order_no);
  }
}

void Sim::do_submit(bool with_quote) {
  OrderRequest req = random_order(/*allow_reuse=*/!with_quote);
  const Principal& by =
      rng_.percent(97) ? reps_[static_cast<std::size_t>(rng_.range(0, 3))] : admin_;
  const TimeMs at = stamp();
  cmd_ = Command{0, at, by, SubmitOrder{}};

  // What the rules say the decision must be, from the state just before.
  bool customer_known = false;
  for (const CustomerModel& c : customers_)
    if (c.id == req.customer.view()) customer_known = c.known;
  const std::optional<CustomerView> cust_before = customer_view(req.customer.view());
  SIM_EXPECT(cust_before.has_value() == customer_known, "get_customer disagrees with the model");
  std::vector<std::optional<ProductView>> prod_before;
  for (const LineRequest& l : req.lines) {
    prod_before.push_back(product_view(l.sku.view()));
  }

  std::vector<ReasonTuple> want;
  std::vector<LineView> want_lines;
  Money total = 0;
  const int level = by.level;
  if (!customer_known) {
    want.emplace_back(int(Reason::UNKNOWN_CUSTOMER), -1, -1, -1);
  } else {
    const CustomerView& c = *cust_before;
    if (c.status == CustomerStatus::blocked)
      want.emplace_back(int(Reason::CUSTOMER_BLOCKED), -1, -1, -1);
    std::map<std::string, Qty> taken;  // earlier lines of this order, per sku
    for (std::size_t i = 0; i < req.lines.size(); ++i) {
      const LineRequest& l = req.lines[i];
      const auto& p = prod_before[i];
      const int line = static_cast<int>(i);
      if (!p) {
        want.emplace_back(int(Reason::UNKNOWN_SKU), line, -1, -1);
        continue;
      }
      // A contract price in force on the decision day is the base (docs/rules.md "Contract
      // prices"): the price of a line that asks none, and what its discount is measured from.
      const std::optional<Money> deal =
          agreement_price(req.customer.view(), l.sku.view(), day_of(std::max(engine_now_, at)));
      const Money base = deal.value_or(p->price);
      const Money unit = l.unit_price.value_or(base);
      const Qty avail = p->available - taken[std::string(l.sku.view())];
      taken[std::string(l.sku.view())] += l.qty;
      if (l.qty > avail)
        want.emplace_back(int(Reason::INSUFFICIENT_STOCK), line, -1, std::max<Qty>(avail, 0));
      if (unit < p->floor_price) want.emplace_back(int(Reason::BELOW_FLOOR_PRICE), line, -1, -1);
      int32_t discount_bp = 0;
      if (unit < p->price)
        discount_bp = static_cast<int32_t>(((p->price - unit) * 10'000 + p->price - 1) / p->price);
      int32_t asked_bp = discount_bp;
      if (deal)
        asked_bp = unit < base && base > 0
                       ? static_cast<int32_t>(((base - unit) * 10'000 + base - 1) / base)
                       : 0;
      if (unit >= p->floor_price && asked_bp > policy_.discount_max_bp[level]) {
        int32_t required = kMaxLevel;
        for (int lv = 0; lv <= kMaxLevel; ++lv)
          if (policy_.discount_max_bp[lv] >= asked_bp) {
            required = lv;
            break;
          }
        want.emplace_back(int(Reason::PRICE_APPROVAL), line, required, -1);
      }
      LineView lv;
      lv.sku = l.sku;
      lv.qty = l.qty;
      lv.unit_price = unit;
      lv.discount_bp = discount_bp;
      lv.amount = l.qty * unit;
      lv.price_source = unit != base ? PriceSource::requested
                        : deal       ? PriceSource::agreement
                                     : PriceSource::list;
      want_lines.push_back(lv);
      total += lv.amount;
    }
    if (req.payment == PaymentTerms::prepaid && c.exposure.unapplied < total)
      want.emplace_back(int(Reason::PREPAYMENT_REQUIRED), -1, -1, -1);
    // Credit reasons carry the policy's level; far over the limit needs the VP (level 2).
    auto lvl = [&](Reason r) { return int32_t{policy_.reason_levels[static_cast<std::size_t>(r)]}; };
    if (c.status == CustomerStatus::on_hold)
      want.emplace_back(int(Reason::CUSTOMER_ON_HOLD), -1, lvl(Reason::CUSTOMER_ON_HOLD), -1);
    // A deposit order is decided as credit for the rest: total less ⌈total × pct / 100⌉.
    const bool on_credit =
        req.payment == PaymentTerms::credit || req.payment == PaymentTerms::deposit;
    Money credit_part = total;
    if (req.payment == PaymentTerms::deposit) {
      const int32_t defaults[] = {policy_.deposit_pct_a, policy_.deposit_pct_b,
                                  policy_.deposit_pct_c, policy_.deposit_pct_d};
      const int32_t pct = req.deposit_pct.value_or(defaults[static_cast<int>(c.grade)]);
      credit_part = total - (total * pct + 99) / 100;
    }
    if (on_credit) {
      if (c.grade == Grade::D)
        want.emplace_back(int(Reason::CREDIT_GRADE), -1, lvl(Reason::CREDIT_GRADE), -1);
      const Money over = c.exposure.total + credit_part - c.credit_limit;
      if (over > 0) {
        const bool far = static_cast<__int128>(over) * 100 >
                         static_cast<__int128>(c.credit_limit) * policy_.credit_limit_vp_pct;
        const int32_t base = lvl(Reason::CREDIT_LIMIT);
        want.emplace_back(int(Reason::CREDIT_LIMIT), -1, far ? std::max(base, 2) : base, -1);
      }
      if (c.oldest_overdue_days > policy_.overdue_hold_days)
        want.emplace_back(int(Reason::OVERDUE), -1, lvl(Reason::OVERDUE), -1);
    }
    // Cash on delivery: no credit reasons, but an unpaid cod invoice past due holds it.
    if (req.payment == PaymentTerms::cod &&
        cod_overdue(req.customer.view(), day_of(std::max(engine_now_, at))))
      want.emplace_back(int(Reason::OVERDUE), -1, lvl(Reason::OVERDUE), -1);
    if (total > policy_.approve_total_max_minor[level]) {
      int32_t required = kMaxLevel;
      for (int lv = 0; lv <= kMaxLevel; ++lv)
        if (policy_.approve_total_max_minor[lv] >= total) {
          required = lv;
          break;
        }
      want.emplace_back(int(Reason::AMOUNT_APPROVAL), -1, required, -1);
    }
    const Day today = day_of(std::max(engine_now_, at));
    if (on_credit && int64_t{today} - c.review_due > policy_.review_grace_days)
      want.emplace_back(int(Reason::CREDIT_REVIEW_DUE), -1, 1, -1);
    const Money caps[] = {policy_.max_order_credit_minor_a, policy_.max_order_credit_minor_b,
                          policy_.max_order_credit_minor_c, policy_.max_order_credit_minor_d};
    if (on_credit && credit_part > caps[static_cast<int>(c.grade)])
      want.emplace_back(int(Reason::ORDER_CREDIT_CAP), -1, lvl(Reason::ORDER_CREDIT_CAP), -1);
  }

  std::optional<OrderView> quoted;
  if (with_quote) {
    const Result& q = query(Quote{req}, by);
    SIM_EXPECT(q.ok(), "quote failed: " + describe(q.error));
    quoted = std::get<OrderView>(q.body);
    SIM_EXPECT(quoted->quote && quoted->order_no == 0,
               "a quote has an order number or no quote flag");
  }

  std::get<SubmitOrder>(cmd_.body).order = req;
  const Result& r = send(false);
  if (!r.ok()) fail("submit_order failed: " + describe(r.error));
  const OrderView o = std::get<OrderView>(r.body);
  const uint64_t dups_before = duplicates_;
  record_decision(req, o, customer_known);
  if (req.payment == PaymentTerms::deposit && o.decision != OrderStatus::rejected) {
    SIM_EXPECT(o.deposit_paid == 0 && o.deposit_due >= 0 && o.deposit_due <= o.total,
               "a new deposit order's deposit is out of range: " + describe(o));
    if (deposit_orders_.size() >= 256) deposit_orders_.erase(deposit_orders_.begin());
    deposit_orders_.push_back(o.order_no);
  }
  const bool duplicate = duplicates_ != dups_before;

  if (!duplicate && !customer_known) {
    // The rules say only that UNKNOWN_CUSTOMER is listed and no credit checks run; whether
    // line checks run is left open.
    SIM_EXPECT(o.decision == OrderStatus::rejected && !o.reasons.empty() &&
                   o.reasons.front().code == Reason::UNKNOWN_CUSTOMER && !o.has_credit,
               "an unknown customer's order: " + describe(o));
    for (const ReasonView& rv : o.reasons)
      SIM_EXPECT(rv.code != Reason::CUSTOMER_BLOCKED && rv.code != Reason::PREPAYMENT_REQUIRED &&
                     rv.code != Reason::CUSTOMER_ON_HOLD && rv.code != Reason::CREDIT_GRADE &&
                     rv.code != Reason::CREDIT_LIMIT && rv.code != Reason::OVERDUE,
                 "an unknown customer's order ran credit checks: " + describe(o));
  }
  if (!duplicate && customer_known) {
    // The decision, recomputed.
    std::vector<ReasonTuple> got;
    // Repeated skus included: a line's `available` is what is left after the earlier lines
    // of the same sku (docs/rules.md).
    for (const ReasonView& rv : o.reasons)
      got.emplace_back(int(rv.code), rv.line, rv.required_level, rv.available);
    std::vector<ReasonTuple> got_sorted = got, want_sorted = want;
    std::sort(got_sorted.begin(), got_sorted.end());
    std::sort(want_sorted.begin(), want_sorted.end());
    if (got_sorted != want_sorted) {
      std::ostringstream s;
      s << "reasons differ from the rules: engine " << describe(o) << "\n  expected [";
      for (const auto& w : want_sorted)
        s << " " << to_string(Reason(std::get<0>(w))) << "@" << std::get<1>(w) << " lvl"
          << std::get<2>(w) << " avail" << std::get<3>(w);
      s << " ]";
      if (cust_before)
        s << "\n  customer before: grade " << to_string(cust_before->grade) << " status "
          << to_string(cust_before->status) << " limit " << cust_before->credit_limit
          << " exposure " << cust_before->exposure.total << " unapplied "
          << cust_before->exposure.unapplied << " oldest_overdue_days "
          << cust_before->oldest_overdue_days << "\n  policy overdue_hold_days "
          << policy_.overdue_hold_days << " (engine's " << a_.policy().overdue_hold_days
          << "), engine now " << format_time(a_.now());
      fail(s.str());
    }
    if (customer_known) {
      SIM_EXPECT(o.total == total, numbered("total ", static_cast<int64_t>(o.total)) +
                                       ", expected " + std::to_string(total) + ": " + describe(o));
      std::size_t k = 0;
      for (std::size_t i = 0; i < req.lines.size(); ++i) {
        if (!prod_before[i]) continue;
        SIM_EXPECT(i < o.lines.size(), "missing line in " + describe(o));
        const LineView& got_line = o.lines[i];
        const LineView& w = want_lines[k++];
        // The engine reports discount_bp 0 on a line below the floor (the line is rejected
        // anyway); docs/rules.md's formula would give the real discount. Either is accepted.
        const bool below_floor = w.unit_price < prod_before[i]->floor_price;
        SIM_EXPECT(got_line.sku == w.sku && got_line.qty == w.qty &&
                       got_line.unit_price == w.unit_price &&
                       (got_line.discount_bp == w.discount_bp ||
                        (below_floor && got_line.discount_bp == 0)) &&
                       got_line.amount == w.amount && got_line.price_source == w.price_source,
                   numbered("line ", static_cast<int64_t>(i)) + " priced wrongly: " + describe(o) +
                       " expected @" + std::to_string(w.unit_price) +
                       numbered(" -", static_cast<int64_t>(w.discount_bp)) +
                       numbered("bp =", static_cast<int64_t>(w.amount)) + " " +
                       to_string(w.price_source));
        // Invariant: a line priced by an agreement is at the agreement's price.
        if (got_line.price_source == PriceSource::agreement) ++agreement_priced_lines_;
      }
    }
  }

  if (quoted && !duplicate) {
    SIM_EXPECT(quoted->decision == o.decision && quoted->total == o.total &&
                   quoted->reasons.size() == o.reasons.size(),
               "the quote said " + describe(*quoted) + "\n  the submit decided " + describe(o));
  }

  // What it reserved: nothing if rejected or a duplicate, exactly its lines otherwise.
  std::map<std::string, Qty> want_delta;
  if (!duplicate && o.decision != OrderStatus::rejected)
    for (const LineRequest& l : req.lines) want_delta[std::string(l.sku.view())] += l.qty;
  for (std::size_t i = 0; i < req.lines.size(); ++i) {
    if (!prod_before[i]) continue;
    const std::string sku(req.lines[i].sku.view());
    const auto after = product_view(sku);
    SIM_EXPECT(after.has_value(), "product vanished");
    SIM_EXPECT(after->reserved - prod_before[i]->reserved == want_delta[sku],
               numbered("order reserved ",
                        static_cast<uint64_t>(after->reserved - prod_before[i]->reserved)) +
                   " of " + sku + numbered(", expected ", static_cast<int64_t>(want_delta[sku])) +
                   ": " + describe(o));
  }
  if (customer_known) {
    const auto after = customer_view(req.customer.view());
    const ExposureView& e0 = cust_before->exposure;
    const ExposureView& e1 = after->exposure;
    Money d_open = 0, d_held = 0, d_unapplied = 0, d_prepaid = 0;
    if (!duplicate && o.decision != OrderStatus::rejected) {
      if (req.payment == PaymentTerms::prepaid) {
        d_unapplied = -o.total;
        d_prepaid = o.total;
      } else if (req.payment == PaymentTerms::cod) {
        // cash on delivery: not in the exposure
      } else if (o.decision == OrderStatus::accepted) {
        d_open = o.total;
      } else {
        d_held = o.total;
      }
    }
    SIM_EXPECT(
        e1.open_orders - e0.open_orders == d_open && e1.held - e0.held == d_held &&
            e1.unapplied - e0.unapplied == d_unapplied &&
            after->prepaid_reserved - cust_before->prepaid_reserved == d_prepaid &&
            e1.receivables == e0.receivables,
        "exposure moved wrongly for " + describe(o) + ": open " + std::to_string(e0.open_orders) +
            numbered("->", static_cast<int64_t>(e1.open_orders)) + " held " +
            std::to_string(e0.held) + numbered("->", static_cast<int64_t>(e1.held)) +
            " unapplied " + std::to_string(e0.unapplied) +
            numbered("->", static_cast<int64_t>(e1.unapplied)) +
            numbered(" prepaid_reserved ", static_cast<int64_t>(cust_before->prepaid_reserved)) +
            "->" + std::to_string(after->prepaid_reserved));
  }
}

void Sim::do_batch() {
  SubmitOrders b;
  const int n = static_cast<int>(rng_.range(2, 12));
  for (int i = 0; i < n; ++i) b.orders.push_back(random_order(true));
  // Sometimes a retry inside the batch itself.
  if (rng_.percent(20) && !b.orders.front().client_order_id.empty())
    b.orders.push_back(b.orders.front());
  const SubmitOrders sent = b;
  cmd_ = Command{0, stamp(), reps_[static_cast<std::size_t>(rng_.range(0, 3))], std::move(b)};
  const Result& r = send(false);
  if (!r.ok()) fail("submit_orders failed: " + describe(r.error));
  const BatchView v = std::get<BatchView>(r.body);
  SIM_EXPECT(v.results.size() == sent.orders.size(), "batch answered a different number of orders");
  for (std::size_t i = 0; i < v.results.size(); ++i) {
    SIM_EXPECT(v.results[i].error.code == ErrorCode::OK,
               "batch item failed: " + describe(v.results[i].error));
    bool known = false;
    for (const CustomerModel& c : customers_)
      if (c.id == sent.orders[i].customer.view()) known = c.known;
    record_decision(sent.orders[i], v.results[i].order, known);
  }
}

void Sim::do_cancel() {
  const OrderNo n =
      !accepted_.empty() && rng_.percent(50) ? rng_.pick(accepted_) : pick_live_order();
  const auto before = order_view(n);
  const int who = static_cast<int>(rng_.range(0, 99));
  Principal by = admin_;
  if (before && who < 75)
    by = rep_for(before->submitted_by.view());
  else if (who < 90)
    by = reps_[static_cast<std::size_t>(rng_.range(0, 3))];
  cmd_ = Command{0, stamp(), by, CancelOrder{n, "changed mind"}};
  const Result& r = send(false);
  if (!before) {
    SIM_EXPECT(!r.ok(), "cancelled an order that does not exist");
    return;
  }
  bool unshipped = false;
  for (const LineView& l : before->lines) unshipped |= l.shipped < l.qty;
  const bool open =
      (before->status == OrderStatus::accepted || before->status == OrderStatus::held) && unshipped;
  bool partly_shipped = false;
  for (const LineView& l : before->lines) partly_shipped |= l.shipped > 0;
  // The rest of a partly shipped order: level 1 of the order role (001c B); else the submitter.
  const bool allowed = (by.roles & kRoleAdmin) ||
                       ((by.roles & kRoleOrder) && (partly_shipped && open ? by.level >= 1
                                                    : by.name == before->submitted_by));
  if (!open) {
    SIM_EXPECT(!r.ok(), "cancelled an order that is " + std::string(to_string(before->status)));
    forget_order(n);
  } else if (!allowed) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
               "someone else's order: expected FORBIDDEN, got " + describe(r.error));
  } else {
    SIM_EXPECT(r.ok(), "cancel of an open order failed: " + describe(r.error));
    SIM_EXPECT(std::get<OrderView>(r.body).status == OrderStatus::cancelled, "not cancelled");
    forget_order(n);
  }
}

// release_order, approve_order (`approve`) and reject_order. Each held reason is approved by
// its function (approver_role) at its level, never by the order's submitter (four eyes).
void Sim::do_release_or_reject(bool release, bool approve) {
  OrderNo n = 0;
  std::optional<OrderView> held;
  if (rng_.percent(90)) {
    ListHeld l;
    l.limit = 32;
    const Result& q = query(l, admin_);
    SIM_EXPECT(q.ok(), "list_held failed");
    const HeldList& hl = std::get<HeldList>(q.body);
    for (const OrderView& o : hl.orders)
      SIM_EXPECT(o.status == OrderStatus::held, "list_held lists a non-held order: " + describe(o));
    // Oldest first: by when each order was held, which is submission order for an order never
    // amended (a taken amendment holds it again, at the back).
    OrderNo last_unamended = 0;
    for (const OrderView& o : hl.orders) {
      if (o.version != 1) continue;
      SIM_EXPECT(last_unamended < o.order_no, "list_held is not oldest first");
      last_unamended = o.order_no;
    }
    if (!hl.orders.empty()) {
      held = rng_.pick(hl.orders);
      n = held->order_no;
    }
  }
  if (n == 0) n = pick_live_order();
  const auto before = order_view(n);
  const int who = static_cast<int>(rng_.range(0, 99));
  const Principal& by = who < 55   ? credit_[static_cast<std::size_t>(rng_.range(0, 3))]
                        : who < 92 ? rng_.pick(reps_)
                        : who < 97 ? admin_
                                   : warehouse_;
  if (approve)
    cmd_ = Command{0, stamp(), by, ApproveOrder{n, std::nullopt, "ok"}};
  else if (release)
    cmd_ = Command{0, stamp(), by, ReleaseOrder{n, "ok"}};
  else
    cmd_ = Command{0, stamp(), by, RejectOrder{n, "no"}};
  const Result& r = send(false);
  const bool approving = release || approve;
  const uint8_t needs = approving ? (kRoleCredit | kRoleOrder | kRoleAdmin) : (kRoleCredit | kRoleAdmin);
  if (!(by.roles & needs)) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
               "no role for it: expected FORBIDDEN, got " + describe(r.error));
    return;
  }
  if (!before) {
    SIM_EXPECT(!r.ok(), "released/rejected an order that does not exist");
    return;
  }
  const bool own = by.name == before->submitted_by;
  if (approving && own) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
               "approved one's own order: expected FORBIDDEN, got " +
                   (r.ok() ? std::string("ok") : describe(r.error)));
    return;
  }
  if (before->status != OrderStatus::held) {
    SIM_EXPECT(!r.ok(),
               "released/rejected an order that is " + std::string(to_string(before->status)));
    return;
  }
  // Which open reasons `by` may approve.
  std::size_t may = 0;
  for (const ReasonView& rv : before->open_reasons) {
    const bool role = (by.roles & (approver_role(rv.code) | kRoleAdmin)) != 0;
    may += role && rv.required_level <= by.level;
  }
  const bool all = may == before->open_reasons.size();
  if ((release && !all) || (approve && may == 0)) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
               "approval beyond the principal's role or level: expected FORBIDDEN, got " +
                   (r.ok() ? std::string("ok") : describe(r.error)) + "; the order was " +
                   describe(*before));
    return;
  }
  SIM_EXPECT(r.ok(), std::string(approving ? "approval" : "reject") +
                         " of a held order failed: " + describe(r.error));
  const OrderView& o = std::get<OrderView>(r.body);
  const OrderStatus want =
      !approving ? OrderStatus::rejected : all ? OrderStatus::accepted : OrderStatus::held;
  SIM_EXPECT(o.status == want, "wrong status after approve/release/reject: " + describe(o));
  if (approving) {
    SIM_EXPECT(o.approvals.size() == before->approvals.size() + may,
               "approve_order recorded " + std::to_string(o.approvals.size()) + " approvals");
    for (const ApprovalView& a : o.approvals)
      SIM_EXPECT(a.principal != o.submitted_by, "an approval by the order's submitter");
  }
  if (want == OrderStatus::accepted)
    remember_accepted(n);
  else if (want == OrderStatus::rejected)
    forget_order(n);
}

// release_shipment: credit level 2, not the submitter, an accepted order whose customer's supply
// is stopped, no release waiting already.
void Sim::do_release_shipment() {
  const OrderNo n =
      !accepted_.empty() && rng_.percent(85) ? rng_.pick(accepted_) : pick_live_order();
  const auto before = order_view(n);
  const int who = static_cast<int>(rng_.range(0, 99));
  const Principal& by = who < 80 ? credit_[static_cast<std::size_t>(rng_.range(0, 3))]
                        : who < 95 ? admin_
                                   : rng_.pick(reps_);
  cmd_ = Command{0, stamp(), by, ReleaseShipment{n, "one more"}};
  const Result& r = send(false);
  if (!(by.roles & (kRoleCredit | kRoleAdmin)) || by.level < 2) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
               "release_shipment below credit level 2: expected FORBIDDEN, got " +
                   (r.ok() ? std::string("ok") : describe(r.error)));
    return;
  }
  if (!before) {
    SIM_EXPECT(!r.ok(), "released shipment of an order that does not exist");
    return;
  }
  if (by.name == before->submitted_by) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN, "released one's own order's shipment");
    return;
  }
  const bool ok = before->status == OrderStatus::accepted && supply_stopped(*before) &&
                  !before->shipping_release;
  SIM_EXPECT(r.ok() == ok, std::string("release_shipment: expected ") + (ok ? "ok" : "a refusal") +
                               ", got " + (r.ok() ? std::string("ok") : describe(r.error)));
}

bool Sim::cod_overdue(std::string_view customer, Day today) {
  OpenItemsQuery q;
  q.customer = Key::of(customer);
  q.as_of = today;
  q.limit = 1'000;
  const Result& r = query(q, finance_.front());
  SIM_EXPECT(r.ok(), "open_items failed: " + describe(r.error));
  if (!r.ok()) return false;
  const std::vector<OpenItemRow> items = std::get<OpenItemsView>(r.body).items;
  for (const OpenItemRow& row : items) {
    if (row.days_past_due <= 0 || row.open <= 0) continue;
    const auto o = order_view(row.order_no);
    if (o && o->payment == PaymentTerms::cod) return true;
  }
  return false;
}

// Whether ship must refuse the order for its customer (blocked, on hold, overdue; prepaid
// orders never are).
bool Sim::supply_stopped(const OrderView& o) {
  if (o.payment == PaymentTerms::prepaid) return false;
  const auto c = customer_view(o.customer.view());
  if (!c) return false;
  return c->status != CustomerStatus::active ||
         c->oldest_overdue_days > policy_.overdue_hold_days;
}

void Sim::do_ship() {
  const OrderNo n =
      !accepted_.empty() && rng_.percent(85) ? rng_.pick(accepted_) : pick_live_order();
  const auto before = order_view(n);
  Ship s;
  s.order_no = n;
  bool bad = false;
  if (before && rng_.percent(40)) {
    // A partial shipment: some lines, some of their unshipped quantity.
    for (const LineView& l : before->lines) {
      const Qty left = l.qty - l.shipped;
      if (left <= 0 || rng_.percent(40)) continue;
      bool dup = false;
      for (const SkuQty& q : s.lines) dup |= q.sku == l.sku;
      if (dup) continue;  // the same sku on two lines: keep the request simple
      s.lines.push_back({l.sku, rng_.range(1, left)});
    }
    if (rng_.percent(5) && !s.lines.empty()) {
      s.lines.back().qty += 1'000;  // more than is unshipped
      bad = true;
    }
  }
  cmd_ = Command{0, stamp(), rng_.percent(97) ? warehouse_ : rng_.pick(reps_), std::move(s)};
  // Read as of the shipment's time (queries use cmd_.at): an invoice may fall overdue between.
  const bool stopped = before && before->status == OrderStatus::accepted &&
                       supply_stopped(*before) && !before->shipping_release;
  const Result& r = send(false);
  if (!before) {
    SIM_EXPECT(!r.ok(), "shipped an order that does not exist");
    return;
  }
  if (stopped && (cmd_.by.roles & kRoleWarehouse) && !bad) {
    // No shipment to a stopped customer without a release (004 9-06 §7).
    SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE && !r.error.reason.empty(),
               "shipped to a stopped customer without a release: " +
                   (r.ok() ? std::string("ok") : describe(r.error)));
    return;
  }
  if (before->status == OrderStatus::accepted && before->payment == PaymentTerms::deposit &&
      before->deposit_paid < before->deposit_due && (cmd_.by.roles & kRoleWarehouse) && !bad) {
    SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE && r.error.reason == "DEPOSIT_UNPAID",
               "shipped a deposit order whose deposit is unpaid: " +
                   (r.ok() ? std::string("ok") : describe(r.error)));
    return;
  }
  if (before->status != OrderStatus::accepted || bad || !(cmd_.by.roles & kRoleWarehouse)) {
    SIM_EXPECT(!r.ok(), "shipped an order that is " + std::string(to_string(before->status)) +
                            (bad ? " (more than unshipped)" : ""));
    if (before->status != OrderStatus::accepted && before->status != OrderStatus::held) {
      forget_order(n);
    } else if (before->status == OrderStatus::held) {
      auto it = std::find(accepted_.begin(), accepted_.end(), n);
      if (it != accepted_.end()) accepted_.erase(it);
    }
    return;
  }
  // An accepted order always has something unshipped (else it would be `shipped`).
  SIM_EXPECT(r.ok(), "ship of an accepted order failed: " + describe(r.error));
  // Nothing ships that still waits for an approval, nor to a stopped customer without a
  // release (used by this shipment).
  SIM_EXPECT(before->decision != OrderStatus::held ||
                 before->approvals.size() == before->reasons.size(),
             "shipped an order with an approval missing: " + describe(*before));
  SIM_EXPECT(!order_view(n)->shipping_release, "the shipment did not use the release");
  const ShipView& v = std::get<ShipView>(r.body);
  SIM_EXPECT(v.invoice_no == next_invoice_no_, "invoice numbers are not consecutive: got " +
                                                   std::to_string(v.invoice_no) + ", expected " +
                                                   std::to_string(next_invoice_no_));
  ++next_invoice_no_;
  // The invoice: what was unshipped (full shipment) or what was asked for (partial), at the
  // lines' prices. With one sku on two lines the split between them is the engine's choice.
  bool repeated_sku = false;
  for (std::size_t i = 0; i < before->lines.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      repeated_sku |= before->lines[i].sku == before->lines[j].sku;
  const std::vector<SkuQty>& asked = std::get<Ship>(cmd_.body).lines;
  Money amount = 0;
  if (asked.empty()) {
    for (const LineView& l : before->lines) amount += (l.qty - l.shipped) * l.unit_price;
  } else {
    for (const SkuQty& q : asked)
      for (const LineView& l : before->lines)
        if (l.sku == q.sku) {
          amount += q.qty * l.unit_price;
          break;
        }
  }
  if (asked.empty() || !repeated_sku)
    SIM_EXPECT(v.amount == amount, numbered("invoice amount ", static_cast<int64_t>(v.amount)) +
                                       numbered(", expected ", static_cast<int64_t>(amount)));
  const auto c = customer_view(before->customer.view());
  // Cash on delivery is due on the ship date.
  SIM_EXPECT(v.due_date ==
                 day_of(engine_now_) + (before->payment == PaymentTerms::cod ? 0 : c->terms_days),
             "due date " + format_date(v.due_date) + ", expected ship date + " +
                 std::to_string(c->terms_days) + " days");
  if (shipped_.size() < 1'024)
    shipped_.push_back(n);
  else
    shipped_[static_cast<std::size_t>(rng_.range(0, 1'023))] = n;
  if (v.status == OrderStatus::shipped) forget_order(n);
}

void Sim::do_pay() {
  const bool reuse = rng_.percent(6) && !reusable_refs_.empty();
  RecordPayment p;
  std::optional<PaymentRecord> original;
  if (reuse) {
    p.payment_ref = rng_.pick(reusable_refs_);
    original = payments_.at(std::string(p.payment_ref.view()));
    p.customer = Key::of(original->customer);
    p.amount = original->amount;
    if (rng_.percent(30)) p.amount += 1;  // a different amount: a conflicting reuse
  } else {
    p.customer = Key::of(pick_customer_any().id);
    p.payment_ref = fresh_key('R');
    if (rng_.percent(25)) {
      // A customer on hold pays what it owes: the overdue ladder must reactivate it if the
      // ladder (not a person) put it on hold.
      for (int tries = 0; tries < 8; ++tries) {
        const CustomerModel& c = customers_[static_cast<std::size_t>(rng_.range(0, 19))];
        const auto v = customer_view(c.id);
        if (v && v->status == CustomerStatus::on_hold && v->exposure.receivables > 0) {
          p.customer = Key::of(c.id);
          break;
        }
      }
    } else if (rng_.percent(15) && !deposit_orders_.empty()) {
      // A deposit: for one of the deposit orders (maybe closed or paid already, or another
      // customer's: refused).
      const OrderNo n = rng_.pick(deposit_orders_);
      if (const auto o = order_view(n)) p.customer = rng_.percent(95) ? o->customer : p.customer;
      p.order_no = n;
    } else if (rng_.percent(15) && !written_off_.empty()) {
      // Money for a written-off invoice: a recovery, within what is left of it or not.
      const auto& [invoice, customer] = rng_.pick(written_off_);
      p.customer = customer;
      p.recovery_of = invoice;
    }
  }
  const auto before = customer_view(p.customer.view());
  if (!reuse) {
    const Money owed = before ? before->exposure.receivables : 0;
    const int how = static_cast<int>(rng_.range(0, 99));
    if (how < 30 && owed > 0)
      p.amount = owed;
    else if (how < 70 && owed > 0)
      p.amount = rng_.range(1, owed);
    else
      p.amount = rng_.range(1, owed * 2 + 20'000);
  }
  const std::optional<OrderView> deposit_order =
      p.order_no ? order_view(*p.order_no) : std::nullopt;
  cmd_ = Command{0, stamp(), rng_.pick(finance_), p};
  const Result& r = send(false);
  if (!before) {
    SIM_EXPECT(!r.ok(), "a payment from an unknown customer succeeded");
    return;
  }
  if (!original && p.order_no && !r.ok()) {
    const bool open = deposit_order && (deposit_order->status == OrderStatus::accepted ||
                                        deposit_order->status == OrderStatus::held);
    SIM_EXPECT(r.error.field == "order_no" || r.error.field == "amount",
               "a deposit payment failed: " + describe(r.error));
    SIM_EXPECT(r.error.code != ErrorCode::INVALID_STATE || !open ||
                   deposit_order->deposit_paid >= deposit_order->deposit_due,
               "a deposit payment for an open unpaid order was refused: " + describe(r.error));
    return;
  }
  if (!original && p.recovery_of && !r.ok()) {
    SIM_EXPECT(r.error.field == "amount" || r.error.reason == "not_written_off",
               "a recovery failed: " + describe(r.error));
    return;
  }
  if (original) {
    if (p.amount != original->amount) {
      SIM_EXPECT(r.error.code == ErrorCode::DUPLICATE,
                 "a reused payment_ref with another amount: "
                 "expected DUPLICATE, got " +
                     (r.ok() ? std::string("ok") : describe(r.error)));
    } else {
      SIM_EXPECT(r.ok() && std::get<PaymentView>(r.body).duplicate,
                 "a repeated payment was not answered as a duplicate");
      SIM_EXPECT(customer_view(p.customer.view())->exposure.unapplied == before->exposure.unapplied,
                 "a duplicate payment changed the customer's balance");
    }
    return;
  }
  SIM_EXPECT(r.ok(), "payment failed: " + describe(r.error));
  const PaymentView& v = std::get<PaymentView>(r.body);
  SIM_EXPECT(!v.duplicate, "a fresh payment_ref was answered as a duplicate");
  payments_.emplace(std::string(p.payment_ref.view()),
                    PaymentRecord{std::string(p.customer.view()), p.amount});
  if (reusable_refs_.size() < 256)
    reusable_refs_.push_back(p.payment_ref);
  else
    reusable_refs_[static_cast<std::size_t>(rng_.range(0, 255))] = p.payment_ref;
  Money applied = 0, recovered = 0;
  for (const Application& a : v.applied) applied += a.amount;
  for (const Application& a : v.recovered) recovered += a.amount;
  SIM_EXPECT(!p.recovery_of || recovered == p.amount,
             "a payment with recovery_of was not booked as a recovery in full");
  if (p.order_no && !original) {
    // What was set aside for the deposit: at most the rest of it, and the order shows it. A
    // customer with nothing open and debts written off recovers them first (docs/rules.md,
    // "Recoveries"), which may take the whole payment: then nothing is set aside (found by
    // seed 0x5eedc0de2026 at step 583229).
    const Money rest = deposit_order->deposit_due - deposit_order->deposit_paid;
    SIM_EXPECT((v.deposit > 0 || recovered == p.amount) && v.deposit <= rest &&
                   v.deposit <= p.amount - recovered,
               numbered("a deposit payment set aside ", static_cast<int64_t>(v.deposit)));
    SIM_EXPECT(order_view(*p.order_no)->deposit_paid == deposit_order->deposit_paid + v.deposit,
               "the order's deposit_paid did not grow by the deposit set aside");
  }
  SIM_EXPECT(applied + recovered + v.deposit + (v.unapplied - before->exposure.unapplied) ==
                 p.amount,
             numbered("payment of ", static_cast<int64_t>(p.amount)) +
                 " does not balance: applied " + std::to_string(applied) +
                 numbered(", unapplied ", static_cast<int64_t>(before->exposure.unapplied)) +
                 numbered(" -> ", static_cast<int64_t>(v.unapplied)));
  const auto after = customer_view(p.customer.view());
  SIM_EXPECT(after->exposure.unapplied == 0 || after->exposure.receivables == 0,
             "the customer has both an unapplied balance and open receivables after a payment");
  // The overdue ladder steps back when the customer it suspended has nothing past due.
  if (before->status == CustomerStatus::on_hold && before->status_reason == "OVERDUE_SUSPENSION" &&
      after->oldest_overdue_days == 0) {
    SIM_EXPECT(after->status == CustomerStatus::active,
               "a customer the ladder suspended paid everything past due but is still " +
                   std::string(to_string(after->status)));
    ++reactivated_;
  }
}

// Returns: the one-step return_goods (admin) or a step of the workflow.
void Sim::do_return() {
  if (rng_.percent(25))
    do_legacy_return();
  else
    do_return_flow();
}

void Sim::do_legacy_return() {
  OrderNo n = shipped_.empty() ? pick_live_order() : rng_.pick(shipped_);
  const auto before = order_view(n);
  ReturnGoods g;
  g.order_no = n;
  g.restock = rng_.percent(50);
  g.reason = "damaged";
  bool bad = false;
  if (before) {
    for (const LineView& l : before->lines) {
      const Qty left = l.shipped - l.returned;
      if (left <= 0 || rng_.percent(30)) continue;
      bool dup = false;
      for (const SkuQty& q : g.lines) dup |= q.sku == l.sku;
      if (dup) continue;
      g.lines.push_back({l.sku, rng_.range(1, left)});
    }
  }
  if (g.lines.empty() || rng_.percent(5)) {
    g.lines.push_back(
        {before && !before->lines.empty() ? before->lines[0].sku : Key::of("P100"), 1'000});
    bad = true;
  }
  const std::vector<SkuQty> lines = g.lines;
  // The one-step form is admin's; anyone else is refused.
  const bool by_admin = rng_.percent(85);
  cmd_ = Command{0, stamp(), by_admin ? admin_ : finance_[3], std::move(g)};
  const Result& r = send(false);
  if (!by_admin) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN, "return_goods by finance was not FORBIDDEN");
    return;
  }
  if (!before || bad) {
    SIM_EXPECT(!r.ok(), "an impossible return succeeded");
    SIM_EXPECT(!before || !before->archived || r.error.reason == "archived",
               "a return on an archived order was not refused as archived: " + describe(r.error));
    return;
  }
  SIM_EXPECT(r.ok(), "return failed: " + describe(r.error));
  const ReturnView& v = std::get<ReturnView>(r.body);
  SIM_EXPECT(v.credit_note_no == next_credit_note_no_, "credit note numbers are not consecutive");
  ++next_credit_note_no_;
  bool repeated_sku = false;
  for (std::size_t i = 0; i < before->lines.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      repeated_sku |= before->lines[i].sku == before->lines[j].sku;
  Money amount = 0;
  for (const SkuQty& q : lines)
    for (const LineView& l : before->lines)
      if (l.sku == q.sku) {
        amount += q.qty * l.unit_price;
        break;
      }
  SIM_EXPECT(repeated_sku || v.amount == amount,
             numbered("credit note amount ", static_cast<int64_t>(v.amount)) +
                 numbered(", expected ", static_cast<int64_t>(amount)));
}

// One step of a return's way: request (order or finance), approve (a sales manager who is not
// the requester; level 2 above return_vp_minor), receive (warehouse: counted <= approved; only
// QC-passed units back to stock).
void Sim::do_return_flow() {
  const int step = static_cast<int>(rng_.range(0, 2));
  if (step == 0 || returns_.empty()) {
    const OrderNo n = shipped_.empty() ? pick_live_order() : rng_.pick(shipped_);
    const auto before = order_view(n);
    RequestReturn q;
    q.order_no = n;
    q.reason = "wrong size";
    bool bad = false;
    if (before)
      for (const LineView& l : before->lines) {
        const Qty left = l.shipped - l.returned;
        bool dup = false;
        for (const SkuQty& x : q.lines) dup |= x.sku == l.sku;
        if (left <= 0 || dup || rng_.percent(30)) continue;
        q.lines.push_back({l.sku, rng_.range(1, left)});
      }
    if (q.lines.empty() || rng_.percent(5)) {
      q.lines.push_back(
          {before && !before->lines.empty() ? before->lines[0].sku : Key::of("P100"), 1'000});
      bad = true;
    }
    const Principal& by = rng_.percent(70) ? rng_.pick(reps_) : rng_.pick(finance_);
    cmd_ = Command{0, stamp(), by, std::move(q)};
    const Result& r = send(false);
    if (!before || bad) {
      SIM_EXPECT(!r.ok(), "an impossible return request succeeded");
      SIM_EXPECT(!before || !before->archived || r.error.reason == "archived",
                 "a return on an archived order was not refused as archived: " +
                     describe(r.error));
      return;
    }
    SIM_EXPECT(r.ok(), "return request failed: " + describe(r.error));
    const ReturnRecordView& v = std::get<ReturnRecordView>(r.body);
    SIM_EXPECT(v.return_no == next_return_no_, "return numbers are not consecutive");
    ++next_return_no_;
    ReturnModel m{v.return_no, std::string(by.name.view()), v.value, {}, ReturnStatus::requested};
    for (const auto& l : v.lines) m.lines.push_back({l.sku, l.qty});
    if (returns_.size() >= 256) returns_.erase(returns_.begin());
    returns_.push_back(std::move(m));
    return;
  }
  ReturnModel& m = returns_[static_cast<std::size_t>(
      rng_.range(0, static_cast<int64_t>(returns_.size()) - 1))];
  if (step == 1) {
    const Principal& by = rng_.percent(10) ? rep_for(m.requester) : rng_.pick(reps_);
    cmd_ = Command{0, stamp(), by, ApproveReturn{m.no, "ok"}};
    const Result& r = send(false);
    const bool own = by.name.view() == m.requester;
    if (m.status != ReturnStatus::requested || by.level < 1 || own ||
        (m.value > policy_.return_vp_minor && by.level < 2)) {
      SIM_EXPECT(!r.ok(), "a return approval that breaks the rules succeeded");
      if (by.level < 1 || (own && m.status == ReturnStatus::requested))
        SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN, "expected FORBIDDEN");
      return;
    }
    SIM_EXPECT(r.ok(), "return approval failed: " + describe(r.error));
    const ReturnRecordView& v = std::get<ReturnRecordView>(r.body);
    SIM_EXPECT(v.approved_by != v.requested_by, "a return approved by its requester");
    m.status = ReturnStatus::approved;
    return;
  }
  // Receive: counted per line, sometimes more than approved; QC pass or fail.
  ReceiveReturn rr;
  rr.return_no = m.no;
  bool over = false;
  for (const SkuQty& l : m.lines) {
    if (rng_.percent(20)) continue;
    Qty q = rng_.range(1, l.qty);
    if (rng_.percent(5)) {
      q = l.qty + 1;
      over = true;
    }
    rr.lines.push_back({l.sku, q, rng_.percent(75) ? QcResult::pass : QcResult::fail});
  }
  if (rr.lines.empty()) rr.lines.push_back({m.lines[0].sku, 1, QcResult::pass});
  std::vector<std::pair<Key, Qty>> stock_before;
  for (const ReceiveLine& l : rr.lines)
    stock_before.emplace_back(l.sku, product_view(l.sku.view())->on_hand);
  const std::vector<ReceiveLine> lines = rr.lines;
  cmd_ = Command{0, stamp(), rng_.percent(95) ? warehouse_ : finance_[3], std::move(rr)};
  const Result& r = send(false);
  if (m.status != ReturnStatus::approved || over || cmd_.by.name.view() != "wh") {
    SIM_EXPECT(!r.ok(), "an impossible return receipt succeeded");
    return;
  }
  if (!r.ok()) {
    // Another return of the same goods was received first.
    SIM_EXPECT(r.error.reason == "already_returned",
               "return receipt failed: " + describe(r.error));
    return;
  }
  const ReturnRecordView& v = std::get<ReturnRecordView>(r.body);
  SIM_EXPECT(v.credit.credit_note_no == next_credit_note_no_,
             "credit note numbers are not consecutive");
  ++next_credit_note_no_;
  m.status = ReturnStatus::received;
  // Stock comes back exactly by the QC-passed quantity.
  for (const auto& [sku, was] : stock_before) {
    Qty passed = 0;
    for (const ReceiveLine& l : lines)
      if (l.sku == sku && l.qc == QcResult::pass) passed += l.qty;
    const Qty now = product_view(sku.view())->on_hand;
    SIM_EXPECT(now == was + passed, "on_hand of " + std::string(sku.view()) + " went from " +
                                        std::to_string(was) + " to " + std::to_string(now) +
                                        ", QC passed " + std::to_string(passed));
  }
}

// A step of the write-off workflow: a proposal, an approval by a second finance principal of
// level 2 or more, or the one-step write_off the default policy refuses.
void Sim::do_write_off() {
  const int step = static_cast<int>(rng_.range(0, 99));
  const Principal& by = finance_[static_cast<std::size_t>(rng_.range(0, 3))];
  if (step < 50 || write_off_proposals_.empty()) {
    // Mostly a recent invoice (older ones are usually paid by now).
    const int64_t last = static_cast<int64_t>(next_invoice_no_);
    const InvoiceNo n = static_cast<InvoiceNo>(rng_.percent(80)
                                                   ? rng_.range(std::max<int64_t>(1, last - 64), last)
                                                   : rng_.range(1, last));
    const auto code = static_cast<WriteOffReason>(rng_.range(0, 3));
    cmd_ = Command{0, stamp(), by, ProposeWriteOff{n, code, "bankrupt"}};
    const Result& r = send(false);
    if (n >= next_invoice_no_) SIM_EXPECT(!r.ok(), "proposed to write off a missing invoice");
    if (!r.ok()) return;
    const WriteOffRecordView& v = std::get<WriteOffRecordView>(r.body);
    SIM_EXPECT(v.write_off_no == next_write_off_no_, "write-off numbers are not consecutive");
    ++next_write_off_no_;
    if (write_off_proposals_.size() >= 256) write_off_proposals_.erase(write_off_proposals_.begin());
    write_off_proposals_.emplace_back(v.write_off_no, std::string(by.name.view()));
    return;
  }
  if (step < 90) {
    const auto [no, proposed_by] = rng_.pick(write_off_proposals_);
    // Sometimes the proposer tries to approve their own proposal.
    const Principal* who = &by;
    if (rng_.percent(15))
      for (const Principal& f : finance_)
        if (f.name.view() == proposed_by) who = &f;
    cmd_ = Command{0, stamp(), *who, ApproveWriteOff{no, ""}};
    const Result& r = send(false);
    if (who->level < 2 || who->name.view() == proposed_by) {
      SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN, "an approval of one's own write-off or "
                                                       "below level 2 was not FORBIDDEN");
      return;
    }
    if (!r.ok()) return;  // approved before, or the invoice was settled meanwhile
    const WriteOffRecordView& v = std::get<WriteOffRecordView>(r.body);
    SIM_EXPECT(v.approved_by != v.proposed_by, "a write-off approved by its proposer");
    // Approved: no longer waiting (the list holds only proposals still waiting).
    write_off_proposals_.erase(std::find_if(write_off_proposals_.begin(), write_off_proposals_.end(),
                                  [&](const auto& x) { return x.first == v.write_off_no; }));
    if (written_off_.size() >= 256) written_off_.erase(written_off_.begin());
    written_off_.emplace_back(v.invoice_no, v.customer);
    return;
  }
  cmd_ = Command{0, stamp(), by, WriteOff{1, "bankrupt"}};
  const Result& r = send(false);
  SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
             "the one-step write_off was not FORBIDDEN under the default policy");
}

// ---------------------------------------------------------------------------------------------
// Stock, master data, time.
void Sim::do_receive() {
  const ProductModel& p = pick_product_any();
  cmd_ = Command{0, stamp(), warehouse_, ReceiveStock{Key::of(p.id), rng_.range(1, 80)}};
  const Result& r = send(false);
  SIM_EXPECT(r.ok() == p.known,
             numbered("receive_stock: ok=", static_cast<int64_t>(r.ok())) + " for " + p.id);
}

void Sim::do_adjust() {
  const ProductModel& p = pick_product_any();
  const auto before = product_view(p.id);
  const Qty reserved = before ? before->reserved : 0;
  const bool below = rng_.percent(15) && reserved > 0;
  const Qty on_hand = below ? rng_.range(0, reserved - 1) : reserved + rng_.range(0, 40);
  cmd_ = Command{0, stamp(), warehouse_, AdjustStock{Key::of(p.id), on_hand}};
  const Result& r = send(false);
  SIM_EXPECT(r.ok() == (p.known && !below),
             numbered("adjust_stock to ", static_cast<int64_t>(on_hand)) +
                 numbered(" (reserved ", static_cast<int64_t>(reserved)) +
                 "): " + (r.ok() ? std::string("ok") : describe(r.error)));
}

void Sim::do_set_credit() {
  const int i = pick_known_customer();
  SetCredit s;
  s.customer = Key::of(customers_[static_cast<std::size_t>(i)].id);
  if (rng_.percent(70)) s.credit_limit = rng_.range(0, 400'000);
  if (rng_.percent(30)) s.grade = static_cast<Grade>(rng_.range(0, 3));
  if (rng_.percent(30)) s.terms_days = static_cast<int32_t>(rng_.range(0, 60));
  s.reason = "review";
  const Money current = customer_view(s.customer.view())->credit_limit;
  cmd_ = Command{0, stamp(), credit_[static_cast<std::size_t>(rng_.range(0, 3))], std::move(s)};
  const Result& r = send(false);
  const SetCredit& sent = std::get<SetCredit>(cmd_.body);
  const bool empty = !sent.credit_limit && !sent.grade && !sent.terms_days;
  SIM_EXPECT(r.ok() == !empty, "set_credit: " + (r.ok() ? std::string("ok") : describe(r.error)));
  if (r.ok())
    expect_limit_outcome(static_cast<std::size_t>(i), sent.credit_limit, current, cmd_.by, r);
}

void Sim::do_set_status() {
  const int i = pick_known_customer();
  const int s = static_cast<int>(rng_.range(0, 99));
  const CustomerStatus status = s < 70   ? CustomerStatus::active
                                : s < 90 ? CustomerStatus::on_hold
                                         : CustomerStatus::blocked;
  cmd_ = Command{
      0, stamp(), credit_[static_cast<std::size_t>(rng_.range(0, 3))],
      SetCustomerStatus{Key::of(customers_[static_cast<std::size_t>(i)].id), status, "by hand"}};
  const Result& r = send(false);
  SIM_EXPECT(r.ok(), "set_customer_status failed: " + describe(r.error));
}

void Sim::do_upsert_customer() {
  // Creates one of the customers that orders have been naming in vain, or renames one.
  const std::size_t i = static_cast<std::size_t>(rng_.range(0, 23));
  UpsertCustomer u;
  u.customer = Key::of(customers_[i].id);
  u.name = numbered("Renamed ", static_cast<int64_t>(step_));
  if (!customers_[i].known && rng_.percent(50)) {
    u.grade = static_cast<Grade>(rng_.range(0, 3));
    u.credit_limit = rng_.range(0, 200'000);
  }
  const Money current = customers_[i].known ? customer_view(customers_[i].id)->credit_limit : 0;
  cmd_ = Command{0, stamp(), credit_[static_cast<std::size_t>(rng_.range(0, 3))], std::move(u)};
  const Result& r = send(false);
  SIM_EXPECT(r.ok(), "upsert_customer failed: " + describe(r.error));
  customers_[i].known = true;
  expect_limit_outcome(i, std::get<UpsertCustomer>(cmd_.body).credit_limit, current, cmd_.by, r);
}

void Sim::do_upsert_product() {
  const std::size_t i = static_cast<std::size_t>(rng_.range(0, 16));
  UpsertProduct u;
  u.sku = Key::of(products_[i].id);
  u.name = std::string("Product ").append(products_[i].id);
  const Money price = rng_.range(100, 5'000);
  if (!products_[i].known || rng_.percent(50)) {
    u.price = price;
    u.floor_price = price * rng_.range(60, 100) / 100;
  }
  if (!products_[i].known) u.on_hand = rng_.range(0, 30);
  cmd_ = Command{0, stamp(), admin_, std::move(u)};
  const Result& r = send(false);
  SIM_EXPECT(r.ok(), "upsert_product failed: " + describe(r.error));
  products_[i].known = true;
}

void Sim::do_tick() {
  const int r = static_cast<int>(rng_.range(0, 99));
  if (r < 80)
    clock_ += rng_.range(1, 120) * 60'000;
  else if (r < 95)
    clock_ += rng_.range(1, 24) * kMsPerHour;
  else if (r < 99)
    clock_ += rng_.range(1, 7) * kMsPerDay;
  else
    clock_ += rng_.range(10, 40) * kMsPerDay;
  cmd_ = Command{0, clock_, admin_, Tick{}};
  const Result& res = send(false);
  SIM_EXPECT(res.ok(), "tick failed: " + describe(res.error));
  const TickView& v = std::get<TickView>(res.body);
  SIM_EXPECT(v.now == clock_, "tick answered another time");
  held_expired_ += v.held_expired;
  accepted_expired_ += v.accepted_expired;
  suspended_ += v.customers_suspended;
  reactivated_ += v.customers_reactivated;
  // Retention (engine/archive.cc): the archived orders are the oldest ones, in order; the last
  // of them answers from its header only, the first after them in full.
  SIM_EXPECT(v.orders_archived == 0 || policy_.order_retention_days > 0,
             "orders archived while retention is off");
  archived_ += v.orders_archived;
  if (archived_ > 0) {
    const auto last = order_view(100'001 + archived_ - 1);
    SIM_EXPECT(last && last->archived && last->lines.empty() && last->status != OrderStatus::held &&
                   last->status != OrderStatus::accepted,
               "the newest archived order is not archived, or was still open");
  }
  if (const auto next = order_view(100'001 + archived_))
    SIM_EXPECT(!next->archived && !next->lines.empty(), "an order past the archived ones is archived");
}

void Sim::do_set_policy() {
  Policy p;
  const Money base = rng_.range(5'000, 40'000);
  p.approve_total_max_minor = {base, base * 3, base * 10, kMoneyMax};
  const int32_t d1 = static_cast<int32_t>(rng_.range(0, 500));
  p.discount_max_bp = {static_cast<int32_t>(rng_.range(0, d1)), d1,
                       d1 + static_cast<int32_t>(rng_.range(0, 1'500)), 10'000};
  p.hold_ttl_hours = static_cast<int32_t>(rng_.range(1, 96));
  p.order_ttl_days = static_cast<int32_t>(rng_.range(1, 40));
  p.overdue_hold_days = static_cast<int32_t>(rng_.range(0, 15));
  p.suspend_after_days = static_cast<int32_t>(rng_.range(10, 90));
  const Money credit_base = rng_.range(0, 100'000);
  p.credit_limit_max_minor = {credit_base, credit_base * 2, credit_base * 4, kMoneyMax};
  p.review_cycle_days_a = static_cast<int32_t>(rng_.range(30, 366));
  p.review_cycle_days_b = static_cast<int32_t>(rng_.range(20, 120));
  p.review_cycle_days_c = static_cast<int32_t>(rng_.range(5, 40));
  p.review_cycle_days_d = static_cast<int32_t>(rng_.range(5, 40));
  p.review_grace_days = static_cast<int32_t>(rng_.range(0, 30));
  for (int r = 0; r < kReasonCount; ++r)
    if (has_configured_level(static_cast<Reason>(r)))
      p.reason_levels[static_cast<std::size_t>(r)] = static_cast<int8_t>(rng_.range(0, kMaxLevel));
  p.credit_limit_vp_pct = static_cast<int32_t>(rng_.range(0, 50));
  p.writeoff_min_days_past_due = static_cast<int32_t>(rng_.range(0, 60));
  p.return_vp_minor = rng_.range(2'000, 60'000);
  p.max_order_credit_minor_a = rng_.percent(50) ? kMoneyMax : rng_.range(10'000, 200'000);
  p.max_order_credit_minor_b = rng_.percent(30) ? kMoneyMax : rng_.range(10'000, 100'000);
  p.max_order_credit_minor_c = rng_.range(0, 50'000);
  p.max_order_credit_minor_d = rng_.range(0, 10'000);
  p.deposit_pct_a = static_cast<int32_t>(rng_.range(1, 100));
  p.deposit_pct_b = static_cast<int32_t>(rng_.range(1, 100));
  p.deposit_pct_c = static_cast<int32_t>(rng_.range(1, 100));
  p.deposit_pct_d = static_cast<int32_t>(rng_.range(1, 100));
  p.deposit_ttl_days = static_cast<int32_t>(rng_.range(1, 14));
  p.order_retention_days = rng_.percent(40) ? 0 : static_cast<int32_t>(rng_.range(1, 45));
  cmd_ = Command{0, stamp(), admin_, SetPolicy{p}};
  const Result& r = send(false);
  SIM_EXPECT(r.ok(), "set_policy failed: " + describe(r.error));
  policy_ = p;
  SIM_EXPECT(a_.policy() == policy_, "policy() is not the policy just set");
}

// ---------------------------------------------------------------------------------------------
// Credit data: proposals, approvals, reviews, the history (docs/rules.md "Credit data").
void Sim::expect_limit_outcome(std::size_t customer, std::optional<Money> limit, Money current,
                               const Principal& by, const Result& r) {
  const bool want_proposal =
      limit && *limit > current && *limit > policy_.credit_limit_max_minor[by.level];
  const auto* p = std::get_if<CreditProposalView>(&r.body);
  SIM_EXPECT((p != nullptr) == want_proposal,
             want_proposal ? "a raise beyond the caller's authority took effect"
                           : "a change within the caller's authority became a proposal");
  if (p) {
    SIM_EXPECT(p->proposal_no == proposals_.size() + 1 && p->credit_limit == *limit &&
                   p->status == ProposalStatus::pending,
               "the proposal is not the next pending one for the limit asked");
    proposals_.push_back({customer, std::string(by.name.view()), *limit, true});
  } else if (limit) {
    customers_[customer].limit = *limit;
  }
  const std::optional<CustomerView> c = customer_view(customers_[customer].id);
  SIM_EXPECT(c && c->credit_limit == customers_[customer].limit,
             "the customer's limit is not the one last set or approved");
}

void Sim::do_approve_credit() {
  const bool known = !proposals_.empty() && rng_.percent(85);
  const ProposalNo no =
      known ? static_cast<ProposalNo>(rng_.range(1, static_cast<int64_t>(proposals_.size())))
            : static_cast<ProposalNo>(rng_.range(1, static_cast<int64_t>(proposals_.size()) + 3));
  const int pick = static_cast<int>(rng_.range(0, 19));
  const Principal& by = pick == 0 ? rng_.pick(reps_) : credit_[static_cast<std::size_t>(pick % 4)];
  cmd_ = Command{0, stamp(), by, ApproveCredit{no, rng_.percent(50) ? "" : "checked"}};
  const Result& r = send(false);
  ErrorCode want = ErrorCode::OK;
  if (!(by.roles & kRoleCredit))
    want = ErrorCode::FORBIDDEN;
  else if (no > proposals_.size())
    want = ErrorCode::NOT_FOUND;
  else if (!proposals_[no - 1].pending)
    want = ErrorCode::INVALID_STATE;
  else if (proposals_[no - 1].proposer == by.name.view() ||
           proposals_[no - 1].limit > policy_.credit_limit_max_minor[by.level])
    want = ErrorCode::FORBIDDEN;  // four eyes; the approver's own authority
  SIM_EXPECT(r.error.code == want, std::string("approve_credit: expected ") + to_string(want) +
                                       ", got " + describe(r.error));
  if (!r.ok()) return;
  ProposalModel& p = proposals_[no - 1];
  p.pending = false;
  customers_[p.customer].limit = p.limit;
  const CreditProposalView& v = std::get<CreditProposalView>(r.body);
  SIM_EXPECT(
      v.status == ProposalStatus::approved && v.current_limit == p.limit && v.decided_by == by.name,
      "approve_credit answered a proposal that is not approved by its approver");
}

void Sim::do_reject_credit() {
  if (proposals_.empty()) return do_approve_credit();
  const auto no = static_cast<ProposalNo>(rng_.range(1, static_cast<int64_t>(proposals_.size())));
  const Principal& by = credit_[static_cast<std::size_t>(rng_.range(0, 3))];
  const bool empty = rng_.percent(10);
  cmd_ = Command{0, stamp(), by, RejectCredit{no, empty ? "" : "not now"}};
  const Result& r = send(false);
  ProposalModel& p = proposals_[no - 1];
  const ErrorCode want = !p.pending ? ErrorCode::INVALID_STATE
                         : empty    ? ErrorCode::BAD_REQUEST
                                    : ErrorCode::OK;
  SIM_EXPECT(r.error.code == want, std::string("reject_credit: expected ") + to_string(want) +
                                       ", got " + describe(r.error));
  if (!r.ok()) return;
  p.pending = false;
  const ProposalStatus status = std::get<CreditProposalView>(r.body).status;
  SIM_EXPECT(status == (p.proposer == by.name.view() ? ProposalStatus::withdrawn
                                                     : ProposalStatus::rejected),
             "reject_credit: withdrawn iff by the proposer");
}

void Sim::do_review_customer() {
  const auto i = static_cast<std::size_t>(pick_known_customer());
  ReviewCustomer rc;
  rc.customer = Key::of(customers_[i].id);
  if (rng_.percent(40)) rc.grade = static_cast<Grade>(rng_.range(0, 3));
  if (rng_.percent(40)) rc.credit_limit = rng_.range(0, 400'000);
  const bool empty = rng_.percent(5);
  rc.reason = empty ? "" : "periodic review";
  const std::optional<CustomerView> before = customer_view(customers_[i].id);
  const Principal& by = credit_[static_cast<std::size_t>(rng_.range(0, 3))];
  cmd_ = Command{0, stamp(), by, std::move(rc)};
  const Result& r = send(false);
  SIM_EXPECT(r.ok() == !empty, "review_customer: " + describe(r.error));
  if (!r.ok()) return;
  expect_limit_outcome(i, std::get<ReviewCustomer>(cmd_.body).credit_limit, before->credit_limit,
                       by, r);
  const std::optional<CustomerView> after = customer_view(customers_[i].id);
  const int32_t cycle = after->grade == Grade::A   ? policy_.review_cycle_days_a
                        : after->grade == Grade::B ? policy_.review_cycle_days_b
                        : after->grade == Grade::C ? policy_.review_cycle_days_c
                                                   : policy_.review_cycle_days_d;
  SIM_EXPECT(after->review_due == day_of(engine_now_) + cycle,
             "review_customer: review_due is not one grade cycle on");
}

// get_credit_history and list_reviews_due, valid and invalid, checked against the model and the
// rule that every limit in force was set or approved within someone's authority.
void Sim::do_credit_reads() {
  const auto i = static_cast<std::size_t>(pick_known_customer());
  const Principal& by = rng_.pick(reps_);
  if (rng_.percent(10)) {
    const Result& bad = query(GetCreditHistory{Key::of(customers_[i].id), 0}, by);
    SIM_EXPECT(bad.error.code == ErrorCode::BAD_REQUEST, "get_credit_history limit 0 accepted");
    const Result& unknown = query(GetCreditHistory{Key::of("ZZ-NONE"), 10}, by);
    SIM_EXPECT(unknown.error.code == ErrorCode::NOT_FOUND, "history of an unknown customer");
    ListReviewsDue l;
    l.cursor = Key::of("x1");
    SIM_EXPECT(query(l, by).error.field == "cursor", "list_reviews_due took a bad cursor");
  }
  const Result& r = query(GetCreditHistory{Key::of(customers_[i].id), 1'000}, by);
  SIM_EXPECT(r.ok(), "get_credit_history: " + describe(r.error));
  const CreditHistoryView h = std::get<CreditHistoryView>(r.body);
  Money in_force = -1;
  for (const CreditEventView& e : h.entries) {
    if (e.kind == CreditChange::approved)
      SIM_EXPECT(e.by != e.proposed_by && e.proposal_no >= 1 &&
                     e.proposal_no <= proposals_.size() &&
                     proposals_[e.proposal_no - 1].limit == e.limit_to,
                 "an approval by its own proposer, or of another limit");
    const bool applies = e.kind != CreditChange::proposed && e.kind != CreditChange::rejected &&
                         e.kind != CreditChange::withdrawn;
    if (applies && e.kind != CreditChange::approved)
      SIM_EXPECT(e.by == e.proposed_by, "a direct change names another proposer");
    if (applies) in_force = e.limit_to;
  }
  SIM_EXPECT(in_force == -1 || in_force == customers_[i].limit,
             "the history's limit in force is not the model's");
  for (const CustomerModel& c : customers_) {
    if (!c.known) continue;
    SIM_EXPECT(customer_view(c.id)->credit_limit == c.limit,
               "customer " + c.id + "'s limit exceeds or differs from what was approved");
  }
  // list_reviews_due: every page oldest due first, exactly the known customers due by as_of.
  ListReviewsDue q;
  q.as_of = day_of(std::max(engine_now_, clock_)) + static_cast<Day>(rng_.range(-10, 60));
  q.limit = static_cast<uint32_t>(rng_.range(1, 7));
  std::size_t listed = 0;
  Day last = INT32_MIN;
  for (int pages = 0; pages < 64; ++pages) {
    const Result& page = query(q, by);
    SIM_EXPECT(page.ok(), "list_reviews_due: " + describe(page.error));
    const ReviewDueList list = std::get<ReviewDueList>(page.body);
    for (const ReviewDueRow& row : list.customers) {
      SIM_EXPECT(row.review_due >= last && row.review_due <= *q.as_of,
                 "list_reviews_due is out of order or lists one not due");
      last = row.review_due;
      ++listed;
    }
    if (list.next_cursor.empty()) break;
    q.cursor = list.next_cursor;
  }
  std::size_t due = 0;
  for (const CustomerModel& c : customers_)
    if (c.known && customer_view(c.id)->review_due <= *q.as_of) ++due;
  SIM_EXPECT(listed == due, "list_reviews_due did not list every customer due once");
}

// Commands built to fail: each must be refused and change nothing.
void Sim::do_invalid() {
  const int which = static_cast<int>(rng_.range(0, 15));
  const TimeMs at = stamp();
  auto order_with = [&](auto&& edit) {
    OrderRequest o;
    o.customer = Key::of(customers_[0].id);
    o.lines.push_back({Key::of(products_[0].id), 1, std::nullopt});
    edit(o);
    return SubmitOrder{std::move(o)};
  };
  ErrorCode want = ErrorCode::OK;  // OK: any error will do
  switch (which) {
    case 0:
      cmd_ = Command{0, at, reps_[0], order_with([](OrderRequest& o) { o.lines.clear(); })};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 1:
      cmd_ = Command{0, at, reps_[0], order_with([](OrderRequest& o) { o.lines[0].qty = 0; })};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 2:
      cmd_ = Command{0, at, reps_[0],
                     order_with([](OrderRequest& o) { o.lines[0].qty = kQtyMax + 1; })};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 3:
      cmd_ =
          Command{0, at, reps_[0], order_with([](OrderRequest& o) { o.lines[0].unit_price = -1; })};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 4:
      cmd_ = Command{0, at, reps_[0], order_with([](OrderRequest& o) {
                       // qty x unit price overflows int64
                       o.lines[0].qty = kQtyMax;
                       o.lines[0].unit_price = kMoneyMax / 100;
                     })};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 5:
      cmd_ = Command{0, at, warehouse_, order_with([](OrderRequest&) {})};
      want = ErrorCode::FORBIDDEN;
      break;
    case 6:
      cmd_ = Command{0, engine_now_ - rng_.range(1, 10 * kMsPerDay), admin_, Tick{}};
      want = ErrorCode::INVALID_STATE;
      break;
    case 7:
      cmd_ = Command{0, at, warehouse_, Ship{next_order_no_ + 7, {}}};
      want = ErrorCode::NOT_FOUND;
      break;
    case 8:
      cmd_ = Command{0, at, credit_[3], ReleaseOrder{rng_.percent(50) ? 0 : next_order_no_, ""}};
      break;
    case 9:
      cmd_ = Command{0, at, finance_[2],
                     RecordPayment{Key::of(customers_[0].id), -rng_.range(0, 100), fresh_key('V')}};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 10:
      cmd_ = Command{0, at, finance_[3],
                     ProposeWriteOff{next_invoice_no_ + 3, WriteOffReason::bankrupt, "x"}};
      want = ErrorCode::NOT_FOUND;
      break;
    case 11:
      cmd_ = Command{0, at, warehouse_, ReceiveStock{Key::of(products_[0].id), 0}};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 12:
      cmd_ = Command{0, at, credit_[3],
                     SetCredit{Key::of(customers_[1].id), -5, std::nullopt, std::nullopt, "x"}};
      want = ErrorCode::BAD_REQUEST;
      break;
    case 13:
      cmd_ = Command{0, at, guest_,
                     SetCustomerStatus{Key::of(customers_[1].id), CustomerStatus::blocked, "x"}};
      want = ErrorCode::FORBIDDEN;
      break;
    case 14: {
      UpsertProduct u;  // a new product needs a price
      u.sku = fresh_key('U');
      cmd_ = Command{0, at, admin_, std::move(u)};
      want = ErrorCode::BAD_REQUEST;
      break;
    }
    default:
      cmd_ = Command{0, at, reps_[0], CancelOrder{next_order_no_ + 1, "x"}};
      want = ErrorCode::NOT_FOUND;
      break;
  }
  const Result& r = send(true);
  if (want != ErrorCode::OK)
    SIM_EXPECT(r.error.code == want,
               std::string("expected ") + to_string(want) + ", got " + describe(r.error));
}

// ---------------------------------------------------------------------------------------------
// Discovery: list_customers / list_products walked page by page from the start. Every row
// listed exists in the model and agrees with get_customer / get_product; no row twice; every
// model row that matches the filters is listed; the order does not depend on the page size.

// The ids of every page of `q` from the start (the engine's order), checking each page.
template <typename Page, typename Q>
std::vector<std::string> Sim::walk_pages(Q q, const Principal& by) {
  std::vector<std::string> ids;
  q.cursor.reset();
  for (int pages = 0;; ++pages) {
    SIM_EXPECT(pages <= 1'000, "list paging does not end");
    const Result& r = query(q, by);
    SIM_EXPECT(r.ok(), "list failed: " + describe(r.error));
    const Page page = std::get<Page>(r.body);  // a copy: the checks below query again
    if constexpr (std::is_same_v<Page, CustomerList>) {
      SIM_EXPECT(page.customers.size() <= q.limit, "a page longer than its limit");
      for (const CustomerRow& row : page.customers) {
        ids.emplace_back(row.customer.view());
        const auto v = customer_view(row.customer.view());
        SIM_EXPECT(v.has_value(), "listed a customer get_customer does not know: " + ids.back());
        SIM_EXPECT(row.name == v->name && row.grade == v->grade &&
                       row.credit_limit == v->credit_limit && row.terms_days == v->terms_days &&
                       row.status == v->status && row.exposure == v->exposure.total &&
                       row.available == v->available,
                   "list row differs from get_customer for " + ids.back());
        SIM_EXPECT((!q.status || row.status == *q.status) && (!q.grade || row.grade == *q.grade) &&
                       (!q.prefix || ids.back().starts_with(q.prefix->view())),
                   "listed a customer the filters exclude: " + ids.back());
      }
    } else {
      SIM_EXPECT(page.products.size() <= q.limit, "a page longer than its limit");
      for (const ProductView& row : page.products) {
        ids.emplace_back(row.sku.view());
        const auto v = product_view(row.sku.view());
        SIM_EXPECT(v.has_value(), "listed a product get_product does not know: " + ids.back());
        SIM_EXPECT(row.price == v->price && row.floor_price == v->floor_price &&
                       row.on_hand == v->on_hand && row.reserved == v->reserved &&
                       row.available == v->available,
                   "list row differs from get_product for " + ids.back());
        SIM_EXPECT(!q.prefix || ids.back().starts_with(q.prefix->view()),
                   "listed a product the prefix excludes: " + ids.back());
      }
    }
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  SIM_EXPECT(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
             "a row listed twice");
  return ids;
}

// Receivables: reverse_payment and refund (valid, repeated, refused), then the receivables
// invariants for the customer: the statement adds up by entry kind, aging as_of today (from
// the history) equals aging now, and the open items sum to the receivables.
void Sim::do_receivables() {
  const int how = static_cast<int>(rng_.range(0, 99));
  std::string customer = pick_customer_any().id;
  if (how < 35 && !reusable_refs_.empty()) {
    const Key ref = rng_.pick(reusable_refs_);
    customer = payments_.at(std::string(ref.view())).customer;
    const bool repeat = rng_.percent(20);
    ReversePayment rp{ref, repeat ? "bounced" : "bounced " + std::to_string(rng_.range(0, 3)),
                      rng_.percent(30)};
    const auto before = customer_view(customer);
    cmd_ = Command{0, stamp(), finance_[static_cast<std::size_t>(rng_.range(0, 3))], rp};
    const Result& r = send(false);
    if (cmd_.by.level == 0) {
      SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN, "a level-0 reversal was not forbidden");
    } else if (r.ok()) {
      const auto* v = std::get_if<ReversalView>(&r.body);
      SIM_EXPECT(v != nullptr, "reverse_payment answered another type");
      if (!v->duplicate && before) {
        Money reopened = 0;
        for (const Application& a : v->reopened) reopened += a.amount;
        SIM_EXPECT(reopened + v->unapplied_taken == v->amount,
                   "a reversal did not take the whole payment back");
      }
    } else {
      SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE,
                 "reverse_payment failed with " + describe(r.error));
    }
  } else if (how < 60) {
    const auto before = customer_view(customer);
    const Money unapplied = before ? before->exposure.unapplied : 0;
    const bool above = rng_.percent(20);
    const Money amount = above ? unapplied + rng_.range(1, 1'000) : rng_.range(1, unapplied + 1);
    Refund rf{Key::of(customer), amount, fresh_key('F'), "overpaid"};
    cmd_ = Command{0, stamp(), finance_[static_cast<std::size_t>(rng_.range(0, 3))], rf};
    const Result& r = send(false);
    if (!before) {
      SIM_EXPECT(!r.ok(), "a refund to an unknown customer succeeded");
    } else if (cmd_.by.level == 0) {
      SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN, "a level-0 refund was not forbidden");
    } else if (amount > unapplied) {
      SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE, "a refund above unapplied: " +
                                                              describe(r.error));
    } else {
      SIM_EXPECT(r.ok(), "a refund within unapplied failed: " + describe(r.error));
      SIM_EXPECT(std::get<RefundView>(r.body).unapplied == unapplied - amount,
                 "a refund did not reduce unapplied by its amount");
    }
  } else {
    // An aging of a past day without a customer is refused.
    AgingQuery q;
    q.as_of = day_of(std::max(engine_now_, cmd_.at)) - static_cast<Day>(rng_.range(1, 400));
    SIM_EXPECT(query(q, admin_).error.code == ErrorCode::BAD_REQUEST,
               "a whole-book aging of a past day was not refused");
  }
  check_receivables(customer);
}

void Sim::check_receivables(std::string_view customer) {
  const auto v = customer_view(customer);
  if (!v) return;
  const Day today = day_of(std::max(engine_now_, cmd_.at));
  const Result& st = query(StatementQuery{Key::of(customer), today - 2'000, today, false}, admin_);
  SIM_EXPECT(st.ok(), "statement failed: " + describe(st.error));
  const StatementView& s = std::get<StatementView>(st.body);
  if (!s.truncated) {
    Money by_kind[static_cast<int>(EntryKind::recovery) + 1] = {};
    for (const StatementView::Entry& e : s.entries) by_kind[static_cast<int>(e.kind)] += e.amount;
    // invoices, reversals, refunds, recoveries
    const Money plus = by_kind[0] + by_kind[4] + by_kind[5] + by_kind[6];
    SIM_EXPECT(by_kind[0] >= 0 && by_kind[4] >= 0 && by_kind[5] >= 0 && by_kind[6] >= 0 &&
                   by_kind[1] <= 0 && by_kind[2] <= 0 && by_kind[3] <= 0,
               "a statement entry has the wrong sign for its kind");
    SIM_EXPECT(s.closing_balance ==
                   s.opening_balance + plus + by_kind[1] + by_kind[2] + by_kind[3],
               "statement closing != opening + invoices - payments + reversals - credit notes - "
               "write-offs + refunds + recoveries");
  }
  AgingQuery now_q;
  now_q.customer = Key::of(customer);
  const AgingBuckets live = std::get<AgingView>(query(now_q, admin_).body).buckets;
  AgingQuery hist_q = now_q;
  hist_q.as_of = today;
  const Result& hist = query(hist_q, admin_);
  SIM_EXPECT(hist.ok(), "aging as_of today failed: " + describe(hist.error));
  const AgingBuckets h = std::get<AgingView>(hist.body).buckets;
  SIM_EXPECT(h.current == live.current && h.d1_30 == live.d1_30 && h.d31_60 == live.d31_60 &&
                 h.d61_90 == live.d61_90 && h.d90_plus == live.d90_plus && h.total == live.total,
             "aging as_of today differs from aging now");
  Money open = 0;
  OpenItemsQuery oq;
  oq.customer = Key::of(customer);
  oq.limit = static_cast<uint32_t>(rng_.range(1, 5));
  for (int pages = 0;; ++pages) {
    SIM_EXPECT(pages <= 1'000, "open_items paging does not end");
    const Result& r = query(oq, admin_);
    SIM_EXPECT(r.ok(), "open_items failed: " + describe(r.error));
    const OpenItemsView& page = std::get<OpenItemsView>(r.body);
    for (const OpenItemRow& row : page.items) open += row.open;
    if (page.next_cursor.empty()) break;
    oq.cursor = page.next_cursor;
  }
  SIM_EXPECT(open == v->exposure.receivables, "open items do not sum to the receivables");
}

void Sim::do_list() {
  static const char* const kPrefixes[] = {"C", "C1", "C10", "N", "X", "P1", "Q", "ZZ", "none"};
  const Principal& by = rng_.percent(50) ? warehouse_ : rng_.pick(reps_);  // anyone may list
  const uint32_t limit = rng_.percent(20) ? kMaxPageLimit : static_cast<uint32_t>(rng_.range(1, 6));
  const std::optional<Key> prefix =
      rng_.percent(30)
          ? std::optional<Key>(Key::of(kPrefixes[static_cast<std::size_t>(rng_.range(0, 8))]))
          : std::nullopt;
  if (rng_.percent(5)) {  // a cursor from elsewhere
    ListCustomers q;
    q.cursor = Key::of(rng_.percent(50) ? "p1" : "c999999");
    const Result& r = query(q, by);
    SIM_EXPECT(r.error.code == ErrorCode::BAD_REQUEST && r.error.field == "cursor",
               "a foreign cursor: expected BAD_REQUEST cursor, got " + describe(r.error));
    return;
  }
  if (rng_.percent(60)) {
    ListCustomers q;
    q.limit = limit;
    q.prefix = prefix;
    if (rng_.percent(30)) q.status = static_cast<CustomerStatus>(rng_.range(0, 2));
    if (rng_.percent(30)) q.grade = static_cast<Grade>(rng_.range(0, 3));
    std::vector<std::string> ids = walk_pages<CustomerList>(q, by);
    q.limit = kMaxPageLimit;
    SIM_EXPECT(walk_pages<CustomerList>(q, by) == ids, "list order depends on the page size");
    std::size_t want = 0;
    for (const CustomerModel& m : customers_) {
      if (!m.known) continue;
      const auto v = customer_view(m.id);
      SIM_EXPECT(v.has_value(), "a created customer is unknown: " + m.id);
      want += (!q.status || v->status == *q.status) && (!q.grade || v->grade == *q.grade) &&
              (!q.prefix || m.id.starts_with(q.prefix->view()));
    }
    SIM_EXPECT(ids.size() == want, "list_customers listed " + std::to_string(ids.size()) +
                                       " customers, the model has " + std::to_string(want));
  } else {
    ListProducts q;
    q.limit = limit;
    q.prefix = prefix;
    std::vector<std::string> ids = walk_pages<ProductList>(q, by);
    q.limit = kMaxPageLimit;
    SIM_EXPECT(walk_pages<ProductList>(q, by) == ids, "list order depends on the page size");
    std::size_t want = 0;
    for (const ProductModel& m : products_)
      want += m.known && (!q.prefix || m.id.starts_with(q.prefix->view()));
    SIM_EXPECT(ids.size() == want, "list_products listed " + std::to_string(ids.size()) +
                                       " products, the model has " + std::to_string(want));
  }
  ++kind_ok_[kind_];
  // A read changes nothing; the invariants are checked after it like after every command.
  const std::string problem = a_.check_invariants(/*full=*/false);
  if (!problem.empty()) fail("invariant violated after a list: " + problem);
}

// ---------------------------------------------------------------------------------------------
// amend_order: a new version of a live order (or of any order, for the refusals), by its
// submitter mostly. The answer is checked against the order before and after: a taken version
// is the order now, stock and (credit) exposure moved by the difference of the unshipped rests;
// a refused one left everything as it was; a repeated amendment_id changed nothing.
void Sim::do_amend() {
  const bool repeat = !amendment_ids_.empty() && rng_.percent(10);
  OrderNo n = repeat ? 0 : pick_live_order();
  Key id = fresh_key('A');
  if (repeat) std::tie(n, id) = rng_.pick(amendment_ids_);
  const auto before = order_view(n);
  const int who = static_cast<int>(rng_.range(0, 99));
  Principal by = admin_;
  if (before && who < 80)
    by = rep_for(before->submitted_by.view());
  else if (who < 90)
    by = reps_[static_cast<std::size_t>(rng_.range(0, 3))];
  AmendOrder a;
  a.order_no = n;
  a.amendment_id = id;
  const int what = static_cast<int>(rng_.range(0, 99));
  if (what < 45 || !before) {
    a.lines = random_order(false).lines;
  } else if (what < 80) {  // the same skus, other quantities: mostly what the stock allows
    for (const LineView& l : before->lines)
      a.lines.push_back(LineRequest{l.sku, std::max<Qty>(1, l.qty + rng_.range(-3, 3)), {}});
  } else if (what < 90) {
    a.ship_by = day_of(clock_) + static_cast<Day>(rng_.range(-3, 20));
  } else {
    a.ref = numbered("rev ", static_cast<int64_t>(rng_.range(1, 9)));
  }
  std::map<std::string, Qty> reserved_before;
  std::optional<CustomerView> cust_before;
  auto skus_of = [](const LineViews& lines, const LineRequests& more) {
    std::vector<std::string> out;
    for (const LineView& l : lines) out.emplace_back(l.sku.view());
    for (const LineRequest& l : more) out.emplace_back(l.sku.view());
    return out;
  };
  if (before) {
    for (const std::string& sku : skus_of(before->lines, a.lines))
      if (auto v = product_view(sku)) reserved_before[sku] = v->reserved;
    cust_before = customer_view(before->customer.view());
  }
  cmd_ = Command{0, stamp(), by, a};
  const Result& r = send(false);
  if (!before) {
    SIM_EXPECT(r.error.code == ErrorCode::NOT_FOUND, "amended an order that does not exist");
    return;
  }
  const bool allowed =
      (by.roles & kRoleAdmin) || ((by.roles & kRoleOrder) && by.name == before->submitted_by);
  if (!allowed) {
    SIM_EXPECT(r.error.code == ErrorCode::FORBIDDEN,
               "someone else's order: expected FORBIDDEN, got " + describe(r.error));
    return;
  }
  if (repeat) {
    SIM_EXPECT(r.ok() && std::get<AmendView>(r.body).duplicate,
               "a repeated amendment_id was not answered as a duplicate: " + describe(r.error));
    const auto after = order_view(n);
    SIM_EXPECT(after && after->lines.size() == before->lines.size() &&
                   after->total == before->total && after->status == before->status,
               "a repeated amendment_id changed the order");
    return;
  }
  const bool open =
      before->status == OrderStatus::accepted || before->status == OrderStatus::held;
  if (!open) {
    SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE,
               "amended an order that is " + std::string(to_string(before->status)));
    forget_order(n);
    return;
  }
  if (before->payment == PaymentTerms::deposit) {
    // A deposit order is never amended (docs/rules.md, "Deposits").
    SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE,
               "amended a deposit order: " + (r.ok() ? std::string("ok") : describe(r.error)));
    return;
  }
  if (!r.ok()) {
    // Legal refusals of an open order: shipped units the new lines drop or reprice.
    SIM_EXPECT(r.error.code == ErrorCode::INVALID_STATE && r.error.field.starts_with("lines"),
               "amending an open order failed: " + describe(r.error));
    return;
  }
  const AmendView v = std::get<AmendView>(r.body);
  if (amendment_ids_.size() >= 256)
    amendment_ids_[static_cast<std::size_t>(rng_.range(0, 255))] = {n, id};
  else
    amendment_ids_.emplace_back(n, id);
  SIM_EXPECT(v.amended == (v.decision != OrderStatus::rejected) && !v.duplicate,
             "amended does not follow from the decision");
  bool rejecting = false;
  for (const ReasonView& reason : v.reasons) rejecting |= rejects(reason.code);
  SIM_EXPECT(rejecting == !v.amended, "the decision does not follow from the reasons");
  const auto after = order_view(n);
  SIM_EXPECT(after.has_value(), "the amended order is gone");
  auto unshipped = [](const LineViews& lines, std::string_view sku) {
    Qty q = 0;
    for (const LineView& l : lines) q += l.sku.view() == sku ? l.qty - l.shipped : 0;
    return q;
  };
  auto open_value = [](const OrderView& o) {
    Money m = 0;
    for (const LineView& l : o.lines) m += (l.qty - l.shipped) * l.unit_price;
    return o.status == OrderStatus::held || o.status == OrderStatus::accepted ? m : 0;
  };
  if (!v.amended) {
    SIM_EXPECT(after->total == before->total && after->lines.size() == before->lines.size() &&
                   after->status == before->status && after->version == before->version,
               "a refused amendment changed the order: " + describe(*after));
  } else {
    SIM_EXPECT(after->version == before->version + 1, "the version did not count");
    Money total = 0;
    for (const LineView& l : after->lines) total += l.amount;
    SIM_EXPECT(after->total == total && v.total == total, "the new total is not its lines'");
    if (!a.lines.empty()) {
      SIM_EXPECT(after->lines.size() == a.lines.size(), "the order does not have the new lines");
      for (std::size_t i = 0; i < a.lines.size(); ++i)
        SIM_EXPECT(after->lines[i].sku == a.lines[i].sku && after->lines[i].qty == a.lines[i].qty,
                   "line " + std::to_string(i) + " is not the one asked for");
    }
    if (after->status == OrderStatus::accepted) remember_accepted(n);
    if (after->status == OrderStatus::shipped) forget_order(n);
  }
  // Stock moved by the difference of the unshipped rests, per product.
  for (const auto& [sku, was] : reserved_before) {
    const auto p = product_view(sku);
    const Qty now_open = v.amended && (after->status == OrderStatus::held ||
                                       after->status == OrderStatus::accepted)
                             ? unshipped(after->lines, sku)
                             : v.amended ? 0 : unshipped(before->lines, sku);
    SIM_EXPECT(p && p->reserved - was == now_open - unshipped(before->lines, sku),
               "amending moved the reservation of " + sku + " wrongly");
  }
  if (before->payment == PaymentTerms::credit && cust_before) {
    const auto c = customer_view(before->customer.view());
    SIM_EXPECT(c && c->exposure.total - cust_before->exposure.total ==
                        open_value(*after) - open_value(*before),
               "amending moved the exposure by other than the difference");
  }
  if (before->payment == PaymentTerms::cod && cust_before) {  // cash on delivery: no exposure
    const auto c = customer_view(before->customer.view());
    SIM_EXPECT(c && c->exposure.total == cust_before->exposure.total,
               "amending a cash-on-delivery order moved the exposure");
  }
}

// list_orders: every page of a random filter; each row agrees with get_order and the filters,
// rows come in order_no order once each, whatever the page size, and the customer and
// submitter indexes list what a walk of every order filtered by hand lists.
void Sim::do_list_orders() {
  const Principal& by = rng_.percent(50) ? warehouse_ : rng_.pick(reps_);
  if (rng_.percent(5)) {  // refusals: a foreign cursor, a status that is none
    ListOrders q;
    const bool cursor = rng_.percent(50);
    if (cursor)
      q.cursor = Key::of("c1");
    else
      q.status = "held,open";
    const Result& r = query(q, by);
    SIM_EXPECT(r.error.code == ErrorCode::BAD_REQUEST &&
                   r.error.field == (cursor ? "cursor" : "status"),
               "a bad list_orders was not refused: " + describe(r.error));
    return;
  }
  static const char* const kStatuses[] = {"held", "accepted", "held,accepted", "shipped",
                                          "cancelled,expired,rejected"};
  ListOrders q;
  q.limit = rng_.percent(20) ? kMaxPageLimit : static_cast<uint32_t>(rng_.range(1, 8));
  if (rng_.percent(40)) q.customer = Key::of(customers_[static_cast<std::size_t>(rng_.range(0, 19))].id);
  if (rng_.percent(20)) q.submitted_by = rng_.pick(reps_).name;
  if (rng_.percent(30)) q.status = kStatuses[static_cast<std::size_t>(rng_.range(0, 4))];
  // Without a customer or submitter, a recent window keeps the walk (get_order per row) short.
  if (rng_.percent(15) || (!q.customer && !q.submitted_by))
    q.from = day_of(clock_) - static_cast<Day>(rng_.range(0, 5));
  if (rng_.percent(15)) q.to = day_of(clock_) - static_cast<Day>(rng_.range(0, 3));
  if (q.from && q.to && *q.from > *q.to) std::swap(*q.from, *q.to);
  if (rng_.percent(15)) q.ship_by_before = day_of(clock_) + static_cast<Day>(rng_.range(-2, 10));
  if (rng_.percent(15)) q.late = rng_.percent(50);
  const Day today = day_of(std::max(engine_now_, clock_));
  auto walk = [&](ListOrders lq, bool check_rows) {
    std::vector<OrderNo> nos;
    for (int pages = 0;; ++pages) {
      SIM_EXPECT(pages <= 1'000'000, "list_orders paging does not end");
      const Result& r = query(lq, by);
      if (lq.customer && r.error.code == ErrorCode::NOT_FOUND) return nos;  // never named yet
      SIM_EXPECT(r.ok(), "list_orders failed: " + describe(r.error));
      const OrderList page = std::get<OrderList>(r.body);
      SIM_EXPECT(page.orders.size() <= lq.limit, "a page longer than its limit");
      for (const OrderRow& row : page.orders) {
        SIM_EXPECT(nos.empty() || nos.back() < row.order_no, "rows not in order_no order");
        nos.push_back(row.order_no);
        if (!check_rows) continue;
        const auto o = order_view(row.order_no);
        SIM_EXPECT(o && o->status == row.status && o->total == row.total &&
                       o->customer == row.customer && o->submitted_by == row.submitted_by &&
                       o->ship_by == row.ship_by && o->at == row.submitted_at,
                   "a list_orders row differs from get_order: " + std::to_string(row.order_no));
        Money shipped = 0;
        for (const LineView& l : o->lines) shipped += l.shipped * l.unit_price;
        // An archived order has no lines left: what shipped is then known from the row only,
        // within the total (and the whole of it when the order shipped in full).
        if (o->archived)
          shipped = o->status == OrderStatus::shipped ? o->total
                                                      : std::clamp<Money>(row.shipped_value, 0, o->total);
        const bool open = o->status == OrderStatus::held || o->status == OrderStatus::accepted;
        const bool late = open && o->ship_by && today > *o->ship_by;
        SIM_EXPECT(row.shipped_value == shipped && row.unshipped_value == o->total - shipped &&
                       row.late == late,
                   "a list_orders row's values are wrong: " + std::to_string(row.order_no));
        SIM_EXPECT((!lq.customer || row.customer == *lq.customer) &&
                       (!lq.submitted_by || row.submitted_by == *lq.submitted_by) &&
                       (!lq.ship_by_before || (row.ship_by && *row.ship_by < *lq.ship_by_before)) &&
                       (!lq.late || row.late == *lq.late) &&
                       (!lq.from || day_of(row.submitted_at) >= *lq.from) &&
                       (!lq.to || day_of(row.submitted_at) <= *lq.to) &&
                       (!lq.status || lq.status->find(to_string(row.status)) != std::string::npos),
                   "listed an order the filters exclude: " + std::to_string(row.order_no));
      }
      if (page.next_cursor.empty()) break;
      lq.cursor = page.next_cursor;
    }
    return nos;
  };
  const std::vector<OrderNo> nos = walk(q, true);
  ListOrders big = q;
  big.limit = kMaxPageLimit;
  SIM_EXPECT(walk(big, false) == nos, "list_orders depends on the page size");
  if (q.customer || q.submitted_by) {
    // The indexes against a walk of every order, filtered by hand.
    ListOrders all = big;
    all.customer.reset();
    all.submitted_by.reset();
    std::vector<OrderNo> want;
    for (ListOrders lq = all;;) {
      const Result& r = query(lq, by);
      SIM_EXPECT(r.ok(), "list_orders failed: " + describe(r.error));
      const OrderList page = std::get<OrderList>(r.body);
      for (const OrderRow& row : page.orders)
        if ((!q.customer || row.customer == *q.customer) &&
            (!q.submitted_by || row.submitted_by == *q.submitted_by))
          want.push_back(row.order_no);
      if (page.next_cursor.empty()) break;
      lq.cursor = page.next_cursor;
    }
    SIM_EXPECT(want == nos, "the customer/submitter index lists other orders than a full walk");
  }
  ++kind_ok_[kind_];
}

// ---------------------------------------------------------------------------------------------
void Sim::checkpoint(bool final) {
  const std::string problem = a_.check_invariants(/*full=*/true);
  if (!problem.empty()) fail("invariant violated (full check): " + problem);
  if (!final) return;
  // The replay: the replica, fed only the successful commands, must be identical (compared as
  // snapshot images: the same cost as two state_hash, and a diff is possible).
  std::string image, replica_image;
  a_.save(image);
  replica_.save(replica_image);
  if (image != replica_image)
    fail(
        "the replica, fed the same successful commands, has another state: a failed command "
        "changed state or apply is not deterministic (rerun with CREDO_HASH_EVERY=1)");
  // Recovery from the snapshot image: load it into a fresh Engine, which must have the same
  // state_hash, pass the full invariants, and save the same image again.
  Engine loaded;
  std::string error;
  if (!loaded.load(image, &error)) fail("load() of a saved image failed: " + error);
  if (loaded.state_hash() != a_.state_hash()) fail("save/load changed the state_hash");
  const std::string p2 = loaded.check_invariants(/*full=*/true);
  if (!p2.empty()) fail("invariant violated after load: " + p2);
  std::string image2;
  loaded.save(image2);
  if (image2 != image) fail("save(load(image)) differs from image");
}

void Sim::run() {
  setup();
  std::fill(std::begin(kind_ok_), std::end(kind_ok_), 0);
  for (step_ = 0; step_ < steps_; ++step_) {
    one_step();
    if ((step_ + 1) % kCheckpointSteps == 0 && step_ + 1 < steps_) checkpoint(false);
  }
  step_ = steps_ - 1;
  checkpoint(true);
}

std::string Sim::stats() const {
  std::ostringstream s;
  const EngineCounts c = a_.counts();
  s << "sim stats: " << steps_ << " steps, seed " << seed_ << "\n  engine: " << c.customers
    << " customers, " << c.products << " products, " << c.orders << " orders, " << c.invoices
    << " invoices, " << c.payments << " payments, " << c.commands_applied
    << " commands applied, now " << format_time(c.now) << "\n  ops (sent/ok):";
  for (int k = 0; k < kKindCount; ++k)
    s << " " << kKindNames[k] << " " << kind_count_[k] << "/" << kind_ok_[k];
  s << "\n  decisions:";
  for (int i = 0; i < 6; ++i) s << " " << to_string(OrderStatus(i)) << " " << status_count_[i];
  s << " duplicates " << duplicates_ << "\n  reasons:";
  for (int i = 0; i < kReasonCount; ++i)
    s << " " << to_string(Reason(i)) << " " << reason_count_[i];
  s << "\n  agreements " << agreements_.size() << ", agreement-priced lines "
    << agreement_priced_lines_;
  s << "\n  invariant checks " << invariant_checks_ << ", failed commands " << failures_
    << " (FORBIDDEN " << forbidden_ << "), no-op hash checks " << hash_checks_ << ", held expired "
    << held_expired_ << ", accepted expired " << accepted_expired_ << ", archived " << archived_
    << ", suspended " << suspended_
    << ", reactivated " << reactivated_;
  return s.str();
}

TEST(RandomSim, EngineKeepsInvariantsAndReplaysIdentically) {
  uint64_t seed = kDefaultSeed;
  if (const char* v = std::getenv("CREDO_SEED"); v != nullptr && *v != '\0') {
    seed = std::strtoull(v, nullptr, 0);
  } else if (std::getenv("CI") == nullptr && std::getenv("CREDO_RANDOM_SEED") != nullptr) {
    seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  const uint64_t steps = env_u64("CREDO_STEPS", kDefaultSteps);
  const uint64_t hash_every = env_u64("CREDO_HASH_EVERY", 8'192);
  const uint64_t check_every = env_u64("CREDO_CHECK_EVERY", 1);
  std::printf("credo sim: CREDO_SEED=%llu CREDO_STEPS=%llu\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(steps));
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  // CREDO_SKIP_EPOCHS=n starts at epoch n (epochs are independent worlds), to replay a late
  // failure quickly.
  const uint64_t skip = env_u64("CREDO_SKIP_EPOCHS", 0);
  for (uint64_t first = skip * kEpochSteps, epoch = skip; first < steps;
       first += kEpochSteps, ++epoch) {
    Rng epoch_rng(seed + epoch);
    Sim sim(seed, epoch_rng.next(), first, std::min(kEpochSteps, steps - first), hash_every,
            check_every);
    try {
      sim.run();
    } catch (const SimFailure& f) {
      std::printf("epoch %llu: %s\n", static_cast<unsigned long long>(epoch), sim.stats().c_str());
      FAIL() << f.what;
    }
    std::printf("epoch %llu: %s\n", static_cast<unsigned long long>(epoch), sim.stats().c_str());
  }
  std::printf("credo sim: %llu steps in %.1f s\n", static_cast<unsigned long long>(steps),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (!::testing::Test::HasFailure() && check_every == 1) {
    test::record_fault("Engine",
                       "random command sequences: every op, valid and invalid, over a small world",
                       std::to_string(steps) +
                           " commands from a printed seed: invariants held after every one; replay "
                           "into a second engine byte-identical; save/load round trip equal");
  }
}

}  // namespace
}  // namespace credo::sim

namespace credo::sim {
namespace {

// ---------------------------------------------------------------------------------------------
// Contract prices: upsert (new, changed, repeated, refused), end, and the list checked against
// the model. do_submit prices every line from the model's agreements, so an agreement-priced
// line that is not at the agreement's price fails there.
void Sim::do_pricing() {
  const int what = static_cast<int>(rng_.range(0, 99));
  const TimeMs at = stamp();
  const Day today = day_of(std::max(engine_now_, at));
  auto pick_by = [&]() -> const Principal& {
    const int w = static_cast<int>(rng_.range(0, 99));
    if (w < 10) return reps_[static_cast<std::size_t>(rng_.range(0, 1))];  // too low
    if (w < 15) return finance_[3];                                          // wrong role
    if (w < 70) return reps_[static_cast<std::size_t>(rng_.range(2, 3))];
    return admin_;
  };
  auto allowed = [](const Principal& by) {
    return (by.roles & kRoleAdmin) || ((by.roles & kRoleOrder) && by.level >= 2);
  };
  if (what < 20 && !agreements_.empty()) {
    auto it = agreements_.begin();
    std::advance(it, rng_.range(0, static_cast<int64_t>(agreements_.size()) - 1));
    const std::string ref = rng_.percent(10) ? std::string("GX-none") : it->first;
    const Principal& by = pick_by();
    const Principal who = by;  // send() may reuse nothing of it, but keep a copy
    cmd_ = Command{0, at, who, EndPriceAgreement{Key::of(ref), "renegotiated"}};
    const Result& r = send(false);
    const auto m = agreements_.find(ref);
    const ErrorCode want = !allowed(who)              ? ErrorCode::FORBIDDEN
                           : m == agreements_.end()   ? ErrorCode::NOT_FOUND
                           : m->second.ended          ? ErrorCode::INVALID_STATE
                                                      : ErrorCode::OK;
    SIM_EXPECT(r.error.code == want, std::string("end_price_agreement: expected ") +
                                         to_string(want) + ", got " + describe(r.error));
    if (want == ErrorCode::OK) m->second.ended = true;
    return;
  }
  if (what < 35) {
    // The list, for one customer (or one pair), page by page, against the model.
    const CustomerModel& c = customers_[static_cast<std::size_t>(pick_known_customer())];
    ListPriceAgreements q;
    q.customer = Key::of(c.id);
    const bool pair = rng_.percent(50);
    const ProductModel& prod = pick_product_any();
    if (pair) q.sku = Key::of(prod.id);
    q.limit = static_cast<uint32_t>(rng_.range(1, 4));
    std::vector<std::string> got;
    for (int pages = 0;; ++pages) {
      SIM_EXPECT(pages <= 1'000, "list_price_agreements paging does not end");
      const Result& r = query(q, reps_[0]);
      SIM_EXPECT(r.ok(), "list_price_agreements failed: " + describe(r.error));
      const PriceAgreementList page = std::get<PriceAgreementList>(r.body);
      SIM_EXPECT(page.agreements.size() <= q.limit, "a page longer than its limit");
      for (const PriceAgreementView& v : page.agreements) {
        got.emplace_back(v.agreement_ref.view());
        const auto m = agreements_.find(got.back());
        SIM_EXPECT(m != agreements_.end() && m->second.customer == v.customer.view() &&
                       m->second.sku == v.sku.view() && m->second.price == v.unit_price &&
                       m->second.from == v.from && m->second.to == v.to &&
                       m->second.ended == (std::string_view(v.status) == "ended"),
                   "a listed agreement differs from the model: " + got.back());
      }
      if (page.next_cursor.empty()) break;
      q.cursor = page.next_cursor;
    }
    std::size_t want = 0;
    for (const auto& [ref, a] : agreements_)
      want += a.customer == c.id && (!pair || a.sku == prod.id);
    SIM_EXPECT(got.size() == want, "list_price_agreements listed " + std::to_string(got.size()) +
                                       " agreements, the model has " + std::to_string(want));
    return;
  }
  // upsert: a fresh agreement, or a change (or repeat) of a known one.
  std::string ref;
  std::string customer, sku;
  Money price = 0;
  Day from = today + static_cast<Day>(rng_.range(-5, 10));
  Day to = from + static_cast<Day>(rng_.range(-2, 40));
  const bool reuse = !agreements_.empty() && rng_.percent(35);
  if (reuse) {
    auto it = agreements_.begin();
    std::advance(it, rng_.range(0, static_cast<int64_t>(agreements_.size()) - 1));
    ref = it->first;
    customer = it->second.customer;
    sku = it->second.sku;
    price = it->second.price;
    if (rng_.percent(30)) {  // the same values again: a duplicate
      from = it->second.from;
      to = it->second.to;
    }
    if (rng_.percent(5)) customer = customers_[static_cast<std::size_t>(pick_known_customer())].id;
  } else {
    ref = std::string(fresh_key('G').view());
    customer = customers_[static_cast<std::size_t>(pick_known_customer())].id;
    sku = pick_product_any().id;
  }
  const std::optional<ProductView> p = product_view(sku);
  if (!reuse || rng_.percent(50)) {
    const Money list = p ? p->price : 1000;
    price = list * rng_.range(50, 105) / 100;
  }
  const Principal who = pick_by();
  cmd_ = Command{0, at, who,
                 UpsertPriceAgreement{Key::of(ref), Key::of(customer), Key::of(sku), price, from,
                                      to}};
  const Result& r = send(false);
  const auto m = agreements_.find(ref);
  bool overlaps = false;
  for (const auto& [other_ref, b] : agreements_)
    overlaps |= other_ref != ref && !b.ended && b.customer == customer && b.sku == sku &&
                from <= b.to && b.from <= to;
  const bool same = m != agreements_.end() && m->second.price == price &&
                    m->second.from == from && m->second.to == to;
  const ErrorCode want =
      !allowed(who)                                   ? ErrorCode::FORBIDDEN
      : !p                                            ? ErrorCode::NOT_FOUND
      : from > to || to < today || price < p->floor_price ? ErrorCode::BAD_REQUEST
      : m != agreements_.end() && (m->second.customer != customer || m->second.sku != sku)
          ? ErrorCode::DUPLICATE
      : m != agreements_.end() && m->second.ended ? ErrorCode::INVALID_STATE
      : same                                      ? ErrorCode::OK
      : overlaps                                  ? ErrorCode::INVALID_STATE
                                                  : ErrorCode::OK;
  SIM_EXPECT(r.error.code == want, std::string("upsert_price_agreement: expected ") +
                                       to_string(want) + ", got " + describe(r.error));
  if (want != ErrorCode::OK) return;
  const PriceAgreementView& v = std::get<PriceAgreementView>(r.body);
  SIM_EXPECT(v.duplicate == same, "upsert_price_agreement: duplicate is not a repeat");
  AgreementModel& a = agreements_[ref];
  a.customer = customer;
  a.sku = sku;
  a.price = price;
  a.from = from;
  a.to = to;
}

}  // namespace
}  // namespace credo::sim
