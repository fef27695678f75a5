#include "edi/edifact_reader.h"

#include <algorithm>
#include <cctype>

namespace credo::edi {

namespace {
const std::string kEmpty;
bool blank(char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; }
}  // namespace

const std::string& EdifactSegment::c(std::size_t i, std::size_t j) const {
  if (i >= data.size() || j == 0 || j > data[i].size()) return kEmpty;
  return data[i][j - 1];
}

std::string detect_syntax(std::string_view head) {
  std::size_t i = 0;
  while (i < head.size() && (blank(head[i]) || head[i] == '\xef' || head[i] == '\xbb' || head[i] == '\xbf')) ++i;
  head = head.substr(i);
  if (head.size() < 3) return "";
  if (head.starts_with("ISA")) return "x12";
  if (head.starts_with("UNA") || head.starts_with("UNB")) return "edifact";
  return "";
}

EdifactSegment EdifactReader::split(std::string_view text) const {
  const EdifactDelimiters& d = unb_.delimiters;
  EdifactSegment s;
  s.data.emplace_back(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == d.release && i + 1 < text.size()) {
      s.data.back().back() += text[++i];
    } else if (ch == d.element) {
      s.data.emplace_back(1);
    } else if (ch == d.component) {
      s.data.back().emplace_back();
    } else {
      s.data.back().back() += ch;
    }
  }
  return s;
}

void EdifactReader::diag(std::string message) {
  ++errors_;
  h_.diagnostic(EdifactDiagnostic{file_segment_, offset_ + pos_, std::move(message)});
}

void EdifactReader::feed(std::string_view bytes) {
  buf_.append(bytes);
  scan();
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    offset_ += pos_;
    pos_ = 0;
  }
}

bool EdifactReader::take_una() {
  // UNA then six service characters: component, element, decimal, release, reserved, terminator.
  if (buf_.size() - pos_ < 9) return false;
  EdifactDelimiters d;
  d.component = buf_[pos_ + 3];
  d.element = buf_[pos_ + 4];
  d.decimal = buf_[pos_ + 5];
  d.release = buf_[pos_ + 6];
  d.repetition = buf_[pos_ + 7];
  d.segment = buf_[pos_ + 8];
  ++file_segment_;
  const char distinct[] = {d.component, d.element, d.release, d.segment};
  bool ok = true;
  for (int a = 0; a < 4; ++a) {
    if (std::isalnum(static_cast<unsigned char>(distinct[a])) != 0 || blank(distinct[a])) ok = false;
    for (int b = a + 1; b < 4; ++b) ok = ok && distinct[a] != distinct[b];
  }
  if (!ok) {
    diag("UNA service characters must be distinct non-alphanumeric characters: UNA ignored");
    pos_ += 9;
    return true;
  }
  next_ = d;
  next_una_ = true;
  pos_ += 9;
  return true;
}

void EdifactReader::scan() {
  while (pos_ < buf_.size()) {
    if (state_ == State::kSeek) {
      while (pos_ < buf_.size() && blank(buf_[pos_])) ++pos_;
      if (buf_.size() - pos_ < 3) return;
      if (buf_.compare(pos_, 3, "UNA") == 0) {
        if (garbage_ > 0) {
          diag(std::to_string(garbage_) + " byte(s) before the interchange ignored");
          garbage_ = 0;
        }
        if (!take_una()) return;
        continue;
      }
      if (buf_.compare(pos_, 3, "UNB") == 0) {
        if (garbage_ > 0) {
          diag(std::to_string(garbage_) + " byte(s) before the interchange ignored");
          garbage_ = 0;
        }
        unb_.delimiters = next_;
        state_ = State::kInterchange;
        continue;
      }
      if (garbage_ == 0) garbage_at_ = offset_ + pos_;
      ++garbage_;
      ++pos_;
      continue;
    }
    // A segment: up to the terminator that no release character escapes.
    const EdifactDelimiters& d = unb_.delimiters;
    std::size_t i = pos_;
    bool found = false;
    while (i < buf_.size()) {
      const char ch = buf_[i];
      if (ch == d.release) {
        if (i + 1 >= buf_.size()) break;
        i += 2;
        continue;
      }
      if (ch == d.segment) {
        found = true;
        break;
      }
      ++i;
    }
    if (!found) {
      if (buf_.size() - pos_ > kMaxSegmentBytes) {
        diag("segment longer than " + std::to_string(kMaxSegmentBytes) + " bytes (no terminator '" +
             std::string(1, d.segment) + "'): the rest of the input ignored");
        if (in_message_) close_message(false);
        close_interchange(false, nullptr);
        pos_ = buf_.size();
        state_ = State::kSeek;
        garbage_ = 0;
      }
      return;
    }
    std::string_view text(buf_.data() + pos_, i - pos_);
    pos_ = i + 1;
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    if (text.empty()) continue;
    ++file_segment_;
    segment(text);
  }
}

