// The op table: every op credo speaks, declared once (Redis's command table, TigerBeetle's
// Operation enum). One OpDecl<Body> specialization per op says its wire name, what kind of body
// it has, its WAL kind, who may send it, and its HTTP route; engine/fields.h says the body's
// fields. Everything that must list the ops derives from here:
//
//   net/request_parser.cc    finds the op BY NAME (find_op), emplaces its body, then matches each
//                            JSON key by name against FieldsOf<Body> (engine/fields.h).
//   net/response_writer.cc  asks the op's id, not its spelling, which shape of answer to write.
//   net/session.cc, stats    kOpCount sizes the per-op latency table and kOps[i].name labels it;
//                            `access` says whether the op needs hello first; server ops are
//                            authorized there through engine/authority.h.
//   engine/engine.cc         every command asks authorize() (engine/authority.h), which reads
//                            `access`, `role` and `min_level` from this table; a body without a
//                            handler declared in engine/handlers.h does not compile
//                            (Engine::apply visits CommandBody with overloads, no fallback).
//   persistence/             OpDecl<Body>::wal_kind is the stable number on disk; CommandKind
//     command_codec.*        and kind_name() must agree with it (static_assert there). Next
//                            (issue 11 item 4): encode/decode walk FieldsOf<Body> too.
//   tools/wal, tools/cli     op names for dumps and help text (kOps[i].name).
//
// Adding an op: a body struct (engine/command.h, or below for server ops) + its FieldsOf list,
// an OpDecl line here, a handler in engine/, its result view if new, its docs. The static
// asserts at the bottom refuse a duplicate name or WAL kind, a journaled query, a command
// without a WAL kind, and a body without a declaration.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <variant>

#include "engine/command.h"
#include "engine/fields.h"

