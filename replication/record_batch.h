// A batch of journal records as one JetStream message (docs/replication.md "Messages"): the
// records are exactly the WAL's (docs/wal_format.md "Record": length, body CRC, header CRC,
// body), concatenated, so a standby checks the same checksums recovery checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/command.h"

namespace credo::replication {

// Decodes every record of `data` into *out (appended, in order). False with *error on a bad
// length, a checksum mismatch or a body that does not decode; *out then holds the records
// before the bad one.
bool decode_batch(std::string_view data, std::vector<Command>* out, std::string* error);

}  // namespace credo::replication
