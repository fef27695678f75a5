// The canonical serialization of the whole state: snapshots and state_hash() both use it.
// Format: "CREDOST3", then every field of the state in a fixed order, little-endian fixed-width
// integers, vectors as a u64 count followed by the elements, interners as their strings in id
// order (ids are rebuilt by interning them again in the same order). One field list per struct
// (`fields`) drives both writing and reading, so the two can never disagree.
// Version 2 stores the daily report sparse (a u64 count, then per row its day and its sums);
// version 1 ("CREDOST1") stored it dense (a base day, then one row per day from it) and still
// loads: its rows are read, the all-zero ones dropped (docs/wal_format.md, "State image").
// Version 3 appends the policy's approval knobs (branch auth); a version-2 image loads with
// their defaults.
// Version 3 appends the orderbook block (amendments, on-time delivery per day); a version-2
// image still loads, with no amendments and on-time counts of zero.
// Version 3 appends the receivables history (settlements, reversals, refunds, invoice lines);
// a version 1 or 2 image loads with that history made up from what it has (read_receivables).
// Version 3 adds the credit data at the end (review dates, histories, proposals) and a 13th
// hold reason to each daily row; versions 1 and 2 still load (io_credit_data).
// Version 3 appends the write-off register, recoveries and returns with their policy knobs
// (branch writeoff); a version 2 image loads with them empty and the knobs at their defaults.
// Version 4 (pricing) adds each order line's price source and appends the price agreements; a
// version 1-3 image loads with no agreements and its lines' sources derived from their prices.
// Version 5 (rules) counts 14 hold reasons in each daily row (ORDER_CREDIT_CAP), adds each
// order's deposit (due, paid, deadline) and appends the policy's order credit caps and deposit
// knobs; a version 1-4 image loads with no deposits and those knobs at their defaults.
#include <xxhash.h>

#include <cstring>

#include "engine/engine.h"
#include "engine/handlers.h"

namespace credo {
namespace {

constexpr char kMagic[8] = {'C', 'R', 'E', 'D', 'O', 'S', 'T', '6'};
constexpr char kMagicV5[8] = {'C', 'R', 'E', 'D', 'O', 'S', 'T', '5'};
constexpr char kMagicV4[8] = {'C', 'R', 'E', 'D', 'O', 'S', 'T', '4'};
constexpr char kMagicV3[8] = {'C', 'R', 'E', 'D', 'O', 'S', 'T', '3'};
constexpr char kMagicV2[8] = {'C', 'R', 'E', 'D', 'O', 'S', 'T', '2'};
constexpr char kMagicV1[8] = {'C', 'R', 'E', 'D', 'O', 'S', 'T', '1'};
// Hold reasons before CREDIT_REVIEW_DUE: the daily rows of a version 1 or 2 image have this many.
constexpr int kReasonCountV2 = 12;
// Hold reasons before ORDER_CREDIT_CAP: the daily rows of a version 3 or 4 image.
constexpr int kReasonCountV4 = 13;

struct Writer {
  std::string& out;
  int version = Engine::kImageVersion;  // save_version(4) writes the previous layout
  void bytes(const char* p, std::size_t n) { out.append(p, n); }
  template <typename T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(reinterpret_cast<const char*>(&v), sizeof v);
  }
};

// Feeds the same byte stream as Writer into XXH3 without building the image: state_hash()
// costs one pass and no memory. Small writes are gathered in a buffer first.
struct HashWriter {
  int version = Engine::kImageVersion;
  XXH3_state_t* state = nullptr;
  char buf[4096] = {};
  std::size_t used = 0;
  void flush() {
    XXH3_64bits_update(state, buf, used);
    used = 0;
  }
  void bytes(const char* p, std::size_t n) {
    if (used + n > sizeof buf) flush();
    if (n > sizeof buf) {
      XXH3_64bits_update(state, p, n);
      return;
    }
    std::memcpy(buf + used, p, n);
    used += n;
  }
  template <typename T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(reinterpret_cast<const char*>(&v), sizeof v);
  }
};

