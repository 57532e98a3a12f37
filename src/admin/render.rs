//! `galera-ocf status` as text and as JSON, from a [`StatusView`] the gathering code filled. Pure, so
//! what an administrator reads at the worst moment is unit-tested.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::claims::Claim;
use crate::decide::election::Decision;
use crate::decide::promotion::Verdict;
use crate::decide::{join_names, NodeName};
use crate::galera::report::{NodeState, Report};
use crate::log::format_utc;

/// One node's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub node: String,
    pub expected: bool,
    pub report: Option<Report>,
    /// `<rsc>-synced` as published (1, desynced, 0, absent).
    pub synced: Option<String>,
    /// The promotion score as published.
    pub score: Option<String>,
}

/// What the override line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suggestion {
    /// Nothing to override: a Primary component runs, a bootstrap is under way or already forced.
    None,
    /// Forcing this node loses nothing the reports show.
    Safe(NodeName),
    /// Every reporter is empty, foreign or of unknown seqno: no override is safe.
    NoSafeCandidate,
}

/// Everything `status` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusView {
    pub resource: String,
    pub expected: BTreeSet<NodeName>,
    pub rows: Vec<Row>,
    pub verdict: Verdict,
    /// This node and the seqno its running server has committed by now.
    pub live: Option<(String, i64)>,
    pub suggestion: Suggestion,
    /// How far each primary claim holds (`admin::claims`), by node.
    pub claims: std::collections::BTreeMap<String, Claim>,
    pub now: u64,
}

/// Where a shown seqno comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeqnoAsOf {
    /// This node's running server, read now.
    Live,
    /// A primary node's report: the seqno of its promote (it grows while the node runs).
    Promote,
    /// A stopped node's report: its final position.
    Report,
}

impl SeqnoAsOf {
    fn as_str(self) -> &'static str {
        match self {
            SeqnoAsOf::Live => "live",
            SeqnoAsOf::Promote => "promote",
            SeqnoAsOf::Report => "report",
        }
    }
}

fn seqno_shown(v: &StatusView, node: &str, r: &Report) -> (i64, SeqnoAsOf) {
    match &v.live {
        Some((n, seqno)) if n == node => (*seqno, SeqnoAsOf::Live),
        _ if r.state == NodeState::Primary => (r.position.seqno.get(), SeqnoAsOf::Promote),
        _ => (r.position.seqno.get(), SeqnoAsOf::Report),
    }
}

/// Since when the cluster waits: the oldest report's time.
pub fn waiting_since(v: &StatusView) -> Option<u64> {
    matches!(
        v.verdict.decision,
        Decision::Wait { .. } | Decision::Conflict { .. }
    )
    .then(|| {
        v.rows
            .iter()
            .filter_map(|r| r.report.as_ref())
            .map(|r| r.at)
            .min()
    })
    .flatten()
}

/// A decision to join rests on primary claims: say so when none of them is confirmed.
fn decision_note(v: &StatusView) -> Option<String> {
    let Decision::Join { primary, .. } = &v.verdict.decision else {
        return None;
    };
    let of = |n: &NodeName| v.claims.get(n.as_str());
    if primary.iter().any(|n| matches!(of(n), Some(Claim::Live))) {
        return None;
    }
    let (contradicted, unverified): (Vec<&NodeName>, Vec<&NodeName>) = primary
        .iter()
        .partition(|n| matches!(of(n), Some(Claim::Contradicted(_))));
    let names = |ns: &[&NodeName]| join_names(ns.iter().copied(), ", ");
    Some(if unverified.is_empty() {
        format!(
            "this decision rests on primary claims that are contradicted ({}): the reports are stale, \
             and the agents decide again once those nodes' monitors republish",
            names(&contradicted)
        )
    } else {
        let mut note = format!(
            "this decision rests on primary claims that cannot be confirmed from here ({}); check them \
             on those nodes (galera-ocf status there, or SHOW STATUS LIKE 'wsrep_cluster_status')",
            names(&unverified)
        );
        if !contradicted.is_empty() {
            note.push_str(&format!("; contradicted: {}", names(&contradicted)));
        }
        note
    })
}

fn decision_kind(d: &Decision) -> &'static str {
    match d {
        Decision::Join { .. } => "join",
        Decision::Reform { .. } => "reform",
        Decision::Bootstrap { .. } => "bootstrap",
        Decision::Wait { .. } => "wait",
        Decision::Conflict { .. } => "conflict",
    }
}

