#include "edi/edifact_orders.h"

#include <algorithm>
#include <set>

#include "edi/x12_orders.h"

namespace credo::edi {
namespace {

bool valid_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

// A segment's error with one element (code 0085).
void element_error(SetAck* ack, const EdifactSegment& s, std::size_t element, int code, const std::string& note) {
  if (!ack->segment_errors.empty() && ack->segment_errors.back().position == s.position) {
    auto& e = ack->segment_errors.back();
    e.elements.push_back(ElementError{element, code, s.c(element).substr(0, 35)});
    e.note += "; " + note;
    return;
  }
  ack->segment_errors.push_back(
      SegmentError{s.tag(), s.position, code, {ElementError{element, code, s.c(element).substr(0, 35)}}, note});
}

void segment_error(SetAck* ack, const std::string& tag, std::size_t position, int code, const std::string& note) {
  ack->segment_errors.push_back(SegmentError{tag, position, code, {}, note});
}

// 102: CCYYMMDD; 203: CCYYMMDDHHMM (the date part is used).
std::string edifact_date(const EdifactSegment& s) {
  const std::string& v = s.c(1, 2);
  const std::string& f = s.c(1, 3);
  if (f.empty() || f == "102") return iso_date(v);
  if (f == "203" && v.size() == 12) return iso_date(v.substr(0, 8));
  return "";
}

}  // namespace

bool item_type_matches(std::string_view partner_qualifier, std::string_view type) {
  const std::string_view q = partner_qualifier;
  if (q == type) return true;
  if (q == "VP" || q == "VN") return type == "SA" || type == "VN" || type == "VP";
  if (q == "UP" || q == "EN" || q == "UK") return type == "SRV" || type == "EN" || type == "UP";
  return false;
}

SetAck translate_orders(const EdifactMessage& msg, const PartnerBook& book, const Partner* envelope_partner,
                        PurchaseOrder* po, std::string* log) {
  SetAck ack;
  ack.id = msg.type;
  ack.control = msg.reference;
  ack.set_errors = msg.errors;
  *po = PurchaseOrder{};
  po->set_id = msg.type;
  po->control = msg.reference;
  if (msg.type != "ORDERS" || msg.version != "D") {
    if (ack.set_errors.empty()) ack.set_errors.push_back(kEdiValueNotSupported);
    ack.code = 'R';
    return ack;
  }
  if (msg.release != "96A" && msg.release != "01B") {
    po->notes.push_back("ORDERS release " + msg.release + " read as D.96A/D.01B");
  }
  bool have_bgm = false;
  std::size_t lin_count = 0;
  const EdifactSegment* cnt = nullptr;
  std::string party;  // the current NAD's qualifier
  std::set<std::string> unmapped;
  struct LineSegs {
    const EdifactSegment* lin = nullptr;
    const EdifactSegment* qty = nullptr;
    const EdifactSegment* pri = nullptr;
    std::vector<const EdifactSegment*> pia;
  };
  std::vector<LineSegs> lines;
  bool summary = false;
  for (const auto& s : msg.segments) {
    const std::string& tag = s.tag();
    if (tag == "UNH" || tag == "UNT") continue;
    if (tag == "BGM") {
      have_bgm = true;
      po->purpose = s.c(3);
      po->po_type = s.c(1);
      po->po_number = s.c(2);
      if (po->purpose == "9" || po->purpose.empty()) po->action = PoAction::kSubmit;
      else if (po->purpose == "1") po->action = PoAction::kCancel;
      else element_error(&ack, s, 3, kEdiValueNotSupported, "BGM message function must be 9 (original) or 1 (cancellation)");
      if (po->po_number.empty()) element_error(&ack, s, 2, kEdiMissing, "BGM document number is required");
      else if (!valid_identifier(po->po_number)) element_error(&ack, s, 2, kEdiInvalidValue, "document number must be 1-64 printable characters without spaces");
      continue;
    }
    if (!have_bgm) {
      segment_error(&ack, tag, s.position, kEdiNotSupportedHere, tag + " before BGM");
      continue;
    }
    if (tag == "DTM") {
      const std::string& q = s.c(1, 1);
      if (q == "2" || q == "137") {
        const std::string date = edifact_date(s);
        if (date.empty()) element_error(&ack, s, 1, kEdiInvalidValue, "DTM " + q + " must be a date in format 102 (CCYYMMDD)");
        else if (q == "2" && lines.empty()) po->ship_by = date;
        else if (q == "137") po->po_date = s.c(1, 2).substr(0, 8);
      } else {
        po->notes.push_back("DTM " + q + " not used");
      }
    } else if (tag == "NAD") {
      party = s.c(1);
      const std::string& name = !s.c(4).empty() ? s.c(4) : s.c(3);
      if (party == "BY") {
        po->buyer_code = s.c(2, 1);
        po->buyer_name = name;
      } else if (party == "DP" || party == "ST") {
        po->ship_to_code = s.c(2, 1);
        po->ship_to_name = name;
      }
    } else if (tag == "RFF") {
      po->refs.emplace_back(s.c(1, 1), s.c(1, 2));
    } else if (tag == "LIN") {
      ++lin_count;
      lines.push_back(LineSegs{&s, nullptr, nullptr, {}});
    } else if (tag == "PIA" && !lines.empty() && !summary) {
      lines.back().pia.push_back(&s);
    } else if (tag == "QTY" && !lines.empty() && !summary) {
      if (s.c(1, 1) == "21") lines.back().qty = &s;
      else po->notes.push_back("QTY " + s.c(1, 1) + " not used");
    } else if (tag == "PRI" && !lines.empty() && !summary) {
      if ((s.c(1, 1) == "AAA" || s.c(1, 1) == "AAB") && lines.back().pri == nullptr) lines.back().pri = &s;
    } else if (tag == "UNS") {
      summary = true;
    } else if (tag == "CNT") {
      if (s.c(1, 1) == "2") cnt = &s;
    } else if (tag == "MOA") {
      if (summary && (s.c(1, 1) == "79" || s.c(1, 1) == "86")) po->amount = s.c(1, 2);
    } else {
      unmapped.insert(tag);
    }
  }
  for (const auto& t : unmapped) po->notes.push_back("segment " + t + " not used");
  if (!have_bgm) segment_error(&ack, "BGM", msg.segments.size() > 1 ? 2 : 1, kEdiMissing, "BGM segment missing");
  if (po->action == PoAction::kSubmit && lin_count == 0) {
    segment_error(&ack, "LIN", msg.segments.empty() ? 1 : msg.segments.back().position, kEdiMissing, "no LIN line");
  }
  if (cnt != nullptr && cnt->c(1, 2) != std::to_string(lin_count)) {
    ack.segment_errors.push_back(SegmentError{"CNT", cnt->position, kEdiCountDiffers,
                                              {ElementError{1, kEdiCountDiffers, cnt->c(1, 2)}},
                                              "CNT 2 says " + cnt->c(1, 2) + " line items; the message has " + std::to_string(lin_count)});
  }
  const Partner* partner = envelope_partner;
  if (partner == nullptr) partner = book.find_buyer(po->buyer_code);
  if (partner == nullptr) {
    *log = "unknown trading partner: no partner file entry for the UNB sender" +
           std::string(po->buyer_code.empty() ? "" : " nor for NAD+BY code '" + po->buyer_code + "'") + ": message " +
           msg.reference + " (order " + po->po_number + ") rejected";
    ack.code = 'R';
    if (ack.segment_errors.empty()) segment_error(&ack, "BGM", 2, kEdiUnknownSender, "unknown partner");
    return ack;
  }
  po->partner = partner;
  po->customer = customer_for(*partner, po->buyer_code);
  for (const LineSegs& ls : lines) {
    const EdifactSegment& lin = *ls.lin;
    PoLine line;
    line.line_id = lin.c(1);
    auto add_id = [&](const std::string& id, const std::string& type) {
      if (id.empty()) return;
      line.ids.emplace_back(type, id);
      if (line.product_id.empty() && item_type_matches(partner->product_qualifier, type)) line.product_id = id;
    };
    add_id(lin.c(3, 1), lin.c(3, 2));
    for (const EdifactSegment* p : ls.pia) {
      for (std::size_t e = 2; e <= 6; ++e) add_id(p->c(e, 1), p->c(e, 2));
    }
    if (line.product_id.empty()) {
      element_error(&ack, lin, 3, line.ids.empty() ? kEdiMissing : kEdiValueNotSupported,
                    "no item id of the partner's type " + partner->product_qualifier + " in LIN or PIA");
      continue;
    }
    auto x = partner->xref.find(line.product_id);
    line.sku = x != partner->xref.end() ? x->second : line.product_id;
    if (!valid_identifier(line.sku)) {
      element_error(&ack, lin, 3, kEdiInvalidValue, "item id is not a credo identifier");
      continue;
    }
    if (ls.qty == nullptr) {
      segment_error(&ack, "QTY", lin.position + 1, kEdiMissing, "line " + line.line_id + " has no QTY+21");
      continue;
    }
    line.qty_text = ls.qty->c(1, 2);
    line.uom = ls.qty->c(1, 3);
    if (ls.pri != nullptr) line.price_text = ls.pri->c(1, 2);
    int bad = 0;
    std::string why;
    if (!convert_line(*partner, &line, &bad, &why)) {
      const EdifactSegment& at = bad == 3 && ls.pri != nullptr ? *ls.pri : *ls.qty;
      element_error(&ack, at, 1, bad == 2 ? kEdiValueNotSupported : kEdiInvalidValue, why);
      continue;
    }
    po->lines.push_back(std::move(line));
  }
  if (po->lines.size() > 1000) {
    segment_error(&ack, "LIN", lines[1000].lin->position, kEdiUnspecified, "more than 1000 lines (credo's limit per order)");
  }
  if (!ack.segment_errors.empty() || !ack.set_errors.empty()) ack.code = 'R';
  return ack;
}

}  // namespace credo::edi