struct Reader {
  std::string_view in;
  std::size_t pos = 0;
  int version = Engine::kImageVersion;  // of the image being read: 1 has the dense daily table
  bool ok = true;
  template <typename T>
  void pod(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (!ok || in.size() - pos < sizeof v) {
      ok = false;
      v = T{};
      return;
    }
    std::memcpy(&v, in.data() + pos, sizeof v);
    pos += sizeof v;
  }
  // A bool is read as its byte: any value but 0 or 1 is not a bool (reading it as one is
  // undefined behaviour), so it makes the image malformed.
  void pod(bool& v) {
    uint8_t byte = 0;
    pod(byte);
    if (byte > 1) ok = false;
    v = byte == 1;
  }
  std::size_t left() const { return in.size() - pos; }
};

// ---- one field list per struct ------------------------------------------------------------
template <typename IO, typename T>
void io(IO& f, T& v);

// How many hold reasons a daily row of the image counts.
template <typename IO>
int reasons_in_image(const IO& f) {
  if constexpr (std::is_same_v<IO, Reader>)
    if (f.version < 3) return kReasonCountV2;
  if (f.version < 5) return kReasonCountV4;  // a writer too: save_version(4)
  return kReasonCount;
}

template <typename IO>
void io_enum(IO& f, auto& e) {
  uint8_t v = static_cast<uint8_t>(e);
  f.pod(v);
  e = static_cast<std::remove_reference_t<decltype(e)>>(v);
}

template <typename IO, typename V>
void io_vec(IO& f, V& v) {
  uint64_t n = v.size();
  f.pod(n);
  if constexpr (std::is_same_v<IO, Reader>) {
    if (!f.ok || n > f.left()) {  // every element takes at least one byte
      f.ok = false;
      return;
    }
    v.resize(n);
  }
  for (auto& x : v) io(f, x);
}

// A table whose prefix archiving releases (lines, reasons, events; engine/archive.cc). From
// version 6: its floor and size, then the elements from the floor on. Before: every element.
template <typename IO, typename T>
void io_tail_vec(IO& f, ChunkedVector<T>& v) {
  if (f.version < 6) {
    CREDO_ASSERT(v.floor() == 0, "an image before version 6 holds every element");
    io_vec(f, v);
    return;
  }
  uint64_t floor = v.floor(), n = v.size();
  f.pod(floor);
  f.pod(n);
  if constexpr (std::is_same_v<IO, Reader>) {
    // Indices into these tables are 32-bit; every element takes at least one byte.
    if (!f.ok || floor > n || n > UINT32_MAX || n - floor > f.left()) {
      f.ok = false;
      return;
    }
    v.start_at(floor);
    v.resize(n);
  }
  for (uint64_t i = floor; i < n; ++i) io(f, v[i]);
}

template <typename IO>
void io_string(IO& f, std::string& s) {
  uint64_t n = s.size();
  f.pod(n);
  if constexpr (std::is_same_v<IO, Reader>) {
    if (!f.ok || n > f.left()) {
      f.ok = false;
      return;
    }
    s.assign(f.in.data() + f.pos, n);
    f.pos += n;
  } else {
    f.bytes(s.data(), s.size());
  }
}

// The text arena as one string: the same bytes as when it was a std::string.
template <typename IO>
void io_arena(IO& f, ChunkedText& t) {
  uint64_t n = t.size();
  f.pod(n);
  if constexpr (std::is_same_v<IO, Reader>) {
    if (!f.ok || n > f.left() || t.size() != 0) {
      f.ok = false;
      return;
    }
    t.append(f.in.substr(f.pos, n));
    f.pos += n;
  } else {
    t.for_each_piece([&f](const char* p, std::size_t len) { f.bytes(p, len); });
  }
}

