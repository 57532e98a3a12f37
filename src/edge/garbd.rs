//! garbd's process, state file and log, for `ocf:galera-ocf:garbd` (issue 17).
//!
//! garbd runs in the foreground as the agent's child (no `--daemon`, so its PID is the one spawned), in its
//! own process group like mariadbd (`command::spawn_daemon`). The state file in `HA_RSCTMP` holds its PID,
//! its start time in `/proc/PID/stat` (a recycled PID is never taken for garbd), how far the monitor has
//! read garbd's log together with the state read so far, so each monitor reads only what was appended, and
//! since when the log has said Lost (`decide::arbitrator`'s grace; seconds of `CLOCK_BOOTTIME`, which
//! neither NTP nor an admin steps, and which `/run` does not outlive). Keys an older version did not write
//! read as unknown, never as a state file that cannot be understood.
//!
//! Where the read stopped is kept with the file it was in (device and inode) and a digest of the bytes
//! just before the offset (`garbdlog::tail_digest`): a file that is not the same one, shorter than the
//! offset, or holding other bytes before it (`copytruncate`, then more than the offset written before the
//! next monitor) is read again from its start. The state read so far stays: the lines that said it are
//! gone, not untrue. What garbd wrote after the offset and before the truncation is only in the rotated
//! copy, whose name this agent cannot know (logrotate's numbering, dates, compression): a state change in
//! that window is seen at garbd's next state line, and the rotation is logged with the state that stands.
//!
//! The log is read through garbd's own standard output, `/proc/PID/fd/1`, which the agent opened on the
//! log file when it spawned garbd: the same file garbd's `--log` appends to. garbd never reopens its log,
//! so after a rename-style rotation it goes on writing to the renamed file, and reading the path named in
//! `log` would show a new, empty file and a state cached forever. Through the descriptor the monitor
//! follows what garbd really writes, rotated or not (the log rotation the README recommends is
//! `copytruncate`, so the named file stays the one garbd writes).

use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
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
    /// What `offset` is an offset into (`None`: not read yet, or a state file of an older version).
    pub mark: Option<LogMark>,
    /// `CLOCK_BOOTTIME` seconds when the log first said Lost, while it still does
    /// (`decide::arbitrator::lost_since`).
    pub lost_since: Option<u64>,
}

impl Tracked {
    /// A garbd just spawned or found, whose log is read from `offset` on.
    pub fn new(pid: i32, starttime: u64, offset: u64) -> Tracked {
        Tracked {
            pid,
            starttime,
            offset,
            state: None,
            mark: None,
            lost_since: None,
        }
    }
}

/// A file, by device and inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

/// The log file the saved offset is in, and the digest of the bytes just before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogMark {
    pub file: FileId,
    pub tail: u64,
}

fn state_word(s: Option<GarbdState>) -> &'static str {
    match s {
        None => "none",
        Some(GarbdState::Connecting) => "connecting",
        Some(GarbdState::Primary { synced: true }) => "synced",
        Some(GarbdState::Primary { synced: false }) => "primary",
        Some(GarbdState::NonPrimary) => "non-primary",
        Some(GarbdState::Alone) => "alone",
        Some(GarbdState::Lost) => "lost",
        Some(GarbdState::Closed) => "closed",
    }
}

fn parse_state(w: &str) -> Option<GarbdState> {
    match w {
        "connecting" => Some(GarbdState::Connecting),
        "synced" => Some(GarbdState::Primary { synced: true }),
        "primary" => Some(GarbdState::Primary { synced: false }),
        "non-primary" => Some(GarbdState::NonPrimary),
        "alone" => Some(GarbdState::Alone),
        "lost" => Some(GarbdState::Lost),
        "closed" => Some(GarbdState::Closed),
        _ => None,
    }
}

