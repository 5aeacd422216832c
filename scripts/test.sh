#!/usr/bin/env bash
# Build heaplens and run every test: unit tests (cmocka), command tests,
# the commands under valgrind (when installed), then the same suite again
# under AddressSanitizer + UBSan (LeakSanitizer included), the threaded
# tests under ThreadSanitizer, then a bounded run of the libFuzzer target
# (clang only).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
jobs=$(nproc)
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=Release -DHEAPLENS_WERROR=ON >/dev/null
cmake --build "$top/build" -j"$jobs"
ctest --test-dir "$top/build" --output-on-failure -j"$jobs"
cmake -S "$top" -B "$top/build-asan" -DCMAKE_BUILD_TYPE=Debug -DHEAPLENS_WERROR=ON -DHEAPLENS_SANITIZE=ON >/dev/null
cmake --build "$top/build-asan" -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$top/build-asan" --output-on-failure -j"$jobs"

# ThreadSanitizer over the tests that run the threaded passes (the command
# cases on the fixtures with their threads, the dominator pass and group
# walk on random graphs cut into pieces for 2 to 6 threads, the index
# written on its thread): any data race fails them.  Skipped where the
# compiler's TSan runtime cannot run (some kernels' address layouts).
if echo '#include <pthread.h>
static void *f(void *p) { return p; }
int main(void) { pthread_t t; pthread_create(&t, 0, f, 0); return pthread_join(t, 0); }' |
   cc -x c -fsanitize=thread -o "$top/build/tsan-probe" - 2>/dev/null && "$top/build/tsan-probe"; then
  cmake -S "$top" -B "$top/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEAPLENS_WERROR=ON \
    -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
  cmake --build "$top/build-tsan" -j"$jobs"
  TSAN_OPTIONS=halt_on_error=1 ctest --test-dir "$top/build-tsan" --output-on-failure -j"$jobs" \
    -R '^(cli|test_dominators|test_index|test_histogram|test_check)$'
else
  echo "tsan: ThreadSanitizer cannot run here: skipped"
fi

# Fuzzing: 90 seconds of tests/fuzz/fuzz_open (libFuzzer, ASan, UBSan) from
# the seed corpus, the crash reproducers and the damaged fixtures; any
# finding fails the run and leaves its reproducer in the work directory.
fuzz_secs=${HEAPLENS_FUZZ_SECONDS:-90}
if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not found: fuzzing skipped"
elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
     clang -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
  echo "fuzz: clang cannot link -fsanitize=fuzzer (libclang-rt-dev missing?): fuzzing skipped"
else
  CC=clang cmake -S "$top" -B "$top/build/fuzz-clang" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHEAPLENS_WERROR=ON -DHEAPLENS_FUZZ=ON >/dev/null
  cmake --build "$top/build/fuzz-clang" -j"$jobs" --target fuzz_open
  fuzz_work=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-fuzz.XXXXXX")
  mkdir "$fuzz_work/corpus"
  find "$top/tests/fuzz/corpus" "$top/tests/fuzz/crashes" "$top/fixtures/corrupt" \
    "$top/fixtures/crafted" -type f ! -name '*.md' ! -name '*.tsv' ! -name '*.expect' ! -name '*.hlidx*' \
    -exec cp {} "$fuzz_work/corpus/" \;
  if "$top/build/fuzz-clang/tests/fuzz/fuzz_open" -max_total_time="$fuzz_secs" \
       -max_len=16384 -malloc_limit_mb=256 -timeout=10 -print_final_stats=1 \
       -dict="$top/tests/fuzz/hprof.dict" -artifact_prefix="$fuzz_work/" \
       "$fuzz_work/corpus" >"$fuzz_work/fuzz.log" 2>&1; then
    grep '^stat::number_of_executed_units' "$fuzz_work/fuzz.log" | sed 's/^/fuzz: /'
    rm -rf "$fuzz_work"
  else
    tail -n 40 "$fuzz_work/fuzz.log"
    echo "fuzz: a finding; the input is in $fuzz_work (crash-*, leak-*, oom-*, timeout-*):"
    echo "fuzz: copy it to tests/fuzz/crashes/ under a name that says what it does, and fix"
    exit 1
  fi
fi
