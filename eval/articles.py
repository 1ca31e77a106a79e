#!/usr/bin/env python3
"""Evaluate readout's article stage: metadata coverage and kept text against the gold set.

Usage:
    python3 eval/articles.py [--skip-coverage] [--skip-gold] [--work DIR] [--readout PATH]
                             [--build] [--shared DIR] [--verbose]

1. Coverage. Runs readout on every shared corpus with its config (seeds with pipeline.toml;
   bbc, reuters21578, press-releases and polnear (train + dev) with configs/<corpus>.toml) and
   prints, per corpus: articles, rejects, the share of articles with an outlet, a publication
   date, authors and a title, and the mean boilerplate share
   (boilerplate_chars / (chars + boilerplate_chars)). Then, per corpus, what stayed unknown:
   how many articles miss each field, with up to 5 example article ids.

2. Gold. For each article of eval/gold/articles/index.tsv, builds a small temporary corpus that
   holds exactly that input as readout would get it (the .txt file; the one Reuters record as a
   single-object <gold_id>.json; the one press-release row as a one-row <gold_id>.csv with the
   original header), runs readout on it with the corpus's config and compares:
     * kept text: texts.text against bodies/<gold_id>.txt over non-whitespace characters
       (Unicode White_Space, i.e. Rust's char::is_whitespace). matched = total size of the
       matching blocks of difflib.SequenceMatcher(None, sys, gold, autojunk=False);
       precision = matched / len(sys), recall = matched / len(gold); micro-averaged per corpus
       and overall;
     * metadata against index.tsv: title (exact after whitespace normalization), published
       (exact), outlet (by registry slug; an empty gold outlet means "should be null"), authors and
       credits as case-insensitive sets of names (micro precision / recall / F1).

3. Ends with one machine-readable line:
   SUMMARY kept_precision=.. kept_recall=.. title_acc=.. published_acc=.. outlet_acc=..
           authors_f1=.. credits_f1=..

Options:
  --skip-coverage   do not run the coverage part
  --skip-gold       do not run the gold part (the SUMMARY line then says gold=skipped)
  --work DIR        keep readout's inputs and outputs in DIR (default: a temporary folder that is
                    deleted at the end)
  --readout PATH    the readout binary (default: <repo>/target/release/readout, built with
                    `cargo build --release` when missing)
  --build           run `cargo build --release` first even if the binary exists
  --shared DIR      the shared/ folder (default: $READOUT_SHARED, else <repo>/../shared)
  --verbose         also list every metadata mismatch of the gold part (system vs gold value)

Paths are relative to this file (repo = the parent of eval/), so it runs from any directory.
Needs the `duckdb` Python package (the repo's .venv has it). Exit status 1 when readout fails.
"""
import argparse
import csv
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GOLD = os.path.join(HERE, 'gold', 'articles')
EXAMPLES = 5

# Unicode White_Space: the same set as Rust's char::is_whitespace (and gold/articles/check.py).
# (Python's str.isspace() agrees except for U+001C..U+001F, which are not White_Space.)
WHITE = frozenset('\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000') | \
    frozenset(chr(c) for c in range(0x2000, 0x200B))

# corpus -> (config file relative to the repo, corpus folder relative to shared/)
CORPORA = {
    'seeds': ('pipeline.toml', 'corpus/seeds'),
    'bbc': ('configs/bbc.toml', 'corpus/bbc'),
    'reuters21578': ('configs/reuters21578.toml', 'corpus/reuters21578'),
    'press-releases': ('configs/press-releases.toml', 'corpus/press-releases'),
    'polnear': ('configs/polnear.toml', None),  # train + dev texts, see polnear_corpus()
}
POLNEAR_SPLITS = ('eval/polnear/train/text', 'eval/polnear/dev/text')

ARTICLE_COLUMNS = ('article_id', 'source', 'outlet', 'published', 'title', 'authors', 'credits',
                   'chars', 'boilerplate_chars', 'published_problem')


# ---------------------------------------------------------------------------------------------
# running readout

