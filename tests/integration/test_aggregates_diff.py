"""Lists, hashes, sets and SORT, differential: the same random command streams go to Ember and to
Debian's redis-server 7.0.15 and the raw replies (RESP2 and RESP3, error texts included) must be
identical byte for byte.

What 7.0 and 7.2 do differently is left out, and covered by the per-family tests instead: OBJECT
ENCODING (7.2 keeps small lists and string sets in listpacks; Redis converts a small sorted set to a
skiplist whenever SORT reads it, Ember does not), LPOS RANK LONG_MIN, out-of-range
timeouts; so are replies chosen at random (SPOP, SRANDMEMBER and HRANDFIELD are sent only with
counts that return everything, or bad counts). The blocking pops run with a 10 ms timeout (they
block only on empty keys, which then time out alike). Replies whose order is the implementation's
(a hash table's iteration: SMEMBERS, SINTER, SUNION, SDIFF, SSCAN, and HGETALL/HKEYS/HVALS of a hash
past the listpack limits) are compared as sorted multisets; hash replies of a small hash keep
listpack order in both and are compared exactly. Integer and float texts (HINCRBYFLOAT) are the
same in 7.0 and 7.2.

Each family runs with the default limits and with tiny ones, so conversions happen on nearly every
command. DUMP of lists and small hashes is compared byte for byte too (both write RDB 10 payloads
from the same node layout).
"""
import unittest

from tests.integration.diffutil import DiffBase, pick, unordered

LISTS = ["l1", "l2", "l3"]
HASHES = ["h1", "h2"]
SETS = ["s1", "s2", "s3"]
ZSETS = ["z1"]  # only as a SORT source (the sorted-set commands have test_zsets_diff.py)
KEYS = LISTS + HASHES + SETS + ZSETS + ["str", "missing"]

ITEMS = ["a", "b", "c", "1", "2", "10", "-3", "xyz", "v" * 70, "", "12345678901234567890", "3.5",
         "9223372036854775807", "-9223372036854775808"]
INDEXES = ["0", "1", "2", "-1", "-2", "-5", "5", "100", "-100", "x", "1.5",
           "9223372036854775808"]
COUNTS = ["0", "1", "2", "3", "-1", "-2", "10", "x", "-9223372036854775808"]

FIELDS = ["f1", "f2", "f3", "a", "b", "1", "2", "n", "x" * 70]
VALUES = ["1", "-1", "10", "abc", "1.5", "9223372036854775807", "-9223372036854775808", "",
          "v" * 70, "1e3", " 1", "0x1", "007", "3.0"]
INCRS = ["1", "-1", "5", "9223372036854775807", "-9223372036854775808", "x", "1.5", ""]
FLOAT_INCRS = ["1.5", "-0.25", "1e3", "inf", "-inf", "nan", "x", "3", "1e308", "0x10", ""]

MEMBERS = ["1", "2", "3", "-5", "100", "65536", "4294967296", "a", "b", "c", "", "m" * 70,
           "007", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "+1"]

# Bulk writes take the aggregates past the default limits (128 hash fields, 512 intset entries,
# 8 KB list nodes) now and then.
BULK_ITEMS = ITEMS + ["i%d" % i for i in range(40)] + ["w" * 300, "q" * 1000]
BULK_FIELDS = FIELDS + ["k%d" % i for i in range(300)]
BULK_MEMBERS = MEMBERS + [str(i) for i in range(600)]

SORT_BY = ["nosort", "w_*", "hw_*->f", "missing_*", "hw_*->nofield", "w_"]
SORT_GET = ["#", "w_*", "hw_*->f", "missing_*", "hw_*"]


def some(rng, seq, lo=1, hi=4):
    return [pick(rng, seq) for _ in range(rng.randrange(lo, hi))]


def typed_key(rng, family):
    """Mostly a key of the family; sometimes another type or a missing key."""
    r = rng.random()
    if r < 0.05:
        return pick(rng, ["str", "missing"] + [k for k in KEYS if k not in family])
    return pick(rng, family)


