//! Temporal tagger for English news: finds dates, times, durations and sets
//! and gives each a TIMEX3 value, resolved against the publication date or
//! against the narrative time (the last date the story itself moved to).
//!
//! All vocabulary lives in `data/lexicons/temporal.toml`; this file holds the
//! grammar. Calendar arithmetic goes through chrono so month lengths, leap
//! years and ISO weeks are never computed by hand.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use std::collections::{HashMap, HashSet};

/// What a temporal expression denotes (TIMEX3 `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimexKind {
    /// A calendar date or coarser: `2022-10-21`, `2022-02`, `PAST_REF`.
    Date,
    /// A time of day: `2024-06-25TEV`.
    Time,
    /// A length of time: `P79D`.
    Duration,
    /// A recurrence: `every week`.
    Set,
}

impl TimexKind {
    /// The `dates.kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            TimexKind::Date => "date",
            TimexKind::Time => "time",
            TimexKind::Duration => "duration",
            TimexKind::Set => "set",
        }
    }
}

/// What a value was resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Nothing: the expression names its date in full.
    Absolute,
    /// The article's publication date.
    Publication,
    /// An earlier date in the story (`A day earlier` after `on Friday`).
    Narrative,
    /// Nothing to resolve a relative expression against.
    Unresolved,
}

impl Anchor {
    /// The `dates.anchor` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Absolute => "absolute",
            Anchor::Publication => "publication",
            Anchor::Narrative => "narrative",
            Anchor::Unresolved => "unresolved",
        }
    }
}

/// One temporal expression found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Timex {
    /// Offset of the first character (Unicode scalar values).
    pub char_start: usize,
    /// Offset after the last character.
    pub char_end: usize,
    /// The expression as written.
    pub text: String,
    /// TIMEX3 value, e.g. `2022-10-21`, `P79D`, `PAST_REF`.
    pub value: Option<String>,
    /// TIMEX3 `mod`: `START`, `MID`, `END`, `APPROX`, ...
    pub modifier: Option<&'static str>,
    /// `day`, `month`, `year` or `approx` for date values.
    pub precision: Option<&'static str>,
    /// Date, time, duration or set.
    pub kind: TimexKind,
    /// What the value was resolved against.
    pub anchor: Anchor,
}

// ---------------------------------------------------------------------------
// Lexicon
// ---------------------------------------------------------------------------

// TIMEX3 vocabularies are closed sets; mapping the data file's strings onto
// these statics lets `Timex` carry `&'static str` and rejects typos at load.
const MODS: [&str; 13] = [
    "START",
    "MID",
    "END",
    "APPROX",
    "BEFORE",
    "AFTER",
    "EQUAL_OR_LESS",
    "EQUAL_OR_MORE",
    "LESS_THAN",
    "MORE_THAN",
    "ON_OR_BEFORE",
    "ON_OR_AFTER",
    "EQUAL",
];
const PARTS: [&str; 5] = ["MO", "AF", "EV", "NI", "DT"];
const SEASONS: [&str; 4] = ["SP", "SU", "FA", "WI"];
const REFS: [&str; 3] = ["PRESENT_REF", "PAST_REF", "FUTURE_REF"];
const REFS_OR_DURATION: [&str; 4] = ["PRESENT_REF", "PAST_REF", "FUTURE_REF", "DURATION"];

fn intern(list: &[&'static str], s: &str) -> Option<&'static str> {
    list.iter().copied().find(|m| *m == s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Sec,
    Min,
    Hour,
    Day,
    Weekend,
    Week,
    Fortnight,
    Month,
    Quarter,
    Year,
    Decade,
    Century,
    Millennium,
}

impl Unit {
    fn parse(code: &str) -> Option<Unit> {
        Some(match code {
            "SEC" => Unit::Sec,
            "MIN" => Unit::Min,
            "HR" => Unit::Hour,
            "D" => Unit::Day,
            "WE" => Unit::Weekend,
            "W" => Unit::Week,
            "FN" => Unit::Fortnight,
            "M" => Unit::Month,
            "Q" => Unit::Quarter,
            "Y" => Unit::Year,
            "DE" => Unit::Decade,
            "CE" => Unit::Century,
            "ML" => Unit::Millennium,
            _ => return None,
        })
    }

    /// Length in months for calendar units, so shifting uses chrono's month
    /// arithmetic; `None` for units shorter than a month.
    fn months(self) -> Option<u32> {
        match self {
            Unit::Month => Some(1),
            Unit::Quarter => Some(3),
            Unit::Year => Some(12),
            Unit::Decade => Some(120),
            Unit::Century => Some(1200),
            Unit::Millennium => Some(12000),
            _ => None,
        }
    }

    fn days(self) -> Option<u64> {
        match self {
            Unit::Day => Some(1),
            Unit::Week | Unit::Weekend => Some(7),
            Unit::Fortnight => Some(14),
            _ => None,
        }
    }

    fn is_clock(self) -> bool {
        matches!(self, Unit::Sec | Unit::Min | Unit::Hour)
    }
}

/// Formats an ISO 8601 duration; `None` count means an unknown quantity.
fn duration_value(unit: Unit, n: Option<u32>, half: bool) -> String {
    let Some(n) = n else {
        return match unit {
            Unit::Sec => "PTXS".into(),
            Unit::Min => "PTXM".into(),
            Unit::Hour => "PTXH".into(),
            Unit::Day => "PXD".into(),
            Unit::Weekend => "PXWE".into(),
            Unit::Week | Unit::Fortnight => "PXW".into(),
            Unit::Month => "PXM".into(),
            Unit::Quarter => "PXQ".into(),
            Unit::Year => "PXY".into(),
            Unit::Decade => "PXDE".into(),
            Unit::Century => "PXCE".into(),
            Unit::Millennium => "PXML".into(),
        };
    };
    if half {
        return match unit {
            Unit::Sec => format!("PT{n}.5S"),
            Unit::Min => format!("PT{n}M30S"),
            Unit::Hour => format!("PT{n}H30M"),
            Unit::Day => format!("P{n}DT12H"),
            Unit::Week | Unit::Weekend => format!("P{}DT12H", n * 7 + 3),
            Unit::Fortnight => format!("P{}D", n * 14 + 7),
            Unit::Month => format!("P{n}M15D"),
            Unit::Quarter => format!("P{}M15D", n * 3 + 1),
            Unit::Year => format!("P{n}Y6M"),
            Unit::Decade => format!("P{}Y", n * 10 + 5),
            Unit::Century => format!("P{}Y", n * 100 + 50),
            Unit::Millennium => format!("P{}Y", n * 1000 + 500),
        };
    }
    match unit {
        Unit::Sec => format!("PT{n}S"),
        Unit::Min => format!("PT{n}M"),
        Unit::Hour => format!("PT{n}H"),
        Unit::Day => format!("P{n}D"),
        Unit::Weekend => format!("P{n}WE"),
        Unit::Week => format!("P{n}W"),
        Unit::Fortnight => format!("P{}W", n * 2),
        Unit::Month => format!("P{n}M"),
        Unit::Quarter => format!("P{n}Q"),
        Unit::Year => format!("P{n}Y"),
        Unit::Decade => format!("P{}Y", n * 10),
        Unit::Century => format!("P{}Y", n * 100),
        Unit::Millennium => format!("P{}Y", n * 1000),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Ago,
    FromNow,
    Before,
    After,
}

#[derive(Debug, Clone, Copy)]
enum Holiday {
    Fixed(u32, u32),
    /// The n-th weekday `wd` of `month` (n < 0 counts from the end), then
    /// `after` days more: US Election Day is the Tuesday after the first
    /// Monday of November.
    Nth {
        month: u32,
        n: i32,
        wd: u32,
        after: i64,
    },
}

#[derive(Debug, Clone, Copy)]
enum PhraseKind {
    Ref(&'static str),
    Dir(Dir),
    Pos(Option<&'static str>),
    PosHalf(u32),
    QMod(&'static str),
    Holiday(Holiday),
}

#[derive(Debug, Clone)]
struct Phrase {
    toks: Vec<String>,
    kind: PhraseKind,
}

#[derive(Debug, Clone, Default)]
struct Word {
    month: u32,
    /// Shorter than the full name: a glued period belongs to the word.
    abbrev: bool,
    month_ambiguous: bool,
    weekday: u32,
    weekday_ambiguous: bool,
    number: Option<u32>,
    quantity: Option<u32>,
    fuzzy: bool,
    ordinal: Option<i32>,
    decade_word: Option<i32>,
    unit: Option<Unit>,
    plural: bool,
    season: Option<&'static str>,
    part: Option<&'static str>,
    clock: Option<(u32, u32)>,
    am: bool,
    pm: bool,
    tz: bool,
    deictic_day: Option<i64>,
    deictic_part: Option<(i64, &'static str)>,
    ref_unit: Option<&'static str>,
    shift: Option<i32>,
    narr_shift: Option<i32>,
    span: Option<i32>,
    set_cue: bool,
    set_adverb: Option<String>,
    frequency: bool,
    qualifier: Option<String>,
    filler: bool,
    month_ctx: bool,
    year_ctx: bool,
    period_noun: bool,
    bare_ctx: bool,
    /// Can begin an expression; other tokens are skipped without trying
    /// the grammar.
    starter: bool,
    future: bool,
    past: bool,
    /// Index into `TemporalLexicon::phrase_lists` of the phrases this word
    /// begins.
    phr: Option<u32>,
    /// [grammar] word classes.
    determiner: bool,
    participle_adverb: bool,
    deadline: bool,
    period_prep: bool,
    period_end: bool,
    /// "is", "are": a participle after one is passive, not past tense.
    passive_aux: bool,
    /// "plans", "planning": future only before "to" ("plans to visit"),
    /// a plain noun otherwise ("vacation plans").
    future_to: bool,
    /// "early" in "as early as Tuesday": the date lies ahead.
    earliest: bool,
    /// "next" in "next to": a preposition, no tense cue.
    not_before_to: bool,
    /// "decided", "agreed": before "to", the infinitive's time is open.
    open_to: bool,
    /// "said", "told": past, but of the saying, not of what was said.
    reporting: bool,
    /// "to", "will", "could": a verb after one is an infinitive.
    modal: bool,
    /// "Dr", "vs": the period after one does not end the sentence.
    title_abbrev: bool,
}

/// FNV-1a: lexicon keys are short words, where SipHash's setup dominates.
#[derive(Default, Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// The word lists of `data/lexicons/temporal.toml`, compiled for tagging.
pub struct TemporalLexicon {
    words: FastMap<String, Word>,
    /// The same entries keyed by the packed lower-case word (see
    /// `pack_word`), for a lookup without hashing a string.
    packed: Vec<(u128, u32)>,
    packed_words: Vec<Word>,
    packed_shift: u32,
    phrase_lists: Vec<Vec<Phrase>>,
    triggers: TriggerSet,
}

type Table = toml::Table;

fn table<'a>(root: &'a Table, name: &str) -> Result<&'a Table, String> {
    match root.get(name) {
        Some(toml::Value::Table(t)) => Ok(t),
        Some(_) => Err(format!("temporal lexicon: [{name}] must be a table")),
        None => Err(format!("temporal lexicon: missing table [{name}]")),
    }
}

/// Full names and abbreviations share a number (`sept`, `september`); the
/// longest form of a number is its full name, every shorter one an abbreviation.
fn longest_form(entries: &[(String, i64)], number: i64) -> usize {
    entries
        .iter()
        .filter(|(_, n)| *n == number)
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(0)
}

fn int_entries(root: &Table, name: &str, lo: i64, hi: i64) -> Result<Vec<(String, i64)>, String> {
    let mut out = Vec::new();
    for (k, v) in table(root, name)? {
        match v.as_integer() {
            Some(n) if (lo..=hi).contains(&n) => out.push((k.to_lowercase(), n)),
            _ => {
                return Err(format!(
                    "temporal lexicon: [{name}] key \"{k}\" must be an integer in {lo}..={hi}"
                ))
            }
        }
    }
    Ok(out)
}

fn str_entries(root: &Table, name: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (k, v) in table(root, name)? {
        match v.as_str() {
            Some(s) => out.push((k.to_lowercase(), s.to_string())),
            None => return Err(format!("temporal lexicon: [{name}] key \"{k}\" must be a string")),
        }
    }
    Ok(out)
}

fn str_list(root: &Table, name: &str, key: &str) -> Result<Vec<String>, String> {
    let t = table(root, name)?;
    let arr = t
        .get(key)
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("temporal lexicon: [{name}] needs an array \"{key}\""))?;
    arr.iter()
        .map(|v| {
            v.as_str()
                .map(|s| s.to_lowercase())
                .ok_or_else(|| format!("temporal lexicon: [{name}] key \"{key}\" must list strings"))
        })
        .collect()
}

impl TemporalLexicon {
    /// Parse data/lexicons/temporal.toml; on error return a message that names the key.
    pub fn from_toml_str(toml_text: &str) -> Result<TemporalLexicon, String> {
        let root: Table = toml::from_str(toml_text).map_err(|e| format!("temporal lexicon: {e}"))?;
        let mut words: FastMap<String, Word> = FastMap::default();
        let mut phrases: FastMap<String, Vec<Phrase>> = FastMap::default();
        let mut triggers: HashSet<String> = HashSet::new();
        macro_rules! w {
            ($k:expr) => {
                words.entry($k.clone()).or_default()
            };
        }

        // Months and weekdays: each name and its abbreviations. Abbreviations
        // occur inside many words ("mar" in "market"); they are reached
        // through the day number next to them, never as triggers.
        type SetNumber = fn(&mut Word, u32);
        let calendar_names: [(&str, i64, SetNumber); 2] = [
            ("months", 12, |e, n| e.month = n),
            ("weekdays", 7, |e, n| e.weekday = n),
        ];
        for (table, last, set_number) in calendar_names {
            let names = int_entries(&root, table, 1, last)?;
            for (k, n) in &names {
                let e = w!(k);
                set_number(e, *n as u32);
                e.abbrev = k.len() < longest_form(&names, *n);
                if !e.abbrev {
                    triggers.insert(k.clone());
                }
            }
        }
        for k in str_list(&root, "ambiguous_months", "words")? {
            w!(k).month_ambiguous = true;
        }
        for k in str_list(&root, "ambiguous_weekdays", "words")? {
            w!(k).weekday_ambiguous = true;
        }
        for (k, n) in int_entries(&root, "numbers", 0, 1_000_000)? {
            w!(k).number = Some(n as u32);
            // First half of a year in words: "nineteen ninety-six".
            if (10..=20).contains(&n) {
                triggers.insert(k);
            }
        }
        for (k, n) in int_entries(&root, "quantity_words", 0, 1000)? {
            w!(k).quantity = Some(n as u32);
        }
        for k in str_list(&root, "fuzzy_quantities", "words")? {
            w!(k).fuzzy = true;
        }
        for (k, n) in int_entries(&root, "ordinals", -1, 1000)? {
            w!(k).ordinal = Some(n as i32);
        }
        for (k, n) in int_entries(&root, "decade_words", 0, 9)? {
            w!(k).decade_word = Some(n as i32);
            triggers.insert(k);
        }
        let units = str_entries(&root, "units")?;
        for (k, code) in &units {
            let u = Unit::parse(code)
                .ok_or_else(|| format!("temporal lexicon: [units] key \"{k}\": unknown unit code \"{code}\""))?;
            // "hr", "yrs", "mins": short forms of a longer unit word; like
            // month abbreviations they need a number and are found through it.
            let abbrev = k.len() <= 4
                && units
                    .iter()
                    .any(|(o, c)| c == code && o.len() > k.len() + 1 && o.as_bytes()[0] == k.as_bytes()[0]);
            let e = w!(k);
            e.unit = Some(u);
            e.plural = k.ends_with('s') && k.len() > 3 && !k.ends_with("ss");
            if !abbrev {
                triggers.insert(k.clone());
            }
        }
        for (k, code) in str_entries(&root, "seasons")? {
            w!(k).season = Some(
                intern(&SEASONS, &code)
                    .ok_or_else(|| format!("temporal lexicon: [seasons] key \"{k}\": unknown season \"{code}\""))?,
            );
            triggers.insert(k);
        }
        for (k, code) in str_entries(&root, "parts_of_day")? {
            w!(k).part = Some(
                intern(&PARTS, &code)
                    .ok_or_else(|| format!("temporal lexicon: [parts_of_day] key \"{k}\": unknown part \"{code}\""))?,
            );
            triggers.insert(k);
        }
        for (k, v) in str_entries(&root, "clock_words")? {
            let hm =
                parse_hm(&v).ok_or_else(|| format!("temporal lexicon: [clock_words] key \"{k}\": expected HH:MM"))?;
            w!(k).clock = Some(hm);
            triggers.insert(k);
        }
        for k in str_list(&root, "meridiem", "am")? {
            w!(k).am = true;
        }
        for k in str_list(&root, "meridiem", "pm")? {
            w!(k).pm = true;
        }
        for k in str_list(&root, "time_zones", "words")? {
            w!(k).tz = true;
        }
        for (k, n) in int_entries(&root, "deictic_days", -7, 7)? {
            w!(k).deictic_day = Some(n);
            triggers.insert(k);
        }
        for (k, v) in str_entries(&root, "deictic_parts")? {
            let bad = || format!("temporal lexicon: [deictic_parts] key \"{k}\": expected \"offset:PART\"");
            let (off, part) = v.split_once(':').ok_or_else(bad)?;
            let off: i64 = off.trim().parse().map_err(|_| bad())?;
            let part = intern(&PARTS, part.trim()).ok_or_else(bad)?;
            w!(k).deictic_part = Some((off, part));
            triggers.insert(k);
        }
        for (k, v) in str_entries(&root, "references")? {
            let r = intern(&REFS, &v)
                .ok_or_else(|| format!("temporal lexicon: [references] key \"{k}\": unknown value \"{v}\""))?;
            add_phrase(&mut phrases, &mut triggers, &k, PhraseKind::Ref(r), true);
        }
        for (k, v) in str_entries(&root, "reference_with_unit")? {
            w!(k).ref_unit = Some(intern(&REFS_OR_DURATION, &v).ok_or_else(|| {
                format!("temporal lexicon: [reference_with_unit] key \"{k}\": unknown value \"{v}\"")
            })?);
        }
        for (k, n) in int_entries(&root, "shifts", -1, 1)? {
            w!(k).shift = Some(n as i32);
        }
        for (k, n) in int_entries(&root, "narrative_shifts", -1, 1)? {
            w!(k).narr_shift = Some(n as i32);
        }
        for (k, n) in int_entries(&root, "span_words", -1, 1)? {
            w!(k).span = Some(n as i32);
        }
        for (k, v) in str_entries(&root, "directions")? {
            let d = match v.as_str() {
                "ago" => Dir::Ago,
                "from_now" => Dir::FromNow,
                "before" => Dir::Before,
                "after" => Dir::After,
                _ => {
                    return Err(format!(
                        "temporal lexicon: [directions] key \"{k}\": unknown direction \"{v}\""
                    ))
                }
            };
            add_phrase(&mut phrases, &mut triggers, &k, PhraseKind::Dir(d), false);
        }
        for (k, v) in str_entries(&root, "positions")? {
            let kind = match v.as_str() {
                "" => PhraseKind::Pos(None),
                "H1" => PhraseKind::PosHalf(1),
                "H2" => PhraseKind::PosHalf(2),
                m => PhraseKind::Pos(Some(intern(&MODS, m).ok_or_else(|| {
                    format!("temporal lexicon: [positions] key \"{k}\": unknown mod \"{m}\"")
                })?)),
            };
            add_phrase(&mut phrases, &mut triggers, &k, kind, false);
        }
        for (k, v) in str_entries(&root, "quantity_modifiers")? {
            let m = intern(&MODS, &v)
                .ok_or_else(|| format!("temporal lexicon: [quantity_modifiers] key \"{k}\": unknown mod \"{v}\""))?;
            add_phrase(&mut phrases, &mut triggers, &k, PhraseKind::QMod(m), false);
        }
        for k in str_list(&root, "set_cues", "words")? {
            w!(k).set_cue = true;
        }
        for (k, v) in str_entries(&root, "set_adverbs")? {
            w!(k).set_adverb = Some(v);
            triggers.insert(k);
        }
        for k in str_list(&root, "frequencies", "words")? {
            w!(k).frequency = true;
        }
        for (k, v) in str_entries(&root, "period_qualifiers")? {
            w!(k).qualifier = Some(v);
        }
        for (k, v) in str_entries(&root, "holidays")? {
            let h = parse_holiday(&v)
                .ok_or_else(|| format!("temporal lexicon: [holidays] key \"{k}\": expected MM-DD or MM/N/W[+D]"))?;
            add_phrase(&mut phrases, &mut triggers, &k, PhraseKind::Holiday(h), true);
        }
        for k in str_list(&root, "tense", "future")? {
            w!(k).future = true;
        }
        for k in str_list(&root, "tense", "past")? {
            w!(k).past = true;
        }
        for k in str_list(&root, "quantity_fillers", "words")? {
            w!(k).filler = true;
        }
        for k in str_list(&root, "month_context", "words")? {
            w!(k).month_ctx = true;
        }
        for k in str_list(&root, "year_context", "words")? {
            w!(k).year_ctx = true;
        }
        for k in str_list(&root, "bare_plural_context", "words")? {
            w!(k).bare_ctx = true;
        }
        for k in str_list(&root, "grammar", "determiners")? {
            w!(k).determiner = true;
        }
        for k in str_list(&root, "grammar", "participle_adverbs")? {
            w!(k).participle_adverb = true;
        }
        for k in str_list(&root, "grammar", "deadline_prepositions")? {
            w!(k).deadline = true;
        }
        for k in str_list(&root, "grammar", "period_prepositions")? {
            w!(k).period_prep = true;
        }
        for k in str_list(&root, "grammar", "period_end_verbs")? {
            w!(k).period_end = true;
        }
        for k in str_list(&root, "grammar", "passive_auxiliaries")? {
            w!(k).passive_aux = true;
        }
        for k in str_list(&root, "grammar", "earliest_words")? {
            w!(k).earliest = true;
        }
        for k in str_list(&root, "tense", "future_before_to")? {
            w!(k).future_to = true;
        }
        for k in str_list(&root, "tense", "no_cue_before_to")? {
            w!(k).not_before_to = true;
        }
        for k in str_list(&root, "tense", "open_before_to")? {
            w!(k).open_to = true;
        }
        for k in str_list(&root, "tense", "reporting")? {
            w!(k).reporting = true;
        }
        for k in str_list(&root, "grammar", "modals")? {
            w!(k).modal = true;
        }
        for k in str_list(&root, "grammar", "title_abbreviations")? {
            w!(k).title_abbrev = true;
        }
        for k in str_list(&root, "period_nouns", "words")? {
            w!(k).period_noun = true;
            triggers.insert(k);
        }

        let mut phrase_lists = Vec::with_capacity(phrases.len());
        for (k, list) in phrases {
            let e = w!(k);
            // A direction ("after", "from now") only follows a quantity.
            e.starter |= list.iter().any(|p| !matches!(p.kind, PhraseKind::Dir(_)));
            e.phr = Some(phrase_lists.len() as u32);
            phrase_lists.push(list);
        }
        for w in words.values_mut() {
            w.starter |= w.month > 0
                || w.weekday > 0
                || w.number.is_some()
                || w.quantity.is_some()
                || w.fuzzy
                || w.ordinal.is_some()
                || w.decade_word.is_some()
                || w.unit.is_some()
                || w.season.is_some()
                || w.part.is_some()
                || w.clock.is_some()
                || w.deictic_day.is_some()
                || w.deictic_part.is_some()
                || w.ref_unit.is_some()
                || w.shift.is_some()
                || w.narr_shift.is_some()
                || w.span.is_some()
                || w.set_cue
                || w.set_adverb.is_some()
                || w.frequency
                || w.qualifier.is_some();
        }
        // Structural words of the grammar that start expressions.
        for k in ["the", "q"] {
            words.entry(k.to_string()).or_default().starter = true;
        }
        let triggers = TriggerSet::new(triggers.iter().map(String::as_str))?;
        let mut bits = 4;
        while (1usize << bits) < words.len() * 2 {
            bits += 1;
        }
        let packed_shift = 64 - bits;
        let mut packed = vec![(0u128, 0u32); 1 << bits];
        let mut packed_words = Vec::new();
        for (k, w) in &words {
            if k.is_empty() || k.len() > 16 {
                continue;
            }
            let key = pack_word(k.as_bytes());
            let mut h = packed_hash(key, packed_shift);
            while packed[h].0 != 0 {
                h = (h + 1) & (packed.len() - 1);
            }
            packed[h] = (key, packed_words.len() as u32);
            packed_words.push(w.clone());
        }
        Ok(TemporalLexicon {
            packed,
            packed_words,
            packed_shift,
            words,
            phrase_lists,
            triggers,
        })
    }

    fn word(&self, low: &str) -> Option<&Word> {
        if low.len() > 16 || low.is_empty() {
            return self.words.get(low);
        }
        self.word_key(pack_word(low.as_bytes()))
    }

    /// Looks up a word already packed by `pack_word`/`pack_at`.
    #[inline]
    fn word_key(&self, key: u128) -> Option<&Word> {
        let mask = self.packed.len() - 1;
        let mut h = packed_hash(key, self.packed_shift);
        loop {
            let (k, v) = self.packed[h];
            if k == key {
                return Some(&self.packed_words[v as usize]);
            }
            if k == 0 {
                return None;
            }
            h = (h + 1) & mask;
        }
    }
}

fn add_phrase(
    phrases: &mut FastMap<String, Vec<Phrase>>,
    triggers: &mut HashSet<String>,
    key: &str,
    kind: PhraseKind,
    trigger: bool,
) {
    let toks: Vec<String> = split_words(key);
    if toks.is_empty() {
        return;
    }
    if trigger {
        // The prefilter only needs one rare word of the phrase; the last
        // one is the head ("the future", "christmas eve").
        let head = toks
            .iter()
            .rev()
            .find(|t| t.chars().all(|c| c.is_ascii_alphabetic()) && t.len() > 2)
            .unwrap_or(&toks[0]);
        triggers.insert(head.clone());
    }
    phrases.entry(toks[0].clone()).or_default().push(Phrase { toks, kind });
}

fn split_words(s: &str) -> Vec<String> {
    let mut v = Vec::new();
    tokenize(s, 0, s.len(), &mut v);
    let low = s.to_ascii_lowercase();
    v.into_iter()
        .map(|t| low[t.ls as usize..t.le as usize].to_string())
        .collect()
}

fn parse_hm(s: &str) -> Option<(u32, u32)> {
    let (h, m) = s.split_once(':')?;
    let h: u32 = h.trim().parse().ok()?;
    let m: u32 = m.trim().parse().ok()?;
    (h <= 24 && m < 60).then_some((h, m))
}

fn parse_holiday(s: &str) -> Option<Holiday> {
    if let Some((m, d)) = s.split_once('-').filter(|_| !s.contains('/')) {
        let (m, d) = (m.parse().ok()?, d.parse().ok()?);
        NaiveDate::from_ymd_opt(2000, m, d)?;
        return Some(Holiday::Fixed(m, d));
    }
    let (rule, after) = match s.split_once('+') {
        Some((r, a)) => (r, a.trim().parse().ok()?),
        None => (s, 0),
    };
    let mut it = rule.split('/');
    let month: u32 = it.next()?.parse().ok()?;
    let n: i32 = it.next()?.parse().ok()?;
    let wd: u32 = it.next()?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=7).contains(&wd) && n != 0 && (-5..=5).contains(&n) && (0..=31).contains(&after))
        .then_some(Holiday::Nth { month, n, wd, after })
}

/// Trigger words packed into a `u128` (lower-cased, at most 16 bytes) in an
/// open-addressing table: one byte pass over the text finds every word and
/// digit run, and a word costs a multiply and a probe or two.
struct TriggerSet {
    slots: Vec<u128>,
    shift: u32,
    max_len: usize,
    /// By a word's first two letters (`pair_index`), the lengths of the
    /// trigger words starting with them: one load and a shift reject most
    /// words before they are packed and hashed.
    lengths: Box<[Lengths; 1024]>,
}

/// Bit `len` set for each length `len` of some trigger words.
#[derive(Clone, Copy, Default)]
struct Lengths {
    /// The words' own lengths.
    exact: u32,
    /// Theirs and their plurals'.
    any: u32,
}

#[inline]
fn pack_word(w: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    buf[..w.len()].copy_from_slice(w);
    let k = u128::from_le_bytes(buf);
    let mask = if w.len() >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * w.len())) - 1
    };
    k | (0x2020_2020_2020_2020_2020_2020_2020_2020 & mask)
}

