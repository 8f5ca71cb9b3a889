#!/usr/bin/python3
"""Idle poll: what `idle-poll-us` buys and what it costs. Three servers side by side: Ember with
the default poll (A), the same binary with `--idle-poll-us 0` (A0), and Debian's redis-server (B).

Method
  * The three servers start once, pinned to the server CPU; the clients run on the client CPU. While
    one server is measured the other two are paused (SIGSTOP), as in throughput.py.
  * Workloads, each run for --seconds on every server in every round (the order rotates):
      idle       nothing: the cost of the cron alone
      paced-1k   one connection sending GET at 1,000/s (a Python client sleeping between requests)
      paced-5k   the same at 5,000/s
      c1         redis-benchmark GET -c 1 -P 1: one client waiting for each reply (round trips)
      c50        redis-benchmark GET -c 50 -P 1 (the throughput.py -P 1 cell)
  * Per run: the server's CPU use (CPU-seconds from /proc schedstat / wall seconds) and the request
    rate achieved. Reported: medians over rounds, and the medians of the paired per-round ratios
    A/A0 (CPU: the poll's cost; rps: its gain) and A/B (rps).
  * No targets: this is the measurement behind the directive's default (utils/bench/README.md).

Usage
  utils/bench/idle_poll.py [--ember build/ember-server] [--rounds 5] [--seconds 2] [--quick]
"""
import argparse
import os
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

WORKLOADS = ("idle", "paced-1k", "paced-5k", "c1", "c50")


def paced(port, rate, seconds):
    """GET at `rate` per second on one connection for `seconds`; returns the achieved rate."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = lib.encode_command("GET", "key:1")
    n = int(rate * seconds)
    t0 = time.perf_counter()
    try:
        for i in range(n):
            d = t0 + i / rate - time.perf_counter()
            if d > 0:
                time.sleep(d)
            s.sendall(req)
            if not s.recv(256):
                raise lib.BenchError("connection closed")
    finally:
        s.close()
    return n / (time.perf_counter() - t0)


def run(srv, workload, seconds, args):
    srv.check_alive()
    cpu0, t0 = srv.cpu_seconds(), time.perf_counter()
    if workload == "idle":
        time.sleep(seconds)
        rps = 0.0
    elif workload.startswith("paced-"):
        rps = paced(srv.port, {"paced-1k": 1000, "paced-5k": 5000}[workload], seconds)
    else:
        clients = 1 if workload == "c1" else 50
        n = args.calibrated[workload]
        rows = lib.run_benchmark(srv.port, "get", n, clients=clients, pipeline=1,
                                 cpu=args.client_cpu, timeout=120)
        rps = rows["GET"]["rps"]
    wall = time.perf_counter() - t0
    return rps, 100.0 * (srv.cpu_seconds() - cpu0) / wall


def main():
    ap = lib.add_common_args(argparse.ArgumentParser(description=__doc__,
                                                     formatter_class=argparse.RawTextHelpFormatter))
    ap.add_argument("--seconds", type=float, default=None, help="length of one run (2, --quick 1)")
    ap.add_argument("--poll-us", default="50", help="idle-poll-us of server A (default 50)")
    args = ap.parse_args()
    args.ember, args.redis = os.path.abspath(args.ember), os.path.abspath(args.redis)
    lib.pin_self(args.client_cpu)
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (1.0 if args.quick else 2.0)
    servers = {
        "A": lib.Server(args.ember, args.name_a, args=["--idle-poll-us", args.poll_us],
                        cpu=args.server_cpu),
        "A0": lib.Server(args.ember, args.name_a + "-nopoll", args=["--idle-poll-us", "0"],
                         cpu=args.server_cpu),
        "B": lib.Server(args.redis, args.name_b, cpu=args.server_cpu),
    }
    results = {w: {k: [] for k in servers} for w in WORKLOADS}
    try:
        for srv in servers.values():
            srv.start()
            srv.command("SET", "key:1", "x" * 10)
        # One -n for every server per redis-benchmark workload, sized on B for about `seconds`.
        args.calibrated = {}
        for w, clients in (("c1", 1), ("c50", 50)):
            rps = lib.run_benchmark(servers["B"].port, "get", 20_000, clients=clients,
                                    cpu=args.client_cpu)["GET"]["rps"]
            args.calibrated[w] = max(10_000, int(rps * seconds) // 1000 * 1000)
        keys = list(servers)
        for r in range(rounds):
            order = keys[r % 3:] + keys[:r % 3]
            for w in WORKLOADS:
                for k in order:
                    others = [servers[o] for o in keys if o != k]
                    for o in others:
                        o.pause()
                    try:
                        results[w][k].append(run(servers[k], w, seconds, args))
                    finally:
                        for o in others:
                            o.resume()
            lib.log(f"round {r + 1}/{rounds} done")
    finally:
        for srv in servers.values():
            srv.stop()

    rows, doc = [], []
    for w in WORKLOADS:
        res = results[w]
        med = {k: (lib.median([x[0] for x in res[k]]), lib.median([x[1] for x in res[k]]))
               for k in servers}
        cpu_a_a0 = lib.median(lib.paired_ratios([x[1] for x in res["A"]], [x[1] for x in res["A0"]]))
        rps_a_a0 = lib.median(lib.paired_ratios([x[0] for x in res["A"]], [x[0] for x in res["A0"]]))
        rps_a_b = lib.median(lib.paired_ratios([x[0] for x in res["A"]], [x[0] for x in res["B"]]))
        rows.append([w] + [f"{med[k][1]:.1f}" for k in keys] + [lib.fmt_ratio(cpu_a_a0)] +
                    [lib.fmt_num(med[k][0]) for k in keys] +
                    [lib.fmt_ratio(rps_a_a0), lib.fmt_ratio(rps_a_b)])
        doc.append({"workload": w, "cpu_pct": {k: med[k][1] for k in keys},
                    "rps": {k: med[k][0] for k in keys}, "cpu_ratio_a_a0": cpu_a_a0,
                    "rps_ratio_a_a0": rps_a_a0, "rps_ratio_a_b": rps_a_b})
    a, a0, b = args.name_a, args.name_a + "-nopoll", args.name_b
    lib.print_table(f"idle poll: CPU % of the server core and rps, median of {rounds} rounds "
                    f"({a}: idle-poll-us {args.poll_us})",
                    ["workload", f"cpu% {a}", f"cpu% {a0}", f"cpu% {b}", "cpu A/A0",
                     f"rps {a}", f"rps {a0}", f"rps {b}", "rps A/A0", "rps A/B"], rows)
    return lib.finish("idle_poll", args, {"rounds": rounds, "seconds": seconds,
                                         "poll_us": args.poll_us, "workloads": doc}, False)


if __name__ == "__main__":
    lib.run_main(main, "idle_poll")
