#!/usr/bin/env python3
"""Validate the person-mention gold set (mentions.tsv, articles.tsv, clusters.tsv).

Re-reads every source text, checks that each annotated surface equals the
text slice [char_start:char_end] (Python code-point offsets, end exclusive),
that spans inside one article do not overlap, that every article listed in
articles.tsv has mentions (and every mention belongs to a listed article),
that every cluster key is declared in clusters.tsv, and prints per-article
mention and cluster counts plus totals.

Usage:  python3 check.py [--shared /work/shared] [--quiet]
Exit status 0 when clean, 1 when any problem was found.  Python 3 stdlib only.
"""
import argparse
import collections
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MENTION_COLS = ["gold_id", "source", "record", "char_start", "char_end", "surface", "cluster", "kind"]
ARTICLE_COLS = ["gold_id", "source", "record", "published", "title"]
CLUSTER_COLS = ["cluster", "name", "note"]
KINDS = {"name", "description"}
GOLD_ID_RE = re.compile(r"^(seed-\d{3}|putin-\d+|zelensky-\d+)$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def read_tsv(path, cols, problems):
    """Read a tab-separated file with a header; no quoting (fields never contain tabs)."""
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != cols:
        problems.append("%s: header must be %s" % (os.path.basename(path), "\t".join(cols)))
        return rows
    for n, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) != len(cols):
            problems.append("%s:%d: expected %d fields, got %d" % (os.path.basename(path), n, len(cols), len(parts)))
            continue
        row = dict(zip(cols, parts))
        row["_line"] = n
        rows.append(row)
    return rows


