//! Boilerplate stripping: navigation, calls to action, bylines, credits,
//! photo credits, duplicated captions, promotion lines and "Read more"
//! blocks are taken out of the cleaned text before any extraction. What the
//! removed lines say about the article (authors, credits, a byline date, an
//! outlet's name) is handed on, so nothing is lost.
//!
//! The patterns are data (`data/boilerplate.toml`); this file holds the
//! structural rules no single pattern expresses.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

/// The rules file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    remove_lines: RemoveLines,
    cut_tail: CutTail,
    remove_with_next: Patterns,
    teasers: Patterns,
    bylines: Patterns,
    credits: Patterns,
    captions: Captions,
    structure: Structure,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoveLines {
    exact: Vec<String>,
    patterns: Vec<String>,
    inline: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CutTail {
    patterns: Vec<String>,
    min_position: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Patterns {
    patterns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Captions {
    credit_tails: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Structure {
    min_duplicate_chars: usize,
    min_caps_words: usize,
    header_lines: usize,
    max_rule_line_chars: usize,
}

/// Compiled boilerplate rules.
#[derive(Debug)]
pub struct BoilerplateRules {
    exact: HashSet<String>,
    remove: RuleSet,
    inline: Vec<Regex>,
    cut_tail: RuleSet,
    min_position: f64,
    remove_with_next: RuleSet,
    teasers: RuleSet,
    bylines: Captures,
    credits: Captures,
    credit_tails: Captures,
    min_duplicate_chars: usize,
    min_caps_words: usize,
    header_lines: usize,
    max_rule_line_chars: usize,
    longest_exact: usize,
}

/// Patterns with a named group to extract. A `RegexSet` (a DFA) screens
/// each line first: capturing is far slower, and almost no line matches.
#[derive(Debug)]
struct Captures {
    screen: RuleSet,
    patterns: Vec<Twin>,
    group: &'static str,
}

impl Captures {
    fn new(key: &str, patterns: &[String], group: &'static str) -> Result<Captures, String> {
        let compiled = compile(key, patterns)?;
        if let Some(r) = compiled
            .iter()
            .find(|r| !r.capture_names().flatten().any(|n| n == group))
        {
            return Err(format!(
                "{key}: pattern `{}` has no `(?P<{group}>...)` group",
                r.as_str()
            ));
        }
        Ok(Captures {
            screen: compile_set(key, patterns)?,
            patterns: compiled.into_iter().map(Twin::new).collect(),
            group,
        })
    }

    /// The first matching pattern's group.
    fn find<'t>(&self, line: &Line<'t>) -> Option<regex::Match<'t>> {
        // `is_match` stays in the lazy DFA; `matches` may need the slow
        // PikeVM, so it only runs on the rare line that matches at all.
        if !self.screen.is_match_line(line) {
            return None;
        }
        let first = self.screen.all.matches(line.text).into_iter().next()?;
        self.patterns[first]
            .pick(line)
            .captures(line.text)
            .and_then(|c| c.name(self.group))
    }

    fn is_match(&self, line: &Line) -> bool {
        self.screen.is_match_line(line)
    }
}

/// What stripping found and removed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stripped {
    /// The text with the boilerplate removed.
    pub text: String,
    /// Author names from byline lines, as written (`Greg Norman | Fox News`).
    pub bylines: Vec<String>,
    /// Contributor and wire names from credit lines, as written.
    pub credits: Vec<String>,
    /// Lines of the header that hold only a date (byline dates).
    pub date_lines: Vec<String>,
    /// Removed lines that may name the outlet (calls to action, bylines).
    pub cue_lines: Vec<String>,
}

fn compile(key: &str, patterns: &[String]) -> Result<Vec<Regex>, String> {
    patterns
        .iter()
        .map(|p| Regex::new(p).map_err(|e| format!("{key}: bad pattern `{p}`: {e}")))
        .collect()
}

/// A regex and its ASCII twin: the same pattern with each class cut down
/// to its ASCII chars and each Unicode word boundary made an ASCII one. On
/// an ASCII line (nearly every line) the twin matches exactly where the
/// original does, with the same groups, but its automaton is a fraction of
/// the size: the lazy DFA builds each state of a `\p{L}` pattern from
/// hundreds of NFA states, and the photo-credit tails, searched backwards
/// from the line's end, paid tens of thousands of instructions per line
/// tried for states the twin builds in a few hundred. A twin costs about
/// as much to make as the original, so it is made on first use (most
/// regexes never run: the screens settle nearly every line) and only for a
/// pattern with a large class.
#[derive(Debug)]
struct Twin {
    any: Regex,
    /// `None` when the pattern has no large class.
    ascii: OnceLock<Option<Regex>>,
}

/// Classes of more ranges than this (Unicode properties such as `\p{L}`,
/// `\w`) make a lazy DFA slow to build. `.`, `\s` and case-folded letters
/// have a few.
const LARGE_CLASS_RANGES: usize = 32;

impl Twin {
    /// `any`, with a twin if its pattern has a large class.
    fn new(any: Regex) -> Twin {
        Twin {
            any,
            ascii: OnceLock::new(),
        }
    }

    /// `any` alone, its pattern known to have no large class.
    fn without_twin(any: Regex) -> Twin {
        Twin {
            any,
            ascii: OnceLock::from(None),
        }
    }

    /// The regex to search `line` with.
    fn pick(&self, line: &Line) -> &Regex {
        if line.ascii {
            if let Some(twin) = self.ascii.get_or_init(|| ascii_twin(self.any.as_str())) {
                return twin;
            }
        }
        &self.any
    }
}

/// The ASCII twin of `pattern`, or `None` if it has no large class. (The
/// printer writes a pattern that parses back to the same expression, so
/// the twin compiles whenever the original did.)
fn ascii_twin(pattern: &str) -> Option<Regex> {
    let hir = regex_syntax::parse(pattern).ok()?;
    if !has_large_class(&hir) {
        return None;
    }
    Regex::new(&ascii_only(&hir).to_string()).ok()
}

/// Whether `hir` holds a class of more than `LARGE_CLASS_RANGES` ranges.
fn has_large_class(hir: &regex_syntax::hir::Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class.ranges().len() > LARGE_CLASS_RANGES,
        HirKind::Class(Class::Bytes(class)) => class.ranges().len() > LARGE_CLASS_RANGES,
        HirKind::Repetition(r) => has_large_class(&r.sub),
        HirKind::Capture(c) => has_large_class(&c.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().any(has_large_class),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Look(_) => false,
    }
}

/// `hir` as it acts on ASCII text: what needs a non-ASCII char fails, and
/// word boundaries (where `\w` on ASCII chars is the ASCII `\w`) are the
/// ASCII ones. Nothing else changes, so the matches and groups on ASCII
/// text are the same.
fn ascii_only(hir: &regex_syntax::hir::Hir) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
    use regex_syntax::hir::{Hir, HirKind, Look, Repetition};
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) if literal.0.is_ascii() => hir.clone(),
        HirKind::Literal(_) => Hir::fail(),
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7f')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.intersect(&ClassBytes::new([ClassBytesRange::new(0, 0x7f)]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(ascii_only(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(ascii_only(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(ascii_only).collect()),
        HirKind::Alternation(branches) => Hir::alternation(branches.iter().map(ascii_only).collect()),
    }
}

fn compile_set(key: &str, patterns: &[String]) -> Result<RuleSet, String> {
    let all = RegexSet::new(patterns).map_err(|e| format!("{key}: bad pattern: {e}"))?;
    let mut prefixes = Prefixes::default();
    let (mut screened, mut by_literal, mut unscreened) = (Vec::new(), Vec::new(), Vec::new());
    for pattern in patterns {
        if let Some(found) = literal_prefixes(pattern) {
            prefixes.add(found);
            screened.push(pattern);
            continue;
        }
        let bad = |e: &dyn std::fmt::Display| format!("{key}: bad pattern `{pattern}`: {e}");
        let hir = regex_syntax::parse(pattern).map_err(|e| bad(&e))?;
        // No line matches: an empty clause rejects every one.
        let clauses = |text| Clauses::new(required_clauses(&hir, text).unwrap_or_else(|| vec![Vec::new()]));
        let on_ascii = clauses(Text::Ascii);
        if on_ascii.all.is_empty() {
            unscreened.push(pattern);
            continue;
        }
        let regex = Regex::new(pattern).map_err(|e| bad(&e))?;
        by_literal.push(LiteralPattern {
            on_ascii,
            on_any: clauses(Text::Any),
            first: edge_bytes(&hir, Edge::Start),
            last: edge_bytes(&hir, Edge::End),
            regex: if has_large_class(&hir) {
                Twin::new(regex)
            } else {
                Twin::without_twin(regex)
            },
        });
    }
    // The parts are valid: the whole set compiled.
    let subset = |patterns: Vec<&String>| {
        (!patterns.is_empty()).then(|| RegexSet::new(patterns).expect("a subset of a valid set"))
    };
    Ok(RuleSet {
        all,
        screened: subset(screened).map(|set| (prefixes, set)),
        literals: LiteralScreen::new(by_literal),
        unscreened: subset(unscreened),
    })
}

