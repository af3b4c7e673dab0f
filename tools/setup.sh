#!/usr/bin/env bash
# tools/setup.sh: installs the Debian packages aiosim needs to build and test, if any is
# missing. Idempotent: when everything is there it only checks (well under a second) and runs
# no apt-get at all. Root runs apt-get directly; anyone else through sudo.
#
# Python 3 is not installed on purpose: the only tests that need it (the differential
# conformance tests against CPython) are skipped when it is absent.
set -euo pipefail

packages=(
  build-essential   # g++ 12, make, libc headers
  cmake
  ninja-build
  libfmt-dev
  doctest-dev
  librapidcheck-dev
  libcli11-dev
  libbenchmark-dev
  clang-16            # clang++-16: the ASan+UBSan build and the fuzz harnesses (tools/test.sh, tools/fuzz.sh)
  libclang-rt-16-dev  # libFuzzer and the sanitizer runtimes of clang 16
  clang-format-16     # tools/format.sh (--check in tools/test.sh)
  clang-tidy-16       # tools/tidy.sh (in tools/test.sh)
  # The network benchmarks' peers (tools/bench/net_compare.py): standalone asio (header only),
  # uvloop for Debian's python3, and tokio's crates for an offline cargo build.
  libasio-dev
  python3-uvloop
  librust-tokio-dev
)
# cargo for the tokio peer, unless one is on PATH already (rustup's, for instance).
if ! command -v cargo >/dev/null 2>&1; then
  packages+=(cargo)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup: not a Debian-based system (no dpkg-query); install these yourself: ${packages[*]}" >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != "installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "setup: missing packages: ${missing[*]}; run this as root or install sudo" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
