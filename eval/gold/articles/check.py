#!/usr/bin/env python3
"""Check the hand-made gold set for the article/boilerplate stage.

For every row of index.tsv:
  * the row is well formed (known corpus, unique gold_id, ISO date or empty, record where needed);
  * bodies/<gold_id>.txt exists and is not empty;
  * the source is read the way the pipeline gets it (plain file; JSON array -> record whose
    attrs.newid == record -> its `body`; CSV -> row whose `link` == record -> its `body`);
  * the body's non-space characters form a subsequence of the source's non-space characters
    (i.e. the body was made only by deleting text);
  * light metadata consistency checks (warnings only).
Prints, per article, how many non-space source characters the gold body keeps.

Usage: python3 check.py [--shared DIR] [--quiet]
DIR is the shared/ folder (default: $READOUT_SHARED, else the first `shared` folder found
beside one of this file's parent folders, e.g. /work/shared).
Exit status 0 when clean, 1 otherwise. Python 3 standard library only.
"""
import argparse
import csv
import datetime as dt
import html
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = ['gold_id', 'corpus', 'source', 'record', 'title', 'authors', 'credits', 'outlet', 'published', 'notes']
CORPORA = {'seeds', 'bbc', 'reuters21578', 'press-releases', 'polnear'}

# Unicode White_Space (the same set as Rust's char::is_whitespace), so a Rust scorer agrees.
WHITE = set('\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000') | {chr(c) for c in range(0x2000, 0x200B)}


def nonspace(text):
    return ''.join(ch for ch in text if ch not in WHITE)


def find_shared(arg):
    if arg:
        return arg
    env = os.environ.get('READOUT_SHARED')
    if env:
        return env
    d = HERE
    while True:
        cand = os.path.join(d, 'shared')
        if os.path.isdir(os.path.join(cand, 'corpus')):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return '/work/shared'
        d = parent


class SourceCache:
    def __init__(self, shared):
        self.shared = shared
        self.json = {}
        self.csv = {}

    def get(self, source, record):
        """Return (text, metadata dict) of the record as given to the pipeline."""
        path = os.path.join(self.shared, source)
        if source.endswith('.json'):
            if path not in self.json:
                with open(path, encoding='utf-8') as f:
                    data = json.load(f)
                self.json[path] = {d['attrs']['newid']: d for d in data}
            d = self.json[path].get(record)
            if d is None:
                raise KeyError(f'no record with attrs.newid={record!r} in {source}')
            if not d.get('body'):
                raise KeyError(f'record {record} in {source} has no body')
            return d['body'], d
        if source.endswith('.csv'):
            if path not in self.csv:
                csv.field_size_limit(sys.maxsize)
                with open(path, encoding='utf-8', newline='') as f:
                    self.csv[path] = {r['link']: r for r in csv.DictReader(f)}
            r = self.csv[path].get(record)
            if r is None:
                raise KeyError(f'no row with link={record!r} in {source}')
            return r['body'], r
        with open(path, 'rb') as f:
            raw = f.read()
        try:
            return raw.decode('utf-8'), {}
        except UnicodeDecodeError:
            # e.g. corpus/bbc/sport/199.txt; the pipeline is expected to decode lossily
            return raw.decode('utf-8', errors='replace'), {'lossy': True}


def subsequence_failure(needle, hay):
    """None if needle is a subsequence of hay, else the index in needle where matching fails."""
    j = 0
    n = len(hay)
    for i, ch in enumerate(needle):
        j = hay.find(ch, j)
        if j < 0:
            return i
        j += 1
    return None


