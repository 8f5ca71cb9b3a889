"""AOF persistence, black box: the multi-part layout, what is logged (as Redis propagates it), loading
at start-up, BGREWRITEAOF, CONFIG SET appendonly, truncated tails, corrupt files and manifests, the
Redis 6 single-file upgrade, timestamps and INFO persistence.

Validated against Redis 7.0.15 (EMBER_TEST_TARGET=redis) except where a test says it is Ember's."""
import os
import shutil
import signal
import subprocess
import threading
import time
import unittest

import redis

from harness import BUILD, EmberServer, RawConn, encode_command, target_is_redis
from .aof_util import (aof_dir, incr_commands, incr_path, parse_commands, read_manifest,
                       upper_cmds, wait_for, wait_rewrite_done)

AOF = {"appendonly": "yes", "appendfsync": "always"}


def aof_server(config=None, **kw):
    """An Ember (or Redis) server with the AOF on, not started (for `with`)."""
    cfg = dict(AOF)
    cfg.update(config or {})
    return EmberServer(config=cfg, **kw)


def start(config=None, **kw):
    return aof_server(config, **kw).start()


def restart(srv, config=None, expect_fail=False):
    srv.stop()
    cfg = dict(srv.config)
    cfg.update(config or {})
    srv2 = EmberServer(config=cfg, dir=srv.dir, port=srv.port, wait=not expect_fail)
    srv2.own_dir = True
    srv.own_dir = False
    srv2.start()
    return srv2


class AofLayoutTest(unittest.TestCase):

    def test_startup_creates_base_incr_and_manifest(self):
        with aof_server() as srv:
            d = aof_dir(srv)
            rows = read_manifest(d)
            self.assertEqual(rows, [("appendonly.aof.1.base.rdb", 1, "b"),
                                    ("appendonly.aof.1.incr.aof", 1, "i")])
            self.assertTrue(os.path.exists(os.path.join(d, "appendonly.aof.1.base.rdb")))
            with open(os.path.join(d, "appendonly.aof.1.base.rdb"), "rb") as f:
                self.assertEqual(f.read(5), b"REDIS")
            r = srv.client()
            i = r.info("persistence")
            self.assertEqual(i["aof_enabled"], 1)
            self.assertEqual(i["aof_last_write_status"], "ok")
            for f in ("aof_current_size", "aof_base_size", "aof_pending_rewrite", "aof_buffer_length",
                      "aof_pending_bio_fsync", "aof_delayed_fsync"):
                self.assertIn(f, i)
            if not target_is_redis():
                self.assertIn(i["aof_writer"], ("io_uring", "threaded"))

    def test_base_without_rdb_preamble_is_base_aof(self):
        with aof_server({"aof-use-rdb-preamble": "no"}) as srv:
            rows = read_manifest(aof_dir(srv))
            self.assertEqual(rows[0], ("appendonly.aof.1.base.aof", 1, "b"))

    def test_writes_survive_a_restart(self):
        srv = start()
        try:
            r = srv.client()
            r.set("a", "1")
            r.set("b", "x" * 1000)
            r.incr("n")
            r.incrby("n", 41)
            r.append("a", "23")
            r.execute_command("SELECT", 5)
            srv.cli("-n", "5", "SET", "in5", "v")
            r.delete("gone")
            r.set("gone", "1")
            r.delete("gone")
            srv = restart(srv)
            r = srv.client()
            self.assertEqual(r.get("a"), b"123")
            self.assertEqual(r.get("b"), b"x" * 1000)
            self.assertEqual(r.get("n"), b"42")
            self.assertIsNone(r.get("gone"))
            self.assertEqual(srv.client(db=5).get("in5"), b"v")
        finally:
            srv.cleanup()


