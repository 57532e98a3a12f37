//! The action-dependent adjustments between an action's result and the exit code Pacemaker sees.
//!
//! Pacemaker probes and stops resources on every node, also where the configuration cannot work (a node
//! without the binary, a node outside wsrep_cluster_address). Answering those with a configuration error
//! would block or fence needlessly, so — as the OCF guide asks — a stop returns 0 and a monitor 7 when the
//! configuration is broken *and* no mariadbd of the configured data directory runs. When one does run, the
//! error stands: a stop that cannot vouch for a stopped server must not report success.
//!
//! A contradiction in this node's option file ([`Error::OptionFile`]) is 6 only for validate-all; any
//! other action reports it as 2 (this node only): Pacemaker answers a 6 from one instance by stopping the
//! clone everywhere, and one node's my.cnf must not take the healthy members down.

use crate::error::Error;
use crate::ocf::{Action, OcfStatus};

/// What an action ends with: a status and, for failures, the one exit-reason text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: OcfStatus,
    pub reason: Option<String>,
}

impl Outcome {
    pub fn ok() -> Outcome {
        Outcome::of(OcfStatus::Success)
    }

    pub fn of(status: OcfStatus) -> Outcome {
        Outcome {
            status,
            reason: None,
        }
    }

    pub fn failed(status: OcfStatus, reason: impl Into<String>) -> Outcome {
        Outcome {
            status,
            reason: Some(reason.into()),
        }
    }
}

/// Whether [`finish`] needs to know if mariadbd runs (the caller then scans /proc; otherwise it does not).
pub fn needs_process_check(action: Action, result: &Result<Outcome, Error>) -> bool {
    matches!(action, Action::Stop | Action::Monitor | Action::Status)
        && matches!(result, Err(e) if e.is_configuration())
}

/// The final outcome. `mysqld_running` is `Some` exactly when [`needs_process_check`] said so.
pub fn finish(
    action: Action,
    result: Result<Outcome, Error>,
    mysqld_running: Option<bool>,
) -> Outcome {
    match result {
        Ok(outcome) => outcome,
        Err(e @ Error::OptionFile { .. }) if action != Action::ValidateAll => {
            Outcome::failed(OcfStatus::ErrArgs, e.to_string())
        }
        Err(e) if e.is_configuration() && mysqld_running == Some(false) => match action {
            Action::Stop => Outcome::ok(),
            Action::Monitor | Action::Status => Outcome::of(OcfStatus::NotRunning),
            _ => Outcome::failed(e.ocf_status(), e.to_string()),
        },
        Err(e) => Outcome::failed(e.ocf_status(), e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg_err() -> Result<Outcome, Error> {
        Err(Error::installed("binary", "missing"))
    }

    #[test]
    fn table() {
        use Action::*;
        let cases = [
            (Stop, Some(false), 0),
            (Stop, Some(true), 5),
            (Monitor, Some(false), 7),
            (Monitor, Some(true), 5),
            (Status, Some(false), 7),
            (Start, None, 5),
            (Promote, None, 5),
            (ValidateAll, None, 5),
        ];
        for (action, running, code) in cases {
            let r = cfg_err();
            assert_eq!(
                needs_process_check(action, &r),
                running.is_some(),
                "{action}"
            );
            assert_eq!(finish(action, r, running).status.code(), code, "{action}");
        }
    }

    #[test]
    fn option_file_contradictions_ban_only_this_node_outside_validate_all() {
        for (action, code) in [(Action::ValidateAll, 6), (Action::Start, 2)] {
            let r: Result<Outcome, Error> = Err(Error::option_file("datadir", "differs"));
            assert!(!needs_process_check(action, &r));
            let o = finish(action, r, None);
            assert_eq!(o.status.code(), code, "{action}");
            assert_eq!(o.reason.as_deref(), Some("parameter datadir: differs"));
        }
    }

    #[test]
    fn runtime_errors_are_never_softened() {
        let r: Result<Outcome, Error> = Err(Error::StillRunning {
            left: "mariadbd (pid 1)".into(),
        });
        assert!(!needs_process_check(Action::Stop, &r));
        let o = finish(Action::Stop, r, None);
        assert_eq!(o.status, OcfStatus::ErrGeneric);
        assert!(o.reason.is_some());
    }

    #[test]
    fn success_passes_through() {
        let o = finish(
            Action::Monitor,
            Ok(Outcome::of(OcfStatus::RunningPromoted)),
            None,
        );
        assert_eq!(o.status.code(), 8);
    }
}
