#include "net/http_local.h"

#include "engine/result.h"
#include "net/http_openapi.h"
#include "net/http_response.h"
#include "net/http_static.h"
#include "net/io_shared.h"
#include "net/json_writer.h"
#include "net/metrics.h"
#include "net/server_responses.h"

namespace credo::net {
namespace {

// {"ok":false,"reason":"..."} with 503: /readyz's refusal.
void not_ready(std::string& out, std::string_view reason, std::string_view extra_headers) {
  std::string body = "{\"ok\":false,\"reason\":";
  append_json_string(body, reason);
  body.append("}\n");
  append_http_response(out, 503, extra_headers, body, false);
}

}  // namespace

bool serve_local(const IoShared& shared, std::string& out, std::string_view method,
                 std::string_view path, std::string_view if_none_match, ErrorCode* code) {
  *code = ErrorCode::OK;
  if (path == "/metrics") {
    const std::string text = render_metrics(shared.counters, shared.log, shared.engine.queued());
    append_http_response(out, 200, {}, text, false, kMetricsContentType);
    return true;
  }
  if (path == "/healthz") {
    append_http_response(out, 200, {}, "{\"ok\":true}\n", false);
    return true;
  }
  if (path == "/readyz") {
    std::string why;
    if (shared.log.failed(&why)) {
      not_ready(out, "the journal has failed: " + why, "Retry-After: 1\r\n");
    } else if (std::string primary; shared.log.standby(&primary)) {
      // A standby serves reads but does not accept changes: not ready for a load balancer that
      // sends writes (docs/replication.md).
      not_ready(out, primary.empty() ? "not the primary" : "not the primary; the primary is " + primary,
                {});
    } else if (shared.draining) {
      not_ready(out, "shutting down", {});
    } else {
      append_http_response(out, 200, {}, "{\"ok\":true}\n", false);
    }
    return true;
  }
  if (path == "/v1/openapi.json") {
    if (method != "GET") {
      const Error e{ErrorCode::BAD_REQUEST, "method not allowed; allowed: GET", "", {}};
      std::string body;
      write_error(body, "", e);
      append_http_response(out, 405, "Allow: GET\r\n", body, false);
      *code = e.code;
      return true;
    }
    append_http_response(out, 200, {}, openapi_document(), false);
    return true;
  }
  return serve_console(out, method, path, if_none_match);
}

}  // namespace credo::net
