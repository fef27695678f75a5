#include "edi/x12_reader.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace credo::edi {
namespace {

const std::string kEmpty;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_space(char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; }

// ISA is fixed width: "ISA", then 16 elements of these widths, each after an element separator.
constexpr std::size_t kIsaWidths[16] = {2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1};
constexpr std::size_t kIsaLength = 105;  // up to and including ISA16; the terminator follows (106 in all)

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (s.size() > 40) out += "...";
  return out;
}

}  // namespace

const std::string& Segment::el(std::size_t i) const {
  return i < elements.size() ? elements[i] : kEmpty;
}

std::string trim(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return std::string(s);
}

void X12Reader::feed(std::string_view bytes) {
  buf_.append(bytes.data(), bytes.size());
  scan();
  // Drop what is consumed so the buffer holds at most one unfinished segment.
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    offset_ += pos_;
    pos_ = 0;
  }
}

void X12Reader::diag(std::string message) {
  ++errors_;
  h_.diagnostic(Diagnostic{file_segment_, offset_ + pos_, std::move(message)});
}

void X12Reader::scan() {
  while (pos_ < buf_.size()) {
    if (state_ == State::kSeekIsa) {
      const char c = buf_[pos_];
      if (is_space(c)) {
        ++pos_;
        continue;
      }
      if (buf_.size() - pos_ < 3) return;  // maybe the start of "ISA"
      if (buf_.compare(pos_, 3, "ISA") == 0) {
        if (garbage_ > 0) {
          ++errors_;
          h_.diagnostic(Diagnostic{0, garbage_at_,
                                   "skipped " + std::to_string(garbage_) +
                                       " bytes that are not an X12 interchange (no ISA segment)"});
          garbage_ = 0;
        }
        if (!take_isa()) return;
        continue;
      }
      if (garbage_ == 0) garbage_at_ = offset_ + pos_;
      ++garbage_;
      ++pos_;
      continue;
    }
    // Inside an interchange: one segment up to the terminator (line breaks between segments
    // are skipped unless they are the terminator).
    const char term = isa_.delimiters.segment;
    while (pos_ < buf_.size() && is_space(buf_[pos_]) && buf_[pos_] != term) ++pos_;
    if (pos_ >= buf_.size()) return;
    const std::size_t end = buf_.find(term, pos_);
    if (end == std::string::npos) {
      if (buf_.size() - pos_ > kMaxSegmentBytes) {
        diag("segment longer than " + std::to_string(kMaxSegmentBytes) +
             " bytes without a terminator: the interchange is abandoned");
        close_interchange(false);
        pos_ = buf_.size();
      }
      return;
    }
    if (end - pos_ > kMaxSegmentBytes) {
      diag("segment longer than " + std::to_string(kMaxSegmentBytes) + " bytes: the interchange is abandoned");
      close_interchange(false);
      pos_ = end + 1;
      continue;
    }
    std::string_view text(buf_.data() + pos_, end - pos_);
    pos_ = end + 1;
    segment(text);
  }
}