namespace credo {

// ---- server-handled ops: the network layer answers these itself (never journaled) -------------
struct Hello {  // authenticate the connection
  std::string key;
};
struct Ping {};
struct Stats {};
struct Snapshot {};  // write a snapshot now (admin)
struct SetClock {    // set the server's business clock (admin; tests and demos)
  TimeMs now = 0;
};
struct StateHash {};  // the engine's state hash at its last applied seq (admin)
struct StepDown {};   // a replicated primary gives up its lease to a standby (admin)
struct Metrics {};    // the Prometheus text exposition (net/metrics.h), for TCP-only deployments
struct Whoami {};     // the connection's principal, roles and level (hello's answer, again)
using ServerBody =
    std::variant<Hello, Ping, Stats, Snapshot, SetClock, StateHash, StepDown, Metrics, Whoami>;

namespace fields {
template <>
struct FieldsOf<Hello> {
  static constexpr auto list = std::tuple{field("key", &Hello::key, TextKind{}, kRequired)};
};
template <>
struct FieldsOf<SetClock> {
  static constexpr auto list = std::tuple{field("now", &SetClock::now, TimeKind{}, kRequired)};
};
template <>
struct FieldsOf<Ping> {
  static constexpr auto list = std::tuple{};
};
template <>
struct FieldsOf<Stats> {
  static constexpr auto list = std::tuple{};
};
template <>
struct FieldsOf<Snapshot> {
  static constexpr auto list = std::tuple{};
};
template <>
struct FieldsOf<StateHash> {
  static constexpr auto list = std::tuple{};
};
template <>
struct FieldsOf<StepDown> {
  static constexpr auto list = std::tuple{};
};
template <>
struct FieldsOf<Metrics> {
  static constexpr auto list = std::tuple{};
};
template <>
struct FieldsOf<Whoami> {
  static constexpr auto list = std::tuple{};
};
}  // namespace fields

// ---- what an op declaration says ----------------------------------------------------------------
enum class OpClass : uint8_t {
  command,  // CommandBody: changes state, journaled, Engine::apply
  query,    // QueryBody: reads, never journaled, Engine::query
  server,   // ServerBody: answered by net/ itself
};

// Who may send an op. admin may always; see engine/authority.h for the one function that
// decides.
enum class Access : uint8_t {
  open,           // before hello too (hello, ping)
  authenticated,  // any principal that said hello
  role,           // a principal with `role`
  own_order,      // the principal who submitted the order (holding `role`), or admin
  approver,       // a principal with the order or the credit role (or admin); what each reason
                  // needs (role, level) and four eyes are decided with the order's facts
};

struct OpInfo {
  std::string_view name;  // the wire name, "submit_order"
  OpClass cls;
  uint8_t wal_kind;  // persistence CommandKind: stable forever, never reused; 0 = not journaled
  Access access;
  uint8_t role;                  // the Role bit(s) `access` refers to, any one will do (0: none)
  uint8_t min_level;             // the approval level the op itself needs (0: none)
  std::string_view what;         // "a write-off": the op as a noun, for level messages
  std::string_view http_method;  // REST-ish route for the HTTP front end (a later issue);
  std::string_view http_path;    // {field} segments name body fields. Empty: not routed.
  constexpr bool journaled() const { return wal_kind != 0; }
};

// OpDecl<Body>::info: the declaration of the op whose body is `Body`. Not defined for a
// type that is not an op body, so forgetting a declaration is a compile error.
template <typename Body>
struct OpDecl;

// One line per op; the macro only spells the specialization and the enum scopes.
#define CREDO_OP(Body, name, cls, wal_kind, access, role, level, what, method, path)        \
  template <>                                                                               \
  struct OpDecl<Body> {                                                                     \
    static constexpr OpInfo info{name, OpClass::cls, wal_kind, Access::access, role, level, \
                                 what, method,       path};                                 \
  }

// clang-format off
//       body               name                   class    wal access         role            level what           http
CREDO_OP(UpsertCustomer,    "upsert_customer",     command,  1, role,          kRoleCredit,    0, "", "PUT",  "/customers/{customer}");
CREDO_OP(SetCredit,         "set_credit",          command,  2, role,          kRoleCredit,    0, "", "POST", "/customers/{customer}/credit");
CREDO_OP(SetCustomerStatus, "set_customer_status", command,  3, role,          kRoleCredit,    0, "", "POST", "/customers/{customer}/status");
CREDO_OP(UpsertProduct,     "upsert_product",      command,  4, role,          kRoleAdmin,     0, "", "PUT",  "/products/{sku}");
CREDO_OP(ReceiveStock,      "receive_stock",       command,  5, role,          kRoleWarehouse, 0, "", "POST", "/products/{sku}/receipts");
CREDO_OP(AdjustStock,       "adjust_stock",        command,  6, role,          kRoleWarehouse, 0, "", "POST", "/products/{sku}/adjustments");
CREDO_OP(SubmitOrder,       "submit_order",        command,  7, role,          kRoleOrder,     0, "", "POST", "/orders");
CREDO_OP(SubmitOrders,      "submit_orders",       command,  8, role,          kRoleOrder,     0, "", "POST", "/orders/batch");
CREDO_OP(CancelOrder,       "cancel_order",        command,  9, own_order,     kRoleOrder,     0, "", "POST", "/orders/{order_no}/cancel");
CREDO_OP(ReleaseOrder,      "release_order",       command, 10, approver,      0,              0, "", "POST", "/orders/{order_no}/release");
CREDO_OP(RejectOrder,       "reject_order",        command, 11, role,          kRoleCredit,    0, "", "POST", "/orders/{order_no}/reject");
CREDO_OP(Ship,              "ship",                command, 12, role,          kRoleWarehouse, 0, "", "POST", "/orders/{order_no}/shipments");
CREDO_OP(RecordPayment,     "record_payment",      command, 13, role,          kRoleFinance,   0, "", "POST", "/customers/{customer}/payments");
CREDO_OP(ReturnGoods,       "return_goods",        command, 14, role,          kRoleAdmin,     0, "", "POST", "/orders/{order_no}/returns");
CREDO_OP(WriteOff,          "write_off",           command, 15, role,          kRoleFinance,   2, "a write-off", "POST", "/invoices/{invoice_no}/write-off");
CREDO_OP(Tick,              "tick",                command, 16, role,          kRoleAdmin,     0, "", "POST", "/admin/tick");
CREDO_OP(SetPolicy,         "set_policy",          command, 17, role,          kRoleAdmin,     0, "", "PUT",  "/admin/policy");
CREDO_OP(ApproveOrder,      "approve_order",       command, 18, approver,      0,              0, "", "POST", "/orders/{order_no}/approvals");
CREDO_OP(ReleaseShipment,   "release_shipment",    command, 19, role,          kRoleCredit,    2, "a shipping release", "POST", "/orders/{order_no}/shipping-release");
CREDO_OP(AmendOrder,        "amend_order",         command, 28, own_order,     kRoleOrder,     0, "", "PATCH", "/orders/{order_no}");
CREDO_OP(ReversePayment,    "reverse_payment",     command, 29, role,          kRoleFinance,   1, "a payment reversal", "POST", "/payments/{payment_ref}/reversal");
CREDO_OP(Refund,            "refund",              command, 30, role,          kRoleFinance,   1, "a refund", "POST", "/customers/{customer}/refunds");
CREDO_OP(ApproveCredit,     "approve_credit",      command, 20, role,          kRoleCredit,    0, "", "POST", "/credit-proposals/{proposal_no}/approve");
CREDO_OP(RejectCredit,      "reject_credit",       command, 21, role,          kRoleCredit,    0, "", "POST", "/credit-proposals/{proposal_no}/reject");
CREDO_OP(ReviewCustomer,    "review_customer",     command, 22, role,          kRoleCredit,    0, "", "POST", "/customers/{customer}/reviews");
CREDO_OP(ProposeWriteOff,   "propose_write_off",   command, 23, role,          kRoleFinance,   0, "", "POST", "/invoices/{invoice_no}/write-off-proposals");
CREDO_OP(ApproveWriteOff,   "approve_write_off",   command, 24, role,          kRoleFinance,   2, "approving a write-off", "POST", "/write-offs/{write_off_no}/approve");
CREDO_OP(RequestReturn,     "request_return",      command, 25, role,          kRoleOrder | kRoleFinance, 0, "", "POST", "/orders/{order_no}/return-requests");
CREDO_OP(ApproveReturn,     "approve_return",      command, 26, role,          kRoleOrder,     1, "approving a return", "POST", "/returns/{return_no}/approve");
CREDO_OP(ReceiveReturn,     "receive_return",      command, 27, role,          kRoleWarehouse, 0, "", "POST", "/returns/{return_no}/receipts");
CREDO_OP(Quote,             "quote",               query,    0, role,          kRoleOrder,     0, "", "POST", "/orders/quote");
CREDO_OP(GetCustomer,       "get_customer",        query,    0, authenticated, 0,              0, "", "GET",  "/customers/{customer}");
CREDO_OP(GetProduct,        "get_product",         query,    0, authenticated, 0,              0, "", "GET",  "/products/{sku}");
CREDO_OP(GetOrder,          "get_order",           query,    0, authenticated, 0,              0, "", "GET",  "/orders/{order_no}");
CREDO_OP(ListHeld,          "list_held",           query,    0, authenticated, 0,              0, "", "GET",  "/held");
CREDO_OP(AgingQuery,        "aging",               query,    0, authenticated, 0,              0, "", "GET",  "/reports/aging");
CREDO_OP(StatementQuery,    "statement",           query,    0, authenticated, 0,              0, "", "GET",  "/customers/{customer}/statement");
CREDO_OP(DailyReportQuery,  "daily_report",        query,    0, authenticated, 0,              0, "", "GET",  "/reports/daily/{date}");
CREDO_OP(ListCustomers,     "list_customers",      query,    0, authenticated, 0,              0, "", "GET",  "/customers");
CREDO_OP(ListProducts,      "list_products",       query,    0, authenticated, 0,              0, "", "GET",  "/products");
CREDO_OP(ListOrders,        "list_orders",         query,    0, authenticated, 0,              0, "", "GET",  "/orders");
CREDO_OP(OpenItemsQuery,    "open_items",          query,    0, authenticated, 0,              0, "", "GET",  "/receivables/open-items");
CREDO_OP(GetCreditHistory,  "get_credit_history",  query,    0, authenticated, 0,              0, "", "GET",  "/customers/{customer}/credit-history");
CREDO_OP(ListReviewsDue,    "list_reviews_due",    query,    0, authenticated, 0,              0, "", "GET",  "/credit-reviews/due");
CREDO_OP(ListWriteOffs,     "list_write_offs",     query,    0, authenticated, 0,              0, "", "GET",  "/write-offs");
CREDO_OP(GetReturn,         "get_return",          query,    0, authenticated, 0,              0, "", "GET",  "/returns/{return_no}");
CREDO_OP(Hello,             "hello",               server,   0, open,          0,              0, "", "",     "");
CREDO_OP(Ping,              "ping",                server,   0, open,          0,              0, "", "GET",  "/ping");
CREDO_OP(Stats,             "stats",               server,   0, authenticated, 0,              0, "", "GET",  "/admin/stats");
CREDO_OP(Snapshot,          "snapshot",            server,   0, role,          kRoleAdmin,     0, "", "POST", "/admin/snapshot");
CREDO_OP(SetClock,          "set_clock",           server,   0, role,          kRoleAdmin,     0, "", "PUT",  "/admin/clock");
CREDO_OP(StateHash,         "state_hash",          server,   0, role,          kRoleAdmin,     0, "", "GET",  "/admin/state-hash");
CREDO_OP(UpsertPriceAgreement, "upsert_price_agreement", command, 31, role, kRoleOrder, 2, "a price agreement", "PUT", "/price-agreements/{agreement_ref}");
CREDO_OP(EndPriceAgreement, "end_price_agreement", command, 32, role,    kRoleOrder,     2, "ending a price agreement", "POST", "/price-agreements/{agreement_ref}/end");
CREDO_OP(ListPriceAgreements, "list_price_agreements", query, 0, authenticated, 0,       0, "", "GET",  "/price-agreements");
CREDO_OP(StepDown,          "step_down",           server,   0, role,          kRoleAdmin,     0, "", "POST", "/admin/step-down");
// Not routed: over HTTP the same text is GET /metrics (text/plain), outside the /v1 API.
CREDO_OP(Metrics,           "metrics",             server,   0, authenticated, 0,              0, "", "",     "");
// Extension: who the key is (the web console's sign-in, docs/console.md).
CREDO_OP(Whoami,            "whoami",              server,   0, authenticated, 0,              0, "", "GET",  "/whoami");
// clang-format on
#undef CREDO_OP

// ---- the table, derived
// --------------------------------------------------------------------------- OpId: an op's index
// in kOps. Commands come first in CommandBody's order (so a command's id is its variant index),
// then queries in QueryBody's order, then server ops in ServerBody's.
using OpId = uint8_t;

template <typename... Vs>
struct OpBodies;
template <typename... Cs, typename... Qs, typename... Ss>
struct OpBodies<std::variant<Cs...>, std::variant<Qs...>, std::variant<Ss...>> {
  static constexpr std::array<OpInfo, sizeof...(Cs) + sizeof...(Qs) + sizeof...(Ss)> table{
      OpDecl<Cs>::info..., OpDecl<Qs>::info..., OpDecl<Ss>::info...};
};
using AllOps = OpBodies<CommandBody, QueryBody, ServerBody>;

constexpr auto kOps = AllOps::table;
constexpr std::size_t kOpCount = kOps.size();
constexpr std::size_t kCommandOpCount = std::variant_size_v<CommandBody>;
constexpr std::size_t kQueryOpCount = std::variant_size_v<QueryBody>;

namespace ops_detail {
template <typename T, typename V>
struct IndexIn;
template <typename T, typename... Ts>
struct IndexIn<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    constexpr bool match[] = {std::is_same_v<T, Ts>..., false};
    for (std::size_t i = 0; i < sizeof...(Ts); ++i)
      if (match[i]) return i;
    return sizeof...(Ts);
  }();
  static constexpr bool found = value < sizeof...(Ts);
};
}  // namespace ops_detail

