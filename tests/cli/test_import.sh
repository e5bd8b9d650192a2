#!/bin/bash
# import patients: RFC 4180 (quotes, commas, line breaks, CRLF, UTF-8,
# a byte-order mark), all or nothing, with a report of each rejected row.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

# A good file: BOM, CRLF, quoted commas, doubled quotes, a line break in a
# field, UTF-8, flags with dates, header names in any case.
printf '\xef\xbb\xbfName,DOB,Phone,Email,Skin-Type,Flags,Allergies,Medications,Consent,Notes\r\n' >"$T_DIR/good.csv"
printf '"Zoë Müller",1988-04-02,+44 20 7946 0018,zoe@example.com,IV,"isotretinoin:2025-12-01;keloid","Nickel, mild",,2026-01-10,"Says ""no"" to PRP,\r\nprefers mornings"\r\n' >>"$T_DIR/good.csv"
printf 'José Ñúñez,,,,II,,,,2026-01-05,\r\n' >>"$T_DIR/good.csv"
printf '"Łukasz Wójcik",1970-02-02,,,,,,"Apixaban 5 mg",,""\r\n' >>"$T_DIR/good.csv"
run import patients "$T_DIR/good.csv"
expect_rc 0 "import a good file"
expect_out "Imported 3 patients" "it says how many"
run patient list --format json
json "three patients, UTF-8 names intact" \
	"sorted(p['name'] for p in d) == sorted(['Zoë Müller', 'José Ñúñez', 'Łukasz Wójcik'])"
ZOE=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print([p["id"] for p in json.load(sys.stdin) if p["name"]=="Zoë Müller"][0])')
run patient show "$ZOE" --format json
# Allergies are list items now (issue 11): the text names nickel, and the
# whole text, quoted comma and all, is kept as the item's note.
json "quoted comma kept in the field" \
	"[(a['code'], a['note']) for a in d['allergies']] == [('nickel', 'Nickel, mild')]"
json "doubled quotes and the line break kept" "d['notes'] == 'Says \"no\" to PRP,\r\nprefers mornings'"
json "flags with dates" "sorted((f['code'], f['date']) for f in d['flags']) == [('isotretinoin', '2025-12-01'), ('keloid', None)]"
json "the other columns" "d['skin_type']=='IV' and d['consent_date']=='2026-01-10' and d['email']=='zoe@example.com' and d['phone']=='+44 20 7946 0018'"
run audit --limit 1 --format json
json "the import is audited" "d[0]['action']=='import' and '3 patients' in d[0]['detail']"

# A file with bad rows: each is reported, nothing is written.
cat >"$T_DIR/bad.csv" <<'CSV'
name,dob,skin_type,flags,email
Good Row,1990-01-01,II,,good@example.com
Bad Date,1990-13-01,II,,
Bad Skin,,VII,,
Bad Flag,,,smoking,
,1990-01-01,,,
Too,Few
Bad Email,,,,no-at-sign
"Multi
Line Name",1980-01-01,III,,
CSV
rejected 65 "a file with bad rows" import patients "$T_DIR/bad.csv"
expect_err "row 2 (line 3): dob: '1990-13-01'" "row 2: names the row, line, field and value"
expect_err "row 3 (line 4):" "row 3 is reported"
expect_err "'VII'" "... with its value"
expect_err "I, II, III, IV, V or VI" "... and what is allowed"
expect_err "row 4 (line 5): flag: unknown contraindication 'smoking'" "row 4: the unknown flag"
expect_err "row 5 (line 6): name" "row 5: the empty name"
expect_err "row 6 (line 7): it has 2 fields; the header has 5" "row 6: the short row"
expect_err "row 7 (line 8): email" "row 7: the bad email"
expect_err "row 8 (line 9): name: contains a tab or line break" \
	"row 8: a name is one line, as patient add --name takes it"
expect_no_out "Imported" "nothing is imported"
expect_err "7 of 8 rows rejected; nothing was imported" "the summary"
if has "$ERR" "row 1 "; then not_ok "good rows are not reported"; else ok "good rows are not reported"; fi
run patient list --format json
json "still three patients" "len(d) == 3"

