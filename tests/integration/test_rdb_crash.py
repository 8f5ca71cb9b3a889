"""Crash safety of BGSAVE: kill -9 of the server and of the BGSAVE child at random moments while
the child writes and clients keep writing. The previous dump must stay intact and load; a killed
child is a failed save (log, INFO, -MISCONF with stop-writes-on-bgsave-error) until a later
BGSAVE succeeds.

A few trials run by default; EMBER_LONG_TESTS=1 runs many more. Every trial is bounded in time and
the random moments come from a seeded generator (the seed is printed on failure).

Dataset: N keys `key:<i>` that the write load only overwrites (DBSIZE stays N), and a marker key
`epoch` set before each BGSAVE and never touched by the load, so a loaded dump shows which save it
came from.
"""
import glob
import hashlib
import os
import random
import re
import signal
import sys
import threading
import time
import unittest

import redis

from harness import LONG, EmberServer, target_is_redis

N_KEYS = 60000 if not LONG else 150000
TRIALS = 3 if not LONG else 16
MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
           "to disk. Commands that may modify the data set are disabled, because this instance is "
           "configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
           "RDB error.")


def file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class WriteLoad:
    """A thread overwriting random existing keys through a pipeline until stopped; errors (MISCONF,
    a killed server) are counted, not raised."""

    def __init__(self, port, seed):
        self.port = port
        self.rnd = random.Random(seed)
        self.stop_flag = threading.Event()
        self.writes = 0
        self.errors = 0
        self.t = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
        except Exception:
            return
        while not self.stop_flag.is_set():
            try:
                p = r.pipeline(transaction=False)
                for _ in range(100):
                    p.set(f"key:{self.rnd.randrange(N_KEYS)}", "w" * self.rnd.randrange(1, 120))
                for res in p.execute(raise_on_error=False):
                    if isinstance(res, Exception):
                        self.errors += 1
                    else:
                        self.writes += 1
            except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
                self.errors += 1
                time.sleep(0.05)
                if self.stop_flag.is_set():
                    break
        r.close()

    def __enter__(self):
        self.t.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        self.t.join(timeout=15)


