//! The two file formats, both driven by a table's Arrow schema: Parquet
//! (the source of truth) and CSV (the same rows for spreadsheets).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type};
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::error::{Error, Result};

/// Columns whose values are long and rarely repeat: dictionary encoding
/// only costs time there, and memory (a dictionary of up to a megabyte per
/// column before the writer gives up on it).
const NO_DICTIONARY: &[&str] = &["text", "summary", "reason", "title", "url", "source"];

/// Bytes buffered before a write to disk. Ten tables' files are open at once,
/// so this is kept well under a megabyte.
const FILE_BUFFER_BYTES: usize = 256 << 10;

/// Bytes written between two requests to the kernel to start writing a
/// file's pages to disk.
const WRITEBACK_BYTES: u64 = 16 << 20;

/// A table file that asks the kernel to start writing its pages to disk as
/// they are written (Linux `sync_file_range`, which does not wait). Without
/// it, a run's hundreds of megabytes sat in the page cache until the commit's
/// `fsync`, which then waited for all of them: about 0.3 s at the end of a
/// million-article run. std has no such call; elsewhere this is a plain file.
struct TableFile {
    file: File,
    written: u64,
    requested: u64,
}

impl TableFile {
    fn create(path: &Path) -> Result<TableFile> {
        let file = File::create(path).map_err(|e| Error::io(path, e))?;
        Ok(TableFile {
            file,
            written: 0,
            requested: 0,
        })
    }

    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        let (offset, bytes) = (
            self.requested as libc::off64_t,
            (self.written - self.requested) as libc::off64_t,
        );
        // SAFETY: the descriptor is open for the lifetime of `self.file`,
        // and the call only reads its arguments. A failure is harmless:
        // the `fsync` at the end still writes everything.
        unsafe {
            libc::sync_file_range(self.file.as_raw_fd(), offset, bytes, libc::SYNC_FILE_RANGE_WRITE);
        }
        self.requested = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {
        self.requested = self.written;
    }

    /// Flushes to disk and waits for it.
    fn sync(self, path: &Path) -> Result<()> {
        self.file.sync_all().map_err(|e| Error::io(path, e))
    }
}

