#!/bin/bash
# demo: a new record file with a fictional practice, passphrase "demo",
# deterministic for a seed, dates relative to today.
. "$(dirname "$0")/lib.sh"
export NEEDLELOG_PASSPHRASE=demo
DEMO="$T_DIR/demo.db"

run demo --db "$DEMO" --no-tui --today 2026-06-01
expect_rc 0 "demo --no-tui"
expect_out "passphrase: demo" "it tells the passphrase"
expect_out "40 patients" "about 40 patients"
expect_out "consent records (1 withdrawn)" "the demo counts its consents"
check "the demo file exists" test -s "$DEMO"
check "the demo file is 0600" test "$(stat -c %a "$DEMO")" = 600

export NEEDLELOG_DB="$DEMO"
run patient list --all --format json
json "40 patients, one archived" "len(d)==40 and sum(p['archived'] for p in d)==1"
json "UTF-8 names" "{'Zoë Müller', 'José Ñúñez', 'Łukasz Wójcik'} <= {p['name'] for p in d}"
run due --today 2026-06-01 --format json
json "some series are overdue" "sum(r['due']=='overdue' for r in d) >= 5"
run audit --limit 0 --format json
json "signed, amended and voided sessions" \
	"sum(r['action']=='sign' for r in d) > 100 and sum(r['action']=='amend' for r in d) >= 3 and sum(r['action']=='void' for r in d) == 1"
run check
expect_rc 0 "the demo file checks sound"

# Issue 11 on show: sexes, allergies (one that warns), medications, a phased
# hair-loss plan, lots (one expired), consents (photography, one withdrawn),
# unsigned sessions older than a day. Patient N is names[N-1] in demo.c.
run patient show 5 --format json --today 2026-06-01
json "a tetracaine allergy with its reaction and severity" \
	"[(a['code'], a['severity']) for a in d['allergies']] == [('tetracaine', 'moderate')] and d['sex'] == 'male'"
SER5=$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["series"][0]["id"])')
run series show "$SER5" --format json --today 2026-06-01
json "the acne protocol's anaesthetic warns about it" \
	"any(w['code'] == 'allergen' and 'tetracaine' in w['message'] for s in d['sessions'] for w in s['warnings'])"
run patient show 12 --format json --today 2026-06-01
json "an anticoagulant in force, a bleeding-risk warning" \
	"[(m['code'], m['in_force']) for m in d['medications']] == [('anticoagulant', True)] and 'bleeding-risk' in [w['code'] for w in d['warnings']]"
run patient show 3 --format json --today 2026-06-01
json "minoxidil in force, finasteride stopped" \
	"[(m['code'], m['in_force']) for m in d['medications']] == [('minoxidil', True), ('finasteride', False)]"
json "treatment, clinical and publication photography consents" \
	"sorted(c['kind'] for c in d['consents']) == ['photography-clinical', 'photography-publication', 'treatment']"
json "a phased hair-loss plan" "any(s['indication'] == 'hair-loss' and s['plan'].endswith('weekly, then 4 every 4 weeks') for s in d['series'])"
run patient show 6 --format json --today 2026-06-01
json "a withdrawn publication consent, on file, not in force" \
	"[(c['withdrawn'] is not None, c['in_force']) for c in d['consents'] if c['kind'] == 'photography-publication'] == [(True, False)]"
for pid in 2 4 26 28; do
	run patient show "$pid" --format json
	printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sex"])' >>"$T_DIR/sexes"
done
check "every sex is shown" test "$(sort -u "$T_DIR/sexes" | tr '\n' ' ')" = "female male other unknown "
run due --unsigned --today 2026-06-01 --format json
json "sessions left unsigned more than a day" "len(d) >= 3 and all(r['days'] >= 2 for r in d)"
run trace --lot P36-2605 --format json
json "a cartridge lot used on several patients" "len({r['patient_id'] for r in d}) >= 3"
EXPIRED=
for sid in $(seq 1 20); do
	run session show "$sid" --format json
	if printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if any(w["code"]=="expired" for w in d["effective"]["warnings"]) and d["effective"]["cartridge_lot"] else 1)'; then
		EXPIRED=$sid
		break
	fi
