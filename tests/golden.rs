//! End-to-end runs compared with golden CSVs.

use crate::util::*;

/// The seeds through the default config, as `cargo run --release` reads them.
#[test]
fn seeds_articles_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(dir.path(), &root().join("pipeline.toml"), &root().join("corpus"), &[]);
    assert_golden("seeds", "articles.csv", &read(&out.join("articles.csv")));
    assert_golden("seeds", "rejects.csv", &read(&out.join("rejects.csv")));
    assert!(out.join("texts.parquet").exists());
    assert!(!out.join("texts.csv").exists(), "texts is Parquet-only by default");
}

/// The seeds' kept texts after boilerplate stripping, to review in diffs.
#[test]
fn seeds_texts_after_boilerplate() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[output]\ncsv_tables = [\"texts\"]\n");
    let out = run_ok(dir.path(), &config, &root().join("corpus"), &[]);
    assert_golden("seeds", "texts.csv", &read(&out.join("texts.csv")));
    // Every temporal expression of the seeds with its resolved value; the
    // ones the issue lists are also checked one by one in annotate::dates.
    assert_golden("seeds", "dates.csv", &read(&out.join("dates.csv")));
}

/// Every reader and every kind of bad input, with texts in CSV to review.
#[test]
fn every_reader_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[output]\ncsv_tables = [\"texts\"]\n");
    let out = run_ok(dir.path(), &config, &fixture("mixed"), &[]);
    for table in ["articles.csv", "texts.csv", "rejects.csv"] {
        assert_golden("mixed", table, &read(&out.join(table)));
    }
}

/// Nothing is lost: each article-bearing input and each bad one is a row.
#[test]
fn every_input_ends_in_articles_or_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "");
    let out = run_ok(dir.path(), &config, &fixture("mixed"), &[]);
    let articles = csv_rows(&out.join("articles.csv"));
    let rejects = csv_rows(&out.join("rejects.csv"));
    let mut sources: Vec<String> = articles.iter().map(|r| r[1].to_string()).collect();
    sources.extend(rejects.iter().map(|r| r[0].to_string()));
    sources.sort();
    let expected = [
        "binary.txt",
        "blank.txt",
        "bom.json",
        "broken.json#1",
        "broken.json#2",
        "cr.csv#1",
        "cr.csv#2",
        "dangling.txt",
        "empty.txt",
        "latin1.jsonl#1",
        "latin1.jsonl#2",
        "latin1.txt",
        "lines.jsonl#1",
        "lines.jsonl#2",
        "lines.jsonl#4",
        "lines.jsonl#5",
        "lines.jsonl#6",
        "nocol.csv",
        "notes.md",
        "onlybad.csv#1",
        "plain.txt",
        "records.json#1",
        "records.json#2",
        "records.json#3",
        "records.json#4",
        "single.json",
        "sub/nested.txt",
        "surrogate.json",
        "table.csv#1",
        "table.csv#2",
        "table.csv#3",
        "table.csv#4",
    ];
    assert_eq!(sources, expected);
}

/// Ids that arrive out of order are sorted through spilled runs and a merge.
#[test]
fn out_of_order_ids_are_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    let mut lines = String::new();
    for i in (0..500).rev() {
        lines.push_str(&format!("{{\"id\": \"id-{i:04}\", \"text\": \"Article {i} text.\"}}\n"));
    }
    std::fs::write(corpus.join("reverse.jsonl"), lines).unwrap();
    let config = config(dir.path(), "[run]\nbatch_articles = 7\nsort_buffer_mib = 1\n");
    let out = run_ok(dir.path(), &config, &corpus, &[]);
    let ids: Vec<String> = csv_rows(&out.join("articles.csv"))
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids.len(), 500);
    assert_eq!(ids, sorted);
}

/// Every boilerplate pattern of the fixtures: what is kept, and what the
/// removed lines tell (authors, credits, outlet, dates).
#[test]
fn boilerplate_fixtures() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[output]\ncsv_tables = [\"texts\"]\n");
    let out = run_ok(dir.path(), &config, &fixture("boilerplate"), &[]);
    assert_golden("boilerplate", "articles.csv", &read(&out.join("articles.csv")));
    assert_golden("boilerplate", "texts.csv", &read(&out.join("texts.csv")));
}

/// The seeds' names: every mention and the entities they resolve to.
#[test]
fn seeds_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_ok(dir.path(), &root().join("pipeline.toml"), &root().join("corpus"), &[]);
    assert_golden("seeds", "entities.csv", &read(&out.join("entities.csv")));
    assert_golden("seeds", "mentions.csv", &read(&out.join("mentions.csv")));
}

/// With the gazetteer switched off, each person of the issue is still one
/// entity, however the outlets spell or title them.
#[test]
fn one_entity_per_person_without_gazetteer() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), "[data]\ngazetteer = \"none\"\n");
    let out = run_ok(dir.path(), &config, &root().join("corpus"), &[]);
    let mentions = csv_rows(&out.join("mentions.csv"));
    let entity_of = |surfaces: &[&str]| -> Vec<String> {
        let mut ids: Vec<String> = mentions
            .iter()
            .filter(|m| surfaces.contains(&&m[2]))
            .map(|m| m[1].to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    };
    for group in [
        &["Sergei Shoygu", "Shoygu", "Sergey Shoigu", "Sergei Shoigu"][..],
        &["Andrei Belousov", "Andrey Belousov"],
        &["Lloyd Austin", "Austin"],
        &[
            "Brig. Gen. Pat Ryder",
            "Brigadier General Pat Ryder",
            "Ryder",
            "Pat Ryder",
        ],
    ] {
        let ids = entity_of(group);
        assert_eq!(ids.len(), 1, "{group:?} resolve to {ids:?}");
        assert!(ids[0].starts_with("person/"), "{ids:?}");
    }
}
