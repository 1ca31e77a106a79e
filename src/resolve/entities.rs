//! Cross-article entity resolution, an explicit barrier: every article's
//! mentions pass through `observe` in input order, and `finish` decides the
//! final entities once the corpus has been read. State is kept per entity and
//! per article-local cluster (a name or gazetteer id), never per mention or
//! per article, so memory does not grow with the number of articles.
#![allow(missing_docs)]

use crate::annotate::names::{fold_key, formal_key, slug, EntityKind, Mention, NameKnowledge, RoleSig, WordBuild};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use std::collections::{BTreeSet, HashMap};

struct Ent {
    gaz_id: Option<String>,
    kind: EntityKind,
    name: String,
    key: String,
    aliases: BTreeSet<String>,
    mentions: i64,
    /// Distinct articles that mention the entity: articles arrive in order,
    /// so remembering the last one is enough to count each once.
    articles: i64,
    last_article: u32,
    /// A stand-in for the holder of an open role description, resolved in
    /// `finish`.
    open: Option<Box<RoleSig>>,
}

/// A person seen with a title: when and how often.
struct TitleSeen {
    ent: u32,
    sig: Box<RoleSig>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    count: u32,
}

/// How far in time (days) a title seen elsewhere may be from an open
/// description and still name its holder.
const MAX_TITLE_GAP_DAYS: i64 = 365;

/// Days from `d` to the span in which a title was seen (0 inside it).
fn days_outside(d: NaiveDate, t: &TitleSeen) -> i64 {
    match (t.first, t.last) {
        (Some(f), _) if d < f => (f - d).num_days(),
        (_, Some(l)) if d > l => (d - l).num_days(),
        (Some(_), Some(_)) => 0,
        _ => i64::MAX / 2,
    }
}

/// One key per title wording and holder, so that a title repeated in many
/// articles is stored once.
fn title_key(ent: u32, r: &RoleSig, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    let _ = write!(out, "{ent}\u{1f}{}", r.head);
    for w in r.mods.iter().chain([&String::new()]).chain(&r.qual) {
        out.push(' ');
        out.push_str(w);
    }
    if let Some(c) = &r.country {
        out.push('@');
        out.push_str(c);
    }
}

/// An article-local cluster (one canonical name or gazetteer id of one
/// kind), numbered in order of first appearance. Mention rows carry this
/// number until `finish` knows the final entity.
#[derive(Clone, Copy)]
struct Cluster {
    ent: u32,
    /// Joined its entity by a spelling variant rather than an exact key.
    variant: bool,
    /// The names stage resolved it through the gazetteer or a role.
    gazetteer: bool,
}

pub struct EntityResolver {
    ents: Vec<Ent>,
    clusters: Vec<Cluster>,
    /// Cluster key (see `cluster_key`) -> cluster number.
    cluster_index: FxHashMap<String, u32>,
    by_key: FxHashMap<(EntityKind, String), usize>,
    /// Candidates for variant matching, bucketed by the surname's first letters.
    buckets: FxHashMap<String, Bucket>,
    gaz_index: FxHashMap<String, usize>,
    /// Articles in which a lone discovered surname and a full name ending in
    /// it were both mentioned: needed to count articles exactly when `finish`
    /// merges the two.
    shared_articles: FxHashMap<(u32, u32), i64>,
    article: u32,
    key_buf: String,
    touched: Vec<u32>,
    /// Titles seen per role head noun, and an index by `title_key`.
    titles: FxHashMap<String, Vec<TitleSeen>>,
    title_index: FxHashMap<String, (String, usize)>,
    title_buf: String,
    swap_buf: String,
    /// The bucket key of the name being placed (`bucket_into`).
    bucket_buf: String,
    /// Familiar given names and their formal forms (folded), from the lexicon.
    nicknames: HashMap<String, String, WordBuild>,
}

/// Variant candidates share the number of words and the surname's first
/// two letters, so a new name is compared with a few names, not with every
/// person seen so far. (Given names may differ in their first letter:
/// Ukrainian `Oleksandr`, Russian `Aleksandr`.)
///
/// The key is written to a reused buffer: a bucket is probed for every new
/// full name, and only a new bucket needs the key as a String of its own.
fn bucket_into(key: &str, out: &mut String) {
    use std::fmt::Write;
    out.clear();
    let n = word_count(key);
    // Names have fewer than ten words: one digit, without the formatter.
    match char::from_digit(n as u32, 10) {
        Some(d) if n < 10 => out.push(d),
        _ => {
            let _ = write!(out, "{n}");
        }
    }
    out.extend(surname(key).chars().take(2));
}

/// The people of one bucket, with their keys side by side in one buffer.
/// Every new name is compared with every key of its bucket; read through
/// each `Ent`, the keys lay scattered over the heap and the scan, the
/// barrier's largest cost, mostly waited on memory.
#[derive(Default)]
struct Bucket {
    members: Vec<Member>,
    keys: String,
}

