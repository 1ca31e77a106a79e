//! JSON files (one record, or an array of records, as news-please writes
//! them) and JSON Lines. Arrays are read in blocks and split element by
//! element through a serde visitor, so that an array of any size is neither
//! held whole as a tree nor as text.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use std::ops::Range;
use std::sync::Arc;

use encoding_rs::Encoding;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::decode::{compressed_kind, decode, detect, mostly_utf8, sniff_utf16, utf16_reader, UTF8_BOM};
use super::record::{to_article, FieldValue, Record, RecordPlace};
use super::Input;
use crate::config::FieldMap;
use crate::model::{InputFormat, RawArticle};
use crate::write::schema::RejectRow;

impl Record for Value {
    fn field(&mut self, name: &str, take: bool) -> Option<FieldValue> {
        let mut value = self;
        // An empty name is the value itself.
        for part in name.split('.').filter(|p| !p.is_empty()) {
            value = value.get_mut(part)?;
        }
        let value = if take { value.take() } else { value.clone() };
        match value {
            Value::Null => None,
            Value::String(s) => Some(FieldValue::One(s)),
            Value::Array(items) => Some(FieldValue::Many(
                items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    })
                    .collect(),
            )),
            other => Some(FieldValue::One(other.to_string())),
        }
    }
}

/// One record and where it sits. The reader only finds record boundaries
/// (and, inside an array, the members of each record); workers map the
/// fields in parallel.
#[derive(Debug)]
pub struct JsonRecord {
    /// The array file or JSON line the record sits in. An array's records
    /// share it: copying each record out was a tenth of a skeleton run.
    source: Source,
    /// The record's mapped members when the reader already split them
    /// (array elements, split while the array is checked); `None` when the
    /// whole of `source` is the record, still to be parsed.
    members: Option<Split>,
    /// Its id fallback and source.
    pub place: RecordPlace,
    /// What the text was encoded in before it became UTF-8.
    encoding: &'static str,
}

impl JsonRecord {
    /// Bytes of JSON text the record spans, for cutting batches.
    pub fn text_bytes(&self) -> usize {
        match &self.members {
            None => self.source.bytes().len(),
            Some(split) => split.value_bytes,
        }
    }
}

/// JSON text as read. Text checked as UTF-8 once, as a whole, is parsed
/// without serde_json checking every string again (its `from_str` path);
/// anything else is parsed as bytes, where a bad byte is a JSON error.
#[derive(Debug, Clone)]
enum Source {
    Text(Arc<String>),
    Bytes(Arc<Vec<u8>>),
}

impl Source {
    fn new(bytes: Vec<u8>) -> Source {
        match String::from_utf8(bytes) {
            Ok(text) => Source::Text(Arc::new(text)),
            Err(e) => Source::Bytes(Arc::new(e.into_bytes())),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Source::Text(text) => text.as_bytes(),
            Source::Bytes(bytes) => bytes,
        }
    }

    /// A range that the parser found to be a JSON value or key.
    fn str(&self, range: Range<usize>) -> Option<&str> {
        match self {
            Source::Text(text) => text.get(range),
            Source::Bytes(bytes) => std::str::from_utf8(&bytes[range]).ok(),
        }
    }

    /// Runs `seed` over the whole source, which must hold nothing else.
    fn parse<'a, T>(&'a self, seed: impl DeserializeSeed<'a, Value = T>) -> serde_json::Result<T> {
        match self {
            Source::Text(text) => {
                let mut deserializer = serde_json::Deserializer::from_str(text);
                let value = seed.deserialize(&mut deserializer)?;
                deserializer.end().map(|()| value)
            }
            Source::Bytes(bytes) => {
                let mut deserializer = serde_json::Deserializer::from_slice(bytes);
                let value = seed.deserialize(&mut deserializer)?;
                deserializer.end().map(|()| value)
            }
        }
    }
}

/// The top-level keys that the field map reads (`meta` for `meta.site`),
/// each with its place in this list. The reader keeps only the members
/// under these keys, tagged with that place, so that a worker finds a field
/// without comparing keys. It used to compare each field name with every
/// key of the record, in member lists that the reader had just written and
/// that were no longer in the worker's cache: that was a tenth of a skeleton
/// run over Reuters records, which carry a dozen keys a run does not map.
#[derive(Debug, Clone)]
pub struct JsonKeys {
    names: Vec<Box<str>>,
    /// `key_tag` of each name, compared before the name itself.
    tags: Vec<u64>,
}

impl JsonKeys {
    /// The keys of every field name, in the field map's order.
    pub fn new(fields: &FieldMap) -> JsonKeys {
        let FieldMap {
            id,
            title,
            text,
            published,
            url,
            source_domain,
            authors,
            outlet,
        } = fields;
        let mut names: Vec<Box<str>> = Vec::new();
        for name in [id, title, text, published, url, source_domain, authors, outlet]
            .into_iter()
            .flatten()
        {
            let head = key_of(name);
            if !names.iter().any(|n| &**n == head) {
                names.push(head.into());
            }
        }
        let tags = names.iter().map(|n| key_tag(n.as_bytes())).collect();
        JsonKeys { names, tags }
    }

    /// The place of `key` among the mapped keys.
    fn slot(&self, key: &[u8]) -> Option<u16> {
        let tag = key_tag(key);
        self.tags
            .iter()
            .zip(&self.names)
            .position(|(&t, name)| t == tag && name.as_bytes() == key)
            .map(|i| i as u16)
    }
}

/// The top-level key a field name reads: `meta` for `meta.site`.
fn key_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(head, _)| head)
}

/// The length and first seven bytes of a key in one word: names that
/// differ there (nearly all) are told apart by one comparison.
fn key_tag(key: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    let first = key.len().min(7);
    word[..first].copy_from_slice(&key[..first]);
    u64::from_le_bytes(word) | (key.len() as u64) << 56
}

/// One mapped member of a JSON object: its key's place in `JsonKeys`, and
/// where its raw value sits.
#[derive(Debug)]
struct Member {
    slot: u16,
    value: Range<usize>,
}

/// A record's mapped members, and the bytes of all its values (which cut
/// batches, as the record's size).
#[derive(Debug)]
struct Split {
    members: Vec<Member>,
    value_bytes: usize,
    /// Where the object ends in the text parsed, when it has a member.
    end: Option<usize>,
}