void EdifactReader::start_interchange(const EdifactSegment& seg) {
  const EdifactDelimiters d = unb_.delimiters;
  unb_ = EdifactInterchange{d, next_una_, seg.c(1, 1), seg.c(1, 2), seg.c(2, 1), seg.c(2, 2), seg.c(3, 1),
                            seg.c(3, 2), seg.c(4, 1), seg.c(4, 2), seg.c(5, 1), seg.c(11, 1), unb_.index + 1};
  next_ = EdifactDelimiters{};
  next_una_ = false;
  end_ = EdifactEnd{};
  groups_ = 0;
  const bool syntax_ok = unb_.syntax_id.size() == 4 && unb_.syntax_id.starts_with("UNO") &&
                         (unb_.syntax_version == "1" || unb_.syntax_version == "2" ||
                          unb_.syntax_version == "3" || unb_.syntax_version == "4");
  if (!syntax_ok) {
    end_.errors.push_back(kEdiSyntaxNotSupported);
    diag("UNB syntax identifier '" + unb_.syntax_id + ":" + unb_.syntax_version + "' is not UNOx:1-4");
  }
  if (unb_.sender_id.empty() || unb_.recipient_id.empty() || unb_.control.empty()) {
    end_.errors.push_back(kEdiMissing);
    diag("UNB without sender, recipient or control reference");
  }
  h_.interchange_start(unb_);
}

void EdifactReader::segment(std::string_view text) {
  EdifactSegment seg = split(text);
  seg.file_segment = file_segment_;
  const std::string tag = seg.tag();
  if (tag == "UNB") {
    if (!opened_) {
      opened_ = true;
      start_interchange(seg);
      return;
    }
    diag("UNB before the UNZ of interchange " + unb_.control + ": UNZ missing");
    if (in_message_) close_message(false);
    close_interchange(false, nullptr);
    state_ = State::kInterchange;  // the UNB keeps the delimiters it was read with
    opened_ = true;
    start_interchange(seg);
    return;
  }
  if (!opened_) {
    // A UNA inside an interchange, or anything before its UNB.
    diag("segment " + tag + " before the UNB: ignored");
    return;
  }
  if (tag == "UNH") {
    if (in_message_) close_message(false);
    in_message_ = true;
    ++end_.messages;
    msg_ = EdifactMessage{};
    msg_.reference = seg.c(1);
    msg_.type = seg.c(2, 1);
    msg_.version = seg.c(2, 2);
    msg_.release = seg.c(2, 3);
    msg_.agency = seg.c(2, 4);
    if (msg_.reference.empty() || msg_.type.empty()) {
      msg_.errors.push_back(kEdiMissing);
      msg_.error_tag = "UNH";
    }
    seg.position = 1;
    msg_.segments.push_back(std::move(seg));
    return;
  }
  if (tag == "UNT") {
    if (!in_message_) {
      diag("UNT without a UNH: ignored");
      return;
    }
    seg.position = msg_.segments.size() + 1;
    const std::string count = seg.c(1), ref = seg.c(2);
    if (count != std::to_string(seg.position)) {
      msg_.errors.push_back(kEdiCountDiffers);
      if (msg_.error_tag.empty()) msg_.error_tag = "UNT";
    }
    if (ref != msg_.reference) {
      msg_.errors.push_back(kEdiReferencesDiffer);
      if (msg_.error_tag.empty()) msg_.error_tag = "UNT";
    }
    msg_.segments.push_back(std::move(seg));
    close_message(true);
    return;
  }
  if (tag == "UNZ") {
    if (in_message_) close_message(false);
    close_interchange(true, &seg);
    return;
  }
  if (tag == "UNG") {
    if (in_message_) close_message(false);
    ++groups_;
    return;
  }
  if (tag == "UNE") {
    if (in_message_) close_message(false);
    return;
  }
  if (!in_message_) {
    diag("segment " + tag + " outside a message: ignored");
    return;
  }
  if (msg_.segments.size() >= kMaxMessageSegments) {
    if (msg_.segments.size() == kMaxMessageSegments) {
      msg_.errors.push_back(kEdiUnspecified);
      diag("message " + msg_.reference + " has more than " + std::to_string(kMaxMessageSegments) + " segments");
      msg_.segments.back().position = 0;  // marks the overflow once
    }
    return;
  }
  seg.position = msg_.segments.size() + 1;
  msg_.segments.push_back(std::move(seg));
}