bool X12Reader::take_isa() {
  if (buf_.size() - pos_ < kIsaLength + 1) return false;
  if (state_ == State::kInterchange) close_interchange(false);
  const std::string_view isa(buf_.data() + pos_, kIsaLength + 1);
  ++file_segment_;
  Interchange next;
  next.index = isa_.index + 1;
  const char sep = isa[3];
  next.delimiters.element = sep;
  next.delimiters.component = isa[kIsaLength - 1];
  next.delimiters.segment = isa[kIsaLength];
  // Check the fixed layout: a separator before each element where it must be.
  std::size_t at = 3;
  std::vector<std::string_view> el;
  bool layout_ok = true;
  for (std::size_t w : kIsaWidths) {
    if (isa[at] != sep) {
      layout_ok = false;
      break;
    }
    el.push_back(isa.substr(at + 1, w));
    at += 1 + w;
  }
  const char term = next.delimiters.segment;
  if (!layout_ok || std::isalnum(static_cast<unsigned char>(sep)) ||
      std::isalnum(static_cast<unsigned char>(term)) || sep == term ||
      next.delimiters.component == sep || next.delimiters.component == term) {
    diag("ISA segment is not 105 characters of fixed-width elements (element separator '" +
         printable(std::string_view(&sep, 1)) + "'): the interchange is skipped up to the next ISA");
    pos_ += 3;  // look for the next ISA after this one
    isa_.index = next.index;
    state_ = State::kSeekIsa;
    return true;
  }
  next.sender_qualifier = trim(el[4]);
  next.sender_id = trim(el[5]);
  next.receiver_qualifier = trim(el[6]);
  next.receiver_id = trim(el[7]);
  next.version = std::string(el[11]);
  next.control = std::string(el[12]);
  next.usage = std::string(el[14]);
  if (next.version >= "00501") {
    const char rep = el[10][0];
    if (rep != sep && rep != term && rep != next.delimiters.component && !std::isalnum(static_cast<unsigned char>(rep))) {
      next.delimiters.repetition = rep;
    }
  }
  pos_ += kIsaLength + 1;
  // A terminator followed by a line break: the writer of the acknowledgments does the same.
  next.delimiters.newline_after_segment = pos_ < buf_.size() && (buf_[pos_] == '\n' || buf_[pos_] == '\r') && term != '\n';
  isa_ = std::move(next);
  state_ = State::kInterchange;
  groups_in_isa_ = 0;
  if (!all_digits(isa_.control) || isa_.control.size() != 9) {
    diag("ISA13 interchange control number '" + printable(isa_.control) + "' is not 9 digits");
  }
  if (isa_.version != "00401" && isa_.version != "00501") {
    diag("ISA12 version '" + printable(isa_.version) + "' is neither 00401 nor 00501; read as " +
         (isa_.version >= "00501" ? "00501" : "00401"));
  }
  h_.interchange_start(isa_);
  return true;
}

Segment X12Reader::split(std::string_view text) const {
  Segment s;
  const char sep = isa_.delimiters.element;
  std::size_t start = 0;
  while (true) {
    const std::size_t e = text.find(sep, start);
    if (e == std::string_view::npos) {
      s.elements.emplace_back(text.substr(start));
      break;
    }
    s.elements.emplace_back(text.substr(start, e - start));
    start = e + 1;
  }
  // Trailing CR/LF inside a segment (a terminator followed by CRLF is handled in scan; a
  // newline terminator after CR leaves a CR).
  auto& last = s.elements.back();
  while (!last.empty() && (last.back() == '\r' || last.back() == '\n')) last.pop_back();
  s.file_segment = file_segment_;
  return s;
}

