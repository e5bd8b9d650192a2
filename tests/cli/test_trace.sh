#!/bin/bash
# trace --lot LOT (issue 11): a batch advisory answered in one query:
# every patient, session and date that used a lot, as text, CSV or JSON.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

run patient add --name "Ana Conceição" --phone "+351 21 000 0000" --consent 2026-01-01
A=$OUT
run patient add --name "Björn Åkesson" --consent 2026-01-01
B=$OUT
run series add --patient "$A" --indication acne-scars --area cheek-l --start 2026-01-05
SA=$OUT
run series add --patient "$B" --indication hair-loss --phase 12x7 --phase 6x28 --area scalp-vertex --start 2026-01-05
SB=$OUT
run session add --series "$SA" --date 2026-01-05 --area cheek-l:1.5 --cartridge 36-pin --cartridge-lot LOT-A1 \
	--cartridge-expiry 2027-01-31 --product "hyaluronic acid:HA-7:2026-12-31"
A1=$OUT
run session add --series "$SB" --date 2026-01-12 --area scalp-vertex:1.5 --cartridge 12-pin --cartridge-lot LOT-B2 \
	--product "minoxidil:LOT-A1"
B1=$OUT
run session add --series "$SB" --date 2026-01-19 --area scalp-vertex:1.5 --cartridge 12-pin --cartridge-lot lot-a1
B2=$OUT
run session add --series "$SA" --date 2026-02-02 --area cheek-l:1.5 --cartridge 36-pin --cartridge-lot OTHER
A2=$OUT
run session amend "$A2" --reason "The box said LOT-A1" --cartridge-lot LOT-A1
run session add --series "$SA" --date 2026-02-16 --area cheek-l:1.5 --cartridge-lot LOT-A1
A3=$OUT
run session void "$A3" --reason "Entered twice"
run session add --series "$SA" --date 2026-02-20 --area cheek-l:1.5 --notes "tips from box LOT-A1, label torn"
A4=$OUT

run trace --lot LOT-A1
expect_rc 0 "trace a lot"
expect_out "Ana Conceição" "the patient"
expect_out "Björn Åkesson" "the other patient"
expect_out "+351 21 000 0000" "with the phone, to call"
expect_out "cartridge" "the cartridge's use"
expect_out "minoxidil" "a product's use"
expect_out "voided" "a voided session, marked"
expect_out "check them by hand" "free-text mentions are marked to check"
run trace --lot " lot-a1 " --format json
expect_rc 0 "trace --format json"
json "every use, by date: case and blanks ignored, amended lots found" \
	"[(r['session_id'], r['what']) for r in d if r['what'] != 'text'] == [($A1, 'cartridge'), ($B1, 'product'), ($B2, 'cartridge'), ($A2, 'cartridge'), ($A3, 'cartridge')]"
json "the rows name patient, series, session and date" \
	"[(r['patient_id'], r['series_id'], r['date']) for r in d][:2] == [($A, $SA, '2026-01-05'), ($B, $SB, '2026-01-12')]"
json "a voided session is marked" "[r['voided'] for r in d if r['session_id'] == $A3] == [True]"
json "a note naming the lot is a 'text' row" "[r['session_id'] for r in d if r['what'] == 'text'] == [$A4]"
json "the cartridge's expiry is given" "[r['expiry'] for r in d if r['session_id'] == $A1 and r['what'] == 'cartridge'] == ['2027-01-31']"
run trace --lot LOT-A1 --format csv
csvrows "trace csv: a header and a row per use" \
	"r[0][:6] == ['PATIENT', 'NAME', 'PHONE', 'SERIES', 'SESSION', 'DATE'] and len(r) == 7"
run trace --lot LOT-A1 --format csv --bom
check "trace csv --bom" test "$(printf '%s' "$OUT" | head -c 3 | od -An -tx1 | tr -d ' ')" = efbbbf
run trace --lot HA-7 --format json
json "a product lot alone" "[(r['session_id'], r['item'], r['lot']) for r in d] == [($A1, 'hyaluronic acid', 'HA-7')]"
run trace --lot NOPE
expect_rc 0 "a lot nobody used"
expect_out "No session used lot NOPE"
run trace --lot NOPE --format json
json "json: an empty list" "d == []"

rejected 64 "trace without --lot" trace
rejected 64 "trace with an empty --lot" trace --lot ''
rejected 64 "trace --format pdf" trace --lot X --format pdf
rejected 64 "--bom without csv" trace --lot X --bom
rejected 64 "--lot given twice" trace --lot A --lot B
rejected 65 "a lot with an escape" trace --lot "$(printf 'A\033[31m')"
finish
