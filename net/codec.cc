// The request parser: simdjson on-demand over the connection's buffer, one pass over the fields
// in the common case ("id" and "op" first), validating each field against the op's field table.
//
// Why two passes at most: on-demand parsing reads forward only, and which fields are allowed
// depends on "op". Pass 1 reads "id" and "op" wherever they are and handles every field that
// comes after "op"; if some other field came before "op", pass 2 rewinds the object and handles
// the fields pass 1 had to skip.
//
// Why a validation walk on the error path: on-demand parsing only checks what it reads, so a
// BAD_REQUEST found early could hide broken JSON later in the line. Before answering
// BAD_REQUEST or UNKNOWN_OP we walk the whole document once more; invalid JSON anywhere turns
// the answer into BAD_JSON, so the error code never depends on field order.

#include "net/codec.h"

#include <simdjson.h>

#include <array>
#include <charconv>

#include "net/json_writer.h"

namespace credo::net {

static_assert(kParsePadding == simdjson::SIMDJSON_PADDING);

namespace od = simdjson::ondemand;

namespace {

// ---- ops and their fields -------------------------------------------------------------------
enum class Op : uint8_t {
  submit_order,
  submit_orders,
  quote,
  hello,
  ping,
  snapshot,
  set_clock,
  stats,
  state_hash,
  tick,
  set_policy,
  upsert_customer,
  set_credit,
  set_customer_status,
  upsert_product,
  receive_stock,
  adjust_stock,
  cancel_order,
  get_order,
  release_order,
  reject_order,
  list_held,
  ship,
  record_payment,
  return_goods,
  write_off,
  get_customer,
  get_product,
  aging,
  statement,
  daily_report,
};

// The fields an op (or a nested object) allows, in a fixed order: a field's index is its bit in
// the seen and required masks. Unused slots are empty. Six is the most any op has.
using Names = std::array<std::string_view, 6>;

// One op: its wire name, what kind of request it is, the fields it allows (index = bit in the
// seen and required masks) and which of them are required.
struct OpSpec {
  std::string_view name;
  Op op;
  RequestKind kind;
  Names fields;
  uint32_t required;  // bit i: fields[i] is required
};

// Field tables. The order of names is the index used by the handlers below.
constexpr uint32_t bit(int i) {
  return 1u << i;
}
// Order bodies (submit_order, quote, each of submit_orders' orders).
enum OrderField { kOCustomer, kOClientOrderId, kOPayment, kOShipBy, kORef, kOLines };
#define ORDER_FIELDS \
  { "customer", "client_order_id", "payment", "ship_by", "ref", "lines" }
constexpr uint32_t kOrderRequired = bit(kOCustomer) | bit(kOLines);

// Sorted by expected frequency: submit_order is the hot path.
const OpSpec kOps[] = {
    {"submit_order", Op::submit_order, RequestKind::command, ORDER_FIELDS, kOrderRequired},
    {"submit_orders", Op::submit_orders, RequestKind::command, {"orders"}, bit(0)},
    {"quote", Op::quote, RequestKind::query, ORDER_FIELDS, kOrderRequired},
    {"hello", Op::hello, RequestKind::hello, {"key"}, bit(0)},
    {"ping", Op::ping, RequestKind::ping, {}, 0},
    {"get_order",
     Op::get_order,
     RequestKind::query,
     {"order_no", "customer", "client_order_id"},
     0},
    {"get_customer", Op::get_customer, RequestKind::query, {"customer"}, bit(0)},
    {"get_product", Op::get_product, RequestKind::query, {"sku"}, bit(0)},
    {"ship", Op::ship, RequestKind::command, {"order_no", "lines"}, bit(0)},
    {"record_payment",
     Op::record_payment,
     RequestKind::command,
     {"customer", "amount", "payment_ref"},
     bit(0) | bit(1) | bit(2)},
    {"cancel_order", Op::cancel_order, RequestKind::command, {"order_no", "reason"}, bit(0)},
    {"release_order", Op::release_order, RequestKind::command, {"order_no", "note"}, bit(0)},
    {"reject_order",
     Op::reject_order,
     RequestKind::command,
     {"order_no", "reason"},
     bit(0) | bit(1)},
    {"list_held", Op::list_held, RequestKind::query, {"customer", "reason", "limit"}, 0},
    {"return_goods",
     Op::return_goods,
     RequestKind::command,
     {"order_no", "lines", "restock", "reason"},
     bit(0) | bit(1) | bit(2) | bit(3)},
    {"write_off", Op::write_off, RequestKind::command, {"invoice_no", "reason"}, bit(0) | bit(1)},
    {"upsert_customer",
     Op::upsert_customer,
     RequestKind::command,
     {"customer", "name", "grade", "credit_limit", "terms_days", "status"},
     bit(0)},
    {"set_credit",
     Op::set_credit,
     RequestKind::command,
     {"customer", "credit_limit", "grade", "terms_days", "reason"},
     bit(0)},
    {"set_customer_status",
     Op::set_customer_status,
     RequestKind::command,
     {"customer", "status", "reason"},
     bit(0) | bit(1) | bit(2)},
    {"upsert_product",
     Op::upsert_product,
     RequestKind::command,
     {"sku", "name", "price", "floor_price", "on_hand"},
     bit(0)},
    {"receive_stock", Op::receive_stock, RequestKind::command, {"sku", "qty"}, bit(0) | bit(1)},
    {"adjust_stock", Op::adjust_stock, RequestKind::command, {"sku", "on_hand"}, bit(0) | bit(1)},
    {"aging", Op::aging, RequestKind::query, {"customer"}, 0},
    {"statement",
     Op::statement,
     RequestKind::query,
     {"customer", "from", "to"},
     bit(0) | bit(1) | bit(2)},
    {"daily_report", Op::daily_report, RequestKind::query, {"date"}, bit(0)},
    {"stats", Op::stats, RequestKind::stats, {}, 0},
    {"state_hash", Op::state_hash, RequestKind::state_hash, {}, 0},
    {"snapshot", Op::snapshot, RequestKind::snapshot, {}, 0},
    {"set_clock", Op::set_clock, RequestKind::set_clock, {"now"}, bit(0)},
    {"tick", Op::tick, RequestKind::command, {}, 0},
    {"set_policy",
     Op::set_policy,
     RequestKind::command,
     {"approve_total_max_minor", "discount_max_bp", "hold_ttl_hours", "order_ttl_days",
      "overdue_hold_days", "suspend_after_days"},
     0},
};
#undef ORDER_FIELDS

const OpSpec* find_op(std::string_view name) {
  for (const OpSpec& spec : kOps)
    if (spec.name == name) return &spec;
  return nullptr;
}

int field_index(const Names& names, std::string_view key) {
  if (key.empty()) return -1;  // empty slots must never match
  for (std::size_t i = 0; i < names.size(); i++)
    if (names[i] == key) return static_cast<int>(i);
  return -1;
}

// No field name of any op is longer than this; longer keys are unknown without a lookup.
// Why it matters: pass 1 unescapes every key, and keeping them short bounds how much of
// simdjson's string buffer two passes can use (see the Impl constructor).
constexpr std::size_t kMaxFieldNameLen = 32;

// Nesting deeper than this is refused by the validation walk (no request nests past 4).
constexpr int kMaxValidateDepth = 256;

// Resets an OrderRequest for reuse, keeping its lines' capacity.
void reset_order(OrderRequest& o) {
  o.customer = Key{};
  o.client_order_id = Key{};
  o.payment = PaymentTerms::credit;
  o.ship_by.reset();
  o.ref.clear();
  o.lines.clear();
}

// Returns the alternative T of `v`, reusing the one already there (and its buffers).
template <typename T, typename V>
T& reuse(V& v) {
  if (auto* p = std::get_if<T>(&v)) return *p;
  return v.template emplace<T>();
}

}  // namespace

// ---- the parser ------------------------------------------------------------------------------
struct RequestParser::Impl {
  od::parser parser;
  // Per-call state.
  Request* out = nullptr;
  Error* err = nullptr;
  // Where we are, for error fields like "orders[3].lines[2].qty". Names are literals.
  struct Segment {
    std::string_view name;
    std::size_t index;
  };
  std::array<Segment, 4> path{};
  int path_len = 0;

