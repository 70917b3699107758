#!/usr/bin/env bash
# Builds the fuzz preset and runs every libFuzzer target of tests/fuzz (README.md there):
# first each file of tests/fuzz/regressions/<target>/ once, then FUZZ_SECONDS (60) of fuzzing
# from a copy of tests/fuzz/corpus/<target>/, two targets at a time. Fails on any crash, leak,
# UBSan report or timeout, and prints each target's executions from libFuzzer's final stats.
#   tests/fuzz/run.sh                          every target
#   FUZZ_SECONDS=600 tests/fuzz/run.sh jwt_fuzz  one target, longer
#   SKIP_BUILD=1 tests/fuzz/run.sh             use build/fuzz as it is
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
seconds="${FUZZ_SECONDS:-60}"
fuzz="$root/tests/fuzz"
bin="$root/build/fuzz/fuzz"

# The longest input each target is given: enough for its grammar, short enough to stay fast.
declare -A max_len=(
  [cursor_fuzz]=1100 [dto_json_fuzz]=4096 [headers_fuzz]=1024 [http_request_fuzz]=8192
  [jwt_fuzz]=2048 [realtime_message_fuzz]=8192 [sigv4_fuzz]=1024
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(printf '%s\n' "${!max_len[@]}" | sort))

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
  "$root/deploy/local/install-deps.sh"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz
fi

# halt_on_error: the first report ends the run with a non-zero status, as a crash does.
export ASAN_OPTIONS="detect_leaks=1 halt_on_error=1 ${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1 halt_on_error=1 ${UBSAN_OPTIONS:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The options every run shares. -close_fd_mask=1 drops the targets' stdout (keel's log lines);
# libFuzzer and the sanitizers report on stderr.
common_options() {
  local target=$1 dict="$fuzz/$1.dict"
  echo -max_len="${max_len[$target]}" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=1 \
    -artifact_prefix="$work/$target/" $([ -f "$dict" ] && echo -dict="$dict")
}

# Every regression input once (libFuzzer runs file arguments and exits).
regressions() {
  local target=$1 dir="$fuzz/regressions/$1"
  [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ] || return 0
  "$bin/$target" $(common_options "$target") "$dir"/* >"$work/$target/regressions.log" 2>&1 || {
    echo "fuzz: $target fails on a regression input:"
    tail -n 40 "$work/$target/regressions.log"
    return 1
  }
}

run_target() {
  local target=$1
  mkdir -p "$work/$target/corpus"
  cp -r "$fuzz/corpus/$target/." "$work/$target/corpus/" 2>/dev/null || true
  regressions "$target" || return 1
  if ! nice -n 10 "$bin/$target" $(common_options "$target") -max_total_time="$seconds" \
    -print_final_stats=1 "$work/$target/corpus" >"$work/$target/fuzz.log" 2>&1; then
    # The failing input outlives $work: it is the next regression file (README.md).
    local kept="$root/build/fuzz/crashes/$target"
    mkdir -p "$kept"
    cp "$work/$target"/{crash,leak,timeout,oom}-* "$kept/" 2>/dev/null || true
    echo "fuzz: $target FAILED; its input is in $kept/:"
    tail -n 60 "$work/$target/fuzz.log"
    return 1
  fi
  local execs speed
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target/fuzz.log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target/fuzz.log")
  echo "fuzz: $target: $execs executions in ${seconds} s ($speed/s), no crash, leak or UBSan report"
}

# Two at a time: the machine has two cores.
failed=0 running=0
finish_one() {
  wait -n || failed=$((failed + 1))
  running=$((running - 1))
}
for target in "${targets[@]}"; do
  [ -x "$bin/$target" ] || { echo "fuzz: no $bin/$target (build the fuzz preset)"; exit 1; }
  [ "$running" -lt 2 ] || finish_one
  run_target "$target" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do finish_one; done
echo "fuzz: $((${#targets[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]
