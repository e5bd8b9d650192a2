#!/usr/bin/env python3
"""The clinic-scale benchmark's driver (docs/benchmark.md, "Clinic scale").

For each size (S: 1,000 patients, M: 10,000, L: 50,000; ten years of a
practice each), it generates the record file once (bench-clinic, timed) and
keeps it in --dir, then measures:
  - the core calls of every screen, in process (bench-clinic --only core),
  - check (signatures, pages) and audit streaming with its resident memory,
    each in a fresh process,
  - the real binary's commands, each interleaved with a trivial command
    (`patient show 1`) that pays the same unlock, so that "beyond unlock" is
    the command's median minus the trivial one's.
It prints medians with min and max, the load average, the growth M/S of
each line, the verdicts against the issue's targets at M, and writes the
same as JSON (--json, default DIR/clinic.json).

Environment: BENCH_SIZES (default "S,M"), BENCH_REPS (default 7),
BENCH_CHECK_TIMEOUT (seconds, default 600).
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

SIZES = {"S": 1000, "M": 10000, "L": 50000}
YEARS = 10
SEED = 1
TODAY = "2026-11-25"
PASSPHRASE = "bench"

# line -> (target at M in seconds, or None; what the issue asks)
TARGETS = {
    "patient list": (0.050, "< 50 ms"),
    "search keystroke": (0.010, "< 10 ms (TUI keystroke)"),
    "due list": (0.050, "< 50 ms"),
    "unsigned list": (None, "part of due"),
    "tui first screen (core)": (0.100, "< 100 ms (TUI first screen)"),
    "open patient": (0.010, "< 10 ms"),
    "open series": (0.010, "< 10 ms"),
    "open session": (0.010, "< 10 ms"),
    "pick list: device": (0.010, "< 10 ms"),
    "pick list: cartridge": (0.010, "< 10 ms"),
    "pick list: product": (0.010, "< 10 ms"),
    "pick list: anesthetic": (0.010, "< 10 ms"),
    "check: signatures": (None, "part of check"),
    "check: pages": (None, "part of check"),
    "cli: patient list": (0.050, "< 50 ms beyond unlock"),
    "cli: due": (0.050, "< 50 ms beyond unlock"),
    "cli: session show": (0.010, "< 10 ms beyond unlock"),
    "cli: check": (5.0, "< 5 s beyond unlock"),
    "cli: audit": (None, "every row"),
    "tui: first screen beyond unlock": (0.100, "< 100 ms"),
    "tui: search keystroke": (0.010, "< 10 ms"),
    "tui: backspace": (0.010, "< 10 ms"),
    "tui: clear the search": (0.010, "< 10 ms (return to the list)"),
    "tui: due list": (None, ""),
    "tui: back from due": (0.010, "< 10 ms (return to the list)"),
    "tui: rss-kib after unlock": (None, "< 64 MiB at L (65536 KiB)"),
    "audit: every row": (None, "streamed"),
    "audit-rss-kib": (None, "flat in rows"),
}

CLI_COMMANDS = [
    ("cli: patient list", ["patient", "list"], None),
    ("cli: due", ["due", "--within", "7", "--today", TODAY], None),
    ("cli: session show", ["session", "show", "5"], None),
    ("cli: audit", ["audit", "--limit", "0"], 3),
    ("cli: check", ["check"], 1),
]
TRIVIAL = ["patient", "show", "1"]


def run(cmd, timeout=None, env=None, keep=True):
    """Runs cmd; returns (seconds, stdout) or (None, why) on timeout/failure.
    With NEEDLELOG_TIMING in env, run.after holds the command's own time
    after the unlock, read from its stderr (seconds, or None). keep False:
    stdout goes to /dev/null (a command's output read through a pipe by
    this script would time the script's reading too)."""
    t0 = time.monotonic()
    run.after = None
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE if keep else subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout, env=env, text=True)
    except subprocess.TimeoutExpired:
        return None, "timeout after %d s" % timeout
    dt = time.monotonic() - t0
    if p.returncode not in (0, 65, 70, 77) and "RESULT" not in (p.stdout or ""):
        sys.stderr.write("failed: %s\n%s" % (" ".join(cmd), p.stderr))
        return None, "exit %d" % p.returncode
    run.after = after_unlock(p.stderr)
    return dt, p.stdout or ""


