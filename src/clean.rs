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
                while i < bytes.len() {
                    if is_plain_ascii(bytes[i]) {
                        i += 1;
                    } else if bytes[i] == b' ' && bytes.get(i + 1).is_some_and(|&b| is_plain_ascii(b)) {
                        i += 2;
                    } else {
                        break;
                    }
                }
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

    #[test]
    fn cleaning_is_idempotent() {
        let samples = ["  a \n\n\n b ", "x\r\ny", "\u{2028}q\u{2029}\u{2029}r", "e\u{301}"];
        for s in samples {
            let once = clean(s);
            assert_eq!(clean(&once), once, "{s:?}");
        }
    }
}
