#!/bin/bash
# patient add / list / show / edit / archive, good and bad input.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

run patient add --name "Zoë Müller" --dob 1988-04-02 --phone "+44 20 7946 0018" \
	--email zoe@example.com --skin-type iv --flag isotretinoin:2025-12-01:20mg \
	--flag keloid --allergies "lidocaine?" --consent 2026-01-10 --notes "prefers mornings"
expect_id "patient add with every field"
ZOE=$ID
run patient add --name "José Ñúñez" --skin-type II --consent 2026-01-05
expect_id "a second patient"
JOSE=$ID
run patient add --name "Łukasz Wójcik"
expect_id "a third, with only a name"
LUK=$ID
run patient add --name "李小龍" --dob 1990-01-01
expect_id "a patient with a wide-character name"

rejected 65 "skin type VII is rejected" patient add --name X --skin-type VII
expect_err "VII" "the message names the value"
expect_err "I, II, III, IV, V or VI" "the message gives what is allowed"
rejected 65 "an impossible date of birth" patient add --name X --dob 2026-02-30
expect_err "dob" "the message names the field"
expect_err "2026-02-30" "the message names the value"
rejected 65 "an unknown flag" patient add --name X --flag smoking
expect_err "smoking" "the message names the flag"
rejected 65 "an email without @" patient add --name X --email nobody.example.com
expect_err "email" "the message names the field"
rejected 64 "no --name" patient add --dob 1990-01-01
rejected 64 "a stray argument" patient add --name X extra
rejected 65 "a bad flag date" patient add --name X --flag isotretinoin:yesterday

run patient list
expect_rc 0 "patient list"
expect_out "Zoë Müller" "the list shows UTF-8 names"
# Columns line up by display width: the DOB column starts at the same
# column on every row, whatever bytes the names take.
if printf '%s\n' "$OUT" | python3 -c '
import sys, unicodedata
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)
lines = [l for l in sys.stdin.read().splitlines() if l]
head = lines[0]
col = width(head[:head.index("DOB")])
rows = [l for l in lines[1:] if "1988-04-02" in l or "1990-01-01" in l]
ok = len(rows) == 2 and all(width(l[:l.index("19")]) == col for l in rows)
sys.exit(0 if ok else 1)'; then ok "text columns align by display width (UTF-8, wide characters)"
else not_ok "text columns align by display width (UTF-8, wide characters)"; fi

run patient list --search müller
expect_out "Zoë Müller" "search ignores case in UTF-8"
expect_no_out "José" "search filters"
run patient list --search "#$JOSE"
expect_out "José Ñúñez" "search by id"

run patient list --format json
expect_rc 0 "patient list --format json"
json "json list has four patients with ids and names" \
	"len(d) == 4 and {p['name'] for p in d} >= {'Zoë Müller', 'José Ñúñez', 'Łukasz Wójcik'}"
json "json list: skin type and flag count" \
	"[p for p in d if p['name']=='Zoë Müller'][0]['skin_type'] == 'IV' and [p for p in d if p['name']=='Zoë Müller'][0]['flags'] == 2"

run patient edit "$JOSE" --notes 'says "hi", then, leaves'
run patient list --format csv
expect_rc 0 "patient list --format csv"
csvrows "csv list: a header and four rows" "len(r) == 5 and r[0][:2] == ['ID', 'NAME']"
csvrows "csv list: UTF-8 names survive" "any(row[1] == 'Łukasz Wójcik' for row in r)"
check "csv rows end in CRLF (RFC 4180)" test "$(printf '%s\n' "$OUT" | grep -c $'\r$')" = 5

run patient show "$ZOE"
expect_rc 0 "patient show"
expect_out "Zoë Müller"
expect_out "Fitzpatrick IV"
expect_out "isotretinoin" "show lists the flags"
expect_out "in force until 2026-06-01" "isotretinoin is in force for 6 months after the last dose"
expect_out "Consent:       2026-01-10"
run patient show "$LUK"
expect_out "no treatment consent in force" "a missing consent is a warning"
run patient show "$ZOE" --format json
json "show json: the profile" "d['name'] == 'Zoë Müller' and d['dob'] == '1988-04-02' and d['skin_type'] == 'IV'"
json "show json: flags with dates and their window" \
	"[f for f in d['flags'] if f['code']=='isotretinoin'][0]['date'] == '2025-12-01' and [f for f in d['flags'] if f['code']=='isotretinoin'][0]['until'] == '2026-06-01'"
