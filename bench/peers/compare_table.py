#!/usr/bin/env python3
"""Prints bench/compare.sh's table from the run reports (medians over the runs).
Usage: compare_table.py WORKDIR RUNS "PEER_RATES" "CREDO_RATES"
"""
import json, statistics, sys

work, runs = sys.argv[1], int(sys.argv[2])
rates, credo_rates = sys.argv[3].split(), sys.argv[4].split()

def load(name):
    vals = []
    for r in range(1, runs + 1):
        try:
            with open(f"{work}/{name}-{r}.json") as f:
                vals.append(json.load(f))
        except (OSError, ValueError):
            pass
    return vals

def med(reports, key):
    xs = []
    for rep in reports:
        v = rep
        for k in key.split("."):
            v = v.get(k, {}) if isinstance(v, dict) else {}
        if isinstance(v, (int, float)):
            xs.append(v)
    return statistics.median(xs) if xs else None

systems = [("credo", "credo"), ("Redis", "redis"), ("PostgreSQL", "pg")]
def fmt_rate(x): return "-" if x is None else f"{x:,.0f}"
def fmt_ms(x): return "-" if x is None else f"{x / 1000:.2f}"

print()
print(f"medians of {runs} run(s); latency in ms, from each order's intended send time")
print()
print("| measurement | credo | Redis | PostgreSQL | credo/Redis | credo/PostgreSQL |")
print("|---|---|---|---|---|---|")
tp = {s: med(load(f"{p}-closed"), "orders_per_s") for s, p in systems}
def ratio(a, b): return "-" if not a or not b else f"{a / b:.1f}x"
print(f"| throughput, closed loop (orders/s) | {fmt_rate(tp['credo'])} | {fmt_rate(tp['Redis'])} "
      f"| {fmt_rate(tp['PostgreSQL'])} | {ratio(tp['credo'], tp['Redis'])} "
      f"| {ratio(tp['credo'], tp['PostgreSQL'])} |")
for rate in sorted(set(rates) | set(credo_rates), key=int):
    for q, label in (("p50_us", "p50"), ("p99_us", "p99")):
        row = {}
        for s, p in systems:
            if p == "credo" and rate not in credo_rates: row[s] = None; continue
            if p != "credo" and rate not in rates: row[s] = None; continue
            row[s] = med(load(f"{p}-open{rate}"), "latency." + q)
        inv = lambda a, b: ("-" if not a or not b else
                           f"{b / a:.1f}x faster" if b >= a else f"{a / b:.1f}x slower")
        print(f"| {label} at {int(rate):,}/s offered | {fmt_ms(row['credo'])} | {fmt_ms(row['Redis'])} "
              f"| {fmt_ms(row['PostgreSQL'])} | {inv(row['credo'], row['Redis'])} "
              f"| {inv(row['credo'], row['PostgreSQL'])} |")
    done = {s: med(load(f"{p}-open{rate}"), "orders_per_s") for s, p in systems}
    print(f"| achieved at {int(rate):,}/s offered (orders/s) | {fmt_rate(done['credo'] if rate in credo_rates else None)} "
          f"| {fmt_rate(done['Redis'] if rate in rates else None)} | {fmt_rate(done['PostgreSQL'] if rate in rates else None)} | | |")
errs = {s: sum(r.get("errors", 0) + r.get("protocol_errors", 0) for r in load(f"{p}-closed")) for s, p in systems}
print()
print("errors in the closed-loop runs: " + ", ".join(f"{s} {n}" for s, n in errs.items()))
