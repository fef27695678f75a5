// The engine's state: flat arrays indexed by dense ids, private to the engine.
//
// Everything is a value in a vector, addressed by index, so the state has no pointers, iterates
// in a deterministic order and serializes field by field (serialize.cc). Customers and
// products that were only ever named in a rejected order exist as "phantoms" (exists == false):
// they give the order a place to point to and are invisible to every read.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include "engine/chunked_list.h"
#include "engine/chunked_text.h"
#include "engine/chunked_vector.h"
#include "engine/command.h"
#include "engine/huge_alloc.h"
#include "engine/interner.h"
#include "engine/policy.h"
#include "engine/result.h"
#include "engine/types.h"

namespace credo {

constexpr uint32_t kNone = Interner::kNone;
constexpr Day kNoDay = INT32_MAX;
constexpr OrderNo kFirstOrderNo = 100001;

// Free text (names, reasons, notes, refs) lives in one append-only arena. Packed to 12 bytes
// (4-byte aligned): every order, event and customer holds one or two, and the 4 bytes of
// padding a plain struct carries were 2-3 % of an order (docs/limits.md "Business state").
// The image writes the two fields as before (engine/serialize.cc io_text).
#pragma pack(push, 4)
struct Text {
  uint64_t offset = 0;
  uint32_t len = 0;
};
#pragma pack(pop)
static_assert(sizeof(Text) == 12);

struct Customer {
  bool exists = false;
  Grade grade = Grade::D;
  CustomerStatus status = CustomerStatus::active;
  bool suspended_by_ladder = false;  // on_hold put there by the overdue ladder
  bool ladder_override = false;      // a person set `active` while overdue
  int32_t terms_days = 30;
  Money credit_limit = 0;
  Money open_orders = 0;  // accepted, unshipped, credit
  Money held = 0;         // held, unshipped, credit
  Money receivables = 0;  // open invoice amounts
  Money unapplied = 0;
  Money prepaid_reserved = 0;
  Money ledger_balance = 0;  // invoices - payments - credit notes - write-offs
  Text name;
  Text status_reason;
  std::vector<uint32_t> open_invoices;  // sorted by (due date, invoice index)
  std::vector<uint32_t> ledger;         // indices into State::ledger, chronological
  std::vector<uint32_t> settlements;    // indices into State::settlements, chronological
  // creditdata: serialized at the end of the image (engine/serialize.cc).
  Day review_due = kNoDay;               // next credit review; kNoDay while a phantom
  std::vector<uint32_t> credit_history;  // indices into State::credit_events, chronological
};

struct Product {
  bool exists = false;
  Money price = 0;
  Money floor_price = 0;
  Qty on_hand = 0;
  Qty reserved = 0;
  Text name;
};

// A line's quantities fit 32 bits: qty is at most kQtyMax (10^9, engine/limits.h) and shipped
// <= qty, returned <= shipped. Stored narrow (40 bytes a line instead of 64; an order has
// 1-1000 lines); arithmetic on them widens to Qty/Money as before, and the image still writes
// them as 64-bit values (engine/serialize.cc), so the format is unchanged.
using LineQty = int32_t;
static_assert(kQtyMax <= INT32_MAX);
struct OrderLine {
  Money unit_price = 0;
  Money amount = 0;
  uint32_t product = kNone;
  LineQty qty = 0;
  LineQty shipped = 0;
  LineQty returned = 0;
  int32_t discount_bp = 0;
  PriceSource price_source = PriceSource::list;  // image version 4; older lines derive it
};
static_assert(sizeof(OrderLine) == 40);
// A quantity into a line's 32 bits: callers hold values already checked against kQtyRange (or,
// shipped and returned, bounded by the line's qty).
inline LineQty line_qty(Qty q) { return static_cast<LineQty>(q); }

// A reason is stored exactly as it is answered (result.h): no second struct to keep in step.
using ReasonRec = ReasonView;

// Fields ordered widest first so that no padding is left (48 bytes); the image writes them
// by name in its own order (engine/serialize.cc).
struct EventRec {
  TimeMs at = 0;
  uint64_t number = 0;  // approved: the reason's place in the order's reasons (0-based)
  Money amount = 0;     // approved: the approver's level
  Text text;
  uint32_t principal = kNone;
  uint32_t next = kNone;  // next event of the same order
  EventKind kind = EventKind::submitted;
};
static_assert(sizeof(EventRec) == 48);

// Which intrusive list an order is on: open (held or accepted with something unshipped) orders
// are kept in decision order so that expiry pops from the front.
enum class OpenList : uint8_t { none, held, accepted };

// Fields ordered widest first, so that no padding is left (144 bytes instead of 152); the
// image writes them by name in its own order (engine/serialize.cc).
struct Order {
  Money total = 0;
  Money open_value = 0;         // value of the unshipped rest while held/accepted, else 0
  Money prepaid_remaining = 0;  // prepaid orders: reservation not yet used by shipments
  TimeMs at = 0;                // decided
  // Entered its open list (held or accepted): the expiry clock of both lists. The decision time
  // until an amendment or a release moves the order to the tail of a list.
  TimeMs accepted_at = 0;
  // Deposit orders (image version 5; docs/rules.md "Deposits"): the deposit asked, how much of
  // it customer money earmarked so far (prepaid_remaining holds what shipments have not used
  // yet), and when the order expires unless it is paid in full.
  Money deposit_due = 0;
  Money deposit_paid = 0;
  TimeMs deposit_deadline = 0;
  uint32_t customer = kNone;
  uint32_t submitted_by = kNone;     // principal id
  uint32_t client_order_id = kNone;  // id in State::client_order_ids, or kNone
  uint32_t first_line = 0;
  uint32_t line_count = 0;
  uint32_t first_reason = 0;
  uint32_t reason_count = 0;
  Day ship_by = kNoDay;
  Day day = 0;  // day decided (daily report bucket)
  Text ref;
  uint32_t first_event = kNone;
  uint32_t last_event = kNone;
  uint32_t first_invoice = kNone;  // invoices of this order, linked by Invoice::next_in_order
  uint32_t last_invoice = kNone;
  uint32_t prev = kNone;  // neighbours on the open list
  uint32_t next = kNone;
  uint32_t last_amendment = kNone;  // orderbook: rebuilt from State::amendments on load
  OrderStatus status = OrderStatus::rejected;
  OrderStatus decision = OrderStatus::rejected;
  PaymentTerms payment = PaymentTerms::credit;
  OpenList list = OpenList::none;
};
static_assert(sizeof(Order) == 144);

// orderbook: one amendment of an order (amend_order). The versions' lines stay in State::lines:
// the old range is what the order was, the new range what was asked (and, if taken, what the
// order is now).
struct Amendment {
  uint32_t order = kNone;
  uint32_t principal = kNone;
  TimeMs at = 0;
  bool taken = false;
  OrderStatus decision = OrderStatus::rejected;
  uint32_t version = 1;  // the order's version after this amendment
  uint32_t old_first_line = 0;
  uint32_t old_line_count = 0;
  uint32_t new_first_line = 0;
  uint32_t new_line_count = 0;
  uint32_t first_reason = 0;  // the new version's reasons
  uint32_t reason_count = 0;
  Money old_total = 0;
  Money new_total = 0;
  Day old_ship_by = kNoDay;
  Day new_ship_by = kNoDay;
  Text old_ref;
  Text new_ref;
  uint32_t prev = kNone;  // the order's amendment before this one: rebuilt on load
};

struct Invoice {
  uint32_t customer = kNone;
  uint32_t order = kNone;
  Money amount = 0;
  Money open = 0;
  Day issued = 0;
  Day due = 0;
  uint32_t next_in_order = kNone;
};

struct Payment {
  uint32_t customer = kNone;
  Money amount = 0;
  TimeMs at = 0;
  uint32_t first_application = 0;
  uint32_t application_count = 0;
};

struct LedgerEntry {
  EntryKind kind = EntryKind::invoice;
  Day date = 0;
  uint64_t number = 0;
  uint32_t payment = kNone;  // payments: index, for the ref
  Money amount = 0;          // signed
  Money balance = 0;         // running balance after
};

// ---- receivables (branch receivables): the dated history of every invoice's open amount ----
// What reduced (or, negative, reopened) an invoice's open amount. Every change of Invoice::open
// after issue is one Settlement, so the open amount on any past day is the amount minus the
// settlements up to that day (aging as_of, engine/receivables_reads.cc).
enum class SettleSource : uint8_t { payment, unapplied, prepaid, credit_note, write_off, reversal };
struct Settlement {
  uint32_t invoice = kNone;
  Day day = 0;
  SettleSource source = SettleSource::payment;
  Money amount = 0;  // > 0 settles, < 0 reopens (a reversal)
  Money undone = 0;  // unapplied/prepaid settlements: how much a reversal has reopened since
};
struct PaymentReversal {
  uint32_t payment = kNone;
  TimeMs at = 0;
  Text reason;
  bool suspend = false;
  uint32_t first_reopened = 0;  // into State::reversal_reopened
  uint32_t reopened_count = 0;
  Money unapplied_taken = 0;
};
struct RefundRec {
  uint32_t customer = kNone;
  Money amount = 0;
  TimeMs at = 0;
  Text reason;
};
// What a shipment invoiced, line by line (statement detail).
struct InvoiceLine {
  uint32_t product = kNone;
  Qty qty = 0;
  Money amount = 0;
};

struct CreditNote {
  uint32_t order = kNone;
  Money amount = 0;
  TimeMs at = 0;
};

// A credit-limit proposal (engine/credit_data.cc); proposal_no = index + 1.
struct CreditProposal {
  uint32_t customer = kNone;
  uint32_t proposed_by = kNone;  // principal id
  ProposalStatus status = ProposalStatus::pending;
  Money credit_limit = 0;
  TimeMs at = 0;
  Text reason;
  uint32_t decided_by = kNone;  // principal id, kNone while pending
  TimeMs decided_at = 0;
  Text decision_note;
};

// One entry of a customer's credit history: CreditEventView with principal ids and Text.
struct CreditEvent {
  uint32_t customer = kNone;
  CreditChange kind = CreditChange::changed;
  TimeMs at = 0;
  uint32_t by = kNone;  // kNone: the system (the overdue ladder)
  uint8_t level = 0;
  uint32_t proposed_by = kNone;
  ProposalNo proposal_no = 0;
  Money limit_from = 0, limit_to = 0;
  Grade grade_from = Grade::D, grade_to = Grade::D;
  int32_t terms_from = 0, terms_to = 0;
  CustomerStatus status_from = CustomerStatus::active, status_to = CustomerStatus::active;
  Day review_due = 0;
  Text reason;
};

// Incremental per-day aggregates, so daily_report needs no scan of the orders. The state image
// writes the fields by name (engine/serialize.cc), so the layout is free; the format is not.
struct DailyAgg : DailyActivity {
  uint64_t count_by_status[kOrderStatusCount] = {};
  Money value_by_status[kOrderStatusCount] = {};
  bool operator==(const DailyAgg&) const = default;
};

// One day's row of the daily report. Only days with activity have a row: a day without one
// reads as all zeros.
struct DailyRow {
  Day day = 0;
  DailyAgg agg;
};

// ---- write-offs and returns (branch writeoff) ---------------------------------------------------
// One write-off in the register: proposed, then approved by a second principal.
// write_off_no = index + 1.
struct WriteOffRec {
  uint32_t invoice = kNone;
  WriteOffStatus status = WriteOffStatus::proposed;
  WriteOffReason reason_code = WriteOffReason::bankrupt;
  Text reason;
  Money amount = 0;  // proposed: the open amount then; approved: what was written off
  uint32_t proposed_by = kNone;  // principal ids
  TimeMs proposed_at = 0;
  uint32_t approved_by = kNone;
  TimeMs approved_at = 0;
  Text note;
  Money recovered = 0;  // settled after the write-off (payments and credit notes), <= amount
};
// Payments booked as recoveries on one day, for the daily report; one row per day that had
// any, in day order (business time never goes back).
struct RecoveryDay {
  Day day = 0;
  uint64_t count = 0;
  Money amount = 0;
};
// What one payment recovered on one written-off invoice; in payment order (a payment's rows are
// found by binary search, to answer a duplicate record_payment as the original).
struct PaymentRecovery {
  uint32_t payment = kNone;
  uint32_t invoice = kNone;
  Money amount = 0;
};
// One return: requested, approved, received (return_no = index + 1). Its lines are one per sku.
struct ReturnRec {
  uint32_t order = kNone;
  ReturnStatus status = ReturnStatus::requested;
  Text reason;
  Money value = 0;  // the requested quantities at the order's prices
  uint32_t first_line = 0;  // into State::return_lines
  uint32_t line_count = 0;
  uint32_t requested_by = kNone;  // principal ids
  TimeMs requested_at = 0;
  uint32_t approved_by = kNone;
  TimeMs approved_at = 0;
  Text note;
  uint32_t received_by = kNone;
  TimeMs received_at = 0;
  uint64_t credit_note_no = 0;  // issued on receipt
};
struct ReturnLine {
  uint32_t product = kNone;
  Qty qty = 0;       // requested (and approved)
  Qty received = 0;  // counted by the warehouse
  Qty passed = 0;    // of which passed QC and went back to stock
};

// ---- pricing: a contract price (engine/pricing.cc); agreement index == agreement_refs id ----
struct PriceAgreement {
  uint32_t customer = kNone;
  uint32_t product = kNone;
  Money unit_price = 0;
  Day from = 0;  // inclusive
  Day to = 0;    // inclusive
  bool ended = false;
  uint32_t made_by = kNone;  // principal ids
  TimeMs made_at = 0;
  uint32_t ended_by = kNone;
  TimeMs ended_at = 0;
  Text end_reason;
};

struct ListEnds {
  uint32_t head = kNone;
  uint32_t tail = kNone;
};

struct State {
  Policy policy;
  TimeMs now = 0;
  Day ladder_day = INT32_MIN;  // last day the overdue ladder scanned every customer
  uint64_t last_seq = 0;
  uint64_t commands_applied = 0;