# Malformed CSV, unknown columns, empty files.
printf 'name,notes\n"Open quote,never closed\n' >"$T_DIR/open.csv"
rejected 65 "an unclosed quote" import patients "$T_DIR/open.csv"
expect_err "not closed"
printf 'name,notes\nAna,said "hi"\n' >"$T_DIR/stray.csv"
rejected 65 "a quote inside an unquoted field" import patients "$T_DIR/stray.csv"
expect_err "line 2"
printf 'name,shoe_size\nAna,38\n' >"$T_DIR/col.csv"
rejected 65 "an unknown column" import patients "$T_DIR/col.csv"
expect_err "shoe_size" "the message names the column"
printf 'dob\n1990-01-01\n' >"$T_DIR/noname.csv"
rejected 65 "no name column" import patients "$T_DIR/noname.csv"
printf 'name,dob\n' >"$T_DIR/header.csv"
rejected 65 "a header row only" import patients "$T_DIR/header.csv"
: >"$T_DIR/empty.csv"
rejected 65 "an empty file" import patients "$T_DIR/empty.csv"
printf 'name\nAn\xe9 Latin-1\n' >"$T_DIR/latin1.csv"
rejected 65 "a file that is not UTF-8" import patients "$T_DIR/latin1.csv"
expect_err "row 1 (line 2): name: is not valid UTF-8" "the row, line and field are named"
rejected 66 "a file that does not exist" import patients "$T_DIR/nope.csv"
rejected 64 "no file given" import patients

# Standard input, LF endings.
printf 'name,skin_type\nAmélie Fontaine,III\n' >"$T_DIR/stdin.csv"
runin "$T_DIR/stdin.csv" import patients -
expect_rc 0 "import from standard input"
run patient list --search amélie --format json
json "the patient from standard input" "len(d)==1 and d[0]['skin_type']=='III'"