def ensure_readout(path, build):
    """Return the readout binary, building it with cargo if asked or if the default is missing."""
    default = os.path.join(REPO, 'target', 'release', 'readout')
    path = os.path.abspath(path) if path else default
    if build or (path == default and not os.path.exists(path)):
        print(f'building readout: cargo build --release (in {REPO})', file=sys.stderr)
        res = subprocess.run(['cargo', 'build', '--release'], cwd=REPO)
        if res.returncode != 0:
            sys.exit('cargo build --release failed')
    if not os.access(path, os.X_OK):
        sys.exit(f'readout binary not found or not executable: {path}')
    return path


def run_readout(readout, config, corpus, out, cwd):
    """Run `readout run` on one corpus folder; return None on success, else an error message."""
    if os.path.exists(out):
        shutil.rmtree(out)
    cmd = [readout, 'run', '--quiet', '--config', config, '--corpus', corpus, '--out', out]
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if res.returncode != 0:
        return f'readout exited with {res.returncode}: {res.stderr.strip()[-2000:]}'
    if not os.path.exists(os.path.join(out, 'articles.parquet')):
        return 'readout wrote no articles.parquet'
    return None


def polnear_corpus(shared, folder):
    """A flat folder of symlinks to the PolNeAR train and dev texts.

    readout does not follow symlinked folders, so every file is linked one by one."""
    if os.path.exists(folder):
        shutil.rmtree(folder)  # a --work folder from an earlier run
    os.makedirs(folder)
    for split in POLNEAR_SPLITS:
        src = os.path.join(shared, split)
        for name in sorted(os.listdir(src)):
            link = os.path.join(folder, name)
            if os.path.lexists(link):
                print(f'warning: PolNeAR file name {name} is in more than one split', file=sys.stderr)
                continue
            os.symlink(os.path.join(src, name), link)
    return folder


def load_tables(out, with_texts=True):
    """Read articles (as a list of dicts), texts (id -> text) and rejects from an output folder."""
    import duckdb
    con = duckdb.connect()
    p = lambda t: os.path.join(out, t + '.parquet').replace("'", "''")
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{p('articles')}'").fetchall()}
    cols = [c if c in present else f'NULL AS {c}' for c in ARTICLE_COLUMNS]  # tolerate a missing column
    cur = con.execute(f"SELECT {', '.join(cols)} FROM '{p('articles')}' ORDER BY article_id")
    names = [d[0] for d in cur.description]
    articles = [dict(zip(names, row)) for row in cur.fetchall()]
    texts = {}
    if with_texts and os.path.exists(p('texts')):
        texts = dict(con.execute(f"SELECT article_id, text FROM '{p('texts')}'").fetchall())
    rejects = []
    if os.path.exists(p('rejects')):
        rejects = con.execute(f"SELECT source, reason FROM '{p('rejects')}' ORDER BY source").fetchall()
    con.close()
    return articles, texts, rejects


# ---------------------------------------------------------------------------------------------
# small helpers

def nonspace(text):
    return ''.join(ch for ch in (text or '') if ch not in WHITE)


def norm_ws(s):
    return ' '.join((s or '').split())


def ratio(num, den):
    return num / den if den else None


def fmt(x, pct=False, digits=3):
    if x is None:
        return 'n/a'
    return f'{100 * x:.1f}%' if pct else f'{x:.{digits}f}'


