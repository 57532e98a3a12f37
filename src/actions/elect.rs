//! The seam to the pure election (`decide::election`): what a decision means for this node, and the
//! administrator's override.
//!
//! Override: `galera-ocf bootstrap --force NODE` sets the transient attribute `<rsc>-force-bootstrap=1` on
//! NODE. While it is set and no Primary component runs, NODE is the bootstrap node whatever the election
//! says (a running Primary component always wins: everyone joins it). The promote of NODE clears it.

use std::collections::{BTreeMap, BTreeSet};

use crate::actions::common::SCORE;
use crate::decide::election::{self, Decision, NodeAction};
use crate::decide::NodeName;
use crate::edge::cib::NodeAttrs;
use crate::galera::report::Report;

/// The election, with two_node_mode applied: in a 2-node cluster the node that has not reported is
/// assumed gone — Pacemaker runs resources only in a quorate partition, and with two_node quorum that is
/// safe only with fencing, which then has removed the other node — so the survivor decides alone.
pub fn decide(
    expected: &BTreeSet<NodeName>,
    reports: &BTreeMap<NodeName, Report>,
    two_node_mode: bool,
) -> Decision {
    match two_node_excused(expected, reports, two_node_mode) {
        Some(gone) => {
            let alone: BTreeSet<NodeName> =
                expected.iter().filter(|n| **n != gone).cloned().collect();
            election::decide(&alone, reports)
        }
        None => election::decide(expected, reports),
    }
}

/// The node two_node_mode decides without, if it applies (2 expected nodes, exactly one silent, and the
/// election would otherwise wait for it).
pub fn two_node_excused(
    expected: &BTreeSet<NodeName>,
    reports: &BTreeMap<NodeName, Report>,
    two_node_mode: bool,
) -> Option<NodeName> {
    if !two_node_mode || expected.len() != 2 {
        return None;
    }
    match election::decide(expected, reports) {
        Decision::Wait { missing, .. } if missing.len() == 1 => missing.into_iter().next(),
        _ => None,
    }
}

/// One sentence for logs, status and exit reasons.
pub fn explain(d: &Decision) -> String {
    d.explain()
}

/// The node an administrator forced to bootstrap, if any (lowest name if, oddly, several are marked).
pub fn forced_node(force_attr: &str, attrs: &NodeAttrs) -> Option<String> {
    attrs
        .iter()
        .find(|(_, a)| a.get(force_attr).is_some_and(|v| v.trim() == "1"))
        .map(|(n, _)| n.clone())
}

/// The override applies only while no Primary component runs.
fn effective_force<'a>(d: &Decision, forced: Option<&'a str>) -> Option<&'a str> {
    forced.filter(|_| !matches!(d, Decision::Join { .. }))
}

/// The sentence for logs and status, including an active override.
pub fn explain_with(d: &Decision, forced: Option<&str>) -> String {
    match effective_force(d, forced) {
        Some(f) => format!(
            "bootstrap {f}: forced by an administrator (galera-ocf bootstrap --force); the election alone says: {}",
            explain(d)
        ),
        None => explain(d),
    }
}

/// The promotion score this node should have: the bootstrap node, or everyone once a Primary runs.
pub fn own_score(
    d: &Decision,
    expected: &BTreeSet<NodeName>,
    me: &str,
    forced: Option<&str>,
) -> Option<u32> {
    if let Some(f) = effective_force(d, forced) {
        return (f == me).then_some(SCORE);
    }
    let me = NodeName::new(me).ok()?;
    d.promotion_candidates(expected)
        .contains(&me)
        .then_some(SCORE)
}

/// What promote does on this node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotePlan {
    /// Start with `--wsrep_cluster_address=gcomm://<these nodes>`.
    Join(BTreeSet<String>),
    /// Start with `--wsrep-new-cluster`.
    Bootstrap,
    /// Refuse, with the reason.
    Refuse(String),
}

