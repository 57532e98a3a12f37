use super::*;
use crate::galera::position::Position;

fn n(s: &str) -> NodeName {
    NodeName::new(s).unwrap()
}

fn set(names: &[&str]) -> BTreeSet<NodeName> {
    names.iter().map(|s| n(s)).collect()
}

fn report(seqno: i64, state: NodeState) -> Report {
    let pos = Position::parse_with_gtid(&format!("6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:{seqno}"))
        .unwrap()
        .0;
    Report {
        position: pos,
        safe_to_bootstrap: false,
        state,
        at: 1,
        view: None,
        pc: crate::galera::report::SavedPc::Absent,
    }
}

fn join(peers: &[&str], anchors: &[&str]) -> PromotePlan {
    PromotePlan::Join {
        peers: set(peers),
        anchors: set(anchors),
    }
}

fn facts(me: &str, expected: &[&str], reports: &[(&str, Report)]) -> Facts {
    Facts {
        me: n(me),
        expected: set(expected),
        reports: reports.iter().map(|(k, r)| (n(k), r.clone())).collect(),
        promoted: BTreeSet::new(),
        promoting: BTreeSet::new(),
        two_node_mode: false,
        presence: expected
            .iter()
            .map(|e| {
                (
                    n(e),
                    PeerPresence {
                        member: true,
                        expected_up: true,
                        fenced: false,
                    },
                )
            })
            .collect(),
        forced: None,
        stale: BTreeSet::new(),
    }
}

#[test]
fn force_overrides_a_wait_but_never_a_running_primary() {
    let mut f = facts(
        "a",
        &["a", "b", "c"],
        &[("a", report(5, NodeState::Stopped))],
    );
    assert!(matches!(verdict(&f).decision, Decision::Wait { .. }));
    assert_eq!(verdict(&f).score, None);
    f.forced = Some(n("b"));
    let on_a = verdict(&f);
    assert_eq!(on_a.score, None);
    assert!(matches!(on_a.plan, PromotePlan::Decline(_)));
    assert!(on_a.explain().contains("forced"));
    assert_eq!(on_a.bootstrap_node(), Some(&n("b")));
    f.me = n("b");
    let on_b = verdict(&f);
    assert_eq!(on_b.score, Some(SCORE));
    assert_eq!(on_b.plan, PromotePlan::Bootstrap);

    let mut running = facts(
        "b",
        &["a", "b", "c"],
        &[
            ("a", report(5, NodeState::Primary)),
            ("b", report(3, NodeState::Stopped)),
        ],
    );
    running.forced = Some(n("b"));
    let v = verdict(&running);
    assert_eq!(
        v.forced, None,
        "a running Primary component spends the override"
    );
    assert_eq!(v.plan, join(&["a"], &["a"]));
    running.me = n("c");
    assert_eq!(verdict(&running).score, Some(SCORE));
}

fn two_node(me: &str, reports: &[(&str, Report)], peer: PeerPresence) -> Facts {
    let mut f = facts(me, &["a", "b"], reports);
    f.two_node_mode = true;
    let other = if me == "a" { "b" } else { "a" };
    f.presence.insert(n(other), peer);
    f
}

const ONLINE: PeerPresence = PeerPresence {
    member: true,
    expected_up: true,
    fenced: false,
};
const LOST_UNCLEAN: PeerPresence = PeerPresence {
    member: false,
    expected_up: true,
    fenced: false,
};
const FENCED: PeerPresence = PeerPresence {
    member: false,
    expected_up: false,
    fenced: true,
};
const LEFT_CLEANLY: PeerPresence = PeerPresence {
    member: false,
    expected_up: false,
    fenced: false,
};

