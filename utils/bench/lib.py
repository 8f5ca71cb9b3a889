"""Shared machinery for the Ember benchmarks (utils/bench).

Each benchmark compares server A (ember-server) with server B (Debian's redis-server) side by side in
one run. Both accept the redis-server command line (an optional config file, then `--directive value`
pairs), so one Server class starts either:

    with Server("/usr/bin/redis-server", "redis", cpu=0) as srv:
        rows = run_benchmark(srv.port, "set", requests=100000, pipeline=16, cpu=1)

Rules every benchmark here follows (machines are shared and noisy, 2 cores):
  * servers listen on 127.0.0.1 only, on a free port, in a fresh temporary directory, with
    `--save '' --appendonly no` unless the caller overrides it (persistence benchmarks);
  * a server is pinned to CPU 0 and the client (redis-benchmark / redis-cli) to CPU 1 with taskset;
  * a server is stopped by its own PID (SIGTERM, then SIGKILL after a bounded wait), never by name;
  * every wait and loop is bounded in count and time;
  * measurements are repeated in rounds; within a round A and B run back to back and the order
    alternates between rounds; the reported figure is the MEDIAN of the per-round ratios A/B.

Results: print_table() renders a fixed-width table; emit_json() prints one final line
`BENCH_JSON {...}` that tools can grep for.
"""
import csv
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
TASKSET = shutil.which("taskset")

SERVER_CPU = 0
CLIENT_CPU = 1
try:
    ALLOWED_CPUS = set(os.sched_getaffinity(0))     # read before pin_self() narrows it
except (AttributeError, OSError):
    ALLOWED_CPUS = None


class BenchError(RuntimeError):
    pass


class BenchTimeout(BenchError):
    """A single benchmark run exceeded its time limit (the machine is overloaded): callers may
    drop that measurement and carry on."""


def log(msg):
    """Progress line on stderr (stdout carries the tables and the JSON line)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pinned(cmd, cpu):
    """Prefix `cmd` with `taskset -c cpu` when taskset exists and the CPU is usable."""
    if cpu is None or TASKSET is None:
        return list(cmd)
    if ALLOWED_CPUS is not None and cpu not in ALLOWED_CPUS:
        return list(cmd)
    return [TASKSET, "-c", str(cpu)] + list(cmd)


def pin_self(cpu):
    """Pin this driver process to the client CPU so that generating load never competes with the
    server's CPU. A no-op when the CPU is not available."""
    if cpu is None or ALLOWED_CPUS is None or cpu not in ALLOWED_CPUS:
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        pass


