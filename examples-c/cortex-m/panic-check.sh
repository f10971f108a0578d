#!/usr/bin/env bash
# panic-check.sh [PROFILE...]  (default: min-size release)
#
# Link-time proof that no panic is reachable from the C API on the Cortex-M4F target.
#
# For each cargo profile it builds libpatchwise.a for thumbv7em-none-eabihf with
# `--no-default-features --features panic-link-check,all-ops` (PW_OPS: another operator set;
# PW_EXTRA_FEATURES: more features, e.g. arm-dsp): the panic handler then calls
# `patchwise_panic_is_reachable`, a symbol nothing defines. The firmware objects of this
# directory (startup, semihosting, main; blobs.S with empty placeholder blobs, so ../shared is
# not needed) are linked with it under `--gc-sections`, every exported pw_* function kept
# (`-u`), so that the whole C API is covered, not only what main.c calls. The link succeeds
# iff no kept code can reach the panic handler.
#
# When it fails, the firmware is linked again with a stub definition of the symbol and the
# disassembly is searched: every function from which the handler is reachable (core's panic
# functions, formatting, ...) is "panic machinery", and every branch from other code into it is
# a panic site. Each site is listed with its function and, from line tables (the library is
# built with CARGO_PROFILE_*_DEBUG=line-tables-only, which changes no generated code), the
# innermost source line of patchwise it comes from.
#
# Exit status: 0 no panic path in any profile, 1 panic paths found, 2 the check itself failed.
# Output: target/panic-check/<profile>/{firmware.elf,link.log,sites.txt}.
# Needs arm-none-eabi-gcc/objdump/addr2line and the Rust target thumbv7em-none-eabihf.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
repo=$(cd ../.. && pwd)
target_dir=${CARGO_TARGET_DIR:-$repo/target}
# A separate target directory: the feature set differs from the firmware's library.
# PW_EXTRA_FEATURES (e.g. arm-dsp, from `make panic-check PORT=arm-dsp`) adds cargo features.
extra=${PW_EXTRA_FEATURES:-}
# The operators compiled in (cargo features, comma-separated): every one unless PW_OPS names a set.
ops=${PW_OPS:-all-ops}
features=panic-link-check,$ops${extra:+,$extra}
tag=$extra
[ "$ops" = all-ops ] || tag=ops${extra:+-$extra}
lib_dir=$target_dir/panic-check/cargo${tag:+-$tag}
rust_target=thumbv7em-none-eabihf
cc=arm-none-eabi-gcc
objdump=arm-none-eabi-objdump
addr2line=arm-none-eabi-addr2line
nm=arm-none-eabi-nm
symbol=patchwise_panic_is_reachable

arch=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
cflags=("${arch[@]}" -std=c11 -Os -ffunction-sections -fdata-sections -ffreestanding
    -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror "-I$repo/include")

