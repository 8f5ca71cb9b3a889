"""Persistence of datasets shaped by random command streams, checked against redis-server 7.0.15.

The same random streams (the generators of the differential tests: lists, hashes, sets, SORT,
sorted sets, with their conversions, node splits, deletions and blocking pops) run on Ember, with
the AOF on (appendfsync always), and on Redis. Then every way the dataset leaves and re-enters a
server must keep it, compared with DEBUG DIGEST (Ember's digest is Redis's, value for value):

  1. Ember's dataset equals Redis's after the streams;
  2. DEBUG RELOAD (save + load in place) keeps it;
  3. Ember's dump.rdb loads into redis-server, and Redis's dump.rdb into Ember, to the same digest;
  4. Ember restarted from its multi-part AOF after kill -9, and redis-server started on a copy of
     that AOF directory, hold the same dataset;
  5. the same after BGREWRITEAOF (an RDB-preamble base, or a commands base) plus more writes.

Two classes: default encoding limits and tiny ones (conversions on nearly every write). Skipped when
EMBER_TEST_TARGET=redis (the test compares the two servers).
"""
import os
import random
import shutil
import tempfile
import time
import unittest

from harness import EmberServer, RawConn, RedisServer, target_is_redis
from integration import test_aggregates_diff as agg
from integration import test_zsets_diff as zs

SEEDS = int(os.environ.get("STREAM_SEEDS", "4"))
COMMANDS = 500


def run_streams(conns, seed_base):
    """The same random commands on every connection (replies are not compared here: the
    differential tests do that). Each seed writes under its own key prefix."""
    for seed in range(seed_base, seed_base + SEEDS):
        rng = random.Random(seed)
        prefix = "p%d:" % seed

        def key(name):
            return prefix + name

        for c in conns:
            c.call("SET", key("str"), "x")
            for i, v in enumerate(agg.ITEMS + agg.MEMBERS):
                if i % 3:
                    c.call("SET", key("w_" + v), str((i * 7) % 11 - 3))
                if i % 4:
                    c.call("HSET", key("hw_" + v), "f", str((i * 5) % 13))
        names = set(agg.KEYS) | set(zs.KEYS)
        for _ in range(COMMANDS):
            if rng.random() < 0.25:
                cmd = zs.random_command(rng)
            else:
                cmd = agg.random_command(rng, key)
            cmd = [prefix + a if a in names else a for a in cmd]
            if cmd[0] in ("SORT", "SORT_RO") and "STORE" in cmd:
                # Ties in hash order would store different lists (see test_aggregates_diff).
                del cmd[cmd.index("STORE"):]
            for c in conns:
                c.call(*cmd)
        # Some keys with a TTL, so the digests cover expiry times too.
        for c in conns:
            c.call("PEXPIREAT", key("l1"), "99999999999999")
            c.call("PEXPIREAT", key("h1"), "99999999999998")


def digest(conn):
    return conn.call("DEBUG", "DIGEST")


def dbsize(conn):
    return conn.call("DBSIZE")


class StreamPersistenceBase:
    limits = {}

    @classmethod
    def setUpClass(cls):
        if target_is_redis():
            raise unittest.SkipTest("compares Ember with Redis")

    def start(self, cls, config=None, dir=None):
        cfg = {"save": '""', "enable-debug-command": "yes"}
        cfg.update(self.limits)
        cfg.update(config or {})
        srv = cls(config=cfg, dir=dir).start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port, timeout=30)
        self.addCleanup(c.close)
        return srv, c

    def start_on_copy(self, cls, src_dir, names, config=None):
        """A server of `cls` whose fresh dir holds copies of `names` from src_dir."""
        d = tempfile.mkdtemp(prefix="stream-persist-")
        self.addCleanup(shutil.rmtree, d, True)
        for n in names:
            s = os.path.join(src_dir, n)
            if os.path.isdir(s):
                shutil.copytree(s, os.path.join(d, n))
            else:
                shutil.copy(s, os.path.join(d, n))
        return self.start(cls, config=config, dir=d)

    def wait_rewrite(self, c):
        deadline = time.time() + 30
        while time.time() < deadline:
            info = c.call("INFO", "persistence")
            if b"aof_rewrite_in_progress:0" in info and b"aof_rewrite_scheduled:0" in info:
                return
            time.sleep(0.05)
        self.fail("AOF rewrite did not finish")

    def test_streams_survive_every_persistence_path(self):
        aof = {"appendonly": "yes", "appendfsync": "always"}
        ember, e = self.start(EmberServer, aof)
        redis_srv, r = self.start(RedisServer)
        run_streams([e, r], 1)
        want, size = digest(r), dbsize(r)
        self.assertNotEqual(want, b"$40\r\n" + b"0" * 40 + b"\r\n")
        self.assertEqual(digest(e), want, "datasets differ after the streams")
        self.assertEqual(dbsize(e), size)

        # DEBUG RELOAD: save and load in place.
        self.assertEqual(e.call("DEBUG", "RELOAD"), b"+OK\r\n")
        self.assertEqual(digest(e), want, "DEBUG RELOAD")

        # RDB files across servers.
        self.assertEqual(e.call("SAVE"), b"+OK\r\n")
        self.assertEqual(r.call("SAVE"), b"+OK\r\n")
        _, r_from_e = self.start_on_copy(RedisServer, ember.dir, ["dump.rdb"])
        self.assertEqual(digest(r_from_e), want, "redis-server loading Ember's dump.rdb")
        _, e_from_r = self.start_on_copy(EmberServer, redis_srv.dir, ["dump.rdb"])
        self.assertEqual(digest(e_from_r), want, "Ember loading Redis's dump.rdb")

        # The AOF: Ember restarted after kill -9, and redis-server on a copy of the directory.
        ember.kill9()
        ember2, e2 = self.start(EmberServer, aof, dir=ember.dir)
        self.assertEqual(digest(e2), want, "Ember restarted from its AOF")
        _, r_aof = self.start_on_copy(RedisServer, ember.dir, ["appendonlydir"], {"appendonly": "yes"})
        self.assertEqual(digest(r_aof), want, "redis-server loading Ember's AOF directory")

        # After a rewrite (RDB preamble, then a commands base) and more writes on both servers.
        for preamble, seed_base in (("yes", 100), ("no", 200)):
            self.assertEqual(e2.call("CONFIG", "SET", "aof-use-rdb-preamble", preamble), b"+OK\r\n")
            e2.call("BGREWRITEAOF")
            self.wait_rewrite(e2)
            run_streams([e2, r], seed_base)
            want = digest(r)
            self.assertEqual(digest(e2), want, "datasets differ after more streams")
            ember2.kill9()
            ember2, e2 = self.start(EmberServer, aof, dir=ember.dir)
            self.assertEqual(digest(e2), want, "Ember restarted from a rewritten AOF, preamble " + preamble)
            _, r_aof = self.start_on_copy(RedisServer, ember.dir, ["appendonlydir"],
                                          {"appendonly": "yes"})
            self.assertEqual(digest(r_aof), want, "redis-server loading the rewritten AOF, preamble " + preamble)


class StreamPersistenceDefaultLimits(StreamPersistenceBase, unittest.TestCase):
    pass


class StreamPersistenceTinyLimits(StreamPersistenceBase, unittest.TestCase):
    limits = {"hash-max-listpack-entries": "3", "hash-max-listpack-value": "8",
              "set-max-intset-entries": "4", "list-max-listpack-size": "3",
              "zset-max-listpack-entries": "3", "zset-max-listpack-value": "8"}


if __name__ == "__main__":
    unittest.main()