def free_port():
    """A loopback port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------
# RESP over a raw socket: tiny, dependency-free, used for PING/INFO/DBSIZE (no redis-py import cost,
# and it works the same against any server speaking RESP2).
# ------------------------------------------------------------------------------------------------
def encode_command(*args):
    """One command as a RESP array of bulk strings (bytes)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, (bytes, bytearray)):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise BenchError("connection closed by server")
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln

    def exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        ln = self.line()
        t, rest = ln[:1], ln[1:]
        if t == b"+":
            return rest
        if t == b"-":
            return BenchError(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.exact(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise BenchError(f"unexpected reply line {ln[:80]!r}")


def command(port, *args, timeout=10.0):
    """Send one command to 127.0.0.1:port and return its decoded reply (errors come back as
    BenchError instances, not raised)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(encode_command(*args))
        return _Reader(s).reply()


def parse_info(text):
    """INFO text -> {field: value}; numeric values become int/float."""
    out = {}
    for ln in text.splitlines():
        if not ln or ln.startswith("#") or ":" not in ln:
            continue
        k, v = ln.split(":", 1)
        v = v.strip()
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


# ------------------------------------------------------------------------------------------------
# Servers
# ------------------------------------------------------------------------------------------------
class Server:
    """One server process (ember-server or redis-server) on a free loopback port.

    binary:  path to the executable.
    name:    label used in tables ("ember", "redis", ...).
    args:    extra `--directive value` pairs appended after the defaults (they override them).
    config:  optional config file passed as the first argument.
    cpu:     CPU to pin the server to (None: no pinning).
    persist: if False (default) the server runs with `--save '' --appendonly no`.
    """

    def __init__(self, binary, name, args=None, config=None, cpu=SERVER_CPU, persist=False,
                 start_timeout=20.0):
        # The server runs in its temporary directory: a relative path given on the command line
        # (build/ember-server) must be made absolute; a bare name is looked up on PATH.
        self.binary = os.path.abspath(binary) if os.sep in binary else binary
        self.name = name
        self.extra_args = list(args or [])
        self.config = config
        self.cpu = cpu
        self.persist = persist
        self.start_timeout = start_timeout
        self.dir = None
        self.port = None
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def argv(self):
        argv = [self.binary]
        if self.config:
            argv.append(self.config)
        argv += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                 "--daemonize", "no", "--logfile", os.path.join(self.dir, "server.log")]
        if not self.persist:
            argv += ["--save", "", "--appendonly", "no"]
        return argv + self.extra_args

    def start(self):
        if not os.access(self.binary, os.X_OK):
            raise BenchError(f"{self.name}: {self.binary} is not an executable")
        self.dir = tempfile.mkdtemp(prefix=f"bench-{self.name}-")
        last_err = None
        for _attempt in range(3):           # the free port may be taken between probe and bind
            self.port = free_port()
            with open(os.path.join(self.dir, "stdout.log"), "ab") as out:
                self.proc = subprocess.Popen(pinned(self.argv(), self.cpu), cwd=self.dir,
                                             stdin=subprocess.DEVNULL, stdout=out,
                                             stderr=subprocess.STDOUT)
            try:
                self.wait_ready()
                return self
            except BenchError as e:
                last_err = e
                self._kill()
        self.cleanup()
        raise last_err

    def wait_ready(self):
        """Wait (bounded) until the server answers PING with PONG."""
        deadline = time.monotonic() + self.start_timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode} at start-up:\n"
                                 f"{self.log_tail()}")
            try:
                last = command(self.port, "PING", timeout=2.0)
                if last == b"PONG":
                    return
                if isinstance(last, BenchError) and not str(last).startswith(("LOADING", "BUSY")):
                    break           # up, but refuses PING: waiting will not help
            except (OSError, BenchError) as e:
                last = e
            time.sleep(0.05)
        raise BenchError(f"{self.name} did not answer PING with PONG (limit {self.start_timeout}s) "
                         f"(last answer: {last!r})\n{self.log_tail()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self):
        if not self.alive():
            rc = self.proc.returncode if self.proc else None
            raise BenchError(f"{self.name} died (exit {rc}):\n{self.log_tail()}")

    def command(self, *args, timeout=30.0):
        return command(self.port, *args, timeout=timeout)

    def info(self, section=None):
        reply = self.command("INFO", section) if section else self.command("INFO")
        if isinstance(reply, Exception) or reply is None:
            raise BenchError(f"{self.name}: INFO failed: {reply}")
        return parse_info(reply.decode(errors="replace"))

    def dbsize(self):
        return int(self.command("DBSIZE"))

    def rss_bytes(self):
        """Resident set size of the server process from /proc (independent of INFO): the real
        process id is the taskset child's (taskset execs, so it is the same PID)."""
        with open(f"/proc/{self.proc.pid}/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")

    def cpu_seconds(self):
        """CPU time consumed so far by the server process: the sum over its live threads of
        /proc/PID/task/TID/schedstat (nanoseconds on CPU), falling back to utime+stime from
        /proc/PID/stat (clock-tick resolution) when schedstat is unavailable. Threads that exit
        between two readings are not counted, which is fine for long-lived server threads."""
        pid = self.proc.pid
        total, seen = 0, False
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                        total += int(f.read().split()[0])
                        seen = True
                except (OSError, ValueError, IndexError):
                    pass
        except OSError:
            pass
        if seen:
            return total / 1e9
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # after the ")" the fields start at #3 (state); utime is #14, stime #15.
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, n=30):
        out = []
        for fn in ("server.log", "stdout.log"):
            p = os.path.join(self.dir or "", fn)
            if self.dir and os.path.exists(p):
                with open(p, "rb") as f:
                    lines = f.read().decode(errors="replace").splitlines()[-n:]
                out.append(f"--- {fn} ---\n" + "\n".join(lines))
        return "\n".join(out)

    def pause(self):
        """SIGSTOP by PID: an idle server's own timers and threads (cron, allocator purging, lazy
        free) stop competing for the server CPU while the other server is measured on it."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def _kill(self, timeout=10.0):
        """SIGTERM by PID, bounded wait, then SIGKILL by PID."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGCONT)  # a paused server could not act on SIGTERM
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=5)
        self.proc = None

    def cleanup(self):
        if self.dir and os.environ.get("EMBER_BENCH_KEEP_DIRS") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def stop(self):
        self._kill()
        self.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ------------------------------------------------------------------------------------------------
