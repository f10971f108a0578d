# mapsize.awk: who owns the bytes of each output section, from a GNU ld map file (-Map).
#
# Sums the sizes of the input sections the linker kept (after --gc-sections), grouped by the
# file they came from:
#   example     this directory's objects (start.o, main.o, uart.o, blobs.o)
#   patchwise   libpatchwise.a's Rust code (patchwise, and the parts of core, libm and bytemuck
#               it uses) and the C kernels of a port (PORT=xtensa)
#   builtins    libpatchwise.a's compiler_builtins members (memcpy/memset, soft-float, 64-bit
#               division) and the compiler-rt C objects bundled with them ("<hash>-name.o")
#   libgcc      libgcc.a members (none expected: see README)
#   fill        alignment padding inserted by the linker
# Usage: awk -f mapsize.awk firmware.map

function owner(file) {
    # The C kernels of a port (ports/*/ built by cc: "<hash>-conv1x1_s8.o") are patchwise's.
    if (file ~ /libpatchwise\.a\([0-9a-f]+-(conv|depthwise|requantize)[a-z0-9_]*\.o\)/) return "patchwise"
    if (file ~ /libpatchwise\.a\((compiler_builtins|[0-9a-f]+-)/) return "builtins"
    if (file ~ /libpatchwise\.a\(/) return "patchwise"
    if (file ~ /libgcc\.a\(/) return "libgcc"
    return "example"
}

# "0x1a2b" -> 6699 (portable: mawk has no strtonum).
function hex(s,    v, i) {
    v = 0
    s = tolower(substr(s, 3))
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v
}

function add(size, who) {
    if (sect in wanted) {
        bytes[sect, who] += hex(size)
    }
}

BEGIN {
    n = split(".text .rodata .blobs .data .bss .arena", order, " ")
    for (i = 1; i <= n; i++) wanted[order[i]] = 1
    m = split("example patchwise builtins libgcc fill", who, " ")
}

/^Linker script and memory map/ { inmap = 1; next }
!inmap { next }

# An output section header starts in column 1: ".text  0x80000000  0x120ae".
/^\.[A-Za-z_]/ { sect = $1; pending = 0; next }

# Linker padding: " *fill*  0x80000092  0x2".
$1 == "*fill*" && $3 ~ /^0x/ { add($3, "fill"); next }

# An input section on one line: " .text.foo  0xADDR  0xSIZE  file".
/^ [^ *]/ && NF >= 4 && $2 ~ /^0x[0-9a-f]+$/ && $3 ~ /^0x[0-9a-f]+$/ { add($3, owner($4)); pending = 0; next }

# A long input-section name wraps: " .text.long_name" then "   0xADDR  0xSIZE  file".
/^ [^ *]/ && NF == 1 { pending = 1; next }
pending && $1 ~ /^0x[0-9a-f]+$/ && $2 ~ /^0x[0-9a-f]+$/ && NF >= 3 { add($2, owner($3)); pending = 0; next }
{ pending = 0 }

END {
    printf "%-8s", "section"
    for (j = 1; j <= m; j++) printf " %10s", who[j]
    printf " %10s\n", "total"
    for (i = 1; i <= n; i++) {
        s = order[i]; total = 0
        printf "%-8s", s
        for (j = 1; j <= m; j++) { printf " %10d", bytes[s, who[j]]; total += bytes[s, who[j]] }
        printf " %10d\n", total
    }
    lib = bytes[".text", "patchwise"] + bytes[".text", "builtins"]
    printf "library code (.text of libpatchwise.a): %d bytes; with its .rodata: %d bytes\n", \
        lib, lib + bytes[".rodata", "patchwise"] + bytes[".rodata", "builtins"]
}
