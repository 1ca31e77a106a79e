//! The one definition of every output table. Each table is declared once
//! below; the macro derives its row struct, its Arrow schema, the builder
//! code that turns rows into a `RecordBatch`, and its sort key. The Parquet
//! and CSV writers work from the `RecordBatch` and schema alone, so they can
//! never disagree about a column.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;

/// How one column type maps between Rust rows and Arrow arrays.
pub trait ColumnType {
    /// The value held in a row struct.
    type Value;
    /// Arrow type of the column.
    fn data_type() -> DataType;
    /// Whether the column may hold nulls.
    const NULLABLE: bool;
    /// Builds the column from the rows' values.
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a Self::Value>) -> ArrayRef
    where
        Self::Value: 'a;
}

/// A non-null string.
pub struct Text;
/// A string that may be null.
pub struct OptText;
/// A non-null 64-bit integer.
pub struct Int;
/// A 64-bit integer that may be null.
pub struct OptInt;
/// A day (`date32`) that may be null.
pub struct OptDay;
/// A list of strings (never null; may be empty).
pub struct TextList;

impl ColumnType for Text {
    type Value = String;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a String>) -> ArrayRef {
        // Collected first so the data buffer is sized once: texts are large.
        let values: Vec<&String> = values.collect();
        let bytes = values.iter().map(|v| v.len()).sum();
        let mut builder = StringBuilder::with_capacity(values.len(), bytes);
        for v in values {
            builder.append_value(v);
        }
        Arc::new(builder.finish())
    }
}

impl ColumnType for OptText {
    type Value = Option<String>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a Option<String>>) -> ArrayRef {
        let mut builder = StringBuilder::with_capacity(values.len(), 0);
        for v in values {
            builder.append_option(v.as_deref());
        }
        Arc::new(builder.finish())
    }
}

impl ColumnType for Int {
    type Value = i64;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::Int64
    }
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a i64>) -> ArrayRef {
        let mut builder = Int64Builder::with_capacity(values.len());
        for v in values {
            builder.append_value(*v);
        }
        Arc::new(builder.finish())
    }
}

impl ColumnType for OptInt {
    type Value = Option<i64>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Int64
    }
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a Option<i64>>) -> ArrayRef {
        let mut builder = Int64Builder::with_capacity(values.len());
        for v in values {
            builder.append_option(*v);
        }
        Arc::new(builder.finish())
    }
}

/// Days from 1970-01-01, Arrow's `date32`.
pub fn days_since_epoch(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    (date - epoch).num_days() as i32
}

impl ColumnType for OptDay {
    type Value = Option<NaiveDate>;
    const NULLABLE: bool = true;
    fn data_type() -> DataType {
        DataType::Date32
    }
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a Option<NaiveDate>>) -> ArrayRef {
        let mut builder = Date32Builder::with_capacity(values.len());
        for v in values {
            builder.append_option(v.map(days_since_epoch));
        }
        Arc::new(builder.finish())
    }
}

impl ColumnType for TextList {
    type Value = Vec<String>;
    const NULLABLE: bool = false;
    fn data_type() -> DataType {
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
    }
    fn build<'a>(values: impl ExactSizeIterator<Item = &'a Vec<String>>) -> ArrayRef {
        let mut builder = ListBuilder::with_capacity(StringBuilder::new(), values.len());
        for list in values {
            for item in list {
                builder.values().append_value(item);
            }
            builder.append(true);
        }
        Arc::new(builder.finish())
    }
}

/// What every table's row type can do.
pub trait Table: Sized + Clone + Send + 'static {
    /// File name stem: `articles` → `articles.parquet`, `articles.csv`.
    const NAME: &'static str;
    /// Columns the rows are sorted by.
    const KEY: &'static [&'static str];
    /// The Arrow schema.
    fn schema() -> SchemaRef;
    /// Orders two rows by the table's key.
    fn cmp_key(&self, other: &Self) -> Ordering;
    /// Turns rows into one `RecordBatch`.
    fn to_batch(rows: &[Self]) -> Result<RecordBatch, ArrowError>;
    /// An estimate of the row's size in memory, for batching and spilling.
    fn approx_bytes(&self) -> usize;
}

/// Sizes of the values in a row, for memory accounting.
pub trait ApproxBytes {
    /// Heap plus inline bytes, roughly.
    fn approx_bytes(&self) -> usize;
}
impl ApproxBytes for String {
    fn approx_bytes(&self) -> usize {
        self.len() + 24
    }
}
impl ApproxBytes for Option<String> {
    fn approx_bytes(&self) -> usize {
        self.as_ref().map_or(8, |s| s.len() + 24)
    }
}
impl ApproxBytes for i64 {
    fn approx_bytes(&self) -> usize {
        8
    }
}
impl ApproxBytes for Option<i64> {
    fn approx_bytes(&self) -> usize {
        16
    }
}
impl ApproxBytes for Option<NaiveDate> {
    fn approx_bytes(&self) -> usize {
        8
    }
}
impl ApproxBytes for Vec<String> {
    fn approx_bytes(&self) -> usize {
        24 + self.iter().map(|s| s.len() + 24).sum::<usize>()
    }
}

