//! The two file formats, both driven by a table's Arrow schema: Parquet
//! (the source of truth) and CSV (the same rows for spreadsheets).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type};
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::arrow_writer::{compute_leaves, ArrowColumnChunk, ArrowRowGroupWriterFactory};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use super::footer::StreamedFile;
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

/// Bytes of values a data page collects before it is compressed. The page
/// being filled is held uncompressed, per column, in a buffer that grows by
/// doubling, and is compressed into a buffer sized for zstd's worst case:
/// with parquet's default of 1 MiB, these buffers were the largest item of
/// the peak. At 128 KiB zstd compresses article text within 1% of larger
/// pages, and the peak of a million-article run was about 1 MiB lower than
/// at 256 KiB, at the same speed.
const DATA_PAGE_BYTES: usize = 128 << 10;

/// Bytes of values gathered into a row group before it is encoded. Every
/// table buffers its open row group, so this is most of the writers'
/// memory; the boundary must be known before encoding (which may happen on
/// another thread), so it counts values, not encoded bytes. 256 KiB of
/// article text is some 100 KB encoded and a few hundred articles; readers
/// lose nothing that matters with groups of that size, and the file's
/// memory does not grow with their number (see `footer`). What a group
/// holds is live at once, so its size is also the step by which a run's
/// peak moves when the threads' buffers happen to coincide, which a longer
/// run gives more chances to: with 512 KiB groups (and 512 KiB batches, two
/// groups in flight) the peak of a skeleton run was 1.5-2 MiB higher over a
/// million articles than over 19,000; with 256 KiB and one group in flight,
/// about 0.5 MiB higher and 4-5 MiB lower in all, at a few percent of
/// speed. Larger groups only raised the peak (1 MiB: by 3-5 MiB).
const GROUP_VALUE_BYTES: usize = 256 << 10;

/// Row groups handed out for encoding and not yet written, per file. One
/// is encoded on the pool while the writer gathers the next; each holds
/// its values until written, and a second one in flight raised the peak
/// (by about 0.7 MiB at a million articles) without a measurable gain in
/// speed.
const GROUPS_IN_FLIGHT: usize = 1;

/// Runs a piece of work, possibly on another thread. The runner, which owns
/// the threads, hands one in; a file only says what work there is. The work
/// must not go to a thread that would then wait for it.
pub type Encoder = Arc<dyn Fn(Box<dyn FnOnce() + Send>) + Send + Sync>;

/// How Parquet files are encoded.
#[derive(Clone)]
pub struct ParquetOptions {
    /// zstd level for final tables.
    pub zstd_level: i32,
    /// Rows per row group.
    pub row_group_rows: usize,
    /// Where row groups are encoded; `None`: on the writing thread.
    pub encoder: Option<Encoder>,
}

impl std::fmt::Debug for ParquetOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetOptions")
            .field("zstd_level", &self.zstd_level)
            .field("row_group_rows", &self.row_group_rows)
            .field("encoder", &self.encoder.as_ref().map(|_| ".."))
            .finish()
    }
}

