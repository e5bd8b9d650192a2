#!/bin/bash
# session add / show / amend / sign / void, good and bad input.
. "$(dirname "$0")/lib.sh"
RAW_SQL=${2:?usage: test_session.sh TAMPER_SIGNED RAW_SQL}
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
json "--sign signs at once, by the user, --practitioner shown" "d['signed'] and d['signed_by']=='Dr Ana Ruiz (as Claire Dubois)'"
run session add --series "$S" --date 2026-03-01 --area cheek-l:1.5
expect_err "planned" "past the planned number of sessions: a warning"

run audit --entity session --limit 0 --format json
json "the audit has each create, sign, amend and void" \
	"sum(r['action']=='create' for r in d)==4 and sum(r['action']=='sign' for r in d)==2 and sum(r['action']=='amend' for r in d)==2 and sum(r['action']=='void' for r in d)==1"
# ---- issue 9: one answer per option, strict values, safe text -------------

run patient add --name "Other Patient" --consent 2026-01-01
run series add --patient "$OUT" --indication laxity --start 2026-01-01
SO=$OUT
rejected 64 "--series twice: refused, not logged into the last one" \
	session add --series "$S" --series "$SO" --area cheek-l:1
expect_err "--series is given twice" "the message names --series"
run session add --series "$SO" --area neck:1 --date 2026-02-01
expect_id "a session for the other patient"
SOS=$ID
for opt in "--pain 1 --pain 2" "--date 2026-01-05 --date 2026-01-06" "--notes a --notes b" \
	"--practitioner A --practitioner B" "--endpoint erythema-mild --endpoint erythema-uniform" \
	"--anesthetic-minutes 5 --anesthetic-minutes 6" "--sign --sign"; do
	# shellcheck disable=SC2086
	rejected 64 "session add $opt" session add --series "$S" --area cheek-l:1 $opt
	expect_err "${opt%% *} is given twice" "the message names ${opt%% *}"
done
rejected 64 "amend --reason twice" session amend "$SOS" --reason a --reason b --notes x
expect_err "--reason is given twice"
rejected 64 "amend --pain twice" session amend "$SOS" --reason r --pain 1 --pain 2
rejected 64 "void --reason twice" session void "$SOS" --reason a --reason b
expect_err "--reason is given twice"
rejected 64 "sign --practitioner twice" session sign "$SOS" --practitioner A --practitioner B
rejected 64 "show --format twice" session show "$SOS" --format json --format text
expect_err "--format is given twice"

# --score is repeatable, one scale per option; the same scale twice is
# refused, not last-wins.
rejected 64 "--score gais twice" session add --series "$S" --area cheek-l:1 --score gais=2 --score gais=3
expect_err "--score gais is given twice" "the message names the scale"
rejected 64 "amend --score gais twice" session amend "$SOS" --reason r --score gais=2 --score gais=
run session add --series "$SO" --area neck:1 --date 2026-02-01 --score gais=2 --score global-7pt=1
expect_id "different scales, one per --score"
run session show "$ID" --format json
json "both scores kept" "{s['scale']: s['value'] for s in d['effective']['scores']} == {'gais': 2, 'global-7pt': 1}"

# Numbers are plain digits: no blanks, no sign, no hex.
for v in " 1" "+1" "-0" "01" "1.0" "1e0" ""; do
	[ -z "$v" ] && continue
	rejected 65 "--pain '$v'" session add --series "$S" --area cheek-l:1 --pain "$v"
	expect_err "--pain: '$v'" "the message quotes '$v'"
done
rejected 65 "--anesthetic-minutes +5" session add --series "$S" --area cheek-l:1 --anesthetic-minutes +5
for v in 0x1p0 " 1" +1 -0 1e0 inf nan 1.5.0 ",5"; do
	rejected 65 "depth '$v'" session add --series "$S" --area "cheek-l:$v"