  Impl() {
    // Why pre-allocate: simdjson's string buffer is 5/3 of the capacity. Both passes unescape
    // the keys (at most kMaxFieldNameLen bytes each) and each value once; with at least 64 KiB of
    // capacity that always fits even for tiny documents, and for larger ones 5/3 of the length
    // leaves room for the second pass's few short keys.
    // Failure (out of memory) is not fatal here: iterate() allocates again when it needs to.
    if (parser.allocate(std::size_t{64} * 1024) != simdjson::SUCCESS) return;
  }

  // ---- errors ----
  std::string field_name(std::string_view leaf) const {
    std::string f;
    for (int i = 0; i < path_len; i++) {
      f.append(path[i].name);
      f.push_back('[');
      append_uint(f, path[i].index);
      f.push_back(']');
      if (i + 1 < path_len || !leaf.empty()) f.push_back('.');
    }
    f.append(leaf);
    return f;
  }
  bool bad(std::string_view leaf, std::string_view why) {
    err->code = ErrorCode::BAD_REQUEST;
    err->field = field_name(leaf);
    err->message.assign(err->field);
    err->message.append(": ");
    err->message.append(why);
    return false;
  }
  bool bad_json(std::string_view why) {
    err->code = ErrorCode::BAD_JSON;
    err->field.clear();
    err->message.assign("not a valid JSON object: ");
    err->message.append(why);
    return false;
  }
  bool json_error(simdjson::error_code e) { return bad_json(simdjson::error_message(e)); }

