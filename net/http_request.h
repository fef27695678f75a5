// From an HTTP request to the request line the TCP edge would have read (docs/http.md): the
// route's `{field}` segments and the query string's parameters fill body fields by name, the
// JSON body fills the rest, and the result goes through the same RequestParser as a TCP line,
// so validation and error messages are the TCP edge's, word for word.
#pragma once

#include <string>
#include <string_view>

#include "engine/result.h"
#include "net/http_routes.h"

namespace credo::net {

// Writes {"op":"<op>",<params...>,<the body's members>} into `out`. `query` is the part of the
// target after '?' (may be empty). `idempotency_key`, when not empty and the op is
// submit_order and the body has no client_order_id, becomes client_order_id. Returns false
// with `err` (BAD_JSON, BAD_REQUEST) when the body is not a JSON object or the query string is
// malformed; everything else is left to the parser.
bool build_request_line(const RouteMatch& route, std::string_view query, std::string_view body,
                        std::string_view idempotency_key, std::string& out, Error& err);

}  // namespace credo::net
