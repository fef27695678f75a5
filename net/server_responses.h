// Answers the server writes itself (hello, snapshot, stats), next to the codec's writers for
// engine results. Each appends one response line ending in '\n'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/command.h"

namespace credo::net {

struct IoShared;

// {"id":..,"ok":true,"principal":"..","roles":[..],"level":N,"protocol":1}
void write_hello_ok(std::string& out, std::string_view id_json, const Principal& p);
// {"id":..,"ok":true,"seq":N,"file":".."}
void write_snapshot_ok(std::string& out, std::string_view id_json, uint64_t seq,
                       std::string_view file);
// {"id":..,"ok":true,"seq":N,"durable_seq":N,"hash":"<16 hex digits>"} (extension state_hash)
void write_state_hash_ok(std::string& out, std::string_view id_json, uint64_t seq,
                         uint64_t durable_seq, uint64_t hash);
// {"id":..,"ok":true,"uptime_ms":..,"commands_applied":..,"last_journaled_seq":..,
//  "last_durable_seq":..,"connections":..,"engine_queue":..,"overloaded":..,
//  "journal"?:{"batches":..,"syncs":..,"records":..,"bytes":..,"append_waits":..,"snapshots":..,
//              "resumes":..,"failed":bool,"failure"?:".."},
//  "ops":{"<op>":{"count":..,"p50_us":..,"p90_us":..,"p99_us":..,"p999_us":..,"max_us":..}}}
// Latency is measured from the moment the request line was read to the moment its answer was
// queued for writing (so it includes queueing, the engine and durability). I/O thread only.
void write_stats(std::string& out, std::string_view id_json, const IoShared& shared);

// The protocol version hello reports.
constexpr int kProtocolVersion = 1;

}  // namespace credo::net