/// A rule group's patterns. Most lines start with none of the literal
/// prefixes of the `^`-anchored patterns, and a byte comparison rejects
/// them without a regex search (each costs tens of nanoseconds even when
/// it fails at the first byte, and there are several per line). Most other
/// patterns need some word or sign somewhere (`contributed`, `|`, a dash):
/// one case-insensitive scan for those rejects most lines.
#[derive(Debug)]
struct RuleSet {
    all: RegexSet,
    /// Patterns whose matches start with one of the prefixes.
    screened: Option<(Prefixes, RegexSet)>,
    /// Patterns each of whose matches contains one of a few literals.
    literals: Option<LiteralScreen>,
    /// Patterns with nothing to screen by.
    unscreened: Option<RegexSet>,
}

impl RuleSet {
    /// `self.all.is_match(line)`.
    #[cfg(test)]
    fn is_match(&self, line: &str) -> bool {
        self.is_match_line(&Line::new(line))
    }

    /// `self.all.is_match(line.text)`.
    fn is_match_line(&self, line: &Line) -> bool {
        self.screened
            .as_ref()
            .is_some_and(|(prefixes, set)| prefixes.may_match(line) && set.is_match(line.text))
            || self.literals.as_ref().is_some_and(|screen| screen.is_match(line))
            || self.unscreened.as_ref().is_some_and(|set| set.is_match(line.text))
    }
}

/// A line with what the literal screens ask of it, found in one pass: the
/// rule groups (seven of them) each screen the same line.
struct Line<'t> {
    text: &'t str,
    ascii: bool,
    /// The bytes the line holds.
    bytes: Bytes,
}

/// A set of bytes as one word of bits, by `BYTE_BITS`: a line's set is
/// one table load and one OR per byte.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Bytes(u64);

/// Each byte's bit. Upper and lower case share one; so do all digits, the
/// rarer ASCII spaces and the control chars. A shared bit can only let a
/// line through to the regex, which decides.
static BYTE_BITS: [u64; 256] = byte_bits();

/// The bit of every byte of 0x80 and above.
const NON_ASCII: u64 = 1 << 62;

const fn byte_bits() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut next_punct = 30;
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        table[b] = if c >= 0x80 {
            NON_ASCII
        } else if c.is_ascii_alphabetic() {
            1 << (c.to_ascii_lowercase() - b'a')
        } else if c.is_ascii_digit() {
            1 << 26
        } else if c == b' ' {
            1 << 27
        } else if c == b'\n' {
            1 << 28
        } else if c == b'\t' || c == b'\r' || c == 0x0b || c == 0x0c {
            1 << 29
        } else if c.is_ascii_punctuation() {
            // 32 of them: bits 30 to 61.
            next_punct += 1;
            1 << (next_punct - 1)
        } else {
            1 << 63
        };
        b += 1;
    }
    table
}

impl Bytes {
    fn of(literal: &[u8]) -> Bytes {
        let mut set = Bytes::default();
        for &b in literal {
            set.add(b);
        }
        set
    }

    #[inline]
    fn add(&mut self, b: u8) {
        self.0 |= BYTE_BITS[b as usize];
    }

    fn meets(self, other: Bytes) -> bool {
        self.0 & other.0 != 0
    }

    fn holds(self, other: Bytes) -> bool {
        self.0 & other.0 == other.0
    }
}

impl<'t> Line<'t> {
    fn new(text: &'t str) -> Line<'t> {
        let mut bytes = Bytes::default();
        for &b in text.as_bytes() {
            bytes.add(b);
        }
        Line {
            text,
            ascii: bytes.0 & NON_ASCII == 0,
            bytes,
        }
    }

    /// Whether the line contains `literal` (ASCII lowercased, with its
    /// bytes `bytes`), ignoring ASCII case. Most lines lack one of its bytes, and
    /// that settles it.
    fn contains(&self, literal: &[u8], bytes: Bytes) -> bool {
        if !self.bytes.holds(bytes) {
            return false;
        }
        let Some((&first, rest)) = literal.split_first() else {
            return true;
        };
        let text = self.text.as_bytes();
        memchr::memchr2_iter(first, first.to_ascii_uppercase(), text).any(|i| {
            text[i + 1..]
                .get(..rest.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(rest))
        })
    }
}

/// Patterns screened by their required literals, found ignoring ASCII
/// case. ASCII lines are screened by the most; a line with a non-ASCII
/// char (a curly quote or a dash in most) by those that hold for any text,
/// which still keep the Unicode-heavy regexes from most such lines.
#[derive(Debug)]
struct LiteralScreen {
    patterns: Vec<LiteralPattern>,
}

/// A pattern screened by the literals its matches contain.
#[derive(Debug)]
struct LiteralPattern {
    /// Clauses all of which every match meets on an ASCII line.
    on_ascii: Clauses,
    /// The same on any line: fewer, as fewer literals are known there.
    on_any: Clauses,
    /// The bytes that can start the line when the pattern is anchored
    /// there, and those that can end it when anchored at the end.
    first: EdgeBytes,
    last: EdgeBytes,
    regex: Twin,
}

/// The bytes that may stand at one end of a line a pattern matches, by
/// `edge_bytes`; `None` when any may.
type EdgeBytes = Option<[u64; 4]>;

/// The end of a line a pattern may be anchored at.
#[derive(Debug, Clone, Copy)]
enum Edge {
    Start,
    End,
}

impl Edge {
    /// The byte of `bytes` at this edge.
    fn byte_of(self, bytes: &[u8]) -> Option<&u8> {
        match self {
            Edge::Start => bytes.first(),
            Edge::End => bytes.last(),
        }
    }
}

/// The bytes one of which stands at `edge` of every match of a pattern
/// anchored there. Most lines containing a dash do not start with one
/// (`^[-=–—]{3,}$`); a caption credit in parentheses needs a line ending in
/// `)`, while most lines with a period, a space and parentheses end
/// otherwise. `None` when any byte may.
fn edge_bytes(hir: &regex_syntax::hir::Hir, edge: Edge) -> EdgeBytes {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::Look;
    let properties = hir.properties();
    let (anchored, kind) = match edge {
        Edge::Start => (properties.look_set_prefix().contains(Look::Start), ExtractKind::Prefix),
        Edge::End => (properties.look_set_suffix().contains(Look::End), ExtractKind::Suffix),
    };
    if !anchored {
        return None;
    }
    let seq = Extractor::new().kind(kind).extract(hir);
    let mut set = [0u64; 4];
    for literal in seq.literals()? {
        let &b = edge.byte_of(literal.as_bytes())?;
        set[(b >> 6) as usize] |= 1 << (b & 63);
    }
    Some(set)
}

/// Whether `line` may hold a match at `edge`, given its pattern's bytes
/// there.
fn may_meet(bytes: &EdgeBytes, edge: Edge, line: &str) -> bool {
    let Some(set) = bytes else { return true };
    edge.byte_of(line.as_bytes())
        .is_some_and(|&b| set[(b >> 6) as usize] & 1 << (b & 63) != 0)
}

/// Clauses all of which every match meets, and the bytes they need
/// between them: most lines lack one of those (a caption credit's `/`, a
/// byline's `|`), and one test settles them before any clause is tried.
#[derive(Debug)]
struct Clauses {
    needed: Bytes,
    all: Vec<Clause>,
}

impl Clauses {
    fn new(clauses: Vec<Vec<Vec<u8>>>) -> Clauses {
        let all: Vec<Clause> = clauses.into_iter().map(Clause::new).collect();
        Clauses {
            needed: Bytes(all.iter().fold(0, |needed, c| needed | c.needed.0)),
            all,
        }
    }
}

/// One of a few literals: the one-byte ones as a set, tested at once.
#[derive(Debug)]
struct Clause {
    bytes: Bytes,
    words: Vec<(Vec<u8>, Bytes)>,
    /// The bytes every one of the literals holds.
    needed: Bytes,
}

impl Clause {
    fn new(literals: Vec<Vec<u8>>) -> Clause {
        let mut clause = Clause {
            bytes: Bytes::default(),
            words: Vec::new(),
            needed: Bytes(!0),
        };
        for literal in literals {
            let bytes = Bytes::of(&literal);
            clause.needed.0 &= bytes.0;
            match literal[..] {
                [b] => clause.bytes.add(b),
                _ => clause.words.push((literal, bytes)),
            }
        }
        clause
    }

    fn holds(&self, line: &Line) -> bool {
        line.bytes.meets(self.bytes) || self.words.iter().any(|(w, bytes)| line.contains(w, *bytes))
    }
}

impl LiteralScreen {
    fn new(patterns: Vec<LiteralPattern>) -> Option<LiteralScreen> {
        (!patterns.is_empty()).then_some(LiteralScreen { patterns })
    }

