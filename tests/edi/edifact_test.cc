// credo-edi's EDIFACT side without a server: the reader (UNA present and absent, release
// characters, UNT count and reference, UNZ count and reference, missing UNT/UNZ, truncated input,
// any chunking), the ORDERS translation (D.96A and D.01B layouts of BGM, DTM, NAD, LIN, PIA, QTY,
// PRI, CNT) and the CONTRL/ORDRSP writers read back by the reader. Segment layouts follow the
// UN/EDIFACT directories (ORDERS D.96A/D.01B, CONTRL D:3, service code list 0085).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edi/edifact_orders.h"
#include "edi/edifact_reader.h"
#include "edi/edifact_writer.h"
#include "tools/edi/edifact_session.h"

namespace credo::edi_test {
namespace {

struct Seen : edi::EdifactHandler {
  std::vector<edi::EdifactInterchange> interchanges;
  std::vector<edi::EdifactMessage> messages;
  std::vector<edi::EdifactEnd> ends;
  std::vector<std::string> diags;
  void interchange_start(const edi::EdifactInterchange& unb) override { interchanges.push_back(unb); }
  void message(const edi::EdifactInterchange&, edi::EdifactMessage& m) override { messages.push_back(m); }
  void interchange_end(const edi::EdifactInterchange&, const edi::EdifactEnd& e) override { ends.push_back(e); }
  void diagnostic(const edi::EdifactDiagnostic& d) override { diags.push_back(d.message); }
};

Seen read(const std::string& text, std::size_t chunk = 1 << 20) {
  Seen s;
  edi::EdifactReader r(s);
  for (std::size_t i = 0; i < text.size(); i += chunk) r.feed(std::string_view(text).substr(i, chunk));
  r.finish();
  return s;
}

// An ORDERS D.96A message (UNH .. UNT) with the given body segments (terminated by ').
std::string orders(const std::string& ref, const std::vector<std::string>& body, const std::string& release = "96A",
                   int unt_count = -1, const std::string& unt_ref = "") {
  std::string m = "UNH+" + ref + "+ORDERS:D:" + release + ":UN'";
  for (const auto& s : body) m += s + "'";
  const int n = unt_count >= 0 ? unt_count : static_cast<int>(body.size()) + 2;
  m += "UNT+" + std::to_string(n) + "+" + (unt_ref.empty() ? ref : unt_ref) + "'";
  return m;
}

std::string interchange(const std::string& messages, int count, const std::string& control = "EU0001",
                        const std::string& sender = "ACMEBUYER") {
  return "UNB+UNOC:3+" + sender + ":ZZ+CREDOSELLER:ZZ+261206:0930+" + control + "'" + messages + "UNZ+" +
         std::to_string(count) + "+" + control + "'";
}

const std::vector<std::string> kBody = {"BGM+220+PO-1+9", "DTM+137:20261206:102", "DTM+2:20261215:102",
                                        "NAD+BY+1001::92", "LIN+1++A-100:BP", "QTY+21:10:EA", "PRI+AAA:12.50",
                                        "UNS+S", "CNT+2:1"};

TEST(EdifactReader, DefaultServiceCharactersWithoutUna) {
  Seen s = read(interchange(orders("1", kBody), 1));
  ASSERT_EQ(s.interchanges.size(), 1u);
  EXPECT_FALSE(s.interchanges[0].una);
  EXPECT_EQ(s.interchanges[0].sender_id, "ACMEBUYER");
  EXPECT_EQ(s.interchanges[0].sender_qualifier, "ZZ");
  EXPECT_EQ(s.interchanges[0].control, "EU0001");
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_TRUE(s.messages[0].errors.empty());
  EXPECT_EQ(s.messages[0].type, "ORDERS");
  EXPECT_EQ(s.messages[0].release, "96A");
  EXPECT_EQ(s.messages[0].segments.size(), kBody.size() + 2);
  EXPECT_EQ(s.messages[0].segments[5].c(3, 1), "A-100");
  EXPECT_EQ(s.messages[0].segments[5].c(3, 2), "BP");
  ASSERT_EQ(s.ends.size(), 1u);
  EXPECT_TRUE(s.ends[0].errors.empty());
  EXPECT_TRUE(s.diags.empty());
}

TEST(EdifactReader, UnaServiceCharactersAndReleaseCharacter) {
  // UNA with other characters: component |, element *, decimal ',', release !, terminator ~.
  std::string text = "UNA|*,! ~\r\nUNB*UNOC|3*ACMEBUYER|ZZ*CREDOSELLER|ZZ*261206|0930*X1~\r\n"
                     "UNH*7*ORDERS|D|01B|UN~BGM*220*PO!*9!~!|!!*9~FTX*AAI***a!~b~UNT*4*7~\r\nUNZ*1*X1~\r\n";
  for (std::size_t chunk : {1, 3, 7, 1 << 20}) {
    Seen s = read(text, chunk);
    ASSERT_EQ(s.messages.size(), 1u) << chunk;
    EXPECT_TRUE(s.interchanges[0].una);
    EXPECT_EQ(s.interchanges[0].delimiters.element, '*');
    EXPECT_EQ(s.interchanges[0].delimiters.release, '!');
    EXPECT_TRUE(s.messages[0].errors.empty()) << chunk;
    EXPECT_EQ(s.messages[0].segments[1].c(2), "PO*9~|!") << chunk;  // released: not separators
    EXPECT_EQ(s.messages[0].segments[1].c(3), "9");
    EXPECT_EQ(s.messages[0].segments[2].c(4), "a~b");
    EXPECT_TRUE(s.ends[0].errors.empty());
    EXPECT_TRUE(s.diags.empty()) << s.diags[0];
  }
  // The next interchange without a UNA is back to the defaults.
  Seen two = read(text + interchange(orders("1", kBody), 1));
  ASSERT_EQ(two.messages.size(), 2u);
  EXPECT_FALSE(two.interchanges[1].una);
  EXPECT_TRUE(two.messages[1].errors.empty());
}

TEST(EdifactReader, WrongUntCountAndMismatchedReferences) {
  Seen s = read(interchange(orders("1", kBody, "96A", 5) + orders("2", kBody, "96A", -1, "3"), 2));
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].errors, std::vector<int>{edi::kEdiCountDiffers});
  EXPECT_EQ(s.messages[0].error_tag, "UNT");
  EXPECT_EQ(s.messages[1].errors, std::vector<int>{edi::kEdiReferencesDiffer});
  EXPECT_TRUE(s.ends[0].errors.empty());
  // UNZ: wrong count, reference not the UNB's.
  std::string bad = interchange(orders("1", kBody), 1);
  bad.replace(bad.rfind("UNZ+1+EU0001"), 12, "UNZ+2+EU0002");
  Seen z = read(bad);
  ASSERT_EQ(z.ends.size(), 1u);
  EXPECT_EQ(z.ends[0].errors, (std::vector<int>{edi::kEdiCountDiffers, edi::kEdiReferencesDiffer}));
  EXPECT_TRUE(z.messages[0].errors.empty());
}

