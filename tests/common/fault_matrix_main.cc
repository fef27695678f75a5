// credo-fault-matrix: renders the rows the tests recorded (fault_matrix.h) into
// docs/reliability.md's table, or checks that the document matches them.
//
//   credo-fault-matrix render <rows-dir>              the table, on stdout
//   credo-fault-matrix write  <rows-dir> <doc.md>     replace the table in the document
//   credo-fault-matrix check  <rows-dir> <doc.md> [--strict]
//
// The table sits between the lines "<!-- fault-matrix:begin -->" and "<!-- fault-matrix:end -->";
// the prose around it is written by hand. check fails when a row the tests recorded is missing
// from the document (the document is incomplete) and, with --strict (CI runs the whole suite),
// also when the document has a row no test recorded (it claims something untested).
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {

constexpr std::string_view kBegin = "<!-- fault-matrix:begin -->";
constexpr std::string_view kEnd = "<!-- fault-matrix:end -->";

struct Row {
  std::string area, fault, test, observed;
  auto key() const { return std::tie(area, fault, test, observed); }
  bool operator<(const Row& o) const { return key() < o.key(); }
};

// A cell of a Markdown table: '|' would end it, a newline would end the row.
std::string cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

bool read_rows(const std::string& dir, std::set<Row>* rows, std::string* error) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    *error = dir + ": no such directory (run the tests first)";
    return false;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  simdjson::ondemand::parser parser;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string line;
    int line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      simdjson::padded_string padded(line);
      Row row;
      std::string_view area, fault, test, observed;
      simdjson::ondemand::document doc;
      auto err = parser.iterate(padded).get(doc);
      if (!err) err = doc["area"].get_string().get(area);
      if (!err) err = doc["fault"].get_string().get(fault);
      if (!err) err = doc["test"].get_string().get(test);
      if (!err) err = doc["observed"].get_string().get(observed);
      if (err) {
        *error = path.string() + ":" + std::to_string(line_no) + ": not a row (" +
                 simdjson::error_message(err) + ")";
        return false;
      }
      rows->insert(Row{std::string(area), std::string(fault), std::string(test),
                       std::string(observed)});
    }
  }
  return true;
}

std::string render(const std::set<Row>& rows) {
  std::ostringstream out;
  out << "| Area | Fault or bad input | How it is tested | Observed |\n";
  out << "|---|---|---|---|\n";
  for (const Row& r : rows) {
    out << "| " << cell(r.area) << " | " << cell(r.fault) << " | `" << cell(r.test) << "` | "
        << cell(r.observed) << " |\n";
  }
  return out.str();
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Splits the document around its table: [0, body_begin) and [body_end, end) are kept.
bool find_table(const std::string& doc, size_t* body_begin, size_t* body_end) {
  size_t b = doc.find(kBegin);
  size_t e = doc.find(kEnd);
  if (b == std::string::npos || e == std::string::npos || e < b) return false;
  *body_begin = doc.find('\n', b) + 1;
  *body_end = e;
  return true;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| ", 0) == 0 && line.rfind("| Area ", 0) != 0) out.push_back(line);
  }
  return out;
}

int usage() {
  std::fprintf(stderr,
               "usage: credo-fault-matrix render <rows-dir>\n"
               "       credo-fault-matrix write <rows-dir> <doc.md>\n"
               "       credo-fault-matrix check <rows-dir> <doc.md> [--strict]\n"
               "Renders the fault rows the tests recorded (build/fault-matrix) into the table of\n"
               "docs/reliability.md, or checks the document against them.\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") return usage();
  const std::string& cmd = args[0];
  if (args.size() < 2) return usage();
  std::set<Row> rows;
  std::string error;
  if (!read_rows(args[1], &rows, &error)) {
    std::fprintf(stderr, "credo-fault-matrix: %s\n", error.c_str());
    return 1;
  }
  std::string table = render(rows);
  if (cmd == "render") {
    std::fputs(table.c_str(), stdout);
    return 0;
  }
  if ((cmd != "write" && cmd != "check") || args.size() < 3) return usage();
  const std::string& doc_path = args[2];
  std::string doc;
  size_t b = 0, e = 0;
  if (!read_file(doc_path, &doc) || !find_table(doc, &b, &e)) {
    std::fprintf(stderr, "credo-fault-matrix: %s: cannot read it, or it lacks the %s / %s lines\n",
                 doc_path.c_str(), std::string(kBegin).c_str(), std::string(kEnd).c_str());
    return 1;
  }
  if (cmd == "write") {
    std::string out = doc.substr(0, b) + table + doc.substr(e);
    std::ofstream f(doc_path, std::ios::binary | std::ios::trunc);
    f << out;
    if (!f) {
      std::fprintf(stderr, "credo-fault-matrix: cannot write %s\n", doc_path.c_str());
      return 1;
    }
    std::printf("%s: %zu rows\n", doc_path.c_str(), rows.size());
    return 0;
  }
  bool strict = args.size() > 3 && args[3] == "--strict";
  std::vector<std::string> have = lines_of(doc.substr(b, e - b));
  std::vector<std::string> want = lines_of(table);
  std::set<std::string> have_set(have.begin(), have.end()), want_set(want.begin(), want.end());
  int missing = 0, untested = 0;
  for (const auto& l : want) {
    if (!have_set.count(l)) {
      if (missing++ == 0) std::fprintf(stderr, "rows the tests recorded that %s lacks:\n", doc_path.c_str());
      std::fprintf(stderr, "  %s\n", l.c_str());
    }
  }
  if (strict) {
    for (const auto& l : have) {
      if (!want_set.count(l)) {
        if (untested++ == 0) std::fprintf(stderr, "rows of %s that no test recorded:\n", doc_path.c_str());
        std::fprintf(stderr, "  %s\n", l.c_str());
      }
    }
  }
  if (missing + untested > 0) {
    std::fprintf(stderr,
                 "credo-fault-matrix: %s does not match what the tests observed (%d missing, %d "
                 "untested); regenerate it with scripts/fault-matrix.sh\n",
                 doc_path.c_str(), missing, untested);
    return 1;
  }
  std::printf("%s: all %zu rows match what the tests observed%s\n", doc_path.c_str(), want.size(),
              strict ? "" : " (rows of suites not run are not checked)");
  return 0;
}