// The OpId of the op whose body is T.
template <typename T>
constexpr OpId op_id() {
  using namespace ops_detail;
  if constexpr (IndexIn<T, CommandBody>::found)
    return static_cast<OpId>(IndexIn<T, CommandBody>::value);
  else if constexpr (IndexIn<T, QueryBody>::found)
    return static_cast<OpId>(kCommandOpCount + IndexIn<T, QueryBody>::value);
  else {
    static_assert(IndexIn<T, ServerBody>::found, "not an op body");
    return static_cast<OpId>(kCommandOpCount + kQueryOpCount + IndexIn<T, ServerBody>::value);
  }
}
template <typename T>
constexpr const OpInfo& op_info() {
  return kOps[op_id<T>()];
}
inline OpId op_id_of(const CommandBody& b) {
  return static_cast<OpId>(b.index());
}
inline OpId op_id_of(const QueryBody& b) {
  return static_cast<OpId>(kCommandOpCount + b.index());
}

// The op named `name`, or -1. Linear over 33 short names (a few ns; the codec measures it).
constexpr int find_op(std::string_view name) {
  for (std::size_t i = 0; i < kOpCount; ++i)
    if (kOps[i].name == name) return static_cast<int>(i);
  return -1;
}

// The declared op whose name is nearest to `name` (edit distance, ignoring ASCII case), or -1
// when none is near enough to be a likely typo (distance over a third of the name, at least 2).
// For UNKNOWN_OP's message; error path only (allocates nothing, O(ops x len^2) on short names).
inline int closest_op(std::string_view name) {
  constexpr std::size_t kMaxLen = 32;  // longer names are not typos of ours
  if (name.empty() || name.size() > kMaxLen) return -1;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  int best = -1;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const std::string_view op = kOps[i].name;
    // Levenshtein distance with one rolling row.
    std::array<std::size_t, kMaxLen + 1> row{};
    for (std::size_t j = 0; j <= name.size(); ++j) row[j] = j;
    for (std::size_t a = 1; a <= op.size(); ++a) {
      std::size_t diag = row[0];
      row[0] = a;
      for (std::size_t j = 1; j <= name.size(); ++j) {
        const std::size_t up = row[j];
        const std::size_t cost = lower(op[a - 1]) == lower(name[j - 1]) ? 0 : 1;
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
        diag = up;
      }
    }
    if (row[name.size()] < best_distance) {
      best_distance = row[name.size()];
      best = static_cast<int>(i);
    }
  }
  return best;
}

