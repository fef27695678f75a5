// The X12 reader and the 997/855 writers, without a server. The test interchanges are written
// from the X12 standard's segment layouts (ISA fixed widths; GS01..08; ST/SE; 850 BEG, DTM,
// N1, PO1, CTT; 997 AK1..AK9 and its code lists), not from the implementation.
#include <gtest/gtest.h>

#include "edi/x12_855.h"
#include "edi/x12_orders.h"
#include "tests/edi/edi_test_util.h"

namespace credo::edi_test {
namespace {

const char* kPartners = R"({"partners":[
  {"name":"acme","isa_qualifier":"ZZ","isa_id":"ACMEBUYER","customer":"C1001","api_key":"k",
   "product_qualifier":"BP","xref":{"A-100":"BOLT-M8","A-200":"NUT-M8"},"uom":{"EA":1,"CA":12},"price":"send"}]})";

edi::PartnerBook book() {
  std::string error;
  auto b = edi::parse_partners(kPartners, &error);
  EXPECT_TRUE(b) << error;
  return *b;
}

const char* kIsa4010 = "ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*CREDOSELLER    *261206*0930*U*00401*000000101*0*T*:~";
const char* kIsa5010 = "ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*CREDOSELLER    *261206*0930*^*00501*000000102*0*T*:~";

// One 850: two lines (10 EA of A-100 at 12.50; 2 cases of A-200 at 78.00 a case), CTT 2.
std::string po850(const std::string& control, const std::string& po, const std::string& se_count = "9",
                  const std::string& se_control = "") {
  return "ST*850*" + control + "~BEG*00*SA*" + po + "**20261206~DTM*002*20261220~N1*BY*Acme*92*1001~" +
         "PO1*1*10*EA*12.50**BP*A-100~PO1*2*2*CA*78**BP*A-200~CTT*2~AMT*TT*281~SE*" + se_count + "*" +
         (se_control.empty() ? control : se_control) + "~";
}

std::string interchange(const std::string& isa, const std::string& sets, int nsets, const std::string& version = "004010",
                        const std::string& ge_control = "501", bool iea = true) {
  std::string control = isa.substr(90, 9);
  std::string s = isa + "GS*PO*ACMEBUYER*CREDO*20261206*0930*501*X*" + version + "~" + sets + "GE*" +
                  std::to_string(nsets) + "*" + ge_control + "~";
  if (iea) s += "IEA*1*" + control + "~";
  return s;
}

// The AK5 and AK9 segments of a 997 (all of them, in order).
std::vector<std::vector<std::string>> tagged(const std::string& ack, const std::string& tag, char element = '*',
                                             char terminator = '~') {
  std::vector<std::vector<std::string>> out;
  for (auto& s : segments_of(ack, element, terminator)) {
    if (s[0] == tag) out.push_back(s);
  }
  return out;
}

struct DelimiterSet {
  char element, component, terminator;
  std::string line_break;
};

