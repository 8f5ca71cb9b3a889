#!/usr/bin/python3
"""Eviction quality: cache hit ratio under maxmemory, server A (ember) against server B (redis) and
against an exact-LRU simulation of the same trace.

Method
  * Trace: --ops requests (default 2,000,000; --quick 1,000,000) drawn from a Zipf(0.99)
    distribution over --keys keys (default 1,000,000), ranks scattered over key names by a fixed
    permutation, fixed seed: both servers and the simulation see exactly the same sequence.
  * Workload, cache-aside: GET key; on a miss, SET key <--value-size bytes> (default 1 KB). Requests
    go in batches of --batch (64): the batch's GETs pipelined, then the SETs for its misses
    pipelined. The first --warmup share of the trace (20%) fills the cache and is not measured.
  * Each server starts fresh for each policy with `--maxmemory 50mb --maxmemory-policy P
    --maxmemory-samples 5` (defaults; --maxmemory, --samples change them), pinned to the server CPU;
    the driver runs on the client CPU. DBSIZE is sampled every 5% of the measured part: its mean is
    the server's capacity in keys (it depends on per-key overhead, so it differs between servers).
  * Exact LRU: the same batched trace replayed against a true LRU cache holding that many keys
    (for each server's capacity), which is what an ideal allkeys-lru would achieve in the same memory.
  * Targets (allkeys-lru): hit ratio(A) >= hit ratio(B), and >= exact LRU at A's capacity - 0.5
    percentage points; (allkeys-lfu): hit ratio(A) >= hit ratio(B). With --rounds N > 1 each round
    reruns both servers (order alternating) and the figures are medians.

Usage
  utils/bench/evict_quality.py --ember build/ember-server [--quick] [--policies allkeys-lru,allkeys-lfu]
"""
import argparse
import bisect
import collections
import os
import random
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

LRU_GAP_PP = 0.5


def zipf_trace(n_keys, n_ops, s, seed):
    rng = random.Random(seed)
    cdf, acc = [], 0.0
    for i in range(1, n_keys + 1):
        acc += 1.0 / (i ** s)
        cdf.append(acc)
    total = acc
    perm = list(range(n_keys))
    rng.shuffle(perm)
    out = []
    for _ in range(n_ops):
        out.append(perm[bisect.bisect_left(cdf, rng.random() * total)])
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _need(self):
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise lib.BenchError("server closed the connection")
        self.buf += chunk

    def read_replies(self, n):
        """n replies; returns a list of True (bulk present) / False (nil) / str (other)."""
        out = []
        pos = 0
        buf = self.buf
        while len(out) < n:
            end = buf.find(b"\r\n", pos)
            if end < 0:
                self.buf = buf[pos:]
                pos = 0
                self._need()
                buf = self.buf
                continue
            t = buf[pos:pos + 1]
            if t == b"$":
                ln = int(buf[pos + 1:end])
                if ln < 0:
                    out.append(False)
                    pos = end + 2
                    continue
                stop = end + 2 + ln + 2
                while len(buf) < stop:
                    self.buf = buf
                    self._need()
                    buf = self.buf
                out.append(True)
                pos = stop
            elif t == b"-":
                raise lib.BenchError(buf[pos:end].decode(errors="replace"))
            else:
                out.append(buf[pos + 1:end].decode())
                pos = end + 2
        self.buf = buf[pos:]
        return out

    def send(self, data):
        self.s.sendall(data)

    def close(self):
        self.s.close()


def key_bytes(k):
    return b"key:%d" % k


def run_trace(port, trace, warmup, batch, value, samples_every):
    """Replays the trace; returns (hits, gets) over the measured part and the DBSIZE samples."""
    c = Conn(port)
    setp = b"$%d\r\n%s\r\n" % (len(value), value)
    hits = gets = 0
    sizes = []
    n = len(trace)
    next_sample = warmup + samples_every
    for start in range(0, n, batch):
        keys = trace[start:start + batch]
        kb = [key_bytes(k) for k in keys]
        c.send(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k) for k in kb))
        res = c.read_replies(len(kb))
        misses = [k for k, hit in zip(kb, res) if not hit]
        if start >= warmup:
            gets += len(kb)
            hits += len(kb) - len(misses)
        if misses:
            c.send(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n" % (len(k), k) + setp
                            for k in misses))
            c.read_replies(len(misses))
        if start >= next_sample:
            c.send(b"*1\r\n$6\r\nDBSIZE\r\n")
            sizes.append(int(c.read_replies(1)[0]))
            next_sample += samples_every
    c.close()
    return hits, gets, sizes


def exact_lru(trace, warmup, batch, capacity):
    """The same batched cache-aside replay against a true LRU of `capacity` keys."""
    cache = collections.OrderedDict()
    hits = gets = 0
    for start in range(0, len(trace), batch):
        keys = trace[start:start + batch]
        misses = []
        for k in keys:
            if k in cache:
                cache.move_to_end(k)
                if start >= warmup:
                    hits += 1
            else:
                misses.append(k)
        if start >= warmup:
            gets += len(keys)
        for k in misses:
            if k in cache:
                cache.move_to_end(k)
            else:
                cache[k] = True
                if len(cache) > capacity:
                    cache.popitem(last=False)
    return hits, gets


