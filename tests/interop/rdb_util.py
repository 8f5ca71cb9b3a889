"""Byte-level RDB helpers for tests and the fuzz-corpus generator: CRC64 (Redis's "Jones"), DUMP
footers, an RDB file builder, and encoders for the compact blobs (listpack, ziplist, zipmap, intset)
so tests can build valid files of legacy types and then make them lie.

Facts from ../shared/reference/redis-7.0-memory-persistence.md §6. Nothing here talks to a server.
"""
import struct

# ------------------------------------------------------------------------------------------------
# CRC64 (reflected, poly 0xad93d23594c935a9 in Redis's notation = 0x95ac9329ac4bc9b5 bit-reversed
# for the right-shifting loop); crc64(b"123456789") == 0xe9c6d914c4b8d9ca.
# ------------------------------------------------------------------------------------------------
_POLY = 0x95AC9329AC4BC9B5
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc64(data, crc=0):
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

# ------------------------------------------------------------------------------------------------
# Format constants
# ------------------------------------------------------------------------------------------------
T_STRING, T_LIST, T_SET, T_ZSET, T_HASH, T_ZSET_2 = 0, 1, 2, 3, 4, 5
T_MODULE_2 = 7
T_HASH_ZIPMAP, T_LIST_ZIPLIST, T_SET_INTSET, T_ZSET_ZIPLIST, T_HASH_ZIPLIST = 9, 10, 11, 12, 13
T_LIST_QUICKLIST, T_STREAM, T_HASH_LISTPACK, T_ZSET_LISTPACK, T_LIST_QUICKLIST_2 = 14, 15, 16, 17, 18
T_SET_LISTPACK = 20
OP_FUNCTION2, OP_MODULE_AUX, OP_IDLE, OP_FREQ, OP_AUX = 0xF5, 0xF7, 0xF8, 0xF9, 0xFA
OP_RESIZEDB, OP_EXPIRETIME_MS, OP_EXPIRETIME, OP_SELECTDB, OP_EOF = 0xFB, 0xFC, 0xFD, 0xFE, 0xFF


def dump_footer(body, version=10):
    """A DUMP payload: body + 2-byte LE version + CRC64 of both."""
    b = bytes(body) + struct.pack("<H", version)
    return b + struct.pack("<Q", crc64(b))


def split_payload(payload):
    """(body, version) of a DUMP payload (no checks)."""
    return payload[:-10], struct.unpack("<H", payload[-10:-8])[0]


# ------------------------------------------------------------------------------------------------
# Lengths and strings
# ------------------------------------------------------------------------------------------------
def enc_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def enc_str(s):
    """A raw-encoded RDB string (never int or LZF encoded)."""
    if isinstance(s, str):
        s = s.encode()
    return enc_len(len(s)) + s


def enc_int_str(v):
    """An integer-encoded RDB string (0xC0/0xC1/0xC2)."""
    if -128 <= v <= 127:
        return b"\xc0" + struct.pack("<b", v)
    if -32768 <= v <= 32767:
        return b"\xc1" + struct.pack("<h", v)
    return b"\xc2" + struct.pack("<i", v)


# ------------------------------------------------------------------------------------------------
# Compact blobs
# ------------------------------------------------------------------------------------------------
def _lp_backlen(n):
    out = []
    while True:
        out.append(n & 127)
        n >>= 7
        if not n:
            break
    # Most significant group first without a flag; every later byte has bit 7 set (the reader
    # walks right to left while it sees the flag).
    groups = list(reversed(out))
    return bytes([groups[0]] + [g | 128 for g in groups[1:]])


def _lp_entry(v):
    if isinstance(v, int) and 0 <= v <= 127:
        e = bytes([v])
    elif isinstance(v, int) and -4096 <= v <= 4095:
        u = v & 0x1FFF
        e = bytes([0xC0 | (u >> 8), u & 0xFF])
    elif isinstance(v, int) and -32768 <= v <= 32767:
        e = b"\xf1" + struct.pack("<h", v)
    elif isinstance(v, int) and -(1 << 31) <= v < (1 << 31):
        e = b"\xf3" + struct.pack("<i", v)
    elif isinstance(v, int):
        e = b"\xf4" + struct.pack("<q", v)
    else:
        s = v.encode() if isinstance(v, str) else v
        if len(s) < 64:
            e = bytes([0x80 | len(s)]) + s
        else:
            assert len(s) < 4096
            e = bytes([0xE0 | (len(s) >> 8), len(s) & 0xFF]) + s
    return e + _lp_backlen(len(e))


