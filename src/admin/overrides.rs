//! Which node an override may name safely, and what forcing any other node would cost. Pure.
//!
//! The **safe candidate** is the node an administrator can force without losing anything the reports
//! show: the highest known seqno among the reporters of the cluster's UUID (the one most reporters hold),
//! lowest name on a tie. Never an empty datadir, a foreign UUID or an unknown seqno. It may still lose what
//! a node that has not reported holds; the override says so, but that is what an override is for.
//!
//! Forcing any other node is **dangerous** (it throws away transactions a reporter holds, or the
//! cluster's whole history): `bootstrap --force` then also needs `--accept-data-loss`, and `status` never
//! suggests it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::decide::{election, NodeName};
use crate::galera::position::ClusterUuid;
use crate::galera::report::Report;

/// Why forcing a node would lose data the reports show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Danger {
    /// A reporter of the same cluster has a higher seqno.
    Behind {
        seqno: i64,
        best: NodeName,
        best_seqno: i64,
    },
    /// Its seqno is unknown (recovery failed, or it stopped mid state transfer).
    UnknownSeqno,
    /// A new, empty datadir: the cluster's whole history would be replaced by nothing.
    Empty,
    /// It holds another cluster's history.
    Foreign {
        uuid: ClusterUuid,
        cluster: ClusterUuid,
    },
    /// As many reporters hold another cluster UUID as hold this node's: one history is thrown away.
    UuidSplit { other: ClusterUuid },
    /// Some reporters hold a nil-UUID history, others a named one (the election's
    /// `NilHistoryBesideNamed`): the seqnos cannot be compared, so nothing shows this node holds the
    /// newest writes; only the data can.
    IncomparableHistories,
}

impl fmt::Display for Danger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Danger::Behind {
                seqno,
                best,
                best_seqno,
            } => write!(
                f,
                "it has seqno {seqno} but {best} has {best_seqno}: the {} transaction(s) only {best} holds \
                 would be lost",
                best_seqno - seqno
            ),
            Danger::UnknownSeqno => f.write_str(
                "its seqno is unknown (recovery failed or a state transfer was interrupted): it may hold \
                 nothing of the cluster's recent history",
            ),
            Danger::Empty => f.write_str(
                "its datadir is empty (no cluster UUID): every other node's data would be replaced by an \
                 empty cluster",
            ),
            Danger::Foreign { uuid, cluster } => write!(
                f,
                "it holds another cluster's history ({uuid}, not {cluster}): the cluster's data would be \
                 replaced by it"
            ),
            Danger::UuidSplit { other } => write!(
                f,
                "as many nodes hold another cluster history ({other}): that history would be replaced"
            ),
            Danger::IncomparableHistories => f.write_str(
                "some nodes hold a history Galera numbered anew under a nil UUID, others a named one: \
                 their seqnos cannot be compared, so whatever the other side holds beyond this node's data \
                 would be lost; compare the newest rows on both sides first",
            ),
        }
    }
}

/// The UUID held by the most reporters naming a history (`Report::names_history`, as the election
/// votes; `None` when there is none or a tie).
fn cluster_uuid(reports: &BTreeMap<NodeName, Report>) -> Option<ClusterUuid> {
    let mut count: BTreeMap<ClusterUuid, usize> = BTreeMap::new();
    for r in reports.values().filter(|r| r.names_history()) {
        *count.entry(r.position.uuid).or_default() += 1;
    }
    let top = count.values().copied().max()?;
    let mut leaders = count.into_iter().filter(|(_, c)| *c == top);
    match (leaders.next(), leaders.next()) {
        (Some((uuid, _)), None) => Some(uuid),
        _ => None,
    }
}

/// The election's `NilHistoryBesideNamed` among these (expected nodes') reports.
fn mixed_histories(relevant: &BTreeMap<NodeName, Report>) -> bool {
    election::nil_beside_named(relevant).is_some()
}

/// The node an override can name without losing anything the reports show, among `expected`.
pub fn safe_candidate(
    expected: &BTreeSet<NodeName>,
    reports: &BTreeMap<NodeName, Report>,
) -> Option<NodeName> {
    let relevant: BTreeMap<NodeName, Report> = reports
        .iter()
        .filter(|(n, _)| expected.contains(*n))
        .map(|(n, r)| (n.clone(), r.clone()))
        .collect();
    // A nil history beside a named one: no candidate is provably safe (the election's conflict).
    if mixed_histories(&relevant) {
        return None;
    }
    let cluster = cluster_uuid(&relevant)?;
    relevant
        .iter()
        .filter(|(_, r)| r.position.uuid == cluster && r.position.seqno.is_known())
        .max_by_key(|(n, r)| (r.position.seqno, std::cmp::Reverse((*n).clone())))
        .map(|(n, _)| n.clone())
}

