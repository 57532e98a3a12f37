//! The verdict: every fact an invocation gathered about the cluster in, everything this node needs to act
//! on out — the election's decision, the peer two_node_mode excuses, the administrator's override, this
//! node's promotion score and what a promote would do. Computed once per invocation, here and nowhere else,
//! so monitor, notify, promote and `galera-ocf status` can never disagree about what the rules say.
//!
//! Rules layered on top of [`election::decide`]:
//! - **Hints** — nodes Pacemaker reports Promoted (`promoted`, from notify variables) count as running a
//!   Primary component even before their `state=primary` report reaches the CIB (attrd writes
//!   asynchronously). Nodes being promoted in the same transition as this one (`promoting`, from the
//!   pre-promote notification) are added as join peers, and let this node join a bootstrap node promoted
//!   alongside it; they never count as a running component themselves (see [`PromotePlan::Join`]).
//! - **two_node_mode** — in a cluster of exactly two expected nodes, the election may decide without the
//!   peer that has not reported, but only when Pacemaker shows the peer is gone for good: not a member of
//!   this partition, not expected back (`expected` is not `member`), and either fenced (the fencer's
//!   history) or this node holds `safe_to_bootstrap=1` (Galera's own word that this node left the Primary
//!   component last, so a cleanly stopped peer cannot hold newer writes). An online peer, an unclean one
//!   (lost but not fenced) or one merely stopped (a ban, a failed or slow start) is waited for.
//! - **Stale claims** — a node whose `state=primary` report is proven stale (its Galera port is closed:
//!   its server died and its own monitor has not noticed yet) counts as not reported, so no node is given
//!   a score to join a component that is gone, and every node's verdict agrees with what promote checks.
//! - **Override** — `galera-ocf bootstrap --force NODE` makes NODE the bootstrap node while no Primary
//!   component runs; a running Primary component always wins (everyone joins it).
//! - **After a clean stop of every member** (every expected node reports `stopped`, read from a clean
//!   grastate.dat, and none is marked safe to bootstrap — which happens when members leave at the same
//!   moment, e.g. `crm resource stop` of the clone): the node the election picks, the most advanced one,
//!   marks its own grastate.dat `safe_to_bootstrap: 1`, as Galera marks the last member to leave, so an
//!   administrator following MariaDB's own recovery procedure (`galera_new_cluster` on that node) is not
//!   refused (issue 18). Every node computes the same verdict on the same reports, so exactly one marks.

use std::collections::{BTreeMap, BTreeSet};
// core's Duration: a span of time as a plain value; the pure layers read no clock (std::time's).
use core::time::Duration;

use super::election::{self, Basis, Decision, NodeAction, Rule};
use super::{join_names, NodeName};
use crate::galera::position::Position;
use crate::galera::report::{NodeState, Report, SavedPc};

/// The promotion score given to the bootstrap node and to joiners.
pub const SCORE: u32 = 100;

/// What Pacemaker says about a peer that two_node_mode might decide without.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeerPresence {
    /// A member of this node's corosync partition.
    pub member: bool,
    /// Pacemaker expects it up (it neither shut down cleanly nor was fenced since it joined).
    pub expected_up: bool,
    /// The fencer records a completed fencing of it.
    pub fenced: bool,
}

/// Everything one invocation gathered, parsed. Built by the actions layer from one CIB read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// This node.
    pub me: NodeName,
    /// The nodes that must take part (wsrep_cluster_address mapped through cluster_host_map).
    pub expected: BTreeSet<NodeName>,
    /// Every node's published report.
    pub reports: BTreeMap<NodeName, Report>,
    /// Nodes Pacemaker reports Promoted now.
    pub promoted: BTreeSet<NodeName>,
    /// Nodes being promoted in this node's own promote transition (pre-promote notification).
    pub promoting: BTreeSet<NodeName>,
    pub two_node_mode: bool,
    /// What Pacemaker says about each node (absent: no `node_state`, never seen by this partition).
    pub presence: BTreeMap<NodeName, PeerPresence>,
    /// The node an administrator forced to bootstrap (`<rsc>-force-bootstrap=1`), if any.
    pub forced: Option<NodeName>,
    /// Nodes whose `state=primary` report is proven stale (nothing answers on their Galera port): they
    /// count as not reported, and Pacemaker's Promoted hints do not make them Primary again.
    pub stale: BTreeSet<NodeName>,
}