/// `None` when there is no state file (stopped as far as this node knows) or it cannot be understood.
pub fn load(path: &Path) -> Result<Option<Tracked>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(str::trim)
    };
    let mark = || {
        let (dev, ino) = get("file")?.split_once(':')?;
        Some(LogMark {
            file: FileId {
                dev: dev.parse().ok()?,
                ino: ino.parse().ok()?,
            },
            tail: u64::from_str_radix(get("tail")?, 16).ok()?,
        })
    };
    Ok((|| {
        Some(Tracked {
            pid: get("pid")?.parse().ok()?,
            starttime: get("starttime")?.parse().ok()?,
            offset: get("offset")?.parse().ok()?,
            state: parse_state(get("state")?),
            mark: mark(),
            lost_since: get("lost_since").and_then(|v| v.parse().ok()),
        })
    })())
}

fn render(t: &Tracked) -> String {
    let mut text = format!(
        "pid={}\nstarttime={}\noffset={}\nstate={}\n",
        t.pid,
        t.starttime,
        t.offset,
        state_word(t.state)
    );
    if let Some(m) = t.mark {
        text.push_str(&format!(
            "file={}:{}\ntail={:016x}\n",
            m.file.dev, m.file.ino, m.tail
        ));
    }
    if let Some(since) = t.lost_since {
        text.push_str(&format!("lost_since={since}\n"));
    }
    text
}

/// Write the state file atomically (temp + rename).
pub fn save(path: &Path, t: &Tracked) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    std::fs::write(&tmp, render(t))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
}

/// Remove the state file; absent is fine.
pub fn forget(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Field 22 (starttime) of /proc/PID/stat and field 3 (the state letter).
fn proc_stat(pid: i32) -> Option<(u64, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold blanks and parentheses: split after its last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let state = fields.first()?.chars().next()?;
    Some((fields.get(19)?.parse().ok()?, state))
}

/// The start time of `pid` (to record right after spawning it).
pub fn starttime(pid: i32) -> Option<u64> {
    proc_stat(pid).map(|(t, _)| t)
}

/// What became of a tracked garbd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// Exited (or a zombie, or its PID now belongs to another process).
    Gone,
    Running,
    /// Stopped by a signal (SIGSTOP, a debugger): it answers nobody, so the group evicts it, and its log
    /// says nothing about that.
    Stopped,
}

pub fn liveness(t: &Tracked) -> Liveness {
    match proc_stat(t.pid) {
        Some((start, state)) if start == t.starttime => match state {
            'Z' | 'X' | 'x' => Liveness::Gone,
            'T' | 't' => Liveness::Stopped,
            _ => Liveness::Running,
        },
        _ => Liveness::Gone,
    }
}

/// The tracked garbd still exists (running or stopped): signals reach it.
pub fn alive(t: &Tracked) -> bool {
    liveness(t) != Liveness::Gone
}

/// Seconds of `CLOCK_BOOTTIME` (module doc); `None` if the kernel does not answer.
pub fn clock() -> Option<u64> {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_BOOTTIME).ok()?;
    u64::try_from(t.tv_sec()).ok()
}

/// garbd processes of this node that no state file tracks, found by their command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Untracked {
    /// Started with exactly this resource's binary and arguments: the agent's own, whose state file was
    /// lost (HA_RSCTMP cleared, or written by nothing after a failed save) or names one that died. Exited
    /// ones (zombies) are left out; there should be one at most (`decide::arbitrator::takeover`).
    pub ours: Vec<Tracked>,
    /// Other garbd processes of the same group (garb.service, an admin): a second vote from this machine.
    pub foreign: Vec<(i32, String)>,
}

/// Scan /proc for garbd processes (see [`Untracked`]).
pub fn untracked(cfg: &GarbdConfig) -> Untracked {
    let mut found = Untracked::default();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return found;
    };
    let own_argv: Vec<String> = std::iter::once(cfg.binary.display().to_string())
        .chain(cfg.args())
        .collect();
    // This agent is installed under the name garbd too: its own process and its concurrent invocations
    // (a monitor beside a start) are no arbitrators.
    let agent = std::fs::read_link("/proc/self/exe").ok();
    for entry in dir.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if agent.is_some() && std::fs::read_link(format!("/proc/{pid}/exe")).ok() == agent {
            continue;
        }
        let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        match classify(&argv, &own_argv, &cfg.group) {
            Some(Kind::Ours) => {
                if let Some((starttime, state)) = proc_stat(pid) {
                    if !matches!(state, 'Z' | 'X' | 'x') {
                        // Read from the log's start: where this garbd's lines begin is unknown.
                        found.ours.push(Tracked::new(pid, starttime, 0));
                    }
                }
            }
            Some(Kind::Foreign) => found.foreign.push((pid, argv.join(" "))),
            None => {}
        }
    }
    found
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Ours,
    Foreign,
}

