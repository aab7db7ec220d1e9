#!/usr/bin/env bash
# Short fuzz run of storeboard-data's parsers (`cargo make fuzz`; docs/reliability.md § Fuzzing).
#
#   FUZZ_SECONDS=30 (default) — seconds per target
#   FUZZ_TARGETS="csv_ingest cells" — only these targets (default: every target in fuzz/Cargo.toml)
#
# Builds with -O: fuzz/Cargo.toml's release profile turns debug assertions and overflow checks on
# for our code (off for calamine, see there). Installs cargo-fuzz when missing. cargo-fuzz needs nightly-only rustc flags (sanitizers,
# coverage instrumentation): RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them.
# Each target runs for FUZZ_SECONDS on fuzz/corpus/TARGET (kept between runs, not committed)
# seeded from fuzz/seeds/TARGET; the script fails on the first crash, which libFuzzer writes
# to fuzz/artifacts/TARGET/ with the command that reproduces it.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-30}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"

# Largest input per target: structured inputs stay small; workbooks need room for a zip.
max_len() {
    case "$1" in
        workbook_ingest) echo 32768 ;;
        cells) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

cargo fuzz build -O
for target in $targets; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus"
    seeds=()
    if [ -d "fuzz/seeds/$target" ]; then
        seeds=("fuzz/seeds/$target")
    fi
    echo "== $target: ${seconds}s"
    # -timeout: one input taking longer than 10 s is a hang, reported like a crash.
    cargo fuzz run -O "$target" "$corpus" "${seeds[@]}" -- \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1
done
echo "fuzz: no crash in $(echo $targets | wc -w) targets × ${seconds}s"
