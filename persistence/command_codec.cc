#include "persistence/command_codec.h"

#include <string_view>
#include <type_traits>
#include <utility>

#include "engine/ops.h"
#include "persistence/coding.h"

namespace credo {
namespace {

using coding::Cursor;

// ---- kinds ----------------------------------------------------------------------------------
template <typename T>
constexpr CommandKind kind_for() {
  if constexpr (std::is_same_v<T, UpsertCustomer>)
    return CommandKind::upsert_customer;
  else if constexpr (std::is_same_v<T, SetCredit>)
    return CommandKind::set_credit;
  else if constexpr (std::is_same_v<T, SetCustomerStatus>)
    return CommandKind::set_customer_status;
  else if constexpr (std::is_same_v<T, UpsertProduct>)
    return CommandKind::upsert_product;
  else if constexpr (std::is_same_v<T, ReceiveStock>)
    return CommandKind::receive_stock;
  else if constexpr (std::is_same_v<T, AdjustStock>)
    return CommandKind::adjust_stock;
  else if constexpr (std::is_same_v<T, SubmitOrder>)
    return CommandKind::submit_order;
  else if constexpr (std::is_same_v<T, SubmitOrders>)
    return CommandKind::submit_orders;
  else if constexpr (std::is_same_v<T, CancelOrder>)
    return CommandKind::cancel_order;
  else if constexpr (std::is_same_v<T, ReleaseOrder>)
    return CommandKind::release_order;
  else if constexpr (std::is_same_v<T, RejectOrder>)
    return CommandKind::reject_order;
  else if constexpr (std::is_same_v<T, Ship>)
    return CommandKind::ship;
  else if constexpr (std::is_same_v<T, RecordPayment>)
    return CommandKind::record_payment;
  else if constexpr (std::is_same_v<T, ReturnGoods>)
    return CommandKind::return_goods;
  else if constexpr (std::is_same_v<T, WriteOff>)
    return CommandKind::write_off;
  else if constexpr (std::is_same_v<T, Tick>)
    return CommandKind::tick;
  else {
    // A new CommandBody alternative must get a kind number here (and in docs/wal_format.md).
    static_assert(std::is_same_v<T, SetPolicy>, "command without a WAL kind");
    return CommandKind::set_policy;
  }
}

constexpr const char* kKindNames[kCommandKindMax + 1] = {
    "unknown",        "upsert_customer", "set_credit",    "set_customer_status",
    "upsert_product", "receive_stock",   "adjust_stock",  "submit_order",
    "submit_orders",  "cancel_order",    "release_order", "reject_order",
    "ship",           "record_payment",  "return_goods",  "write_off",
    "tick",           "set_policy"};

// The WAL kinds and names here must be the ones engine/ops.h declares (until this file derives
// them from it): a mismatch does not compile.
template <std::size_t... I>
constexpr bool kinds_match_ops(std::index_sequence<I...>) {
  return ((static_cast<uint8_t>(kind_for<std::variant_alternative_t<I, CommandBody>>()) ==
               kOps[I].wal_kind &&
           std::string_view(kKindNames[kOps[I].wal_kind]) == kOps[I].name) &&
          ...);
}
static_assert(kinds_match_ops(std::make_index_sequence<kCommandOpCount>{}));
static_assert(kCommandKindMax == kCommandOpCount);

// ---- encoding -------------------------------------------------------------------------------
class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void key(const Key& k, const char* field) {
    if (k.len > Key::kMaxLen || (k.len > 0 && !Key::valid(k.view())))
      return fail(field, "invalid identifier");
    coding::put_u8(out_, k.len);
    out_.append(k.data, k.len);
  }
  void text(const std::string& s, const char* field) {
    if (s.size() > kMaxTextLen) return fail(field, "text longer than 1024 bytes");
    coding::put_varu(out_, s.size());
    out_.append(s);
  }
  void count(std::size_t n, std::size_t max, const char* field) {
    if (n > max) return fail(field, "too many elements");
    coding::put_varu(out_, n);
  }
  void u8(uint8_t v) { coding::put_u8(out_, v); }
  void varu(uint64_t v) { coding::put_varu(out_, v); }
  void vari(int64_t v) { coding::put_vari(out_, v); }
  template <typename E>
  void en(E e) {
    coding::put_u8(out_, static_cast<uint8_t>(e));
  }

