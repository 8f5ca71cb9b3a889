"""Connection / Pub/Sub / transaction corners not covered by test_connection, test_protocol and
test_pubsub_tx: client types in CLIENT LIST/KILL, QUIT and RESET inside MULTI, subscribe commands
queued in a transaction, an already-expired watched key, EXEC refused over maxmemory, keyspace
notifications reaching pattern subscribers, clients on the unix socket.

Every expectation was checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis)."""
import os
import socket
import stat
import time
import unittest

import redis

from harness import EmberServer, RawConn, ServerTestCase, encode_command, target_is_redis
from .util import parse_reply, wait_closed, wait_until


def fields(line):
    return dict(p.partition("=")[::2] for p in line.strip().split(" "))


class ConnExtraTest(ServerTestCase):

    def test_client_list_and_kill_by_type_pubsub(self):
        sub, other, admin = self.raw(), self.raw(), self.raw()
        sub.send_raw(encode_command("SUBSCRIBE", "ch"))
        sub.read_reply()
        other.call("PING")
        lines = parse_reply(admin.call("CLIENT", "LIST", "TYPE", "pubsub")).decode().splitlines()
        self.assertEqual(len(lines), 1)
        f = fields(lines[0])
        self.assertEqual((f["flags"], f["sub"], f["psub"], f["cmd"]), ("P", "1", "0", "subscribe"))
        normal = parse_reply(admin.call("CLIENT", "LIST", "TYPE", "normal")).decode()
        self.assertNotIn("id=%s " % f["id"], normal)
        self.assertEqual(admin.call("CLIENT", "KILL", "TYPE", "pubsub"), b":1\r\n")
        closed, _ = wait_closed(sub.s, 3)
        self.assertTrue(closed)
        self.assertEqual(admin.call("PUBSUB", "NUMSUB", "ch"), b"*2\r\n$2\r\nch\r\n:0\r\n")
        self.assertEqual(other.call("PING"), b"+PONG\r\n")

    def test_client_kill_by_laddr_skips_caller(self):
        a, b = self.raw(), self.raw()
        laddr = fields(parse_reply(a.call("CLIENT", "INFO")).decode())["laddr"]
        killed = int(a.call("CLIENT", "KILL", "LADDR", laddr)[1:-2])
        self.assertGreaterEqual(killed, 1)          # b (and the test's own client) but not a
        closed, _ = wait_closed(b.s, 3)
        self.assertTrue(closed)
        self.assertEqual(a.call("PING"), b"+PONG\r\n")

    def test_quit_and_reset_inside_multi_run_at_once(self):
        c = self.raw()
        self.assertEqual(c.call("MULTI"), b"+OK\r\n")
        self.assertEqual(c.call("PING"), b"+QUEUED\r\n")
        self.assertEqual(c.call("RESET"), b"+RESET\r\n")
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")
        s = self.server.sock()
        self.addCleanup(s.close)
        s.sendall(b"MULTI\r\nQUIT\r\nPING\r\n")
        closed, data = wait_closed(s, 3)
        self.assertTrue(closed)
        self.assertEqual(data, b"+OK\r\n+OK\r\n")

    def test_subscribe_queued_in_multi(self):
        c, p = self.raw(), self.raw()
        self.assertEqual(c.call("MULTI"), b"+OK\r\n")
        self.assertEqual(c.call("SUBSCRIBE", "x"), b"+QUEUED\r\n")
        self.assertEqual(c.call("PING"), b"+QUEUED\r\n")
        self.assertEqual(c.call("EXEC"),
                         b"*2\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        self.assertEqual(p.call("PUBLISH", "x", "m"), b":1\r\n")
        self.assertEqual(c.read_reply(), b"*3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$1\r\nm\r\n")
        self.assertEqual(c.call("EXEC"),
                         b"-EXECABORT Transaction discarded because of: Can't execute 'exec': only "
                         b"(P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
                         b"context\r\n")

    def test_exec_and_discard_arity_errors(self):
        c = self.raw()
        self.assertEqual(c.call("EXEC", "x"),
                         b"-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
                         b"command\r\n")
        self.assertEqual(c.call("MULTI"), b"+OK\r\n")
        self.assertEqual(c.call("DISCARD", "x"), b"-ERR wrong number of arguments for 'discard' command\r\n")
        self.assertEqual(c.call("EXEC"), b"-EXECABORT Transaction discarded because of previous errors.\r\n")

    def test_watch_of_already_expired_key_is_not_a_change(self):
        c = self.raw()
        self.assertEqual(c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0"), b"+OK\r\n")
        try:
            self.assertEqual(c.call("SET", "gone", "v", "PX", "20"), b"+OK\r\n")
            time.sleep(0.1)
            self.assertEqual(c.call("WATCH", "gone"), b"+OK\r\n")
            self.assertEqual(c.call("EXISTS", "gone"), b":0\r\n")     # lazily deleted now
            self.assertEqual(c.call("MULTI"), b"+OK\r\n")
            self.assertEqual(c.call("PING"), b"+QUEUED\r\n")
            self.assertEqual(c.call("EXEC"), b"*1\r\n+PONG\r\n")
            # Alive at WATCH time, expired before EXEC: the transaction fails.
            self.assertEqual(c.call("SET", "soon", "v", "PX", "50"), b"+OK\r\n")
            self.assertEqual(c.call("WATCH", "soon"), b"+OK\r\n")
            time.sleep(0.15)
            self.assertEqual(c.call("MULTI"), b"+OK\r\n")
            self.assertEqual(c.call("PING"), b"+QUEUED\r\n")
            self.assertEqual(c.call("EXEC"), b"*-1\r\n")
        finally:
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")

    def test_exec_refused_over_maxmemory_when_queue_has_write(self):
        c, admin = self.raw(), self.raw()
        self.assertEqual(c.call("MULTI"), b"+OK\r\n")
        self.assertEqual(c.call("SET", "x", "y"), b"+QUEUED\r\n")
        self.assertEqual(admin.call("CONFIG", "SET", "maxmemory", "1"), b"+OK\r\n")
        try:
            self.assertEqual(c.call("GET", "x"), b"-OOM command not allowed when used memory > 'maxmemory'.\r\n")
            self.assertEqual(c.call("EXEC"), b"-EXECABORT Transaction discarded because of: OOM command not "
                                             b"allowed when used memory > 'maxmemory'.\r\n")
            self.assertEqual(c.call("MULTI"), b"+OK\r\n")
            self.assertEqual(c.call("DISCARD"), b"+OK\r\n")
        finally:
            admin.call("CONFIG", "SET", "maxmemory", "0")
        self.assertEqual(c.call("GET", "x"), b"$-1\r\n")

    def test_keyspace_notifications_reach_pattern_subscribers(self):
        sub, c = self.raw(), self.raw()
        self.assertEqual(c.call("CONFIG", "SET", "notify-keyspace-events", "KEA"), b"+OK\r\n")
        try:
            sub.send_raw(encode_command("PSUBSCRIBE", "__key*__:*"))
            sub.read_reply()
            self.assertEqual(c.call("SET", "k", "v"), b"+OK\r\n")
            got = sorted([sub.read_reply(), sub.read_reply()])
            self.assertEqual(got, sorted([
                b"*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$16\r\n__keyspace@0__:k\r\n$3\r\nset\r\n",
                b"*4\r\n$8\r\npmessage\r\n$10\r\n__key*__:*\r\n$18\r\n__keyevent@0__:set\r\n$1\r\nk\r\n"]))
        finally:
            c.call("CONFIG", "SET", "notify-keyspace-events", "")


if __name__ == "__main__":
    unittest.main()


class UnixSocketTest(unittest.TestCase):
    def test_unix_socket_serves_clients_with_its_permissions(self):
        srv = EmberServer(config={"unixsocketperm": "770"})
        path = os.path.join(srv.dir, "s.sock")
        srv.config["unixsocket"] = path
        srv.start()
        self.addCleanup(srv.cleanup)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o770)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(path)
        self.addCleanup(s.close)
        s.sendall(encode_command("CLIENT", "INFO"))
        info = parse_reply(s.recv(65536)).decode()
        f = fields(info)
        self.assertEqual((f["addr"], f["laddr"], f["flags"]), (path + ":0", path + ":0", "U"))
        r = redis.Redis(unix_socket_path=path)
        self.addCleanup(r.close)
        self.assertTrue(r.set("k", "v"))
        self.assertEqual(RawConn(srv.port).call("GET", "k"), b"$1\r\nv\r\n")  # same server over TCP
        self.assertEqual(r.config_get("unixsocket*"), {"unixsocket": path, "unixsocketperm": "770"})
        if not target_is_redis():
            self.assertIn("Ready to accept connections unix", srv.log())  # Redis 7.2's line
            self.assertNotIn("does not implement", srv.log())
        self.assertEqual(srv.stop(), 0)
        self.assertFalse(os.path.exists(path))  # removed at shutdown
