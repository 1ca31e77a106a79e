//! CSV files with a header row, mapped to articles through the configured
//! column names. Records are streamed; a field may be of any size. Fields
//! that are not UTF-8 are decoded as windows-1252, the usual culprit, and the
//! encoding is recorded on the article.

use std::path::Path;

use super::record::{to_article, FieldValue, Record, RecordPlace};
use super::Input;
use crate::config::CsvReaderConfig;
use crate::model::InputFormat;
use crate::write::schema::RejectRow;

struct CsvRow<'a> {
    headers: &'a [String],
    values: Vec<String>,
}

impl Record for CsvRow<'_> {
    fn field(&mut self, name: &str, take: bool) -> Option<FieldValue> {
        let index = self
            .headers
            .iter()
            .position(|h| h == name)
            .or_else(|| self.headers.iter().position(|h| h.eq_ignore_ascii_case(name)))?;
        let value = self.values.get_mut(index)?;
        Some(FieldValue::One(if take {
            std::mem::take(value)
        } else {
            value.clone()
        }))
    }
}

fn decode_field(bytes: &[u8], lossy: &mut bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            *lossy = true;
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
                .into_owned()
        }
    }
}

/// Reads a CSV file record by record.
pub fn read_csv(path: &Path, rel_path: &str, stem: &str, config: &CsvReaderConfig, emit: &mut dyn FnMut(Input)) {
    let reject_file = |emit: &mut dyn FnMut(Input), reason: String| {
        emit(Input::Reject(RejectRow {
            source: rel_path.to_owned(),
            reason,
        }))
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return reject_file(emit, format!("cannot read file: {e}")),
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(config.delimiter.as_bytes()[0])
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let headers: Vec<String> = match reader.byte_headers() {
        Ok(h) if h.is_empty() || (h.len() == 1 && h[0].is_empty()) => return reject_file(emit, "empty file".into()),
        Ok(h) => {
            let mut lossy = false;
            h.iter()
                .map(|f| {
                    decode_field(f, &mut lossy)
                        .trim_start_matches('\u{feff}')
                        .trim()
                        .to_owned()
                })
                .collect()
        }
        Err(e) => return reject_file(emit, format!("malformed CSV header: {e}")),
    };
    let has_text = config
        .fields
        .text
        .iter()
        .any(|name| headers.iter().any(|h| h.eq_ignore_ascii_case(name)));
    if !has_text {
        return reject_file(
            emit,
            format!(
                "no text column: the header has {}, but readers.csv.fields.text lists {}",
                headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", "),
                config
                    .fields
                    .text
                    .iter()
                    .map(|h| format!("`{h}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    let mut record = csv::ByteRecord::new();
    let mut records = 0u64;
    let mut rejected = 0u64;
    // Records are numbered in order, the header not counted: a line number
    // would give two records one id in a file whose lines end in a lone CR
    // (the csv crate counts `\n` only), and texts with line breaks in them
    // make line numbers far apart anyway.
    let mut number = 0u64;
    loop {
        number += 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                records += 1;
                let mut lossy = false;
                let mut row = CsvRow {
                    headers: &headers,
                    values: record.iter().map(|f| decode_field(f, &mut lossy)).collect(),
                };
                let encoding = if lossy { "windows-1252" } else { "UTF-8" };
                let place = RecordPlace::numbered(rel_path, stem, number, InputFormat::Csv);
                match to_article(&mut row, &config.fields, &place, encoding) {
                    Ok(article) => emit(Input::Article(Box::new(article))),
                    Err(reason) => emit(Input::Reject(RejectRow {
                        source: place.source,
                        reason,
                    })),
                }
            }
            Err(e) => {
                let fatal = !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. });
                rejected += 1;
                emit(Input::Reject(RejectRow {
                    source: format!("{rel_path}#{number}"),
                    reason: format!("malformed CSV record: {e}"),
                }));
                if fatal {
                    return;
                }
            }
        }
    }
    // A file whose records were all malformed has its rejects already.
    if records == 0 && rejected == 0 {
        reject_file(emit, "no records: the file has a header only".into());
    }
}
