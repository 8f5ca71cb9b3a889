"""DEBUG DIGEST / DIGEST-VALUE / RELOAD / SET-SKIP-CHECKSUM-VALIDATION and the persistence fields
of INFO, with Redis 7.0.15's replies (validated with EMBER_TEST_TARGET=redis).
"""
import os
import time
import unittest

import redis

from harness import RawConn, ServerTestCase, target_is_redis
from interop import rdb_util as u

ZEROS = b"0" * 40


class RdbDebugTest(ServerTestCase):
    def raw(self, *args):
        c = RawConn(self.server.port)
        try:
            return c.call(*args)
        finally:
            c.close()

    def write_dump(self, data):
        with open(os.path.join(self.server.dir, "dump.rdb"), "wb") as f:
            f.write(data)

    # -- DIGEST ----------------------------------------------------------------------------------
    def test_digest_of_known_datasets(self):
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST"), ZEROS)
        self.r.set("a", "1")
        # Figures read from Redis 7.0.15.
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST"),
                         b"943d800368fb9c0e951138f1bc0e313ac769d91f")
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST-VALUE", "a", "nokey"),
                         [b"b4fc66738120fba0b5aa500ab5c2bf89cea1c5da", ZEROS])
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST-VALUE"), [])
        # Status replies on the wire, as Redis sends them.
        self.assertEqual(self.raw("DEBUG", "DIGEST"), b"+943d800368fb9c0e951138f1bc0e313ac769d91f\r\n")
        self.assertEqual(self.raw("DEBUG", "DIGEST-VALUE", "a", "nokey"),
                         b"*2\r\n+b4fc66738120fba0b5aa500ab5c2bf89cea1c5da\r\n+" + ZEROS + b"\r\n")
        self.assertEqual(self.raw("DEBUG", "DIGEST", "x"),
                         b"-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. "
                         b"Try DEBUG HELP.\r\n")

    def test_digest_sees_ttls_and_databases(self):
        self.r.set("k", "v")
        d1 = self.r.execute_command("DEBUG", "DIGEST")
        self.r.expire("k", 100)
        d2 = self.r.execute_command("DEBUG", "DIGEST")
        self.assertNotEqual(d1, d2)
        self.r.persist("k")
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST"), d1)
        self.r.move("k", 1)
        self.assertNotIn(self.r.execute_command("DEBUG", "DIGEST"), (d1, ZEROS))

    # -- RELOAD ----------------------------------------------------------------------------------
    def test_reload_keeps_the_dataset(self):
        p = self.r.pipeline(transaction=False)
        for i in range(500):
            p.set(f"k{i}", "x" * (i % 50))
        p.set("ttl", "v", ex=1000)
        p.execute()
        self.r.execute_command("SELECT", 0)
        before = self.r.execute_command("DEBUG", "DIGEST")
        self.assertEqual(self.r.execute_command("DEBUG", "RELOAD"), b"OK")
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST"), before)
        self.assertGreater(self.r.ttl("ttl"), 900)
        self.assertTrue(os.path.exists(os.path.join(self.server.dir, "dump.rdb")))
        self.assertEqual(self.r.execute_command("DEBUG", "RELOAD", "NOSAVE"), b"OK")
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST"), before)

    def test_reload_options_and_errors(self):
        self.assertEqual(self.raw("DEBUG", "RELOAD", "badopt"),
                         b"-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE "
                         b"options.\r\n")
        try:
            os.unlink(os.path.join(self.server.dir, "dump.rdb"))
        except FileNotFoundError:
            pass
        self.r.set("keep", "1")
        self.assertEqual(self.raw("DEBUG", "RELOAD", "NOSAVE"),
                         b"-ERR Error trying to load the RDB dump\r\n")

    def test_reload_nosave_noflush_merge_adds_the_file(self):
        self.r.set("file-only", "from-file")
        self.r.set("both", "from-file")
        self.r.save()
        self.r.flushall()
        self.r.set("mem-only", "m")
        self.r.set("both", "from-memory")
        self.assertEqual(self.r.execute_command("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"),
                         b"OK")
        self.assertEqual(self.r.get("file-only"), b"from-file")
        self.assertEqual(self.r.get("both"), b"from-file")
        self.assertEqual(self.r.get("mem-only"), b"m")

    def test_reload_nosave_replaces_the_dataset_with_the_file(self):
        self.r.set("old", "1")
        self.r.save()
        self.r.set("new", "2")
        self.assertEqual(self.r.execute_command("DEBUG", "RELOAD", "NOSAVE"), b"OK")
        self.assertEqual(self.r.get("old"), b"1")
        self.assertIsNone(self.r.get("new"))

    # -- SET-SKIP-CHECKSUM-VALIDATION ------------------------------------------------------------
    def test_skip_checksum_validation_for_restore(self):
        good = u.dump_footer(b"\x00" + u.enc_str("value"))
        bad = good[:-1] + bytes([good[-1] ^ 0xFF])
        try:
            self.assertEqual(self.raw("RESTORE", "k", "0", bad),
                             b"-ERR DUMP payload version or checksum are wrong\r\n")
            self.assertEqual(self.r.execute_command("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"),
                             b"OK")
            self.assertTrue(self.r.restore("k", 0, bad))
            self.assertEqual(self.r.get("k"), b"value")
            # A future version is refused even without the checksum check.
            self.assertEqual(self.raw("RESTORE", "k2", "0", u.dump_footer(b"\x00\x01v", 13)),
                             b"-ERR DUMP payload version or checksum are wrong\r\n")
        finally:
            self.r.execute_command("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0")
        self.assertEqual(self.raw("RESTORE", "k3", "0", bad),
                         b"-ERR DUMP payload version or checksum are wrong\r\n")
        self.assertEqual(self.raw("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION"),
                         b"-ERR unknown subcommand or wrong number of arguments for "
                         b"'SET-SKIP-CHECKSUM-VALIDATION'. Try DEBUG HELP.\r\n")

    def test_skip_checksum_validation_for_rdb_files(self):
        f = u.RdbFile(10).aux("redis-ver", "7.0.15").select(0)
        f.key(u.T_STRING, "from-file", u.enc_str("yes"))
        data = bytearray(f.build())
        data[-1] ^= 0x55  # wrong CRC
        self.write_dump(bytes(data))
        self.assertEqual(self.raw("DEBUG", "RELOAD", "NOSAVE"),
                         b"-ERR Error trying to load the RDB dump\r\n")
        try:
            self.r.execute_command("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1")
            self.assertEqual(self.r.execute_command("DEBUG", "RELOAD", "NOSAVE"), b"OK")
            self.assertEqual(self.r.get("from-file"), b"yes")
        finally:
            self.r.execute_command("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0")

    # -- DEBUG OBJECT serializedlength -------------------------------------------------------------
    def test_serializedlength_is_the_rdb_value_length(self):
        self.r.set("int", "12345")
        self.r.set("raw", "a" * 100)
        self.r.set("short", "hello")
        for k, want in (("int", 3), ("short", 6)):
            info = self.r.execute_command("DEBUG", "OBJECT", k).decode()
            self.assertIn(f"serializedlength:{want} ", info, k)
        info = self.r.execute_command("DEBUG", "OBJECT", "raw").decode()
        # LZF-compressed: much shorter than the 101 bytes of the raw form.
        n = int(info.split("serializedlength:")[1].split()[0])
        self.assertLess(n, 30)

    # -- INFO --------------------------------------------------------------------------------------
    def test_info_reports_saves_and_forks(self):
        stats = self.r.info("stats")
        forks = stats["total_forks"]
        self.r.set("k", "v")
        self.assertGreaterEqual(self.r.info("persistence")["rdb_changes_since_last_save"], 1)
        self.assertTrue(self.r.bgsave())
        deadline = time.time() + 20
        while time.time() < deadline and self.r.info("persistence")["rdb_bgsave_in_progress"]:
            time.sleep(0.02)
        pers = self.r.info("persistence")
        self.assertEqual(pers["rdb_bgsave_in_progress"], 0)
        self.assertEqual(pers["rdb_last_bgsave_status"], "ok")
        self.assertEqual(pers["rdb_changes_since_last_save"], 0)
        self.assertIn("rdb_last_cow_size", pers)
        self.assertGreaterEqual(pers["rdb_saves"], 1)
        self.assertLessEqual(abs(pers["rdb_last_save_time"] - time.time()), 5)
        stats = self.r.info("stats")
        self.assertEqual(stats["total_forks"], forks + 1)
        self.assertGreater(stats["latest_fork_usec"], 0)
        if not target_is_redis():
            self.assertIn("fork_cow_estimate_bytes", pers)


if __name__ == "__main__":
    unittest.main()
