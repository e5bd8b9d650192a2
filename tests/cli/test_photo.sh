# photo add / list / show / export / compare on the real binary, with
# pictures made in code by mkimg ($3): metadata stripped, orientation
# applied, the capture date kept, the consent gate, every bad input (65,
# naming the file, nothing stored), no file written beside the record file
# or in TMPDIR, and check / backup / passwd --rekey over photographs.
RAW_SQL=$2
MKIMG=$3
source "$(dirname "$0")/lib.sh"

IMG="$T_DIR/img"
mkdir -p "$IMG"
export TMPDIR="$T_DIR/tmp"
mkdir -p "$TMPDIR"
export NEEDLELOG_DB="$T_DIR/rec/records.db"
mkdir -p "$T_DIR/rec"

"$MKIMG" exif "$IMG/phone.jpg" 600 400
"$MKIMG" jpeg "$IMG/a.jpg" 800 600 0
"$MKIMG" png "$IMG/b.png" 640 480 0.5
"$MKIMG" webp "$IMG/c.webp" 640 480 0.7
"$MKIMG" heif "$IMG/d.heic" 640 480 1
"$MKIMG" bomb "$IMG/bomb.png"
"$MKIMG" gif "$IMG/anim.gif"
head -c 3000 "$IMG/a.jpg" >"$IMG/truncated.jpg"
: >"$IMG/empty.jpg"
printf 'name,dob\nZoe,1990-01-01\n' >"$IMG/notes.jpg"
check "the test picture carries the canaries" grep -qa "SN-CANARY-4242" "$IMG/phone.jpg"
check "the test picture carries GPS and the camera" grep -qa "CanaryCam" "$IMG/phone.jpg"

new_db
run patient add --name "Zoë Photo" --dob 1990-01-01
run series add --patient 1 --indication acne-scars --area cheek-l --start 2025-10-01

# ---- the consent gate ---------------------------------------------------------
rejected 65 "no clinical-photography consent: refused" \
	photo add --patient 1 --series 1 --view frontal "$IMG/a.jpg"
expect_err "clinical-photography consent" "the refusal says which consent"
"$RAW_SQL" "$NEEDLELOG_DB" "INSERT INTO consent (patient_id, kind, covers, given, created_at)
	VALUES (1, 'photography-publication', NULL, '2025-01-01', '2025-01-01T00:00:00Z'),
	       (1, 'photography-clinical', 'hair-loss', '2025-01-01', '2025-01-01T00:00:00Z')"
rejected 65 "publication consent or one for another indication is not enough" \
	photo add --patient 1 --series 1 --view frontal "$IMG/a.jpg"
"$RAW_SQL" "$NEEDLELOG_DB" "INSERT INTO consent (patient_id, kind, covers, given, created_at)
	VALUES (1, 'photography-clinical', 'acne-scars', '2025-06-01', '2025-06-01T00:00:00Z')"
rejected 65 "a photo taken before the consent was given: refused" \
	photo add --patient 1 --series 1 --view frontal --taken 2025-05-01 "$IMG/a.jpg"

# ---- bad input: 65 naming the file and the reason, nothing stored --------------
bad() {
	rejected "$1" "$2" photo add --patient 1 --series 1 --view frontal "$IMG/a.jpg" "$3"
	expect_err "$(basename "$3")" "$2: the message names the file"
	expect_err "$4" "$2: the message says why"
}
bad 65 "a text file" "$IMG/notes.jpg" "not an image"
bad 65 "an empty file" "$IMG/empty.jpg" "empty file"
bad 65 "a truncated JPEG" "$IMG/truncated.jpg" "truncated"
bad 65 "a GIF" "$IMG/anim.gif" "unsupported format (GIF)"
bad 65 "a 40000x40000 PNG header (decompression bomb)" "$IMG/bomb.png" "refused before decoding"
bad 66 "a missing file" "$IMG/none.jpg" "cannot open"
rejected 65 "an unknown view" photo add --patient 1 --series 1 --view sideways "$IMG/a.jpg"
expect_err "view: 'sideways' is not a view"
rejected 65 "a site photo without its area" photo add --patient 1 --series 1 --view site "$IMG/a.jpg"
rejected 65 "a date in the future" photo add --patient 1 --series 1 --view frontal \
	--taken 2999-01-01 "$IMG/a.jpg"