#[test]
fn two_node_mode_excuses_only_a_peer_gone_for_good() {
    let only_a = [("a", report(5, NodeState::Recovered))];
    // Fenced peer: the survivor decides alone.
    let v = verdict(&two_node("a", &only_a, FENCED));
    assert_eq!(v.excused, Some(n("b")));
    assert!(matches!(&v.decision, Decision::Bootstrap { node, .. } if *node == n("a")));
    assert!(v.explain().starts_with("two_node_mode: b is gone for good"));
    // An online member without a report (its instance banned, failed or slow to start) is waited for:
    // it may hold newer data, and it may report while this node's bootstrap runs.
    for peer in [ONLINE, LOST_UNCLEAN, LEFT_CLEANLY] {
        let v = verdict(&two_node("a", &only_a, peer));
        assert_eq!(v.excused, None, "{peer:?}");
        assert!(matches!(v.decision, Decision::Wait { .. }), "{peer:?}");
        assert_eq!(v.score, None);
    }
    // A peer that left cleanly is excused only when this node left the Primary component last.
    let mut last = report(5, NodeState::Stopped);
    last.safe_to_bootstrap = true;
    let v = verdict(&two_node("a", &[("a", last)], LEFT_CLEANLY));
    assert_eq!(v.excused, Some(n("b")));
    // Off: never.
    let mut off = two_node("a", &only_a, FENCED);
    off.two_node_mode = false;
    assert_eq!(verdict(&off).excused, None);
}

#[test]
fn two_node_mode_never_with_three_nodes_or_nobody_missing() {
    let mut three = facts(
        "a",
        &["a", "b", "c"],
        &[("a", report(5, NodeState::Recovered))],
    );
    three.two_node_mode = true;
    for p in three.presence.values_mut() {
        *p = FENCED;
    }
    assert_eq!(verdict(&three).excused, None);
    let both = [
        ("a", report(5, NodeState::Stopped)),
        ("b", report(6, NodeState::Stopped)),
    ];
    let v = verdict(&two_node("a", &both, FENCED));
    assert_eq!(v.excused, None);
    assert!(matches!(&v.decision, Decision::Bootstrap { node, .. } if *node == n("b")));
}

#[test]
fn two_node_mode_never_excuses_a_joining_peer() {
    let reports = [
        ("a", report(5, NodeState::Recovered)),
        ("b", report(9, NodeState::Joining)),
    ];
    let v = verdict(&two_node("a", &reports, FENCED));
    assert_eq!(v.excused, None);
    assert!(matches!(v.decision, Decision::Wait { .. }));
}

#[test]
fn promoted_hint_counts_as_primary() {
    let mut f = facts(
        "c",
        &["a", "b", "c"],
        &[
            ("a", report(5, NodeState::Joining)),
            ("b", report(5, NodeState::Stopped)),
            ("c", report(5, NodeState::Stopped)),
        ],
    );
    assert!(matches!(verdict(&f).decision, Decision::Wait { .. }));
    f.promoted = set(&["a"]);
    let v = verdict(&f);
    assert!(matches!(v.decision, Decision::Join { .. }));
    assert_eq!(v.score, Some(SCORE));
    assert_eq!(v.plan, join(&["a"], &["a"]));
}

#[test]
fn promoting_peers_are_joined_unless_this_node_bootstraps() {
    let reports = [
        ("a", report(7, NodeState::Stopped)),
        ("b", report(5, NodeState::Stopped)),
        ("c", report(5, NodeState::Stopped)),
    ];
    // a is the bootstrap node; b and c are promoted in the same transition: a still bootstraps.
    let mut on_a = facts("a", &["a", "b", "c"], &reports);
    on_a.promoting = set(&["b", "c"]);
    assert_eq!(verdict(&on_a).plan, PromotePlan::Bootstrap);
    // b, promoted together with a, joins a (and c); only a must answer.
    let mut on_b = facts("b", &["a", "b", "c"], &reports);
    on_b.promoting = set(&["a", "c"]);
    assert_eq!(verdict(&on_b).plan, join(&["a", "c"], &["a"]));
    // Without the hint b declines: a bootstraps first.
    on_b.promoting.clear();
    assert!(matches!(verdict(&on_b).plan, PromotePlan::Decline(r) if r.contains("a bootstraps")));
}

