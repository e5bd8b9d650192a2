#!/bin/bash
# Backups a practice keeps (issue 16): backup --dir with a retention policy
# and --remember, backup alone, backup --list [--verify], restore, due's
# reminder, and the bad cases: a missing or read-only folder, a full disk,
# a damaged backup, a policy of zero, a busy file. Each bad case says why
# and loses nothing.
# $1 tamper_signed, $2 raw_sql, $3 hold_lock.
. "$(dirname "$0")/lib.sh"
TAMPER=${1:?usage: test_backup.sh TAMPER_SIGNED RAW_SQL HOLD_LOCK}
RAW=${2:?}
HOLD=${3:?}
new_db

run patient add --name "Inès Laurent" --consent 2026-01-01
P=$OUT
run series add --patient "$P" --indication acne-scars --start 2026-01-05
S=$OUT
run session add --series "$S" --date 2026-01-05 --area cheek-l:1.5 --sign
S1=$OUT

BK=$T_DIR/backups
nlbaks() { find "$1" -maxdepth 1 -name '*.nlbak' 2>/dev/null | wc -l; }
leftovers() { find "$1" -maxdepth 1 -name '*.part' 2>/dev/null | wc -l; }

# ---- no backup yet: due reminds, every format stays parseable -------------
run due
expect_rc 0 "due with no backup"
expect_err "reminder: no verified backup yet" "due reminds on stderr: none yet"
expect_err_prefixed
run due --format json
json "due json is still the list (the reminder is on stderr)" "isinstance(d, list)"
expect_err "no verified backup yet" "due json: the reminder on stderr"
run due --format csv
csvrows "due csv is still only the table" "r[0][0] == 'PATIENT' and all(len(x) == 9 for x in r)"

# ---- backup alone, nothing remembered ---------------------------------------
rejected 64 "backup alone with no folder remembered" backup
expect_err "no backup folder is remembered" "backup alone says what to do"
expect_err "--remember"

# ---- backup --dir with a policy, remembered --------------------------------
run backup --dir "$BK" --keep-daily 7 --keep-weekly 4 --keep-monthly 12 --remember
expect_rc 0 "backup --dir --keep-* --remember"
expect_out "Backed up"
expect_out "Remembered the backup folder $BK"
check "the folder is made 0700" [ "$(stat -c %a "$BK")" = 700 ]
FIRST=$(find "$BK" -name 'records-*.nlbak' | head -1)
check "a dated copy named records-<UTC time>.nlbak" \
	bash -c "basename '$FIRST' | grep -qE '^records-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z(-[0-9]+)?\.nlbak$'"
check "the copy is mode 0600" [ "$(stat -c %a "$FIRST")" = 600 ]
run check --db "$FIRST"
expect_rc 0 "the copy passes check"

run due
expect_rc 0 "due after a verified backup"
if has "$ERR" "reminder"; then not_ok "no reminder after a fresh backup" "found a reminder"
else ok "no reminder after a fresh backup"; fi

run audit
expect_out "backup" "the backup is audited"

# ---- backup alone: the remembered folder and policy ------------------------
run backup
expect_rc 0 "backup alone uses the remembered folder"
expect_out "$BK/records-"
# two copies in one day: the daily policy keeps the newest of the day
check "the remembered policy pruned the older copy of the day" [ "$(nlbaks "$BK")" = 1 ]
expect_out "Removed 1 old copy"

# ---- backup --list ------------------------------------------------------------
run backup --list
expect_rc 0 "backup --list (the remembered folder)"
expect_out "records-"
expect_out "unchecked"
run backup --list --dir "$BK" --verify --format json
expect_rc 0 "backup --list --verify --format json"
json "one copy, checked ok, with size and date" \
	"len(d['copies']) == 1 and d['copies'][0]['check'] == 'ok' and d['copies'][0]['size'] > 0 and d['copies'][0]['made'].endswith('Z') and d['dir'] == '$BK'"
run backup --list --dir "$BK" --verify --format csv
csvrows "--list csv: header and one row, size in bytes" \
	"r[0] == ['NAME', 'MADE (UTC)', 'SIZE', 'CHECK', 'WHY'] and len(r) == 2 and r[1][2].isdigit() and r[1][3] == 'ok'"
run backup --list --dir "$T_DIR/nowhere"
expect_rc 66 "backup --list of a missing folder"
mkdir -p "$T_DIR/empty"
run backup --list --dir "$T_DIR/empty"
expect_rc 0 "backup --list of an empty folder"
expect_out "No backups in"