# redis-benchmark
# ------------------------------------------------------------------------------------------------
class paused:
    """`with lib.paused(other):` - the other server is SIGSTOPped for the block, then resumed."""

    def __init__(self, server):
        self.server = server

    def __enter__(self):
        if self.server is not None:
            self.server.pause()
        return self.server

    def __exit__(self, *exc):
        if self.server is not None:
            self.server.resume()


def parse_benchmark_csv(text):
    """redis-benchmark --csv output -> {TEST: {"rps": float, "avg_latency_ms": ..., ...}}.

    The test key is the first word of the "test" column upper-cased ("MSET (10 keys)" -> "MSET",
    "LRANGE_100 (first 100 elements)" -> "LRANGE_100"). Rows before the header are ignored."""
    lines = [ln for ln in text.splitlines() if ln.startswith('"')]
    out = {}
    header = None
    for row in csv.reader(io.StringIO("\n".join(lines))):
        if not row:
            continue
        if row[0] == "test":
            header = row
            continue
        if header is None:
            header = ["test", "rps"]
        key = row[0].split(" ")[0].upper()
        vals = {}
        for h, v in zip(header[1:], row[1:]):
            try:
                vals[h] = float(v)
            except ValueError:
                vals[h] = v
        out[key] = vals
    return out


def run_benchmark(port, tests, requests, clients=50, pipeline=1, keyspace=100000, datasize=None,
                  cpu=CLIENT_CPU, timeout=300.0, extra=None):
    """Run redis-benchmark (pinned to `cpu`) against 127.0.0.1:port; return the parsed CSV rows.

    tests: the -t argument ("set" or "lpush,rpop"). Raises BenchError on failure or timeout."""
    cmd = [REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port), "-t", tests, "-n", str(requests),
           "-c", str(clients), "-P", str(pipeline), "--csv", "-q"]
    if keyspace:
        cmd += ["-r", str(keyspace)]
    if datasize:
        cmd += ["-d", str(datasize)]
    cmd += list(extra or [])
    try:
        res = subprocess.run(pinned(cmd, cpu), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchTimeout(f"redis-benchmark -t {tests} -n {requests} timed out after {timeout}s")
    text = res.stdout.decode(errors="replace")
    rows = parse_benchmark_csv(text)
    if res.returncode != 0 or not rows:
        raise BenchError(f"redis-benchmark -t {tests} failed (exit {res.returncode}):\n"
                         f"{text[-2000:]}\n{res.stderr.decode(errors='replace')[-2000:]}")
    return rows


# ------------------------------------------------------------------------------------------------
# Bulk loading through `redis-cli --pipe` (pinned to the client CPU): the generator yields raw
# RESP bytes; redis-cli reports how many replies and errors it saw.
# ------------------------------------------------------------------------------------------------
def pipe_load(port, chunks, expect_replies=None, cpu=CLIENT_CPU, timeout=600.0):
    """Stream RESP-encoded commands (an iterable of bytes) to the server via `redis-cli --pipe`.
    Returns the number of replies. Raises BenchError if any command failed or the reply count is
    not `expect_replies` (when given)."""
    cmd = pinned([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), "--pipe",
                  "--pipe-timeout", "60"], cpu)
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
        try:
            for chunk in chunks:
                if time.monotonic() > deadline:
                    raise BenchError(f"pipe load timed out after {timeout}s")
                proc.stdin.write(chunk)
            proc.stdin.close()
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except (BrokenPipeError, subprocess.TimeoutExpired) as e:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            out.seek(0)
            raise BenchError(f"pipe load failed: {e}\n{out.read().decode(errors='replace')[-2000:]}")
        out.seek(0)
        text = out.read().decode(errors="replace")
    errors, replies = None, None
    for ln in text.splitlines():
        if "errors:" in ln and "replies:" in ln:
            parts = ln.replace(",", " ").split()
            errors = int(parts[parts.index("errors:") + 1])
            replies = int(parts[parts.index("replies:") + 1])
    if proc.returncode != 0 or errors is None or errors != 0:
        raise BenchError(f"pipe load failed (exit {proc.returncode}):\n{text[-2000:]}")
    if expect_replies is not None and replies != expect_replies:
        raise BenchError(f"pipe load: {replies} replies, expected {expect_replies}")
    return replies


