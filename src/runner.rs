//! The one place that owns parallelism. A reader thread goes through the
//! corpus in a fixed order and cuts it into batches; each batch is one task
//! on a rayon pool, which runs its articles through every per-article stage.
//! The barrier, on the run's own thread, takes the finished batches in input
//! order (ids, the entity resolver) while the workers process later ones,
//! and writer threads append the rows to the tables; the pool also encodes
//! the row groups of `texts`, the bulk of the compression. A batch is handed to
//! the pool only when fewer than `threads + 1` are between the reader and
//! the end of the `texts` writer, so memory stays bounded whatever the
//! corpus size.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, SyncSender};
use std::sync::Arc;
use std::time::Instant;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::knowledge::Knowledge;
use crate::pipeline::{Pipeline, Processed, StageTimes};
use crate::read::{ids_may_repeat, read_file, Input, Listed, Listing};
use crate::resolve::entities::{EntityResolver, Resolved};
use crate::write::schema::{EntityRecord, RejectRow, TextRow};
use crate::write::sink::TableSink;
use crate::write::{Encoder, Manifest, Outputs, TableRows};

/// Where a run reads and writes; command-line values override the config's.
#[derive(Debug, Clone)]
pub struct RunPaths {
    /// Corpus folder.
    pub corpus: PathBuf,
    /// Output folder.
    pub out: PathBuf,
    /// Folder of the config file: data paths in it are relative to this.
    pub config_dir: PathBuf,
    /// The config file, named in config problems.
    pub config_file: PathBuf,
}

/// Hears about progress; the binary draws a bar with it. `start` is called
/// from a thread of its own, the rest from the run's main thread.
pub trait Progress: Sync {
    /// Whether `start` is wanted: the total is found by listing the corpus
    /// once more, beside the run, which only a bar someone watches needs.
    fn wants_total(&self) -> bool {
        false
    }
    /// The total bytes of input files, once they are listed.
    fn start(&self, _total_bytes: u64) {}
    /// Bytes of input files finished since the last call.
    fn advance(&self, _bytes: u64) {}
    /// The run is done.
    fn finish(&self) {}
}

/// Progress that nobody watches.
pub struct NoProgress;
impl Progress for NoProgress {}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Files written, manifest last.
    pub files: Vec<PathBuf>,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// Input files listed.
    pub input_files: u64,
    /// Bytes of raw article text read.
    pub article_bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Threads used.
    pub threads: usize,
}

/// A batch through every per-article stage.
struct Done {
    /// The batch's place in input order.
    sequence: u64,
    /// One result per input, in input order.
    processed: Vec<Processed>,
    times: StageTimes,
    /// Bytes of the files completed by the time this batch was cut.
    file_bytes_done: u64,
}

