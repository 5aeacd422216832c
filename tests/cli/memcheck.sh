#!/usr/bin/env bash
# memcheck.sh HEAPLENS FIXTURES: the commands under valgrind's memcheck, which
# sees what the sanitizers do not: uninitialised bytes written to a file (an
# index, a kept report) or steering a branch.  Each fixture's index is
# written by a first command (on its second thread), then read back by the
# next ones (general-hotspot-gz: HotSpot's gzip members, inflated on threads);
# one dump is also analysed without an index on one thread.
# Exit 77 (skipped) when valgrind is not installed.
set -u
bin=$1 fix=$2
command -v valgrind >/dev/null 2>&1 || { echo "memcheck: valgrind not found: skipped"; exit 77; }
work=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-memcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
vg() { # vg NAME ARGS...: one run; its errors, if any, on stdout
	local name=$1
	shift
	valgrind -q --error-exitcode=99 --num-callers=20 "$bin" "$@" >"$work/out" 2>"$work/err"
	local rc=$?
	if [ "$rc" = 99 ] || grep -q '^==[0-9]*==' "$work/err"; then
		echo "memcheck: $name: valgrind found errors:"
		cat "$work/err"
		fail=1
	elif [ "$rc" != 0 ]; then
		echo "memcheck: $name: exit $rc"
		cat "$work/err"
		fail=1
	fi
}
for f in general caches threadlocal deleteonexit general-nocoops general-hotspot-gz; do
	d="$fix/$f.hprof.gz"
	mkdir -p "$work/idx-$f"
	vg "$f suspects (writes the index)" suspects --threads 2 --index-dir "$work/idx-$f" "$d"
	vg "$f index (its reports)" index --index-dir "$work/idx-$f" "$d"
	for c in histogram "histogram --by package" "dominators --depth 4" threads strings; do
		# shellcheck disable=SC2086
		vg "$f $c (from the index)" $c --index-dir "$work/idx-$f" "$d"
	done
done
vg "caches suspects (no index, one thread)" suspects --no-index --threads 1 "$fix/caches.hprof.gz"
id=$("$bin" dominators --no-index --format tsv --depth 1 "$fix/caches.hprof.gz" | awk -F'\t' 'NR == 2 { print $2 }')
vg "caches path (no index)" path --no-index --threads 1 "$fix/caches.hprof.gz" "$id"
vg "caches show (no index)" show --no-index "$fix/caches.hprof.gz" "$id"
[ "$fail" = 0 ] && echo "memcheck: clean"
exit "$fail"
