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
expect_out "no consent date on file" "a missing consent is a warning"
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
run patient edit "$ZOE" --allergies ''
run patient show "$ZOE" --format json
json "an empty value clears a field" "d['allergies'] is None"
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
json "--practitioner names who changed it" "d[0]['who'] == 'Sam Okafor'"

finish