def listpack(values, count=None, total=None):
    """A listpack of the values (ints become integer entries). count/total override the header
    (to make it lie)."""
    body = b"".join(_lp_entry(v) for v in values) + b"\xff"
    size = 6 + len(body)
    return struct.pack("<IH", size if total is None else total,
                       len(values) if count is None else count) + body


def ziplist(values, count=None):
    """A ziplist with string entries (ints as 0xFE int8 / 0xC0 int16 entries when they fit)."""
    entries = []
    prev = 0
    offsets = []
    pos = 10
    for v in values:
        pl = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
        if isinstance(v, int) and -128 <= v <= 127:
            e = pl + b"\xfe" + struct.pack("<b", v)
        elif isinstance(v, int):
            e = pl + b"\xc0" + struct.pack("<h", v)
        else:
            s = v.encode() if isinstance(v, str) else v
            assert len(s) < 64
            e = pl + bytes([len(s)]) + s
        offsets.append(pos)
        pos += len(e)
        prev = len(e)
        entries.append(e)
    body = b"".join(entries) + b"\xff"
    tail = offsets[-1] if offsets else 10
    n = len(values) if count is None else count
    return struct.pack("<IIH", 10 + len(body), tail, n) + body


def zipmap(pairs):
    out = bytearray([len(pairs) if len(pairs) < 254 else 254])
    for k, v in pairs:
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        out += bytes([len(k)]) + k + bytes([len(v)]) + b"\x00" + v
    out.append(0xFF)
    return bytes(out)


def intset(values):
    values = sorted(values)
    width = 2
    for v in values:
        if not -32768 <= v <= 32767:
            width = 4
        if not -(1 << 31) <= v < (1 << 31):
            width = 8
    fmt = {2: "<h", 4: "<i", 8: "<q"}[width]
    return struct.pack("<II", width, len(values)) + b"".join(struct.pack(fmt, v) for v in values)


# ------------------------------------------------------------------------------------------------
# Files
# ------------------------------------------------------------------------------------------------
class RdbFile:
    """Builds an RDB file:  f = RdbFile(10); f.aux("redis-ver", "7.0.15"); f.select(0);
    f.key(T_STRING, "k", enc_str("v"), expire_ms=None); data = f.build(checksum=True)."""

    def __init__(self, version=10):
        self.version = version
        self.parts = [b"REDIS%04d" % version]

    def raw(self, b):
        self.parts.append(bytes(b))
        return self

    def aux(self, k, v):
        return self.raw(bytes([OP_AUX]) + enc_str(k) + enc_str(v))

    def select(self, db, size=None, expires=0):
        self.raw(bytes([OP_SELECTDB]) + enc_len(db))
        if size is not None:
            self.raw(bytes([OP_RESIZEDB]) + enc_len(size) + enc_len(expires))
        return self

    def key(self, type_byte, key, value_bytes, expire_ms=None, expire_s=None):
        if expire_ms is not None:
            self.raw(bytes([OP_EXPIRETIME_MS]) + struct.pack("<q", expire_ms))
        if expire_s is not None:
            self.raw(bytes([OP_EXPIRETIME]) + struct.pack("<i", expire_s))
        return self.raw(bytes([type_byte]) + enc_str(key) + value_bytes)

    def build(self, checksum=True):
        data = b"".join(self.parts) + bytes([OP_EOF])
        if self.version >= 5:
            data += struct.pack("<Q", crc64(data) if checksum else 0)
        return data


def with_crc(data):
    """Recomputes the CRC64 trailer of a complete RDB file (after a deliberate change)."""
    return data[:-8] + struct.pack("<Q", crc64(data[:-8]))
