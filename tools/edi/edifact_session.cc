#include "tools/edi/edifact_session.h"

#include <algorithm>

#include "edi/edifact_orders.h"

namespace credo::edi_tool {
void EdifactSession::diagnostic(const edi::EdifactDiagnostic& d) {
  log_diagnostic(d.byte_offset, d.file_segment, d.message);
}

edi::EdifactEnvelope EdifactSession::envelope() {
  // Per receiver (the inbound UNB sender): its own increasing references, like the X12 ISA13.
  const uint64_t n = controls_->take("UNB:" + unb_.sender_id);
  controls_changed_ = true;
  const std::string our = partner_ != nullptr ? partner_->our_id : "";
  return edi::reply_envelope(unb_, our, std::to_string(n), o_.date, o_.time);
}

void EdifactSession::interchange_start(const edi::EdifactInterchange& unb) {
  ++stats_.interchanges;
  stats_.edifact = true;
  unb_ = unb;
  partner_ = book_.find_edifact(unb.sender_id);
  ucm_.clear();
  ucm_segments_ = 0;
  tally_ = edi::ContrlTally{};
  open_ordrsp_ = false;
  wordrsp_ = edi::EdifactWriter(unb.delimiters, &ordrsp_);
}

void EdifactSession::ack_po(const edi::PurchaseOrder& po, const edi::Decision& d, const std::string& release) {
  if (!open_ordrsp_) {
    wordrsp_.begin(envelope());
    open_ordrsp_ = true;
  }
  const edi::PoAck ack = po.action == edi::PoAction::kCancel ? cancel_ack(po, d) : edi::acknowledge(po, d);
  edi::write_ordrsp(wordrsp_, po, d, ack, o_.date, release);
  maybe_drain(contrl_, ordrsp_);
}

void EdifactSession::message(const edi::EdifactInterchange& unb, edi::EdifactMessage& msg) {
  ++stats_.sets;
  edi::PurchaseOrder po;
  std::string log;
  edi::SetAck ack = edi::translate_orders(msg, book_, partner_, &po, &log);
  if (!log.empty() && o_.log) o_.log(log);
  if (po.partner != nullptr && partner_ == nullptr) partner_ = po.partner;
  if (write_contrl()) {
    edi::EdifactWriter w(unb.delimiters, &ucm_);
    const std::size_t at = ucm_.size();
    edi::add_contrl(w, msg, ack, &tally_);
    ucm_segments_ += static_cast<std::size_t>(std::count(ucm_.begin() + static_cast<std::ptrdiff_t>(at), ucm_.end(), '\n'));
  } else {
    ++tally_.messages;
  }
  const std::string label = "message " + msg.reference + " (" + msg.type + (po.po_number.empty() ? "" : " order " + po.po_number) + ")";
  if (ack.code == 'R') {
    ++stats_.refused;
    if (o_.log) {
      std::string why;
      for (int c : ack.set_errors) why += " UCM error " + std::to_string(c);
      for (const auto& e : ack.segment_errors) {
        why += "; " + e.tag + " at " + std::to_string(e.position) + " (error " + std::to_string(e.code) + ")";
        if (!e.note.empty()) why += ": " + e.note;
      }
      o_.log(label + " rejected:" + why);
    }
    return;
  }
  count_po(label, po);
  const std::string ref = "EDI ORDERS " + unb.sender_id + " " + unb.control + "/" + msg.reference;
  if (o_.translate_only) {
    std::string j = "{\"edi\":{\"set\":\"ORDERS\",\"control\":";
    edi::json_string(&j, msg.reference);
    j += ",\"partner\":";
    edi::json_string(&j, po.partner->name);
    j += po.action == edi::PoAction::kSubmit ? ",\"action\":\"submit\"},\"request\":" : ",\"action\":\"cancel\"},\"request\":";
    if (po.action == edi::PoAction::kSubmit) {
      j += "{\"op\":\"submit_order\"," + edi::order_body_json(po, ref).substr(1);
    } else {
      j += "{\"customer\":";
      edi::json_string(&j, po.customer);
      j += ",\"client_order_id\":";
      edi::json_string(&j, po.po_number);
      j += "}";
    }
    j += "}";
    if (o_.emit) o_.emit(j);
    return;
  }
  if (po.action == edi::PoAction::kSubmit) {
    std::string body = edi::order_body_json(po, ref);
    const edi::Partner& partner = *po.partner;
    backend_->submit(partner, std::move(body), [this, po = std::move(po), release = msg.release](const edi::Decision& d) {
      count(d);
      ack_po(po, d, release);
    });
    return;
  }
  ++stats_.cancelled;
  const edi::Decision d = backend_->cancel(po, ref + " cancel (BGM function 1)");
  if (o_.log && !d.ok) o_.log(label + ": credo " + d.error_code + ": " + d.error_message);
  ack_po(po, d, msg.release);
}

void EdifactSession::interchange_end(const edi::EdifactInterchange& unb, const edi::EdifactEnd& end) {
  if (backend_ != nullptr) backend_->flush();
  if (open_ordrsp_) wordrsp_.end();
  open_ordrsp_ = false;
  if (write_contrl()) {
    edi::EdifactWriter w(unb.delimiters, &contrl_);
    w.begin(envelope());
    edi::begin_contrl(w, unb, end.errors);
    w.raw(ucm_, ucm_segments_);
    edi::end_contrl(w);
    w.end();
    ucm_.clear();
    ucm_segments_ = 0;
  }
  if (!end.errors.empty() && o_.log) {
    std::string codes;
    for (int c : end.errors) codes += " " + std::to_string(c);
    o_.log("interchange " + unb.control + " from " + unb.sender_id + ": errors" + codes);
  }
  maybe_drain(contrl_, ordrsp_);
}

}  // namespace credo::edi_tool