/// A command line is garbd's when its program's file name is `garbd`; it is this resource's own when it
/// is exactly the argv the agent spawns, and foreign when it names the same group (or none that can be
/// seen, e.g. a `--cfg` file) — a garbd of another cluster's group is none of this resource's business.
fn classify(argv: &[String], own: &[String], group: &str) -> Option<Kind> {
    let program = argv.first()?;
    if argv == own {
        return Some(Kind::Ours);
    }
    if Path::new(program).file_name()? != "garbd" {
        return None;
    }
    // An invocation of this agent (installed as garbd) from another version of its binary, e.g. one still
    // running across a package upgrade: one OCF action word, which garbd itself never takes.
    if argv.len() == 2 && crate::ocf::Action::parse(&argv[1]).is_some() {
        return None;
    }
    let mut named = None;
    let mut args = argv.iter().skip(1);
    while let Some(a) = args.next() {
        if a == "--group" || a == "-g" {
            named = args.next().map(String::as_str);
        } else if let Some(g) = a.strip_prefix("--group=") {
            named = Some(g);
        }
    }
    match named {
        Some(g) if g != group => None,
        _ => Some(Kind::Foreign),
    }
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

/// Folds what garbd appended since `t.offset` into `t` (complete lines only), read through garbd's own
/// descriptor of its log (module doc), or the named file when that cannot be opened.
pub fn catch_up(cfg: &GarbdConfig, t: &mut Tracked) -> Result<(), Error> {
    let own = std::fs::File::open(format!("/proc/{}/fd/1", t.pid))
        .ok()
        .filter(|f| f.metadata().is_ok_and(|m| m.is_file()));
    let mut f = match own.map_or_else(|| std::fs::File::open(&cfg.log), Ok) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&cfg.log, e)),
    };
    let m = f.metadata().map_err(|e| Error::io(&cfg.log, e))?;
    let file = FileId {
        dev: m.dev(),
        ino: m.ino(),
    };
    follow(&mut f, file, m.len(), t, READ_CAP).map_err(|e| Error::io(&cfg.log, e))
}

/// [`catch_up`] on an open log `f` (`file`, `len` bytes long), reading at most `cap` bytes of new lines.
fn follow<F: Read + Seek>(
    f: &mut F,
    file: FileId,
    len: u64,
    t: &mut Tracked,
    cap: u64,
) -> std::io::Result<()> {
    let same = t.mark.is_none_or(|m| m.file == file) && len >= t.offset;
    let mut c = read_chunk(f, if same { t.offset } else { 0 }, len, cap)?;
    // Resuming at the offset, the bytes before it are those read last time, unless the file was
    // truncated and written again past the offset in between. A skip ahead needs no check: from the
    // start, the read would skip to the same place.
    let rewritten = same
        && !c.skipped
        && t.mark
            .is_some_and(|m| m.tail != garbdlog::tail_digest(&c.before));
    if !same || rewritten {
        // Lines written after the offset and before the truncation are gone from this file (module doc):
        // said once, at the rotation, with the state that stays until garbd logs its next one.
        crate::info!(
            "garbd's log is not the file read up to offset {} (rotated or truncated): reading it from \
             the start; until garbd logs its next state line, the state read before ({:?}) stands",
            t.offset,
            t.state
        );
    }
    if rewritten {
        c = read_chunk(f, 0, len, cap)?;
    }
    let (lines, used) = garbdlog::new_lines(&c.before, &c.bytes, c.skipped);
    t.state = garbdlog::fold(t.state, &String::from_utf8_lossy(lines));
    t.offset = c.from + used as u64;
    let mut seen = c.before;
    seen.extend_from_slice(&c.bytes[..used]);
    t.mark = Some(LogMark {
        file,
        tail: garbdlog::tail_digest(&seen),
    });
    Ok(())
}

