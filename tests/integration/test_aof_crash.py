"""AOF crash safety: the server is killed with SIGKILL at random moments while clients write.

  appendfsync always   every write a client saw acknowledged is present after the restart (the
                       reply is only sent once the write is fsynced: group commit); a BGREWRITEAOF
                       may be running when the kill lands.
  appendfsync everysec at most about two seconds of acknowledged writes are missing, and the files
                       always load (a torn tail is cut back with aof-load-truncated yes).

A few trials by default, 20 or more with EMBER_LONG_TESTS=1. Works against Redis 7.0.15 too
(EMBER_TEST_TARGET=redis)."""
import os
import random
import signal
import threading
import time
import unittest

import redis

from harness import LONG, EmberServer

TRIALS = 20 if LONG else 3


class Writer(threading.Thread):
    """Writes `w<id>:<n>` = n for n = 0, 1, ... and an INCR counter; records what was acknowledged."""

    def __init__(self, port, wid):
        super().__init__(daemon=True)
        self.port = port
        self.wid = wid
        self.acked = -1          # highest n whose SET was acknowledged (n are acked in order)
        self.acked_at = {}       # n -> time of the acknowledgement (for everysec)
        self.incr_acked = 0
        self.stop_flag = False

    def run(self):
        try:
            r = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)
            n = self.acked + 1
            while not self.stop_flag:
                r.set(f"w{self.wid}:{n}", n)
                self.acked = n
                self.acked_at[n] = time.time()
                if n % 5 == 0:
                    self.incr_acked = r.incr(f"ctr{self.wid}")
                n += 1
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
            pass  # the server was killed


def run_trial(test, srv, fsync, writers_state, rng, rewrite):
    r = srv.client()
    writers = []
    for wid in range(4):
        w = Writer(srv.port, wid)
        w.acked = writers_state[wid]["acked"]
        w.incr_acked = writers_state[wid]["incr"]
        writers.append(w)
        w.start()
    time.sleep(rng.uniform(0.2, 1.2))
    if rewrite:
        try:
            r.bgrewriteaof()
        except redis.exceptions.ResponseError:
            pass
        time.sleep(rng.uniform(0.0, 0.3))
    kill_time = time.time()
    srv.kill9()
    for w in writers:
        w.join(timeout=10)
    return writers, kill_time


class AofCrashTest(unittest.TestCase):

    def crash_loop(self, fsync, max_loss_s):
        rng = random.Random(int(time.time()))
        state = {wid: {"acked": -1, "incr": 0} for wid in range(4)}
        srv = EmberServer(config={"appendonly": "yes", "appendfsync": fsync}).start()
        try:
            for trial in range(TRIALS):
                writers, kill_time = run_trial(self, srv, fsync, state, rng,
                                               rewrite=(trial % 2 == 1))
                # Restart on the same directory: the AOF must load (never a corrupt file).
                srv2 = EmberServer(config=srv.config, dir=srv.dir, port=srv.port)
                srv2.start()
                srv = srv2
                r = srv.client()
                for w in writers:
                    missing = []
                    for start in range(0, w.acked + 1, 1000):
                        ns = list(range(start, min(w.acked + 1, start + 1000)))
                        vals = r.mget([f"w{w.wid}:{n}" for n in ns])
                        missing += [n for n, v in zip(ns, vals) if v != str(n).encode()]
                    if max_loss_s == 0:
                        self.assertEqual(missing, [], f"trial {trial}: acknowledged writes lost "
                                         f"(writer {w.wid}, acked up to {w.acked})")
                        ctr = int(r.get(f"ctr{w.wid}") or 0)
                        self.assertGreaterEqual(ctr, w.incr_acked, f"trial {trial}")
                    else:
                        for n in missing:
                            self.assertGreater(w.acked_at[n], kill_time - max_loss_s,
                                               f"trial {trial}: write {n} acked "
                                               f"{kill_time - w.acked_at[n]:.2f}s before the kill "
                                               f"is missing")
                    # Carry on from what survived (a lost tail may be rewritten).
                    state[w.wid]["acked"] = w.acked if not missing else min(missing) - 1
                    state[w.wid]["incr"] = int(r.get(f"ctr{w.wid}") or 0)
                r.close()
        finally:
            srv.own_dir = True
            srv.cleanup()

    def test_always_loses_no_acknowledged_write(self):
        self.crash_loop("always", 0)

    def test_everysec_loses_at_most_two_seconds(self):
        self.crash_loop("everysec", 2.5)


if __name__ == "__main__":
    unittest.main()