/// Reads the corpus, runs every stage and writes the tables.
pub fn run(config: &Config, paths: &RunPaths, progress: &dyn Progress) -> Result<Report> {
    let started = Instant::now();
    if !paths.corpus.is_dir() {
        return Err(Error::CorpusMissing {
            path: paths.corpus.clone(),
        });
    }
    let threads = if config.run.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        config.run.threads
    };
    let pool = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("readout-worker-{i}"))
            .build()
            .map_err(|e| Error::Output {
                path: paths.out.clone(),
                message: format!("cannot start worker threads: {e}"),
            })?,
    );
    let in_config = |problems| Error::Config {
        path: paths.config_file.clone(),
        problems,
    };
    let knowledge = Knowledge::load_for(&config.data, &paths.config_dir, &config.run.stages).map_err(in_config)?;
    let pipeline = Pipeline::new(config, knowledge).map_err(|problem| in_config(vec![problem]))?;
    let mut timings: BTreeMap<String, f64> = BTreeMap::new();

    let skipped_folder = output_inside_corpus(&paths.corpus, &paths.out)?;
    let skipped_folder = skipped_folder.as_deref();
    let check_ids = ids_may_repeat(&paths.corpus, config, skipped_folder);
    // Until here: the files themselves are listed as they are read.
    timings.insert("list".into(), started.elapsed().as_secs_f64());

    // Row groups of `texts` are encoded on the workers, beside the batches.
    // A worker that asks for one (none does today) encodes it itself rather
    // than wait for a job queued behind it.
    let encoder: Encoder = {
        let pool = Arc::clone(&pool);
        Arc::new(move |job| {
            if rayon::current_thread_index().is_some() {
                job()
            } else {
                pool.spawn(job)
            }
        })
    };
    let outputs = Outputs::create(&paths.out, config, Some(encoder))?;
    let batch_articles = config.run.batch_articles;
    let batch_bytes = config.run.batch_kib << 10;
    let (rows_sender, rows_receiver) = sync_channel::<TableRows>(2);
    // Batches handed to the pool and not yet written to `texts`: one per
    // worker, and one more so that a worker which finishes ahead of an older
    // batch does not wait for it (measured while the barrier gave credits
    // back: one more than that only raised the peak). The credit comes back from the texts writer, not from the
    // barrier: then the batches queued for the writers count too, and a
    // faster worker side no longer fills those queues (a cleaner that took
    // 3% fewer instructions raised the peak at 1M articles by 2 MiB while
    // the barrier gave the credits back).
    let batches_in_flight = threads + 1;
    let (credit_sender, credit_receiver) = sync_channel::<()>(batches_in_flight);
    for _ in 0..batches_in_flight {
        credit_sender.send(()).expect("the receiver is alive");
    }
    let (done_sender, done_receiver) = channel::<Done>();

    // The barrier (ids, the entity resolver, moving rows to the writers)
    // takes batches strictly in input order, on this thread, while the
    // workers process later batches.
    let mut barrier = Barrier {
        check_ids,
        seen_ids: HashSet::new(),
        resolver: pipeline.knowledge().names.as_ref().map(EntityResolver::new),
        clusters: Vec::new(),
        stage_times: StageTimes::default(),
        article_bytes: 0,
        seconds: 0.0,
    };
    let corpus = &paths.corpus;
    let json_keys = pipeline.json_keys();
    let pipeline = &pipeline;
    let pool = &*pool;
    let run_ended = &AtomicBool::new(false);
    let (read_seconds, input_files, written, texts_written) = std::thread::scope(|scope| {
        // The corpus is listed as it is read; a bar's total comes from a
        // listing of its own, on a thread that only sums the sizes.
        if progress.wants_total() {
            scope.spawn(move || {
                let total = Listing::new(corpus, config, skipped_folder)
                    .take_while(|_| !run_ended.load(Ordering::Relaxed))
                    .map(|listed| match listed {
                        Listed::File(file) => file.bytes,
                        Listed::Reject(_) => 0,
                    })
                    .sum();
                // Cut short, the sum is not the total.
                if !run_ended.load(Ordering::Relaxed) {
                    progress.start(total);
                }
            });
        }
        // Reader: reads container files (JSON, CSV) in order, passes
        // one-article files on for the workers to read, and cuts batches.
        // Each batch goes to the pool as one task once a credit says there
        // is room; a worker runs it through every stage, article by article.
        // One task per batch, rather than a parallel loop over each batch's
        // articles, has no point where the workers wait for each other or
        // for the barrier.
        let reader = scope.spawn(move || {
            let read_started = Instant::now();
            let mut input_files = 0u64;
            pool.in_place_scope(|tasks| {
                let mut inputs: Vec<Input> = Vec::new();
                let mut bytes = 0usize;
                let mut file_bytes_done = 0u64;
                let mut number = 0u64;
                let mut hung_up = false;
                let mut hand_over = |inputs: Vec<Input>, file_bytes_done: u64| -> bool {
                    // No credit comes back once the texts writer stopped: writing failed.
                    if credit_receiver.recv().is_err() {
                        return false;
                    }
                    let done = done_sender.clone();
                    let sequence = number;
                    number += 1;
                    tasks.spawn(move |_| {
                        let mut times = StageTimes::default();
                        let processed = inputs
                            .into_iter()
                            .map(|input| pipeline.process_input(input, &mut times))
                            .collect();
                        // The barrier hangs up only when writing failed.
                        let _ = done.send(Done {
                            sequence,
                            processed,
                            times,
                            file_bytes_done,
                        });
                    });
                    true
                };
                for listed in Listing::new(corpus, config, skipped_folder) {
                    let mut emit = |input: Input| {
                        bytes += input.text_bytes();
                        inputs.push(input);
                        if !hung_up && (inputs.len() >= batch_articles || bytes >= batch_bytes) {
                            hung_up = !hand_over(std::mem::take(&mut inputs), file_bytes_done);
                            bytes = 0;
                            file_bytes_done = 0;
                        }
                    };
                    match listed {
                        Listed::File(file) => {
                            input_files += 1;
                            read_file(&file, corpus, config, json_keys, &mut emit);
                            file_bytes_done += file.bytes;
                        }
                        Listed::Reject(row) => emit(Input::Reject(row)),
                    }
                    if hung_up {
                        break;
                    }
                }
                if !hung_up {
                    hand_over(inputs, file_bytes_done);
                }
            });
            drop(done_sender);
            (read_started.elapsed().as_secs_f64(), input_files)
        });

        // Writers: append each batch's rows to the tables while the next
        // batch is processed. The `texts` table, most of the bytes to
        // compress, has a thread of its own that gathers row groups for the
        // pool to encode (see `encoder` above) and splices them into the
        // file: with one writer for all tables, writing was the slowest part
        // of a run.
        let mut outputs = outputs;
        let texts_sink = outputs.take_texts();
        let (texts_sender, texts_receiver) = sync_channel::<Vec<TextRow>>(2);
        // It holds the only credit sender: when it stops, having failed or
        // because the writer before it did, the reader stops too.
        let texts_writer = scope.spawn(move || -> Result<(TableSink<TextRow>, f64)> {
            let mut sink = texts_sink;
            let mut seconds = 0.0;
            for rows in texts_receiver {
                let started = Instant::now();
                sink.append(rows)?;
                seconds += started.elapsed().as_secs_f64();
                // The reader waits for this credit only while it reads on.
                let _ = credit_sender.send(());
            }
            Ok((sink, seconds))
        });
        let writer = scope.spawn(move || -> Result<(Outputs, f64)> {
            let mut seconds = 0.0;
            for mut rows in rows_receiver {
                // The texts writer hangs up only when it failed; its error
                // is reported below.
                if texts_sender.send(std::mem::take(&mut rows.texts)).is_err() {
                    break;
                }
                let started = Instant::now();
                outputs.append(rows)?;
                seconds += started.elapsed().as_secs_f64();
            }
            Ok((outputs, seconds))
        });

        // Batches finish in any order; the barrier takes them in input order.
        let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        'batches: for done in done_receiver.iter() {
            waiting.insert(done.sequence, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                barrier.stage_times.add(&done.times);
                if !barrier.pass(done.processed, &rows_sender) {
                    break 'batches; // the writer failed; its error is reported below
                }
                progress.advance(done.file_bytes_done);
            }
        }
        // Once the writers stopped, the reader stops at its next batch, and
        // tasks still running finish into a closed channel.
        drop(done_receiver);
        drop(rows_sender);
        run_ended.store(true, Ordering::Relaxed);
        let (read_seconds, input_files) = reader.join().expect("reader thread does not panic");
        let written = writer.join().expect("writer thread does not panic");
        let texts_written = texts_writer.join().expect("texts writer thread does not panic");
        (read_seconds, input_files, written, texts_written)
    });
    let (mut outputs, write_seconds) = written?;
    let (texts_sink, texts_seconds) = texts_written?;
    outputs.return_texts(texts_sink);
    let resolve_started = Instant::now();
    let resolved = barrier.resolver.map(EntityResolver::finish);
    let entities: Vec<EntityRecord> = resolved
        .iter()
        .flat_map(Resolved::entities)
        .map(|e| EntityRecord {
            entity_id: e.entity_id,
            kind: e.kind.as_str().into(),
            name: e.name,
            aliases: e.aliases,
            mentions: e.mentions,
            articles: e.articles,
            origin: e.origin.into(),
        })
        .collect();
    outputs.append(TableRows {
        entities,
        ..TableRows::default()
    })?;

    timings.insert("read".into(), read_seconds);
    timings.insert("decode".into(), barrier.stage_times.decode);
    timings.insert("clean".into(), barrier.stage_times.clean);
    timings.insert("articles".into(), barrier.stage_times.articles);
    timings.insert("dates".into(), barrier.stage_times.dates);
    timings.insert("names".into(), barrier.stage_times.names);
    let rows: BTreeMap<String, u64> = outputs.row_counts().into_iter().collect();
    timings.insert("write".into(), write_seconds);
    timings.insert("write_texts".into(), texts_seconds);
    timings.insert("resolve".into(), resolve_started.elapsed().as_secs_f64());
    timings.insert("barrier".into(), barrier.seconds);
    let mut manifest = Manifest {
        version: env!("CARGO_PKG_VERSION").into(),
        config_hash: config.hash(),
        input_files,
        input_bytes: barrier.article_bytes,
        rows: rows.clone(),
        timings,
    };
    // The manifest is written inside the commit, so `total` cannot include
    // the commit's own work (closing the files, rewriting mentions).
    manifest.timings.insert("total".into(), started.elapsed().as_secs_f64());
    let resolve_mention = |cluster: u32| resolved.as_ref().and_then(|r| r.mention(cluster));
    // Rewriting the mentions with their final entities is the one serial
    // step left at the end of a run: its Parquet and CSV files are written
    // on two workers.
    let join = |a: &mut (dyn FnMut() + Send), b: &mut (dyn FnMut() + Send)| {
        pool.install(|| rayon::join(a, b));
    };
    let files = outputs.commit(&manifest, &resolve_mention, &join)?;
    progress.finish();
    Ok(Report {
        files,
        rows,
        input_files,
        article_bytes: barrier.article_bytes,
        seconds: started.elapsed().as_secs_f64(),
        threads,
    })
}

