//! Log lines a Pacemaker admin can grep, `galera-ocf(<resource>)[<pid>]: <LEVEL>: <text>`, sent where
//! ocf-shellfuncs' `ocf_log` sends a shell agent's lines, so an admin finds them in the same places (syslog
//! or the journal, `pacemaker.log`) and Pacemaker's own settings apply to this agent too: agents inherit
//! `HA_LOGFACILITY` (pacemakerd exports it unless `PCMK_logfacility` is `none`) and `HA_debug` (from
//! `PCMK_debug`); Pacemaker 2.1 does not hand `PCMK_logfile` on as `HA_LOGFILE` (read off a lab node's
//! pacemaker-execd environment), so `HA_LOGFILE`/`HA_DEBUGLOG` come from an admin or a wrapper. With
//! `PCMK_logfacility=none` the lines go to stderr, which pacemaker-execd copies into pacemaker.log.
//! [`route`] is the whole decision, pure:
//!
//! - stderr is a terminal (an admin runs the agent by hand): stderr only.
//! - `HA_LOGFACILITY` set, not empty and not `none`: a syslog datagram to `/dev/log` with that facility (an
//!   unknown name is `daemon`) and the level's priority.
//! - `HA_LOGFILE` (absolute): appended, stamped like `pacemaker.log` (`Mmm dd hh:mm:ss.mmm`, local time).
//! - `HA_DEBUGLOG` (absolute): every line, debug lines included, unless it is `HA_LOGFILE` itself.
//! - neither a facility nor `HA_LOGFILE`: stderr, which pacemaker-execd records. Otherwise nothing but the
//!   exit reason goes to stderr: pacemaker-execd logs an agent's stderr as "error output", and every INFO
//!   line there read as an error.
//! - debug lines only with `HA_debug` set, not empty and not `0` (nor an OCF false such as `no`): to syslog
//!   (priority debug) and `HA_DEBUGLOG`, not to `HA_LOGFILE`, as `ha_debug` does; with neither, to
//!   `HA_LOGFILE` if set (where `ha_debug` would use its default `HA_DEBUGLOG`, /dev/null), else stderr.
//!
//! Logging never fails or delays an action: a destination that cannot be written is skipped, and syslog is
//! sent without blocking (a full queue drops the line).
//!
//! The failure reason goes out once per invocation as `ocf-exit-reason:<text>` on stderr, the prefix
//! Pacemaker reads there; [`exit_reason`] is only called from `lib::run` (and `garbd::run` for the garbd agent),
//! so there is exactly one such line.
//! Like `ocf_exit_reason`, it is also logged as an ERROR line to syslog and the log files.
//!
//! A process-wide sink (set once in `run`) instead of a logger threaded through every call: the agent is a
//! single short-lived invocation and every module logs to the same place.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{IsTerminal, Write};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// A line on stderr that never panics: `eprintln!` panics when stderr is gone (EPIPE after pacemaker-execd
/// closed the pipe on a timeout), and a log line must never end an action.
macro_rules! to_stderr {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARNING",
            Level::Error => "ERROR",
        }
    }

    /// The syslog severity (RFC 5424 table 2), as ocf-shellfuncs maps its levels: err, warning, info, debug.
    pub fn severity(self) -> u8 {
        match self {
            Level::Debug => 7,
            Level::Info => 6,
            Level::Warn => 4,
            Level::Error => 3,
        }
    }
}

/// A syslog facility (its RFC 5424 number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facility(u8);

/// The names logger(1) accepts for `-p <facility>.<level>`.
const FACILITIES: &[(&str, u8)] = &[
    ("kern", 0),
    ("user", 1),
    ("mail", 2),
    ("daemon", 3),
    ("auth", 4),
    ("security", 4),
    ("syslog", 5),
    ("lpr", 6),
    ("news", 7),
    ("uucp", 8),
    ("cron", 9),
    ("authpriv", 10),
    ("ftp", 11),
    ("local0", 16),
    ("local1", 17),
    ("local2", 18),
    ("local3", 19),
    ("local4", 20),
    ("local5", 21),
    ("local6", 22),
    ("local7", 23),
];

