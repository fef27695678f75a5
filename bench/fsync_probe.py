#!/usr/bin/env python3
"""The disk's own fdatasync latency, as bench/latency.sh probes it, with a choice of file.

    python3 bench/fsync_probe.py append 8000       # write 4 KiB, fdatasync; the file grows
    python3 bench/fsync_probe.py overwrite 8000    # the same over a file zero-filled ahead

Prints p50, p99, p99.9 and max in microseconds, and the share of the total sync time spent in
syncs over 5 ms (what an order arriving at a random moment would wait behind). To see what a
busy machine does to it (bench/README.md, "Issue 12, seventh pass"), run it beside two busy
loops: `timeout 20 sh -c 'while :; do :; done' &` twice. DIR (default /var/tmp) must be on a
real disk.
"""
import os
import sys
import time


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("append", "overwrite"):
        sys.exit(__doc__)
    mode, n = sys.argv[1], int(sys.argv[2])
    path = os.path.join(os.environ.get("DIR", "/var/tmp"), f"credo-fsync-probe-{os.getpid()}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    block = b"x" * 4096
    try:
        if mode == "overwrite":
            os.write(fd, b"\0" * (4096 * n))
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        times = []
        for _ in range(n):
            os.write(fd, block)
            t = time.perf_counter()
            os.fdatasync(fd)
            times.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        os.unlink(path)
    times.sort()

    def q(p):
        return times[min(len(times) - 1, int(len(times) * p))] * 1e6

    slow = sum(t for t in times if t > 0.005)
    print(f"{mode} n={n} p50 {q(0.5):.0f} p99 {q(0.99):.0f} p99.9 {q(0.999):.0f} "
          f"max {times[-1] * 1e6:.0f} us; over 5 ms: {sum(t > 0.005 for t in times)}; "
          f"share of sync time over 5 ms: {slow / sum(times) * 100:.1f} %")


if __name__ == "__main__":
    main()