    fn is_match(&self, line: &Line) -> bool {
        self.patterns.iter().any(|pattern| {
            let clauses = if line.ascii { &pattern.on_ascii } else { &pattern.on_any };
            line.bytes.holds(clauses.needed)
                && may_meet(&pattern.first, Edge::Start, line.text)
                && may_meet(&pattern.last, Edge::End, line.text)
                && clauses.all.iter().all(|c| c.holds(line))
                && pattern.regex.pick(line).is_match(line.text)
        })
    }
}

/// What every match of a pattern contains, on the lines of a `Text`.
#[derive(Debug, Clone, PartialEq)]
enum Required {
    /// Nothing known.
    Any,
    /// One of these literals (ASCII lowercased), ignoring ASCII case.
    OneOf(Vec<Vec<u8>>),
    /// No such line matches (on an ASCII line: the pattern needs a
    /// non-ASCII char).
    Impossible,
}

/// More literals than this make a screen slower than the regex.
const MAX_REQUIRED: usize = 16;

/// The literals one of which every match of `hir` contains, for screening
/// lines of `text`. Sound rather than complete: whatever it cannot read is
/// `Any`. (regex-syntax's extractor finds prefixes and suffixes only, and a
/// pattern like `^(?P<names>.+?) contributed` has neither.)
fn required_literals(hir: &regex_syntax::hir::Hir, text: Text) -> Required {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Required::Any,
        HirKind::Literal(_) | HirKind::Class(_) => match exact_literal(hir, text) {
            Some(Some(bytes)) => Required::OneOf(vec![bytes]),
            Some(None) => Required::Impossible,
            None => class_literals(hir, text).map_or(Required::Any, Required::OneOf),
        },
        HirKind::Repetition(r) if r.min == 0 => Required::Any,
        HirKind::Repetition(r) => required_literals(&r.sub, text),
        HirKind::Capture(c) => required_literals(&c.sub, text),
        HirKind::Alternation(branches) => {
            let mut all = Vec::new();
            for branch in branches {
                match required_literals(branch, text) {
                    Required::Any => return Required::Any,
                    Required::Impossible => {}
                    Required::OneOf(literals) => all.extend(literals),
                }
            }
            match all.len() {
                0 => Required::Impossible,
                n if n > MAX_REQUIRED => Required::Any,
                _ => Required::OneOf(all),
            }
        }
        HirKind::Concat(parts) => {
            // The requirement with the longest shortest literal wins.
            let Some(pieces) = concat_pieces(parts, text) else {
                return Required::Impossible;
            };
            pieces.into_iter().fold(Required::Any, |best, piece| {
                better(
                    best,
                    match piece {
                        Piece::Word(word) => Required::OneOf(vec![word]),
                        Piece::Part(part) => required_literals(part, text),
                    },
                )
            })
        }
    }
}

/// A piece of a concatenation: a run of fixed chars joined into one
/// word (ASCII lowercased), or any other part.
enum Piece<'a> {
    Word(Vec<u8>),
    Part(&'a regex_syntax::hir::Hir),
}

/// A concatenation's parts with runs of fixed chars joined into words;
/// `None` when a part matches no `text`, so neither does the whole.
fn concat_pieces(parts: &[regex_syntax::hir::Hir], text: Text) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    for part in parts {
        match exact_literal(part, text) {
            Some(Some(bytes)) => {
                run.extend(bytes);
                continue;
            }
            Some(None) => return None,
            None => {}
        }
        if !run.is_empty() {
            pieces.push(Piece::Word(std::mem::take(&mut run)));
        }
        pieces.push(Piece::Part(part));
    }
    if !run.is_empty() {
        pieces.push(Piece::Word(run));
    }
    Some(pieces)
}

/// The more selective of two requirements of one match.
fn better(a: Required, b: Required) -> Required {
    let shortest = |r: &Required| match r {
        Required::OneOf(l) => l.iter().map(Vec::len).min().unwrap_or(0),
        _ => 0,
    };
    match (&a, &b) {
        (Required::Impossible, _) | (Required::OneOf(_), Required::Any) => a,
        (_, Required::Impossible) | (Required::Any, Required::OneOf(_)) => b,
        (Required::OneOf(_), Required::OneOf(_)) if shortest(&b) > shortest(&a) => b,
        _ => a,
    }
}

/// Requirements all of which every match of `hir` meets on a line of
/// `text` (each: one of these literals, ignoring ASCII case); empty when
/// nothing is known, `None` when no such line matches. One requirement per
/// part of a concatenation: a caption credit needs both the period and the
/// slash, and few lines hold a slash.
fn required_clauses(hir: &regex_syntax::hir::Hir, text: Text) -> Option<Vec<Vec<Vec<u8>>>> {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Repetition(r) if r.min > 0 => required_clauses(&r.sub, text),
        HirKind::Capture(c) => required_clauses(&c.sub, text),
        HirKind::Concat(parts) => {
            let mut clauses = Vec::new();
            for piece in concat_pieces(parts, text)? {
                match piece {
                    Piece::Word(word) => clauses.push(vec![word]),
                    Piece::Part(part) => clauses.extend(required_clauses(part, text)?),
                }
            }
            Some(clauses)
        }
        _ => match required_literals(hir, text) {
            Required::Any => Some(Vec::new()),
            Required::OneOf(literals) => Some(vec![literals]),
            Required::Impossible => None,
        },
    }
}

/// The lines a screen is for. Under `(?i)` an ASCII letter also matches a
/// few other chars (`k` the Kelvin sign, `s` the long s), and `\s` or `.`
/// many: what every match contains is known more closely on ASCII lines.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Text {
    Ascii,
    Any,
}

/// What an expression that matches one fixed char or string (ignoring ASCII
/// case) matches on lines of `text`: `Some(Some(bytes, ASCII lowercased))`,
/// or `Some(None)` when it matches nothing there; `None` for any other
/// expression.
fn exact_literal(hir: &regex_syntax::hir::Hir, text: Text) -> Option<Option<Vec<u8>>> {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Literal(literal) => {
            Some((text == Text::Any || literal.0.is_ascii()).then(|| literal.0.to_ascii_lowercase()))
        }
        HirKind::Class(Class::Unicode(class)) => {
            if let [range] = class.ranges() {
                if text == Text::Any && range.start() == range.end() && !range.start().is_ascii() {
                    return Some(Some(range.start().to_string().into_bytes()));
                }
            }
            let mut byte = None;
            for range in class.iter() {
                let (start, end) = (range.start() as u32, range.end() as u32);
                if text == Text::Any && end > 0x7f {
                    return None;
                }
                for c in start..=end.min(0x7f) {
                    let lower = (c as u8).to_ascii_lowercase();
                    if *byte.get_or_insert(lower) != lower {
                        return None;
                    }
                }
            }
            Some(byte.map(|b| vec![b]))
        }
        HirKind::Capture(c) => exact_literal(&c.sub, text),
        _ => None,
    }
}

/// The chars a class matches on lines of `text`, one literal each (ASCII
/// lowercased), when they are few enough to screen by (`[-=–—]`: `-` or
/// `=` on an ASCII line, and `–` or `—` too on any other).
fn class_literals(hir: &regex_syntax::hir::Hir, text: Text) -> Option<Vec<Vec<u8>>> {
    use regex_syntax::hir::{Class, HirKind};
    let HirKind::Class(Class::Unicode(class)) = hir.kind() else {
        return None;
    };
    let mut bytes = 0u128;
    let mut others = Vec::new();
    for range in class.iter() {
        for c in range.start() as u32..=(range.end() as u32).min(0x7f) {
            bytes |= 1 << (c as u8).to_ascii_lowercase();
        }
        if text == Text::Any {
            let start = range.start().max('\u{80}');
            if start <= range.end() {
                // Counted before they are listed: `\p{L}` has 100,000.
                if range.end() as usize - start as usize >= MAX_REQUIRED {
                    return None;
                }
                others.extend((start..=range.end()).map(|c| c.to_string().into_bytes()));
            }
        }
    }
    match bytes.count_ones() as usize + others.len() {
        n if n == 0 || n > MAX_REQUIRED => None,
        _ => Some(
            (0..128u8)
                .filter(|&b| bytes & 1 << b != 0)
                .map(|b| vec![b])
                .chain(others)
                .collect(),
        ),
    }
}

/// Lowercase ASCII prefixes, one of which starts every match.
#[derive(Debug, Default)]
struct Prefixes {
    /// The literals by their first byte (all ASCII): a line's first byte
    /// picks the few to compare.
    by_first: Vec<Vec<Vec<u8>>>,
    longest: usize,
}

impl Prefixes {
    /// Adds the literals, keeping only the shortest of those that start
    /// alike: a line that starts with `support the ` starts with `support `
    /// too, and each literal kept costs a comparison on every line.
    fn add(&mut self, literals: Vec<String>) {
        for literal in literals {
            let literal = literal.into_bytes();
            let first = literal[0] as usize;
            if self.by_first.len() <= first {
                self.by_first.resize(first + 1, Vec::new());
            }
            let same_first = &mut self.by_first[first];
            if same_first.iter().any(|l| literal.starts_with(l)) {
                continue;
            }
            same_first.retain(|l| !l.starts_with(&literal));
            same_first.push(literal);
        }
        self.longest = self.by_first.iter().flatten().map(Vec::len).max().unwrap_or(0);
    }

    /// False only when no prefix starts the line, ignoring ASCII case.
    fn may_match(&self, line: &Line) -> bool {
        let text = line.text.as_bytes();
        // Literals are never empty: an empty line starts with none.
        let Some(&first) = text.first() else { return false };
        // Under `(?i)` an ASCII letter also matches a few non-ASCII chars
        // (`k` the Kelvin sign, `s` the long s): such heads go to the regex.
        // An ASCII line (nearly every one) needs no look.
        if !line.ascii && !text[..text.len().min(self.longest)].is_ascii() {
            return true;
        }
        self.by_first
            .get(first.to_ascii_lowercase() as usize)
            .is_some_and(|literals| {
                literals
                    .iter()
                    .any(|l| text.len() >= l.len() && text[..l.len()].eq_ignore_ascii_case(l))
            })
    }
}

