#!/usr/bin/env bash
# Checks how the module is installed (README: Installation), without a real
# OpenSIPS: stand-in servers in temporary layouts (a prefix build, a Debian
# layout under a staging root), and a temporary dpkg root.
#
#   check-install.sh [path/to/sst.so]     (default: ./sst.so)
#
# 1. find-opensips-dir.sh finds modules and db_text folders in each layout
#    and lists every place it tried when there is none;
# 2. make install / uninstall: stripped, 0644, the C module kept aside and
#    put back byte for byte; a missing or mismatched module is refused;
# 3. make deb: the package's contents and control fields, and a real
#    `dpkg --root` install, opensips upgrade and removal that divert and
#    restore a stand-in C sst.so; its version check refuses a mismatch;
# 4. make rpm: the package's contents and header, and a real `rpm --root`
#    install, opensips update and reinstall, upgrade and removal against a
#    stand-in opensips package owning a stand-in C sst.so; Requires and its
#    %pre refuse a mismatched server, %preun a config that still loads it;
# 5. the README's example configs are the files the real-server suite checks.
set -uo pipefail
cd "$(dirname "$0")/.."
so=$(readlink -f "${1:-./sst.so}")
pass=0 fail=0
check() { # name, condition-result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok - $1"; pass=$((pass + 1));
    else echo "FAIL - $1: $3"; fail=$((fail + 1)); fi
}
if [ ! -f "$so" ]; then
    echo "FAIL - setup: no module at $so (run make first)"
    echo "install-checks: 0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(./scripts/module-target.sh "$so" --version)
flags=$(./scripts/module-target.sh "$so" --flags)
release=$(./scripts/module-target.sh "$so")
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)

stand_in_server() { # $1: path; prints -V like a server built for $2 (version) with flags $3
    mkdir -p "$(dirname "$1")"
    printf '#!/bin/sh\necho "version: %s"\necho "flags: %s"\necho "git revision: 0123abc"\n' \
        "$2" "$3" >"$1"
    chmod +x "$1"
}
find_dir() { ./scripts/find-opensips-dir.sh "$@" 2>&1; }

# ---- 1. finding the folders
layout() { # name, binary, modules folder, db_text folder: stand-ins made, then found
    stand_in_server "$2" "$version" "$flags"
    mkdir -p "$3" "$4"
    touch "$3/dialog.so" "$4/dialog" "$4/version"
    out=$(find_dir modules "$2")
    [ "$out" = "$3" ]
    check "$1 layout: modules in ${3#"$tmp"/*/}" $? "$out"
    out=$(find_dir dbtext "$2")
    [ "$out" = "$4" ]
    check "$1 layout: db_text tables in ${4#"$tmp"/*/}" $? "$out"
}
pre="$tmp/prefix"                         # make install prefix=... (lib64)
layout prefix "$pre/sbin/opensips" "$pre/lib64/opensips/modules" "$pre/share/opensips/dbtext/opensips"
deb="$tmp/debroot"                        # prefix=/usr LIBDIR=lib/<triplet>, staged
mods="$deb/usr/lib/$triplet/opensips/modules"
layout Debian "$deb/usr/sbin/opensips" "$mods" "$deb/usr/share/opensips/dbtext/opensips"

alt="$tmp/altroot"                        # only the config's mpath names the folder
stand_in_server "$alt/usr/sbin/opensips" "$version" "$flags"
mkdir -p "$alt/srv/mods" "$alt/etc/opensips"
touch "$alt/srv/mods/dialog.so"
printf '# mpath="/wrong/"\nmpath = "/srv/mods/"\n' >"$alt/etc/opensips/opensips.cfg"
out=$(find_dir modules "$alt/usr/sbin/opensips")
[ "$out" = "$alt/srv/mods" ]
check "the installed config's mpath, under the staging root" $? "$out"
rm "$alt/srv/mods/dialog.so"
out=$(find_dir modules "$alt/usr/sbin/opensips"); rc=$?
[ $rc -ne 0 ] && grep -q "tried:" <<<"$out" && grep -q "$alt/srv/mods  (mpath in" <<<"$out" \
    && grep -q "$alt/usr/lib64/opensips/modules" <<<"$out" \
    && grep -q "$alt/usr/lib/$triplet/opensips/modules" <<<"$out"
