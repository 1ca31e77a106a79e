//! CSV files with a header row, mapped to articles through the configured
//! column names. Records are streamed; a field may be of any size. Fields
//! that are not UTF-8 are decoded as windows-1252, the usual culprit, and the
//! encoding is recorded on the article; a UTF-16 file is decoded, as it is
//! read, by its byte-order mark.

use std::io::{BufRead, BufReader};
use std::path::Path;

use encoding_rs::Encoding;

use super::decode::{compressed_kind, mostly_utf8, sniff_utf16, utf16_reader};
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

/// A field's text. A field that is not UTF-8 is windows-1252, unless it is
/// mostly UTF-8 (see `mostly_utf8`): then a stray byte is U+FFFD.
fn decode_field(bytes: &[u8], lossy: &mut bool) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            if mostly_utf8(bytes) {
                return String::from_utf8_lossy(bytes).into_owned();
            }
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
    let mut input = BufReader::with_capacity(1 << 20, file);
    let head = match input.fill_buf() {
        Ok(head) => head,
        Err(e) => return reject_file(emit, format!("cannot read file: {e}")),
    };
    if let Some(kind) = compressed_kind(head) {
        return reject_file(
            emit,
            format!("{kind}-compressed file: decompress it first (readout reads no compressed files)"),
        );
    }
    // UTF-16 (spreadsheets' "Unicode text") is decoded as it is read. (A
    // UTF-8 byte-order mark is dropped from the header.)
    let utf16 = sniff_utf16(head);
    let input = utf16_reader(input, utf16);
    let file_encoding = utf16.map(Encoding::name);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(config.delimiter.as_bytes()[0])
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
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
                let encoding = match file_encoding {
                    Some(encoding) => encoding,
                    None if lossy => "windows-1252",
                    None => "UTF-8",
                };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::RawText;
    use crate::read::decode::utf16_bytes;

    /// Id, text and encoding of each record of a CSV file holding `bytes`;
    /// `source: reason` of a reject.
    fn read(bytes: &[u8]) -> Vec<Result<(String, String, &'static str), String>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut out = Vec::new();
        read_csv(&path, "t.csv", "t", &Config::default().readers.csv, &mut |input| {
            out.push(match input {
                Input::Article(article) => match article.body {
                    RawText::Decoded { text, encoding } => Ok((article.article_id, text, encoding)),
                    RawText::Bytes(_) => unreachable!("CSV text is decoded"),
                },
                Input::Reject(row) => Err(format!("{}: {}", row.source, row.reason)),
                _ => unreachable!("CSV gives articles and rejects"),
            })
        });
        out
    }

    #[test]
    fn records_are_numbered_in_order_whatever_ends_their_lines() {
        for end in ["\n", "\r\n", "\r"] {
            let csv = ["title,text", "A,\"first, with a line\nbreak\"", "B,second", ""].join(end);
            let ids: Vec<String> = read(csv.as_bytes()).into_iter().map(|r| r.unwrap().0).collect();
            assert_eq!(ids, ["t-000001", "t-000002"], "{end:?}");
        }
    }

    #[test]
    fn a_field_that_is_not_utf8_is_windows_1252_unless_mostly_utf8() {
        let mut lossy = false;
        assert_eq!(decode_field(b"caf\xe9 cr\xe8me", &mut lossy), "café crème");
        assert!(lossy);
        // UTF-8 with one stray byte keeps its characters.
        let mut lossy = false;
        assert_eq!(
            decode_field(
                "naïve café "
                    .as_bytes()
                    .iter()
                    .chain(b"\x97 end")
                    .copied()
                    .collect::<Vec<_>>()
                    .as_slice(),
                &mut lossy
            ),
            "naïve café \u{FFFD} end"
        );
        assert!(!lossy);
    }

    #[test]
    fn an_accented_capital_before_a_curly_quote_is_still_windows_1252() {
        // `ß”` is well-formed UTF-8 by accident (U+07D4); `é` is not.
        let mut lossy = false;
        assert_eq!(decode_field(b"Gro\xdf\x94 und \xe9t\xe9", &mut lossy), "Groß” und été");
        assert!(lossy);
    }

    #[test]
    fn utf16_is_decoded_by_its_byte_order_mark() {
        let text = "id,text\r\nu1,Première ligne\r\nu2,Deuxième\r\n";
        let bytes = utf16_bytes(&format!("\u{FEFF}{text}"), false);
        assert_eq!(
            read(&bytes),
            vec![
                Ok(("u1".into(), "Première ligne".into(), "UTF-16LE")),
                Ok(("u2".into(), "Deuxième".into(), "UTF-16LE")),
            ]
        );
    }

    #[test]
    fn utf16_without_a_mark_and_compressed_files_are_told_by_their_bytes() {
        let text = "id,text\nu1,Première ligne\nu2,Deuxième\n";
        let bytes = utf16_bytes(text, true);
        assert_eq!(
            read(&bytes),
            vec![
                Ok(("u1".into(), "Première ligne".into(), "UTF-16BE")),
                Ok(("u2".into(), "Deuxième".into(), "UTF-16BE")),
            ]
        );
        assert_eq!(
            read(b"PK\x03\x04\x14\x00\x00\x00id,text\n"),
            vec![Err(
                "t.csv: zip-compressed file: decompress it first (readout reads no compressed files)".into()
            )]
        );
    }

    #[test]
    fn a_file_of_malformed_records_has_their_rejects_only() {
        assert_eq!(
            read(b"id,text\nc1,a,b\n"),
            vec![Err("t.csv#1: malformed CSV record: CSV error: record 1 (line: 2, byte: 8): found record with 3 fields, but the previous record has 2 fields".into())]
        );
        assert_eq!(
            read(b"id,text\n"),
            vec![Err("t.csv: no records: the file has a header only".into())]
        );
    }
}
