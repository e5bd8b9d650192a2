# Helpers for the TUI tests: the real binary in a real terminal (tmux),
# one tmux server per test (its own socket), a temporary record file filled
# through the CLI, and polling of the screen (never long fixed sleeps).
#
# Environment (from meson's test_env): NEEDLELOG (the binary),
# NEEDLELOG_TEST_KDF=min, LC_ALL=C.UTF-8.

set -u

: "${NEEDLELOG:?NEEDLELOG must name the needlelog binary}"
PASS=tui-secret
WAIT=${TUI_WAIT:-20}          # seconds before a wait fails
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nltui.XXXXXX")
DB=$TMP/records.db
SOCK=nltui-$$-$RANDOM
T="tmux -L $SOCK -f /dev/null"
export HOME=$TMP NEEDLELOG_PRACTITIONER="Dr Test"
unset NEEDLELOG_DB NEEDLELOG_PASSPHRASE NO_COLOR

cleanup() {
	$T kill-server 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	echo "---- screen ----" >&2
	screen >&2
	echo "---- stderr of needlelog ----" >&2
	cat "$TMP/tui.err" 2>/dev/null >&2
	exit 1
}

# The CLI on the test's record file.
nl() {
	NEEDLELOG_PASSPHRASE=$PASS "$NEEDLELOG" --db "$DB" "$@"
}

day() {  # day OFFSET_DAYS -> YYYY-MM-DD (UTC)
	date -u -d "$1 days" +%F
}

# A small practice: Zoë Müller (acne scars, 2 signed sessions, on time),
# Åsa Öberg (stretch marks, overdue), Bob Smith (no series).
# Sets P_ZOE S_ZOE SES1 SES2 P_ASA S_ASA.
seed() {
	nl init >/dev/null || fail "init"
	P_ZOE=$(nl patient add --name "Zoë Müller" --dob 1980-02-03 --phone "+44 7700 900111" \
		--skin-type III --consent 2026-01-01 --allergies "lidocaine") || fail "patient add"
	P_ASA=$(nl patient add --name "Åsa Öberg" --dob 1975-06-07 --phone "0201234567" \
		--skin-type V --consent 2026-01-01 --flag isotretinoin) || fail "patient add"
	nl patient add --name "Bob Smith" --dob 1990-01-01 >/dev/null || fail "patient add"
	S_ZOE=$(nl series add --patient "$P_ZOE" --indication acne-scars --planned 6 \
		--interval-days 28 --area cheek-l --area cheek-r --start "$(day -40)" \
		--baseline gais=4 --baseline satisfaction=3) || fail "series add"
	SES1=$(nl session add --series "$S_ZOE" --date "$(day -40)" --area cheek-l:1.5:3 \
		--area cheek-r:1.5:3 --device "Pen A, lot 11" --cartridge 36-pin \
		--product "hyaluronic acid" --anesthetic "EMLA 5%" --anesthetic-minutes 30 \
		--score gais=3 --score satisfaction=5 --sign 2>/dev/null) || fail "session add"
	SES2=$(nl session add --series "$S_ZOE" --date "$(day -12)" --area cheek-l:1.75:3 \
		--area cheek-r:1.75:3 --device "Pen A, lot 12" --cartridge 36-pin \
		--product "hyaluronic acid" --anesthetic "EMLA 5%" --anesthetic-minutes 30 \
		--score gais=2 --score satisfaction=7 --sign 2>/dev/null) || fail "session add"
	S_ASA=$(nl series add --patient "$P_ASA" --indication stretch-marks --planned 4 \
		--interval-days 28 --area abdomen --start "$(day -90)") || fail "series add"
	nl session add --series "$S_ASA" --date "$(day -70)" --area abdomen:2:4 --sign \
		>/dev/null 2>&1 || fail "session add"
}

# start W H [tui options...]: the TUI in a detached tmux session.
start() {
	local w=$1 h=$2
	shift 2
	$T new-session -d -x "$w" -y "$h" -s nl \
		"exec env TERM=${TUI_TERM:-xterm-256color} ${TUI_ENV:-} '$NEEDLELOG' --db '$DB' tui $* 2>'$TMP/tui.err'" ||
		fail "tmux new-session"
	$T set-option -t nl remain-on-exit on >/dev/null 2>&1
}

screen() {
	$T capture-pane -p -t nl 2>/dev/null
}

keys() {
	$T send-keys -t nl "$@"
}

# Types text literally (no key names).
type_text() {
	$T send-keys -t nl -l "$1"
}

# wait_for TEXT [SECONDS]: until TEXT is on screen.
wait_for() {
	local end=$(( $(date +%s) + ${2:-$WAIT} ))

	while [ "$(date +%s)" -le "$end" ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	fail "waited for '$1'"
}

# wait_line A B [SECONDS]: until one screen line holds both A and B.
wait_line() {
	local end=$(( $(date +%s) + ${3:-$WAIT} ))

	while [ "$(date +%s)" -le "$end" ]; do
		screen | grep -F -- "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	fail "waited for a line with '$1' and '$2'"
}

# wait_gone TEXT [SECONDS]: until TEXT is no longer on screen.
wait_gone() {
	local end=$(( $(date +%s) + ${2:-$WAIT} ))

	while [ "$(date +%s)" -le "$end" ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.1
	done
	fail "waited for '$1' to go"
}

# absent TEXT: TEXT is not on the screen now.
absent() {
	screen | grep -qF -- "$1" && fail "'$1' should not be on screen"
	return 0
}

# The screen's line N (1-based).
line() {
	screen | sed -n "${1}p"
}

unlock() {
	wait_for "Passphrase:"
	type_text "$PASS"
	keys Enter
	wait_for "${1:-Patients}"
}

# The program has ended (the pane's process is gone).
wait_exit() {
	local end=$(( $(date +%s) + ${1:-$WAIT} ))

	while [ "$(date +%s)" -le "$end" ]; do
		[ "$($T display-message -p -t nl '#{pane_dead}' 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	fail "needlelog did not exit"
}
