//! Per-session resource limits: processes, memory, CPU and (see `disk`) disk.
//!
//! Where the host allows it (root, cgroup v1 hierarchies for `pids` and `memory`, as on
//! these machines) every session gets its own cgroup in each controller, nested under the
//! server's own cgroup (`<controller>/<server's path>/agentbay-local-<pid>/<session>`), and
//! bwrap joins them before it execs (the child writes to pre-opened `cgroup.procs` files,
//! see `process::Launch`), so no session process ever runs outside them. Otherwise the
//! limits fall back to rlimits set on bwrap and inherited by everything in the sandbox,
//! which are weaker; see [`Enforcement::Rlimits`].
//!
//! After each call the cgroup counters tell whether a limit refused something, so the
//! caller reads "the session reached its process limit" instead of guessing from `fork:
//! Resource temporarily unavailable`.

use std::fs;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

/// What one session may use. Every field is configurable on the command line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Processes and threads at once (`--session-pids`).
    pub pids: u32,
    /// Memory in bytes, page cache and tmpfs included (`--session-memory`, in MiB).
    pub memory_bytes: u64,
    /// CPU time as a share of one core, in thousandths (`--session-cpus 1.5` is 1500).
    pub cpu_millis: u32,
    /// Disk in bytes for everything the session writes: its mounts, `/tmp`, home
    /// (`--session-disk`, in MiB; see `disk`).
    pub disk_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { pids: 1024, memory_bytes: 2 << 30, cpu_millis: 1000, disk_bytes: 4 << 30 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Controller {
    Pids,
    Memory,
    Cpu,
    /// No limit of its own: it lets a whole session be paused.
    Freezer,
}

impl Controller {
    const ALL: [Controller; 4] = [Controller::Pids, Controller::Memory, Controller::Cpu, Controller::Freezer];

    fn name(self) -> &'static str {
        match self {
            Controller::Pids => "pids",
            Controller::Memory => "memory",
            Controller::Cpu => "cpu",
            Controller::Freezer => "freezer",
        }
    }

    /// Sessions are refused nothing they should be without these two.
    fn required(self) -> bool {
        matches!(self, Controller::Pids | Controller::Memory)
    }
}

/// How limits are enforced on this host; chosen once at start-up.
#[derive(Debug)]
pub enum Enforcement {
    /// One cgroup per session in each available v1 controller.
    CgroupV1 { bases: Vec<(Controller, PathBuf)> },
    /// `RLIMIT_NPROC`, `RLIMIT_AS` and `RLIMIT_FSIZE` on bwrap. What this loses: the
    /// process limit is counted per host user, so with one sandbox uid it caps all
    /// sessions together (and, without root, every process of the server's user); memory
    /// is capped per process, not per session; there is no CPU share; and the disk limit
    /// is a largest-file size unless `disk` has a per-session file system.
    Rlimits { why: String },
}

/// The v1 hierarchies: controller → (mount point, this process's cgroup path).
fn v1_hierarchies() -> io::Result<Vec<(Controller, PathBuf)>> {
    let mountinfo = fs::read_to_string("/proc/self/mountinfo")?;
    let own = fs::read_to_string("/proc/self/cgroup")?;
    let mut out = Vec::new();
    for c in Controller::ALL {
        // mountinfo: `… <mount point> <opts> … - cgroup cgroup rw,<controllers>`
        let mount = mountinfo.lines().find_map(|l| {
            let (left, right) = l.split_once(" - ")?;
            let mut r = right.split_whitespace();
            if r.next()? != "cgroup" {
                return None;
            }
            let opts = r.nth(1)?;
            opts.split(',').any(|o| o == c.name()).then(|| left.split_whitespace().nth(4).map(PathBuf::from))?
        });
        // /proc/self/cgroup: `4:memory:/some/path` (a hierarchy may carry several controllers).
        let path = own.lines().find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, ctrls, path) = (parts.next()?, parts.next()?, parts.next()?);
            ctrls.split(',').any(|x| x == c.name()).then(|| path.trim_start_matches('/').to_string())
        });
        if let (Some(m), Some(p)) = (mount, path) {
            out.push((c, m.join(p)));
        }
    }
    Ok(out)
}