/// How key columns order rows.
pub trait KeyOrd {
    /// Orders two key values.
    fn key_cmp(&self, other: &Self) -> Ordering;
}
impl KeyOrd for String {
    fn key_cmp(&self, other: &Self) -> Ordering {
        natural_cmp(self, other)
    }
}
impl KeyOrd for i64 {
    fn key_cmp(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

/// Orders text as a reader orders numbers in it: `a.json#2` before
/// `a.json#10`, so that records numbered in input order (rejects' sources,
/// unpadded ids) arrive already sorted and tables stream straight to their
/// files. Digit runs compare by value; strings that differ only in leading
/// zeros fall back to byte order, which keeps the order total. Written here
/// because the small crates that do this differ on exactly those ties.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    // Keys next to each other share long prefixes (`copy-0003/reut2-005-`):
    // skip the shared bytes at once, backing up to the start of a digit run
    // the prefix ends in, so that the run still compares whole.
    let mut shared = a_bytes.iter().zip(b_bytes).take_while(|(x, y)| x == y).count();
    while shared > 0 && a_bytes[shared - 1].is_ascii_digit() {
        shared -= 1;
    }
    natural_cmp_from(a, b, shared)
}

/// `natural_cmp` from byte `start` on, where both strings hold the same
/// bytes before `start` and no digit run crosses it.
fn natural_cmp_from(a: &str, b: &str, start: usize) -> Ordering {
    let (a_bytes, b_bytes) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (start, start);
    while i < a_bytes.len() && j < b_bytes.len() {
        let (x, y) = (a_bytes[i], b_bytes[j]);
        if x.is_ascii_digit() && y.is_ascii_digit() {
            let ((da, next_i), (db, next_j)) = (run(a_bytes, i), run(b_bytes, j));
            let by_value = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
            if by_value != Ordering::Equal {
                return by_value;
            }
            (i, j) = (next_i, next_j);
        } else if x != y {
            return x.cmp(&y);
        } else {
            i += 1;
            j += 1;
        }
    }
    (a_bytes.len() - i).cmp(&(b_bytes.len() - j)).then_with(|| a.cmp(b))
}

/// The digit run at `start` without its leading zeros, and where it ends.
fn run(bytes: &[u8], start: usize) -> (&[u8], usize) {
    let end = start + bytes[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    let zeros = bytes[start..end].iter().take_while(|&&c| c == b'0').count();
    (&bytes[start + zeros..end], end)
}

macro_rules! tables {
    ($(
        $(#[$meta:meta])*
        $Row:ident => $name:literal, key($($key:ident),+) {
            $( $(#[$field_meta:meta])* $field:ident : $Col:ty ),+ $(,)?
        }
    )+) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq)]
            pub struct $Row {
                $( $(#[$field_meta])* pub $field: <$Col as ColumnType>::Value, )+
            }

            impl Table for $Row {
                const NAME: &'static str = $name;
                const KEY: &'static [&'static str] = &[$(stringify!($key)),+];
                fn schema() -> SchemaRef {
                    Arc::new(Schema::new(vec![
                        $( Field::new(stringify!($field), <$Col as ColumnType>::data_type(), <$Col as ColumnType>::NULLABLE), )+
                    ]))
                }
                fn cmp_key(&self, other: &Self) -> Ordering {
                    Ordering::Equal $( .then_with(|| KeyOrd::key_cmp(&self.$key, &other.$key)) )+
                }
                fn to_batch(rows: &[Self]) -> Result<RecordBatch, ArrowError> {
                    let columns: Vec<ArrayRef> = vec![
                        $( <$Col as ColumnType>::build(rows.iter().map(|r| &r.$field)), )+
                    ];
                    RecordBatch::try_new(Self::schema(), columns)
                }
                fn approx_bytes(&self) -> usize {
                    0 $( + ApproxBytes::approx_bytes(&self.$field) )+
                }
            }
        )+

        /// Names of all tables, in the order they are written.
        pub const TABLE_NAMES: &[&str] = &[$($name),+];
    };
}

tables! {
    /// One row per input article that was read.
    ArticleRow => "articles", key(article_id) {
        /// File stem, `<stem>-<record>` or the record's id field.
        article_id: Text,
        /// Input path relative to the corpus root; `path#line` inside a container file.
        source: Text,
        /// Canonical outlet slug.
        outlet_id: OptText,
        /// Canonical outlet name.
        outlet: OptText,
        /// Publication date.
        published: OptDay,
        /// Where the date came from: header, metadata, byline, text, inferred, none.
        published_source: Text,
        /// Headline.
        title: OptText,
        /// Byline authors.
        authors: TextList,
        /// Wire services and contributors.
        credits: TextList,
        /// Characters in the cleaned text.
        chars: Int,
        /// Characters removed as boilerplate.
        boilerplate_chars: OptInt,
        /// Why a publication date given in the input could not be used.
        published_problem: OptText,
        /// The article's URL from the metadata.
        url: OptText,
        /// Text encoding of the input (`UTF-8`, `windows-1252`, ...).
        encoding: Text,
        /// Size of the article's raw text in bytes, as read.
        raw_bytes: Int,
    }

    /// The cleaned text that every offset points into.
    TextRow => "texts", key(article_id) {
        /// Article id.
        article_id: Text,
        /// Cleaned text.
        text: Text,
    }

    /// One row per temporal expression.
    DateRow => "dates", key(article_id, char_start) {
        /// Article id.
        article_id: Text,
        /// The expression as written: `on Friday`, `late February`.
        text: Text,
        /// Offset of its first character in the article's cleaned text.
        char_start: Int,
        /// Offset after its last character.
        char_end: Int,
        /// TIMEX3-style value: `2022-10-21`, `2022-02`, `P79D`, `PAST_REF`.
        value: OptText,
        /// `date`, `time`, `duration`, `set`.
        kind: Text,
        /// `absolute`, `publication`, `narrative`, `unresolved`.
        anchor: Text,
        /// `day`, `month`, `year`, `approx` for date values.
        precision: OptText,
        /// TIMEX3 `mod`: `START`, `MID`, `END`, `APPROX`, ...
        modifier: OptText,
    }

    /// One row per real-world person, organization or place.
    EntityRecord => "entities", key(entity_id) {
        /// Stable slug with its kind, e.g. `person/sergei-shoigu`.
        entity_id: Text,
        /// `person`, `org`, `place`.
        kind: Text,
        /// Canonical name.
        name: Text,
        /// Every surface form seen for it, sorted.
        aliases: TextList,
        /// Mentions in the run.
        mentions: Int,
        /// Distinct articles mentioning it.
        articles: Int,
        /// `gazetteer` (named in data files) or `discovered`.
        origin: Text,
    }

    /// One row per mention of an entity.
    MentionRow => "mentions", key(article_id, char_start) {
        /// Article id.
        article_id: Text,
        /// Entity id (see `entities`).
        entity_id: Text,
        /// As written: `Sergei Shoygu`, `Shoygu`, `the Pentagon chief`.
        surface: Text,
        /// Offset of its first character in the article's cleaned text.
        char_start: Int,
        /// Offset after its last character.
        char_end: Int,
        /// How it was resolved: `gazetteer`, `coreference`, `role`, `variant`, `name`.
        resolution: Text,
    }

    /// One row per input that could not be read as an article.
    RejectRow => "rejects", key(source) {
        /// Path, and `#line` or `#record` inside a container file.
        source: Text,
        /// A clear, specific reason.
        reason: Text,
    }
}

/// Tables written as CSV only when asked for (`output.csv_tables`), because
/// their cells are long.
pub const PARQUET_ONLY_BY_DEFAULT: &[&str] = &["texts"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipping_the_shared_prefix_changes_no_order() {
        let pieces = ["0", "1", "9", "00", "a", "-", "/", "10"];
        let mut words = crate::test_text::concatenations(&pieces, 7, 0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let (a, b) = (format!("copy-0{}", words()), format!("copy-0{}", words()));
            assert_eq!(natural_cmp(&a, &b), natural_cmp_from(&a, &b, 0), "{a} vs {b}");
        }
    }

    #[test]
    fn batch_matches_schema_and_keeps_nulls() {
        let rows = vec![RejectRow {
            source: "a.json#3".into(),
            reason: "malformed JSON".into(),
        }];
        let batch = RejectRow::to_batch(&rows).unwrap();
        assert_eq!(batch.schema(), RejectRow::schema());
        assert_eq!(batch.num_rows(), 1);
    }

    #[test]
    fn key_orders_rows() {
        let a = TextRow {
            article_id: "a".into(),
            text: "z".into(),
        };
        let b = TextRow {
            article_id: "b".into(),
            text: "a".into(),
        };
        assert_eq!(a.cmp_key(&b), Ordering::Less);
    }

    #[test]
    fn keys_order_numbers_by_value() {
        let mut sources = vec!["a.json#10", "a.json#2", "a.json#1", "b.json#1", "a.json#02", "a.json"];
        sources.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            sources,
            ["a.json", "a.json#1", "a.json#02", "a.json#2", "a.json#10", "b.json#1"]
        );
        assert_eq!(natural_cmp("x7y", "x7y"), Ordering::Equal);
        assert_eq!(natural_cmp("a-0012", "a-0013"), Ordering::Less);
        assert_eq!(natural_cmp("a-19", "a-100"), Ordering::Less);
        assert_eq!(natural_cmp("a-0100", "a-99"), Ordering::Greater);
        assert_eq!(natural_cmp("a-007", "a-7"), Ordering::Less);
        assert_eq!(natural_cmp("reut2-000-000002", "reut2-000-000010"), Ordering::Less);
        assert_eq!(natural_cmp("business/99", "business/100"), Ordering::Less);
    }

    #[test]
    fn dates_are_days_since_epoch() {
        assert_eq!(days_since_epoch(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(days_since_epoch(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap()), -1);
    }
}
