#!/usr/bin/env bash
# Prints the ABI number (304, 306, 400) of the server the module is built
# for, chosen like build.rs does: SST_OSIPS_VERSION, else `$OPENSIPS -V`,
# else the default 3.6.8. Used to compile the host harness to match.
set -euo pipefail
v="${SST_OSIPS_VERSION:-}"
if [ -z "$v" ] && [ -n "${OPENSIPS:-}" ]; then
    v=$("$OPENSIPS" -V 2>&1 | sed -n 's/^version: opensips \([0-9.]*\).*/\1/p')
fi
v="${v:-3.6.8}"
case "$v" in
    3.4.*) echo 304 ;;
    3.6.*) echo 306 ;;
    4.0.*) echo 400 ;;
    *) echo "unsupported OpenSIPS $v" >&2; exit 1 ;;
esac
