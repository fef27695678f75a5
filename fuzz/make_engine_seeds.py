#!/usr/bin/env python3
"""Writes the seed inputs of the engine fuzz target (fuzz/engine_fuzz.cc) to fuzz/corpus/engine/.

Each seed is a short business scenario spelled in the target's decoder format, so that the
fuzzer starts from states where every rule is reachable (orders accepted, held, rejected,
shipped, paid, returned, written off, expired) instead of having to discover a customer and a
product first. Keep the encoding here in step with Decoder in engine_fuzz.cc.

    python3 fuzz/make_engine_seeds.py
"""
import os
import struct

# Principals (Decoder::principal): the low 4 bits of the second byte of each step.
OPS, REP0, REP3, CREDIT0, CREDIT3, FIN1, FIN2, WH, GUEST = 0, 1, 4, 5, 7, 8, 9, 10, 11
# Time modes (Decoder::advance): the high 4 bits.
SAME, PLUS_MIN, PLUS_HOURS, PLUS_DAYS, BACK_DAYS, EDGE = 0, 4, 6, 8, 12, 14
# Ops (Decoder::next, op % 26).
SUBMIT, BATCH, UPSERT_CUSTOMER, SET_CREDIT, SET_STATUS, UPSERT_PRODUCT = 0, 2, 3, 4, 5, 6
RECEIVE, ADJUST, CANCEL, RELEASE, REJECT, SHIP, PAY, RETURN, WRITE_OFF = 7, 8, 9, 10, 11, 12, 14, 15, 16
TICK, SET_POLICY, QUOTE, GET_CUSTOMER, GET_PRODUCT, GET_ORDER, HELD_OR_AGING, DAILY_OR_STATEMENT = (
    17, 19, 20, 21, 22, 23, 24, 25)


def step(op, who, when=SAME, when_arg=b""):
    return bytes([op, who | (when << 4)]) + when_arg


def u8(v):
    return bytes([v])


