#!/usr/bin/env bash
# The real binary's init, check and passwd: exit codes from CLI.md, file and
# folder modes, and a failed command leaving the record file byte-for-byte
# unchanged.
# Usage: cli_admin.sh HOLD_LOCK  (with $NEEDLELOG set by meson's test_env)
set -u
HOLD=${1:?usage: cli_admin.sh HOLD_LOCK}
NL=${NEEDLELOG:?NEEDLELOG must name the needlelog binary}
export NEEDLELOG_TEST_KDF=${NEEDLELOG_TEST_KDF:-min}
unset NEEDLELOG_DB NEEDLELOG_PASSPHRASE NEEDLELOG_NEW_PASSPHRASE
umask 022

ROOT=$(mktemp -d "${TMPDIR:-/tmp}/nlcli-XXXXXX")
trap 'rm -rf "$ROOT"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); checks=$((checks + 1)); }

# run WANT DESCRIPTION CMD...: runs CMD with stdin from /dev/null, output
# in $ROOT/out and $ROOT/err; checks the exit code.
run() {
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
		bad "$3: '$2' not in $(basename "$1"): $(head -c 300 "$1")"
	fi
}

hash() { sha256sum "$1" | cut -d' ' -f1; }

same_file() { # FILE HASH DESCRIPTION
	local now
	now=$(hash "$1")
	if [ "$now" = "$2" ]; then ok; else bad "$3: the record file changed"; fi
	if [ -e "$1-journal" ]; then bad "$3: a journal was left behind"; else ok; fi
}

mode_is() { # PATH MODE DESCRIPTION
	local m
	m=$(stat -c %a "$1")
	if [ "$m" = "$2" ]; then ok; else bad "$3: mode $m, want $2"; fi
}

# Bytes after the 4096-byte container header: the pages.
pages_hash() { tail -c +4097 "$1" | sha256sum | cut -d' ' -f1; }

# ---- init ----
DB="$ROOT/data/needlelog/records.db"
run 0 "init" env NEEDLELOG_PASSPHRASE=first "$NL" init --db "$DB"
expect_in "$ROOT/out" "$DB" "init names the file"
mode_is "$ROOT/data" 700 "init's new folder"
mode_is "$ROOT/data/needlelog" 700 "init's new folder"
mode_is "$DB" 600 "the record file"
H=$(hash "$DB")
run 73 "init over an existing file" env NEEDLELOG_PASSPHRASE=other "$NL" init --db "$DB"
expect_in "$ROOT/err" "already exists" "init refuses to overwrite"
same_file "$DB" "$H" "init over an existing file"
# $NEEDLELOG_DB is honoured, and the passphrase file's first line is used.
printf 'from a file\nsecond line\n' >"$ROOT/pw"
run 0 "init via NEEDLELOG_DB" env NEEDLELOG_DB="$ROOT/two.db" "$NL" init --passphrase-file "$ROOT/pw"
run 0 "check with the passphrase file" env NEEDLELOG_DB="$ROOT/two.db" "$NL" check --passphrase-file "$ROOT/pw"
run 77 "the second line is not the passphrase" env NEEDLELOG_PASSPHRASE='second line' "$NL" check --db "$ROOT/two.db"

for cmd in init check passwd; do
	run 0 "$cmd --help" "$NL" "$cmd" --help
	expect_in "$ROOT/out" "usage: needlelog $cmd" "$cmd --help"
done
run 0 "--help" "$NL" --help
expect_in "$ROOT/out" "passwd" "--help lists passwd"
run 64 "check with an unknown option" "$NL" check --bogus
run 64 "check with an argument" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$DB" extra

# ---- check ----
run 0 "check on a good file" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$DB"
expect_in "$ROOT/out" "every page authenticated" "check on a good file"
same_file "$DB" "$H" "check on a good file"
run 77 "check with a wrong passphrase" env NEEDLELOG_PASSPHRASE=wrong "$NL" check --db "$DB"
expect_in "$ROOT/err" "wrong passphrase" "check with a wrong passphrase"
same_file "$DB" "$H" "check with a wrong passphrase"
run 66 "check on a missing file" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$ROOT/none.db"
if [ -e "$ROOT/none.db" ]; then bad "check created a missing file"; else ok; fi
# No passphrase and no terminal: setsid leaves no controlling terminal.
run 64 "check without a passphrase or terminal" setsid -w "$NL" check --db "$DB"
expect_in "$ROOT/err" "NEEDLELOG_PASSPHRASE" "check without a passphrase says how"
same_file "$DB" "$H" "check without a passphrase"
run 66 "check, no file, no passphrase" setsid -w "$NL" check --db "$ROOT/none.db"