impl Write for TableFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.file.write(buf)?;
        self.written += written as u64;
        if self.written - self.requested >= WRITEBACK_BYTES {
            self.start_writeback();
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Bytes of encoded data a row group may hold in memory before it is
/// written out. Every Parquet table buffers its open row group, so this is
/// most of the writers' memory: at 4 MiB a run's peak kept growing until the
/// `texts` row group first filled (some 14,000 articles in), at 1 MiB it
/// settled within the first few thousand, and 512 KiB took another 3-4 MiB
/// off the peak of a million-article run at the same speed. Readers lose
/// nothing that matters: a 512 KiB group of `texts` still holds a thousand
/// or more articles.
const ROW_GROUP_BYTES: usize = 512 << 10;

/// Bytes of values a data page collects before it is compressed. The page
/// being filled is held uncompressed, per column, and its buffer grows by
/// doubling, so parquet's default of 1 MiB made the page buffers of `texts`
/// and the string columns of `articles` the largest item of the peak. At
/// 256 KiB, zstd still sees enough text to compress as well, within 2%.
const DATA_PAGE_BYTES: usize = 256 << 10;

/// How Parquet files are encoded.
#[derive(Debug, Clone, Copy)]
pub struct ParquetOptions {
    /// zstd level for final tables.
    pub zstd_level: i32,
    /// Rows per row group.
    pub row_group_rows: usize,
}

fn properties(
    schema: &SchemaRef,
    unique_columns: &[&str],
    compression: Compression,
    row_group_rows: usize,
) -> WriterProperties {
    let mut builder = WriterProperties::builder()
        .set_compression(compression)
        .set_data_page_size_limit(DATA_PAGE_BYTES)
        .set_max_row_group_row_count(Some(row_group_rows));
    for field in schema.fields() {
        let name = field.name().as_str();
        if NO_DICTIONARY.contains(&name) || unique_columns.contains(&name) {
            // Min/max of long texts is useless for pruning and costs a
            // comparison of every value.
            let column = ColumnPath::from(field.name().as_str());
            builder = builder
                .set_column_dictionary_enabled(column.clone(), false)
                .set_column_statistics_enabled(column, EnabledStatistics::None);
        }
    }
    builder.build()
}

/// A Parquet file being written.
pub struct ParquetFile {
    path: PathBuf,
    writer: ArrowWriter<BufWriter<TableFile>>,
}

impl ParquetFile {
    /// A final table, zstd-compressed. `unique_columns` hold a different
    /// value in every row (a one-column key), so they get no dictionary.
    pub fn create(path: &Path, schema: SchemaRef, unique_columns: &[&str], options: ParquetOptions) -> Result<Self> {
        let level = ZstdLevel::try_new(options.zstd_level).map_err(|e| output_error(path, e))?;
        let props = properties(
            &schema,
            unique_columns,
            Compression::ZSTD(level),
            options.row_group_rows,
        );
        Self::with_properties(path, schema, props)
    }

    /// A temporary sorted run: fast compression, read back once, so no
    /// dictionaries or statistics (they only cost time here).
    pub fn create_run(path: &Path, schema: SchemaRef) -> Result<Self> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(8_192))
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::None)
            .build();
        Self::with_properties(path, schema, props)
    }

    fn with_properties(path: &Path, schema: SchemaRef, props: WriterProperties) -> Result<Self> {
        let file = TableFile::create(path)?;
        let writer = ArrowWriter::try_new(BufWriter::with_capacity(FILE_BUFFER_BYTES, file), schema, Some(props))
            .map_err(|e| output_error(path, e))?;
        Ok(ParquetFile {
            path: path.to_path_buf(),
            writer,
        })
    }

    /// Appends a batch. A row group is closed early once its encoded data
    /// in memory passes `ROW_GROUP_BYTES`: long texts would otherwise keep
    /// up to `row_group_rows` articles buffered, and memory would grow with
    /// the corpus until that count is reached.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.writer.write(batch).map_err(|e| output_error(&self.path, e))?;
        if self.writer.in_progress_size() > ROW_GROUP_BYTES {
            self.writer.flush().map_err(|e| output_error(&self.path, e))?;
        }
        Ok(())
    }

    /// Writes the footer and flushes to disk.
    pub fn finish(self) -> Result<PathBuf> {
        let buffered = self.writer.into_inner().map_err(|e| output_error(&self.path, e))?;
        let file = buffered
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        file.sync(&self.path)?;
        Ok(self.path)
    }
}

/// A CSV file being written: a header row from the schema, lists joined
/// with `; `, days as ISO dates, nulls as empty cells.
pub struct CsvFile {
    path: PathBuf,
    writer: csv::Writer<BufWriter<TableFile>>,
}

impl CsvFile {
    /// Creates the file and writes the header.
    pub fn create(path: &Path, schema: &SchemaRef) -> Result<Self> {
        let file = TableFile::create(path)?;
        let mut writer = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(FILE_BUFFER_BYTES, file));
        writer
            .write_record(schema.fields().iter().map(|f| f.name().as_str()))
            .map_err(|e| output_error(path, e))?;
        Ok(CsvFile {
            path: path.to_path_buf(),
            writer,
        })
    }

    /// Appends a batch's rows. Text cells go to the CSV writer straight
    /// from the Arrow buffers; only other cells are formatted first.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let columns: Vec<CsvColumn> = batch.columns().iter().map(|c| CsvColumn::new(c.as_ref())).collect();
        let mut cell = String::new();
        let fail = |e: csv::Error| output_error(&self.path, e);
        for row in 0..batch.num_rows() {
            for column in &columns {
                match column {
                    CsvColumn::Text(strings) if strings.is_valid(row) => {
                        self.writer.write_field(strings.value(row)).map_err(fail)?
                    }
                    CsvColumn::Text(_) => self.writer.write_field("").map_err(fail)?,
                    CsvColumn::Other(array) => {
                        cell.clear();
                        format_cell(*array, row, &mut cell);
                        self.writer.write_field(&cell).map_err(fail)?;
                    }
                }
            }
            self.writer.write_record(None::<&[u8]>).map_err(fail)?;
        }
        Ok(())
    }

    /// Flushes to disk.
    pub fn finish(self) -> Result<PathBuf> {
        let buffered = self
            .writer
            .into_inner()
            .map_err(|e| output_error(&self.path, e.error()))?;
        let file = buffered
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        file.sync(&self.path)?;
        Ok(self.path)
    }
}

