"""Pub/Sub (SUBSCRIBE family reply shapes in RESP2 and RESP3, PUBLISH counts, PUBSUB introspection, the RESP2
subscribed context) and transactions (MULTI/EXEC/DISCARD errors, EXECABORT, runtime errors, WATCH/UNWATCH).

Every expectation was checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis)."""
import time
import unittest

from harness import ServerTestCase, encode_command
from .util import OK, bulk, parse_reply, wait_until

QUEUED = b"+QUEUED\r\n"
NIL_ARRAY = b"*-1\r\n"


def push_like(kind, *items, resp3=False):
    """A subscribe-family reply or message: RESP2 array or RESP3 push of bulk strings / one trailing int."""
    out = [b"%s%d\r\n" % (b">" if resp3 else b"*", len(items) + 1), bulk(kind)]
    for it in items:
        if isinstance(it, int):
            out.append(b":%d\r\n" % it)
        elif it is None:
            out.append(b"$-1\r\n")
        else:
            out.append(bulk(it))
    return b"".join(out)


class PubSubTest(ServerTestCase):

    def send(self, c, *args):
        c.send_raw(encode_command(*args))

    def test_subscribe_family_reply_shapes_resp2(self):
        c = self.raw()
        self.send(c, "SUBSCRIBE", "a", "b")
        self.assertEqual(c.read_reply(), push_like("subscribe", "a", 1))
        self.assertEqual(c.read_reply(), push_like("subscribe", "b", 2))
        self.send(c, "PSUBSCRIBE", "p*", "q?")
        self.assertEqual(c.read_reply(), push_like("psubscribe", "p*", 3))
        self.assertEqual(c.read_reply(), push_like("psubscribe", "q?", 4))
        self.send(c, "SUBSCRIBE", "a")                               # already subscribed: count unchanged
        self.assertEqual(c.read_reply(), push_like("subscribe", "a", 4))
        self.send(c, "UNSUBSCRIBE", "a", "nosuch")
        self.assertEqual(c.read_reply(), push_like("unsubscribe", "a", 3))
        self.assertEqual(c.read_reply(), push_like("unsubscribe", "nosuch", 3))
        self.send(c, "PUNSUBSCRIBE")
        # No argument: one reply per pattern (in any order), the count going down.
        replies = [parse_reply(c.read_reply()) for _ in range(2)]
        self.assertEqual([r[0] for r in replies], [b"punsubscribe", b"punsubscribe"])
        self.assertEqual(sorted(r[1] for r in replies), [b"p*", b"q?"])
        self.assertEqual([r[2] for r in replies], [2, 1])
        self.send(c, "UNSUBSCRIBE")
        self.assertEqual(c.read_reply(), push_like("unsubscribe", "b", 0))
        # With nothing subscribed, the no-argument forms still reply once, with a null channel.
        self.send(c, "UNSUBSCRIBE")
        self.assertEqual(c.read_reply(), push_like("unsubscribe", None, 0))
        self.send(c, "PUNSUBSCRIBE")
        self.assertEqual(c.read_reply(), push_like("punsubscribe", None, 0))
        # Out of the subscribed context again: normal commands work.
        self.assertEqual(c.call("SET", "k", "v"), OK)

    def test_messages_and_publish_counts_resp2(self):
        s1, s2, p = self.raw(), self.raw(), self.raw()
        self.send(s1, "SUBSCRIBE", "news")
        s1.read_reply()
        self.send(s2, "SUBSCRIBE", "news")
        s2.read_reply()
        self.send(s2, "PSUBSCRIBE", "n*")
        s2.read_reply()
        self.assertEqual(p.call("PUBLISH", "news", "hello"), b":3\r\n")   # 2 channel subs + 1 pattern match
        self.assertEqual(s1.read_reply(), push_like("message", "news", "hello"))
        got = sorted([s2.read_reply(), s2.read_reply()])
        self.assertEqual(got, sorted([push_like("message", "news", "hello"),
                                      push_like("pmessage", "n*", "news", "hello")]))
        self.assertEqual(p.call("PUBLISH", "nothing-here", "x"), b":1\r\n")   # matched by n*
        self.assertEqual(s2.read_reply(), push_like("pmessage", "n*", "nothing-here", "x"))
        self.assertEqual(p.call("PUBLISH", "zzz", "x"), b":0\r\n")
        self.assertEqual(p.call("PUBLISH", "news", b"bin\x00\r\n"), b":3\r\n")
        self.assertEqual(s1.read_reply(), push_like("message", "news", b"bin\x00\r\n"))

    def test_resp2_subscribed_context_allows_only_pubsub_commands(self):
        c = self.raw()
        self.send(c, "SUBSCRIBE", "a")
        c.read_reply()
        for cmd in (("GET", "x"), ("SET", "x", "y")):
            self.assertEqual(c.call(*cmd),
                             b"-ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
                             b"RESET are allowed in this context\r\n" % cmd[0].lower().encode())
        self.assertEqual(self.r.exists("x"), 0)
        self.assertEqual(c.call("PING"), b"*2\r\n$4\r\npong\r\n$0\r\n\r\n")
        self.assertEqual(c.call("RESET"), b"+RESET\r\n")
        self.assertEqual(c.call("GET", "x"), b"$-1\r\n")
        self.assertEqual(self.r.pubsub_numsub("a"), [(b"a", 0)])

    def test_resp3_push_replies_and_normal_commands_while_subscribed(self):
        c, p = self.raw(), self.raw()
        c.call("HELLO", "3")
        self.send(c, "SUBSCRIBE", "a")
        self.assertEqual(c.read_reply(), push_like("subscribe", "a", 1, resp3=True))
        self.send(c, "PSUBSCRIBE", "a*")
        self.assertEqual(c.read_reply(), push_like("psubscribe", "a*", 2, resp3=True))
        self.assertEqual(c.call("SET", "k", "v"), OK)                 # allowed in RESP3
        self.assertEqual(c.call("GET", "k"), bulk("v"))
        self.assertEqual(p.call("PUBLISH", "a", "hi"), b":2\r\n")
        got = sorted([c.read_reply(), c.read_reply()])
        self.assertEqual(got, sorted([push_like("message", "a", "hi", resp3=True),
                                      push_like("pmessage", "a*", "a", "hi", resp3=True)]))
        self.send(c, "UNSUBSCRIBE", "a")
        self.assertEqual(c.read_reply(), push_like("unsubscribe", "a", 1, resp3=True))
        self.send(c, "PUNSUBSCRIBE", "a*")
        self.assertEqual(c.read_reply(), push_like("punsubscribe", "a*", 0, resp3=True))

    def test_pubsub_introspection(self):
        s1, s2 = self.raw(), self.raw()
        self.send(s1, "SUBSCRIBE", "news.tech", "news.art", "sport")
        for _ in range(3):
            s1.read_reply()
        self.send(s2, "SUBSCRIBE", "news.tech")
        s2.read_reply()
        self.send(s2, "PSUBSCRIBE", "news.*", "x*")
        s2.read_reply()
        s2.read_reply()
        c = self.raw()
        self.assertEqual(sorted(parse_reply(c.call("PUBSUB", "CHANNELS"))), [b"news.art", b"news.tech", b"sport"])
        self.assertEqual(sorted(parse_reply(c.call("PUBSUB", "CHANNELS", "news.*"))), [b"news.art", b"news.tech"])
        self.assertEqual(parse_reply(c.call("PUBSUB", "CHANNELS", "nomatch*")), [])
        self.assertEqual(c.call("PUBSUB", "NUMSUB", "news.tech", "sport", "none"),
                         b"*6\r\n$9\r\nnews.tech\r\n:2\r\n$5\r\nsport\r\n:1\r\n$4\r\nnone\r\n:0\r\n")
        self.assertEqual(c.call("PUBSUB", "NUMSUB"), b"*0\r\n")
        self.assertEqual(c.call("PUBSUB", "NUMPAT"), b":2\r\n")
        self.assertEqual(c.call("PUBSUB", "FOO"), b"-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n")
        # A client that disconnects leaves no subscriptions behind.
        s2.close()
        self.assertTrue(wait_until(lambda: c.call("PUBSUB", "NUMPAT") == b":0\r\n", 5))
        self.assertEqual(c.call("PUBSUB", "NUMSUB", "news.tech"), b"*2\r\n$9\r\nnews.tech\r\n:1\r\n")
        self.assertEqual(c.call("SUBSCRIBE"), b"-ERR wrong number of arguments for 'subscribe' command\r\n")
        self.assertEqual(c.call("PUBLISH", "a"), b"-ERR wrong number of arguments for 'publish' command\r\n")


