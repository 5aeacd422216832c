#!/usr/bin/env bash
# signals.sh - heaplens under signals, broken pipes and full disks.
#
#   bash tests/cli/signals.sh HEAPLENS_BIN MKBIG_BIN FIXTURES_DIR
#
# 1. A closed pipe: `heaplens histogram --top 0 DUMP | head -n 1` and the
#    same into a pipe whose reader is already gone end with the command's
#    own status (0) and nothing on standard error: no "Broken pipe", no
#    partial error, no death by SIGPIPE.
# 2. A full disk: standard output on /dev/full is an error, status 4, with
#    one message (docs/cli.md, "Exit status").
# 3. A file size limit (ulimit -f): the index and the spill file cannot be
#    written past it; heaplens says so and prints the same output (it is
#    not killed by SIGXFSZ).
# 4. Ctrl-C: a gzip'd dump that inflates past 64 MiB (made by MKBIG_BIN)
#    is inflated into a temporary file in $TMPDIR (or --tmpdir); SIGINT
#    sent once that file exists (seen in /proc/PID/maps or fd) kills
#    heaplens with status 130 and leaves the directory empty.  A run to
#    the end leaves it empty too.  SIGINT while the index (DUMP.hlidx) is
#    written next to the dump must not leave its temporary file either
#    (a known fault for now: reported, not failed).
#
# Exit status: 0 all passed, 1 a check failed, 2 bad usage; 77 (skipped)
# when /proc is missing.
set -u