 private:
  void fail(const char* field, const char* what) {
    if (error_.empty()) error_ = std::string(field) + ": " + what;
  }
  std::string& out_;
  std::string error_;
};

uint8_t flag(bool present, int bit) {
  return present ? static_cast<uint8_t>(1u << bit) : 0;
}

void encode_order(Encoder& e, const OrderRequest& o) {
  e.u8(flag(o.ship_by.has_value(), 0));
  e.key(o.customer, "customer");
  e.key(o.client_order_id, "client_order_id");
  e.en(o.payment);
  if (o.ship_by) e.vari(*o.ship_by);
  e.text(o.ref, "ref");
  e.count(o.lines.size(), kMaxOrderLines, "lines");
  for (const LineRequest& l : o.lines) {
    e.u8(flag(l.unit_price.has_value(), 0));
    e.key(l.sku, "lines.sku");
    e.vari(l.qty);
    if (l.unit_price) e.vari(*l.unit_price);
  }
}

void encode_sku_qtys(Encoder& e, const std::vector<SkuQty>& lines) {
  e.count(lines.size(), kMaxOrderLines, "lines");
  for (const SkuQty& l : lines) {
    e.key(l.sku, "lines.sku");
    e.vari(l.qty);
  }
}

void encode_body(Encoder& e, const UpsertCustomer& c) {
  e.u8(flag(c.name.has_value(), 0) | flag(c.grade.has_value(), 1) |
       flag(c.credit_limit.has_value(), 2) | flag(c.terms_days.has_value(), 3) |
       flag(c.status.has_value(), 4));
  e.key(c.customer, "customer");
  if (c.name) e.text(*c.name, "name");
  if (c.grade) e.en(*c.grade);
  if (c.credit_limit) e.vari(*c.credit_limit);
  if (c.terms_days) e.vari(*c.terms_days);
  if (c.status) e.en(*c.status);
}
void encode_body(Encoder& e, const SetCredit& c) {
  e.u8(flag(c.credit_limit.has_value(), 0) | flag(c.grade.has_value(), 1) |
       flag(c.terms_days.has_value(), 2));
  e.key(c.customer, "customer");
  if (c.credit_limit) e.vari(*c.credit_limit);
  if (c.grade) e.en(*c.grade);
  if (c.terms_days) e.vari(*c.terms_days);
  e.text(c.reason, "reason");
}
void encode_body(Encoder& e, const SetCustomerStatus& c) {
  e.key(c.customer, "customer");
  e.en(c.status);
  e.text(c.reason, "reason");
}
void encode_body(Encoder& e, const UpsertProduct& c) {
  e.u8(flag(c.name.has_value(), 0) | flag(c.price.has_value(), 1) |
       flag(c.floor_price.has_value(), 2) | flag(c.on_hand.has_value(), 3));
  e.key(c.sku, "sku");
  if (c.name) e.text(*c.name, "name");
  if (c.price) e.vari(*c.price);
  if (c.floor_price) e.vari(*c.floor_price);
  if (c.on_hand) e.vari(*c.on_hand);
}
void encode_body(Encoder& e, const ReceiveStock& c) {
  e.key(c.sku, "sku");
  e.vari(c.qty);
}
void encode_body(Encoder& e, const AdjustStock& c) {
  e.key(c.sku, "sku");
  e.vari(c.on_hand);
}
void encode_body(Encoder& e, const SubmitOrder& c) {
  encode_order(e, c.order);
}
void encode_body(Encoder& e, const SubmitOrders& c) {
  e.count(c.orders.size(), kMaxBatchOrders, "orders");
  for (const OrderRequest& o : c.orders) encode_order(e, o);
}
void encode_body(Encoder& e, const CancelOrder& c) {
  e.varu(c.order_no);
  e.text(c.reason, "reason");
}
void encode_body(Encoder& e, const ReleaseOrder& c) {
  e.varu(c.order_no);
  e.text(c.note, "note");
}
void encode_body(Encoder& e, const RejectOrder& c) {
  e.varu(c.order_no);
  e.text(c.reason, "reason");
}
void encode_body(Encoder& e, const Ship& c) {
  e.varu(c.order_no);
  encode_sku_qtys(e, c.lines);
}
void encode_body(Encoder& e, const RecordPayment& c) {
  e.key(c.customer, "customer");
  e.vari(c.amount);
  e.key(c.payment_ref, "payment_ref");
}
void encode_body(Encoder& e, const ReturnGoods& c) {
  e.varu(c.order_no);
  encode_sku_qtys(e, c.lines);
  e.u8(c.restock ? 1 : 0);
  e.text(c.reason, "reason");
}
void encode_body(Encoder& e, const WriteOff& c) {
  e.varu(c.invoice_no);
  e.text(c.reason, "reason");
}
void encode_body(Encoder&, const Tick&) {}
void encode_body(Encoder& e, const SetPolicy& c) {
  for (Money m : c.policy.approve_total_max_minor) e.vari(m);
  for (int32_t bp : c.policy.discount_max_bp) e.vari(bp);
  e.vari(c.policy.hold_ttl_hours);
  e.vari(c.policy.order_ttl_days);
  e.vari(c.policy.overdue_hold_days);
  e.vari(c.policy.suspend_after_days);
}

// ---- decoding -------------------------------------------------------------------------------
class Decoder {
 public:
  explicit Decoder(std::string_view data) : c_(data) {}
  bool ok() const { return c_.ok() && error_.empty(); }
  const std::string& error() const { return error_; }
  bool at_end() const { return c_.at_end(); }

