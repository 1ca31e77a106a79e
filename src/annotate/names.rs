//! Per-article name stage: finds person, organisation and place mentions and
//! resolves them inside the article (gazetteer, coreference, role by date).
//! Cross-article merging lives in `entities.rs`.
#![allow(missing_docs)]

use chrono::NaiveDate;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
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
    /// The title a person was named with, or the role an open description
    /// names: the cross-article resolver learns who holds which role from
    /// the first and resolves the second.
    pub role: Option<Box<RoleSig>>,
}

/// What a title ("President of Russia Vladimir Putin") or a role
/// description ("the Russian President") says about a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleSig {
    pub head: String,
    pub mods: Vec<String>,
    /// Modifiers of a lower office ("deputy"), which a description must
    /// carry too.
    pub lower: Vec<String>,
    pub qual: Vec<String>,
    pub country: Option<String>,
    pub date: Option<NaiveDate>,
    /// A description that no person of its article fits: the cross-article
    /// resolver gives it the person titled that way nearest in time.
    pub open: bool,
}

impl RoleSig {
    fn new(sig: Sig, date: Option<NaiveDate>, open: bool, k: &NameKnowledge) -> Box<RoleSig> {
        let lower = sig.mods.iter().filter(|m| k.is(LOWER_RANK, m)).cloned().collect();
        Box::new(RoleSig {
            head: sig.head,
            mods: sig.mods,
            lower,
            qual: sig.qual,
            country: sig.country,
            date,
            open,
        })
    }

    /// The head nouns of titles this description may fit ("the Russian
    /// leader" is its president, chancellor or prime minister).
    pub fn title_heads(&self) -> &'static [&'static str] {
        match self.head.as_str() {
            "leader" => &["leader", "president", "chancellor", "minister"],
            _ => &[],
        }
    }

    /// This description fits title `t` seen in another article: same head,
    /// its modifiers among the title's and the title's lower rank in it,
    /// and the same qualifiers both ways (across articles a looser match
    /// would take "the Head of the Office" for the head of any office). A
    /// description without a qualifier ("the President") fits nobody: only
    /// its own article could say whose role it is.
    pub fn describes(&self, t: &RoleSig) -> bool {
        if self.qual.is_empty() {
            return false;
        }
        let head_ok = self.head == t.head
            || self.head == "leader"
                && (matches!(t.head.as_str(), "president" | "chancellor")
                    || t.head == "minister" && t.mods.iter().any(|m| m == "prime"));
        if !head_ok || !self.mods.iter().all(|m| t.mods.contains(m)) || !t.lower.iter().all(|m| self.mods.contains(m)) {
            return false;
        }
        if let (Some(a), Some(b)) = (&self.country, &t.country) {
            if a != b {
                return false;
            }
        }
        let covered = |a: &[String], b: &[String]| a.iter().all(|q| b.iter().any(|x| qual_word_match(q, x)));
        covered(&self.qual, &t.qual) && covered(&t.qual, &self.qual)
    }
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
    title_connectors: Vec<String>,
    lower_ranks: Vec<String>,
    #[serde(default)]
    demonyms: Vec<String>,
    #[serde(default)]
    nicknames: HashMap<String, String>,
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
    /// (role, country) -> index into `groups`.
    group_by_role: HashMap<(String, String), u32>,
    phrase_groups: Vec<Vec<u32>>,
    groups: Vec<RoleGroup>,
    country_words: HashMap<String, String, WordBuild>,
    person_by_fold: HashMap<String, u32, WordBuild>,
    /// Some gazetteer person name is a single word.
    one_word_people: bool,
    /// Folded surname -> person, None when two gazetteer people share it.
    person_by_surname: HashMap<String, Option<u32>, WordBuild>,
    /// Lowercase word -> its word-list bits and the gazetteer phrases it
    /// starts, so that a token is classified with one probe.
    words: WordTable,
    /// Folded familiar given name -> folded formal one (`joe` -> `joseph`).
    nicknames: HashMap<String, String, WordBuild>,
}

// Word-list bits of `NameKnowledge::classes`.
const TITLE: u16 = 1;
const ROLE: u16 = 2;
const STOP: u16 = 4;
const OUTLET: u16 = 8;
const ORG: u16 = 16;
const PLACE: u16 = 32;
const PLACE_PREP: u16 = 64;
const NON_REF: u16 = 128;
const CONNECT: u16 = 256;
const LOWER_RANK: u16 = 512;
const DEMONYM: u16 = 1024;
/// A key of `NameKnowledge::country_words`: a run's word is tested with the
/// class its token already has instead of a lowercased copy and a probe.
const COUNTRY: u16 = 2048;

/// What the name finder knows about one lowercase word: its word-list bits
/// and the gazetteer phrases that start with it. Keying phrases by their
/// first word lets the tokenizer find them with the one hash probe it makes
/// per word anyway, instead of an automaton run over every byte.
#[derive(Default)]
struct WordEntry {
    cls: u16,
    /// Entity names starting with this word (exact case).
    names: Vec<Phrase>,
    /// Role phrases starting with this word (exact case).
    roles: Vec<Phrase>,
    /// Bits (`next_bit`) of the bytes after the first word and separator
    /// of the multi-word `names` and `roles`: most words that start phrases
    /// ("the") are followed by a byte that continues none of them, and the
    /// bits reject those without a search.
    names_next: u64,
    roles_next: u64,
}

#[inline]
fn next_bit(x: u8) -> u64 {
    1 << (x % 64)
}

/// A phrase under its first word: (the byte after the first word and its
/// separator, 0 for a one-word phrase; the phrase; its target). Sorted by
/// that byte, then longest first, so a lookup only tries the phrases that
/// continue like the text.
type Phrase = (u8, Box<str>, Target);

/// Open-addressing table of lowercase words. A lookup hashes the word eight
/// bytes at a time, lowercasing as it goes, so classifying a token copies
/// and allocates nothing; the slots are 4 bytes and the keys sit in one
/// arena, so the table stays in the first-level cache.
#[derive(Default)]
struct WordTable {
    /// All keys, back to back; `spans` holds (offset, length) per entry.
    arena: Vec<u8>,
    spans: Vec<(u32, u32)>,
    /// The first 16 bytes of each key as two zero-padded words: a token of
    /// up to 16 bytes compares with two word compares.
    heads: Vec<[u64; 2]>,
    entries: Vec<WordEntry>,
    /// High 16 hash bits << 16 | (entry index + 1); 0 when empty. The
    /// length is a power of two. The hash bits spare most misses a key read.
    slots: Vec<u32>,
    longest: usize,
    /// Bloom bits (`lower_bit`) of the keys a lowercase token needs: role,
    /// title and connector words and the starts of lowercase phrases.
    lower_filter: Vec<u64>,
    /// Bloom bits (`key_bit`) of all keys: most capitalised words are no
    /// key, and this spares an ASCII one the hash and the probe.
    key_filter: Vec<u64>,
}

/// A bit of `WordTable::lower_filter` from the length and three bytes of a
/// word, cheaper than hashing it whole.
#[inline]
fn lower_bit(w: &[u8]) -> usize {
    filter_hash(w) & 4095
}

/// A bit of `WordTable::key_filter`, from the same bytes as `lower_bit`.
#[inline]
fn key_bit(w: &[u8]) -> usize {
    filter_hash(w) & 0xffff
}

#[inline]
fn filter_hash(w: &[u8]) -> usize {
    let (Some(&a), Some(&z)) = (w.first(), w.last()) else {
        return 0;
    };
    let m = w.get(1).copied().unwrap_or(0);
    // `| 0x20` lowercases the ASCII letters and may merge other bytes: the
    // filters only gate an exact lookup, so a merge costs a probe, not a
    // result, and the plain OR is cheaper than `to_ascii_lowercase`.
    let x = ((a | 0x20) as usize) * 961 + ((m | 0x20) as usize) * 31 + (z | 0x20) as usize;
    (x.wrapping_mul(0x9e37_79b9) >> 7) ^ (w.len() * 97)
}

#[inline]
fn has_bit(filter: &[u64], bit: usize) -> bool {
    filter.get(bit / 64).is_some_and(|x| x >> (bit % 64) & 1 == 1)
}

/// `| 0x20` on every byte lowercases an ASCII letter and keeps digits, '-',
/// '\'' and '.' as they are: the bytes of an ASCII token.
const LOWER_BITS: u64 = 0x2020_2020_2020_2020;

/// Bytes `at..at + n` of `b` (n from 1 to 8), zero-padded, as a
/// little-endian word. Inside a text a plain 8-byte load serves.
#[inline]
fn load_word(b: &[u8], at: usize, n: usize) -> u64 {
    let mask = u64::MAX >> (64 - 8 * n);
    match b.get(at..at + 8) {
        Some(x) => u64::from_le_bytes(x.try_into().unwrap_or([0; 8])) & mask,
        // At the end of a word passed on its own: a copy of so few bytes
        // would be a call to `memcpy`.
        None => b[at..at + n].iter().rev().fold(0, |x, &c| x << 8 | u64::from(c)),
    }
}

/// Hash of the word `b[s..e]` and its first 16 bytes as `heads` holds them,
/// each byte `| 0x20`: an ASCII word hashes like its lowercase, and the
/// heads of an ASCII token are those of its lowercase.
#[inline]
fn word_hash_at(b: &[u8], s: usize, e: usize) -> (u64, [u64; 2]) {
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    let chunk = |at: usize| {
        let m = (e - at).min(8);
        load_word(b, at, m) | LOWER_BITS >> (64 - 8 * m)
    };
    let n = e - s;
    if n == 0 {
        return (0, [0; 2]);
    }
    // Most words fit the first chunk.
    let first = chunk(s);
    let mut h = mix(n as u64, first);
    let mut heads = [first, 0];
    if n > 8 {
        heads[1] = chunk(s + 8);
        h = mix(h, heads[1]);
        let mut at = s + 16;
        while at < e {
            h = mix(h, chunk(at));
            at += 8;
        }
    }
    (h ^ h >> 29, heads)
}

#[inline]
fn word_hash(w: &[u8]) -> u64 {
    word_hash_at(w, 0, w.len()).0
}