impl Facility {
    pub const DAEMON: Facility = Facility(3);

    /// The facility called `name` (case-insensitive); an unknown name is `daemon`, Pacemaker's default.
    pub fn from_name(name: &str) -> Facility {
        FACILITIES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .map_or(Facility::DAEMON, |&(_, code)| Facility(code))
    }

    pub fn code(self) -> u8 {
        self.0
    }

    /// The PRI of a message of `level`: facility × 8 + severity.
    pub fn priority(self, level: Level) -> u8 {
        self.0 * 8 + level.severity()
    }
}

/// Where this invocation's lines may go, decided once from the environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Route {
    /// stderr is a terminal: everything there, nothing elsewhere.
    pub terminal: bool,
    pub syslog: Option<Facility>,
    pub logfile: Option<PathBuf>,
    pub debuglog: Option<PathBuf>,
    /// Debug lines are written at all.
    pub debug: bool,
}

/// The destinations of one line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Targets<'a> {
    pub stderr: bool,
    pub syslog: Option<Facility>,
    pub files: Vec<&'a Path>,
}

/// The routing of ocf-shellfuncs' `ocf_log` (see the module doc) from the agent's environment.
pub fn route(env: &BTreeMap<String, String>, stderr_is_terminal: bool) -> Route {
    let set = |k: &str| env.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let absolute = |k: &str| set(k).filter(|v| v.starts_with('/')).map(PathBuf::from);
    let debug =
        set("HA_debug").is_some_and(|v| v != "0" && crate::ocf::parse_bool(v) != Some(false));
    if stderr_is_terminal {
        return Route {
            terminal: true,
            debug,
            ..Route::default()
        };
    }
    Route {
        terminal: false,
        syslog: set("HA_LOGFACILITY")
            .filter(|v| !v.eq_ignore_ascii_case("none"))
            .map(Facility::from_name),
        logfile: absolute("HA_LOGFILE"),
        debuglog: absolute("HA_DEBUGLOG"),
        debug,
    }
}

impl Route {
    /// Where a line of `level` goes.
    pub fn targets(&self, level: Level) -> Targets<'_> {
        if level == Level::Debug && !self.debug {
            return Targets::default();
        }
        if self.terminal {
            return Targets {
                stderr: true,
                ..Targets::default()
            };
        }
        let mut files: Vec<&Path> = Vec::new();
        if level == Level::Debug {
            if let Some(f) = self.debuglog.as_deref() {
                files.push(f);
            } else if self.syslog.is_none() {
                files.extend(self.logfile.as_deref());
            }
        } else {
            files.extend(self.logfile.as_deref());
            if let Some(f) = self.debuglog.as_deref().filter(|f| !files.contains(f)) {
                files.push(f);
            }
        }
        let stderr = self.syslog.is_none()
            && if level == Level::Debug {
                files.is_empty()
            } else {
                self.logfile.is_none()
            };
        Targets {
            stderr,
            syslog: self.syslog,
            files,
        }
    }

    /// Where the exit reason's ERROR line goes: as an ERROR line, but never stderr, which gets the
    /// `ocf-exit-reason:` line.
    pub fn reason_targets(&self) -> Targets<'_> {
        let mut t = self.targets(Level::Error);
        t.stderr = false;
        t
    }
}

