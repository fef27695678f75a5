// libFuzzer target for credo-edi's X12 and EDIFACT readers and the translation and
// acknowledgment writers behind them (edi/): any bytes as an input file, fed in chunks whose size
// the first byte picks, to both readers (each skips what is not its syntax). Checked besides "no
// crash, no hang, no ASan/UBSan report": feeding the same bytes in one chunk gives the same
// transaction sets / messages and diagnostics (chunking never changes the result); every
// transaction set handed out is inside a group; every 997, 855, CONTRL and ORDRSP the writers
// produce reads back through its reader with no envelope error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "edi/edifact_orders.h"
#include "edi/edifact_reader.h"
#include "edi/edifact_writer.h"
#include "edi/partner.h"
#include "edi/x12_855.h"
#include "edi/x12_orders.h"
#include "edi/x12_reader.h"
#include "edi/x12_writer.h"

namespace {

using namespace credo::edi;

const PartnerBook& book() {
  static const PartnerBook b = [] {
    std::string error;
    auto p = parse_partners(R"({"partners":[
      {"name":"acme","isa_id":"ACMEBUYER","unb_id":"ACMEBUYER","customer":"C1001","api_key":"k","product_qualifier":"BP",
       "xref":{"A-100":"BOLT-M8"},"uom":{"EA":1,"CA":12},"price":"send","terms":"NET 30"},
      {"name":"gw","buyer_codes":["1001"],"customer":"C1002","api_key":"k","product_qualifier":"VP"}]})",
                            &error);
    if (!p) std::abort();
    return *p;
  }();
  return b;
}

// Translates every set, writes its 997 and a made-up 855, and records a digest of what it saw.
struct Handler : X12Handler {
  std::string trace;
  std::string acks;
  Delimiters d;
  std::vector<SetAck> sets;
  bool in_group = false;
  void interchange_start(const Interchange& isa) override {
    trace += "I" + isa.control;
    d = isa.delimiters;
  }
  void group_start(const Interchange&, const Group& gs) override {
    trace += "G" + gs.control;
    in_group = true;
    sets.clear();
  }
  void transaction(const Interchange&, const Group&, TransactionSet& set) override {
    if (!in_group) std::abort();
    trace += "T" + set.control + ":" + std::to_string(set.segments.size()) + ":" + std::to_string(set.errors.size());
    PurchaseOrder po;
    std::string log;
    SetAck ack = translate_x12(set, book(), nullptr, &po, &log);
    trace += ack.code;
    if (ack.code != 'R') {
      Decision dec;
      dec.ok = true;
      dec.status = po.lines.size() % 3 == 0 ? "accepted" : po.lines.size() % 3 == 1 ? "held" : "rejected";
      dec.reasons = {{"INSUFFICIENT_STOCK", 0, 1}, {"CREDIT_LIMIT", -1, -1}, {"UNKNOWN_SKU", 99, -1}};
      for (const auto& l : po.lines) dec.lines.push_back({l.sku, l.qty, 1});
      std::string out;
      X12Writer w(Delimiters{}, &out);
      Envelope env;
      env.functional_id = "PR";
      w.begin(env);
      write_855(w, po, dec, acknowledge(po, dec), "20261206", "004010");
      w.end();
      acks += out;
    }
    sets.push_back(std::move(ack));
  }
  void group_end(const Interchange&, const Group& gs, const GroupEnd& end) override {
    trace += "E" + std::to_string(end.errors.size());
    in_group = false;
    std::string out;
    X12Writer w(Delimiters{}, &out);
    Envelope env;
    env.functional_id = "FA";
    w.begin(env);
    write_997(w, gs, sets, end);
    w.end();
    acks += out;
  }
  void interchange_end(const Interchange&, bool ok) override { trace += ok ? "Z" : "z"; }
  void diagnostic(const Diagnostic& diag) override { trace += "D" + std::to_string(diag.file_segment); }
};

// Reads what the writers produced: it must be clean.
struct Strict : X12Handler {
  void interchange_start(const Interchange&) override {}
  void group_start(const Interchange&, const Group&) override {}
  void transaction(const Interchange&, const Group&, TransactionSet& set) override {
    if (!set.errors.empty()) std::abort();
  }
  void group_end(const Interchange&, const Group&, const GroupEnd& end) override {
    if (!end.errors.empty()) std::abort();
  }
  void interchange_end(const Interchange&, bool ok) override {
    if (!ok) std::abort();
  }
  void diagnostic(const Diagnostic&) override { std::abort(); }
};

