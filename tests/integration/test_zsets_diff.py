"""Sorted sets, differential: the same random command streams go to Ember and to Debian's
redis-server 7.0.15, and the raw replies (RESP2 and RESP3, error texts included) must be identical
byte for byte.

Scores are drawn from values whose text is the same in Redis 7.0 ("%.17g") and 7.2 (shortest
round-trip): small integers, halves, quarters and +-inf, so the 7.0 reference is exact for 7.2 here.
Commands with 7.2-only syntax (ZRANK ... WITHSCORE) and random replies (ZRANDMEMBER) are covered in
test_zsets.py instead. Keys are spread over a few names so the multi-key commands meet zsets,
missing keys and wrong types; two classes run with the default limits and with tiny listpack limits
(conversions on nearly every command).
The stream runner is tests/integration/diffutil.py.
"""
import unittest

from tests.integration.diffutil import DiffBase, pick

KEYS = ["z1", "z2", "z3", "str", "l1", "l2"]
# Lex ranges are only defined when all scores are equal (Redis walks skiplist levels assuming lex
# order), so lex commands target l1/l2, which only ever get score 0.
LEXKEYS = ["l1", "l2"]
MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h", "1", "2", "10", "-3", "m" * 70, "aa", "ab"]
SCORES = ["0", "1", "2", "-1", "1.5", "-2.5", "0.25", "3", "10", "inf", "-inf", "+inf", "100"]
LEX = ["-", "+", "[a", "(a", "[c", "(d", "[1", "(10", "[m", "[b", "(", "[", "x", "a"]
RANGES = ["0", "1", "-1", "(1", "(0", "-inf", "+inf", "2.5", "(inf", "abc", "10", "(-1", "1e400"]


