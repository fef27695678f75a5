// check_invariants: recomputes what the engine keeps incrementally and compares. Used after
// every step of the randomized test, after loading a snapshot, and by `credo-wal verify`.
// Index ranges are checked before anything is dereferenced, so a corrupt image is reported,
// not followed.
#include <cstring>
#include <sstream>

#include "engine/engine.h"
#include "engine/handlers.h"

namespace credo {
namespace {

class Checker {
 public:
  explicit Checker(const State& s) : s_(s) {}

  std::string run(bool full) {
    // Index ranges only change when an image is loaded (load() runs the full check); the
    // cheap check skips them so it stays O(customers + products + open orders + open invoices).
    if (full && !indexes()) return msg_.str();
    if (full && !values()) return msg_.str();
    if (!open_orders()) return msg_.str();
    if (!customers()) return msg_.str();
    if (!credit_data(full)) return msg_.str();
    if (!write_offs_and_returns(full)) return msg_.str();
    if (full && !all_orders()) return msg_.str();
    if (full && !ledgers()) return msg_.str();
    if (full) {
      std::string why = internal::check_order_indexes(s_);
      if (!why.empty()) return why;
      why = internal::check_agreements(s_);
      if (!why.empty()) return why;
    }
    if (full && !receivables_history()) return msg_.str();
    return {};
  }

 private:
  template <typename... Args>
  bool bad(const Args&... args) {
    (msg_ << ... << args);
    return false;
  }

  static bool in(uint32_t idx, std::size_t size) { return idx < size; }

