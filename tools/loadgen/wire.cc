#include "tools/loadgen/wire.h"

#include <charconv>

namespace credo::loadgen {
namespace {

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
// Identifiers made by the workload are plain ASCII without quotes or backslashes, so they need
// no escaping; keys come from the command line and are checked in main.
void append_str(std::string& out, std::string_view s) {
  out += '"';
  out += s;
  out += '"';
}

std::string_view customer_of(const Order& o, std::string& scratch) {
  scratch = o.tight ? tight_customer_id(o.customer) : customer_id(o.customer);
  return scratch;
}
std::string sku_of(const Line& l) {
  return l.stockout ? stockout_sku(l.product) : sku(l.product);
}

void append_order_body(std::string& out, const Order& order) {
  std::string scratch;
  out += "\"customer\":";
  append_str(out, customer_of(order, scratch));
  out += ",\"client_order_id\":";
  append_str(out, order.client_order_id);
  out += ",\"lines\":[";
  for (std::size_t i = 0; i < order.lines.size(); i++) {
    const Line& l = order.lines[i];
    if (i) out += ',';
    out += "{\"sku\":";
    append_str(out, sku_of(l));
    out += ",\"qty\":";
    append_int(out, l.qty);
    if (l.unit_price_minor) {
      out += ",\"unit_price\":";
      append_int(out, *l.unit_price_minor);
    }
    out += '}';
  }
  out += ']';
}

// Finds `"name":` in `s` from `from`; returns the position just after the colon or npos.
std::size_t find_field(std::string_view s, std::string_view quoted_name_colon, std::size_t from) {
  std::size_t p = s.find(quoted_name_colon, from);
  return p == std::string_view::npos ? p : p + quoted_name_colon.size();
}

uint64_t read_uint(std::string_view s, std::size_t at) {
  uint64_t v = 0;
  std::from_chars(s.data() + at, s.data() + s.size(), v);
  return v;
}

}  // namespace

void append_hello(std::string& out, std::string_view key) {
  out += "{\"op\":\"hello\",\"key\":";
  append_str(out, key);
  out += "}\n";
}

void append_order(std::string& out, std::string_view op, const Order& order) {
  out += "{\"op\":\"";
  out += op;
  out += "\",";
  append_order_body(out, order);
  out += "}\n";
}

void append_batch(std::string& out, const std::vector<Order>& orders) {
  out += "{\"op\":\"submit_orders\",\"orders\":[";
  for (std::size_t i = 0; i < orders.size(); i++) {
    if (i) out += ',';
    out += '{';
    append_order_body(out, orders[i]);
    out += '}';
  }
  out += "]}\n";
}

void append_payment(std::string& out, const Payment& p) {
  out += "{\"op\":\"record_payment\",\"customer\":";
  append_str(out, customer_id(p.customer));
  out += ",\"amount\":";
  append_int(out, p.amount_minor);
  out += ",\"payment_ref\":";
  append_str(out, p.payment_ref);
  out += "}\n";
}

namespace {
void append_http_post(std::string& out, std::string_view path, std::string_view key,
                      std::string_view body) {
  out += "POST ";
  out += path;
  out += " HTTP/1.1\r\nHost: credo\r\nAuthorization: Bearer ";
  out += key;
  out += "\r\nContent-Type: application/json\r\nContent-Length: ";
  out += std::to_string(body.size());
  out += "\r\n\r\n";
  out += body;
}
}  // namespace

void append_http_order(std::string& out, std::string_view path, const Order& order,
                       std::string_view key) {
  std::string body = "{";
  append_order_body(body, order);
  body += '}';
  append_http_post(out, path, key, body);
}

void append_http_batch(std::string& out, const std::vector<Order>& orders, std::string_view key) {
  std::string body = "{\"orders\":[";
  for (std::size_t i = 0; i < orders.size(); i++) {
    if (i) body += ',';
    body += '{';
    append_order_body(body, orders[i]);
    body += '}';
  }
  body += "]}";
  append_http_post(out, "/v1/orders/batch", key, body);
}

void append_http_payment(std::string& out, const Payment& p, std::string_view key) {
  std::string body = "{\"amount\":";
  append_int(body, p.amount_minor);
  body += ",\"payment_ref\":";
  append_str(body, p.payment_ref);
  body += '}';
  append_http_post(out, "/v1/customers/" + std::string(customer_id(p.customer)) + "/payments", key,
                   body);
}

void append_http_ship(std::string& out, uint64_t order_no, std::string_view key) {
  append_http_post(out, "/v1/orders/" + std::to_string(order_no) + "/shipments", key, {});
}

long parse_http_response(std::string_view in, std::string_view* body) {
  const std::size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) return in.size() > 65536 ? -1 : 0;
  if (!in.starts_with("HTTP/1.")) return -1;
  // Content-Length, case-insensitively (the server writes it; nothing here is chunked).
  std::size_t length = 0;
  bool have_length = false;
  std::size_t line = in.find("\r\n");
  while (line < end) {
    const std::size_t next = in.find("\r\n", line + 2);
    std::string_view h = in.substr(line + 2, next - line - 2);
    constexpr std::string_view kName = "content-length:";
    if (h.size() > kName.size()) {
      bool match = true;
      for (std::size_t i = 0; i < kName.size() && match; ++i)
        match = static_cast<char>(h[i] | 0x20) == kName[i];
      if (match) {
        std::size_t i = kName.size();
        while (i < h.size() && h[i] == ' ') ++i;
        for (; i < h.size() && h[i] >= '0' && h[i] <= '9'; ++i) length = length * 10 + (h[i] - '0');
        have_length = true;
      }
    }
    line = next;
  }
  if (!have_length) return -1;
  if (in.size() < end + 4 + length) return 0;
  *body = in.substr(end + 4, length);
  while (!body->empty() && (body->back() == '\n' || body->back() == '\r')) body->remove_suffix(1);
  return static_cast<long>(end + 4 + length);
}

