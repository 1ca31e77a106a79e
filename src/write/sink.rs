//! A table's sink: takes batches of rows in input order and writes them
//! sorted by the table's key, with memory bounded whatever the corpus size.
//!
//! Corpora read in path order give ids in order, so the common case streams
//! straight to the final files. When a batch arrives out of order (ids taken
//! from records, say), what was written so far becomes the first sorted run,
//! later rows are sorted in a bounded buffer and spilled as further runs,
//! and `finish` merges the runs. Ties keep input order, so the result is the
//! same for any thread count.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReader;

use super::formats::{read_run, CsvFile, ParquetFile, ParquetOptions};
use super::schema::Table;
use crate::error::{Error, Result};

/// Runs two pieces of work, possibly at once, and returns when both are
/// done. The runner owns the threads and passes this in; the writers only
/// say what may run side by side.
pub type Join<'a> = &'a (dyn Fn(&mut (dyn FnMut() + Send), &mut (dyn FnMut() + Send)) + Sync);

/// Where and how one table is written.
#[derive(Debug, Clone)]
pub struct SinkOptions {
    /// Folder for the table's files (a temporary folder, renamed later).
    pub dir: PathBuf,
    /// Write `<name>.parquet`.
    pub parquet: bool,
    /// Write `<name>.csv`.
    pub csv: bool,
    /// Parquet encoding.
    pub parquet_options: ParquetOptions,
    /// Bytes of out-of-order rows held before a spill.
    pub sort_buffer_bytes: usize,
    /// The table is only read back by readout (provisional mentions): its
    /// Parquet is encoded for speed, like a sorted run.
    pub scratch: bool,
}

impl SinkOptions {
    fn create_parquet<T: Table>(&self) -> Result<ParquetFile> {
        let path = self.dir.join(format!("{}.parquet", T::NAME));
        if self.scratch {
            ParquetFile::create_run(&path, T::schema())
        } else {
            let unique_columns = if T::KEY.len() == 1 { T::KEY } else { &[] };
            ParquetFile::create(&path, T::schema(), unique_columns, &self.parquet_options)
        }
    }
}

/// The files written while rows arrive in order. The Parquet file is kept
/// even when only CSV is asked for (then as a hidden run file), because it is
/// what a merge replays if later rows arrive out of order.
struct Direct {
    parquet: ParquetFile,
    parquet_is_final: bool,
    csv: Option<CsvFile>,
}

/// Sorted, bounded-memory writer of one table.
pub struct TableSink<T: Table> {
    options: SinkOptions,
    direct: Option<Direct>,
    last: Option<T>,
    runs: Vec<PathBuf>,
    pending: Vec<T>,
    pending_bytes: usize,
    rows: u64,
}

impl<T: Table> TableSink<T> {
    /// Opens the table's files.
    pub fn create(options: SinkOptions) -> Result<Self> {
        let parquet = if options.parquet {
            options.create_parquet::<T>()?
        } else {
            ParquetFile::create_run(&run_path::<T>(&options.dir, 0), T::schema())?
        };
        let direct = Direct {
            parquet,
            parquet_is_final: options.parquet,
            csv: if options.csv {
                Some(CsvFile::create(
                    &options.dir.join(format!("{}.csv", T::NAME)),
                    &T::schema(),
                )?)
            } else {
                None
            },
        };
        Ok(TableSink {
            options,
            direct: Some(direct),
            last: None,
            runs: Vec::new(),
            pending: Vec::new(),
            pending_bytes: 0,
            rows: 0,
        })
    }

