// Writes X12 interchanges: the ISA/GS envelope, transaction sets with their SE counts, and the
// GE/IEA trailers, into a string the caller drains (no I/O). The 997 functional acknowledgment
// is built here too (the 855 is edi/ack_855.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edi/x12_reader.h"

namespace credo::edi {

struct Envelope {
  std::string sender_qualifier = "ZZ", sender_id;
  std::string receiver_qualifier = "ZZ", receiver_id;
  std::string isa_version = "00401";   // ISA12
  std::string gs_version = "004010";   // GS08
  std::string functional_id;           // GS01: FA (997), PR (855)
  std::string gs_sender, gs_receiver;  // GS02, GS03
  uint64_t isa_control = 1;            // ISA13 (9 digits)
  uint64_t gs_control = 1;             // GS06
  std::string date;                    // CCYYMMDD
  std::string time;                    // HHMM
  std::string usage = "P";             // ISA15
};

class X12Writer {
 public:
  X12Writer(Delimiters d, std::string* out) : d_(d), out_(out) {}
  void begin(const Envelope& env);  // ISA + GS
  void begin_set(std::string_view id, std::string_view convention = {});  // ST (control 0001..)
  // A segment: tag then elements; trailing empty elements are dropped, separators and the
  // terminator inside a value are replaced by spaces.
  void segment(std::initializer_list<std::string_view> elements);
  void segment(const std::vector<std::string>& elements);
  void end_set();  // SE
  void end();      // GE + IEA
  std::size_t sets() const { return sets_; }
  const std::string& set_control() const { return set_control_; }
  const Delimiters& delimiters() const { return d_; }

 private:
  void put(std::string_view v);
  void finish_segment();
  Delimiters d_;
  std::string* out_;
  Envelope env_;
  std::size_t sets_ = 0;
  std::size_t set_segments_ = 0;
  std::string set_control_;
};

// AK4: one element's error.
struct ElementError {
  std::size_t position = 0;  // element position in the segment (1-based)
  int code = 0;              // AK403: 1 mandatory missing, 4 too short, 5 too long, 6 invalid character, 7 invalid code value, 8 invalid date
  std::string bad_value;     // AK404 (copy of the bad data element), may be empty
};

// AK3: one segment's error.
struct SegmentError {
  std::string tag;
  std::size_t position = 0;  // in the transaction set
  int code = 0;              // AK304: 1 unrecognized, 2 unexpected, 3 mandatory missing, 8 has data element errors
  std::vector<ElementError> elements;
  std::string note;          // for the log and summary (not written in the 997)
};

struct SetAck {
  std::string id, control;  // ST01, ST02 of the acknowledged set
  char code = 'A';          // AK501: A accepted, E accepted with errors noted, R rejected
  std::vector<int> set_errors;  // AK502.. (SetError)
  std::vector<SegmentError> segment_errors;
};

// A 997 written as the group is read (bounded memory: nothing per set is kept): begin_997 at
// the group's start, add_997 per transaction set, end_997 at its end.
struct AckTally {
  std::size_t sets = 0, accepted = 0, with_errors = 0;
};
void begin_997(X12Writer& w, const Group& gs);
void add_997(X12Writer& w, const Group& gs, const SetAck& s, AckTally* tally);
void end_997(X12Writer& w, const GroupEnd& end, const AckTally& tally);
char group_ack_code(const AckTally& tally, const GroupEnd& end);

// One 997 transaction set acknowledging the group `gs` (AK1, AK2..AK5 per set, AK9). The
// writer must be inside begin() (functional id FA).
void write_997(X12Writer& w, const Group& gs, const std::vector<SetAck>& sets, const GroupEnd& end);

// AK901 for these sets and group errors: A, E, P (partially accepted) or R.
char group_ack_code(const std::vector<SetAck>& sets, const GroupEnd& end);

}  // namespace credo::edi
