#!/usr/bin/env bash
# Builds a throwaway OpenSIPS test server from a release source archive (or a
# source folder) into build/opensips/, and prints the path of its binary:
#
#   test-server.sh path/to/opensips-3.6.8.tar.gz     -> .../sbin/opensips
#   test-server.sh path/to/opensips-source-folder    -> .../sbin/opensips
#
# Only the core and the modules the test suites load are built, with the
# release's default flags (what a default `make` of that release prints in
# `opensips -V`). The result is kept per source name and checksum, so a
# second call for the same archive prints the cached server at once. The
# source tree stays beside it (src/): the header probe reads it.
# Build output goes to <server folder>/build.log; on failure its end is shown.
set -euo pipefail
src="${1:?usage: $0 opensips-X.Y.Z.tar.gz | source-folder}"
src=$(realpath "$src")   # relative to where it was called from
cd "$(dirname "$0")/.."

# The modules the real-server suite and the benchmark load (the C module
# `sst` too: --c-module and the benchmark compare against it).
MODULES="tm sl rr maxfwd signaling sipmsgops dialog mi_fifo proto_udp cfgutils
         clusterer proto_bin event_route event_flatstore db_text sst"
# httpd and prometheus for the statistics scrape, which needs libmicrohttpd:
# install-deps.sh --test installs it where apt can, and the scrape scenario
# says `skipped:` on a server built without them.
./scripts/install-deps.sh --test >&2
if echo '#include <microhttpd.h>' | cc -E -x c - >/dev/null 2>&1; then
    MODULES="$MODULES httpd prometheus"
fi

if [ -f "$src" ]; then
    case "$src" in
        *.tar.gz | *.tgz) ;;
        *) echo "$src: not a .tar.gz source archive" >&2; exit 1 ;;
    esac
    name=$(basename "$src"); name=${name%.tar.gz}; name=${name%.tgz}
    sum=$(sha256sum "$src" | cut -c1-12)
elif [ -d "$src" ]; then
    [ -f "$src/Makefile.defs" ] || { echo "$src: not an OpenSIPS source folder (no Makefile.defs)" >&2; exit 1; }
    name=$(basename "$src")
    # the folder's sources and Makefiles, not what a build left in it
    sum=$(cd "$src" && find . -path ./.git -prune -o -type f \( -name '*.[chyl]' -o -name 'Makefile*' \) -print0 |
          LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
else
    echo "$src: no such archive or folder" >&2; exit 1
fi
# the module list is part of the key: a server built without httpd is built
# again once libmicrohttpd is there
mods_sum=$(echo $MODULES | sha256sum | cut -c1-6)
dir="$PWD/build/opensips/$name-$sum-$mods_sum"
bin="$dir/inst/sbin/opensips"
if [ -f "$dir/.built" ] && [ -x "$bin" ]; then
    echo "$bin"
    exit 0
fi

rm -rf "$dir"
mkdir -p "$dir/src"
log="$dir/build.log"
if [ -f "$src" ]; then
    tar -xzf "$src" -C "$dir/src" --strip-components=1
else
    cp -a "$src/." "$dir/src/"
fi
mods=$(for m in $MODULES; do printf 'modules/%s ' "$m"; done)
echo "building OpenSIPS test server $name into $dir (log: $log)" >&2
if ! { make -C "$dir/src" -j"$(nproc)" prefix="$dir/inst" modules="$mods" all &&
       make -C "$dir/src" prefix="$dir/inst" modules="$mods" install; } >"$log" 2>&1; then
    tail -n 25 "$log" >&2
    echo "building the OpenSIPS test server from $src failed (log: $log)" >&2
    exit 1
fi
"$bin" -V >/dev/null 2>&1 || { echo "$bin -V does not run" >&2; exit 1; }
touch "$dir/.built"
echo "$bin"
