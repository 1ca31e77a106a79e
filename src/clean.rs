//! The cleaning stage: produces the text that every offset points into.
//! Unicode NFC; every kind of line break becomes `\n`; runs of spaces (tabs,
//! no-break and other Unicode spaces) become one space; lines are trimmed;
//! a blank line separates paragraphs, never more than one; zero-width and
//! control characters are dropped. Quote marks stay as written.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Cleans one article's text.
pub fn clean(text: &str) -> String {
    // ASCII is always NFC; checking that first skips a per-character pass.
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        clean_whitespace(text)
    } else {
        let nfc: String = text.nfc().collect();
        clean_whitespace(&nfc)
    }
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_invisible(c: char) -> bool {
    // Soft hyphens and zero-width marks split words that search and
    // matching must see whole. ZWNJ/ZWJ are kept: some scripts need them.
    matches!(c, '\u{AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}') || c.is_control()
}

/// What a character does to the layout.
enum Class {
    Visible,
    Space,
    Break,
    CarriageReturn,
    Dropped,
}

fn classify(c: char) -> Class {
    if c == '\r' {
        Class::CarriageReturn
    } else if is_line_break(c) {
        Class::Break
    } else if is_space(c) {
        Class::Space
    } else if is_invisible(c) {
        Class::Dropped
    } else {
        Class::Visible
    }
}

fn is_plain_ascii(b: u8) -> bool {
    (0x21..0x7F).contains(&b)
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
const LOWS: u64 = u64::from_ne_bytes([0x7F; 8]);
const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);

/// The high bit of each byte of `word` (little-endian) that ends a copyable
/// run after a plain character: a byte that is not printable ASCII, a space
/// followed by a space, and a last space (the next byte decides that one).
/// Only the lowest flagged byte is exact (borrows and carries can flag bytes
/// above it), which is all `copyable_run` asks.
///
/// Eight bytes a step instead of one because this is the hottest loop of a
/// skeleton run; the bit tricks are the classic "has byte less than / more
/// than / equal to" tests.
fn run_breaks(word: u64) -> u64 {
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    let high = (word.wrapping_add(ONES) | word) & HIGHS;
    // Exactly the high bit of every byte that is a space.
    let diff = word ^ SPACES;
    let spaces = !(((diff & LOWS).wrapping_add(LOWS)) | diff | LOWS);
    let double_space = spaces & (spaces >> 8);
    let last_space = spaces & (HIGHS << 56);
    control | high | double_space | last_space
}

/// Length of the prefix of `bytes`, which follows a visible character, that
/// the cleaner copies as it is: plain ASCII, and single spaces between it.
fn copyable_run(bytes: &[u8]) -> usize {
    #[cfg(target_arch = "x86_64")]
    let scanned = {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64
        // CPU has it.
        match unsafe { copyable_run_sse2(bytes) } {
            Ok(end) => return end,
            Err(scanned) => scanned,
        }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let scanned = 0;
    copyable_run_from(bytes, scanned)
}

/// `copyable_run` sixteen bytes to a compare: `Ok` with the run's end when
/// it ends in the part scanned, else `Err` with where the scan stopped (a
/// space needs the byte after it, so the last sixteen bytes are left to
/// `copyable_run_from`). The eight-byte loop was the hottest loop of a
/// skeleton run: with this, cleaning Reuters takes 51M instructions instead
/// of 78M (callgrind).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn copyable_run_sse2(bytes: &[u8]) -> Result<usize, usize> {
    use std::arch::x86_64::*;
    // SSE2 compares bytes as signed: shifting 0x21..0x7F to start at -128
    // makes "plain" one less-than.
    let shift = _mm_set1_epi8(0x80u8.wrapping_sub(0x21) as i8);
    let plain_end = _mm_set1_epi8((0x80u8 + (0x7F - 0x21)) as i8);
    let space = _mm_set1_epi8(b' ' as i8);
    let load = |part: &[u8]| {
        let half = |h: usize| i64::from_le_bytes(part[8 * h..8 * h + 8].try_into().expect("8 bytes"));
        // Two adjacent halves compile to one unaligned load.
        _mm_set_epi64x(half(1), half(0))
    };
    let mut i = 0;
    while let Some(window) = bytes.get(i..i + 17) {
        let here = load(&window[..16]);
        let next = load(&window[1..]);
        let plain = _mm_cmplt_epi8(_mm_add_epi8(here, shift), plain_end);
        let plain_next = _mm_cmplt_epi8(_mm_add_epi8(next, shift), plain_end);
        let single_space = _mm_and_si128(_mm_cmpeq_epi8(here, space), plain_next);
        let copyable = _mm_movemask_epi8(_mm_or_si128(plain, single_space)) as u32;
        if copyable != 0xFFFF {
            return Ok(i + (!copyable).trailing_zeros() as usize);
        }
        i += 16;
    }
    Err(i)
}

