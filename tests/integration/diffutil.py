"""Differential testing against Debian's redis-server: the same random command streams go to Ember
and to Redis, and the raw replies (RESP2 and RESP3, error texts included) must be identical.

A test class mixes in DiffBase and names:
  keys             the key names the generator uses; each stream prefixes them, so streams never
                   share state
  random_command   staticmethod(rng, key) -> argument list; key(name) gives the prefixed name
                   (for arguments that embed a key, such as SORT's BY and GET patterns)
  normalize        optional (cmd, got, want) -> (got, want) to compare, or None to skip the
                   comparison (replies whose order is the implementation's)
  prepare          optional (cmd) -> the command to send (to drop what would make the two
                   datasets differ for reasons outside the comparison)
  transaction_rate share of MULTI / EXEC / DISCARD / WATCH / UNWATCH in the stream (0 for none)

Skipped when EMBER_TEST_TARGET=redis (there is nothing to compare against).
"""
import os
import random
import unittest

from tests.harness import EmberServer, RawConn, RedisServer, target_is_redis


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def _element_end(raw, i):
    """Index just past the RESP value that starts at raw[i]."""
    end = raw.index(b"\r\n", i)
    t, n = raw[i:i + 1], raw[i + 1:end]
    i = end + 2
    if t in (b"$", b"=", b"!"):
        return i if int(n) < 0 else i + int(n) + 2
    if t in (b"*", b"~", b">", b"%", b"|"):
        count = int(n) * (2 if t in (b"%", b"|") else 1)
        for _ in range(max(count, 0)):
            i = _element_end(raw, i)
    return i


def split_aggregate(raw):
    """(header line, [raw element, ...]) of an aggregate reply; None for anything else."""
    if raw[:1] not in (b"*", b"~", b"%") or raw.startswith(b"*-1"):
        return None
    end = raw.index(b"\r\n")
    header, i, out = raw[:end + 2], end + 2, []
    while i < len(raw):
        j = _element_end(raw, i)
        out.append(raw[i:j])
        i = j
    return header, out


def unordered(raw, group=1):
    """An aggregate reply with its elements (or groups of `group` elements, such as field/value
    pairs) sorted: for replies whose order is the implementation's (hash table iteration)."""
    parts = split_aggregate(raw)
    if parts is None:
        return raw
    header, elems = parts
    if header[:1] == b"%":
        group = 2
    elif elems and elems[0][:1] == b"*":
        group = 1  # RESP3 pairs arrive as two-element arrays
    groups = [b"".join(elems[i:i + group]) for i in range(0, len(elems), group)]
    return header + b"".join(sorted(groups))


class DiffBase:
    config = {}
    seeds = range(int(os.environ.get("DIFF_SEEDS", "12")))
    commands_per_seed = 700
    keys = []

    @staticmethod
    def normalize(cmd, got, want):
        return got, want

    @staticmethod
    def prepare(cmd):
        return cmd

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

    def setup_stream(self, conns, key):
        """Keys every stream starts with (a string key for the WRONGTYPE paths)."""
        for c in conns:
            c.call("SET", key("str"), "x")

    # Transactions: with this probability a command is replaced by one of MULTI / EXEC / DISCARD /
    # WATCH / UNWATCH, so streams queue commands, nest MULTI, EXEC without MULTI, WATCH keys the
    # stream then changes, and so on. EXEC's reply is compared element by element, each with the
    # command it answers (normalize sees them as if they had run alone).
    transaction_rate = 0.04
    # Commands whose replies inside EXEC are not compared: Redis's queued arguments hold object
    # references (OBJECT REFCOUNT), and scans' cursors and orders and hash-table payloads are the
    # implementation's (normalize() would look at the state after EXEC, not the queued command's).
    exec_skip = {"OBJECT", "DUMP", "SCAN", "SSCAN", "HSCAN", "ZSCAN"}
    in_multi = False  # while a stream is inside MULTI (prepare() may look)

    def transaction_command(self, rng, key):
        c = rng.randrange(10)
        if c < 3:
            return ["MULTI"]
        if c < 6:
            return ["EXEC"]
        if c < 7:
            return ["DISCARD"]
        if c < 9:
            return ["WATCH"] + [pick(rng, self.keys) for _ in range(rng.randrange(1, 3))]
        return ["UNWATCH"]

    def compare(self, cmd, got, want):
        """(got, want) as they are to be compared, or None to skip."""
        if got.startswith(b"-"):
            return got, want
        return self.normalize(cmd, got, want)

    def run_stream(self, seed, resp3):
        rng = random.Random(seed)
        conns = [RawConn(self.ember.port), RawConn(self.redis.port)]
        try:
            if resp3:
                for c in conns:
                    c.call("HELLO", "3")
            prefix = "s%d:%d:" % (seed, resp3)

            def key(name):
                return prefix + name

            self.setup_stream(conns, key)
            history = []
            queued = None  # commands queued since MULTI (None: not in a transaction)
            for _ in range(self.commands_per_seed):
                if rng.random() < self.transaction_rate:
                    cmd = self.transaction_command(rng, key)
                else:
                    cmd = self.random_command(rng, key)
                self.in_multi = queued is not None
                cmd = self.prepare([prefix + a if a in self.keys else a for a in cmd])
                history.append(cmd)
                got, want = conns[0].call(*cmd), conns[1].call(*cmd)
                name = cmd[0].upper()
                compared = (got, want)
                if name == "MULTI" and want == b"+OK\r\n":
                    queued = []
                elif name in ("EXEC", "DISCARD") and queued is not None:
                    if name == "EXEC" and got == want and got[:1] == b"*" and got != b"*-1\r\n":
                        pass  # identical as a whole
                    elif name == "EXEC" and split_aggregate(got) and split_aggregate(want):
                        g, w = split_aggregate(got)[1], split_aggregate(want)[1]
                        if len(g) == len(w) == len(queued):
                            compared = (b"", b"")
                            for qcmd, gi, wi in zip(queued, g, w):
                                if qcmd[0].upper() in self.exec_skip:
                                    continue
                                c2 = self.compare(qcmd, gi, wi)
                                if c2 is None or c2[0] == c2[1]:
                                    continue
                                # normalize() looks at the state after EXEC, not at the queued
                                # command's: accept the same elements in another order.
                                if any(unordered(gi, n) == unordered(wi, n) for n in (1, 2)):
                                    continue
                                compared = (gi, wi)
                                cmd = qcmd
                                break
                    queued = None
                elif queued is not None and want == b"+QUEUED\r\n":
                    queued.append(cmd)
                else:
                    compared = self.compare(cmd, got, want)
                if compared is None:
                    continue
                got, want = compared
                if got != want:
                    self.fail("seed %d resp3=%s: %r\n ember: %r\n redis: %r\n last commands: %r"
                              % (seed, resp3, cmd[:20], got[:1500], want[:1500],
                                 [c[:12] for c in history[-8:]]))
        finally:
            for c in conns:
                c.close()

    def test_resp2_streams(self):
        for seed in self.seeds:
            self.run_stream(seed, False)

    def test_resp3_streams(self):
        for seed in self.seeds:
            self.run_stream(1000 + seed, True)