/// `pack_word` of `buf[s..s + len]`, with one unaligned load when the
/// buffer extends 16 bytes past `s`.
#[inline]
fn pack_at(buf: &[u8], s: usize, len: usize) -> u128 {
    if len > 16 || s + 16 > buf.len() {
        return pack_word(&buf[s..s + len]);
    }
    let mut raw = [0u8; 16];
    raw.copy_from_slice(&buf[s..s + 16]);
    (u128::from_le_bytes(raw) | 0x2020_2020_2020_2020_2020_2020_2020_2020) & PREFIX_MASKS[len]
}

/// The low `len` bytes of a `u128` set, by `len`: a load where a shift by
/// a variable amount takes a dozen instructions on 64-bit registers.
static PREFIX_MASKS: [u128; 17] = {
    let mut masks = [u128::MAX; 17];
    let mut len = 0;
    while len < 16 {
        masks[len] = (1u128 << (8 * len)) - 1;
        len += 1;
    }
    masks
};

#[inline]
fn packed_hash(k: u128, shift: u32) -> usize {
    let x = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

/// A slot per pair of first letters: the low five bits of a letter are the
/// same in either case. Any other byte lands on some slot, which only lets
/// a word through to the exact test.
#[inline]
fn pair_index(a: u8, b: u8) -> usize {
    (((a & 31) as usize) << 5) | (b & 31) as usize
}

/// Whether `lengths` (a `Lengths` field) holds `len`.
#[inline]
fn has_length(lengths: u32, len: usize) -> bool {
    len < 32 && lengths >> len & 1 != 0
}

impl TriggerSet {
    fn new<'a>(words: impl Iterator<Item = &'a str>) -> Result<TriggerSet, String> {
        let mut keys = Vec::new();
        let mut max_len = 0;
        for w in words {
            if w.is_empty() {
                continue;
            }
            if w.len() > 16 || !w.bytes().all(|c| c.is_ascii_alphabetic()) {
                return Err(format!(
                    "temporal lexicon: trigger word \"{w}\" must be ASCII letters, at most 16"
                ));
            }
            max_len = max_len.max(w.len());
            keys.push(pack_word(w.as_bytes()));
        }
        let mut bits = 4;
        while (1usize << bits) < keys.len() * 4 {
            bits += 1;
        }
        let mut set = TriggerSet {
            slots: vec![0; 1 << bits],
            shift: 64 - bits,
            max_len,
            lengths: Box::new([Lengths::default(); 1024]),
        };
        for k in keys {
            let len = (128 - k.leading_zeros() as usize).div_ceil(8);
            // A one-letter word has no second letter: any pair passes.
            let seconds = if len == 1 {
                0..32
            } else {
                (k >> 8) as u8 & 31..((k >> 8) as u8 & 31) + 1
            };
            for c in seconds {
                let e = &mut set.lengths[pair_index(k as u8, c)];
                e.exact |= 1 << len;
                e.any |= 0b11 << len;
            }
            let mask = set.slots.len() - 1;
            let mut h = set.hash(k);
            while set.slots[h] != 0 && set.slots[h] != k {
                h = (h + 1) & mask;
            }
            set.slots[h] = k;
        }
        Ok(set)
    }

    #[inline]
    fn hash(&self, k: u128) -> usize {
        let x = (k as u64) ^ ((k >> 64) as u64).rotate_left(29);
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Whether `b[s..s + len]` is a trigger word, ignoring ASCII case.
    #[inline(always)]
    fn contains_at(&self, b: &[u8], s: usize, len: usize) -> bool {
        if len == 0 || len > self.max_len {
            return false;
        }
        let k = pack_at(b, s, len);
        let mask = self.slots.len() - 1;
        let mut h = self.hash(k);
        loop {
            let s = self.slots[h];
            if s == k {
                return true;
            }
            if s == 0 {
                return false;
            }
            h = (h + 1) & mask;
        }
    }

    /// Byte ranges of trigger words (a plural "s" allowed) and of digit runs
    /// that can start a date, in text order.
    ///
    /// Letters and digits are classified 64 bytes at a time into one bit
    /// per byte, and only the starts of runs are visited: most of the text
    /// is ordinary words, and a byte-at-a-time loop mispredicts at every
    /// word boundary. Out of line, the loop keeps its state in registers
    /// instead of competing with the tagger's.
    #[inline(never)]
    fn scan(&self, b: &[u8], hits: &mut Vec<(usize, usize)>) {
        let n = b.len();
        let (mut prev_l, mut prev_d) = (0u64, 0u64);
        let mut tail = [0u8; 64];
        let mut base = 0;
        while base < n {
            let block: &[u8; 64] = match b.get(base..base + 64) {
                Some(block) => block.try_into().expect("64 bytes"),
                None => {
                    // Zeros are neither letters nor digits.
                    tail[..n - base].copy_from_slice(&b[base..]);
                    &tail
                }
            };
            let (l, d) = block_masks(block);
            let block_hits = hits.len();
            let mut words = l & !((l << 1) | prev_l);
            while words != 0 {
                let k = words.trailing_zeros() as usize;
                words &= words - 1;
                // The word's length, when it ends inside the block.
                let run = (!(l >> k)).trailing_zeros() as usize;
                if k + run == 64 {
                    let s = base + k;
                    self.word_at(b, s, letters_end(b, base + 64), hits);
                    continue;
                }
                // A one-letter word's second byte is no letter and may lie
                // past the block; any will do, as one-letter triggers fill
                // every slot of their first letter.
                let lengths = self.lengths[pair_index(block[k], block[(k + 1) & 63])];
                // Most words fail on their first two letters and their
                // length together, before the exact test. The shift stays
                // below 64, and `any`'s bits past 32 are zeros.
                if (lengths.any as u64) >> run & 1 != 0 {
                    self.word_at(b, base + k, base + k + run, hits);
                }
            }
            let word_hits = hits.len();
            let mut digits = d & !((d << 1) | prev_d);
            while digits != 0 {
                let k = digits.trailing_zeros() as usize;
                digits &= digits - 1;
                let s = base + k;
                let run = (!(d >> k)).trailing_zeros() as usize;
                let mut i = s + run;
                if k + run >= 64 {
                    i = base + 64;
                    while i < n && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                if digits_trigger(b, s, i) {
                    hits.push((s, i));
                }
            }
            // The block's words were read before its digits.
            if block_hits < word_hits && word_hits < hits.len() {
                hits[block_hits..].sort_unstable();
            }
            prev_l = l >> 63;
            prev_d = d >> 63;
            base += 64;
        }
    }

    /// The exact test of the letters `b[s..i]`.
    fn word_at(&self, b: &[u8], s: usize, i: usize, hits: &mut Vec<(usize, usize)>) {
        let len = i - s;
        let plural = len > 1 && (b[i - 1] | 0x20) == b's';
        let lengths = self.lengths[pair_index(b[s], b.get(s + 1).map_or(0, |&c| c))].exact;
        if !(has_length(lengths, len) || plural && has_length(lengths, len - 1)) {
            return;
        }
        if (s > 0 && b[s - 1].is_ascii_digit()) || (i < b.len() && b[i].is_ascii_digit()) {
            return;
        }
        if self.contains_at(b, s, len) {
            hits.push((s, i));
        } else if plural && self.contains_at(b, s, len - 1) {
            hits.push((s, i - 1));
        }
    }
}

/// One bit per byte of `block` for ASCII letters and for ASCII digits.
#[inline]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64
        // CPU has it.
        unsafe { block_masks_sse2(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    block_masks_swar(block)
}

/// `block_masks` sixteen bytes to a compare and `pmovmskb`, a quarter of
/// the instructions of `block_masks_swar`, which the scan of every text
/// pays for every byte.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn block_masks_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::*;
    // SSE2 compares bytes as signed: shifting a range to start at -128
    // makes "in the range" one less-than.
    let low_range = |first: u8, len: u8| {
        (
            _mm_set1_epi8(0x80u8.wrapping_sub(first) as i8),
            _mm_set1_epi8((0x80 + len) as i8),
        )
    };
    let (letter_shift, letter_end) = low_range(b'a', 26);
    let (digit_shift, digit_end) = low_range(b'0', 10);
    let case = _mm_set1_epi8(0x20);
    let (mut l, mut d) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        let half = |h: usize| i64::from_le_bytes(chunk[8 * h..8 * h + 8].try_into().expect("8 bytes"));
        // Two adjacent halves compile to one unaligned load.
        let x = _mm_set_epi64x(half(1), half(0));
        let letters = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x, case), letter_shift), letter_end);
        let digits = _mm_cmplt_epi8(_mm_add_epi8(x, digit_shift), digit_end);
        l |= (_mm_movemask_epi8(letters) as u32 as u64) << (16 * k);
        d |= (_mm_movemask_epi8(digits) as u32 as u64) << (16 * k);
    }
    (l, d)
}

/// `block_masks` in portable code, eight bytes at a time.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_masks_swar(block: &[u8; 64]) -> (u64, u64) {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (mut l, mut d) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        // Per byte without carries (see `letters_end`): 'a'..='z' after
        // folding case, and '0'..='9'; the high bit of `x` rules out UTF-8.
        let y = (x | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F;
        let letters = y.wrapping_add(0x1F1F_1F1F_1F1F_1F1F) & !y.wrapping_add(0x0505_0505_0505_0505) & !x & HIGH;
        let z = x & 0x7F7F_7F7F_7F7F_7F7F;
        let digits = z.wrapping_add(0x5050_5050_5050_5050) & !z.wrapping_add(0x4646_4646_4646_4646) & !x & HIGH;
        l |= movemask(letters) << (8 * k);
        d |= movemask(digits) << (8 * k);
    }
    (l, d)
}

