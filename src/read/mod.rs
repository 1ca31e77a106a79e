//! Reading the corpus: find the input files, pick a reader by extension,
//! and stream articles (or rejects) out in a fixed order, in batches. This
//! runs on one thread; reading one-article files, decoding and everything
//! after it run in parallel.

pub mod csv;
pub mod decode;
pub mod json;
pub mod record;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::model::{InputFormat, Metadata, RawArticle, RawText};
use crate::write::schema::RejectRow;
use json::JsonKeys;

/// What a reader yields: an article, a JSON record still to be parsed, or a
/// reject with its reason.
#[derive(Debug)]
pub enum Input {
    /// An article to process.
    Article(Box<RawArticle>),
    /// One JSON record's text: parsing it is left to the parallel stage.
    JsonRecord(Box<json::JsonRecord>),
    /// A one-article text file: reading it is left to the parallel stage
    /// too, since a corpus of small files spends most of its reading time
    /// opening them.
    TextFile(Box<TextFile>),
    /// An input that cannot become an article.
    Reject(RejectRow),
}

impl Input {
    /// Bytes of text it carries, for cutting batches.
    pub fn text_bytes(&self) -> usize {
        match self {
            Input::Article(a) => a.body.len(),
            Input::JsonRecord(r) => r.text_bytes(),
            Input::TextFile(f) => f.bytes as usize,
            Input::Reject(_) => 0,
        }
    }
}

/// A text file to read as one article.
#[derive(Debug)]
pub struct TextFile {
    path: PathBuf,
    rel_path: String,
    article_id: String,
    /// Its size when listed.
    bytes: u64,
}

impl TextFile {
    /// Reads the file: its bytes are decoded later, with the article.
    pub fn read(self) -> Result<RawArticle, RejectRow> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(RawArticle {
                article_id: self.article_id,
                source: self.rel_path,
                format: InputFormat::Text,
                body: RawText::Bytes(bytes),
                meta: Metadata::default(),
            }),
            Err(e) => Err(RejectRow {
                source: self.rel_path,
                reason: format!("cannot read file: {e}"),
            }),
        }
    }
}

/// One input file, relative to the corpus root. A folder's files are
/// held while it is listed (see `Listing`), so this is kept small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// Relative path with `/` separators.
    pub rel_path: Box<str>,
    /// The relative path as the file system spells it, only when
    /// `rel_path` cannot (a name that is not UTF-8).
    raw_rel_path: Option<Box<Path>>,
    /// Size in bytes (0 when unreadable).
    pub bytes: u64,
    /// Bytes of `rel_path` before its extension: the listing is sorted by
    /// stem, and finding it in every comparison took seconds for a few
    /// hundred thousand files.
    stem_len: u32,
}

impl InputFile {
    fn new(rel_path: Box<str>, raw_rel_path: Option<Box<Path>>, bytes: u64) -> InputFile {
        let stem_len = match rel_path.rfind('.') {
            Some(dot) if !rel_path[dot..].contains('/') && dot > rel_path.rfind('/').map_or(0, |s| s + 1) => dot,
            _ => rel_path.len(),
        };
        InputFile {
            stem_len: stem_len as u32,
            rel_path,
            raw_rel_path,
            bytes,
        }
    }

    /// The file's path under the corpus folder `root`.
    pub fn path(&self, root: &Path) -> PathBuf {
        root.join(self.raw_rel_path.as_deref().unwrap_or(Path::new(&*self.rel_path)))
    }

    /// Relative path without its extension: the id of a one-article file.
    pub fn stem(&self) -> &str {
        &self.rel_path[..self.stem_len as usize]
    }

    /// The extension as written, without its dot.
    fn raw_extension(&self) -> &str {
        self.rel_path[self.stem_len as usize..].trim_start_matches('.')
    }

    fn extension(&self) -> String {
        self.raw_extension().to_ascii_lowercase()
    }

