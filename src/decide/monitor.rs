//! The monitor/probe verdict: what the observed state of mysqld means as an OCF status.
//!
//! The agent's Unpromoted state is "mysqld stopped, position published" (Pacemaker promotes
//! one node to bootstrap and the others to join), so a stopped mysqld is healthy when this
//! agent started the resource, and a running one is reported as Promoted whenever it is in a
//! Primary component. A node that is receiving a state transfer is Promoted too (restarting it
//! would restart the transfer from zero), but not `synced`, so the caller keeps the VIP off it.
//!
//! A Primary node with `read_only` ON fails as Promoted whatever role Pacemaker expects: it is
//! in the component but refuses the writes a Promoted instance must take.
//!
//! Pure: the caller gathers the [`Observation`] (process check, marker file, one SQL query)
//! and exits with the verdict's [`OcfStatus`] as it is.

use crate::galera::status::Health;
use crate::ocf::OcfStatus;

/// Whether a mysqld of this datadir runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    NotRunning,
    Running,
}

/// The role Pacemaker expects (`OCF_RESKEY_CRM_meta_role`), absent on probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestedRole {
    Promoted,
    Unpromoted,
    Unspecified,
}

/// Why the status query did not produce an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFailure {
    /// Could not connect to the socket (not listening yet, or refused).
    Connect,
    /// Connected, but the check user was refused.
    Auth,
    /// No answer within the time allowed.
    Timeout,
    /// The query failed or returned unreadable rows.
    Query,
}

impl QueryFailure {
    fn describe(self) -> &'static str {
        match self {
            QueryFailure::Connect => "cannot connect to its socket",
            QueryFailure::Auth => "the check user was refused",
            QueryFailure::Timeout => "the status query timed out",
            QueryFailure::Query => "the status query failed",
        }
    }
}

/// What the monitor saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    pub process: Process,
    /// This agent started the resource (as Unpromoted) and has not stopped it since.
    pub started: bool,
    /// Result of the wsrep status query; `None` when it was not attempted.
    pub health: Option<Result<Health, QueryFailure>>,
    /// `@@read_only` as the same query read it; `None` when not read.
    pub read_only: Option<bool>,
    pub role: RequestedRole,
}

/// The verdict: status, a one-line reason for failures, and whether the node is Synced (the
/// only state in which it should carry client traffic, e.g. the VIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// One of `Success`, `ErrGeneric`, `NotRunning`, `RunningPromoted`, `FailedPromoted`.
    pub status: OcfStatus,
    pub reason: Option<String>,
    /// The caller appends its evidence to the reason (which server it saw, the query's error
    /// text): for every failure but read_only ON, where the server's answer is the whole reason.
    pub evidence: bool,
    pub synced: bool,
}

impl Verdict {
    fn new(status: OcfStatus, reason: Option<String>, synced: bool) -> Self {
        Verdict {
            status,
            evidence: reason.is_some(),
            reason,
            synced,
        }
    }
}

