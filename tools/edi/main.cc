// credo-edi: X12 purchase orders (850, 860) and EDIFACT ORDERS in, credo decisions out as 997 and
// 855 (or CONTRL and ORDRSP) acknowledgments (docs/edi.md). Modes: translate (no server), submit
// (files), watch (a drop folder).
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "edi/partner.h"
#include "tools/edi/files.h"

namespace {

using namespace credo;

bool load_partners(const std::string& path, edi::PartnerBook* book) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "credo-edi: cannot read the partner file " << path << '\n';
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string error;
  auto parsed = edi::parse_partners(ss.str(), &error);
  if (!parsed) {
    std::cerr << "credo-edi: " << path << ": " << error << '\n';
    return false;
  }
  *book = std::move(*parsed);
  return true;
}

}  // namespace

static int run_main(int argc, char** argv) {
  CLI::App app{"credo-edi: X12 850/860 and EDIFACT ORDERS purchase orders into credo; 997/855 or CONTRL/ORDRSP back"};
  app.footer(
      "Examples:\n"
      "  credo-edi translate --partners partners.json orders.x12          # orders as JSON, no server\n"
      "  cat orders.x12 | credo-edi translate --partners partners.json -  # from stdin\n"
      "  credo-edi submit --partners partners.json --port 7400 po1.x12 po2.x12\n"
      "        # submits, writes po1.x12.997 and po1.x12.855 beside each file\n"
      "  credo-edi submit --partners partners.json --out acks/ --state acks/state.json po.x12\n"
      "  credo-edi watch --partners partners.json --port 7400 /srv/edi/inbox\n"
      "        # drop folder: inbox/*.x12 -> work/ -> done/ or failed/, acknowledgments in out/\n"
      "  credo-edi submit --partners partners.json orders.edi\n"
      "        # EDIFACT (the file starts with UNA or UNB): writes orders.edi.contrl and orders.edi.ordrsp\n"
      "The syntax is taken from each file's first segment (ISA: X12; UNA/UNB: EDIFACT).\n"
      "The partner file and the codes: docs/edi.md.");
  app.require_subcommand(1);
  std::string partners;
  credo::edi_tool::ServerOptions server;
  std::string out_dir, state_file;
  std::vector<std::string> files;
  bool quiet = false;

  auto* translate = app.add_subcommand("translate", "read X12 or EDIFACT files (or - for stdin) and print one JSON line per order, no server");
  translate->add_option("--partners", partners, "trading-partner file (JSON, docs/edi.md)")->required();
  translate->add_option("--ack-dir", out_dir, "also write the 997 (or CONTRL) of each file into this directory");
  translate->add_option("files", files, "X12 files; - or none: stdin");

  auto* submit = app.add_subcommand("submit", "submit X12 or EDIFACT files to credo-server and write the acknowledgments (997+855 or CONTRL+ORDRSP)");
  submit->add_option("--partners", partners, "trading-partner file (JSON, docs/edi.md)")->required();
  submit->add_option("--host", server.host, "credo-server host")->capture_default_str();
  submit->add_option("--port", server.port, "credo-server port")->capture_default_str();
  submit->add_option("--batch", server.batch, "orders per submit_orders request (1..10000)")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  submit->add_option("--depth", server.depth, "submit_orders requests in flight")->check(CLI::Range(1, 8))->capture_default_str();
  submit->add_option("--out", out_dir, "write the acknowledgments here (default: beside each file)");
  submit->add_option("--state", state_file,
                     "control number state file (default: credo-edi-state.json in the output directory)");
  submit->add_flag("--quiet", quiet, "no per-set log lines (the summary only)");
  submit->add_option("files", files, "X12 files (- for stdin)")->required();

  std::string dir;
  bool once = false;
  int interval_ms = 1000;
  auto* watch = app.add_subcommand("watch", "a drop folder: submit every file put into DIR, acknowledgments to DIR/out");
  watch->add_option("--partners", partners, "trading-partner file (JSON, docs/edi.md)")->required();
  watch->add_option("--host", server.host, "credo-server host")->capture_default_str();
  watch->add_option("--port", server.port, "credo-server port")->capture_default_str();
  watch->add_option("--batch", server.batch, "orders per submit_orders request")->check(CLI::Range(1, 10000))->capture_default_str();
  watch->add_option("--interval-ms", interval_ms, "how often an empty folder is looked at")->capture_default_str();
  watch->add_flag("--once", once, "process what is there, then exit");
  watch->add_option("dir", dir, "the drop folder")->required();

  CLI11_PARSE(app, argc, argv);

  edi::PartnerBook book;
  if (!load_partners(partners, &book)) return 2;

  if (*watch) return edi_tool::watch(dir, book, server, once, interval_ms);

  edi_tool::RunOptions ro;
  ro.out_dir = out_dir;
  ro.quiet = quiet;
  edi::ControlState controls;
  std::string error;
  const bool is_submit = static_cast<bool>(*submit);
  if (is_submit) {
    if (state_file.empty()) state_file = (out_dir.empty() ? std::string(".") : out_dir) + "/credo-edi-state.json";
    ro.state_file = state_file;
    if (!edi_tool::load_state(state_file, &controls, &error)) {
      std::cerr << "credo-edi: " << error << '\n';
      return 2;
    }
  }
  if (files.empty()) files.emplace_back("-");
  int status = 0;
  for (const auto& f : files) {
    edi_tool::ServerBackend backend(server);
    edi_tool::FileResult r =
        edi_tool::process_file(f, book, &controls, is_submit ? &backend : nullptr, ro, !is_submit);
    std::cerr << f << ": " << r.stats.summary();
    if (!r.ack997.empty()) std::cerr << (r.ack997.ends_with(".contrl") ? "; CONTRL -> " : "; 997 -> ") << r.ack997;
    if (!r.ack855.empty()) std::cerr << (r.ack855.ends_with(".ordrsp") ? "; ORDRSP -> " : "; 855 -> ") << r.ack855;
    if (!r.ok) std::cerr << "; FAILED: " << r.error;
    std::cerr << '\n';
    if (!r.ok) status = 1;
  }
  return status;
}

// An exception that escapes (std::bad_alloc, a filesystem error) ends the program with its
// message and exit status 2 instead of std::terminate's abort.
int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "credo-edi: " << e.what() << '\n';
    return 2;
  }
}
