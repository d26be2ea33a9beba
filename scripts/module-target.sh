#!/usr/bin/env bash
# Prints which server a built sst.so is for, read from the module itself (the
# strings the OpenSIPS loader compares with the core's, stamped by build.rs):
#
#   module-target.sh path/to/sst.so            -> the release, e.g. 3.6.8
#   module-target.sh path/to/sst.so --version  -> e.g. opensips 3.6.8 (x86_64/linux)
#   module-target.sh path/to/sst.so --flags    -> the compile-flags string
#
# Fails when the module does not carry exactly one of each.
set -euo pipefail
so="${1:?usage: $0 path/to/sst.so [--version|--flags]}"
[ -f "$so" ] || { echo "$so: no such file" >&2; exit 1; }
one() { # the single distinct string of the module matching the regex $1
    local found n
    found=$(grep -aoE "$1" "$so" | sort -u)
    n=$(grep -c . <<<"$found" || true)
    if [ "$n" -ne 1 ]; then
        echo "$so: expected one $2 string, found $n" >&2
        exit 1
    fi
    echo "$found"
}
version=$(one 'opensips [0-9]+\.[0-9]+\.[0-9]+[^ ]* \([a-z0-9_]+/[a-z]+\)' "version")
case "${2:-}" in
    --version) echo "$version" ;;
    --flags) one 'STATS: O(n|ff)(, [A-Z_-]+)*' "compile-flags" ;;
    "") sed 's/^opensips \([^ ]*\) .*/\1/' <<<"$version" ;;
    *) echo "unknown option $2" >&2; exit 2 ;;
esac
