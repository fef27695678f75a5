// libFuzzer target for the request parser (net/codec.h): any bytes in, never a crash, a hang or
// a sanitizer report, and these properties hold:
//   - parse() succeeds only on valid JSON, and BAD_REQUEST / UNKNOWN_OP only on valid JSON
//     (broken JSON is always BAD_JSON, whatever field the parser met first);
//   - a failure has one of the edge's codes: BAD_JSON, BAD_REQUEST or UNKNOWN_OP;
//   - the echoed id and every response line the codec writes are valid JSON.
// Build and run: fuzz/build_and_run.sh request (the suite's run); scripts/fuzz.sh to explore
#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "net/codec.h"

namespace {

// The reference: simdjson's DOM parser, which validates the whole document. It also refuses
// integers beyond uint64 (valid JSON) with NUMBER_ERROR, the same code as for malformed
// numbers, so NUMBER_ERROR counts as "could be either".
enum class Verdict { valid, invalid, unsure };
Verdict check(simdjson::dom::parser& p, std::string_view s) {
  simdjson::dom::element e;
  auto err = p.parse(s.data(), s.size()).get(e);
  if (err == simdjson::SUCCESS) return Verdict::valid;
  if (err == simdjson::NUMBER_ERROR) return Verdict::unsure;
  return Verdict::invalid;
}
bool valid_json(simdjson::dom::parser& p, std::string_view s) {
  return check(p, s) != Verdict::invalid;
}

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "property violated: %s\ninput: %.*s\n", what, static_cast<int>(input.size()),
               input.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace credo;
  using namespace credo::net;
  // One parser and request reused across inputs, as a server connection reuses them: that
  // also fuzzes the reuse of buffers.
  static RequestParser parser;
  static Request req;
  static simdjson::dom::parser checker;
  Error err;

  std::string buf(reinterpret_cast<const char*>(data), size);
  buf.resize(size + kParsePadding, '\0');
  const std::string_view line(buf.data(), size);
  const bool ok = parser.parse(line, req, err);

  if (ok) {
    if (err.code != ErrorCode::OK) fail("ok with an error code", line);
    if (!valid_json(checker, line)) fail("accepted invalid JSON", line);
  } else if (err.code == ErrorCode::BAD_REQUEST || err.code == ErrorCode::UNKNOWN_OP) {
    if (!valid_json(checker, line)) fail("BAD_REQUEST/UNKNOWN_OP on invalid JSON", line);
  } else if (err.code != ErrorCode::BAD_JSON) {
    fail("unexpected error code", line);
  }
  if (!req.id_json.empty() && !valid_json(checker, req.id_json)) fail("id_json is not JSON", line);

  std::string out;
  if (ok) {
    write_ok(out, req.id_json);
  } else {
    write_error(out, req.id_json, err);
  }
  if (out.empty() || out.back() != '\n') fail("response is not one line", line);
  out.pop_back();
  if (!valid_json(checker, out)) fail("response is not JSON", line);
  return 0;
}
