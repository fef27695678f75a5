// credo-edi end to end against the real credo-server (--demo world): 850s whose orders are
// accepted, held, rejected and short of stock give the right 855 codes; the same file again
// changes nothing and gives the same acknowledgments; an 850 cancel and an 860 change act on
// the order. The 850/860 text follows the X12 segment layouts (BEG, BCH, N1, PO1, POC, CTT).
#include <gtest/gtest.h>

#include <unistd.h>

#include <map>

#include "tests/common/json_answer.h"
#include "tests/common/line_client.h"
#include "tests/common/run_command.h"
#include "tests/common/server_process.h"
#include "tests/common/temp_dir.h"
#include "tests/edi/edi_test_util.h"
#include "tools/edi/backend.h"

namespace credo::edi_test {
namespace {

const char* kPartners = R"({"partners":[
  {"name":"acme","isa_qualifier":"ZZ","isa_id":"ACMEBUYER","gs_id":"ACMEBUYER","customer":"C1001",
   "api_key":"demo-order","product_qualifier":"BP","xref":{"A-100":"BOLT-M8","A-200":"NUT-M8","A-300":"SEALANT-300"},
   "uom":{"EA":1,"CA":12},"price":"send","our_id":"CREDOSELLER","our_gs_id":"CREDO"},
  {"name":"gateway","gs_id":"GATEWAY","buyers":{"4410":"C1004","1010":"C1010","2002":"C1002"},
   "api_key":"demo-order","product_qualifier":"VP","price":"list"}]})";

const char* kIsa = "ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*CREDOSELLER    *261206*0930*U*00401*000000201*0*P*:~";

std::string set850(const std::string& control, const std::string& purpose, const std::string& po,
                   const std::string& buyer, const std::vector<std::string>& po1s) {
  std::string s = "ST*850*" + control + "~BEG*" + purpose + "*SA*" + po + "**20261206~N1*BY*Buyer*92*" + buyer + "~";
  for (const auto& l : po1s) s += l + "~";
  s += "CTT*" + std::to_string(po1s.size()) + "~";
  s += "SE*" + std::to_string(5 + po1s.size()) + "*" + control + "~";
  return s;
}

std::string group(const std::string& sender, const std::string& control, const std::string& sets, int n,
                  const std::string& id = "PO") {
  return "GS*" + id + "*" + sender + "*CREDO*20261206*0930*" + control + "*X*004010~" + sets + "GE*" +
         std::to_string(n) + "*" + control + "~";
}

std::string interchange(const std::string& groups, int n, const std::string& control = "000000201") {
  std::string isa = kIsa;
  isa.replace(90, 9, control);
  return isa + groups + "IEA*" + std::to_string(n) + "*" + control + "~";
}

RunOutput run_submit(const std::string& text, const edi::PartnerBook& book, uint16_t port, edi::ControlState* controls) {
  RunOutput r;
  edi_tool::ServerOptions so;
  so.port = port;
  so.batch = 2;  // several batches in flight even for a small file
  so.depth = 2;
  edi_tool::ServerBackend backend(so);
  edi_tool::SessionOptions o;
  o.date = "20261206";
  o.time = "1200";
  o.log = [&](const std::string& line) { r.log.push_back(line); };
  o.drain = [&](std::string& a, std::string& b) {
    r.ack997 += a;
    r.ack855 += b;
    a.clear();
    b.clear();
  };
  edi_tool::Session s(book, controls, &backend, o);
  edi::X12Reader reader(s);
  reader.feed(text);
  reader.finish();
  backend.flush();
  r.ack997 += s.out997();
  r.ack855 += s.out855();
  r.stats = s.stats();
  std::string why;
  EXPECT_FALSE(backend.failed(&why)) << why;
  return r;
}

struct Ack855 {
  std::string purpose, type, order_no;
  std::vector<std::string> lines;  // ACK01 per line
  std::vector<std::string> messages;
};

