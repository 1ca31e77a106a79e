#!/usr/bin/env python3
"""Score readout's names stage (`mentions` + `entities`) against the hand-made
person-cluster gold set in eval/gold/names/, with B-cubed precision and recall
over gold person mentions, once with the gazetteer and once without.

  python3 eval/names.py [--readout PATH] [--build] [--verbose] [--work DIR] [--shared DIR]

All gold articles (the seeds and press-release rows) go through one readout
run, so that clusters across articles are scored too. Gold offsets are into
the raw text (file content, or the CSV `body` field); they are carried into
readout's cleaned text through a character alignment (difflib), and a gold
mention is matched by the system mention that overlaps it most. A gold
mention with no system mention is a singleton cluster. System person
mentions that overlap no gold mention are counted as spurious (they do not
enter B-cubed, which is defined over the gold mentions).
The binary is target/release/readout under $CARGO_TARGET_DIR when that is
set, else under the repo; it is built when missing, and --build always
rebuilds it first. --verbose lists every gold mention that is scored wrong
(missed, lost to cleaning, split from its cluster, merged with another) with
the system mention and its context, and every spurious person mention.
Ends with: SUMMARY bcubed_f1_gazetteer=.. bcubed_p_gazetteer=.. bcubed_r_gazetteer=.. bcubed_f1_no_gazetteer=.. ..."""
import argparse
import csv
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GOLD = os.path.join(HERE, "gold", "names")
CONFIG = """[readers.csv.fields]
title = ["headline"]
text = ["body"]
published = ["date"]
url = ["link"]
"""


