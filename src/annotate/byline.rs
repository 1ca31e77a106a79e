//! Names from byline and credit lines: `By Greg Norman | Fox News`,
//! `Fox News' Liz Friden and Ronn Blitzer`, `AFP`, `Reporting by A; Editing
//! by B`. Person names are tidied into canonical form; wire services and
//! outlets are recognized through the registry.

use super::outlet::{OutletKind, OutletRegistry};

/// What a set of byline and credit lines says.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Names {
    /// Person authors, canonical form, in order, without repeats.
    pub authors: Vec<String>,
    /// Wire services and contributors.
    pub credits: Vec<String>,
    /// Outlets named in bylines (`| Fox News`), canonical names.
    pub outlets: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.iter().any(|v| v.eq_ignore_ascii_case(&value)) {
        list.push(value);
    }
}

/// Splits `A, B and C; D & E` into parts.
fn parts(text: &str) -> Vec<String> {
    text.replace(" and ", ";")
        .replace(" & ", ";")
        .replace(" with ", ";")
        .split([';', ',', '|'])
        .map(|p| p.trim().trim_end_matches('.').trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Words that introduce a name but are not part of it.
const LEADS: &[&str] = &[
    "By",
    "BY",
    "by",
    "Staff",
    "writer",
    "writers",
    "reporter",
    "reporters",
    "correspondent",
    "correspondents",
];

/// `Fox News' Liz Friden` → (`Fox News`, `Liz Friden`); `Associated Press
/// writer Jane Roe` → (`Associated Press`, `Jane Roe`).
fn split_outlet_prefix<'a>(part: &'a str, registry: &OutletRegistry) -> (Option<String>, &'a str) {
    for cut in ["' ", "’ ", "'s ", "’s "] {
        if let Some((left, right)) = part.split_once(cut) {
            if let Some(outlet) = registry.by_name(left) {
                return (Some(outlet.name.clone()), right);
            }
        }
    }
    let words: Vec<&str> = part.split_whitespace().collect();
    for n in (1..words.len()).rev() {
        let head = words[..n].join(" ");
        if let Some(outlet) = registry.by_name(&head) {
            let rest_start = part.find(words[n]).unwrap_or(part.len());
            return (Some(outlet.name.clone()), &part[rest_start..]);
        }
    }
    (None, part)
}

/// Tidies a person name: leading role words dropped, all-caps names put in
/// title case, spaces collapsed. Returns `None` for what is not a name.
pub fn canonical_person(raw: &str) -> Option<String> {
    let mut words: Vec<&str> = raw.split_whitespace().collect();
    while words.first().is_some_and(|w| LEADS.contains(w) || w.ends_with(':')) {
        words.remove(0);
    }
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    let looks_like_name = words.iter().all(|w| {
        let first = w.chars().next().expect("split_whitespace gives non-empty words");
        (first.is_uppercase()
            || matches!(
                *w,
                "de" | "van" | "von" | "der" | "al" | "bin" | "da" | "di" | "la" | "le"
            ))
            && w.chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    });
    if !looks_like_name || words.len() < 2 && !words[0].contains('.') {
        return None;
    }
    let all_caps = words.iter().all(|w| !w.chars().any(|c| c.is_lowercase()));
    let words: Vec<String> = words
        .iter()
        .map(|w| {
            if all_caps && w.chars().filter(|c| c.is_alphabetic()).count() > 1 {
                let mut chars = w.chars();
                let first = chars.next().expect("non-empty");
                first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect()
            } else {
                (*w).to_owned()
            }
        })
        .collect();
    Some(words.join(" "))
}

/// Reads byline lines (authors, perhaps an outlet) and credit lines
/// (contributors and wires).
pub fn read_names(bylines: &[String], credit_lines: &[String], registry: &OutletRegistry) -> Names {
    let mut names = Names::default();
    for line in bylines {
        for part in parts(line) {
            if let Some(outlet) = registry.by_name(&part) {
                if outlet.kind == OutletKind::Wire {
                    push_unique(&mut names.credits, outlet.name.clone());
                }
                push_unique(&mut names.outlets, outlet.name.clone());
                continue;
            }
            let (outlet, rest) = split_outlet_prefix(&part, registry);
            if let Some(outlet) = outlet {
                push_unique(&mut names.outlets, outlet);
            }
            if let Some(person) = canonical_person(rest) {
                push_unique(&mut names.authors, person);
            }
        }
    }
    for line in credit_lines {
        for part in parts(line) {
            if let Some(outlet) = registry.by_name(&part) {
                push_unique(&mut names.credits, outlet.name.clone());
                continue;
            }
            let (_, rest) = split_outlet_prefix(&part, registry);
            if let Some(person) = canonical_person(rest) {
                push_unique(&mut names.credits, person);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> OutletRegistry {
        OutletRegistry::from_tsv(
            "slug\tname\tkind\tcountry\tdomains\tvariants\n\
             fox-news\tFox News\toutlet\tUS\tfoxnews.com\tFox News\n\
             afp\tAFP\twire\tFR\tafp.com\tAFP; Agence France-Presse\n\
             ap\tAssociated Press\twire\tUS\tapnews.com\tAP; The Associated Press; Associated Press\n",
        )
        .unwrap()
    }

    #[test]
    fn bylines_give_authors_and_outlets() {
        let n = read_names(
            &["Greg Norman | Fox News".into(), "Babatunde Akinsola".into()],
            &[],
            &registry(),
        );
        assert_eq!(n.authors, ["Greg Norman", "Babatunde Akinsola"]);
        assert_eq!(n.outlets, ["Fox News"]);
        let n = read_names(&["JANE ROE and John Doe, AP".into()], &[], &registry());
        assert_eq!(n.authors, ["Jane Roe", "John Doe"]);
        assert_eq!(n.credits, ["Associated Press"]);
    }

    #[test]
    fn credits_give_wires_and_contributors() {
        let n = read_names(
            &[],
            &["AFP".into(), "Fox News' Liz Friden and Ronn Blitzer".into()],
            &registry(),
        );
        assert_eq!(n.credits, ["AFP", "Liz Friden", "Ronn Blitzer"]);
        let n = read_names(&[], &["Associated Press writer Jane Roe".into()], &registry());
        assert_eq!(n.credits, ["Jane Roe"]);
    }

    #[test]
    fn non_names_are_dropped() {
        assert_eq!(canonical_person("the staff"), None);
        assert_eq!(canonical_person("Staff writer"), None);
        assert_eq!(canonical_person("Radosław Opas"), Some("Radosław Opas".into()));
    }
}
