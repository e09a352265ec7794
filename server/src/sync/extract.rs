//! Safe extraction of `.zip`, `.tar` and `.tar.gz`/`.tgz` archives into a live
//! session's mount dir (extractPolicy), also used to unpack Archive-mode snapshots
//! (both driven from `expand`).
//!
//! Archives come from tenants (presigned PUTs), so they are untrusted. Extraction
//! is two-pass: the first pass reads only the entry list and refuses the whole
//! archive if any entry would escape the target folder, is a device/FIFO, is a
//! link pointing outside, or the totals exceed [`Limits`]; only then does the
//! second pass write, through `safe_fs` (never through a planted symlink).

use crate::safe_fs::Tree;
use std::fs::File;
use std::io::{self, Read, Seek};

/// Bounds against archive bombs, checked against the declared sizes before
/// anything is written and enforced again while writing (a zip may lie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_entries: u64,
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: 1_000_000, max_bytes: 8 << 30 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    Tar,
    TarGz,
}

impl Format {
    /// The format of an archive file name and the folder name it extracts into.
    pub fn of(name: &str) -> Option<(Format, &str)> {
        let lower = name.to_ascii_lowercase();
        for (suffix, f) in
            [(".tar.gz", Format::TarGz), (".tgz", Format::TarGz), (".tar", Format::Tar), (".zip", Format::Zip)]
        {
            if lower.ends_with(suffix) && lower.len() > suffix.len() {
                return Some((f, &name[..name.len() - suffix.len()]));
            }
        }
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("entry '{0}' escapes the target folder")]
    Escapes(String),
    #[error("entry '{entry}' is a link to '{target}' outside the target folder")]
    LinkOutside { entry: String, target: String },
    #[error("entry '{entry}' is a {kind}; only files and folders are extracted")]
    Special { entry: String, kind: &'static str },
    #[error("entry '{0}' has a name that is not UTF-8")]
    BadName(String),
    #[error("entry '{entry}' is over the limit of {limit} entries")]
    TooManyEntries { entry: String, limit: u64 },
    #[error("entry '{entry}' brings the uncompressed total over {limit} bytes")]
    TooLarge { entry: String, limit: u64 },
    #[error("entry '{0}' holds more data than it declares")]
    SizeMismatch(String),
    #[error("not a readable archive: {0}")]
    Corrupt(String),
    #[error("writing '{entry}': {source}")]
    Io { entry: String, source: io::Error },
}

/// Normalises an entry name to a relative `a/b/c` path, or None if it would
/// leave the target folder. `""` is the target folder itself.
pub(super) fn clean(name: &str) -> Option<String> {
    if name.starts_with('/') || name.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// Whether a symlink stored at `entry` with target `target` stays inside the target folder.
fn link_inside(entry: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut depth: Vec<&str> = entry.split('/').collect();
    depth.pop();
    for c in target.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if depth.pop().is_none() {
                    return false;
                }
            }
            c => depth.push(c),
        }
    }
    true
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Planned {
    Dir(String),
    File {
        rel: String,
        size: u64,
        mode: u32,
        mtime: i64,
    },
    /// A link that stays inside: not created (links are never synced either).
    Skip,
}

fn check_type(entry: &str, unix_type: u32) -> Result<(), ExtractError> {
    let kind = match unix_type {
        0o020000 => "character device",
        0o060000 => "block device",
        0o010000 => "FIFO",
        0o140000 => "socket",
        _ => return Ok(()),
    };
    Err(ExtractError::Special { entry: entry.into(), kind })
}

struct Budget {
    limits: Limits,
    entries: u64,
    bytes: u64,
}

impl Budget {
    fn take(&mut self, entry: &str, size: u64) -> Result<(), ExtractError> {
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ExtractError::TooManyEntries { entry: entry.into(), limit: self.limits.max_entries });
        }
        self.bytes = self.bytes.saturating_add(size);
        if self.bytes > self.limits.max_bytes {
            return Err(ExtractError::TooLarge { entry: entry.into(), limit: self.limits.max_bytes });
        }
        Ok(())
    }
}