void EdifactReader::close_message(bool trailer_present) {
  if (!trailer_present) {
    msg_.errors.push_back(kEdiMissing);
    if (msg_.error_tag.empty()) msg_.error_tag = "UNT";
    diag("message " + msg_.reference + " has no UNT");
  }
  in_message_ = false;
  h_.message(unb_, msg_);
  msg_ = EdifactMessage{};
}

void EdifactReader::close_interchange(bool trailer_present, const EdifactSegment* unz) {
  end_.trailer_present = trailer_present;
  if (!trailer_present) {
    end_.errors.push_back(kEdiMissing);
    diag("interchange " + unb_.control + " has no UNZ");
  } else if (unz != nullptr) {
    const std::size_t expected = groups_ > 0 ? groups_ : end_.messages;
    if (unz->c(1) != std::to_string(expected)) {
      end_.errors.push_back(kEdiCountDiffers);
      diag("UNZ count " + unz->c(1) + ", interchange has " + std::to_string(expected));
    }
    if (unz->c(2) != unb_.control) {
      end_.errors.push_back(kEdiReferencesDiffer);
      diag("UNZ reference " + unz->c(2) + " differs from UNB's " + unb_.control);
    }
  }
  if (end_.messages == 0 && std::find(end_.errors.begin(), end_.errors.end(), kEdiLowerLevelEmpty) == end_.errors.end()) {
    end_.errors.push_back(kEdiLowerLevelEmpty);
  }
  h_.interchange_end(unb_, end_);
  opened_ = false;
  state_ = State::kSeek;
}

void EdifactReader::finish() {
  if (state_ == State::kInterchange) {
    std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
    while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
    if (!rest.empty()) diag("input ends inside a segment (" + std::to_string(rest.size()) + " bytes without a terminator)");
    pos_ = buf_.size();
    if (opened_) {
      if (in_message_) close_message(false);
      close_interchange(false, nullptr);
    }
    state_ = State::kSeek;
  } else if (garbage_ > 0 || buf_.size() > pos_) {
    const std::size_t n = garbage_ + (buf_.size() - pos_);
    std::size_t k = pos_;
    while (k < buf_.size() && blank(buf_[k])) ++k;
    if (garbage_ > 0 || k < buf_.size()) diag(std::to_string(n) + " byte(s) without an interchange ignored");
    garbage_ = 0;
    pos_ = buf_.size();
  }
}

}  // namespace credo::edi
