"""String and keyspace edge cases beyond test_strings.py / test_keys.py: SET/GETEX option
repetition and conflicts, INCRBYFLOAT formatting limits, GETRANGE/SETRANGE extremes, LCS shapes
(RESP2 and RESP3), EXPIRE boundaries, SCAN cursor parsing, COPY/RENAME value independence and
OBJECT REFCOUNT under an LRU policy with maxmemory, keyspace notification event names.

Every expectation was checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis)."""
import unittest

from harness import RawServerTestCase
from .util import NIL, NOT_INT, OK, SYNTAX, bad_expire, bulk, integer, parse_reply


class StringsExtraTest(RawServerTestCase):

    def skip_unless_known(self, reply, what):
        if reply.startswith(b"-ERR unknown command"):
            self.skipTest(f"{what} not implemented yet")

    def test_set_option_repetition_and_conflicts(self):
        # Repeating an option is allowed (the last expire wins); conflicting ones are not.
        self.assertEqual(self.call("SET", "k", "v", "ex", "10", "EX", "20"), OK)
        self.assertEqual(self.call("TTL", "k"), integer(20))
        self.assertEqual(self.call("SET", "k", "v", "nx", "NX"), NIL)
        self.assertEqual(self.call("SET", "k", "v", "keepttl", "KEEPTTL", "xx"), OK)
        self.assertEqual(self.call("TTL", "k"), integer(20))
        self.assertEqual(self.call("SET", "k", "v", "get", "GET"), bulk("v"))
        for opts in (("PERSIST",), ("KEEPTTL", "PX", "5"), ("EXAT", "5", "PXAT", "5"), ("XX", "NX")):
            with self.subTest(opts=opts):
                self.assertEqual(self.call("SET", "k", "w", *opts), SYNTAX)
        # The expire value is checked before NX/XX look at the key.
        self.assertEqual(self.call("SET", "k", "w", "NX", "EX", "0"), bad_expire("set"))
        self.assertEqual(self.call("GET", "k"), bulk("v"))

    def test_getex_checks_the_key_before_the_expire_value(self):
        self.assertEqual(self.call("GETEX", "missing", "EX", "0"), NIL)
        self.assertEqual(self.call("GETEX", "missing", "EX", "x"), NIL)
        self.assertEqual(self.call("GETEX", "missing", "FOO"), SYNTAX)
        self.assertEqual(self.call("SET", "k", "v"), OK)
        self.assertEqual(self.call("GETEX", "k", "persist", "PERSIST"), bulk("v"))
        self.assertEqual(self.call("GETEX", "k", "EX", "5", "ex", "6"), bulk("v"))
        self.assertEqual(self.call("TTL", "k"), integer(6))
        self.assertEqual(self.call("GETEX", "k", "PXAT", "0"), bad_expire("getex"))
        self.assertEqual(self.call("TTL", "k"), integer(6))

    def test_incrbyfloat_limits(self):
        self.assertEqual(self.call("SET", "a", "1"), OK)
        self.assertEqual(self.call("INCRBYFLOAT", "a", "1e-17"), bulk("1.00000000000000001"))
        self.assertEqual(self.call("INCRBYFLOAT", "a", "1e5000"), b"-ERR value is not a valid float\r\n")
        self.assertEqual(self.call("INCRBYFLOAT", "a", "0x10"), bulk("17.00000000000000001"))
        self.assertEqual(self.call("SET", "f", "-0.0"), OK)
        self.assertEqual(self.call("INCRBYFLOAT", "f", "0"), bulk("0"))
        # Long-double arithmetic: 1e60 is not exact, and the text is longer than an embstr.
        self.assertEqual(self.call("INCRBYFLOAT", "b", "1e60"),
                         bulk("999999999999999999999373423426722168652130621984886772203520"))
        self.assertEqual(self.call("OBJECT", "ENCODING", "b"), bulk("raw"))
        self.assertEqual(self.call("SET", "m", "1e308"), OK)
        reply = self.call("INCRBYFLOAT", "m", "1e308")
        self.assertTrue(reply.startswith(b"$309\r\n19999999999999999999337175931169129"), reply[:50])

    def test_getrange_and_setrange_extremes(self):
        self.assertEqual(self.call("SET", "n", "-123"), OK)
        self.assertEqual(self.call("GETRANGE", "n", "-9223372036854775808", "9223372036854775807"), bulk("-123"))
        self.assertEqual(self.call("GETRANGE", "n", "9223372036854775807", "-9223372036854775808"), bulk(""))
        self.assertEqual(self.call("GETRANGE", "n", "-2", "-3"), bulk(""))
        self.assertEqual(self.call("GETRANGE", "n", "0", "0"), bulk("-"))
        # An empty value skips the offset and length checks only after the offset parses.
        self.assertEqual(self.call("SETRANGE", "n", "x", ""), NOT_INT)
        self.assertEqual(self.call("SETRANGE", "n", "-1", ""), b"-ERR offset is out of range\r\n")
        self.assertEqual(self.call("SETRANGE", "n", "9999999999", ""), integer(4))
        self.assertEqual(self.call("OBJECT", "ENCODING", "n"), bulk("int"))

    def test_lcs_options_and_resp3_shape(self):
        self.assertEqual(self.call("MSET", "a", "ohmytext", "b", "mynewtext"), OK)
        self.assertEqual(self.call("LCS", "a", "b", "LEN", "LEN"), integer(6))
        self.assertEqual(self.call("LCS", "a", "b", "MINMATCHLEN"), SYNTAX)
        self.assertEqual(self.call("LCS", "nokey", "nokey2", "IDX"),
                         b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n")
        self.assertEqual(self.call("MSET", "i1", "1231231234", "i2", "3213214321"), OK)
        self.assertEqual(self.call("LCS", "i1", "i2"), bulk("32134"))
        r = self.call("HELLO", "3")
        self.skip_unless_known(r, "HELLO")
        self.assertEqual(self.call("LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
                         b"%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
                         b"$3\r\nlen\r\n:6\r\n")

    def test_expire_boundaries(self):
        self.assertEqual(self.call("MSET", "a", "1", "b", "2", "c", "3"), OK)
        self.assertEqual(self.call("EXPIRE", "a", "-9223372036854775808"), bad_expire("expire"))
        self.assertEqual(self.call("EXPIRE", "a", "-9223372036854775"), integer(1))   # far past: deleted
        self.assertEqual(self.call("EXISTS", "a"), integer(0))
        self.assertEqual(self.call("PEXPIRE", "b", "-9223372036854775808"), integer(1))
        self.assertEqual(self.call("EXISTS", "b"), integer(0))
        self.assertEqual(self.call("PEXPIREAT", "c", "9223372036854775807"), integer(1))
        self.assertEqual(self.call("PEXPIRETIME", "c"), integer(9223372036854775807))
        self.assertEqual(self.call("EXPIRE", "c", "100", "nx", "NX"), integer(0))
        self.assertEqual(self.call("EXPIRE", "c", "100", "gt", "xx"), integer(0))
        self.assertEqual(self.call("EXPIRE", "c", "100", "LT", "xx"), integer(1))
        self.assertEqual(self.call("EXPIRE", "c", "x", "foo"), b"-ERR Unsupported option foo\r\n")
        self.assertEqual(self.call("EXPIRE", "nokey", "9223372036854775807"), bad_expire("expire"))
        self.assertEqual(self.call("TTL", "c"), integer(100))

    def test_scan_cursor_parsing(self):
        self.assertEqual(self.call("SET", "k", "v"), OK)
        for cursor in ("", "+0", "00", "-0"):
            with self.subTest(cursor=cursor):
                self.assertEqual(self.call("SCAN", cursor, "COUNT", "100"), b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n")
        for cursor in (" 0", "0 ", "+", "-", "1x", "18446744073709551616"):
            with self.subTest(cursor=cursor):
                self.assertEqual(self.call("SCAN", cursor), b"-ERR invalid cursor\r\n")
        self.assertEqual(parse_reply(self.call("SCAN", "18446744073709551615"))[0], b"0")
        self.assertEqual(self.call("SCAN", "0", "TYPE", "STRING", "COUNT", "100"),
                         b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n")

    def test_copy_and_rename_keep_values_independent(self):
        self.assertEqual(self.call("SET", "s", "x" * 50, "EX", "100"), OK)
        self.assertEqual(self.call("COPY", "s", "t"), integer(1))
        self.assertEqual(self.call("APPEND", "t", "y"), integer(51))
        self.assertEqual(self.call("STRLEN", "s"), integer(50))
        self.assertEqual(self.call("TTL", "t"), integer(100))
        self.assertEqual(self.call("SET", "n", "12"), OK)
        self.assertEqual(self.call("RENAME", "n", "m"), OK)
        self.assertEqual(self.call("OBJECT", "ENCODING", "m"), bulk("int"))
        self.assertEqual(self.call("INCR", "m"), integer(13))
        self.assertEqual(self.call("COPY", "m", "s", "REPLACE", "REPLACE"), integer(1))
        self.assertEqual(self.call("TTL", "s"), integer(-1))
        self.assertEqual(self.call("COPY", "m", "m", "DB", "1", "DB", "0"), b"-ERR source and destination objects are the same\r\n")
        self.assertEqual(self.call("MOVE", "m", "2147483648"),
                         b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")

    def test_refcount_of_shared_integers_under_lru_with_maxmemory(self):
        r = self.call("CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy", "allkeys-lru")
        self.skip_unless_known(r, "CONFIG")
        try:
            self.assertEqual(self.call("SET", "k", "5"), OK)
            self.assertEqual(self.call("OBJECT", "REFCOUNT", "k"), integer(1))
            self.assertEqual(self.call("CONFIG", "SET", "maxmemory-policy", "volatile-ttl"), OK)
            self.assertEqual(self.call("SET", "k", "5"), OK)
            self.assertEqual(self.call("OBJECT", "REFCOUNT", "k"), integer(2147483647))
        finally:
            self.call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction")

    def test_keyspace_event_names(self):
        r = self.call("CONFIG", "SET", "notify-keyspace-events", "KEAn")
        self.skip_unless_known(r, "CONFIG")
        sub = self.raw()
        r = sub.call("PSUBSCRIBE", "__keyevent@0__:*")
        self.skip_unless_known(r, "PSUBSCRIBE")
        try:
            cmds = [("SET", "k", "1"), ("INCRBY", "k", "2"), ("INCRBYFLOAT", "k", "1.5"), ("APPEND", "k", "x"),
                    ("SETRANGE", "k", "0", "y"), ("EXPIRE", "k", "100"), ("PERSIST", "k"),
                    ("RENAME", "k", "k2"), ("COPY", "k2", "k3"), ("MOVE", "k3", "1"), ("DEL", "k2"),
                    ("SET", "e", "v"), ("GETEX", "e", "PXAT", "1")]
            for cmd in cmds:
                self.call(*cmd)
            # "new" (class n) comes first whenever a key is created, as Redis's dbAdd sends it.
            expected = ["new", "set", "incrby", "incrbyfloat", "append", "setrange", "expire", "persist",
                        "new", "rename_from", "rename_to", "new", "copy_to", "move_from", "del",
                        "new", "set", "del"]
            got = []
            while len(got) < len(expected):
                msg = parse_reply(sub.read_reply())
                got.append(msg[2].decode().split(":", 1)[1])
            self.assertEqual(got, expected)
        finally:
            self.call("CONFIG", "SET", "notify-keyspace-events", "")


if __name__ == "__main__":
    unittest.main()
