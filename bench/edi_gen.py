#!/usr/bin/env python3
"""Writes one X12 interchange of N purchase orders (850, 004010) of 3 lines each, for the
credo-edi benchmark (bench/edi_bench.sh). Partner: bench/edi_partners.json ("bench", ISA sender
ZZ/BENCHBUYER, customers C1001/C1002/C1003 by N1*BY code). Deterministic: PO numbers BENCH-<i>.

  bench/edi_gen.py [--pos 100000] [--prefix BENCH] > orders.x12
"""
import argparse
import sys

SKUS = ["BOLT-M8", "NUT-M8", "WASHER-M8", "TIE-300", "CONDUIT-20", "GLOVE-L"]
BUYERS = ["1001", "1002", "1003"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pos", type=int, default=100000)
    ap.add_argument("--prefix", default="BENCH")
    a = ap.parse_args()
    out = sys.stdout
    w = out.write
    w("ISA*00*          *00*          *ZZ*BENCHBUYER     *ZZ*CREDOSELLER    *261206*0930*U*00401*000000001*0*P*>~\n")
    w("GS*PO*BENCHBUYER*CREDO*20261206*0930*1*X*004010~\n")
    for i in range(a.pos):
        c = "%09d" % (i + 1)
        segs = ["ST*850*%s" % c, "BEG*00*SA*%s-%d**20261206" % (a.prefix, i),
                "DTM*002*20261220", "N1*BY*Buyer*92*%s" % BUYERS[i % 3]]
        for j in range(3):
            segs.append("PO1*%d*%d*EA***VP*%s" % (j + 1, 1 + (i + j) % 3, SKUS[(i + j) % len(SKUS)]))
        segs.append("CTT*3")
        segs.append("SE*%d*%s" % (len(segs) + 1, c))
        w("~\n".join(segs) + "~\n")
    w("GE*%d*1~\n" % a.pos)
    w("IEA*1*000000001~\n")


if __name__ == "__main__":
    main()
