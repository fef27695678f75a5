// Commands (state-changing, journaled) and queries (read-only, never journaled): plain data.
// Parsing from JSON and from the WAL happens at the edges; the engine only sees these structs.
// Every command carries its own business time and the principal who sent it, so applying the
// same sequence always gives the same state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/policy.h"
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
struct OrderRequest {
  Key customer;
  Key client_order_id;  // optional: empty means no idempotency key
  PaymentTerms payment = PaymentTerms::credit;
  std::optional<Day> ship_by;
  std::string ref;
  std::vector<LineRequest> lines;
};
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

// ---- time and admin -------------------------------------------------------------------------
// Advances business time to the command's timestamp and runs everything time triggers: held
// orders past the hold time expire, accepted orders past order_ttl_days expire, and the
// overdue ladder suspends and reactivates customers.
struct Tick {};
struct SetPolicy {
  Policy policy;
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

using CommandBody =
    std::variant<UpsertCustomer, SetCredit, SetCustomerStatus, UpsertProduct, ReceiveStock,
                 AdjustStock, SubmitOrder, SubmitOrders, CancelOrder, ReleaseOrder, RejectOrder,
                 Ship, RecordPayment, ReturnGoods, WriteOff, Tick, SetPolicy, ProposeWriteOff,
                 ApproveWriteOff, RequestReturn, ApproveReturn, ReceiveReturn>;

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
};
struct StatementQuery {
  Key customer;
  Day from = 0;
  Day to = 0;
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

using QueryBody =
    std::variant<Quote, GetCustomer, GetProduct, GetOrder, ListHeld, AgingQuery, StatementQuery,
                 DailyReportQuery, ListCustomers, ListProducts, ListWriteOffs, GetReturn>;

struct Query {
  TimeMs at = 0;  // "now" for the read (quotes and aging depend on it)
  Principal by;
  QueryBody body;
};

}  // namespace credo
