#!/usr/bin/env python3
"""The FHIR export checked beyond the JSON schema, through the real binary.

usage: fhir_check.py fixture XFIXTURE   the fixture's patients, with issue 11's
                                        record, checked value by value
       fhir_check.py demo               every patient of `needlelog demo`

Each bundle is checked for:
  document   a document Bundle: Composition first, the IPS sections with their
             LOINC codes, every resource reachable from the Composition
  xhtml      every narrative well-formed XHTML, in the XHTML namespace, only
             FHIR's allowed elements, no attributes, some text
  references every reference resolves to an entry; fullUrl = urn:uuid:id
  structure  no empty strings, arrays or objects; dates, instants and codes
             of their FHIR forms
  identity   a second export of the same record gives the same ids
  invariants the FHIRPath invariants of every resource type used
             (fhir_invariants.js, with the npm package fhirpath: NODE_PATH from
             $FHIRPATH_NODE_PATH, which tools/setup.sh sets)
and a spoilt bundle is shown to fail each check. Without fhirpath the
invariants are not run and the test is skipped (77), never passed.
"""
import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

BIN = os.environ["NEEDLELOG"]
HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77
XHTML = "{http://www.w3.org/1999/xhtml}"
# FHIR R4 narrative (txt-1): the basic formatting elements of HTML 4.0
# chapters 7-11 and 15, <a> and <img>. needlelog writes only a few of them.
ALLOWED = {"a", "abbr", "acronym", "b", "big", "blockquote", "br", "caption", "cite",
           "code", "col", "colgroup", "dd", "dfn", "div", "dl", "dt", "em", "h1", "h2",
           "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "q",
           "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
           "tfoot", "th", "thead", "tr", "tt", "ul", "var"}
IPS_SECTIONS = {"48765-2", "10160-0", "11450-4", "47519-4", "30954-2", "18776-5"}
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
DATETIME = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
                      r"(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]\d\d:\d\d))?)?)?$")
INSTANT = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):"
                     r"[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]\d\d:\d\d)$")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
URN_UUID = re.compile(rf"^urn:uuid:{UUID}$")
CODE = re.compile(r"^[^\s]+(\s[^\s]+)*$")
ID = re.compile(r"^[A-Za-z0-9\-\.]{1,64}$")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


# ---- the checks: each returns a list of problems ----------------------------

def walk(v, path=""):
    """Every (path, value) in a JSON value."""
    yield path, v
    if isinstance(v, dict):
        for k, x in v.items():
            yield from walk(x, f"{path}.{k}")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from walk(x, f"{path}[{i}]")


def check_structure(b):
    p = []
    for path, v in walk(b, "Bundle"):
        if v is None or v == "" or v == [] or v == {}:
            p.append(f"empty value at {path}")
        elif isinstance(v, str) and v != v.strip() and "\n" not in v:
            p.append(f"padded string at {path}")
    if not INSTANT.match(b.get("timestamp", "")):
        p.append("Bundle.timestamp is not an instant")
    for en in b.get("entry", []):
        r = en.get("resource", {})
        for path, v in walk(r, r.get("resourceType", "?")):
            key = path.rsplit(".", 1)[-1]
            if key in ("birthDate", "recordedDate") and not DATE.match(str(v)):
                p.append(f"{path} {v!r} is not a date")
            if key in ("effectiveDateTime", "performedDateTime", "date", "dateTime",
                       "start", "end") and isinstance(v, str) and not DATETIME.match(v):
                p.append(f"{path} {v!r} is not a dateTime")
            if key in ("recorded", "when") and not INSTANT.match(str(v)):
                p.append(f"{path} {v!r} is not an instant")
            if key == "code" and isinstance(v, str) and not CODE.match(v):
                p.append(f"{path} {v!r} is not a code")
            if key == "system" and ".telecom[" not in path and isinstance(v, str) and not re.match(r"^(https?|urn):", v):
                p.append(f"{path} {v!r} is not an absolute uri")
        if not ID.match(str(r.get("id", ""))):
            p.append(f"{r.get('resourceType')} id {r.get('id')!r}")
    return p


