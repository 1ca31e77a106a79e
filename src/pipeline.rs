//! The per-article stages, composed: decode → header → clean → annotate.
//! A pure function of the raw article and the compiled settings, so the
//! runner may call it on any thread in any order.

use std::time::Instant;

use encoding_rs::Encoding;
use regex::Regex;

use crate::annotate::boilerplate::Stripped;
use crate::annotate::byline::read_names;
use crate::annotate::dates::tag;
use crate::annotate::metadata::{parse_published, split_date_prefix, unescape_entities, DateFormats};
use crate::annotate::names::{find_mentions, Mention};
use crate::clean::clean;
use crate::config::{Config, FieldMap};
use crate::error::ConfigProblem;
use crate::knowledge::Knowledge;
use crate::model::{InputFormat, RawArticle, RawText};
use crate::read::decode::decode;
use crate::read::json::{parse_record, JsonKeys};
use crate::read::Input;
use crate::write::schema::{ArticleRow, DateRow, MentionRow, RejectRow, TextRow};
use crate::write::TableRows;

/// Settings and knowledge compiled once and shared by every worker.
#[derive(Debug)]
pub struct Pipeline {
    forced_encoding: Option<&'static Encoding>,
    date_prefix: bool,
    title_line: bool,
    name_pattern: Option<Regex>,
    date_formats: DateFormats,
    json_fields: FieldMap,
    json_keys: JsonKeys,
    knowledge: Knowledge,
    corpus_outlet: Option<usize>,
}

/// Seconds spent in each per-article stage, summed over articles.
#[derive(Debug, Default, Clone, Copy)]
pub struct StageTimes {
    /// Decoding bytes to text.
    pub decode: f64,
    /// Cleaning.
    pub clean: f64,
    /// Boilerplate removal and metadata (outlet, title, authors, date).
    pub articles: f64,
    /// The temporal tagger.
    pub dates: f64,
    /// Name mentions, resolved within the article.
    pub names: f64,
}

impl StageTimes {
    /// Adds another article's times.
    pub fn add(&mut self, other: &StageTimes) {
        self.decode += other.decode;
        self.clean += other.clean;
        self.articles += other.articles;
        self.dates += other.dates;
        self.names += other.names;
    }
}

/// What one article produced.
#[derive(Debug)]
pub enum Processed {
    /// The article's rows in every table.
    Article(Box<ArticleOutput>),
    /// It could not be an article.
    Reject(RejectRow),
}

/// An article's rows.
#[derive(Debug)]
pub struct ArticleOutput {
    /// `articles` row.
    pub article: ArticleRow,
    /// `texts` row.
    pub text: TextRow,
    /// `dates` rows.
    pub dates: Vec<DateRow>,
    /// Names found, resolved within the article; the cross-article
    /// resolver gives them their final entities.
    pub mentions: Vec<Mention>,
}

impl ArticleOutput {
    /// Moves the rows into a batch's tables. Mentions go in with their
    /// cluster number from the entity barrier (`clusters`, one per mention)
    /// in place of the entity id, which is known only when the run ends.
    pub fn push_into(self, clusters: &[u32], rows: &mut TableRows) {
        for (m, cluster) in self.mentions.into_iter().zip(clusters) {
            rows.mentions.push(MentionRow {
                article_id: self.article.article_id.clone(),
                entity_id: itoa::Buffer::new().format(*cluster).to_owned(),
                surface: m.surface,
                char_start: m.char_start as i64,
                char_end: m.char_end as i64,
                resolution: m.resolution.into(),
            });
        }
        rows.articles.push(self.article);
        rows.texts.push(self.text);
        rows.dates.extend(self.dates);
    }
}

impl Pipeline {
    /// Compiles the per-article settings (the config is validated; the
    /// corpus outlet is checked against the registry here). A stage runs
    /// when `knowledge` holds its files: load it with
    /// `Knowledge::load_for(.., &config.run.stages)`.
    pub fn new(config: &Config, knowledge: Knowledge) -> Result<Pipeline, ConfigProblem> {
        let corpus_outlet = match config.input.outlet.as_str() {
            "" => None,
            name => Some(knowledge.outlets.index_of(name).ok_or_else(|| ConfigProblem {
                key: "input.outlet".into(),
                message: format!("`{name}` is not in the outlet registry; use a slug or name from data/outlets.tsv"),
            })?),
        };
        let encoding = &config.readers.text.encoding;
        Ok(Pipeline {
            forced_encoding: if encoding == "auto" {
                None
            } else {
                Encoding::for_label(encoding.as_bytes())
            },
            date_prefix: config.readers.text.date_prefix,
            title_line: config.readers.text.title_line,
            name_pattern: Some(&config.readers.text.name_pattern)
                .filter(|p| !p.is_empty())
                .map(|p| Regex::new(p).expect("validated with the config")),
            date_formats: DateFormats::new(&config.input.date_formats),
            json_fields: config.readers.json.fields.clone(),
            json_keys: JsonKeys::new(&config.readers.json.fields),
            knowledge,
            corpus_outlet,
        })
    }