done
check "one cartridge past its expiry, warned" test -n "$EXPIRED"

# Indications and a weekly-then-monthly hair-loss series.
run due --within 3650 --today 2026-06-01 --format json
printf '%s' "$OUT" | python3 -c 'import json,sys; [print(r["indication"]) for r in json.load(sys.stdin)]' >"$T_DIR/indications"
HAIR=""
for sid in $(printf '%s' "$OUT" | python3 -c 'import json,sys; [print(r["series_id"]) for r in json.load(sys.stdin) if r["indication"]=="hair-loss"]'); do
	run series show "$sid" --format json --today 2026-06-01
	if printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
iv = [s["interval_days"] for s in d["progress"]["sessions"]][1:]
# the protocol for men (demo.c plans[2]): every scalp zone at 1.5 mm
scalp = all(a["depth_mm"] == 1.5 for s in d["sessions"] for a in s["areas"])
sys.exit(0 if scalp and len(iv) >= 5 and 7 <= iv[0] <= 8 and any(i >= 25 for i in iv) else 1)'; then
		HAIR=$sid
		break
	fi
done
for ind in acne-scars stretch-marks hair-loss; do
	check "the demo has $ind" grep -qx "$ind" "$T_DIR/indications"
done
check "a hair-loss series goes weekly then monthly" test -n "$HAIR"
run series show "$HAIR" --format json --today 2026-06-01
json "scalp zones at 1.5 mm with minoxidil" \
	"all(a['depth_mm']==1.5 for s in d['sessions'] for a in s['areas']) and all('minoxidil' in s['products'] for s in d['sessions'])"
json "hair density moves towards improvement" \
	"[s for s in d['progress']['scales'] if s['scale']=='hair-density'][0]['verdict'] == 'better'"

# Never overwrites; deterministic for a seed.
rejected 73 "demo onto an existing file" demo --db "$DEMO" --no-tui
expect_err "already exists"
run demo --db "$T_DIR/again.db" --no-tui --today 2026-06-01
run --db "$DEMO" patient list --all --format csv
A=$OUT
run --db "$T_DIR/again.db" patient list --all --format csv
check "the same seed gives the same practice" test "$A" = "$OUT"
run --db "$DEMO" series show 3 --format json --today 2026-06-01
A=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); [s.pop(k) for s in d["sessions"] for k in ("id",)]; print(json.dumps(d["sessions"], sort_keys=True))')
run --db "$T_DIR/again.db" series show 3 --format json --today 2026-06-01
B=$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); [s.pop(k) for s in d["sessions"] for k in ("id",)]; print(json.dumps(d["sessions"], sort_keys=True))')
check "the same seed gives the same sessions" test "$A" = "$B"
run demo --db "$T_DIR/other.db" --no-tui --today 2026-06-01 --seed 7
run --db "$T_DIR/other.db" patient list --all --format csv
check "another seed gives another practice" test "$A" != "$OUT"

# Dates follow today: the same demo a year later is just as overdue.
run demo --db "$T_DIR/later.db" --no-tui --today 2027-06-01
run --db "$T_DIR/later.db" due --today 2027-06-01 --format json
json "overdue stays true relative to today" "sum(r['due']=='overdue' for r in d) >= 5"

# Issue 9: options given twice, lenient numbers and bad dates are refused,
# and no file is made.
run demo --db "$T_DIR/twice.db" --no-tui --seed 1 --seed 2
expect_rc 64 "demo --seed given twice"
expect_err "--seed is given twice"
run demo --db "$T_DIR/twice.db" --no-tui --no-tui
expect_rc 64 "demo --no-tui given twice"
run demo --db "$T_DIR/twice.db" --no-tui --today 2026-06-01 --today 2026-06-02
expect_rc 64 "demo --today given twice"
for v in " 7" "+7" "-0" "07" "0x7"; do
	run demo --db "$T_DIR/twice.db" --no-tui --seed "$v"
	expect_rc 65 "demo --seed '$v'"
