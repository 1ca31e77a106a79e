//! Bytes to text: UTF-8 when valid, else the encoding a BOM names or
//! chardetng detects, recorded rather than thrown away. Binary files are
//! told apart here, so that they become rejects with a reason.

use std::io::Read;

use encoding_rs::Encoding;

/// The UTF-8 byte-order mark.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decoded text and the encoding it was in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// Name of the encoding, e.g. `UTF-8`, `windows-1252`.
    pub encoding: &'static str,
}

/// Decodes a file's bytes. `forced` skips detection (a configured encoding).
/// The error is a reject reason.
pub fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> Result<Decoded, String> {
    // A UTF-8 mark says no more than valid UTF-8 does: the bytes after it
    // are read by the rules below (a legacy text saved with one is still
    // detected, not made U+FFFD throughout).
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        // A UTF-16 mark is explicit: the text legitimately holds NUL bytes.
        // What does not decode (a surrogate without its other half, a
        // stray byte) becomes U+FFFD, as in the JSON and CSV readers: one
        // bad code unit used to reject the whole file. Binary is still told
        // by its control characters.
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return check_text(text.into_owned(), encoding.name());
    }
    if let Some(offset) = memchr::memchr(0, bytes) {
        // Without a mark, UTF-16 is told by the zero bytes of the first
        // 4 KiB: what does not decode is let through only as a stray code
        // unit here and there, so that a binary file that starts like text
        // is still a reject.
        if let Some(encoding) = utf16_without_bom(bytes).filter(|_| bytes.len().is_multiple_of(2)) {
            let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
            let stray = if had_errors {
                text.chars().filter(|&c| c == '\u{FFFD}').count()
            } else {
                0
            };
            if stray <= bytes.len() / 2 / 1000 + 1 {
                return check_text(text.into_owned(), encoding.name());
            }
        }
        return Err(binary(bytes, format!("NUL byte at byte {offset}")));
    }
    if let Some(encoding) = forced {
        let (text, _) = encoding.decode_without_bom_handling(bytes);
        return check_text(text.into_owned(), encoding.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => check_text(text.to_owned(), "UTF-8"),
        Err(_) if mostly_utf8(bytes) => check_text(String::from_utf8_lossy(bytes).into_owned(), "UTF-8"),
        Err(_) => {
            let encoding = detect(bytes);
            let (text, _) = encoding.decode_without_bom_handling(bytes);
            check_text(text.into_owned(), encoding.name())
        }
    }
}

/// The legacy encoding that bytes which are not UTF-8 read best in.
pub fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, true)
}

/// Whether bytes that are not UTF-8 are UTF-8 with a few stray bytes (cut
/// or mixed text) rather than text in a legacy encoding: more well-formed
/// characters beyond ASCII than bad bytes. windows-1252 text seldom makes
/// well-formed UTF-8 by accident (an accented capital before a curly quote),
/// and decoding UTF-8 as windows-1252 turns every such character into two
/// (`cafÃ©`), where reading it as UTF-8 costs the stray byte alone.
pub fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut wide, mut bad) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        wide += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        bad += chunk.invalid().len();
    }
    wide > bad
}

/// UTF-16 as the first bytes of a file show it: by a byte-order mark, or
/// without one by its zero bytes (see `utf16_without_bom`).
pub fn sniff_utf16(head: &[u8]) -> Option<&'static Encoding> {
    match Encoding::for_bom(head) {
        Some((encoding, _)) if encoding != encoding_rs::UTF_8 => Some(encoding),
        Some(_) => None,
        None => utf16_without_bom(head),
    }
}

/// `file` as UTF-8: decoded as it is read when it is UTF-16 (a byte-order
/// mark is dropped), else as it is.
pub fn utf16_reader<R: Read + 'static>(file: R, utf16: Option<&'static Encoding>) -> Box<dyn Read> {
    match utf16 {
        Some(encoding) if encoding != encoding_rs::UTF_8 => Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(file),
        ),
        _ => Box::new(file),
    }
}

