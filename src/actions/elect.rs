//! The seam to the pure election (`decide::election`): what a decision means for this node.

use std::collections::{BTreeMap, BTreeSet};

use crate::actions::common::SCORE;
use crate::decide::election::{self, Decision, NodeAction};
use crate::decide::NodeName;
use crate::galera::report::Report;

pub fn decide(expected: &BTreeSet<NodeName>, reports: &BTreeMap<NodeName, Report>) -> Decision {
    election::decide(expected, reports)
}

/// One sentence for logs, status and exit reasons.
pub fn explain(d: &Decision) -> String {
    d.explain()
}

/// The promotion score this node should have: the bootstrap node, or everyone once a Primary runs.
pub fn own_score(d: &Decision, expected: &BTreeSet<NodeName>, me: &str) -> Option<u32> {
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

pub fn promote_plan(d: &Decision, me: &str) -> PromotePlan {
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