// ---- checks: what a declaration must get right ------------------------------------------------
namespace ops_detail {
constexpr bool names_unique() {
  for (std::size_t i = 0; i < kOpCount; ++i)
    for (std::size_t j = i + 1; j < kOpCount; ++j)
      if (kOps[i].name == kOps[j].name) return false;
  return true;
}
constexpr bool wal_kinds_unique() {
  for (std::size_t i = 0; i < kOpCount; ++i)
    for (std::size_t j = i + 1; j < kOpCount; ++j)
      if (kOps[i].wal_kind != 0 && kOps[i].wal_kind == kOps[j].wal_kind) return false;
  return true;
}
constexpr bool journaled_iff_command() {
  for (const OpInfo& op : kOps)
    if (op.journaled() != (op.cls == OpClass::command)) return false;
  return true;
}
constexpr bool classes_in_order() {
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const OpClass want = i < kCommandOpCount                   ? OpClass::command
                         : i < kCommandOpCount + kQueryOpCount ? OpClass::query
                                                               : OpClass::server;
    if (kOps[i].cls != want) return false;
  }
  return true;
}
constexpr bool roles_declared() {
  for (const OpInfo& op : kOps) {
    const bool needs_role = op.access == Access::role || op.access == Access::own_order;
    if (needs_role != (op.role != 0)) return false;
    if (op.min_level > kMaxLevel || (op.min_level > 0 && op.what.empty())) return false;
  }
  return true;
}
}  // namespace ops_detail
static_assert(ops_detail::names_unique(), "two ops with one name");
static_assert(ops_detail::wal_kinds_unique(), "two ops with one WAL kind");
static_assert(ops_detail::journaled_iff_command(), "commands, and only commands, are journaled");
static_assert(ops_detail::classes_in_order(), "an op declared with the wrong class");
static_assert(ops_detail::roles_declared(), "access needs a role iff it is role/own_order");
static_assert(kOpCount < 64, "OpId and per-op tables assume few ops");

}  // namespace credo
