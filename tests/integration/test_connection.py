"""Connection commands and per-connection limits: PING ECHO SELECT QUIT RESET AUTH, CLIENT subcommands,
maxclients, protected mode, idle timeout, pubsub output-buffer limit.

Every expectation was checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis)."""
import socket
import time
import unittest

from harness import EmberServer, ServerTestCase, target_is_redis
from .util import parse_reply, wait_closed, wait_until

WRONG_ARGS = b"-ERR wrong number of arguments for '%s' command\r\n"

# Field names of one CLIENT LIST / CLIENT INFO line, in order (Redis 7.0); 7.2 appends lib-name and lib-ver.
CLIENT_FIELDS_70 = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub",
                    "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem",
                    "tot-mem", "events", "cmd", "user", "redir", "resp"]
CLIENT_FIELDS = CLIENT_FIELDS_70 if target_is_redis() else CLIENT_FIELDS_70 + ["lib-name", "lib-ver"]

DENIED = (b"-DENIED Redis is running in protected mode because protected mode is enabled and no password is set "
          b"for the default user. In this mode connections are only accepted from the loopback interface. If you "
          b"want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just "
          b"disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface "
          b"by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not "
          b"publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
          b"Alternatively you can just disable the protected mode by editing the Redis configuration file, and "
          b"setting the protected mode option to 'no', and then restarting the server. 3) If you started the "
          b"server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
          b"authentication password for the default user. NOTE: You only need to do one of the above things in "
          b"order for the server to start accepting connections from the outside.\r\n")


def client_line_fields(line):
    out = {}
    for part in line.strip().split(" "):
        k, _, v = part.partition("=")
        out[k] = v
    return out