impl WordTable {
    fn new(map: HashMap<Box<str>, WordEntry, WordBuild>) -> Result<WordTable, String> {
        let mut items: Vec<(Box<str>, WordEntry)> = map.into_iter().collect();
        if items.len() >= 0xffff {
            return Err(format!("names: {} distinct words, at most 65534", items.len()));
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        let n = (items.len() + items.len() / 2).next_power_of_two().max(16);
        let mut t = WordTable {
            slots: vec![0; n],
            lower_filter: vec![0; 64],
            key_filter: vec![0; 1024],
            ..WordTable::default()
        };
        let set = |filter: &mut [u64], bit: usize| filter[bit / 64] |= 1 << (bit % 64);
        for (key, mut entry) in items {
            for v in [&mut entry.names, &mut entry.roles] {
                v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())));
            }
            let next_bytes = |v: &[Phrase]| v.iter().filter(|x| x.0 != 0).fold(0, |m, x| m | next_bit(x.0));
            entry.names_next = next_bytes(&entry.names);
            entry.roles_next = next_bytes(&entry.roles);
            let h = word_hash(key.as_bytes());
            // Phrases match in exact case: one that starts with a capital
            // never starts at a lowercase token.
            let lower_phrase = |v: &[Phrase]| v.iter().any(|p| !p.1.starts_with(char::is_uppercase));
            if entry.cls & (ROLE | TITLE | CONNECT) != 0 || lower_phrase(&entry.names) || lower_phrase(&entry.roles) {
                set(&mut t.lower_filter, lower_bit(key.as_bytes()));
            }
            set(&mut t.key_filter, key_bit(key.as_bytes()));
            let mut i = h as usize & (n - 1);
            while t.slots[i] != 0 {
                i = (i + 1) & (n - 1);
            }
            t.longest = t.longest.max(key.len());
            t.spans.push((t.arena.len() as u32, key.len() as u32));
            let kb = key.as_bytes();
            let head = |at: usize| {
                if at < kb.len() {
                    load_word(kb, at, (kb.len() - at).min(8))
                } else {
                    0
                }
            };
            t.heads.push([head(0), head(8)]);
            t.arena.extend_from_slice(kb);
            t.entries.push(entry);
            t.slots[i] = ((h >> 48) as u32) << 16 | t.entries.len() as u32;
        }
        Ok(t)
    }

    /// False when a word cannot be a role or title word or a phrase start.
    #[inline]
    fn may_start_lower(&self, w: &[u8]) -> bool {
        has_bit(&self.lower_filter, lower_bit(w))
    }

    /// The entry of the ASCII token `b[s..e]`, through the filter its case
    /// calls for: a lowercase token is looked up only as a role, title or
    /// connector word or a lowercase phrase start (its other entries say
    /// nothing about it).
    #[inline]
    fn get_ascii_token(&self, b: &[u8], s: usize, e: usize, upper: bool) -> Option<&WordEntry> {
        // Most tokens are no key: the filters cost less than the hash.
        let w = &b[s..e];
        let (filter, bit) = if upper {
            (&self.key_filter, key_bit(w))
        } else {
            (&self.lower_filter, lower_bit(w))
        };
        if w.len() > self.longest || self.slots.is_empty() || !has_bit(filter, bit) {
            return None;
        }
        let (h, heads) = word_hash_at(b, s, e);
        if w.len() <= 16 {
            self.find(w, h, |e| self.heads[e] == heads)
        } else {
            self.find(w, h, |e| {
                self.key(e).iter().zip(w).all(|(&a, &b)| a == b.to_ascii_lowercase())
            })
        }
    }

    #[inline]
    fn get(&self, word: &str) -> Option<&WordEntry> {
        if word.len() > self.longest || self.slots.is_empty() {
            return None;
        }
        let w = word.as_bytes();
        if !word.is_ascii() {
            let lower = word.to_lowercase();
            return self.find(lower.as_bytes(), word_hash(lower.as_bytes()), |e| {
                self.key(e) == lower.as_bytes()
            });
        }
        // Keys are lowercase, so an ASCII word compares with its bytes
        // lowercased.
        self.find(w, word_hash(w), |e| {
            self.key(e).iter().zip(w).all(|(&a, &b)| a == b.to_ascii_lowercase())
        })
    }

    /// `get` of `text[s..e]`: an ASCII word is hashed in place, where the
    /// text around it lets each chunk be one load.
    #[inline]
    fn get_at(&self, text: &str, s: usize, e: usize) -> Option<&WordEntry> {
        let w = &text.as_bytes()[s..e];
        if w.len() > self.longest || self.slots.is_empty() {
            return None;
        }
        if !w.is_ascii() {
            return self.get(&text[s..e]);
        }
        let (h, _) = word_hash_at(text.as_bytes(), s, e);
        self.find(w, h, |e| {
            self.key(e).iter().zip(w).all(|(&a, &b)| a == b.to_ascii_lowercase())
        })
    }

    #[inline]
    fn key(&self, e: usize) -> &[u8] {
        let (off, len) = self.spans[e];
        &self.arena[off as usize..(off + len) as usize]
    }

    /// The entry whose key has the length of `word` and passes `eq`, given
    /// the entry index.
    #[inline]
    fn find(&self, word: &[u8], h: u64, eq: impl Fn(usize) -> bool) -> Option<&WordEntry> {
        let mask = self.slots.len() - 1;
        let tag = (h >> 48) as u32;
        let mut i = h as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 16 == tag {
                let e = (slot & 0xffff) as usize - 1;
                if self.spans[e].1 as usize == word.len() && eq(e) {
                    return Some(&self.entries[e]);
                }
            }
            i = (i + 1) & mask;
        }
    }
}

/// Adds a phrase under its first alphanumeric run; a phrase already present
/// keeps its first target. `WordTable::new` sorts the lists.
fn insert_phrase(words: &mut HashMap<Box<str>, WordEntry, WordBuild>, role: bool, phrase: &str, t: Target) {
    let first = &phrase[..alnum_run_end(phrase, 0)];
    if first.is_empty() {
        return;
    }
    let e = words.entry(first.to_lowercase().into()).or_default();
    let v = if role { &mut e.roles } else { &mut e.names };
    if !v.iter().any(|(_, p, _)| &**p == phrase) {
        let next = phrase.as_bytes().get(first.len() + 1).copied().unwrap_or(0);
        v.push((next, phrase.into(), t));
    }
}

/// The longest phrase of `v` that the text continues with at `i` and that
/// ends at a word end; `run_end` ends the first word and `next` holds the
/// bits of the bytes that follow it in the multi-word phrases of `v`.
#[inline]
fn match_phrase(text: &str, i: usize, run_end: usize, v: &[Phrase], next: u64) -> Option<(usize, Target)> {
    let b = text.as_bytes();
    // A word can start many phrases that share their first bytes ("President
    // of ..."): the phrase's last byte, compared first, rejects most of them
    // without a full comparison.
    let fits = |p: &str| {
        let p = p.as_bytes();
        p.last().is_some_and(|z| b.get(i + p.len() - 1) == Some(z))
            && b[i..].starts_with(p)
            && text[i + p.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
    };
    let after = b.get(run_end + 1).copied().unwrap_or(0);
    let lo = if after != 0 && next & next_bit(after) != 0 {
        v.partition_point(|x| x.0 < after)
    } else {
        v.len()
    };
    let longer = v[lo..].iter().take_while(|x| x.0 == after);
    // One-word phrases (byte 0) are shorter than any longer one.
    let one_word = v.iter().take_while(|x| x.0 == 0);
    longer
        .chain(one_word)
        .find(|x| fits(&x.1))
        .map(|x| (i + x.1.len(), x.2))
}

/// The char at byte `i` and its length, with a fast path for ASCII.
#[inline]
fn char_len_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        (b as char, 1)
    } else {
        let c = text[i..].chars().next().unwrap_or(' ');
        (c, c.len_utf8())
    }
}

/// End of the run of alphanumeric chars that starts at byte `i`.
fn alnum_run_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        if b[i] < 0x80 {
            if !b[i].is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            let (c, n) = char_len_at(text, i);
            if !c.is_alphanumeric() {
                break;
            }
            i += n;
        }
    }
    i
}

/// FxHash-style hasher for the short word keys of the lexicon sets: the
/// sets are probed once per token, where SipHash dominates.
#[derive(Default, Clone, Copy)]
pub(crate) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            h = (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        self.0 = h;
    }
}

pub(crate) type WordBuild = std::hash::BuildHasherDefault<WordHasher>;

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
        let mut words: HashMap<Box<str>, WordEntry, WordBuild> = HashMap::default();
        for (list, bit) in [
            (lex.titles, TITLE),
            (lex.role_nouns, ROLE),
            (lex.stop_capitals, STOP),
            (lex.outlets, OUTLET),
            (lex.org_words, ORG),
            (lex.place_words, PLACE),
            (lex.place_prepositions, PLACE_PREP),
            (lex.non_referring_before, NON_REF),
            (lex.title_connectors, CONNECT),
            (lex.lower_ranks, LOWER_RANK),
            (lex.demonyms, DEMONYM),
        ] {
            for w in list {
                words.entry(w.to_lowercase().into()).or_default().cls |= bit;
            }
        }
        let mut k = NameKnowledge {
            entities: Vec::new(),
            group_by_role: HashMap::new(),
            phrase_groups: Vec::new(),
            groups: Vec::new(),
            country_words: HashMap::default(),
            person_by_fold: HashMap::default(),
            one_word_people: false,
            person_by_surname: HashMap::default(),
            words: WordTable::default(),
            nicknames: lex.nicknames.iter().map(|(a, b)| (fold_key(a), fold_key(b))).collect(),
        };
        if let Some(g) = gazetteer {
            k.load_gazetteer(&g, &mut words)?;
        }
        for w in k.country_words.keys() {
            words.entry(w.as_str().into()).or_default().cls |= COUNTRY;
        }
        k.words = WordTable::new(words)?;
        Ok(k)
    }

    fn load_gazetteer(
        &mut self,
        g: &GazetteerText<'_>,
        words: &mut HashMap<Box<str>, WordEntry, WordBuild>,
    ) -> Result<(), String> {
        // Phrase -> its target; an entity name wins over a role phrase
        // spelled the same way because entities are added first.
        let mut seen: HashMap<String, Target, WordBuild> = HashMap::default();
        let mut ids: HashMap<String, u32, WordBuild> = HashMap::default();
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
                        seen.insert(name.to_string(), Target::Entity(idx));
                        insert_phrase(words, false, name, Target::Entity(idx));
                    }
                    if kind == EntityKind::Person {
                        let key = fold_key(name);
                        self.one_word_people |= !key.contains(' ');
                        self.person_by_fold.entry(key).or_insert(idx);
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
                        Some(&Target::Role(pg)) => {
                            let v = &mut self.phrase_groups[pg as usize];
                            if !v.contains(&gi) {
                                v.push(gi);
                            }
                        }
                        Some(&Target::Entity(_)) => {}
                        None => {
                            let t = Target::Role(self.phrase_groups.len() as u32);
                            self.phrase_groups.push(vec![gi]);
                            seen.insert(ph.to_string(), t);
                            insert_phrase(words, true, ph, t);
                            if ph.contains('\'') {
                                insert_phrase(words, true, &ph.replace('\'', "’"), t);
                            }
                        }
                    }
                }
            }
        }
        self.group_by_role = group_of;
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

    /// The word-list bits of one word, matched case-insensitively.
    /// The key under which a person's name is matched across articles: the
    /// folded name with a familiar first given name made formal, so that
    /// "Joe Biden" and "Joseph Biden" meet. A lone word stays as it is.
    pub fn person_key(&self, name: &str) -> String {
        formal_key(&self.nicknames, fold_key(name))
    }

    pub(crate) fn nicknames(&self) -> &HashMap<String, String, WordBuild> {
        &self.nicknames
    }

    fn class(&self, word: &str) -> u16 {
        self.entry(word).map_or(0, |e| e.cls)
    }

    fn entry(&self, word: &str) -> Option<&WordEntry> {
        self.words.get(word)
    }

    fn is(&self, bits: u16, word: &str) -> bool {
        self.class(word) & bits != 0
    }
}

/// A folded name with its familiar first given name made formal.
pub(crate) fn formal_key(nicknames: &HashMap<String, String, WordBuild>, key: String) -> String {
    let Some((first, rest)) = key.split_once(' ') else {
        return key;
    };
    match nicknames.get(first) {
        Some(formal) => format!("{formal} {rest}"),
        None => key,
    }
}

/// Transliteration-folded key: case, accents, punctuation and the usual
/// Russian/Ukrainian romanisation alternations collapse to one spelling.
pub fn fold_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // Only a long or non-ASCII name needs the scratch buffer: an empty Vec
    // costs no allocation for the others.
    let mut scratch = Vec::new();
    fold_into(name, &mut out, &mut scratch);
    out
}

/// Romanisation alternations, applied in order to each word.
const FOLD_RULES: [(&[u8], &[u8]); 12] = [
    (b"shch", b"sh"),
    (b"sch", b"sh"),
    (b"kh", b"h"),
    (b"ye", b"e"),
    (b"yo", b"e"),
    (b"ie", b"e"),
    (b"io", b"e"),
    (b"ey", b"i"),
    (b"ei", b"i"),
    (b"y", b"i"),
    (b"j", b"i"),
    (b"ks", b"x"),
];

/// Replaces every non-overlapping `pat` by `rep` in place, left to right
/// (`rep` is never longer than `pat`); returns the new length.
fn replace_in_place(w: &mut [u8], pat: &[u8], rep: &[u8]) -> usize {
    if w.len() < pat.len() {
        return w.len();
    }
    let (mut r, mut o) = (0, 0);
    while r < w.len() {
        // Patterns are 1 to 4 bytes: a byte loop beats a memcmp call.
        if w.len() - r >= pat.len() && pat.iter().zip(&w[r..]).all(|(a, b)| a == b) {
            w[o..o + rep.len()].copy_from_slice(rep);
            o += rep.len();
            r += pat.len();
        } else {
            w[o] = w[r];
            o += 1;
            r += 1;
        }
    }
    o
}

/// Bit `c - 'a'` for every lowercase ASCII letter of `w`.
#[inline]
fn letter_mask(w: &[u8]) -> u32 {
    w.iter()
        .filter(|b| b.is_ascii_lowercase())
        .fold(0, |m, &b| m | 1 << (b - b'a'))
}

/// What an ASCII byte becomes in the base form of a name: a letter or digit
/// lowercased, a space for whitespace and '-', 0 for a byte that is dropped.
static FOLD_BYTE: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut x = 0;
    while x < 128 {
        let c = x as u8;
        if c.is_ascii_alphanumeric() {
            t[x] = c.to_ascii_lowercase();
        } else if matches!(c, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | b'-') {
            // `char::is_whitespace` of an ASCII byte, and '-'.
            t[x] = b' ';
        }
        x += 1;
    }
    t
};