impl Enforcement {
    /// Cgroups v1 when this process may create cgroups for pids and memory, else rlimits.
    pub fn detect() -> Enforcement {
        if Path::new("/sys/fs/cgroup/cgroup.controllers").exists() {
            return Enforcement::Rlimits { why: "cgroup v2 hosts are not supported yet (only v1 hierarchies)".into() };
        }
        let found = match v1_hierarchies() {
            Ok(f) => f,
            Err(e) => return Enforcement::Rlimits { why: format!("cannot read the cgroup hierarchies: {e}") },
        };
        for c in Controller::ALL.iter().filter(|c| c.required()) {
            if !found.iter().any(|(f, _)| f == c) {
                return Enforcement::Rlimits { why: format!("no cgroup v1 `{}` hierarchy", c.name()) };
            }
        }
        // Unique per server (several may run in one process, as the tests do); the pid lets a
        // later server tell a dead server's leftovers from a live one's.
        let tag = format!("agentbay-local-{}-{}", std::process::id(), crate::util::random_hex(4));
        let mut bases = Vec::new();
        for (c, own) in found {
            let base = own.join(&tag);
            match fs::create_dir(&base) {
                Ok(()) => bases.push((c, base)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => bases.push((c, base)),
                Err(e) if c.required() => {
                    for (_, b) in &bases {
                        let _ = fs::remove_dir(b);
                    }
                    return Enforcement::Rlimits { why: format!("cannot create {}: {e}", base.display()) };
                }
                Err(_) => {}
            }
        }
        // Leftovers of servers that died: empty ones go; busy ones hold live processes.
        for (_, base) in &bases {
            if let Some(parent) = base.parent() {
                remove_stale(parent, &tag);
            }
        }
        Enforcement::CgroupV1 { bases }
    }

    pub fn describe(&self) -> String {
        match self {
            Enforcement::CgroupV1 { bases } => {
                let names: Vec<&str> = bases.iter().map(|(c, _)| c.name()).collect();
                format!("cgroup v1 ({})", names.join(", "))
            }
            Enforcement::Rlimits { why } => format!("rlimits ({why})"),
        }
    }

    /// Creates the cgroups of one session (nothing for rlimits).
    pub fn session(&self, id: &str, limits: &Limits) -> io::Result<SessionCgroups> {
        let Enforcement::CgroupV1 { bases } = self else { return Ok(SessionCgroups::default()) };
        let mut made = SessionCgroups::default();
        for (c, base) in bases {
            let dir = base.join(id);
            fs::create_dir(&dir)?;
            made.dirs.push((*c, dir.clone()));
            match c {
                Controller::Pids => write_value(&dir, "pids.max", &limits.pids.to_string())?,
                Controller::Memory => {
                    write_value(&dir, "memory.limit_in_bytes", &limits.memory_bytes.to_string())?;
                    // With swap accounting on, swap counts too (it is never a way around the limit).
                    if dir.join("memory.memsw.limit_in_bytes").exists() {
                        write_value(&dir, "memory.memsw.limit_in_bytes", &limits.memory_bytes.to_string())?;
                    }
                }
                Controller::Cpu => {
                    write_value(&dir, "cpu.cfs_period_us", "100000")?;
                    write_value(&dir, "cpu.cfs_quota_us", &(u64::from(limits.cpu_millis) * 100).to_string())?;
                }
                Controller::Freezer => {}
            }
            let procs = fs::OpenOptions::new().write(true).open(dir.join("cgroup.procs"))?;
            made.procs.push(OwnedFd::from(procs));
        }
        Ok(made)
    }

    /// The rlimits bwrap starts with (none where cgroups do the job).
    pub fn rlimits(&self, limits: &Limits) -> Vec<(RlimitResource, u64)> {
        match self {
            Enforcement::CgroupV1 { .. } => Vec::new(),
            Enforcement::Rlimits { .. } => vec![
                (libc::RLIMIT_NPROC, u64::from(limits.pids)),
                (libc::RLIMIT_AS, limits.memory_bytes),
                (libc::RLIMIT_FSIZE, limits.disk_bytes),
            ],
        }
    }

    /// Removes this server's cgroup directories (sessions are gone by then).
    pub fn remove(&self) {
        if let Enforcement::CgroupV1 { bases } = self {
            for (_, b) in bases {
                let _ = fs::remove_dir(b);
            }
        }
    }
}

#[cfg(target_env = "gnu")]
pub type RlimitResource = libc::__rlimit_resource_t;
#[cfg(not(target_env = "gnu"))]
pub type RlimitResource = libc::c_int;

/// Removes the cgroups of agentbay-local servers that are no longer running.
fn remove_stale(parent: &Path, own_tag: &str) {
    let Ok(rd) = fs::read_dir(parent) else { return };
    for e in rd.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Some(pid) = name.strip_prefix("agentbay-local-").and_then(|r| r.split('-').next()) else { continue };
        let alive = Path::new("/proc").join(pid).exists();
        if !alive && name != own_tag {
            if let Ok(children) = fs::read_dir(e.path()) {
                for c in children.flatten().filter(|c| c.path().is_dir()) {
                    // A session paused when its server died stays frozen, and a frozen process
                    // cannot even die (its bwrap's death sends it SIGKILL): thaw it first.
                    let _ = write_value(&c.path(), "freezer.state", "THAWED");
                    let _ = fs::remove_dir(c.path());
                }
            }
            let _ = fs::remove_dir(e.path());
        }
    }
}