    /// The keys the JSON readers keep, for the reader thread.
    pub fn json_keys(&self) -> &JsonKeys {
        &self.json_keys
    }

    /// The knowledge the stages use.
    pub fn knowledge(&self) -> &Knowledge {
        &self.knowledge
    }

    /// Finishes reading an input (reading a text file, parsing a JSON
    /// record), then runs every per-article stage on it.
    pub fn process_input(&self, input: Input, times: &mut StageTimes) -> Processed {
        let started = Instant::now();
        let finished = match input {
            Input::Article(raw) => return self.process(*raw, times),
            Input::Reject(row) => return Processed::Reject(row),
            Input::JsonRecord(record) => parse_record(*record, &self.json_fields, &self.json_keys),
            Input::TextFile(file) => file.read(),
        };
        times.decode += started.elapsed().as_secs_f64();
        match finished {
            Ok(raw) => self.process(raw, times),
            Err(row) => Processed::Reject(row),
        }
    }

    /// Runs every per-article stage.
    pub fn process(&self, raw: RawArticle, times: &mut StageTimes) -> Processed {
        let started = Instant::now();
        let raw_bytes = raw.body.len() as i64;
        let (text, encoding) = match raw.body {
            RawText::Decoded { text, encoding } => (text, encoding),
            RawText::Bytes(bytes) => match decode(&bytes, self.forced_encoding) {
                Ok(d) => (d.text, d.encoding),
                Err(reason) => return reject(raw.source, reason),
            },
        };
        let mut published_text = raw.meta.published.clone();
        let mut published_source = "metadata";
        let mut body: &str = &text;
        if raw.format == InputFormat::Text && self.date_prefix {
            if let Some((date, rest)) = split_date_prefix(body) {
                published_text = Some(date.to_owned());
                published_source = "header";
                body = rest;
            }
        }
        let decoded_at = Instant::now();
        times.decode += (decoded_at - started).as_secs_f64();

        let cleaned = clean(body);
        let cleaned_at = Instant::now();
        times.clean += (cleaned_at - decoded_at).as_secs_f64();
        if cleaned.is_empty() {
            let reason = if text.trim().is_empty() {
                "no text: the input holds only whitespace"
            } else {
                "no text left after cleaning"
            };
            return reject(raw.source, reason.into());
        }
        let cleaned_chars = cleaned.chars().count() as i64;
        let stripped = match &self.knowledge.boilerplate {
            Some(rules) => rules.strip(&cleaned),
            None => Stripped {
                text: cleaned,
                ..Stripped::default()
            },
        };
        if stripped.text.is_empty() {
            return reject(
                raw.source,
                "no text left after removing boilerplate (navigation, bylines and calls to action only)".into(),
            );
        }
        let chars = if self.knowledge.boilerplate.is_some() {
            stripped.text.chars().count() as i64
        } else {
            cleaned_chars
        };
        let boilerplate_chars = cleaned_chars - chars;

        // Metadata from the file name, where the corpus encodes it there.
        let mut name_outlet = None;
        if let (Some(pattern), InputFormat::Text) = (&self.name_pattern, raw.format) {
            let stem = raw.article_id.as_str();
            if let Some(c) = pattern.captures(stem) {
                if published_text.is_none() {
                    published_text = c.name("published").map(|m| m.as_str().to_owned());
                }
                name_outlet = c.name("outlet").map(|m| m.as_str().to_owned());
            }
        }
        let (mut published, mut published_problem) = match &published_text {
            None => (None, None),
            Some(value) => match parse_published(value, &self.date_formats) {
                Ok(date) => (Some(date), None),
                Err(problem) => (None, Some(problem)),
            },
        };
        if published.is_none() {
            if let Some(date) = stripped
                .date_lines
                .iter()
                .find_map(|l| parse_published(strip_date_label(l), &self.date_formats).ok())
            {
                published = Some(date);
                published_source = "byline";
                published_problem = None;
            }
        }

        let outlets = &self.knowledge.outlets;
        let names = read_names(&stripped.bylines, &stripped.credits, outlets);
        let outlet = [&raw.meta.url, &raw.meta.source_domain]
            .into_iter()
            .flatten()
            .find_map(|u| outlets.by_url(u))
            .or_else(|| raw.meta.outlet.as_deref().and_then(|n| outlets.by_name(n)))
            .or_else(|| name_outlet.as_deref().and_then(|n| outlets.by_name(n)))
            .or_else(|| names.outlets.iter().find_map(|n| outlets.by_name(n)))
            .or_else(|| stripped.cue_lines.iter().find_map(|l| outlets.find_in(l)))
            .or_else(|| self.corpus_outlet.map(|i| outlets.get(i)));

        let title = match raw.meta.title {
            Some(title) => Some(clean(&unescape_entities(&title))),
            None if self.title_line && raw.format == InputFormat::Text => {
                stripped.text.split_once('\n').map(|(first, _)| tidy_title(first))
            }
            None => headline(&stripped.text),
        };
        let mut authors: Vec<String> = raw
            .meta
            .authors
            .iter()
            .map(|a| clean(a))
            .filter(|a| !a.is_empty())
            .collect();
        for author in names.authors {
            if !authors.iter().any(|a| a.eq_ignore_ascii_case(&author)) {
                authors.push(author);
            }
        }
        let article = ArticleRow {
            article_id: raw.article_id.clone(),
            source: raw.source,
            outlet_id: outlet.map(|o| o.slug.clone()),
            outlet: outlet.map(|o| o.name.clone()),
            published,
            published_source: if published.is_some() { published_source } else { "none" }.into(),
            title,
            authors,
            credits: names.credits,
            chars,
            boilerplate_chars: Some(boilerplate_chars),
            published_problem,
            url: raw.meta.url,
            encoding: encoding.into(),
            raw_bytes,
        };
        let dated_at = Instant::now();
        times.articles += (dated_at - cleaned_at).as_secs_f64();
        let dates = match &self.knowledge.temporal {
            Some(lexicon) => tag(&stripped.text, published, lexicon),
            None => Vec::new(),
        };
        let dates = dates
            .into_iter()
            .map(|t| DateRow {
                article_id: raw.article_id.clone(),
                text: t.text,
                char_start: t.char_start as i64,
                char_end: t.char_end as i64,
                value: t.value,
                kind: t.kind.as_str().into(),
                anchor: t.anchor.as_str().into(),
                precision: t.precision.map(str::to_owned),
                modifier: t.modifier.map(str::to_owned),
            })
            .collect();
        let named_at = Instant::now();
        times.dates += (named_at - dated_at).as_secs_f64();
        let mentions = match &self.knowledge.names {
            Some(names) => find_mentions(&stripped.text, published, names),
            None => Vec::new(),
        };
        times.names += named_at.elapsed().as_secs_f64();
        Processed::Article(Box::new(ArticleOutput {
            article,
            text: TextRow {
                article_id: raw.article_id,
                text: stripped.text,
            },
            dates,
            mentions,
        }))
    }
}

