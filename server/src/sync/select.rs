//! Which files of a mount a sync touches: the policy's white lists (`bwList.whiteLists`),
//! compiled once per sync.
//!
//! Paths here are mount-relative without a leading slash (`src/a.txt`; `""` is the
//! mount itself). A file is selected when some white list selects it:
//! * a literal `path` (`/src`, `src/`, `""` or `/` for the whole mount) selects that path
//!   and everything below it;
//! * a regex `path` (`isPathRegex`) is matched in full (anchored) against the file's
//!   path and each of its ancestor directories, each spelled two ways: mount-relative
//!   with a leading slash (`/src/a.txt`) and absolute in the session
//!   (`/home/wuying/src/a.txt`); the mount itself is `/` and `/home/wuying`. The shortest
//!   matching ancestor is that white list's base.
//!
//! and none of that white list's excludes applies:
//! * a literal exclude is relative to the base (`/temp` under `/src` is `src/temp`) and
//!   excludes that path and everything below it;
//! * a regex exclude (`isExcludeRegex`) is matched in full against every path from the
//!   file up to (not including) the base, spelled three ways: the two above plus relative to the
//!   base with a leading slash (`/temp/x.log` under `/src`); a matching directory excludes
//!   everything below it.
//!
//! An empty `whiteLists` array selects the whole mount, like the default `[{"path":""}]`.

use agentbay_wire::policy::{SyncPolicy, WhiteList};
use regex::{Regex, RegexBuilder};

/// Compiled-size cap per pattern; patterns come from the network.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("bwList.whiteLists[{index}].path: invalid regular expression '{pattern}': {reason}")]
    PathRegex { index: usize, pattern: String, reason: String },
    #[error("bwList.whiteLists[{index}].excludePaths: invalid regular expression '{pattern}': {reason}")]
    ExcludeRegex { index: usize, pattern: String, reason: String },
    #[error("bwList.whiteLists[{index}].{field}: '{path}' must not contain '.', '..' or empty components or control characters")]
    BadPath { index: usize, field: &'static str, path: String },
}

#[derive(Debug)]
enum Pat {
    /// Mount-relative (for a path) or base-relative (for an exclude) path, no leading slash.
    Lit(String),
    Re(Regex),
}

#[derive(Debug)]
struct Rule {
    path: Pat,
    excludes: Vec<Pat>,
}

#[derive(Debug)]
pub struct Selector {
    rules: Vec<Rule>,
    mount_path: String,
    /// Every file of the mount is selected (the default policy): callers take their fast paths.
    all: bool,
}

/// `path` is `dir` or below it (both mount-relative, `""` = the mount).
fn within(path: &str, dir: &str) -> bool {
    dir.is_empty() || path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

fn join_rel(base: &str, rel: &str) -> String {
    match (base.is_empty(), rel.is_empty()) {
        (true, _) => rel.to_string(),
        (_, true) => base.to_string(),
        _ => format!("{base}/{rel}"),
    }
}

/// `rel` and each of its ancestors strictly below the mount, shortest first.
fn prefixes(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i]).chain(std::iter::once(rel)).filter(|p| !p.is_empty())
}

fn literal(index: usize, field: &'static str, raw: &str) -> Result<String, SelectError> {
    let trimmed = raw.trim_matches('/');
    let bad = raw.chars().any(char::is_control)
        || (!trimmed.is_empty() && trimmed.split('/').any(|c| c.is_empty() || c == "." || c == ".."));
    if bad {
        return Err(SelectError::BadPath { index, field, path: raw.into() });
    }
    Ok(trimmed.to_string())
}

fn regex(raw: &str) -> Result<Regex, String> {
    let build = |p: &str| RegexBuilder::new(p).size_limit(REGEX_SIZE_LIMIT).build().map_err(|e| e.to_string());
    // Compiled alone first: a pattern like `a)|(b` must not pair with the anchoring group.
    build(raw)?;
    build(&format!("^(?:{raw})$"))
}