TEST(X12Reader, EveryDelimiterSetLineBrokenOrNot) {
  const std::vector<DelimiterSet> sets = {
      {'*', ':', '~', ""}, {'*', ':', '~', "\n"}, {'*', '>', '~', "\r\n"}, {'|', '^', '\n', ""},
      {'^', '\\', '\'', ""}, {'\x1d', '\x1f', '\x1c', ""}, {'+', ':', '!', "\n"}};
  for (const auto& d : sets) {
    SCOPED_TRACE(std::string("element ") + std::to_string(static_cast<int>(d.element)) + " terminator " +
                 std::to_string(static_cast<int>(d.terminator)) + " break " + std::to_string(d.line_break.size()));
    const std::string text =
        with_delimiters(interchange(kIsa4010, po850("0001", "PO-1") + po850("0002", "PO-2"), 2), d.element,
                        d.component, d.terminator, d.line_break);
    auto r = run_translate(text, book());
    EXPECT_EQ(r.stats.interchanges, 1u);
    EXPECT_EQ(r.stats.pos, 2u);
    EXPECT_EQ(r.stats.lines, 4u);
    EXPECT_EQ(r.stats.errors, 0u);
    ASSERT_EQ(r.orders.size(), 2u);
    EXPECT_NE(r.orders[1].find("\"client_order_id\":\"PO-2\""), std::string::npos);
    // 2 CA of 12 EA = 24 EA at 78.00 / 12 = 6.50
    EXPECT_NE(r.orders[0].find("{\"sku\":\"NUT-M8\",\"qty\":24,\"unit_price\":650}"), std::string::npos);
    const auto ak5 = tagged(r.ack997, "AK5", d.element, d.terminator);
    ASSERT_EQ(ak5.size(), 2u);
    EXPECT_EQ(ak5[0][1], "A");
    const auto ak9 = tagged(r.ack997, "AK9", d.element, d.terminator);
    ASSERT_EQ(ak9.size(), 1u);
    EXPECT_EQ(ak9[0], (std::vector<std::string>{"AK9", "A", "2", "2", "2"}));
  }
}

TEST(X12Reader, ByteAtATimeGivesTheSameResult) {
  const std::string text = interchange(kIsa4010, po850("0001", "PO-1"), 1);
  auto whole = run_translate(text, book());
  auto bytes = run_translate(text, book(), 1);
  EXPECT_EQ(whole.orders, bytes.orders);
  EXPECT_EQ(whole.ack997, bytes.ack997);
  EXPECT_EQ(bytes.stats.pos, 1u);
}

TEST(X12Reader, Version5010ReadsTheRepetitionSeparatorAndAcknowledgesWithVersions) {
  struct Capture : edi::X12Handler {
    edi::Delimiters d;
    void interchange_start(const edi::Interchange& isa) override { d = isa.delimiters; }
    void group_start(const edi::Interchange&, const edi::Group&) override {}
    void transaction(const edi::Interchange&, const edi::Group&, edi::TransactionSet&) override {}
    void group_end(const edi::Interchange&, const edi::Group&, const edi::GroupEnd&) override {}
    void interchange_end(const edi::Interchange&, bool) override {}
    void diagnostic(const edi::Diagnostic&) override {}
  } cap;
  const std::string text = interchange(kIsa5010, po850("0001", "PO-5"), 1, "005010");
  edi::X12Reader reader(cap);
  reader.feed(text);
  reader.finish();
  EXPECT_EQ(cap.d.repetition, '^');
  EXPECT_EQ(cap.d.component, ':');
  auto r = run_translate(text, book());
  EXPECT_EQ(r.stats.pos, 1u);
  auto ak1 = tagged(r.ack997, "AK1");
  ASSERT_EQ(ak1.size(), 1u);
  EXPECT_EQ(ak1[0], (std::vector<std::string>{"AK1", "PO", "501", "005010"}));  // AK103 in 5010
  auto isa = segments_of(r.ack997)[0];
  EXPECT_EQ(isa[11], "^");
  EXPECT_EQ(isa[12], "00501");
}

TEST(X12Reader, WrongSeCountIsAk5Code4) {
  auto r = run_translate(interchange(kIsa4010, po850("0001", "PO-1", "10"), 1), book());
  auto ak5 = tagged(r.ack997, "AK5");
  ASSERT_EQ(ak5.size(), 1u);
  EXPECT_EQ(ak5[0], (std::vector<std::string>{"AK5", "R", "4"}));
  EXPECT_EQ(tagged(r.ack997, "AK9")[0], (std::vector<std::string>{"AK9", "R", "1", "1", "0"}));
  EXPECT_TRUE(r.orders.empty());  // a rejected set is never submitted
}

TEST(X12Reader, MismatchedSetControlNumberIsAk5Code3) {
  auto r = run_translate(interchange(kIsa4010, po850("0001", "PO-1", "9", "0009"), 1), book());
  EXPECT_EQ(tagged(r.ack997, "AK5")[0], (std::vector<std::string>{"AK5", "R", "3"}));
}