template <typename IO>
void io_interner(IO& f, Interner& in) {
  uint64_t n = in.size();
  f.pod(n);
  if constexpr (std::is_same_v<IO, Reader>) {
    if (!f.ok || n > f.left()) {
      f.ok = false;
      return;
    }
    std::string s;
    for (uint64_t i = 0; i < n && f.ok; ++i) {
      io_string(f, s);
      if (s.size() > Interner::kMaxKeyBytes) f.ok = false;  // no valid id is that long
      if (f.ok && in.intern(s) != i) f.ok = false;  // duplicate key: not a valid image
    }
  } else {
    for (uint32_t i = 0; i < n; ++i) {
      std::string s(in.view(i));
      io_string(f, s);
    }
  }
}

// Text is packed (engine/state.h): its fields are copied through locals, not bound by reference.
template <typename IO>
void io_text(IO& f, Text& t) {
  uint64_t offset = t.offset;
  uint32_t len = t.len;
  f.pod(offset);
  f.pod(len);
  if constexpr (std::is_same_v<IO, Reader>) t = Text{offset, len};
}

// A line quantity: stored in 32 bits (engine/state.h OrderLine), written as the 64-bit Qty it
// always was. An image whose value does not fit is malformed (no engine ever wrote one: the
// values are bounded by kQtyMax).
template <typename IO>
void io_line_qty(IO& f, LineQty& v) {
  Qty wide = v;
  f.pod(wide);
  if constexpr (std::is_same_v<IO, Reader>) {
    if (wide < INT32_MIN || wide > INT32_MAX) {
      f.ok = false;
      wide = 0;
    }
    v = static_cast<LineQty>(wide);
  }
}