rejected 65 "a bad timepoint" photo add --patient 1 --series 1 --view frontal \
	--timepoint later "$IMG/a.jpg"
rejected 66 "no such series" photo add --patient 1 --series 9 --view frontal "$IMG/a.jpg"
rejected 64 "no --view" photo add --patient 1 "$IMG/a.jpg"
run photo list --patient 1 --format json
json "nothing was stored by any refusal" "d == []"

# ---- import: stripped, oriented, dated ------------------------------------------
run photo add --patient 1 --series 1 --view frontal "$IMG/phone.jpg"
expect_id "a phone JPEG with EXIF stored"
run photo list --patient 1 --format json
json "the camera's capture date is the date taken" "d[0]['taken'] == '2025-11-02'"
json "orientation 6 applied: 600x400 stored as 400x600" "d[0]['width'] == 400 and d[0]['height'] == 600"
json "the first photo of a series without sessions is its baseline" "d[0]['timepoint'] == 'baseline'"
json "who took it" "d[0]['taken_by'] == 'Dr Ana Ruiz'"
run photo export 1 -o "$T_DIR/out.jpg"
expect_rc 0 "export"
check "the export is mode 0600" test "$(stat -c %a "$T_DIR/out.jpg")" = 600
check "no serial number in the stored photo" bash -c "! grep -qa 'SN-CANARY-4242' '$T_DIR/out.jpg'"
check "no camera make in the stored photo" bash -c "! grep -qa 'CanaryCam' '$T_DIR/out.jpg'"
check "no EXIF block (GPS) in the stored photo" bash -c "! grep -qa 'Exif' '$T_DIR/out.jpg'"
probe=$("$MKIMG" probe "$T_DIR/out.jpg")
check "the picture was turned: red on top, blue bottom-left ($probe)" test "$probe" = "400x600 R B"
rejected 73 "export never overwrites" photo export 1 -o "$T_DIR/out.jpg"
rejected 66 "export of no such photo" photo export 99 -o "$T_DIR/none.jpg"
check "no file left by the failed export" test ! -e "$T_DIR/none.jpg"

run photo add --patient 1 --series 1 --view oblique-l --taken 2025-10-01 \
	"$IMG/a.jpg" "$IMG/b.png" "$IMG/c.webp" "$IMG/d.heic"
check "JPEG, PNG, WebP and HEIC stored at once ($OUT)" test "$(printf '%s\n' "$OUT" | wc -l)" = 4
run photo add --patient 1 --series 1 --view oblique-l "$IMG/a.jpg" "$IMG/notes.jpg"
expect_rc 65 "one bad file among several"
run photo list --patient 1 --format csv
csvrows "all or nothing: 5 photos, not 6" "len(r) == 6"
run photo list --patient 1 --format json
json "the HEIC is recorded as heif" "[p['source'] for p in d if p['id'] == 5] == ['heif']"
run session add --series 1 --date 2025-11-01 --area cheek-l:1.0:2
run photo add --patient 1 --series 1 --session 1 --view oblique-l --taken 2025-11-01 "$IMG/d.heic"
run photo add --patient 1 --series 1 --view oblique-l --taken 2025-12-01 "$IMG/d.heic"
run photo list --patient 1 --view oblique-l --format json
json "timepoints: session with a session, follow-up after one" \
	"[p['timepoint'] for p in d][-2:] == ['session', 'follow-up']"

