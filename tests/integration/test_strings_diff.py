"""Strings and generic key commands, differential: the same random command streams go to Ember and to
Debian's redis-server 7.0.15, and the raw replies (RESP2 and RESP3, error texts included) must be
identical byte for byte.

Time is kept out of the replies: expiry times are set only as absolute instants (EXAT, PXAT,
EXPIREAT, PEXPIREAT, far in the future or already past), relative ones (EX, PX, EXPIRE, SETEX) only
where they are refused, and TTL/PTTL of a key with a TTL are compared as "positive". Replies whose
order is the implementation's (KEYS) are compared as sorted multisets. The stream runner is
tests/integration/diffutil.py.
"""
import unittest

from tests.integration.diffutil import DiffBase, pick, unordered

KEYS = ["a", "b", "c", "d", "l", "missing"]
VALUES = ["", "0", "1", "-1", "10", "9223372036854775807", "-9223372036854775808",
          "9223372036854775808", "1.5", "abc", "x" * 44, "y" * 45, " 1", "1e3", "007", "+1",
          "0x10", "inf", "-0", "3.0", "12345678901234567890"]
INCRS = ["1", "-1", "100", "9223372036854775807", "-9223372036854775808", "x", "1.5", ""]
FLOATS = ["1.5", "-0.25", "1e3", "inf", "nan", "x", "3", "1e308", "0.1", "-1e-5", ""]
FUTURE_S = ["99999999999", "4102444800", "1", "0", "-5", "x", "9223372036854775807"]
FUTURE_MS = ["99999999999999", "4102444800000", "1", "0", "-5", "x"]
RELATIVE_BAD = ["0", "-1", "x", "9223372036854775807", "1.5", ""]
OFFSETS = ["0", "1", "3", "-1", "-3", "100", "x", "536870912", "9223372036854775807"]


def string_command(rng):
    k = pick(rng, KEYS)
    c = rng.randrange(40)
    if c < 8:
        cmd = ["SET", k, pick(rng, VALUES)]
        for opt in ("NX", "XX", "GET", "KEEPTTL"):
            if rng.random() < 0.12:
                cmd.append(opt)
        r = rng.random()
        if r < 0.12:
            cmd += [pick(rng, ["EXAT", "exat"]), pick(rng, FUTURE_S)]
        elif r < 0.22:
            cmd += ["PXAT", pick(rng, FUTURE_MS)]
        elif r < 0.3:
            cmd += [pick(rng, ["EX", "PX"]), pick(rng, RELATIVE_BAD)]
        return cmd
    if c < 11:
        return ["GET", k]
    if c < 12:
        return ["GETDEL", k]
    if c < 14:
        cmd = ["GETEX", k]
        r = rng.random()
        if r < 0.3:
            cmd += ["EXAT", pick(rng, FUTURE_S)]
        elif r < 0.5:
            cmd += ["PXAT", pick(rng, FUTURE_MS)]
        elif r < 0.65:
            cmd.append("PERSIST")
        elif r < 0.75:
            cmd += [pick(rng, ["EX", "PX"]), pick(rng, RELATIVE_BAD)]
        elif r < 0.8:
            cmd += ["PERSIST", "EXAT", "99999999999"]
        return cmd
    if c < 15:
        return ["GETSET", k, pick(rng, VALUES)]
    if c < 16:
        return ["SETNX", k, pick(rng, VALUES)]
    if c < 17:
        return [pick(rng, ["SETEX", "PSETEX"]), k, pick(rng, RELATIVE_BAD), pick(rng, VALUES)]
    if c < 19:
        pairs = []
        for _ in range(rng.randrange(1, 4)):
            pairs += [pick(rng, KEYS), pick(rng, VALUES)]
        if rng.random() < 0.05:
            pairs.pop()
        return [pick(rng, ["MSET", "MSETNX"])] + pairs
    if c < 20:
        return ["MGET"] + [pick(rng, KEYS) for _ in range(rng.randrange(1, 4))]
    if c < 22:
        return ["APPEND", k, pick(rng, VALUES)]
    if c < 23:
        return ["STRLEN", k]
    if c < 25:
        return [pick(rng, ["GETRANGE", "SUBSTR"]), k, pick(rng, OFFSETS), pick(rng, OFFSETS)]
    if c < 26:
        return ["SETRANGE", k, pick(rng, OFFSETS), pick(rng, VALUES)]
    if c < 30:
        op = pick(rng, ["INCR", "DECR", "INCRBY", "DECRBY"])
        return [op, k] + ([pick(rng, INCRS)] if op.endswith("BY") else [])
    if c < 32:
        return ["INCRBYFLOAT", k, pick(rng, FLOATS)]
    if c < 33:
        cmd = ["LCS", k, pick(rng, KEYS)]
        for opt in ("LEN", "IDX", "WITHMATCHLEN"):
            if rng.random() < 0.3:
                cmd.append(opt)
        if rng.random() < 0.2:
            cmd += ["MINMATCHLEN", pick(rng, ["0", "1", "2", "-1", "x"])]
        return cmd
    if c < 34:
        return ["OBJECT", "ENCODING", k]
    if c < 35:
        return ["DUMP", k]
    return generic_command(rng)


