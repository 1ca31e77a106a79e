//! The per-article stages, composed: decode → header → clean → annotate.
//! A pure function of the raw article and the compiled settings, so the
//! runner may call it on any thread in any order.

use std::time::Instant;

use encoding_rs::Encoding;

use crate::annotate::metadata::{parse_published, split_date_prefix, DateFormats};
use crate::clean::clean;
use crate::config::{Config, FieldMap};
use crate::model::{InputFormat, RawArticle, RawText};
use crate::read::decode::decode;
use crate::read::json::parse_record;
use crate::read::Input;
use crate::write::schema::{ArticleRow, RejectRow, TextRow};
use crate::write::TableRows;

/// Settings compiled once from the config and shared by every worker.
#[derive(Debug)]
pub struct Pipeline {
    forced_encoding: Option<&'static Encoding>,
    date_prefix: bool,
    title_line: bool,
    date_formats: DateFormats,
    json_fields: FieldMap,
}

/// Seconds spent in each per-article stage, summed over articles.
#[derive(Debug, Default, Clone, Copy)]
pub struct StageTimes {
    /// Decoding bytes to text.
    pub decode: f64,
    /// Cleaning.
    pub clean: f64,
    /// Metadata and every annotation stage.
    pub annotate: f64,
}

impl StageTimes {
    /// Adds another article's times.
    pub fn add(&mut self, other: &StageTimes) {
        self.decode += other.decode;
        self.clean += other.clean;
        self.annotate += other.annotate;
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
}

impl ArticleOutput {
    /// Moves the rows into a batch's tables.
    pub fn push_into(self, rows: &mut TableRows) {
        rows.articles.push(self.article);
        rows.texts.push(self.text);
    }
}

impl Pipeline {
    /// Compiles the per-article settings.
    pub fn new(config: &Config) -> Pipeline {
        let encoding = &config.readers.text.encoding;
        Pipeline {
            forced_encoding: if encoding == "auto" {
                None
            } else {
                Encoding::for_label(encoding.as_bytes())
            },
            date_prefix: config.readers.text.date_prefix,
            title_line: config.readers.text.title_line,
            date_formats: DateFormats::new(&config.input.date_formats),
            json_fields: config.readers.json.fields.clone(),
        }
    }

    /// Finishes reading an input (parsing JSON records), then runs every
    /// per-article stage on it.
    pub fn process_input(&self, input: Input, times: &mut StageTimes) -> Processed {
        match input {
            Input::Article(raw) => self.process(*raw, times),
            Input::JsonRecord(record) => {
                let started = Instant::now();
                let parsed = parse_record(*record, &self.json_fields);
                times.decode += started.elapsed().as_secs_f64();
                match parsed {
                    Ok(raw) => self.process(raw, times),
                    Err(row) => Processed::Reject(row),
                }
            }
            Input::Reject(row) => Processed::Reject(row),
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

        let (published, published_problem) = match &published_text {
            None => (None, None),
            Some(value) => match parse_published(value, &self.date_formats) {
                Ok(date) => (Some(date), None),
                Err(problem) => (None, Some(problem)),
            },
        };
        let title = match raw.meta.title {
            Some(title) => Some(clean(&title)),
            None if self.title_line && raw.format == InputFormat::Text => {
                cleaned.split_once('\n').map(|(first, _)| first.to_owned())
            }
            None => None,
        };
        let chars = cleaned.chars().count() as i64;
        let article = ArticleRow {
            article_id: raw.article_id.clone(),
            source: raw.source,
            outlet_id: None,
            outlet: None,
            published,
            published_source: if published.is_some() { published_source } else { "none" }.into(),
            title,
            authors: raw.meta.authors,
            credits: Vec::new(),
            chars,
            boilerplate_chars: None,
            published_problem,
            url: raw.meta.url,
            encoding: encoding.into(),
            raw_bytes,
        };
        times.annotate += cleaned_at.elapsed().as_secs_f64();
        Processed::Article(Box::new(ArticleOutput {
            article,
            text: TextRow {
                article_id: raw.article_id,
                text: cleaned,
            },
        }))
    }
}

fn reject(source: String, reason: String) -> Processed {
    Processed::Reject(RejectRow { source, reason })
}
