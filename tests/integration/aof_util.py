"""Helpers for the AOF tests: reading an AOF directory, parsing RESP command streams."""
import os
import time


def parse_commands(data, skip_annotations=True):
    """RESP command stream (bytes) -> list of [arg, ...] (bytes). Raises ValueError on bad input."""
    out = []
    pos = 0
    while pos < len(data):
        if data[pos:pos + 1] == b"#":
            end = data.index(b"\r\n", pos)
            if not skip_annotations:
                out.append([data[pos:end]])
            pos = end + 2
            continue
        if data[pos:pos + 1] != b"*":
            raise ValueError(f"expected '*' at {pos}")
        end = data.index(b"\r\n", pos)
        argc = int(data[pos + 1:end])
        pos = end + 2
        argv = []
        for _ in range(argc):
            end = data.index(b"\r\n", pos)
            if data[pos:pos + 1] != b"$":
                raise ValueError(f"expected '$' at {pos}")
            n = int(data[pos + 1:end])
            pos = end + 2
            argv.append(data[pos:pos + n])
            if data[pos + n:pos + n + 2] != b"\r\n":
                raise ValueError(f"bad bulk end at {pos + n}")
            pos += n + 2
        out.append(argv)
    return out


def upper_cmds(cmds):
    return [[c[0].upper()] + c[1:] for c in cmds]


def read_manifest(dirpath, name="appendonly.aof.manifest"):
    """-> list of (file, seq, type) from the manifest."""
    rows = []
    with open(os.path.join(dirpath, name)) as f:
        for line in f:
            parts = line.split()
            if not parts or parts[0].startswith("#"):
                continue
            kv = dict(zip(parts[0::2], parts[1::2]))
            rows.append((kv["file"], int(kv["seq"]), kv["type"]))
    return rows


def aof_dir(srv):
    return os.path.join(srv.dir, "appendonlydir")


def incr_path(srv):
    d = aof_dir(srv)
    incrs = [r for r in read_manifest(d) if r[2] == "i"]
    return os.path.join(d, incrs[-1][0])


def incr_commands(srv):
    with open(incr_path(srv), "rb") as f:
        return upper_cmds(parse_commands(f.read()))


def wait_for(pred, timeout=10.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def info(r, section="persistence"):
    return {k: v for k, v in r.info(section).items()}


def wait_rewrite_done(r, timeout=20.0):
    def done():
        i = r.info("persistence")
        return i["aof_rewrite_in_progress"] == 0 and i["aof_rewrite_scheduled"] == 0
    return wait_for(done, timeout)
