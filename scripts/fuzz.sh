#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs each for SECONDS (default 30), starting from the reference payloads in
# tests/cpp/venues/payloads and tests/cpp/brokers/payloads. Inputs that crash are saved as build/fuzz/crash-* and make the
# script fail. New corpus entries stay under build/fuzz/corpus (not in the repository).
# Usage: scripts/fuzz.sh [SECONDS]        (scripts/test.sh runs it briefly; longer on demand)
set -euo pipefail
ZTRADE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ZTRADE_ROOT"
SECONDS_EACH="${1:-30}"
BUILD=build/fuzz

CXX=clang++-14 cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZTRADE_BUILD_FUZZ=ON -DZTRADE_BUILD_PYTHON=OFF -DZTRADE_BUILD_TESTS=OFF -DZTRADE_BUILD_BENCH=OFF \
  -DZTRADE_SANITIZE=address,undefined,fuzzer-no-link >/dev/null
targets=(kraken alpaca coinbase_exchange coinbase_advanced bus_decoder control ingress alpaca_trading)
cmake --build "$BUILD" -j"${ZTRADE_JOBS:-2}" --target "${targets[@]/#/ztrade_fuzz_}"

payloads=tests/cpp/venues/payloads
seeds_for() {
  case "$1" in
    kraken) echo "$payloads/kraken" ;;
    alpaca) echo "$payloads/alpaca" ;;
    alpaca_trading) echo "tests/cpp/brokers/payloads/alpaca_paper" ;;
    coinbase_*) echo "$payloads/coinbase" ;;
    *) echo "" ;;
  esac
}
failed=0
for t in "${targets[@]}"; do
  corpus="$BUILD/corpus/$t"
  mkdir -p "$corpus"
  seeds="$(seeds_for "$t")"
  # Inputs that once crashed (tests/fuzz/regressions/<target>) run first, every time.
  if [ -d "tests/fuzz/regressions/$t" ]; then
    "$BUILD/tests/fuzz/ztrade_fuzz_$t" tests/fuzz/regressions/$t/* >"$BUILD/$t.regressions.log" 2>&1 || {
      echo "fuzz $t: a saved regression input fails again" >&2
      tail -30 "$BUILD/$t.regressions.log" >&2
      failed=1
      continue
    }
  fi
  echo "==> fuzz $t for ${SECONDS_EACH}s"
  if ! "$BUILD/tests/fuzz/ztrade_fuzz_$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
      -artifact_prefix="$BUILD/crash-$t-" "$corpus" ${seeds:+"$seeds"} 2>"$BUILD/$t.log"; then
    echo "fuzz $t FAILED: see $BUILD/$t.log and $BUILD/crash-$t-*" >&2
    tail -30 "$BUILD/$t.log" >&2
    failed=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$BUILD/$t.log" | tr '\n' ' '
    echo
  fi
done
exit $failed
