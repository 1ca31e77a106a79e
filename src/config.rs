//! The run's configuration: `pipeline.toml`, read strictly and validated up
//! front. Validation walks the user's TOML against the tree of known keys
//! (derived from the defaults, so it can never drift from the structs) and
//! reports every unknown key, wrong type and bad value together, each with
//! its dotted key and, where possible, a suggestion.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{ConfigProblem, Error, Result};

/// The whole configuration. Every field has a default, so an empty file is a
/// valid config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where articles come from.
    pub input: InputConfig,
    /// Where and how tables are written.
    pub output: OutputConfig,
    /// Parallelism and batching.
    pub run: RunConfig,
    /// How each kind of file is read.
    pub readers: ReadersConfig,
    /// Knowledge files: rules, lexicons, registries.
    pub data: DataConfig,
}

/// `[data]`: knowledge files. An empty path means the copy of the
/// repository's `data/` file built into readout; a path (relative to the
/// config file) selects a user's own, extended copy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// Boilerplate rules (`data/boilerplate.toml`).
    pub boilerplate: String,
    /// Outlet registry (`data/outlets.tsv`).
    pub outlets: String,
    /// Temporal tagger word lists (`data/lexicons/temporal.toml`).
    pub temporal: String,
    /// Gazetteer folder (`data/gazetteer/`); `none` switches it off.
    pub gazetteer: String,
    /// Name-finding word lists (`data/lexicons/names.toml`).
    pub names: String,
}

/// `[input]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputConfig {
    /// Corpus folder, relative to the working directory.
    pub corpus: PathBuf,
    /// Read sub-folders too.
    pub recursive: bool,
    /// Skip files and folders whose name starts with a dot.
    pub skip_hidden: bool,
    /// chrono formats tried, in order, on publication dates from metadata
    /// after ISO-8601 and RFC 3339/2822 have failed.
    pub date_formats: Vec<String>,
    /// The outlet of every article that nothing else attributes, for a
    /// corpus that is one outlet's archive: a registry slug or name.
    pub outlet: String,
}

/// `[output]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// Output folder.
    pub dir: PathBuf,
    /// Formats written: `parquet`, `csv`.
    pub formats: Vec<String>,
    /// Tables also written as CSV when `csv` is on; the long `texts` table is
    /// Parquet-only unless listed here.
    pub csv_tables: Vec<String>,
    /// zstd level for Parquet (1-22).
    pub zstd_level: i32,
    /// Rows per Parquet row group, at most (a group also ends at 256 KiB
    /// of values).
    pub row_group_rows: usize,
}

/// `[run]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Articles per batch: the unit of streaming and of parallel work.
    pub batch_articles: usize,
    /// A batch is also cut when its raw text reaches this many KiB. Memory
    /// in use is a few batches in flight plus the writers' buffers, so this,
    /// not the corpus size, sets it.
    pub batch_kib: usize,
    /// MiB of out-of-order rows held in memory before they are spilled to a
    /// sorted run on disk (only inputs whose ids are not in path order).
    pub sort_buffer_mib: usize,
    /// Optional per-article stages that run; the others leave their tables
    /// empty (and `texts` unstripped, without `boilerplate`).
    pub stages: Vec<String>,
}

/// `[readers]`
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReadersConfig {
    /// Plain text files.
    pub text: TextReaderConfig,
    /// JSON files (one record or an array) and JSON Lines.
    pub json: JsonReaderConfig,
    /// CSV files.
    pub csv: CsvReaderConfig,
}

/// `[readers.text]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextReaderConfig {
    /// File extensions, without the dot.
    pub extensions: Vec<String>,
    /// A file may begin with ` date YYYY-MM-DD ` followed by the text.
    pub date_prefix: bool,
    /// The first line is the headline.
    pub title_line: bool,
    /// `auto` (UTF-8, else detected) or an encoding label such as `windows-1252`.
    pub encoding: String,
    /// A regular expression over the file's path (relative to the corpus,
    /// without extension) whose named groups `published` and `outlet` give
    /// metadata, e.g. `^(?P<outlet>[a-z-]+)_(?P<published>\d{4}-\d{2}-\d{2})_`.
    /// Empty: none.
    pub name_pattern: String,
}