pub fn text(v: &StatusView) -> String {
    let mut s = format!(
        "resource {} (ocf:galera-ocf:galera), members: {}\n",
        v.resource,
        join_names(&v.expected, ", ")
    );
    s.push_str(&format!(
        "{:<16} {:<10} {:<36} {:>10} {:>4} {:>8} {:>5}  reported\n",
        "node", "state", "cluster uuid", "seqno", "safe", "synced", "score"
    ));
    for row in &v.rows {
        let n = &row.node;
        let score = row.score.clone().unwrap_or_else(|| "-".into());
        let synced = row.synced.clone().unwrap_or_else(|| "-".into());
        match &row.report {
            Some(r) => s.push_str(&format!(
                "{n:<16} {:<10} {:<36} {:>10} {:>4} {synced:>8} {score:>5}  {} ({} s ago)\n",
                r.state.as_str(),
                r.position.uuid.to_string(),
                match seqno_shown(v, n, r) {
                    (seqno, SeqnoAsOf::Promote) => format!("{seqno}+"),
                    (seqno, _) => seqno.to_string(),
                },
                u8::from(r.safe_to_bootstrap),
                format_utc(r.at),
                v.now.saturating_sub(r.at)
            )),
            None => s.push_str(&format!("{n:<16} (no report)\n")),
        }
    }
    if v.rows.iter().any(|r| {
        r.report
            .as_ref()
            .is_some_and(|r| r.state == NodeState::Primary)
    }) {
        s.push_str("seqno N+: as of that node's promote (it grows while it runs)");
        if let Some((n, _)) = &v.live {
            s.push_str(&format!("; {n}'s is live"));
        }
        s.push('\n');
    }
    for (n, c) in &v.claims {
        s.push_str(&format!("primary claim of {n}: {c}\n"));
    }
    s.push_str(&format!("decision: {}\n", v.verdict.explain()));
    if let Some(note) = decision_note(v) {
        s.push_str(&format!("note: {note}\n"));
    }
    if let Some(t) = waiting_since(v) {
        s.push_str(&format!(
            "waiting since: {} ({} s)\n",
            format_utc(t),
            v.now.saturating_sub(t)
        ));
    }
    match &v.suggestion {
        Suggestion::None => {}
        Suggestion::Safe(who) => s.push_str(&format!(
            "override (the most advanced node that reported; nodes that did not report may hold newer \
             data): galera-ocf bootstrap --force {who}\n"
        )),
        Suggestion::NoSafeCandidate => s.push_str(
            "override: no node is a safe candidate (every reporter is empty, foreign or of unknown seqno, \
             or the histories cannot be compared); `galera-ocf bootstrap --force NODE --accept-data-loss` \
             forces one anyway\n",
        ),
    }
    s
}