struct Sink {
    tag: String,
    route: Route,
    /// `TZ` as the environment gave it, for [`Sink::utc_offset`].
    tz: Option<String>,
    /// The local time's offset from UTC, in seconds (files and syslog are stamped in local time). Read
    /// on the first stamped write, not in `init`: most monitors write no line, and then open no zone file.
    utc_offset: OnceLock<i64>,
    socket: Option<UnixDatagram>,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// The socket syslog daemons (rsyslog, systemd-journald) read local messages from.
const SYSLOG_SOCKET: &str = "/dev/log";

/// Set the tag and destinations from the environment; later calls are ignored.
pub fn init(resource: &str, env: &BTreeMap<String, String>) {
    let route = route(env, std::io::stderr().is_terminal());
    let socket = route.syslog.and_then(|_| {
        let s = UnixDatagram::unbound().ok()?;
        s.set_nonblocking(true).ok()?;
        Some(s)
    });
    let _ = SINK.set(Sink {
        tag: format!("galera-ocf({resource})[{}]", std::process::id()),
        route,
        tz: env.get("TZ").cloned(),
        utc_offset: OnceLock::new(),
        socket,
    });
}

/// Write one log line.
pub fn log(level: Level, text: &str) {
    let Some(sink) = SINK.get() else {
        if level != Level::Debug {
            to_stderr!("galera-ocf: {}: {text}", level.as_str());
        }
        return;
    };
    sink.write(&sink.route.targets(level), level, text);
}

impl Sink {
    fn write(&self, t: &Targets<'_>, level: Level, text: &str) {
        let body = format!("{}: {}: {text}", self.tag, level.as_str());
        if t.stderr {
            to_stderr!("{body}");
        }
        if t.syslog.is_none() && t.files.is_empty() {
            return;
        }
        let (secs, millis) = unix_now();
        // One offset per invocation (an action lasts minutes at most; a DST change inside one is rare and
        // costs one hour on the stamps of that invocation only).
        let offset = *self
            .utc_offset
            .get_or_init(|| local_offset(self.tz.as_deref(), secs));
        let local = secs + offset;
        if let (Some(facility), Some(socket)) = (t.syslog, &self.socket) {
            let msg = syslog_message(facility.priority(level), local, &body);
            // Nobody listening, or a full queue: the line is lost, the action goes on.
            let _ = socket.send_to(msg.as_bytes(), SYSLOG_SOCKET);
        }
        if !t.files.is_empty() {
            let line = format!("{} {body}\n", file_stamp(local, millis));
            for f in &t.files {
                append(f, &line);
            }
        }
    }
}

/// Pacemaker keeps the first 128 bytes of an exit reason (what `crm_mon` and the CIB's `exit-reason`
/// show); the rest is dropped silently, seen in the lab as "...the data director".
pub const EXIT_REASON_MAX: usize = 128;

/// The exit reason as Pacemaker will keep it: one line of at most [`EXIT_REASON_MAX`] bytes, cut at a
/// character boundary and marked with " ..." when it had to be shortened.
pub fn exit_reason_line(text: &str) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.len() <= EXIT_REASON_MAX {
        return one_line;
    }
    const MARK: &str = " ...";
    let mut end = EXIT_REASON_MAX - MARK.len();
    while !one_line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{MARK}", &one_line[..end])
}

/// The admin commands' error, whole and as a command's error (`galera-ocf: error: ...`): a person reads it on
/// a terminal, not Pacemaker, so it is no `ocf-exit-reason:` line.
pub fn admin_reason(text: &str) {
    to_stderr!("galera-ocf: error: {}", text.replace('\n', " "));
}

/// The one `ocf-exit-reason:` line of this invocation on stderr, and the same text, whole, as an ERROR line
/// in syslog and the log files. Where stderr is the only log (no syslog, no `HA_LOGFILE`), a reason longer
/// than Pacemaker keeps also goes out whole there as an ERROR line first, so the log has all of it.
pub fn exit_reason(text: &str) {
    let whole = text.replace('\n', " ");
    let line = exit_reason_line(text);
    match SINK.get() {
        Some(sink) => {
            if line != whole && sink.route.targets(Level::Error).stderr {
                to_stderr!("{}: ERROR: {whole}", sink.tag);
            }
            sink.write(&sink.route.reason_targets(), Level::Error, &whole);
        }
        None if line != whole => to_stderr!("galera-ocf: ERROR: {whole}"),
        None => {}
    }
    to_stderr!("ocf-exit-reason:{line}");
}