def read_tsv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def build_corpus(shared, corpus):
    """Writes every gold article as readout reads it; returns gold_id -> (article_id, raw text)."""
    os.makedirs(corpus, exist_ok=True)
    csv.field_size_limit(sys.maxsize)
    rows_by_file = {}
    articles = {}
    for a in read_tsv(os.path.join(GOLD, "articles.tsv")):
        src = os.path.join(shared, a["source"])
        if a["source"].endswith(".txt"):
            name = os.path.basename(src)
            shutil.copy(src, os.path.join(corpus, name))
            with open(src, encoding="utf-8", newline="") as f:
                articles[a["gold_id"]] = (name[:-4], f.read())
        else:
            if src not in rows_by_file:
                with open(src, encoding="utf-8", newline="") as f:
                    reader = csv.reader(f)
                    header = next(reader)
                    rows_by_file[src] = (header, {r[header.index("link")]: r for r in reader})
            header, rows = rows_by_file[src]
            row = rows[a["record"]]
            with open(os.path.join(corpus, a["gold_id"] + ".csv"), "w", encoding="utf-8", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(header)
                w.writerow(row)
            articles[a["gold_id"]] = (a["gold_id"] + "-000001", row[header.index("body")])
    return articles


def alignment(raw, clean):
    """raw character index -> clean character index (None where cleaning removed it)."""
    mapping = [None] * (len(raw) + 1)
    for block in difflib.SequenceMatcher(None, raw, clean, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            mapping[block.a + k] = block.b + k
    return mapping


def run(readout, work, corpus, gazetteer):
    out = os.path.join(work, "out-gazetteer" if gazetteer else "out-no-gazetteer")
    config = os.path.join(work, "names-gazetteer.toml" if gazetteer else "names-no-gazetteer.toml")
    with open(config, "w") as f:
        f.write(CONFIG + ("" if gazetteer else '\n[data]\ngazetteer = "none"\n'))
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([readout, "run", "--quiet", "--config", config, "--corpus", corpus, "--out", out], check=True)
    return out


def context(text, s, e, width=60):
    return (text[max(0, s - width):s] + "[" + text[s:e] + "]" + text[e:e + width]).replace("\n", " ")


def majority(indices, key):
    counts = {}
    for i in indices:
        counts[key(i)] = counts.get(key(i), 0) + 1
    return max(sorted(counts, key=str), key=lambda k: counts[k])


def report(assigned, details, by_gold, by_sys, texts, articles, system, matched_system):
    """Prints each wrongly scored gold mention, grouped by the kind of error."""
    rows = {"missed": [], "lost": [], "split": [], "merged": []}
    for i, ((g, sys_e), (gid, m, span, hit)) in enumerate(zip(assigned, details)):
        aid = articles[gid][0]
        text = texts.get(aid, "")
        where = f"{gid} {m['kind']:11} {m['surface']!r} ({g})"
        if span is None:
            rows["lost"].append(where)
            continue
        ctx = context(text, span[0], span[1])
        if hit is None:
            rows["missed"].append(f"{where}\n      {ctx}")
            continue
        sys_label = f"system {text[hit[0]:hit[1]]!r} -> {sys_e}"
        if majority(by_gold[g], lambda j: assigned[j][1]) != sys_e:
            rows["split"].append(f"{where}: {sys_label}\n      {ctx}")
        elif majority(by_sys[sys_e], lambda j: assigned[j][0]) != g:
            rows["merged"].append(f"{where}: {sys_label}\n      {ctx}")
    for kind, items in rows.items():
        print(f"--- {kind}: {len(items)}")
        for item in items:
            print("  " + item)
    spurious = [(aid, ms[k]) for aid, ms in system.items() for k in range(len(ms))
                if ms[k][2].startswith("person/") and (aid, k) not in matched_system]
    print(f"--- spurious: {len(spurious)}")
    for aid, (s, e, eid) in spurious:
        print(f"  {aid} {texts.get(aid, '')[s:e]!r} -> {eid}\n      {context(texts.get(aid, ''), s, e)}")


def score(out, articles, verbose=False):
    import duckdb
    con = duckdb.connect()
    texts = dict(con.execute(f"select article_id, text from read_parquet('{out}/texts.parquet')").fetchall())
    system = {}
    for aid, eid, s, e in con.execute(
            f"select article_id, entity_id, char_start, char_end from read_parquet('{out}/mentions.parquet')").fetchall():
        system.setdefault(aid, []).append((s, e, eid))
    for ms in system.values():
        ms.sort()
    gold = [m for m in read_tsv(os.path.join(GOLD, "mentions.tsv"))]
    assigned = []  # (gold cluster, system entity) per gold mention
    details = []  # (gold_id, gold mention, clean span or None, system mention or None) per gold mention
    matched_system = set()
    lost = 0
    for gid, (aid, raw) in articles.items():
        clean = texts.get(aid, "")
        mapping = alignment(raw, clean)
        for m in (m for m in gold if m["gold_id"] == gid):
            s, e = int(m["char_start"]), int(m["char_end"])
            points = [mapping[i] for i in range(s, e) if mapping[i] is not None]
            best, best_overlap = None, 0
            cs = ce = None
            if points:
                cs, ce = min(points), max(points) + 1
                for k, (ss, se, eid) in enumerate(system.get(aid, [])):
                    overlap = min(ce, se) - max(cs, ss)
                    if overlap > best_overlap:
                        best, best_overlap = (k, eid), overlap
            else:
                lost += 1
            details.append((gid, m, (cs, ce) if points else None, system[aid][best[0]] if best else None))
            if best is None:
                assigned.append((m["cluster"], ("unmatched", gid, s)))
            else:
                matched_system.add((aid, best[0]))
                assigned.append((m["cluster"], best[1]))
    spurious = sum(1 for aid, ms in system.items() for k, (_, _, eid) in enumerate(ms)
                   if eid.startswith("person/") and (aid, k) not in matched_system)
    by_gold, by_sys = {}, {}
    for i, (g, s) in enumerate(assigned):
        by_gold.setdefault(g, set()).add(i)
        by_sys.setdefault(s, set()).add(i)
    p = r = 0.0
    for g, s in assigned:
        both = len(by_gold[g] & by_sys[s])
        p += both / len(by_sys[s])
        r += both / len(by_gold[g])
    n = len(assigned)
    p, r = p / n, r / n
    f = 2 * p * r / (p + r) if p + r else 0.0
    found = sum(1 for _, s in assigned if s[0] != "unmatched")
    if verbose:
        report(assigned, details, by_gold, by_sys, texts, articles, system, matched_system)
    return {"p": p, "r": r, "f1": f, "mentions": n, "found": found, "lost": lost, "spurious": spurious}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    parser.add_argument("--readout", default=os.path.join(target, "release", "readout"))
    parser.add_argument("--build", action="store_true", help="rebuild the release binary first")
    parser.add_argument("--verbose", action="store_true", help="list every wrongly scored mention")
    parser.add_argument("--work")
    parser.add_argument("--shared", default=os.environ.get("READOUT_SHARED", os.path.join(REPO, "..", "shared")))
    args = parser.parse_args()
    if args.build or not os.path.exists(args.readout):
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    work = args.work or tempfile.mkdtemp(prefix="readout-names-")
    try:
        corpus = os.path.join(work, "corpus")
        shutil.rmtree(corpus, ignore_errors=True)
        articles = build_corpus(args.shared, corpus)
        summary = []
        for gazetteer in (True, False):
            label = "gazetteer" if gazetteer else "no_gazetteer"
            if args.verbose:
                print(f"=== {label}")
            s = score(run(args.readout, work, corpus, gazetteer), articles, args.verbose)
            print(f"{label:13} B-cubed P {s['p']:.3f} R {s['r']:.3f} F1 {s['f1']:.3f}  "
                  f"gold person mentions {s['mentions']}, found {s['found']}, in removed text {s['lost']}, "
                  f"spurious person mentions {s['spurious']}")
            summary += [f"bcubed_f1_{label}={s['f1']:.3f}", f"bcubed_p_{label}={s['p']:.3f}",
                        f"bcubed_r_{label}={s['r']:.3f}"]
        print("SUMMARY " + " ".join(summary))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
