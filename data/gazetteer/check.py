#!/usr/bin/env python3
"""Validate the gazetteer TSV files in this directory (Python 3 standard library only).

Usage: python3 data/gazetteer/check.py [DIR]

Checks headers and column counts, id syntax and uniqueness, list-cell syntax, that
every role holder exists in people.tsv, ISO dates with from <= to, that terms of the
same role+country do not overlap, that phrases appear only on the first row of each
role+country, that no name/alias (compared on a folded key: case, accents and
punctuation ignored) belongs to two entities of the same file, that people aliases
are not bare surnames, that every country code exists in countries.tsv and that
every country has its place/<slug> row. Prints one line per problem as
FILE:LINE: message and exits 1 if there is any problem, 0 otherwise.
"""
import datetime
import os
import re
import sys
import unicodedata

HEADERS = {
    "countries.tsv": ["code", "name", "adjectives", "aliases"],
    "people.tsv": ["id", "name", "aliases", "country", "description"],
    "roles.tsv": ["role", "country", "holder", "from", "to", "phrases"],
    "orgs.tsv": ["id", "name", "aliases", "country", "kind"],
    "places.tsv": ["id", "name", "aliases", "country", "kind"],
}
ORG_KINDS = {"government", "military", "intergovernmental", "party", "company", "ngo", "media", "other"}
PLACE_KINDS = {"country", "region", "city", "sea", "other"}
PSEUDO_CODES = {"NATO", "EU", "UN"}
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
ROLE_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
CODE_RE = re.compile(r"^(?:[A-Z]{2}|NATO|EU|UN)$")
# Single-word aliases in people.tsv that are deliberate, unambiguous short forms.
ALLOWED_SHORT_FORMS = {"MBS", "MBZ", "AKK", "Lula", "Jokowi"}

problems = []


def report(fname, lineno, msg):
    problems.append(f"{fname}:{lineno}: {msg}")


def fold(s):
    """Comparison key: NFKD, accents removed, case-folded, punctuation dropped."""
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("\u2019", "'").replace("'s", "s")
    s = re.sub(r"[.\u2019'`]", "", s)
    s = re.sub(r"[^0-9a-z\u0400-\u04ff]+", " ", s)
    return s.strip()


def split_list(cell, fname, lineno, col):
    if cell == "":
        return []
    items = cell.split("; ")
    for it in items:
        if it != it.strip() or it == "":
            report(fname, lineno, f"column {col}: bad list item {it!r} (separate items with '; ')")
        if ";" in it:
            report(fname, lineno, f"column {col}: stray ';' in {it!r} (separator is '; ')")
    seen = set()
    for it in items:
        if it in seen:
            report(fname, lineno, f"column {col}: duplicate item {it!r}")
        seen.add(it)
    return [it.strip() for it in items if it.strip()]


def read_tsv(directory, fname):
    """Yield (lineno, row dict) for data rows; report structural problems."""
    path = os.path.join(directory, fname)
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        report(fname, 0, f"cannot read: {e}")
        return []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        report(fname, 0, f"not UTF-8: {e}")
        return []
    if text.startswith("\ufeff"):
        report(fname, 1, "file starts with a byte-order mark")
        text = text[1:]
    if "\r" in text:
        report(fname, 0, "file contains CR characters (use LF line endings)")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    else:
        report(fname, len(lines), "file does not end with a newline")
    header = HEADERS[fname]
    if not lines or lines[0].split("\t") != header:
        report(fname, 1, f"header must be {chr(9).join(header)!r}")
        return []
    rows = []
    for i, line in enumerate(lines[1:], start=2):
        if line.startswith("#"):
            continue
        if line.strip() == "":
            report(fname, i, "blank line (use a '#' comment line instead)")
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            report(fname, i, f"{len(cells)} columns, expected {len(header)}")
            continue
        for col, cell in zip(header, cells):
            if cell != cell.strip():
                report(fname, i, f"column {col}: leading/trailing whitespace")
        rows.append((i, dict(zip(header, [c.strip() for c in cells]))))
    return rows


def check_names(fname, entries):
    """entries: list of (lineno, entity_key, [strings]); no folded string may map to two entities."""
    owner = {}
    for lineno, key, strings in entries:
        for s in strings:
            f = fold(s)
            if not f:
                report(fname, lineno, f"name/alias {s!r} is empty after folding")
                continue
            if f in owner and owner[f][0] != key:
                report(fname, lineno, f"{s!r} also names {owner[f][0]} (line {owner[f][1]})")
            else:
                owner.setdefault(f, (key, lineno))