TIMING = re.compile(r"^needlelog: timing: (?:the first screen )?([0-9.]+) ms after the unlock$",
                    re.M)


def after_unlock(stderr):
    """The NEEDLELOG_TIMING line's figure, in seconds, or None."""
    m = TIMING.search(stderr or "")
    return float(m.group(1)) / 1000 if m else None


def parse(out, samples, info):
    for line in out.splitlines():
        parts = line.split()
        if line.startswith("RESULT "):
            samples.setdefault(" ".join(parts[1:-1]), []).append(float(parts[-1]))
        elif line.startswith("INFO "):
            info[parts[1]] = int(parts[2])


def bench_size(a, label, patients, reps, timeout):
    db = os.path.join(a.dir, "clinic-%d-y%d-s%d.db" % (patients, YEARS, SEED))
    samples, info, notes = {}, {}, {}
    base = [a.clinic, "--db", db, "--patients", str(patients), "--years", str(YEARS),
            "--seed", str(SEED), "--today", TODAY]
    info_path = db + ".info.json"
    if not os.path.exists(db):
        dt, out = run(base + ["--only", "none"])
        if dt is None:
            raise SystemExit("generation failed: " + out)
        parse(out, samples, info)
        with open(info_path, "w") as f:
            json.dump({"info": info, "generate": samples.get("generate")}, f)
    elif os.path.exists(info_path):
        with open(info_path) as f:
            saved = json.load(f)
        info.update(saved["info"])
        if saved.get("generate"):
            samples["generate"] = saved["generate"]
    info["bytes"] = os.path.getsize(db)
    for only in ("core", "audit"):
        dt, out = run(base + ["--reps", str(reps), "--only", only])
        if dt is None:
            notes[only] = out
        else:
            parse(out, samples, info)
    dt, out = run(base + ["--only", "check"], timeout=timeout)
    if dt is None:
        notes["check: signatures"] = out
    else:
        parse(out, samples, info)
    if a.needlelog:
        cli(a, db, reps, timeout, samples, notes)
        tui(a, db, reps, samples, notes)
    samples.pop("unlock", None)
    return {"label": label, "patients": patients, "info": info, "samples": samples,
            "notes": notes}


def cli(a, db, reps, timeout, samples, notes):
    """Each command's time after the unlock, as the binary itself measures
    it (NEEDLELOG_TIMING: from the file open, the key derived, to the end),
    runs interleaved with a trivial command whose whole time is the unlock
    line. Subtracting the trivial command's time, as before, left the
    answer inside the noise of two key derivations (+-100 ms here)."""
    env = dict(os.environ, NEEDLELOG_PASSPHRASE=PASSPHRASE, NEEDLELOG_DB=db,
               NEEDLELOG_TODAY=TODAY, NEEDLELOG_TIMING="1")
    env.pop("NEEDLELOG_TEST_KDF", None)
    for name, args, n in CLI_COMMANDS:
        for _ in range(n or reps):
            t, _ = run([a.needlelog, "--db", db] + TRIVIAL, env=env, keep=False)
            if t is not None:
                samples.setdefault("cli: unlock (trivial command)", []).append(t)
            t, why = run([a.needlelog, "--db", db] + args, timeout=timeout, env=env,
                         keep=False)
            if t is None or run.after is None:
                notes[name] = why if t is None else "no timing line"
                break
            samples.setdefault(name, []).append(run.after)


