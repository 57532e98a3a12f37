//! The monitor/probe verdict: what the observed state of mysqld means as an OCF status.
//!
//! The agent's Unpromoted state is "mysqld stopped, position published" (Pacemaker promotes
//! one node to bootstrap and the others to join), so a stopped mysqld is healthy when this
//! agent started the resource, and a running one is reported as Promoted whenever it is in a
//! Primary component. A node that is receiving a state transfer is Promoted too (restarting it
//! would restart the transfer from zero), but not `synced`, so the caller keeps the VIP off it.
//!
//! A Primary node with `read_only` ON fails as Promoted whatever role Pacemaker expects, at
//! OCF_CHECK_LEVEL >= 10 (the admin's opt-in to deep checks): it is in the component but refuses the
//! writes a Promoted instance must take. At the default level the same node stays Promoted (an admin may
//! have set read_only on purpose; restarting mariadbd would undo it) and is only a fallback for the VIP,
//! so the VIP leaves it whenever another node serves writes.
//!
//! [`Serving`] is what the node publishes for the VIP (`<rsc>-synced`): `1` where clients are served
//! (Synced, not desynced, no `wsrep_reject_queries`, not read_only), `desynced` where they are served only
//! in part and only if nobody serves them fully (a Donor, a node desynced by an admin with `wsrep_desync`,
//! one catching up in Joined, a read_only one that still answers reads), `0` where they cannot be at all (a
//! joiner, a node refusing queries). The location rules shipped in crm-examples/ keep the VIP off `0` and
//! prefer `1`, so a fallback node holds the VIP only when no serving node is left.
//!
//! Why Joined and read_only are fallbacks and not `0`: Joined is the step every Donor and every node an
//! admin re-syncs passes on its way back to Synced; as `0` it would pull the VIP off the last node that has
//! the data (two nodes, the other one joining) for the second it takes. read_only ON on every node (a
//! maintenance window) as `0` would take the VIP away everywhere although every node still answers reads.
//!
//! Pure: the caller gathers the [`Observation`] (process check, marker file, one SQL query)
//! and exits with the verdict's [`OcfStatus`] as it is.

use crate::galera::status::{Health, ServerVars};
use crate::ocf::OcfStatus;

/// Whether this node should carry client traffic (the VIP), as published in `<rsc>-synced`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Serving {
    /// Clients cannot be served here: not Synced, Donor or Joined in a Primary component, queries refused
    /// (`wsrep_reject_queries`), or mariadbd not running. `0`: the VIP never comes here.
    No,
    /// Queries served, but it may lag or block (a Donor, `wsrep_desync=ON`, Joined: catching up) or it
    /// refuses writes (`read_only`)
    /// `desynced`: the VIP comes here only when no node is [`Serving::Yes`].
    Fallback,
    /// Synced, queries and writes served. `1`: the VIP prefers these nodes.
    Yes,
}

impl Serving {
    /// The attribute value.
    pub fn as_attr(self) -> &'static str {
        match self {
            Serving::No => "0",
            Serving::Fallback => "desynced",
            Serving::Yes => "1",
        }
    }

    /// An attribute value as published (by this or an earlier version); unknown text is `None`.
    pub fn from_attr(value: &str) -> Option<Self> {
        match value.trim() {
            "0" => Some(Serving::No),
            "desynced" => Some(Serving::Fallback),
            "1" => Some(Serving::Yes),
            _ => None,
        }
    }
}

/// What a running node in the Primary component (or joining it) offers clients. Order matters: a node
/// that refuses queries serves nobody, desynced or not; one that refuses only writes, lags (Donor,
/// desynced) or is catching up (Joined) is a fallback.
pub fn serving(health: Health, vars: &ServerVars) -> Serving {
    match health {
        Health::Synced | Health::Donor | Health::Joined if vars.rejects_queries() => Serving::No,
        Health::Donor | Health::Joined => Serving::Fallback,
        Health::Synced if vars.desynced() || vars.read_only() => Serving::Fallback,
        Health::Synced => Serving::Yes,
        Health::Joiner
        | Health::NonPrimary
        | Health::NotReady
        | Health::Disconnected
        | Health::WsrepDisabled => Serving::No,
    }
}

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
    /// `wsrep_desync`, `wsrep_reject_queries`, `read_only` as the same round trip read them (all `None`
    /// when not read).
    pub server: ServerVars,
    /// OCF_CHECK_LEVEL >= 10: `read_only` ON fails the resource instead of only keeping the VIP away.
    pub read_only_fails: bool,
    pub role: RequestedRole,
    /// The promote started this server to re-form the saved Primary view with the other members
    /// (`decide::election::Decision::Reform`), it has not been seen in a Primary component since, and
    /// `decide::reform::wait` keeps waiting for it.
    pub reforming: bool,
}