def parse_date(s, fname, lineno, col):
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        report(fname, lineno, f"{col}: {s!r} is not an ISO date YYYY-MM-DD")
        return None
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        report(fname, lineno, f"{col}: {s!r} is not a valid date")
        return None


def main(directory):
    # ---- countries
    codes = {}
    entries = []
    adj_entries = []
    for lineno, r in read_tsv(directory, "countries.tsv"):
        code = r["code"]
        if not CODE_RE.match(code):
            report("countries.tsv", lineno, f"code {code!r} must be ISO 3166-1 alpha-2 or NATO/EU/UN")
        if code in codes:
            report("countries.tsv", lineno, f"duplicate code {code} (line {codes[code][0]})")
        if not r["name"]:
            report("countries.tsv", lineno, "empty name")
        codes[code] = (lineno, r["name"])
        aliases = split_list(r["aliases"], "countries.tsv", lineno, "aliases")
        adjs = split_list(r["adjectives"], "countries.tsv", lineno, "adjectives")
        entries.append((lineno, code, [r["name"]] + aliases))
        adj_entries.append((lineno, code, adjs))
    check_names("countries.tsv", entries)
    check_names("countries.tsv", adj_entries)

    def check_country(fname, lineno, code, allow_empty):
        if code == "":
            if not allow_empty:
                report(fname, lineno, "country is empty")
        elif code not in codes:
            report(fname, lineno, f"country {code!r} not in countries.tsv")

    # ---- people
    people = {}
    entries = []
    for lineno, r in read_tsv(directory, "people.tsv"):
        pid, name = r["id"], r["name"]
        if not re.fullmatch("person/" + SLUG, pid):
            report("people.tsv", lineno, f"id {pid!r} must be person/<lowercase-ascii-slug>")
        if pid in people:
            report("people.tsv", lineno, f"duplicate id {pid} (line {people[pid]})")
        people[pid] = lineno
        if not name:
            report("people.tsv", lineno, "empty name")
        aliases = split_list(r["aliases"], "people.tsv", lineno, "aliases")
        if name in aliases:
            report("people.tsv", lineno, f"alias repeats the name {name!r}")
        surname = fold(name).split(" ")[-1] if name else ""
        for a in aliases:
            if " " not in a.strip() and a not in ALLOWED_SHORT_FORMS:
                what = "a bare surname" if fold(a) == surname else "a single word"
                report("people.tsv", lineno, f"alias {a!r} is {what}; list full names only "
                       "(add deliberate short forms to ALLOWED_SHORT_FORMS in check.py)")
        check_country("people.tsv", lineno, r["country"], allow_empty=False)
        if not r["description"]:
            report("people.tsv", lineno, "empty description")
        entries.append((lineno, pid, [name] + aliases))
    check_names("people.tsv", entries)

    # ---- roles
    terms = {}
    first_row = {}
    for lineno, r in read_tsv(directory, "roles.tsv"):
        role, country, holder = r["role"], r["country"], r["holder"]
        if not ROLE_RE.match(role):
            report("roles.tsv", lineno, f"role {role!r} must be a lowercase hyphenated key")
        check_country("roles.tsv", lineno, country, allow_empty=False)
        if holder not in people:
            report("roles.tsv", lineno, f"holder {holder!r} not in people.tsv")
        start = parse_date(r["from"], "roles.tsv", lineno, "from") if r["from"] else None
        if not r["from"]:
            report("roles.tsv", lineno, "from is empty")
        end = parse_date(r["to"], "roles.tsv", lineno, "to") if r["to"] else None
        if start and end and end < start:
            report("roles.tsv", lineno, f"to {r['to']} is before from {r['from']}")
        key = (role, country)
        phrases = split_list(r["phrases"], "roles.tsv", lineno, "phrases")
        if key not in first_row:
            first_row[key] = lineno
            if not phrases:
                report("roles.tsv", lineno, f"first row of {role}/{country} has no phrases")
        elif phrases:
            report("roles.tsv", lineno, f"phrases must be only on the first row of {role}/{country} "
                   f"(line {first_row[key]})")
        if start:
            terms.setdefault(key, []).append((start, end, lineno, holder))
    for (role, country), ts in terms.items():
        ts.sort(key=lambda t: (t[0], t[2]))
        open_terms = [t for t in ts if t[1] is None]
        if len(open_terms) > 1:
            for t in open_terms[:-1]:
                report("roles.tsv", t[2], f"{role}/{country}: more than one open-ended term "
                       f"(also line {open_terms[-1][2]})")
        for a, b in zip(ts, ts[1:]):
            a_end = a[1] or datetime.date.max
            # touching terms (a.to == b.from) are allowed: the later term wins on that day
            if b[0] < a_end:
                report("roles.tsv", b[2], f"{role}/{country}: term from {b[0]} overlaps line {a[2]} "
                       f"({a[0]} to {a[1] or 'open'})")

    # ---- orgs
    ids = {}
    entries = []
    for lineno, r in read_tsv(directory, "orgs.tsv"):
        oid = r["id"]
        if not re.fullmatch("org/" + SLUG, oid):
            report("orgs.tsv", lineno, f"id {oid!r} must be org/<lowercase-ascii-slug>")
        if oid in ids:
            report("orgs.tsv", lineno, f"duplicate id {oid} (line {ids[oid]})")
        ids[oid] = lineno
        if not r["name"]:
            report("orgs.tsv", lineno, "empty name")
        if r["kind"] not in ORG_KINDS:
            report("orgs.tsv", lineno, f"kind {r['kind']!r} not one of {sorted(ORG_KINDS)}")
        check_country("orgs.tsv", lineno, r["country"], allow_empty=True)
        aliases = split_list(r["aliases"], "orgs.tsv", lineno, "aliases")
        if r["name"] in aliases:
            report("orgs.tsv", lineno, f"alias repeats the name {r['name']!r}")
        entries.append((lineno, oid, [r["name"]] + aliases))
    check_names("orgs.tsv", entries)

    # ---- places
    ids = {}
    entries = []
    country_places = {}
    for lineno, r in read_tsv(directory, "places.tsv"):
        pid = r["id"]
        if not re.fullmatch("place/" + SLUG, pid):
            report("places.tsv", lineno, f"id {pid!r} must be place/<lowercase-ascii-slug>")
        if pid in ids:
            report("places.tsv", lineno, f"duplicate id {pid} (line {ids[pid]})")
        ids[pid] = lineno
        if not r["name"]:
            report("places.tsv", lineno, "empty name")
        kind = r["kind"]
        if kind not in PLACE_KINDS:
            report("places.tsv", lineno, f"kind {kind!r} not one of {sorted(PLACE_KINDS)}")
        check_country("places.tsv", lineno, r["country"], allow_empty=kind in ("sea", "region", "other"))
        if r["country"] in PSEUDO_CODES:
            report("places.tsv", lineno, f"country {r['country']} is not a state")
        if kind == "country":
            if r["country"] in country_places:
                report("places.tsv", lineno, f"second country row for {r['country']}")
            country_places[r["country"]] = (lineno, pid, r["name"])
        aliases = split_list(r["aliases"], "places.tsv", lineno, "aliases")
        if r["name"] in aliases:
            report("places.tsv", lineno, f"alias repeats the name {r['name']!r}")
        entries.append((lineno, pid, [r["name"]] + aliases))
    check_names("places.tsv", entries)
    for code, (lineno, name) in codes.items():
        if code in PSEUDO_CODES:
            continue
        if code not in country_places:
            report("places.tsv", 0, f"no kind=country row for {code} ({name}) from countries.tsv:{lineno}")
        elif country_places[code][2] != name:
            report("places.tsv", country_places[code][0],
                   f"country name {country_places[code][2]!r} differs from countries.tsv {name!r}")

    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("gazetteer OK: {} countries, {} people, {} role terms, {} orgs, {} places".format(
        len(codes), len(people), sum(len(t) for t in terms.values()), count_rows(directory, "orgs.tsv"),
        count_rows(directory, "places.tsv")))
    return 0


def count_rows(directory, fname):
    n = 0
    with open(os.path.join(directory, fname), encoding="utf-8") as fh:
        next(fh, None)
        for line in fh:
            if line.strip() and not line.startswith("#"):
                n += 1
    return n


if __name__ == "__main__":
    here = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    sys.exit(main(here))
