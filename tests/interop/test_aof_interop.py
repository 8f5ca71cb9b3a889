"""AOF round trips with Debian's Redis 7.0.15 tools:

  * Debian's redis-check-aof accepts the AOF directory Ember writes (RDB-preamble base after a
    BGREWRITEAOF, incr files with every kind of propagated command);
  * Debian's redis-server loads that directory, and every value matches Ember's;
  * Ember loads a directory written by redis-server (an RDB-preamble base from a Redis rewrite, then
    an incr file), with the same values.

Every type travels both in the base (RDB preamble, or commands with aof-use-rdb-preamble no) and in
the incr files. Values are compared one by one (type, value, TTL) instead of with DEBUG DIGEST, which
Ember's DEBUG does not offer yet."""
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import EmberServer, RedisServer, target_is_redis

REDIS_CHECK_AOF = shutil.which("redis-check-aof") or "/usr/bin/redis-check-aof"


def wait_rewrite(r, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        i = r.info("persistence")
        if i["aof_rewrite_in_progress"] == 0 and i["aof_rewrite_scheduled"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("rewrite did not finish")


def fill_strings(r):
    for i in range(300):
        r.set(f"s:{i}", f"value-{i}" * (1 + i % 7))
    r.set("int", 12345)
    r.set("ttl", "x", ex=10000)
    r.set("ttl-ms", "y", px=9000000)
    r.incrbyfloat("float", 2.5)


def fill_more(srv):
    r = srv.client()
    r.append("s:1", "-appended")
    r.delete("s:2")
    r.expire("s:3", 5000)
    r3 = srv.client(db=3)
    r3.set("db3", "three")
    p = r.pipeline(transaction=True)
    p.set("tx1", "a")
    p.set("tx2", "b")
    p.execute()


def fill_aggregates(r, prefix=""):
    r.rpush(prefix + "big-list", *[f"element-{i}" for i in range(300)])
    r.sadd(prefix + "set", *[f"m{i}" for i in range(100)])
    r.sadd(prefix + "intset", *range(50))
    r.hset(prefix + "big-hash", mapping={f"field-{i}": "x" * (i % 80) for i in range(200)})
    r.zadd(prefix + "big-zset", {f"z{i}": i / 7 for i in range(200)})
    r.rpush("list", *[f"e{i}" for i in range(50)])
    r.lpop("list")
    r.hset("hash", mapping={f"f{i}": str(i) for i in range(30)})
    r.hincrbyfloat("hash", "f1", 0.25)
    r.zadd("zset", {f"m{i}": i * 1.5 for i in range(40)})
    r.zpopmin("zset")


def snapshot(srv):
    """Every key of dbs 0 and 3 with type, value and TTL (ms, rounded to 10 s)."""
    out = {}
    for db in (0, 3):
        r = srv.client(db=db)
        for k in r.scan_iter(count=1000):
            t = r.type(k)
            if t == b"string":
                v = r.get(k)
            elif t == b"list":
                v = r.lrange(k, 0, -1)
            elif t == b"hash":
                v = sorted(r.hgetall(k).items())
            elif t == b"zset":
                v = r.zrange(k, 0, -1, withscores=True)
            elif t == b"set":
                v = sorted(r.smembers(k))
            else:
                v = None
            pttl = r.pttl(k)
            out[(db, k)] = (t, v, -1 if pttl < 0 else pttl // 10000)
    return out


@unittest.skipIf(target_is_redis(), "interop tests compare Ember with Redis themselves")
class AofInteropTest(unittest.TestCase):

    def check_embers_aof(self, preamble):
        cfg = {"appendonly": "yes", "appendfsync": "always", "aof-use-rdb-preamble": preamble}
        with EmberServer(config=cfg) as ember:
            r = ember.client()
            fill_strings(r)
            fill_aggregates(r, prefix="base:")
            r.bgrewriteaof()
            wait_rewrite(r)
            fill_more(ember)
            fill_aggregates(r)
            r.spop("set")
            r.spop("set", 3)
            expect = snapshot(ember)
            ember.stop()
            d = os.path.join(ember.dir, "appendonlydir")
            p = subprocess.run([REDIS_CHECK_AOF, os.path.join(d, "appendonly.aof.manifest")],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("All AOF files and manifest are valid", p.stdout)
            if preamble == "yes":
                self.assertIn("RDB preamble is OK", p.stdout)
            rdir = tempfile.mkdtemp(prefix="redis-aof-interop-")
            try:
                shutil.copytree(d, os.path.join(rdir, "appendonlydir"))
                with RedisServer(config={"appendonly": "yes"}, dir=rdir) as redis_srv:
                    self.assertEqual(snapshot(redis_srv), expect)
            finally:
                shutil.rmtree(rdir, ignore_errors=True)

    def test_redis_check_aof_and_redis_server_accept_embers_aof(self):
        self.check_embers_aof("yes")

    def test_same_with_a_commands_base(self):
        self.check_embers_aof("no")

    def test_ember_loads_an_aof_directory_written_by_redis(self):
        with RedisServer(config={"appendonly": "yes", "appendfsync": "always"}) as redis_srv:
            r = redis_srv.client()
            fill_strings(r)
            r.bgrewriteaof()
            wait_rewrite(r)
            fill_more(redis_srv)
            fill_aggregates(r, prefix="pre:")
            r.bgrewriteaof()          # a second base, now with every type in its RDB preamble
            wait_rewrite(r)
            fill_aggregates(r)
            expect = snapshot(redis_srv)
            redis_srv.stop()
            d = os.path.join(redis_srv.dir, "appendonlydir")
            edir = tempfile.mkdtemp(prefix="ember-aof-interop-")
            try:
                shutil.copytree(d, os.path.join(edir, "appendonlydir"))
                with EmberServer(config={"appendonly": "yes"}, dir=edir) as ember:
                    self.assertEqual(snapshot(ember), expect)
                    er = ember.client()
                    # Ember keeps appending to Redis's incr file; Redis's checker still agrees.
                    er.set("from-ember", "1")
                    ember.stop()
                    p = subprocess.run(
                        [REDIS_CHECK_AOF, os.path.join(edir, "appendonlydir", "appendonly.aof.manifest")],
                        capture_output=True, text=True, timeout=60)
                    self.assertEqual(p.returncode, 0, p.stdout)
            finally:
                shutil.rmtree(edir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
