//! The one integration test binary: runs the real `readout` binary on small
//! corpora and compares its tables with golden files.

mod util;

mod cli;
mod determinism;
mod duckdb;
mod eval;
mod golden;