fn append(path: &Path, line: &str) {
    // Logging must never fail an action: a full or missing log disk is not a resource failure.
    if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(line.as_bytes());
    }
}

/// Seconds and milliseconds since the epoch.
fn unix_now() -> (i64, u32) {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or((0, 0), |d| {
            (i64::try_from(d.as_secs()).unwrap_or(0), d.subsec_millis())
        })
}

/// A broken-down time: (year, month 1-12, day 1-31, hour, minute, second) of `secs` since the epoch
/// (Howard Hinnant's civil-from-days, so no date crate).
fn civil(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, (rem / 60) % 60, rem % 60)
}

/// UTC `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_utc(secs: u64) -> String {
    let (y, m, d, hh, mm, ss) = civil(i64::try_from(secs).unwrap_or(i64::MAX / 2));
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_name(m: i64) -> &'static str {
    usize::try_from(m - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("???")
}

/// pacemaker.log's stamp (libqb's `%T`: `Mmm dd hh:mm:ss.mmm`) of the local time `local` (seconds since the
/// epoch, already shifted by the UTC offset).
pub fn file_stamp(local: i64, millis: u32) -> String {
    let (_, m, d, hh, mm, ss) = civil(local);
    format!(
        "{} {d:02} {hh:02}:{mm:02}:{ss:02}.{millis:03}",
        month_name(m)
    )
}

/// An RFC 3164 message as syslog(3) sends it to `/dev/log`: `<PRI>Mmm dd hh:mm:ss TAG: text`, the day
/// space-padded, no host name (the local daemon adds it). `body` starts with the tag,
/// `galera-ocf(<rsc>)[<pid>]`, which journald splits into SYSLOG_IDENTIFIER and SYSLOG_PID.
pub fn syslog_message(priority: u8, local: i64, body: &str) -> String {
    let (_, m, d, hh, mm, ss) = civil(local);
    format!(
        "<{priority}>{} {d:>2} {hh:02}:{mm:02}:{ss:02} {body}",
        month_name(m)
    )
}

/// The local time's UTC offset at `now`: the zone of `TZ` (a file, or a name under /usr/share/zoneinfo)
/// or /etc/localtime, as glibc reads them. Safe code can't call localtime_r (the crate forbids unsafe), so
/// the TZif file is read here; anything unreadable (a POSIX `TZ` rule string, a missing file) is UTC.
///
/// The read must never hold an action up: only a regular file is opened (a FIFO named by `TZ` would block
/// the open forever), and at most [`TZIF_MAX`] bytes of it are read.
fn local_offset(tz: Option<&str>, now: i64) -> i64 {
    let path = match tz.map(|t| t.strip_prefix(':').unwrap_or(t)) {
        None => PathBuf::from("/etc/localtime"),
        Some("") => return 0,
        Some(t) if t.starts_with('/') => PathBuf::from(t),
        Some(t) if t.split('/').any(|part| part == "..") => return 0,
        Some(t) => Path::new("/usr/share/zoneinfo").join(t),
    };
    read_tzif(&path)
        .and_then(|data| tzif_offset(&data, now))
        .unwrap_or(0)
}

/// Real TZif files are 1-5 KiB; anything longer than this is not read past it (and then fails to parse).
const TZIF_MAX: u64 = 64 * 1024;

fn read_tzif(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    // metadata follows symlinks (/etc/localtime is one): what is opened is what was checked.
    if !std::fs::metadata(path).ok()?.is_file() {
        return None;
    }
    let mut data = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(TZIF_MAX)
        .read_to_end(&mut data)
        .ok()?;
    Some(data)
}