check "no modules folder: every place tried is listed" $? "rc=$rc: $out"
out=$(make -s install OPENSIPS="$alt/usr/sbin/opensips" SST_SO="$so" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "tried:" <<<"$out" && ! grep -q "OPENSIPS=" <<<"$out" \
    && grep -q "MODULES_DIR=" <<<"$out"
check "make install without a folder: lists them, suggests MODULES_DIR, not OPENSIPS" $? "$out"

# ---- 2. make install / uninstall, on the Debian layout
printf 'stand-in C sst.so\n' >"$mods/sst.so"
before=$(sha256sum <"$mods/sst.so")
out=$(make -s install OPENSIPS="$deb/usr/sbin/opensips" SST_SO="$so" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "moved the existing .* aside to $mods/sst.so.c-module" <<<"$out" \
    && [ "$(sha256sum <"$mods/sst.so.c-module")" = "$before" ]
check "make install keeps the C module aside as sst.so.c-module and says so" $? "rc=$rc: $out"
[ "$(stat -c %a "$mods/sst.so")" = 644 ] && ! readelf -S "$mods/sst.so" | grep -q '\.debug_info' \
    && readelf -S "$mods/sst.so" | grep -q '\.gnu_debuglink' \
    && [ "$(stat -c %s "$mods/sst.so")" -lt "$(stat -c %s "$so")" ]
check "the installed module is 0644, stripped, with a debuglink" $? "$(ls -l "$mods/sst.so")"
out=$(make -s install-debug OPENSIPS="$deb/usr/sbin/opensips" SST_SO="$so" 2>&1); rc=$?
[ $rc -eq 0 ] && readelf -S "$mods/.debug/sst.so.debug" | grep -q '\.debug_info' \
    && [ "$(sha256sum <"$mods/sst.so.c-module")" = "$before" ]
check "make install-debug adds .debug/sst.so.debug, the C module stays aside" $? "rc=$rc: $out"
out=$(make -s uninstall OPENSIPS="$deb/usr/sbin/opensips" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(sha256sum <"$mods/sst.so")" = "$before" ] && [ ! -e "$mods/sst.so.c-module" ] \
    && [ ! -e "$mods/.debug" ]
check "make uninstall puts the C module back byte for byte" $? "rc=$rc: $out"
out=$(make -s install OPENSIPS="$deb/usr/sbin/opensips" SST_SO="$tmp/none.so" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "nothing to install: $tmp/none.so is missing" <<<"$out" \
    && [ "$(sha256sum <"$mods/sst.so")" = "$before" ]
check "make install without a built module says so and changes nothing" $? "rc=$rc: $out"
other="$tmp/other/sbin/opensips"
stand_in_server "$other" "opensips 4.0.1 (x86_64/linux)" "$flags"
out=$(make -s install OPENSIPS="$other" MODULES_DIR="$mods" SST_SO="$so" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "is built for $version, but $other is opensips 4.0.1" <<<"$out"
check "make install refuses a module built for another release" $? "rc=$rc: $out"
# a cargo on PATH that only records that it ran
mkdir -p "$tmp/bin"
printf '#!/bin/sh\ntouch "%s/cargo-ran"\nexit 1\n' "$tmp" >"$tmp/bin/cargo"
chmod +x "$tmp/bin/cargo"
out=$(PATH="$tmp/bin:$PATH" make -s install MODULES_DIR=/usr/lib/x/opensips/modules \
      DESTDIR="$tmp/stage" OPENSIPS= SST_SO="$so" 2>&1); rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/stage/usr/lib/x/opensips/modules/sst.so" ]
check "make install DESTDIR=... MODULES_DIR=... stages the module" $? "rc=$rc: $out"
[ ! -e "$tmp/cargo-ran" ]
check "make install never runs cargo" $? "cargo ran"

# ---- 3. make deb
make_package() { # deb|rpm, out folder: refuses another server's module, then builds; sets pkgfile
    local out rc
    out=$(OPENSIPS="$other" "./scripts/make-$1.sh" "$so" "$2" 2>&1); rc=$?
    [ $rc -ne 0 ] && grep -q "is built for $version, but $other is opensips 4.0.1" <<<"$out" \
        && [ -z "$(ls -A "$2" 2>/dev/null)" ]
    check "make $1 OPENSIPS=... refuses a module built for another release" $? "rc=$rc: $out"
    pkgfile=$(OPENSIPS="$deb/usr/sbin/opensips" "./scripts/make-$1.sh" "$so" "$2" 2>&1); rc=$?
    check "make $1 builds a package" $rc "$pkgfile"
}
make_package deb "$tmp/deb"
debfile=$pkgfile
field() { dpkg-deb -f "$debfile" "$1"; }
moddir="/usr/lib/$triplet/opensips/modules"
list=$(dpkg-deb -c "$debfile" 2>&1 | awk '$1 !~ /^d/ {print $1, $2, $6}')
want="-rw-r--r-- root/root .$moddir/sst.so
-rw-r--r-- root/root ./usr/share/doc/opensips-sst-rs/README.md
-rw-r--r-- root/root ./usr/share/doc/opensips-sst-rs/copyright"
[ "$list" = "$want" ]
check "package contents: the module in $moddir (0644, root), README, copyright" $? "$list"
next="${release%.*}.$(( ${release##*.} + 1 ))~"
[ "$(field Package)" = opensips-sst-rs ] && [ "$(field X-OpenSIPS-Version)" = "$version" ] \
    && [ "$(field X-OpenSIPS-Flags)" = "$flags" ] \
    && grep -q "^opensips (>= $release), opensips (<< $next), libc6 (>= " <<<"$(field Depends)"
check "control: exact version and flags, Depends pins opensips $release" $? "$(field Depends)"
dpkg-deb -x "$debfile" "$tmp/x"
! readelf -S "$tmp/x$moddir/sst.so" | grep -q '\.debug_info'
check "the packaged module is stripped" $? "debug info in the package"
ok=0
for v in "$release-1" "$release-1+deb12u1" "$release"; do
    dpkg --compare-versions "$v" ge "$release" && dpkg --compare-versions "$v" lt "$next" || ok=1
done
for v in "${release%.*}.$(( ${release##*.} + 1 ))-1" "${release%.*}.$(( ${release##*.} - 1 ))-1" 9.9.9-1; do
    dpkg --compare-versions "$v" ge "$release" && dpkg --compare-versions "$v" lt "$next" && ok=1
done
check "Depends admits every Debian revision of $release and no other release" $ok "versions"

# a temporary dpkg root: stand-in opensips and libc6 packages, then ours
root="$tmp/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_root() { # chrootless: the maintainer scripts run here with DPKG_ROOT set
    local force=--force-script-chrootless
    [ "$(id -u)" -eq 0 ] || force="$force,not-root"
    dpkg --root="$root" "$force" --log=/dev/null "$@" 2>&1
}
stand_in_pkg() { # name version, [server version, flags, C module text]: a .deb in $tmp
    local d="$tmp/pkg-$1-$2"
    mkdir -p "$d/DEBIAN"
    printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: test <t@localhost>\nDescription: stand-in\n' \
        "$1" "$2" >"$d/DEBIAN/control"
    if [ $# -gt 2 ]; then
        stand_in_server "$d/usr/sbin/opensips" "$3" "$4"
        mkdir -p "$d$moddir"
        printf '%s\n' "$5" >"$d$moddir/sst.so"
        touch "$d$moddir/dialog.so"
    fi
    dpkg-deb --root-owner-group --build "$d" "$tmp/$1_$2.deb" >/dev/null && echo "$tmp/$1_$2.deb"
}
installed() { dpkg-query --admindir="$root/var/lib/dpkg" -W -f '${Status}' "$1" 2>/dev/null; }
c1=$(stand_in_pkg opensips "$release-1" "$version" "$flags" "C sst.so from opensips $release-1")
c2=$(stand_in_pkg opensips "$release-2" "$version" "$flags" "C sst.so from opensips $release-2")
bad_v=$(stand_in_pkg opensips "$next-1" "opensips ${next%\~} (x86_64/linux)" "$flags" "C sst.so, next")
bad_f=$(stand_in_pkg opensips "$release-3" "$version" "STATS: Off" "C sst.so, other flags")
out=$(dpkg_root -i "$(stand_in_pkg libc6 9.99-1)" "$c1"); rc=$?
check "dpkg --root: stand-in libc6 and opensips $release-1 install" $rc "$out"
M="$root$moddir"
out=$(dpkg_root -i "$debfile"); rc=$?
divs=$(dpkg-divert --root="$root" --list 2>&1)
[ $rc -eq 0 ] && cmp -s "$M/sst.so" "$tmp/x$moddir/sst.so" \
    && grep -q "^C sst.so from opensips $release-1$" "$M/sst.so.c-module" \
    && [ "$divs" = "diversion of $moddir/sst.so to $moddir/sst.so.c-module by opensips-sst-rs" ]
check "dpkg -i: our sst.so in place, the C module diverted to sst.so.c-module" $? "rc=$rc: $out | $divs"
out=$(dpkg_root -i "$c2"); rc=$?
[ $rc -eq 0 ] && cmp -s "$M/sst.so" "$tmp/x$moddir/sst.so" \
    && grep -q "^C sst.so from opensips $release-2$" "$M/sst.so.c-module"
check "an opensips upgrade writes its C module to sst.so.c-module, ours stays" $? "rc=$rc: $out"
out=$(dpkg_root -r opensips-sst-rs); rc=$?
divs=$(dpkg-divert --root="$root" --list 2>&1)
[ $rc -eq 0 ] && grep -q "^C sst.so from opensips $release-2$" "$M/sst.so" \
    && [ ! -e "$M/sst.so.c-module" ] && [ -z "$divs" ]
check "dpkg -r: the C module is back as sst.so, no diversion left" $? "rc=$rc: $out | $divs"
out=$(dpkg_root -i "$debfile"); rc=$?
out2=$(dpkg_root --purge opensips-sst-rs); rc2=$?
[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && grep -q "^C sst.so from opensips $release-2$" "$M/sst.so" \
    && [ -z "$(dpkg-divert --root="$root" --list)" ]
check "install again and purge: the C module is back" $? "rc=$rc/$rc2: $out $out2"

for bad in "$bad_v" "$bad_f"; do
    dpkg_root -i "$bad" >/dev/null
    orig=$(sha256sum <"$M/sst.so")
    out=$(dpkg_root -i "$debfile"); rc=$?
    [ $rc -ne 0 ] && grep -q "would refuse to load the module" <<<"$out" && ! grep -q "No diversion" <<<"$out" \
        && [ "$(sha256sum <"$M/sst.so")" = "$orig" ] && [ -z "$(dpkg-divert --root="$root" --list)" ] \
        && [ "$(installed opensips-sst-rs)" != "install ok installed" ]
    check "preinst refuses a server of another $( [ "$bad" = "$bad_v" ] && echo release || echo 'build (flags)'), diverts nothing" $? "rc=$rc: $out"
done

# ---- 4. make rpm
pkgdir="$tmp/rpm"
make_package rpm "$pkgdir"
rpmfile=$pkgfile
# rpm and rpmbuild outside the root: a throwaway database, not Debian's ~/.rpmdb
rpmq() { rpm -qp --dbpath="$tmp/rpmdb" "$@" "$rpmfile" 2>/dev/null; }
rmoddir=/usr/lib64/opensips/sst-rs
list=$(rpmq --qf '[%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILENAMES}\n]')
want="drwxr-xr-x root/root $rmoddir
-rw-r--r-- root/root $rmoddir/sst.so
drwxr-xr-x root/root /usr/share/doc/opensips-sst-rs
-rw-r--r-- root/root /usr/share/doc/opensips-sst-rs/README.md"
[ "$list" = "$want" ]
check "package contents: the module in $rmoddir (0644, root), README" $? "$list"
desc=$(rpmq --qf '%{DESCRIPTION}')
grep -qxF "X-OpenSIPS-Version: $version" <<<"$desc" && grep -qxF "X-OpenSIPS-Flags: $flags" <<<"$desc" \
    && rpmq --requires | grep -qxF "opensips = $release" && ! rpmq --requires | grep -q "^opensips.*-" \
    && [ "$(rpmq --qf '%{NAME} %{VERSION} %{RELEASE}')" = "opensips-sst-rs $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1) 1.opensips$release" ]
check "header: exact version and flags, Requires opensips = $release (any release suffix)" $? "$(rpmq --requires | grep opensips)"

# A temporary RPM root. rpm runs the scriptlets chrooted there, so a
# stand-in base package brings /usr/share/doc, /bin/sh, sed and grep (copies of ours, with
# their libraries) and provides the libraries the module needs.
rroot="$tmp/rpmroot"
rpm_root() { # rpm on $rroot; Debian's rpm warns that it is not dpkg: dropped
    local o rc
    o=$(rpm --root="$rroot" --dbpath=/var/lib/rpm "$@" 2>&1); rc=$?
    grep -v -e 'should not be used directly' -e 'assuming you know what you are doing' <<<"$o"
    return $rc
}
rpm_stand_in() { # name version release files-folder [Provides...]: an .rpm in $tmp/rpms
    local name=$1 ver=$2 rel=$3 dir=$4 spec="$tmp/$1-$2-$3.spec"; shift 4
    {
        printf '%%global __os_install_post %%{nil}\n%%global _build_id_links none\n'
        printf 'Name: %s\nVersion: %s\nRelease: %s\nSummary: stand-in\nLicense: none\nAutoReqProv: no\n' \
            "$name" "$ver" "$rel"
        for p in "$@"; do printf 'Provides: %s\n' "$p"; done
        printf '%%description\nstand-in\n%%install\ncp -a %s/. %%{buildroot}/\n%%files\n' "$dir"
        (cd "$dir" && find . -mindepth 1 \( -type d -printf '%%dir /%P\n' \) -o -printf '/%P\n')
    } >"$spec"
    rpmbuild --quiet -bb --define "_topdir $tmp/rpmbuild" --define "_rpmdir $tmp/rpms" --dbpath "$tmp/rpmdb" \
        --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" "$spec" >/dev/null &&
        echo "$tmp/rpms/$name-$ver-$rel.$(rpm --dbpath="$tmp/rpmdb" --eval '%{_arch}').rpm"
}
osips_stand_in() { # release, server version, flags, C module text: an opensips .rpm
    local d="$tmp/files-opensips-$1"
    stand_in_server "$d/usr/sbin/opensips" "$2" "$3"
    mkdir -p "$d/usr/lib64/opensips/modules" "$d/etc/opensips"
    printf '%s\n' "$4" >"$d/usr/lib64/opensips/modules/sst.so"
    touch "$d/usr/lib64/opensips/modules/dialog.so"
    rpm_stand_in opensips "${1%%-*}" "${1#*-}" "$d"
}
b="$tmp/files-base"
mkdir -p "$b/usr/share/doc"
for t in sh sed grep; do
    bin=$(readlink -f "$(command -v "$t")")
    install -D "$bin" "$b/bin/$t"
    for lib in $(ldd "$bin" | awk '/=>/ {print $3} /^[[:space:]]*\// {print $1}'); do
        [ -e "$b$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$b$lib"
    done
done
mapfile -t needs < <(rpmq --requires | grep -v -e '^rpmlib(' -e '^/' -e '^opensips' | sort -u)
base=$(rpm_stand_in stand-in-base 1 1 "$b" "${needs[@]}")
r1=$(osips_stand_in "$release-1.el9" "$version" "$flags" "C sst.so from opensips $release-1.el9")
r2=$(osips_stand_in "$release-2.el9" "$version" "$flags" "C sst.so from opensips $release-2.el9")
bad_f=$(osips_stand_in "$release-3.el9" "$version" "STATS: Off" "C sst.so, other flags")
bad_v=$(osips_stand_in "${next%\~}-1.el9" "opensips ${next%\~} (x86_64/linux)" "$flags" "C sst.so, next")
ours2=$(RPM_RELEASE=2 ./scripts/make-rpm.sh "$so" "$pkgdir" 2>&1)
out=$(rpm_root -i "$base" "$r1"); rc=$?
check "rpm --root: stand-in base system and opensips $release-1.el9 install" $rc "$out"

R="$rroot/usr/lib64/opensips"
cfg="$rroot/etc/opensips/opensips.cfg"
printf 'mpath = "/usr/lib64/opensips/modules/"\nloadmodule "dialog.so"\nloadmodule "sst.so"\n' >"$cfg"
use_ours() { sed -i "s|^loadmodule \"sst.so\"|loadmodule \"$rmoddir/sst.so\"|" "$cfg"; }
use_c() { sed -i "s|^loadmodule \"$rmoddir/sst.so\"|loadmodule \"sst.so\"|" "$cfg"; }
snapshot() { # every file and folder of the root but rpm's database, with modes and contents
    (cd "$rroot" && find . -path ./var -prune -o -printf '%p %y %m %U\n' | sort &&
        find . -path ./var -prune -o -type f -exec sha256sum {} + | sort)
}
verified() { # rpm -V of both packages finds nothing changed
    local v
    v=$(rpm_root -V opensips opensips-sst-rs 2>&1) && [ -z "$v" ]
}
before=$(snapshot)
out=$(rpm_root -i "$rpmfile"); rc=$?
[ $rc -eq 0 ] && [ "$(stat -c %a "$R/sst-rs/sst.so")" = 644 ] \
    && ! readelf -S "$R/sst-rs/sst.so" | grep -q '\.debug_info' && grep -aq sst-rs "$R/sst-rs/sst.so" \
    && grep -q "^C sst.so from opensips $release-1.el9$" "$R/modules/sst.so" && verified \
    && grep -qF "its config says  loadmodule \"$rmoddir/sst.so\"" <<<"$out"
check "rpm -i: sst-rs in $rmoddir (stripped), opensips's sst.so untouched, rpm -V clean, %post names the config line" $? "rc=$rc: $out"
out=$(rpm_root -e opensips-sst-rs); rc=$?
[ $rc -eq 0 ] && [ "$(snapshot)" = "$before" ]
check "rpm -e: the root is exactly as before the install" $? "rc=$rc: $out $(diff <(echo "$before") <(snapshot))"

rpm_root -i "$rpmfile" >/dev/null
use_ours
out=$(rpm_root -U "$r2"); rc=$?
[ $rc -eq 0 ] && grep -aq sst-rs "$R/sst-rs/sst.so" \
    && grep -q "^C sst.so from opensips $release-2.el9$" "$R/modules/sst.so" && verified
check "an opensips update ($release-2.el9) leaves sst-rs as it is, rpm -V clean" $? "rc=$rc: $out"
out=$(rpm_root -i --reinstall "$r2"); rc=$?
[ $rc -eq 0 ] && grep -aq sst-rs "$R/sst-rs/sst.so" && verified
check "a reinstall of opensips leaves sst-rs as it is" $? "rc=$rc: $out"
out=$(rpm_root -U "$ours2"); rc=$?
[ $rc -eq 0 ] && [ "$(rpm_root -q opensips-sst-rs)" = "$(basename "$ours2" .rpm)" ] \
    && grep -aq sst-rs "$R/sst-rs/sst.so" && verified
check "rpm -U to a newer opensips-sst-rs while the config loads it" $? "rc=$rc: $out"
out=$(rpm_root -e opensips-sst-rs); rc=$?
[ $rc -ne 0 ] && grep -q "/etc/opensips/opensips.cfg loads $rmoddir/sst.so" <<<"$out" \
    && rpm_root -q opensips-sst-rs >/dev/null && grep -aq sst-rs "$R/sst-rs/sst.so"
check "rpm -e refuses while the config loads sst-rs (the server would not start), removes nothing" $? "rc=$rc: $out"
use_c
out=$(rpm_root -e opensips-sst-rs); rc=$?
[ $rc -eq 0 ] && [ ! -e "$R/sst-rs" ] && ! rpm_root -q opensips-sst-rs >/dev/null \
    && grep -q "^C sst.so from opensips $release-2.el9$" "$R/modules/sst.so" \
    && rpm_root -V opensips >/dev/null
check "config back on the C module, rpm -e: the C module of the update, nothing of sst-rs left" $? "rc=$rc: $out"

c_module=$(sha256sum <"$R/modules/sst.so")
out=$(rpm_root -U "$bad_v" && rpm_root -i "$rpmfile"); rc=$?
[ $rc -ne 0 ] && grep -q "opensips = $release is needed by opensips-sst-rs" <<<"$out" \
    && [ ! -e "$R/sst-rs" ]
check "Requires refuses opensips ${next%\~}" $? "rc=$rc: $out"
for bad in "$bad_v" "$bad_f"; do
    rpm_root -U --oldpackage "$bad" >/dev/null
    c_module=$(sha256sum <"$R/modules/sst.so")
    out=$(rpm_root -i --nodeps "$rpmfile"); rc=$?
    [ $rc -ne 0 ] && grep -q "would refuse to load the module" <<<"$out" && [ ! -e "$R/sst-rs" ] \
        && ! rpm_root -q opensips-sst-rs >/dev/null && [ "$(sha256sum <"$R/modules/sst.so")" = "$c_module" ]
    check "%pre refuses a server of another $( [ "$bad" = "$bad_v" ] && echo release || echo 'build (flags)'), installs nothing" $? "rc=$rc: $out"
done
rpm_root -U --oldpackage "$r2" >/dev/null && rpm_root -i "$rpmfile" >/dev/null
use_ours
out=$(rpm_root -U "$bad_f"); rc=$?
[ $rc -eq 0 ] && grep -q "WARNING: /etc/opensips/opensips.cfg loads $rmoddir/sst.so: opensips will refuse to start" <<<"$out"
check "an opensips update with other flags: %triggerin warns that the config's module will not load" $? "rc=$rc: $out"

# ---- 5. the README shows the configs the real-server suite checks, verbatim
for cfg in opensips-tests/cfg/readme-*.cfg; do
    name=$(basename "$cfg")
    awk -v mark="<!-- $name -->" '$0 == mark {on=1; next} on && /^```/ {if (seen) exit; seen=1; next} on && seen' \
        README.md >"$tmp/$name"
    cmp -s "$tmp/$name" "$cfg"
    check "the README shows $cfg verbatim" $? "$(diff "$tmp/$name" "$cfg" | head -5)"
done

echo "install-checks: $pass passed, $fail failed"
[ $fail -eq 0 ]
