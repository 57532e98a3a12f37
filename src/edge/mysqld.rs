//! mariadbd as a process: find every one of this data directory, start it, stop it, run `--wsrep-recover`.
//!
//! # Which processes are servers of the data directory
//!
//! Any mariadbd of the datadir counts, whoever started it: this agent, a systemd unit, `galera_new_cluster`,
//! `mysqld_safe` or an admin, under the name `mysqld` or another binary, with the datadir on the command line
//! or only in my.cnf. The rules are pure, in `decide::server`; this file reads the facts they need from
//! `/proc/PID/{cmdline,exe,stat,cwd}`, the pid file and the InnoDB lock. Measured with MariaDB 10.11 (Debian
//! 12, kernel 6.x), and pinned by the tier-2 tests `hand_started_*` and
//! `server_of_the_same_datadir_path_in_another_mount_namespace_is_not_ours`:
//!
//! - **working directory**: mariadbd changes into its datadir early, before InnoDB opens its files there
//!   (it names them relative to it: `./ibdata1`). Polled from exec on, a server started as
//!   `mysqld --defaults-file=…` through a symlink, with the datadir only in the file, had the cwd `/` (where
//!   it was started) at 14 ms, its datadir at 57 ms and its socket at 181 ms. This is the main evidence.
//!   It is compared by identity (`stat` through the link: device and inode), not by the link's text: for
//!   a process in another mount namespace whose cwd is a bind mount (the lab's nodes, containers) the link
//!   reads as the path *inside* that namespace — `/var/lib/mysql` — while the host's `/var/lib/mysql` is
//!   another directory; `stat` through the link reaches the real one.
//! - **`--datadir` on the command line**, as the agent passes it: also covers those first milliseconds
//!   before the `chdir`. Resolved through `/proc/PID/root`, i.e. in the process's own mount namespace,
//!   for the same reason.
//! - **the InnoDB lock**: InnoDB holds an fcntl write lock on the whole of `<datadir>/ibdata1` (and on
//!   `aria_log_control`). `fcntl(F_GETLK)` on the file answers with the holder's pid translated into the
//!   caller's PID namespace, and from a namespace that cannot see the holder still answers "write-locked"
//!   with pid 0; `/proc/locks` instead leaves such an entry out, and is a host-wide table to parse. So
//!   F_GETLK it is, during the full scan only: a holder that is a server process is one of the datadir
//!   whatever its working directory; a lock held by a process this namespace cannot see makes start refuse
//!   and stop fail (a server in another container uses the data). The lock alone is not enough: a joiner
//!   during an rsync state transfer has not opened InnoDB yet, and `innodb_data_home_dir` may put ibdata1
//!   elsewhere (then the lock says nothing).
//! - **the pid file**, only when the working directory cannot be read (a non-root caller): a pid file
//!   written by a server of another datadir (shared path) or left behind and reused must not match.
//!
//! A zombie never counts. The monitor of a running server stays fork-free and cheap: the pid file's
//! process is checked first (the pid file and four small reads in /proc); the full /proc scan and the lock
//! check run only when that fails. A server that systemd or `mysqld_safe` supervises is restarted by them
//! after a SIGKILL; stop then fails because a server is left, which is the truth.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{chown, fchown, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::libc;
use nix::sys::signal::{kill, Signal};
use nix::unistd::{Gid, Group, Pid, Uid, User};

use crate::config::Config;
use crate::deadline::{poll_until, Deadline};
use crate::decide::server::{self, DatadirArgument, DirId, Evidence, Seen, Wanted};
use crate::edge::command::{self, Cmd};
use crate::edge::datadir::LogMark;
use crate::error::Error;
use crate::galera::startlog::{self, StartLog};

/// How often waits look at /proc or the server again.
const POLL: Duration = Duration::from_millis(200);

/// Whom to look for: the configured binary (and its symlinks resolved), the data directory's identity
/// and the pid file (when the configuration is known).
#[derive(Debug, Clone)]
pub struct Target {
    binary: PathBuf,
    binary_real: Option<PathBuf>,
    datadir: PathBuf,
    datadir_id: Option<DirId>,
    pidfile: Option<PathBuf>,
}

/// The identity of the directory `path` names (following symlinks and magic links like /proc/PID/cwd).
fn dir_id(path: &Path) -> Option<DirId> {
    let m = std::fs::metadata(path).ok()?;
    m.is_dir().then(|| DirId {
        dev: m.dev(),
        ino: m.ino(),
    })
}

