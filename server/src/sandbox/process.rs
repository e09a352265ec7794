//! Runs one bwrap process with a deadline and bounded output capture.

use super::limits::RlimitResource;
use std::collections::HashSet;
use std::os::fd::RawFd;
use std::process::{ExitStatus, Stdio};
use std::sync::Mutex;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

/// Process-group ids of bwrap processes currently running for a session, so destroy
/// can kill them. Once closed (destroy), anything registered later is killed at once,
/// which covers a call that was already past its checks when destroy began.
#[derive(Default)]
pub struct Running(Mutex<(HashSet<i32>, bool)>);

impl Running {
    fn insert(&self, pgid: i32) {
        let mut g = crate::util::lock(&self.0);
        if g.1 {
            kill_group(pgid);
        }
        g.0.insert(pgid);
    }
    fn remove(&self, pgid: i32) {
        crate::util::lock(&self.0).0.remove(&pgid);
    }
    /// Sends `sig` to every process of the calls running now: each bwrap and all its
    /// descendants (the sandbox runs in a session of its own, so bwrap's process group does
    /// not reach it). Two passes, so that a child forked during the first is reached too.
    /// The pause of hosts without a freezer cgroup (SIGSTOP/SIGCONT).
    pub fn signal_trees(&self, sig: i32) {
        let roots: Vec<i32> = crate::util::lock(&self.0).0.iter().copied().collect();
        for _ in 0..2 {
            for pid in descendants(&roots) {
                // SAFETY: kill(2) only sends a signal; pids here are > 0.
                unsafe {
                    libc::kill(pid, sig);
                }
            }
        }
    }

    /// Kills everything running now and anything started from now on.
    pub fn close_and_kill_all(&self) {
        let mut g = crate::util::lock(&self.0);
        g.1 = true;
        for pgid in g.0.iter() {
            kill_group(*pgid);
        }
    }
}

/// `roots` and all their descendants, from the parent links in `/proc/<pid>/stat`.
fn descendants(roots: &[i32]) -> Vec<i32> {
    let mut children: std::collections::HashMap<i32, Vec<i32>> = std::collections::HashMap::new();
    if let Ok(rd) = std::fs::read_dir("/proc") {
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { continue };
            // `pid (comm) state ppid …`: comm may hold anything, the last ')' ends it.
            let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { continue };
            if let Some(ppid) = rest.split_whitespace().nth(1).and_then(|p| p.parse::<i32>().ok()) {
                children.entry(ppid).or_default().push(pid);
            }
        }
    }
    let (mut out, mut stack) = (Vec::new(), roots.to_vec());
    while let Some(p) = stack.pop() {
        if p <= 0 || out.contains(&p) {
            continue;
        }
        out.push(p);
        if let Some(c) = children.get(&p) {
            stack.extend(c);
        }
    }
    out
}

/// Killing bwrap's process group kills bwrap; `--die-with-parent` then SIGKILLs the
/// sandbox's pid 1, and the kernel kills every other process of that pid namespace
/// (backgrounded children, daemons, `setsid` escapees alike).
fn kill_group(pgid: i32) {
    // 0 or less would address our own process group (or every process).
    if pgid <= 0 {
        return;
    }
    // SAFETY: kill(2) with a negative pid only sends a signal; no memory is involved.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

struct Registration<'a> {
    running: &'a Running,
    pgid: i32,
}
impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.running.remove(self.pgid);
    }
}

pub struct Captured {
    pub stdout: Vec<u8>,
    pub stdout_truncated: bool,
    pub stderr: Vec<u8>,
    pub stderr_truncated: bool,
    /// None when the deadline passed and the process tree was killed.
    pub status: Option<ExitStatus>,
}

impl Captured {
    /// Shell-style exit code: the code, or 128 + signal number.
    pub fn exit_code(&self) -> i32 {
        use std::os::unix::process::ExitStatusExt;
        match self.status {
            Some(s) => s.code().or_else(|| s.signal().map(|sig| 128 + sig)).unwrap_or(-1),
            None => 124,
        }
    }
}

/// Reads everything, keeping at most `cap` bytes: the rest is drained and dropped so a
/// chatty process never blocks on a full pipe nor grows the server's memory.
async fn read_capped<R: AsyncRead + Unpin>(mut r: R, cap: usize) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let mut truncated = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let room = cap.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
                truncated |= n > room;
            }
        }
    }
    (kept, truncated)
}

/// What the forked child does before it execs bwrap: join the session's cgroups, take its
/// rlimits, then drop root (see `identity`). In this order, because joining a cgroup needs
/// the privileges the last step gives up.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// Open `cgroup.procs` files of the session; the parent keeps them open.
    pub cgroup_procs: Vec<RawFd>,
    pub rlimits: Vec<(RlimitResource, u64)>,
    /// `(uid, gid)` to switch to, with no supplementary groups.
    pub drop_to: Option<(u32, u32)>,
    /// Descriptors the program must inherit (their close-on-exec flag is cleared).
    pub inherit: Vec<RawFd>,
}

