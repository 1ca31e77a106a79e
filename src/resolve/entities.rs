//! Cross-article entity resolution: merges article-local clusters into
//! entities with stable ids. State is kept per entity, never per mention.
#![allow(missing_docs)]

use crate::annotate::names::{fold_key, slug, EntityKind, Mention, NameKnowledge};
use std::collections::{BTreeSet, HashMap};

struct Ent {
    gaz_id: Option<String>,
    kind: EntityKind,
    name: String,
    key: String,
    aliases: BTreeSet<String>,
    mentions: i64,
    articles: Vec<u32>,
}

pub struct EntityResolver {
    ents: Vec<Ent>,
    /// (kind, gazetteer id or canonical) -> (entity, merged by variant).
    clusters: HashMap<(EntityKind, String), (usize, bool)>,
    by_key: HashMap<(EntityKind, String), usize>,
    /// Candidates for variant matching, bucketed by the surname's first letters.
    buckets: HashMap<(EntityKind, String), Vec<usize>>,
    gaz_index: HashMap<String, usize>,
    article: u32,
}

fn bucket_of(key: &str) -> String {
    key.rsplit(' ').next().unwrap_or("").chars().take(2).collect()
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
fn variant_of(a: &str, b: &str) -> bool {
    let ta: Vec<&str> = a.split(' ').collect();
    let tb: Vec<&str> = b.split(' ').collect();
    if ta.len() < 2 || ta.len() != tb.len() {
        return false;
    }
    let (la, lb) = (ta[ta.len() - 1], tb[tb.len() - 1]);
    if gender_pair(la, lb) {
        return false;
    }
    let last_ok = la == lb || la.len() >= 5 && strsim::jaro_winkler(la, lb) >= 0.93;
    let first_ok = ta[0] == tb[0] || strsim::jaro_winkler(ta[0], tb[0]) >= 0.88;
    last_ok && first_ok && strsim::jaro_winkler(a, b) >= 0.92
}

impl EntityResolver {
    pub fn new(k: &NameKnowledge) -> Self {
        let mut r = EntityResolver {
            ents: Vec::new(),
            clusters: HashMap::new(),
            by_key: HashMap::new(),
            buckets: HashMap::new(),
            gaz_index: HashMap::new(),
            article: 0,
        };
        for g in &k.entities {
            let idx = r.add(Some(g.id.clone()), g.kind, &g.name);
            r.gaz_index.insert(g.id.clone(), idx);
        }
        r
    }

    fn add(&mut self, gaz_id: Option<String>, kind: EntityKind, name: &str) -> usize {
        let key = fold_key(name);
        let idx = self.ents.len();
        self.ents.push(Ent {
            gaz_id,
            kind,
            name: name.to_string(),
            key: key.clone(),
            aliases: BTreeSet::new(),
            mentions: 0,
            articles: Vec::new(),
        });
        self.buckets.entry((kind, bucket_of(&key))).or_default().push(idx);
        self.by_key.entry((kind, key)).or_insert(idx);
        idx
    }

    fn cluster_key(m: &Mention) -> (EntityKind, String) {
        match &m.entity_id {
            Some(id) => (m.kind, id.clone()),
            None => (m.kind, format!("~{}", m.canonical)),
        }
    }

    /// Called once per article, in article order (deterministic).
    pub fn observe(&mut self, _article_id: &str, mentions: &[Mention]) {
        let art = self.article;
        self.article += 1;
        for m in mentions {
            let ck = Self::cluster_key(m);
            let idx = match self.clusters.get(&ck) {
                Some(&(i, _)) => i,
                None => {
                    let (i, variant) = self.place_cluster(m);
                    self.clusters.insert(ck, (i, variant));
                    i
                }
            };
            let e = &mut self.ents[idx];
            e.mentions += 1;
            if e.articles.last() != Some(&art) {
                e.articles.push(art);
            }
            let surf = m.surface.as_str();
            if m.resolution != "role"
                && surf.chars().next().is_some_and(char::is_uppercase)
                && !surf.starts_with("The ")
                && surf != e.name
            {
                e.aliases.insert(surf.to_string());
            }
        }
    }

    fn place_cluster(&mut self, m: &Mention) -> (usize, bool) {
        if let Some(id) = &m.entity_id {
            if let Some(&i) = self.gaz_index.get(id) {
                return (i, false);
            }
            let i = self.add(Some(id.clone()), m.kind, &m.canonical);
            self.gaz_index.insert(id.clone(), i);
            return (i, false);
        }
        let key = fold_key(&m.canonical);
        if let Some(&i) = self.by_key.get(&(m.kind, key.clone())) {
            let variant = self.ents[i].name != m.canonical;
            return (i, variant);
        }
        if m.kind == EntityKind::Person {
            if let Some(list) = self.buckets.get(&(m.kind, bucket_of(&key))) {
                // Lowest index wins: gazetteer first, then first seen.
                if let Some(&i) = list.iter().find(|&&i| variant_of(&self.ents[i].key, &key)) {
                    return (i, true);
                }
            }
        }
        (self.add(None, m.kind, &m.canonical), false)
    }

    /// After all articles: the final entity id of an article-local cluster.
    pub fn finish(self) -> Resolved {
        let n = self.ents.len();
        let mut redirect: Vec<usize> = (0..n).collect();
        // A discovered lone surname joins the one full name that ends with it;
        // with two candidates it stays apart rather than guess.
        let mut by_surname: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in self.ents.iter().enumerate() {
            if e.kind == EntityKind::Person && e.key.contains(' ') && (e.mentions > 0 || e.gaz_id.is_some()) {
                let last = e.key.rsplit(' ').next().unwrap_or("").to_string();
                by_surname.entry(last).or_default().push(i);
            }
        }
        for (i, e) in self.ents.iter().enumerate() {
            if e.kind == EntityKind::Person && e.gaz_id.is_none() && !e.key.contains(' ') && e.mentions > 0 {
                if let Some(c) = by_surname.get(&e.key) {
                    let used: Vec<usize> = c.iter().copied().filter(|&j| self.ents[j].mentions > 0).collect();
                    if used.len() == 1 {
                        redirect[i] = used[0];
                    }
                }
            }
        }
        let mut ents = self.ents;
        for i in 0..n {
            let t = redirect[i];
            if t != i {
                let src = std::mem::take(&mut ents[i].aliases);
                let name = ents[i].name.clone();
                let arts = std::mem::take(&mut ents[i].articles);
                let m = ents[i].mentions;
                ents[i].mentions = 0;
                let dst = &mut ents[t];
                dst.aliases.extend(src);
                if name != dst.name {
                    dst.aliases.insert(name);
                }
                dst.mentions += m;
                dst.articles.extend(arts);
                dst.articles.sort_unstable();
                dst.articles.dedup();
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
            .map(|(k, (i, v))| {
                let t = redirect[i];
                (k, (t, v || t != i))
            })
            .collect();
        Resolved { ents, ids, clusters }
    }
}

pub struct Resolved {
    ents: Vec<Ent>,
    ids: Vec<String>,
    clusters: HashMap<(EntityKind, String), (usize, bool)>,
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
    pub fn entity_of(&self, m: &Mention) -> (String, &'static str) {
        match self.clusters.get(&EntityResolver::cluster_key(m)) {
            Some(&(i, variant)) => {
                let r = if variant && m.entity_id.is_none() {
                    "variant"
                } else {
                    m.resolution
                };
                (self.ids[i].clone(), r)
            }
            // Not observed: fall back to the article-local identity.
            None => (
                m.entity_id
                    .clone()
                    .unwrap_or_else(|| format!("{}/{}", m.kind.as_str(), slug(&m.canonical))),
                m.resolution,
            ),
        }
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
                articles: e.articles.len() as i64,
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

    fn run(k: &NameKnowledge, arts: &[(&str, &str)]) -> (Vec<Vec<Mention>>, Resolved) {
        let d = NaiveDate::from_ymd_opt(2022, 10, 21);
        let per: Vec<Vec<Mention>> = arts.iter().map(|(_, t)| find_mentions(t, d, k)).collect();
        let mut r = EntityResolver::new(k);
        for ((id, _), m) in arts.iter().zip(&per) {
            r.observe(id, m);
        }
        (per, r.finish())
    }

    fn id_of(per: &[Vec<Mention>], r: &Resolved, art: usize, surface: &str) -> String {
        let m = per[art]
            .iter()
            .find(|m| m.surface == surface)
            .unwrap_or_else(|| panic!("{surface} not found in {:?}", per[art]));
        r.entity_of(m).0
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
}