/// What one JSON value turned out to be while the reader split it.
enum Element {
    Object(Split),
    /// Anything else, named for the reject reason.
    Other(&'static str),
}

fn not_an_object(kind: &str) -> String {
    format!("record is {kind}, not a JSON object")
}

/// Byte offset of `part` in `base`, which it was borrowed from.
fn offset_in(base: &[u8], part: &[u8]) -> usize {
    let offset = part.as_ptr() as usize - base.as_ptr() as usize;
    debug_assert!(offset + part.len() <= base.len());
    offset
}

/// Splits a JSON value into members without building any tree: members stay
/// unparsed until a field is asked for, because records carry many fields a
/// run does not map (topics, places, ...).
#[derive(Clone, Copy)]
struct ElementSeed<'de, 'k> {
    base: &'de [u8],
    keys: &'k JsonKeys,
}

impl<'de> DeserializeSeed<'de> for ElementSeed<'de, '_> {
    type Value = Element;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Element, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ElementSeed<'de, '_> {
    type Value = Element;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut members = Vec::with_capacity(self.keys.names.len());
        let mut value_bytes = 0;
        let mut last_value_end = None;
        while let Some(slot) = map.next_key_seed(KeySeed { keys: self.keys })? {
            let raw: &'de RawValue = map.next_value()?;
            value_bytes += raw.get().len();
            let value = offset_in(self.base, raw.get().as_bytes());
            last_value_end = Some(value + raw.get().len());
            if let Some(slot) = slot {
                members.push(Member {
                    slot,
                    value: value..value + raw.get().len(),
                });
            }
        }
        // The object's `}` follows its last value, after any white space.
        let end = last_value_end.and_then(|at| {
            let brace = skip_space(self.base, at);
            (self.base.get(brace) == Some(&b'}')).then_some(brace + 1)
        });
        Ok(Element::Object(Split {
            members,
            value_bytes,
            end,
        }))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Element::Other("an array"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Element, E> {
        Ok(Element::Other("a string"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Element, E> {
        Ok(Element::Other("a boolean"))
    }
    fn visit_unit<E>(self) -> Result<Element, E> {
        Ok(Element::Other("null"))
    }
}

/// Reads a key as its place among the mapped keys (`None`: not mapped).
struct KeySeed<'k> {
    keys: &'k JsonKeys,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<u16>;
    // As bytes: serde_json then lets a `\\u` surrogate without its other
    // half through (it fails a string, and with it the rest of the array).
    // Such a key matches no field name, which is all that is asked of it.
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Option<u16>, D::Error> {
        deserializer.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<u16>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    // Keys with escapes arrive decoded, through the same call.
    fn visit_bytes<E>(self, key: &[u8]) -> Result<Option<u16>, E> {
        Ok(self.keys.slot(key))
    }
}

/// A record's mapped members over the text they sit in.
struct LazyObject<'a> {
    source: &'a Source,
    members: &'a [Member],
    keys: &'a JsonKeys,
}

impl<'a> LazyObject<'a> {
    /// The raw value of `key`; the last one wins when a key repeats, as
    /// serde_json's maps have it.
    fn get(&self, key: &str) -> Option<&'a str> {
        let slot = self.keys.slot(key.as_bytes())?;
        let member = self.members.iter().rev().find(|m| m.slot == slot)?;
        // The parse found a JSON value there: this cannot fail.
        self.source.str(member.value.clone())
    }
}

impl Record for LazyObject<'_> {
    fn field(&mut self, name: &str, _take: bool) -> Option<FieldValue> {
        let (head, rest) = match name.split_once('.') {
            Some((head, rest)) => (head, Some(rest)),
            None => (name, None),
        };
        let raw = self.get(head)?;
        if rest.is_none() {
            if let Some(text) = unescape_string(raw) {
                return Some(FieldValue::One(text));
            }
        }
        let mut value: Value = match serde_json::from_str(raw) {
            Ok(value) => value,
            Err(_) => serde_json::from_str(&without_lone_surrogates(raw)?).ok()?,
        };
        match rest {
            Some(rest) => value.field(rest, true),
            None => value.field("", true),
        }
    }
}

/// `raw` JSON with each `\\u` escape of a surrogate that lacks its other
/// half made `\\uFFFD` (see `unescape_string`); `None` when there is none,
/// and the JSON is wrong for another reason.
fn without_lone_surrogates(raw: &str) -> Option<String> {
    let unit_at = |at: usize| {
        let digits = raw.get(at..at + 6)?.strip_prefix("\\u")?;
        u16::from_str_radix(digits, 16).ok()
    };
    let mut out = String::with_capacity(raw.len());
    let mut copied = 0;
    let mut at = 0;
    let mut replaced = false;
    while let Some(offset) = memchr::memchr(b'\\', &raw.as_bytes()[at..]) {
        let escape = at + offset;
        match unit_at(escape) {
            Some(0xD800..=0xDBFF) if unit_at(escape + 6).is_some_and(|low| (0xDC00..0xE000).contains(&low)) => {
                at = escape + 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str(&raw[copied..escape]);
                out.push_str("\\uFFFD");
                copied = escape + 6;
                at = copied;
                replaced = true;
            }
            // Any other escape is two characters, or six: passing over two
            // is enough to not read an escaped backslash as a new escape.
            _ => at = escape + 2,
        }
        if at >= raw.len() {
            break;
        }
    }
    out.push_str(&raw[copied..]);
    replaced.then_some(out)
}

/// Decodes a JSON string literal in one pass into a buffer of the right
/// size. Article texts are most of a corpus's bytes, and serde_json's
/// general path grows its scratch buffer as it goes. Returns `None` for
/// anything that is not a well-formed string literal (the general path then
/// decides).
fn unescape_string(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut start = 0;
    while let Some(offset) = memchr::memchr(b'\\', &bytes[start..]) {
        let at = start + offset;
        out.push_str(&inner[start..at]);
        let escape = *bytes.get(at + 1)?;
        start = at + 2;
        match escape {
            b'n' => out.push('\n'),
            b't' => out.push('\t'),
            b'r' => out.push('\r'),
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'u' => {
                let unit = u16::from_str_radix(inner.get(start..start + 4)?, 16).ok()?;
                start += 4;
                // A surrogate without its other half (text cut inside an
                // emoji, and written by Python's `json`, which lets it
                // through) is one U+FFFD, as a decoder makes of a bad byte;
                // serde_json fails the whole string, and the record would
                // lose the field.
                let low = inner
                    .get(start..start + 6)
                    .and_then(|next| next.strip_prefix("\\u"))
                    .and_then(|digits| u16::from_str_radix(digits, 16).ok())
                    .filter(|low| (0xDC00..0xE000).contains(low));
                let c = match low {
                    Some(low) if (0xD800..0xDC00).contains(&unit) => {
                        start += 6;
                        char::decode_utf16([unit, low]).next()?.ok()?
                    }
                    _ => char::from_u32(unit as u32).unwrap_or(char::REPLACEMENT_CHARACTER),
                };
                out.push(c);
            }
            _ => return None,
        }
    }
    out.push_str(&inner[start..]);
    Some(out)
}

/// Parses a record and maps its fields to an article.
pub fn parse_record(record: JsonRecord, fields: &FieldMap, keys: &JsonKeys) -> Result<RawArticle, RejectRow> {
    let place = record.place;
    let reject = |reason: String| RejectRow {
        source: place.source.clone(),
        reason,
    };
    let split;
    let members = match &record.members {
        Some(split) => &split.members,
        None => match record.source.parse(ElementSeed {
            base: record.source.bytes(),
            keys,
        }) {
            Ok(Element::Object(object)) => {
                split = object.members;
                &split
            }
            Ok(Element::Other(kind)) => return Err(reject(not_an_object(kind))),
            Err(e) => {
                return Err(reject(match place.format {
                    InputFormat::JsonLines => format!("malformed JSON line: {e}"),
                    // A second record after the first: one per line is
                    // JSON Lines, which is read by its extension.
                    _ if e.to_string().starts_with("trailing characters") => {
                        format!("malformed JSON: {e} (one record per line is JSON Lines: name the file .jsonl)")
                    }
                    _ => format!("malformed JSON: {e}"),
                }));
            }
        },
    };
    let mut object = LazyObject {
        source: &record.source,
        members,
        keys,
    };
    to_article(&mut object, fields, &place, record.encoding).map_err(reject)
}

fn emit_record(
    source: Source,
    members: Option<Split>,
    place: RecordPlace,
    encoding: &'static str,
    emit: &mut dyn FnMut(Input),
) {
    emit(Input::JsonRecord(Box::new(JsonRecord {
        source,
        members,
        place,
        encoding,
    })));
}

/// An array element: a record in `source`, or the reject of what is none.
fn emit_element(
    element: Element,
    source: &Source,
    place: RecordPlace,
    encoding: &'static str,
    emit: &mut dyn FnMut(Input),
) {
    match element {
        Element::Object(members) => emit_record(source.clone(), Some(members), place, encoding, emit),
        Element::Other(kind) => emit(Input::Reject(RejectRow {
            source: place.source,
            reason: not_an_object(kind),
        })),
    }
}

/// A whole record's JSON text (a lone record's file, a JSON line) as UTF-8,
/// with the encoding it was in. Only the strings of JSON can hold bytes that
/// are not UTF-8, and they would otherwise make the record a reject for a
/// character: text that is mostly UTF-8 (see `mostly_utf8`) loses its stray
/// bytes to U+FFFD, and other text is decoded from `legacy`, the encoding
/// found in the file before, or else as a text file's would be (chardetng),
/// which then becomes `legacy`: the lines of one file are in one encoding,
/// and a short line says little about it. The error is a reject reason.
fn record_text(mut bytes: Vec<u8>, legacy: &mut Option<&'static Encoding>) -> Result<(Source, &'static str), String> {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((Source::Text(Arc::new(text)), "UTF-8")),
        Err(e) if mostly_utf8(e.as_bytes()) => Ok((
            Source::Text(Arc::new(String::from_utf8_lossy(e.as_bytes()).into_owned())),
            "UTF-8",
        )),
        Err(e) => {
            let decoded = decode(e.as_bytes(), *legacy)?;
            *legacy = Encoding::for_label(decoded.encoding.as_bytes());
            Ok((Source::Text(Arc::new(decoded.text)), decoded.encoding))
        }
    }
}

/// Bytes of an array file read at a time. A block's records share its text
/// (copying each record out was a tenth of a skeleton run), so a block lives
/// until the last of its records is processed: the blocks alive are about
/// the batches in flight, whatever the size of the files. (Reading each file
/// whole, a corpus of 1.3 MB files held three or four of them at the peak.)
const BLOCK_BYTES: usize = 256 << 10;

/// Reads a `.json` file of `size` bytes (as listed): an object is one
/// record, an array many, read block by block and split into the members
/// under `keys`.
pub fn read_json(path: &Path, rel_path: &str, stem: &str, size: u64, keys: &JsonKeys, emit: &mut dyn FnMut(Input)) {
    read_json_in_blocks(path, rel_path, stem, size, keys, BLOCK_BYTES, emit);
}

/// `read_json` with blocks of `block_bytes`.
fn read_json_in_blocks(
    path: &Path,
    rel_path: &str,
    stem: &str,
    size: u64,
    keys: &JsonKeys,
    block_bytes: usize,
    emit: &mut dyn FnMut(Input),
) {
    let reject = |emit: &mut dyn FnMut(Input), reason: String| {
        emit(Input::Reject(RejectRow {
            source: rel_path.to_owned(),
            reason,
        }))
    };
    let mut file = match BlockFile::open(path, size) {
        Ok(file) => file,
        Err(e) => return reject(emit, format!("cannot read file: {e}")),
    };
    // Blocks of nothing but white space are dropped as they are read (a
    // lone record's errors then count lines and columns from after them).
    let mut bytes = Vec::new();
    let mut dropped = 0u64;
    let first = loop {
        if let Err(e) = file.read_into(&mut bytes, block_bytes) {
            return reject(emit, format!("cannot read file: {e}"));
        }
        // A UTF-8 byte-order mark says what is read anyway.
        if dropped == 0 && bytes.starts_with(UTF8_BOM) {
            bytes.drain(..UTF8_BOM.len());
            dropped = UTF8_BOM.len() as u64;
        }
        let at = skip_space(&bytes, 0);
        if at < bytes.len() {
            break Some(at);
        }
        if file.at_eof {
            break None;
        }
        dropped += bytes.len() as u64;
        bytes.clear();
    };
    match first.map(|at| bytes[at]) {
        None => reject(emit, "empty file".into()),
        Some(b'{') => {
            // A lone record is the whole file: it is named like a text file.
            if let Err(e) = file.read_into(&mut bytes, usize::MAX) {
                return reject(emit, format!("cannot read file: {e}"));
            }
            let place = RecordPlace {
                fallback_id: stem.to_owned(),
                source: rel_path.to_owned(),
                format: InputFormat::Json,
            };
            match (file.utf16, record_text(bytes, &mut None)) {
                (Some(utf16), Ok((source, _))) => emit_record(source, None, place, utf16.name(), emit),
                (None, Ok((source, encoding))) => emit_record(source, None, place, encoding, emit),
                (_, Err(reason)) => reject(emit, reason),
            }
        }
        Some(b'[') => {
            let array = ArrayBlocks {
                encoding: file.utf16.map_or("UTF-8", Encoding::name),
                repair: None,
                file,
                rel_path,
                stem,
                keys,
                block_bytes,
            };
            if let Some(row) = array.read(bytes, dropped, emit) {
                emit(Input::Reject(row));
            }
        }
        Some(_) => match compressed_kind(&bytes) {
            Some(kind) => reject(
                emit,
                format!("{kind}-compressed file: decompress it first (readout reads no compressed files)"),
            ),
            None => reject(emit, "not JSON: the file starts with neither `{` nor `[`".into()),
        },
    }
}

/// Reads an array held whole in `source` (text decoded from `encoding`), in
/// one parse: what reading it in blocks must give, records and errors alike
/// (the tests' reference).
#[cfg(test)]
fn read_array_in_memory(
    source: &Source,
    encoding: &'static str,
    rel_path: &str,
    stem: &str,
    keys: &JsonKeys,
    emit: &mut dyn FnMut(Input),
) {
    let mut count = 0;
    let seed = ArraySeed {
        element: ElementSeed {
            base: source.bytes(),
            keys,
        },
        on_element: &mut |element: Element| {
            count += 1;
            let place = RecordPlace::numbered(rel_path, stem, count, InputFormat::Json);
            emit_element(element, source, place, encoding, emit);
            true
        },
    };
    match source.parse(seed) {
        Err(e) => emit(Input::Reject(malformed_tail(rel_path, count, e.to_string()))),
        Ok(()) if count == 0 => emit(Input::Reject(RejectRow {
            source: rel_path.into(),
            reason: "no records: the array is empty".into(),
        })),
        Ok(()) => {}
    }
}

/// A file read in blocks, each in a buffer of the size it needs: a block's
/// buffer lives as long as its records, so room to spare in it is memory
/// held (a 256 KiB buffer for each 5 KB one-record file would hold a
/// batch's worth of them).
/// Bytes of a file around its first byte that is not UTF-8 that decide how
/// the rest is read (see `Repair`).
const REPAIR_WINDOW: usize = 64 << 10;

/// Bytes at the start of a file that tell UTF-16 without a byte-order mark.
const SNIFF_BYTES: usize = 4096;

struct BlockFile {
    path: PathBuf,
    /// The file, as UTF-8.
    reader: Box<dyn Read>,
    /// UTF-16, as a byte-order mark or the zero bytes show it: decoded as
    /// it is read, blocks then being UTF-8 like any other.
    utf16: Option<&'static Encoding>,
    /// Bytes left to read, as the file was listed.
    left: u64,
    at_eof: bool,
}

impl BlockFile {
    fn open(path: &Path, size: u64) -> std::io::Result<BlockFile> {
        let mut file = File::open(path)?;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        (&mut file).take(SNIFF_BYTES as u64).read_to_end(&mut head)?;
        let utf16 = sniff_utf16(&head);
        // The head read goes on into the file, not read again.
        Ok(BlockFile {
            path: path.to_path_buf(),
            reader: utf16_reader(std::io::Cursor::new(head).chain(file), utf16),
            utf16,
            left: size,
            at_eof: false,
        })
    }

