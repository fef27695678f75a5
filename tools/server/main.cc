// credo-server: loads keys and policy, optionally the demo world, and serves docs/protocol.md on
// TCP. Everything interesting lives in net/; this file turns flags into a Server and prints what it
// is about to do.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include "engine/engine.h"
#include "net/command_log.h"
#include "net/http_openapi.h"
#include "net/keys.h"
#include "net/tls.h"
#include "net/policy_config.h"
#include "net/server.h"
#include "replication/replicated_log.h"
#include "replication/snapshot_store.h"
#include "tools/server/rejoin.h"
#include "tools/demo/demo_data.h"
#include "tools/server/journal_log.h"

namespace {

using credo::Principal;

bool is_loopback(const std::string& address) {
  return credo::net::is_loopback_address(address) || address.rfind("127.", 0) == 0;
}

// The demo keys: one per role, and one credit key and one sales key per approval level (1-3), so
// that every held order the demo can produce has keys that may approve its reasons (credit
// reasons by credit, price and amount reasons by sales management) without using the admin's. Fixed
// strings on purpose: the demo is for trying credo on one's own machine (loopback only), and
// fixed keys let the docs show real sessions.
struct DemoKey {
  const char* key;
  Principal (*principal)();
};
constexpr DemoKey kDemoKeys[] = {
    {"demo-order", credo::demo::demo_rep},
    {"demo-credit", credo::demo::demo_credit_manager},
    {"demo-credit-2", credo::demo::demo_credit_director},
    {"demo-credit-3", credo::demo::demo_credit_chief},
    {"demo-sales", credo::demo::demo_sales_manager},
    {"demo-sales-2", credo::demo::demo_sales_director},
    {"demo-sales-3", credo::demo::demo_sales_vp},
    {"demo-warehouse", credo::demo::demo_warehouse},
    {"demo-finance", credo::demo::demo_finance},
    {"demo-admin", credo::demo::demo_admin},
};

}  // namespace