  bool indexes() {
    const State& s = s_;
    if (s.customers.size() != s.customer_ids.size()) return bad("customers vs ids count");
    if (s.products.size() != s.skus.size()) return bad("products vs skus count");
    if (s.client_order_to_order.size() != s.client_order_ids.size())
      return bad("client_order_ids count");
    if (s.payments.size() != s.payment_refs.size()) return bad("payments vs refs count");
    for (uint32_t i = 0; i < s.customer_ids.size(); ++i)
      if (!Key::valid(s.customer_ids.view(i))) return bad("customer id ", i, " is not a valid id");
    for (uint32_t i = 0; i < s.skus.size(); ++i)
      if (!Key::valid(s.skus.view(i))) return bad("sku ", i, " is not a valid id");
    for (uint32_t i = 0; i < s.principals.size(); ++i)
      if (!Key::valid(s.principals.view(i))) return bad("principal ", i, " is not a valid id");
    for (uint32_t i = 0; i < s.payment_refs.size(); ++i)
      if (!Key::valid(s.payment_refs.view(i))) return bad("payment_ref ", i, " is not valid");
    for (uint32_t i = 0; i < s.client_order_ids.size(); ++i) {
      const std::string_view k = s.client_order_ids.view(i);
      if (k.size() < 5 || !Key::valid(k.substr(4))) return bad("client_order_id ", i);
      if (!in(s.client_order_to_order[i], s.orders.size())) return bad("client order map ", i);
    }
    auto text_ok = [&](Text t) {
      return t.offset <= s.text.size() && t.len <= s.text.size() - t.offset &&
             t.len <= ChunkedText::kMaxView;
    };
    for (const Customer& c : s.customers) {
      if (!text_ok(c.name) || !text_ok(c.status_reason)) return bad("customer text range");
      for (uint32_t inv : c.open_invoices)
        if (!in(inv, s.invoices.size())) return bad("open invoice index");
      for (uint32_t e : c.ledger)
        if (!in(e, s.ledger.size())) return bad("ledger index");
    }
    for (const Product& p : s.products)
      if (!text_ok(p.name)) return bad("product text range");
    for (std::size_t i = 0; i < s.orders.size(); ++i) {
      const Order& o = s.orders[i];
      if (!in(o.customer, s.customers.size()) || !in(o.submitted_by, s.principals.size()))
        return bad("order ", i, ": customer or principal out of range");
      if (o.client_order_id != kNone && !in(o.client_order_id, s.client_order_ids.size()))
        return bad("order ", i, ": client_order_id out of range");
      if (o.client_order_id != kNone) {
        // The idempotency key is (customer, client_order_id) and leads back to this order.
        uint32_t key_customer;
        std::memcpy(&key_customer, s.client_order_ids.view(o.client_order_id).data(), 4);
        if (key_customer != o.customer || s.client_order_to_order[o.client_order_id] != i)
          return bad("order ", i, ": client_order_id does not lead back to it");
      }
      if (uint64_t{o.first_line} + o.line_count > s.lines.size() ||
          uint64_t{o.first_reason} + o.reason_count > s.reasons.size())
        return bad("order ", i, ": lines or reasons out of range");
      // Archived (engine/archive.cc): no lines, reasons or events. Not archived: none of them in
      // a released prefix.
      if (s.archived(static_cast<uint32_t>(i))
              ? o.line_count != 0 || o.reason_count != 0 || o.first_event != kNone ||
                    o.last_event != kNone || o.list != OpenList::none
              : (o.line_count != 0 && o.first_line < s.lines.floor()) ||
                    (o.reason_count != 0 && o.first_reason < s.reasons.floor()) ||
                    (o.first_event != kNone && o.first_event < s.events.floor()) ||
                    (o.last_event != kNone && o.last_event < s.events.floor()))
        return bad("order ", i, ": archived with detail, or detail in a released prefix");
      if (!text_ok(o.ref)) return bad("order ", i, ": ref out of range");
      for (uint32_t e : {o.first_event, o.last_event})
        if (e != kNone && !in(e, s.events.size())) return bad("order ", i, ": event out of range");
      for (uint32_t e : {o.prev, o.next})
        if (e != kNone && !in(e, s.orders.size())) return bad("order ", i, ": list out of range");
      for (uint32_t e : {o.first_invoice, o.last_invoice})
        if (e != kNone && !in(e, s.invoices.size())) return bad("order ", i, ": invoice link");
      if (static_cast<int>(o.status) > 5 || static_cast<int>(o.list) > 2)
        return bad("order ", i, ": bad enum");
    }
    if (s.archived_orders > s.orders.size()) return bad("more orders archived than there are");
    for (const ReturnRec& r : s.returns)
      if (r.status != ReturnStatus::received && s.archived(r.order))
        return bad("a return under way on archived order ", kFirstOrderNo + r.order);
    for (std::size_t l = s.lines.floor(); l < s.lines.size(); ++l)
      if (!in(s.lines[l].product, s.products.size())) return bad("line product out of range");
    for (std::size_t i = s.events.floor(); i < s.events.size(); ++i) {
      const EventRec& e = s.events[i];
      if (e.principal != kNone && !in(e.principal, s.principals.size()))
        return bad("event principal");
      if (e.next != kNone && (!in(e.next, s.events.size()) || e.next < s.events.floor()))
        return bad("event link");
      if (!text_ok(e.text)) return bad("event text range");
    }
    for (const Invoice& inv : s.invoices) {
      if (!in(inv.customer, s.customers.size()) || !in(inv.order, s.orders.size()))
        return bad("invoice customer/order out of range");
      if (inv.next_in_order != kNone && !in(inv.next_in_order, s.invoices.size()))
        return bad("invoice link");
    }
    for (const Payment& p : s.payments) {
      if (!in(p.customer, s.customers.size())) return bad("payment customer");
      if (uint64_t{p.first_application} + p.application_count > s.applications.size())
        return bad("payment applications out of range");
    }
    for (const LedgerEntry& e : s.ledger)
      if (e.payment != kNone && !in(e.payment, s.payments.size())) return bad("ledger payment");
    for (uint32_t h :
         {s.held_list.head, s.held_list.tail, s.accepted_list.head, s.accepted_list.tail})
      if (h != kNone && !in(h, s.orders.size())) return bad("list end out of range");
    return chains();
  }

  // Each order's events and invoices are linked lists: every chain ends at the order's last
  // element, and no element is on two chains or twice on one (a cycle would make a read or a
  // return loop forever).
  bool chains() {
    const State& s = s_;
    std::vector<bool> event_seen(s.events.size()), invoice_seen(s.invoices.size());
    for (std::size_t i = 0; i < s.orders.size(); ++i) {
      const Order& o = s.orders[i];
      uint32_t last = kNone;
      for (uint32_t e = o.first_event; e != kNone; last = e, e = s.events[e].next) {
        if (event_seen[e]) return bad("order ", kFirstOrderNo + i, ": event ", e, " linked twice");
        event_seen[e] = true;
      }
      if (last != o.last_event) return bad("order ", kFirstOrderNo + i, ": last event is wrong");
      last = kNone;
      for (uint32_t v = o.first_invoice; v != kNone; last = v, v = s.invoices[v].next_in_order) {
        if (invoice_seen[v] || s.invoices[v].order != i)
          return bad("order ", kFirstOrderNo + i, ": invoice ", v + 1, " linked wrongly");
        invoice_seen[v] = true;
      }
      if (last != o.last_invoice)
        return bad("order ", kFirstOrderNo + i, ": last invoice is wrong");
    }
    return true;
  }