def generic_command(rng):
    k = pick(rng, KEYS)
    c = rng.randrange(20)
    if c < 2:
        return [pick(rng, ["DEL", "UNLINK"])] + [pick(rng, KEYS) for _ in range(rng.randrange(1, 3))]
    if c < 4:
        return [pick(rng, ["EXISTS", "TOUCH"])] + [pick(rng, KEYS) for _ in range(rng.randrange(1, 4))]
    if c < 5:
        return ["TYPE", k]
    if c < 7:
        return [pick(rng, ["RENAME", "RENAMENX"]), k, pick(rng, KEYS)]
    if c < 8:
        cmd = ["COPY", k, pick(rng, KEYS)]
        if rng.random() < 0.3:
            cmd.append("REPLACE")
        if rng.random() < 0.1:
            cmd += ["DB", pick(rng, ["0", "1", "16", "x"])]
        return cmd
    if c < 11:
        cmd = [pick(rng, ["EXPIREAT", "PEXPIREAT"]), k]
        cmd.append(pick(rng, FUTURE_S if cmd[0] == "EXPIREAT" else FUTURE_MS))
        if rng.random() < 0.4:
            cmd.append(pick(rng, ["NX", "XX", "GT", "LT", "nx", "NX XX"]))
        return cmd
    if c < 12:
        return [pick(rng, ["EXPIRE", "PEXPIRE"]), k, pick(rng, RELATIVE_BAD)]
    if c < 13:
        return ["PERSIST", k]
    if c < 15:
        return [pick(rng, ["EXPIRETIME", "PEXPIRETIME", "TTL", "PTTL"]), k]
    if c < 16:
        return ["KEYS", pick(rng, ["*", "[ab]*", "?", "*a*"])]
    if c < 17:
        return ["OBJECT", pick(rng, ["ENCODING", "REFCOUNT", "nothing"]), k]
    return ["GET", k]


class StringsDiff(DiffBase):
    keys = KEYS

    def setup_stream(self, conns, key):
        for c in conns:
            c.call("RPUSH", key("l"), "x")

    def random_command(self, rng, key):
        return string_command(rng)

    def normalize(self, cmd, got, want):
        if cmd[0] == "KEYS":
            return unordered(got), unordered(want)
        if cmd[0] == "OBJECT" and want == b"$9\r\nquicklist\r\n":
            return None  # the list key: 7.2 keeps a small list in a listpack, 7.0 in a quicklist
        if cmd[0] in ("TTL", "PTTL"):
            # Counted from each server's own clock: compare the sign only.
            def sign(raw):
                return b":+\r\n" if raw[:1] == b":" and int(raw[1:-2]) >= 0 else raw
            return sign(got), sign(want)
        return got, want

    def prepare(self, cmd):
        # Keys live under a per-stream prefix, so KEYS patterns must carry it too.
        if cmd[0] == "KEYS":
            cmd[1] = self._prefix + cmd[1]
        return cmd

    def run_stream(self, seed, resp3):
        self._prefix = "s%d:%d:" % (seed, resp3)
        super().run_stream(seed, resp3)


class StringsDiffTest(StringsDiff, unittest.TestCase):
    pass


if __name__ == "__main__":
    unittest.main()
