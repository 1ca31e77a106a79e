//! JSON files (one record, or an array of records, as news-please writes
//! them) and JSON Lines. Arrays are streamed element by element through a
//! serde visitor, so a large array is never held whole as a tree.

use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
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

/// One record's JSON text and where it sits. The reader only finds record
/// boundaries; workers parse them in parallel.
#[derive(Debug)]
pub struct JsonRecord {
    /// The record's JSON text.
    pub json: Vec<u8>,
    /// Its id fallback and source.
    pub place: RecordPlace,
}

/// A JSON object whose members stay unparsed until a field is asked for:
/// records carry many fields a run does not map (topics, places, ...), and
/// skipping them costs a scan instead of a tree of allocations.
struct LazyObject<'a> {
    members: Vec<(&'a str, &'a RawValue)>,
}

impl<'a> LazyObject<'a> {
    fn parse(json: &'a [u8]) -> Option<LazyObject<'a>> {
        // Keys with escapes cannot be borrowed; such records take the
        // general path.
        let members: std::collections::BTreeMap<&'a str, &'a RawValue> = serde_json::from_slice(json).ok()?;
        Some(LazyObject {
            members: members.into_iter().collect(),
        })
    }

    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.members.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
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
            if let Some(text) = unescape_string(raw.get()) {
                return Some(FieldValue::One(text));
            }
        }
        let mut value: Value = serde_json::from_str(raw.get()).ok()?;
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
pub fn parse_record(record: JsonRecord, fields: &FieldMap) -> Result<RawArticle, RejectRow> {
    let place = record.place;
    if let Some(mut object) = LazyObject::parse(&record.json) {
        return to_article(&mut object, fields, &place, "UTF-8").map_err(|reason| RejectRow {
            source: place.source.clone(),
            reason,
        });
    }
    let mut value: Value = serde_json::from_slice(&record.json).map_err(|e| RejectRow {
        source: place.source.clone(),
        reason: match place.format {
            InputFormat::JsonLines => format!("malformed JSON line: {e}"),
            _ => format!("malformed JSON: {e}"),
        },
    })?;
    if !value.is_object() {
        let kind = match value {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(RejectRow {
            source: place.source,
            reason: format!("record is {kind}, not a JSON object"),
        });
    }
    to_article(&mut value, fields, &place, "UTF-8").map_err(|reason| RejectRow {
        source: place.source.clone(),
        reason,
    })
}

fn emit_record(json: &[u8], place: RecordPlace, emit: &mut dyn FnMut(Input)) {
    emit(Input::JsonRecord(Box::new(JsonRecord {
        json: json.to_vec(),
        place,
    })));
}

/// Reads a `.json` file: an object is one record, an array many.
pub fn read_json(path: &Path, rel_path: &str, stem: &str, emit: &mut dyn FnMut(Input)) {
    let reject = |emit: &mut dyn FnMut(Input), reason: String| {
        emit(Input::Reject(RejectRow {
            source: rel_path.to_owned(),
            reason,
        }))
    };
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
            emit(Input::JsonRecord(Box::new(JsonRecord { json: bytes, place })));
        }
        Some(b'[') => {
            let mut count = 0u64;
            let seed = ArraySeed {
                on_element: &mut |json: &[u8]| {
                    count += 1;
                    emit_record(
                        json,
                        RecordPlace::numbered(rel_path, stem, count, InputFormat::Json),
                        emit,
                    );
                },
            };
            let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
            let result = seed.deserialize(&mut deserializer).and_then(|_| deserializer.end());
            if let Err(e) = result {
                // Records before the fault were emitted; the rest of the file
                // cannot be parsed and is rejected as a whole.
                emit(Input::Reject(RejectRow {
                    source: format!("{rel_path}#{}", count + 1),
                    reason: format!(
                        "malformed JSON after {count} good record(s): {e}; the rest of the file is skipped"
                    ),
                }));
            }
        }
        Some(_) => reject(emit, "not JSON: the file starts with neither `{` nor `[`".into()),
    }
}

/// Visits a JSON array and hands each element's raw text to a callback: the
/// array is checked for well-formedness here, without building any tree.
struct ArraySeed<'f> {
    on_element: &'f mut dyn FnMut(&[u8]),
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            (self.on_element)(raw.get().as_bytes());
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
            &line,
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
