"""Test harness: start ember-server (or Debian's redis-server) on a free loopback port in a temporary
directory, talk to it with redis-py / redis-cli, stop it by its own PID.

    with EmberServer(config={"maxmemory": "10mb"}) as srv:
        r = srv.client()            # redis.Redis, decode_responses=False
        r.set("k", "v")
        srv.cli("GET", "k")         # redis-cli against the server; returns stdout

Every wait is bounded in time. Servers listen on 127.0.0.1 only.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import redis

ROOT = os.environ.get("EMBER_ROOT", os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("EMBER_BUILD", os.path.join(ROOT, "build"))
REDIS_BIN = shutil.which("redis-server") or "/usr/bin/redis-server"
# EMBER_TEST_TARGET=redis runs the Ember tests against Debian's redis-server instead: that is how a
# test is validated against the reference before Ember implements the feature.
TARGET = os.environ.get("EMBER_TEST_TARGET", "ember")
EMBER_BIN = REDIS_BIN if TARGET == "redis" else os.path.join(BUILD, "ember-server")
LONG = os.environ.get("EMBER_LONG_TESTS") == "1"
# "address" / "undefined" when EMBER_BUILD is a sanitizer build (build-address, build-undefined):
# each server's sanitizer reports are then collected (see Server), and allocator- or
# timing-dependent bounds may test it.
SANITIZER = next((s for s in ("address", "undefined")
                  if os.path.basename(os.path.normpath(BUILD)) == f"build-{s}"), None)
if TARGET == "redis":
    SANITIZER = None


class SanitizerReport(AssertionError):
    pass


def free_port():
    """A loopback port that was free a moment ago (bind to 0, read it, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    binary = EMBER_BIN
    name = "ember"

    def __init__(self, config=None, args=None, dir=None, port=None, wait=True, keep_dir=False):
        self.config = dict(config or {})
        self.extra_args = list(args or [])
        self.own_dir = dir is None
        self.dir = dir or tempfile.mkdtemp(prefix=f"{self.name}-test-")
        self.port = port or free_port()
        self.proc = None
        self.wait = wait
        self.keep_dir = keep_dir
        self.logfile = os.path.join(self.dir, "server.log")

    # -- lifecycle ------------------------------------------------------------------------------
    def conf_lines(self):
        base = {"bind": "127.0.0.1", "port": str(self.port), "dir": self.dir,
                "logfile": self.logfile, "save": '""', "enable-debug-command": "yes"}
        base.update({k: str(v) for k, v in self.config.items()})
        return [f"{k} {v}" for k, v in base.items()]

    def start(self, write_conf=True):
        """Starts the server. With write_conf=False the existing test.conf is reused (a restart
        after CONFIG REWRITE). A server that does not become ready is stopped before raising."""
        conf = os.path.join(self.dir, "test.conf")
        if write_conf or not os.path.exists(conf):
            with open(conf, "w") as f:
                f.write("\n".join(self.conf_lines()) + "\n")
        self.proc = subprocess.Popen([self.binary, conf] + self.extra_args, cwd=self.dir,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=self.sanitizer_env())
        if self.wait:
            try:
                self.wait_ready()
            except Exception:
                self.stop(sig=signal.SIGKILL)
                raise
        return self

    def wait_ready(self, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            try:
                r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2,
                                password=self.config.get("requirepass") or None)
                if r.ping():
                    r.close()
                    return
            except redis.exceptions.BusyLoadingError:
                pass
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.log()}")

    # -- sanitizer builds ---------------------------------------------------------------------
    # The server's stdout/stderr go to an unread pipe, so under a sanitizer build each report is
    # written to <dir>/sanitizer.<pid> instead (forked children included) and stop() raises
    # SanitizerReport with it: a memory error or leak fails the test that stopped the server.
    def sanitizer_env(self):
        if SANITIZER is None or self.binary != EMBER_BIN:
            return None
        env = dict(os.environ)
        log = os.path.join(self.dir, "sanitizer")
        for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            env[var] = ":".join(filter(None, [env.get(var, ""), f"log_path={log}"]))
        return env

    def check_sanitizer_reports(self):
        if SANITIZER is None or not os.path.isdir(self.dir):
            return
        reports = []
        for name in sorted(os.listdir(self.dir)):
            if name.startswith("sanitizer."):
                path = os.path.join(self.dir, name)
                with open(path, errors="replace") as f:
                    reports.append(f"--- {name}\n{f.read()[-20000:]}")
                os.rename(path, os.path.join(self.dir, "reported-" + name))
        if reports:
            raise SanitizerReport(f"{SANITIZER} sanitizer report(s) from {self.name} in {self.dir}:\n"
                                  + "\n".join(reports))

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        """Stops the server by its PID; returns the exit code. Under a sanitizer build, raises
        SanitizerReport (after stopping) if the server or a child of it reported an error."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
        rc = self.proc.returncode
        self.proc = None
        self.check_sanitizer_reports()
        return rc

    def kill9(self):
        return self.stop(sig=signal.SIGKILL)

    def cleanup(self):
        try:
            self.stop()
            self.check_sanitizer_reports()   # a server that was already stopped (or killed)
        finally:
            if self.own_dir and not self.keep_dir:
                shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- clients --------------------------------------------------------------------------------
    def client(self, **kw):
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def sock(self, timeout=5.0):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        return s

    def cli(self, *args, stdin=None, timeout=30):
        cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port)] + [str(a) for a in args]
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
        return p.stdout

    def log(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, needle, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.log():
                return True
            time.sleep(0.05)
        return False


class EmberServer(Server):
    binary = EMBER_BIN
    name = "ember"

    def conf_lines(self):
        lines = super().conf_lines()
        if TARGET == "redis":
            # Directives only Ember knows are dropped when validating against Redis.
            lines = [l for l in lines if not l.startswith(("aof-io-uring",))]
        return lines


def target_is_redis():
    return TARGET == "redis"


class RedisServer(Server):
    """Debian's redis-server, the reference."""
    binary = REDIS_BIN
    name = "redis"


