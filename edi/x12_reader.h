// A streaming reader of ANSI X12 interchanges (ISA/IEA, GS/GE, ST/SE): the delimiters come from
// each ISA segment, segments may or may not be separated by line breaks, and the envelopes'
// control numbers and counts are checked. Bytes are pushed in any chunks (feed) and each
// transaction set is handed to the handler as soon as its SE arrives, so memory is bounded by
// the largest transaction set, never the file. No I/O.
//
// Error codes are the X12 997 codes: AK5 (transaction set), AK9 (functional group), and TA1-
// style interchange notes (reported as diagnostics: credo writes no TA1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace credo::edi {

struct Delimiters {
  char element = '*';
  char component = ':';
  char repetition = 0;  // 0: none (004010's ISA11 is the standards id 'U')
  char segment = '~';
  bool newline_after_segment = false;  // writers: add "\n" after each terminator
};

// One segment: elements[0] is the tag ("PO1"), elements[i] the i-th data element (as is, with
// its component separators).
struct Segment {
  std::vector<std::string> elements;
  std::size_t position = 0;  // in its transaction set (ST = 1); 0 outside a set
  std::size_t file_segment = 0;  // 1-based index of the segment in the whole input
  const std::string& tag() const { return elements[0]; }
  // Element i (1-based), "" when absent.
  const std::string& el(std::size_t i) const;
  std::size_t size() const { return elements.size() - 1; }  // number of data elements
};

// Transaction set syntax error codes (997 AK502 / AK5 "transaction set syntax error code").
enum SetError : int {
  kSetNotSupported = 1,
  kSetTrailerMissing = 2,
  kSetControlMismatch = 3,
  kSetCountMismatch = 4,
  kSetSegmentsInError = 5,
  kSetBadId = 6,
  kSetBadControl = 7,
  kSetControlNotUnique = 23,
};

// Functional group syntax error codes (997 AK905).
enum GroupError : int {
  kGroupNotSupported = 1,
  kGroupVersionNotSupported = 2,
  kGroupTrailerMissing = 3,
  kGroupControlMismatch = 4,
  kGroupCountMismatch = 5,
  kGroupControlSyntax = 6,
};

struct Interchange {
  Delimiters delimiters;
  std::string sender_qualifier, sender_id;      // ISA05, ISA06 (trimmed)
  std::string receiver_qualifier, receiver_id;  // ISA07, ISA08 (trimmed)
  std::string version;                          // ISA12: 00401, 00501
  std::string control;                          // ISA13
  std::string usage;                            // ISA15: P, T
  std::size_t index = 0;                        // 1-based interchange number in the input
};

struct Group {
  std::string functional_id;  // GS01 (PO, PC, ...)
  std::string sender, receiver;  // GS02, GS03
  std::string date, time;     // GS04, GS05
  std::string control;        // GS06
  std::string version;        // GS08 (004010, 005010, ...)
  std::size_t index = 0;      // 1-based in its interchange
};

struct TransactionSet {
  std::string id;        // ST01
  std::string control;   // ST02
  std::string convention;  // ST03 (005010)
  std::vector<Segment> segments;  // ST .. SE inclusive (SE absent if the trailer is missing)
  std::vector<int> errors;        // SetError codes found by the envelope checks
};

struct GroupEnd {
  std::size_t sets_received = 0;  // ST segments seen in the group
  std::vector<int> errors;        // GroupError codes
  bool trailer_present = false;
  std::string claimed_sets;       // GE01 as sent (empty without a GE)
};

// Something wrong outside a transaction set (or the interchange envelope), for the log.
struct Diagnostic {
  std::size_t file_segment = 0;  // 0: not at a segment
  uint64_t byte_offset = 0;
  std::string message;
};

class X12Handler {
 public:
  virtual ~X12Handler() = default;
  virtual void interchange_start(const Interchange& isa) = 0;
  virtual void group_start(const Interchange& isa, const Group& gs) = 0;
  virtual void transaction(const Interchange& isa, const Group& gs, TransactionSet& set) = 0;
  virtual void group_end(const Interchange& isa, const Group& gs, const GroupEnd& end) = 0;
  virtual void interchange_end(const Interchange& isa, bool trailer_ok) = 0;
  virtual void diagnostic(const Diagnostic& d) = 0;
};

class X12Reader {
 public:
  // Limits: a segment longer than this is an error (a file without terminators cannot make
  // the reader buffer it all); a set with more segments than this is refused.
  static constexpr std::size_t kMaxSegmentBytes = 64 * 1024;
  static constexpr std::size_t kMaxSetSegments = 200'000;

  explicit X12Reader(X12Handler& handler) : h_(handler) {}
  void feed(std::string_view bytes);
  void finish();  // end of input: whatever is still open is reported as truncated

  uint64_t bytes() const { return offset_; }
  std::size_t segments() const { return file_segment_; }
  std::size_t interchanges() const { return isa_.index; }
  std::size_t errors() const { return errors_; }

 private:
  enum class State { kSeekIsa, kInterchange };
  void scan();
  bool take_isa();                      // parses the ISA at buf_[pos_]; false: need more bytes
  void segment(std::string_view text);  // one segment of the open interchange
  void open_segment(Segment seg);
  void close_set(bool trailer_present);
  void close_group(bool trailer_present);
  void close_interchange(bool trailer_ok);
  void diag(std::string message);
  Segment split(std::string_view text) const;

  X12Handler& h_;
  State state_ = State::kSeekIsa;
  std::string buf_;
  std::size_t pos_ = 0;
  uint64_t offset_ = 0;  // byte offset of buf_[0] in the input
  std::size_t file_segment_ = 0;
  std::size_t errors_ = 0;
  std::size_t garbage_ = 0;  // bytes skipped while looking for ISA (reported once per run)
  uint64_t garbage_at_ = 0;

  Interchange isa_;
  bool in_group_ = false;
  Group gs_;
  std::size_t groups_in_isa_ = 0;
  GroupEnd group_end_;
  std::unordered_set<std::string> set_controls_;  // ST02s of the open group (uniqueness)
  bool in_set_ = false;
  TransactionSet set_;
};

// Trims trailing spaces (ISA's fixed-width ids).
std::string trim(std::string_view s);

}  // namespace credo::edi
