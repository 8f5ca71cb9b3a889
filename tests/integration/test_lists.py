"""List commands (Redis 7.2 semantics), validated against Debian's redis-server with
EMBER_TEST_TARGET=redis. 7.2-only behaviour (listpack encoding, LPOS RANK range check, timeout out of
range) is asserted for Ember and skipped under Redis 7.0."""
import os
import socket
import threading
import time
import unittest

import redis

from tests.harness import EmberServer, RawConn, encode_command, target_is_redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"


class ListTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = EmberServer().start()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.r = self.server.client()
        # Keys are unique per test so the tests do not depend on FLUSHALL.
        self.p = f"{self.id().rsplit('.', 1)[-1]}:{time.monotonic_ns()}:"

    def tearDown(self):
        self.r.close()

    def k(self, name):
        return self.p + name

    def has(self, *argv):
        try:
            self.r.execute_command(*argv)
        except redis.exceptions.ResponseError as e:
            if str(e).startswith("unknown command"):
                return False
        return True

    def raw(self):
        return RawConn(self.port)

    def assertError(self, text, fn, *args):
        with self.assertRaises(redis.exceptions.ResponseError) as cm:
            fn(*args)
        self.assertEqual(str(cm.exception), text)

    def make_string(self, key):
        if not self.has("set", key, "v"):
            self.skipTest("SET not available in this build")


