#!/bin/bash
# needlelog --help lists every command; each command has its own --help.
. "$(dirname "$0")/lib.sh"

run --help
expect_rc 0 "needlelog --help"
HELP=$OUT
for cmd in "patient add" "patient list" "patient show" "patient edit" "patient archive" \
	"series add" "series show" "series edit" "session add" "session show" \
	"session amend" "session sign" "session void" progress due vocab audit \
	"import patients" demo check "consent add" "consent list" "consent withdraw" trace; do
	if has "$HELP" "  $cmd "; then ok "--help lists '$cmd'"; else not_ok "--help lists '$cmd'"; fi
	# shellcheck disable=SC2086
	run $cmd --help
	if [ "$RC" = 0 ] && has "$OUT" "usage: needlelog $cmd" && has "$OUT" "Common options:"; then
		ok "'$cmd --help' shows its usage and options"
	else
		not_ok "'$cmd --help' shows its usage and options"
	fi
done

run patient add --help
expect_out "--skin-type TYPE" "patient add --help documents --skin-type"
expect_out "--flag CODE[:DATE[:NOTE]]" "patient add --help documents --flag"
run session add --help
expect_out "AREA[=LABEL]:DEPTH_MM[:PASSES]" "session add --help documents --area"
expect_out "--cartridge-lot LOT" "session add --help documents --cartridge-lot"
expect_out "--product NAME[:LOT[:EXPIRY]]" "session add --help documents --product with its lot"
run patient edit --help
expect_out "--allergy CODE[:REACTION[:SEVERITY]]" "patient edit --help documents --allergy"
expect_out "--end-medication CODE[:DATE]" "patient edit --help documents --end-medication"
run series add --help
expect_out "--phase COUNTxDAYS" "series add --help documents --phase"

run patient frobnicate
expect_rc 64 "an unknown subcommand"
expect_err "needlelog: unknown command 'patient frobnicate'" "the message says so"
expect_err "  patient archive" "and lists the group's commands"

# A group alone, or with --help, names its commands.
for group in patient series session import; do
	run $group --help
	expect_rc 0 "'$group --help'"
	expect_out "usage: needlelog $group SUBCOMMAND" "'$group --help' shows the group's usage"
	run $group
	expect_rc 64 "'$group' without a subcommand"
	expect_err "'$group' needs a subcommand" "the message says a subcommand is needed"
done
run series --help
expect_out "  series edit" "'series --help' lists series edit"
run session --help
expect_out "  session void" "'session --help' lists session void"
run patient list --bogus
expect_rc 64 "an unknown option"
expect_err "unknown option" "the message names the problem"
run patient list --format xml
expect_rc 64 "an unknown format"
expect_err "--format xml" "the message names the format"

# vocab needs no record file.
NEEDLELOG_DB="$T_DIR/none.db" run vocab
expect_rc 0 "vocab without a record file"
expect_out "scalp-vertex" "vocab lists the scalp areas"
expect_out "0.5-1.5" "vocab gives the scalp's usual depth"
expect_out "isotretinoin" "vocab lists the flags"
expect_out "III-vertex" "vocab lists the Norwood levels"
expect_out "depth 0.1-3.0 mm" "vocab gives the hard depth limits"
NEEDLELOG_DB="$T_DIR/none.db" run vocab --format json
json "vocab json has every vocabulary" \
	"set(d) >= {'indications','areas','flags','scales','endpoints','statuses','skin_types','limits'}"
json "vocab json: 28 areas with usual ranges" \
	"len(d['areas']) == 28 and all(a['usual_min_mm'] < a['usual_max_mm'] for a in d['areas'])"
json "vocab json: hair-density is 0-500, higher is better" \
	"[s for s in d['scales'] if s['code']=='hair-density'][0]['max'] == 500 and [s for s in d['scales'] if s['code']=='hair-density'][0]['better'] == 'higher'"
json "vocab json: hard limits" "d['limits']['depth_max_mm'] == 3.0 and d['limits']['pain_max'] == 10"

finish
