//! Same input, same config: byte-identical tables whatever the thread count.

use std::path::Path;

use crate::util::*;

fn table_files(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "manifest.json")
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn manifest_without_timings(out: &Path) -> serde_json::Value {
    let mut manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    manifest.as_object_mut().unwrap().remove("timings");
    manifest
}

#[test]
fn output_is_identical_across_thread_counts_and_runs() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    // Small batches so that batches, threads and ordering all interact.
    let text = "[run]\nbatch_articles = 3\n";
    let (ca, cb, cc) = (config(a.path(), text), config(b.path(), text), config(c.path(), text));
    for corpus in [fixture("mixed"), root().join("corpus")] {
        let one = run_ok(a.path(), &ca, &corpus, &["--threads", "1"]);
        let two = run_ok(b.path(), &cb, &corpus, &["--threads", "2"]);
        let again = run_ok(c.path(), &cc, &corpus, &["--threads", "2"]);
        let files = table_files(&one);
        assert!(files.len() >= 5, "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
        assert!(
            files == table_files(&two),
            "threads 1 and 2 differ on {}",
            corpus.display()
        );
        assert!(files == table_files(&again), "two runs differ on {}", corpus.display());
        assert_eq!(manifest_without_timings(&one), manifest_without_timings(&two));
    }
}

#[test]
fn manifest_records_version_hash_rows_and_timings() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(dir.path(), &root().join("pipeline.toml"), &root().join("corpus"), &[]);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.join("manifest.json"))).unwrap();
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["config_hash"].as_str().unwrap().len(), 64);
    assert_eq!(manifest["rows"]["articles"], 5);
    assert_eq!(manifest["rows"]["rejects"], 0);
    for stage in [
        "read", "decode", "clean", "articles", "dates", "names", "write", "total",
    ] {
        assert!(manifest["timings"][stage].is_number(), "no timing for {stage}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}
