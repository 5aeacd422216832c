#!/usr/bin/env bash
# tests/bench/bench.sh - time heaplens commands on one dump, cold and warm.
#
# Usage: tests/bench/bench.sh DUMP [HEAPLENS_BIN]
#   HEAPLENS_BIN defaults to build/heaplens (relative to the repository root).
#
# Each command runs under `/usr/bin/time -v`, BENCH_REPEAT times (default 3),
# and the best wall time is kept with its CPU time and maximum RSS:
#   cold  `--no-index`: the dump is parsed every time (page cache warm: the
#         dump is read through before each run, outside the timing, as
#         some kernels page out file pages left idle for a minute);
#   warm  from the persistent index, written first by `heaplens index` into
#         a temporary --index-dir (its time is shown as the "index" row).
# BENCH_MODE=cold|warm|both (default both).  BENCH_COMMANDS is a list of
# commands separated by commas, each with its options (default:
# "info,histogram --no-retained,histogram,dominators,suspects,strings,threads").
# Prints one table row per command and mode: exit status, wall, user and
# system seconds, maximum RSS in MB.  Each run's stdout and stderr are kept
# in BENCH_LOG_DIR (default: a new directory under ${TMPDIR:-/tmp}), whose
# path is printed at the end; the temporary index is removed on exit.
#
# Needs GNU time at /usr/bin/time (Debian package "time").
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail unless both hold
set -euo pipefail

usage() {
	sed -n '2,22p' "$0" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
DUMP=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${2:-$ROOT/build/heaplens}
COMMANDS=${BENCH_COMMANDS:-info,histogram --no-retained,histogram,dominators,suspects,strings,threads}
REPEAT=${BENCH_REPEAT:-3}
MODE=${BENCH_MODE:-both}

case $MODE in cold | warm | both) ;; *) usage ;; esac
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || usage
[ -f "$DUMP" ] || {
	echo "bench.sh: no such dump: $DUMP" >&2
	exit 1
}
[ -x "$BIN" ] || {
	echo "bench.sh: heaplens binary not found or not executable: $BIN" >&2
	exit 1
}
# shellcheck source=tests/bench/timev.sh
. "$(dirname "${BASH_SOURCE[0]}")/timev.sh"
need_time bench.sh
LOG_DIR=${BENCH_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/heaplens-bench-log.XXXXXX")}
mkdir -p "$LOG_DIR"
INDEX_DIR=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-bench-index.XXXXXX")
trap 'rm -rf "$INDEX_DIR"' EXIT


ROWS=()
# run MODE LABEL ARGS...: best of REPEAT runs, appended to ROWS
run() {
	local mode=$1 label=$2 best='' row='' i rc tag
	shift 2
	tag=$(printf '%s-%s' "$mode" "$label" | tr -c 'A-Za-z0-9_.-' '_')
	for ((i = 1; i <= REPEAT; i++)); do
		local out=$LOG_DIR/$tag.$i.out err=$LOG_DIR/$tag.$i.err tv=$LOG_DIR/$tag.$i.time
		rc=0
		[ "$mode" = warm ] || cat "$DUMP" >/dev/null
		"$TIME" -v -o "$tv" "$BIN" "$@" >"$out" 2>"$err" || rc=$?
		local status=ok wall user sys rss
		[ "$rc" -eq 0 ] || status="exit $rc"
		if grep -q "Command terminated by signal" "$tv" 2>/dev/null; then
			status="signal $(grep -o 'signal [0-9]*' "$tv" | head -n 1 | cut -d' ' -f2)"
		fi
		wall=$(wall_seconds "$tv")
		user=$(field "User time (seconds)" "$tv")
		sys=$(field "System time (seconds)" "$tv")
		rss=$(rss_mb "$tv")
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$wall
			row=$(printf '%-5s %-26s %-8s %8s %8s %8s %10s' "$mode" "$label" "$status" \
				"$wall" "${user:-?}" "${sys:-?}" "$rss")
		fi
		[ "$mode" = index ] && break # writing the index once is the point
	done
	ROWS+=("$row")
	echo "ran $mode $label: best ${best}s" >&2
}

dump_bytes=$(wc -c <"$DUMP")
echo "dump:    $DUMP ($dump_bytes bytes)"
echo "binary:  $BIN ($("$BIN" --version 2>/dev/null || echo '?'))"
echo "machine: $(nproc) cpus, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "repeat:  best of $REPEAT"

IFS=, read -r -a CMDS <<<"$COMMANDS"
if [ "$MODE" != warm ]; then
	for c in "${CMDS[@]}"; do
		read -r -a args <<<"$c"
		run cold "$c" "${args[@]}" --no-index "$DUMP"
	done
fi
if [ "$MODE" != cold ]; then
	run index "index" index --index-dir "$INDEX_DIR" "$DUMP"
	for c in "${CMDS[@]}"; do
		read -r -a args <<<"$c"
		run warm "$c" "${args[@]}" --index-dir "$INDEX_DIR" "$DUMP"
	done
fi
echo
printf '%-5s %-26s %-8s %8s %8s %8s %10s\n' mode command status wall_s user_s sys_s max_rss_MB
printf '%-5s %-26s %-8s %8s %8s %8s %10s\n' ---- ------- ------ ------ ------ ----- ----------
for r in "${ROWS[@]}"; do
	echo "$r"
done
echo
echo "logs: $LOG_DIR"
