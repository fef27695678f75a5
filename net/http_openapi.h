// The OpenAPI 3 document of the HTTP edge, generated from the op table (engine/ops.h: routes,
// access) and the field descriptors (engine/fields.h: names, kinds, ranges, required), with an
// example per operation. Served at GET /v1/openapi.json; docs/openapi.json is the same bytes,
// checked by a test (regenerate with `credo-server --print-openapi > docs/openapi.json`).
#pragma once

#include <string>

namespace credo::net {

// The document (built once, then reused). Ends with '\n'.
const std::string& openapi_document();

}  // namespace credo::net
