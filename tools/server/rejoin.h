// A deposed primary rejoins as a standby (docs/replication.md "Fencing and self-demotion"):
// its engine holds changes the stream never acknowledged, which only a fresh start from the
// stream undoes. The server re-executes itself with --follow, on the same ports, after moving
// its data directory aside (kept for inspection: DIR.deposed-<unix ms>).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace credo {

// The command line to re-execute with: `args` (argv without argv[0]) without --port,
// --http-port, --follow, --demo and --config (with their values), then --follow --port `port`
// and, when `http_port` is not 0, --http-port `http_port`.
std::vector<std::string> rejoin_args(const std::vector<std::string>& args, uint16_t port,
                                     uint16_t http_port, bool http_given);

// Renames `data_dir` (if not empty) aside, marks every descriptor above 2 close-on-exec and
// executes /proc/self/exe with `args`. Returns only on failure, with the reason.
std::string rejoin_as_standby(const std::vector<std::string>& args, const std::string& data_dir);

}  // namespace credo