/// What a promote of this node does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotePlan {
    /// Start with `--wsrep_cluster_address=gcomm://<peers>`. `anchors` are the nodes that claim to run
    /// the Primary component (or bootstrap it in this transition); the other peers are fellow joiners.
    /// At least one anchor must answer, or the join would wait for a component that is gone.
    Join {
        peers: BTreeSet<NodeName>,
        anchors: BTreeSet<NodeName>,
    },
    /// Start with `--wsrep_cluster_address=gcomm://<peers>`, the recovered position and gvwstate.dat
    /// kept, so Galera re-forms the saved Primary view with the other members (`peers`,
    /// [`Decision::Reform`]). `together`: the pre-promote notification names every member as promoted in
    /// this very transition, so the promote may wait for the component; otherwise it must not (the
    /// members it waits for cannot be promoted before this transition ends) and hands the wait to the
    /// monitor.
    Reform {
        peers: BTreeSet<NodeName>,
        together: bool,
    },
    /// Start with `--wsrep-new-cluster`.
    Bootstrap,
    /// Do not start mariadbd; the reason.
    Decline(String),
}

impl PromotePlan {
    /// Whether this plan still sends a joiner on (a promote re-checks while no transfer runs).
    pub fn joins(&self) -> bool {
        matches!(self, PromotePlan::Join { .. })
    }

    /// One phrase for a log line or an exit reason.
    pub fn describe(&self) -> String {
        match self {
            PromotePlan::Join { anchors, .. } => format!("join {}", join_names(anchors, ", ")),
            PromotePlan::Reform { peers, .. } => format!(
                "re-form the saved Primary view with {}",
                join_names(peers, ", ")
            ),
            PromotePlan::Bootstrap => "bootstrap this node".to_string(),
            PromotePlan::Decline(reason) => reason.clone(),
        }
    }
}

/// The verdict of one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    /// The silent peer two_node_mode decided without.
    pub excused: Option<NodeName>,
    /// The override in force (only while no Primary component runs).
    pub forced: Option<NodeName>,
    /// This node's promotion score: `Some(SCORE)` for the bootstrap node, or for everyone once a Primary
    /// component runs; `None` otherwise.
    pub score: Option<u32>,
    pub plan: PromotePlan,
    /// This node is the most advanced after a clean stop of every member, and nobody is marked safe to
    /// bootstrap: mark its grastate.dat (see the module doc).
    pub mark_safe_to_bootstrap: bool,
}

/// The one function the actions and the admin commands call.
pub fn verdict(facts: &Facts) -> Verdict {
    let mut reports = facts.reports.clone();
    // A dead node's primary claim is withdrawn until it reports again (after its own recovery).
    reports.retain(|n, _| !facts.stale.contains(n));
    let promoted: BTreeSet<NodeName> = facts.promoted.difference(&facts.stale).cloned().collect();
    overlay_primary(&mut reports, &promoted);
    let (decision, excused) = elect(facts, &reports);
    let forced = facts
        .forced
        .clone()
        .filter(|_| !matches!(decision, Decision::Join { .. }));
    let score = match &forced {
        Some(f) => (*f == facts.me).then_some(SCORE),
        None => decision
            .promotion_candidates(&facts.expected)
            .contains(&facts.me)
            .then_some(SCORE),
    };
    let plan = with_promoting(
        plan(&decision, forced.as_ref(), &facts.me),
        &decision,
        forced.as_ref(),
        facts,
    );
    let mark_safe_to_bootstrap = forced.is_none() && clean_full_stop_winner(facts, &decision);
    Verdict {
        decision,
        excused,
        forced,
        score,
        plan,
        mark_safe_to_bootstrap,
    }
}

/// Every expected node stopped cleanly, nobody is marked safe to bootstrap, and the election picks this
/// node by seqno with every report in.
fn clean_full_stop_winner(facts: &Facts, decision: &Decision) -> bool {
    let Decision::Bootstrap {
        node,
        rule:
            Rule::HighestSeqno {
                basis: Basis::AllReported { .. },
                ..
            },
        ..
    } = decision
    else {
        return false;
    };
    *node == facts.me
        && facts.promoted.is_empty()
        && facts.promoting.is_empty()
        && facts.expected.iter().all(|n| {
            facts
                .reports
                .get(n)
                .is_some_and(|r| r.state == NodeState::Stopped && !r.safe_to_bootstrap)
        })
}