/// A column as the CSV writer reads it.
enum CsvColumn<'a> {
    Text(&'a StringArray),
    Other(&'a dyn Array),
}

impl<'a> CsvColumn<'a> {
    fn new(column: &'a dyn Array) -> Self {
        match column.data_type() {
            DataType::Utf8 => CsvColumn::Text(column.as_string::<i32>()),
            _ => CsvColumn::Other(column),
        }
    }
}

fn format_cell(column: &dyn Array, row: usize, out: &mut String) {
    if column.is_null(row) {
        return;
    }
    match column.data_type() {
        DataType::Utf8 => out.push_str(column.as_string::<i32>().value(row)),
        // itoa, not `write!`: the formatting machinery was a tenth of
        // writing the mentions CSV, two integer cells a row.
        DataType::Int64 => out.push_str(itoa::Buffer::new().format(column.as_primitive::<Int64Type>().value(row))),
        DataType::Date32 => {
            let days = column.as_primitive::<Date32Type>().value(row);
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
            let date = epoch + chrono::Days::new(0) + chrono::TimeDelta::days(days as i64);
            push_iso_date(out, date);
        }
        DataType::List(_) => {
            let items = column.as_list::<i32>().value(row);
            let items = items.as_string::<i32>();
            for i in 0..items.len() {
                if i > 0 {
                    out.push_str("; ");
                }
                out.push_str(items.value(i));
            }
        }
        other => unreachable!("schema.rs declares no {other} column"),
    }
}

/// Writes `YYYY-MM-DD`. By hand because chrono's `format` parses its
/// pattern for every cell, which showed in profiles of the articles CSV.
fn push_iso_date(out: &mut String, date: chrono::NaiveDate) {
    use chrono::Datelike;
    let year = date.year();
    if !(0..=9999).contains(&year) {
        use std::fmt::Write;
        let _ = write!(out, "{}", date.format("%Y-%m-%d"));
        return;
    }
    let digit = |n: u32| char::from(b'0' + n as u8);
    let year = year as u32;
    for n in [year / 1000, year / 100 % 10, year / 10 % 10, year % 10] {
        out.push(digit(n));
    }
    for n in [date.month(), date.day()] {
        out.push('-');
        out.push(digit(n / 10));
        out.push(digit(n % 10));
    }
}

/// Opens a Parquet file written by this module for reading back, batch by
/// batch (sorted runs in a merge, provisional mentions at commit).
pub(super) fn read_parquet(path: &Path, batch_size: usize) -> Result<ParquetRecordBatchReader> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(batch_size).build())
        .map_err(|e| output_error(path, e))
}

pub(super) fn output_error(path: &Path, error: impl std::fmt::Display) -> Error {
    Error::Output {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_match_chrono() {
        for (y, m, d) in [
            (2024, 5, 13),
            (1987, 2, 26),
            (1, 1, 1),
            (9999, 12, 31),
            (-44, 3, 15),
            (12345, 6, 7),
        ] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut out = String::new();
            push_iso_date(&mut out, date);
            assert_eq!(out, date.format("%Y-%m-%d").to_string());
        }
    }
}