/// A person of a bucket, with the word count and surname start of its key,
/// which every scan of the bucket would otherwise count and search again.
struct Member {
    ent: usize,
    /// End of the key in `keys` (it starts where the previous one ends).
    end: u32,
    words: u32,
    /// Start of the surname in `keys`.
    surname: u32,
}

impl Bucket {
    fn push(&mut self, ent: usize, key: &str) {
        self.keys.push_str(key);
        self.members.push(Member {
            ent,
            end: self.keys.len() as u32,
            words: word_count(key) as u32,
            surname: (self.keys.len() - surname(key).len()) as u32,
        });
    }

    /// The first person, in the order added, whose key `key` is a variant of.
    fn first_variant(&self, key: &str) -> Option<usize> {
        let n = word_count(key);
        if n < 2 {
            return None;
        }
        let last = surname(key);
        let mut start = 0;
        for m in &self.members {
            let (end, la) = (m.end as usize, m.surname as usize);
            if m.words as usize == n && names_close(&self.keys[start..end], &self.keys[la..end], key, last) {
                return Some(m.ent);
            }
            start = end;
        }
        None
    }
}

fn surname(key: &str) -> &str {
    last_word(key)
}

/// The text after the last space of `s`, all of it without one. Names are
/// a few bytes long: a plain byte scan beats the `memrchr` of `rsplit`.
fn last_word(s: &str) -> &str {
    s.as_bytes().iter().rposition(|&c| c == b' ').map_or(s, |p| &s[p + 1..])
}

/// The text before the first space of `s`, all of it without one.
fn first_word(s: &str) -> &str {
    s.as_bytes().iter().position(|&c| c == b' ').map_or(s, |p| &s[..p])
}

/// Words in a folded key (single spaces between them).
fn word_count(key: &str) -> usize {
    key.bytes().filter(|&c| c == b' ').count() + 1
}

/// Gender pairs (`Belousov`/`Belousova`, `Tymoshenko`/…): a surname that only
/// differs by a feminine ending is another person.
fn gender_pair(a: &str, b: &str) -> bool {
    let (s, l) = if a.len() < b.len() { (a, b) } else { (b, a) };
    l.strip_prefix(s).is_some_and(|rest| matches!(rest, "a" | "aia" | "ia"))
        || (s.ends_with('i') && l.len() == s.len() + 1 && l.ends_with("aa"))
}

/// Two folded full names are spellings of one person: same number of words,
/// surnames equal or very close (never a gender pair), given names close.
/// The cheap tests run first: most candidates fail on the surname.
/// `Bucket::first_variant` runs it with the counts of its keys kept.
#[cfg(test)]
fn variant_of(a: &str, b: &str) -> bool {
    let n = word_count(a);
    if n < 2 || n != word_count(b) {
        return false;
    }
    names_close(a, surname(a), b, surname(b))
}

/// The rest of `variant_of`, for names of the same number of words with
/// their surnames `la` and `lb`.
fn names_close(a: &str, la: &str, b: &str, lb: &str) -> bool {
    let last_ok = la == lb
        || la.len() >= 5
            && !gender_pair(la, lb)
            && jaro_winkler_bound(la, lb) >= 0.93
            && strsim::jaro_winkler(la, lb) >= 0.93;
    if !last_ok {
        return false;
    }
    let (fa, fb) = (first_word(a), first_word(b));
    let first_ok = fa == fb || strsim::jaro_winkler(fa, fb) >= 0.88;
    first_ok && strsim::jaro_winkler(a, b) >= 0.92
}

