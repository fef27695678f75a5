#include "edi/x12_writer.h"

#include <cstdio>

namespace credo::edi {
namespace {

std::string pad(std::string_view s, std::size_t width) {
  std::string out(s.substr(0, width));
  out.resize(width, ' ');
  return out;
}

std::string digits(uint64_t n, int width) {
  char b[32];
  std::snprintf(b, sizeof b, "%0*llu", width, static_cast<unsigned long long>(n));
  return b;
}

}  // namespace

void X12Writer::put(std::string_view v) {
  for (char c : v) {
    const bool delimiter = c == d_.element || c == d_.segment || c == d_.component ||
                           (d_.repetition != 0 && c == d_.repetition) || c == '\n' || c == '\r';
    out_->push_back(delimiter ? ' ' : c);
  }
}

void X12Writer::finish_segment() {
  out_->push_back(d_.segment);
  if (d_.newline_after_segment) out_->push_back('\n');
  ++set_segments_;
}

void X12Writer::segment(std::initializer_list<std::string_view> elements) {
  std::size_t n = elements.size();
  const std::string_view* e = elements.begin();
  while (n > 1 && e[n - 1].empty()) --n;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out_->push_back(d_.element);
    put(e[i]);
  }
  finish_segment();
}

void X12Writer::segment(const std::vector<std::string>& elements) {
  std::size_t n = elements.size();
  while (n > 1 && elements[n - 1].empty()) --n;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out_->push_back(d_.element);
    put(elements[i]);
  }
  finish_segment();
}

void X12Writer::begin(const Envelope& env) {
  env_ = env;
  sets_ = 0;
  const char e = d_.element;
  std::string isa = "ISA";
  auto add = [&](std::string_view v) {
    isa.push_back(e);
    isa.append(v);
  };
  add("00");
  add(pad("", 10));
  add("00");
  add(pad("", 10));
  add(pad(env.sender_qualifier, 2));
  add(pad(env.sender_id, 15));
  add(pad(env.receiver_qualifier, 2));
  add(pad(env.receiver_id, 15));
  add(env.date.size() == 8 ? env.date.substr(2) : pad(env.date, 6));
  add(pad(env.time, 4));
  const bool v5 = env.isa_version >= "00501";
  add(std::string(1, v5 && d_.repetition != 0 ? d_.repetition : 'U'));
  add(pad(env.isa_version, 5));
  add(digits(env.isa_control % 1'000'000'000, 9));
  add("0");
  add(env.usage.empty() ? "P" : env.usage.substr(0, 1));
  add(std::string(1, d_.component));
  out_->append(isa);
  finish_segment();
  segment({"GS", env.functional_id, env.gs_sender, env.gs_receiver, env.date, env.time,
           std::to_string(env.gs_control), "X", env.gs_version});
}

void X12Writer::begin_set(std::string_view id, std::string_view convention) {
  ++sets_;
  set_control_ = digits(sets_, 4);
  set_segments_ = 0;
  segment({"ST", id, set_control_, convention});
}

void X12Writer::end_set() {
  const std::string count = std::to_string(set_segments_ + 1);
  segment({"SE", count, set_control_});
}

void X12Writer::end() {
  segment({"GE", std::to_string(sets_), std::to_string(env_.gs_control)});
  segment({"IEA", "1", digits(env_.isa_control % 1'000'000'000, 9)});
}

char group_ack_code(const AckTally& t, const GroupEnd& end) {
  if (!end.errors.empty()) return 'R';
  if (t.sets == 0) return 'A';
  if (t.accepted + t.with_errors == t.sets) return t.with_errors > 0 ? 'E' : 'A';
  if (t.accepted + t.with_errors == 0) return 'R';
  return 'P';
}

char group_ack_code(const std::vector<SetAck>& sets, const GroupEnd& end) {
  AckTally t;
  for (const auto& s : sets) {
    ++t.sets;
    if (s.code == 'A') ++t.accepted;
    if (s.code == 'E') ++t.with_errors;
  }
  return group_ack_code(t, end);
}

namespace {
bool is5010(const std::string& version) { return version.rfind("00501", 0) == 0; }
}  // namespace

void begin_997(X12Writer& w, const Group& gs) {
  const bool v5 = is5010(gs.version);
  w.begin_set("997", v5 ? gs.version : "");
  w.segment({"AK1", gs.functional_id, gs.control, v5 ? gs.version : ""});
}

void add_997(X12Writer& w, const Group& gs, const SetAck& s, AckTally* t) {
  w.segment({"AK2", s.id, s.control, is5010(gs.version) ? gs.version : ""});
  for (const auto& se : s.segment_errors) {
    w.segment({"AK3", se.tag, std::to_string(se.position), "", std::to_string(se.code)});
    for (const auto& ee : se.elements) {
      w.segment({"AK4", std::to_string(ee.position), "", std::to_string(ee.code), ee.bad_value});
    }
  }
  std::vector<std::string> ak5{"AK5", std::string(1, s.code)};
  for (std::size_t i = 0; i < s.set_errors.size() && i < 5; ++i) ak5.push_back(std::to_string(s.set_errors[i]));
  w.segment(ak5);
  ++t->sets;
  if (s.code == 'A') ++t->accepted;
  if (s.code == 'E') ++t->with_errors;
}

void end_997(X12Writer& w, const GroupEnd& end, const AckTally& t) {
  std::vector<std::string> ak9{"AK9", std::string(1, group_ack_code(t, end)),
                               end.claimed_sets.empty() ? std::to_string(end.sets_received) : end.claimed_sets,
                               std::to_string(t.sets), std::to_string(t.accepted + t.with_errors)};
  for (std::size_t i = 0; i < end.errors.size() && i < 5; ++i) ak9.push_back(std::to_string(end.errors[i]));
  w.segment(ak9);
  w.end_set();
}

void write_997(X12Writer& w, const Group& gs, const std::vector<SetAck>& sets, const GroupEnd& end) {
  AckTally t;
  begin_997(w, gs);
  for (const auto& s : sets) add_997(w, gs, s, &t);
  end_997(w, end, t);
}

}  // namespace credo::edi
