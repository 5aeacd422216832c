#!/usr/bin/env bash
# tests/bench/peer-visualvm.sh - the same dump through VisualVM's heap library.
#
# Usage: tests/bench/peer-visualvm.sh DUMP [--retained]
#   --retained  also compute retained size by class (VisualVM's dominator
#               tree) and sort by it.
#
# Compiles tests/bench/VisualVMHeap.java into a temporary directory and runs
# it under `/usr/bin/time -v`: prints VisualVM's class histogram (top
# VISUALVM_TOP classes, default 20; then a total line), the time of each
# phase (on stderr), and `visualvm: wall S s, cpu S s, max RSS N MB`.
# The JVM gets -Xmx of 3/4 of the machine's memory (override: VISUALVM_XMX,
# e.g. 8g; extra JVM options: VISUALVM_JAVA_OPTS).  The jar is looked for at
# VISUALVM_HEAP_JAR, default the Debian package's.
#
# The library keeps its index in a directory DUMP.hwcache next to the dump
# it opens (NBProfiler.nphd, NBProfiler*.map, NBProfiler*.ref), and reuses
# it when it is there.  This script opens a symbolic link to the dump made
# in the temporary directory, so the cache lands there (no copy of the dump,
# nothing written next to it) and is deleted before the run and on exit:
# every run is cold.  A DUMP.hwcache left by the VisualVM GUI is not used.
#
# Needs a JDK (java, javac; $JAVA_HOME/bin when JAVA_HOME is set), the
# Debian package "visualvm" and GNU time at /usr/bin/time (package "time").
# shellcheck disable=SC2015 # "A && B || fail" is meant: fail unless both hold
set -euo pipefail

usage() {
	sed -n '2,24p' "$0" >&2
	exit 2
}
RETAINED=
case $# in
1) ;;
2) [ "$2" = --retained ] || usage; RETAINED=--retained ;;
*) usage ;;
esac
DUMP=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
JAR=${VISUALVM_HEAP_JAR:-/usr/share/visualvm/visualvm/modules/org-graalvm-visualvm-lib-jfluid-heap.jar}
BIN=${JAVA_HOME:+$JAVA_HOME/bin/}

[ -f "$DUMP" ] || {
	echo "peer-visualvm.sh: no such dump: $DUMP" >&2
	exit 1
}
for tool in "${BIN}java" "${BIN}javac"; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "peer-visualvm.sh: $tool not found (install openjdk-17-jdk-headless)" >&2
		exit 1
	}
done
[ -r "$JAR" ] || {
	echo "peer-visualvm.sh: VisualVM's heap library not found at $JAR (apt-get install visualvm)" >&2
	exit 1
}
# shellcheck source=tests/bench/timev.sh
. "$(dirname "${BASH_SOURCE[0]}")/timev.sh"
need_time peer-visualvm.sh

if [ -n "${VISUALVM_XMX:-}" ]; then
	XMX=$VISUALVM_XMX
else
	XMX=$(awk '/^MemTotal:/ { printf "%dm", $2 * 3 / 4 / 1024 }' /proc/meminfo)
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-peer-visualvm.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# compiled into the temporary directory: nothing is written to the tree
"${BIN}javac" -nowarn -d "$TMP/classes" -cp "$JAR" "$HERE/VisualVMHeap.java"

# the dump as the library sees it: a link in $TMP, so its cache goes there
REAL=$(realpath "$DUMP")
LINK=$TMP/$(basename "$DUMP")
ln -s "$REAL" "$LINK"
rm -rf "$LINK.hwcache"
had_cache=no
[ -e "$REAL.hwcache" ] && had_cache=yes

echo "dump:     $DUMP ($(wc -c <"$DUMP") bytes)"
echo "library:  $JAR"
echo "java:     $("${BIN}java" -version 2>&1 | head -n 1), -Xmx$XMX"
echo "machine:  $(nproc) cpus, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo

rc=0
# VISUALVM_JAVA_OPTS is split into words on purpose
# shellcheck disable=SC2086
"$TIME" -v -o "$TMP/time" "${BIN}java" -Xmx"$XMX" -Djava.io.tmpdir="$TMP" ${VISUALVM_JAVA_OPTS:-} \
	-cp "$TMP/classes:$JAR" VisualVMHeap "$LINK" $RETAINED --top "${VISUALVM_TOP:-20}" \
	>"$TMP/out" 2>"$TMP/err" || rc=$?
cat "$TMP/out"
cat "$TMP/err" >&2

# belt and braces: the library must not have written next to the real dump
if [ "$had_cache" = no ] && [ -e "$REAL.hwcache" ]; then
	echo "peer-visualvm.sh: removing $REAL.hwcache written by the library" >&2
	rm -rf "$REAL.hwcache"
fi


wall=$(wall_seconds "$TMP/time")
user=$(field "User time (seconds)" "$TMP/time")
sys=$(field "System time (seconds)" "$TMP/time")
cpu=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.2f", u + s }')
echo
echo "visualvm: wall $wall s, cpu $cpu s, max RSS $(rss_mb "$TMP/time") MB"
if [ "$rc" -ne 0 ]; then
	status="exit $rc"
	grep -q "Command terminated by signal" "$TMP/time" 2>/dev/null &&
		status="signal $(grep -o 'signal [0-9]*' "$TMP/time" | head -n 1 | cut -d' ' -f2)"
	echo "visualvm: failed ($status)" >&2
	exit "$rc"
fi
