#!/usr/bin/env python3
"""Score readout's `dates` table on TempEval-3 (TimeBank and AQUAINT), the
TempEval-3 way, with the shared scorer ../shared/eval/timeml.py.

  python3 eval/dates.py [--readout PATH] [--work DIR] [--shared DIR]

The default readout is $CARGO_TARGET_DIR/release/readout (target/ when the
variable is unset), brought up to date with `cargo build --release` first
(a no-op when nothing changed), so a stale binary is never scored; pass
--readout to score a given binary as it is.

For each corpus: timeml.py to-jsonl turns the .tml files into JSON Lines
(id, text, date_publish = the document creation time), readout runs on them
with the default settings but only the dates stage (`run.stages = ["dates"]`:
the gold offsets count from the document as written, so boilerplate removal,
which has its own evaluation, must not shift them), and timeml.py score compares its dates with
the gold TIMEX3 spans and values. Prints timeml.py's lines per corpus (with
--verbose, after one line per error), then
one line: SUMMARY timebank_value_f1=.. timebank_relaxed_f1=.. aquaint_value_f1=.. aquaint_relaxed_f1=..
Needs the duckdb package (scripts/test.sh installs it in .venv)."""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def list_errors(timeml_py, gold_dir, out):
    """One tab-separated line per error: kind, document, creation time, gold
    text, gold value, system text -> value, and the gold text around it."""
    import duckdb
    sys.path.insert(0, os.path.dirname(timeml_py))
    import timeml
    con = duckdb.connect()
    texts = dict(con.execute(f"select article_id, text from read_parquet('{out}/texts.parquet')").fetchall())
    pred = {}
    for aid, s, e, v in con.execute(
            f"select article_id, char_start, char_end, value from read_parquet('{out}/dates.parquet')").fetchall():
        pred.setdefault(aid, []).append((s, e, v or ""))
    for p in sorted(glob.glob(os.path.join(gold_dir, "*.tml"))):
        aid = os.path.basename(p)[:-4]
        text, dct, gold = timeml.parse(p)
        gi, t = timeml.nonspace_index(text), texts.get(aid, "")
        pi = timeml.nonspace_index(t)
        at = {}
        for ci, n in enumerate(gi):
            at.setdefault(n, ci)

        def around(ns, ne):
            a, b = at.get(ns, 0), at.get(ne, len(text))
            return (text[max(0, a - 50):a] + "[[" + text[a:b] + "]]" + text[b:b + 30]).replace("\n", " ")

        sysl = [(pi[min(a, len(t))], pi[min(b, len(t))], v, t[a:b]) for a, b, v in pred.get(aid, []) if b > a]
        gl = [(gi[a], gi[b], v, text[a:b]) for a, b, v, _ in gold if gi[b] > gi[a]]
        for gs, ge, gv, gt in gl:
            ov = [x for x in sysl if x[0] < ge and gs < x[1]]
            kind = "MISS" if not ov else "VAL" if ov[0][2] != gv else "SPAN" if ov[0][:2] != (gs, ge) else ""
            if kind:
                got = f"{ov[0][3]} -> {ov[0][2]}" if ov else ""
                print("\t".join([kind, aid, dct or "", gt, gv, got, around(gs, ge)]))
        for xs, xe, v, xt in sysl:
            if not any(g[0] < xe and xs < g[1] for g in gl):
                print("\t".join(["SPUR", aid, dct or "", "", "", f"{xt} -> {v}", around(xs, xe)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # cargo builds into $CARGO_TARGET_DIR when it is set.
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    parser.add_argument("--readout", help="binary to score (default: the repo's release build, rebuilt if stale)")
    parser.add_argument("--work", help="keep inputs and outputs here (default: a temporary folder)")
    parser.add_argument("--verbose", action="store_true",
                        help="list every error: MISS (gold not found), SPUR (not in gold), VAL (wrong value), SPAN")
    parser.add_argument("--shared", default=os.environ.get("READOUT_SHARED", os.path.join(REPO, "..", "shared")))
    args = parser.parse_args()
    if args.readout is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        args.readout = os.path.join(target, "release", "readout")
    timeml = os.path.join(args.shared, "eval", "timeml.py")
    work = args.work or tempfile.mkdtemp(prefix="readout-dates-")
    summary = []
    try:
        for name in ("TimeBank", "AQUAINT"):
            gold = os.path.join(args.shared, "eval", "tempeval3", name)
            corpus = os.path.join(work, name, "corpus")
            out = os.path.join(work, name, "out")
            os.makedirs(corpus, exist_ok=True)
            subprocess.run([sys.executable, timeml, "to-jsonl", gold, os.path.join(corpus, "docs.jsonl")], check=True)
            config = os.path.join(work, "dates-only.toml")
            with open(config, "w") as f:
                f.write('[run]\nstages = ["dates"]\n')
            subprocess.run([args.readout, "run", "--quiet", "--config", config,
                            "--corpus", corpus, "--out", out], check=True)
            scored = subprocess.run([sys.executable, timeml, "score", gold, out], check=True,
                                    capture_output=True, text=True).stdout
            print(f"== {name}")
            if args.verbose:
                list_errors(timeml, gold, out)
            print(scored.rstrip())
            m = re.search(r"SUMMARY value_f1=([\d.]+) relaxed_f1=([\d.]+)", scored)
            summary += [f"{name.lower()}_value_f1={m.group(1)}", f"{name.lower()}_relaxed_f1={m.group(2)}"]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("SUMMARY " + " ".join(summary))


if __name__ == "__main__":
    main()