  bool fail(const char* field, const char* what) {
    if (error_.empty()) error_ = std::string(field) + ": " + what;
    c_.fail();
    return false;
  }
  bool key(Key* k, const char* field) {
    uint8_t len = 0;
    std::string_view bytes;
    if (!c_.get_u8(&len)) return fail(field, "truncated");
    if (len > Key::kMaxLen) return fail(field, "identifier longer than 64");
    if (!c_.get_bytes(len, &bytes)) return fail(field, "truncated");
    if (len > 0 && !Key::valid(bytes)) return fail(field, "invalid identifier");
    *k = Key{};
    k->len = len;
    std::memcpy(k->data, bytes.data(), len);
    return true;
  }
  bool text(std::string* s, const char* field) {
    uint64_t len = 0;
    std::string_view bytes;
    if (!c_.get_varu(&len)) return fail(field, "truncated");
    if (len > kMaxTextLen) return fail(field, "text longer than 1024 bytes");
    if (!c_.get_bytes(len, &bytes)) return fail(field, "truncated");
    s->assign(bytes);
    return true;
  }
  // Also checks that `n` elements of at least `min_bytes` each can fit in what is left, so a
  // corrupt count cannot make the caller reserve gigabytes.
  bool count(std::size_t* n, std::size_t max, std::size_t min_bytes, const char* field) {
    uint64_t v = 0;
    if (!c_.get_varu(&v)) return fail(field, "truncated");
    if (v > max) return fail(field, "too many elements");
    if (v * min_bytes > c_.remaining()) return fail(field, "truncated");
    *n = static_cast<std::size_t>(v);
    return true;
  }
  bool flags(uint8_t* f, int nbits, const char* field) {
    if (!c_.get_u8(f)) return fail(field, "truncated");
    if (*f >> nbits) return fail(field, "unknown flag bits");
    return true;
  }
  bool u8(uint8_t* v, const char* field) { return c_.get_u8(v) || fail(field, "truncated"); }
  bool varu(uint64_t* v, const char* field) {
    return c_.get_varu(v) || fail(field, "truncated or bad varint");
  }
  bool vari(int64_t* v, const char* field) {
    return c_.get_vari(v) || fail(field, "truncated or bad varint");
  }
  bool vari32(int32_t* v, const char* field) {
    int64_t w = 0;
    if (!vari(&w, field)) return false;
    if (w < INT32_MIN || w > INT32_MAX) return fail(field, "out of range");
    *v = static_cast<int32_t>(w);
    return true;
  }
  template <typename E>
  bool en(E* e, uint8_t max, const char* field) {
    uint8_t v = 0;
    if (!c_.get_u8(&v)) return fail(field, "truncated");
    if (v > max) return fail(field, "enum out of range");
    *e = static_cast<E>(v);
    return true;
  }
  template <typename T>
  bool opt_vari(uint8_t f, int bit, std::optional<T>* out, const char* field) {
    if (!(f & (1u << bit))) {
      out->reset();
      return true;
    }
    int64_t v = 0;
    if (!vari(&v, field)) return false;
    if constexpr (sizeof(T) == 4) {
      if (v < INT32_MIN || v > INT32_MAX) return fail(field, "out of range");
    }
    *out = static_cast<T>(v);
    return true;
  }
  // Like opt_vari: an absent field resets *out. Replay decodes into the previous record's
  // struct (decode_as), so a value left from it would be applied again (found by the
  // deterministic simulator, tests/dsim: an upsert without a name replayed with the name of
  // the upsert before it).
  bool opt_text(uint8_t f, int bit, std::optional<std::string>* out, const char* field) {
    if (!(f & (1u << bit))) {
      out->reset();
      return true;
    }
    if (!out->has_value()) out->emplace();
    return text(&**out, field);
  }
  template <typename E>
  bool opt_en(uint8_t f, int bit, std::optional<E>* out, uint8_t max, const char* field) {
    if (!(f & (1u << bit))) {
      out->reset();
      return true;
    }
    E e{};
    if (!en(&e, max, field)) return false;
    *out = e;
    return true;
  }
  Cursor& cursor() { return c_; }