    /// Up to `REPAIR_WINDOW` bytes of the file around `offset`, read again.
    fn window_around(&self, offset: u64) -> std::io::Result<Vec<u8>> {
        let mut file = File::open(&self.path)?;
        let start = offset.saturating_sub(REPAIR_WINDOW as u64 / 2);
        file.seek(SeekFrom::Start(start))?;
        let mut window = Vec::with_capacity(REPAIR_WINDOW);
        file.take(REPAIR_WINDOW as u64).read_to_end(&mut window)?;
        Ok(window)
    }

    /// The line (from 1) and column (bytes from the line's start) of
    /// `offset` in the file as UTF-8, read again from its start.
    /// `repaired` is the file offset of its first byte that is not UTF-8
    /// and how the rest was made text: the offset is then one in that text.
    fn line_and_column(&self, offset: u64, repaired: Option<(u64, Repair)>) -> std::io::Result<(usize, usize)> {
        let mut reader = utf16_reader(File::open(&self.path)?, self.utf16);
        let (mut line, mut column) = (1, 0);
        let mut left = offset;
        let mut repaired = repaired;
        // The file offset of `pending`, the bytes of a character cut by the
        // end of what was read, which go on with what is read next.
        let mut read_before = 0u64;
        let mut pending = Vec::new();
        let mut buffer = vec![0; 64 << 10];
        while left > 0 {
            let n = reader.read(&mut buffer)?;
            let at_eof = n == 0;
            let mut chunk = std::mem::take(&mut pending);
            let chunk_start = read_before;
            chunk.extend_from_slice(&buffer[..n]);
            read_before = chunk_start + chunk.len() as u64;
            let text = match &mut repaired {
                Some((first_bad, repair)) if chunk_start + chunk.len() as u64 > *first_bad || at_eof => {
                    let text_until = usize::try_from(first_bad.saturating_sub(chunk_start)).unwrap_or(usize::MAX);
                    let (text, cut) = repair.apply(chunk, text_until, at_eof);
                    read_before -= cut.len() as u64;
                    pending = cut;
                    text
                }
                _ => chunk,
            };
            let counted = &text[..text.len().min(left as usize)];
            advance_line_and_column(&mut line, &mut column, counted);
            left -= counted.len() as u64;
            if at_eof {
                break;
            }
        }
        Ok((line, column))
    }