def raw_command(sock, payload, timeout=2.0, until=None):
    """Sends bytes, returns what arrives within `timeout` (or once `until` bytes are seen)."""
    sock.sendall(payload)
    sock.settimeout(timeout)
    data = b""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        if until is not None and until in data:
            break
    return data


class ServerTestCase(unittest.TestCase):
    """One Ember server per test class; `self.r` is a client, flushed before each test."""
    server_config = {}

    @classmethod
    def setUpClass(cls):
        cls.server = EmberServer(config=cls.server_config).start()
        # Runs even when a subclass's setUpClass fails after this point (tearDownClass would not).
        cls.addClassCleanup(cls.server.cleanup)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.r = self.server.client()
        self.r.flushall()

    def tearDown(self):
        self.r.close()

    def assertError(self, text, fn, *args, **kw):
        """Asserts fn raises a redis error whose message is exactly `text` (without the leading '-')."""
        with self.assertRaises(redis.exceptions.ResponseError) as cm:
            fn(*args, **kw)
        self.assertEqual(str(cm.exception), text)

    def raw(self):
        """A RawConn to the server, closed when the test ends."""
        c = RawConn(self.server.port)
        self.addCleanup(c.close)
        return c


class RawServerTestCase(ServerTestCase):
    """A ServerTestCase that also opens `self.c`, a RawConn, for each test; `self.call(*args)` sends a
    command on it and returns the raw reply bytes."""

    def setUp(self):
        super().setUp()
        self.c = self.raw()

    def call(self, *args):
        return self.c.call(*args)


def encode_command(*args):
    """RESP multibulk encoding of a command."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawConn:
    """A plain socket that sends commands and reads exactly one RESP reply as raw bytes, so tests can
    compare replies (error texts included) byte for byte with Redis."""

    def __init__(self, port, timeout=5.0):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.s.close()

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[:i + 2], self.buf[i + 2:]
        return line

    def _reply(self):
        line = self._line()
        t = line[:1]
        if t in (b"+", b"-", b":", b",", b"_", b"#", b"("):
            return line
        if t in (b"$", b"=", b"!"):
            n = int(line[1:-2])
            if n < 0:
                return line
            while len(self.buf) < n + 2:
                self._fill()
            body, self.buf = self.buf[:n + 2], self.buf[n + 2:]
            return line + body
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(line[1:-2])
            if n < 0:
                return line
            if t in (b"%", b"|"):
                n *= 2
            return line + b"".join(self._reply() for _ in range(n))
        raise ValueError(f"bad reply start {line!r}")

    def call(self, *args):
        self.s.sendall(encode_command(*args))
        return self._reply()

    def send_raw(self, data):
        self.s.sendall(data)

    def read_reply(self):
        return self._reply()