TEST(EdifactReader, MissingUntMissingUnzAndTruncatedInput) {
  // UNH without UNT, followed by another message: the first is closed with "missing".
  std::string no_unt = "UNB+UNOC:3+A:ZZ+B:ZZ+261206:0930+9'UNH+1+ORDERS:D:96A:UN'BGM+220+P+9'" + orders("2", kBody) +
                       "UNZ+2+9'";
  Seen s = read(no_unt);
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].errors, std::vector<int>{edi::kEdiMissing});
  EXPECT_TRUE(s.messages[1].errors.empty());
  EXPECT_TRUE(s.ends[0].errors.empty());
  // No UNZ: the interchange ends with "missing" at the end of input.
  std::string full = interchange(orders("1", kBody), 1);
  Seen n = read(full.substr(0, full.rfind("UNZ")));
  ASSERT_EQ(n.ends.size(), 1u);
  EXPECT_FALSE(n.ends[0].trailer_present);
  EXPECT_EQ(n.ends[0].errors, std::vector<int>{edi::kEdiMissing});
  EXPECT_TRUE(n.messages[0].errors.empty());
  // Truncated inside a message's segment: the message and the interchange are both incomplete.
  Seen t = read(full.substr(0, full.find("QTY+21") + 4));
  ASSERT_EQ(t.messages.size(), 1u);
  EXPECT_EQ(t.messages[0].errors, std::vector<int>{edi::kEdiMissing});
  EXPECT_EQ(t.ends[0].errors, std::vector<int>{edi::kEdiMissing});
  EXPECT_GE(t.diags.size(), 3u);
  // A new UNB before the UNZ: the first interchange is closed as missing its UNZ.
  Seen u = read(full.substr(0, full.rfind("UNZ")) + full);
  ASSERT_EQ(u.ends.size(), 2u);
  EXPECT_EQ(u.ends[0].errors, std::vector<int>{edi::kEdiMissing});
  EXPECT_TRUE(u.ends[1].errors.empty());
  // Garbage only, and a bad syntax identifier.
  Seen g = read("hello\n");
  EXPECT_TRUE(g.interchanges.empty());
  EXPECT_EQ(g.diags.size(), 1u);
  std::string bad_syntax = full;
  bad_syntax.replace(4, 6, "XXXX:9");
  Seen b = read(bad_syntax);
  ASSERT_EQ(b.ends.size(), 1u);
  EXPECT_EQ(b.ends[0].errors, std::vector<int>{edi::kEdiSyntaxNotSupported});
}

