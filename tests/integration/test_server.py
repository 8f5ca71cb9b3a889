"""Server commands: INFO (sections, field names and order, keyspace/errorstats/commandstats formats), CONFIG
GET/SET/RESETSTAT/REWRITE, TIME, DEBUG (gating, SLEEP, OBJECT), COMMAND, SHUTDOWN, MEMORY, start-up config
errors and warnings, --check-system.

Every expectation was checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis)."""
import os
import re
import subprocess
import time
import unittest

from harness import EmberServer, RawServerTestCase, ServerTestCase, RawConn, EMBER_BIN, SANITIZER, target_is_redis
from .util import OK, parse_reply, parse_all, wait_closed, info_dict, info_fields

# Redis 7.0 INFO memory field names, in order (reference §2: always all 51, none conditional; 7.2 unchanged).
MEMORY_FIELDS = """used_memory used_memory_human used_memory_rss used_memory_rss_human used_memory_peak
used_memory_peak_human used_memory_peak_perc used_memory_overhead used_memory_startup used_memory_dataset
used_memory_dataset_perc allocator_allocated allocator_active allocator_resident total_system_memory
total_system_memory_human used_memory_lua used_memory_vm_eval used_memory_lua_human used_memory_scripts_eval
number_of_cached_scripts number_of_functions number_of_libraries used_memory_vm_functions used_memory_vm_total
used_memory_vm_total_human used_memory_functions used_memory_scripts used_memory_scripts_human maxmemory
maxmemory_human maxmemory_policy allocator_frag_ratio allocator_frag_bytes allocator_rss_ratio allocator_rss_bytes
rss_overhead_ratio rss_overhead_bytes mem_fragmentation_ratio mem_fragmentation_bytes mem_not_counted_for_evict
mem_replication_backlog mem_total_replication_buffers mem_clients_slaves mem_clients_normal mem_cluster_links
mem_aof_buffer mem_allocator active_defrag_running lazyfree_pending_objects lazyfreed_objects""".split()

MEMORY_STATS_KEYS_HEAD = ["peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
                          "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches",
                          "functions.caches"]
MEMORY_STATS_KEYS_TAIL = ["overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes",
                          "dataset.percentage", "peak.percentage", "allocator.allocated", "allocator.active",
                          "allocator.resident", "allocator-fragmentation.ratio", "allocator-fragmentation.bytes",
                          "allocator-rss.ratio", "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes",
                          "fragmentation", "fragmentation.bytes"]

DEBUG_DISABLED = (b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you "
                  b"can run it from a local connection, otherwise you need to set this option in the configuration "
                  b"file, and then restart the server.\r\n")

CONFIG_FAILED = b"-ERR CONFIG SET failed (possibly related to argument '%s') - %s\r\n"


def is_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


