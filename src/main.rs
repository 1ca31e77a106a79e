//! The `readout` command: parses arguments, calls the library, maps the
//! outcome to an exit code. Exit codes: 0 success, 1 the run failed,
//! 2 the configuration or the command line is wrong.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use readout::{Config, Error};

#[derive(Parser)]
#[command(
    name = "readout",
    version,
    about = "News articles in, tidy tables of names, dates, quotes and events out."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Read the corpus and write the tables (the default).
    Run(RunArgs),
    /// Validate a config and report every problem at once.
    Check {
        /// Config file.
        #[arg(long, default_value = "pipeline.toml")]
        config: PathBuf,
    },
}

#[derive(Args, Clone)]
struct RunArgs {
    /// Config file.
    #[arg(long, default_value = "pipeline.toml")]
    config: PathBuf,
    /// Corpus folder (overrides input.corpus).
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Output folder (overrides output.dir).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads; 0 for one per core (overrides run.threads).
    #[arg(long, value_parser = parse_threads)]
    threads: Option<usize>,
    /// No progress bar and no summary.
    #[arg(long)]
    quiet: bool,
}

/// The command line's thread count, held to the bound `readout check`
/// applies to `run.threads`.
fn parse_threads(text: &str) -> Result<usize, String> {
    let threads: usize = text.parse().map_err(|e| format!("{e}"))?;
    if threads > readout::config::MAX_THREADS {
        return Err(format!("{threads} threads is not sensible; use 0 for one per core"));
    }
    Ok(threads)
}

struct Bar(ProgressBar);

impl readout::Progress for Bar {
    fn wants_total(&self) -> bool {
        !self.0.is_hidden()
    }
    fn start(&self, total_bytes: u64) {
        self.0.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
            )
            .expect("valid template"),
        );
        self.0.set_length(total_bytes);
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Some(Command::Check { config }) => check(&config),
        Some(Command::Run(args)) => run(&args),
        None => run(&cli.run),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("readout: {error:#}");
            let config_problem = error
                .downcast_ref::<Error>()
                .is_some_and(|e| matches!(e, Error::Config { .. } | Error::OutputIsCorpus { .. }));
            ExitCode::from(if config_problem { 2 } else { 1 })
        }
    }
}

fn check(path: &std::path::Path) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    let config_dir = path.parent().unwrap_or(std::path::Path::new("."));
    let in_config = |problems| Error::Config {
        path: path.to_path_buf(),
        problems,
    };
    // What a run compiles before it reads anything: every data file, then
    // the settings that refer to their contents (input.outlet).
    let knowledge = readout::knowledge::Knowledge::load(&config.data, config_dir).map_err(in_config)?;
    readout::pipeline::Pipeline::new(&config, knowledge).map_err(|problem| in_config(vec![problem]))?;
    println!("{}: ok", path.display());
    Ok(())
}

fn run(args: &RunArgs) -> anyhow::Result<()> {
    let mut config = Config::load(&args.config)?;
    if let Some(threads) = args.threads {
        config.run.threads = threads;
    }
    let paths = readout::runner::paths(&config, &args.config, args.corpus.as_deref(), args.out.as_deref());
    let show_bar = !args.quiet && std::io::stderr().is_terminal();
    let bar = ProgressBar::hidden();
    if show_bar {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        // Until the corpus is listed (see `Progress::wants_total`).
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bytes} ({bytes_per_sec})")
                .expect("valid template"),
        );
    }
    let report = readout::run(&config, &paths, &Bar(bar))
        .with_context(|| format!("run on {} failed", paths.corpus.display()))?;
    if !args.quiet {
        let rows: Vec<String> = report.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
        eprintln!(
            "readout: {} files, {:.1} MB of text in {:.2}s on {} threads ({:.1} MB/s); rows: {}; wrote {}",
            report.input_files,
            report.article_bytes as f64 / 1e6,
            report.seconds,
            report.threads,
            report.article_bytes as f64 / 1e6 / report.seconds.max(1e-9),
            rows.join(", "),
            paths.out.display()
        );
    }
    Ok(())
}

// Each article makes many short-lived strings on the workers and frees them
// on the writer thread; jemalloc does that about a fifth faster than glibc's
// allocator, with a lower peak (measured with scripts/bench.py).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

// jemalloc's defaults favour long-lived servers: one arena per thread, each
// keeping freed pages for ten seconds. A run frees large buffers (file
// contents, batches, Parquet pages) on other threads than the ones that
// allocated them, so those pages piled up per arena and the peak kept
// growing for the first ~100,000 articles. One arena shares them (small
// allocations still go through per-thread caches), and a background thread
// returns pages unused for half a second to the system off the workers'
// time. Measured with scripts/bench.py; `_RJEM_MALLOC_CONF` still overrides.
#[cfg(all(target_os = "linux", not(target_env = "msvc")))]
#[export_name = "_rjem_malloc_conf"]
static JEMALLOC_CONF: &[u8; 69] = b"narenas:1,background_thread:true,dirty_decay_ms:500,muzzy_decay_ms:0\0";
