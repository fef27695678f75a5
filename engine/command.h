// Commands (state-changing, journaled) and queries (read-only, never journaled): plain data.
// Parsing from JSON and from the WAL happens at the edges; the engine only sees these structs.
// Every command carries its own business time and the principal who sent it, so applying the
// same sequence always gives the same state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/policy.h"
#include "engine/small_vec.h"
#include "engine/types.h"

namespace credo {

// Who sent a command: name (recorded in histories), roles (bit set of Role) and level.
struct Principal {
  Key name;
  uint8_t roles = 0;
  uint8_t level = 0;
};

// Bounds on every field (text length, lines, orders, ranges): engine/limits.h. Each struct's
// field list (wire names, kinds, ranges, required): engine/fields.h. Each op: engine/ops.h.

using OrderNo = uint64_t;
using InvoiceNo = uint64_t;

// ---- master data ----------------------------------------------------------------------------
struct UpsertCustomer {
  Key customer;
  std::optional<std::string> name;
  std::optional<Grade> grade;
  std::optional<Money> credit_limit;
  std::optional<int32_t> terms_days;
  std::optional<CustomerStatus> status;
};
struct SetCredit {
  Key customer;
  std::optional<Money> credit_limit;
  std::optional<Grade> grade;
  std::optional<int32_t> terms_days;
  std::string reason;
};
struct SetCustomerStatus {
  Key customer;
  CustomerStatus status = CustomerStatus::active;
  std::string reason;
};
struct UpsertProduct {
  Key sku;
  std::optional<std::string> name;
  std::optional<Money> price;  // required when the product is new
  std::optional<Money> floor_price;
  std::optional<Qty> on_hand;
};
struct ReceiveStock {
  Key sku;
  Qty qty = 0;
};
struct AdjustStock {
  Key sku;
  Qty on_hand = 0;
};

// ---- orders ---------------------------------------------------------------------------------
struct LineRequest {
  Key sku;
  Qty qty = 0;
  std::optional<Money> unit_price;  // absent: list price
};
// An order's lines: room for 4 in place, so that a request of up to 4 lines allocates nothing
// on its way from the parser through the engine (issue 12: no allocation per request); more
// lines spill to the heap as a std::vector would.
using LineRequests = SmallVec<LineRequest, 4>;
struct OrderRequest {
  Key customer;
  Key client_order_id;  // optional: empty means no idempotency key
  PaymentTerms payment = PaymentTerms::credit;
  std::optional<Day> ship_by;
  std::string ref;
  LineRequests lines;
  // payment "deposit": the deposit in percent of the total (1-100); absent: the policy's
  // deposit_pct for the customer's grade. Refused with any other payment.
  std::optional<int32_t> deposit_pct = std::nullopt;
};
// Moved, never copied, by the vectors and variants that carry it (engine/small_vec.h).
static_assert(std::is_nothrow_move_constructible_v<OrderRequest>);
struct SubmitOrder {
  OrderRequest order;
};
struct SubmitOrders {
  std::vector<OrderRequest> orders;
};
struct CancelOrder {
  OrderNo order_no = 0;
  std::string reason;
};
struct ReleaseOrder {
  OrderNo order_no = 0;
  std::string note;
};
struct RejectOrder {
  OrderNo order_no = 0;
  std::string reason;
};

// Approvals (engine/approvals.cc). A set of reason codes, bit i = Reason i.
using ReasonSet = uint32_t;
static_assert(kReasonCount <= 32, "ReasonSet holds one bit per reason");
constexpr ReasonSet reason_bit(Reason r) {
  return ReasonSet{1} << static_cast<unsigned>(r);
}
struct ApproveOrder {
  OrderNo order_no = 0;
  std::optional<ReasonSet> reasons;  // absent: every open reason the principal may approve
  std::string note;
};
// A one-time release to ship to a customer whose supply is stopped (blocked, on hold,
// overdue): the next ship of the order uses it.
struct ReleaseShipment {
  OrderNo order_no = 0;
  std::string note;
};

// ---- fulfilment and money -------------------------------------------------------------------
struct SkuQty {
  Key sku;
  Qty qty = 0;
};
struct Ship {
  OrderNo order_no = 0;
  std::vector<SkuQty> lines;  // empty: everything unshipped
};
struct RecordPayment {
  Key customer;
  Money amount = 0;
  Key payment_ref;
  // Money for this written-off invoice: booked as a recovery, not as the customer's credit.
  std::optional<InvoiceNo> recovery_of = std::nullopt;
  // Money for this deposit order's deposit (docs/rules.md, "Deposits"): set aside for it.
  std::optional<OrderNo> order_no = std::nullopt;
};
struct ReturnGoods {
  OrderNo order_no = 0;
  std::vector<SkuQty> lines;
  bool restock = false;
  std::string reason;
};
struct WriteOff {
  InvoiceNo invoice_no = 0;
  std::string reason;
};
// A payment that did not clear (a bounced cheque, a returned transfer): its applications are
// undone (engine/receivables.cc says what happens when its unapplied part was already used).
struct ReversePayment {
  Key payment_ref;
  std::string reason;
  bool suspend = false;  // true: the customer goes on_hold at once
};
// Pays unapplied balance back to the customer; never more than the unapplied balance.
struct Refund {
  Key customer;
  Money amount = 0;
  Key refund_ref;  // idempotency key
  std::string reason;
};

// ---- time and admin -------------------------------------------------------------------------
// Advances business time to the command's timestamp and runs everything time triggers: held
// orders past the hold time expire, accepted orders past order_ttl_days expire, and the
// overdue ladder suspends and reactivates customers.
struct Tick {};
struct SetPolicy {
  Policy policy;
};

// ---- orderbook: amending an order (engine/amend.cc) -------------------------------------------
// Changes the lines, ship_by or ref of a held or accepted order; the new version is decided
// again under the rules of submit_order. What is left out keeps its current value.
struct AmendOrder {
  OrderNo order_no = 0;
  Key amendment_id;                // idempotency key, per order: a repeat answers the same
  LineRequests lines;  // empty: keep the current lines (and their prices)
  std::optional<Day> ship_by;
  std::optional<std::string> ref;
};

// ---- credit data: proposals and reviews (engine/credit_data.cc) ----------------------------
using ProposalNo = uint64_t;
// Approves a pending credit-limit proposal (not the proposer's own; within the approver's
// credit_limit_max_minor).
struct ApproveCredit {
  ProposalNo proposal_no = 0;
  std::string note;
};
// Withdraws (the proposer) or rejects (another credit principal) a pending proposal.
struct RejectCredit {
  ProposalNo proposal_no = 0;
  std::string reason;
};
// Records a credit review, optionally with a new grade and limit (the limit under the same
// authority rule as set_credit); the next review falls due one grade cycle later.
struct ReviewCustomer {
  Key customer;
  std::optional<Grade> grade;
  std::optional<Money> credit_limit;
  std::string reason;
};

// ---- write-offs and returns (branch writeoff) -------------------------------------------------
// A write-off is proposed by finance and approved by a second finance principal of level 2 or
// more (004 P5 §15, 9-08 §13-14); a return is requested, approved by sales management, then
// counted and checked by the warehouse, which issues the credit note (004 P5 §11, 9-04 §8-13).
struct ProposeWriteOff {
  InvoiceNo invoice_no = 0;
  WriteOffReason reason_code = WriteOffReason::bankrupt;
  std::string reason;
};
struct ApproveWriteOff {
  uint64_t write_off_no = 0;
  std::string note;
};
struct RequestReturn {
  OrderNo order_no = 0;
  std::vector<SkuQty> lines;
  std::string reason;
};
struct ApproveReturn {
  uint64_t return_no = 0;
  std::string note;
};
struct ReceiveLine {
  Key sku;
  Qty qty = 0;  // counted
  QcResult qc = QcResult::pass;
};
struct ReceiveReturn {
  uint64_t return_no = 0;
  std::vector<ReceiveLine> lines;
};

// ---- pricing: contract prices (engine/pricing.cc) ----------------------------------------------
// Creates, or changes the price and dates of, the price agreement `agreement_ref`: the customer
// buys the sku at unit_price on the days from..to (inclusive).
struct UpsertPriceAgreement {
  Key agreement_ref;
  Key customer;
  Key sku;
  Money unit_price = 0;
  Day from = 0;
  Day to = 0;
};
// Ends a price agreement now: order lines decided from here on no longer use it.
struct EndPriceAgreement {
  Key agreement_ref;
  std::string reason;
};

using CommandBody =
    std::variant<UpsertCustomer, SetCredit, SetCustomerStatus, UpsertProduct, ReceiveStock,
                 AdjustStock, SubmitOrder, SubmitOrders, CancelOrder, ReleaseOrder, RejectOrder,
                 Ship, RecordPayment, ReturnGoods, WriteOff, Tick, SetPolicy, ApproveOrder,
                 ReleaseShipment, AmendOrder, ReversePayment, Refund, ApproveCredit,
                 RejectCredit, ReviewCustomer, ProposeWriteOff, ApproveWriteOff, RequestReturn,
                 ApproveReturn, ReceiveReturn, UpsertPriceAgreement, EndPriceAgreement>;

struct Command {
  uint64_t seq = 0;  // journal sequence number (0 when not journaled, e.g. in tests)
  TimeMs at = 0;     // business time, stamped when journaled
  Principal by;
  CommandBody body;
};

// ---- queries --------------------------------------------------------------------------------
struct Quote {
  OrderRequest order;
};
struct GetCustomer {
  Key customer;
};
struct GetProduct {
  Key sku;
};
struct GetOrder {
  OrderNo order_no = 0;  // 0: look up by (customer, client_order_id)
  Key customer;
  Key client_order_id;
};
struct ListHeld {
  std::optional<Key> customer;
  std::optional<Reason> reason;
  uint32_t limit = kDefaultListLimit;
};
struct AgingQuery {
  std::optional<Key> customer;
  std::optional<Day> as_of;  // absent: today. A past day needs `customer` (engine/receivables.cc)
  AgingBasis basis = AgingBasis::due_date;
  std::optional<int32_t> due_within_days;  // also total what falls due within this many days
};
struct StatementQuery {
  Key customer;
  Day from = 0;
  Day to = 0;
  bool detail = false;  // invoices list their lines (sku, qty, amount)
};
struct DailyReportQuery {
  Day date = 0;
};
// Discovery: customers and products page by page, in the order the engine first saw their ids
// (engine/lists.cc). `cursor` is the next_cursor of the page before (absent: from the start).
struct ListCustomers {
  std::optional<Key> prefix;  // the id starts with this
  std::optional<CustomerStatus> status;
  std::optional<Grade> grade;
  std::optional<Key> cursor;
  uint32_t limit = kDefaultListLimit;
};
struct ListProducts {
  std::optional<Key> prefix;  // the sku starts with this
  std::optional<Key> cursor;
  uint32_t limit = kDefaultListLimit;
};

// orderbook: the contract ledger, orders page by page in order_no order (engine/order_ledger.cc).
struct ListOrders {
  std::optional<Key> customer;
  std::optional<std::string> status;  // one status, or several separated by commas
  std::optional<Key> submitted_by;
  std::optional<Day> from;  // submitted on or after
  std::optional<Day> to;    // submitted on or before
  std::optional<Day> ship_by_before;
  std::optional<bool> late;
  std::optional<Key> cursor;
  uint32_t limit = kDefaultListLimit;
};
// The open invoices, one row each, customer by customer (engine/receivables_reads.cc).
struct OpenItemsQuery {
  std::optional<Key> customer;
  std::optional<Day> as_of;  // days past due and stage as of this day; absent: today
  std::optional<Key> cursor;
  uint32_t limit = kDefaultListLimit;
};

// A customer's credit history (changes of limit, grade, terms, status; proposals; reviews):
// the newest `limit` entries, oldest first.
struct GetCreditHistory {
  Key customer;
  uint32_t limit = kDefaultListLimit;
};
// Customers whose review is due on or before `as_of` (absent: today), oldest due first, a page
// at a time (cursor as list_customers).
struct ListReviewsDue {
  std::optional<Day> as_of;
  std::optional<Key> cursor;
  uint32_t limit = kDefaultListLimit;
};

// The write-off register (branch writeoff): every write-off, proposed or approved, in the order
// it was proposed, filtered by customer and by the day it was proposed, a page at a time.
struct ListWriteOffs {
  std::optional<Key> customer;
  std::optional<Day> from;
  std::optional<Day> to;
  std::optional<uint64_t> cursor;  // the next_cursor of the page before
  uint32_t limit = kDefaultListLimit;
};
struct GetReturn {
  uint64_t return_no = 0;
};

// The price agreements, in the order they were made, filtered by customer and sku, a page at a
// time (cursor as list_customers).
struct ListPriceAgreements {
  std::optional<Key> customer;
  std::optional<Key> sku;
  std::optional<Key> cursor;
  uint32_t limit = kDefaultListLimit;
};

using QueryBody =
    std::variant<Quote, GetCustomer, GetProduct, GetOrder, ListHeld, AgingQuery, StatementQuery,
                 DailyReportQuery, ListCustomers, ListProducts, ListOrders, OpenItemsQuery,
                 GetCreditHistory, ListReviewsDue, ListWriteOffs, GetReturn,
                 ListPriceAgreements>;

struct Query {
  TimeMs at = 0;  // "now" for the read (quotes and aging depend on it)
  Principal by;
  QueryBody body;
};

}  // namespace credo
