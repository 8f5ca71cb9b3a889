"""Set commands and SORT against a running server, with real clients.

Validate against the reference with EMBER_TEST_TARGET=redis (Debian's Redis 7.0.15). Assertions on
7.2-only behaviour (the listpack set encoding) are skipped under Redis 7.0. Tests that need commands
from other families (SET, HSET, RPUSH, OBJECT, CONFIG, HELLO, DEL) skip when the server does not know
them yet, so this file also runs on a branch that has only the set family.
"""
import unittest

import redis

from harness import EmberServer, RawConn, target_is_redis


class SetTestCase(unittest.TestCase):
    server_config = {}

    @classmethod
    def setUpClass(cls):
        cls.server = EmberServer(config=cls.server_config).start()
        cls._known = {}

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.r = self.server.client()
        self.raw = RawConn(self.server.port)

    def tearDown(self):
        self.r.close()
        self.raw.close()

    def k(self, name):
        """A key private to this test (no FLUSHALL needed between tests)."""
        return f"{self._testMethodName}:{name}"

    def need(self, *commands):
        for c in commands:
            if c not in self._known:
                # Sent bare: a known command answers (or complains about its arity).
                probe = RawConn(self.server.port)
                try:
                    reply = probe.call(c)
                finally:
                    probe.close()
                self._known[c] = not reply.startswith(b"-ERR unknown command")
            if not self._known[c]:
                self.skipTest(f"{c} not implemented on this branch")

    def encoding(self, key):
        self.need("object")
        return self.r.object("encoding", key).decode()

    def assertError(self, text, *args):
        with self.assertRaises(redis.exceptions.ResponseError) as cm:
            self.r.execute_command(*args)
        self.assertEqual(str(cm.exception), text)

    def members(self, key):
        return sorted(m.decode() for m in self.r.smembers(key))


class TestSetBasics(SetTestCase):
    def test_sadd_srem_scard_sismember(self):
        s = self.k("s")
        self.assertEqual(self.r.sadd(s, "a", "b", "a", "1"), 3)
        self.assertEqual(self.r.sadd(s, "a"), 0)
        self.assertEqual(self.r.scard(s), 3)
        self.assertEqual(self.r.sismember(s, "a"), 1)
        self.assertEqual(self.r.sismember(s, "z"), 0)
        self.assertEqual(self.r.execute_command("SMISMEMBER", s, "a", "z", "1"), [1, 0, 1])
        self.assertEqual(self.r.execute_command("SMISMEMBER", self.k("none"), "a"), [0])
        self.assertEqual(self.r.srem(s, "a", "zz", "b"), 2)
        self.assertEqual(self.members(s), ["1"])
        self.assertEqual(self.r.srem(s, "1"), 1)
        self.assertEqual(self.r.exists(s), 0)
        self.assertEqual(self.r.scard(s), 0)
        self.assertEqual(self.r.srem(s, "x"), 0)
        self.assertEqual(self.r.smembers(s), set())

    def test_arity_errors(self):
        for cmd, name in [(("SADD", "k"), "sadd"), (("SREM", "k"), "srem"), (("SCARD",), "scard"),
                          (("SMOVE", "a", "b"), "smove"), (("SISMEMBER", "k"), "sismember"),
                          (("SINTERSTORE", "d"), "sinterstore"), (("SSCAN", "k"), "sscan"),
                          (("SPOP",), "spop"), (("SORT",), "sort"), (("SINTERCARD", "1"), "sintercard")]:
            self.assertError(f"wrong number of arguments for '{name}' command", *cmd)

    def test_wrongtype(self):
        self.need("set")
        k = self.k("str")
        self.r.set(k, "x")
        wt = "WRONGTYPE Operation against a key holding the wrong kind of value"
        for cmd in [("SADD", k, "a"), ("SREM", k, "a"), ("SCARD", k), ("SISMEMBER", k, "a"),
                    ("SMISMEMBER", k, "a"), ("SMEMBERS", k), ("SPOP", k), ("SPOP", k, 2),
                    ("SRANDMEMBER", k), ("SRANDMEMBER", k, 2), ("SINTER", k), ("SUNION", k),
                    ("SDIFF", k), ("SSCAN", k, 0), ("SINTERCARD", 1, k), ("SORT", k)]:
            self.assertError(wt, *cmd)
        s = self.k("s")
        self.r.sadd(s, "a")
        # SINTER with a missing key still type-checks the others.
        self.assertError(wt, "SINTER", self.k("missing"), k)
        self.assertError(wt, "SUNIONSTORE", self.k("d"), s, k)
        self.assertEqual(self.r.get(k), b"x")

    def test_integers_and_strings_share_text(self):
        s = self.k("s")
        self.r.sadd(s, "10", "-5", "007", " 1", "1")
        self.assertEqual(self.members(s), [" 1", "-5", "007", "1", "10"])
        self.assertEqual(self.r.sismember(s, "10"), 1)
        self.assertEqual(self.r.sismember(s, "7"), 0)
        self.assertEqual(self.r.sadd(s, "10", "9223372036854775807", "-9223372036854775808"), 2)
        self.assertEqual(self.r.sismember(s, "9223372036854775807"), 1)