profiles=("$@")
[ ${#profiles[@]} -gt 0 ] || profiles=(min-size release)

status=0
for profile in "${profiles[@]}"; do
    out=$target_dir/panic-check/$profile${tag:+-$tag}
    mkdir -p "$out"
    echo "== panic check: profile $profile, features $features"
    debug_var=CARGO_PROFILE_$(echo "$profile" | tr 'a-z-' 'A-Z_')_DEBUG
    env "$debug_var=line-tables-only" CARGO_TARGET_DIR="$lib_dir" \
        "${CARGO:-cargo}" build -q --profile "$profile" -p patchwise --lib --target "$rust_target" \
        --no-default-features --features "$features" --manifest-path "$repo/Cargo.toml" || exit 2
    lib=$lib_dir/$rust_target/$profile/libpatchwise.a

    : >"$out/empty.bin"
    for c in startup semihost main; do
        "$cc" "${cflags[@]}" -c -o "$out/$c.o" "$here/$c.c" || exit 2
    done
    "$cc" "${arch[@]}" -DMODEL_PATH="\"$out/empty.bin\"" -DINPUT_PATH="\"$out/empty.bin\"" \
        -DEXPECT_PATH="\"$out/empty.bin\"" -c -o "$out/blobs.o" "$here/blobs.S" || exit 2
    objs=("$out/startup.o" "$out/semihost.o" "$out/main.o" "$out/blobs.o")

    # Keep every exported C function, so the whole API is checked.
    keep=()
    while read -r s; do keep+=("-Wl,-u,$s"); done < <(
        "$nm" --target=elf32-littlearm -g --defined-only "$lib" 2>/dev/null | awk '$2 == "T" && $3 ~ /^pw_/ { print $3 }' | sort -u)
    [ ${#keep[@]} -gt 0 ] || { echo "error: no pw_ symbols in $lib" >&2; exit 2; }
    ldflags=("${arch[@]}" -nostdlib -T "$here/mps2_an386.ld" -Wl,--gc-sections -Wl,-z,noexecstack "${keep[@]}")

    if "$cc" "${ldflags[@]}" -o "$out/firmware.elf" "${objs[@]}" "$lib" -lgcc >"$out/link.log" 2>&1; then
        echo "ok: no panic path (${#keep[@]} pw_ functions kept, link with --gc-sections succeeded)"
        : >"$out/sites.txt"
        continue
    fi
    refs=$(grep -c "undefined reference to \`$symbol'" "$out/link.log" || true)
    if [ "$refs" -eq 0 ]; then
        echo "error: the link failed for another reason:" >&2
        cat "$out/link.log" >&2
        exit 2
    fi
    echo "FAIL: the link keeps $refs undefined reference(s) to $symbol:"
    grep -B1 "undefined reference to \`$symbol'" "$out/link.log" | sed 's/^/  /'

    # Link again with a stub to locate the sites.
    echo "void $symbol(void); void $symbol(void) { for (;;) { } }" >"$out/stub.c"
    "$cc" "${cflags[@]}" -c -o "$out/stub.o" "$out/stub.c" || exit 2
    "$cc" "${ldflags[@]}" -o "$out/firmware.elf" "${objs[@]}" "$out/stub.o" "$lib" -lgcc \
        >"$out/link.log" 2>&1 || { cat "$out/link.log" >&2; exit 2; }
    "$objdump" -d --no-show-raw-insn "$out/firmware.elf" >"$out/disasm.txt"
    # Panic machinery: the handler, the undefined symbol, and core's panic entry points
    # (core::panicking::*, *_fail/*_failed such as panic_bounds_check, slice_end_index_len_fail,
    # unwrap_failed). A panic site is a direct branch (bl, b.w, conditional tail call) from any
    # other function into them.
    awk -v sym="$symbol" '
        function machinery(s) { return s == sym || s ~ /rust_begin_unwind/ || (s ~ /core/ && s ~ /panic|_fail/) }
        /^[0-9a-f]+ <.*>:$/ { f = $2; gsub(/[<>:]/, "", f); next }
        /^ *[0-9a-f]+:\t/ && f != "" && !machinery(f) {
            if (match($0, /\tb[a-z.]*\t[0-9a-f]+ <[^>+]+>$/)) {
                t = substr($0, RSTART, RLENGTH); sub(/.*</, "", t); sub(/>$/, "", t)
                addr = $1; sub(/:$/, "", addr)
                if (machinery(t)) print addr, f, t
            }
        }' "$out/disasm.txt" >"$out/sites.raw"
    : >"$out/sites.txt"
    while read -r addr caller callee; do
        # Innermost frame inside patchwise's own sources (addr2line lists inlined frames first,
        # each as a function line then a file:line line).
        where=$("$addr2line" -i -f -C -e "$out/firmware.elf" "0x$addr" |
            awk -v repo="$repo/" 'NR % 2 == 1 { fn = $0; next }
                index($0, repo "src/") == 1 { sub(repo, ""); sub(/ .*/, ""); print $0 " (" fn ")"; exit }')
        demangle() { echo "$1" | arm-none-eabi-c++filt | sed -e 's/::h[0-9a-f]\{16\}$//' -e 's/\[[0-9a-f]\{16\}\]//g'; }
        printf '%s\t-> %s\t@ %s\n' "${where:-? ($(demangle "$caller"))}" "$(demangle "$callee")" "$addr" \
            >>"$out/sites.txt"
    done <"$out/sites.raw"
    sort -o "$out/sites.txt" "$out/sites.txt"
    sites=$(wc -l <"$out/sites.txt")
    places=$(cut -f1 "$out/sites.txt" | sort -u | wc -l)
    echo "panic sites: $sites branches into the panic machinery, from $places source lines:"
    cut -f1,2 "$out/sites.txt" | sort | uniq -c | sed 's/^/  /'
    echo "(details with callers and callees: $out/sites.txt)"
    status=1
done
exit $status