/// `fold_key` into reused buffers: `out` is cleared first; `scratch` is the
/// working space of the base form of a long or non-ASCII name.
pub(crate) fn fold_into(name: &str, out: &mut String, scratch: &mut Vec<u8>) {
    out.clear();
    // Names are short and nearly all ASCII: their base form is built in a
    // stack buffer, a table lookup per byte, where the compiler keeps the
    // buffer in registers and no push checks a capacity.
    let mut buf = [0u8; 64];
    if name.is_ascii() && name.len() <= buf.len() {
        let mut n = 0;
        // A word no rule can rewrite needs only its doubled letters
        // collapsed: `may_fold` over the whole base form, its pairs never
        // spanning a space, tells whether any word needs the rules.
        let (mut prev, mut fold) = (0u8, 0u8);
        for &b in name.as_bytes() {
            let c = FOLD_BYTE[usize::from(b & 0x7f)];
            buf[n] = c;
            // A dropped byte (0) starts no pattern.
            fold |= FOLD_FIRST[usize::from(prev & 0x7f)] & FOLD_SECOND[usize::from(c & 0x7f)];
            if c != 0 {
                prev = c;
                n += 1;
            }
        }
        let base = &mut buf[..n];
        let kept = if fold != 0 { fold_words(base) } else { squeeze(base) };
        out.push_str(std::str::from_utf8(&buf[..kept]).unwrap_or_default());
        return;
    }
    scratch.clear();
    base_form(name, scratch);
    let kept = fold_words(scratch);
    out.push_str(std::str::from_utf8(&scratch[..kept]).unwrap_or_default());
}

/// The base form of `name`: ASCII letters and digits lowercased, accents
/// stripped, whitespace and '-' as spaces, other chars dropped.
fn base_form(name: &str, scratch: &mut Vec<u8>) {
    if name.is_ascii() {
        scratch.extend(name.bytes().map(|b| FOLD_BYTE[usize::from(b)]).filter(|&c| c != 0));
        return;
    }
    for c in name.nfd() {
        match c {
            'ł' | 'Ł' => scratch.push(b'l'),
            'ø' | 'Ø' => scratch.push(b'o'),
            'ß' => scratch.extend_from_slice(b"ss"),
            'đ' | 'Đ' => scratch.push(b'd'),
            'ı' => scratch.push(b'i'),
            c if c.is_ascii_alphanumeric() => scratch.push(c.to_ascii_lowercase() as u8),
            c if c.is_whitespace() || c == '-' => scratch.push(b' '),
            _ => {}
        }
    }
}

/// The folded name of base form `w`, its words joined by single spaces and
/// their doubled letters collapsed, written to the front of `w`; returns
/// its length. For a base form whose words no rule rewrites.
fn squeeze(w: &mut [u8]) -> usize {
    let (mut kept, mut prev, mut space) = (0, 0u8, false);
    for r in 0..w.len() {
        let c = w[r];
        if c == b' ' {
            prev = 0;
            space = kept > 0;
            continue;
        }
        // `kept` stays behind `r`: a space is written only for a space
        // byte skipped before.
        if space {
            w[kept] = b' ';
            kept += 1;
            space = false;
        }
        if c != prev {
            w[kept] = c;
            kept += 1;
        }
        prev = c;
    }
    kept
}

/// `squeeze` with the words of `FOLD_RULES` rewritten first.
fn fold_words(w: &mut [u8]) -> usize {
    // Each word is rewritten in place (no rule lengthens a word), and the
    // bytes a rewrite frees at its end become spaces, which `squeeze` drops
    // as it joins the words and collapses their doubled letters.
    let len = w.len();
    let mut start = 0;
    while start < len {
        // Words are short: a plain scan beats a memchr call.
        let end = w[start..].iter().position(|&c| c == b' ').map_or(len, |p| start + p);
        let word = &mut w[start..end];
        if may_fold(word) {
            // Letters present, so that a rule whose pattern cannot occur
            // costs one mask test.
            let mut have = letter_mask(word);
            let mut n = word.len();
            for (&(pat, rep), &need) in FOLD_RULES.iter().zip(FOLD_MASKS.iter()) {
                if have & need == need {
                    let m = replace_in_place(&mut word[..n], pat, rep);
                    if m != n {
                        have = letter_mask(&word[..m]);
                    }
                    n = m;
                }
            }
            word[n..].fill(b' ');
        }
        start = end + 1;
    }
    squeeze(w)
}

/// False when no rule of `FOLD_RULES` finds its pattern in `w`: no `y` or
/// `j`, and none of the pairs the other patterns contain (`ch` for `sch` and
/// `shch`). A rule rewrites only a pattern it finds, so such a word, most
/// words, stays as it is and is spared the rules.
#[inline]
fn may_fold(w: &[u8]) -> bool {
    let mut prev = 0u8;
    for &c in w {
        if may_fold_pair(prev, c) {
            return true;
        }
        prev = c;
    }
    false
}

/// Whether byte `c` after `prev` (0 at a word start) may start or end a
/// pattern of `FOLD_RULES` (see `may_fold`).
#[inline]
fn may_fold_pair(prev: u8, c: u8) -> bool {
    FOLD_FIRST[usize::from(prev & 0x7f)] & FOLD_SECOND[usize::from(c & 0x7f)] != 0
}

/// The pairs of `may_fold`: one bit each in `FOLD_FIRST` of the first byte
/// and in `FOLD_SECOND` of the second, so that a pair is tested with two
/// lookups and no branch. Bit 7 is set for every first byte and for the
/// second bytes `y` and `j`, which need no pair.
const FOLD_PAIRS: [(u8, u8); 6] = [
    (b'k', b'h'),
    (b'i', b'e'),
    (b'i', b'o'),
    (b'e', b'i'),
    (b'k', b's'),
    (b'c', b'h'),
];

static FOLD_FIRST: [u8; 128] = {
    let mut t = [0x80u8; 128];
    let mut p = 0;
    while p < FOLD_PAIRS.len() {
        t[FOLD_PAIRS[p].0 as usize] |= 1 << p;
        p += 1;
    }
    t
};

static FOLD_SECOND: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut p = 0;
    while p < FOLD_PAIRS.len() {
        t[FOLD_PAIRS[p].1 as usize] |= 1 << p;
        p += 1;
    }
    t[b'y' as usize] |= 0x80;
    t[b'j' as usize] |= 0x80;
    t
};

/// `letter_mask` of each pattern of `FOLD_RULES`.
const FOLD_MASKS: [u32; FOLD_RULES.len()] = {
    let mut m = [0u32; FOLD_RULES.len()];
    let mut i = 0;
    while i < FOLD_RULES.len() {
        let p = FOLD_RULES[i].0;
        let mut j = 0;
        while j < p.len() {
            m[i] |= 1 << (p[j] - b'a');
            j += 1;
        }
        i += 1;
    }
    m
};

pub fn slug(name: &str) -> String {
    // Decomposing ASCII changes nothing, and `nfd` costs more than the rest.
    if name.is_ascii() {
        slug_of(name.bytes().map(char::from))
    } else {
        slug_of(name.nfd())
    }
}

fn slug_of(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    for c in chars {
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
    /// Word-list bits of the token (`NameKnowledge::class`); only `ROLE`,
    /// `TITLE` and `CONNECT` for a token that is not capitalised.
    cls: u16,
}

// `BYTE_CLASS` bits.
/// An ASCII byte that is no letter or digit: it lies between tokens.
const GAP: u8 = 1;
/// A gap byte after which a sentence starts.
const SENTENCE: u8 = 2;

/// Classes of the bytes between tokens, so that the scan tests a byte once.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut x = 0;
    while x < 0x80 {
        let c = x as u8;
        if !c.is_ascii_alphanumeric() {
            t[x] = GAP;
        }
        if matches!(c, b'\n' | b'!' | b'?' | b':' | b'"' | b'|') {
            t[x] |= SENTENCE;
        }
        x += 1;
    }
    t
};

/// Length of the run of ASCII lowercase letters at `b[at..]`, read eight
/// bytes at a time.
#[inline]
fn lowercase_run(b: &[u8], at: usize) -> usize {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut j = at;
    while j < b.len() {
        // The bytes after the run need no mask: the run stops before them.
        let x = match b.get(j..j + 8) {
            Some(x) => u64::from_le_bytes(x.try_into().unwrap_or([0; 8])),
            None => load_word(b, j, b.len() - j),
        };
        // Per byte below 0x80, `+ (0x80 - c)` sets the high bit when the byte
        // is at least `c` and cannot carry into the next byte. The zero
        // padding past the text's end stops the run.
        let low = x & LOW7;
        let lower = (low + (0x80 - u64::from(b'a')) * ONES) & !(low + (0x80 - u64::from(b'z' + 1)) * ONES) & !x;
        let n = (!lower & HIGH).trailing_zeros() as usize / 8;
        j += n;
        if n < 8 {
            break;
        }
    }
    j - at
}

