"""Sorted sets, differential: the same random command streams go to Ember and to Debian's
redis-server 7.0.15, and the raw replies (RESP2 and RESP3, error texts included) must be identical
byte for byte.

Scores are drawn from values whose text is the same in Redis 7.0 ("%.17g") and 7.2 (shortest
round-trip): small integers, halves, quarters and +-inf, so the 7.0 reference is exact for 7.2 here.
Commands with 7.2-only syntax (ZRANK ... WITHSCORE) and random replies (ZRANDMEMBER) are covered in
test_zsets.py instead. Keys are spread over a few names so the multi-key commands meet zsets,
missing keys and wrong types; two classes run with the default limits and with tiny listpack limits
(conversions on nearly every command).

Skipped when EMBER_TEST_TARGET=redis (there is nothing to compare against).
"""
import random
import unittest

from tests.harness import EmberServer, RawConn, RedisServer, target_is_redis

KEYS = ["z1", "z2", "z3", "str", "l1", "l2"]
# Lex ranges are only defined when all scores are equal (Redis walks skiplist levels assuming lex
# order), so lex commands target l1/l2, which only ever get score 0.
LEXKEYS = ["l1", "l2"]
MEMBERS = ["a", "b", "c", "d", "e", "f", "g", "h", "1", "2", "10", "-3", "m" * 70, "aa", "ab"]
SCORES = ["0", "1", "2", "-1", "1.5", "-2.5", "0.25", "3", "10", "inf", "-inf", "+inf", "100"]
LEX = ["-", "+", "[a", "(a", "[c", "(d", "[1", "(10", "[m", "[b", "(", "[", "x", "a"]
RANGES = ["0", "1", "-1", "(1", "(0", "-inf", "+inf", "2.5", "(inf", "abc", "10", "(-1", "1e400"]


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


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


class DiffBase:
    config = {}
    seeds = range(int(__import__("os").environ.get("ZDIFF_SEEDS", "6")))
    commands_per_seed = 700

    @classmethod
    def setUpClass(cls):
        if target_is_redis():
            raise unittest.SkipTest("differential test needs Ember and Redis")
        cls.ember = EmberServer(config=cls.config).start()
        cls.redis = RedisServer(config=cls.config).start()

    @classmethod
    def tearDownClass(cls):
        cls.ember.cleanup()
        cls.redis.cleanup()

    def run_stream(self, seed, resp3):
        rng = random.Random(seed)
        conns = [RawConn(self.ember.port), RawConn(self.redis.port)]
        try:
            if resp3:
                for c in conns:
                    c.call("HELLO", "3")
            prefix = "s%d:%d:" % (seed, resp3)
            # A string key for WRONGTYPE paths, when the build has SET (the strings family).
            if not conns[0].call("SET", prefix + "str", "x").startswith(b"-"):
                conns[1].call("SET", prefix + "str", "x")
            history = []
            for _ in range(self.commands_per_seed):
                cmd = random_command(rng)
                # Keys get a per-stream prefix so streams never share state.
                cmd = [prefix + a if a in KEYS else a for a in cmd]
                history.append(cmd)
                got, want = conns[0].call(*cmd), conns[1].call(*cmd)
                if cmd[0] == "ZSCAN" and not got.startswith(b"-"):
                    # Hashtable scan order is the implementation's: compare complete scans as sets.
                    g, w = scan_pairs(got), scan_pairs(want)
                    if g is None or w is None:
                        continue
                    got, want = g, w
                if got != want:
                    self.fail("seed %d resp3=%s: %r\n ember: %r\n redis: %r\n last commands: %r"
                              % (seed, resp3, cmd, got, want, history[-8:]))
        finally:
            for c in conns:
                c.close()

    def test_resp2_streams(self):
        for seed in self.seeds:
            self.run_stream(seed, False)

    def test_resp3_streams(self):
        for seed in self.seeds:
            self.run_stream(1000 + seed, True)


class ZsetDiffDefaultLimits(DiffBase, unittest.TestCase):
    pass


class ZsetDiffTinyLimits(DiffBase, unittest.TestCase):
    config = {"zset-max-listpack-entries": "3", "zset-max-listpack-value": "8"}


if __name__ == "__main__":
    unittest.main()
