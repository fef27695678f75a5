#include "edi/x12_855.h"

namespace credo::edi {

std::string partner_price(const Partner& p, const std::string& uom, int64_t minor) {
  auto it = p.uom.find(uom.empty() ? "EA" : uom);
  const int64_t factor = it == p.uom.end() ? 1 : it->second;
  const __int128 v = static_cast<__int128>(minor) * factor;
  int64_t scale = 1;
  for (int i = 0; i < p.price_decimals; ++i) scale *= 10;
  std::string whole = std::to_string(static_cast<int64_t>(v / scale));
  std::string frac = std::to_string(static_cast<int64_t>(v % scale));
  if (p.price_decimals == 0) return whole;
  frac.insert(0, static_cast<std::size_t>(p.price_decimals) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? whole : whole + "." + frac;
}

void write_855(X12Writer& w, const PurchaseOrder& po, const Decision& d, const PoAck& ack,
               const std::string& date, const std::string& version) {
  const bool v5 = version.rfind("00501", 0) == 0;
  w.begin_set("855", v5 ? version : "");
  const std::string purpose = po.action == PoAction::kCancel ? "01" : po.action == PoAction::kChange ? "04" : "00";
  w.segment({"BAK", purpose, ack.type, po.po_number, po.po_date, "", "", "",
             d.order_no > 0 ? std::to_string(d.order_no) : "", date});
  if (po.partner != nullptr && !po.partner->terms.empty()) {
    // ITD12: free-form terms description.
    w.segment({"ITD", "", "", "", "", "", "", "", "", "", "", "", po.partner->terms});
  }
  if (!ack.message.empty() && po.lines.empty()) w.segment({"MSG", ack.message.substr(0, 264)});
  for (std::size_t i = 0; i < po.lines.size(); ++i) {
    const PoLine& l = po.lines[i];
    const LineAck& la = ack.lines[i];
    std::string price = l.price_text;
    if (la.code == "IP" && po.partner != nullptr) price = partner_price(*po.partner, l.uom, la.unit_price);
    std::vector<std::string> po1{"PO1", l.line_id, l.qty_text, l.uom, price, ""};
    for (const auto& [q, id] : l.ids) {
      po1.push_back(q);
      po1.push_back(id);
    }
    w.segment(po1);
    w.segment({"ACK", la.code, l.qty_text, l.uom});
    if (!la.message.empty()) w.segment({"MSG", la.message.substr(0, 264)});
  }
  if (!po.lines.empty()) w.segment({"CTT", std::to_string(po.lines.size())});
  w.end_set();
}

}  // namespace credo::edi