/// `copyable_run` eight bytes at a time from `start`, where the run is known
/// to go on.
fn copyable_run_from(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    loop {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let breaks = run_breaks(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
            if breaks == 0 {
                i += 8;
                continue;
            }
            i += breaks.trailing_zeros() as usize / 8;
            // A space before the break stays only if a plain byte follows.
            if i > 0 && bytes[i - 1] == b' ' {
                i -= 1;
            }
        }
        match bytes.get(i) {
            Some(&b) if is_plain_ascii(b) => i += 1,
            Some(b' ') if bytes.get(i + 1).is_some_and(|&b| is_plain_ascii(b)) => i += 2,
            _ => return i,
        }
    }
}

/// The hot loop of every run: plain ASCII (and single spaces between it) is
/// copied in runs; only other characters are classified one by one.
fn clean_whitespace(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut pending_breaks = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        let (class, len) = if bytes[i] < 0x80 {
            (classify(bytes[i] as char), 1)
        } else {
            let c = text[i..].chars().next().expect("i is on a char boundary");
            (classify(c), c.len_utf8())
        };
        match class {
            Class::CarriageReturn => {
                if bytes.get(i + 1) != Some(&b'\n') {
                    pending_breaks = pending_breaks.saturating_add(1);
                    pending_space = false;
                }
            }
            Class::Break => {
                pending_breaks = pending_breaks.saturating_add(1);
                pending_space = false;
            }
            Class::Space => pending_space = true,
            Class::Dropped => {}
            Class::Visible => {
                if !out.is_empty() {
                    if pending_breaks >= 2 {
                        out.push_str("\n\n");
                    } else if pending_breaks == 1 {
                        out.push('\n');
                    } else if pending_space {
                        out.push(' ');
                    }
                }
                pending_breaks = 0;
                pending_space = false;
                let start = i;
                i += len;
                i += copyable_run(&bytes[i..]);
                out.push_str(&text[start..i]);
                continue;
            }
        }
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_and_breaks_are_normalized() {
        assert_eq!(clean("  a\u{A0}\u{A0}b\t c \r\n\r\n\r\n\r\nd\re  \n"), "a b c\n\nd\ne");
        assert_eq!(clean("line one  \n   \n  line two"), "line one\n\nline two");
    }

    #[test]
    fn quotes_are_kept_and_nfc_applied() {
        // "e" + combining acute becomes "é"; curly and straight quotes stay.
        assert_eq!(clean("Caf\u{65}\u{301} “x” \"y\" ‘z’"), "Café “x” \"y\" ‘z’");
    }

    #[test]
    fn invisible_characters_are_dropped() {
        assert_eq!(clean("Sho\u{AD}igu\u{200B} said\u{7}"), "Shoigu said");
    }

    /// Character by character, the rules as the module comment states them.
    fn reference_clean(text: &str) -> String {
        let text = text.replace("\r\n", "\n");
        let mut out = String::new();
        let (mut pending_space, mut pending_breaks) = (false, 0);
        for c in text.chars() {
            match classify(c) {
                Class::CarriageReturn | Class::Break => {
                    pending_breaks += 1;
                    pending_space = false;
                }
                Class::Space => pending_space = true,
                Class::Dropped => {}
                Class::Visible => {
                    if !out.is_empty() {
                        out.push_str(match (pending_breaks, pending_space) {
                            (0, false) => "",
                            (0, true) => " ",
                            (1, _) => "\n",
                            _ => "\n\n",
                        });
                    }
                    (pending_space, pending_breaks) = (false, 0);
                    out.push(c);
                }
            }
        }
        out
    }

    #[test]
    fn word_at_a_time_copy_matches_the_rules() {
        // Every arrangement of these pieces around eight-byte boundaries.
        let pieces = [
            "a",
            " ",
            "  ",
            "\n",
            "\t",
            "~",
            "\u{7F}",
            "é",
            "\u{A0}",
            "\r\n",
            "xyzxyzx",
            "\u{1F}",
            "the quick brown fox",
        ];
        let mut texts = crate::test_text::concatenations(&pieces, 24, 0x2545_F491_4F6C_DD1D);
        for _ in 0..20_000 {
            let text = texts();
            assert_eq!(clean_whitespace(&text), reference_clean(&text), "{text:?}");
        }
    }

    #[test]
    fn copyable_runs_end_where_the_rules_say() {
        let is_plain = |b: &u8| is_plain_ascii(*b);
        let reference = |bytes: &[u8]| {
            let mut i = 0;
            while i < bytes.len() && (is_plain(&bytes[i]) || bytes[i] == b' ' && bytes.get(i + 1).is_some_and(is_plain))
            {
                i += 1;
            }
            i
        };
        let alphabet: &[u8] = &[
            b'a', b'Z', b'~', b'!', b' ', b' ', b'\n', b'\t', 0x7F, 0x1F, 0xC3, 0xA9, 0xFF,
        ];
        let mut draw = crate::test_text::numbers(0x9E37_79B9_7F4A_7C15);
        for _ in 0..50_000 {
            let len = draw(70);
            // Mostly plain bytes, so that runs cross the sixteen-byte steps.
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if draw(8) == 0 {
                        alphabet[draw(alphabet.len())]
                    } else {
                        b'a' + draw(26) as u8
                    }
                })
                .collect();
            let expected = reference(&bytes);
            assert_eq!(copyable_run(&bytes), expected, "{bytes:?}");
            assert_eq!(copyable_run_from(&bytes, 0), expected, "{bytes:?}");
        }
    }

    #[test]
    fn first_run_break_is_exact() {
        let first = |word: &[u8; 8]| match run_breaks(u64::from_le_bytes(*word)) {
            0 => None,
            breaks => Some(breaks.trailing_zeros() / 8),
        };
        assert_eq!(first(b"ab cd ef"), None);
        assert_eq!(first(b"ab  cdef"), Some(2));
        assert_eq!(first(b"abcdefg "), Some(7));
        assert_eq!(first(b"abc\ndefg"), Some(3));
        assert_eq!(first(b"abc\x7F\x01efg"), Some(3));
        assert_eq!(first(b"\x00\x01\x1F\x20\x7F\x80\xFF "), Some(0));
        assert_eq!(first(&[b'a', 0xC3, 0xA9, b'b', b'c', b'd', b'e', b'f']), Some(1));
        assert_eq!(first(&[b'a', b'b', b'c', b'd', b'e', b'f', b'g', 0xFF]), Some(7));
    }

    #[test]
    fn cleaning_is_idempotent() {
        let samples = ["  a \n\n\n b ", "x\r\ny", "\u{2028}q\u{2029}\u{2029}r", "e\u{301}"];
        for s in samples {
            let once = clean(s);
            assert_eq!(clean(&once), once, "{s:?}");
        }
    }
}
