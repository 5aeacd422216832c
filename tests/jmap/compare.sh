#!/usr/bin/env bash
# tests/jmap/compare.sh [HEAPLENS] [COLLECTOR...]: a check by hand (needs a
# JDK 17), beyond the fixtures: RealApp (javac compiling 40 classes in
# process and kept, lambdas, records, enums, a proxy, method handles, an XML
# DOM, a thread pool, a thread local) runs under each collector (default:
# serial g1 parallel shenandoah zgc nocoops); its heap is dumped with
# `jcmd GC.heap_dump` while it sleeps (after a first `jmap -histo:live`
# has let the Cleaner catch up), then `jmap -histo:live` is taken, and
# compare.py checks every class's object count.  Exit 1 when one differs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
heaplens=${1:-$here/../../build/heaplens}
[ $# -gt 0 ] && shift
collectors=("$@")
[ ${#collectors[@]} -eq 0 ] && collectors=(serial g1 parallel shenandoah zgc nocoops)
work=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-jmap.XXXXXX")
trap 'rm -rf "$work"' EXIT
javac -nowarn -d "$work/classes" "$here/RealApp.java"
fail=0
for c in "${collectors[@]}"; do
	case $c in
	serial) flags=(-XX:+UseSerialGC) ;;
	g1) flags=(-XX:+UseG1GC) ;;
	parallel) flags=(-XX:+UseParallelGC) ;;
	shenandoah) flags=(-XX:+UseShenandoahGC) ;;
	zgc) flags=(-XX:+UseZGC) ;;
	nocoops) flags=(-XX:+UseSerialGC -XX:-UseCompressedOops) ;;
	*) echo "compare.sh: unknown collector $c" >&2; exit 2 ;;
	esac
	java "${flags[@]}" -Xmx512m -cp "$work/classes" RealApp "$work/$c.ready" >"$work/$c.log" 2>&1 &
	jpid=$!
	for _ in $(seq 600); do [ -s "$work/$c.ready" ] && break; sleep 0.1; done
	[ -s "$work/$c.ready" ] || { cat "$work/$c.log" >&2; exit 1; }
	# a first full GC lets the Cleaner and Reference Handler threads catch up
	jmap -histo:live "$jpid" >/dev/null
	sleep 1
	jcmd "$jpid" GC.heap_dump "$work/$c.hprof" >/dev/null
	jmap -histo:live "$jpid" >"$work/$c.histo.txt"
	kill "$jpid"
	wait "$jpid" 2>/dev/null || true
	echo "== $c (${flags[*]})"
	python3 "$here/compare.py" "$heaplens" "$work/$c.hprof" "$work/$c.histo.txt" || fail=1
	rm -f "$work/$c.hprof"
done
exit "$fail"