def check_references(b):
    p = []
    urls = {}
    for en in b.get("entry", []):
        url, r = en.get("fullUrl", ""), en.get("resource", {})
        if not URN_UUID.match(url):
            p.append(f"fullUrl {url!r} is not a urn:uuid")
        elif url != "urn:uuid:" + str(r.get("id")):
            p.append(f"fullUrl {url} is not the resource's id {r.get('id')}")
        if url in urls:
            p.append(f"fullUrl {url} twice")
        urls[url] = r.get("resourceType")
    for path, v in walk(b, "Bundle"):
        if path.endswith(".reference") and v not in urls:
            p.append(f"{path} -> {v} resolves to nothing")
    return p


def references_of(v):
    return {x for path, x in walk(v) if path.endswith(".reference")}


def check_document(b):
    p = []
    entries = b.get("entry", [])
    if b.get("type") != "document":
        p.append(f"Bundle.type {b.get('type')!r}, wanted document")
    if not entries or entries[0]["resource"].get("resourceType") != "Composition":
        return p + ["the first entry is not a Composition"]
    comp = entries[0]["resource"]
    codes = {c["code"] for s in comp.get("section", []) for c in s.get("code", {}).get("coding", [])
             if c.get("system") == "http://loinc.org"}
    if IPS_SECTIONS - codes:
        p.append(f"sections missing: {sorted(IPS_SECTIONS - codes)}")
    tcode = [c.get("code") for c in comp.get("type", {}).get("coding", [])]
    if tcode != ["60591-5"]:
        p.append(f"Composition.type {tcode}, wanted LOINC 60591-5")
    for s in comp.get("section", []):
        if not s.get("text", {}).get("div"):
            p.append(f"section {s.get('title')!r} has no narrative")
    # Everything in the document is reachable from the Composition.
    by_url = {en["fullUrl"]: en["resource"] for en in entries}
    seen, todo = {entries[0]["fullUrl"]}, list(references_of(comp))
    while todo:
        u = todo.pop()
        if u in seen or u not in by_url:
            continue
        seen.add(u)
        todo.extend(references_of(by_url[u]))
    # Provenance points at what it is about: it is reached from the history
    # section, which the walk above covers.
    for u in by_url:
        if u not in seen:
            p.append(f"{by_url[u].get('resourceType')} {u} is not reachable from the Composition")
    return p


def check_xhtml(b):
    p = []
    for path, v in walk(b, "Bundle"):
        if not path.endswith(".text.div"):
            continue
        try:
            root = ET.fromstring(v)
        except ET.ParseError as e:
            p.append(f"{path}: not well-formed: {e}")
            continue
        if root.tag != XHTML + "div":
            p.append(f"{path}: the root is {root.tag}, wanted an XHTML div")
        for el in root.iter():
            if not el.tag.startswith(XHTML) or el.tag[len(XHTML):] not in ALLOWED:
                p.append(f"{path}: element {el.tag} is not allowed")
            if el.attrib:
                p.append(f"{path}: attributes {sorted(el.attrib)} on {el.tag}")
        if not "".join(root.itertext()).strip():
            p.append(f"{path}: no text")
    return p


def ids_of(b):
    return sorted((en["resource"]["resourceType"], en["resource"]["id"]) for en in b["entry"])


def check_identity(b1, b2):
    a, c = ids_of(b1), ids_of(b2)
    if a != c:
        return [f"ids differ between two exports: {sorted(set(a) ^ set(c))[:6]}"]
    return []


def node_path():
    p = os.environ.get("FHIRPATH_NODE_PATH", "")
    return p if p and os.path.isdir(os.path.join(p, "fhirpath")) and shutil.which("node") else None


def run_invariants(files):
    """FHIRPath invariants over the bundle files: (problems, keys checked)."""
    r = subprocess.run(["node", os.path.join(HERE, "fhir_invariants.js"), *files],
                       env=dict(os.environ, NODE_PATH=node_path()), capture_output=True,
                       text=True, timeout=600)
    if r.returncode != 0:
        return [f"fhir_invariants.js failed: {r.stderr[-2000:]}"], []
    out = json.loads(r.stdout)
    return ([f"{f['file']}: {f['type']} {f['fullUrl']}: {f['key']}: {f['human']}"
             for f in out["failures"]], out["keys"])


