"""A fork that fails (BGSAVE, BGREWRITEAOF, save points): logged with the reason, reported as Redis
reports it, nothing lost, and the server keeps serving. The failure is simulated with Ember's test
hook EMBER_TEST_FAIL_FORK=1 (persist/fork_child.h): a real ENOMEM from fork needs overcommit settings
a test cannot change. Ember only (Redis has no such hook).
"""
import os
import unittest

from harness import EmberServer, RawConn, target_is_redis


@unittest.skipIf(target_is_redis(), "uses Ember's fork-failure test hook")
class ForkFailureTest(unittest.TestCase):
    def setUp(self):
        old = os.environ.get("EMBER_TEST_FAIL_FORK")
        os.environ["EMBER_TEST_FAIL_FORK"] = "1"
        try:
            self.srv = EmberServer(config={"save": "3600 1"}).start()
        finally:
            if old is None:
                os.environ.pop("EMBER_TEST_FAIL_FORK", None)
            else:
                os.environ["EMBER_TEST_FAIL_FORK"] = old
        self.addCleanup(self.srv.stop)
        self.c = RawConn(self.srv.port)
        self.addCleanup(self.c.close)

    def test_bgsave_fork_failure_is_logged_reported_and_harmless(self):
        self.assertEqual(self.c.call("SET", "k", "v"), b"+OK\r\n")
        # Redis replies a bare -ERR (shared.err); the reason goes to the log.
        self.assertEqual(self.c.call("BGSAVE"), b"-ERR\r\n")
        self.assertIn("Can't save in background: fork: ", self.srv.log())
        info = self.c.call("INFO", "persistence").decode()
        self.assertIn("rdb_last_bgsave_status:err", info)
        self.assertIn("rdb_bgsave_in_progress:0", info)
        # Reads keep working; with a save point and stop-writes-on-bgsave-error yes, writes are
        # refused with MISCONF as in Redis, and nothing was lost.
        self.assertEqual(self.c.call("GET", "k"), b"$1\r\nv\r\n")
        self.assertTrue(self.c.call("SET", "k2", "v").startswith(b"-MISCONF "))
        # A foreground SAVE does not fork: it succeeds and lifts the write block.
        self.assertEqual(self.c.call("SAVE"), b"+OK\r\n")
        self.assertEqual(self.c.call("SET", "k2", "v"), b"+OK\r\n")
        self.assertTrue(os.path.exists(os.path.join(self.srv.dir, "dump.rdb")))

    def test_bgrewriteaof_fork_failure(self):
        self.assertEqual(self.c.call("SET", "k", "v"), b"+OK\r\n")
        self.assertEqual(self.c.call("BGREWRITEAOF"),
                         b"-ERR Can't execute an AOF background rewriting. Please check the server "
                         b"logs for more information.\r\n")
        self.assertIn("Can't rewrite append only file in background: fork: ", self.srv.log())
        self.assertIn("aof_last_bgrewrite_status:err", self.c.call("INFO", "persistence").decode())
        self.assertEqual(self.c.call("GET", "k"), b"$1\r\nv\r\n")
        self.assertEqual(self.c.call("PING"), b"+PONG\r\n")


if __name__ == "__main__":
    unittest.main()