json "show json: warnings name the flags in force" \
	"{w.get('flag') for w in d['warnings']} >= {'isotretinoin', 'keloid'}"

rejected 66 "show a patient that does not exist" patient show 999
rejected 64 "show a non-numeric id" patient show abc

# edit: one field changes, the rest stay; flags end but stay on file.
run patient edit "$ZOE" --phone "+44 20 0000 0000" --end-flag keloid:2026-02-01
expect_rc 0 "patient edit"
run patient show "$ZOE" --format json
json "edit changed the phone only" "d['phone'] == '+44 20 0000 0000' and d['email'] == 'zoe@example.com'"
json "edit ended keloid on its date, kept on file" \
	"[f for f in d['flags'] if f['code']=='keloid'][0]['end_date'] == '2026-02-01' and not [f for f in d['flags'] if f['code']=='keloid'][0]['in_force']"
run patient edit "$ZOE" --notes ''
run patient show "$ZOE" --format json
json "an empty value clears a field" "d['notes'] is None"
json "--allergies TEXT became a list item, the text kept as its note (issue 11)" \
	"[(a['code'], a['note']) for a in d['allergies']] == [('lidocaine', 'lidocaine?')]"
json "--consent DATE became a treatment consent for every indication" \
	"[(c['kind'], c['covers'], c['given'], c['in_force']) for c in d['consents']] == [('treatment', None, '2026-01-10', True)]"
run patient edit "$ZOE" --flag anticoagulant
run patient edit "$ZOE" --remove-flag anticoagulant
run patient show "$ZOE" --format json
json "a flag entered in error can be removed" "'anticoagulant' not in [f['code'] for f in d['flags']]"
rejected 65 "end a flag the patient does not have" patient edit "$ZOE" --end-flag pregnancy
rejected 65 "edit with a bad skin type" patient edit "$ZOE" --skin-type 9
rejected 64 "edit with nothing to change" patient edit "$ZOE"
rejected 66 "edit a patient that does not exist" patient edit 999 --notes x

# archive never deletes; --undo restores.
run patient archive "$LUK"
expect_rc 0 "patient archive"
run patient list
expect_no_out "Łukasz" "an archived patient leaves the list"
run patient list --all
expect_out "Łukasz Wójcik" "--all shows archived patients"
run patient show "$LUK"
expect_rc 0 "an archived patient is still readable"
expect_out "archived" "show says the patient is archived"
run patient archive "$LUK" --undo
expect_rc 0 "patient archive --undo"
run patient list
expect_out "Łukasz Wójcik" "the restored patient is back in the list"
rejected 66 "archive a patient that does not exist" patient archive 999

run audit --limit 0 --format json
json "the audit has the creates, changes, archive and restore" \
	"sum(1 for r in d if r['entity']=='patient' and r['action']=='create') == 4 and any(r['action']=='archive' for r in d) and any(r['action']=='unarchive' for r in d)"
json "the audit names the practitioner" "all(r['who'] == 'Dr Ana Ruiz' for r in d)"
run patient edit "$JOSE" --notes "x" --practitioner "Sam Okafor"
run audit --limit 1 --format json
# issue 14: the user whose key opened the file is the audit's name;
# --practitioner is only shown beside it
json "--practitioner is shown beside the user" "d[0]['who'] == 'Dr Ana Ruiz (as Sam Okafor)'"

# ---- issue 11: sex, structured allergies and medications ------------------
run patient add --name "Mia Kovač" --dob 1985-03-03 --sex female \
	--allergy lidocaine:hives:severe --allergy nickel:rash --allergy latex \
	--medication "anticoagulant:Apixaban 5 mg:2025-06-01" \
	--medication isotretinoin:Roaccutane:2025-01-01:2025-10-15 \
	--medication minoxidil --consent 2026-01-02
expect_id "patient add with sex, allergies and medications"
MIA=$ID
run patient show "$MIA"
expect_out "Sex:           female"
expect_out "! lidocaine (hives, severe)" "an allergy with its reaction and severity, in force"
expect_out "! nickel (rash)"
expect_out "! anticoagulant Apixaban 5 mg, from 2025-06-01 (in force)" "a medication in force"
expect_out "isotretinoin Roaccutane, from 2025-01-01, stopped 2025-10-15 (in force until 2026-04-15)" \
	"isotretinoin stays in force 6 months after its stop (the core's rule)"
