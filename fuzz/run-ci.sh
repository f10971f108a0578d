#!/usr/bin/env bash
# Builds and runs every fuzz target for SECONDS each (default 30) on the seeded corpus, one
# target at a time, and prints per target: executions, exec/s, corpus size, coverage (cov/ft from
# libFuzzer's final stats line). Exits non-zero if any target crashes, hangs (> 10 s on one
# input), runs out of memory (> 2 GiB) or fails to build.
#
# Usage: fuzz/run-ci.sh [SECONDS] [TARGET...]          (from anywhere)
# Environment:
#   PW_FUZZ_ARGS       extra libFuzzer arguments (e.g. "-seed=1").
#
# On a fresh machine it installs what it needs: the nightly toolchain (minimal profile),
# cargo-fuzz, and the seed corpus (fuzz/seed.sh).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
secs="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(verify plan invoke capi)

say() { printf '[run-ci] %s\n' "$*"; }

# --- toolchain ---------------------------------------------------------------------------------
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    say "installing the nightly toolchain"
    rustup toolchain install nightly --profile minimal || exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz"
    cargo +nightly install cargo-fuzz --locked || exit 1
fi
say "$(rustup run nightly rustc --version); $(cargo +nightly fuzz --version)"

# --- seeds -------------------------------------------------------------------------------------
"$here/seed.sh" || { say "seeding failed"; exit 1; }

# --- build -------------------------------------------------------------------------------------
cd "$root" || exit 1
mkdir -p "$here/logs"
say "building ${targets[*]}"
for t in "${targets[@]}"; do
    cargo +nightly fuzz build "$t" >"$here/logs/build.log" 2>&1 || {
        cat "$here/logs/build.log"
        say "build of $t failed"
        exit 1
    }
done


# --- run ---------------------------------------------------------------------------------------
mkdir -p "$here/logs"
status=0
summary=()
for t in "${targets[@]}"; do
    log="$here/logs/$t.log"
    say "running $t for ${secs}s (log: ${log#$root/})"
    # shellcheck disable=SC2086
    cargo +nightly fuzz run "$t" "$here/corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -max_len=1048576 -len_control=0 -print_final_stats=1 ${PW_FUZZ_ARGS:-} \
        >"$log" 2>&1
    rc=$?
    final="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
    [ -z "$final" ] && final="$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1)"
    execs="$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -1)"
    eps="$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log" | tail -1)"
    cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$final")"
    ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$final")"
    corp="$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$final")"
    line="$(printf '%-7s execs=%-9s exec/s=%-6s corpus=%-14s cov=%-6s ft=%-6s' \
        "$t" "${execs:-?}" "${eps:-?}" "${corp:-?}" "${cov:-?}" "${ft:-?}")"
    if [ $rc -ne 0 ]; then
        status=1
        line="$line  FAILED (exit $rc)"
        say "$t failed; end of its log:"
        grep -E -A12 'panicked at|ERROR: |SUMMARY:' "$log" | head -40
        grep -E 'Test unit written to|Failing input' -A2 "$log" | head -6
    else
        line="$line  ok"
    fi
    summary+=("$line")
done

say "summary (${secs}s per target):"
for l in "${summary[@]}"; do printf '  %s\n' "$l"; done
exit $status
