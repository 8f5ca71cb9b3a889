#!/usr/bin/python3
"""Copy-on-write of a BGSAVE with big values under a write load: Ember with page release in the
child (persist/dismiss.h) on and off, and optionally Debian's redis-server.

Dataset (defaults): 20,000 strings `key:<12-digit i>` of 32 KB of random bytes (640 MB) and 2,000
lists `list:<12-digit i>` of 10,000 items of 10 bytes (quicklist nodes of 8 KB). For each variant
and round, on a fresh server:
  1. load the dataset through `redis-cli --pipe`;
  2. start two redis-benchmark writers pinned to the client CPU: SET key:__rand_int__ with 32 KB
     values over the string keys (-r strings) and RPUSH list:__rand_int__ over the lists (-r lists);
  3. after 0.5 s, BGSAVE; when the parent logs success, stop the writers and read
     rdb_last_cow_size (INFO persistence) and the BGSAVE duration.
Variants: `on` (ember, default), `off` (ember with EMBER_CHILD_DISMISS=0: the server as it was
before page release), `redis` (with --with-redis; Redis 7.0 also dismisses, unless THP is [always]).
The figures are medians over rounds; the ratio on/off is the median of per-round ratios (the two
variants run back to back, the order alternating).

Usage
  utils/bench/rdb_cow.py --ember build/ember-server [--rounds 3] [--with-redis]
                         [--strings 20000 --string-size 32768 --lists 2000 --list-items 10000]
"""
import argparse
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from rdb import bgsave, cow_after_save  # noqa: E402


def gen_strings(n, size, batch=50):
    for start in range(0, n, batch):
        parts = []
        for i in range(start, min(n, start + batch)):
            v = os.urandom(size)
            parts.append(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$%d\r\n%s\r\n" % (i, size, v))
        yield b"".join(parts)


def gen_lists(n, items, batch=1000):
    for i in range(n):
        key = b"list:%012d" % i
        for start in range(0, items, batch):
            end = min(items, start + batch)
            parts = [b"*%d\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n" % (2 + end - start, len(key), key)]
            for j in range(start, end):
                parts.append(b"$10\r\nitem:%05d\r\n" % (j % 100000))
            yield b"".join(parts)


def writers(port, args):
    bench = [lib.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port), "-n", "2000000000", "-q"]
    procs = [
        subprocess.Popen(lib.pinned(bench + ["-t", "set", "-d", str(args.string_size), "-r",
                                             str(args.strings), "-c", "4", "-P", "4"],
                                    lib.CLIENT_CPU),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(lib.pinned(bench + ["-r", str(args.lists), "-c", "4", "-P", "16",
                                             "RPUSH", "list:__rand_int__", "pushed-item"],
                                    lib.CLIENT_CPU),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    return procs


def stop(procs):
    for p in procs:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(p.pid, signal.SIGKILL)
            p.wait(timeout=5)


def measure(binary, name, env_dismiss, args):
    old = os.environ.get("EMBER_CHILD_DISMISS")
    if env_dismiss is None:
        os.environ.pop("EMBER_CHILD_DISMISS", None)
    else:
        os.environ["EMBER_CHILD_DISMISS"] = env_dismiss
    srv = lib.Server(binary, name, args=["--rdbcompression", "yes",
                                         "--rdb-save-incremental-fsync", "yes"],
                     start_timeout=60)
    try:
        srv.start()
    finally:
        if old is None:
            os.environ.pop("EMBER_CHILD_DISMISS", None)
        else:
            os.environ["EMBER_CHILD_DISMISS"] = old
    res = {}
    try:
        lib.pipe_load(srv.port, gen_strings(args.strings, args.string_size),
                      expect_replies=args.strings)
        lib.pipe_load(srv.port, gen_lists(args.lists, args.list_items),
                      expect_replies=args.lists * ((args.list_items + 999) // 1000))
        res["used_memory"] = srv.info("memory").get("used_memory")
        procs = writers(srv.port, args)
        try:
            time.sleep(0.5)
            res["bgsave_s"] = bgsave(srv)
        finally:
            stop(procs)
        res["cow_bytes"] = cow_after_save(srv)
        text = open(os.path.join(srv.dir, "server.log"), errors="replace").read()
        rel = [ln for ln in text.splitlines() if "page release" in ln or "madvise calls" in ln]
        res["release_log"] = rel[-1].split(": ", 1)[-1] if rel else ""
    finally:
        srv.stop()
    return res


def main():
    ap = lib.add_common_args(argparse.ArgumentParser(description=__doc__.split("\n")[0]))
    ap.add_argument("--strings", type=int, default=20000)
    ap.add_argument("--string-size", type=int, default=32768)
    ap.add_argument("--lists", type=int, default=2000)
    ap.add_argument("--list-items", type=int, default=10000)
    ap.add_argument("--with-redis", action="store_true")
    args = ap.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    if args.quick:
        args.strings, args.lists = args.strings // 4, args.lists // 4
    lib.pin_self(args.client_cpu)
    ember = os.path.abspath(args.ember)
    variants = {"on": (ember, "ember-dismiss-on", None), "off": (ember, "ember-dismiss-off", "0")}
    if args.with_redis:
        variants["redis"] = (os.path.abspath(args.redis), "redis", None)
    per = {k: [] for k in variants}
    for rnd, order in enumerate(lib.round_orders(rounds)):
        keys = list(variants)
        if order[0] == "B":
            keys = keys[1::-1] + keys[2:]
        for k in keys:
            binary, name, env = variants[k]
            lib.log(f"round {rnd + 1}/{rounds}: {name}")
            r = measure(binary, name, env, args)
            lib.log(f"  {name}: cow {r['cow_bytes']} bytes, bgsave {r['bgsave_s']:.2f}s, "
                    f"used_memory {r['used_memory']}, {r['release_log']}")
            per[k].append(r)
    rows = []
    for k, runs in per.items():
        cow = [r["cow_bytes"] for r in runs]
        rows.append([variants[k][1], lib.fmt_num(lib.median([r["used_memory"] for r in runs])),
                     lib.fmt_num(lib.median(cow)), lib.fmt_num(lib.median([r["bgsave_s"] for r in runs]), 2),
                     " / ".join(lib.fmt_num(c) for c in cow)])
    ratio = lib.median(lib.paired_ratios([r["cow_bytes"] for r in per["on"]],
                                         [r["cow_bytes"] for r in per["off"]]))
    lib.print_table(f"BGSAVE CoW under writes: {args.strings} x {args.string_size} B strings, "
                    f"{args.lists} lists x {args.list_items} items, {rounds} round(s)",
                    ["variant", "used_memory", "rdb_last_cow_size", "BGSAVE s", "per round"], rows)
    print(f"CoW on/off (median of paired ratios): {lib.fmt_ratio(ratio)}")
    payload = {k: runs for k, runs in per.items()}
    payload["ratio_on_off"] = ratio
    lib.emit_json("rdb_cow", payload)
    lib.write_json_file(args.json_out, "rdb_cow", payload)


if __name__ == "__main__":
    main()