    /// Listing order: by stem, then by lowercased extension, then as
    /// written (`a.TXT` before `a.txt`, `a` before `a.`), then by the name
    /// as the file system spells it (`caf%E9` written so, before one whose
    /// byte is not UTF-8): which of two such files is read first, and the
    /// other rejected as a duplicate id, must not depend on the order the
    /// file system lists them in.
    fn cmp_listing(&self, other: &InputFile) -> std::cmp::Ordering {
        fn lower(extension: &str) -> impl Iterator<Item = u8> + '_ {
            extension.bytes().map(|b| b.to_ascii_lowercase())
        }
        self.stem()
            .cmp(other.stem())
            .then_with(|| lower(self.raw_extension()).cmp(lower(other.raw_extension())))
            .then_with(|| self.rel_path.cmp(&other.rel_path))
            .then_with(|| self.raw_rel_path.cmp(&other.raw_rel_path))
    }
}

/// One item of the listing: a file to read, or an entry that cannot be
/// read (a folder that cannot be listed, a named pipe, a link to a folder).
#[derive(Debug)]
pub enum Listed {
    /// A regular file (or a link to one).
    File(InputFile),
    /// An entry that becomes a reject.
    Reject(RejectRow),
}

/// The corpus's files in id order (path without extension, then
/// extension), so that one-article files come out sorted by id, listed
/// folder by folder as they are asked for. Only the folders on the way down
/// to the current one are held, each as its sorted entries: a run's memory
/// does not grow with the number of files (a listing made up front held
/// some 70 bytes per file, 70 MB for a million one-article files), only
/// with the largest folder.
///
/// Each folder's entries are sorted with a folder standing for `name/`:
/// every path under it starts so, and the paths that start with a given
/// prefix are next to each other in sorted order, so this is the order of
/// all the corpus's paths sorted at once.
///
/// `skipped_folder` (relative to `root`) is left out with all it holds: the
/// run's output folder, when it sits inside the corpus.
pub struct Listing<'a> {
    root: &'a Path,
    config: &'a Config,
    skipped_folder: Option<&'a Path>,
    /// The entries still to hand out of each folder open, innermost last;
    /// each in reverse order, taken from the end.
    open: Vec<Vec<Entry>>,
}

/// An entry of one folder.
enum Entry {
    File(InputFile),
    /// A folder to list, by its relative path followed by `/`, and the
    /// path as the file system spells it when that is not UTF-8.
    Folder {
        rel_slash: String,
        raw_rel: Option<PathBuf>,
    },
    Reject(RejectRow),
}

impl Entry {
    /// What the entry sorts by among its folder's entries.
    fn key(&self) -> &str {
        match self {
            Entry::File(file) => file.stem(),
            Entry::Folder { rel_slash, .. } => rel_slash,
            Entry::Reject(row) => &row.source,
        }
    }

    fn cmp_listing(&self, other: &Entry) -> std::cmp::Ordering {
        match (self, other) {
            (Entry::File(a), Entry::File(b)) => a.cmp_listing(b),
            (Entry::Reject(a), Entry::Reject(b)) => (&a.source, &a.reason).cmp(&(&b.source, &b.reason)),
            (
                Entry::Folder {
                    rel_slash: a,
                    raw_rel: x,
                },
                Entry::Folder {
                    rel_slash: b,
                    raw_rel: y,
                },
            ) => a.cmp(b).then_with(|| x.cmp(y)),
            _ => self.key().cmp(other.key()).then_with(|| self.rank().cmp(&other.rank())),
        }
    }

    /// Order among entries of equal keys (a named pipe `a` beside `a.txt`).
    fn rank(&self) -> u8 {
        match self {
            Entry::File(_) => 0,
            Entry::Folder { .. } => 1,
            Entry::Reject(_) => 2,
        }
    }
}