def list_command(rng):
    k = typed_key(rng, LISTS)
    c = rng.randrange(30)
    if c < 6:
        if rng.random() < 0.1:
            return [pick(rng, ["LPUSH", "RPUSH"]), k] + some(rng, BULK_ITEMS, 20, 80)
        return [pick(rng, ["LPUSH", "RPUSH"]), k] + some(rng, ITEMS, 1, 6)
    if c < 7:
        return [pick(rng, ["LPUSHX", "RPUSHX"]), k] + some(rng, ITEMS)
    if c < 10:
        cmd = [pick(rng, ["LPOP", "RPOP"]), k]
        return cmd + [pick(rng, COUNTS)] if rng.random() < 0.5 else cmd
    if c < 11:
        return ["LLEN", k]
    if c < 13:
        return ["LINDEX", k, pick(rng, INDEXES)]
    if c < 14:
        return ["LSET", k, pick(rng, INDEXES), pick(rng, ITEMS)]
    if c < 16:
        return ["LRANGE", k, pick(rng, INDEXES), pick(rng, INDEXES)]
    if c < 17:
        return ["LTRIM", k, pick(rng, INDEXES), pick(rng, INDEXES)]
    if c < 18:
        return ["LREM", k, pick(rng, COUNTS), pick(rng, ITEMS)]
    if c < 19:
        return ["LINSERT", k, pick(rng, ["BEFORE", "AFTER", "after", "middle"]), pick(rng, ITEMS),
                pick(rng, ITEMS)]
    if c < 21:
        cmd = ["LPOS", k, pick(rng, ITEMS)]
        for opt, vals in (("RANK", ["1", "-1", "2", "-2", "0", "x"]), ("COUNT", ["0", "1", "2", "-1"]),
                          ("MAXLEN", ["0", "1", "3", "-1"])):
            if rng.random() < 0.35:
                cmd += [opt, pick(rng, vals)]
        return cmd
    if c < 23:
        return ["LMOVE", k, typed_key(rng, LISTS), pick(rng, ["LEFT", "RIGHT"]),
                pick(rng, ["LEFT", "RIGHT", "up"])]
    if c < 24:
        return ["RPOPLPUSH", k, typed_key(rng, LISTS)]
    if c < 26:
        keys = [typed_key(rng, LISTS) for _ in range(rng.randrange(1, 3))]
        cmd = ["LMPOP", pick(rng, [str(len(keys))] * 6 + ["0", "5", "x"])] + keys + \
            [pick(rng, ["LEFT", "RIGHT", "RIGHT", "mid"])]
        if rng.random() < 0.5:
            cmd += ["COUNT", pick(rng, COUNTS)]
        return cmd
    if c < 27:
        return ["DUMP", k]
    if c < 28:
        return blocking_list_command(rng, k)
    return ["LRANGE", k, "0", "-1"]


def blocking_list_command(rng, k):
    """The blocking pops with a short timeout (never 0: an empty key would block the stream)."""
    timeout = pick(rng, ["0.01", "0.01", "0.01", "-1", "x", "-0.5"])
    op = pick(rng, ["BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH", "BLMPOP"])
    if op in ("BLPOP", "BRPOP"):
        return [op, k] + ([typed_key(rng, LISTS)] if rng.random() < 0.5 else []) + [timeout]
    if op == "BLMOVE":
        return [op, k, typed_key(rng, LISTS), pick(rng, ["LEFT", "RIGHT"]), pick(rng, ["LEFT", "RIGHT"]),
                timeout]
    if op == "BRPOPLPUSH":
        return [op, k, typed_key(rng, LISTS), timeout]
    cmd = [op, timeout, "2", k, typed_key(rng, LISTS), pick(rng, ["LEFT", "RIGHT"])]
    return cmd + ["COUNT", pick(rng, ["1", "3", "0"])] if rng.random() < 0.5 else cmd


def hash_command(rng):
    k = typed_key(rng, HASHES)
    c = rng.randrange(30)
    if c < 6:
        pairs = []
        bulk = rng.random() < 0.1
        for _ in range(rng.randrange(20, 80) if bulk else rng.randrange(1, 4)):
            pairs += [pick(rng, BULK_FIELDS if bulk else FIELDS), pick(rng, VALUES)]
        if rng.random() < 0.03:
            pairs.pop()
        return [pick(rng, ["HSET", "HSET", "HMSET"]), k] + pairs
    if c < 7:
        return ["HSETNX", k, pick(rng, FIELDS), pick(rng, VALUES)]
    if c < 9:
        return ["HGET", k, pick(rng, FIELDS)]
    if c < 10:
        return ["HMGET", k] + some(rng, FIELDS)
    if c < 12:
        return ["HDEL", k] + some(rng, FIELDS)
    if c < 13:
        return ["HLEN", k]
    if c < 14:
        return ["HSTRLEN", k, pick(rng, FIELDS)]
    if c < 15:
        return ["HEXISTS", k, pick(rng, FIELDS)]
    if c < 18:
        return [pick(rng, ["HKEYS", "HVALS", "HGETALL"]), k]
    if c < 21:
        return ["HINCRBY", k, pick(rng, FIELDS), pick(rng, INCRS)]
    if c < 24:
        return ["HINCRBYFLOAT", k, pick(rng, FIELDS), pick(rng, FLOAT_INCRS)]
    if c < 26:
        # Only counts whose reply is not random: the whole hash, nothing, or an error.
        cmd = ["HRANDFIELD", k, pick(rng, ["1000", "0", "x", "-0"])]
        return cmd + ["WITHVALUES"] if rng.random() < 0.5 else cmd
    if c < 27:
        cmd = ["HSCAN", k, pick(rng, ["0", "0", "x", "-1"])]
        if rng.random() < 0.4:
            cmd += ["MATCH", pick(rng, ["*", "f*", "?", "x*"])]
        if rng.random() < 0.3:
            cmd += ["COUNT", pick(rng, ["1", "1000", "0", "x"])]
        return cmd
    if c < 28:
        return ["DUMP", k]
    return ["HGETALL", k]


