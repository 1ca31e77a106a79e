//! The command line: config checking, exit codes, overrides.

use std::path::Path;

use crate::util::*;

#[test]
fn annotated_pipeline_toml_parses_to_the_defaults() {
    let config = readout::Config::load(&root().join("pipeline.toml")).unwrap();
    assert_eq!(
        config,
        readout::Config::default(),
        "pipeline.toml must document the defaults"
    );
}

#[test]
fn shared_corpus_configs_parse() {
    for name in ["reuters21578", "bbc", "press-releases", "polnear"] {
        readout::Config::load(&root().join("configs").join(format!("{name}.toml")))
            .unwrap_or_else(|e| panic!("configs/{name}.toml: {e}"));
    }
}

#[test]
fn check_reports_every_problem_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "[input]\ncorpse = \"x\"\n[output]\nformat = [\"csv\"]\n[run]\nthreads = \"many\"\n",
    );
    let output = readout(dir.path(), &["check", "--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 problem(s)"), "{stderr}");
    assert!(
        stderr.contains("input.corpse: unknown key; did you mean `corpus`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("output.format: unknown key; did you mean `formats`?"),
        "{stderr}"
    );
    assert!(
        stderr.contains("run.threads: expected an integer, found a string (\"many\")"),
        "{stderr}"
    );
}

#[test]
fn check_accepts_the_reference_config() {
    let output = readout(&root(), &["check", "--config", "pipeline.toml"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn missing_corpus_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let output = readout(
        dir.path(),
        &["run", "--config", config.to_str().unwrap(), "--corpus", "nowhere"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("corpus folder nowhere does not exist"), "{stderr}");
    assert!(
        !dir.path().join("output").exists(),
        "nothing is written for a failed start"
    );
}

#[test]
fn parquet_only_output_writes_no_csv() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[output]\nformats = [\"parquet\"]\n");
    let out = run_ok(dir.path(), &config, &root().join("corpus"), &[]);
    assert!(out.join("articles.parquet").exists());
    assert!(!out.join("articles.csv").exists());
}

#[test]
fn stages_left_out_leave_their_tables_empty() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[run]\nstages = [\"dates\"]\n");
    let out = run_ok(dir.path(), &config, &root().join("corpus"), &[]);
    assert_eq!(csv_rows(&out.join("articles.csv")).len(), 5);
    assert!(!csv_rows(&out.join("dates.csv")).is_empty());
    assert!(csv_rows(&out.join("mentions.csv")).is_empty());
    assert!(csv_rows(&out.join("entities.csv")).is_empty());
    // Without boilerplate stripping nothing counts as boilerplate.
    for row in csv_rows(&out.join("articles.csv")) {
        assert_eq!(&row[10], "0", "{row:?}");
    }
}

#[test]
fn unknown_stage_is_reported_with_a_suggestion() {
    let problems = readout::Config::parse("[run]\nstages = [\"nmaes\"]\n").unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].key, "run.stages");
    assert!(problems[0].message.contains("did you mean `names`?"), "{problems:?}");
}

#[test]
fn ids_made_from_paths_that_collide_are_still_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "First text, from a.txt.").unwrap();
    std::fs::write(corpus.join("a.json"), r#"{"text": "Second text, from a.json."}"#).unwrap();
    std::fs::write(corpus.join("b.jsonl"), "{\"text\": \"Record one.\"}\n").unwrap();
    std::fs::write(corpus.join("b-000001.txt"), "Same id as record one of b.jsonl.").unwrap();
    // No id field: every id comes from a path.
    let config = config(dir.path(), "[readers.json.fields]\nid = []\n");
    let out = run_ok(dir.path(), &config, &corpus, &[]);
    let ids: Vec<String> = csv_rows(&out.join("articles.csv"))
        .iter()
        .map(|r| r[0].to_owned())
        .collect();
    assert_eq!(ids, ["a", "b-000001"]);
    let rejects: Vec<String> = csv_rows(&out.join("rejects.csv"))
        .iter()
        .map(|r| format!("{}: {}", &r[0], &r[1]))
        .collect();
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert!(
        rejects.iter().all(|r| r.contains("duplicate article id")),
        "{rejects:?}"
    );
}

/// A table that cannot be written (here: the file-size limit, `EFBIG`)
/// fails the run with the file named, while the reader, the workers and the
/// barrier still hold batches in flight: the run must end, not wait forever,
/// and leave no table in the output folder.
#[cfg(unix)]
#[test]
fn a_write_error_mid_run_fails_cleanly_without_tables() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    // Letters drawn by a fixed generator: text that compresses poorly, so
    // the `texts` table passes the limit while most of the corpus is still
    // to be read (6 MB of text, row groups written every MiB).
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    for file in 0..400 {
        let mut text = String::new();
        while text.len() < 15_000 {
            for _ in 0..3 + next() % 6 {
                text.push((b'a' + (next() % 26) as u8) as char);
            }
            text.push_str(if next() % 13 == 0 { ".\n" } else { " " });
        }
        std::fs::write(corpus.join(format!("a{file:03}.txt")), text).unwrap();
    }
    let config = config(dir.path(), "[run]\nstages = []\nbatch_kib = 16\n");
    let out = dir.path().join("out");
    // A shell that ignores SIGXFSZ (kept across `exec`) turns the limit into
    // a plain write error. `ulimit -f` counts 512- or 1024-byte blocks: at
    // most 512 KiB, well under the `texts` table's size.
    let script = format!(
        "trap '' XFSZ; ulimit -f 512; exec '{}' run --quiet --threads 2 --config '{}' --corpus '{}' --out '{}'",
        env!("CARGO_BIN_EXE_readout"),
        config.display(),
        corpus.display(),
        out.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, 120, "the run did not end after a write error");
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot write table"), "{stderr}");
    let tables: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    assert!(tables.is_empty(), "tables left behind: {tables:?}");
}

