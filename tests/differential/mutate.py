#!/usr/bin/env python3
"""Differential test of `kac check` against the real `keepalived -t`.

Makes small mistakes in valid configs and asks both kac and keepalived
2.2.7 (through ../shared/corpus/kt_sandbox.py: a throw-away namespace with
the interfaces and scripts the file names) what they think of each mutant,
relative to what they said of the unmutated config. Two mutant sources:

  corpus    the project's fixtures and ../shared/corpus/valid: one random
            mistake per copy (a number out of range, a misspelt keyword, a
            value in the wrong case, a line dropped or doubled)
  keywords  compiler/tests/data/keywords-2.2.7.tsv: for every keyword
            keepalived 2.2.7 accepts, a small complete config around its
            sample value, and every mutant of that value: numbers just out
            of range (0, -1, 256, 65536, 2^32, 1.5, 1e3, 5m, abc), an
            address with a bad octet, of the wrong family or with a prefix,
            a word in the wrong case or misspelt, the value missing, an
            extra word, the keyword doubled

Verdicts:

  kac misses   keepalived reports something new, kac reports nothing new
  kac stricter kac reports a new error, keepalived nothing new

Disagreements listed in KNOWN (deliberate: see README "Where kac
deliberately differs from keepalived -t") are shown apart and do not fail
the run. Exits 1 when another disagreement remains (or, with
--max-misses N, more than N misses). Deterministic for a given --seed.
Needs root and /usr/sbin/keepalived; says so and exits 0 without them.

Usage: tests/differential/mutate.py [--mode all|corpus|keywords] [--quick]
           [--count N] [--seed S] [--only REGEX] [--max-misses N] [--keep]
           [--verbose]
  --quick    about 150 mutants (50 corpus, 100 keywords), for the test runner
  --only     keyword mode: rows whose `context/keyword` matches REGEX
  --keep     leave the mutants under target/ and print where
  --verbose  list every known difference, not one example of each
"""
import argparse
import collections
import concurrent.futures
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
TABLE = os.path.join(ROOT, "compiler", "tests", "data", "keywords-2.2.7.tsv")
# keepalived -t runs in this many sandboxes at once.
JOBS = max(1, min(4, os.cpu_count() or 1))

# Deliberate differences: (verdict, regex searched in the disagreement's
# description, reason). Keep the reasons short and true.
KNOWN = [
    # Host facts: keepalived -t looks at the machine, kac does not.
    ("MISS", r"keepalived says \['Invalid smtp server ",
     "host fact: keepalived resolves an smtp_server name at parse time"),
    ("MISS", r"keepalived says .*(uid/gid|Invalid (startup|shutdown) script)",
     "host fact: whether a user or group (script_user, user, the word after a script) exists"),
    ("MISS", r"keepalived says .*Invalid cpu_id:\d+ specified",
     "host fact: keepalived limits *_cpu_affinity to this machine's CPUs; kac to CPU_SETSIZE"),
    ("MISS", r"keyword doubled \[[^]]*\]: keepalived says \(repeated\)",
     "keepalived repeats a complaint for each copy of a flag; kac reports it once (the copy changes nothing)"),
    # keepalived -t runs no start-up checks: it does not look up names.
    ("STRICTER", r"kac says \[\('K0(114|517)', [^)]*\)\]$",
     "keepalived reports an undefined lvs_sync_daemon / track_group instance at start-up, not with -t"),
    # Mistakes keepalived accepts silently (README: kac may be stricter).
    ("STRICTER", r"extra word( in block)? \[[^]]*\]: kac says \[\('K0035', [^)]*\)\]$",
     "words after a value, which keepalived ignores silently"),
    ("STRICTER", r"value missing \[[^]]*\]: kac says \[(\('K0034', [^)]*\)(, )?)+\]$",
     "a keyword without its value, which keepalived ignores silently"),
    ("STRICTER", r"\((with|bad) prefix\) \[[^]]*\]: kac says \[(\('K0(039|328|300|406)', [^)]*\)(, )?)+\]$",
     "a prefix on a single address, which keepalived cuts off silently"),
    ("STRICTER", r"(three octets\)|-> [0-9.]+( \(number\))?) \[[^]]*\]: kac says \[\('K0107', [^)]*\)\]$"
                 r"|three octets\) \[[^]]*\]: kac says \[\('K0039', [^)]*\)\]$",
     "an inet_aton shorthand (`192.0.2` is 192.0.0.2, `0` is 0.0.0.0) keepalived takes silently"),
    ("STRICTER", r"/url/regex(_\w+)?: .*kac says \[(\('K00(34|36|37|40)', [^)]*\)(, )?)+\]$",
     "keepalived logs bad regex settings with log_message (not shown by -t) or ignores them"),
    ("STRICTER", r"SMTP_CHECK/bindto: .* \(wrong family\) .*kac says \[\('K0305', [^)]*\)\]$",
     "keepalived does not check an SMTP_CHECK's own bindto; of the wrong family the check cannot connect"),
    ("STRICTER", r"track_file/weight: keyword doubled .*kac says \[\('K0413', [^)]*\)\]$",
     "keepalived misses a repeated `weight 1` (1 is its \"unset\" value)"),
    ("STRICTER", r"_rcv_bufs: \d+ -> 0 \(number\) .*kac says \[\('K0037'",
     "keepalived ignores a 0 buffer size silently (keeps its default)"),
    ("STRICTER", r"-> -1 \(number\) .*kac says \[\('K0503'",
     "keepalived reads routing table -1 as 4294967295 silently"),
]