impl Target {
    pub fn new(binary: &Path, datadir: &Path) -> Target {
        Target {
            binary: binary.to_path_buf(),
            binary_real: std::fs::canonicalize(binary).ok(),
            datadir: datadir.to_path_buf(),
            datadir_id: dir_id(datadir),
            pidfile: None,
        }
    }

    pub fn of(cfg: &Config) -> Target {
        Target {
            pidfile: Some(cfg.pid.clone()),
            ..Target::new(&cfg.binary, &cfg.datadir)
        }
    }

    fn wanted(&self) -> Wanted<'_> {
        Wanted {
            binary: &self.binary,
            binary_real: self.binary_real.as_deref(),
            datadir: self.datadir_id,
        }
    }

    fn pidfile_pid(&self) -> Option<i32> {
        read_pid(self.pidfile.as_deref()?)
    }

    /// Is `pid` a server of the datadir, and why? Reads cmdline and exe first: most processes stop there.
    fn look(&self, pid: i32, in_pidfile: bool, holds_lock: bool) -> Option<Evidence> {
        let dir = PathBuf::from(format!("/proc/{pid}"));
        let cmdline = std::fs::read(dir.join("cmdline")).unwrap_or_default();
        let exe = std::fs::read_link(dir.join("exe")).ok();
        let w = self.wanted();
        if !server::is_server_process(&cmdline, exe.as_deref(), &w) {
            return None;
        }
        let seen = Seen {
            state: proc_state(pid),
            cmdline: &cmdline,
            exe: exe.as_deref(),
            cwd: dir_id(&dir.join("cwd")),
            datadir_argument: datadir_argument(&dir, &cmdline),
            in_pidfile,
            holds_lock,
        };
        server::identify(&seen, &w)
    }

    /// Every server of the datadir (a /proc scan) and the state of the InnoDB lock.
    pub fn survey(&self) -> Survey {
        let lock = lock_of(&self.datadir.join("ibdata1"));
        let in_pidfile = self.pidfile_pid();
        let mut servers: Vec<Server> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
            .filter_map(|pid| {
                let evidence = self.look(pid, in_pidfile == Some(pid), lock == Lock::Held(pid))?;
                Some(Server { pid, evidence })
            })
            .collect();
        servers.sort_unstable_by_key(|s| s.pid);
        Survey { servers, lock }
    }

    /// The pid file's process when it is a server of the datadir (the cheap check), else a full survey.
    pub fn detect(&self) -> Option<Found> {
        if let Some(pid) = self.pidfile_pid().filter(|p| *p > 0) {
            if let Some(evidence) = self.look(pid, true, false) {
                return Some(Found::Server(Server { pid, evidence }));
            }
        }
        let s = self.survey();
        match (s.servers.into_iter().next(), s.lock) {
            (Some(server), _) => Some(Found::Server(server)),
            (None, Lock::HeldUnseen) => Some(Found::Unseen(self.datadir.join("ibdata1"))),
            (None, _) => None,
        }
    }
}

fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The last `--datadir` of a command line, resolved the way the process sees it: through its own root
/// (`/proc/PID/root`), so in its own mount namespace.
fn datadir_argument(proc_dir: &Path, cmdline: &[u8]) -> DatadirArgument {
    let Some(value) = server::last_datadir_argument(cmdline) else {
        return DatadirArgument::Absent;
    };
    let value = Path::new(OsStr::from_bytes(value));
    let Ok(relative) = value.strip_prefix("/") else {
        return DatadirArgument::Unresolved;
    };
    dir_id(&proc_dir.join("root").join(relative))
        .map_or(DatadirArgument::Unresolved, DatadirArgument::Resolved)
}

/// The state letter of a process (`None` when it is gone).
fn proc_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    server::parse_state(&stat)
}

/// A server of the data directory and why it counts as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Server {
    pub pid: i32,
    pub evidence: Evidence,
}

impl Server {
    /// `pid 1234 (its working directory is the data directory; in mariadb.service)`, for log lines and exit
    /// reasons (reads the process's cgroup, so only when a message needs it).
    pub fn describe(&self) -> String {
        let unit = std::fs::read_to_string(format!("/proc/{}/cgroup", self.pid))
            .ok()
            .and_then(|c| server::unit_of(&c).map(str::to_owned))
            .map(|u| format!("; in {u}"))
            .unwrap_or_default();
        format!("pid {} ({}{unit})", self.pid, self.evidence)
    }
}