impl<'a> Listing<'a> {
    /// Starts listing the folder `root`.
    pub fn new(root: &'a Path, config: &'a Config, skipped_folder: Option<&'a Path>) -> Listing<'a> {
        let mut listing = Listing {
            root,
            config,
            skipped_folder,
            open: Vec::new(),
        };
        let top = listing.entries(root, "", None);
        listing.open.push(top);
        listing
    }

    /// The entries of the folder at `path` (`rel` and `raw_rel` as in
    /// `Folder`), sorted in reverse listing order.
    fn entries(&self, path: &Path, rel: &str, raw_rel: Option<&Path>) -> Vec<Entry> {
        let folder = Folder { path, rel, raw_rel };
        let mut entries = Vec::new();
        list_folder(&folder, self.config, self.skipped_folder, &mut entries);
        entries.sort_by(|a, b| b.cmp_listing(a));
        entries
    }
}

impl Iterator for Listing<'_> {
    type Item = Listed;

    fn next(&mut self) -> Option<Listed> {
        loop {
            let folder = self.open.last_mut()?;
            match folder.pop() {
                None => {
                    self.open.pop();
                }
                Some(Entry::File(file)) => return Some(Listed::File(file)),
                Some(Entry::Reject(row)) => return Some(Listed::Reject(row)),
                Some(Entry::Folder { mut rel_slash, raw_rel }) => {
                    rel_slash.pop();
                    let path = self.root.join(raw_rel.as_deref().unwrap_or(Path::new(&rel_slash)));
                    let entries = self.entries(&path, &rel_slash, raw_rel.as_deref());
                    self.open.push(entries);
                }
            }
        }
    }
}

/// A folder being listed, with its path relative to the corpus root: built
/// name by name on the way down, not taken apart again for every file.
struct Folder<'a> {
    path: &'a Path,
    /// Relative path with `/` separators ("" for the root).
    rel: &'a str,
    /// The relative path as the file system spells it, when `rel` cannot.
    raw_rel: Option<&'a Path>,
}

impl Folder<'_> {
    /// Relative path of the entry `name`, and its raw form when a name on
    /// the way is not UTF-8.
    fn child(&self, name: &std::ffi::OsStr) -> (String, Option<PathBuf>) {
        let text = name_text(name);
        let rel = if self.rel.is_empty() {
            text.into_owned()
        } else {
            format!("{}/{text}", self.rel)
        };
        let raw = match (self.raw_rel, name.to_str()) {
            (None, Some(_)) => None,
            (raw, _) => Some(raw.unwrap_or(Path::new(self.rel)).join(name)),
        };
        (rel, raw)
    }
}

/// A file name as text: bytes that are not UTF-8 are written `%XX`, so
/// that two names differing only there stay two ids (U+FFFD made `caf\xE9`
/// and `caf\xE8` one, and the second a duplicate).
fn name_text(name: &std::ffi::OsStr) -> std::borrow::Cow<'_, str> {
    if let Some(text) = name.to_str() {
        return text.into();
    }
    let mut text = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        text.push_str(chunk.valid());
        for byte in chunk.invalid() {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text.into()
}

/// The entries of one folder, unsorted.
fn list_folder(folder: &Folder, config: &Config, skipped_folder: Option<&Path>, entries: &mut Vec<Entry>) {
    let cannot_list = |e: std::io::Error| {
        Entry::Reject(RejectRow {
            source: folder.rel.to_owned(),
            reason: format!("cannot list folder: {e}"),
        })
    };
    let listed = match std::fs::read_dir(folder.path) {
        Ok(listed) => listed,
        Err(e) => return entries.push(cannot_list(e)),
    };
    for entry in listed {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                entries.push(cannot_list(e));
                continue;
            }
        };
        let name = entry.file_name();
        if config.input.skip_hidden && name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // Symlinks are followed to files but not into folders, which could loop.
        let is_symlink = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        // An entry's own metadata is looked up beside it in its folder; the
        // full path would be resolved again, component by component, for
        // every file of a large corpus (and is built only where needed).
        let metadata = if is_symlink {
            std::fs::metadata(entry.path())
        } else {
            entry.metadata()
        };
        let (rel, raw_rel) = folder.child(&name);
        entries.push(match metadata {
            // Followed, a link to a folder could loop; left out silently,
            // its files would be lost without a trace.
            Ok(meta) if meta.is_dir() && is_symlink && config.input.recursive => Entry::Reject(RejectRow {
                source: rel,
                reason: "a symbolic link to a folder: not followed, as it could loop (link its files, or read the folder as a corpus of its own)".into(),
            }),
            Ok(meta) if meta.is_dir() => {
                let raw = raw_rel.as_deref().unwrap_or(Path::new(&rel));
                if !config.input.recursive || skipped_folder == Some(raw) {
                    continue;
                }
                Entry::Folder {
                    rel_slash: rel + "/",
                    raw_rel,
                }
            }
            // Opening a named pipe waits for a writer: the run would hang.
            Ok(meta) if !meta.is_file() => Entry::Reject(RejectRow {
                source: rel,
                reason: "not a regular file (a named pipe, socket or device): not read".into(),
            }),
            Ok(meta) => Entry::File(InputFile::new(rel.into(), raw_rel.map(Into::into), meta.len())),
            Err(e) => Entry::Reject(RejectRow {
                source: rel,
                reason: format!("cannot read file: {e}"),
            }),
        });
    }
}