TEST(X12Reader, MismatchedGroupControlAndCountAreAk9Codes4And5) {
  auto r = run_translate(interchange(kIsa4010, po850("0001", "PO-1"), 2, "004010", "999"), book());
  auto ak9 = tagged(r.ack997, "AK9");
  ASSERT_EQ(ak9.size(), 1u);
  EXPECT_EQ(ak9[0], (std::vector<std::string>{"AK9", "R", "2", "1", "1", "4", "5"}));
}

TEST(X12Reader, DuplicateSetControlNumberIsAk5Code23) {
  auto r = run_translate(interchange(kIsa4010, po850("0001", "PO-1") + po850("0001", "PO-2"), 2), book());
  auto ak5 = tagged(r.ack997, "AK5");
  ASSERT_EQ(ak5.size(), 2u);
  EXPECT_EQ(ak5[0], (std::vector<std::string>{"AK5", "A"}));
  EXPECT_EQ(ak5[1], (std::vector<std::string>{"AK5", "R", "23"}));
  EXPECT_EQ(tagged(r.ack997, "AK9")[0][1], "P");  // partially accepted
}

TEST(X12Reader, MissingIeaIsReportedAndTheNextInterchangeStillRead) {
  std::string second = kIsa4010;
  second.replace(90, 9, "000000103");
  const std::string text = interchange(kIsa4010, po850("0001", "PO-1"), 1, "004010", "501", false) +
                           interchange(second, po850("0001", "PO-2"), 1);
  auto r = run_translate(text, book());
  EXPECT_EQ(r.stats.interchanges, 2u);
  EXPECT_EQ(r.stats.pos, 2u);
  EXPECT_EQ(r.stats.errors, 1u);
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log[0].find("no IEA"), std::string::npos) << r.log[0];
}

TEST(X12Reader, TruncatedFileRejectsTheOpenSetAndGroup) {
  std::string text = interchange(kIsa4010, po850("0001", "PO-1") + po850("0002", "PO-2"), 2);
  text.resize(text.find("PO1*2*2*CA", text.find("PO-2")) + 5);  // cut inside the second set
  auto r = run_translate(text, book());
  EXPECT_EQ(r.stats.pos, 1u);
  auto ak5 = tagged(r.ack997, "AK5");
  ASSERT_EQ(ak5.size(), 2u);
  EXPECT_EQ(ak5[0], (std::vector<std::string>{"AK5", "A"}));
  EXPECT_EQ(ak5[1][1], "R");
  EXPECT_EQ(ak5[1][2], "2");  // trailer missing
  auto ak9 = tagged(r.ack997, "AK9")[0];
  EXPECT_EQ(ak9[1], "R");
  EXPECT_EQ(ak9.back(), "3");  // group trailer missing
  EXPECT_GE(r.stats.errors, 1u);
}

TEST(X12Reader, BinaryGarbageIsReportedNeverACrash) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 1103515245 + 12345;
    garbage.push_back(static_cast<char>(x >> 16));
  }
  auto r = run_translate(garbage, book());
  EXPECT_EQ(r.stats.interchanges, 0u);
  EXPECT_GE(r.stats.errors, 1u);
  EXPECT_TRUE(r.orders.empty());
  // Garbage in the middle of a good interchange's neighbourhood: the interchange is still read.
  auto r2 = run_translate(garbage.substr(0, 100) + interchange(kIsa4010, po850("0001", "PO-1"), 1) + garbage.substr(0, 50), book());
  EXPECT_EQ(r2.stats.pos, 1u);
  EXPECT_GE(r2.stats.errors, 1u);
}