/// `[readers.json]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonReaderConfig {
    /// Extensions of files holding one record or an array of records.
    pub extensions: Vec<String>,
    /// Extensions of JSON Lines files, one record per line.
    pub lines_extensions: Vec<String>,
    /// Which record fields hold what.
    pub fields: FieldMap,
}

/// `[readers.csv]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CsvReaderConfig {
    /// File extensions, without the dot.
    pub extensions: Vec<String>,
    /// Field delimiter, one ASCII character.
    pub delimiter: String,
    /// Which columns hold what.
    pub fields: FieldMap,
}

/// Which field of a record holds each piece of an article. Each entry lists
/// candidate field names, tried in order; JSON names may be dotted paths into
/// nested objects (`attrs.newid`). An empty list means "not in the records".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldMap {
    /// Article id; when absent the id is `<file stem>-<record number>`.
    pub id: Vec<String>,
    /// Headline.
    pub title: Vec<String>,
    /// Article text (required).
    pub text: Vec<String>,
    /// Publication date.
    pub published: Vec<String>,
    /// Article URL.
    pub url: Vec<String>,
    /// Domain of the publishing site.
    pub source_domain: Vec<String>,
    /// Authors: a list, or one string.
    pub authors: Vec<String>,
    /// Outlet name.
    pub outlet: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            corpus: PathBuf::from("corpus"),
            recursive: true,
            skip_hidden: true,
            date_formats: strings(&[
                "%d-%b-%Y %H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%d %B %Y %H:%M",
                "%d %B %Y",
                "%B %d, %Y",
                "%b %d, %Y",
                "%m/%d/%Y",
            ]),
            outlet: String::new(),
        }
    }
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            dir: PathBuf::from("output"),
            formats: strings(&["parquet", "csv"]),
            csv_tables: Vec::new(),
            zstd_level: 1,
            row_group_rows: 65_536,
        }
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            threads: 0,
            batch_articles: 1_000,
            batch_kib: 256,
            sort_buffer_mib: 256,
            stages: strings(STAGES),
        }
    }
}

impl Default for TextReaderConfig {
    fn default() -> Self {
        TextReaderConfig {
            extensions: strings(&["txt"]),
            date_prefix: true,
            title_line: false,
            encoding: "auto".into(),
            name_pattern: String::new(),
        }
    }
}

impl Default for JsonReaderConfig {
    fn default() -> Self {
        JsonReaderConfig {
            extensions: strings(&["json"]),
            lines_extensions: strings(&["jsonl", "ndjson"]),
            fields: FieldMap::default(),
        }
    }
}

impl Default for CsvReaderConfig {
    fn default() -> Self {
        CsvReaderConfig {
            extensions: strings(&["csv"]),
            delimiter: ",".into(),
            fields: FieldMap::default(),
        }
    }
}

impl Default for FieldMap {
    /// news-please's field names.
    fn default() -> Self {
        FieldMap {
            id: strings(&["id"]),
            title: strings(&["title"]),
            text: strings(&["text", "maintext"]),
            published: strings(&["date_publish"]),
            url: strings(&["url"]),
            source_domain: strings(&["source_domain"]),
            authors: strings(&["authors"]),
            outlet: Vec::new(),
        }
    }
}

/// Output formats the writers know.
pub const FORMATS: &[&str] = &["parquet", "csv"];

/// The optional per-article stages, in the order they run.
pub const STAGES: &[&str] = &["boilerplate", "dates", "names"];