# A tampered page: one bit of page 2 (physical offset 2 * 4096 + 100).
cp "$DB" "$ROOT/tampered.db"
printf '\x5a' | dd of="$ROOT/tampered.db" bs=1 seek=$((2 * 4096 + 100)) conv=notrunc status=none
HT=$(hash "$ROOT/tampered.db")
if [ "$HT" != "$H" ]; then ok; else bad "the tampering did not change the file"; fi
run 74 "check on a tampered file" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$ROOT/tampered.db"
expect_in "$ROOT/err" "page 2 " "check names the tampered page"
same_file "$ROOT/tampered.db" "$HT" "check on a tampered file"
# A damaged header byte in the key slot.
cp "$DB" "$ROOT/header.db"
printf '\x01' | dd of="$ROOT/header.db" bs=1 seek=600 conv=notrunc status=none
HH=$(hash "$ROOT/header.db")
run 74 "check on a damaged header" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$ROOT/header.db"
same_file "$ROOT/header.db" "$HH" "check on a damaged header"
# Not a record file at all.
head -c 20000 /dev/urandom >"$ROOT/random.db"
HR=$(hash "$ROOT/random.db")
run 74 "check on a file that is not a record file" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$ROOT/random.db"
expect_in "$ROOT/err" "not a needlelog record file" "check on a random file"
same_file "$ROOT/random.db" "$HR" "check on a random file"

# Cut back to its header: not a new, empty file.
head -c 4096 "$DB" >"$ROOT/cut.db"
HC=$(hash "$ROOT/cut.db")
run 74 "check on a file cut back to its header" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$ROOT/cut.db"
expect_in "$ROOT/err" "no pages" "check on a file cut back to its header"
same_file "$ROOT/cut.db" "$HC" "check on a file cut back to its header"

# ---- passwd ----
P0=$(pages_hash "$DB")
printf 'second\n' >"$ROOT/newpw"
run 77 "passwd with a wrong passphrase" env NEEDLELOG_PASSPHRASE=wrong "$NL" passwd --db "$DB" --new-passphrase-file "$ROOT/newpw"
same_file "$DB" "$H" "passwd with a wrong passphrase"
run 64 "passwd with no new passphrase and no terminal" env NEEDLELOG_PASSPHRASE=first setsid -w "$NL" passwd --db "$DB"
same_file "$DB" "$H" "passwd with no new passphrase"
run 64 "passwd with an unreadable new passphrase file" env NEEDLELOG_PASSPHRASE=first "$NL" passwd --db "$DB" --new-passphrase-file "$ROOT/none"
same_file "$DB" "$H" "passwd with an unreadable new passphrase file"

run 0 "passwd from --new-passphrase-file" env NEEDLELOG_PASSPHRASE=first "$NL" passwd --db "$DB" --new-passphrase-file "$ROOT/newpw"
run 77 "the old passphrase after passwd" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$DB"
run 0 "the new passphrase after passwd" env NEEDLELOG_PASSPHRASE=second "$NL" check --db "$DB"
if [ "$(pages_hash "$DB")" = "$P0" ]; then ok; else bad "passwd rewrote pages"; fi
if [ "$(hash "$DB")" != "$H" ]; then ok; else bad "passwd did not change the header"; fi

run 0 "passwd from NEEDLELOG_NEW_PASSPHRASE" env NEEDLELOG_PASSPHRASE=second NEEDLELOG_NEW_PASSPHRASE=third "$NL" passwd --db "$DB"
run 77 "the old passphrase after the second passwd" env NEEDLELOG_PASSPHRASE=second "$NL" check --db "$DB"
run 0 "the new passphrase after the second passwd" env NEEDLELOG_PASSPHRASE=third "$NL" check --db "$DB"
if [ "$(pages_hash "$DB")" = "$P0" ]; then ok; else bad "the second passwd rewrote pages"; fi

run 0 "passwd --rekey" env NEEDLELOG_PASSPHRASE=third NEEDLELOG_NEW_PASSPHRASE=fourth "$NL" passwd --rekey --db "$DB"
expect_in "$ROOT/out" "rotated" "passwd --rekey says so"
run 77 "the old passphrase after --rekey" env NEEDLELOG_PASSPHRASE=third "$NL" check --db "$DB"
run 0 "the new passphrase after --rekey" env NEEDLELOG_PASSPHRASE=fourth "$NL" check --db "$DB"
if [ "$(pages_hash "$DB")" != "$P0" ]; then ok; else bad "--rekey left the pages as they were"; fi
n=$(ls -A "$(dirname "$DB")" | wc -l)
if [ "$n" = 1 ]; then ok; else bad "--rekey left files behind: $(ls -A "$(dirname "$DB")")"; fi
mode_is "$DB" 600 "the record file after --rekey"

# ---- a busy file ----
H=$(hash "$DB")
NEEDLELOG_PASSPHRASE=fourth "$HOLD" "$DB" "$ROOT/ready" "$ROOT/stop" &
holder=$!
for _ in $(seq 500); do [ -e "$ROOT/ready" ] && break; sleep 0.02; done
if [ -e "$ROOT/ready" ]; then
	ok
	run 75 "check on a busy file" env NEEDLELOG_PASSPHRASE=fourth "$NL" check --db "$DB"
	expect_in "$ROOT/err" "busy" "check on a busy file"
	run 75 "passwd on a busy file" env NEEDLELOG_PASSPHRASE=fourth NEEDLELOG_NEW_PASSPHRASE=fifth "$NL" passwd --db "$DB"
	touch "$ROOT/stop"
	if wait "$holder"; then ok; else bad "the lock holder failed"; fi
	same_file "$DB" "$H" "commands on a busy file"
	run 0 "the passphrase after a busy passwd" env NEEDLELOG_PASSPHRASE=fourth "$NL" check --db "$DB"
else
	bad "the lock holder did not take the lock"
	kill "$holder" 2>/dev/null
fi

echo "cli_admin: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
