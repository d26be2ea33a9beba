#!/usr/bin/env bash
# Installs what building and testing sst-rs needs on a fresh Debian/Ubuntu
# machine, and nothing when it is already there:
#   build: a C compiler and libclang (bindgen reads include/sst_abi.h with it),
#          a C++ compiler for the fuzz targets' libFuzzer
#   tests: sipp (Debian package sip-tester) for the real-server suite
set -euo pipefail

need=()
have_libclang() {
    ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1
}
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v c++ >/dev/null 2>&1 || need+=(g++)   # libFuzzer (fuzz smoke build)
have_libclang || need+=(libclang-dev)
if [ "${1:-}" = "--test" ]; then
    command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
    command -v python3 >/dev/null 2>&1 || need+=(python3)
fi
# packaging: make rpm and the install checks run rpmbuild (Debian package rpm;
# elsewhere, e.g. on RHEL, make rpm itself says it is missing)
command -v rpmbuild >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || need+=(rpm)
[ ${#need[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing: ${need[*]} — install them with your package manager (no apt-get here)" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