class TestSmove(SetTestCase):
    def test_moves_and_creates(self):
        a, b = self.k("a"), self.k("b")
        self.r.sadd(a, "x", "y")
        self.assertEqual(self.r.smove(a, b, "x"), 1)
        self.assertEqual(self.members(a), ["y"])
        self.assertEqual(self.members(b), ["x"])
        self.assertEqual(self.r.smove(a, b, "nope"), 0)
        self.assertEqual(self.r.smove(a, b, "y"), 1)
        self.assertEqual(self.r.exists(a), 0)
        self.assertEqual(self.members(b), ["x", "y"])
        self.assertEqual(self.r.smove(self.k("none"), b, "x"), 0)
        # Same key: 1 if the member is there, nothing changes.
        self.assertEqual(self.r.smove(b, b, "x"), 1)
        self.assertEqual(self.r.smove(b, b, "q"), 0)
        self.assertEqual(self.members(b), ["x", "y"])
        # Already in the destination: still 1, removed from the source.
        self.r.sadd(a, "x")
        self.assertEqual(self.r.smove(a, b, "x"), 1)
        self.assertEqual(self.r.exists(a), 0)

    def test_wrongtype_rules(self):
        self.need("set")
        s, str_key = self.k("s"), self.k("str")
        self.r.set(str_key, "v")
        self.r.sadd(s, "m")
        # A missing source answers 0 before the destination's type is checked.
        self.assertEqual(self.r.smove(self.k("none"), str_key, "m"), 0)
        self.assertError("WRONGTYPE Operation against a key holding the wrong kind of value",
                         "SMOVE", s, str_key, "m")
        self.assertEqual(self.members(s), ["m"])