 private:
  Cursor c_;
  std::string error_;
};

constexpr uint8_t kGradeMax = static_cast<uint8_t>(Grade::D);
constexpr uint8_t kStatusMax = static_cast<uint8_t>(CustomerStatus::blocked);
constexpr uint8_t kPaymentMax = static_cast<uint8_t>(PaymentTerms::prepaid);
// Smallest encodings, to bound counts by the bytes left: a line is flags + key len + qty; an
// order is flags + 2 key lens + payment + ref len + count. Keys count as empty (len byte only):
// the format allows empty keys, so a bound that assumed one key byte refused records the
// encoder wrote (found by fuzz/wal_reader_fuzz.cc: a ship line with an empty sku).
constexpr std::size_t kMinLineBytes = 3;
constexpr std::size_t kMinOrderBytes = 6;
constexpr std::size_t kMinSkuQtyBytes = 2;

bool decode_order(Decoder& d, OrderRequest* o) {
  uint8_t f = 0;
  if (!d.flags(&f, 1, "order.flags")) return false;
  if (!d.key(&o->customer, "customer") || !d.key(&o->client_order_id, "client_order_id"))
    return false;
  if (!d.en(&o->payment, kPaymentMax, "payment")) return false;
  if (!d.opt_vari(f, 0, &o->ship_by, "ship_by")) return false;
  if (!d.text(&o->ref, "ref")) return false;
  std::size_t n = 0;
  if (!d.count(&n, kMaxOrderLines, kMinLineBytes, "lines")) return false;
  o->lines.resize(n);
  for (LineRequest& l : o->lines) {
    uint8_t lf = 0;
    if (!d.flags(&lf, 1, "lines.flags") || !d.key(&l.sku, "lines.sku") ||
        !d.vari(&l.qty, "lines.qty") || !d.opt_vari(lf, 0, &l.unit_price, "lines.unit_price"))
      return false;
  }
  return true;
}

bool decode_sku_qtys(Decoder& d, std::vector<SkuQty>* lines) {
  std::size_t n = 0;
  if (!d.count(&n, kMaxOrderLines, kMinSkuQtyBytes, "lines")) return false;
  lines->resize(n);
  for (SkuQty& l : *lines)
    if (!d.key(&l.sku, "lines.sku") || !d.vari(&l.qty, "lines.qty")) return false;
  return true;
}

bool decode_body(Decoder& d, UpsertCustomer* c) {
  uint8_t f = 0;
  if (!d.flags(&f, 5, "flags") || !d.key(&c->customer, "customer") ||
      !d.opt_text(f, 0, &c->name, "name"))
    return false;
  return d.opt_en(f, 1, &c->grade, kGradeMax, "grade") &&
         d.opt_vari(f, 2, &c->credit_limit, "credit_limit") &&
         d.opt_vari(f, 3, &c->terms_days, "terms_days") &&
         d.opt_en(f, 4, &c->status, kStatusMax, "status");
}
bool decode_body(Decoder& d, SetCredit* c) {
  uint8_t f = 0;
  return d.flags(&f, 3, "flags") && d.key(&c->customer, "customer") &&
         d.opt_vari(f, 0, &c->credit_limit, "credit_limit") &&
         d.opt_en(f, 1, &c->grade, kGradeMax, "grade") &&
         d.opt_vari(f, 2, &c->terms_days, "terms_days") && d.text(&c->reason, "reason");
}
bool decode_body(Decoder& d, SetCustomerStatus* c) {
  return d.key(&c->customer, "customer") && d.en(&c->status, kStatusMax, "status") &&
         d.text(&c->reason, "reason");
}
bool decode_body(Decoder& d, UpsertProduct* c) {
  uint8_t f = 0;
  if (!d.flags(&f, 4, "flags") || !d.key(&c->sku, "sku") || !d.opt_text(f, 0, &c->name, "name"))
    return false;
  return d.opt_vari(f, 1, &c->price, "price") && d.opt_vari(f, 2, &c->floor_price, "floor_price") &&
         d.opt_vari(f, 3, &c->on_hand, "on_hand");
}
bool decode_body(Decoder& d, ReceiveStock* c) {
  return d.key(&c->sku, "sku") && d.vari(&c->qty, "qty");
}
bool decode_body(Decoder& d, AdjustStock* c) {
  return d.key(&c->sku, "sku") && d.vari(&c->on_hand, "on_hand");
}
bool decode_body(Decoder& d, SubmitOrder* c) {
  return decode_order(d, &c->order);
}
bool decode_body(Decoder& d, SubmitOrders* c) {
  std::size_t n = 0;
  if (!d.count(&n, kMaxBatchOrders, kMinOrderBytes, "orders")) return false;
  c->orders.resize(n);
  for (OrderRequest& o : c->orders)
    if (!decode_order(d, &o)) return false;
  return true;
}
bool decode_body(Decoder& d, CancelOrder* c) {
  return d.varu(&c->order_no, "order_no") && d.text(&c->reason, "reason");
}
bool decode_body(Decoder& d, ReleaseOrder* c) {
  return d.varu(&c->order_no, "order_no") && d.text(&c->note, "note");
}
bool decode_body(Decoder& d, RejectOrder* c) {
  return d.varu(&c->order_no, "order_no") && d.text(&c->reason, "reason");
}
bool decode_body(Decoder& d, Ship* c) {
  return d.varu(&c->order_no, "order_no") && decode_sku_qtys(d, &c->lines);
}
bool decode_body(Decoder& d, RecordPayment* c) {
  return d.key(&c->customer, "customer") && d.vari(&c->amount, "amount") &&
         d.key(&c->payment_ref, "payment_ref");
}
bool decode_body(Decoder& d, ReturnGoods* c) {
  uint8_t restock = 0;
  if (!d.varu(&c->order_no, "order_no") || !decode_sku_qtys(d, &c->lines) ||
      !d.u8(&restock, "restock"))
    return false;
  if (restock > 1) return d.fail("restock", "not a bool");
  c->restock = restock == 1;
  return d.text(&c->reason, "reason");
}
bool decode_body(Decoder& d, WriteOff* c) {
  return d.varu(&c->invoice_no, "invoice_no") && d.text(&c->reason, "reason");
}
bool decode_body(Decoder&, Tick*) {
  return true;
}
bool decode_body(Decoder& d, SetPolicy* c) {
  for (Money& m : c->policy.approve_total_max_minor)
    if (!d.vari(&m, "approve_total_max_minor")) return false;
  for (int32_t& bp : c->policy.discount_max_bp)
    if (!d.vari32(&bp, "discount_max_bp")) return false;
  return d.vari32(&c->policy.hold_ttl_hours, "hold_ttl_hours") &&
         d.vari32(&c->policy.order_ttl_days, "order_ttl_days") &&
         d.vari32(&c->policy.overdue_hold_days, "overdue_hold_days") &&
         d.vari32(&c->policy.suspend_after_days, "suspend_after_days");
}

template <typename T>
bool decode_as(Decoder& d, CommandBody* body) {
  // Reuse the alternative already there (and its vectors' capacity) when replaying.
  T* t = std::get_if<T>(body);
  if (t == nullptr) t = &body->emplace<T>();
  return decode_body(d, t);
}

}  // namespace

