#!/bin/bash
# consent add / list / withdraw (issue 11): kinds, coverage, form, dates,
# who; the in-force rule is the core's; withdrawing never deletes.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

run patient add --name "Aoife Ní Bhriain" --dob 1990-05-05
P=$OUT
run series add --patient "$P" --indication acne-scars --area cheek-l --start 2026-02-01
S=$OUT

run consent list --patient "$P"
expect_rc 0 "consent list with none on file"
expect_out "no consent on file"
run patient show "$P"
expect_out "no treatment consent in force" "patient show warns without a consent"

run consent add --patient "$P" --kind treatment --covers acne-scars --form "CIT consent v3" \
	--date 2026-02-01
expect_id "consent add: treatment for acne scars"
C1=$ID
run consent add --patient "$P" --kind photography-clinical --date 2026-02-01 --practitioner "Sam Okafor RN"
expect_id "consent add: clinical photography, taken by another"
C2=$ID
run consent add --patient "$P" --kind photography-publication
expect_id "consent add: publication, dated today by default"
C3=$ID

run consent list --patient "$P"
expect_rc 0 "consent list"
expect_out "CIT consent v3" "the form is listed"
expect_out "Sam Okafor RN" "who took it"
run consent list --patient "$P" --format json
json "consent list json: every record with its kind, cover, form, dates and who" \
	"[(c['id'], c['kind'], c['covers'], c['form'], c['given'], c['taken_by'], c['in_force']) for c in d] == [($C1, 'treatment', 'acne-scars', 'CIT consent v3', '2026-02-01', 'Dr Ana Ruiz', True), ($C2, 'photography-clinical', None, None, '2026-02-01', 'Sam Okafor RN', True), ($C3, 'photography-publication', None, None, '2026-03-01', 'Dr Ana Ruiz', True)]"
run consent list --patient "$P" --format csv
csvrows "consent list csv: a header and three rows" \
	"r[0][:3] == ['ID', 'KIND', 'COVERS'] and len(r) == 4 and r[1][2] == 'acne-scars' and r[2][2] == 'all'"
run consent list --patient "$P" --format csv --bom
check "consent list csv --bom" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf

# A session in the series is covered: no consent warning.
run session add --series "$S" --date 2026-02-01 --area cheek-l:1.5
expect_rc 0 "a session under the consent"
if has "$ERR" "consent"; then not_ok "no consent warning when one is in force"; else ok "no consent warning when one is in force"; fi
run patient show "$P" --format json
json "patient show: the consents with in force from the core" \
	"[c['in_force'] for c in d['consents']] == [True, True, True] and 'no-consent' not in [w['code'] for w in d['warnings']]"

# Withdrawing: from that day no longer in force; never deleted; audited.
run consent withdraw "$C2" --date 2026-02-20 --practitioner "Dr Ana Ruiz"
expect_rc 0 "consent withdraw"
expect_out "Consent #$C2 withdrawn on 2026-02-20"
rejected 65 "withdrawn before it was given" consent withdraw "$C1" --date 2026-01-15
expect_err "withdrawn"
run consent list --patient "$P" --format json
json "the withdrawn consent stays, not in force" \
	"[(c['withdrawn'], c['withdrawn_by'], c['in_force']) for c in d if c['id'] == $C2] == [('2026-02-20', 'Dr Ana Ruiz', False)] and len(d) == 3"
run consent list --patient "$P" --format json --today 2026-02-19
json "in force the day before it was withdrawn" "[c['in_force'] for c in d if c['id'] == $C2] == [True]"
run consent list --patient "$P" --format json --today 2026-01-31
json "not in force before it was given" "[c['in_force'] for c in d if c['id'] == $C1] == [False]"
rejected 64 "withdraw twice" consent withdraw "$C2"
expect_err "already withdrawn"
rejected 66 "withdraw a consent that does not exist" consent withdraw 999
run consent withdraw "$C1"
expect_out "withdrawn on 2026-03-01" "withdraw defaults to today"
run session add --series "$S" --date 2026-03-01 --area cheek-l:1.5
expect_err "consent" "a session after the treatment consent is withdrawn warns"
run patient show "$P"
expect_out "no treatment consent in force" "patient show warns again"
expect_out "(not in force)" "the withdrawn consent is marked"
run audit --entity consent --limit 0 --format json
json "every consent create and withdrawal is audited" \
	"sorted(r['action'] for r in d) == ['change', 'change', 'create', 'create', 'create']"

# Bad input: 65 naming the field, nothing written.
rejected 65 "an unknown kind" consent add --patient "$P" --kind marketing
expect_err "kind" "the message names the field"
expect_err "photography-clinical" "... and what is allowed"
rejected 65 "an unknown indication in --covers" consent add --patient "$P" --kind treatment --covers wrinkles
expect_err "covers"
rejected 65 "a date that is not a date" consent add --patient "$P" --kind treatment --date 2026-02-30
expect_err "--date"
rejected 65 "a date in the future" consent add --patient "$P" --kind treatment --date 2026-03-02
expect_err "after today"
rejected 65 "a date before birth" consent add --patient "$P" --kind treatment --date 1980-01-01
expect_err "date of birth"
rejected 65 "a form with an escape" consent add --patient "$P" --kind treatment --form "$(printf 'v\033[31m')"
rejected 66 "a patient that does not exist" consent add --patient 999 --kind treatment
rejected 64 "no --kind" consent add --patient "$P"
rejected 64 "no --patient" consent add --kind treatment
rejected 64 "list without --patient" consent list
rejected 66 "list for a patient that does not exist" consent list --patient 999
rejected 64 "--bom without csv" consent list --patient "$P" --bom
rejected 64 "--kind given twice" consent add --patient "$P" --kind treatment --kind treatment
rejected 65 "withdraw with a bad date" consent withdraw "$C3" --date yesterday
rejected 64 "withdraw without an id" consent withdraw
finish