  // Every stored value is one the commands could have produced: enums in range, times within
  // the engine's range and not after now, quantities, prices and amounts within their bounds,
  // and every order's lines summing without overflow. Only a loaded image can break these
  // (commands validate first); checking them here lets every later rule do plain arithmetic.
  bool values() {
    const State& s = s_;
    std::string field, message;
    if (!time_in_range(s.now)) return bad("now ", s.now, " is outside the engine's time range");
    if (!internal::policy_valid(s.policy, &field, &message)) return bad("policy: ", message);
    const Day today = s.today();
    const Day first_day = day_of(kMinTimeMs);
    for (std::size_t i = 0; i < s.customers.size(); ++i) {
      const Customer& c = s.customers[i];
      if (static_cast<int>(c.grade) > 3 || static_cast<int>(c.status) > 2)
        return bad("customer ", i, ": bad grade or status");
      if (!kTermsDaysRange.contains(c.terms_days) || c.credit_limit < 0)
        return bad("customer ", i, ": terms_days or credit_limit out of range");
    }
    for (std::size_t i = 0; i < s.products.size(); ++i) {
      const Product& p = s.products[i];
      if (p.price < 0 || p.floor_price < 0 || p.floor_price > p.price || p.on_hand < 0)
        return bad("product ", i, ": price, floor_price or on_hand out of range");
    }
    for (std::size_t i = 0; i < s.daily.size(); ++i) {
      const Day d = s.daily[i].day;
      if (d < first_day || d > today || (i > 0 && d <= s.daily[i - 1].day))
        return bad("daily report row ", i, ": day ", d,
                   " out of order or outside the days up to now");
    }
    for (std::size_t i = 0; i < s.orders.size(); ++i) {
      const Order& o = s.orders[i];
      const OrderNo no = kFirstOrderNo + i;
      if (static_cast<int>(o.decision) > 5 || static_cast<int>(o.payment) > 3)
        return bad("order ", no, ": bad decision or payment");
      if (o.at < kMinTimeMs || o.at > s.now || o.accepted_at < o.at || o.accepted_at > s.now ||
          o.day != day_of(o.at))
        return bad("order ", no, ": decision or acceptance time out of range");
      if (s.daily_find(o.day) == nullptr)
        return bad("order ", no, ": day without a daily report row");
      // An order decided held or accepted has only known skus, each line priced exactly and
      // the whole in int64 (open values are computed from them). A rejected order's line with
      // an unknown sku counts 0 and keeps whatever unit price was asked.
      const bool priced = o.decision != OrderStatus::rejected;
      Money worth = 0;
      for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l) {
        const OrderLine& line = s.lines[l];
        Money value = 0;
        if (line.qty < 1 || line.qty > kQtyMax || line.unit_price < 0 || line.shipped < 0 ||
            line.shipped > line.qty || line.returned < 0 || line.returned > line.shipped ||
            !kBasisPointsRange.contains(line.discount_bp) || line.amount < 0 ||
            line.price_source > PriceSource::requested ||
            (priced && (mul_overflows(line.qty, line.unit_price, &value) || line.amount != value ||
                        add_overflows(worth, value, &worth))))
          return bad("order ", no, " line ", l - o.first_line, ": out of range");
      }
      for (uint32_t r = o.first_reason; r < o.first_reason + o.reason_count; ++r) {
        const ReasonRec& rec = s.reasons[r];
        if (static_cast<int>(rec.code) >= kReasonCount || rec.required_level < -1 ||
            rec.required_level > kMaxLevel)
          return bad("order ", no, ": bad reason");
      }
    }
    for (std::size_t i = s.events.floor(); i < s.events.size(); ++i)
      if (static_cast<int>(s.events[i].kind) > static_cast<int>(EventKind::amended))
        return bad("event kind out of range");
    for (const LedgerEntry& e : s.ledger)
      if (static_cast<int>(e.kind) > static_cast<int>(EntryKind::recovery) || e.date < first_day ||
          e.date > today)
        return bad("ledger entry kind or date out of range");
    for (std::size_t i = 0; i < s.invoices.size(); ++i) {
      const Invoice& inv = s.invoices[i];
      if (inv.amount < 0 || inv.issued < first_day || inv.issued > today ||
          !kTermsDaysRange.contains(int64_t{inv.due} - inv.issued))
        return bad("invoice ", i + 1, ": amount or dates out of range");
    }
    for (const Payment& p : s.payments)
      if (p.amount <= 0 || p.at < kMinTimeMs || p.at > s.now) return bad("payment out of range");
    return true;
  }

