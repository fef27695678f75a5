// The WAL payload format, pinned byte for byte: every journaled kind with its optional fields
// set and unset encodes to exactly the bytes recorded here (from the hand-written codec that
// preceded the descriptor walk, so a record written by any credo version still reads back),
// and the decoder refuses exactly the out-of-bounds values it refused then.
#include <gtest/gtest.h>

#include <map>
#include <utility>
#include <vector>

#include "persistence/coding.h"
#include "persistence/command_codec.h"
#include "tests/persistence/golden_commands.h"

namespace credo {
namespace {

// clang-format off
const std::map<std::string, std::string> kGoldenHex = {
    {"upsert_customer/none", "0100000000000000e96f50c4a0010000036f70731f030100024331"},
    {"upsert_customer/some", "6700000000000000bffe51c4a0010000036f70731f03010a0243310101"},
    {"upsert_customer/all", "990100000000000041ab56c4a0010000036f70731f03011f0243310d41636d6520224c74642209455503feffffffffffffffff01843902"},
    {"set_credit/none", "2f05000000000000c7b064c4a0010000036f70731f030200407e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e00"},
    {"set_credit/all", "f10f00000000000059c18ec4a0010000036f70731f030207407e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7effffffffffffffffff01003c057261697365"},
    {"set_customer_status", "37300000000000000ff30cc5a0010000036f70731f030302433201076f766572647565"},
    {"upsert_product/none", "0991000000000000318887c6a0010000036f70731f03040007424f4c542d4d38"},
    {"upsert_product/some", "7fb30100000000009747f7caa0010000036f70731f03040a07424f4c542d4d38d00f00"},
    {"upsert_product/all", "e11a050000000000c98546d8a0010000036f70731f03040f07424f4c542d4d3807626f6c74204d38d00f0080a8d6b907"},
    {"receive_stock", "07510f00000000005f403400a1010000036f70731f030507424f4c542d4d3854"},
    {"adjust_stock", "79f32d00000000002170fd77a1010000036f70731f030607424f4c542d4d3800"},
    {"submit_order/none", "cfda89000000000067ff58dfa2010000036f70735f03070001430000000100015302"},
    {"submit_order/all", "d1909d010000000039ad6b15a7010000036f70735f03070105433130303108504f2d383831323101a8c002147765622022636865636b6f7574220a0120e29c93030107424f4c542d4d3880a8d6b9070900064e55542d4d380601065741534845528001feffffffffffffffff01"},
    {"submit_orders/empty", "d7b2d80400000000afb6a3b7b3010000036f70735f030800"},
    {"submit_orders/mixed", "e9188a0e0000000011d34b9ed9010000036f70735f0308030105433130303108504f2d383831323101a8c002147765622022636865636b6f7574220a0120e29c93030107424f4c542d4d3880a8d6b9070900064e55542d4d380601065741534845528001feffffffffffffffff010001430000000100015302000000000000"},
    {"cancel_order/reason", "1f4b9e2b00000000372844524b020000036f70731f0309ffffffffffffffffff010c6368616e676564206d696e64"},
    {"cancel_order/empty", "c1e1da8200000000a9272d6ea0030000036f70731f03090100"},
    {"release_order/note", "a7a5908801000000ff25e8c19f070000036f70731f030aa18d06086f6b206279205650"},
    {"release_order/empty", "59f1b19904000000012119bd9d130000036f70731f030aa18d0600"},
    {"reject_order", "6fd415cd0d0000000712acae97370000036f70731f030ba28d06026e6f"},
    {"ship/everything", "b17d41672900000019e5648385a30000036f70731f030ca38d0600"},
    {"ship/lines", "7779c4357c0000004f5e8f014fe70100036f70731f030ca38d0602014102009003"},
    {"return_goods/restock", "bf46e8e35d040000d70c8debc0141100036f70731f030ea48d0601014102010764616d61676564"},
    {"return_goods/empty", "a1d4b8ab190d000089d5073a013b3300036f70731f030ea48d06000000"},
    {"write_off", "477e2a034d2700009f2f7825c2ad9900036f70731f030f070862616e6b72757074"},
    {"tick", "397b7f09e7750000e13dc9e70406cd01036f70731f0310"},
    {"record_payment", "c96c4da174010000f1c90e7cabb20500036f70735f030d0002433180890f055041592d31"},
    {"set_policy/default", "0f727e1cb5610100a768bc2ecd0e6705036f70737f031180dac40980c2d72f8094ebdc03feffffffffffffffff0100d804d00fa09c0190013c00780e01010101010104060204010101042800b4010080dac4098084af5ffeffffffffffffffff01ec02b6013c3c3cda050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e00"},
    {"set_policy/custom", "91567b551f250400f9e8950326293510036f70737f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e01010101010104060204010101042800b4010080dac4098084af5ffeffffffffffffffff01ec02b6013c3c3cda050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e00"},
    {"amend_order/none", "170472005e6f0c00ef69228230789f30036f70731f031c00a28d06094544492d3836302d3100"},
    {"amend_order/all", "a90c56011a4e2500d1ecc7fd4f65de91036f70731f031c03a28d06094544492d3836302d31020007424f4c542d4d385001034e555404be01a8c002057265762032"},
    {"set_policy/doubtful_after_days", "5f2602044eea6f007775b870ae2c9bb5036f70737f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040602040101010428005a0080dac4098084af5ffeffffffffffffffff01ec02b6013c3c3cda050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e00"},
    {"reverse_payment/plain", "8173060ceabe4f01690f8ac9c982d120036f70731f031d055041592d310e63686571756520626f756e63656400"},
    {"reverse_payment/suspend", "e75a1324be3cef033fddfed31b857462036f70731f031d055041592d310001"},
    {"refund", "19113a6c3ab6cd0bc1465df3118c5d27036f70731f031e024331904e0452462d31086f76657270616964"},
    {"set_policy/credit", "af33ae44af22692347837851f4a01876036f70737f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040602040101010428005a000a0cfeffffffffffffffff01dc0502040600da050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e00"},
    {"approve_credit/note", "719b0ace0d683b6ad938ca6b9bdf4962036f70731f03140107636865636b6564"},
    {"approve_credit/empty", "b7d21f6a2938b23e8f59bfba909bdd26036f70731f0314ffffffffffffffffff0100"},
    {"reject_credit", "89785f3e7ca816bcb1bb9ea770cf9874036f70731f03150209746f6f207269736b79"},
    {"review_customer/none", "ff691ebb74f9433417e23c6e106bca5d036f70731f031600024331026f6b"},
    {"review_customer/all", "613e5b315eeccb9c495517c2ef3d5f19036f70731f03160302433101a0c21e0467726577"},
    {"set_policy/approvals", "87bb11941ac563d6dfaea6bd8db61d4c036f70737f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040600040101010446015a000a0cfeffffffffffffffff01dc0502040600da050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e00"},
    {"approve_order/all", "f93235bc4f4f2b83a1bb54b0672059e4036f70731f031200a18d0600"},
    {"approve_order/reasons", "4f999f34efed8189e7e15e88f55d0bad036f70731f031201a18d06800a026f6b"},
    {"release_shipment", "51ccde9dcdc9859cb9547d109f162207036f70731f0313a18d06086c617374206f6e65"},
    {"set_policy/writeoff", "57659cd9685d91d52fadd8a89b406615036f70737f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040600040101010446015a000a0cfeffffffffffffffff01dc05020406003c0100feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e00"},
    {"record_payment/recovery", "6930d58c3a18b48091b6ea7191be3240036f70735f030d01024331e807055041592d3207"},
    {"propose_write_off", "9f917fa6af481c82b7d220cd723898c0036f70731f03170702093134206d6f6e746873"},
    {"approve_write_off/note", "41b57ef30eda54862927c3de16a6c841036f70731f03180106616772656564"},
    {"approve_write_off/empty", "27207cda2c8efe927f24aa1303ef59c5036f70731f0318ffffffffffffffffff0100"},
    {"request_return", "d960748f86aafbb8811c5fb2c7c90d50036f70731f0319a48d06010141040a77726f6e672073697a65"},
    {"approve_return", "ef225dae93fff22a87047e8e155a29f0036f70731f031a01026f6b"},
    {"receive_return", "3169170bbbfed88099bcda22ff0a7cd0036f70731f031b01020141020001410201"},
    {"upsert_price_agreement", "f73b462131fc8a82cfe4f0dfbb1d7471036f70731f031f0441472d3102433107424f4c542d4d38ec0ee0be02bac402"},
    {"end_price_agreement/reason", "49b4d26393f4a087715d3317f2555c54036f70731f03200441472d310c72656e65676f746961746564"},
    {"end_price_agreement/empty", "3f1d782bbadde29657c7fabc94fe14fd036f70731f03200441472d3100"},
};
// clang-format on

TEST(CommandCodecGolden, EveryKindEncodesToTheRecordedBytes) {
  std::string missing;
  for (const test::GoldenCommand& g : test::golden_commands()) {
    std::string out, err;
    ASSERT_TRUE(encode_command(g.command, out, &err)) << g.label << ": " << err;
    const auto want = kGoldenHex.find(g.label);
    if (want == kGoldenHex.end()) {
      missing += "    {\"" + g.label + "\", \"" + test::hex(out) + "\"},\n";
      continue;
    }
    EXPECT_EQ(test::hex(out), want->second) << g.label;
    Command back;
    ASSERT_TRUE(decode_command(out, &back, &err)) << g.label << ": " << err;
    std::string again;
    ASSERT_TRUE(encode_command(back, again, &err)) << g.label << ": " << err;
    EXPECT_EQ(test::hex(again), want->second) << g.label << " after a round trip";
  }
  EXPECT_TRUE(missing.empty()) << "no golden bytes for:\n" << missing;
  EXPECT_EQ(kGoldenHex.size(), test::golden_commands().size());
}

// set_policy records written before Policy had field version 2 (the creditdata members) still
// decode: their bytes as every earlier credo wrote them, the new members at their defaults.
TEST(CommandCodecGolden, SetPolicyOfFieldVersionOneDecodesWithTheCreditDataDefaults) {
  const std::map<std::string, std::string> kV1Hex = {
      {"set_policy/default",
       "0f727e1cb5610100a768bc2ecd0e6705036f70731f031180dac40980c2d72f8094ebdc03feffffffffffffffff0"
       "100d804d00fa09c0190013c0078"},
      {"set_policy/custom",
       "91567b551f250400f9e8950326293510036f70731f0311020406feffffffffffffffff01000204a09c01020406f"
       "effffff0f"},
  };
  for (const test::GoldenCommand& g : test::golden_commands()) {
    const auto v1 = kV1Hex.find(g.label);
    if (v1 == kV1Hex.end()) continue;
    std::string bytes;
    for (std::size_t i = 0; i + 1 < v1->second.size(); i += 2)
      bytes += static_cast<char>(std::stoi(v1->second.substr(i, 2), nullptr, 16));
    Command back;
    std::string err;
    ASSERT_TRUE(decode_command(bytes, &back, &err)) << g.label << ": " << err;
    EXPECT_EQ(std::get<SetPolicy>(back.body).policy, std::get<SetPolicy>(g.command.body).policy)
        << g.label;
  }
}

// A set_policy record written before the approval knobs (field version 1: roles byte 0x1f)
// still decodes, with the knobs at Policy's defaults (not zero).
TEST(CommandCodecGolden, AVersionOneSetPolicyDecodesWithTheDefaultApprovalKnobs) {
  const std::string hex_v1 =
      "0f727e1cb5610100a768bc2ecd0e6705036f70731f031180dac40980c2d72f8094ebdc03feffffffffffffffff"
      "0100d804d00fa09c0190013c0078";
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex_v1.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex_v1.substr(i, 2), nullptr, 16)));
  Command c;
  std::string err;
  ASSERT_TRUE(decode_command(bytes, &c, &err)) << err;
  const Policy& p = std::get<SetPolicy>(c.body).policy;
  EXPECT_EQ(p.reason_levels, kDefaultReasonLevels);
  EXPECT_EQ(p.credit_limit_vp_pct, 20);
  EXPECT_FALSE(p.allow_combined_roles);
}

