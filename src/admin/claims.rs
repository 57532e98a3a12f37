//! A `state=primary` report is a claim with a time: made when the node was promoted, not refreshed while it
//! runs (the monitor stays fork-free), and still there for up to one monitor interval after its server
//! died. `status` checks what it can before it shows a decision built on such a claim (issue 18): the local
//! server over SQL, each peer against Pacemaker's current role and failures and against its Galera port.
//! What it cannot check it calls unverified, with the claim's age. Pure: the gathering is in `admin`.

use std::collections::BTreeMap;
use std::fmt;

use crate::galera::report::{NodeState, Report};
use crate::pcmk::cib::InstanceRole;

/// What the local server said when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalServer {
    /// Not asked or did not answer in time.
    Unknown,
    NotRunning,
    /// Answers, in the Primary component.
    Primary,
    /// Answers, but not in the Primary component (its wsrep status).
    NotPrimary(String),
}

/// Everything `status` could check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The node `status` runs on.
    pub here: Option<String>,
    pub local: LocalServer,
    /// Pacemaker's instances of the resource by node (`None`: crm_mon could not be read).
    pub roles: Option<BTreeMap<String, InstanceRole>>,
    /// Whether each claimed Primary node's Galera port answered.
    pub port_open: BTreeMap<String, bool>,
}

/// How far a primary claim holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The local server answers in the Primary component now.
    Live,
    /// Nothing contradicts it, but nothing here can confirm it either.
    Unverified { age: u64 },
    /// Something shows it is not (or no longer) true.
    Contradicted(String),
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Claim::Live => f.write_str("live (its server answers in the Primary component)"),
            Claim::Unverified { age } => write!(
                f,
                "unverified (claimed {age} s ago; Pacemaker shows it Promoted; its server is not asked \
                 from here)"
            ),
            Claim::Contradicted(why) => write!(f, "contradicted: {why}"),
        }
    }
}

impl Claim {
    pub fn kind(&self) -> &'static str {
        match self {
            Claim::Live => "live",
            Claim::Unverified { .. } => "unverified",
            Claim::Contradicted(_) => "contradicted",
        }
    }
}

/// The claim of `node`'s report, if it makes one (`state=primary`).
pub fn classify(node: &str, report: &Report, e: &Evidence, now: u64) -> Option<Claim> {
    if report.state != NodeState::Primary {
        return None;
    }
    if e.here.as_deref() == Some(node) {
        return Some(match &e.local {
            LocalServer::Primary => Claim::Live,
            LocalServer::NotRunning => Claim::Contradicted("its server is not running".into()),
            LocalServer::NotPrimary(s) => Claim::Contradicted(format!("its server is {s}")),
            LocalServer::Unknown => Claim::Unverified {
                age: now.saturating_sub(report.at),
            },
        });
    }
    if let Some(roles) = &e.roles {
        match roles.get(node) {
            None => {
                return Some(Claim::Contradicted(
                    "Pacemaker shows no instance there".into(),
                ))
            }
            Some(r) if r.failed => {
                return Some(Claim::Contradicted(format!(
                    "Pacemaker shows its instance {} and failed",
                    r.role
                )))
            }
            Some(r) if r.role != "Promoted" => {
                return Some(Claim::Contradicted(format!(
                    "Pacemaker shows its instance {}",
                    r.role
                )))
            }
            Some(_) => {}
        }
    }
    if e.port_open.get(node) == Some(&false) {
        return Some(Claim::Contradicted(
            "nothing answers on its Galera port".into(),
        ));
    }
    Some(Claim::Unverified {
        age: now.saturating_sub(report.at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::galera::position::Position;

    fn report(state: NodeState, at: u64) -> Report {
        Report {
            position: Position::EMPTY,
            safe_to_bootstrap: false,
            state,
            at,
            view: None,
            pc: crate::galera::report::SavedPc::Absent,
        }
    }

    fn role(role: &str, failed: bool) -> InstanceRole {
        InstanceRole {
            role: role.into(),
            failed,
        }
    }

    fn evidence() -> Evidence {
        Evidence {
            here: Some("n1".into()),
            local: LocalServer::Primary,
            roles: Some(
                [
                    ("n1".to_string(), role("Promoted", false)),
                    ("n2".to_string(), role("Promoted", false)),
                    ("n3".to_string(), role("Promoted", true)),
                ]
                .into(),
            ),
            port_open: [("n2".to_string(), true)].into(),
        }
    }

    #[test]
    fn only_primary_reports_claim_anything() {
        assert_eq!(
            classify("n2", &report(NodeState::Stopped, 1), &evidence(), 9),
            None
        );
    }

    #[test]
    fn the_local_server_is_asked() {
        let mut e = evidence();
        assert_eq!(
            classify("n1", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Live)
        );
        e.local = LocalServer::NotPrimary("non-Primary".into());
        assert!(matches!(
            classify("n1", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Contradicted(w)) if w.contains("non-Primary")
        ));
        e.local = LocalServer::NotRunning;
        assert!(matches!(
            classify("n1", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Contradicted(_))
        ));
    }

    #[test]
    fn peers_are_checked_against_pacemaker_and_their_port() {
        let mut e = evidence();
        // Promoted, port open: nothing here can confirm more.
        assert_eq!(
            classify("n2", &report(NodeState::Primary, 900), &e, 933),
            Some(Claim::Unverified { age: 33 })
        );
        // Failed in Pacemaker's view.
        assert!(matches!(
            classify("n3", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Contradicted(w)) if w.contains("failed")
        ));
        // Port closed.
        e.port_open.insert("n2".into(), false);
        assert!(matches!(
            classify("n2", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Contradicted(w)) if w.contains("Galera port")
        ));
        // Not Promoted, or no instance at all.
        e.roles = Some([("n2".to_string(), role("Unpromoted", false))].into());
        assert!(matches!(
            classify("n2", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Contradicted(w)) if w.contains("Unpromoted")
        ));
        assert!(matches!(
            classify("n4", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Contradicted(_))
        ));
        // crm_mon unreadable: only the port is left.
        e.roles = None;
        e.port_open.clear();
        assert!(matches!(
            classify("n2", &report(NodeState::Primary, 1), &e, 9),
            Some(Claim::Unverified { .. })
        ));
    }
}
