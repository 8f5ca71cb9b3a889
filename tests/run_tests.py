#!/usr/bin/python3
"""Runs every Ember test and ends with one summary line: `N passed, N failed`.

  tests/run_tests.py --build build [--only unit,integration,interop] [--long] [-k PATTERN]

Unit tests: the GoogleTest binary build/ember-unit-tests (each TEST counts once).
Integration and interop tests: every tests/{integration,interop}/test_*.py, run with Debian's
/usr/bin/python3 as a unittest module (each test method counts once). Two files run at a time.
Each file gets a time limit; a file that exceeds it counts as one failure.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FILE_TIMEOUT = 600


def run_unit(build, pattern):
    binary = os.path.join(build, "ember-unit-tests")
    if not os.path.exists(binary):
        print(f"unit: {binary} missing")
        return 0, 1
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "gtest.json")
        cmd = [binary, f"--gtest_output=json:{out}", "--gtest_brief=1"]
        if pattern:
            cmd.append(f"--gtest_filter=*{pattern}*")
        t0 = time.time()
        try:
            proc = subprocess.run(cmd, cwd=tmp, timeout=FILE_TIMEOUT, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            print("unit: timed out")
            return 0, 1
        sys.stdout.write(proc.stdout[-20000:])
        if not os.path.exists(out):
            sys.stdout.write(proc.stderr[-5000:])
            print(f"unit: crashed (exit {proc.returncode})")
            return 0, 1
        with open(out) as f:
            report = json.load(f)
        failed = report.get("failures", 0) + report.get("errors", 0)
        total = report.get("tests", 0) - report.get("disabled", 0)
        print(f"unit: {total - failed} passed, {failed} failed ({time.time() - t0:.1f}s)")
        if proc.returncode != 0 and failed == 0:
            sys.stdout.write(proc.stderr[-5000:])
            return total, 1
        return total - failed, failed


def run_py_file(path, build, long_mode, pattern):
    env = dict(os.environ)
    env["EMBER_BUILD"] = os.path.abspath(build)
    env["EMBER_ROOT"] = ROOT
    env["PYTHONPATH"] = os.path.join(ROOT, "tests")
    if long_mode:
        env["EMBER_LONG_TESTS"] = "1"
    cmd = ["/usr/bin/python3", "-m", "unittest", "-v", os.path.relpath(path, ROOT).replace("/", ".")[:-3]]
    if pattern:
        cmd += ["-k", pattern]
    t0 = time.time()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, timeout=FILE_TIMEOUT, capture_output=True, text=True)
    except subprocess.TimeoutExpired as e:
        return path, 0, 1, f"{path}: timed out after {FILE_TIMEOUT}s\n", time.time() - t0
    out = proc.stderr
    m = re.search(r"^Ran (\d+) tests?", out, re.M)
    ran = int(m.group(1)) if m else 0
    failed = 0
    m = re.search(r"^FAILED \((.*)\)", out, re.M)
    if m:
        for part in m.group(1).split(","):
            k, _, v = part.strip().partition("=")
            if k in ("failures", "errors"):
                failed += int(v)
    skipped = 0
    m = re.search(r"skipped=(\d+)", out)
    if m:
        skipped = int(m.group(1))
    if ran == 0 and proc.returncode != 0:
        failed = max(failed, 1)
    text = out if failed else ""
    return path, max(0, ran - failed - skipped), failed, text, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", default="unit,integration,interop")
    ap.add_argument("--long", action="store_true")
    ap.add_argument("-k", dest="pattern", default=None)
    args = ap.parse_args()
    kinds = set(args.only.split(","))
    passed = failed = 0
    t0 = time.time()
    if "unit" in kinds:
        p, f = run_unit(args.build, args.pattern)
        passed += p
        failed += f
    files = []
    for kind in ("integration", "interop"):
        if kind not in kinds:
            continue
        d = os.path.join(ROOT, "tests", kind)
        if os.path.isdir(d):
            files += sorted(os.path.join(d, n) for n in os.listdir(d) if re.match(r"test_.*\.py$", n))
    if files:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futs = [pool.submit(run_py_file, f, args.build, args.long, args.pattern) for f in files]
            for fut in futs:
                path, p, f, text, secs = fut.result()
                name = os.path.relpath(path, ROOT)
                print(f"{name}: {p} passed, {f} failed ({secs:.1f}s)")
                if text:
                    sys.stdout.write(text[-15000:])
                passed += p
                failed += f
    print(f"total time {time.time() - t0:.1f}s")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
