//! The outlet registry (`data/outlets.tsv`) and how an article's outlet is
//! found: from its URL or site domain first, reduced to the registrable
//! domain with the public-suffix list (so `edition.cnn.com` and
//! `money.cnn.com` are one outlet), then from an outlet field, then from
//! cues in removed lines (bylines, calls to action). Body text is never
//! used: an outlet quoted in a story is not its publisher.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What kind of source an outlet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutletKind {
    /// A news agency whose copy others print (AFP, AP, Reuters).
    Wire,
    /// A newspaper, broadcaster or news site.
    Outlet,
    /// A government or institution's own site.
    Official,
}

/// One registry entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    /// Stable slug, e.g. `fox-news`.
    pub slug: String,
    /// Canonical name, e.g. `Fox News`.
    pub name: String,
    /// Wire, outlet or official.
    pub kind: OutletKind,
    /// ISO 3166-1 alpha-2 country.
    pub country: String,
}

/// The compiled registry.
#[derive(Debug)]
pub struct OutletRegistry {
    outlets: Vec<Outlet>,
    by_domain: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    matcher: AhoCorasick,
    match_outlet: Vec<usize>,
}

fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

impl OutletRegistry {
    /// Parses the TSV registry; an error carries the 1-based line.
    pub fn from_tsv(text: &str) -> Result<OutletRegistry, (usize, String)> {
        let mut outlets = Vec::new();
        let mut by_domain = HashMap::new();
        let mut by_name = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut match_outlet = Vec::new();
        let mut header_seen = false;
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cells: Vec<&str> = line.split('\t').collect();
            if !header_seen {
                header_seen = true;
                if cells.first() == Some(&"slug") {
                    continue;
                }
            }
            if cells.len() < 4 {
                return Err((
                    number,
                    format!(
                        "expected 6 tab-separated columns (slug, name, kind, country, domains, variants), found {}",
                        cells.len()
                    ),
                ));
            }
            let kind = match cells[2].trim() {
                "wire" => OutletKind::Wire,
                "outlet" => OutletKind::Outlet,
                "official" => OutletKind::Official,
                other => return Err((number, format!("kind `{other}` is not one of wire, outlet, official"))),
            };
            let id = outlets.len();
            let outlet = Outlet {
                slug: cells[0].trim().to_owned(),
                name: cells[1].trim().to_owned(),
                kind,
                country: cells[3].trim().to_owned(),
            };
            for domain in split_list(cells.get(4).copied().unwrap_or("")) {
                by_domain.entry(domain.to_lowercase()).or_insert(id);
            }
            let names = std::iter::once(outlet.name.as_str())
                .chain(std::iter::once(outlet.slug.as_str()))
                .chain(split_list(cells.get(5).copied().unwrap_or("")));
            for name in names {
                by_name.entry(name.to_lowercase()).or_insert(id);
                if name.chars().count() >= 2 && name != outlet.slug {
                    patterns.push(name.to_owned());
                    match_outlet.push(id);
                }
            }
            outlets.push(outlet);
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| (0, e.to_string()))?;
        Ok(OutletRegistry {
            outlets,
            by_domain,
            by_name,
            matcher,
            match_outlet,
        })
    }

    /// Number of outlets.
    pub fn len(&self) -> usize {
        self.outlets.len()
    }

    /// True when the registry is empty.
    pub fn is_empty(&self) -> bool {
        self.outlets.is_empty()
    }

    /// The position of the outlet named so (slug, name or variant).
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.trim().to_lowercase()).copied()
    }

    /// The outlet at a position from `index_of`.
    pub fn get(&self, index: usize) -> &Outlet {
        &self.outlets[index]
    }

    /// The outlet of a URL or bare host name.
    pub fn by_url(&self, url: &str) -> Option<&Outlet> {
        let host = host_of(url)?;
        // A host listed itself wins (a subdomain that is its own outlet),
        // then its registrable domain.
        if let Some(&id) = self.by_domain.get(&host) {
            return Some(&self.outlets[id]);
        }
        let registrable = psl::domain_str(&host)?;
        self.by_domain.get(registrable).map(|&id| &self.outlets[id])
    }

    /// The outlet named exactly so (any listed variant, or the slug).
    pub fn by_name(&self, name: &str) -> Option<&Outlet> {
        let key = name.trim().trim_start_matches("the ").to_lowercase();
        self.by_name
            .get(&name.trim().to_lowercase())
            .or_else(|| self.by_name.get(&key))
            .map(|&id| &self.outlets[id])
    }

    /// The first outlet named in a line, on word boundaries.
    pub fn find_in(&self, line: &str) -> Option<&Outlet> {
        let bytes = line.as_bytes();
        self.matcher.find_iter(line).find_map(|m| {
            let before = m.start().checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(m.end()).copied();
            let boundary = |b: Option<u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
            (boundary(before) && boundary(after)).then(|| &self.outlets[self.match_outlet[m.pattern().as_usize()]])
        })
    }
}

/// `https://edition.cnn.com:443/x` → `edition.cnn.com`; `www.` is dropped.
fn host_of(url: &str) -> Option<String> {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    (host.contains('.') && !host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "slug\tname\tkind\tcountry\tdomains\tvariants\n\
        # comment\n\
        cnn\tCNN\toutlet\tUS\tcnn.com\tCNN; Cable News Network\n\
        reuters\tReuters\twire\tGB\treuters.com\tReuters; REUTERS; Reuter\n\
        china-daily\tChina Daily\toutlet\tCN\tchinadaily.com.cn\tChina Daily\n\
        washington-examiner\tWashington Examiner\toutlet\tUS\twashingtonexaminer.com\tWashington Examiner; The Washington Examiner\n";

    #[test]
    fn subdomains_and_editions_are_one_outlet() {
        let r = OutletRegistry::from_tsv(SAMPLE).unwrap();
        for url in [
            "https://edition.cnn.com/2024/x",
            "http://money.cnn.com",
            "cnn.com",
            "https://www.cnn.com:443/a?b",
        ] {
            assert_eq!(r.by_url(url).map(|o| o.slug.as_str()), Some("cnn"), "{url}");
        }
        assert_eq!(r.by_url("uk.reuters.com").unwrap().slug, "reuters");
        assert_eq!(r.by_url("https://usa.chinadaily.com.cn/a").unwrap().slug, "china-daily");
        assert!(r.by_url("https://notcnn.com").is_none());
        assert!(r.by_url("not a url").is_none());
    }

    #[test]
    fn names_and_cues() {
        let r = OutletRegistry::from_tsv(SAMPLE).unwrap();
        assert_eq!(r.by_name("reuters").unwrap().kind, OutletKind::Wire);
        let cue = r
            .find_in("CLICK HERE TO READ MORE FROM THE WASHINGTON EXAMINER")
            .unwrap();
        assert_eq!(cue.name, "Washington Examiner");
        assert!(r.find_in("The CNNs of this world").is_none());
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err =
            OutletRegistry::from_tsv("slug\tname\tkind\tcountry\tdomains\tvariants\nx\tX\tblog\tUS\t\t\n").unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("blog"));
    }
}