/// Splits the text into word tokens, classifies each through the word
/// table and collects the gazetteer entity (`names`) and role phrase
/// (`roles`) matches that start at a word start. Returns whether the text
/// is all ASCII: every other byte takes a branch of its own here, so the
/// answer costs no pass of its own.
fn tokenize(
    text: &str,
    k: &NameKnowledge,
    out: &mut Vec<Tok>,
    names: &mut Vec<(usize, usize, Target)>,
    roles: &mut Vec<(usize, usize, Target)>,
) -> bool {
    let b = text.as_bytes();
    let mut all_ascii = true;
    let mut i = 0;
    let mut sentence_start = true;
    let mut prev_end = usize::MAX;
    let (mut names_end, mut roles_end) = (0, 0);
    // Phrases may start at a word start: a token start after a non-word
    // char, or an inner part after a hyphen, period or apostrophe.
    let mut phrases_at = |p: usize, run_end: usize, entry: Option<&WordEntry>| {
        let Some(entry) = entry else { return };
        if p >= names_end && !entry.names.is_empty() {
            if let Some((e, t)) = match_phrase(text, p, run_end, &entry.names, entry.names_next) {
                names.push((p, e, t));
                names_end = e;
            }
        }
        if p >= roles_end && !entry.roles.is_empty() {
            if let Some((e, t)) = match_phrase(text, p, run_end, &entry.roles, entry.roles_next) {
                roles.push((p, e, t));
                roles_end = e;
            }
        }
    };
    while i < b.len() {
        // ASCII spaces and punctuation, most of what lies between tokens,
        // need no char decoding.
        let x = b[i];
        let class = BYTE_CLASS[x as usize];
        if class & GAP != 0 {
            if class & SENTENCE != 0 {
                sentence_start = true;
            }
            if x == b'.' {
                // An initial or a short abbreviation ("J.", "Gen.", "U.S.") does
                // not end the sentence.
                let short = out.last().is_some_and(|t: &Tok| t.e == i && t.e - t.s <= 4 && t.upper);
                if !short {
                    sentence_start = true;
                }
            }
            i += 1;
            continue;
        }
        // An ASCII byte that is no gap is a letter or digit: only a char of
        // more bytes needs decoding.
        if x >= 0x80 {
            all_ascii = false;
            let (c, n) = char_len_at(text, i);
            if !c.is_alphanumeric() {
                if c == '“' {
                    sentence_start = true;
                }
                i += n;
                continue;
            }
        }
        let s = i;
        let mut j = i;
        let mut last_lower_run = 0usize;
        let mut split_at = None;
        let mut inner = false;
        // No char of more than one byte seen (bytes that end the token
        // included: the flag may only err towards false).
        let mut ascii = true;
        while j < b.len() {
            let x = b[j];
            if x.is_ascii_lowercase() {
                // Most of a token is lowercase letters: take them eight at a time.
                let n = lowercase_run(b, j);
                last_lower_run += n;
                j += n;
                continue;
            }
            if x.is_ascii_digit() {
                last_lower_run = 0;
                j += 1;
                continue;
            }
            // The ASCII cases of the branches below, without decoding a char:
            // a capital, and a space or punctuation that ends the token.
            if x.is_ascii_uppercase() {
                if last_lower_run >= 3 && j - s >= 4 {
                    split_at = Some(j);
                    break;
                }
                last_lower_run = 0;
                j += 1;
                continue;
            }
            if x < 0x80 && !matches!(x, b'-' | b'\'' | b'.') {
                break;
            }
            let (c, n) = char_len_at(text, j);
            ascii &= n == 1;
            if c.is_alphanumeric() {
                // Scraped speaker labels glue words together ("SergeiDefence"):
                // split a long lowercase run followed by a capital. Short
                // prefixes are name particles ("McFaul", "DeSantis").
                if c.is_uppercase() && last_lower_run >= 3 && j - s >= 4 {
                    split_at = Some(j);
                    break;
                }
                last_lower_run = if c.is_lowercase() { last_lower_run + 1 } else { 0 };
                j += n;
            } else if (c == '-' || c == '\'' || c == '’' || c == '.') && j + n < b.len() {
                let nx = char_len_at(text, j + n).0;
                if nx.is_alphanumeric() && !(c == '\'' || c == '’') || (nx.is_alphanumeric() && nx != 's') {
                    j += n;
                    last_lower_run = 0;
                    inner = true;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        let e = split_at.unwrap_or(j);
        all_ascii &= ascii;
        let joined = prev_end != usize::MAX && (s == prev_end || s == prev_end + 1 && b[prev_end] == b' ');
        let upper = if x < 0x80 {
            x.is_ascii_uppercase()
        } else {
            char_len_at(text, s).0.is_uppercase()
        };
        // Lowercase words matter only as role or title words or as phrase
        // starts: a bit filter spares most of them the table probe.
        let entry = if ascii {
            k.words.get_ascii_token(b, s, e, upper)
        } else if upper || k.words.may_start_lower(&b[s..e]) {
            k.entry(&text[s..e])
        } else {
            None
        };
        // A glued token start follows a letter: no phrase starts there.
        // An ASCII byte before is classed by the table, without decoding.
        let word_start = match s.checked_sub(1).map(|p| b[p]) {
            None => true,
            Some(p) if p < 0x80 => BYTE_CLASS[usize::from(p)] & GAP != 0,
            Some(_) => !char_before(text, s).is_alphanumeric(),
        };
        if word_start {
            if inner {
                let r = alnum_run_end(text, s);
                phrases_at(s, r, k.words.get_at(text, s, r));
            } else if entry.is_some_and(|x| !x.names.is_empty() || !x.roles.is_empty()) {
                phrases_at(s, e, entry);
            }
        }
        if inner {
            let mut p = s;
            while let Some(q) = text[p..e].find(|c: char| !c.is_alphanumeric()) {
                let (_, n) = char_len_at(text, p + q);
                p += q + n;
                if p < e {
                    let r = alnum_run_end(text, p);
                    phrases_at(p, r, k.words.get_at(text, p, r));
                }
            }
        }
        out.push(Tok {
            s,
            e,
            joined,
            initial: sentence_start,
            upper,
            dot: b.get(e) == Some(&b'.'),
            gaz: false,
            headline: false,
            cls: entry.map_or(0, |x| if upper { x.cls } else { x.cls & (ROLE | TITLE | CONNECT) }),
        });
        sentence_start = false;
        prev_end = e;
        i = e;
    }
    all_ascii
}

/// Drops the entity matches that a longer role phrase overlaps and reaches
/// at least as far as; returns which role phrases to keep: those that no
/// such entity match beats.
fn settle_overlaps(gaz: &mut Vec<(usize, usize, Target)>, roles: &[(usize, usize, Target)]) -> Vec<bool> {
    let mut keep_role = vec![true; roles.len()];
    // Both lists are sorted by start and free of overlaps: the roles a
    // match overlaps are a run of them that only moves forward.
    let mut lo = 0;
    gaz.retain(|g| {
        while lo < roles.len() && roles[lo].1 <= g.0 {
            lo += 1;
        }
        let mut keep = true;
        for (ri, r) in roles.iter().enumerate().skip(lo).take_while(|(_, r)| r.0 < g.1) {
            if r.1 - r.0 > g.1 - g.0 && r.1 >= g.1 {
                keep = false;
            } else {
                keep_role[ri] = false;
            }
        }
        keep
    });
    keep_role
}

/// The char that ends at byte `i`.
fn char_before(text: &str, i: usize) -> char {
    let b = text.as_bytes();
    if b[i - 1] < 0x80 {
        b[i - 1] as char
    } else {
        text[..i].chars().next_back().unwrap_or(' ')
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
        let (mut long, mut cap) = (0, 0);
        while j < toks.len() && toks[j].s < line_end {
            let t = &toks[j];
            if t.e - t.s >= 4 {
                long += 1;
                if t.upper {
                    cap += 1;
                }
            }
            j += 1;
        }
        // Headlines are short and carry no closing period; a long capitalised
        // sentence is a list of titled names, not a headline.
        let ends_sentence = || text[..line_end].trim_end().ends_with(['.', '!', '?', ':', '”', '"']);
        if long >= 4 && cap * 4 >= long * 3 && j - i <= 25 && !ends_sentence() {
            for t in &mut toks[i..j] {
                t.headline = true;
            }
        }
        i = j.max(i + 1);
    }
}

struct Cand<'a> {
    s: usize,
    e: usize,
    kind: EntityKind,
    ent: Option<u32>,
    canonical: Cow<'a, str>,
    resolution: &'static str,
    /// Needs in-article evidence (lone word, headline) before it is kept.
    weak: bool,
    title: Option<(usize, usize)>,
    /// Where `RunScratch::folds` keeps the folded surface when the name
    /// finder already folded it.
    fold: Option<(u32, u32)>,
}

/// Buffers of `process_run`: a fold, its base form and the folds kept for
/// the candidates, so that clustering does not fold a name twice.
#[derive(Default)]
struct RunScratch {
    key: String,
    base: Vec<u8>,
    folds: String,
    /// Token ranges a run splits into.
    parts: Vec<(usize, usize)>,
}

pub fn find_mentions<'a>(text: &'a str, published: Option<NaiveDate>, k: &'a NameKnowledge) -> Vec<Mention> {
    // 1. Tokens and gazetteer matches, in one pass.
    let mut toks = Vec::with_capacity(text.len() / 5);
    let mut gaz: Vec<(usize, usize, Target)> = Vec::new();
    let mut roles: Vec<(usize, usize, Target)> = Vec::new();
    let ascii = tokenize(text, k, &mut toks, &mut gaz, &mut roles);
    // Role phrases: a longer role phrase beats an entity match that
    // overlaps it ("the Pentagon chief" over "the Pentagon").
    if !roles.is_empty() {
        let keep_role = settle_overlaps(&mut gaz, &roles);
        gaz.extend(roles.into_iter().zip(keep_role).filter(|x| x.1).map(|x| x.0));
        gaz.sort_by_key(|g| (g.0, std::cmp::Reverse(g.1)));
    }
    // Tokens inside an entity match are never part of a discovered name.
    // Matches are few and sorted by start: each finds its first token by a
    // binary search, so the tokens between matches are never visited.
    let mut ti = 0;
    for g in &gaz {
        if matches!(g.2, Target::Entity(_)) {
            ti += toks[ti..].partition_point(|t| t.s < g.0);
            for t in toks[ti..].iter_mut().take_while(|t| t.s < g.1) {
                t.gaz = true;
            }
        }
    }
    mark_headlines(text, &mut toks);

    let mut cands: Vec<Cand> = Vec::new();
    for &(s, e, t) in &gaz {
        if let Target::Entity(i) = t {
            let ent = &k.entities[i as usize];
            // A title in front of a known person tells descriptions who he is.
            let title = if ent.kind == EntityKind::Person {
                let ti = toks.partition_point(|t| t.s < s);
                titled_from(text, &toks, ti).map(|ts| (ts, s.saturating_sub(1)))
            } else {
                None
            };
            cands.push(Cand {
                s,
                e,
                kind: ent.kind,
                ent: Some(i),
                canonical: Cow::Borrowed(&ent.name),
                resolution: "gazetteer",
                weak: false,
                title,
                fold: None,
            });
        }
    }

    // 2. Capitalised sequences.
    let word = |t: &Tok| &text[t.s..t.e];
    // Sized once for the article: grown from empty, the folds and the key
    // would be reallocated several times in every article.
    let mut run_scratch = RunScratch {
        key: String::with_capacity(64),
        folds: String::with_capacity(text.len() / 8),
        ..RunScratch::default()
    };
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
        process_run(text, &toks, i, j, k, &mut cands, &mut run_scratch, word);
        i = j;
    }

    // 3. In-article clustering of person names. Indexes keep this linear in
    // the number of candidates (long files hold thousands of names).
    cands.sort_by_key(|c| (c.s, std::cmp::Reverse(c.e)));
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut by_ent: HashMap<u32, usize, WordBuild> = HashMap::default();
    let mut by_key: HashMap<String, usize, WordBuild> = HashMap::default();
    let mut by_sorted: HashMap<String, Vec<usize>, WordBuild> = HashMap::default();
    let mut by_last: HashMap<String, Vec<usize>, WordBuild> = HashMap::default();
    let mut first_multi: HashMap<String, usize, WordBuild> = HashMap::default();
    let mut cl_of: Vec<Option<usize>> = vec![None; cands.len()];
    // Parsed titles by start, for the mentions' roles.
    let mut title_sigs: Vec<(usize, Sig)> = Vec::new();
    let (mut key, mut sorted, mut scratch) = (String::new(), String::new(), Vec::new());
    let folds = std::mem::take(&mut run_scratch.folds);
    let fold_cand = |c: &Cand, key: &mut String, scratch: &mut Vec<u8>| match c.fold {
        Some((a, b)) => {
            key.clear();
            key.push_str(&folds[a as usize..b as usize]);
        }
        None => fold_into(&text[c.s..c.e], key, scratch),
    };
    for (ci, c) in cands.iter().enumerate() {
        if c.kind != EntityKind::Person || c.weak {
            continue;
        }
        fold_cand(c, &mut key, &mut scratch);
        let (ntok, first, last) = key_parts(&key);
        if ntok < 2 && c.ent.is_none() {
            continue;
        }
        sorted_tokens(&key, &mut sorted);
        let mut found: Option<usize> = None;
        let mut take = |i: usize| found = Some(found.map_or(i, |f: usize| f.min(i)));
        if let Some(&i) = c.ent.and_then(|e| by_ent.get(&e)) {
            take(i);
        }
        if let Some(&i) = by_key.get(key.as_str()) {
            take(i);
        }
        if ntok >= 2 {
            if let Some(v) = by_sorted.get(sorted.as_str()) {
                take(v[0]);
            }
            for &i in by_last.get(last).map_or(&[][..], |v| &v[..]) {
                let cl = &clusters[i];
                if cl.multi && (c.ent.is_none() || cl.ent.is_none()) && strsim::jaro_winkler(&cl.first, first) >= 0.85 {
                    take(i);
                    break;
                }
            }
        }
        let idx = match found {
            Some(f) => f,
            None => {
                let i = clusters.len();
                clusters.push(Cluster {
                    canonical: c.canonical.clone(),
                    ent: c.ent,
                    first: first.to_string(),
                    multi: ntok >= 2,
                    sigs: Vec::new(),
                    starts: Vec::new(),
                });
                if let Some(e) = c.ent {
                    by_ent.entry(e).or_insert(i);
                }
                by_key.entry(key.clone()).or_insert(i);
                by_sorted.entry(sorted.clone()).or_default().push(i);
                by_last.entry(last.to_string()).or_default().push(i);
                if ntok >= 2 {
                    first_multi.insert(first.to_string(), i);
                }
                i
            }
        };
        cl_of[ci] = Some(idx);
        clusters[idx].starts.push(c.s);
        if let Some((ts, te)) = c.title {
            if let Some(sig) = parse_sig(&text[ts..te], k) {
                title_sigs.push((ts, sig.clone()));
                clusters[idx].sigs.push(sig);
            }
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
    // Lone words and headline names link to a cluster: the latest-introduced
    // cluster they fit.
    for (ci, c) in cands.iter_mut().enumerate() {
        if cl_of[ci].is_some() || c.kind != EntityKind::Person {
            continue;
        }
        fold_cand(c, &mut key, &mut scratch);
        let ntok = key_parts(&key).0;
        let best = if ntok == 1 {
            let a = by_last.get(key.as_str()).and_then(|v| v.last().copied());
            let b = first_multi.get(key.as_str()).copied();
            a.max(b)
        } else {
            sorted_tokens(&key, &mut sorted);
            by_sorted.get(sorted.as_str()).and_then(|v| v.last().copied())
        };
        if let Some(idx) = best {
            cl_of[ci] = Some(idx);
            c.weak = false;
            c.resolution = "coreference";
            c.canonical = clusters[idx].canonical.clone();
            c.ent = clusters[idx].ent;
            clusters[idx].starts.push(c.s);
            if let Some((ts, te)) = c.title {
                if let Some(sig) = parse_sig(&text[ts..te], k) {
                    title_sigs.push((ts, sig.clone()));
                    clusters[idx].sigs.push(sig);
                }
            }
        } else if ntok == 1 {
            // A title before a lone word ("Secretary Austin") is a person, but
            // only the gazetteer can say who; a weak word needs it too.
            match k.person_by_surname.get(key.as_str()) {
                Some(&Some(p)) => {
                    c.ent = Some(p);
                    c.canonical = Cow::Borrowed(&k.entities[p as usize].name);
                    c.resolution = "gazetteer";
                    c.weak = false;
                }
                // A surname two known people share is still a person's
                // ("the Biden administration"); the cross-article resolver
                // joins it to the one of them the corpus names.
                Some(None) if c.weak => {
                    c.canonical = Cow::Borrowed(&text[c.s..c.e]);
                    c.weak = false;
                }
                _ => {}
            }
        }
    }
    cands.retain(|c| !c.weak);
    for cl in &mut clusters {
        cl.starts.sort_unstable();
    }
    let date = published;

    // 4. Descriptions. (a) Role phrases of the gazetteer, resolved by the
    // article date; (b) role descriptions ("the Russian defence minister",
    // "his Russian counterpart", "Mr President") resolved to a person of this
    // article whose title fits.
    let article_country = {
        let mut counts: HashMap<&str, usize, WordBuild> = HashMap::default();
        for c in &cands {
            if let (EntityKind::Person, Some(e)) = (c.kind, c.ent) {
                *counts.entry(k.entities[e as usize].country.as_str()).or_default() += 1;
            }
        }
        let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v.first().map(|x| x.0.to_string())
    };
    // (start, end, holder, qualified by an explicit country)
    let mut gdescs: Vec<(usize, usize, u32, bool)> = Vec::new();
    for &(s, e, t) in &gaz {
        let Target::Role(pg) = t else { continue };
        let Some(date) = date else { continue };
        if followed_by_name(text, e) || followed_by_possessive(text, e) {
            continue;
        }
        let (qs, country) = qualifier_before(text, s, k);
        let (after_e, country_after) = qualifier_after(text, e, k);
        // "President of Russia Vladimir Putin": a title, not a mention.
        if after_e.is_some_and(|ae| followed_by_name(text, ae)) {
            continue;
        }
        let explicit = country.is_some() || country_after.is_some();
        let country = country.or(country_after);
        let start = qs.unwrap_or(s);
        let (ds, refer) = determiner_before(text, start, k);
        if !refer || ds.is_some_and(|d| embedded_in_description(text, d, k)) {
            continue;
        }
        let groups = &k.phrase_groups[pg as usize];
        let mut holder = k.holder(groups, country.as_deref(), date);
        if holder.is_none() && country.is_none() && ds.is_some() {
            holder = k.holder(groups, article_country.as_deref(), date);
        }
        let Some(h) = holder else { continue };
        gdescs.push((ds.unwrap_or(start), after_e.unwrap_or(e), h, explicit));
    }
    // (start, end, start of its title, index in `cands`) of each name.
    let name_spans: Vec<(usize, usize, Option<usize>, usize)> = cands
        .iter()
        .enumerate()
        // A lone unresolved capitalised word may be a qualifier the
        // description absorbs ("his Russian counterpart").
        .filter(|(_, c)| c.kind == EntityKind::Person && (c.ent.is_some() || text[c.s..c.e].contains(' ')))
        .map(|(ci, c)| (c.s, c.e, c.title.map(|t| t.0), ci))
        .collect();
    let mut descs: Vec<Cand> = Vec::new();
    // Signatures of open descriptions, by start.
    let mut open_sigs: Vec<(usize, Sig)> = Vec::new();
    // Signatures of the descriptions resolved to a person, by span: their
    // mentions' roles would parse the same span again.
    let mut desc_sigs: Vec<(usize, usize, Sig)> = Vec::new();
    for (ds, de, sig) in find_descriptions(text, &toks, k) {
        let lo = name_spans.partition_point(|n| n.1 <= ds);
        if let Some(&(ns, _, ts, ci)) = name_spans.get(lo) {
            // An apposition names the person it describes: "his Russian
            // counterpart, Minister of Defense Sergei Shoygu".
            let title_gap = |from: usize| {
                from <= ns
                    && text[from..ns].split(' ').all(|w| {
                        w.is_empty()
                            || w.starts_with(char::is_uppercase)
                            || k.is(CONNECT | TITLE, w) && w.chars().all(|c| c.is_alphanumeric() || c == '.')
                    })
            };
            if text[de..].starts_with(", ") && (ns == de + 2 || ts == Some(de + 2) || ns < de + 80 && title_gap(de + 2))
            {
                let c = &cands[ci];
                descs.push(Cand {
                    s: ds,
                    e: de,
                    kind: EntityKind::Person,
                    ent: c.ent,
                    canonical: c.canonical.clone(),
                    resolution: "coreference",
                    weak: false,
                    title: None,
                    fold: None,
                });
                desc_sigs.push((ds, de, sig));
                continue;
            }
            // Otherwise a description never overlaps or directly precedes
            // a name in its sentence.
            if ns <= de || ns <= de + 2 && !text[de..ns].contains(['.', '!', '?']) {
                continue;
            }
        }
        let Some(idx) = resolve_description(&sig, ds, &clusters, k) else {
            // No titled person fits; the gazetteer may still know the role.
            if let (Some(code), Some(date)) = (&sig.country, date) {
                let role = match sig.head.as_str() {
                    "leader" => Some("president"),
                    _ => None,
                };
                if let Some(h) = role
                    .and_then(|r| k.group_by_role.get(&(r.to_string(), code.clone())))
                    .and_then(|&g| k.holder(&[g], Some(code), date))
                {
                    gdescs.push((ds, de, h, true));
                    continue;
                }
            }
            // A definite description with a qualifier ("the President of
            // Russia") names one office holder even when this article never
            // titles him: the cross-article resolver looks for him.
            let definite = text[ds..].get(..4).is_some_and(|w| w.eq_ignore_ascii_case("the "));
            if definite && !sig.qual.is_empty() && sig.head != "counterpart" {
                descs.push(Cand {
                    s: ds,
                    e: de,
                    kind: EntityKind::Person,
                    ent: None,
                    canonical: Cow::Borrowed(&text[ds + 4..de]),
                    resolution: "role",
                    weak: false,
                    title: None,
                    fold: None,
                });
                open_sigs.push((ds, sig));
            }
            continue;
        };
        let cl = &clusters[idx];
        descs.push(Cand {
            s: ds,
            e: de,
            kind: EntityKind::Person,
            ent: cl.ent,
            canonical: cl.canonical.clone(),
            resolution: "coreference",
            weak: false,
            title: None,
            fold: None,
        });
        desc_sigs.push((ds, de, sig));
    }
    // A gazetteer role with an explicit country is judged by date and wins;
    // otherwise the person the article itself titled that way wins.
    for (s, e, h, explicit) in gdescs {
        let over = descs.iter().position(|d| d.s < e && s < d.e);
        match over {
            Some(i) if explicit || descs[i].ent.is_none() => {
                descs.swap_remove(i);
            }
            Some(_) => continue,
            None => {}
        }
        let ent = &k.entities[h as usize];
        descs.push(Cand {
            s,
            e,
            kind: EntityKind::Person,
            ent: Some(h),
            canonical: Cow::Borrowed(&ent.name),
            resolution: "role",
            weak: false,
            title: None,
            fold: None,
        });
    }
    // Descriptions resolved here teach the cross-article resolver their
    // role too.
    let mut desc_starts: Vec<usize> = descs
        .iter()
        .filter(|d| d.ent.is_some() || d.resolution == "coreference")
        .map(|d| d.s)
        .collect();
    desc_starts.sort_unstable();
    cands.extend(descs);

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
        // In an ASCII text a char is a byte.
        let chars = |s: &str| if ascii { s.len() } else { s.chars().count() };
        char_pos += chars(&text[byte_pos..c.s]);
        let cs = char_pos;
        let surface = &text[c.s..c.e];
        let ce = cs + chars(surface);
        char_pos = ce;
        byte_pos = c.e;
        last_end = c.e;
        let role = if c.resolution == "role" && c.ent.is_none() {
            open_sigs
                .iter()
                .position(|o| o.0 == c.s)
                .map(|i| RoleSig::new(open_sigs.swap_remove(i).1, date, true, k))
        } else if let (EntityKind::Person, Some((ts, te))) = (c.kind, c.title) {
            let parsed = title_sigs.iter().position(|x| x.0 == ts);
            parsed
                .map(|i| title_sigs.swap_remove(i).1)
                .or_else(|| parse_sig(&text[ts..te], k))
                .map(|sig| RoleSig::new(sig, date, false, k))
        } else if c.kind == EntityKind::Person && desc_starts.binary_search(&c.s).is_ok() {
            let parsed = desc_sigs.iter().position(|x| x.0 == c.s && x.1 == c.e);
            parsed
                .map(|i| desc_sigs.swap_remove(i).2)
                .or_else(|| parse_sig(surface, k))
                .map(|sig| RoleSig::new(sig, date, false, k))
        } else {
            None
        };
        out.push(Mention {
            char_start: cs,
            char_end: ce,
            surface: surface.to_string(),
            kind: c.kind,
            entity_id: c.ent.map(|e| k.entities[e as usize].id.clone()),
            canonical: c.canonical.into_owned(),
            resolution: c.resolution,
            role,
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
            if k.is(NON_REF, &wl) {
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
    k: &'t NameKnowledge,
    cands: &mut Vec<Cand<'t>>,
    scratch: &mut RunScratch,
    word: impl Fn(&Tok) -> &'t str + Copy,
) {
    let mut a = i;
    let mut b = j;
    // Strip stop capitals at the edges ("The", "On Friday").
    while a < b && toks[a].cls & (STOP | OUTLET) != 0 {
        a += 1;
    }
    while b > a && toks[b - 1].cls & (STOP | OUTLET) != 0 {
        b -= 1;
    }
    if a >= b {
        return;
    }
    let headline = toks[a].headline || toks[a..b].iter().all(|t| is_all_caps(word(t)));
    // Organisations and places by head word; capitalised words after the
    // last head word start a new name ("Russian Armed Forces Valery Gerasimov").
    let head = (a..b).rev().find_map(|x| {
        if toks[x].cls & ORG != 0 {
            Some((x, EntityKind::Org))
        } else if toks[x].cls & PLACE != 0 && b - a >= 2 {
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
                canonical: Cow::Borrowed(&text[s..e]),
                resolution: "name",
                weak: false,
                title: None,
                fold: None,
            });
        }
        if x + 1 < b {
            process_run(text, toks, x + 1, b, k, cands, scratch, word);
        }
        return;
    }
    // Titles: cut everything up to the last title word; a title word before
    // the run also counts ("spokeswoman Sabrina Singh", "Mr Michel").
    while b > a + 1 && toks[b - 1].cls & TITLE != 0 {
        b -= 1;
    }
    let mut title_start = None;
    // Lowercase title words right before the run are part of its title
    // ("Pentagon chief Lloyd Austin", "deputy Pentagon spokeswoman").
    let mut y = i;
    while y > 0 && i - y < 4 && toks[y].joined && toks[y - 1].cls & TITLE != 0 {
        y -= 1;
    }
    if y < i {
        title_start = Some(toks[y].s);
    }
    if let Some(x) = (a..b).rev().find(|&x| toks[x].cls & TITLE != 0) {
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
    // The token's own class lacks most bits when it is lowercase: the word
    // is looked up once for all of them.
    let prev_cls = prev.map_or(0, |_| {
        k.words.get_at(text, toks[i - 1].s, toks[i - 1].e).map_or(0, |x| x.cls)
    });
    // "Secretary of the National Security and Defense Council Oleksiy
    // Danilov", "Prime Minister of the Republic of Armenia Nikol Pashinyan":
    // a role word, a connector and capitalised words right before the run
    // are its title.
    // A lone word there is the end of the title ("the President of Russia
    // said"), not a name.
    let chain = if title_start.is_none() && b - a >= 2 {
        title_chain(text, toks, i)
    } else {
        None
    };
    if let Some(c) = chain {
        title_start = Some(toks[c].s);
    }
    let title_before = title_start.is_some() || prev_cls & TITLE != 0;
    // "President of Ukraine Volodymyr Zelenskyy": the first word after "of"
    // belongs to the title.
    let of_title = prev.is_some_and(|p| p == "of") && i >= 2 && toks[i - 2].cls & TITLE != 0 && b - a >= 3;
    if of_title {
        title_start = Some(title_start.unwrap_or(toks[i - 2].s));
        a += 1;
    }
    // Likewise after an organisation: "the US Institute of Peace William
    // Taylor".
    if prev.is_some_and(|p| p == "of") && i >= 2 && toks[i - 2].cls & ORG != 0 && b - a >= 3 && a == i {
        a += 1;
    }
    // After a longer title, the name is the run's last two words: the words
    // before them end the title's complement ("... of Armenia"). The "of"
    // rule above has already cut its complement ("President of Turkey Recep
    // Tayyip Erdoğan").
    if chain.is_some() && !of_title && b - a >= 3 {
        a = b - 2;
    }
    let place_prep = prev_cls & PLACE_PREP != 0;
    // Split a run at a repeated word: speaker labels print the name twice
    // ("Sergei Shoigu Shoigu Sergei").
    // The buffer is reused across runs: most runs are one part, and a new
    // Vec would allocate for it.
    let mut parts = std::mem::take(&mut scratch.parts);
    parts.clear();
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
        let title = if pi == 0 {
            title_start.map(|t| (t, toks[a].s.saturating_sub(1)))
        } else {
            None
        };
        // Gazetteer names have two words or more: a lone word needs no key.
        let known = if n >= 2 || k.one_word_people {
            fold_into(surface, &mut scratch.key, &mut scratch.base);
            k.person_by_fold.get(&scratch.key).copied()
        } else {
            None
        };
        if let Some(p) = known {
            cands.push(Cand {
                s,
                e,
                kind: EntityKind::Person,
                ent: Some(p),
                canonical: Cow::Borrowed(&k.entities[p as usize].name),
                resolution: "gazetteer",
                weak: false,
                title,
                fold: None,
            });
            continue;
        }
        // Run tokens are capitalised: their class holds all their bits.
        let name_like =
            (pa..pb).all(|x| toks[x].cls & (OUTLET | STOP | COUNTRY) == 0 && !(n == 1 && toks[x].cls & DEMONYM != 0));
        if !name_like {
            continue;
        }
        let weak = n == 1 && !title_before || headline || place_prep && n == 1 || pi > 0 && n == 1;
        // A lone word keeps an empty canonical unless a title vouched for it.
        let canonical = if n == 1 && !title_before { "" } else { surface };
        let fold = (n >= 2 || k.one_word_people).then(|| {
            let at = scratch.folds.len();
            scratch.folds.push_str(&scratch.key);
            (at as u32, scratch.folds.len() as u32)
        });
        cands.push(Cand {
            s,
            e,
            kind: EntityKind::Person,
            ent: None,
            canonical: Cow::Borrowed(canonical),
            resolution: "name",
            weak,
            title,
            fold,
        });
    }
    scratch.parts = parts;
}

/// Byte start of the title in front of token `i`: title words right before
/// it ("Defense Minister", "Pentagon chief"), else a `title_chain`.
fn titled_from(text: &str, toks: &[Tok], i: usize) -> Option<usize> {
    if i >= toks.len() {
        return None;
    }
    let mut y = i;
    while y > 0 && i - y < 4 && toks[y].joined && toks[y - 1].cls & TITLE != 0 {
        y -= 1;
    }
    if y < i {
        return Some(toks[y].s);
    }
    title_chain(text, toks, i).map(|c| toks[c].s)
}

/// The first token of a title that ends right before token `i`: a role word
/// followed by connectors ("of", "the", "to", ...) and capitalised words, with
/// at least one "of" or "to" after the role word, plus title words in front
/// of it. The leftmost such role word wins ("Adviser to the Head of the
/// Office of the President Mykhailo Podolyak").
fn title_chain(text: &str, toks: &[Tok], i: usize) -> Option<usize> {
    let mut z = i;
    let mut linked = false;
    let mut found = None;
    while z > 0 && i - z < 14 && toks[z].joined {
        let p = &toks[z - 1];
        if p.upper {
            if p.cls & ROLE != 0 && linked {
                found = Some(z - 1);
            }
        } else if p.cls & CONNECT != 0 {
            let w = &text[p.s..p.e];
            // "and" after a whole title joins two titled names.
            if found.is_some() && w == "and" {
                break;
            }
            linked |= w == "of" || w == "to";
        } else {
            break;
        }
        if p.initial {
            break;
        }
        z -= 1;
    }
    let mut f = found?;
    while f > 0 && found.is_some_and(|x| x - f < 3) && toks[f].joined && toks[f - 1].cls & TITLE != 0 {
        f -= 1;
    }
    Some(f)
}

fn is_all_caps(w: &str) -> bool {
    // Most words fail on their second letter: the lowercase test goes first.
    !w.chars().any(|c| c.is_lowercase()) && w.chars().filter(|c| c.is_alphabetic()).count() >= 2
}

struct Cluster<'a> {
    canonical: Cow<'a, str>,
    ent: Option<u32>,
    /// First token of the folded key; `multi` when the key has two or more.
    first: String,
    multi: bool,
    /// Titles the person carried in this article.
    sigs: Vec<Sig>,
    /// Byte starts of the cluster's mentions, sorted after linking.
    starts: Vec<usize>,
}

/// The number of words of a folded key, its first and its last word, found
/// by bytes: `split` would search with a char pattern.
fn key_parts(key: &str) -> (usize, &str, &str) {
    let b = key.as_bytes();
    let n = b.iter().filter(|&&c| c == b' ').count() + 1;
    let first = b.iter().position(|&c| c == b' ').map_or(key, |p| &key[..p]);
    let last = b.iter().rposition(|&c| c == b' ').map_or(key, |p| &key[p + 1..]);
    (n, first, last)
}

/// Folded key tokens sorted and re-joined into `out`.
fn sorted_tokens(key: &str, out: &mut String) {
    // Names have a few tokens: they sort on the stack, without a Vec.
    let mut few = [""; 8];
    let mut many = Vec::new();
    let mut n = 0;
    for t in key.split(' ') {
        if n < few.len() {
            few[n] = t;
        } else {
            if many.is_empty() {
                many.extend_from_slice(&few);
            }
            many.push(t);
        }
        n += 1;
    }
    let v = if many.is_empty() { &mut few[..n] } else { &mut many[..] };
    v.sort_unstable();
    out.clear();
    for (i, t) in v.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(t);
    }
}

/// What a title or a role description says about a person: the role head
/// noun ("minister"), its modifiers ("defense", "prime") and its qualifiers
/// (country or body: "russian", "ukraine", "office president").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sig {
    head: String,
    mods: Vec<String>,
    qual: Vec<String>,
    /// Country code of a qualifier, when the gazetteer knows it.
    country: Option<String>,
}

const DETERMINERS: [&str; 10] = ["the", "his", "her", "their", "its", "our", "mr", "mrs", "ms", "madam"];

/// Appends the normalised form of `w` to `out`: callers collect the words
/// of a phrase in one buffer instead of a String each.
fn norm_word_into(w: &str, out: &mut String) {
    let start = out.len();
    // Lowercasing ASCII keeps every char's class, so an ASCII word is
    // trimmed first and lowercased in place.
    if w.is_ascii() {
        out.push_str(trim_ascii_word(w));
        out[start..].make_ascii_lowercase();
    } else {
        let w = w.to_lowercase().replace('’', "'");
        out.push_str(trim_word(&w));
    }
    let canonical = match &out[start..] {
        "defence" => "defense",
        "spokesman" | "spokeswoman" => "spokesperson",
        "chairwoman" | "chair" => "chairman",
        "advisor" => "adviser",
        _ => return,
    };
    out.truncate(start);
    out.push_str(canonical);
}

/// A word without the punctuation around it, apostrophes and periods
/// inside kept ("president's", "U.S").
fn trim_word(w: &str) -> &str {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '.');
    let w = w.trim_start_matches(['\'', '.']);
    w.strip_suffix('.').unwrap_or(w)
}

