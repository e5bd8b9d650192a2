#!/bin/bash
# check verifies every signed session against its hash, and names the
# one changed behind the lock. $1: the tamper_signed helper.
. "$(dirname "$0")/lib.sh"
TAMPER=${1:?usage: test_check.sh TAMPER_SIGNED}
new_db

run patient add --name "Søren Østergaard" --consent 2026-01-01
run series add --patient "$OUT" --indication acne-scars --start 2026-01-05
S=$OUT
run session add --series "$S" --date 2026-01-05 --area cheek-l:1.5 --sign
S1=$OUT
run session add --series "$S" --date 2026-02-02 --area cheek-l:1.5 --sign
S2=$OUT
run session add --series "$S" --date 2026-03-02 --area cheek-l:1.5

run check
expect_rc 0 "check on a sound file"
expect_out "2 signed sessions match their hash"

if "$TAMPER" "$NEEDLELOG_DB" "$S2"; then ok "tamper with signed session $S2 behind the lock"
else not_ok "tamper with signed session $S2 behind the lock"; fi
run check
expect_rc 74 "check finds the changed signed session"
expect_err "session id $S2" "check names the session"
expect_no_out "match their hash" "check does not claim the file is sound"
expect_err_prefixed
run session show "$S2"
expect_out "DOES NOT MATCH" "session show flags the hash"
run session show "$S1"
expect_out "(verified)" "the other signed session still verifies"
finish