  // ---- typed readers: each returns false with err set ----
  bool read_type(od::value& v, od::json_type& t) {
    if (auto e = v.type().get(t)) return json_error(e);
    return true;
  }
  bool read_string(od::value& v, std::string_view leaf, std::string_view& s) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::string) return bad(leaf, "must be a string");
    if (auto e = v.get_string().get(s)) return json_error(e);
    return true;
  }
  bool read_key(od::value& v, std::string_view leaf, Key& k) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    if (!Key::valid(s)) return bad(leaf, "must be 1 to 64 printable ASCII characters, no spaces");
    k = Key::of(s);
    return true;
  }
  bool read_text(od::value& v, std::string_view leaf, std::string& text) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    if (s.size() > kMaxTextLen) return bad(leaf, "must be at most 1024 bytes");
    text.assign(s);
    return true;
  }
  // A JSON integer in [lo, hi]. Fractions, exponents and values beyond int64 are BAD_REQUEST
  // (PROTOCOL.md "Values": money is never a float).
  bool read_int(od::value& v, std::string_view leaf, int64_t lo, int64_t hi, int64_t& out_value) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::number) return bad(leaf, "must be an integer");
    if (v.get_int64().get(out_value)) {
      double d;
      if (auto e = v.get_double().get(d)) return json_error(e);
      return bad(leaf, "must be an integer (no fraction or exponent, within int64)");
    }
    if (out_value < lo || out_value > hi) {
      std::string why = "must be an integer from ";
      append_int(why, lo);
      why.append(" to ");
      append_int(why, hi);
      return bad(leaf, why);
    }
    return true;
  }
  bool read_money(od::value& v, std::string_view leaf, int64_t lo, Money& m) {
    return read_int(v, leaf, lo, kMoneyMax, m);
  }
  bool read_qty(od::value& v, std::string_view leaf, Qty& q) {
    return read_int(v, leaf, 1, kQtyMax, q);
  }
  bool read_int32(od::value& v, std::string_view leaf, int32_t lo, int32_t hi, int32_t& out_value) {
    int64_t x;
    if (!read_int(v, leaf, lo, hi, x)) return false;
    out_value = static_cast<int32_t>(x);
    return true;
  }
  // order_no, invoice_no: assigned by the server from 1 up.
  bool read_number(od::value& v, std::string_view leaf, uint64_t& n) {
    int64_t x;
    if (!read_int(v, leaf, 1, INT64_MAX, x)) return false;
    n = static_cast<uint64_t>(x);
    return true;
  }
  bool read_bool(od::value& v, std::string_view leaf, bool& b) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::boolean) return bad(leaf, "must be true or false");
    if (auto e = v.get_bool().get(b)) return json_error(e);
    return true;
  }
  bool read_date(od::value& v, std::string_view leaf, Day& d) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    auto day = parse_date(s);
    if (!day) return bad(leaf, "must be a real date \"YYYY-MM-DD\"");
    d = *day;
    return true;
  }
  template <typename E>
  bool read_enum(od::value& v, std::string_view leaf, const char* allowed, E& e) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    if (!credo::parse(s, &e)) return bad(leaf, std::string("must be one of ") + allowed);
    return true;
  }
  bool read_array(od::value& v, std::string_view leaf, od::array& a) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::array) return bad(leaf, "must be an array");
    if (auto e = v.get_array().get(a)) return json_error(e);
    return true;
  }
  bool read_object(od::value& v, std::string_view leaf, od::object& o) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::object) return bad(leaf, "must be an object");
    if (auto e = v.get_object().get(o)) return json_error(e);
    return true;
  }

  // Iterates the fields of `o` against `names`, calling handle(index, value) for each; unknown,
  // duplicate and (at the end) missing required fields are BAD_REQUEST.
  template <typename Handler>
  bool for_fields(od::object& o, const Names& names, uint32_t required, Handler&& handle) {
    uint32_t seen = 0;
    for (auto fr : o) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      int i = key.size() <= kMaxFieldNameLen ? field_index(names, key) : -1;
      if (i < 0) return bad(key.size() <= kMaxFieldNameLen ? key : "", "unknown field");
      if (seen & bit(i)) return bad(key, "given twice");
      seen |= bit(i);
      if (!handle(i, f.value())) return false;
    }
    return check_required(names, required, seen);
  }
  bool check_required(const Names& names, uint32_t required, uint32_t seen) {
    uint32_t missing = required & ~seen;
    if (missing == 0) return true;
    int i = __builtin_ctz(missing);
    return bad(names[i], "is required");
  }

  // ---- nested bodies ----
  // lines of an order: 1..1000 of {sku, qty, unit_price?}.
  bool parse_order_lines(od::value& v, std::vector<LineRequest>& lines) {
    od::array a;
    if (!read_array(v, "lines", a)) return false;
    static constexpr Names kNames = {"sku", "qty", "unit_price"};
    std::size_t n = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      if (n == kMaxOrderLines) return bad("lines", "at most 1000 lines");
      path[path_len++] = {"lines", n};
      LineRequest& line = lines.emplace_back();
      od::object o;
      bool ok = read_object(ev, "", o) &&
                for_fields(o, kNames, bit(0) | bit(1), [&](int i, od::value& fv) {
                  switch (i) {
                    case 0:
                      return read_key(fv, "sku", line.sku);
                    case 1:
                      return read_qty(fv, "qty", line.qty);
                    default: {
                      Money p;
                      if (!read_money(fv, "unit_price", 0, p)) return false;
                      line.unit_price = p;
                      return true;
                    }
                  }
                });
      path_len--;
      if (!ok) return false;
      n++;
    }
    if (n == 0) return bad("lines", "must not be empty");
    return true;
  }
  // lines of a shipment or return: 1..1000 of {sku, qty}.
  bool parse_sku_qty_lines(od::value& v, std::vector<SkuQty>& lines) {
    od::array a;
    if (!read_array(v, "lines", a)) return false;
    static constexpr Names kNames = {"sku", "qty"};
    std::size_t n = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      if (n == kMaxOrderLines) return bad("lines", "at most 1000 lines");
      path[path_len++] = {"lines", n};
      SkuQty& line = lines.emplace_back();
      od::object o;
      bool ok = read_object(ev, "", o) &&
                for_fields(o, kNames, bit(0) | bit(1), [&](int i, od::value& fv) {
                  return i == 0 ? read_key(fv, "sku", line.sku) : read_qty(fv, "qty", line.qty);
                });
      path_len--;
      if (!ok) return false;
      n++;
    }
    if (n == 0) return bad("lines", "must not be empty");
    return true;
  }
  // One field of an order body.
  bool order_field(int i, od::value& v, OrderRequest& o) {
    switch (i) {
      case kOCustomer:
        return read_key(v, "customer", o.customer);
      case kOClientOrderId:
        return read_key(v, "client_order_id", o.client_order_id);
      case kOPayment:
        return read_enum(v, "payment", "credit, prepaid", o.payment);
      case kOShipBy: {
        Day d = 0;
        if (!read_date(v, "ship_by", d)) return false;
        o.ship_by = d;
        return true;
      }
      case kORef:
        return read_text(v, "ref", o.ref);
      default:
        return parse_order_lines(v, o.lines);
    }
  }
  // submit_orders' "orders": up to 10,000 order bodies.
  bool parse_orders(od::value& v, std::vector<OrderRequest>& orders) {
    od::array a;
    if (!read_array(v, "orders", a)) return false;
    static constexpr Names kNames = {"customer", "client_order_id", "payment", "ship_by", "ref",
                                     "lines"};
    std::size_t n = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      if (n == kMaxBatchOrders) return bad("orders", "at most 10000 orders");
      // Reuse the element (and its lines' capacity) left from an earlier request.
      if (n == orders.size()) orders.emplace_back();
      OrderRequest& order = orders[n];
      reset_order(order);
      path[path_len++] = {"orders", n};
      od::object o;
      bool ok = read_object(ev, "", o) &&
                for_fields(o, kNames, kOrderRequired,
                           [&](int i, od::value& fv) { return order_field(i, fv, order); });
      path_len--;
      if (!ok) return false;
      n++;
    }
    orders.resize(n);
    return true;
  }
  bool parse_policy_array(od::value& v, std::string_view leaf, int64_t hi,
                          std::array<Money, kMaxLevel + 1>* money,
                          std::array<int32_t, kMaxLevel + 1>* bp) {
    od::array a;
    if (!read_array(v, leaf, a)) return false;
    std::size_t n = 0;
    for (auto er : a) {
      od::value ev;
      if (auto e = std::move(er).get(ev)) return json_error(e);
      if (n > kMaxLevel) return bad(leaf, "must have exactly 4 elements (levels 0 to 3)");
      path[path_len++] = {leaf, n};
      int64_t x;
      bool ok = read_int(ev, "", 0, hi, x);
      path_len--;
      if (!ok) return false;
      if (money) (*money)[n] = x;
      if (bp) (*bp)[n] = static_cast<int32_t>(x);
      n++;
    }
    if (n != kMaxLevel + 1) return bad(leaf, "must have exactly 4 elements (levels 0 to 3)");
    return true;
  }

  // ---- top-level fields ----
  // Prepares out->command / out->query for `op` before its fields are read.
  void prepare(Op op) {
    Request& r = *out;
    switch (op) {
      case Op::submit_order:
        reset_order(reuse<SubmitOrder>(r.command).order);
        break;
      case Op::quote:
        reset_order(reuse<Quote>(r.query).order);
        break;
      case Op::submit_orders:
        reuse<SubmitOrders>(r.command);
        break;
      case Op::hello:
        r.key.clear();
        break;
      case Op::ping:
      case Op::snapshot:
      case Op::stats:
      case Op::state_hash:
        break;
      case Op::set_clock:
        r.clock_now = 0;
        break;
      case Op::tick:
        r.command.emplace<Tick>();
        break;
      case Op::set_policy:
        r.command.emplace<SetPolicy>();
        break;
      case Op::upsert_customer:
        r.command.emplace<UpsertCustomer>();
        break;
      case Op::set_credit:
        r.command.emplace<SetCredit>();
        break;
      case Op::set_customer_status:
        r.command.emplace<SetCustomerStatus>();
        break;
      case Op::upsert_product:
        r.command.emplace<UpsertProduct>();
        break;
      case Op::receive_stock:
        r.command.emplace<ReceiveStock>();
        break;
      case Op::adjust_stock:
        r.command.emplace<AdjustStock>();
        break;
      case Op::cancel_order:
        r.command.emplace<CancelOrder>();
        break;
      case Op::release_order:
        r.command.emplace<ReleaseOrder>();
        break;
      case Op::reject_order:
        r.command.emplace<RejectOrder>();
        break;
      case Op::ship: {
        Ship& c = reuse<Ship>(r.command);
        c.order_no = 0;
        c.lines.clear();
        break;
      }
      case Op::record_payment:
        r.command.emplace<RecordPayment>();
        break;
      case Op::return_goods: {
        ReturnGoods& c = reuse<ReturnGoods>(r.command);
        c.order_no = 0;
        c.lines.clear();
        c.restock = false;
        c.reason.clear();
        break;
      }
      case Op::write_off:
        r.command.emplace<WriteOff>();
        break;
      case Op::get_order:
        r.query.emplace<GetOrder>();
        break;
      case Op::get_customer:
        r.query.emplace<GetCustomer>();
        break;
      case Op::get_product:
        r.query.emplace<GetProduct>();
        break;
      case Op::list_held:
        r.query.emplace<ListHeld>();
        break;
      case Op::aging:
        r.query.emplace<AgingQuery>();
        break;
      case Op::statement:
        r.query.emplace<StatementQuery>();
        break;
      case Op::daily_report:
        r.query.emplace<DailyReportQuery>();
        break;
    }
  }

  // One field `i` (index into the op's field table) of the request.
  bool op_field(Op op, int i, od::value& v) {
    Request& r = *out;
    switch (op) {
      case Op::submit_order:
        return order_field(i, v, std::get<SubmitOrder>(r.command).order);
      case Op::quote:
        return order_field(i, v, std::get<Quote>(r.query).order);
      case Op::submit_orders:
        return parse_orders(v, std::get<SubmitOrders>(r.command).orders);
      case Op::hello:
        return read_text(v, "key", r.key);
      case Op::ping:
      case Op::snapshot:
      case Op::stats:
      case Op::state_hash:
      case Op::tick:
        return false;  // no fields: for_fields never calls us
      case Op::set_clock: {
        std::string_view s;
        if (!read_string(v, "now", s)) return false;
        auto t = parse_time(s);
        if (!t) return bad("now", "must be an ISO-8601 UTC time \"YYYY-MM-DDTHH:MM:SS[.fff]Z\"");
        r.clock_now = *t;
        return true;
      }
      case Op::set_policy: {
        Policy& p = std::get<SetPolicy>(r.command).policy;
        switch (i) {
          case 0:
            return parse_policy_array(v, "approve_total_max_minor", kMoneyMax,
                                      &p.approve_total_max_minor, nullptr);
          case 1:
            return parse_policy_array(v, "discount_max_bp", 10'000, nullptr, &p.discount_max_bp);
          case 2:
            return read_int32(v, "hold_ttl_hours", 1, 24 * 3650, p.hold_ttl_hours);
          case 3:
            return read_int32(v, "order_ttl_days", 1, 3650, p.order_ttl_days);
          case 4:
            return read_int32(v, "overdue_hold_days", 0, 3650, p.overdue_hold_days);
          default:
            return read_int32(v, "suspend_after_days", 0, 3650, p.suspend_after_days);
        }
      }
      case Op::upsert_customer: {
        auto& c = std::get<UpsertCustomer>(r.command);
        switch (i) {
          case 0:
            return read_key(v, "customer", c.customer);
          case 1:
            return read_text(v, "name", c.name.emplace());
          case 2:
            return read_enum(v, "grade", "A, B, C, D", c.grade.emplace());
          case 3:
            return read_money(v, "credit_limit", 0, c.credit_limit.emplace());
          case 4:
            return read_int32(v, "terms_days", 0, 3650, c.terms_days.emplace());
          default:
            return read_enum(v, "status", "active, on_hold, blocked", c.status.emplace());
        }
      }
      case Op::set_credit: {
        auto& c = std::get<SetCredit>(r.command);
        switch (i) {
          case 0:
            return read_key(v, "customer", c.customer);
          case 1:
            return read_money(v, "credit_limit", 0, c.credit_limit.emplace());
          case 2:
            return read_enum(v, "grade", "A, B, C, D", c.grade.emplace());
          case 3:
            return read_int32(v, "terms_days", 0, 3650, c.terms_days.emplace());
          default:
            return read_text(v, "reason", c.reason);
        }
      }
      case Op::set_customer_status: {
        auto& c = std::get<SetCustomerStatus>(r.command);
        switch (i) {
          case 0:
            return read_key(v, "customer", c.customer);
          case 1:
            return read_enum(v, "status", "active, on_hold, blocked", c.status);
          default:
            return read_text(v, "reason", c.reason);
        }
      }
      case Op::upsert_product: {
        auto& c = std::get<UpsertProduct>(r.command);
        switch (i) {
          case 0:
            return read_key(v, "sku", c.sku);
          case 1:
            return read_text(v, "name", c.name.emplace());
          case 2:
            return read_money(v, "price", 0, c.price.emplace());
          case 3:
            return read_money(v, "floor_price", 0, c.floor_price.emplace());
          default:
            return read_int(v, "on_hand", 0, INT64_MAX, c.on_hand.emplace());
        }
      }
      case Op::receive_stock: {
        auto& c = std::get<ReceiveStock>(r.command);
        return i == 0 ? read_key(v, "sku", c.sku) : read_qty(v, "qty", c.qty);
      }
      case Op::adjust_stock: {
        auto& c = std::get<AdjustStock>(r.command);
        return i == 0 ? read_key(v, "sku", c.sku) : read_int(v, "on_hand", 0, INT64_MAX, c.on_hand);
      }
      case Op::cancel_order: {
        auto& c = std::get<CancelOrder>(r.command);
        return i == 0 ? read_number(v, "order_no", c.order_no) : read_text(v, "reason", c.reason);
      }
      case Op::release_order: {
        auto& c = std::get<ReleaseOrder>(r.command);
        return i == 0 ? read_number(v, "order_no", c.order_no) : read_text(v, "note", c.note);
      }
      case Op::reject_order: {
        auto& c = std::get<RejectOrder>(r.command);
        return i == 0 ? read_number(v, "order_no", c.order_no) : read_text(v, "reason", c.reason);
      }
      case Op::ship: {
        auto& c = std::get<Ship>(r.command);
        return i == 0 ? read_number(v, "order_no", c.order_no) : parse_sku_qty_lines(v, c.lines);
      }
      case Op::record_payment: {
        auto& c = std::get<RecordPayment>(r.command);
        switch (i) {
          case 0:
            return read_key(v, "customer", c.customer);
          case 1:
            return read_money(v, "amount", 1, c.amount);
          default:
            return read_key(v, "payment_ref", c.payment_ref);
        }
      }
      case Op::return_goods: {
        auto& c = std::get<ReturnGoods>(r.command);
        switch (i) {
          case 0:
            return read_number(v, "order_no", c.order_no);
          case 1:
            return parse_sku_qty_lines(v, c.lines);
          case 2:
            return read_bool(v, "restock", c.restock);
          default:
            return read_text(v, "reason", c.reason);
        }
      }
      case Op::write_off: {
        auto& c = std::get<WriteOff>(r.command);
        return i == 0 ? read_number(v, "invoice_no", c.invoice_no)
                      : read_text(v, "reason", c.reason);
      }
      case Op::get_order: {
        auto& q = std::get<GetOrder>(r.query);
        switch (i) {
          case 0:
            return read_number(v, "order_no", q.order_no);
          case 1:
            return read_key(v, "customer", q.customer);
          default:
            return read_key(v, "client_order_id", q.client_order_id);
        }
      }
      case Op::get_customer:
        return read_key(v, "customer", std::get<GetCustomer>(r.query).customer);
      case Op::get_product:
        return read_key(v, "sku", std::get<GetProduct>(r.query).sku);
      case Op::list_held: {
        auto& q = std::get<ListHeld>(r.query);
        switch (i) {
          case 0:
            return read_key(v, "customer", q.customer.emplace());
          case 1:
            return read_enum(v, "reason", "a reason code (CREDIT_LIMIT, ...)", q.reason.emplace());
          default: {
            int64_t x;
            if (!read_int(v, "limit", 1, kMaxListLimit, x)) return false;
            q.limit = static_cast<uint32_t>(x);
            return true;
          }
        }
      }
      case Op::aging:
        return read_key(v, "customer", std::get<AgingQuery>(r.query).customer.emplace());
      case Op::statement: {
        auto& q = std::get<StatementQuery>(r.query);
        switch (i) {
          case 0:
            return read_key(v, "customer", q.customer);
          case 1:
            return read_date(v, "from", q.from);
          default:
            return read_date(v, "to", q.to);
        }
      }
      case Op::daily_report:
        return read_date(v, "date", std::get<DailyReportQuery>(r.query).date);
    }
    return false;
  }

  // Checks across fields, once all are read.
  bool finish(Op op) {
    Request& r = *out;
    switch (op) {
      case Op::get_order: {
        auto& q = std::get<GetOrder>(r.query);
        // Exactly one way to name the order.
        if (q.order_no != 0) {
          if (!q.customer.empty() || !q.client_order_id.empty())
            return bad("order_no", "give order_no, or customer and client_order_id, not both");
          return true;
        }
        if (q.customer.empty() && q.client_order_id.empty())
          return bad("order_no", "is required (or customer and client_order_id)");
        if (q.customer.empty()) return bad("customer", "is required with client_order_id");
        if (q.client_order_id.empty()) return bad("client_order_id", "is required with customer");
        return true;
      }
      case Op::statement: {
        auto& q = std::get<StatementQuery>(r.query);
        if (q.to < q.from) return bad("to", "must not be before from");
        return true;
      }
      default:
        return true;
    }
  }

  // "id": a string or an integer, kept as JSON text to echo.
  bool read_id(od::value& v) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    std::string& id = out->id_json;
    if (t == od::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return json_error(e);
      id.clear();
      append_json_string(id, s);  // re-escaped: what we echo is always valid JSON
      return true;
    }
    if (t == od::json_type::number) {
      int64_t i;
      uint64_t u;
      id.clear();
      if (!v.get_int64().get(i)) {
        append_int(id, i);
        return true;
      }
      if (!v.get_uint64().get(u)) {
        append_uint(id, u);
        return true;
      }
    }
    return bad("id", "must be a string or an integer");
  }

  bool parse(std::string_view line) {
    od::document doc;
    if (auto e = parser
                     .iterate(simdjson::padded_string_view(line.data(), line.size(),
                                                           line.size() + kParsePadding))
                     .get(doc))
      return json_error(e);
    // Trailing garbage: raw_json() skips the whole document and tells where it ended.
    std::string_view whole;
    if (auto e = doc.raw_json().get(whole)) return json_error(e);
    for (std::size_t i = whole.size(); i < line.size(); i++) {
      const char c = line[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return bad_json("trailing characters");
    }
    doc.rewind();
    od::object obj;
    {
      od::json_type t{};
      if (auto e = doc.type().get(t)) return json_error(e);
      if (t != od::json_type::object) return bad_json("the request must be a JSON object");
      if (auto e = doc.get_object().get(obj)) return json_error(e);
    }

    // Pass 1: id and op wherever they are; the op's fields once op is known.
    const OpSpec* spec = nullptr;
    bool seen_id = false;
    bool deferred = false;  // a field came before "op": pass 2 handles it
    uint32_t seen = 0;
    for (auto fr : obj) {
      od::field f;
      if (auto e = std::move(fr).get(f)) return json_error(e);
      std::string_view key;
      if (auto e = f.unescaped_key().get(key)) return json_error(e);
      if (key == "id") {
        if (seen_id) return bad("id", "given twice");
        seen_id = true;
        if (!read_id(f.value())) return false;
      } else if (key == "op") {
        if (spec) return bad("op", "given twice");
        std::string_view name;
        if (!read_string(f.value(), "op", name)) return false;
        out->op.assign(name);
        spec = find_op(name);
        if (!spec) {
          err->code = ErrorCode::UNKNOWN_OP;
          err->field = "op";
          // Quote at most 64 bytes of the name, cut on a UTF-8 character boundary: half a
          // character would make the answer invalid JSON (found by fuzz_request_parser).
          std::size_t n = std::min<std::size_t>(name.size(), 64);
          while (n > 0 && n < name.size() && (static_cast<unsigned char>(name[n]) & 0xC0) == 0x80)
            --n;
          err->message = "unknown op \"" + std::string(name.substr(0, n)) + "\"";
          return false;
        }
        prepare(spec->op);
      } else if (key.size() > kMaxFieldNameLen) {
        return bad("", "unknown field");
      } else if (!spec || deferred) {
        deferred = true;
      } else if (!top_field(*spec, key, f.value(), seen)) {
        return false;
      }
    }
    if (!spec) return bad("op", "is required");
    if (deferred) {
      // Pass 2: the fields pass 1 skipped. Rewinding is safe: nothing read so far is kept as
      // a view into the document (keys and ids were copied out).
      bool ignored;
      if (auto e = obj.reset().get(ignored)) return json_error(e);
      for (auto fr : obj) {
        od::field f;
        if (auto e = std::move(fr).get(f)) return json_error(e);
        std::string_view key;
        if (auto e = f.unescaped_key().get(key)) return json_error(e);
        if (key == "id" || key == "op") continue;
        if (!top_field(*spec, key, f.value(), seen)) return false;
      }
    }
    if (!check_required(spec->fields, spec->required, seen)) return false;
    out->kind = spec->kind;
    return finish(spec->op);
  }

  bool top_field(const OpSpec& spec, std::string_view key, od::value& v, uint32_t& seen) {
    int i = field_index(spec.fields, key);
    if (i < 0) return bad(key, "unknown field");
    if (seen & bit(i)) return bad(key, "given twice");
    seen |= bit(i);
    return op_field(spec.op, i, v);
  }

  // ---- the error path ----
  // True iff `v` and everything in it is valid JSON.
  // Recursive by design; the depth is bounded by kMaxValidateDepth.
  bool valid_value(od::value v, int depth) {  // NOLINT(misc-no-recursion)
    if (depth > kMaxValidateDepth) return false;
    od::json_type t{};
    if (v.type().get(t)) return false;
    switch (t) {
      case od::json_type::object: {
        od::object o;
        if (v.get_object().get(o)) return false;
        for (auto fr : o) {
          od::field f;
          if (std::move(fr).get(f)) return false;
          std::string_view key;
          if (f.unescaped_key().get(key)) return false;
          if (!valid_value(f.value(), depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::array: {
        od::array a;
        if (v.get_array().get(a)) return false;
        for (auto er : a) {
          od::value ev;
          if (std::move(er).get(ev)) return false;
          if (!valid_value(ev, depth + 1)) return false;
        }
        return true;
      }
      case od::json_type::string: {
        std::string_view s;
        return !v.get_string().get(s);
      }
      case od::json_type::number: {
        double d;
        return !v.get_double().get(d);
      }
      case od::json_type::boolean: {
        bool b;
        return !v.get_bool().get(b);
      }
      case od::json_type::null: {
        bool is_null = false;
        return !v.is_null().get(is_null) && is_null;
      }
    }
    return false;
  }

  // After a failure: fills the id if it was not read yet, and turns BAD_REQUEST / UNKNOWN_OP
  // into BAD_JSON if the line is not valid JSON after all.
  void recover(std::string_view line) {
    const bool check = err->code == ErrorCode::BAD_REQUEST || err->code == ErrorCode::UNKNOWN_OP;
    const bool need_id = out->id_json.empty();
    if (!check && !need_id) return;
    od::document doc;
    if (parser
            .iterate(
                simdjson::padded_string_view(line.data(), line.size(), line.size() + kParsePadding))
            .get(doc))
      return;
    od::object obj;
    if (doc.get_object().get(obj)) return;
    Error scratch;
    Error* saved = err;
    err = &scratch;  // read_id's own complaints do not replace the real error
    bool valid = true;
    for (auto fr : obj) {
      od::field f;
      std::string_view key;
      if (std::move(fr).get(f) || f.unescaped_key().get(key)) {
        valid = false;
        break;
      }
      if (need_id && key == "id" && out->id_json.empty()) {
        if (read_id(f.value())) continue;
        if (scratch.code == ErrorCode::BAD_JSON) {
          valid = false;
          break;
        }
        // An id of the wrong type: nothing to echo, but its content still must be valid.
      }
      if (!valid_value(f.value(), 1)) {
        valid = false;
        break;
      }
    }
    err = saved;
    if (check && !valid) bad_json("invalid JSON after the first error");
  }
};

RequestParser::RequestParser() : impl_(std::make_unique<Impl>()) {}
RequestParser::~RequestParser() = default;

bool RequestParser::parse(std::string_view line, Request& out, Error& err) {
  out.id_json.clear();
  out.op.clear();
  err.code = ErrorCode::OK;
  err.message.clear();
  err.field.clear();
  impl_->out = &out;
  impl_->err = &err;
  impl_->path_len = 0;
  if (impl_->parse(line)) return true;
  impl_->recover(line);
  return false;
}

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

void write_applications(JsonWriter& w, const std::vector<Application>& applied) {
  w.key("applied");
  w.begin_array();
  for (const Application& a : applied) {
    w.begin_object();
    w.field("invoice_no", a.invoice_no);
    w.field("amount", a.amount);
    w.end_object();
  }
  w.end_array();
}

// How an order is shown: which status field leads, and what extras come with it.
enum class OrderShape : uint8_t {
  decision,  // submit_order, submit_orders, quote: "status" is what submit decided
  current,   // cancel, release, reject, list_held: "status" is the status now, plus "decision"
  full,      // get_order: as current, plus events, ship_by, ref, submitted_by
};

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
  w.field("customer", o.customer.view());
  if (!o.client_order_id.empty()) w.field("client_order_id", o.client_order_id.view());
  w.field("payment", to_string(o.payment));
  w.key("reasons");
  w.begin_array();
  for (const ReasonView& r : o.reasons) {
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
  w.field("total", o.total);
  w.key("lines");
  w.begin_array();
  for (const LineView& l : o.lines) {
    w.begin_object();
    w.field("sku", l.sku.view());
    w.field("qty", l.qty);
    w.field("unit_price", l.unit_price);
    w.field("discount_bp", l.discount_bp);
    w.field("amount", l.amount);
    w.field("shipped", l.shipped);
    w.field("returned", l.returned);
    w.end_object();
  }
  w.end_array();
  if (o.has_credit) {
    w.key("credit");
    w.begin_object();
    w.field("limit", o.credit.limit);
    w.field("exposure", o.credit.exposure);
    w.field("available", o.credit.available);
    w.end_object();
  }
  w.field_time("at", o.at);
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
}

OrderShape order_shape(std::string_view op, const OrderView& o) {
  if (op == "submit_order" || op == "submit_orders" || op == "quote") return OrderShape::decision;
  if (op == "get_order" || o.with_events) return OrderShape::full;
  return OrderShape::current;
}

// The body fields of each result type, inside the open envelope.
struct BodyWriter {
  JsonWriter& w;
  std::string_view op;

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
  }
  void operator()(const ReturnView& r) {
    w.field("order_no", r.order_no);
    w.field("credit_note_no", r.credit_note_no);
    w.field("amount", r.amount);
    write_applications(w, r.applied);
    w.field("unapplied", r.unapplied);
  }
  void operator()(const WriteOffView& x) {
    w.field("invoice_no", x.invoice_no);
    w.field("customer", x.customer.view());
    w.field("amount", x.amount);
  }
  void operator()(const TickView& t) {
    w.field_time("now", t.now);
    w.field("held_expired", t.held_expired);
    w.field("accepted_expired", t.accepted_expired);
    w.field("customers_suspended", t.customers_suspended);
    w.field("customers_reactivated", t.customers_reactivated);
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
    w.end_object();
  }
  void operator()(const AgingView& a) {
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
      w.field("amount", e.amount);
      w.field("balance", e.balance);
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
  void operator()(const DailyReportView& d) {
    w.field_date("date", d.date);
    w.key("orders");
    w.begin_object();
    for (int i = 0; i < 6; i++) {
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
  }
};

}  // namespace

void write_result(std::string& out, std::string_view id_json, std::string_view op,
                  const Result& r) {
  if (!r.ok()) return write_error(out, id_json, r.error);
  JsonWriter w(out);
  begin_envelope(w, id_json, true);
  std::visit(BodyWriter{w, op}, r.body);
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