pub fn promote_plan(d: &Decision, me: &str, forced: Option<&str>) -> PromotePlan {
    match effective_force(d, forced) {
        Some(f) if f == me => return PromotePlan::Bootstrap,
        Some(f) => {
            return PromotePlan::Refuse(format!(
                "{f} was forced to bootstrap by an administrator and runs no Primary component yet"
            ))
        }
        None => {}
    }
    let Ok(me_name) = NodeName::new(me) else {
        return PromotePlan::Refuse(format!("{me:?} is not a valid node name"));
    };
    let names = |s: &BTreeSet<NodeName>| s.iter().map(|n| n.as_str().to_owned()).collect();
    match d.action_for(&me_name) {
        NodeAction::Join { peers } => PromotePlan::Join(names(&peers)),
        NodeAction::Bootstrap => PromotePlan::Bootstrap,
        // Our own report says primary but mariadbd is not running here (e.g. killed): the others decide.
        NodeAction::AlreadyPrimary => match d {
            Decision::Join { primary, .. } => PromotePlan::Join(
                names(primary)
                    .into_iter()
                    .filter(|n: &String| n != me)
                    .collect(),
            ),
            _ => PromotePlan::Refuse(explain(d)),
        },
        NodeAction::AwaitBootstrap { node } => PromotePlan::Refuse(format!(
            "{node} bootstraps the cluster first: {}",
            explain(d)
        )),
        NodeAction::Stay => PromotePlan::Refuse(explain(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::election::decide as pure_decide;
    use crate::galera::position::Position;
    use crate::galera::report::NodeState;

    fn n(s: &str) -> NodeName {
        NodeName::new(s).unwrap()
    }

    fn report(seqno: i64, state: NodeState) -> Report {
        let pos =
            Position::parse_with_gtid(&format!("6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:{seqno}"))
                .unwrap()
                .0;
        Report {
            position: pos,
            safe_to_bootstrap: false,
            state,
            at: 1,
            view: None,
        }
    }

    fn expected() -> BTreeSet<NodeName> {
        [n("a"), n("b"), n("c")].into()
    }

    #[test]
    fn force_overrides_a_wait_but_never_a_running_primary() {
        let waiting = pure_decide(
            &expected(),
            &[(n("a"), report(5, NodeState::Stopped))].into(),
        );
        assert_eq!(own_score(&waiting, &expected(), "a", None), None);
        assert_eq!(
            own_score(&waiting, &expected(), "b", Some("b")),
            Some(SCORE)
        );
        assert_eq!(own_score(&waiting, &expected(), "a", Some("b")), None);
        assert_eq!(
            promote_plan(&waiting, "b", Some("b")),
            PromotePlan::Bootstrap
        );
        assert!(matches!(
            promote_plan(&waiting, "a", Some("b")),
            PromotePlan::Refuse(_)
        ));
        assert!(explain_with(&waiting, Some("b")).contains("forced"));

        let running = pure_decide(
            &expected(),
            &[
                (n("a"), report(5, NodeState::Primary)),
                (n("b"), report(3, NodeState::Stopped)),
            ]
            .into(),
        );
        assert_eq!(
            promote_plan(&running, "b", Some("b")),
            PromotePlan::Join(["a".to_string()].into())
        );
        assert_eq!(
            own_score(&running, &expected(), "c", Some("b")),
            Some(SCORE)
        );
    }

    #[test]
    fn two_node_mode_decides_without_the_silent_peer() {
        let two: BTreeSet<NodeName> = [n("a"), n("b")].into();
        let only_a: BTreeMap<NodeName, Report> = [(n("a"), report(5, NodeState::Recovered))].into();
        assert!(matches!(
            decide(&two, &only_a, false),
            Decision::Wait { .. }
        ));
        assert_eq!(two_node_excused(&two, &only_a, true), Some(n("b")));
        assert!(matches!(
            decide(&two, &only_a, true),
            Decision::Bootstrap { node, .. } if node == n("a")
        ));
        // never with three nodes, never when nobody is missing
        assert_eq!(two_node_excused(&expected(), &only_a, true), None);
        let both: BTreeMap<NodeName, Report> = [
            (n("a"), report(5, NodeState::Stopped)),
            (n("b"), report(6, NodeState::Stopped)),
        ]
        .into();
        assert_eq!(two_node_excused(&two, &both, true), None);
    }

    #[test]
    fn forced_node_reads_the_attribute() {
        let attrs: NodeAttrs = [
            ("a".to_string(), BTreeMap::new()),
            (
                "b".to_string(),
                [("g-force-bootstrap".to_string(), "1".to_string())].into(),
            ),
        ]
        .into();
        assert_eq!(
            forced_node("g-force-bootstrap", &attrs).as_deref(),
            Some("b")
        );
        assert_eq!(forced_node("x", &attrs), None);
    }
}
