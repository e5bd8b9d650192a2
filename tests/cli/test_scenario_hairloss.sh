#!/bin/bash
# A hair-loss series over six months, as a practice would log it: weekly
# for four weeks, then monthly; scalp zones at 1.5 mm with minoxidil;
# hair density and Norwood against the baseline; one signed session
# amended; progress, due dates and the audit checked at fixed dates.
. "$(dirname "$0")/lib.sh"
new_db
export NEEDLELOG_TODAY=2026-01-02

run patient add --name "Marc Dubois" --dob 1979-05-14 --skin-type II --consent 2026-01-02 \
	--phone "+33 6 12 34 56 78"
expect_id "the patient"
P=$ID
run series add --patient "$P" --indication hair-loss --planned 10 --interval-days 7 \
	--area scalp-frontal --area scalp-mid --area scalp-vertex --start 2026-01-05 \
	--goal "Denser crown: weekly x 4, then monthly" \
	--baseline hair-density=120 --baseline norwood=IV --baseline global-7pt=0
expect_id "the series, weekly to start"
S=$ID

# date, hair density, norwood, global-7pt
SESSIONS="2026-01-05 122 IV 0
2026-01-12 125 IV 0
2026-01-19 128 IV 1
2026-01-26 131 IV 1
2026-02-23 138 IV 1
2026-03-23 146 IIIa 2
2026-04-20 152 IIIa 2
2026-05-18 160 IIIa 2"
N=0
IDS=()
while read -r date density norwood g7; do
	N=$((N + 1))
	# Each session is logged on its day: a session after today is refused.
	export NEEDLELOG_TODAY=$date
	if [ "$N" = 5 ]; then
		run series edit "$S" --interval-days 28
		expect_rc 0 "after four weekly sessions, the series goes monthly"
	fi
	run session add --series "$S" --date "$date" \
		--area scalp-frontal:1.5:4 --area scalp-mid:1.5:4 --area scalp-vertex:1.5:4 \
		--device "roller 192-needle, lot R$N" --product "minoxidil 5%" \
		--endpoint erythema-uniform --pain 2 --aftercare "no minoxidil for 24 h" \
		--score "hair-density=$density" --score "norwood=$norwood" --score "global-7pt=$g7"
	expect_id "session $N on $date"
	[ -z "$ERR" ] && ok "session $N: no safety warning" || not_ok "session $N: no safety warning"
	IDS+=("$ID")
	if [ "$N" -lt 8 ]; then
		run session sign "$ID"
		expect_rc 0 "sign session $N"
	fi
done <<<"$SESSIONS"

# Session 3 was signed, then found wrong: amend it.
run session amend "${IDS[2]}" --reason "Vertex done at 1.25 mm (tender); noted late" \
	--area scalp-frontal:1.5:4 --area scalp-mid:1.5:4 --area scalp-vertex:1.25:4
expect_rc 0 "amend the signed third session"
run session show "${IDS[2]}"
expect_out "Vertex done at 1.25 mm (tender); noted late" "the reason is kept"
expect_out "Original, as written:" "the original is shown"
expect_out "scalp-vertex 1.5 mm x4" "the original depth is still readable"
expect_out "scalp-vertex 1.25 mm x4" "the amended depth"
expect_out "(verified)" "the signature still verifies"

# As of 10 June: 8 of 10 done, next due 15 June (last + 28 days).
run progress "$S" --today 2026-06-10
expect_rc 0 "progress"
# The plan reads as people say it (plan_text, issue 11): after the edit to
# 28 days it is a one-phase plan of 10 every 4 weeks.
expect_out "Sessions: 8 of 10 done; plan: 10 every 4 weeks, from 2026-01-05"
expect_out "Last session: 2026-05-18"
expect_out "Next due: 2026-06-15 (in 5 days)"
# Scores as the literature reads them (issue 11): hair density per cm² with
# the difference and the percentage, Norwood by stage, every line dated.
expect_out "hair-density  120 /cm²  160 /cm²  2026-05-18  +40 (+33%)  better" "hair density against baseline"
expect_out "norwood       IV        IIIa      2026-05-18  -1" "Norwood against baseline, by stage"
expect_out "2026-05-18  hair-density  160 /cm²  120 to 160 /cm²: +40 (+33%), better" "a dated score line"
expect_out "2026-03-23  norwood       IIIa      IV to IIIa: 1 stage better" "Norwood by stage, dated"
run progress "$S" --today 2026-06-10 --format json
json "json: done, planned, next due, upcoming" \
	"d['done']==8 and d['planned']==10 and d['next_due']=='2026-06-15' and d['days_until_due']==5 and d['due']=='upcoming'"