@unittest.skipIf(target_is_redis(), "Ember's crash test (uses Ember's log lines)")
class BgsaveCrashTest(unittest.TestCase):
    def setUp(self):
        self.seed = int(os.environ.get("EMBER_CRASH_SEED", time.time_ns() % 1000000))
        self.rnd = random.Random(self.seed)
        # A save point makes stop-writes-on-bgsave-error apply; it never fires during the test.
        self.config = {"save": '"3600 1000000000"', "stop-writes-on-bgsave-error": "yes",
                       "rdbcompression": "no"}
        self.srv = EmberServer(config=self.config)
        self.srv.start()
        r = self.srv.client()
        p = r.pipeline(transaction=False)
        for i in range(N_KEYS):
            p.set(f"key:{i}", "v" * 100)
            if i % 5000 == 4999:
                p.execute()
        p.execute()
        r.close()

    def tearDown(self):
        self.srv.cleanup()

    def msg(self, text):
        return f"{text} (EMBER_CRASH_SEED={self.seed})\n--- log ---\n{self.srv.log()[-4000:]}"

    @property
    def dump(self):
        return os.path.join(self.srv.dir, "dump.rdb")

    def count(self, needle):
        return self.srv.log().count(needle)

    def child_pid(self):
        m = re.findall(r"Background saving started by pid (\d+)", self.srv.log())
        return int(m[-1]) if m else None

    def good_bgsave(self, r, epoch):
        """A BGSAVE that must succeed (after setting `epoch`, unless None); returns its duration in
        seconds."""
        done = self.count("Background saving terminated with success")
        if epoch is not None:
            r.set("epoch", epoch)
        t0 = time.time()
        self.assertTrue(r.bgsave())
        deadline = time.time() + 60
        while time.time() < deadline and self.count("Background saving terminated with success") == done:
            time.sleep(0.01)
        self.assertGreater(self.count("Background saving terminated with success"), done,
                           self.msg("BGSAVE did not finish"))
        return time.time() - t0

    def assert_dump_loads(self, expect_epochs):
        """Restarts the server on its directory: no temp file survives, the dump loads whole."""
        self.srv.stop(sig=signal.SIGKILL)
        leftovers = glob.glob(os.path.join(self.srv.dir, "temp-*.rdb"))
        self.srv.start(write_conf=False)
        self.assertEqual(glob.glob(os.path.join(self.srv.dir, "temp-*.rdb")), [],
                         self.msg("stale temp files were not removed"))
        if leftovers:
            self.assertIn("Removed stale temp file", self.srv.log())
        r = self.srv.client()
        self.assertEqual(r.dbsize(), N_KEYS + 1, self.msg("the dump did not load whole"))
        self.assertIn(r.get("epoch"), expect_epochs, self.msg("loaded the wrong dump"))
        r.close()

    def wait_child_gone(self, pid, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return True
            # A zombie of a killed server is reaped by init; treat state Z as gone.
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        return True
            except OSError:
                return True
            time.sleep(0.02)
        return False

    def test_kill_child_during_bgsave_keeps_the_last_dump_and_refuses_writes(self):
        r = self.srv.client()
        duration = self.good_bgsave(r, "e0")
        last_epoch = b"e0"
        killed = 0
        for trial in range(TRIALS):
            good = file_hash(self.dump)
            with WriteLoad(self.srv.port, self.seed + trial):
                r.set("epoch", f"doomed{trial}")
                ended = self.count("Background saving terminated")
                failed = self.count("Background saving terminated by signal")
                self.assertTrue(r.bgsave())
                pid = self.child_pid()
                # `duration` includes the parent noticing the child's end (cron), so a random
                # moment in it often falls after the child is done; the last trial kills at once
                # if none has killed a child yet, so the mid-save case is always exercised.
                last_chance = trial == TRIALS - 1 and killed == 0
                time.sleep(0 if last_chance else self.rnd.uniform(0, duration * 0.9))
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                deadline = time.time() + 20
                while time.time() < deadline and self.count("Background saving terminated") == ended:
                    time.sleep(0.01)
            log = self.srv.log()
            self.assertGreater(log.count("Background saving terminated"), ended,
                               self.msg("the parent did not notice the child's end"))
            if log.count("Background saving terminated by signal") == failed:
                # The child finished before the signal landed: a normal successful save.
                last_epoch = f"doomed{trial}".encode()
                self.assertTrue(r.set("ok", "1"))
                r.delete("ok")
                continue
            killed += 1
            self.assertIn("Background saving terminated by signal 9", log)
            self.assertEqual(file_hash(self.dump), good, self.msg("the last good dump changed"))
            self.assertEqual(glob.glob(os.path.join(self.srv.dir, "temp-*.rdb")), [],
                             self.msg("the killed child's temp file was left behind"))
            self.assertEqual(r.info("persistence")["rdb_last_bgsave_status"], "err")
            with self.assertRaises(redis.exceptions.ResponseError) as cm:
                r.set("blocked", "1")
            self.assertEqual(str(cm.exception), MISCONF)
            self.assertIsNone(r.get("blocked"))
            self.assertEqual(r.get("epoch"), f"doomed{trial}".encode())  # reads still work
            # Writes stay refused until a BGSAVE succeeds (that save holds the doomed epoch).
            duration = self.good_bgsave(r, None)
            last_epoch = f"doomed{trial}".encode()
            self.assertTrue(r.set("resumed", "1"), self.msg("writes did not resume"))
            r.delete("resumed")
            self.assertEqual(r.info("persistence")["rdb_last_bgsave_status"], "ok")
        r.close()
        self.assertGreater(killed, 0, self.msg("no trial killed the child mid-save"))
        print(f"\n[crash] child killed mid-save in {killed}/{TRIALS} trials, save ~{duration:.3f}s", file=sys.stderr)
        self.assert_dump_loads({last_epoch})

    def test_kill_server_during_bgsave_leaves_a_loadable_dump(self):
        r = self.srv.client()
        duration = self.good_bgsave(r, "e0")
        last_epoch = b"e0"
        r.close()
        outcomes = []
        for trial in range(TRIALS):
            good = file_hash(self.dump)
            r = self.srv.client()
            with WriteLoad(self.srv.port, self.seed + trial):
                r.set("epoch", f"n{trial}")
                self.assertTrue(r.bgsave())
                pid = self.child_pid()
                time.sleep(self.rnd.uniform(0, duration * 1.2))
                self.srv.stop(sig=signal.SIGKILL)
            r.close()
            # The orphaned child may still be writing its temp file. It never renames it (the
            # parent does), so this is the machine-crash case too; stop it as the crash would (it
            # also holds the listening socket the restarted server needs).
            if pid and not self.wait_child_gone(pid, timeout=0.05):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.assertTrue(self.wait_child_gone(pid))
            installed = file_hash(self.dump) != good
            leftovers = glob.glob(os.path.join(self.srv.dir, "temp-*.rdb"))
            outcomes.append("installed" if installed else ("torn-temp" if leftovers else "early"))
            self.srv.start(write_conf=False)
            r = self.srv.client()
            self.assertEqual(r.dbsize(), N_KEYS + 1, self.msg("the dump did not load whole"))
            self.assertEqual(r.info("persistence")["rdb_last_load_keys_loaded"], N_KEYS + 1)
            # Either the last good dump or, when the save had been installed, the new one.
            want = f"n{trial}".encode() if installed else last_epoch
            self.assertEqual(r.get("epoch"), want, self.msg("loaded the wrong dump"))
            self.assertEqual(glob.glob(os.path.join(self.srv.dir, "temp-*.rdb")), [],
                             self.msg("stale temp files were not removed"))
            if leftovers:
                self.assertIn("Removed stale temp file", self.srv.log())
            duration = self.good_bgsave(r, f"e{trial + 1}")
            last_epoch = f"e{trial + 1}".encode()
            r.close()
        print(f"\n[crash] server killed during BGSAVE: {outcomes}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
