#!/usr/bin/env bash
# `make deb`: a Debian package of a built sst.so, with dpkg-deb only.
#
#   make-deb.sh [path/to/sst.so [out-dir]]      (defaults: ./sst.so, build/)
#
# Prints the path of the .deb. The package, opensips-sst-rs, installs the
# module (stripped, 0644) into the packaged modules folder
# /usr/lib/<multiarch triplet>/opensips/modules and diverts the opensips
# package's own sst.so to sst.so.c-module with dpkg-divert (preinst), so an
# upgrade of the opensips package writes its C module there instead of over
# ours; removing the package puts the C module back (postrm).
#
# The OpenSIPS loader refuses a module built for another release or other
# compile flags, so the package is for one server: the release and flags
# are read from the module (scripts/module-target.sh), the control file
# pins the opensips package to that upstream release (any Debian revision)
# and names the exact strings, and preinst compares them with what the
# installed /usr/sbin/opensips -V prints before it diverts anything.
#
# With OPENSIPS=/path/to/opensips, the module must be built for that server.
# DEB_MAINTAINER overrides the Maintainer field.
set -euo pipefail
cd "$(dirname "$0")/.."
so="${1:-./sst.so}"
out="${2:-build}"
pkg=opensips-sst-rs

. scripts/package-common.sh
package_target deb "$so" "Debian packages dpkg and binutils" dpkg-deb objcopy
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
moddir="/usr/lib/$triplet/opensips/modules"
# the next upstream release after ours, for "(<< ...)": 3.6.8 -> 3.6.9~
next="${release%.*}.$(( ${release##*.} + 1 ))~"
# newest glibc symbol version the module needs
glibc=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n 1)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
install -d -m 0755 "$root/DEBIAN" "$root$moddir" "$root/usr/share/doc/$pkg"
objcopy --strip-unneeded --remove-section=.comment "$so" "$root$moddir/sst.so"
chmod 0644 "$root$moddir/sst.so"
install -m 0644 README.md "$root/usr/share/doc/$pkg/README.md"
cat >"$root/usr/share/doc/$pkg/copyright" <<EOF
sst-rs: SIP Session Timers (RFC 4028) module for OpenSIPS, in Rust.
License: GPL-2.0-or-later
 On Debian systems the full text of the GNU General Public License
 version 2 is in /usr/share/common-licenses/GPL-2.
EOF
chmod 0644 "$root/usr/share/doc/$pkg/copyright"

size=$(du -k -s "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<EOF
Package: $pkg
Version: $ours+opensips$release
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-sst-rs maintainers <sst-rs@localhost>}
Installed-Size: $size
Depends: opensips (>= $release), opensips (<< $next), libc6 (>= $glibc)
Enhances: opensips
Section: net
Priority: optional
X-OpenSIPS-Version: $full_version
X-OpenSIPS-Flags: $flags
Description: SIP Session Timers (RFC 4028) module for OpenSIPS, in Rust
 sst-rs replaces OpenSIPS's C sst module: same module name, parameters,
 function, statistic and dialog value, so opensips.cfg does not change.
 .
 Built for exactly $full_version (the X-OpenSIPS-Version and
 X-OpenSIPS-Flags fields): the OpenSIPS loader refuses a module built for
 another release or other compile flags, so this package depends on that
 upstream release of the opensips package and checks the installed
 server's version and flags before installing.
 .
 The opensips package's own sst.so is diverted to sst.so.c-module while
 this package is installed (also across opensips upgrades) and put back
 when it is removed.
EOF

# shared by the maintainer scripts: where the files are, and the diversion
common="#!/bin/sh
set -e
moddir=\"$moddir\"
divert() { dpkg-divert --package $pkg --rename --divert \"\$moddir/sst.so.c-module\" \"\$@\" \"\$moddir/sst.so\"; }"

cat >"$root/DEBIAN/preinst" <<EOF
$common
$(server_check_sh $pkg '${DPKG_ROOT:-}/usr/sbin/opensips')

# The server refuses a module whose version or flags differ from its own:
# refuse here instead, before anything is diverted.
check_server() {
    if ! server_matches; then
        echo "$pkg: build the package against this server: make OPENSIPS=/usr/sbin/opensips && make deb" >&2
        exit 1
    fi
}

case "\$1" in
    install|upgrade)
        check_server
        divert --add
        ;;
esac
exit 0
EOF

cat >"$root/DEBIAN/postrm" <<EOF
$common

case "\$1" in
    remove|abort-install|disappear)
        # our sst.so is gone by now: the C module gets its name back (after a
        # refused install there is no diversion to remove)
        if [ "\$(dpkg-divert --listpackage "\$moddir/sst.so")" = $pkg ]; then
            divert --remove
        fi
        ;;
esac
exit 0
EOF
chmod 0755 "$root/DEBIAN/preinst" "$root/DEBIAN/postrm"

mkdir -p "$out"
deb="$out/${pkg}_$ours+opensips${release}_$arch.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
