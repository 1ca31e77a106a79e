#!/usr/bin/env python3
"""Validate data/outlets.tsv, the readout outlet registry (stdlib only).

Usage: python3 data/outlets-check.py [PATH] [--psl FILE] [--no-psl]

PATH defaults to outlets.tsv next to this script. Checks:
  - the header line and 6 tab-separated columns on every data line;
  - slug: lowercase ASCII letters/digits joined by single hyphens, unique;
  - name and variants non-empty; kind one of wire, outlet, official;
  - country: an ISO 3166-1 alpha-2 code;
  - domains: "; "-separated lowercase host names, no scheme, path, port or
    "www.", unique across outlets; with a Public Suffix List available
    (/usr/share/publicsuffix/public_suffix_list.dat or --psl), every domain
    must be a registrable domain both under the ICANN section alone and
    under the full list (ICANN + private domains), unless declared in a "# exception: DOMAIN reason" comment line;
  - variants: "; "-separated, no empty items or stray whitespace, at least
    2 characters, unique within an outlet;
  - names, slugs and variants together unique across outlets ignoring case
    (src/annotate/outlet.rs looks all three up case-insensitively).
Problems are printed as "PATH:LINE: message"; the exit status is 1 if any.
"""

import os
import re
import sys

HEADER = ["slug", "name", "kind", "country", "domains", "variants"]
KINDS = {"wire", "outlet", "official"}
SEP = "; "