template <typename IO, typename T>
void io(IO& f, T& v) {
  if constexpr (std::is_arithmetic_v<T>) {
    f.pod(v);
  } else if constexpr (std::is_enum_v<T>) {
    io_enum(f, v);
  } else if constexpr (std::is_same_v<T, Customer>) {
    f.pod(v.exists);
    io_enum(f, v.grade);
    io_enum(f, v.status);
    f.pod(v.suspended_by_ladder);
    f.pod(v.ladder_override);
    f.pod(v.terms_days);
    f.pod(v.credit_limit);
    f.pod(v.open_orders);
    f.pod(v.held);
    f.pod(v.receivables);
    f.pod(v.unapplied);
    f.pod(v.prepaid_reserved);
    f.pod(v.ledger_balance);
    io_text(f, v.name);
    io_text(f, v.status_reason);
    io_vec(f, v.open_invoices);
    io_vec(f, v.ledger);
  } else if constexpr (std::is_same_v<T, Product>) {
    f.pod(v.exists);
    f.pod(v.price);
    f.pod(v.floor_price);
    f.pod(v.on_hand);
    f.pod(v.reserved);
    io_text(f, v.name);
  } else if constexpr (std::is_same_v<T, OrderLine>) {
    f.pod(v.product);
    io_line_qty(f, v.qty);
    f.pod(v.unit_price);
    f.pod(v.discount_bp);
    f.pod(v.amount);
    io_line_qty(f, v.shipped);
    io_line_qty(f, v.returned);
    // Version 4 (pricing): where the price came from; older lines derive it after loading.
    bool has_source = true;
    if constexpr (std::is_same_v<IO, Reader>) has_source = f.version >= 4;
    if (has_source) io_enum(f, v.price_source);
  } else if constexpr (std::is_same_v<T, PriceAgreement>) {
    f.pod(v.customer);
    f.pod(v.product);
    f.pod(v.unit_price);
    f.pod(v.from);
    f.pod(v.to);
    f.pod(v.ended);
    f.pod(v.made_by);
    f.pod(v.made_at);
    f.pod(v.ended_by);
    f.pod(v.ended_at);
    io_text(f, v.end_reason);
  } else if constexpr (std::is_same_v<T, ReasonRec>) {
    io_enum(f, v.code);
    f.pod(v.required_level);
    f.pod(v.line);
    f.pod(v.available);
  } else if constexpr (std::is_same_v<T, EventRec>) {
    io_enum(f, v.kind);
    f.pod(v.principal);
    f.pod(v.at);
    f.pod(v.number);
    f.pod(v.amount);
    io_text(f, v.text);
    f.pod(v.next);
  } else if constexpr (std::is_same_v<T, Order>) {
    f.pod(v.customer);
    f.pod(v.submitted_by);
    f.pod(v.client_order_id);
    io_enum(f, v.status);
    io_enum(f, v.decision);
    io_enum(f, v.payment);
    io_enum(f, v.list);
    f.pod(v.first_line);
    f.pod(v.line_count);
    f.pod(v.first_reason);
    f.pod(v.reason_count);
    f.pod(v.total);
    f.pod(v.open_value);
    f.pod(v.prepaid_remaining);
    f.pod(v.at);
    f.pod(v.accepted_at);
    f.pod(v.ship_by);
    f.pod(v.day);
    io_text(f, v.ref);
    f.pod(v.first_event);
    f.pod(v.last_event);
    f.pod(v.first_invoice);
    f.pod(v.last_invoice);
    f.pod(v.prev);
    f.pod(v.next);
    // Version 5 (rules): the deposit of a deposit order; older orders have none.
    if (f.version >= 5) {
      f.pod(v.deposit_due);
      f.pod(v.deposit_paid);
      f.pod(v.deposit_deadline);
    }
  } else if constexpr (std::is_same_v<T, Invoice>) {
    f.pod(v.customer);
    f.pod(v.order);
    f.pod(v.amount);
    f.pod(v.open);
    f.pod(v.issued);
    f.pod(v.due);
    f.pod(v.next_in_order);
  } else if constexpr (std::is_same_v<T, Payment>) {
    f.pod(v.customer);
    f.pod(v.amount);
    f.pod(v.at);
    f.pod(v.first_application);
    f.pod(v.application_count);
  } else if constexpr (std::is_same_v<T, Application>) {
    f.pod(v.invoice_no);
    f.pod(v.amount);
  } else if constexpr (std::is_same_v<T, LedgerEntry>) {
    io_enum(f, v.kind);
    f.pod(v.date);
    f.pod(v.number);
    f.pod(v.payment);
    f.pod(v.amount);
    f.pod(v.balance);
  } else if constexpr (std::is_same_v<T, CreditNote>) {
    f.pod(v.order);
    f.pod(v.amount);
    f.pod(v.at);
  } else if constexpr (std::is_same_v<T, Amendment>) {
    // prev is not written: rebuilt on load (rebuild_order_indexes).
    f.pod(v.order);
    f.pod(v.principal);
    f.pod(v.at);
    f.pod(v.taken);
    io_enum(f, v.decision);
    f.pod(v.version);
    f.pod(v.old_first_line);
    f.pod(v.old_line_count);
    f.pod(v.new_first_line);
    f.pod(v.new_line_count);
    f.pod(v.first_reason);
    f.pod(v.reason_count);
    f.pod(v.old_total);
    f.pod(v.new_total);
    f.pod(v.old_ship_by);
    f.pod(v.new_ship_by);
    io_text(f, v.old_ref);
    io_text(f, v.new_ref);
  } else if constexpr (std::is_same_v<T, Settlement>) {
    f.pod(v.invoice);
    f.pod(v.day);
    io_enum(f, v.source);
    f.pod(v.amount);
    f.pod(v.undone);
  } else if constexpr (std::is_same_v<T, PaymentReversal>) {
    f.pod(v.payment);
    f.pod(v.at);
    io_text(f, v.reason);
    f.pod(v.suspend);
    f.pod(v.first_reopened);
    f.pod(v.reopened_count);
    f.pod(v.unapplied_taken);
  } else if constexpr (std::is_same_v<T, RefundRec>) {
    f.pod(v.customer);
    f.pod(v.amount);
    f.pod(v.at);
    io_text(f, v.reason);
  } else if constexpr (std::is_same_v<T, InvoiceLine>) {
    f.pod(v.product);
    f.pod(v.qty);
    f.pod(v.amount);
  } else if constexpr (std::is_same_v<T, CreditProposal>) {
    f.pod(v.customer);
    f.pod(v.proposed_by);
    io_enum(f, v.status);
    f.pod(v.credit_limit);
    f.pod(v.at);
    io_text(f, v.reason);
    f.pod(v.decided_by);
    f.pod(v.decided_at);
    io_text(f, v.decision_note);
  } else if constexpr (std::is_same_v<T, CreditEvent>) {
    f.pod(v.customer);
    io_enum(f, v.kind);
    f.pod(v.at);
    f.pod(v.by);
    f.pod(v.level);
    f.pod(v.proposed_by);
    f.pod(v.proposal_no);
    f.pod(v.limit_from);
    f.pod(v.limit_to);
    io_enum(f, v.grade_from);
    io_enum(f, v.grade_to);
    f.pod(v.terms_from);
    f.pod(v.terms_to);
    io_enum(f, v.status_from);
    io_enum(f, v.status_to);
    f.pod(v.review_due);
    io_text(f, v.reason);
  } else if constexpr (std::is_same_v<T, WriteOffRec>) {
    f.pod(v.invoice);
    io_enum(f, v.status);
    io_enum(f, v.reason_code);
    io_text(f, v.reason);
    f.pod(v.amount);
    f.pod(v.proposed_by);
    f.pod(v.proposed_at);
    f.pod(v.approved_by);
    f.pod(v.approved_at);
    io_text(f, v.note);
    f.pod(v.recovered);
  } else if constexpr (std::is_same_v<T, RecoveryDay>) {
    f.pod(v.day);
    f.pod(v.count);
    f.pod(v.amount);
  } else if constexpr (std::is_same_v<T, PaymentRecovery>) {
    f.pod(v.payment);
    f.pod(v.invoice);
    f.pod(v.amount);
  } else if constexpr (std::is_same_v<T, ReturnRec>) {
    f.pod(v.order);
    io_enum(f, v.status);
    io_text(f, v.reason);
    f.pod(v.value);
    f.pod(v.first_line);
    f.pod(v.line_count);
    f.pod(v.requested_by);
    f.pod(v.requested_at);
    f.pod(v.approved_by);
    f.pod(v.approved_at);
    io_text(f, v.note);
    f.pod(v.received_by);
    f.pod(v.received_at);
    f.pod(v.credit_note_no);
  } else if constexpr (std::is_same_v<T, ReturnLine>) {
    f.pod(v.product);
    f.pod(v.qty);
    f.pod(v.received);
    f.pod(v.passed);
  } else if constexpr (std::is_same_v<T, DailyRow>) {
    f.pod(v.day);
    io(f, v.agg);
  } else if constexpr (std::is_same_v<T, DailyAgg>) {
    for (auto& x : v.count_by_status) f.pod(x);
    for (auto& x : v.value_by_status) f.pod(x);
    for (int i = 0; i < reasons_in_image(f); ++i) f.pod(v.holds_by_reason[i]);
    f.pod(v.shipments);
    f.pod(v.shipped_value);
    f.pod(v.payments);
    f.pod(v.payments_received);
    f.pod(v.returns);
    f.pod(v.returns_value);
    f.pod(v.write_offs);
    f.pod(v.written_off);
  } else {
    static_assert(sizeof(T) == 0, "no field list for this type");
  }
}