#[test]
fn a_node_reported_primary_but_stopped_joins_the_others() {
    let f = facts(
        "a",
        &["a", "b", "c"],
        &[
            ("a", report(5, NodeState::Primary)),
            ("b", report(5, NodeState::Primary)),
        ],
    );
    assert_eq!(verdict(&f).plan, join(&["b"], &["b"]));
    let alone = facts(
        "a",
        &["a", "b", "c"],
        &[("a", report(5, NodeState::Primary))],
    );
    assert!(matches!(verdict(&alone).plan, PromotePlan::Decline(_)));
}

#[test]
fn after_a_clean_stop_of_everyone_only_the_most_advanced_node_marks_itself() {
    let stopped = [
        ("a", report(7, NodeState::Stopped)),
        ("b", report(9, NodeState::Stopped)),
        ("c", report(9, NodeState::Stopped)),
    ];
    let marks = |me: &str, reports: &[(&str, Report)]| {
        verdict(&facts(me, &["a", "b", "c"], reports)).mark_safe_to_bootstrap
    };
    // b: highest seqno, tie with c broken by name.
    assert!(marks("b", &stopped));
    assert!(!marks("a", &stopped));
    assert!(!marks("c", &stopped));
    // Somebody is marked already (Galera did it for the last member to leave): nobody else marks.
    let mut already = stopped.clone();
    already[0].1.safe_to_bootstrap = true;
    assert!(!marks("b", &already));
    // Not a clean stop of everyone: a crash (recovered), a missing report, a running Primary component.
    let mut crashed = stopped.clone();
    crashed[2].1.state = NodeState::Recovered;
    assert!(!marks("b", &crashed));
    assert!(!marks("b", &stopped[..2]));
    let mut running = stopped.clone();
    running[0].1.state = NodeState::Primary;
    assert!(!marks("b", &running));
}

/// Every mariadbd killed at once: the nodes promoted together follow one stale `primary` report (its
/// mariadbd is gone, its monitor has not noticed yet). Each is a peer of the others, but only the claimed
/// Primary node is an anchor, so when it does not answer nobody joins a component of joiners only.
#[test]
fn fellow_joiners_are_never_anchors() {
    let reports = [
        ("a", report(9, NodeState::Recovered)),
        ("b", report(9, NodeState::Recovered)),
        ("c", report(5, NodeState::Primary)),
    ];
    let mut on_a = facts("a", &["a", "b", "c"], &reports);
    on_a.promoting = set(&["a", "b", "c"]);
    on_a.promoted = set(&["c"]);
    assert_eq!(verdict(&on_a).plan, join(&["b", "c"], &["c"]));
    // Nothing to join and nobody bootstrapping alongside: decline, whatever is being promoted.
    let waiting = [("a", report(9, NodeState::Recovered))];
    let mut w = facts("a", &["a", "b", "c"], &waiting);
    w.promoting = set(&["a", "b"]);
    assert!(matches!(verdict(&w).plan, PromotePlan::Decline(_)));
}

/// Pacemaker lists a declined instance (no server) as Promoted: a stopped report is not overruled by
/// that, so declined nodes never count as a running component for each other.
#[test]
fn a_stopped_report_is_not_overruled_by_a_promoted_hint() {
    let reports = [
        ("a", report(9, NodeState::Recovered)),
        ("b", report(9, NodeState::Recovered)),
        ("c", report(9, NodeState::Recovered)),
    ];
    let mut on_b = facts("b", &["a", "b", "c"], &reports);
    on_b.promoted = set(&["a", "b", "c"]);
    let v = verdict(&on_b);
    assert!(
        matches!(&v.decision, Decision::Bootstrap { node, .. } if *node == n("a")),
        "{v:?}"
    );
    assert_eq!(v.score, None);
    // A node without any report yet still counts (its promote just published nothing so far).
    let mut fresh = facts("b", &["a", "b", "c"], &reports[1..]);
    fresh.promoted = set(&["a"]);
    assert!(matches!(verdict(&fresh).decision, Decision::Join { .. }));
}

