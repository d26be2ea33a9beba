# Sourced by make-deb.sh and make-rpm.sh (from the top of the tree): what
# both packages need to know about the module they package.
#
#   package_target deb|rpm path/to/sst.so "where the tools come from" tool...
#       fails, saying why, when the module is missing, a tool is missing or
#       (OPENSIPS=... given) the module is not built for that server; sets
#       release (3.6.8), full_version (opensips 3.6.8 (x86_64/linux)),
#       flags (the compile-flags string) and ours (sst-rs's version)
#   server_check_sh package /path/to/opensips-expression
#       prints the shell function server_matches for a maintainer script:
#       does that server's -V print the module's version and flags (the
#       loader refuses the module otherwise)? It says why not on stderr, and
#       passes when the server is not installed (the dependency pins the
#       release). Uses $full_version and $flags.

package_target() {
    local kind=$1 so=$2 from=$3 tool why
    shift 3
    [ -f "$so" ] || { echo "sst-rs: nothing to package: $so is missing. Build it first: make OPENSIPS=/usr/sbin/opensips" >&2; exit 1; }
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "sst-rs: make $kind needs $tool ($from)" >&2; exit 1; }
    done
    # OPENSIPS= given to make deb/rpm: the module must be for that server
    if [ -n "${OPENSIPS:-}" ]; then
        why=$(./scripts/module-target.sh "$so" --check "$OPENSIPS" 2>&1) || { echo "sst-rs: $why" >&2; exit 1; }
    fi
    release=$(./scripts/module-target.sh "$so")
    full_version=$(./scripts/module-target.sh "$so" --version)
    flags=$(./scripts/module-target.sh "$so" --flags)
    ours=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
}

server_check_sh() {
    cat <<EOF
built_version='$full_version'
built_flags='$flags'
server_matches() {
    bin="$2"
    [ -x "\$bin" ] || return 0   # not installed yet: the dependency pins the release
    v=\$("\$bin" -V 2>&1 | sed -n 's/^version: //p')
    f=\$("\$bin" -V 2>&1 | sed -n 's/^flags: //p')
    [ "\$v" = "\$built_version" ] && [ "\$f" = "\$built_flags" ] && return 0
    echo "$1: this sst.so is built for \$built_version, flags \$built_flags;" >&2
    echo "$1: /usr/sbin/opensips is \$v, flags \$f: it would refuse to load the module." >&2
    return 1
}
EOF
}
