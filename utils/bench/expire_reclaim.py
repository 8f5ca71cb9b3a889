#!/usr/bin/python3
"""Active expiry: how fast memory held by expired keys that nobody reads is reclaimed, and at what CPU
cost, server A (ember) against server B (redis).

Method
  * Each server starts fresh (pinned to the server CPU; default hz 10, active-expire-effort 1).
  * Load: --keys keys (default 1,000,000; --quick 300,000) with --value-size byte values (32) and
    absolute expire times (PXAT) spread evenly over --spread ms (1000) starting --delay ms (default:
    enough for the load to finish) after the load starts, so every key is loaded before any expires.
    A few persistent keys (1%) stay. Nothing reads the volatile keys afterwards.
  * Watch: from the first expire time, every 100 ms: DBSIZE (which never expires anything itself),
    used_memory, and the server's CPU time (/proc/PID/task/*/schedstat). Stop when only the
    persistent keys are left, or after --timeout s.
  * Figures: seconds from the last expire time until 50%, 90% and 100% of the expired keys are
    gone; the memory freed; server CPU seconds over the whole reclaim window (minus an idle baseline
    taken before the keys expire, the same polling included). Rounds alternate the order.
  * Targets: time to 100% reclaimed (A/B) <= 1.0 and CPU seconds (A/B) <= 1.0.

Usage
  utils/bench/expire_reclaim.py --ember build/ember-server [--quick] [--rounds N]
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402


def load_chunks(n, persistent, value, first_ms, spread_ms, chunk=20000):
    v = b"$%d\r\n%s\r\n" % (len(value), value)
    for start in range(0, n, chunk):
        out = []
        for i in range(start, min(n, start + chunk)):
            k = b"e:%d" % i
            t = b"%d" % (first_ms + (i * spread_ms) // n)
            out.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n%s$4\r\nPXAT\r\n$%d\r\n%s\r\n"
                       % (len(k), k, v, len(t), t))
        yield b"".join(out)
    out = []
    for i in range(persistent):
        k = b"p:%d" % i
        out.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n%s" % (len(k), k, v))
    yield b"".join(out)


def measure(binary, name, args):
    with lib.Server(binary, name, cpu=args.server_cpu) as srv:
        n, persistent = args.keys, max(1, args.keys // 100)
        now_ms = int(time.time() * 1000)
        first = now_ms + args.delay
        last = first + args.spread
        lib.log(f"{name}: loading {n:,} volatile keys (expiring {args.delay} ms .. "
                f"{args.delay + args.spread} ms from now)")
        lib.pipe_load(srv.port, load_chunks(n, persistent, b"v" * args.value_size, first, args.spread),
                      expect_replies=n + persistent, cpu=args.client_cpu)
        if int(time.time() * 1000) >= first:
            raise lib.BenchError(f"{name}: the load outlasted --delay {args.delay} ms; raise it")
        used0 = srv.info("memory")["used_memory"]
        # Idle baseline: CPU per second with the same polling, before anything expires.
        base_t0, base_c0 = time.monotonic(), srv.cpu_seconds()
        while time.time() * 1000 < first - 100:
            srv.dbsize()
            time.sleep(0.1)
        base_rate = (srv.cpu_seconds() - base_c0) / max(1e-3, time.monotonic() - base_t0)
        t_start, c_start = time.monotonic(), srv.cpu_seconds()
        marks = {}
        deadline = time.monotonic() + args.timeout
        used_end = used0
        while time.monotonic() < deadline:
            size = srv.dbsize()
            gone = n + persistent - size
            since_last = time.time() - last / 1000
            for frac in (0.5, 0.9, 1.0):
                if frac not in marks and gone >= frac * n:
                    marks[frac] = max(0.0, since_last)
            if size <= persistent:
                used_end = srv.info("memory")["used_memory"]
                break
            time.sleep(0.1)
        wall = time.monotonic() - t_start
        cpu = srv.cpu_seconds() - c_start - base_rate * wall
        srv.check_alive()
        st = srv.info("stats")
        if 1.0 not in marks:
            lib.log(f"{name}: {srv.dbsize() - persistent:,} keys left after {args.timeout}s")
        return {"t50": marks.get(0.5), "t90": marks.get(0.9), "t100": marks.get(1.0),
                "cpu_s": max(cpu, 0.0), "freed_bytes": used0 - used_end, "wall_s": wall,
                "expired_keys": st.get("expired_keys"),
                "expire_cycle_cpu_ms": st.get("expire_cycle_cpu_milliseconds")}


def main():
    ap = lib.add_common_args(argparse.ArgumentParser(description=__doc__,
                                                     formatter_class=argparse.RawTextHelpFormatter))
    ap.add_argument("--keys", type=int, default=None, help="volatile keys (1M, --quick 300k)")
    ap.add_argument("--value-size", type=int, default=32)
    ap.add_argument("--delay", type=int, default=None, help="ms from load start to first expiry")
    ap.add_argument("--spread", type=int, default=1000, help="ms over which the keys expire")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    args.ember, args.redis = os.path.abspath(args.ember), os.path.abspath(args.redis)
    lib.pin_self(args.client_cpu)
    args.keys = args.keys or (300_000 if args.quick else 1_000_000)
    args.delay = args.delay or max(5000, args.keys // 40)      # ~25 us per key to load, with slack
    rounds = args.rounds or (1 if args.quick else 3)

    per = {"A": [], "B": []}
    for order in lib.round_orders(rounds):
        for side in order:
            binary, name = (args.ember, args.name_a) if side == "A" else (args.redis, args.name_b)
            per[side].append(measure(binary, name, args))

    def med(side, k):
        return lib.median([r[k] for r in per[side]])

    r_time = lib.median(lib.paired_ratios([r["t100"] for r in per["A"]],
                                          [r["t100"] for r in per["B"]]))
    r_cpu = lib.median(lib.paired_ratios([r["cpu_s"] for r in per["A"]],
                                         [r["cpu_s"] for r in per["B"]]))
    rows = []
    for k, label, d in (("t50", "s to 50% gone", 2), ("t90", "s to 90% gone", 2),
                        ("t100", "s to 100% gone", 2), ("cpu_s", "server CPU s", 2),
                        ("freed_bytes", "bytes freed", 0), ("expire_cycle_cpu_ms",
                                                            "expire_cycle_cpu_ms", 0)):
        a, b = med("A", k), med("B", k)
        rows.append([label, lib.fmt_num(a, d), lib.fmt_num(b, d),
                     lib.fmt_ratio(a / b if a is not None and b else None)])
    lib.print_table(f"Active expiry: {args.keys:,} keys x {args.value_size} B expiring over "
                    f"{args.spread} ms, never read; {rounds} round(s), medians",
                    ["figure", args.name_a, args.name_b, "A/B"], rows)
    ok_t = r_time is not None and r_time <= 1.0
    ok_c = r_cpu is not None and r_cpu <= 1.0
    lib.print_table("Targets (median of paired ratios)", ["target", "ratio", "result"],
                    [["time to reclaim A/B <= 1.0", lib.fmt_ratio(r_time), "PASS" if ok_t else "FAIL"],
                     ["CPU A/B <= 1.0", lib.fmt_ratio(r_cpu), "PASS" if ok_c else "FAIL"]])
    payload = {"keys": args.keys, "rounds": rounds, "a": per["A"], "b": per["B"],
               "ratio_time_to_reclaim": r_time, "ratio_cpu": r_cpu}
    return lib.finish("expire_reclaim", args, payload, not (ok_t and ok_c))


if __name__ == "__main__":
    lib.run_main(main, "expire_reclaim")
