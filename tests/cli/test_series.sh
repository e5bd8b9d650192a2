#!/bin/bash
# series add / show / edit, good and bad input.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

run patient add --name "Chloé Lefèvre" --skin-type II --consent 2026-01-01
P=$OUT

run series add --patient "$P" --indication acne-scars --planned 6 --interval-days 28 \
	--area cheek-l --area cheek-r --start 2026-02-01 --goal "Soften rolling scars" \
	--baseline goodman-baron-quant=28 --baseline goodman-baron-qual=3
expect_id "series add"
S=$ID
run series add --patient "$P" --indication stretch-marks
expect_id "series add with defaults"
S2=$ID

rejected 65 "an unknown indication" series add --patient "$P" --indication wrinkles
expect_err "wrinkles" "the message names the value"
rejected 65 "planned 0" series add --patient "$P" --indication laxity --planned 0
expect_err "from 1 to 60" "the message gives the range"
rejected 65 "interval 400 days" series add --patient "$P" --indication laxity --interval-days 400
expect_err "from 1 to 365" "the message gives the range"
rejected 65 "an unknown area" series add --patient "$P" --indication laxity --area elbow
expect_err "elbow"
rejected 65 "a baseline out of its scale" series add --patient "$P" --indication acne-scars --baseline goodman-baron-quant=85
expect_err "goodman-baron-quant" "the message names the scale"
rejected 65 "an unknown scale" series add --patient "$P" --indication acne-scars --baseline acne=3
rejected 65 "a bad start date" series add --patient "$P" --indication laxity --start 2026-13-01
rejected 66 "a patient that does not exist" series add --patient 999 --indication laxity
rejected 64 "no --indication" series add --patient "$P"
rejected 64 "a bad patient id" series add --patient x1 --indication laxity

run series show "$S"
expect_rc 0 "series show"
expect_out "Acne scars" "show names the indication"
expect_out "6 sessions, every 28 days, from 2026-02-01" "show gives the plan"
expect_out "goodman-baron-quant 28" "show gives the baseline"
expect_out "Next due: 2026-02-01 (OVERDUE by 28 days)" "with no sessions the start date is due"
run series show "$S" --format json
json "show json: the plan" "d['indication']=='acne-scars' and d['planned']==6 and d['interval_days']==28 and d['areas']==['cheek-l','cheek-r']"
json "show json: the baseline" "{b['scale']: b['value'] for b in d['baseline']} == {'goodman-baron-quant': 28, 'goodman-baron-qual': 3}"
json "show json: progress" "d['progress']['done'] == 0 and d['progress']['due'] == 'overdue'"
run series show "$S2" --format json
json "defaults: 6 planned, 28 days, active, starting today" \
	"d['planned']==6 and d['interval_days']==28 and d['status']=='active' and d['start_date']=='2026-03-01'"
rejected 66 "show a series that does not exist" series show 999

run series edit "$S" --interval-days 35 --baseline goodman-baron-qual= --baseline gais=4
expect_rc 0 "series edit"
run series show "$S" --format json
json "edit changed the interval and baselines, kept the rest" \
	"d['interval_days']==35 and d['planned']==6 and {b['scale'] for b in d['baseline']} == {'goodman-baron-quant','gais'}"
run series edit "$S" --area cheek-l --area chin
run series show "$S" --format json
json "--area replaces the target areas" "d['areas'] == ['cheek-l', 'chin']"
run series edit "$S" --status paused
run series show "$S" --format json
json "--status paused" "d['status'] == 'paused' and d['progress']['due'] == 'inactive'"
rejected 65 "an unknown status" series edit "$S" --status finished
expect_err "active, paused, completed or discontinued" "the message lists the statuses"
rejected 65 "edit with planned 61" series edit "$S" --planned 61
rejected 64 "edit with nothing to change" series edit "$S"
rejected 66 "edit a series that does not exist" series edit 999 --planned 3

run patient show "$P"
expect_out "acne-scars" "patient show lists the series"
expect_out "stretch-marks"
run audit --entity series --limit 0 --format json
json "the audit has the series' creates and changes" \
	"sum(r['action']=='create' for r in d) == 2 and sum(r['action']=='change' for r in d) == 3"
finish
