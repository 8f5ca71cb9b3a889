#!/usr/bin/python3
"""AOF: SET throughput and p50/p99 latency with appendonly yes, server A (ember) against server B
(redis), for appendfsync always, everysec and no, in one run.

Method
  * For each policy a fresh pair of servers is started (pinned to the server CPU, loopback, free
    port, a temp dir on the same file system, `--appendonly yes --appendfsync <policy> --save ''`).
  * Calibration: a short probe against B sets -n so that one run lasts about --seconds on B; the same
    probe runs against A first (warm-up, discarded).
  * Rounds: in each round A and B run `redis-benchmark -t set -c 50 -r 100000` back to back, the
    order alternating between rounds. Reported: the median of the per-round ratios rps(A)/rps(B),
    and the median p50/p99 (ms) of each server.
  * Targets: always: ratio >= 1.2 and p99(A) <= p99(B); everysec: ratio >= 1.0; no: none.

Why Ember can win with `always`: Redis fsyncs in beforeSleep, blocking its only thread for the
duration of the fdatasync; Ember submits one write with a linked fdatasync to io_uring per loop
iteration and keeps serving while the disk works, releasing the held replies when the completion
arrives, so each fsync covers every client that wrote meanwhile (group commit).

Usage
  utils/bench/aof.py --ember build/ember-server [--quick] [--rounds N] [--policies always,everysec,no]
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True          # keep utils/bench free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

POLICIES = ("always", "everysec", "no")
# policy -> (min median rps ratio A/B, require p99(A) <= p99(B))
TARGETS = {"always": (1.2, True), "everysec": (1.0, False), "no": (None, False)}
PROBE_REQUESTS = {"always": 4000, "everysec": 20000, "no": 20000}


def run_set(srv, requests, args):
    srv.check_alive()
    rows = lib.run_benchmark(srv.port, "set", requests, clients=args.clients, pipeline=1,
                             keyspace=args.keyspace, datasize=args.datasize, cpu=args.client_cpu,
                             timeout=args.run_timeout)
    row = rows.get("SET")
    if not row:
        raise lib.BenchError(f"redis-benchmark gave no SET row: {sorted(rows)}")
    return row["rps"], row.get("p50_latency_ms"), row.get("p99_latency_ms")


def bench_policy(policy, args, rounds, seconds):
    extra = ["--appendonly", "yes", "--appendfsync", policy, "--save", ""]
    srv = {"A": lib.Server(args.ember, args.name_a, args=extra, cpu=args.server_cpu, persist=True),
           "B": lib.Server(args.redis, args.name_b, args=extra, cpu=args.server_cpu, persist=True)}
    res = {"A": [], "B": [], "p50A": [], "p50B": [], "p99A": [], "p99B": [], "order": [], "n": []}
    try:
        for s in srv.values():
            s.start()
            lib.log(f"{policy}: {s.name}: {s.binary} pid {s.pid} port {s.port} dir {s.dir}")
        probe = PROBE_REQUESTS[policy]
        run_set(srv["A"], probe, args)
        rps_b, _, _ = run_set(srv["B"], probe, args)
        n = args.requests or max(2000, int(rps_b * seconds))
        lib.log(f"{policy}: calibrated -n {n}")
        for r, order in enumerate(lib.round_orders(rounds)):
            got = {}
            try:
                for who in order:
                    got[who] = run_set(srv[who], n, args)
            except lib.BenchTimeout as e:
                lib.log(f"WARNING: {e}; pair dropped")
                got = {}
                n = max(2000, n // 4)
            for who in ("A", "B"):
                rps, p50, p99 = got.get(who, (None, None, None))
                res[who].append(rps)
                res["p50" + who].append(p50)
                res["p99" + who].append(p99)
            res["order"].append("".join(order))
            res["n"].append(n)
            ratio = lib.paired_ratios([res["A"][-1]], [res["B"][-1]])[0]
            lib.log(f"{policy} round {r + 1}/{rounds} -n {n}: {args.name_a} "
                    f"{lib.fmt_num(res['A'][-1])} rps p99 {res['p99A'][-1]}  {args.name_b} "
                    f"{lib.fmt_num(res['B'][-1])} rps p99 {res['p99B'][-1]}  ratio "
                    f"{lib.fmt_ratio(ratio)} ({'->'.join(order)})")
    finally:
        for s in srv.values():
            s.stop()
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    lib.add_common_args(ap)
    ap.add_argument("--policies", default=",".join(POLICIES), help="comma list of appendfsync policies")
    ap.add_argument("--clients", type=int, default=50, help="-c (default 50)")
    ap.add_argument("--keyspace", type=int, default=100000, help="-r (default 100000)")
    ap.add_argument("--datasize", type=int, default=None, help="-d (default redis-benchmark's 3)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="target duration of one run on B (default 3, --quick 1.5)")
    ap.add_argument("--requests", type=int, default=None, help="fixed -n (skips calibration)")
    ap.add_argument("--run-timeout", type=float, default=None, help="limit for one run (s)")
    args = ap.parse_args(argv)
    args.ember = os.path.abspath(args.ember)   # the servers run in their temp dirs
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (1.5 if args.quick else 3.0)
    if args.run_timeout is None:
        args.run_timeout = max(60.0, 20 * seconds)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    bad = [p for p in policies if p not in POLICIES]
    if bad:
        ap.error(f"unknown policies {bad}")
    lib.pin_self(args.client_cpu)
    started = time.monotonic()

    table, cells, failed = [], [], False
    for policy in policies:
        res = bench_policy(policy, args, rounds, seconds)
        ratios = lib.paired_ratios(res["A"], res["B"])
        med = lib.median(ratios)
        lo, hi = lib.spread(ratios)
        p99a, p99b = lib.median(res["p99A"]), lib.median(res["p99B"])
        p50a, p50b = lib.median(res["p50A"]), lib.median(res["p50B"])
        min_ratio, p99_rule = TARGETS[policy]
        verdict = lib.pass_fail(med, min_ratio)
        if p99_rule and verdict != "-" and (p99a is None or p99b is None or p99a > p99b):
            verdict = "FAIL"
        failed |= verdict == "FAIL"
        target = "-" if min_ratio is None else f">={min_ratio:.1f}" + (", p99<=" if p99_rule else "")
        table.append([policy, lib.fmt_num(lib.median(res["A"])), lib.fmt_num(lib.median(res["B"])),
                      lib.fmt_ratio(med), f"{lib.fmt_ratio(lo)}..{lib.fmt_ratio(hi)}",
                      lib.fmt_num(p50a, 3), lib.fmt_num(p50b, 3), lib.fmt_num(p99a, 3),
                      lib.fmt_num(p99b, 3), target, verdict])
        cells.append({"policy": policy, "requests": res["n"], "rps_a": res["A"], "rps_b": res["B"],
                      "ratios": ratios, "median_ratio": med, "p50_a": res["p50A"], "p50_b": res["p50B"],
                      "p99_a": res["p99A"], "p99_b": res["p99B"], "median_p50_a": p50a,
                      "median_p50_b": p50b, "median_p99_a": p99a, "median_p99_b": p99b,
                      "order": res["order"], "target_ratio": min_ratio, "p99_rule": p99_rule,
                      "verdict": verdict})
    a, b = args.name_a, args.name_b
    lib.print_table(f"AOF SET -c {args.clients} -r {args.keyspace}: {a} / {b}, median of paired rounds",
                    ["appendfsync", f"{a} rps", f"{b} rps", "ratio", "min..max", f"{a} p50",
                     f"{b} p50", f"{a} p99", f"{b} p99", "target", "result"], table)
    elapsed = time.monotonic() - started
    print(f"\n{len(policies)} policies x {rounds} rounds in {elapsed:.0f}s; {a}={args.ember}  {b}={args.redis}")
    payload = {"server_a": {"name": a, "binary": args.ember}, "server_b": {"name": b, "binary": args.redis},
               "rounds": rounds, "clients": args.clients, "keyspace": args.keyspace, "cells": cells,
               "elapsed_s": round(elapsed, 1), "all_pass": not failed}
    return lib.finish("aof", args, payload, failed)


if __name__ == "__main__":
    lib.run_main(main, "aof")