void append_ship(std::string& out, uint64_t order_no) {
  out += "{\"op\":\"ship\",\"order_no\":";
  append_int(out, static_cast<int64_t>(order_no));
  out += "}\n";
}

void append_upsert_customer(std::string& out, std::string_view id, int64_t credit_limit_minor) {
  out += "{\"op\":\"upsert_customer\",\"customer\":";
  append_str(out, id);
  out += ",\"grade\":\"A\",\"terms_days\":30,\"status\":\"active\",\"credit_limit\":";
  append_int(out, credit_limit_minor);
  out += "}\n";
}

void append_upsert_product(std::string& out, std::string_view sku, int64_t price_minor,
                           int64_t floor_minor, int64_t on_hand) {
  out += "{\"op\":\"upsert_product\",\"sku\":";
  append_str(out, sku);
  out += ",\"price\":";
  append_int(out, price_minor);
  out += ",\"floor_price\":";
  append_int(out, floor_minor);
  out += ",\"on_hand\":";
  append_int(out, on_hand);
  out += "}\n";
}

bool parse_credo_answer(std::string_view line, Answer* out) {
  out->ok = false;
  out->error_code.clear();
  out->accepted = out->held = out->rejected = out->item_errors = 0;
  out->accepted_order_nos.clear();
  if (line.empty() || line.front() != '{') return false;
  std::size_t ok_at = find_field(line, "\"ok\":", 0);
  if (ok_at == std::string_view::npos) return false;
  out->ok = line.compare(ok_at, 4, "true") == 0;
  if (!out->ok) {
    std::size_t code_at = find_field(line, "\"code\":\"", ok_at);
    if (code_at == std::string_view::npos) return false;
    std::size_t end = line.find('"', code_at);
    out->error_code.assign(line.substr(code_at, end - code_at));
    return true;
  }
  // Decisions: every "status" in the line (one per order; a batch has one per result).
  // Lines and reasons carry no "status" member, so each occurrence is one order.
  std::size_t at = ok_at;
  while ((at = find_field(line, "\"status\":\"", at)) != std::string_view::npos) {
    switch (line[at]) {
      case 'a': {
        out->accepted++;
        std::size_t no_at = find_field(line, "\"order_no\":", at);
        if (no_at != std::string_view::npos)
          out->accepted_order_nos.push_back(read_uint(line, no_at));
        break;
      }
      case 'h':
        out->held++;
        break;
      case 'r':
        out->rejected++;
        break;
      default:
        break;  // "shipped" etc.: not a decision
    }
  }
  // Batch items that failed as requests: {"ok":false,"error":{...}} inside "results".
  at = ok_at;
  while ((at = find_field(line, "\"ok\":false", at)) != std::string_view::npos) {
    out->item_errors++;
    if (out->error_code.empty()) {
      std::size_t code_at = find_field(line, "\"code\":\"", at);
      if (code_at != std::string_view::npos) {
        std::size_t end = line.find('"', code_at);
        out->error_code.assign(line.substr(code_at, end - code_at));
      }
    }
  }
  return true;
}

