#include "tools/edi/session.h"

#include "edi/x12_855.h"
#include "edi/x12_orders.h"

namespace credo::edi_tool {

std::string Stats::summary() const {
  std::string s = edifact ? std::to_string(interchanges) + " interchange(s), " + std::to_string(sets) + " message(s): "
                          : std::to_string(interchanges) + " interchange(s), " + std::to_string(groups) + " group(s), " +
                                std::to_string(sets) + " transaction set(s): ";
  s += std::to_string(pos) + " PO(s), " + std::to_string(lines) + " line(s); accepted " + std::to_string(accepted) +
       ", held " + std::to_string(held) + ", rejected " + std::to_string(rejected);
  if (failed > 0) s += ", not decided " + std::to_string(failed);
  if (duplicates > 0) s += " (" + std::to_string(duplicates) + " duplicate(s))";
  if (cancelled > 0) s += ", cancels " + std::to_string(cancelled);
  if (changed > 0) s += ", changes " + std::to_string(changed);
  if (ignored > 0) s += ", ignored " + std::to_string(ignored);
  s += std::string(edifact ? "; refused in the CONTRL " : "; refused in the 997 ") + std::to_string(refused) +
       ", envelope errors " + std::to_string(errors);
  return s;
}

void SessionBase::count(const edi::Decision& d) {
  if (!d.ok) ++stats_.failed;
  else if (d.status == "accepted") ++stats_.accepted;
  else if (d.status == "held") ++stats_.held;
  else ++stats_.rejected;
  if (d.duplicate) ++stats_.duplicates;
}

void SessionBase::log_diagnostic(uint64_t byte_offset, uint64_t file_segment, const std::string& message) {
  ++stats_.errors;
  if (o_.log) {
    std::string where = "byte " + std::to_string(byte_offset);
    if (file_segment > 0) where = "segment " + std::to_string(file_segment) + ", " + where;
    o_.log("error at " + where + ": " + message);
  }
}

void SessionBase::maybe_drain(std::string& first, std::string& second) {
  if (o_.drain && (first.size() > (1u << 20) || second.size() > (1u << 20))) o_.drain(first, second);
}

void SessionBase::count_po(const std::string& label, const edi::PurchaseOrder& po) {
  if (o_.log) {
    for (const auto& n : po.notes) o_.log(label + ": " + n);
  }
  ++stats_.pos;
  stats_.lines += po.lines.size();
  if (o_.progress && stats_.pos % 10'000 == 0) o_.progress(stats_);
}

edi::PoAck SessionBase::cancel_ack(const edi::PurchaseOrder& po, const edi::Decision& d) {
  edi::PoAck ack;
  const bool done = d.ok && d.status == "cancelled";
  ack.type = done ? "AD" : "RD";
  ack.message = done ? "cancelled" : d.ok ? "order is " + d.status + ": not cancelled" : "credo " + d.error_code + ": " + d.error_message;
  ack.lines.assign(po.lines.size(), edi::LineAck{done ? "ID" : "IR", done ? "" : ack.message, -1});
  return ack;
}

void Session::diagnostic(const edi::Diagnostic& d) { log_diagnostic(d.byte_offset, d.file_segment, d.message); }

void Session::interchange_start(const edi::Interchange& isa) {
  ++stats_.interchanges;
  isa_ = isa;
  isa_partner_ = nullptr;
  open997_ = open855_ = false;
  w997_ = edi::X12Writer(isa.delimiters, &out997_);
  w855_ = edi::X12Writer(isa.delimiters, &out855_);
}

void Session::group_start(const edi::Interchange& isa, const edi::Group& gs) {
  ++stats_.groups;
  gs_ = gs;
  tally_ = edi::AckTally{};
  partner_ = book_.find_x12(isa.sender_qualifier, isa.sender_id, gs.sender);
  if (partner_ != nullptr && isa_partner_ == nullptr) isa_partner_ = partner_;
  if (o_.translate_only && !o_.drain) return;
  // The 997 is written as the group is read: nothing per transaction set is kept.
  if (!open997_) {
    w997_.begin(envelope(isa, gs, "FA"));
    open997_ = true;
  }
  edi::begin_997(w997_, gs);
}

edi::Envelope Session::envelope(const edi::Interchange& isa, const edi::Group& gs, const char* functional_id) {
  const edi::Partner* p = isa_partner_;
  edi::Envelope e;
  e.sender_qualifier = p != nullptr && !p->our_qualifier.empty() ? p->our_qualifier : isa.receiver_qualifier;
  e.sender_id = p != nullptr && !p->our_id.empty() ? p->our_id : isa.receiver_id;
  e.receiver_qualifier = isa.sender_qualifier;
  e.receiver_id = isa.sender_id;
  e.isa_version = isa.version >= "00501" ? "00501" : "00401";
  e.gs_version = gs.version.empty() ? (e.isa_version == "00501" ? "005010" : "004010") : gs.version;
  e.functional_id = functional_id;
  e.gs_sender = p != nullptr && !p->our_gs_id.empty() ? p->our_gs_id : gs.receiver;
  e.gs_receiver = gs.sender;
  // Per receiver (the inbound sender): every interchange it gets from us has its own number,
  // whichever partner entry (or none) the file matched.
  const std::string key = isa.sender_qualifier + ":" + isa.sender_id;
  e.isa_control = e.gs_control = controls_->take(key);
  controls_changed_ = true;
  e.date = o_.date;
  e.time = o_.time;
  e.usage = isa.usage;
  return e;
}

void Session::group_end(const edi::Interchange&, const edi::Group& gs, const edi::GroupEnd& end) {
  if (o_.translate_only && !o_.drain) return;
  edi::end_997(w997_, end, tally_);
  const char code = edi::group_ack_code(tally_, end);
  if (code != 'A' && o_.log) {
    std::string codes;
    for (int c : end.errors) codes += " " + std::to_string(c);
    o_.log("group " + gs.control + " (" + gs.functional_id + " from " + gs.sender + "): AK9 " + std::string(1, code) +
           (codes.empty() ? "" : ", group errors" + codes));
  }
  maybe_drain(out997_, out855_);
}

void Session::interchange_end(const edi::Interchange&, bool) {
  if (backend_ != nullptr) backend_->flush();
  if (open997_) w997_.end();
  if (open855_) w855_.end();
  open997_ = open855_ = false;
  maybe_drain(out997_, out855_);
}

void Session::begin_855(const edi::Interchange& isa, const edi::Group& gs) {
  if (open855_) return;
  w855_.begin(envelope(isa, gs, "PR"));
  group_version_ = gs.version;
  open855_ = true;
}


void Session::ack_po(const edi::PurchaseOrder& po, const edi::Decision& d) {
  begin_855(isa_, gs_);
  const edi::PoAck ack = po.action == edi::PoAction::kCancel ? cancel_ack(po, d) : edi::acknowledge(po, d);
  edi::write_855(w855_, po, d, ack, o_.date, group_version_);
  maybe_drain(out997_, out855_);
}

void Session::transaction(const edi::Interchange& isa, const edi::Group& gs, edi::TransactionSet& set) {
  ++stats_.sets;
  edi::PurchaseOrder po;
  std::string log;
  edi::SetAck ack = edi::translate_x12(set, book_, partner_, &po, &log);
  if (!log.empty() && o_.log) o_.log(log);
  if (po.partner != nullptr && isa_partner_ == nullptr) isa_partner_ = po.partner;
  const std::string label = "set " + set.control + " (" + set.id + (po.po_number.empty() ? "" : " PO " + po.po_number) + ")";
  if (ack.code == 'R') {
    ++stats_.refused;
    if (o_.log) {
      std::string why;
      for (int c : ack.set_errors) why += " AK5 " + std::to_string(c);
      for (const auto& e : ack.segment_errors) {
        why += "; " + e.tag + " at " + std::to_string(e.position) + " (AK3 " + std::to_string(e.code) + ")";
        for (const auto& el : e.elements) why += " element " + std::to_string(el.position) + " AK4 " + std::to_string(el.code);
        if (!e.note.empty()) why += ": " + e.note;
      }
      o_.log(label + " rejected:" + why);
    }
    if (open997_) edi::add_997(w997_, gs, ack, &tally_);
    return;
  }
  if (open997_) edi::add_997(w997_, gs, ack, &tally_);
  count_po(label, po);
  const std::string ref = "EDI " + set.id + " " + isa.sender_id + " " + isa.control + "/" + set.control;
  if (po.action == edi::PoAction::kIgnore) {
    ++stats_.ignored;
    return;
  }
  if (o_.translate_only) {
    std::string j = "{\"edi\":{\"set\":";
    edi::json_string(&j, set.id);
    j += ",\"control\":";
    edi::json_string(&j, set.control);
    j += ",\"partner\":";
    edi::json_string(&j, po.partner->name);
    j += ",\"action\":";
    j += po.action == edi::PoAction::kSubmit ? "\"submit\"" : po.action == edi::PoAction::kCancel ? "\"cancel\"" : "\"change\"";
    j += "},\"request\":";
    if (po.action == edi::PoAction::kSubmit) {
      std::string body = edi::order_body_json(po, ref);
      j += "{\"op\":\"submit_order\"," + body.substr(1);
    } else {
      j += "{\"customer\":";
      edi::json_string(&j, po.customer);
      j += ",\"client_order_id\":";
      edi::json_string(&j, po.po_number);
      if (po.action == edi::PoAction::kChange) {
        j += ",\"changes\":[";
        for (std::size_t i = 0; i < po.lines.size(); ++i) {
          if (i > 0) j += ',';
          j += "{\"change\":";
          edi::json_string(&j, po.lines[i].change);
          j += ",\"sku\":";
          edi::json_string(&j, po.lines[i].sku);
          j += ",\"qty\":" + std::to_string(po.lines[i].qty) + "}";
        }
        j += "]";
      }
      j += "}";
    }
    j += "}";
    if (o_.emit) o_.emit(j);
    return;
  }
  if (po.action == edi::PoAction::kSubmit) {
    std::string body = edi::order_body_json(po, ref);
    const edi::Partner& partner = *po.partner;
    backend_->submit(partner, std::move(body), [this, po = std::move(po)](const edi::Decision& d) {
      count(d);
      ack_po(po, d);
    });
    return;
  }
  edi::Decision d;
  if (po.action == edi::PoAction::kCancel) {
    ++stats_.cancelled;
    d = backend_->cancel(po, ref + " cancel (BEG01 01)");
  } else {
    ++stats_.changed;
    std::string id = "EDI-860-" + po.po_number + "-" + (po.change_seq.empty() ? isa.control + "-" + set.control : po.change_seq);
    if (id.size() > 64) id.resize(64);
    for (char& c : id) {
      if (c < 0x21 || c > 0x7e) c = '_';
    }
    d = backend_->change(po, id);
  }
  if (o_.log && !d.ok) o_.log(label + ": credo " + d.error_code + ": " + d.error_message);
  ack_po(po, d);
}

}  // namespace credo::edi_tool
