// The command codec: every command kind round-trips, and no malformed payload decodes by
// accident or reads out of bounds.
#include <gtest/gtest.h>

#include <random>

#include "engine/ops.h"
#include "persistence/command_codec.h"
#include "persistence/crc32c.h"
#include "tests/common/fault_matrix.h"
#include "tests/persistence/test_util.h"

namespace credo::crc32c {
uint32_t extend_portable_for_test(uint32_t crc, const void* data, std::size_t n);
}

namespace credo {
namespace {

OrderRequest full_order(int n_lines) {
  OrderRequest o;
  o.customer = Key::of("C1001");
  o.client_order_id = Key::of("PO-88121");
  o.payment = PaymentTerms::prepaid;
  o.ship_by = 20'500;
  o.ref = "web checkout 5531 \xe2\x9c\x93";  // free text may be UTF-8
  for (int i = 0; i < n_lines; ++i) {
    LineRequest l;
    l.sku = Key::of("SKU-" + std::to_string(i));
    l.qty = 1'000'000'000 - i;
    if (i % 2) l.unit_price = -5 + i * 1'000'000'007LL;
    o.lines.push_back(l);
  }
  return o;
}

// Every alternative, once with every optional set and extreme values, once minimal.
std::vector<CommandBody> every_body() {
  std::vector<CommandBody> v;
  UpsertCustomer uc;
  uc.customer = Key::of("C1");
  v.push_back(uc);
  uc.name = std::string(kMaxTextLen, 'n');
  uc.grade = Grade::D;
  uc.credit_limit = INT64_MAX;
  uc.terms_days = 3650;
  uc.status = CustomerStatus::blocked;
  v.push_back(uc);
  SetCredit sc;
  sc.customer = Key::of(std::string(64, '~'));
  v.push_back(sc);
  sc.credit_limit = INT64_MIN;
  sc.grade = Grade::B;
  sc.terms_days = -1;
  sc.reason = "raise";
  v.push_back(sc);
  v.push_back(SetCustomerStatus{Key::of("C2"), CustomerStatus::on_hold, "overdue"});
  UpsertProduct up;
  up.sku = Key::of("BOLT-M8");
  v.push_back(up);
  up.name = "bolt";
  up.price = 1000;
  up.floor_price = 0;
  up.on_hand = 1'000'000'000;
  v.push_back(up);
  v.push_back(ReceiveStock{Key::of("BOLT-M8"), 42});
  v.push_back(AdjustStock{Key::of("BOLT-M8"), 0});
  v.push_back(SubmitOrder{full_order(3)});
  SubmitOrder minimal;
  minimal.order.customer = Key::of("C");
  minimal.order.lines.push_back(LineRequest{Key::of("S"), 1, std::nullopt});
  v.push_back(minimal);
  SubmitOrders so;
  v.push_back(so);
  so.orders.push_back(full_order(1));
  so.orders.push_back(minimal.order);
  so.orders.push_back(full_order(0));
  v.push_back(so);
  v.push_back(CancelOrder{UINT64_MAX, "changed mind"});
  v.push_back(ReleaseOrder{100001, ""});
  v.push_back(RejectOrder{100002, "no"});
  v.push_back(Ship{100003, {}});
  v.push_back(Ship{100003, {SkuQty{Key::of("A"), 1}, SkuQty{Key::of("B"), 2}}});
  v.push_back(RecordPayment{Key::of("C1"), 123456, Key::of("PAY-1")});
  v.push_back(ReturnGoods{100004, {SkuQty{Key::of("A"), 1}}, true, "damaged"});
  v.push_back(ReturnGoods{100004, {}, false, ""});
  v.push_back(WriteOff{7, "bankrupt"});
  v.push_back(Tick{});
  v.push_back(ProposeWriteOff{7, WriteOffReason::settlement, "agreed 40%"});
  v.push_back(ApproveWriteOff{1, "ok"});
  v.push_back(RequestReturn{100004, {SkuQty{Key::of("A"), 1}}, "wrong size"});
  v.push_back(ApproveReturn{1, ""});
  v.push_back(ReceiveReturn{1, {ReceiveLine{Key::of("A"), 1, QcResult::fail}}});
  SetPolicy sp;
  v.push_back(sp);
  sp.policy.approve_total_max_minor = {1, 2, 3, INT64_MAX};
  sp.policy.discount_max_bp = {0, 1, 2, 10'000};
  sp.policy.hold_ttl_hours = 1;
  sp.policy.order_ttl_days = 2;
  sp.policy.overdue_hold_days = 3;
  sp.policy.suspend_after_days = INT32_MAX;
  sp.policy.reason_levels[static_cast<int>(Reason::OVERDUE)] = 3;
  sp.policy.credit_limit_vp_pct = 10'000;
  sp.policy.allow_combined_roles = true;
  v.push_back(sp);
  AmendOrder am;
  am.order_no = 100005;
  am.amendment_id = Key::of("EDI-1");
  v.push_back(am);
  am.lines.push_back(LineRequest{Key::of("S"), 2, 90});
  am.ship_by = 20'000;
  am.ref = "rev 2";
  v.push_back(am);
  sp.policy.doubtful_after_days = 31;
  v.push_back(sp);
  v.push_back(ReversePayment{Key::of("PAY-1"), "cheque bounced", true});
  v.push_back(Refund{Key::of("C1"), 1, Key::of("RF-1"), ""});
  sp.policy.credit_limit_max_minor = {0, 1, 2, INT64_MAX};
  sp.policy.review_cycle_days_a = 366;
  sp.policy.review_grace_days = 0;
  v.push_back(sp);
  v.push_back(ApproveCredit{1, "ok"});
  v.push_back(RejectCredit{UINT64_MAX, ""});
  v.push_back(ReviewCustomer{Key::of("C1"), std::nullopt, std::nullopt, ""});
  v.push_back(ReviewCustomer{Key::of("C1"), Grade::A, INT64_MAX, "annual"});
  v.push_back(ApproveOrder{100001, reason_bit(Reason::AMOUNT_APPROVAL), "ok"});
  v.push_back(ApproveOrder{UINT64_MAX, std::nullopt, ""});
  v.push_back(ReleaseShipment{100001, "one more"});
  v.push_back(UpsertPriceAgreement{Key::of("AG-1"), Key::of("C1"), Key::of("S"), 0, -3, 2'932'896});
  v.push_back(EndPriceAgreement{Key::of("AG-1"), ""});
  return v;
}

std::string encode(const Command& c) {
  std::string out, err;
  EXPECT_TRUE(encode_command(c, out, &err)) << err;
  return out;
}

Command wrap(CommandBody b, uint64_t seq = 77) {
  Command c;
  c.seq = seq;
  c.at = -1;  // before the epoch: time is signed
  c.by = test::admin();
  c.body = std::move(b);
  return c;
}

TEST(CommandCodec, EveryCommandKindRoundTrips) {
  std::vector<bool> seen(kCommandKindMax + 1, false);
  for (const CommandBody& b : every_body()) {
    const Command c = wrap(b);
    const std::string bytes = encode(c);
    Command d;
    std::string err;
    ASSERT_TRUE(decode_command(bytes, &d, &err)) << kind_name(uint8_t(kind_of(b))) << ": " << err;
    EXPECT_EQ(d.seq, c.seq);
    EXPECT_EQ(d.at, c.at);
    EXPECT_EQ(d.by.name, c.by.name);
    EXPECT_EQ(d.by.roles, c.by.roles);
    EXPECT_EQ(d.by.level, c.by.level);
    EXPECT_EQ(d.body.index(), c.body.index());
    // The encoding is canonical, so equal bytes mean equal commands (every field is encoded).
    EXPECT_EQ(encode(d), bytes) << kind_name(uint8_t(kind_of(b)));
    seen[static_cast<uint8_t>(kind_of(b))] = true;
  }
  // Kinds are assigned ahead of the ops that use them, so the declared ones may have gaps.
  std::vector<bool> declared(kCommandKindMax + 1, false);
  std::size_t commands = 0;
  for (const OpInfo& op : kOps)
    if (op.cls == OpClass::command) {
      declared[op.wal_kind] = true;
      ++commands;
    }
  for (int k = 1; k <= kCommandKindMax; ++k)
    EXPECT_EQ(seen[k], declared[k]) << kind_name(uint8_t(k));
  EXPECT_EQ(std::variant_size_v<CommandBody>, commands);
}

TEST(CommandCodec, DecodedFieldsMatchForAnOrder) {
  const Command c = wrap(SubmitOrder{full_order(4)});
  Command d;
  std::string err;
  ASSERT_TRUE(decode_command(encode(c), &d, &err)) << err;
  const auto& o = std::get<SubmitOrder>(d.body).order;
  const auto& want = std::get<SubmitOrder>(c.body).order;
  EXPECT_EQ(o.customer, want.customer);
  EXPECT_EQ(o.client_order_id, want.client_order_id);
  EXPECT_EQ(o.payment, want.payment);
  EXPECT_EQ(o.ship_by, want.ship_by);
  EXPECT_EQ(o.ref, want.ref);
  ASSERT_EQ(o.lines.size(), want.lines.size());
  for (size_t i = 0; i < o.lines.size(); ++i) {
    EXPECT_EQ(o.lines[i].sku, want.lines[i].sku);
    EXPECT_EQ(o.lines[i].qty, want.lines[i].qty);
    EXPECT_EQ(o.lines[i].unit_price, want.lines[i].unit_price);
  }
}

TEST(CommandCodec, EveryTruncationIsAnError) {
  for (const CommandBody& b : every_body()) {
    const std::string bytes = encode(wrap(b));
    for (size_t n = 0; n < bytes.size(); ++n) {
      Command d;
      std::string err;
      EXPECT_FALSE(decode_command(std::string_view(bytes).substr(0, n), &d, &err))
          << kind_name(uint8_t(kind_of(b))) << " cut at " << n;
    }
    Command d;
    std::string err;
    EXPECT_FALSE(decode_command(bytes + '\0', &d, &err)) << "trailing byte accepted";
  }
  if (!HasFailure()) {
    test::record_fault("WAL record decoder",
                       "a record payload cut at every byte, or with a trailing byte",
                       "every one of the " + std::to_string(every_body().size()) +
                           " command kinds: each cut refused with an error, never misread");
  }
}

TEST(CommandCodec, RandomCorruptionNeverCrashesOrOverReads) {
  std::mt19937_64 rng(12345);
  const auto bodies = every_body();
  int decoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bytes = encode(wrap(bodies[iter % bodies.size()]));
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    // Decode from an exact-size heap copy so an over-read would touch unowned memory.
    std::unique_ptr<char[]> exact(new char[bytes.size()]);
    std::memcpy(exact.get(), bytes.data(), bytes.size());
    Command d;
    std::string err;
    if (decode_command(std::string_view(exact.get(), bytes.size()), &d, &err))
      ++decoded;
    else
      EXPECT_FALSE(err.empty());
  }
  EXPECT_LT(decoded, 20000);
  if (!HasFailure()) {
    test::record_fault("WAL record decoder", "20,000 payloads with 1-4 random bytes flipped",
                       "no crash or over-read (exact-size buffers, ASan in CI); " +
                           std::to_string(20000 - decoded) + " refused with an error");
  }
}

TEST(CommandCodec, RefusesWhatItCouldNotReadBack) {
  UpsertCustomer uc;
  uc.customer = Key::of("C1");
  uc.name = std::string(kMaxTextLen + 1, 'x');
  std::string out, err;
  EXPECT_FALSE(encode_command(wrap(uc), out, &err));
  EXPECT_NE(err.find("name"), std::string::npos) << err;
  EXPECT_TRUE(out.empty());

  SubmitOrder so;
  so.order.customer = Key::of("C1");
  so.order.lines.resize(kMaxOrderLines + 1, LineRequest{Key::of("S"), 1, std::nullopt});
  EXPECT_FALSE(encode_command(wrap(so), out, &err));

  Command anonymous = wrap(Tick{});
  anonymous.by.name = Key{};
  EXPECT_FALSE(encode_command(anonymous, out, &err));

  // The decoder refuses an enum past its last value, so the encoder does too.
  UpsertCustomer bad_grade;
  bad_grade.customer = Key::of("C1");
  bad_grade.grade = static_cast<Grade>(static_cast<uint8_t>(Grade::D) + 1);
  EXPECT_FALSE(encode_command(wrap(bad_grade), out, &err));
  EXPECT_NE(err.find("grade"), std::string::npos) << err;
  EXPECT_TRUE(out.empty());
}

// Errors name the field by its path through lists, as the request parser's do.
TEST(CommandCodec, ErrorsNameTheFieldAndItsPosition) {
  SubmitOrders batch;
  batch.orders = {OrderRequest{}, OrderRequest{}};
  batch.orders[1].lines.resize(3, LineRequest{Key::of("S"), 1, std::nullopt});
  std::memcpy(batch.orders[1].lines[2].sku.data, "S\x01", 2);
  batch.orders[1].lines[2].sku.len = 2;  // not printable: not a key
  std::string out, err;
  EXPECT_FALSE(encode_command(wrap(batch), out, &err));
  EXPECT_EQ(err, "orders[1].lines[2].sku: invalid identifier");

  batch.orders[1].lines[2].sku = Key::of("S");
  ASSERT_TRUE(encode_command(wrap(batch), out, &err)) << err;
  out.resize(out.size() - 1);  // cut the last line's qty
  Command back;
  EXPECT_FALSE(decode_command(out, &back, &err));
  EXPECT_EQ(err, "submit_orders.orders[1].lines[2].qty: truncated or bad varint");
}

// The decoder's count bounds (bytes per element) must admit the smallest encoding the encoder
// writes, empty keys included. Found by fuzz/wal_reader_fuzz.cc.
TEST(CommandCodec, ElementsWithEmptyKeysReadBack) {
  Ship ship;
  ship.order_no = 7;
  ship.lines = {SkuQty{Key{}, 1}, SkuQty{Key{}, 2}};
  SubmitOrder so;
  so.order.lines = {LineRequest{Key{}, 1, std::nullopt}, LineRequest{Key{}, 2, std::nullopt}};
  SubmitOrders batch;
  batch.orders = {OrderRequest{}, OrderRequest{}};
  for (const Command& cmd : {wrap(ship), wrap(so), wrap(batch)}) {
    std::string out, err;
    ASSERT_TRUE(encode_command(cmd, out, &err)) << err;
    Command back;
    EXPECT_TRUE(decode_command(out, &back, &err)) << err;
    std::string again;
    ASSERT_TRUE(encode_command(back, again, &err)) << err;
    EXPECT_EQ(again, out);
  }
}

TEST(CommandCodec, HeaderDecodesWithoutThePayload) {
  const std::string bytes = encode(wrap(RecordPayment{Key::of("C9"), 5, Key::of("R")}, 991));
  CommandHeader h;
  std::string err;
  ASSERT_TRUE(decode_command_header(bytes, &h, &err)) << err;
  EXPECT_EQ(h.seq, 991u);
  EXPECT_EQ(h.at, -1);
  EXPECT_EQ(h.by.name.view(), "ops");
  EXPECT_STREQ(kind_name(h.kind), "record_payment");
}

// The roles byte's top 3 bits are the record's field version minus 1 (engine/fields.h "Field
// versions"): 0 in every record written before versions existed.
TEST(CommandCodec, FieldVersionRidesInTheRolesByteAndANewerOneIsRefusedByName) {
  // A body nobody extended (RecordPayment is version 2 since recovery_of).
  const std::string bytes = encode(wrap(ReceiveStock{Key::of("C9"), 5}, 991));
  const std::size_t roles_at = 8 + 8 + 1 + 3;  // seq, at, name length, "ops"
  CommandHeader h;
  std::string err;
  ASSERT_TRUE(decode_command_header(bytes, &h, &err)) << err;
  EXPECT_EQ(uint8_t(bytes[roles_at]), h.by.roles) << "a version-1 body writes no version bits";
  EXPECT_EQ(h.field_version, 1);

  std::string v2 = bytes;
  v2[roles_at] = static_cast<char>(uint8_t(v2[roles_at]) | (1u << 5));
  ASSERT_TRUE(decode_command_header(v2, &h, &err)) << err;
  EXPECT_EQ(h.field_version, 2);
  EXPECT_EQ(h.by.roles, uint8_t(bytes[roles_at])) << "the version bits are not roles";

  std::string newer = bytes;
  newer[roles_at] = static_cast<char>(uint8_t(newer[roles_at]) | (7u << 5));
  EXPECT_FALSE(decode_command_header(newer, &h, &err));
  EXPECT_NE(err.find("field version 8"), std::string::npos) << err;
  EXPECT_NE(err.find("newer credo"), std::string::npos) << err;
}

TEST(Crc32c, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32c::value("123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c::value("", 0), 0u);
}

TEST(Crc32c, HardwareAndTableAgreeAndExtendComposes) {
  std::mt19937_64 rng(7);
  std::string data(4099, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  for (size_t n : {0, 1, 7, 8, 9, 63, 64, 65, 4099}) {
    const uint32_t fast = crc32c::value(data.data(), n);
    EXPECT_EQ(fast, crc32c::extend_portable_for_test(0, data.data(), n)) << n;
    const size_t half = n / 3;
    EXPECT_EQ(fast, crc32c::extend(crc32c::value(data.data(), half), data.data() + half, n - half));
  }
}

}  // namespace
}  // namespace credo