void append_resp_command(std::string& out, const std::vector<std::string_view>& args) {
  out += '*';
  append_int(out, static_cast<int64_t>(args.size()));
  out += "\r\n";
  for (std::string_view a : args) {
    out += '$';
    append_int(out, static_cast<int64_t>(a.size()));
    out += "\r\n";
    out += a;
    out += "\r\n";
  }
}

void append_redis_order(std::string& out, std::string_view sha, const Order& order) {
  // Day number of the business date; the Lua script compares it with each customer's oldest
  // unpaid due day (the OVERDUE rule), like credo does with its clock.
  static const std::string kToday = "20454";  // 2026-01-01
  static const std::string kLevel = "0";
  std::vector<std::string> owned;
  owned.reserve(2 + 3 * order.lines.size());
  std::string scratch;
  owned.push_back("c:" + std::string(customer_of(order, scratch)));
  for (const Line& l : order.lines) owned.push_back("p:" + sku_of(l));
  for (const Line& l : order.lines) {
    owned.push_back(std::to_string(l.qty));
    owned.push_back(l.unit_price_minor ? std::to_string(*l.unit_price_minor) : "-1");
  }
  std::string numkeys = std::to_string(1 + order.lines.size());
  std::vector<std::string_view> args;
  args.reserve(6 + owned.size());
  args.emplace_back("EVALSHA");
  args.push_back(sha);
  args.push_back(numkeys);
  for (std::size_t i = 0; i < 1 + order.lines.size(); i++) args.push_back(owned[i]);
  args.push_back(order.client_order_id);
  args.push_back(kLevel);
  args.push_back(kToday);
  for (std::size_t i = 1 + order.lines.size(); i < owned.size(); i++) args.push_back(owned[i]);
  append_resp_command(out, args);
}

// Recursive for arrays: the nesting follows the replies of credo's own Redis script (at most two
// levels), from a server the operator runs for the comparison.
long parse_resp(std::string_view in, RespReply* out) {  // NOLINT(misc-no-recursion)
  std::size_t eol = in.find("\r\n");
  if (eol == std::string_view::npos) return 0;
  if (eol == 0) return -1;
  out->type = in[0];
  out->is_null = false;
  out->text.clear();
  out->integer = 0;
  std::string_view head = in.substr(1, eol - 1);
  std::size_t used = eol + 2;
  switch (out->type) {
    case '+':
    case '-':
      out->text.assign(head);
      return static_cast<long>(used);
    case ':': {
      std::from_chars(head.data(), head.data() + head.size(), out->integer);
      return static_cast<long>(used);
    }
    case '$': {
      int64_t len = 0;
      std::from_chars(head.data(), head.data() + head.size(), len);
      if (len < 0) {
        out->is_null = true;
        return static_cast<long>(used);
      }
      if (in.size() < used + static_cast<std::size_t>(len) + 2) return 0;
      out->text.assign(in.substr(used, static_cast<std::size_t>(len)));
      return static_cast<long>(used + static_cast<std::size_t>(len) + 2);
    }
    case '*': {
      int64_t n = 0;
      std::from_chars(head.data(), head.data() + head.size(), n);
      out->integer = n;
      RespReply element;
      for (int64_t i = 0; i < n; i++) {
        long m = parse_resp(in.substr(used), &element);
        if (m <= 0) return m;
        used += static_cast<std::size_t>(m);
      }
      return static_cast<long>(used);
    }
    default:
      return -1;
  }
}

bool redis_order_answer(const RespReply& reply, Answer* out) {
  out->ok = false;
  out->error_code.clear();
  out->accepted = out->held = out->rejected = out->item_errors = 0;
  out->accepted_order_nos.clear();
  if (reply.type == '-') {
    out->error_code = reply.text.substr(0, reply.text.find(' '));
    return true;
  }
  if ((reply.type != '$' && reply.type != '+') || reply.text.size() < 2 || reply.text[1] != ':')
    return false;
  out->ok = true;
  uint64_t no = read_uint(reply.text, 2);
  switch (reply.text[0]) {
    case 'A':
      out->accepted = 1;
      out->accepted_order_nos.push_back(no);
      return true;
    case 'H':
      out->held = 1;
      return true;
    case 'R':
      out->rejected = 1;
      return true;
    case 'D':
      out->accepted = 1;
      return true;  // duplicate: counted as its original (accepted)
    default:
      return false;
  }
}

}  // namespace credo::loadgen