/// `Updated: 2017-09-15 17:52` → `2017-09-15 17:52`.
fn strip_date_label(line: &str) -> &str {
    match line.split_once(':') {
        Some((label, rest)) if label.chars().all(|c| c.is_alphabetic() || c == ' ') => rest.trim(),
        _ => line.trim(),
    }
}

/// A headline ends without a period; the one PolNeAR-style preparation adds
/// to every line goes, unless the last word is an abbreviation (`U.S.`).
fn tidy_title(line: &str) -> String {
    let line = line.trim();
    match line.strip_suffix('.') {
        Some(rest) if !rest.rsplit(' ').next().unwrap_or("").contains('.') => rest.to_owned(),
        _ => line.to_owned(),
    }
}

/// The first line, when it reads as a headline: a short line without
/// sentence punctuation at its end, followed by the body.
fn headline(text: &str) -> Option<String> {
    let (first, rest) = text.split_once('\n')?;
    let words = first.split_whitespace().count();
    let ends_as_sentence = first.ends_with(['.', ',', ';', ':', '"', '”']);
    let body_follows = rest.split_whitespace().count() >= 2 * words;
    ((3..=30).contains(&words) && first.chars().count() <= 250 && !ends_as_sentence && body_follows)
        .then(|| first.to_owned())
}

fn reject(source: String, reason: String) -> Processed {
    Processed::Reject(RejectRow { source, reason })
}
