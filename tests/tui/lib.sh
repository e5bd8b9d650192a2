# Helpers for the TUI tests: the real binary in a real terminal (tmux),
# one tmux server per test (its own socket), a temporary record file filled
# through the CLI, and polling of the screen (never long fixed sleeps).
#
# Environment (from meson's test_env): NEEDLELOG (the binary),
# NEEDLELOG_TEST_KDF=min, LC_ALL=C.UTF-8; FIXTURE (tui_fixture) from the
# test's second argument.

set -u

: "${NEEDLELOG:?NEEDLELOG must name the needlelog binary}"
: "${FIXTURE:?FIXTURE must name the tui_fixture program}"
PASS=tui-secret
WAIT=${TUI_WAIT:-20}          # seconds before a wait fails
TMP=$(mktemp -d "${TMPDIR:-/tmp}/nltui.XXXXXX")
DB=$TMP/records.db
SOCKS=""

# A fresh tmux server (its own socket): a killed one may still be going.
new_server() {
	SOCK=nltui-$$-$RANDOM
	SOCKS="$SOCKS $SOCK"
	T="tmux -L $SOCK -f /dev/null"
}
new_server
export HOME=$TMP NEEDLELOG_PRACTITIONER="Dr Test"
unset NEEDLELOG_DB NEEDLELOG_PASSPHRASE NO_COLOR

cleanup() {
	for s in $SOCKS; do
		tmux -L "$s" -f /dev/null kill-server 2>/dev/null
	done
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

# A small practice (see fixture.c): Zoë Müller (acne scars, 2 signed
# sessions, due in 16 days), Åsa Öberg (stretch marks, overdue), Bob Smith
# (no series). Sets P_ZOE P_ASA S_ZOE S_ASA SES1 SES2.
seed() {
	local ids

	ids=$("$FIXTURE" "$DB" "$PASS") || fail "the fixture failed"
	eval "$ids"
}

# start W H [tui options...]: the TUI in a detached tmux session.
start() {
	local w=$1 h=$2
	shift 2
	rm -f "$TMP/exit"
	$T new-session -d -x "$w" -y "$h" -s nl \
		"env TERM=${TUI_TERM:-xterm-256color} ${TUI_ENV:-} '$NEEDLELOG' --db '$DB' tui $* 2>'$TMP/tui.err'; echo \$? >'$TMP/exit.new'; mv '$TMP/exit.new' '$TMP/exit'" ||
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

# on TEXT: TEXT is on the screen now (no extra processes: polls are cheap).
on() {
	local s

	s=$(screen)
	[[ $s == *"$1"* ]]
}

# wait_for TEXT [SECONDS]: until TEXT is on screen.
wait_for() {
	local end=$((SECONDS + ${2:-$WAIT}))

	while [ "$SECONDS" -le "$end" ]; do
		on "$1" && return 0
		sleep 0.05
	done
	fail "waited for '$1'"
}

# wait_line A B [SECONDS]: until one screen line holds both A and B.
wait_line() {
	local end=$((SECONDS + ${3:-$WAIT})) l

	while [ "$SECONDS" -le "$end" ]; do
		while IFS= read -r l; do
			[[ $l == *"$1"* && $l == *"$2"* ]] && return 0
		done < <(screen)
		sleep 0.05
	done
	fail "waited for a line with '$1' and '$2'"
}

# wait_gone TEXT [SECONDS]: until TEXT is no longer on screen.
wait_gone() {
	local end=$((SECONDS + ${2:-$WAIT}))

	while [ "$SECONDS" -le "$end" ]; do
		on "$1" || return 0
		sleep 0.05
	done
	fail "waited for '$1' to go"
}

# absent TEXT: TEXT is not on the screen now.
absent() {
	on "$1" && fail "'$1' should not be on screen"
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

# The program has ended (the shell around it wrote its exit status).
wait_exit() {
	local end=$((SECONDS + ${1:-$WAIT}))

	while [ "$SECONDS" -le "$end" ]; do
		[ -s "$TMP/exit" ] && return 0
		sleep 0.05
	done
	fail "needlelog did not exit"
}

# Quits with Q (from a screen that is not a form) unless it has ended,
# then requires a clean exit: status 0 and no sanitizer report.
quit_app() {
	local status

	[ -s "$TMP/exit" ] || keys Q
	wait_exit
	status=$(cat "$TMP/exit")
	[ "$status" = 0 ] || fail "needlelog exited with status $status"
	if grep -qE "Sanitizer|runtime error" "$TMP/tui.err" 2>/dev/null; then
		fail "a sanitizer report"
	fi
}

# The needlelog process in the pane (the pane runs sh -c, whose child it is).
tui_pid() {
	local sh

	sh=$($T display-message -p -t nl '#{pane_pid}')
	pgrep -P "$sh" -x needlelog | head -1
}

# scan_memory CANARY...: no canary anywhere in the live TUI's memory. Skips
# the test (77) when the memory cannot be read (it needs root or ptrace).
scan_memory() {
	local pid out rc

	pid=$(tui_pid)
	[ -n "$pid" ] || fail "no needlelog process"
	out=$(python3 "$(dirname "${BASH_SOURCE[0]}")/memscan.py" "$pid" "$@")
	rc=$?
	if [ "$rc" = 77 ]; then
		echo "skipped: cannot read the TUI's memory" >&2
		exit 77
	fi
	[ "$rc" = 0 ] || { echo "$out" >&2; fail "plaintext left in memory after the lock"; }
	echo "$out" | tail -1
}