# ---------------------------------------------------------------- corpus mode

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
    """One mistake; returns (new_text, description, (old, new) word or
    None) or None."""
    lines = text.split("\n")
    subst = None
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
        subst = (m.group(4), new)
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
        subst = (v, new)
    elif kind == "drop" and "{" not in line:
        del lines[i]
        desc = f"dropped `{line.strip()}`"
    elif kind == "double" and "{" not in line:
        lines.insert(i, line)
        desc = f"doubled `{line.strip()}`"
    else:
        return None
    return "\n".join(lines), f"line {i + 1}: {desc}", subst


def corpus_cases(count, rng):
    """[(base_text, base_name, [(mutant_text, desc, subst)])] of `count` mutants."""
    originals = seeds()
    texts = {}
    for o in originals:
        with open(o) as f:
            texts[o] = f.read()
    by_src = {}
    made = 0
    tries = 0
    while made < count and tries < count * 20:
        tries += 1
        src = rng.choice(originals)
        r = mutate(texts[src], rng)
        if r is None:
            continue
        by_src.setdefault(src, []).append(r)
        made += 1
    return [(texts[s], os.path.basename(s), by_src[s]) for s in originals if s in by_src]


# -------------------------------------------------------------- keyword mode
# A port of compiler/tests/keywords.rs's builder, plus the companions that
# make each block complete, so keepalived checks the value instead of
# dropping the block for a missing part.

HEADERS = {
    "vrrp_instance": "VI_1", "vrrp_sync_group": "SG1", "vrrp_script": "chk",
    "track_file": "tf", "vrrp_track_file": "tf", "vrrp_track_process": "tp",
    "bfd_instance": "bfd1", "track_group": "TG1",
    "virtual_server": "192.0.2.1 80", "real_server": "192.0.2.10 80",
}

# Objects the samples refer to (chk, tf, tp, bfd1, VI_1), by block keyword.
PRELUDE = [
    ("vrrp_script", "chk", "{ script /bin/true }"),
    ("track_file", "tf", "{ file /etc/hostname }"),
    ("vrrp_track_process", "tp", "{ process nginx }"),
    ("bfd_instance", "bfd1", "{ neighbor_ip 192.0.2.2 }"),
    ("vrrp_instance", "VI_1",
     "{ interface eth0 ; virtual_router_id 51 ; priority 100 ; virtual_ipaddress { 192.0.2.100 } }"),
]
# Prelude objects that would clash with a block of the same name.
CLASH = {"vrrp_track_file": "track_file"}

# Entries a block needs besides the tested keyword: (keyword, sample,
# keywords that replace it).
COMPANIONS = {
    "vrrp_instance": [
        ("interface", "eth0", ()),
        ("virtual_router_id", "51", ()),
        ("virtual_ipaddress", "{ 192.0.2.100 }", ("virtual_ipaddress_excluded",)),
    ],
    "vrrp_sync_group": [("group", "{ VI_1 }", ())],
    "track_group": [("group", "{ VI_1 }", ())],
    "garp_group": [("interface", "eth0", ("interfaces",))],
    "bfd_instance": [("neighbor_ip", "192.0.2.2", ("neighbour_ip",))],
    "track_file": [("file", "/etc/hostname", ())],
    "vrrp_track_file": [("file", "/etc/hostname", ())],
    "vrrp_track_process": [("process", "nginx", ())],
    "vrrp_script": [("script", "/bin/true", ())],
    "vrrp_instance/authentication": [("auth_type", "PASS", ()), ("auth_pass", "secret", ())],
    "virtual_server": [("real_server", "192.0.2.10 80 { weight 1 }", ())],
    "virtual_server/real_server/MISC_CHECK": [("misc_path", "/bin/true", ())],
    "virtual_server/real_server/HTTP_GET": [("url", "{ path / }", ())],
    "virtual_server/real_server/SSL_GET": [("url", "{ path / }", ())],
    "virtual_server/real_server/HTTP_GET/url": [("path", "/", ())],
    "virtual_server/real_server/SSL_GET/url": [("path", "/", ())],
    "virtual_server/real_server/FILE_CHECK": [("track_file", "tf", ())],
    "virtual_server/real_server/BFD_CHECK": [("name", "bfd1", ())],
}


