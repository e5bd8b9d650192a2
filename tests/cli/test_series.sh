#!/bin/bash
# series add / show / edit, good and bad input.
. "$(dirname "$0")/lib.sh"
RAW_SQL=${2:?usage: test_series.sh TAMPER_SIGNED RAW_SQL}
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
expect_out "Plan:      6 every 4 weeks (6 sessions), from 2026-02-01" "show gives the plan in words"
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
# ---- issue 9: one answer per option, strict values, safe text -------------

run patient add --name "Second Patient" --consent 2026-01-01
P2=$OUT
rejected 64 "--patient twice: refused, not planned for the last one" \
	series add --patient "$P" --patient "$P2" --indication laxity
expect_err "--patient is given twice" "the message names --patient"
for opt in "--indication laxity --indication texture" "--planned 4 --planned 5" \
	"--interval-days 7 --interval-days 14" "--start 2026-01-01 --start 2026-01-02" \
	"--goal a --goal b" "--practitioner A --practitioner B"; do
	# shellcheck disable=SC2086
	rejected 64 "series add $opt" series add --patient "$P" --indication laxity $opt
	expect_err "${opt%% *} is given twice" "the message names ${opt%% *}"
done
rejected 64 "edit --status twice" series edit "$S" --status paused --status active
expect_err "--status is given twice"
rejected 64 "show --today twice" series show "$S" --today 2026-01-01 --today 2026-02-01
expect_err "--today is given twice"
rejected 64 "show --format twice" series show "$S" --format json --format json

# --baseline is repeatable, one scale per option; the same scale twice is
# refused, not last-wins.
rejected 64 "--baseline gais twice" series add --patient "$P" --indication laxity \
	--baseline gais=2 --baseline gais=3
expect_err "--baseline gais is given twice" "the message names the scale"
rejected 64 "edit --baseline twice on one scale" series edit "$S" --baseline gais=2 --baseline gais=

# Numbers are plain digits: no blanks, no sign, no hex, no leading zero.
for v in " 6" "+6" "-0" "06" "6.0" "0x6" "6e0"; do
	rejected 65 "--planned '$v'" series add --patient "$P" --indication laxity --planned "$v"
	expect_err "--planned: '$v'" "the message quotes '$v'"
done
rejected 65 "--interval-days +7" series edit "$S" --interval-days +7
rejected 65 "--start with a time" series add --patient "$P" --indication laxity --start "2026-01-01T10:00"

# Bad text: refused (65) with a short message that shows the bytes safely.
no_raw_c0() { ! printf '%s' "$1" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\377]')"; }
no_raw_ctl() { no_raw_c0 "$1" && ! printf '%s' "$1" | grep -qF "$(printf '\342\200\256')"; }
rejected 65 "--goal with invalid UTF-8" series add --patient "$P" --indication laxity --goal "$(printf 'a \376 b')"
expect_err '\xfe' "the bad byte is shown escaped"
check "no raw bad byte in the message" no_raw_c0 "$ERR"
rejected 65 "--indication with an ESC" series add --patient "$P" --indication "$(printf 'lax\033[31m')"
expect_err '\x1b' "the ESC is shown escaped"
check "no raw ESC in the message" no_raw_c0 "$ERR"
BIG=$(head -c 131000 /dev/zero | tr '\0' a)
rejected 65 "a 128 KiB --goal" series add --patient "$P" --indication laxity --goal "$BIG"
check "the message is short" test "${#ERR}" -lt 400
rejected 65 "a long unknown indication" series add --patient "$P" --indication "${BIG:0:4000}"
check "the value is clipped in the message" test "${#ERR}" -lt 400
rejected 65 "a long unknown area" series edit "$S" --area "${BIG:0:4000}"
check "the area is clipped in the message" test "${#ERR}" -lt 400
rejected 65 "a long unknown status" series edit "$S" --status "${BIG:0:4000}"
check "the status is clipped in the message" test "${#ERR}" -lt 400

# Stored text that could drive a terminal is shown escaped by series show.
run series add --patient "$P2" --indication texture --start 2026-01-10 --goal "$(printf 'even \342\200\256 out')"
expect_id "a goal with a bidi override is stored"
S3=$ID
run session add --series "$S3" --date 2026-01-10 --area "scar=old:1"
ESC="char(27)"
"$RAW_SQL" "$NEEDLELOG_DB" "UPDATE series SET goal = 'g'||$ESC||'[1m'||char(13)||'x' WHERE id = $S3;
	UPDATE session_area SET label = 'l'||$ESC||'[2J' WHERE session_id = $OUT;
	UPDATE patient SET name = 'Two'||$ESC||']0;t'||char(7) WHERE id = $P2"
