#!/usr/bin/python3
"""RDB snapshots: server A (ember) against server B (redis) in one run.

For each dataset size (1M and 3M small keys by default) and each round (A and B back to back, the
order alternating between rounds), on a fresh server of each kind:
  1. load N keys `key:<12-digit N>` -> 10-byte value `val:NNNNNN` through `redis-cli --pipe`
     (12-digit names are what redis-benchmark's __rand_int__ produces, so the write load below
     overwrites existing keys instead of growing the table);
  2. idle BGSAVE: fork time (INFO stats latest_fork_usec), duration (BGSAVE sent -> the parent logs
     "Background saving terminated with success", the log polled every 2 ms; both servers notice
     the child's exit from a 10 Hz cron, so both carry the same granularity), dump size;
  3. BGSAVE under a concurrent SET load (redis-benchmark -t set -r N -d 10, 50 clients, pipeline
     16, pinned to the client CPU; started 0.5 s before the BGSAVE and stopped after it): duration,
     fork time and the CoW bytes the child reports (INFO persistence rdb_last_cow_size, else the
     log's "RDB: N MB of memory used by copy-on-write");
  4. load time: stop the server, start a new one over the dump; time from exec to the first PING
     answered PONG, and the server's own "DB loaded from disk: X seconds" figure.
The reported figure of each metric is the median of the per-round ratios A/B.

Targets (issue 5): fork time <= 1.0x, BGSAVE time <= 0.8x (idle and under load), CoW under load
<= 0.7x, load time <= 0.7x, dump size <= 1.0x.

Usage
  utils/bench/rdb.py --ember build/ember-server [--sizes 1000000,3000000] [--rounds N] [--quick]
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True          # keep utils/bench free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

TARGETS = {  # metric -> max ratio A/B
    "fork_usec": 1.0,
    "bgsave_idle_s": 0.8,
    "bgsave_load_s": 0.8,
    "cow_bytes": 0.7,
    "load_s": 0.7,
    "dump_bytes": 1.0,
}
LABELS = {
    "fork_usec": "fork time (us, idle)",
    "fork_usec_load": "fork time (us, under load)",
    "bgsave_idle_s": "BGSAVE idle (s)",
    "bgsave_load_s": "BGSAVE under SET load (s)",
    "cow_bytes": "CoW under load (bytes)",
    "load_s": "load time, log (s)",
    "ready_s": "start to PING OK (s)",
    "dump_bytes": "dump size (bytes)",
}


def gen_keys(n, batch=1000):
    for start in range(0, n, batch):
        end = min(n, start + batch)
        parts = [b"*%d\r\n$4\r\nMSET\r\n" % (1 + 2 * (end - start))]
        for i in range(start, end):
            parts.append(b"$16\r\nkey:%012d\r\n$10\r\nval:%06d\r\n" % (i, i % 1000000))
        yield b"".join(parts)


class DumpServer(lib.Server):
    """lib.Server that can start over an existing directory (to load its dump.rdb)."""

    def start_in(self, directory):
        self.dir = directory
        self.port = lib.free_port()
        t0 = time.monotonic()
        with open(os.path.join(self.dir, "stdout.log"), "ab") as out:
            self.proc = subprocess.Popen(lib.pinned(self.argv(), self.cpu), cwd=self.dir,
                                         stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = t0 + 600
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise lib.BenchError(f"{self.name} exited at start-up:\n{self.log_tail()}")
            try:
                if lib.command(self.port, "PING", timeout=2.0) == b"PONG":
                    return time.monotonic() - t0
            except (OSError, lib.BenchError):
                pass
            time.sleep(0.002)
        raise lib.BenchError(f"{self.name}: not ready after loading")

    def stop_keep_dir(self):
        self._kill()


def dbsize(srv):
    """DBSIZE, or None where the server has no DBSIZE yet (Ember before its server family)."""
    reply = srv.command("DBSIZE")
    return reply if isinstance(reply, int) else None


def check_size(srv, n, what):
    got = dbsize(srv)
    if got is not None and got != n:
        raise lib.BenchError(f"{srv.name}: {what} DBSIZE {got} != {n}")


def log_text(srv):
    try:
        with open(os.path.join(srv.dir, "server.log"), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def info_fields(srv):
    out = {}
    for section in ("persistence", "stats"):
        try:
            out.update(srv.info(section))
        except lib.BenchError:
            pass
    return out


def bgsave(srv, timeout=600):
    """BGSAVE and wait for the parent to log its success. Returns the duration in seconds."""
    done = log_text(srv).count("Background saving terminated with success")
    t0 = time.monotonic()
    reply = srv.command("BGSAVE")
    if isinstance(reply, Exception):
        raise lib.BenchError(f"{srv.name}: BGSAVE: {reply}")
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if log_text(srv).count("Background saving terminated with success") > done:
            return time.monotonic() - t0
        text = log_text(srv)
        if "Background saving error" in text or "terminated by signal" in text:
            raise lib.BenchError(f"{srv.name}: BGSAVE failed:\n{srv.log_tail()}")
        srv.check_alive()
        time.sleep(0.002)
    raise lib.BenchTimeout(f"{srv.name}: BGSAVE did not finish in {timeout}s")


def cow_after_save(srv):
    info = info_fields(srv)
    if "rdb_last_cow_size" in info:
        return info["rdb_last_cow_size"]
    m = re.findall(r"RDB: (\d+) MB of memory used by copy-on-write", log_text(srv))
    return int(m[-1]) * 1024 * 1024 if m else None


def fork_usec(srv):
    v = info_fields(srv).get("latest_fork_usec")
    return v if isinstance(v, int) else None


def measure(binary, name, n, args):
    srv = DumpServer(binary, name, args=list(args))
    res = {}
    srv.start()
    try:
        lib.pipe_load(srv.port, gen_keys(n), expect_replies=(n + 999) // 1000)
        check_size(srv, n, "loaded")
        res["bgsave_idle_s"] = bgsave(srv)
        res["fork_usec"] = fork_usec(srv)
        res["dump_bytes"] = os.path.getsize(os.path.join(srv.dir, "dump.rdb"))

        load = subprocess.Popen(lib.pinned([lib.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p",
                                            str(srv.port), "-t", "set", "-r", str(n), "-d", "10",
                                            "-n", "2000000000", "-c", "50", "-P", "16", "-q"],
                                           lib.CLIENT_CPU),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            res["bgsave_load_s"] = bgsave(srv)
        finally:
            os.kill(load.pid, signal.SIGTERM)
            try:
                load.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(load.pid, signal.SIGKILL)
                load.wait(timeout=5)
        res["cow_bytes"] = cow_after_save(srv)
        res["fork_usec_load"] = fork_usec(srv)

        # Load time: a new process over the same directory (and dump).
        directory = srv.dir
        srv.stop_keep_dir()
        before = log_text(srv).count("DB loaded from disk")
        res["ready_s"] = srv.start_in(directory)
        check_size(srv, n, "after restart:")
        m = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", log_text(srv))
        res["load_s"] = float(m[-1]) if len(m) > before else None
    finally:
        srv.stop()
    return res


def main():
    ap = lib.add_common_args(argparse.ArgumentParser(description=__doc__.split("\n")[0]))
    ap.add_argument("--sizes", default="1000000,3000000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rounds = args.rounds or (1 if args.quick else 3)
    if args.quick and args.sizes == "1000000,3000000":
        sizes = [300000, 1000000]
    lib.pin_self(args.client_cpu)
    common = ["--save", "", "--appendonly", "no", "--rdbcompression", "yes",
              "--rdb-save-incremental-fsync", "yes"]
    servers = {"A": (os.path.abspath(args.ember), args.name_a),
               "B": (os.path.abspath(args.redis), args.name_b)}
    payload = {"sizes": {}, "targets": TARGETS}
    missed = False
    for n in sizes:
        per = {"A": [], "B": []}
        for rnd, order in enumerate(lib.round_orders(rounds)):
            for side in order:
                binary, name = servers[side]
                lib.log(f"{n} keys, round {rnd + 1}/{rounds}: {name}")
                per[side].append(measure(binary, name, n, common))
        rows = []
        summary = {}
        for metric, label in LABELS.items():
            a = [r.get(metric) for r in per["A"]]
            b = [r.get(metric) for r in per["B"]]
            ratio = lib.median(lib.paired_ratios(a, b))
            target = TARGETS.get(metric)
            verdict = lib.pass_fail(ratio, target, higher_is_better=False) if target else "-"
            missed |= verdict == "FAIL"
            digits = 3 if metric.endswith("_s") else 0
            rows.append([label, lib.fmt_num(lib.median(a), digits), lib.fmt_num(lib.median(b), digits),
                         lib.fmt_ratio(ratio), "-" if target is None else f"<= {target}", verdict])
            summary[metric] = {"a": lib.median(a), "b": lib.median(b), "ratio": ratio,
                               "target": target, "verdict": verdict, "a_all": a, "b_all": b}
        lib.print_table(f"RDB, {n:,} keys x 10-byte values, {rounds} round(s)",
                        ["metric", args.name_a, args.name_b, "A/B", "target", ""], rows)
        payload["sizes"][str(n)] = summary
    return lib.finish("rdb", args, payload, missed)


if __name__ == "__main__":
    lib.run_main(main, "rdb")
