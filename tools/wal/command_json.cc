#include "tools/wal/command_json.h"

#include <fmt/format.h>

#include "persistence/command_codec.h"

namespace credo {
namespace {

class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}
  void open() {
    out_ += '{';
    first_ = true;
  }
  void close() {
    out_ += '}';
    first_ = false;
  }
  void name(const char* n) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += n;
    out_ += "\":";
  }
  void str(std::string_view s) {
    out_ += '"';
    for (unsigned char c : s) {
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20)
            out_ += fmt::format("\\u{:04x}", c);
          else
            out_ += static_cast<char>(c);
      }
    }
    out_ += '"';
  }
  void field(const char* n, std::string_view s) { name(n), str(s); }
  void field(const char* n, const Key& k) { name(n), str(k.view()); }
  void field(const char* n, const std::string& s) { name(n), str(s); }
  void field(const char* n, const char* s) { name(n), str(s); }
  void field(const char* n, int64_t v) { name(n), out_ += std::to_string(v); }
  void field(const char* n, uint64_t v) { name(n), out_ += std::to_string(v); }
  void field(const char* n, int32_t v) { name(n), out_ += std::to_string(v); }
  void field(const char* n, bool v) { name(n), out_ += v ? "true" : "false"; }
  template <typename T>
  void opt(const char* n, const std::optional<T>& v) {
    if (v) field(n, *v);
  }
  void opt_grade(const std::optional<Grade>& g) {
    if (g) field("grade", to_string(*g));
  }
  void opt_status(const std::optional<CustomerStatus>& s) {
    if (s) field("status", to_string(*s));
  }
  template <typename T, typename F>
  void array(const char* n, const std::vector<T>& v, F each) {
    name(n);
    out_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out_ += ',';
      open();
      each(v[i]);
      close();
    }
    out_ += ']';
    first_ = false;
  }
  std::string& raw() { return out_; }

 private:
  std::string& out_;
  bool first_ = true;
};

void order_fields(Json& j, const OrderRequest& o) {
  j.field("customer", o.customer);
  if (!o.client_order_id.empty()) j.field("client_order_id", o.client_order_id);
  j.field("payment", to_string(o.payment));
  if (o.ship_by) j.field("ship_by", format_date(*o.ship_by));
  if (!o.ref.empty()) j.field("ref", o.ref);
  j.array("lines", o.lines, [&](const LineRequest& l) {
    j.field("sku", l.sku);
    j.field("qty", l.qty);
    j.opt("unit_price", l.unit_price);
  });
}

void sku_qtys(Json& j, const std::vector<SkuQty>& v) {
  j.array("lines", v, [&](const SkuQty& l) {
    j.field("sku", l.sku);
    j.field("qty", l.qty);
  });
}

void body_fields(Json& j, const UpsertCustomer& c) {
  j.field("customer", c.customer);
  j.opt("name", c.name);
  j.opt_grade(c.grade);
  j.opt("credit_limit", c.credit_limit);
  j.opt("terms_days", c.terms_days);
  j.opt_status(c.status);
}
void body_fields(Json& j, const SetCredit& c) {
  j.field("customer", c.customer);
  j.opt("credit_limit", c.credit_limit);
  j.opt_grade(c.grade);
  j.opt("terms_days", c.terms_days);
  j.field("reason", c.reason);
}
void body_fields(Json& j, const SetCustomerStatus& c) {
  j.field("customer", c.customer);
  j.field("status", to_string(c.status));
  j.field("reason", c.reason);
}
void body_fields(Json& j, const UpsertProduct& c) {
  j.field("sku", c.sku);
  j.opt("name", c.name);
  j.opt("price", c.price);
  j.opt("floor_price", c.floor_price);
  j.opt("on_hand", c.on_hand);
}
void body_fields(Json& j, const ReceiveStock& c) {
  j.field("sku", c.sku);
  j.field("qty", c.qty);
}
void body_fields(Json& j, const AdjustStock& c) {
  j.field("sku", c.sku);
  j.field("on_hand", c.on_hand);
}
void body_fields(Json& j, const SubmitOrder& c) {
  order_fields(j, c.order);
}
void body_fields(Json& j, const SubmitOrders& c) {
  j.array("orders", c.orders, [&](const OrderRequest& o) { order_fields(j, o); });
}
void body_fields(Json& j, const CancelOrder& c) {
  j.field("order_no", c.order_no);
  j.field("reason", c.reason);
}
void body_fields(Json& j, const ReleaseOrder& c) {
  j.field("order_no", c.order_no);
  j.field("note", c.note);
}
void body_fields(Json& j, const RejectOrder& c) {
  j.field("order_no", c.order_no);
  j.field("reason", c.reason);
}
void body_fields(Json& j, const Ship& c) {
  j.field("order_no", c.order_no);
  sku_qtys(j, c.lines);
}
void body_fields(Json& j, const RecordPayment& c) {
  j.field("customer", c.customer);
  j.field("amount", c.amount);
  j.field("payment_ref", c.payment_ref);
}
void body_fields(Json& j, const ReturnGoods& c) {
  j.field("order_no", c.order_no);
  sku_qtys(j, c.lines);
  j.field("restock", c.restock);
  j.field("reason", c.reason);
}
void body_fields(Json& j, const WriteOff& c) {
  j.field("invoice_no", c.invoice_no);
  j.field("reason", c.reason);
}
void body_fields(Json&, const Tick&) {}
void body_fields(Json& j, const SetPolicy& c) {
  const Policy& p = c.policy;
  j.name("approve_total_max_minor");
  j.raw() += fmt::format("[{}]", fmt::join(p.approve_total_max_minor, ","));
  j.name("discount_max_bp");
  j.raw() += fmt::format("[{}]", fmt::join(p.discount_max_bp, ","));
  j.field("hold_ttl_hours", p.hold_ttl_hours);
  j.field("order_ttl_days", p.order_ttl_days);
  j.field("overdue_hold_days", p.overdue_hold_days);
  j.field("suspend_after_days", p.suspend_after_days);
}

}  // namespace

void append_command_json(std::string& out, const Command& cmd) {
  Json j(out);
  j.open();
  j.field("seq", cmd.seq);
  j.field("at", format_time(cmd.at));
  j.field("principal", cmd.by.name);
  j.name("roles");
  out += '[';
  bool first = true;
  for (uint8_t bit = 1; bit <= kRoleAdmin; bit <<= 1) {
    if (!(cmd.by.roles & bit)) continue;
    if (!first) out += ',';
    first = false;
    out += fmt::format("\"{}\"", role_name(static_cast<Role>(bit)));
  }
  out += ']';
  j.field("level", static_cast<int32_t>(cmd.by.level));
  j.field("kind", kind_name(static_cast<uint8_t>(kind_of(cmd.body))));
  std::visit([&](const auto& b) { body_fields(j, b); }, cmd.body);
  j.close();
}

}  // namespace credo