/// `trim_word` of an ASCII word, by bytes: the char patterns decode every
/// char they test.
fn trim_ascii_word(w: &str) -> &str {
    let b = w.as_bytes();
    let kept = |c: &u8| c.is_ascii_alphanumeric() || matches!(c, b'\'' | b'.');
    let (Some(first), Some(last)) = (b.iter().position(kept), b.iter().rposition(kept)) else {
        return "";
    };
    let Some(start) = (first..=last).find(|&i| !matches!(b[i], b'\'' | b'.')) else {
        return "";
    };
    let w = &w[start..=last];
    w.strip_suffix('.').unwrap_or(w)
}

/// The words of `phrase` that `split_whitespace` gives: an ASCII byte is
/// tested by itself, and only the rest decoded as a char.
fn whitespace_words(phrase: &str) -> impl Iterator<Item = &str> {
    let b = phrase.as_bytes();
    // Length of the whitespace char at `i`, 0 when it is no whitespace.
    let space_at = move |i: usize| -> usize {
        match b[i] {
            b' ' | b'\t'..=b'\r' => 1,
            x if x < 0x80 => 0,
            _ => {
                let (c, n) = char_len_at(phrase, i);
                if c.is_whitespace() {
                    n
                } else {
                    0
                }
            }
        }
    };
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            match space_at(i) {
                0 => break,
                n => i += n,
            }
        }
        let start = i;
        while i < b.len() && space_at(i) == 0 {
            i += char_len_at(phrase, i).1;
        }
        (i > start).then(|| &phrase[start..i])
    })
}