/// Every mariadbd killed at once: c's primary report is stale (its Galera port is closed). It counts as not
/// reported, also when Pacemaker still lists it Promoted, so nobody gets a score to join it.
#[test]
fn a_stale_primary_claim_counts_as_not_reported() {
    let reports = [
        ("a", report(9, NodeState::Recovered)),
        ("b", report(9, NodeState::Recovered)),
        ("c", report(5, NodeState::Primary)),
    ];
    let mut on_a = facts("a", &["a", "b", "c"], &reports);
    on_a.promoted = set(&["c"]);
    assert!(matches!(verdict(&on_a).decision, Decision::Join { .. }));
    on_a.stale = set(&["c"]);
    let v = verdict(&on_a);
    assert!(
        matches!(&v.decision, Decision::Wait { missing, .. } if *missing == set(&["c"])),
        "{v:?}"
    );
    assert_eq!(v.score, None);
    on_a.promoting = set(&["b", "c"]);
    assert!(matches!(verdict(&on_a).plan, PromotePlan::Decline(_)));
}

#[test]
fn only_a_join_plan_keeps_a_joiner_waiting() {
    let join = PromotePlan::Join {
        peers: BTreeSet::new(),
        anchors: [n("node3")].into_iter().collect(),
    };
    assert!(join.joins());
    assert_eq!(join.describe(), "join node3");
    assert!(!PromotePlan::Bootstrap.joins());
    assert!(!PromotePlan::Decline("wait for node3".into()).joins());
    assert_eq!(
        PromotePlan::Decline("wait for node3".into()).describe(),
        "wait for node3"
    );
}

const STEP: Duration = Duration::from_millis(1500);
const CAP: Duration = Duration::from_millis(72_500);

fn turn(
    me: &str,
    promoting: &BTreeSet<NodeName>,
    anchors: &BTreeSet<NodeName>,
) -> Option<JoinTurn> {
    join_turn(&n(me), promoting, anchors, STEP, CAP)
}

#[test]
fn fellow_joiners_start_in_name_order_and_a_bootstrap_node_is_not_one_of_them() {
    let three = set(&["node1", "node2", "node3"]);
    let none = BTreeSet::new();
    assert_eq!(turn("node1", &three, &none), None);
    assert_eq!(
        turn("node3", &three, &none),
        Some(JoinTurn {
            ahead: vec![n("node1"), n("node2")],
            pause: STEP * 2
        })
    );
    // node1 bootstraps in the same transition: it is what node2 and node3 join, not a joiner ahead.
    let anchors = set(&["node1"]);
    assert_eq!(turn("node2", &three, &anchors), None);
    assert_eq!(
        turn("node3", &three, &anchors),
        Some(JoinTurn {
            ahead: vec![n("node2")],
            pause: STEP
        })
    );
    // Alone in its transition (a rejoin), or no notification recorded: no pause.
    assert_eq!(turn("node2", &set(&["node2"]), &none), None);
    assert_eq!(turn("node2", &none, &none), None);
    // A list that does not name this node is a leftover of another transition: no pause.
    assert_eq!(turn("node3", &set(&["node1", "node2"]), &none), None);
    // join_stagger_ms=0 starts everyone at once.
    assert_eq!(
        join_turn(&n("node3"), &three, &none, Duration::ZERO, CAP),
        None
    );
}

#[test]
fn with_many_joiners_the_step_shrinks_so_that_the_last_one_keeps_its_own_turn() {
    // A 20 s promote timeout (Pacemaker's default) leaves a 4.5 s cap: five joiners 1.5 s apart would
    // need 6 s, so the 4th and the 5th must not both start at the cap.
    let five = set(&["n1", "n2", "n3", "n4", "n5"]);
    let none = BTreeSet::new();
    let cap = Duration::from_millis(4500);
    let pause = |me: &str| join_turn(&n(me), &five, &none, STEP, cap).map(|t| t.pause);
    assert_eq!(pause("n1"), None);
    assert_eq!(pause("n2"), Some(Duration::from_millis(1125)));
    assert_eq!(pause("n4"), Some(Duration::from_millis(3375)));
    assert_eq!(pause("n5"), Some(cap));
}

