// The engine's state: flat arrays indexed by dense ids, private to the engine.
//
// Everything is a value in a vector, addressed by index, so the state has no pointers, iterates
// in a deterministic order and serializes field by field (serialize.cc). Customers and
// products that were only ever named in a rejected order exist as "phantoms" (exists == false):
// they give the order a place to point to and are invisible to every read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

// Free text (names, reasons, notes, refs) lives in one append-only arena.
struct Text {
  uint64_t offset = 0;
  uint32_t len = 0;
};

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
};

struct Product {
  bool exists = false;
  Money price = 0;
  Money floor_price = 0;
  Qty on_hand = 0;
  Qty reserved = 0;
  Text name;
};

struct OrderLine {
  uint32_t product = kNone;
  Qty qty = 0;
  Money unit_price = 0;
  int32_t discount_bp = 0;
  Money amount = 0;
  Qty shipped = 0;
  Qty returned = 0;
};

// A reason is stored exactly as it is answered (result.h): no second struct to keep in step.
using ReasonRec = ReasonView;

struct EventRec {
  EventKind kind = EventKind::submitted;
  uint32_t principal = kNone;
  TimeMs at = 0;
  uint64_t number = 0;
  Money amount = 0;
  Text text;
  uint32_t next = kNone;  // next event of the same order
};

// Which intrusive list an order is on: open (held or accepted with something unshipped) orders
// are kept in decision order so that expiry pops from the front.
enum class OpenList : uint8_t { none, held, accepted };

struct Order {
  uint32_t customer = kNone;
  uint32_t submitted_by = kNone;     // principal id
  uint32_t client_order_id = kNone;  // id in State::client_order_ids, or kNone
  OrderStatus status = OrderStatus::rejected;
  OrderStatus decision = OrderStatus::rejected;
  PaymentTerms payment = PaymentTerms::credit;
  OpenList list = OpenList::none;
  uint32_t first_line = 0;
  uint32_t line_count = 0;
  uint32_t first_reason = 0;
  uint32_t reason_count = 0;
  Money total = 0;
  Money open_value = 0;         // value of the unshipped rest while held/accepted, else 0
  Money prepaid_remaining = 0;  // prepaid orders: reservation not yet used by shipments
  TimeMs at = 0;                // decided
  TimeMs accepted_at = 0;       // became accepted (expiry clock for accepted orders)
  Day ship_by = kNoDay;
  Day day = 0;  // day decided (daily report bucket)
  Text ref;
  uint32_t first_event = kNone;
  uint32_t last_event = kNone;
  uint32_t first_invoice = kNone;  // invoices of this order, linked by Invoice::next_in_order
  uint32_t last_invoice = kNone;
  uint32_t prev = kNone;  // neighbours on the open list
  uint32_t next = kNone;
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

struct CreditNote {
  uint32_t order = kNone;
  Money amount = 0;
  TimeMs at = 0;
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
  BigVector<Payment> payments;      // payment number = index + 1
  std::vector<Application> applications;
  BigVector<CreditNote> credit_notes;  // credit_note_no = index + 1
  ChunkedVector<LedgerEntry> ledger;
  std::string text;  // the Text arena

  ListEnds held_list;
  ListEnds accepted_list;

  // The daily report, sparse: rows sorted by day (strictly increasing), one per day that saw
  // activity. A clock moved years ahead costs one row, not one per skipped day (a dense table
  // from 0000-01-01 to 9999-12-31 would be 3.6M rows, ~940 MB).
  std::vector<DailyRow> daily;

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

  // Scratch for deciding an order (not state; not serialized): quantity already asked for by
  // earlier lines of the order being decided, per product.
  mutable std::vector<Qty> pending_qty;

  // ---- small helpers shared by the .cc files ------------------------------------------------
  std::string_view text_of(Text t) const { return {text.data() + t.offset, t.len}; }
  Text add_text(std::string_view s) {
    Text t{text.size(), static_cast<uint32_t>(s.size())};
    text.append(s);
    return t;
  }
  Day today() const { return day_of(now); }
  // The row for day `d`, created if missing. Today's row is almost always the last one, so
  // the common cases are O(1) (return or append); an earlier day is a binary search and,
  // for a new row, an insert. The reference is valid until the next call that adds a row.
  DailyAgg& daily_at(Day d);
  // The row for day `d`, or nullptr if that day had no activity. O(log rows).
  const DailyAgg* daily_find(Day d) const;
};

}  // namespace credo