/// Chars that stand for themselves in a pattern (outside a class, without
/// the `x` flag) and have no case variants beyond ASCII ones.
fn is_plain_literal(c: char) -> bool {
    c.is_ascii_alphanumeric() || " !\"#%&',-/:;<=>@_~`".contains(c)
}

/// The literal prefixes one of which starts every match of a `^`-anchored
/// pattern, lowercased; `None` when the pattern is not of the simple form
/// read here: `(?i)` at most, `^`, then literal chars and groups of literal
/// alternatives, each perhaps optional (`?`). Reading stops at the first
/// other construct, so the prefixes found always hold.
fn literal_prefixes(pattern: &str) -> Option<Vec<String>> {
    const MAX_PREFIXES: usize = 64;
    let rest = pattern.strip_prefix("(?i)").unwrap_or(pattern).strip_prefix('^')?;
    if has_top_level_alternation(rest) {
        return None;
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut prefixes = vec![String::new()];
    let mut i = 0;
    while let Some((mut alternatives, mut next)) = literal_atom(&chars, i) {
        match chars.get(next) {
            Some('?') => {
                alternatives.push(String::new());
                next += 1;
                // `??` is the lazy form: still optional.
                if chars.get(next) == Some(&'?') {
                    next += 1;
                }
            }
            Some('*' | '+' | '{') => break,
            _ => {}
        }
        if prefixes.len() * alternatives.len() > MAX_PREFIXES {
            break;
        }
        prefixes = prefixes
            .iter()
            .flat_map(|p| alternatives.iter().map(move |a| format!("{p}{a}")))
            .collect();
        i = next;
    }
    if prefixes.iter().any(String::is_empty) {
        return None;
    }
    Some(prefixes.into_iter().map(|p| p.to_ascii_lowercase()).collect())
}

/// One literal char (perhaps an escaped punctuation char) or a group of
/// literal alternatives at `i`: its alternatives and the index after it.
fn literal_atom(chars: &[char], i: usize) -> Option<(Vec<String>, usize)> {
    let literal_char = |j: usize| -> Option<(char, usize)> {
        match *chars.get(j)? {
            '\\' => chars
                .get(j + 1)
                .filter(|c| c.is_ascii_punctuation())
                .map(|&c| (c, j + 2)),
            c if is_plain_literal(c) => Some((c, j + 1)),
            _ => None,
        }
    };
    if chars.get(i) != Some(&'(') {
        let (c, next) = literal_char(i)?;
        return Some((vec![c.to_string()], next));
    }
    let mut j = i + 1;
    if chars.get(j) == Some(&'?') {
        // Only non-capturing and named groups: `(?i:...)` and the like
        // change flags.
        if chars.get(j + 1) == Some(&':') {
            j += 2;
        } else if chars.get(j + 1..j + 3) == Some(&['P', '<']) || chars.get(j + 1) == Some(&'<') {
            j += chars[j..].iter().position(|&c| c == '>')? + 1;
        } else {
            return None;
        }
    }
    let mut alternatives = vec![String::new()];
    loop {
        match chars.get(j)? {
            ')' => return Some((alternatives, j + 1)),
            '|' => {
                alternatives.push(String::new());
                j += 1;
            }
            _ => {
                let (c, next) = literal_char(j)?;
                alternatives.last_mut().expect("one at least").push(c);
                j = next;
            }
        }
    }
}

/// Whether a `|` outside every group and class splits the whole pattern
/// (then `^` anchors only its first branch). Unsure readings say yes.
fn has_top_level_alternation(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    let (mut depth, mut class_depth) = (0usize, 0usize);
    // Whether the char just read opened a class (where `]` is literal).
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let opened = class_start;
        class_start = false;
        match c {
            '\\' => {
                chars.next();
            }
            '[' => {
                class_depth += 1;
                class_start = true;
            }
            '^' if opened => class_start = true,
            ']' if class_depth > 0 && !opened => class_depth -= 1,
            _ if class_depth > 0 => {}
            '(' => depth += 1,
            ')' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            '|' if depth == 0 => return true,
            _ => {}
        }
    }
    depth != 0 || class_depth != 0
}

fn normalize_exact(line: &str) -> String {
    line.trim().trim_end_matches([':', '.']).trim().to_lowercase()
}