static int run_main(int argc, char** argv) {
  CLI::App app{"credo-server: in-memory order and credit-check engine, NDJSON over TCP"};
  credo::net::ServerOptions options;
  std::string data_dir, keys_file, config_file, clock_name = "system", start_time,
                                                durability = "fsync";
  bool demo = false, repair = false, print_openapi = false;
  int http_port = -1;  // -1: not given
  uint64_t snapshot_every = 0;
  credo::replication::ReplicationOptions repl;
  app.add_option("--port", options.port, "TCP port (0: any free port)")->default_val(7400);
  app.add_option("--http-port", http_port,
                 "HTTP/1.1 port (docs/http.md; default 7480, or any free port with --port 0); "
                 "0: no HTTP edge")
      ->check(CLI::Range(0, 65535));
  app.add_option("--http-idle-timeout-ms", options.http_idle_timeout_ms,
                 "close an HTTP connection with nothing in flight that sends no complete request "
                 "for this long (408 if it sent part of one)")
      ->default_val(options.http_idle_timeout_ms);
  app.add_option("--http-max-header", options.http_max_header_bytes,
                 "longest HTTP request head (start line and headers) in bytes")
      ->default_val(options.http_max_header_bytes);
  app.add_flag("--print-openapi", print_openapi,
               "print the HTTP edge's OpenAPI document (docs/openapi.json) and exit");
  app.add_option("--bind", options.bind_address,
                 "address to listen on; anything but loopback requires --keys")
      ->default_val("127.0.0.1");
  app.add_option("--data", data_dir, "data directory for the journal and snapshots");
  app.add_option("--durability", durability,
                 "fsync: answer after fdatasync (default); batch: fsync every few ms; none")
      ->check(CLI::IsMember({"fsync", "batch", "none"}));
  app.add_flag("--repair", repair,
               "cut a corrupt journal at the last good record (kept aside) instead of refusing "
               "to start");
  app.add_option("--snapshot-every", snapshot_every,
                 "take a snapshot every N commands (0: only on the snapshot op and at shutdown)")
      ->default_val(0);
  app.add_option("--keys", keys_file, "API key file (JSON, must be chmod 600)");
  app.add_option("--config", config_file, "policy file (JSON), applied at start");
  int32_t retention_days = 90;
  CLI::Option* retention_opt =
      app.add_option("--order-retention-days", retention_days,
                     "archive closed orders this many days after their last event: their lines, "
                     "reasons and events leave memory, get_order answers from the header "
                     "(docs/limits.md); 0 keeps them all. Journaled at start as the policy's "
                     "order_retention_days, over --config's")
          ->default_val(90)
          ->check(CLI::Range(0, 36500));
  app.add_option("--clock", clock_name, "system: wall clock; manual: moves only by set_clock")
      ->check(CLI::IsMember({"system", "manual"}));
  app.add_option("--start", start_time,
                 "manual clock's start, ISO-8601 (default 2026-01-01T00:00:00Z)");
  app.add_option("--max-line", options.max_line_bytes, "longest request line in bytes")
      ->default_val(options.max_line_bytes);
  app.add_option("--max-connections", options.max_connections, "connections served at once")
      ->default_val(options.max_connections);
  app.add_option("--max-inflight", options.max_inflight_per_connection,
                 "unanswered requests per connection before the server stops reading it")
      ->default_val(options.max_inflight_per_connection);
  app.add_option("--max-output", options.max_output_bytes_per_connection,
                 "unwritten answer bytes per connection before the server stops reading it")
      ->default_val(options.max_output_bytes_per_connection);
  app.add_option("--max-queue", options.max_engine_queue,
                 "requests queued for the engine thread before OVERLOADED")
      ->default_val(options.max_engine_queue);
  app.add_option("--hello-timeout-ms", options.hello_timeout_ms,
                 "close connections that have not said hello by then")
      ->default_val(options.hello_timeout_ms);
  app.add_option("--write-timeout-ms", options.write_stall_timeout_ms,
                 "close connections whose answers make no write progress for this long")
      ->default_val(options.write_stall_timeout_ms);
  app.add_option("--engine-spin-us", options.engine_spin_us,
                 "engine thread spins this long on an empty queue before parking")
      ->default_val(options.engine_spin_us);
  app.add_option("--io-spin-us", options.io_spin_us,
                 "I/O thread polls the sockets this long before sleeping (0: sleeps at once)")
      ->default_val(options.io_spin_us)
      ->check(CLI::Range(0, 1'000'000));
  app.add_flag("--engine-inline,!--engine-thread", options.engine_inline,
               "run the engine on the I/O thread (no hand-off between threads per request) "
               "instead of a thread of its own (docs/architecture.md, Threads)");
  app.add_option("--resume-interval-ms", options.resume_interval_ms,
                 "while the journal cannot write, retry resuming it this often")
      ->default_val(options.resume_interval_ms)
      ->check(CLI::Range(1, 3'600'000));
  app.add_option("--replicate", repl.servers,
                 "replicate the journal on NATS JetStream: nats://host:port[,...] "
                 "(docs/replication.md)");
  app.add_option("--stream", repl.stream, "JetStream stream (and lease bucket) name")
      ->default_val("credo");
  app.add_option("--replicas", repl.replicas, "stream replicas when creating it")
      ->default_val(3)
      ->check(CLI::Range(1, 5));
  app.add_flag("--follow", repl.follow,
               "start as a standby: apply the primary's stream, serve reads, take over when "
               "the primary's lease lapses");
  app.add_option("--lease-ms", repl.lease_ms, "leadership lease TTL in ms")
      ->default_val(2000)
      ->check(CLI::Range(100, 600'000));
  app.add_option("--advertise", repl.advertise,
                 "host:port clients should use for this node (named in NOT_PRIMARY; default "
                 "bind:port)");
  credo::net::TlsOptions tls;
  auto* tls_cert = app.add_option("--tls-cert", tls.cert_file,
                                  "PEM certificate chain: the TCP listener speaks TLS");
  auto* tls_key =
      app.add_option("--tls-key", tls.key_file, "PEM private key of --tls-cert")->needs(tls_cert);
  tls_cert->needs(tls_key);
  app.add_option("--tls-client-ca", tls.client_ca_file,
                 "PEM CA bundle: mutual TLS, a client needs a certificate signed by it")
      ->needs(tls_cert);
  app.add_flag("--demo", demo,
               "load the demo world and create demo keys (one per role and approval level)");
  app.footer(
      "Examples:\n"
      "  credo-server --demo                       demo world and keys, in memory, port 7400\n"
      "  credo-server --demo --data /tmp/credo     ... journaled to /tmp/credo\n"
      "  credo-server --keys keys.json --data /var/lib/credo --config policy.json\n"
      "  credo-server --demo --http-port 8080      HTTP edge on 8080 (curl, docs/http.md)\n"
      "  credo-server --print-openapi > docs/openapi.json\n"
      "  credo-server --data /tmp/a --replicate nats://127.0.0.1:4222 --replicas 1\n"
      "  credo-server --data /tmp/b --port 7401 --replicate nats://127.0.0.1:4222 --follow\n"
      "  credo-server --keys keys.json --bind 0.0.0.0 --tls-cert server.pem --tls-key server.key\n"
      "  credo-server --keys keys.json --bind 0.0.0.0 --tls-cert server.pem --tls-key server.key \\\n"
      "               --tls-client-ca clients-ca.pem   mutual TLS (docs/operations.md)\n");
  CLI11_PARSE(app, argc, argv);
  if (print_openapi) {
    std::fputs(credo::net::openapi_document().c_str(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
  }
  // HTTP: on by default at 7480; with --port 0 (tests, several servers on one machine) on a free
  // port too unless --http-port says otherwise; --http-port 0 turns it off.
  options.http_enabled = http_port != 0;
  options.http_port = http_port > 0    ? static_cast<uint16_t>(http_port)
                      : options.port == 0 ? uint16_t{0}
                                          : uint16_t{7480};

  // ---- keys ----
  credo::net::KeyStore keys;
  std::string error;
  if (!keys_file.empty() && !keys.load_file(keys_file, &error)) {
    std::fprintf(stderr, "credo-server: %s\n", error.c_str());
    return 2;
  }
  if (keys_file.empty() && !is_loopback(options.bind_address)) {
    std::fprintf(stderr,
                 "credo-server: refusing to listen on %s without --keys: anyone who can reach "
                 "it could change every credit limit. Use --keys FILE or --bind 127.0.0.1\n",
                 options.bind_address.c_str());
    return 2;
  }
  // ---- TLS ----
  if (tls.enabled()) {
    options.tls = credo::net::make_server_tls_context(tls, &error);
    if (!options.tls) {
      std::fprintf(stderr, "credo-server: %s\n", error.c_str());
      return 2;
    }
  } else if (!is_loopback(options.bind_address)) {
    std::fprintf(stderr,
                 "credo-server: warning: listening on %s without TLS: API keys travel in clear. "
                 "Use --tls-cert and --tls-key (docs/operations.md)\n",
                 options.bind_address.c_str());
  }
  if (demo) {
    for (const DemoKey& k : kDemoKeys) {
      Principal existing;
      if (!keys.lookup(k.key, &existing)) keys.add(k.key, k.principal());
    }
  }

  // ---- clock ----
  options.clock_mode =
      clock_name == "manual" ? credo::net::Clock::Mode::manual : credo::net::Clock::Mode::system;
  if (options.clock_mode == credo::net::Clock::Mode::manual) {
    auto t = credo::parse_time(start_time.empty() ? "2026-01-01T00:00:00.000Z" : start_time);
    if (!t) {
      std::fprintf(stderr, "credo-server: --start '%s' is not an ISO-8601 time\n",
                   start_time.c_str());
      return 2;
    }
    options.clock_start_ms = *t;
  } else if (!start_time.empty()) {
    std::fprintf(stderr, "credo-server: --start needs --clock manual\n");
    return 2;
  }

  // ---- durability ----
  // With --data the journal recovers the engine from the directory and makes every answered
  // command durable; without it state lives in memory only, and the server says so loudly.
  auto engine = std::make_unique<credo::Engine>();
  std::unique_ptr<credo::net::CommandLog> log;
  // A brand-new replica (nothing in --data, or no --data) starts from the snapshot stored in
  // NATS, if any, plus the stream's tail (docs/replication.md "Snapshots and retention").
  if (!repl.servers.empty()) {
    repl.data_dir = data_dir;
    repl.node_key = credo::replication::replica_key(data_dir);
    uint64_t snap_seq = 0;
    if (!credo::replication::bootstrap_from_snapshot(repl, data_dir, engine.get(), &snap_seq,
                                                     &error)) {
      std::fprintf(stderr, "credo-server: replication: %s\n", error.c_str());
      return 1;
    }
    if (snap_seq != 0)
      std::fprintf(stderr, "credo-server: replication: bootstrapped from snapshot %llu in NATS\n",
                   static_cast<unsigned long long>(snap_seq));
  }
  if (data_dir.empty()) {
    log = std::make_unique<credo::net::MemoryLog>();
    std::fprintf(stderr,
                 "credo-server: WARNING: no --data directory: state is kept in memory only and "
                 "is lost on exit\n");
  } else {
    credo::JournalOptions jo;
    jo.dir = data_dir;
    credo::parse(durability, &jo.durability);
    jo.repair = repair;
    jo.snapshot_every_commands = snapshot_every;
    jo.log = [](const std::string& line) {
      std::fprintf(stderr, "credo-server: %s\n", line.c_str());
    };
    auto journal = std::make_unique<credo::JournalLog>();
    credo::RecoveryReport report;
    if (!journal->open(jo, *engine, &report, &error)) {
      std::fprintf(stderr, "credo-server: cannot open %s: %s\n", data_dir.c_str(), error.c_str());
      return 1;
    }
    std::fprintf(stderr,
                 "credo-server: recovered %s: snapshot seq %llu, %llu records replayed, last seq "
                 "%llu, %.3f s\n",
                 data_dir.c_str(), static_cast<unsigned long long>(report.snapshot_seq),
                 static_cast<unsigned long long>(report.records_replayed),
                 static_cast<unsigned long long>(report.last_seq), report.seconds);
    log = std::move(journal);
  }

  // ---- replication: the local log wrapped, the engine caught up with the stream ----
  credo::replication::ReplicatedLog* replicated = nullptr;
  if (!repl.servers.empty()) {
    if (repl.follow && (demo || !config_file.empty() || retention_opt->count() > 0)) {
      std::fprintf(stderr,
                   "credo-server: --follow takes its whole state from the primary's stream: "
                   "--demo, --config and --order-retention-days belong on the primary\n");
      return 2;
    }
    if (repl.advertise.empty() && options.port != 0)
      repl.advertise = options.bind_address + ":" + std::to_string(options.port);
    repl.log = [](const std::string& line) {
      std::fprintf(stderr, "credo-server: replication: %s\n", line.c_str());
    };
    auto r = std::make_unique<credo::replication::ReplicatedLog>(std::move(log));
    if (!r->open(repl, *engine, &error)) {
      std::fprintf(stderr, "credo-server: replication: %s\n", error.c_str());
      return 1;
    }
    replicated = r.get();
    log = std::move(r);
  }

  // ---- policy, and the keys checked against it ----
  credo::Policy policy = engine->policy();
  if (!config_file.empty() && !credo::net::load_policy_file(config_file, &policy, &error)) {
    std::fprintf(stderr, "credo-server: %s\n", error.c_str());
    return 2;
  }
  if (!keys.check_separation(policy.allow_combined_roles, &error)) {
    std::fprintf(stderr, "credo-server: %s: %s\n", keys_file.c_str(), error.c_str());
    return 2;
  }

  credo::net::Server server(options, std::move(engine), std::move(log), std::move(keys));
  credo::Result result;

  if (!config_file.empty()) {
    if (!(policy == server.engine().policy())) {
      credo::Command cmd;
      cmd.by = credo::net::system_principal();
      cmd.body = credo::SetPolicy{policy};
      server.apply_startup(std::move(cmd), result);
      if (!result.ok()) {
        std::fprintf(stderr, "credo-server: config %s refused: %s\n", config_file.c_str(),
                     result.error.message.c_str());
        return 2;
      }
    }
  }

  // ---- demo ----
  if (demo) {
    if (server.engine().counts().commands_applied != 0) {
      std::fprintf(stderr, "credo-server: --demo needs an empty engine; not loading it\n");
    } else {
      // The demo's history ends at "now": the manual clock's start, or the wall clock.
      credo::TimeMs start = options.clock_mode == credo::net::Clock::Mode::manual
                                ? options.clock_start_ms
                                : std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
      for (credo::Command& cmd : credo::demo::demo_dataset(start)) {
        server.apply_startup(std::move(cmd), result);
        if (!result.ok()) {
          std::fprintf(stderr, "credo-server: demo command failed: %s\n",
                       result.error.message.c_str());
          return 1;
        }
      }
    }
  }

  // ---- retention: the policy's order_retention_days, journaled like --config (after the
  // demo, which needs an empty engine); a follower has the primary's ----
  if (!repl.follow && server.engine().policy().order_retention_days != retention_days) {
    credo::Policy want = server.engine().policy();
    want.order_retention_days = retention_days;
    credo::Command cmd;
    cmd.by = credo::net::system_principal();
    cmd.body = credo::SetPolicy{want};
    server.apply_startup(std::move(cmd), result);
    if (!result.ok()) {
      std::fprintf(stderr, "credo-server: --order-retention-days %d refused: %s\n",
                   static_cast<int>(retention_days), result.error.message.c_str());
      return 2;
    }
  }

  // The first client sees only durable state: the config, demo and retention commands above
  // were appended without waiting.
  if (!server.wait_startup_durable(std::chrono::seconds(60), &error)) {
    std::fprintf(stderr, "credo-server: %s\n", error.c_str());
    return 1;
  }
  if (!server.listen(&error)) {
    std::fprintf(stderr, "credo-server: %s\n", error.c_str());
    return 1;
  }
  if (replicated != nullptr && repl.advertise.empty())
    replicated->set_advertise(options.bind_address + ":" + std::to_string(server.port()));
  // A deposed primary with unacknowledged commands restarts itself as a standby (same ports,
  // data directory moved aside); not with --demo and no --keys (the demo keys would be lost).
  if (replicated != nullptr && !(demo && keys_file.empty())) {
    std::vector<std::string> args = credo::rejoin_args(
        std::vector<std::string>(argv + 1, argv + argc), server.port(), server.http_port(),
        http_port != -1);
    replicated->set_rejoin(
        [args, data_dir] { return credo::rejoin_as_standby(args, data_dir); });
  }
  credo::EngineCounts counts = server.engine().counts();
  std::printf(
      "credo-server listening on %s:%u  data: %s  durability: %s  clock: %s  customers: %llu  "
      "products: %llu  keys: %s  http: %s\n",
      options.bind_address.c_str(), static_cast<unsigned>(server.port()),
      data_dir.empty() ? "(memory only)" : data_dir.c_str(),
      data_dir.empty() ? "none (memory only)" : durability.c_str(),
      options.clock_mode == credo::net::Clock::Mode::manual
          ? ("manual at " + credo::format_time(server.engine().now() > options.clock_start_ms
                                                   ? server.engine().now()
                                                   : options.clock_start_ms))
                .c_str()
          : "system",
      static_cast<unsigned long long>(counts.customers),
      static_cast<unsigned long long>(counts.products),
      keys_file.empty() && !demo ? "none (every connection is admin)" : "required",
      server.http_port() == 0
          ? "off"
          : (options.bind_address + ":" + std::to_string(server.http_port())).c_str());
  if (tls.enabled())
    std::printf("TLS on (TCP and HTTP)%s\n", tls.client_ca_file.empty()
                                  ? ""
                                  : " (mutual: clients need a certificate from --tls-client-ca)");
  if (demo) {
    std::printf("demo keys (principal, roles, level):\n");
    for (const DemoKey& k : kDemoKeys) {
      Principal p = k.principal();
      std::string roles;
      for (auto r : credo::net::role_names(p.roles))
        roles += (roles.empty() ? "" : ",") + std::string(r);
      std::printf("  %-16s %-14s %-10s level %d\n", k.key, std::string(p.name.view()).c_str(),
                  roles.c_str(), p.level);
    }
    // A path that works from the repository root, where scripts/run-demo.sh leaves the reader.
    std::printf(
        "try: build/bin/credo-cli --port %u --key demo-credit "
        "'{\"op\":\"get_customer\",\"customer\":\"C1001\"}'\n",
        static_cast<unsigned>(server.port()));
    if (server.http_port() != 0)
      std::printf("  or:  curl -H 'Authorization: Bearer demo-credit' http://%s:%u/v1/customers/C1001\n",
                  options.bind_address.c_str(), static_cast<unsigned>(server.http_port()));
  }
  // Best effort: the banner tells a script the port; the server runs whether or not it got out.
  (void)std::fflush(stdout);
  server.run();
  // A clean shutdown leaves a snapshot, so the next start replays nothing.
  if (!server.close_log(!data_dir.empty(), &error)) {
    std::fprintf(stderr, "credo-server: closing the journal failed: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "credo-server: stopped\n");
  return 0;
}

// An exception that escapes (std::bad_alloc, std::system_error from a thread) ends the program
// with its message and exit status 1 instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "credo-server: %s\n", e.what());
    return 1;
  }
}