impl Launch {
    /// Runs between fork and exec, so it only makes system calls: no allocation, no locks.
    pub fn apply(&self) -> std::io::Result<()> {
        let check = |r: libc::c_int| if r == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) };
        for fd in &self.cgroup_procs {
            // "0" moves the writing process (this child) into the cgroup.
            // SAFETY: writes one byte from a static buffer to a descriptor the parent keeps open.
            if unsafe { libc::write(*fd, b"0".as_ptr().cast(), 1) } != 1 {
                return Err(std::io::Error::last_os_error());
            }
        }
        for (resource, value) in &self.rlimits {
            let lim = libc::rlimit { rlim_cur: *value, rlim_max: *value };
            // SAFETY: setrlimit reads the struct it is given.
            check(unsafe { libc::setrlimit(*resource, &lim) })?;
        }
        for fd in &self.inherit {
            // SAFETY: clears FD_CLOEXEC on a descriptor the parent keeps open until the spawn.
            check(unsafe { libc::fcntl(*fd, libc::F_SETFD, 0) })?;
        }
        if let Some((uid, gid)) = self.drop_to {
            // SAFETY: plain credential system calls; setgroups(0, NULL) clears the groups.
            unsafe {
                check(libc::setgroups(0, std::ptr::null()))?;
                check(libc::setresgid(gid, gid, gid))?;
                check(libc::setresuid(uid, uid, uid))?;
            }
        }
        Ok(())
    }
}

/// Work between the spawn and the wait (setting up the sandbox's network); it returns what
/// must live as long as the call (a network helper process).
pub type Attach = Box<dyn FnOnce() -> futures_attach::BoxedAttach + Send>;

pub mod futures_attach {
    /// The future an [`super::Attach`] returns.
    pub type BoxedAttach =
        std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<tokio::process::Child>> + Send>>;
}

/// A finished reader's output. With bwrap gone its whole pid namespace is gone, so the pipes
/// are at EOF; the bound only guards against the unexpected.
async fn collect(t: Option<tokio::task::JoinHandle<(Vec<u8>, bool)>>) -> (Vec<u8>, bool) {
    match t {
        Some(t) => match tokio::time::timeout(Duration::from_secs(2), t).await {
            Ok(Ok(r)) => r,
            _ => (Vec::new(), false),
        },
        None => (Vec::new(), false),
    }
}

/// Runs one bwrap process. `child_fds` are the ends of pipes that bwrap inherits (listed in
/// `launch.inherit`); they are closed here once it has started.
#[allow(clippy::too_many_arguments)] // one call site, in Sandbox::run_once
pub async fn run(
    mut cmd: Command,
    launch: Launch,
    child_fds: Vec<std::os::fd::OwnedFd>,
    attach: Option<Attach>,
    stdin: Option<Vec<u8>>,
    deadline: Duration,
    cap: usize,
    running: &Running,
) -> std::io::Result<Captured> {
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    // SAFETY: `Launch::apply` only makes async-signal-safe system calls.
    unsafe {
        cmd.pre_exec(move || launch.apply());
    }
    let mut child = cmd.spawn()?;
    drop(child_fds);
    let pgid = child.id().map(|p| p as i32).unwrap_or(0);
    running.insert(pgid);
    let _reg = Registration { running, pgid };
    let out = child.stdout.take().map(|p| tokio::spawn(read_capped(p, cap)));
    let err = child.stderr.take().map(|p| tokio::spawn(read_capped(p, cap)));
    // Lives (and is killed on drop) until the call ends.
    let _attached = match attach {
        None => None,
        Some(f) => {
            let failed = match tokio::time::timeout(Duration::from_secs(10), f()).await {
                Ok(Ok(helper)) => Ok(helper),
                Ok(Err(e)) => Err(e),
                Err(_) => Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "sandbox network setup timed out")),
            };
            match failed {
                Ok(helper) => Some(helper),
                Err(e) => {
                    kill_group(pgid);
                    let _ = child.wait().await;
                    // What bwrap said is usually why.
                    let said = String::from_utf8_lossy(&collect(err).await.0).trim().to_string();
                    let why = if said.is_empty() { e.to_string() } else { format!("{e}; {said}") };
                    return Err(std::io::Error::new(e.kind(), why));
                }
            }
        }
    };

    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        tokio::spawn(async move {
            let _ = pipe.write_all(&data).await;
        });
    }
    let status = match tokio::time::timeout(deadline, child.wait()).await {
        Ok(status) => Some(status?),
        Err(_) => {
            kill_group(pgid);
            child.wait().await?;
            None
        }
    };
    let (stdout, stdout_truncated) = collect(out).await;
    let (stderr, stderr_truncated) = collect(err).await;
    Ok(Captured { stdout, stdout_truncated, stderr, stderr_truncated, status })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The state letter of `pid` (`T` stopped, `S` sleeping, …) from `/proc/<pid>/stat`.
    fn state(pid: i32) -> char {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        stat[stat.rfind(')').unwrap() + 1..].trim_start().chars().next().unwrap()
    }

    /// The pause of hosts without a freezer: the registered leader and the processes below it,
    /// in a session of their own (as the sandbox's are), are all stopped, then continued.
    #[test]
    fn signal_trees_stops_and_continues_every_descendant() {
        use std::os::unix::process::CommandExt;
        // Like bwrap: a process-group leader whose child starts a session of its own.
        let mut leader = std::process::Command::new("sh")
            .args(["-c", "setsid sh -c 'sleep 30 & echo $!; wait' & wait"])
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(leader.stdout.take().unwrap()), &mut line).unwrap();
        let grandchild: i32 = line.trim().parse().unwrap();
        let running = Running::default();
        let pgid = leader.id() as i32;
        running.insert(pgid);
        running.signal_trees(libc::SIGSTOP);
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!((state(pgid), state(grandchild)), ('T', 'T'));
        running.signal_trees(libc::SIGCONT);
        std::thread::sleep(Duration::from_millis(100));
        assert_ne!(state(grandchild), 'T');
        // SAFETY: signals to the processes this test started.
        unsafe {
            libc::kill(grandchild, libc::SIGKILL);
        }
        running.close_and_kill_all();
        let _ = leader.wait();
    }
}
