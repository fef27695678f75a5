// credo-edi end to end with EDIFACT against the real credo-server (--demo world): the tool reads
// an ORDERS file (detected by its UNA), submits the orders, and writes the CONTRL (UCI, a UCM
// per message) and the ORDRSP (BGM 231; LIN action 5 accepted, 3 changed or held, 7 not
// accepted; FTX reasons) beside it; a cancellation (BGM function 1) cancels an order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "edi/edifact_reader.h"
#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"

namespace credo::edi_test {
namespace {

const char* kPartners = R"({"partners":[
  {"name":"acme","unb_id":"ACMEBUYER","customer":"C1001",
   "api_key":"demo-order","product_qualifier":"BP","xref":{"A-100":"BOLT-M8","A-200":"NUT-M8","A-300":"SEALANT-300"},
   "uom":{"EA":1,"PCE":1,"CT":12},"price":"send","our_id":"CREDOSELLER"},
  {"name":"gateway","buyers":{"4410":"C1004","1010":"C1010","2002":"C1002"},
   "api_key":"demo-order","product_qualifier":"VP","uom":{"EA":1,"PCE":1},"price":"list"}]})";

// One ORDERS message; lines are "LIN...'QTY...'PRI..." fragments (terminated by ').
std::string orders(const std::string& ref, const std::string& po, const std::string& function, const std::string& buyer,
                   const std::vector<std::string>& lines, const std::string& release = "96A") {
  std::string body = "BGM+220+" + po + "+" + function + "'DTM+137:20261206:102'DTM+2:20261220:102'NAD+BY+" + buyer +
                     "::92'";
  int segments = 6;  // UNH BGM DTM DTM NAD ... UNT
  for (const auto& l : lines) {
    body += l;
    for (char c : l) segments += c == '\'';
  }
  body += "UNS+S'CNT+2:" + std::to_string(lines.size()) + "'";
  segments += 2;
  return "UNH+" + ref + "+ORDERS:D:" + release + ":UN'" + body + "UNT+" + std::to_string(segments) + "+" + ref + "'";
}

std::string interchange(const std::string& sender, const std::string& control, const std::string& msgs, int n) {
  return "UNA:+.? '\nUNB+UNOC:3+" + sender + ":ZZ+CREDOSELLER:ZZ+261206:0930+" + control + "'\n" + msgs + "UNZ+" +
         std::to_string(n) + "+" + control + "'\n";
}

struct Collected : edi::EdifactHandler {
  std::vector<edi::EdifactMessage> messages;
  std::size_t problems = 0;
  void interchange_start(const edi::EdifactInterchange&) override {}
  void message(const edi::EdifactInterchange&, edi::EdifactMessage& m) override {
    problems += m.errors.size();
    messages.push_back(m);
  }
  void interchange_end(const edi::EdifactInterchange&, const edi::EdifactEnd& e) override { problems += e.errors.size(); }
  void diagnostic(const edi::EdifactDiagnostic&) override { ++problems; }
};

Collected read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  Collected c;
  edi::EdifactReader r(c);
  r.feed(ss.str());
  r.finish();
  return c;
}

struct Response {
  std::string function;          // BGM 1225
  std::vector<std::string> lins;  // LIN 1229 per line
  std::vector<std::string> ftx;
  std::vector<std::string> prices;
};

// ORDRSP messages by the order number (RFF+ON).
std::map<std::string, Response> responses(const Collected& c) {
  std::map<std::string, Response> out;
  for (const auto& m : c.messages) {
    Response r;
    std::string po;
    for (const auto& s : m.segments) {
      if (s.tag() == "BGM") r.function = s.c(3);
      if (s.tag() == "RFF" && s.c(1, 1) == "ON") po = s.c(1, 2);
      if (s.tag() == "LIN") r.lins.push_back(s.c(2));
      if (s.tag() == "FTX") r.ftx.push_back(s.c(4));
      if (s.tag() == "PRI") r.prices.push_back(s.c(1, 2));
    }
    out[po] = r;
  }
  return out;
}

