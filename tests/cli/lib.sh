# A small assert library for the CLI tests: each test file sources it,
# runs the real binary ($NEEDLELOG) on a record file of its own, and ends
# with `finish`, which exits non-zero if any check failed.
set -u

: "${NEEDLELOG:?set NEEDLELOG to the needlelog binary}"
export NEEDLELOG_TEST_KDF=min LC_ALL=C.UTF-8
export NEEDLELOG_PASSPHRASE=correct-horse
export NEEDLELOG_PRACTITIONER="Dr Ana Ruiz"
# the first user of every test file: the audit names the user whose key
# opened the file, so the two agree unless a test says otherwise
export NEEDLELOG_USER="Dr Ana Ruiz"
unset NEEDLELOG_TODAY NEEDLELOG_NEW_PASSPHRASE XDG_DATA_HOME

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/needlelog-cli.XXXXXX")
trap 'rm -rf "$T_DIR"' EXIT
export NEEDLELOG_DB="$T_DIR/records.db"
T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
OUT= ERR= RC=

# run ARGS...: runs needlelog; sets OUT, ERR and RC.
run() {
	OUT=$("$NEEDLELOG" "$@" 2>"$T_DIR/stderr")
	RC=$?
	ERR=$(cat "$T_DIR/stderr")
}

# runin FILE ARGS...: the same with FILE on standard input.
runin() {
	local in=$1
	shift
	OUT=$("$NEEDLELOG" "$@" <"$in" 2>"$T_DIR/stderr")
	RC=$?
	ERR=$(cat "$T_DIR/stderr")
}

ok() {
	T_PASS=$((T_PASS + 1))
	echo "ok $((T_PASS + T_FAIL)) - $T_NAME: $1"
}

not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $((T_PASS + T_FAIL)) - $T_NAME: $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
	echo "#   command rc=$RC"
	echo "#   stdout: $(printf '%s' "$OUT" | head -c 1500)"
	echo "#   stderr: $(printf '%s' "$ERR" | head -c 1500)"
}

# check DESC CONDITION...: passes when the condition (a command) succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc" "failed: $*"; fi
}

expect_rc() {
	if [ "$RC" = "$1" ]; then ok "$2 (exit $1)"; else not_ok "$2" "expected exit $1"; fi
}

has() { printf '%s' "$1" | grep -qF -- "$2"; }

expect_out() {
	if has "$OUT" "$1"; then ok "${2:-stdout has '$1'}"; else not_ok "${2:-stdout has '$1'}" "missing: $1"; fi
}

expect_err() {
	if has "$ERR" "$1"; then ok "${2:-stderr has '$1'}"; else not_ok "${2:-stderr has '$1'}" "missing: $1"; fi
}

expect_no_out() {
	if has "$OUT" "$1"; then not_ok "${2:-stdout lacks '$1'}" "found: $1"; else ok "${2:-stdout lacks '$1'}"; fi
}

# Every message on stderr starts with "needlelog: ".
expect_err_prefixed() {
	if [ -z "$ERR" ] || ! printf '%s\n' "$ERR" | grep -v '^needlelog: ' | grep -q .; then
		ok "${1:-stderr lines start with 'needlelog: '}"
	else
		not_ok "${1:-stderr lines start with 'needlelog: '}"
	fi
}

# expect_id DESC: stdout is one plain integer; sets ID.
expect_id() {
	if [ "$RC" = 0 ] && printf '%s' "$OUT" | grep -qE '^[0-9]+$'; then
		ID=$OUT
		ok "$1 (id $ID)"
	else
		ID=
		not_ok "$1" "expected exit 0 and an id on stdout"
	fi
}

db_sum() { sha256sum "$NEEDLELOG_DB" | cut -d' ' -f1; }

# rejected RC DESC ARGS...: the command exits RC, says why on stderr, and
# leaves the record file byte-for-byte unchanged.
rejected() {
	local want=$1 desc=$2 before after
	shift 2
	before=$(db_sum)
	run "$@"
	after=$(db_sum)
	if [ "$RC" != "$want" ]; then
		not_ok "$desc" "expected exit $want"
	elif [ "$before" != "$after" ]; then
		not_ok "$desc" "the record file changed"
	elif ! printf '%s' "$ERR" | grep -q '^needlelog: '; then
		not_ok "$desc" "no 'needlelog: ' message on stderr"
	else
		ok "$desc (exit $want, file unchanged)"
	fi
}

# json DESC PYTHON-EXPR: evaluates the expression with d = json of stdout.
json() {
	local desc=$1 expr=$2
	if printf '%s' "$OUT" | python3 -c "
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if ($expr) else 1)" 2>"$T_DIR/py"; then
		ok "$desc"
	else
		not_ok "$desc" "json check failed: $expr" "$(cat "$T_DIR/py")"
	fi
}

# csvrows DESC PYTHON-EXPR: r = the rows of stdout parsed as CSV.
csvrows() {
	local desc=$1 expr=$2
	if printf '%s' "$OUT" | python3 -c "
import csv, io, sys
r = list(csv.reader(io.StringIO(sys.stdin.read(), newline='')))
sys.exit(0 if ($expr) else 1)" 2>"$T_DIR/py"; then
		ok "$desc"
	else
		not_ok "$desc" "csv check failed: $expr" "$(cat "$T_DIR/py")"
	fi
}

new_db() {
	rm -f "$NEEDLELOG_DB"
	run init
	[ "$RC" = 0 ] || { echo "Bail out! init failed: $ERR"; exit 1; }
}

finish() {
	echo "# $T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
}