    /// Rows appended so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends rows that follow every earlier batch in input order.
    pub fn append(&mut self, mut rows: Vec<T>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        rows.sort_by(T::cmp_key);
        self.rows += rows.len() as u64;
        let in_order = self
            .last
            .as_ref()
            .is_none_or(|last| last.cmp_key(&rows[0]) != Ordering::Greater);
        if let (Some(direct), true) = (self.direct.as_mut(), in_order) {
            self.last = rows.last().cloned();
            let batch = to_batch::<T>(&rows, &self.options.dir)?;
            direct.parquet.write(&batch)?;
            if let Some(csv) = &mut direct.csv {
                csv.write(&batch)?;
            }
            return Ok(());
        }
        if let Some(direct) = self.direct.take() {
            self.demote_direct_to_run(direct)?;
        }
        self.pending_bytes += rows.iter().map(T::approx_bytes).sum::<usize>();
        self.pending.extend(rows);
        if self.pending_bytes >= self.options.sort_buffer_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Appends a batch that is already in key order and follows every
    /// earlier row: a sorted table rewritten column by column. Such a sink
    /// takes no other rows.
    /// The Parquet and CSV files are written side by side through `join`.
    pub fn append_sorted_batch(&mut self, batch: &RecordBatch, join: Join) -> Result<()> {
        let direct = self.direct.as_mut().ok_or_else(|| Error::Output {
            path: self.options.dir.join(T::NAME),
            message: "a sorted batch came after rows out of order".into(),
        })?;
        self.rows += batch.num_rows() as u64;
        let Direct { parquet, csv, .. } = direct;
        let Some(csv) = csv else {
            return parquet.write(batch);
        };
        let (mut parquet_written, mut csv_written) = (None, None);
        join(&mut || parquet_written = Some(parquet.write(batch)), &mut || {
            csv_written = Some(csv.write(batch))
        });
        parquet_written.expect("join runs both sides")?;
        csv_written.expect("join runs both sides")
    }

    /// The rows written directly so far are sorted: they become run 0. The
    /// Parquet file is rewritten through the merge; the CSV is dropped and
    /// regenerated by it.
    fn demote_direct_to_run(&mut self, direct: Direct) -> Result<()> {
        let run = self.run_path(0);
        let path = direct.parquet.finish()?;
        if path != run {
            std::fs::rename(&path, &run).map_err(|e| Error::io(&path, e))?;
        }
        if let Some(csv) = direct.csv {
            let path = csv.finish()?;
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
        self.runs.push(run);
        Ok(())
    }

    fn run_path(&self, index: usize) -> PathBuf {
        run_path::<T>(&self.options.dir, index)
    }

    fn spill(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // Stable sort: equal keys keep input order across runs too, because
        // runs are merged with ties broken by run number.
        self.pending.sort_by(T::cmp_key);
        let path = self.run_path(self.runs.len());
        let mut run = ParquetFile::create_run(&path, T::schema())?;
        for chunk in self.pending.chunks(8_192) {
            run.write(&to_batch::<T>(chunk, &self.options.dir)?)?;
        }
        run.finish()?;
        self.runs.push(path);
        self.pending.clear();
        self.pending_bytes = 0;
        Ok(())
    }

    /// Completes the table's files and returns their paths.
    pub fn finish(mut self) -> Result<Vec<PathBuf>> {
        if let Some(direct) = self.direct.take() {
            let mut files = Vec::new();
            let parquet = direct.parquet.finish()?;
            if direct.parquet_is_final {
                files.push(parquet);
            } else {
                std::fs::remove_file(&parquet).map_err(|e| Error::io(&parquet, e))?;
            }
            if let Some(csv) = direct.csv {
                files.push(csv.finish()?);
            }
            return Ok(files);
        }
        self.spill()?;
        // Each run being merged holds a batch read back, and the runs are
        // as many as the table's size over the sort buffer: merged all at
        // once, a large table's merge took memory in proportion to it.
        // Runs are merged `MERGE_FAN_IN` at a time into longer runs until
        // that many are left. Neighbours are merged, so that ties, which
        // go to the earlier run, keep input order.
        let mut runs = std::mem::take(&mut self.runs);
        let mut next_run = runs.len();
        while runs.len() > MERGE_FAN_IN {
            let mut merged = Vec::with_capacity(runs.len().div_ceil(MERGE_FAN_IN));
            for group in runs.chunks(MERGE_FAN_IN) {
                if let [single] = group {
                    merged.push(single.clone());
                    continue;
                }
                let path = run_path::<T>(&self.options.dir, next_run);
                next_run += 1;
                let mut run = ParquetFile::create_run(&path, T::schema())?;
                merge_runs_into::<T>(group, &mut |batch| run.write(&batch))?;
                run.finish()?;
                remove_runs(group)?;
                merged.push(path);
            }
            runs = merged;
        }
        let files = merge_runs::<T>(&runs, &self.options)?;
        remove_runs(&runs)?;
        Ok(files)
    }
}

/// Runs merged at once at most (see `TableSink::finish`).
const MERGE_FAN_IN: usize = 16;

/// Bytes of values of each run a merge holds at once.
const RUN_BATCH_BYTES: usize = 256 << 10;

fn remove_runs(runs: &[PathBuf]) -> Result<()> {
    for run in runs {
        std::fs::remove_file(run).map_err(|e| Error::io(run, e))?;
    }
    Ok(())
}

fn run_path<T: Table>(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!(".{}-run-{index:05}.parquet", T::NAME))
}

fn to_batch<T: Table>(rows: &[T], dir: &Path) -> Result<RecordBatch> {
    T::to_batch(rows).map_err(|e| Error::Output {
        path: dir.join(T::NAME),
        message: e.to_string(),
    })
}

/// One run being read during the merge.
struct Cursor {
    reader: ParquetRecordBatchReader,
    batch: RecordBatch,
    keys: Vec<ArrayRef>,
    row: usize,
}

impl Cursor {
    fn open(path: &Path, key_columns: &[usize]) -> Result<Option<Cursor>> {
        let reader = read_run(path, RUN_BATCH_BYTES)?;
        let mut cursor = Cursor {
            reader,
            batch: RecordBatch::new_empty(std::sync::Arc::new(arrow_schema::Schema::empty())),
            keys: Vec::new(),
            row: 0,
        };
        Ok(if cursor.next_batch(path, key_columns)? {
            Some(cursor)
        } else {
            None
        })
    }