/// The UTC offset (seconds) in effect at `t` by TZif data (RFC 8536): the local time type of the last
/// transition at or before `t` (type 0 before the first), from the 64-bit data of a version 2+ file, else
/// the 32-bit data. Past the last transition the last type stays in effect: distributions ship "fat" files
/// with transitions until 2037, so the footer's rule string is not evaluated.
pub fn tzif_offset(data: &[u8], t: i64) -> Option<i64> {
    let v1 = TzifBlock::parse(data, 4)?;
    let block = if data.get(4).is_some_and(|&v| v >= b'2') {
        TzifBlock::parse(data.get(v1.len..)?, 8)?
    } else {
        v1
    };
    // Transitions are in ascending order.
    let last = (0..block.timecnt)
        .rev()
        .find(|&i| block.time(i).is_some_and(|at| at <= t));
    let ty = match last {
        Some(i) => usize::from(*block.data.get(block.idx_at.checked_add(i)?)?),
        None => 0,
    };
    // An index past the type table would read abbreviation or leap bytes as an offset.
    if ty >= block.typecnt {
        return None;
    }
    let off = block.types_at.checked_add(ty.checked_mul(6)?)?;
    let utoff = block.data.get(off..off.checked_add(4)?)?;
    Some(i64::from(i32::from_be_bytes(utoff.try_into().ok()?)))
}

/// One TZif header and data block.
struct TzifBlock<'a> {
    data: &'a [u8],
    tsize: usize,
    timecnt: usize,
    typecnt: usize,
    idx_at: usize,
    types_at: usize,
    /// Header and data block together (where the next header starts).
    len: usize,
}

impl<'a> TzifBlock<'a> {
    fn parse(data: &'a [u8], tsize: usize) -> Option<TzifBlock<'a>> {
        if data.get(..4)? != b"TZif" {
            return None;
        }
        let count = |i: usize| -> Option<usize> {
            let b = data.get(20 + 4 * i..24 + 4 * i)?;
            usize::try_from(u32::from_be_bytes(b.try_into().ok()?)).ok()
        };
        let (isut, isstd, leap, timecnt, typecnt, charcnt) = (
            count(0)?,
            count(1)?,
            count(2)?,
            count(3)?,
            count(4)?,
            count(5)?,
        );
        // Checked: the counts come from the file, and a 32-bit usize could wrap.
        let idx_at = timecnt.checked_mul(tsize)?.checked_add(44)?;
        let types_at = idx_at.checked_add(timecnt)?;
        let len = [
            typecnt.checked_mul(6)?,
            charcnt,
            leap.checked_mul(tsize.checked_add(4)?)?,
            isstd,
            isut,
        ]
        .into_iter()
        .try_fold(types_at, usize::checked_add)?;
        (data.len() >= len && typecnt > 0).then_some(TzifBlock {
            data,
            tsize,
            timecnt,
            typecnt,
            idx_at,
            types_at,
            len,
        })
    }

    fn time(&self, i: usize) -> Option<i64> {
        let start = i.checked_mul(self.tsize)?.checked_add(44)?;
        let b = self.data.get(start..start.checked_add(self.tsize)?)?;
        Some(match self.tsize {
            4 => i64::from(i32::from_be_bytes(b.try_into().ok()?)),
            _ => i64::from_be_bytes(b.try_into().ok()?),
        })
    }
}

#[macro_export]
macro_rules! debug {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Debug, &format!($($t)*)) };
}
#[macro_export]
macro_rules! info {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Info, &format!($($t)*)) };
}
#[macro_export]
macro_rules! warn {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Warn, &format!($($t)*)) };
}
#[macro_export]
macro_rules! error {
    ($($t:tt)*) => { $crate::log::log($crate::log::Level::Error, &format!($($t)*)) };
}

#[cfg(test)]
#[path = "log_tests.rs"]
mod tests;
