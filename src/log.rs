//! Log lines a Pacemaker admin can grep: `galera-ocf(<resource>)[<pid>]: <LEVEL>: <text>` on stderr (which
//! pacemaker-execd records), also appended to `HA_LOGFILE` when set; debug lines only with `HA_DEBUG=1`.
//!
//! The failure reason goes out once per invocation as `ocf-exit-reason:<text>`, the prefix Pacemaker looks
//! for; [`exit_reason`] is only called from `lib::run`, so there is exactly one such line.
//!
//! A process-wide sink (set once in `run`) instead of a logger threaded through every call: the agent is a
//! single short-lived invocation and every module logs to the same place.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

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
}

struct Sink {
    tag: String,
    logfile: Option<PathBuf>,
    debug: bool,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Set the tag and destinations; later calls are ignored.
pub fn init(resource: &str, logfile: Option<PathBuf>, debug: bool) {
    let tag = format!("galera-ocf({resource})[{}]", std::process::id());
    let _ = SINK.set(Sink {
        tag,
        logfile,
        debug,
    });
}

/// Write one log line.
pub fn log(level: Level, text: &str) {
    let (tag, logfile, debug) = match SINK.get() {
        Some(s) => (s.tag.as_str(), s.logfile.as_ref(), s.debug),
        None => ("galera-ocf", None, false),
    };
    if level == Level::Debug && !debug {
        return;
    }
    let line = format!("{tag}: {}: {text}", level.as_str());
    eprintln!("{line}");
    if let Some(path) = logfile {
        append(path, &format!("{} {line}\n", timestamp()));
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

/// The admin commands' reason, whole: a person reads it on a terminal, not Pacemaker.
pub fn admin_reason(text: &str) {
    eprintln!("ocf-exit-reason:{}", text.replace('\n', " "));
}

/// The one `ocf-exit-reason:` line of this invocation (and the same text as an ERROR log line in
/// HA_LOGFILE). A reason longer than Pacemaker keeps also goes out whole as an ERROR line first, so
/// pacemaker.log has all of it.
pub fn exit_reason(text: &str) {
    let whole = text.replace('\n', " ");
    let line = exit_reason_line(text);
    if line != whole {
        let tag = SINK.get().map_or("galera-ocf", |s| s.tag.as_str());
        eprintln!("{tag}: ERROR: {whole}");
    }
    eprintln!("ocf-exit-reason:{line}");
    if let Some(path) = SINK.get().and_then(|s| s.logfile.as_ref()) {
        append(path, &format!("{} ocf-exit-reason:{whole}\n", timestamp()));
    }
}

fn append(path: &PathBuf, line: &str) {
    // Logging must never fail an action: a full or missing log disk is not a resource failure.
    if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(line.as_bytes());
    }
}

/// UTC `YYYY-MM-DDTHH:MM:SSZ` without a date crate (Howard Hinnant's civil-from-days).
fn timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_utc(secs)
}

pub fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
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
mod tests {
    use super::{exit_reason_line, format_utc, EXIT_REASON_MAX};

    #[test]
    fn exit_reasons_fit_what_pacemaker_keeps() {
        assert_eq!(exit_reason_line("short\nreason"), "short reason");
        let exact = "x".repeat(EXIT_REASON_MAX);
        assert_eq!(exit_reason_line(&exact), exact);
        let long = format!("{} tail that Pacemaker would drop", "y".repeat(120));
        let cut = exit_reason_line(&long);
        assert_eq!(cut.len(), EXIT_REASON_MAX);
        assert!(cut.ends_with(" ..."));
        assert!(cut.starts_with(&"y".repeat(120)));
        // Multi-byte characters are never split.
        let wide = "é".repeat(100);
        let cut = exit_reason_line(&wide);
        assert!(cut.len() <= EXIT_REASON_MAX && cut.ends_with(" ..."));
        assert!(cut.trim_end_matches(" ...").chars().all(|c| c == 'é'));
    }

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