void X12Reader::segment(std::string_view text) {
  if (text.size() >= 3 && text.substr(0, 3) == "ISA" && (text.size() == 3 || !std::isalnum(static_cast<unsigned char>(text[3])))) {
    // A new interchange without the IEA of the previous one: re-read it as an ISA.
    pos_ -= text.size() + 1;
    diag("ISA " + isa_.control + " has no IEA trailer before the next ISA");
    close_interchange(false);
    return;
  }
  ++file_segment_;
  Segment seg = split(text);
  const std::string& tag = seg.tag();
  if (tag == "IEA") {
    if (in_group_) close_group(false);
    bool ok = true;
    if (seg.el(2) != isa_.control) {
      diag("IEA02 '" + printable(seg.el(2)) + "' does not match ISA13 '" + isa_.control + "'");
      ok = false;
    }
    if (seg.el(1) != std::to_string(groups_in_isa_)) {
      diag("IEA01 says " + printable(seg.el(1)) + " functional groups; the interchange has " +
           std::to_string(groups_in_isa_));
      ok = false;
    }
    close_interchange(ok);
    return;
  }
  if (tag == "GS") {
    if (in_set_) close_set(false);
    if (in_group_) close_group(false);
    in_group_ = true;
    ++groups_in_isa_;
    gs_ = Group{seg.el(1), trim(seg.el(2)), trim(seg.el(3)), seg.el(4), seg.el(5), seg.el(6), seg.el(8), groups_in_isa_};
    group_end_ = GroupEnd{};
    set_controls_.clear();
    if (!all_digits(gs_.control) || gs_.control.size() > 9) group_end_.errors.push_back(kGroupControlSyntax);
    if (gs_.version.rfind("00401", 0) != 0 && gs_.version.rfind("00501", 0) != 0) {
      group_end_.errors.push_back(kGroupVersionNotSupported);
    }
    h_.group_start(isa_, gs_);
    return;
  }
  if (tag == "GE") {
    if (!in_group_) {
      diag("GE without a GS");
      return;
    }
    if (in_set_) close_set(false);
    group_end_.claimed_sets = seg.el(1);
    if (seg.el(2) != gs_.control) group_end_.errors.push_back(kGroupControlMismatch);
    if (seg.el(1) != std::to_string(group_end_.sets_received)) group_end_.errors.push_back(kGroupCountMismatch);
    close_group(true);
    return;
  }
  if (!in_group_) {
    diag("segment " + printable(tag) + " outside a functional group (GS..GE): ignored");
    return;
  }
  if (tag == "ST") {
    if (in_set_) close_set(false);
    in_set_ = true;
    ++group_end_.sets_received;
    set_ = TransactionSet{seg.el(1), seg.el(2), seg.el(3), {}, {}};
    if (set_.id.size() != 3 || !all_digits(set_.id)) set_.errors.push_back(kSetBadId);
    if (set_.control.size() < 4 || set_.control.size() > 9) set_.errors.push_back(kSetBadControl);
    else if (!set_controls_.insert(set_.control).second) set_.errors.push_back(kSetControlNotUnique);
    seg.position = 1;
    set_.segments.push_back(std::move(seg));
    return;
  }
  if (!in_set_) {
    diag("segment " + printable(tag) + " between transaction sets (not in ST..SE): ignored");
    return;
  }
  seg.position = set_.segments.size() + 1;
  if (tag == "SE") {
    if (seg.el(2) != set_.control) set_.errors.push_back(kSetControlMismatch);
    if (seg.el(1) != std::to_string(seg.position)) set_.errors.push_back(kSetCountMismatch);
    set_.segments.push_back(std::move(seg));
    close_set(true);
    return;
  }
  if (set_.segments.size() >= kMaxSetSegments) {
    if (set_.segments.size() == kMaxSetSegments) {
      diag("transaction set " + set_.control + " has more than " + std::to_string(kMaxSetSegments) +
           " segments: rejected");
      set_.errors.push_back(kSetSegmentsInError);
      set_.segments.push_back(std::move(seg));
    }
    return;
  }
  set_.segments.push_back(std::move(seg));
}

void X12Reader::close_set(bool trailer_present) {
  if (!trailer_present) set_.errors.push_back(kSetTrailerMissing);
  in_set_ = false;
  h_.transaction(isa_, gs_, set_);
  set_ = TransactionSet{};
}

void X12Reader::close_group(bool trailer_present) {
  if (in_set_) close_set(false);
  if (!trailer_present) group_end_.errors.push_back(kGroupTrailerMissing);
  group_end_.trailer_present = trailer_present;
  in_group_ = false;
  h_.group_end(isa_, gs_, group_end_);
}

void X12Reader::close_interchange(bool trailer_ok) {
  if (in_group_) close_group(false);
  state_ = State::kSeekIsa;
  h_.interchange_end(isa_, trailer_ok);
}

void X12Reader::finish() {
  scan();
  if (state_ == State::kInterchange) {
    const std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
    if (!rest.empty()) {
      // The last segment has no terminator: read it anyway, then report the truncation.
      pos_ = buf_.size();
      std::string_view trimmed = rest;
      while (!trimmed.empty() && is_space(trimmed.back())) trimmed.remove_suffix(1);
      if (!trimmed.empty()) {
        diag("the input ends inside a segment (no terminator after '" + printable(trimmed) + "')");
        segment(trimmed);
        if (state_ == State::kSeekIsa && pos_ < buf_.size()) {
          diag("the input ends inside an ISA segment (truncated)");
          pos_ = buf_.size();
        }
      }
    }
    if (state_ == State::kInterchange) {
      diag("the input ends before the IEA of interchange " + isa_.control + " (truncated)");
      close_interchange(false);
    }
  } else {
    if (pos_ < buf_.size()) {
      garbage_ += buf_.size() - pos_;
      if (garbage_at_ == 0) garbage_at_ = offset_ + pos_;
    }
    if (garbage_ > 0) {
      ++errors_;
      h_.diagnostic(Diagnostic{0, garbage_at_, "skipped " + std::to_string(garbage_) +
                                                   " bytes that are not an X12 interchange (no ISA segment)"});
      garbage_ = 0;
    }
  }
  buf_.clear();
  pos_ = 0;
}

}  // namespace credo::edi