    /// Appends up to `bytes` bytes of the file to `buffer`.
    fn read_into(&mut self, buffer: &mut Vec<u8>, bytes: usize) -> std::io::Result<()> {
        let expected = self.left.min(bytes as u64) as usize;
        buffer.reserve_exact(expected);
        let read = (&mut self.reader).take(bytes as u64).read_to_end(buffer)?;
        self.left = self.left.saturating_sub(read as u64);
        self.at_eof = read < bytes;
        Ok(())
    }
}

/// What a block is parsed behind, standing for the part of the array before
/// it: nothing at the start of the file (which the block then holds from its
/// first byte), an array with one element once elements were read (the block
/// then goes on after an element, with `,` or `]`), and a closed array once
/// the array ended (the block then holds what follows it, to be checked for
/// trailing characters). serde_json then checks the array's syntax across
/// blocks, and its errors read as over the whole file once their place is
/// put back in the file's lines (see `ArrayBlocks::error`).
const AT_START: &[u8] = b"";
const AFTER_ELEMENT: &[u8] = b"[{}";
const AFTER_ARRAY: &[u8] = b"[]";

/// A JSON array read block by block. Each block is parsed with the same
/// serde visitor as a whole file, behind a prefix that stands for what came
/// before; the parse stops at the end of the block, and its unfinished last
/// element goes on into the next block. A block holds the block size, or up
/// to twice the largest element when one is larger (or the longest run of
/// white space between elements), whatever the size of the file.
struct ArrayBlocks<'a> {
    file: BlockFile,
    /// The name of what the file was in before it became UTF-8.
    encoding: &'static str,
    /// How bytes that are not UTF-8 are made text, once some were met, and
    /// the file offset of the first.
    repair: Option<(Repair, u64)>,
    rel_path: &'a str,
    stem: &'a str,
    keys: &'a JsonKeys,
    block_bytes: usize,
}

impl ArrayBlocks<'_> {
    /// Emits the records of the array whose first bytes are `bytes`, read
    /// from offset `start` of the file (after nothing but white space);
    /// returns the reject of its unreadable rest, or of an empty array.
    fn read(mut self, mut bytes: Vec<u8>, start: u64, emit: &mut dyn FnMut(Input)) -> Option<RejectRow> {
        let mut prefix = AT_START;
        // The file offset of the block's first byte after the prefix.
        let mut origin = start;
        // Bytes of the file the next block should hold after its prefix.
        let mut wanted = self.block_bytes;
        let mut count = 0u64;
        // Where the bytes read from the file start in `bytes`: what comes
        // before (the prefix, the carried rest of a block) is text already.
        let mut raw_from = 0;
        loop {
            let held = bytes.len() - prefix.len();
            if !self.file.at_eof && held < wanted {
                if let Err(e) = self.file.read_into(&mut bytes, wanted - held) {
                    return Some(self.unreadable(count, &e));
                }
            }
            // A block cut inside a character holds the text before it; the
            // character's first bytes go on into the next block.
            let at_eof = self.file.at_eof;
            // Records that end before the file's first byte that is not
            // UTF-8 were UTF-8, in the block where repairs begin too.
            let mut utf8_until = 0;
            let (source, cut) = match (&mut self.repair, bytes) {
                (Some((repair, _)), bytes) => {
                    let (text, cut) = repair.apply(bytes, raw_from, at_eof);
                    let text = String::from_utf8(text).expect("repaired text is UTF-8");
                    (Source::Text(Arc::new(text)), cut)
                }
                (None, bytes) => match String::from_utf8(bytes) {
                    Ok(text) => (Source::Text(Arc::new(text)), Vec::new()),
                    Err(e) if e.utf8_error().error_len().is_none() && !at_eof => {
                        let valid = e.utf8_error().valid_up_to();
                        let mut text = e.into_bytes();
                        let cut = text.split_off(valid);
                        let text = String::from_utf8(text).expect("checked up to here");
                        (Source::Text(Arc::new(text)), cut)
                    }
                    // Bytes that are not UTF-8: from the first of them on,
                    // the file is repaired as it is read (see `Repair`).
                    Err(e) => {
                        let first_bad = e.utf8_error().valid_up_to();
                        let at = origin + (first_bad - prefix.len()) as u64;
                        let repair = match self.file.window_around(at) {
                            Ok(window) => Repair::choose(&window),
                            Err(e) => return Some(self.unreadable(count, &e)),
                        };
                        let (repair, _) = self.repair.insert((repair, at));
                        utf8_until = first_bad;
                        self.encoding = repair.encoding();
                        let (text, cut) = repair.apply(e.into_bytes(), first_bad, at_eof);
                        let text = String::from_utf8(text).expect("repaired text is UTF-8");
                        (Source::Text(Arc::new(text)), cut)
                    }
                },
            };
            let base = source.bytes();
            let mut element_ends = ElementEnds {
                // Before the first element: the array's `[` at the start of
                // the file, or the prefix's one element.
                last: None,
                previous: if prefix == AT_START {
                    base.iter().position(|&b| b == b'[').map_or(0, |at| at + 1)
                } else {
                    prefix.len()
                },
                skip_one: prefix == AFTER_ELEMENT,
            };
            let (rel_path, stem, encoding) = (self.rel_path, self.stem, self.encoding);
            let seed = ArraySeed {
                element: ElementSeed { base, keys: self.keys },
                on_element: &mut |element: Element| {
                    if std::mem::take(&mut element_ends.skip_one) {
                        return true;
                    }
                    let end = match &element {
                        Element::Object(Split { end: Some(end), .. }) => *end,
                        _ => match raw_value_end(base, element_ends.previous) {
                            // What ends with the block may be a number that
                            // goes on in the next one: it is parsed again
                            // with that block.
                            Some(end) if end < base.len() || at_eof => end,
                            _ => return false,
                        },
                    };
                    element_ends.previous = end;
                    element_ends.last = Some(end);
                    count += 1;
                    let place = RecordPlace::numbered(rel_path, stem, count, InputFormat::Json);
                    let encoding = if end <= utf8_until { "UTF-8" } else { encoding };
                    emit_element(element, &source, place, encoding, emit);
                    true
                },
            };
            let (next_prefix, keep_from) = match source.parse(seed) {
                Ok(()) if self.file.at_eof => {
                    return (count == 0).then(|| RejectRow {
                        source: self.rel_path.to_owned(),
                        reason: "no records: the array is empty".into(),
                    });
                }
                Ok(()) => (AFTER_ARRAY, base.len()),
                // The input ran out, or the error sits at the block's last
                // byte: inside an object, a number cut after `-`, `.` or `e`
                // is an invalid number, not an early end. The next block
                // decides.
                Err(e) if !self.file.at_eof && (e.is_eof() || error_at_end(&e, base)) => match element_ends.last {
                    Some(end) => (AFTER_ELEMENT, end),
                    None => (prefix, prefix.len()),
                },
                Err(e) => return Some(malformed_tail(self.rel_path, count, self.error(&e, prefix, origin))),
            };
            // An element longer than the block: the next block is twice as
            // long, so that a record of any size is parsed a few times at most.
            wanted = if keep_from == prefix.len() && next_prefix == prefix {
                2 * (base.len() - prefix.len() + cut.len()).max(self.block_bytes)
            } else {
                self.block_bytes
            };
            origin += (keep_from - prefix.len()) as u64;
            let rest = &base[keep_from..];
            bytes = Vec::with_capacity(next_prefix.len() + rest.len() + cut.len());
            bytes.extend_from_slice(next_prefix);
            bytes.extend_from_slice(rest);
            bytes.extend_from_slice(&cut);
            raw_from = next_prefix.len() + rest.len();
            prefix = next_prefix;
        }
    }

    /// serde_json's message for an error in a block behind `prefix` whose
    /// first byte after the prefix is at `origin` in the file, with the
    /// line and column in the file. Lines are counted only here, by reading
    /// the file again up to `origin`: errors are rare, and blocks go by.
    fn error(&mut self, e: &serde_json::Error, prefix: &[u8], origin: u64) -> String {
        let message = e.to_string();
        if e.line() == 0 {
            return message;
        }
        let position = format!(" at line {} column {}", e.line(), e.column());
        let message = message.strip_suffix(&position).unwrap_or(&message);
        let repaired = self
            .repair
            .as_ref()
            .map(|(repair, first_bad)| (*first_bad, repair.fresh()));
        let (origin_line, origin_column) = match self.file.line_and_column(origin, repaired) {
            Ok(place) => place,
            Err(count_error) => return format!("{message} (its line could not be counted: {count_error})"),
        };
        let (line, column) = if e.line() == 1 {
            (origin_line, origin_column + e.column().saturating_sub(prefix.len()))
        } else {
            (origin_line + e.line() - 1, e.column())
        };
        format!("{message} at line {line} column {column}")
    }

    fn unreadable(&self, count: u64, e: &std::io::Error) -> RejectRow {
        RejectRow {
            source: format!("{}#{}", self.rel_path, count + 1),
            reason: format!("cannot read file after {count} good record(s): {e}; the rest of the file is skipped"),
        }
    }
}

/// Where the elements of a block end, as its parse goes.
struct ElementEnds {
    /// The end of the last element read in full.
    last: Option<usize>,
    /// Where the next element's search starts: the end of the one before,
    /// or the array's opening.
    previous: usize,
    /// The next element is the prefix's, not the file's.
    skip_one: bool,
}

/// How an array file with bytes that are not UTF-8 is made text, from the
/// first of them to its end: as a one-record file or a JSON line is
/// (`record_text`), the choice made on the file's bytes around that first
/// one, so that it does not depend on where blocks end. serde_json would
/// otherwise reject the rest of the file at the first such byte. (Past that
/// point, a malformed array's error counts lines and columns in the repaired
/// text, which can be off from the file's.)
enum Repair {
    /// UTF-8 but for stray bytes, each made U+FFFD.
    Lossy,
    /// A legacy encoding, decoded as the file is read.
    Legacy(encoding_rs::Decoder),
}

impl Repair {
    fn choose(raw: &[u8]) -> Repair {
        if mostly_utf8(raw) {
            return Repair::Lossy;
        }
        Repair::Legacy(detect(raw).new_decoder_without_bom_handling())
    }

