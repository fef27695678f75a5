// The request parser's typed JSON readers (net/request_parser.cc): one value of each wire type
// read from simdjson's on-demand API, checked against its range or syntax, with the BAD_REQUEST
// or BAD_JSON error (its field path, e.g. "orders[3].lines[2].qty") set when it does not fit.
// Included only by net/request_parser.cc, which is compiled once per simdjson kernel
// (net/parse_kernel.h): the reader lives in that kernel's namespace, so the copies never clash.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/limits.h"
#include "engine/result.h"
#include "engine/types.h"
#include "net/json_writer.h"
#include "net/parse_kernel.h"

namespace credo::net::CREDO_PARSE_KERNEL {

namespace od = simdjson::ondemand;

struct JsonReader {
  Error* err = nullptr;
  // Where we are, for error fields like "orders[3].lines[2].qty". Names are literals.
  struct Segment {
    std::string_view name;
    std::size_t index;
  };
  std::array<Segment, 4> path{};
  int path_len = 0;

  // ---- errors ----
  std::string field_name(std::string_view leaf) const {
    std::string f;
    for (int i = 0; i < path_len; i++) {
      f.append(path[i].name);
      f.push_back('[');
      append_uint(f, path[i].index);
      f.push_back(']');
      if (i + 1 < path_len || !leaf.empty()) f.push_back('.');
    }
    f.append(leaf);
    return f;
  }
  bool bad(std::string_view leaf, std::string_view why) {
    err->code = ErrorCode::BAD_REQUEST;
    err->field = field_name(leaf);
    err->message.assign(err->field);
    err->message.append(": ");
    err->message.append(why);
    return false;
  }
  bool bad_json(std::string_view why) {
    err->code = ErrorCode::BAD_JSON;
    err->field.clear();
    err->message.assign("not a valid JSON object: ");
    err->message.append(why);
    return false;
  }
  bool json_error(simdjson::error_code e) { return bad_json(simdjson::error_message(e)); }

  // ---- typed readers: each returns false with err set ----
  bool read_type(od::value& v, od::json_type& t) {
    if (auto e = v.type().get(t)) return json_error(e);
    return true;
  }
  bool read_string(od::value& v, std::string_view leaf, std::string_view& s) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::string) return bad(leaf, "must be a string");
    if (auto e = v.get_string().get(s)) return json_error(e);
    return true;
  }
  bool read_key(od::value& v, std::string_view leaf, Key& k) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    if (!Key::valid(s)) return bad(leaf, "must be " + limits::key_text() + ", no spaces");
    k = Key::of(s);
    return true;
  }
  bool read_text(od::value& v, std::string_view leaf, std::size_t max_len, std::string& text) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    if (s.size() > max_len)
      return bad(leaf, "must be at most " + std::to_string(max_len) + " bytes");
    text.assign(s);
    return true;
  }
  // A JSON integer in [lo, hi]. Fractions, exponents and values beyond int64 are BAD_REQUEST
  // (docs/protocol.md "Values": money is never a float).
  bool read_int(od::value& v, std::string_view leaf, int64_t lo, int64_t hi, int64_t& out_value) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::number) return bad(leaf, "must be an integer");
    if (v.get_int64().get(out_value)) {
      double d;
      if (auto e = v.get_double().get(d)) return json_error(e);
      return bad(leaf, "must be an integer (no fraction or exponent, within int64)");
    }
    if (out_value < lo || out_value > hi) {
      std::string why = "must be an integer from ";
      append_int(why, lo);
      why.append(" to ");
      append_int(why, hi);
      return bad(leaf, why);
    }
    return true;
  }
  bool read_bool(od::value& v, std::string_view leaf, bool& b) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::boolean) return bad(leaf, "must be true or false");
    if (auto e = v.get_bool().get(b)) return json_error(e);
    return true;
  }
  bool read_date(od::value& v, std::string_view leaf, Day& d) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    auto day = parse_date(s);
    if (!day) return bad(leaf, "must be a real date \"YYYY-MM-DD\"");
    d = *day;
    return true;
  }
  template <typename E>
  bool read_enum(od::value& v, std::string_view leaf, std::string_view allowed, E& e) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    if (!credo::parse(s, &e)) return bad(leaf, "must be one of " + std::string(allowed));
    return true;
  }
  bool read_array(od::value& v, std::string_view leaf, od::array& a) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::array) return bad(leaf, "must be an array");
    if (auto e = v.get_array().get(a)) return json_error(e);
    return true;
  }
  bool read_object(od::value& v, std::string_view leaf, od::object& o) {
    od::json_type t{};
    if (!read_type(v, t)) return false;
    if (t != od::json_type::object) return bad(leaf, "must be an object");
    if (auto e = v.get_object().get(o)) return json_error(e);
    return true;
  }

  bool read_time(od::value& v, std::string_view leaf, TimeMs& t) {
    std::string_view s;
    if (!read_string(v, leaf, s)) return false;
    auto parsed = parse_time(s);
    if (!parsed) return bad(leaf, "must be an ISO-8601 UTC time \"YYYY-MM-DDTHH:MM:SS[.fff]Z\"");
    t = *parsed;
    return true;
  }

};

}  // namespace credo::net::CREDO_PARSE_KERNEL