// Version 1's dense daily table: a base day, then a row for every day from it, most of them
// zero after a clock jump. Rows with activity become sparse rows; the rest are dropped.
void read_daily_v1(Reader& f, State& s) {
  Day base = 0;
  uint64_t n = 0;
  f.pod(base);
  f.pod(n);
  // A version 1 row: the counts and values by status, the holds by reason, eight sums.
  constexpr std::size_t kRowBytes = sizeof(Money) * (2 * kOrderStatusCount + kReasonCountV2 + 8);
  if (!f.ok || n > f.left() / kRowBytes ||
      int64_t{base} + static_cast<int64_t>(n) > int64_t{INT32_MAX}) {
    f.ok = false;
    return;
  }
  const DailyAgg zero{};
  for (uint64_t i = 0; i < n && f.ok; ++i) {
    DailyRow row{static_cast<Day>(base + static_cast<int64_t>(i)), {}};
    io(f, row.agg);
    if (row.agg != zero) s.daily.push_back(row);
  }
}

// ---- receivables (branch receivables) ----
// An image from before version 3 has no settlement history: each invoice's settled part
// (amount - open) is dated on its issue day, which keeps aging as_of exact from today on and
// puts older settlements on the invoice date. Its invoices have no lines on record.
void made_up_receivables(State& s) {
  for (uint32_t inv = 0; inv < s.invoices.size(); ++inv) {
    const Invoice& invoice = s.invoices[inv];
    s.invoice_first_line.push_back(0);
    if (invoice.amount == invoice.open || invoice.customer >= s.customers.size()) continue;
    s.customers[invoice.customer].settlements.push_back(
        static_cast<uint32_t>(s.settlements.size()));
    s.settlements.push_back(
        {inv, invoice.issued, SettleSource::payment, invoice.amount - invoice.open, 0});
  }
}

