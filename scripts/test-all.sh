#!/usr/bin/env bash
# `make test` and its parts: runs each test layer, keeps the chatter (cargo's
# compile lines and warnings, libFuzzer's replay output) in build/test-logs/,
# prints one line per layer as it ends (and the failures), then a summary
# table and a closing line:
#
#   make-test: N passed, N failed, N skipped
#
# Exits non-zero when any layer failed.
#
#   test-all.sh [layer ...]     (default: every layer, in this order)
#
# Layers: unit (unit + layout tests, once per target release), bench (the
# micro-benchmarks, quick mode), fuzz (fuzz targets replay their seed
# corpus), build-checks, harness (host harness, once per target release),
# install-checks, real-server (test servers built from the release archives
# in ../shared/opensips/ or OPENSIPS_SRC, each header-probed and given the
# real-server suite; OPENSIPS=/path/to/sbin/opensips tests that server
# instead; with none of these it is listed as skipped with the reason).
# VERSIONS: the target releases (default: every supported one).
set -uo pipefail
cd "$(dirname "$0")/.."
CARGO="${CARGO:-cargo}"
VERSIONS="${VERSIONS:-3.4.18 3.6.8 4.0.1}"
logs=build/test-logs
mkdir -p "$logs"
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=(unit bench fuzz build-checks harness install-checks real-server)

rows=() any_fail=0 tp=0 tf=0 ts=0
# one finished layer: name passed failed skipped rc note
row() {
    local name=$1 p=$2 f=$3 s=$4 rc=$5 note=$6
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1   # a layer that failed without counting it
    [ "$f" -ne 0 ] && any_fail=1
    tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
    rows+=("$name|$p|$f|$s|$note")
    local word=ok
    [ "$f" -ne 0 ] && word=FAIL
    [ "$f" -eq 0 ] && [ "$p" -eq 0 ] && [ "$s" -ne 0 ] && word=skipped
    printf '%-8s %s: %d passed, %d failed, %d skipped%s\n' "$word" "$name" "$p" "$f" "$s" \
        "${note:+ — $note}"
}
# the last "<name>: N passed, N failed[, N skipped]" line of a log
counts() { # log prefix -> "p f s" (0 0 0 when absent)
    local l
    l=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -n 1)
    [ -n "$l" ] || { echo "0 0 0"; return; }
    sed -E 's/^[^:]*: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?.*/\1 \2 \4/' <<<"$l" |
        awk '{print $1, $2, ($3 == "" ? 0 : $3)}'
}
warnings() { # cargo warnings in a log (build-script notes excluded)
    local n
    n=$(grep -E '^warning' "$1" | grep -vc 'warning: sst@' || true)
    [ "$n" -eq 0 ] || echo "$n cargo warning(s), "
}
show_failures() { # the lines of a log that say what failed
    grep -E "^(FAIL|not ok)|^test .* FAILED|panicked|^error(\[|:)|==[0-9]+== ERROR|^SUMMARY|deadly signal|^  (size|offset|const|symbol)\.|differs from|disagrees|^abi/probe.py:" "$1" \
        | head -n 20 | sed 's/^/    | /'
}

layer_unit() {
    local v log rc p f s
    for v in $VERSIONS; do
        log="$logs/unit-$v.log"
        SST_OSIPS_VERSION=$v $CARGO test --release --target-dir "target/v$v" >"$log" 2>&1; rc=$?
        # the one ignored test is the header probe: it runs with the test
        # servers (real-server layer), so it is no skip here
        read -r p f s < <(grep -E '^test result:' "$log" | sed -E \
            's/.* ([0-9]+) passed; ([0-9]+) failed; ([0-9]+) ignored.*/\1 \2 \3/' |
            awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
        [ $rc -eq 0 ] || show_failures "$log"
        [ "$s" -eq 1 ] && grep -q "header_probe_of_the_real_tree_agrees ... ignored" "$log" && s=0
        row "unit+layout $v" "$p" "$f" "$s" $rc "$(warnings "$log")log $log"
    done
}

layer_bench() {
    local log=$logs/bench.log rc p
    $CARGO test --release --target-dir target/v3.6.8 --bench parse_and_decide >"$log" 2>&1; rc=$?
    p=$(grep -c '^Success' "$log" || true)
    [ $rc -eq 0 ] || show_failures "$log"
    row "micro-bench (quick: each benchmark once)" "$p" 0 0 $rc "log $log"
}

layer_fuzz() {
    local log=$logs/fuzz.log rc t p=0 f=0 runs=0 n
    $CARGO build --manifest-path fuzz/Cargo.toml --bins >"$log" 2>&1; rc=$?
    if [ $rc -ne 0 ]; then
        show_failures "$log"
        row "fuzz seeds (targets)" 0 1 0 $rc "the fuzz targets did not build; log $log"
        return
    fi
    mkdir -p fuzz/artifacts
    for t in session_expires gather_and_policy state_record script_values; do
        echo "== $t" >>"$log"
        if fuzz/target/debug/$t -runs=0 -artifact_prefix=fuzz/artifacts/ "fuzz/corpus/$t" >>"$log" 2>&1; then
            p=$((p + 1))
        else
            f=$((f + 1)); echo "    | $t crashed on a seed (fuzz/artifacts/)"
        fi
        n=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 | awk '{print $2}')
        runs=$((runs + ${n:-0}))
    done
    row "fuzz seeds (targets)" $p $f 0 0 "$runs seed inputs replayed; $(warnings "$log")log $log"
}

