//! Writing tables. Everything is written into a temporary folder inside the
//! output folder and moved into place only when every table is complete, so
//! an interrupted run never leaves a half-written table behind.

mod footer;
pub mod formats;
pub mod schema;
pub mod sink;

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use serde::Serialize;

use crate::config::Config;
use crate::error::{Error, Result};
pub use formats::Encoder;
use formats::ParquetOptions;
use schema::{
    ArticleRow, DateRow, EntityRecord, MentionRow, RejectRow, Table, TextRow, PARQUET_ONLY_BY_DEFAULT, TABLE_NAMES,
};
use sink::{Join, SinkOptions, TableSink};

/// Prefix of the temporary folders; stale ones from crashed runs are removed
/// at the start of the next run.
const TMP_PREFIX: &str = ".readout-tmp-";

/// Rows of every table produced by one batch of articles, in input order.
#[derive(Debug, Default)]
pub struct TableRows {
    /// `articles` rows.
    pub articles: Vec<ArticleRow>,
    /// `texts` rows.
    pub texts: Vec<TextRow>,
    /// `dates` rows.
    pub dates: Vec<DateRow>,
    /// `mentions` rows, with provisional entity keys.
    pub mentions: Vec<MentionRow>,
    /// `entities` rows (written once, at the end).
    pub entities: Vec<EntityRecord>,
    /// `rejects` rows.
    pub rejects: Vec<RejectRow>,
}

impl TableRows {
    /// Appends another batch's rows.
    pub fn extend(&mut self, other: TableRows) {
        self.articles.extend(other.articles);
        self.texts.extend(other.texts);
        self.dates.extend(other.dates);
        self.mentions.extend(other.mentions);
        self.entities.extend(other.entities);
        self.rejects.extend(other.rejects);
    }
}

/// The open sinks of every table.
pub struct Outputs {
    out_dir: PathBuf,
    tmp_dir: PathBuf,
    articles: TableSink<ArticleRow>,
    /// Lent out to a writer of its own while rows arrive (`take_texts`).
    texts: Option<TableSink<TextRow>>,
    dates: TableSink<DateRow>,
    /// Provisional mentions: Parquet only, rewritten with final entity ids
    /// at commit.
    mentions: TableSink<MentionRow>,
    entities: TableSink<EntityRecord>,
    rejects: TableSink<RejectRow>,
    final_options: SinkOptions,
}

/// Row counts per table, in `TABLE_NAMES` order.
pub type RowCounts = Vec<(String, u64)>;

impl Outputs {
    /// Creates the output folder and a fresh temporary folder in it. The
    /// row groups of `texts`, most of the bytes to compress, are encoded by
    /// `encoder` when there is one (see `formats::ParquetFile`); other tables
    /// encode theirs on the writing thread.
    pub fn create(out_dir: &Path, config: &Config, encoder: Option<Encoder>) -> Result<Outputs> {
        std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
        remove_stale_tmp_dirs(out_dir)?;
        let tmp_dir = out_dir.join(format!("{TMP_PREFIX}{}", std::process::id()));
        let provisional_dir = tmp_dir.join("provisional");
        std::fs::create_dir_all(&provisional_dir).map_err(|e| Error::io(&provisional_dir, e))?;
        let options = |name: &str| {
            let csv_on = config.output.formats.iter().any(|f| f == "csv");
            let csv = csv_on
                && (!PARQUET_ONLY_BY_DEFAULT.contains(&name) || config.output.csv_tables.iter().any(|t| t == name));
            SinkOptions {
                dir: tmp_dir.clone(),
                parquet: config.output.formats.iter().any(|f| f == "parquet"),
                csv,
                parquet_options: ParquetOptions {
                    zstd_level: config.output.zstd_level,
                    row_group_rows: config.output.row_group_rows,
                    encoder: None,
                },
                sort_buffer_bytes: config.run.sort_buffer_mib << 20,
                scratch: false,
            }
        };
        Ok(Outputs {
            out_dir: out_dir.to_path_buf(),
            articles: TableSink::create(options(ArticleRow::NAME))?,
            texts: Some(TableSink::create({
                let mut texts = options(TextRow::NAME);
                texts.parquet_options.encoder = encoder;
                texts
            })?),
            dates: TableSink::create(options(DateRow::NAME))?,
            mentions: TableSink::create(SinkOptions {
                dir: provisional_dir.clone(),
                csv: false,
                parquet: true,
                scratch: true,
                ..options(MentionRow::NAME)
            })?,
            entities: TableSink::create(options(EntityRecord::NAME))?,
            final_options: options(MentionRow::NAME),
            rejects: TableSink::create(options(RejectRow::NAME))?,
            tmp_dir,
        })
    }