// Records written before field version 2 (branch writeoff extended RecordPayment and the
// policy) and before field version 3 (branch rules: deposit_pct, record_payment's order_no, the
// policy's credit caps and deposit knobs) and before field version 4 (retention: the policy's
// order_retention_days): their old bytes still decode, to the command that now encodes as the
// current version.
TEST(CommandCodecGolden, RecordsOfFieldVersionOneStillDecode) {
  const std::vector<std::pair<std::string, std::string>> kVersion1Hex = {
      {"submit_order/none", "cfda89000000000067ff58dfa2010000036f70731f03070001430000000100015302"},
      {"submit_order/all", "d1909d010000000039ad6b15a7010000036f70731f03070105433130303108504f2d383831323101a8c002147765622022636865636b6f7574220a0120e29c93030107424f4c542d4d3880a8d6b9070900064e55542d4d380601065741534845528001feffffffffffffffff01"},
      {"submit_orders/mixed", "e9188a0e0000000011d34b9ed9010000036f70731f0308030105433130303108504f2d383831323101a8c002147765622022636865636b6f7574220a0120e29c93030107424f4c542d4d3880a8d6b9070900064e55542d4d380601065741534845528001feffffffffffffffff010001430000000100015302000000000000"},
      {"record_payment", "c96c4da174010000f1c90e7cabb20500036f70733f030d0002433180890f055041592d31"},
      {"record_payment/recovery", "6930d58c3a18b48091b6ea7191be3240036f70733f030d01024331e807055041592d3207"},
      {"set_policy/writeoff", "57659cd9685d91d52fadd8a89b406615036f70733f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0d0101010101010406000401010146015a000a0cfeffffffffffffffff01dc05020406003c0100"},
      {"record_payment", "c96c4da174010000f1c90e7cabb20500036f70731f030d02433180890f055041592d31"},
      {"set_policy/default", "0f727e1cb5610100a768bc2ecd0e6705036f70731f031180dac40980c2d72f8094ebdc03feffffffffffffffff0100d804d00fa09c0190013c0078"},
      {"set_policy/custom", "91567b551f250400f9e8950326293510036f70731f0311020406feffffffffffffffff01000204a09c01020406feffffff0f"},      // field version 3, before order_retention_days (it decodes as 0)
      {"set_policy/default", "0f727e1cb5610100a768bc2ecd0e6705036f70735f031180dac40980c2d72f8094ebdc03feffffffffffffffff0100d804d00fa09c0190013c00780e01010101010104060204010101042800b4010080dac4098084af5ffeffffffffffffffff01ec02b6013c3c3cda050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e"},
      {"set_policy/custom", "91567b551f250400f9e8950326293510036f70735f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e01010101010104060204010101042800b4010080dac4098084af5ffeffffffffffffffff01ec02b6013c3c3cda050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e"},
      {"set_policy/doubtful_after_days", "5f2602044eea6f007775b870ae2c9bb5036f70735f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040602040101010428005a0080dac4098084af5ffeffffffffffffffff01ec02b6013c3c3cda050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e"},
      {"set_policy/credit", "af33ae44af22692347837851f4a01876036f70735f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040602040101010428005a000a0cfeffffffffffffffff01dc0502040600da050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e"},
      {"set_policy/approvals", "87bb11941ac563d6dfaea6bd8db61d4c036f70735f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040600040101010446015a000a0cfeffffffffffffffff01dc0502040600da050080dac409feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e"},
      {"set_policy/writeoff", "57659cd9685d91d52fadd8a89b406615036f70735f0311020406feffffffffffffffff01000204a09c01020406feffffff0f0e010101010101040600040101010446015a000a0cfeffffffffffffffff01dc05020406003c0100feffffffffffffffff01feffffffffffffffff0180ade2040014283c640e"},
  };
  for (const auto& [label, old_hex] : kVersion1Hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < old_hex.size(); i += 2)
      bytes += static_cast<char>(std::stoi(old_hex.substr(i, 2), nullptr, 16));
    Command c;
    std::string err, again;
    ASSERT_TRUE(decode_command(bytes, &c, &err)) << label << ": " << err;
    ASSERT_TRUE(encode_command(c, again, &err)) << label << ": " << err;
    EXPECT_EQ(test::hex(again), kGoldenHex.at(label)) << label;
  }
}