def rows():
    out = []
    with open(TABLE) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = (line.rstrip("\n").split("\t") + ["-"] * 4)[:4]
            ctx, kw, note, sample = parts
            out.append((ctx, kw, note, "" if sample == "-" else sample))
    return out


def write_entry(out, depth, keyword, sample):
    line = [keyword]

    def flush():
        if line:
            out.append("    " * depth + " ".join(line))
            line.clear()

    for word in sample.split():
        if word == "{":
            line.append("{")
            flush()
            depth += 1
        elif word == "}":
            flush()
            depth = max(0, depth - 1)
            line.append("}")
            flush()
        elif word == ";":
            flush()
        else:
            line.append(word)
    flush()


def config_for(context, keyword, sample):
    blocks = [] if context == "top" else context.split("/")
    top = blocks[0] if blocks else keyword
    out = []
    for kind, name, body in PRELUDE:
        if kind not in (top, CLASH.get(top)):
            write_entry(out, 0, f"{kind} {name}", body)
    for depth, block in enumerate(blocks):
        name = HEADERS.get(block)
        out.append("    " * depth + (f"{block} {name}" if name else block) + " {")
    for k, v, instead in COMPANIONS.get(context, []):
        if keyword != k and keyword not in instead:
            write_entry(out, len(blocks), k, v)
    if context == "virtual_server" and keyword.startswith("sorry_server_"):
        write_entry(out, len(blocks), "sorry_server", "192.0.2.20 80")
    write_entry(out, len(blocks), keyword, sample)
    for depth in reversed(range(len(blocks))):
        out.append("    " * depth + "}")
    return "\n".join(out) + "\n"


BAD_NUMBERS = ["0", "-1", "256", "65536", "4294967296", "1.5", "1e3", "5m", "abc"]
IPV4 = re.compile(r"(\d+)\.(\d+)\.(\d+)\.(\d+)(/\d+)?")
IPV6 = re.compile(r"[0-9A-Fa-f:]*:[0-9A-Fa-f:]*(/\d+)?")


def word_mutants(w):
    """(replacement, label) for one word of a sample."""
    out = []
    m4 = IPV4.fullmatch(w)
    if m4:
        a, b, c, _, pfx = m4.groups()
        out.append((f"{a}.{b}.{c}.256{pfx or ''}", "bad octet"))
        out.append((f"{a}.{b}.{c}{pfx or ''}", "three octets"))
        out.append(("2001:db8::1" + (pfx or ""), "wrong family"))
        out.append((f"{a}.{b}.{c}.{m4.group(4)}/33" if pfx else w + "/24",
                    "bad prefix" if pfx else "with prefix"))
        return out
    if IPV6.fullmatch(w) and w.count(":") >= 2:
        base, _, pfx = w.partition("/")
        out.append((base + "::1", "bad address"))
        out.append(("192.0.2.1" + (f"/{pfx}" if pfx else ""), "wrong family"))
        out.append((base + "/129" if pfx else w + "/64", "bad prefix" if pfx else "with prefix"))
        return out
    if re.fullmatch(r"-?\d+(\.\d+)?", w):
        return [(n, "number") for n in BAD_NUMBERS if n != w]
    if re.fullmatch(r"[0-9a-f]{2,}", w):
        return [(w[:-1], "odd hex"), ("zz" + w[2:], "not hex")]
    if w.startswith(("/", '"')):
        return []
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.@-]*", w):
        case = w.lower() if w != w.lower() else w.upper()
        if case != w:
            out.append((case, "case"))
        if len(w) > 2:
            out.append((w[:-2] + w[-1], "misspelt"))
    return out


