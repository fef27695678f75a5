#!/usr/bin/env python3
"""Turns pgbench --log files into the credo-loadgen --json shape (orders/s, percentiles).

Each log line: client_id transaction_no time_us script_no epoch_s epoch_us [schedule_lag_us].
With -R (open loop), latency counts from the scheduled start (time + schedule lag), the same
no-coordinated-omission rule as credo-loadgen. Transactions that finished in the warm-up are
dropped; the throughput is over the measured window.
Usage: pgbench_report.py LOGDIR WARMUP_S
"""
import glob, json, sys

logdir, warm = sys.argv[1], float(sys.argv[2])
rows = []
for path in glob.glob(logdir + "/tx*"):
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 6 or p[2] == "skipped":
                continue
            end = int(p[4]) + int(p[5]) / 1e6
            lat = int(p[2]) + (int(p[6]) if len(p) > 6 else 0)
            rows.append((end, lat))
if not rows:
    print(json.dumps({"orders_per_s": 0, "latency": {}}))
    sys.exit(0)
# The run starts at the earliest scheduled start; measured: the transactions that finished
# after the warm-up (an overloaded open-loop run finishes transactions scheduled long ago,
# and those count with their whole wait).
start = min(e - l / 1e6 for e, l in rows)
measured = [(e, l) for e, l in rows if e >= start + warm]
window = max(e for e, _ in rows) - (start + warm)
lats = sorted(l for _, l in measured)
def pct(q):
    return float(lats[min(len(lats) - 1, max(0, int(q * len(lats) + 0.999999) - 1))])
print(json.dumps({
    "orders": len(measured), "orders_per_s": len(measured) / window if window > 0 else 0,
    "latency": {"p50_us": pct(0.5), "p90_us": pct(0.9), "p99_us": pct(0.99),
                "p999_us": pct(0.999), "max_us": float(lats[-1])}}))