def random_command(rng):
    c = rng.randrange(40)
    if rng.random() < 0.25:
        return lex_command(rng, pick(rng, LEXKEYS) if rng.random() < 0.95 else "str")
    k = pick(rng, KEYS[:3]) if rng.random() < 0.9 else "str"
    if c in (23, 25):
        c = 39  # lex commands: see lex_command
    if c < 8:
        opts = [o for o in ("NX", "XX", "GT", "LT", "CH", "INCR") if rng.random() < 0.12]
        n = 1 if "INCR" in opts and rng.random() < 0.8 else rng.randrange(1, 5)
        pairs = []
        for _ in range(n):
            pairs += [pick(rng, SCORES) if rng.random() < 0.97 else "nan", pick(rng, MEMBERS)]
        return ["ZADD", k] + opts + pairs
    if c < 10:
        return ["ZINCRBY", k, pick(rng, SCORES), pick(rng, MEMBERS)]
    if c < 12:
        return ["ZREM", k] + [pick(rng, MEMBERS) for _ in range(rng.randrange(1, 4))]
    if c < 13:
        return ["ZCARD", k]
    if c < 14:
        return ["ZSCORE", k, pick(rng, MEMBERS)]
    if c < 15:
        return ["ZMSCORE", k] + [pick(rng, MEMBERS) for _ in range(rng.randrange(1, 4))]
    if c < 16:
        return [pick(rng, ["ZRANK", "ZREVRANK"]), k, pick(rng, MEMBERS)]
    if c < 20:
        cmd = ["ZRANGE", k]
        kind = rng.randrange(2)
        if kind == 0:
            cmd += [str(rng.randrange(-6, 6)), str(rng.randrange(-6, 6))]
        elif kind == 1:
            cmd += [pick(rng, RANGES), pick(rng, RANGES), "BYSCORE"]
        else:
            cmd += [pick(rng, LEX), pick(rng, LEX), "BYLEX"]
        if rng.random() < 0.3:
            cmd.append("REV")
        if rng.random() < 0.4:
            cmd.append("WITHSCORES")
        if rng.random() < 0.3:
            cmd += ["LIMIT", str(rng.randrange(-1, 4)), str(rng.randrange(-1, 4))]
        return cmd
    if c < 21:
        return ["ZREVRANGE", k, str(rng.randrange(-6, 6)), str(rng.randrange(-6, 6))] + \
            (["WITHSCORES"] if rng.random() < 0.5 else [])
    if c < 23:
        cmd = [pick(rng, ["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]), k, pick(rng, RANGES), pick(rng, RANGES)]
        if rng.random() < 0.5:
            cmd.append("WITHSCORES")
        if rng.random() < 0.4:
            cmd += ["LIMIT", str(rng.randrange(-1, 4)), str(rng.randrange(-1, 4))]
        return cmd
    if c < 24:
        cmd = [pick(rng, ["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), k, pick(rng, LEX), pick(rng, LEX)]
        if rng.random() < 0.4:
            cmd += ["LIMIT", str(rng.randrange(-1, 4)), str(rng.randrange(-1, 4))]
        return cmd
    if c < 25:
        return ["ZCOUNT", k, pick(rng, RANGES), pick(rng, RANGES)]
    if c < 26:
        return ["ZLEXCOUNT", k, pick(rng, LEX), pick(rng, LEX)]
    if c < 28:
        kind = rng.randrange(2)
        if kind == 0:
            return ["ZREMRANGEBYRANK", k, str(rng.randrange(-5, 5)), str(rng.randrange(-5, 5))]
        if kind == 1:
            return ["ZREMRANGEBYSCORE", k, pick(rng, RANGES), pick(rng, RANGES)]
        return ["ZREMRANGEBYLEX", k, pick(rng, LEX), pick(rng, LEX)]
    if c < 30:
        cmd = [pick(rng, ["ZPOPMIN", "ZPOPMAX"]), k]
        if rng.random() < 0.6:
            cmd.append(str(rng.randrange(-1, 5)))
        return cmd
    if c < 31:
        keys = [pick(rng, KEYS) for _ in range(rng.randrange(1, 3))]
        cmd = ["ZMPOP", str(len(keys))] + keys + [pick(rng, ["MIN", "MAX", "mid"])]
        if rng.random() < 0.5:
            cmd += ["COUNT", str(rng.randrange(0, 4))]
        return cmd
    if c < 36:
        op = pick(rng, ["ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE",
                        "ZINTERCARD"])
        keys = [pick(rng, KEYS[:3]) if rng.random() < 0.95 else "str" for _ in range(rng.randrange(1, 4))]
        cmd = [op]
        if op.endswith("STORE"):
            cmd.append(pick(rng, KEYS[:3]))
        cmd += [str(len(keys))] + keys
        if op not in ("ZDIFF", "ZDIFFSTORE", "ZINTERCARD"):
            if rng.random() < 0.4:
                cmd += ["WEIGHTS"] + [pick(rng, ["1", "2", "0", "-1", "0.5", "inf"]) for _ in keys]
            if rng.random() < 0.4:
                cmd += ["AGGREGATE", pick(rng, ["SUM", "MIN", "MAX", "avg"])]
        if op == "ZINTERCARD" and rng.random() < 0.5:
            cmd += ["LIMIT", str(rng.randrange(-1, 3))]
        if not op.endswith("STORE") and op != "ZINTERCARD" and rng.random() < 0.5:
            cmd.append("WITHSCORES")
        return cmd
    if c < 38:
        cmd = ["ZRANGESTORE", pick(rng, KEYS[:3]), k]
        kind = rng.randrange(2)
        if kind == 0:
            cmd += [str(rng.randrange(-6, 6)), str(rng.randrange(-6, 6))]
        elif kind == 1:
            cmd += [pick(rng, RANGES), pick(rng, RANGES), "BYSCORE"]
        else:
            cmd += [pick(rng, LEX), pick(rng, LEX), "BYLEX"]
        if rng.random() < 0.3:
            cmd.append("REV")
        if rng.random() < 0.3:
            cmd += ["LIMIT", str(rng.randrange(-1, 4)), str(rng.randrange(-1, 4))]
        return cmd
    if c < 39:
        return ["ZSCAN", k, "0"] + (["MATCH", pick(rng, ["*", "a*", "?", "1*"])] if rng.random() < 0.5 else [])
    return ["ZRANGE", k, "0", "-1", "WITHSCORES"]


def scan_pairs(raw):
    """(member, score) pairs of a ZSCAN reply that completed in one call, sorted; else None."""
    lines = raw.split(b"\r\n")
    if lines[1:3] != [b"$1", b"0"]:
        return None
    body = [l for i, l in enumerate(lines[4:]) if i % 2 == 1]
    return sorted(zip(body[0::2], body[1::2]))


def lex_command(rng, k):
    c = rng.randrange(12)
    if c < 4:
        pairs = []
        for _ in range(rng.randrange(1, 4)):
            pairs += ["0", pick(rng, MEMBERS)]
        opts = [o for o in ("NX", "XX", "CH") if rng.random() < 0.1]
        return ["ZADD", k] + opts + pairs
    if c < 5:
        return ["ZREM", k, pick(rng, MEMBERS)]
    if c < 7:
        cmd = ["ZRANGE", k, pick(rng, LEX), pick(rng, LEX), "BYLEX"]
        if rng.random() < 0.3:
            cmd.append("REV")
        if rng.random() < 0.1:
            cmd.append("WITHSCORES")
        if rng.random() < 0.4:
            cmd += ["LIMIT", str(rng.randrange(-1, 4)), str(rng.randrange(-1, 4))]
        return cmd
    if c < 8:
        cmd = [pick(rng, ["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), k, pick(rng, LEX), pick(rng, LEX)]
        if rng.random() < 0.4:
            cmd += ["LIMIT", str(rng.randrange(-1, 4)), str(rng.randrange(-1, 4))]
        return cmd
    if c < 9:
        return ["ZLEXCOUNT", k, pick(rng, LEX), pick(rng, LEX)]
    if c < 10:
        return ["ZREMRANGEBYLEX", k, pick(rng, LEX), pick(rng, LEX)]
    if c < 11:
        cmd = ["ZRANGESTORE", pick(rng, LEXKEYS), k, pick(rng, LEX), pick(rng, LEX), "BYLEX"]
        if rng.random() < 0.3:
            cmd.append("REV")
        return cmd
    return ["ZRANGE", k, "0", "-1"]


class ZsetDiff(DiffBase):
    keys = KEYS

    @staticmethod
    def random_command(rng, key):
        return random_command(rng)

    @staticmethod
    def normalize(cmd, got, want):
        if cmd[0] == "ZSCAN":
            # Hashtable scan order is the implementation's: compare complete scans as sets.
            g, w = scan_pairs(got), scan_pairs(want)
            return None if g is None or w is None else (g, w)
        return got, want


class ZsetDiffDefaultLimits(ZsetDiff, unittest.TestCase):
    pass


class ZsetDiffTinyLimits(ZsetDiff, unittest.TestCase):
    config = {"zset-max-listpack-entries": "3", "zset-max-listpack-value": "8"}


if __name__ == "__main__":
    unittest.main()