void write(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

TEST(EdifactServer, OrdersInOrdrspAndContrlOutWithLineActions) {
  test::ServerProcess server({"--demo"});
  ASSERT_TRUE(server.running());
  test::TempDir dir("edifact");
  write(dir.file("partners.json"), kPartners);
  const std::string acme = interchange(
      "ACMEBUYER", "EU0001",
      orders("1", "PO-EA", "9", "1001", {"LIN+1++A-100:BP'QTY+21:10:EA'PRI+AAA:12.50'", "LIN+2++A-200:BP'QTY+21:2:CT'PRI+AAA:78'"}) +
          orders("2", "PO-ED", "9", "1001", {"LIN+1++A-300:BP'QTY+21:99:EA'", "LIN+2++A-100:BP'QTY+21:1:EA'"}) +
          orders("3", "PO-EX", "9", "1001", {"LIN+1++A-100:BP'"}),  // no QTY: rejected in the CONTRL
      3);
  const std::string gateway = interchange(
      "GATEWAY", "GW0001",
      orders("1", "PO-EH", "9", "4410", {"LIN+1++TIE-300:SA'QTY+21:5:PCE'"}) +
          orders("2", "PO-EP", "9", "2002", {"LIN+1++BOLT-M8:SA'QTY+21:4:EA'PRI+AAA:11.00'"}, "01B"),
      2);
  write(dir.file("orders.edi"), acme + gateway);
  const std::string submit = std::string(CREDO_EDI_BIN) + " submit --partners " + dir.file("partners.json") +
                             " --port " + std::to_string(server.port()) + " --out " + dir.path() + " ";
  auto r = test::run_command(submit + dir.file("orders.edi") + " 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 interchange(s), 5 message(s): 4 PO(s), 6 line(s); accepted 2, held 1, rejected 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("refused in the CONTRL 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CONTRL -> "), std::string::npos) << r.out;

  Collected contrl = read_file(dir.file("orders.edi.contrl"));
  EXPECT_EQ(contrl.problems, 0u);
  ASSERT_EQ(contrl.messages.size(), 2u);  // one CONTRL per interchange
  std::vector<std::string> ucm;
  for (const auto& m : contrl.messages) {
    EXPECT_EQ(m.type, "CONTRL");
    for (const auto& s : m.segments) {
      if (s.tag() == "UCI") ucm.push_back("UCI " + s.c(1) + " " + s.c(4));
      if (s.tag() == "UCM") ucm.push_back("UCM " + s.c(1) + " " + s.c(3));
    }
  }
  EXPECT_EQ(ucm, (std::vector<std::string>{"UCI EU0001 7", "UCM 1 7", "UCM 2 7", "UCM 3 4", "UCI GW0001 7",
                                           "UCM 1 7", "UCM 2 7"}));

  Collected ordrsp = read_file(dir.file("orders.edi.ordrsp"));
  EXPECT_EQ(ordrsp.problems, 0u);
  std::vector<std::string> releases;
  for (const auto& m : ordrsp.messages) releases.push_back(m.type + ":" + m.release);
  // Each ORDRSP in its ORDERS' release (PO-EP was D.01B).
  EXPECT_EQ(releases, (std::vector<std::string>{"ORDRSP:96A", "ORDRSP:96A", "ORDRSP:96A", "ORDRSP:01B"}));
  auto resp = responses(ordrsp);
  ASSERT_EQ(resp.size(), 4u);
  EXPECT_EQ(resp["PO-EA"].function, "29");  // accepted without amendment
  EXPECT_EQ(resp["PO-EA"].lins, (std::vector<std::string>{"5", "5"}));
  EXPECT_EQ(resp["PO-ED"].function, "27");  // not accepted: SEALANT-300 short of stock
  EXPECT_EQ(resp["PO-ED"].lins, (std::vector<std::string>{"7", "7"}));
  ASSERT_FALSE(resp["PO-ED"].ftx.empty());
  EXPECT_NE(resp["PO-ED"].ftx[0].find("INSUFFICIENT_STOCK"), std::string::npos);
  EXPECT_EQ(resp["PO-EH"].function, "4");  // held (C1004 overdue)
  EXPECT_EQ(resp["PO-EH"].lins, (std::vector<std::string>{"3"}));
  EXPECT_EQ(resp["PO-EP"].lins, (std::vector<std::string>{"3"}));  // list price instead of 11.00
  EXPECT_EQ(resp["PO-EP"].prices, (std::vector<std::string>{"12.5"}));

  // translate (no server) reads the same file from stdin: one JSON line per order, the bad one
  // refused.
  auto t = test::run_command(std::string(CREDO_EDI_BIN) + " translate --partners " + dir.file("partners.json") +
                             " - < " + dir.file("orders.edi") + " 2>/dev/null");
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_EQ(std::count(t.out.begin(), t.out.end(), '\n'), 4) << t.out;
  EXPECT_NE(t.out.find(R"("client_order_id":"PO-EP")"), std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("PO-EX"), std::string::npos) << t.out;

  // The same file again: duplicates, the same ORDRSP content.
  auto r2 = test::run_command(submit + dir.file("orders.edi") + " 2>&1");
  EXPECT_NE(r2.out.find("4 duplicate"), std::string::npos) << r2.out;
  auto again = responses(read_file(dir.file("orders.edi.ordrsp")));
  EXPECT_EQ(again["PO-EA"].lins, resp["PO-EA"].lins);
  EXPECT_EQ(again["PO-ED"].function, "27");

  // A cancellation (BGM function 1) of PO-EA.
  write(dir.file("cancel.edi"), interchange("ACMEBUYER", "EU0002", orders("1", "PO-EA", "1", "1001", {}), 1));
  auto c = test::run_command(submit + dir.file("cancel.edi") + " 2>&1");
  EXPECT_EQ(c.exit_code, 0) << c.out;
  auto cancelled = responses(read_file(dir.file("cancel.edi.ordrsp")));
  EXPECT_EQ(cancelled["PO-EA"].function, "29");
  test::Client admin(server.port());
  ASSERT_TRUE(admin.hello(test::kAdminKey));
  test::Json order(admin.call(R"({"op":"get_order","customer":"C1001","client_order_id":"PO-EA"})"));
  EXPECT_EQ(order.str("/status"), "cancelled");
  test::Json held(admin.call(R"({"op":"get_order","customer":"C1004","client_order_id":"PO-EH"})"));
  EXPECT_EQ(held.str("/status"), "held");
}

}  // namespace
}  // namespace credo::edi_test