std::map<std::string, Ack855> acks_by_po(const std::string& text) {
  std::map<std::string, Ack855> out;
  Ack855* cur = nullptr;
  for (const auto& s : segments_of(text)) {
    if (s[0] == "BAK") {
      cur = &out[s[3]];
      cur->purpose = s[1];
      cur->type = s[2];
      cur->order_no = s.size() > 8 ? s[8] : "";
    } else if (s[0] == "ACK" && cur != nullptr) {
      cur->lines.push_back(s[1]);
    } else if (s[0] == "MSG" && cur != nullptr) {
      cur->messages.push_back(s[1]);
    }
  }
  return out;
}

std::string without_envelopes(const std::string& text) {
  std::string out;
  for (const auto& s : segments_of(text)) {
    if (s[0] == "ISA" || s[0] == "GS" || s[0] == "GE" || s[0] == "IEA") continue;
    for (const auto& e : s) out += e + "*";
    out += "~";
  }
  return out;
}

TEST(EdiServer, DecisionsBecome855LineCodesAndResubmittingChangesNothing) {
  test::ServerProcess server({"--demo"});
  ASSERT_TRUE(server.running());
  std::string error;
  auto book = edi::parse_partners(kPartners, &error);
  ASSERT_TRUE(book) << error;
  const std::string acme = group(
      "ACMEBUYER", "501",
      set850("0001", "00", "PO-A", "1001", {"PO1*1*10*EA*12.50**BP*A-100", "PO1*2*2*CA*78**BP*A-200"}) +
          set850("0002", "00", "PO-D", "1001", {"PO1*1*99*EA*5.90**BP*A-300", "PO1*2*1*EA*12.50**BP*A-100"}),
      2);
  const std::string gateway = group(
      "GATEWAY", "601",
      set850("0001", "00", "PO-H", "4410", {"PO1*1*5*EA*6.90**VP*TIE-300"}) +
          set850("0002", "00", "PO-R", "1010", {"PO1*1*1*EA*4.80**VP*WASHER-M8"}) +
          set850("0003", "00", "PO-P", "2002", {"PO1*1*4*EA*11.00**VP*BOLT-M8"}),
      3);
  const std::string file = interchange(acme + gateway, 2);
  edi::ControlState controls;
  RunOutput first = run_submit(file, *book, server.port(), &controls);
  for (const auto& l : first.log) ADD_FAILURE() << "unexpected log line: " << l;
  EXPECT_EQ(first.stats.pos, 5u);
  EXPECT_EQ(first.stats.accepted, 2u);
  EXPECT_EQ(first.stats.held, 1u);
  EXPECT_EQ(first.stats.rejected, 2u);
  auto acks = acks_by_po(first.ack855);
  ASSERT_EQ(acks.size(), 5u) << first.ack855;
  EXPECT_EQ(acks["PO-A"].type, "AD");
  EXPECT_EQ(acks["PO-A"].lines, (std::vector<std::string>{"IA", "IA"}));
  EXPECT_EQ(acks["PO-D"].type, "RD");  // SEALANT-300: 5 in stock, 99 wanted
  EXPECT_EQ(acks["PO-D"].lines, (std::vector<std::string>{"IB", "IR"}));
  EXPECT_EQ(acks["PO-H"].type, "AC");  // held (C1004 is overdue): AC with IH lines
  EXPECT_EQ(acks["PO-H"].lines, (std::vector<std::string>{"IH"}));
  ASSERT_FALSE(acks["PO-H"].messages.empty());
  EXPECT_NE(acks["PO-H"].messages[0].find("OVERDUE"), std::string::npos);
  EXPECT_EQ(acks["PO-R"].type, "RD");  // C1010 is blocked
  EXPECT_EQ(acks["PO-R"].lines, (std::vector<std::string>{"IR"}));
  EXPECT_EQ(acks["PO-P"].type, "AC");  // list price 12.50 instead of the PO's 11.00
  EXPECT_EQ(acks["PO-P"].lines, (std::vector<std::string>{"IP"}));
  EXPECT_NE(first.ack855.find("PO1*1*4*EA*12.5**VP*BOLT-M8~"), std::string::npos);
  // The 997: both groups accepted.
  int ak9_accepted = 0;
  for (const auto& s : segments_of(first.ack997)) ak9_accepted += s[0] == "AK9" && s[1] == "A";
  EXPECT_EQ(ak9_accepted, 2);

  // The same file again: nothing changes (duplicates), the same acknowledgments, new control numbers.
  RunOutput second = run_submit(file, *book, server.port(), &controls);
  EXPECT_EQ(second.stats.duplicates, 5u);
  EXPECT_EQ(without_envelopes(second.ack855), without_envelopes(first.ack855));
  EXPECT_EQ(without_envelopes(second.ack997), without_envelopes(first.ack997));
  const auto isa1 = segments_of(first.ack855)[0];
  const auto isa2 = segments_of(second.ack855)[0];
  EXPECT_LT(std::stoll(isa1[13]), std::stoll(isa2[13]));
  EXPECT_EQ(edi::trim(isa1[6]), "CREDOSELLER");
  EXPECT_EQ(edi::trim(isa1[8]), "ACMEBUYER");

  test::Client admin(server.port());
  ASSERT_TRUE(admin.hello(test::kAdminKey));
  test::Json held(admin.call(R"({"op":"get_order","customer":"C1004","client_order_id":"PO-H"})"));
  EXPECT_EQ(held.str("/status"), "held");

  // An 850 cancel (BEG01 01) of PO-A cancels the order.
  const std::string cancel = interchange(
      group("ACMEBUYER", "502", set850("0001", "01", "PO-A", "1001", {"PO1*1*10*EA*12.50**BP*A-100"}), 1), 1,
      "000000202");
  RunOutput c = run_submit(cancel, *book, server.port(), &controls);
  auto cacks = acks_by_po(c.ack855);
  EXPECT_EQ(cacks["PO-A"].purpose, "01");
  EXPECT_EQ(cacks["PO-A"].type, "AD");
  EXPECT_EQ(cacks["PO-A"].lines, (std::vector<std::string>{"ID"}));
  test::Json cancelled(admin.call(R"({"op":"get_order","customer":"C1001","client_order_id":"PO-A"})"));
  EXPECT_EQ(cancelled.str("/status"), "cancelled");

  // An 860 (BCH01 04) raising PO-P's line to 6 (POC02 QI, POC03 the new quantity).
  const std::string change = interchange(
      group("GATEWAY", "602",
            "ST*860*0001~BCH*04*SA*PO-P**1*20261206~N1*BY*Buyer*92*2002~POC*1*QI*6*2*EA***VP*BOLT-M8~CTT*1~SE*6*0001~",
            1, "PC"),
      1, "000000203");
  RunOutput ch = run_submit(change, *book, server.port(), &controls);
  for (const auto& l : ch.log) ADD_FAILURE() << "860: " << l;
  auto chacks = acks_by_po(ch.ack855);
  EXPECT_EQ(chacks["PO-P"].purpose, "04");
  EXPECT_EQ(chacks["PO-P"].lines, (std::vector<std::string>{"IA"}));
  test::Json amended(admin.call(R"({"op":"get_order","customer":"C1002","client_order_id":"PO-P"})"));
  EXPECT_EQ(amended.num("/lines/0/qty"), 6);
}