// EDIFACT: translates every message, writes its CONTRL entry and a made-up ORDRSP.
struct EdiHandler : EdifactHandler {
  std::string trace;
  std::string contrl, ordrsp;
  EdifactDelimiters d;
  EdifactInterchange unb;
  std::string ucm;
  std::size_t ucm_segments = 0;
  ContrlTally tally;
  static EdifactEnvelope envelope() {
    EdifactEnvelope e;
    e.sender_id = "CREDO";
    e.recipient_id = "PARTNER";
    e.date = "20261206";
    e.time = "1200";
    e.control = "1";
    return e;
  }
  void interchange_start(const EdifactInterchange& i) override {
    trace += "I" + i.control + (i.una ? "u" : "");
    unb = i;
    d = i.delimiters;
    ucm.clear();
    ucm_segments = 0;
  }
  void message(const EdifactInterchange&, EdifactMessage& msg) override {
    trace += "M" + msg.reference + ":" + std::to_string(msg.segments.size()) + ":" + std::to_string(msg.errors.size());
    PurchaseOrder po;
    std::string log;
    SetAck ack = translate_orders(msg, book(), book().find_edifact(unb.sender_id), &po, &log);
    trace += ack.code;
    EdifactWriter uw(d, &ucm);
    const std::size_t at = ucm.size();
    add_contrl(uw, msg, ack, &tally);
    for (std::size_t i = at; i < ucm.size(); ++i) ucm_segments += ucm[i] == '\n';
    if (ack.code != 'R') {
      Decision dec;
      dec.ok = true;
      dec.status = po.lines.size() % 3 == 0 ? "accepted" : po.lines.size() % 3 == 1 ? "held" : "rejected";
      dec.reasons = {{"INSUFFICIENT_STOCK", 0, 1}, {"CREDIT_LIMIT", -1, -1}};
      for (const auto& l : po.lines) dec.lines.push_back({l.sku, l.qty, 1});
      EdifactWriter w(d, &ordrsp);
      w.begin(envelope());
      write_ordrsp(w, po, dec, acknowledge(po, dec), "20261206", msg.release);
      w.end();
    }
  }
  void interchange_end(const EdifactInterchange& i, const EdifactEnd& end) override {
    trace += "Z" + std::to_string(end.errors.size()) + ":" + std::to_string(end.messages);
    EdifactWriter w(d, &contrl);
    w.begin(envelope());
    begin_contrl(w, i, end.errors);
    w.raw(ucm, ucm_segments);
    end_contrl(w);
    w.end();
  }
  void diagnostic(const EdifactDiagnostic& diag) override { trace += "D" + std::to_string(diag.file_segment); }
};

struct EdiStrict : EdifactHandler {
  void interchange_start(const EdifactInterchange&) override {}
  void message(const EdifactInterchange&, EdifactMessage& m) override {
    if (!m.errors.empty()) std::abort();
  }
  void interchange_end(const EdifactInterchange&, const EdifactEnd& end) override {
    if (!end.errors.empty()) std::abort();
  }
  void diagnostic(const EdifactDiagnostic&) override { std::abort(); }
};

void fuzz_edifact(std::string_view input, std::size_t chunk) {
  EdiHandler chunked;
  EdifactReader r1(chunked);
  for (std::size_t i = 0; i < input.size(); i += chunk) r1.feed(input.substr(i, chunk));
  r1.finish();
  EdiHandler whole;
  EdifactReader r2(whole);
  r2.feed(input);
  r2.finish();
  if (chunked.trace != whole.trace) std::abort();
  EdiStrict strict;
  EdifactReader r3(strict);
  r3.feed(whole.contrl);
  r3.feed(whole.ordrsp);
  r3.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Handler chunked;
  X12Reader r1(chunked);
  for (std::size_t i = 0; i < input.size(); i += chunk) r1.feed(input.substr(i, chunk));
  r1.finish();
  Handler whole;
  X12Reader r2(whole);
  r2.feed(input);
  r2.finish();
  if (chunked.trace != whole.trace) std::abort();
  Strict strict;
  X12Reader r3(strict);
  r3.feed(whole.acks);
  r3.finish();
  fuzz_edifact(input, chunk);
  return 0;
}