/// Whether two inputs of the corpus can end up with the same article id.
///
/// Ids read from records (a configured id field) can repeat anywhere. Ids
/// made from paths (`<stem>` for a one-article file, `<stem>-<number>` for a
/// record of a container file) repeat only when two files of one folder
/// share a stem, or when a stem reads like the numbered record of another
/// file in its folder (`a-000001.txt` beside `a.json`). When neither can
/// happen the run need not remember the ids it has seen, and its memory
/// stays flat however many articles it reads.
///
/// This walks the corpus by names alone (no file's metadata is read), and
/// stops at the first file whose records carry ids: a few tenths of a second
/// for 300,000 files, where listing them with their sizes took two seconds.
/// Links and other entries count as files, and a name that is not UTF-8
/// makes ids checked (see inside): at worst ids are checked when they need
/// not be.
pub fn ids_may_repeat(root: &Path, config: &Config, skipped_folder: Option<&Path>) -> bool {
    let readers = &config.readers;
    let mut record_ids: Vec<&[String]> = Vec::new();
    if !readers.json.fields.id.is_empty() {
        record_ids.extend([&readers.json.extensions[..], &readers.json.lines_extensions[..]]);
    }
    if !readers.csv.fields.id.is_empty() {
        record_ids.push(&readers.csv.extensions);
    }
    folder_ids_may_repeat(root, Path::new(""), config, skipped_folder, &record_ids)
}

fn folder_ids_may_repeat(
    path: &Path,
    raw_rel: &Path,
    config: &Config,
    skipped_folder: Option<&Path>,
    record_ids: &[&[String]],
) -> bool {
    let Ok(listed) = std::fs::read_dir(path) else {
        return false; // a reject when the corpus is read
    };
    // The folder's files by name alone, for their stems and extensions.
    let mut files: Vec<InputFile> = Vec::new();
    for entry in listed.flatten() {
        let name = entry.file_name();
        if config.input.skip_hidden && name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // A name that is not UTF-8 is written `%XX`, which a name in
        // another folder may spell literally: its paths can repeat anywhere.
        let Some(text) = name.to_str() else {
            return true;
        };
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let rel = raw_rel.join(&name);
            if config.input.recursive
                && skipped_folder != Some(rel.as_path())
                && folder_ids_may_repeat(&entry.path(), &rel, config, skipped_folder, record_ids)
            {
                return true;
            }
            continue;
        }
        files.push(InputFile::new(text.into(), None, 0));
    }
    if files
        .iter()
        .any(|file| record_ids.iter().any(|list| extension_in(file.raw_extension(), list)))
    {
        return true;
    }
    let mut stems = std::collections::HashSet::with_capacity(files.len());
    if !files.iter().all(|file| stems.insert(file.stem())) {
        return true;
    }
    stems.iter().any(|stem| {
        let digits = stem.bytes().rev().take_while(u8::is_ascii_digit).count();
        let prefix = &stem[..stem.len() - digits];
        digits >= 6
            && prefix
                .strip_suffix('-')
                .is_some_and(|container| stems.contains(container))
    })
}

