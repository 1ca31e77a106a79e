//! Knowledge files, compiled once per run and shared by every worker:
//! the outlet registry, and the rules and lexicons of the stages that run
//! (a stage left out of `run.stages` costs nothing to start; `readout
//! check` still compiles every file). Each comes from the path set
//! in `[data]` (relative to the config file) or, when unset, from the copy
//! of the repository's `data/` file built into readout.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::annotate::boilerplate::BoilerplateRules;
use crate::annotate::dates::TemporalLexicon;
use crate::annotate::names::{GazetteerText, NameKnowledge};
use crate::annotate::outlet::OutletRegistry;
use crate::config::{DataConfig, STAGES};
use crate::error::{ConfigProblem, Error, Result};

const BUILTIN_BOILERPLATE: &str = include_str!("../data/boilerplate.toml");
const BUILTIN_OUTLETS: &str = include_str!("../data/outlets.tsv");
const BUILTIN_TEMPORAL: &str = include_str!("../data/lexicons/temporal.toml");
const BUILTIN_NAMES: &str = include_str!("../data/lexicons/names.toml");
const BUILTIN_GAZETTEER: GazetteerText<'static> = GazetteerText {
    people: include_str!("../data/gazetteer/people.tsv"),
    roles: include_str!("../data/gazetteer/roles.tsv"),
    countries: include_str!("../data/gazetteer/countries.tsv"),
    orgs: include_str!("../data/gazetteer/orgs.tsv"),
    places: include_str!("../data/gazetteer/places.tsv"),
};

/// Everything the stages know beyond the text.
#[derive(Debug)]
pub struct Knowledge {
    /// What is stripped as boilerplate; `None` when that stage is off.
    pub boilerplate: Option<BoilerplateRules>,
    /// Outlets with their domains and names.
    pub outlets: OutletRegistry,
    /// Month, weekday, number and unit words of the temporal tagger; `None`
    /// when the dates stage is off.
    pub temporal: Option<TemporalLexicon>,
    /// Gazetteer and name-finding word lists; `None` when the names stage
    /// is off.
    pub names: Option<NameKnowledge>,
}

impl std::fmt::Debug for NameKnowledge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NameKnowledge")
    }
}

impl std::fmt::Debug for TemporalLexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TemporalLexicon")
    }
}

fn read_source(
    setting: &str,
    builtin: &'static str,
    base_dir: &Path,
    name: &str,
) -> Result<(PathBuf, Cow<'static, str>)> {
    if setting.is_empty() {
        return Ok((PathBuf::from(format!("(built-in) data/{name}")), Cow::Borrowed(builtin)));
    }
    let path = base_dir.join(setting);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    Ok((path, Cow::Owned(text)))
}

/// The line of a data file that holds `needle`, for messages that can only
/// name a key or pattern.
fn line_of(text: &str, needle: &str) -> usize {
    let key = needle
        .split(':')
        .next()
        .unwrap_or(needle)
        .rsplit('.')
        .next()
        .unwrap_or(needle);
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map_or(1, |i| i + 1)
}

/// Reads a TOML knowledge file (or its built-in copy) and compiles it; a
/// problem is reported at the line of the key its message names.
fn load_toml<T>(
    configured: &str,
    builtin: &'static str,
    base_dir: &Path,
    name: &str,
    compile: impl FnOnce(&str) -> std::result::Result<T, String>,
) -> Result<T> {
    let (path, text) = read_source(configured, builtin, base_dir, name)?;
    compile(&text).map_err(|message| Error::Data {
        line: line_of(&text, &message),
        path,
        message,
    })
}

impl Knowledge {
    /// Loads and compiles every knowledge file.
    pub fn load(config: &DataConfig, base_dir: &Path) -> std::result::Result<Knowledge, Vec<ConfigProblem>> {
        Knowledge::load_for(config, base_dir, STAGES)
    }

    /// Loads the outlet registry and the files that `stages` use. Compiling
    /// the gazetteer and the rule sets takes a sizeable share of a small
    /// run, so a stage that is off is not paid for.
    ///
    /// Every file is tried, and each failure is a problem under the config
    /// key that selects the file.
    pub fn load_for<S: AsRef<str>>(
        config: &DataConfig,
        base_dir: &Path,
        stages: &[S],
    ) -> std::result::Result<Knowledge, Vec<ConfigProblem>> {
        let runs = |stage: &str| stages.iter().any(|s| s.as_ref() == stage);
        let mut problems = Vec::new();
        let boilerplate = if runs("boilerplate") {
            keyed(
                &mut problems,
                "data.boilerplate",
                load_toml(
                    &config.boilerplate,
                    BUILTIN_BOILERPLATE,
                    base_dir,
                    "boilerplate.toml",
                    BoilerplateRules::from_toml_str,
                ),
            )
        } else {
            None
        };
        let outlets = keyed(
            &mut problems,
            "data.outlets",
            read_source(&config.outlets, BUILTIN_OUTLETS, base_dir, "outlets.tsv").and_then(|(path, text)| {
                OutletRegistry::from_tsv(&text).map_err(|(line, message)| Error::Data { path, line, message })
            }),
        );
        let temporal = if runs("dates") {
            keyed(
                &mut problems,
                "data.temporal",
                load_toml(
                    &config.temporal,
                    BUILTIN_TEMPORAL,
                    base_dir,
                    "lexicons/temporal.toml",
                    TemporalLexicon::from_toml_str,
                ),
            )
        } else {
            None
        };
        let names = if runs("names") {
            load_names(config, base_dir, &mut problems)
        } else {
            None
        };
        match outlets {
            Some(outlets) if problems.is_empty() => Ok(Knowledge {
                boilerplate,
                outlets,
                temporal,
                names,
            }),
            _ => Err(problems),
        }
    }
}

