#!/bin/sh
# check-symbols.sh LIB.a [NM]
#
# Checks that a patchwise static library exports (defined, global, non-weak) only the C API,
# pw_*, plus what the Rust runtime inside it needs, so that linking it into firmware cannot
# clash with the firmware's own symbols. Allowed besides pw_*:
#   _ZN... _R...                 Rust-mangled names (namespaced by crate and hash)
#   __*                          compiler-builtins (__aeabi_*, __udivdi3, __addtf3, ...)
#   memcpy memmove memset memcmp bcmp
#                                compiler-builtins' mem functions (weak or not)
#   rust_eh_personality rust_begin_unwind
#   anon.<hash>.<n>.llvm.<n>     constants LLVM promoted to global inside the prebuilt
#                                compiler_builtins objects (hash-named, cannot clash)
# Weak definitions (nm types W/w/V/v) are never a clash: the firmware's own definition wins.
# Prints the exported pw_ functions, then any other symbol (with its archive member); exits 1
# if there is any other symbol, 2 if the library cannot be read.
#
# NM: second argument, else $NM, else nm. Host binutils nm reads Arm and RISC-V objects too;
# arm-none-eabi-nm works for Arm libraries.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 LIB.a [NM]" >&2
    exit 2
fi
lib=$1
nm_tool=${2:-${NM:-nm}}
if [ ! -f "$lib" ]; then
    echo "error: $lib: no such file" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Rust objects carry LLVM bitcode beside the machine code. binutils nm then tries the LLVM
# linker plugin first and, when that plugin is older than Rust's LLVM, silently lists "no
# symbols" for them. Naming the object format explicitly skips the plugin, so try the default
# first and then plain ELF, and take the first reading without such complaints.
found=
for fmt in "" --target=elf64-little --target=elf32-little; do
    # shellcheck disable=SC2086 # $fmt is empty or one word
    if "$nm_tool" -A -g --defined-only $fmt "$lib" >"$tmp/syms" 2>"$tmp/err" &&
        ! grep -q -e 'plugin' -e 'no symbols' -e 'not recognized' "$tmp/err" &&
        grep -q -e ' _*pw_version$' "$tmp/syms"; then
        found=yes
        break
    fi
done
if [ -z "$found" ]; then
    echo "error: $nm_tool cannot list the symbols of $lib:" >&2
    head -n 5 "$tmp/err" >&2
    exit 2
fi

# Lines look like "lib.a:member.o:0000000000000000 T name". Keep member, type and name of
# the non-weak ones. Mach-O prefixes every C name with "_": drop it when pw_ shows up as _pw_.
strip=0
if grep -q ' _pw_version$' "$tmp/syms"; then
    strip=1
fi
awk -v strip="$strip" '
    NF >= 2 {
        type = $(NF - 1); name = $NF
        if (type ~ /^[WwVv]$/) next
        n = split($1, parts, ":"); member = (n >= 3) ? parts[n - 1] : parts[1]
        if (strip && substr(name, 1, 1) == "_") name = substr(name, 2)
        print member, type, name
    }' "$tmp/syms" | sort -u -k3,3 >"$tmp/strong"

awk '$3 ~ /^pw_/ { print $3 }' "$tmp/strong" >"$tmp/pw"
awk '
    $3 ~ /^pw_/ { next }
    $3 ~ /^_ZN/ || $3 ~ /^_R[A-Za-z0-9_]/ { next }
    $3 ~ /^__/ { next }
    $3 ~ /^(memcpy|memmove|memset|memcmp|bcmp)$/ { next }
    $3 == "rust_eh_personality" || $3 == "rust_begin_unwind" { next }
    $3 ~ /^anon\.[0-9a-f]+\.[0-9]+\.llvm\.[0-9]+$/ { next }
    { print }' "$tmp/strong" >"$tmp/bad"

echo "$lib: $(wc -l <"$tmp/pw") exported pw_ symbols:"
sed 's/^/  /' "$tmp/pw"
count() { awk "$1" "$tmp/strong" | wc -l; }
echo "also exported (allowed): $(count '$3 ~ /^(_ZN|_R)/') Rust-mangled," \
    "$(count '$3 ~ /^__/') compiler-builtins __*," \
    "$(count '$3 ~ /^(memcpy|memmove|memset|memcmp|bcmp)$/') mem*/bcmp," \
    "$(count '$3 ~ /^rust_(eh_personality|begin_unwind)$/') rust_eh_personality/rust_begin_unwind," \
    "$(count '$3 ~ /^anon\..*\.llvm\./') LLVM anon constants"
if [ -s "$tmp/bad" ]; then
    echo "FAIL: other global symbols (member, nm type, name):"
    sed 's/^/  /' "$tmp/bad"
    exit 1
fi
echo "ok: no other global, non-weak symbols"