CommandKind kind_of(const CommandBody& body) {
  return std::visit([](const auto& b) { return kind_for<std::decay_t<decltype(b)>>(); }, body);
}

const char* kind_name(uint8_t kind) {
  return kind <= kCommandKindMax ? kKindNames[kind] : kKindNames[0];
}

bool encode_command(const Command& cmd, std::string& out, std::string* error) {
  const std::size_t start = out.size();
  Encoder e(out);
  coding::put_u64(out, cmd.seq);
  coding::put_u64(out, static_cast<uint64_t>(cmd.at));
  if (cmd.by.name.empty()) {
    if (error) *error = "principal: empty name";
    out.resize(start);
    return false;
  }
  e.key(cmd.by.name, "principal");
  e.u8(cmd.by.roles);
  e.u8(cmd.by.level);
  e.u8(static_cast<uint8_t>(kind_of(cmd.body)));
  std::visit([&](const auto& b) { encode_body(e, b); }, cmd.body);
  if (!e.ok()) {
    if (error) *error = e.error();
    out.resize(start);
    return false;
  }
  return true;
}

bool decode_command_header(std::string_view body, CommandHeader* out, std::string* error) {
  Decoder d(body);
  uint64_t at = 0;
  if (!d.cursor().get_u64(&out->seq) || !d.cursor().get_u64(&at)) {
    if (error) *error = "record body truncated";
    return false;
  }
  out->at = static_cast<TimeMs>(at);
  if (!d.key(&out->by.name, "principal") || !d.u8(&out->by.roles, "roles") ||
      !d.u8(&out->by.level, "level") || !d.u8(&out->kind, "kind")) {
    if (error) *error = d.error();
    return false;
  }
  if (out->by.name.empty() || out->by.roles > 31 || out->by.level > kMaxLevel || out->kind == 0 ||
      out->kind > kCommandKindMax) {
    if (error) *error = "bad principal or command kind";
    return false;
  }
  out->payload = body.substr(body.size() - d.cursor().remaining());
  return true;
}