TEST(EdifactReader, DetectsTheSyntax) {
  EXPECT_EQ(edi::detect_syntax("\r\nUNA:+.? 'UNB"), "edifact");
  EXPECT_EQ(edi::detect_syntax("UNB+UNOA:1"), "edifact");
  EXPECT_EQ(edi::detect_syntax("ISA*00*"), "x12");
  EXPECT_EQ(edi::detect_syntax("hello"), "");
}

const char* kPartners = R"({"partners":[
  {"name":"acme","unb_id":"ACMEBUYER","customer":"C1001","api_key":"k","product_qualifier":"BP",
   "xref":{"A-100":"BOLT-M8","A-200":"NUT-M8"},"uom":{"EA":1,"PCE":1,"CT":12},"price":"send"},
  {"name":"gw","buyers":{"4410":"C1004"},"api_key":"k","product_qualifier":"VP","price":"list"}]})";

edi::SetAck translate(const std::string& text, edi::PurchaseOrder* po, std::string* log = nullptr) {
  std::string error;
  static const auto book = edi::parse_partners(kPartners, &error);
  EXPECT_TRUE(book) << error;
  Seen s = read(text);
  EXPECT_EQ(s.messages.size(), 1u);
  std::string ignored;
  const edi::Partner* p = book->find_edifact(s.interchanges[0].sender_id);
  return edi::translate_orders(s.messages[0], *book, p, po, log != nullptr ? log : &ignored);
}

TEST(EdifactOrders, D96aMapsToThePurchaseOrder) {
  edi::PurchaseOrder po;
  std::vector<std::string> body = kBody;
  body.insert(body.begin() + 7, "LIN+2++X-9:SA");
  body.insert(body.begin() + 8, "PIA+1+A-200:BP");
  body.insert(body.begin() + 9, "QTY+21:2:CT");
  body.back() = "CNT+2:2";
  edi::SetAck ack = translate(interchange(orders("1", body), 1), &po);
  EXPECT_EQ(ack.code, 'A');
  EXPECT_TRUE(ack.segment_errors.empty()) << ack.segment_errors[0].note;
  EXPECT_EQ(po.action, edi::PoAction::kSubmit);
  EXPECT_EQ(po.po_number, "PO-1");
  EXPECT_EQ(po.ship_by, "2026-12-15");
  EXPECT_EQ(po.buyer_code, "1001");
  EXPECT_EQ(po.customer, "C1001");
  ASSERT_EQ(po.lines.size(), 2u);
  EXPECT_EQ(po.lines[0].sku, "BOLT-M8");
  EXPECT_EQ(po.lines[0].qty, 10);
  EXPECT_EQ(po.lines[0].po_unit_price, 1250);
  EXPECT_EQ(po.lines[1].sku, "NUT-M8");  // from the PIA's additional id
  EXPECT_EQ(po.lines[1].qty, 24);        // 2 CT of 12
  EXPECT_FALSE(po.lines[1].po_unit_price.has_value());
}