    /// Lends out the `texts` table, most of the bytes to compress, so that
    /// it can be written on a thread of its own; `append` then leaves texts
    /// rows alone until `return_texts`.
    pub fn take_texts(&mut self) -> TableSink<TextRow> {
        self.texts.take().expect("the texts table is lent out once")
    }

    /// Takes the `texts` table back.
    pub fn return_texts(&mut self, texts: TableSink<TextRow>) {
        self.texts = Some(texts);
    }

    /// Appends one batch's rows to every table (but `texts` while it is
    /// lent out).
    pub fn append(&mut self, rows: TableRows) -> Result<()> {
        self.articles.append(rows.articles)?;
        if let Some(texts) = &mut self.texts {
            texts.append(rows.texts)?;
        }
        self.dates.append(rows.dates)?;
        self.mentions.append(rows.mentions)?;
        self.entities.append(rows.entities)?;
        self.rejects.append(rows.rejects)?;
        Ok(())
    }

    /// Row counts so far.
    pub fn row_counts(&self) -> RowCounts {
        vec![
            (ArticleRow::NAME.into(), self.articles.rows()),
            (TextRow::NAME.into(), self.texts.as_ref().map_or(0, |t| t.rows())),
            (DateRow::NAME.into(), self.dates.rows()),
            (MentionRow::NAME.into(), self.mentions.rows()),
            (EntityRecord::NAME.into(), self.entities.rows()),
            (RejectRow::NAME.into(), self.rejects.rows()),
        ]
    }