# A damaged copy: --verify names it and exits 74.
cp "$(find "$BK" -name '*.nlbak' | head -1)" "$T_DIR/keep.nlbak"
cp "$T_DIR/keep.nlbak" "$BK/records-2020-01-01T000000Z.nlbak"
printf 'XXXXXXXX' | dd of="$BK/records-2020-01-01T000000Z.nlbak" bs=1 seek=9000 conv=notrunc 2>/dev/null
run backup --list --dir "$BK" --verify
expect_rc 74 "--verify finds the damaged copy"
expect_out "failed"
expect_err "1 of 2 copies"
rm -f "$BK/records-2020-01-01T000000Z.nlbak"

# ---- options that do not go together ------------------------------------------
rejected 64 "DEST and --dir together" backup "$T_DIR/x.db" --dir "$BK"
rejected 64 "--keep-daily without --dir" backup --keep-daily 3
rejected 64 "--remember without --dir" backup --remember
rejected 64 "--verify without --list" backup --dir "$BK" --verify
rejected 64 "--format without --list" backup --dir "$BK" --format json
rejected 64 "--list with --remember" backup --list --dir "$BK" --remember
run backup --dir "$BK" --keep-daily lots
expect_rc 65 "--keep-daily lots is refused as --within's bad numbers are"
expect_err "--keep-daily"

# ---- a policy of zero ---------------------------------------------------------
N=$(nlbaks "$BK")
rejected 64 "a policy of zero" backup --dir "$BK" --keep-daily 0 --keep-weekly 0 --keep-monthly 0
expect_err "would keep no copy"
check "a policy of zero makes and removes nothing" [ "$(nlbaks "$BK")" = "$N" ]

# ---- a missing or unusable folder ----------------------------------------------
rejected 66 "a folder whose parent is missing" backup --dir "$T_DIR/unmounted/needlelog"
expect_err "does not"
check "nothing is created under a missing parent" [ ! -e "$T_DIR/unmounted" ]
echo "a file" >"$T_DIR/afile"
rejected 74 "a --dir that is a file" backup --dir "$T_DIR/afile"
expect_err "not a folder"

RO=$T_DIR/ro
mkdir -p "$RO"
ro_ok=
if [ "$(id -u)" != 0 ]; then
	chmod 0500 "$RO" && ro_ok=chmod
elif mount -t tmpfs -o ro,size=64k nltest "$RO" 2>/dev/null; then
	ro_ok=mount
fi
if [ -n "$ro_ok" ]; then
	rejected 74 "a read-only folder" backup --dir "$RO"
	expect_err "cannot write in the backup folder"
	check "nothing is left in the read-only folder" [ "$(ls -A "$RO" | wc -l)" = 0 ]
	[ "$ro_ok" = mount ] && umount "$RO"
	chmod 0700 "$RO"
else
	ok "# SKIP a read-only folder (no way to make one here)"
fi

FULL=$T_DIR/full
mkdir -p "$FULL"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k nltest "$FULL" 2>/dev/null; then
	rejected 74 "a full disk" backup --dir "$FULL/needlelog"
	expect_err "full"
	check "no half-made copy is left on the full disk" \
		[ "$(nlbaks "$FULL/needlelog")$(leftovers "$FULL/needlelog")" = 00 ]
	run due
	check "a failed backup is not counted as verified" [ "$RC" = 0 ]
	umount "$FULL"
else
	ok "# SKIP a full disk (mounting a small tmpfs needs root)"
fi

# ---- the reminder when the last backup is old --------------------------------
OLD=$(( $(date +%s) - 10 * 86400 ))
"$RAW" "$NEEDLELOG_DB" "UPDATE setting SET value = '$OLD' WHERE key = 'backup.last_verified'"
run due --format json
json "due json stays a list with an old backup" "isinstance(d, list)"
expect_err "the last verified backup is 10 days old" "due reminds of an old backup"
run backup
expect_rc 0 "backing up again"
run due
if has "$ERR" "reminder"; then not_ok "the reminder goes after a backup" "found a reminder"
else ok "the reminder goes after a backup"; fi

# ---- restore ------------------------------------------------------------------
COPY=$(find "$BK" -name '*.nlbak' | sort | tail -1)
run patient add --name "Added Later" --consent 2026-01-01
NEEDLELOG_NEW_PASSPHRASE=later-user-pass run user add "Later User"
expect_rc 0 "a user added after the backup"
BEFORE=$(db_sum)