template <typename IO>
void io_receivables(IO& f, State& s) {
  if constexpr (std::is_same_v<IO, Reader>) {
    if (f.version < 3) {
      made_up_receivables(s);
      internal::rebuild_reversal_index(s);
      return;
    }
  }
  f.pod(s.policy.doubtful_after_days);
  for (Customer& c : s.customers) io_vec(f, c.settlements);
  io_vec(f, s.settlements);
  io_vec(f, s.reversals);
  io_vec(f, s.reversal_reopened);
  io_interner(f, s.refund_refs);
  io_vec(f, s.refunds);
  io_vec(f, s.invoice_lines);
  io_vec(f, s.invoice_first_line);
  if constexpr (std::is_same_v<IO, Reader>) internal::rebuild_reversal_index(s);
}

// ---- creditdata (version 3): the policy's credit members, review dates, credit histories,
// proposals. An older image has none (its policy keeps the defaults): its customers are due for
// review one grade cycle after the image's business day, their histories start empty. The review
// index is derived, rebuilt here.
template <typename IO>
void io_credit_data(IO& f, State& s) {
  bool in_image = true;
  if constexpr (std::is_same_v<IO, Reader>) in_image = f.version >= 3;
  if (in_image) {
    Policy& p = s.policy;
    for (auto& x : p.credit_limit_max_minor) f.pod(x);
    f.pod(p.review_cycle_days_a);
    f.pod(p.review_cycle_days_b);
    f.pod(p.review_cycle_days_c);
    f.pod(p.review_cycle_days_d);
    f.pod(p.review_grace_days);
    for (Customer& c : s.customers) {
      f.pod(c.review_due);
      io_vec(f, c.credit_history);
    }
    io_vec(f, s.proposals);
    io_vec(f, s.credit_events);
  }
  if constexpr (std::is_same_v<IO, Reader>) {
    if (!f.ok) return;
    s.review_index.clear();
    for (uint32_t c = 0; c < s.customers.size(); ++c) {
      Customer& cust = s.customers[c];
      // An image whose clock is out of range is refused after loading (validate): derive
      // nothing from it (found by fuzz/snapshot: day_of(INT64_MIN) overflowed).
      if (!in_image)
        cust.review_due = cust.exists && time_in_range(s.now)
                              ? day_of(s.now) + internal::review_cycle_days(s.policy, cust.grade)
                              : kNoDay;
      if (cust.review_due != kNoDay) s.review_index.insert({cust.review_due, c});
    }
  }
}

// An image from before version 4 has no price sources: a line at its product's list price
// reads as `list`, any other as `requested` (there were no agreements then).
void derive_price_sources(State& s) {
  for (std::size_t l = 0; l < s.lines.size(); ++l) {
    OrderLine& line = s.lines[l];
    line.price_source = line.product < s.products.size() &&
                                line.unit_price == s.products[line.product].price
                            ? PriceSource::list
                            : PriceSource::requested;
  }
}

