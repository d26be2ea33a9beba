#!/usr/bin/env bash
# Checks how the build treats target servers (README: Build and install):
# a release without layout facts fails with one sentence, each release
# builds with its own range's layout, a server's `-V` output (revision
# included) is what the module is stamped with, and a server that cannot
# run is reported.
set -uo pipefail
cd "$(dirname "$0")/.."
tdir=target/build-checks
pass=0 fail=0
check() { # name, condition-result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok - $1"; pass=$((pass + 1));
    else echo "FAIL - $1: $3"; fail=$((fail + 1)); fi
}
# a dev build: the checks read what the build script decided and the strings
# it stamped, which do not depend on optimisation
build() { cargo build --target-dir "$tdir" 2>&1; }

# Releases without layout facts are refused with one sentence that names
# what is supported and how to add a release: another series, an
# unreleased patch, a development version.
for v in 3.3.12 3.5.2 3.6.9 4.1.0-dev; do
    out=$(SST_OSIPS_VERSION=$v build); rc=$?
    [ $rc -ne 0 ] && grep -q "error: OpenSIPS $v (from SST_OSIPS_VERSION) is not supported: sst-rs builds for OpenSIPS 3.4.0–3.4.[0-9]*, 3.6.0–3.6.[0-9]* and 4.0.0–4.0.[0-9]*; to add a release, probe its tag with \`abi/regen.py /path/to/opensips.git\`" <<<"$out"
    check "$v is refused with one sentence" $? "rc=$rc: $(grep -m1 error <<<"$out")"
done

# Each release builds with its own range's layout: 3.4.6 predates
# dlg_cb_params.dst_leg (3.4.7), so is_active sits 4 bytes earlier.
out=$(SST_OSIPS_VERSION=3.4.6 build); rc=$?
[ $rc -eq 0 ] && grep -q "layout of 3.4.1-3.4.6.txt" <<<"$out" &&
    grep -aq "opensips 3.4.6 (x86_64/linux)" "$tdir/debug/libsst.so"
check "3.4.6 builds with the 3.4.1-3.4.6 layout, stamped 3.4.6" $? "rc=$rc: $(grep -m1 -E 'error|layout of' <<<"$out")"

fake=$(mktemp -d)/opensips
cat >"$fake" <<'FAKE'
#!/bin/sh
echo "version: opensips 4.0.1 (x86_64/linux)"
echo "flags: STATS: On, PKG_MALLOC, F_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT"
echo "git revision: 0123abc"
FAKE
chmod +x "$fake"
out=$(OPENSIPS=$fake build); rc=$?
[ $rc -eq 0 ] && grep -aq "STATS: On, PKG_MALLOC, F_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT" "$tdir/debug/libsst.so" \
  && grep -q "opensips 4.0.1 (x86_64/linux) \[git revision 0123abc\]" <<<"$out" \
  && grep -aq "0123abc" "$tdir/debug/libsst.so"
check "OPENSIPS=... -V: version, flags, SCM type and revision taken from the server" $? "rc=$rc"

sed -i 's/DBG_MALLOC, //' "$fake"
out=$(OPENSIPS=$fake build); rc=$?
[ $rc -ne 0 ] && grep -q "built without \`DBG_MALLOC\`" <<<"$out"
check "a server without DBG_MALLOC is refused" $? "rc=$rc"

out=$(OPENSIPS=/nonexistent/opensips build); rc=$?
[ $rc -ne 0 ] && grep -q "cannot run \`/nonexistent/opensips -V\`" <<<"$out"
check "a server binary that cannot run is reported" $? "rc=$rc"

rm -rf "$(dirname "$fake")"
echo "build-checks: $pass passed, $fail failed"
[ $fail -eq 0 ]
