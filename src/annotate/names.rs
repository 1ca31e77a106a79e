//! Per-article name stage: finds person, organisation and place mentions and
//! resolves them inside the article (gazetteer, coreference, role by date).
//! Cross-article merging lives in `entities.rs`.
#![allow(missing_docs)]

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Person,
    Org,
    Place,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Org => "org",
            EntityKind::Place => "place",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mention {
    pub char_start: usize,
    pub char_end: usize,
    pub surface: String,
    pub kind: EntityKind,
    /// Gazetteer entity id when resolved through the gazetteer or a role; else None.
    pub entity_id: Option<String>,
    /// The article-local canonical name of the cluster this mention belongs to.
    pub canonical: String,
    pub resolution: &'static str,
}

pub struct GazetteerText<'a> {
    pub people: &'a str,
    pub roles: &'a str,
    pub countries: &'a str,
    pub orgs: &'a str,
    pub places: &'a str,
}

#[derive(Deserialize)]
struct Lexicon {
    titles: Vec<String>,
    role_nouns: Vec<String>,
    stop_capitals: Vec<String>,
    outlets: Vec<String>,
    org_words: Vec<String>,
    place_words: Vec<String>,
    place_prepositions: Vec<String>,
    non_referring_before: Vec<String>,
}

pub(crate) struct GazEntity {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: EntityKind,
    pub(crate) country: String,
}

