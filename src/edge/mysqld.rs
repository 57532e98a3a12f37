//! mariadbd as a process: find every one of this data directory, start it, stop it, run `--wsrep-recover`.
//!
//! Processes are recognised by their command line (`/proc/PID/cmdline`): the configured binary as `argv[0]`
//! and `--datadir=<datadir>` among the arguments, which the agent always passes. The pid file alone is not
//! enough: a joiner waiting for its state transfer has not written one yet, and a killed server leaves a
//! stale one behind. Matching by name only would stop another instance on the same host.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{chown, fchown, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::{Gid, Group, Pid, Uid, User};

use crate::config::Config;
use crate::deadline::{poll_until, Deadline};
use crate::edge::command::{self, Cmd};
use crate::error::Error;

/// How often waits look at /proc or the server again.
const POLL: Duration = Duration::from_millis(200);

fn strip_slashes(p: &Path) -> &Path {
    let s = p.as_os_str().to_str().unwrap_or("");
    let t = s.trim_end_matches('/');
    if t.is_empty() || t.len() == s.len() {
        p
    } else {
        Path::new(t)
    }
}

/// Does this NUL-separated command line belong to a mariadbd of `datadir`?
pub fn cmdline_matches(cmdline: &[u8], binary: &Path, datadir: &Path) -> bool {
    let mut args = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(String::from_utf8_lossy);
    let Some(argv0) = args.next() else {
        return false;
    };
    let same_binary = Path::new(argv0.as_ref()) == binary
        || (Path::new(argv0.as_ref()).file_name() == binary.file_name() && !argv0.contains('/'));
    if !same_binary {
        return false;
    }
    let want = strip_slashes(datadir);
    let mut prev_was_flag = false;
    for a in args {
        let value = if let Some(v) = a.strip_prefix("--datadir=") {
            Some(v.to_owned())
        } else if prev_was_flag {
            Some(a.to_string())
        } else {
            None
        };
        prev_was_flag = a == "--datadir";
        if value.is_some_and(|v| strip_slashes(Path::new(&v)) == want) {
            return true;
        }
    }
    false
}

fn pid_matches(pid: i32, binary: &Path, datadir: &Path) -> bool {
    // A zombie's cmdline is empty, so an exited but unreaped server never counts as running.
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| cmdline_matches(&c, binary, datadir))
}

/// Every live mariadbd of this data directory (scans /proc).
pub fn scan(binary: &Path, datadir: &Path) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut pids: Vec<i32> = dir
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .filter(|pid| pid_matches(*pid, binary, datadir))
        .collect();
    pids.sort_unstable();
    pids
}

/// The running server's pid, cheaply: the pid file first (one read + one cmdline check), /proc scan only
/// when the pid file is missing or stale.
pub fn find(cfg: &Config) -> Option<i32> {
    let from_pidfile = std::fs::read_to_string(&cfg.pid)
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok())
        .filter(|pid| *pid > 0 && pid_matches(*pid, &cfg.binary, &cfg.datadir));
    from_pidfile.or_else(|| scan(&cfg.binary, &cfg.datadir).into_iter().next())
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

async fn wait_gone(cfg: &Config, deadline: Deadline) -> bool {
    poll_until(deadline, POLL, || {
        let left = scan(&cfg.binary, &cfg.datadir);
        async move { left.is_empty().then_some(()) }
    })
    .await
    .is_some()
}

/// Stop every mariadbd of this data directory: SIGTERM, wait; SIGKILL only when the deadline nears.
pub async fn stop(cfg: &Config, deadline: Deadline) -> Result<Stopped, Error> {
    let pids = scan(&cfg.binary, &cfg.datadir);
    if pids.is_empty() {
        remove_stale_pidfile(cfg);
        return Ok(Stopped::WasNotRunning);
    }
    crate::info!("stopping mariadbd (pid {pids:?}) with SIGTERM");
    let sent = std::time::Instant::now();
    signal_all(&pids, Signal::SIGTERM);
    let kill_slot =
        (deadline.remaining() / 5).clamp(Duration::from_secs(1), Duration::from_secs(10));
    if wait_gone(cfg, deadline.leaving(kill_slot)).await {
        return Ok(Stopped::Clean(pids));
    }
    let left = scan(&cfg.binary, &cfg.datadir);
    crate::warn!(
        "mariadbd (pid {left:?}) did not stop within {} s after SIGTERM and the deadline is near; \
         sending SIGKILL",
        sent.elapsed().as_secs()
    );
    signal_all(&left, Signal::SIGKILL);
    if wait_gone(cfg, deadline).await {
        remove_stale_pidfile(cfg);
        return Ok(Stopped::Killed(pids));
    }
    Err(Error::Stop(format!(
        "mariadbd (pid {:?}) of {} is still running after SIGKILL",
        scan(&cfg.binary, &cfg.datadir),
        cfg.datadir.display()
    )))
}

/// A joiner receiving a state transfer: MariaDB's SST scripts keep `<datadir>/sst_in_progress` while they
/// run (wsrep_sst_common), and the server opens its socket only afterwards. Meaningful only while a
/// mariadbd of the datadir runs (a crash can leave the file behind).
pub fn state_transfer_in_progress(cfg: &Config) -> bool {
    cfg.datadir.join("sst_in_progress").exists()
}

/// A pid file whose process is gone (after SIGKILL or a crash) is removed, so nobody trusts it later.
fn remove_stale_pidfile(cfg: &Config) {
    let stale = std::fs::read_to_string(&cfg.pid)
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok())
        .is_some_and(|pid| !pid_matches(pid, &cfg.binary, &cfg.datadir));
    if stale {
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

    fn cl(args: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        for a in args {
            v.extend_from_slice(a.as_bytes());
            v.push(0);
        }
        v
    }

    const BIN: &str = "/usr/sbin/mariadbd";

    #[test]
    fn matches_binary_and_exact_datadir() {
        let dd = Path::new("/var/lib/mysql");
        let bin = Path::new(BIN);
        assert!(cmdline_matches(
            &cl(&[BIN, "--datadir=/var/lib/mysql"]),
            bin,
            dd
        ));
        assert!(cmdline_matches(
            &cl(&[BIN, "--datadir=/var/lib/mysql/"]),
            bin,
            dd
        ));
        assert!(cmdline_matches(
            &cl(&[BIN, "--datadir", "/var/lib/mysql"]),
            bin,
            dd
        ));
        assert!(cmdline_matches(
            &cl(&["mariadbd", "--datadir=/var/lib/mysql"]),
            bin,
            dd
        ));
        assert!(!cmdline_matches(
            &cl(&[BIN, "--datadir=/var/lib/mysql2"]),
            bin,
            dd
        ));
        assert!(!cmdline_matches(&cl(&[BIN, "--datadir=/var/lib"]), bin, dd));
        assert!(!cmdline_matches(
            &cl(&["/usr/bin/mysqld_safe", "--datadir=/var/lib/mysql"]),
            bin,
            dd
        ));
        assert!(!cmdline_matches(
            &cl(&["/opt/x/mariadbd", "--datadir=/var/lib/mysql"]),
            bin,
            dd
        ));
        assert!(!cmdline_matches(b"", bin, dd));
        assert!(!cmdline_matches(&cl(&[BIN]), bin, dd));
    }
}
