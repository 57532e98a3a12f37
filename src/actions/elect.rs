//! The seam to the pure election (`decide::election`): what a decision means for this node.

use std::collections::{BTreeMap, BTreeSet};

use crate::actions::common::SCORE;
use crate::decide::election::{self, Decision};
use crate::decide::NodeName;
use crate::galera::report::Report;

pub fn decide(expected: &BTreeSet<NodeName>, reports: &BTreeMap<NodeName, Report>) -> Decision {
    election::decide(expected, reports)
}

/// One sentence for logs, status and exit reasons.
pub fn explain(d: &Decision) -> String {
    d.explain()
}

/// The promotion score this (stopped) node should have: joiners and the bootstrap node get one.
pub fn own_score(d: &Decision, me: &str) -> Option<u32> {
    match d {
        Decision::Join { .. } => Some(SCORE),
        Decision::Bootstrap { node, .. } if node.as_str() == me => Some(SCORE),
        _ => None,
    }
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
    match d {
        Decision::Join { primary, .. } => PromotePlan::Join(
            primary
                .iter()
                .map(|n| n.as_str().to_owned())
                .filter(|n| n != me)
                .collect(),
        ),
        Decision::Bootstrap { node, .. } if node.as_str() == me => PromotePlan::Bootstrap,
        other => PromotePlan::Refuse(explain(other)),
    }
}
