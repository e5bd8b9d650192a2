#!/bin/bash
# The command framework (src/cli/frame.c) for every command: an option given
# twice, unknown options and stray arguments, bad values quoted safely, and
# passphrases longer than the limit refused from every source, never cut.
. "$(dirname "$0")/lib.sh"

new_db
run patient add --name "Ada Lovelace"
expect_id "a patient to work on"

# An option that is not repeatable, given twice, is refused naming it.
rejected 64 "--name given twice" patient add --name A --name B
expect_err "--name is given twice" "the message names the option"
rejected 64 "--format given twice" patient list --format csv --format json
expect_err "--format is given twice"
rejected 64 "--patient given twice" series add --patient 1 --patient 2 --indication acne-scars
rejected 64 "--series given twice" session add --series 1 --series 2 --area cheek-l:1
rejected 64 "--reason given twice" session void 1 --reason a --reason b
rejected 64 "--today given twice" due --today 2026-01-01 --today 2026-01-02

# Unknown options and stray arguments: 64 with the usage, values shown safely.
rejected 64 "an unknown option" patient list --frobnicate
expect_err "unknown option" "says unknown option"
expect_err "usage: needlelog patient list" "and gives the usage"
run patient list $'--evil\e[2J'
expect_rc 64 "an unknown option holding an escape"
if printf '%s' "$ERR" | grep -q $'\e'; then
	not_ok "the escape does not reach the terminal"
else
	ok "the escape does not reach the terminal"
fi
expect_err '\x1b[2J' "it is shown visibly instead"
rejected 64 "a stray argument" patient show 1 2
expect_err "unexpected argument '2'"

# Ids: a positive whole number (or #12), else 64 naming the option.
rejected 64 "an id that is not a number" session add --series abc --area cheek-l:1
expect_err "--series: 'abc' is not an id"
rejected 64 "an id with a sign" patient show +1
rejected 64 "an id of zero" patient show 0
run patient show "#1"
expect_rc 0 "an id written #1"

# A huge value is refused with at most about 80 characters of it echoed.
BIG=$(head -c 131000 /dev/zero | tr '\0' 'x')
rejected 65 "a 131,000-byte name" patient add --name "$BIG"
if [ "${#ERR}" -lt 400 ]; then ok "the message is short (${#ERR} bytes)"; else not_ok "the message is short" "${#ERR} bytes"; fi
rejected 65 "invalid UTF-8 in --practitioner" patient add --name Ok --practitioner $'Dr \xff'
rejected 65 "a 128 KiB --search" patient list --search "$BIG"
rejected 65 "a control character in --practice" export --patient 1 --format text --practice $'A\x07B'

# Passphrases: longer than 1023 bytes from any source is 64, never a cut.
LONG=$(head -c 2000 /dev/zero | tr '\0' 'p')
printf '%s\n' "$LONG" >"$T_DIR/long.pass"
head -c 1048576 /dev/zero | tr '\0' 'q' >"$T_DIR/huge.pass"
NEEDLELOG_NEW_PASSPHRASE= rejected 64 "passwd to a 2000-character passphrase" \
	passwd --new-passphrase-file "$T_DIR/long.pass"
expect_err "longer than 1023 bytes"
run patient list --passphrase-file "$T_DIR/huge.pass"
expect_rc 64 "a 1 MiB passphrase file is a usage error, not a wrong passphrase"
NEEDLELOG_PASSPHRASE=$LONG run patient list
expect_rc 64 "a 2000-byte \$NEEDLELOG_PASSPHRASE"
rm -f "$T_DIR/other.db"
NEEDLELOG_DB="$T_DIR/other.db" NEEDLELOG_PASSPHRASE=$LONG run init
expect_rc 64 "init with a passphrase over the limit"
if [ -e "$T_DIR/other.db" ]; then not_ok "no file was made"; else ok "no file was made"; fi
printf '%s\n' "$(head -c 1023 /dev/zero | tr '\0' 'p')" >"$T_DIR/max.pass"
NEEDLELOG_DB="$T_DIR/other.db" run init --passphrase-file "$T_DIR/max.pass"
expect_rc 0 "a passphrase of exactly 1023 bytes is taken"

# $NEEDLELOG_TIMING: the command's time after the unlock, on stderr only
NEEDLELOG_DB="$T_DIR/other.db" NEEDLELOG_PASSPHRASE="$(cat "$T_DIR/max.pass")" \
	NEEDLELOG_TIMING=1 run patient list --format json
expect_rc 0 "a command with \$NEEDLELOG_TIMING"
if printf '%s\n' "$ERR" | grep -Eq '^needlelog: timing: [0-9]+\.[0-9] ms after the unlock$'; then
	ok "the timing line on stderr"
else
	not_ok "the timing line on stderr" "stderr: $ERR"
fi
json "stdout is still only the list" "d == []"
NEEDLELOG_DB="$T_DIR/other.db" NEEDLELOG_PASSPHRASE="$(cat "$T_DIR/max.pass")" run patient list
if has "$ERR" "timing"; then not_ok "no timing line without it" "stderr: $ERR"
else ok "no timing line without it"; fi

finish
