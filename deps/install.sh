#!/usr/bin/env bash
# Installs the Debian packages Ember builds, tests and benchmarks with, when any is missing.
# Idempotent and quiet when everything is present. No downloads outside Debian's archive.
#
# What each package is for:
#   g++ make pkg-config     the toolchain (C++20)
#   libjemalloc-dev         the allocator and its statistics (used_memory, MEMORY MALLOC-STATS)
#   liburing-dev            the io_uring persistence writer (AOF, RDB child)
#   libxxhash-dev           XXH3 for the keyspace and value hash tables
#   liblz4-dev              in-memory compression of interior quicklist nodes
#   liblzf-dev              LZF string compression in RDB files (Redis file compatibility)
#   libssl-dev              SHA-1 (libcrypto) for DEBUG DIGEST, computed as Redis computes it
#   libgtest-dev libgmock-dev  unit tests
#   libhiredis-dev          test and benchmark client
#   redis-server redis-tools   interop tests and benchmarks (redis-server, redis-cli, redis-benchmark,
#                              redis-check-rdb, redis-check-aof)
#   python3-redis           integration tests (Debian's /usr/bin/python3 has it)
#   clang libclang-rt-14-dev   libFuzzer targets (make fuzz)
set -euo pipefail
PKGS=(g++ make pkg-config libjemalloc-dev liburing-dev libxxhash-dev liblz4-dev liblzf-dev libssl-dev
      libgtest-dev libgmock-dev libhiredis-dev redis-server redis-tools python3-redis)
if [ "${1:-}" = "--fuzz" ]; then PKGS+=(clang libclang-rt-14-dev); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a redis-server service on install; Ember's tests never use it (they start their own
# on free ports), but make sure it does not hold 6379 where `make run` wants it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  $SUDO systemctl stop redis-server || true
  $SUDO systemctl disable redis-server >/dev/null 2>&1 || true
fi