fn properties(
    schema: &SchemaRef,
    unique_columns: &[&str],
    compression: Compression,
    row_group_rows: usize,
) -> WriterProperties {
    // Statistics per row group (what DuckDB prunes with), not per page: a
    // page index sits after the row groups and needs every group's
    // metadata at the end, which `StreamedFile` does not keep.
    let mut builder = WriterProperties::builder()
        .set_compression(compression)
        .set_data_page_size_limit(DATA_PAGE_BYTES)
        .set_max_row_group_row_count(Some(row_group_rows))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_offset_index_disabled(true);
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

/// A Parquet file being written. Rows are gathered into row groups by
/// their values, and each group is encoded as a whole, on the writing
/// thread or, given an `Encoder`, elsewhere and several at once: compressing
/// `texts` is most of the writing of a run (zstd alone is a quarter of a
/// skeleton run's CPU), and on one thread it was the step every other
/// waited for. Encoded groups are written in order, so the file's bytes do
/// not depend on which thread encoded what.
pub struct ParquetFile {
    path: PathBuf,
    file: StreamedFile<BufWriter<TableFile>>,
    encoding: Arc<GroupEncoding>,
    encoder: Option<Encoder>,
    max_rows: usize,
    gathered: Vec<RecordBatch>,
    gathered_rows: usize,
    gathered_bytes: usize,
    groups_started: usize,
    in_flight: VecDeque<Receiver<parquet::errors::Result<Vec<ArrowColumnChunk>>>>,
}

/// What encoding a row group needs; shared by every group of a file.
struct GroupEncoding {
    factory: ArrowRowGroupWriterFactory,
    schema: SchemaRef,
}

impl GroupEncoding {
    /// Encodes a row group column by column, so that one column's page
    /// buffers and dictionary are live at a time rather than every
    /// column's (parquet creates all the columns' zstd contexts up front
    /// all the same). With 512 KiB groups and 128 KiB pages this took 1-3
    /// MiB off the peak of a skeleton run (1M articles, interleaved runs:
    /// 40-41 MiB encoding across all columns at once, 37-40 this way), at
    /// the same speed.
    fn encode(&self, index: usize, batches: &[RecordBatch]) -> parquet::errors::Result<Vec<ArrowColumnChunk>> {
        let writers = self.factory.create_column_writers(index)?;
        let mut chunks = Vec::with_capacity(writers.len());
        let mut writers = writers.into_iter();
        for (position, field) in self.schema.fields().iter().enumerate() {
            let mut leaves: Vec<_> = Vec::new();
            for batch in batches {
                for (leaf, array) in compute_leaves(field, batch.column(position))?.into_iter().enumerate() {
                    if leaves.len() <= leaf {
                        leaves.push(writers.next().expect("a writer per leaf column"));
                    }
                    leaves[leaf].write(&array)?;
                }
            }
            for writer in leaves {
                chunks.push(writer.close()?);
            }
        }
        Ok(chunks)
    }
}

impl ParquetFile {
    /// A final table, zstd-compressed. `unique_columns` hold a different
    /// value in every row (a one-column key), so they get no dictionary.
    pub fn create(path: &Path, schema: SchemaRef, unique_columns: &[&str], options: &ParquetOptions) -> Result<Self> {
        let level = ZstdLevel::try_new(options.zstd_level).map_err(|e| output_error(path, e))?;
        let props = properties(
            &schema,
            unique_columns,
            Compression::ZSTD(level),
            options.row_group_rows,
        );
        Self::with_properties(path, schema, props, options.encoder.clone())
    }

    /// A temporary sorted run: fast compression, read back once, so no
    /// dictionaries or statistics (they only cost time here).
    pub fn create_run(path: &Path, schema: SchemaRef) -> Result<Self> {
        // Pages as small as a final table's: a merge reads one of each run
        // at a time.
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_data_page_size_limit(DATA_PAGE_BYTES)
            .set_max_row_group_row_count(Some(8_192))
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::None)
            .set_offset_index_disabled(true)
            .build();
        Self::with_properties(path, schema, props, None)
    }

    fn with_properties(
        path: &Path,
        schema: SchemaRef,
        props: WriterProperties,
        encoder: Option<Encoder>,
    ) -> Result<Self> {
        let fail = |e| output_error(path, e);
        let max_rows = props.max_row_group_row_count().unwrap_or(usize::MAX).max(1);
        // Parquet's Arrow writer sets a file up (the Parquet schema, the
        // Arrow schema among the key-values); its parts then take the
        // encoding of row groups and the file's metadata.
        let (template, factory) = ArrowWriter::try_new(std::io::sink(), schema.clone(), Some(props))
            .and_then(ArrowWriter::into_serialized_writer)
            .map_err(fail)?;
        let out = BufWriter::with_capacity(FILE_BUFFER_BYTES, TableFile::create(path)?);
        let mut scratch = path.as_os_str().to_owned();
        scratch.push(".groups");
        let file = StreamedFile::new(out, template, Path::new(&scratch)).map_err(fail)?;
        Ok(ParquetFile {
            path: path.to_path_buf(),
            file,
            encoding: Arc::new(GroupEncoding { factory, schema }),
            encoder,
            max_rows,
            gathered: Vec::new(),
            gathered_rows: 0,
            gathered_bytes: 0,
            groups_started: 0,
            in_flight: VecDeque::new(),
        })
    }

    /// Appends a batch.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let mut rest = batch.clone();
        while rest.num_rows() > 0 {
            let room = self.max_rows - self.gathered_rows;
            let part = rest.slice(0, room.min(rest.num_rows()));
            rest = rest.slice(part.num_rows(), rest.num_rows() - part.num_rows());
            self.gathered_rows += part.num_rows();
            self.gathered_bytes += part
                .columns()
                .iter()
                .map(|c| c.to_data().get_slice_memory_size().unwrap_or(0))
                .sum::<usize>();
            self.gathered.push(part);
            if self.gathered_rows >= self.max_rows || self.gathered_bytes >= GROUP_VALUE_BYTES {
                self.start_group()?;
            }
        }
        Ok(())
    }

    /// Hands the gathered rows out for encoding, once fewer than
    /// `GROUPS_IN_FLIGHT` groups are out; without an encoder, encodes and
    /// writes them here.
    fn start_group(&mut self) -> Result<()> {
        let batches = std::mem::take(&mut self.gathered);
        let index = self.groups_started;
        self.groups_started += 1;
        self.gathered_rows = 0;
        self.gathered_bytes = 0;
        let Some(encoder) = &self.encoder else {
            let chunks = self.encoding.encode(index, &batches);
            drop(batches);
            return chunks
                .and_then(|chunks| self.file.append(chunks))
                .map_err(|e| output_error(&self.path, e));
        };
        let encoder = Arc::clone(encoder);
        while self.in_flight.len() >= GROUPS_IN_FLIGHT {
            self.write_oldest()?;
        }
        let encoding = Arc::clone(&self.encoding);
        let (sender, receiver) = sync_channel(1);
        encoder(Box::new(move || {
            // The file hangs up only when it was dropped after an error.
            let _ = sender.send(encoding.encode(index, &batches));
        }));
        self.in_flight.push_back(receiver);
        Ok(())
    }

    fn write_oldest(&mut self) -> Result<()> {
        let Some(group) = self.in_flight.pop_front() else {
            return Ok(());
        };
        group
            .recv()
            .map_err(|_| {
                parquet::errors::ParquetError::General("a row group's encoding stopped without a result".into())
            })
            .and_then(|chunks| chunks)
            .and_then(|chunks| self.file.append(chunks))
            .map_err(|e| output_error(&self.path, e))
    }

    /// Writes the footer and flushes to disk.
    pub fn finish(mut self) -> Result<PathBuf> {
        if self.gathered_rows > 0 {
            self.start_group()?;
        }
        while !self.in_flight.is_empty() {
            self.write_oldest()?;
        }
        let buffered = self.file.finish().map_err(|e| output_error(&self.path, e))?;
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

/// Reads a sorted run back in batches of about `bytes` of values (at most
/// 1,024 rows): a merge holds a batch of every run it merges, and 1,024
/// rows of article text were megabytes each.
pub(super) fn read_run(path: &Path, bytes: usize) -> Result<ParquetRecordBatchReader> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| output_error(path, e))?;
    let metadata = builder.metadata();
    let rows = metadata.file_metadata().num_rows().max(1) as u64;
    let values: i64 = metadata.row_groups().iter().map(|g| g.total_byte_size()).sum();
    let batch_rows = (bytes as u64 * rows / values.max(1) as u64).clamp(1, 1_024);
    builder
        .with_batch_size(batch_rows as usize)
        .build()
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
    use arrow_schema::{Field, Schema};

    fn text_batches(count: usize, seed: u64) -> (SchemaRef, Vec<RecordBatch>) {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("article_id", DataType::Utf8, false),
            Field::new("text", DataType::Utf8, false),
        ]));
        let mut number = crate::test_text::numbers(seed);
        let mut id = 0;
        let batches = (0..count)
            .map(|_| {
                // From a few rows to a few hundred, of up to 40 KiB each:
                // some batches alone pass `GROUP_VALUE_BYTES`.
                let rows = 1 + number(300);
                let ids: Vec<String> = (0..rows).map(|i| format!("a{:06}", id + i)).collect();
                id += rows;
                let texts: Vec<String> = (0..rows)
                    .map(|_| "word ".repeat(number(8_000)) + &number(1_000_000).to_string())
                    .collect();
                RecordBatch::try_new(
                    schema.clone(),
                    vec![Arc::new(StringArray::from(ids)), Arc::new(StringArray::from(texts))],
                )
                .unwrap()
            })
            .collect();
        (schema, batches)
    }

    fn write_file(path: &Path, schema: &SchemaRef, batches: &[RecordBatch], encoder: Option<Encoder>) -> Vec<u8> {
        let options = ParquetOptions {
            zstd_level: 1,
            row_group_rows: 500,
            encoder,
        };
        let mut file = ParquetFile::create(path, schema.clone(), &["article_id"], &options).unwrap();
        for batch in batches {
            file.write(batch).unwrap();
        }
        std::fs::read(file.finish().unwrap()).unwrap()
    }

    #[test]
    fn row_groups_encoded_elsewhere_make_the_same_file_whatever_the_timing() {
        let dir = tempfile::tempdir().unwrap();
        let (schema, batches) = text_batches(40, 7);
        let inline: Encoder = Arc::new(|job| job());
        let mut delay = crate::test_text::numbers(11);
        let delays = std::sync::Mutex::new(move || delay(3) as u64);
        let threads: Encoder = Arc::new(move |job| {
            let pause = std::time::Duration::from_millis((delays.lock().unwrap())());
            std::thread::spawn(move || {
                std::thread::sleep(pause);
                job()
            });
        });
        let first = write_file(&dir.path().join("inline.parquet"), &schema, &batches, Some(inline));
        let second = write_file(&dir.path().join("threads.parquet"), &schema, &batches, Some(threads));
        assert!(first == second, "the bytes differ with the timing of the encoding");
        let here = write_file(&dir.path().join("here.parquet"), &schema, &batches, None);
        assert!(first == here, "the bytes differ with where the encoding ran");

        let rows_in = batches.iter().map(RecordBatch::num_rows).sum::<usize>();
        let expected = arrow_select::concat::concat_batches(&schema, &batches).unwrap();
        let path = dir.path().join("threads.parquet");
        let read: Vec<RecordBatch> = read_parquet(&path, 100_000).unwrap().map(|b| b.unwrap()).collect();
        let read = arrow_select::concat::concat_batches(&schema, &read).unwrap();
        assert_eq!(read.num_rows(), rows_in);
        assert_eq!(read, expected);

        // Every row group but the last is full: by rows, or by value bytes.
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows() as usize, rows_in);
        let groups = reader.metadata().row_groups();
        // Past 14 row groups the footer's list of them has a longer header.
        assert!(groups.len() > 15, "{} row groups", groups.len());
        for (ordinal, group) in groups.iter().enumerate() {
            assert_eq!(group.ordinal(), Some(ordinal as i32));
        }
        for group in &groups[..groups.len() - 1] {
            let rows = group.num_rows() as usize;
            assert!(rows <= 500);
            let values: i64 = group.columns().iter().map(|c| c.uncompressed_size()).sum();
            assert!(
                rows == 500 || values as usize >= GROUP_VALUE_BYTES,
                "{rows} rows, {values} bytes"
            );
        }
    }

    #[test]
    fn a_table_without_rows_is_a_valid_file() {
        let dir = tempfile::tempdir().unwrap();
        let (schema, _) = text_batches(1, 3);
        let path = dir.path().join("empty.parquet");
        write_file(&path, &schema, &[], None);
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&path).unwrap()).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 0);
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
        assert_eq!(reader.schema().fields(), schema.fields());
        assert_eq!(reader.build().unwrap().count(), 0);
        // The scratch file of row group metadata is gone.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["empty.parquet"]);
    }

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
