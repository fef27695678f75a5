#include "tests/common/json_answer.h"

namespace credo::test {

Json::Json(std::string_view text) : text_(text) {
  valid_ = !parser_.parse(text_).get(root_);
}

bool Json::ok() const {
  bool b = false;
  return valid_ && !root_["ok"].get_bool().get(b) && b;
}

std::string Json::code() const {
  return str("/error/code");
}
std::string Json::field() const {
  return str("/error/field");
}

int64_t Json::num(const char* pointer) const {
  int64_t v = -1;
  if (!valid_ || root_.at_pointer(pointer).get_int64().get(v)) return -1;
  return v;
}

std::string Json::str(const char* pointer) const {
  std::string_view v;
  if (!valid_ || root_.at_pointer(pointer).get_string().get(v)) return "";
  return std::string(v);
}

bool Json::has(const char* pointer) const {
  return valid_ && root_.at_pointer(pointer).error() == simdjson::SUCCESS;
}

std::size_t Json::size(const char* pointer) const {
  simdjson::dom::array a;
  if (!valid_ || root_.at_pointer(pointer).get_array().get(a)) return 0;
  return a.size();
}

}  // namespace credo::test
