#!/usr/bin/env bash
# Prints the libclang that bindgen will load, or fails listing where it
# looked. It looks the way bindgen's loader (the clang-sys crate, runtime
# loading, Linux) does, so that "found here" means "bindgen finds it":
#
#   names:   libclang.so, libclang-*.so, libclang.so.*, libclang-*.so.*
#            but never a name with "-cpp." in it (libclang-cpp.so.14 is
#            LLVM's C++ interface library, not the C library bindgen needs)
#   folders: LIBCLANG_PATH alone when set (a folder, or the file itself);
#            else `llvm-config --prefix`/{bin,lib,lib64}, the folders of
#            LD_LIBRARY_PATH and LIBRARY_PATH, then /usr/local/llvm*/lib*,
#            /usr/local/lib*/*/*, /usr/local/lib*/*, /usr/local/lib*,
#            /usr/lib*/*/*, /usr/lib*/*, /usr/lib*
#   check:   a 64-bit ELF file (what the loader validates before dlopen)
#
#   find-libclang.sh [--root DIR]
#
# --root puts DIR in front of the fixed folders (not of the ones named by
# variables or llvm-config): scripts/check-build-targets.sh tests this
# script against stand-in folders that way.
set -uo pipefail
root=""
[ "${1:-}" = "--root" ] && root="${2:?--root needs a folder}"
shopt -s nullglob

is_libclang() { # a file name bindgen's loader would take, and a 64-bit ELF
    local name=${1##*/}
    case "$name" in *-cpp.*) return 1 ;; esac
    case "$name" in libclang.so | libclang-*.so | libclang.so.* | libclang-*.so.*) ;; *) return 1 ;; esac
    [ "$(head -c 5 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = "7f454c4602" ]
}
tried=()
search() { # a folder: print the first libclang in it
    local d=$1 f
    [ -d "$d" ] || return 1
    tried+=("$d")
    for f in "$d"/libclang.so "$d"/libclang-*.so "$d"/libclang.so.* "$d"/libclang-*.so.*; do
        if is_libclang "$f"; then echo "$f"; return 0; fi
    done
    return 1
}

if [ -n "${LIBCLANG_PATH:-}" ]; then
    if [ -f "$LIBCLANG_PATH" ] && is_libclang "$LIBCLANG_PATH"; then echo "$LIBCLANG_PATH"; exit 0; fi
    search "$LIBCLANG_PATH" && exit 0
    echo "no libclang in LIBCLANG_PATH=$LIBCLANG_PATH (bindgen looks only there when it is set)" >&2
    exit 1
fi
if prefix=$(llvm-config --prefix 2>/dev/null) && [ -n "$prefix" ]; then
    for d in "$prefix/bin" "$prefix/lib" "$prefix/lib64"; do search "$d" && exit 0; done
fi
IFS=: read -r -a env_dirs <<<"${LD_LIBRARY_PATH:-}:${LIBRARY_PATH:-}"
for d in "${env_dirs[@]}"; do
    [ -n "$d" ] && search "$d" && exit 0
done
for pattern in "/usr/local/llvm*/lib*" "/usr/local/lib*/*/*" "/usr/local/lib*/*" "/usr/local/lib*" \
               "/usr/lib*/*/*" "/usr/lib*/*" "/usr/lib*"; do
    for d in $root$pattern; do search "$d" && exit 0; done
done
echo "no libclang found (bindgen needs libclang.so or a versioned libclang-N.so / libclang.so.N;" \
     "looked in ${#tried[@]} folders, e.g. ${tried[*]:0:4})" >&2
exit 1