  // Adds `v` to `acc`; false (a violation: no real state sums past int64) on overflow.
  static bool add(Money& acc, Money v) { return !add_overflows(acc, v, &acc); }

  // Walks both open lists: reserved stock and open exposure are recomputed from them.
  bool open_orders() {
    const State& s = s_;
    reserved_.assign(s.products.size(), 0);
    open_.assign(s.customers.size(), 0);
    held_.assign(s.customers.size(), 0);
    prepaid_.assign(s.customers.size(), 0);
    open_count_ = 0;
    for (OpenList list : {OpenList::held, OpenList::accepted}) {
      const ListEnds& ends = list == OpenList::held ? s.held_list : s.accepted_list;
      const OrderStatus want = list == OpenList::held ? OrderStatus::held : OrderStatus::accepted;
      uint32_t prev = kNone;
      std::size_t steps = 0;
      for (uint32_t i = ends.head; i != kNone; prev = i, i = s.orders[i].next) {
        if (++steps > s.orders.size()) return bad("open list has a cycle");
        const Order& o = s.orders[i];
        const OrderNo no = kFirstOrderNo + i;
        if (o.list != list || o.status != want || o.prev != prev)
          return bad("order ", no, " is on the wrong open list or mislinked");
        Money value = 0;
        for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l) {
          const OrderLine& line = s.lines[l];
          if (line.shipped < 0 || line.shipped > line.qty || line.returned > line.shipped)
            return bad("order ", no, " line ", l - o.first_line, ": shipped/returned out of range");
          reserved_[line.product] += line.qty - line.shipped;
          value += (line.qty - line.shipped) * line.unit_price;
        }
        if (value != o.open_value)
          return bad("order ", no, ": open_value ", o.open_value, " != unshipped value ", value);
        if (o.at > s.now || o.accepted_at < o.at || o.accepted_at > s.now)
          return bad("order ", no, ": decided or accepted after now");
        // A prepaid order's reservation is exactly its unshipped value; a deposit order's is
        // the part of its paid deposit no shipment used yet; credit and cod orders have none.
        if (o.payment == PaymentTerms::deposit
                ? o.prepaid_remaining < 0 || o.prepaid_remaining > o.open_value ||
                      o.prepaid_remaining > o.deposit_paid || o.deposit_paid > o.deposit_due ||
                      o.deposit_due > o.total
                : o.prepaid_remaining != (o.payment == PaymentTerms::prepaid ? o.open_value : 0))
          return bad("order ", no, ": prepaid_remaining ", o.prepaid_remaining,
                     " does not fit its payment ", to_string(o.payment), " (open value ",
                     o.open_value, ", deposit ", o.deposit_paid, "/", o.deposit_due, ")");
        // What it counts: prepaid reservations, and the credit value in held or open orders.
        if (!add(prepaid_[o.customer], o.prepaid_remaining) ||
            !add(list == OpenList::held ? held_[o.customer] : open_[o.customer],
                 internal::credit_value(o)))
          return bad("order ", no, ": the customer's open exposure overflows");
        ++open_count_;
      }
      if (prev != ends.tail) return bad("open list tail is wrong");
    }
    for (std::size_t p = 0; p < s.products.size(); ++p) {
      const Product& prod = s.products[p];
      if (prod.reserved != reserved_[p])
        return bad("product ", s.skus.view(static_cast<uint32_t>(p)), ": reserved ", prod.reserved,
                   " != unshipped open quantity ", reserved_[p]);
      if (prod.reserved < 0 || prod.reserved > prod.on_hand)
        return bad("product ", s.skus.view(static_cast<uint32_t>(p)), ": reserved ", prod.reserved,
                   " outside 0..on_hand ", prod.on_hand);
    }
    return true;
  }

