// Test helpers for credo-edi: X12 text written with the usual delimiters (* : ~) and turned
// into any other delimiter set, and a run of the tool's session over a string.
#pragma once

#include <string>
#include <vector>

#include "edi/partner.h"
#include "edi/x12_reader.h"
#include "tools/edi/session.h"

namespace credo::edi_test {

// Replaces * : ~ by the given delimiters; `line_break` goes after every terminator.
inline std::string with_delimiters(const std::string& text, char element, char component, char terminator,
                                   const std::string& line_break = "") {
  std::string out;
  for (char c : text) {
    if (c == '\n') continue;  // the source text's own line breaks are only for reading
    if (c == '*') out += element;
    else if (c == ':') out += component;
    else if (c == '~') {
      out += terminator;
      out += line_break;
    } else {
      out += c;
    }
  }
  return out;
}

// Splits acknowledgment text into segments (elements split), given its delimiters.
inline std::vector<std::vector<std::string>> segments_of(const std::string& text, char element = '*',
                                                         char terminator = '~') {
  std::vector<std::vector<std::string>> out;
  std::string seg;
  auto flush = [&] {
    while (!seg.empty() && (seg.front() == '\n' || seg.front() == '\r')) seg.erase(0, 1);
    if (seg.empty()) return;
    std::vector<std::string> el;
    std::size_t start = 0;
    while (true) {
      std::size_t e = seg.find(element, start);
      el.push_back(seg.substr(start, e == std::string::npos ? std::string::npos : e - start));
      if (e == std::string::npos) break;
      start = e + 1;
    }
    out.push_back(el);
    seg.clear();
  };
  for (char c : text) {
    if (c == terminator) flush();
    else seg += c;
  }
  flush();
  return out;
}

struct RunOutput {
  edi_tool::Stats stats;
  std::string ack997, ack855;
  std::vector<std::string> log;
  std::vector<std::string> orders;  // translate mode's JSON lines
};

// The session in translate mode (no server) over `text`, fed in chunks of `chunk` bytes.
inline RunOutput run_translate(const std::string& text, const edi::PartnerBook& book, std::size_t chunk = 1 << 20) {
  RunOutput r;
  edi::ControlState controls;
  edi_tool::SessionOptions o;
  o.date = "20261206";
  o.time = "1200";
  o.translate_only = true;
  o.emit = [&](const std::string& line) { r.orders.push_back(line); };
  o.log = [&](const std::string& line) { r.log.push_back(line); };
  o.drain = [&](std::string& a, std::string& b) {
    r.ack997 += a;
    r.ack855 += b;
    a.clear();
    b.clear();
  };
  edi_tool::Session s(book, &controls, nullptr, o);
  edi::X12Reader reader(s);
  for (std::size_t i = 0; i < text.size(); i += chunk) reader.feed(std::string_view(text).substr(i, chunk));
  reader.finish();
  r.ack997 += s.out997();
  r.stats = s.stats();
  return r;
}

}  // namespace credo::edi_test
