"""Datasets for the persistence interop tests, and a server-independent view of a server's contents.

    types = supported_types(ember)                 # which value types Ember can persist today
    populate(client_factory, types, seed=1)        # the same keys on any server
    contents(client_factory, dbs=16)               # {db: {key: (type, value, has_ttl)}}
    digest(server)                                 # DEBUG DIGEST, or None where DEBUG is missing

Every type that Ember can create AND serialize (DUMP succeeds) is used; the others are left out, so
these tests grow by themselves as the aggregate types merge.
"""
import random

import redis

ALL_TYPES = ("string", "list", "set", "hash", "zset")
_PROBES = {
    "list": lambda r: r.rpush("__probe", "a"),
    "set": lambda r: r.sadd("__probe", "a"),
    "hash": lambda r: r.hset("__probe", "f", "v"),
    "zset": lambda r: r.zadd("__probe", {"a": 1}),
}


def supported_types(server):
    """The value types `server` can both create and DUMP."""
    out = ["string"]
    r = server.client()
    try:
        for t, make in _PROBES.items():
            r.delete("__probe")
            try:
                make(r)
                r.dump("__probe")
                out.append(t)
            except redis.exceptions.ResponseError:
                pass
        r.delete("__probe")
    finally:
        r.close()
    return out


def _db_client(server, db):
    return redis.Redis(host="127.0.0.1", port=server.port, db=db, socket_timeout=30)


def populate(server, types, seed=1, scale=1):
    """Fills databases 0, 3 and 15 with values of every encoding of every type in `types`, some with
    TTLs. Deterministic for a seed. scale multiplies the number of plain string keys."""
    rnd = random.Random(seed)
    for db in (0, 3, 15):
        r = _db_client(server, db)
        p = r.pipeline(transaction=False)
        p.set(f"int:{db}", 12345)
        p.set(f"neg:{db}", -9876543210)
        p.set(f"emb:{db}", "hello")
        p.set(f"raw:{db}", "compressible-" * 20)
        p.set(f"bin:{db}", bytes(rnd.randrange(256) for _ in range(300)))
        p.set(f"empty:{db}", "")
        p.set(f"ttl:{db}", "v", px=3600 * 1000)
        p.set(f"float:{db}", "3.14159")
        for i in range(200 * scale):
            p.set(f"key:{db}:{i}", "v" * rnd.randrange(1, 40))
        if "list" in types:
            p.rpush(f"list:small:{db}", "a", "1", "-2", "bbb")
            p.rpush(f"list:big:{db}", *[f"item-{i}-" + "x" * (i % 50) for i in range(600)])
            p.rpush(f"list:longel:{db}", "L" * 10000, "s")
        if "set" in types:
            p.sadd(f"set:int:{db}", *range(-5, 60))
            p.sadd(f"set:str:{db}", *[f"m{i}" for i in range(40)])
            p.sadd(f"set:big:{db}", *[f"member-{i}" for i in range(700)])
            p.sadd(f"set:bigint:{db}", *range(1000))
        if "hash" in types:
            p.hset(f"hash:small:{db}", mapping={"a": "1", "b": "two", "c": "-3"})
            p.hset(f"hash:big:{db}", mapping={f"f{i}": f"v{i}" for i in range(600)})
            p.hset(f"hash:longval:{db}", mapping={"f": "y" * 100})
        if "zset" in types:
            p.zadd(f"zset:small:{db}", {"a": 1, "b": 2.5, "c": -1e10, "d": float("inf")})
            p.zadd(f"zset:big:{db}", {f"m{i}": i / 3 for i in range(300)})
            p.zadd(f"zset:longmember:{db}", {"z" * 100: 1})
            p.expire(f"zset:small:{db}", 7200)
        p.execute()
        r.close()


def contents(server, dbs=16):
    """{db: {key: (type, value, has_ttl)}} with values in a canonical form (lists in order, sets
    and hashes sorted, zsets by score then member)."""
    out = {}
    for db in range(dbs):
        r = _db_client(server, db)
        keys = list(r.scan_iter(count=1000))
        if not keys:
            r.close()
            continue
        d = {}
        for k in keys:
            t = r.type(k).decode()
            if t == "string":
                v = r.get(k)
            elif t == "list":
                v = tuple(r.lrange(k, 0, -1))
            elif t == "set":
                v = tuple(sorted(r.smembers(k)))
            elif t == "hash":
                v = tuple(sorted(r.hgetall(k).items()))
            elif t == "zset":
                v = tuple(r.zrange(k, 0, -1, withscores=True))
            else:
                v = None
            d[k] = (t, v, r.pttl(k) > 0)
        out[db] = d
        r.close()
    return out


def digest(server):
    """DEBUG DIGEST, or None when the server has no DEBUG DIGEST yet."""
    r = server.client()
    try:
        return r.execute_command("DEBUG", "DIGEST")
    except redis.exceptions.ResponseError:
        return None
    finally:
        r.close()
