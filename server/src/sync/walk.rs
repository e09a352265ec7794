//! The walk of a live mount dir that an upload stores: through descriptors, never
//! following a symlink, and never opening a subtree the white lists rule out.

use super::error::{io_err, SyncError, Unstorable};
use super::select::Selector;
use crate::safe_fs::{self, Tree};
use rustix::fs::{FileType, Mode, OFlags};
use rustix::io::Errno;
use std::io;
use std::os::fd::OwnedFd;

/// What a mount dir walk found: `(mount-relative path, is_dir)` of the selected files, the
/// selected directories and the directories on the way to them, parents before children.
#[derive(Debug, Default)]
pub struct Walk {
    pub entries: Vec<(String, bool)>,
    /// Directories listed; subtrees the selector rules out are never opened.
    pub dirs_read: usize,
    /// Selected files and directories whose names the store cannot keep, with the reason.
    pub unstorable: Vec<Unstorable>,
}

/// Walks the tree (through descriptors, never following a symlink) under `sel`. `stored_len`
/// is the length of the stored root the paths will be joined to (for the path limit).
pub fn walk_selected(tree: &Tree, sel: &Selector, stored_len: usize) -> Result<Walk, SyncError> {
    let mut w = Walk::default();
    walk(tree.root(), "", sel, stored_len, &mut w)?;
    if sel.is_all() {
        return Ok(w);
    }
    let mut needed = std::collections::HashSet::new();
    let mut keep = vec![false; w.entries.len()];
    // Children follow their parents, so one backwards pass marks every dir a kept entry needs.
    for (i, (rel, is_dir)) in w.entries.iter().enumerate().rev() {
        if sel.selects(rel) || (*is_dir && needed.contains(rel.as_str())) {
            keep[i] = true;
            let mut anc = rel.as_str();
            while let Some((parent, _)) = anc.rsplit_once('/') {
                needed.insert(parent.to_string());
                anc = parent;
            }
        }
    }
    let entries = std::mem::take(&mut w.entries);
    w.entries = entries.into_iter().zip(keep).filter_map(|(e, k)| k.then_some(e)).collect();
    Ok(w)
}

fn walk(dir: &OwnedFd, rel: &str, sel: &Selector, stored_len: usize, w: &mut Walk) -> Result<(), SyncError> {
    let listed = safe_fs::read_dir(dir).map_err(io_err(rel))?;
    w.dirs_read += 1;
    let child_of = |name: &str| if rel.is_empty() { name.to_string() } else { format!("{rel}/{name}") };
    let mut children = Vec::new();
    for ent in listed {
        let kind = ent.kind;
        if !matches!(kind, FileType::Directory | FileType::RegularFile) {
            continue; // Symlinks, sockets, FIFOs and devices are not synced.
        }
        let Some(name) = ent.name.to_str() else {
            // Named in the task's error, never silently dropped (when the policy selects it).
            let shown = child_of(format!("{:?}", ent.name).trim_matches('"'));
            if sel.selects(&shown) {
                w.unstorable.push(Unstorable { path: shown, why: "its name is not valid UTF-8" });
            }
            continue;
        };
        if name.starts_with(safe_fs::TMP_PREFIX) {
            continue;
        }
        let child = child_of(name);
        // The context file API takes paths up to this long (crate::paths).
        if stored_len + 1 + child.len() > crate::paths::MAX_LEN {
            if sel.selects(&child) {
                w.unstorable
                    .push(Unstorable { path: child, why: "its path in the context would be longer than 4096 bytes" });
            }
            continue;
        }
        if kind == FileType::Directory {
            if sel.may_contain(&child) {
                children.push((child, ent.name));
            }
        } else {
            w.entries.push((child, false));
        }
    }
    for (child, name) in children {
        let flags = OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::RDONLY | OFlags::CLOEXEC;
        let sub = match rustix::fs::openat(dir, name.as_os_str(), flags, Mode::empty()) {
            Ok(fd) => fd,
            // Deleted, or swapped for a symlink or a file, since it was listed: not a directory to sync.
            Err(Errno::NOENT) | Err(Errno::LOOP) | Err(Errno::NOTDIR) => continue,
            Err(e) => return Err(io_err(&child)(io::Error::from_raw_os_error(e.raw_os_error()))),
        };
        w.entries.push((child.clone(), true));
        walk(&sub, &child, sel, stored_len, w)?;
    }
    Ok(())
}
