//! JSON files (one record, or an array of records, as news-please writes
//! them) and JSON Lines. Arrays are streamed element by element through a
//! serde visitor, so a large array is never held whole as a tree; a file
//! above `WHOLE_FILE_BYTES` is not even held whole as text.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::marker::PhantomData;
use std::path::Path;

use std::ops::Range;
use std::sync::Arc;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

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
        while let Some(slot) = map.next_key_seed(KeySeed { keys: self.keys })? {
            let raw: &'de RawValue = map.next_value()?;
            value_bytes += raw.get().len();
            if let Some(slot) = slot {
                let value = offset_in(self.base, raw.get().as_bytes());
                members.push(Member {
                    slot,
                    value: value..value + raw.get().len(),
                });
            }
        }
        Ok(Element::Object(Split { members, value_bytes }))
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
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Option<u16>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<u16>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    // Keys with escapes arrive decoded, through the same call.
    fn visit_str<E>(self, key: &str) -> Result<Option<u16>, E> {
        Ok(self.keys.slot(key.as_bytes()))
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
        let mut value: Value = serde_json::from_str(raw).ok()?;
        match rest {
            Some(rest) => value.field(rest, true),
            None => value.field("", true),
        }
    }
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
                let c = if (0xD800..0xDC00).contains(&unit) {
                    let low = inner.get(start..start + 6)?.strip_prefix("\\u")?;
                    let low = u16::from_str_radix(low, 16).ok()?;
                    start += 6;
                    char::decode_utf16([unit, low]).next()?.ok()?
                } else {
                    char::from_u32(unit as u32)?
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
    to_article(&mut object, fields, &place, "UTF-8").map_err(reject)
}

fn emit_record(source: Source, members: Option<Split>, place: RecordPlace, emit: &mut dyn FnMut(Input)) {
    emit(Input::JsonRecord(Box::new(JsonRecord { source, members, place })));
}

/// Files up to this size are read whole: an array's records then share the
/// file's text and are split by one fast pass. Above it an array is read
/// from a buffered stream, one record at a time, so that memory does not
/// grow with the file (a news-please dump can be one array of gigabytes).
const WHOLE_FILE_BYTES: u64 = 16 << 20;

/// Reads a `.json` file of `size` bytes (as listed): an object is one
/// record, an array many, split into the members under `keys`.
pub fn read_json(path: &Path, rel_path: &str, stem: &str, size: u64, keys: &JsonKeys, emit: &mut dyn FnMut(Input)) {
    read_json_streamed_if(path, rel_path, stem, size > WHOLE_FILE_BYTES, keys, emit);
}

/// `read_json`, streaming an array when `stream` says so.
fn read_json_streamed_if(
    path: &Path,
    rel_path: &str,
    stem: &str,
    stream: bool,
    keys: &JsonKeys,
    emit: &mut dyn FnMut(Input),
) {
    let reject = |emit: &mut dyn FnMut(Input), reason: String| {
        emit(Input::Reject(RejectRow {
            source: rel_path.to_owned(),
            reason,
        }))
    };
    if stream {
        match stream_array(path, rel_path, stem, emit) {
            Ok(true) => return,
            // Not an array: a lone record is read whole, as it must be.
            Ok(false) => {}
            Err(e) => return reject(emit, format!("cannot read file: {e}")),
        }
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return reject(emit, format!("cannot read file: {e}")),
    };
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    match first.map(|i| bytes[i]) {
        None => reject(emit, "empty file".into()),
        Some(b'{') => {
            // A lone record is the whole file: it is named like a text file.
            let place = RecordPlace {
                fallback_id: stem.to_owned(),
                source: rel_path.to_owned(),
                format: InputFormat::Json,
            };
            emit_record(Source::new(bytes), None, place, emit);
        }
        Some(b'[') => {
            let source = Source::new(bytes);
            let mut count = 0u64;
            let seed = ArraySeed {
                element: ElementSeed {
                    base: source.bytes(),
                    keys,
                },
                on_element: &mut |element: Element| {
                    count += 1;
                    let place = RecordPlace::numbered(rel_path, stem, count, InputFormat::Json);
                    match element {
                        Element::Object(members) => emit_record(source.clone(), Some(members), place, emit),
                        Element::Other(kind) => emit(Input::Reject(RejectRow {
                            source: place.source,
                            reason: not_an_object(kind),
                        })),
                    }
                },
            };
            if let Err(e) = source.parse(seed) {
                emit(Input::Reject(malformed_tail(rel_path, count, e)));
            }
        }
        Some(_) => reject(emit, "not JSON: the file starts with neither `{` nor `[`".into()),
    }
}

/// Reads the array that fills the file at `path` one record at a time, each
/// record with its own text; the worker splits it into members. False,
/// having read nothing, when the file holds no array.
fn stream_array(path: &Path, rel_path: &str, stem: &str, emit: &mut dyn FnMut(Input)) -> std::io::Result<bool> {
    let mut reader = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(false);
        }
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(at) => {
                let is_array = buffer[at] == b'[';
                reader.consume(at);
                if !is_array {
                    return Ok(false);
                }
                break;
            }
            None => {
                let all = buffer.len();
                reader.consume(all);
            }
        }
    }
    let mut count = 0u64;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let streamed = ArraySeed {
        element: PhantomData::<Box<RawValue>>,
        on_element: &mut |raw: Box<RawValue>| {
            count += 1;
            let place = RecordPlace::numbered(rel_path, stem, count, InputFormat::Json);
            // A record that is no object is rejected by the worker's split,
            // as in a file read whole.
            emit_record(Source::Text(Arc::new(Box::<str>::from(raw).into())), None, place, emit);
        },
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    if let Err(e) = streamed {
        emit(Input::Reject(malformed_tail(rel_path, count, e)));
    }
    Ok(true)
}

