// The response writer: one JSON line per Result (docs/protocol.md "Responses"). The op decides only
// the shape of an order answer (what submit decided vs. the status now); everything else
// follows from the Result alternative.
#include <string>

#include "engine/ops.h"
#include "net/codec.h"
#include "net/json_writer.h"

namespace credo::net {

// ---- the response writer ---------------------------------------------------------------------
namespace {

void begin_envelope(JsonWriter& w, std::string_view id_json, bool ok) {
  w.begin_object();
  if (!id_json.empty()) w.field_raw("id", id_json);
  w.field("ok", ok);
}

void write_error_body(JsonWriter& w, const Error& e) {
  w.key("error");
  w.begin_object();
  w.field("code", to_string(e.code));
  w.field("message", std::string_view(e.message));
  if (!e.field.empty()) w.field("field", std::string_view(e.field));
  if (!e.reason.empty()) w.field("reason", std::string_view(e.reason));
  w.end_object();
}

void write_buckets(JsonWriter& w, const AgingBuckets& b) {
  w.field("current", b.current);
  w.field("d1_30", b.d1_30);
  w.field("d31_60", b.d31_60);
  w.field("d61_90", b.d61_90);
  w.field("d90_plus", b.d90_plus);
  w.field("total", b.total);
}

void write_reasons(JsonWriter& w, std::string_view key, const std::vector<ReasonView>& reasons) {
  w.key(key);
  w.begin_array();
  for (const ReasonView& r : reasons) {
    w.begin_object();
    w.field("code", to_string(r.code));
    if (r.required_level >= 0) {
      w.field("required_level", r.required_level);
    } else {
      w.field_null("required_level");
    }
    if (r.line >= 0) w.field("line", r.line);
    if (r.available >= 0) w.field("available", r.available);
    w.end_object();
  }
  w.end_array();
}

void write_lines(JsonWriter& w, std::string_view key, const LineViews& lines) {
  w.key(key);
  w.begin_array();
  for (const LineView& l : lines) {
    w.begin_object();
    w.field("sku", l.sku.view());
    w.field("qty", l.qty);
    w.field("unit_price", l.unit_price);
    w.field("discount_bp", l.discount_bp);
    w.field("amount", l.amount);
    w.field("shipped", l.shipped);
    w.field("returned", l.returned);
    w.field("price_source", to_string(l.price_source));
    w.end_object();
  }
  w.end_array();
}

// get_order's amendments (only written for an order that has some).
void write_amendments(JsonWriter& w, const OrderView& o) {
  w.field("version", o.version);
  w.key("amendments");
  w.begin_array();
  for (const AmendmentView& a : o.amendments) {
    w.begin_object();
    w.field("amendment_id", a.amendment_id.view());
    w.field("by", a.by.view());
    w.field_time("at", a.at);
    w.field("amended", a.amended);
    w.field("decision", to_string(a.decision));
    w.field("version", a.version);
    write_reasons(w, "reasons", a.reasons);
    w.field("old_total", a.old_total);
    w.field("new_total", a.new_total);
    write_lines(w, "old_lines", a.old_lines);
    write_lines(w, "new_lines", a.new_lines);
    if (a.old_ship_by) w.field_date("old_ship_by", *a.old_ship_by);
    if (a.new_ship_by) w.field_date("new_ship_by", *a.new_ship_by);
    if (!a.old_ref.empty()) w.field("old_ref", std::string_view(a.old_ref));
    if (!a.new_ref.empty()) w.field("new_ref", std::string_view(a.new_ref));
    w.end_object();
  }
  w.end_array();
}

void write_applications(JsonWriter& w, const std::vector<Application>& applied,
                        std::string_view key = "applied") {
  w.key(key);
  w.begin_array();
  for (const Application& a : applied) {
    w.begin_object();
    w.field("invoice_no", a.invoice_no);
    w.field("amount", a.amount);
    w.end_object();
  }
  w.end_array();
}

// A write-off register row (propose/approve_write_off answer it too).
void write_write_off(JsonWriter& w, const WriteOffRecordView& x) {
  w.field("write_off_no", x.write_off_no);
  w.field("invoice_no", x.invoice_no);
  w.field("customer", x.customer.view());
  w.field("status", to_string(x.status));
  w.field("reason_code", to_string(x.reason_code));
  w.field("reason", std::string_view(x.reason));
  w.field("amount", x.amount);
  w.field("proposed_by", x.proposed_by.view());
  w.field_time("proposed_at", x.proposed_at);
  if (x.approved_by.empty()) {
    w.field_null("approved_by");
    w.field_null("approved_at");
  } else {
    w.field("approved_by", x.approved_by.view());
    w.field_time("approved_at", x.approved_at);
  }
  if (!x.note.empty()) w.field("note", std::string_view(x.note));
  w.field("recovered", x.recovered);
}

// "<step>_by" and "<step>_at" of a return, null until the step happened.
void write_by(JsonWriter& w, std::string_view step, const Key& by, TimeMs at) {
  const std::string by_key = std::string(step) + "_by", at_key = std::string(step) + "_at";
  if (by.empty()) {
    w.field_null(by_key);
    w.field_null(at_key);
    return;
  }
  w.field(by_key, by.view());
  w.field_time(at_key, at);
}

// How an order is shown: which status field leads, and what extras come with it.
enum class OrderShape : uint8_t {
  decision,  // submit_order, submit_orders, quote: "status" is what submit decided
  current,   // cancel, release, reject, list_held: "status" is the status now, plus "decision"
  full,      // get_order: as current, plus events, ship_by, ref, submitted_by
};


// A held order's approvals so far, the reasons still open, and a waiting shipping release.
void write_approvals(JsonWriter& w, const OrderView& o) {
  if (o.decision == OrderStatus::held || o.status == OrderStatus::held || !o.approvals.empty()) {
    w.key("approvals");
    w.begin_array();
    for (const ApprovalView& a : o.approvals) {
      w.begin_object();
      w.field("code", to_string(a.code));
      if (a.line >= 0) w.field("line", a.line);
      w.field("by", a.principal.view());
      w.field_time("at", a.at);
      w.field("level", a.level);
      if (!a.note.empty()) w.field("note", std::string_view(a.note));
      w.end_object();
    }
    w.end_array();
    write_reasons(w, "open_reasons", o.open_reasons);
  }
  if (o.shipping_release) w.field("shipping_release", true);
}

// The fields of an order, inside an already open object.
void write_order_fields(JsonWriter& w, const OrderView& o, OrderShape shape) {
  w.field("status", to_string(shape == OrderShape::decision ? o.decision : o.status));
  if (shape != OrderShape::decision) w.field("decision", to_string(o.decision));
  if (o.quote) {
    w.field("quote", true);
  } else {
    w.field("order_no", o.order_no);
  }
  if (o.duplicate) w.field("duplicate", true);
  if (o.archived) w.field("archived", true);
  w.field("customer", o.customer.view());
  if (!o.client_order_id.empty()) w.field("client_order_id", o.client_order_id.view());
  w.field("payment", to_string(o.payment));
  write_reasons(w, "reasons", o.reasons);
  w.field("total", o.total);
  if (o.payment == PaymentTerms::deposit) {  // docs/rules.md, "Deposits"
    w.field("deposit_due", o.deposit_due);
    w.field("deposit_paid", o.deposit_paid);
  }
  write_lines(w, "lines", o.lines);
  if (o.has_credit) {
    w.key("credit");
    w.begin_object();
    w.field("limit", o.credit.limit);
    w.field("exposure", o.credit.exposure);
    w.field("available", o.credit.available);
    w.end_object();
  }
  w.field_time("at", o.at);
  if (shape != OrderShape::decision) write_approvals(w, o);
  if (shape != OrderShape::full) return;
  if (o.ship_by) w.field_date("ship_by", *o.ship_by);
  if (!o.ref.empty()) w.field("ref", std::string_view(o.ref));
  if (!o.submitted_by.empty()) w.field("submitted_by", o.submitted_by.view());
  w.key("events");
  w.begin_array();
  for (const EventView& e : o.events) {
    w.begin_object();
    w.field("event", to_string(e.kind));
    w.field("by", e.principal.view());
    w.field_time("at", e.at);
    if (e.number != 0) w.field("number", e.number);
    if (e.amount != 0) w.field("amount", e.amount);
    if (!e.text.empty()) w.field("text", std::string_view(e.text));
    w.end_object();
  }
  w.end_array();
  if (!o.amendments.empty()) write_amendments(w, o);
}

// Ops named by their body types (engine/ops.h), so a renamed op cannot fall out of this list.
OrderShape order_shape(int op, const OrderView& o) {
  if (op == op_id<SubmitOrder>() || op == op_id<SubmitOrders>() || op == op_id<Quote>())
    return OrderShape::decision;
  if (op == op_id<GetOrder>() || o.with_events) return OrderShape::full;
  return OrderShape::current;
}

// The body fields of each result type, inside the open envelope.
struct BodyWriter {
  JsonWriter& w;
  int op;  // OpId, or -1 for a name not in the table

