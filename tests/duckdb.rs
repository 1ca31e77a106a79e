//! The Parquet output as an analyst reads it: DuckDB, through the `duckdb`
//! Python package (installed by scripts/test.sh).

use std::process::Command;

use crate::util::*;

#[test]
fn duckdb_reads_the_tables_with_the_contract_types() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let out = run_ok(dir.path(), &config, &fixture("mixed"), &[]);
    let python = std::env::var("READOUT_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .arg(root().join("tests/duckdb_check.py"))
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e} (scripts/test.sh sets up the Python environment)"));
    assert!(
        output.status.success(),
        "duckdb check failed (run through scripts/test.sh, which installs duckdb):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
