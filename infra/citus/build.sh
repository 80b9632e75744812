#!/usr/bin/env bash
# Build Citus 13.2.2 from the vendored tarball and install it into the system PostgreSQL 15.
# Skipped when citus.so is already installed. Needs root (or sudo) for apt-get and `make install`.
#   infra/citus/build.sh            # from the repository; the tarball is ../shared/vendor/ next to it
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
TARBALL="${CITUS_TARBALL:-$REPO/../shared/vendor/citus-13.2.2.tar.gz}"
if [ ! -f "$TARBALL" ] && [ -z "${CITUS_TARBALL:-}" ]; then
  # A git worktree elsewhere: the vendored folder sits next to the main checkout.
  MAIN="$(cd "$(git -C "$REPO" rev-parse --path-format=absolute --git-common-dir)/.." 2>/dev/null && pwd || true)"
  [ -n "$MAIN" ] && TARBALL="$MAIN/../shared/vendor/citus-13.2.2.tar.gz"
fi
PG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}"
SHA256=ab578035e4b7f4af9d379b86123c0b5dd60305fa0013871eb9d1b3e6f27898d5

if [ -x "$PG_CONFIG" ] && [ -f "$("$PG_CONFIG" --pkglibdir)/citus.so" ]; then
  echo "[citus] citus.so already installed in $("$PG_CONFIG" --pkglibdir): build skipped"
  exit 0
fi
[ -f "$TARBALL" ] || { echo "[citus] $TARBALL not found (the repository's parent must hold shared/vendor/)" >&2; exit 1; }
echo "$SHA256  $TARBALL" | sha256sum -c --quiet - || { echo "[citus] $TARBALL: checksum mismatch" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
echo "[citus] installing the build dependencies (apt-get)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-server-dev-15 libcurl4-openssl-dev \
  liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev libpam0g-dev libreadline-dev \
  build-essential >/dev/null
BUILD="$(mktemp -d /tmp/citus-build.XXXXXX)"
trap 'rm -rf "$BUILD"' EXIT
tar xzf "$TARBALL" -C "$BUILD"
cd "$BUILD"/citus-13.2.2
echo "[citus] configure + make (a few minutes on 2 cores)"
./configure PG_CONFIG="$PG_CONFIG" >"$BUILD/configure.log" 2>&1 || { tail -30 "$BUILD/configure.log"; exit 1; }
# with_llvm=no: no LLVM bitcode for PostgreSQL's JIT (half the compile time; JIT inlining of Citus is not needed).
nice -n 10 make -j"$(nproc)" with_llvm=no >"$BUILD/make.log" 2>&1 || { tail -40 "$BUILD/make.log"; exit 1; }
$SUDO make install with_llvm=no >"$BUILD/install.log" 2>&1 || { tail -30 "$BUILD/install.log"; exit 1; }
echo "[citus] installed: $("$PG_CONFIG" --pkglibdir)/citus.so"
