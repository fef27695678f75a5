// The Prometheus text exposition (net/metrics.h). Format 0.0.4:
//   # HELP <name> <text, with \ and newline escaped>
//   # TYPE <name> counter|gauge|histogram
//   <name>{<label>="<value, with \, " and newline escaped>",...} <number>
#include "net/metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <vector>

#include "net/json_writer.h"

namespace credo::net {

namespace {

std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

void append_number(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_number(std::string& out, double v,
                   std::chars_format format = std::chars_format::general) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v, format);  // shortest that reads back the same
  out.append(buf, r.ptr);
}

double seconds_of(uint64_t ns) {
  return static_cast<double>(ns) / 1e9;
}

// One label: name="value".
struct Label {
  std::string_view name;
  std::string_view value;
};

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += escape_help(help);
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  template <typename Number>
  void sample(std::string_view name, std::initializer_list<Label> labels, Number v,
              std::string_view suffix = {}, const Label* extra = nullptr) {
    out_ += name;
    out_ += suffix;
    if (labels.size() > 0 || extra != nullptr) {
      out_ += '{';
      bool first = true;
      auto one = [&](const Label& l) {
        if (!first) out_ += ',';
        first = false;
        out_ += l.name;
        out_ += "=\"";
        out_ += escape_label_value(l.value);
        out_ += '"';
      };
      for (const Label& l : labels) one(l);
      if (extra != nullptr) one(*extra);
      out_ += '}';
    }
    out_ += ' ';
    append_number(out_, v);
    out_ += '\n';
  }

  // A Log2Histogram's series (engine/log2_histogram.h), its bounds and sum times `scale` (1e-6:
  // microseconds to seconds).
  template <std::size_t K>
  void log2_histogram(std::string_view name, const Log2Histogram<K>& h, double scale) {
    uint64_t cumulative = 0;
    std::string le;
    for (std::size_t b = 0; b <= K; ++b) {
      cumulative += h.buckets[b];
      le.clear();
      if (b < K)
        append_number(le, static_cast<double>(Log2Histogram<K>::bound(b)) * scale);
      else
        le = "+Inf";
      Label l{"le", le};
      sample(name, {}, cumulative, "_bucket", &l);
    }
    sample(name, {}, static_cast<double>(h.sum) * scale, "_sum");
    sample(name, {}, cumulative, "_count");
  }

  // The series of one histogram (its family line written already): cumulative buckets.
  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 const FixedHistogram& h) {
    uint64_t cumulative = 0;
    std::string le;
    for (std::size_t b = 0; b < FixedHistogram::kBuckets; ++b) {
      cumulative += h.buckets[b].load(std::memory_order_relaxed);
      le.clear();
      if (b < FixedHistogram::kBoundsNs.size())
        append_number(le, seconds_of(FixedHistogram::kBoundsNs[b]), std::chars_format::fixed);
      else
        le = "+Inf";
      Label l{"le", le};
      sample(name, labels, cumulative, "_bucket", &l);
    }
    sample(name, labels, seconds_of(h.sum_ns.load(std::memory_order_relaxed)), "_sum");
    // The count is the +Inf bucket, read once above: the two always agree in one scrape.
    sample(name, labels, cumulative, "_count");
  }

 private:
  std::string& out_;
};

constexpr std::array<std::string_view, kEdgeCount> kEdgeNames = {"tcp", "http"};

// ---- the process (the names every Prometheus client library uses) ------------------------------
struct ProcessStats {
  bool ok = false;
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  double start_time_seconds = 0;
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;
};

// The system's boot time (seconds since the epoch), "btime" in /proc/stat.
double boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

