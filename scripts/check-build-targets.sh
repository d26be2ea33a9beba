#!/usr/bin/env bash
# Checks how the build treats target servers (README: Build and install):
# an unknown minor release fails with one sentence, an unmeasured patch of a
# known minor builds with a warning, a server's `-V` output is what the
# module is stamped with, and a server that cannot run is reported.
set -uo pipefail
cd "$(dirname "$0")/.."
tdir=target/build-checks
pass=0 fail=0
check() { # name, condition-result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok - $1"; pass=$((pass + 1));
    else echo "FAIL - $1: $3"; fail=$((fail + 1)); fi
}
build() { cargo build --release --target-dir "$tdir" 2>&1; }

out=$(SST_OSIPS_VERSION=3.5.2 build); rc=$?
[ $rc -ne 0 ] && grep -q "OpenSIPS 3.5.2 (from SST_OSIPS_VERSION) is not supported: sst-rs builds for OpenSIPS 3.4.18, 3.6.8, 4.0.1 only." <<<"$out"
check "unknown minor 3.5 fails with one sentence" $? "rc=$rc: $(grep -m1 error <<<"$out")"

out=$(SST_OSIPS_VERSION=3.6.9 build); rc=$?
[ $rc -eq 0 ] && grep -q "building for OpenSIPS 3.6.9 with the measured layout of 3.6.8" <<<"$out"
check "unmeasured patch 3.6.9 builds with a warning" $? "rc=$rc"
grep -aq "opensips 3.6.9 (x86_64/linux)" "$tdir/release/libsst.so"
check "module stamped with the 3.6.9 version string" $? "version string not in the module"

fake=$(mktemp -d)/opensips
cat >"$fake" <<'FAKE'
#!/bin/sh
echo "version: opensips 4.0.1 (x86_64/linux)"
echo "flags: STATS: On, PKG_MALLOC, F_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT"
echo "git revision: 0123abc"
FAKE
chmod +x "$fake"
out=$(OPENSIPS=$fake build); rc=$?
[ $rc -eq 0 ] && grep -aq "STATS: On, PKG_MALLOC, F_MALLOC, DBG_MALLOC, FAST_LOCK-ADAPTIVE_WAIT" "$tdir/release/libsst.so" \
  && grep -q "opensips 4.0.1 (x86_64/linux) \[git\]" <<<"$out"
check "OPENSIPS=... -V: version, flags and SCM type taken from the server" $? "rc=$rc"

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
