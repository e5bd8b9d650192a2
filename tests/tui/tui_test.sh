#!/bin/bash
# The TUI driven through tmux: tui_test.sh CASE FIXTURE. See lib.sh.
FIXTURE=${2:-${FIXTURE:-}}
. "$(dirname "$0")/lib.sh"

# The column (in characters; these lines hold no wide ones) of TEXT in
# the first screen line holding WHERE.
column_of() {
	local l prefix

	l=$(screen | grep -F -- "$1" | head -1)
	prefix=${l%%"$2"*}
	echo "${#prefix}"
}

open_zoe_series() {
	keys /
	type_text "Zoë"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Treatment series"
	keys Enter
	wait_for "Sessions"
	wait_for "Depth per area"
}

# The newest session of series $1 (its record id, for the CLI).
last_session() {
	nl series show "$1" --format json |
		python3 -c 'import json, sys; print(max(s["id"] for s in json.load(sys.stdin)["sessions"]))'
}

tabs() {
	for _ in $(seq "$1"); do keys Tab; done
}

case_unlock() {
	echo "not a record file, just text" >"$DB"
	start 80 24
	wait_for "Passphrase:"
	type_text "$PASS"
	keys Enter
	wait_for "is not a needlelog record file"
	keys Escape
	wait_exit
	$T kill-server
	new_server
	rm -f "$DB"
	seed
	start 80 24
	wait_for "Passphrase:"
	absent "Zoë"
	type_text "$(printf 'p%.0s' $(seq 1030))"   # past STORE_PASS_MAX: refused, never cut
	keys Enter
	wait_for "The passphrase is longer than 1023 bytes"
	type_text "wrong passphrase"
	keys Enter
	wait_for "Wrong passphrase. Try again"
	absent "Zoë"
	absent "wrong passphrase"     # never echoed
	type_text "$PASS"
	keys Enter
	wait_for "Zoë Müller"
	wait_for "3 patients"
	wait_for "Åsa Öberg"
	keys q
	wait_exit
}

case_search() {
	seed
	start 80 24
	unlock "Zoë Müller"
	keys /
	type_text "öBERG"
	wait_for "1 patient"
	wait_for "Åsa Öberg"
	absent "Zoë Müller"
	keys C-u
	type_text "900111"           # phone digits
	wait_for "Zoë Müller"
	absent "Åsa Öberg"
	keys C-u
	type_text "1990"             # date of birth
	wait_for "Bob Smith"
	absent "Zoë Müller"
	keys Escape                  # clears the search
	wait_for "3 patients"
	# accented names keep the columns straight (widths by wcwidth)
	[ "$(column_of "Zoë Müller" 1980-02-03)" = "$(column_of "Name" Born)" ] ||
		fail "the Born column is misaligned after an accented name"
	[ "$(column_of "Åsa Öberg" 1975-06-07)" = "$(column_of "Name" Born)" ] ||
		fail "the Born column is misaligned after an accented name"
	keys /
	type_text "#$P_ASA"          # by id
	wait_for "1 patient"
	wait_for "Åsa Öberg"
	keys Enter Enter
	wait_for "Treatment series"
	wait_for "Isotretinoin"      # the flag, in plain sight
	wait_for "Fitzpatrick V"
	keys q
	wait_for "Active series"
}

case_series() {
	seed
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	wait_for "2 of 6 done"
	wait_for "next due $(day 16)"
	wait_for "cheek-l 1.75mm×3"
	wait_for "1.50×3"            # depth table: the first session
	wait_for "1.75×3"
	[ "$(screen | grep -c '✔ signed')" = 2 ] || fail "two signed sessions expected"
	keys Tab
	wait_for "Scores against baseline"
	wait_line "GAIS" "4 to 2: 2 grades better"
	wait_line "Satisfaction" "3 to 7: +4 (+133%), better"
	wait_for "latest #2 $(day -12)"
	keys Enter                   # the selected (latest) session
	wait_for "Session #2 of series Acne scars ($(day -12))  (id $SES2)"
	wait_for "Acne scars › Session #2"
	wait_for "Signed"
	# times in local time, not UTC
	absent "Z by"
	[[ $(screen) =~ Signed\ [0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}\ by ]] ||
		fail "the signature's time is not local time to the minute"
	wait_for "Pen A, lot 12"
	keys q
	wait_for "Depth per area"
}

case_session() {
	seed
	start 100 34
	unlock "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session — Acne scars"
	# defaults from the previous session
	wait_for "Pen A, lot 12"
	wait_for "EMLA 5%"
	tabs 1                       # area 1 -> its depth (no scar label)
	keys C-u
	type_text "2.0"
	tabs 15                      # -> endpoint
	keys Enter
	wait_for "pinpoint-bleeding"
	type_text "pinpoint"
	keys Enter
	tabs 1                       # -> pain
	type_text "3"
	tabs 4                       # -> notes
	type_text "Logged from the TUI test"
	tabs 2                       # -> gais value
	type_text "2"
	tabs 2                       # -> satisfaction value
	type_text "8"
	wait_for "interval: 12 days"   # the short interval shows before saving
	keys C-s
	wait_for "Acknowledge the warnings"
	keys y
	# one numbering scheme: the session by its number in the series
	wait_for "Saved session #3 of series Acne scars ($(day 0)), unsigned"
	absent "Session 4"
	id=$(last_session "$S_ZOE")
	[ -n "$id" ] || fail "no session in the series"
	wait_for "3 of 6 done"
	out=$(nl session show "$id") || fail "session show $id"
	for want in "Logged from the TUI test" "pinpoint-bleeding" "cheek-l 2 mm x3" "Pen A, lot 12" \
		    "EMLA 5%" "hyaluronic acid" "interval"; do
		echo "$out" | grep -qiF -- "$want" || { echo "$out" >&2; fail "session show lacks '$want'"; }
	done
	echo "$out" | grep -qE "Pain: *3/10" || { echo "$out" >&2; fail "pain 3 not recorded"; }
}

case_depth() {
	seed
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session"
	tabs 1
	keys C-u
	type_text "3.5"
	# the core's message, naming the area
	wait_for "depth of cheek-l: '3.5' is not a depth from 0.1 to 3.0 mm"
	keys C-s
	wait_for "Not saved"
	keys C-u
	type_text "0.05"
	wait_for "depth of cheek-l: '0.05' is not a depth from 0.1 to 3.0 mm"
	keys C-u
	type_text "deep"
	wait_for "depth of cheek-l: 'deep' is not a depth"
	keys C-u
	type_text "0x1p0"            # the core's strict numbers: no hex
	wait_for "depth of cheek-l: '0x1p0' is not a depth"
	keys C-u
	type_text "1,5"              # a decimal comma is a depth
	wait_gone "is not a depth"
	keys C-u
	type_text "2.8"              # allowed, but above the usual range: a note
	wait_for "above the usual"
	wait_gone "is not a depth"
	keys Escape
	wait_for "Leave the form"
	keys d
	wait_for "2 of 6 done"       # nothing was written
	[ "$(nl series show "$S_ZOE" | grep -c "$(day 0)")" = 0 ] || fail "a session was written"
}

