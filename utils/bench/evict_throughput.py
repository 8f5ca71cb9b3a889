#!/usr/bin/python3
"""Eviction throughput: redis-benchmark SET over a 10M-key space under maxmemory, so nearly every
SET creates a key and evicts one, server A (ember) against server B (redis).

Method
  * Both servers start once with `--maxmemory 64mb --maxmemory-policy allkeys-lru` (--maxmemory,
    --policy change them), pinned to the server CPU; redis-benchmark runs on the client CPU.
  * Fill: one untimed `redis-benchmark -t set -r 10000000` run per server until evicted_keys > 0,
    so every measured SET runs with the server at its limit.
  * Rounds (5, --quick 3): `redis-benchmark -t set -n N -c 50 -P P -r 10000000 -d 100` on A and B
    back to back, order alternating; N is calibrated on B for ~--seconds per run. The reported
    ratio is the median of per-round ratios rps(A)/rps(B), per -P level (1 and 16 by default).
    The idle server is paused (SIGSTOP) during the other's run.
  * Also reported: evicted keys per server CPU-second (information).
  * Target: median ratio >= 1.0 at every -P level.

Usage
  utils/bench/evict_throughput.py --ember build/ember-server [--quick] [--pipelines 1,16]
"""
import argparse
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

KEYSPACE = 10_000_000


def run(srv, n, pipeline, args):
    srv.check_alive()
    ev0 = srv.info("stats")["evicted_keys"]
    cpu0 = srv.cpu_seconds()
    rows = lib.run_benchmark(srv.port, "set", n, clients=50, pipeline=pipeline, keyspace=KEYSPACE,
                             datasize=args.value_size, cpu=args.client_cpu, timeout=300)
    cpu = srv.cpu_seconds() - cpu0
    ev = srv.info("stats")["evicted_keys"] - ev0
    mem = srv.info("memory")
    return rows["SET"]["rps"], (ev / cpu if cpu > 0 else None), ev, mem["used_memory"]


def main():
    ap = lib.add_common_args(argparse.ArgumentParser(description=__doc__,
                                                     formatter_class=argparse.RawTextHelpFormatter))
    ap.add_argument("--maxmemory", default="64mb")
    ap.add_argument("--policy", default="allkeys-lru")
    ap.add_argument("--value-size", type=int, default=100)
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--seconds", type=float, default=None, help="target run length (3, --quick 1.5)")
    args = ap.parse_args()
    args.ember, args.redis = os.path.abspath(args.ember), os.path.abspath(args.redis)
    lib.pin_self(args.client_cpu)
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (1.5 if args.quick else 3.0)
    srv_args = ["--maxmemory", args.maxmemory, "--maxmemory-policy", args.policy]
    a = lib.Server(args.ember, args.name_a, args=srv_args, cpu=args.server_cpu).start()
    b = lib.Server(args.redis, args.name_b, args=srv_args, cpu=args.server_cpu).start()
    results, rows, table2, failed = {}, [], [], False
    try:
        for srv in (a, b):
            for _ in range(20):
                lib.run_benchmark(srv.port, "set", 200_000, pipeline=16, keyspace=KEYSPACE,
                                  datasize=args.value_size, cpu=args.client_cpu)
                if srv.info("stats")["evicted_keys"] > 0:
                    break
            lib.log(f"{srv.name}: filled to maxmemory ({srv.dbsize():,} keys)")
        for p in [int(x) for x in args.pipelines.split(",")]:
            probe = 20_000 if p == 1 else 200_000
            rps_b = run(b, probe, p, args)[0]
            run(a, probe, p, args)
            n = max(probe, int(rps_b * seconds) // 10_000 * 10_000)
            per = {"A": [], "B": []}
            for order in lib.round_orders(rounds):
                for side in order:
                    # The idle server is paused for the other's run (see throughput.py).
                    with lib.paused(b if side == "A" else a):
                        per[side].append(run(a if side == "A" else b, n, p, args))
            ratios = lib.paired_ratios([r[0] for r in per["A"]], [r[0] for r in per["B"]])
            cpu_ratios = lib.paired_ratios([r[1] for r in per["A"]], [r[1] for r in per["B"]])
            r = lib.median(ratios)
            ok = r is not None and r >= 1.0
            failed |= not ok
            lo, hi = lib.spread(ratios)
            results[f"P{p}"] = {"requests": n, "ratio": r, "ratios": ratios,
                                "evictions_per_cpu_ratio": lib.median(cpu_ratios),
                                "a": per["A"], "b": per["B"]}
            rows.append([f"SET -P {p}", lib.fmt_num(n), lib.fmt_num(lib.median([x[0] for x in per["A"]])),
                         lib.fmt_num(lib.median([x[0] for x in per["B"]])), lib.fmt_ratio(r),
                         f"{lib.fmt_ratio(lo)}..{lib.fmt_ratio(hi)}",
                         lib.fmt_ratio(lib.median(cpu_ratios)), "PASS" if ok else "FAIL"])
            table2.append([f"SET -P {p}", lib.fmt_num(lib.median([x[2] for x in per["A"]])),
                           lib.fmt_num(lib.median([x[2] for x in per["B"]])),
                           lib.fmt_num(lib.median([x[3] for x in per["A"]])),
                           lib.fmt_num(lib.median([x[3] for x in per["B"]]))])
    finally:
        a.stop()
        b.stop()
    lib.print_table(f"Eviction throughput: SET -r {KEYSPACE:,} -d {args.value_size} under maxmemory "
                    f"{args.maxmemory} ({args.policy}), {rounds} rounds, median of paired ratios",
                    ["test", "-n", f"rps {args.name_a}", f"rps {args.name_b}", "A/B", "spread",
                     "evict/cpu A/B", "target>=1.0"], rows)
    lib.print_table("Evictions per run and used_memory after it (medians)",
                    ["test", f"evicted {args.name_a}", f"evicted {args.name_b}",
                     f"used {args.name_a}", f"used {args.name_b}"], table2)
    payload = {"maxmemory": args.maxmemory, "policy": args.policy, "rounds": rounds,
               "results": results}
    return lib.finish("evict_throughput", args, payload, failed)


if __name__ == "__main__":
    lib.run_main(main, "evict_throughput")