check "the raw values are stored" test $? = 0
run series show "$S3" --today 2026-02-01
expect_rc 0 "series show with stored controls"
check "series show's plan and sessions print no raw control character" no_raw_ctl "${OUT%%Depth per area*}"
# The depth table's header names each area with its label (out.c's
# out_progress_text): it must be sanitized too.
check "series show's depth table prints no raw control character" no_raw_ctl "$OUT"
expect_out 'g\x1b[1m\rx' "the goal's ESC and CR are shown"
expect_out 'Two\x1b]0;t\x07' "the patient's name is shown escaped"
expect_out 'scar l\x1b[2J 1 mm' "the session table shows the label escaped"
run series show "$S3" --format json --today 2026-02-01
json "json keeps the stored value exactly" "d['goal'] == 'g\x1b[1m\rx'"
check "json escapes the control characters" no_raw_c0 "$OUT"
# ---- issue 11: plans in phases ------------------------------------------------
run series add --patient "$P" --indication hair-loss --phase 12x7 --phase 6x28 \
	--area scalp-vertex --start 2026-01-05 --baseline hair-density=142
expect_id "series add --phase 12x7 --phase 6x28 (the Dhurat protocol)"
SP=$ID
run series show "$SP" --today 2026-01-06
expect_out "Plan:      12 weekly, then 6 every 4 weeks (18 sessions), from 2026-01-05" \
	"the plan reads as people say it"
expect_out "Sessions: 0 of 18 done; plan: 12 weekly, then 6 every 4 weeks" "progress gives the plan"
run series show "$SP" --format json
json "show json: the phases, the total and the first interval" \
	"d['phases'] == [{'count': 12, 'interval_days': 7}, {'count': 6, 'interval_days': 28}] and d['planned'] == 18 and d['interval_days'] == 7 and d['plan'] == '12 weekly, then 6 every 4 weeks'"
run progress "$SP" --format json --today 2026-01-06
json "progress json: the plan" "d['plan'] == '12 weekly, then 6 every 4 weeks' and d['planned'] == 18"
run patient show "$P"
expect_out "12 weekly, then 6 every 4 weeks" "patient show gives each series' plan"
run series edit "$SP" --phase 4x7 --phase 2x14 --phase 3x28
expect_rc 0 "series edit --phase replaces the phases"
run series show "$SP" --format json
json "three phases now" "len(d['phases']) == 3 and d['planned'] == 9 and d['plan'] == '4 weekly, then 2 every 2 weeks, then 3 every 4 weeks'"
run series edit "$SP" --interval-days 28
run series show "$SP" --format json
json "--interval-days alone makes it one phase again, the total kept" \
	"d['phases'] == [{'count': 9, 'interval_days': 28}] and d['plan'] == '9 every 4 weeks'"
run series add --patient "$P" --indication acne-scars --phase 5x28
expect_id "one --phase is the one-phase form"
run series show "$ID" --format json
json "one phase: planned and interval from it" "d['planned'] == 5 and d['interval_days'] == 28 and d['plan'] == '5 every 4 weeks'"
rejected 65 "a phase that is not COUNTxDAYS" series add --patient "$P" --indication laxity --phase 12w7
expect_err "phase" "the message names the field"
expect_err "COUNTxDAYS" "... and what is allowed"
rejected 65 "a phase of 0 sessions" series add --patient "$P" --indication laxity --phase 0x7 --phase 2x28
expect_err "phase sessions"
rejected 65 "a phase interval of 400 days" series add --patient "$P" --indication laxity --phase 2x400 --phase 2x28
rejected 65 "phases over 60 sessions in all" series add --patient "$P" --indication laxity --phase 40x7 --phase 30x28
expect_err "60"
rejected 65 "--planned that disagrees with the phases" series add --patient "$P" --indication laxity \
	--phase 2x7 --phase 2x28 --planned 9
expect_err "disagrees"
rejected 65 "edit: a bad phase" series edit "$SP" --phase x7
finish