  bool customers() {
    const State& s = s_;
    for (std::size_t i = 0; i < s.customers.size(); ++i) {
      const Customer& c = s.customers[i];
      const std::string_view id = s.customer_ids.view(static_cast<uint32_t>(i));
      if (c.open_orders != open_[i] || c.held != held_[i] || c.prepaid_reserved != prepaid_[i])
        return bad("customer ", id, ": open_orders/held/prepaid_reserved ", c.open_orders, "/",
                   c.held, "/", c.prepaid_reserved, " != recomputed ", open_[i], "/", held_[i], "/",
                   prepaid_[i]);
      Money receivables = 0;
      Day prev_due = INT32_MIN;
      for (uint32_t inv : c.open_invoices) {
        const Invoice& invoice = s.invoices[inv];
        if (invoice.customer != i || invoice.open <= 0 || invoice.open > invoice.amount)
          return bad("customer ", id, ": open invoice ", inv + 1, " is not open or not theirs");
        if (invoice.due < prev_due) return bad("customer ", id, ": open invoices not by due date");
        prev_due = invoice.due;
        if (!add(receivables, invoice.open)) return bad("customer ", id, ": receivables overflow");
      }
      if (receivables != c.receivables)
        return bad("customer ", id, ": receivables ", c.receivables, " != open invoices ",
                   receivables);
      if (c.unapplied < 0) return bad("customer ", id, ": negative unapplied");
      if (c.unapplied > 0 && c.receivables > 0)
        return bad("customer ", id, ": unapplied balance next to open receivables");
      if (c.ledger_balance !=
          static_cast<__int128>(c.receivables) - c.unapplied - c.prepaid_reserved)
        return bad("customer ", id, ": ledger balance ", c.ledger_balance,
                   " != receivables - unapplied - prepaid_reserved");
      const Money last = c.ledger.empty() ? 0 : s.ledger[c.ledger.back()].balance;
      if (last != c.ledger_balance) return bad("customer ", id, ": last ledger entry balance");
      if (!c.exists && (c.receivables || c.unapplied || !c.ledger.empty()))
        return bad("customer ", id, ": unknown customer with money");
    }
    return true;
  }

  // Branch receivables: every invoice's open amount is its amount less its dated settlements;
  // each customer's settlements are theirs and in date order; reversals and refunds point
  // inside their tables; invoice lines are numbered per invoice.
  bool receivables_history() {
    const State& s = s_;
    std::vector<Money> open(s.invoices.size());
    for (std::size_t i = 0; i < s.invoices.size(); ++i) open[i] = s.invoices[i].amount;
    std::size_t counted = 0;
    for (std::size_t i = 0; i < s.customers.size(); ++i) {
      Day prev = INT32_MIN;
      for (uint32_t st_idx : s.customers[i].settlements) {
        if (!in(st_idx, s.settlements.size())) return bad("settlement index out of range");
        const Settlement& st = s.settlements[st_idx];
        if (!in(st.invoice, s.invoices.size()) || s.invoices[st.invoice].customer != i ||
            st.day < prev || st.day < s.invoices[st.invoice].issued || st.undone < 0 ||
            (st.amount > 0 && st.undone > st.amount) ||
            static_cast<int>(st.source) > static_cast<int>(SettleSource::reversal))
          return bad("customer ", i, ": settlement ", st_idx, " out of order or not theirs");
        prev = st.day;
        if (!add(open[st.invoice], -st.amount)) return bad("settlement overflow");
        ++counted;
      }
    }
    if (counted != s.settlements.size()) return bad("settlements not all on a customer's list");
    for (std::size_t i = 0; i < s.invoices.size(); ++i)
      if (open[i] != s.invoices[i].open)
        return bad("invoice ", i + 1, ": open ", s.invoices[i].open, " != amount less settlements ",
                   open[i]);
    if (s.invoice_first_line.size() != s.invoices.size()) return bad("invoice_first_line count");
    uint32_t prev_line = 0;
    for (std::size_t i = 0; i < s.invoice_first_line.size(); ++i) {
      const uint32_t f = s.invoice_first_line[i];
      if (f < prev_line || f > s.invoice_lines.size()) return bad("invoice ", i + 1, ": lines");
      prev_line = f;
    }
    for (const InvoiceLine& l : s.invoice_lines)
      if (!in(l.product, s.products.size()) || l.qty < 1 || l.amount < 0)
        return bad("invoice line out of range");
    for (const PaymentReversal& r : s.reversals) {
      if (!in(r.payment, s.payments.size()) ||
          r.first_reopened > s.reversal_reopened.size() ||
          r.reopened_count > s.reversal_reopened.size() - r.first_reopened ||
          r.unapplied_taken < 0 || r.unapplied_taken > s.payments[r.payment].amount)
        return bad("payment reversal out of range");
    }
    if (s.refunds.size() != s.refund_refs.size()) return bad("refunds vs refs count");
    for (const RefundRec& r : s.refunds)
      if (!in(r.customer, s.customers.size()) || r.amount <= 0) return bad("refund out of range");
    return true;
  }

