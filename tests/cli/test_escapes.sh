#!/bin/bash
# Stored text that could drive a terminal (an older needlelog, or a file
# changed behind its back, could hold it) is shown visibly by every report
# command that prints it: progress, due, audit, and the text and Markdown
# exports. raw_sql ($2) writes the values behind the core's back.
. "$(dirname "$0")/lib.sh"

RAW_SQL=${2:-}
[ -n "$RAW_SQL" ] && [ -x "$RAW_SQL" ] || { echo "Bail out! raw_sql helper not given as \$2"; exit 1; }

new_db
run patient add --name "Esc Person" --phone "0123"
expect_id "a patient"
P=$ID
run series add --patient "$P" --indication acne-scars --area cheek-l --start 2026-01-01
expect_id "a series"
S=$ID
NEEDLELOG_TODAY=2026-01-05 run session add --series "$S" --date 2026-01-05 --area cheek-l:1.5:3
expect_id "a session"

EVIL="'Evil' || char(27) || '[2J' || char(13) || 'Over' || char(8238) || 'rtl'"
"$RAW_SQL" "$NEEDLELOG_DB" "UPDATE patient SET name = $EVIL, phone = '1' || char(27) || ']0;t' || char(7) WHERE id = $P; UPDATE series SET goal = $EVIL WHERE id = $S; INSERT INTO audit (at, who, action, entity, entity_id, detail) VALUES ('2026-01-06T10:00:00Z', $EVIL, 'change', 'patient', $P, $EVIL)"
check "raw_sql stored the values" test $? = 0

# raw: the command's output holds no ESC, CR, BEL or bidi override byte
# (CSV, for spreadsheets, keeps a bidi character as data: rawcsv).
raw() {
	if printf '%s' "$OUT$ERR" | LC_ALL=C grep -q $'\e\|\r\|\a\|\xe2\x80\xae'; then
		not_ok "$1: no raw control character reaches the terminal"
	else
		ok "$1: no raw control character reaches the terminal"
	fi
}
rawcsv() {
	if printf '%s' "$OUT" | tr -d '\r' | LC_ALL=C grep -q $'\e\|\a'; then
		not_ok "$1: no raw control character reaches the terminal"
	else
		ok "$1: no raw control character reaches the terminal"
	fi
}

run progress "$S" --today 2026-01-20
expect_rc 0 "progress"
expect_out '\x1b[2J' "progress shows the ESC of the name visibly"
raw "progress"
run due --within 400 --today 2026-01-20
expect_rc 0 "due"
expect_out '\x1b[2J\rOver\u{202e}rtl' "due shows the name visibly"
raw "due"
run due --within 400 --today 2026-01-20 --format csv
expect_rc 0 "due as CSV"
rawcsv "due as CSV"
run audit --limit 3
expect_rc 0 "audit"
expect_out '\x1b[2J' "audit shows the ESC of who visibly"
raw "audit"
for fmt in text md; do
	run export --patient "$P" --format "$fmt" --today 2026-01-20
	expect_rc 0 "export $fmt"
	expect_out '\x1b' "export $fmt shows the ESC visibly"
	raw "export $fmt"
done
run export --patient "$P" --format csv --today 2026-01-20
expect_rc 0 "export csv"
rawcsv "export csv"

finish
