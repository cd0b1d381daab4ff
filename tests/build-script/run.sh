#!/usr/bin/env bash
# The root build script's contract, checked with real cargo builds:
#   1. an invalid KAC_CONFIG fails the build with the diagnostics
#      `kac check` prints for it;
#   2. editing a file the config includes, or adding one that its
#      include glob matches, rebuilds the tables; an unrelated file
#      does not;
#   3. KAC_SITE names the site (`kacd --version` prints it).
# Uses its own copy of the lexer fixture in a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/../.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cargo build -q -p kac-compiler --bin kac
kac=target/debug/kac

# 1. Invalid config: same diagnostics as kac check.
bad=compiler/tests/diag/K0205.conf
[ -f "$bad" ] || fail "missing $bad"
"$kac" check "$PWD/$bad" >"$tmp/check.out" 2>&1 && fail "kac check accepted $bad"
if KAC_CONFIG="$PWD/$bad" cargo build -q -p kacd >"$tmp/build.out" 2>&1; then
    fail "the build accepted $bad"
fi
# Every line kac check printed appears in the build's output, in order.
python3 - "$tmp/check.out" "$tmp/build.out" <<'PY'
import sys
# The per-file summary line is kac's own; the diagnostics must match.
want = [l for l in open(sys.argv[1]).read().splitlines()
        if l.strip() and not l.startswith("kac: ")]
# cargo indents a build script's stderr by two spaces.
got = [l[2:] if l.startswith("  ") else l
       for l in open(sys.argv[2]).read().splitlines()]
i = 0
for line in got:
    if i < len(want) and line.rstrip() == want[i].rstrip():
        i += 1
if i != len(want):
    sys.exit(f"build output lacks kac check line {i + 1}: {want[i]!r}")
PY
grep -q "has errors" "$tmp/build.out" || fail "no summary line"
echo "ok: invalid config fails the build with kac check's diagnostics"

# 2. Rebuilds follow the files the config reads.
cp -r fixtures/lexer "$tmp/site"
build() {
    KAC_CONFIG="$tmp/site/keepalived.conf" KAC_SITE=lexer-copy \
        cargo build -p kacd -v 2>&1
}
ran_build_script() { grep -q "Running .*build/kacd-[0-9a-f]*/build-script-build" <<<"$1"; }
build >/dev/null
out=$(build)
ran_build_script "$out" && fail "a no-op rebuild ran the build script"
sleep 1
touch "$tmp/site/parts/10-scripts.conf"
out=$(build)
ran_build_script "$out" || fail "editing an included file did not rebuild"
sleep 1
cp "$tmp/site/parts/10-scripts.conf" "$tmp/site/parts/20-extra.conf"
sed -i 's/^/# /' "$tmp/site/parts/20-extra.conf"
out=$(build)
ran_build_script "$out" || fail "a new file under an include glob did not rebuild"
echo "ok: included files and glob directories rebuild the tables"

# 3. KAC_SITE names the site.
target/debug/kacd --version | grep -q "lexer-copy" \
    || fail "kacd --version does not name site lexer-copy: $(target/debug/kacd --version)"
echo "ok: KAC_SITE names the site"

# Leave the default site built, as the rest of the tests expect.
cargo build -q -p kacd
