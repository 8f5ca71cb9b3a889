"""Small helpers shared by the integration tests (kept out of tests/harness.py).

  parse_reply(raw)        one RESP2/RESP3 reply (bytes, as RawConn returns it) -> Python value
  wait_closed(sock, t)    True if the peer closes `sock` within t seconds (data before the close is returned too)
  wait_until(fn, t)       polls fn() until it is truthy or t seconds pass; returns the last value
  raw_conn(srv)           harness.RawConn on srv's port
  info_dict(text)         INFO text -> {field: value} (strings), section headers dropped
  info_fields(text, sec)  ordered field names of one INFO section
  used_memory(r)          used_memory from INFO memory, through a redis-py client

Expected replies, byte for byte (for comparing with what RawConn.call returns):
  OK NIL SYNTAX NOT_INT NOT_FLOAT WRONGTYPE OVERFLOW   common fixed replies
  bulk(v) integer(n)      a bulk string (str or bytes) / an integer reply
  arity(cmd)              the wrong-number-of-arguments error for `cmd` (lower case, as Redis names it)
  bad_expire(cmd)         the invalid-expire-time error for `cmd`
"""
import socket
import time

from harness import RawConn

OK = b"+OK\r\n"
NIL = b"$-1\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NOT_INT = b"-ERR value is not an integer or out of range\r\n"
NOT_FLOAT = b"-ERR value is not a valid float\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
OVERFLOW = b"-ERR increment or decrement would overflow\r\n"


def bulk(v):
    if isinstance(v, str):
        v = v.encode()
    return b"$%d\r\n%s\r\n" % (len(v), v)


def integer(n):
    return b":%d\r\n" % n


def arity(cmd):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % cmd.encode()


def bad_expire(cmd):
    return b"-ERR invalid expire time in '%s' command\r\n" % cmd.encode()


class Simple(bytes):
    """A RESP simple string (+...)."""


class Error(bytes):
    """A RESP error (-...)."""


class Double(bytes):
    """A RESP3 double (,...) kept as its exact text."""


class Push(list):
    """A RESP3 push (>...)."""


class Set(list):
    """A RESP3 set (~...)."""


def _parse(buf, i):
    end = buf.index(b"\r\n", i)
    t, line = buf[i:i + 1], buf[i + 1:end]
    i = end + 2
    if t == b"+":
        return Simple(line), i
    if t == b"-":
        return Error(line), i
    if t == b":":
        return int(line), i
    if t == b",":
        return Double(line), i
    if t == b"_":
        return None, i
    if t == b"#":
        return line == b"t", i
    if t == b"(":
        return int(line), i
    if t in (b"$", b"=", b"!"):
        n = int(line)
        if n < 0:
            return None, i
        return buf[i:i + n], i + n + 2
    if t in (b"*", b">", b"~"):
        n = int(line)
        if n < 0:
            return None, i
        out = []
        for _ in range(n):
            v, i = _parse(buf, i)
            out.append(v)
        if t == b">":
            out = Push(out)
        elif t == b"~":
            out = Set(out)
        return out, i
    if t in (b"%", b"|"):
        n = int(line)
        out = {}
        for _ in range(n):
            k, i = _parse(buf, i)
            v, i = _parse(buf, i)
            out[k] = v
        return out, i
    raise ValueError(f"bad RESP type {t!r} at {i}")


def parse_reply(raw):
    v, i = _parse(raw, 0)
    if i != len(raw):
        raise ValueError(f"trailing bytes after reply: {raw[i:]!r}")
    return v


def parse_all(raw):
    """Every complete reply in raw, in order."""
    out, i = [], 0
    while i < len(raw):
        v, i = _parse(raw, i)
        out.append(v)
    return out


def wait_closed(sock, timeout=3.0):
    """Reads until the peer closes the socket or `timeout` passes. Returns (closed, data)."""
    deadline = time.time() + timeout
    data = b""
    while time.time() < deadline:
        sock.settimeout(max(0.01, min(0.2, deadline - time.time())))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True, data
        if not chunk:
            return True, data
        data += chunk
    return False, data


def wait_until(fn, timeout=5.0, interval=0.02):
    deadline = time.time() + timeout
    v = fn()
    while not v and time.time() < deadline:
        time.sleep(interval)
        v = fn()
    return v


def raw_conn(srv, timeout=5.0):
    return RawConn(srv.port, timeout=timeout)


def info_dict(text):
    if isinstance(text, bytes):
        text = text.decode()
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        out[k] = v
    return out


def info_fields(text, section):
    """Field names of INFO section `section` (e.g. "Memory"), in order."""
    if isinstance(text, bytes):
        text = text.decode()
    fields, inside = [], False
    for line in text.splitlines():
        if line.startswith("# "):
            inside = line[2:].strip().lower() == section.lower()
            continue
        if inside and ":" in line:
            fields.append(line.split(":", 1)[0])
    return fields


def used_memory(r):
    return int(r.info("memory")["used_memory"])