def set_command(rng):
    k = typed_key(rng, SETS)
    c = rng.randrange(32)
    if c < 7:
        if rng.random() < 0.1:
            return ["SADD", k] + some(rng, BULK_MEMBERS, 50, 200)
        return ["SADD", k] + some(rng, MEMBERS, 1, 6)
    if c < 9:
        return ["SREM", k] + some(rng, MEMBERS)
    if c < 10:
        return ["SCARD", k]
    if c < 12:
        return ["SISMEMBER", k, pick(rng, MEMBERS)]
    if c < 13:
        return ["SMISMEMBER", k] + some(rng, MEMBERS)
    if c < 15:
        return ["SMEMBERS", k]
    if c < 16:
        return ["SPOP", k, pick(rng, ["1000", "0", "-1", "x"])]
    if c < 17:
        return ["SRANDMEMBER", k, pick(rng, ["1000", "0", "x"])]
    if c < 18:
        return ["SMOVE", k, typed_key(rng, SETS), pick(rng, MEMBERS)]
    if c < 26:
        op = pick(rng, ["SINTER", "SUNION", "SDIFF", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE",
                        "SINTERCARD"])
        keys = [typed_key(rng, SETS) for _ in range(rng.randrange(1, 4))]
        if op == "SINTERCARD":
            cmd = [op, pick(rng, [str(len(keys))] * 6 + ["0", "9", "x"])] + keys
            if rng.random() < 0.5:
                cmd += ["LIMIT", pick(rng, ["0", "1", "2", "-1", "x"])]
            return cmd
        return [op] + ([typed_key(rng, SETS)] if op.endswith("STORE") else []) + keys
    if c < 27:
        cmd = ["SSCAN", k, pick(rng, ["0", "0", "x"])]
        if rng.random() < 0.4:
            cmd += ["MATCH", pick(rng, ["*", "1*", "?", "a*"])]
        return cmd + ["COUNT", "1000"]
    return ["SMEMBERS", k]


def sort_command(rng, key):
    k = typed_key(rng, LISTS + SETS + LISTS + ZSETS)
    cmd = [pick(rng, ["SORT", "SORT", "SORT_RO"]), k]
    by = None
    if rng.random() < 0.4:
        by = pick(rng, SORT_BY)
        cmd += ["BY", by if by == "nosort" else key(by)]
    if rng.random() < 0.3:
        cmd += ["LIMIT", pick(rng, ["0", "1", "-1", "x"]), pick(rng, ["0", "2", "-1", "10"])]
    for _ in range(rng.randrange(0, 3)):
        g = pick(rng, SORT_GET)
        cmd += ["GET", g if g == "#" else key(g)]
    if rng.random() < 0.4:
        cmd.append(pick(rng, ["ASC", "DESC"]))
    if rng.random() < 0.6:
        cmd.append("ALPHA")
    if cmd[0] == "SORT" and rng.random() < 0.3:
        cmd += ["STORE", typed_key(rng, LISTS)]
    return cmd


def generic_command(rng):
    c = rng.randrange(6)
    k = pick(rng, KEYS)
    if c < 2:
        return ["TYPE", k]
    if c < 3:
        return ["EXISTS"] + some(rng, KEYS)
    if c < 4:
        return ["DEL", k]
    if c < 5:
        return ["RENAME", k, pick(rng, KEYS)]
    return ["COPY", k, pick(rng, KEYS)] + (["REPLACE"] if rng.random() < 0.5 else [])


def random_command(rng, key):
    r = rng.random()
    if r < 0.28:
        return list_command(rng)
    if r < 0.56:
        return hash_command(rng)
    if r < 0.84:
        return set_command(rng)
    if r < 0.95:
        return sort_command(rng, key)
    return generic_command(rng)


SET_REPLIES = {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "SPOP", "SRANDMEMBER"}


