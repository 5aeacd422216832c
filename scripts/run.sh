#!/usr/bin/env bash
# Set up and run heaplens on a fresh Debian machine:
#   bash scripts/run.sh [DUMP] [COMMAND [OPTIONS]]
# installs what is missing, builds (Release), then runs COMMAND (default:
# info, then the top of the histogram and of the dominator tree) on DUMP,
# or on the bundled fixture dump when none is given.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=Release -DHEAPLENS_TESTS=OFF >/dev/null
cmake --build "$top/build" -j"$(nproc)" >/dev/null
dump=${1:-$top/fixtures/deleteonexit.hprof.gz}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then
  exec "$top/build/heaplens" "$@" "$dump"
fi
"$top/build/heaplens" info "$dump"
echo
"$top/build/heaplens" histogram --top 15 "$dump"
echo
"$top/build/heaplens" dominators --depth 4 --min-percent 1 "$dump"
