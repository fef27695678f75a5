#include "net/server_responses.h"

#include <array>
#include <string>
#include <cstdio>
#include <cstdlib>

#include "net/answer.h"
#include "net/io_shared.h"
#include "net/json_writer.h"
#include "net/keys.h"
#include "net/parse_kernel.h"

namespace credo::net {

namespace {
void begin(JsonWriter& w, std::string_view id_json) {
  w.begin_object();
  if (!id_json.empty()) w.field_raw("id", id_json);
  w.field("ok", true);
}
void finish(JsonWriter& w, std::string& out) {
  w.end_object();
  out.push_back('\n');
}
// Microseconds, rounded up so that a nonzero latency never shows as 0.
uint64_t us_of(uint64_t ns) {
  return (ns + 999) / 1000;
}
}  // namespace

void write_hello_ok(std::string& out, std::string_view id_json, const Principal& p) {
  JsonWriter w(out);
  begin(w, id_json);
  w.field("principal", p.name.view());
  w.key("roles");
  w.begin_array();
  for (std::string_view r : role_names(p.roles)) w.value(r);
  w.end_array();
  w.field("level", int64_t{p.level});
  w.field("protocol", int64_t{kProtocolVersion});
  finish(w, out);
}

void write_snapshot_ok(std::string& out, std::string_view id_json, uint64_t seq,
                       std::string_view file) {
  JsonWriter w(out);
  begin(w, id_json);
  w.field("seq", seq);
  w.field("file", file);
  finish(w, out);
}

void write_state_hash_ok(std::string& out, std::string_view id_json, uint64_t seq,
                         uint64_t durable_seq, uint64_t hash) {
  JsonWriter w(out);
  begin(w, id_json);
  w.field("seq", seq);
  w.field("durable_seq", durable_seq);
  // A string, not a number: JSON readers that use doubles would round a 64-bit value.
  char hex[17];
  const int n = std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  if (n != 16) std::abort();  // 64 bits are always 16 hex digits, zero-padded
  w.field("hash", std::string_view(hex, 16));
  finish(w, out);
}

void write_answer(std::string& out, const Answer& a) {
  switch (a.kind) {
    case Answer::Kind::result:
      write_result(out, a.id_json, a.op_id, a.result, a.as_of_seq);
      return;
    case Answer::Kind::snapshot:
      write_snapshot_ok(out, a.id_json, a.seq, a.file);
      return;
    case Answer::Kind::state_hash:
      write_state_hash_ok(out, a.id_json, a.seq, a.durable_seq, a.hash);
      return;
  }
}

namespace {
// The stall detector: the engine thread's steps by duration (docs/protocol.md, `stats`).
// buckets_us[i] counts the steps of at most 2^i us (over 2^(i-1)); the last one, longer steps.
void write_engine_steps(JsonWriter& w, const EngineSteps& st) {
  const EngineSteps::Histogram h = st.snapshot_us();
  w.key("engine_steps");
  w.begin_object();
  w.field("count", h.count);
  w.field("sum_us", h.sum);
  w.field("max_us", us_of(st.max_ns.load(std::memory_order_relaxed)));
  w.field("max_op", kOps[st.max_op.load(std::memory_order_relaxed)].name);
  w.key("buckets_us");
  w.begin_array();
  for (uint64_t n : h.buckets) w.value(n);
  w.end_array();
  w.end_object();
}
}  // namespace

void write_stats(std::string& out, std::string_view id_json, const IoShared& shared) {
  JsonWriter w(out);
  begin(w, id_json);
  auto uptime = std::chrono::steady_clock::now() - shared.started;
  w.field("uptime_ms", static_cast<int64_t>(
                           std::chrono::duration_cast<std::chrono::milliseconds>(uptime).count()));
  const SharedCounters& c = shared.counters;
  w.field("commands_applied", c.commands_applied.load(std::memory_order_relaxed));
  w.field("last_journaled_seq", c.last_journaled_seq.load(std::memory_order_relaxed));
  w.field("orders_archived", c.orders_archived.load(std::memory_order_relaxed));
  w.field("last_durable_seq", shared.log.durable_seq());
  w.field("connections", c.connections.load(std::memory_order_relaxed));
  w.field("connections_total", c.connections_total.load(std::memory_order_relaxed));
  w.field("engine_queue", static_cast<uint64_t>(shared.engine.queued()));
  w.field("overloaded", c.overloaded.load(std::memory_order_relaxed));
  write_engine_steps(w, c.engine_steps);
  w.field("parser_kernel", parse_kernel_name());
  JournalStats js;
  if (shared.log.journal_stats(&js)) {
    w.key("journal");
    w.begin_object();
    w.field("batches", js.batches);
    w.field("syncs", js.syncs);
    w.field("records", js.records);
    w.field("bytes", js.bytes);
    w.field("append_waits", js.append_waits);
    w.field("snapshots", js.snapshots);
    w.field("resumes", js.resumes);
    // While it cannot write, state changes are refused (docs/protocol.md "When the disk fails").
    std::string why;
    bool failed = shared.log.failed(&why);
    w.field("failed", failed);
    if (failed) w.field("failure", std::string_view(why));
    w.end_object();
  }
  ReplicationStats rs;
  if (shared.log.replication_stats(&rs)) {
    w.key("replication");
    w.begin_object();
    w.field("role", std::string_view(rs.role));
    w.field("primary", std::string_view(rs.primary));
    w.field("applied_seq", rs.applied_seq);
    w.field("replicated_seq", rs.replicated_seq);
    w.field("stream_seq", rs.stream_seq);
    w.field("lag_messages", rs.lag_messages);
    w.field("published", rs.published);
    w.end_object();
  }
  w.key("ops");
  w.begin_object();
  for (std::size_t i = 0; i < kOpCount; i++) {
    const LatencyHistogram& h = shared.latency[i];
    if (h.count() == 0) continue;
    w.key(kOps[i].name);
    w.begin_object();
    w.field("count", h.count());
    w.field("p50_us", us_of(h.percentile_ns(0.50)));
    w.field("p90_us", us_of(h.percentile_ns(0.90)));
    w.field("p99_us", us_of(h.percentile_ns(0.99)));
    w.field("p999_us", us_of(h.percentile_ns(0.999)));
    w.field("max_us", us_of(h.max_ns()));
    w.end_object();
  }
  w.end_object();
  finish(w, out);
}

}  // namespace credo::net