/// The names lexicon and gazetteer. A failure goes under the key of the
/// file at fault: the lexicon is compiled alone to tell which, but only
/// when the two together fail.
fn load_names(config: &DataConfig, base_dir: &Path, problems: &mut Vec<ConfigProblem>) -> Option<NameKnowledge> {
    let lexicon = keyed(
        problems,
        "data.names",
        read_source(&config.names, BUILTIN_NAMES, base_dir, "lexicons/names.toml"),
    );
    let folder = match config.gazetteer.as_str() {
        "" | "none" => None,
        folder => Some(base_dir.join(folder)),
    };
    if let Some(folder) = folder.as_ref().filter(|f| !f.is_dir()) {
        problems.push(ConfigProblem {
            key: "data.gazetteer".into(),
            message: format!(
                "{}: no such folder (a folder of people.tsv and roles.tsv; \"\" for the built-in gazetteer, \"none\" for none)",
                folder.display()
            ),
        });
        return None;
    }
    let (lexicon_path, lexicon) = lexicon?;
    let loaded = match (&folder, config.gazetteer.as_str()) {
        (Some(folder), _) => NameKnowledge::load(Some(folder), &lexicon),
        (None, "none") => NameKnowledge::from_strings(None, &lexicon),
        (None, _) => NameKnowledge::from_strings(Some(BUILTIN_GAZETTEER), &lexicon),
    };
    let message = match loaded {
        Ok(names) => return Some(names),
        Err(message) => message,
    };
    let (key, path) = match NameKnowledge::from_strings(None, &lexicon) {
        Err(_) => ("data.names", lexicon_path),
        Ok(_) => (
            "data.gazetteer",
            folder.unwrap_or_else(|| PathBuf::from("(built-in) data/gazetteer")),
        ),
    };
    keyed(problems, key, Err(Error::Data { path, line: 0, message }))
}

/// The value, or `None` with the error noted under `key`.
fn keyed<T>(problems: &mut Vec<ConfigProblem>, key: &str, result: Result<T>) -> Option<T> {
    result
        .map_err(|e| {
            problems.push(ConfigProblem {
                key: key.into(),
                message: e.to_string(),
            })
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_knowledge_compiles() {
        let k = Knowledge::load(&DataConfig::default(), Path::new(".")).unwrap();
        assert!(k.outlets.len() >= 300, "{} outlets", k.outlets.len());
        assert_eq!(
            k.outlets.by_url("https://edition.cnn.com/x").map(|o| o.slug.as_str()),
            Some("cnn")
        );
    }

    #[test]
    fn only_the_stages_that_run_get_their_knowledge() {
        let k = Knowledge::load_for(&DataConfig::default(), Path::new("."), &["dates"]).unwrap();
        assert!(k.temporal.is_some());
        assert!(k.boilerplate.is_none() && k.names.is_none());
        let all = Knowledge::load(&DataConfig::default(), Path::new(".")).unwrap();
        assert!(all.boilerplate.is_some() && all.temporal.is_some() && all.names.is_some());
    }

    #[test]
    fn a_bad_file_of_a_stage_that_is_off_is_not_read() {
        let config = DataConfig {
            boilerplate: "missing.toml".into(),
            ..DataConfig::default()
        };
        assert!(Knowledge::load_for(&config, Path::new("."), &["dates", "names"]).is_ok());
        assert!(Knowledge::load(&config, Path::new(".")).is_err());
    }

    #[test]
    fn a_bad_rules_file_names_its_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let rules = BUILTIN_BOILERPLATE.replace("'(?i)^read more$'", "'(?i)^read more($'");
        std::fs::write(dir.path().join("rules.toml"), rules).unwrap();
        let config = DataConfig {
            boilerplate: "rules.toml".into(),
            ..DataConfig::default()
        };
        let problems = Knowledge::load(&config, dir.path()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].key, "data.boilerplate");
        let message = &problems[0].message;
        assert!(
            message.contains("rules.toml:") && message.contains("cut_tail.patterns"),
            "{message}"
        );
    }

    #[test]
    fn every_bad_data_file_is_reported_under_its_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("outlets.tsv"), "not\ta registry\n").unwrap();
        let config = DataConfig {
            boilerplate: "missing.toml".into(),
            outlets: "outlets.tsv".into(),
            gazetteer: "no/such/folder".into(),
            ..DataConfig::default()
        };
        let problems = Knowledge::load(&config, dir.path()).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            ["data.boilerplate", "data.outlets", "data.gazetteer"],
            "{problems:?}"
        );
        assert!(problems[0].message.contains("missing.toml"), "{problems:?}");
        assert!(problems[2].message.contains("no such folder"), "{problems:?}");
        // A bad gazetteer beside a good lexicon of one's own is the
        // gazetteer's fault; a missing lexicon and a missing folder are both
        // reported.
        std::fs::write(dir.path().join("names.toml"), BUILTIN_NAMES).unwrap();
        std::fs::create_dir(dir.path().join("empty")).unwrap();
        let config = DataConfig {
            names: "names.toml".into(),
            gazetteer: "empty".into(),
            ..DataConfig::default()
        };
        let problems = Knowledge::load(&config, dir.path()).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].key, "data.gazetteer");
        assert!(problems[0].message.contains("empty"), "{problems:?}");
        let config = DataConfig {
            names: "missing-names.toml".into(),
            gazetteer: "no/such/folder".into(),
            ..DataConfig::default()
        };
        let problems = Knowledge::load(&config, dir.path()).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["data.names", "data.gazetteer"], "{problems:?}");
    }
}
