#!/usr/bin/python3
"""RDB save and load of aggregate types: server A (ember) against server B (redis) in one run.

rdb.py measures snapshots of small strings (fork, BGSAVE, CoW, load). This one asks the question
the encodings raise: a small hash, set, sorted set or list is kept in memory in the form the RDB
file carries (listpack, intset), so SAVE should write it and a restart should read it about as
fast as Redis does, or faster.

Method (per shape, per round; A and B back to back, the order alternating between rounds)
  1. start a fresh server (pinned to the server CPU, loopback, free port, temp dir, rdbcompression
     yes as in Redis's default) and load the shape of utils/bench/memory.py, scaled by --scale
     (5: 500k hashes x 10 fields, 500k sets, 500k zsets, 50k lists x 100), through redis-cli --pipe;
  2. SAVE (in the foreground, so the figure is the serialisation itself, no fork), timed from the
     client; the dump size;
  3. stop the server, start a new one over the same directory: the server's own
     "DB loaded from disk: X seconds" figure, and the time from exec to the first PING answered
     PONG; DBSIZE must match.
The reported figure is the median of the per-round ratios A/B. Ember always validates blobs
deeply on load (every entry, duplicates); Redis does that only with sanitize-dump-payload yes,
and runs here with its default (no), so the comparison charges Ember for its checks.

No targets: the figures are information for issue 3 (the encodings' claim that RDB copies them)
and issue 5 (load time); lower is better.

Usage
  utils/bench/rdb_types.py --ember build/ember-server [--shapes hash10,zset10] [--scale 5] [--rounds 3]
"""
import argparse
import os
import re
import sys
import time

sys.dont_write_bytecode = True          # keep utils/bench free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
import memory  # noqa: E402
import rdb  # noqa: E402

DEFAULT_SHAPES = "hash10,set_int10,set_str10,zset10,list100"
METRICS = {
    "save_s": "SAVE (s)",
    "load_s": "load time, log (s)",
    "ready_s": "start to PING OK (s)",
    "dump_bytes": "dump size (bytes)",
}


def measure(binary, name, shape, args):
    srv = rdb.DumpServer(binary, name, args=["--save", "", "--appendonly", "no",
                                             "--rdbcompression", "yes"] + shape.server_args,
                         cpu=args.server_cpu)
    res = {}
    srv.start()
    try:
        lib.pipe_load(srv.port, shape.gen(), expect_replies=shape.replies, cpu=args.client_cpu,
                      timeout=args.load_timeout)
        rdb.check_size(srv, shape.keys, "loaded")
        t0 = time.monotonic()
        reply = srv.command("SAVE", timeout=args.load_timeout)
        res["save_s"] = time.monotonic() - t0
        if reply != b"OK":
            raise lib.BenchError(f"{name}: SAVE answered {reply!r}")
        res["dump_bytes"] = os.path.getsize(os.path.join(srv.dir, "dump.rdb"))
        directory = srv.dir
        srv.stop_keep_dir()
        before = rdb.log_text(srv).count("DB loaded from disk")
        res["ready_s"] = srv.start_in(directory)
        rdb.check_size(srv, shape.keys, "after restart:")
        m = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", rdb.log_text(srv))
        res["load_s"] = float(m[-1]) if len(m) > before else None
    finally:
        srv.stop()
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    lib.add_common_args(ap)
    ap.add_argument("--shapes", default=DEFAULT_SHAPES,
                    help=f"comma list of memory.py shapes (default {DEFAULT_SHAPES})")
    ap.add_argument("--scale", type=int, default=5, help="multiplies every shape's key count")
    ap.add_argument("--load-timeout", type=float, default=600.0, help="limit for one load or SAVE (s)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 3)
    if rounds < 1 or rounds > 20 or args.scale < 1 or args.scale > 50:
        ap.error("--rounds must be 1..20 and --scale 1..50")
    shapes = {s.name: s for s in memory.make_shapes(args.scale)}
    names = [s.strip() for s in args.shapes.split(",") if s.strip()]
    bad = [s for s in names if s not in shapes]
    if bad:
        ap.error(f"unknown shapes {bad}; known: {','.join(shapes)}")
    lib.pin_self(args.client_cpu)
    servers = {"A": (os.path.abspath(args.ember), args.name_a),
               "B": (os.path.abspath(args.redis), args.name_b)}
    started = time.monotonic()
    rows, payload = [], {"scale": args.scale, "rounds": rounds, "shapes": {}}
    for sname in names:
        shape = shapes[sname]
        per = {"A": [], "B": []}
        for rnd, order in enumerate(lib.round_orders(rounds)):
            for side in order:
                binary, name = servers[side]
                per[side].append(measure(binary, name, shape, args))
                r = per[side][-1]
                lib.log(f"{sname} round {rnd + 1}/{rounds} {name}: save {r['save_s']:.3f}s "
                        f"load {r['load_s']}s ready {r['ready_s']:.3f}s")
        summary = {}
        row = [sname, f"{shape.keys:,}", shape.elements]
        for metric in METRICS:
            a = [r.get(metric) for r in per["A"]]
            b = [r.get(metric) for r in per["B"]]
            ratio = lib.median(lib.paired_ratios(a, b))
            summary[metric] = {"a": lib.median(a), "b": lib.median(b), "ratio": ratio,
                               "a_all": a, "b_all": b}
            digits = 3 if metric.endswith("_s") else 0
            if metric != "dump_bytes":
                row += [lib.fmt_num(lib.median(a), digits), lib.fmt_num(lib.median(b), digits)]
            row.append(lib.fmt_ratio(ratio))
        rows.append(row)
        payload["shapes"][sname] = summary
    a, b = args.name_a, args.name_b
    lib.print_table(f"RDB by type: {a} / {b}, median of {rounds} paired round(s), scale {args.scale}",
                    ["shape", "keys", "elems", f"{a} SAVE", f"{b} SAVE", "ratio", f"{a} load",
                     f"{b} load", "ratio", f"{a} ready", f"{b} ready", "ratio", "dump ratio"], rows)
    print(f"\n{len(names)} shape(s) x {rounds} round(s) in {time.monotonic() - started:.0f}s")
    return lib.finish("rdb_types", args, payload, False)


if __name__ == "__main__":
    lib.run_main(main, "rdb_types")
