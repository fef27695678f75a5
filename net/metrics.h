// /metrics: the server's counters in the Prometheus text exposition format, version 0.0.4
// (Content-Type: text/plain; version=0.0.4; charset=utf-8). The list of metrics, their types and
// labels is in docs/operations.md.
//
// Written by hand on purpose: no Prometheus C++ client library is packaged in Debian
// (prometheus-cpp is not), and the format is small: per family a "# HELP" and a "# TYPE" line,
// then one "name{label=\"value\"} number" line per series; a histogram is cumulative
// name_bucket{le=".."} lines ending at le="+Inf", then name_sum and name_count. The test suite
// checks the output with the real `promtool check metrics` (tests/net/metrics_test.cc).
//
// Cost: rendering reads relaxed atomics and /proc/self; the counters it reads are written on the
// hot path with single-writer relaxed stores (net/counters.h), never under a lock.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "net/command_log.h"
#include "net/counters.h"

namespace credo::net {

// The whole exposition text. Thread-safe: callable from any thread (the TCP `metrics` op calls
// it on the I/O thread; an HTTP edge may call it from its own). `engine_queue` is the engine
// queue's depth (EngineLoop::queued()).
std::string render_metrics(const SharedCounters& counters, const CommandLog& log,
                           std::size_t engine_queue);

// The `metrics` op's answer (NDJSON): {"id":..,"ok":true,"text":"<the exposition>"}\n
void write_metrics_ok(std::string& out, std::string_view id_json, std::string_view text);

// The Content-Type an HTTP edge answers GET /metrics with.
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Exposed for tests: a label value with \, " and newline escaped as the format requires.
std::string escape_label_value(std::string_view v);

}  // namespace credo::net