expect_out "minoxidil (in force)"
expect_out "#" "the consents are listed by id"
expect_out "treatment, every indication, given 2026-01-02 by Dr Ana Ruiz (in force)"
run patient show "$MIA" --format json
json "show json: sex" "d['sex'] == 'female'"
json "show json: allergies with reaction and severity" \
	"[(a['code'], a['reaction'], a['severity'], a['in_force']) for a in d['allergies']] == [('lidocaine','hives','severe',True), ('nickel','rash',None,True), ('latex',None,None,True)]"
json "show json: medications with names, dates and in force" \
	"[(m['code'], m['name'], m['in_force'], m['until']) for m in d['medications']] == [('anticoagulant','Apixaban 5 mg',True,None), ('isotretinoin','Roaccutane',True,'2026-04-15'), ('minoxidil',None,True,None)]"
json "show json: warnings for the allergies and the bleeding risk" \
	"{(w['code'], w.get('allergy') or w.get('medication')) for w in d['warnings']} == {('allergen','lidocaine'), ('allergen','nickel'), ('allergen','latex'), ('bleeding-risk','anticoagulant'), ('isotretinoin','isotretinoin')}"
run patient show "$MIA" --today 2026-04-16 --format json
json "isotretinoin not in force the day after its window" \
	"[m['in_force'] for m in d['medications'] if m['code']=='isotretinoin'] == [False]"
run patient edit "$MIA" --end-allergy nickel:2026-02-01 --remove-allergy latex \
	--end-medication anticoagulant:2026-02-15 --remove-medication minoxidil --sex unknown
expect_rc 0 "edit ends and removes allergies and medications"
run patient show "$MIA" --format json
json "an ended allergy stays on file, not in force" \
	"[(a['code'], a['end_date'], a['in_force']) for a in d['allergies']] == [('lidocaine',None,True), ('nickel','2026-02-01',False)]"
json "a stopped medication stays on file, not in force; a removed one is gone" \
	"[(m['code'], m['stop'], m['in_force']) for m in d['medications']] == [('anticoagulant','2026-02-15',False), ('isotretinoin','2025-10-15',True)]"
json "sex changed" "d['sex'] == 'unknown'"
run patient show "$MIA"
expect_out "nickel (rash), ended 2026-02-01 (no longer in force)"
expect_out "anticoagulant Apixaban 5 mg, from 2025-06-01, stopped 2026-02-15 (no longer in force)"
run patient edit "$MIA" --end-allergy lidocaine
run patient show "$MIA" --format json
json "--end-allergy without a date ends it today" \
	"[a['end_date'] for a in d['allergies'] if a['code']=='lidocaine'] == ['2026-03-01']"
run patient edit "$MIA" --allergies "Allergic to EMLA and chlorhexidine wipes"
run patient show "$MIA" --format json
json "--allergies TEXT: each allergen named becomes an item" \
	"{'chlorhexidine'} <= {a['code'] for a in d['allergies'] if a['in_force']}"
rejected 65 "an unknown sex" patient add --name X --sex f
expect_err "sex" "the message names the field"
expect_err "female, male, other, unknown" "... and what is allowed"
rejected 65 "an unknown allergen" patient add --name X --allergy peanut
expect_err "peanut"
expect_err "lidocaine, prilocaine" "the allergens are listed"
rejected 65 "an unknown severity" patient add --name X --allergy lidocaine:hives:deadly
expect_err "severity"
rejected 65 "an unknown medication kind" patient add --name X --medication aspirin
expect_err "anticoagulant" "the kinds are listed"
rejected 65 "a medication start that is not a date" patient add --name X --medication other:x:2025-13-01
expect_err "start"
rejected 65 "a medication start in the future" patient add --name X --medication other:x:2026-04-01
rejected 65 "a medication stopped before it started" \
	patient add --name X --medication other:x:2025-06-01:2025-05-01