  Interner customer_ids;
  Interner skus;
  Interner principals;
  Interner client_order_ids;                      // key: 4-byte customer index + client_order_id
  Interner payment_refs;                          // id == payment index
  ChunkedVector<uint32_t> client_order_to_order;  // by client_order_ids id

  BigVector<Customer> customers;
  BigVector<Product> products;
  ChunkedVector<Order> orders;  // order_no = kFirstOrderNo + index
  ChunkedVector<OrderLine> lines;
  ChunkedVector<ReasonRec> reasons;
  ChunkedVector<EventRec> events;
  ChunkedVector<Invoice> invoices;  // invoice_no = index + 1
  ChunkedVector<Payment> payments;  // payment number = index + 1
  std::vector<Application> applications;
  ChunkedVector<CreditNote> credit_notes;  // credit_note_no = index + 1
  ChunkedVector<LedgerEntry> ledger;
  ChunkedText text;  // the Text arena: grows without copying (engine/chunked_text.h)

  ListEnds held_list;
  ListEnds accepted_list;

  // Retention (image version 6, engine/archive.cc): the orders below this index are archived.
  // Their headers stay (status, totals, customer, client order id: what get_order, list_orders
  // and a repeated submit_order answer from) with no lines, reasons or events; the chunks of
  // `lines`, `reasons` and `events` below those vectors' floor() were given back.
  uint32_t archived_orders = 0;
  bool archived(uint32_t order) const { return order < archived_orders; }
  // Derived (rebuilt on load, never in the image): per chunk of `events`, how many of its events
  // belong to orders not archived; the floor of `events` moves past chunks that reach 0.
  std::vector<uint32_t> live_events;
  // Derived (rebuilt on load): returns requested and not yet received, per order index. An
  // order with one is not archived (receiving it needs the order's lines).
  std::unordered_map<uint32_t, uint32_t> returns_under_way;