fn country_of(w: &str, k: &NameKnowledge) -> Option<String> {
    if let Some(c) = k.country_words.get(w) {
        return Some(c.clone());
    }
    // The dotted form ("u.s" -> "u.s."), built without an allocation.
    let mut buf = [0u8; 48];
    let Some(dotted) = buf.get_mut(..w.len() + 1) else {
        return k.country_words.get(&format!("{w}.")).cloned();
    };
    dotted[..w.len()].copy_from_slice(w.as_bytes());
    dotted[w.len()] = b'.';
    let dotted = std::str::from_utf8(dotted).unwrap_or_default();
    k.country_words.get(dotted).cloned()
}

/// Parses a title ("Russian Defense Minister", "President of Ukraine") or a
/// role description ("the Head of the President's Office").
fn parse_sig(phrase: &str, k: &NameKnowledge) -> Option<Sig> {
    let mut buf = String::with_capacity(phrase.len());
    let mut spans: Vec<(usize, usize, bool)> = Vec::with_capacity(16);
    for w in whitespace_words(phrase) {
        let cap = w.chars().next().is_some_and(char::is_uppercase);
        let start = buf.len();
        norm_word_into(w, &mut buf);
        if buf.len() > start {
            spans.push((start, buf.len(), cap));
        }
    }
    let words: Vec<(&str, bool)> = spans.iter().map(|&(s, e, cap)| (&buf[s..e], cap)).collect();
    let split = words
        .iter()
        .position(|(w, _)| matches!(*w, "of" | "to" | "for" | "at"))
        .unwrap_or(words.len());
    let hi = words[..split].iter().rposition(|(w, _)| k.is(ROLE, w))?;
    let mut sig = Sig {
        head: words[hi].0.to_string(),
        mods: Vec::new(),
        qual: Vec::new(),
        country: None,
    };
    if sig.head == "premier" {
        sig.head = "minister".into();
        sig.mods.push("prime".into());
    }
    for &(w, cap) in &words[..hi] {
        let (w, poss) = match w.strip_suffix("'s") {
            Some(x) => (x, true),
            None => (w, false),
        };
        if DETERMINERS.contains(&w) || matches!(w, "new" | "then" | "top" | "then-") {
            continue;
        }
        if let Some(c) = country_of(w, k) {
            sig.country = Some(c);
            sig.qual.push(w.to_string());
        } else if poss || cap && !k.is(TITLE, w) {
            sig.qual.push(w.to_string());
        } else {
            sig.mods.push(w.to_string());
        }
    }
    let rest: Vec<&str> = words[split..]
        .iter()
        .map(|&(w, _)| w)
        .filter(|w| !matches!(*w, "of" | "to" | "for" | "at" | "the" | "and"))
        .collect();
    // "the Head of State", "the head of the Ukrainian state": a president.
    if sig.head == "head" && rest.last() == Some(&"state") && rest.len() <= 2 {
        sig.head = "president".into();
        for w in &rest[..rest.len() - 1] {
            sig.country = sig.country.take().or_else(|| country_of(w, k));
            sig.qual.push(w.to_string());
        }
        return Some(sig);
    }
    if let Some(c) = country_of(&rest.join(" "), k) {
        sig.country = Some(c);
    }
    for w in rest {
        let w = w.strip_suffix("'s").unwrap_or(w);
        if sig.country.is_none() {
            sig.country = country_of(w, k);
        }
        sig.qual.push(w.to_string());
    }
    Some(sig)
}

/// Two qualifier words name the same thing: equal, or one is an adjective or
/// other form of the other ("russian"/"russia", "turkish"/"turkey").
fn qual_word_match(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    common >= 4 && common * 3 >= a.len().min(b.len()) * 2
}

fn head_match(d: &Sig, t: &Sig) -> bool {
    d.head == t.head
        || d.head == "leader"
            && (matches!(t.head.as_str(), "president" | "chancellor" | "leader")
                || t.head == "minister" && t.mods.iter().any(|m| m == "prime"))
}

/// A description's qualifiers fit a person's title or gazetteer country.
/// The country settles the country words only: "the head of the Security
/// Service of Ukraine" does not fit the Head of the Foreign Intelligence
/// Service of Ukraine.
fn qual_match(d: &Sig, t: Option<&Sig>, ent_country: Option<&str>, k: &NameKnowledge) -> bool {
    if d.qual.is_empty() {
        return true;
    }
    let in_title = |q: &String| t.is_some_and(|t| t.qual.iter().any(|tq| qual_word_match(q, tq)));
    if let Some(dc) = &d.country {
        if ent_country == Some(dc.as_str()) || t.and_then(|t| t.country.as_ref()) == Some(dc) {
            return d.qual.iter().all(|q| country_of(q, k).is_some() || in_title(q));
        }
    }
    t.is_some() && d.qual.iter().all(in_title)
}