class ServerCommandsTest(RawServerTestCase):

    def info(self, *sections):
        return parse_reply(self.call("INFO", *sections)).decode()

    # -- INFO -------------------------------------------------------------------------------------
    def test_info_sections(self):
        default = self.info()
        headers = re.findall(r"^# (\w+)\r$", default, re.M)
        for sec in ("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Errorstats",
                    "Keyspace"):
            self.assertIn(sec, headers)
        self.assertNotIn("Commandstats", headers)           # not in the default set
        everything = self.info("everything")
        headers = re.findall(r"^# (\w+)\r$", everything, re.M)
        for sec in ("Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Commandstats",
                    "Errorstats", "Keyspace"):
            self.assertIn(sec, headers)
        all_headers = re.findall(r"^# (\w+)\r$", self.info("all"), re.M)
        for sec in ("Server", "Memory", "Commandstats", "Errorstats", "Keyspace"):
            self.assertIn(sec, all_headers)
        # Lines are CRLF-terminated "field:value"; sections separated by one empty line.
        for line in default.split("\r\n"):
            self.assertTrue(line == "" or line.startswith("# ") or re.match(r"^[A-Za-z0-9_|.-]+:", line), line)
        one = self.info("server")
        self.assertTrue(one.startswith("# Server\r\n"), one[:40])
        self.assertEqual(re.findall(r"^# (\w+)\r$", one, re.M), ["Server"])
        two = self.info("server", "clients")            # several sections at once (7.0+)
        self.assertEqual(re.findall(r"^# (\w+)\r$", two, re.M), ["Server", "Clients"])
        self.assertEqual(self.info("nosuchsection"), "")
        self.assertEqual(info_dict(self.info("replication"))["role"], "master")

    def test_info_server_fields(self):
        d = info_dict(self.info("server"))
        self.assertEqual(d["tcp_port"], str(self.server.port))
        self.assertEqual(d["process_id"], str(self.server.proc.pid))
        self.assertEqual(d["redis_mode"], "standalone")
        self.assertEqual(d["arch_bits"], "64")
        self.assertTrue(d["uptime_in_seconds"].isdigit())
        self.assertEqual(len(d["run_id"]), 40)
        self.assertTrue(d["config_file"].endswith("test.conf"))
        if target_is_redis():
            self.assertTrue(d["redis_version"].startswith("7.0."))
        else:
            self.assertTrue(d["redis_version"].startswith("7.2."), d["redis_version"])
            self.assertIn("ember_version", d)

    def test_info_memory_fields_in_reference_order(self):
        text = self.info("memory")
        fields = info_fields(text, "Memory")
        present = [f for f in fields if f in MEMORY_FIELDS]
        self.assertEqual(present, MEMORY_FIELDS, "INFO memory must list every Redis 7.0 field, in order")
        d = info_dict(text)
        for f in MEMORY_FIELDS:
            v = d[f]
            if f.endswith("_human"):
                self.assertRegex(v, r"^\d+(\.\d+)?[BKMGTPE]$", f)
            elif f.endswith("_perc"):
                self.assertRegex(v, r"^\d+\.\d\d%$", f)
            elif f == "mem_allocator":
                self.assertTrue(v, f)
            elif f == "maxmemory_policy":
                self.assertEqual(v, "noeviction")
            else:
                self.assertTrue(is_number(v), f"{f}:{v}")
        self.assertGreater(int(d["used_memory"]), 0)
        self.assertGreaterEqual(int(d["used_memory_peak"]), int(d["used_memory"]) // 2)
        self.assertEqual(d["maxmemory"], "0")

    def test_info_keyspace_format(self):
        self.assertEqual(self.info("keyspace"), "# Keyspace\r\n")
        self.call("MSET", "a", "1", "b", "2")
        self.call("SET", "t", "v", "EX", "1000")
        self.call("SELECT", "3")
        self.call("SET", "x", "1")
        ks = self.info("keyspace")
        lines = ks.split("\r\n")
        self.assertEqual(lines[0], "# Keyspace")
        self.assertRegex(lines[1], r"^db0:keys=3,expires=1,avg_ttl=\d+$")
        self.assertEqual(lines[2], "db3:keys=1,expires=0,avg_ttl=0")
        self.assertEqual(lines[3:], [""])

    def test_errorstats_and_commandstats(self):
        self.assertEqual(self.call("CONFIG", "RESETSTAT"), OK)
        self.assertEqual(self.info("errorstats"), "# Errorstats\r\n")
        self.call("GET")                                      # arity: rejected, ERR
        self.call("GET", "a", "b")
        self.call("RPUSH", "l", "x")
        self.call("INCR", "l")                                # WRONGTYPE: failed
        self.call("GET", "l")
        self.call("NOSUCHCOMMAND")                            # ERR, no command stats
        self.call("GET", "missing")
        errs = self.info("errorstats")
        self.assertEqual(errs, "# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=2\r\n")
        cmds = info_dict(self.info("commandstats"))
        fmt = r"^calls=(\d+),usec=(\d+),usec_per_call=(\d+\.\d\d),rejected_calls=(\d+),failed_calls=(\d+)$"
        m = re.match(fmt, cmds["cmdstat_get"])
        self.assertIsNotNone(m, cmds["cmdstat_get"])
        self.assertEqual((m.group(1), m.group(4), m.group(5)), ("2", "2", "1"))
        m = re.match(fmt, cmds["cmdstat_incr"])
        self.assertEqual((m.group(1), m.group(4), m.group(5)), ("1", "0", "1"))
        self.assertRegex(cmds["cmdstat_rpush"], fmt)
        self.assertIn("cmdstat_config|resetstat", cmds)       # subcommands are reported as cmd|sub
        self.assertFalse(any("nosuchcommand" in k for k in cmds))
        stats = info_dict(self.info("stats"))
        self.assertEqual(stats["total_error_replies"], "5")
        # RESETSTAT clears all of it.
        self.assertEqual(self.call("CONFIG", "RESETSTAT"), OK)
        self.assertEqual(self.info("errorstats"), "# Errorstats\r\n")
        self.assertNotIn("cmdstat_get", info_dict(self.info("commandstats")))
        self.assertEqual(info_dict(self.info("stats"))["total_error_replies"], "0")
        self.assertEqual(self.call("CONFIG", "RESETSTAT", "x"),
                         b"-ERR wrong number of arguments for 'config|resetstat' command\r\n")

    # -- CONFIG GET / SET -------------------------------------------------------------------------
    def config_get(self, *patterns):
        flat = parse_reply(self.call("CONFIG", "GET", *patterns))
        return dict(zip(flat[::2], flat[1::2]))

    def test_config_get_globs_and_multiple_patterns(self):
        self.assertEqual(self.config_get("maxmemory"), {b"maxmemory": b"0"})
        mm = self.config_get("maxmemory*")
        for k in (b"maxmemory", b"maxmemory-policy", b"maxmemory-samples", b"maxmemory-clients",
                  b"maxmemory-eviction-tenacity"):
            self.assertIn(k, mm)
        self.assertTrue(all(k.startswith(b"maxmemory") for k in mm))
        self.assertEqual(self.config_get("maxmemory-s?mples"), {b"maxmemory-samples": b"5"})
        self.assertEqual(self.config_get("maxmemory", "hz"), {b"maxmemory": b"0", b"hz": b"10"})
        self.assertEqual(self.config_get("hz", "hz"), {b"hz": b"10"})
        self.assertEqual(self.config_get("nosuch"), {})
        self.assertEqual(self.config_get("port"), {b"port": str(self.server.port).encode()})
        self.assertEqual(self.config_get("dir"), {b"dir": os.path.realpath(self.server.dir).encode()})
        self.assertEqual(self.config_get("save"), {b"save": b""})
        self.assertGreater(len(self.config_get("*")), 100)
        self.assertEqual(self.call("CONFIG", "GET"), b"-ERR wrong number of arguments for 'config|get' command\r\n")
        self.assertEqual(self.server.cli("CONFIG", "GET", "maxmemory-policy"), "maxmemory-policy\nnoeviction\n")

    def test_config_set_several_pairs(self):
        try:
            self.assertEqual(self.call("CONFIG", "SET", "hz", "20", "maxmemory", "10mb"), OK)
            self.assertEqual(self.config_get("hz", "maxmemory"), {b"hz": b"20", b"maxmemory": b"10485760"})
            self.assertEqual(self.call("CONFIG", "SET", "maxmemory", "1gb"), OK)
            self.assertEqual(self.config_get("maxmemory"), {b"maxmemory": b"1073741824"})
            self.assertEqual(self.call("CONFIG", "SET", "maxmemory", "1k"), OK)
            self.assertEqual(self.config_get("maxmemory"), {b"maxmemory": b"1000"})
            self.assertEqual(self.call("CONFIG", "SET", "hz", "500000"), OK)      # clamped
            self.assertEqual(self.config_get("hz"), {b"hz": b"500"})
            self.assertEqual(self.call("CONFIG", "SET", "hz", "0"), OK)
            self.assertEqual(self.config_get("hz"), {b"hz": b"1"})
            self.assertEqual(self.call("CONFIG", "SET", "MAXMEMORY-POLICY", "allkeys-lru"), OK)
            self.assertEqual(self.config_get("maxmemory-policy"), {b"maxmemory-policy": b"allkeys-lru"})
        finally:
            self.call("CONFIG", "SET", "hz", "10", "maxmemory", "0", "maxmemory-policy", "noeviction")

    def test_config_set_is_atomic_and_errors_are_exact(self):
        before = self.config_get("*")
        cases = [
            (("hz", "30", "maxmemory", "foo"), CONFIG_FAILED % (b"maxmemory", b"argument must be a memory value")),
            (("maxmemory", "foo", "hz", "30"), CONFIG_FAILED % (b"maxmemory", b"argument must be a memory value")),
            (("hz", "x"), CONFIG_FAILED % (b"hz", b"argument couldn't be parsed into an integer")),
            (("hz", "30", "hz", "40"), CONFIG_FAILED % (b"hz", b"duplicate parameter")),
            (("maxmemory-policy", "foo"),
             CONFIG_FAILED % (b"maxmemory-policy", b"argument(s) must be one of the following: volatile-lru, "
                              b"volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
                              b"allkeys-random, noeviction")),
            (("appendonly", "maybe"), CONFIG_FAILED % (b"appendonly", b"argument must be 'yes' or 'no'")),
            (("hz", "20", "daemonize", "yes"), CONFIG_FAILED % (b"daemonize", b"can't set immutable config")),
            (("enable-debug-command", "no"),
             CONFIG_FAILED % (b"enable-debug-command", b"can't set immutable config")),
            (("dir", "/tmp"), CONFIG_FAILED % (b"dir", b"can't set protected config")),
            (("maxclients", "0"),
             CONFIG_FAILED % (b"maxclients", b"argument must be between 1 and 4294967295 inclusive")),
            (("nosuch", "1"), b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"),
            (("hz", "30", "nosuch", "1"), b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"),
            (("hz",), b"-ERR wrong number of arguments for 'config|set' command\r\n"),
            (("hz", "20", "maxmemory"), b"-ERR syntax error\r\n"),             # odd pair count
        ]
        for args, err in cases:
            with self.subTest(args=args):
                self.assertEqual(self.call("CONFIG", "SET", *args), err)
        self.assertEqual(self.config_get("*"), before)
        self.assertEqual(self.call("CONFIG", "FOO"), b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n")

    # -- TIME / DEBUG / COMMAND -------------------------------------------------------------------
    def test_time(self):
        secs, usecs = parse_reply(self.call("TIME"))
        self.assertLess(abs(int(secs) - time.time()), 5)
        self.assertTrue(0 <= int(usecs) < 1000000)
        self.assertEqual(self.call("TIME", "x"), b"-ERR wrong number of arguments for 'time' command\r\n")

    def test_debug_sleep_and_object(self):
        self.assertEqual(self.call("DEBUG", "SLEEP", "0"), OK)
        t0 = time.time()
        self.assertEqual(self.call("DEBUG", "SLEEP", "0.2"), OK)
        self.assertGreaterEqual(time.time() - t0, 0.19)
        self.call("SET", "s", "hello")
        self.call("SET", "n", "12345")
        self.call("SET", "r", "x" * 100)
        fmt = r"^\+Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\w+) serializedlength:(\d+) lru:(\d+) " \
              r"lru_seconds_idle:(\d+)\r\n$"
        # serializedlength is the RDB length: 1 length byte + 5; an int is 1 type byte + 2; 100 x's compress.
        for key, enc, ser in (("s", "embstr", "6"), ("n", "int", "3"), ("r", "raw", None)):
            m = re.match(fmt, self.call("DEBUG", "OBJECT", key).decode())
            self.assertIsNotNone(m, key)
            self.assertEqual((m.group(1), m.group(2)), ("1", enc))
            if ser is not None:
                self.assertEqual(m.group(3), ser)
        self.assertEqual(self.call("DEBUG", "OBJECT", "none"), b"-ERR no such key\r\n")
        self.assertEqual(self.call("DEBUG", "FOO"),
                         b"-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.\r\n")

    def test_command_count_info_docs(self):
        count = parse_reply(self.call("COMMAND", "COUNT"))
        self.assertIsInstance(count, int)
        allcmds = parse_reply(self.call("COMMAND"))
        self.assertEqual(len(allcmds), count)
        names = {c[0] for c in allcmds}
        for n in (b"get", b"set", b"ping", b"info", b"config", b"command", b"client"):
            self.assertIn(n, names)
        info = parse_reply(self.call("COMMAND", "INFO", "get"))
        self.assertEqual(len(info), 1)
        get = info[0]
        self.assertEqual(len(get), 10)
        self.assertEqual(get[:6], [b"get", 2, [b"readonly", b"fast"], 1, 1, 1])
        self.assertEqual(get[6], [b"@read", b"@string", b"@fast"])
        self.assertEqual(len(get[8]), 1)                        # one key spec
        self.assertEqual(get[9], [])
        self.assertEqual(parse_reply(self.call("COMMAND", "INFO", "nosuch")), [None])
        multi = parse_reply(self.call("COMMAND", "INFO", "get", "set"))
        self.assertEqual([m[0] for m in multi], [b"get", b"set"])
        self.assertEqual(multi[1][1], -3)
        docs = parse_reply(self.call("COMMAND", "DOCS", "get"))
        self.assertEqual(docs[0], b"get")
        d = dict(zip(docs[1][::2], docs[1][1::2]))
        for k in (b"summary", b"since", b"group", b"complexity", b"arguments"):
            self.assertIn(k, d)
        self.assertEqual((d[b"since"], d[b"group"], d[b"complexity"]), (b"1.0.0", b"string", b"O(1)"))
        self.assertEqual(dict(zip(d[b"arguments"][0][::2], d[b"arguments"][0][1::2]))[b"name"], b"key")
        out = self.server.cli("COMMAND", "INFO", "set")
        self.assertTrue(out.startswith("1) 1) \"set\"") or out.startswith("set\n"), out[:80])

    # -- MEMORY -----------------------------------------------------------------------------------
    def test_memory_usage(self):
        self.call("SET", "s", "hello")
        usage = parse_reply(self.call("MEMORY", "USAGE", "s"))
        self.assertIsInstance(usage, int)
        # ASan's allocator has no size classes (usable size = requested size): 28 bytes there.
        low = 20 if SANITIZER == "address" else 30
        self.assertTrue(low <= usage <= 200, usage)
        self.call("SET", "big", "x" * 10000)
        self.assertGreater(parse_reply(self.call("MEMORY", "USAGE", "big")), 10000)
        self.assertEqual(self.call("MEMORY", "USAGE", "s", "SAMPLES", "0"), b":%d\r\n" % usage)
        self.assertEqual(self.call("MEMORY", "USAGE", "none"), b"$-1\r\n")
        self.assertEqual(self.call("MEMORY", "USAGE", "s", "SAMPLES", "-1"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("MEMORY", "USAGE", "s", "FOO"), b"-ERR syntax error\r\n")
        self.assertEqual(self.call("MEMORY", "USAGE"),
                         b"-ERR wrong number of arguments for 'memory|usage' command\r\n")
        self.assertEqual(self.call("MEMORY", "FOO"), b"-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n")

    def test_memory_stats_shape(self):
        self.call("SET", "a", "1")
        self.call("SELECT", "3")
        self.call("SET", "b", "2")
        flat = parse_reply(self.call("MEMORY", "STATS"))
        keys = [k.decode() for k in flat[::2]]
        self.assertEqual(keys, MEMORY_STATS_KEYS_HEAD + ["db.0", "db.3"] + MEMORY_STATS_KEYS_TAIL)
        d = dict(zip(keys, flat[1::2]))
        self.assertEqual(d["keys.count"], 2)
        db0 = d["db.0"]
        self.assertEqual(db0[::2], [b"overhead.hashtable.main", b"overhead.hashtable.expires",
                                    b"overhead.hashtable.slot-to-keys"])
        for k in ("peak.allocated", "total.allocated", "startup.allocated", "overhead.total", "dataset.bytes"):
            self.assertIsInstance(d[k], int, k)
        for k in ("dataset.percentage", "peak.percentage", "fragmentation"):
            self.assertTrue(is_number(d[k].decode()), k)      # doubles: bulk strings in RESP2
        # RESP3: a map with the same keys.
        self.call("HELLO", "3")
        m = parse_reply(self.call("MEMORY", "STATS"))
        self.assertIsInstance(m, dict)
        self.assertEqual([k.decode() for k in m], keys)

    def test_memory_doctor_malloc_stats_purge(self):
        doctor = parse_reply(self.call("MEMORY", "DOCTOR")).decode()
        self.assertTrue(doctor.startswith("Hi Sam,"), doctor[:60])
        self.assertIn("this instance is empty or is using very little memory", doctor)
        stats = parse_reply(self.call("MEMORY", "MALLOC-STATS"))
        self.assertIsInstance(stats, bytes)
        self.assertGreater(len(stats), 0)
        self.assertEqual(self.call("MEMORY", "PURGE"), OK)
        help_lines = parse_reply(self.call("MEMORY", "HELP"))
        self.assertEqual(help_lines[0], b"MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        for sub in (b"DOCTOR", b"MALLOC-STATS", b"PURGE", b"STATS", b"USAGE <key> [SAMPLES <count>]", b"HELP"):
            self.assertIn(sub, help_lines)


class DebugDisabledTest(ServerTestCase):
    server_config = {"enable-debug-command": "no"}

    def test_debug_refused_by_default(self):
        c = self.raw()
        self.assertEqual(self.r.config_get("enable-debug-command"), {"enable-debug-command": "no"})
        self.assertEqual(c.call("DEBUG", "SLEEP", "0"), DEBUG_DISABLED)
        self.assertEqual(c.call("DEBUG", "OBJECT", "x"), DEBUG_DISABLED)
        self.assertEqual(c.call("PING"), b"+PONG\r\n")


class LifecycleTest(unittest.TestCase):
    """Servers started and stopped by each test: SHUTDOWN, CONFIG REWRITE, start-up errors."""

    def test_shutdown_nosave_exits_zero(self):
        srv = EmberServer().start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        c.call("SET", "k", "v")
        c.send_raw(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
        closed, data = wait_closed(c.s, 10)
        self.assertTrue(closed)
        self.assertEqual(data, b"")
        self.assertEqual(srv.proc.wait(timeout=10), 0)
        self.assertFalse(os.path.exists(os.path.join(srv.dir, "dump.rdb")))

    def test_shutdown_syntax_error_keeps_running(self):
        srv = EmberServer().start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("SHUTDOWN", "FOO"), b"-ERR syntax error\r\n")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    def test_config_rewrite_keeps_comments(self):
        class CommentedServer(EmberServer):
            def conf_lines(self):
                lines = super().conf_lines()
                return (["# Top comment: keep me"] + lines[:2] + ["", "# maxmemory comment", "maxmemory 5mb"]
                        + lines[2:] + ["# trailing comment"])

        srv = CommentedServer().start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("CONFIG", "SET", "maxmemory", "10mb", "hz", "15"), OK)
        self.assertEqual(c.call("CONFIG", "REWRITE"), OK)
        with open(os.path.join(srv.dir, "test.conf")) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "# Top comment: keep me")
        self.assertIn("# trailing comment", lines)
        i = lines.index("# maxmemory comment")
        self.assertEqual(lines[i + 1], "maxmemory 10mb")                 # rewritten in place
        self.assertEqual(sum(1 for l in lines if l.startswith("maxmemory ")), 1)
        self.assertIn("hz 15", lines)
        self.assertIn("# Generated by CONFIG REWRITE", lines)
        self.assertTrue(srv.wait_log("CONFIG REWRITE executed with success", 5))
        # The rewritten file starts a server with the new values (the harness would regenerate test.conf, so
        # this server writes the rewritten lines back verbatim).
        srv.stop()

        class FromFile(EmberServer):
            def conf_lines(self):
                return lines

        srv2 = FromFile(dir=srv.dir, port=srv.port).start()
        self.addCleanup(srv2.cleanup)
        c2 = RawConn(srv2.port)
        self.addCleanup(c2.close)
        self.assertEqual(parse_reply(c2.call("CONFIG", "GET", "maxmemory")), [b"maxmemory", b"10485760"])
        self.assertEqual(parse_reply(c2.call("CONFIG", "GET", "hz")), [b"hz", b"15"])

    def start_expecting_failure(self, extra_config):
        srv = EmberServer(config=extra_config, wait=False)
        self.addCleanup(srv.cleanup)
        srv.start()
        try:
            rc = srv.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.fail("server with a bad config did not exit")
        out = srv.proc.stdout.read().decode(errors="replace")
        return rc, out, srv

    def test_bad_directive_is_fatal_with_line_number(self):
        rc, out, srv = self.start_expecting_failure({"foo": "bar"})
        self.assertNotEqual(rc, 0)
        lineno = len(srv.conf_lines())                       # the bad directive is the last line
        self.assertRegex(out, r"\*\*\* FATAL CONFIG FILE ERROR \(Redis 7\.\d+\.\d+\) \*\*\*")
        self.assertIn(f"Reading the configuration file, at line {lineno}\n>>> 'foo bar'\n"
                      "Bad directive or wrong number of arguments", out)

    def test_bad_value_is_fatal_with_reason(self):
        rc, out, srv = self.start_expecting_failure({"maxmemory": "foo"})
        self.assertNotEqual(rc, 0)
        lineno = len(srv.conf_lines())
        self.assertIn(f"Reading the configuration file, at line {lineno}\n>>> 'maxmemory foo'\n"
                      "argument must be a memory value", out)

    def test_unimplemented_redis_directive_warns_and_starts(self):
        if target_is_redis():
            self.skipTest("Redis implements cluster-enabled; the warning is Ember's")
        srv = EmberServer(config={"cluster-enabled": "no"}).start()
        self.addCleanup(srv.cleanup)
        self.assertTrue(srv.wait_log("cluster-enabled", 5), srv.log()[-2000:])
        self.assertTrue(any("cluster-enabled" in l and "WARNING" in l for l in srv.log().splitlines()))
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    def test_check_system(self):
        p = subprocess.run([EMBER_BIN, "--check-system"], capture_output=True, text=True, timeout=30)
        out = p.stdout
        self.assertIn("[overcommit]...", out)
        checks = re.findall(r"^\[([\w-]+)\]\.\.\.(OK|skipped|WARNING:)$", out, re.M)
        self.assertGreaterEqual(len(checks), 2, out)
        warned = any(status == "WARNING:" for _, status in checks)
        self.assertEqual(p.returncode, 1 if warned else 0, out)


if __name__ == "__main__":
    unittest.main()
