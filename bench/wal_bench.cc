// WAL microbenchmarks: record encoding and decoding, CRC32C, journal append throughput under
// each durability mode (with records per fdatasync: the group-commit factor), and recovery
// replay speed (target: >= 2 M journaled commands/s).
//
//   build/bin/wal_bench                          all of them (replay: 2 M submit_order)
//   build/bin/wal_bench --benchmark_filter=Replay
// Files go to $TMPDIR (or /tmp) and are removed afterwards.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "engine/engine.h"
#include "persistence/command_codec.h"
#include "persistence/crc32c.h"
#include "persistence/journal.h"
#include "persistence/recovery.h"
#include "persistence/wal_format.h"

namespace credo {
namespace {

constexpr TimeMs kStart = 1'790'000'000'000;
constexpr int kProducts = 100;
constexpr int kCustomers = 1000;

Principal admin() {
  Principal p;
  p.name = Key::of("bench");
  p.roles = kRoleOrder | kRoleCredit | kRoleWarehouse | kRoleFinance | kRoleAdmin;
  p.level = 3;
  return p;
}

// Seq 1..kProducts+kCustomers set up the world; after that, 3-line submit_orders.
Command workload(uint64_t seq) {
  Command c;
  c.seq = seq;
  c.at = kStart + static_cast<TimeMs>(seq);
  c.by = admin();
  const uint64_t i = seq - 1;
  if (i < kProducts) {
    UpsertProduct p;
    p.sku = Key::of("SKU-" + std::to_string(i));
    p.price = 1000;
    p.on_hand = 1'000'000'000;
    c.body = p;
  } else if (i < kProducts + kCustomers) {
    UpsertCustomer u;
    u.customer = Key::of("CUST-" + std::to_string(i - kProducts));
    u.grade = Grade::A;
    u.credit_limit = 1'000'000'000'000'000;
    c.body = u;
  } else {
    SubmitOrder s;
    s.order.customer = Key::of("CUST-" + std::to_string(i % kCustomers));
    s.order.client_order_id = Key::of("PO-" + std::to_string(i));
    for (int l = 0; l < 3; ++l)
      s.order.lines.push_back(
          LineRequest{Key::of("SKU-" + std::to_string((i + l * 7) % kProducts)), 1, std::nullopt});
    c.body = std::move(s);
  }
  return c;
}

std::string temp_dir(const char* tag) {
  const char* base = getenv("TMPDIR");
  std::string t = std::string(base ? base : "/tmp") + "/credo-bench-" + tag + "-XXXXXX";
  if (mkdtemp(t.data()) == nullptr) std::abort();
  return t;
}

void BM_EncodeSubmitOrder(benchmark::State& state) {
  const Command c = workload(5000);
  std::string out, err;
  out.reserve(1 << 16);
  for (auto _ : state) {
    if (out.size() > 60000) out.clear();
    benchmark::DoNotOptimize(wal::append_record(c, out, &err));
  }
  std::string one;
  wal::append_record(c, one, &err);
  state.counters["record_bytes"] = static_cast<double>(one.size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EncodeSubmitOrder);

void BM_DecodeSubmitOrder(benchmark::State& state) {
  std::string body, err;
  encode_command(workload(5000), body, &err);
  Command c;
  for (auto _ : state) benchmark::DoNotOptimize(decode_command(body, &c, &err));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeSubmitOrder);

void BM_Crc32c(benchmark::State& state) {
  std::string data(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(crc32c::value(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
  state.SetLabel(crc32c::hardware_accelerated() ? "sse4.2" : "table");
}
BENCHMARK(BM_Crc32c)->Arg(64)->Arg(4096);

// Appends pre-built commands (the engine is not involved) and waits until all are durable.
void BM_JournalAppend(benchmark::State& state) {
  const Durability mode = static_cast<Durability>(state.range(0));
  const uint64_t n = static_cast<uint64_t>(state.range(1));
  std::vector<Command> cmds;
  for (uint64_t s = 1; s <= n; ++s) cmds.push_back(workload(s + kProducts + kCustomers));
  double records = 0, syncs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = temp_dir("append");
    Engine engine;
    Journal j;
    JournalOptions o;
    o.dir = dir;
    o.durability = mode;
    std::string err;
    if (!j.open(o, engine, nullptr, &err)) state.SkipWithError(err.c_str());
    state.ResumeTiming();
    for (uint64_t s = 1; s <= n; ++s) {
      cmds[s - 1].seq = s;
      j.append(cmds[s - 1]);
    }
    j.wait_durable(n);
    state.PauseTiming();
    const JournalStats st = j.stats();
    records += static_cast<double>(st.records);
    syncs += static_cast<double>(st.syncs);
    j.close(&err);
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
  state.counters["records_per_fsync"] = syncs > 0 ? records / syncs : 0;
  state.SetLabel(to_string(mode));
}
BENCHMARK(BM_JournalAppend)
    ->Args({static_cast<int>(Durability::none), 200'000})
    ->Args({static_cast<int>(Durability::batch), 200'000})
    ->Args({static_cast<int>(Durability::fsync), 200'000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Journals N submit_orders once (untimed), then times recovery: reading, CRC checks,
// decoding and Engine::apply of every record.
void BM_Replay(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  const std::string dir = temp_dir("replay");
  {
    Engine engine;
    Journal j;
    JournalOptions o;
    o.dir = dir;
    o.durability = Durability::none;
    std::string err;
    if (!j.open(o, engine, nullptr, &err)) state.SkipWithError(err.c_str());
    Result r;
    for (uint64_t s = 1; s <= n; ++s) {
      Command c = workload(s);
      engine.apply(c, r);
      if (!r.ok()) {
        state.SkipWithError(r.error.message.c_str());
        return;
      }
      j.append(c);
    }
    j.close(&err);
  }
  RecoveryReport rep;
  for (auto _ : state) {
    Engine engine;
    std::string err;
    RecoveryOptions o;
    o.modify = false;
    if (!recover(posix_file_system(), dir, o, engine, &rep, &err)) state.SkipWithError(err.c_str());
    state.SetIterationTime(rep.replay_seconds);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rep.records_replayed));
  state.counters["commands_per_s"] =
      rep.replay_seconds > 0 ? static_cast<double>(rep.records_replayed) / rep.replay_seconds : 0;
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Replay)->Arg(200'000)->Arg(2'000'000)->Iterations(1)->UseManualTime()->Unit(
    benchmark::kMillisecond);

// The same commands applied straight to an engine, no journal: the floor under BM_Replay.
void BM_ApplyOnly(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  std::vector<Command> cmds;
  cmds.reserve(n);
  for (uint64_t s = 1; s <= n; ++s) cmds.push_back(workload(s));
  for (auto _ : state) {
    Engine engine;
    Result r;
    for (const Command& c : cmds) engine.apply(c, r);
    benchmark::DoNotOptimize(r.ok());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_ApplyOnly)->Arg(200'000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace credo

BENCHMARK_MAIN();