ProcessStats process_stats() {
  ProcessStats p;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return p;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const std::size_t close = line.rfind(')');
  if (close == std::string::npos) return p;
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  for (std::string w; rest >> w;) f.push_back(w);
  if (f.size() < 22) return p;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const long page = sysconf(_SC_PAGESIZE);
  p.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;  // utime + stime (fields 14, 15)
  p.start_time_seconds = boot_time() + std::stod(f[19]) / ticks;  // starttime (field 22)
  p.virtual_bytes = std::stoull(f[20]);                           // vsize (field 23)
  p.resident_bytes = std::stoull(f[21]) * static_cast<uint64_t>(page);  // rss pages (field 24)
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    p.open_fds++;
  if (p.open_fds > 0) p.open_fds--;  // the directory iterator's own descriptor
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) p.max_fds = lim.rlim_cur;
  p.ok = true;
  return p;
}

}  // namespace

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_metrics(const SharedCounters& c, const CommandLog& log,
                           std::size_t engine_queue) {
  std::string out;
  out.reserve(std::size_t{64} * 1024);
  Writer w(out);
  const MetricsCounters& m = c.metrics;
  constexpr auto relaxed = std::memory_order_relaxed;

  w.family("credo_requests_total", "counter",
           "Requests answered, by protocol, op and result code (OK or the error code). "
           "op=\"invalid\": a request whose op could not be read.");
  for (std::size_t e = 0; e < kEdgeCount; ++e)
    for (std::size_t op = 0; op <= kOpCount; ++op)
      for (std::size_t code = 0; code < kErrorCodeCount; ++code) {
        const uint64_t v = m.requests[e][op][code].load(relaxed);
        if (v == 0) continue;
        w.sample("credo_requests_total",
                 {{"protocol", kEdgeNames[e]},
                  {"op", op < kOpCount ? kOps[op].name : std::string_view("invalid")},
                  {"code", to_string(static_cast<ErrorCode>(code))}},
                 v);
      }

  w.family("credo_request_duration_seconds", "histogram",
           "End-to-end request latency by op: from the request read to its answer queued for "
           "writing (parse, queueing, engine, durability).");
  for (std::size_t op = 0; op < kOpCount; ++op)
    if (m.request_seconds[op].count.load(relaxed) > 0)
      w.histogram("credo_request_duration_seconds", {{"op", kOps[op].name}},
                  m.request_seconds[op]);

  w.family("credo_engine_duration_seconds", "histogram",
           "Time the engine thread spent on one request by op (op=\"tick\" also counts "
           "housekeeping steps).");
  for (std::size_t op = 0; op < kOpCount; ++op)
    if (m.engine_seconds[op].count.load(relaxed) > 0)
      w.histogram("credo_engine_duration_seconds", {{"op", kOps[op].name}}, m.engine_seconds[op]);

  // The stall detector (net/counters.h EngineSteps): every step, housekeeping included.
  w.family("credo_engine_step_duration_seconds", "histogram",
           "Every single step of the engine thread (a command, a query, a tick or a journal "
           "check), in power-of-two buckets: the stall detector.");
  w.log2_histogram("credo_engine_step_duration_seconds", c.engine_steps.snapshot_us(), 1e-6);
  w.family("credo_engine_step_max_seconds", "gauge",
           "The longest single step of the engine thread since start.");
  w.sample("credo_engine_step_max_seconds", {},
           static_cast<double>(c.engine_steps.max_ns.load(relaxed)) * 1e-9);

  w.family("credo_orders_total", "counter",
           "Orders submitted (submit_order, submit_orders; not quotes or duplicates) by decision.");
  for (OrderStatus s : {OrderStatus::accepted, OrderStatus::held, OrderStatus::rejected})
    w.sample("credo_orders_total", {{"decision", to_string(s)}},
             m.orders[static_cast<std::size_t>(s)].load(relaxed));

  w.family("credo_order_reasons_total", "counter",
           "Reasons given to submitted orders (hold or reject), once per order and reason.");
  for (int r = 0; r < kReasonCount; ++r) {
    const auto reason = static_cast<Reason>(r);
    w.sample("credo_order_reasons_total",
             {{"reason", to_string(reason)}, {"effect", rejects(reason) ? "reject" : "hold"}},
             m.order_reasons[static_cast<std::size_t>(r)].load(relaxed));
  }

  w.family("credo_connections", "gauge", "Client connections open, by protocol.");
  for (std::size_t e = 0; e < kEdgeCount; ++e)
    w.sample("credo_connections", {{"protocol", kEdgeNames[e]}}, m.connections[e].load(relaxed));
  w.family("credo_connections_accepted_total", "counter", "Client connections accepted, by protocol.");
  for (std::size_t e = 0; e < kEdgeCount; ++e)
    w.sample("credo_connections_accepted_total", {{"protocol", kEdgeNames[e]}},
             m.connections_accepted[e].load(relaxed));

  w.family("credo_overloaded_total", "counter",
           "Requests and connections refused with OVERLOADED (engine queue full, too many "
           "connections).");
  w.sample("credo_overloaded_total", {}, c.overloaded.load(relaxed));

  w.family("credo_engine_queue_depth", "gauge",
           "Requests queued for the engine thread (approximate), across all connections.");
  w.sample("credo_engine_queue_depth", {}, static_cast<uint64_t>(engine_queue));

  w.family("credo_commands_applied_total", "counter",
           "State-changing commands applied (including recovery and startup commands).");
  w.sample("credo_commands_applied_total", {}, c.commands_applied.load(relaxed));
  w.family("credo_orders_archived_total", "counter",
           "Closed orders archived by this process's ticks (--order-retention-days): their "
           "lines, reasons and events left memory.");
  w.sample("credo_orders_archived_total", {}, c.orders_archived.load(relaxed));
  w.family("credo_applied_seq", "gauge", "Sequence number of the last command applied.");
  w.sample("credo_applied_seq", {}, c.last_journaled_seq.load(relaxed));
  w.family("credo_durable_seq", "gauge",
           "Sequence number up to which every command is durable (answered).");
  w.sample("credo_durable_seq", {}, log.durable_seq());

  std::string why;
  w.family("credo_journal_failed", "gauge",
           "1 while the journal cannot write (state changes are refused), else 0.");
  w.sample("credo_journal_failed", {}, uint64_t{log.failed(&why) ? 1u : 0u});
  JournalStats js;
  if (log.journal_stats(&js)) {
    struct Counter {
      const char* name;
      const char* help;
      uint64_t value;
    };
    const Counter journal[] = {
        {"credo_journal_batches_total", "Group commits (batches written) since the journal opened.",
         js.batches},
        {"credo_journal_syncs_total", "fdatasyncs of the write-ahead log since it opened.",
         js.syncs},
        {"credo_journal_records_total",
         "Records appended since the journal opened (records per batch: rate of this over rate "
         "of credo_journal_batches_total).",
         js.records},
        {"credo_journal_written_bytes_total", "Bytes appended to the write-ahead log since it opened.",
         js.bytes},
        {"credo_journal_append_waits_total",
         "Times an append found the journal's buffer full and waited.", js.append_waits},
        {"credo_journal_snapshots_total", "Snapshots written (on request and automatic).",
         js.snapshots},
        {"credo_journal_resumes_total", "Times the journal failed and was resumed.", js.resumes}};
    for (const Counter& j : journal) {
      w.family(j.name, "counter", j.help);
      w.sample(j.name, {}, j.value);
    }
    w.family("credo_journal_fsync_duration_seconds", "histogram",
             "How long each fdatasync of the write-ahead log took.");
    w.log2_histogram("credo_journal_fsync_duration_seconds", js.sync_us, 1e-6);
    w.family("credo_journal_batch_records", "histogram",
             "Records in each group-commit batch written to the write-ahead log.");
    w.log2_histogram("credo_journal_batch_records", js.batch_records, 1.0);
  }

  w.family("credo_snapshot_duration_seconds", "histogram",
           "Snapshots asked for with the snapshot op: from the request to the durable file.");
  w.histogram("credo_snapshot_duration_seconds", {}, m.snapshot_seconds);

  const ProcessStats p = process_stats();
  if (p.ok) {
    w.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    w.sample("process_cpu_seconds_total", {}, p.cpu_seconds);
    w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    w.sample("process_resident_memory_bytes", {}, p.resident_bytes);
    w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    w.sample("process_virtual_memory_bytes", {}, p.virtual_bytes);
    w.family("process_open_fds", "gauge", "Number of open file descriptors.");
    w.sample("process_open_fds", {}, p.open_fds);
    w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    w.sample("process_max_fds", {}, p.max_fds);
    w.family("process_start_time_seconds", "gauge",
             "Start time of the process since unix epoch in seconds.");
    w.sample("process_start_time_seconds", {}, p.start_time_seconds);
  }
  return out;
}

void write_metrics_ok(std::string& out, std::string_view id_json, std::string_view text) {
  JsonWriter w(out);
  w.begin_object();
  if (!id_json.empty()) w.field_raw("id", id_json);
  w.field("ok", true);
  w.field("text", text);
  w.end_object();
  out.push_back('\n');
}

}  // namespace credo::net
