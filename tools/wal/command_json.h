// A journaled command as one line of JSON for `credo-wal dump`: seq, at (ISO-8601), principal,
// kind (the protocol's op name) and the command's fields under their protocol names.
#pragma once

#include <string>

#include "engine/command.h"

namespace credo {

void append_command_json(std::string& out, const Command& cmd);

}  // namespace credo
