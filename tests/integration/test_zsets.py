"""Sorted sets: encodings and conversions, every error text, RESP2/RESP3 reply shapes, random
members, blocking pops, and the change signals (WATCH, keyspace events).

Validated against Debian's redis-server 7.0.15 with EMBER_TEST_TARGET=redis; assertions about 7.2
behaviour that 7.0 lacks (ZRANK WITHSCORE, shortest score text) are skipped there. Differential
random streams live in test_zsets_diff.py.
"""
import threading
import time
import unittest

import redis

from tests.harness import RawConn, ServerTestCase, target_is_redis

REDIS70 = target_is_redis()


class ZsetTestCase(ServerTestCase):
    def setUp(self):
        self.r = self.server.client()
        try:
            self.r.flushall()
        except redis.exceptions.ResponseError:  # a build without the server family
            for k in list(self.r.scan_iter(count=1000)):
                self.r.delete(k)

    def raw(self, *args, resp3=False):
        c = RawConn(self.server.port)
        try:
            if resp3:
                c.call("HELLO", "3")
            return c.call(*args)
        finally:
            c.close()

    def assertError(self, text, fn, *args, **kw):
        # redis-py drops the "ERR " code from the message it raises.
        super().assertError(text[4:] if text.startswith("ERR ") else text, fn, *args, **kw)

    def enc(self, key):
        return self.r.object("encoding", key)


class Encodings(ZsetTestCase):
    server_config = {"zset-max-listpack-entries": "4", "zset-max-listpack-value": "8"}

    def test_listpack_to_skiplist_by_count(self):
        self.r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
        self.assertEqual(self.enc("z"), b"listpack")
        self.r.zadd("z", {"d": 5})  # an update does not grow the set
        self.assertEqual(self.enc("z"), b"listpack")
        self.r.zadd("z", {"e": 5})
        self.assertEqual(self.enc("z"), b"skiplist")
        self.r.zrem("z", "a", "b", "c")  # never converts back by itself
        self.assertEqual(self.enc("z"), b"skiplist")

    def test_listpack_to_skiplist_by_length(self):
        self.r.zadd("z", {"12345678": 1})
        self.assertEqual(self.enc("z"), b"listpack")
        self.r.zadd("z", {"123456789": 1})
        self.assertEqual(self.enc("z"), b"skiplist")
        self.r.zadd("y", {"123456789": 1})  # the first member decides at creation
        self.assertEqual(self.enc("y"), b"skiplist")

    @unittest.skipIf(REDIS70, "7.2: ZADD converts by the number of pairs given (zsetTypeMaybeConvert)")
    def test_many_pairs_in_one_zadd(self):
        self.r.zadd("z", {"a": 1})
        # Five pairs of the same member: the size hint (5 > 4) converts although one member results.
        self.r.execute_command("ZADD", "z", 1, "a", 2, "a", 3, "a", 4, "a", 5, "a")
        self.assertEqual(self.enc("z"), b"skiplist")
        self.r.execute_command("ZADD", "w", 1, "a", 2, "a", 3, "a", 4, "a", 5, "a")
        self.assertEqual(self.enc("w"), b"skiplist")
        self.assertEqual(self.r.zcard("w"), 1)

    def test_store_results_may_become_listpack(self):
        self.r.zadd("big", {m: i for i, m in enumerate("abcdefg")})
        self.assertEqual(self.enc("big"), b"skiplist")
        self.assertEqual(self.r.zrangestore("dst", "big", 0, 2), 3)
        self.assertEqual(self.enc("dst"), b"listpack")
        self.assertEqual(self.r.zunionstore("u", ["big"]), 7)
        self.assertEqual(self.enc("u"), b"skiplist")
        self.r.zadd("small", {"a": 1, "b": 1})
        self.assertEqual(self.r.zinterstore("i", ["big", "small"]), 2)
        self.assertEqual(self.enc("i"), b"listpack")
        self.assertEqual(self.r.zrange("i", 0, -1, withscores=True), [(b"a", 1.0), (b"b", 2.0)])
        self.assertEqual(self.r.zdiffstore("d", ["big", "small"]), 5)
        self.assertEqual(self.enc("d"), b"skiplist")