    /// Completes every table, moves the files into the output folder, then
    /// writes the manifest last. `resolve_mention` maps a provisional
    /// mention's cluster number to its final entity id, and says whether the
    /// mention now reads as resolved by `variant`.
    pub fn commit<'r>(
        self,
        manifest: &Manifest,
        resolve_mention: &(dyn Fn(u32) -> Option<(&'r str, bool)> + Sync),
        join: Join,
    ) -> Result<Vec<PathBuf>> {
        let mut files = Vec::new();
        let provisional = self.mentions.finish()?;
        let mut mentions = TableSink::<MentionRow>::create(self.final_options.clone())?;
        // The provisional table is already sorted: only the entity and
        // resolution columns change, so batches go straight through. They
        // are read and rewritten on a thread of their own while the
        // previous ones are written: this is the one serial step at the
        // end of a run, and writing alone kept a core idle.
        let (batches, rewritten) = std::sync::mpsc::sync_channel::<Result<RecordBatch>>(2);
        std::thread::scope(|scope| -> Result<()> {
            scope.spawn(move || {
                for path in &provisional {
                    let read = for_each_batch(path, &mut |batch| {
                        let batch = final_mentions(batch, resolve_mention)?;
                        // The writer hangs up only when it failed.
                        batches
                            .send(Ok(batch))
                            .map_err(|_| formats::output_error(path, "writer stopped"))
                    });
                    if let Err(e) = read {
                        let _ = batches.send(Err(e));
                        return;
                    }
                }
            });
            for batch in rewritten {
                mentions.append_sorted_batch(&batch?, join)?;
            }
            Ok(())
        })?;
        files.extend(mentions.finish()?);
        files.extend(self.entities.finish()?);
        files.extend(self.articles.finish()?);
        files.extend(self.texts.expect("the texts table was returned").finish()?);
        files.extend(self.dates.finish()?);
        files.extend(self.rejects.finish()?);
        // The manifest vouches for the tables beside it: the last run's goes
        // before any table is replaced, and this run's comes after the last
        // is in place. Stopped in between, the folder holds whole tables,
        // some old and some new, and no manifest: never a mix vouched for.
        let manifest_tmp = self.tmp_dir.join("manifest.json");
        let json = serde_json::to_string_pretty(manifest).expect("manifest serializes") + "\n";
        std::fs::write(&manifest_tmp, json).map_err(|e| Error::io(&manifest_tmp, e))?;
        let manifest_path = self.out_dir.join("manifest.json");
        match std::fs::remove_file(&manifest_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(&manifest_path, e)),
            _ => {}
        }
        // Tables of an earlier run in a format or table this run does not
        // write would otherwise sit beside the new ones, looking current.
        for name in TABLE_NAMES {
            for ext in ["parquet", "csv"] {
                let stale = self.out_dir.join(format!("{name}.{ext}"));
                let fresh = files.iter().any(|f| f.file_name() == stale.file_name());
                if !fresh && stale.exists() {
                    std::fs::remove_file(&stale).map_err(|e| Error::io(&stale, e))?;
                }
            }
        }
        let mut placed = Vec::new();
        for file in files {
            let target = self.out_dir.join(file.file_name().expect("table files have names"));
            std::fs::rename(&file, &target).map_err(|e| Error::io(&target, e))?;
            placed.push(target);
        }
        std::fs::rename(&manifest_tmp, &manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        std::fs::remove_dir_all(&self.tmp_dir).map_err(|e| Error::io(&self.tmp_dir, e))?;
        placed.push(manifest_path);
        Ok(placed)
    }
}

fn remove_stale_tmp_dirs(out_dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(out_dir).map_err(|e| Error::io(out_dir, e))?;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            let path = entry.path();
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// `manifest.json`: what produced the tables and what they hold.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// readout's version.
    pub version: String,
    /// SHA-256 of the effective configuration.
    pub config_hash: String,
    /// Input files found in the corpus folder.
    pub input_files: u64,
    /// MB of raw article text read.
    pub input_bytes: u64,
    /// Rows per table.
    pub rows: std::collections::BTreeMap<String, u64>,
    /// Seconds per stage (summed over threads for per-article stages); the
    /// only part of the output that differs between identical runs.
    pub timings: std::collections::BTreeMap<String, f64>,
}

/// Streams a Parquet file's record batches.
fn for_each_batch(path: &Path, each: &mut dyn FnMut(RecordBatch) -> Result<()>) -> Result<()> {
    for batch in formats::read_parquet(path, 8_192)? {
        each(batch.map_err(|e| formats::output_error(path, e))?)?;
    }
    Ok(())
}

/// A batch of provisional mentions with final entity ids and resolutions.
fn final_mentions<'r>(
    batch: RecordBatch,
    resolve_mention: &dyn Fn(u32) -> Option<(&'r str, bool)>,
) -> Result<RecordBatch> {
    use arrow_array::builder::StringBuilder;
    use arrow_array::cast::AsArray;
    use arrow_array::{Array, ArrayRef};
    let schema = batch.schema();
    let column = |name: &str| schema.index_of(name).expect("mentions schema");
    let (entity_col, resolution_col) = (column("entity_id"), column("resolution"));
    let provisional = batch.column(entity_col).as_string::<i32>();
    let resolutions = batch.column(resolution_col).as_string::<i32>();
    let mut entity_ids = StringBuilder::with_capacity(batch.num_rows(), batch.num_rows() * 24);
    let mut new_resolutions = StringBuilder::with_capacity(batch.num_rows(), batch.num_rows() * 8);
    for row in 0..batch.num_rows() {
        let key = provisional.value(row);
        match key.parse().ok().and_then(resolve_mention) {
            Some((entity_id, variant)) => {
                entity_ids.append_value(entity_id);
                new_resolutions.append_value(if variant { "variant" } else { resolutions.value(row) });
            }
            None => {
                entity_ids.append_value(key);
                new_resolutions.append_value(resolutions.value(row));
            }
        }
    }
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns[entity_col] = std::sync::Arc::new(entity_ids.finish());
    columns[resolution_col] = std::sync::Arc::new(new_resolutions.finish());
    debug_assert_eq!(columns[entity_col].len(), batch.num_rows());
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::Output {
        path: PathBuf::from(MentionRow::NAME),
        message: e.to_string(),
    })
}