/// An output folder inside the corpus is not read as part of it: run after
/// run, the same corpus gives the same tables. The corpus folder itself is
/// refused as an output folder.
#[test]
fn the_output_folder_is_never_read_as_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(
        corpus.join("a.txt"),
        "The minister said on Friday the talks would go on.",
    )
    .unwrap();
    let config = config(dir.path(), "");
    let config = config.to_str().unwrap();
    for out in ["corpus/out", "./corpus/../corpus/tables/new", "corpus/not-yet/../out"] {
        for _ in 0..2 {
            let output = readout(
                dir.path(),
                &["run", "--quiet", "--config", config, "--corpus", "corpus", "--out", out],
            );
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            let out = dir.path().join(out);
            assert_eq!(csv_rows(&out.join("articles.csv")).len(), 1, "{out:?}");
            assert!(csv_rows(&out.join("rejects.csv")).is_empty(), "{out:?}");
        }
        // Only the run's own output folder is left out.
        std::fs::remove_dir_all(dir.path().join(out)).unwrap();
    }
    for out in ["./corpus/", "corpus/not-yet/.."] {
        let output = readout(
            dir.path(),
            &["run", "--quiet", "--config", config, "--corpus", "corpus", "--out", out],
        );
        assert_eq!(output.status.code(), Some(2), "{out}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("is the corpus folder"), "{stderr}");
        assert!(!corpus.join("articles.csv").exists());
    }
}

#[test]
fn a_thread_count_past_the_bound_is_a_command_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = readout(dir.path(), &["run", "--threads", "100000"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("100000 threads is not sensible"), "{stderr}");
}

/// An I/O error's text appears once, after the path it concerns.
#[test]
fn an_output_folder_that_is_a_file_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    std::fs::write(dir.path().join("taken"), "a file").unwrap();
    let output = run_into(dir.path(), &config, &root().join("corpus"), Path::new("taken"), &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("taken: File exists"), "{stderr}");
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
}

/// A named pipe would block the reader forever: it is a reject. (Were it
/// opened again, the run would hang: it is given a minute, then fails.)
#[cfg(target_os = "linux")]
#[test]
fn a_named_pipe_in_the_corpus_is_rejected_not_waited_on() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "A text beside a pipe.").unwrap();
    let made = Command::new("mkfifo").arg(corpus.join("pipe.txt")).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let config = config(dir.path(), "");
    let out = dir.path().join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_readout"))
        .args(["run", "--quiet", "--config"])
        .arg(&config)
        .arg("--corpus")
        .arg(&corpus)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, 60, "the run waited on the named pipe");
    assert!(status.success());
    assert_eq!(csv_rows(&out.join("articles.csv")).len(), 1);
    let rejects = csv_rows(&out.join("rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(&rejects[0][0], "pipe.txt");
    assert!(rejects[0][1].contains("not a regular file"), "{rejects:?}");
}

#[test]
fn check_reports_data_and_outlet_problems_a_run_would_meet() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(
        dir.path(),
        "[input]\noutlet = \"no-such-outlet\"\n[data]\ngazetteer = \"no/such/folder\"\nboilerplate = \"missing.toml\"\n",
    );
    let output = readout(dir.path(), &["check", "--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("data.boilerplate: "), "{stderr}");
    assert!(stderr.contains("data.gazetteer: "), "{stderr}");
    let config = config_named(dir.path(), "outlet.toml", "[input]\noutlet = \"no-such-outlet\"\n");
    let output = readout(dir.path(), &["check", "--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("input.outlet: "), "{stderr}");
}

#[test]
fn a_missing_config_file_is_a_command_line_error() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["run", "check"] {
        let output = readout(dir.path(), &[command, "--config", "nowhere.toml"]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("cannot read the config file"), "{stderr}");
        assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
    }
}

/// A run that fails while it moves its tables into place leaves no
/// manifest: the last run's would vouch for a mix of old and new tables.
#[test]
fn a_commit_cut_short_leaves_no_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let out = run_ok(dir.path(), &config, &root().join("corpus"), &[]);
    assert!(out.join("manifest.json").exists());
    // A folder where the last table goes makes its move fail.
    std::fs::remove_file(out.join("rejects.csv")).unwrap();
    std::fs::create_dir_all(out.join("rejects.csv").join("in-the-way")).unwrap();
    let output = run_into(dir.path(), &config, &root().join("corpus"), &out, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rejects.csv"), "{stderr}");
    assert!(
        !out.join("manifest.json").exists(),
        "the old manifest outlived a cut commit"
    );
}
