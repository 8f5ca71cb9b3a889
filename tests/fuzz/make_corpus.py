#!/usr/bin/python3
"""Regenerates the seed corpus of the RDB fuzz targets (tests/fuzz/corpus/{rdb_load,restore_payload}).

    /usr/bin/python3 tests/fuzz/make_corpus.py        (needs Debian's redis-server; ~5 s)

Valid inputs come from two places: DUMP payloads and SAVE files written by Debian's redis-server
7.0.15 (so their encodings are Redis's own), and files built byte by byte with tests/interop/
rdb_util.py for what Redis 7.0 no longer writes (ziplist, zipmap, quicklist 1, plain lists, ascii
zset scores, RDB versions 3 and 6, the seconds EXPIRETIME opcode) or writes only in later versions
(7.2's SET_LISTPACK). Broken inputs are derived from them: truncations, flipped bits, wrong magic,
bad versions, lengths past the end, compact blobs whose headers lie, types Ember refuses.

Names: `ok-*` must be accepted; `bad-*` (corrupt: Redis refuses them too) and `refused-*` (valid
for Redis, but a type Ember cannot represent: streams, functions) must be refused
(tests/unit/persist/fuzz_corpus_test.cc checks both). Every file is small (the fuzzer mutates faster, and the replay in `make test` stays fast).
The output is deterministic except for Redis's ctime/used-mem aux fields.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
sys.path.insert(0, os.path.join(HERE, ".."))
import rdb_util as u  # noqa: E402
import redis  # noqa: E402
from harness import RedisServer  # noqa: E402

FAR = 4102444800000  # 2100-01-01 in ms: never expired


def write(sub, name, data):
    d = os.path.join(HERE, "corpus", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def redis_payloads(compression):
    """{name: DUMP payload} for one value of every type and encoding Redis 7.0 writes."""
    cfg = {"rdbcompression": "yes" if compression else "no", "hash-max-listpack-entries": 4,
           "zset-max-listpack-entries": 4, "set-max-intset-entries": 4, "list-max-listpack-size": 4,
           "list-compress-depth": 1}
    out = {}
    with RedisServer(config=cfg) as srv:
        r = srv.client()
        r.set("string-int", "12345")
        r.set("string-neg", "-70000")
        r.set("string-emb", "hello world")
        r.set("string-raw", "ab" * 60)
        r.set("string-binary", bytes(range(256))[::7])
        r.set("string-empty", "")
        r.rpush("list-small", "a", "1", "bb")
        r.rpush("list-nodes", *[f"element-{i:03d}-" * 3 for i in range(14)])
        r.sadd("set-intset", 1, -5, 70000)
        r.sadd("set-hashtable", "a", "b", "c", "d", "e", "f")
        r.hset("hash-listpack", mapping={"f1": "v1", "f2": "2"})
        r.hset("hash-hashtable", mapping={f"field{i}": f"value{i}" for i in range(6)})
        r.zadd("zset-listpack", {"a": 1, "b": 2.5, "c": -3})
        r.zadd("zset-skiplist", {f"m{i}": i * 1.5 for i in range(6)})
        r.xadd("stream", {"f": "v"}, id="1-1")
        for k in r.keys("*"):
            out[k.decode()] = r.dump(k)
        r.close()
    return out


def redis_save_file(populate, cfg=None):
    with RedisServer(config=dict(cfg or {})) as srv:
        r = srv.client()
        populate(r)
        r.save()
        r.close()
        with open(os.path.join(srv.dir, "dump.rdb"), "rb") as f:
            return f.read()


def restore_corpus():
    comp = redis_payloads(True)
    plain = redis_payloads(False)
    for name, p in comp.items():
        if name == "stream":
            write("restore_payload", "refused-stream", p)
            continue
        write("restore_payload", f"ok-{name}", p)
    for name in ("list-nodes", "string-raw", "hash-listpack", "zset-listpack"):
        write("restore_payload", f"ok-{name}-uncompressed", plain[name])

    # Types Redis 7.0 no longer writes (but loads), and 7.2's listpack set.
    legacy = {
        "ok-list-ziplist": (u.T_LIST_ZIPLIST, u.enc_str(u.ziplist(["a", 7, "ccc", 300]))),
        "ok-list-quicklist1": (u.T_LIST_QUICKLIST, u.enc_len(2) + u.enc_str(u.ziplist(["a", "b"])) +
                               u.enc_str(u.ziplist([1, 2, 3]))),
        "ok-list-linked": (u.T_LIST, u.enc_len(3) + u.enc_str("x") + u.enc_int_str(42) + u.enc_str("")),
        "ok-hash-zipmap": (u.T_HASH_ZIPMAP, u.enc_str(u.zipmap([("f", "v"), ("name", "ember")]))),
        "ok-hash-ziplist": (u.T_HASH_ZIPLIST, u.enc_str(u.ziplist(["f", "v", "n", 12]))),
        "ok-zset-ziplist": (u.T_ZSET_ZIPLIST, u.enc_str(u.ziplist(["a", 1, "b", "2.5"]))),
        "ok-zset-ascii": (u.T_ZSET, u.enc_len(3) + u.enc_str("a") + b"\x031.5" + u.enc_str("b") +
                          b"\xfe" + u.enc_str("c") + b"\xff"),
        "ok-set-plain": (u.T_SET, u.enc_len(2) + u.enc_str("x") + u.enc_int_str(3)),
    }
    for name, (t, body) in legacy.items():
        write("restore_payload", name, u.dump_footer(bytes([t]) + body))
    write("restore_payload", "ok-set-listpack-v11",
          u.dump_footer(bytes([u.T_SET_LISTPACK]) + u.enc_str(u.listpack(["a", 5, "bc"])), 11))

    # Broken payloads: every one has a correct footer, so only the body is wrong.
    s = comp["string-raw"]
    body, _ = u.split_payload(s)
    bad = {
        "bad-short": b"\x00\x01",
        "bad-future-version": u.dump_footer(u.split_payload(comp["string-emb"])[0], 13),
        "bad-trailing-byte": u.dump_footer(u.split_payload(comp["string-emb"])[0] + b"x"),
        "bad-truncated-string": u.dump_footer(body[:-5]),
        "bad-empty-body": u.dump_footer(b""),
        "bad-unknown-type": u.dump_footer(b"\x1e" + u.enc_str("v")),
        "bad-opcode-as-type": u.dump_footer(b"\xfc" + u.enc_str("v")),
        "bad-module-type": u.dump_footer(bytes([u.T_MODULE_2]) + b"\x81" + b"\x00" * 8),
        "bad-string-len-past-end": u.dump_footer(b"\x00\x80\x7f\xff\xff\xff" + b"abc"),
        "bad-lzf-lengths": u.dump_footer(b"\x00\xc3" + u.enc_len(7) + u.enc_len(40) +
                                         b"\x02abc\xe0\x00\x02"),
        "bad-listpack-total-lies": u.dump_footer(bytes([u.T_HASH_LISTPACK]) + u.enc_str(
            u.listpack(["f", "v"], total=200))),
        "bad-listpack-count-lies": u.dump_footer(bytes([u.T_HASH_LISTPACK]) + u.enc_str(
            u.listpack(["f", "v", "g", "w"], count=3))),
        "bad-listpack-odd-hash": u.dump_footer(bytes([u.T_HASH_LISTPACK]) + u.enc_str(
            u.listpack(["f", "v", "g"]))),
        "bad-listpack-dup-field": u.dump_footer(bytes([u.T_HASH_LISTPACK]) + u.enc_str(
            u.listpack(["f", "v", "f", "w"]))),
        "bad-ziplist-count-lies": u.dump_footer(bytes([u.T_LIST_ZIPLIST]) + u.enc_str(
            u.ziplist(["a", "b"], count=5))),
        "bad-intset-width": u.dump_footer(bytes([u.T_SET_INTSET]) + u.enc_str(
            struct.pack("<II", 3, 1) + b"\x01\x00\x00")),
        "bad-intset-unsorted": u.dump_footer(bytes([u.T_SET_INTSET]) + u.enc_str(
            struct.pack("<IIhh", 2, 2, 5, 1))),
        "bad-zipmap-truncated": u.dump_footer(bytes([u.T_HASH_ZIPMAP]) + u.enc_str(
            u.zipmap([("f", "v")])[:-3])),
        "bad-set-count-past-end": u.dump_footer(bytes([u.T_SET]) + u.enc_len(1000) + u.enc_str("x")),
        "bad-quicklist2-container": u.dump_footer(bytes([u.T_LIST_QUICKLIST_2]) + u.enc_len(1) +
                                                  u.enc_len(7) + u.enc_str(u.listpack(["a"]))),
        "bad-empty-set": u.dump_footer(bytes([u.T_SET]) + u.enc_len(0)),
    }
    for name, p in bad.items():
        write("restore_payload", name, p)
    return comp


def rdb_corpus():
    aux = [("redis-ver", "7.0.15"), ("redis-bits", "64")]

    def base(version=10):
        f = u.RdbFile(version)
        for k, v in aux:
            f.aux(k, v)
        return f

    strings = base().select(0, 3, 1)
    strings.key(u.T_STRING, "int", u.enc_int_str(12345))
    strings.key(u.T_STRING, "emb", u.enc_str("hello"))
    strings.key(u.T_STRING, "ttl", u.enc_str("v"), expire_ms=FAR)
    strings.select(3).key(u.T_STRING, "in-db-3", u.enc_str("x" * 30))
    good = strings.build()
    write("rdb_load", "ok-strings", good)
    write("rdb_load", "ok-strings-nocrc", strings.build(checksum=False))
    write("rdb_load", "ok-empty", base().build())
    write("rdb_load", "ok-expired-dropped", base().select(0).key(u.T_STRING, "old", u.enc_str("v"),
                                                               expire_ms=1000)
          .key(u.T_STRING, "new", u.enc_str("v")).build())
    write("rdb_load", "ok-v6-expiretime-seconds", u.RdbFile(6).select(0)
          .key(u.T_STRING, "k", u.enc_str("v"), expire_s=2000000000).build())
    write("rdb_load", "ok-v3-no-trailer", u.RdbFile(3).select(0).key(u.T_STRING, "k", u.enc_str("v"))
          .build())
    write("rdb_load", "ok-idle-freq", base().select(0)
          .raw(bytes([u.OP_IDLE]) + u.enc_len(100)).key(u.T_STRING, "a", u.enc_str("1"))
          .raw(bytes([u.OP_FREQ, 5])).key(u.T_STRING, "b", u.enc_str("2")).build())
    write("rdb_load", "ok-unknown-aux-ignored", base().aux("some-future-field", "x").select(0)
          .key(u.T_STRING, "k", u.enc_str("v")).build())
    write("rdb_load", "ok-lzf-string", base().select(0)
          .key(u.T_STRING, "k", b"\xc3" + u.enc_len(7) + u.enc_len(12) + b"\x02abc\xe0\x00\x02")
          .build(checksum=False))

    legacy = base(9).select(0)
    legacy.key(u.T_LIST_ZIPLIST, "l", u.enc_str(u.ziplist(["a", 7])))
    legacy.key(u.T_HASH_ZIPMAP, "hz", u.enc_str(u.zipmap([("f", "v")])))
    legacy.key(u.T_HASH_ZIPLIST, "hl", u.enc_str(u.ziplist(["f", "v"])))
    legacy.key(u.T_ZSET_ZIPLIST, "zl", u.enc_str(u.ziplist(["m", 1])))
    legacy.key(u.T_LIST_QUICKLIST, "q", u.enc_len(1) + u.enc_str(u.ziplist(["x", "y"])))
    write("rdb_load", "ok-legacy-encodings", legacy.build())

    def populate_all(r):
        r.set("s", "v")
        r.set("n", "12345")
        r.set("lzf", "ab" * 40)
        r.pexpireat("s", FAR)
        r.rpush("l", "a", "b", "1")
        r.sadd("si", 1, 2, 3)
        r.sadd("ss", "a", "b")
        r.hset("h", mapping={"f": "v"})
        r.zadd("z", {"a": 1.5})
    all_types = redis_save_file(populate_all)
    write("rdb_load", "ok-redis-all-types", all_types)
    big = redis_save_file(lambda r: (r.hset("h", mapping={f"f{i}": i for i in range(8)}),
                                     r.zadd("z", {f"m{i}": i for i in range(8)}),
                                     r.sadd("s", *[f"m{i}" for i in range(8)])),
                          {"hash-max-listpack-entries": 4, "zset-max-listpack-entries": 4,
                           "set-max-intset-entries": 4, "rdbcompression": "no"})
    write("rdb_load", "ok-redis-hashtable-types", big)
    strings_redis = redis_save_file(lambda r: (r.set("a", "1"), r.set("b", "x" * 40),
                                               r.set("c", "-3000000000")))
    write("rdb_load", "ok-redis-strings", strings_redis)

    # Broken files.
    write("rdb_load", "bad-magic", b"REDIZ" + good[5:])
    write("rdb_load", "bad-version-13", b"REDIS0013" + good[9:])
    write("rdb_load", "bad-version-0", b"REDIS0000" + good[9:])
    write("rdb_load", "bad-version-text", b"REDIS00x0" + good[9:])
    write("rdb_load", "bad-empty", b"")
    write("rdb_load", "bad-header-only", good[:9])
    for cut in (5, 20, len(good) // 2, len(good) - 9, len(good) - 1):
        write("rdb_load", f"bad-truncated-{cut}", good[:cut])
    flipped = bytearray(good)
    flipped[len(good) - 20] ^= 0x04
    write("rdb_load", "bad-flipped-bit-checksum", bytes(flipped))
    write("rdb_load", "bad-no-eof", good[:-9])
    write("rdb_load", "bad-string-len-past-end", base().select(0)
          .raw(bytes([u.T_STRING]) + u.enc_str("k") + b"\x80\x00\x10\x00\x00abc").build(False))
    write("rdb_load", "bad-unknown-type", base().select(0).key(30, "k", u.enc_str("v")).build())
    write("rdb_load", "bad-module-aux", base().raw(bytes([u.OP_MODULE_AUX]) + b"\x81" + b"\x00" * 8)
          .build())
    write("rdb_load", "bad-module-key", base().select(0).key(u.T_MODULE_2, "k", b"\x81" + b"\x00" * 8)
          .build())
    write("rdb_load", "bad-duplicate-key", base().select(0).key(u.T_STRING, "k", u.enc_str("1"))
          .key(u.T_STRING, "k", u.enc_str("2")).build())
    write("rdb_load", "bad-selectdb-99", base().select(99).key(u.T_STRING, "k", u.enc_str("1")).build())
    write("rdb_load", "bad-listpack-lies", base().select(0).key(u.T_HASH_LISTPACK, "h", u.enc_str(
        u.listpack(["f", "v"], total=100))).build(False))
    write("rdb_load", "bad-ziplist-lies", base(9).select(0).key(u.T_LIST_ZIPLIST, "l", u.enc_str(
        u.ziplist(["a", "b"], count=9))).build(False))
    write("rdb_load", "bad-lzf-lengths", base().select(0)
          .key(u.T_STRING, "k", b"\xc3" + u.enc_len(7) + u.enc_len(40) + b"\x02abc\xe0\x00\x02")
          .build(False))
    write("rdb_load", "refused-redis-stream", redis_save_file(lambda r: r.xadd("st", {"f": "v"}, id="1-1")))
    write("rdb_load", "refused-redis-function", redis_save_file(lambda r: r.execute_command(
        "FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")))


def main():
    d = os.path.join(HERE, "corpus")
    for sub in ("rdb_load", "restore_payload"):
        shutil.rmtree(os.path.join(d, sub), ignore_errors=True)
    restore_corpus()
    rdb_corpus()
    n = sum(len(os.listdir(os.path.join(d, s))) for s in ("rdb_load", "restore_payload"))
    print(f"wrote {n} corpus files under {d}")


if __name__ == "__main__":
    main()