class ConnectionTest(ServerTestCase):

    def client_id(self, c):
        return int(c.call("CLIENT", "ID")[1:-2])

    # -- PING / ECHO ----------------------------------------------------------------------------
    def test_ping_with_and_without_argument_resp2(self):
        c = self.raw()
        self.assertEqual(c.call("PING"), b"+PONG\r\n")
        self.assertEqual(c.call("PING", "hello world"), b"$11\r\nhello world\r\n")
        self.assertEqual(c.call("PING", ""), b"$0\r\n\r\n")
        self.assertEqual(c.call("PING", "a", "b"), WRONG_ARGS % b"ping")
        self.assertEqual(self.server.cli("PING"), "PONG\n")

    def test_ping_resp3_and_inside_subscribe(self):
        c = self.raw()
        c.call("HELLO", "3")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")
        self.assertEqual(c.call("PING", "x"), b"$1\r\nx\r\n")
        # RESP2 subscriber: PING replies as a pubsub-style array.
        s = self.raw()
        s.call("SUBSCRIBE", "ch")
        self.assertEqual(s.call("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        self.assertEqual(s.call("PING", "m"), b"*2\r\n$4\r\npong\r\n$1\r\nm\r\n")
        # RESP3 subscriber: a normal reply.
        c.call("SUBSCRIBE", "ch")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    def test_echo(self):
        c = self.raw()
        self.assertEqual(c.call("ECHO", "hi"), b"$2\r\nhi\r\n")
        self.assertEqual(c.call("ECHO", b"\x00\r\n"), b"$3\r\n\x00\r\n\r\n")
        self.assertEqual(c.call("ECHO"), WRONG_ARGS % b"echo")
        self.assertEqual(c.call("ECHO", "a", "b"), WRONG_ARGS % b"echo")
        self.assertEqual(self.server.cli("ECHO", "from cli"), "from cli\n")

    # -- SELECT ---------------------------------------------------------------------------------
    def test_select_valid_and_isolated(self):
        c = self.raw()
        self.assertEqual(c.call("SELECT", "15"), b"+OK\r\n")
        self.assertEqual(c.call("SET", "k", "in15"), b"+OK\r\n")
        self.assertEqual(c.call("SELECT", "0"), b"+OK\r\n")
        self.assertEqual(c.call("GET", "k"), b"$-1\r\n")
        self.assertEqual(self.server.cli("-n", "15", "GET", "k"), "in15\n")

    def test_select_errors_leave_db_unchanged(self):
        c = self.raw()
        c.call("SELECT", "3")
        c.call("SET", "k", "three")
        self.assertEqual(c.call("SELECT", "16"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(c.call("SELECT", "-1"), b"-ERR DB index is out of range\r\n")
        self.assertEqual(c.call("SELECT", "x"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(c.call("SELECT", "1.5"), b"-ERR value is not an integer or out of range\r\n")
        self.assertEqual(c.call("SELECT"), WRONG_ARGS % b"select")
        self.assertEqual(c.call("GET", "k"), b"$5\r\nthree\r\n")

    # -- QUIT / RESET ---------------------------------------------------------------------------
    def test_quit_replies_ok_and_closes(self):
        s = self.server.sock()
        self.addCleanup(s.close)
        s.sendall(b"QUIT\r\nPING\r\n")
        closed, data = wait_closed(s)
        self.assertTrue(closed)
        self.assertEqual(data, b"+OK\r\n")

    def test_reset_restores_connection_defaults(self):
        c = self.raw()
        self.r.set("k", "db0")
        c.call("SELECT", "5")
        c.call("CLIENT", "SETNAME", "named")
        c.call("HELLO", "3")
        c.call("WATCH", "k")
        self.assertEqual(c.call("MULTI"), b"+OK\r\n")
        self.assertEqual(c.call("RESET"), b"+RESET\r\n")
        self.assertEqual(c.call("CLIENT", "GETNAME"), b"$-1\r\n")        # RESP2 null again, no name
        self.assertEqual(c.call("GET", "k"), b"$3\r\ndb0\r\n")           # back in db 0, not in MULTI
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")
        info = client_line_fields(parse_reply(c.call("CLIENT", "INFO")).decode())
        self.assertEqual(info["db"], "0")
        self.assertEqual(info["resp"], "2")
        self.assertEqual(info["multi"], "-1")
        self.assertEqual(info["flags"], "N")

    # -- AUTH without a password ----------------------------------------------------------------
    def test_auth_without_configured_password(self):
        c = self.raw()
        self.assertEqual(c.call("AUTH", "x"),
                         b"-ERR AUTH <password> called without any password configured for the default user. "
                         b"Are you sure your configuration is correct?\r\n")
        self.assertEqual(c.call("AUTH", "nouser", "x"),
                         b"-WRONGPASS invalid username-password pair or user is disabled.\r\n")
        self.assertEqual(c.call("AUTH"), WRONG_ARGS % b"auth")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    # -- CLIENT ---------------------------------------------------------------------------------
    def test_client_id_is_unique_and_increasing(self):
        a, b = self.raw(), self.raw()
        ia, ib = self.client_id(a), self.client_id(b)
        self.assertGreater(ib, ia)
        self.assertEqual(self.client_id(a), ia)

    def test_client_setname_getname(self):
        c = self.raw()
        self.assertEqual(c.call("CLIENT", "GETNAME"), b"$-1\r\n")
        self.assertEqual(c.call("CLIENT", "SETNAME", "worker-1"), b"+OK\r\n")
        self.assertEqual(c.call("CLIENT", "GETNAME"), b"$8\r\nworker-1\r\n")
        for bad in ("a b", "a\nb", "caf\xe9"):
            self.assertEqual(c.call("CLIENT", "SETNAME", bad),
                             b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n")
        self.assertEqual(c.call("CLIENT", "GETNAME"), b"$8\r\nworker-1\r\n")
        self.assertEqual(c.call("CLIENT", "SETNAME"), WRONG_ARGS % b"client|setname")
        self.assertEqual(c.call("CLIENT", "SETNAME", ""), b"+OK\r\n")    # empty name clears it
        self.assertEqual(c.call("CLIENT", "GETNAME"), b"$-1\r\n")

    def test_client_info_and_list_format(self):
        c = self.raw()
        c.call("CLIENT", "SETNAME", "me")
        c.call("SELECT", "2")
        my_id = self.client_id(c)
        line = parse_reply(c.call("CLIENT", "INFO")).decode()
        self.assertTrue(line.endswith("\n"))
        self.assertEqual(line.count("\n"), 1)
        fields = client_line_fields(line)
        self.assertEqual(list(fields.keys()), CLIENT_FIELDS)
        self.assertEqual(fields["id"], str(my_id))
        self.assertEqual(fields["name"], "me")
        self.assertEqual(fields["db"], "2")
        self.assertEqual(fields["cmd"], "client|info")
        self.assertEqual(fields["user"], "default")
        self.assertEqual(fields["laddr"], f"127.0.0.1:{self.server.port}")
        self.assertTrue(fields["addr"].startswith("127.0.0.1:"))
        self.assertEqual(fields["flags"], "N")
        # CLIENT LIST: one line per client, ours included, with the same fields.
        other = self.raw()
        other.call("PING")
        lines = parse_reply(c.call("CLIENT", "LIST")).decode().splitlines()
        ids = [client_line_fields(l)["id"] for l in lines]
        self.assertIn(str(my_id), ids)
        self.assertIn(str(self.client_id(other)), ids)
        for l in lines:
            self.assertEqual(list(client_line_fields(l).keys()), CLIENT_FIELDS)
        only = parse_reply(c.call("CLIENT", "LIST", "ID", str(my_id))).decode().splitlines()
        self.assertEqual(len(only), 1)
        self.assertEqual(client_line_fields(only[0])["id"], str(my_id))
        self.assertEqual(c.call("CLIENT", "LIST", "ID", "999999"), b"$0\r\n\r\n")
        self.assertEqual(c.call("CLIENT", "LIST", "ID", "x"), b"-ERR Invalid client ID\r\n")
        self.assertEqual(c.call("CLIENT", "LIST", "TYPE", "foo"), b"-ERR Unknown client type 'foo'\r\n")
        normal = parse_reply(c.call("CLIENT", "LIST", "TYPE", "normal")).decode()
        self.assertIn(f"id={my_id} ", normal)
        self.assertEqual(parse_reply(c.call("CLIENT", "LIST", "TYPE", "pubsub")), b"")
        self.assertIn(f"id={my_id} ", self.server.cli("CLIENT", "LIST"))

    def test_client_kill_by_id_addr_and_old_form(self):
        killer = self.raw()
        victims = [self.raw() for _ in range(3)]
        infos = [client_line_fields(parse_reply(v.call("CLIENT", "INFO")).decode()) for v in victims]
        self.assertEqual(killer.call("CLIENT", "KILL", "ID", infos[0]["id"]), b":1\r\n")
        self.assertEqual(killer.call("CLIENT", "KILL", "ADDR", infos[1]["addr"]), b":1\r\n")
        self.assertEqual(killer.call("CLIENT", "KILL", infos[2]["addr"]), b"+OK\r\n")
        for v in victims:
            closed, _ = wait_closed(v.s, 3)
            self.assertTrue(closed)
        self.assertEqual(killer.call("CLIENT", "KILL", "ID", infos[0]["id"]), b":0\r\n")
        self.assertEqual(killer.call("CLIENT", "KILL", "ADDR", "1.2.3.4:5"), b":0\r\n")
        self.assertEqual(killer.call("CLIENT", "KILL", "1.2.3.4:5"), b"-ERR No such client\r\n")
        self.assertEqual(killer.call("CLIENT", "KILL", "ID", "x"), b"-ERR client-id should be greater than 0\r\n")
        self.assertEqual(killer.call("CLIENT", "KILL", "FOO", "bar"), b"-ERR syntax error\r\n")
        # SKIPME defaults to yes: a client cannot kill itself through the filter form...
        me = client_line_fields(parse_reply(killer.call("CLIENT", "INFO")).decode())
        self.assertEqual(killer.call("CLIENT", "KILL", "ID", me["id"]), b":0\r\n")
        # ...unless SKIPME no is given; then it is closed after the reply.
        self.assertEqual(killer.call("CLIENT", "KILL", "ID", me["id"], "SKIPME", "no"), b":1\r\n")
        closed, _ = wait_closed(killer.s, 3)
        self.assertTrue(closed)

    def test_client_no_evict_and_unknown_subcommand(self):
        c = self.raw()
        self.assertEqual(c.call("CLIENT", "NO-EVICT", "on"), b"+OK\r\n")
        self.assertIn("e", client_line_fields(parse_reply(c.call("CLIENT", "INFO")).decode())["flags"])
        self.assertEqual(c.call("CLIENT", "NO-EVICT", "off"), b"+OK\r\n")
        self.assertEqual(client_line_fields(parse_reply(c.call("CLIENT", "INFO")).decode())["flags"], "N")
        self.assertEqual(c.call("CLIENT", "NO-EVICT", "maybe"), b"-ERR syntax error\r\n")
        self.assertEqual(c.call("CLIENT", "FOO"), b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n")
        self.assertEqual(c.call("CLIENT"), WRONG_ARGS % b"client")

    # -- maxclients / protected mode / timeout / output buffer limits -------------------------
    def test_maxclients_rejects_extra_connection(self):
        # Connections closed by earlier tests may still be counted for a moment; start from ours alone.
        self.assertTrue(wait_until(lambda: self.r.info("clients")["connected_clients"] == 1, 5))
        before = int(self.r.info("stats")["rejected_connections"])
        self.assertTrue(self.r.config_set("maxclients", "4"))
        socks = []
        try:
            # self.r holds one connection; open more until one is refused (at most 8 tries).
            refused = None
            for _ in range(8):
                s = self.server.sock()
                socks.append(s)
                s.sendall(b"PING\r\n")
                closed, data = wait_closed(s, 0.5)
                if closed:
                    refused = data
                    break
                self.assertEqual(data, b"+PONG\r\n")
            self.assertEqual(refused, b"-ERR max number of clients reached\r\n")
            self.assertEqual(len(socks), 4)
        finally:
            for s in socks:
                s.close()
            wait_until(lambda: self.r.config_set("maxclients", "10000"), 5)
        self.assertGreater(int(self.r.info("stats")["rejected_connections"]), before)
        self.assertEqual(self.r.config_get("maxclients"), {"maxclients": "10000"})

    def test_protected_mode_denies_non_loopback_source(self):
        def connect_from_127_0_0_2():
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(s.close)
            s.settimeout(5)
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", self.server.port))
            s.sendall(b"PING\r\n")
            return s

        self.assertEqual(self.r.config_get("protected-mode"), {"protected-mode": "yes"})
        closed, data = wait_closed(connect_from_127_0_0_2(), 3)
        self.assertEqual(data, DENIED)
        self.assertTrue(closed)
        self.assertTrue(self.r.config_set("protected-mode", "no"))
        try:
            closed, data = wait_closed(connect_from_127_0_0_2(), 0.5)
            self.assertEqual(data, b"+PONG\r\n")
            self.assertFalse(closed)
        finally:
            self.r.config_set("protected-mode", "yes")

    def test_idle_client_closed_after_timeout(self):
        self.assertTrue(self.r.config_set("timeout", "1"))
        try:
            s = self.server.sock()
            self.addCleanup(s.close)
            s.sendall(b"PING\r\n")
            t0 = time.time()
            closed, data = wait_closed(s, 8)
            self.assertTrue(closed, "idle client still connected 8 s after timeout=1")
            self.assertEqual(data, b"+PONG\r\n")
            self.assertGreaterEqual(time.time() - t0, 0.9)
        finally:
            self.r = self.server.client()
            self.r.config_set("timeout", "0")

    def test_pubsub_output_buffer_limit_disconnects_slow_subscriber(self):
        self.assertTrue(self.r.config_set("client-output-buffer-limit", "pubsub 256kb 0 0"))
        try:
            sub = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(sub.close)
            sub.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sub.settimeout(5)
            sub.connect(("127.0.0.1", self.server.port))
            sub.sendall(b"SUBSCRIBE flood\r\n")
            got = b""
            while not got.endswith(b":1\r\n"):
                got += sub.recv(100)
            pub = self.raw()
            payload = b"x" * 10000
            deadline = time.time() + 20
            receivers = None
            for _ in range(3000):                       # at most 30 MB
                receivers = pub.call("PUBLISH", "flood", payload)
                if receivers == b":0\r\n" or time.time() > deadline:
                    break
            self.assertEqual(receivers, b":0\r\n", "slow subscriber never disconnected")
            self.assertEqual(pub.call("PUBSUB", "NUMSUB", "flood"), b"*2\r\n$5\r\nflood\r\n:0\r\n")
            self.assertTrue(self.server.wait_log("scheduled to be closed ASAP for overcoming of output buffer "
                                                 "limits", 5))
            closed, _ = wait_closed(sub, 10)
            self.assertTrue(closed)
        finally:
            self.r.config_set("client-output-buffer-limit", "pubsub 33554432 8388608 60")


class AuthTest(ServerTestCase):
    """requirepass: NOAUTH before AUTH, WRONGPASS on a bad password."""

    @classmethod
    def setUpClass(cls):
        # The harness readiness probe has no password, so the password is set once the server is up.
        super().setUpClass()
        cls.server.client().config_set("requirepass", "pw1")

    def setUp(self):
        self.r = self.server.client(password="pw1")
        self.r.flushall()

    def test_noauth_before_auth(self):
        c = self.raw()
        self.assertEqual(c.call("GET", "k"), b"-NOAUTH Authentication required.\r\n")
        self.assertEqual(c.call("SET", "k", "v"), b"-NOAUTH Authentication required.\r\n")
        # Command lookup (and arity) come before the authentication check.
        self.assertEqual(c.call("NOSUCHCMD"), b"-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n")
        self.assertEqual(c.call("GET"), WRONG_ARGS % b"get")
        self.assertEqual(self.r.exists("k"), 0)

    def test_wrongpass_then_auth_ok(self):
        c = self.raw()
        wrong = b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        self.assertEqual(c.call("AUTH", "bad"), wrong)
        self.assertEqual(c.call("AUTH", "default", "bad"), wrong)
        self.assertEqual(c.call("AUTH", "nobody", "pw1"), wrong)
        self.assertEqual(c.call("GET", "k"), b"-NOAUTH Authentication required.\r\n")
        self.assertEqual(c.call("AUTH", "pw1"), b"+OK\r\n")
        self.assertEqual(c.call("SET", "k", "v"), b"+OK\r\n")
        c2 = self.raw()
        self.assertEqual(c2.call("AUTH", "default", "pw1"), b"+OK\r\n")
        self.assertEqual(c2.call("GET", "k"), b"$1\r\nv\r\n")
        self.assertEqual(self.server.cli("-a", "pw1", "--no-auth-warning", "GET", "k"), "v\n")

    def test_reset_deauthenticates(self):
        c = self.raw()
        self.assertEqual(c.call("AUTH", "pw1"), b"+OK\r\n")
        self.assertEqual(c.call("RESET"), b"+RESET\r\n")
        self.assertEqual(c.call("GET", "k"), b"-NOAUTH Authentication required.\r\n")

    def test_password_protects_from_protected_mode(self):
        # With a password set, a non-loopback source is not DENIED; it just has to authenticate.
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.settimeout(5)
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", self.server.port))
        s.sendall(b"PING\r\n")
        closed, data = wait_closed(s, 0.5)
        self.assertEqual(data, b"-NOAUTH Authentication required.\r\n")
        self.assertFalse(closed)


if __name__ == "__main__":
    unittest.main()
