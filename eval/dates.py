#!/usr/bin/env python3
"""Score readout's `dates` table on TempEval-3 (TimeBank and AQUAINT), the
TempEval-3 way, with the shared scorer ../shared/eval/timeml.py.

  python3 eval/dates.py [--readout PATH] [--work DIR] [--shared DIR]

For each corpus: timeml.py to-jsonl turns the .tml files into JSON Lines
(id, text, date_publish = the document creation time), readout runs on them
with the default pipeline.toml, and timeml.py score compares its dates with
the gold TIMEX3 spans and values. Prints timeml.py's lines per corpus, then
one line: SUMMARY timebank_value_f1=.. timebank_relaxed_f1=.. aquaint_value_f1=.. aquaint_relaxed_f1=..
Needs the duckdb package (scripts/test.sh installs it in .venv)."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readout", default=os.path.join(REPO, "target", "release", "readout"))
    parser.add_argument("--work", help="keep inputs and outputs here (default: a temporary folder)")
    parser.add_argument("--shared", default=os.environ.get("READOUT_SHARED", os.path.join(REPO, "..", "shared")))
    args = parser.parse_args()
    if not os.path.exists(args.readout):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
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
            subprocess.run([args.readout, "run", "--quiet", "--config", os.path.join(REPO, "pipeline.toml"),
                            "--corpus", corpus, "--out", out], check=True)
            scored = subprocess.run([sys.executable, timeml, "score", gold, out], check=True,
                                    capture_output=True, text=True).stdout
            print(f"== {name}")
            print(scored.rstrip())
            m = re.search(r"SUMMARY value_f1=([\d.]+) relaxed_f1=([\d.]+)", scored)
            summary += [f"{name.lower()}_value_f1={m.group(1)}", f"{name.lower()}_relaxed_f1={m.group(2)}"]
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print("SUMMARY " + " ".join(summary))


if __name__ == "__main__":
    main()