/// The in-order step between the per-article stages and the writers: it
/// rejects repeated ids, lets the entity resolver see each article's
/// mentions, and hands the batch's rows to the writers.
struct Barrier {
    check_ids: bool,
    /// Hashes of the ids seen; kept only when ids can repeat.
    seen_ids: HashSet<u64>,
    /// None when the names stage is off.
    resolver: Option<EntityResolver>,
    /// The resolver's cluster for each mention of the article at hand.
    clusters: Vec<u32>,
    stage_times: StageTimes,
    /// Raw text bytes of the articles kept.
    article_bytes: u64,
    /// Time spent here, for the manifest.
    seconds: f64,
}

impl Barrier {
    /// Takes one batch's results, in input order. False when the writer
    /// hung up (it failed; its error is reported by the caller).
    fn pass(&mut self, items: Vec<Processed>, rows_sender: &SyncSender<TableRows>) -> bool {
        let started = Instant::now();
        let mut rows = TableRows::default();
        for item in items {
            match item {
                Processed::Article(output) => {
                    if self.check_ids && !self.seen_ids.insert(id_hash(&output.article.article_id)) {
                        rows.rejects.push(RejectRow {
                            reason: format!(
                                "duplicate article id `{}`: an earlier input has the same id",
                                output.article.article_id
                            ),
                            source: output.article.source,
                        });
                        continue;
                    }
                    self.article_bytes += output.article.raw_bytes as u64;
                    // The entity barrier sees articles in input order,
                    // whatever the thread count.
                    if let Some(resolver) = &mut self.resolver {
                        resolver.observe(&output.mentions, &mut self.clusters);
                    }
                    output.push_into(&self.clusters, &mut rows);
                }
                Processed::Reject(row) => rows.rejects.push(row),
            }
        }
        self.seconds += started.elapsed().as_secs_f64();
        rows_sender.send(rows).is_ok()
    }
}