/// Gathers the high bit of each byte into the low eight bits.
#[inline]
fn movemask(high: u64) -> u64 {
    ((high >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// End of the run of ASCII letters starting at `i`, eight bytes at a time.
#[inline]
fn letters_end(b: &[u8], mut i: usize) -> usize {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while i + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(w);
        // Fold case, then test 'a'..='z' per byte without carries.
        let y = (x | 0x2020_2020_2020_2020) & 0x7F7F_7F7F_7F7F_7F7F;
        let ge_a = y.wrapping_add(0x1F1F_1F1F_1F1F_1F1F);
        let gt_z = y.wrapping_add(0x0505_0505_0505_0505);
        let letters = ge_a & !gt_z & !x & HIGH;
        let stop = !letters & HIGH;
        if stop != 0 {
            return i + (stop.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// Byte classes for the trigger scan: 1 letter, 2 digit, 0 anything else.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() {
            1
        } else if b.is_ascii_digit() {
            2
        } else {
            0
        };
        c += 1;
    }
    t
};

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TK {
    Word,
    Num,
    Punct,
}

#[derive(Debug, Clone)]
struct Tok {
    s: usize,
    e: usize,
    k: TK,
    /// Lower-cased text: a range of the region's lower-cased copy.
    ls: u32,
    le: u32,
    cap: bool,
    /// Whitespace before the token: "third-quarter" and "Feb." are glued.
    gap: bool,
    /// A blank line before the token ends a paragraph (and a sentence).
    para: bool,
    n: u32,
    nd: usize,
}

fn tokenize(text: &str, start: usize, end: usize, out: &mut Vec<Tok>) {
    let b = &text.as_bytes()[..end];
    let mut i = start;
    let mut gap = true;
    let mut nls = 0;
    while i < end {
        let c = b[i];
        let class = CLASS[c as usize];
        if class == 0 && c.is_ascii_whitespace() {
            gap = true;
            if c == b'\n' {
                nls += 1;
            }
            i += 1;
            continue;
        }
        let s = i;
        let k;
        let (mut n, mut nd) = (0u32, 0usize);
        if class == 1 {
            i = letters_end(b, i + 1);
            // "a.m.", "p.m", "U.S.": single letters joined by dots.
            if i - s == 1 && i + 1 < end && b[i] == b'.' && b[i + 1].is_ascii_alphabetic() {
                let mut j = i + 1;
                while j < end && b[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if j - (i + 1) == 1 {
                    i = j;
                    if i < end && b[i] == b'.' {
                        i += 1;
                    }
                }
            }
            k = TK::Word;
        } else if class == 2 {
            while i < end && b[i].is_ascii_digit() {
                if i - s < 9 {
                    n = n * 10 + (b[i] - b'0') as u32;
                }
                i += 1;
            }
            nd = i - s;
            if nd > 9 {
                n = u32::MAX;
            }
            k = TK::Num;
        } else if c < 0x80 {
            i += 1;
            k = TK::Punct;
        } else {
            i += 1;
            while i < end && (b[i] & 0xC0) == 0x80 {
                i += 1;
            }
            k = TK::Punct;
        }
        out.push(Tok {
            s,
            e: i,
            k,
            ls: (s - start) as u32,
            le: (i - start) as u32,
            cap: c.is_ascii_uppercase(),
            gap,
            para: nls >= 2,
            n,
            nd,
        });
        // Most tokens are followed by one space: taken here, it costs a
        // compare instead of a round of the loop.
        gap = i < end && b[i] == b' ';
        i += gap as usize;
        nls = 0;
    }
}

// ---------------------------------------------------------------------------
// Calendar points
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gran {
    Day,
    Week,
    Month,
    Quarter,
    Half,
    Year,
    Decade,
    Century,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Point {
    Day(NaiveDate),
    Week(NaiveDate),
    Weekend(NaiveDate),
    Month(i32, u32),
    Quarter(i32, u32),
    Half(i32, u32),
    Season(i32, &'static str),
    Year(i32),
    Decade(i32),
    Century(i32),
}

/// Appends `n` as `format!("{n:0width$}")` does: zero-padded after the
/// sign, which counts towards the width.
fn push_padded(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n.unsigned_abs());
    for _ in digits.len() + usize::from(n < 0)..width {
        out.push('0');
    }
    out.push_str(digits);
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_months(Months::new(u32::try_from(n).ok()?))
    } else {
        d.checked_sub_months(Months::new(u32::try_from(n.unsigned_abs()).ok()?))
    }
}

fn monday_of(d: NaiveDate) -> NaiveDate {
    add_days(d, -(d.weekday().num_days_from_monday() as i64)).unwrap_or(d)
}

fn season_start(y: i32, s: &str) -> Option<NaiveDate> {
    let m = match s {
        "SP" => 3,
        "SU" => 6,
        "FA" => 9,
        _ => 12,
    };
    ymd(y, m, 1)
}

impl Point {
    fn gran(&self) -> Gran {
        match self {
            Point::Day(_) => Gran::Day,
            Point::Week(_) | Point::Weekend(_) => Gran::Week,
            Point::Month(..) => Gran::Month,
            Point::Quarter(..) => Gran::Quarter,
            Point::Half(..) | Point::Season(..) => Gran::Half,
            Point::Year(_) => Gran::Year,
            Point::Decade(_) => Gran::Decade,
            Point::Century(_) => Gran::Century,
        }
    }

    /// The TIMEX3 value. Built piece by piece: every date found needs one,
    /// and `format!` cost ten times as much.
    fn value(&self) -> String {
        let mut v = String::with_capacity(16);
        let year_and = |v: &mut String, y: i32, sep: &str| {
            push_padded(v, y.into(), 4);
            v.push_str(sep);
        };
        match *self {
            Point::Day(d) => {
                year_and(&mut v, d.year(), "-");
                push_padded(&mut v, d.month().into(), 2);
                v.push('-');
                push_padded(&mut v, d.day().into(), 2);
            }
            Point::Week(d) | Point::Weekend(d) => {
                let w = d.iso_week();
                year_and(&mut v, w.year(), "-W");
                push_padded(&mut v, w.week().into(), 2);
                if matches!(self, Point::Weekend(_)) {
                    v.push_str("-WE");
                }
            }
            Point::Month(y, m) => {
                year_and(&mut v, y, "-");
                push_padded(&mut v, m.into(), 2);
            }
            Point::Quarter(y, q) => {
                year_and(&mut v, y, "-Q");
                push_padded(&mut v, q.into(), 1);
            }
            Point::Half(y, h) => {
                year_and(&mut v, y, "-H");
                push_padded(&mut v, h.into(), 1);
            }
            Point::Season(y, s) => {
                year_and(&mut v, y, "-");
                v.push_str(s);
            }
            Point::Year(y) => push_padded(&mut v, y.into(), 4),
            Point::Decade(d) => push_padded(&mut v, d.into(), 3),
            Point::Century(c) => push_padded(&mut v, c.into(), 2),
        }
        v
    }

    fn first_day(&self) -> Option<NaiveDate> {
        match *self {
            Point::Day(d) | Point::Week(d) => Some(d),
            Point::Weekend(d) => add_days(d, 5),
            Point::Month(y, m) => ymd(y, m, 1),
            Point::Quarter(y, q) => ymd(y, q * 3 - 2, 1),
            Point::Half(y, h) => ymd(y, h * 6 - 5, 1),
            Point::Season(y, s) => season_start(y, s),
            Point::Year(y) => ymd(y, 1, 1),
            Point::Decade(d) => ymd(d * 10, 1, 1),
            Point::Century(c) => ymd(c * 100, 1, 1),
        }
    }

    /// A day in the middle of the period: shifting a month by a week should
    /// stay inside the month rather than fall off its first day.
    fn mid_day(&self) -> Option<NaiveDate> {
        let f = self.first_day()?;
        let half = match self.gran() {
            Gran::Day => 0,
            Gran::Week => 3,
            Gran::Month => 14,
            Gran::Quarter => 45,
            Gran::Half => 90,
            Gran::Year => 182,
            Gran::Decade => 1826,
            Gran::Century => 18262,
        };
        add_days(f, half)
    }

    fn project(d: NaiveDate, g: Gran, like: &Point) -> Point {
        match g {
            Gran::Day => Point::Day(d),
            Gran::Week => match like {
                Point::Weekend(_) => Point::Weekend(monday_of(d)),
                _ => Point::Week(monday_of(d)),
            },
            Gran::Month => Point::Month(d.year(), d.month()),
            Gran::Quarter => Point::Quarter(d.year(), (d.month() - 1) / 3 + 1),
            Gran::Half => match like {
                Point::Season(_, s) => Point::Season(d.year(), s),
                _ => Point::Half(d.year(), (d.month() - 1) / 6 + 1),
            },
            Gran::Year => Point::Year(d.year()),
            Gran::Decade => Point::Decade(d.year().div_euclid(10)),
            Gran::Century => Point::Century(d.year().div_euclid(100)),
        }
    }

    /// Moves the point by `n` units. The result keeps the point's own
    /// granularity when the unit is finer ("a week before late February"
    /// is still February) and takes the unit's when it is coarser ("five
    /// months ago" from a day is a month), except that a year shift keeps
    /// sub-year periods ("a year earlier" than a quarter is a quarter).
    fn shift(&self, unit: Unit, n: i64) -> Option<Point> {
        let g = self.gran();
        let ug = match unit {
            Unit::Sec | Unit::Min | Unit::Hour | Unit::Day => Gran::Day,
            Unit::Week | Unit::Weekend | Unit::Fortnight => Gran::Day,
            Unit::Month => Gran::Month,
            Unit::Quarter => Gran::Quarter,
            Unit::Year | Unit::Decade | Unit::Century | Unit::Millennium => Gran::Year,
        };
        let out = if ug <= g || unit == Unit::Year && g != Gran::Day {
            g
        } else {
            ug
        };
        let exact = unit.months().is_some() && g >= Gran::Month || g == Gran::Day || g == Gran::Week;
        let base = if exact { self.first_day()? } else { self.mid_day()? };
        let d = if let Some(m) = unit.months() {
            add_months(base, m as i64 * n)?
        } else if let Some(dd) = unit.days() {
            add_days(base, dd as i64 * n)?
        } else {
            return None;
        };
        Some(Point::project(d, out, self))
    }

    fn day(&self) -> Option<NaiveDate> {
        match self {
            Point::Day(d) => Some(*d),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tense {
    Past,
    Future,
    None,
    /// "decided to", "planned to": the date belongs to the infinitive of a
    /// past intention, most likely still ahead but not surely: a weekday
    /// is taken ahead, a month or year the nearest.
    Open,
}

#[derive(Debug, Clone)]
struct Cand {
    end: usize,
    kind: TimexKind,
    value: Option<String>,
    modifier: Option<&'static str>,
    anchor: Anchor,
    point: Option<Point>,
    fuzzy: bool,
    /// Starts with a count ("two weeks", "10 p.m."): only then may a
    /// quantity modifier such as "about" or "over" join the span.
    quantity_start: bool,
    /// False for comparisons ("a year earlier" in earnings copy), which do
    /// not move the story's time.
    narr: bool,
    /// The value is the point's, formatted on emission.
    auto: bool,
}

impl Cand {
    fn new(end: usize, kind: TimexKind, value: Option<String>, anchor: Anchor) -> Cand {
        Cand {
            end,
            kind,
            value,
            modifier: None,
            anchor,
            point: None,
            fuzzy: false,
            quantity_start: false,
            narr: true,
            auto: false,
        }
    }

    /// A duration of `n` units, or of some units (`for weeks`) when `n` is
    /// `None`, which leaves it fuzzy.
    fn duration(end: usize, unit: Unit, n: Option<u32>, half: bool) -> Cand {
        let mut c = Cand::new(
            end,
            TimexKind::Duration,
            Some(duration_value(unit, n, half)),
            Anchor::Absolute,
        );
        c.fuzzy = n.is_none();
        c
    }

    /// A date at a calendar point; its value string is only formatted if
    /// the candidate is emitted (see `Cand::value_string`).
    fn point(end: usize, p: Point, anchor: Anchor) -> Cand {
        let mut c = Cand::new(end, TimexKind::Date, None, anchor);
        c.point = Some(p);
        c.auto = true;
        c
    }

    fn value_string(&mut self) -> Option<String> {
        match self.value.take() {
            Some(v) => Some(v),
            None if self.auto => self.point.map(|p| p.value()),
            None => None,
        }
    }

    fn qty(mut self) -> Cand {
        self.quantity_start = true;
        self
    }
}

/// What the story has said so far: the narrative time moves with every
/// resolved date outside quotations (quoted speech refers to its own
/// time line, not the narrator's).
/// How far back (bytes) a reporting period named earlier still frames
/// "a year ago" in results copy.
const RECENT_PERIOD: usize = 1500;

#[derive(Default)]
struct State {
    last: Option<(usize, Point)>,
    last_day: Option<(usize, NaiveDate)>,
    /// Byte end, date and anchor of an expression ending in a day number
    /// ("April 24"), which a second day number may share ("and 25").
    day_end: Option<(usize, NaiveDate, Anchor)>,
    memory: Vec<(usize, Point)>,
}

struct M<'a, 'l> {
    text: &'a str,
    lex: &'l TemporalLexicon,
    toks: &'a [Tok],
    lowbuf: &'a str,
    /// Lexicon entries, looked up on first use: most tokens of a region are
    /// never inspected.
    words: &'a [std::cell::Cell<Option<Option<&'l Word>>>],
    /// Tense cues, computed on first use like `words`.
    marks: &'a [std::cell::Cell<Option<Tense>>],
    pubd: Option<NaiveDate>,
    st: &'a State,
}

impl<'a, 'l> M<'a, 'l> {
    #[inline]
    fn w(&self, i: usize) -> Option<&'l Word> {
        match self.words.get(i)?.get() {
            Some(w) => w,
            None => self.w_lookup(i),
        }
    }

    #[inline(never)]
    fn w_lookup(&self, i: usize) -> Option<&'l Word> {
        let c = &self.words[i];
        let t = &self.toks[i];
        let w = if t.k == TK::Word {
            let len = (t.le - t.ls) as usize;
            if len <= 16 {
                self.lex.word_key(pack_at(self.lowbuf.as_bytes(), t.ls as usize, len))
            } else {
                self.lex.word(&self.lowbuf[t.ls as usize..t.le as usize])
            }
        } else {
            None
        };
        c.set(Some(w));
        w
    }

    fn low(&self, i: usize) -> &str {
        self.toks
            .get(i)
            .map(|t| &self.lowbuf[t.ls as usize..t.le as usize])
            .unwrap_or("")
    }

    fn is(&self, i: usize, s: &str) -> bool {
        self.low(i) == s
    }

    fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.gap)
    }

    fn num(&self, i: usize) -> Option<&Tok> {
        self.toks.get(i).filter(|t| t.k == TK::Num)
    }

    /// Skips a period glued to an abbreviation ("Feb.", "Sept.").
    fn dot(&self, i: usize) -> usize {
        if self.is(i, ".") && self.glued(i) {
            i + 1
        } else {
            i
        }
    }

    fn hyphen(&self, i: usize) -> usize {
        if (self.is(i, "-") || self.is(i, "\u{2011}") || self.is(i, "\u{2010}")) && self.glued(i) && self.glued(i + 1) {
            i + 1
        } else {
            i
        }
    }

    fn phrase(&self, i: usize, pred: impl Fn(&PhraseKind) -> bool) -> Option<(usize, PhraseKind)> {
        let list = &self.lex.phrase_lists[self.w(i)?.phr? as usize];
        let mut best: Option<(usize, PhraseKind)> = None;
        for p in list {
            if !pred(&p.kind) {
                continue;
            }
            let ok = p.toks.iter().enumerate().all(|(k, t)| self.low(i + k) == t);
            if ok && best.as_ref().is_none_or(|b| b.0 < i + p.toks.len()) {
                best = Some((i + p.toks.len(), p.kind));
            }
        }
        best
    }

    /// Cardinal number, in digits ("1,000" included) or words
    /// ("twenty-four", "two hundred").
    fn number(&self, i: usize) -> Option<(u32, usize)> {
        let t = self.toks.get(i)?;
        if t.k == TK::Num {
            if t.nd > 7 {
                return None;
            }
            let mut v = t.n;
            let mut j = i + 1;
            while self.is(j, ",") && self.glued(j) && self.num(j + 1).is_some_and(|n| n.nd == 3 && !n.gap) {
                v = v.checked_mul(1000)?.checked_add(self.toks[j + 1].n)?;
                j += 2;
            }
            return Some((v, j));
        }
        let mut total = 0u32;
        let mut cur = 0u32;
        let mut j = i;
        let mut any = false;
        loop {
            let Some(n) = self.w(j).and_then(|w| w.number) else {
                if any
                    && self.is(j, "and")
                    && self.w(j + 1).and_then(|w| w.number).is_some_and(|n| n < 100)
                    && cur.is_multiple_of(100)
                    && cur > 0
                {
                    j += 1;
                    continue;
                }
                break;
            };
            match n {
                100 => cur = cur.max(1) * 100,
                1000 | 1_000_000 => {
                    total += cur.max(1) * n;
                    cur = 0;
                }
                _ => {
                    let last2 = cur % 100;
                    if any && !(last2 == 0 || (last2 >= 20 && last2.is_multiple_of(10) && n < 10)) {
                        break;
                    }
                    cur += n;
                }
            }
            any = true;
            j += 1;
            let h = self.hyphen(j);
            if h != j && self.w(h).and_then(|w| w.number).is_some_and(|n| n < 10) {
                j = h;
            }
        }
        any.then_some((total + cur, j))
    }

    /// Ordinal: "13th", "third", "twenty-first".
    fn ordinal(&self, i: usize) -> Option<(i32, usize)> {
        let t = self.toks.get(i)?;
        if t.k == TK::Num && t.nd <= 3 {
            let suf = self.low(i + 1);
            if self.glued(i + 1) && matches!(suf, "st" | "nd" | "rd" | "th") {
                return Some((t.n as i32, i + 2));
            }
            return None;
        }
        if let Some(o) = self.w(i).and_then(|w| w.ordinal) {
            return Some((o, i + 1));
        }
        let tens = self
            .w(i)
            .and_then(|w| w.number)
            .filter(|n| (20..100).contains(n) && n % 10 == 0)?;
        let j = self.hyphen(i + 1);
        let o = self.w(j).and_then(|w| w.ordinal).filter(|o| (1..10).contains(o))?;
        Some((tens as i32 + o, j + 1))
    }

    /// A year written out: "1998", "nineteen ninety-six".
    fn year(&self, i: usize) -> Option<(i32, usize)> {
        let t = self.toks.get(i)?;
        if t.k == TK::Num {
            if t.nd == 4
                && (1000..=2199).contains(&t.n)
                && !(self.is(i + 1, ",") && self.num(i + 2).is_some_and(|n| !n.gap && n.nd == 3))
            {
                return Some((t.n as i32, i + 1));
            }
            return None;
        }
        let hi = self.w(i).and_then(|w| w.number).filter(|n| (10..=20).contains(n))?;
        let (lo, j) = self.number(i + 1)?;
        if !(1..100).contains(&lo) || j == i + 1 {
            return None;
        }
        Some((hi as i32 * 100 + lo as i32, j))
    }

    fn day_num(&self, i: usize) -> Option<(u32, usize)> {
        if let Some(t) = self.num(i) {
            if t.nd <= 2 && (1..=31).contains(&t.n) {
                // "May 13,000" is a count, "May 1.5" is not a date.
                if self.is(i + 1, ",") && self.num(i + 2).is_some_and(|n| n.nd == 3 && !n.gap) {
                    return None;
                }
                if self.is(i + 1, ".") && self.num(i + 2).is_some_and(|n| !n.gap)
                    || self.is(i + 1, ":") && self.glued(i + 1) && self.num(i + 2).is_some_and(|n| !n.gap)
                {
                    return None;
                }
                let j = i + 1;
                if self.glued(j) && matches!(self.low(j), "st" | "nd" | "rd" | "th") {
                    return Some((t.n, j + 1));
                }
                return Some((t.n, j));
            }
            return None;
        }
        let (o, j) = self.ordinal(i)?;
        (1..=31).contains(&o).then_some((o as u32, j))
    }

    // -- tense -------------------------------------------------------------

    fn sentence_bounds(&self, i: usize) -> (usize, usize) {
        let mut a = i;
        while a > 0 {
            if self.toks[a].para || self.is_sentence_end(a - 1) {
                break;
            }
            a -= 1;
        }
        let mut b = i;
        while b + 1 < self.toks.len() && !self.toks[b + 1].para && !self.is_sentence_end(b) {
            b += 1;
        }
        (a, b + 1)
    }

    fn is_sentence_end(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            t.k == TK::Punct && t.e == t.s + 1 && matches!(self.text.as_bytes()[t.s], b'.' | b'!' | b'?')
        }) && self
            .toks
            .get(i + 1)
            .is_some_and(|n| n.gap && (n.cap || n.k == TK::Punct))
            // "Dr. Barnett Slepian", "Roe vs. Wade": a title's period.
            && !(i > 0 && self.glued(i) && self.w(i - 1).is_some_and(|w| w.title_abbrev))
    }

    /// `matches!(self.low(i), "," | ";" | ":")`, by the token's one byte:
    /// asked of every token near a date.
    fn is_clause_mark(&self, i: usize) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.le == t.ls + 1 && matches!(self.lowbuf.as_bytes()[t.ls as usize], b',' | b';' | b':'))
    }

    fn tense_mark(&self, i: usize) -> Tense {
        let Some(c) = self.marks.get(i) else {
            return Tense::None;
        };
        if let Some(t) = c.get() {
            return t;
        }
        let t = self.tense_mark_uncached(i);
        c.set(Some(t));
        t
    }

    fn tense_mark_uncached(&self, i: usize) -> Tense {
        let Some(t) = self.toks.get(i) else {
            return Tense::None;
        };
        if t.k != TK::Word {
            return Tense::None;
        }
        let passive = i > 0 && self.w(i - 1).is_some_and(|w| w.passive_aux);
        let low = self.low(i);
        // "a still unspecified date", "the planned merger", "the hastily
        // arranged trip": a participle after a determiner is an adjective.
        let det = |k: usize| self.w(k).is_some_and(|w| w.determiner);
        let attributive = i > 0
            && (det(i - 1)
                || i > 1
                    && (self.w(i - 1).is_some_and(|w| w.participle_adverb) || self.low(i - 1).ends_with("ly"))
                    && det(i - 2));
        let participle_form = low.len() >= 5 && low.ends_with("ed");
        // "had been scheduled to expire Friday", "had planned to": an act
        // planned in the past perfect was overtaken, so it points back; a
        // date planned for ("had been scheduled for the third quarter, will
        // now ...") may still lie ahead.
        let pluperfect =
            |k: usize| k > 0 && (self.is(k - 1, "had") || k > 1 && self.is(k - 1, "been") && self.is(k - 2, "had"));
        if let Some(w) = self.w(i) {
            let to = self.is(i + 1, "to");
            if w.open_to && to {
                return Tense::Open;
            }
            // "the planned merger", "the slated visit": even as
            // adjectives these put the noun ahead.
            if w.future && !(w.not_before_to && to) || w.future_to && to {
                return if pluperfect(i) && to {
                    Tense::Past
                } else {
                    Tense::Future
                };
            }
            // "will be held", "is heard": a participle after "be" leaves
            // the tense to the verb before it. "will set", "to cut": a
            // form shared with the infinitive is no past after a modal.
            let infinitive = i > 0 && self.w(i - 1).is_some_and(|p| p.modal);
            if w.past && !passive && !infinitive {
                // "was scheduled", "were planning to": a past intention
                // points ahead.
                let next = self.w(i + 1);
                if next.is_some_and(|n| n.future || n.future_to && self.is(i + 2, "to"))
                    && !(pluperfect(i + 1) && self.is(i + 2, "to"))
                {
                    return Tense::Future;
                }
                return Tense::Past;
            }
            if w.month > 0 || w.unit.is_some() || w.weekday > 0 {
                return Tense::None;
            }
        }
        // Regular past forms; "hosted by" is a participle describing a
        // noun, not the tense of the clause.
        let participle = t.cap || attributive || self.is(i + 1, "by") || passive;
        if participle_form && !participle {
            return Tense::Past;
        }
        Tense::None
    }

    /// The tense nearest to the expression, first inside its comma-bounded
    /// clause and then in the whole sentence.
    fn tense(&self, a: usize, b: usize) -> Tense {
        self.tense_reaching(a, b, false)
    }

    /// `tense`, reading on past the region for a day named by its weekday
    /// only. A weekday mostly dates the clause's own verb ("On Tuesday,
    /// the League plans to ..."), while a month or quarter as often dates a
    /// noun ("for delivery in April", "effective April 1"), where a verb
    /// far off misleads: on Reuters copy a far cue was wrong for two months
    /// in three but right for four weekdays in five.
    fn tense_reaching(&self, a: usize, b: usize, far: bool) -> Tense {
        let (s0, s1) = self.sentence_bounds(a);
        let fronted = a - s0 <= 3 && (s0 > 0 || self.toks[0].s == 0);
        // The nearest cue wins (the left one at equal distance); both sides
        // are searched in step, so the first cue found is the one.
        for clause in [true, false] {
            let mut l = a;
            let mut r = b;
            let (mut lstop, mut rstop) = (false, false);
            for _ in 0..25 {
                // Both sides at the sentence's ends or the clause's: the
                // steps left would find nothing.
                if (lstop || l <= s0) && (rstop || r >= s1) {
                    break;
                }
                for side in [0, 1] {
                    let idx = if side == 0 {
                        if lstop || l <= s0 {
                            continue;
                        }
                        l -= 1;
                        l
                    } else {
                        if rstop || r >= s1 {
                            continue;
                        }
                        r += 1;
                        r - 1
                    };
                    if clause && self.is_clause_mark(idx) {
                        if side == 0 {
                            lstop = true;
                        } else {
                            rstop = true;
                        }
                        continue;
                    }
                    let t = match self.tense_mark(idx) {
                        Tense::None => continue,
                        // ", an official said on Wednesday": outside the
                        // date's clause, a reporting verb dates the saying,
                        // unless the date opens the sentence and so governs
                        // it ("In September, it announced plans to ...").
                        Tense::Past if !clause && !fronted && self.w(idx).is_some_and(|w| w.reporting) => continue,
                        // "decided to admit them in March": the date
                        // belongs to the infinitive, whose time is open.
                        // "In March, the board decided to": to the verb.
                        Tense::Open if side == 1 => Tense::Past,
                        t => t,
                    };
                    return t;
                }
            }
        }
        if !far {
            return Tense::None;
        }
        self.tense_beyond(a, b, s0, s1, fronted)
    }

    /// The nearest cue of the sentence outside the region when the region
    /// holds none: regions reach only a few words past their triggers, and
    /// the verb of "On Tuesday, the National Abortion and Reproductive
    /// Rights Action League plans to ..." lies further. Rare, so the text
    /// beyond is tokenized on demand.
    #[cold]
    fn tense_beyond(&self, a: usize, b: usize, s0: usize, s1: usize, fronted: bool) -> Tense {
        const REACH: usize = 200;
        let bytes = self.text.as_bytes();
        let mut best: Option<(usize, Tense)> = None;
        let mut look = |from: usize, to: usize, left: bool, used: usize| {
            // Starts and ends on whitespace so no word is cut.
            let mut from = from;
            while from > 0 && !bytes[from - 1].is_ascii_whitespace() {
                from -= 1;
            }
            let mut to = to.min(bytes.len());
            while to < bytes.len() && !bytes[to].is_ascii_whitespace() {
                to += 1;
            }
            let mut toks = Vec::new();
            tokenize(self.text, from, to, &mut toks);
            let n = toks.len();
            if n < 2 {
                return;
            }
            let mut lowbuf = self.text[from..to].to_string();
            lowbuf.make_ascii_lowercase();
            let words = vec![std::cell::Cell::new(None); n];
            let marks = vec![std::cell::Cell::new(None); n];
            let m = M {
                text: self.text,
                lex: self.lex,
                toks: &toks,
                lowbuf: &lowbuf,
                words: &words,
                marks: &marks,
                pubd: self.pubd,
                st: self.st,
            };
            // The region's edge token is read again: inside the region it
            // lacked the word after it ("plans" | "to").
            for d in 0..n {
                let k = if left { n - 1 - d } else { d };
                let dist = used + d;
                // Far from the date, a cue more often belongs to another
                // clause ("told ... of a cutback in its oil supply in
                // September"); the region already had its 25 tokens.
                if dist > 15 || best.is_some_and(|(bd, _)| bd <= dist) {
                    return;
                }
                let stop = if left {
                    k + 1 < n && (toks[k + 1].para || m.is_sentence_end(k))
                } else {
                    k > 0 && (toks[k].para || m.is_sentence_end(k - 1))
                };
                if stop {
                    return;
                }
                if matches!(m.tense_mark(k), Tense::None) || !fronted && m.w(k).is_some_and(|w| w.reporting) {
                    continue;
                }
                let t = match m.tense_mark(k) {
                    Tense::Open if !left => Tense::Past,
                    t => t,
                };
                best = Some((dist, t));
                return;
            }
        };
        let (first, last) = (&self.toks[0], &self.toks[self.toks.len() - 1]);
        if s0 == 0 && first.s > 0 {
            look(first.s.saturating_sub(REACH), first.e, true, a);
        }
        if s1 == self.toks.len() && last.e < bytes.len() {
            look(last.s, last.e + REACH, false, self.toks.len() - b);
        }
        best.map_or(Tense::None, |(_, t)| t)
    }

    // -- resolution helpers ------------------------------------------------

    /// "as early as Tuesday", "as soon as next week": the earliest date
    /// something may happen, so one that lies ahead.
    fn as_early_as(&self, a: usize) -> bool {
        a >= 3 && self.is(a - 1, "as") && self.is(a - 3, "as") && self.w(a - 2).is_some_and(|w| w.earliest)
    }

    /// "by May", "until Friday": a deadline lies ahead, unless it opens a
    /// sentence told in the past ("Until Thursday, they had not called
    /// him"). After the verb the past proves nothing: "postponed until
    /// Tuesday" points ahead. The preposition itself is no cue.
    /// `month`: a month is taken to lie ahead after the preposition; a
    /// weekday follows the nearest cue, the preposition included ("had
    /// filed reports by Wednesday", "postponed until Tuesday").
    fn deadline_tense(&self, a: usize, b: usize, month: bool) -> Tense {
        let far = !month;
        if a > 0 && self.w(a - 1).is_some_and(|w| w.deadline) {
            if self.is_sentence_start(a - 1) && self.tense_reaching(a - 1, b, far) == Tense::Past {
                return Tense::Past;
            }
            if month {
                return Tense::Future;
            }
        }
        self.tense_reaching(a, b, far)
    }

    fn res_weekday(&self, wd: u32, shift: Option<i32>, a: usize, b: usize) -> Option<NaiveDate> {
        let p = self.pubd?;
        let cur = p.weekday().number_from_monday() as i64;
        let back = (cur - wd as i64).rem_euclid(7);
        let fwd = (wd as i64 - cur).rem_euclid(7);
        let off = match shift {
            Some(-1) => -(if back == 0 { 7 } else { back }),
            Some(1) => {
                if fwd == 0 {
                    7
                } else {
                    fwd
                }
            }
            _ => {
                // "Wednesday's ruling": a possessive names something that
                // has already happened; the clause's tense is not its own.
                let possessive = matches!(self.low(b), "'" | "\u{2019}") && self.is(b + 1, "s") && self.glued(b);
                if !possessive
                    && (self.as_early_as(a) || matches!(self.deadline_tense(a, b, false), Tense::Future | Tense::Open))
                {
                    fwd
                } else {
                    -back
                }
            }
        };
        add_days(p, off)
    }

    /// Month (and day) without a year: the nearest occurrence on the side
    /// the tense points to, the nearest overall when the tense is silent.
    fn res_month_day(&self, m: u32, d: Option<u32>, a: usize, b: usize) -> Option<(Point, Anchor)> {
        let mk = |y: i32| -> Option<Point> {
            match d {
                Some(d) => ymd(y, m, d).map(Point::Day),
                None => Some(Point::Month(y, m)),
            }
        };
        let Some(p) = self.pubd else {
            // A year the story already gave is a better guess than nothing.
            let y = self.st.last.and_then(|(_, pt)| pt.first_day()).map(|d| d.year())?;
            return mk(y).map(|pt| (pt, Anchor::Narrative));
        };
        let key = |pt: &Point| -> i64 {
            match pt {
                Point::Day(x) => x.num_days_from_ce() as i64,
                Point::Month(y, mm) => (*y as i64 * 12 + *mm as i64) * 31,
                _ => 0,
            }
        };
        let now = match d {
            Some(_) => p.num_days_from_ce() as i64,
            None => (p.year() as i64 * 12 + p.month() as i64) * 31,
        };
        let tense = if self.as_early_as(a) {
            Tense::Future
        } else {
            self.deadline_tense(a, b, true)
        };
        let adjacent = a > 0
            && tense == Tense::Past
            && (self.tense_mark(a - 1) == tense
                || a > 1 && matches!(self.low(a - 1), "on" | "in" | "since") && self.tense_mark(a - 2) == tense);
        // Tense is a soft cue: "extended the offer to Nov. 6" is past tense
        // about a date ten days ahead. A candidate on the side the tense
        // contradicts counts as further away: twice for a day, which is
        // precise enough to be announced ahead, but prohibitively for a
        // bare month, which follows the tense.
        // The candidates (the date in the year before, the same and the
        // next) are made as they are compared, without a `Vec`.
        let pick = (-1..=1).filter_map(|k| mk(p.year() + k)).min_by_key(|c| {
            let k = key(c) - now;
            let against = match tense {
                Tense::Past => k > 0,
                Tense::Future | Tense::Open => k < 0,
                Tense::None => false,
            };
            // Ties go to the past: news reports more than it announces.
            // A verb right before the date ("ended Jan. 31", "met on
            // Oct. 3") governs it, and counts as much as for a month.
            // An intention ("hoped to present it in October") leans
            // ahead without ruling out the recent past.
            let weight = if tense == Tense::Open {
                2
            } else if d.is_none() || adjacent {
                100
            } else {
                2
            };
            (k.abs() * if against { weight } else { 1 }, k > 0)
        });
        pick.map(|c| (c, Anchor::Publication))
    }

    fn res_season(&self, s: &'static str, shift: Option<i32>, a: usize, b: usize) -> Option<Point> {
        let p = self.pubd?;
        let starts: Vec<(i32, NaiveDate)> = (-2..=1)
            .filter_map(|k| season_start(p.year() + k, s).map(|d| (p.year() + k, d)))
            .collect();
        let cur = starts.iter().rev().find(|(_, d)| *d <= p).copied();
        let next = starts.iter().find(|(_, d)| *d > p).copied();
        let in_it = cur.is_some_and(|(_, d)| add_months(d, 3).is_some_and(|e| p < e));
        let y = match shift {
            Some(0) => Some(if s == "WI" && p.month() <= 2 {
                p.year() - 1
            } else {
                p.year()
            }),
            Some(-1) => {
                if in_it {
                    cur.map(|c| c.0 - 1)
                } else {
                    cur.map(|c| c.0)
                }
            }
            Some(1) => next.map(|c| c.0),
            _ => {
                if in_it {
                    cur.map(|c| c.0)
                } else if self.tense(a, b) == Tense::Future {
                    next.map(|c| c.0)
                } else {
                    cur.map(|c| c.0)
                }
            }
        }?;
        Some(Point::Season(y, s))
    }

    fn pub_point(&self, unit: Unit) -> Option<Point> {
        let p = self.pubd?;
        Some(match unit {
            Unit::Day => Point::Day(p),
            Unit::Week | Unit::Fortnight => Point::Week(monday_of(p)),
            Unit::Weekend => Point::Weekend(monday_of(p)),
            Unit::Month => Point::Month(p.year(), p.month()),
            Unit::Quarter => Point::Quarter(p.year(), (p.month() - 1) / 3 + 1),
            Unit::Year => Point::Year(p.year()),
            Unit::Decade => Point::Decade(p.year().div_euclid(10)),
            Unit::Century | Unit::Millennium => Point::Century(p.year().div_euclid(100)),
            _ => return None,
        })
    }

    /// The narrative point at the granularity `unit` needs.
    fn narr_point(&self, unit: Unit) -> Option<Point> {
        if matches!(
            unit,
            Unit::Day | Unit::Week | Unit::Weekend | Unit::Fortnight | Unit::Hour | Unit::Min | Unit::Sec
        ) {
            return self.st.last_day.map(|(_, d)| Point::Day(d));
        }
        let (_, p) = self.st.last?;
        let d = p.first_day()?;
        Some(match unit {
            Unit::Month => {
                if p.gran() > Gran::Month {
                    return None;
                }
                Point::Month(d.year(), d.month())
            }
            Unit::Quarter => {
                if p.gran() > Gran::Quarter {
                    return None;
                }
                Point::Quarter(d.year(), (d.month() - 1) / 3 + 1)
            }
            _ => {
                if p.gran() > Gran::Year {
                    return None;
                }
                Point::Year(d.year())
            }
        })
    }

    // -- patterns ------------------------------------------------------------

    fn best(&self, i: usize) -> Option<Cand> {
        let mut best: Option<Cand> = None;
        let mut take = |c: Option<Cand>| {
            if let Some(c) = c {
                if best.as_ref().is_none_or(|b| c.end > b.end) {
                    best = Some(c);
                }
            }
        };
        take(self.qmod(i));
        take(self.position(i));
        take(self.core(i));
        best
    }

    fn core(&self, i: usize) -> Option<Cand> {
        let t = self.toks.get(i)?;
        let mut best: Option<Cand> = None;
        let mut take = |c: Option<Cand>| {
            if let Some(c) = c {
                if best.as_ref().is_none_or(|b| c.end > b.end) {
                    best = Some(c);
                }
            }
        };
        if t.k == TK::Num {
            take(self.second_day(i));
            take(self.iso(i));
            take(self.clock(i));
            take(self.day_month(i));
            take(self.year_expr(i));
            take(self.quarter(i));
        }
        if t.k == TK::Punct {
            return best;
        }
        take(self.quantity(i));
        take(self.unit_next_to(i));
        take(self.unit_long(i));
        take(self.bare(i));
        take(self.weekend(i));
        take(self.week_of(i));
        take(self.span(i));
        take(self.set(i));
        if t.k == TK::Word {
            take(self.month(i));
            take(self.weekday(i));
            take(self.deictic(i));
            take(self.shift(i));
            take(self.narrative(i));
            take(self.reference(i));
            take(self.season(i));
            take(self.holiday(i));
            take(self.year_end(i));
            take(self.clock(i));
            take(self.day_month(i));
            take(self.year_expr(i));
            take(self.quarter(i));
        }
        best
    }

    /// "April 24 and 25", "March 3 to 5", "Sept. 12-14": a day number
    /// joined to a date that ended in one shares its month and year.
    fn second_day(&self, i: usize) -> Option<Cand> {
        let t = self.num(i)?;
        let (end, d, anchor) = self.st.day_end?;
        if i < 2 || t.nd > 2 || self.toks[i - 2].e != end {
            return None;
        }
        let joined = match self.low(i - 1) {
            "and" | "or" | "to" | "through" => true,
            "-" => self.glued(i - 1) && self.glued(i),
            _ => false,
        };
        if !joined || t.n <= d.day() {
            return None;
        }
        // "April 24 and 25 people": a count, not a day.
        if let Some(n) = self.toks.get(i + 1) {
            if n.k == TK::Num || n.k == TK::Word && !self.w(i + 1).is_some_and(|w| w.month_ctx || w.year_ctx) {
                return None;
            }
        }
        let day = d.with_day(t.n)?;
        Some(Cand::point(i + 1, Point::Day(day), anchor))
    }

    /// "a day-long meeting", "a year-long inquiry", "a decades-long
    /// battle": a duration used as an adjective, like "a two-week trip".
    fn unit_long(&self, i: usize) -> Option<Cand> {
        let w = self.w(i)?;
        let unit = w.unit.filter(|u| *u != Unit::Weekend)?;
        if self.toks[i].cap
            || !(self.is(i + 1, "-") && self.glued(i + 1) && self.glued(i + 2) && self.is(i + 2, "long"))
        {
            return None;
        }
        let n = if w.plural { None } else { Some(1) };
        Some(Cand::duration(i + 3, unit, n, false))
    }

    /// "the day before last Tuesday's hearing", "the week after Christmas":
    /// one unit next to a date that follows. Without a date ("the day after
    /// his death") the anchor is unknown and nothing is claimed.
    fn unit_next_to(&self, i: usize) -> Option<Cand> {
        if !self.is(i, "the") {
            return None;
        }
        let w = self.w(i + 1)?;
        let unit = w.unit.filter(|u| matches!(u, Unit::Day | Unit::Week) && !w.plural)?;
        let sign = match self.low(i + 2) {
            "before" => -1,
            "after" => 1,
            _ => return None,
        };
        let c = self
            .core(i + 3)
            .filter(|c| c.kind == TimexKind::Date && c.anchor != Anchor::Unresolved)?;
        let p = c.point?;
        let p = match (unit, p) {
            (Unit::Week, Point::Day(d)) => Point::Week(monday_of(d)).shift(unit, sign)?,
            (Unit::Day, Point::Day(_)) => p.shift(unit, sign)?,
            _ => return None,
        };
        Some(Cand::point(c.end, p, c.anchor))
    }

    /// "about two weeks", "more than four hours", "roughly a week before".
    fn qmod(&self, i: usize) -> Option<Cand> {
        let (j, k) = self.phrase(i, |k| matches!(k, PhraseKind::QMod(_)))?;
        let PhraseKind::QMod(m) = k else { return None };
        let mut c = self.core(j)?;
        if !c.quantity_start {
            return None;
        }
        c.modifier = Some(m);
        Some(c)
    }

    /// "late February", "early next year", "the end of 1990", "mid-1990s".
    fn position(&self, i: usize) -> Option<Cand> {
        let (j, k) = self.phrase(i, |k| matches!(k, PhraseKind::Pos(_) | PhraseKind::PosHalf(_)))?;
        let j = if self.is(j, "-") && self.glued(j) { j + 1 } else { j };
        let mut c = self
            .core(j)
            .filter(|c| c.point.is_some() && c.kind != TimexKind::Duration);
        // "the end of the month": a bare "the UNIT" means the current one.
        if c.is_none() && self.is(j, "the") {
            let u = self
                .w(j + 1)
                .and_then(|w| w.unit)
                .filter(|_| !self.w(j + 1).is_some_and(|w| w.plural))?;
            let p = self.pub_point(u)?;
            c = Some(Cand::point(j + 2, p, Anchor::Publication));
        }
        let mut c = c?;
        match k {
            PhraseKind::Pos(None) => {
                // "earlier"/"later" only join relative phrases: "earlier
                // this month", "later that day", "later today".
                let w = self.w(j)?;
                if w.shift.is_none() && w.narr_shift.is_none() && w.deictic_day.is_none() {
                    return None;
                }
            }
            PhraseKind::Pos(Some(m)) => c.modifier = Some(m),
            PhraseKind::PosHalf(h) => {
                let Some(Point::Year(y)) = c.point else {
                    return None;
                };
                let p = Point::Half(y, h);
                c.value = Some(p.value());
                c.point = Some(p);
            }
            _ => return None,
        }
        c.quantity_start = false;
        Some(c)
    }

    /// ISO dates and timestamps, and numeric US dates (8/7/98).
    fn iso(&self, i: usize) -> Option<Cand> {
        let t = self.num(i)?;
        if t.nd == 4 && self.is(i + 1, "-") && self.glued(i + 1) {
            let m = self.num(i + 2).filter(|x| !x.gap && x.nd <= 2)?;
            if !(self.is(i + 3, "-") && self.glued(i + 3)) {
                return None;
            }
            let d = self.num(i + 4).filter(|x| !x.gap && x.nd <= 2)?;
            let date = ymd(t.n as i32, m.n, d.n)?;
            let mut c = Cand::point(i + 5, Point::Day(date), Anchor::Absolute);
            if let Some((h, mi, j)) = self.hhmm(i + 5) {
                c = Cand::new(
                    j,
                    TimexKind::Time,
                    Some(format!("{}T{h:02}:{mi:02}", Point::Day(date).value())),
                    Anchor::Absolute,
                );
                c.point = Some(Point::Day(date));
            }
            return Some(c);
        }
        if t.nd <= 2 && self.is(i + 1, "/") && self.glued(i + 1) {
            let d = self.num(i + 2).filter(|x| !x.gap && x.nd <= 2)?;
            if !(self.is(i + 3, "/") && self.glued(i + 3)) {
                return None;
            }
            let y = self.num(i + 4).filter(|x| !x.gap && (x.nd == 2 || x.nd == 4))?;
            let yy = if y.nd == 2 {
                if y.n >= 50 {
                    1900 + y.n
                } else {
                    2000 + y.n
                }
            } else {
                y.n
            };
            let date = ymd(yy as i32, t.n, d.n)?;
            return Some(Cand::point(i + 5, Point::Day(date), Anchor::Absolute));
        }
        None
    }

    fn hhmm(&self, i: usize) -> Option<(u32, u32, usize)> {
        let h = self.num(i).filter(|x| x.nd <= 2 && x.n <= 24)?;
        if !self.is(i + 1, ":")
            || !self.glued(i + 1)
            || i > 0 && matches!(self.low(i - 1), "$" | "#" | "\u{a3}" | "\u{20ac}")
        {
            return None;
        }
        let m = self.num(i + 2).filter(|x| !x.gap && x.nd == 2 && x.n < 60)?;
        let mut j = i + 3;
        if self.is(j, ":") && self.glued(j) && self.num(j + 1).is_some_and(|x| !x.gap && x.nd == 2) {
            j += 2;
        }
        Some((h.n, m.n, j))
    }

    fn meridiem(&self, i: usize) -> Option<(bool, usize)> {
        let w = self.w(i)?;
        if !(w.am || w.pm) {
            return None;
        }
        let mut j = i + 1;
        if self.is(j, ".") && self.glued(j) && !self.low(i).ends_with('.') {
            j += 1;
        }
        Some((w.pm, j))
    }

    /// "10:35 a.m.", "10 p.m. Wednesday", "noon Thursday", "5 p.m. EST".
    fn clock(&self, i: usize) -> Option<Cand> {
        let (mut h, mi, mut j);
        if let Some(cw) = self.w(i).and_then(|w| w.clock) {
            if self.titled(i) {
                return None;
            }
            (h, mi, j) = (cw.0, cw.1, i + 1);
        } else if let Some((hh, mm, jj)) = self.hhmm(i) {
            (h, mi, j) = (hh, mm, jj);
            if let Some((pm, k)) = self.meridiem(j) {
                if h > 12 {
                    return None;
                }
                if pm && h < 12 {
                    h += 12;
                } else if !pm && h == 12 {
                    h = 0;
                }
                j = k;
            } else if self.toks[i].nd != 2 && !self.w(j).is_some_and(|w| w.tz) {
                // "3:2" in sports copy; a bare "H:MM" is only a time
                // with a zone or a leading zero.
                if !(self.is(i.wrapping_sub(1), "at") || self.is(i.wrapping_sub(1), "by")) {
                    return None;
                }
            }
        } else {
            let t = self.num(i).filter(|x| x.nd <= 2 && (1..=12).contains(&x.n))?;
            let (pm, k) = self.meridiem(i + 1).or_else(|| self.hour_in_part(i))?;
            h = if pm { t.n % 12 + 12 } else { t.n % 12 };
            mi = 0;
            j = k;
        }
        if self.w(j).is_some_and(|w| w.tz) && self.toks[j].cap
            || self.toks.get(j).is_some_and(|t| {
                self.low(j).len() <= 4
                    && self.w(j).is_some_and(|w| w.tz)
                    && t.s > 0
                    && self.text.as_bytes()[t.s].is_ascii_uppercase()
            })
        {
            j += 1;
        }
        // An attached day: "10 p.m. Wednesday", "noon Thursday", "6 a.m. today".
        let mut k = j;
        if self.is(k, "on") {
            k += 1;
        }
        if self.is(k, ",") {
            k += 1;
        }
        let mut date: Option<(NaiveDate, Anchor)> = None;
        if let Some(c) = [self.weekday(k), self.month(k), self.deictic(k), self.day_month(k)]
            .into_iter()
            .flatten()
            .filter(|c| c.kind == TimexKind::Date)
            .max_by_key(|c| c.end)
        {
            if let Some(d) = c.point.and_then(|p| p.day()) {
                date = Some((d, c.anchor));
                j = c.end;
            }
        }
        if date.is_none() {
            date = self
                .st
                .last_day
                .filter(|(pos, d)| {
                    // Close by, or anywhere earlier when the clause tells
                    // a past event: "was shot at 10 p.m."
                    self.toks[i].s.saturating_sub(*pos) < 300
                        || self.pubd.is_some_and(|p| *d < p) && self.tense(i, j) == Tense::Past
                })
                .map(|(_, d)| (d, Anchor::Narrative))
                .or(self.pubd.map(|d| (d, Anchor::Publication)));
        }
        let (v, a) = match date {
            Some((d, a)) => (format!("{}T{h:02}:{mi:02}", Point::Day(d).value()), a),
            None => (format!("XXXX-XX-XXT{h:02}:{mi:02}"), Anchor::Unresolved),
        };
        let mut c = Cand::new(j, TimexKind::Time, Some(v), a);
        c.point = date.map(|(d, _)| Point::Day(d));
        Some(c.qty())
    }

    /// "at 4 in the morning", "until 3 in the afternoon": an hour placed
    /// in a part of the day, after a preposition of time so that counts
    /// ("scored 4 in the afternoon") stay out. Returns (pm, end).
    fn hour_in_part(&self, i: usize) -> Option<(bool, usize)> {
        if i == 0
            || !matches!(
                self.low(i - 1),
                "at" | "by" | "until" | "till" | "around" | "about" | "before" | "after"
            )
        {
            return None;
        }
        if !(self.is(i + 1, "in") && self.is(i + 2, "the")) {
            return None;
        }
        let part = self.w(i + 3).and_then(|w| w.part).filter(|_| !self.toks[i + 3].cap)?;
        match part {
            "MO" => Some((false, i + 4)),
            "AF" | "EV" => Some((true, i + 4)),
            _ => None,
        }
    }

    fn month_word(&self, i: usize) -> Option<(u32, usize)> {
        let t = self.toks.get(i)?;
        let w = self.w(i)?;
        if w.month == 0 || !t.cap {
            return None;
        }
        Some((w.month, if w.abbrev { self.dot(i + 1) } else { i + 1 }))
    }

    /// Explicit or implicit year after a month or day: ", 1998", "1998",
    /// "of 1998", "this year", "last year".
    fn year_after(&self, j: usize) -> Option<(Result<i32, i32>, usize)> {
        let mut k = j;
        if self.is(k, ",") || self.is(k, "of") {
            k += 1;
        }
        if let Some((y, e)) = self.year(k) {
            return Some((Ok(y), e));
        }
        if let Some(s) = self.w(j).and_then(|w| w.shift) {
            if self.w(j + 1).and_then(|w| w.unit) == Some(Unit::Year) && !self.w(j + 1).is_some_and(|w| w.plural) {
                return Some((Err(s), j + 2));
            }
        }
        None
    }

    fn with_year(&self, y: Result<i32, i32>) -> Option<(i32, Anchor)> {
        match y {
            Ok(y) => Some((y, Anchor::Absolute)),
            Err(s) => self.pubd.map(|p| (p.year() + s, Anchor::Publication)),
        }
    }

    /// "Sept. 30", "Oct. 15, 1999", "March eighth", "August 1988",
    /// "January this year", "May".
    fn month(&self, i: usize) -> Option<Cand> {
        let (m, j) = self.month_word(i)?;
        let w = self.w(i)?;
        if let Some((d, k)) = self.day_num(j) {
            let (pt, anchor, end) = match self.year_after(k) {
                Some((y, e)) => {
                    let (y, a) = self.with_year(y)?;
                    (Point::Day(ymd(y, m, d)?), a, e)
                }
                None => match self.res_month_day(m, Some(d), i, k) {
                    Some((p, a)) => (p, a, k),
                    None => {
                        ymd(2000, m, d)?;
                        let mut c = Cand::new(
                            k,
                            TimexKind::Date,
                            Some(format!("XXXX-{m:02}-{d:02}")),
                            Anchor::Unresolved,
                        );
                        c.point = None;
                        return Some(c);
                    }
                },
            };
            return Some(self.with_clock(Cand::point(end, pt, anchor)));
        }
        if let Some((y, e)) = self.year_after(j) {
            let (y, a) = self.with_year(y)?;
            return Some(Cand::point(e, Point::Month(y, m), a));
        }
        if w.month_ambiguous {
            let prev = i.checked_sub(1).and_then(|p| self.w(p));
            // "the March accession", "their May pension checks": after a
            // determiner the capitalised word is the month.
            if !prev.is_some_and(|p| p.month_ctx || p.determiner) {
                return None;
            }
            // "may" after "and"/"or" is still mostly the modal verb.
            if matches!(self.low(i - 1), "and" | "or" | "to") {
                return None;
            }
        }
        if i > 0
            && self.toks[i - 1].cap
            && !self.w(i - 1).is_some_and(|p| p.month_ctx || p.shift.is_some())
            && !self.is_sentence_start(i - 1)
        {
            // Inside a capitalised name ("Arab Spring", "Rue de May").
            if self.toks[i - 1].k == TK::Word {
                return None;
            }
        }
        match self.res_month_day(m, None, i, j) {
            Some((p, a)) => Some(Cand::point(j, p, a)),
            None => Some(Cand::new(
                j,
                TimexKind::Date,
                Some(format!("XXXX-{m:02}")),
                Anchor::Unresolved,
            )),
        }
    }

    /// A capitalised time word inside a sentence belongs to a name or a
    /// title: "USA Today", ABC's "This Week", "60 Minutes", "High Noon".
    fn titled(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| {
            t.cap
                && t.k == TK::Word
                && self
                    .text
                    .as_bytes()
                    .get(t.s + 1)
                    .is_some_and(|c| c.is_ascii_lowercase())
                && !self.is_sentence_start(i)
        })
    }

    fn is_sentence_start(&self, i: usize) -> bool {
        i == 0
            || self.toks[i].para
            || self.is_sentence_end(i - 1)
            || matches!(self.low(i - 1), "\"" | "\u{201c}" | "(" | "`")
    }

    /// A clock time right after an explicit date ("26 June 2024 09:08").
    fn with_clock(&self, c: Cand) -> Cand {
        let Some(Point::Day(d)) = c.point else {
            return c;
        };
        let mut k = c.end;
        if self.is(k, ",") || self.is(k, "at") {
            k += 1;
        }
        if let Some((h, mi, mut j)) = self.hhmm(k) {
            if let Some((pm, e)) = self.meridiem(j) {
                if h > 12 {
                    return c;
                }
                let h = if pm && h < 12 {
                    h + 12
                } else if !pm && h == 12 {
                    0
                } else {
                    h
                };
                j = e;
                let mut t = Cand::new(
                    j,
                    TimexKind::Time,
                    Some(format!("{}T{h:02}:{mi:02}", Point::Day(d).value())),
                    c.anchor,
                );
                t.point = c.point;
                return t;
            }
            let mut t = Cand::new(
                j,
                TimexKind::Time,
                Some(format!("{}T{h:02}:{mi:02}", Point::Day(d).value())),
                c.anchor,
            );
            t.point = c.point;
            return t;
        }
        c
    }

    /// "15 March 2023", "13th of May".
    fn day_month(&self, i: usize) -> Option<Cand> {
        let (d, mut j) = self.day_num(i)?;
        if self.is(j, "of") {
            j += 1;
        }
        let (m, k) = self.month_word(j)?;
        let (pt, anchor, end) = match self.year_after(k) {
            Some((y, e)) => {
                let (y, a) = self.with_year(y)?;
                (Point::Day(ymd(y, m, d)?), a, e)
            }
            None => match self.res_month_day(m, Some(d), i, k) {
                Some((p, a)) => (p, a, k),
                None => {
                    ymd(2000, m, d)?;
                    return Some(Cand::new(
                        k,
                        TimexKind::Date,
                        Some(format!("XXXX-{m:02}-{d:02}")),
                        Anchor::Unresolved,
                    ));
                }
            },
        };
        Some(self.with_clock(Cand::point(end, pt, anchor)))
    }

    /// "Friday", "Saturday, April 25", "Tuesday evening", "Mondays",
    /// "Tuesday nights".
    fn weekday(&self, i: usize) -> Option<Cand> {
        let t = self.toks.get(i)?;
        if !t.cap {
            return None;
        }
        let (wd, plural) = match self.w(i).map(|w| w.weekday).filter(|&d| d > 0) {
            Some(d) => (d, false),
            None => {
                let stem = self.low(i).strip_suffix('s')?;
                let d = self
                    .lex
                    .word(stem)
                    .map(|w| w.weekday)
                    .filter(|&d| d > 0 && stem.len() > 4)?;
                (d, true)
            }
        };
        let mut j = i + 1;
        if self.w(i).is_some_and(|w| w.weekday_ambiguous) {
            j = self.dot(j);
            let k = if self.is(j, ",") { j + 1 } else { j };
            if self.month_word(k).is_none() && self.num(k).is_none() {
                return None;
            }
        } else if self.w(i).is_some_and(|w| w.abbrev) {
            j = self.dot(j);
        }
        // A weekday followed by its date: the date says it all.
        let k = if self.is(j, ",") { j + 1 } else { j };
        if let Some(c) = [self.month(k), self.day_month(k)]
            .into_iter()
            .flatten()
            .filter(|c| matches!(c.point, Some(Point::Day(_))))
            .max_by_key(|c| c.end)
        {
            return Some(c);
        }
        let part = self.w(j).and_then(|w| w.part);
        let part_plural = part.is_some() && self.low(j).ends_with('s');
        if plural || part_plural {
            let v = match part {
                Some(p) => format!("XXXX-WXX-{wd}T{p}"),
                None => format!("XXXX-WXX-{wd}"),
            };
            return Some(Cand::new(
                if part.is_some() { j + 1 } else { j },
                TimexKind::Set,
                Some(v),
                Anchor::Absolute,
            ));
        }
        let end = if part.is_some() { j + 1 } else { j };
        match self.res_weekday(wd, None, i, end) {
            Some(d) => Some(self.day_with_part(end, d, part, Anchor::Publication)),
            None => Some(Cand::new(
                end,
                if part.is_some() {
                    TimexKind::Time
                } else {
                    TimexKind::Date
                },
                Some(match part {
                    Some(p) => format!("XXXX-WXX-{wd}T{p}"),
                    None => format!("XXXX-WXX-{wd}"),
                }),
                Anchor::Unresolved,
            )),
        }
    }

    fn day_with_part(&self, end: usize, d: NaiveDate, part: Option<&'static str>, a: Anchor) -> Cand {
        let p = Point::Day(d);
        match part {
            Some(pt) => {
                let mut c = Cand::new(end, TimexKind::Time, Some(format!("{}T{pt}", p.value())), a);
                c.point = Some(p);
                c
            }
            None => Cand::point(end, p, a),
        }
    }

    /// "today", "yesterday afternoon", "tonight".
    fn deictic(&self, i: usize) -> Option<Cand> {
        let w = self.w(i)?;
        if self.titled(i) {
            return None;
        }
        let (off, mut part, mut j) = if let Some(off) = w.deictic_day {
            (off, None, i + 1)
        } else if let Some((off, p)) = w.deictic_part {
            (off, Some(p), i + 1)
        } else {
            return None;
        };
        if part.is_none() {
            if let Some(p) = self.w(j).and_then(|w| w.part) {
                if !self.low(j).ends_with('s') {
                    part = Some(p);
                    j += 1;
                }
            }
        }
        match self.pubd.and_then(|p| add_days(p, off)) {
            Some(d) => Some(self.day_with_part(j, d, part, Anchor::Publication)),
            None => Some(Cand::new(
                j,
                if part.is_some() {
                    TimexKind::Time
                } else {
                    TimexKind::Date
                },
                None,
                Anchor::Unresolved,
            )),
        }
    }

    /// "last week", "this month", "next year", "last Friday", "last May",
    /// "this summer", "last night", "this morning".
    fn shift(&self, i: usize) -> Option<Cand> {
        let s = self.w(i)?.shift?;
        let mut j = i + 1;
        if self.w(j).and_then(|w| w.qualifier.as_deref()) == Some("fiscal") {
            j += 1;
        }
        let w = self.w(j)?;
        let fallback = |end: usize, kind: TimexKind| Some(Cand::new(end, kind, None, Anchor::Unresolved));
        if let Some(u) = w.unit.filter(|_| !w.plural) {
            if u.is_clock() || u == Unit::Day || self.titled(j) {
                return None;
            }
            // "the past year"/"the last week" read as the period, like
            // "last year"; "past"/"last" with a plural go to `span`.
            let Some(base) = self.pub_point(u) else {
                return fallback(j + 1, TimexKind::Date);
            };
            let p = if s == 0 {
                base
            } else {
                base.shift(if u == Unit::Weekend { Unit::Week } else { u }, s as i64)?
            };
            let p = match (u, p) {
                (Unit::Weekend, Point::Week(d)) => Point::Weekend(d),
                _ => p,
            };
            return Some(Cand::point(j + 1, p, Anchor::Publication));
        }
        if w.weekday > 0 && self.toks[j].cap {
            let wd = w.weekday;
            let mut end = j + 1;
            let part = self.w(end).and_then(|w| w.part);
            if part.is_some() {
                end += 1;
            }
            let sh = if s == 0 { None } else { Some(s) };
            return match self.res_weekday(wd, sh, i, end) {
                Some(d) => Some(self.day_with_part(end, d, part, Anchor::Publication)),
                None => fallback(end, TimexKind::Date),
            };
        }
        if w.month > 0 && self.toks[j].cap {
            let m = w.month;
            let end = if w.abbrev { self.dot(j + 1) } else { j + 1 };
            if let (Some((d, e)), Some(p)) = (self.day_num(end), self.pubd) {
                // "last Oct. 23": the latest such day before publication.
                let cands: Vec<NaiveDate> = (-1..=1).filter_map(|k| ymd(p.year() + k, m, d)).collect();
                let pick = match s {
                    -1 => cands.iter().filter(|x| **x < p).max(),
                    1 => cands.iter().filter(|x| **x > p).min(),
                    _ => cands.iter().find(|x| x.year() == p.year()),
                };
                if let Some(x) = pick {
                    return Some(Cand::point(e, Point::Day(*x), Anchor::Publication));
                }
            }
            let Some(p) = self.pubd else {
                return fallback(end, TimexKind::Date);
            };
            let now = p.year() * 12 + p.month() as i32 - 1;
            let y = match s {
                -1 => {
                    let mut y = p.year();
                    if y * 12 + m as i32 > now {
                        y -= 1;
                    }
                    y
                }
                1 => {
                    let mut y = p.year();
                    if y * 12 + m as i32 - 1 <= now {
                        y += 1;
                    }
                    y
                }
                _ => p.year(),
            };
            return Some(Cand::point(end, Point::Month(y, m), Anchor::Publication));
        }
        if let Some(se) = w.season {
            return match self.res_season(se, Some(s), i, j + 1) {
                Some(p) => Some(Cand::point(j + 1, p, Anchor::Publication)),
                None => fallback(j + 1, TimexKind::Date),
            };
        }
        if let Some(part) = w.part.filter(|_| !self.low(j).ends_with('s')) {
            if s == 1 {
                return None;
            }
            let off = if s == -1 { -1 } else { 0 };
            // "last evening" is yesterday's, but "last night" said in the
            // morning is the night just gone: both are the day before.
            return match self.pubd.and_then(|p| add_days(p, off)) {
                Some(d) => Some(self.day_with_part(j + 1, d, Some(part), Anchor::Publication)),
                None => fallback(j + 1, TimexKind::Time),
            };
        }
        None
    }

    /// "the next day", "the following year", "that day", "the same day".
    fn narrative(&self, i: usize) -> Option<Cand> {
        let the = self.is(i, "the");
        let j = if the { i + 1 } else { i };
        let s = self.w(j)?.narr_shift?;
        let word = self.low(j);
        if !the && !matches!(word, "that" | "following" | "preceding") {
            return None;
        }
        if the && word == "that" {
            return None;
        }
        let k = j + 1;
        let w = self.w(k)?;
        let (unit, part) = if let Some(u) = w.unit.filter(|_| !w.plural) {
            (u, None)
        } else if let Some(p) = w.part.filter(|_| !self.low(k).ends_with('s')) {
            (Unit::Day, Some(p))
        } else {
            return None;
        };
        if unit.is_clock() || unit == Unit::Weekend {
            return None;
        }
        let (base, anchor) = match self.narr_point(unit) {
            Some(b) => (b, Anchor::Narrative),
            None => match self.pub_point(unit) {
                // Without any story time, "the following year" still moves
                // from the publication date; "that day" can mean nothing
                // else.
                Some(b) => (b, Anchor::Publication),
                None => return Some(Cand::new(k + 1, TimexKind::Date, None, Anchor::Unresolved)),
            },
        };
        let base = match (unit, base) {
            (Unit::Week, Point::Day(d)) => Point::Week(monday_of(d)),
            _ => base,
        };
        let p = if s == 0 { base } else { base.shift(unit, s as i64)? };
        let p = match (unit, p) {
            (Unit::Week, Point::Day(d)) => Point::Week(monday_of(d)),
            _ => p,
        };
        if let (Some(pt), Point::Day(d)) = (part, p) {
            return Some(self.day_with_part(k + 1, d, Some(pt), anchor));
        }
        Some(Cand::point(k + 1, p, anchor))
    }

    /// Count in front of a unit: a number, "a", "a couple of", "a few",
    /// "several". Returns (count or None for unknown, end, half).
    fn count(&self, i: usize) -> Option<(Option<u32>, usize, bool)> {
        let w = self.w(i);
        if let Some((n, mut j)) = self.number(i) {
            // "2 1/2", "1.5", "five and a half" are handled by the caller
            // through `half`; here only the integer part.
            if self.num(j).is_some_and(|t| t.n == 1) && self.is(j + 1, "/") && self.num(j + 2).is_some_and(|t| t.n == 2)
            {
                return Some((Some(n), j + 3, true));
            }
            if self.is(j, ".") && self.glued(j) && self.num(j + 1).is_some_and(|t| t.n == 5 && t.nd == 1 && !t.gap) {
                return Some((Some(n), j + 2, true));
            }
            if self.toks[i].k == TK::Num && self.toks[i].nd > 5 {
                return None;
            }
            if self.is(j, "-") && self.glued(j) && self.w(j + 1).and_then(|w| w.number).is_none() {
                // keep the hyphen for the compound ("five-year")
            }
            if self.is(j, "and") && self.is(j + 1, "a") && self.w(j + 2).and_then(|w| w.quantity) == Some(0) {
                j += 3;
                return Some((Some(n), j, true));
            }
            return Some((Some(n), j, false));
        }
        let w = w?;
        if w.fuzzy {
            let mut j = i + 1;
            if self.is(j, "of") {
                j += 1;
            }
            return Some((None, j, false));
        }
        if let Some(q) = w.quantity {
            let mut j = i + 1;
            // "a few", "a couple of", "a dozen", "half a".
            if let Some(w2) = self.w(j) {
                if w2.fuzzy {
                    j += 1;
                    return Some((None, j, false));
                }
                if let Some(q2) = w2.quantity.filter(|&q2| q2 > 1) {
                    j += 1;
                    if self.is(j, "of") {
                        j += 1;
                    }
                    return Some((Some(q2), j, false));
                }
            }
            if q == 0 {
                // "half a day" -> twelve hours is beyond the unit grammar:
                // treat as an unknown part of the unit.
                if matches!(self.low(j), "a" | "an") {
                    j += 1;
                }
                return Some((None, j, false));
            }
            if q > 1 && self.is(j, "of") {
                j += 1;
            }
            return Some((Some(q), j, false));
        }
        None
    }

    /// Quantity + unit: durations ("79 days", "two-year", "a minute and a
    /// half"), and with a direction, dates ("two weeks ago", "a day
    /// earlier", "two days after May 13", "a week before the invasion").
    fn quantity(&self, i: usize) -> Option<Cand> {
        let (n, mut j, mut half) = self.count(i)?;
        let qword = self.w(i).and_then(|w| w.quantity).is_some() && self.toks[i].k == TK::Word;
        let compound = self.is(j, "-") && self.glued(j);
        if compound {
            j += 1;
        }
        while self.w(j).is_some_and(|w| w.filler) && !compound {
            j += 1;
        }
        let uw = self.w(j)?;
        let unit = uw.unit?;
        if self.titled(j) {
            return None;
        }
        if qword && unit == Unit::Sec && self.toks.get(j + 1).is_some_and(|t| t.k == TK::Word) {
            return None;
        }
        if qword && uw.plural && n == Some(1) {
            return None;
        }
        // "a quarter of", "three-quarters": fractions, not periods.
        if unit == Unit::Quarter && (qword || compound && uw.plural) {
            return None;
        }
        // "a year-long inquiry": the article belongs to the noun; the
        // adjective is read from the unit on.
        if qword && self.is(j + 1, "-") && self.glued(j + 1) && self.is(j + 2, "long") {
            return None;
        }
        // Ages ("52 years old") describe people, not times.
        if !compound && self.is(j + 1, "old") {
            return None;
        }
        // A bare "a/an UNIT" after a number or money is a rate: "$5 a year".
        let mut end = j + 1;
        if self.is(end, "and") && self.is(end + 1, "a") && self.w(end + 2).and_then(|w| w.quantity) == Some(0) {
            half = true;
            end += 3;
        }
        // "a 6-year-old boy": an age, which news annotation leaves out.
        if compound && self.is(end, "-") && self.is(end + 1, "old") {
            return None;
        }
        let directed = self.phrase(end, |k| matches!(k, PhraseKind::Dir(_))).is_some();
        // "the 1988 quarter" is a year, not 1,988 quarters.
        if self.toks[i].k == TK::Num && self.toks[i].nd == 4 && !uw.plural {
            return None;
        }
        if qword && n == Some(1) && i > 0 && !directed {
            let amount = |p: usize| {
                self.toks[p].k == TK::Num
                    || matches!(self.low(p), "%" | "percent")
                    || self.w(p).is_some_and(|w| w.number.is_some())
            };
            // "$5 million a year", "700 seats a week", "24 hours a day": a
            // rate of an amount, which TimeBank annotation leaves untagged.
            let counted_noun = i > 1
                && self.toks[i - 1].k == TK::Word
                && !self.toks[i - 1].cap
                && self.w(i - 1).is_none_or(|w| w.unit.is_some())
                && amount(i - 2);
            if amount(i - 1) || counted_noun {
                return None;
            }
            if self.w(i - 1).is_some_and(|w| w.frequency) {
                let mut c = Cand::new(
                    end,
                    TimexKind::Set,
                    Some(duration_value(unit, Some(1), false)),
                    Anchor::Absolute,
                );
                c.quantity_start = false;
                return Some(c);
            }
        }
        if unit == Unit::Weekend {
            return None;
        }
        // Direction: "ago", "earlier", "later", "before", "after", "from now".
        let mut dir_at = end;
        if compound && n.is_none() {
            return None;
        }
        if compound {
            dir_at = usize::MAX;
        }
        if let Some((k, PhraseKind::Dir(d))) = (dir_at != usize::MAX)
            .then(|| self.phrase(dir_at, |k| matches!(k, PhraseKind::Dir(_))))
            .flatten()
        {
            if let Some(c) = self.directed(i, n, unit, d, k) {
                return Some(c.qty());
            }
        }
        Some(Cand::duration(end, unit, n, half).qty())
    }

    fn directed(&self, i: usize, n: Option<u32>, unit: Unit, d: Dir, k: usize) -> Option<Cand> {
        let sign: i64 = match d {
            Dir::Ago | Dir::Before => -1,
            Dir::FromNow | Dir::After => 1,
        };
        if unit.is_clock() {
            return None;
        }
        let Some(n) = n else {
            // "years ago", "weeks later": only the general direction is known.
            return match d {
                Dir::Ago => Some(Cand::new(
                    k,
                    TimexKind::Date,
                    Some("PAST_REF".into()),
                    self.pub_anchor(),
                )),
                Dir::FromNow => Some(Cand::new(
                    k,
                    TimexKind::Date,
                    Some("FUTURE_REF".into()),
                    self.pub_anchor(),
                )),
                _ => None,
            };
        };
        let n = n as i64;
        let (u, n) = match unit {
            Unit::Fortnight => (Unit::Week, n * 2),
            _ => (unit, n),
        };
        match d {
            Dir::Ago | Dir::FromNow => {
                // Earnings copy compares with the same period a year ago:
                // "rose from a year ago" after "the third quarter".
                if u == Unit::Year && n == 1 {
                    if let Some(p) = self.recent_period(i) {
                        let mut c = Cand::point(k, p.shift(u, sign)?, Anchor::Narrative);
                        c.narr = false;
                        return Some(c);
                    }
                }
                let Some(base) = self.pubd else {
                    return Some(Cand::new(k, TimexKind::Date, None, Anchor::Unresolved));
                };
                let p = Point::Day(base).shift(u, sign * n)?;
                // "six weeks ago" names a week, not the day six weeks back.
                let p = match (u, p) {
                    (Unit::Week, Point::Day(d)) => Point::Week(monday_of(d)),
                    _ => p,
                };
                Some(Cand::point(k, p, Anchor::Publication))
            }
            Dir::Before | Dir::After => {
                // Anchored to a date that follows: "two days after May 13".
                if matches!(self.low(k - 1), "before" | "after") {
                    if let Some(c) = self
                        .core(k)
                        .filter(|c| c.kind == TimexKind::Date && c.point.is_some() && c.anchor != Anchor::Unresolved)
                    {
                        let p = c.point?.shift(u, sign * n)?;
                        return Some(Cand::point(c.end, p, c.anchor));
                    }
                    // "a week before the invasion": the story dated the
                    // event earlier ("invaded ... in late February").
                    if self.is(k, "the") {
                        if let Some(p) = self.event_point(k + 1) {
                            let p = p.shift(u, sign * n)?;
                            let mut c = Cand::point(k + 2, p, Anchor::Narrative);
                            if p.gran() > Gran::Day && u <= Unit::Week {
                                c.modifier = Some("APPROX");
                            }
                            return Some(c);
                        }
                    }
                }
                if u == Unit::Year && n == 1 {
                    if let Some(p) = self.recent_period(i) {
                        let mut c = Cand::point(k, p.shift(u, sign)?, Anchor::Narrative);
                        c.narr = false;
                        return Some(c);
                    }
                }
                // "twenty years after the first astronauts": an event the
                // story never dated; only the length is known.
                if u >= Unit::Year && matches!(self.low(k - 1), "before" | "after") {
                    return None;
                }
                let (base, anchor) = match self.narr_point(u) {
                    Some(b) => (b, Anchor::Narrative),
                    None => match self.pubd {
                        Some(p) => (Point::Day(p), Anchor::Publication),
                        None => return Some(Cand::new(k, TimexKind::Date, None, Anchor::Unresolved)),
                    },
                };
                let mut p = base.shift(u, sign * n)?;
                // "The call took place two days after <clause>": if moving
                // forward would leave the publication date behind while the
                // clause is in the past, the phrase names the story's own
                // time and the clause is what lies two days before it.
                if sign > 0 && matches!(self.low(k - 1), "after") {
                    if let (Some(pd), Some(fd)) = (self.pubd, p.first_day()) {
                        if fd > pd && self.tense(i, k) != Tense::Future {
                            p = base;
                        }
                    }
                }
                Some(Cand::point(k, p, anchor))
            }
        }
    }

    fn pub_anchor(&self) -> Anchor {
        if self.pubd.is_some() {
            Anchor::Publication
        } else {
            Anchor::Unresolved
        }
    }

    /// The reporting period the story last named, if it is a quarter or half
    /// named recently (within a few sentences).
    fn recent_period(&self, i: usize) -> Option<Point> {
        let here = self.toks[i].s;
        let &(pos, p) = self
            .st
            .memory
            .iter()
            .rev()
            .find(|(_, p)| matches!(p, Point::Quarter(..) | Point::Half(..)))?;
        (here.saturating_sub(pos) < RECENT_PERIOD).then_some(p)
    }

    /// Finds the date of an event named by a noun ("the invasion") in an
    /// earlier sentence that mentions the same word family ("invaded")
    /// next to a date.
    fn event_point(&self, i: usize) -> Option<Point> {
        let t = self
            .toks
            .get(i)
            .filter(|t| t.k == TK::Word && t.le - t.ls >= 5 && !t.cap)?;
        if self.w(i).is_some() {
            return None;
        }
        let noun = self.low(i).as_bytes();
        let here = t.s;
        let bytes = self.text.as_bytes();
        for &(pos, _) in self.st.memory.iter().rev() {
            if pos >= here {
                continue;
            }
            // The sentence around the remembered date.
            let mut a = pos;
            while a > 0 && !matches!(bytes[a - 1], b'.' | b'!' | b'?' | b'\n') {
                a -= 1;
            }
            let mut b = pos;
            while b < bytes.len() && !matches!(bytes[b], b'.' | b'!' | b'?' | b'\n') {
                b += 1;
            }
            if b >= here {
                continue;
            }
            let sent = &self.text[a..b];
            let mut hit: Option<usize> = None;
            let mut k = 0;
            for wd in sent.split(|c: char| !c.is_ascii_alphabetic()) {
                let wl = wd.to_ascii_lowercase();
                let common = wl.bytes().zip(noun.iter()).take_while(|(x, y)| x == *y).count();
                if wl.len() >= 5 && common >= 4 && common + 4 >= noun.len().min(wl.len()) {
                    hit = Some(a + k);
                    break;
                }
                k += wd.len() + 1;
            }
            if let Some(h) = hit {
                return self
                    .st
                    .memory
                    .iter()
                    .filter(|(p, _)| *p >= a && *p < b)
                    .min_by_key(|(p, _)| p.abs_diff(h))
                    .map(|(_, pt)| *pt);
            }
        }
        None
    }

    /// "for weeks", "within months", "years ago".
    fn bare(&self, i: usize) -> Option<Cand> {
        let w = self.w(i)?;
        let u = w
            .unit
            .filter(|u| w.plural && *u != Unit::Weekend && *u != Unit::Quarter)?;
        if self.toks[i].cap {
            return None;
        }
        if let Some((k, PhraseKind::Dir(Dir::Ago))) = self.phrase(i + 1, |k| matches!(k, PhraseKind::Dir(_))) {
            return Some(Cand::new(
                k,
                TimexKind::Date,
                Some("PAST_REF".into()),
                self.pub_anchor(),
            ));
        }
        if i == 0 || !self.w(i - 1).is_some_and(|w| w.bare_ctx) {
            return None;
        }
        Some(Cand::duration(i + 1, u, None, false))
    }

    /// "the week of March 6".
    fn week_of(&self, i: usize) -> Option<Cand> {
        if !self.is(i, "the")
            || self.w(i + 1).and_then(|w| w.unit) != Some(Unit::Week)
            || self.w(i + 1).is_some_and(|w| w.plural)
            || !self.is(i + 2, "of")
        {
            return None;
        }
        let c = self.core(i + 3)?;
        let Some(Point::Day(d)) = c.point else {
            return None;
        };
        Some(Cand::point(c.end, Point::Week(monday_of(d)), c.anchor))
    }

    /// "the weekend": the one just past unless the clause looks ahead.
    fn weekend(&self, i: usize) -> Option<Cand> {
        if !self.is(i, "the")
            || self.w(i + 1).and_then(|w| w.unit) != Some(Unit::Weekend)
            || self.low(i + 1) != "weekend"
        {
            return None;
        }
        let Some(p) = self.pubd else {
            return Some(Cand::new(i + 2, TimexKind::Date, None, Anchor::Unresolved));
        };
        let this = monday_of(p);
        let wd = p.weekday().number_from_monday();
        let monday = if wd >= 6 || self.tense(i, i + 2) == Tense::Future {
            this
        } else {
            add_days(this, -7)?
        };
        Some(Cand::point(i + 2, Point::Weekend(monday), Anchor::Publication))
    }

    /// "the past two weeks", "the next three days", "the first nine
    /// months", "the last few years", "past 20 years".
    fn span(&self, i: usize) -> Option<Cand> {
        let the = self.is(i, "the");
        let mut j = if the { i + 1 } else { i };
        let mut any = false;
        while self.w(j).and_then(|w| w.span).is_some() {
            j += 1;
            any = true;
        }
        if !the && !any {
            return None;
        }
        let (n, k, half) = match self.count(j) {
            Some(c) => c,
            None => {
                // "the past weeks", "the coming months"; and "in the weeks
                // before", "over the years": a stretch of days or longer
                // whose length the text leaves open.
                let w = self.w(j)?;
                let stretch = w
                    .unit
                    .is_some_and(|u| u >= Unit::Day && u != Unit::Weekend && u != Unit::Quarter);
                if !w.plural || !any && !stretch {
                    return None;
                }
                // "coming months": a reference word, see `reference`.
                if !the && self.w(i).is_some_and(|w| w.ref_unit.is_some()) {
                    return None;
                }
                (None, j, false)
            }
        };
        let mut k = k;
        while self.w(k).is_some_and(|w| w.filler) {
            k += 1;
        }
        let w = self.w(k)?;
        let unit = w.unit?;
        // Number agreement: "the past two weeks", "the past week" (the
        // latter is a period, handled by `shift`).
        let plural_needed = n != Some(1);
        if w.plural != plural_needed {
            return None;
        }
        if unit == Unit::Weekend {
            return None;
        }
        if !any && self.toks[j].k == TK::Word && self.w(j).is_some_and(|w| w.quantity.is_some()) {
            return None;
        }
        Some(Cand::duration(k + 1, unit, n, half))
    }

    /// "1998", "fiscal 1989", "the year 2000", "the 1990s", "the nineties",
    /// "20th century".
    fn year_expr(&self, i: usize) -> Option<Cand> {
        let mut j = i;
        let mut ctx = false;
        if self.is(j, "the") {
            j += 1;
        }
        if self.w(j).and_then(|w| w.qualifier.as_deref()) == Some("fiscal") {
            j += 1;
            ctx = true;
            if self.w(j).and_then(|w| w.unit) == Some(Unit::Year) && self.year(j + 1).is_some() {
                j += 1;
            }
        } else if self.w(j).and_then(|w| w.unit) == Some(Unit::Year)
            && !self.w(j).is_some_and(|w| w.plural)
            && self.year(j + 1).is_some()
        {
            j += 1;
            ctx = true;
        }
        // Decades in words: "the nineties".
        if let Some(dw) = self.w(j).and_then(|w| w.decade_word) {
            if !(self.is(i, "the") || i > 0 && self.is(i - 1, "the")) {
                return None;
            }
            let cent = self.pubd.map(|p| {
                let c = p.year().div_euclid(100);
                if dw * 10 > p.year().rem_euclid(100) {
                    c - 1
                } else {
                    c
                }
            });
            let c = cent.unwrap_or(19);
            let mut cand = Cand::point(
                j + 1,
                Point::Decade(c * 10 + dw),
                if self.pubd.is_some() {
                    Anchor::Publication
                } else {
                    Anchor::Unresolved
                },
            );
            if self.pubd.is_none() {
                cand.value = Some(format!("XX{dw}"));
                cand.point = None;
            }
            return Some(cand);
        }
        // Centuries: "the 20th century".
        if let Some((o, k)) = self.ordinal(j) {
            let k2 = self.hyphen(k);
            if self.w(k2).and_then(|w| w.unit) == Some(Unit::Century)
                && !self.w(k2).is_some_and(|w| w.plural)
                && (1..=30).contains(&o)
            {
                return Some(Cand::point(k2 + 1, Point::Century(o - 1), Anchor::Absolute));
            }
        }
        let (y, k) = match self.year(j) {
            Some(x) => x,
            // "the year two thousand".
            None if ctx && self.toks.get(j).is_some_and(|t| t.k == TK::Word) => {
                let (n, k) = self.number(j)?;
                if !(1000..=2199).contains(&n) {
                    return None;
                }
                return Some(Cand::point(k, Point::Year(n as i32), Anchor::Absolute));
            }
            None => return None,
        };
        let t = &self.toks[j];
        if t.k == TK::Num {
            // "1990s", "1990's": a decade.
            let mut e = k;
            if self.is(e, "'") && self.glued(e) {
                e += 1;
            }
            if self.is(e, "s") && self.glued(e) && y % 10 == 0 {
                return Some(Cand::point(e + 1, Point::Decade(y / 10), Anchor::Absolute));
            }
            if j > 0 {
                let pl = self.low(j - 1);
                if matches!(pl, "$" | "#" | "\u{a3}" | "\u{20ac}" | "no") {
                    return None;
                }
                // "1-1990" or "3.1990" are codes; "mid-1990s", "pre-1959" are not.
                let glued_sym = !t.gap && matches!(pl, "-" | "+" | "/" | "." | ":" | ",");
                if glued_sym && !ctx && !(pl == "-" && j > 1 && self.toks[j - 2].k == TK::Word) {
                    return None;
                }
            }
            if matches!(self.low(k), "%" | "percent" | "-" | "/" | ":" | "th" | "st")
                && !ctx
                && (self.glued(k) || self.low(k) == "percent")
                && !(self.low(k) == "-" && self.num(k + 1).is_some_and(|n| n.nd == 2 || n.nd == 4))
            {
                return None;
            }
            if self.is(k, ",") && self.num(k + 1).is_some_and(|n| n.nd == 3 && !n.gap) {
                return None;
            }
            if !((1900..=2100).contains(&y) || ctx || j > 0 && self.w(j - 1).is_some_and(|w| w.year_ctx)) {
                return None;
            }
            // Counts before a plural noun ("1,500 troops" is caught above;
            // "2000 people" here). After an article or a prefix the number
            // names a year: "the 1992 protests", "post-1959 politics".
            let year_like = j > 0 && (self.w(j - 1).is_some_and(|w| w.determiner) || self.is(j - 1, "-") && !t.gap);
            if !ctx && !year_like {
                if let Some(nt) = self.toks.get(k) {
                    let nl = self.low(k);
                    if nt.k == TK::Word && !nt.cap && nl.ends_with('s') && nl.len() > 3 && self.w(k).is_none() {
                        return None;
                    }
                }
            }
        } else if !ctx && y % 100 < 10 && !(j > 0 && self.w(j - 1).is_some_and(|w| w.year_ctx)) {
            return None;
        }
        let mut c = Cand::point(k, Point::Year(y), Anchor::Absolute);
        if ctx && self.is(i, "the") && j == i + 1 {
            // "the fiscal 1989" keeps its article out of the span.
        }
        if self.is(i, "the") && !ctx {
            return None;
        }
        c.quantity_start = false;
        Some(c)
    }

    /// Quarters and halves: "the third quarter", "third-quarter", "the
    /// 1988 second quarter", "this year's third quarter", "Q3", "the
    /// quarter", "the latest quarter", "the year-ago quarter", "the first
    /// half of 1998".
    fn quarter(&self, i: usize) -> Option<Cand> {
        if self.is(i, "q") {
            let t = self
                .num(i + 1)
                .filter(|t| !t.gap && (1..=4).contains(&t.n) && t.nd == 1)?;
            let mut end = i + 2;
            let y = if let Some((y, e)) = self.year(end) {
                end = e;
                Some((y, Anchor::Absolute))
            } else {
                self.pubd.map(|p| (p.year(), Anchor::Publication))
            };
            return Some(match y {
                Some((y, a)) => Cand::point(end, Point::Quarter(y, t.n), a),
                None => Cand::new(end, TimexKind::Date, Some(format!("XXXX-Q{}", t.n)), Anchor::Unresolved),
            });
        }
        let the = self.is(i, "the");
        let mut j = if the { i + 1 } else { i };
        let mut year: Option<(i32, Anchor)> = None;
        // Year in front: "1988 second quarter", "this year's", "fiscal 1990".
        if self.w(j).and_then(|w| w.qualifier.as_deref()) == Some("fiscal") && self.year(j + 1).is_some() {
            j += 1;
        }
        if let Some((y, e)) = self.year(j).filter(|_| self.toks[j].k == TK::Num) {
            year = Some((y, Anchor::Absolute));
            j = e;
        } else if let Some(s) = self.w(j).and_then(|w| w.shift) {
            if self.w(j + 1).and_then(|w| w.unit) == Some(Unit::Year) && self.is(j + 2, "'") && self.is(j + 3, "s") {
                year = self.pubd.map(|p| (p.year() + s, Anchor::Publication));
                year?;
                j += 4;
            }
        }
        // "the year-ago quarter", "the year-earlier period".
        if (the || year.is_none())
            && self.w(j).and_then(|w| w.unit) == Some(Unit::Year)
            && self.is(j + 1, "-")
            && self.glued(j + 1)
        {
            if let Some((k, PhraseKind::Dir(Dir::Ago | Dir::Before))) =
                self.phrase(j + 2, |k| matches!(k, PhraseKind::Dir(_)))
            {
                let period = self
                    .w(k)
                    .is_some_and(|w| w.unit == Some(Unit::Quarter) && !w.plural || w.period_noun);
                let base = self.recent_period(i).or_else(|| self.last_quarter());
                if let Some(base) = base {
                    let end = if period { k + 1 } else { k };
                    if period || !the {
                        let mut c = Cand::point(end, base.shift(Unit::Year, -1)?, Anchor::Narrative);
                        c.narr = false;
                        return Some(c);
                    }
                } else if !the {
                    let p = self.pubd?;
                    return Some(Cand::point(k, Point::Year(p.year() - 1), Anchor::Publication));
                }
                return None;
            }
        }
        let mut qual: Option<&str> = None;
        while let Some(q) = self.w(j).and_then(|w| w.qualifier.as_deref()) {
            qual = Some(q);
            j += 1;
        }
        if self.is(j, "recent") {
            j += 1;
        }
        // Ordinal + quarter/half.
        if let Some((o, k)) = self.ordinal(j) {
            let k = self.hyphen(k);
            let w = self.w(k)?;
            let is_q = w.unit == Some(Unit::Quarter) && !w.plural;
            let is_h = w.quantity == Some(0) && self.low(k) == "half";
            if !(is_q || is_h) {
                return None;
            }
            let max = if is_q { 4 } else { 2 };
            let o = if o == -1 { max } else { o };
            if !(1..=max).contains(&o) {
                return None;
            }
            let mut end = k + 1;
            if year.is_none() {
                if self.is(end, "of") || self.is(end, ",") {
                    if let Some((y, e)) = self.year(end + 1) {
                        year = Some((y, Anchor::Absolute));
                        end = e;
                    } else if let Some(s) = self.w(end + 1).and_then(|w| w.shift) {
                        if self.w(end + 2).and_then(|w| w.unit) == Some(Unit::Year) {
                            year = self.pubd.map(|p| (p.year() + s, Anchor::Publication));
                            end += 3;
                        }
                    }
                } else if let Some((y, e)) = self.year(end).filter(|_| self.toks[end].k == TK::Num) {
                    year = Some((y, Anchor::Absolute));
                    end = e;
                }
            }
            let o = o as u32;
            let mk = |y: i32| {
                if is_q {
                    Point::Quarter(y, o)
                } else {
                    Point::Half(y, o)
                }
            };
            let (y, a) = match year {
                Some(y) => y,
                None => {
                    let Some(p) = self.pubd else {
                        let v = if is_q {
                            format!("XXXX-Q{o}")
                        } else {
                            format!("XXXX-H{o}")
                        };
                        return Some(Cand::new(end, TimexKind::Date, Some(v), Anchor::Unresolved));
                    };
                    let mut y = p.year();
                    let start = mk(y).first_day()?;
                    if start > p {
                        let ahead = if is_q {
                            o as i32 - ((p.month() as i32 - 1) / 3 + 1)
                        } else {
                            1
                        };
                        match self.tense(i, end) {
                            Tense::Past => y -= 1,
                            Tense::None | Tense::Open if ahead >= 2 => y -= 1,
                            _ => {}
                        }
                    }
                    (y, Anchor::Publication)
                }
            };
            return Some(Cand::point(end, mk(y), a));
        }
        // "the quarter", "the latest quarter", "the current quarter".
        if !the {
            return None;
        }
        let w = self.w(j)?;
        // "the year two thousand", "the year 2000".
        if year.is_none() && self.low(j) == "year" {
            if let Some((n, e)) = self.number(j + 1) {
                if (1000..=2100).contains(&n) {
                    return Some(Cand::point(e, Point::Year(n as i32), Anchor::Absolute));
                }
            }
        }
        // "for the year", "throughout the fiscal year": the current year;
        // "the year ended March 31": a twelve-month period.
        if year.is_none()
            && w.unit == Some(Unit::Year)
            && self.low(j) == "year"
            && i > 0
            && self.w(i - 1).is_some_and(|w| w.period_prep)
            && !(self.is(j + 1, "-") && self.glued(j + 1))
            && self
                .w(j + 1)
                .is_none_or(|x| x.unit.is_none() && x.number.is_none() && x.narr_shift.is_none())
            && self.phrase(j + 1, |k| matches!(k, PhraseKind::Dir(_))).is_none()
        {
            if self.w(j + 1).is_some_and(|w| w.period_end) {
                return Some(Cand::new(
                    j + 1,
                    TimexKind::Duration,
                    Some("P1Y".into()),
                    Anchor::Absolute,
                ));
            }
            let Some(p) = self.pubd else {
                return Some(Cand::new(j + 1, TimexKind::Date, None, Anchor::Unresolved));
            };
            return Some(Cand::point(j + 1, Point::Year(p.year()), Anchor::Publication));
        }
        let is_q = w.unit == Some(Unit::Quarter) && !w.plural;
        let is_period = w.period_noun && qual == Some("latest");
        // "the 1988 quarter", "the 1989 period": the reporting quarter
        // under discussion, in that year.
        if let Some((y, _)) = year.filter(|_| the && (is_q || w.period_noun)) {
            let Some(Point::Quarter(_, q)) = self.recent_period(i) else {
                return None;
            };
            // A comparison: like "the year-ago quarter", it does not move
            // the story's time.
            let mut c = Cand::point(j + 1, Point::Quarter(y, q), Anchor::Narrative);
            c.narr = false;
            return Some(c);
        }
        if !(is_q || is_period) {
            return None;
        }
        // "the 1988 quarter" without an ordinal is left to the year rule.
        if year.is_some() {
            return None;
        }
        let narr_q = self.st.last.map(|l| l.1).filter(|p| matches!(p, Point::Quarter(..)));
        let p = match qual {
            Some("current") => self.pub_point(Unit::Quarter),
            // "the latest quarter" is the one just reported on.
            Some("latest") if is_q => self.last_quarter(),
            _ => narr_q.or_else(|| self.last_quarter()),
        };
        p.map(|p| {
            Cand::point(
                j + 1,
                p,
                if self.st.last.is_some_and(|l| l.1 == p) {
                    Anchor::Narrative
                } else {
                    Anchor::Publication
                },
            )
        })
    }

    /// "by year-end", "since year end": December 31 of the publication
    /// year, or of the year before when the clause looks back.
    fn year_end(&self, i: usize) -> Option<Cand> {
        if self.low(i) != "year" || i > 0 && self.toks[i - 1].k == TK::Num {
            return None;
        }
        let k = if self.is(i + 1, "-") && self.glued(i + 1) && self.glued(i + 2) {
            i + 2
        } else {
            i + 1
        };
        if self.low(k) != "end" || self.is(k + 1, "of") {
            return None;
        }
        let Some(p) = self.pubd else {
            return Some(Cand::new(
                k + 1,
                TimexKind::Date,
                Some("XXXX-12-31".into()),
                Anchor::Unresolved,
            ));
        };
        let back = i > 0 && self.is(i - 1, "since") || self.tense(i, k + 1) == Tense::Past;
        let y = if back && p.month() < 12 { p.year() - 1 } else { p.year() };
        Some(Cand::point(k + 1, Point::Day(ymd(y, 12, 31)?), Anchor::Publication))
    }

    /// The last quarter completed before publication.
    fn last_quarter(&self) -> Option<Point> {
        self.pub_point(Unit::Quarter)?.shift(Unit::Quarter, -1)
    }

    /// "now", "the past", "the future", "recently", "recent years".
    fn reference(&self, i: usize) -> Option<Cand> {
        if let Some(r) = self.w(i).and_then(|w| w.ref_unit) {
            if let Some(u) = self
                .w(i + 1)
                .filter(|w| w.plural)
                .and_then(|w| w.unit)
                .filter(|u| !u.is_clock())
            {
                if r == "DURATION" {
                    return Some(Cand::duration(i + 2, u, None, false));
                }
                return Some(Cand::new(i + 2, TimexKind::Date, Some(r.into()), self.pub_anchor()));
            }
        }
        let (j, k) = self.phrase(i, |k| matches!(k, PhraseKind::Ref(_)))?;
        let PhraseKind::Ref(r) = k else { return None };
        // "the past two weeks" and "the past year" are spans, not "the past".
        if self.count(j).is_some() || self.w(j).is_some_and(|w| w.unit.is_some() || w.span.is_some()) {
            return None;
        }
        // "as soon as", "soon after": a conjunction, not a time.
        if j == i + 1 && (i > 0 && self.is(i - 1, "as") || matches!(self.low(j), "after" | "as" | "before")) {
            return None;
        }
        // "now" in "now-defunct" or "from now" is handled elsewhere; skip
        // capitalised "Current" in names ("Current Affairs").
        if self.toks[i].cap && !self.is_sentence_start(i) && self.low(i) != "now" {
            return None;
        }
        Some(Cand::new(j, TimexKind::Date, Some(r.into()), self.pub_anchor()))
    }

    /// "spring", "the summer of 1998", "winter 1994".
    fn season(&self, i: usize) -> Option<Cand> {
        let se = self.w(i)?.season?;
        let j = i + 1;
        if let Some((y, e)) = self.year_after(j).and_then(|(y, e)| self.with_year(y).map(|y| (y, e))) {
            return Some(Cand::point(e, Point::Season(y.0, se), y.1));
        }
        let prev_ok = i > 0
            && (self.w(i - 1).is_some_and(|w| w.month_ctx)
                || self.is(i - 1, "the") && i > 1 && self.w(i - 2).is_some_and(|w| w.month_ctx));
        if !prev_ok || self.is(i - 1, "to") || self.is(i - 1, "and") {
            return None;
        }
        match self.res_season(se, None, i, j) {
            Some(p) => Some(Cand::point(j, p, Anchor::Publication)),
            None => Some(Cand::new(
                j,
                TimexKind::Date,
                Some(format!("XXXX-{se}")),
                Anchor::Unresolved,
            )),
        }
    }

    /// "Christmas", "Thanksgiving Day", "New Year's Eve 1999".
    fn holiday(&self, i: usize) -> Option<Cand> {
        if !self.toks[i].cap {
            return None;
        }
        let (j, k) = self.phrase(i, |k| matches!(k, PhraseKind::Holiday(_)))?;
        let PhraseKind::Holiday(h) = k else {
            return None;
        };
        let on = |y: i32| -> Option<NaiveDate> {
            match h {
                Holiday::Fixed(m, d) => ymd(y, m, d),
                Holiday::Nth { month, n, wd, after } => {
                    let wd = Weekday::try_from((wd - 1) as u8).ok()?;
                    let d = if n > 0 {
                        NaiveDate::from_weekday_of_month_opt(y, month, wd, n as u8)?
                    } else {
                        let first_next = add_months(ymd(y, month, 1)?, 1)?;
                        let mut d = add_days(first_next, -1)?;
                        while d.weekday() != wd {
                            d = add_days(d, -1)?;
                        }
                        d
                    };
                    add_days(d, after)
                }
            }
        };
        if let Some((y, e)) = self.year(j).filter(|_| self.toks[j].k == TK::Num) {
            return Some(Cand::point(e, Point::Day(on(y)?), Anchor::Absolute));
        }
        let Some(p) = self.pubd else {
            return Some(Cand::new(j, TimexKind::Date, None, Anchor::Unresolved));
        };
        let cands: Vec<NaiveDate> = (-1..=1).filter_map(|k| on(p.year() + k)).collect();
        let pick = match self.tense(i, j) {
            Tense::Future => cands.iter().filter(|d| **d >= p).min().copied(),
            Tense::Past => cands.iter().filter(|d| **d <= p).max().copied(),
            Tense::None | Tense::Open => cands
                .iter()
                .min_by_key(|d| (d.signed_duration_since(p).num_days().abs(), **d > p))
                .copied(),
        }?;
        Some(Cand::point(j, Point::Day(pick), Anchor::Publication))
    }

    /// "every week", "each Thursday", "every two years", "daily",
    /// "twice a week".
    fn set(&self, i: usize) -> Option<Cand> {
        let w = self.w(i)?;
        if let Some(v) = &w.set_adverb {
            // "quarterly dividend", "daily tally": an adjective, not a set.
            if self.toks.get(i + 1).is_some_and(|t| t.k == TK::Word && !t.cap) {
                return None;
            }
            return Some(Cand::new(i + 1, TimexKind::Set, Some(v.clone()), Anchor::Absolute));
        }
        if w.frequency {
            let k = i + 1;
            if matches!(self.low(k), "a" | "an") || self.w(k).is_some_and(|w| w.set_cue) {
                let u = self.w(k + 1).and_then(|w| w.unit)?;
                return Some(Cand::new(
                    k + 2,
                    TimexKind::Set,
                    Some(duration_value(u, Some(1), false)),
                    Anchor::Absolute,
                ));
            }
            return None;
        }
        if !w.set_cue {
            return None;
        }
        let mut j = i + 1;
        let mut n = Some(1);
        if self.is(j, "other") {
            n = Some(2);
            j += 1;
        } else if let Some((c, k, _)) = self
            .count(j)
            .filter(|_| self.toks[j].k == TK::Num || self.w(j).is_some_and(|w| w.number.is_some()))
        {
            n = c;
            j = k;
        }
        let w2 = self.w(j)?;
        if let Some(u) = w2.unit {
            if u == Unit::Weekend {
                return Some(Cand::new(
                    j + 1,
                    TimexKind::Set,
                    Some("XXXX-WXX-WE".into()),
                    Anchor::Absolute,
                ));
            }
            return Some(Cand::new(
                j + 1,
                TimexKind::Set,
                Some(duration_value(u, n, false)),
                Anchor::Absolute,
            ));
        }
        if w2.weekday > 0 && self.toks[j].cap {
            let mut end = j + 1;
            let v = match self.w(end).and_then(|w| w.part) {
                Some(p) => {
                    end += 1;
                    format!("XXXX-WXX-{}T{p}", w2.weekday)
                }
                None => format!("XXXX-WXX-{}", w2.weekday),
            };
            return Some(Cand::new(end, TimexKind::Set, Some(v), Anchor::Absolute));
        }
        if w2.month > 0 && self.toks[j].cap {
            return Some(Cand::new(
                self.dot(j + 1),
                TimexKind::Set,
                Some(format!("XXXX-{:02}", w2.month)),
                Anchor::Absolute,
            ));
        }
        if let Some(p) = w2.part {
            return Some(Cand::new(
                j + 1,
                TimexKind::Set,
                Some(format!("XXXX-XX-XXT{p}")),
                Anchor::Absolute,
            ));
        }
        if let Some(s) = w2.season {
            return Some(Cand::new(
                j + 1,
                TimexKind::Set,
                Some(format!("XXXX-{s}")),
                Anchor::Absolute,
            ));
        }
        None
    }
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