expect_err "before its start"
rejected 65 "end an allergy the patient does not have" patient edit "$MIA" --end-allergy latex
expect_err "--end-allergy"
rejected 65 "remove an allergy the patient does not have" patient edit "$MIA" --remove-allergy alcohol
expect_err "--remove-allergy"
rejected 65 "end a medication the patient does not take" patient edit "$MIA" --end-medication finasteride
expect_err "--end-medication"
rejected 65 "remove a medication the patient does not take" patient edit "$MIA" --remove-medication finasteride
expect_err "--remove-medication"
rejected 65 "the old anesthetic-allergy flag is replaced by the list" patient add --name X --flag anesthetic-allergy
expect_err "allergy"
rejected 64 "--sex given twice" patient add --name X --sex male --sex female

# ---- issue 9: one source of truth ------------------------------------------
RAW_SQL=${2:-}
ESC=$'\033'

# An option that is not repeatable, given twice, is a usage error naming it,
# and nothing is written.
rejected 64 "--name given twice" patient add --name A --name B
expect_err "--name" "the message names the option"
rejected 64 "--dob given twice" patient add --name A --dob 1990-01-01 --dob 1991-01-01
expect_err "--dob"
rejected 64 "edit --notes given twice" patient edit "$ZOE" --notes a --notes b
expect_err "--notes"
rejected 64 "list --format given twice" patient list --format csv --format json
expect_err "--format"
rejected 64 "show --today given twice" patient show "$ZOE" --today 2026-03-01 --today 2026-03-02
expect_err "--today"
rejected 64 "--practitioner given twice" patient archive "$ZOE" --practitioner A --practitioner B
expect_err "--practitioner"
run patient add --name "Two Flags" --flag keloid --flag anticoagulant
expect_id "--flag is repeatable"
run patient show "$ID" --format json
json "both flags kept" "sorted(f['code'] for f in d['flags']) == ['anticoagulant', 'keloid']"

# Ids are strict: no blanks, signs, hex or leading zeros.
for bad in " $ZOE" "+$ZOE" "-0" "0x1" "0$ZOE" "$ZOE "; do
	rejected 64 "patient show '$bad' is not an id" patient show "$bad"
done

# Text options: valid UTF-8, no control characters, a length limit; the
# message quotes the value sanitized and clipped.
rejected 65 "a name with an escape" patient add --name "Evil${ESC}[31mRed"
expect_err '\x1b' "the escape is shown, not sent"
check "no raw escape on stderr" test "$(printf '%s' "$ERR" | grep -c "$ESC")" = 0
rejected 65 "a name that is not UTF-8" patient add --name $'Ana \xff'
expect_err "UTF-8"
rejected 65 "a carriage return in a phone" patient add --name X --phone $'123\r456'
rejected 65 "a bidi override in a name" patient add --name $'Ana \u202e evil'
rejected 65 "--search that is not UTF-8" patient list --search $'\xff'
BIG=$(head -c 131000 /dev/zero | tr '\0' 'a')
rejected 65 "a 131,000-byte note" patient add --name X --notes "$BIG"
check "the message is short, not the value echoed" test "${#ERR}" -lt 400
rejected 65 "a 131,000-byte search" patient list --search "$BIG"
check "the search message is short" test "${#ERR}" -lt 400
rejected 65 "a 131,000-byte name in edit" patient edit "$ZOE" --name "$BIG"
check "the edit message is short" test "${#ERR}" -lt 400

# Impossible dates are refused with 65 (DOMAIN.md); today is 2026-03-01.
rejected 65 "a date of birth in the future" patient add --name X --dob 2030-01-01
expect_err "dob" "the message names the field"
expect_err "2030-01-01" "... and the value"
rejected 65 "consent before birth" patient add --name X --dob 1990-05-05 --consent 1980-01-01
expect_err "consent"
rejected 65 "consent in the future" patient add --name X --consent 2026-03-02
rejected 65 "a flag dated in the future" patient add --name X --flag isotretinoin:2026-04-01
rejected 65 "edit: consent before the date of birth on file" patient edit "$ZOE" --consent 1970-01-01
run patient add --name X --dob 2026-03-01 --consent 2026-03-01
expect_id "born today, consent today: both allowed"
# A date of birth after one of the patient's sessions cannot be true.
run patient add --name "Dee Obi" --dob 1990-01-01
expect_id "a patient for the session dates"
DEE=$ID
run series add --patient "$DEE" --indication acne-scars --planned 2 --interval-days 28 \
	--area cheek-l --start 2026-01-05