class TestListBasics(ListTestCase):
    def test_push_pop_range(self):
        k = self.k("l")
        self.assertEqual(self.r.rpush(k, "a", "b", "c"), 3)
        self.assertEqual(self.r.lpush(k, "x", "y"), 5)
        self.assertEqual(self.r.lrange(k, 0, -1), [b"y", b"x", b"a", b"b", b"c"])
        self.assertEqual(self.r.lpop(k), b"y")
        self.assertEqual(self.r.rpop(k), b"c")
        self.assertEqual(self.r.llen(k), 3)
        self.assertEqual(self.r.lrange(k, -100, 100), [b"x", b"a", b"b"])
        self.assertEqual(self.r.lrange(k, 2, 1), [])
        self.assertEqual(self.r.lrange(k, 5, 10), [])
        self.assertEqual(self.r.lrange(self.k("none"), 0, -1), [])

    def test_integers_come_back_as_text(self):
        k = self.k("l")
        self.r.rpush(k, "1", "-5", "9223372036854775807", "01", "12345678901")
        self.assertEqual(self.r.lrange(k, 0, -1),
                         [b"1", b"-5", b"9223372036854775807", b"01", b"12345678901"])
        self.assertEqual(self.r.lindex(k, 1), b"-5")

    def test_pushx(self):
        k = self.k("l")
        self.assertEqual(self.r.lpushx(k, "a"), 0)
        self.assertEqual(self.r.rpushx(k, "a"), 0)
        self.assertEqual(self.r.exists(k) if self.has("exists", k) else 0, 0)
        self.r.rpush(k, "m")
        self.assertEqual(self.r.lpushx(k, "a", "b"), 3)
        self.assertEqual(self.r.rpushx(k, "z"), 4)
        self.assertEqual(self.r.lrange(k, 0, -1), [b"b", b"a", b"m", b"z"])

    def test_pop_count(self):
        k = self.k("l")
        self.r.rpush(k, *"abcde")
        self.assertEqual(self.r.lpop(k, 2), [b"a", b"b"])
        self.assertEqual(self.r.rpop(k, 2), [b"e", b"d"])
        self.assertEqual(self.r.lpop(k, 0), [])
        self.assertEqual(self.r.rpop(k, 10), [b"c"])
        self.assertEqual(self.r.llen(k), 0)
        c = self.raw()
        self.assertEqual(c.call("lpop", k, 1), b"*-1\r\n")
        self.assertEqual(c.call("lpop", k), b"$-1\r\n")
        self.assertEqual(c.call("rpop", k, 0), b"*-1\r\n")
        self.assertEqual(c.call("lpop", k, -1),
                         b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(c.call("lpop", k, "x"),
                         b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(c.call("lpop", k, 1, 2),
                         b"-ERR wrong number of arguments for 'lpop' command\r\n")
        c.close()

    def test_pop_count_resp3(self):
        c = self.raw()
        if c.call("hello", "3").startswith(b"-ERR unknown command"):
            self.skipTest("HELLO not available in this build")
        self.assertEqual(c.call("lpop", self.k("none"), 1), b"_\r\n")
        self.assertEqual(c.call("lpop", self.k("none")), b"_\r\n")
        c.close()

    def test_lindex_lset(self):
        k = self.k("l")
        self.r.rpush(k, "a", "b", "c")
        self.assertEqual(self.r.lindex(k, 0), b"a")
        self.assertEqual(self.r.lindex(k, -1), b"c")
        self.assertIsNone(self.r.lindex(k, 3))
        self.assertIsNone(self.r.lindex(self.k("none"), "notanumber"))
        self.assertError("value is not an integer or out of range", self.r.lindex, k, "x")
        self.assertTrue(self.r.lset(k, -1, "C"))
        self.assertEqual(self.r.lrange(k, 0, -1), [b"a", b"b", b"C"])
        self.assertError("index out of range", self.r.lset, k, 3, "x")
        self.assertError("no such key", self.r.lset, self.k("none"), 0, "x")
        self.assertError("no such key", self.r.lset, self.k("none"), "x", "x")
        self.assertError("value is not an integer or out of range", self.r.lset, k, "x", "y")

    def test_linsert(self):
        k = self.k("l")
        self.assertEqual(self.r.linsert(k, "before", "a", "x"), 0)
        self.r.rpush(k, "a", "b")
        self.assertEqual(self.r.linsert(k, "BEFORE", "a", "0"), 3)
        self.assertEqual(self.r.linsert(k, "after", "b", "c"), 4)
        self.assertEqual(self.r.linsert(k, "after", "zz", "c"), -1)
        self.assertEqual(self.r.lrange(k, 0, -1), [b"0", b"a", b"b", b"c"])
        self.assertError("syntax error", self.r.execute_command, "linsert", k, "middle", "a", "b")

    def test_ltrim(self):
        k = self.k("l")
        self.r.rpush(k, *"abcdef")
        self.assertTrue(self.r.ltrim(k, 1, -2))
        self.assertEqual(self.r.lrange(k, 0, -1), [b"b", b"c", b"d", b"e"])
        self.assertTrue(self.r.ltrim(k, -2, 100))
        self.assertEqual(self.r.lrange(k, 0, -1), [b"d", b"e"])
        self.assertTrue(self.r.ltrim(k, 5, 1))
        self.assertEqual(self.r.llen(k), 0)
        self.assertTrue(self.r.ltrim(self.k("none"), 0, 1))
        self.assertError("value is not an integer or out of range", self.r.ltrim, k, "a", 1)

    def test_lrem(self):
        k = self.k("l")
        self.r.rpush(k, "a", "b", "a", "c", "a")
        self.assertEqual(self.r.lrem(k, -2, "a"), 2)
        self.assertEqual(self.r.lrange(k, 0, -1), [b"a", b"b", b"c"])
        self.assertEqual(self.r.lrem(k, 0, "zz"), 0)
        self.assertEqual(self.r.lrem(k, 1, "a"), 1)
        self.assertEqual(self.r.lrem(k, 0, "b"), 1)
        self.assertEqual(self.r.lrem(k, 0, "c"), 1)
        self.assertEqual(self.r.llen(k), 0)
        self.assertEqual(self.r.lrem(self.k("none"), 0, "c"), 0)
        self.assertError("value is not an integer or out of range", self.r.lrem, k, "x", "a")

    def test_lpos(self):
        k = self.k("l")
        self.r.rpush(k, "a", "b", "c", "1", "2", "3", "c", "c")
        self.assertEqual(self.r.lpos(k, "c"), 2)
        self.assertEqual(self.r.lpos(k, "c", rank=2), 6)
        self.assertEqual(self.r.lpos(k, "c", rank=-1), 7)
        self.assertEqual(self.r.lpos(k, "c", count=0), [2, 6, 7])
        self.assertEqual(self.r.lpos(k, "c", count=2, rank=-1), [7, 6])
        self.assertEqual(self.r.lpos(k, "c", count=0, maxlen=7), [2, 6])
        self.assertIsNone(self.r.lpos(k, "zz"))
        self.assertEqual(self.r.lpos(k, "zz", count=1), [])
        self.assertIsNone(self.r.lpos(self.k("none"), "a"))
        self.assertEqual(self.r.lpos(self.k("none"), "a", count=3), [])
        self.assertIsNone(self.r.lpos(k, "c", maxlen=2))
        ex = self.r.execute_command
        self.assertError("RANK can't be zero: use 1 to start from the first match, 2 from the "
                         "second ... or use negative to start from the end of the list",
                         ex, "lpos", k, "a", "rank", 0)
        self.assertError("COUNT can't be negative", ex, "lpos", k, "a", "count", -1)
        self.assertError("COUNT can't be negative", ex, "lpos", k, "a", "count", "x")
        self.assertError("MAXLEN can't be negative", ex, "lpos", k, "a", "maxlen", -1)
        self.assertError("syntax error", ex, "lpos", k, "a", "rank")
        self.assertError("syntax error", ex, "lpos", k, "a", "bogus", 1)
        self.assertError("value is not an integer or out of range", ex, "lpos", k, "a", "rank", "x")
        if not target_is_redis():  # 7.2 range check (7.0 accepts LONG_MIN)
            self.assertError("value is out of range, value must between -9223372036854775807 "
                             "and 9223372036854775807", ex, "lpos", k, "a", "rank",
                             "-9223372036854775808")

    def test_lmove_rpoplpush(self):
        s, d = self.k("s"), self.k("d")
        self.r.rpush(s, "1", "2", "3")
        self.assertEqual(self.r.rpoplpush(s, d), b"3")
        self.assertEqual(self.r.lmove(s, d, "LEFT", "RIGHT"), b"1")
        self.assertEqual(self.r.lrange(d, 0, -1), [b"3", b"1"])
        self.assertEqual(self.r.lmove(d, d, "left", "right"), b"3")  # rotation
        self.assertEqual(self.r.lrange(d, 0, -1), [b"1", b"3"])
        self.assertIsNone(self.r.lmove(self.k("none"), d, "left", "left"))
        self.assertError("syntax error", self.r.execute_command, "lmove", s, d, "up", "left")
        self.assertEqual(self.r.lmove(s, d, "left", "left"), b"2")
        self.assertEqual(self.r.llen(s), 0)

    def test_lmpop(self):
        a, b = self.k("a"), self.k("b")
        ex = self.r.execute_command
        self.assertIsNone(ex("lmpop", 2, a, b, "left"))
        self.r.rpush(b, "1", "2", "3")
        self.assertEqual(ex("lmpop", 2, a, b, "left"), [b.encode(), [b"1"]])
        self.assertEqual(ex("lmpop", 2, a, b, "RIGHT", "COUNT", 5), [b.encode(), [b"3", b"2"]])
        self.assertError("numkeys should be greater than 0", ex, "lmpop", 0, a, "left")
        self.assertError("numkeys should be greater than 0", ex, "lmpop", "x", a, "left")
        self.assertError("syntax error", ex, "lmpop", 3, a, "left")
        self.assertError("syntax error", ex, "lmpop", 1, a, "middle")
        self.assertError("syntax error", ex, "lmpop", 1, a, "left", "count")
        self.assertError("syntax error", ex, "lmpop", 1, a, "left", "count", 1, "count", 1)
        self.assertError("count should be greater than 0", ex, "lmpop", 1, a, "left", "count", 0)
        self.assertError("wrong number of arguments for 'lmpop' command", ex, "lmpop", 1, a)

    def test_wrongtype(self):
        s = self.k("str")
        self.make_string(s)
        l = self.k("l")
        self.r.rpush(l, "a")
        ex = self.r.execute_command
        for argv in (("lpush", s, "a"), ("rpushx", s, "a"), ("llen", s), ("lindex", s, 0),
                     ("lset", s, 0, "a"), ("lpop", s), ("rpop", s, 2), ("lrange", s, 0, 1),
                     ("ltrim", s, 0, 1), ("lrem", s, 0, "a"), ("lpos", s, "a"),
                     ("linsert", s, "before", "a", "b"), ("lmove", s, l, "left", "left"),
                     ("lmove", l, s, "left", "left"), ("lmpop", 2, self.k("none"), s, "left"),
                     ("blpop", self.k("none"), s, 0), ("blmove", s, l, "left", "left", 0)):
            self.assertError(WRONGTYPE, ex, *argv)
        self.assertEqual(self.r.lrange(l, 0, -1), [b"a"])  # failed LMOVE changed nothing


class TestListEncodings(ListTestCase):
    def encoding(self, key):
        try:
            return self.r.object("encoding", key)
        except redis.exceptions.ResponseError:
            self.skipTest("OBJECT not available in this build")

    def test_listpack_then_quicklist_then_back(self):
        if target_is_redis():
            self.skipTest("Redis 7.0 always reports quicklist")
        k = self.k("l")
        self.r.rpush(k, "a")
        self.assertEqual(self.encoding(k), b"listpack")
        self.r.rpush(k, *["x" * 100] * 100)  # > 8 KB
        self.assertEqual(self.encoding(k), b"quicklist")
        self.r.ltrim(k, 0, 9)
        self.assertEqual(self.encoding(k), b"listpack")

    def test_big_lists_keep_working_across_nodes(self):
        k = self.k("big")
        vals = [f"value:{i}" for i in range(5000)]
        pipe = self.r.pipeline(transaction=False)
        for i in range(0, 5000, 500):
            pipe.rpush(k, *vals[i:i + 500])
        pipe.execute()
        self.assertEqual(self.r.llen(k), 5000)
        self.assertEqual(self.r.lrange(k, 2500, 2502), [b"value:2500", b"value:2501", b"value:2502"])
        self.assertEqual(self.r.lindex(k, -1), b"value:4999")
        self.assertEqual(self.r.lpos(k, "value:4000"), 4000)
        self.assertEqual(self.r.linsert(k, "after", "value:3000", "ins"), 5001)
        self.assertEqual(self.r.lindex(k, 3001), b"ins")
        self.assertEqual(self.r.lrem(k, 0, "ins"), 1)
        self.assertEqual(self.r.lrange(k, -600, -1), [v.encode() for v in vals[-600:]])


class TestBlocking(ListTestCase):
    def blocked(self, *argv):
        """Sends a blocking command on a new connection and returns it (reply not yet read)."""
        c = self.raw()
        c.send_raw(encode_command(*argv))
        return c

    def wait_blocked(self, n):
        if not self.has("info", "clients"):
            time.sleep(0.2)
            return
        deadline = time.time() + 5
        while time.time() < deadline:
            if self.r.info("clients").get("blocked_clients", 0) >= n:
                return
            time.sleep(0.01)
        self.fail("clients did not block")

    def test_blpop_immediate_and_timeout_errors(self):
        k = self.k("l")
        self.r.rpush(k, "a", "b")
        self.assertEqual(self.r.blpop([self.k("none"), k], 0), (k.encode(), b"a"))
        self.assertEqual(self.r.brpop([k], 0), (k.encode(), b"b"))
        ex = self.r.execute_command
        self.assertError("timeout is not a float or out of range", ex, "blpop", k, "abc")
        self.assertError("timeout is negative", ex, "blpop", k, -1)
        self.assertError("timeout is negative", ex, "brpop", k, "-1.5")
        self.assertError("timeout is not a float or out of range", ex, "blmove", k, k, "left",
                         "left", "x")
        self.assertError("syntax error", ex, "blmove", k, k, "up", "left", 0)
        self.assertError("timeout is negative", ex, "brpoplpush", k, k, -5)
        self.assertError("numkeys should be greater than 0", ex, "blmpop", 0, 0, k, "left")
        self.assertError("timeout is negative", ex, "blmpop", -1, 1, k, "left")
        if not target_is_redis():
            self.assertError("timeout is out of range", ex, "blpop", k, "9223372036854775")

    def test_timeout_replies(self):
        c = self.raw()
        t0 = time.time()
        self.assertEqual(c.call("blpop", self.k("none"), "0.1"), b"*-1\r\n")
        self.assertGreaterEqual(time.time() - t0, 0.09)
        # Redis answers a BLMOVE/BRPOPLPUSH timeout with a null array as well.
        self.assertEqual(c.call("blmove", self.k("none"), self.k("d"), "left", "left", "0.05"),
                         b"*-1\r\n")
        self.assertEqual(c.call("brpoplpush", self.k("none"), self.k("d"), "0.05"), b"*-1\r\n")
        self.assertEqual(c.call("blmpop", "0.05", 1, self.k("none"), "left"), b"*-1\r\n")
        self.assertEqual(c.call("ping"), b"+PONG\r\n")
        c.close()

    def test_fifo_order_of_waiters(self):
        k = self.k("q")
        c1 = self.blocked("blpop", k, 5)
        self.wait_blocked(1)
        c2 = self.blocked("brpop", self.k("other"), k, 5)
        self.wait_blocked(2)
        self.r.rpush(k, "first", "second", "third")
        self.assertEqual(c1.read_reply(), encode_command(k, "first"))
        self.assertEqual(c2.read_reply(), encode_command(k, "third"))
        self.assertEqual(self.r.lrange(k, 0, -1), [b"second"])
        c1.close()
        c2.close()

    def test_blocked_client_served_before_next_command(self):
        # A pipelined "RPUSH; LPOP" from another client: the waiter gets the element first.
        k = self.k("q")
        c1 = self.blocked("blpop", k, 5)
        self.wait_blocked(1)
        c = self.raw()
        c.send_raw(encode_command("rpush", k, "v") + encode_command("lpop", k))
        self.assertEqual(c.read_reply(), b":1\r\n")
        self.assertEqual(c.read_reply(), b"$-1\r\n")
        self.assertEqual(c1.read_reply(), encode_command(k, "v"))
        c.close()
        c1.close()

    def test_blmove_and_chain(self):
        src, mid, dst = self.k("src"), self.k("mid"), self.k("dst")
        c1 = self.blocked("blmove", src, mid, "right", "left", 5)
        self.wait_blocked(1)
        c2 = self.blocked("brpoplpush", mid, dst, 5)
        self.wait_blocked(2)
        self.r.rpush(src, "x")
        self.assertEqual(c1.read_reply(), b"$1\r\nx\r\n")
        self.assertEqual(c2.read_reply(), b"$1\r\nx\r\n")
        self.assertEqual(self.r.lrange(dst, 0, -1), [b"x"])
        self.assertEqual(self.r.llen(mid), 0)
        c1.close()
        c2.close()

    def test_blmpop_count(self):
        k = self.k("l")
        c1 = self.blocked("blmpop", 5, 2, self.k("none"), k, "right", "count", 2)
        self.wait_blocked(1)
        self.r.rpush(k, "a", "b", "c")
        self.assertEqual(c1.read_reply(),
                         b"*2\r\n" + encode_command(k)[4:] + b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n")
        c1.close()

    def test_pipeline_after_blocking_command_resumes(self):
        k = self.k("l")
        c = self.raw()
        c.send_raw(encode_command("blpop", k, 5) + encode_command("ping"))
        self.wait_blocked(1)
        self.r.lpush(k, "v")
        self.assertEqual(c.read_reply(), encode_command(k, "v"))
        self.assertEqual(c.read_reply(), b"+PONG\r\n")
        c.close()

    def test_disconnected_waiter_is_forgotten(self):
        k = self.k("l")
        c1 = self.blocked("blpop", k, 0)
        self.wait_blocked(1)
        c1.close()
        time.sleep(0.1)
        c2 = self.blocked("blpop", k, 5)
        time.sleep(0.1)
        self.r.rpush(k, "v")
        self.assertEqual(c2.read_reply(), encode_command(k, "v"))
        self.assertEqual(self.r.llen(k), 0)
        c2.close()
        if self.has("info", "clients"):
            self.assertEqual(self.r.info("clients")["blocked_clients"], 0)

    def test_wrong_type_key_does_not_wake(self):
        k = self.k("l")
        c1 = self.blocked("blpop", k, "0.3")
        self.wait_blocked(1)
        self.make_string(k)
        self.assertEqual(c1.read_reply(), b"*-1\r\n")
        c1.close()

    def test_inside_multi_does_not_block(self):
        c = self.raw()
        if c.call("multi").startswith(b"-ERR unknown command"):
            self.skipTest("MULTI not available in this build")
        k = self.k("l")
        c.call("blpop", k, 0)
        c.call("blmove", k, self.k("d"), "left", "left", 0)
        c.call("blmpop", 0, 1, k, "left")
        self.assertEqual(c.call("exec"), b"*3\r\n*-1\r\n$-1\r\n*-1\r\n")
        c.close()


if __name__ == "__main__":
    unittest.main()
