"""Boilerplate survey over the shared corpora: number of documents in which each pattern occurs.

Usage: python3 survey.py [SHARED_DIR]   (default: $READOUT_SHARED or /work/shared). Stdlib only.
The regexes are rough detectors written for the survey (counts are documents, not occurrences);
they are not the pipeline's rules.
"""
import csv, glob, json, os, re, sys, collections
csv.field_size_limit(10**9)
S = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('READOUT_SHARED', '/work/shared')
def count(docs, pats):
    out = {}
    for name, p in pats.items():
        rx = re.compile(p, re.M)
        out[name] = sum(1 for d in docs if rx.search(d))
    return out
def show(title, n, res):
    print(f'## {title} ({n} docs)')
    for k, v in res.items(): print(f'  {v:6d}  {k}')
# reuters
docs = []
for f in sorted(glob.glob(S + '/corpus/reuters21578/*.json')):
    docs += [d['body'] for d in json.load(open(f)) if d.get('body')]
show('reuters21578', len(docs), count(docs, {
 'ends with &#3;': r'&#3;\s*\Z',
 'signoff "Reuter" (any case, own line before &#3;)': r'\n\s*(?i:reuter)\s*\n\s*&#3;\s*\Z',
 'signoff misspelt/variant (REUTE, RUTER, REUITER, REUETER, REUTERS, REUTER E/N/TAW)': r'\n\s*(REUTE|RUTER|REUITER|REUETER|REUTERS|Reuters|REUTER [A-Z]+)\s*\n\s*&#3;\s*\Z',
 'continuation marker "More"/"MORE" at end': r'\n\s*(?i:more)\s*\n\s*&#3;\s*\Z',
 '"More" take marker mid-body': r'^ More\n(?=[\s\S]*\S[\s\S]*\n\s*\S)(?![\s\S]*\A)(?![ ]*\n&#3;)',
 'INTERRUPTED marker': r'\bINTERRUPTED\b',
 'double signoff (Reuter ... Reuter)': r'Reuter\s*\n\s*Reuter\s*\n\s*&#3;',
 '&#127; / other control entities mid-text': r'&#(?!3;)\d+;',
 '&lt;Company> tags': r'&lt;',
 '&amp;': r'&amp;',
 'fixed-width table (>=3 lines with 3+ space runs)': r'(?:^.*\S {3,}\S.*\n[\s\S]*){3}',
 'earnings block (Shr/Net/Revs lines)': r'^\s*Shr\b',
 'correction note "(corrects ...)"': r'\((?i:corrects|company corrects)[^)]*\)?',
}))
rdocs = []
for f in sorted(glob.glob(S + '/corpus/reuters21578/*.json')):
    rdocs += [d for d in json.load(open(f)) if d.get('body')]
kinds = collections.Counter()
for d in rdocs:
    last = re.sub(r'\s*&#3;\s*\Z', '', d['body']).rstrip().split('\n')[-1].strip()
    if re.fullmatch(r'(?i)reuter', last): kinds['last line exactly Reuter/REUTER/reuter'] += 1
    elif re.fullmatch(r'(?i)more', last): kinds['last line More/MORE (continued in next take)'] += 1
    elif re.search(r'(?i)reu\w*$|RUTER$|REUTER \w+$|Reuter\d$', last): kinds['signoff variant or glued to last sentence'] += 1
    else: kinds['no signoff before &#3;'] += 1
for k, v in kinds.most_common(): print(f'  {v:6d}  {k}')
print(f'  {sum(1 for d in rdocs if "CORRECTED" in (d["title"] or "")):6d}  title starts "CORRECTED -"')
# bbc
bb = [open(f, encoding='utf-8', errors='replace').read() for f in sorted(glob.glob(S + '/corpus/bbc/*/*.txt'))]
def comments(t):
    paras = [p.strip() for p in t.split('\n\n') if p.strip()][1:]
    rc = [p for p in paras if '"' not in p and re.search(r"\b(I|I'm|I've|my|we|We)\b", p) and len(p) < 700]
    return len(rc) >= 4
import hashlib
hs = collections.Counter(hashlib.md5(t.encode()).hexdigest() for t in bb)
print(f'  (bbc: {sum(v - 1 for v in hs.values())} files are exact duplicates of another file; '
      f'{sum(1 for t in bb if comments(t))} files flagged as possibly carrying appended reader comments - check by eye)')