fn describe_all(servers: &[Server]) -> String {
    servers
        .iter()
        .map(Server::describe)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fcntl lock on `<datadir>/ibdata1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Not locked, or no such file.
    Free,
    /// Locked by this pid (as seen from this PID namespace).
    Held(i32),
    /// Locked by a process this PID namespace cannot see (F_GETLK reports pid 0).
    HeldUnseen,
}

/// Ask the kernel who holds a lock on `path` (F_GETLK for a whole-file write lock). Read-only: opened
/// without following symlinks and without blocking (the directory is writable by the server's user, and
/// this runs as root), and only a regular file is asked.
fn lock_of(path: &Path) -> Lock {
    let Ok(file) = OpenOptions::new()
        .read(true)
        .custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC).bits())
        .open(path)
    else {
        return Lock::Free;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Lock::Free;
    }
    let mut probe = libc::flock {
        l_type: libc::F_WRLCK as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    };
    if fcntl(&file, FcntlArg::F_GETLK(&mut probe)).is_err() {
        return Lock::Free;
    }
    match probe.l_type as libc::c_int {
        libc::F_UNLCK => Lock::Free,
        _ if probe.l_pid > 0 => Lock::Held(probe.l_pid),
        _ => Lock::HeldUnseen,
    }
}

/// What a full survey found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub servers: Vec<Server>,
    pub lock: Lock,
}

impl Survey {
    pub fn pids(&self) -> Vec<i32> {
        self.servers.iter().map(|s| s.pid).collect()
    }

    /// What is left of the datadir's servers (`None`: nothing): the servers, or a lock held out of sight.
    fn left(&self, ibdata1: &Path) -> Option<String> {
        if !self.servers.is_empty() {
            return Some(format!("mariadbd {}", describe_all(&self.servers)));
        }
        (self.lock == Lock::HeldUnseen).then(|| unseen(ibdata1))
    }
}

fn unseen(ibdata1: &Path) -> String {
    format!(
        "a process outside this PID namespace (a container?) holds the InnoDB lock on {}",
        ibdata1.display()
    )
}

/// A server found by [`detect`]: a process, or only a lock whose holder this PID namespace cannot see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Server(Server),
    Unseen(PathBuf),
}

impl Found {
    pub fn pid(&self) -> Option<i32> {
        match self {
            Found::Server(s) => Some(s.pid),
            Found::Unseen(_) => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Found::Server(s) => s.describe(),
            Found::Unseen(ibdata1) => unseen(ibdata1),
        }
    }
}

/// Every live mariadbd of this data directory (scans /proc; no pid file is consulted).
pub fn scan(binary: &Path, datadir: &Path) -> Vec<i32> {
    Target::new(binary, datadir).survey().pids()
}

/// Every server of the configured data directory, and the InnoDB lock.
pub fn survey(cfg: &Config) -> Survey {
    Target::of(cfg).survey()
}

/// The running server, cheaply: the pid file's process first, the full survey only when that fails.
pub fn detect(cfg: &Config) -> Option<Found> {
    Target::of(cfg).detect()
}

/// The running server's pid ([`detect`] without a lock held out of sight).
pub fn find(cfg: &Config) -> Option<i32> {
    detect(cfg)?.pid()
}

/// Why the data directory is in use, for start (`None`: it is not): a server of it runs, or anything at all
/// holds its InnoDB lock — a `--wsrep-recover` or a start next to it would corrupt or fail.
pub fn in_use(cfg: &Config) -> Option<String> {
    let ibdata1 = cfg.datadir.join("ibdata1");
    let s = survey(cfg);
    if let Some(left) = s.left(&ibdata1) {
        return Some(left);
    }
    match s.lock {
        Lock::Held(pid) => {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            Some(format!(
                "pid {pid} ({}) holds the InnoDB lock on {}",
                comm.trim(),
                ibdata1.display()
            ))
        }
        Lock::Free | Lock::HeldUnseen => None,
    }
}

/// What is still running of the datadir after a stop (`None`: nothing).
pub fn still_running(cfg: &Config) -> Option<String> {
    survey(cfg).left(&cfg.datadir.join("ibdata1"))
}

/// The server's user and group (validate-all reports a missing one as ERR_INSTALLED).
pub fn owner(cfg: &Config) -> Result<(Uid, Gid), Error> {
    let user = User::from_name(&cfg.user)
        .ok()
        .flatten()
        .ok_or_else(|| Error::installed("user", format!("user {:?} does not exist", cfg.user)))?;
    let group = Group::from_name(&cfg.group).ok().flatten().ok_or_else(|| {
        Error::installed("group", format!("group {:?} does not exist", cfg.group))
    })?;
    Ok((user.uid, group.gid))
}

/// Create the parent directories of pid file, socket and log, owned by the server's user, like the
/// packaged init scripts do (/run is a tmpfs: /run/mysqld is gone after a reboot).
pub fn prepare_dirs(cfg: &Config) -> Result<(), Error> {
    let (uid, gid) = owner(cfg)?;
    for file in [&cfg.pid, &cfg.socket, &cfg.log] {
        let Some(dir) = file.parent() else { continue };
        if dir.is_dir() {
            continue;
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        chown(dir, Some(uid.as_raw()), Some(gid.as_raw())).map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// Open (create 0640, owned by the server's user) a log file for appending.
fn open_log(path: &Path, cfg: &Config) -> Result<File, Error> {
    let (uid, gid) = owner(cfg)?;
    // O_NOFOLLOW + fchown on the descriptor: the log directory may be writable by the server's user, and
    // root must not be tricked into chowning whatever a planted symlink points to.
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    fchown(&f, Some(uid.as_raw()), Some(gid.as_raw())).map_err(|e| Error::io(path, e))?;
    Ok(f)
}

/// Arguments every invocation of the binary gets; `--defaults-file` must come first.
fn base_args(cfg: &Config) -> Cmd {
    let mut c = Cmd::new(&cfg.binary)
        .arg(format!("--defaults-file={}", cfg.config.display()))
        .arg(format!("--datadir={}", cfg.datadir.display()));
    if Uid::effective().is_root() {
        // mariadbd drops to this user itself right after reading its options.
        c = c.arg(format!("--user={}", cfg.user));
    }
    c
}

/// A server started by this invocation: the child handle lets waits notice an early exit.
pub struct Started {
    pub child: Child,
    pub cmd: String,
}

impl Started {
    /// `Some(description)` when the server has already exited.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) | Err(_) => None,
        }
    }
}

/// Start mariadbd in the background with `extra` arguments (e.g. `--wsrep-new-cluster`).
pub fn start(cfg: &Config, extra: &[String]) -> Result<Started, Error> {
    prepare_dirs(cfg)?;
    let log = open_log(&cfg.log, cfg)?;
    let cmd = base_args(cfg)
        .arg(format!("--pid-file={}", cfg.pid.display()))
        .arg(format!("--socket={}", cfg.socket.display()))
        .arg(format!("--log-error={}", cfg.log.display()))
        .args(cfg.additional_parameters.iter())
        .args(extra.iter());
    let shown = cmd.display();
    crate::info!("starting: {shown}");
    let child =
        command::spawn_daemon(&cmd, &log).map_err(|e| Error::command("starting mariadbd", e))?;
    Ok(Started { child, cmd: shown })
}

/// What a stop did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    WasNotRunning,
    Clean(Vec<i32>),
    Killed(Vec<i32>),
}

impl std::fmt::Display for Stopped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stopped::WasNotRunning => f.write_str("no mariadbd was running"),
            Stopped::Clean(p) => write!(f, "mariadbd (pid {p:?}) stopped cleanly"),
            Stopped::Killed(p) => write!(f, "mariadbd (pid {p:?}) had to be killed"),
        }
    }
}

fn signal_all(pids: &[i32], sig: Signal) {
    for pid in pids {
        // ESRCH means it is already gone, which is what we want.
        let _ = kill(Pid::from_raw(*pid), sig);
    }
}

async fn wait_gone(t: &Target, deadline: Deadline) -> bool {
    poll_until(deadline, POLL, || {
        let gone = t.survey().servers.is_empty();
        async move { gone.then_some(()) }
    })
    .await
    .is_some()
}

/// Stop every mariadbd of this data directory, whoever started it: SIGTERM, wait; SIGKILL only when the
/// deadline nears. Fails while anything of the datadir is left, also a lock holder it cannot signal.
pub async fn stop(cfg: &Config, deadline: Deadline) -> Result<Stopped, Error> {
    let t = Target::of(cfg);
    let ibdata1 = cfg.datadir.join("ibdata1");
    let first = t.survey();
    if first.servers.is_empty() {
        if let Some(left) = first.left(&ibdata1) {
            return Err(Error::Unstoppable { left });
        }
        remove_stale_pidfile(cfg);
        return Ok(Stopped::WasNotRunning);
    }
    let pids = first.pids();
    crate::info!(
        "stopping mariadbd {} with SIGTERM",
        describe_all(&first.servers)
    );
    let sent = std::time::Instant::now();
    signal_all(&pids, Signal::SIGTERM);
    let kill_slot =
        (deadline.remaining() / 5).clamp(Duration::from_secs(1), Duration::from_secs(10));
    let mut outcome = Stopped::Clean(pids.clone());
    if !wait_gone(&t, deadline.leaving(kill_slot)).await {
        let left = t.survey().pids();
        crate::warn!(
            "mariadbd (pid {left:?}) did not stop within {} s after SIGTERM and the deadline is near; \
             sending SIGKILL",
            sent.elapsed().as_secs()
        );
        signal_all(&left, Signal::SIGKILL);
        wait_gone(&t, deadline).await;
        remove_stale_pidfile(cfg);
        outcome = Stopped::Killed(pids);
    }
    match t.survey().left(&ibdata1) {
        None => Ok(outcome),
        Some(left) => Err(Error::SurvivedStop {
            left,
            datadir: cfg.datadir.clone(),
        }),
    }
}

/// The file MariaDB's SST scripts keep in the datadir while a transfer runs.
const SST_IN_PROGRESS: &str = "sst_in_progress";

/// Where the server log of a start about to happen begins (`edge::datadir::LogMark`). The log is created
/// first if it does not exist (as the start would create it, owned by the server's user, its directory
/// entry synced), so the mark always names a file; and flushed, so the bytes the mark records are on disk,
/// not only in the page cache (else a power loss could leave the log shorter than the mark and the next
/// reader would see a rotation).
pub fn log_mark(cfg: &Config) -> Result<LogMark, Error> {
    drop(open_log(&cfg.log, cfg)?);
    crate::edge::datadir::sync_dir(&cfg.log)?;
    let io = |e| Error::io(&cfg.log, e);
    let mut f = File::open(&cfg.log).map_err(io)?;
    f.sync_data().map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    let offset = meta.len();
    let start = offset.saturating_sub(LogMark::GUARD);
    let mut before = Vec::new();
    f.seek(SeekFrom::Start(start))
        .and_then(|_| (&mut f).take(offset - start).read_to_end(&mut before))
        .map_err(io)?;
    Ok(LogMark {
        offset,
        before,
        inode: meta.ino(),
    })
}

/// How much of the log after a start's mark is read: the lines `galera::startlog` looks for come in a
/// start's first seconds, long before a server writes megabytes. More than this since the mark and the
/// evidence counts as lost (a transfer request could lie beyond).
const START_LOG_MAX: u64 = 8 << 20;

/// What the server log says since `mark` (`galera::startlog`; `None` for `mark`, a marker written before
/// marks were recorded: the whole log, which can only find more evidence of a transfer, never less).
/// `None` when the log no longer covers the mark: another file (rotated), shorter than the mark or other
/// bytes before it (truncated, then refilled), gone, unreadable, or more than [`START_LOG_MAX`] since.
pub fn start_log_since(cfg: &Config, mark: Option<&LogMark>) -> Option<StartLog> {
    let lost = |why: String| {
        crate::warn!(
            "{} does not show all of the re-forming start's log: {why}",
            cfg.log.display()
        );
        None
    };
    let mut f = match File::open(&cfg.log) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && mark.is_none() => {
            return Some(StartLog::default())
        }
        Err(e) => return lost(e.to_string()),
    };
    let meta = f.metadata().ok()?;
    let from = match mark {
        None => 0,
        Some(m) => {
            if meta.ino() != m.inode || meta.len() < m.offset {
                return lost(format!(
                    "another file or shorter than then (inode {} → {}, {} → {} bytes): rotated or \
                     truncated since",
                    m.inode,
                    meta.ino(),
                    m.offset,
                    meta.len()
                ));
            }
            let guard = m.offset - m.before.len() as u64;
            let mut seen = Vec::new();
            let read = f
                .seek(SeekFrom::Start(guard))
                .and_then(|_| (&mut f).take(m.offset - guard).read_to_end(&mut seen));
            if read.is_err() || seen != m.before {
                return lost(
                    "other bytes where the start began: truncated and refilled since".into(),
                );
            }
            m.offset
        }
    };
    if meta.len() - from > START_LOG_MAX {
        return lost(format!("more than {START_LOG_MAX} bytes since"));
    }
    let mut text = Vec::new();
    if let Err(e) = f
        .seek(SeekFrom::Start(from))
        .and_then(|_| f.read_to_end(&mut text))
    {
        return lost(e.to_string());
    }
    Some(startlog::read(&String::from_utf8_lossy(&text)))
}

/// Whether `sst_in_progress` exists at all, whoever left it (after the server is gone, when no start time
/// can tell a live transfer from a stale file: callers treat it as "a transfer may have begun").
pub fn sst_file_present(cfg: &Config) -> bool {
    cfg.datadir.join(SST_IN_PROGRESS).exists()
}

/// A joiner receiving a state transfer: MariaDB's SST scripts keep `<datadir>/sst_in_progress` while they
/// run (wsrep_sst_common), and the server opens its socket only afterwards. A power loss in the middle of a
/// transfer leaves the file behind, so it counts only when it was written after server `pid` started: a
/// hung joiner must not look like one that is transferring (issue 13).
pub fn state_transfer_in_progress(cfg: &Config, pid: i32) -> bool {
    let Ok(modified) =
        std::fs::metadata(cfg.datadir.join(SST_IN_PROGRESS)).and_then(|m| m.modified())
    else {
        return false;
    };
    match process_start(pid) {
        // One second of slack: the start time has clock-tick resolution, mtime may be coarser.
        Some(started) => modified + Duration::from_secs(1) >= started,
        None => false,
    }
}

/// When process `pid` started (`/proc/PID/stat` field 22, in clock ticks since boot, plus `btime`).
fn process_start(pid: i32) -> Option<std::time::SystemTime> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may contain spaces; the fields after it are plain.
    let after_comm = stat.rsplit_once(')')?.1;
    let ticks: u64 = after_comm.split_whitespace().nth(19)?.parse().ok()?;
    let btime: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .and_then(|h| u64::try_from(h).ok())
        .filter(|h| *h > 0)?;
    let since_boot = Duration::from_millis(ticks.saturating_mul(1000) / hz);
    Some(std::time::UNIX_EPOCH + Duration::from_secs(btime) + since_boot)
}

/// A pid file whose process is gone (after SIGKILL or a crash) or is no server at all is removed, so
/// nobody trusts it later. One naming a server of another datadir (a shared pid-file path) is left alone.
fn remove_stale_pidfile(cfg: &Config) {
    let Some(pid) = read_pid(&cfg.pid) else {
        return;
    };
    let alive = !matches!(proc_state(pid), None | Some('Z' | 'X'));
    let t = Target::of(cfg);
    let dir = format!("/proc/{pid}");
    let is_server = alive && {
        let cmdline = std::fs::read(format!("{dir}/cmdline")).unwrap_or_default();
        let exe = std::fs::read_link(format!("{dir}/exe")).ok();
        server::is_server_process(&cmdline, exe.as_deref(), &t.wanted())
    };
    if !is_server {
        let _ = std::fs::remove_file(&cfg.pid);
    }
}

/// The log file of `--wsrep-recover`: in the state directory, never in the data directory.
pub fn recover_log_path(cfg: &Config) -> PathBuf {
    cfg.state_dir
        .join(format!("galera-ocf-{}-recover.log", cfg.resource))
}

/// Run `mariadbd --wsrep-recover` with its own log file, bounded by the deadline; return the log text.
pub async fn wsrep_recover(cfg: &Config, deadline: Deadline) -> Result<String, Error> {
    let log_path = recover_log_path(cfg);
    let _ = std::fs::remove_file(&log_path);
    drop(open_log(&log_path, cfg)?);
    let cmd = base_args(cfg)
        .arg(format!("--pid-file={}.recover", cfg.pid.display()))
        .arg(format!("--socket={}.recover", cfg.socket.display()))
        .arg(format!("--log-error={}", log_path.display()))
        .arg("--skip-networking")
        // Some SST methods (rsync) refuse to start, even for recovery, without an address.
        .arg(format!(
            "--wsrep_cluster_address={}",
            cfg.wsrep_cluster_address
        ))
        .arg("--wsrep-recover");
    crate::info!("recovering the last committed position: {}", cmd.display());
    let out = command::output(&cmd, deadline)
        .await
        .map_err(|e| Error::command("mariadbd --wsrep-recover", e))?;
    // mariadbd may leave its recovery socket behind; it must not litter the socket directory.
    let _ = std::fs::remove_file(format!("{}.recover", cfg.socket.display()));
    let text = std::fs::read_to_string(&log_path).map_err(|e| Error::io(&log_path, e))?;
    if out.code != 0 {
        crate::warn!(
            "mariadbd --wsrep-recover exited with {} (log: {}){}",
            out.code,
            log_path.display(),
            last_error_line(&out.stderr)
                .map(|l| format!(": {l}"))
                .unwrap_or_default()
        );
    }
    if text.trim().is_empty() {
        // Errors before --log-error takes effect go to stderr only.
        return Ok(out.stderr);
    }
    Ok(text)
}

/// The last `[ERROR]` line of a server's output.
pub fn last_error_line(text: &str) -> Option<String> {
    text.lines()
        .rev()
        .find(|l| l.contains("[ERROR]"))
        .map(|l| l.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_start_time_is_in_the_past_and_recent_for_this_test() {
        let me = i32::try_from(std::process::id()).unwrap();
        let started = process_start(me).unwrap();
        let now = std::time::SystemTime::now();
        assert!(started <= now + Duration::from_secs(1));
        assert!(now.duration_since(started).unwrap_or_default() < Duration::from_secs(3600));
        assert_eq!(process_start(i32::MAX), None);
    }

    fn config_with_log(log: &Path) -> Config {
        let env: std::collections::BTreeMap<String, String> = [
            ("OCF_RESKEY_wsrep_cluster_address", "gcomm://a,b,c"),
            ("OCF_RESKEY_log", &log.display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        Config::from_env(&env, "galera".into()).unwrap()
    }

    /// The log of one start is read from its mark, and only while the file still holds what it held at
    /// the mark: a rotated or truncated log, even one refilled past the old length, proves nothing.
    #[test]
    fn the_log_of_one_start_is_read_from_its_mark() {
        let dir = std::env::temp_dir().join(format!("galera-ocf-startlog-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("error.log");
        let cfg = config_with_log(&log);
        let mark_of = |log: &Path| {
            let text = std::fs::read(log).unwrap();
            let offset = text.len() as u64;
            LogMark {
                offset,
                before: text[text.len().saturating_sub(LogMark::GUARD as usize)..].to_vec(),
                inode: std::fs::metadata(log).unwrap().ino(),
            }
        };
        // A marker from before marks were recorded, no log at all: a server that never started.
        assert_eq!(start_log_since(&cfg, None), Some(StartLog::default()));
        let old = "2026-12-06 10:00:00 2 [Note] WSREP: State transfer required: \n";
        std::fs::write(&log, old).unwrap();
        let mark = mark_of(&log);
        // What the log held before the start is not this start's.
        assert_eq!(
            start_log_since(&cfg, Some(&mark)),
            Some(StartLog::default())
        );
        assert!(start_log_since(&cfg, None).unwrap().transfer_requested);
        let mut f = OpenOptions::new().append(true).open(&log).unwrap();
        use std::io::Write;
        f.write_all(b"2026-12-07 23:50:03 0 [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 3\n")
            .unwrap();
        assert_eq!(
            start_log_since(&cfg, Some(&mark)),
            Some(StartLog {
                transfer_requested: false,
                primary_formed: true
            })
        );
        // Truncated (copytruncate): shorter than the mark.
        std::fs::write(&log, "x\n").unwrap();
        assert_eq!(start_log_since(&cfg, Some(&mark)), None);
        // Truncated and refilled past the old length: other bytes before the mark.
        std::fs::write(&log, "y".repeat(old.len() + 100)).unwrap();
        assert_eq!(start_log_since(&cfg, Some(&mark)), None);
        // Rotated (another file with the very same bytes): another inode.
        let moved = dir.join("error.log.1");
        std::fs::rename(&log, &moved).unwrap();
        std::fs::copy(&moved, &log).unwrap();
        let other = LogMark {
            inode: mark_of(&moved).inode,
            ..mark_of(&log)
        };
        assert_eq!(start_log_since(&cfg, Some(&other)), None);
        // Gone.
        std::fs::remove_file(&log).unwrap();
        assert_eq!(start_log_since(&cfg, Some(&mark)), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