    fn encoding(&self) -> &'static str {
        match self {
            Repair::Lossy => "UTF-8",
            Repair::Legacy(decoder) => decoder.encoding().name(),
        }
    }

    /// The same repair, from the start.
    fn fresh(&self) -> Repair {
        match self {
            Repair::Lossy => Repair::Lossy,
            Repair::Legacy(decoder) => Repair::Legacy(decoder.encoding().new_decoder_without_bom_handling()),
        }
    }

    /// `bytes` made text: those before `raw_from` are text already (or
    /// UTF-8 before the file's first bad byte), the rest are as read. Returns the text and the bytes of a character cut
    /// by the block's end, which go on into the next block.
    fn apply(&mut self, bytes: Vec<u8>, raw_from: usize, at_eof: bool) -> (Vec<u8>, Vec<u8>) {
        let (text, raw) = bytes.split_at(raw_from.min(bytes.len()));
        let mut text = text.to_vec();
        match self {
            Repair::Lossy => {
                let cut_at = match raw.utf8_chunks().last() {
                    Some(chunk)
                        if !at_eof
                            && !chunk.invalid().is_empty()
                            && std::str::from_utf8(chunk.invalid()).is_err_and(|e| e.error_len().is_none()) =>
                    {
                        raw.len() - chunk.invalid().len()
                    }
                    _ => raw.len(),
                };
                text.extend_from_slice(String::from_utf8_lossy(&raw[..cut_at]).as_bytes());
                (text, raw[cut_at..].to_vec())
            }
            Repair::Legacy(decoder) => {
                let mut decoded =
                    String::with_capacity(decoder.max_utf8_buffer_length(raw.len()).unwrap_or(raw.len() * 3));
                let _ = decoder.decode_to_string(raw, &mut decoded, at_eof);
                text.extend_from_slice(decoded.as_bytes());
                (text, Vec::new())
            }
        }
    }
}

/// The end of the JSON value after `after` (and its separating comma) in
/// `base`, which was just parsed: for elements whose end the split does not
/// give (empty objects, and what is no object, to be rejected).
fn raw_value_end(base: &[u8], after: usize) -> Option<usize> {
    let mut at = skip_space(base, after);
    if base.get(at) == Some(&b',') {
        at = skip_space(base, at + 1);
    }
    // Skipped as the split skipped it, checking no more (a `RawValue`
    // checks UTF-8, which an ignored string is not). The stream's offset is
    // past the value even when what follows is no separator.
    let mut values = serde_json::Deserializer::from_slice(&base[at..]).into_iter::<IgnoredAny>();
    let _ = values.next()?;
    let read = values.byte_offset();
    (read > 0).then_some(at + read)
}

/// The first byte at or after `at` in `bytes` that is not JSON white space
/// (`bytes.len()` if none).
fn skip_space(bytes: &[u8], at: usize) -> usize {
    at + bytes[at..].iter().take_while(|b| b.is_ascii_whitespace()).count()
}

/// Whether serde_json placed `e` at the end of `base`, the text it parsed.
fn error_at_end(e: &serde_json::Error, base: &[u8]) -> bool {
    let (mut line, mut column) = (1, 0);
    advance_line_and_column(&mut line, &mut column, base);
    e.line() == line && e.column() == column
}

/// Moves a line (from 1) and column (bytes from the line's start) on past
/// `text`, as serde_json counts them.
fn advance_line_and_column(line: &mut usize, column: &mut usize, text: &[u8]) {
    match memchr::memrchr(b'\n', text) {
        Some(last) => {
            *line += memchr::memchr_iter(b'\n', text).count();
            *column = text.len() - last - 1;
        }
        None => *column += text.len(),
    }
}

/// The reject of an array's unparsable rest: the records before the fault
/// were emitted, the rest of the file cannot be parsed and goes as a whole.
fn malformed_tail(rel_path: &str, good: u64, error: String) -> RejectRow {
    RejectRow {
        source: format!("{rel_path}#{}", good + 1),
        reason: format!("malformed JSON after {good} good record(s): {error}; the rest of the file is skipped"),
    }
}

/// Visits a JSON array and hands each element, as `element` reads it
/// (split into members, or as raw text), to a callback: the array is checked
/// for well-formedness here, without building any tree.
struct ArraySeed<'f, S, T> {
    element: S,
    /// False: stop before the next element.
    on_element: &'f mut dyn FnMut(T) -> bool,
}

impl<'de, S: DeserializeSeed<'de, Value = T> + Clone, T> DeserializeSeed<'de> for ArraySeed<'_, S, T> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, S: DeserializeSeed<'de, Value = T> + Clone, T> Visitor<'de> for ArraySeed<'_, S, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element_seed(self.element.clone())? {
            if !(self.on_element)(element) {
                break;
            }
        }
        Ok(())
    }
}

/// Reads a JSON Lines file line by line; a bad line is rejected alone.
/// Lines are UTF-8 unless a byte-order mark says otherwise, and a line that
/// is not UTF-8 is decoded as `record_text` says.
pub fn read_json_lines(path: &Path, rel_path: &str, stem: &str, emit: &mut dyn FnMut(Input)) {
    let cannot_read = |emit: &mut dyn FnMut(Input), source: String, reason: String| {
        emit(Input::Reject(RejectRow { source, reason }));
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return cannot_read(emit, rel_path.to_owned(), format!("cannot read file: {e}")),
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut lines = JsonLines {
        rel_path,
        stem,
        number: 0,
        records: 0,
        legacy: None,
    };
    let head = match reader.fill_buf() {
        Ok(head) => head,
        Err(e) => return cannot_read(emit, rel_path.to_owned(), format!("cannot read file: {e}")),
    };
    if let Some(kind) = compressed_kind(head) {
        let reason = format!("{kind}-compressed file: decompress it first (readout reads no compressed files)");
        return cannot_read(emit, rel_path.to_owned(), reason);
    }
    // A UTF-16 file is decoded as it is read, and its lines found in the
    // text.
    let utf16 = sniff_utf16(head);
    // A file whose first MiB has carriage returns and no line feed ends its
    // lines with a lone `\r` (classic Mac OS, some exports); it was read as
    // one line, held whole in memory, and one reject. Elsewhere a lone `\r`
    // is white space inside a line, as JSON reads it, and only `\n` ends one.
    let cr_ends_lines =
        utf16.is_none() && memchr::memchr(b'\n', head).is_none() && memchr::memchr(b'\r', head).is_some();
    if head.starts_with(UTF8_BOM) {
        reader.consume(UTF8_BOM.len());
    }
    let mut reader: Box<dyn BufRead> = match utf16 {
        Some(encoding) => Box::new(BufReader::with_capacity(1 << 20, utf16_reader(reader, Some(encoding)))),
        None => Box::new(reader),
    };
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = if cr_ends_lines {
            read_line_cr(&mut reader, &mut line)
        } else {
            reader.read_until(b'\n', &mut line)
        };
        match read {
            Ok(0) => break,
            Ok(_) => lines.line(line.clone(), utf16.map(Encoding::name), emit),
            Err(e) => {
                let source = format!("{rel_path}#{}", lines.number + 1);
                return cannot_read(emit, source, format!("cannot read file past this line: {e}"));
            }
        }
    }
    lines.finish(emit);
}

/// Appends a line to `line`, its ending included: a lone `\r`, `\r\n` or
/// `\n`. Returns the bytes read, 0 at the end.
fn read_line_cr(reader: &mut dyn BufRead, line: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut read = 0;
    loop {
        let buffer = match reader.fill_buf() {
            Ok(buffer) => buffer,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buffer.is_empty() {
            return Ok(read);
        }
        // A `\r` ended the last buffer: a `\n` right after it is the same ending.
        if read > 0 && line.last() == Some(&b'\r') {
            if buffer[0] == b'\n' {
                line.push(b'\n');
                reader.consume(1);
                read += 1;
            }
            return Ok(read);
        }
        let (taken, done) = match memchr::memchr2(b'\n', b'\r', buffer) {
            Some(end) if buffer[end] == b'\n' => (end + 1, true),
            Some(end) if end + 1 < buffer.len() => (end + 1 + usize::from(buffer[end + 1] == b'\n'), true),
            // A `\r` last in the buffer, or no ending yet: the line goes on.
            _ => (buffer.len(), false),
        };
        line.extend_from_slice(&buffer[..taken]);
        reader.consume(taken);
        read += taken;
        if done {
            return Ok(read);
        }
    }
}

/// The lines of a JSON Lines file, numbered as they are read.
struct JsonLines<'a> {
    rel_path: &'a str,
    stem: &'a str,
    number: u64,
    records: u64,
    /// The encoding of the first line found not to be UTF-8.
    legacy: Option<&'static Encoding>,
}

