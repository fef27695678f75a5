// A parsed answer line of the line protocol, for assertions: Json(c.call(...)).ok(), .code(),
// .num("/credit/limit"). Absent values read as -1 / "" / 0 so a test can compare directly.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace credo::test {

class Json {
 public:
  explicit Json(std::string_view text);
  bool valid() const { return valid_; }
  bool ok() const;
  std::string code() const;                    // error.code, or ""
  std::string field() const;                   // error.field, or ""
  int64_t num(const char* pointer) const;      // JSON pointer, e.g. "/credit/limit"; -1 if absent
  std::string str(const char* pointer) const;  // "" if absent
  bool has(const char* pointer) const;
  std::size_t size(const char* pointer) const;  // array length, 0 if absent
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool valid_ = false;
};

}  // namespace credo::test