/// The most worker threads a run takes: beyond it a value is a typo (each
/// thread holds batches in flight and a stack).
pub const MAX_THREADS: usize = 1024;

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config> {
        // A config that cannot be read is a problem of the command line
        // (exit code 2), as one that cannot be parsed is.
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            problems: vec![ConfigProblem {
                key: "(file)".into(),
                message: format!("cannot read the config file: {e}"),
            }],
        })?;
        Config::parse(&text).map_err(|problems| Error::Config {
            path: path.to_path_buf(),
            problems,
        })
    }

    /// Parses and validates config text, reporting every problem at once.
    pub fn parse(text: &str) -> std::result::Result<Config, Vec<ConfigProblem>> {
        let user: toml::Table = toml::from_str(text).map_err(|e| {
            vec![ConfigProblem {
                key: "(syntax)".into(),
                message: e.to_string().trim().replace('\n', " "),
            }]
        })?;
        let defaults = toml::Table::try_from(Config::default()).expect("defaults serialize");
        let mut user = user;
        let mut problems = Vec::new();
        // Keys reported here are dropped, their defaults standing in, so
        // that the values that are left are checked too: every problem is
        // reported in one round, not a round per kind of problem.
        check_shape(&mut user, &defaults, "", &mut problems);
        match toml::Value::Table(user).try_into::<Config>() {
            Ok(config) => {
                if let Err(more) = config.validate() {
                    problems.extend(more);
                }
                if problems.is_empty() {
                    return Ok(config);
                }
            }
            Err(e) => problems.push(ConfigProblem {
                key: "(config)".into(),
                message: e.to_string().trim().replace('\n', " "),
            }),
        }
        Err(problems)
    }

    /// Checks values that the types alone cannot.
    pub fn validate(&self) -> std::result::Result<(), Vec<ConfigProblem>> {
        let mut problems = Vec::new();
        let mut problem = |key: &str, message: String| {
            problems.push(ConfigProblem {
                key: key.into(),
                message,
            })
        };
        if self.output.formats.is_empty() {
            problem("output.formats", "no format listed; use [\"parquet\", \"csv\"]".into());
        }
        for format in &self.output.formats {
            if !FORMATS.contains(&format.as_str()) {
                problem(
                    "output.formats",
                    format!("unknown format `{format}`{}", suggest(format, FORMATS.iter().copied())),
                );
            }
        }
        for table in &self.output.csv_tables {
            if !crate::write::schema::TABLE_NAMES.contains(&table.as_str()) {
                problem(
                    "output.csv_tables",
                    format!(
                        "unknown table `{table}`{}",
                        suggest(table, crate::write::schema::TABLE_NAMES.iter().copied())
                    ),
                );
            }
        }
        if !(1..=22).contains(&self.output.zstd_level) {
            problem(
                "output.zstd_level",
                format!(
                    "{} is out of range; use 1 to 22 (1, the default, is the fastest; higher levels write smaller files more slowly)",
                    self.output.zstd_level
                ),
            );
        }
        if self.output.row_group_rows == 0 {
            problem("output.row_group_rows", "must be at least 1".into());
        }
        for stage in &self.run.stages {
            if !STAGES.contains(&stage.as_str()) {
                problem(
                    "run.stages",
                    format!("unknown stage `{stage}`{}", suggest(stage, STAGES.iter().copied())),
                );
            }
        }
        if self.run.threads > MAX_THREADS {
            problem(
                "run.threads",
                format!("{} threads is not sensible; use 0 for one per core", self.run.threads),
            );
        }
        if self.run.batch_articles == 0 {
            problem("run.batch_articles", "must be at least 1".into());
        }
        if self.run.batch_kib == 0 {
            problem("run.batch_kib", "must be at least 1".into());
        }
        if self.run.sort_buffer_mib == 0 {
            problem("run.sort_buffer_mib", "must be at least 1".into());
        }
        let encoding = &self.readers.text.encoding;
        if encoding != "auto" && encoding_rs::Encoding::for_label(encoding.as_bytes()).is_none() {
            problem(
                "readers.text.encoding",
                format!("unknown encoding `{encoding}`; use `auto` or a WHATWG label such as `utf-8`, `windows-1252`, `iso-8859-2`"),
            );
        }
        let pattern = &self.readers.text.name_pattern;
        if !pattern.is_empty() {
            match regex::Regex::new(pattern) {
                Err(e) => problem(
                    "readers.text.name_pattern",
                    format!("not a valid regular expression: {e}"),
                ),
                Ok(r) if !r.capture_names().flatten().any(|n| n == "published" || n == "outlet") => problem(
                    "readers.text.name_pattern",
                    "names neither a `published` nor an `outlet` group, e.g. `(?P<published>\\d{4}-\\d{2}-\\d{2})`"
                        .into(),
                ),
                Ok(_) => {}
            }
        }
        let delimiter = &self.readers.csv.delimiter;
        if delimiter.len() != 1 || !delimiter.is_ascii() {
            problem(
                "readers.csv.delimiter",
                format!("`{delimiter}` is not one ASCII character; use \",\", \";\" or \"\\t\""),
            );
        }
        if self.readers.json.fields.text.is_empty() {
            problem(
                "readers.json.fields.text",
                "lists no field; the article text is required".into(),
            );
        }
        if self.readers.csv.fields.text.is_empty() {
            problem(
                "readers.csv.fields.text",
                "lists no field; the article text is required".into(),
            );
        }
        for (i, format) in self.input.date_formats.iter().enumerate() {
            if let Some(message) = chrono_format_problem(format) {
                problem(&format!("input.date_formats[{i}]"), message);
            }
        }
        let mut claimed: Vec<(&str, &str)> = Vec::new();
        for (key, list) in [
            ("readers.text.extensions", &self.readers.text.extensions),
            ("readers.json.extensions", &self.readers.json.extensions),
            ("readers.json.lines_extensions", &self.readers.json.lines_extensions),
            ("readers.csv.extensions", &self.readers.csv.extensions),
        ] {
            for ext in list {
                if ext.starts_with('.') {
                    problem(
                        key,
                        format!(
                            "`{ext}`: write extensions without the dot, e.g. `{}`",
                            ext.trim_start_matches('.')
                        ),
                    );
                } else if ext.is_empty() {
                    problem(key, "an extension is empty".into());
                }
                if let Some((other, _)) = claimed.iter().find(|(_, e)| e.eq_ignore_ascii_case(ext)) {
                    problem(
                        key,
                        format!("`{ext}` is also listed in {other}; each extension belongs to one reader"),
                    );
                }
                claimed.push((key, ext));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// A stable hash of the effective configuration, for the manifest. The
    /// thread count is left out: it never changes the output.
    pub fn hash(&self) -> String {
        let mut shaping = self.clone();
        shaping.run.threads = 0;
        let json = serde_json::to_vec(&shaping).expect("config serializes");
        let digest = Sha256::digest(&json);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Compares the user's table with the default tree: unknown keys and values
/// of the wrong type are reported with their dotted key.
/// Reports the keys of `user` that `known` (the defaults) lacks or types
/// differently, and removes them from `user`.
fn check_shape(user: &mut toml::Table, known: &toml::Table, prefix: &str, problems: &mut Vec<ConfigProblem>) {
    let mut wrong = Vec::new();
    for (key, value) in user.iter_mut() {
        let dotted = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let Some(expected) = known.get(key) else {
            problems.push(ConfigProblem {
                key: dotted,
                message: format!("unknown key{}", suggest(key, known.keys().map(String::as_str))),
            });
            wrong.push(key.clone());
            continue;
        };
        let message = match (value, expected) {
            (toml::Value::Table(u), toml::Value::Table(k)) => {
                check_shape(u, k, &dotted, problems);
                None
            }
            (toml::Value::Array(items), toml::Value::Array(_)) => items
                .iter()
                .find(|v| !v.is_str())
                .map(|bad| format!("expected a list of strings, found an item that is {}", type_name(bad))),
            // Every integer setting counts something.
            (toml::Value::Integer(i), toml::Value::Integer(_)) if *i < 0 => Some(format!(
                "expected a whole number, found {i}: a count cannot be negative"
            )),
            (u, k) if std::mem::discriminant(u) == std::mem::discriminant(k) => None,
            (toml::Value::Integer(_), toml::Value::Float(_)) => None,
            (u, k) => Some(format!("expected {}, found {}", kind_name(k), type_name(u))),
        };
        if let Some(message) = message {
            problems.push(ConfigProblem { key: dotted, message });
            wrong.push(key.clone());
        }
    }
    for key in wrong {
        user.remove(&key);
    }
}

fn kind_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

fn type_name(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => format!("a string (\"{s}\")"),
        toml::Value::Integer(i) => format!("an integer ({i})"),
        toml::Value::Float(f) => format!("a number ({f})"),
        toml::Value::Boolean(b) => format!("a boolean ({b})"),
        toml::Value::Datetime(d) => format!("a date ({d})"),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
    }
}

/// "; did you mean `x`?" for the closest known name, or nothing.
pub fn suggest<'a>(given: &str, known: impl Iterator<Item = &'a str>) -> String {
    let best = known
        .map(|k| (strsim::jaro_winkler(&given.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, k)) => format!("; did you mean `{k}`?"),
        None => String::new(),
    }
}

fn chrono_format_problem(format: &str) -> Option<String> {
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(format).any(|item| matches!(item, Item::Error)) {
        Some(format!(
            "`{format}` is not a valid chrono format (see https://docs.rs/chrono/latest/chrono/format/strftime/)"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_is_the_default() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn every_problem_is_reported_with_key_and_suggestion() {
        let problems = Config::parse(
            "[output]\nformts = [\"csv\"]\nzstd_level = 40\n[run]\nthreads = \"two\"\n[readers.csv]\ndelimiter = \";;\"\n",
        )
        .unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text.contains(&"output.formts: unknown key; did you mean `formats`?".to_string()),
            "{text:?}"
        );
        assert!(
            text.contains(&"run.threads: expected an integer, found a string (\"two\")".to_string()),
            "{text:?}"
        );
        // Values are checked in the same round, the ill-typed keys left out.
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "output.formts",
                "run.threads",
                "output.zstd_level",
                "readers.csv.delimiter"
            ]
        );
        let problems = Config::parse(
            "[output]\nzstd_level = 40\nformats = [\"parket\"]\n[run]\nbatch_kib = -5\n[readers.csv]\ndelimiter = \";;\"\n",
        )
        .unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "run.batch_kib",
                "output.formats",
                "output.zstd_level",
                "readers.csv.delimiter"
            ]
        );
        assert!(
            problems[0].message.contains("found -5: a count cannot be negative"),
            "{problems:?}"
        );
        assert!(problems[1].message.contains("did you mean `parquet`?"));
    }

    #[test]
    fn unknown_section_is_reported() {
        let problems = Config::parse("[reader.csv]\ndelimiter = \",\"\n").unwrap_err();
        assert_eq!(problems[0].key, "reader");
        assert!(problems[0].message.contains("did you mean `readers`?"));
    }

    #[test]
    fn extension_claimed_twice_is_reported() {
        let problems = Config::parse("[readers.text]\nextensions = [\"txt\", \"csv\"]\n").unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "readers.csv.extensions");
    }

    #[test]
    fn bad_date_format_and_encoding_are_reported() {
        let problems =
            Config::parse("[input]\ndate_formats = [\"%Q\"]\n[readers.text]\nencoding = \"latin-9x\"\n").unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["readers.text.encoding", "input.date_formats[0]"]);
    }

    #[test]
    fn hash_changes_with_config() {
        let mut other = Config::default();
        other.run.batch_articles = 3;
        assert_ne!(Config::default().hash(), other.hash());
        other = Config::default();
        other.run.threads = 3;
        assert_eq!(
            Config::default().hash(),
            other.hash(),
            "threads never change the output"
        );
        assert_eq!(Config::default().hash(), Config::default().hash());
    }
}