def sample_mutants(sample):
    """(new_sample, description, (old, new) word or None) for every
    mutant of a sample."""
    words = sample.split()
    out = []
    for i, w in enumerate(words):
        if w in ("{", "}", ";"):
            continue
        for new, label in word_mutants(w):
            mutated = words[:i] + [new] + words[i + 1:]
            out.append((" ".join(mutated), f"{w} -> {new} ({label})", (w, new)))
    if words and "{" not in words:
        out.append(("", "value missing", None))
        out.append((sample + " extra", "extra word", None))
    elif "{" in words:
        # An extra word on the block's first entry (or an empty block).
        j = words.index("{")
        end = next((k for k in range(j + 1, len(words)) if words[k] in (";", "}", "{")), None)
        if end is not None and end > j + 1:
            out.append((" ".join(words[:end] + ["extra"] + words[end:]),
                        "extra word in block", None))
            out.append((" ".join(words[:j + 1] + words[end:] if words[end] != "{" else words),
                        "entry dropped", None))
    else:
        out.append(("extra", "extra word", None))
    return [m for m in out if m[0] != sample]


def keyword_cases(only):
    """[(base_text, base_name, [(mutant_text, desc, subst)])] over every table row."""
    cases = []
    for ctx, kw, _note, sample in rows():
        name = f"{ctx}/{kw}"
        if only and not re.search(only, name):
            continue
        base = config_for(ctx, kw, sample)
        muts, seen = [], {base}
        for new, desc, subst in sample_mutants(sample):
            text = config_for(ctx, kw, new)
            if text not in seen:
                seen.add(text)
                muts.append((text, desc, subst))
        if "{" not in sample:
            # The keyword twice (keepalived ignores some repeats).
            muts.append((config_for(ctx, kw, f"{sample} ; {kw} {sample}".strip()),
                         "keyword doubled", None))
        if muts:
            cases.append((base, name, muts))
    return cases


# ------------------------------------------------------------------ running

def norm(msg):
    # Line numbers and file names move with the mutation; compare the rest.
    msg = re.sub(r"\((?:[^()]*: )?Line \d+\)\s*", "", msg)
    return msg.strip()


def keepalived(files):
    """{file: (exit code, Counter of messages)}, JOBS sandboxes at once."""
    chunks = [files[i::JOBS] for i in range(JOBS) if files[i::JOBS]]
    procs = [subprocess.Popen([sys.executable, SANDBOX] + c, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True) for c in chunks]
    res = {}
    for p in procs:
        out, _ = p.communicate()
        for l in out.splitlines():
            parts = l.split("\t")
            if len(parts) >= 2:
                # A multiset: a doubled keyword may only repeat a message.
                msgs = collections.Counter()
                if len(parts) > 2 and parts[2]:
                    msgs.update(norm(m) for m in parts[2].split(" | "))
                res[parts[0]] = (parts[1], msgs)
    return res


def kac(path):
    p = subprocess.run([KAC, "check", "--format", "json", "--config-id", "kt-host", path],
                       capture_output=True, text=True)
    # Multisets, like keepalived's: a doubled keyword may repeat a message.
    out = collections.Counter()
    errors = collections.Counter()
    for l in p.stdout.splitlines():
        try:
            d = json.loads(l)
        except ValueError:
            continue
        key = (d["code"], re.sub(r"\d+", "N", d["message"]))
        out[key] += 1
        if d["severity"] == "error":
            errors[key] += 1
    return out, errors


def undo(msg, subst):
    """`msg` with the mutated word put back: a message of the original
    that merely quotes the new value (`[192.0.2.1]:tcp:256: no scheduler
    set`) is not news."""
    if not subst:
        return msg
    old, new = subst
    return re.sub(r"(?<![\w.])" + re.escape(new) + r"(?!\w|\.\w)", old, msg)


def news(msgs, base, subst):
    """The messages of `msgs` (a Counter) beyond those of `base`, a
    message also matching when it only quotes the mutated value."""
    left = base.copy()
    out = collections.Counter()
    for m in msgs.elements():
        for cand in (m, undo(m, subst)):
            if left[cand] > 0:
                left[cand] -= 1
                break
        else:
            out[m] += 1
    return out


def known(verdict, text):
    for v, rx, reason in KNOWN:
        if v == verdict and re.search(rx, text):
            return reason
    return None