/// Digits only matter where they can be a year, a clock time, a numeric
/// date or a quarter code; plain counts are reached through the unit word
/// that follows them.
fn digits_trigger(b: &[u8], s: usize, z: usize) -> bool {
    let before = if s > 0 { b[s - 1] } else { b' ' };
    let at = |k: usize| b.get(k).copied().unwrap_or(b' ');
    if z - s == 4
        && !before.is_ascii_alphanumeric()
        && matches!(b[s], b'1' | b'2')
        && (b[s] == b'1' || b[s + 1] == b'0')
    {
        let after = at(z);
        if !after.is_ascii_alphanumeric() || after == b's' && !at(z + 1).is_ascii_alphanumeric() {
            return true;
        }
    }
    if matches!(at(z), b':' | b'/') && at(z + 1).is_ascii_digit() {
        return true;
    }
    let k = if at(z) == b' ' { z + 1 } else { z };
    if matches!(at(k), b'a' | b'A' | b'p' | b'P') && {
        let m = if at(k + 1) == b'.' { k + 2 } else { k + 1 };
        matches!(at(m), b'm' | b'M') && !at(m + 1).is_ascii_alphabetic()
    } {
        return true;
    }
    if z - s <= 2 && s >= 4 {
        // "Feb. 24", "Sept 30": a capitalised short word just before.
        let mut k = s - 1;
        if b[k] == b' ' {
            k -= 1;
            if b[k] == b'.' && k > 0 {
                k -= 1;
            }
            let mut n = 0;
            while k > 0 && b[k].is_ascii_lowercase() && n < 4 {
                k -= 1;
                n += 1;
            }
            if (2..=4).contains(&n) && b[k].is_ascii_uppercase() && (k == 0 || !b[k - 1].is_ascii_alphabetic()) {
                return true;
            }
        }
    }
    z - s == 1 && matches!(before, b'q' | b'Q')
}