class EncodingZero(ZsetTestCase):
    server_config = {"zset-max-listpack-entries": "0"}

    def test_created_as_skiplist(self):
        self.r.zadd("z", {"a": 1})
        self.assertEqual(self.enc("z"), b"skiplist")
        self.assertEqual(self.r.zrange("z", 0, -1, withscores=True), [(b"a", 1.0)])


class Commands(ZsetTestCase):
    def test_zadd_options_and_replies(self):
        r = self.r
        self.assertEqual(r.execute_command("ZADD", "z", 1, "a", 2, "b"), 2)
        self.assertEqual(r.execute_command("ZADD", "z", "CH", 5, "a", 2, "b", 3, "c"), 2)
        self.assertEqual(r.execute_command("ZADD", "z", "XX", 9, "new"), 0)
        self.assertEqual(r.execute_command("ZADD", "z", "NX", 9, "a"), 0)
        self.assertEqual(r.zscore("z", "a"), 5.0)
        self.assertEqual(r.execute_command("ZADD", "z", "GT", "CH", 4, "a"), 0)
        self.assertEqual(r.execute_command("ZADD", "z", "LT", "CH", 4, "a"), 1)
        self.assertEqual(self.raw("ZADD", "z", "XX", "INCR", 1, "a"), b"$1\r\n5\r\n")
        self.assertIsNone(r.execute_command("ZADD", "z", "XX", "INCR", 1, "missing"))
        self.assertIsNone(r.execute_command("ZADD", "z", "NX", "INCR", 1, "a"))
        self.assertIsNone(r.execute_command("ZADD", "nokey", "XX", "INCR", 1, "a"))
        self.assertEqual(r.exists("nokey"), 0)
        self.assertEqual(r.execute_command("ZADD", "z", "GT", "INCR", -1, "a"), None)
        self.assertEqual(r.zincrby("z", 2.5, "b"), 4.5)
        self.assertEqual(r.zincrby("z", "-inf", "b"), float("-inf"))

    def test_zadd_errors(self):
        r = self.r
        e = self.assertError
        e("ERR syntax error", r.execute_command, "ZADD", "z", "NX", 1)
        e("ERR syntax error", r.execute_command, "ZADD", "z", "NX", 1, "a", 2)
        e("ERR XX and NX options at the same time are not compatible",
          r.execute_command, "ZADD", "z", "XX", "NX", 1, "a")
        e("ERR GT, LT, and/or NX options at the same time are not compatible",
          r.execute_command, "ZADD", "z", "GT", "LT", 1, "a")
        e("ERR GT, LT, and/or NX options at the same time are not compatible",
          r.execute_command, "ZADD", "z", "NX", "GT", 1, "a")
        e("ERR INCR option supports a single increment-element pair",
          r.execute_command, "ZADD", "z", "INCR", 1, "a", 2, "b")
        e("ERR value is not a valid float", r.execute_command, "ZADD", "z", "x", "a")
        e("ERR value is not a valid float", r.execute_command, "ZADD", "z", "nan", "a")
        e("ERR value is not a valid float", r.execute_command, "ZADD", "z", 1, "a", "1e400", "b")
        self.assertEqual(r.exists("z"), 0)  # a failed command changes nothing
        r.zadd("z", {"a": float("inf")})
        e("ERR resulting score is not a number (NaN)", r.zincrby, "z", "-inf", "a")
        e("ERR resulting score is not a number (NaN)",
          r.execute_command, "ZADD", "z", "INCR", "-inf", "a")
        self.assertEqual(r.zscore("z", "a"), float("inf"))
        e("ERR value is not a valid float", r.zincrby, "z", "abc", "a")
        e("ERR syntax error", r.execute_command, "ZINCRBY", "z", "nx", "a")
        r.set("s", "x")
        e("WRONGTYPE Operation against a key holding the wrong kind of value", r.zadd, "s", {"a": 1})
        e("WRONGTYPE Operation against a key holding the wrong kind of value", r.zcard, "s")
        e("ERR wrong number of arguments for 'zadd' command", r.execute_command, "ZADD", "z", 1)

    def test_ranges_and_errors(self):
        r = self.r
        r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
        self.assertEqual(r.zrange("z", 1, -2), [b"b", b"c"])
        self.assertEqual(r.execute_command("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", 1, 1), [b"c"])
        self.assertEqual(r.execute_command("ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV"), [b"d", b"c", b"b"])
        self.assertEqual(r.execute_command("ZRANGE", "z", 0, -1, "REV", "LIMIT", 0, -1), [b"d", b"c", b"b", b"a"])
        e = self.assertError
        e("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
          r.execute_command, "ZRANGE", "z", 0, 1, "LIMIT", 0, 1)
        e("ERR syntax error, WITHSCORES not supported in combination with BYLEX",
          r.execute_command, "ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES")
        e("ERR syntax error", r.execute_command, "ZRANGE", "z", 0, 1, "BYSCORE", "BYLEX")
        e("ERR syntax error", r.execute_command, "ZRANGEBYSCORE", "z", 0, 1, "BYSCORE")
        e("ERR syntax error", r.execute_command, "ZRANGE", "z", 0, 1, "LIMIT", 0)
        e("ERR min or max is not a float", r.execute_command, "ZRANGE", "z", "x", 1, "BYSCORE")
        e("ERR min or max is not a float", r.zcount, "z", "(", "nan")
        e("ERR min or max not valid string range item", r.zlexcount, "z", "a", "+")
        e("ERR min or max not valid string range item", r.zremrangebylex, "z", "[a", "++")
        e("ERR value is not an integer or out of range", r.execute_command, "ZRANGE", "z", "1.5", 2)
        e("ERR value is not an integer or out of range", r.execute_command,
          "ZRANGEBYSCORE", "z", 0, 1, "LIMIT", "x", 1)
        self.assertEqual(r.zcount("z", "(1", 3), 2)
        self.assertEqual(r.zremrangebyscore("z", "-inf", "(2"), 1)
        self.assertEqual(r.zremrangebyrank("z", -1, -1), 1)
        self.assertEqual(r.zrange("z", 0, -1), [b"b", b"c"])
        self.assertEqual(r.zremrangebyrank("z", 0, 10), 2)
        self.assertEqual(r.exists("z"), 0)  # emptied keys are deleted

    def test_rank_and_scores(self):
        r = self.r
        r.zadd("z", {"a": 1, "b": 2.5})
        self.assertEqual(r.zrank("z", "b"), 1)
        self.assertEqual(r.zrevrank("z", "b"), 0)
        self.assertIsNone(r.zrank("z", "x"))
        self.assertEqual(r.zmscore("z", ["a", "x", "b"]), [1.0, None, 2.5])
        self.assertEqual(r.zmscore("nokey", ["a"]), [None])
        if REDIS70:
            return
        self.assertEqual(self.raw("ZRANK", "z", "b", "WITHSCORE"), b"*2\r\n:1\r\n$3\r\n2.5\r\n")
        self.assertEqual(self.raw("ZREVRANK", "z", "b", "withscore", resp3=True), b"*2\r\n:0\r\n,2.5\r\n")
        self.assertEqual(self.raw("ZRANK", "z", "x", "WITHSCORE"), b"*-1\r\n")
        self.assertEqual(self.raw("ZRANK", "z", "b", "WITHSCORES"), b"-ERR syntax error\r\n")
        self.assertEqual(self.raw("ZRANK", "z", "b", "WITHSCORE", "x"),
                         b"-ERR wrong number of arguments for 'zrank' command\r\n")
        # 7.2 formats scores with the shortest round-trip text.
        r.zadd("z", {"c": 0.1})
        self.assertEqual(self.raw("ZSCORE", "z", "c"), b"$3\r\n0.1\r\n")

    def test_reply_shapes_resp3(self):
        r = self.r
        r.zadd("z", {"a": 1, "b": 2})
        self.assertEqual(self.raw("ZRANGE", "z", 0, -1, "WITHSCORES", resp3=True),
                         b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n")
        self.assertEqual(self.raw("ZRANGE", "z", 0, -1, "WITHSCORES"),
                         b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n")
        self.assertEqual(self.raw("ZSCORE", "z", "a", resp3=True), b",1\r\n")
        self.assertEqual(self.raw("ZSCORE", "z", "x", resp3=True), b"_\r\n")
        self.assertEqual(self.raw("ZPOPMIN", "nokey", resp3=True), b"*0\r\n")
        self.assertEqual(self.raw("ZUNION", 1, "z", "WITHSCORES", resp3=True),
                         b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n")
        self.assertEqual(self.raw("ZPOPMAX", "z", resp3=True), b"*2\r\n$1\r\nb\r\n,2\r\n")
        r.zadd("z", {"b": 2})
        self.assertEqual(self.raw("ZPOPMAX", "z", 1, resp3=True), b"*1\r\n*2\r\n$1\r\nb\r\n,2\r\n")
        r.zadd("z", {"b": 2})
        self.assertEqual(self.raw("ZPOPMIN", "z", 5), b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n")
        self.assertEqual(r.exists("z"), 0)
        r.zadd("z", {"a": 1, "b": 2})
        self.assertEqual(self.raw("ZMPOP", 2, "nokey", "z", "MAX", "COUNT", 1),
                         b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n")
        self.assertEqual(self.raw("ZMPOP", 1, "nokey", "MIN"), b"*-1\r\n")
        self.assertEqual(self.raw("ZMPOP", 1, "nokey", "MIN", resp3=True), b"_\r\n")
        self.assertEqual(self.raw("ZSCAN", "z", 0), b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n")

    def test_pop_and_mpop_errors(self):
        r, e = self.r, self.assertError
        e("ERR value is out of range, must be positive", r.execute_command, "ZPOPMIN", "z", -1)
        e("ERR value is out of range, must be positive", r.execute_command, "ZPOPMIN", "z", "x")
        e("ERR syntax error", r.execute_command, "ZPOPMIN", "z", 1, 2)
        e("ERR numkeys should be greater than 0", r.execute_command, "ZMPOP", 0, "z", "MIN")
        e("ERR numkeys should be greater than 0", r.execute_command, "ZMPOP", "x", "z", "MIN")
        e("ERR syntax error", r.execute_command, "ZMPOP", 2, "z", "MIN")
        e("ERR syntax error", r.execute_command, "ZMPOP", 1, "z", "MID")
        e("ERR count should be greater than 0", r.execute_command, "ZMPOP", 1, "z", "MIN", "COUNT", 0)
        e("ERR syntax error", r.execute_command, "ZMPOP", 1, "z", "MIN", "COUNT", 1, "COUNT", 1)
        self.assertEqual(r.execute_command("ZPOPMIN", "z", 0), [])

    def test_algebra(self):
        r, e = self.r, self.assertError
        r.zadd("a", {"x": 1, "y": float("inf")})
        r.zadd("b", {"y": float("-inf"), "z": 3})
        self.assertEqual(r.zunion(["a", "b"], withscores=True),
                         [(b"y", 0.0), (b"x", 1.0), (b"z", 3.0)])  # inf + -inf = 0
        self.assertEqual(r.zinter(["a", "b"], aggregate="MIN", withscores=True), [(b"y", float("-inf"))])
        self.assertEqual(r.execute_command("ZUNION", 2, "a", "b", "WEIGHTS", 2, 0, "WITHSCORES"),
                         [b"z", b"0", b"x", b"2", b"y", b"inf"])
        self.assertEqual(r.zdiff(["a", "b"]), [b"x"])
        self.assertEqual(r.zdiff(["a", "a"]), [])
        self.assertEqual(r.execute_command("ZINTERCARD", 2, "a", "b", "LIMIT", 0), 1)
        self.assertEqual(r.zunionstore("dst", {"a": 1, "missing": 2}), 2)
        self.assertEqual(r.zinterstore("dst", ["a", "missing"]), 0)
        self.assertEqual(r.exists("dst"), 0)
        e("ERR at least 1 input key is needed for 'zunionstore' command",
          r.execute_command, "ZUNIONSTORE", "d", 0, "a")
        e("ERR at least 1 input key is needed for 'zinter' command", r.execute_command, "ZINTER", 0, "a")
        e("ERR syntax error", r.execute_command, "ZUNION", 3, "a", "b")
        e("ERR value is not an integer or out of range", r.execute_command, "ZUNION", "x", "a")
        e("ERR weight value is not a float", r.execute_command, "ZUNION", 1, "a", "WEIGHTS", "w")
        e("ERR syntax error", r.execute_command, "ZUNION", 2, "a", "b", "WEIGHTS", 1)
        e("ERR syntax error", r.execute_command, "ZUNION", 1, "a", "AGGREGATE", "AVG")
        e("ERR syntax error", r.execute_command, "ZUNIONSTORE", "d", 1, "a", "WITHSCORES")
        e("ERR syntax error", r.execute_command, "ZDIFF", 1, "a", "WEIGHTS", 1)
        e("ERR LIMIT can't be negative", r.execute_command, "ZINTERCARD", 1, "a", "LIMIT", -1)
        e("ERR LIMIT can't be negative", r.execute_command, "ZINTERCARD", 1, "a", "LIMIT", "x")
        r.set("s", "v")
        e("WRONGTYPE Operation against a key holding the wrong kind of value",
          r.execute_command, "ZUNION", 2, "a", "s")

    def test_zrandmember(self):
        r, e = self.r, self.assertError
        self.assertIsNone(r.zrandmember("nokey"))
        self.assertEqual(r.zrandmember("nokey", 3), [])
        for n in (5, 300):  # listpack and skiplist
            r.delete("z")
            r.zadd("z", {"m%d" % i: i for i in range(n)})
            self.assertIn(r.zrandmember("z"), [b"m%d" % i for i in range(n)])
            got = r.zrandmember("z", 4)
            self.assertEqual(len(got), 4)
            self.assertEqual(len(set(got)), 4)
            got = r.zrandmember("z", n - 1)
            self.assertEqual(len(set(got)), n - 1)
            got = r.zrandmember("z", -20, withscores=True)
            self.assertEqual(len(got), 40)
            for m, s in zip(got[0::2], got[1::2]):
                self.assertEqual(float(s), r.zscore("z", m))
        r.delete("z")
        r.zadd("z", {"a": 1, "b": 2, "c": 3})
        # count >= size: the whole set, walked from the highest score down.
        self.assertEqual(r.zrandmember("z", 10), [b"c", b"b", b"a"])
        self.assertEqual(self.raw("ZRANDMEMBER", "z", -1, "WITHSCORES", resp3=True)[:6], b"*1\r\n*2")
        e("ERR value is out of range", r.execute_command, "ZRANDMEMBER", "z", 2 ** 62, "WITHSCORES")
        e("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
          r.execute_command, "ZRANDMEMBER", "z", -2 ** 63)
        e("ERR syntax error", r.execute_command, "ZRANDMEMBER", "z", 1, "WITHSCORE")

    def test_zscan(self):
        r, e = self.r, self.assertError
        r.zadd("z", {"m%d" % i: i for i in range(500)})
        seen, cursor = {}, 0
        while True:
            cursor, items = r.zscan("z", cursor, match="m1*", count=20)
            seen.update(dict(items))
            if cursor == 0:
                break
        self.assertEqual(set(seen), {b"m%d" % i for i in range(500) if str(i).startswith("1")})
        self.assertEqual(seen[b"m12"], 12.0)
        e("ERR invalid cursor", r.execute_command, "ZSCAN", "z", "x")
        e("ERR invalid cursor", r.execute_command, "ZSCAN", "z", " 1")
        e("ERR invalid cursor", r.execute_command, "ZSCAN", "z", "99999999999999999999999")
        self.assertEqual(r.execute_command("ZSCAN", "nokey", "-1"), (0, []))
        e("ERR syntax error", r.execute_command, "ZSCAN", "z", 0, "COUNT", 0)
        e("ERR syntax error", r.execute_command, "ZSCAN", "z", 0, "TYPE", "zset")
        self.assertEqual(r.execute_command("ZSCAN", "nokey", 0, "COUNT", 0), (0, []))

    def test_watch_and_events(self):
        r = self.r
        r.zadd("z", {"a": 1})
        p = r.pipeline()
        p.watch("z")
        r.zadd("z", {"a": 1})  # no change: the transaction still runs
        p.multi()
        p.zcard("z")
        self.assertEqual(p.execute(), [1])
        p = r.pipeline()
        p.watch("z")
        r.zincrby("z", 1, "a")
        p.multi()
        p.zcard("z")
        with self.assertRaises(redis.exceptions.WatchError):
            p.execute()

    def test_keyspace_events(self):
        r = self.r
        try:
            r.config_set("notify-keyspace-events", "Kz$g")
        except redis.exceptions.ResponseError as exc:  # a build without the server family
            self.skipTest(str(exc))
        sub = self.server.client().pubsub()
        sub.psubscribe("__keyspace@0__:*")
        sub.get_message(timeout=1)
        r.zadd("z", {"b": 2})
        r.zincrby("z", 1, "b")
        r.zrem("z", "a", "b")
        events = []
        deadline = time.time() + 3
        while len(events) < 4 and time.time() < deadline:
            m = sub.get_message(timeout=0.5)
            if m and m["type"] == "pmessage":
                events.append(m["data"])
        self.assertEqual(events, [b"zadd", b"zincr", b"zrem", b"del"])
        sub.close()
        r.config_set("notify-keyspace-events", "")


class Blocking(ZsetTestCase):
    def test_served_by_zadd(self):
        r = self.r
        res = {}

        def waiter():
            c = self.server.client()
            res["v"] = c.bzpopmin(["k1", "k2"], timeout=5)
            c.close()

        t = threading.Thread(target=waiter)
        t.start()
        time.sleep(0.3)
        r.zadd("k2", {"a": 1, "b": 2})
        t.join(6)
        self.assertEqual(res["v"], (b"k2", b"a", 1.0))
        self.assertEqual(r.zrange("k2", 0, -1), [b"b"])

    def test_bzmpop_and_timeout(self):
        r = self.r
        r.zadd("z", {"a": 1, "b": 2, "c": 3})
        self.assertEqual(r.execute_command("BZMPOP", 1, 2, "nokey", "z", "MAX", "COUNT", 2),
                         [b"z", [[b"c", b"3"], [b"b", b"2"]]])
        self.assertEqual(self.raw("BZPOPMAX", "z", 0), b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n")
        t0 = time.time()
        self.assertIsNone(r.execute_command("BZPOPMIN", "z", "0.2"))
        self.assertGreaterEqual(time.time() - t0, 0.15)
        self.assertIsNone(r.execute_command("BZMPOP", "0.1", 1, "z", "MIN"))

    def test_errors_and_multi(self):
        r, e = self.r, self.assertError
        e("ERR timeout is not a float or out of range", r.execute_command, "BZPOPMIN", "z", "x")
        e("ERR timeout is negative", r.execute_command, "BZPOPMIN", "z", -1)
        e("ERR numkeys should be greater than 0", r.execute_command, "BZMPOP", "x", 0, "z", "MIN")
        r.set("s", "v")
        e("WRONGTYPE Operation against a key holding the wrong kind of value",
          r.execute_command, "BZPOPMIN", "nokey", "s", 1)
        p = r.pipeline(transaction=True)
        p.execute_command("BZPOPMIN", "z", 0)
        self.assertEqual(p.execute(), [None])  # MULTI never blocks


if __name__ == "__main__":
    unittest.main()
