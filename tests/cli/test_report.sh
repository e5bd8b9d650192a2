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
csvrows "audit csv: a header and every row" "r[0][:4]==['ID','AT','WHO','ACTION'] and len(r)==8"
rejected 65 "audit --limit x" audit --limit x
rejected 64 "audit --entity bogus" audit --entity bogus

# The record file's errors map to their exit codes.
NEEDLELOG_PASSPHRASE=wrong run patient list
expect_rc 77 "a wrong passphrase"
NEEDLELOG_DB="$T_DIR/missing.db" run patient list
expect_rc 66 "no record file"
expect_err "needlelog init" "the message says what to do"
finish