# ------------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------------
def median(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def paired_ratios(a_values, b_values):
    """Per-round ratios a/b (None where b is 0 or either value is missing)."""
    out = []
    for a, b in zip(a_values, b_values):
        out.append(a / b if a is not None and b else None)
    return out


def spread(values):
    """(min, max) of the non-missing values, or (None, None)."""
    vals = [v for v in values if v is not None]
    return (min(vals), max(vals)) if vals else (None, None)


def round_orders(rounds, first="A"):
    """Alternating order of the pair in each round: [("A","B"), ("B","A"), ...]."""
    a, b = ("A", "B") if first == "A" else ("B", "A")
    return [(a, b) if r % 2 == 0 else (b, a) for r in range(rounds)]


# ------------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------------
def fmt_num(v, digits=0):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def fmt_ratio(v):
    return "-" if v is None else f"{v:.3f}"


def pass_fail(value, target, higher_is_better=True):
    if value is None or target is None:
        return "-"
    ok = value >= target if higher_is_better else value <= target
    return "PASS" if ok else "FAIL"


def print_table(title, headers, rows, out=sys.stdout):
    """Fixed-width table: first column left-aligned, the rest right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r):
        return "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i])
                         for i, c in enumerate(r))
    print(f"\n== {title} ==", file=out)
    print(line(cells[0]), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in cells[1:]:
        print(line(r), file=out)
    out.flush()


def emit_json(bench, payload, out=sys.stdout):
    """The final machine-readable line: `BENCH_JSON {"bench": ..., ...}`."""
    doc = {"bench": bench}
    doc.update(payload)
    print("BENCH_JSON " + json.dumps(doc, sort_keys=True, separators=(",", ":")), file=out)
    out.flush()


def add_common_args(parser):
    """Options shared by every benchmark script."""
    parser.add_argument("--ember", default=os.environ.get("EMBER_SERVER", "build/ember-server"),
                        help="server A binary (default: build/ember-server)")
    parser.add_argument("--redis", default=REDIS_SERVER,
                        help=f"server B (reference) binary (default: {REDIS_SERVER})")
    parser.add_argument("--name-a", default="ember", help="label of server A")
    parser.add_argument("--name-b", default="redis", help="label of server B")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (pairs) to run")
    parser.add_argument("--quick", action="store_true", help="fewer rounds / shorter runs")
    parser.add_argument("--server-cpu", type=int, default=SERVER_CPU)
    parser.add_argument("--client-cpu", type=int, default=CLIENT_CPU)
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 2 when any target is missed")
    parser.add_argument("--json-out", default=None, help="also write the JSON result to this file")
    return parser


def write_json_file(path, bench, payload):
    if not path:
        return
    doc = {"bench": bench}
    doc.update(payload)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)


def finish(bench, args, payload, missed):
    """Ends a benchmark's main(): writes --json-out, prints the BENCH_JSON line and returns the exit
    status: 2 when a target was missed under --strict, else 0."""
    write_json_file(args.json_out, bench, payload)
    emit_json(bench, payload)
    return 2 if (missed and args.strict) else 0


def run_main(main, bench):
    """Runs a script's main() and exits with its status (None counts as 0). A BenchError is logged as
    `<bench>: error: ...` and exits 1; Ctrl-C exits 130."""
    try:
        sys.exit(main())
    except BenchError as e:
        log(f"{bench}: error: {e}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
