//! Helpers: run the binary in a temporary folder, compare with golden files
//! (refreshed with `UPDATE_GOLDEN=1`, reviewed in the diff).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output};
use std::time::{Duration, Instant};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Runs `readout` with arguments in `dir`; returns its output.
pub fn readout(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_readout"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("readout runs")
}

/// Runs `readout run --quiet` in `dir` with the output in `out`; returns
/// its output, whatever its exit code.
pub fn run_into(dir: &Path, config: &Path, corpus: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--quiet",
        "--config",
        config.to_str().unwrap(),
        "--corpus",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    readout(dir, &args)
}

/// Waits for `child`, for `seconds` at most: a run that does not end is a
/// failure (`what` says why it should have), not a hung test.
pub fn wait_at_most(child: &mut Child, seconds: u64, what: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > Duration::from_secs(seconds) {
            child.kill().unwrap();
            panic!("{what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs `readout run` and asserts success; returns the output folder.
pub fn run_ok(dir: &Path, config: &Path, corpus: &Path, extra: &[&str]) -> PathBuf {
    let out = dir.join("out");
    let output = run_into(dir, config, corpus, &out, extra);
    assert!(
        output.status.success(),
        "readout failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// Writes a config file into `dir` and returns its path.
pub fn config(dir: &Path, text: &str) -> PathBuf {
    config_named(dir, "config.toml", text)
}

/// Writes a config file `name` into `dir` and returns its path.
pub fn config_named(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Compares `actual` with `tests/golden/<case>/<name>`, or rewrites the
/// golden file when `UPDATE_GOLDEN` is set.
pub fn assert_golden(case: &str, name: &str, actual: &str) {
    let path = root().join("tests/golden").join(case).join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1 to create it)", path.display()));
    if expected != actual {
        let mut report = format!(
            "{} differs (UPDATE_GOLDEN=1 refreshes it; review the diff):\n",
            path.display()
        );
        let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
        for i in 0..e.len().max(a.len()) {
            let (el, al) = (
                e.get(i).copied().unwrap_or("<none>"),
                a.get(i).copied().unwrap_or("<none>"),
            );
            if el != al {
                report.push_str(&format!("line {}:\n  expected: {el}\n  actual:   {al}\n", i + 1));
            }
        }
        panic!("{report}");
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Data rows of a CSV file (header excluded).
pub fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}
