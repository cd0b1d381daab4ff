#!/usr/bin/env python3
"""Prints how kac judges each file of ../shared/corpus beside what
keepalived 2.2.7 said of it (MANIFEST.tsv): per directory, how many files
kac rejects (errors), warns about, or accepts silently, and every file
where the two disagree on "is there a problem".

Usage: scripts/corpus-report.py [--all]   (--all lists every file)
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
KAC = os.path.join(ROOT, "target", "release", "kac")


def main():
    if not os.path.isdir(CORPUS):
        print(f"corpus not found at {CORPUS}")
        return 0
    if not os.path.exists(KAC):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "kac-compiler"], cwd=ROOT, check=True)
    manifest = {}
    with open(os.path.join(CORPUS, "MANIFEST.tsv")) as f:
        next(f)
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                msgs = parts[2].split(" -> ", 1)[1].split(" | ") if len(parts) > 2 and " -> " in parts[2] else []
                manifest[parts[0]] = (parts[1], msgs)
    rows = []
    for rel, (ka, msgs) in sorted(manifest.items()):
        path = os.path.join(CORPUS, rel)
        p = subprocess.run([KAC, "check", "--format", "json", "--config-id", "kt-host", path],
                           capture_output=True, text=True)
        diags = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
        errors = sorted({d["code"] for d in diags if d["severity"] == "error"})
        warnings = sorted({d["code"] for d in diags if d["severity"] == "warning"})
        # Exit 6 (script security) masks every other message's code.
        other = [m for m in msgs if not m.startswith("SECURITY VIOLATION") and m != "..."]
        ka_problem = ka in ("2", "4", "5") or (ka == "6" and bool(other))
        rows.append((rel, ka, p.returncode, errors, warnings, ka_problem))
    print("| directory | files | keepalived exit 0 | kac: errors (exit 1) | kac: warnings only | kac: silent |")
    print("|---|---|---|---|---|---|")
    for d in ("valid", "invalid", "flagged"):
        rs = [r for r in rows if r[0].startswith(d + "/")]
        print(f"| {d} | {len(rs)} | {sum(r[1] == '0' for r in rs)} | "
              f"{sum(r[2] == 1 for r in rs)} | {sum(r[2] == 0 and bool(r[4]) for r in rs)} | "
              f"{sum(r[2] == 0 and not r[4] for r in rs)} |")
    print()
    print("Files where keepalived and kac disagree on whether there is a problem")
    print("(keepalived's exit 6 counts as a problem only when it masks other messages):")
    for rel, ka, rc, errors, warnings, ka_problem in rows:
        kac_problem = rc == 1
        if ka_problem != kac_problem or "--all" in sys.argv:
            print(f"  {rel}: keepalived exit {ka}, kac exit {rc} errors={','.join(errors) or '-'} "
                  f"warnings={','.join(warnings) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