TEST(EdifactOrders, D01bCancelAndBuyerLookup) {
  // D.01B: BGM's C106 document identifier; function 1 = cancellation. Partner by NAD+BY.
  edi::PurchaseOrder po;
  edi::SetAck ack = translate(
      interchange(orders("5", {"BGM+220+PO-9:1+1", "NAD+BY+4410::9"}, "01B"), 1, "EU7", "UNKNOWNGW"), &po);
  EXPECT_EQ(ack.code, 'A');
  EXPECT_EQ(po.action, edi::PoAction::kCancel);
  EXPECT_EQ(po.po_number, "PO-9");
  EXPECT_EQ(po.customer, "C1004");
  EXPECT_TRUE(po.lines.empty());
}

TEST(EdifactOrders, ErrorsRejectTheMessageWithPositions) {
  edi::PurchaseOrder po;
  // Function 5 (replace) is not supported; CNT disagrees; QTY is not a number.
  std::vector<std::string> body = kBody;
  body[0] = "BGM+220+PO-1+5";
  body[5] = "QTY+21:ten:EA";
  body.back() = "CNT+2:3";
  edi::SetAck ack = translate(interchange(orders("1", body), 1), &po);
  EXPECT_EQ(ack.code, 'R');
  ASSERT_EQ(ack.segment_errors.size(), 3u);
  EXPECT_EQ(ack.segment_errors[0].tag, "BGM");
  EXPECT_EQ(ack.segment_errors[0].position, 2u);
  EXPECT_EQ(ack.segment_errors[0].elements[0].code, edi::kEdiValueNotSupported);
  EXPECT_EQ(ack.segment_errors[1].tag, "CNT");
  EXPECT_EQ(ack.segment_errors[1].code, edi::kEdiCountDiffers);
  EXPECT_EQ(ack.segment_errors[2].tag, "QTY");
  EXPECT_EQ(ack.segment_errors[2].position, 7u);
  // An unknown sender and buyer.
  std::string log;
  ack = translate(interchange(orders("1", kBody), 1, "E", "NOBODY"), &po, &log);
  EXPECT_EQ(ack.code, 'R');
  EXPECT_NE(log.find("unknown trading partner"), std::string::npos);
  // Not an ORDERS.
  std::string invoic = interchange("UNH+1+INVOIC:D:96A:UN'BGM+380+1+9'UNT+3+1'", 1);
  ack = translate(invoic, &po);
  EXPECT_EQ(ack.code, 'R');
  EXPECT_EQ(ack.set_errors, std::vector<int>{edi::kEdiValueNotSupported});
}