done
run demo --db "$T_DIR/twice.db" --no-tui --today 2026-02-30
expect_rc 65 "demo --today 2026-02-30"
check "no file from a refused demo" test ! -e "$T_DIR/twice.db"
run demo --help
expect_out "usage: needlelog demo" "demo --help shows the usage"
expect_out "--seed N" "demo --help documents --seed"

# Issue 15: --patients N [--years Y], a generated practice of any size.
run demo --db "$T_DIR/gen.db" --patients 200 --years 2 --no-tui --today 2026-06-01
expect_rc 0 "demo --patients 200 --years 2"
expect_out "200 patients" "it counts the generated patients"
expect_out "passphrase: demo" "the generated practice has the demo's passphrase"
run --db "$T_DIR/gen.db" check
expect_rc 0 "the generated practice checks sound"
run --db "$T_DIR/gen.db" patient list --all --format json
json "200 patients listed" "len(d) == 200"
run --db "$T_DIR/gen.db" due --within 3650 --today 2026-06-01 --format json
json "the generated series are due, none before 2 years ago" \
	"len(d) > 0 and all(r['last_date'] >= '2024-06-01' for r in d if r.get('last_date'))"
# audit streams its rows (issue 15): the text table's widths come from a
# first pass, so every row lines up; CSV and JSON carry the same rows.
run --db "$T_DIR/gen.db" audit --limit 0
printf '%s\n' "$OUT" | grep -v '^needlelog:' >"$T_DIR/audit.txt"
check "the streamed audit table is aligned over every row" python3 -c '
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
at = {re.search(r"\d{4}-\d\d-\d\dT", l).start() for l in lines[1:]}
sys.exit(0 if len(lines) > 1000 and at == {lines[0].index("AT")} else 1)' "$T_DIR/audit.txt"
NTEXT=$(($(wc -l <"$T_DIR/audit.txt") - 1))
run --db "$T_DIR/gen.db" audit --limit 0 --format json
json "the streamed JSON has every row, newest first" \
	"len(d) == $NTEXT and all(a['id'] > b['id'] for a, b in zip(d, d[1:]))"
run --db "$T_DIR/gen.db" audit --limit 0 --format csv
csvrows "the streamed CSV has every row" "len(r) == $NTEXT + 1"
run demo --db "$T_DIR/gen2.db" --patients 200 --years 2 --no-tui --today 2026-06-01
run --db "$T_DIR/gen.db" patient list --all --format csv
A=$OUT
run --db "$T_DIR/gen2.db" patient list --all --format csv
check "the same seed gives the same generated practice" test "$A" = "$OUT"
for v in 0 -1 1e3 1000001 ""; do
	run demo --db "$T_DIR/bad.db" --no-tui --patients "$v"
	expect_rc 65 "demo --patients '$v'"
done
expect_err "--patients"
run demo --db "$T_DIR/bad.db" --no-tui --patients 5 --years 41
expect_rc 65 "demo --years 41"
run demo --db "$T_DIR/bad.db" --no-tui --years 3
expect_rc 64 "demo --years without --patients"
expect_err "--years needs --patients"
run demo --db "$T_DIR/bad.db" --no-tui --patients 5 --patients 6
expect_rc 64 "demo --patients given twice"
check "no file from a refused generated demo" test ! -e "$T_DIR/bad.db"

# Without --no-tui it prints the passphrase, then starts the TUI (which
# needs a terminal).
OUT=$(timeout 20 "$NEEDLELOG" demo --db "$T_DIR/tui.db" </dev/null 2>"$T_DIR/stderr")
RC=$?
ERR=$(cat "$T_DIR/stderr")
expect_out "passphrase: demo" "demo prints the passphrase before the TUI"
check "the file is created before the TUI starts" test -s "$T_DIR/tui.db"
finish