/// The person of this article a description refers to: the earliest
/// introduced person whose title fits (for "counterpart", the most recently
/// mentioned person of the qualifying country).
fn resolve_description(d: &Sig, at: usize, clusters: &[Cluster], k: &NameKnowledge) -> Option<usize> {
    let ent_country = |cl: &Cluster| cl.ent.map(|e| k.entities[e as usize].country.as_str());
    if d.head == "counterpart" {
        if d.qual.is_empty() {
            return None;
        }
        let fits = |cl: &Cluster| {
            qual_match(d, None, ent_country(cl), k)
                || cl.sigs.iter().any(|t| qual_match(d, Some(t), ent_country(cl), k))
        };
        let last_before = |cl: &Cluster| {
            let p = cl.starts.partition_point(|&s| s < at);
            (p > 0).then(|| cl.starts[p - 1])
        };
        return (0..clusters.len())
            .filter(|&i| fits(&clusters[i]))
            .filter_map(|i| last_before(&clusters[i]).map(|s| (s, i)))
            .max()
            .map(|x| x.1);
    }
    // A deputy or vice holder is not "the secretary" itself: a lower rank
    // in the title must be in the description too.
    let rank_ok = |t: &Sig| t.mods.iter().all(|m| !k.is(LOWER_RANK, m) || d.mods.contains(m));
    let fits = |cl: &Cluster| {
        cl.sigs.iter().any(|t| {
            head_match(d, t)
                && d.mods.iter().all(|m| t.mods.contains(m))
                && rank_ok(t)
                && qual_match(d, Some(t), ent_country(cl), k)
        })
    };
    clusters.iter().position(fits)
}

/// Role descriptions in the token stream: an optional determiner or "Mr",
/// modifiers and a country qualifier, a role head noun, and an optional
/// "of ..." complement. Returns byte spans with their parsed signature.
fn find_descriptions(text: &str, toks: &[Tok], k: &NameKnowledge) -> Vec<(usize, usize, Sig)> {
    let mut out = Vec::new();
    let word = |t: &Tok| &text[t.s..t.e];
    let apostrophe_before = |t: &Tok| text[..t.s].ends_with('\'') || text[..t.s].ends_with('’');
    // The normalised word of the left scan, one buffer for all of them.
    let mut lower = String::new();
    let mut i = 0;
    while i < toks.len() {
        // Role words are rare: that test first rejects most tokens.
        if toks[i].cls & ROLE == 0 || toks[i].headline || toks[i].gaz {
            i += 1;
            continue;
        }
        let h = i;
        i += 1;
        // Right: "of [the] Capitalised Words" (with inner "of the", "and").
        let mut end = toks[h].e;
        let mut j = h + 1;
        if followed_by_possessive(text, end) {
            continue;
        }
        if j < toks.len() && toks[j].joined && word(&toks[j]) == "of" {
            let mut x = j + 1;
            let mut last_good = None;
            let mut n = 0;
            while x < toks.len() && toks[x].joined && n < 10 {
                let wx = word(&toks[x]);
                if toks[x].upper && !toks[x].initial || wx == "s" && apostrophe_before(&toks[x]) {
                    last_good = Some(x);
                } else if wx == "and"
                    && toks
                        .get(x + 1)
                        .is_some_and(|t| t.cls & ROLE != 0 || matches!(word(t), "the" | "a" | "an"))
                {
                    // "the President of Ukraine and the Prime Minister of
                    // Canada": two descriptions, not one complement.
                    break;
                } else if matches!(wx, "the" | "of" | "and") {
                } else if (wx == "state" || wx == "government") && (x == j + 1 || last_good == Some(x - 1)) {
                    last_good = Some(x);
                    break;
                } else {
                    break;
                }
                x += 1;
                n += 1;
            }
            if let Some(lg) = last_good {
                end = toks[lg].e;
                j = lg + 1;
            }
        }
        if followed_by_name(text, end) {
            continue;
        }
        // Left: modifiers, qualifiers, then a determiner.
        let mut start = toks[h].s;
        let mut y = h;
        let mut det = false;
        let mut n = 0;
        while y > 0 && toks[y].joined && n < 5 {
            let p = &toks[y - 1];
            let wp = word(p);
            lower.clear();
            norm_word_into(wp, &mut lower);
            if DETERMINERS.contains(&lower.as_str()) {
                start = p.s;
                det = true;
                break;
            }
            // A possessive owner ("the President's Press Secretary"): the
            // "s" after the apostrophe is not joined to the owner, so the
            // scan steps over both.
            if wp == "s" && apostrophe_before(p) && y >= 2 {
                let owner = &toks[y - 2];
                if owner.upper && owner.cls & STOP == 0 && matches!(&text[owner.e..p.s], "'" | "’") {
                    start = owner.s;
                    y -= 2;
                    n += 1;
                    continue;
                }
            }
            let ok = p.cls & TITLE != 0
                || country_of(&lower, k).is_some()
                || matches!(lower.as_str(), "new" | "then" | "top")
                || wp == "s" && apostrophe_before(p)
                || p.upper && p.cls & STOP == 0 && !p.initial && n <= 1;
            if !ok || k.is(NON_REF, wp) {
                break;
            }
            start = p.s;
            y -= 1;
            n += 1;
        }
        // Keep a possessive's owner ("the President's Press Secretary").
        if !det && y > 0 && word(&toks[y - 1]).eq_ignore_ascii_case("the") && toks[y].joined {
            start = toks[y - 1].s;
            det = true;
        }
        if y > 0 && !det && k.is(NON_REF, word(&toks[y - 1])) {
            continue;
        }
        let multi = start < toks[h].s || end > toks[h].e;
        if !det && !multi {
            continue;
        }
        if det && embedded_in_description(text, start, k) {
            continue;
        }
        if let Some(sig) = parse_sig(&text[start..end], k) {
            out.push((start, end, sig));
            // Role words inside the complement describe someone else
            // ("the Head of the Office of the President"): not mentions.
            i = i.max(j);
        }
    }
    out
}

/// "'s" right after a role phrase: the phrase owns something and is part of
/// a longer description ("the President's Press Secretary").
fn followed_by_possessive(text: &str, e: usize) -> bool {
    let r = &text[e..];
    r.starts_with("'s") || r.starts_with("’s")
}

