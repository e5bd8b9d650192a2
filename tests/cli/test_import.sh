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
json "quoted comma kept in the field" "d['allergies'] == 'Nickel, mild'"
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
expect_no_out "Imported" "nothing is imported"
expect_err "6 of 8 rows rejected; nothing was imported" "the summary"
if has "$ERR" "row 1 " || has "$ERR" "row 8 "; then not_ok "good rows are not reported"; else ok "good rows are not reported"; fi
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
expect_err "UTF-8"
rejected 66 "a file that does not exist" import patients "$T_DIR/nope.csv"
rejected 64 "no file given" import patients

# Standard input, LF endings.
printf 'name,skin_type\nAmélie Fontaine,III\n' >"$T_DIR/stdin.csv"
runin "$T_DIR/stdin.csv" import patients -
expect_rc 0 "import from standard input"
run patient list --search amélie --format json
json "the patient from standard input" "len(d)==1 and d[0]['skin_type']=='III'"
finish
