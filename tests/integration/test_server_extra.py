"""Server commands beyond test_server.py: error texts of SWAPDB / FLUSH* / SHUTDOWN / DEBUG / MEMORY /
COMMAND, help replies, DEBUG POPULATE and INFO keyspace, INFO section selection, RESP3 shapes.

Only the server family and PING are needed (SET only to feed the AOF in one test), so these run on the server family
alone. Validated against Redis 7.0.15 (EMBER_TEST_TARGET=redis) except where a test says it is 7.2/Ember."""
import os
import re
import time

from harness import RawServerTestCase, ServerTestCase, target_is_redis
from .util import OK, SYNTAX, parse_reply, info_dict


class ServerExtraTest(RawServerTestCase):

    def setUp(self):
        super().setUp()
        self.c.call("FLUSHALL")

    def test_swapdb_errors(self):
        self.assertEqual(self.call("SWAPDB", "x", "0"), b"-ERR invalid first DB index\r\n")
        self.assertEqual(self.call("SWAPDB", "0", "x"), b"-ERR invalid second DB index\r\n")
        self.assertEqual(self.call("SWAPDB", "99999999999", "0"), b"-ERR invalid first DB index\r\n")
        self.assertEqual(self.call("SWAPDB", "-1", "0"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.call("SWAPDB", "0", "16"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(self.call("SWAPDB", "3", "3"), OK)
        self.assertEqual(self.call("SWAPDB", "0"), b"-ERR wrong number of arguments for 'swapdb' command\r\n")

    def test_swapdb_moves_populated_keys(self):
        self.assertEqual(self.call("DEBUG", "POPULATE", "5"), OK)
        self.assertEqual(self.call("SWAPDB", "0", "2"), OK)
        self.assertEqual(self.call("DBSIZE"), b":0\r\n")
        self.assertEqual(self.call("SELECT", "2"), OK)
        self.assertEqual(self.call("DBSIZE"), b":5\r\n")

    def test_flush_syntax_and_dbsize(self):
        self.assertEqual(self.call("DEBUG", "POPULATE", "10", "k", "3"), OK)
        self.assertEqual(self.call("DBSIZE"), b":10\r\n")
        for args in (("x",), ("ASYNC", "SYNC"), ("sync", "sync")):
            self.assertEqual(self.call("FLUSHDB", *args), SYNTAX)
            self.assertEqual(self.call("FLUSHALL", *args), SYNTAX)
        self.assertEqual(self.call("DBSIZE"), b":10\r\n")
        self.assertEqual(self.call("FLUSHDB", "sync"), OK)
        self.assertEqual(self.call("DBSIZE"), b":0\r\n")
        self.assertEqual(self.call("DBSIZE", "x"), b"-ERR wrong number of arguments for 'dbsize' command\r\n")

    def test_debug_populate(self):
        self.assertEqual(self.call("DEBUG", "POPULATE", "-1"), b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(self.call("DEBUG", "POPULATE", "x"), b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(self.call("DEBUG", "POPULATE", "3", "p", "-1"),
                         b"-ERR value is out of range, must be positive\r\n")
        self.assertEqual(self.call("DEBUG", "POPULATE", "3", "p", "100"), OK)
        self.assertEqual(self.call("DEBUG", "POPULATE", "4", "p"), OK)      # p:0..2 exist: only p:3 added
        ks = parse_reply(self.call("INFO", "keyspace")).decode()
        self.assertEqual(ks, "# Keyspace\r\ndb0:keys=4,expires=0,avg_ttl=0\r\n")
        m = re.match(r"^\+Value at:0x[0-9a-f]+ refcount:1 encoding:raw serializedlength:(\d+) ",
                      self.call("DEBUG", "OBJECT", "p:0").decode())
        self.assertIsNotNone(m)
        m = re.match(r"^\+Value at:\S+ refcount:1 encoding:embstr serializedlength:8 ",
                     self.call("DEBUG", "OBJECT", "p:3").decode())       # "value:3": 1 length byte + 7
        self.assertIsNotNone(m)

    def test_debug_errors_and_toggles(self):
        err = b"-ERR unknown subcommand or wrong number of arguments for '%s'. Try DEBUG HELP.\r\n"
        self.assertEqual(self.call("DEBUG", "SLEEP"), err % b"SLEEP")
        self.assertEqual(self.call("DEBUG", "sleep", "0", "x"), err % b"sleep")
        self.assertEqual(self.call("DEBUG", "OBJECT"), err % b"OBJECT")
        self.assertEqual(self.call("DEBUG", "NOSUCH"), err % b"NOSUCH")
        self.assertEqual(self.call("DEBUG"), b"-ERR wrong number of arguments for 'debug' command\r\n")
        self.assertEqual(self.call("DEBUG", "SLEEP", "x"), OK)
        self.assertEqual(self.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"), OK)
        self.assertEqual(self.call("DEBUG", "SET-ACTIVE-EXPIRE", "1"), OK)
        bad = b"-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n"
        self.assertEqual(self.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"), bad)
        self.assertEqual(self.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"), bad)
        self.assertEqual(self.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"), OK)
        self.assertEqual(self.call("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"), OK)
        self.assertEqual(self.call("DEBUG", "ERROR", "boom"), b"-boom\r\n")
        self.assertEqual(self.call("DEBUG", "ERROR", "-WRONG custom"), b"--WRONG custom\r\n")   # Redis adds '-' to whatever it is given
        self.assertEqual(self.call("DEBUG", "LOG", "hello-from-test"), OK)
        self.assertTrue(self.server.wait_log("DEBUG LOG: hello-from-test", 5))
        replid = info_dict(parse_reply(self.call("INFO", "replication")).decode())["master_replid"]
        self.assertEqual(self.call("DEBUG", "CHANGE-REPL-ID"), OK)
        d = info_dict(parse_reply(self.call("INFO", "replication")).decode())
        self.assertNotEqual(d["master_replid"], replid)
        self.assertRegex(d["master_replid"], r"^[0-9a-f]{40}$")
        help_lines = parse_reply(self.call("DEBUG", "HELP"))
        self.assertEqual(help_lines[0], b"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
        self.assertEqual(help_lines[-2:], [b"HELP", b"    Prints this help."])
        self.assertIn(b"SLEEP <seconds>", help_lines)

    def test_shutdown_arguments(self):
        self.assertEqual(self.call("SHUTDOWN", "NOSAVE", "SAVE"), SYNTAX)
        self.assertEqual(self.call("SHUTDOWN", "ABORT", "NOW"), SYNTAX)
        self.assertEqual(self.call("SHUTDOWN", "x", "y"), SYNTAX)
        self.assertEqual(self.call("SHUTDOWN", "ABORT"), b"-ERR No shutdown in progress.\r\n")
        self.assertEqual(self.call("MULTI"), OK)
        self.assertEqual(self.call("SHUTDOWN"), b"-ERR Command not allowed inside a transaction\r\n")
        self.assertEqual(self.call("DISCARD"), OK)
        self.assertEqual(self.call("PING"), b"+PONG\r\n")

    def test_memory_errors_and_help(self):
        self.assertEqual(self.call("DEBUG", "POPULATE", "1"), OK)
        self.assertEqual(self.call("MEMORY", "USAGE", "key:0", "SAMPLES", "x"),
                         b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(self.call("MEMORY", "USAGE", "key:0", "SAMPLES"), SYNTAX)
        self.assertIsInstance(parse_reply(self.call("MEMORY", "USAGE", "key:0", "samples", "0")), int)
        for sub in ("STATS", "DOCTOR", "PURGE", "MALLOC-STATS", "HELP"):
            self.assertEqual(self.call("MEMORY", sub, "x"),
                             b"-ERR wrong number of arguments for 'memory|%s' command\r\n" % sub.lower().encode())
        self.assertEqual(self.call("MEMORY"), b"-ERR wrong number of arguments for 'memory' command\r\n")
        self.assertEqual(parse_reply(self.call("MEMORY", "HELP"))[-4:],
                         [b"    Return memory in bytes used by <key> and its value. Nested values are",
                          b"    sampled up to <count> times (default: 5, 0 means sample all).",
                          b"HELP", b"    Prints this help."])

    def test_config_help_and_arity(self):
        self.assertEqual(parse_reply(self.call("CONFIG", "HELP")),
                         [b"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                          b"GET <pattern>",
                          b"    Return parameters matching the glob-like <pattern> and their values.",
                          b"SET <directive> <value>", b"    Set the configuration <directive> to <value>.",
                          b"RESETSTAT", b"    Reset statistics reported by the INFO command.",
                          b"REWRITE", b"    Rewrite the configuration file.",
                          b"HELP", b"    Prints this help."])
        self.assertEqual(self.call("CONFIG"), b"-ERR wrong number of arguments for 'config' command\r\n")
        self.assertEqual(self.call("config", "foo"), b"-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n")

    def test_command_getkeys_list_and_count(self):
        self.assertEqual(self.call("COMMAND", "GETKEYS", "memory", "usage", "k"), b"*1\r\n$1\r\nk\r\n")
        self.assertEqual(self.call("COMMAND", "GETKEYS", "nosuch", "a"), b"-ERR Invalid command specified\r\n")
        self.assertEqual(self.call("COMMAND", "GETKEYS", "config", "get", "x"),
                         b"-ERR The command has no key arguments\r\n")
        self.assertEqual(self.call("COMMAND", "GETKEYS", "memory", "usage"),
                         b"-ERR Invalid number of arguments specified for command\r\n")
        self.assertEqual(self.call("COMMAND", "GETKEYS", "memory"),
                         b"-ERR wrong number of arguments for 'command|getkeys' command\r\n")
        self.assertEqual(self.call("COMMAND", "GETKEYS", "memory", "usage", "k", "SAMPLES", "1"),
                         b"*1\r\n$1\r\nk\r\n")
        conf = parse_reply(self.call("COMMAND", "LIST", "FILTERBY", "pattern", "conf*"))
        self.assertEqual(sorted(conf), sorted([b"config", b"config|get", b"config|set", b"config|rewrite",
                                               b"config|help", b"config|resetstat"]))
        self.assertEqual(parse_reply(self.call("COMMAND", "LIST", "FILTERBY", "module", "x")), [])
        self.assertEqual(parse_reply(self.call("COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch")), [])
        self.assertIn(b"swapdb", parse_reply(self.call("COMMAND", "LIST", "FILTERBY", "aclcat", "dangerous")))
        for bad in (("FILTERBY",), ("FILTERBY", "foo", "x"), ("x",)):
            self.assertEqual(self.call("COMMAND", "LIST", *bad), SYNTAX)
        self.assertEqual(self.call("COMMAND", "COUNT", "x"),
                         b"-ERR wrong number of arguments for 'command|count' command\r\n")
        self.assertEqual(parse_reply(self.call("COMMAND", "DOCS", "nosuch")), [])
        info = parse_reply(self.call("COMMAND", "INFO", "config|get", "nosuch"))
        self.assertEqual(info[0][:6], [b"config|get", -3, [b"admin", b"noscript", b"loading", b"stale"], 0, 0, 0])
        self.assertIsNone(info[1])
        memory = parse_reply(self.call("COMMAND", "INFO", "memory"))[0]
        usage = [s for s in memory[9] if s[0] == b"memory|usage"][0]
        self.assertEqual(usage[:7], [b"memory|usage", -3, [b"readonly"], 2, 2, 1, [b"@read", b"@slow"]])

    def test_info_sections_and_resp3(self):
        self.assertEqual(parse_reply(self.call("INFO", "CLUSTER")), b"# Cluster\r\ncluster_enabled:0\r\n")
        both = parse_reply(self.call("INFO", "keyspace", "cluster")).decode()
        self.assertEqual(both, "# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n")
        self.assertEqual(parse_reply(self.call("INFO", "modules")), b"# Modules\r\n")
        d = info_dict(parse_reply(self.call("INFO", "stats", "clients", "persistence")).decode())
        self.assertEqual(d["rdb_last_bgsave_status"], "ok")
        self.assertGreaterEqual(int(d["connected_clients"]), 1)
        self.call("HELLO", "3")
        raw = self.call("INFO", "cluster")
        self.assertEqual(raw, b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n")     # verbatim string
        self.assertTrue(self.call("MEMORY", "DOCTOR").startswith(b"="))

    def test_time_and_commandstats_for_subcommands(self):
        self.assertEqual(self.call("CONFIG", "RESETSTAT"), OK)
        a = parse_reply(self.call("TIME"))
        time.sleep(0.01)
        b = parse_reply(self.call("TIME"))
        self.assertGreater((int(b[0]), int(b[1])), (int(a[0]), int(a[1])))
        self.call("CONFIG", "GET", "hz")
        self.call("CONFIG", "NOSUCH")
        stats = info_dict(parse_reply(self.call("INFO", "commandstats")).decode())
        self.assertRegex(stats["cmdstat_config|get"], r"^calls=1,usec=\d+,usec_per_call=\d+\.\d\d,"
                                                     r"rejected_calls=0,failed_calls=0$")
        self.assertNotIn("cmdstat_config", stats)        # an unknown subcommand counts nowhere
        self.assertRegex(stats["cmdstat_time"], r"^calls=2,")


class ServerExtra72Test(ServerTestCase):
    """Redis 7.2 / Ember-only fields."""

    def test_72_fields(self):
        if target_is_redis():
            self.skipTest("7.2 fields; the reference server is 7.0")
        c = self.raw()
        d = info_dict(parse_reply(c.call("INFO", "everything")).decode())
        for f in ("total_blocking_keys", "total_blocking_keys_on_nokey", "eventloop_cycles",
                  "instantaneous_eventloop_duration_usec", "acl_access_denied_channel", "ember_version"):
            self.assertIn(f, d)
        self.assertEqual(d["listener0"], "name=tcp,bind=127.0.0.1,port=%d" % self.server.port)
        self.assertGreater(int(d["eventloop_cycles"]), 0)
        dbg = parse_reply(c.call("INFO", "debug")).decode()
        self.assertTrue(dbg.startswith("# Debug\r\neventloop_duration_aof_sum:"), dbg)
        # RESETSTAT in the middle of a cycle (after commands ran in it) leaves sane cycle figures.
        c.send_raw(b"PING\r\nPING\r\nCONFIG RESETSTAT\r\n")
        self.assertEqual([c.read_reply() for _ in range(3)], [b"+PONG\r\n", b"+PONG\r\n", OK])
        dbg = info_dict(parse_reply(c.call("INFO", "debug")).decode())
        self.assertLess(int(dbg["eventloop_cmd_per_cycle_max"]), 100)

    def test_idle_poll_directive_and_fields(self):
        # Ember only: idle-poll-us (redis.conf, src/net/event_loop.h) and its INFO stats fields.
        if target_is_redis():
            self.skipTest("Ember-only directive")
        c = self.raw()
        stats = lambda: info_dict(parse_reply(c.call("INFO", "stats")).decode())
        self.assertEqual(c.call("CONFIG", "GET", "idle-poll-us"), b"*2\r\n$12\r\nidle-poll-us\r\n$2\r\n50\r\n")
        # Redis's texts for an integer directive.
        for bad, why in (("-1", b"argument must be between 0 and 100000 inclusive"),
                         ("100001", b"argument must be between 0 and 100000 inclusive"),
                         ("x", b"argument couldn't be parsed into an integer"),
                         ("1.5", b"argument couldn't be parsed into an integer")):
            self.assertEqual(c.call("CONFIG", "SET", "idle-poll-us", bad),
                             b"-ERR CONFIG SET failed (possibly related to argument 'idle-poll-us') - "
                             + why + b"\r\n")
        self.assertEqual(c.call("CONFIG", "GET", "idle-poll-us"), b"*2\r\n$12\r\nidle-poll-us\r\n$2\r\n50\r\n")
        try:
            # A 100 ms window: back-to-back round trips are all shorter, so the window opens and the
            # poll catches requests. (A one-CPU machine never polls.)
            self.assertEqual(c.call("CONFIG", "SET", "idle-poll-us", "100000"), OK)
            for _ in range(200):
                self.assertEqual(c.call("PING"), b"+PONG\r\n")
            d = stats()
            if (os.cpu_count() or 1) > 1:
                self.assertGreater(int(d["idle_poll_waits"]), 0)
                self.assertGreater(int(d["idle_poll_hits"]), 0)
                self.assertGreater(int(d["idle_poll_window_us"]), 0)
            else:
                self.assertEqual(d["idle_poll_waits"], "0")
            # Off: the window closes and no wait polls any more.
            self.assertEqual(c.call("CONFIG", "SET", "idle-poll-us", "0"), OK)
            self.assertEqual(c.call("PING"), b"+PONG\r\n")
            d = stats()
            self.assertEqual(d["idle_poll_window_us"], "0")
            for _ in range(50):
                self.assertEqual(c.call("PING"), b"+PONG\r\n")
            self.assertEqual(stats()["idle_poll_waits"], d["idle_poll_waits"])
            # RESETSTAT zeroes the counters.
            self.assertEqual(c.call("CONFIG", "RESETSTAT"), OK)
            d = stats()
            self.assertEqual((d["idle_poll_waits"], d["idle_poll_hits"]), ("0", "0"))
        finally:
            c.call("CONFIG", "SET", "idle-poll-us", "50")

    def test_eventloop_duration_aof_sum_counts_aof_writes(self):
        if target_is_redis():
            self.skipTest("7.2 field; the reference server is 7.0")
        c = self.raw()
        dbg = lambda: info_dict(parse_reply(c.call("INFO", "debug")).decode())
        self.assertEqual(dbg()["eventloop_duration_aof_sum"], "0")  # appendonly no
        try:
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "yes"), OK)
            deadline = time.time() + 30
            while time.time() < deadline and info_dict(parse_reply(c.call("INFO", "persistence")).decode()).get(
                    "aof_rewrite_in_progress") != "0":
                time.sleep(0.05)
            for i in range(100):
                self.assertEqual(c.call("SET", "k%d" % i, "v"), OK)
            self.assertGreater(int(dbg()["eventloop_duration_aof_sum"]), 0)
        finally:
            c.call("CONFIG", "SET", "appendonly", "no")
