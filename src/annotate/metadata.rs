//! What each article says about itself: headline and publication date from
//! its metadata or header. A value that cannot be used becomes null with its
//! reason kept; nothing is made up.

use chrono::format::{parse, Item, Parsed, StrftimeItems};
use chrono::{DateTime, NaiveDate};

/// Configured date formats, parsed once rather than for every article.
#[derive(Debug, Clone)]
pub struct DateFormats {
    formats: Vec<Vec<Item<'static>>>,
}

impl DateFormats {
    /// Parses chrono format strings (validated with the config).
    pub fn new(formats: &[String]) -> DateFormats {
        DateFormats {
            formats: formats
                .iter()
                .map(|f| StrftimeItems::new(f).parse_to_owned().unwrap_or_default())
                .collect(),
        }
    }
}

/// Parses a publication date as metadata fields write it. ISO-8601 and
/// RFC 3339/2822 are always tried; `formats` (chrono syntax) after them.
/// A timestamp's date is taken in its own time zone, as the outlet dated it.
pub fn parse_published(value: &str, formats: &DateFormats) -> Result<NaiveDate, String> {
    // Wire feeds leave control-code entities and routing codes after the
    // date (`27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM`).
    let v = value.split("&#").next().unwrap_or(value).trim();
    if v.is_empty() {
        return Err("publication date is empty".into());
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(v) {
        return Ok(dt.date_naive());
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(v) {
        return Ok(dt.date_naive());
    }
    if v.len() >= 10 && v.is_char_boundary(10) {
        let head = &v[..10];
        let rest = &v[10..];
        // `2018-01-01`, `2018-01-01 12:00:00`, `2018-01-01T12:00:00.000`
        if rest.is_empty() || rest.starts_with([' ', 'T', 't']) {
            if let Ok(d) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
                return Ok(d);
            }
        }
    }
    for items in &formats.formats {
        let mut parsed = Parsed::new();
        if parse(&mut parsed, v, items.iter()).is_ok() {
            if let Ok(d) = parsed.to_naive_date() {
                return Ok(d);
            }
        }
    }
    Err(format!(
        "publication date `{v}` matches no known format (add one to input.date_formats)"
    ))
}

/// Splits a ` date YYYY-MM-DD ` prefix off a text file's start. Returns the
/// date as written and the rest of the text.
pub fn split_date_prefix(text: &str) -> Option<(&str, &str)> {
    let trimmed = text.trim_start_matches([' ', '\t', '\u{FEFF}']);
    let rest = trimmed.strip_prefix("date ")?;
    let rest = rest.trim_start_matches(' ');
    let date = rest.get(..10)?;
    let well_formed = date.bytes().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !well_formed {
        return None;
    }
    let after = &rest[10..];
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((date, after.trim_start_matches([' ', '\t'])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats() -> DateFormats {
        DateFormats::new(&crate::config::Config::default().input.date_formats)
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn formats_of_the_corpora_parse() {
        let f = formats();
        assert_eq!(parse_published("2022-06-24T17:30:00Z", &f), Ok(day(2022, 6, 24)));
        assert_eq!(parse_published("26-FEB-1987 15:01:01.79", &f), Ok(day(1987, 2, 26)));
        assert_eq!(
            parse_published("27-MAR-1987 00:02:59.13&#5;&#5;&#5;RM", &f),
            Ok(day(1987, 3, 27))
        );
        assert_eq!(parse_published("2016-09-12", &f), Ok(day(2016, 9, 12)));
        assert_eq!(parse_published("2017-09-15 17:52:00", &f), Ok(day(2017, 9, 15)));
        assert_eq!(parse_published("26 June 2024 09:08", &f), Ok(day(2024, 6, 26)));
        assert_eq!(parse_published("June 26, 2024", &f), Ok(day(2024, 6, 26)));
        assert_eq!(
            parse_published("Wed, 26 Jun 2024 09:08:00 +0200", &f),
            Ok(day(2024, 6, 26))
        );
        // The outlet's own day, not UTC's.
        assert_eq!(parse_published("2024-06-26T00:30:00+03:00", &f), Ok(day(2024, 6, 26)));
    }

    #[test]
    fn malformed_dates_keep_their_reason() {
        let f = formats();
        assert_eq!(
            parse_published("2022-13-45", &f).unwrap_err(),
            "publication date `2022-13-45` matches no known format (add one to input.date_formats)"
        );
        assert!(parse_published("  ", &f).is_err());
    }

    #[test]
    fn date_prefix_is_split() {
        assert_eq!(
            split_date_prefix(" date 2022-10-21 Support us"),
            Some(("2022-10-21", "Support us"))
        );
        assert_eq!(
            split_date_prefix("date 2024-06-26\nMenu"),
            Some(("2024-06-26", "\nMenu"))
        );
        assert_eq!(split_date_prefix("dated 2024-06-26 x"), None);
        assert_eq!(split_date_prefix("date 2024-6-26 x"), None);
        assert_eq!(split_date_prefix("The date 2024-06-26"), None);
    }
}

/// Unescapes the HTML entities feeds leave in metadata fields (`&lt;DRI>`).
pub fn unescape_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let entity = tail.find(';').filter(|&end| end <= 10).map(|end| (&tail[1..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32)
                    .filter(|c| !c.is_control()),
            }?;
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod entity_tests {
    use super::unescape_entities;

    #[test]
    fn entities_in_titles() {
        assert_eq!(unescape_entities("&lt;DRI> SAYS &amp; GAINS"), "<DRI> SAYS & GAINS");
        assert_eq!(unescape_entities("AT&T &#8212; Q&A"), "AT&T \u{2014} Q&A");
        assert_eq!(unescape_entities("no entities"), "no entities");
    }
}
