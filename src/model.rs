//! The values that flow between stages.

/// An article as a reader found it, before decoding and cleaning.
#[derive(Debug, Clone, PartialEq)]
pub struct RawArticle {
    /// Stable id: file stem, `<stem>-<record>`, or the record's id field.
    pub article_id: String,
    /// Input path relative to the corpus root, with `#line` or `#record`
    /// inside a container file.
    pub source: String,
    /// Which kind of file it came from.
    pub format: InputFormat,
    /// The text, still in its input encoding when it came from a text file.
    pub body: RawText,
    /// Metadata fields of the record, as written.
    pub meta: Metadata,
}

/// The kinds of input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// Plain text file.
    Text,
    /// JSON file: one record or an array.
    Json,
    /// JSON Lines.
    JsonLines,
    /// CSV.
    Csv,
}

/// Article text before decoding.
#[derive(Debug, Clone, PartialEq)]
pub enum RawText {
    /// Bytes in an unknown encoding (text files).
    Bytes(Vec<u8>),
    /// Text already decoded by the reader (JSON strings), or decoded with a
    /// known encoding.
    Decoded {
        /// The text.
        text: String,
        /// The encoding it was read in.
        encoding: &'static str,
    },
}

impl RawText {
    /// Size in bytes as read.
    pub fn len(&self) -> usize {
        match self {
            RawText::Bytes(b) => b.len(),
            RawText::Decoded { text, .. } => text.len(),
        }
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Metadata fields of a record, raw. Empty when the input has none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// Headline.
    pub title: Option<String>,
    /// Publication date as written.
    pub published: Option<String>,
    /// Article URL.
    pub url: Option<String>,
    /// Domain of the publishing site.
    pub source_domain: Option<String>,
    /// Authors as listed.
    pub authors: Vec<String>,
    /// Outlet name.
    pub outlet: Option<String>,
}
