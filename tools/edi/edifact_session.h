// One EDIFACT input file through credo-edi: the EDIFACT reader's handler that translates each
// ORDERS message (edi/edifact_orders.h), hands the orders to a Backend, and writes a CONTRL per
// interchange and an ORDRSP per order into two output streams (the X12 Session's 997 and 855
// slots). The same Stats, options and decision mapping as the X12 session.
#pragma once

#include <string>

#include "edi/control_state.h"
#include "edi/edifact_reader.h"
#include "edi/edifact_writer.h"
#include "edi/partner.h"
#include "tools/edi/backend.h"
#include "tools/edi/session.h"

namespace credo::edi_tool {

class EdifactSession : public edi::EdifactHandler, public SessionBase {
 public:
  EdifactSession(const edi::PartnerBook& book, edi::ControlState* controls, Backend* backend, SessionOptions o)
      : SessionBase(book, controls, backend, std::move(o)) {}

  void interchange_start(const edi::EdifactInterchange& unb) override;
  void message(const edi::EdifactInterchange& unb, edi::EdifactMessage& msg) override;
  void interchange_end(const edi::EdifactInterchange& unb, const edi::EdifactEnd& end) override;
  void diagnostic(const edi::EdifactDiagnostic& d) override;

  std::string& out_contrl() { return contrl_; }
  std::string& out_ordrsp() { return ordrsp_; }

 private:
  edi::EdifactEnvelope envelope();
  void ack_po(const edi::PurchaseOrder& po, const edi::Decision& d, const std::string& release);  // ORDRSP in the ORDERS' release
  bool write_contrl() const { return !o_.translate_only || static_cast<bool>(o_.drain); }

  edi::EdifactInterchange unb_;
  const edi::Partner* partner_ = nullptr;  // the UNB sender's, or the first NAD+BY's
  std::string ucm_;                        // the CONTRL's UCM/UCS/UCD of the open interchange
  std::size_t ucm_segments_ = 0;
  edi::ContrlTally tally_;
  std::string contrl_, ordrsp_;
  edi::EdifactWriter wordrsp_{{}, &ordrsp_};
  bool open_ordrsp_ = false;
};

}  // namespace credo::edi_tool
