# libsize.awk: splits the linked firmware's sections by origin, from the GNU ld map file.
#
# Usage: awk -f libsize.awk build/<config>/firmware.map
#
# Method: the map lists every input section the linker kept (after --gc-sections) with its
# size and the object it came from. Sections from libpatchwise.a are the library's cost: the
# Rust code itself plus the parts of core, libm and compiler_builtins it pulled in. They are
# grouped by Rust module (from the mangled section name) and by output section. The firmware's
# own objects (startup, semihosting, main) and the embedded blobs are listed apart; alignment
# padding (*fill*) is counted separately, so the columns add up to the ELF's section sizes.

function kind_of(outsec) {
    if (outsec == ".vectors" || outsec == ".text" || outsec == ".ARM.exidx") return "text"
    if (outsec == ".rodata") return "rodata"
    if (outsec == ".data") return "data"
    if (outsec == ".bss") return "bss"
    if (outsec == ".arena") return "arena"
    return ""
}

# Which part of the program an input section belongs to.
function origin_of(sec, file,    m, mod) {
    if (sec ~ /^\.rodata\.(model|input|expect)$/) return "blobs (model, input, expected)"
    if (file ~ /libgcc\.a\(/) return "libgcc"
    if (file !~ /libpatchwise\.a\(/) return "app (startup, semihosting, main)"
    m = file
    sub(/.*libpatchwise\.a\(/, "", m)
    if (m ~ /^compiler_builtins-/) return "lib: compiler_builtins"
    if (m ~ /^libm-/) return "lib: libm"
    if (m ~ /^core-/) return "lib: core"
    if (m ~ /^bytemuck-/ || m ~ /^heapless-/) return "lib: other crates"
    # C kernels of a port (ports/<arch>/*.c, built by build.rs: "<hash>-<file>.o").
    if (m !~ /rcgu\.o\)?$/ && m ~ /\.o\)?$/) return "lib: port kernels (C)"
    # patchwise's own object (LTO): name the module from the section name.
    if (sec ~ /\.pw_[a-z_]+$/) return "lib: patchwise::capi"
    if (match(sec, /_ZN9patchwise[0-9]+/)) {
        mod = substr(sec, RSTART + 13, RLENGTH - 13) + 0
        return "lib: patchwise::" substr(sec, RSTART + RLENGTH, mod)
    }
    if (match(sec, /\$LT\$patchwise\.\.[a-z_]+/)) {
        return "lib: patchwise::" substr(sec, RSTART + 15, RLENGTH - 15)
    }
    if (sec ~ /_ZN4core|core\.\./) return "lib: core"
    if (sec ~ /_ZN4libm/) return "lib: libm"
    return "lib: patchwise (constants, misc)"
}

function add(origin, kind, size) {
    if (kind == "" || size == 0) return
    total[origin, kind] += size
    all[kind] += size
    origins[origin] = 1
    if (origin ~ /^lib: /) lib[kind] += size
}

/^Linker script and memory map/ { in_map = 1; next }
!in_map { next }

# Output section header: ".text  0x...  0x..." (name at column 0).
/^\.[^ ]+/ { outsec = $1; pending = ""; next }

# Alignment padding between input sections.
/^ \*fill\*/ { add("alignment fill", kind_of(outsec), strtonum_hex($3)); next }

# Input section: " .text.foo  0xADDR  0xSIZE  file", or the name alone with the rest on the
# next line when the name is long.
/^ \.[^ ]+/ {
    if (NF >= 4) add(origin_of($1, $4), kind_of(outsec), strtonum_hex($3))
    else if (NF == 1) pending = $1
    next
}
pending != "" && $1 ~ /^0x/ && $2 ~ /^0x/ {
    add(origin_of(pending, $3), kind_of(outsec), strtonum_hex($2))
    pending = ""
    next
}
{ pending = "" }

function strtonum_hex(s,    i, c, v) {
    v = 0
    s = tolower(s)
    sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) {
        c = index("0123456789abcdef", substr(s, i, 1)) - 1
        v = v * 16 + c
    }
    return v
}

END {
    fmt = "%-34s %9s %9s %7s %7s %9s\n"
    printf fmt, "bytes by origin", ".text", ".rodata", ".data", ".bss", ".arena"
    n = 0
    for (o in origins) names[++n] = o
    # Sort names (insertion sort keeps this portable across awk implementations).
    for (i = 2; i <= n; i++) {
        v = names[i]
        for (j = i - 1; j >= 1 && names[j] > v; j--) names[j + 1] = names[j]
        names[j + 1] = v
    }
    for (i = 1; i <= n; i++) {
        o = names[i]
        printf fmt, o, total[o, "text"] + 0, total[o, "rodata"] + 0, total[o, "data"] + 0,
            total[o, "bss"] + 0, total[o, "arena"] + 0
    }
    printf fmt, "firmware total", all["text"] + 0, all["rodata"] + 0, all["data"] + 0,
        all["bss"] + 0, all["arena"] + 0
    printf "\nlibrary (all 'lib:' rows): code %d bytes, read-only data %d bytes, RAM %d bytes " \
        "(.data+.bss)\n", lib["text"], lib["rodata"], lib["data"] + lib["bss"]
}