done
rejected 65 "passes +3" session add --series "$S" --area cheek-l:1:+3
rejected 65 "amend --pain ' 1'" session amend "$SOS" --reason r --pain " 1"

# A depth takes ',' as the decimal separator, as the TUI does.
run session add --series "$SO" --area neck:1,5 --area chin:0,75:2 --date 2026-02-02
expect_id "depth 1,5 is accepted"
run session show "$ID" --format json
json "1,5 is 1.5 mm and 0,75 is 0.75 mm" \
	"[(a['area'], a['depth_mm'], a['passes']) for a in d['effective']['areas']] == [('neck', 1.5, None), ('chin', 0.75, 2)]"
run session amend "$ID" --reason "deeper" --area neck:1,25
run session show "$ID" --format json
json "amend takes 1,25 as 1.25 mm" "d['effective']['areas'][0]['depth_mm'] == 1.25"
run session amend "$ID" --reason "pain unknown" --pain ""
run session show "$ID" --format json
json "an empty --pain clears it" "d['effective']['pain'] is None"

# Bad text: refused (65) with a short message that shows the bytes safely.
# no_raw_c0 TEXT: no C0 control but TAB and LF, no DEL, no byte 0xff;
# no_raw_ctl TEXT: nor a raw right-to-left override (U+202E).
no_raw_c0() { ! printf '%s' "$1" | LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177\377]')"; }
no_raw_ctl() { no_raw_c0 "$1" && ! printf '%s' "$1" | grep -qF "$(printf '\342\200\256')"; }
rejected 65 "--notes with invalid UTF-8" session add --series "$S" --area cheek-l:1 --notes "$(printf 'bad \377 byte')"
expect_err '\xff' "the bad byte is shown escaped"
check "no raw bad byte in the message" no_raw_ctl "$ERR"
rejected 65 "--device with an ESC" session add --series "$S" --area cheek-l:1 --device "$(printf 'pen\033[31m')"
expect_err '\x1b' "the ESC is shown escaped"
check "no raw ESC in the message" no_raw_ctl "$ERR"
rejected 65 "--reaction with a lone CR" session add --series "$S" --area cheek-l:1 --reaction "$(printf 'red\rok')"
rejected 65 "--product with a bidi override" session add --series "$S" --area cheek-l:1 --product "$(printf 'a\342\200\256b')"
rejected 65 "--practitioner with invalid UTF-8" session add --series "$S" --area cheek-l:1 --practitioner "$(printf 'Dr \300\200')"
BIG=$(head -c 131000 /dev/zero | tr '\0' a)
rejected 65 "a 128 KiB --notes" session add --series "$S" --area cheek-l:1 --notes "$BIG"
check "the message is short" test "${#ERR}" -lt 400
rejected 65 "a 128 KiB --reason" session amend "$SOS" --reason "$BIG" --notes x
check "the message is short" test "${#ERR}" -lt 400
rejected 65 "a long unknown area" session add --series "$S" --area "${BIG:0:5000}:1"
check "the value is clipped in the message" test "${#ERR}" -lt 400
rejected 65 "a long unknown scale" session add --series "$S" --area cheek-l:1 --score "${BIG:0:3000}=1"
check "the scale is clipped in the message" test "${#ERR}" -lt 400
rejected 65 "an unknown endpoint, quoted" session add --series "$S" --area cheek-l:1 --endpoint "${BIG:0:3000}"
check "the endpoint is clipped in the message" test "${#ERR}" -lt 400

# Dates that cannot be true are refused (the core's rule), nothing written.
rejected 65 "a session in the future" session add --series "$S" --area cheek-l:1 --date 2999-12-31
expect_err "cannot be in the future"
rejected 65 "amend to a future date" session amend "$SOS" --reason r --date 2999-01-01
run patient add --name "Born Late" --dob 2000-06-01 --consent 2026-01-01
run series add --patient "$OUT" --indication laxity --start 2026-01-01
rejected 65 "a session before the date of birth" session add --series "$OUT" --area neck:1 --date 2000-05-31
expect_err "date of birth"