# ---- issue 9: the same validation as patient add ---------------------------
ESC=$'\033'
count_patients() {
	run patient list --all --format json
	printf '%s' "$OUT" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
BEFORE=$(count_patients)

# A NUL byte would cut the field short: "penicillin" kept, "and latex" lost.
printf 'name,notes,allergies\nNul Person\0HIDDEN,keep,penicillin\0 and latex\n' >"$T_DIR/nul.csv"
rejected 65 "a NUL byte in a field" import patients "$T_DIR/nul.csv"
expect_err "row 1 (line 2): name: contains a NUL byte" "the row, line and field are named"
expect_err "1 of 1 rows rejected; nothing was imported"
printf 'name,notes,allergies\nAna Ruiz,keep,penicillin\0 and latex\nBen Okafor,,\n' >"$T_DIR/nul2.csv"
rejected 65 "a NUL byte in the allergies" import patients "$T_DIR/nul2.csv"
expect_err "row 1 (line 2): allergies: contains a NUL byte (\x00) at byte 11" \
	"the field and the byte are named"
expect_err "1 of 2 rows rejected" "the good row after it does not save the file"
check "nothing was imported" test "$(count_patients)" = "$BEFORE"
printf 'name,no\0tes\nAna,x\n' >"$T_DIR/nulhead.csv"
rejected 65 "a NUL byte in the header" import patients "$T_DIR/nulhead.csv"
expect_err "header (line 1): field 2: contains a NUL byte"

# Invalid UTF-8 in one field rejects that row only, named.
printf 'name,notes\nGood Row,ok\nAna,caf\xe9 au lait\nOther,fine\n' >"$T_DIR/utf8.csv"
rejected 65 "invalid UTF-8 in the notes" import patients "$T_DIR/utf8.csv"
expect_err "row 2 (line 3): notes: is not valid UTF-8" "the row, line and field are named"
expect_err "1 of 3 rows rejected"

# Control characters: refused as patient add refuses them, and the message
# shows them escaped.
printf 'name,notes\n"Evil\033[31mRed",x\nBell,"ring\007"\nCr,"a\rb"\n' >"$T_DIR/ctl.csv"
rejected 65 "control characters in fields" import patients "$T_DIR/ctl.csv"
expect_err 'row 1 (line 2): name: contains a control character (\x1b)' "ESC is shown, not sent"
expect_err 'row 2 (line 3): notes:' "BEL in the notes"
expect_err 'row 3 (line 4): notes:' "a bare CR in the notes"
check "no raw escape on stderr" test "$(printf '%s' "$ERR" | grep -c "$ESC")" = 0
printf 'name,phone\nTab Person,"123\t456"\n' >"$T_DIR/tab.csv"
rejected 65 "a tab in a one-line field" import patients "$T_DIR/tab.csv"
expect_err "row 1 (line 2): phone:"
printf 'name,notes\n"Tab Note","first\tsecond\r\nthird"\n' >"$T_DIR/tabnote.csv"
run import patients "$T_DIR/tabnote.csv"
expect_rc 0 "tabs and line breaks are allowed in notes"
BEFORE=$(count_patients)

# Long values: the limit of patient add, and a short message.
{ printf 'name,notes\nLong Note,'; head -c 131000 /dev/zero | tr '\0' 'a'; printf '\n'; } >"$T_DIR/long.csv"
rejected 65 "a 131,000-byte note" import patients "$T_DIR/long.csv"
expect_err "row 1 (line 2): notes:" "the field is named"
check "the message is short, not the value echoed" test "${#ERR}" -lt 600

# The date rules of patient add (today is 2026-03-01).
printf 'name,dob,consent,flags\nFuture Born,2030-01-01,,\nEarly Consent,1990-05-05,1980-01-01,\nFuture Flag,,,isotretinoin:2026-04-01\n' >"$T_DIR/dates.csv"
rejected 65 "impossible dates" import patients "$T_DIR/dates.csv"
expect_err "row 1 (line 2): dob: 2030-01-01 is after today" "a date of birth in the future"
expect_err "row 2 (line 3): consent: 1980-01-01 is before the date of birth" "consent before birth"
expect_err "row 3 (line 4): flag isotretinoin: 2026-04-01 is after today" "a flag in the future"
check "nothing was imported" test "$(count_patients)" = "$BEFORE"

# The path is shown safely.
printf 'name\nEsc Path\n' >"$T_DIR/esc${ESC}name.csv"
run import patients "$T_DIR/esc${ESC}name.csv"
expect_rc 0 "a file whose name holds an escape"
expect_out 'esc\x1bname.csv' "the path is shown escaped"
check "no raw escape on stdout" test "$(printf '%s' "$OUT" | grep -c "$ESC")" = 0
rejected 66 "a missing file with an escape in its name" import patients "$T_DIR/no${ESC}such.csv"
check "no raw escape on stderr" test "$(printf '%s' "$ERR" | grep -c "$ESC")" = 0

# A sex column (issue 11), checked as patient add checks --sex.
printf 'name,sex,allergies,medications\nSex Column,male,EMLA,Warfarin 5 mg\n' >"$T_DIR/sex.csv"
run import patients "$T_DIR/sex.csv"
expect_rc 0 "import with a sex column"
run patient list --search "Sex Column" --format json
SEXID=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
run patient show "$SEXID" --format json
json "sex, and the texts as list items" \
	"d['sex'] == 'male' and {a['code'] for a in d['allergies']} == {'lidocaine', 'prilocaine'} and [m['code'] for m in d['medications']] == ['anticoagulant']"
printf 'name,sex\nBad Sex,m\n' >"$T_DIR/badsex.csv"
rejected 65 "a sex that is not allowed" import patients "$T_DIR/badsex.csv"
expect_err "sex"

# Options and arguments.
rejected 64 "--practitioner given twice" import patients --practitioner A --practitioner B "$T_DIR/good.csv"
expect_err "--practitioner"
rejected 64 "two files" import patients "$T_DIR/good.csv" "$T_DIR/good.csv"
finish
