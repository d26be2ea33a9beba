#!/usr/bin/env bash
# `make install`, `make install-debug` and `make uninstall`: copies the module
# `make` built (./sst.so) into the server's modules folder, and takes it out
# again. Never builds anything, so it runs as root without cargo.
#
#   install-module.sh install|install-debug|uninstall
#
# Environment (from the Makefile): OPENSIPS (the server; else `opensips` on
# PATH), MODULES_DIR (else found by find-opensips-dir.sh), DESTDIR (a staging
# root prepended to MODULES_DIR), SST_SO (default ./sst.so).
#
# install: the module is installed stripped, mode 0644, with a GNU debuglink
#   to sst.so.debug; install-debug also puts that file (the debug info) in
#   <modules>/.debug/, where gdb looks. A different sst.so already there that
#   is not sst-rs (the server's C module) is moved aside to sst.so.c-module.
# uninstall: removes sst-rs and puts sst.so.c-module back (a rename, so it is
#   byte for byte the file that was there).
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:?usage: $0 install|install-debug|uninstall}"
so="${SST_SO:-./sst.so}"
aside_name="sst.so.c-module"

say() { echo "sst-rs: $*"; }
die() { echo "sst-rs: $*" >&2; exit 1; }
is_ours() { grep -aq 'sst-rs' "$1"; }   # the C module never carries the name

server="${OPENSIPS:-}"
[ -n "$server" ] || server=$(command -v opensips 2>/dev/null || true)

if [ -n "${MODULES_DIR:-}" ]; then
    dir="$MODULES_DIR"
elif [ -z "$server" ]; then
    die "no modules folder: give OPENSIPS=/path/to/sbin/opensips (no opensips on PATH) or MODULES_DIR=/path/to/modules"
elif ! dir=$(./scripts/find-opensips-dir.sh modules "$server" 2>&1); then
    echo "$dir" >&2
    die "give the folder with MODULES_DIR=/path/to/modules"
fi
dest="${DESTDIR:-}$dir"
target="$dest/sst.so"
aside="$dest/$aside_name"
debug="$dest/.debug/sst.so.debug"

writable() {
    if [ -e "$1" ] && [ ! -w "$1" ]; then
        die "cannot write to $1: run this as root (sudo make $action ...) or give DESTDIR=/staging/root"
    fi
}

# The Debian package (make deb) diverts the C module itself; do not fight it.
if [ -z "${DESTDIR:-}" ] && command -v dpkg-divert >/dev/null 2>&1; then
    owner=$(dpkg-divert --listpackage "$dir/sst.so" 2>/dev/null || true)
    if [ -n "$owner" ]; then
        die "$dir/sst.so is managed by the package $owner (dpkg-divert); remove or upgrade that package instead"
    fi
fi

strip_to() { # $1: a temporary folder; leaves sst.so (stripped) and sst.so.debug in it
    objcopy --only-keep-debug "$so" "$1/sst.so.debug"
    objcopy --strip-unneeded --remove-section=.comment \
        --add-gnu-debuglink="$1/sst.so.debug" "$so" "$1/sst.so"
}

case "$action" in
install|install-debug)
    [ -f "$so" ] || die "nothing to install: $so is missing. Build it first, as your user: make OPENSIPS=/path/to/sbin/opensips"
    built=$(./scripts/module-target.sh "$so" --version)
    if [ -n "$server" ] && [ -x "$server" ]; then
        why=$(./scripts/module-target.sh "$so" --check "$server" 2>&1) || die "$why"
    fi
    if [ -n "${DESTDIR:-}" ]; then mkdir -p "$dest"; fi
    [ -d "$dest" ] || die "no modules folder $dest"
    writable "$dest"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    strip_to "$tmp"
    if [ -e "$target" ]; then
        if cmp -s "$tmp/sst.so" "$target"; then
            say "$target is already this build"
        elif is_ours "$target"; then
            say "replacing the sst-rs module installed before at $target"
        else
            if [ -e "$aside" ]; then
                say "$target is not sst-rs (a package upgrade put the C module back?): it replaces the older $aside"
            fi
            mv -f "$target" "$aside"
            say "moved the existing $target (not sst-rs: the C module) aside to $aside; make uninstall puts it back"
        fi
    fi
    install -m 0644 "$tmp/sst.so" "$target"
    say "installed $target (stripped, $(($(stat -c %s "$target") / 1024)) KiB, for $built)"
    if [ "$action" = install-debug ]; then
        install -d -m 0755 "$dest/.debug"
        install -m 0644 "$tmp/sst.so.debug" "$debug"
        say "installed its debug info $debug"
    else
        say "debug info: make install-debug (puts sst.so.debug in $dest/.debug/)"
    fi
    if [ -z "${DESTDIR:-}" ] && owner=$(dpkg -S "$dir/sst.so" 2>/dev/null); then
        say "note: ${owner%%:*} owns $dir/sst.so; its next upgrade puts the C module back over this one (make deb builds a package that keeps it aside instead)"
    elif [ -z "${DESTDIR:-}" ] && { [ -e /var/lib/rpm/rpmdb.sqlite ] || [ -e /var/lib/rpm/Packages ]; } \
        && owner=$(rpm -qf "$dir/sst.so" 2>/dev/null); then   # an RPM system (RHEL 9: sqlite, 8: Packages)
        say "note: the RPM $owner owns $dir/sst.so; rpm -V now reports it changed and its next update puts the C module back (make rpm builds a package that leaves it alone)"
    fi
    ;;
uninstall)
    writable "$dest"
    if [ -e "$target" ]; then
        if is_ours "$target"; then
            rm -f "$target"
            say "removed sst-rs from $target"
        elif [ -e "$aside" ]; then
            die "$target is not sst-rs (a package upgrade put the C module back?); leaving it and $aside as they are"
        else
            say "$target is not sst-rs; nothing to remove"
        fi
    else
        say "no $target; nothing to remove"
    fi
    if [ -e "$aside" ]; then
        mv "$aside" "$target"
        say "put the C module back: $aside -> $target"
    fi
    if [ -e "$debug" ]; then
        rm -f "$debug"
        rmdir "$dest/.debug" 2>/dev/null || true
        say "removed $debug"
    fi
    ;;
*) die "unknown action $action" ;;
esac