/// An upper bound of `strsim::jaro_winkler(a, b)` for ASCII strings, from
/// the letters they share: most names in a bucket are far apart, and this
/// costs a count where Jaro-Winkler costs a match window per letter.
fn jaro_winkler_bound(a: &str, b: &str) -> f64 {
    if !a.is_ascii() || !b.is_ascii() || a.is_empty() || b.is_empty() {
        return 1.0;
    }
    let mut counts = [0i32; 128];
    for c in a.bytes() {
        counts[c as usize] += 1;
    }
    let mut shared = 0;
    for c in b.bytes() {
        if counts[c as usize] > 0 {
            counts[c as usize] -= 1;
            shared += 1;
        }
    }
    let m = shared as f64;
    // No transpositions at best.
    let jaro = (m / a.len() as f64 + m / b.len() as f64 + 1.0) / 3.0;
    let prefix = a.bytes().zip(b.bytes()).take(4).take_while(|(x, y)| x == y).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// A discovered person known by one word only: a candidate to join the full
/// name ending in it.
fn is_lone_surname(e: &Ent) -> bool {
    e.kind == EntityKind::Person && e.gaz_id.is_none() && e.open.is_none() && !e.key.contains(' ')
}

/// The surname of a person known by a full name, which lone surnames join.
fn full_name_surname(e: &Ent) -> Option<&str> {
    (e.kind == EntityKind::Person && e.open.is_none() && e.key.contains(' ')).then(|| surname(&e.key))
}

impl EntityResolver {
    pub fn new(k: &NameKnowledge) -> Self {
        let mut r = EntityResolver {
            ents: Vec::new(),
            clusters: Vec::new(),
            cluster_index: FxHashMap::default(),
            by_key: FxHashMap::default(),
            buckets: FxHashMap::default(),
            gaz_index: FxHashMap::default(),
            shared_articles: FxHashMap::default(),
            article: 0,
            key_buf: String::new(),
            touched: Vec::new(),
            nicknames: k.nicknames().clone(),
            titles: FxHashMap::default(),
            title_index: FxHashMap::default(),
            title_buf: String::new(),
            swap_buf: String::new(),
            bucket_buf: String::new(),
        };
        for g in &k.entities {
            let idx = r.add(Some(g.id.clone()), g.kind, &g.name);
            r.gaz_index.insert(g.id.clone(), idx);
        }
        r
    }

    /// People meet across articles under their formal given name.
    fn key_of(&self, kind: EntityKind, name: &str) -> String {
        let key = fold_key(name);
        if kind == EntityKind::Person {
            formal_key(&self.nicknames, key)
        } else {
            key
        }
    }

    fn add(&mut self, gaz_id: Option<String>, kind: EntityKind, name: &str) -> usize {
        let key = self.key_of(kind, name);
        self.add_keyed(gaz_id, kind, name, key)
    }

    /// `add` with the key `key_of` gave for `name`.
    fn add_keyed(&mut self, gaz_id: Option<String>, kind: EntityKind, name: &str, key: String) -> usize {
        let idx = self.ents.len();
        self.ents.push(Ent {
            gaz_id,
            kind,
            name: name.to_string(),
            key: key.clone(),
            aliases: BTreeSet::new(),
            mentions: 0,
            articles: 0,
            last_article: u32::MAX,
            open: None,
        });
        if kind == EntityKind::Person && key.contains(' ') {
            let mut b = std::mem::take(&mut self.bucket_buf);
            bucket_into(&key, &mut b);
            match self.buckets.get_mut(b.as_str()) {
                Some(bucket) => bucket.push(idx, &key),
                None => {
                    let mut bucket = Bucket::default();
                    bucket.push(idx, &key);
                    self.buckets.insert(b.clone(), bucket);
                }
            }
            self.bucket_buf = b;
        }
        self.by_key.entry((kind, key)).or_insert(idx);
        idx
    }

    /// Kind, then the gazetteer id, or `~` and the article-local name; for
    /// an open role description `@`, its role and its article's date.
    fn cluster_key(m: &Mention, out: &mut String) {
        out.clear();
        out.push_str(m.kind.as_str());
        out.push('\u{1f}');
        if let Some(r) = m.role.as_deref().filter(|r| r.open) {
            use std::fmt::Write;
            let mut role = String::new();
            title_key(0, r, &mut role);
            let _ = write!(out, "@{role}\u{1f}{}\u{1f}{:?}", m.canonical.to_lowercase(), r.date);
            return;
        }
        match &m.entity_id {
            Some(id) => out.push_str(id),
            None => {
                out.push('~');
                out.push_str(&m.canonical);
            }
        }
    }

    /// Called once per article, in article order (deterministic). Returns
    /// each mention's cluster number, for `Resolved::mention` to map to the
    /// final entity.
    pub fn observe(&mut self, mentions: &[Mention], clusters: &mut Vec<u32>) {
        let art = self.article;
        self.article += 1;
        clusters.clear();
        self.touched.clear();
        let mut key = std::mem::take(&mut self.key_buf);
        for m in mentions {
            Self::cluster_key(m, &mut key);
            let cluster = match self.cluster_index.get(key.as_str()) {
                Some(&c) => c,
                None => {
                    let (ent, variant) = self.place_cluster(m);
                    let c = self.clusters.len() as u32;
                    self.clusters.push(Cluster {
                        ent: ent as u32,
                        variant,
                        // An open role keeps its resolution when `finish`
                        // finds the holder.
                        gazetteer: m.entity_id.is_some() || m.role.as_ref().is_some_and(|r| r.open),
                    });
                    self.cluster_index.insert(key.clone(), c);
                    c
                }
            };
            clusters.push(cluster);
            let idx = self.clusters[cluster as usize].ent;
            if let Some(r) = m.role.as_deref().filter(|r| !r.open && m.kind == EntityKind::Person) {
                self.saw_title(idx, r);
            }
            let e = &mut self.ents[idx as usize];
            e.mentions += 1;
            if e.last_article != art {
                e.last_article = art;
                e.articles += 1;
                self.touched.push(idx);
            }
            let surf = m.surface.as_str();
            // Aliases are names. Descriptions go: role mentions, and
            // surfaces ending in a lowercase word (`Pentagon chief`).
            if m.resolution != "role"
                && surf.chars().next().is_some_and(char::is_uppercase)
                && last_word(surf).chars().next().is_some_and(|c| !c.is_lowercase())
                && !surf.starts_with("The ")
                && surf != e.name
                && !e.aliases.contains(surf)
            {
                e.aliases.insert(surf.to_string());
            }
        }
        self.key_buf = key;
        self.count_shared_articles();
    }

    /// For each lone surname in this article, the full names ending in it
    /// that the article also mentions.
    fn count_shared_articles(&mut self) {
        for &lone in &self.touched {
            let l = &self.ents[lone as usize];
            if l.open.is_some() {
                // An open role may join any person of its article.
                for &other in &self.touched {
                    if other != lone && self.ents[other as usize].kind == EntityKind::Person {
                        *self.shared_articles.entry((lone, other)).or_default() += 1;
                    }
                }
                continue;
            }
            if !is_lone_surname(l) {
                continue;
            }
            for &full in &self.touched {
                if full_name_surname(&self.ents[full as usize]) == Some(l.key.as_str()) {
                    *self.shared_articles.entry((lone, full)).or_default() += 1;
                }
            }
        }
    }

    /// Remembers that person `ent` was named with title `r`.
    fn saw_title(&mut self, ent: u32, r: &RoleSig) {
        let mut key = std::mem::take(&mut self.title_buf);
        title_key(ent, r, &mut key);
        match self.title_index.get(&key) {
            Some((head, i)) => {
                let t = &mut self.titles.get_mut(head).expect("indexed head")[*i];
                t.count += 1;
                if let Some(d) = r.date {
                    t.first = Some(t.first.map_or(d, |f| f.min(d)));
                    t.last = Some(t.last.map_or(d, |l| l.max(d)));
                }
            }
            None => {
                let list = self.titles.entry(r.head.clone()).or_default();
                list.push(TitleSeen {
                    ent,
                    sig: Box::new(r.clone()),
                    first: r.date,
                    last: r.date,
                    count: 1,
                });
                self.title_index.insert(key.clone(), (r.head.clone(), list.len() - 1));
            }
        }
        self.title_buf = key;
    }

    /// The person titled as open description `d` describes, nearest in
    /// time to it, then most often.
    fn holder_of(&self, d: &RoleSig) -> Option<usize> {
        let heads = d.title_heads();
        let own = [d.head.as_str()];
        let heads = if heads.is_empty() { &own[..] } else { heads };
        heads
            .iter()
            .filter_map(|h| self.titles.get(*h))
            .flatten()
            .filter(|t| d.describes(&t.sig))
            .map(|t| {
                (
                    d.date.map_or(0, |x| days_outside(x, t)),
                    std::cmp::Reverse(t.count),
                    t.ent,
                )
            })
            // Offices change hands: a title seen only long before or after
            // says little about who held it then.
            .filter(|x| x.0 <= MAX_TITLE_GAP_DAYS)
            .min()
            .map(|x| x.2 as usize)
    }

    fn place_cluster(&mut self, m: &Mention) -> (usize, bool) {
        if let Some(r) = m.role.as_ref().filter(|r| r.open) {
            // A stand-in entity of its own, never matched by name.
            let idx = self.ents.len();
            self.ents.push(Ent {
                gaz_id: None,
                kind: m.kind,
                name: m.canonical.clone(),
                key: fold_key(&m.canonical),
                aliases: BTreeSet::new(),
                mentions: 0,
                articles: 0,
                last_article: u32::MAX,
                open: Some(r.clone()),
            });
            return (idx, false);
        }
        if let Some(id) = &m.entity_id {
            if let Some(&i) = self.gaz_index.get(id) {
                return (i, false);
            }
            let i = self.add(Some(id.clone()), m.kind, &m.canonical);
            self.gaz_index.insert(id.clone(), i);
            return (i, false);
        }
        // The key probes `by_key` and is then kept for `add_keyed`: a name
        // is folded once.
        let exact = (m.kind, self.key_of(m.kind, &m.canonical));
        if let Some(&i) = self.by_key.get(&exact) {
            let variant = self.ents[i].name != m.canonical;
            return (i, variant);
        }
        let key = exact.1;
        if m.kind == EntityKind::Person {
            // Speaker labels and lists print the surname first ("Gerasimov
            // Valery"): a two-word name meets its reversed form.
            if let Some((a, b)) = key.split_once(' ').filter(|(_, b)| !b.contains(' ')) {
                // The probe key lives in a reused buffer: no allocation per name.
                let mut probe = (m.kind, std::mem::take(&mut self.swap_buf));
                probe.1.clear();
                probe.1.push_str(b);
                probe.1.push(' ');
                probe.1.push_str(a);
                let hit = self.by_key.get(&probe).copied();
                self.swap_buf = probe.1;
                if let Some(i) = hit {
                    return (i, true);
                }
            }
            // Lowest index wins: gazetteer first, then first seen. A
            // one-word key is never a variant (see `variant_of`), so lone
            // surnames, the most frequent person keys, neither scan a
            // bucket nor fill one.
            if key.contains(' ') {
                let mut b = std::mem::take(&mut self.bucket_buf);
                bucket_into(&key, &mut b);
                let hit = self.buckets.get(b.as_str()).and_then(|x| x.first_variant(&key));
                self.bucket_buf = b;
                if let Some(i) = hit {
                    return (i, true);
                }
            }
        }
        (self.add_keyed(None, m.kind, &m.canonical, key), false)
    }

    /// After all articles: decides the final entities and their ids.
    pub fn finish(self) -> Resolved {
        let n = self.ents.len();
        let mut redirect: Vec<usize> = (0..n).collect();
        // A discovered lone surname joins the one full name that ends with it;
        // with two candidates it stays apart rather than guess.
        let mut by_surname: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, e) in self.ents.iter().enumerate() {
            if let (Some(last), true) = (full_name_surname(e), e.mentions > 0) {
                by_surname.entry(last).or_default().push(i);
            }
        }
        for (i, e) in self.ents.iter().enumerate() {
            if is_lone_surname(e) && e.mentions > 0 {
                if let Some([only]) = by_surname.get(e.key.as_str()).map(Vec::as_slice) {
                    redirect[i] = *only;
                }
            }
        }
        // Open roles join the person titled so; the rest become one entity
        // per wording ("President of Russia") rather than one per article.
        let mut open_by_name: FxHashMap<&str, usize> = FxHashMap::default();
        for (i, e) in self.ents.iter().enumerate() {
            let Some(r) = &e.open else { continue };
            redirect[i] = match self.holder_of(r) {
                Some(h) => redirect[h],
                None => redirect[*open_by_name.entry(e.key.as_str()).or_insert(i)],
            };
        }
        let mut ents = self.ents;
        for i in 0..n {
            let t = redirect[i];
            if t != i {
                let aliases = std::mem::take(&mut ents[i].aliases);
                let name = ents[i].name.clone();
                let (mentions, articles) = (ents[i].mentions, ents[i].articles);
                ents[i].mentions = 0;
                let shared = self.shared_articles.get(&(i as u32, t as u32)).copied().unwrap_or(0);
                let described = ents[i].open.is_some();
                let dst = &mut ents[t];
                dst.aliases.extend(aliases);
                // A role description is not a name.
                if name != dst.name && !described {
                    dst.aliases.insert(name);
                }
                dst.mentions += mentions;
                dst.articles += articles - shared;
            }
        }
        // Stable ids: gazetteer ids, else kind/slug with a numeric suffix on
        // collision, assigned in first-seen order.
        let mut taken: std::collections::HashSet<String> = ents.iter().filter_map(|e| e.gaz_id.clone()).collect();
        let mut ids = Vec::with_capacity(n);
        for e in &ents {
            match &e.gaz_id {
                Some(id) => ids.push(id.clone()),
                None if e.mentions == 0 => ids.push(String::new()),
                None => {
                    let base = format!("{}/{}", e.kind.as_str(), slug(&e.name));
                    let mut id = base.clone();
                    let mut k = 2;
                    while taken.contains(&id) {
                        id = format!("{base}-{k}");
                        k += 1;
                    }
                    taken.insert(id.clone());
                    ids.push(id);
                }
            }
        }
        let clusters = self
            .clusters
            .into_iter()
            .map(|c| {
                let t = redirect[c.ent as usize];
                Cluster {
                    ent: t as u32,
                    variant: c.variant || t != c.ent as usize,
                    gazetteer: c.gazetteer,
                }
            })
            .collect();
        Resolved { ents, ids, clusters }
    }
}