template <typename IO>
void io_state(IO& f, State& s) {
  Policy& p = s.policy;
  for (auto& x : p.approve_total_max_minor) f.pod(x);
  for (auto& x : p.discount_max_bp) f.pod(x);
  f.pod(p.hold_ttl_hours);
  f.pod(p.order_ttl_days);
  f.pod(p.overdue_hold_days);
  f.pod(p.suspend_after_days);
  f.pod(s.now);
  f.pod(s.ladder_day);
  f.pod(s.last_seq);
  f.pod(s.commands_applied);
  io_interner(f, s.customer_ids);
  io_interner(f, s.skus);
  io_interner(f, s.principals);
  io_interner(f, s.client_order_ids);
  io_interner(f, s.payment_refs);
  io_vec(f, s.client_order_to_order);
  io_vec(f, s.customers);
  io_vec(f, s.products);
  io_vec(f, s.orders);
  io_tail_vec(f, s.lines);
  io_tail_vec(f, s.reasons);
  io_tail_vec(f, s.events);
  io_vec(f, s.invoices);
  io_vec(f, s.payments);
  io_vec(f, s.applications);
  io_vec(f, s.credit_notes);
  io_vec(f, s.ledger);
  io_arena(f, s.text);
  f.pod(s.held_list.head);
  f.pod(s.held_list.tail);
  f.pod(s.accepted_list.head);
  f.pod(s.accepted_list.tail);
  if constexpr (std::is_same_v<IO, Reader>) {
    if (f.version == 1) {
      read_daily_v1(f, s);
    } else {
      io_vec(f, s.daily);
    }
  } else {
    io_vec(f, s.daily);
  }
  // Version 3 appends blocks, each of which an older image lacks: auth and orderbook keep their
  // defaults then; receivables and creditdata derive theirs (io_receivables, io_credit_data).
  bool v3 = true;
  if constexpr (std::is_same_v<IO, Reader>) v3 = f.version >= 3;
  if (v3) {
    // ---- branch auth: who may release what ----
    // The per-reason levels as a count and one byte each: an image from before a reason was
    // added has fewer, and the new reason keeps its default.
    uint64_t n = f.version < 5 ? kReasonCountV4 : p.reason_levels.size();
    f.pod(n);
    if constexpr (std::is_same_v<IO, Reader>) {
      if (n > p.reason_levels.size()) {
        f.ok = false;
        return;
      }
    }
    for (uint64_t i = 0; i < n; ++i) f.pod(p.reason_levels[i]);
    f.pod(p.credit_limit_vp_pct);
    f.pod(p.allow_combined_roles);
    // ---- orderbook: amendments, then each daily row's on-time delivery counts ----
    io_interner(f, s.amendment_keys);
    io_vec(f, s.amendments);
    uint64_t rows = s.daily.size();
    f.pod(rows);
    if constexpr (std::is_same_v<IO, Reader>) {
      if (rows != s.daily.size()) f.ok = false;
    }
    for (DailyRow& row : s.daily) {
      f.pod(row.agg.shipments_with_ship_by);
      f.pod(row.agg.shipments_on_time);
    }
  }
  io_receivables(f, s);
  io_credit_data(f, s);
  // ---- branch writeoff: write-offs, recoveries, returns (version 3) ----
  if constexpr (std::is_same_v<IO, Reader>) {
    if (f.version < 3) {
      derive_price_sources(s);
      return;
    }
  }
  f.pod(p.writeoff_min_days_past_due);
  f.pod(p.single_approval_write_off);
  f.pod(p.return_vp_minor);
  io_vec(f, s.write_offs);
  io_vec(f, s.recovery_days);
  io_vec(f, s.payment_recoveries);
  io_vec(f, s.returns);
  io_vec(f, s.return_lines);
  if constexpr (std::is_same_v<IO, Reader>) internal::rebuild_write_off_index(s);
  // ---- pricing: price agreements (version 4) ----
  if constexpr (std::is_same_v<IO, Reader>) {
    if (f.version < 4) {
      derive_price_sources(s);
      return;
    }
  }
  io_interner(f, s.agreement_refs);
  io_vec(f, s.agreements);
  if constexpr (std::is_same_v<IO, Reader>) internal::rebuild_agreement_index(s);
  // ---- rules: credit by grade and deposits (version 5) ----
  if (f.version >= 5) {
    f.pod(p.max_order_credit_minor_a);
    f.pod(p.max_order_credit_minor_b);
    f.pod(p.max_order_credit_minor_c);
    f.pod(p.max_order_credit_minor_d);
    f.pod(p.deposit_pct_a);
    f.pod(p.deposit_pct_b);
    f.pod(p.deposit_pct_c);
    f.pod(p.deposit_pct_d);
    f.pod(p.deposit_ttl_days);
  }
  // ---- retention: archived orders (version 6) ----
  if (f.version >= 6) {
    f.pod(p.order_retention_days);
    f.pod(s.archived_orders);
  }
  if constexpr (std::is_same_v<IO, Reader>) internal::rebuild_deposit_index(s);
}

}  // namespace