struct RoleTerm {
    holder: u32,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

struct RoleGroup {
    country: String,
    terms: Vec<RoleTerm>,
}

#[derive(Clone, Copy)]
enum Target {
    Entity(u32),
    /// Index into `phrase_groups`.
    Role(u32),
}

pub struct NameKnowledge {
    pub(crate) entities: Vec<GazEntity>,
    ac: Option<AhoCorasick>,
    targets: Vec<Target>,
    phrase_groups: Vec<Vec<u32>>,
    groups: Vec<RoleGroup>,
    country_words: HashMap<String, String>,
    person_by_fold: HashMap<String, u32>,
    /// Folded surname -> person, None when two gazetteer people share it.
    person_by_surname: HashMap<String, Option<u32>>,
    titles: HashSet<String>,
    role_nouns: HashSet<String>,
    stop: HashSet<String>,
    outlets: HashSet<String>,
    org_words: HashSet<String>,
    place_words: HashSet<String>,
    place_preps: HashSet<String>,
    non_referring: HashSet<String>,
}

fn set(v: Vec<String>) -> HashSet<String> {
    v.into_iter().map(|s| s.to_lowercase()).collect()
}

fn list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

fn data_rows(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

impl NameKnowledge {
    pub fn load(gazetteer_dir: Option<&std::path::Path>, lexicon_toml: &str) -> Result<NameKnowledge, String> {
        match gazetteer_dir {
            None => Self::from_strings(None, lexicon_toml),
            Some(d) => {
                let read =
                    |f: &str| std::fs::read_to_string(d.join(f)).map_err(|e| format!("{}: {e}", d.join(f).display()));
                let (p, r, c, o, pl) = (
                    read("people.tsv")?,
                    read("roles.tsv")?,
                    read("countries.tsv")?,
                    read("orgs.tsv")?,
                    read("places.tsv")?,
                );
                let g = GazetteerText {
                    people: &p,
                    roles: &r,
                    countries: &c,
                    orgs: &o,
                    places: &pl,
                };
                Self::from_strings(Some(g), lexicon_toml)
            }
        }
    }

    pub fn from_strings(gazetteer: Option<GazetteerText<'_>>, lexicon_toml: &str) -> Result<NameKnowledge, String> {
        let lex: Lexicon = toml::from_str(lexicon_toml).map_err(|e| format!("names lexicon: {e}"))?;
        let mut k = NameKnowledge {
            entities: Vec::new(),
            ac: None,
            targets: Vec::new(),
            phrase_groups: Vec::new(),
            groups: Vec::new(),
            country_words: HashMap::new(),
            person_by_fold: HashMap::new(),
            person_by_surname: HashMap::new(),
            titles: set(lex.titles),
            role_nouns: set(lex.role_nouns),
            stop: set(lex.stop_capitals),
            outlets: set(lex.outlets),
            org_words: set(lex.org_words),
            place_words: set(lex.place_words),
            place_preps: set(lex.place_prepositions),
            non_referring: set(lex.non_referring_before),
        };
        if let Some(g) = gazetteer {
            k.load_gazetteer(&g)?;
        }
        Ok(k)
    }

    fn load_gazetteer(&mut self, g: &GazetteerText<'_>) -> Result<(), String> {
        // Pattern string -> index into `targets`; an entity name wins over a
        // role phrase spelled the same way because entities are added first.
        let mut pats: Vec<String> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        for (text, kind) in [
            (g.people, EntityKind::Person),
            (g.orgs, EntityKind::Org),
            (g.places, EntityKind::Place),
        ] {
            for row in data_rows(text) {
                if row.len() < 4 {
                    return Err(format!("gazetteer row with {} columns: {:?}", row.len(), row));
                }
                let idx = self.entities.len() as u32;
                self.entities.push(GazEntity {
                    id: row[0].to_string(),
                    name: row[1].to_string(),
                    kind,
                    country: row[3].to_string(),
                });
                ids.insert(row[0].to_string(), idx);
                for name in std::iter::once(row[1]).chain(list(row[2])) {
                    if !seen.contains_key(name) {
                        seen.insert(name.to_string(), pats.len());
                        pats.push(name.to_string());
                        self.targets.push(Target::Entity(idx));
                    }
                    if kind == EntityKind::Person {
                        self.person_by_fold.entry(fold_key(name)).or_insert(idx);
                    }
                }
                if kind == EntityKind::Person {
                    if let Some(last) = row[1].split_whitespace().last() {
                        self.person_by_surname
                            .entry(fold_key(last))
                            .and_modify(|v| *v = None)
                            .or_insert(Some(idx));
                    }
                }
            }
        }
        for row in data_rows(g.countries) {
            if row.len() < 4 {
                continue;
            }
            let code = row[0].to_string();
            for w in std::iter::once(row[1]).chain(list(row[2])).chain(list(row[3])) {
                let w = w.strip_prefix("the ").unwrap_or(w);
                self.country_words.insert(w.to_lowercase(), code.clone());
            }
        }
        let mut group_of: HashMap<(String, String), u32> = HashMap::new();
        for row in data_rows(g.roles) {
            if row.len() < 5 {
                continue;
            }
            let Some(&holder) = ids.get(row[2]) else {
                return Err(format!("roles.tsv: unknown holder {}", row[2]));
            };
            let from = NaiveDate::parse_from_str(row[3], "%Y-%m-%d")
                .map_err(|e| format!("roles.tsv: bad date {}: {e}", row[3]))?;
            let to = if row[4].trim().is_empty() {
                None
            } else {
                Some(
                    NaiveDate::parse_from_str(row[4].trim(), "%Y-%m-%d")
                        .map_err(|e| format!("roles.tsv: bad date {}: {e}", row[4]))?,
                )
            };
            let key = (row[0].to_string(), row[1].to_string());
            let gi = *group_of.entry(key).or_insert_with(|| {
                self.groups.push(RoleGroup {
                    country: row[1].to_string(),
                    terms: Vec::new(),
                });
                (self.groups.len() - 1) as u32
            });
            self.groups[gi as usize].terms.push(RoleTerm { holder, from, to });
            if let Some(cell) = row.get(5) {
                for ph in list(cell) {
                    match seen.get(ph) {
                        Some(&pi) => {
                            if let Target::Role(pg) = self.targets[pi] {
                                let v = &mut self.phrase_groups[pg as usize];
                                if !v.contains(&gi) {
                                    v.push(gi);
                                }
                            }
                        }
                        None => {
                            seen.insert(ph.to_string(), pats.len());
                            pats.push(ph.to_string());
                            self.targets.push(Target::Role(self.phrase_groups.len() as u32));
                            self.phrase_groups.push(vec![gi]);
                        }
                    }
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&pats)
            .map_err(|e| format!("gazetteer automaton: {e}"))?;
        self.ac = Some(ac);
        Ok(())
    }

    fn holder(&self, groups: &[u32], country: Option<&str>, date: NaiveDate) -> Option<u32> {
        let gi = match country {
            Some(c) => *groups.iter().find(|&&g| self.groups[g as usize].country == c)?,
            // A phrase listed for exactly one role+country implies its country.
            None if groups.len() == 1 => groups[0],
            None => return None,
        };
        // Later term wins on a boundary day, so scan from the end.
        self.groups[gi as usize]
            .terms
            .iter()
            .rev()
            .find(|t| t.from <= date && t.to.is_none_or(|to| date <= to))
            .map(|t| t.holder)
    }

    fn is(&self, s: &HashSet<String>, word: &str) -> bool {
        let mut buf = [0u8; 32];
        if word.len() > buf.len() {
            return false;
        }
        // Lowercase into a stack buffer: no allocation per token.
        let b = &mut buf[..word.len()];
        b.copy_from_slice(word.as_bytes());
        b.make_ascii_lowercase();
        match std::str::from_utf8(b) {
            Ok(w) if word.is_ascii() => s.contains(w),
            _ => s.contains(&word.to_lowercase()),
        }
    }
}

/// Transliteration-folded key: case, accents, punctuation and the usual
/// Russian/Ukrainian romanisation alternations collapse to one spelling.
pub fn fold_key(name: &str) -> String {
    let mut base = String::with_capacity(name.len());
    for c in name.nfd() {
        match c {
            'ł' | 'Ł' => base.push('l'),
            'ø' | 'Ø' => base.push('o'),
            'ß' => base.push_str("ss"),
            'đ' | 'Đ' => base.push('d'),
            'ı' => base.push('i'),
            c if c.is_alphanumeric() && c.is_ascii() => base.push(c.to_ascii_lowercase()),
            c if c.is_whitespace() || c == '-' => base.push(' '),
            _ => {}
        }
    }
    let mut out = String::with_capacity(base.len());
    for (wi, w) in base.split_whitespace().enumerate() {
        if wi > 0 {
            out.push(' ');
        }
        let w = w
            .replace("shch", "sh")
            .replace("sch", "sh")
            .replace("kh", "h")
            .replace("ye", "e")
            .replace("yo", "e")
            .replace("ie", "e")
            .replace("io", "e")
            .replace("ey", "i")
            .replace("ei", "i")
            .replace("y", "i")
            .replace("j", "i")
            .replace("ks", "x");
        let mut prev = '\0';
        for c in w.chars() {
            if c != prev {
                out.push(c);
            }
            prev = c;
        }
    }
    out
}

pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfd() {
        let c = match c {
            'ł' | 'Ł' => 'l',
            'ø' | 'Ø' => 'o',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '.') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[derive(Clone, Copy)]
struct Tok {
    s: usize,
    e: usize,
    /// Separated from the previous token by exactly one space.
    joined: bool,
    /// First token of a sentence or line.
    initial: bool,
    upper: bool,
    /// Followed directly by '.'.
    dot: bool,
    /// Inside a gazetteer entity match: never part of a discovered name.
    gaz: bool,
    headline: bool,
}

fn tokenize(text: &str, gaz_spans: &[(usize, usize)], out: &mut Vec<Tok>) {
    let b = text.as_bytes();
    let mut i = 0;
    let mut sentence_start = true;
    let mut gi = 0;
    let mut prev_end = usize::MAX;
    while i < b.len() {
        let c = text[i..].chars().next().unwrap_or(' ');
        if !c.is_alphanumeric() {
            if c == '\n' || c == '!' || c == '?' || c == ':' || c == '“' || c == '"' || c == '|' {
                sentence_start = true;
            }
            if c == '.' {
                // An initial or a short abbreviation ("J.", "Gen.", "U.S.") does
                // not end the sentence.
                let short = out.last().is_some_and(|t: &Tok| t.e == i && t.e - t.s <= 4 && t.upper);
                if !short {
                    sentence_start = true;
                }
            }
            i += c.len_utf8();
            continue;
        }
        let s = i;
        let mut j = i;
        let mut last_lower_run = 0usize;
        let mut split_at = None;
        while j < b.len() {
            let c = text[j..].chars().next().unwrap_or(' ');
            if c.is_alphanumeric() {
                // Scraped speaker labels glue words together ("SergeiDefence"):
                // split a long lowercase run followed by a capital. Short
                // prefixes are name particles ("McFaul", "DeSantis").
                if c.is_uppercase() && last_lower_run >= 3 && j - s >= 4 && split_at.is_none() {
                    split_at = Some(j);
                    break;
                }
                last_lower_run = if c.is_lowercase() { last_lower_run + 1 } else { 0 };
                j += c.len_utf8();
            } else if (c == '-' || c == '\'' || c == '’' || c == '.') && j + c.len_utf8() < b.len() {
                let n = text[j + c.len_utf8()..].chars().next().unwrap_or(' ');
                if n.is_alphanumeric() && !(c == '\'' || c == '’') || (n.is_alphanumeric() && n != 's') {
                    j += c.len_utf8();
                    last_lower_run = 0;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        let e = split_at.unwrap_or(j);
        let first = text[s..].chars().next().unwrap_or('a');
        while gi < gaz_spans.len() && gaz_spans[gi].1 <= s {
            gi += 1;
        }
        let gaz = gi < gaz_spans.len() && gaz_spans[gi].0 <= s;
        let joined = prev_end != usize::MAX && (s == prev_end || s == prev_end + 1 && b[prev_end] == b' ');
        out.push(Tok {
            s,
            e,
            joined,
            initial: sentence_start,
            upper: first.is_uppercase(),
            dot: b.get(e) == Some(&b'.'),
            gaz,
            headline: false,
        });
        sentence_start = false;
        prev_end = e;
        i = e;
    }
}

/// Marks tokens on headline-style lines (most long words capitalised): their
/// capitals say nothing about names.
fn mark_headlines(text: &str, toks: &mut [Tok]) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < toks.len() {
        let line_end = memchr::memchr(b'\n', &b[toks[i].s..]).map_or(b.len(), |p| toks[i].s + p);
        let mut j = i;
        while j < toks.len() && toks[j].s < line_end {
            j += 1;
        }
        let (mut long, mut cap) = (0, 0);
        for t in &toks[i..j] {
            if t.e - t.s >= 4 {
                long += 1;
                if t.upper {
                    cap += 1;
                }
            }
        }
        // Headlines are short and carry no closing period; a long capitalised
        // sentence is a list of titled names, not a headline.
        let ends_sentence = text[..line_end].trim_end().ends_with(['.', '!', '?', ':', '”', '"']);
        if long >= 4 && cap * 4 >= long * 3 && j - i <= 25 && !ends_sentence {
            for t in &mut toks[i..j] {
                t.headline = true;
            }
        }
        i = j.max(i + 1);
    }
}

struct Cand {
    s: usize,
    e: usize,
    kind: EntityKind,
    ent: Option<u32>,
    canonical: String,
    resolution: &'static str,
    /// Needs in-article evidence (lone word, headline) before it is kept.
    weak: bool,
    title: Option<(usize, usize)>,
}

fn push_title_words(titles: &mut Vec<(String, usize)>, title: &str, cluster: usize) {
    let t = title.to_lowercase().replace("defence", "defense");
    let words: Vec<&str> = t.split_whitespace().collect();
    for k in 1..=words.len().min(3) {
        let suffix = words[words.len() - k..].join(" ");
        if !titles.iter().any(|(s, c)| *s == suffix && *c == cluster) {
            titles.push((suffix, cluster));
        }
    }
}

pub fn find_mentions(text: &str, published: Option<NaiveDate>, k: &NameKnowledge) -> Vec<Mention> {
    // 1. Gazetteer matches.
    let mut gaz: Vec<(usize, usize, Target)> = Vec::new();
    if let Some(ac) = &k.ac {
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let before_ok = text[..s].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after_ok = text[e..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            if before_ok && after_ok {
                gaz.push((s, e, k.targets[m.pattern().as_usize()]));
            }
        }
    }
    let gaz_spans: Vec<(usize, usize)> = gaz
        .iter()
        .filter(|g| matches!(g.2, Target::Entity(_)))
        .map(|g| (g.0, g.1))
        .collect();
    let mut toks = Vec::with_capacity(text.len() / 5);
    tokenize(text, &gaz_spans, &mut toks);
    mark_headlines(text, &mut toks);

    let mut cands: Vec<Cand> = Vec::new();
    for &(s, e, t) in &gaz {
        if let Target::Entity(i) = t {
            let ent = &k.entities[i as usize];
            cands.push(Cand {
                s,
                e,
                kind: ent.kind,
                ent: Some(i),
                canonical: ent.name.clone(),
                resolution: "gazetteer",
                weak: false,
                title: None,
            });
        }
    }

    // 2. Capitalised sequences.
    let word = |t: &Tok| &text[t.s..t.e];
    let mut i = 0;
    while i < toks.len() {
        if !toks[i].upper || toks[i].gaz {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < toks.len() && toks[j].upper && !toks[j].gaz && toks[j].joined {
            // A sentence-ending period splits two capitalised runs.
            if toks[j].initial && !(toks[j - 1].dot && toks[j - 1].e - toks[j - 1].s <= 5) {
                break;
            }
            j += 1;
        }
        process_run(text, &toks, i, j, k, &mut cands, word);
        i = j;
    }

    // 3. In-article clustering of person names.
    cands.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
    struct Cluster {
        canonical: String,
        ent: Option<u32>,
        key: String,
        tokens: Vec<String>,
    }
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut cl_of: Vec<Option<usize>> = vec![None; cands.len()];
    let mut titles: Vec<(String, usize)> = Vec::new();
    for (ci, c) in cands.iter().enumerate() {
        if c.kind != EntityKind::Person || c.weak {
            continue;
        }
        let surf = &text[c.s..c.e];
        let key = fold_key(surf);
        let toks_f: Vec<String> = key.split(' ').map(str::to_string).collect();
        if toks_f.len() < 2 && c.ent.is_none() {
            continue;
        }
        let found = clusters.iter().position(|cl| {
            (c.ent.is_some() && cl.ent == c.ent)
                || cl.key == key
                || toks_f.len() >= 2 && {
                    let mut x: Vec<&String> = cl.tokens.iter().collect();
                    let mut y: Vec<&String> = toks_f.iter().collect();
                    x.sort_unstable();
                    y.sort_unstable();
                    x == y
                }
                || (c.ent.is_none() || cl.ent.is_none())
                    && cl.tokens.len() >= 2
                    && toks_f.len() >= 2
                    && cl.tokens.last() == toks_f.last()
                    && strsim::jaro_winkler(&cl.tokens[0], &toks_f[0]) >= 0.85
        });
        let idx = match found {
            Some(f) => f,
            None => {
                clusters.push(Cluster {
                    canonical: c.canonical.clone(),
                    ent: c.ent,
                    key,
                    tokens: toks_f,
                });
                clusters.len() - 1
            }
        };
        cl_of[ci] = Some(idx);
        if let Some((ts, te)) = c.title {
            push_title_words(&mut titles, &text[ts..te], idx);
        }
    }
    // Later spellings take the cluster's first full name as canonical.
    for (ci, c) in cands.iter_mut().enumerate() {
        if let Some(idx) = cl_of[ci] {
            let cl = &clusters[idx];
            if c.canonical != cl.canonical {
                c.canonical = cl.canonical.clone();
                if c.ent.is_none() && cl.ent.is_some() {
                    c.ent = cl.ent;
                }
                if c.resolution == "name" {
                    c.resolution = "coreference";
                }
            }
        }
    }
    // Lone words and headline names link to a cluster: the nearest one before,
    // else the first after.
    for (ci, c) in cands.iter_mut().enumerate() {
        if cl_of[ci].is_some() || c.kind != EntityKind::Person {
            continue;
        }
        let key = fold_key(&text[c.s..c.e]);
        let toks_f: Vec<&str> = key.split(' ').collect();
        let mut best = None;
        for (idx, cl) in clusters.iter().enumerate() {
            let hit = if toks_f.len() == 1 {
                cl.tokens.last().is_some_and(|l| l == toks_f[0]) || cl.tokens.len() >= 2 && cl.tokens[0] == toks_f[0]
            } else {
                let mut a: Vec<&str> = cl.tokens.iter().map(String::as_str).collect();
                let mut b = toks_f.clone();
                a.sort_unstable();
                b.sort_unstable();
                a == b
            };
            if hit {
                best = Some(idx);
                // Stop at the last cluster mentioned before this word.
            }
        }
        if let Some(idx) = best {
            cl_of[ci] = Some(idx);
            c.weak = false;
            c.resolution = "coreference";
            c.canonical = clusters[idx].canonical.clone();
            c.ent = clusters[idx].ent;
            if let Some((ts, te)) = c.title {
                push_title_words(&mut titles, &text[ts..te], idx);
            }
        } else if toks_f.len() == 1 && !c.weak {
            // A title before a lone word ("Secretary Austin"): a person, but
            // only the gazetteer can say who.
            if let Some(&Some(p)) = k.person_by_surname.get(&key) {
                c.ent = Some(p);
                c.canonical = k.entities[p as usize].name.clone();
                c.resolution = "gazetteer";
            }
        } else if toks_f.len() == 1 && c.weak {
            if let Some(&Some(p)) = k.person_by_surname.get(&key) {
                c.ent = Some(p);
                c.canonical = k.entities[p as usize].name.clone();
                c.resolution = "gazetteer";
                c.weak = false;
            }
        }
    }
    cands.retain(|c| !c.weak);
    let date = published;

    // 4. Descriptions: role phrases of the gazetteer, and "the <title>" of a
    // title a person carried earlier in this article.
    let lower = text.to_ascii_lowercase();
    let article_country = {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for c in &cands {
            if let (EntityKind::Person, Some(e)) = (c.kind, c.ent) {
                *counts.entry(k.entities[e as usize].country.as_str()).or_default() += 1;
            }
        }
        let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.first().map(|x| x.0.to_string())
    };
    for &(s, e, t) in &gaz {
        let Target::Role(pg) = t else { continue };
        let Some(date) = date else { continue };
        if followed_by_name(text, e) {
            continue;
        }
        let (qs, country) = qualifier_before(text, s, k);
        let (after_e, country_after) = qualifier_after(text, e, k);
        let country = country.or(country_after);
        let start = qs.unwrap_or(s);
        let (ds, refer) = determiner_before(text, start, k);
        if !refer {
            continue;
        }
        let groups = &k.phrase_groups[pg as usize];
        let mut holder = k.holder(groups, country.as_deref(), date);
        if holder.is_none() && country.is_none() && ds.is_some() {
            holder = k.holder(groups, article_country.as_deref(), date);
        }
        let Some(h) = holder else { continue };
        let ent = &k.entities[h as usize];
        cands.push(Cand {
            s: ds.unwrap_or(start),
            e: after_e.unwrap_or(e),
            kind: EntityKind::Person,
            ent: Some(h),
            canonical: ent.name.clone(),
            resolution: "role",
            weak: false,
            title: None,
        });
    }
    for (title, idx) in &titles {
        let last = title.rsplit(' ').next().unwrap_or("");
        if !k.role_nouns.contains(last) {
            continue;
        }
        let pat = format!("the {title}");
        let pat2 = pat.replace("defense", "defence");
        let bare = title.replace("defense", "defence");
        let bare_pats: Vec<&str> = if title.contains(' ') {
            vec![&title[..], &bare[..]]
        } else {
            vec![]
        };
        for p in [&pat[..], &pat2[..]].into_iter().chain(bare_pats) {
            let mut from = 0;
            while let Some(off) = lower[from..].find(p) {
                let s = from + off;
                let e = s + p.len();
                from = e;
                let ok_b = s == 0 || !lower.as_bytes()[s - 1].is_ascii_alphanumeric();
                let ok_a = lower.as_bytes().get(e).is_none_or(|b| !b.is_ascii_alphanumeric());
                if !ok_b || !ok_a || followed_by_name(text, e) {
                    continue;
                }
                let cl = &clusters[*idx];
                cands.push(Cand {
                    s,
                    e,
                    kind: EntityKind::Person,
                    ent: cl.ent,
                    canonical: cl.canonical.clone(),
                    resolution: "coreference",
                    weak: false,
                    title: None,
                });
            }
        }
    }

    // 5. Non-overlapping, sorted; earlier then longer wins, and names beat
    // descriptions that overlap them.
    cands.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
    let mut out: Vec<Mention> = Vec::with_capacity(cands.len());
    let mut last_end = 0;
    let mut char_pos = 0;
    let mut byte_pos = 0;
    for c in cands {
        if c.s < last_end || c.e <= c.s {
            continue;
        }
        char_pos += text[byte_pos..c.s].chars().count();
        let cs = char_pos;
        let surface = &text[c.s..c.e];
        let ce = cs + surface.chars().count();
        char_pos = ce;
        byte_pos = c.e;
        last_end = c.e;
        out.push(Mention {
            char_start: cs,
            char_end: ce,
            surface: surface.to_string(),
            kind: c.kind,
            entity_id: c.ent.map(|e| k.entities[e as usize].id.clone()),
            canonical: c.canonical,
            resolution: c.resolution,
        });
    }
    out
}

/// A role phrase directly followed by a capitalised word is a title of that
/// name ("Defense Secretary Lloyd Austin"), not a mention of its own.
fn followed_by_name(text: &str, e: usize) -> bool {
    let rest = &text[e..];
    let rest = rest.strip_prefix(' ').unwrap_or(rest);
    rest.chars().next().is_some_and(|c| c.is_uppercase()) && !rest.starts_with("of ")
}

fn prev_word(text: &str, s: usize) -> Option<(usize, &str)> {
    let before = text[..s].strip_suffix(' ')?;
    let ws = before
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || c == '(' || c == '“' || c == '"')
        .map_or(0, |(i, c)| i + c.len_utf8());
    let w = &before[ws..];
    (!w.is_empty()).then_some((ws, w))
}

/// Country qualifier before a role phrase: "Russian", "Russia's", "U.S.",
/// optionally with "new" or "then-" between.
fn qualifier_before(text: &str, s: usize, k: &NameKnowledge) -> (Option<usize>, Option<String>) {
    let mut pos = s;
    let mut start = None;
    for _ in 0..2 {
        let Some((ws, w)) = prev_word(text, pos) else {
            break;
        };
        let wl = w.to_lowercase().replace('’', "'");
        let wl = wl.trim_end_matches(',');
        if let Some(c) = k.country_words.get(wl) {
            return (Some(ws), Some(c.clone()));
        }
        if wl == "new" || wl == "top" || wl == "then" {
            start = Some(ws);
            pos = ws;
            continue;
        }
        break;
    }
    (start, None)
}

fn qualifier_after(text: &str, e: usize, k: &NameKnowledge) -> (Option<usize>, Option<String>) {
    let rest = &text[e..];
    let Some(r) = rest.strip_prefix(" of ") else {
        return (None, None);
    };
    let skip = if r.starts_with("the ") { 4 } else { 0 };
    let r2 = &r[skip..];
    // Longest country word that the text continues with.
    let mut best: Option<(usize, String)> = None;
    for n in 1..=3 {
        let end = r2
            .char_indices()
            .filter(|&(_, c)| c == ' ' || c == ',' || c == '.' || c == '\n')
            .nth(n - 1)
            .map_or(r2.len(), |(i, _)| i);
        if let Some(c) = k.country_words.get(&r2[..end].to_lowercase()) {
            best = Some((end, c.clone()));
        }
        if end == r2.len() {
            break;
        }
    }
    match best {
        Some((end, c)) => (Some(e + 4 + skip + end), Some(c)),
        None => (None, None),
    }
}

/// The determiner in front of a role phrase: "the"/"his"/... make it refer to
/// one person; "a"/"as" make it generic or predicative.
fn determiner_before(text: &str, s: usize, k: &NameKnowledge) -> (Option<usize>, bool) {
    match prev_word(text, s) {
        Some((ws, w)) => {
            let wl = w.to_lowercase();
            if k.non_referring.contains(&wl) {
                (None, false)
            } else if matches!(wl.as_str(), "the" | "his" | "her" | "their" | "our" | "its") {
                (Some(ws), true)
            } else {
                (None, true)
            }
        }
        None => (None, true),
    }
}

#[allow(clippy::too_many_arguments)]
fn process_run<'t>(
    text: &'t str,
    toks: &[Tok],
    i: usize,
    j: usize,
    k: &NameKnowledge,
    cands: &mut Vec<Cand>,
    word: impl Fn(&Tok) -> &'t str,
) {
    let mut a = i;
    let mut b = j;
    // Strip stop capitals at the edges ("The", "On Friday").
    while a < b && (k.is(&k.stop, word(&toks[a])) || k.is(&k.outlets, word(&toks[a]))) {
        a += 1;
    }
    while b > a && (k.is(&k.stop, word(&toks[b - 1])) || k.is(&k.outlets, word(&toks[b - 1]))) {
        b -= 1;
    }
    if a >= b {
        return;
    }
    let headline = toks[a].headline || toks[a..b].iter().all(|t| is_all_caps(word(t)));
    // Organisations and places by head word; capitalised words after the
    // last head word start a new name ("Russian Armed Forces Valery Gerasimov").
    let head = (a..b).rev().find_map(|x| {
        let w = word(&toks[x]);
        if k.is(&k.org_words, w) {
            Some((x, EntityKind::Org))
        } else if k.is(&k.place_words, w) && b - a >= 2 {
            Some((x, EntityKind::Place))
        } else {
            None
        }
    });
    if let Some((x, kind)) = head {
        let s = toks[a].s;
        let e = toks[x].e;
        if !headline && (x > a || kind == EntityKind::Org) {
            cands.push(Cand {
                s,
                e,
                kind,
                ent: None,
                canonical: text[s..e].to_string(),
                resolution: "name",
                weak: false,
                title: None,
            });
        }
        if x + 1 < b {
            process_run(text, toks, x + 1, b, k, cands, word);
        }
        return;
    }
    // Titles: cut everything up to the last title word; a title word before
    // the run also counts ("spokeswoman Sabrina Singh", "Mr Michel").
    while b > a + 1 && k.is(&k.titles, word(&toks[b - 1])) {
        b -= 1;
    }
    let mut title_start = None;
    // Lowercase title words right before the run are part of its title
    // ("Pentagon chief Lloyd Austin", "deputy Pentagon spokeswoman").
    let mut y = i;
    while y > 0 && i - y < 4 && toks[y].joined && k.is(&k.titles, word(&toks[y - 1])) {
        y -= 1;
    }
    if y < i {
        title_start = Some(toks[y].s);
    }
    if let Some(x) = (a..b).rev().find(|&x| k.is(&k.titles, word(&toks[x]))) {
        if x + 1 < b {
            title_start = Some(title_start.unwrap_or(toks[a].s));
            a = x + 1;
        } else {
            return;
        }
    }
    let prev = if i > 0 && (toks[i].joined || text[toks[i - 1].e..toks[i].s].trim() == ",") {
        Some(word(&toks[i - 1]))
    } else {
        None
    };
    let title_before = title_start.is_some() || prev.is_some_and(|p| k.is(&k.titles, p));
    // "President of Ukraine Volodymyr Zelenskyy": the first word after "of"
    // belongs to the title.
    if prev.is_some_and(|p| p == "of") && i >= 2 && k.is(&k.titles, word(&toks[i - 2])) && b - a >= 3 {
        a += 1;
    }
    let place_prep = prev.is_some_and(|p| k.is(&k.place_preps, p));
    // Split a run at a repeated word: speaker labels print the name twice
    // ("Sergei Shoigu Shoigu Sergei").
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut ps = a;
    for x in a + 1..b {
        if (ps..x).any(|y| word(&toks[y]).eq_ignore_ascii_case(word(&toks[x]))) || x - ps >= 4 {
            parts.push((ps, x));
            ps = x;
        }
    }
    parts.push((ps, b));
    for (pi, &(pa, pb)) in parts.iter().enumerate() {
        let s = toks[pa].s;
        let e = toks[pb - 1].e;
        let e = if toks[pb - 1].dot && toks[pb - 1].e - toks[pb - 1].s == 1 {
            e + 1
        } else {
            e
        };
        let surface = &text[s..e];
        let n = pb - pa;
        let key = fold_key(surface);
        let title = if pi == 0 {
            title_start.map(|t| (t, toks[a].s.saturating_sub(1)))
        } else {
            None
        };
        if let Some(&p) = k.person_by_fold.get(&key) {
            cands.push(Cand {
                s,
                e,
                kind: EntityKind::Person,
                ent: Some(p),
                canonical: k.entities[p as usize].name.clone(),
                resolution: "gazetteer",
                weak: false,
                title,
            });
            continue;
        }
        let name_like = (pa..pb).all(|x| {
            let w = word(&toks[x]);
            !k.is(&k.outlets, w) && !k.is(&k.stop, w) && !k.country_words.contains_key(&w.to_lowercase())
        });
        if !name_like {
            continue;
        }
        let weak = n == 1 && !title_before || headline || place_prep && n == 1 || pi > 0 && n == 1;
        // A lone word keeps an empty canonical unless a title vouched for it.
        let canonical = if n == 1 && !title_before {
            String::new()
        } else {
            surface.to_string()
        };
        cands.push(Cand {
            s,
            e,
            kind: EntityKind::Person,
            ent: None,
            canonical,
            resolution: "name",
            weak,
            title,
        });
    }
}

fn is_all_caps(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(|c| c.is_lowercase())
}