    fn next_batch(&mut self, path: &Path, key_columns: &[usize]) -> Result<bool> {
        match self.reader.next() {
            None => Ok(false),
            Some(Err(e)) => Err(Error::Output {
                path: path.to_path_buf(),
                message: e.to_string(),
            }),
            Some(Ok(batch)) => {
                self.keys = key_columns.iter().map(|&i| batch.column(i).clone()).collect();
                self.batch = batch;
                self.row = 0;
                Ok(true)
            }
        }
    }
}

fn compare_keys(a: &[ArrayRef], a_row: usize, b: &[ArrayRef], b_row: usize) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let ordering = match x.data_type() {
            DataType::Utf8 => {
                super::schema::natural_cmp(x.as_string::<i32>().value(a_row), y.as_string::<i32>().value(b_row))
            }
            DataType::Int64 => x
                .as_primitive::<Int64Type>()
                .value(a_row)
                .cmp(&y.as_primitive::<Int64Type>().value(b_row)),
            other => unreachable!("key columns are strings or integers, not {other}"),
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// Merges sorted runs into the table's final files.
fn merge_runs<T: Table>(runs: &[PathBuf], options: &SinkOptions) -> Result<Vec<PathBuf>> {
    let schema = T::schema();
    let mut parquet = if options.parquet {
        Some(options.create_parquet::<T>()?)
    } else {
        None
    };
    let mut csv = if options.csv {
        Some(CsvFile::create(&options.dir.join(format!("{}.csv", T::NAME)), &schema)?)
    } else {
        None
    };
    let mut emit = |batch: RecordBatch| -> Result<()> {
        if let Some(p) = &mut parquet {
            p.write(&batch)?;
        }
        if let Some(c) = &mut csv {
            c.write(&batch)?;
        }
        Ok(())
    };
    merge_runs_into::<T>(runs, &mut emit)?;
    let mut files = Vec::new();
    if let Some(p) = parquet {
        files.push(p.finish()?);
    }
    if let Some(c) = csv {
        files.push(c.finish()?);
    }
    Ok(files)
}

/// Merges sorted runs, handing the rows on in batches.
fn merge_runs_into<T: Table>(runs: &[PathBuf], emit: &mut dyn FnMut(RecordBatch) -> Result<()>) -> Result<()> {
    let schema = T::schema();
    let key_columns: Vec<usize> = T::KEY
        .iter()
        .map(|k| schema.index_of(k).expect("key is a column"))
        .collect();
    let mut cursors: Vec<Option<Cursor>> = Vec::with_capacity(runs.len());
    for run in runs {
        cursors.push(Cursor::open(run, &key_columns)?);
    }
    // A linear scan over the run heads instead of a heap: runs are few
    // (at most `MERGE_FAN_IN`), and ties go to the lowest run number,
    // which keeps input order for equal keys.
    let mut picks: Vec<(usize, usize)> = Vec::with_capacity(1_024);
    loop {
        let mut best: Option<usize> = None;
        for (i, cursor) in cursors.iter().enumerate() {
            let Some(c) = cursor else { continue };
            best = match best {
                None => Some(i),
                Some(b) => {
                    let bc = cursors[b].as_ref().expect("live");
                    if compare_keys(&c.keys, c.row, &bc.keys, bc.row) == Ordering::Less {
                        Some(i)
                    } else {
                        Some(b)
                    }
                }
            };
        }
        let Some(run) = best else { break };
        let cursor = cursors[run].as_mut().expect("live");
        picks.push((run, cursor.row));
        cursor.row += 1;
        let exhausted = cursor.row == cursor.batch.num_rows();
        if exhausted || picks.len() == 1_024 {
            // Picks point into the current batches: emit before any advances.
            emit(interleave(&cursors, &picks, runs)?)?;
            picks.clear();
            if exhausted {
                let cursor = cursors[run].as_mut().expect("live");
                if !cursor.next_batch(&runs[run], &key_columns)? {
                    cursors[run] = None;
                }
            }
        }
    }
    if !picks.is_empty() {
        emit(interleave(&cursors, &picks, runs)?)?;
    }
    Ok(())
}

fn interleave(cursors: &[Option<Cursor>], picks: &[(usize, usize)], runs: &[PathBuf]) -> Result<RecordBatch> {
    // Map run numbers to positions among the live batches used by the picks.
    let mut used: Vec<usize> = picks.iter().map(|p| p.0).collect();
    used.sort_unstable();
    used.dedup();
    let batches: Vec<&RecordBatch> = used
        .iter()
        .map(|&r| &cursors[r].as_ref().expect("picked runs are live").batch)
        .collect();
    let indices: Vec<(usize, usize)> = picks
        .iter()
        .map(|&(run, row)| (used.binary_search(&run).expect("listed"), row))
        .collect();
    arrow_select::interleave::interleave_record_batch(&batches, &indices).map_err(|e| Error::Output {
        path: runs[0].clone(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::formats::read_parquet;
    use crate::write::schema::RejectRow;
    use arrow_array::Array;

    /// A sort buffer of one byte spills every batch that arrives out of
    /// order: some 300 runs, merged in rounds of `MERGE_FAN_IN`.
    #[test]
    fn many_runs_are_merged_in_rounds_into_a_stable_sort() {
        let dir = tempfile::tempdir().unwrap();
        let options = SinkOptions {
            dir: dir.path().into(),
            parquet: true,
            csv: true,
            parquet_options: ParquetOptions {
                zstd_level: 1,
                row_group_rows: 1_000,
                encoder: None,
            },
            sort_buffer_bytes: 1,
            scratch: false,
        };
        let mut sink = TableSink::<RejectRow>::create(options).unwrap();
        let mut number = crate::test_text::numbers(3);
        let mut input = Vec::new();
        for batch in 0..300 {
            // Few distinct keys: ties across runs must keep input order.
            let rows: Vec<RejectRow> = (0..1 + number(5))
                .map(|row| RejectRow {
                    source: format!("s{}", number(40)),
                    // Long values make the runs be read back in short batches.
                    reason: format!("{batch}-{row} {}", "x".repeat(number(3_000))),
                })
                .collect();
            input.extend(rows.iter().cloned());
            sink.append(rows).unwrap();
        }
        assert!(
            sink.runs.len() > MERGE_FAN_IN * MERGE_FAN_IN,
            "{} runs",
            sink.runs.len()
        );
        let files = sink.finish().unwrap();
        input.sort_by(RejectRow::cmp_key);
        let read: Vec<RecordBatch> = read_parquet(&files[0], 100_000).unwrap().map(|b| b.unwrap()).collect();
        let column = |name: &str| -> Vec<String> {
            read.iter()
                .flat_map(|b| {
                    let values = b.column_by_name(name).unwrap().as_string::<i32>();
                    (0..values.len())
                        .map(|i| values.value(i).to_owned())
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        assert_eq!(
            column("source"),
            input.iter().map(|r| r.source.clone()).collect::<Vec<_>>()
        );
        assert_eq!(
            column("reason"),
            input.iter().map(|r| r.reason.clone()).collect::<Vec<_>>()
        );
        // Only the table's own files are left.
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["rejects.csv", "rejects.parquet"]);
    }
}