CHECKS = {"document": check_document, "xhtml": check_xhtml,
          "references": check_references, "structure": check_structure}


def check_all(b, where):
    for name, fn in CHECKS.items():
        for problem in fn(b)[:10]:
            check(False, f"{where}: {name}: {problem}")


# ---- spoilt bundles: every check can fail ------------------------------------

def first(b, t):
    return next(en["resource"] for en in b["entry"] if en["resource"]["resourceType"] == t)


SPOILS = [
    ("document", "no Composition first", lambda b: b["entry"].reverse()),
    ("document", "an IPS section lost", lambda b: first(b, "Composition")["section"].pop(0)),
    ("document", "an entry nothing points at",
     lambda b: first(b, "Composition")["section"][0].pop("entry")),
    ("xhtml", "a tag not closed",
     lambda b: first(b, "Patient")["text"].update(div='<div xmlns="http://www.w3.org/1999/xhtml"><p>x</div>')),
    ("xhtml", "a script", lambda b: first(b, "Patient")["text"].update(
        div='<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></div>')),
    ("xhtml", "an event attribute", lambda b: first(b, "Patient")["text"].update(
        div='<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">x</p></div>')),
    ("xhtml", "no namespace", lambda b: first(b, "Patient")["text"].update(div="<div><p>x</p></div>")),
    ("references", "a dangling reference", lambda b: first(b, "Procedure")["subject"].update(
        reference="urn:uuid:00000000-0000-4000-8000-000000000000")),
    ("references", "fullUrl not the id", lambda b: first(b, "Procedure").update(id="other")),
    ("structure", "an empty array", lambda b: first(b, "Patient").update(telecom=[])),
    ("structure", "a bad date", lambda b: first(b, "Procedure").update(performedDateTime="2.2.2026")),
]


def spoilt(b, tmp):
    for name, what, spoil in SPOILS:
        bad = copy.deepcopy(b)
        spoil(bad)
        check(CHECKS[name](bad) != [], f"spoilt: the {name} check misses {what}")
    other = copy.deepcopy(b)
    first(other, "Procedure")["id"] = "00000000-0000-4000-8000-000000000000"
    check(check_identity(b, other) != [], "spoilt: the identity check misses a changed id")
    if not node_path():
        return
    spoils = {
        "cmp-1": lambda b: [s.pop(k, None) for s in first(b, "Composition")["section"][:1]
                            for k in ("text", "entry")],
        "obs-6": lambda b: first(b, "Observation").update(dataAbsentReason={"text": "x"}),
        "bdl-11": lambda b: b["entry"].reverse(),
        "txt-1": lambda b: first(b, "Patient")["text"].update(
            div='<div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div>'),
        "con-3": lambda b: first(b, "Condition").pop("clinicalStatus"),
        "ait-1": lambda b: first(b, "AllergyIntolerance").pop("clinicalStatus"),
        "ppc-1": lambda b: first(b, "Consent").pop("policyRule"),
        "cpl-3": lambda b: first(b, "CarePlan")["activity"][0].update(
            reference={"display": "x"}),
        "per-1": lambda b: first(b, "Consent")["provision"]["period"].update(end="2000-01-01"),
        "att-1": lambda b: first(b, "Media")["content"].pop("contentType"),
    }
    for key, spoil in spoils.items():
        bad = copy.deepcopy(b)
        spoil(bad)
        path = os.path.join(tmp, f"spoilt-{key}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(bad, f)
        problems, _ = run_invariants([path])
        check(any(f": {key}: " in x for x in problems),
              f"spoilt: the invariants miss {key}: {problems[:3]}")


# ---- the runs ----------------------------------------------------------------

class Env:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="nl-fhircheck-")
        self.db = os.path.join(self.dir, "records.db")
        self.env = dict(os.environ, NEEDLELOG_PASSPHRASE="correct horse", NEEDLELOG_DB=self.db,
                        NEEDLELOG_PRACTITIONER="Tester", NEEDLELOG_TODAY="2026-03-20")
        self.n = 0

    def export(self, patient, *extra):
        self.n += 1
        out = os.path.join(self.dir, f"p{patient}-{self.n}.json")
        r = subprocess.run([BIN, "export", "--patient", str(patient), "--format", "fhir",
                            "-o", out, *extra], env=self.env, capture_output=True, text=True,
                           timeout=300)
        check(r.returncode == 0, f"export {patient}: exit {r.returncode}: {r.stderr[-500:]}")
        with open(out, encoding="utf-8") as f:
            return out, json.load(f)