fn plan_tar_entry<R: Read>(e: &tar::Entry<'_, R>, budget: &mut Budget) -> Result<Planned, ExtractError> {
    let raw = e.path_bytes();
    let name = std::str::from_utf8(&raw).map_err(|_| ExtractError::BadName(String::from_utf8_lossy(&raw).into()))?;
    let rel = clean(name).ok_or_else(|| ExtractError::Escapes(name.into()))?;
    let h = e.header();
    let size = h.entry_size().map_err(|e| ExtractError::Corrupt(e.to_string()))?;
    budget.take(name, size)?;
    let link = || e.link_name_bytes().map(|l| String::from_utf8_lossy(&l).into_owned()).unwrap_or_default();
    use tar::EntryType as T;
    match h.entry_type() {
        T::Regular | T::Continuous => {
            let mode = h.mode().map_err(|e| ExtractError::Corrupt(e.to_string()))?;
            let mtime = h.mtime().map_err(|e| ExtractError::Corrupt(e.to_string()))?;
            if rel.is_empty() {
                return Err(ExtractError::Escapes(name.into()));
            }
            Ok(Planned::File { rel, size, mode: mode & 0o777, mtime: mtime.min(i64::MAX as u64) as i64 })
        }
        T::Directory if rel.is_empty() => Ok(Planned::Skip),
        T::Directory => Ok(Planned::Dir(rel)),
        T::Symlink => {
            let target = link();
            if link_inside(&rel, &target) {
                Ok(Planned::Skip)
            } else {
                Err(ExtractError::LinkOutside { entry: name.into(), target })
            }
        }
        // A hard link names another archive member, relative to the archive root.
        T::Link => {
            let target = link();
            if clean(&target).is_some_and(|t| !t.is_empty()) {
                Ok(Planned::Skip)
            } else {
                Err(ExtractError::LinkOutside { entry: name.into(), target })
            }
        }
        T::Char => Err(ExtractError::Special { entry: name.into(), kind: "character device" }),
        T::Block => Err(ExtractError::Special { entry: name.into(), kind: "block device" }),
        T::Fifo => Err(ExtractError::Special { entry: name.into(), kind: "FIFO" }),
        _ => Err(ExtractError::Special { entry: name.into(), kind: "unsupported tar entry type" }),
    }
}

fn tar_reader(file: File, format: Format) -> Box<dyn Read> {
    match format {
        Format::TarGz => Box::new(flate2::read::GzDecoder::new(io::BufReader::new(file))),
        _ => Box::new(io::BufReader::new(file)),
    }
}

pub(super) fn corrupt(e: impl std::fmt::Display) -> ExtractError {
    ExtractError::Corrupt(e.to_string())
}

pub(super) fn join(target: &str, rel: &str) -> String {
    if target.is_empty() {
        rel.to_string()
    } else {
        format!("{target}/{rel}")
    }
}

/// What an extraction wrote: the number of files, and the mount-relative paths of the
/// files and folders (the session now has them, so delete sync may mirror their removal).
#[derive(Debug, Default)]
pub struct Extracted {
    pub files: usize,
    pub paths: Vec<String>,
}

/// Which entries an extraction writes, by (relative path, is_dir); the rest are skipped.
/// Only safe entries reach it: every entry is checked whether or not it is kept.
pub type Keep<'a> = &'a dyn Fn(&str, bool) -> bool;

fn skip_unkept(plan: &mut [Planned], keep: Option<Keep<'_>>) {
    let Some(keep) = keep else { return };
    for p in plan {
        let kept = match p {
            Planned::Dir(rel) => keep(rel, true),
            Planned::File { rel, .. } => keep(rel, false),
            Planned::Skip => true,
        };
        if !kept {
            *p = Planned::Skip;
        }
    }
}