case_amend() {
	seed
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	keys e                       # signed: edit is refused
	wait_for "amend it (m) instead"
	keys m
	wait_for "Amending the session"
	wait_for "✖ Reason: required"
	screen | grep -E "^ Date" | grep -qF "required" && fail "the reason's error shown on the date row"
	type_text "Depth misrecorded on the day"
	tabs 4                       # reason, date, practitioner, area 1 -> depth 1
	keys C-u
	type_text "1.6"
	keys C-s
	# Zoë's lidocaine allergy meets the EMLA on file: the core warns.
	wait_for "EMLA 5% contains lidocaine"
	keys y
	wait_for "Amendment recorded"
	wait_for "am."
	out=$(nl session show "$SES2") || fail "session show"
	echo "$out" | grep -qF "Depth misrecorded on the day" || { echo "$out" >&2; fail "no reason"; }
	echo "$out" | grep -qF "1.6" || { echo "$out" >&2; fail "no amended depth"; }
	echo "$out" | grep -qF "1.75" || { echo "$out" >&2; fail "the original is gone"; }
	keys Enter
	wait_for "Amendments (the original is kept)"
	wait_for "Depth misrecorded on the day"
}

case_signvoid() {
	seed
	new=$(nl session add --series "$S_ZOE" --date "$(day -1)" --area cheek-l:1.5 2>/dev/null) ||
		fail "session add"
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	wait_for "unsigned"
	keys s
	wait_for "Sign session"
	keys n                       # declined: nothing happens
	wait_gone "Sign session"
	wait_for "unsigned"
	keys s
	wait_for "Sign session"
	keys y
	wait_for "It is now locked"
	wait_gone "unsigned"
	nl session show "$new" | grep -qi "signed" || fail "not signed in the file"
	keys V
	wait_for "Void session"
	keys y
	wait_for "Why is it voided"
	type_text "Entered on the wrong patient"
	keys Enter
	wait_for "Voided"
	wait_for "2 of 6 done"
	nl session show "$new" | grep -qF "Entered on the wrong patient" || fail "void reason missing"
}

case_due() {
	seed
	start 80 24
	unlock "Zoë Müller"
	keys D
	wait_for "Due today"
	wait_for "Åsa Öberg"
	wait_for "days overdue"
	absent "Zoë Müller"           # due in 16 days, outside a week
	keys + +
	wait_for "within 21 days"
	wait_for "Zoë Müller"
	wait_for "in 16 days"
	keys g Enter
	wait_for "Stretch marks"
	wait_for "OVERDUE"
	keys q
	wait_for "Due today"
	keys q
	wait_for "Active series"
}

case_resize() {
	seed
	start 80 24
	unlock "Zoë Müller"
	open_zoe_series
	[ "$(screen | wc -l)" = 24 ] || fail "not 24 lines"
	line 24 | grep -qF "n new session" || fail "no key hints on line 24"
	line 1 | grep -qF "Zoë Müller › Acne scars" || fail "no breadcrumb on line 1"
	# 80x24: depths and scores fit, one above the other
	wait_for "Scores against baseline"
	screen | grep -F "Depth per area" | grep -qF "Scores" && fail "side by side at 80 columns"
	$T resize-window -t nl -x 200 -y 60
	# 200x60: side by side
	wait_line "Depth per area" "Scores against baseline"
	line 60 | grep -qF "n new session" || fail "no key hints on line 60"
	line 59 | grep -qF "records.db" || fail "no status line on line 59"
	keys n
	wait_for "New session"
	wait_for "Score 2"           # the whole form fits at 60 lines
	$T resize-window -t nl -x 80 -y 24
	wait_for "Safety"
	line 24 | grep -qF "C-s save" || fail "no form hints on line 24 at 80x24"
	keys C-n C-n C-n             # more area rows than fit: the form scrolls
	wait_for "Area 5"
	tabs 22                      # to the last field
	wait_for "Score 2"
	wait_gone "Date "
	wait_for "Safety"
	tabs 1                       # wraps round to the first
	wait_for "Date "
	keys Escape
	wait_for "Leave the form"
	keys d
	wait_for "Sessions"
	screen | grep -F "Depth per area" | grep -qF "Scores" && fail "still side by side at 80x24"
	line 24 | grep -qF "n new session" || fail "hints lost after resizes"
}

case_lock() {
	seed
	start 100 30 --lock-after-seconds 4
	unlock "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session"
	tabs 21                      # -> notes
	type_text "kept-across-the-lock"
	wait_for "kept-across-the-lock"
	wait_for "needlelog is locked" 20
	absent "Zoë"
	absent "kept-across-the-lock"
	absent "Acne scars"
	# the store is closed while locked: the CLI can use the file
	nl session show "$SES1" >/dev/null || fail "the file is held while locked"
	type_text "wrong"
	keys Enter
	wait_for "Wrong passphrase"
	type_text "$PASS"
	keys Enter
	wait_for "kept-across-the-lock"
	wait_for "New session — Acne scars"
	keys C-s
	wait_for "Acknowledge the warnings"
	keys y
	wait_for ", unsigned"
	id=$(last_session "$S_ZOE")
	nl session show "$id" | grep -qF "kept-across-the-lock" || fail "the draft's notes were lost"
}

case_draft() {
	seed
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session"
	tabs 21
	type_text "left-as-a-draft"
	keys Escape
	wait_for "Leave the form"
	keys k
	wait_for "Kept as a draft"
	keys q
	wait_for "Treatment series"
	keys Enter                   # opening the series offers the draft
	wait_for "Draft session"
	keys r
	wait_for "left-as-a-draft"
	# a crash loses nothing either: kill it and come back
	$T kill-server
	new_server
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	wait_for "Draft session"
	keys r
	wait_for "left-as-a-draft"
	keys Escape                  # unchanged since resumed: leaves, draft kept
	wait_for "Depth per area"
	keys m                       # amending would replace the draft: asked first
	wait_for "this one would replace it"
	keys Escape
	wait_gone "Draft session"
	keys n
	wait_for "Draft session"
	keys r
	wait_for "left-as-a-draft"
	keys Escape
	wait_for "Depth per area"
}

case_help() {
	seed
	start 80 24
	unlock "Zoë Müller"
	keys ?
	wait_for "Patient list"
	wait_for "search by name, date of birth, phone or id"
	keys q
	wait_for "Active series"
	open_zoe_series
	keys n
	wait_for "New session"
	keys F1
	wait_for "add a treated area"
	wait_for "C-n"
	keys q
	wait_for "New session"
	keys Escape
	wait_for "Depth per area"
}

case_mono() {
	seed
	TUI_ENV="NO_COLOR=1" start 80 24
	unlock "Zoë Müller"
	keys D
	wait_for "days overdue"
	esc=$(printf '\033')
	$T capture-pane -e -p -t nl | grep -qE "${esc}\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5)[;m]" &&
		fail "NO_COLOR is set, yet there are colours"
	$T capture-pane -e -p -t nl | grep -qE "${esc}\[([0-9;]*;)?(1|4|7)[;m]" ||
		fail "no attributes (bold, underline, reverse) on a monochrome screen"
	$T kill-server
	new_server
	TUI_TERM=vt100 start 80 24
	unlock "Zoë Müller"
	keys D
	wait_for "days overdue"
}

