#include "tools/edi/backend.h"

namespace credo::edi_tool {

edi::Decision ServerBackend::failure(const std::string& why) {
  if (error_.empty()) error_ = why;
  edi::Decision d;
  d.error_code = "UNAVAILABLE";
  d.error_message = error_;
  return d;
}

Connection* ServerBackend::connection(const std::string& key) {
  auto it = conns_.find(key);
  if (it != conns_.end()) return it->second.get();
  if (!error_.empty()) return nullptr;
  auto c = std::make_unique<Connection>();
  std::string why;
  if (!c->open(o_.host, o_.port, key, &why)) {
    failure(why);
    return nullptr;
  }
  return conns_.emplace(key, std::move(c)).first->second.get();
}

void ServerBackend::submit(const edi::Partner& p, std::string body, DecisionFn done) {
  Batch& b = open_[p.api_key];
  if (b.done.empty()) b.line = "{\"op\":\"submit_orders\",\"orders\":[";
  else b.line += ',';
  b.line += body;
  b.done.push_back(std::move(done));
  if (b.done.size() >= o_.batch) send_open(p.api_key);
}

void ServerBackend::send_open(const std::string& key) {
  auto it = open_.find(key);
  if (it == open_.end() || it->second.done.empty()) return;
  Batch b = std::move(it->second);
  open_.erase(it);
  b.line += "]}";
  b.conn = connection(key);
  if (b.conn == nullptr || !b.conn->send_line(b.line)) {
    const edi::Decision d = failure(b.conn == nullptr ? error_ : "credo-server closed the connection");
    for (auto& fn : b.done) fn(d);
    return;
  }
  ++requests_;
  b.line.clear();
  b.line.shrink_to_fit();
  inflight_.push_back(std::move(b));
  while (inflight_.size() > o_.depth) receive_oldest();
}

void ServerBackend::receive_oldest() {
  Batch b = std::move(inflight_.front());
  inflight_.pop_front();
  std::string answer;
  std::vector<edi::Decision> ds;
  if (!b.conn->read_line(&answer)) {
    ds.assign(b.done.size(), failure("credo-server closed the connection before answering"));
  } else {
    ds = edi::parse_batch(answer, b.done.size());
  }
  for (std::size_t i = 0; i < b.done.size(); ++i) b.done[i](ds[i]);
}

void ServerBackend::flush() {
  std::vector<std::string> keys;
  for (const auto& [k, b] : open_) keys.push_back(k);
  for (const auto& k : keys) send_open(k);
  while (!inflight_.empty()) receive_oldest();
}

edi::Decision ServerBackend::call(const std::string& key, const std::string& request) {
  Connection* c = connection(key);
  if (c == nullptr) return failure(error_);
  ++requests_;
  const std::string answer = c->call(request);
  if (answer.empty()) return failure("credo-server closed the connection");
  return edi::parse_decision(answer);
}

namespace {

std::string get_order_request(const edi::PurchaseOrder& po) {
  std::string r = "{\"op\":\"get_order\",\"customer\":";
  edi::json_string(&r, po.customer);
  r += ",\"client_order_id\":";
  edi::json_string(&r, po.po_number);
  r += '}';
  return r;
}

}  // namespace

edi::Decision ServerBackend::cancel(const edi::PurchaseOrder& po, const std::string& reason) {
  flush();
  const std::string& key = po.partner->api_key;
  edi::Decision current = call(key, get_order_request(po));
  if (!current.ok || current.status == "cancelled") return current;  // not found, or done before
  std::string r = "{\"op\":\"cancel_order\",\"order_no\":" + std::to_string(current.order_no) + ",\"reason\":";
  edi::json_string(&r, reason);
  r += '}';
  return call(key, r);
}

edi::Decision ServerBackend::change(const edi::PurchaseOrder& po, const std::string& amendment_id) {
  flush();
  const std::string& key = po.partner->api_key;
  edi::Decision current = call(key, get_order_request(po));
  if (!current.ok) return current;
  // The new list of lines: the order's, with each POC change applied by sku.
  std::vector<edi::DecidedLine> lines = current.lines;
  for (const auto& c : po.lines) {
    auto it = lines.begin();
    while (it != lines.end() && it->sku != c.sku) ++it;
    if (c.change == "DI") {
      if (it != lines.end()) lines.erase(it);
    } else if (c.change == "AI" || it == lines.end()) {
      const bool priced = po.partner->send_price && c.po_unit_price;
      lines.push_back(edi::DecidedLine{c.sku, c.qty, priced ? *c.po_unit_price : -1});
    } else {
      if (c.change == "QI" || c.change == "QD" || c.change == "CA") it->qty = c.qty;
      if (c.change == "PC" && po.partner->send_price && c.po_unit_price) it->unit_price = *c.po_unit_price;
    }
  }
  std::string r = "{\"op\":\"amend_order\",\"order_no\":" + std::to_string(current.order_no) + ",\"amendment_id\":";
  edi::json_string(&r, amendment_id);
  r += ",\"lines\":[";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) r += ',';
    r += "{\"sku\":";
    edi::json_string(&r, lines[i].sku);
    r += ",\"qty\":" + std::to_string(lines[i].qty);
    if (lines[i].unit_price >= 0) r += ",\"unit_price\":" + std::to_string(lines[i].unit_price);
    r += '}';
  }
  r += "]";
  if (!po.ship_by.empty()) {
    r += ",\"ship_by\":";
    edi::json_string(&r, po.ship_by);
  }
  r += '}';
  Connection* c = connection(key);
  if (c == nullptr) return failure(error_);
  ++requests_;
  const std::string answer = c->call(r);
  if (answer.empty()) return failure("credo-server closed the connection");
  return edi::parse_amendment(answer);
}

}  // namespace credo::edi_tool