class TestSpopSrandmember(SetTestCase):
    def test_spop_single_and_count(self):
        s = self.k("s")
        self.r.sadd(s, *range(10))
        v = self.r.spop(s)
        self.assertNotIn(v.decode(), self.members(s))
        self.assertEqual(self.r.scard(s), 9)
        got = self.r.spop(s, 3)
        self.assertEqual(len(set(got)), 3)
        self.assertEqual(self.r.scard(s), 6)
        rest = self.r.spop(s, 100)
        self.assertEqual(len(rest), 6)
        self.assertEqual(self.r.exists(s), 0)
        self.assertIsNone(self.r.spop(s))
        self.assertEqual(self.r.spop(s, 3), [])

    def test_spop_errors_and_shapes(self):
        s = self.k("s")
        self.r.sadd(s, "a", "b")
        for bad in ("-1", "abc", "1.5"):
            self.assertEqual(self.raw.call("SPOP", s, bad),
                             b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(self.raw.call("SPOP", s, 1, 2), b"-ERR syntax error\r\n")
        self.assertEqual(self.raw.call("SPOP", s, 0), b"*0\r\n")
        self.assertEqual(self.raw.call("SPOP", self.k("none"), 0), b"*0\r\n")
        self.assertEqual(self.raw.call("SPOP", self.k("none")), b"$-1\r\n")
        self.assertEqual(self.r.scard(s), 2)

    def test_spop_resp3_set_shape(self):
        self.need("hello")
        s = self.k("s")
        self.raw.call("HELLO", "3")
        self.raw.call("SADD", s, "1", "2", "3")
        self.assertTrue(self.raw.call("SPOP", s, 2).startswith(b"~2\r\n"))
        self.assertEqual(self.raw.call("SPOP", self.k("none"), 2), b"~0\r\n")
        self.assertEqual(self.raw.call("SPOP", self.k("none")), b"_\r\n")
        self.assertEqual(self.raw.call("SMEMBERS", s), b"~1\r\n" + self.raw.call("SRANDMEMBER", s))
        self.assertTrue(self.raw.call("SRANDMEMBER", s, 1).startswith(b"*1\r\n"))

    def test_spop_large_counts_every_strategy(self):
        for n, count in [(1000, 10), (1000, 900), (100, 99), (300, 150), (50, 49)]:
            s = self.k(f"s{n}_{count}")
            members = {f"m{i}" for i in range(n)}
            self.r.sadd(s, *members)
            got = {m.decode() for m in self.r.spop(s, count)}
            self.assertEqual(len(got), count)
            left = {m.decode() for m in self.r.smembers(s)}
            self.assertEqual(got | left, members)
            self.assertFalse(got & left)
        s = self.k("ints")
        self.r.sadd(s, *range(400))
        got = self.r.spop(s, 390)
        self.assertEqual(len(got), 390)
        self.assertEqual(self.r.scard(s), 10)
        self.assertEqual(len(self.r.spop(s, 9223372036854775807)), 10)

    def test_srandmember(self):
        s = self.k("s")
        self.r.sadd(s, "a", "b", "c")
        self.assertIn(self.r.srandmember(s), [b"a", b"b", b"c"])
        self.assertEqual(sorted(self.r.srandmember(s, 10)), [b"a", b"b", b"c"])
        two = self.r.srandmember(s, 2)
        self.assertEqual(len(set(two)), 2)
        rep = self.r.srandmember(s, -20)
        self.assertEqual(len(rep), 20)
        self.assertTrue(set(rep) <= {b"a", b"b", b"c"})
        self.assertEqual(self.raw.call("SRANDMEMBER", s, 0), b"*0\r\n")
        self.assertEqual(self.raw.call("SRANDMEMBER", self.k("none"), 5), b"*0\r\n")
        self.assertEqual(self.raw.call("SRANDMEMBER", self.k("none")), b"$-1\r\n")
        self.assertEqual(self.raw.call("SRANDMEMBER", s, "x"),
                         b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.raw.call("SRANDMEMBER", s, "-9223372036854775808"),
                         b"-ERR value is out of range, value must between -9223372036854775807 and "
                         b"9223372036854775807\r\n")
        self.assertEqual(self.raw.call("SRANDMEMBER", s, 1, 2), b"-ERR syntax error\r\n")

    def test_srandmember_distinct_on_big_sets(self):
        s = self.k("big")
        self.r.sadd(s, *[f"e{i}" for i in range(1000)])
        for count in (5, 400, 999):
            got = self.r.srandmember(s, count)
            self.assertEqual(len(got), count)
            self.assertEqual(len(set(got)), count)
        lp = self.k("lp")
        self.r.sadd(lp, *[f"e{i}" for i in range(50)])
        got = self.r.srandmember(lp, 20)
        self.assertEqual(len(set(got)), 20)


class TestSetAlgebra(SetTestCase):
    def setUp(self):
        super().setUp()
        self.a, self.b, self.c = self.k("a"), self.k("b"), self.k("c")
        self.r.sadd(self.a, 1, 2, 3, "x")
        self.r.sadd(self.b, 2, 3, 4, "x", "y")
        self.r.sadd(self.c, 3, "x", "z")

    def test_sinter_sunion_sdiff(self):
        self.assertEqual(sorted(self.r.sinter(self.a, self.b, self.c)), [b"3", b"x"])
        self.assertEqual(sorted(self.r.sunion(self.a, self.b)), [b"1", b"2", b"3", b"4", b"x", b"y"])
        self.assertEqual(sorted(self.r.sdiff(self.a, self.b)), [b"1"])
        self.assertEqual(sorted(self.r.sdiff(self.b, self.a, self.c)), [b"4", b"y"])
        missing = self.k("none")
        self.assertEqual(self.r.sinter(self.a, missing), set())
        self.assertEqual(sorted(self.r.sunion(self.a, missing)), [b"1", b"2", b"3", b"x"])
        self.assertEqual(self.r.sdiff(missing, self.a), set())
        self.assertEqual(sorted(self.r.sdiff(self.a, missing)), [b"1", b"2", b"3", b"x"])
        self.assertEqual(self.r.sdiff(self.a, self.a), set())
        self.assertEqual(sorted(self.r.sinter(self.a, self.a)), [b"1", b"2", b"3", b"x"])

    def test_store_variants(self):
        d = self.k("d")
        self.assertEqual(self.r.sinterstore(d, self.a, self.b), 3)
        self.assertEqual(self.members(d), ["2", "3", "x"])
        self.assertEqual(self.r.sunionstore(d, self.a, self.c), 5)
        self.assertEqual(self.members(d), ["1", "2", "3", "x", "z"])
        self.assertEqual(self.r.sdiffstore(d, self.a, self.b), 1)
        self.assertEqual(self.members(d), ["1"])
        # Empty results delete the destination.
        self.assertEqual(self.r.sinterstore(d, self.a, self.k("none")), 0)
        self.assertEqual(self.r.exists(d), 0)
        self.r.sadd(d, "q")
        self.assertEqual(self.r.sdiffstore(d, self.a, self.a), 0)
        self.assertEqual(self.r.exists(d), 0)
        # The destination may be a source.
        self.assertEqual(self.r.sunionstore(self.a, self.a, self.c), 5)
        self.assertEqual(self.members(self.a), ["1", "2", "3", "x", "z"])

    def test_store_overwrites_other_types_and_ttl(self):
        self.need("set", "ttl")
        d = self.k("d")
        self.r.set(d, "string", ex=100)
        self.assertEqual(self.r.sunionstore(d, self.a), 4)
        self.assertEqual(self.r.ttl(d), -1)
        self.assertEqual(self.r.type(d), b"set")

    def test_sintercard(self):
        self.assertEqual(self.r.execute_command("SINTERCARD", 2, self.a, self.b), 3)
        self.assertEqual(self.r.execute_command("SINTERCARD", 2, self.a, self.b, "LIMIT", 2), 2)
        self.assertEqual(self.r.execute_command("SINTERCARD", 2, self.a, self.b, "limit", 0), 3)
        self.assertEqual(self.r.execute_command("SINTERCARD", 1, self.k("none")), 0)
        errs = [
            ((0, self.a), "ERR numkeys should be greater than 0"),
            ((-1, self.a), "ERR numkeys should be greater than 0"),
            (("abc", self.a), "ERR numkeys should be greater than 0"),
            ((3, self.a, self.b), "ERR Number of keys can't be greater than number of args"),
            ((1, self.a, "LIMIT", -1), "ERR LIMIT can't be negative"),
            ((1, self.a, "LIMIT", "x"), "ERR LIMIT can't be negative"),
            ((1, self.a, "LIMIT"), "ERR syntax error"),
            ((1, self.a, "FOO", 1), "ERR syntax error"),
        ]
        for args, text in errs:
            self.assertEqual(self.raw.call("SINTERCARD", *args), b"-" + text.encode() + b"\r\n")

    def test_big_sets(self):
        x, y, d = self.k("x"), self.k("y"), self.k("d")
        self.r.sadd(x, *range(0, 3000))
        self.r.sadd(y, *range(1500, 4500))
        self.assertEqual(len(self.r.sinter(x, y)), 1500)
        self.assertEqual(self.r.sunionstore(d, x, y), 4500)
        self.assertEqual(self.r.sdiffstore(d, x, y), 1500)
        self.assertEqual(self.r.execute_command("SINTERCARD", 2, x, y, "LIMIT", 10), 10)


class TestSscan(SetTestCase):
    def test_compact_sets_come_back_in_one_call(self):
        s = self.k("s")
        self.r.sadd(s, *range(50))
        cursor, items = self.r.sscan(s, 0, count=5)
        self.assertEqual(cursor, 0)
        self.assertEqual(sorted(int(i) for i in items), list(range(50)))
        cursor, items = self.r.sscan(s, 0, match="1*")
        self.assertEqual(sorted(int(i) for i in items), [1] + list(range(10, 20)))

    def test_hashtable_scan_visits_everything(self):
        s = self.k("s")
        members = {f"m{i}" for i in range(2000)}
        self.r.sadd(s, *members)
        seen, cursor, calls = set(), 0, 0
        while True:
            cursor, items = self.r.sscan(s, cursor, count=20)
            seen.update(i.decode() for i in items)
            calls += 1
            if cursor == 0:
                break
        self.assertEqual(seen, members)
        self.assertGreater(calls, 10)

    def test_errors(self):
        s, i = self.k("s"), self.k("i")
        self.r.sadd(s, "a")
        self.r.sadd(i, 7)
        cases = [
            (("SSCAN", s, "abc"), b"-ERR invalid cursor\r\n"),
            (("SSCAN", s, " 1"), b"-ERR invalid cursor\r\n"),
            (("SSCAN", s, "18446744073709551616"), b"-ERR invalid cursor\r\n"),
            (("SSCAN", s, 0, "COUNT", 0), b"-ERR syntax error\r\n"),
            (("SSCAN", s, 0, "COUNT", "x"), b"-ERR value is not an integer or out of range\r\n"),
            (("SSCAN", s, 0, "MATCH"), b"-ERR syntax error\r\n"),
            (("SSCAN", s, 0, "TYPE", "string"), b"-ERR syntax error\r\n"),
            (("SSCAN", self.k("none"), 0, "COUNT", 0), b"*2\r\n$1\r\n0\r\n*0\r\n"),
            # A compact (intset) set comes back whole whatever the cursor.
            (("SSCAN", i, "-1"), b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\n7\r\n"),
            (("SSCAN", i, "+1"), b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\n7\r\n"),
        ]
        for args, want in cases:
            self.assertEqual(self.raw.call(*args), want, args)


class TestSetEncodings(SetTestCase):
    def skip_if_70(self):
        if target_is_redis():
            self.skipTest("Redis 7.0 has no listpack sets")

    def test_intset_and_conversions(self):
        s = self.k("s")
        self.r.sadd(s, *range(512))
        self.assertEqual(self.encoding(s), "intset")
        self.r.sadd(s, 512)
        self.assertEqual(self.encoding(s), "hashtable")
        t = self.k("t")
        self.r.sadd(t, *range(600))  # the size hint alone picks hashtable
        self.assertEqual(self.encoding(t), "hashtable")

    def test_listpack_rules_72(self):
        self.skip_if_70()
        s = self.k("s")
        self.r.sadd(s, "a", "b")
        self.assertEqual(self.encoding(s), "listpack")
        self.r.sadd(s, *[f"m{i}" for i in range(126)])
        self.assertEqual(self.r.scard(s), 128)
        self.assertEqual(self.encoding(s), "listpack")
        self.r.sadd(s, "one-more")
        self.assertEqual(self.encoding(s), "hashtable")
        i = self.k("i")
        self.r.sadd(i, 1, 2, 3)
        self.r.sadd(i, "abc")
        self.assertEqual(self.encoding(i), "listpack")
        j = self.k("j")
        self.r.sadd(j, 1)
        self.r.sadd(j, "x" * 65)
        self.assertEqual(self.encoding(j), "hashtable")
        big = self.k("big")
        self.r.sadd(big, *[f"v{i}" for i in range(129)])
        self.assertEqual(self.encoding(big), "hashtable")

    def test_store_results_72(self):
        self.skip_if_70()
        a, b, d = self.k("a"), self.k("b"), self.k("d")
        self.r.sadd(a, *[str(i) for i in range(200)] + ["x"])  # hashtable
        self.r.sadd(b, *[str(i) for i in range(100)] + ["y"])  # listpack
        self.assertEqual(self.encoding(a), "hashtable")
        self.assertEqual(self.r.sinterstore(d, a, b), 100)
        self.assertEqual(self.encoding(d), "intset")  # all integers
        self.assertEqual(self.r.sunionstore(d, b), 101)
        self.assertEqual(self.encoding(d), "listpack")
        self.assertEqual(self.r.sunionstore(d, a, b), 202)
        self.assertEqual(self.encoding(d), "hashtable")
        self.assertEqual(self.r.sdiffstore(d, a, b), 101)
        self.assertEqual(self.encoding(d), "listpack")

    def test_config_thresholds(self):
        self.need("config")
        s = self.k("s")
        try:
            self.r.config_set("set-max-intset-entries", 4)
            self.r.sadd(s, 1, 2, 3, 4)
            self.assertEqual(self.encoding(s), "intset")
            self.r.sadd(s, 5)
            self.assertEqual(self.encoding(s), "hashtable")
        finally:
            self.r.config_set("set-max-intset-entries", 512)


class TestSetEvents(SetTestCase):
    def test_keyspace_events(self):
        self.need("config", "subscribe")
        self.r.config_set("notify-keyspace-events", "KEA")
        try:
            p = self.r.pubsub()
            p.psubscribe("__keyevent@0__:*")
            self.assertEqual(p.get_message(timeout=2)["type"], "psubscribe")
            a, b, d = self.k("a"), self.k("b"), self.k("d")
            self.r.sadd(a, "x", "y")        # sadd (a new key also sends "new", 7.0 too)
            self.r.sadd(a, "x")             # nothing added: no event
            self.r.srem(a, "nope")          # nothing removed: no event
            self.r.smove(a, b, "x")         # srem, sadd (+ new)
            self.r.spop(a)                  # spop, del
            self.r.sinterstore(d, b, b)     # sinterstore (+ new)
            self.r.sunionstore(d, self.k("none"))  # del
            self.r.srem(b, "x")             # srem, del
            events = []
            while True:
                m = p.get_message(timeout=1)
                if m is None:
                    break
                if m["type"] == "pmessage" and m["data"].decode().startswith("test_keyspace_events"):
                    events.append(m["channel"].decode().split(":", 1)[1])
            p.close()
            events = [e for e in events if e != "new"]  # 7.0 has no "new" class
            self.assertEqual(events, ["sadd", "srem", "sadd", "spop", "del", "sinterstore", "del",
                                      "srem", "del"])
        finally:
            self.r.config_set("notify-keyspace-events", "")


class TestSort(SetTestCase):
    def test_numeric_alpha_desc_limit(self):
        s = self.k("s")
        self.r.sadd(s, 10, 2, 33, -4, "1.5")
        self.assertEqual(self.r.sort(s), [b"-4", b"1.5", b"2", b"10", b"33"])
        self.assertEqual(self.r.sort(s, desc=True), [b"33", b"10", b"2", b"1.5", b"-4"])
        self.assertEqual(self.r.sort(s, alpha=True), [b"-4", b"1.5", b"10", b"2", b"33"])
        self.assertEqual(self.r.sort(s, start=1, num=2), [b"1.5", b"2"])
        self.assertEqual(self.r.sort(s, start=3, num=100), [b"10", b"33"])
        self.assertEqual(self.r.sort(s, start=10, num=2), [])
        self.assertEqual(self.r.sort(s, start=-5, num=1), [b"-4"])
        self.assertEqual(self.r.execute_command("SORT", s, "LIMIT", 2, -1), [b"2", b"10", b"33"])
        self.assertEqual(self.r.execute_command("SORT_RO", s, "DESC", "LIMIT", 0, 1), [b"33"])
        self.assertEqual(self.r.sort(self.k("none")), [])

    def test_errors(self):
        s = self.k("s")
        self.r.sadd(s, "a", "1")
        cases = [
            (("SORT", s), b"-ERR One or more scores can't be converted into double\r\n"),
            (("SORT", s, "FOO"), b"-ERR syntax error\r\n"),
            (("SORT", s, "LIMIT", 1), b"-ERR syntax error\r\n"),
            (("SORT", s, "LIMIT", "x", 1), b"-ERR value is not an integer or out of range\r\n"),
            (("SORT", s, "LIMIT", 0, "y"), b"-ERR value is not an integer or out of range\r\n"),
            (("SORT_RO", s, "STORE", "d"), b"-ERR syntax error\r\n"),
            (("SORT", s, "BY"), b"-ERR syntax error\r\n"),
            (("SORT", s, "GET"), b"-ERR syntax error\r\n"),
        ]
        for args, want in cases:
            self.assertEqual(self.raw.call(*args), want, args)
        # Option errors win over a missing or wrong-typed key.
        self.assertEqual(self.raw.call("SORT", self.k("none"), "FOO"), b"-ERR syntax error\r\n")
        s2 = self.k("nan")
        self.r.sadd(s2, "nan", "1")
        self.assertEqual(self.raw.call("SORT", s2),
                         b"-ERR One or more scores can't be converted into double\r\n")

    def test_ties_and_odd_numbers(self):
        s = self.k("s")
        self.r.sadd(s, "1.0", "1", "01", "0x10", "1e1", "inf", "-inf")
        self.assertEqual(self.r.sort(s),
                         [b"-inf", b"01", b"1", b"1.0", b"1e1", b"0x10", b"inf"])

    def test_nosort_and_get_hash(self):
        s = self.k("s")
        self.r.sadd(s, "b", "a", "c")
        self.assertEqual(sorted(self.r.sort(s, by="nosort")), [b"a", b"b", b"c"])
        self.assertEqual(sorted(self.r.sort(s, by="nosort", get="#")), [b"a", b"b", b"c"])
        self.assertEqual(self.r.sort(s, alpha=True, get=["#", self.k("missing_*")]),
                         [b"a", None, b"b", None, b"c", None])

    def test_by_and_get_patterns(self):
        self.need("set", "mset")
        s, w = self.k("s"), self.k("w_")
        self.r.sadd(s, "x", "y", "z")
        self.r.mset({w + "x": 3, w + "y": 1, w + "z": 2, self.k("v_x"): "X", self.k("v_z"): "Z"})
        self.assertEqual(self.r.sort(s, by=w + "*"), [b"y", b"z", b"x"])
        self.assertEqual(self.r.sort(s, by=w + "*", desc=True, get=["#", self.k("v_*")]),
                         [b"x", b"X", b"z", b"Z", b"y", None])
        self.assertEqual(self.r.sort(s, by=w + "*", start=0, num=1), [b"y"])
        self.r.set(w + "y", "bad")
        self.assertError("One or more scores can't be converted into double", "SORT", s, "BY", w + "*")
        self.assertEqual(self.r.sort(s, by=w + "*", alpha=True), [b"z", b"x", b"y"])

    def test_get_hash_fields(self):
        self.need("hset")
        s, h = self.k("s"), self.k("h_")
        self.r.sadd(s, "1", "2")
        self.r.hset(h + "1", mapping={"name": "one", "w": 20})
        self.r.hset(h + "2", mapping={"name": "two", "w": 10})
        self.assertEqual(self.r.sort(s, by=h + "*->w", get=h + "*->name"), [b"two", b"one"])
        self.assertEqual(self.r.sort(s, get=[h + "*->missing", h + "*->"]), [None, None, None, None])

    def test_store(self):
        self.need("rpush")  # overwriting a stored list needs the list type's destructor
        s, d = self.k("s"), self.k("d")
        self.r.sadd(s, 3, 1, 2)
        self.assertEqual(self.r.sort(s, store=d), 3)
        self.assertEqual(self.r.sort(s, store=d, get=["#", "#"]), 6)
        self.assertEqual(self.r.sort(self.k("none"), store=d), 0)
        self.assertEqual(self.r.exists(d), 0)

    def test_store_makes_a_list(self):
        self.need("lrange")
        s, d = self.k("s"), self.k("d")
        self.r.sadd(s, "b", "a", "c")
        self.assertEqual(self.r.sort(s, by="nosort", store=d), 3)  # sets are sorted ALPHA then
        self.assertEqual(self.r.lrange(d, 0, -1), [b"a", b"b", b"c"])
        self.assertEqual(self.r.type(d), b"list")
        self.assertEqual(self.r.sort(s, alpha=True, get=self.k("missing_*"), store=d), 3)
        self.assertEqual(self.r.lrange(d, 0, -1), [b"", b"", b""])

    def test_lists_and_zsets(self):
        self.need("rpush", "zadd")
        l, z = self.k("l"), self.k("z")
        self.r.rpush(l, 3, 1, 2)
        self.r.zadd(z, {"c": 1, "a": 2, "b": 3})
        self.assertEqual(self.r.sort(l), [b"1", b"2", b"3"])
        self.assertEqual(self.r.sort(l, by="nosort"), [b"3", b"1", b"2"])
        self.assertEqual(self.r.sort(l, by="nosort", desc=True, start=0, num=2), [b"2", b"1"])
        self.assertEqual(self.r.sort(z, alpha=True), [b"a", b"b", b"c"])
        self.assertEqual(self.r.sort(z, by="nosort"), [b"c", b"a", b"b"])
        self.assertEqual(self.r.sort(z, by="nosort", desc=True, start=1, num=5), [b"a", b"c"])


if __name__ == "__main__":
    unittest.main()