def print_table(header, rows, left=1):
    """Print rows as a plain-text table; the first `left` columns are left-aligned."""
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for n, r in enumerate(cells):
        print('  '.join(c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            print('  '.join('-' * w for w in widths))


# ---------------------------------------------------------------------------------------------
# part 1: coverage

MISSING = {
    'outlet': lambda a: not (a['outlet'] or '').strip(),
    'published': lambda a: a['published'] is None,
    'authors': lambda a: not a['authors'],
    'title': lambda a: not (a['title'] or '').strip(),
}


def boilerplate_share(a):
    bp, ch = a['boilerplate_chars'], a['chars']
    if bp is None or ch is None:
        return None
    return bp / (bp + ch) if bp + ch else 0.0


def coverage(readout, shared, work):
    """Run readout on every shared corpus and report field coverage. Return False on a failure."""
    print('== Coverage: readout on the shared corpora')
    ok = True
    results = {}
    for name, (config, folder) in CORPORA.items():
        if folder is None:
            corpus = polnear_corpus(shared, os.path.join(work, 'coverage', 'input', name))
        else:
            corpus = os.path.join(shared, folder)
        out = os.path.join(work, 'coverage', 'out', name)
        err = run_readout(readout, os.path.join(REPO, config), corpus, out, cwd=work)
        if err:
            print(f'{name}: FAILED: {err}')
            ok = False
            continue
        articles, _, rejects = load_tables(out, with_texts=False)
        results[name] = (articles, rejects)

    rows = []
    for name, (articles, rejects) in results.items():
        n = len(articles)
        have = {f: sum(1 for a in articles if not miss(a)) for f, miss in MISSING.items()}
        shares = [s for s in map(boilerplate_share, articles) if s is not None]
        rows.append([name, n, len(rejects)]
                    + [fmt(ratio(have[f], n), pct=True) for f in ('outlet', 'published', 'authors', 'title')]
                    + [fmt(sum(shares) / len(shares), pct=True) if shares else 'n/a'])
    print()
    print_table(['corpus', 'articles', 'rejects', 'outlet', 'published', 'authors', 'title',
                 'boilerplate'], rows)
    print('(boilerplate = mean of boilerplate_chars / (chars + boilerplate_chars) over articles '
          'where it is set; n/a = null everywhere)')

    print()
    print('What stayed unknown (articles missing each field, with up to '
          f'{EXAMPLES} example article ids):')
    for name, (articles, rejects) in results.items():
        print(f'\n{name} ({len(articles)} articles)')
        for field, miss in MISSING.items():
            ids = [a['article_id'] for a in articles if miss(a)]
            if ids:
                print(f'  {field:17s} {len(ids):6d}  e.g. {", ".join(ids[:EXAMPLES])}')
            if field == 'published':
                problems = [a for a in articles if miss(a) and a['published_problem']]
                if problems:
                    print(f'  {"":17s} {len(problems):6d}  with a published_problem, e.g. '
                          f'{problems[0]["article_id"]}: {problems[0]["published_problem"]}')
        nulls = [a['article_id'] for a in articles if a['boilerplate_chars'] is None]
        if nulls:
            print(f'  {"boilerplate_chars":17s} {len(nulls):6d}  null, e.g. {", ".join(nulls[:EXAMPLES])}')
        if rejects:
            reasons = {}
            for source, reason in rejects:
                reasons.setdefault(reason, []).append(source)
            for reason, sources in sorted(reasons.items(), key=lambda kv: -len(kv[1]))[:EXAMPLES]:
                print(f'  {"rejected":17s} {len(sources):6d}  {reason} (e.g. {", ".join(sources[:3])})')
    print()
    return ok


# ---------------------------------------------------------------------------------------------
# part 2: gold

def read_index():
    """Rows of gold/articles/index.tsv as dicts (tab-separated, no quoting)."""
    with open(os.path.join(GOLD, 'index.tsv'), encoding='utf-8', newline='') as f:
        lines = [l.rstrip('\r') for l in f.read().split('\n') if l.strip()]
    header = lines[0].split('\t')
    return [dict(zip(header, l.split('\t'))) for l in lines[1:]]


class Sources:
    """Reads Reuters records and press-release rows from the shared corpora (cached per file)."""

    def __init__(self, shared):
        self.shared = shared
        self.json = {}
        self.csv = {}

    def reuters_record(self, source, newid):
        path = os.path.join(self.shared, source)
        if path not in self.json:
            with open(path, encoding='utf-8') as f:
                self.json[path] = {str(d.get('attrs', {}).get('newid')): d for d in json.load(f)}
        return self.json[path][newid]

    def csv_row(self, source, link):
        """Return (header, row as a list) of the CSV row whose `link` is `link`."""
        path = os.path.join(self.shared, source)
        if path not in self.csv:
            csv.field_size_limit(sys.maxsize)
            with open(path, encoding='utf-8', newline='') as f:
                reader = csv.reader(f)
                header = next(reader)
                k = header.index('link')
                self.csv[path] = (header, {r[k]: r for r in reader})
        header, rows = self.csv[path]
        return header, rows[link]


def place_gold_input(row, sources, shared, corpus_dir):
    """Write one gold article's input into corpus_dir; return (expected article id, file name)."""
    gid, kind, source, record = row['gold_id'], row['corpus'], row['source'], row['record']
    if kind == 'reuters21578':
        name = gid + '.json'
        rec = sources.reuters_record(source, record)
        with open(os.path.join(corpus_dir, name), 'w', encoding='utf-8') as f:
            json.dump(rec, f, ensure_ascii=False)
        # configs/reuters21578.toml takes the id from the record (attrs.newid),
        # not from the file name.
        return str(rec.get('attrs', {}).get('newid', gid)), name
    if kind == 'press-releases':
        name = gid + '.csv'
        header, values = sources.csv_row(source, record)
        with open(os.path.join(corpus_dir, name), 'w', encoding='utf-8', newline='') as f:
            w = csv.writer(f, lineterminator='\n')
            w.writerow(header)
            w.writerow(values)
        return f'{gid}-000001', name
    # plain text: keep the file name (bbc: <section>/<nnn>.txt)
    if kind == 'bbc':
        name = os.path.join(*source.split('/')[-2:])
    else:
        name = os.path.basename(source)
    dest = os.path.join(corpus_dir, name)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(os.path.join(shared, source), dest)
    return os.path.splitext(name)[0].replace(os.sep, '/'), name


def find_article(by_id, by_source, expected_id, name):
    """The article for a gold input: by its expected id, else by its source file."""
    if expected_id in by_id:
        return by_id[expected_id], None
    cands = by_source.get(name.replace(os.sep, '/'), [])
    if len(cands) == 1:
        return cands[0], f'id is {cands[0]["article_id"]!r}, expected {expected_id!r}'
    if cands:
        return None, f'{len(cands)} articles from {name}, none with id {expected_id!r}'
    return None, f'no article with id {expected_id!r} or from {name}'


def kept_score(sys_text, gold_text):
    """(matched, sys chars, gold chars) over non-whitespace characters."""
    s, g = nonspace(sys_text), nonspace(gold_text)
    sm = difflib.SequenceMatcher(None, s, g, autojunk=False)
    matched = sum(b.size for b in sm.get_matching_blocks())
    return matched, len(s), len(g)


def load_outlet_keys():
    """Every outlet name, slug and variant of data/outlets.tsv -> its slug, so that
    `AFP` and `Agence France-Presse`, or `Kremlin` and the registry's longer name,
    compare equal."""
    keys = {}
    with open(os.path.join(REPO, 'data', 'outlets.tsv'), encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip() or line.startswith('slug\t'):
                continue
            cells = line.rstrip('\n').split('\t')
            slug = cells[0].strip()
            names = [cells[0], cells[1]] + (cells[5].split(';') if len(cells) > 5 else [])
            for n in names:
                keys.setdefault(norm_ws(n).casefold(), slug)
    return keys


OUTLET_KEYS = None


def outlet_key(name):
    """The registry slug a name stands for, else the name itself (casefolded)."""
    global OUTLET_KEYS
    if OUTLET_KEYS is None:
        OUTLET_KEYS = load_outlet_keys()
    key = norm_ws(name).casefold()
    return OUTLET_KEYS.get(key, key)


def name_set(names):
    return {outlet_key(n) for n in (names or []) if norm_ws(n)}


def gold_names(field):
    return {outlet_key(n) for n in field.split(';') if norm_ws(n)}


class Tally:
    """Micro-averaged counts for one group of gold articles."""

    def __init__(self):
        self.n = 0
        self.matched = self.sys = self.gold = 0
        self.exact = {'title': 0, 'published': 0, 'outlet': 0}
        self.sets = {k: [0, 0, 0] for k in ('authors', 'credits')}  # tp, sys, gold

    def add(self, r):
        self.n += 1
        self.matched += r['matched']
        self.sys += r['sys']
        self.gold += r['gold']
        for k in self.exact:
            self.exact[k] += r[k]
        for k, v in self.sets.items():
            for i in range(3):
                v[i] += r[k][i]

    def precision(self):
        return ratio(self.matched, self.sys)

    def recall(self):
        return ratio(self.matched, self.gold)

    def acc(self, k):
        return ratio(self.exact[k], self.n)

    def prf(self, k):
        tp, s, g = self.sets[k]
        f1 = 2 * tp / (s + g) if s + g else 1.0  # nothing to find and nothing found: perfect
        return ratio(tp, s), ratio(tp, g), f1


def score_article(row, art, text):
    """Score one gold article against the system's article row (None if missing) and text."""
    with open(os.path.join(GOLD, 'bodies', row['gold_id'] + '.txt'), encoding='utf-8') as f:
        body = f.read()
    matched, n_sys, n_gold = kept_score(text or '', body)
    art = art or {}
    published = art.get('published')
    sys_vals = {
        'title': norm_ws(art.get('title')),
        'published': published.isoformat() if published is not None else '',
        'outlet': norm_ws(art.get('outlet')),
    }
    gold_vals = {'title': norm_ws(row['title']), 'published': row['published'].strip(),
                 'outlet': norm_ws(row['outlet'])}
    r = {'matched': matched, 'sys': n_sys, 'gold': n_gold, 'sys_vals': sys_vals,
         'gold_vals': gold_vals}
    r['title'] = sys_vals['title'] == gold_vals['title']
    r['published'] = sys_vals['published'] == gold_vals['published']
    # Outlets compare by registry slug: the gold names an outlet as a reader would
    # (`Kremlin`), readout by its canonical registry name.
    r['outlet'] = (outlet_key(sys_vals['outlet']) if sys_vals['outlet'] else '') == \
        (outlet_key(gold_vals['outlet']) if gold_vals['outlet'] else '')
    for k in ('authors', 'credits'):
        s, g = name_set(art.get(k)), gold_names(row[k])
        r[k] = (len(s & g), len(s), len(g))
        sys_vals[k], gold_vals[k] = '; '.join(sorted(s)), '; '.join(sorted(g))
    return r


def gold(readout, shared, work, verbose):
    """Score readout against the gold set; return (overall Tally, ok)."""
    print('== Gold: kept text and metadata against eval/gold/articles')
    rows = read_index()
    sources = Sources(shared)
    base = os.path.join(work, 'gold')
    if os.path.exists(base):
        shutil.rmtree(base)
    placed = {}  # gold_id -> (expected id, file name)
    for row in rows:
        corpus_dir = os.path.join(base, 'input', row['corpus'])
        os.makedirs(corpus_dir, exist_ok=True)
        placed[row['gold_id']] = place_gold_input(row, sources, shared, corpus_dir)

    ok = True
    outputs = {}
    for kind in sorted({r['corpus'] for r in rows}):
        out = os.path.join(base, 'out', kind)
        err = run_readout(readout, os.path.join(REPO, CORPORA[kind][0]),
                          os.path.join(base, 'input', kind), out, cwd=work)
        if err:
            print(f'{kind}: FAILED: {err}')
            ok = False
            outputs[kind] = ([], {}, [])
        else:
            outputs[kind] = load_tables(out)

    per_article, notes = [], []
    tallies = {}
    overall = Tally()
    for row in rows:
        kind, gid = row['corpus'], row['gold_id']
        articles, texts, rejects = outputs[kind]
        by_id = {a['article_id']: a for a in articles}
        by_source = {}
        for a in articles:
            by_source.setdefault(a['source'].split('#')[0], []).append(a)
        expected_id, name = placed[gid]
        art, note = find_article(by_id, by_source, expected_id, name)
        if note:
            notes.append(f'{gid}: {note}')
        text = texts.get(art['article_id']) if art else None
        r = score_article(row, art, text)
        r['gold_id'], r['corpus'], r['found'] = gid, kind, art is not None
        per_article.append(r)
        tallies.setdefault(kind, Tally()).add(r)
        overall.add(r)

    yes = lambda b: 'ok' if b else '-'
    print()
    print_table(['gold_id', 'sys', 'gold', 'matched', 'P', 'R', 'title', 'date', 'outlet',
                 'authors tp/s/g', 'credits tp/s/g'],
                [[r['gold_id'] if r['found'] else r['gold_id'] + ' (MISSING)', r['sys'], r['gold'],
                  r['matched'], fmt(ratio(r['matched'], r['sys'])), fmt(ratio(r['matched'], r['gold'])),
                  yes(r['title']), yes(r['published']), yes(r['outlet']),
                  '/'.join(map(str, r['authors'])), '/'.join(map(str, r['credits']))]
                 for r in per_article])
    print('(sys/gold/matched count non-whitespace characters; tp/s/g = names matched / in the '
          'output / in the gold)')

    print()
    groups = [(k, tallies[k]) for k in sorted(tallies)] + [('all', overall)]
    print_table(['corpus', 'articles', 'kept P', 'kept R', 'title', 'published', 'outlet',
                 'authors P', 'authors R', 'authors F1', 'credits P', 'credits R', 'credits F1'],
                [[k, t.n, fmt(t.precision()), fmt(t.recall()), fmt(t.acc('title')),
                  fmt(t.acc('published')), fmt(t.acc('outlet'))]
                 + [fmt(x) for x in t.prf('authors')] + [fmt(x) for x in t.prf('credits')]
                 for k, t in groups])
    print('(kept P/R micro-averaged over characters; title/published/outlet = share exactly right; '
          'authors/credits micro-averaged over names, F1 = 1 when neither side has any)')

    if notes:
        print('\nArticle ids that did not match the expected form:')
        for n in notes:
            print('  ' + n)
    if verbose:
        print('\nMetadata mismatches (system | gold):')
        for r in per_article:
            for k in ('title', 'published', 'outlet', 'authors', 'credits'):
                good = r[k] if isinstance(r[k], bool) else r[k][0] == r[k][1] == r[k][2]
                if not good:
                    print(f'  {r["gold_id"]} {k}: {r["sys_vals"][k]!r} | {r["gold_vals"][k]!r}')
    print()
    return overall, ok


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--skip-coverage', action='store_true', help='skip the coverage part')
    ap.add_argument('--skip-gold', action='store_true', help='skip the gold part')
    ap.add_argument('--work', help='folder for readout inputs/outputs (kept); default: a temp folder')
    ap.add_argument('--readout', help='readout binary (default: <repo>/target/release/readout)')
    ap.add_argument('--build', action='store_true', help='run cargo build --release first')
    ap.add_argument('--shared', help='shared/ folder (default: $READOUT_SHARED or <repo>/../shared)')
    ap.add_argument('--verbose', action='store_true', help='list every gold metadata mismatch')
    args = ap.parse_args()

    shared = os.path.abspath(args.shared or os.environ.get('READOUT_SHARED')
                             or os.path.join(REPO, '..', 'shared'))
    if not os.path.isdir(os.path.join(shared, 'corpus')):
        sys.exit(f'shared folder not found: {shared} (use --shared or $READOUT_SHARED)')
    try:
        import duckdb  # noqa: F401
    except ImportError:
        sys.exit('the duckdb package is needed: use the repo .venv or `pip install duckdb`')
    readout = ensure_readout(args.readout, args.build)

    if args.work:
        work = os.path.abspath(args.work)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix='readout-eval-articles-')
    ok = True
    try:
        if not args.skip_coverage:
            ok &= coverage(readout, shared, work)
        if args.skip_gold:
            print('SUMMARY gold=skipped')
        else:
            t, gold_ok = gold(readout, shared, work, args.verbose)
            ok &= gold_ok
            print('SUMMARY ' + ' '.join([
                f'kept_precision={fmt(t.precision())}', f'kept_recall={fmt(t.recall())}',
                f'title_acc={fmt(t.acc("title"))}', f'published_acc={fmt(t.acc("published"))}',
                f'outlet_acc={fmt(t.acc("outlet"))}', f'authors_f1={fmt(t.prf("authors")[2])}',
                f'credits_f1={fmt(t.prf("credits")[2])}']))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
