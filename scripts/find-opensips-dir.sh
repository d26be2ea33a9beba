#!/usr/bin/env bash
# Finds an installed OpenSIPS server's folders the way the server itself does,
# for `make install` (MODULES_DIR overrides it) and the real-server runner
# (OPENSIPS_MODULES / OPENSIPS_DBTEXT override it):
#
#   find-opensips-dir.sh modules /path/to/sbin/opensips   -> the modules folder
#   find-opensips-dir.sh dbtext  /path/to/sbin/opensips   -> the db_text table folder
#
# Prints the folder and exits 0, or lists every place it tried on stderr and
# exits 1. The binary's prefix is <prefix>/sbin/opensips. A prefix ending in
# /usr is a packaged layout, possibly under a staging root (/opt/root/usr):
# then absolute paths the server carries (its default config's path, the
# config's mpath) are tried under that root first, then as they are.
#
# Modules folder, in the server's order: the `mpath` of the installed config
# (the default config path compiled into the binary, else
# <prefix>/etc/opensips/opensips.cfg, or <root>/etc/opensips/opensips.cfg for
# a /usr prefix), then
# <prefix>/lib64/opensips/modules, <prefix>/lib/opensips/modules and
# <prefix>/lib/<multiarch triplet>/opensips/modules. A modules folder is one
# that holds dialog.so (the sst module needs it).
# db_text tables: <prefix>/share/opensips/dbtext/opensips, and the share/
# folder beside the modules folder's lib/; a table folder holds `dialog` and
# `version`.
set -uo pipefail

what="${1:-}" bin="${2:-}"
case "$what" in modules|dbtext) ;; *)
    echo "usage: $0 modules|dbtext /path/to/sbin/opensips" >&2; exit 2 ;;
esac
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "$bin: not an OpenSIPS binary (no such executable)" >&2
    exit 1
fi

real=$(readlink -f "$bin")
prefix=$(dirname "$(dirname "$real")")
root=""                      # staging root of a /usr layout ("" for /usr itself)
staged=0
case "$prefix" in */usr) root="${prefix%/usr}"; staged=1 ;; esac

triplet=$(gcc -print-multiarch 2>/dev/null || true)
[ -n "$triplet" ] || triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || true)

tried=()
# candidates are "folder<TAB>where it comes from", one a line
absolute() { # an absolute path the server carries ($1), and why ($2): under the staging root first
    [ "$staged" = 1 ] && [ -n "$root" ] && printf '%s\t%s, under the staging root %s\n' "$root$1" "$2" "$root"
    printf '%s\t%s\n' "$1" "$2"
}
config_files() { # the default config compiled into the binary, then the usual places
    # (a staged server's config is the one under its root, not the host's)
    grep -aoE '/[[:alnum:]_.+/-]*/opensips\.cfg' "$real" 2>/dev/null | sort -u |
        while read -r c; do echo "$root$c"; done
    echo "$prefix/etc/opensips/opensips.cfg"
    [ "$staged" = 1 ] && echo "$root/etc/opensips/opensips.cfg"
}
config_mpath() { # mpath="..." of the installed config, comments ignored
    local cfg
    config_files | while read -r cfg; do
        [ -f "$cfg" ] || continue
        sed -n 's/#.*//; s/^[[:space:]]*mpath[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$cfg" |
            tail -n 1 | while read -r m; do
                case "$m" in
                    /*) absolute "$m" "mpath in $cfg" ;;
                    *) printf '%s\t%s\n' "$(dirname "$cfg")/$m" "mpath in $cfg" ;;
                esac
            done
    done
}
module_candidates() {
    config_mpath
    local d
    printf '%s\t%s\n' "$prefix/lib64/opensips/modules" "prefix $prefix" \
        "$prefix/lib/opensips/modules" "prefix $prefix"
    if [ -n "$triplet" ]; then
        printf '%s\t%s\n' "$prefix/lib/$triplet/opensips/modules" "prefix $prefix, multiarch $triplet"
    else # no compiler or dpkg to name the triplet: any multiarch folder
        for d in "$prefix"/lib/*-*-*/opensips/modules; do
            printf '%s\t%s\n' "$d" "prefix $prefix, a multiarch folder"
        done
    fi
}
dbtext_candidates() {
    printf '%s\t%s\n' "$prefix/share/opensips/dbtext/opensips" "prefix $prefix"
    local m why
    # <x>/lib[64][/<triplet>]/opensips/modules -> <x>/share/opensips/dbtext/opensips
    module_candidates | while IFS=$'\t' read -r m why; do
        [ -e "$m/dialog.so" ] || continue
        m=${m%/}; m=${m%/opensips/modules}
        m=${m%/lib*}
        printf '%s\t%s\n' "$m/share/opensips/dbtext/opensips" "beside the modules folder $m/lib..."
    done
}

if [ "$what" = modules ]; then
    cands=$(module_candidates); need="dialog.so"
else
    cands=$(dbtext_candidates); need="dialog version"
fi
seen=" "
while IFS=$'\t' read -r d why; do
    [ -n "$d" ] || continue
    d=${d%/}
    case "$seen" in *" $d "*) continue ;; esac
    seen="$seen$d "
    tried+=("$d  ($why)")
    ok=1
    for f in $need; do [ -e "$d/$f" ] || ok=0; done
    if [ $ok = 1 ]; then echo "$d"; exit 0; fi
done <<<"$cands"

if [ "$what" = modules ]; then
    echo "no OpenSIPS modules folder (one holding dialog.so) found for $bin; tried:" >&2
else
    echo "no db_text table folder (one holding dialog and version) found for $bin; tried:" >&2
fi
printf '  %s\n' "${tried[@]}" >&2
exit 1
