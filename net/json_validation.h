// The request parser's error path: whether a value is valid JSON all the way down.
//
// Why it exists: on-demand parsing only checks what it reads, so a BAD_REQUEST found early could
// hide broken JSON later in the line. Before the parser answers BAD_REQUEST or UNKNOWN_OP it walks
// the rest of the document with this; invalid JSON anywhere turns the answer into BAD_JSON, so the
// error code never depends on field order. Never on the success path.
#pragma once

#include <simdjson.h>

namespace credo::net {

// True iff `v` and everything in it is valid JSON, nested at most 256 deep (deeper is invalid).
bool json_value_valid(simdjson::ondemand::value v, int depth = 1);

}  // namespace credo::net
