#!/usr/bin/env bash
# tests/bench/bench.sh - time heaplens commands on one dump.
#
# Usage: tests/bench/bench.sh DUMP [HEAPLENS_BIN]
#   HEAPLENS_BIN defaults to build/heaplens (relative to the repository root).
#
# Runs `/usr/bin/time -v HEAPLENS_BIN CMD DUMP` for CMD in info, histogram,
# dominators, suspects (override with BENCH_COMMANDS="info histogram"), one
# after the other, and prints a table of exit status, wall time, CPU time and
# maximum RSS per command.  A command the binary does not know (it exits
# non-zero, prints nothing on stdout and says "unknown"/"unrecognized"/
# "invalid"/"not a ... command" or "usage") is shown as n/a.  Each command's
# stdout and stderr are kept in BENCH_LOG_DIR (default: a new directory under
# ${TMPDIR:-/tmp}), whose path is printed at the end.
#
# Needs GNU time at /usr/bin/time (Debian package "time").
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail unless both hold
set -euo pipefail

usage() {
	sed -n '2,16p' "$0" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
DUMP=$1
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${2:-$ROOT/build/heaplens}
COMMANDS=${BENCH_COMMANDS:-info histogram dominators suspects}
TIME=/usr/bin/time

[ -f "$DUMP" ] || {
	echo "bench.sh: no such dump: $DUMP" >&2
	exit 1
}
[ -x "$BIN" ] || {
	echo "bench.sh: heaplens binary not found or not executable: $BIN" >&2
	exit 1
}
[ -x "$TIME" ] && "$TIME" -v true 2>/dev/null || {
	echo "bench.sh: GNU time is needed at $TIME (apt-get install time)" >&2
	exit 1
}
LOG_DIR=${BENCH_LOG_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/heaplens-bench-log.XXXXXX")}
mkdir -p "$LOG_DIR"

# h:mm:ss or m:ss(.ss) -> seconds
to_seconds() {
	awk -v t="$1" 'BEGIN {
		n = split(t, p, ":"); s = 0
		for (i = 1; i <= n; i++) s = s * 60 + p[i]
		printf "%.2f", s
	}'
}

# field "Label" FILE: the value after "Label: " in a time -v report
field() {
	awk -v k="$1" '{
		line = $0; sub(/^[ \t]+/, "", line)
		if (index(line, k ": ") == 1) { print substr(line, length(k) + 3); exit }
	}' "$2"
}

dump_bytes=$(wc -c <"$DUMP")
echo "dump:    $DUMP ($dump_bytes bytes)"
echo "binary:  $BIN"
echo "machine: $(nproc) cpus, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo
ROWS=()
for cmd in $COMMANDS; do
	out=$LOG_DIR/$cmd.out
	err=$LOG_DIR/$cmd.err
	tv=$LOG_DIR/$cmd.time
	rc=0
	"$TIME" -v -o "$tv" "$BIN" "$cmd" "$DUMP" >"$out" 2>"$err" || rc=$?
	status=ok
	if [ "$rc" -ne 0 ]; then
		status="exit $rc"
		if grep -qiE "unknown (command|subcommand)|unrecognized|invalid (command|subcommand)|not a [a-z]* ?command|usage" "$err" &&
			! [ -s "$out" ]; then
			status=n/a
		fi
		# time -v reports a signal death in the first line
		if grep -q "Command terminated by signal" "$tv" 2>/dev/null; then
			status="signal $(grep -o 'signal [0-9]*' "$tv" | head -n 1 | cut -d' ' -f2)"
		fi
	fi
	wall=$(to_seconds "$(field "Elapsed (wall clock) time (h:mm:ss or m:ss)" "$tv")")
	user=$(field "User time (seconds)" "$tv")
	sys=$(field "System time (seconds)" "$tv")
	rss_kb=$(field "Maximum resident set size (kbytes)" "$tv")
	rss_mb=$(awk -v k="${rss_kb:-0}" 'BEGIN { printf "%.1f", k / 1024 }')
	ROWS+=("$(printf '%-12s %-10s %10s %10s %10s %12s' "$cmd" "$status" "$wall" "${user:-?}" "${sys:-?}" "$rss_mb")")
	echo "ran $cmd: $status" >&2
done
echo
printf '%-12s %-10s %10s %10s %10s %12s\n' command status wall_s user_s sys_s max_rss_MB
printf '%-12s %-10s %10s %10s %10s %12s\n' ------- ------ ------ ------ ----- ----------
for r in "${ROWS[@]}"; do
	echo "$r"
done
echo
echo "logs: $LOG_DIR"
