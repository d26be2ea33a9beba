#!/usr/bin/env bash
# Prints which server a built sst.so is for, read from the module itself (the
# strings the OpenSIPS loader compares with the core's, stamped by build.rs):
#
#   module-target.sh path/to/sst.so            -> the release, e.g. 3.6.8
#   module-target.sh path/to/sst.so --version  -> e.g. opensips 3.6.8 (x86_64/linux)
#   module-target.sh path/to/sst.so --flags    -> the compile-flags string
#   module-target.sh path/to/sst.so --check /path/to/opensips
#                                              -> fails, saying why, unless the
#                                                 server's -V has the same two
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
    --check)
        server="${3:?--check needs the server binary}"
        flags=$(one 'STATS: O(n|ff)(, [A-Z_-]+)*' "compile-flags")
        v=$("$server" -V 2>&1) || { echo "cannot run $server -V" >&2; exit 1; }
        have=$(sed -n 's/^version: //p' <<<"$v")
        have_flags=$(sed -n 's/^flags: //p' <<<"$v")
        if [ "$have" != "$version" ]; then
            echo "$so is built for $version, but $server is $have: rebuild with make OPENSIPS=$server" >&2
            exit 1
        fi
        if [ "$have_flags" != "$flags" ]; then
            echo "$so is built for other compile flags than $server has ($flags vs $have_flags): rebuild with make OPENSIPS=$server" >&2
            exit 1
        fi ;;
    "") sed 's/^opensips \([^ ]*\) .*/\1/' <<<"$version" ;;
    *) echo "unknown option $2" >&2; exit 2 ;;
esac