def reuters_date(s):
    return dt.datetime.strptime(s.strip().split()[0], '%d-%b-%Y').date().isoformat()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--shared', help='path of the shared/ folder')
    ap.add_argument('--quiet', action='store_true', help='print only problems and the summary')
    args = ap.parse_args()
    shared = find_shared(args.shared)
    src = SourceCache(shared)
    errors, warnings = [], []

    index_path = os.path.join(HERE, 'index.tsv')
    with open(index_path, encoding='utf-8', newline='') as f:
        lines = f.read().split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    if not lines or lines[0].split('\t') != HEADER:
        print(f'ERROR index.tsv header must be: {chr(9).join(HEADER)}')
        return 1
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split('\t')
        if len(cells) != len(HEADER):
            errors.append(f'index.tsv line {n}: {len(cells)} fields, expected {len(HEADER)}')
            continue
        rows.append(dict(zip(HEADER, cells)))

    seen = set()
    per_corpus = {}
    if not args.quiet:
        print(f'{"gold_id":62s} {"kept":>6s} {"source":>6s} {"share":>6s}')
    for r in rows:
        gid = r['gold_id']
        where = f'{gid}:'
        if not re.fullmatch(r'[A-Za-z0-9._-]+', gid):
            errors.append(f'{where} gold_id has characters other than [A-Za-z0-9._-]')
        if gid in seen:
            errors.append(f'{where} duplicate gold_id')
        seen.add(gid)
        if r['corpus'] not in CORPORA:
            errors.append(f'{where} unknown corpus {r["corpus"]!r}')
        if r['published'] and not re.fullmatch(r'\d{4}-\d{2}-\d{2}', r['published']):
            errors.append(f'{where} published {r["published"]!r} is not YYYY-MM-DD')
        if r['source'].endswith(('.json', '.csv')) and not r['record']:
            errors.append(f'{where} JSON/CSV source needs a record')
        if not r['notes'].strip():
            warnings.append(f'{where} empty notes')
        for k in ('authors', 'credits'):
            if r[k] and (r[k] != r[k].strip() or ';;' in r[k] or re.search(r';(?! )', r[k])):
                errors.append(f'{where} {k} must be "; "-separated: {r[k]!r}')

        body_path = os.path.join(HERE, 'bodies', gid + '.txt')
        if not os.path.isfile(body_path):
            errors.append(f'{where} missing bodies/{gid}.txt')
            continue
        with open(body_path, encoding='utf-8') as f:
            body = f.read()
        try:
            text, meta = src.get(r['source'], r['record'])
        except (OSError, KeyError, ValueError) as e:
            errors.append(f'{where} cannot read source: {e}')
            continue
        if meta.get('lossy'):
            warnings.append(f'{where} source is not valid UTF-8, decoded with U+FFFD replacements')
        b, s = nonspace(body), nonspace(text)
        if not b:
            errors.append(f'{where} empty body')
            continue
        fail = subsequence_failure(b, s)
        if fail is not None:
            ctx = b[max(0, fail - 40):fail] + '⟦' + b[fail:fail + 40] + '⟧'
            errors.append(f'{where} body is not a subsequence of the source (non-space chars); '
                          f'first unmatched body char #{fail}: ...{ctx}')
        share = len(b) / len(s) if s else 0.0
        pc = per_corpus.setdefault(r['corpus'], [0, 0, 0])
        pc[0] += 1
        pc[1] += len(b)
        pc[2] += len(s)
        if not args.quiet:
            print(f'{gid:62s} {len(b):6d} {len(s):6d} {share:6.1%}')

        # metadata consistency (warnings only)
        if r['corpus'] == 'reuters21578' and meta:
            if r['published'] and meta.get('date') and reuters_date(meta['date']) != r['published']:
                warnings.append(f'{where} published {r["published"]} != record date {meta["date"]}')
            if meta.get('title') is not None and html.unescape(meta['title']) != r['title']:
                warnings.append(f'{where} title differs from the record title {meta["title"]!r}')
        if r['corpus'] == 'press-releases' and meta:
            if r['published'] and meta.get('date', '')[:10] != r['published']:
                warnings.append(f'{where} published {r["published"]} != record date {meta.get("date")}')
            if meta.get('headline') is not None and meta['headline'].strip() != r['title']:
                warnings.append(f'{where} title differs from the record headline')

    bodies_dir = os.path.join(HERE, 'bodies')
    if os.path.isdir(bodies_dir):
        for fn in sorted(os.listdir(bodies_dir)):
            if fn.endswith('.txt') and fn[:-4] not in seen:
                errors.append(f'bodies/{fn} has no row in index.tsv')

    print()
    print(f'{"corpus":16s} {"articles":>8s} {"kept":>8s} {"source":>8s} {"share":>6s}')
    for c in sorted(per_corpus):
        n, k, t = per_corpus[c]
        print(f'{c:16s} {n:8d} {k:8d} {t:8d} {k / t:6.1%}')
    tot = [sum(v[i] for v in per_corpus.values()) for i in range(3)]
    if tot[2]:
        print(f'{"all":16s} {tot[0]:8d} {tot[1]:8d} {tot[2]:8d} {tot[1] / tot[2]:6.1%}')
    for w in warnings:
        print('WARNING', w)
    for e in errors:
        print('ERROR', e)
    print('OK' if not errors else f'{len(errors)} error(s)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
