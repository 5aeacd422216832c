#!/usr/bin/env bash
# tests/bench/scale.sh - how heaplens's work grows from one dump to a bigger
# one, in instructions: a measure that this machine's noise does not move.
#
# Usage: tests/bench/scale.sh SMALL_DUMP BIG_DUMP [COMMAND [ARGS...]]
#   COMMAND defaults to "suspects"; HEAPLENS_BIN to build/heaplens.
#
# Runs the command once on each dump under `valgrind --tool=callgrind`
# (one thread, `--no-index`), which counts the instructions executed,
# whatever else the machine does: the same binary and input give the same
# count.  Prints, for each dump, its objects (from `heaplens info`), the
# instructions and the instructions per object; then the ratios big/small
# of the objects and of the instructions, and the functions whose
# instructions grow most against the objects.  Wall time on a real machine
# grows faster than the instructions where random reads outgrow the caches
# and the TLB; this script measures the work, not those misses.
#
# Slow: about 50 times the command's own CPU time (110 s for `suspects`
# on the 600 MB benchmark dump, about 20 minutes on the 5.4 GB one).
# Needs valgrind (Debian package "valgrind").  SCALE_OUT keeps the
# callgrind files (default: a new directory under ${TMPDIR:-/tmp}).
set -euo pipefail

usage() {
	sed -n '2,21p' "$0" >&2
	exit 2
}
[ $# -ge 2 ] || usage
SMALL=$1
BIG=$2
shift 2
[ $# -gt 0 ] || set -- suspects
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${HEAPLENS_BIN:-$ROOT/build/heaplens}
OUT=${SCALE_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/heaplens-scale.XXXXXX")}
mkdir -p "$OUT"
command -v valgrind >/dev/null || {
	echo "scale.sh: valgrind is needed (apt-get install valgrind)" >&2
	exit 1
}
for d in "$SMALL" "$BIG"; do
	[ -f "$d" ] || {
		echo "scale.sh: no such dump: $d" >&2
		exit 1
	}
done

# objects DUMP: the object count heaplens finds
objects() {
	"$BIN" info --no-index --format tsv "$1" | awk -F'\t' '$1 == "objects" { print $2 }'
}

declare -A OBJ INS
for name in small big; do
	if [ $name = small ]; then d=$SMALL; else d=$BIG; fi
	OBJ[$name]=$(objects "$d")
	[ -n "${OBJ[$name]}" ] || {
		echo "scale.sh: heaplens info failed on $d" >&2
		exit 1
	}
	echo "scale.sh: $* on $d under callgrind..." >&2
	valgrind --tool=callgrind --callgrind-out-file="$OUT/$name.cg" \
		"$BIN" "$@" --threads 1 --no-index "$d" >/dev/null 2>"$OUT/$name.err" || {
		echo "scale.sh: heaplens failed on $d; see $OUT/$name.err" >&2
		exit 1
	}
	INS[$name]=$(awk '/^totals:|^summary:/ { print $2; exit }' "$OUT/$name.cg")
	callgrind_annotate --threshold=100 "$OUT/$name.cg" 2>/dev/null |
		awk '/file:function/ { on = 1; next }
		     on && $1 ~ /^[0-9,]+$/ { gsub(",", "", $1); f = $NF; sub(/^.*:/, "", f)
					     if ($0 ~ /\[/) { f = $(NF - 1); sub(/^.*:/, "", f) }
					     print f "\t" $1 }' >"$OUT/$name.fn"
done

printf '%-6s %14s %18s %12s\n' dump objects instructions per_object
for name in small big; do
	printf '%-6s %14s %18s %12.1f\n' "$name" "${OBJ[$name]}" "${INS[$name]}" \
		"$(awk -v i="${INS[$name]}" -v o="${OBJ[$name]}" 'BEGIN { print i / o }')"
done
awk -v os="${OBJ[small]}" -v ob="${OBJ[big]}" -v is="${INS[small]}" -v ib="${INS[big]}" \
	'BEGIN { printf "ratio  objects %.2fx, instructions %.2fx (%.3f per object ratio)\n",
		 ob / os, ib / is, (ib / is) / (ob / os) }'
echo
echo "functions with the most instructions on the big dump, and their growth:"
printf '%-36s %16s %16s %8s\n' function small big ratio
awk -F'\t' '
	NR == FNR { s[$1] += $2; next }
	{ b[$1] += $2 }
	END {
		for (f in b) printf "%.0f\t%s\t%.0f\n", b[f], f, (f in s ? s[f] : 0)
	}' "$OUT/small.fn" "$OUT/big.fn" | sort -t$'\t' -k1,1nr | head -n 15 |
	awk -F'\t' '{ r = $3 > 0 ? sprintf("%.2fx", $1 / $3) : "new"
		       printf "%-36s %16s %16s %8s\n", substr($2, 1, 36), $3, $1, r }'
echo
echo "callgrind files: $OUT"
