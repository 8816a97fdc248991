# earshot iem --json / --csv (stdout or -o FILE, temp + rename): records for
# every file, failures included, that parse and agree with each other and
# with the text output; write errors leave an existing file untouched.
. "$(dirname "$0")/common.sh"
make_models
need_python

d="$work/in"
mkdir -p "$d"
make_curve "$d/a-warm.csv" warm
make_curve "$d/b-bright.csv" bright
"$EARSHOT" plot "$d/b-bright.csv" "$d/c-bright.png"
printf 'frequency,raw\n20,1\n30,nan\n' >"$d/d-bad.csv"
opts=(--model-1d "$M1" --model-2d "$M2")

run "$EARSHOT" iem "${opts[@]}" --json "$d"
expect_status 1 "--json with a bad file"
cp "$work/out" "$work/results.json"
expect_in "$work/err" "summary: 4 files, 3 classified, 1 failed"
"$PY" - "$work/results.json" "$d" <<'PYEOF' && ok "JSON records" || fail "JSON records: $(cat "$work/results.json")"
import json, math, sys
doc = json.load(open(sys.argv[1]))
d = sys.argv[2]
files = doc["files"]
assert [r["path"] for r in files] == [d + "/a-warm.csv", d + "/b-bright.csv",
                                      d + "/c-bright.png", d + "/d-bad.csv"], files
want = {"a-warm.csv": ("measurement", "tiny-iem-1d", "Warm"),
        "b-bright.csv": ("measurement", "tiny-iem-1d", "Bright"),
        "c-bright.png": ("image", "tiny-iem-2d", "Bright")}
for r in files[:3]:
    kind, model, label = want[r["path"].rsplit("/", 1)[1]]
    assert (r["kind"], r["model"], r["label"]) == (kind, model, label), r
    p = r["probabilities"]
    assert list(p) == ["Neutral", "Bright", "Warm", "V-shape"], p
    assert abs(sum(p.values()) - 1) < 1e-6, p
    assert r["confidence"] == max(p.values()) == p[r["label"]], r
    assert r["error"] is None, r
    if kind == "measurement":
        assert r["rule"]["label"] == label and math.isfinite(r["rule"]["bass_diff"]), r
    else:
        assert "rule" not in r, r
bad = files[3]
assert bad["label"] is None and bad["confidence"] is None and bad["probabilities"] is None, bad
assert bad["error"].startswith(d + "/d-bad.csv:3:") and "not a finite number" in bad["error"], bad
assert bad["kind"] == "measurement" and bad["model"] == "tiny-iem-1d", bad
s = doc["summary"]
assert (s["files"], s["classified"], s["failed"]) == (4, 3, 1), s
assert s["counts"] == {"Neutral": 0, "Bright": 2, "Warm": 1, "V-shape": 0}, s
PYEOF

# --csv to a file: the same records
run "$EARSHOT" iem "${opts[@]}" --csv -o "$work/results.csv" "$d"
expect_status 1 "--csv -o with a bad file"
[ -s "$work/out" ] && fail "--csv -o should print nothing on stdout: $(cat "$work/out")" || ok "stdout empty with -o"
"$PY" - "$work/results.csv" "$work/results.json" <<'PYEOF' && ok "CSV agrees with JSON" || fail "CSV records: $(cat "$work/results.csv")"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
doc = json.load(open(sys.argv[2]))
assert list(rows[0]) == ["path", "kind", "model", "label", "confidence", "rule", "bass_diff",
                         "treble_diff", "p_Neutral", "p_Bright", "p_Warm", "p_V-shape", "error"], list(rows[0])
assert len(rows) == len(doc["files"]) == 4
for row, rec in zip(rows, doc["files"]):
    assert row["path"] == rec["path"] and row["kind"] == rec["kind"] and row["model"] == rec["model"]
    if rec["error"]:
        assert row["label"] == "" and row["confidence"] == "" and row["p_Warm"] == ""
        assert row["error"] == rec["error"], (row, rec)
    else:
        assert row["label"] == rec["label"] and row["error"] == ""
        assert abs(float(row["confidence"]) - rec["confidence"]) < 1e-6
        for label, p in rec["probabilities"].items():
            assert abs(float(row["p_" + label]) - p) < 1e-6, (row, rec)
        if rec["kind"] == "measurement":
            assert row["rule"] == rec["rule"]["label"]
            assert abs(float(row["bass_diff"]) - rec["rule"]["bass_diff"]) < 1e-4
        else:
            assert row["rule"] == row["bass_diff"] == ""