pub struct Resolved {
    ents: Vec<Ent>,
    ids: Vec<String>,
    clusters: Vec<Cluster>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityRow {
    pub entity_id: String,
    pub kind: EntityKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub mentions: i64,
    pub articles: i64,
    pub origin: &'static str,
}

impl Resolved {
    /// The final entity id of a mention in cluster `cluster` (from
    /// `observe`), and whether it now reads as resolved by `variant`: a
    /// discovered name that joined its entity by spelling.
    pub fn mention(&self, cluster: u32) -> Option<(&str, bool)> {
        let c = self.clusters.get(cluster as usize)?;
        Some((&self.ids[c.ent as usize], c.variant && !c.gazetteer))
    }

    pub fn entities(&self) -> Vec<EntityRow> {
        let mut rows: Vec<EntityRow> = self
            .ents
            .iter()
            .zip(&self.ids)
            .filter(|(e, _)| e.mentions > 0)
            .map(|(e, id)| EntityRow {
                entity_id: id.clone(),
                kind: e.kind,
                name: e.name.clone(),
                aliases: e.aliases.iter().cloned().collect(),
                mentions: e.mentions,
                articles: e.articles,
                origin: if e.gaz_id.is_some() { "gazetteer" } else { "discovered" },
            })
            .collect();
        rows.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::names::{find_mentions, GazetteerText};
    use chrono::NaiveDate;

    const LEX: &str = include_str!("../../data/lexicons/names.toml");

    type Observed = Vec<(Vec<Mention>, Vec<u32>)>;

    fn run(k: &NameKnowledge, arts: &[(&str, &str)]) -> (Observed, Resolved) {
        let d = NaiveDate::from_ymd_opt(2022, 10, 21);
        let mut r = EntityResolver::new(k);
        let per = arts
            .iter()
            .map(|(_, t)| {
                let mentions = find_mentions(t, d, k);
                let mut clusters = Vec::new();
                r.observe(&mentions, &mut clusters);
                (mentions, clusters)
            })
            .collect();
        (per, r.finish())
    }

    fn id_of(per: &Observed, r: &Resolved, art: usize, surface: &str) -> String {
        let (mentions, clusters) = &per[art];
        let i = mentions
            .iter()
            .position(|m| m.surface == surface)
            .unwrap_or_else(|| panic!("{surface} not found in {mentions:?}"));
        r.mention(clusters[i]).unwrap().0.to_owned()
    }

    fn mini_gazetteer() -> NameKnowledge {
        let people = "id\tname\taliases\tcountry\tdescription\n\
person/sergei-shoigu\tSergei Shoigu\tSergey Shoigu\tRU\tx\n\
person/andrei-belousov\tAndrei Belousov\t\tRU\tx\n";
        let roles = "role\tcountry\tholder\tfrom\tto\tphrases\n\
defense-minister\tRU\tperson/sergei-shoigu\t2012-11-06\t2024-05-12\tdefense minister; Defense Minister\n\
defense-minister\tRU\tperson/andrei-belousov\t2024-05-12\t\t\n";
        let countries = "code\tname\tadjectives\taliases\nRU\tRussia\tRussian; Russia's\tMoscow\n";
        let g = GazetteerText {
            people,
            roles,
            countries,
            orgs: "id\tname\taliases\tcountry\tkind\n",
            places: "id\tname\taliases\tcountry\tkind\n",
        };
        NameKnowledge::from_strings(Some(g), LEX).unwrap()
    }

    #[test]
    fn issue_spellings_merge_without_gazetteer() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let arts = [
            ("a1", "Defense Secretary Lloyd Austin met his Russian counterpart, Minister of Defense Sergei Shoygu, on Friday. Secretary Austin said Shoygu listened. Austin left."),
            ("a2", "Russian Defense Minister Sergey Shoigu spoke to Brig. Gen. Pat Ryder. Ryder agreed."),
            ("a3", "Sergei Shoigu and Andrei Belousov met. Later Brigadier General Pat Ryder spoke."),
            ("a4", "Andrey Belousov said the Pentagon chief Lloyd Austin was wrong."),
        ];
        let (per, r) = run(&k, &arts);
        let shoigu = id_of(&per, &r, 0, "Sergei Shoygu");
        for (a, s) in [(0, "Shoygu"), (1, "Sergey Shoigu"), (2, "Sergei Shoigu")] {
            assert_eq!(id_of(&per, &r, a, s), shoigu, "{s}");
        }
        assert_eq!(
            id_of(&per, &r, 2, "Andrei Belousov"),
            id_of(&per, &r, 3, "Andrey Belousov")
        );
        let austin = id_of(&per, &r, 0, "Lloyd Austin");
        assert_eq!(id_of(&per, &r, 0, "Austin"), austin);
        assert_eq!(id_of(&per, &r, 3, "Lloyd Austin"), austin);
        let ryder = id_of(&per, &r, 1, "Pat Ryder");
        assert_eq!(id_of(&per, &r, 1, "Ryder"), ryder);
        assert_eq!(id_of(&per, &r, 2, "Pat Ryder"), ryder);
        assert!(ryder.starts_with("person/pat-ryder"));
    }

