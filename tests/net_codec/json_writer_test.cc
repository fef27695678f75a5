// JsonWriter: commas, escaping and number formatting.
#include "net/json_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace credo::net {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(escaped("plain"), R"("plain")");
  EXPECT_EQ(escaped(""), R"("")");
  EXPECT_EQ(escaped("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(escaped("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(escaped(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  EXPECT_EQ(escaped("\x7f"), "\"\x7f\"");
  EXPECT_EQ(escaped("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
}

TEST(JsonWriter, FormatsIntegersExactly) {
  std::string out;
  append_int(out, INT64_MIN);
  out.push_back(' ');
  append_int(out, INT64_MAX);
  out.push_back(' ');
  append_uint(out, UINT64_MAX);
  out.push_back(' ');
  append_int(out, 0);
  EXPECT_EQ(out, "-9223372036854775808 9223372036854775807 18446744073709551615 0");
}

TEST(JsonWriter, PlacesCommasBetweenMembersAndElements) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("a", int64_t{1});
  w.key("b");
  w.begin_array();
  w.value(int64_t{1});
  w.value("x");
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.null();
  w.end_array();
  w.field("c", true);
  w.field_null("d");
  w.field_raw("e", "\"raw\"");
  w.field_date("f", 0);
  w.field_time("g", 1'000);
  w.end_object();
  EXPECT_EQ(w.depth(), 0);
  EXPECT_EQ(out, R"({"a":1,"b":[1,"x",{},[],null],"c":true,"d":null,"e":"raw","f":"1970-01-01",)"
                 R"("g":"1970-01-01T00:00:01.000Z"})");
}

}  // namespace
}  // namespace credo::net
