#!/usr/bin/env bash
# Checks scripts/find-libclang.sh (which install-deps.sh trusts to say
# whether bindgen will find libclang) against stand-in folders: the file
# names and folders bindgen's loader takes, and the ones it does not.
set -uo pipefail
cd "$(dirname "$0")/.."
find_libclang=$PWD/scripts/find-libclang.sh
pass=0 fail=0
check() { # name, condition-result (0 = ok), detail
    if [ "$2" -eq 0 ]; then echo "ok - $1"; pass=$((pass + 1));
    else echo "FAIL - $1: $3"; fail=$((fail + 1)); fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
elf64() { mkdir -p "$(dirname "$1")"; printf '\177ELF\002\001\001' >"$1"; }
elf32() { mkdir -p "$(dirname "$1")"; printf '\177ELF\001\001\001' >"$1"; }
# no llvm-config but the stand-ins', no search paths from this machine
mkdir -p "$work/bin"
printf '#!/bin/sh\nexit 1\n' >"$work/bin/llvm-config"
chmod +x "$work/bin/llvm-config"
run() { # root, then VAR=value ... for the search
    local root=$1; shift
    env -u LIBCLANG_PATH -u LD_LIBRARY_PATH -u LIBRARY_PATH PATH="$work/bin:/usr/bin:/bin" "$@" \
        "$find_libclang" --root "$root" 2>&1
}

# The Debian 12 image: LLVM 14's C++ interface library, no libclang.
r=$work/debian12
elf64 "$r/usr/lib/llvm-14/lib/libclang-cpp.so.14"
elf64 "$r/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14"
elf64 "$r/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1"
out=$(run "$r"); rc=$?
[ $rc -ne 0 ] && grep -q "no libclang found" <<<"$out"
check "libclang-cpp.so.14 alone is not libclang" $? "rc=$rc: $out"

# ... after libclang1-14: the versioned library, no libclang.so symlink
elf64 "$r/usr/lib/x86_64-linux-gnu/libclang-14.so.14.0.6"
out=$(run "$r"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/usr/lib/x86_64-linux-gnu/libclang-14.so.14.0.6" ]
check "libclang-14.so.N (libclang1-14) is found" $? "rc=$rc: $out"

r=$work/llvmdir
elf64 "$r/usr/lib/llvm-15/lib/libclang.so.1"
out=$(run "$r"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/usr/lib/llvm-15/lib/libclang.so.1" ]
check "libclang.so.N in /usr/lib/llvm-N/lib is found" $? "rc=$rc: $out"

r=$work/unversioned
elf64 "$r/usr/local/lib/libclang.so"
out=$(run "$r"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/usr/local/lib/libclang.so" ]
check "libclang.so in /usr/local/lib is found" $? "rc=$rc: $out"

r=$work/wrong
elf32 "$r/usr/lib/libclang.so"
printf 'INPUT(-lclang)\n' >"$r/usr/lib/libclang.so.1"
mkdir -p "$r/usr/lib/x86_64-linux-gnu" && ln -s missing.so "$r/usr/lib/x86_64-linux-gnu/libclang-16.so"
out=$(run "$r"); rc=$?
[ $rc -ne 0 ]
check "a 32-bit ELF, a linker script and a dangling link are not libclang" $? "rc=$rc: $out"

r=$work/elsewhere
elf64 "$r/opt/llvm/lib/libclang.so"
out=$(run "$work/debian12" LIBCLANG_PATH="$r/opt/llvm/lib"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/opt/llvm/lib/libclang.so" ]
check "LIBCLANG_PATH=folder is searched" $? "rc=$rc: $out"
out=$(run "$work/debian12" LIBCLANG_PATH="$r/opt/llvm/lib/libclang.so"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/opt/llvm/lib/libclang.so" ]
check "LIBCLANG_PATH=file is taken" $? "rc=$rc: $out"
out=$(run "$work/llvmdir" LIBCLANG_PATH="$work/bin"); rc=$?
[ $rc -ne 0 ] && grep -q "no libclang in LIBCLANG_PATH" <<<"$out"
check "LIBCLANG_PATH without libclang fails, as bindgen looks only there" $? "rc=$rc: $out"

out=$(run "$work/debian12" LD_LIBRARY_PATH="/nonexistent:$r/opt/llvm/lib"); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/opt/llvm/lib/libclang.so" ]
check "a folder of LD_LIBRARY_PATH is searched" $? "rc=$rc: $out"

mkdir -p "$work/llvm-config-bin"
printf '#!/bin/sh\n[ "$1" = --prefix ] && echo %s/opt/llvm\n' "$r" >"$work/llvm-config-bin/llvm-config"
chmod +x "$work/llvm-config-bin/llvm-config"
out=$(env -u LIBCLANG_PATH -u LD_LIBRARY_PATH -u LIBRARY_PATH PATH="$work/llvm-config-bin:/usr/bin:/bin" \
    "$find_libclang" --root "$work/debian12" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$out" = "$r/opt/llvm/lib/libclang.so" ]
check "llvm-config --prefix's lib folder is searched" $? "rc=$rc: $out"

echo "libclang-search: $pass passed, $fail failed"
[ $fail -eq 0 ]