  // creditdata: the review index is exactly the customers' review dates; histories and
  // proposals point where they may; each customer's limit and grade are the ones its latest
  // history entry left (a limit never changes without an entry that says who and why).
  bool credit_data(bool full) {
    const State& s = s_;
    auto text_ok = [&](Text t) {
      return t.offset <= s.text.size() && t.len <= s.text.size() - t.offset;
    };
    auto principal_ok = [&](uint32_t p) { return p == kNone || in(p, s.principals.size()); };
    if (full) {
      for (std::size_t i = 0; i < s.proposals.size(); ++i) {
        const CreditProposal& p = s.proposals[i];
        if (!in(p.customer, s.customers.size()) || !in(p.proposed_by, s.principals.size()) ||
            !principal_ok(p.decided_by) || !text_ok(p.reason) || !text_ok(p.decision_note) ||
            p.status > ProposalStatus::withdrawn || p.credit_limit < 0 ||
            (p.status == ProposalStatus::pending) != (p.decided_by == kNone))
          return bad("credit proposal ", i + 1, " is malformed");
      }
      for (std::size_t i = 0; i < s.credit_events.size(); ++i) {
        const CreditEvent& e = s.credit_events[i];
        if (!in(e.customer, s.customers.size()) || !principal_ok(e.by) ||
            !principal_ok(e.proposed_by) || !text_ok(e.reason) || e.kind > CreditChange::ladder ||
            e.proposal_no > s.proposals.size() || e.level > kMaxLevel || e.grade_from > Grade::D ||
            e.grade_to > Grade::D || e.status_from > CustomerStatus::blocked ||
            e.status_to > CustomerStatus::blocked)
          return bad("credit history entry ", i, " is malformed");
      }
      for (std::size_t c = 0; c < s.customers.size(); ++c) {
        uint32_t prev = 0;
        for (uint32_t e : s.customers[c].credit_history) {
          if (!in(e, s.credit_events.size()) || s.credit_events[e].customer != c || (e < prev))
            return bad("customer ", c, ": credit history index");
          prev = e;
        }
      }
    }
    std::size_t indexed = 0;
    for (uint32_t c = 0; c < s.customers.size(); ++c) {
      const Customer& cust = s.customers[c];
      const std::string_view id = s.customer_ids.view(c);
      if (cust.exists != (cust.review_due != kNoDay))
        return bad("customer ", id, ": review_due set iff the customer exists");
      if (cust.review_due != kNoDay) {
        ++indexed;
        if (!s.review_index.contains({cust.review_due, c}))
          return bad("customer ", id, ": not in the review index");
      }
      for (auto it = cust.credit_history.rbegin(); it != cust.credit_history.rend(); ++it) {
        const CreditEvent& e = s.credit_events[*it];
        if (e.kind == CreditChange::proposed || e.kind == CreditChange::rejected ||
            e.kind == CreditChange::withdrawn)
          continue;  // these change nothing
        if (e.limit_to != cust.credit_limit || e.grade_to != cust.grade)
          return bad("customer ", id, ": limit/grade differ from its latest credit history entry");
        break;
      }
    }
    if (indexed != s.review_index.size()) return bad("review index has stale entries");
    return true;
  }