impl Verdict {
    /// One sentence for logs, status and exit reasons: the decision with its rule, the two_node_mode
    /// excuse and an override in force.
    pub fn explain(&self) -> String {
        let mut text = self.decision.explain();
        if let Some(f) = &self.forced {
            text = format!(
                "bootstrap {f}: forced by an administrator (galera-ocf bootstrap --force); the election \
                 alone says: {text}"
            );
        }
        if let Some(gone) = &self.excused {
            text = format!(
                "two_node_mode: {gone} is gone for good (not a member, not expected back, fenced or this \
                 node left last); {text}"
            );
        }
        text
    }

    /// The node that bootstraps next: the override, else the election's choice.
    pub fn bootstrap_node(&self) -> Option<&NodeName> {
        self.forced
            .as_ref()
            .or_else(|| self.decision.bootstrap_node())
    }
}

/// A node Pacemaker reports Promoted runs in the Primary component although its report does not say so
/// yet, when its report is absent or still `joining` (attrd writes asynchronously). A node whose report
/// says it is stopped (`stopped`, `recovered`, `incomplete`) is not overruled: Pacemaker also lists as
/// Promoted an instance whose promote was declined (no server, see `actions::promote::decline`), and
/// counting those as a running component made every declined node join the others, in a circle, in the
/// lab (all mariadbd killed at once). Nor is a node re-forming the saved view (`joining` with
/// `pcr=reforming`): it is Promoted while its server waits for the other members, and it runs no
/// component until all of them are started (joining it instead would take away the member it waits for).
fn overlay_primary(reports: &mut BTreeMap<NodeName, Report>, nodes: &BTreeSet<NodeName>) {
    for n in nodes {
        let r = reports.entry(n.clone()).or_insert_with(|| Report {
            position: Position::EMPTY,
            safe_to_bootstrap: false,
            state: NodeState::Primary,
            at: 0,
            view: None,
            pc: SavedPc::Absent,
        });
        if matches!(r.state, NodeState::Joining | NodeState::Primary) && r.pc != SavedPc::Reforming
        {
            r.state = NodeState::Primary;
        }
    }
}

/// The election, with the two_node_mode excuse applied when its conditions hold.
fn elect(facts: &Facts, reports: &BTreeMap<NodeName, Report>) -> (Decision, Option<NodeName>) {
    let decision = election::decide(&facts.expected, reports);
    let Some(gone) = two_node_excusable(facts, reports, &decision) else {
        return (decision, None);
    };
    let alone: BTreeSet<NodeName> = facts
        .expected
        .iter()
        .filter(|n| **n != gone)
        .cloned()
        .collect();
    (election::decide(&alone, reports), Some(gone))
}

/// The peer two_node_mode may decide without, if every condition of the module doc holds.
fn two_node_excusable(
    facts: &Facts,
    reports: &BTreeMap<NodeName, Report>,
    decision: &Decision,
) -> Option<NodeName> {
    if !facts.two_node_mode || facts.expected.len() != 2 || !facts.expected.contains(&facts.me) {
        return None;
    }
    let Decision::Wait { missing, .. } = decision else {
        return None;
    };
    let mut missing = missing.iter();
    let (Some(peer), None) = (missing.next(), missing.next()) else {
        return None;
    };
    if *peer == facts.me || reports.contains_key(peer) {
        // Reported but not final (joining): its data may be mid-transfer. Never excused.
        return None;
    }
    let presence = facts.presence.get(peer).copied().unwrap_or_default();
    let left_last = reports.get(&facts.me).is_some_and(|r| r.safe_to_bootstrap);
    let gone_for_good = !presence.member && !presence.expected_up && (presence.fenced || left_last);
    gone_for_good.then(|| peer.clone())
}

/// This joiner's place in the start-up order of its transition ([`join_turn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinTurn {
    /// The fellow joiners that start their mariadbd before this node, in name order.
    pub ahead: Vec<NodeName>,
    /// How long this node waits before it starts its own.
    pub pause: Duration,
}