impl BoilerplateRules {
    /// Compiles the rules file. The error names the key.
    pub fn from_toml_str(text: &str) -> Result<BoilerplateRules, String> {
        let file: RulesFile = toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())?;
        if !(0.0..=1.0).contains(&file.cut_tail.min_position) {
            return Err("cut_tail.min_position: must be between 0 and 1".into());
        }
        Ok(BoilerplateRules {
            max_rule_line_chars: file.structure.max_rule_line_chars,
            longest_exact: file.remove_lines.exact.iter().map(|l| l.len() + 2).max().unwrap_or(0),
            exact: file.remove_lines.exact.iter().map(|l| normalize_exact(l)).collect(),
            remove: compile_set("remove_lines.patterns", &file.remove_lines.patterns)?,
            inline: compile("remove_lines.inline", &file.remove_lines.inline)?,
            cut_tail: compile_set("cut_tail.patterns", &file.cut_tail.patterns)?,
            min_position: file.cut_tail.min_position,
            remove_with_next: compile_set("remove_with_next.patterns", &file.remove_with_next.patterns)?,
            teasers: compile_set("teasers.patterns", &file.teasers.patterns)?,
            bylines: Captures::new("bylines.patterns", &file.bylines.patterns, "names")?,
            credits: Captures::new("credits.patterns", &file.credits.patterns, "names")?,
            credit_tails: Captures::new("captions.credit_tails", &file.captions.credit_tails, "credit")?,
            min_duplicate_chars: file.structure.min_duplicate_chars,
            min_caps_words: file.structure.min_caps_words,
            header_lines: file.structure.header_lines,
        })
    }

    /// Strips one article's cleaned text.
    pub fn strip(&self, cleaned: &str) -> Stripped {
        let mut found = Stripped::default();
        // Almost every Reuters story carries one inline match (`&#3;`): a
        // pattern that finds nothing leaves the text borrowed, uncopied.
        let mut text: Cow<str> = Cow::Borrowed(cleaned);
        for r in &self.inline {
            if let Cow::Owned(replaced) = r.replace_all(&text, "") {
                text = Cow::Owned(replaced);
            }
        }
        let text = text.as_ref();
        // `text.split('\n')`: memchr's vector search finds the breaks
        // faster than the standard library's word-at-a-time one.
        let breaks = memchr::memchr_iter(b'\n', text.as_bytes());
        let mut lines: Vec<&str> = Vec::with_capacity(breaks.clone().count() + 1);
        let mut start = 0;
        for end in breaks {
            lines.push(&text[start..end]);
            start = end + 1;
        }
        lines.push(&text[start..]);
        let content_lines = lines.iter().filter(|l| !l.is_empty()).count().max(1);
        // Trimmed once: the header checks look at each line's neighbours
        // again and again.
        let trimmed: Vec<&str> = lines.iter().map(|l| trim(l)).collect();
        // A pass over every character, needed only for an all-caps line.
        let mut mixed_case: Option<bool> = None;
        let mut keep: Vec<Option<Cow<str>>> = lines.iter().map(|l| Some(Cow::Borrowed(*l))).collect();
        let mut seen = Seen::with_capacity(lines.len());
        let mut lowered = String::new();
        let mut content_seen = 0usize;
        let mut header = true;
        let mut i = 0;
        while i < lines.len() {
            let line = trimmed[i];
            if line.is_empty() {
                i += 1;
                continue;
            }
            content_seen += 1;
            if header && (content_seen > self.header_lines || line.len() >= 100 && has_words(line, 20)) {
                header = false;
            }
            let position = content_seen as f64 / content_lines as f64;
            // Boilerplate lines are short and stand alone: long lines, and
            // the continuation lines of a hard-wrapped paragraph (the line
            // before runs on without ending its sentence), skip every pattern.
            let previous = if i > 0 { trim_end(lines[i - 1]) } else { "" };
            let continues = !header
                && previous.len() >= 40
                && !previous.ends_with(['.', '!', '?', ':', '"', '”', '’', ')'])
                && line.starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit());
            // A char is 1-4 bytes: the byte length bounds the count both ways.
            let any_rule = !continues
                && (line.len() <= self.max_rule_line_chars
                    || line.len() <= 4 * self.max_rule_line_chars && line.chars().count() <= self.max_rule_line_chars);
            let screened = Line::new(if any_rule { line } else { "" });
            if any_rule && self.cut_tail.is_match_line(&screened) && position >= self.min_position {
                for slot in &mut keep[i..] {
                    *slot = None;
                }
                break;
            }
            if any_rule && self.remove_with_next.is_match_line(&screened) {
                keep[i] = None;
                if let Some(next) = (i + 1..lines.len()).find(|&j| !trimmed[j].is_empty()) {
                    keep[next] = None;
                    i = next + 1;
                } else {
                    i += 1;
                }
                continue;
            }
            // Word limits keep ordinary sentences that happen to start with
            // "By" or end with "contributed" out of the metadata.
            let bylines = if any_rule {
                self.bylines.find(&screened).filter(|m| word_count(m.as_str()) <= 12)
            } else {
                None
            };
            let credits = if any_rule && bylines.is_none() {
                self.credits.find(&screened).filter(|m| word_count(m.as_str()) <= 30)
            } else {
                None
            };
            if let Some(names) = bylines {
                found.cue_lines.push(line.to_owned());
                found.bylines.push(names.as_str().trim().to_owned());
                keep[i] = None;
            } else if let Some(names) = credits {
                found.credits.push(names.as_str().trim().to_owned());
                keep[i] = None;
            } else if line.len() <= self.longest_exact && self.is_exact(line, &mut lowered) {
                keep[i] = None;
            } else if any_rule && self.remove.is_match_line(&screened) {
                found.cue_lines.push(line.to_owned());
                keep[i] = None;
            } else if header && any_rule && is_date(&screened) {
                // (A line too long for the rules is too long for a date.)
                found.date_lines.push(line.to_owned());
                keep[i] = None;
            } else if (header && is_section_label(line))
                // The screen rejects nearly every line at once; counting
                // words walks the whole line.
                || (any_rule && !header && self.teasers.is_match_line(&screened) && !has_words(line, 26))
            {
                keep[i] = None;
            } else if self.is_promo_caps(line) && *mixed_case.get_or_insert_with(|| is_mostly_mixed_case(text)) {
                found.cue_lines.push(line.to_owned());
                keep[i] = None;
            } else if self.is_duplicate(line, &seen, &trimmed[i + 1..], header) {
                keep[i] = None;
            } else if let Some(stripped) = any_rule.then(|| self.strip_credit_tail(&screened)).flatten() {
                keep[i] = Some(Cow::Owned(stripped));
            }
            if line.len() >= self.min_duplicate_chars {
                seen.insert(prefix_key(line, self.min_duplicate_chars), line);
            }
            i += 1;
        }
        self.remove_bare_author_lines(&trimmed, &mut keep, &mut found);
        found.text = join_paragraphs(keep.into_iter().flatten(), text.len());
        found
    }

    /// `self.exact.contains(&normalize_exact(line))`, lowercasing ASCII
    /// lines into a reused buffer instead of a new string per line.
    fn is_exact(&self, line: &str, buffer: &mut String) -> bool {
        let trimmed = line.trim().trim_end_matches([':', '.']).trim();
        if !trimmed.is_ascii() {
            return self.exact.contains(&normalize_exact(line));
        }
        buffer.clear();
        buffer.push_str(trimmed);
        buffer.make_ascii_lowercase();
        self.exact.contains(buffer.as_str())
    }

    fn is_promo_caps(&self, line: &str) -> bool {
        // Nearly every line has a lowercase ASCII letter early on.
        if line.bytes().any(|b| b.is_ascii_lowercase()) {
            return false;
        }
        let letters = line.chars().filter(|c| c.is_alphabetic()).count();
        let upper = line.chars().filter(|c| c.is_uppercase()).count();
        let digits = line.chars().filter(|c| c.is_ascii_digit()).count();
        letters >= 12
            && upper == letters
            && digits * 5 < letters
            && word_count(line) >= self.min_caps_words
            && !line.ends_with('.')
    }

    /// A second copy of an earlier line (perhaps with a credit tail added),
    /// or a first copy with a label glued to its front. `rest` is the lines
    /// after it, trimmed.
    fn is_duplicate(&self, line: &str, seen: &Seen, rest: &[&str], header: bool) -> bool {
        if line.len() < self.min_duplicate_chars {
            return false;
        }
        for earlier in seen.get(prefix_key(line, self.min_duplicate_chars)) {
            if earlier == line {
                return true;
            }
            if let Some(tail) = line.strip_prefix(earlier) {
                if tail.len() <= 120 && earlier.chars().count() >= self.min_duplicate_chars {
                    return true;
                }
            }
        }
        // A label glued to the first copy of a headline (`NewsPentagon
        // chief ...` before `Pentagon chief ...`), in the header: the glued
        // copy goes.
        if !header {
            return false;
        }
        for &later in rest.iter().take(6) {
            if later.len() >= self.min_duplicate_chars && line.len() > later.len() && line.ends_with(later) {
                let label = &line[..line.len() - later.len()];
                if !label.contains(' ') && label.chars().count() <= 20 {
                    return true;
                }
            }
            if later == line {
                // Kept here; the later copy is dropped when it is reached.
                return false;
            }
        }
        false
    }

    fn strip_credit_tail(&self, line: &Line) -> Option<String> {
        // Keep the caption's final period.
        self.credit_tails
            .find(line)
            .map(|credit| line.text[..credit.start()].trim_end().to_owned())
    }

    /// A line of 2-4 capitalized name words in the header, beside a byline,
    /// a byline date or a photo credit, is the author's name on its own.
    /// `lines` are trimmed.
    fn remove_bare_author_lines(&self, lines: &[&str], keep: &mut [Option<Cow<str>>], found: &mut Stripped) {
        let content: Vec<usize> = (0..lines.len())
            .filter(|&i| !lines[i].is_empty())
            .take(self.header_lines)
            .collect();
        for (k, &i) in content.iter().enumerate() {
            if keep[i].is_none() || !is_bare_name(lines[i]) {
                continue;
            }
            let neighbours = [k.checked_sub(1), Some(k + 1)];
            let beside_removed_meta = neighbours.iter().flatten().filter_map(|&n| content.get(n)).any(|&j| {
                let l = lines[j];
                keep[j].is_none()
                    && (is_date_line(l) || {
                        let l = Line::new(l);
                        self.bylines.is_match(&l) || self.remove.is_match_line(&l)
                    })
            });
            let repeats_byline = found.bylines.iter().any(|b| b.starts_with(lines[i]));
            if beside_removed_meta || repeats_byline {
                if !repeats_byline {
                    found.bylines.push(lines[i].to_owned());
                }
                keep[i] = None;
            }
        }
    }
}

/// Earlier long lines by their first characters: duplicates share them.
/// One chain per key through a shared list, so a line costs no allocation
/// of its own.
#[derive(Default)]
struct Seen<'t> {
    heads: HashMap<&'t str, usize, BuildHasherDefault<FxHasher>>,
    /// Each line with the index of the previous line of its key.
    lines: Vec<(&'t str, usize)>,
}

impl<'t> Seen<'t> {
    fn with_capacity(lines: usize) -> Seen<'t> {
        Seen {
            heads: HashMap::with_capacity_and_hasher(lines, Default::default()),
            lines: Vec::with_capacity(lines),
        }
    }

    fn insert(&mut self, key: &'t str, line: &'t str) {
        let index = self.lines.len();
        let previous = self.heads.insert(key, index).unwrap_or(usize::MAX);
        self.lines.push((line, previous));
    }

    /// The lines under a key, latest first.
    fn get(&self, key: &str) -> impl Iterator<Item = &'t str> + '_ {
        let mut next = self.heads.get(key).copied().unwrap_or(usize::MAX);
        std::iter::from_fn(move || {
            let (line, previous) = *self.lines.get(next)?;
            next = previous;
            Some(line)
        })
    }
}

/// The Fx hash (rustc's): keys are short prefixes of one article's lines,
/// where SipHash's cost shows in the profile and its flood resistance buys
/// nothing.
#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// The first `len` bytes of a line, cut back to a character boundary.
fn prefix_key(line: &str, len: usize) -> &str {
    let mut end = len.min(line.len());
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    &line[..end]
}

/// `line.trim()`. Nearly every line starts and ends with printable ASCII,
/// and then there is nothing to trim and no char to decode at either end.
fn trim(line: &str) -> &str {
    match line.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => line,
        _ => line.trim(),
    }
}

/// `line.trim_end()`, by the same shortcut as `trim`.
fn trim_end(line: &str) -> &str {
    match line.as_bytes().last() {
        Some(last) if last.is_ascii_graphic() => line,
        _ => line.trim_end(),
    }
}

fn word_count(line: &str) -> usize {
    line.split_whitespace().count()
}

/// `word_count(line) >= n` (`n` > 0), without counting past `n`.
fn has_words(line: &str, n: usize) -> bool {
    line.split_whitespace().nth(n - 1).is_some()
}

fn is_mostly_mixed_case(text: &str) -> bool {
    let (mut letters, mut lower) = (0usize, 0usize);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII letters are classified without decoding a char.
        let b = bytes[i];
        if b < 0x80 {
            letters += b.is_ascii_alphabetic() as usize;
            lower += b.is_ascii_lowercase() as usize;
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        if c.is_alphabetic() {
            letters += 1;
            lower += c.is_lowercase() as usize;
        }
        i += c.len_utf8();
    }
    letters > 0 && lower * 2 > letters
}

/// A line that holds only a date, perhaps with a time or a label:
/// `26 June 2024 09:08`, `June 26, 2024`, `Updated: 2017-09-15 17:52`.
pub fn is_date_line(line: &str) -> bool {
    // A char is 1-4 bytes: longer lines are no date, and skip the scan.
    line.len() <= 4 * 60 && is_date(&Line::new(line))
}

