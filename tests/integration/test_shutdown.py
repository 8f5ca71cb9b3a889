"""Shutdown and FLUSHALL as persistence events, as Redis 7.0 handles them: SHUTDOWN and SIGTERM save a
final snapshot when save points are configured (SAVE forces one, NOSAVE skips it); a final snapshot
that fails refuses the shutdown (the server keeps serving and listening) unless FORCE; FLUSHALL with
save points saves the empty dataset, so a crash afterwards cannot bring the flushed keys back;
shutdown-on-sigint / shutdown-on-sigterm give the signals SHUTDOWN's options.
Every reply and log line is Redis 7.0.15's (checked against redis-server).
"""
import os
import signal
import unittest

from harness import EmberServer, RawConn
from .util import OK, wait_closed, wait_until

REFUSED = b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"


class ShutdownSavesTest(unittest.TestCase):
    def start(self, save="3600 1", dir=None):
        srv = EmberServer(config={"save": f'"{save}"' if save else '""'}, dir=dir).start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        return srv, c

    def dump(self, srv):
        return os.path.join(srv.dir, "dump.rdb")

    def shutdown(self, srv, c, *args):
        """SHUTDOWN that succeeds: no reply, the connection closes, the process exits 0."""
        parts = [b"SHUTDOWN"] + [a.encode() for a in args]
        c.send_raw(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        closed, data = wait_closed(c.s, 20)
        self.assertTrue(closed)
        self.assertEqual(data, b"")
        self.assertEqual(srv.proc.wait(timeout=20), 0)

    def restart_get(self, srv, key):
        srv2 = EmberServer(config={"save": '""'}, dir=srv.dir).start()
        self.addCleanup(srv2.cleanup)
        c2 = RawConn(srv2.port)
        self.addCleanup(c2.close)
        return c2.call("GET", key), c2.call("DBSIZE")

    def test_shutdown_with_save_points_saves_a_final_snapshot(self):
        srv, c = self.start()
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.shutdown(srv, c)
        log = srv.log()
        for line in ("User requested shutdown...", "Saving the final RDB snapshot before exiting.",
                     "DB saved on disk", "Redis is now ready to exit, bye bye..."):
            self.assertIn(line, log)
        self.assertLess(log.index("Saving the final RDB snapshot"), log.index("ready to exit"))
        self.assertEqual(self.restart_get(srv, "k"), (b"$1\r\nv\r\n", b":1\r\n"))

    def test_sigterm_with_save_points_saves_a_final_snapshot(self):
        srv, c = self.start()
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.assertEqual(srv.stop(sig=signal.SIGTERM), 0)
        self.assertIn("Saving the final RDB snapshot before exiting.", srv.log())
        self.assertEqual(self.restart_get(srv, "k"), (b"$1\r\nv\r\n", b":1\r\n"))

    def test_nosave_skips_and_save_forces_the_snapshot(self):
        srv, c = self.start()
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.shutdown(srv, c, "NOSAVE")
        self.assertFalse(os.path.exists(self.dump(srv)))
        self.assertNotIn("Saving the final RDB snapshot", srv.log())

        srv, c = self.start(save=None)  # no save points: only SAVE writes one
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.shutdown(srv, c, "SAVE")
        self.assertIn("Saving the final RDB snapshot before exiting.", srv.log())
        self.assertEqual(self.restart_get(srv, "k"), (b"$1\r\nv\r\n", b":1\r\n"))

    def test_a_failed_final_snapshot_refuses_shutdown_unless_forced(self):
        srv, c = self.start()
        self.assertEqual(c.call("SET", "k", "v"), OK)
        # A directory where the dump goes: the snapshot is written, the rename onto it fails.
        os.makedirs(os.path.join(self.dump(srv), "x"))
        self.assertEqual(c.call("SHUTDOWN"), REFUSED)
        # Still serving, still accepting connections; a failed foreground save is not a failed
        # BGSAVE, so writes are not refused (no MISCONF), as in Redis.
        self.assertEqual(c.call("PING"), b"+PONG\r\n")
        c2 = RawConn(srv.port)
        self.addCleanup(c2.close)
        self.assertEqual(c2.call("SET", "k2", "v2"), OK)
        log = srv.log()
        self.assertIn("Error moving temp DB file temp-", log)
        self.assertIn("(in server root dir ", log)
        self.assertIn("Error trying to save the DB, can't exit.", log)
        self.assertIn("Errors trying to shut down the server. Check the logs for more information.", log)
        self.assertNotIn("ready to exit", log)
        # SIGTERM is refused the same way and the server keeps serving.
        os.kill(srv.proc.pid, signal.SIGTERM)
        self.assertTrue(srv.wait_log("Received SIGTERM scheduling shutdown...", 10))
        # (Redis acts on the signal from its cron, up to 100 ms later.)
        self.assertTrue(wait_until(lambda: srv.log().count("Error trying to save the DB, can't exit.") == 2, 10))
        self.assertEqual(c2.call("GET", "k2"), b"$2\r\nv2\r\n")
        self.assertIsNone(srv.proc.poll())
        # FORCE exits anyway.
        self.shutdown(srv, c2, "FORCE")
        self.assertIn("Error trying to save the DB. Exit anyway.", srv.log())

    def test_shutdown_on_sigterm_nosave_skips_the_snapshot(self):
        srv, c = self.start()
        self.assertEqual(c.call("CONFIG", "SET", "shutdown-on-sigterm", "nosave"), OK)
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.assertEqual(srv.stop(sig=signal.SIGTERM), 0)
        self.assertFalse(os.path.exists(self.dump(srv)))
        self.assertNotIn("Saving the final RDB snapshot", srv.log())

    def test_shutdown_on_sigint_save_writes_a_snapshot_without_save_points(self):
        srv = EmberServer(config={"save": '""', "shutdown-on-sigint": "save"}).start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.assertEqual(srv.stop(sig=signal.SIGINT), 0)
        self.assertIn("Received SIGINT scheduling shutdown...", srv.log())
        self.assertEqual(self.restart_get(srv, "k"), (b"$1\r\nv\r\n", b":1\r\n"))
        # Without the directive SIGINT saves only with save points.
        srv, c = self.start(save=None)
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.assertEqual(srv.stop(sig=signal.SIGINT), 0)
        self.assertFalse(os.path.exists(self.dump(srv)))

    def test_shutdown_on_sigterm_force_exits_despite_a_failed_snapshot(self):
        srv, c = self.start()
        self.assertEqual(c.call("CONFIG", "SET", "shutdown-on-sigterm", "force"), OK)
        self.assertEqual(c.call("SET", "k", "v"), OK)
        os.makedirs(os.path.join(self.dump(srv), "x"))
        self.assertEqual(srv.stop(sig=signal.SIGTERM), 0)
        self.assertIn("Error trying to save the DB. Exit anyway.", srv.log())

    def test_shutdown_on_signal_config_values(self):
        srv, c = self.start()
        bad = (b"-ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - "
               b"argument(s) must be one of the following: default, save, nosave, now, force\r\n")
        both = (b"-ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigterm') - "
                b"shutdown options SAVE and NOSAVE can't be used simultaneously\r\n")
        for name in ("shutdown-on-sigint", "shutdown-on-sigterm"):
            self.assertEqual(c.call("CONFIG", "GET", name),
                             b"*2\r\n$%d\r\n%s\r\n$7\r\ndefault\r\n" % (len(name), name.encode()))
        for value, shown in (("nosave force", b"nosave force"), ("FORCE now Save", b"save now force"),
                             ("default save", b"save"), ("default", b"default"), ("now", b"now")):
            self.assertEqual(c.call("CONFIG", "SET", "shutdown-on-sigterm", value), OK, value)
            self.assertEqual(c.call("CONFIG", "GET", "shutdown-on-sigterm"),
                             b"*2\r\n$19\r\nshutdown-on-sigterm\r\n$%d\r\n%s\r\n" % (len(shown), shown))
        for value, err in (("bogus", bad), ("", bad), ("save bogus", bad), ("save nosave", both)):
            self.assertEqual(c.call("CONFIG", "SET", "shutdown-on-sigterm", value), err, value)
        self.assertEqual(c.call("CONFIG", "GET", "shutdown-on-sigterm"),
                         b"*2\r\n$19\r\nshutdown-on-sigterm\r\n$3\r\nnow\r\n")

    # -- with a child that stays alive: rdb-key-save-delay (microseconds per key, a test directive
    #    of Redis's) makes a save of 40 keys last 8 seconds.

    def slow_child_server(self, save="3600 1"):
        srv, c = self.start(save=save)
        for i in range(40):
            c.call("SET", "k%d" % i, "v")
        self.assertEqual(c.call("CONFIG", "SET", "rdb-key-save-delay", "200000"), OK)
        return srv, c

    def persistence(self, c, field):
        info = c.call("INFO", "persistence").decode()
        return next(l.split(":", 1)[1].strip() for l in info.split("\r\n") if l.startswith(field + ":"))

    def test_rdb_key_save_delay_is_a_hidden_directive(self):
        srv, c = self.start()
        self.assertEqual(c.call("CONFIG", "SET", "rdb-key-save-delay", "-5"), OK)
        self.assertEqual(c.call("CONFIG", "GET", "rdb-key-save-delay"),
                         b"*2\r\n$18\r\nrdb-key-save-delay\r\n$2\r\n-5\r\n")
        self.assertEqual(c.call("CONFIG", "GET", "key-load-delay"),
                         b"*2\r\n$14\r\nkey-load-delay\r\n$1\r\n0\r\n")
        everything = c.call("CONFIG", "GET", "*")
        self.assertNotIn(b"key-save-delay", everything)
        self.assertNotIn(b"key-load-delay", everything)

    def test_flushall_stops_a_running_bgsave(self):
        srv, c = self.slow_child_server()
        self.assertEqual(c.call("BGSAVE"), b"+Background saving started\r\n")
        self.assertEqual(self.persistence(c, "rdb_bgsave_in_progress"), "1")
        self.assertEqual(c.call("BGSAVE"), b"-ERR Background save already in progress\r\n")
        self.assertEqual(c.call("FLUSHALL"), OK)
        self.assertTrue(wait_until(lambda: self.persistence(c, "rdb_bgsave_in_progress") == "0", 5))
        self.assertTrue(srv.wait_log("Background saving terminated by signal 10", 5))
        # A killed child is not a failed save (no MISCONF), and the save FLUSHALL wrote reset
        # the change counter.
        self.assertEqual(self.persistence(c, "rdb_last_bgsave_status"), "ok")
        self.assertEqual(self.persistence(c, "rdb_changes_since_last_save"), "0")
        self.assertEqual(c.call("SET", "after", "1"), OK)
        self.assertEqual(self.restart_get(srv, "k1"), (b"$-1\r\n", b":0\r\n"))

    def test_shutdown_kills_a_running_bgsave_then_saves(self):
        srv, c = self.slow_child_server()
        self.assertEqual(c.call("BGSAVE"), b"+Background saving started\r\n")
        self.assertEqual(c.call("CONFIG", "SET", "rdb-key-save-delay", "0"), OK)  # the final save
        self.shutdown(srv, c)
        log = srv.log()
        self.assertIn("There is a child saving an .rdb. Killing it!", log)
        self.assertLess(log.index("Killing it!"), log.index("Saving the final RDB snapshot"))
        self.assertEqual(self.restart_get(srv, "k39"), (b"$1\r\nv\r\n", b":40\r\n"))

    def test_shutdown_waits_for_the_first_aof_unless_forced(self):
        srv, c = self.slow_child_server(save=None)
        self.assertEqual(c.call("CONFIG", "SET", "appendonly", "yes"), OK)
        self.assertEqual(self.persistence(c, "aof_rewrite_in_progress"), "1")
        # Exiting now would leave no AOF with the dataset: refused, and the server keeps serving.
        self.assertEqual(c.call("SHUTDOWN"), REFUSED)
        self.assertEqual(c.call("GET", "k1"), b"$1\r\nv\r\n")
        self.assertIn("Writing initial AOF, can't exit.", srv.log())
        self.shutdown(srv, c, "FORCE")
        log = srv.log()
        for line in ("Writing initial AOF. Exit anyway.", "There is a child rewriting the AOF. Killing it!",
                     "Killing running AOF rewrite child: "):
            self.assertIn(line, log)

    def test_flush_of_empty_databases_reaches_the_aof(self):
        srv = EmberServer(config={"save": '""', "appendonly": "yes"}).start()
        self.addCleanup(srv.cleanup)
        c = RawConn(srv.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("FLUSHDB"), OK)
        self.assertEqual(c.call("FLUSHALL"), OK)
        self.assertEqual(c.call("SET", "k", "v"), OK)
        # Without save points FLUSHALL adds the keys it removed, nothing more.
        self.assertEqual(c.call("FLUSHALL"), OK)
        self.assertEqual(self.persistence(c, "rdb_changes_since_last_save"), "2")
        self.assertEqual(srv.stop(), 0)
        d = os.path.join(srv.dir, "appendonlydir")
        incr = [f for f in os.listdir(d) if f.endswith(".incr.aof")]
        self.assertEqual(len(incr), 1)
        with open(os.path.join(d, incr[0]), "rb") as f:
            data = f.read().lower()
        self.assertEqual(data.count(b"flushdb"), 1)
        self.assertEqual(data.count(b"flushall"), 2)

    def test_flushall_with_save_points_saves_the_empty_dataset(self):
        srv, c = self.start()
        self.assertEqual(c.call("SET", "k", "v"), OK)
        self.assertEqual(c.call("SAVE"), OK)
        self.assertEqual(c.call("FLUSHALL"), OK)
        # A crash now (no shutdown snapshot) must not bring k back from the earlier dump.
        srv.kill9()
        self.assertEqual(self.restart_get(srv, "k"), (b"$-1\r\n", b":0\r\n"))


if __name__ == "__main__":
    unittest.main()
