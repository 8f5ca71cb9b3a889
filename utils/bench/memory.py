#!/usr/bin/python3
"""Memory: bytes per key for a data shape, server A (ember) against server B (redis).

Method (per shape, per server, per round)
  1. start a fresh server (pinned to the server CPU, loopback, free port, temp dir, no persistence,
     plus the shape's own directives, e.g. `--list-compress-depth 1`);
  2. read the empty-server baseline: INFO memory `used_memory` and the process RSS (/proc/PID/statm);
  3. load the shape through `redis-cli --pipe` (pinned to the client CPU; batches of pipelined
     commands, every reply checked), then check DBSIZE;
  4. wait --settle seconds, read used_memory and RSS again, stop the server.
  bytes/key = (after - baseline) / keys, for used_memory and for RSS. Rounds alternate which server
  goes first; the median of the paired ratios A/B is reported (memory figures are nearly
  deterministic, so one round is the default; use --rounds for more).

Shapes (add a row to SHAPES to add one; a loader yields RESP bytes and sets the expected replies):
  strings        1M  `key:N` -> 10-byte value, loaded with MSET (1000 keys per command)
  strings_ttl    1M  `key:N` -> 10-byte value, SET ... EX 100000 (every key has a TTL)
  hash10         100k hashes x 10 fields (field:J -> 10-byte value)
  set_int10      100k sets x 10 integers
  set_str10      100k sets x 10 short strings (member:J)
  zset10         100k sorted sets x 10 members (member:J, score J*1.5)
  list100        10k lists x 100 items (10 bytes)
  list10k_c1     1k lists x 10k items (10 bytes) with list-compress-depth 1

Usage
  utils/bench/memory.py --ember build/ember-server [--shapes strings,strings_ttl|all] [--rounds N]
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True          # keep utils/bench free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402


# ------------------------------------------------------------------------------------------------
# Loaders: each yields chunks of RESP bytes (one chunk = one batch of commands) and knows how many
# replies to expect. All values are fixed-width ASCII so both servers see identical byte counts.
# ------------------------------------------------------------------------------------------------
def _bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


def gen_strings_mset(keys, batch=1000):
    """keys x `key:N` -> 10-byte value, MSET with `batch` pairs per command."""
    for start in range(0, keys, batch):
        end = min(keys, start + batch)
        parts = [b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * (end - start))]
        for i in range(start, end):
            k = b"key:%d" % i
            parts.append(b"$%d\r\n%s\r\n$10\r\n%010d\r\n" % (len(k), k, i))
        yield b"".join(parts)


def gen_strings_ttl(keys, ttl=100000, batch=5000):
    """keys x SET key:N <10 bytes> EX ttl."""
    ttl_b = _bulk(b"%d" % ttl)
    for start in range(0, keys, batch):
        parts = []
        for i in range(start, min(keys, start + batch)):
            k = b"key:%d" % i
            parts.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\n%010d\r\n$2\r\nEX\r\n%s"
                         % (len(k), k, i, ttl_b))
        yield b"".join(parts)


def gen_per_key(cmd, prefix, keys, elements, member, batch=1000):
    """keys x `CMD prefix:N <member args for j in 0..elements-1>`; member(i, j) -> list of bytes."""
    cmd_b = _bulk(cmd)
    for start in range(0, keys, batch):
        parts = []
        for i in range(start, min(keys, start + batch)):
            args = []
            for j in range(elements):
                args.extend(member(i, j))
            k = b"%s:%d" % (prefix, i)
            parts.append(b"*%d\r\n%s%s%s" % (2 + len(args), cmd_b, _bulk(k),
                                             b"".join(_bulk(a) for a in args)))
        yield b"".join(parts)


def gen_long_lists(keys, items, per_command=1000, batch=10):
    """keys lists x `items` 10-byte items, RPUSH with `per_command` items per command."""
    for start in range(0, keys, batch):
        parts = []
        for i in range(start, min(keys, start + batch)):
            k = _bulk(b"list:%d" % i)
            for off in range(0, items, per_command):
                n = min(per_command, items - off)
                body = b"".join(b"$10\r\n%010d\r\n" % (off + j) for j in range(n))
                parts.append(b"*%d\r\n$5\r\nRPUSH\r\n%s%s" % (2 + n, k, body))
        yield b"".join(parts)


class Shape:
    """name, description, keys (top-level keys created), elements per key, replies expected,
    a generator factory, extra server arguments, and the target ratio (None: no target yet)."""

    def __init__(self, name, description, keys, elements, replies, gen, server_args=(), target=None,
                 expires=0):
        self.name = name
        self.description = description
        self.keys = keys
        self.elements = elements
        self.replies = replies
        self.gen = gen
        self.server_args = list(server_args)
        self.target = target
        self.expires = expires          # keys expected to carry a TTL (checked via INFO keyspace)


def make_shapes(scale=1):
    """The shapes with every key count multiplied by `scale` (rdb_types.py loads bigger datasets)."""
    m, k100, k10, k1 = 1000000 * scale, 100000 * scale, 10000 * scale, 1000 * scale
    return [
        Shape("strings", "1M key:N -> 10-byte value (MSET)", m, 1, m // 1000,
              lambda: gen_strings_mset(m), target=0.6),
        Shape("strings_ttl", "1M key:N -> 10-byte value, SET EX 100000", m, 1, m,
              lambda: gen_strings_ttl(m), target=0.6, expires=m),
        Shape("hash10", "100k hashes x 10 fields", k100, 10, k100,
              lambda: gen_per_key(b"HSET", b"hash", k100, 10,
                                  lambda i, j: (b"field:%d" % j, b"%010d" % (i * 10 + j)))),
        Shape("set_int10", "100k sets x 10 ints", k100, 10, k100,
              lambda: gen_per_key(b"SADD", b"set", k100, 10, lambda i, j: (b"%d" % (i * 10 + j),))),
        Shape("set_str10", "100k sets x 10 short strings", k100, 10, k100,
              lambda: gen_per_key(b"SADD", b"sset", k100, 10, lambda i, j: (b"member:%d" % j,))),
        Shape("zset10", "100k zsets x 10 members", k100, 10, k100,
              lambda: gen_per_key(b"ZADD", b"zset", k100, 10,
                                  lambda i, j: (b"%g" % (j * 1.5), b"member:%d" % j))),
        Shape("list100", "10k lists x 100 items", k10, 100, k10,
              lambda: gen_per_key(b"RPUSH", b"list", k10, 100,
                                  lambda i, j: (b"%010d" % j,), batch=100)),
        Shape("list10k_c1", "1k lists x 10k items, list-compress-depth 1", k1, 10000, k1 * 10,
              lambda: gen_long_lists(k1, 10000), server_args=["--list-compress-depth", "1"]),
    ]


SHAPES = {s.name: s for s in make_shapes()}
DEFAULT_SHAPES = "strings,strings_ttl"


def measure(binary, name, shape, args):
    """One fresh server, one load: returns a dict of the figures."""
    srv = lib.Server(binary, name, args=shape.server_args, cpu=args.server_cpu)
    srv.start()
    try:
        time.sleep(args.settle)
        base_used = srv.info("memory")["used_memory"]
        base_rss = srv.rss_bytes()
        t0 = time.monotonic()
        lib.pipe_load(srv.port, shape.gen(), expect_replies=shape.replies, cpu=args.client_cpu,
                      timeout=args.load_timeout)
        load_s = time.monotonic() - t0
        srv.check_alive()
        n = srv.dbsize()
        if n != shape.keys:
            raise lib.BenchError(f"{name}/{shape.name}: DBSIZE {n}, expected {shape.keys}")
        db0 = str(srv.info("keyspace").get("db0", ""))
        expires = dict(kv.split("=", 1) for kv in db0.split(",") if "=" in kv).get("expires")
        if expires is None or int(expires) != shape.expires:
            raise lib.BenchError(f"{name}/{shape.name}: INFO keyspace db0 '{db0}', "
                                 f"expected expires={shape.expires}")
        time.sleep(args.settle)
        info = srv.info("memory")
        used = info["used_memory"]
        rss = srv.rss_bytes()
    finally:
        srv.stop()
    return {"base_used": base_used, "base_rss": base_rss, "used": used, "rss": rss,
            "used_per_key": (used - base_used) / shape.keys, "rss_per_key": (rss - base_rss) / shape.keys,
            "load_s": round(load_s, 2)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    lib.add_common_args(ap)
    ap.add_argument("--shapes", default=DEFAULT_SHAPES,
                    help=f"comma list from: {','.join(SHAPES)}, or 'all' (default {DEFAULT_SHAPES})")
    ap.add_argument("--target", type=float, default=None,
                    help="ratio target for every shape (default: the shape's own, 0.6 for strings)")
    ap.add_argument("--settle", type=float, default=3.0,
                    help="pause before each reading (s); 3 s lets an incremental rehash the load started finish (1 ms per 100 ms cron on both servers), so 100k-key shapes read the same every run")
    ap.add_argument("--load-timeout", type=float, default=300.0, help="limit for one load (s)")
    args = ap.parse_args(argv)

    rounds = args.rounds or 1
    if rounds < 1 or rounds > 20:
        ap.error("--rounds must be 1..20")
    names = list(SHAPES) if args.shapes == "all" else [s.strip() for s in args.shapes.split(",") if s.strip()]
    bad = [s for s in names if s not in SHAPES]
    if bad:
        ap.error(f"unknown shapes {bad}; known: {','.join(SHAPES)}")
    lib.pin_self(args.client_cpu)
    binaries = {"A": (args.ember, args.name_a), "B": (args.redis, args.name_b)}
    started = time.monotonic()
    results = {}
    for sname in names:
        shape = SHAPES[sname]
        res = {"A": [None] * rounds, "B": [None] * rounds, "order": []}
        for r, order in enumerate(lib.round_orders(rounds)):
            for who in order:
                res[who][r] = measure(*binaries[who], shape, args)
                lib.log(f"round {r + 1}/{rounds} {sname}: {binaries[who][1]} "
                        f"used/key {res[who][r]['used_per_key']:.1f}  rss/key {res[who][r]['rss_per_key']:.1f}"
                        f"  load {res[who][r]['load_s']}s")
            res["order"].append("".join(order))
        results[sname] = res

    a, b = args.name_a, args.name_b
    table, pairs_table, out_shapes, failed = [], [], [], False
    for sname in names:
        shape, res = SHAPES[sname], results[sname]
        target = args.target if args.target is not None else shape.target
        row = [sname, f"{shape.keys:,}", shape.elements]
        out = {"shape": sname, "description": shape.description, "keys": shape.keys,
               "elements_per_key": shape.elements, "server_args": shape.server_args,
               "target": target, "order": res["order"], "a": res["A"], "b": res["B"]}
        for metric in ("used_per_key", "rss_per_key"):
            va = [m[metric] for m in res["A"]]
            vb = [m[metric] for m in res["B"]]
            ratios = lib.paired_ratios(va, vb)
            med = lib.median(ratios)
            verdict = lib.pass_fail(med, target, higher_is_better=False)
            failed |= verdict == "FAIL"
            row += [lib.fmt_num(lib.median(va), 1), lib.fmt_num(lib.median(vb), 1), lib.fmt_ratio(med), verdict]
            out[metric] = {"median_a": lib.median(va), "median_b": lib.median(vb), "ratios": ratios,
                           "median_ratio": med, "verdict": verdict}
        row.append("-" if target is None else f"<={target:.2f}")
        table.append(row)
        for r in range(rounds):
            ma, mb = res["A"][r], res["B"][r]
            first = a if res["order"][r][0] == "A" else b
            pairs_table.append([sname, r + 1, first, lib.fmt_num(ma["used_per_key"], 1),
                                lib.fmt_num(mb["used_per_key"], 1),
                                lib.fmt_ratio(ma["used_per_key"] / mb["used_per_key"] if mb["used_per_key"] else None),
                                lib.fmt_num(ma["rss_per_key"], 1), lib.fmt_num(mb["rss_per_key"], 1),
                                lib.fmt_ratio(ma["rss_per_key"] / mb["rss_per_key"] if mb["rss_per_key"] else None),
                                f"{ma['load_s']}/{mb['load_s']}"])
        out_shapes.append(out)

    lib.print_table(f"memory pairs ({a} vs {b}; bytes per key)",
                    ["shape", "round", "first", f"{a} used", f"{b} used", "ratio", f"{a} rss", f"{b} rss",
                     "ratio", "load s a/b"], pairs_table)
    lib.print_table(f"memory: bytes per key, {a} / {b}, median of {rounds} paired round(s)",
                    ["shape", "keys", "elems", f"{a} used/key", f"{b} used/key", "ratio", "result",
                     f"{a} rss/key", f"{b} rss/key", "ratio", "result", "target"], table)
    elapsed = time.monotonic() - started
    print(f"\n{len(names)} shape(s) x {rounds} round(s) in {elapsed:.0f}s; {a}={args.ember}  {b}={args.redis}")
    payload = {"server_a": {"name": a, "binary": args.ember}, "server_b": {"name": b, "binary": args.redis},
               "rounds": rounds, "shapes": out_shapes, "elapsed_s": round(elapsed, 1), "all_pass": not failed}
    return lib.finish("memory", args, payload, failed)


if __name__ == "__main__":
    lib.run_main(main, "memory")