/// `is_date_line`, from what the screens already know of the line.
fn is_date(line: &Line) -> bool {
    let text = line.text;
    // A char is 1-4 bytes: most lines are decided by their byte length.
    if text.len() > 4 * 60 || text.len() > 60 && (line.ascii || text.chars().count() > 60) {
        return false;
    }
    // A date line needs a year: four digits, or a 10-char ISO-like token
    // with its dashes. Most lines have neither digit nor dash, and skip the
    // lowercased copy.
    let digit_or_dash = Bytes(BYTE_BITS[b'0' as usize] | BYTE_BITS[b'-' as usize]);
    if !line.bytes.meets(digit_or_dash) {
        return false;
    }
    // Lowercasing leaves an ASCII line's bytes in place, so a copy on the
    // stack serves; only other lines need `to_lowercase`'s new string.
    if line.ascii {
        let mut buffer = [0u8; 60];
        let lowered = &mut buffer[..text.len()];
        lowered.copy_from_slice(text.as_bytes());
        lowered.make_ascii_lowercase();
        return holds_only_date(std::str::from_utf8(lowered).expect("ASCII stays UTF-8"));
    }
    holds_only_date(&text.to_lowercase())
}

/// Whether a lowercased line is a date, perhaps labelled: a year and a
/// day or month, with nothing but times, zones and weekdays beside them.
fn holds_only_date(lowered: &str) -> bool {
    let body = [
        "updated",
        "published",
        "posted",
        "date",
        "last updated",
        "first published",
    ]
    .iter()
    .find_map(|label| lowered.strip_prefix(label))
    .map_or(lowered, |rest| rest.trim_start_matches([':', ' ', '-']));
    let mut has_year = false;
    let mut has_day_or_month = false;
    for token in body.split(|c: char| c.is_whitespace() || c == ',' || c == '|') {
        let token = token.trim_matches(|c: char| c == '.' || c == '(' || c == ')');
        if token.is_empty() {
            continue;
        }
        // Tested in the order they decide, each only when the ones before
        // failed: most lines end at their first token, a plain word.
        let is_iso = || token.len() == 10 && token.as_bytes()[4] == b'-' && token.as_bytes()[7] == b'-';
        let is_year = || {
            token.len() == 4
                && token.chars().all(|c| c.is_ascii_digit())
                && (token.starts_with("19") || token.starts_with("20"))
        };
        let is_day = || token.len() <= 2 && token.chars().all(|c| c.is_ascii_digit());
        let is_time = || token.contains(':') && token.chars().all(|c| c.is_ascii_digit() || c == ':');
        if is_iso() {
            has_year = true;
            has_day_or_month = true;
        } else if is_year() {
            has_year = true;
        } else if is_month(token) || is_day() {
            has_day_or_month = true;
        } else if !(is_time() || is_zone(token)) {
            return false;
        }
    }
    has_year && has_day_or_month
}

fn is_month(token: &str) -> bool {
    matches!(
        token,
        "jan"
            | "feb"
            | "mar"
            | "apr"
            | "may"
            | "jun"
            | "jul"
            | "aug"
            | "sep"
            | "sept"
            | "oct"
            | "nov"
            | "dec"
            | "january"
            | "february"
            | "march"
            | "april"
            | "june"
            | "july"
            | "august"
            | "september"
            | "october"
            | "november"
            | "december"
    )
}

/// Times of day, zones, weekdays and the words joining them to a date.
fn is_zone(token: &str) -> bool {
    matches!(
        token,
        "am" | "pm"
            | "a.m"
            | "p.m"
            | "gmt"
            | "utc"
            | "et"
            | "est"
            | "edt"
            | "bst"
            | "cet"
            | "msk"
            | "at"
            | "on"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
    )
}

/// One all-caps word standing alone at the top: a section label (`DEFENSE`).
fn is_section_label(line: &str) -> bool {
    !line.contains(' ')
        && line.chars().filter(|c| c.is_alphabetic()).count() >= 3
        && line.chars().all(|c| c.is_uppercase() || c == '-' || c == '&')
}

const NAME_STOPWORDS: &[&str] = &[
    "The", "A", "An", "Of", "In", "On", "And", "For", "To", "With", "At", "By", "From", "News",
];

fn is_bare_name(line: &str) -> bool {
    // Most header lines fail on their first word or run past four words:
    // stop there.
    let mut words = 0;
    for w in line.split_whitespace() {
        words += 1;
        if words > 4 || !is_name_word(w) {
            return false;
        }
    }
    words >= 2
}

fn is_name_word(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(|c| c.is_uppercase())
        && chars.all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
        && w.chars().any(|c| c.is_lowercase())
        && !NAME_STOPWORDS.contains(&w)
}