  // The daily report, sparse: rows sorted by day (strictly increasing), one per day that saw
  // activity. A clock moved years ahead costs one row, not one per skipped day (a dense table
  // from 0000-01-01 to 9999-12-31 would be 3.6M rows, ~940 MB).
  std::vector<DailyRow> daily;

  // ---- orderbook ----
  Interner amendment_keys;  // key: 4-byte order index + amendment_id; id == amendment index
  ChunkedVector<Amendment> amendments;
  // list_orders' indexes: order indices in ascending order (so also by submission time), per
  // customer and per submitting principal. Derived: rebuilt from the orders on load, not in the
  // state image (engine/order_ledger.cc).
  // Lists that never copy as they grow (engine/chunked_list.h): a principal's list reaches
  // millions.
  std::vector<ChunkedList<uint32_t>> orders_by_customer;
  std::vector<ChunkedList<uint32_t>> orders_by_principal;

  // ---- receivables (branch receivables) ----
  ChunkedVector<Settlement> settlements;
  std::vector<PaymentReversal> reversals;
  std::vector<Application> reversal_reopened;
  Interner refund_refs;  // id == refund index
  BigVector<RefundRec> refunds;
  ChunkedVector<InvoiceLine> invoice_lines;
  ChunkedVector<uint32_t> invoice_first_line;  // by invoice: its first row in invoice_lines
  // Derived (rebuilt on load, not in the image): by payment index, its reversal or kNone.
  std::vector<uint32_t> reversal_of_payment;