impl Extracted {
    pub(super) fn absorb(&mut self, other: Extracted) {
        self.files += other.files;
        self.paths.extend(other.paths);
    }
}

fn write_planned(
    root: &Tree,
    target: &str,
    p: &Planned,
    data: &mut dyn Read,
    written: &mut Extracted,
) -> Result<(), ExtractError> {
    match p {
        Planned::Skip => Ok(()),
        Planned::Dir(rel) => {
            let path = join(target, rel);
            root.open_dir(&path, true).map_err(|source| ExtractError::Io { entry: rel.clone(), source })?;
            written.paths.push(path);
            Ok(())
        }
        Planned::File { rel, size, mode, mtime } => {
            let path = join(target, rel);
            let mut bounded = data.take(*size);
            root.write_file(&path, &mut bounded, *mode, *mtime)
                .map_err(|source| ExtractError::Io { entry: rel.clone(), source })?;
            // A zip's declared size is only a claim; more data than declared is a bomb or a forgery.
            let mut probe = [0u8; 1];
            if data.read(&mut probe).map_err(corrupt)? != 0 {
                return Err(ExtractError::SizeMismatch(rel.clone()));
            }
            written.files += 1;
            written.paths.push(path);
            Ok(())
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (zip stores local civil time; taken as UTC).
pub(super) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn plan_zip<R: Read + Seek>(z: &mut zip::ZipArchive<R>, limits: Limits) -> Result<Vec<Planned>, ExtractError> {
    let mut budget = Budget { limits, entries: 0, bytes: 0 };
    let mut plan = Vec::with_capacity(z.len());
    for i in 0..z.len() {
        let mut f = z.by_index(i).map_err(corrupt)?;
        // Zip tools on Windows write `\` separators; treat them as separators so `..\x` cannot hide.
        let name = f.name().replace('\\', "/");
        let rel = clean(&name).ok_or_else(|| ExtractError::Escapes(name.clone()))?;
        budget.take(&name, f.size())?;
        let unix = f.unix_mode().unwrap_or(0);
        check_type(&name, unix & 0o170000)?;
        let p = if unix & 0o170000 == 0o120000 {
            let mut target = String::new();
            (&mut f).take(4096).read_to_string(&mut target).map_err(corrupt)?;
            if !link_inside(&rel, &target) {
                return Err(ExtractError::LinkOutside { entry: name, target });
            }
            Planned::Skip
        } else if f.is_dir() {
            if rel.is_empty() {
                Planned::Skip
            } else {
                Planned::Dir(rel)
            }
        } else {
            if rel.is_empty() {
                return Err(ExtractError::Escapes(name));
            }
            let mtime = f
                .last_modified()
                .map(|t| {
                    days_from_civil(t.year().into(), t.month().into(), t.day().into()) * 86_400
                        + i64::from(t.hour()) * 3600
                        + i64::from(t.minute()) * 60
                        + i64::from(t.second())
                })
                .unwrap_or(0);
            let mode = if unix & 0o777 != 0 { unix & 0o777 } else { 0o644 };
            Planned::File { rel, size: f.size(), mode, mtime }
        };
        plan.push(p);
    }
    Ok(plan)
}

/// Extracts the archive in `file` into the folder `target` (relative to `root`, created
/// as needed). Nothing is written unless every entry passes the checks. Returns what
/// was written.
pub fn extract(
    root: &Tree,
    target: &str,
    mut file: File,
    format: Format,
    limits: Limits,
    keep: Option<Keep<'_>>,
) -> Result<Extracted, ExtractError> {
    let mut written = Extracted::default();
    match format {
        Format::Zip => {
            let mut z = zip::ZipArchive::new(io::BufReader::new(file)).map_err(corrupt)?;
            let mut plan = plan_zip(&mut z, limits)?;
            skip_unkept(&mut plan, keep);
            root.open_dir(target, true).map_err(|source| ExtractError::Io { entry: target.into(), source })?;
            for (i, p) in plan.iter().enumerate() {
                let mut f = z.by_index(i).map_err(corrupt)?;
                write_planned(root, target, p, &mut f, &mut written)?;
            }
        }
        Format::Tar | Format::TarGz => {
            let check = file.try_clone().map_err(corrupt)?;
            let mut budget = Budget { limits, entries: 0, bytes: 0 };
            let mut plan = Vec::new();
            let mut a = tar::Archive::new(tar_reader(check, format));
            for e in a.entries().map_err(corrupt)? {
                let e = e.map_err(corrupt)?;
                plan.push(plan_tar_entry(&e, &mut budget)?);
            }
            skip_unkept(&mut plan, keep);
            file.rewind().map_err(corrupt)?;
            root.open_dir(target, true).map_err(|source| ExtractError::Io { entry: target.into(), source })?;
            let mut a = tar::Archive::new(tar_reader(file, format));
            let mut plan = plan.iter();
            for e in a.entries().map_err(corrupt)? {
                let mut e = e.map_err(corrupt)?;
                // The second pass reads the same bytes, so it yields the same entries in order.
                let Some(p) = plan.next() else {
                    return Err(corrupt("archive changed while extracting"));
                };
                write_planned(root, target, p, &mut e, &mut written)?;
            }
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links() {
        assert_eq!(clean("./a//b/").as_deref(), Some("a/b"));
        assert_eq!(clean("a/../b"), None);
        assert_eq!(clean("/etc/x"), None);
        assert!(link_inside("a/b/l", "../c"));
        assert!(!link_inside("a/l", "../../c"));
        assert!(!link_inside("l", "/"));
        assert_eq!(Format::of("B.TGZ"), Some((Format::TarGz, "B")));
        assert_eq!(Format::of("x.tar.gz"), Some((Format::TarGz, "x")));
        assert_eq!(Format::of(".zip"), None);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    fn tar_of(files: &[(&str, &[u8])]) -> File {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, *data).unwrap();
        }
        let bytes = b.into_inner().unwrap();
        let mut f = tempfile::tempfile().unwrap();
        io::Write::write_all(&mut f, &bytes).unwrap();
        f.rewind().unwrap();
        f
    }

    #[test]
    fn links_inside_are_skipped_and_the_root_entry_is_ignored() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        b.append_data(&mut h, "./", io::empty()).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "d/l", "../f").unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o600);
        b.append_data(&mut h, "f", &b"x"[..]).unwrap();
        let mut f = tempfile::tempfile().unwrap();
        io::Write::write_all(&mut f, &b.into_inner().unwrap()).unwrap();
        f.rewind().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = Tree::open(dir.path(), None).unwrap();
        assert_eq!(extract(&root, "t", f, Format::Tar, Limits::default(), None).unwrap().files, 1);
        assert!(std::fs::symlink_metadata(dir.path().join("t/d/l")).is_err(), "links are not created");
        assert_eq!(std::fs::read(dir.path().join("t/f")).unwrap(), b"x");
    }

    #[test]
    fn limits_refuse_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let root = Tree::open(dir.path(), None).unwrap();
        let files: &[(&str, &[u8])] = &[("a", b"1234"), ("b", b"5678")];
        let e = extract(&root, "t", tar_of(files), Format::Tar, Limits { max_entries: 1, max_bytes: 100 }, None)
            .unwrap_err();
        assert!(matches!(e, ExtractError::TooManyEntries { limit: 1, .. }), "{e}");
        let e =
            extract(&root, "t", tar_of(files), Format::Tar, Limits { max_entries: 9, max_bytes: 7 }, None).unwrap_err();
        assert!(matches!(e, ExtractError::TooLarge { limit: 7, .. }), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
        let x = extract(&root, "t", tar_of(files), Format::Tar, Limits::default(), None).unwrap();
        assert_eq!((x.files, x.paths), (2, vec!["t/a".to_string(), "t/b".to_string()]));
        assert_eq!(std::fs::read(dir.path().join("t/b")).unwrap(), b"5678");
    }
}