class Tmux:
    """The TUI in a detached tmux session on its own server; the screen is
    polled (capture-pane, a few ms a poll: that is the resolution)."""

    def __init__(self, needlelog, db, env, err):
        self.t = ["tmux", "-L", "nlclinic-%d" % os.getpid(), "-f", "/dev/null"]
        cmd = self.t + ["new-session", "-d", "-x", "120", "-y", "40", "-s", "nl",
                        "exec env TERM=xterm-256color '%s' --db '%s' tui 2>'%s'"
                        % (os.path.abspath(needlelog), db, err)]
        for _ in range(5):   # a new tmux server sometimes dies at birth on a busy machine
            self.t0 = time.monotonic()
            if subprocess.run(cmd, env=env, stderr=subprocess.DEVNULL).returncode == 0:
                return
            self.close()
            time.sleep(0.2)
        raise RuntimeError("tmux would not start")

    def screen(self):
        return subprocess.run(self.t + ["capture-pane", "-p", "-t", "nl"],
                              stdout=subprocess.PIPE, text=True).stdout

    def wait(self, pred, t0, limit=120):
        while time.monotonic() - t0 < limit:
            s = self.screen()
            if pred(s):
                return time.monotonic() - t0, s
        raise RuntimeError("the TUI did not answer")

    def key(self, k, prev, settle=0.05):
        """Seconds from sending k to the last change of the screen (a frame
        may reach the terminal in pieces: the answer is complete once the
        screen has stayed the same for settle seconds), and that screen."""
        t0 = time.monotonic()
        subprocess.run(self.t + ["send-keys", "-t", "nl", k], check=True)
        dt, cur = self.wait(lambda s: s != prev, t0)
        last = t0 + dt
        while time.monotonic() - last < settle:
            s = self.screen()
            if s != cur:
                cur, last = s, time.monotonic()
        return last - t0, cur

    def rss_kib(self):
        pid = subprocess.run(self.t + ["display", "-p", "-t", "nl", "#{pane_pid}"],
                             stdout=subprocess.PIPE, text=True).stdout.strip()
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return float(line.split()[1])
        return None

    def quit(self, err):
        """Quits the TUI from its patient list (q), then returns the first
        screen's time from its stderr (seconds), or None."""
        subprocess.run(self.t + ["send-keys", "-t", "nl", "q"], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(err) as f:
                got = after_unlock(f.read())
            if got is not None:
                return got
            time.sleep(0.05)
        return None

    def close(self):
        subprocess.run(self.t + ["kill-server"], stderr=subprocess.DEVNULL)


# What is timed in the TUI: (line, key); each from the screen the last left.
TUI_KEYS = [("tui: open search", "/"), ("tui: search keystroke", "m"),
            ("tui: search keystroke", "a"), ("tui: search keystroke", "r"),
            ("tui: backspace", "BSpace"), ("tui: backspace", "BSpace"),
            ("tui: clear the search", "Escape"), ("tui: due list", "D"),
            ("tui: back from due", "q")]


def tui(a, db, reps, samples, notes):
    """The TUI's latencies in tmux: the first screen after the unlock as the
    TUI measures it (NEEDLELOG_TIMING, said on stderr when it quits), each
    key of a search, the due list."""
    if not shutil.which("tmux"):
        notes["tui: search keystroke"] = "no tmux"
        return
    env = dict(os.environ, NEEDLELOG_PASSPHRASE=PASSPHRASE, NEEDLELOG_TODAY=TODAY,
               NEEDLELOG_TIMING="1")
    env.pop("NEEDLELOG_TEST_KDF", None)
    err = os.path.join(a.dir, "tui.err")
    for _ in range(reps):
        try:
            t = Tmux(a.needlelog, db, env, err)
        except RuntimeError as e:
            notes["tui: search keystroke"] = str(e)
            return
        try:
            dt, prev = t.wait(lambda s: "Search:" in s and " patients" in s, t.t0)
            samples.setdefault("tui: rss-kib after unlock", []).append(t.rss_kib())
            for name, k in TUI_KEYS:
                dt, prev = t.key(k, prev)
                samples.setdefault(name, []).append(dt)
            first = t.quit(err)
            if first is None:
                notes["tui: first screen beyond unlock"] = "no timing line"
            else:
                samples.setdefault("tui: first screen beyond unlock", []).append(first)
        except RuntimeError as e:
            notes["tui: search keystroke"] = str(e)
        finally:
            t.close()


def stat(v):
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def fmt(sec, name):
    if sec is None:
        return "-"
    if "rss-kib" in name:
        return "%.0f KiB" % sec
    if sec >= 1:
        return "%.2f s" % sec
    return "%.1f ms" % (sec * 1000)


def cell(res, name):
    v = res["samples"].get(name)
    if not v:
        return res["notes"].get(name, "-")
    s = stat(v)
    if s["n"] == 1:
        return fmt(s["median"], name)
    return "%s (%s-%s)" % (fmt(s["median"], name), fmt(s["min"], name).split()[0],
                           fmt(s["max"], name))


def verdict(name, m):
    target = TARGETS.get(name, (None, ""))[0]
    if m is None:
        return "" if target is None else "?"
    v = m["samples"].get(name)
    if target is None:
        return ""
    if not v:
        return "FAIL"
    return "PASS" if statistics.median(v) < target else "FAIL"


def table(results):
    names = []
    for r in results.values():
        for n in r["samples"]:
            if n not in names:
                names.append(n)
    order = list(TARGETS) + ["generate", "cli: unlock (trivial command)"]
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    sizes = list(results)
    head = ["operation"] + ["%s (%d pat.)" % (s, results[s]["patients"]) for s in sizes]
    if "S" in results and "M" in results:
        head.append("M/S")
    head += ["target at M", "at M"]
    rows = [head]
    for n in names:
        row = [n] + [cell(results[s], n) for s in sizes]
        if "S" in results and "M" in results:
            vs, vm = results["S"]["samples"].get(n), results["M"]["samples"].get(n)
            row.append("%.1fx" % (statistics.median(vm) / statistics.median(vs))
                       if vs and vm and statistics.median(vs) > 0 else "-")
        row += [TARGETS.get(n, (None, ""))[1], verdict(n, results.get("M"))]
        rows.append(row)
    w = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * x for x in w))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clinic", required=True)
    ap.add_argument("--needlelog")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--json")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    sizes = os.environ.get("BENCH_SIZES", "S,M").split(",")
    reps = int(os.environ.get("BENCH_REPS", "7"))
    timeout = int(os.environ.get("BENCH_CHECK_TIMEOUT", "600"))
    load0 = os.getloadavg()
    t0 = time.time()
    results = {s: bench_size(a, s, SIZES[s], reps, timeout) for s in sizes}
    load1 = os.getloadavg()
    print("needlelog clinic-scale benchmark")
    print("  %s, %d CPUs, Linux %s" % (platform.processor() or platform.machine(),
                                        os.cpu_count(), platform.release()))
    print("  Load average (1 min) at start %.2f, at end %.2f" % (load0[0], load1[0]))
    print("  Each core line: median (min-max) of %d calls in one process after unlock;"
          " cli and tui first-screen lines: the binary's own time after the unlock"
          " (NEEDLELOG_TIMING), median of %d runs" % (reps, reps))
    for s, r in results.items():
        i = r["info"]
        print("  %s: %s patients, %s series, %s sessions (%s signed, %s amended, %s voided),"
              " %.0f MB" % (s, i.get("patients", "?"), i.get("series", "?"),
                            i.get("sessions", "?"), i.get("signed", "?"),
                            i.get("amended", "?"), i.get("voided", "?"),
                            i.get("bytes", 0) / 1e6))
    print("  %.0f s in all\n" % (time.time() - t0))
    print(table(results))
    doc = {"load_start": load0[0], "load_end": load1[0], "reps": reps,
           "sizes": {s: {"patients": r["patients"], "info": r["info"], "notes": r["notes"],
                         "lines": {n: stat(v) for n, v in r["samples"].items()}}
                     for s, r in results.items()}}
    path = a.json or os.path.join(a.dir, "clinic.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    print("\nJSON: %s" % path)


if __name__ == "__main__":
    main()
