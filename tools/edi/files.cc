#include "tools/edi/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <system_error>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "edi/edifact_reader.h"
#include "edi/x12_reader.h"
#include "tools/edi/edifact_session.h"

namespace credo::edi_tool {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

std::string utc(const char* fmt) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char b[32];
  (void)std::strftime(b, sizeof b, fmt, &tm);
  return b;
}

bool append_file(std::FILE* f, std::string& data) {
  if (data.empty()) return true;
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  data.clear();
  return ok;
}

bool finish_file(std::FILE* f, const std::string& tmp, const std::string& final_path, std::string* error) {
  bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), final_path.c_str()) != 0) {
    *error = "cannot write " + final_path + ": " + errno_text();
    (void)std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

std::string utc_date() { return utc("%Y%m%d"); }
std::string utc_time() { return utc("%H%M"); }

bool write_atomically(const std::string& path, const std::string& data, std::string* error) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    *error = "cannot write " + tmp + ": " + errno_text();
    return false;
  }
  std::string copy = data;
  if (!append_file(f, copy)) {
    (void)std::fclose(f);
    *error = "cannot write " + tmp;
    return false;
  }
  return finish_file(f, tmp, path, error);
}

bool load_state(const std::string& path, edi::ControlState* s, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *s = edi::ControlState{};
    return true;  // no state yet: numbers start at 1
  }
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = edi::parse_control_state(ss.str(), error);
  if (!parsed) {
    *error = path + ": " + *error;
    return false;
  }
  *s = std::move(*parsed);
  return true;
}

bool save_state(const std::string& path, const edi::ControlState& s, std::string* error) {
  return write_atomically(path, s.to_json(), error);
}

FileResult process_file(const std::string& path, const edi::PartnerBook& book, edi::ControlState* controls,
                        Backend* backend, const RunOptions& o, bool translate_only) {
  FileResult r;
  const bool is_stdin = path == "-";
  std::FILE* in = is_stdin ? stdin : std::fopen(path.c_str(), "rb");
  if (in == nullptr) {
    r.error = "cannot open " + path + ": " + errno_text();
    return r;
  }
  const std::string base = is_stdin ? "stdin" : fs::path(path).filename().string();
  const std::string dir = !o.out_dir.empty() ? o.out_dir : is_stdin ? "." : fs::path(path).parent_path().string();
  // The syntax from the first bytes: ISA (X12) or UNA/UNB (EDIFACT).
  std::string chunk(1 << 20, '\0');
  std::size_t first = std::fread(chunk.data(), 1, chunk.size(), in);
  const bool edifact = edi::detect_syntax(std::string_view(chunk.data(), first)) == "edifact";
  const std::string p997 = (dir.empty() ? "" : dir + "/") + base + (edifact ? ".contrl" : ".997");
  const std::string p855 = (dir.empty() ? "" : dir + "/") + base + (edifact ? ".ordrsp" : ".855");
  std::FILE* f997 = nullptr;
  std::FILE* f855 = nullptr;
  bool write_ok = true;
  SessionOptions so;
  so.date = utc_date();
  so.time = utc_time();
  so.translate_only = translate_only;
  so.emit = [](const std::string& line) { std::cout << line << '\n'; };
  so.log = [&base, &o](const std::string& line) {
    if (!o.quiet) std::cerr << base << ": " << line << '\n';
  };
  so.progress = [&base](const Stats& s) {
    std::cerr << base << ": progress: " << s.pos << " POs, " << s.lines << " lines, accepted " << s.accepted
              << ", held " << s.held << ", rejected " << s.rejected << '\n';
  };
  auto drain = [&](std::string& a997, std::string& a855) {
    if (translate_only && o.out_dir.empty()) {
      a997.clear();
      a855.clear();
      return;
    }
    if (!a997.empty() && f997 == nullptr) f997 = std::fopen((p997 + ".tmp").c_str(), "wb");
    if (!a855.empty() && f855 == nullptr) f855 = std::fopen((p855 + ".tmp").c_str(), "wb");
    if ((!a997.empty() && f997 == nullptr) || (!a855.empty() && f855 == nullptr)) write_ok = false;
    if (f997 != nullptr) write_ok = append_file(f997, a997) && write_ok;
    if (f855 != nullptr) write_ok = append_file(f855, a855) && write_ok;
    a997.clear();
    a855.clear();
  };
  so.drain = drain;
  auto read_all = [&](auto& reader) {
    std::size_t n = first;
    while (true) {
      if (n > 0) reader.feed(std::string_view(chunk.data(), n));
      if (n < chunk.size()) break;
      n = std::fread(chunk.data(), 1, chunk.size(), in);
    }
  };
  bool controls_changed = false;
  if (edifact) {
    EdifactSession session(book, controls, backend, so);
    edi::EdifactReader reader(session);
    read_all(reader);
    reader.finish();
    if (backend != nullptr) backend->flush();
    drain(session.out_contrl(), session.out_ordrsp());
    r.stats = session.stats();
    controls_changed = session.controls_changed();
  } else {
    Session session(book, controls, backend, so);
    edi::X12Reader reader(session);
    read_all(reader);
    reader.finish();
    if (backend != nullptr) backend->flush();
    drain(session.out997(), session.out855());
    r.stats = session.stats();
    controls_changed = session.controls_changed();
  }
  const bool read_error = std::ferror(in) != 0;
  if (!is_stdin) (void)std::fclose(in);
  std::string why;
  if (backend != nullptr && backend->failed(&why)) r.error = why;
  if (read_error) r.error = "cannot read " + path;
  if (!write_ok) r.error = "cannot write the acknowledgments in " + dir;
  // The control numbers the acknowledgments use are durable before the acknowledgments appear.
  if (controls_changed && !o.state_file.empty() && !save_state(o.state_file, *controls, &why)) {
    r.error = why;
  }
  if (f997 != nullptr && finish_file(f997, p997 + ".tmp", p997, &why)) r.ack997 = p997;
  if (f855 != nullptr && finish_file(f855, p855 + ".tmp", p855, &why)) r.ack855 = p855;
  if (r.stats.interchanges == 0 && r.error.empty()) r.error = "no X12 interchange (ISA) nor EDIFACT interchange (UNB) in the file";
  r.ok = r.error.empty();
  return r;
}

