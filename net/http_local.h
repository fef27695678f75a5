// The HTTP edge's own paths, answered on the I/O thread without the engine and without a key:
// /metrics (the Prometheus exposition), /healthz, /readyz, /v1/openapi.json and the web
// console's files under /console/ (docs/operations.md, docs/console.md). Bind the HTTP port
// where only the scraper and the staff reach it, or put TLS in front.
#pragma once

#include <string>
#include <string_view>

#include "engine/types.h"

namespace credo::net {

struct IoShared;

// False when `path` is none of the local paths (it goes to the op routes). Otherwise appends
// the whole response to `out` and sets *code to the error code of an error answer (OK for a
// success), for the metrics.
bool serve_local(const IoShared& shared, std::string& out, std::string_view method,
                 std::string_view path, std::string_view if_none_match, ErrorCode* code);

}  // namespace credo::net