  // creditdata: proposals and credit histories (serialized at the end of the image), and the
  // customers by (review_due, index) for list_reviews_due: derived from Customer::review_due,
  // rebuilt on load, never serialized.
  std::vector<CreditProposal> proposals;
  std::vector<CreditEvent> credit_events;
  std::set<std::pair<Day, uint32_t>> review_index;
  // Deposit orders waiting for their deposit, by (deadline, order index): derived (rebuilt on
  // load from the orders, never serialized); entries of orders paid or closed since are skipped.
  std::set<std::pair<TimeMs, uint32_t>> deposit_waiting;

  // Write-offs and returns (branch writeoff): the register, recoveries by day, returns.
  std::vector<WriteOffRec> write_offs;
  std::vector<RecoveryDay> recovery_days;
  std::vector<PaymentRecovery> payment_recoveries;
  std::vector<ReturnRec> returns;
  std::vector<ReturnLine> return_lines;
  // Derived from write_offs (rebuilt when an image is loaded, not part of it): the write-offs
  // of each invoice and of each customer, in register order.
  std::unordered_map<uint32_t, std::vector<uint32_t>> write_offs_of_invoice;
  std::unordered_map<uint32_t, std::vector<uint32_t>> write_offs_of_customer;

  // pricing (image version 4): the price agreements, and derived from them (rebuilt on load,
  // not in the image) the agreements of each (customer, product), in the order they were made.
  Interner agreement_refs;
  std::vector<PriceAgreement> agreements;
  std::unordered_map<uint64_t, std::vector<uint32_t>> agreements_of;

  // Scratch for deciding an order (not state; not serialized): quantity already asked for by
  // earlier lines of the order being decided, per product.
  mutable std::vector<Qty> pending_qty;

  // ---- small helpers shared by the .cc files ------------------------------------------------
  std::string_view text_of(Text t) const { return text.view(t.offset, t.len); }
  Text add_text(std::string_view s) { return Text{text.append(s), static_cast<uint32_t>(s.size())}; }
  Day today() const { return day_of(now); }
  // The row for day `d`, created if missing. Today's row is almost always the last one, so
  // the common cases are O(1) (return or append); an earlier day is a binary search and,
  // for a new row, an insert. The reference is valid until the next call that adds a row.
  DailyAgg& daily_at(Day d);
  // The row for day `d`, or nullptr if that day had no activity. O(log rows).
  const DailyAgg* daily_find(Day d) const;
};

}  // namespace credo
