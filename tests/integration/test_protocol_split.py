"""Requests split across reads after empty requests: the bytes of skipped blank lines / *0 requests
must be dropped before the partial request resumes (redis-cli --pipe ends its stream with
"\\r\\n*2\\r\\n$4\\r\\nECHO\\r\\n$20\\r\\n<magic>\\r\\n", so a read boundary inside that ECHO used to
shift the parser's offsets by two bytes: "ERR unknown command '  EC'").

Checked against Redis 7.0.15 (EMBER_TEST_TARGET=redis)."""
import time

from harness import ServerTestCase, RawConn


class SplitAfterEmptyRequestTest(ServerTestCase):

    def raw(self):
        c = RawConn(self.server.port)
        self.addCleanup(c.close)
        return c

    def send_in_two(self, c, first, second):
        c.send_raw(first)
        time.sleep(0.2)   # the server reads and parses `first` on its own
        c.send_raw(second)

    def test_blank_line_then_partial_multibulk(self):
        c = self.raw()
        self.send_in_two(c, b"\r\n*2\r\n$4\r\nECHO\r\n$3\r\nab", b"c\r\n")
        self.assertEqual(c.read_reply(), b"$3\r\nabc\r\n")
        self.assertEqual(c.call("PING"), b"+PONG\r\n")

    def test_empty_multibulks_then_partial_header(self):
        c = self.raw()
        self.send_in_two(c, b"*0\r\n\n*-1\r\n*2\r\n$4\r\nEC", b"HO\r\n$2\r\nxy\r\n")
        self.assertEqual(c.read_reply(), b"$2\r\nxy\r\n")

    def test_blank_lines_then_partial_inline(self):
        c = self.raw()
        self.send_in_two(c, b"\r\n\r\nECHO hel", b"lo\r\n")
        self.assertEqual(c.read_reply(), b"$5\r\nhello\r\n")