// A record body: the golden principal's header, then `kind`, then `payload` (hex).
std::string body(uint8_t kind, std::string_view payload_hex) {
  std::string out;
  coding::put_u64(out, 9);
  coding::put_u64(out, 1'790'000'000'000);
  out += "\x03ops";
  coding::put_u8(out, 31);
  coding::put_u8(out, 3);
  coding::put_u8(out, kind);
  for (std::size_t i = 0; i + 1 < payload_hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(payload_hex.substr(i, 2)), nullptr, 16));
  return out;
}

bool decodes(uint8_t kind, std::string_view payload_hex) {
  Command c;
  std::string err;
  const bool ok = decode_command(body(kind, payload_hex), &c, &err);
  EXPECT_EQ(ok, err.empty()) << err;
  return ok;
}

// Each pair: the largest value the format admits decodes, one past it is refused.
TEST(CommandCodecGolden, DecoderRefusesTheSameBoundsAsBefore) {
  // upsert_customer (1): flags bits 0..4 only; grade <= D; status <= blocked; int32 terms.
  EXPECT_TRUE(decodes(1,
                      "1f"
                      "024331"
                      "00"
                      "03"
                      "00"
                      "00"
                      "02"));
  EXPECT_FALSE(decodes(1,
                       "20"
                       "024331"));
  EXPECT_TRUE(decodes(1,
                      "02"
                      "024331"
                      "03"));
  EXPECT_FALSE(decodes(1,
                       "02"
                       "024331"
                       "04"));
  EXPECT_TRUE(decodes(1,
                      "10"
                      "024331"
                      "02"));
  EXPECT_FALSE(decodes(1,
                       "10"
                       "024331"
                       "03"));
  EXPECT_TRUE(decodes(1,
                      "08"
                      "024331"
                      "feffffff0f"));  // terms_days = INT32_MAX
  EXPECT_FALSE(decodes(1,
                       "08"
                       "024331"
                       "8080808010"));  // 2^31
  // keys: at most 64 bytes, printable without spaces; text: at most 1024 bytes.
  EXPECT_TRUE(decodes(1,
                      "00"
                      "40" +
                          std::string(128, '7')));
  EXPECT_FALSE(decodes(1,
                       "00"
                       "41" +
                           std::string(130, '7')));
  EXPECT_FALSE(decodes(1,
                       "00"
                       "024320"));
  EXPECT_TRUE(decodes(1,
                      "01"
                      "024331"
                      "8008" +
                          std::string(2048, '6')));
  EXPECT_FALSE(decodes(1,
                       "01"
                       "024331"
                       "8108" +
                           std::string(2050, '6')));
  // set_customer_status (3): status <= blocked.
  EXPECT_TRUE(decodes(3,
                      "024331"
                      "02"
                      "00"));
  EXPECT_FALSE(decodes(3,
                       "024331"
                       "03"
                       "00"));
  // submit_order (7): order flags bit 0 only (in a version-1 record), payment <= deposit, line
  // flags bit 0 only.
  EXPECT_TRUE(decodes(7,
                      "01"
                      "0143"
                      "00"
                      "01"
                      "02"
                      "00"
                      "01"
                      "01"
                      "0153"
                      "02"
                      "04"));
  EXPECT_FALSE(decodes(7,
                       "02"
                       "0143"
                       "00"
                       "01"
                       "00"
                       "01"
                       "00"
                       "0153"
                       "02"));
  EXPECT_TRUE(decodes(7,  // payment 3: deposit (since branch rules; cod is 2)
                      "00"
                      "0143"
                      "00"
                      "03"
                      "00"
                      "01"
                      "00"
                      "0153"
                      "02"));
  EXPECT_FALSE(decodes(7,
                       "00"
                       "0143"
                       "00"
                       "04"
                       "00"
                       "01"
                       "00"
                       "0153"
                       "02"));
  EXPECT_FALSE(decodes(7,
                       "00"
                       "0143"
                       "00"
                       "00"
                       "00"
                       "01"
                       "02"
                       "0153"
                       "02"));
  // submit_orders (8): at most 10000 orders, and no more than the bytes left can hold.
  EXPECT_FALSE(decodes(8, "914e"));  // 10001
  EXPECT_FALSE(decodes(8,
                       "02"
                       "000000000000"));  // 2 orders, 6 bytes
  EXPECT_TRUE(decodes(8,
                      "02"
                      "000000000000"
                      "000000000000"));  // 2 empty orders
  // ship (12): at most 1000 lines, each at least 2 bytes.
  EXPECT_FALSE(decodes(12,
                       "07"
                       "e907"));
  EXPECT_FALSE(decodes(12,
                       "07"
                       "02"
                       "0002"));
  EXPECT_TRUE(decodes(12,
                      "07"
                      "02"
                      "0002"
                      "0004"));
  // return_goods (14): restock is 0 or 1.
  EXPECT_TRUE(decodes(14,
                      "07"
                      "00"
                      "01"
                      "00"));
  EXPECT_FALSE(decodes(14,
                       "07"
                       "00"
                       "02"
                       "00"));
  // set_policy (17): int32 members hold int32 values.
  const std::string money4 = "00000000";
  EXPECT_TRUE(decodes(17, money4 + "00000000" +
                              "feffffff0f"
                              "00"
                              "00"
                              "00"));
  EXPECT_FALSE(decodes(17, money4 + "00000000" +
                               "8080808010"
                               "00"
                               "00"
                               "00"));
  EXPECT_FALSE(decodes(17, money4 + "0000008080808010" +
                               "00"
                               "00"
                               "00"
                               "00"));
  // kinds: 1..17; nothing after the last field.
  EXPECT_TRUE(decodes(16, ""));
  EXPECT_FALSE(decodes(16, "00"));
  EXPECT_FALSE(decodes(0, ""));
  EXPECT_FALSE(decodes(18, ""));
}


// A set_policy written before doubtful_after_days (field version 1, the bytes this test pinned
// then) still decodes, with doubtful_after_days at its default.
TEST(CommandCodecGolden, VersionOneSetPolicyDecodesWithTheDefaultDoubtfulAfterDays) {
  Command c;
  std::string err;
  ASSERT_TRUE(decode_command(
      body(17, "80dac40980c2d72f8094ebdc03feffffffffffffffff0100d804d00fa09c0190013c0078"), &c,
      &err))
      << err;
  const auto* sp = std::get_if<SetPolicy>(&c.body);
  ASSERT_NE(sp, nullptr);
  EXPECT_EQ(sp->policy, Policy{});
  EXPECT_EQ(sp->policy.doubtful_after_days, 90);
}

}  // namespace
}  // namespace credo
