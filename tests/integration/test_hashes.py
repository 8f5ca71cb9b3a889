"""Hash commands, hash encodings and conversions, byte for byte against Redis.

Every bad input checks the exact error text and that the hash did not change. Every expectation was
checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis); where Redis 7.2 differs from 7.0 the
assertion states the 7.2 behaviour and is skipped under the 7.0 reference."""
import unittest

from harness import RawServerTestCase, TARGET
from .util import (NIL, NOT_FLOAT, NOT_INT, OK, OVERFLOW, SYNTAX, WRONGTYPE, arity, bulk, integer,
                   parse_reply as parse)

REDIS70 = TARGET == "redis"

EMPTY = b"*0\r\n"
HASH_NOT_INT = b"-ERR hash value is not an integer\r\n"
HASH_NOT_FLOAT = b"-ERR hash value is not a float\r\n"
NAN_INF_ARG = b"-ERR value is NaN or Infinity\r\n"
NAN_INF_RESULT = b"-ERR increment would produce NaN or Infinity\r\n"
OUT_OF_RANGE = b"-ERR value is out of range\r\n"
INVALID_CURSOR = b"-ERR invalid cursor\r\n"


class HashesTest(RawServerTestCase):

    def getall(self, key):
        flat = parse(self.call("HGETALL", key))
        return dict(zip(flat[0::2], flat[1::2]))

    def encoding(self, key):
        return self.call("OBJECT", "ENCODING", key)

    def resp3(self):
        c = self.raw()
        c.call("HELLO", "3")
        return c

    # -- basic reads and writes -----------------------------------------------------------------
    def test_hset_hget_and_friends(self):
        self.assertEqual(self.call("HSET", "h", "a", "1", "b", "two", "c", "12345"), integer(3))
        self.assertEqual(self.call("HSET", "h", "a", "x", "d", ""), integer(1))
        self.assertEqual(self.call("HGET", "h", "a"), bulk("x"))
        self.assertEqual(self.call("HGET", "h", "d"), bulk(""))
        self.assertEqual(self.call("HGET", "h", "zz"), NIL)
        self.assertEqual(self.call("HGET", "nokey", "a"), NIL)
        self.assertEqual(self.call("HMGET", "h", "c", "zz", "b"),
                         b"*3\r\n" + bulk("12345") + NIL + bulk("two"))
        self.assertEqual(self.call("HMGET", "nokey", "a", "b"), b"*2\r\n" + NIL + NIL)
        self.assertEqual(self.call("HLEN", "h"), integer(4))
        self.assertEqual(self.call("HLEN", "nokey"), integer(0))
        self.assertEqual(self.call("HSTRLEN", "h", "c"), integer(5))
        self.assertEqual(self.call("HSTRLEN", "h", "zz"), integer(0))
        self.assertEqual(self.call("HEXISTS", "h", "b"), integer(1))
        self.assertEqual(self.call("HEXISTS", "h", "zz"), integer(0))
        self.assertEqual(self.call("HKEYS", "h"), b"*4\r\n" + bulk("a") + bulk("b") + bulk("c") + bulk("d"))
        self.assertEqual(self.call("HVALS", "h"), b"*4\r\n" + bulk("x") + bulk("two") + bulk("12345") + bulk(""))
        self.assertEqual(self.getall("h"), {b"a": b"x", b"b": b"two", b"c": b"12345", b"d": b""})
        self.assertEqual(self.call("HKEYS", "nokey"), EMPTY)
        self.assertEqual(self.call("HGETALL", "nokey"), EMPTY)
        self.assertEqual(self.call("TYPE", "h"), b"+hash\r\n")
        self.assertEqual(self.encoding("h"), bulk("listpack"))

    def test_numeric_looking_strings_round_trip_exactly(self):
        vals = ["0", "-0", "007", "1.0", "9223372036854775807", "-9223372036854775808",
                "9223372036854775808", "+1", " 1", "1e3", "-1"]
        for i, v in enumerate(vals):
            self.call("HSET", "h", v, "f%d" % i)
            self.call("HSET", "h", "v%d" % i, v)
        for i, v in enumerate(vals):
            self.assertEqual(self.call("HGET", "h", "v%d" % i), bulk(v))
            self.assertEqual(self.call("HGET", "h", v), bulk("f%d" % i))
            self.assertEqual(self.call("HSTRLEN", "h", "v%d" % i), integer(len(v)))

    def test_binary_and_long_values(self):
        big = b"x" * 20000
        binv = b"a\x00b\r\nc"
        self.assertEqual(self.call("HSET", "h", binv, big), integer(1))
        self.assertEqual(self.call("HGET", "h", binv), bulk(big))
        self.assertEqual(self.encoding("h"), bulk("hashtable"))
        self.assertEqual(self.call("HSTRLEN", "h", binv), integer(20000))

    def test_resp3_shapes(self):
        c = self.resp3()
        c.call("HSET", "h", "a", "1", "b", "2")
        self.assertEqual(c.call("HGETALL", "h"), b"%2\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2"))
        self.assertEqual(c.call("HGETALL", "nokey"), b"%0\r\n")
        self.assertEqual(c.call("HKEYS", "nokey"), EMPTY)
        self.assertEqual(c.call("HGET", "h", "zz"), b"_\r\n")
        self.assertEqual(c.call("HMGET", "h", "zz"), b"*1\r\n_\r\n")
        self.assertEqual(c.call("HRANDFIELD", "nokey"), b"_\r\n")
        r = parse(c.call("HRANDFIELD", "h", "-3", "WITHVALUES"))
        self.assertEqual(len(r), 3)
        for pair in r:
            self.assertEqual(pair, [b"a", b"1"] if pair[0] == b"a" else [b"b", b"2"])
        r = parse(c.call("HRANDFIELD", "h", "5", "WITHVALUES"))
        self.assertEqual(sorted(map(tuple, r)), [(b"a", b"1"), (b"b", b"2")])

    # -- argument errors and wrong types --------------------------------------------------------
    def test_arity_and_parity_errors_change_nothing(self):
        self.call("HSET", "h", "a", "1")
        self.assertEqual(self.call("HSET", "h", "b", "2", "c"), arity("hset"))
        self.assertEqual(self.call("HMSET", "h", "b", "2", "c"), arity("hmset"))
        self.assertEqual(self.call("HSET", "h", "b"), arity("hset"))
        self.assertEqual(self.call("HSET", "new", "b", "2", "c"), arity("hset"))
        self.assertEqual(self.call("EXISTS", "new"), integer(0))
        self.assertEqual(self.call("HGET", "h"), arity("hget"))
        self.assertEqual(self.call("HDEL", "h"), arity("hdel"))
        self.assertEqual(self.call("HSETNX", "h", "a"), arity("hsetnx"))
        self.assertEqual(self.getall("h"), {b"a": b"1"})
        self.assertEqual(self.call("HMSET", "h", "b", "2", "c", "3"), OK)
        self.assertEqual(self.call("HLEN", "h"), integer(3))

    def test_wrong_type(self):
        self.call("SET", "s", "v")
        for args in [("HSET", "s", "a", "1"), ("HMSET", "s", "a", "1"), ("HSETNX", "s", "a", "1"),
                     ("HGET", "s", "a"), ("HMGET", "s", "a"), ("HDEL", "s", "a"), ("HLEN", "s"),
                     ("HSTRLEN", "s", "a"), ("HEXISTS", "s", "a"), ("HKEYS", "s"), ("HVALS", "s"),
                     ("HGETALL", "s"), ("HINCRBY", "s", "a", "1"), ("HINCRBYFLOAT", "s", "a", "1"),
                     ("HRANDFIELD", "s"), ("HRANDFIELD", "s", "2"), ("HSCAN", "s", "0"),
                     ("HSCAN", "s", "0", "BADOPT")]:
            self.assertEqual(self.call(*args), WRONGTYPE, args)
        self.assertEqual(self.call("GET", "s"), bulk("v"))
        # Argument errors found before the lookup win over WRONGTYPE.
        self.assertEqual(self.call("HSET", "s", "a", "1", "b"), arity("hset"))
        self.assertEqual(self.call("HINCRBY", "s", "a", "x"), NOT_INT)
        self.assertEqual(self.call("HINCRBYFLOAT", "s", "a", "x"), NOT_FLOAT)
        self.assertEqual(self.call("HRANDFIELD", "s", "x"), NOT_INT)
        self.assertEqual(self.call("HSCAN", "s", "x"), INVALID_CURSOR)

    # -- HSETNX / HDEL --------------------------------------------------------------------------
    def test_hsetnx(self):
        self.assertEqual(self.call("HSETNX", "h", "a", "1"), integer(1))
        self.assertEqual(self.call("HSETNX", "h", "a", "2"), integer(0))
        self.assertEqual(self.call("HGET", "h", "a"), bulk("1"))
        self.assertEqual(self.call("HSETNX", "h", "b", "x" * 100), integer(1))
        self.assertEqual(self.encoding("h"), bulk("hashtable"))

    def test_hdel_counts_and_removes_empty_key(self):
        self.call("HSET", "h", "a", "1", "b", "2", "c", "3")
        self.assertEqual(self.call("HDEL", "h", "a", "zz", "a"), integer(1))
        self.assertEqual(self.call("HDEL", "nokey", "a"), integer(0))
        self.assertEqual(self.call("HDEL", "h", "b", "c", "b"), integer(2))
        self.assertEqual(self.call("EXISTS", "h"), integer(0))
        # Same on a hashtable-encoded hash.
        self.call("HSET", "t", "a", "x" * 100, "b", "2")
        self.assertEqual(self.encoding("t"), bulk("hashtable"))
        self.assertEqual(self.call("HDEL", "t", "a", "b"), integer(2))
        self.assertEqual(self.call("EXISTS", "t"), integer(0))

    # -- HINCRBY / HINCRBYFLOAT -----------------------------------------------------------------
    def test_hincrby(self):
        self.assertEqual(self.call("HINCRBY", "h", "n", "5"), integer(5))
        self.assertEqual(self.call("HINCRBY", "h", "n", "-7"), integer(-2))
        self.call("HSET", "h", "s", "abc", "sp", " 1", "big", "9223372036854775806")
        self.assertEqual(self.call("HINCRBY", "h", "s", "1"), HASH_NOT_INT)
        self.assertEqual(self.call("HINCRBY", "h", "sp", "1"), HASH_NOT_INT)
        self.assertEqual(self.call("HINCRBY", "h", "n", "1.5"), NOT_INT)
        self.assertEqual(self.call("HINCRBY", "h", "n", "9223372036854775808"), NOT_INT)
        self.assertEqual(self.call("HINCRBY", "h", "big", "1"), integer(9223372036854775807))
        self.assertEqual(self.call("HINCRBY", "h", "big", "1"), OVERFLOW)
        self.call("HSET", "h", "neg", "-9223372036854775807")
        self.assertEqual(self.call("HINCRBY", "h", "neg", "-2"), OVERFLOW)
        self.assertEqual(self.getall("h"), {b"n": b"-2", b"s": b"abc", b"sp": b" 1",
                                            b"big": b"9223372036854775807",
                                            b"neg": b"-9223372036854775807"})
        self.assertEqual(self.call("HINCRBY", "nokey", "f", "x"), NOT_INT)
        self.assertEqual(self.call("EXISTS", "nokey"), integer(0))

    def test_hincrbyfloat(self):
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "f", "10.5"), bulk("10.5"))
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "f", "0.1"), bulk("10.6"))
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "f", "-10.6"), bulk("0"))
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "f", "5.0e3"), bulk("5000"))
        self.call("HSET", "h", "i", "5", "s", "abc", "huge", "1.18e4932")
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "i", "0.5"), bulk("5.5"))
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "s", "1"), HASH_NOT_FLOAT)
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "i", "abc"), NOT_FLOAT)
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "i", "inf"), NAN_INF_ARG)
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "i", "-inf"), NAN_INF_ARG)
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "i", "nan"), NOT_FLOAT)
        self.assertEqual(self.call("HINCRBYFLOAT", "h", "huge", "1.18e4932"), NAN_INF_RESULT)
        self.assertEqual(self.call("HGET", "h", "i"), bulk("5.5"))
        self.assertEqual(self.call("HGET", "h", "huge"), bulk("1.18e4932"))
        self.assertEqual(self.call("HINCRBYFLOAT", "nokey", "f", "inf"), NAN_INF_ARG)
        self.assertEqual(self.call("EXISTS", "nokey"), integer(0))

    # -- encodings and conversions --------------------------------------------------------------
    def test_conversion_on_entries(self):
        args = []
        for i in range(512):
            args += ["f%d" % i, "v"]
        self.call("HSET", "h", *args)
        self.assertEqual(self.encoding("h"), bulk("listpack"))
        self.call("HSET", "h", "f0", "w")
        self.assertEqual(self.encoding("h"), bulk("listpack"))
        self.call("HSET", "h", "f512", "v")
        self.assertEqual(self.encoding("h"), bulk("hashtable"))
        self.assertEqual(self.call("HLEN", "h"), integer(513))
        self.call("HDEL", "h", *["f%d" % i for i in range(500)])
        self.assertEqual(self.encoding("h"), bulk("hashtable"), "never converts back")
        self.assertEqual(self.call("HGET", "h", "f511"), bulk("v"))

    def test_conversion_on_value_length(self):
        self.call("HSET", "h", "a", "x" * 64, "b" * 64, "1")
        self.assertEqual(self.encoding("h"), bulk("listpack"))
        self.call("HSET", "h", "c", "x" * 65)
        self.assertEqual(self.encoding("h"), bulk("hashtable"))
        self.call("HSET", "k", "f" * 65, "1")
        self.assertEqual(self.encoding("k"), bulk("hashtable"))
        self.call("HINCRBY", "i", "f" * 65, "1")
        self.assertEqual(self.encoding("i"), bulk("hashtable"))
        self.call("HSET", "g", "a", "1")
        self.call("HINCRBYFLOAT", "g", "a", "1e100")
        self.assertEqual(self.encoding("g"), bulk("hashtable"))
        self.assertGreater(len(parse(self.call("HGET", "g", "a"))), 64)

    def test_conversion_follows_config(self):
        self.assertEqual(self.call("CONFIG", "SET", "hash-max-listpack-entries", "4"), OK)
        self.addCleanup(self.r.config_set, "hash-max-listpack-entries", "512")
        self.call("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4")
        self.assertEqual(self.encoding("h"), bulk("listpack"))
        self.call("HSET", "h", "e", "5")
        self.assertEqual(self.encoding("h"), bulk("hashtable"))
        self.assertEqual(self.call("CONFIG", "SET", "hash-max-ziplist-value", "3"), OK)
        self.addCleanup(self.r.config_set, "hash-max-listpack-value", "64")
        self.call("HSET", "v", "a", "123")
        self.assertEqual(self.encoding("v"), bulk("listpack"))
        self.call("HSET", "v", "b", "1234")
        self.assertEqual(self.encoding("v"), bulk("hashtable"))

    @unittest.skipIf(REDIS70, "7.2 pre-sizes: more new fields than the limit in one HSET converts")
    def test_presize_on_many_fields_in_one_command(self):
        self.call("CONFIG", "SET", "hash-max-listpack-entries", "4")
        self.addCleanup(self.r.config_set, "hash-max-listpack-entries", "512")
        self.assertEqual(self.call("HSET", "h", "a", "1", "a", "2", "a", "3", "a", "4", "a", "5"),
                         integer(1))
        self.assertEqual(self.encoding("h"), bulk("hashtable"))
        self.assertEqual(self.call("HGET", "h", "a"), bulk("5"))

    # -- HRANDFIELD -----------------------------------------------------------------------------
    def test_hrandfield_shapes_and_counts(self):
        for key, val in (("lp", "v"), ("ht", "v" * 100)):
            fields = {b"f%d" % i: (val + str(i)).encode() for i in range(30)}
            args = []
            for f, v in fields.items():
                args += [f, v]
            self.call("HSET", key, *args)
            self.assertIn(parse(self.call("HRANDFIELD", key)), fields)
            self.assertEqual(self.call("HRANDFIELD", key, "0"), EMPTY)
            self.assertEqual(self.call("HRANDFIELD", key, "0", "WITHVALUES"), EMPTY)
            r = parse(self.call("HRANDFIELD", key, "-100"))
            self.assertEqual(len(r), 100)
            self.assertTrue(set(r) <= set(fields))
            for count in (1, 5, 10, 11, 29):
                r = parse(self.call("HRANDFIELD", key, str(count)))
                self.assertEqual(len(r), count)
                self.assertEqual(len(set(r)), count)
                self.assertTrue(set(r) <= set(fields))
                r = parse(self.call("HRANDFIELD", key, str(count), "withvalues"))
                self.assertEqual(len(r), 2 * count)
                for f, v in zip(r[0::2], r[1::2]):
                    self.assertEqual(fields[f], v)
            r = parse(self.call("HRANDFIELD", key, "1000", "WITHVALUES"))
            self.assertEqual(dict(zip(r[0::2], r[1::2])), fields)
            r = parse(self.call("HRANDFIELD", key, "-7", "WITHVALUES"))
            self.assertEqual(len(r), 14)
            for f, v in zip(r[0::2], r[1::2]):
                self.assertEqual(fields[f], v)
        self.assertEqual(self.encoding("lp"), bulk("listpack"))
        self.assertEqual(self.encoding("ht"), bulk("hashtable"))

    def test_hrandfield_errors(self):
        self.call("HSET", "h", "a", "1")
        self.assertEqual(self.call("HRANDFIELD", "nokey"), NIL)
        self.assertEqual(self.call("HRANDFIELD", "nokey", "5"), EMPTY)
        self.assertEqual(self.call("HRANDFIELD", "nokey", "-5", "WITHVALUES"), EMPTY)
        self.assertEqual(self.call("HRANDFIELD", "h", "x"), NOT_INT)
        self.assertEqual(self.call("HRANDFIELD", "h", "1", "WITHVALUE"), SYNTAX)
        self.assertEqual(self.call("HRANDFIELD", "h", "1", "WITHVALUES", "x"), SYNTAX)
        self.assertEqual(self.call("HRANDFIELD", "h", "-9223372036854775808"),
                         b"-ERR value is out of range, value must between -9223372036854775807 "
                         b"and 9223372036854775807\r\n")
        self.assertEqual(self.call("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"),
                         OUT_OF_RANGE)
        self.assertEqual(self.call("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
                         OUT_OF_RANGE)
        self.assertEqual(self.call("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
                         OUT_OF_RANGE)
        # Large positive counts are fine: the whole hash.
        self.assertEqual(self.call("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"),
                         b"*2\r\n" + bulk("a") + bulk("1"))
        self.assertEqual(self.call("HRANDFIELD", "h", "9223372036854775807"), b"*1\r\n" + bulk("a"))

    # -- HSCAN ----------------------------------------------------------------------------------
    def test_hscan_listpack_returns_everything_at_once(self):
        self.call("HSET", "h", "a", "1", "b", "2", "ab", "3")
        self.assertEqual(self.call("HSCAN", "h", "0", "COUNT", "1"),
                         b"*2\r\n$1\r\n0\r\n*6\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2") +
                         bulk("ab") + bulk("3"))
        self.assertEqual(self.call("HSCAN", "h", "0", "MATCH", "a*"),
                         b"*2\r\n$1\r\n0\r\n*4\r\n" + bulk("a") + bulk("1") + bulk("ab") + bulk("3"))
        self.assertEqual(self.call("HSCAN", "h", "0", "MATCH", "zz*"), b"*2\r\n$1\r\n0\r\n*0\r\n")

    def test_hscan_hashtable_covers_all_fields(self):
        fields = {}
        args = []
        for i in range(1000):
            f, v = b"field:%d" % i, b"%d" % i
            fields[f] = v
            args += [f, v]
        self.call("HSET", "h", *args)
        self.assertEqual(self.encoding("h"), bulk("hashtable"))
        seen = {}
        cursor = b"0"
        calls = 0
        while True:
            cursor, items = parse(self.call("HSCAN", "h", cursor, "COUNT", "20"))
            calls += 1
            self.assertLessEqual(len(items), 2 * 20 * 10 + 100)
            for f, v in zip(items[0::2], items[1::2]):
                seen[f] = v
            if cursor == b"0" or calls > 10000:
                break
        self.assertEqual(seen, fields)
        self.assertGreater(calls, 5)
        seen = set()
        cursor = b"0"
        while True:
            cursor, items = parse(self.call("HSCAN", "h", cursor, "MATCH", "field:1?"))
            seen.update(items[0::2])
            if cursor == b"0":
                break
        self.assertEqual(seen, {b"field:%d" % i for i in range(10, 20)})

    def test_hscan_errors(self):
        self.call("HSET", "h", "a", "1")
        self.assertEqual(self.call("HSCAN", "h", "abc"), INVALID_CURSOR)
        self.assertEqual(self.call("HSCAN", "h", "18446744073709551616"), INVALID_CURSOR)
        self.assertEqual(self.call("HSCAN", "h", "18446744073709551615")[:4], b"*2\r\n")
        self.assertEqual(self.call("HSCAN", "h", "0", "COUNT", "0"), SYNTAX)
        self.assertEqual(self.call("HSCAN", "h", "0", "COUNT", "x"), NOT_INT)
        self.assertEqual(self.call("HSCAN", "h", "0", "COUNT"), SYNTAX)
        self.assertEqual(self.call("HSCAN", "h", "0", "NOVALUES"), SYNTAX)
        self.assertEqual(self.call("HSCAN", "h", "0", "TYPE", "string"), SYNTAX)
        # A missing key answers an empty scan before the options are looked at.
        self.assertEqual(self.call("HSCAN", "nokey", "0", "COUNT", "0"), b"*2\r\n$1\r\n0\r\n*0\r\n")
        self.assertEqual(self.call("HSCAN", "nokey", "0"), b"*2\r\n$1\r\n0\r\n*0\r\n")

    def test_hscan_cursor_is_parsed_as_scan_sscan_zscan_do(self):
        # One rule for the four SCAN commands (Redis 7.0's strtoul): a sign is accepted and a
        # negative cursor wraps; a leading space is not.
        self.call("HSET", "h", "a", "1")
        self.assertEqual(self.call("HSCAN", "h", "-1")[:4], b"*2\r\n")
        self.assertEqual(self.call("HSCAN", "h", "+0"), b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n")
        self.assertEqual(self.call("HSCAN", "h", " 1"), INVALID_CURSOR)

    # -- events, WATCH --------------------------------------------------------------------------
    def test_keyspace_events(self):
        self.assertEqual(self.call("CONFIG", "SET", "notify-keyspace-events", "KEA"), OK)
        self.addCleanup(self.r.config_set, "notify-keyspace-events", "")
        sub = self.raw()
        sub.call("PSUBSCRIBE", "__keyevent@0__:*")
        self.call("HSET", "h", "a", "1")
        self.call("HMSET", "h", "b", "2")
        self.call("HSETNX", "h", "c", "3")
        self.call("HSETNX", "h", "c", "3")  # no change, no event
        self.call("HINCRBY", "h", "a", "1")
        self.call("HINCRBYFLOAT", "h", "a", "1.5")
        self.call("HINCRBY", "h", "zz", "x")  # error, no event
        self.call("HDEL", "h", "nope")        # nothing deleted, no event
        self.call("HDEL", "h", "a", "b")
        self.call("HDEL", "h", "c")
        events = []
        for _ in range(8):
            msg = parse(sub.read_reply())
            events.append(msg[2].split(b":", 1)[1])
        self.assertEqual(events, [b"hset", b"hset", b"hset", b"hincrby", b"hincrbyfloat", b"hdel",
                                  b"hdel", b"del"])

    def test_watch_sees_hash_writes(self):
        self.call("HSET", "h", "a", "1")
        other = self.raw()
        for write in (("HSET", "h", "a", "2"), ("HDEL", "h", "a"), ("HINCRBY", "h", "n", "1")):
            self.assertEqual(self.call("WATCH", "h"), OK)
            other.call(*write)
            self.call("MULTI")
            self.call("HGET", "h", "a")
            self.assertEqual(self.call("EXEC"), b"*-1\r\n", write)
        # A failed write does not touch the key.
        self.call("HSET", "h", "s", "abc")
        self.assertEqual(self.call("WATCH", "h"), OK)
        self.assertEqual(other.call("HINCRBY", "h", "s", "1"), HASH_NOT_INT)
        self.call("MULTI")
        self.call("HGET", "h", "s")
        self.assertEqual(self.call("EXEC"), b"*1\r\n" + bulk("abc"))


if __name__ == "__main__":
    unittest.main()