/// Computes the monitor verdict.
pub fn verdict(obs: &Observation) -> Verdict {
    let promoted = obs.role == RequestedRole::Promoted;
    // A failure of a node Pacemaker believes Promoted is FAILED_PROMOTED, so it demotes/recovers
    // it as a Promoted instance; otherwise it is a plain error.
    let failed = |why: String| {
        let status = if promoted {
            OcfStatus::FailedPromoted
        } else {
            OcfStatus::ErrGeneric
        };
        Verdict::new(status, Some(why), false)
    };
    // In the Primary component (or joining it): Promoted, unless it refuses writes.
    let running = |synced: bool| match obs.read_only {
        Some(true) => Verdict {
            evidence: false,
            ..Verdict::new(
                OcfStatus::FailedPromoted,
                Some("mariadbd runs in the Primary component but read_only is ON".to_string()),
                false,
            )
        },
        _ => Verdict::new(OcfStatus::RunningPromoted, None, synced),
    };
    match obs.process {
        Process::NotRunning if promoted => Verdict::new(
            if obs.started {
                OcfStatus::FailedPromoted
            } else {
                OcfStatus::NotRunning
            },
            Some("mysqld is not running but the resource should be Promoted".to_string()),
            false,
        ),
        Process::NotRunning if obs.started => Verdict::new(OcfStatus::Success, None, false),
        Process::NotRunning => Verdict::new(OcfStatus::NotRunning, None, false),
        Process::Running => match obs.health {
            None => failed("mysqld runs but its wsrep status was not checked".to_string()),
            Some(Err(kind)) => failed(format!("mysqld runs but {}", kind.describe())),
            Some(Ok(health)) => match health {
                Health::Synced => running(true),
                // Has all data but may be blocked or lagging while it feeds a joiner.
                Health::Donor => running(false),
                // In the Primary component, transfer under way: Promoted, not synced.
                Health::Joiner | Health::Joined => running(false),
                Health::NonPrimary => {
                    failed("mysqld runs outside a Primary component (non-Primary)".to_string())
                }
                Health::NotReady => failed("mysqld runs but wsrep is not ready".to_string()),
                Health::Disconnected => {
                    failed("mysqld runs but Galera is disconnected from the cluster".to_string())
                }
                Health::WsrepDisabled => {
                    failed("mysqld runs without Galera (no wsrep status)".to_string())
                }
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `None` in a table column matches any value.
    struct Row {
        process: Option<Process>,
        started: Option<bool>,
        health: Option<HealthCol>,
        /// Whether read_only is ON (`Some(true)`) or not (`Some(false)`: off or not read).
        read_only_on: Option<bool>,
        role: Option<RequestedRole>,
        status: OcfStatus,
        synced: bool,
        has_reason: bool,
    }

    #[derive(Clone, Copy, PartialEq)]
    enum HealthCol {
        NotChecked,
        Failed,
        Is(Health),
        PrimaryFailure, // NonPrimary | NotReady | Disconnected | WsrepDisabled
    }

    fn matches_col(col: HealthCol, h: Option<Result<Health, QueryFailure>>) -> bool {
        match (col, h) {
            (HealthCol::NotChecked, None) => true,
            (HealthCol::Failed, Some(Err(_))) => true,
            (HealthCol::Is(a), Some(Ok(b))) => a == b,
            (HealthCol::PrimaryFailure, Some(Ok(b))) => matches!(
                b,
                Health::NonPrimary
                    | Health::NotReady
                    | Health::Disconnected
                    | Health::WsrepDisabled
            ),
            _ => false,
        }
    }

    const ALL_HEALTH: [Health; 8] = [
        Health::Synced,
        Health::Donor,
        Health::Joiner,
        Health::Joined,
        Health::NonPrimary,
        Health::NotReady,
        Health::Disconnected,
        Health::WsrepDisabled,
    ];
    const ALL_FAILURES: [QueryFailure; 4] = [
        QueryFailure::Connect,
        QueryFailure::Auth,
        QueryFailure::Timeout,
        QueryFailure::Query,
    ];
    const ALL_ROLES: [RequestedRole; 3] = [
        RequestedRole::Promoted,
        RequestedRole::Unpromoted,
        RequestedRole::Unspecified,
    ];

    fn table() -> Vec<Row> {
        use HealthCol as H;
        use OcfStatus::*;
        use Process::{NotRunning as Down, Running as Up};
        use RequestedRole::*;
        let row = |process, started, health, role, status, synced, has_reason| Row {
            process,
            started,
            health,
            read_only_on: None,
            role,
            status,
            synced,
            has_reason,
        };
        let not_promoted = [Some(Unpromoted), Some(Unspecified)];
        let mut rows = vec![
            // Stopped mysqld.
            row(
                Some(Down),
                Some(false),
                None,
                Some(Promoted),
                NotRunning,
                false,
                true,
            ),
            row(
                Some(Down),
                Some(true),
                None,
                Some(Promoted),
                FailedPromoted,
                false,
                true,
            ),
            // Running and healthy: the truth, whatever role is expected.
            row(
                Some(Up),
                None,
                Some(H::Is(Health::Synced)),
                None,
                RunningPromoted,
                true,
                false,
            ),
            row(
                Some(Up),
                None,
                Some(H::Is(Health::Donor)),
                None,
                RunningPromoted,
                false,
                false,
            ),
            row(
                Some(Up),
                None,
                Some(H::Is(Health::Joiner)),
                None,
                RunningPromoted,
                false,
                false,
            ),
            row(
                Some(Up),
                None,
                Some(H::Is(Health::Joined)),
                None,
                RunningPromoted,
                false,
                false,
            ),
            // Running and broken, or unknown.
            row(
                Some(Up),
                None,
                Some(H::PrimaryFailure),
                Some(Promoted),
                FailedPromoted,
                false,
                true,
            ),
            row(
                Some(Up),
                None,
                Some(H::Failed),
                Some(Promoted),
                FailedPromoted,
                false,
                true,
            ),
            row(
                Some(Up),
                None,
                Some(H::NotChecked),
                Some(Promoted),
                FailedPromoted,
                false,
                true,
            ),
        ];
        // Healthy as above only while read_only is not ON; with it, a failure as Promoted whatever
        // role is expected.
        let healthy = [
            Health::Synced,
            Health::Donor,
            Health::Joiner,
            Health::Joined,
        ];
        for r in &mut rows {
            if r.health
                .is_some_and(|c| healthy.iter().any(|h| c == H::Is(*h)))
            {
                r.read_only_on = Some(false);
            }
        }
        for h in healthy {
            rows.push(Row {
                read_only_on: Some(true),
                ..row(
                    Some(Up),
                    None,
                    Some(H::Is(h)),
                    None,
                    FailedPromoted,
                    false,
                    true,
                )
            });
        }
        for role in not_promoted {
            rows.push(row(
                Some(Down),
                Some(false),
                None,
                role,
                NotRunning,
                false,
                false,
            ));
            rows.push(row(
                Some(Down),
                Some(true),
                None,
                role,
                Success,
                false,
                false,
            ));
            rows.push(row(
                Some(Up),
                None,
                Some(H::PrimaryFailure),
                role,
                ErrGeneric,
                false,
                true,
            ));
            rows.push(row(
                Some(Up),
                None,
                Some(H::Failed),
                role,
                ErrGeneric,
                false,
                true,
            ));
            rows.push(row(
                Some(Up),
                None,
                Some(H::NotChecked),
                role,
                ErrGeneric,
                false,
                true,
            ));
        }
        rows
    }

    #[test]
    fn exhaustive_table_over_all_inputs() {
        let rows = table();
        let mut healths: Vec<Option<Result<Health, QueryFailure>>> = vec![None];
        healths.extend(ALL_HEALTH.iter().map(|h| Some(Ok(*h))));
        healths.extend(ALL_FAILURES.iter().map(|f| Some(Err(*f))));
        let mut combinations = 0;
        for process in [Process::NotRunning, Process::Running] {
            for started in [false, true] {
                for health in &healths {
                    for read_only in [None, Some(false), Some(true)] {
                        for role in ALL_ROLES {
                            let obs = Observation {
                                process,
                                started,
                                health: *health,
                                read_only,
                                role,
                            };
                            let on = read_only == Some(true);
                            let hits: Vec<&Row> = rows
                                .iter()
                                .filter(|r| {
                                    r.process.is_none_or(|p| p == process)
                                        && r.started.is_none_or(|s| s == started)
                                        && r.role.is_none_or(|x| x == role)
                                        && r.health.is_none_or(|c| matches_col(c, *health))
                                        && r.read_only_on.is_none_or(|o| o == on)
                                })
                                .collect();
                            assert_eq!(hits.len(), 1, "{obs:?} matches {} rows", hits.len());
                            let want = hits[0];
                            let got = verdict(&obs);
                            assert_eq!(got.status, want.status, "{obs:?}");
                            assert_eq!(got.synced, want.synced, "{obs:?}");
                            assert_eq!(got.reason.is_some(), want.has_reason, "{obs:?}: {got:?}");
                            if let Some(r) = &got.reason {
                                assert!(!r.is_empty() && !r.contains('\n'));
                            }
                            assert_eq!(
                                got.evidence,
                                want.has_reason && want.read_only_on != Some(true),
                                "{obs:?}"
                            );
                            combinations += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(combinations, 2 * 2 * 13 * 3 * 3);
    }

    #[test]
    fn reasons_name_the_problem() {
        let v = verdict(&Observation {
            process: Process::Running,
            started: true,
            health: Some(Ok(Health::NonPrimary)),
            read_only: None,
            role: RequestedRole::Promoted,
        });
        assert_eq!(v.status, OcfStatus::FailedPromoted);
        assert_eq!(
            v.reason.as_deref(),
            Some("mysqld runs outside a Primary component (non-Primary)")
        );
        let v = verdict(&Observation {
            process: Process::Running,
            started: true,
            health: Some(Err(QueryFailure::Auth)),
            read_only: None,
            role: RequestedRole::Unspecified,
        });
        assert_eq!(v.status, OcfStatus::ErrGeneric);
        assert_eq!(
            v.reason.as_deref(),
            Some("mysqld runs but the check user was refused")
        );
    }

    /// A Primary (or joining) node with read_only ON fails as Promoted, also on a probe or when
    /// Pacemaker expects it Unpromoted; the reason is the server's answer, nothing appended.
    #[test]
    fn read_only_on_fails_as_promoted_whatever_the_role() {
        for health in [
            Health::Synced,
            Health::Donor,
            Health::Joiner,
            Health::Joined,
        ] {
            for role in ALL_ROLES {
                let obs = Observation {
                    process: Process::Running,
                    started: false,
                    health: Some(Ok(health)),
                    read_only: Some(true),
                    role,
                };
                let v = verdict(&obs);
                assert_eq!(v.status, OcfStatus::FailedPromoted, "{obs:?}");
                assert_eq!(
                    v.reason.as_deref(),
                    Some("mariadbd runs in the Primary component but read_only is ON")
                );
                assert!(!v.evidence && !v.synced, "{obs:?}");
                let off = verdict(&Observation {
                    read_only: Some(false),
                    ..obs
                });
                assert_eq!(off.status, OcfStatus::RunningPromoted, "{obs:?}");
                assert_eq!(off.synced, health == Health::Synced, "{obs:?}");
            }
        }
    }
}
