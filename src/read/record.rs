//! Mapping a record's fields (JSON object or CSV row) to an article, through
//! the configured `FieldMap`. Shared by the JSON and CSV readers so that both
//! treat missing and empty fields the same way.

use crate::config::FieldMap;
use crate::model::{InputFormat, Metadata, RawArticle, RawText};

/// A field value as the record holds it.
pub enum FieldValue {
    /// One string.
    One(String),
    /// A list of strings (JSON arrays).
    Many(Vec<String>),
}

/// Field access by configured name.
pub trait Record {
    /// The field's value, `None` when missing or null. With `take`, the
    /// value may be moved out rather than copied.
    fn field(&mut self, name: &str, take: bool) -> Option<FieldValue>;
}

/// First non-empty value among the candidate names.
fn first(record: &mut dyn Record, names: &[String], take: bool) -> Option<String> {
    names.iter().find_map(|name| match record.field(name, take)? {
        FieldValue::One(s) => Some(s).filter(|s| !s.trim().is_empty()),
        // Scrapers sometimes store paragraphs as a list.
        FieldValue::Many(items) => Some(items.join("\n\n")).filter(|s| !s.trim().is_empty()),
    })
}

fn list(record: &mut dyn Record, names: &[String]) -> Vec<String> {
    let value = names.iter().find_map(|name| record.field(name, false));
    let items = match value {
        None => return Vec::new(),
        Some(FieldValue::Many(items)) => items,
        // One cell naming several people: "A; B" or "A | B".
        Some(FieldValue::One(s)) => s.split([';', '|']).map(str::to_owned).collect(),
    };
    items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Where a record sits, for its id and `source`.
#[derive(Debug, Clone)]
pub struct RecordPlace {
    /// Id used when the record has no id field.
    pub fallback_id: String,
    /// `path` or `path#number`.
    pub source: String,
    /// The file's format.
    pub format: InputFormat,
}

impl RecordPlace {
    /// A record inside a container file: id `<stem>-<number>`, zero-padded
    /// so that ids sort in record order; source `path#number`.
    pub fn numbered(rel_path: &str, stem: &str, number: u64, format: InputFormat) -> RecordPlace {
        // Built by pushing, not `format!`: with its padding, `format!` was a
        // few percent of reading a large JSON array.
        let digits = number.to_string();
        let padding = 6usize.saturating_sub(digits.len());
        let mut fallback_id = String::with_capacity(stem.len() + 1 + padding + digits.len());
        fallback_id.push_str(stem);
        fallback_id.push('-');
        fallback_id.extend(std::iter::repeat_n('0', padding));
        fallback_id.push_str(&digits);
        let mut source = String::with_capacity(rel_path.len() + 1 + digits.len());
        source.push_str(rel_path);
        source.push('#');
        source.push_str(&digits);
        RecordPlace {
            fallback_id,
            source,
            format,
        }
    }
}

/// Builds the article, or the reject reason when the record has no text.
pub fn to_article(
    record: &mut dyn Record,
    fields: &FieldMap,
    place: &RecordPlace,
    encoding: &'static str,
) -> Result<RawArticle, String> {
    // Metadata is copied first; the text, most of a record's bytes, is then
    // moved out (a field mapped twice still reaches both).
    let article_id = first(record, &fields.id, false)
        .map(|id| id.trim().to_owned())
        .unwrap_or_else(|| place.fallback_id.clone());
    let meta = Metadata {
        title: first(record, &fields.title, false),
        published: first(record, &fields.published, false),
        url: first(record, &fields.url, false),
        source_domain: first(record, &fields.source_domain, false),
        authors: list(record, &fields.authors),
        outlet: first(record, &fields.outlet, false),
    };
    let Some(text) = first(record, &fields.text, true) else {
        return Err(format!(
            "record has no text: none of the fields {} holds a non-empty value",
            quoted(&fields.text)
        ));
    };
    Ok(RawArticle {
        article_id,
        source: place.source.clone(),
        format: place.format,
        body: RawText::Decoded { text, encoding },
        meta,
    })
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_records_are_zero_padded_for_order() {
        for (number, id) in [(1, "a/b-000001"), (123456, "a/b-123456"), (1234567, "a/b-1234567")] {
            let place = RecordPlace::numbered("a/b.json", "a/b", number, InputFormat::Json);
            assert_eq!(place.fallback_id, id);
            assert_eq!(place.source, format!("a/b.json#{number}"));
        }
    }
}
