// HTTP responses of the HTTP edge (docs/http.md "Status codes"): the body is the protocol's
// response object, the status says what its error code says.
#pragma once

#include <string>
#include <string_view>

#include "engine/result.h"
#include "net/answer.h"

namespace credo::net {

// The status for an error code: BAD_JSON/BAD_REQUEST 400, UNAUTHENTICATED 401, FORBIDDEN 403,
// NOT_FOUND/UNKNOWN_OP 404, INVALID_STATE/DUPLICATE 409, LINE_TOO_LONG 413, OVERLOADED 503,
// INTERNAL 500; OK 200 (a decided order is 200 whatever its decision).
unsigned http_status(ErrorCode code);

// Appends a whole response: status line, Content-Type (`content_type`, JSON unless said),
// Content-Length, `extra_headers` (each "Name: value\r\n"), "Connection: close" when `close`,
// and `body`.
void append_http_response(std::string& out, unsigned status, std::string_view extra_headers,
                          std::string_view body, bool close,
                          std::string_view content_type = "application/json");

// The headers an error adds: WWW-Authenticate for 401, Retry-After for 503.
std::string error_headers(ErrorCode code);

// Appends the response for an engine answer, or for an error found at the edge.
void append_answer_response(std::string& out, const Answer& a, bool close);
void append_error_response(std::string& out, const Error& e, std::string_view id_json, bool close,
                           std::string_view extra_headers = {});

}  // namespace credo::net
