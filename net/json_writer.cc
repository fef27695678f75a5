#include "net/json_writer.h"

#include <cassert>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace credo::net {

namespace {

// Which bytes need escaping: the quote, the backslash and the control characters.
constexpr bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < s.size(); i++) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    // Copy the plain run in one go; escapes are rare.
    out.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out.append(esc, sizeof esc);
      }
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_uint(std::string& out, uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

std::size_t JsonWriter::key_into(char* buf, std::string_view k) {
  // A key is an element of its object as far as commas go.
  assert(!after_key_);
  // Why abort: keys are our own short literals; a long one is a bug, never input.
  if (k.size() > 64) std::abort();
  std::size_t n = 0;
  if (depth_ > 0) {
    if (!first_[depth_]) buf[n++] = ',';
    first_[depth_] = false;
  }
  buf[n++] = '"';
  std::memcpy(buf + n, k.data(), k.size());
  n += k.size();
  buf[n++] = '"';
  buf[n++] = ':';
  return n;
}

// Why local buffers: one append instead of four, each with its own capacity check; keys and
// integers are most of what a response is made of.
void JsonWriter::key(std::string_view k) {
  char buf[72];
  out_.append(buf, key_into(buf, k));
  after_key_ = true;
}

void JsonWriter::field(std::string_view k, int64_t v) {
  char buf[72 + 24];
  std::size_t n = key_into(buf, k);
  n = static_cast<std::size_t>(std::to_chars(buf + n, buf + sizeof buf, v).ptr - buf);
  out_.append(buf, n);
}

void JsonWriter::field(std::string_view k, uint64_t v) {
  char buf[72 + 24];
  std::size_t n = key_into(buf, k);
  n = static_cast<std::size_t>(std::to_chars(buf + n, buf + sizeof buf, v).ptr - buf);
  out_.append(buf, n);
}

void JsonWriter::open(char c) {
  separate();
  // Why abort and not return an error: nesting depth is fixed by our own response shapes, so
  // overflowing it is a bug in this file's callers, never bad input.
  if (depth_ >= kMaxDepth) std::abort();
  out_.push_back(c);
  depth_++;
  first_[depth_] = true;
}

void JsonWriter::close(char c) {
  if (depth_ <= 0 || after_key_) std::abort();
  out_.push_back(c);
  depth_--;
}

}  // namespace credo::net