/// Joins kept lines, keeping one blank line between paragraphs.
fn join_paragraphs<'a>(lines: impl Iterator<Item = Cow<'a, str>>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    let mut blank = false;
    for line in lines {
        if trim(&line).is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(&line);
        blank = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> BoilerplateRules {
        BoilerplateRules::from_toml_str(include_str!("../../data/boilerplate.toml")).unwrap()
    }

    #[test]
    fn navigation_cta_and_read_more_tail_go() {
        let text = "Menu\nSupport The Moscow Times!\nContribute today\n\nShoigu spoke by phone to Austin on Friday, the ministry said in a statement.\n\nThe call was the first since May, officials said.\n\nAFP contributed reporting.\n\nRead more about: Ukraine war\n\nRead more\n\nOther story\n\n\"Quote from another story,\" he said.";
        let s = rules().strip(text);
        assert_eq!(s.text, "Shoigu spoke by phone to Austin on Friday, the ministry said in a statement.\n\nThe call was the first since May, officials said.");
        assert_eq!(s.credits, ["AFP"]);
        assert!(s.cue_lines.iter().any(|l| l == "Support The Moscow Times!"));
    }

    #[test]
    fn bylines_dates_and_bare_names_become_metadata() {
        let text = "Headline of the story here\nGreg Norman\nBy Greg Norman | Fox News\nU.S. Secretary of Defense Lloyd Austin spoke Friday with his Russian counterpart for the first time in months.";
        let s = rules().strip(text);
        assert_eq!(s.bylines, ["Greg Norman | Fox News"]);
        assert_eq!(s.text, "Headline of the story here\nU.S. Secretary of Defense Lloyd Austin spoke Friday with his Russian counterpart for the first time in months.");
        let text = "Title line of the article\nImages source: © Licensor\nRadosław Opas\n\n26 June 2024 09:08\n\nFor the first time since March 2023, Pentagon Chief Lloyd Austin spoke with the Russian Defence Minister, the Pentagon announced.";
        let s = rules().strip(text);
        assert_eq!(s.bylines, ["Radosław Opas"]);
        assert_eq!(s.date_lines, ["26 June 2024 09:08"]);
        assert!(
            s.text.starts_with("Title line of the article\n\nFor the first time"),
            "{}",
            s.text
        );
    }

    #[test]
    fn duplicated_captions_and_glued_labels_go() {
        let caption = "Secretary of Defense Lloyd Austin testifies before the House Committee on Wednesday, May 11.";
        let text = format!("NewsPentagon chief speaks to Russian defence minister\n\nPentagon chief speaks to Russian defence minister\n\n{caption}\n\n{caption} (AP/Jose Luis Magana)\n\nBody paragraph with enough words to count as the body of the article here.");
        let s = rules().strip(&text);
        assert_eq!(s.text, format!("Pentagon chief speaks to Russian defence minister\n\n{caption}\n\nBody paragraph with enough words to count as the body of the article here."));
    }

    #[test]
    fn promo_caps_photo_credit_tails_and_teasers_go() {
        let text = "Russian Defense Minister Sergei Shoigu. Grigory Sysoyev / POOL / TASS\n\nThe ministry said the call took place on Friday afternoon.\n\nFORMER WAGNER GROUP MERCENARY SAYS RUSSIA ILL-PREPARED FOR WAR\n\nGARLAND STEPS ASIDE.\n\nPrevious article\nSome other headline\nNext article\nAnother headline";
        let s = rules().strip(text);
        assert_eq!(s.text, "Russian Defense Minister Sergei Shoigu.\n\nThe ministry said the call took place on Friday afternoon.\n\nGARLAND STEPS ASIDE.");
    }

    #[test]
    fn section_labels_and_mid_article_teasers_go() {
        let text = "DEFENSE\n\nDefense Secretary Austin speaks with Russian defense minister\n\nThe call took place on Friday, and it lasted an hour, officials in Washington said to reporters gathered at the Pentagon for the briefing.\n\nCivilians killed on Sevastopol beach were 'occupiers' – top Zelensky aide\nThe conversation took place two days after the strike.";
        let s = rules().strip(text);
        assert_eq!(s.text, "Defense Secretary Austin speaks with Russian defense minister\n\nThe call took place on Friday, and it lasted an hour, officials in Washington said to reporters gathered at the Pentagon for the briefing.\n\nThe conversation took place two days after the strike.");
        // In the header, a dash headline is the article's own.
        let own = "Russia ready to talk to France – Kremlin\n\nThe Kremlin said on Monday that it was ready to talk.";
        assert_eq!(rules().strip(own).text, own);
    }

    #[test]
    fn reuters_signoff_and_control_entities_go() {
        let text = "Showers continued throughout the week in the Bahia cocoa zone.\n\nComissaria Smith said in its weekly review.\n\nReuter\n&#3;";
        let s = rules().strip(text);
        assert_eq!(s.text, "Showers continued throughout the week in the Bahia cocoa zone.\n\nComissaria Smith said in its weekly review.");
    }

    /// `is_date_line` as first written: one lowercased copy per line.
    fn is_date_line_reference(line: &str) -> bool {
        const MONTHS: &[&str] = &[
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "sept",
            "oct",
            "nov",
            "dec",
            "january",
            "february",
            "march",
            "april",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        if line.len() > 4 * 60 || line.len() > 60 && line.chars().count() > 60 {
            return false;
        }
        if !line.bytes().any(|b| b.is_ascii_digit() || b == b'-') {
            return false;
        }
        let lowered = line.to_lowercase();
        let body = [
            "updated",
            "published",
            "posted",
            "date",
            "last updated",
            "first published",
        ]
        .iter()
        .find_map(|label| lowered.strip_prefix(label))
        .map(|rest| rest.trim_start_matches([':', ' ', '-']).to_owned())
        .unwrap_or(lowered);
        let mut has_year = false;
        let mut has_day_or_month = false;
        for token in body.split(|c: char| c.is_whitespace() || c == ',' || c == '|') {
            let token = token.trim_matches(|c: char| c == '.' || c == '(' || c == ')');
            if token.is_empty() {
                continue;
            }
            let is_year = token.len() == 4
                && token.chars().all(|c| c.is_ascii_digit())
                && (token.starts_with("19") || token.starts_with("20"));
            let is_iso = token.len() == 10 && token.as_bytes()[4] == b'-' && token.as_bytes()[7] == b'-';
            let is_time = token.contains(':') && token.chars().all(|c| c.is_ascii_digit() || c == ':');
            let is_day = token.len() <= 2 && token.chars().all(|c| c.is_ascii_digit());
            let is_month = MONTHS.contains(&token);
            let is_zone = matches!(
                token,
                "am" | "pm"
                    | "a.m"
                    | "p.m"
                    | "gmt"
                    | "utc"
                    | "et"
                    | "est"
                    | "edt"
                    | "bst"
                    | "cet"
                    | "msk"
                    | "at"
                    | "on"
            ) || [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ]
            .contains(&token);
            if is_iso {
                has_year = true;
                has_day_or_month = true;
            } else if is_year {
                has_year = true;
            } else if is_month || is_day {
                has_day_or_month = true;
            } else if !(is_time || is_zone) {
                return false;
            }
        }
        has_year && has_day_or_month
    }

    #[test]
    fn date_lines_agree_with_the_reference() {
        // Pieces that each decide a token one way or another, glued by every
        // separator the split knows (and some it does not), in mixed case
        // and with non-ASCII chars whose lowercase differs in length.
        let pieces = [
            "Updated",
            "PUBLISHED:",
            "posted -",
            "Date",
            "Last Updated",
            "First published",
            "datelined",
            "26",
            "1",
            "123",
            "2024",
            "1987",
            "3024",
            "2017-09-15",
            "2017/09/15",
            "17:52",
            "9:0a",
            "JUNE",
            "Sept.",
            "(May)",
            "Mayo",
            "Friday",
            "a.m.",
            "P.M",
            "GMT",
            "at",
            "on",
            "the",
            "İ",
            "ß",
            "Ⅻ",
            "ǅ",
            "2024İ",
            "",
        ];
        let separators = [
            " ", ", ", "|", "\t", "\u{0b}", "\u{85}", "\u{a0}", " - ", "..", "\u{2009}",
        ];
        let mut next = crate::test_text::numbers(0x2545_f491_4f6c_dd1d);
        let mut agreed = 0;
        for _ in 0..20_000 {
            let mut line = String::new();
            for k in 0..1 + next(6) {
                if k > 0 {
                    line.push_str(separators[next(separators.len())]);
                }
                line.push_str(pieces[next(pieces.len())]);
            }
            assert_eq!(is_date_line(&line), is_date_line_reference(&line), "{line:?}");
            agreed += is_date_line(&line) as usize;
        }
        // The draw finds date lines too, not only rejections.
        assert!(agreed > 100, "{agreed}");
    }

    #[test]
    fn date_lines() {
        for yes in [
            "26 June 2024 09:08",
            "June 26, 2024",
            "Updated: 2017-09-15 17:52",
            "Published 2022-10-21",
            "Friday, 21 October 2022",
        ] {
            assert!(is_date_line(yes), "{yes}");
        }
        for no in [
            "The war in Ukraine continues",
            "June 2024 was hot",
            "2024",
            "Since May 13, 2022 the talks stalled",
        ] {
            assert!(!is_date_line(no), "{no}");
        }
    }

    #[test]
    fn literal_prefixes_are_read_conservatively() {
        let prefixes = |p: &str| {
            literal_prefixes(p).map(|mut v| {
                v.sort();
                v
            })
        };
        assert_eq!(
            prefixes("(?i)^(Previous|next) (?:article|story)$").unwrap(),
            ["next article", "next story", "previous article", "previous story"]
        );
        assert_eq!(
            prefixes("(?i)^(now is )?support x").unwrap(),
            ["now is support x", "support x"]
        );
        assert_eq!(prefixes("^ab*c").unwrap(), ["a"]);
        assert_eq!(
            prefixes("(?i)^\\((?:a|b) by (?P<n>[^)]+)").unwrap(),
            ["(a by ", "(b by "]
        );
        for none in [
            "^a|b", "^(a)|b", "^[|]a|b", "a^", "(?i:^ab)", "^(?i)ab", "(?x)^a b", "^_{2,}", "^\\s*a", "(?i)^©", "^(a|)",
        ] {
            assert_eq!(literal_prefixes(none), None, "{none}");
        }
        let set = compile_set("k", &["(?i)^read more$".into(), "\\w+$".into()]).unwrap();
        assert!(set.screened.is_some() && set.unscreened.is_some());
        // The Kelvin sign is a `k` under `(?i)`: the screen lets it through.
        assert!(set.is_match("READ MORE") && set.is_match("a x") && !set.is_match("Read less."));
        let kelvin = compile_set("k", &["(?i)^kelvin$".into()]).unwrap();
        assert!(kelvin.is_match("\u{212A}elvin"));
    }

    #[test]
    fn required_literals_are_read_from_patterns() {
        let required = |p: &str| required_literals(&regex_syntax::parse(p).unwrap(), Text::Ascii);
        let one = |l: &str| Required::OneOf(vec![l.as_bytes().to_vec()]);
        assert_eq!(
            required("(?i)^(?P<names>.+?)\\s+(?:contributed|also contributed)\\s+reporting"),
            Required::OneOf(vec![b"contributed".to_vec(), b"also contributed".to_vec()])
        );
        assert_eq!(required("^(?P<n>\\p{Lu}[a-z]+\\s*\\|\\s*\\p{Lu}.*)$"), one("|"));
        assert_eq!(required("^[^.!?]+\\s[–—]\\s[a-z]+$"), Required::Impossible);
        assert_eq!(required("(?i)^©.*$"), Required::Impossible);
        assert_eq!(
            required("(?i)(?:AFP|Reuters)\\."),
            Required::OneOf(vec![b"afp".to_vec(), b"reuters".to_vec()])
        );
        assert_eq!(
            required("^[-=–—]{3,}$"),
            Required::OneOf(vec![b"-".to_vec(), b"=".to_vec()])
        );
        for any in ["a*", "(?:x|y*)z?", "\\w+"] {
            assert_eq!(required(any), Required::Any, "{any}");
        }
        let clauses = |p: &str| required_clauses(&regex_syntax::parse(p).unwrap(), Text::Ascii);
        assert_eq!(
            clauses("\\.\\s+(?P<c>\\p{Lu}[a-z]+(?:\\s*/\\s*[a-z]+)+)$"),
            Some(vec![
                vec![b".".to_vec()],
                [b"\t", b"\n", b"\x0b", b"\x0c", b"\r", b" "]
                    .map(|b| b.to_vec())
                    .to_vec(),
                vec![b"/".to_vec()]
            ])
        );
        assert_eq!(clauses("^[^.]+ [–—] [a-z]+$"), None);
        assert_eq!(clauses("a*"), Some(Vec::new()));
        // The screen agrees with the regex on ASCII and non-ASCII lines.
        let set = compile_set(
            "k",
            &[
                "(?i)^(?P<n>.+?) contributed reporting".into(),
                "^[^.]+ [–—] [a-z]+$".into(),
            ],
        )
        .unwrap();
        assert!(set.literals.is_some() && set.screened.is_none() && set.unscreened.is_none());
        assert!(set.is_match("Jane Doe CONTRIBUTED Reporting."));
        assert!(!set.is_match("Jane Doe contributed to this."));
        assert!(set.is_match("Teaser line – more"));
        assert!(!set.is_match("Teaser line - more"));
        assert!(set.is_match("Jane Doe contributed reporting ſ"));
        // Every clause must hold: a period alone does not let a line through.
        let tails = compile_set("k", &["\\.\\s+(?P<c>[A-Z][a-z]+(?:\\s*/\\s*[A-Z][a-z]+)+)$".into()]).unwrap();
        assert!(tails.is_match("A caption. Doe/Reuters"));
        assert!(!tails.is_match("A caption. Doe Reuters"));
        let rules = compile_set("k", &["^[-=–—]{3,}$".into()]).unwrap();
        assert!(rules.is_match("---") && rules.is_match("===") && rules.is_match("———"));
        assert!(!rules.is_match("-=x"));
        // The 32 ASCII punctuation chars have a bit each, below NON_ASCII.
        assert_eq!((BYTE_BITS[b'!' as usize], BYTE_BITS[b'~' as usize]), (1 << 30, 1 << 61));
        assert_eq!(BYTE_BITS[b'Q' as usize], BYTE_BITS[b'q' as usize]);
        // Anchored patterns screen by their first byte, on any line.
        assert!(!rules.is_match("a ---") && !rules.is_match("é ———"));
        let first = |p: &str| edge_bytes(&regex_syntax::parse(p).unwrap(), Edge::Start);
        let may_start = |bytes: &EdgeBytes, line: &str| may_meet(bytes, Edge::Start, line);
        let may_end = |bytes: &EdgeBytes, line: &str| may_meet(bytes, Edge::End, line);
        assert!(first("[-=]{3,}$").is_none() && first("^.*x").is_none());
        let kelvin = first("(?i)^kelvin").unwrap();
        assert!(may_start(&Some(kelvin), "Kelvin") && may_start(&Some(kelvin), "\u{212A}elvin"));
        assert!(!may_start(&Some(kelvin), "elvin") && !may_start(&Some(kelvin), ""));
        // And patterns anchored at the end by their last byte.
        let last = |p: &str| edge_bytes(&regex_syntax::parse(p).unwrap(), Edge::End);
        assert!(last("^[-=]{3,}").is_none() && last("x.*$").is_none());
        let paren = last(r"\.\s+\((?:[^()]*/[^()]*)\)$").unwrap();
        assert!(
            may_end(&Some(paren), "(AP/Name)") && !may_end(&Some(paren), "(AP/Name).") && !may_end(&Some(paren), "")
        );
        let kelvin = last("(?i)nk$").unwrap();
        assert!(may_end(&Some(kelvin), "NK") && may_end(&Some(kelvin), "n\u{212A}") && !may_end(&Some(kelvin), "nx"));
        let credits = compile_set("k", &[r"\.\s+(?P<credit>\((?:[^()]*/[^()]*)\))$".into()]).unwrap();
        assert!(credits.is_match("A caption. (AP/Name)") && !credits.is_match("A caption. (AP/Name) and more"));
    }

    #[test]
    fn trims_agree_with_the_standard_ones() {
        let pieces = [
            "", "a", "Z", ".", " ", "\t", "\n", "\u{0b}", "\u{85}", "\u{a0}", "\u{2009}", "é", "x y", "\u{1c}",
        ];
        let mut lines = crate::test_text::concatenations(&pieces, 5, 0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let line = lines();
            assert_eq!(trim(&line), line.trim(), "{line:?}");
            assert_eq!(trim_end(&line), line.trim_end(), "{line:?}");
        }
    }

    #[test]
    fn ascii_twins_agree_with_their_patterns_on_ascii_lines() {
        let file: RulesFile = toml::from_str(include_str!("../../data/boilerplate.toml")).unwrap();
        let mut patterns: Vec<String> = [
            file.remove_lines.patterns,
            file.remove_lines.inline,
            file.cut_tail.patterns,
            file.remove_with_next.patterns,
            file.teasers.patterns,
            file.bylines.patterns,
            file.credits.patterns,
            file.captions.credit_tails,
        ]
        .concat();
        // Word boundaries, `\w`, case folding and non-ASCII literals.
        patterns.extend(
            [
                r"(?i)\bkelvin\b",
                r"\B\w+\b",
                r"\b{start}\w+\b{end}",
                r"\b{start-half}s\b{end-half}",
                r"(?i)^\w+[’']s$",
                r"é|(?P<g>\p{Lu}\p{Ll}+)",
                r"(?-u:\b)x\W",
            ]
            .map(String::from),
        );
        let pieces = [
            "By",
            "BY ",
            "by",
            ":",
            " ",
            "  ",
            "\t",
            ".",
            ". ",
            "/",
            " / ",
            "|",
            " | ",
            "(",
            ")",
            "-",
            "---",
            "=",
            "_",
            "*",
            "Jane",
            "Doe",
            "AP",
            "REUTERS",
            "Reuters",
            "via",
            "Getty Images",
            "contributed",
            "reporting",
            "additional",
            "with",
            "and",
            "Read more",
            "see also",
            "K",
            "k",
            "s",
            "S",
            "kelvin",
            "x",
            "9",
            "2024",
            "@",
            "&#3;",
            "'s",
            "Photo",
            "credit",
            "Sign up",
            "Follow us on",
            "twitter",
            "Updated",
            "McNeil",
            "O'Brien",
            "a-b",
        ];
        let mut line = crate::test_text::concatenations(&pieces, 11, 0x2545_f491_4f6c_dd1d);
        let lines: Vec<String> = (0..4_000).map(|_| line()).collect();
        let mut matched = 0;
        for pattern in &patterns {
            let original = Regex::new(pattern).unwrap();
            let twin = Regex::new(&ascii_only(&regex_syntax::parse(pattern).unwrap()).to_string()).unwrap();
            for line in &lines {
                let spans = |r: &Regex| {
                    r.captures(line)
                        .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>())
                };
                let expected = spans(&original);
                assert_eq!(spans(&twin), expected, "{pattern} on {line:?}");
                matched += expected.is_some() as usize;
            }
            let names = |r: &Regex| r.capture_names().flatten().map(String::from).collect::<Vec<_>>();
            assert_eq!(names(&twin), names(&original), "{pattern}");
        }
        // The lines reach the patterns' matches, not only their failures.
        assert!(matched > 2_000, "{matched}");
        // Twins are made for patterns with large classes only, on ASCII lines.
        let tails = Twin::new(Regex::new(r"\.\s+(?P<c>\p{Lu}\p{L}+)$").unwrap());
        assert!(std::ptr::eq(tails.pick(&Line::new("A caption. Doé")), &tails.any));
        assert!(!std::ptr::eq(tails.pick(&Line::new("A caption. Doe")), &tails.any));
        let plain = Twin::new(Regex::new(r"(?i)^read more$").unwrap());
        assert!(std::ptr::eq(plain.pick(&Line::new("read more")), &plain.any));
    }

    #[test]
    fn screens_agree_with_their_regexes_on_any_line() {
        let file: RulesFile = toml::from_str(include_str!("../../data/boilerplate.toml")).unwrap();
        let mut groups = vec![
            file.remove_lines.patterns,
            file.cut_tail.patterns,
            file.remove_with_next.patterns,
            file.teasers.patterns,
            file.bylines.patterns,
            file.credits.patterns,
            file.captions.credit_tails,
        ];
        // Case folding beyond ASCII, non-ASCII literals and classes small
        // and large.
        groups.push(
            [
                r"(?i)^.*kelvin\s+ask$",
                r"(?i)x[sk]\.",
                r"[–—]\s*(?:é|É)$",
                r"(?i)é\w+ ß",
                r"\p{Lu}\p{Ll}+ / \p{Lu}",
                r"[\u{a0}\u{2009}]{2}",
            ]
            .map(String::from)
            .to_vec(),
        );
        let pieces = [
            "By",
            "by ",
            ":",
            " ",
            "\t",
            ".",
            ". ",
            "/",
            " / ",
            "|",
            " | ",
            "(",
            ")",
            "-",
            "---",
            "*",
            "_",
            "Jane",
            "Doe",
            "AP",
            "REUTERS",
            "via",
            "contributed",
            "reporting",
            "with",
            "Read more",
            "kelvin",
            "ask",
            "xs.",
            "©",
            "’",
            "–",
            "—",
            "é",
            "É",
            "ß",
            "\u{212A}",
            "ſ",
            "\u{a0}",
            "\u{2009}",
            "“",
            "Ünal",
            "Żak",
            "twitter",
            "@x",
        ];
        let mut line = crate::test_text::concatenations(&pieces, 9, 0x1234_5678_9abc_def1);
        let lines: Vec<String> = (0..3_000).map(|_| line()).collect();
        let mut matched = [0usize; 2];
        for group in &groups {
            let screens = group
                .iter()
                .map(|p| compile_set("k", std::slice::from_ref(p)).unwrap())
                .chain([compile_set("k", group).unwrap()]);
            let regexes = group
                .iter()
                .map(|p| RegexSet::new([p]).unwrap())
                .chain([RegexSet::new(group).unwrap()]);
            for (screen, regex) in screens.zip(regexes) {
                for line in &lines {
                    let expected = regex.is_match(line);
                    assert_eq!(screen.is_match(line), expected, "{:?} on {line:?}", regex.patterns());
                    matched[line.is_ascii() as usize] += expected as usize;
                }
            }
        }
        // Both kinds of line reach matches, not only failures.
        assert!(matched.iter().all(|&n| n > 100), "{matched:?}");
    }

    #[test]
    fn ordinary_text_is_kept_whole() {
        let text = "Kirby said the call lasted an hour.\n\nThe United States and Russia spoke.\n\nThe war in Ukraine continues";
        assert_eq!(rules().strip(text).text, text);
    }
}
