// Writes UN/EDIFACT interchanges (UNA, UNB .. UNZ, UNH .. UNT with their counts and references)
// into a string the caller drains (no I/O); values are escaped with the release character. The
// ORDRSP (purchase order response) and the CONTRL (syntax and service report) are built here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edi/decision.h"
#include "edi/edifact_reader.h"
#include "edi/purchase_order.h"
#include "edi/x12_writer.h"

namespace credo::edi {

struct EdifactEnvelope {
  std::string syntax_id = "UNOC", syntax_version = "3";
  std::string sender_id, sender_qualifier;
  std::string recipient_id, recipient_qualifier;
  std::string date;  // CCYYMMDD (written YYMMDD in syntax 1-3)
  std::string time;  // HHMM
  std::string control;
  std::string test;  // UNB11
};

class EdifactWriter {
 public:
  EdifactWriter(EdifactDelimiters d, std::string* out) : d_(d), out_(out) {}
  void begin(const EdifactEnvelope& env);  // UNA + UNB
  // UNH with the next message reference (1, 2, ...) and type "ORDRSP", "D", "96A", "UN".
  void begin_message(std::string_view type, std::string_view version, std::string_view release,
                     std::string_view agency = "UN");
  // One segment: elements[0] = {tag}; trailing empty elements and components are dropped.
  void segment(const std::vector<std::vector<std::string>>& elements);
  void end_message();  // UNT
  // Segments written elsewhere (with the same delimiters), counted into the open message.
  void raw(std::string_view text, std::size_t segments) {
    out_->append(text);
    message_segments_ += segments;
  }
  void end();          // UNZ
  std::size_t messages() const { return messages_; }

 private:
  void put(std::string_view v);
  EdifactDelimiters d_;
  std::string* out_;
  EdifactEnvelope env_;
  std::size_t messages_ = 0;
  std::size_t message_segments_ = 0;
  std::string reference_;
};

// The answer envelope to an inbound interchange: sender and recipient swapped (or `our_id`).
EdifactEnvelope reply_envelope(const EdifactInterchange& in, const std::string& our_id, const std::string& control,
                               const std::string& date, const std::string& time);

// ORDRSP: BGM 231 (function 29 accepted, 4 changed or held, 27 not accepted), DTM 137, RFF+ON
// (the order), NAD+BY, per line LIN with its action (5 accepted, 3 changed, 7 not accepted),
// QTY 21, PRI AAA, FTX+AAO with the reasons; UNS, CNT 2. `date`: CCYYMMDD.
void write_ordrsp(EdifactWriter& w, const PurchaseOrder& po, const Decision& d, const PoAck& ack,
                  const std::string& date, const std::string& release);
// The LIN action (data element 1229) and BGM message function (1225) for an acknowledgment.
std::string lin_action(const LineAck& l);
std::string bgm_function(const PoAck& ack);

// One message of a CONTRL: the UCM (action 7 accepted, 4 rejected; 0085 error) and its UCS/UCD
// (the segment position, the element:component and the error code). SetAck's code 'R' is
// rejected; its ElementError codes are 0085 codes.
struct ContrlTally {
  std::size_t messages = 0, rejected = 0;
};
// UNH CONTRL + UCI (the interchange: action 7, or 4 with the interchange error).
void begin_contrl(EdifactWriter& w, const EdifactInterchange& in, const std::vector<int>& interchange_errors);
void add_contrl(EdifactWriter& w, const EdifactMessage& msg, const SetAck& ack, ContrlTally* tally);
void end_contrl(EdifactWriter& w);

}  // namespace credo::edi