TEST(X12Orders, CttCountMismatchIsAk3Ak4) {
  std::string set = po850("0001", "PO-1");
  set.replace(set.find("CTT*2"), 5, "CTT*3");
  auto r = run_translate(interchange(kIsa4010, set, 1), book());
  auto ak3 = tagged(r.ack997, "AK3");
  ASSERT_EQ(ak3.size(), 1u);
  EXPECT_EQ(ak3[0], (std::vector<std::string>{"AK3", "CTT", "7", "", "8"}));  // 7th segment of the set
  EXPECT_EQ(tagged(r.ack997, "AK4")[0], (std::vector<std::string>{"AK4", "1", "", "7", "3"}));
  EXPECT_EQ(tagged(r.ack997, "AK5")[0], (std::vector<std::string>{"AK5", "R", "5"}));
}

TEST(X12Orders, BadDatesUnknownUnitsAndMissingBegAreElementErrors) {
  std::string set = po850("0001", "PO-1");
  set.replace(set.find("20261220"), 8, "20261340");         // DTM02: no 13th month
  set.replace(set.find("*2*CA*"), 6, "*2*PL*");              // PO103: a unit not in the partner's table
  auto r = run_translate(interchange(kIsa4010, set, 1), book());
  auto ak4 = tagged(r.ack997, "AK4");
  ASSERT_EQ(ak4.size(), 2u);
  EXPECT_EQ(ak4[0], (std::vector<std::string>{"AK4", "2", "", "8", "20261340"}));
  EXPECT_EQ(ak4[1], (std::vector<std::string>{"AK4", "3", "", "7", "PL"}));
  std::string nobeg = po850("0001", "PO-1");
  nobeg.erase(nobeg.find("BEG"), nobeg.find("DTM") - nobeg.find("BEG"));
  nobeg.replace(nobeg.find("SE*9"), 4, "SE*8");
  auto r2 = run_translate(interchange(kIsa4010, nobeg, 1), book());
  EXPECT_EQ(tagged(r2.ack997, "AK5")[0][1], "R");
  EXPECT_EQ(tagged(r2.ack997, "AK3")[0][4], "7");  // DTM before BEG: not in sequence
}

TEST(X12Orders, UnknownPartnerRejectsEverySetAndTheGroup) {
  std::string isa = kIsa4010;
  isa.replace(isa.find("ACMEBUYER"), 9, "STRANGER ");
  auto r = run_translate(interchange(isa, po850("0001", "PO-1") + po850("0002", "PO-2"), 2), book());
  EXPECT_EQ(r.stats.pos, 0u);
  auto ak5 = tagged(r.ack997, "AK5");
  ASSERT_EQ(ak5.size(), 2u);
  EXPECT_EQ(ak5[0][1], "R");
  EXPECT_EQ(ak5[1][1], "R");
  EXPECT_EQ(tagged(r.ack997, "AK9")[0][1], "R");
  ASSERT_FALSE(r.log.empty());
  EXPECT_NE(r.log[0].find("unknown trading partner"), std::string::npos);
  // The 997 goes back to the sender the ISA named.
  EXPECT_EQ(edi::trim(segments_of(r.ack997)[0][8]), "STRANGER");
}

TEST(X12Orders, CancelAndConfirmationPurposes) {
  std::string cancel = po850("0001", "PO-1");
  cancel.replace(cancel.find("BEG*00"), 6, "BEG*01");
  std::string confirm = po850("0002", "PO-2");
  confirm.replace(confirm.find("BEG*00"), 6, "BEG*06");
  auto r = run_translate(interchange(kIsa4010, cancel + confirm, 2), book());
  ASSERT_EQ(r.orders.size(), 1u);
  EXPECT_NE(r.orders[0].find("\"action\":\"cancel\""), std::string::npos);
  EXPECT_EQ(r.stats.ignored, 1u);
  EXPECT_EQ(tagged(r.ack997, "AK9")[0][1], "A");
}