bool decode_command(std::string_view body, Command* out, std::string* error) {
  CommandHeader h;
  if (!decode_command_header(body, &h, error)) return false;
  out->seq = h.seq;
  out->at = h.at;
  out->by = h.by;
  Decoder d(h.payload);
  bool ok = false;
  switch (static_cast<CommandKind>(h.kind)) {
    case CommandKind::upsert_customer:
      ok = decode_as<UpsertCustomer>(d, &out->body);
      break;
    case CommandKind::set_credit:
      ok = decode_as<SetCredit>(d, &out->body);
      break;
    case CommandKind::set_customer_status:
      ok = decode_as<SetCustomerStatus>(d, &out->body);
      break;
    case CommandKind::upsert_product:
      ok = decode_as<UpsertProduct>(d, &out->body);
      break;
    case CommandKind::receive_stock:
      ok = decode_as<ReceiveStock>(d, &out->body);
      break;
    case CommandKind::adjust_stock:
      ok = decode_as<AdjustStock>(d, &out->body);
      break;
    case CommandKind::submit_order:
      ok = decode_as<SubmitOrder>(d, &out->body);
      break;
    case CommandKind::submit_orders:
      ok = decode_as<SubmitOrders>(d, &out->body);
      break;
    case CommandKind::cancel_order:
      ok = decode_as<CancelOrder>(d, &out->body);
      break;
    case CommandKind::release_order:
      ok = decode_as<ReleaseOrder>(d, &out->body);
      break;
    case CommandKind::reject_order:
      ok = decode_as<RejectOrder>(d, &out->body);
      break;
    case CommandKind::ship:
      ok = decode_as<Ship>(d, &out->body);
      break;
    case CommandKind::record_payment:
      ok = decode_as<RecordPayment>(d, &out->body);
      break;
    case CommandKind::return_goods:
      ok = decode_as<ReturnGoods>(d, &out->body);
      break;
    case CommandKind::write_off:
      ok = decode_as<WriteOff>(d, &out->body);
      break;
    case CommandKind::tick:
      ok = decode_as<Tick>(d, &out->body);
      break;
    case CommandKind::set_policy:
      ok = decode_as<SetPolicy>(d, &out->body);
      break;
  }
  if (ok && !d.at_end()) ok = d.fail(kind_name(h.kind), "bytes left after the last field");
  if (!ok) {
    if (error) *error = std::string(kind_name(h.kind)) + "." + d.error();
    return false;
  }
  return true;
}

}  // namespace credo