/// The reject of an array's unparsable rest: the records before the fault
/// were emitted, the rest of the file cannot be parsed and goes as a whole.
fn malformed_tail(rel_path: &str, good: u64, e: serde_json::Error) -> RejectRow {
    RejectRow {
        source: format!("{rel_path}#{}", good + 1),
        reason: format!("malformed JSON after {good} good record(s): {e}; the rest of the file is skipped"),
    }
}

/// Visits a JSON array and hands each element, as `element` reads it
/// (split into members, or as raw text), to a callback: the array is checked
/// for well-formedness here, without building any tree.
struct ArraySeed<'f, S, T> {
    element: S,
    on_element: &'f mut dyn FnMut(T),
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
            (self.on_element)(element);
        }
        Ok(())
    }
}

/// Reads a JSON Lines file line by line; a bad line is rejected alone.
pub fn read_json_lines(path: &Path, rel_path: &str, stem: &str, emit: &mut dyn FnMut(Input)) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return emit(Input::Reject(RejectRow {
                source: rel_path.to_owned(),
                reason: format!("cannot read file: {e}"),
            }))
        }
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    let mut number = 0u64;
    let mut records = 0u64;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                emit(Input::Reject(RejectRow {
                    source: format!("{rel_path}#{}", number + 1),
                    reason: format!("cannot read file past this line: {e}"),
                }));
                return;
            }
        }
        number += 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        records += 1;
        emit_record(
            Source::new(line.clone()),
            None,
            RecordPlace::numbered(rel_path, stem, number, InputFormat::JsonLines),
            emit,
        );
    }
    if records == 0 {
        emit(Input::Reject(RejectRow {
            source: rel_path.to_owned(),
            reason: if number == 0 {
                "empty file".into()
            } else {
                "no records: every line is blank".into()
            },
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RawText;

    /// Id, text, title and outlet of an article; `source: reason` of a reject.
    type Mapped = Result<(String, String, Option<String>, Option<String>), String>;

    /// Reads `json` as a `.json` file and maps every record.
    fn read_records(json: impl AsRef<[u8]>) -> Vec<Mapped> {
        read_records_above(json, WHOLE_FILE_BYTES)
    }

    /// `read_records`, streaming files larger than `whole_file_bytes`.
    fn read_records_above(json: impl AsRef<[u8]>, whole_file_bytes: u64) -> Vec<Mapped> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let stream = json.as_ref().len() as u64 > whole_file_bytes;
        std::fs::write(&path, json).unwrap();
        let fields = FieldMap {
            title: vec!["title".into()],
            outlet: vec!["meta.site".into()],
            ..FieldMap::default()
        };
        let keys = JsonKeys::new(&fields);
        let mut inputs = Vec::new();
        read_json_streamed_if(&path, "a.json", "a", stream, &keys, &mut |input| inputs.push(input));
        inputs
            .into_iter()
            .map(|input| match input {
                Input::JsonRecord(record) => match parse_record(*record, &fields, &keys) {
                    Ok(article) => match article.body {
                        RawText::Decoded { text, .. } => {
                            Ok((article.article_id, text, article.meta.title, article.meta.outlet))
                        }
                        RawText::Bytes(_) => unreachable!("JSON text is decoded"),
                    },
                    Err(row) => Err(format!("{}: {}", row.source, row.reason)),
                },
                Input::Reject(row) => Err(format!("{}: {}", row.source, row.reason)),
                Input::Article(_) | Input::TextFile(_) => unreachable!("JSON gives records"),
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
    fn a_file_that_is_not_utf8_is_read_up_to_the_bad_byte() {
        let records = read_records(b"[{\"text\": \"good\"}, {\"text\": \"caf\xE9\"}, {\"text\": \"lost\"}]");
        assert_eq!(records.len(), 2, "{records:?}");
        assert_eq!(records[0], Ok(("a-000001".into(), "good".into(), None, None)));
        assert!(
            matches!(&records[1], Err(e) if e.starts_with("a.json#2: malformed JSON after 1 good record(s): invalid unicode")),
            "{records:?}"
        );
    }

    #[test]
    fn a_large_file_is_streamed_with_the_same_records_and_rejects() {
        let files: [&[u8]; 6] = [
            br#" [{"t\u0069tle": "Escaped key", "text": "last \"wins\"", "meta": {"site": "S"}},
               "loose", 7, true, null, [1, {"a": 2}], {"title": "No text"}, {"text": "plain"}] "#,
            b"[{\"text\": \"good\"}, {\"text\": \"caf\xE9\"}, {\"text\": \"lost\"}]",
            br#"[{"text": "kept"}, {"text": "cut off"#,
            br#"[{"text": "kept"}] trailing"#,
            br#"  {"id": "x1", "text": "one record"}"#,
            b"[]",
        ];
        for json in files {
            assert_eq!(read_records_above(json, 0), read_records(json));
        }
        assert_eq!(
            read_records_above(b"  \n ", 0),
            vec![Err("a.json: empty file".to_string())]
        );
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
                "a.json: malformed JSON: trailing characters at line 1 column 15".into()
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
        assert_eq!(unescape_string(r#""lone \ud83d""#), None);
    }
}