def every_patient(e, patients, *extra):
    files = []
    for pid in patients:
        path, b = e.export(pid, *extra)
        _, again = e.export(pid, *extra)
        check_all(b, f"patient {pid}")
        for problem in check_identity(b, again):
            check(False, f"patient {pid}: identity: {problem}")
        files.append(path)
    if node_path():
        problems, keys = run_invariants(files)
        for problem in problems[:30]:
            check(False, f"invariants: {problem}")
        check(len(keys) >= 30, f"invariants: only {len(keys)} keys evaluated")
    return files


def obs(b, code):
    return [en["resource"] for en in b["entry"] if en["resource"]["resourceType"] == "Observation"
            and en["resource"]["code"]["coding"][0]["code"] == code]


def by_type(b, t):
    return [en["resource"] for en in b["entry"] if en["resource"]["resourceType"] == t]


def fixture_values(b, ids):
    pat = by_type(b, "Patient")[0]
    check(pat.get("gender") == "female", "fixture: Patient.gender from sex")
    sys_ = pat["identifier"][0]["system"]
    check(re.match(rf"^urn:uuid:{UUID}$", sys_) is not None, f"fixture: identifier system {sys_}")
    allergies = {a["code"]["coding"][0]["code"]: a for a in by_type(b, "AllergyIntolerance")}
    check(set(allergies) == {"lidocaine", "nickel"}, f"fixture: allergies {sorted(allergies)}")
    check(allergies["nickel"]["reaction"][0]["severity"] == "moderate", "fixture: reaction severity")
    check(not any(f["code"]["coding"][0]["code"].endswith("allergy") for f in by_type(b, "Flag")),
          "fixture: no allergy left as a Flag")
    meds = by_type(b, "MedicationStatement")
    check(len(meds) == 1 and meds[0]["status"] == "active" and
          meds[0]["medicationCodeableConcept"]["text"] == "Apixaban 5 mg", "fixture: medication")
    consents = sorted((c["status"], c["scope"]["coding"][0]["code"]) for c in by_type(b, "Consent"))
    check(("inactive", "patient-privacy") in consents and ("active", "treatment") in consents,
          f"fixture: consents {consents}")
    plans = {p["title"]: p for p in by_type(b, "CarePlan")}
    hair = plans["Microneedling series: Hair loss"]
    reps = [(a["detail"]["scheduledTiming"]["repeat"]["count"],
             a["detail"]["scheduledTiming"]["repeat"]["period"]) for a in hair["activity"]]
    check(reps == [(12, 7), (6, 28)], f"fixture: one activity a phase {reps}")
    conds = by_type(b, "Condition")
    check(all(c["clinicalStatus"]["coding"][0]["code"] == "active" for c in conds),
          "fixture: Condition.clinicalStatus")
    pain = obs(b, "72514-3")
    check(pain and all(o["code"]["coding"][0]["system"] == "http://loinc.org" for o in pain),
          "fixture: pain in LOINC 72514-3")
    density = obs(b, "hair-density")
    check(density and all(o["valueQuantity"]["code"] == "/cm2" and
                          o["valueQuantity"]["system"] == "http://unitsofmeasure.org"
                          for o in density), "fixture: hair density a Quantity in /cm2")
    depth = obs(b, "needle-depth")
    check(all(o.get("category") and o["category"][0]["coding"][0]["code"] == "procedure"
              for o in depth), "fixture: depth observations have a category")
    amended = [o for o in by_type(b, "Observation") if o["status"] == "amended"]
    check(len(amended) == 1 and amended[0]["valueQuantity"]["value"] == 1.8,
          f"fixture: only the changed depth is amended ({len(amended)})")
    procs = {p["performedDateTime"]: p for p in by_type(b, "Procedure")}
    check(procs["2026-02-20"]["status"] == "entered-in-error", "fixture: voided = entered-in-error")
    prov = by_type(b, "Provenance")
    acts = sorted(p["activity"]["coding"][0]["code"] for p in prov)
    check(acts.count("sign") == 4 and acts.count("UPDATE") == 1 and acts.count("void") == 1,
          f"fixture: Provenance per sign, amendment, void {acts}")
    sig = [p for p in prov if "signature" in p]
    check(sig and sig[0]["signature"][0]["type"][0]["code"] == "1.2.840.10065.1.12.1.1",
          "fixture: signature type")
    void = [p for p in prov if p["activity"]["coding"][0]["code"] == "void"][0]
    check(void["reason"][0]["text"] == "entered on the wrong patient", "fixture: void reason")
    lots = [n["text"] for p in by_type(b, "Procedure") for n in p.get("note", [])
            if n["text"].startswith("Lots:")]
    check(any("C-2291" in t and "MX-77" in t for t in lots), f"fixture: lots noted {lots}")