class AggregatesDiff(DiffBase):
    keys = KEYS
    # Redis 7.0 gives lists made by SORT ... STORE the default node size whatever
    # list-max-listpack-size says, so node layouts (DUMP) are compared only at the default size.
    compare_list_dumps = True

    def setup_stream(self, conns, key):
        super().setup_stream(conns, key)
        for c in conns:
            c.call("ZADD", key("z1"), "1", "b", "1", "a", "2", "10", "-1", "xyz", "3", "", "2", "-3")
            for i, v in enumerate(ITEMS + MEMBERS):
                if i % 3:
                    c.call("SET", key("w_" + v), str((i * 7) % 11 - 3) if i % 5 else "x")
                if i % 4:
                    c.call("HSET", key("hw_" + v), "f", str((i * 5) % 13) if i % 7 else "1.5e1")

    def random_command(self, rng, key):
        return random_command(rng, key)

    # Inside MULTI, prepare() sees the types before the queued commands run: SORT is queued without
    # STORE, and its reply is not compared.
    exec_skip = DiffBase.exec_skip | {"SORT", "SORT_RO"}

    def prepare(self, cmd):
        if cmd[0] not in ("SORT", "SORT_RO"):
            return cmd
        if self.in_multi:
            if "STORE" in cmd:
                del cmd[cmd.index("STORE"):]
            return cmd
        by = cmd[cmd.index("BY") + 1] if "BY" in cmd else None
        unsorted = by is not None and "*" not in by
        ties = by is not None and not unsorted and "ALPHA" in cmd
        kind = self.redis_type(cmd[1])
        is_set = kind == b"+set\r\n"
        # Redis loads a sorted set to sort (BY a pattern) from its hash table, not in score order.
        hashed = is_set or kind == b"+zset\r\n"
        if "STORE" in cmd and ties and (hashed or "LIMIT" in cmd):
            # Ties would be stored in each server's order (see normalize).
            del cmd[cmd.index("STORE"):]
        if is_set:
            if unsorted and "STORE" not in cmd:
                # BY without '*' leaves a set in its iteration order (Redis sorts it for STORE).
                del cmd[cmd.index("BY"):cmd.index("BY") + 2]
        return cmd

    def normalize(self, cmd, got, want):
        name = cmd[0]
        if name in SET_REPLIES:
            return unordered(got), unordered(want)
        big = (name.startswith("H") or name == "DUMP") and self.is_big_hash(cmd[1])
        if name in ("SSCAN", "HSCAN") and (name == "SSCAN" or big):
            # A scan that completes in one call, compared as a set; cursors of partial scans are
            # the implementation's.
            done = b"*2\r\n$1\r\n0\r\n"
            if cmd[2] != "0" or not got.startswith(done) or not want.startswith(done):
                return None
            group = 2 if name == "HSCAN" else 1
            return unordered(got[len(done):], group), unordered(want[len(done):], group)
        if name in ("HKEYS", "HVALS", "HGETALL", "HRANDFIELD") and big:
            group = 2 if name == "HGETALL" or (name == "HRANDFIELD" and len(cmd) > 3) else 1
            return unordered(got, group), unordered(want, group)
        if name == "DUMP":
            kind = self.redis_type(cmd[1])
            if big or kind in (b"+set\r\n", b"+zset\r\n"):
                # A hash table's payload is in its iteration order; and Redis converts a sorted set
                # to a skiplist for good when SORT reads it (Ember keeps the listpack).
                return None
            if kind == b"+list\r\n" and not self.compare_list_dumps:
                return None
        if name in ("SORT", "SORT_RO") and "ALPHA" in cmd and "BY" in cmd:
            # ALPHA with BY compares weight strings only, and missing weights are all equal. Ties
            # keep the input order (a stable sort) unless LIMIT asks for a partial sort, where Redis
            # leaves them in whatever order its partial quicksort does; and a set's input order is
            # its iteration order. Compare those as multisets of GET groups, or not at all.
            if "LIMIT" in cmd:
                return None
            if self.redis_type(cmd[1]) not in (b"+set\r\n", b"+zset\r\n"):
                return got, want
            return unordered(got, max(1, cmd.count("GET"))), unordered(want, max(1, cmd.count("GET")))
        return got, want

    def redis_type(self, key):
        return self.redis_conn.call("TYPE", key)

    def is_big_hash(self, key):
        return self.redis_conn.call("OBJECT", "ENCODING", key) == b"$9\r\nhashtable\r\n"

    def run_stream(self, seed, resp3):
        from tests.harness import RawConn
        self.redis_conn = RawConn(self.redis.port)
        try:
            super().run_stream(seed, resp3)
        finally:
            self.redis_conn.close()


class AggregatesDiffDefaultLimits(AggregatesDiff, unittest.TestCase):
    pass


class AggregatesDiffTinyLimits(AggregatesDiff, unittest.TestCase):
    compare_list_dumps = False
    config = {"hash-max-listpack-entries": "3", "hash-max-listpack-value": "8",
              "set-max-intset-entries": "4", "list-max-listpack-size": "3"}


if __name__ == "__main__":
    unittest.main()