  void operator()(const std::monostate&) {}
  void operator()(const OrderView& o) { write_order_fields(w, o, order_shape(op, o)); }
  void operator()(const BatchView& b) {
    w.key("results");
    w.begin_array();
    for (const BatchView::Item& item : b.results) {
      w.begin_object();
      if (item.error.code != ErrorCode::OK) {
        w.field("ok", false);
        write_error_body(w, item.error);
      } else {
        w.field("ok", true);
        write_order_fields(w, item.order, OrderShape::decision);
      }
      w.end_object();
    }
    w.end_array();
  }
  void operator()(const HeldList& h) {
    w.key("orders");
    w.begin_array();
    for (const OrderView& o : h.orders) {
      w.begin_object();
      write_order_fields(w, o, OrderShape::current);
      w.end_object();
    }
    w.end_array();
  }
  void operator()(const CustomerView& c) {
    w.field("customer", c.customer.view());
    w.field("name", std::string_view(c.name));
    w.field("grade", to_string(c.grade));
    w.field("credit_limit", c.credit_limit);
    w.field("terms_days", c.terms_days);
    w.field("status", to_string(c.status));
    if (!c.status_reason.empty()) w.field("status_reason", std::string_view(c.status_reason));
    w.key("exposure");
    w.begin_object();
    w.field("open_orders", c.exposure.open_orders);
    w.field("held", c.exposure.held);
    w.field("receivables", c.exposure.receivables);
    w.field("unapplied", c.exposure.unapplied);
    w.field("total", c.exposure.total);
    w.end_object();
    w.field("available", c.available);
    w.field("prepaid_reserved", c.prepaid_reserved);
    w.field("oldest_overdue_days", c.oldest_overdue_days);
    w.field_date("review_due", c.review_due);
  }
  // ---- credit data ----
  void operator()(const CreditProposalView& p) {
    w.field("status", to_string(p.status));
    w.field("proposal_no", p.proposal_no);
    w.field("customer", p.customer.view());
    w.field("credit_limit", p.credit_limit);
    w.field("current_limit", p.current_limit);
    w.field("required_level", p.required_level);
    w.field("proposed_by", p.proposed_by.view());
    w.field_time("proposed_at", p.proposed_at);
    w.field("reason", std::string_view(p.reason));
    if (p.decided_by.empty()) {
      w.field_null("decided_by");
      w.field_null("decided_at");
    } else {
      w.field("decided_by", p.decided_by.view());
      w.field_time("decided_at", p.decided_at);
    }
    if (!p.decision_note.empty()) w.field("decision_note", std::string_view(p.decision_note));
  }
  void operator()(const CreditHistoryView& h) {
    w.field("customer", h.customer.view());
    w.field("total", h.total);
    w.key("entries");
    w.begin_array();
    for (const CreditEventView& e : h.entries) {
      w.begin_object();
      w.field("kind", to_string(e.kind));
      w.field_time("at", e.at);
      w.field("by", e.by.view());
      w.field("level", e.level);
      w.field("proposed_by", e.proposed_by.view());
      if (e.proposal_no == 0)
        w.field_null("proposal_no");
      else
        w.field("proposal_no", e.proposal_no);
      // Each of limit, grade, terms, status only when the entry changed it (or asked to).
      auto change = [&](std::string_view key, auto from, auto to, auto write) {
        if (from == to) return;
        w.key(key);
        w.begin_object();
        write("from", from);
        write("to", to);
        w.end_object();
      };
      auto num = [&](std::string_view k, auto v) { w.field(k, v); };
      auto name = [&](std::string_view k, auto v) { w.field(k, to_string(v)); };
      change("credit_limit", e.limit_from, e.limit_to, num);
      change("grade", e.grade_from, e.grade_to, name);
      change("terms_days", e.terms_from, e.terms_to, num);
      change("status", e.status_from, e.status_to, name);
      w.field_date("review_due", e.review_due);
      w.field("reason", std::string_view(e.reason));
      w.end_object();
    }
    w.end_array();
  }
  void operator()(const ReviewDueList& l) {
    w.field_date("as_of", l.as_of);
    w.key("customers");
    w.begin_array();
    for (const ReviewDueRow& r : l.customers) {
      w.begin_object();
      w.field("customer", r.customer.view());
      w.field("name", std::string_view(r.name));
      w.field("grade", to_string(r.grade));
      w.field("credit_limit", r.credit_limit);
      w.field("status", to_string(r.status));
      w.field_date("review_due", r.review_due);
      w.field("days_past_due", r.days_past_due);
      w.end_object();
    }
    w.end_array();
    write_next_cursor(l.next_cursor);
  }
  void operator()(const CustomerList& l) {
    w.key("customers");
    w.begin_array();
    for (const CustomerRow& c : l.customers) {
      w.begin_object();
      w.field("customer", c.customer.view());
      w.field("name", std::string_view(c.name));
      w.field("grade", to_string(c.grade));
      w.field("credit_limit", c.credit_limit);
      w.field("terms_days", c.terms_days);
      w.field("status", to_string(c.status));
      w.field("exposure", c.exposure);
      w.field("available", c.available);
      w.end_object();
    }
    w.end_array();
    write_next_cursor(l.next_cursor);
  }
  void operator()(const ProductList& l) {
    w.key("products");
    w.begin_array();
    for (const ProductView& p : l.products) {
      w.begin_object();
      (*this)(p);
      w.end_object();
    }
    w.end_array();
    write_next_cursor(l.next_cursor);
  }
  // null at the end of the table: the key is always there, so a client's loop can test it.
  void write_next_cursor(const Key& cursor) {
    if (cursor.empty())
      w.field_null("next_cursor");
    else
      w.field("next_cursor", cursor.view());
  }
  void operator()(const ProductView& p) {
    w.field("sku", p.sku.view());
    w.field("name", std::string_view(p.name));
    w.field("price", p.price);
    w.field("floor_price", p.floor_price);
    w.field("on_hand", p.on_hand);
    w.field("reserved", p.reserved);
    w.field("available", p.available);
  }
  void operator()(const ShipView& s) {
    w.field("order_no", s.order_no);
    w.field("invoice_no", s.invoice_no);
    w.field("amount", s.amount);
    w.field_date("due_date", s.due_date);
    w.field("status", to_string(s.status));
    w.key("lines");
    w.begin_array();
    for (const SkuQty& l : s.lines) {
      w.begin_object();
      w.field("sku", l.sku.view());
      w.field("qty", l.qty);
      w.end_object();
    }
    w.end_array();
  }
  void operator()(const PaymentView& p) {
    w.field("customer", p.customer.view());
    w.field("payment_ref", p.payment_ref.view());
    w.field("amount", p.amount);
    write_applications(w, p.applied);
    w.field("unapplied", p.unapplied);
    if (p.duplicate) w.field("duplicate", true);
    write_applications(w, p.recovered, "recovered");
    if (p.deposit > 0) w.field("deposit", p.deposit);
  }
  void operator()(const ReturnView& r) {
    w.field("order_no", r.order_no);
    w.field("credit_note_no", r.credit_note_no);
    w.field("amount", r.amount);
    write_applications(w, r.applied);
    w.field("unapplied", r.unapplied);
    write_applications(w, r.recovered, "recovered");
  }
  void operator()(const WriteOffView& x) {
    w.field("invoice_no", x.invoice_no);
    w.field("customer", x.customer.view());
    w.field("amount", x.amount);
    w.field("write_off_no", x.write_off_no);
  }
  // Write-offs and returns (branch writeoff).
  void operator()(const WriteOffRecordView& x) { write_write_off(w, x); }
  void operator()(const WriteOffList& l) {
    w.key("write_offs");
    w.begin_array();
    for (const WriteOffRecordView& x : l.write_offs) {
      w.begin_object();
      write_write_off(w, x);
      w.end_object();
    }
    w.end_array();
    if (l.next_cursor != 0)
      w.field("next_cursor", l.next_cursor);
    else
      w.field_null("next_cursor");
  }
  void operator()(const ReturnRecordView& r) {
    w.field("return_no", r.return_no);
    w.field("order_no", r.order_no);
    w.field("customer", r.customer.view());
    w.field("status", to_string(r.status));
    w.field("reason", std::string_view(r.reason));
    w.field("value", r.value);
    w.key("lines");
    w.begin_array();
    for (const ReturnRecordView::Line& l : r.lines) {
      w.begin_object();
      w.field("sku", l.sku.view());
      w.field("qty", l.qty);
      w.field("received", l.received);
      w.field("passed", l.passed);
      w.end_object();
    }
    w.end_array();
    write_by(w, "requested", r.requested_by, r.requested_at);
    write_by(w, "approved", r.approved_by, r.approved_at);
    write_by(w, "received", r.received_by, r.received_at);
    if (!r.credited) return;
    // receive_return answers the credit note as return_goods does; get_return its number and
    // amount.
    w.key("credit");
    w.begin_object();
    if (op == op_id<ReceiveReturn>())
      (*this)(r.credit);
    else {
      w.field("credit_note_no", r.credit.credit_note_no);
      w.field("amount", r.credit.amount);
    }
    w.end_object();
  }
  void operator()(const TickView& t) {
    w.field_time("now", t.now);
    w.field("held_expired", t.held_expired);
    w.field("accepted_expired", t.accepted_expired);
    w.field("customers_suspended", t.customers_suspended);
    w.field("customers_reactivated", t.customers_reactivated);
    w.field("orders_archived", t.orders_archived);
  }
  void operator()(const PolicyView& v) {
    const Policy& p = v.policy;
    w.key("policy");
    w.begin_object();
    w.key("approve_total_max_minor");
    w.begin_array();
    for (Money m : p.approve_total_max_minor) w.value(m);
    w.end_array();
    w.key("discount_max_bp");
    w.begin_array();
    for (int32_t bp : p.discount_max_bp) w.value(bp);
    w.end_array();
    w.field("hold_ttl_hours", p.hold_ttl_hours);
    w.field("order_ttl_days", p.order_ttl_days);
    w.field("overdue_hold_days", p.overdue_hold_days);
    w.field("suspend_after_days", p.suspend_after_days);
    w.key("reason_levels");
    w.begin_object();
    for (int r = 0; r < kReasonCount; ++r)
      if (has_configured_level(static_cast<Reason>(r)))
        w.field(to_string(static_cast<Reason>(r)), p.reason_levels[static_cast<std::size_t>(r)]);
    w.end_object();
    w.field("credit_limit_vp_pct", p.credit_limit_vp_pct);
    w.field("allow_combined_roles", p.allow_combined_roles);
    w.field("doubtful_after_days", p.doubtful_after_days);
    w.key("credit_limit_max_minor");
    w.begin_array();
    for (Money m : p.credit_limit_max_minor) w.value(m);
    w.end_array();
    w.field("review_cycle_days_a", p.review_cycle_days_a);
    w.field("review_cycle_days_b", p.review_cycle_days_b);
    w.field("review_cycle_days_c", p.review_cycle_days_c);
    w.field("review_cycle_days_d", p.review_cycle_days_d);
    w.field("review_grace_days", p.review_grace_days);
    w.field("writeoff_min_days_past_due", p.writeoff_min_days_past_due);
    w.field("single_approval_write_off", p.single_approval_write_off);
    w.field("return_vp_minor", p.return_vp_minor);
    w.end_object();
  }
  void operator()(const AgingView& a) {
    w.field_date("as_of", a.as_of);
    w.field("basis", to_string(a.basis));
    if (a.due_within_days > 0) {
      w.field("due_within_days", a.due_within_days);
      w.field("due_within", a.due_within);
    }
    if (a.per_customer) {
      w.field("customer", a.customer.view());
      write_buckets(w, a.buckets);
      return;
    }
    w.key("totals");
    w.begin_object();
    write_buckets(w, a.buckets);
    w.end_object();
    w.key("top");
    w.begin_array();
    for (const AgingView::Row& row : a.top) {
      w.begin_object();
      w.field("customer", row.customer.view());
      write_buckets(w, row.buckets);
      w.field("overdue", row.overdue);
      w.end_object();
    }
    w.end_array();
    w.field("customers_with_receivables", a.customers_with_receivables);
  }
  void operator()(const StatementView& s) {
    w.field("customer", s.customer.view());
    w.field_date("from", s.from);
    w.field_date("to", s.to);
    w.field("opening_balance", s.opening_balance);
    w.key("entries");
    w.begin_array();
    for (const StatementView::Entry& e : s.entries) {
      w.begin_object();
      w.field("type", to_string(e.kind));
      w.field_date("date", e.date);
      w.field("number", e.number);
      if (!e.ref.empty()) w.field("ref", e.ref.view());
      if (e.order_no != 0) w.field("order_no", e.order_no);
      w.field("amount", e.amount);
      w.field("balance", e.balance);
      if (s.detail && e.kind == EntryKind::invoice) {
        w.key("lines");
        w.begin_array();
        for (const StatementView::Entry::Line& l : e.lines) {
          w.begin_object();
          w.field("sku", l.sku.view());
          w.field("qty", l.qty);
          w.field("amount", l.amount);
          w.end_object();
        }
        w.end_array();
      }
      w.end_object();
    }
    w.end_array();
    w.field("closing_balance", s.closing_balance);
    w.key("aging");
    w.begin_object();
    write_buckets(w, s.aging);
    w.end_object();
    if (s.truncated) w.field("truncated", true);
  }
  void operator()(const ReversalView& r) {
    w.field("customer", r.customer.view());
    w.field("payment_ref", r.payment_ref.view());
    w.field("amount", r.amount);
    w.key("reopened");
    w.begin_array();
    for (const Application& a : r.reopened) {
      w.begin_object();
      w.field("invoice_no", a.invoice_no);
      w.field("amount", a.amount);
      w.end_object();
    }
    w.end_array();
    w.field("unapplied_taken", r.unapplied_taken);
    w.field("unapplied", r.unapplied);
    w.field("status", to_string(r.status));
    if (r.duplicate) w.field("duplicate", true);
  }
  void write_agreement(const PriceAgreementView& a) {
    w.field("agreement_ref", a.agreement_ref.view());
    w.field("customer", a.customer.view());
    w.field("sku", a.sku.view());
    w.field("unit_price", a.unit_price);
    w.field_date("from", a.from);
    w.field_date("to", a.to);
    w.field("status", a.status);
    w.field("made_by", a.made_by.view());
    w.field_time("made_at", a.made_at);
    if (!a.ended_by.empty()) {
      w.field("ended_by", a.ended_by.view());
      w.field_time("ended_at", a.ended_at);
      w.field("end_reason", std::string_view(a.end_reason));
    }
  }
  void operator()(const PriceAgreementView& a) {
    write_agreement(a);
    if (a.duplicate) w.field("duplicate", true);
  }
  void operator()(const PriceAgreementList& l) {
    w.key("agreements");
    w.begin_array();
    for (const PriceAgreementView& a : l.agreements) {
      w.begin_object();
      write_agreement(a);
      w.end_object();
    }
    w.end_array();
    write_next_cursor(l.next_cursor);
  }
  void operator()(const RefundView& r) {
    w.field("customer", r.customer.view());
    w.field("refund_ref", r.refund_ref.view());
    w.field("amount", r.amount);
    w.field("unapplied", r.unapplied);
    if (r.duplicate) w.field("duplicate", true);
  }
  void operator()(const OpenItemsView& v) {
    w.field_date("as_of", v.as_of);
    w.key("items");
    w.begin_array();
    for (const OpenItemRow& r : v.items) {
      w.begin_object();
      w.field("customer", r.customer.view());
      w.field("invoice_no", r.invoice_no);
      w.field("order_no", r.order_no);
      w.field_date("invoice_date", r.invoice_date);
      w.field_date("due_date", r.due_date);
      w.field("days_past_due", r.days_past_due);
      w.field("amount", r.amount);
      w.field("open", r.open);
      w.field("stage", to_string(r.stage));
      w.end_object();
    }
    w.end_array();
    write_next_cursor(v.next_cursor);
  }
  void operator()(const DailyReportView& d) {
    w.field_date("date", d.date);
    w.key("orders");
    w.begin_object();
    for (int i = 0; i < kOrderStatusCount; i++) {
      w.key(to_string(static_cast<OrderStatus>(i)));
      w.begin_object();
      w.field("count", d.by_status[i].count);
      w.field("value", d.by_status[i].value);
      w.end_object();
    }
    w.end_object();
    w.key("holds_by_reason");
    w.begin_object();
    for (int i = 0; i < kReasonCount; i++)
      if (d.holds_by_reason[i] != 0)
        w.field(to_string(static_cast<Reason>(i)), d.holds_by_reason[i]);
    w.end_object();
    w.field("shipments", d.shipments);
    w.field("shipped_value", d.shipped_value);
    w.field("payments", d.payments);
    w.field("payments_received", d.payments_received);
    w.field("returns", d.returns);
    w.field("returns_value", d.returns_value);
    w.field("write_offs", d.write_offs);
    w.field("written_off", d.written_off);
    w.field("recoveries", d.recoveries);
    w.field("recovered", d.recovered);
    w.key("on_time");
    w.begin_object();
    w.field("shipments", d.shipments_with_ship_by);
    w.field("on_time", d.shipments_on_time);
    if (d.shipments_with_ship_by == 0) {
      w.field_null("pct");
    } else {  // one decimal, rounded down: 2 of 3 is 66.6
      const uint64_t permille = d.shipments_on_time * 1000 / d.shipments_with_ship_by;
      w.field_raw("pct", std::to_string(permille / 10) + "." + std::to_string(permille % 10));
    }
    w.end_object();
  }
  void operator()(const AmendView& a) {
    w.field("amendment_id", a.amendment_id.view());
    w.field("amended", a.amended);
    if (a.duplicate) w.field("duplicate", true);
    w.field("version", a.version);
    w.field("decision", to_string(a.decision));
    write_reasons(w, "reasons", a.reasons);
    w.field("total", a.total);
    w.key("order");
    w.begin_object();
    write_order_fields(w, a.order, OrderShape::current);
    w.end_object();
  }
  void operator()(const OrderList& l) {
    w.key("orders");
    w.begin_array();
    for (const OrderRow& o : l.orders) {
      w.begin_object();
      w.field("order_no", o.order_no);
      if (!o.client_order_id.empty()) w.field("client_order_id", o.client_order_id.view());
      w.field("customer", o.customer.view());
      w.field("status", to_string(o.status));
      w.field("total", o.total);
      w.field("shipped_value", o.shipped_value);
      w.field("unshipped_value", o.unshipped_value);
      if (o.ship_by) {
        w.field_date("ship_by", *o.ship_by);
      } else {
        w.field_null("ship_by");
      }
      w.field_time("submitted_at", o.submitted_at);
      w.field("submitted_by", o.submitted_by.view());
      w.field("late", o.late);
      w.end_object();
    }
    w.end_array();
    write_next_cursor(l.next_cursor);
  }
};

}  // namespace

void write_result(std::string& out, std::string_view id_json, std::string_view op,
                  const Result& r) {
  write_result(out, id_json, find_op(op), r);
}

void write_result(std::string& out, std::string_view id_json, int op, const Result& r,
                  uint64_t as_of_seq) {
  if (!r.ok()) return write_error(out, id_json, r.error);
  JsonWriter w(out);
  begin_envelope(w, id_json, true);
  std::visit(BodyWriter{w, op}, r.body);
  if (as_of_seq > 0) w.field("as_of_seq", as_of_seq);
  w.end_object();
  out.push_back('\n');
}

void write_error(std::string& out, std::string_view id_json, const Error& e) {
  JsonWriter w(out);
  begin_envelope(w, id_json, false);
  write_error_body(w, e);
  w.end_object();
  out.push_back('\n');
}

void write_ok(std::string& out, std::string_view id_json) {
  JsonWriter w(out);
  begin_envelope(w, id_json, true);
  w.end_object();
  out.push_back('\n');
}

}  // namespace credo::net
