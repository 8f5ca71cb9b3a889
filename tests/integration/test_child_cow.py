"""Copy-on-write of BGSAVE with big values: the fork child releases the pages of every value it has
written (persist/dismiss.h), so what the parent rewrote stays cheap.

Method (deterministic, unlike a race between a writer and the child): load big strings, BGSAVE,
stop the child with SIGSTOP as soon as its pid is logged, rewrite one byte in every 4 KB page of
every value (SETRANGE, in place: each page the parent writes is copied if the child still maps
it), SIGCONT the child and read rdb_last_cow_size when it is done. Without release the child ends
up holding the old copy of every page the parent wrote (CoW ~ the dataset); with release it drops
each value after writing it (CoW far below the dataset). Both are checked, the second as a control
that the load really dirtied the pages (the switch EMBER_CHILD_DISMISS=0 turns release off).
Tolerances are wide: CoW readings include the child's own buffers and allocator noise.
"""
import os
import re
import signal
import time
import unittest

import redis

from harness import EmberServer, target_is_redis

N_KEYS = 1500
VALUE = 32 * 1024
PAGE = 4096
DATASET = N_KEYS * VALUE  # 48 MB


def run_once(dismiss_env):
    old = os.environ.get("EMBER_CHILD_DISMISS")
    if dismiss_env is None:
        os.environ.pop("EMBER_CHILD_DISMISS", None)
    else:
        os.environ["EMBER_CHILD_DISMISS"] = dismiss_env
    try:
        srv = EmberServer(config={"rdbcompression": "no"}).start()
    finally:
        if old is None:
            os.environ.pop("EMBER_CHILD_DISMISS", None)
        else:
            os.environ["EMBER_CHILD_DISMISS"] = old
    try:
        r = srv.client()
        pipe = r.pipeline(transaction=False)
        for i in range(N_KEYS):
            pipe.set(f"key:{i}", os.urandom(VALUE))
            if i % 100 == 99:
                pipe.execute()
        pipe.execute()
        starts = srv.log().count("Background saving started by pid")
        assert r.bgsave()
        pid = None
        deadline = time.time() + 10
        while time.time() < deadline and pid is None:
            m = re.findall(r"Background saving started by pid (\d+)", srv.log())
            if len(m) > starts:
                pid = int(m[-1])
            else:
                time.sleep(0.001)
        assert pid is not None, "no BGSAVE child in the log"
        stopped = False
        try:
            os.kill(pid, signal.SIGSTOP)
            stopped = True
        except ProcessLookupError:
            pass  # already done: nothing to rewrite under it
        try:
            pipe = r.pipeline(transaction=False)
            for i in range(N_KEYS):
                for off in range(0, VALUE, PAGE):
                    pipe.setrange(f"key:{i}", off, b"#")
                if i % 50 == 49:
                    pipe.execute()
            pipe.execute()
        finally:
            if stopped:
                os.kill(pid, signal.SIGCONT)
        deadline = time.time() + 60
        while time.time() < deadline and r.info("persistence")["rdb_bgsave_in_progress"]:
            time.sleep(0.02)
        pers = r.info("persistence")
        assert pers["rdb_last_bgsave_status"] == "ok", pers
        return pers["rdb_last_cow_size"], stopped, srv.log()
    finally:
        srv.stop()
        srv.cleanup()


@unittest.skipIf(target_is_redis(), "Ember's child page release and its EMBER_CHILD_DISMISS switch")
class ChildCowTest(unittest.TestCase):
    def test_release_keeps_cow_far_below_the_dataset(self):
        cow, stopped, log = run_once(None)
        self.assertIn("madvise calls", log)
        self.assertLess(cow, DATASET * 0.25, f"CoW {cow} with page release, dataset {DATASET}")

    def test_control_without_release_cow_is_most_of_the_dataset(self):
        cow, stopped, log = run_once("0")
        self.assertIn("page release off", log)
        if not stopped:
            self.skipTest("the child finished before it could be stopped")
        self.assertGreater(cow, DATASET * 0.6, f"CoW {cow} without page release, dataset {DATASET}")


if __name__ == "__main__":
    unittest.main()