pub fn json(v: &StatusView) -> String {
    let nodes: Vec<Value> = v
        .rows
        .iter()
        .map(|row| {
            let report = row.report.as_ref().map(|r| {
                let (seqno, as_of) = seqno_shown(v, &row.node, r);
                json!({
                    "state": r.state.as_str(),
                    "uuid": r.position.uuid.to_string(),
                    "seqno": seqno,
                    "seqno_as_of": as_of.as_str(),
                    "safe_to_bootstrap": r.safe_to_bootstrap,
                    "at": r.at,
                })
            });
            let claim = v.claims.get(&row.node);
            json!({
                "node": row.node,
                "expected": row.expected,
                "report": report,
                "claim": claim.map(Claim::kind),
                "claim_detail": claim.map(ToString::to_string),
                // true only for a serving node (1); the published value (1, desynced, 0) beside it.
                "synced": row.synced.as_ref().map(|s| s == "1"),
                "synced_value": row.synced,
                "promotion_score": row.score,
            })
        })
        .collect();
    let suggestion = match &v.suggestion {
        Suggestion::Safe(n) => Some(n.as_str()),
        _ => None,
    };
    let out = json!({
        "resource": v.resource,
        "nodes": nodes,
        "decision": {
            "kind": decision_kind(&v.verdict.decision),
            "bootstrap": v.verdict.bootstrap_node().map(NodeName::as_str),
            "forced": v.verdict.forced.as_ref().map(NodeName::as_str),
            "excused": v.verdict.excused.as_ref().map(NodeName::as_str),
            "explain": v.verdict.explain(),
            "note": decision_note(v),
        },
        "safe_override": suggestion,
        "waiting_since": waiting_since(v),
    });
    format!("{out}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::promotion::{verdict, Facts};
    use crate::galera::position::Position;
    use std::collections::BTreeMap;

    fn n(s: &str) -> NodeName {
        NodeName::new(s).unwrap()
    }

    fn report(seqno: i64, state: NodeState, at: u64) -> Report {
        Report {
            position: Position::parse_with_gtid(&format!(
                "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:{seqno}"
            ))
            .unwrap()
            .0,
            safe_to_bootstrap: false,
            state,
            at,
            view: None,
            pc: crate::galera::report::SavedPc::Absent,
        }
    }

    fn view(reports: &[(&str, Report)], suggestion: Suggestion) -> StatusView {
        let expected: BTreeSet<NodeName> = [n("n1"), n("n2"), n("n3")].into();
        let map: BTreeMap<NodeName, Report> =
            reports.iter().map(|(k, r)| (n(k), r.clone())).collect();
        let facts = Facts {
            me: n("n1"),
            expected: expected.clone(),
            reports: map.clone(),
            promoted: BTreeSet::new(),
            promoting: BTreeSet::new(),
            two_node_mode: false,
            presence: BTreeMap::new(),
            forced: None,
            stale: BTreeSet::new(),
        };
        StatusView {
            resource: "galera".into(),
            rows: expected
                .iter()
                .map(|e| Row {
                    node: e.to_string(),
                    expected: true,
                    report: map.get(e).cloned(),
                    synced: None,
                    score: None,
                })
                .collect(),
            expected,
            verdict: verdict(&facts),
            live: None,
            suggestion,
            claims: BTreeMap::new(),
            now: 1_000,
        }
    }

    #[test]
    fn waiting_shows_who_is_missing_since_when_and_the_safe_override() {
        let v = view(
            &[
                ("n1", report(10, NodeState::Stopped, 900)),
                ("n2", report(12, NodeState::Recovered, 950)),
            ],
            Suggestion::Safe(n("n2")),
        );
        let t = text(&v);
        assert!(t.contains("decision: wait for n3"), "{t}");
        assert!(t.contains("n3               (no report)"), "{t}");
        assert!(t.contains("waiting since: "), "{t}");
        assert!(t.contains("(100 s)"), "{t}");
        assert!(t.contains("galera-ocf bootstrap --force n2\n"), "{t}");
        let j: Value = serde_json::from_str(&json(&v)).unwrap();
        assert_eq!(j["decision"]["kind"], "wait");
        assert_eq!(j["safe_override"], "n2");
        assert_eq!(j["waiting_since"], 900);
        assert_eq!(j["nodes"][2]["report"], Value::Null);
        assert_eq!(j["nodes"][1]["report"]["seqno"], 12);
        assert_eq!(j["nodes"][1]["report"]["seqno_as_of"], "report");
    }

    #[test]
    fn no_safe_candidate_says_so_and_names_the_flag() {
        let v = view(&[], Suggestion::NoSafeCandidate);
        let t = text(&v);
        assert!(t.contains("no node is a safe candidate"), "{t}");
        assert!(t.contains("--accept-data-loss"), "{t}");
        assert_eq!(
            serde_json::from_str::<Value>(&json(&v)).unwrap()["safe_override"],
            Value::Null
        );
    }

    #[test]
    fn a_running_primary_marks_seqnos_and_offers_no_override() {
        let mut v = view(
            &[
                ("n1", report(10, NodeState::Primary, 900)),
                ("n2", report(12, NodeState::Primary, 900)),
            ],
            Suggestion::None,
        );
        v.live = Some(("n1".into(), 15));
        let t = text(&v);
        assert!(
            t.contains("decision: join the running Primary component"),
            "{t}"
        );
        assert!(!t.contains("override"), "{t}");
        assert!(t.contains("12+"), "{t}");
        assert!(t.contains("n1's is live"), "{t}");
        let j: Value = serde_json::from_str(&json(&v)).unwrap();
        assert_eq!(j["nodes"][0]["report"]["seqno"], 15);
        assert_eq!(j["nodes"][0]["report"]["seqno_as_of"], "live");
        assert_eq!(j["nodes"][1]["report"]["seqno_as_of"], "promote");
        assert_eq!(j["waiting_since"], Value::Null);
    }

    #[test]
    fn json_escapes_what_it_must() {
        let mut v = view(&[], Suggestion::None);
        v.resource = "g\"a\\l\n".into();
        let j: Value = serde_json::from_str(&json(&v)).unwrap();
        assert_eq!(j["resource"], "g\"a\\l\n");
    }

    #[test]
    fn a_join_on_unconfirmed_claims_says_so() {
        let mut v = view(
            &[
                ("n1", report(10, NodeState::Stopped, 900)),
                ("n2", report(12, NodeState::Primary, 967)),
            ],
            Suggestion::None,
        );
        v.claims.insert("n2".into(), Claim::Unverified { age: 33 });
        let t = text(&v);
        assert!(
            t.contains("primary claim of n2: unverified (claimed 33 s ago"),
            "{t}"
        );
        assert!(t.contains("note: this decision rests on primary claims that cannot be confirmed from here (n2)"), "{t}");
        v.claims.insert(
            "n2".into(),
            Claim::Contradicted("its server is not running".into()),
        );
        let t = text(&v);
        assert!(t.contains("contradicted (n2)"), "{t}");
        let j: Value = serde_json::from_str(&json(&v)).unwrap();
        assert_eq!(j["nodes"][1]["claim"], "contradicted");
        assert!(j["decision"]["note"].as_str().unwrap().contains("stale"));
        v.claims.insert("n2".into(), Claim::Live);
        assert!(!text(&v).contains("note:"));
    }
}
