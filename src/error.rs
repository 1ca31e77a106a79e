//! Errors by fault. Every variant names where the problem is (a config key,
//! an input path and line, an output path) so that a user can act on it.
//! Problems with single inputs are not errors: they become `rejects` rows.

use std::path::PathBuf;

/// One problem found while validating `pipeline.toml` or a data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// Dotted TOML key, e.g. `readers.csv.delimiter`.
    pub key: String,
    /// What is wrong, with a suggestion where one can be made.
    pub message: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

fn bullet_list(problems: &[ConfigProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  - {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid; every problem found is listed.
    #[error("{path}: {count} problem(s) in the configuration:\n{list}", path = .path.display(), count = .problems.len(), list = bullet_list(.problems))]
    Config {
        /// The config file.
        path: PathBuf,
        /// All problems, in file order.
        problems: Vec<ConfigProblem>,
    },
    /// A file the run needs could not be read or written.
    // The message already holds the I/O error's text: marked as the source
    // as well, it was printed twice by error reporters that walk the chain.
    #[error("{path}: {error}", path = .path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
    /// A data file (lexicon, gazetteer, registry) is malformed.
    #[error("{path}{at}: {message}", path = .path.display(), at = at_line(*.line))]
    Data {
        /// The data file.
        path: PathBuf,
        /// 1-based line number; 0 when the problem is not on one line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The corpus folder is missing.
    #[error("corpus folder {path} does not exist or is not a folder (set input.corpus in the config or pass --corpus)", path = .path.display())]
    CorpusMissing {
        /// The folder that was looked for.
        path: PathBuf,
    },
    /// The output folder is the corpus folder: its tables would be read
    /// back as articles by the next run.
    #[error("the output folder {out} is the corpus folder: the next run would read its tables as articles; write them elsewhere (output.dir or --out)", out = .out.display())]
    OutputIsCorpus {
        /// The output folder.
        out: PathBuf,
    },
    /// A table could not be encoded or written.
    #[error("{path}: cannot write table: {message}", path = .path.display())]
    Output {
        /// The table file being written.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }
}

/// `:<line>` after a path, or nothing for line 0.
fn at_line(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}")
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
