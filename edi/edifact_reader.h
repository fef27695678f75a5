// A streaming reader of UN/EDIFACT interchanges (syntax 3 and 4): the service characters come
// from the UNA service string advice (or the defaults : + . ? ' when there is none), the release
// character is honoured, and the UNB/UNZ and UNH/UNT envelopes' references and counts are
// checked. Bytes are pushed in any chunks (feed); each message is handed out when its UNT (or
// the next UNH/UNZ, or the end of input) closes it, so memory is bounded by the largest message.
// No I/O. Functional groups (UNG/UNE) are read through: their messages are handed out like the
// others.
//
// Error codes are the syntax error codes of data element 0085 (the CONTRL UCI/UCM codes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace credo::edi {

struct EdifactDelimiters {
  char component = ':';
  char element = '+';
  char decimal = '.';
  char release = '?';
  char repetition = ' ';  // UNA5: reserved (syntax 3) or the repetition separator (syntax 4)
  char segment = '\'';
};

// One segment, its release characters removed: data[0][0] is the tag ("LIN"), data[i] the i-th
// data element as its components.
struct EdifactSegment {
  std::vector<std::vector<std::string>> data;
  std::size_t position = 0;      // in its message (UNH = 1); 0 outside a message
  std::size_t file_segment = 0;  // 1-based index of the segment in the whole input
  const std::string& tag() const { return data[0][0]; }
  // Component j (1-based) of element i (1-based), "" when absent.
  const std::string& c(std::size_t i, std::size_t j = 1) const;
  std::size_t size() const { return data.size() - 1; }
};

// Data element 0085 "syntax error, coded".
enum EdifactError : int {
  kEdiSyntaxNotSupported = 2,
  kEdiInvalidValue = 12,
  kEdiMissing = 13,
  kEdiValueNotSupported = 14,
  kEdiNotSupportedHere = 15,
  kEdiUnspecified = 18,
  kEdiInvalidCharacter = 21,
  kEdiUnknownSender = 23,
  kEdiReferencesDiffer = 28,
  kEdiCountDiffers = 29,
  kEdiLowerLevelEmpty = 32,
  kEdiOutsideMessage = 33,
};

struct EdifactInterchange {
  EdifactDelimiters delimiters;
  bool una = false;                       // the interchange had a UNA
  std::string syntax_id, syntax_version;  // UNB01: UNOA, 3
  std::string sender_id, sender_qualifier;        // UNB02
  std::string recipient_id, recipient_qualifier;  // UNB03
  std::string date, time;                         // UNB04
  std::string control;                            // UNB05
  std::string test;                               // UNB11 (1: test)
  std::size_t index = 0;                          // 1-based in the input
};

struct EdifactMessage {
  std::string reference;  // UNH01
  std::string type, version, release, agency;  // UNH02: ORDERS:D:96A:UN
  std::vector<EdifactSegment> segments;        // UNH .. UNT inclusive (UNT absent if missing)
  std::vector<int> errors;                     // 0085 codes found by the envelope checks
  std::string error_tag;                       // the service segment an error is about (UNT, UNH)
};

struct EdifactEnd {
  bool trailer_present = false;  // UNZ seen
  std::size_t messages = 0;      // UNH segments seen
  std::vector<int> errors;       // 0085 codes (UNZ count, reference)
};

struct EdifactDiagnostic {
  std::size_t file_segment = 0;
  uint64_t byte_offset = 0;
  std::string message;
};

class EdifactHandler {
 public:
  virtual ~EdifactHandler() = default;
  virtual void interchange_start(const EdifactInterchange& unb) = 0;
  virtual void message(const EdifactInterchange& unb, EdifactMessage& msg) = 0;
  virtual void interchange_end(const EdifactInterchange& unb, const EdifactEnd& end) = 0;
  virtual void diagnostic(const EdifactDiagnostic& d) = 0;
};

class EdifactReader {
 public:
  static constexpr std::size_t kMaxSegmentBytes = 64 * 1024;
  static constexpr std::size_t kMaxMessageSegments = 200'000;

  explicit EdifactReader(EdifactHandler& handler) : h_(handler) {}
  void feed(std::string_view bytes);
  void finish();  // end of input: what is still open is reported as truncated

  uint64_t bytes() const { return offset_; }
  std::size_t segments() const { return file_segment_; }
  std::size_t interchanges() const { return unb_.index; }
  std::size_t errors() const { return errors_; }

 private:
  enum class State { kSeek, kInterchange };
  void scan();
  bool take_una();  // false: need more bytes
  void segment(std::string_view text);
  void start_interchange(const EdifactSegment& seg);
  void close_message(bool trailer_present);
  void close_interchange(bool trailer_present, const EdifactSegment* unz);
  void diag(std::string message);
  EdifactSegment split(std::string_view text) const;

  EdifactHandler& h_;
  State state_ = State::kSeek;
  std::string buf_;
  std::size_t pos_ = 0;
  uint64_t offset_ = 0;
  std::size_t file_segment_ = 0;
  std::size_t errors_ = 0;
  std::size_t garbage_ = 0;
  uint64_t garbage_at_ = 0;
  EdifactDelimiters next_;  // from a UNA, for the UNB that follows
  bool next_una_ = false;
  EdifactInterchange unb_;
  EdifactEnd end_;
  bool opened_ = false;  // a UNB was read and its interchange is open
  std::size_t groups_ = 0;
  bool in_message_ = false;
  EdifactMessage msg_;
};

// "ISA" -> x12, "UNA"/"UNB" -> edifact, from a file's first non-blank bytes; "" if neither
// (or not enough bytes yet).
std::string detect_syntax(std::string_view head);

}  // namespace credo::edi