class TransactionTest(ServerTestCase):

    def test_multi_exec_basic(self):
        c = self.raw()
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "v"), QUEUED)
        self.assertEqual(c.call("INCR", "n"), QUEUED)
        self.assertEqual(c.call("GET", "k"), QUEUED)
        self.assertEqual(self.r.exists("k"), 0)                         # nothing runs before EXEC
        self.assertEqual(c.call("EXEC"), b"*3\r\n+OK\r\n:1\r\n$1\r\nv\r\n")
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("EXEC"), b"*0\r\n")

    def test_multi_errors(self):
        c = self.raw()
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")
        self.assertEqual(c.call("DISCARD"), b"-ERR DISCARD without MULTI\r\n")
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("MULTI"), b"-ERR MULTI calls can not be nested\r\n")
        self.assertEqual(c.call("WATCH", "k"), b"-ERR WATCH inside MULTI is not allowed\r\n")
        self.assertEqual(c.call("SET", "k", "v"), QUEUED)
        # Nested MULTI and WATCH did not abort the transaction.
        self.assertEqual(c.call("EXEC"), b"*1\r\n+OK\r\n")

    def test_discard(self):
        c = self.raw()
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "v"), QUEUED)
        self.assertEqual(c.call("DISCARD"), OK)
        self.assertEqual(c.call("GET", "k"), b"$-1\r\n")
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")

    def test_queued_syntax_error_aborts_with_execabort(self):
        c = self.raw()
        self.r.set("k", "orig")
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "new"), QUEUED)
        self.assertEqual(c.call("NOSUCHCMD", "x"),
                         b"-ERR unknown command 'NOSUCHCMD', with args beginning with: 'x' \r\n")
        self.assertEqual(c.call("GET"), b"-ERR wrong number of arguments for 'get' command\r\n")
        self.assertEqual(c.call("EXEC"),
                         b"-EXECABORT Transaction discarded because of previous errors.\r\n")
        self.assertEqual(self.r.get("k"), b"orig")
        self.assertEqual(c.call("EXEC"), b"-ERR EXEC without MULTI\r\n")   # the transaction is gone

    def test_runtime_error_inside_exec_does_not_abort_others(self):
        c = self.raw()
        self.r.rpush("l", "a")
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "a", "1"), QUEUED)
        self.assertEqual(c.call("INCR", "l"), QUEUED)
        self.assertEqual(c.call("SET", "x", "y", "EX", "0"), QUEUED)         # option errors are runtime too
        self.assertEqual(c.call("INCR", "a"), QUEUED)
        self.assertEqual(c.call("EXEC"),
                         b"*4\r\n+OK\r\n"
                         b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
                         b"-ERR invalid expire time in 'set' command\r\n"
                         b":2\r\n")
        self.assertEqual(self.r.get("a"), b"2")
        self.assertEqual(self.r.exists("x"), 0)

    def test_watch_modified_by_other_client_aborts(self):
        c, other = self.raw(), self.raw()
        self.r.set("k", "1")
        self.assertEqual(c.call("WATCH", "k"), OK)
        self.assertEqual(other.call("SET", "k", "2"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "mine"), QUEUED)
        self.assertEqual(c.call("EXEC"), NIL_ARRAY)
        self.assertEqual(self.r.get("k"), b"2")
        # The watch is consumed by EXEC: the next transaction goes through.
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "mine"), QUEUED)
        self.assertEqual(c.call("EXEC"), b"*1\r\n+OK\r\n")

    def test_watch_unmodified_and_unwatch(self):
        c, other = self.raw(), self.raw()
        self.r.set("k", "1")
        self.assertEqual(c.call("WATCH", "k", "missing"), OK)
        self.assertEqual(other.call("GET", "k"), b"$1\r\n1\r\n")            # reads do not dirty
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("INCR", "k"), QUEUED)
        self.assertEqual(c.call("EXEC"), b"*1\r\n:2\r\n")
        self.assertEqual(c.call("WATCH", "k"), OK)
        self.assertEqual(other.call("SET", "k", "x"), OK)
        self.assertEqual(c.call("UNWATCH"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "y"), QUEUED)
        self.assertEqual(c.call("EXEC"), b"*1\r\n+OK\r\n")
        # Creating a watched missing key also counts as a modification.
        self.assertEqual(c.call("WATCH", "missing"), OK)
        self.assertEqual(other.call("SET", "missing", "now"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("DEL", "missing"), QUEUED)
        self.assertEqual(c.call("EXEC"), NIL_ARRAY)
        self.assertEqual(self.r.get("missing"), b"now")

    def test_watch_dirtied_by_own_write_before_multi(self):
        c = self.raw()
        self.assertEqual(c.call("WATCH", "k"), OK)
        self.assertEqual(c.call("SET", "k", "self"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "tx"), QUEUED)
        self.assertEqual(c.call("EXEC"), NIL_ARRAY)
        self.assertEqual(self.r.get("k"), b"self")

    def test_watch_key_that_expires_aborts(self):
        c = self.raw()
        self.r.set("k", "v", px=100)
        self.assertEqual(c.call("WATCH", "k"), OK)
        time.sleep(0.25)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "other", "x"), QUEUED)
        self.assertEqual(c.call("EXEC"), NIL_ARRAY)
        self.assertEqual(self.r.exists("other"), 0)

    def test_watch_flushall_aborts(self):
        c, other = self.raw(), self.raw()
        self.r.set("k", "v")
        self.assertEqual(c.call("WATCH", "k"), OK)
        self.assertEqual(other.call("FLUSHALL"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "tx"), QUEUED)
        self.assertEqual(c.call("EXEC"), NIL_ARRAY)
        self.assertEqual(self.r.exists("k"), 0)

    def test_discard_and_reset_unwatch(self):
        c, other = self.raw(), self.raw()
        self.r.set("k", "1")
        self.assertEqual(c.call("WATCH", "k"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("DISCARD"), OK)
        self.assertEqual(other.call("SET", "k", "2"), OK)
        self.assertEqual(c.call("MULTI"), OK)
        self.assertEqual(c.call("SET", "k", "3"), QUEUED)
        self.assertEqual(c.call("EXEC"), b"*1\r\n+OK\r\n")


if __name__ == "__main__":
    unittest.main()