class Sources:
    """Loads article texts exactly as the annotation offsets expect them."""

    def __init__(self, shared):
        self.shared = shared
        self.files = {}
        self.csvs = {}

    def text(self, source, record):
        path = os.path.join(self.shared, source)
        if source.endswith(".csv"):
            if source not in self.csvs:
                csv.field_size_limit(sys.maxsize)
                with open(path, encoding="utf-8", newline="") as f:
                    rows = list(csv.DictReader(f))
                by_link = collections.defaultdict(list)
                for i, r in enumerate(rows):
                    by_link[r["link"]].append((i, r))
                self.csvs[source] = by_link
            hits = self.csvs[source].get(record, [])
            if len(hits) != 1:
                raise KeyError("%d rows with link %r in %s" % (len(hits), record, source))
            return hits[0][1]["body"], hits[0]
        if record:
            raise KeyError("plain-text source %s must have an empty record" % source)
        if source not in self.files:
            with open(path, encoding="utf-8", newline="") as f:
                self.files[source] = f.read()
        return self.files[source], None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get("READOUT_SHARED", "/work/shared"),
                    help="directory the `source` paths are relative to (default /work/shared)")
    ap.add_argument("--quiet", action="store_true", help="print only problems and totals")
    args = ap.parse_args()

    problems = []
    mentions = read_tsv(os.path.join(HERE, "mentions.tsv"), MENTION_COLS, problems)
    articles = read_tsv(os.path.join(HERE, "articles.tsv"), ARTICLE_COLS, problems)
    clusters = read_tsv(os.path.join(HERE, "clusters.tsv"), CLUSTER_COLS, problems)
    src = Sources(args.shared)

    declared = {}
    for c in clusters:
        if c["cluster"] in declared:
            problems.append("clusters.tsv:%d: duplicate cluster %s" % (c["_line"], c["cluster"]))
        if not KEY_RE.match(c["cluster"]):
            problems.append("clusters.tsv:%d: malformed key %r" % (c["_line"], c["cluster"]))
        declared[c["cluster"]] = c

    art_by_id = {}
    for a in articles:
        gid = a["gold_id"]
        if not GOLD_ID_RE.match(gid):
            problems.append("articles.tsv:%d: malformed gold_id %r" % (a["_line"], gid))
        if gid in art_by_id:
            problems.append("articles.tsv:%d: duplicate gold_id %s" % (a["_line"], gid))
        art_by_id[gid] = a
        try:
            _, row = src.text(a["source"], a["record"])
        except (KeyError, OSError) as e:
            problems.append("articles.tsv:%d: %s: cannot load source: %s" % (a["_line"], gid, e))
            continue
        if row is not None:
            idx, r = row
            prefix = "putin" if a["source"].endswith("putin.csv") else "zelensky"
            if gid != "%s-%d" % (prefix, idx):
                problems.append("articles.tsv:%d: %s should be %s-%d (CSV row index)" % (a["_line"], gid, prefix, idx))
            if a["title"] != r["headline"]:
                problems.append("articles.tsv:%d: %s: title differs from CSV headline" % (a["_line"], gid))
            if a["published"] != r["date"][:10]:
                problems.append("articles.tsv:%d: %s: published differs from CSV date" % (a["_line"], gid))

    by_article = collections.defaultdict(list)
    used = set()
    for m in mentions:
        where = "mentions.tsv:%d" % m["_line"]
        gid = m["gold_id"]
        a = art_by_id.get(gid)
        if a is None:
            problems.append("%s: gold_id %s not in articles.tsv" % (where, gid))
            continue
        if (m["source"], m["record"]) != (a["source"], a["record"]):
            problems.append("%s: source/record differ from articles.tsv for %s" % (where, gid))
            continue
        if m["kind"] not in KINDS:
            problems.append("%s: kind must be name or description, got %r" % (where, m["kind"]))
        if m["cluster"] not in declared:
            problems.append("%s: cluster %r not declared in clusters.tsv" % (where, m["cluster"]))
        used.add(m["cluster"])
        try:
            s, e = int(m["char_start"]), int(m["char_end"])
        except ValueError:
            problems.append("%s: non-integer offsets" % where)
            continue
        try:
            text, _ = src.text(a["source"], a["record"])
        except (KeyError, OSError) as ex:
            problems.append("%s: cannot load source: %s" % (where, ex))
            continue
        if not (0 <= s < e <= len(text)):
            problems.append("%s: offsets %d..%d outside text of length %d" % (where, s, e, len(text)))
            continue
        if text[s:e] != m["surface"]:
            problems.append("%s: surface %r != text slice %r" % (where, m["surface"], text[s:e]))
        if m["surface"] != m["surface"].strip():
            problems.append("%s: surface has leading/trailing whitespace" % where)
        by_article[gid].append((s, e, m))

    for gid, ms in by_article.items():
        ms.sort(key=lambda t: (t[0], t[1]))
        for (s1, e1, m1), (s2, e2, m2) in zip(ms, ms[1:]):
            if s2 < e1:
                problems.append("%s: overlapping spans %d-%d %r (line %d) and %d-%d %r (line %d)" % (
                    gid, s1, e1, m1["surface"], m1["_line"], s2, e2, m2["surface"], m2["_line"]))

    for gid in art_by_id:
        if not by_article.get(gid):
            problems.append("articles.tsv: %s has no mentions" % gid)
    for k in sorted(set(declared) - used):
        problems.append("clusters.tsv: cluster %s is declared but never used" % k)

    # Report.
    kinds = collections.Counter(m["kind"] for m in mentions)
    cluster_articles = collections.defaultdict(set)
    for m in mentions:
        cluster_articles[m["cluster"]].add(m["gold_id"])
    if not args.quiet:
        print("%-14s %8s %6s %8s %5s" % ("gold_id", "mentions", "names", "descr", "clusters"))
        for gid in art_by_id:
            ms = [t[2] for t in by_article.get(gid, [])]
            n_name = sum(1 for m in ms if m["kind"] == "name")
            print("%-14s %8d %6d %8d %5d" % (gid, len(ms), n_name, len(ms) - n_name, len({m["cluster"] for m in ms})))
    multi = sum(1 for v in cluster_articles.values() if len(v) > 1)
    print("articles %d, mentions %d (name %d, description %d), clusters %d (%d in more than one article)" % (
        len(art_by_id), len(mentions), kinds["name"], kinds["description"], len(cluster_articles), multi))
    if problems:
        print("\n%d problem(s):" % len(problems))
        for p in problems:
            print("  " + p)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