class AofPropagationTest(unittest.TestCase):
    """What the incr file holds after each command (Redis's propagation rules)."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.cleanup()

    def setUp(self):
        self.r = self.srv.client()
        self.r.flushall()

    def tail_after(self, fn):
        before = len(incr_commands(self.srv))
        fn()
        return incr_commands(self.srv)[before:]

    def test_relative_expiries_become_absolute(self):
        now = int(time.time() * 1000)
        cmds = self.tail_after(lambda: self.r.set("k", "v", ex=100))
        self.assertEqual(len(cmds), 1)
        self.assertEqual(cmds[0][:4], [b"SET", b"k", b"v", b"PXAT"])
        self.assertAlmostEqual(int(cmds[0][4]), now + 100000, delta=5000)
        for call, name in ((lambda: self.r.expire("k", 50), "EXPIRE"),
                           (lambda: self.r.pexpire("k", 50000), "PEXPIRE"),
                           (lambda: self.r.expireat("k", int(time.time()) + 50), "EXPIREAT")):
            cmds = self.tail_after(call)
            self.assertEqual(len(cmds), 1, name)
            self.assertEqual(cmds[0][:2], [b"PEXPIREAT", b"k"], name)
            self.assertAlmostEqual(int(cmds[0][2]), now + 50000, delta=5000)
        cmds = self.tail_after(lambda: self.r.setex("s", 100, "v"))
        self.assertEqual(cmds[0][:4], [b"SET", b"s", b"v", b"PXAT"])
        cmds = self.tail_after(lambda: self.r.psetex("s", 100000, "v"))
        self.assertEqual(cmds[0][:4], [b"SET", b"s", b"v", b"PXAT"])
        cmds = self.tail_after(lambda: self.r.getex("s", ex=30))
        self.assertEqual(cmds[0][:2], [b"PEXPIREAT", b"s"])
        cmds = self.tail_after(lambda: self.r.getex("s", persist=True))
        self.assertEqual(cmds, [[b"PERSIST", b"s"]])
        # An absolute time in the past deletes the key: propagated as DEL.
        cmds = self.tail_after(lambda: self.r.expireat("s", 1))
        self.assertEqual(cmds, [[b"DEL", b"s"]])

    def test_nondeterministic_commands_are_logged_by_effect(self):
        cmds = self.tail_after(lambda: self.r.incrbyfloat("f", 1.5))
        self.assertEqual(cmds, [[b"SET", b"f", b"1.5", b"KEEPTTL"]])
        cmds = self.tail_after(lambda: self.r.getset("f", "2"))
        self.assertEqual(cmds, [[b"SET", b"f", b"2"]])
        cmds = self.tail_after(lambda: self.r.getdel("f"))
        self.assertEqual(cmds, [[b"DEL", b"f"]])
        self.r.hset("h", "a", "1")
        cmds = self.tail_after(lambda: self.r.hincrbyfloat("h", "a", 0.5))
        self.assertEqual(cmds, [[b"HSET", b"h", b"a", b"1.5"]])

    def test_blocking_and_multi_pops_are_logged_non_blocking(self):
        self.r.rpush("l", "a", "b", "c", "d")
        cmds = self.tail_after(lambda: self.r.blpop(["l"], 1))
        self.assertEqual(cmds, [[b"LPOP", b"l"]])
        cmds = self.tail_after(lambda: self.r.execute_command("LMPOP", 1, "l", "RIGHT", "COUNT", 2))
        self.assertEqual(cmds, [[b"RPOP", b"l", b"2"]])
        cmds = self.tail_after(lambda: self.r.blmove("l", "l2", 1, "LEFT", "RIGHT"))
        self.assertEqual(cmds, [[b"LMOVE", b"l", b"l2", b"LEFT", b"RIGHT"]])
        self.r.zadd("z", {"a": 1, "b": 2})
        cmds = self.tail_after(lambda: self.r.bzpopmin(["z"], 1))
        self.assertEqual(cmds[0][:2], [b"ZPOPMIN", b"z"])
        self.r.sadd("s", "a", "b", "c", "d")
        popped = []
        cmds = self.tail_after(lambda: popped.append(self.r.spop("s")))
        self.assertEqual(cmds, [[b"SREM", b"s", popped[0]]])
        cmds = self.tail_after(lambda: popped.extend(self.r.spop("s", 2)))
        # Ember: one SREM with both members; Redis 7.0: one SREM each, inside MULTI/EXEC.
        srem = [c for c in cmds if c[0] not in (b"MULTI", b"EXEC")]
        self.assertTrue(all(c[:2] == [b"SREM", b"s"] for c in srem), cmds)
        self.assertEqual(sorted(m for c in srem for m in c[2:]), sorted(popped[1:]))
        cmds = self.tail_after(lambda: self.r.spop("s", 5))
        self.assertEqual(cmds, [[b"DEL", b"s"]])

    def test_failed_and_read_only_commands_are_not_logged(self):
        self.r.set("k", "v")
        cmds = self.tail_after(lambda: (self.r.get("k"), self.r.exists("k"), self.r.delete("nokey"),
                                        self.r.set("k2", "v", nx=True) and self.r.set("k2", "v", nx=True)))
        self.assertEqual(cmds, [[b"SET", b"k2", b"v", b"NX"]])

    def test_transactions_are_wrapped_and_select_follows_the_db(self):
        def tx():
            p = self.r.pipeline(transaction=True)
            p.set("x", "1")
            p.execute_command("INCR", "x")
            p.execute()
        cmds = self.tail_after(tx)
        self.assertEqual(cmds, [[b"MULTI"], [b"SET", b"x", b"1"], [b"INCR", b"x"], [b"EXEC"]])
        # A transaction with a single write is logged without MULTI/EXEC.
        def tx1():
            p = self.r.pipeline(transaction=True)
            p.get("x")
            p.set("y", "1")
            p.execute()
        self.assertEqual(self.tail_after(tx1), [[b"SET", b"y", b"1"]])
        r3 = self.srv.client(db=3)
        cmds = self.tail_after(lambda: (r3.set("in3", "v"), self.r.set("in0", "v")))
        self.assertEqual(cmds, [[b"SELECT", b"3"], [b"SET", b"in3", b"v"], [b"SELECT", b"0"],
                                [b"SET", b"in0", b"v"]])

    def test_expired_keys_are_logged_as_del(self):
        def expire():
            self.r.set("e", "v", px=50)
            time.sleep(0.2)
            self.assertIsNone(self.r.get("e"))
        # Deleted lazily by the GET or by the active expiry cycle: either way logged as DEL.
        cmds = self.tail_after(expire)
        self.assertEqual(cmds[0][:4], [b"SET", b"e", b"v", b"PXAT"])
        self.assertEqual(cmds[1:], [[b"DEL", b"e"]])


class AofRewriteTest(unittest.TestCase):

    def test_bgrewriteaof_installs_a_new_base_and_removes_history(self):
        srv = start()
        try:
            r = srv.client()
            for i in range(200):
                r.set(f"k{i}", i)
            r.set("ttl", "v", ex=1000)
            self.assertEqual(r.bgrewriteaof(), True)
            wait_rewrite_done(r)
            d = aof_dir(srv)
            rows = wait_for(lambda: read_manifest(d) if len(read_manifest(d)) == 2 else None)
            self.assertEqual(rows, [("appendonly.aof.2.base.rdb", 2, "b"),
                                    ("appendonly.aof.2.incr.aof", 2, "i")])
            self.assertTrue(wait_for(lambda: sorted(os.listdir(d)) == [
                "appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof",
                "appendonly.aof.manifest"]), os.listdir(d))
            i = r.info("persistence")
            self.assertEqual(i["aof_last_bgrewrite_status"], "ok")
            self.assertGreaterEqual(i["aof_rewrites"], 1)
            r.set("after", "rewrite")
            srv = restart(srv)
            r = srv.client()
            self.assertEqual(r.get("k199"), b"199")
            self.assertEqual(r.get("after"), b"rewrite")
            self.assertGreater(r.ttl("ttl"), 900)
        finally:
            srv.cleanup()

    def test_rewrite_without_preamble_writes_commands(self):
        srv = start({"aof-use-rdb-preamble": "no"})
        try:
            r = srv.client()
            r.set("a", "1")
            r.set("b", "2", ex=1000)
            srv.client(db=2).set("c", "3")
            r.bgrewriteaof()
            wait_rewrite_done(r)
            d = aof_dir(srv)
            base = wait_for(lambda: [f for f, s, t in read_manifest(d) if t == "b" and s == 2])
            self.assertEqual(base, ["appendonly.aof.2.base.aof"])
            with open(os.path.join(d, base[0]), "rb") as f:
                cmds = upper_cmds(parse_commands(f.read()))
            names = [c[0] for c in cmds]
            self.assertIn(b"SELECT", names)
            self.assertIn([b"SET", b"a", b"1"], cmds)
            self.assertTrue(any(c[0] == b"PEXPIREAT" and c[1] == b"b" for c in cmds))
            srv = restart(srv)
            self.assertEqual(srv.client(db=2).get("c"), b"3")
            self.assertGreater(srv.client().ttl("b"), 900)
        finally:
            srv.cleanup()

    def test_bgrewriteaof_while_bgsave_is_scheduled(self):
        with aof_server() as srv:
            r = srv.client()
            r.set("k", "v")
            c = RawConn(srv.port)
            # Pipelined: the BGSAVE child certainly exists when BGREWRITEAOF runs.
            c.send_raw(encode_command("BGSAVE") + encode_command("BGREWRITEAOF"))
            self.assertEqual(c.read_reply(), b"+Background saving started\r\n")
            self.assertEqual(c.read_reply(), b"+Background append only file rewriting scheduled\r\n")
            c.close()
            wait_rewrite_done(r, timeout=60)
            self.assertTrue(wait_for(lambda: r.info("persistence")["aof_rewrites"] >= 1))
            self.assertEqual(r.info("persistence")["aof_last_bgrewrite_status"], "ok")
            # Inside MULTI it is scheduled too.
            p = r.pipeline(transaction=True)
            p.execute_command("BGREWRITEAOF")
            p.execute()
            wait_rewrite_done(r, timeout=60)

    def test_config_set_appendonly_yes_creates_the_first_base(self):
        srv = EmberServer(config={"appendonly": "no"}).start()
        try:
            r = srv.client()
            r.set("before", "1")
            self.assertTrue(r.config_set("appendonly", "yes"))
            wait_rewrite_done(r)
            d = aof_dir(srv)
            rows = wait_for(lambda: read_manifest(d) if os.path.exists(
                os.path.join(d, "appendonly.aof.manifest")) else None)
            self.assertEqual([t for _, _, t in rows], ["b", "i"])
            self.assertEqual(r.info("persistence")["aof_enabled"], 1)
            r.set("after", "2")
            srv = restart(srv, {"appendonly": "yes"})
            r = srv.client()
            self.assertEqual(r.get("before"), b"1")
            self.assertEqual(r.get("after"), b"2")
            # appendonly no stops logging.
            r.config_set("appendonly", "no")
            self.assertEqual(r.info("persistence")["aof_enabled"], 0)
        finally:
            srv.cleanup()


class AofLoadErrorsTest(unittest.TestCase):

    def make_truncated(self, extra):
        srv = start()
        r = srv.client()
        r.set("a", "1")
        r.set("b", "2")
        srv.stop()
        with open(incr_path(srv), "ab") as f:
            f.write(extra)
        return srv

    def test_truncated_tail_loads_with_aof_load_truncated_yes(self):
        srv = self.make_truncated(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1")
        try:
            size_before = os.path.getsize(incr_path(srv))
            srv = restart(srv, {"aof-load-truncated": "yes"})
            r = srv.client()
            self.assertEqual(r.get("b"), b"2")
            self.assertIsNone(r.get("c"))
            self.assertLess(os.path.getsize(incr_path(srv)), size_before)
            self.assertTrue(srv.wait_log("loaded anyway because aof-load-truncated is enabled"))
        finally:
            srv.cleanup()

    def test_truncated_tail_refused_with_aof_load_truncated_no(self):
        srv = self.make_truncated(b"*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1")
        try:
            srv = restart(srv, {"aof-load-truncated": "no"}, expect_fail=True)
            self.assertIsNotNone(wait_for(lambda: srv.proc.poll() is not None, 10))
            self.assertNotEqual(srv.proc.returncode, 0)
            self.assertIn("Unexpected end of file reading the append only file", srv.log())
        finally:
            srv.cleanup()

    def test_unfinished_multi_is_reverted(self):
        srv = self.make_truncated(b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n")
        try:
            srv = restart(srv)
            self.assertIsNone(srv.client().get("c"))
            self.assertIn("Revert incomplete MULTI/EXEC transaction", srv.log())
        finally:
            srv.cleanup()

    def test_corrupt_middle_stops_startup_naming_file_and_offset(self):
        srv = start()
        try:
            r = srv.client()
            r.set("a", "1")
            srv.stop()
            path = incr_path(srv)
            with open(path, "rb") as f:
                data = f.read()
            good = len(data)
            with open(path, "wb") as f:
                f.write(data + b"garbage\r\n" + b"*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n1\r\n")
            srv = restart(srv, expect_fail=True)
            self.assertIsNotNone(wait_for(lambda: srv.proc.poll() is not None, 10))
            self.assertNotEqual(srv.proc.returncode, 0)
            log = srv.log()
            self.assertIn("Bad file format reading the append only file", log)
            if not target_is_redis():
                self.assertIn(f"appendonly.aof.1.incr.aof at offset {good}", log)
        finally:
            srv.cleanup()

    def test_bad_manifest_stops_startup(self):
        srv = start()
        try:
            srv.stop()
            with open(os.path.join(aof_dir(srv), "appendonly.aof.manifest"), "a") as f:
                f.write("file appendonly.aof.1.incr.aof seq 1 type i\n")
            srv = restart(srv, expect_fail=True)
            self.assertIsNotNone(wait_for(lambda: srv.proc.poll() is not None, 10))
            self.assertIn("Found a non-monotonic sequence number", srv.log())
        finally:
            srv.cleanup()

    def test_redis6_single_file_is_upgraded(self):
        srv = EmberServer(config={"appendonly": "no"}).start()
        try:
            srv.stop()
            with open(os.path.join(srv.dir, "appendonly.aof"), "wb") as f:
                f.write(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$3\r\nyes\r\n")
            srv = restart(srv, {"appendonly": "yes"})
            self.assertEqual(srv.client().get("old"), b"yes")
            d = aof_dir(srv)
            rows = read_manifest(d)
            self.assertEqual(rows[0], ("appendonly.aof", 1, "b"))
            self.assertTrue(os.path.exists(os.path.join(d, "appendonly.aof")))
            self.assertFalse(os.path.exists(os.path.join(srv.dir, "appendonly.aof")))
        finally:
            srv.cleanup()

    def test_aof_wins_over_rdb(self):
        srv = EmberServer(config={"appendonly": "no"}).start()
        try:
            r = srv.client()
            r.set("from", "rdb")
            r.save()
            r.config_set("appendonly", "yes")
            wait_rewrite_done(r)
            wait_for(lambda: os.path.exists(os.path.join(aof_dir(srv), "appendonly.aof.manifest")))
            r.set("from", "aof")
            srv = restart(srv, {"appendonly": "yes"})
            self.assertEqual(srv.client().get("from"), b"aof")
        finally:
            srv.cleanup()


class AofTimestampTest(unittest.TestCase):

    def test_annotations_are_written_and_skipped_on_load(self):
        srv = start({"aof-timestamp-enabled": "yes"})
        try:
            r = srv.client()
            r.set("a", "1")
            with open(incr_path(srv), "rb") as f:
                raw = parse_commands(f.read(), skip_annotations=False)
            self.assertTrue(raw[0][0].startswith(b"#TS:"), raw[:2])
            srv = restart(srv)
            self.assertEqual(srv.client().get("a"), b"1")
        finally:
            srv.cleanup()


@unittest.skipIf(target_is_redis(), "Redis exits on an AOF write error with appendfsync always")
@unittest.skipIf(not shutil.which("prlimit"), "needs prlimit(1)")
class AofWriteErrorTest(unittest.TestCase):
    """A write error (here EFBIG from a file-size limit set with prlimit on the running server):
    writes are refused with MISCONF, INFO says aof_last_write_status:err, the client whose write
    failed waits (appendfsync always), other clients still get answers; when the limit is lifted
    the retry succeeds and nothing is lost or duplicated."""

    def test_misconf_then_resume_without_loss_or_duplicates(self):
        srv = start()
        try:
            r = srv.client()
            r.set("a", "1")
            size = os.path.getsize(incr_path(srv))
            pid = str(srv.proc.pid)
            subprocess.run(["prlimit", "--pid", pid, f"--fsize={size + 100}:unlimited"], check=True)
            acked = []
            errors = []

            def writer():
                try:
                    w = srv.client(socket_timeout=30)
                    for _ in range(10):
                        acked.append(w.incr("ctr"))
                except Exception as e:  # noqa: BLE001
                    errors.append(e)
            t = threading.Thread(target=writer)
            t.start()
            r2 = srv.client()
            self.assertTrue(wait_for(lambda: r2.info("persistence")["aof_last_write_status"] == "err"))
            with self.assertRaises(redis.exceptions.ResponseError) as cm:
                r2.set("b", "2")
            self.assertEqual(str(cm.exception), "MISCONF Errors writing to the AOF file: File too large")
            self.assertEqual(r2.get("a"), b"1")  # reads are answered meanwhile
            n_before = len(acked)
            self.assertLess(n_before, 10)
            subprocess.run(["prlimit", "--pid", pid, "--fsize=unlimited:unlimited"], check=True)
            t.join(30)
            self.assertEqual(errors, [])
            self.assertEqual(acked, list(range(1, 11)))
            self.assertTrue(wait_for(lambda: r2.info("persistence")["aof_last_write_status"] == "ok"))
            self.assertTrue(r2.set("b", "2"))
            # (The error line itself cannot reach the log file: the limit applies to it too.)
            self.assertIn("AOF write error looks solved", srv.log())
            srv = restart(srv)
            r = srv.client()
            self.assertEqual(r.get("ctr"), b"10")
            self.assertEqual(r.get("b"), b"2")
        finally:
            srv.cleanup()


@unittest.skipIf(target_is_redis(), "ember-check-aof is Ember's tool")
class CheckAofToolTest(unittest.TestCase):

    def test_check_and_fix(self):
        tool = os.path.join(BUILD, "ember-check-aof")
        srv = start()
        try:
            srv.client().set("a", "1")
            srv.stop()
            manifest = os.path.join(aof_dir(srv), "appendonly.aof.manifest")
            p = subprocess.run([tool, manifest], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stdout)
            self.assertIn("All AOF files and manifest are valid", p.stdout)
            with open(incr_path(srv), "ab") as f:
                f.write(b"*2\r\n$3\r\nDEL")
            p = subprocess.run([tool, manifest], capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn("is not valid. Use the --fix option to try fixing it.", p.stdout)
            p = subprocess.run([tool, "--fix", manifest], input="n\n", capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.returncode, 1)
            self.assertIn("Aborting...", p.stdout)
            p = subprocess.run([tool, "--fix", manifest], input="y\n", capture_output=True,
                               text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stdout)
            self.assertIn("Successfully truncated AOF appendonly.aof.1.incr.aof", p.stdout)
            srv = restart(srv, {"aof-load-truncated": "no"})
            self.assertEqual(srv.client().get("a"), b"1")
        finally:
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