# Stored text that could drive a terminal (written by an older version or
# another tool) is shown escaped by session show.
run session add --series "$SO" --area neck:1 --date 2026-02-03 --notes "$(printf 'one\r\ntwo \342\200\256evil')"
expect_id "notes with CR LF and a bidi override are stored"
SE=$ID
ESC="char(27)"
# The core checks every field of an amended session, so the amendment
# comes first (its old value stored with the controls), then the rest.
"$RAW_SQL" "$NEEDLELOG_DB" "UPDATE session SET reaction = 'red'||$ESC||'[31m'||char(13)||'over' WHERE id = $SE"
check "the raw reaction is stored" test $? = 0
run session amend "$SE" --reason "$(printf 'why \342\200\256 this')" --reaction calm
expect_rc 0 "amend the reaction stored with controls"
"$RAW_SQL" "$NEEDLELOG_DB" "UPDATE session SET reaction = 'red'||$ESC||'[31m'||char(13)||'over',
	device = 'pen'||$ESC||']0;title'||char(7), practitioner = 'Dr'||$ESC||'[2J' WHERE id = $SE;
	UPDATE session_area SET label = 'lbl'||$ESC||'[1m' WHERE session_id = $SE;
	UPDATE patient SET name = 'Other'||$ESC||'[8m' WHERE id = (SELECT patient_id FROM series WHERE id = $SO)"
check "the raw values are stored" test $? = 0
run session show "$SE"
expect_rc 0 "session show with stored controls"
check "session show prints no raw control character" no_raw_ctl "$OUT"
expect_out 'red\x1b[31m\rover' "the reaction's ESC and CR are shown"
expect_out 'pen\x1b]0;title\x07' "the device's OSC is shown"
expect_out 'lbl\x1b[1m' "the area label's ESC is shown"
expect_out 'Dr\x1b[2J' "the practitioner's ESC is shown"
expect_out 'Other\x1b[8m' "the patient's name is shown escaped"
expect_out 'why \u{202e} this' "the amendment reason's bidi override is shown"
expect_out 'reaction: red\x1b[31m\rover -> calm' "the amendment's old value is shown escaped"
expect_out 'two \u{202e}evil' "the notes' bidi override is shown"
run session show "$SE" --format json
json "json keeps the stored value exactly" "d['original']['reaction'] == 'red\x1b[31m\rover'"
check "json escapes the control characters" no_raw_c0 "$OUT"
run session add --series "$SO" --area neck:1 --date 2026-02-04
SV=$OUT
"$RAW_SQL" "$NEEDLELOG_DB" "UPDATE session SET voided = 1, voided_at = '2026-02-04T10:00:00Z',
	void_reason = 'v'||$ESC||'[7m', voided_by = 'b'||char(13)||'y' WHERE id = $SV"
run session show "$SV"
check "a voided session's reason and voider are shown escaped" no_raw_ctl "$OUT"
expect_out 'VOIDED at 2026-02-04T10:00:00Z by b\ry: v\x1b[7m'
# ---- issue 11: traceable lots, allergies and medications that rules read -----
run patient add --name "Lot Patient" --allergy lidocaine:hives:severe --allergy nickel \
	--medication "anticoagulant:Apixaban 5 mg:2025-01-01" --consent 2026-01-01
LP=$OUT
run series add --patient "$LP" --indication acne-scars --planned 3 --interval-days 28 \
	--area cheek-l --start 2026-01-05
LS=$OUT
run session add --series "$LS" --date 2026-02-02 --area cheek-l:1.5 --device "Dermapen 4" \
	--device-serial DP4-0001 --cartridge 36-pin --cartridge-lot C-77 --cartridge-expiry 2026-01-31 \
	--product "hyaluronic acid:HA-9:2027-06-30" --product minoxidil --anesthetic EMLA
