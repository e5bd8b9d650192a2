#!/usr/bin/env python3
"""memscan.py PID CANARY...: counts each canary in the live process's
memory (every readable mapping, via /proc/PID/maps and /proc/PID/mem), as
UTF-8 and as UTF-32 (the TUI edits text as wchar_t). Prints one line per
hit and exits 1 when there is any; 77 when the memory cannot be read (not
root, or ptrace forbidden), so the test is skipped rather than passed."""
import re
import sys

CHUNK = 1 << 20
TOO_BIG = 1 << 32   # sanitizer shadow: reserved, never holds text


def regions(pid):
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)\s+\S+\s+\S+\s+\S+\s*(.*)", line)
            start, end, perms, name = int(m[1], 16), int(m[2], 16), m[3], m[4]
            if perms[0] != "r" or name in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
                continue
            if end - start > TOO_BIG:
                continue
            yield start, end, name


def main():
    pid, canaries = sys.argv[1], sys.argv[2:]
    needles = []
    for c in canaries:
        needles.append((c, "utf-8", c.encode("utf-8")))
        needles.append((c, "utf-32", c.encode("utf-32-le")))
    longest = max(len(n[2]) for n in needles)
    hits = 0
    try:
        mem = open(f"/proc/{pid}/mem", "rb", buffering=0)
    except OSError as e:
        print(f"memscan: cannot read the memory of {pid}: {e}", file=sys.stderr)
        return 77
    scanned = 0
    with mem:
        for start, end, name in regions(pid):
            tail = b""
            for at in range(start, end, CHUNK):
                try:
                    mem.seek(at)
                    data = mem.read(min(CHUNK, end - at))
                except OSError:
                    tail = b""
                    continue
                scanned += len(data)
                buf = tail + data
                for c, enc, n in needles:
                    i = buf.find(n)
                    while i >= 0:
                        hits += 1
                        print(f"hit: {c!r} as {enc} at {at - len(tail) + i:#x} in {name or 'anon'}")
                        i = buf.find(n, i + 1)
                tail = data[-(longest - 1):]
    if scanned == 0:
        print("memscan: nothing could be read", file=sys.stderr)
        return 77
    print(f"memscan: {scanned >> 20} MiB read, {hits} hits")
    return 1 if hits else 0


sys.exit(main())
