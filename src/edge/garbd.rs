//! garbd's process, state file and log, for `ocf:galera-ocf:garbd` (issue 17).
//!
//! garbd runs in the foreground as the agent's child (no `--daemon`, so its PID is the one spawned), in its
//! own process group like mariadbd (`command::spawn_daemon`). The state file in `HA_RSCTMP` holds its PID,
//! its start time in `/proc/PID/stat` (a recycled PID is never taken for garbd), and how far the monitor
//! has read garbd's log together with the state read so far, so each monitor reads only what was appended.

use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::Child;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::edge::command::{self, Cmd};
use crate::error::Error;
use crate::galera::garbdlog::{self, GarbdState};
use crate::garbd::params::GarbdConfig;

/// What the state file records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracked {
    pub pid: i32,
    /// Field 22 of /proc/PID/stat when it was started.
    pub starttime: u64,
    /// Bytes of the log already folded into `state`.
    pub offset: u64,
    pub state: Option<GarbdState>,
}

fn state_word(s: Option<GarbdState>) -> &'static str {
    match s {
        None => "none",
        Some(GarbdState::Connecting) => "connecting",
        Some(GarbdState::Primary { synced: true }) => "synced",
        Some(GarbdState::Primary { synced: false }) => "primary",
        Some(GarbdState::NonPrimary) => "non-primary",
        Some(GarbdState::Closed) => "closed",
    }
}

fn parse_state(w: &str) -> Option<GarbdState> {
    match w {
        "connecting" => Some(GarbdState::Connecting),
        "synced" => Some(GarbdState::Primary { synced: true }),
        "primary" => Some(GarbdState::Primary { synced: false }),
        "non-primary" => Some(GarbdState::NonPrimary),
        "closed" => Some(GarbdState::Closed),
        _ => None,
    }
}

/// `None` when there is no state file (stopped as far as this node knows) or it cannot be understood.
pub fn load(cfg: &GarbdConfig) -> Result<Option<Tracked>, Error> {
    let path = cfg.state_file();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(str::trim)
    };
    Ok((|| {
        Some(Tracked {
            pid: get("pid")?.parse().ok()?,
            starttime: get("starttime")?.parse().ok()?,
            offset: get("offset")?.parse().ok()?,
            state: parse_state(get("state")?),
        })
    })())
}

/// Write the state file atomically (temp + rename).
pub fn save(cfg: &GarbdConfig, t: &Tracked) -> Result<(), Error> {
    let path = cfg.state_file();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let text = format!(
        "pid={}\nstarttime={}\noffset={}\nstate={}\n",
        t.pid,
        t.starttime,
        t.offset,
        state_word(t.state)
    );
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(&path, e)
        })
}

/// Remove the state file; absent is fine.
pub fn forget(cfg: &GarbdConfig) -> Result<(), Error> {
    let path = cfg.state_file();
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Field 22 (starttime) of /proc/PID/stat, and whether the process is a zombie (dead, not yet reaped).
fn proc_stat(pid: i32) -> Option<(u64, bool)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold blanks and parentheses: split after its last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let zombie = fields.first().is_some_and(|s| *s == "Z" || *s == "X");
    Some((fields.get(19)?.parse().ok()?, zombie))
}

/// The start time of `pid` (to record right after spawning it).
pub fn starttime(pid: i32) -> Option<u64> {
    proc_stat(pid).map(|(t, _)| t)
}

/// The tracked garbd still runs: same PID, same start time, not a zombie.
pub fn alive(t: &Tracked) -> bool {
    proc_stat(t.pid).is_some_and(|(start, zombie)| start == t.starttime && !zombie)
}

/// The log's current size (0 when it does not exist yet): where the new process's lines begin.
pub fn log_size(cfg: &GarbdConfig) -> Result<u64, Error> {
    match std::fs::metadata(&cfg.log) {
        Ok(m) => Ok(m.len()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(0),
        Err(e) => Err(Error::io(&cfg.log, e)),
    }
}

/// At most this much of the log is read per call; when more was appended, only its end is read (the
/// newest state lines are what matters; garbd logs a reconnect attempt per second while a peer is down).
const READ_CAP: u64 = 4 << 20;

/// Folds what garbd appended since `t.offset` into `t` (complete lines only).
pub fn catch_up(cfg: &GarbdConfig, t: &mut Tracked) -> Result<(), Error> {
    let mut f = match std::fs::File::open(&cfg.log) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&cfg.log, e)),
    };
    let len = f.metadata().map_err(|e| Error::io(&cfg.log, e))?.len();
    if len < t.offset {
        // Rotated or truncated under garbd: start over from the top of the new file.
        t.offset = 0;
    }
    let from = t.offset.max(len.saturating_sub(READ_CAP));
    f.seek(SeekFrom::Start(from))
        .map_err(|e| Error::io(&cfg.log, e))?;
    let mut bytes = Vec::new();
    f.take(READ_CAP)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&cfg.log, e))?;
    let (lines, used) = garbdlog::complete_lines(&bytes);
    t.state = garbdlog::fold(t.state, &String::from_utf8_lossy(lines));
    t.offset = from + used as u64;
    Ok(())
}

/// The last line of the log that says ERROR or FATAL since `offset` (for an exit reason).
pub fn last_error(cfg: &GarbdConfig, offset: u64) -> Option<String> {
    let mut f = std::fs::File::open(&cfg.log).ok()?;
    f.seek(SeekFrom::Start(offset)).ok()?;
    let mut bytes = Vec::new();
    f.take(READ_CAP).read_to_end(&mut bytes).ok()?;
    String::from_utf8_lossy(&bytes)
        .lines()
        .rev()
        .find(|l| l.contains(" ERROR: ") || l.contains(" FATAL: "))
        .map(|l| l.trim().to_owned())
}

/// Start garbd: working directory created, stdout/stderr appended to its log (what it prints before
/// `--log` takes effect, e.g. an unknown option).
pub fn spawn(cfg: &GarbdConfig) -> Result<Child, Error> {
    std::fs::create_dir_all(&cfg.workdir).map_err(|e| Error::io(&cfg.workdir, e))?;
    if let Some(dir) = cfg.log.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o640)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(&cfg.log)
        .map_err(|e| Error::io(&cfg.log, e))?;
    let cmd = Cmd::new(&cfg.binary).args(cfg.args());
    crate::info!("starting: {}", cmd.display());
    command::spawn_daemon(&cmd, &log).map_err(|e| Error::command("starting garbd", e))
}

/// Send `sig` to the tracked garbd (gone already is fine).
pub fn signal(t: &Tracked, sig: Signal) {
    if alive(t) {
        let _ = kill(Pid::from_raw(t.pid), sig);
    }
}

/// `path` is an executable file (validate-all).
pub fn executable(path: &Path) -> Result<(), Error> {
    crate::edge::paths::executable("binary", path)
}