json "json: depth per area across the sessions (the amendment applied)" \
	"[s['depth_mm']['scalp-vertex'] for s in d['sessions']] == [1.5, 1.5, 1.25, 1.5, 1.5, 1.5, 1.5, 1.5]"
json "json: intervals weekly then monthly" \
	"[s['interval_days'] for s in d['sessions']] == [None, 7, 7, 7, 28, 28, 28, 28]"
json "json: hair density +40, better, improving" \
	"[(s['baseline'], s['latest'], s['change'], s['verdict'], s['trend']) for s in d['scales'] if s['scale']=='hair-density'] == [(120, 160, 40, 'better', 'improving')]"
json "json: Norwood IV to IIIa is better, one stage" \
	"[(s['verdict'], s['change']) for s in d['scales'] if s['scale']=='norwood'] == [('better', -1)]"
json "json: hair density in /cm² with its percentage and dated points" \
	"[(s['unit'], round(s['percent']), s['points'][-1]['date'], s['baseline_date']) for s in d['scales'] if s['scale']=='hair-density'] == [('/cm²', 33, '2026-05-18', '2026-01-05')]"
json "json: the plan in words" "d['plan'] == '10 every 4 weeks'"
json "json: global 7-point better" "[s['verdict'] for s in d['scales'] if s['scale']=='global-7pt'] == ['better']"
json "json: signed sessions" "[s['signed'] for s in d['sessions']] == [True]*7 + [False]"

run progress "$S" --today 2026-06-15
expect_out "Next due: 2026-06-15 (due today)" "due on the day"
run progress "$S" --today 2026-06-20
expect_out "Next due: 2026-06-15 (OVERDUE by 5 days)" "overdue after it"
NEEDLELOG_TODAY=2026-06-20 run progress "$S"
expect_out "OVERDUE by 5 days" "\$NEEDLELOG_TODAY does the same as --today"

run due --today 2026-06-10
# The due list itself; below it, since issue 11, the sessions left unsigned
# more than 24 hours after their date (the 8th, of 18 May) have a section.
if has "${OUT%%Unsigned more than*}" "Marc Dubois"; then not_ok "not due yet on 10 June"; else ok "not due yet on 10 June"; fi
expect_out "Unsigned more than 24 hours after their date" "the unsigned eighth session is chased"
run due --today 2026-06-10 --unsigned --format json
json "due --unsigned: the 8th session, 23 days unsigned" "[(r['patient_name'], r['date'], r['days']) for r in d] == [('Marc Dubois', '2026-05-18', 23)]"
run due --today 2026-06-10 --within 7
expect_out "Marc Dubois" "due within 7 days of 10 June"
run due --today 2026-06-20 --format json
json "due json on 20 June: Marc, overdue by 5 days" \
	"len(d)==1 and d[0]['patient_name']=='Marc Dubois' and d[0]['due']=='overdue' and d[0]['days_until_due']==-5 and d[0]['next_due']=='2026-06-15'"
run due --today 2026-06-20 --format csv
csvrows "due csv: header and one row" "len(r)==2 and r[1][1]=='Marc Dubois' and r[1][7]=='2026-06-15'"

run series show "$S" --today 2026-06-10
expect_out "signed, amended" "series show marks the amended session"
expect_out "Next due: 2026-06-15 (in 5 days)"

run check
expect_rc 0 "check"
expect_out "7 signed sessions match their hash"

# --consent DATE on patient add is now a treatment consent record (issue
# 11), and writing it is audited like every other create.
run audit --limit 0 --format json
json "the audit has every step" \
	"sorted((r['entity'], r['action']) for r in d) == sorted([('patient','create'), ('consent','create'), ('series','create'), ('series','change')] + [('session','create')]*8 + [('session','sign')]*7 + [('session','amend')])"
json "every audit row names the practitioner" "all(r['who']=='Dr Ana Ruiz' for r in d)"
finish
