// What the engine answers: an error value (code, message, field) or a typed result. Results are
// plain structs of values (no pointers into engine state), so they can be handed to another
// thread. A Result object is meant to be reused: the engine clears and refills its vectors, so
// in steady state answering an order allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "engine/command.h"
#include "engine/types.h"

namespace credo {

struct Error {
  ErrorCode code = ErrorCode::OK;
  std::string message;  // human text
  std::string field;    // the one field to blame ("lines[2].qty"), or empty
  // INVALID_STATE: a machine-readable why ("CUSTOMER_BLOCKED", "nothing_open"), or empty.
  std::string reason = {};
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
  PriceSource price_source = PriceSource::list;
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
// One reason of a held order approved: by whom, when, at which level (approve_order,
// release_order).
struct ApprovalView {
  Reason code = Reason::UNKNOWN_CUSTOMER;
  int32_t line = -1;  // the reason's line, -1 for an order reason
  Key principal;
  TimeMs at = 0;
  int32_t level = 0;
  std::string note;
};
// An order's lines in an answer: room for 4 in place, as LineRequests (engine/command.h).
using LineViews = SmallVec<LineView, 4>;
// One amendment of an order (get_order's `amendments`): who, when, the version before and the
// version asked for, and what deciding it again said.
struct AmendmentView {
  Key amendment_id;
  Key by;
  TimeMs at = 0;
  bool amended = false;  // the new version was taken (false: it would have been rejected)
  OrderStatus decision = OrderStatus::rejected;  // what the new version was decided
  uint32_t version = 1;                          // the order's version after this amendment
  std::vector<ReasonView> reasons;               // the new version's reasons
  LineViews old_lines;
  LineViews new_lines;
  std::optional<Day> old_ship_by;
  std::optional<Day> new_ship_by;
  std::string old_ref;
  std::string new_ref;
  Money old_total = 0;
  Money new_total = 0;
};
struct OrderView {
  OrderNo order_no = 0;  // 0 for a quote
  Key customer;
  Key client_order_id;
  OrderStatus status = OrderStatus::rejected;    // the order's status now
  OrderStatus decision = OrderStatus::rejected;  // what submit decided
  PaymentTerms payment = PaymentTerms::credit;
  std::vector<ReasonView> reasons;
  LineViews lines;
  Money total = 0;
  bool has_credit = false;  // false when the customer is unknown
  CreditView credit;
  TimeMs at = 0;  // decision time
  std::optional<Day> ship_by;
  std::string ref;
  Key submitted_by;
  bool quote = false;
  bool duplicate = false;
  // Closed past the retention window (engine/archive.cc): the header only, no lines, reasons,
  // events or amendments.
  bool archived = false;
  bool with_events = false;  // get_order fills events
  std::vector<EventView> events;
  // Orders submit held (decision held): the approvals given so far and the reasons still open.
  std::vector<ApprovalView> approvals;
  std::vector<ReasonView> open_reasons;
  bool shipping_release = false;  // a shipping release waits for the next ship
  // payment deposit only: the deposit asked and how much of it is paid (docs/rules.md).
  Money deposit_due = 0;
  Money deposit_paid = 0;
  uint32_t version = 1;                    // 1 + the amendments taken
  std::vector<AmendmentView> amendments;  // with_events only, oldest first
};
static_assert(std::is_nothrow_move_constructible_v<OrderView>);  // engine/small_vec.h
// amend_order's answer: what deciding the new version said, and the order as it is now.
struct AmendView {
  Key amendment_id;
  bool amended = false;    // false: the order stays as it was (the new version is rejected)
  bool duplicate = false;  // a repeat of an amendment_id: the first answer, nothing changed
  uint32_t version = 1;    // the order's version after the amendment
  OrderStatus decision = OrderStatus::rejected;
  std::vector<ReasonView> reasons;
  Money total = 0;  // the new version's total
  OrderView order;
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
  Day review_due = 0;  // the next credit review (docs/rules.md, "Credit data")
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
// list_orders: one row of the contract ledger.
struct OrderRow {
  OrderNo order_no = 0;
  Key client_order_id;
  Key customer;
  OrderStatus status = OrderStatus::rejected;
  Money total = 0;
  Money shipped_value = 0;
  Money unshipped_value = 0;  // total - shipped_value
  std::optional<Day> ship_by;
  TimeMs submitted_at = 0;
  Key submitted_by;
  bool late = false;  // open, past ship_by and not fully shipped
};
struct OrderList {
  std::vector<OrderRow> orders;
  Key next_cursor;
};

// ---- credit data (engine/credit_data.cc) ----------------------------------------------------
// A credit-limit proposal; on the wire `pending` is "proposed".
enum class ProposalStatus : uint8_t { pending, approved, rejected, withdrawn };
const char* to_string(ProposalStatus s);
struct CreditProposalView {
  ProposalNo proposal_no = 0;
  Key customer;
  ProposalStatus status = ProposalStatus::pending;
  Money credit_limit = 0;      // proposed
  Money current_limit = 0;     // the customer's limit now
  int32_t required_level = 0;  // the lowest level whose credit_limit_max_minor covers it
  Key proposed_by;
  TimeMs proposed_at = 0;
  std::string reason;
  Key decided_by;  // empty while pending
  TimeMs decided_at = 0;
  std::string decision_note;
};
// What one credit-history entry records.
enum class CreditChange : uint8_t {
  created,    // upsert_customer made the customer
  changed,    // limit, grade, terms or status set at once (within the caller's authority)
  proposed,   // a limit raise above the caller's authority, waiting for approval
  approved,   // a proposal approved: the limit took effect
  rejected,   // a proposal rejected by another credit principal
  withdrawn,  // a proposal withdrawn by its proposer
  reviewed,   // review_customer
  ladder,     // the overdue ladder put the customer on hold or back to active
};
const char* to_string(CreditChange c);
struct CreditEventView {
  CreditChange kind = CreditChange::changed;
  TimeMs at = 0;
  Key by;                      // who did it ("system" for the ladder); the approver for `approved`
  int32_t level = 0;           // by's approval level then
  Key proposed_by;             // who asked for it (== by unless a proposal was approved)
  ProposalNo proposal_no = 0;  // 0: none
  // Before and after; equal when the entry did not change it (proposals: the limit asked for).
  Money limit_from = 0, limit_to = 0;
  Grade grade_from = Grade::D, grade_to = Grade::D;
  int32_t terms_from = 0, terms_to = 0;
  CustomerStatus status_from = CustomerStatus::active, status_to = CustomerStatus::active;
  Day review_due = 0;  // after the entry
  std::string reason;
};
struct CreditHistoryView {
  Key customer;
  uint32_t total = 0;  // entries the customer has; `entries` holds the newest `limit`
  std::vector<CreditEventView> entries;
};
struct ReviewDueRow {
  Key customer;
  std::string name;
  Grade grade = Grade::D;
  Money credit_limit = 0;
  CustomerStatus status = CustomerStatus::active;
  Day review_due = 0;
  int32_t days_past_due = 0;  // as_of - review_due
};
struct ReviewDueList {
  Day as_of = 0;
  std::vector<ReviewDueRow> customers;
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
  Money deposit = 0;  // record_payment with order_no: set aside for that order's deposit
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
struct ReversalView {
  Key customer;
  Key payment_ref;
  Money amount = 0;                   // the payment's amount, all of it reversed
  std::vector<Application> reopened;  // invoices opened again, by how much
  Money unapplied_taken = 0;          // taken back from the unapplied balance
  Money unapplied = 0;                // the customer's unapplied balance after
  CustomerStatus status = CustomerStatus::active;  // the customer's status after
  bool duplicate = false;
};
struct RefundView {
  Key customer;
  Key refund_ref;
  Money amount = 0;
  Money unapplied = 0;  // the customer's unapplied balance after
  bool duplicate = false;
};
struct TickView {
  TimeMs now = 0;
  uint32_t held_expired = 0;
  uint32_t accepted_expired = 0;
  uint32_t customers_suspended = 0;
  uint32_t customers_reactivated = 0;
  uint32_t orders_archived = 0;  // closed orders whose detail left memory (engine/archive.cc)
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
  Day as_of = 0;
  AgingBasis basis = AgingBasis::due_date;
  int32_t due_within_days = 0;  // 0: not asked
  Money due_within = 0;         // open, not yet due, due within due_within_days of as_of
};
// open_items: one row per open invoice (004 9-05 §2-8, 9-08 §3).
enum class CollectionStage : uint8_t { current, overdue, dunning, doubtful };
const char* to_string(CollectionStage s);
struct OpenItemRow {
  Key customer;
  InvoiceNo invoice_no = 0;
  OrderNo order_no = 0;
  Day invoice_date = 0;
  Day due_date = 0;
  int32_t days_past_due = 0;  // as of as_of; 0 when not yet due
  Money amount = 0;           // the invoice's amount
  Money open = 0;             // what is still open of it
  CollectionStage stage = CollectionStage::current;
};
struct OpenItemsView {
  Day as_of = 0;
  std::vector<OpenItemRow> items;
  Key next_cursor;  // empty: the end
};
// reversal, refund (branch receivables): a payment taken back (+), unapplied money paid out (+).
// recovery (branch writeoff): a written-off invoice's debt settled after all, by a payment or a
// credit note (the entry that follows it): + the amount, number = invoice_no.
enum class EntryKind : uint8_t {
  invoice,
  payment,
  credit_note,
  write_off,
  reversal,
  refund,
  recovery
};
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
    Key ref;              // payment_ref for payments and reversals, refund_ref for refunds
    Money amount = 0;     // signed: invoices, reversals, refunds +; the rest -
    Money balance = 0;    // running balance after this entry
    OrderNo order_no = 0;  // invoices and credit notes: their order
    struct Line {
      Key sku;
      Qty qty = 0;
      Money amount = 0;
    };
    std::vector<Line> lines;  // invoices, with `detail`: what the shipment invoiced
  };
  bool detail = false;
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
  // orderbook: on-time delivery (訂單交付準時率). Shipments of orders that have a ship_by, and
  // those of them made on or before it.
  uint64_t shipments_with_ship_by = 0;
  uint64_t shipments_on_time = 0;
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

// ---- pricing: contract prices ----------------------------------------------------------------
struct PriceAgreementView {
  Key agreement_ref;
  Key customer;
  Key sku;
  Money unit_price = 0;
  Day from = 0;
  Day to = 0;
  // "pending" (from is after today), "active", "expired" (to is before today), "ended".
  const char* status = "active";
  Key made_by;
  TimeMs made_at = 0;
  Key ended_by;  // empty unless ended
  TimeMs ended_at = 0;
  std::string end_reason;
  bool duplicate = false;  // an upsert that changed nothing (the same values again)
};
struct PriceAgreementList {
  std::vector<PriceAgreementView> agreements;
  Key next_cursor;  // empty: the end
};

using ResultBody =
    std::variant<std::monostate, OrderView, BatchView, HeldList, CustomerView, ProductView,
                 ShipView, PaymentView, ReturnView, WriteOffView, TickView, PolicyView, AgingView,
                 StatementView, DailyReportView, CustomerList, ProductList, AmendView, OrderList,
                 ReversalView, RefundView, OpenItemsView, CreditProposalView, CreditHistoryView,
                 ReviewDueList, WriteOffRecordView, WriteOffList, ReturnRecordView,
                 PriceAgreementView, PriceAgreementList>;

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
