#!/usr/bin/env bash
# The real binary on a record file it cannot write: reading commands and
# check work (exit 0), a write fails with exit 74 saying "read-only", a hot
# journal that cannot be rolled back is a clear error, and the file's bytes
# never change.
# As root the file is seen through a read-only bind mount, in a private
# mount namespace when unshare allows (exit 77, skipped, if mount is
# refused); as anyone else through chmod 0400 on the file and 0500 on its
# folder (root writes through those, so they prove nothing for root).
# Usage: cli_readonly.sh MAKE_HOT  (with $NEEDLELOG set by meson's test_env)
set -u
HOT=${1:?usage: cli_readonly.sh MAKE_HOT}
NL=${NEEDLELOG:?NEEDLELOG must name the needlelog binary}
export NEEDLELOG_TEST_KDF=${NEEDLELOG_TEST_KDF:-min}
export NEEDLELOG_PASSPHRASE=read-only-test NEEDLELOG_PRACTITIONER="Dr Ana Ruiz"
unset NEEDLELOG_DB NEEDLELOG_NEW_PASSPHRASE
umask 022

if [ "$(id -u)" = 0 ] && [ -z "${NL_RO_NS:-}" ] &&
	unshare -m --propagation private true 2>/dev/null; then
	NL_RO_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/nlro-XXXXXX")
MOUNTS=()
cleanup() {
	for m in "${MOUNTS[@]}"; do umount "$m"; done
	chmod -R u+w "$ROOT" 2>/dev/null
	rm -rf "$ROOT"
}
trap cleanup EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); checks=$((checks + 1)); }

run() { # WANT DESCRIPTION CMD...: output in $ROOT/out and $ROOT/err
	local want=$1 what=$2 got
	shift 2
	"$@" </dev/null >"$ROOT/out" 2>"$ROOT/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, want $want"
		sed 's/^/    stderr: /' "$ROOT/err" >&2
	fi
}

expect_in() { # FILE TEXT DESCRIPTION
	if grep -qF -- "$2" "$1"; then ok; else
		bad "$3: '$2' not in $(basename "$1"): $(head -c 400 "$1")"
	fi
}

hash() { sha256sum "$1" | cut -d' ' -f1; }

# read_only DIR: sets VIEW to a path through which DIR cannot be written
# (not in a subshell: cleanup needs MOUNTS).
if [ "$(id -u)" = 0 ]; then
	MODE=mount
	read_only() {
		VIEW="$ROOT/view-$(basename "$1")"
		mkdir "$VIEW" && mount --bind "$1" "$VIEW" || return 1
		MOUNTS+=("$VIEW")
		mount -o remount,bind,ro "$VIEW"
	}
else
	MODE=chmod
	read_only() {
		VIEW=$1
		chmod 0400 "$1"/* && chmod 0500 "$1"
	}
fi

# ---- a file that cannot be written ----
mkdir "$ROOT/a"
DB="$ROOT/a/records.db"
run 0 "init" "$NL" init --db "$DB"
run 0 "patient add" "$NL" patient add --db "$DB" --name "Zoë Müller" --skin-type III
H=$(hash "$DB")
N=$(ls -A "$ROOT/a" | wc -l)
if ! read_only "$ROOT/a"; then
	echo "SKIP: cannot make a read-only view of a folder here ($MODE)"
	exit 77
fi
echo "# the record file is read-only through: $MODE"
RO="$VIEW/records.db"
if [ "$MODE" = mount ]; then
	if touch "$VIEW/probe" 2>/dev/null; then bad "the mount is writable"; else ok; fi
fi

run 0 "patient list on a read-only file" "$NL" patient list --db "$RO"
expect_in "$ROOT/out" "Zoë Müller" "patient list on a read-only file"
run 0 "patient show on a read-only file" "$NL" patient show 1 --db "$RO"
expect_in "$ROOT/out" "Zoë Müller" "patient show on a read-only file"
run 0 "due on a read-only file" "$NL" due --db "$RO"
run 0 "check on a read-only file" "$NL" check --db "$RO"
expect_in "$ROOT/out" "every page authenticated" "check on a read-only file"
run 74 "patient add on a read-only file" "$NL" patient add --db "$RO" --name X
expect_in "$ROOT/err" "read-only" "patient add on a read-only file"
printf 'new one\n' >"$ROOT/newpw"
run 74 "passwd on a read-only file" "$NL" passwd --db "$RO" --new-passphrase-file "$ROOT/newpw"
expect_in "$ROOT/err" "read-only" "passwd on a read-only file"
run 74 "passwd --rekey on a read-only file" "$NL" passwd --rekey --db "$RO" --new-passphrase-file "$ROOT/newpw"
expect_in "$ROOT/err" "read-only" "passwd --rekey on a read-only file"
run 77 "a wrong passphrase on a read-only file" env NEEDLELOG_PASSPHRASE=wrong "$NL" check --db "$RO"
if [ "$(hash "$DB")" = "$H" ]; then ok; else bad "the read-only file changed"; fi
if [ -e "$DB-journal" ]; then bad "a journal was left beside the read-only file"; else ok; fi
n=$(ls -A "$ROOT/a" | wc -l)
if [ "$n" = "$N" ]; then ok; else bad "files appeared beside the read-only file: $(ls -A "$ROOT/a")"; fi

# ---- a hot journal on read-only media ----
mkdir "$ROOT/b"
DB="$ROOT/b/records.db"
run 0 "init (hot)" "$NL" init --db "$DB"
run 0 "patient add (hot)" "$NL" patient add --db "$DB" --name "Ines Ortega"
if "$HOT" "$DB" && [ -s "$DB-journal" ]; then ok; else bad "make_hot left no hot journal"; fi
HD=$(hash "$DB")
HJ=$(hash "$DB-journal")
read_only "$ROOT/b" || bad "no read-only view of $ROOT/b"
RO="$VIEW/records.db"
run 74 "check with a hot journal on read-only media" "$NL" check --db "$RO"
expect_in "$ROOT/err" "has an unfinished change (hot journal) that cannot be rolled back on read-only media" \
	"check with a hot journal"
expect_in "$ROOT/err" "writable storage" "check with a hot journal says what to do"
run 74 "patient list with a hot journal on read-only media" "$NL" patient list --db "$RO"
expect_in "$ROOT/err" "hot journal" "patient list with a hot journal"
if [ "$(hash "$DB")" = "$HD" ]; then ok; else bad "the file under the hot journal changed"; fi
if [ "$(hash "$DB-journal")" = "$HJ" ]; then ok; else bad "the hot journal changed"; fi
# What the message says to do: copy both to writable storage, check there.
mkdir "$ROOT/c"
cp "$RO" "$RO-journal" "$ROOT/c/"
chmod u+w "$ROOT/c"/*
run 0 "check on a writable copy rolls the journal back" "$NL" check --db "$ROOT/c/records.db"
if [ -e "$ROOT/c/records.db-journal" ]; then bad "the copy's journal was not rolled back"; else ok; fi
run 0 "patient list on the rolled-back copy" "$NL" patient list --db "$ROOT/c/records.db"
expect_in "$ROOT/out" "Ines Ortega" "the rolled-back copy keeps its records"

echo "cli_readonly ($MODE): $checks checks, $fails failed"
[ "$fails" -eq 0 ]
