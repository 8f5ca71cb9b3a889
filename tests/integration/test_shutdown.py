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