  // Every order: statuses agree with the lists, final orders hold nothing, numbering is dense.
  bool all_orders() {
    const State& s = s_;
    std::size_t open = 0;
    std::vector<uint64_t> per_day_count;
    for (std::size_t i = 0; i < s.orders.size(); ++i) {
      const Order& o = s.orders[i];
      const bool is_open = o.status == OrderStatus::held || o.status == OrderStatus::accepted;
      open += is_open;
      if (is_open != (o.list != OpenList::none))
        return bad("order ", kFirstOrderNo + i, ": status ", to_string(o.status), " vs list");
      if (!is_open && (o.open_value != 0 || o.prepaid_remaining != 0))
        return bad("order ", kFirstOrderNo + i, ": closed but still holds value");
      Money total = 0;
      bool overflow = false;
      for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l)
        overflow |= !add(total, s.lines[l].amount);
      if (!s.archived(static_cast<uint32_t>(i)) && (overflow || total != o.total))
        return bad("order ", kFirstOrderNo + i, ": total != sum of lines");
      if (o.status == OrderStatus::shipped)
        for (uint32_t l = o.first_line; l < o.first_line + o.line_count; ++l)
          if (s.lines[l].shipped != s.lines[l].qty)
            return bad("order ", kFirstOrderNo + i, ": shipped with units left");
    }
    if (open != open_count_)
      return bad("orders held/accepted ", open, " != on lists ", open_count_);
    uint64_t counted = 0;
    for (const DailyRow& d : s.daily)
      for (uint64_t n : d.agg.count_by_status) counted += n;
    if (counted != s.orders.size())
      return bad("daily report counts ", counted, " orders, there are ", s.orders.size());
    for (std::size_t i = 0; i < s.invoices.size(); ++i) {
      const Invoice& inv = s.invoices[i];
      if (inv.open < 0 || inv.open > inv.amount)
        return bad("invoice ", i + 1, ": open out of range");
    }
    return true;
  }

  // Write-offs and returns (branch writeoff): a write-off's recoveries never exceed what it
  // wrote off, and only an approved one has any; a return's received and QC-passed quantities
  // stay within what was approved, and only a received return has them and a credit note.
  // O(write-offs + returns): both are rare next to orders.
  bool write_offs_and_returns(bool full) {
    const State& s = s_;
    for (std::size_t i = 0; i < s.write_offs.size(); ++i) {
      const WriteOffRec& w = s.write_offs[i];
      if (full && (!in(w.invoice, s.invoices.size()) || w.proposed_by >= s.principals.size() ||
                   (w.approved_by != kNone && w.approved_by >= s.principals.size()) ||
                   static_cast<int>(w.status) > 1 ||
                   static_cast<int>(w.reason_code) > static_cast<int>(WriteOffReason::unspecified)))
        return bad("write-off ", i + 1, ": index or enum out of range");
      if (w.amount < 0 || w.recovered < 0 || w.recovered > w.amount ||
          (w.status == WriteOffStatus::proposed && (w.recovered != 0 || w.approved_by != kNone)))
        return bad("write-off ", i + 1, ": recovered ", w.recovered, " of ", w.amount, " (",
                   to_string(w.status), ")");
    }
    for (std::size_t i = 0; i < s.returns.size(); ++i) {
      const ReturnRec& r = s.returns[i];
      if (full && (!in(r.order, s.orders.size()) ||
                   uint64_t{r.first_line} + r.line_count > s.return_lines.size() ||
                   static_cast<int>(r.status) > 2 ||
                   r.credit_note_no > s.credit_notes.size()))
        return bad("return ", i + 1, ": index or enum out of range");
      if ((r.status == ReturnStatus::received) != (r.credit_note_no != 0))
        return bad("return ", i + 1, ": credit note and status disagree");
      for (uint32_t l = r.first_line; l < r.first_line + r.line_count; ++l) {
        const ReturnLine& line = s.return_lines[l];
        if (line.passed < 0 || line.passed > line.received || line.received > line.qty ||
            (r.status != ReturnStatus::received && line.received != 0))
          return bad("return ", i + 1, ": received/passed out of range");
      }
    }
    return true;
  }

  // Statement balances: each ledger entry's running balance = previous + amount.
  bool ledgers() {
    const State& s = s_;
    for (std::size_t i = 0; i < s.customers.size(); ++i) {
      Money balance = 0;
      Day prev_date = INT32_MIN;
      for (uint32_t e : s.customers[i].ledger) {
        const LedgerEntry& entry = s.ledger[e];
        if (!add(balance, entry.amount) || entry.balance != balance || entry.date < prev_date)
          return bad("customer ", s.customer_ids.view(static_cast<uint32_t>(i)),
                     ": ledger running balance or date order broken at entry ", e);
        prev_date = entry.date;
      }
    }
    return true;
  }

  const State& s_;
  std::ostringstream msg_;
  std::vector<Qty> reserved_;
  std::vector<Money> open_, held_, prepaid_;
  std::size_t open_count_ = 0;
};

}  // namespace

std::string Engine::check_invariants(bool full) const {
  return Checker(*s_).run(full);
}

}  // namespace credo