proptest::proptest! {
    /// Every joiner of one transition computes a different turn, in name order, and the last one waits
    /// at most the cap: no two start together, and nobody waits for a turn that nobody takes.
    #[test]
    fn every_joiner_of_a_transition_has_its_own_turn(
        names in proptest::collection::btree_set("node[0-9]{1,2}", 1..12),
        anchor_picks in proptest::collection::vec(proptest::bool::ANY, 12),
        step_ms in 1u64..60_000,
        cap_ms in 1u64..100_000,
    ) {
        let promoting: BTreeSet<NodeName> = names.iter().map(|s| n(s)).collect();
        let anchors: BTreeSet<NodeName> = promoting
            .iter()
            .zip(&anchor_picks)
            .filter(|(_, a)| **a)
            .map(|(p, _)| p.clone())
            .collect();
        let (step, cap) = (Duration::from_millis(step_ms), Duration::from_millis(cap_ms));
        let pauses: Vec<Duration> = promoting
            .iter()
            .filter(|p| !anchors.contains(*p))
            .map(|p| join_turn(p, &promoting, &anchors, step, cap).map_or(Duration::ZERO, |t| t.pause))
            .collect();
        for pair in pauses.windows(2) {
            proptest::prop_assert!(pair[0] < pair[1], "turns in name order, none shared: {:?}", pauses);
        }
        for p in &pauses {
            proptest::prop_assert!(*p <= cap && *p <= step * 11);
        }
    }
}

fn reforming_report(
    seqno: i64,
    me: u8,
    state: NodeState,
    pc: crate::galera::report::SavedPc,
) -> Report {
    let member = |i: u8| {
        let mut b = [0u8; 16];
        b[0] = 0xaa;
        b[15] = i;
        crate::galera::gvwstate::MemberUuid::from_bytes(b)
    };
    Report {
        view: Some(crate::galera::gvwstate::LastView {
            my_uuid: member(me),
            view_seq: 3,
            members: (1..=3).map(member).collect(),
            cc_seqno: Some(3),
            also_me: BTreeSet::new(),
        }),
        pc,
        ..report(seqno, state)
    }
}

/// Every member level with Galera's saved view: every node gets a score and re-forms; it waits for the
/// component in its promote only when the pre-promote notification names all of them.
#[test]
fn reform_scores_every_member_and_waits_only_when_promoted_together() {
    use crate::galera::report::SavedPc;
    let all = [
        (
            "a",
            reforming_report(9, 1, NodeState::Recovered, SavedPc::OnDisk),
        ),
        (
            "b",
            reforming_report(9, 2, NodeState::Recovered, SavedPc::OnDisk),
        ),
        (
            "c",
            reforming_report(9, 3, NodeState::Joining, SavedPc::Reforming),
        ),
    ];
    let mut f = facts("a", &["a", "b", "c"], &all);
    let v = verdict(&f);
    assert!(matches!(v.decision, Decision::Reform { .. }), "{v:?}");
    assert_eq!(v.score, Some(SCORE));
    assert_eq!(
        v.plan,
        PromotePlan::Reform {
            peers: set(&["b", "c"]),
            together: false
        }
    );
    // `promoting` never names this node itself (`Facts::promoting`).
    f.promoting = set(&["b"]);
    assert!(matches!(
        verdict(&f).plan,
        PromotePlan::Reform {
            together: false,
            ..
        }
    ));
    f.promoting = set(&["b", "c"]);
    assert!(matches!(
        verdict(&f).plan,
        PromotePlan::Reform { together: true, .. }
    ));
    // Pacemaker's Promoted hint does not make a re-forming node a running component.
    f.promoted = set(&["c"]);
    assert!(matches!(verdict(&f).decision, Decision::Reform { .. }));
}
