// What the engine answers: an error value (code, message, field) or a typed result. Results are
// plain structs of values (no pointers into engine state), so they can be handed to another
// thread. A Result object is meant to be reused: the engine clears and refills its vectors, so
// in steady state answering an order allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/command.h"
#include "engine/types.h"

namespace credo {

struct Error {
  ErrorCode code = ErrorCode::OK;
  std::string message;  // human text
  std::string field;    // the one field to blame ("lines[2].qty"), or empty
  std::string reason = {};  // INVALID_STATE: why, for machines ("nothing_open"), or empty
};

// ---- orders ---------------------------------------------------------------------------------
struct ReasonView {
  Reason code = Reason::UNKNOWN_CUSTOMER;
  int32_t line = -1;            // line index for line reasons, else -1
  int32_t required_level = -1;  // PRICE_APPROVAL / AMOUNT_APPROVAL, else -1 (null)
  Qty available = -1;           // INSUFFICIENT_STOCK: what the line could have had, else -1
};
struct LineView {
  Key sku;
  Qty qty = 0;
  Money unit_price = 0;
  int32_t discount_bp = 0;
  Money amount = 0;
  Qty shipped = 0;
  Qty returned = 0;
};
struct CreditView {
  Money limit = 0;
  Money exposure = 0;
  Money available = 0;
};
struct EventView {
  EventKind kind = EventKind::submitted;
  Key principal;
  TimeMs at = 0;
  uint64_t number = 0;  // invoice_no (shipped), credit_note_no (returned), else 0
  Money amount = 0;     // value moved by the event, where there is one
  std::string text;     // reason or note
};
struct OrderView {
  OrderNo order_no = 0;  // 0 for a quote
  Key customer;
  Key client_order_id;
  OrderStatus status = OrderStatus::rejected;    // the order's status now
  OrderStatus decision = OrderStatus::rejected;  // what submit decided
  PaymentTerms payment = PaymentTerms::credit;
  std::vector<ReasonView> reasons;
  std::vector<LineView> lines;
  Money total = 0;
  bool has_credit = false;  // false when the customer is unknown
  CreditView credit;
  TimeMs at = 0;  // decision time
  std::optional<Day> ship_by;
  std::string ref;
  Key submitted_by;
  bool quote = false;
  bool duplicate = false;
  bool with_events = false;  // get_order fills events
  std::vector<EventView> events;
};
struct BatchView {
  struct Item {
    Error error;  // code OK: `order` holds the decision
    OrderView order;
  };
  std::vector<Item> results;
};
struct HeldList {
  std::vector<OrderView> orders;
};

// ---- master data ----------------------------------------------------------------------------
struct ExposureView {
  Money open_orders = 0;  // accepted, unshipped, on credit
  Money held = 0;         // held, unshipped, on credit
  Money receivables = 0;  // invoiced, unpaid
  Money unapplied = 0;    // payments and credits not yet applied to an invoice
  Money total = 0;        // open_orders + held + receivables - unapplied
};
struct CustomerView {
  Key customer;
  std::string name;
  Grade grade = Grade::D;
  Money credit_limit = 0;
  int32_t terms_days = 30;
  CustomerStatus status = CustomerStatus::active;
  std::string status_reason;
  ExposureView exposure;
  Money available = 0;
  Money prepaid_reserved = 0;  // unapplied balance set aside for open prepaid orders
  int32_t oldest_overdue_days = 0;
};
struct ProductView {
  Key sku;
  std::string name;
  Money price = 0;
  Money floor_price = 0;
  Qty on_hand = 0;
  Qty reserved = 0;
  Qty available = 0;
};

// list_customers / list_products: one page. next_cursor empty: the end of the table.
struct CustomerRow {
  Key customer;
  std::string name;
  Grade grade = Grade::D;
  Money credit_limit = 0;
  int32_t terms_days = 30;
  CustomerStatus status = CustomerStatus::active;
  Money exposure = 0;  // ExposureView::total
  Money available = 0;
};
struct CustomerList {
  std::vector<CustomerRow> customers;
  Key next_cursor;
};
struct ProductList {
  std::vector<ProductView> products;
  Key next_cursor;
};

// ---- fulfilment and money -------------------------------------------------------------------
struct Application {
  InvoiceNo invoice_no = 0;
  Money amount = 0;
};
struct ShipView {
  OrderNo order_no = 0;
  InvoiceNo invoice_no = 0;
  Money amount = 0;
  Day due_date = 0;
  OrderStatus status = OrderStatus::accepted;  // the order's status after shipping
  std::vector<SkuQty> lines;                   // what shipped
};
struct PaymentView {
  Key customer;
  Key payment_ref;
  Money amount = 0;
  std::vector<Application> applied;
  Money unapplied = 0;
  bool duplicate = false;
  std::vector<Application> recovered;  // written-off invoices this money recovered
};
struct ReturnView {
  OrderNo order_no = 0;
  uint64_t credit_note_no = 0;
  Money amount = 0;
  std::vector<Application> applied;  // reductions of the order's invoices
  Money unapplied = 0;               // the customer's unapplied balance after
  // The part of the credit that settles written-off invoices of the order: no customer credit.
  std::vector<Application> recovered;
};
struct WriteOffView {
  InvoiceNo invoice_no = 0;
  Key customer;
  Money amount = 0;
  uint64_t write_off_no = 0;  // its row in the write-off register
};
struct TickView {
  TimeMs now = 0;
  uint32_t held_expired = 0;
  uint32_t accepted_expired = 0;
  uint32_t customers_suspended = 0;
  uint32_t customers_reactivated = 0;
};
struct PolicyView {
  Policy policy;
};

// ---- reports --------------------------------------------------------------------------------
struct AgingBuckets {
  Money current = 0;  // not yet due
  Money d1_30 = 0;
  Money d31_60 = 0;
  Money d61_90 = 0;
  Money d90_plus = 0;
  Money total = 0;
};
struct AgingView {
  bool per_customer = false;
  Key customer;          // per_customer
  AgingBuckets buckets;  // the customer's, or the totals
  struct Row {
    Key customer;
    AgingBuckets buckets;
    Money overdue = 0;
  };
  std::vector<Row> top;  // totals only: top 100 customers by overdue amount
  uint32_t customers_with_receivables = 0;
};
// recovery (branch writeoff): a written-off invoice's debt settled after all, by a payment or a
// credit note (the entry that follows it): + the amount, number = invoice_no.
enum class EntryKind : uint8_t { invoice, payment, credit_note, write_off, recovery };
const char* to_string(EntryKind k);
struct StatementView {
  Key customer;
  Day from = 0;
  Day to = 0;
  Money opening_balance = 0;
  struct Entry {
    EntryKind kind = EntryKind::invoice;
    Day date = 0;
    uint64_t number = 0;  // invoice_no, payment number, credit_note_no, invoice_no
    Key ref;              // payment_ref for payments
    Money amount = 0;     // signed: invoices +, the rest -
    Money balance = 0;    // running balance after this entry
  };
  std::vector<Entry> entries;
  bool truncated = false;  // more than kMaxStatementEntries in the period
  Money closing_balance = 0;
  AgingBuckets aging;  // open receivables now
};
// A day's activity other than its orders by status: kept per day by the state (DailyAgg,
// engine/state.h) and shown as is by the daily report (DailyReportView).
struct DailyActivity {
  uint64_t holds_by_reason[kReasonCount] = {};  // orders held that day, by reason
  uint64_t shipments = 0;
  Money shipped_value = 0;
  uint64_t payments = 0;
  Money payments_received = 0;
  uint64_t returns = 0;
  Money returns_value = 0;
  uint64_t write_offs = 0;
  Money written_off = 0;
  bool operator==(const DailyActivity&) const = default;
};
struct DailyReportView : DailyActivity {
  Day date = 0;
  struct StatusCount {
    uint64_t count = 0;
    Money value = 0;
  };
  // Indexed by OrderStatus: orders submitted that day, by their status now.
  StatusCount by_status[kOrderStatusCount];
  // Payments that day booked as recoveries of written-off invoices (part of `payments`).
  uint64_t recoveries = 0;
  Money recovered = 0;
};

// ---- write-offs and returns (branch writeoff) -------------------------------------------------
struct WriteOffRecordView {
  uint64_t write_off_no = 0;
  InvoiceNo invoice_no = 0;
  Key customer;
  WriteOffStatus status = WriteOffStatus::proposed;
  WriteOffReason reason_code = WriteOffReason::bankrupt;
  std::string reason;
  Money amount = 0;  // proposed: the invoice's open amount then; approved: what was written off
  Key proposed_by;
  TimeMs proposed_at = 0;
  Key approved_by;  // empty while proposed
  TimeMs approved_at = 0;
  std::string note;
  Money recovered = 0;  // settled after the write-off, by payments or credit notes
};
struct WriteOffList {
  std::vector<WriteOffRecordView> write_offs;
  uint64_t next_cursor = 0;  // 0: the end of the register
};
struct ReturnRecordView {
  uint64_t return_no = 0;
  OrderNo order_no = 0;
  Key customer;
  ReturnStatus status = ReturnStatus::requested;
  std::string reason;
  Money value = 0;  // the requested quantities at the order's prices
  struct Line {
    Key sku;
    Qty qty = 0;       // requested and approved
    Qty received = 0;  // counted
    Qty passed = 0;    // of which passed QC (back to stock)
  };
  std::vector<Line> lines;
  Key requested_by;
  TimeMs requested_at = 0;
  Key approved_by;
  TimeMs approved_at = 0;
  Key received_by;
  TimeMs received_at = 0;
  // On receipt: the credit note for the received quantity (as return_goods answers it).
  bool credited = false;
  ReturnView credit;
};

using ResultBody =
    std::variant<std::monostate, OrderView, BatchView, HeldList, CustomerView, ProductView,
                 ShipView, PaymentView, ReturnView, WriteOffView, TickView, PolicyView, AgingView,
                 StatementView, DailyReportView, CustomerList, ProductList, WriteOffRecordView,
                 WriteOffList, ReturnRecordView>;

struct Result {
  Error error;  // code OK: `body` holds the answer
  ResultBody body;

  bool ok() const { return error.code == ErrorCode::OK; }
  // Returns the body as T, reusing the one already there (and its vectors' capacity).
  template <typename T>
  T& emplace() {
    if (auto* p = std::get_if<T>(&body)) return *p;
    return body.emplace<T>();
  }
};

}  // namespace credo
