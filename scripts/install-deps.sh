#!/usr/bin/env bash
# Installs what building and testing sst-rs needs on a fresh Debian/Ubuntu
# machine, and nothing when it is already there:
#   build: a C compiler and libclang (bindgen reads include/sst_abi.h with
#          it; found the way bindgen finds it, scripts/find-libclang.sh),
#          a C++ compiler for the fuzz targets' libFuzzer
#   --test: sipp (Debian package sip-tester) and python3 for the real-server
#          suite; make, bison, flex and the OpenSSL and curses headers to
#          build its test servers from source, libmicrohttpd for their
#          httpd module (the statistics scrape through prometheus);
#          rpmbuild for the install checks' RPM
# Each check is for the exact program or library the step runs or loads.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v c++ >/dev/null 2>&1 || need+=(g++)   # libFuzzer (fuzz smoke build)
./scripts/find-libclang.sh >/dev/null 2>&1 || need+=(libclang-dev)
if [ "${1:-}" = "--test" ]; then
    command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
    command -v python3 >/dev/null 2>&1 || need+=(python3)
    command -v make >/dev/null 2>&1 || need+=(make)
    command -v bison >/dev/null 2>&1 || need+=(bison)
    command -v flex >/dev/null 2>&1 || need+=(flex)
    # the OpenSIPS core includes OpenSSL's headers (ssl_tweaks.h) even
    # without TLS modules: ask the compiler for the very header
    echo '#include <openssl/opensslv.h>' | cc -E -x c - >/dev/null 2>&1 || need+=(libssl-dev)
    # ... and its `make install` always builds menuconfig, which includes curses.h
    echo '#include <curses.h>' | cc -E -x c - >/dev/null 2>&1 || need+=(libncurses-dev)
    # the test servers' httpd module (for the prometheus scrape) builds
    # against libmicrohttpd: ask the compiler for its header
    echo '#include <microhttpd.h>' | cc -E -x c - >/dev/null 2>&1 || need+=(libmicrohttpd-dev)
    # the install checks build and install an RPM (Debian package rpm);
    # `make rpm` itself says so when rpmbuild is missing
    command -v rpmbuild >/dev/null 2>&1 || need+=(rpm)
fi
if [ ${#need[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: ${need[*]} — install them with your package manager (no apt-get here)" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# what was installed must now be what bindgen loads
if ! lib=$(./scripts/find-libclang.sh); then
    echo "libclang is still not where bindgen looks for it: install libclang-dev, or set LIBCLANG_PATH" >&2
    exit 1
fi
echo "libclang: $lib"