layer_build_checks() {
    local log=$logs/libclang-search.log rc p f s
    ./scripts/check-libclang-search.sh >"$log" 2>&1; rc=$?
    read -r p f s < <(counts "$log" libclang-search)
    show_failures "$log"
    row "libclang search (stand-in folders)" "$p" "$f" "$s" $rc "log $log"
    log=$logs/build-checks.log
    ./scripts/check-build-targets.sh >"$log" 2>&1; rc=$?
    read -r p f s < <(counts "$log" build-checks)
    show_failures "$log"
    row "build-checks" "$p" "$f" "$s" $rc "log $log"
}

# The build script's output folder for the module built in target folder $1
# (cargo names it): abi_cflags there holds the defines bindgen was given.
build_out_dir() {
    $CARGO build --release --target-dir "$1" --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "build-script-executed" and m["package_id"].split("#")[-1].startswith("sst@"):
        print(m["out_dir"])'
}

layer_harness() {
    local v log rc out p f s
    for v in $VERSIONS; do
        log="$logs/harness-$v.log"
        {
            SST_OSIPS_VERSION=$v $CARGO build --release --target-dir "target/v$v" &&
            out=$(SST_OSIPS_VERSION=$v build_out_dir "target/v$v") && [ -f "$out/abi_cflags" ] &&
            # the harness includes our header too: with the same layout defines
            cc -O1 -g -Wall -rdynamic $(cat "$out/abi_cflags") -Iinclude \
                opensips-tests/harness/*.c -ldl -o "build/sst-host-$v" &&
            "./build/sst-host-$v" "target/v$v/release/libsst.so"
        } >"$log" 2>&1; rc=$?
        read -r p f s < <(counts "$log" harness)
        show_failures "$log"
        row "harness $v" "$p" "$f" "$s" $rc "$(warnings "$log")log $log"
    done
}

layer_install_checks() {
    local log=$logs/install-checks.log rc p f s
    {
        SST_OSIPS_VERSION=3.6.8 $CARGO build --release --target-dir target/v3.6.8 &&
        ./scripts/check-install.sh target/v3.6.8/release/libsst.so
    } >"$log" 2>&1; rc=$?
    read -r p f s < <(counts "$log" install-checks)
    show_failures "$log"
    row "install-checks (folders, install, deb/rpm)" "$p" "$f" "$s" $rc "log $log"
}

# The servers the real-server layer runs against: OPENSIPS (an installed
# server) when given; else one test server built from each source in
# OPENSIPS_SRC (archives or folders, space-separated), by default the
# release archives in ../shared/opensips/.
server_sources() {
    if [ -n "${OPENSIPS_SRC:-}" ]; then
        printf '%s\n' $OPENSIPS_SRC
    else
        ls ../shared/opensips/opensips-*.tar.gz 2>/dev/null | sort -V
    fi
}

# The header probe of one test server's source tree: abi/probe.py prints
# what its own headers say, and the layout test compares that with what
# bindgen made of include/sst_abi.h and with the release's fact file.
header_probe() { # release, source tree
    local v=$1 tree=$2 log="$logs/header-probe-$1.log" facts="$logs/probe-$1.txt" rc p f s
    {
        python3 abi/probe.py "$tree" >"$facts" &&
        SST_ABI_PROBE="$PWD/$facts" SST_OSIPS_VERSION=$v $CARGO test --release \
            --target-dir "target/v$v" --lib -- --ignored header_probe
    } >"$log" 2>&1; rc=$?
    read -r p f s < <(grep -E '^test result:' "$log" | sed -E \
        's/.* ([0-9]+) passed; ([0-9]+) failed; ([0-9]+) ignored.*/\1 \2 0/' | tail -n 1)
    [ $rc -eq 0 ] || show_failures "$log"
    row "header probe $v" "${p:-0}" "${f:-0}" 0 $rc "$(wc -l <"$facts") facts; log $log"
}

# one suite's result row, once it has ended
suite_row() { # release, log, rc
    local p f s why
    read -r p f s < <(counts "$2" real-server)
    why=$(sed -n 's/^skipped: //p' "$2" | tail -n 1)
    [ "$3" -eq 0 ] || grep -E "^FAIL" "$2" | head -n 20 | sed 's/^/    | /'
    row "real-server $1" "$p" "$f" "$s" "$3" "${why:+skipped: $why; }log $2"
}

layer_real_server() {
    local log src bin v tree pids=() vs=() i rc
    if ! ./scripts/install-deps.sh --test >"$logs/real-server-deps.log" 2>&1; then
        show_failures "$logs/real-server-deps.log"
        row "real-server" 0 1 0 1 "could not install its dependencies; log $logs/real-server-deps.log"
        return
    fi
    if [ -n "${OPENSIPS:-}" ]; then
        log=$logs/real-server.log
        if ! make -s build >"$logs/real-server-build.log" 2>&1; then
            show_failures "$logs/real-server-build.log"
            row "real-server" 0 1 0 1 "building ./sst.so failed; log $logs/real-server-build.log"
            return
        fi
        # the scenarios' own lines are the result: shown as they come
        python3 opensips-tests/run.py 2>&1 | tee "$log"; rc=${PIPESTATUS[0]}
        suite_row "$("$OPENSIPS" -V 2>/dev/null | sed -n 's/^version: opensips \([^ ]*\) .*/\1/p')" "$log" $rc
        return
    fi
    mapfile -t srcs < <(server_sources)
    if [ ${#srcs[@]} -eq 0 ]; then
        echo "skipped: no OpenSIPS: no OPENSIPS=/path/to/opensips, no OPENSIPS_SRC=, no archive in ../shared/opensips/" \
            >"$logs/real-server.log"
        row "real-server" 0 0 1 0 "skipped: no OpenSIPS (give OPENSIPS= or OPENSIPS_SRC=)"
        return
    fi
    # Each server is built, probed and given its module in turn; its suite
    # then runs in the background while the next one builds (the suites
    # spend most of their time waiting on SIP timers).
    for src in "${srcs[@]}"; do
        if ! bin=$(./scripts/test-server.sh "$src" 2>"$logs/server-$(basename "$src").log"); then
            tail -n 5 "$logs/server-$(basename "$src").log" | sed 's/^/    | /'
            row "test server $(basename "$src")" 0 1 0 1 "log $logs/server-$(basename "$src").log"
            continue
        fi
        v=$("$bin" -V | sed -n 's/^version: opensips \([^ ]*\) .*/\1/p')
        tree=$(dirname "$(dirname "$(dirname "$bin")")")/src
        header_probe "$v" "$tree"
        log="$logs/real-server-$v.log"
        if ! OPENSIPS=$bin $CARGO build --release --target-dir "target/srv-$v" >"$logs/module-$v.log" 2>&1; then
            show_failures "$logs/module-$v.log"
            row "real-server $v" 0 1 0 1 "building the module for $bin failed; log $logs/module-$v.log"
            continue
        fi
        echo "   real-server $v: suite started ($bin)"
        OPENSIPS=$bin SST_SO="target/srv-$v/release/libsst.so" \
            python3 opensips-tests/run.py >"$log" 2>&1 &
        pids+=($!) vs+=("$v")
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}"; rc=$?
        suite_row "${vs[$i]}" "$logs/real-server-${vs[$i]}.log" $rc
    done
}

deps_log=$logs/deps.log
if ! ./scripts/install-deps.sh --test >"$deps_log" 2>&1; then
    cat "$deps_log"
    echo "make-test: 0 passed, 1 failed, 0 skipped (could not install the build dependencies)"
    exit 1
fi
for l in "${layers[@]}"; do
    case "$l" in
        unit) echo "== unit and layout tests, per target ($VERSIONS)"; layer_unit ;;
        bench) echo "== micro-benchmarks, quick mode"; layer_bench ;;
        fuzz) echo "== fuzz targets: build and replay the seed corpus (fuzz/README.md runs them)"; layer_fuzz ;;
        build-checks) echo "== how the build treats target servers"; layer_build_checks ;;
        harness) echo "== host harness, per target ($VERSIONS)"; layer_harness ;;
        install-checks) echo "== installing: folders, make install/uninstall, make deb"; layer_install_checks ;;
        real-server) echo "== real-server SIPp suite"; layer_real_server ;;
        *) echo "unknown layer $l (unit bench fuzz build-checks harness install-checks real-server)"; exit 2 ;;
    esac
done

echo
echo "== summary"
printf '%-42s %6s %6s %7s  %s\n' layer passed failed skipped note
for r in "${rows[@]}"; do
    IFS='|' read -r name p f s note <<<"$r"
    printf '%-42s %6s %6s %7s  %s\n' "$name" "$p" "$f" "$s" "$note"
done
echo
echo "make-test: $tp passed, $tf failed, $ts skipped"
exit $any_fail
