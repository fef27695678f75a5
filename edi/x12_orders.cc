#include "edi/x12_orders.h"

#include <algorithm>
#include <set>

namespace credo::edi {
namespace {

constexpr int64_t kQtyMax = 1'000'000'000;

bool valid_identifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

class Checker {
 public:
  explicit Checker(SetAck* ack) : ack_(ack) {}
  void element(const Segment& s, std::size_t pos, int code, std::string note) {
    SegmentError& e = seg(s.tag(), s.position, 8, note);
    e.elements.push_back(ElementError{pos, code, s.el(pos).substr(0, 99)});
  }
  void segment(std::string_view tag, std::size_t position, int code, std::string note) {
    seg(tag, position, code, std::move(note));
  }
  bool failed() const { return !ack_->segment_errors.empty(); }

 private:
  SegmentError& seg(std::string_view tag, std::size_t position, int code, std::string note) {
    if (!ack_->segment_errors.empty() && ack_->segment_errors.back().position == position &&
        ack_->segment_errors.back().tag == tag) {
      auto& e = ack_->segment_errors.back();
      if (!note.empty()) e.note += "; " + note;
      return e;
    }
    ack_->segment_errors.push_back(SegmentError{std::string(tag), position, code, {}, std::move(note)});
    return ack_->segment_errors.back();
  }
  SetAck* ack_;
};

}  // namespace

bool convert_line(const Partner& p, PoLine* line, int* bad_element, std::string* why) {
  auto factor_it = p.uom.find(line->uom.empty() ? "EA" : line->uom);
  if (factor_it == p.uom.end()) {
    *bad_element = 2;
    *why = "unit of measure '" + line->uom + "' is not in the partner's uom table";
    return false;
  }
  const int64_t factor = factor_it->second;
  // Quantity: a decimal; times the factor it must be a whole number of credo units.
  auto q = parse_decimal(line->qty_text, 6);
  if (!q || *q <= 0) {
    *bad_element = 1;
    *why = "quantity '" + line->qty_text + "' is not a positive number";
    return false;
  }
  const __int128 units6 = static_cast<__int128>(*q) * factor;
  if (units6 % 1'000'000 != 0 || units6 / 1'000'000 > kQtyMax) {
    *bad_element = 1;
    *why = "quantity " + line->qty_text + " " + factor_it->first + " is not a whole number of units from 1 to 1e9";
    return false;
  }
  line->qty = static_cast<int64_t>(units6 / 1'000'000);
  line->po_unit_price.reset();
  if (!line->price_text.empty()) {
    // Price per partner unit, with 4 extra decimals, divided by the factor, rounded half up.
    auto pr = parse_decimal(line->price_text, p.price_decimals + 4);
    if (!pr || *pr < 0) {
      *bad_element = 3;
      *why = "unit price '" + line->price_text + "' is not a non-negative number";
      return false;
    }
    const __int128 per_unit = (static_cast<__int128>(*pr) + 5000 * factor) / (10'000 * factor);
    line->po_unit_price = static_cast<int64_t>(per_unit);
  }
  return true;
}

SetAck translate_x12(const TransactionSet& set, const PartnerBook& book,
                     const Partner* envelope_partner, PurchaseOrder* po, std::string* log) {
  SetAck ack;
  ack.id = set.id;
  ack.control = set.control;
  ack.set_errors = set.errors;
  *po = PurchaseOrder{};
  po->set_id = set.id;
  po->control = set.control;
  if (set.id != "850" && set.id != "860") {
    if (set.errors.empty()) ack.set_errors.push_back(kSetNotSupported);
    ack.code = 'R';
    return ack;
  }
  Checker check(&ack);
  const bool is850 = set.id == "850";
  const char* head = is850 ? "BEG" : "BCH";
  bool have_head = false;
  std::size_t po1_count = 0;
  std::set<std::string> unmapped;
  std::vector<const Segment*> line_segments;
  const Segment* ctt = nullptr;
  std::string loop;  // the current N1 loop's entity (BY, ST, ...)
  for (const auto& s : set.segments) {
    const std::string& tag = s.tag();
    if (tag == "ST" || tag == "SE") continue;
    if (tag == head) {
      have_head = true;
      po->purpose = s.el(1);
      po->po_type = s.el(2);
      po->po_number = s.el(3);
      if (is850) {
        po->po_date = s.el(5);
        if (po->purpose == "00") po->action = PoAction::kSubmit;
        else if (po->purpose == "01") po->action = PoAction::kCancel;
        else if (po->purpose == "06") {
          po->action = PoAction::kIgnore;
          po->notes.push_back("BEG01 06 (confirmation): nothing submitted");
        } else check.element(s, 1, 7, "BEG01 purpose must be 00, 01 or 06");
        if (iso_date(s.el(5)).empty()) check.element(s, 5, s.el(5).empty() ? 1 : 8, "BEG05 PO date must be CCYYMMDD");
      } else {
        po->change_seq = s.el(5);
        po->po_date = s.el(6);
        if (po->purpose == "01") po->action = PoAction::kCancel;
        else if (po->purpose == "04" || po->purpose == "05") po->action = PoAction::kChange;
        else check.element(s, 1, 7, "BCH01 purpose must be 01 (cancel) or 04 (change)");
        if (iso_date(s.el(6)).empty()) check.element(s, 6, s.el(6).empty() ? 1 : 8, "BCH06 PO date must be CCYYMMDD");
      }
      if (s.el(2).empty()) check.element(s, 2, 1, std::string(head) + "02 PO type is required");
      if (s.el(3).empty()) check.element(s, 3, 1, std::string(head) + "03 PO number is required");
      else if (!valid_identifier(s.el(3))) check.element(s, 3, 6, "PO number must be 1-64 printable characters without spaces");
      continue;
    }
    if (!have_head) {
      check.segment(tag, s.position, 7, tag + " before " + head);
      continue;
    }
    if (tag == "DTM") {
      if (s.el(1) == "002") {
        po->ship_by = iso_date(s.el(2));
        if (po->ship_by.empty()) check.element(s, 2, s.el(2).empty() ? 1 : 8, "DTM02 must be a CCYYMMDD date");
      } else {
        po->notes.push_back("DTM " + s.el(1) + " not used");
      }
    } else if (tag == "N1") {
      loop = s.el(1);
      if (loop == "BY") {
        po->buyer_name = s.el(2);
        po->buyer_code = s.el(4);
      } else if (loop == "ST") {
        po->ship_to_name = s.el(2);
        po->ship_to_code = s.el(4);
      }
    } else if (tag == "REF") {
      po->refs.emplace_back(s.el(1), s.el(2));
    } else if (tag == "PO1" || tag == "POC") {
      ++po1_count;
      line_segments.push_back(&s);
    } else if (tag == "CTT") {
      ctt = &s;
    } else if (tag == "AMT") {
      if (s.el(1) == "TT" || s.el(1) == "GV" || s.el(1) == "1") po->amount = s.el(2);
    } else {
      unmapped.insert(tag);
    }
  }
  for (const auto& t : unmapped) po->notes.push_back("segment " + t + " not used");
  if (!have_head) {
    const std::size_t at = set.segments.size() > 1 ? 2 : 1;
    check.segment(head, at, 3, std::string(head) + " segment missing");
  }
  const bool need_lines = po->action == PoAction::kSubmit || po->action == PoAction::kChange;
  if (need_lines && po1_count == 0) {
    check.segment(is850 ? "PO1" : "POC", set.segments.empty() ? 1 : set.segments.back().position, 3,
                  is850 ? "no PO1 line" : "no POC line");
  }
  if (ctt != nullptr && ctt->el(1) != std::to_string(po1_count)) {
    check.element(*ctt, 1, 7, "CTT01 says " + ctt->el(1) + " line items; the set has " + std::to_string(po1_count));
  }
  // The partner.
  const Partner* partner = envelope_partner;
  if (partner == nullptr) partner = book.find_buyer(po->buyer_code);
  if (partner == nullptr) {
    *log = "unknown trading partner: no partner file entry for the envelope" +
           std::string(po->buyer_code.empty() ? "" : " nor for N1*BY code '" + po->buyer_code + "'") +
           ": transaction set " + set.control + " (PO " + po->po_number + ") rejected";
    ack.code = 'R';
    if (ack.set_errors.empty()) ack.set_errors.push_back(kSetSegmentsInError);
    if (ack.segment_errors.empty()) {
      ack.segment_errors.push_back(SegmentError{std::string(head), 2, 8, {}, "unknown partner"});
    }
    return ack;
  }
  po->partner = partner;
  po->customer = customer_for(*partner, po->buyer_code);
  // Lines.
  for (const Segment* s : line_segments) {
    PoLine line;
    std::size_t first_pair;
    if (is850) {
      line.line_id = s->el(1);
      line.qty_text = s->el(2);
      line.uom = s->el(3);
      line.price_text = s->el(4);
      first_pair = 6;
    } else {
      line.line_id = s->el(1);
      line.change = s->el(2);
      line.qty_text = s->el(3);
      line.uom = s->el(5);
      line.price_text = s->el(6);
      first_pair = 8;
      static const std::set<std::string> kChanges = {"AI", "DI", "PC", "QD", "QI", "CA"};
      if (!kChanges.count(line.change)) {
        check.element(*s, 2, line.change.empty() ? 1 : 7, "POC02 change code must be AI, DI, PC, QD or QI");
        continue;
      }
    }
    for (std::size_t i = first_pair; i + 1 <= s->size(); i += 2) {
      if (s->el(i).empty() && s->el(i + 1).empty()) continue;
      line.ids.emplace_back(s->el(i), s->el(i + 1));
      if (s->el(i) == partner->product_qualifier && line.product_id.empty()) line.product_id = s->el(i + 1);
    }
    if (line.product_id.empty()) {
      check.element(*s, first_pair, line.ids.empty() ? 1 : 7,
                    "no product id with the partner's qualifier " + partner->product_qualifier);
      continue;
    }
    auto x = partner->xref.find(line.product_id);
    line.sku = x != partner->xref.end() ? x->second : line.product_id;
    if (!valid_identifier(line.sku)) {
      check.element(*s, first_pair + 1, 6, "product id is not a credo identifier (1-64 printable characters)");
      continue;
    }
    const bool needs_qty = is850 || line.change == "AI" || line.change == "QI" || line.change == "QD";
    if (!needs_qty && line.qty_text.empty()) {
      line.qty_text = "1";  // DI / PC without a quantity: only the sku and price matter
    }
    int bad = 0;
    std::string why;
    if (!convert_line(*partner, &line, &bad, &why)) {
      const std::size_t pos = is850 ? static_cast<std::size_t>(bad + 1) : (bad == 1 ? 3 : bad == 2 ? 5 : 6);
      check.element(*s, pos, bad == 2 ? 7 : 6, why);
      continue;
    }
    if (!is850 && !needs_qty && s->el(3).empty()) line.qty = 0;
    po->lines.push_back(std::move(line));
  }
  if (is850 && po->lines.size() > 1000) {
    check.segment("PO1", line_segments[1000]->position, 4, "more than 1000 lines (credo's limit per order)");
  }
  if (check.failed()) {
    ack.code = 'R';
    if (std::find(ack.set_errors.begin(), ack.set_errors.end(), kSetSegmentsInError) == ack.set_errors.end()) {
      ack.set_errors.push_back(kSetSegmentsInError);
    }
  } else if (!ack.set_errors.empty()) {
    ack.code = 'R';
  }
  return ack;
}

}  // namespace credo::edi
