#!/usr/bin/env bash
# tests/bench/pairs.sh - how heaplens's wall and CPU time grow from one dump
# to a bigger one, measured in pairs run back to back.
#
# Usage: tests/bench/pairs.sh SMALL_DUMP BIG_DUMP [PAIRS [COMMAND [ARGS...]]]
#   PAIRS defaults to 3, COMMAND to "suspects"; HEAPLENS_BIN to
#   build/heaplens.
#
# Runs the command cold (`--no-index`) on the small dump, then at once on
# the big one, PAIRS times, each run under GNU `time -v`; prints each run's
# wall time, CPU time (user + system) and peak RSS, each pair's ratios
# big/small, and the median ratios against the ratio of the objects (from
# `heaplens info`).  A pair is run back to back so that both of its runs
# meet the machine in the same mood: on a shared machine the same run
# varies from hour to hour far more than between two runs a minute apart.
# The ratio of instructions, which no mood moves, is scale.sh's.
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail unless both hold
set -euo pipefail

usage() {
	sed -n '2,16p' "$0" >&2
	exit 2
}
[ $# -ge 2 ] || usage
SMALL=$1
BIG=$2
PAIRS=${3:-3}
shift 2
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- suspects
[[ $PAIRS =~ ^[1-9][0-9]*$ ]] || usage
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${HEAPLENS_BIN:-$ROOT/build/heaplens}
# shellcheck source=tests/bench/timev.sh
. "$HERE/timev.sh"
need_time pairs.sh
for d in "$SMALL" "$BIG"; do
	[ -f "$d" ] || {
		echo "pairs.sh: no such dump: $d" >&2
		exit 1
	}
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-pairs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

objects() {
	"$BIN" info --no-index --format tsv "$1" | awk -F'\t' '$1 == "objects" { print $2 }'
}
OS=$(objects "$SMALL")
OB=$(objects "$BIG")
[ -n "$OS" ] && [ -n "$OB" ] || {
	echo "pairs.sh: heaplens info failed" >&2
	exit 1
}

# run ARGS...: "wall cpu peak_MB" of one cold run of $DUMP
run() {
	"$TIME" -v "$BIN" "$@" --no-index "$DUMP" >/dev/null 2>"$WORK/t" || {
		echo "pairs.sh: heaplens $* failed on $DUMP:" >&2
		tail -n 30 "$WORK/t" >&2
		exit 1
	}
	local u s
	u=$(field "User time (seconds)" "$WORK/t")
	s=$(field "System time (seconds)" "$WORK/t")
	echo "$(wall_seconds "$WORK/t")" \
		"$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')" \
		"$(rss_mb "$WORK/t")"
}

printf '%-4s %9s %9s %9s %9s %9s %9s %8s %8s\n' pair small_s small_cpu small_MB \
	big_s big_cpu big_MB wall_x cpu_x
for ((i = 1; i <= PAIRS; i++)); do
	DUMP=$SMALL
	read -r sw sc sm < <(run "$@")
	DUMP=$BIG
	read -r bw bc bm < <(run "$@")
	awk -v i="$i" -v sw="$sw" -v sc="$sc" -v sm="$sm" -v bw="$bw" -v bc="$bc" -v bm="$bm" \
		'BEGIN { printf "%-4d %9.2f %9.2f %9.0f %9.2f %9.2f %9.0f %7.2fx %7.2fx\n",
			 i, sw, sc, sm, bw, bc, bm, bw / (sw > 0 ? sw : 0.01),
			 bc / (sc > 0 ? sc : 0.01) }' |
		tee -a "$WORK/rows"
done
awk -v os="$OS" -v ob="$OB" '
	{ w[NR] = $8 + 0; c[NR] = $9 + 0 }
	function median(a, n,   i, j, t) {
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		printf "objects %d and %d: %.2fx; median wall %.2fx, median CPU %.2fx\n",
		       os, ob, ob / os, median(w, NR), median(c, NR)
	}' "$WORK/rows"