/// `text` in UTF-16, big- or little-endian, for tests: a byte-order mark is
/// a leading U+FEFF.
#[cfg(test)]
pub fn utf16_bytes(text: &str, big_endian: bool) -> Vec<u8> {
    let bytes = if big_endian { u16::to_be_bytes } else { u16::to_le_bytes };
    text.encode_utf16().flat_map(bytes).collect()
}

/// The kind of compressed file `bytes` opens like, by its magic number:
/// readout reads no compressed files, and "binary file" alone leaves the
/// user guessing.
pub fn compressed_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 6] = [
        (b"\x1F\x8B", "gzip"),
        (b"PK\x03\x04", "zip"),
        (b"\x28\xB5\x2F\xFD", "zstd"),
        (b"BZh", "bzip2"),
        (b"\xFD7zXZ\x00", "xz"),
        (b"7z\xBC\xAF\x27\x1C", "7-zip"),
    ];
    MAGIC
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|&(_, kind)| kind)
}

/// The reject reason for a file that is no text.
fn binary(bytes: &[u8], detail: String) -> String {
    match compressed_kind(bytes) {
        Some(kind) => format!("{kind}-compressed file: decompress it first (readout reads no compressed files)"),
        None => format!("binary file: {detail}"),
    }
}

/// UTF-16 saved without a byte-order mark, told by its zero bytes: text in
/// a script of the first 256 code points has a zero in every high byte, and
/// almost never in a low one. Binary files have zeros on both sides. (Text
/// in other scripts has few zero bytes: it needs a mark to be read.)
/// `head` is the first bytes of a file (a few KiB tell).
fn utf16_without_bom(head: &[u8]) -> Option<&'static Encoding> {
    let sample = &head[..head.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    if pairs < 8 {
        return None;
    }
    let zeros_at = |parity: usize| sample.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 9 && even * 20 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even * 10 >= pairs * 9 && odd * 20 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Text whose characters are largely control codes is not an article.
fn check_text(text: String, encoding: &'static str) -> Result<Decoded, String> {
    let mut controls = 0usize;
    let mut total = 0usize;
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{0C}') {
            controls += 1;
        }
    }
    if controls > 8 && controls * 20 > total {
        return Err(format!(
            "binary file: {controls} of {total} characters are control codes (read as {encoding})"
        ));
    }
    Ok(Decoded { text, encoding })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept() {
        let d = decode("Shoigu “said”".as_bytes(), None).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text, "Shoigu “said”");
    }

    #[test]
    fn legacy_encoding_is_detected_and_recorded() {
        // "café £5 – naïve" in windows-1252
        let bytes = b"The caf\xe9 charged \xa35 \x96 a na\xefve price for the coffee in London.";
        let d = decode(bytes, None).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, "The café charged £5 – a naïve price for the coffee in London.");
    }

    #[test]
    fn utf8_with_a_stray_byte_stays_utf8() {
        let d = decode(
            b"Z\xc3\xbcrich caf\xc3\xa9 na\xc3\xafve \xff r\xc3\xa9sum\xc3\xa9",
            None,
        )
        .unwrap();
        assert_eq!(
            (d.text.as_str(), d.encoding),
            ("Zürich café naïve \u{FFFD} résumé", "UTF-8")
        );
    }

    #[test]
    fn bom_utf16_is_decoded() {
        let d = decode(&utf16_bytes("\u{FEFF}Kyiv", false), None).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("Kyiv", "UTF-16LE"));
    }

    #[test]
    fn utf16_code_units_that_are_not_text_become_replacement_characters() {
        let text = "Le ministre a déclaré vendredi que les pourparlers continueraient.";
        for big_endian in [false, true] {
            let lone_surrogate: &[u8] = if big_endian { &[0xD8, 0x3D] } else { &[0x3D, 0xD8] };
            let expected = text.replacen("vendredi", "\u{FFFD}vendredi", 1);
            let units_before = text[..text.find("vendredi").unwrap()].encode_utf16().count();
            for bom in ["", "\u{FEFF}"] {
                let mut bytes = utf16_bytes(&format!("{bom}{text}"), big_endian);
                let at = (units_before + bom.encode_utf16().count()) * 2;
                bytes.splice(at..at, lone_surrogate.iter().copied());
                let d = decode(&bytes, None).unwrap();
                assert_eq!(d.text, expected, "big endian: {big_endian}, BOM: {}", !bom.is_empty());
                assert_eq!(d.encoding, if big_endian { "UTF-16BE" } else { "UTF-16LE" });
            }
        }
        // Without a mark, code units that do not decode everywhere are not
        // text that a few bytes damaged.
        let damaged: Vec<u8> = utf16_bytes(&text.repeat(20), false)
            .chunks(20)
            .flat_map(|units| units.iter().copied().chain([0x3D, 0xD8]))
            .collect();
        assert!(decode(&damaged, None).unwrap_err().starts_with("binary file: NUL byte"));
        let marked = [&[0xFF, 0xFE][..], &damaged].concat();
        assert!(decode(&marked, None).unwrap().text.contains('\u{FFFD}'));
    }

    #[test]
    fn a_utf8_mark_before_legacy_text_does_not_stop_its_detection() {
        let latin1 =
            b"\xEF\xBB\xBFLe ministre a d\xe9clar\xe9 vendredi que les n\xe9gociations reprendraient \xe0 Gen\xe8ve.";
        let d = decode(latin1, None).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(
            d.text,
            "Le ministre a déclaré vendredi que les négociations reprendraient à Genève."
        );
        assert_eq!(decode(b"\xEF\xBB\xBFKyiv", None).unwrap().text, "Kyiv");
        assert_eq!(decode(b"\xEF\xBB\xBF", None).unwrap_err(), "empty file");
    }

    #[test]
    fn utf16_without_a_bom_is_told_by_its_zero_bytes() {
        let text = "Le ministre a déclaré vendredi que les pourparlers continueraient.";
        let (le, be) = (utf16_bytes(text, false), utf16_bytes(text, true));
        assert_eq!(
            decode(&le, None).unwrap(),
            Decoded {
                text: text.into(),
                encoding: "UTF-16LE"
            }
        );
        assert_eq!(
            decode(&be, None).unwrap(),
            Decoded {
                text: text.into(),
                encoding: "UTF-16BE"
            }
        );
        // Zeros on both sides, or too few of them, are no text.
        let image: Vec<u8> = (0..400u32)
            .flat_map(|i| [(i % 7) as u8 * 40, 0, 0, (i % 3) as u8])
            .collect();
        assert!(decode(&image, None).unwrap_err().starts_with("binary file: NUL byte"));
        let one_zero = b"An ordinary text with one stray\x00 byte in the middle of it.";
        assert!(decode(one_zero, None).unwrap_err().starts_with("binary file: NUL byte"));
    }

    #[test]
    fn binary_and_empty_are_rejected_with_reasons() {
        assert_eq!(decode(b"", None).unwrap_err(), "empty file");
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\x00\x00", None).unwrap_err(),
            "binary file: NUL byte at byte 8"
        );
        assert_eq!(
            decode(b"\x1f\x8b\x08\x00\x00\x00", None).unwrap_err(),
            "gzip-compressed file: decompress it first (readout reads no compressed files)"
        );
        let noise: Vec<u8> = (0..200u32).map(|i| (i % 31 + 1) as u8).collect();
        assert!(decode(&noise, None).unwrap_err().starts_with("binary file:"));
    }

    #[test]
    fn forced_encoding_is_used() {
        let d = decode(b"Pozna\xf1", Some(encoding_rs::ISO_8859_2)).unwrap();
        assert_eq!(d.text, "Poznań");
        assert_eq!(d.encoding, "ISO-8859-2");
    }
}