/// Byte ranges inside quotation marks. Straight quotes toggle and every
/// paragraph starts outside a quote, so one stray mark cannot flip a story.
fn quote_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut i = 0;
    while let Some(off) = memchr::memchr3(b'"', 0xE2, b'\n', &b[i..]) {
        let p = i + off;
        match b[p] {
            b'"' => match open.take() {
                Some(s) => out.push((s, p)),
                None => open = Some(p),
            },
            b'\n' => {
                if p + 1 < b.len() && b[p + 1] == b'\n' {
                    if let Some(s) = open.take() {
                        out.push((s, p));
                    }
                }
            }
            _ => {
                if b.len() >= p + 3 && b[p + 1] == 0x80 {
                    match b[p + 2] {
                        0x9C => {
                            open = Some(p);
                        }
                        0x9D => {
                            if let Some(s) = open.take() {
                                out.push((s, p));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        i = p + 1;
    }
    // Penn-Treebank style quotes: ``like this''.
    if text.contains("``") {
        let mut from = 0;
        while let Some(s) = text[from..].find("``") {
            let s = from + s;
            let end = text[s..].find("''").map(|e| s + e).unwrap_or(text.len());
            let para = text[s..].find("\n\n").map(|e| s + e).unwrap_or(text.len());
            out.push((s, end.min(para)));
            from = end.min(para).max(s + 2);
        }
    }
    out.sort_unstable();
    out
}

fn in_spans(spans: &[(usize, usize)], pos: usize) -> bool {
    let k = spans.partition_point(|s| s.0 <= pos);
    spans[..k].iter().rev().take(4).any(|s| pos < s.1)
}

fn precision(
    kind: TimexKind,
    value: &Option<String>,
    point: Option<Point>,
    modifier: Option<&str>,
    fuzzy: bool,
) -> Option<&'static str> {
    if kind != TimexKind::Date {
        return None;
    }
    value.as_ref()?;
    if modifier.is_some() || fuzzy {
        return Some("approx");
    }
    match point.map(|p| p.gran()) {
        Some(Gran::Day) => Some("day"),
        Some(Gran::Month) => Some("month"),
        Some(Gran::Year) => Some("year"),
        _ => Some("approx"),
    }
}

/// Pure function: no I/O, no globals with interior mutability, callable from many threads at once.
pub fn tag(text: &str, publication: Option<NaiveDate>, lex: &TemporalLexicon) -> Vec<Timex> {
    let b = text.as_bytes();
    // Candidate regions: a window around every trigger, merged.
    // Sized up front: growing these vectors costs more than the scan.
    let mut hits: Vec<(usize, usize)> = Vec::with_capacity(b.len() / 64 + 4);
    lex.triggers.scan(b, &mut hits);
    if hits.is_empty() {
        return Vec::new();
    }
    const WIN: usize = 64;
    const MAX_LEAD: usize = 6;
    let mut regions: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in &hits {
        let mut a = s.saturating_sub(WIN);
        while a > 0 && !b[a - 1].is_ascii_whitespace() {
            a -= 1;
        }
        let mut z = (e + WIN).min(b.len());
        while z < b.len() && !b[z].is_ascii_whitespace() {
            z += 1;
        }
        match regions.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(z),
            _ => regions.push((a, z)),
        }
    }
    // Only needed once a date moves the story's time; most texts never get
    // that far.
    let mut quotes: Option<Vec<(usize, usize)>> = None;
    let mut st = State::default();
    let mut out: Vec<(usize, usize, Cand)> = Vec::new();
    let widest = regions.iter().map(|r| r.1 - r.0).max().unwrap_or(0);
    let mut toks: Vec<Tok> = Vec::with_capacity(widest / 3 + 8);
    let mut lowbuf = String::with_capacity(widest);
    let mut starts: Vec<bool> = Vec::with_capacity(widest / 3 + 8);
    let mut words_buf: Vec<std::cell::Cell<Option<Option<&Word>>>> = Vec::with_capacity(widest / 3 + 8);
    let mut marks_buf: Vec<std::cell::Cell<Option<Tense>>> = Vec::with_capacity(widest / 3 + 8);
    for (ra, rz) in regions {
        toks.clear();
        tokenize(text, ra, rz, &mut toks);
        lowbuf.clear();
        lowbuf.push_str(&text[ra..rz]);
        lowbuf.make_ascii_lowercase();
        words_buf.clear();
        words_buf.resize(toks.len(), std::cell::Cell::new(None));
        let words = &words_buf[..];
        marks_buf.clear();
        marks_buf.resize(toks.len(), std::cell::Cell::new(None));
        let marks = &marks_buf[..];
        // Expressions contain a trigger and start at most a few tokens
        // before it; only those positions are tried.
        starts.clear();
        starts.resize(toks.len(), false);
        // Walks the region's hits rather than its tokens: a token is marked
        // when a hit overlaps it.
        let mut ti = 0;
        for &(hs, he) in &hits[hits.partition_point(|h| h.1 <= ra)..] {
            if hs >= rz {
                break;
            }
            while ti < toks.len() && toks[ti].e <= hs {
                ti += 1;
            }
            let mut tj = ti;
            while tj < toks.len() && toks[tj].s < he {
                for s in starts[tj.saturating_sub(MAX_LEAD)..=tj].iter_mut() {
                    *s = true;
                }
                tj += 1;
            }
        }
        let mut i = 0;
        while i < toks.len() {
            if !starts[i] {
                i += 1;
                continue;
            }
            // One view serves the starter test and the match: `st` changes
            // only after it.
            let m = M {
                text,
                lex,
                toks: &toks,
                lowbuf: &lowbuf,
                words,
                marks,
                pubd: publication,
                st: &st,
            };
            let starter = {
                let t = &toks[i];
                // What can follow the first token of an expression: a
                // number of up to three digits needs a date word, another
                // number or joining punctuation next ("15 March", "10:30",
                // "5 1/2 years", "2-year"); so does an article.
                let next_ok = |m: &M| match toks.get(i + 1) {
                    None => false,
                    Some(n) => match n.k {
                        TK::Num => true,
                        TK::Punct => matches!(b[n.s], b'-' | b':' | b'/' | b'.' | b',' | b'\''),
                        // "20th", "the future" (a phrase).
                        TK::Word => {
                            !n.gap
                                || m.w(i + 1).is_some()
                                || m.w(i).is_some_and(|w| w.phr.is_some()) && m.phrase(i, |_| true).is_some()
                        }
                    },
                };
                if t.k == TK::Num {
                    t.nd > 3 || next_ok(&m)
                } else {
                    m.w(i).is_some_and(|w| w.starter) && (!m.w(i).is_some_and(|w| w.determiner) || next_ok(&m))
                }
            };
            if !starter {
                i += 1;
                continue;
            }
            // Never re-enter a span already emitted by the previous region.
            if out.last().is_some_and(|l| toks[i].s < l.1) {
                i += 1;
                continue;
            }
            let found = m.best(i);
            let Some(mut c) = found else {
                i += 1;
                continue;
            };
            if c.end <= i {
                i += 1;
                continue;
            }
            let (s, mut e) = (toks[i].s, toks[c.end - 1].e);
            // An abbreviation's period belongs to it ("Sept."); a period
            // that ends the sentence after a full word does not.
            if c.end < toks.len() && text.as_bytes()[toks[c.end].s] == b'.' && !toks[c.end].gap {
                let last = &toks[c.end - 1];
                if last.k == TK::Word && words[c.end - 1].get().flatten().is_some_and(|w| w.abbrev) {
                    e = toks[c.end].e;
                    c.end += 1;
                }
            }
            if let Some(p) = c.point {
                if c.narr && c.anchor != Anchor::Unresolved && matches!(c.kind, TimexKind::Date | TimexKind::Time) {
                    if !in_spans(quotes.get_or_insert_with(|| quote_spans(text)), s) {
                        st.last = Some((s, p));
                        if let Point::Day(d) = p {
                            st.last_day = Some((s, d));
                        }
                    }
                    st.memory.push((s, p));
                }
            }
            st.day_end = match c.point {
                Some(Point::Day(d))
                    if c.kind == TimexKind::Date && toks[c.end - 1].k == TK::Num && toks[c.end - 1].n == d.day() =>
                {
                    // "and 25" is no trigger of its own.
                    for k in [c.end + 1, c.end + 2] {
                        if let Some(x) = starts.get_mut(k) {
                            *x = true;
                        }
                    }
                    Some((e, d, c.anchor))
                }
                _ => None,
            };
            i = c.end;
            out.push((s, e, c));
        }
    }
    // Byte offsets to char offsets in one pass.
    let mut res = Vec::with_capacity(out.len());
    let mut cb = 0usize;
    let mut cc = 0usize;
    for (s, e, mut c) in out {
        let value = c.value_string();
        cc += text[cb..s].chars().count();
        let cs = cc;
        let ce = cs + text[s..e].chars().count();
        cc = ce;
        cb = e;
        res.push(Timex {
            char_start: cs,
            char_end: ce,
            text: text[s..e].to_string(),
            precision: precision(c.kind, &value, c.point, c.modifier, c.fuzzy),
            value,
            modifier: c.modifier,
            kind: c.kind,
            anchor: c.anchor,
        });
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn lex() -> &'static TemporalLexicon {
        static L: OnceLock<TemporalLexicon> = OnceLock::new();
        L.get_or_init(|| TemporalLexicon::from_toml_str(include_str!("../../data/lexicons/temporal.toml")).unwrap())
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn find<'a>(t: &'a [Timex], span: &str) -> &'a Timex {
        t.iter().find(|x| x.text == span).unwrap_or_else(|| {
            panic!(
                "no timex {span:?} in {:?}",
                t.iter().map(|x| (&x.text, &x.value)).collect::<Vec<_>>()
            )
        })
    }

    /// Tags `text` published on `pubd` and checks span -> value pairs.
    fn check(text: &str, pubd: Option<&str>, want: &[(&str, &str)]) -> Vec<Timex> {
        let t = tag(text, pubd.map(d), lex());
        for (span, v) in want {
            let x = find(&t, span);
            assert_eq!(x.value.as_deref().unwrap_or(""), *v, "value of {span:?} in {text:?}");
            assert_eq!(
                &text
                    .chars()
                    .skip(x.char_start)
                    .take(x.char_end - x.char_start)
                    .collect::<String>(),
                span
            );
        }
        t
    }

    fn seed(name: &str) -> String {
        // The seeds are copied into the repository's corpus/ folder.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus");
        let entry = std::fs::read_dir(dir)
            .expect("corpus/ holds the seeds")
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with(name))
            .unwrap_or_else(|| panic!("seed {name} is missing from corpus/"));
        std::fs::read_to_string(entry.path()).expect("seed is readable")
    }

    #[test]
    fn lexicon_errors_name_the_key() {
        let bad = include_str!("../../data/lexicons/temporal.toml").replace("sept = 9", "sept = 13");
        let e = TemporalLexicon::from_toml_str(&bad).err().unwrap();
        assert!(e.contains("[months]") && e.contains("sept"), "{e}");
        let e = TemporalLexicon::from_toml_str("[months]\njan = 1\n").err().unwrap();
        assert!(e.contains("missing table"), "{e}");
        let bad = include_str!("../../data/lexicons/temporal.toml").replace("day = \"D\"", "day = \"DAY\"");
        assert!(TemporalLexicon::from_toml_str(&bad).err().unwrap().contains("\"day\""));
    }

    #[test]
    fn lexicon_is_send_sync() {
        fn ok<T: Send + Sync>() {}
        ok::<TemporalLexicon>();
    }

    #[test]
    fn explicit_dates() {
        check(
            "It began on Sept. 30, 1989 and ended 15 March 2023. In August 1988 and in 1998 too. On 1999-02-06 it rained.",
            None,
            &[
                ("Sept. 30, 1989", "1989-09-30"),
                ("15 March 2023", "2023-03-15"),
                ("August 1988", "1988-08"),
                ("1998", "1998"),
                ("1999-02-06", "1999-02-06"),
            ],
        );
        let t = check(
            "The 1990s were calm, unlike the 20th century.",
            None,
            &[("The 1990s", "199"), ("the 20th century", "19")],
        );
        assert!(t.iter().all(|x| x.anchor == Anchor::Absolute));
    }

    #[test]
    fn abbreviations_and_ordinals() {
        check(
            "It happened on Feb. 24 and Sept. 3, then March eighth and the 13th of May.",
            Some("2022-10-21"),
            &[
                ("Feb. 24", "2022-02-24"),
                ("Sept. 3", "2022-09-03"),
                ("March eighth", "2022-03-08"),
                ("13th of May", "2022-05-13"),
            ],
        );
    }

    #[test]
    fn numbers_in_words() {
        check(
            "It lasted twenty-four hours, then a couple of years, then two and a half years, in nineteen ninety-six.",
            None,
            &[
                ("twenty-four hours", "PT24H"),
                ("a couple of years", "P2Y"),
                ("two and a half years", "P2Y6M"),
                ("nineteen ninety-six", "1996"),
            ],
        );
    }

    #[test]
    fn durations_and_modifiers() {
        let t = check(
            "The war has lasted 79 days. Over the past two weeks, more than four hours a day, for several years, a two-year deal.",
            Some("2022-05-13"),
            &[
                ("79 days", "P79D"),
                ("the past two weeks", "P2W"),
                ("more than four hours", "PT4H"),
                ("several years", "PXY"),
                ("two-year", "P2Y"),
            ],
        );
        assert_eq!(find(&t, "more than four hours").modifier, Some("MORE_THAN"));
        assert_eq!(find(&t, "79 days").kind, TimexKind::Duration);
    }

    #[test]
    fn sets() {
        let t = check(
            "Flights leave every week, each Thursday and daily, at $5 a year, twice a month.",
            None,
            &[
                ("every week", "P1W"),
                ("each Thursday", "XXXX-WXX-4"),
                ("daily", "P1D"),
                ("twice a month", "P1M"),
            ],
        );
        assert!(t.iter().all(|x| x.kind == TimexKind::Set));
        // A rate of an amount ("$5 a year") is left untagged, as in TimeBank.
        assert!(!t.iter().any(|x| x.text == "a year"));
    }

    #[test]
    fn publication_relative() {
        let t = check(
            "He said last week that this month was hard; next year will be better. Last month and yesterday morning, and today.",
            Some("2022-10-21"),
            &[
                ("last week", "2022-W41"),
                ("this month", "2022-10"),
                ("next year", "2023"),
                ("Last month", "2022-09"),
                ("yesterday morning", "2022-10-20TMO"),
                ("today", "2022-10-21"),
            ],
        );
        assert!(t.iter().all(|x| x.anchor == Anchor::Publication));
        check(
            "Sales fell two weeks ago and five months ago.",
            Some("1998-03-22"),
            // The unit sets the granularity (TIMEX3 guidelines): a week,
            // a month.
            &[("two weeks ago", "1998-W10"), ("five months ago", "1997-10")],
        );
        check(
            "It is now clear; recently it was not; in the future it will be.",
            Some("1998-03-22"),
            &[
                ("now", "PRESENT_REF"),
                ("recently", "PAST_REF"),
                ("the future", "FUTURE_REF"),
            ],
        );
    }

    #[test]
    fn quarters_and_seasons() {
        check(
            "Third-quarter profit rose; in the first half of 1998 and this summer, and Q3 2023, it fell. Last fall it rose.",
            Some("1999-02-10"),
            &[("Third-quarter", "1998-Q3"), ("the first half of 1998", "1998-H1"), ("this summer", "1999-SU"), ("Q3 2023", "2023-Q3"), ("Last fall", "1998-FA")],
        );
    }

    #[test]
    fn weekdays_follow_tense() {
        // Published on a Wednesday.
        check(
            "The minister spoke on Monday.",
            Some("2024-06-26"),
            &[("Monday", "2024-06-24")],
        );
        check(
            "The minister will speak on Monday.",
            Some("2024-06-26"),
            &[("Monday", "2024-07-01")],
        );
        check(
            "The minister spoke on Wednesday.",
            Some("2024-06-26"),
            &[("Wednesday", "2024-06-26")],
        );
        check(
            "They met last Friday and meet next Friday.",
            Some("2024-06-26"),
            &[("last Friday", "2024-06-21"), ("next Friday", "2024-06-28")],
        );
        let t = check(
            "It ended Tuesday evening.",
            Some("2024-06-26"),
            &[("Tuesday evening", "2024-06-25TEV")],
        );
        assert_eq!(t[0].kind, TimexKind::Time);
    }

    #[test]
    fn months_follow_tense() {
        check(
            "The summit was held in November.",
            Some("2022-10-21"),
            &[("November", "2021-11")],
        );
        check(
            "The summit will be held in November.",
            Some("2022-10-21"),
            &[("November", "2022-11")],
        );
        check(
            "They have not spoken since May.",
            Some("2022-10-21"),
            &[("May", "2022-05")],
        );
        let t = check(
            "Russia invaded Ukraine in late February.",
            Some("2022-10-21"),
            &[("late February", "2022-02")],
        );
        assert_eq!(t[0].modifier, Some("END"));
        assert_eq!(t[0].precision, Some("approx"));
        // "may" the verb is not a month.
        assert!(tag("Prices may rise, officials said.", Some(d("2022-10-21")), lex()).is_empty());
    }

    #[test]
    fn times_of_day() {
        check(
            "The blast came at 10:35 a.m. and the vote at 10 p.m. Wednesday, noon Thursday.",
            Some("1998-02-13"),
            &[
                ("10:35 a.m.", "1998-02-13T10:35"),
                ("10 p.m. Wednesday", "1998-02-11T22:00"),
                ("noon Thursday", "1998-02-12T12:00"),
            ],
        );
    }

    #[test]
    fn narrative_anchoring() {
        let t = check(
            "The talks opened on Friday. A day earlier, officials met. The treaty was signed on May 13, 2019. Two days later it was ratified, and the following year it lapsed.",
            Some("2022-10-21"),
            &[("A day earlier", "2022-10-20"), ("Two days later", "2019-05-15"), ("the following year", "2020")],
        );
        assert_eq!(find(&t, "A day earlier").anchor, Anchor::Narrative);
        assert_eq!(find(&t, "Two days later").anchor, Anchor::Narrative);
        // Quoted dates do not move the story's time.
        check(
            "Also on Friday, he said the group met \u{201c}on October 12.\u{201d} A day earlier, drones flew.",
            Some("2022-10-21"),
            &[("A day earlier", "2022-10-20")],
        );
        check(
            "Talks ended two days after May 13.",
            Some("2022-10-21"),
            &[("two days after May 13", "2022-05-15")],
        );
    }

    #[test]
    fn comparisons_in_earnings_copy() {
        check(
            "Net income in the third quarter rose 20% from a year earlier.",
            Some("1989-10-27"),
            &[("the third quarter", "1989-Q3"), ("a year earlier", "1988-Q3")],
        );
    }

    #[test]
    fn reporting_periods() {
        check(
            "Net rose in the third quarter. The year-ago results included a gain. \
             In the 1988 quarter it lost money. Sales in the latest period rose. \
             For the year, volume was flat; for the year ended Sept. 30 it fell. \
             The deal should close by year-end.",
            Some("1989-10-27"),
            &[
                ("the third quarter", "1989-Q3"),
                ("year-ago", "1988-Q3"),
                ("the 1988 quarter", "1988-Q3"),
                ("the latest period", "1989-Q3"),
                ("the year", "1989"),
                ("year-end", "1989-12-31"),
            ],
        );
        let t = tag("For the year ended Sept. 30 it fell.", Some(d("1989-10-27")), lex());
        assert_eq!(t[0].text, "the year");
        assert_eq!(t[0].value.as_deref(), Some("P1Y"));
        assert_eq!(t[0].kind, TimexKind::Duration);
    }

    #[test]
    fn timebank_conventions() {
        let t = check(
            "Prices rose in recent years and will fall in coming months. \
             They said Wednesday's ruling would be appealed.",
            Some("2000-01-07"),
            &[
                ("recent years", "PXY"),
                ("coming months", "FUTURE_REF"),
                ("Wednesday", "2000-01-05"),
            ],
        );
        assert_eq!(find(&t, "recent years").kind, TimexKind::Duration);
        // Ordering adverbs and rates of amounts are not timexes.
        let t = tag(
            "He previously said it would soon cost $5 million a year.",
            Some(d("2000-01-07")),
            lex(),
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn without_publication_date() {
        let t = tag(
            "On Friday, last month and on May 13, a day after 15 March 2023, since 1998.",
            None,
            lex(),
        );
        assert_eq!(find(&t, "Friday").anchor, Anchor::Unresolved);
        assert_eq!(find(&t, "Friday").value.as_deref(), Some("XXXX-WXX-5"));
        assert_eq!(find(&t, "last month").anchor, Anchor::Unresolved);
        assert_eq!(find(&t, "last month").value, None);
        // Anchored on the absolute date that follows.
        assert_eq!(
            find(&t, "a day after 15 March 2023").value.as_deref(),
            Some("2023-03-16")
        );
        assert_eq!(find(&t, "a day after 15 March 2023").anchor, Anchor::Absolute);
        assert_eq!(find(&t, "1998").value.as_deref(), Some("1998"));
        let t = tag("It happened on May 13.", None, lex());
        assert_eq!(t[0].value.as_deref(), Some("XXXX-05-13"));
        assert_eq!(t[0].anchor, Anchor::Unresolved);
        // A year the story already gave anchors a later bare month-day.
        let t = tag("In March 2023 talks began; on May 13 they ended.", None, lex());
        assert_eq!(find(&t, "May 13").value.as_deref(), Some("2023-05-13"));
        assert_eq!(find(&t, "May 13").anchor, Anchor::Narrative);
    }

    #[test]
    fn offsets_are_chars_and_sorted() {
        let text = "Zo\u{eb} \u{201c}left\u{201d} on Friday, then 79 days passed.";
        let t = tag(text, Some(d("2022-10-21")), lex());
        assert_eq!(t.len(), 2);
        for x in &t {
            assert_eq!(
                text.chars()
                    .skip(x.char_start)
                    .take(x.char_end - x.char_start)
                    .collect::<String>(),
                x.text
            );
        }
        assert!(t.windows(2).all(|w| w[0].char_end <= w[1].char_start));
        assert!(tag("No dates in here at all.", Some(d("2022-10-21")), lex()).is_empty());
    }

    #[test]
    fn seed_000() {
        let text = seed("000");
        if text.is_empty() {
            return;
        }
        let t = check(
            &text,
            Some("2022-10-21"),
            &[
                ("Friday", "2022-10-21"),
                ("May", "2022-05"),
                ("late February", "2022-02"),
                ("May 13", "2022-05-13"),
                ("roughly a week before the invasion", "2022-02"),
                ("October 12", "2022-10-12"),
                ("A day earlier", "2022-10-20"),
                ("Thursday", "2022-10-20"),
                ("the past two weeks", "P2W"),
            ],
        );
        assert_eq!(find(&t, "A day earlier").anchor, Anchor::Narrative);
        assert_eq!(find(&t, "Friday").anchor, Anchor::Publication);
    }

    #[test]
    fn seed_001() {
        let text = seed("001");
        if text.is_empty() {
            return;
        }
        check(
            &text,
            Some("2024-06-26"),
            &[
                ("March 2023", "2023-03"),
                ("Tuesday evening", "2024-06-25TEV"),
                ("15 March 2023", "2023-03-15"),
                ("Tuesday", "2024-06-25"),
            ],
        );
    }

    #[test]
    fn seed_002() {
        let text = seed("002");
        if text.is_empty() {
            return;
        }
        check(
            &text,
            Some("2022-10-21"),
            &[
                ("Friday", "2022-10-21"),
                ("May", "2022-05"),
                ("Feb. 24", "2022-02-24"),
                ("November", "2022-11"),
                ("last week", "2022-W41"),
                ("Earlier this month", "2022-10"),
            ],
        );
    }

    #[test]
    fn seed_003() {
        let text = seed("003");
        if text.is_empty() {
            return;
        }
        let t = check(
            &text,
            Some("2024-06-26"),
            &[
                ("Tuesday", "2024-06-25"),
                ("last month", "2024-05"),
                ("two days after", "2024-06-25"),
                ("earlier this month", "2024-06"),
            ],
        );
        assert_eq!(find(&t, "two days after").anchor, Anchor::Narrative);
    }

    #[test]
    fn seed_004() {
        let text = seed("004");
        if text.is_empty() {
            return;
        }
        check(
            &text,
            Some("2022-05-13"),
            &[
                ("Friday", "2022-05-13"),
                ("Feb. 18", "2022-02-18"),
                ("79 days", "P79D"),
                ("Wednesday, May 11", "2022-05-11"),
                ("late March", "2022-03"),
                ("Feb. 27", "2022-02-27"),
                ("mid-April", "2022-04"),
                ("April 24", "2022-04-24"),
                ("Thursday", "2022-05-12"),
            ],
        );
    }

    #[test]
    fn a_passive_participle_is_not_past_tense() {
        // 2000-03-29: "is heard" looks ahead, "was heard" back.
        check(
            "The case is heard in May in the appeals court.",
            Some("2000-03-29"),
            &[("May", "2000-05")],
        );
        check("The case was heard in May.", Some("2000-03-29"), &[("May", "1999-05")]);
    }

    #[test]
    fn plans_look_ahead_only_before_to() {
        // 1998-10-26 is a Monday.
        check(
            "On Tuesday, the league plans to hold a news conference.",
            Some("1998-10-26"),
            &[("Tuesday", "1998-10-27")],
        );
        check(
            "On Friday, when she set aside vacation plans, the team arrived.",
            Some("1998-08-17"),
            &[("Friday", "1998-08-14")],
        );
        // A past form before a future cue: an intention, still ahead.
        check(
            "Protesters were planning to drive around Miami on Saturday.",
            Some("2000-01-07"),
            &[("Saturday", "2000-01-08")],
        );
    }

    #[test]
    fn next_to_is_a_place() {
        // 1998-08-08 is a Saturday.
        check(
            "People were wounded in the blasts next to the embassies on Friday.",
            Some("1998-08-08"),
            &[("Friday", "1998-08-07")],
        );
        check(
            "The vote is next Friday.",
            Some("1998-08-08"),
            &[("next Friday", "1998-08-14")],
        );
    }

    #[test]
    fn the_plural_unit_is_an_open_stretch() {
        let t = check(
            "Over the years, and in the weeks ahead, as in the days before the vote.",
            Some("1998-03-31"),
            &[("the years", "PXY"), ("the weeks", "PXW"), ("the days", "PXD")],
        );
        assert_eq!(find(&t, "the years").kind, TimexKind::Duration);
        // Hours are left alone: "the early hours of Thursday".
        let t = tag(
            "He was arrested in the hours after the blast.",
            Some(d("1998-03-31")),
            lex(),
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn as_early_as_points_ahead() {
        check(
            "His father could come to the U.S. from Cuba as early as Tuesday.",
            Some("2000-04-03"),
            &[("Tuesday", "2000-04-04")],
        );
    }

    #[test]
    fn weeks_ago_name_a_week() {
        check(
            "They crossed six weeks ago.",
            Some("2000-01-06"),
            &[("six weeks ago", "1999-W47")],
        );
        check(
            "They crossed two days ago.",
            Some("2000-01-06"),
            &[("two days ago", "2000-01-04")],
        );
    }

    #[test]
    fn capitalised_time_words_inside_a_sentence_are_names() {
        let t = tag(
            "He said on CBS's 60 Minutes and in USA Today that ABC's This Week was wrong, like High Noon.",
            Some(d("2000-04-17")),
            lex(),
        );
        assert!(t.is_empty(), "{t:?}");
        check(
            "Today the talks resume.",
            Some("2000-04-17"),
            &[("Today", "2000-04-17")],
        );
    }

    #[test]
    fn tense_cue_beyond_the_region() {
        // Published on a Monday; the verb lies past the window the tagger
        // tokenizes around "Tuesday".
        check(
            "On Tuesday, the National Abortion and Reproductive Rights Action League plans to hold a news conference.",
            Some("1998-10-26"),
            &[("Tuesday", "1998-10-27")],
        );
        // A month dates a noun as often as the verb: no reading beyond.
        check(
            "Traders in London said Indonesia had issued licences to import around 135,000 tonnes of palm oil for delivery in April.",
            Some("1987-03-18"),
            &[("April", "1987-04")],
        );
        check(
            "Reports said Saudi Arabia told U.S., European and Japanese oil companies of a 15-20 percent cutback in its oil supply in September.",
            Some("1990-08-16"),
            &[("September", "1990-09")],
        );
    }

    #[test]
    fn tense_beyond_the_region_cuts_no_character() {
        // The cue lies outside the window around "Friday"; the text beyond
        // is cut on whitespace only, whatever bytes come before it.
        for pad in 0..6 {
            let text = format!(
                "{} {}and the delegation will meet the representatives of the extraordinary plenipotentiary governments on Friday.",
                "\u{e9}".repeat(pad),
                "\u{e9}\u{e9}\u{2014}\u{e9} ".repeat(30)
            );
            check(&text, Some("2024-06-26"), &[("Friday", "2024-06-28")]);
        }
    }

    #[test]
    fn a_title_abbreviation_ends_no_sentence() {
        // Published on a Wednesday: the verb after "Dr." governs Tuesday.
        check(
            "On Tuesday, Dr. Smith will speak.",
            Some("2024-06-26"),
            &[("Tuesday", "2024-07-02")],
        );
        check(
            "On Tuesday, Smith said. Dr. Jones will speak.",
            Some("2024-06-26"),
            &[("Tuesday", "2024-06-25")],
        );
    }

    #[test]
    fn fronted_deadline_follows_the_clause() {
        // Published on a Friday.
        check(
            "Until Thursday, they had not called Kopp a suspect.",
            Some("1999-05-07"),
            &[("Thursday", "1999-05-06")],
        );
        check(
            "Officials postponed until Tuesday morning any action.",
            Some("2000-03-30"),
            &[("Tuesday morning", "2000-04-04TMO")],
        );
        check(
            "Thirty-two members had filed reports by Wednesday.",
            Some("1990-08-16"),
            &[("Wednesday", "1990-08-15")],
        );
        check(
            "The talks are supposed to conclude by May, they said.",
            Some("1998-03-22"),
            &[("May", "1998-05")],
        );
        check("By May, sales had doubled.", Some("1998-09-22"), &[("May", "1998-05")]);
    }

    #[test]
    fn overtaken_plans_point_back() {
        // Published on a Monday.
        check(
            "The offer previously had been scheduled to expire at midnight Friday.",
            Some("1989-10-30"),
            &[("midnight Friday", "1989-10-27T24:00")],
        );
        check(
            "The offer was scheduled to expire at midnight Friday.",
            Some("1989-10-30"),
            &[("midnight Friday", "1989-11-03T24:00")],
        );
        check(
            "The processors, which had been scheduled for general availability in the third quarter, will now be available sooner.",
            Some("1987-03-04"),
            &[("the third quarter", "1987-Q3")],
        );
        check(
            "It is to resume trading in Paris Tuesday.",
            Some("1989-10-27"),
            &[("Tuesday", "1989-10-31")],
        );
        check(
            "The talks are set to resume Monday in Belfast.",
            Some("1998-03-22"),
            &[("Monday", "1998-03-23")],
        );
    }

    #[test]
    fn intentions_and_reports_leave_the_tense_open() {
        // "decided to admit": the admission may lie ahead; "said" dates the
        // statement, not the admission.
        check(
            "NATO has decided to admit Poland, Hungary and the Czech Republic in early March, an official said on Wednesday.",
            Some("1999-02-10"),
            &[("early March", "1999-03"), ("Wednesday", "1999-02-10")],
        );
        check(
            "The document is hoped to be presented to Congress in October.",
            Some("1987-03-12"),
            &[("October", "1987-10")],
        );
        check(
            "X agreed to pay the debt in January.",
            Some("1999-02-10"),
            &[("January", "1999-01")],
        );
        // Before the verb, the date is the decision's own.
        check(
            "In March, the board decided to sell the unit.",
            Some("1999-02-10"),
            &[("March", "1998-03")],
        );
        // A fronted date governs the reporting verb after it.
        check(
            "In September, it announced plans to acquire the fruit business.",
            Some("1989-10-30"),
            &[("September", "1989-09")],
        );
    }

    #[test]
    fn planned_infinitives_lie_ahead() {
        // Published on a Wednesday.
        check(
            "The team planned to leave Nairobi on Thursday for Dar es Salaam.",
            Some("1998-09-30"),
            &[("Thursday", "1998-10-01")],
        );
        check(
            "On Friday, the Kenyan government planned to pay the first claims.",
            Some("1998-09-30"),
            &[("Friday", "1998-09-25")],
        );
        // After a modal, a past form is an infinitive: "will be" is no
        // past, so "next" ... the modal itself decides.
        check(
            "They said they would meet him on Monday.",
            Some("1998-09-30"),
            &[("Monday", "1998-10-05")],
        );
    }

    #[test]
    fn a_year_after_an_article_before_a_plural() {
        check(
            "The leaders who led the 1992 protests have moved; post-1959 politics split families.",
            Some("1998-10-25"),
            &[("1992", "1992"), ("1959", "1959")],
        );
        // A bare number before a plural noun stays a count.
        let t = tag("About 1995 protesters marched.", Some(d("1998-10-25")), lex());
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn hours_in_a_part_of_the_day() {
        check(
            "The father will leave at 4 in the morning, Castro said.",
            Some("2000-04-05"),
            &[("4 in the morning", "2000-04-05T04:00")],
        );
        check(
            "The vote ends at 3 in the afternoon.",
            Some("2000-04-05"),
            &[("3 in the afternoon", "2000-04-05T15:00")],
        );
        // Without a preposition of time it is a count.
        let t = tag("He scored 4 in the afternoon session.", Some(d("2000-04-05")), lex());
        assert!(t.iter().all(|x| !x.text.starts_with('4')), "{t:?}");
    }

    #[test]
    fn an_ambiguous_month_after_a_determiner() {
        check(
            "The March accession will enable the three countries to join.",
            Some("1999-02-10"),
            &[("March", "1999-03")],
        );
        check(
            "Retirees will receive their May pension checks.",
            Some("1987-04-10"),
            &[("May", "1987-05")],
        );
        // Without one, "March" and "May" stay words.
        let t = tag(
            "Protesters March on the capital. He May resign.",
            Some(d("1987-04-10")),
            lex(),
        );
        assert!(t.is_empty(), "{t:?}");
    }

    #[test]
    fn one_unit_next_to_a_date() {
        // Published on a Thursday; "last Tuesday" is 2000-02-22.
        check(
            "The day before last Tuesday's federal court hearing, Manuel met them.",
            Some("2000-02-24"),
            &[("The day before last Tuesday", "2000-02-21")],
        );
        check(
            "They left the week after Christmas 1999.",
            None,
            &[("the week after Christmas 1999", "1999-W52")],
        );
        // Without a date the anchor is unknown: no expression claimed.
        let t = tag("They came the day after his death.", Some(d("2000-02-24")), lex());
        assert!(t.iter().all(|x| !x.text.contains("after")), "{t:?}");
    }

    #[test]
    fn unit_long_adjectives_are_durations() {
        check(
            "They emerged from their third day-long meeting after a year-long inquiry and a decades-long battle.",
            Some("2000-04-03"),
            &[("day-long", "P1D"), ("year-long", "P1Y"), ("decades-long", "PXDE")],
        );
        let t = tag("The long day ended.", Some(d("2000-04-03")), lex());
        assert!(t.iter().all(|x| x.text != "long"), "{t:?}");
    }

    #[test]
    fn a_rate_of_hours_is_no_day() {
        let t = check(
            "Let them picket every home, 24 hours a day, he said.",
            Some("1998-10-25"),
            &[("24 hours", "PT24H")],
        );
        assert!(t.iter().all(|x| x.text != "a day"), "{t:?}");
        check(
            "They do hundreds of interviews a day.",
            Some("1998-10-25"),
            &[("a day", "P1D")],
        );
    }

    #[test]
    fn holiday_rules_with_an_offset() {
        check(
            "It will be a major theme of our campaign from now to Election Day.",
            Some("1998-10-26"),
            &[("Election Day", "1998-11-03")],
        );
        check(
            "Voters went to the polls on Election Day 2000.",
            None,
            &[("Election Day 2000", "2000-11-07")],
        );
        assert!(parse_holiday("11/1/1+40").is_none());
    }

    #[test]
    fn a_second_day_shares_the_month() {
        check(
            "The summit will be held on April 24 and 25. Talks end Sept. 12-14, 2000.",
            Some("1999-02-10"),
            &[("April 24", "1999-04-24"), ("25", "1999-04-25")],
        );
        // A count after the date is not a day.
        let t = tag("On April 24 and 25 people died.", Some(d("1999-02-10")), lex());
        assert!(t.iter().all(|x| x.text != "25"), "{t:?}");
    }

    #[test]
    fn padded_numbers_read_as_format_writes_them() {
        for n in [-12345, -100, -7, 0, 5, 42, 999, 2024, 123456] {
            for width in 1..=5 {
                let mut s = String::new();
                push_padded(&mut s, n, width);
                assert_eq!(s, format!("{n:0width$}"));
            }
        }
    }

    /// The trigger scan as the rules read, a byte at a time.
    fn scan_reference(b: &[u8], is_trigger: impl Fn(&[u8]) -> bool) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let s = i;
            if b[i].is_ascii_alphabetic() {
                while i < b.len() && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = b[s..i].to_ascii_lowercase();
                let by_digits = s > 0 && b[s - 1].is_ascii_digit() || i < b.len() && b[i].is_ascii_digit();
                if by_digits {
                } else if is_trigger(&word) {
                    out.push((s, i));
                } else if word.ends_with(b"s") && word.len() > 1 && is_trigger(&word[..word.len() - 1]) {
                    out.push((s, i - 1));
                }
            } else if b[i].is_ascii_digit() {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if digits_trigger(b, s, i) {
                    out.push((s, i));
                }
            } else {
                i += 1;
            }
        }
        out
    }

    #[test]
    fn scan_matches_the_plain_reading() {
        // One-letter words fill every slot of their first letter; words
        // share first letters and lengths with triggers; runs cross the
        // 64-byte blocks the scan reads.
        let words = "a may march day week noon thursday christmas fortnightly s";
        let words: Vec<&str> = words.split(' ').collect();
        let own = TriggerSet::new(words.iter().copied()).unwrap();
        let (long, digits) = ("weeks".repeat(15), "2".repeat(70));
        let near_triggers = "may|MAYS|Mayor|mayx|day|days|Dayss|weeks|weekend|noon|thursdays|the|Christmas|christmass";
        let short = "fortnightly|a|A|as|ss|s|b|x| |  |. |,|-|\n\n|\u{e9}|\u{2014}";
        let numbers = "1987|2024s|12|3:|/4|4pm|10 a.m.|Q3|Feb. |19";
        let mut pieces: Vec<&str> = [near_triggers, short, numbers]
            .iter()
            .flat_map(|p| p.split('|'))
            .collect();
        pieces.extend([long.as_str(), digits.as_str()]);
        // The lexicon's own triggers, unpacked from their slots.
        let lexicon: Vec<Vec<u8>> = lex()
            .triggers
            .slots
            .iter()
            .filter(|&&k| k != 0)
            .map(|k| k.to_le_bytes().into_iter().filter(|&c| c != 0).collect())
            .collect();
        let mut text = crate::test_text::concatenations(&pieces, 80, 0x5eed_da7e_5ca2_0001);
        let mut found = 0;
        for _ in 0..3000 {
            let t = text();
            let b = t.as_bytes();
            let mut hits = Vec::new();
            own.scan(b, &mut hits);
            assert_eq!(
                hits,
                scan_reference(b, |w| words.iter().any(|t| t.as_bytes() == w)),
                "{t:?}"
            );
            found += hits.len();
            hits.clear();
            lex().triggers.scan(b, &mut hits);
            assert_eq!(hits, scan_reference(b, |w| lexicon.iter().any(|t| t == w)), "{t:?}");
        }
        assert!(found > 10_000, "{found}");
    }

    /// The token rules a byte at a time: `tokenize` without its shortcuts.
    fn tokenize_reference(text: &str, start: usize, end: usize) -> Vec<Tok> {
        let b = &text.as_bytes()[..end];
        let (mut out, mut i, mut gap, mut nls) = (Vec::new(), start, true, 0);
        while i < end {
            let c = b[i];
            if c.is_ascii_whitespace() {
                gap = true;
                nls += (c == b'\n') as usize;
                i += 1;
                continue;
            }
            let s = i;
            let (mut k, mut n, mut nd) = (TK::Punct, 0u32, 0usize);
            i += 1;
            if c.is_ascii_alphabetic() {
                k = TK::Word;
                while i < end && b[i].is_ascii_alphabetic() {
                    i += 1;
                }
                // "a.m.", "U.S."
                let joined = |j: usize| j + 1 < end && b[j] == b'.' && b[j + 1].is_ascii_alphabetic();
                if i == s + 1 && joined(i) && !(i + 2 < end && b[i + 2].is_ascii_alphabetic()) {
                    i += 2;
                    if i < end && b[i] == b'.' {
                        i += 1;
                    }
                }
            } else if c.is_ascii_digit() {
                k = TK::Num;
                while i < end && b[i].is_ascii_digit() {
                    i += 1;
                }
                nd = i - s;
                n = if nd > 9 { u32::MAX } else { text[s..i].parse().unwrap() };
            } else if c >= 0x80 {
                while i < end && (b[i] & 0xC0) == 0x80 {
                    i += 1;
                }
            }
            let (ls, le) = ((s - start) as u32, (i - start) as u32);
            let (cap, para) = (c.is_ascii_uppercase(), nls >= 2);
            out.push(Tok {
                s,
                e: i,
                k,
                ls,
                le,
                cap,
                gap,
                para,
                n,
                nd,
            });
            gap = false;
            nls = 0;
        }
        out
    }

    #[test]
    fn tokenize_agrees_with_the_plain_rules() {
        let pieces = "a|A|may|U.S.|a.m.|p.m|x.y.z|3|1987|12345678901|,|.|-|\u{e9}|\u{2014}| |  |\n|\n\n|\t|\r\n";
        let pieces: Vec<&str> = pieces.split('|').collect();
        let mut text = crate::test_text::concatenations(&pieces, 40, 0x70c5_0000_0000_0003);
        let fields = |t: &Tok| (t.s, t.e, t.k, t.ls, t.le, t.cap, t.gap, t.para, t.n, t.nd);
        for round in 0..5000 {
            let t = text();
            // A region may start on any char boundary.
            let mut start = (round % 4).min(t.len());
            while !t.is_char_boundary(start) {
                start += 1;
            }
            let mut toks = Vec::new();
            tokenize(&t, start, t.len(), &mut toks);
            let want: Vec<_> = tokenize_reference(&t, start, t.len()).iter().map(fields).collect();
            assert_eq!(toks.iter().map(fields).collect::<Vec<_>>(), want, "{t:?}");
        }
    }

    #[test]
    fn pack_at_agrees_with_pack_word() {
        let mut next = crate::test_text::numbers(0x7ac4_0000_5eed_0017);
        let buf: Vec<u8> = (0..300).map(|_| b"aZq.-09 \xc3s"[next(10)]).collect();
        for s in 0..buf.len() {
            for len in 0..=16.min(buf.len() - s) {
                assert_eq!(pack_at(&buf, s, len), pack_word(&buf[s..s + len]), "{s} {len}");
            }
        }
    }

    #[test]
    fn block_masks_agree_with_the_portable_code() {
        let mut next = crate::test_text::numbers(0x0bad_5eed_1234_5678);
        let mut block = [0u8; 64];
        for round in 0..20_000 {
            // Every byte value, and runs of the boundary bytes of the ranges.
            for c in block.iter_mut() {
                *c = if round % 2 == 0 {
                    next(256) as u8
                } else {
                    b"@AZ[`az{/09:\x7f\x80\xc3\xff"[next(16)]
                };
            }
            let plain = |pick: fn(&u8) -> bool| {
                block
                    .iter()
                    .enumerate()
                    .fold(0u64, |m, (k, c)| m | (pick(c) as u64) << k)
            };
            let want = (plain(u8::is_ascii_alphabetic), plain(u8::is_ascii_digit));
            assert_eq!(block_masks(&block), want, "{block:?}");
            assert_eq!(block_masks_swar(&block), want, "{block:?}");
        }
    }

    #[test]
    fn many_threads() {
        let text = "On Friday, two weeks ago, in late February 2022.";
        let first = tag(text, Some(d("2022-10-21")), lex());
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| assert_eq!(tag(text, Some(d("2022-10-21")), lex()), first));
            }
        });
    }
}