/// One read of the log: from `from` on, and up to [`garbdlog::TAIL`] bytes before it (to check the
/// digest, to see whether a skip ahead began at a line, and to digest what precedes the new offset).
struct Chunk {
    from: u64,
    before: Vec<u8>,
    bytes: Vec<u8>,
    /// More than `cap` was appended after the offset asked for: `from` is past it.
    skipped: bool,
}

fn read_chunk<F: Read + Seek>(
    f: &mut F,
    resume: u64,
    len: u64,
    cap: u64,
) -> std::io::Result<Chunk> {
    let from = resume.max(len.saturating_sub(cap));
    let back = usize::try_from(from).map_or(garbdlog::TAIL, |n| n.min(garbdlog::TAIL));
    f.seek(SeekFrom::Start(from - back as u64))?;
    let mut before = Vec::new();
    f.by_ref().take(back as u64).read_to_end(&mut before)?;
    let mut bytes = Vec::new();
    // Reading stops at `cap`, not at `len`: what garbd appended since is welcome (complete lines only).
    f.take(cap).read_to_end(&mut bytes)?;
    Ok(Chunk {
        from,
        before,
        bytes,
        skipped: from > resume,
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    const FILE: FileId = FileId { dev: 1, ino: 2 };
    const SYNCED: &str = "2026-12-07 10:00:00.101  INFO: Shifting JOINED -> SYNCED (TO: 2)\n";
    const OPEN: &str = "2026-12-07 10:05:00.202  INFO: Shifting SYNCED -> OPEN (TO: 3)\n";

    fn filler(n: usize) -> String {
        (0..n)
            .map(|i| {
                format!(
                    "2026-12-07 10:06:{:02}.000  INFO: Failed to establish connection\n",
                    i % 60
                )
            })
            .collect()
    }

    /// Catches `t` up with `text` as the log `file`, reading at most `cap` bytes.
    fn read(t: &mut Tracked, file: FileId, text: &str, cap: u64) {
        let mut f = Cursor::new(text.as_bytes().to_vec());
        follow(&mut f, file, text.len() as u64, t, cap).unwrap();
    }

    #[test]
    fn appended_lines_are_read_from_the_offset() {
        let banner = "2026-12-07 09:59:59.000  INFO: Read config: \n";
        let mut t = Tracked::new(7, 1, 0);
        read(&mut t, FILE, &format!("{banner}{SYNCED}"), READ_CAP);
        assert_eq!(t.state, Some(GarbdState::Primary { synced: true }));
        let text = format!("{banner}{SYNCED}{}", filler(3));
        read(&mut t, FILE, &text, READ_CAP);
        // Read again from the start, the banner would have made it Connecting.
        assert_eq!(t.state, Some(GarbdState::Primary { synced: true }));
        assert_eq!(t.offset, text.len() as u64);
        // A line garbd is still writing waits for the next read.
        read(
            &mut t,
            FILE,
            &format!("{text}2026-12-07 10:05:00.202  INFO: Shif"),
            READ_CAP,
        );
        assert_eq!(t.offset, text.len() as u64);
        read(&mut t, FILE, &format!("{text}{OPEN}"), READ_CAP);
        assert_eq!(t.state, Some(GarbdState::Lost));
    }

    #[test]
    fn a_skip_ahead_keeps_a_first_line_that_begins_at_the_cut() {
        let text = format!("{}{SYNCED}", filler(5));
        let mut t = Tracked::new(7, 1, 0);
        read(&mut t, FILE, &text, SYNCED.len() as u64);
        assert_eq!(t.state, Some(GarbdState::Primary { synced: true }));
        assert_eq!(t.offset, text.len() as u64);
    }

    #[test]
    fn a_skip_ahead_drops_a_first_line_cut_in_the_middle() {
        let text = format!("{}{OPEN}", filler(5));
        let mut t = Tracked::new(7, 1, 0);
        // The cut falls just before "Shifting": read as a line, that end would say non-Primary.
        let cut = OPEN.len() - OPEN.find("Shifting").unwrap();
        read(&mut t, FILE, &text, cut as u64);
        assert_eq!(t.state, None);
        assert_eq!(t.offset, text.len() as u64);
    }

    #[test]
    fn a_log_rewritten_past_the_offset_is_read_from_the_start() {
        let mut t = Tracked::new(7, 1, 0);
        read(&mut t, FILE, SYNCED, READ_CAP);
        assert_eq!(t.state, Some(GarbdState::Primary { synced: true }));
        // copytruncate, then garbd wrote more than the old offset before this read: the same file, as
        // long as the offset, but other bytes before it. Read from the offset, the OPEN line is missed.
        let rewritten = format!("{OPEN}{}", filler(3));
        assert!(rewritten.len() > SYNCED.len());
        read(&mut t, FILE, &rewritten, READ_CAP);
        assert_eq!(t.state, Some(GarbdState::Lost));
        assert_eq!(t.offset, rewritten.len() as u64);
    }

    #[test]
    fn a_shorter_or_another_file_is_read_from_the_start() {
        let mut t = Tracked::new(7, 1, 0);
        read(&mut t, FILE, &format!("{}{SYNCED}", filler(3)), READ_CAP);
        read(&mut t, FILE, OPEN, READ_CAP);
        assert_eq!(t.state, Some(GarbdState::Lost));
        let mut t = Tracked::new(7, 1, 0);
        read(&mut t, FILE, SYNCED, READ_CAP);
        let other = FileId { dev: 1, ino: 3 };
        read(&mut t, other, &format!("{OPEN}{}", filler(3)), READ_CAP);
        assert_eq!(t.state, Some(GarbdState::Lost));
        assert_eq!(t.mark.map(|m| m.file), Some(other));
    }

    #[test]
    fn the_state_file_round_trips_and_an_older_one_still_loads() {
        let dir = std::env::temp_dir().join(format!("galera-ocf-garbd-{}", std::process::id()));
        let path = dir.join("g.state");
        let t = Tracked {
            state: Some(GarbdState::Lost),
            mark: Some(LogMark {
                file: FILE,
                tail: 0x00ab_cdef_0123_4567,
            }),
            lost_since: Some(12345),
            ..Tracked::new(7, 99, 4096)
        };
        save(&path, &t).unwrap();
        assert_eq!(load(&path).unwrap(), Some(t));
        // Written by a version without the log's mark and the Lost clock: tracked, both unknown.
        std::fs::write(&path, "pid=7\nstarttime=99\noffset=4096\nstate=lost\n").unwrap();
        assert_eq!(
            load(&path).unwrap(),
            Some(Tracked {
                state: Some(GarbdState::Lost),
                ..Tracked::new(7, 99, 4096)
            })
        );
        forget(&path).unwrap();
        assert_eq!(load(&path).unwrap(), None);
        let _ = std::fs::remove_dir(&dir);
    }

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn command_lines_are_classified() {
        let own = v("/usr/bin/garbd --address gcomm://a,b --group g1 --log /l --workdir /w");
        let cases = [
            (own.join(" "), Some(Kind::Ours)),
            // garb.service's garbd of the same group: a second vote from this machine.
            (
                "/usr/bin/garbd -a gcomm://a,b -g g1".to_owned(),
                Some(Kind::Foreign),
            ),
            ("garbd --group=g1 --daemon".to_owned(), Some(Kind::Foreign)),
            // No group on the command line (a --cfg file): it may be the same group.
            (
                "/usr/bin/garbd --cfg /etc/garbd.cnf".to_owned(),
                Some(Kind::Foreign),
            ),
            // Another cluster's arbitrator on the same host.
            ("/usr/bin/garbd --group other -a gcomm://x".to_owned(), None),
            // This agent, installed as garbd, in the middle of an action.
            (
                "/usr/lib/ocf/resource.d/galera-ocf/garbd monitor".to_owned(),
                None,
            ),
            // Not garbd at all, even when it names the group.
            ("/usr/bin/less --group g1".to_owned(), None),
            // The same program with other arguments (another option set): not ours.
            (
                "/usr/bin/garbd --address gcomm://a,b --group g1".to_owned(),
                Some(Kind::Foreign),
            ),
        ];
        for (argv, kind) in cases {
            assert_eq!(classify(&v(&argv), &own, "g1"), kind, "{argv}");
        }
        assert_eq!(classify(&[], &own, "g1"), None);
    }
}