show('bbc', len(bb), count(bb, {
 'title on first line, blank line after': r'\A[^\n]+\n\n',
 'reader call to action ("What are your experiences ...?")': r'(?i)what are your experiences|tell us what you think|send us your',
 'broadcast line ("BBC1, Radio 4 LW and this website")': r'(?i)^BBC ?(One|1|Two|2)[^\n]*this website$|^.*will be televised on BBC',
 'match fact box (venue/day/GMT lines)': r'^\d{4} GMT$',
 'team line-ups (initial + surname lists)': r'^(?:[A-Z] [A-Z][a-z]+[;,] ){4}',
 'wire mention (Reuters/AP/AFP) in body': r'\b(?:Reuters|Associated Press|AFP)\b',
 'invalid UTF-8 (U+FFFD after decoding)': '\ufffd',
}))
# press releases
for name in ['putin', 'zelenskyy']:
    rows = list(csv.DictReader(open(f'{S}/corpus/press-releases/{name}.csv', encoding='utf-8')))
    bodies = [r['body'] for r in rows]
    show(f'press-releases/{name}.csv', len(rows), count(bodies, {
     '"* * *" separator': r'\* \* \*',
     '"***" separator': r'(?<!\* )\*\*\*',
     '"<…>" elision mark': r'<…>',
     'speaker tooltip duplicate ("Sergei Shoigu Shoigu SergeiDefence Minister:")': r'\b([A-Z][a-z]+) ([A-Z][a-z]+) \2 \1[A-Z]',
     '"[editorial insertion]"': r'\[[^\]]{1,60}\]',
     '(retranslated)': r'\(retranslated\)',
     'photo caption / photo credit': r'(?i)photo ?(by|credit)|©',
     '"Read also"': r'(?i)read also',
         'stray newlines': r'\n',
     'zero-width spaces': '\u200b',
     'URL / e-mail / phone contact': r'https?://|@\w+\.\w+',
    }))
    hb = sum(1 for r in rows if r['headline'].strip() and r['headline'].strip() in r['body'])
    print(f'  {hb:6d}  headline repeated verbatim in body (mostly natural phrases, not boilerplate)')
# polnear
pn = {}
for f in sorted(glob.glob(S + '/eval/polnear/*/text/*.txt')):
    pn[os.path.basename(f)] = open(f, encoding='utf-8').read()
pubs = sorted({k.split('_')[0] for k in pn})
pp = {
 'NYT "ABSTRACT." / "FULL TEXT." labels': r'^(ABSTRACT|FULL TEXT)\.$',
 'NYT "CORRECTION:" / "CORRECTION APPENDED." / "As published in the International NYT"': r'^CORRECTION( APPENDED)?[.:]$|As published in the International New York Times',
 "Editor's note": r"(?i)editor[’']s note",
 '"This post/story/article has been updated"': r'(?i)this (post|story|article|piece) (has been|was) updated|^UPDATE:',
 '"Correction: An earlier version"': r'(?i)correction:.{0,40}earlier version|an earlier version of this',
 '"Follow NAME on Twitter" / "Twitter: @x"': r'(?i)follow [^\n.]{0,60} on twitter|on twitter follow|^Twitter: @\w+',
 'wire dateline "CITY (AP) —" / "(UPI) —" / "(Reuters) –"': r'\((?:AP|UPI|Reuters)\)\s*[—–-]',
 '"Contributing:" line': r'^Contributing:',
 '"X contributed (reporting|to this story/report)"': r'(?i)contributed (reporting|to this (story|report))|contributed from',
 '"(Reporting by ...; Editing by ...)"': r'\((?:Reporting|Writing) by',
 'author bio line ("X is senior ... at The Huffington Post")': r'^[A-Z][a-z]+ [A-Z][a-z]+ (is|edits|co-hosts)[^\n]{0,80}(Huffington Post|HuffPost)',
 'newsletter/podcast/app CTA ("Sign up", "Subscribe here", "download our app")': r'(?i)sign up (to|for)|subscribe here|download our app|enter your email',
 'West Journal "Like the page:" CTA': r'Like the page:',
 'reader prompt question at end ("What do you think ...?")': r'(?i)what do you think[^\n]*\?\s*\Z',
 '"Watch ... above/below" video pointer': r'(?i)^watch (the|a)?[^\n]{0,60}(above|below)',
 '"h/t" credit': r'(?i)\bh/t\b',
 'embedded tweet markup (<tweet ...>)': r'<tweet',
 'CSS/HTML junk': r'\.gmobile|<a href|\{\s*$',
 '"___." / "__." separators': r'^_{2,}\.?$',
 '"The Latest" timestamps ("7 p.m.")': r'^\d{1,2}(:\d\d)? [ap]\.m\.:?$',
 'photo credit line (Getty., AP Photo, Facebook/X.)': r'^(Getty|AP Photo|Facebook/[^\n]+)\.?$',
 'usa-today LETTERS/FACEBOOK./TWITTER. section labels': r'^(LETTERS|FACEBOOK|TWITTER)\.$',
 'byline line "By Name"': r'^By [A-Z][a-z]+ [A-Z][a-z]+$',
 'title line ends with added "."': r'\A[^\n]*\.\n',
}
print(f'## polnear ({len(pn)} docs; per publisher: {", ".join(pubs)})')
for k, p in pp.items():
    rx = re.compile(p, re.M)
    c = collections.Counter(n.split('_')[0] for n, t in pn.items() if rx.search(t))
    print(f'  {sum(c.values()):6d}  {k}   ' + ' '.join(f'{a}={c[a]}' for a in pubs if c[a]))
