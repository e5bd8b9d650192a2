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

# Inverts the byte of FILE at OFFSET (writing a fixed value would leave
# the file as it was once in 256 runs: the ciphertext is random).
flip_byte() {
	local byte
	byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((byte ^ 255)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# A tampered page: one byte of page 2 (physical offset 2 * 4096 + 100).
cp "$DB" "$ROOT/tampered.db"
flip_byte "$ROOT/tampered.db" $((2 * 4096 + 100))
HT=$(hash "$ROOT/tampered.db")
if [ "$HT" != "$H" ]; then ok; else bad "the tampering did not change the file"; fi
run 74 "check on a tampered file" env NEEDLELOG_PASSPHRASE=first "$NL" check --db "$ROOT/tampered.db"
expect_in "$ROOT/err" "page 2 " "check names the tampered page"
same_file "$ROOT/tampered.db" "$HT" "check on a tampered file"
# A damaged header byte in the key slot.
cp "$DB" "$ROOT/header.db"
flip_byte "$ROOT/header.db" 600
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

# ---- passphrase length: STORE_PASS_MAX (1023 bytes), refused, never cut ----
PL="$ROOT/plen"
mkdir "$PL"
printf '%*s\n' 1023 '' | tr ' ' 'm' >"$PL/max"
printf '%*s\n' 1024 '' | tr ' ' 'o' >"$PL/over"
printf '%*s\n' 2000 '' | tr ' ' 'l' >"$PL/long"
head -c 1048576 /dev/zero | tr '\0' 'h' >"$PL/huge"
run 64 "init with a 2000-byte passphrase file" "$NL" init --db "$PL/new/records.db" --passphrase-file "$PL/long"
expect_in "$ROOT/err" "the passphrase in $PL/long is longer than 1023 bytes" "init names the long passphrase file"
if [ -e "$PL/new" ]; then bad "init with a long passphrase created $PL/new"; else ok; fi
run 64 "init with a 1 MiB passphrase file" "$NL" init --db "$PL/new/records.db" --passphrase-file "$PL/huge"
if [ -e "$PL/new" ]; then bad "init with a 1 MiB passphrase created $PL/new"; else ok; fi
run 64 "init with a 2000-byte NEEDLELOG_PASSPHRASE" env NEEDLELOG_PASSPHRASE="$(cat "$PL/long")" "$NL" init --db "$PL/new/records.db"
expect_in "$ROOT/err" 'the passphrase in $NEEDLELOG_PASSPHRASE is longer than 1023 bytes' "init names the variable"
if [ -e "$PL/new" ]; then bad "init with a long variable created $PL/new"; else ok; fi
# 1023 bytes is the limit, and all of it counts.
run 0 "init with a 1023-byte passphrase" "$NL" init --db "$PL/max.db" --passphrase-file "$PL/max"
run 0 "check with the 1023-byte passphrase" "$NL" check --db "$PL/max.db" --passphrase-file "$PL/max"
HM=$(hash "$PL/max.db")
head -c 1022 "$PL/max" >"$PL/max-1"
run 77 "check with its first 1022 bytes" "$NL" check --db "$PL/max.db" --passphrase-file "$PL/max-1"
run 64 "check with a 1024-byte passphrase" "$NL" check --db "$PL/max.db" --passphrase-file "$PL/over"
run 64 "check with a 1 MiB passphrase file (not 77)" "$NL" check --db "$PL/max.db" --passphrase-file "$PL/huge"
expect_in "$ROOT/err" "longer than 1023 bytes" "check with a 1 MiB passphrase file says why"
run 64 "passwd to a 2000-byte passphrase" "$NL" passwd --db "$PL/max.db" --passphrase-file "$PL/max" --new-passphrase-file "$PL/long"
expect_in "$ROOT/err" "the passphrase in $PL/long is longer than 1023 bytes" "passwd names the long file"
same_file "$PL/max.db" "$HM" "passwd to a 2000-byte passphrase"
run 64 "passwd to a 1 MiB passphrase" "$NL" passwd --db "$PL/max.db" --passphrase-file "$PL/max" --new-passphrase-file "$PL/huge"
same_file "$PL/max.db" "$HM" "passwd to a 1 MiB passphrase"
run 64 "passwd to a 2000-byte NEEDLELOG_NEW_PASSPHRASE" env NEEDLELOG_NEW_PASSPHRASE="$(cat "$PL/long")" "$NL" passwd --db "$PL/max.db" --passphrase-file "$PL/max"
same_file "$PL/max.db" "$HM" "passwd to a long NEEDLELOG_NEW_PASSPHRASE"
# Typed on a terminal (a pseudo-terminal): 1500 bytes, refused.
tty_pass() { # PASSPHRASE: runs check on $PL/max.db with it typed; exit status
	python3 - "$NL" "$PL/max.db" "$1" >"$ROOT/out" 2>"$ROOT/err" <<'PY'
import os, pty, select, signal, sys, termios, time
nl, db, typed = sys.argv[1], sys.argv[2], sys.argv[3]
env = {k: v for k, v in os.environ.items() if k != 'NEEDLELOG_PASSPHRASE'}
pid, fd = pty.fork()
if pid == 0:
    os.execve(nl, [nl, 'check', '--db', db], env)
out, sent, end = b'', False, time.time() + 60
while time.time() < end:
    # Type only once echo is off: needlelog flushes (TCSAFLUSH) what was
    # typed before it turned echo off.
    if not sent and b'Passphrase:' in out and not termios.tcgetattr(fd)[3] & termios.ECHO:
        os.write(fd, typed.encode() + b'\n')
        sent = True
    if not select.select([fd], [], [], 0.05)[0]:
        continue
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
else:
    os.kill(pid, signal.SIGKILL)
sys.stdout.write(out.decode(errors='replace'))
sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
PY
}
tty_pass "$(head -c 1023 "$PL/max")"
if [ $? -eq 0 ]; then ok; else bad "a 1023-byte passphrase typed: $(head -c 300 "$ROOT/out")"; fi
tty_pass "$(head -c 1500 "$PL/long")"
rc=$?
if [ $rc -eq 64 ]; then ok; else bad "a 1500-byte passphrase typed: exit $rc, want 64"; fi
expect_in "$ROOT/out" "the passphrase typed is longer than 1023 bytes" "a long typed passphrase says why"
same_file "$PL/max.db" "$HM" "commands with long passphrases"

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
