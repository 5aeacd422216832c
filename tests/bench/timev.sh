# tests/bench/timev.sh - reading GNU `time -v` reports; sourced by the
# benchmark scripts (bench.sh, peer-visualvm.sh).
# shellcheck shell=bash

TIME=/usr/bin/time

# need_time SCRIPT: exit unless GNU time is at $TIME
need_time() {
	[ -x "$TIME" ] && "$TIME" -v true 2>/dev/null || {
		echo "$1: GNU time is needed at $TIME (apt-get install time)" >&2
		exit 1
	}
}

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

# wall_seconds FILE, rss_mb FILE
wall_seconds() {
	to_seconds "$(field "Elapsed (wall clock) time (h:mm:ss or m:ss)" "$1")"
}
rss_mb() {
	awk -v k="$(field "Maximum resident set size (kbytes)" "$1")" \
		'BEGIN { printf "%.0f", (k == "" ? 0 : k) / 1024 }'
}
