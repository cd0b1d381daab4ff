#!/usr/bin/env python3
"""Differential test of `kac check` against the real `keepalived -t`.

Takes valid configs (the project's fixtures and, when present, the valid
files of ../shared/corpus), makes one small mistake in each copy (a number
out of range, a misspelt keyword, a value in the wrong case, a line
dropped or doubled), and asks both kac and keepalived 2.2.7 (through
../shared/corpus/kt_sandbox.py: a throw-away namespace with the interfaces
the file names) what they think of the mutant, relative to what they said
of the original.

  kac misses   keepalived reports something new, kac reports nothing new
  kac stricter kac reports a new error, keepalived nothing new

Prints a summary and every disagreement; exits 1 when kac misses any (or
with --max-misses N, more than N). Deterministic for a given --seed.
Needs root and /usr/sbin/keepalived; says so and exits 0 without them.

Usage: tests/differential/mutate.py [--count N] [--seed S] [--max-misses N]
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus")
SANDBOX = os.path.join(CORPUS, "kt_sandbox.py")
KAC = os.path.join(ROOT, "target", "release", "kac")

NUMBERS = ["0", "-1", "256", "65536", "1.5", "abc", "4294967296", "1e3"]
LINE_RE = re.compile(r"^(\s*)([A-Za-z_][A-Za-z0-9_]*)(\s+)(\S+)(.*)$")


def seeds():
    out = []
    for site in sorted(os.listdir(os.path.join(ROOT, "fixtures"))):
        p = os.path.join(ROOT, "fixtures", site, "keepalived.conf")
        if os.path.isfile(p) and site != "lexer":
            out.append(p)
    valid = os.path.join(CORPUS, "valid")
    if os.path.isdir(valid):
        out += [os.path.join(valid, f) for f in sorted(os.listdir(valid)) if f.endswith(".conf")]
    return out


def mutate(text, rng):
    """One mistake; returns (new_text, description) or None."""
    lines = text.split("\n")
    cands = [i for i, l in enumerate(lines)
             if l.strip() and not l.strip().startswith(("#", "!", "}", "{", "@", "$", "~", "include"))]
    if not cands:
        return None
    i = rng.choice(cands)
    line = lines[i]
    kind = rng.choice(["number", "number", "typo", "case", "drop", "double"])
    m = LINE_RE.match(line)
    if kind == "number" and m and re.fullmatch(r"-?[0-9.]+", m.group(4)):
        new = rng.choice([n for n in NUMBERS if n != m.group(4)])
        lines[i] = f"{m.group(1)}{m.group(2)}{m.group(3)}{new}{m.group(5)}"
        desc = f"{m.group(2)} {m.group(4)} -> {new}"
    elif kind == "typo" and m and len(m.group(2)) > 3:
        kw = m.group(2)
        j = rng.randrange(1, len(kw) - 1)
        typo = kw[:j] + kw[j + 1] + kw[j] + kw[j + 2:]
        if typo == kw:
            return None
        lines[i] = f"{m.group(1)}{typo}{m.group(3)}{m.group(4)}{m.group(5)}"
        desc = f"keyword {kw} -> {typo}"
    elif kind == "case" and m and re.fullmatch(r"[A-Za-z]+", m.group(4)):
        v = m.group(4)
        new = v.lower() if v != v.lower() else v.upper()
        lines[i] = f"{m.group(1)}{m.group(2)}{m.group(3)}{new}{m.group(5)}"
        desc = f"{m.group(2)} {v} -> {new}"
    elif kind == "drop" and "{" not in line:
        del lines[i]
        desc = f"dropped `{line.strip()}`"
    elif kind == "double" and "{" not in line:
        lines.insert(i, line)
        desc = f"doubled `{line.strip()}`"
    else:
        return None
    return "\n".join(lines), f"line {i + 1}: {desc}"


def norm(msg):
    # Line numbers and file names move with the mutation; compare the rest.
    msg = re.sub(r"\((?:[^()]*: )?Line \d+\)\s*", "", msg)
    return msg.strip()


def keepalived(files):
    out = subprocess.run([sys.executable, SANDBOX] + files, capture_output=True, text=True).stdout
    res = {}
    for l in out.splitlines():
        parts = l.split("\t")
        if len(parts) >= 2:
            msgs = set()
            if len(parts) > 2 and parts[2]:
                msgs = {norm(m) for m in parts[2].split(" | ")}
            res[parts[0]] = (parts[1], msgs)
    return res


def kac(path):
    p = subprocess.run([KAC, "check", "--format", "json", "--config-id", "kt-host", path],
                       capture_output=True, text=True)
    out = set()
    errors = set()
    for l in p.stdout.splitlines():
        try:
            d = json.loads(l)
        except ValueError:
            continue
        key = (d["code"], re.sub(r"\d+", "N", d["message"]))
        out.add(key)
        if d["severity"] == "error":
            errors.add(key)
    return out, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-misses", type=int, default=0)
    a = ap.parse_args()
    if os.geteuid() != 0 or not os.path.exists("/usr/sbin/keepalived") or not os.path.exists(SANDBOX):
        print("differential: needs root, /usr/sbin/keepalived and ../shared/corpus; skipped")
        return 0
    if not os.path.exists(KAC):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "kac-compiler"], cwd=ROOT, check=True)
    rng = random.Random(a.seed)
    # kt_sandbox remounts /tmp; keep the files elsewhere.
    work = tempfile.mkdtemp(prefix="kac-diff-", dir=os.path.join(ROOT, "target"))
    try:
        originals = seeds()
        base_ka = keepalived(originals)
        base_kac = {o: kac(o) for o in originals}
        mutants = []
        tries = 0
        while len(mutants) < a.count and tries < a.count * 20:
            tries += 1
            src = rng.choice(originals)
            with open(src) as f:
                r = mutate(f.read(), rng)
            if r is None:
                continue
            path = os.path.join(work, f"m{len(mutants):04d}.conf")
            with open(path, "w") as f:
                f.write(r[0])
            mutants.append((path, src, r[1]))
        ka = keepalived([m[0] for m in mutants])
        misses, stricter, agree = [], [], 0
        for path, src, desc in mutants:
            if path not in ka or src not in base_ka:
                continue
            k_code, k_msgs = ka[path]
            new_ka = (k_msgs - base_ka[src][1]) or (k_code not in ("0", base_ka[src][0]))
            all_new, err_new = kac(path)
            new_kac = all_new - base_kac[src][0]
            new_err = err_new - base_kac[src][1]
            name = os.path.basename(src)
            if new_ka and not new_kac:
                misses.append(f"{name} {desc}: keepalived says {sorted(k_msgs - base_ka[src][1]) or k_code}")
            elif not new_ka and new_err:
                stricter.append(f"{name} {desc}: kac says {sorted(new_err)}")
            else:
                agree += 1
        print(f"differential: {len(mutants)} mutants of {len(originals)} configs (seed {a.seed}): "
              f"{agree} agree, {len(misses)} kac misses, {len(stricter)} kac stricter")
        for m in misses:
            print("  MISS     " + m)
        for s in stricter:
            print("  STRICTER " + s)
        return 1 if len(misses) > a.max_misses else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