expect_id "session add with device serial, cartridge lot and expiry, product lots"
LSES=$ID
expect_err "cartridge 36-pin: expired on 2026-01-31" "an expired cartridge warns"
expect_err "EMLA contains lidocaine" "EMLA names the lidocaine allergy (the ingredient table)"
expect_err "nickel allergy" "a nickel allergy warns with steel needles"
expect_err "anticoagulant (Apixaban 5 mg) is active" "an active anticoagulant warns"
run session show "$LSES"
expect_out "Device:        Dermapen 4, serial DP4-0001"
expect_out "Cartridge:     36-pin, lot C-77, expires 2026-01-31"
expect_out "Products:      hyaluronic acid, lot HA-9, expires 2027-06-30; minoxidil"
expect_out "[expired]" "show lists the warnings with their codes"
expect_out "[allergen]"
expect_out "[nickel]"
expect_out "[bleeding-risk]"
run session show "$LSES" --format json
json "show json: the lots" \
	"d['effective']['device_serial'] == 'DP4-0001' and d['effective']['cartridge_lot'] == 'C-77' and d['effective']['cartridge_expiry'] == '2026-01-31' and d['effective']['product_lots'] == [{'name': 'hyaluronic acid', 'lot': 'HA-9', 'expiry': '2027-06-30'}, {'name': 'minoxidil', 'lot': None, 'expiry': None}]"
json "show json: the warning codes" \
	"{w['code'] for w in d['effective']['warnings']} == {'expired', 'allergen', 'nickel', 'bleeding-risk'}"
run session amend "$LSES" --reason "Wrong box: the cartridge was lot C-78" --cartridge-lot C-78 \
	--cartridge-expiry 2027-01-31
expect_rc 0 "amend the cartridge lot and expiry"
run session show "$LSES" --format json
json "amended lot, the original kept" \
	"d['effective']['cartridge_lot'] == 'C-78' and d['original']['cartridge_lot'] == 'C-77' and 'expired' not in {w['code'] for w in d['effective']['warnings']}"
json "the amendment lists the lot" "'cartridge_lot' in [c['field'] for c in d['amendments'][0]['changes']] or any('lot' in c['field'] for c in d['amendments'][0]['changes'])"
run session amend "$LSES" --reason "Products re-entered with lots" --product "saline:S-1:2026-12-31"
run session show "$LSES" --format json
json "--product replaces the products and their lots" \
	"d['effective']['product_lots'] == [{'name': 'saline', 'lot': 'S-1', 'expiry': '2026-12-31'}]"
rejected 65 "a cartridge expiry that is not a date" session add --series "$LS" --area cheek-l:1 --cartridge-expiry 2026-02-30
expect_err "--cartridge-expiry" "the message names the option"
rejected 65 "a product expiry that is not a date" session add --series "$LS" --area cheek-l:1 --product "HA:L1:2026-13-01"
expect_err "NAME[:LOT[:EXPIRY]]" "the message says what is allowed"
rejected 65 "a product lot without a name" session add --series "$LS" --area cheek-l:1 --product ":L1"
rejected 65 "a cartridge lot with an escape" session add --series "$LS" --area cheek-l:1 --cartridge-lot "$(printf 'L\033[31m')"
expect_err "cartridge-lot"
rejected 65 "a device serial with a line break" session add --series "$LS" --area cheek-l:1 --device-serial "$(printf 'A\nB')"
rejected 65 "amend: a bad cartridge expiry" session amend "$LSES" --reason x --cartridge-expiry yesterday
rejected 64 "--cartridge-lot given twice" session add --series "$LS" --area cheek-l:1 --cartridge-lot A --cartridge-lot B
# No treatment consent in force: a warning, not a refusal.
run patient add --name "No Consent Yet"
run series add --patient "$OUT" --indication laxity --area neck --start 2026-02-01
run session add --series "$OUT" --date 2026-02-01 --area neck:0.75
expect_rc 0 "a session without consent still saves"
expect_err "consent" "it warns that no treatment consent is in force"
finish
