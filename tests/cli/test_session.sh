#!/bin/bash
# session add / show / amend / sign / void, good and bad input.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-03-01

run patient add --name "Grace Mensah" --skin-type V --consent 2026-01-01 \
	--flag isotretinoin:2025-11-01
P=$OUT
run series add --patient "$P" --indication acne-scars --planned 2 --interval-days 28 \
	--area cheek-l --area cheek-r --start 2026-01-05 --baseline goodman-baron-quant=30
S=$OUT

run session add --series "$S" --date 2026-01-05 --area cheek-l:1.5:3 --area cheek-r:1.5:3 \
	--device "pen, tip lot A1234" --cartridge 36-pin --product "hyaluronic acid" \
	--anesthetic "lidocaine 23%" --anesthetic-minutes 30 --endpoint pinpoint-bleeding \
	--pain 3 --reaction "erythema" --aftercare "SPF 50" --score goodman-baron-quant=27 \
	--notes "first session"
expect_id "session add with every field"
S1=$ID
expect_err "needlelog: warning: " "safety warnings go to stderr"
expect_err "isotretinoin" "the isotretinoin warning (last dose 2 months before)"
expect_err_prefixed "every warning line starts with 'needlelog: '"

# Fitzpatrick V, 2.0 mm and 14 days: warnings, not errors.
run session add --series "$S" --date 2026-01-19 --area cheek-l:2.0 --score goodman-baron-quant=26
expect_id "a deeper, closer session still saves"
S2=$ID
expect_err "1.5 mm" "the dark-skin depth warning"
expect_err "interval" "the short-interval warning"

rejected 65 "depth 3.5 mm is rejected" session add --series "$S" --area cheek-l:3.5
expect_err "3.5" "the message names the value"
expect_err "from 0.1 to 3.0" "the message gives the range"
expect_err "cheek-l" "the message names the field"
rejected 65 "depth 0 is rejected" session add --series "$S" --area cheek-l:0
rejected 65 "a depth that is not a number" session add --series "$S" --area cheek-l:deep
rejected 65 "passes 25" session add --series "$S" --area cheek-l:1:25
expect_err "from 1 to 20" "the message gives the passes range"
rejected 65 "pain 11" session add --series "$S" --area cheek-l:1 --pain 11
expect_err "--pain: '11'" "the message names the field and value"
expect_err "from 0 to 10" "the message gives the range"
rejected 65 "an unknown area" session add --series "$S" --area elbow:1
rejected 65 "a score out of range" session add --series "$S" --area cheek-l:1 --score goodman-baron-quant=90
expect_err "0 to 84" "the message gives the scale's range"
rejected 65 "an unknown endpoint" session add --series "$S" --area cheek-l:1 --endpoint bleeding
rejected 65 "an impossible date" session add --series "$S" --area cheek-l:1 --date 2026-02-29
rejected 65 "anaesthetic for 300 minutes" session add --series "$S" --area cheek-l:1 --anesthetic-minutes 300
rejected 65 "an area without a depth" session add --series "$S" --area cheek-l
rejected 64 "no area at all" session add --series "$S"
rejected 64 "no series" session add --area cheek-l:1
rejected 66 "a series that does not exist" session add --series 999 --area cheek-l:1

run session show "$S1"
expect_rc 0 "session show"
expect_out "cheek-l 1.5 mm x3, cheek-r 1.5 mm x3" "show lists the areas with depth and passes"
expect_out "Not signed" "an unsigned session says so"
expect_out "isotretinoin" "show lists the stored warnings"
expect_out "lidocaine 23%, 30 min"

run session sign "$S1"
expect_rc 0 "session sign"
expect_out "signed by Dr Ana Ruiz" "signed by the session's practitioner"
run session show "$S1" --format json
json "show json: signed, with its hash verified" \
	"d['signed'] and d['signed_by']=='Dr Ana Ruiz' and len(d['hash'])==64 and d['hash_verified']"
HASH=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hash"])')
rejected 64 "sign it twice" session sign "$S1"
expect_err "already signed"

# Amend a signed session: the original stays readable.
rejected 64 "amend without a reason" session amend "$S1" --notes x
rejected 64 "amend without a field" session amend "$S1" --reason "nothing"
rejected 65 "amend with a bad depth" session amend "$S1" --reason r --area cheek-l:4
run session amend "$S1" --reason "pen display misread" --area cheek-l:1.25:3 --area cheek-r:1.5:3 \
	--notes "first session; corrected" --practitioner "Sam Okafor"
expect_rc 0 "session amend on a signed session"
run session show "$S1"
expect_out "pen display misread" "show gives the reason"
expect_out "by Sam Okafor" "show gives who amended"
expect_out "Original, as written:" "the original is shown"
expect_out "cheek-l 1.25 mm x3" "the effective value"
expect_out "notes: first session -> first session; corrected" "the changed field, old -> new"
run session show "$S1" --format json
json "json: original untouched, effective amended" \
	"d['original']['areas'][0]['depth_mm']==1.5 and d['effective']['areas'][0]['depth_mm']==1.25"
json "json: the hash still matches the original" "d['hash'] == '$HASH' and d['hash_verified']"
json "json: one amendment with its changes" \
	"len(d['amendments'])==1 and {c['field'] for c in d['amendments'][0]['changes']} == {'areas','notes'} and d['amendments'][0]['practitioner']=='Sam Okafor'"
run session amend "$S1" --reason "score was missing" --score gais=3
run session show "$S1" --format json
json "a second amendment; scores set one at a time" \
	"len(d['amendments'])==2 and {s['scale'] for s in d['effective']['scores']} == {'goodman-baron-quant','gais'}"

# Void: stays readable, leaves the progress.
rejected 64 "void without a reason" session void "$S2"
run session void "$S2" --reason "entered on the wrong date"
expect_rc 0 "session void"
run session show "$S2"
expect_out "VOIDED" "a voided session is still readable"
expect_out "entered on the wrong date"
run progress "$S" --format json
json "a voided session leaves the progress" "d['done'] == 1"
rejected 64 "void it again" session void "$S2" --reason again
rejected 64 "amend a voided session" session amend "$S2" --reason r --notes x
rejected 66 "show a session that does not exist" session show 999
rejected 66 "sign a session that does not exist" session sign 999

run session add --series "$S" --date 2026-02-02 --area cheek-l:1.5 --sign --practitioner "Claire Dubois"
expect_id "session add --sign"
run session show "$ID" --format json
json "--sign signs at once, by --practitioner" "d['signed'] and d['signed_by']=='Claire Dubois'"
run session add --series "$S" --date 2026-03-01 --area cheek-l:1.5
expect_err "planned" "past the planned number of sessions: a warning"

run audit --entity session --limit 0 --format json
json "the audit has each create, sign, amend and void" \
	"sum(r['action']=='create' for r in d)==4 and sum(r['action']=='sign' for r in d)==2 and sum(r['action']=='amend' for r in d)==2 and sum(r['action']=='void' for r in d)==1"
finish