int watch(const std::string& dir, const edi::PartnerBook& book, const ServerOptions& server, bool once,
          int interval_ms) {
  std::error_code ec;
  for (const char* sub : {"work", "done", "failed", "out"}) fs::create_directories(dir + "/" + sub, ec);
  if (ec) {
    std::cerr << "credo-edi watch: cannot create the folders in " << dir << ": " << ec.message() << '\n';
    return 1;
  }
  RunOptions ro;
  ro.out_dir = dir + "/out";
  ro.state_file = dir + "/.credo-edi-state.json";
  edi::ControlState controls;
  std::string error;
  if (!load_state(ro.state_file, &controls, &error)) {
    std::cerr << "credo-edi watch: " << error << '\n';
    return 1;
  }
  auto run_one = [&](const fs::path& claimed) {
    ServerBackend backend(server);
    FileResult r = process_file(claimed.string(), book, &controls, &backend, ro, false);
    const std::string target = dir + (r.ok ? "/done/" : "/failed/") + claimed.filename().string();
    fs::rename(claimed, target, ec);
    std::cerr << claimed.filename().string() << ": " << r.stats.summary()
              << (r.ok ? "" : "; FAILED: " + r.error) << " -> " << (r.ok ? "done/" : "failed/") << '\n';
  };
  // Files a crash left in work/: again (idempotent).
  for (const auto& e : fs::directory_iterator(dir + "/work", ec)) {
    if (e.is_regular_file()) run_one(e.path());
  }
  while (true) {
    bool any = false;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (!e.is_regular_file() || name.empty() || name[0] == '.') continue;
      if (name.size() > 4 && (name.ends_with(".tmp") || name.ends_with(".part"))) continue;
      files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const fs::path claimed = fs::path(dir) / "work" / f.filename();
      // The claim is a rename: atomic, and a file another watcher took is simply gone.
      if (std::rename(f.c_str(), claimed.c_str()) != 0) continue;
      any = true;
      run_one(claimed);
    }
    if (once && !any) return 0;
    if (!any) std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
}

}  // namespace credo::edi_tool