case_export() {
	seed
	start 100 30
	unlock "Zoë Müller"
	open_zoe_series
	keys x
	wait_for "Export this series"
	keys Enter                   # text, the first
	wait_for "The practice's name"   # asked, then remembered
	type_text "Clinic Under Test"
	keys Enter
	wait_for "Who is it for?"
	type_text "Dr Jane Roe, GP"
	keys Enter
	wait_for "Export to file"
	wait_for "needlelog-exports/patient-$P_ZOE-series-$S_ZOE-"
	keys Enter
	wait_for "Holds plaintext health data (mode 0600)"
	f=$(ls "$HOME"/needlelog-exports/*.txt) || fail "no export file"
	[ "$(stat -c %a "$f")" = 600 ] || fail "the export is not mode 0600"
	[ "$(stat -c %a "$HOME/needlelog-exports")" = 700 ] || fail "the folder is not 0700"
	grep -qF "Zoë Müller" "$f" || fail "the export lacks the patient"
	grep -qxF "Practice:      Clinic Under Test" "$f" || { cat "$f" >&2; fail "no practice in the header"; }
	grep -qxF "For:           Dr Jane Roe, GP" "$f" || { cat "$f" >&2; fail "no recipient in the header"; }
	nl audit --format csv | grep -qF "Dr Jane Roe, GP" || fail "the audit row does not name the recipient"
	keys q
	wait_for "Treatment series"
	keys x
	wait_for "Export the patient (all series)"
	type_text "md"
	keys Enter
	wait_for "The practice's name"
	wait_for "Clinic Under Test"     # remembered
	keys Enter
	wait_for "Who is it for?"
	absent "Dr Jane Roe"             # a recipient is never carried over
	keys Enter
	wait_for "Export to file"
	keys C-u
	type_text "$TMP/summary.md"
	keys Enter
	wait_for "plaintext health data"
	[ "$(stat -c %a "$TMP/summary.md")" = 600 ] || fail "the export is not mode 0600"
	grep -qF -- "- **Practice:** Clinic Under Test" "$TMP/summary.md" || fail "no practice in the md"
	grep -qF -- "**For:**" "$TMP/summary.md" && fail "a recipient nobody gave"
	keys x                       # the same file again: refused, said so
	wait_for "Export the patient"
	type_text "md"
	keys Enter
	wait_for "The practice's name"
	keys Enter
	wait_for "Who is it for?"
	keys Enter
	wait_for "Export to file"
	keys C-u
	type_text "$TMP/summary.md"
	keys Enter
	wait_for "Not exported"
	nl audit | grep -qi export || fail "no audit row for the export"
}

case_busy() {
	seed
	"$FIXTURE" --hold "$DB" "$PASS" "$TMP/ready" "$TMP/stop" &
	holder=$!
	for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	[ -e "$TMP/ready" ] || fail "the lock holder did not start"
	start 100 30
	wait_for "Passphrase:"
	type_text "$PASS"
	keys Enter
	wait_for "The record file is busy"
	touch "$TMP/stop"
	wait "$holder"
	type_text "$PASS"
	keys Enter
	wait_for "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session"
	rm -f "$TMP/ready" "$TMP/stop"
	"$FIXTURE" --hold "$DB" "$PASS" "$TMP/ready" "$TMP/stop" &
	holder=$!
	for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	keys C-s
	wait_for "Waiting for another user" 30   # waits, and says so
	touch "$TMP/stop"
	wait "$holder"
	wait_for "Acknowledge the warnings" 30   # saved without another C-s
	keys y
	wait_for ", unsigned"
	# Held for longer than the wait: a clear failure, the form kept.
	keys n
	wait_for "New session" 30
	rm -f "$TMP/ready" "$TMP/stop"
	"$FIXTURE" --hold "$DB" "$PASS" "$TMP/ready" "$TMP/stop" &
	holder=$!
	for _ in $(seq 200); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
	keys C-s
	wait_for "Waiting for another user" 30
	wait_for "stayed busy for 15 s" 30
	on "New session" || fail "the form was left after the busy save"
	touch "$TMP/stop"
	wait "$holder"
	keys C-s                     # free again: the kept form saves
	wait_for "Acknowledge the warnings" 30
	keys y
	wait_for "#4 "
}

# Two people at once (issue 14): a TUI idle on the patient list shows a
# patient another TUI saved within two seconds, without a key, keeping its
# selection by id; a CLI write reaches it too; an open form is not
# reloaded under the typing.
now_ms() { date +%s%3N; }

case_live() {
	local t0 dt s2="tmux -L $SOCK -f /dev/null"

	seed
	start 80 24
	unlock "Zoë Müller"
	keys Down                    # select a patient other than the first
	$s2 new-session -d -x 80 -y 24 -s nl2 \
		"env TERM=xterm-256color '$NEEDLELOG' --db '$DB' tui 2>'$TMP/tui2.err'" ||
		fail "tmux new-session (second TUI)"
	for _ in $(seq 400); do
		$s2 capture-pane -p -t nl2 | grep -q "Passphrase:" && break; sleep 0.05
	done
	$s2 send-keys -t nl2 -l "$PASS"
	$s2 send-keys -t nl2 Enter
	for _ in $(seq 400); do
		$s2 capture-pane -p -t nl2 | grep -q "Zoë Müller" && break; sleep 0.05
	done
	keys Enter                   # which patient is selected
	wait_for "Treatment series"
	sel=$(line 1)
	keys Escape
	wait_for "Zoë Müller"
	$s2 send-keys -t nl2 a
	for _ in $(seq 400); do
		$s2 capture-pane -p -t nl2 | grep -q "New patient" && break; sleep 0.05
	done
	$s2 send-keys -t nl2 -l "Aaron Live"
	$s2 send-keys -t nl2 C-s
	for _ in $(seq 400); do
		$s2 capture-pane -p -t nl2 | grep -q "Aaron Live  id 4" && break; sleep 0.05
	done
	$s2 capture-pane -p -t nl2 | grep -q "Aaron Live  id 4" || fail "the second TUI did not save"
	t0=$(now_ms)
	wait_for "Aaron Live" 5
	dt=$(( $(now_ms) - t0 ))
	echo "the first TUI showed the second's save after $dt ms"
	[ "$dt" -le 2000 ] || fail "the save took $dt ms to show (more than 2 s)"
	keys Enter                   # the selection stayed on the same patient
	wait_for "Treatment series"
	[ "$(line 1)" = "$sel" ] || fail "the selection moved from '$sel'"
	keys Escape
	wait_for "Aaron Live"
	# A CLI write; then an open form is kept as typed while another saves.
	nl patient add --name "Cli Newcomer" --consent "$(day -1)" >/dev/null || fail "patient add"
	wait_for "Cli Newcomer" 2
	keys a
	wait_for "New patient"
	type_text "Half Typed"
	nl patient add --name "Third Person" --consent "$(day -1)" >/dev/null || fail "patient add"
	sleep 2.5
	on "Half Typed" || fail "the open form lost what was typed"
	keys Escape
	wait_for "Leave without saving"
	keys y
	wait_for "Third Person" 3
	$s2 send-keys -t nl2 Q
}

# Several users and none given: the unlock screen asks the user's name,
# and only that user's passphrase opens the file as them.
case_users() {
	seed
	NEEDLELOG_NEW_PASSPHRASE=ana-own-passphrase-2 nl user add ana >/dev/null 2>&1 ||
		fail "user add"
	unset NEEDLELOG_USER
	start 80 24
	wait_for "User:"
	wait_for "Passphrase:"
	type_text "ana"
	keys Enter
	type_text "$PASS"            # the first user's passphrase, not ana's
	keys Enter
	wait_for "Wrong user name or passphrase"
	type_text "ana-own-passphrase-2"
	keys Enter
	wait_for "Zoë Müller"
	keys C-x                     # locked: the name is offered again
	wait_for "needlelog is locked"
	wait_for "User:"
	wait_line "User:" "ana"
	type_text "ana-own-passphrase-2"
	keys Enter
	wait_for "Zoë Müller"
}

case_plan() {
	seed
	start 100 30
	unlock "Zoë Müller"
	keys /
	type_text "Bob"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "No series yet"
	keys a                       # plan a series
	wait_for "New treatment series"
	keys Enter
	wait_for "hair-loss"
	type_text "hair"
	keys Enter
	tabs 1                       # -> plan (6x28, selected: typing replaces it)
	type_text "7x7"
	wait_for "The plan reads: 7 weekly (7 sessions)"
	tabs 1                       # -> target areas
	keys Enter
	type_text "vertex"
	keys Enter
	wait_for "scalp-vertex"
	keys C-s
	wait_for "Series planned (id "
	wait_for "). n logs its first session"
	wait_for "7 weekly"            # the plan as the core words it
	keys E                       # its status: completed
	wait_for "Edit the series"
	tabs 6
	keys Enter
	type_text "compl"
	keys Enter
	keys C-s
	wait_for "Series saved."
	wait_for "completed"
	nl audit | grep -q "series" || fail "no audit row for the series"
	keys q
	wait_for "Hair loss"
	wait_for "completed"
}

# No record file yet: "no" leaves nothing behind (exit 66); "yes" creates
# one as init does (0600 in a 0700 folder), then the unlock screen opens it.
# ---- issue 10: safety information is never hidden, cut or mislabelled ----

open_asa_series() {
	keys /
	type_text "Åsa"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Treatment series"
	keys Enter
	wait_for "Sessions"
}

LONG="Keep the area clean and dry for twelve hours, no makeup for a day, no sun, no retinoids and no exfoliating acids for a week; a mineral SPF 50 every morning and a bland moisturiser twice a day."

# A session whose lines wrap at 80 columns: its safety warnings and its
# amendment are reached by scrolling (G), with markers saying what is hidden.
case_scroll() {
	seed
	id=$(nl session add --series "$S_ASA" --area abdomen:2:4 --aftercare "$LONG $LONG" \
		--notes "$LONG $LONG $LONG" --reaction "$LONG" --adverse "$LONG" 2>/dev/null) ||
		fail "session add"
	nl session amend "$id" --reason "depth corrected after review" --area abdomen:1.5:4 \
		>/dev/null 2>&1 || fail "session amend"
	start 80 24
	unlock "Zoë Müller"
	open_asa_series
	keys G Enter
	wait_for "Treated areas"
	wait_for "more below"
	absent "more above"
	keys G
	wait_for "more above"
	wait_for "depth corrected after review"
	wait_for "areas:"
	absent "more below"
	keys g
	wait_for "Treated areas"
	wait_for "more below"
	# one row at a time reaches the warnings: none is skipped
	for _ in $(seq 60); do keys j; done
	wait_for "Safety warnings"
	wait_for "isotretinoin"
	# help scrolls with g and G too
	keys '?'
	wait_for "Help"
	keys G
	wait_for "more above"
	keys g
	wait_for "more below"
	keys q q
}

# Pickers rank an exact match first, then a prefix, then a substring.
case_picker() {
	seed
	start 80 24
	unlock "Zoë Müller"
	keys a
	wait_for "New patient"
	type_text "Picker Test"
	tabs 4                       # -> Fitzpatrick
	keys Enter
	wait_for "Fitzpatrick skin type"
	type_text "V"
	keys Enter
	wait_gone "Fitzpatrick skin type"
	keys C-s
	wait_for "Picker Test"
	nl patient list --search "Picker" --format json | grep -qE '"skin_type": *"V"' ||
		{ nl patient list --search Picker --format json >&2; fail "V did not record type V"; }
}

# Below 80x24 only a notice: nothing is typed or read from a cut screen.
case_minsize() {
	seed
	start 80 24
	unlock "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session"
	$T resize-window -t nl -x 60 -y 20
	wait_for "needlelog needs 80x24; this terminal is 60x20"
	absent "depth"
	absent "Zoë"
	type_text "9"                # ignored while too small
	$T resize-window -t nl -x 80 -y 24
	wait_for "New session"
	wait_gone "needlelog needs"
	screen | grep -q "1.759" && fail "a key was taken while too small"
	keys Escape                  # untouched: it leaves without asking
	wait_for "Sessions"
	$T resize-window -t nl -x 79 -y 30
	wait_for "this terminal is 79x30"
	$T resize-window -t nl -x 80 -y 24
	wait_for "Sessions"
}

# Two scales that share a long prefix never look alike: short labels, a
# space before "base".
case_scores() {
	seed
	sid=$(nl series add --patient "$P_ASA" --indication acne-scars --area cheek-l \
		--baseline goodman-baron-qual=3 --baseline goodman-baron-quant=32 2>/dev/null) ||
		fail "series add"
	start 80 24
	unlock "Zoë Müller"
	keys /
	type_text "Åsa"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Treatment series"
	keys G Enter
	wait_for "Sessions"
	screen | grep -q "Tab: scores" && keys Tab
	wait_line "G&B qual" "base 3, not scored since"
	wait_line "G&B quant" "base 32, not scored since"
	screen | grep -qE "[^ ]base" && fail "no space before base"
	true "$sid"
}

# After a lock (Ctrl-X, then the idle lock) nothing of the records is left
# in the process's memory: no patient name, no note, in the heap, SQLite's
# page cache or a screen's wiped form. The open form comes back.
case_memory() {
	seed
	nl patient add --name "Xanthe Quokkacanary" --skin-type II \
		--notes "Notecanary keloid after a 2019 laser" >/dev/null 2>&1 || fail "patient add"
	start 80 24 --lock-after-seconds 6
	unlock "Zoë Müller"
	keys /
	type_text "Xanthe"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Notecanary"
	keys e
	wait_for "Edit the profile"
	keys Tab
	type_text "x"                # an unsaved change
	keys C-x
	wait_for "Passphrase:"
	wait_for "Locked"
	absent "Quokkacanary"
	scan_memory Quokkacanary Notecanary
	unlock "Edit the profile"
	wait_for "Quokkacanary"
	# the idle lock wipes as well
	wait_for "Passphrase:" 20
	scan_memory Quokkacanary Notecanary
	unlock "Edit the profile"
	keys Escape
	wait_for "Leave"
	keys y
	wait_for "Notecanary"
}

# Friction: C-x says "Locked" (not "after a time without use"); a patient
# form survives Esc (quit) on the lock screen; / starts a fresh search.
case_friction() {
	seed
	start 80 24
	unlock "Zoë Müller"
	keys /
	type_text "Zoë"
	wait_for "1 patient"
	keys Enter /
	type_text "Bob"
	wait_for "Bob Smith"          # not "Zoë" + "Bob": nothing found
	absent "No patient matches"
	keys Escape
	wait_for "3 patients"
	keys a
	wait_for "New patient"
	type_text "Draft Kept"
	keys C-x
	wait_for "Passphrase:"
	wait_for "Locked; the records are hidden."
	absent "without use"
	keys Escape                  # quits from the lock screen
	wait_exit
	[ "$(cat "$TMP/exit")" = 0 ] || fail "bad exit"
	$T kill-server
	new_server
	start 80 24
	unlock "Zoë Müller"
	keys a
	wait_for "New patient"
	wait_for "Draft Kept"
	wait_for "as you left it"
	keys C-s
	wait_for "Patient"
	wait_for "Draft Kept"
}

# The new file screen's rating line ("Strength: ...") now.
rating() {
	screen | grep -m1 "Strength:"
}

# type_rated TEXT: types TEXT one character at a time; after each, the
# rating line must change within a few seconds (it is rated per keystroke,
# not when the field is left or the form sent).
type_rated() {
	local text=$1 prev now end i

	prev=$(rating)
	for ((i = 0; i < ${#text}; i++)); do
		type_text "${text:i:1}"
		end=$((SECONDS + 3))
		while now=$(rating); [ "$now" = "$prev" ]; do
			[ "$SECONDS" -le "$end" ] ||
				fail "the rating did not change after typing '${text:0:i+1}': $now"
			sleep 0.05
		done
		prev=$now
	done
}

# scan_if_readable CANARY...: as scan_memory, but a process memory that
# cannot be read skips only this check (the case goes on).
scan_if_readable() {
	local out rc

	out=$(python3 "$(dirname "$0")/memscan.py" "$(tui_pid)" "$@")
	rc=$?
	[ "$rc" = 77 ] && { echo "memory not readable: check skipped" >&2; return 0; }
	[ "$rc" = 0 ] || { echo "$out" >&2; fail "a passphrase or key left in memory"; }
}

# The first run, in the TUI (issue 14): with no record file the new file
# screen offers to make one (Esc leaves, as the CLI would say, making
# nothing); the passphrase is rated as it is typed; a guessable one and a
# mismatch are refused in the form; the recovery key is shown once and the
# file opens with no third passphrase prompt.
case_firstrun() {
	local strong="plum ferret cobalt harmonica" key new="quartz lantern otter meadow"

	DB=$TMP/new/records.db
	start 80 24
	wait_for "There is no record file at $DB."
	absent "Passphrase"
	keys Escape
	wait_exit
	[ "$(cat "$TMP/exit")" = 66 ] || fail "leaving should exit 66, not $(cat "$TMP/exit")"
	grep -qF "no record file at $DB; create one with \`needlelog init\` (or try \`needlelog demo\`)" \
		"$TMP/tui.err" || fail "leaving did not say why: $(cat "$TMP/tui.err")"
	[ ! -e "$TMP/new" ] || fail "leaving made the file or its folder"
	$T kill-server
	new_server
	start 80 24 "--user 'Ana Ruiz'"
	wait_for "There is no record file at"
	keys Enter
	wait_line "User name" "Ana Ruiz"          # --user, as init names the first user
	wait_for "Strength: (type a passphrase)"
	type_rated "pass"
	wait_for "Strength: weak (about 10^"
	wait_for "common word or name"
	keys C-u
	wait_for "Strength: (type a passphrase)"
	type_rated "plum fer"
	type_text "ret cobalt harmonica"
	wait_for "Strength: strong"
	absent "$strong"                           # never echoed
	keys C-u
	type_text "pass"
	keys Tab
	type_text "pass"
	keys Enter                                 # Enter on the last field: make it
	wait_for "Not made: that passphrase could be guessed"
	wait_for "common word or name"
	wait_for "Repeat it"                       # still in the form
	wait_for "Strength: (type a passphrase)"   # the refused one is wiped
	[ ! -e "$DB" ] || fail "a refused passphrase made a file"
	type_text "$strong"
	keys Tab
	type_text "${strong}s"
	keys C-s
	wait_for "the two passphrases differ"
	[ ! -e "$DB" ] || fail "a mismatch made a file"
	scan_if_readable "$strong"                 # the refused passphrases are wiped
	type_text "$strong"
	keys Tab
	type_text "$strong"
	keys C-s
	wait_for "This recovery key is shown once"
	key=$(screen | grep -oE '[0-9A-Z]{5}(-[0-9A-Z]{5}){7}' | head -1)
	[ -n "$key" ] || fail "no recovery key on the screen"
	type_text "yes"
	keys Enter
	wait_for "Type written (the word)"         # deliberate: only the word goes on
	on "$key" || fail "the key left the screen before it was written down"
	keys C-u
	type_text "written"
	keys Enter
	wait_for "No patients yet"                 # opened with the passphrase just given:
	absent "Passphrase"                        # no third prompt
	absent "$key"
	scan_if_readable "$strong" "$key" "${key//-/}"
	[ "$(stat -c %a "$DB")" = 600 ] || fail "the new file is not mode 0600"
	[ "$(stat -c %a "$TMP/new")" = 700 ] || fail "the new folder is not mode 0700"
	keys q
	wait_exit
	[ "$(cat "$TMP/exit")" = 0 ] || fail "quitting exited $(cat "$TMP/exit")"
	# the key shown is the file's: it sets a new passphrase
	echo "$key" >"$TMP/key"
	NEEDLELOG_NEW_PASSPHRASE="$new" "$NEEDLELOG" --db "$DB" passwd \
		--recovery-key-file "$TMP/key" >/dev/null 2>"$TMP/cli.err" ||
		fail "passwd with the recovery key shown: $(cat "$TMP/cli.err")"
	NEEDLELOG_PASSPHRASE="$new" "$NEEDLELOG" --db "$DB" user list >"$TMP/users" ||
		fail "user list with the new passphrase"
	grep -q "Ana Ruiz" "$TMP/users" || fail "the user typed is not the file's: $(cat "$TMP/users")"
	NEEDLELOG_PASSPHRASE="$new" "$NEEDLELOG" --db "$DB" check >/dev/null ||
		fail "check on the new file"
}

# The first run with the passphrase given ($NEEDLELOG_PASSPHRASE, as
# scripts and tests give it): the screen still asks the name and shows the
# given passphrase's rating; a weak one is a warning, as for init, not a
# refusal. A name changed in the form is whose slot the next unlock opens,
# even with another in $NEEDLELOG_USER.
case_firstrun_given() {
	DB=$TMP/new/records.db
	TUI_ENV="NEEDLELOG_PASSPHRASE=$PASS NEEDLELOG_USER=ana" start 80 24
	wait_for "There is no record file at"
	keys Enter
	wait_line "User name" "ana"
	wait_for 'Passphrase: as given in $NEEDLELOG_PASSPHRASE'
	wait_for "Strength: weak (about 10^"
	absent "Repeat it"
	keys C-u
	type_text "bea"
	keys C-s
	wait_for "This recovery key is shown once"
	wait_for "warning: the new passphrase could be guessed"
	type_text "written"
	keys Enter
	wait_for "No patients yet"
	keys C-x
	wait_for "needlelog is locked"
	type_text "$PASS"
	keys Enter
	wait_for "No patients yet"
	NEEDLELOG_USER=bea nl user list | grep -q "bea" || fail "the file's user is not the name typed"
}

# The status line's backup reminder, and b: back up now (issue 16).
case_backup() {
	TUI_FIXTURE_NO_BACKUP=1 seed
	start 100 30
	unlock "Zoë Müller"
	wait_line "records.db" "no verified backup yet: b backs up now"
	keys b                       # no folder remembered: says how to set one
	wait_for "No backup folder is remembered"
	keys Q
	wait_exit
	$T kill-server
	new_server
	rm -f "$DB"
	TUI_FIXTURE_NO_BACKUP=1 TUI_FIXTURE_REMEMBER=$TMP/bk seed
	start 100 30
	unlock "Zoë Müller"
	wait_for "no verified backup yet: b backs up now"
	keys b
	wait_for "Back up now"
	keys Escape                  # cancelled: nothing made
	wait_for "Not backed up"
	keys b
	wait_for "Back up now"
	type_text "not the passphrase"
	absent "not the passphrase"  # never echoed
	keys Enter
	wait_for "Wrong passphrase: nothing was backed up"
	[ -z "$(ls "$TMP/bk" 2>/dev/null)" ] || fail "a copy was made under a wrong passphrase"
	keys b
	wait_for "Back up now"
	type_text "$PASS"
	keys Enter
	wait_for "backed up to $TMP/bk/records-"
	keys j                       # the message goes; the reminder stays away
	wait_gone "backed up to"
	absent "b backs up now"
	n=$(ls "$TMP/bk"/records-*.nlbak 2>/dev/null | wc -l)
	[ "$n" = 1 ] || fail "expected one copy in the backup folder, found $n"
	nl backup --list --verify --format csv >"$TMP/list.csv" || fail "the copy does not verify"
	grep -q ",ok," "$TMP/list.csv" || fail "the copy is not listed as ok"
	nl due 2>"$TMP/due.err" >/dev/null || fail "due failed"
	! grep -q reminder "$TMP/due.err" || fail "due still reminds after b"
}

# b on a file with several users: the passphrase typed is the unlocking
# user's, and the copy opens for each user (issue 15: the dialog's check
# named no user, so a second user made every b fail).
case_backupusers() {
	TUI_FIXTURE_NO_BACKUP=1 TUI_FIXTURE_REMEMBER=$TMP/bk seed
	NEEDLELOG_NEW_PASSPHRASE=ana-own-passphrase-2 nl user add ana >/dev/null 2>&1 ||
		fail "user add"
	export NEEDLELOG_USER=ana
	start 100 30
	wait_for "Passphrase:"
	type_text "ana-own-passphrase-2"
	keys Enter
	wait_for "Zoë Müller"
	keys b
	wait_for "Back up now"
	type_text "$PASS"            # the first user's, not ana's
	keys Enter
	wait_for "Wrong passphrase: nothing was backed up"
	keys b
	wait_for "Back up now"
	type_text "ana-own-passphrase-2"
	keys Enter
	wait_for "backed up to $TMP/bk/records-"
	copy=$(ls "$TMP/bk"/records-*.nlbak)
	NEEDLELOG_PASSPHRASE=ana-own-passphrase-2 "$NEEDLELOG" --db "$copy" check \
		>/dev/null || fail "the copy does not open for ana"
	unset NEEDLELOG_USER
	first=$(NEEDLELOG_USER=ana NEEDLELOG_PASSPHRASE=ana-own-passphrase-2 \
		"$NEEDLELOG" --db "$DB" user list | grep -vx ana)
	[ -n "$first" ] || fail "user list named no first user"
	NEEDLELOG_USER=$first NEEDLELOG_PASSPHRASE=$PASS "$NEEDLELOG" --db "$copy" check \
		>/dev/null || fail "the copy does not open for $first"
}

# Issue 10's chasing and markers: unsigned sessions counted on the status
# line and listed by U; a draft marked on the patient list and the
# profile; hint bars that do not fit end with a marker; patient ids only
# labelled; flags in force with the window's end (the core's rule);
# consents recorded and withdrawn from the profile.
case_chase() {
	seed
	nl session add --series "$S_ASA" --date "$(day -4)" --area abdomen:2:4 >/dev/null 2>&1 ||
		fail "session add"
	# The 15th of a past month: six months on is a real day in any month
	# (the core clamps 31 October + 6 months to 30 April; date(1) rolls on).
	iso=$(date -d "$(day -30)" +%Y-%m-15)
	nl patient add --name "Iso Window" --flag "isotretinoin:$iso" >/dev/null 2>&1 ||
		fail "patient add"
	until=$(date -d "$iso +6 months" +%F)
	start 80 24
	unlock "Zoë Müller"
	wait_for "1 unsigned (U)"
	line 3 | grep -qE "^ +id +Name" || fail "the id column is not labelled"
	keys U
	wait_for "Unsigned more than 24 hours after their date"
	wait_line "4 days ago" "Åsa Öberg"
	on "Unsigned for" || fail "the days column is not labelled for what it shows"
	keys Enter
	wait_for "Stretch marks  Åsa Öberg"
	[ "$(line 24 | grep -c '… ? all keys')" = 1 ] || fail "no 'more' marker on a cut hint bar"
	keys q q
	wait_for "Search:"
	keys /
	type_text "Iso"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Iso Window  id 4"
	wait_line "Isotretinoin" "until $until"
	keys q
	wait_for "Search:"
	keys /
	type_text "Bob"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "NONE ON FILE"
	keys c
	wait_for "Consent to"
	keys Enter
	wait_for "Covering"
	keys Enter
	wait_for "Consent form"
	type_text "form v2"
	keys Enter
	wait_for "Given on"
	keys Enter
	wait_for "Consent recorded"
	wait_for "Consent Treatment, all indications, $(day 0), form form v2"
	keys w
	wait_for "Withdraw which consent"
	keys Enter
	wait_for "Withdraw consent"
	keys y
	wait_for "Treatment, all indications, $(day 0), WITHDRAWN $(day 0), form"
	nl audit --format csv | grep -i "consent" | grep -qi "withdraw" ||
		fail "the withdrawal is not audited"
	keys q
	wait_for "Search:"
	keys /
	type_text "Zoë"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Treatment series"
	keys Enter
	wait_for "Sessions"
	keys n
	wait_for "New session"
	keys C-x
	wait_for "Passphrase:"
	keys Escape                  # quits; the form stays a draft
	wait_exit
	$T kill-server
	new_server
	start 80 24
	unlock "Zoë Müller"
	wait_line "Zoë Müller" "✎ draft"
	absent "Åsa Öberg ✎"
	keys /
	type_text "Zoë"
	wait_for "1 patient"
	keys Enter Enter
	wait_line "Acne scars" "✎ draft"
}

# Issue 11 in the patient form: sex, and the allergy and medication lists
# (the core parses and checks them; a bad code is named), read back by the
# profile (in force) and by the edit form.
case_patientform() {
	seed
	start 80 24
	unlock "Zoë Müller"
	keys a
	wait_for "New patient"
	type_text "Lister Form"
	tabs 5                       # -> sex
	keys Enter
	wait_for "female"
	type_text "female"
	keys Enter
	wait_line "Sex " "female"
	tabs 3                       # -> allergies
	type_text "lidocaine:hives:severe; nickell"
	tabs 1
	type_text "anticoagulant:Warfarin 5 mg:$(day -100)"
	keys C-s
	wait_for "Not saved"
	wait_for "nickell"           # the bad code, named
	tabs 11                      # back round to allergies
	keys C-u
	type_text "lidocaine:hives:severe; nickel"
	keys C-s
	wait_for "Lister Form  id 4"
	wait_for "Sex Female"
	wait_line "Allergies" "lidocaine (hives, severe), nickel"
	wait_line "Medications" "Warfarin 5 mg (anticoagulant)"
	out=$(NEEDLELOG_TEST_KDF=min "$FIXTURE" --show "$DB" "$PASS" 4) || fail "reading the patient back"
	for want in "sex=female" "allergy=lidocaine:hives:severe" "allergy=nickel::" \
		    "medication=anticoagulant:Warfarin 5 mg:$(day -100)"; do
		echo "$out" | grep -qF -- "$want" || { echo "$out" >&2; fail "no $want on file"; }
	done
	keys e
	wait_for "Edit the profile"
	wait_for "lidocaine:hives:severe; nickel"
	wait_for "anticoagulant:Warfarin 5 mg:$(day -100)"
	absent "Consent date"        # consents are records: c on the profile
	keys Escape
	wait_for "Lister Form  id 4"
}

# The session form at 80x24 (issues 10 and 11): an area row is area,
# depth, passes (the scar label only for a scar); a pre-filled field is
# entered selected, so typing replaces it; the score box shows III-vertex
# whole; the safety panel wraps a warning rather than cut it; the device
# serial, the cartridge's and each product's lot and expiry are recorded,
# and a new session takes the serial but never a lot or an expiry.
case_sessionform() {
	seed
	start 80 24
	unlock "Zoë Müller"
	open_zoe_series
	keys n
	wait_for "New session — Acne scars"
	line 5 | grep -qF "Area 1" || fail "no area row on line 5"
	line 5 | grep -q "scar" && fail "a scar label on a cheek row"
	tabs 1                       # area 1 -> depth: one Tab
	type_text "2.2"              # replaces the pre-filled 1.75
	wait_line "Area 1" "depth mm 2.2 "
	absent "1.752.2"
	tabs 2                       # -> area 2
	type_text "scar"
	wait_line "Area 2" "scar"
	[ "$(line 6 | grep -o scar | wc -l)" = 2 ] || fail "no scar label field for a scar"
	tabs 1
	type_text "ice-pick"
	tabs 3                       # label, depth, passes -> device
	type_text "Dermapen 4"
	wait_for "Dermapen 4"
	absent "Pen A, lot 12Dermapen"
	tabs 1
	type_text "DP4-778"
	tabs 2                       # cartridge -> its lot
	type_text "CL-1"
	tabs 1
	type_text "2020-01-31"
	wait_for "expired on 2020-01-31"
	tabs 4                       # anaesthetic, minutes, product 1 -> its lot
	type_text "HA-9"
	tabs 1
	type_text "2030-12-31"
	keys C-o                     # a score row: the value box fits III-vertex
	type_text "norwood"
	tabs 1
	type_text "III-vertex"
	wait_line "Score 3" "III-vertex"
	# every warning whole at 80 columns: the interval's wraps
	wait_for "(planned every 28 days)"
	screen | grep -F "⚠" | grep -qF "…" && fail "a warning cut with an ellipsis"
	keys C-s
	wait_for "Acknowledge the warnings"
	keys y
	wait_for ", unsigned"
	wait_for "press s to sign."  # a message longer than the status line is never cut
	id=$(last_session "$S_ZOE")
	out=$(NEEDLELOG_TEST_KDF=min "$FIXTURE" --session "$DB" "$PASS" "$id") || fail "reading $id back"
	for want in "area=cheek-l::2.20:3" "area=scar:ice-pick:1.75:3" "device=Dermapen 4" \
		    "serial=DP4-778" "cartridge=36-pin:CL-1:2020-01-31" \
		    "product=hyaluronic acid:HA-9:2030-12-31" "score=norwood:5"; do
		echo "$out" | grep -qxF -- "$want" || { echo "$out" >&2; fail "no $want on file"; }
	done
	keys n                       # the next session: the serial kept, no lot
	wait_for "New session — Acne scars"
	wait_line "Device" "DP4-778"
	absent "CL-1"
	absent "HA-9"
	absent "2020-01-31"
	keys C-p
	wait_for "Product 2"
	keys Escape
	wait_for "Leave the form"
	keys d
	wait_for "Depth per area"
}

# A profile's long allergy and medication lines wrap at 80 columns: the
# last allergen and the last medication are on screen, nothing is cut.
case_profilewrap() {
	seed
	nl patient add --name "Wrap Allergic" --allergies \
		"lidocaine, prilocaine, tetracaine, benzocaine, latex, nickel, chlorhexidine and propylene glycol" \
		--medications "warfarin 5 mg daily, clopidogrel 75 mg, finasteride 1 mg, minoxidil 5% topical" \
		>/dev/null 2>&1 || fail "patient add"
	start 80 24
	unlock "Zoë Müller"
	keys /
	type_text "Wrap"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Wrap Allergic"
	wait_for "propylene-glycol"
	wait_for "minoxidil (minoxidil)"
	screen | grep -E "Allergies|Medications" | grep -qF "…" && fail "an allergy or medication line is cut"
	true
}

# Issue 11 in the series form and view: a plan in phases (COUNTxDAYS, in
# order) worded by the core as it is typed, kept, and read back by the edit
# form; a bad phase named; scores with their dates, stages for Norwood,
# hair density in /cm² with the difference and the percentage.
case_phases() {
	seed
	sid=$(nl series add --patient "$P_ASA" --indication hair-loss --area scalp-vertex \
		--start "$(day -20)" --interval-days 7 --planned 18 \
		--baseline norwood=IV --baseline hair-density=118 2>/dev/null) || fail "series add"
	nl session add --series "$sid" --date "$(day -13)" --area scalp-vertex:1.5:4 \
		--score norwood=III-vertex --score hair-density=159 >/dev/null 2>&1 || fail "session add"
	start 80 24
	unlock "Zoë Müller"
	keys /
	type_text "Bob"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "No series yet"
	keys a
	wait_for "New treatment series"
	keys Enter
	type_text "hair-loss"
	keys Enter
	tabs 1
	type_text "12x7, 6y28"
	wait_for "✖ Plan: phase: '6y28' is not COUNTxDAYS"
	keys BSpace BSpace BSpace BSpace BSpace
	type_text "6x28"
	wait_for "The plan reads: 12 weekly, then 6 every 4 weeks (18 sessions)"
	tabs 1
	type_text "scalp-vertex"
	keys C-s
	wait_for "Series planned"
	wait_for "0 of 18 done"
	wait_for "Plan: 12 weekly, then 6 every 4 weeks"   # its own row: never cut
	keys E
	wait_for "Edit the series"
	wait_line "Plan" "12x7, 6x28"
	keys Escape
	wait_for "0 of 18 done"
	keys q q
	wait_for "Search:"
	keys /
	type_text "Åsa"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Treatment series"
	keys G Enter
	wait_for "Sessions"
	screen | grep -q "Tab: scores" && keys Tab
	wait_line "Norwood" "IV to III-vertex: 1 stage better"
	wait_line "Hair/cm²" "118 to 159 /cm²: +41 (+35%), better"
	wait_for "baseline $(day -20) · latest #1 $(day -13)"
}

# Golden screens, compared whole as tig does: the main screens at 80x24 on
# the fixture's practice with a fixed today. Times of day and hashes (made
# when the fixture runs) are masked. NEEDLELOG_GOLDEN_UPDATE=1 writes them
# again (then read the diff before committing).
GOLDEN_TODAY=2026-03-15

golden() {  # golden NAME: the screen now against tests/tui/golden/NAME.txt
	local want="$SOURCE_ROOT/tests/tui/golden/$1.txt" got

	sleep 0.3                    # let a frame settle
	got=$(screen | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm/g;
		s/hash [0-9a-f]{16}/hash ################/g')
	if [ -n "${NEEDLELOG_GOLDEN_UPDATE:-}" ]; then
		printf '%s\n' "$got" >"$want"
		return
	fi
	[ -f "$want" ] || fail "no golden screen $want (NEEDLELOG_GOLDEN_UPDATE=1 makes it)"
	diff -u "$want" <(printf '%s\n' "$got") >&2 || fail "the $1 screen differs from its golden dump"
}

case_golden() {
	: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"
	export NEEDLELOG_TODAY=$GOLDEN_TODAY
	seed
	TUI_ENV="NEEDLELOG_TODAY=$GOLDEN_TODAY TZ=UTC" start 80 24
	unlock "Zoë Müller"
	golden patients
	keys /
	type_text "Zoë"
	wait_for "1 patient"
	keys Enter Enter
	wait_for "Treatment series"
	golden patient
	keys Enter
	wait_for "Depth per area"
	golden series
	keys Enter
	wait_for "Session #2 of series"
	golden session
	keys q
	wait_for "Depth per area"
	keys n
	wait_for "New session"
	golden session_form
	keys Escape
	wait_for "Depth per area"
	keys '?'
	wait_for "── Series"
	golden help
	keys q
	wait_for "Depth per area"
	keys D
	wait_for "Due today"
	golden due
}

# The photo timeline and the comparison in symbols (issue 12): pictures
# made by mkimg ($4), consent written by raw_sql ($3).
case_photos() {
	local pics=$TMP/pics
	mkdir -p "$pics"
	seed
	NEEDLELOG_PASSPHRASE=$PASS "$PHOTO_RAW_SQL" "$DB" "INSERT INTO consent (patient_id,
		kind, given, created_at) VALUES ($P_ZOE, 'photography-clinical', '2000-01-01',
		'2000-01-01T00:00:00Z')" || fail "consent"
	"$PHOTO_MKIMG" jpeg "$pics/before.jpg" 800 600 0
	"$PHOTO_MKIMG" jpeg "$pics/mid.jpg" 800 600 0.5
	"$PHOTO_MKIMG" png "$pics/after.png" 800 600 1
	nl photo add --patient "$P_ZOE" --series "$S_ZOE" --view frontal --timepoint baseline \
		--taken "$(day -60)" "$pics/before.jpg" >/dev/null || fail "photo add"
	nl photo add --patient "$P_ZOE" --series "$S_ZOE" --view frontal --taken "$(day -30)" \
		"$pics/mid.jpg" >/dev/null || fail "photo add"
	nl photo add --patient "$P_ZOE" --series "$S_ZOE" --view frontal --taken "$(day -1)" \
		"$pics/after.png" >/dev/null || fail "photo add"
	start 80 24
	unlock
	open_zoe_series
	keys P
	wait_for "Timeline by view"
	wait_line "frontal" "$(day -60)"
	wait_for "$(day -1)"
	keys c
	wait_for "baseline: $(day -60)"
	wait_for "now, 3 of 3: $(day -1)"
	screen | grep -q '[▀▄█▌▐▘▝▖▗▚▞]' || fail "no block symbols drawn"
	keys Left
	wait_for "then, 2 of 3: $(day -30)"
	keys Right Right
	wait_for "now, 3 of 3"
	keys q
	wait_for "Timeline by view"
	# The import dialog: a file that is not an image is refused, naming it.
	echo "not a picture" >"$pics/notes.jpg"
	keys i
	wait_for "File (JPEG"
	type_text "$pics/notes.jpg"
	keys Enter
	wait_for "View"
	keys Enter
	wait_for "not an image"
	[ "$(nl photo list --patient "$P_ZOE" --format csv | wc -l)" = 4 ] || fail "a photo was stored"
	quit_app
}

# Issue 15: the search filters the rows the list loaded, per keystroke,
# and reads the file again only when it changed (record_data_version). The
# reads are counted ($NEEDLELOG_TEST_RELOADS), not timed.
reloads() {
	cat "$TMP/reloads" 2>/dev/null
}

case_reload() {
	seed
	TUI_ENV="NEEDLELOG_TEST_RELOADS=$TMP/reloads NEEDLELOG_TIMING=1" start 80 24
	unlock "Zoë Müller"
	wait_for "3 patients"
	[ "$(reloads)" = 1 ] || fail "the first screen read the list $(reloads) times, not once"
	keys /
	type_text "öberg"              # five characters, each filtered in memory
	wait_for "1 patient"
	wait_for "Åsa Öberg"
	absent "Zoë Müller"
	keys BSpace BSpace BSpace BSpace BSpace
	wait_for "3 patients"
	type_text "1990"               # the date of birth, by the core's rule
	wait_for "Bob Smith"
	absent "Zoë Müller"
	keys C-u
	type_text "#$P_ASA"            # the id
	wait_for "1 patient"
	wait_for "Åsa Öberg"
	keys Escape
	wait_for "3 patients"
	[ "$(reloads)" = 1 ] || fail "typing and backspace read the list again: $(reloads) reads"
	keys Enter
	wait_for "Treatment series"
	keys q
	wait_for "Active series"
	[ "$(reloads)" = 1 ] || fail "going back read an unchanged list again: $(reloads) reads"
	# another process adds a patient: the next keystroke sees it
	nl patient add --name "Quentin Newcomer" >/dev/null 2>&1 || fail "patient add"
	keys /
	type_text "newc"
	wait_for "Quentin Newcomer"
	[ "$(reloads)" = 2 ] || fail "a change by another process read the list $(reloads) times"
	keys Escape
	wait_for "4 patients"
	[ "$(reloads)" = 2 ] || fail "the list was read again without a change: $(reloads) reads"
	# the unsigned count is kept by the version too, and follows a change
	absent "unsigned (U)"
	nl session add --series "$S_ASA" --date "$(day -4)" --area abdomen:2:4 >/dev/null 2>&1 ||
		fail "session add"
	keys /
	type_text "zoë"
	keys Enter Enter
	wait_for "Treatment series"
	wait_for "1 unsigned (U)"
	keys q
	wait_for "Active series"
	# $NEEDLELOG_TIMING: the first screen's time after the unlock, on stderr
	keys q
	wait_exit
	grep -Eq '^needlelog: timing: the first screen [0-9]+ ms after the unlock$' "$TMP/tui.err" ||
		fail "no timing line on stderr: $(cat "$TMP/tui.err")"
}

PHOTO_RAW_SQL=${3:-}
PHOTO_MKIMG=${4:-}
"case_$1"
quit_app
echo "ok $1"