    #[test]
    fn issue_spellings_merge_with_gazetteer() {
        let k = mini_gazetteer();
        let arts = [
            ("a1", "Sergei Shoygu spoke. Shoygu left."),
            ("a2", "Sergey Shoigu and Andrey Belousov met."),
        ];
        let (per, r) = run(&k, &arts);
        assert_eq!(id_of(&per, &r, 0, "Sergei Shoygu"), "person/sergei-shoigu");
        assert_eq!(id_of(&per, &r, 0, "Shoygu"), "person/sergei-shoigu");
        assert_eq!(id_of(&per, &r, 1, "Sergey Shoigu"), "person/sergei-shoigu");
        assert_eq!(id_of(&per, &r, 1, "Andrey Belousov"), "person/andrei-belousov");
    }

    #[test]
    fn entity_counts_match_the_mentions_resolved_to_it() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let arts = [
            ("a1", "Brigadier General Pat Ryder spoke on Monday."),
            ("a2", "The talks were over, said spokesman Ryder."),
            (
                "a3",
                "More came, said spokesman Ryder, and Pat Ryder later added a note.",
            ),
            ("a4", "Pat Ryder and Lloyd Austin left. Austin returned."),
        ];
        let (per, r) = run(&k, &arts);
        for row in r.entities() {
            let mut articles = 0;
            let mut mentions = 0;
            for (_, cs) in &per {
                let n = cs.iter().filter(|&&c| r.mention(c).unwrap().0 == row.entity_id).count();
                mentions += n;
                articles += usize::from(n > 0);
            }
            assert_eq!(
                (row.mentions, row.articles),
                (mentions as i64, articles as i64),
                "{row:?} {per:?}"
            );
        }
        let ryder = id_of(&per, &r, 0, "Pat Ryder");
        assert_eq!(id_of(&per, &r, 1, "Ryder"), ryder);
    }

