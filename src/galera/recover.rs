//! Reads the result of `mariadbd --wsrep-recover --log-error=FILE` out of that log's text.
//!
//! When grastate.dat says seqno -1 (crash, or mysqld still running when it was written), the
//! only trustworthy position is the one InnoDB recovers, which MariaDB prints as
//! `[Note] WSREP: Recovered position: UUID:SEQNO[,DOMAIN-SERVER-SEQ]`. This module finds it,
//! or says precisely why it is not there. Pure: the caller runs mariadbd and reads the file.
//!
//! `--log-error` *appends*: a reused file holds earlier runs. Only the last run (from the last
//! "Starting MariaDB …" / "… starting as process …" line) is considered, so a stale position
//! from an earlier successful run is never reported for a failed one.

use super::position::{Position, PositionError};

/// A position recovered from the log, with the GTID MariaDB printed next to it (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub position: Position,
    /// `domain-server-seq`, printed when binary logging is on; informative only.
    pub gtid: Option<String>,
    /// InnoDB found transactions in XA prepared state (a crash during commit). Recovery still
    /// produced a position; worth a log line because MariaDB resolved them on its own.
    pub prepared_transactions: bool,
}

/// Why the log holds no usable position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoverError {
    #[error("the --wsrep-recover log is empty (mariadbd wrote nothing)")]
    EmptyLog,
    #[error(
        "mariadbd refused to recover: {count} prepared transaction(s) without their binlog/tc.log; \
         it needs --tc-heuristic-recover=commit|rollback"
    )]
    PreparedTransactions { count: u64 },
    #[error("mariadbd crash recovery failed: {0}")]
    CrashRecoveryFailed(String),
    #[error("mariadbd aborted during --wsrep-recover: {0}")]
    Aborted(String),
    #[error("the --wsrep-recover log has no \"WSREP: Recovered position\" line")]
    NoPosition,
    #[error("the --wsrep-recover log has an invalid recovered position {text:?}: {source}")]
    BadPosition {
        text: String,
        #[source]
        source: PositionError,
    },
}

const MARKER: &str = "WSREP: Recovered position: ";

/// The first line of each mariadbd run, in current and older spellings.
fn starts_a_run(line: &str) -> bool {
    line.contains("] Starting MariaDB ") || line.contains(" starting as process ")
}

/// The lines of the last run in the log.
fn last_run(log: &str) -> Vec<&str> {
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.iter().rposition(|l| starts_a_run(l)).unwrap_or(0);
    lines.get(start..).map(<[&str]>::to_vec).unwrap_or_default()
}

/// The position recovered by the last run in `log` (the contract's entry point).
pub fn parse(log: &str) -> Result<Position, RecoverError> {
    parse_detailed(log).map(|r| r.position)
}

/// Like [`parse`], with the GTID and a hint about prepared transactions.
pub fn parse_detailed(log: &str) -> Result<Recovered, RecoverError> {
    if log.trim().is_empty() {
        return Err(RecoverError::EmptyLog);
    }
    let run = last_run(log);
    let prepared_transactions = run
        .iter()
        .any(|l| l.contains("in prepared state after recovery"));
    // The last line wins: MariaDB may print more than one (it prints again after rolling back).
    if let Some(text) = run
        .iter()
        .rev()
        .find_map(|l| l.split_once(MARKER).map(|(_, rest)| rest.trim()))
    {
        let (position, gtid) =
            Position::parse_with_gtid(text).map_err(|source| RecoverError::BadPosition {
                text: text.to_string(),
                source,
            })?;
        return Ok(Recovered {
            position,
            gtid: gtid.map(str::to_string),
            prepared_transactions,
        });
    }
    Err(why_absent(&run))
}