PYEOF

# the text output says the same
run "$EARSHOT" iem "${opts[@]}" "$d"
expect_status 1 "text output"
expect_label "$d/a-warm.csv" Warm
expect_label "$d/c-bright.png" Bright

# a path with a comma and a quote is quoted in the CSV
cp "$d/a-warm.csv" "$work/we\"ird, name.csv"
run "$EARSHOT" iem "${opts[@]}" --csv "$work/we\"ird, name.csv"
expect_status 0 "--csv with an odd file name"
"$PY" -c 'import csv,sys; r = list(csv.DictReader(open(sys.argv[1]))); assert r[0]["path"].endswith("we\"ird, name.csv") and r[0]["label"] == "Warm", r' \
  "$work/out" && ok "CSV quoting" || fail "CSV quoting: $(cat "$work/out")"

# -o replaces an existing file; the text format can go to a file too
echo old >"$work/replace.json"
run "$EARSHOT" iem "${opts[@]}" --json -o "$work/replace.json" "$d/a-warm.csv"
expect_status 0 "--json -o over an existing file"
"$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["files"][0]["label"] == "Warm"' \
  "$work/replace.json" && ok "replaced with the results" || fail "replace.json: $(cat "$work/replace.json")"
run "$EARSHOT" iem "${opts[@]}" -o "$work/results.txt" "$d/a-warm.csv"
expect_status 0 "text -o"
expect_in "$work/results.txt" "a-warm.csv: Warm"
expect_in "$work/results.txt" "summary: 1 file, 1 classified, 0 failed"

# write errors: a missing folder, a file size limit (SIGXFSZ ignored so the
# write fails with EFBIG); the old file stays as it was, no temp file is left
run "$EARSHOT" iem "${opts[@]}" --json -o "$work/no-such-dir/r.json" "$d/a-warm.csv"
expect_status 1 "-o into a missing folder"
expect_in "$work/err" "cannot write $work/no-such-dir/r.json: No such file or directory"
mkdir -p "$work/limited"
echo keep >"$work/limited/r.json"
status=0
(trap '' XFSZ; ulimit -f 1; exec "$EARSHOT" iem "${opts[@]}" --json -o "$work/limited/r.json" "$d") \
  >"$work/out" 2>"$work/err" || status=$?
expect_status 1 "write error (file size limit)"
expect_in "$work/err" "cannot write $work/limited/r.json: File too large"
[ "$(cat "$work/limited/r.json")" = keep ] && ok "existing output untouched" || fail "existing output changed"
[ "$(ls "$work/limited")" = r.json ] && ok "no temporary file left" || fail "left: $(ls "$work/limited")"

# File names are not always UTF-8 and may hold control characters: the JSON
# still parses, and the terminal never gets them raw.
u="$work/names"
mkdir -p "$u"
make_curve "$u/caf$(printf '\351')-warm.csv" warm
printf 'frequency,raw\n20,1\n30,nan\n' >"$u/bad$(printf '\033')[2J.csv"
run "$EARSHOT" iem "${opts[@]}" --json "$u"
expect_status 1 "--json, names not UTF-8 and with control characters"
"$PY" - "$work/out" <<'PYEOF' && ok "JSON parses with a non-UTF-8 name" || fail "JSON: $(head -c 300 "$work/out" | od -c | head -5)"
import json, sys
doc = json.loads(open(sys.argv[1], 'rb').read().decode('utf-8'))
paths = sorted(f["path"] for f in doc["files"])
assert any("caf\ufffd-warm.csv" in p for p in paths), paths
assert any("bad\x1b[2J.csv" in p for p in paths), paths
PYEOF
run "$EARSHOT" iem "${opts[@]}" "$u"
if LC_ALL=C grep -q "$(printf '\033')" "$work/out" "$work/err"; then
  fail "a raw ESC from a file name reached the terminal"
else
  ok "control characters escaped in text output"
fi
expect_in "$work/err" 'bad\x1b[2J.csv'

finish