/// When this joiner starts its mariadbd among the fellow joiners Pacemaker promotes in the same
/// transition (`promoting`, from the pre-promote notification; `anchors`, the nodes it joins, are not
/// joiners). Galera admits newcomers best one at a time, so the joiners start `step` apart in name order:
/// every node computes the same order without talking to the others. The last one waits at most `cap`:
/// with many joiners (or a short promote timeout) the step shrinks so that no two of them share a turn.
///
/// `None` (start now) for the first joiner, with a zero step, or when `promoting` does not name this node:
/// then the list is a leftover of an earlier transition (a promote forced by `crm_resource`, a transition
/// aborted after its notification), not this promote's.
pub fn join_turn(
    me: &NodeName,
    promoting: &BTreeSet<NodeName>,
    anchors: &BTreeSet<NodeName>,
    step: Duration,
    cap: Duration,
) -> Option<JoinTurn> {
    if !promoting.contains(me) || anchors.contains(me) {
        return None;
    }
    let joiners: Vec<&NodeName> = promoting.iter().filter(|n| !anchors.contains(*n)).collect();
    let ahead: Vec<NodeName> = joiners
        .iter()
        .filter(|n| **n < me)
        .map(|n| (*n).clone())
        .collect();
    if ahead.is_empty() || step.is_zero() {
        return None;
    }
    // joiners.len() >= 2 here: this node and at least one ahead of it.
    let slots = u32::try_from(joiners.len() - 1).unwrap_or(u32::MAX);
    let turn = u32::try_from(ahead.len()).unwrap_or(u32::MAX);
    let step = step.min(cap / slots);
    Some(JoinTurn {
        ahead,
        pause: step.saturating_mul(turn),
    })
}

/// Nodes promoted in the same transition as this one are join peers too: fellow joiners of a running
/// Primary component, or the joiners of a bootstrap node promoted alongside (then this node joins it
/// instead of declining). They are never anchors: two joiners that only find each other form no Primary
/// component (which is what a stale `primary` report would otherwise lead all of them into).
fn with_promoting(
    plan: PromotePlan,
    decision: &Decision,
    forced: Option<&NodeName>,
    facts: &Facts,
) -> PromotePlan {
    if facts.promoting.is_empty() {
        return plan;
    }
    let promoting: BTreeSet<NodeName> = facts.promoting.difference(&facts.stale).cloned().collect();
    let bootstrap = forced.or_else(|| decision.bootstrap_node());
    match plan {
        PromotePlan::Join { mut peers, anchors } => {
            peers.extend(promoting.iter().filter(|n| **n != facts.me).cloned());
            PromotePlan::Join { peers, anchors }
        }
        // `promoting` leaves this node out (`Facts::promoting`). A leftover list of an earlier transition
        // can only make the promote wait `REFORM_WAIT` for nothing before it hands over to the monitor.
        PromotePlan::Reform { peers, .. } => {
            let together = peers.iter().all(|p| promoting.contains(p));
            PromotePlan::Reform { peers, together }
        }
        PromotePlan::Decline(_)
            if bootstrap.is_some_and(|b| *b != facts.me && promoting.contains(b)) =>
        {
            let peers: BTreeSet<NodeName> = promoting
                .iter()
                .filter(|n| **n != facts.me)
                .cloned()
                .collect();
            let anchors = bootstrap.into_iter().cloned().collect();
            PromotePlan::Join { peers, anchors }
        }
        other => other,
    }
}

fn plan(decision: &Decision, forced: Option<&NodeName>, me: &NodeName) -> PromotePlan {
    match forced {
        Some(f) if f == me => return PromotePlan::Bootstrap,
        Some(f) => {
            return PromotePlan::Decline(format!(
                "{f} was forced to bootstrap by an administrator and runs no Primary component yet"
            ))
        }
        None => {}
    }
    match decision.action_for(me) {
        NodeAction::Join { peers } => PromotePlan::Join {
            anchors: peers.clone(),
            peers,
        },
        NodeAction::Reform { peers } => PromotePlan::Reform {
            peers,
            together: false,
        },
        NodeAction::Bootstrap => PromotePlan::Bootstrap,
        // Our own report says primary but mariadbd is not running here (e.g. killed): the others decide.
        NodeAction::AlreadyPrimary => match decision {
            Decision::Join { primary, .. } => {
                let others: BTreeSet<NodeName> =
                    primary.iter().filter(|n| *n != me).cloned().collect();
                if others.is_empty() {
                    PromotePlan::Decline(
                        "no running Primary component to join and this node is not the bootstrap node"
                            .into(),
                    )
                } else {
                    PromotePlan::Join {
                        anchors: others.clone(),
                        peers: others,
                    }
                }
            }
            _ => PromotePlan::Decline(decision.explain()),
        },
        NodeAction::AwaitBootstrap { node } => PromotePlan::Decline(format!(
            "{node} bootstraps the cluster first: {}",
            decision.explain()
        )),
        NodeAction::Stay => PromotePlan::Decline(decision.explain()),
    }
}

#[cfg(test)]
#[path = "promotion_tests.rs"]
mod tests;