TEST(EdiServer, TheToolSubmitsFilesAndWritesAcknowledgmentsBesideThem) {
  test::ServerProcess server({"--demo"});
  ASSERT_TRUE(server.running());
  test::TempDir dir("edi");
  {
    FILE* f = std::fopen(dir.file("partners.json").c_str(), "w");
    std::fputs(kPartners, f);
    std::fclose(f);
    f = std::fopen(dir.file("po.x12").c_str(), "w");
    const std::string text = interchange(
        group("ACMEBUYER", "501", set850("0001", "00", "PO-T", "1001", {"PO1*1*10*EA*12.50**BP*A-100"}), 1), 1);
    std::fputs(text.c_str(), f);
    std::fclose(f);
  }
  const std::string cmd = std::string(CREDO_EDI_BIN) + " submit --partners " + dir.file("partners.json") +
                          " --port " + std::to_string(server.port()) + " --out " + dir.path() + " " + dir.file("po.x12") +
                          " 2>&1";
  auto r = test::run_command(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("accepted 1"), std::string::npos) << r.out;
  auto r2 = test::run_command(cmd);
  EXPECT_NE(r2.out.find("1 duplicate"), std::string::npos) << r2.out;
  FILE* f = std::fopen(dir.file("po.x12.855").c_str(), "r");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  // Control numbers persisted: the second run's 855 is interchange 000000004 (997 + 855 per run).
  f = std::fopen(dir.file("credo-edi-state.json").c_str(), "r");
  ASSERT_NE(f, nullptr);
  char buf[256] = {};
  std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  EXPECT_NE(std::string(buf).find("\"ZZ:ACMEBUYER\":4"), std::string::npos) << buf;
  // Garbage: a clear error and exit status 1.
  auto bad = test::run_command(std::string(CREDO_EDI_BIN) + " translate --partners " + dir.file("partners.json") + " " +
                               dir.file("partners.json") + " 2>&1");
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find("no X12 interchange"), std::string::npos) << bad.out;
}