/// The verdict: status, a one-line reason for failures, and what the node offers clients (the VIP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// One of `Success`, `ErrGeneric`, `NotRunning`, `RunningPromoted`, `FailedPromoted`.
    pub status: OcfStatus,
    pub reason: Option<String>,
    /// The caller appends its evidence to the reason (which server it saw, the query's error
    /// text): for every failure but read_only ON, where the server's answer is the whole reason.
    pub evidence: bool,
    pub serving: Serving,
}

impl Verdict {
    fn new(status: OcfStatus, reason: Option<String>, serving: Serving) -> Self {
        Verdict {
            status,
            evidence: reason.is_some(),
            reason,
            serving,
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
        Verdict::new(status, Some(why), Serving::No)
    };
    // In the Primary component (or joining it): Promoted, unless it refuses writes at a deep check level.
    let running = |health: Health| {
        if obs.read_only_fails && obs.server.read_only() {
            Verdict {
                evidence: false,
                ..Verdict::new(
                    OcfStatus::FailedPromoted,
                    Some("mariadbd runs in the Primary component but read_only is ON".to_string()),
                    Serving::No,
                )
            }
        } else {
            Verdict::new(
                OcfStatus::RunningPromoted,
                None,
                serving(health, &obs.server),
            )
        }
    };
    match obs.process {
        Process::NotRunning if promoted => Verdict::new(
            if obs.started {
                OcfStatus::FailedPromoted
            } else {
                OcfStatus::NotRunning
            },
            Some("mysqld is not running but the resource should be Promoted".to_string()),
            Serving::No,
        ),
        Process::NotRunning if obs.started => Verdict::new(OcfStatus::Success, None, Serving::No),
        Process::NotRunning => Verdict::new(OcfStatus::NotRunning, None, Serving::No),
        // Not yet a component: the other members of the saved view are still starting (their socket opens
        // once the component is formed).
        Process::Running
            if obs.reforming
                && promoted
                && matches!(
                    obs.health,
                    Some(
                        Err(QueryFailure::Connect | QueryFailure::Timeout)
                            | Ok(Health::NonPrimary | Health::NotReady | Health::Disconnected)
                    )
                ) =>
        {
            Verdict::new(OcfStatus::RunningPromoted, None, Serving::No)
        }
        Process::Running => match obs.health {
            None => failed("mysqld runs but its wsrep status was not checked".to_string()),
            Some(Err(kind)) => failed(format!("mysqld runs but {}", kind.describe())),
            Some(Ok(health)) => match health {
                // Synced: serving unless desynced or refusing; a Donor has all data but may be blocked
                // or lagging while it feeds a joiner; a joiner's transfer is under way: Promoted, not
                // serving (see [`serving`]).
                Health::Synced | Health::Donor | Health::Joiner | Health::Joined => running(health),
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
    use crate::galera::status::RejectQueries;

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

    const ALL_REJECT: [Option<RejectQueries>; 5] = [
        None,
        Some(RejectQueries::None),
        Some(RejectQueries::All),
        Some(RejectQueries::AllKill),
        Some(RejectQueries::Other),
    ];
    const TRI: [Option<bool>; 3] = [None, Some(false), Some(true)];

    /// Every combination of the server variables the monitor reads.
    fn all_server_vars() -> Vec<ServerVars> {
        let mut out = Vec::new();
        for desync in TRI {
            for reject_queries in ALL_REJECT {
                for read_only in TRI {
                    out.push(ServerVars {
                        desync,
                        reject_queries,
                        read_only,
                    });
                }
            }
        }
        out
    }

    #[test]
    fn exhaustive_table_over_all_inputs() {
        let rows = table();
        let mut healths: Vec<Option<Result<Health, QueryFailure>>> = vec![None];
        healths.extend(ALL_HEALTH.iter().map(|h| Some(Ok(*h))));
        healths.extend(ALL_FAILURES.iter().map(|f| Some(Err(*f))));
        let vars = all_server_vars();
        let mut combinations = 0;
        for process in [Process::NotRunning, Process::Running] {
            for started in [false, true] {
                for health in &healths {
                    for server in &vars {
                        for read_only_fails in [false, true] {
                            for role in ALL_ROLES {
                                let obs = Observation {
                                    process,
                                    started,
                                    health: *health,
                                    server: *server,
                                    read_only_fails,
                                    role,
                                    reforming: false,
                                };
                                check_one(&rows, &obs);
                                combinations += 1;
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(combinations, 2 * 2 * 13 * 45 * 2 * 3);
    }

    fn check_one(rows: &[Row], obs: &Observation) {
        let on = obs.read_only_fails && obs.server.read_only == Some(true);
        let hits: Vec<&Row> = rows
            .iter()
            .filter(|r| {
                r.process.is_none_or(|p| p == obs.process)
                    && r.started.is_none_or(|s| s == obs.started)
                    && r.role.is_none_or(|x| x == obs.role)
                    && r.health.is_none_or(|c| matches_col(c, obs.health))
                    && r.read_only_on.is_none_or(|o| o == on)
            })
            .collect();
        assert_eq!(hits.len(), 1, "{obs:?} matches {} rows", hits.len());
        let want = hits[0];
        let got = verdict(obs);
        assert_eq!(got.status, want.status, "{obs:?}");
        // What the node offers clients: nothing unless it runs Promoted; then what `serving` says (its own
        // exhaustive test below), which with a server refusing nothing is `1` exactly for a Synced node.
        match (got.status, obs.health) {
            (OcfStatus::RunningPromoted, Some(Ok(h))) => {
                assert_eq!(got.serving, serving(h, &obs.server), "{obs:?}")
            }
            _ => assert_eq!(got.serving, Serving::No, "{obs:?}"),
        }
        if obs.server == ServerVars::default() {
            assert_eq!(got.serving == Serving::Yes, want.synced, "{obs:?}");
        }
        assert_eq!(got.reason.is_some(), want.has_reason, "{obs:?}: {got:?}");
        if let Some(r) = &got.reason {
            assert!(!r.is_empty() && !r.contains('\n'));
        }
        assert_eq!(
            got.evidence,
            want.has_reason && want.read_only_on != Some(true),
            "{obs:?}"
        );
    }

    /// `serving` over every health and every combination of the server variables, against the rules
    /// written out: only Synced, Donor or Joined serve at all; refusing queries serves nobody; a Donor, a
    /// Joined node, a desynced or read_only Synced node is the fallback; the rest is `1`.
    #[test]
    fn serving_over_every_health_and_variable() {
        let mut n = 0;
        for health in ALL_HEALTH {
            for vars in all_server_vars() {
                let refuses = matches!(
                    vars.reject_queries,
                    Some(RejectQueries::All | RejectQueries::AllKill | RejectQueries::Other)
                );
                let lags_or_reads_only = vars.desync == Some(true) || vars.read_only == Some(true);
                let want = match health {
                    Health::Synced | Health::Donor | Health::Joined if refuses => Serving::No,
                    Health::Donor | Health::Joined => Serving::Fallback,
                    Health::Synced if lags_or_reads_only => Serving::Fallback,
                    Health::Synced => Serving::Yes,
                    _ => Serving::No,
                };
                assert_eq!(serving(health, &vars), want, "{health:?} {vars:?}");
                n += 1;
            }
        }
        assert_eq!(n, 8 * 45);
    }

    /// The published values, and what an earlier version published ("1"/"0"), read back the same way;
    /// the order is the VIP's preference.
    #[test]
    fn serving_attribute_values_round_trip() {
        for s in [Serving::No, Serving::Fallback, Serving::Yes] {
            assert_eq!(Serving::from_attr(s.as_attr()), Some(s));
        }
        assert_eq!(Serving::from_attr(" 1\n"), Some(Serving::Yes));
        assert_eq!(Serving::from_attr("true"), None);
        assert!(Serving::No < Serving::Fallback && Serving::Fallback < Serving::Yes);
    }

    /// An admin's desync or reject_queries leaves the node Promoted (nothing to recover) and only moves the
    /// VIP: a node desynced for a backup is not restarted.
    #[test]
    fn desync_and_reject_queries_never_fail_the_resource() {
        for vars in all_server_vars() {
            for read_only_fails in [false, true] {
                let obs = Observation {
                    process: Process::Running,
                    started: true,
                    health: Some(Ok(Health::Synced)),
                    server: vars,
                    read_only_fails,
                    role: RequestedRole::Promoted,
                    reforming: false,
                };
                let v = verdict(&obs);
                let fails = read_only_fails && vars.read_only == Some(true);
                assert_eq!(
                    v.status,
                    if fails {
                        OcfStatus::FailedPromoted
                    } else {
                        OcfStatus::RunningPromoted
                    },
                    "{obs:?}"
                );
            }
        }
    }

    /// A server re-forming the saved view (within the grace) is Promoted but serves nobody while it has no
    /// component yet: its socket is closed (startup waits for the component) or it is outside a Primary
    /// component. Anything else is judged as always: a vanished server, a refused check user, an
    /// instance Pacemaker does not expect Promoted.
    #[test]
    fn a_re_forming_server_waits_promoted_without_clients() {
        let base = Observation {
            process: Process::Running,
            started: true,
            health: Some(Err(QueryFailure::Connect)),
            server: ServerVars::default(),
            read_only_fails: false,
            role: RequestedRole::Promoted,
            reforming: true,
        };
        for health in [
            Err(QueryFailure::Connect),
            Err(QueryFailure::Timeout),
            Ok(Health::NonPrimary),
            Ok(Health::NotReady),
            Ok(Health::Disconnected),
        ] {
            let v = verdict(&Observation {
                health: Some(health),
                ..base
            });
            assert_eq!(
                (v.status, v.serving, v.reason),
                (OcfStatus::RunningPromoted, Serving::No, None),
                "{health:?}"
            );
            let after_grace = verdict(&Observation {
                health: Some(health),
                reforming: false,
                ..base
            });
            assert_eq!(after_grace.status, OcfStatus::FailedPromoted, "{health:?}");
        }
        for other in [
            Observation {
                process: Process::NotRunning,
                ..base
            },
            Observation {
                health: Some(Err(QueryFailure::Auth)),
                ..base
            },
            Observation {
                health: Some(Ok(Health::WsrepDisabled)),
                ..base
            },
            Observation {
                role: RequestedRole::Unpromoted,
                ..base
            },
        ] {
            assert_ne!(
                verdict(&other).status,
                OcfStatus::RunningPromoted,
                "{other:?}"
            );
        }
        // Once in the component it is judged by its health (Synced: serving).
        let synced = verdict(&Observation {
            health: Some(Ok(Health::Synced)),
            ..base
        });
        assert_eq!(
            (synced.status, synced.serving),
            (OcfStatus::RunningPromoted, Serving::Yes)
        );
    }

    #[test]
    fn reasons_name_the_problem() {
        let v = verdict(&Observation {
            process: Process::Running,
            started: true,
            health: Some(Ok(Health::NonPrimary)),
            server: ServerVars::default(),
            read_only_fails: false,
            role: RequestedRole::Promoted,
            reforming: false,
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
            server: ServerVars::default(),
            read_only_fails: false,
            role: RequestedRole::Unspecified,
            reforming: false,
        });
        assert_eq!(v.status, OcfStatus::ErrGeneric);
        assert_eq!(
            v.reason.as_deref(),
            Some("mysqld runs but the check user was refused")
        );
    }

    /// At OCF_CHECK_LEVEL >= 10 a Primary (or joining) node with read_only ON fails as Promoted, also on a
    /// probe or when Pacemaker expects it Unpromoted; the reason is the server's answer, nothing appended.
    /// At the default level it stays Promoted and is at most a fallback for the VIP (`0` for a joiner).
    #[test]
    fn read_only_on_fails_as_promoted_whatever_the_role() {
        for health in [
            Health::Synced,
            Health::Donor,
            Health::Joiner,
            Health::Joined,
        ] {
            for role in ALL_ROLES {
                let ro = ServerVars {
                    read_only: Some(true),
                    ..ServerVars::default()
                };
                let obs = Observation {
                    process: Process::Running,
                    started: false,
                    health: Some(Ok(health)),
                    server: ro,
                    read_only_fails: true,
                    role,
                    reforming: false,
                };
                let v = verdict(&obs);
                assert_eq!(v.status, OcfStatus::FailedPromoted, "{obs:?}");
                assert_eq!(
                    v.reason.as_deref(),
                    Some("mariadbd runs in the Primary component but read_only is ON")
                );
                assert!(!v.evidence && v.serving == Serving::No, "{obs:?}");
                let shallow = verdict(&Observation {
                    read_only_fails: false,
                    ..obs
                });
                assert_eq!(shallow.status, OcfStatus::RunningPromoted, "{obs:?}");
                assert_eq!(
                    shallow.serving,
                    if health == Health::Joiner {
                        Serving::No
                    } else {
                        Serving::Fallback
                    },
                    "{obs:?}"
                );
                let off = verdict(&Observation {
                    server: ServerVars::default(),
                    ..obs
                });
                assert_eq!(off.status, OcfStatus::RunningPromoted, "{obs:?}");
                assert_eq!(
                    off.serving == Serving::Yes,
                    health == Health::Synced,
                    "{obs:?}"
                );
            }
        }
    }
}