if [ $# -ne 3 ]; then
	echo "usage: bash $0 HEAPLENS_BIN MKBIG_BIN FIXTURES_DIR" >&2
	exit 2
fi
bin=$1
mkbig=$2
fixtures=$3
fails=0

work=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-signals.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
# heaplens writes an index next to a dump in a writable directory (or in
# the cache): work on a copy, and keep the cache in $work too.
export XDG_CACHE_HOME=$work/cache
cp "$fixtures/general.hprof.gz" "$work/" || exit 2
big_input=$work/general.hprof.gz

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# ---- 1. closed pipes ----

pipe_case() {
	local name=$1 reader=$2
	shift 2
	local status
	"$bin" "$@" 2>"$work/pipe.err" | $reader >/dev/null
	status=${PIPESTATUS[0]}
	if [ "$status" != 0 ]; then
		bad "$name: status $status, expected 0; stderr: $(head -n 2 "$work/pipe.err")"
	elif [ -s "$work/pipe.err" ]; then
		bad "$name: stderr not empty: $(head -n 2 "$work/pipe.err")"
	else
		ok "$name"
	fi
}

# More than a pipe buffer (64 KiB) of output, so head's exit is felt.
size=$("$bin" histogram --top 0 "$big_input" 2>/dev/null | wc -c)
if [ "$size" -le 65536 ]; then
	bad "histogram --top 0 prints only $size bytes: not enough to fill a pipe"
fi
pipe_case "histogram | head -n 1" "head -n 1" histogram --top 0 "$big_input"
pipe_case "histogram --format json | head -c 10" "head -c 10" --format json histogram --top 0 "$big_input"
pipe_case "strings | head -n 1" "head -n 1" strings --min-count 1 --top 0 "$big_input"
pipe_case "dominators | true" "true" dominators --depth 4 --top 0 "$big_input"
pipe_case "info | true" "true" info "$big_input"

# ---- 2. a full disk ----

if [ -w /dev/full ]; then
	"$bin" histogram --top 0 "$big_input" >/dev/full 2>"$work/full.err"
	status=$?
	if [ "$status" != 4 ]; then
		bad "histogram >/dev/full: status $status, expected 4"
	elif [ "$(wc -l <"$work/full.err")" != 1 ] ||
		! grep -q 'write error on standard output' "$work/full.err"; then
		bad "histogram >/dev/full: stderr: $(cat "$work/full.err")"
	else
		ok "histogram >/dev/full: status 4, $(cat "$work/full.err")"
	fi
fi

# ---- 3. a file size limit ----

# Under `ulimit -f`, writes past the limit fail (EFBIG) instead of killing
# heaplens with SIGXFSZ: the index is not written (a note says so), the
# spill file keeps what fits (HEAPLENS_SPILL=all: every array tried), and
# the output is the same.  Standard output goes through a pipe, which the
# limit does not cover.
lim=$work/lim
mkdir -p "$lim"
cp "$fixtures/general.hprof.gz" "$lim/"
"$bin" dominators --no-index "$lim/general.hprof.gz" 2>/dev/null >"$work/lim.want"
(
	ulimit -f 16
	HEAPLENS_SPILL=all TMPDIR=$lim exec "$bin" dominators "$lim/general.hprof.gz"
) 2>"$work/lim.err" | cat >"$work/lim.out"
status=${PIPESTATUS[0]}
if [ "$status" != 0 ]; then
	bad "ulimit -f 16: status $status, expected 0; stderr: $(head -n 2 "$work/lim.err")"
elif ! cmp -s "$work/lim.want" "$work/lim.out"; then
	bad "ulimit -f 16: the output differs from a run without the limit"
elif ! grep -q "cannot write the index.*File too large" "$work/lim.err"; then
	bad "ulimit -f 16: no note on the index: $(head -n 2 "$work/lim.err")"
else
	ok "ulimit -f 16: status 0, same output, $(head -n 1 "$work/lim.err")"
fi

# ---- 4. SIGINT while a big gzip'd dump is analysed ----

if [ ! -d /proc/self ]; then
	echo "skip: no /proc"
	exit $((fails ? 1 : 77))
fi

# Does process $1 hold a file of directory $2 (mapped or open)?
holds_file_in() {
	grep -qF " $2/" "/proc/$1/maps" 2>/dev/null && return 0
	ls -l "/proc/$1/fd" 2>/dev/null | grep -qF -- "-> $2/"
}

# Start heaplens with SIGINT at its default action (a background job of a
# non-interactive shell would ignore it), wait for its temporary file,
# interrupt it.  Returns 0 when checked, 1 on failure, 3 when heaplens
# finished before the signal could be sent (the dump is too small).
interrupt_run() {
	local dump=$1 tmp=$2 how=$3 pid status i seen=0
	shift 3
	if [ "$how" = env ]; then
		TMPDIR=$tmp env --default-signal=INT "$bin" "$@" "$dump" \
			>/dev/null 2>"$work/int.err" &
	else
		env --default-signal=INT "$bin" --tmpdir "$tmp" "$@" "$dump" \
			>/dev/null 2>"$work/int.err" &
	fi
	pid=$!
	for i in $(seq 1 3000); do
		if holds_file_in "$pid" "$tmp"; then
			seen=1
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if [ "$seen" = 1 ] && kill -INT "$pid" 2>/dev/null; then
		wait "$pid"
		status=$?
	else
		wait "$pid"
		return 3
	fi
	if [ "$status" != 130 ]; then
		bad "SIGINT ($how): status $status, expected 130; stderr: $(head -n 2 "$work/int.err")"
		return 1
	fi
	if [ -n "$(ls -A "$tmp")" ]; then
		bad "SIGINT ($how): $tmp not empty after the run: $(ls -A "$tmp")"
		return 1
	fi
	ok "SIGINT ($how) during '$*': status 130, temporary directory empty"
	return 0
}

if ! env --default-signal=INT true 2>/dev/null; then
	echo "skip: env --default-signal is missing (coreutils < 8.31)"
	exit $((fails ? 1 : 0))
fi
tmp=$work/tmp
mkdir -p "$tmp"
nodes=3000000
for attempt in 1 2 3; do
	if ! "$mkbig" "$work/big.hprof.gz" "$nodes" >/dev/null; then
		bad "$mkbig failed"
		break
	fi
	r1=0
	r2=0
	interrupt_run "$work/big.hprof.gz" "$tmp" env suspects || r1=$?
	interrupt_run "$work/big.hprof.gz" "$tmp" option dominators || r2=$?
	[ "$r1" != 3 ] && [ "$r2" != 3 ] && break
	echo "note: heaplens ended before SIGINT could be sent; a bigger dump"
	nodes=$((nodes * 2))
	[ "$attempt" = 3 ] && bad "heaplens always ended before SIGINT"
done

# SIGINT while heaplens writes the dump's index next to it (DUMP.hlidx,
# written to an unnamed O_TMPFILE in that directory, named and renamed once
# complete): nothing may be left behind.  The write is caught by the
# process holding a file open in that directory.
known_index_tmp=0
idx=$work/idx
mkdir -p "$idx"
cp "$work/big.hprof.gz" "$idx/"
env --default-signal=INT "$bin" dominators "$idx/big.hprof.gz" >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 3000); do
	compgen -G "$idx/big.hprof.gz.hlidx.tmp.*" >/dev/null && break
	ls -l "/proc/$pid/fd" 2>/dev/null | grep -q -- "-> $idx/" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.005
done
kill -INT "$pid" 2>/dev/null
wait "$pid"
status=$?
left=$(cd "$idx" && ls -A | grep -v '^big\.hprof\.gz$' | grep -v '^big\.hprof\.gz\.hlidx$')
if [ -z "$left" ]; then
	ok "SIGINT while the index is written (status $status): nothing left next to the dump"
elif [ "$known_index_tmp" = 1 ]; then
	echo "KNOWN FAULT SIGINT while the index is written: left behind: $left"
else
	bad "SIGINT while the index is written: left behind: $left"
fi

# A run to the end leaves nothing behind either.
TMPDIR=$tmp "$bin" info "$work/big.hprof.gz" >"$work/info.out" 2>&1
status=$?
if [ "$status" != 0 ]; then
	bad "info on the big dump: status $status: $(head -n 2 "$work/info.out")"
elif [ -n "$(ls -A "$tmp")" ]; then
	bad "info on the big dump: $tmp not empty: $(ls -A "$tmp")"
elif ! awk '$1 == "uncompressed_size" && $2 > 67108864 { found = 1 }
	END { exit !found }' "$work/info.out"; then
	bad "the big dump inflates to less than 64 MiB: $(grep uncompressed_size "$work/info.out")"
else
	ok "info on the big dump ($(grep uncompressed_size "$work/info.out" | tr -s ' ')): temporary directory empty"
fi

echo "signals: $fails failed"
[ "$fails" = 0 ]