def money(v):
    """Decoder::money: exact for 0, 1, multiples of 100 up to 6553500, and u16 values."""
    if v == 0:
        return u8(0)
    if v == 1:
        return u8(1)
    if v % 100 == 0 and v // 100 < 256:
        return u8(3) + u8(v // 100)
    if v % 100 == 0 and v // 100 < 65536:
        return u8(4) + struct.pack("<H", v // 100)
    assert v < 65536
    return u8(10) + struct.pack("<H", v)


def qty(v):
    """Decoder::qty: small quantities 1..20."""
    assert 1 <= v <= 20
    return u8(7) + u8(v - 1)


def order_no(n):
    """The n-th order (0-based): kFirstOrderNo + n."""
    return u8(3) + u8(n)


def invoice_no(n):
    """Invoice number n (1-based)."""
    return u8(2) + u8(n - 1)


def customer(i):
    return u8(i)


def sku(i):
    return u8(i)


def text_none():
    return u8(0)


def order(cust, lines, prepaid=False, coid=None):
    """lines: [(sku index, qty)]; coid: None or 0..2 (K0..K2)."""
    b = customer(cust) + u8(0 if coid is None else 3 + coid) + u8(1 if prepaid else 0)
    b += u8(len(lines) - 1)  # 1 + n % 4 lines
    for s, q in lines:
        b += sku(s) + qty(q) + u8(0)  # list price
    return b


def upsert_customer(i, grade, limit):
    # f: grade (2) | credit_limit (4)
    return step(UPSERT_CUSTOMER, CREDIT3) + customer(i) + u8(2 | 4) + u8(grade) + money(limit)


def upsert_product(i, price, on_hand):
    # f: on_hand (4); bit 1 clear: price present
    return step(UPSERT_PRODUCT, OPS) + sku(i) + u8(4) + money(price) + qty(on_hand)


def world():
    b = b""
    b += upsert_customer(0, 0, 100_000)  # C0: grade A
    b += upsert_customer(1, 2, 3_000)  # C1: grade C, small limit
    b += upsert_customer(2, 1, 50_000)  # C2: grade B
    b += upsert_product(0, 1_000, 20)  # P0
    b += upsert_product(1, 250, 10)  # P1
    b += upsert_product(2, 5_000, 3)  # P2
    return b


def lifecycle():
    b = world()
    b += step(SUBMIT, REP0) + order(0, [(0, 5), (1, 2)], coid=0)  # 100001 accepted
    b += step(SUBMIT, REP0) + order(1, [(2, 2)])  # 100002 held: credit limit
    b += step(SUBMIT, REP0) + order(0, [(5, 1)])  # 100003 rejected: unknown sku
    b += step(SUBMIT, REP0) + order(0, [(0, 5), (1, 2)], coid=0)  # duplicate of 100001
    b += step(SHIP, WH, PLUS_HOURS, u8(2)) + order_no(0) + u8(1) + sku(0) + qty(3)  # partial
    b += step(SHIP, WH) + order_no(0) + u8(0)  # the rest
    b += step(PAY, FIN2, PLUS_DAYS, u8(5)) + customer(0) + money(3_000) + u8(0)  # R0
    b += step(RETURN, FIN2) + order_no(0) + u8(1) + sku(1) + qty(1) + u8(1) + text_none()
    b += step(RELEASE, CREDIT3) + order_no(1) + text_none()
    b += step(SUBMIT, REP0) + order(2, [(1, 4)], prepaid=True)  # 100004: prepayment required
    b += step(PAY, FIN2) + customer(2) + money(2_000) + u8(1)
    b += step(SUBMIT, REP0) + order(2, [(1, 4)], prepaid=True)  # 100005: prepaid, accepted
    b += step(CANCEL, REP0) + order_no(4) + text_none()
    b += step(GET_ORDER, REP0) + u8(0) + order_no(0)
    b += step(DAILY_OR_STATEMENT, FIN2) + u8(0) + customer(0) + u8(4) + u8(10) + u8(6)
    b += step(HELD_OR_AGING, CREDIT3) + u8(0)  # aging totals
    return b


def overdue():
    b = world()
    b += step(SUBMIT, REP0) + order(2, [(0, 4)])  # accepted on credit
    b += step(SHIP, WH) + order_no(0) + u8(0)  # invoice due in 30 days
    b += step(SUBMIT, REP0) + order(2, [(1, 3)])  # still open when time passes
    b += step(SUBMIT, REP0) + order(1, [(2, 1)])  # held
    b += step(TICK, OPS, PLUS_DAYS, u8(45))  # overdue; held and accepted orders expire
    b += step(SUBMIT, REP0) + order(2, [(0, 1)])  # held: overdue
    b += step(TICK, OPS, PLUS_DAYS, u8(60))  # suspended by the ladder
    b += step(GET_CUSTOMER, CREDIT3) + customer(2)
    b += step(WRITE_OFF, FIN2) + invoice_no(1) + text_none()
    b += step(TICK, OPS, PLUS_DAYS, u8(1))  # reactivated
    b += step(HELD_OR_AGING, CREDIT3) + u8(1) + u8(50)  # list held, at most 50
    return b


def bad_inputs():
    b = world()
    b += step(SUBMIT, WH) + order(0, [(0, 1)])  # FORBIDDEN
    b += step(TICK, OPS, BACK_DAYS, u8(3))  # time backwards: INVALID_STATE
    b += step(WRITE_OFF, FIN1) + invoice_no(1) + text_none()  # level too low
    b += step(ADJUST, WH) + sku(0) + u8(1)  # on_hand -1
    b += step(RECEIVE, WH) + sku(6) + u8(0) + qty(1)  # empty sku
    b += step(SET_CREDIT, CREDIT3) + customer(0) + u8(1) + u8(2) + text_none()  # limit -1
    b += step(PAY, FIN2) + customer(0) + u8(7) + u8(0)  # amount INT64_MIN
    b += step(SUBMIT, REP0) + customer(0) + u8(0) + u8(0) + u8(31)  # no lines
    b += step(SET_POLICY, OPS) + u8(1 | 4) + u8(2) + u8(1)  # approve limit -1: bad
    return b


def extreme_time():
    # A held order stamped a day before INT64_MAX, then a tick at INT64_MAX: before business
    # time was bounded, `at + hold time` overflowed.
    b = world()
    b += step(SUBMIT, REP0, EDGE, u8(6)) + order(1, [(2, 2)])
    b += step(TICK, OPS, EDGE, u8(7))
    b += step(TICK, OPS, EDGE, u8(8))  # INT64_MIN
    b += step(GET_CUSTOMER, CREDIT3) + customer(1)
    return b


def regress_daily_9999():
    # An order, the clock moved to 9999-12-31, another order: the dense daily table allocated a
    # 256-byte row for each of the ~2.9M days between (libFuzzer out-of-memory). Rows are sparse
    # now; tests/engine/fuzz_regression_test.cc has the same scenario.
    b = world()
    b += step(SUBMIT, REP0) + order(0, [(0, 1)])
    b += step(SUBMIT, REP0, EDGE, u8(3)) + order(0, [(1, 2)])
    b += step(DAILY_OR_STATEMENT, FIN2) + u8(0) + customer(0) + u8(4) + u8(10) + u8(6)
    b += step(TICK, OPS, PLUS_DAYS, u8(1))
    return b


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "engine")
    os.makedirs(out, exist_ok=True)
    seeds = {
        "lifecycle": lifecycle(),
        "overdue": overdue(),
        "bad-inputs": bad_inputs(),
        "extreme-time": extreme_time(),
        "regress-daily-9999": regress_daily_9999(),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