# ---- looking at them ---------------------------------------------------------------
run photo show 1 --graphics symbols --width 40
expect_rc 0 "show in symbols"
expect_out "taken 2025-11-02"
NO_COLOR=1 run photo show 2 --graphics symbols --width 40
out_has() { grep -qa -- "$1" <<<"$OUT"; }
check "show draws block symbols without colour" out_has '[▀▄█▌▐▘▝▖▗]'
run photo show 1 --graphics sixel --width 40
check "sixel when asked" out_has $'\eP'
NEEDLELOG_GRAPHICS=kitty run photo show 1 --width 40
check "kitty from NEEDLELOG_GRAPHICS" out_has $'\e_G'
NEEDLELOG_GRAPHICS=kitty run photo show 1 --width 40 --graphics symbols
check "the option wins over the variable" bash -c '! grep -qa $'"'"'\e_G'"'"' <<<"$1"' _ "$OUT"
run photo show 1 --graphics film
expect_rc 64 "an unknown graphics mode"
run photo compare --series 1 --view oblique-l --graphics symbols --width 80
expect_rc 0 "compare"
expect_out "baseline: 2025-10-01 (photo 2"
expect_out "now: 2025-12-01 (photo 7"
run photo compare --series 1 --view frontal --graphics symbols
expect_rc 66 "compare with one photo says so"

# ---- nothing beside the record file, nothing in TMPDIR ------------------------------
check "nothing beside the record file" test "$(ls -A "$T_DIR/rec")" = records.db
check "nothing in TMPDIR" test -z "$(ls -A "$TMPDIR")"
python3 - "$T_DIR/out.jpg" "$NEEDLELOG_DB" <<'EOF'
import sys
photo = open(sys.argv[1], 'rb').read()
rec = open(sys.argv[2], 'rb').read()
# Every 32-byte piece of the stored image: none is in the record file.
# (Pieces of at least 8 different bytes: runs of zeros are everywhere.)
hits = sum(1 for i in range(0, len(photo) - 32, 97)
           if len(set(photo[i:i + 32])) >= 8 and photo[i:i + 32] in rec)
sys.exit(1 if hits else 0)
EOF
check "no piece of the photo in plaintext in the record file" test $? = 0

# ---- check, backup, rekey over photographs -------------------------------------------
run check
expect_rc 0 "check"
expect_out "7 photographs match their digest"
run backup "$T_DIR/copy.db"
expect_rc 0 "backup"
NEEDLELOG_DB="$T_DIR/copy.db" run photo export 7 -o "$T_DIR/from-backup.jpg"
run photo export 7 -o "$T_DIR/from-original.jpg"
check "the backup holds the photographs" cmp -s "$T_DIR/from-backup.jpg" "$T_DIR/from-original.jpg"
NEEDLELOG_DB="$T_DIR/copy.db" run check
expect_out "7 photographs match their digest" "check of the backup covers the photographs"
NEEDLELOG_NEW_PASSPHRASE=new-pass run passwd --rekey
expect_rc 0 "passwd --rekey"
NEEDLELOG_PASSPHRASE=new-pass run photo export 1 -o "$T_DIR/after-rekey.jpg"
check "the photo reads back the same after rekey" cmp -s "$T_DIR/out.jpg" "$T_DIR/after-rekey.jpg"
NEEDLELOG_PASSPHRASE=new-pass run check
expect_rc 0 "check after rekey"
# A stored photo changed behind the core's back: check names it.
"$RAW_SQL" "$T_DIR/copy.db" "DROP TRIGGER photo_blob_no_update;
	UPDATE photo_blob SET data = X'FFD8FFE0' WHERE photo_id = 3 AND kind = 'preview'"
NEEDLELOG_DB="$T_DIR/copy.db" run check
expect_rc 74 "check finds a changed photo"
expect_err "photo 3"
NEEDLELOG_PASSPHRASE=new-pass "$RAW_SQL" "$NEEDLELOG_DB" "DELETE FROM photo WHERE id = 1" \
	2>"$T_DIR/trig"
check "the file itself refuses to delete a photo" grep -q "never deleted" "$T_DIR/trig"

finish