    #[test]
    fn descriptions_are_not_aliases() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let mut r = EntityResolver::new(&k);
        let mut clusters = Vec::new();
        let mut chief = person("Lloyd Austin");
        chief.surface = "Pentagon chief".into();
        let mentions = [person("Lloyd Austin"), chief, person("Austin")];
        r.observe(&mentions, &mut clusters);
        let rows = r.finish().entities();
        assert_eq!(rows[0].aliases, ["Austin"], "{rows:?}");
    }

    fn person(canonical: &str) -> Mention {
        Mention {
            char_start: 0,
            char_end: canonical.len(),
            surface: canonical.into(),
            kind: EntityKind::Person,
            entity_id: None,
            canonical: canonical.into(),
            resolution: "name",
            role: None,
        }
    }

    #[test]
    fn a_merged_surname_counts_shared_articles_once() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let mut r = EntityResolver::new(&k);
        let mut clusters = Vec::new();
        // Articles 1 and 3 name both; article 2 only the surname.
        for article in [
            vec!["Ryder", "Pat Ryder"],
            vec!["Ryder"],
            vec!["Pat Ryder", "Ryder"],
            vec!["Pat Ryder"],
        ] {
            let mentions: Vec<Mention> = article.into_iter().map(person).collect();
            r.observe(&mentions, &mut clusters);
        }
        let resolved = r.finish();
        let rows = resolved.entities();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!((rows[0].mentions, rows[0].articles), (6, 4));
        assert_eq!(resolved.mention(0), Some(("person/pat-ryder", true)));
        assert_eq!(resolved.mention(1), Some(("person/pat-ryder", false)));
    }

    #[test]
    fn jaro_winkler_bound_is_an_upper_bound() {
        let names = [
            "shoigu",
            "shoigy",
            "belousov",
            "belousova",
            "zelenski",
            "zelenskii",
            "austin",
            "ryder",
            "sh",
            "x",
        ];
        for a in names {
            for b in names {
                let (bound, exact) = (jaro_winkler_bound(a, b), strsim::jaro_winkler(a, b));
                assert!(bound + 1e-9 >= exact, "{a} {b}: {bound} < {exact}");
            }
        }
        assert!(jaro_winkler_bound("shoigu", "sharov") < 0.93);
    }

    #[test]
    fn a_bucket_scan_finds_the_first_variant_of_the_plain_test() {
        let words = [
            "alexandr",
            "oleksandr",
            "aleksandr",
            "shoigu",
            "shoigy",
            "sergei",
            "belousov",
            "belousova",
            "andrei",
            "zelenskii",
            "zelenski",
            "a",
            "1",
        ];
        let mut draw = crate::test_text::numbers(9);
        let keys: Vec<String> = (0..400)
            .map(|_| {
                (0..1 + draw(3))
                    .map(|_| words[draw(words.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let (mut bucket, mut found) = (Bucket::default(), 0);
        for (i, key) in keys.iter().enumerate() {
            let plain = keys[..i].iter().position(|a| variant_of(a, key));
            assert_eq!(bucket.first_variant(key), plain, "{key:?}");
            found += usize::from(plain.is_some());
            bucket.push(i, key);
        }
        assert!(found > 10, "{found}");
    }

    #[test]
    fn belousov_and_belousova_stay_apart() {
        assert!(!variant_of(&fold_key("Andrei Belousov"), &fold_key("Andrei Belousova")));
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let arts = [("a", "Andrei Belousov spoke."), ("b", "Andrei Belousova spoke.")];
        let (per, r) = run(&k, &arts);
        assert_ne!(
            id_of(&per, &r, 0, "Andrei Belousov"),
            id_of(&per, &r, 1, "Andrei Belousova")
        );
    }

    #[test]
    fn not_people() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let t =
            "The talks began on Monday. In March, Reuters and TASS reported it. Friday was calm. However, Kyiv waited.";
        let ms = find_mentions(t, None, &k);
        assert!(ms.iter().all(|m| m.kind != EntityKind::Person), "{ms:?}");
    }

    #[test]
    fn role_resolves_by_date() {
        let k = mini_gazetteer();
        let t = "Talks with Russia's defense minister ended.";
        let old = find_mentions(t, NaiveDate::from_ymd_opt(2022, 10, 21), &k);
        let new = find_mentions(t, NaiveDate::from_ymd_opt(2024, 6, 26), &k);
        let role = |ms: &[Mention]| {
            ms.iter()
                .find(|m| m.resolution == "role")
                .and_then(|m| m.entity_id.clone())
        };
        assert_eq!(role(&old).as_deref(), Some("person/sergei-shoigu"));
        assert_eq!(role(&new).as_deref(), Some("person/andrei-belousov"));
    }

    /// Runs articles with their own dates.
    fn run_dated(k: &NameKnowledge, arts: &[(&str, Option<NaiveDate>)]) -> (Observed, Resolved) {
        let mut r = EntityResolver::new(k);
        let per = arts
            .iter()
            .map(|(t, d)| {
                let mentions = find_mentions(t, *d, k);
                let mut clusters = Vec::new();
                r.observe(&mentions, &mut clusters);
                (mentions, clusters)
            })
            .collect();
        (per, r.finish())
    }

    #[test]
    fn familiar_given_names_meet_their_formal_form() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let arts = [
            ("a", "U.S. President Joe Biden spoke."),
            ("b", "He called Joseph Biden on Monday."),
            ("c", "Later President Biden agreed."),
        ];
        let (per, r) = run(&k, &arts);
        let biden = id_of(&per, &r, 0, "Joe Biden");
        assert_eq!(id_of(&per, &r, 1, "Joseph Biden"), biden);
        assert_eq!(id_of(&per, &r, 2, "Biden"), biden);
        assert_eq!(k.person_key("Joe Biden"), k.person_key("Joseph Biden"));
        assert_ne!(k.person_key("Joe Biden"), k.person_key("Jill Biden"));
    }

    #[test]
    fn open_roles_join_the_person_titled_so_nearest_in_time() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let arts = [
            ("President of Ruritania Tomas Novak spoke.", day(2021, 5, 1)),
            ("President of Ruritania Ola Berg spoke.", day(2024, 5, 1)),
            (
                "Tomas Novak called. The Ruritanian President noted progress.",
                day(2021, 9, 1),
            ),
            (
                "Ola Berg called. The President of Ruritania noted progress.",
                day(2024, 1, 1),
            ),
            (
                "Talks ended. The President of Freedonia noted progress.",
                day(2021, 9, 1),
            ),
            ("Talks resumed. The President of Freedonia noted it.", day(2021, 9, 2)),
        ];
        let (per, r) = run_dated(&k, &arts);
        let kowal = id_of(&per, &r, 0, "Tomas Novak");
        let berg = id_of(&per, &r, 1, "Ola Berg");
        assert_ne!(kowal, berg);
        assert_eq!(id_of(&per, &r, 2, "The Ruritanian President"), kowal);
        assert_eq!(id_of(&per, &r, 3, "The President of Ruritania"), berg);
        // No one titled so: one entity for the role, not one per article.
        let f = id_of(&per, &r, 4, "The President of Freedonia");
        assert_eq!(id_of(&per, &r, 5, "The President of Freedonia"), f);
        assert!(f.starts_with("person/president-of-freedonia"), "{f}");
        // It keeps its resolution, and the counts add up.
        let (ms, cs) = &per[2];
        let i = ms.iter().position(|m| m.surface == "The Ruritanian President").unwrap();
        assert_eq!(r.mention(cs[i]), Some((kowal.as_str(), false)));
        let row = r.entities().into_iter().find(|e| e.entity_id == kowal).unwrap();
        assert_eq!((row.mentions, row.articles), (3, 2));
        assert!(row.aliases.is_empty(), "{row:?}");
    }

    #[test]
    fn an_open_role_far_from_any_title_stays_apart() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let arts = [
            (
                "President of Ruritania Tomas Novak spoke.",
                NaiveDate::from_ymd_opt(2015, 5, 1),
            ),
            (
                "Talks ended. The President of Ruritania noted progress.",
                NaiveDate::from_ymd_opt(2022, 5, 1),
            ),
        ];
        let (per, r) = run_dated(&k, &arts);
        assert_ne!(
            id_of(&per, &r, 0, "Tomas Novak"),
            id_of(&per, &r, 1, "The President of Ruritania")
        );
    }

    #[test]
    fn a_surname_first_name_meets_its_usual_order() {
        let k = NameKnowledge::from_strings(None, LEX).unwrap();
        let arts = [
            ("a", "Chief of the General Staff Valery Gerasimov spoke."),
            ("b", "Later Gerasimov Valery replied in full."),
            ("c", "Later Valery Gerasimova replied in full."),
        ];
        let (per, r) = run(&k, &arts);
        assert_eq!(
            id_of(&per, &r, 0, "Valery Gerasimov"),
            id_of(&per, &r, 1, "Gerasimov Valery")
        );
        assert_ne!(
            id_of(&per, &r, 0, "Valery Gerasimov"),
            id_of(&per, &r, 2, "Valery Gerasimova")
        );
    }
}