/// What forcing `node` (which reported `report`) would lose; `None` when it is the safe candidate (or, with
/// no safe candidate at all, when the reports show nothing it would lose).
pub fn danger(
    node: &NodeName,
    report: &Report,
    expected: &BTreeSet<NodeName>,
    reports: &BTreeMap<NodeName, Report>,
) -> Option<Danger> {
    if report.position.is_empty() {
        return Some(Danger::Empty);
    }
    let relevant: BTreeMap<NodeName, Report> = reports
        .iter()
        .filter(|(n, _)| expected.contains(*n))
        .map(|(n, r)| (n.clone(), r.clone()))
        .collect();
    if mixed_histories(&relevant) {
        return Some(Danger::IncomparableHistories);
    }
    match cluster_uuid(&relevant) {
        Some(cluster) if report.position.uuid != cluster => {
            return Some(Danger::Foreign {
                uuid: report.position.uuid,
                cluster,
            })
        }
        Some(_) => {}
        None => {
            let other = relevant
                .values()
                .filter(|r| r.names_history())
                .map(|r| r.position.uuid)
                .find(|u| *u != report.position.uuid)?;
            return Some(Danger::UuidSplit { other });
        }
    }
    if !report.position.seqno.is_known() {
        return Some(Danger::UnknownSeqno);
    }
    let best = safe_candidate(expected, reports)?;
    let best_report = reports.get(&best)?;
    (best_report.position.uuid == report.position.uuid
        && best_report.position.seqno > report.position.seqno)
        .then(|| Danger::Behind {
            seqno: report.position.seqno.get(),
            best: best.clone(),
            best_seqno: best_report.position.seqno.get(),
        })
        .filter(|_| best != *node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::galera::position::Position;
    use crate::galera::report::NodeState;

    const U: &str = "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10";
    const OTHER: &str = "0f0e0d0c-0b0a-4999-8888-777766665555";

    fn n(s: &str) -> NodeName {
        NodeName::new(s).unwrap()
    }

    fn r(uuid: &str, seqno: i64) -> Report {
        Report {
            position: Position::parse_with_gtid(&format!("{uuid}:{seqno}"))
                .unwrap()
                .0,
            safe_to_bootstrap: false,
            state: NodeState::Recovered,
            at: 1,
            view: None,
            pc: crate::galera::report::SavedPc::Absent,
        }
    }

    /// The election's nil-beside-named conflict: every node needs --accept-data-loss, none is "safe".
    #[test]
    fn mixed_nil_and_named_histories_have_no_safe_candidate() {
        const NIL: &str = "00000000-0000-0000-0000-000000000000";
        let reports: BTreeMap<NodeName, Report> =
            [(n("a"), r(NIL, 5)), (n("b"), r(U, 3)), (n("c"), r(U, 1))]
                .into_iter()
                .collect();
        let exp: BTreeSet<NodeName> = reports.keys().cloned().collect();
        assert_eq!(safe_candidate(&exp, &reports), None);
        for node in ["a", "b", "c"] {
            assert_eq!(
                danger(&n(node), &reports[&n(node)], &exp, &reports),
                Some(Danger::IncomparableHistories),
                "{node}"
            );
        }
    }

    fn expected() -> BTreeSet<NodeName> {
        [n("a"), n("b"), n("c")].into()
    }

    #[test]
    fn the_safe_candidate_is_the_most_advanced_node_of_the_cluster() {
        let reports: BTreeMap<NodeName, Report> = [
            (n("a"), r(U, 10)),
            (n("b"), r(U, 12)),
            (n("c"), r(OTHER, 100_000)),
        ]
        .into();
        // c's foreign seqno is far higher and never counts; a is behind b.
        let two = reports;
        assert_eq!(safe_candidate(&expected(), &two), Some(n("b")));
        assert_eq!(danger(&n("b"), &two[&n("b")], &expected(), &two), None);
        assert_eq!(
            danger(&n("a"), &two[&n("a")], &expected(), &two),
            Some(Danger::Behind {
                seqno: 10,
                best: n("b"),
                best_seqno: 12
            })
        );
        assert!(matches!(
            danger(&n("c"), &two[&n("c")], &expected(), &two),
            Some(Danger::Foreign { .. })
        ));
    }

    #[test]
    fn empty_and_unknown_are_never_safe() {
        let reports: BTreeMap<NodeName, Report> = [
            (n("a"), r(U, 10)),
            (n("b"), r(U, -1)),
            (n("c"), r("00000000-0000-0000-0000-000000000000", -1)),
        ]
        .into();
        assert_eq!(safe_candidate(&expected(), &reports), Some(n("a")));
        assert_eq!(
            danger(&n("b"), &reports[&n("b")], &expected(), &reports),
            Some(Danger::UnknownSeqno)
        );
        assert_eq!(
            danger(&n("c"), &reports[&n("c")], &expected(), &reports),
            Some(Danger::Empty)
        );
        // Only empty or unknown reporters: no safe candidate at all.
        let none: BTreeMap<NodeName, Report> = [(n("b"), r(U, -1))].into();
        assert_eq!(safe_candidate(&expected(), &none), None);
    }

    #[test]
    fn a_tie_is_safe_for_every_tied_node() {
        let reports: BTreeMap<NodeName, Report> = [(n("a"), r(U, 12)), (n("b"), r(U, 12))].into();
        assert_eq!(safe_candidate(&expected(), &reports), Some(n("a")));
        assert_eq!(
            danger(&n("b"), &reports[&n("b")], &expected(), &reports),
            None
        );
    }

    #[test]
    fn a_uuid_split_has_no_safe_candidate() {
        let reports: BTreeMap<NodeName, Report> =
            [(n("a"), r(U, 12)), (n("b"), r(OTHER, 50))].into();
        assert_eq!(safe_candidate(&expected(), &reports), None);
        assert!(matches!(
            danger(&n("a"), &reports[&n("a")], &expected(), &reports),
            Some(Danger::UuidSplit { .. })
        ));
    }
}