TEST(EdifactWriter, OrdrspAndContrlReadBackCleanWithEscapes) {
  edi::PurchaseOrder po;
  ASSERT_EQ(translate(interchange(orders("1", kBody), 1), &po).code, 'A');
  po.lines[0].line_id = "1";
  edi::Decision d;
  d.ok = true;
  d.status = "rejected";
  d.order_no = 42;
  d.reasons = {{"INSUFFICIENT_STOCK", 0, 3}};
  const edi::PoAck ack = edi::acknowledge(po, d);
  std::string out;
  edi::EdifactWriter w({}, &out);
  edi::EdifactInterchange in;
  in.sender_id = "ACMEBUYER";
  in.recipient_id = "CREDO+SELLER";  // needs the release character
  in.control = "EU0001";
  w.begin(edi::reply_envelope(in, "", "17", "20261206", "1200"));
  edi::write_ordrsp(w, po, d, ack, "20261206", "96A");
  w.end();
  Seen s = read(out);
  ASSERT_EQ(s.messages.size(), 1u) << out;
  EXPECT_TRUE(s.messages[0].errors.empty()) << out;
  EXPECT_TRUE(s.ends[0].errors.empty()) << out;
  EXPECT_TRUE(s.diags.empty()) << out;
  EXPECT_EQ(s.interchanges[0].sender_id, "CREDO+SELLER");
  EXPECT_EQ(s.interchanges[0].date, "261206");
  EXPECT_EQ(s.messages[0].type, "ORDRSP");
  bool saw_lin = false;
  for (const auto& seg : s.messages[0].segments) {
    if (seg.tag() == "BGM") {
      EXPECT_EQ(seg.c(1), "231");
      EXPECT_EQ(seg.c(2), "42");
      EXPECT_EQ(seg.c(3), "27");
    }
    if (seg.tag() == "LIN") {
      saw_lin = true;
      EXPECT_EQ(seg.c(2), "7");  // not accepted (short of stock)
      EXPECT_EQ(seg.c(3, 1), "A-100");
    }
  }
  EXPECT_TRUE(saw_lin);
  EXPECT_EQ(edi::lin_action({"IA", "", -1}), "5");
  EXPECT_EQ(edi::lin_action({"IP", "", 1}), "3");
  EXPECT_EQ(edi::lin_action({"IR", "", -1}), "7");
}

TEST(EdifactSession, ContrlPerInterchangeWithUcmPerMessage) {
  std::string error;
  auto book = edi::parse_partners(kPartners, &error);
  ASSERT_TRUE(book) << error;
  std::vector<std::string> bad = kBody;
  bad[5] = "QTY+21:ten:EA";
  const std::string text = interchange(orders("1", kBody) + orders("2", bad) + orders("3", kBody, "96A", 4), 3);
  edi::ControlState controls;
  std::string contrl, ordrsp;
  std::vector<std::string> emitted;
  edi_tool::SessionOptions o;
  o.date = "20261206";
  o.time = "1200";
  o.translate_only = true;
  o.emit = [&](const std::string& l) { emitted.push_back(l); };
  o.drain = [&](std::string& a, std::string& b) {
    contrl += a;
    ordrsp += b;
    a.clear();
    b.clear();
  };
  edi_tool::EdifactSession session(*book, &controls, nullptr, o);
  edi::EdifactReader reader(session);
  reader.feed(text);
  reader.finish();
  contrl += session.out_contrl();
  EXPECT_EQ(emitted.size(), 1u);
  EXPECT_EQ(session.stats().refused, 2u);
  Seen s = read(contrl);
  ASSERT_EQ(s.messages.size(), 1u) << contrl;
  EXPECT_TRUE(s.messages[0].errors.empty()) << contrl;
  std::vector<std::string> ucm;
  std::string uci_action, ucd;
  for (const auto& seg : s.messages[0].segments) {
    if (seg.tag() == "UCI") {
      EXPECT_EQ(seg.c(1), "EU0001");
      EXPECT_EQ(seg.c(2, 1), "ACMEBUYER");
      uci_action = seg.c(4);
    }
    if (seg.tag() == "UCM") ucm.push_back(seg.c(1) + ":" + seg.c(3) + ":" + seg.c(4) + ":" + seg.c(5));
    if (seg.tag() == "UCD") ucd = seg.c(1) + "/" + seg.c(2);
  }
  EXPECT_EQ(uci_action, "7");
  EXPECT_EQ(ucm, (std::vector<std::string>{"1:7::", "2:4::", "3:4:29:UNT"}));
  EXPECT_EQ(ucd, "12/1");  // QTY's first element: invalid value
}

}  // namespace
}  // namespace credo::edi_test