/// Whether a reader configured with `extensions` reads files with `ext`.
fn extension_in(ext: &str, extensions: &[String]) -> bool {
    extensions.iter().any(|e| e.eq_ignore_ascii_case(ext))
}

/// Reads one file with the reader its extension selects. `json_keys` are
/// the keys of `config`'s JSON field map (compiled once per run).
pub fn read_file(file: &InputFile, root: &Path, config: &Config, json_keys: &JsonKeys, emit: &mut dyn FnMut(Input)) {
    let path = file.path(root);
    let readers = &config.readers;
    // Readers match extensions ignoring case: no lowercased copy per file.
    let has = |list: &[String]| extension_in(file.raw_extension(), list);
    let stem = file.stem();
    if has(&readers.text.extensions) {
        emit(Input::TextFile(Box::new(TextFile {
            path,
            rel_path: file.rel_path.to_string(),
            article_id: stem.to_owned(),
            bytes: file.bytes,
        })));
    } else if has(&readers.json.extensions) {
        json::read_json(&path, &file.rel_path, stem, file.bytes, json_keys, emit);
    } else if has(&readers.json.lines_extensions) {
        json::read_json_lines(&path, &file.rel_path, stem, emit);
    } else if has(&readers.csv.extensions) {
        csv::read_csv(&path, &file.rel_path, stem, &readers.csv, emit);
    } else {
        let known: Vec<&String> = readers
            .text
            .extensions
            .iter()
            .chain(&readers.json.extensions)
            .chain(&readers.json.lines_extensions)
            .chain(&readers.csv.extensions)
            .collect();
        let ext = file.extension();
        let shown = if ext.is_empty() {
            "no extension".to_owned()
        } else {
            format!("extension `.{ext}`")
        };
        emit(Input::Reject(RejectRow {
            source: file.rel_path.to_string(),
            reason: format!(
                "no reader for {shown} (readers take {}; see [readers] in the config)",
                known.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(", ")
            ),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(rel: &str) -> InputFile {
        InputFile::new(rel.into(), None, 0)
    }

    /// What a run lists under `root`: the files, and the rejects.
    fn list_files(root: &Path, config: &Config, skipped_folder: Option<&Path>) -> (Vec<InputFile>, Vec<RejectRow>) {
        let (mut files, mut rejects) = (Vec::new(), Vec::new());
        for listed in Listing::new(root, config, skipped_folder) {
            match listed {
                Listed::File(file) => files.push(file),
                Listed::Reject(row) => rejects.push(row),
            }
        }
        (files, rejects)
    }

    /// A corpus folder holding empty files at `paths`.
    fn corpus(paths: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for path in paths {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        dir
    }

    #[test]
    fn ids_repeat_only_where_records_or_stems_allow() {
        let may_repeat = |paths: &[&str], config: &Config| ids_may_repeat(corpus(paths).path(), config, None);
        let mut by_path = Config::default();
        by_path.readers.json.fields.id.clear();
        by_path.readers.csv.fields.id.clear();
        let distinct = ["a/1.txt", "a/2.txt", "b.json", "b-12345.txt", "c-000001.txt"];
        assert!(!may_repeat(&distinct, &by_path));
        // An id field can hold anything, once a file its reader reads is listed.
        assert!(may_repeat(&distinct, &Config::default()));
        assert!(!may_repeat(&["a/1.txt", "a/2.txt"], &Config::default()));
        assert!(may_repeat(&["a/1.txt", "x/y/t.CSV"], &Config::default()));
        // Two files with one stem: `a.txt` and `a.json` both give `a`.
        assert!(may_repeat(&["a.txt", "a.json"], &by_path));
        assert!(may_repeat(&["x/y/a.txt", "x/y/a.json"], &by_path));
        assert!(!may_repeat(&["x/a.txt", "y/a.json", "a.csv"], &by_path));
        // `b-000001.txt` is also record 1 of `b.jsonl`.
        assert!(may_repeat(&["b.jsonl", "b-000001.txt"], &by_path));
        assert!(may_repeat(&["x/b.csv", "x/b-1000000.txt"], &by_path));
        assert!(!may_repeat(&["x/b.csv", "y/b-1000000.txt"], &by_path));
        // The skipped folder (the run's output) is left out.
        let dir = corpus(&["a.txt", "out/a.txt"]);
        assert!(!ids_may_repeat(dir.path(), &by_path, Some(Path::new("out"))));
        let dir = corpus(&["a.txt", "out/a.json"]);
        assert!(!ids_may_repeat(dir.path(), &Config::default(), Some(Path::new("out"))));
        assert!(ids_may_repeat(dir.path(), &Config::default(), None));
    }

    #[test]
    fn folder_by_folder_listing_is_the_order_of_all_paths_sorted_at_once() {
        let tricky = [
            "a.txt",
            "a-b.txt",
            "a/x.txt",
            "a.JSON",
            "a0.txt",
            "a.b/c.txt",
            "a.b.txt",
            "a/b/c.txt",
            "a/b.txt",
            "a/b-c.txt",
            "ab/c.txt",
            "a b.txt",
            "a.b/a.TXT",
            "a.b/a.txt",
            "README",
            "z/.txt",
        ];
        let mut number = crate::test_text::numbers(5);
        let mut generated: Vec<String> = Vec::new();
        for _ in 0..300 {
            let depth = 1 + number(3);
            let parts: Vec<String> = (0..depth)
                .map(|_| {
                    (0..1 + number(3))
                        .map(|_| ["a", "b", ".", "-", "0", " "][number(6)])
                        .collect()
                })
                // `.` and `..` are not names.
                .map(|part: String| {
                    if part.bytes().all(|b| b == b'.') {
                        part + "a"
                    } else {
                        part
                    }
                })
                .collect();
            let extension = ["", ".txt", ".TXT", ".json", ".jsonl"][number(5)];
            generated.push(parts.join("/") + extension);
        }
        let dir = tempfile::tempdir().unwrap();
        for path in tricky.iter().copied().chain(generated.iter().map(String::as_str)) {
            let path = dir.path().join(path);
            // Paths that clash (a file where a folder is wanted) are left out.
            if std::fs::create_dir_all(path.parent().unwrap()).is_ok() && !path.is_dir() {
                std::fs::write(&path, "").unwrap();
            }
        }
        let mut config = Config::default();
        config.input.skip_hidden = false;
        let (listed, rejects) = list_files(dir.path(), &config, None);
        assert!(rejects.is_empty(), "{rejects:?}");
        assert!(listed.len() > 200, "{} files", listed.len());
        let mut sorted = listed.clone();
        sorted.sort_by(InputFile::cmp_listing);
        let names = |files: &[InputFile]| files.iter().map(|f| f.rel_path.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&listed), names(&sorted));

        let dir = corpus(&[
            "a.txt",
            "a-b.txt",
            "a/x.txt",
            "a.JSON",
            "a0.txt",
            "a.b/c.txt",
            "a/b.txt",
            "b.txt",
            "b.TXT",
        ]);
        let (listed, _) = list_files(dir.path(), &config, None);
        assert_eq!(
            names(&listed),
            [
                "a.JSON",
                "a.txt",
                "a-b.txt",
                "a.b/c.txt",
                "a/b.txt",
                "a/x.txt",
                "a0.txt",
                "b.TXT",
                "b.txt"
            ]
        );
    }

    #[test]
    fn stems_and_extensions() {
        assert_eq!(file("business/001.txt").stem(), "business/001");
        assert_eq!(file("a.b/c").stem(), "a.b/c");
        assert_eq!(file("README").extension(), "");
        assert_eq!(file("x/y.JSONL").extension(), "jsonl");
        assert_eq!(file(".hidden").stem(), ".hidden");
        assert_eq!(file("a..b.TXT").stem(), "a..b");
        assert_eq!(file("a..b.TXT").extension(), "txt");
    }

    #[test]
    fn files_are_listed_by_stem_then_extension() {
        let mut files: Vec<InputFile> = ["a.txt", "a-b.txt", "a/x.txt", "a.JSON", "a", "a0.txt", "a.b/c.txt"]
            .map(file)
            .into();
        files.sort_by(InputFile::cmp_listing);
        let order: Vec<&str> = files.iter().map(|f| &*f.rel_path).collect();
        assert_eq!(
            order,
            ["a", "a.JSON", "a.txt", "a-b.txt", "a.b/c.txt", "a/x.txt", "a0.txt"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_skipped_folder_is_left_out_whatever_its_name() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let out = std::ffi::OsStr::from_bytes(b"caf\xE9");
        for folder in [Path::new("a/out"), Path::new(out)] {
            std::fs::create_dir_all(dir.path().join(folder)).unwrap();
            std::fs::write(dir.path().join(folder).join("articles.csv"), "id,text\n").unwrap();
        }
        std::fs::write(dir.path().join("a").join("kept.txt"), "Kept.").unwrap();
        for (skipped, listed) in [
            (Path::new("a/out"), ["a/kept.txt", "caf%E9/articles.csv"]),
            (Path::new(out), ["a/kept.txt", "a/out/articles.csv"]),
        ] {
            let (files, _) = list_files(dir.path(), &Config::default(), Some(skipped));
            let names: Vec<&str> = files.iter().map(|f| &*f.rel_path).collect();
            assert_eq!(names, listed, "{skipped:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_are_followed_to_files_and_a_link_to_a_folder_is_a_reject() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub").join("a.txt"), "Some text.").unwrap();
        std::os::unix::fs::symlink(dir.path().join("sub"), dir.path().join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("sub").join("a.txt"), dir.path().join("b.txt")).unwrap();
        let (files, rejects) = list_files(dir.path(), &Config::default(), None);
        let names: Vec<&str> = files.iter().map(|f| &*f.rel_path).collect();
        assert_eq!(names, ["b.txt", "sub/a.txt"]);
        assert_eq!(rejects.len(), 1);
        assert_eq!(rejects[0].source, "loop");
        assert!(rejects[0].reason.contains("not followed"), "{rejects:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_may_repeat_another_folders_path() {
        use std::os::unix::ffi::OsStrExt;
        let dir = corpus(&["caf%E9/a.txt", "a", "a."]);
        let raw = dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xE9"));
        std::fs::create_dir(&raw).unwrap();
        std::fs::write(raw.join("a.txt"), "").unwrap();
        let mut by_path = Config::default();
        by_path.readers.json.fields.id.clear();
        by_path.readers.csv.fields.id.clear();
        // Both give the id `caf%E9/a`.
        assert!(ids_may_repeat(dir.path(), &by_path, None));
        let (listed, _) = list_files(dir.path(), &by_path, None);
        let listed: Vec<(&str, bool)> = listed
            .iter()
            .map(|f| (&*f.rel_path, f.raw_rel_path.is_some()))
            .collect();
        assert_eq!(
            listed,
            [
                ("a", false),
                ("a.", false),
                ("caf%E9/a.txt", false),
                ("caf%E9/a.txt", true)
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_whose_name_is_not_utf8_is_listed_and_read() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let name = std::ffi::OsStr::from_bytes(b"caf\xE9.txt");
        std::fs::write(dir.path().join("sub").join(name), "Some text.").unwrap();
        let other = std::ffi::OsStr::from_bytes(b"caf\xE8.txt");
        std::fs::write(dir.path().join("sub").join(other), "Other text.").unwrap();
        let (files, rejects) = list_files(dir.path(), &Config::default(), None);
        assert!(rejects.is_empty(), "{rejects:?}");
        let names: Vec<&str> = files.iter().map(|f| &*f.rel_path).collect();
        assert_eq!(names, ["sub/caf%E8.txt", "sub/caf%E9.txt"]);
        let files = &files[1..];
        let mut inputs = Vec::new();
        let config = Config::default();
        let keys = JsonKeys::new(&config.readers.json.fields);
        read_file(&files[0], dir.path(), &config, &keys, &mut |input| inputs.push(input));
        let Some(Input::TextFile(text)) = inputs.pop() else {
            panic!("{inputs:?}")
        };
        assert_eq!(text.read().map(|a| a.body.len()), Ok(10));
    }
}