/// Classifies a run without a position by the errors MariaDB logged, most specific first.
fn why_absent(run: &[&str]) -> RecoverError {
    let errors: Vec<&str> = run
        .iter()
        .filter_map(|l| l.split_once("[ERROR] ").map(|(_, msg)| msg.trim()))
        .collect();
    if let Some(count) = errors.iter().find_map(|m| prepared_count(m)) {
        return RecoverError::PreparedTransactions { count };
    }
    if let Some(msg) = errors
        .iter()
        .find(|m| m.starts_with("Crash recovery failed"))
    {
        return RecoverError::CrashRecoveryFailed(first_sentence(msg));
    }
    if errors.contains(&"Aborting") {
        // The cause is the last error that is not a known consequence of an earlier one: the first error can
        // be harmless (a plugin library that fails to load is skipped, mariadbd goes on), while what follows
        // a fatal InnoDB error ("Plugin 'InnoDB' registration ... failed", "Unknown/unsupported storage
        // engine", "Failed to initialize plugins", "Aborting") only repeats that something failed.
        let cause = errors
            .iter()
            .rev()
            .find(|m| !is_consequence(m))
            .map(|m| first_sentence(m))
            .unwrap_or_else(|| "no error message before \"Aborting\"".to_string());
        return RecoverError::Aborted(cause);
    }
    RecoverError::NoPosition
}

/// Error lines mariadbd 10.11 logs because an earlier error was fatal (seen in tests/fixtures/wsrep-recover):
/// they name no cause of their own.
fn is_consequence(msg: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "Aborting",
        "Plugin '",
        "Unknown/unsupported storage engine",
        "Failed to initialize plugins",
        "Could not open mysql.plugin table",
        "Can't init tc log",
        "InnoDB: Plugin initialization aborted",
        "InnoDB: Database creation was aborted",
    ];
    PREFIXES.iter().any(|p| msg.starts_with(p))
}

/// "Found 3 prepared transactions! It means ..." → 3.
fn prepared_count(msg: &str) -> Option<u64> {
    let rest = msg.strip_prefix("Found ")?;
    let (count, tail) = rest.split_once(' ')?;
    if tail.starts_with("prepared transactions!") {
        count.parse().ok()
    } else {
        None
    }
}