impl JsonLines<'_> {
    /// The next line, in text already decoded from `encoding` or, without
    /// one, as read.
    fn line(&mut self, line: Vec<u8>, encoding: Option<&'static str>, emit: &mut dyn FnMut(Input)) {
        self.number += 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            return;
        }
        self.records += 1;
        let place = RecordPlace::numbered(self.rel_path, self.stem, self.number, InputFormat::JsonLines);
        let text = match encoding {
            Some(encoding) => Ok((Source::new(line), encoding)),
            None => record_text(line, &mut self.legacy),
        };
        match text {
            Ok((source, encoding)) => emit_record(source, None, place, encoding, emit),
            Err(reason) => emit(Input::Reject(RejectRow {
                source: place.source,
                reason: format!("line not readable as text: {reason}"),
            })),
        }
    }

    fn finish(self, emit: &mut dyn FnMut(Input)) {
        if self.records == 0 {
            emit(Input::Reject(RejectRow {
                source: self.rel_path.to_owned(),
                reason: if self.number == 0 {
                    "empty file".into()
                } else {
                    "no records: every line is blank".into()
                },
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RawText;
    use crate::read::decode::utf16_bytes;

    /// Id, text, title and outlet of an article; `source: reason` of a reject.
    type Mapped = Result<(String, String, Option<String>, Option<String>), String>;

    fn fields() -> FieldMap {
        FieldMap {
            title: vec!["title".into()],
            outlet: vec!["meta.site".into()],
            ..FieldMap::default()
        }
    }

    /// Reads `json` as a `.json` file and maps every record.
    fn read_records(json: impl AsRef<[u8]>) -> Vec<Mapped> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, json).unwrap();
        read_file_in_blocks(&path, BLOCK_BYTES)
    }

    /// Reads the file at `path` as `a.json`, in blocks of `block_bytes`.
    fn read_file_in_blocks(path: &Path, block_bytes: usize) -> Vec<Mapped> {
        let (fields, size) = (fields(), std::fs::metadata(path).unwrap().len());
        let keys = JsonKeys::new(&fields);
        let mut inputs = Vec::new();
        read_json_in_blocks(path, "a.json", "a", size, &keys, block_bytes, &mut |input| {
            inputs.push(input)
        });
        map_inputs(inputs, &fields, &keys)
    }

    /// An array read by one parse of the whole file (as readout read files
    /// before it read them in blocks): what reading in blocks must give,
    /// records and errors alike.
    fn read_array_whole(json: &[u8]) -> Vec<Mapped> {
        let fields = fields();
        let keys = JsonKeys::new(&fields);
        let mut inputs = Vec::new();
        // Bytes that are not UTF-8 are repaired from the first of them, as
        // the choice made on the bytes around it says.
        let (source, encoding) = match std::str::from_utf8(json) {
            Ok(text) => (Source::Text(Arc::new(text.to_owned())), "UTF-8"),
            Err(e) => {
                let first_bad = e.valid_up_to();
                let window = &json[first_bad.saturating_sub(REPAIR_WINDOW / 2)
                    ..json
                        .len()
                        .min(first_bad.saturating_sub(REPAIR_WINDOW / 2) + REPAIR_WINDOW)];
                let mut repair = Repair::choose(window);
                let (text, _) = repair.apply(json.to_vec(), first_bad, true);
                (
                    Source::Text(Arc::new(String::from_utf8(text).unwrap())),
                    repair.encoding(),
                )
            }
        };
        read_array_in_memory(&source, encoding, "a.json", "a", &keys, &mut |input| inputs.push(input));
        map_inputs(inputs, &fields, &keys)
    }

    /// Writes `json` to `path` and checks that reading it in blocks of each
    /// size gives what one parse of the whole gives.
    fn assert_read_in_blocks_as_whole(path: &Path, json: &[u8], block_sizes: impl IntoIterator<Item = usize>) {
        std::fs::write(path, json).unwrap();
        let whole = read_array_whole(json);
        for block_bytes in block_sizes {
            assert_eq!(
                read_file_in_blocks(path, block_bytes),
                whole,
                "{:?} in blocks of {block_bytes}",
                String::from_utf8_lossy(json)
            );
        }
    }

    /// The article a reader's input maps to, and its decoded text and
    /// encoding; `source: reason` of a reject.
    fn article_of(
        input: Input,
        fields: &FieldMap,
        keys: &JsonKeys,
    ) -> Result<(RawArticle, String, &'static str), String> {
        match input {
            Input::JsonRecord(record) => match parse_record(*record, fields, keys) {
                Ok(article) => match &article.body {
                    RawText::Decoded { text, encoding } => Ok((article.clone(), text.clone(), *encoding)),
                    RawText::Bytes(_) => unreachable!("JSON text is decoded"),
                },
                Err(row) => Err(format!("{}: {}", row.source, row.reason)),
            },
            Input::Reject(row) => Err(format!("{}: {}", row.source, row.reason)),
            Input::Article(_) | Input::TextFile(_) => unreachable!("JSON gives records"),
        }
    }

    fn map_inputs(inputs: Vec<Input>, fields: &FieldMap, keys: &JsonKeys) -> Vec<Mapped> {
        inputs
            .into_iter()
            .map(|input| {
                let (article, text, _) = article_of(input, fields, keys)?;
                Ok((article.article_id, text, article.meta.title, article.meta.outlet))
            })
            .collect()
    }

    #[test]
    fn array_elements_are_split_into_members_by_the_reader() {
        let records = read_records(
            r#"[{"t\u0069tle": "Escaped key", "text": "first", "text": "last \"wins\"", "meta": {"site": "S"}},
               "loose", 7, null, [1, {"a": 2}], {"title": "No text"}, {"text": "plain"}]"#,
        );
        assert_eq!(
            records,
            vec![
                Ok((
                    "a-000001".into(),
                    "last \"wins\"".into(),
                    Some("Escaped key".into()),
                    Some("S".into())
                )),
                Err("a.json#2: record is a string, not a JSON object".into()),
                Err("a.json#3: record is a number, not a JSON object".into()),
                Err("a.json#4: record is null, not a JSON object".into()),
                Err("a.json#5: record is an array, not a JSON object".into()),
                Err(
                    "a.json#6: record has no text: none of the fields `text`, `maintext` holds a non-empty value"
                        .into()
                ),
                Ok(("a-000007".into(), "plain".into(), None, None)),
            ]
        );
    }

    #[test]
    fn keys_that_share_their_first_bytes_and_length_keep_their_own_places() {
        let fields = FieldMap {
            id: vec!["published_1".into()],
            title: vec!["published_2.main".into(), "id".into()],
            text: vec!["published_2".into()],
            ..FieldMap::default()
        };
        let keys = JsonKeys::new(&fields);
        assert_eq!(keys.slot(b"published_1"), Some(0));
        assert_eq!(keys.slot(b"published_2"), Some(1));
        assert_eq!(keys.slot(b"id"), Some(2));
        assert_eq!(keys.slot(b"published_3"), None);
        assert_eq!(keys.slot(b"publishe"), None);
        assert_eq!(keys.slot(b""), None);
    }

    #[test]
    fn an_array_that_is_not_utf8_is_decoded_from_its_first_bad_byte() {
        // Latin-1 from the second record on: that and what follows are
        // decoded; the first record, before it, was UTF-8.
        let latin1 = b"[{\"text\": \"d\xc3\xa9j\xc3\xa0\"}, {\"text\": \"Le caf\xe9 est ferm\xe9 depuis l'\xe9t\xe9 dernier, a d\xe9clar\xe9 le ministre.\"}, {\"text\": \"l'\xe9t\xe9\"}]";
        assert_eq!(
            read_named("a.json", latin1),
            vec![
                Ok(("déjà".into(), None, None, "UTF-8")),
                Ok((
                    "Le café est fermé depuis l'été dernier, a déclaré le ministre.".into(),
                    None,
                    None,
                    "windows-1252"
                )),
                Ok(("l'été".into(), None, None, "windows-1252")),
            ]
        );
        // UTF-8 with a stray byte loses that byte only.
        let stray = b"[{\"text\": \"Z\xc3\xbcrich caf\xc3\xa9\"}, {\"text\": \"na\xc3\xafve \xff r\xc3\xa9sum\xc3\xa9\"}, {\"text\": \"d\xc3\xa9j\xc3\xa0\"}]";
        assert_eq!(
            read_named("a.json", stray),
            vec![
                Ok(("Zürich café".into(), None, None, "UTF-8")),
                Ok(("naïve \u{FFFD} résumé".into(), None, None, "UTF-8")),
                Ok(("déjà".into(), None, None, "UTF-8")),
            ]
        );
    }

    /// Past the first byte that is not UTF-8, an error's line and column
    /// are counted over the repaired text, as one parse of it counts them
    /// (counted over the file's bytes, they were off).
    #[test]
    fn error_lines_after_a_repair_are_counted_in_the_repaired_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        // On one line, the error's column counts every byte before it.
        for (pad, end) in [("", "\n"), (" ", "\n"), ("", " "), (" ", " ")] {
            let line = format!("{{\"text\": \"{}\"}},{end}", "é".repeat(200));
            let mut json = format!("[{pad}{{\"text\": \"café naïve stray:").into_bytes();
            json.extend_from_slice(b"\xff\"},\n");
            while json.len() < 3 * (64 << 10) {
                json.extend_from_slice(line.as_bytes());
            }
            json.extend_from_slice(b"{\"text\": \"bad\" x}]");
            assert_read_in_blocks_as_whole(&path, &json, [BLOCK_BYTES, 1000]);
        }
    }

    /// Sizes of the first block, down to a byte; later blocks end where
    /// carrying over puts them.
    const BLOCK_SIZES: [usize; 8] = [1, 2, 3, 5, 8, 13, 64, 1 << 20];

    #[test]
    fn arrays_read_in_blocks_give_what_one_parse_of_the_file_gives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let files: [&[u8]; 10] = [
            br#" [{"t\u0069tle": "Escaped key", "text": "last \"wins\"", "meta": {"site": "S"}},
               "loose", 7, true, null, [1, {"a": 2}], {"title": "No text"}, {"text": "plain"}, {}, { }] "#,
            b"[{\"text\": \"good\"}, {\"text\": \"caf\xE9\"}, {\"text\": \"lost\"}]",
            br#"[{"text": "kept"}, {"text": "cut off"#,
            br#"[{"text": "kept"}] trailing"#,
            b"[{\"text\": \"kept\"}]\n\n   \n  x",
            br#"[{"text": "kept"}, 12, 345]"#,
            br#"[{"text": "kept"},
                {"text": "bad" "comma"}]"#,
            br#"[{"text": "a"},]"#,
            "[{\"text\": \"Шойгу и Белоусов — €\"},\n {\"text\": \"ok\"} ]".as_bytes(),
            b"[]",
        ];
        for json in files {
            assert_read_in_blocks_as_whole(&path, json, BLOCK_SIZES);
            // The same in UTF-16, decoded as it is read: the same records,
            // and errors at the same lines (columns count UTF-8 bytes).
            if let Ok(text) = std::str::from_utf8(json) {
                let whole = read_array_whole(json);
                for big_endian in [false, true] {
                    let utf16 = utf16_bytes(&format!("\u{FEFF}{text}"), big_endian);
                    std::fs::write(&path, &utf16).unwrap();
                    for block_bytes in BLOCK_SIZES {
                        assert_eq!(
                            read_file_in_blocks(&path, block_bytes),
                            whole,
                            "{text:?} in UTF-16, blocks of {block_bytes}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn arrays_damaged_anywhere_read_in_blocks_like_one_parse() {
        let elements: [&str; 13] = [
            r#"{"text": "plain"}"#,
            r#"{"title": "T", "text": "a\nb"}"#,
            "{}",
            "{ \n }",
            r#""loose""#,
            "12",
            "-3.5e2",
            "true",
            "null",
            r#"[1, {"a": [2, "]"]}]"#,
            r#"{"text": "caf\u00e9 ünï €", "x": {"y": "}"}}"#,
            r#"{"text": "quote \" and \\ and {[", "n": 123}"#,
            r#"{"meta": {"site": "S"}, "text": "x", "z": [] }"#,
        ];
        let separators = [",", " , ", ",\n", "\n,\n  "];
        let damage: [&[u8]; 10] = [b",", b"]", b"}", b"\"", b"x", b"1", b"\n", b"\xE9", b"\xC3", b" "];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let mut draw = crate::test_text::numbers(0x2545_F491_4F6C_DD1D);
        for _ in 0..1_500 {
            let mut json: Vec<u8> = ["", "  \n", "\n\n "][draw(3)].into();
            json.push(b'[');
            for i in 0..draw(6) {
                if i > 0 {
                    json.extend_from_slice(separators[draw(separators.len())].as_bytes());
                }
                json.extend_from_slice(elements[draw(elements.len())].as_bytes());
            }
            json.extend_from_slice(["]", "]\n", " ]  \n "][draw(3)].as_bytes());
            // Most files get one or two faults: a byte lost, one added, or
            // the file cut short.
            for _ in 0..draw(3) {
                let at = draw(json.len() + 1);
                match draw(3) {
                    0 if at < json.len() => {
                        json.remove(at);
                    }
                    1 => {
                        let bytes = damage[draw(damage.len())];
                        json.splice(at..at, bytes.iter().copied());
                    }
                    _ => json.truncate(at.max(1)),
                }
            }
            if json.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'[') {
                continue; // not an array any more: read by other paths
            }
            assert_read_in_blocks_as_whole(&path, &json, BLOCK_SIZES);
        }
    }

    #[test]
    fn numbers_cut_anywhere_inside_records_are_read_whole() {
        let elements: [&str; 8] = [
            r#"{"text": "a", "lat": -33.85, "score": 1.5e-3}"#,
            r#"{"n": -1.5e+3, "text": "b"}"#,
            r#"{"m": [0.5, -2E-2, 3e7], "text": "c"}"#,
            "-0.5e-10",
            "12345678901234567890123",
            r#"[1, -2.5, 3e7]"#,
            r#"{"text": "d", "x": {"y": 0.25}}"#,
            "{}",
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let mut draw = crate::test_text::numbers(0x9E6C_63D0_676A_9A99);
        for _ in 0..150 {
            let mut json: Vec<u8> = b"[".to_vec();
            for i in 0..1 + draw(4) {
                if i > 0 {
                    json.extend_from_slice([",", ", ", ",\n"][draw(3)].as_bytes());
                }
                json.extend_from_slice(elements[draw(elements.len())].as_bytes());
            }
            json.push(b']');
            if draw(4) == 0 {
                json.truncate(json.len() - 1 - draw(4)); // cut short
            }
            // Every first-block size: each byte of the file ends a block once.
            assert_read_in_blocks_as_whole(&path, &json, 1..=json.len() + 1);
        }
    }

    #[test]
    fn white_space_longer_than_a_block_is_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let space = " \n".repeat(50);
        for json in [
            format!("{space}[{space}{{\"text\": \"a\"}}{space},{space}{{\"text\": \"b\"}}{space}]{space}"),
            format!("{space}[{{\"text\": \"a\"}},{space}x]"),
            format!("{space}[]{space}"),
        ] {
            assert_read_in_blocks_as_whole(&path, json.as_bytes(), BLOCK_SIZES);
        }
        std::fs::write(&path, format!("{space}{{\"id\": \"x1\", \"text\": \"one\"}}")).unwrap();
        assert_eq!(
            read_file_in_blocks(&path, 8),
            vec![Ok(("x1".into(), "one".into(), None, None))]
        );
        std::fs::write(&path, &space).unwrap();
        assert_eq!(
            read_file_in_blocks(&path, 8),
            vec![Err("a.json: empty file".to_string())]
        );
    }

    #[test]
    fn a_record_larger_than_a_block_is_read_whole() {
        let text = "word ".repeat(10_000);
        let json = format!(r#"[{{"text": "short"}}, {{"text": "{text}"}}, {{"text": "after"}}]"#);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, &json).unwrap();
        let records = read_file_in_blocks(&path, 100);
        assert_eq!(records.len(), 3);
        assert_eq!(records[1], Ok(("a-000002".into(), text, None, None)));
        assert_eq!(records[2], Ok(("a-000003".into(), "after".into(), None, None)));
        assert_eq!(read_records("  \n "), vec![Err("a.json: empty file".to_string())]);
    }

    #[test]
    fn a_lone_record_is_split_by_the_worker() {
        assert_eq!(
            read_records(r#" {"id": "x1", "text": "caf\u00e9", "meta": {"site": "S"}} "#),
            vec![Ok(("x1".into(), "café".into(), None, Some("S".into())))]
        );
        let broken = read_records(r#"{"text": "a", }"#);
        assert!(
            matches!(&broken[..], [Err(e)] if e.starts_with("a.json: malformed JSON: trailing comma")),
            "{broken:?}"
        );
        assert_eq!(
            read_records(r#"{"text": "a"} {"#),
            vec![Err(
                "a.json: malformed JSON: trailing characters at line 1 column 15 (one record per line is JSON Lines: name the file .jsonl)".into()
            )]
        );
    }

    #[test]
    fn string_literals_unescape_like_serde_json() {
        for literal in [
            r#""plain""#,
            r#""line\nbreak \"quoted\" back\\slash \/ tab\t""#,
            r#""caf\u00e9 \ud83d\ude00 end""#,
            r#""""#,
        ] {
            let expected: String = serde_json::from_str(literal).unwrap();
            assert_eq!(
                unescape_string(literal).as_deref(),
                Some(expected.as_str()),
                "{literal}"
            );
        }
        assert_eq!(unescape_string(r#""bad \x""#), None);
        assert_eq!(unescape_string("42"), None);
    }

    #[test]
    fn surrogates_without_their_other_half_become_replacement_characters() {
        for (literal, text) in [
            (r#""cut \ud83d""#, "cut \u{FFFD}"),
            (r#""\ud83d\u0041 high then A""#, "\u{FFFD}A high then A"),
            (r#""\ude00 low alone""#, "\u{FFFD} low alone"),
            (r#""\ud83d\ud83d\ude00 two highs""#, "\u{FFFD}\u{1F600} two highs"),
        ] {
            assert_eq!(unescape_string(literal).as_deref(), Some(text), "{literal}");
        }
        // Nested values take the general path.
        let raw = r#"{"site": "Le Monde \ud83d", "kept": "\\ud83d \ud83d\ude00"}"#;
        let fixed = without_lone_surrogates(raw).unwrap();
        let value: Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(value["site"], "Le Monde \u{FFFD}");
        assert_eq!(
            value["kept"], "\\ud83d \u{1F600}",
            "an escaped backslash is not an escape"
        );
        assert_eq!(without_lone_surrogates(r#"{"a": "\ud83d\ude00", "b": 1,}"#), None);
    }

    /// Text, title, outlet and encoding of a record; `source: reason` of a
    /// reject.
    type Decoded = Result<(String, Option<String>, Option<String>, &'static str), String>;

    /// Each record of a file `name` holding `bytes`.
    fn read_named(name: &str, bytes: &[u8]) -> Vec<Decoded> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let fields = fields();
        let keys = JsonKeys::new(&fields);
        let mut inputs = Vec::new();
        let stem = name.split('.').next().unwrap();
        if name.ends_with(".jsonl") {
            read_json_lines(&path, name, stem, &mut |input| inputs.push(input));
        } else {
            read_json(&path, name, stem, bytes.len() as u64, &keys, &mut |input| {
                inputs.push(input)
            });
        }
        inputs
            .into_iter()
            .map(|input| {
                let (article, text, encoding) = article_of(input, &fields, &keys)?;
                Ok((text, article.meta.title, article.meta.outlet, encoding))
            })
            .collect()
    }

    #[test]
    fn a_lone_surrogate_costs_a_character_not_the_field() {
        let json = r#"{"title": "T \ud800", "text": "Body \udc00 here.", "meta": {"site": "S \ud83d"}}"#;
        for name in ["one.json", "lines.jsonl"] {
            assert_eq!(
                read_named(name, json.as_bytes()),
                vec![Ok((
                    "Body \u{FFFD} here.".into(),
                    Some("T \u{FFFD}".into()),
                    Some("S \u{FFFD}".into()),
                    "UTF-8"
                ))],
                "{name}"
            );
        }
        let array = format!("[{json}, {json}]");
        assert!(read_named("many.json", array.as_bytes())
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.0 == "Body \u{FFFD} here.")));
        // In a key, it makes a name no field has; the array goes on.
        let keyed = r#"[{"text": "a"}, {"te\ud800xt": 1, "text": "b"}, {"text": "c"}]"#;
        let texts: Vec<String> = read_named("many.json", keyed.as_bytes())
            .into_iter()
            .map(|r| r.unwrap().0)
            .collect();
        assert_eq!(texts, ["a", "b", "c"]);
    }

    #[test]
    fn json_lines_end_at_a_lone_carriage_return_in_files_without_line_feeds() {
        let text = b"a\nb\r\nc\rd\r\r\ne";
        let expected: [&[u8]; 6] = [b"a\n", b"b\r\n", b"c\r", b"d\r", b"\r\n", b"e"];
        // Every buffer size puts a `\r` last in a buffer somewhere.
        for capacity in 1..=text.len() {
            let mut reader = BufReader::with_capacity(capacity, &text[..]);
            let mut lines = Vec::new();
            let mut line = Vec::new();
            while read_line_cr(&mut reader, &mut line).unwrap() > 0 {
                lines.push(std::mem::take(&mut line));
            }
            assert_eq!(lines, expected, "buffer of {capacity}");
        }
        let lone_cr = b"{\"text\": \"a\"}\r{bad\r\r{\"text\": \"c\"}\r";
        let read = read_named("lines.jsonl", lone_cr);
        assert_eq!(read.len(), 3, "{read:?}");
        assert_eq!(read[0].as_ref().unwrap().0, "a");
        assert!(read[1].as_ref().unwrap_err().starts_with("lines.jsonl#2: "), "{read:?}");
        assert_eq!(read[2].as_ref().unwrap().0, "c");
        // Where line feeds end lines, a lone `\r` is white space in a record,
        // and `\r\r\n` one line end.
        let lf = b"{\"title\": \"x\",\r\"text\": \"a\"}\r\r\n{\"text\": \"b\"}\n";
        let read = read_named("lines.jsonl", lf);
        let texts: Vec<&str> = read.iter().map(|r| r.as_ref().unwrap().0.as_str()).collect();
        assert_eq!(texts, ["a", "b"]);
    }

    #[test]
    fn a_compressed_file_is_one_reject_that_says_so() {
        let gzip = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xab\nline\x00\n\x01\x02\n";
        for name in ["one.json", "lines.jsonl"] {
            assert_eq!(
                read_named(name, gzip),
                vec![Err(format!(
                    "{name}: gzip-compressed file: decompress it first (readout reads no compressed files)"
                ))]
            );
        }
    }

    #[test]
    fn a_utf8_byte_order_mark_is_passed_over() {
        let record = r#"{"text": "Body."}"#;
        for (name, json) in [
            ("one.json", record.to_owned()),
            ("many.json", format!("[{record},{record}]")),
            ("lines.jsonl", format!("{record}\n{record}\n")),
        ] {
            let bytes = [UTF8_BOM, json.as_bytes()].concat();
            let records = read_named(name, &bytes);
            assert!(!records.is_empty(), "{name}");
            for record in records {
                assert_eq!(record, Ok(("Body.".into(), None, None, "UTF-8")), "{name}");
            }
        }
    }

    #[test]
    fn records_not_in_utf8_are_decoded_and_their_encoding_kept() {
        let latin1 =
            b"{\"text\": \"Le caf\xe9 est ferm\xe9 depuis l'\xe9t\xe9 dernier, a d\xe9clar\xe9 le ministre.\"}";
        let expected = "Le café est fermé depuis l'été dernier, a déclaré le ministre.";
        let one = read_named("one.json", latin1);
        assert_eq!(one, vec![Ok((expected.into(), None, None, "windows-1252"))]);
        // A JSON line is decoded alone: its neighbours stay UTF-8.
        let lines = [b"{\"text\": \"d\xc3\xa9j\xc3\xa0\"}\n".as_slice(), latin1, b"\n"].concat();
        let records = read_named("lines.jsonl", &lines);
        assert_eq!(records[0], Ok(("déjà".into(), None, None, "UTF-8")));
        assert_eq!(records[1], Ok((expected.into(), None, None, "windows-1252")));
        // Later lines that are not UTF-8 take the encoding found first,
        // however short they are; UTF-8 with a stray byte stays UTF-8.
        let more = [
            &lines[..],
            b"{\"text\": \"\xa3\"}\n{\"text\": \"na\xc3\xafve caf\xc3\xa9 \x97 end\"}\n",
        ]
        .concat();
        let records = read_named("lines.jsonl", &more);
        assert_eq!(records[2], Ok(("£".into(), None, None, "windows-1252")));
        assert_eq!(records[3], Ok(("naïve café \u{FFFD} end".into(), None, None, "UTF-8")));
        // UTF-16 JSON Lines, named by their byte-order mark.
        let text = "{\"text\": \"Première ligne\"}\r\n{\"text\": \"Deuxième\"}\r\n";
        let utf16 = utf16_bytes(&format!("\u{FEFF}{text}"), false);
        assert_eq!(
            read_named("lines.jsonl", &utf16),
            vec![
                Ok(("Première ligne".into(), None, None, "UTF-16LE")),
                Ok(("Deuxième".into(), None, None, "UTF-16LE")),
            ]
        );
        // Without a byte-order mark, UTF-16 is told by its zero bytes.
        let bare = utf16_bytes(text, false);
        assert_eq!(
            read_named("lines.jsonl", &bare),
            vec![
                Ok(("Première ligne".into(), None, None, "UTF-16LE")),
                Ok(("Deuxième".into(), None, None, "UTF-16LE")),
            ]
        );
        let bare = utf16_bytes(r#"[{"text": "Un article en UTF-16"}]"#, true);
        assert_eq!(
            read_named("many.json", &bare),
            vec![Ok(("Un article en UTF-16".into(), None, None, "UTF-16BE"))]
        );
        // UTF-16 `.json` files.
        let record = utf16_bytes("\u{FEFF}{\"text\": \"Un article\"}", true);
        assert_eq!(
            read_named("one.json", &record),
            vec![Ok(("Un article".into(), None, None, "UTF-16BE"))]
        );
        let array = utf16_bytes("\u{FEFF} [{\"text\": \"x\"}, 3, {\"text\": \"y\"}", false);
        assert_eq!(
            read_named("many.json", &array),
            vec![
                Ok(("x".into(), None, None, "UTF-16LE")),
                Err("many.json#2: record is a number, not a JSON object".into()),
                Ok(("y".into(), None, None, "UTF-16LE")),
                Err("many.json#4: malformed JSON after 3 good record(s): EOF while parsing a list at line 1 column 33; the rest of the file is skipped".into()),
            ]
        );
    }
}
