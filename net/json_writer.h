// An append-only JSON writer over std::string, for response lines. No iostreams, no
// allocation once the output string has capacity: integers go through std::to_chars, times
// through credo::append_time, strings are escaped per RFC 8259.
//
// The writer tracks commas itself, so callers only say what goes in:
//
//   JsonWriter w(out);
//   w.begin_object();
//   w.field("ok", true);
//   w.key("lines"); w.begin_array(); ... w.end_array();
//   w.end_object();
//
// Nesting is bounded by kMaxDepth (responses nest at most ~6 deep); deeper is a programmer
// error and asserts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/types.h"

namespace credo::net {

// Appends `s` as a JSON string literal (with the quotes) to `out`. Escapes '"', '\\' and every
// control character below 0x20 (as \n, \t, ... or \u00XX). Bytes >= 0x80 are copied as they
// are: REQUIRES `s` is valid UTF-8 (everything the codec hands out was validated on the way in).
void append_json_string(std::string& out, std::string_view s);
// Appends the decimal form of `v`.
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);

class JsonWriter {
 public:
  static constexpr int kMaxDepth = 32;

  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // Writes `"k":` (with a leading comma where needed). REQUIRES: inside an object, and `k`
  // needs no escaping (all keys are our own literals).
  void key(std::string_view k);

  // Values: as an array element, or as the value after key().
  void value(std::string_view s) {
    separate();
    append_json_string(out_, s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(int64_t v) {
    separate();
    append_int(out_, v);
  }
  void value(int32_t v) { value(static_cast<int64_t>(v)); }
  void value(uint64_t v) {
    separate();
    append_uint(out_, v);
  }
  void value(uint32_t v) { value(static_cast<uint64_t>(v)); }
  void value(bool b) {
    separate();
    out_.append(b ? "true" : "false");
  }
  void null() {
    separate();
    out_.append("null");
  }
  // Already-serialized JSON (e.g. an echoed request id). REQUIRES: `json` is one valid value.
  void raw(std::string_view json) {
    separate();
    out_.append(json);
  }
  void time(TimeMs t) {
    separate();
    out_.push_back('"');
    append_time(out_, t);
    out_.push_back('"');
  }
  void date(Day d) {
    separate();
    out_.push_back('"');
    append_date(out_, d);
    out_.push_back('"');
  }

  // key(k) followed by value(v). Integer fields are written with a single append.
  template <typename T>
  void field(std::string_view k, T v) {
    key(k);
    value(v);
  }
  void field(std::string_view k, int64_t v);
  void field(std::string_view k, int32_t v) { field(k, static_cast<int64_t>(v)); }
  void field(std::string_view k, uint64_t v);
  void field(std::string_view k, uint32_t v) { field(k, static_cast<uint64_t>(v)); }
  void field_time(std::string_view k, TimeMs t) {
    key(k);
    time(t);
  }
  void field_date(std::string_view k, Day d) {
    key(k);
    date(d);
  }
  void field_null(std::string_view k) {
    key(k);
    null();
  }
  void field_raw(std::string_view k, std::string_view json) {
    key(k);
    raw(json);
  }

  // Depth 0 means every opened object and array was closed.
  int depth() const { return depth_; }

 private:
  // Writes `,"k":` (comma where needed) into `buf`, returns the length. REQUIRES k.size() <= 64.
  std::size_t key_into(char* buf, std::string_view k);
  void open(char c);
  void close(char c);
  // Emits the comma before an element, unless it is the first one or follows a key.
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ > 0) {
      if (!first_[depth_]) out_.push_back(',');
      first_[depth_] = false;
    }
  }

  std::string& out_;
  int depth_ = 0;
  bool after_key_ = false;
  bool first_[kMaxDepth + 1] = {};
};

}  // namespace credo::net
