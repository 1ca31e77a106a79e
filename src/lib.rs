//! readout turns a corpus of news articles into tidy tables: articles, their
//! cleaned texts, and (as the stages land) names, dates, quotes, claims and
//! events, written as Parquet and CSV.
//!
//! Data flows read → clean → annotate each article → resolve across
//! articles → write tables, one module per stage:
//! - [`read`]: find input files, pick a reader, stream raw articles;
//! - [`clean`]: the text every offset points into;
//! - [`annotate`]: per-article stages, pure functions (boilerplate, bylines,
//!   outlets, metadata);
//! - [`knowledge`]: rules and registries from `data/`, compiled once;
//! - [`pipeline`]: the per-article stages composed;
//! - [`resolve`]: cross-article barriers (entities);
//! - [`runner`]: the one place that owns parallelism and batching;
//! - [`write`]: table schemas (one definition) and the Parquet/CSV writers.
//!
//! The library never prints and never exits; the binary does both.
#![warn(missing_docs)]

pub mod annotate;
pub mod clean;
pub mod config;
pub mod error;
pub mod knowledge;
pub mod model;
pub mod pipeline;
pub mod read;
pub mod resolve;
pub mod runner;
pub mod write;

pub use config::Config;
pub use error::{Error, Result};
pub use runner::{run, NoProgress, Progress, Report, RunPaths};

/// Generated text for property tests, shared by the stages' unit tests.
#[cfg(test)]
mod test_text {
    /// One step of a xorshift generator: the same numbers on every run.
    fn xorshift(mut state: u64) -> u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }

    /// Returns a generator of numbers from `seed`: each call gives one
    /// below its argument.
    pub fn numbers(seed: u64) -> impl FnMut(usize) -> usize {
        let mut state = seed;
        move |n| {
            state = xorshift(state);
            (state % n as u64) as usize
        }
    }

    /// Returns a generator of strings made of up to `max_pieces - 1` of
    /// `pieces`, drawn by a xorshift generator from `seed`: the same strings
    /// on every run.
    pub fn concatenations<'a>(pieces: &'a [&'a str], max_pieces: u64, seed: u64) -> impl FnMut() -> String + 'a {
        let mut state = seed;
        move || {
            let mut text = String::new();
            for _ in 0..(state % max_pieces) {
                state = xorshift(state);
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            state = state.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
            text
        }
    }
}