def run(cases, work, tag):
    """Writes and judges the cases; returns (count, agree, [(verdict, text)])."""
    jobs = []  # (base_path, mutant_path, name, desc, subst)
    bases = []
    for n, (base, name, muts) in enumerate(cases):
        bp = os.path.join(work, f"{tag}{n:04d}.conf")
        with open(bp, "w") as f:
            f.write(base)
        bases.append(bp)
        for j, (text, desc, subst) in enumerate(muts):
            mp = os.path.join(work, f"{tag}{n:04d}-{j:03d}.conf")
            with open(mp, "w") as f:
                f.write(text)
            jobs.append((bp, mp, name, desc, subst))
    files = bases + [j[1] for j in jobs]
    ka = keepalived(files)
    with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS * 2) as ex:
        kc = dict(zip(files, ex.map(kac, files)))
    agree, found = 0, []
    for bp, mp, name, desc, subst in jobs:
        if mp not in ka or bp not in ka:
            continue
        (b_code, b_msgs), (k_code, k_msgs) = ka[bp], ka[mp]
        k_new = news(k_msgs, b_msgs, subst)
        new_ka = k_new or (k_code not in ("0", b_code))
        new_kac = kc[mp][0] - kc[bp][0]
        new_err = kc[mp][1] - kc[bp][1]
        label = f"{name}: {desc} [{os.path.basename(mp)}]"
        if new_ka and not new_kac:
            # Only messages of the original said once more: a doubled flag.
            again = " (repeated)" if k_new and all(b_msgs[m] for m in k_new) else ""
            found.append(("MISS", f"{label}: keepalived says{again} {sorted(k_new) or k_code}"))
        elif not new_ka and new_err:
            found.append(("STRICTER", f"{label}: kac says {sorted(new_err)}"))
        else:
            agree += 1
    return len(jobs), agree, found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["all", "corpus", "keywords"], default="all")
    ap.add_argument("--count", type=int, default=200, help="corpus mutants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default=None)
    ap.add_argument("--max-misses", type=int, default=0)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="list every known difference")
    a = ap.parse_args()
    if os.geteuid() != 0 or not os.path.exists("/usr/sbin/keepalived") or not os.path.exists(SANDBOX):
        print("differential: needs root, /usr/sbin/keepalived and ../shared/corpus; skipped")
        return 0
    if not os.path.exists(KAC):
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "kac-compiler"], cwd=ROOT, check=True)
    rng = random.Random(a.seed)
    # kt_sandbox remounts /tmp; keep the files elsewhere.
    # kt_sandbox mounts a fresh /tmp: mutants must live elsewhere, and the
    # checkout itself may be under /tmp. /var/tmp stays visible.
    base = os.path.join(ROOT, "target")
    if os.path.realpath(ROOT).startswith("/tmp/"):
        base = "/var/tmp"
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kac-diff-", dir=base)
    try:
        total, agree, found = 0, 0, []
        if a.mode in ("all", "corpus"):
            cases = corpus_cases(50 if a.quick else a.count, rng)
            n, ok, f = run(cases, work, "c")
            print(f"differential corpus: {n} mutants of {len(cases)} configs (seed {a.seed})")
            total, agree, found = total + n, agree + ok, found + f
        if a.mode in ("all", "keywords"):
            cases = keyword_cases(a.only)
            if a.quick:
                # ~100 mutants: one per sampled row, rows and mutants by seed.
                cases = rng.sample(cases, min(100, len(cases)))
                cases = [(b, nm, [rng.choice(m)]) for b, nm, m in cases]
            n, ok, f = run(cases, work, "k")
            print(f"differential keywords: {n} mutants of {len(cases)} table rows")
            total, agree, found = total + n, agree + ok, found + f
        misses = [t for v, t in found if v == "MISS" and not known(v, t)]
        stricter = [t for v, t in found if v == "STRICTER" and not known(v, t)]
        deliberate = [(v, t, known(v, t)) for v, t in found if known(v, t)]
        print(f"differential: {total} mutants: {agree} agree, {len(misses)} kac misses, "
              f"{len(stricter)} kac stricter, {len(deliberate)} known differences")
        for m in misses:
            print("  MISS     " + m)
        for s in stricter:
            print("  STRICTER " + s)
        reasons = {}
        for v, t, why in deliberate:
            reasons.setdefault((v, why), []).append(t)
        for (v, why), ts in reasons.items():
            print(f"  known    {len(ts):4d} {v.lower()}: {why}")
            for t in (ts if a.verbose else ts[:1]):
                print(f"             e.g. {t}")
        if a.keep:
            print(f"mutants kept in {work}")
        return 1 if len(misses) > a.max_misses or stricter else 0
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