TEST(EdiServer, WatchMovesFilesToDoneAndFailedWithAcknowledgmentsInOut) {
  test::ServerProcess server({"--demo"});
  ASSERT_TRUE(server.running());
  test::TempDir dir("edi-watch");
  auto write = [&](const std::string& path, const std::string& text) {
    FILE* f = std::fopen(path.c_str(), "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
  };
  write(dir.file("partners.json"), kPartners);
  const std::string inbox = dir.file("inbox");
  ASSERT_EQ(test::run_command("mkdir -p " + inbox + "/work").exit_code, 0);
  write(inbox + "/a.x12",
        interchange(group("ACMEBUYER", "501", set850("0001", "00", "PO-W1", "1001", {"PO1*1*1*EA*12.50**BP*A-100"}), 1), 1));
  write(inbox + "/junk.x12", "this is not X12 at all");
  write(inbox + "/.partial", "ISA");  // still being written: left alone
  // A file a crash left in work/: processed again at start.
  write(inbox + "/work/b.x12",
        interchange(group("ACMEBUYER", "501", set850("0001", "00", "PO-W2", "1001", {"PO1*1*1*EA*12.50**BP*A-100"}), 1), 1));
  const std::string cmd = std::string(CREDO_EDI_BIN) + " watch --once --partners " + dir.file("partners.json") +
                          " --port " + std::to_string(server.port()) + " " + inbox + " 2>&1";
  auto r = test::run_command(cmd);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto exists = [](const std::string& p) { return ::access(p.c_str(), F_OK) == 0; };
  EXPECT_TRUE(exists(inbox + "/done/a.x12")) << r.out;
  EXPECT_TRUE(exists(inbox + "/done/b.x12")) << r.out;
  EXPECT_TRUE(exists(inbox + "/failed/junk.x12")) << r.out;
  EXPECT_TRUE(exists(inbox + "/.partial"));
  EXPECT_TRUE(exists(inbox + "/out/a.x12.855"));
  EXPECT_TRUE(exists(inbox + "/out/a.x12.997"));
  EXPECT_FALSE(exists(inbox + "/a.x12"));
  test::Client admin(server.port());
  ASSERT_TRUE(admin.hello(test::kAdminKey));
  EXPECT_EQ(test::Json(admin.call(R"({"op":"get_order","customer":"C1001","client_order_id":"PO-W2"})")).str("/status"),
            "accepted");
}

}  // namespace
}  // namespace credo::edi_test