SER=$OUT
run session add --series "$SER" --date 2026-01-05 --area cheek-l:1.5
expect_rc 0 "a session on 2026-01-05"
rejected 65 "edit --dob after the patient's session" patient edit "$DEE" --dob 2026-02-01
expect_err "dob: 2026-02-01 is after a session (2026-01-05)" "the message names both dates"
run patient edit "$DEE" --dob 2026-01-05
expect_rc 0 "a date of birth on the day of the first session is possible"

# The isotretinoin rule has one answer (check_flag_in_force): six months
# from the last dose, in force through that day and not after, on the day
# --today gives.
run patient add --name "Iso Tretinoin" --flag isotretinoin:2025-09-01
expect_id "a patient with isotretinoin six months ago"
ISO=$ID
run patient show "$ISO" --today 2026-03-01
expect_out "in force until 2026-03-01" "in force on the last day of the window"
expect_out "1 contraindication in force" "... and counted as a warning"
run patient show "$ISO" --today 2026-03-02
expect_out "no longer in force" "not in force the day after"
expect_no_out "contraindication in force" "... and no longer a warning"
run patient show "$ISO" --today 2026-03-02 --format json
json "json agrees: not in force the day after" "not d['flags'][0]['in_force'] and not any(w.get('flag') == 'isotretinoin' for w in d['warnings'])"
NEEDLELOG_TODAY=2026-03-02 run patient show "$ISO" --format json
json "\$NEEDLELOG_TODAY is the same day as --today" "not d['flags'][0]['in_force']"

# Accent-insensitive search over any Latin letter (utf8proc in the core).
run patient add --name "Yéwándé Adébáyọ̀-Sánchez"
expect_id "a name with a dot below and combining marks"
run patient list --search adebayo --format json
json "--search adebayo finds Adébáyọ̀" "[p['name'] for p in d] == ['Yéwándé Adébáyọ̀-Sánchez']"
run patient list --search "SANCHEZ" --format json
json "--search ignores case and accents" "len(d) == 1"

# CSV: formula leaders guarded, ';' quoted, no BOM unless --bom.
for name in '=HYPERLINK("http://evil.example/?x")' '-2+3' '@Dr Evil' '+1 Evil' 'ok;=1+1'; do
	run patient add --name "$name"
	expect_id "a patient named '$name'"
done
run patient list --format csv
csvrows "=, -, @ and + leaders are guarded with a quote" \
	"{row[1] for row in r} >= {\"'=HYPERLINK(\\\"http://evil.example/?x\\\")\", \"'-2+3\", \"'@Dr Evil\", \"'+1 Evil\"}"
expect_out '"ok;=1+1"' "a field with ';' is quoted"
check "no byte order mark without --bom" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" != efbbbf
run patient list --format csv --bom
check "--bom starts the CSV with a byte order mark" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf
rejected 64 "--bom given twice" patient list --format csv --bom --bom

# Values stored behind the core's back (an older version, or another tool)
# are shown visibly escaped, never sent to the terminal.
if [ -n "$RAW_SQL" ] && [ -x "$RAW_SQL" ]; then
	"$RAW_SQL" "$NEEDLELOG_DB" "UPDATE patient SET name = 'Evil' || char(27) || '[2J' || char(13) || 'Over' || char(8238) || 'rtl', notes = 'line' || char(27) || ']0;title' || char(7), phone = '1' || char(13) || '2' WHERE id = $JOSE"
	check "raw_sql stored the values" test $? = 0
	run patient show "$JOSE"
	expect_rc 0 "show a patient with stored escapes"
	expect_out 'Evil\x1b[2J\rOver\u{202e}rtl' "the name's ESC, CR and bidi override are shown escaped"
	expect_out 'line\x1b]0;title\x07' "the notes' escapes are shown"
	expect_out '1\r2' "the phone's carriage return is shown"
	check "show sends no ESC, CR or bidi control" test "$(printf '%s' "$OUT" | grep -c $'\033\\|\r\\|\u202e')" = 0
	run patient list
	expect_out 'Evil\x1b[2J\rOver\u{202e}rtl' "list shows them escaped too"
	check "list sends no ESC, CR or bidi control" test "$(printf '%s' "$OUT" | grep -c $'\033\\|\r\\|\u202e')" = 0
	run patient list --format csv
	check "CSV carries no raw ESC" test "$(printf '%s' "$OUT" | grep -c $'\033')" = 0
else
	not_ok "raw_sql helper given as \$2" "tests/cli/meson.build passes it"
fi

finish