/// A fixed-key hash: the set of seen ids holds 8 bytes per article, not the
/// id itself, so it stays small for millions of articles. (It is kept only
/// when ids can repeat at all: see `ids_may_repeat`.)
fn id_hash(id: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// Where the output folder sits inside the corpus, relative to it: the
/// listing leaves it out, or each run would read the last run's tables as
/// articles. The folder is made first (the writer would make it anyway), so
/// that both are compared resolved: `corpus/new/../out`, a symlink to it
/// and a name that is not UTF-8 are all found.
fn output_inside_corpus(corpus: &Path, out: &Path) -> Result<Option<PathBuf>> {
    let corpus = corpus.canonicalize().map_err(|e| Error::io(corpus, e))?;
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let out = out.canonicalize().map_err(|e| Error::io(out, e))?;
    if out == corpus {
        return Err(Error::OutputIsCorpus { out });
    }
    Ok(out.strip_prefix(&corpus).ok().map(Path::to_path_buf))
}

/// Resolves the corpus and output folders: command line first, then config.
pub fn paths(config: &Config, config_path: &Path, corpus: Option<&Path>, out: Option<&Path>) -> RunPaths {
    RunPaths {
        corpus: corpus.map_or_else(|| config.input.corpus.clone(), Path::to_path_buf),
        out: out.map_or_else(|| config.output.dir.clone(), Path::to_path_buf),
        config_file: config_path.to_path_buf(),
        config_dir: config_path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
    }
}