impl Rule {
    fn compile(index: usize, wl: &WhiteList) -> Result<Rule, SelectError> {
        let path = if wl.is_path_regex {
            Pat::Re(regex(&wl.path).map_err(|reason| SelectError::PathRegex {
                index,
                pattern: wl.path.clone(),
                reason,
            })?)
        } else {
            Pat::Lit(literal(index, "path", &wl.path)?)
        };
        let excludes = wl
            .exclude_paths
            .iter()
            .filter(|x| !x.is_empty())
            .map(|x| {
                if wl.is_exclude_regex {
                    regex(x).map(Pat::Re).map_err(|reason| SelectError::ExcludeRegex {
                        index,
                        pattern: x.clone(),
                        reason,
                    })
                } else {
                    literal(index, "excludePaths", x).map(Pat::Lit)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rule { path, excludes })
    }
}

impl Selector {
    /// Compiles `policy.bw_list` for a mount at `mount_path` (the session path).
    pub fn compile(policy: &SyncPolicy, mount_path: &str) -> Result<Selector, SelectError> {
        let lists = &policy.bw_list.white_lists;
        let rules = if lists.is_empty() {
            vec![Rule { path: Pat::Lit(String::new()), excludes: Vec::new() }]
        } else {
            lists.iter().enumerate().map(|(i, wl)| Rule::compile(i, wl)).collect::<Result<Vec<_>, _>>()?
        };
        let all = rules.iter().any(|r| matches!(&r.path, Pat::Lit(p) if p.is_empty()) && r.excludes.is_empty());
        let mount_path = if mount_path == "/" { String::new() } else { mount_path.to_string() };
        Ok(Selector { rules, mount_path, all })
    }

    /// The whole mount is selected.
    pub fn is_all(&self) -> bool {
        self.all
    }

    fn re_match(&self, re: &Regex, rel: &str) -> bool {
        if rel.is_empty() {
            let abs = if self.mount_path.is_empty() { "/" } else { self.mount_path.as_str() };
            return re.is_match("/") || re.is_match(abs);
        }
        re.is_match(&format!("/{rel}")) || re.is_match(&format!("{}/{rel}", self.mount_path))
    }

    /// The base of `rule` for `rel`: the white-listed path `rel` lies in, if any.
    fn base(&self, rule: &Rule, rel: &str) -> Option<String> {
        match &rule.path {
            Pat::Lit(p) => within(rel, p).then(|| p.clone()),
            // The mount itself first: `/home/wuying` as a regex selects the whole mount.
            Pat::Re(re) => std::iter::once("").chain(prefixes(rel)).find(|q| self.re_match(re, q)).map(str::to_string),
        }
    }

    fn excluded(&self, rule: &Rule, base: &str, rel: &str) -> bool {
        rule.excludes.iter().any(|x| match x {
            Pat::Lit(x) => within(rel, &join_rel(base, x)),
            Pat::Re(re) => prefixes(rel).filter(|q| q.len() > base.len() && within(q, base)).any(|q| {
                let below_base = if base.is_empty() { q } else { &q[base.len() + 1..] };
                self.re_match(re, q) || re.is_match(&format!("/{below_base}"))
            }),
        })
    }

    /// Whether the file or directory at `rel` is selected by some white list.
    pub fn selects(&self, rel: &str) -> bool {
        self.all || self.rules.iter().any(|r| self.base(r, rel).is_some_and(|base| !self.excluded(r, &base, rel)))
    }

    /// Whether anything at or below directory `dir` can be selected; a walk skips the
    /// subtree when not.
    pub fn may_contain(&self, dir: &str) -> bool {
        self.all
            || self.rules.iter().any(|r| match (&r.path, self.base(r, dir)) {
                (_, Some(base)) => !self.excluded(r, &base, dir),
                (Pat::Lit(p), None) => within(p, dir),
                // Some deeper path may still match the regex.
                (Pat::Re(_), None) => true,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &std::path::Path) -> crate::safe_fs::Tree {
        crate::safe_fs::Tree::open(p, None).unwrap()
    }
    use agentbay_wire::policy::BwList;

    fn sel(lists: &[(&str, &[&str], bool, bool)]) -> Result<Selector, SelectError> {
        let p = SyncPolicy {
            bw_list: BwList {
                white_lists: lists
                    .iter()
                    .map(|(path, ex, pr, er)| WhiteList {
                        path: path.to_string(),
                        exclude_paths: ex.iter().map(|s| s.to_string()).collect(),
                        is_path_regex: *pr,
                        is_exclude_regex: *er,
                    })
                    .collect(),
            },
            ..SyncPolicy::default()
        };
        Selector::compile(&p, "/home/wuying")
    }

    #[test]
    fn default_and_empty_select_everything() {
        assert!(Selector::compile(&SyncPolicy::default(), "/m").unwrap().is_all());
        assert!(sel(&[]).unwrap().is_all());
        assert!(sel(&[("/", &[], false, false)]).unwrap().is_all());
    }

    #[test]
    fn literal_paths_and_excludes() {
        let s = sel(&[("/src", &["/temp"], false, false)]).unwrap();
        assert!(s.selects("src"));
        assert!(s.selects("src/a.txt"));
        assert!(s.selects("src/deep/b.txt"));
        assert!(!s.selects("srcx/a.txt"));
        assert!(!s.selects("other.txt"));
        assert!(!s.selects("src/temp"));
        assert!(!s.selects("src/temp/x"));
        assert!(s.selects("src/temporary"));
        assert!(s.may_contain("src"));
        assert!(!s.may_contain("src/temp"));
        assert!(!s.may_contain("docs"));
        let s = sel(&[("a/b/", &[], false, false)]).unwrap();
        assert!(s.may_contain("a"));
        assert!(!s.may_contain("a/c"));
        assert!(!s.selects("a/x.txt"));
        assert!(s.selects("a/b"));
    }

    #[test]
    fn regex_paths_match_both_spellings_and_ancestors() {
        let s = sel(&[("/home/wuying/notes/.*\\.md", &[], true, false), ("/cfg", &[], true, false)]).unwrap();
        assert!(s.selects("notes/a.md"));
        assert!(s.selects("notes/sub/b.md"));
        assert!(!s.selects("notes/a.txt"));
        assert!(s.selects("cfg/anything/below"), "a matching directory selects its subtree");
        assert!(!s.selects("cfgx"));
        assert!(s.may_contain("elsewhere"), "a regex may match deeper");
        let s = sel(&[("/home/wuying/?", &["/skip"], true, false)]).unwrap();
        assert!(s.selects("any/file") && !s.selects("skip/x"), "a regex matching the mount selects all of it");
    }

    #[test]
    fn regex_excludes_match_three_spellings() {
        let s = sel(&[("/src", &[".*\\.log", "/build", "/home/wuying/src/tmp"], false, true)]).unwrap();
        assert!(s.selects("src/a.rs"));
        assert!(!s.selects("src/x/a.log"));
        assert!(!s.selects("src/build/out.o"), "relative to the white list");
        assert!(!s.may_contain("src/build"));
        assert!(!s.selects("src/tmp/t"), "absolute");
        assert!(s.selects("src/x/build/out.o"), "anchored: /x/build is not /build");
    }

    #[test]
    fn bad_patterns_are_named() {
        let e = sel(&[("/src/(", &[], true, false)]).unwrap_err();
        assert!(e.to_string().contains("'/src/('"), "{e}");
        let e = sel(&[("/src", &["a)|(b"], false, true)]).unwrap_err();
        assert!(matches!(e, SelectError::ExcludeRegex { index: 0, .. }), "{e}");
        let e = sel(&[("/a/../b", &[], false, false)]).unwrap_err();
        assert!(matches!(e, SelectError::BadPath { field: "path", .. }), "{e}");
    }

    /// The selection applied by the sync engine (walk pruning, merge switch).
    mod applied {
        use super::*;
        use crate::store::db::{self, Kind};
        use crate::store::Store;
        use crate::sync::{self, MountSpec, StatCache};
        use std::fs;

        fn store() -> (tempfile::TempDir, Store) {
            crate::store::test_store("c")
        }

        fn manifest(store: &Store) -> Vec<(String, Kind)> {
            db::entries_below(&store.db(), "c", "/").unwrap().into_iter().map(|e| (e.path, e.kind)).collect()
        }

        #[test]
        fn walk_never_opens_unselected_subtrees() {
            let host = tempfile::tempdir().unwrap();
            for d in ["src/temp/a/b/c", "src/keep", "big/x/y/z", "other"] {
                fs::create_dir_all(host.path().join(d)).unwrap();
            }
            fs::write(host.path().join("src/keep/k.txt"), "k").unwrap();
            fs::write(host.path().join("src/temp/a/b/c/t.txt"), "t").unwrap();
            fs::write(host.path().join("big/x/y/z/b.txt"), "b").unwrap();
            let s = sel(&[("/src", &["/temp"], false, false)]).unwrap();
            let w = sync::walk_selected(&t(host.path()), &s, 2).unwrap();
            let got: Vec<_> = w.entries.iter().map(|(p, d)| (p.as_str(), *d)).collect();
            assert_eq!(got, [("src", true), ("src/keep", true), ("src/keep/k.txt", false)]);
            // Read: the mount, src, src/keep. Not src/temp/**, big/**, other.
            assert_eq!(w.dirs_read, 3);
            let all =
                sync::walk_selected(&t(host.path()), &Selector::compile(&SyncPolicy::default(), "/m").unwrap(), 2);
            assert_eq!(all.unwrap().dirs_read, 12);
        }

        #[test]
        fn upsert_only_upload_keeps_a_tree() {
            let (_d, store) = store();
            let host = tempfile::tempdir().unwrap();
            fs::write(host.path().join("x"), "file x").unwrap();
            fs::create_dir(host.path().join("d")).unwrap();
            fs::write(host.path().join("d/f"), "f").unwrap();
            let mut policy = SyncPolicy::default();
            policy.delete_policy.sync_local_file = false;
            let spec = MountSpec { ctx: "c", mount_path: "/m", policy: &policy };
            sync::upload(&store, spec, &t(host.path()), &mut StatCache::default(), None).unwrap();
            // x becomes a directory, d becomes a file: the stored contradictions go, nothing else.
            fs::remove_file(host.path().join("x")).unwrap();
            fs::create_dir(host.path().join("x")).unwrap();
            fs::write(host.path().join("x/inner"), "i").unwrap();
            fs::remove_dir_all(host.path().join("d")).unwrap();
            fs::write(host.path().join("d"), "now a file").unwrap();
            sync::upload(&store, spec, &t(host.path()), &mut StatCache::default(), None).unwrap();
            assert_eq!(
                manifest(&store),
                [("/m/d".to_string(), Kind::File), ("/m/x".into(), Kind::Dir), ("/m/x/inner".into(), Kind::File)]
            );
        }
    }
}