# Neither a terminal nor --yes: refused before anything changes.
OUT=$(setsid -w "$NEEDLELOG" restore "$COPY" </dev/null 2>"$T_DIR/stderr"); RC=$?; ERR=$(cat "$T_DIR/stderr")
expect_rc 64 "restore with no terminal and no --yes"
expect_err "--yes"
expect_out "Patients:      1" "it shows what the backup holds first"
check "the record file is untouched" [ "$(db_sum)" = "$BEFORE" ]
check "nothing is kept (nothing was replaced)" [ -z "$(ls "$NEEDLELOG_DB".before-restore-* 2>/dev/null)" ]

rejected 66 "restore of a missing backup" restore "$T_DIR/no-such.nlbak" --yes
expect_err "no backup at"
NEEDLELOG_PASSPHRASE=wrong rejected 77 "restore with the wrong passphrase" restore "$COPY" --yes
cp "$COPY" "$T_DIR/damaged.nlbak"
printf 'XXXXXXXX' | dd of="$T_DIR/damaged.nlbak" bs=1 seek=9000 conv=notrunc 2>/dev/null
rejected 74 "restore of a damaged backup" restore "$T_DIR/damaged.nlbak" --yes
expect_err "failed authentication"
check "a damaged backup keeps nothing aside" [ -z "$(ls "$NEEDLELOG_DB".before-restore-* 2>/dev/null)" ]

# A backup whose signed session was changed: every signature is checked.
cp "$COPY" "$T_DIR/tampered.nlbak"
"$TAMPER" "$T_DIR/tampered.nlbak" "$S1" >/dev/null 2>&1
rejected 74 "restore of a backup with a changed signed session" restore "$T_DIR/tampered.nlbak" --yes
expect_err "no longer match"

# Busy: another needlelog holds the file.
"$HOLD" "$NEEDLELOG_DB" "$T_DIR/ready" "$T_DIR/stop" &
holder=$!
for _ in $(seq 500); do [ -e "$T_DIR/ready" ] && break; sleep 0.02; done
if [ -e "$T_DIR/ready" ]; then
	rejected 75 "restore while another needlelog has the file open" restore "$COPY" --yes
	expect_err "open in another needlelog"
	touch "$T_DIR/stop"
	wait "$holder"
	check "a busy restore keeps nothing aside" [ -z "$(ls "$NEEDLELOG_DB".before-restore-* 2>/dev/null)" ]
else
	not_ok "the lock holder did not take the lock"
	kill "$holder" 2>/dev/null
fi

run restore "$COPY" --yes
expect_rc 0 "restore --yes"
expect_out "Restored $NEEDLELOG_DB"
expect_out "Sessions:      1 (1 signed"
expect_out "Users:         Dr Ana Ruiz" "restore names the backup's users"
expect_no_out "Later User"
expect_out "must be added again" "and says later users must be added again"
run user list
expect_no_out "Later User" "the restored file has the backup's users only"
NEEDLELOG_USER="Later User" NEEDLELOG_PASSPHRASE=later-user-pass rejected 77 \
	"a user added after the backup cannot open the restored file" patient list
KEPT=$(ls "$NEEDLELOG_DB".before-restore-* 2>/dev/null | head -1)
check "the replaced file is kept as <file>.before-restore-<date>" [ -n "$KEPT" ]
check "the kept file is the one replaced, byte for byte" [ "$(sha256sum <"$KEPT" | cut -d' ' -f1)" = "$BEFORE" ]
run patient list --format json
json "the restored file holds the backup's patients" "[p['name'] for p in d] == ['Inès Laurent']"
run check
expect_rc 0 "the restored file passes check"
run --db "$KEPT" patient list --format json
json "the kept file still holds the later patient" "'Added Later' in [p['name'] for p in d]"

# The record file lost: restore puts the backup where it was.
rm -f "$NEEDLELOG_DB"
run restore "$COPY" --yes
expect_rc 0 "restore with no record file in place"
expect_no_out "kept as"
run check
expect_rc 0 "the file restored from nothing passes check"

# ---- backup DEST is as it was --------------------------------------------------
run backup "$T_DIR/one.db"
expect_rc 0 "backup DEST"
rejected 73 "backup DEST over a file" backup "$T_DIR/one.db"

finish
