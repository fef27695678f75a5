#include "edi/decision.h"

#include <simdjson.h>

namespace credo::edi {
namespace {

using simdjson::dom::element;

Decision from_element(element e) {
  Decision d;
  bool ok = false;
  if (e["ok"].get_bool().get(ok) != simdjson::SUCCESS) {
    d.error_code = "BAD_ANSWER";
    d.error_message = "answer without \"ok\"";
    return d;
  }
  d.ok = ok;
  std::string_view s;
  if (!ok) {
    if (e["error"]["code"].get_string().get(s) == simdjson::SUCCESS) d.error_code = std::string(s);
    if (e["error"]["message"].get_string().get(s) == simdjson::SUCCESS) d.error_message = std::string(s);
    return d;
  }
  if (e["status"].get_string().get(s) == simdjson::SUCCESS) d.status = std::string(s);
  int64_t n = 0;
  if (e["order_no"].get_int64().get(n) == simdjson::SUCCESS) d.order_no = n;
  bool dup = false;
  if (e["duplicate"].get_bool().get(dup) == simdjson::SUCCESS) d.duplicate = dup;
  simdjson::dom::array arr;
  if (e["reasons"].get_array().get(arr) == simdjson::SUCCESS) {
    for (element r : arr) {
      Reason reason;
      if (r["code"].get_string().get(s) == simdjson::SUCCESS) reason.code = std::string(s);
      if (r["line"].get_int64().get(n) == simdjson::SUCCESS) reason.line = static_cast<int>(n);
      if (r["available"].get_int64().get(n) == simdjson::SUCCESS) reason.available = n;
      d.reasons.push_back(std::move(reason));
    }
  }
  if (e["lines"].get_array().get(arr) == simdjson::SUCCESS) {
    for (element l : arr) {
      DecidedLine line;
      if (l["sku"].get_string().get(s) == simdjson::SUCCESS) line.sku = std::string(s);
      if (l["qty"].get_int64().get(n) == simdjson::SUCCESS) line.qty = n;
      if (l["unit_price"].get_int64().get(n) == simdjson::SUCCESS) line.unit_price = n;
      d.lines.push_back(std::move(line));
    }
  }
  return d;
}

Decision bad_answer(std::string message) {
  Decision d;
  d.error_code = "BAD_ANSWER";
  d.error_message = std::move(message);
  return d;
}

}  // namespace

Decision parse_decision(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
    return bad_answer("the server's answer is not JSON");
  }
  return from_element(root);
}

std::vector<Decision> parse_batch(std::string_view json, std::size_t count) {
  simdjson::dom::parser parser;
  element root;
  std::vector<Decision> out;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
    out.assign(count, bad_answer("the server's answer is not JSON"));
    return out;
  }
  simdjson::dom::array results;
  if (root["results"].get_array().get(results) != simdjson::SUCCESS) {
    out.assign(count, from_element(root));
    if (out.empty() || out[0].ok) out.assign(count, bad_answer("submit_orders answer without results"));
    return out;
  }
  for (element r : results) out.push_back(from_element(r));
  while (out.size() < count) out.push_back(bad_answer("fewer results than orders"));
  return out;
}

Decision parse_amendment(std::string_view json) {
  simdjson::dom::parser parser;
  element root;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) {
    return bad_answer("the server's answer is not JSON");
  }
  Decision d = from_element(root);
  if (!d.ok) return d;
  std::string_view s;
  if (root["decision"].get_string().get(s) == simdjson::SUCCESS) d.status = std::string(s);
  element order;
  if (root["order"].get(order) == simdjson::SUCCESS) {
    Decision o = from_element(order);
    d.order_no = o.order_no;
    d.lines = std::move(o.lines);
  }
  bool amended = false;
  if (root["amended"].get_bool().get(amended) == simdjson::SUCCESS && !amended) d.status = "rejected";
  return d;
}

PoAck acknowledge(const PurchaseOrder& po, const Decision& d) {
  PoAck ack;
  ack.lines.resize(po.lines.size());
  if (!d.ok) {
    ack.type = "RD";
    ack.message = "credo " + d.error_code + ": " + d.error_message;
    for (auto& l : ack.lines) l = LineAck{"IR", ack.message};
    return ack;
  }
  std::string order_reasons;
  for (const auto& r : d.reasons) {
    if (r.line >= 0) continue;
    if (!order_reasons.empty()) order_reasons += ", ";
    order_reasons += r.code;
  }
  for (std::size_t i = 0; i < ack.lines.size(); ++i) {
    if (i < d.lines.size()) ack.lines[i].unit_price = d.lines[i].unit_price;
  }
  auto line_reasons = [&](std::size_t i) {
    std::string out;
    for (const auto& r : d.reasons) {
      if (r.line != static_cast<int>(i)) continue;
      if (!out.empty()) out += ", ";
      out += r.code;
      if (r.available >= 0) out += " (available " + std::to_string(r.available) + ")";
    }
    return out;
  };
  if (d.status == "rejected") {
    ack.type = "RD";
    std::string all;
    for (const auto& r : d.reasons) {
      if (!all.empty()) all += ", ";
      all += r.code;
      if (r.line >= 0) {
        const auto i = static_cast<std::size_t>(r.line);
        all += " line " + (i < po.lines.size() && !po.lines[i].line_id.empty() ? po.lines[i].line_id : std::to_string(i + 1));
      }
    }
    ack.message = "rejected: " + all;
    for (std::size_t i = 0; i < ack.lines.size(); ++i) {
      const std::string own = line_reasons(i);
      bool stock_only = !own.empty();
      for (const auto& r : d.reasons) {
        if (r.line == static_cast<int>(i) && r.code != "INSUFFICIENT_STOCK") stock_only = false;
      }
      ack.lines[i].code = stock_only ? "IB" : "IR";
      ack.lines[i].message = own.empty() ? "order rejected: " + all : own;
    }
    return ack;
  }
  if (d.status == "held") {
    ack.type = "AC";
    ack.message = "held for approval: " + order_reasons;
    for (std::size_t i = 0; i < ack.lines.size(); ++i) {
      const std::string own = line_reasons(i);
      ack.lines[i].code = "IH";
      std::string m = order_reasons;
      if (!own.empty()) m += (m.empty() ? "" : ", ") + own;
      if (m.empty()) {
        for (const auto& r : d.reasons) m += (m.empty() ? "" : ", ") + r.code;
      }
      ack.lines[i].message = "on hold: " + m;
    }
    if (order_reasons.empty()) {
      std::string all;
      for (const auto& r : d.reasons) all += (all.empty() ? "" : ", ") + r.code;
      ack.message = "held for approval: " + all;
    }
    return ack;
  }
  // accepted (or any status of a later op that kept the order)
  ack.type = "AD";
  for (std::size_t i = 0; i < ack.lines.size(); ++i) {
    const auto& want = po.lines[i].po_unit_price;
    if (want && ack.lines[i].unit_price >= 0 && *want != ack.lines[i].unit_price) {
      ack.lines[i].code = "IP";
      ack.lines[i].message = "price " + std::to_string(ack.lines[i].unit_price) + " (minor units per unit) instead of " +
                             std::to_string(*want);
      ack.type = "AC";
    } else {
      ack.lines[i].code = "IA";
    }
  }
  return ack;
}

}  // namespace credo::edi
