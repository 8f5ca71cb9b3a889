"""Sorted sets stored inline in their key record (core/object.h, "Inline listpacks"), differential:
random streams of zset writes mixed with the keyspace commands that move, copy or rebuild records
(RENAME, COPY, MOVE, EXPIRE/PERSIST, SET over a zset, DEL, ZUNIONSTORE/ZRANGESTORE into existing
keys, DUMP/RESTORE) go to Ember and to Debian's redis-server 7.0.15; every reply must be identical
byte for byte, and after each batch DEBUG DIGEST-VALUE of every key and DEBUG DIGEST must match.
Members are long enough that zsets cross the 512-byte inline limit and the 128-entry listpack
limit both ways, and DEBUG RELOAD checks the RDB round trip of inline values.

Skipped when EMBER_TEST_TARGET=redis (there is nothing to compare against).
"""
import random
import re
import unittest

from tests.harness import EmberServer, RawConn, RedisServer, target_is_redis

KEYS = ["a", "b", "c", "d", "s"]


def member(rng):
    # Mostly ~60 distinct members of 9..12 bytes (~45 of them make a listpack of ~600 bytes), some
    # from a wider pool so a zset now and then passes 128 entries (skiplist) and comes back.
    if rng.random() < 0.1:
        return "%d" % rng.randrange(50)
    return "member:%d" % rng.randrange(60 if rng.random() < 0.8 else 400)


def score(rng):
    return rng.choice(["0", "1", "1.5", "2", "-3", "4.25", "100", "7"])


def random_command(rng):
    k = rng.choice(KEYS[:4])
    k2 = rng.choice(KEYS)
    c = rng.randrange(30)
    if c < 10:
        pairs = []
        if rng.random() < 0.1:
            for _ in range(70):  # a burst from the wide pool: often past 128 entries
                pairs += [score(rng), "member:%d" % rng.randrange(400)]
        for _ in range(rng.randrange(1, 8)):
            pairs += [score(rng), member(rng)]
        return ["ZADD", k] + pairs
    if c < 12:
        return ["ZINCRBY", k, score(rng), member(rng)]
    if c < 15:
        return ["ZREM", k] + [member(rng) for _ in range(rng.randrange(1, 6))]
    if c < 16:
        return [rng.choice(["ZPOPMIN", "ZPOPMAX"]), k, str(rng.randrange(1, 4))]
    if c < 17:
        return ["ZREMRANGEBYRANK", k, str(rng.randrange(-5, 5)), str(rng.randrange(-5, 5))]
    if c < 18:
        return ["ZREMRANGEBYSCORE", k, score(rng), score(rng)]
    if c < 19:
        return ["RENAME", k, k2]
    if c < 20:
        return ["COPY", k, k2] + (["REPLACE"] if rng.random() < 0.5 else [])
    if c < 21:
        return ["EXPIRE", k, str(rng.randrange(1000, 100000))]
    if c < 22:
        return ["PERSIST", k]
    if c < 23:
        return ["SET", "s", "x" * rng.randrange(1, 60)] if rng.random() < 0.5 else ["SET", k, "v"]
    if c < 24:
        return ["DEL", k]
    if c < 25:
        return ["ZUNIONSTORE", k, "2", k, k2]
    if c < 26:
        return ["ZRANGESTORE", k2, k, "0", str(rng.randrange(0, 60))]
    if c < 27:
        return ["MOVE", k, "1"] if rng.random() < 0.5 else ["SWAPDB", "0", "1"]
    if c < 28:
        return ["ZRANGE", k, "0", "-1", "WITHSCORES"]
    if c < 29:
        return ["OBJECT", "ENCODING", k]
    return ["ZCARD", k]


@unittest.skipIf(target_is_redis(), "differential test: needs both servers")
class ZsetInlineDiff(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ember = EmberServer().start()
        cls.redis = RedisServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.ember.stop()
        cls.redis.stop()

    def check_digests(self, e, r, where):
        # Compared as lists of hex digests (Redis 7.0 replies status strings, Ember bulk strings).
        def hexes(raw):
            return re.findall(rb"[0-9a-f]{40}", raw)

        for db in ("0", "1"):
            self.assertEqual(e.call("SELECT", db), r.call("SELECT", db))
            de = hexes(e.call("DEBUG", "DIGEST-VALUE", *KEYS))
            self.assertEqual(len(de), len(KEYS))
            self.assertEqual(de, hexes(r.call("DEBUG", "DIGEST-VALUE", *KEYS)), f"{where}: db {db}")
        e.call("SELECT", "0")
        r.call("SELECT", "0")
        self.assertEqual(hexes(e.call("DEBUG", "DIGEST")), hexes(r.call("DEBUG", "DIGEST")), where)

    def test_streams(self):
        e, r = RawConn(self.ember.port), RawConn(self.redis.port)
        seen, cards = set(), set()
        try:
            for seed in range(6):
                rng = random.Random(seed)
                self.assertEqual(e.call("FLUSHALL"), r.call("FLUSHALL"))
                for i in range(1500):
                    cmd = random_command(rng)
                    reply = e.call(*cmd)
                    self.assertEqual(reply, r.call(*cmd), f"seed {seed} step {i}: {cmd}")
                    if cmd[0] == "OBJECT":
                        seen.add(reply)
                    elif cmd[0] == "ZCARD" and reply.startswith(b":"):
                        cards.add(int(reply[1:-2]))
                    if i % 100 == 99:
                        self.check_digests(e, r, f"seed {seed} step {i}")
                # DUMP/RESTORE of whatever is there, then an RDB round trip.
                for k in KEYS[:4]:
                    self.assertEqual(e.call("DUMP", k), r.call("DUMP", k), f"DUMP {k}")
                for k in KEYS[:4]:
                    if e.call("TYPE", k) == b"+zset\r\n":
                        raw = e.call("DUMP", k)
                        blob = raw[raw.index(b"\r\n") + 2:-2]
                        self.assertEqual(e.call("RESTORE", k + "r", "0", blob),
                                         r.call("RESTORE", k + "r", "0", blob))
                        self.assertEqual(e.call("ZRANGE", k + "r", "0", "-1", "WITHSCORES"),
                                         r.call("ZRANGE", k + "r", "0", "-1", "WITHSCORES"))
                self.assertEqual(e.call("DEBUG", "RELOAD"), b"+OK\r\n")
                self.check_digests(e, r, f"seed {seed} after reload")
        finally:
            e.close()
            r.close()
        # The streams must have visited inline (< ~40 members), external listpacks (> 512 bytes,
        # ~45..128 members) and skiplists.
        self.assertIn(b"$8\r\nlistpack\r\n", seen)
        self.assertIn(b"$8\r\nskiplist\r\n", seen, sorted(cards))
        self.assertTrue(any(0 < c < 30 for c in cards), sorted(cards))
        self.assertTrue(any(60 < c <= 128 for c in cards), sorted(cards))


if __name__ == "__main__":
    unittest.main()