def measure(binary, name, policy, trace, args):
    srv_args = ["--maxmemory", args.maxmemory, "--maxmemory-policy", policy,
                "--maxmemory-samples", str(args.samples)]
    with lib.Server(binary, name, args=srv_args, cpu=args.server_cpu) as srv:
        lib.log(f"{name} {policy}: replaying {len(trace):,} requests")
        t0 = time.monotonic()
        cpu0 = srv.cpu_seconds()
        hits, gets, sizes = run_trace(srv.port, trace, args._warmup, args.batch,
                                      b"v" * args.value_size, max(1, (len(trace) - args._warmup) // 20))
        cpu = srv.cpu_seconds() - cpu0
        srv.check_alive()
        info = srv.info()
        return {
            "hit_ratio": hits / gets if gets else None,
            "capacity": sum(sizes) / len(sizes) if sizes else srv.dbsize(),
            "evicted_keys": info.get("evicted_keys"),
            "used_memory": info.get("used_memory"),
            "server_cpu_s": cpu,
            "wall_s": time.monotonic() - t0,
            "eviction_quality_perc": info.get("eviction_quality_perc"),
        }


def main():
    ap = lib.add_common_args(argparse.ArgumentParser(description=__doc__,
                                                     formatter_class=argparse.RawTextHelpFormatter))
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--ops", type=int, default=None, help="trace length (default 2M, --quick 1M)")
    ap.add_argument("--zipf", type=float, default=0.99)
    ap.add_argument("--value-size", type=int, default=1024)
    ap.add_argument("--maxmemory", default="50mb")
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=float, default=0.2, help="share of the trace not measured")
    ap.add_argument("--policies", default="allkeys-lru,allkeys-lfu")
    ap.add_argument("--seed", type=int, default=20240607)
    args = ap.parse_args()
    args.ember, args.redis = os.path.abspath(args.ember), os.path.abspath(args.redis)
    lib.pin_self(args.client_cpu)
    ops = args.ops or (1_000_000 if args.quick else 2_000_000)
    rounds = args.rounds or 1
    args._warmup = int(ops * args.warmup) // args.batch * args.batch
    lib.log(f"building a Zipf({args.zipf}) trace: {ops:,} requests over {args.keys:,} keys")
    trace = zipf_trace(args.keys, ops, args.zipf, args.seed)

    results, rows, failed = {}, [], False
    for policy in args.policies.split(","):
        per = {"A": [], "B": []}
        for order in lib.round_orders(rounds):
            for side in order:
                binary, name = (args.ember, args.name_a) if side == "A" else (args.redis, args.name_b)
                per[side].append(measure(binary, name, policy, trace, args))
        med = {s: {k: lib.median([r[k] for r in per[s]]) for k in ("hit_ratio", "capacity")}
               for s in per}
        sim = {}
        for s in ("A", "B"):
            cap = int(round(med[s]["capacity"]))
            h, g = exact_lru(trace, args._warmup, args.batch, cap)
            sim[s] = h / g
        a, b = med["A"]["hit_ratio"], med["B"]["hit_ratio"]
        ok_b = a >= b
        ok_lru = (a >= sim["A"] - LRU_GAP_PP / 100) if policy == "allkeys-lru" else None
        failed |= not ok_b or ok_lru is False
        results[policy] = {"a": per["A"], "b": per["B"], "exact_lru_at_a_capacity": sim["A"],
                           "exact_lru_at_b_capacity": sim["B"], "hit_ratio_a": a, "hit_ratio_b": b,
                           "pass_vs_b": ok_b, "pass_vs_exact_lru": ok_lru}
        rows.append([policy, f"{a * 100:.2f}", f"{b * 100:.2f}", f"{(a - b) * 100:+.2f}",
                     lib.fmt_num(med["A"]["capacity"]), lib.fmt_num(med["B"]["capacity"]),
                     f"{sim['A'] * 100:.2f}", f"{sim['B'] * 100:.2f}",
                     f"{(a - sim['A']) * 100:+.2f}", f"{(b - sim['B']) * 100:+.2f}",
                     "PASS" if ok_b else "FAIL",
                     "-" if ok_lru is None else ("PASS" if ok_lru else "FAIL")])
    lib.print_table(
        f"Eviction quality: Zipf {args.zipf}, {args.keys:,} keys x {args.value_size} B, "
        f"maxmemory {args.maxmemory}, samples {args.samples}, {ops:,} requests "
        f"({int(args.warmup * 100)}% warm-up), {rounds} round(s)",
        ["policy", f"hit% {args.name_a}", f"hit% {args.name_b}", "A-B pp", f"keys {args.name_a}",
         f"keys {args.name_b}", "LRU@A cap", "LRU@B cap", "A-LRU pp", "B-LRU pp", ">=B",
         "LRU-0.5pp"], rows)
    payload = {"ops": ops, "keys": args.keys, "maxmemory": args.maxmemory, "samples": args.samples,
               "rounds": rounds, "results": results}
    return lib.finish("evict_quality", args, payload, failed)


if __name__ == "__main__":
    lib.run_main(main, "evict_quality")
