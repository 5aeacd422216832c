#!/usr/bin/env bash
# run.sh - command-line tests of heaplens with exact expected output.
#
#   bash tests/cli/run.sh HEAPLENS_BIN FIXTURES_DIR [--regen] [CASE...]
#
# Each case is a directory tests/cli/cases/NAME/ holding:
#   cmd     the arguments, on one line, split on blanks; @FIXTURES@ stands
#           for FIXTURES_DIR (an empty file: no arguments at all)
#   stdout  expected standard output
#   stderr  expected standard error
#   status  expected exit status
# In stdout and stderr the fixtures directory is written as @FIXTURES@, so
# the expectations do not depend on where the tree is checked out.
#
# Every case runs with LC_ALL=C, stdin from /dev/null and stdout and stderr
# redirected to files (never a terminal), in a fresh empty directory.  The
# three results must match exactly.  Two invariants are checked as well:
# no output may contain a control character other than newline and tab,
# and, when python3 is installed, the standard output of a case run with
# --format json and exit status 0 must parse with `python3 -m json.tool`.
#
# --regen rewrites stdout, stderr and status of the selected cases (all by
# default) from the current binary; review the change with git diff before
# committing it.  CASE... restricts the run to the named cases.
#
# Exit status: 0 all passed, 1 a case failed, 2 bad usage of this script.
# Needs bash, coreutils and diff; python3 is optional.

set -u

usage() {
	echo "usage: bash $0 HEAPLENS_BIN FIXTURES_DIR [--regen] [CASE...]" >&2
	exit 2
}

[ $# -ge 2 ] || usage
bin=$1
fixtures=$2
shift 2
regen=0
selected=()
for a in "$@"; do
	case $a in
	--regen) regen=1 ;;
	-*) usage ;;
	*) selected+=("$a") ;;
	esac
done

# A relative binary path must survive the change of directory below.
case $bin in
/*) ;;
*/*) bin=$PWD/$bin ;;
esac
if [ ! -x "$bin" ] || [ -d "$bin" ]; then
	echo "run.sh: $bin: not an executable file" >&2
	exit 2
fi
while [ "${#fixtures}" -gt 1 ] && [ "${fixtures%/}" != "$fixtures" ]; do
	fixtures=${fixtures%/}
done
if [ ! -d "$fixtures" ]; then
	echo "run.sh: $fixtures: not a directory" >&2
	exit 2
fi
# The commands run in a scratch directory, so they get the fixtures
# directory as an absolute path, which the outputs then carry.
case $fixtures in
/*) fixtures_abs=$fixtures ;;
*) fixtures_abs=$(cd "$fixtures" && pwd) ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
cases_dir=$here/cases
if [ ! -d "$cases_dir" ]; then
	echo "run.sh: $cases_dir: no cases" >&2
	exit 2
fi

have_python=0
if command -v python3 >/dev/null 2>&1; then
	have_python=1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/heaplens-cli.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

# sed pattern that matches a string literally (BRE).
sed_literal() {
	printf '%s' "$1" | sed -e 's/[][\.*^$/]/\\&/g'
}
pat_abs=$(sed_literal "$fixtures_abs")

# Write file $1 with the fixtures directory replaced by @FIXTURES@ to $2.
unfixture() {
	sed -e "s/$pat_abs/@FIXTURES@/g" "$1" >"$2"
}

# Nonzero when file $1 holds a control character other than \n and \t.
has_control() {
	LC_ALL=C tr -d '\n\t' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]'
}

if [ ${#selected[@]} -eq 0 ]; then
	for d in "$cases_dir"/*/; do
		d=${d%/}
		selected+=("${d##*/}")
	done
fi

pass=0
fail=0
failed=()

for name in "${selected[@]}"; do
	dir=$cases_dir/$name
	problems=()
	if [ ! -f "$dir/cmd" ]; then
		echo "FAIL $name: no file $dir/cmd"
		fail=$((fail + 1))
		failed+=("$name")
		continue
	fi
	line=$(head -n 1 "$dir/cmd")
	read -r -a words <<<"$line"
	args=()
	for w in ${words[@]+"${words[@]}"}; do
		args+=("${w//@FIXTURES@/$fixtures_abs}")
	done

	run=$work/$name
	mkdir -p "$run/cwd"
	(cd "$run/cwd" && LC_ALL=C exec "$bin" ${args[@]+"${args[@]}"} \
		</dev/null >"$run/out.raw" 2>"$run/err.raw")
	status=$?
	unfixture "$run/out.raw" "$run/stdout"
	unfixture "$run/err.raw" "$run/stderr"
	echo "$status" >"$run/status"

	if has_control "$run/out.raw"; then
		problems+=("stdout holds a control character")
	fi
	if has_control "$run/err.raw"; then
		problems+=("stderr holds a control character")
	fi
	case " $line " in
	*" --format json "* | *" --format=json "*)
		if [ "$have_python" = 1 ] && [ "$status" = 0 ] &&
			! python3 -m json.tool <"$run/out.raw" >/dev/null 2>"$run/json.err"; then
			problems+=("stdout is not valid JSON: $(head -n 1 "$run/json.err")")
		fi
		;;
	esac

	if [ "$regen" = 1 ]; then
		cp "$run/stdout" "$dir/stdout"
		cp "$run/stderr" "$dir/stderr"
		cp "$run/status" "$dir/status"
	else
		for part in stdout stderr status; do
			if [ ! -f "$dir/$part" ]; then
				problems+=("no expected $part")
			elif ! cmp -s "$dir/$part" "$run/$part"; then
				problems+=("$part differs:
$(diff -u --label "expected $part" --label "actual $part" "$dir/$part" "$run/$part")")
			fi
		done
	fi

	if [ ${#problems[@]} -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed+=("$name")
		echo "FAIL $name: heaplens $line"
		for p in "${problems[@]}"; do
			printf '  %s\n' "$p"
		done
	fi
done

total=$((pass + fail))
if [ "$regen" = 1 ]; then
	echo "cli: regenerated $total cases ($fail with a broken invariant)"
else
	echo "cli: $pass passed, $fail failed, $total cases"
fi
if [ "$fail" -gt 0 ]; then
	echo "cli: failed: ${failed[*]}"
	exit 1
fi
exit 0