void Engine::save(std::string& out) const {
  save_version(out, kImageVersion);
}

void Engine::save_version(std::string& out, int version) const {
  CREDO_ASSERT(version == kImageVersion || (version == 4 && s_->archived_orders == 0),
               "save_version writes the current version, or 4 while nothing is archived");
  out.clear();
  out.append(version == 4 ? kMagicV4 : kMagic, sizeof kMagic);
  Writer w{out, version};
  // io_state only reads when writing: one function serves both directions, so it takes State&.
  io_state(w, const_cast<State&>(*s_));  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

uint64_t Engine::state_hash() const {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  HashWriter w;
  w.state = state;
  w.bytes(kMagic, sizeof kMagic);
  io_state(w,
           const_cast<State&>(*s_));  // NOLINT(cppcoreguidelines-pro-type-const-cast): see save()
  w.flush();
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

int Engine::image_version(std::string_view image) {
  if (image.size() < sizeof kMagic) return 0;
  if (std::memcmp(image.data(), kMagic, sizeof kMagic) == 0) return kImageVersion;
  if (std::memcmp(image.data(), kMagicV5, sizeof kMagicV5) == 0) return 5;
  if (std::memcmp(image.data(), kMagicV4, sizeof kMagicV4) == 0) return 4;
  if (std::memcmp(image.data(), kMagicV3, sizeof kMagicV3) == 0) return 3;
  if (std::memcmp(image.data(), kMagicV2, sizeof kMagicV2) == 0) return 2;
  if (std::memcmp(image.data(), kMagicV1, sizeof kMagicV1) == 0) return 1;
  return 0;
}

bool Engine::load(std::string_view image, std::string* error) {
  auto fresh = std::make_unique<State>();
  const int version = image_version(image);
  if (version == 0) {
    if (error) *error = "not a credo state image (bad magic)";
    s_ = std::make_unique<State>();
    return false;
  }
  Reader r{image, sizeof kMagic, version};
  io_state(r, *fresh);
  std::string why;
  if (!r.ok)
    why = "truncated or malformed state image at byte " + std::to_string(r.pos);
  else if (r.pos != image.size())
    why = "trailing bytes after the state image";
  if (why.empty()) {
    internal::rebuild_order_indexes(*fresh);
    std::swap(s_, fresh);
    why = check_invariants(true);  // also checks that every index is in range
    if (!why.empty())
      why = "state image fails its invariants: " + why;
    else  // walks the event chains: only once they are known to be in range and acyclic
      internal::rebuild_archive_index(*s_);
  }
  if (!why.empty()) {
    if (error) *error = why;
    s_ = std::make_unique<State>();
    return false;
  }
  return true;
}

}  // namespace credo
