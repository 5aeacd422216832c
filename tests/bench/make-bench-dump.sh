#!/usr/bin/env bash
# tests/bench/make-bench-dump.sh - make a big, uncompressed benchmark dump.
#
# Usage: tests/bench/make-bench-dump.sh OUT_DIR [SIZE [OBJECTS]]
#   SIZE     approximate dump size: 600m, 1g (default), 5g, or a number of MB.
#   OBJECTS  approximate object count (a number, or with a suffix m: 12.6m);
#            defaults: 600m -> 12.6m (the issue's reference dump: 585 MB,
#            12.6 million objects), 5g -> 100m, otherwise about 12 million
#            per GiB.  Denser dumps get smaller payload arrays.
#
# Writes OUT_DIR/bench-SIZE.hprof (e.g. bench-1g.hprof), plus
# OUT_DIR/bench-SIZE.histo.txt (`jmap -histo:live`, taken right before the
# dump) and OUT_DIR/bench-SIZE.info (what the program built).
#
# The heap is a scaled-up mix of the "caches" and "deleteonexit" fixtures
# (tests/bench/BenchHeap.java): about 12 million objects per GiB of dump.
# The JVM gets -Xmx of about 2.5 x SIZE (1g: 2816m, 5g: 13056m), so check
# the machine's memory before asking for big dumps.  Needs a JDK 17 (java,
# javac, jmap, jcmd); uses $JAVA_HOME/bin when JAVA_HOME is set.
# BENCH_GC picks the collector the heap is built under: Serial (default),
# G1 (the JVM's default, whose regions put the objects in another order),
# Parallel; with it set, the files are named bench-SIZE-gc.hprof and so on
# (bench-600m-g1.hprof).
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail unless both hold
set -euo pipefail

usage() {
	sed -n '2,23p' "$0" >&2
	exit 2
}
[ $# -ge 1 ] && [ $# -le 3 ] || usage
OUT_DIR=$1
SIZE=${2:-1g}
OBJECTS=${3:-}
if [ -z "$OBJECTS" ]; then
	case ${SIZE,,} in
	600m) OBJECTS=12.6m ;;
	5g) OBJECTS=100m ;;
	esac
fi
if [ -n "$OBJECTS" ]; then
	OBJECTS=$(awk -v o="${OBJECTS,,}" 'BEGIN {
		m = 1; if (o ~ /m$/) { m = 1000000; sub(/m$/, "", o) }
		if (o !~ /^[0-9]+(\.[0-9]+)?$/) exit 1
		printf "%d", o * m }') && [ "$OBJECTS" -ge 10 ] || {
		echo "make-bench-dump.sh: bad OBJECTS ${3:-}" >&2
		exit 2
	}
fi
case ${SIZE,,} in
*g) MB=$((${SIZE%[gG]} * 1024)) ;;
*m) MB=${SIZE%[mM]} ;;
*[0-9]) MB=$SIZE ;;
*) usage ;;
esac
[[ $MB =~ ^[0-9]+$ ]] && [ "$MB" -ge 16 ] || {
	echo "make-bench-dump.sh: bad SIZE $SIZE" >&2
	exit 2
}
LABEL=${SIZE,,}
[[ $LABEL =~ ^[0-9]+$ ]] && LABEL=${LABEL}m
GC=${BENCH_GC:-Serial}
case ${GC,,} in
serial) GC=Serial ;;
g1) GC=G1 ;;
parallel) GC=Parallel ;;
*)
	echo "make-bench-dump.sh: BENCH_GC: Serial, G1 or Parallel, not $GC" >&2
	exit 2
	;;
esac
[ -z "${BENCH_GC:-}" ] || LABEL=$LABEL-${GC,,}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${JAVA_HOME:+$JAVA_HOME/bin/}
for tool in "${BIN}java" "${BIN}javac" "${BIN}jmap" "${BIN}jcmd"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "make-bench-dump.sh: $tool not found (install openjdk-17-jdk-headless)" >&2
		exit 1
	}
done

mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
DUMP=$OUT_DIR/bench-$LABEL.hprof
HISTO=$OUT_DIR/bench-$LABEL.histo.txt
INFO=$OUT_DIR/bench-$LABEL.info
TMP=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-bench.XXXXXX")
JPID=
cleanup() {
	if [ -n "$JPID" ] && kill -0 "$JPID" 2>/dev/null; then
		touch "$TMP/go"
		sleep 1
		kill "$JPID" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
rm -f "$DUMP" "$HISTO" "$INFO"

XMX=$((MB * 5 / 2 + 256))
echo "== building a heap for a ~${MB} MB dump (java -Xmx${XMX}m -XX:+Use${GC}GC)"
start=$(date +%s)
# compiled into the temporary directory: nothing is written to the tree
"${BIN}javac" -nowarn -d "$TMP/classes" "$HERE/BenchHeap.java"
"${BIN}java" -XX:+Use${GC}GC -Xmx${XMX}m -Xms${XMX}m -cp "$TMP/classes" BenchHeap "$MB" "$TMP/ready" "$TMP/go" $OBJECTS \
	>"$TMP/out.txt" 2>"$TMP/err.txt" &
JPID=$!
while [ ! -s "$TMP/ready" ]; do
	if ! kill -0 "$JPID" 2>/dev/null; then
		cat "$TMP/err.txt" >&2
		echo "make-bench-dump.sh: the JVM died while building the heap" >&2
		exit 1
	fi
	sleep 1
done
PID=$(tr -dc 0-9 <"$TMP/ready")
echo "   built in $(($(date +%s) - start)) s; jmap -histo:live"
"${BIN}jmap" -histo:live "$PID" >"$HISTO"
echo "   jcmd GC.heap_dump $DUMP"
"${BIN}jcmd" "$PID" GC.heap_dump "$DUMP" >"$TMP/jcmd.txt"
grep -q "Heap dump file created" "$TMP/jcmd.txt" || {
	cat "$TMP/jcmd.txt" >&2
	exit 1
}
touch "$TMP/go"
wait "$JPID" || true
JPID=
cp "$TMP/out.txt" "$INFO"
objects=$(awk '$1 == "Total" { print $2 }' "$HISTO")
bytes=$(awk '$1 == "Total" { print $3 }' "$HISTO")
size=$(wc -c <"$DUMP")
{
	echo "histo_total_objects $objects"
	echo "histo_total_bytes $bytes"
	echo "dump_bytes $size"
} >>"$INFO"
echo "== $DUMP: $size bytes, $objects objects (jmap -histo:live total; $bytes bytes of heap), $(($(date +%s) - start)) s"