def photo_values(b):
    media = by_type(b, "Media")
    check(len(media) == 4, f"fixture: one Media a photograph ({len(media)})")
    comp = b["entry"][0]["resource"]
    sec = [s for s in comp["section"] if s["title"] == "Photographs"]
    urls = {en["resource"]["id"]: en["fullUrl"] for en in b["entry"]}
    check(sec and sorted(r["reference"] for r in sec[0].get("entry", [])) ==
          sorted(urls[m["id"]] for m in media), "fixture: the Photographs section lists the Media")
    for m in media:
        c = m["content"]
        check(c["contentType"] == "image/jpeg" and
              base64.b64decode(c.get("data", ""))[:3] == b"\xff\xd8\xff" and
              c.get("size") == len(base64.b64decode(c["data"])),
              f"fixture: Media {m['id']} holds its JPEG inline")
        check(m["subject"]["reference"] == urls[by_type(b, "Patient")[0]["id"]],
              "fixture: Media.subject is the patient")
    views = sorted(m["view"]["text"] for m in media)
    check("Scar (appendectomy)" in views, f"fixture: Media views {views}")


def fixture(xfix):
    e = Env()
    try:
        ids = json.loads(subprocess.run([xfix, "create", e.db], env=e.env, check=True,
                                        capture_output=True, text=True).stdout)
        subprocess.run([xfix, "clinical", e.db, str(ids["patient"]), str(ids["series"][1])],
                       env=e.env, check=True, capture_output=True, text=True)
        bare = subprocess.run([BIN, "patient", "add", "--name", "Bare"], env=e.env,
                              capture_output=True, text=True).stdout.strip()
        # photographs of the acne-scar series, its consent in force (Media)
        subprocess.run([xfix, "photos", e.db, str(ids["patient"]), str(ids["series"][0]),
                        "keep"], env=e.env, check=True, capture_output=True, text=True)
        files = every_patient(e, [ids["patient"], ids["other_patient"], bare], "--photos")
        with open(files[0], encoding="utf-8") as f:
            b = json.load(f)
        fixture_values(b, ids)
        photo_values(b)
        spoilt(b, e.dir)
    finally:
        shutil.rmtree(e.dir, ignore_errors=True)


def demo():
    e = Env()
    e.env["NEEDLELOG_PASSPHRASE"] = "demo"
    try:
        r = subprocess.run([BIN, "demo", "--db", e.db, "--no-tui"], env=e.env,
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, f"demo: exit {r.returncode}: {r.stderr[-500:]}")
        r = subprocess.run([BIN, "patient", "list", "--all", "--format", "json"], env=e.env,
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            r = subprocess.run([BIN, "patient", "list", "--format", "json"], env=e.env,
                               capture_output=True, text=True, timeout=120)
        patients = [p["id"] for p in json.loads(r.stdout)]
        check(len(patients) >= 10, f"demo: {len(patients)} patients")
        every_patient(e, patients)
        print(f"demo: {len(patients)} patients checked")
    finally:
        shutil.rmtree(e.dir, ignore_errors=True)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "fixture":
        fixture(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "demo":
        demo()
    else:
        print(__doc__, file=sys.stderr)
        return 64
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    if not node_path():
        print("skip: the FHIRPath invariants need node and the fhirpath package "
              "($FHIRPATH_NODE_PATH); run tools/setup.sh test", file=sys.stderr)
        return SKIP
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