/// Error messages can be long; an exit reason should stay one short line.
fn first_sentence(msg: &str) -> String {
    let cut = msg.find(". ").map_or(msg, |i| msg.get(..i).unwrap_or(msg));
    cut.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::galera::position::Seqno;
    use proptest::prelude::*;

    fn pos(text: &str) -> Position {
        text.parse().unwrap()
    }

    #[test]
    fn fresh_datadir_recovers_nil_position() {
        let p = parse(fixture!("wsrep-recover/fresh-datadir.log")).unwrap();
        assert!(p.is_empty());
        assert_eq!(p.seqno, Seqno::UNKNOWN);
    }

    #[test]
    fn killed_node_recovers_its_seqno() {
        assert_eq!(
            parse(fixture!("wsrep-recover/killed.log")).unwrap(),
            pos("e330a252-e730-11f1-ac14-8f4cd598dd70:6")
        );
        assert_eq!(
            parse(fixture!("wsrep-recover/graceful-stop.log")).unwrap(),
            pos("e394c5ff-e730-11f1-9b78-c24f1def9f8e:2")
        );
    }

    #[test]
    fn real_three_node_crash_recovers_differing_seqnos() {
        let seqnos = [
            parse(fixture!("wsrep-recover/lab3-crash-n1.log")).unwrap(),
            parse(fixture!("wsrep-recover/lab3-crash-n2.log")).unwrap(),
            parse(fixture!("wsrep-recover/lab3-crash-n3.log")).unwrap(),
        ]
        .map(|p| p.seqno.get());
        assert_eq!(seqnos, [13, 13, 6]);
    }

    #[test]
    fn gtid_suffix_is_kept_apart() {
        let r =
            parse_detailed(fixture!("wsrep-recover/killed-binlog-gtid-prepared-xa.log")).unwrap();
        assert_eq!(r.position, pos("ec358b85-e730-11f1-b002-170c60b12a61:5"));
        assert_eq!(r.gtid.as_deref(), Some("0-0-0"));
        assert!(r.prepared_transactions);
        let r = parse_detailed(fixture!(
            "wsrep-recover/killed-binlog-removed-orphan-rolled-back.log"
        ))
        .unwrap();
        assert_eq!(r.position, pos("fc286449-e730-11f1-9a2e-07017ec9ad1a:4"));
        assert_eq!(r.gtid.as_deref(), Some("0-1-3"));
        let r = parse_detailed(fixture!("wsrep-recover/killed.log")).unwrap();
        assert!(!r.prepared_transactions);
        assert_eq!(r.gtid, None);
    }

    #[test]
    fn appended_log_uses_only_the_last_run() {
        let log = fixture!("wsrep-recover/appended-success-then-abort.log");
        assert!(
            log.contains(MARKER),
            "fixture holds an earlier successful run"
        );
        match parse(log) {
            Err(RecoverError::Aborted(cause)) => {
                assert!(cause.starts_with("InnoDB: Upgrade after a crash is not supported"))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse(log),
            parse(fixture!("wsrep-recover/corrupt-redo-log-abort.log"))
        );
    }

    /// Real mariadbd 10.11.19 output: a plugin library that does not load and an Aria permission error come
    /// first (mariadbd goes on), the InnoDB error that aborts the run comes later.
    #[test]
    fn the_fatal_error_is_reported_not_the_first() {
        match parse(fixture!(
            "wsrep-recover/early-nonfatal-errors-then-innodb-abort.log"
        )) {
            Err(RecoverError::Aborted(cause)) => assert!(
                cause.starts_with("InnoDB: redo log file './ib_logfile0' exists"),
                "{cause}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn typed_reasons_when_absent() {
        assert_eq!(
            parse(fixture!("wsrep-recover/empty.log")),
            Err(RecoverError::EmptyLog)
        );
        assert_eq!(
            parse(fixture!("wsrep-recover/prepared-transactions-refused.log")),
            Err(RecoverError::PreparedTransactions { count: 1 })
        );
        assert!(matches!(
            parse(fixture!("wsrep-recover/crash-recovery-failed.log")),
            Err(RecoverError::CrashRecoveryFailed(m)) if m.starts_with("Crash recovery failed")
        ));
        assert_eq!(
            parse("2026-01-01 00:00:00 0 [Note] Starting MariaDB 10.11 as process 1\n"),
            Err(RecoverError::NoPosition)
        );
        assert_eq!(
            parse("x [ERROR] Aborting\n"),
            Err(RecoverError::Aborted(
                "no error message before \"Aborting\"".into()
            ))
        );
    }

    #[test]
    fn last_position_line_wins_and_bad_one_is_an_error() {
        let log = "a [Note] WSREP: Recovered position: 8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a:9\n\
                   b [Note] WSREP: Recovered position: 8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a:10,0-1-10\n";
        assert_eq!(
            parse(log).unwrap(),
            pos("8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a:10")
        );
        let bad = "a [Note] WSREP: Recovered position: 8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a:9\n\
                   b [Note] WSREP: Recovered position: garbage\n";
        assert!(matches!(
            parse(bad),
            Err(RecoverError::BadPosition { text, .. }) if text == "garbage"
        ));
    }

    #[test]
    fn position_from_storage_line_is_not_a_recovery_result() {
        // Printed by a normal start, not by --wsrep-recover.
        let log = "a [Note] WSREP: Recovered position from storage: 8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a:9\n";
        assert_eq!(parse(log), Err(RecoverError::NoPosition));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
            let _ = parse_detailed(&text);
        }

        #[test]
        fn never_panics_on_damaged_position_lines(tail in "\\PC{0,60}") {
            let _ = parse_detailed(&format!("x [Note] WSREP: Recovered position: {tail}\n"));
            let _ = parse_detailed(&format!("x [ERROR] {tail}\nx [ERROR] Aborting\n"));
        }
    }
}