TEST(X12Writer, The855AndThe997ReadBackWithValidEnvelopes) {
  // An 855 for a held PO and a 997, written by the writers, read again by the reader: every
  // SE count, control number and GE/IEA count must check.
  edi::PartnerBook b = book();
  edi::PurchaseOrder po;
  po.po_number = "PO-9";
  po.po_date = "20261206";
  po.partner = &b.partners[0];
  for (int i = 0; i < 3; ++i) {
    edi::PoLine l;
    l.line_id = std::to_string(i + 1);
    l.qty_text = "5";
    l.uom = "EA";
    l.ids = {{"BP", "A-100"}};
    po.lines.push_back(l);
  }
  edi::Decision d;
  d.ok = true;
  d.status = "held";
  d.order_no = 100042;
  d.reasons = {{"CREDIT_LIMIT", -1, -1}};
  std::string out;
  edi::Delimiters delim;
  edi::X12Writer w(delim, &out);
  edi::Envelope env;
  env.sender_id = "CREDOSELLER";
  env.receiver_id = "ACMEBUYER";
  env.functional_id = "PR";
  env.isa_control = 77;
  env.gs_control = 77;
  env.date = "20261206";
  env.time = "1200";
  w.begin(env);
  edi::write_855(w, po, d, edi::acknowledge(po, d), "20261206", "004010");
  edi::write_855(w, po, d, edi::acknowledge(po, d), "20261206", "004010");
  w.end();
  struct Check : edi::X12Handler {
    int sets = 0, errors = 0;
    bool ok = false;
    void interchange_start(const edi::Interchange& isa) override { EXPECT_EQ(isa.control, "000000077"); }
    void group_start(const edi::Interchange&, const edi::Group& gs) override { EXPECT_EQ(gs.functional_id, "PR"); }
    void transaction(const edi::Interchange&, const edi::Group&, edi::TransactionSet& set) override {
      ++sets;
      errors += static_cast<int>(set.errors.size());
      EXPECT_EQ(set.id, "855");
      EXPECT_EQ(set.segments[1].el(2), "AC");  // BAK02: held is acknowledged with changes
      int ih = 0;
      for (const auto& s : set.segments) ih += s.tag() == "ACK" && s.el(1) == "IH";
      EXPECT_EQ(ih, 3);
    }
    void group_end(const edi::Interchange&, const edi::Group&, const edi::GroupEnd& e) override {
      errors += static_cast<int>(e.errors.size());
    }
    void interchange_end(const edi::Interchange&, bool trailer_ok) override { ok = trailer_ok; }
    void diagnostic(const edi::Diagnostic& diag) override { ADD_FAILURE() << diag.message; }
  } check;
  edi::X12Reader reader(check);
  reader.feed(out);
  reader.finish();
  EXPECT_EQ(check.sets, 2);
  EXPECT_EQ(check.errors, 0);
  EXPECT_TRUE(check.ok);
}

TEST(X12Orders, LineCodesForEachDecision) {
  edi::PartnerBook b = book();
  edi::PurchaseOrder po;
  po.partner = &b.partners[0];
  po.lines.resize(2);
  po.lines[0].po_unit_price = 1100;
  edi::Decision d;
  d.ok = true;
  d.status = "accepted";
  d.lines = {{"BOLT-M8", 1, 1250}, {"NUT-M8", 1, 650}};
  auto a = edi::acknowledge(po, d);
  EXPECT_EQ(a.type, "AC");
  EXPECT_EQ(a.lines[0].code, "IP");  // the price differs from the PO's
  EXPECT_EQ(a.lines[1].code, "IA");
  d.status = "rejected";
  d.reasons = {{"INSUFFICIENT_STOCK", 1, 5}};
  a = edi::acknowledge(po, d);
  EXPECT_EQ(a.type, "RD");
  EXPECT_EQ(a.lines[0].code, "IR");
  EXPECT_EQ(a.lines[1].code, "IB");
  EXPECT_NE(a.lines[1].message.find("available 5"), std::string::npos);
}

}  // namespace
}  // namespace credo::edi_test