/// "the X" after "<role> of|to", as in "Adviser to the Head of ...": part of
/// a longer description of someone else.
fn embedded_in_description(text: &str, det_start: usize, k: &NameKnowledge) -> bool {
    let Some((ps, p)) = prev_word(text, det_start) else {
        return false;
    };
    matches!(p, "of" | "to") && prev_word(text, ps).is_some_and(|(_, w)| k.is(ROLE, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon_only() -> NameKnowledge {
        let lex = include_str!("../../data/lexicons/names.toml").to_owned();
        NameKnowledge::from_strings(None, &lex).unwrap()
    }

    #[test]
    fn fold_key_collapses_transliterations() {
        assert_eq!(fold_key("Shoigu"), fold_key("Shoygu"));
        assert_eq!(fold_key("Andrei Belousov"), fold_key("Andrey Belousov"));
        assert_eq!(fold_key("Zelenskyy"), fold_key("Zelensky"));
        assert_ne!(fold_key("Putin"), fold_key("Peskov"));
        let (mut out, mut scratch) = (String::new(), Vec::new());
        fold_into("Niinistö", &mut out, &mut scratch);
        assert_eq!(out, fold_key("Niinisto"));
    }

    /// `fold_into` by the general path: base form in a Vec, every word
    /// through `fold_words`.
    fn fold_general(name: &str) -> String {
        let mut base = Vec::new();
        base_form(name, &mut base);
        let kept = fold_words(&mut base);
        String::from_utf8(base[..kept].to_vec()).unwrap()
    }

    #[test]
    fn short_ascii_names_fold_like_the_general_path() {
        // Every string of up to five bytes over letters that start or end
        // rules, a doubled letter, separators and a dropped byte.
        let alphabet = b"yjkhseiAo -'.2";
        let mut out = String::new();
        let mut scratch = Vec::new();
        let mut name = Vec::new();
        let mut count = 0;
        for len in 0..=5u32 {
            for mut code in 0..alphabet.len().pow(len) {
                name.clear();
                for _ in 0..len {
                    name.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                let name = std::str::from_utf8(&name).unwrap();
                fold_into(name, &mut out, &mut scratch);
                assert_eq!(out, fold_general(name), "{name:?}");
                count += 1;
            }
        }
        assert!(count > 500_000);
        for name in [
            "Kseniya  Sobchak-Yakhontova",
            " O'Neill ",
            "Mikhail Gorbachev",
            "Jim Baker Jr.",
            "Zelenskyy",
        ] {
            fold_into(name, &mut out, &mut scratch);
            assert_eq!(out, fold_general(name));
        }
        // Past the stack buffer, the general path folds the same way.
        let long = "Aleksandr Yevgenyevich ".repeat(4);
        fold_into(&long, &mut out, &mut scratch);
        assert_eq!(out, fold_general(&long));
        assert!(out.starts_with("alexandr evgenevich alexandr "));
    }

    #[test]
    fn fold_pair_tables_hold_the_rule_pairs() {
        let bytes: Vec<u8> = (b'a'..=b'z').chain(b'0'..=b'9').chain([b' ', 0]).collect();
        for &a in &bytes {
            for &c in &bytes {
                let expected = c == b'y'
                    || c == b'j'
                    || matches!(
                        (a, c),
                        (b'k', b'h') | (b'i', b'e') | (b'i', b'o') | (b'e', b'i') | (b'k', b's') | (b'c', b'h')
                    );
                assert_eq!(may_fold_pair(a, c), expected, "{:?} {:?}", a as char, c as char);
            }
        }
    }

    #[test]
    fn word_table_is_case_insensitive_and_misses_cleanly() {
        let k = lexicon_only();
        assert!(k.is(STOP, "The") && k.is(STOP, "THE") && k.is(STOP, "the"));
        assert!(k.is(ROLE, "Minister"));
        assert_eq!(k.class("Zzyzx"), 0);
        assert_eq!(k.class("Österreich"), 0);
    }

    #[test]
    fn load_word_at_the_end_of_a_slice_reads_like_a_copy() {
        let mut draw = crate::test_text::numbers(7);
        for _ in 0..2000 {
            let b: Vec<u8> = (0..1 + draw(20)).map(|_| draw(256) as u8).collect();
            let at = draw(b.len());
            let n = 1 + draw((b.len() - at).min(8));
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(&b[at..at + n]);
            assert_eq!(load_word(&b, at, n), u64::from_le_bytes(buf), "{b:?} {at} {n}");
        }
    }

    /// Words of the gazetteer and the lexicon, cut and glued, in any case,
    /// and chars that end tokens or start sentences.
    const WORD_PIECES: [&str; 18] = [
        "’",
        "“",
        "Russia",
        "n",
        "U.S",
        ".",
        "ukraine",
        "MINISTER",
        "of",
        "the",
        "Ö",
        "sterreich",
        "-",
        "'",
        "Kyiv",
        "Defence",
        "x",
        "Germany",
    ];

    #[test]
    fn word_lookup_in_place_finds_what_a_lookup_of_the_word_finds() {
        let k = gazetteer();
        let mut text = crate::test_text::concatenations(&WORD_PIECES, 6, 11);
        for _ in 0..3000 {
            let t = format!(" {} tail", text());
            let e = t.len() - 5;
            let (got, want) = (k.words.get_at(&t, 1, e), k.words.get(&t[1..e]));
            assert_eq!(got.map(|x| x.cls), want.map(|x| x.cls), "{t:?}");
            assert_eq!(got.is_some(), want.is_some(), "{t:?}");
        }
    }

    #[test]
    fn a_capitalised_token_is_classed_a_country_word_exactly_when_it_is_one() {
        let k = gazetteer();
        assert!(!k.country_words.is_empty());
        let mut text = crate::test_text::concatenations(&WORD_PIECES, 6, 5);
        let (mut toks, mut names, mut roles) = (Vec::new(), Vec::new(), Vec::new());
        let mut countries = 0;
        for _ in 0..3000 {
            let t = text().replace('x', " ");
            toks.clear();
            assert_eq!(
                tokenize(&t, &k, &mut toks, &mut names, &mut roles),
                t.is_ascii(),
                "{t:?}"
            );
            for tok in toks.iter().filter(|x| x.upper) {
                let w = &t[tok.s..tok.e];
                let want = k.country_words.contains_key(&w.to_lowercase());
                assert_eq!(tok.cls & COUNTRY != 0, want, "{w:?} in {t:?}");
                countries += usize::from(want);
            }
        }
        assert!(countries > 100, "{countries}");
    }

    #[test]
    fn ascii_words_trim_and_split_like_the_char_versions() {
        let pieces = [
            "a", "Z", "9", ".", "'", "-", "\"", " ", "  ", "\t", "\u{b}", "\u{c}", "\n", "(", "s", "\u{a0}",
            "\u{2009}", "é", "’", "\u{1c}",
        ];
        let mut text = crate::test_text::concatenations(&pieces, 9, 3);
        for _ in 0..20000 {
            let t = text();
            let words: Vec<&str> = whitespace_words(&t).collect();
            assert_eq!(words, t.split_whitespace().collect::<Vec<_>>(), "{t:?}");
            if t.is_ascii() {
                assert_eq!(trim_ascii_word(&t), trim_word(&t), "{t:?}");
            }
        }
    }

    #[test]
    fn overlaps_are_settled_as_by_testing_every_pair() {
        let mut draw = crate::test_text::numbers(13);
        // Sorted spans without overlaps, as the tokenizer collects them.
        let mut spans = |n: usize| {
            let mut at = 0;
            (0..n)
                .map(|_| {
                    let s = at + draw(6);
                    at = s + 1 + draw(8);
                    (s, at, Target::Entity(0))
                })
                .collect::<Vec<_>>()
        };
        let mut dropped = 0;
        for _ in 0..3000 {
            let (gaz, roles) = (spans(6), spans(4));
            let mut plain_gaz = gaz.clone();
            let mut plain_roles = vec![true; roles.len()];
            plain_gaz.retain(|g| {
                let mut keep = true;
                for (ri, r) in roles.iter().enumerate() {
                    if r.0 < g.1 && g.0 < r.1 {
                        if r.1 - r.0 > g.1 - g.0 && r.1 >= g.1 {
                            keep = false;
                        } else {
                            plain_roles[ri] = false;
                        }
                    }
                }
                keep
            });
            let mut got = gaz.clone();
            assert_eq!(settle_overlaps(&mut got, &roles), plain_roles);
            let spans_of = |v: &[(usize, usize, Target)]| v.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>();
            assert_eq!(spans_of(&got), spans_of(&plain_gaz));
            dropped += gaz.len() - got.len();
        }
        assert!(dropped > 100, "{dropped}");
    }

    #[test]
    fn key_parts_are_the_pieces_split_gives() {
        let mut text = crate::test_text::concatenations(&["a", "bc", " ", "é"], 8, 17);
        for _ in 0..2000 {
            let key = text();
            let (n, first, last) = key_parts(&key);
            assert_eq!(n, key.split(' ').count(), "{key:?}");
            assert_eq!(Some(first), key.split(' ').next(), "{key:?}");
            assert_eq!(Some(last), key.rsplit(' ').next(), "{key:?}");
        }
    }

    fn gazetteer() -> NameKnowledge {
        let lex = include_str!("../../data/lexicons/names.toml").to_owned();
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/gazetteer"));
        NameKnowledge::load(Some(dir), &lex).unwrap()
    }

    #[test]
    fn phrases_match_only_whole_words() {
        let k = gazetteer();
        let ms = find_mentions("Kyivstar said Kyiv and pro-Kremlin groups met.", None, &k);
        let surfaces: Vec<&str> = ms.iter().map(|m| m.surface.as_str()).collect();
        assert!(surfaces.contains(&"Kyiv"), "{surfaces:?}");
        assert!(!surfaces.contains(&"Kyivstar"), "{surfaces:?}");
        assert!(surfaces.contains(&"Kremlin"), "{surfaces:?}");
    }

    #[test]
    fn title_with_complement_before_a_name() {
        let k = lexicon_only();
        let text = "Secretary of the National Security Council Tomas Novak spoke. \
                    Deputy Secretary of the National Security Council Piotr Kalna agreed. \
                    Later the secretary of the National Security Council left.";
        let ms = find_mentions(text, None, &k);
        let d = ms
            .iter()
            .find(|m| m.surface == "the secretary of the National Security Council")
            .unwrap_or_else(|| panic!("{ms:?}"));
        assert_eq!(d.canonical, "Tomas Novak");
        // The run after "<title> of" keeps its last two words as the name.
        let ms = find_mentions(
            "Prime Minister of the Republic of Ruritania Tomas Novak arrived.",
            None,
            &k,
        );
        assert!(ms.iter().any(|m| m.surface == "Tomas Novak"), "{ms:?}");
        // A lone word ending such a title is no name.
        let ms = find_mentions("Talks ended. The President of Ruritania noted progress.", None, &k);
        assert!(
            ms.iter()
                .all(|m| m.surface != "Ruritania" || m.kind != EntityKind::Person),
            "{ms:?}"
        );
    }

    #[test]
    fn a_role_phrase_before_a_name_is_a_title() {
        let k = gazetteer();
        let d = NaiveDate::from_ymd_opt(2022, 3, 1);
        let ms = find_mentions(
            "President of Russia Vladimir Putin met President of France Emmanuel Macron.",
            d,
            &k,
        );
        assert!(ms.iter().all(|m| m.resolution != "role"), "{ms:?}");
    }

    #[test]
    fn parse_sig_reads_head_mods_and_qualifiers() {
        let k = lexicon_only();
        let s = parse_sig("Russian Defence Minister", &k).unwrap();
        assert_eq!(s.head, "minister");
        assert_eq!(s.mods, vec!["defense"]);
        assert_eq!(s.qual, vec!["russian"]);
        let s = parse_sig("the Head of the Office of the President", &k).unwrap();
        assert_eq!(s.head, "head");
        assert_eq!(s.qual, vec!["office", "president"]);
        assert_eq!(parse_sig("the Head of State", &k).unwrap().head, "president");
    }

    #[test]
    fn descriptions_resolve_without_gazetteer() {
        let k = lexicon_only();
        let text = "On Monday, Foreign Minister Jan Novak met Ruritanian Defence Minister \
                    Piotr Kalna on Monday. The minister said his Ruritanian counterpart \
                    agreed. The Ruritanian defence minister later left.";
        let ms = find_mentions(text, None, &k);
        let canon = |surface: &str| {
            ms.iter()
                .find(|m| m.surface == surface)
                .map(|m| m.canonical.clone())
                .unwrap_or_else(|| panic!("no mention {surface:?} in {ms:?}"))
        };
        assert_eq!(canon("his Ruritanian counterpart"), "Piotr Kalna");
        assert_eq!(canon("The Ruritanian defence minister"), "Piotr Kalna");
    }

    #[test]
    fn role_phrase_beats_overlapping_org_and_is_dated() {
        let lex = include_str!("../../data/lexicons/names.toml").to_owned();
        let k = NameKnowledge::load(
            Some(std::path::Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/data/gazetteer"
            ))),
            &lex,
        )
        .unwrap();
        let d = NaiveDate::from_ymd_opt(2023, 3, 1);
        let ms = find_mentions("Officials said the Pentagon chief would travel.", d, &k);
        assert!(ms
            .iter()
            .any(|m| m.surface == "the Pentagon chief" && m.kind == EntityKind::Person && m.resolution == "role"));
        let before = find_mentions("Russia's defense minister spoke.", d, &k);
        let after = find_mentions(
            "Russia's defense minister spoke.",
            NaiveDate::from_ymd_opt(2024, 6, 1),
            &k,
        );
        assert_ne!(before[0].entity_id, after[0].entity_id);
    }

    fn canon_of<'m>(ms: &'m [Mention], surface: &str) -> &'m str {
        ms.iter()
            .find(|m| m.surface == surface)
            .map(|m| m.canonical.as_str())
            .unwrap_or_else(|| panic!("no mention {surface:?} in {ms:?}"))
    }

    #[test]
    fn a_possessive_description_keeps_its_owner() {
        let k = lexicon_only();
        let text = "This was said by Press Secretary of the President of Ruritania Tomas Novak \
                    on Monday. The President's Press Secretary also said more.";
        let ms = find_mentions(text, None, &k);
        assert_eq!(canon_of(&ms, "The President's Press Secretary"), "Tomas Novak");
    }

    #[test]
    fn role_words_inside_a_description_are_not_mentions() {
        let k = lexicon_only();
        let text = "President of Ruritania Tomas Novak spoke. \
                    Later the Head of the Office of the President met them.";
        let ms = find_mentions(text, None, &k);
        assert!(ms.iter().all(|m| m.surface != "the President"), "{ms:?}");
    }

    #[test]
    fn and_the_starts_a_second_description() {
        let k = lexicon_only();
        let text = "President of Ruritania Tomas Novak met Prime Minister of Freedonia Ola Berg. \
                    The President of Ruritania and the Prime Minister of Freedonia agreed.";
        let ms = find_mentions(text, None, &k);
        assert_eq!(canon_of(&ms, "The President of Ruritania"), "Tomas Novak");
        assert_eq!(canon_of(&ms, "the Prime Minister of Freedonia"), "Ola Berg");
    }

    #[test]
    fn an_apposition_names_its_description() {
        let k = lexicon_only();
        let text = "Defense Secretary Lloyd Austin met with his Russian counterpart, \
                    Minister of Defense Sergei Shoygu, on Friday.";
        let ms = find_mentions(text, None, &k);
        assert_eq!(canon_of(&ms, "his Russian counterpart"), "Sergei Shoygu");
        // A demonym alone is never a person, even after "his".
        assert!(ms.iter().all(|m| m.surface != "Russian"), "{ms:?}");
        // A name in the next sentence is no apposition and does not block it.
        let text = "Press Secretary of the President of Ruritania Tomas Novak spoke. \
                    It ended, said the President's Press Secretary. Tomas Novak left.";
        let ms = find_mentions(text, None, &k);
        assert_eq!(canon_of(&ms, "the President's Press Secretary"), "Tomas Novak");
    }

    #[test]
    fn the_head_of_a_state_is_its_president() {
        let k = lexicon_only();
        let s = parse_sig("the Head of the Ruritanian state", &k).unwrap();
        assert_eq!(
            (s.head.as_str(), s.qual.as_slice()),
            ("president", &["ruritanian".to_string()][..])
        );
    }

    #[test]
    fn a_country_does_not_stand_for_the_other_qualifiers() {
        let k = gazetteer();
        let text = "Head of the Foreign Intelligence Service of Ukraine Tomas Novak spoke. \
                    Then the head of the Security Service of Ukraine reported.";
        let ms = find_mentions(text, NaiveDate::from_ymd_opt(2021, 12, 30), &k);
        let d = ms.iter().find(|m| m.surface.contains("Security Service"));
        assert!(d.is_none_or(|d| d.canonical != "Tomas Novak"), "{ms:?}");
    }

    #[test]
    fn names_after_an_of_complement_keep_all_their_words() {
        let k = lexicon_only();
        let ms = find_mentions("He met President of Turkey Recep Tayyip Erdogan in Kyiv.", None, &k);
        assert!(ms.iter().any(|m| m.surface == "Recep Tayyip Erdogan"), "{ms:?}");
        let ms = find_mentions("A fellow at the US Institute of Peace William Taylor spoke.", None, &k);
        assert!(ms.iter().any(|m| m.surface == "William Taylor"), "{ms:?}");
    }

    #[test]
    fn a_shared_gazetteer_surname_is_still_a_person() {
        let k = gazetteer();
        let ms = find_mentions("Officials said the Biden administration agreed.", None, &k);
        let m = ms
            .iter()
            .find(|m| m.surface == "Biden")
            .unwrap_or_else(|| panic!("{ms:?}"));
        assert_eq!((m.kind, m.canonical.as_str()), (EntityKind::Person, "Biden"));
    }

    #[test]
    fn titles_and_open_descriptions_carry_their_role() {
        let k = lexicon_only();
        let d = NaiveDate::from_ymd_opt(2022, 3, 1);
        let ms = find_mentions("President of Ruritania Tomas Novak spoke.", d, &k);
        let r = ms[0].role.as_deref().unwrap_or_else(|| panic!("{ms:?}"));
        assert_eq!((r.head.as_str(), r.open, r.date), ("president", false, d));
        // No one in this article is titled so: the role goes on, open.
        let ms = find_mentions("Tomas Novak called. The Ruritanian President noted progress.", d, &k);
        let m = ms
            .iter()
            .find(|m| m.surface == "The Ruritanian President")
            .unwrap_or_else(|| panic!("{ms:?}"));
        let r = m.role.as_deref().unwrap();
        assert!(r.open && m.resolution == "role" && m.entity_id.is_none(), "{m:?}");
        assert!(r.describes(ms_role("President of Ruritania Tomas Novak spoke.", &k).as_ref()));
        assert!(!r.describes(ms_role("Deputy President of Ruritania Tomas Novak spoke.", &k).as_ref()));
        assert!(!r.describes(ms_role("President of Freedonia Tomas Novak spoke.", &k).as_ref()));
        // Without a qualifier it stays in its article.
        let ms = find_mentions("Tomas Novak called. The President noted progress.", d, &k);
        assert!(ms.iter().all(|m| m.surface != "The President"), "{ms:?}");
    }

    fn ms_role(text: &str, k: &NameKnowledge) -> Box<RoleSig> {
        let ms = find_mentions(text, None, k);
        ms.into_iter().find_map(|m| m.role).expect("a titled name")
    }
}