# ISO 3166-1 alpha-2, officially assigned codes.
ISO_3166 = set("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV
CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD
GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK
LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW
MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR
PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY
UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
EXCEPTION_RE = re.compile(r"^#\s*exception:\s*(\S+)")

PSL_CANDIDATES = [
    "/usr/share/publicsuffix/public_suffix_list.dat",
    "/etc/ssl/public_suffix_list.dat",
]


class PublicSuffixList:
    """Minimal PSL matcher (rules, wildcards, exceptions), with the ICANN
    section kept apart so that both readings can be checked."""

    def __init__(self, path):
        self.rules = {True: set(), False: set()}  # icann_only -> rules
        icann = True
        with open(path, encoding="utf-8") as fh:
            for raw in fh:
                line = raw.strip()
                if line.startswith("// ===BEGIN PRIVATE DOMAINS==="):
                    icann = False
                if not line or line.startswith("//"):
                    continue
                rule = line.split()[0].lower()
                rule = rule.encode("idna").decode("ascii") if not rule.isascii() else rule
                self.rules[False].add(rule)
                if icann:
                    self.rules[True].add(rule)

    def registrable(self, host, icann_only):
        """The registrable domain of host (None if host is a public suffix)."""
        rules = self.rules[icann_only]
        labels = host.split(".")
        size = len(labels)
        suffix = None
        for i in range(size):  # exception rules win outright
            if "!" + ".".join(labels[i:]) in rules:
                suffix = size - i - 1
                break
        if suffix is None:
            suffix = 1  # the implicit rule "*"
            for i in range(size):
                n = size - i
                if ".".join(labels[i:]) in rules:
                    suffix = max(suffix, n)
                if i + 1 < size and "*." + ".".join(labels[i + 1:]) in rules:
                    suffix = max(suffix, n)
        if suffix >= size:
            return None
        return ".".join(labels[size - suffix - 1:])


def split_list(cell):
    return cell.split(";") if cell else []


def main(argv):
    args = [a for a in argv[1:]]
    psl_path = None
    use_psl = True
    path = None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--psl":
            psl_path = args[i + 1]
            i += 2
            continue
        if a == "--no-psl":
            use_psl = False
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            path = a
        i += 1
    if path is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "outlets.tsv")

    problems = []

    def problem(lineno, msg):
        problems.append((lineno, msg))

    psl = None
    if use_psl:
        if psl_path is None:
            psl_path = next((p for p in PSL_CANDIDATES if os.path.exists(p)), None)
        if psl_path:
            psl = PublicSuffixList(psl_path)
        else:
            print("note: no Public Suffix List found; registrable-domain check skipped", file=sys.stderr)

    with open(path, encoding="utf-8") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    exceptions = {}
    for n, line in enumerate(lines, 1):
        m = EXCEPTION_RE.match(line)
        if m:
            exceptions[m.group(1).lower()] = n

    slugs = {}
    domains = {}
    variants_exact = {}
    variants_folded = {}
    header_seen = False
    rows = 0
    used_exceptions = set()

    for n, line in enumerate(lines, 1):
        if line.startswith("#"):
            continue
        if not line.strip():
            problem(n, "empty line (use a '#' comment for spacing)")
            continue
        if "\r" in line:
            problem(n, "carriage return in line (use LF line endings)")
            line = line.replace("\r", "")
        cols = line.split("\t")
        if not header_seen:
            header_seen = True
            if cols != HEADER:
                problem(n, "header must be: " + "\\t".join(HEADER) + f" (got {cols!r})")
            continue
        rows += 1
        if len(cols) != 6:
            problem(n, f"expected 6 tab-separated columns, got {len(cols)}")
            continue
        for idx, c in enumerate(cols):
            if c != c.strip():
                problem(n, f"column {HEADER[idx]} has leading/trailing whitespace")
        slug, name, kind, country, dom_cell, var_cell = (c.strip() for c in cols)

        if not SLUG_RE.match(slug):
            problem(n, f"bad slug {slug!r} (lowercase ASCII letters/digits and single hyphens)")
        if slug in slugs:
            problem(n, f"duplicate slug {slug!r} (first on line {slugs[slug]})")
        else:
            slugs[slug] = n
        if not name:
            problem(n, "empty name")
        if kind not in KINDS:
            problem(n, f"bad kind {kind!r} (wire, outlet or official)")
        if not re.fullmatch(r"[A-Z]{2}", country):
            problem(n, f"bad country {country!r} (two upper-case letters)")
        elif country not in ISO_3166:
            problem(n, f"country {country!r} is not an ISO 3166-1 alpha-2 code")

        # domains
        if dom_cell:
            items = split_list(dom_cell)
            if SEP.join(i.strip() for i in items) != dom_cell:
                problem(n, "domains must be separated by '; ' exactly")
            seen_here = set()
            for d in (i.strip() for i in items):
                if not d:
                    problem(n, "empty item in domains")
                    continue
                if d != d.lower():
                    problem(n, f"domain {d!r} must be lower case")
                dl = d.lower()
                if dl.startswith("www."):
                    problem(n, f"domain {d!r} starts with 'www.'")
                if re.search(r"[/:@?#\s]", dl):
                    problem(n, f"domain {d!r} must be a bare host name (no scheme, path or port)")
                    continue
                labels = dl.split(".")
                if len(labels) < 2 or not all(LABEL_RE.match(l) for l in labels):
                    problem(n, f"domain {d!r} is not a valid host name")
                    continue
                if dl in seen_here:
                    problem(n, f"domain {d!r} listed twice")
                seen_here.add(dl)
                if dl in domains and domains[dl][0] != slug:
                    problem(n, f"domain {d!r} already belongs to {domains[dl][0]!r} (line {domains[dl][1]})")
                else:
                    domains.setdefault(dl, (slug, n))
                if psl is not None:
                    ok = all(psl.registrable(dl, icann) == dl for icann in (True, False))
                    if not ok:
                        if dl in exceptions:
                            used_exceptions.add(dl)
                        else:
                            regs = {psl.registrable(dl, icann) for icann in (True, False)}
                            regs = sorted(r for r in regs if r and r != dl)
                            hint = ("registrable domain is " + " or ".join(map(repr, regs))) if regs else "it is a public suffix"
                            problem(n, f"domain {d!r} is not a registrable domain ({hint}); "
                                       f"list the registrable domain or declare '# exception: {dl} reason'")

        # variants
        if not var_cell:
            problem(n, "variants must not be empty (list at least the name as it appears in text)")
        else:
            items = split_list(var_cell)
            if SEP.join(i.strip() for i in items) != var_cell:
                problem(n, "variants must be separated by '; ' exactly")
            seen_here = set()
            for v in (i.strip() for i in items):
                if not v:
                    problem(n, "empty item in variants")
                    continue
                if "\t" in v or "  " in v:
                    problem(n, f"variant {v!r} contains a tab or double space")
                if v in seen_here:
                    problem(n, f"variant {v!r} listed twice")
                seen_here.add(v)
                if len(v) < 2:
                    problem(n, f"variant {v!r} is shorter than 2 characters (the loader ignores it)")
                if v in variants_exact and variants_exact[v][0] != slug:
                    o_slug, o_line = variants_exact[v]
                    problem(n, f"variant {v!r} also belongs to {o_slug!r} (line {o_line})")
                else:
                    variants_exact.setdefault(v, (slug, n))
        # The loader looks up names, slugs and variants ignoring case, so all
        # three must be unique across outlets when case is folded.
        keys = [("slug", slug), ("name", name)] + [("variant", v.strip()) for v in split_list(var_cell) if v.strip()]
        for what, key in keys:
            f = key.casefold()
            if f in variants_folded and variants_folded[f][0] != slug:
                o_slug, o_line, o_what, o_key = variants_folded[f]
                problem(n, f"{what} {key!r} equals {o_what} {o_key!r} of {o_slug!r} (line {o_line}) ignoring case")
            else:
                variants_folded.setdefault(f, (slug, n, what, key))

    if not header_seen:
        problem(0, "no header line")
    for dl, n in sorted(exceptions.items(), key=lambda kv: kv[1]):
        if dl not in domains:
            problem(n, f"exception {dl!r} is not listed as a domain of any outlet")
        elif psl is not None and dl not in used_exceptions:
            problem(n, f"exception {dl!r} is not needed (it is a registrable domain)")

    for lineno, msg in sorted(problems):
        print(f"{path}:{lineno}: {msg}")
    if problems:
        print(f"{len(problems)} problem(s) in {rows} outlet line(s)")
        return 1
    print(f"ok: {rows} outlets, {len(domains)} domains, {len(variants_exact)} variants"
          + ("" if psl is not None else " (no PSL check)"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
