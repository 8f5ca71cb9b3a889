#!/usr/bin/python3
"""Throughput: redis-benchmark requests/s, server A (ember) against server B (redis), side by side.

Method
  * Both servers are started once (pinned to the server CPU, loopback, free port, temp dir, no
    persistence) and stay up for the whole run; redis-benchmark runs pinned to the client CPU.
  * Calibration: for each (test, pipeline) cell a short probe against B measures its rate, and the
    request count -n is chosen so one run lasts about --seconds on B (the same -n is then used for
    both servers in every round). The same probe is run against A and discarded (warm-up).
  * Isolation: while one server is measured the other is paused (SIGSTOP, then SIGCONT): both are
    pinned to the same CPU, and an idle server's cron, allocator purging and helper threads would
    otherwise take time from the measured one, unevenly (--no-pause-idle turns this off).
  * Rounds: in each round every cell is run on A and B back to back; the order alternates between
    rounds (A first in even rounds, B first in odd ones). The reported ratio is the MEDIAN of the
    per-round ratios rps(A)/rps(B); the per-server figure is the median rps.
  * Targets: median ratio >= 1.0 at -P 1 and >= 1.2 at -P 16 (other -P levels: no target).
  * cpu-norm (information, no target): the same paired-median ratio for requests per CPU-second the
    server process consumed during the run (/proc/PID/stat utime+stime). On a contended machine
    rps follows the CPU share a server happened to get; requests per CPU-second mostly does not,
    so when the two disagree, trust cpu-norm for efficiency and rerun for rps.
  * client % (information): the share of each run's wall time redis-benchmark spent on CPU (its
    rusage), median over rounds, against A / against B. When both are >= 90% the cell is marked
    "client-bound": the single client thread sets the rate (LRANGE_600 at -P 1 parses 600
    elements per reply), so the rps ratio is a tie up to noise whatever the server does.
    When only the run against A is >= 90% (and A is ahead), the cell is marked "client-capped (A)":
    A answered as fast as the one client thread could ask, so A's rate and the ratio are lower
    bounds (LPUSH at -P 16 on a 2-core machine: the client saturates near 1.3M requests/s).

Usage
  utils/bench/throughput.py --ember build/ember-server [--quick] [--rounds N]
      [--tests set,get,incr,mset,lpush,rpop,sadd,hset,zadd,lrange_100,lrange_600] [--pipelines 1,16]
"""
import argparse
import os
import resource
import sys
import time

sys.dont_write_bytecode = True          # keep utils/bench free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

# test name -> (redis-benchmark -t argument, CSV row key to read).
# RPOP needs a non-empty list, so it runs after an LPUSH of the same size in the same invocation;
# redis-benchmark fills the list for LRANGE_* itself.
TESTS = {
    "set": ("set", "SET"),
    "get": ("get", "GET"),
    "incr": ("incr", "INCR"),
    "mset": ("mset", "MSET"),
    "lpush": ("lpush", "LPUSH"),
    "rpop": ("lpush,rpop", "RPOP"),
    "sadd": ("sadd", "SADD"),
    "hset": ("hset", "HSET"),
    "zadd": ("zadd", "ZADD"),
    "lrange_100": ("lrange_100", "LRANGE_100"),
    "lrange_600": ("lrange_600", "LRANGE_600"),
}
DEFAULT_TESTS = "set,get,incr,mset"

# -P level -> minimum median ratio A/B.
TARGETS = {1: 1.0, 16: 1.2}

# Max/min of the per-round ratios above which a cell is flagged "noisy" (rerun with more rounds).
NOISY_SPREAD = 1.25

# A cell whose redis-benchmark spent at least this share of its wall time on CPU against both
# servers (median over rounds) is marked "client-bound": the one client thread, not the server,
# sets the rate, so rps can only tie (up to noise) and cpu-norm is the server comparison.
CLIENT_BOUND = 0.90