fn write_value(dir: &Path, file: &str, value: &str) -> io::Result<()> {
    let mut f = fs::OpenOptions::new().write(true).open(dir.join(file))?;
    f.write_all(value.as_bytes()).map_err(|e| io::Error::new(e.kind(), format!("{file} = {value}: {e}")))
}

/// Counters read before and after a call; a difference is a limit that refused something.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub pids_refused: u64,
    pub oom_kills: u64,
}

/// The cgroups of one session.
#[derive(Debug, Default)]
pub struct SessionCgroups {
    dirs: Vec<(Controller, PathBuf)>,
    /// Open `cgroup.procs` of each: bwrap's child writes to them before exec.
    procs: Vec<OwnedFd>,
}

fn counter(text: &str, key: &str) -> u64 {
    text.lines().find_map(|l| l.strip_prefix(key).and_then(|v| v.trim().parse().ok())).unwrap_or(0)
}

impl SessionCgroups {
    pub fn procs_fds(&self) -> Vec<RawFd> {
        self.procs.iter().map(|f| f.as_raw_fd()).collect()
    }

    fn dir(&self, c: Controller) -> Option<&Path> {
        self.dirs.iter().find(|(x, _)| *x == c).map(|(_, d)| d.as_path())
    }

    /// The freezer cgroup, if the host has one (pausing a session freezes it).
    pub fn freezer(&self) -> Option<&Path> {
        self.dir(Controller::Freezer)
    }

    /// Freezes (`true`) or thaws every process of the session through its freezer cgroup.
    /// `Ok(false)`: the host has no freezer. Freezing can take a moment (`FREEZING`) while
    /// a task finishes a system call; the kernel retries on each write of `FROZEN`.
    pub fn set_frozen(&self, frozen: bool) -> io::Result<bool> {
        let Some(dir) = self.freezer() else { return Ok(false) };
        let want = if frozen { "FROZEN" } else { "THAWED" };
        for _ in 0..2000 {
            write_value(dir, "freezer.state", want)?;
            if fs::read_to_string(dir.join("freezer.state"))?.trim() == want {
                return Ok(true);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        Err(io::Error::new(io::ErrorKind::TimedOut, format!("the session's freezer did not reach {want} in 10 s")))
    }

    pub fn counters(&self) -> Counters {
        let read = |c, file: &str| self.dir(c).and_then(|d| fs::read_to_string(d.join(file)).ok()).unwrap_or_default();
        Counters {
            pids_refused: counter(&read(Controller::Pids, "pids.events"), "max "),
            oom_kills: counter(&read(Controller::Memory, "memory.oom_control"), "oom_kill "),
        }
    }

    /// Removes the cgroups; every process of the session must be gone. A process that
    /// is still exiting keeps its cgroup busy for a moment, so this retries briefly.
    pub fn remove(&mut self) {
        self.procs.clear();
        for (_, dir) in self.dirs.drain(..) {
            for _ in 0..200 {
                match fs::remove_dir(&dir) {
                    Err(e) if e.raw_os_error() == Some(libc::EBUSY) => {
                        std::thread::sleep(std::time::Duration::from_millis(5))
                    }
                    _ => break,
                }
            }
        }
    }
}

/// What a call's counters say in words, for the caller (empty when nothing was refused).
pub fn notes(before: Counters, after: Counters, limits: &Limits) -> Vec<String> {
    let mut out = Vec::new();
    if after.pids_refused > before.pids_refused {
        out.push(format!(
            "agentbay-local: the session reached its process limit ({} processes; --session-pids), so a fork failed",
            limits.pids
        ));
    }
    if after.oom_kills > before.oom_kills {
        out.push(format!(
            "agentbay-local: a process was killed because the session reached its memory limit ({} MiB; --session-memory)",
            limits.memory_bytes >> 20
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_parse_the_kernel_formats() {
        assert_eq!(counter("max 3\n", "max "), 3);
        assert_eq!(counter("oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "oom_kill "), 2);
        assert_eq!(counter("", "max "), 0);
        let l = Limits::default();
        let n = notes(Counters::default(), Counters { pids_refused: 1, oom_kills: 1 }, &l);
        assert!(n[0].contains("process limit (1024 processes"), "{n:?}");
        assert!(n[1].contains("memory limit (2048 MiB"), "{n:?}");
        assert!(notes(Counters::default(), Counters::default(), &l).is_empty());
    }
}
