#include "edi/edifact_writer.h"

#include "edi/x12_855.h"

namespace credo::edi {

void EdifactWriter::put(std::string_view v) {
  for (char c : v) {
    if (c == d_.component || c == d_.element || c == d_.release || c == d_.segment) *out_ += d_.release;
    *out_ += (c == '\r' || c == '\n') ? ' ' : c;
  }
}

void EdifactWriter::segment(const std::vector<std::vector<std::string>>& elements) {
  std::size_t last = elements.size();
  auto empty = [](const std::vector<std::string>& el) {
    for (const auto& c : el) {
      if (!c.empty()) return false;
    }
    return true;
  };
  while (last > 1 && empty(elements[last - 1])) --last;
  for (std::size_t i = 0; i < last; ++i) {
    if (i > 0) *out_ += d_.element;
    std::size_t n = elements[i].size();
    while (n > 1 && elements[i][n - 1].empty()) --n;
    for (std::size_t j = 0; j < n; ++j) {
      if (j > 0) *out_ += d_.component;
      put(elements[i][j]);
    }
  }
  *out_ += d_.segment;
  *out_ += '\n';
  ++message_segments_;
}

void EdifactWriter::begin(const EdifactEnvelope& env) {
  env_ = env;
  messages_ = 0;
  *out_ += "UNA";
  *out_ += d_.component;
  *out_ += d_.element;
  *out_ += d_.decimal;
  *out_ += d_.release;
  *out_ += d_.repetition;
  *out_ += d_.segment;
  *out_ += '\n';
  const bool v4 = env.syntax_version == "4";
  const std::string date = v4 || env.date.size() < 8 ? env.date : env.date.substr(2);
  segment({{"UNB"},
           {env.syntax_id, env.syntax_version},
           {env.sender_id, env.sender_qualifier},
           {env.recipient_id, env.recipient_qualifier},
           {date, env.time},
           {env.control},
           {},
           {},
           {},
           {},
           {},
           {env.test}});
}

void EdifactWriter::begin_message(std::string_view type, std::string_view version, std::string_view release,
                                  std::string_view agency) {
  ++messages_;
  reference_ = std::to_string(messages_);
  message_segments_ = 0;
  segment({{"UNH"}, {reference_}, {std::string(type), std::string(version), std::string(release), std::string(agency)}});
}

void EdifactWriter::end_message() {
  segment({{"UNT"}, {std::to_string(message_segments_ + 1)}, {reference_}});
}

void EdifactWriter::end() { segment({{"UNZ"}, {std::to_string(messages_)}, {env_.control}}); }

EdifactEnvelope reply_envelope(const EdifactInterchange& in, const std::string& our_id, const std::string& control,
                               const std::string& date, const std::string& time) {
  EdifactEnvelope e;
  e.syntax_id = in.syntax_id.empty() ? "UNOC" : in.syntax_id;
  e.syntax_version = in.syntax_version.empty() ? "3" : in.syntax_version;
  e.sender_id = our_id.empty() ? in.recipient_id : our_id;
  e.sender_qualifier = in.recipient_qualifier;
  e.recipient_id = in.sender_id;
  e.recipient_qualifier = in.sender_qualifier;
  e.date = date;
  e.time = time;
  e.control = control;
  e.test = in.test;
  return e;
}

std::string lin_action(const LineAck& l) {
  if (l.code == "IA") return "5";
  if (l.code == "IP" || l.code == "IH") return "3";
  return "7";  // IR, IB, ID (cancelled)
}

std::string bgm_function(const PoAck& ack) {
  if (ack.type == "AD") return "29";
  if (ack.type == "AC") return "4";
  return "27";
}

void write_ordrsp(EdifactWriter& w, const PurchaseOrder& po, const Decision& d, const PoAck& ack,
                  const std::string& date, const std::string& release) {
  w.begin_message("ORDRSP", "D", release == "01B" ? "01B" : "96A");
  const std::string doc = d.order_no > 0 ? std::to_string(d.order_no) : po.po_number;
  w.segment({{"BGM"}, {"231"}, {doc}, {bgm_function(ack)}});
  w.segment({{"DTM"}, {"137", date, "102"}});
  if (!ack.message.empty()) w.segment({{"FTX"}, {"AAO"}, {}, {}, {ack.message.substr(0, 350)}});
  w.segment({{"RFF"}, {"ON", po.po_number}});
  if (!po.po_date.empty()) w.segment({{"DTM"}, {"171", po.po_date, "102"}});
  if (!po.buyer_code.empty()) w.segment({{"NAD"}, {"BY"}, {po.buyer_code, "", "92"}});
  for (std::size_t i = 0; i < po.lines.size(); ++i) {
    const PoLine& l = po.lines[i];
    const LineAck& la = ack.lines[i];
    std::string type = l.ids.empty() ? "" : l.ids.front().first;
    std::string id = l.ids.empty() ? l.product_id : l.ids.front().second;
    w.segment({{"LIN"}, {l.line_id}, {lin_action(la)}, {id, type}});
    w.segment({{"QTY"}, {"21", l.qty_text, l.uom}});
    std::string price = l.price_text;
    if (la.code == "IP" && po.partner != nullptr && la.unit_price >= 0) price = partner_price(*po.partner, l.uom, la.unit_price);
    if (!price.empty()) w.segment({{"PRI"}, {"AAA", price}});
    if (!la.message.empty()) w.segment({{"FTX"}, {"AAO"}, {}, {}, {la.message.substr(0, 350)}});
  }
  w.segment({{"UNS"}, {"S"}});
  w.segment({{"CNT"}, {"2", std::to_string(po.lines.size())}});
  w.end_message();
}

void begin_contrl(EdifactWriter& w, const EdifactInterchange& in, const std::vector<int>& interchange_errors) {
  w.begin_message("CONTRL", "D", "3");
  std::vector<std::vector<std::string>> uci{
      {"UCI"}, {in.control}, {in.sender_id, in.sender_qualifier}, {in.recipient_id, in.recipient_qualifier}};
  // An interchange with a missing trailer or a wrong count is still acknowledged message by
  // message; it is rejected as a whole only when its header cannot be used.
  bool reject = false;
  for (int e : interchange_errors) reject = reject || e == kEdiSyntaxNotSupported || e == kEdiLowerLevelEmpty;
  uci.push_back({reject ? "4" : "7"});
  if (!interchange_errors.empty()) {
    uci.push_back({std::to_string(interchange_errors.front())});
    uci.push_back({interchange_errors.front() == kEdiSyntaxNotSupported ? "UNB" : "UNZ"});
  }
  w.segment(uci);
}

void add_contrl(EdifactWriter& w, const EdifactMessage& msg, const SetAck& ack, ContrlTally* tally) {
  ++tally->messages;
  const bool rejected = ack.code == 'R';
  if (rejected) ++tally->rejected;
  std::vector<std::vector<std::string>> ucm{
      {"UCM"}, {msg.reference}, {msg.type, msg.version, msg.release, msg.agency}, {rejected ? "4" : "7"}};
  if (!ack.set_errors.empty()) {
    ucm.push_back({std::to_string(ack.set_errors.front())});
    ucm.push_back({msg.error_tag.empty() ? "UNH" : msg.error_tag});
  }
  w.segment(ucm);
  for (const auto& e : ack.segment_errors) {
    w.segment({{"UCS"}, {std::to_string(e.position)}, {e.elements.empty() ? std::to_string(e.code) : ""}});
    for (const auto& el : e.elements) {
      w.segment({{"UCD"}, {std::to_string(el.code)}, {std::to_string(el.position)}});
    }
  }
}

void end_contrl(EdifactWriter& w) { w.end_message(); }

}  // namespace credo::edi