def _pct(v):
    return "-" if v is None else f"{100 * v:.0f}"


# Probe sizes per pipeline depth (small enough to take well under a second on redis-server).
PROBE_REQUESTS = {1: 10000, 16: 100000}


def round_requests(n, lo, hi):
    """Clamp and round to two significant digits so -n looks sane in the tables."""
    n = max(lo, min(hi, int(n)))
    mag = 10 ** max(0, len(str(n)) - 2)
    return max(lo, (n // mag) * mag)


def run_cell(srv, test, requests, args):
    """One redis-benchmark run: returns (rps of the test's row, requests per server CPU-second over
    the whole invocation, including any prefill such as the LPUSH before RPOP, and the share of the
    invocation's wall time redis-benchmark itself spent on CPU)."""
    t_arg, row = TESTS[test]
    srv.check_alive()
    cpu0 = srv.cpu_seconds()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    rows = lib.run_benchmark(srv.port, t_arg, requests, clients=args.clients,
                             pipeline=args._pipeline, keyspace=args.keyspace,
                             cpu=args.client_cpu, timeout=args.run_timeout)
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = srv.cpu_seconds() - cpu0
    client = ((ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)) / wall if wall > 0 else None
    if row not in rows:
        raise lib.BenchError(f"redis-benchmark gave no {row} row: {sorted(rows)}")
    return rows[row]["rps"], (requests / cpu if cpu > 0 else None), client


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    lib.add_common_args(ap)
    ap.add_argument("--tests", default=DEFAULT_TESTS,
                    help=f"comma list from: {','.join(TESTS)} (default {DEFAULT_TESTS})")
    ap.add_argument("--pipelines", default="1,16", help="comma list of -P levels (default 1,16)")
    ap.add_argument("--clients", type=int, default=50, help="-c (default 50)")
    ap.add_argument("--keyspace", type=int, default=100000, help="-r (default 100000)")
    ap.add_argument("--seconds", type=float, default=None,
                    help="target duration of one run on B (default 3, --quick 1.5)")
    ap.add_argument("--requests", type=int, default=None, help="fixed -n (skips calibration)")
    ap.add_argument("--budget", type=float, default=None,
                    help="no new round starts once it would end past this many seconds "
                         "(default 600, --quick 240; at least one round always runs)")
    ap.add_argument("--run-timeout", type=float, default=None,
                    help="limit for one run (s; default max(30, 20 x --seconds)); a pair whose run "
                         "times out is dropped and -n shrunk")
    ap.add_argument("--no-pause-idle", dest="pause_idle", action="store_false",
                    help="leave the idle server running during the other's run (default: SIGSTOP it)")
    args = ap.parse_args(argv)

    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (1.5 if args.quick else 3.0)
    budget = args.budget or (240.0 if args.quick else 600.0)
    if args.run_timeout is None:
        args.run_timeout = max(30.0, 20 * seconds)
    tests = [t.strip().lower() for t in args.tests.split(",") if t.strip()]
    bad = [t for t in tests if t not in TESTS]
    if bad:
        ap.error(f"unknown tests {bad}; known: {','.join(TESTS)}")
    pipelines = [int(p) for p in args.pipelines.split(",") if p.strip()]
    if rounds < 1 or rounds > 50:
        ap.error("--rounds must be 1..50")

    lib.pin_self(args.client_cpu)
    cells = [(t, p) for t in tests for p in pipelines]
    srv = {"A": lib.Server(args.ember, args.name_a, cpu=args.server_cpu),
           "B": lib.Server(args.redis, args.name_b, cpu=args.server_cpu)}
    started = time.monotonic()
    results = {}
    try:
        for s in srv.values():
            s.start()
            lib.log(f"{s.name}: {s.binary} pid {s.pid} port {s.port}")

        # Calibration (B) and warm-up (both; the probes also create the same keys on both).
        nreq = {}
        for test, p in cells:
            args._pipeline = p
            probe = PROBE_REQUESTS.get(p, 20000 * p)
            try:
                rps, _, _ = run_cell(srv["B"], test, probe, args)
                run_cell(srv["A"], test, probe, args)
            except lib.BenchTimeout as e:
                lib.log(f"WARNING: calibration probe: {e}")
                rps = 5000 / seconds
            nreq[(test, p)] = args.requests or round_requests(rps * seconds, 5000, 20000000)
            lib.log(f"calibrated {test} -P {p}: -n {nreq[(test, p)]}")

        for test, p in cells:
            results[(test, p)] = {"A": [], "B": [], "cpuA": [], "cpuB": [], "clientA": [],
                                  "clientB": [], "order": [], "n": []}
        rounds_done, last_round_s, timeouts = 0, 0.0, 0
        for r, order in enumerate(lib.round_orders(rounds)):
            elapsed = time.monotonic() - started
            if r > 0 and elapsed + last_round_s > budget:
                lib.log(f"time budget {budget:.0f}s reached: stopping after {r} of {rounds} rounds")
                break
            t_round = time.monotonic()
            for test, p in cells:
                args._pipeline = p
                res = results[(test, p)]
                n = nreq[(test, p)]
                got = {"A": (None, None, None), "B": (None, None, None)}
                try:
                    for who in order:
                        other = srv["B" if who == "A" else "A"]
                        with lib.paused(other if args.pause_idle else None):
                            got[who] = run_cell(srv[who], test, n, args)
                except lib.BenchTimeout as e:
                    # Overloaded machine: drop this pair (medians skip it), shrink -n, go on.
                    lib.log(f"WARNING: {e}; pair dropped")
                    got = {"A": (None, None, None), "B": (None, None, None)}
                    nreq[(test, p)] = max(5000, n // 4)
                    timeouts += 1
                for who in ("A", "B"):
                    res[who].append(got[who][0])
                    res["cpu" + who].append(got[who][1])
                    res["client" + who].append(got[who][2])
                res["order"].append("".join(order))
                res["n"].append(n)
                ratio = lib.paired_ratios([res["A"][r]], [res["B"][r]])[0]
                cratio = lib.paired_ratios([res["cpuA"][r]], [res["cpuB"][r]])[0]
                lib.log(f"round {r + 1}/{rounds} {test:>10} -P {p:<2} -n {n:<8} "
                        f"{args.name_a} {lib.fmt_num(res['A'][r]):>12}  {args.name_b} {lib.fmt_num(res['B'][r]):>12}"
                        f"  ratio {lib.fmt_ratio(ratio)}  cpu-norm {lib.fmt_ratio(cratio)}"
                        f"  ({'->'.join(order)})")
                # The machine's load drifts: when B's run strayed far from the intended duration,
                # re-size -n for the next round (both servers of a pair always share the same -n).
                if not args.requests and res["B"][r]:
                    took = n / res["B"][r]
                    if took > 2 * seconds or took < 0.5 * seconds:
                        nreq[(test, p)] = round_requests(res["B"][r] * seconds, 5000, 20000000)
            rounds_done = r + 1
            last_round_s = time.monotonic() - t_round
    finally:
        for s in srv.values():
            s.stop()

    # Report.
    table, pairs_table, out_cells, failed = [], [], [], False
    for test, p in cells:
        res = results[(test, p)]
        ratios = lib.paired_ratios(res["A"], res["B"])
        med = lib.median(ratios)
        lo, hi = lib.spread(ratios)
        target = TARGETS.get(p)
        verdict = lib.pass_fail(med, target)
        failed |= verdict == "FAIL"
        cratios = lib.paired_ratios(res["cpuA"], res["cpuB"])
        cmed = lib.median(cratios)
        busy_a = lib.median([c for c in res["clientA"] if c is not None])
        busy_b = lib.median([c for c in res["clientB"] if c is not None])
        client_bound = busy_a is not None and busy_b is not None and min(busy_a, busy_b) >= CLIENT_BOUND
        # Saturated against A only: A served as fast as the client could ask, so A's rate and the
        # ratio are lower bounds (a faster client would move them up, not down).
        client_capped = (not client_bound and busy_a is not None and busy_a >= CLIENT_BOUND
                         and med is not None and med > 1)
        notes = [n for n, on in (("noisy", bool(lo and hi / lo > NOISY_SPREAD)),
                                 ("client-bound", client_bound),
                                 (f"client-capped ({args.name_a})", client_capped)) if on]
        table.append([test.upper(), p, f"{int(lib.median(res['n'])):,}", lib.fmt_num(lib.median(res["A"])),
                      lib.fmt_num(lib.median(res["B"])), lib.fmt_ratio(med),
                      f"{lib.fmt_ratio(lo)}..{lib.fmt_ratio(hi)}",
                      "-" if target is None else f">={target:.1f}", verdict, lib.fmt_ratio(cmed),
                      f"{_pct(busy_a)}/{_pct(busy_b)}", " ".join(notes)])
        for r, (ra, rb, ratio) in enumerate(zip(res["A"], res["B"], ratios)):
            first = args.name_a if res["order"][r][0] == "A" else args.name_b
            pairs_table.append([test.upper(), p, r + 1, first, f"{res['n'][r]:,}",
                                lib.fmt_num(ra), lib.fmt_num(rb), lib.fmt_ratio(ratio),
                                lib.fmt_num(res["cpuA"][r]), lib.fmt_num(res["cpuB"][r]),
                                lib.fmt_ratio(cratios[r])])
        out_cells.append({"test": test, "pipeline": p, "requests": res["n"],
                          "rps_a": res["A"], "rps_b": res["B"], "ratios": ratios,
                          "order": res["order"], "median_rps_a": lib.median(res["A"]),
                          "median_rps_b": lib.median(res["B"]), "median_ratio": med,
                          "target": target, "verdict": verdict,
                          "req_per_cpu_s_a": res["cpuA"], "req_per_cpu_s_b": res["cpuB"],
                          "cpu_norm_ratios": cratios, "median_cpu_norm_ratio": cmed,
                          "client_busy_a": res["clientA"], "client_busy_b": res["clientB"],
                          "client_bound": client_bound, "client_capped": client_capped,
                          "noisy": bool(lo and hi / lo > NOISY_SPREAD)})

    a, b = args.name_a, args.name_b
    lib.print_table(f"throughput pairs ({a} vs {b})",
                    ["test", "-P", "round", "first", "-n", f"{a} rps", f"{b} rps", "ratio",
                     f"{a} req/cpu-s", f"{b} req/cpu-s", "cpu-norm"], pairs_table)
    lib.print_table(f"throughput: {a} / {b}, median of {rounds_done} paired rounds, "
                    f"-c {args.clients} -r {args.keyspace}",
                    ["test", "-P", "-n", f"{a} rps", f"{b} rps", "ratio", "min..max", "target", "result",
                     "cpu-norm", "client %", "note"],
                    table)
    elapsed = time.monotonic() - started
    print(f"\n{len(cells)} cells x {rounds_done} rounds in {elapsed:.0f}s"
          f"{f', {timeouts} pair(s) dropped on timeout' if timeouts else ''}; "
          f"{a}={args.ember}  {b}={args.redis}")
    payload = {"server_a": {"name": a, "binary": args.ember}, "server_b": {"name": b, "binary": args.redis},
               "rounds": rounds_done, "dropped_pairs": timeouts, "rounds_requested": rounds, "clients": args.clients, "keyspace": args.keyspace,
               "cells": out_cells, "elapsed_s": round(elapsed, 1), "all_pass": not failed}
    return lib.finish("throughput", args, payload, failed)


if __name__ == "__main__":
    lib.run_main(main, "throughput")
