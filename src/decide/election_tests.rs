use super::*;
use crate::galera::gvwstate::LastView;
use crate::galera::position::Position;
use crate::galera::report::SavedPc;
use proptest::prelude::*;

const U1: &str = "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a";
const U2: &str = "11111111-2b38-11ee-9e5e-8f5f5b6f0e1a";
const NIL: &str = "00000000-0000-0000-0000-000000000000";

fn n(s: &str) -> NodeName {
    NodeName::new(s).unwrap()
}

fn set(names: &[&str]) -> BTreeSet<NodeName> {
    names.iter().map(|s| n(s)).collect()
}

/// Process UUID number `i` (for gvw data).
fn m(i: u8) -> MemberUuid {
    let mut b = [0u8; 16];
    b[15] = i;
    b[0] = 0xaa;
    MemberUuid::from_bytes(b)
}

fn rep(uuid: &str, seqno: i64) -> Report {
    Report {
        position: Position::new(uuid.parse().unwrap(), Seqno::new(seqno).unwrap()),
        safe_to_bootstrap: false,
        state: NodeState::Recovered,
        at: 0,
        view: None,
        pc: crate::galera::report::SavedPc::Absent,
    }
}

trait Build {
    fn pc(self, pc: SavedPc) -> Self;
    fn stb(self) -> Self;
    fn primary(self) -> Self;
    fn view(self, me: u8, seq: u64, members: &[u8]) -> Self;
    fn state(self, state: NodeState) -> Self;
}

impl Build for Report {
    fn pc(mut self, pc: SavedPc) -> Self {
        self.pc = pc;
        self
    }
    fn stb(mut self) -> Self {
        self.safe_to_bootstrap = true;
        self
    }
    fn primary(mut self) -> Self {
        self.state = NodeState::Primary;
        self
    }
    fn state(mut self, state: NodeState) -> Self {
        self.state = state;
        self
    }
    fn view(mut self, me: u8, seq: u64, members: &[u8]) -> Self {
        self.view = Some(LastView {
            my_uuid: m(me),
            view_seq: seq,
            members: members.iter().map(|i| m(*i)).collect(),
            // Every member applied everything before the view (the lagging case has its own tests).
            cc_seqno: Some(0),
            also_me: BTreeSet::new(),
        });
        self
    }
}

fn reports(list: Vec<(&str, Report)>) -> BTreeMap<NodeName, Report> {
    list.into_iter().map(|(k, r)| (n(k), r)).collect()
}

const THREE: [&str; 3] = ["pcmk1", "pcmk2", "pcmk3"];

fn winner(d: &Decision) -> &str {
    match d {
        Decision::Bootstrap { node, .. } => node.as_str(),
        other => panic!("expected a bootstrap, got {other:?}"),
    }
}

fn tie(d: &Decision) -> Option<TieBreak> {
    match d {
        Decision::Bootstrap {
            rule: Rule::HighestSeqno { tie, .. },
            ..
        } => *tie,
        other => panic!("expected a seqno bootstrap, got {other:?}"),
    }
}

// ---- named table cases -------------------------------------------------------------

/// Three members after a power loss of all of them: level, each with Galera's gvwstate.dat of the same view.
fn level_with_saved_view(seqno: i64) -> BTreeMap<NodeName, Report> {
    reports(vec![
        (
            "pcmk1",
            rep(U1, seqno).view(1, 4, &[1, 2, 3]).pc(SavedPc::OnDisk),
        ),
        (
            "pcmk2",
            rep(U1, seqno).view(2, 4, &[1, 2, 3]).pc(SavedPc::OnDisk),
        ),
        (
            "pcmk3",
            rep(U1, seqno).view(3, 4, &[1, 2, 3]).pc(SavedPc::OnDisk),
        ),
    ])
}

#[test]
fn level_members_with_their_saved_view_re_form_it() {
    let r = level_with_saved_view(24);
    let d = decide(&set(&THREE), &r);
    assert!(
        matches!(&d, Decision::Reform { members, seqno, view_seq: 4, .. }
            if *members == set(&THREE) && seqno.get() == 24),
        "{d:?}"
    );
    assert_eq!(d.promotion_candidates(&set(&THREE)), set(&THREE));
    assert_eq!(
        d.action_for(&n("pcmk2")),
        NodeAction::Reform {
            peers: set(&["pcmk1", "pcmk3"])
        }
    );
    assert!(d
        .explain()
        .starts_with("re-form the last Primary component (view seq 4)"));
    // Members already re-forming (their promote ran first) count as reported, in any mix.
    let mut r2 = r.clone();
    for k in ["pcmk1", "pcmk3"] {
        let x = r2.get_mut(&n(k)).unwrap();
        x.state = NodeState::Joining;
        x.pc = SavedPc::Reforming;
    }
    assert!(matches!(decide(&set(&THREE), &r2), Decision::Reform { .. }));
}

/// Every condition of the re-form rule, broken one at a time: the other rules decide (a bootstrap by the
/// highest seqno, or a wait), never a re-form.
#[test]
fn re_form_needs_every_condition() {
    let base = level_with_saved_view(24);
    type Breaker = Box<dyn Fn(&mut BTreeMap<NodeName, Report>)>;
    let breakers: Vec<(&str, Breaker)> = vec![
        (
            "one member ahead",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().position.seqno = Seqno::new(25).unwrap()),
        ),
        (
            "one without gvwstate.dat",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().pc = SavedPc::Absent),
        ),
        (
            "one stopped cleanly",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().state = NodeState::Stopped),
        ),
        (
            "one joining, not re-forming",
            Box::new(|r| {
                let x = r.get_mut(&n("pcmk2")).unwrap();
                x.state = NodeState::Joining;
                x.pc = SavedPc::OnDisk;
            }),
        ),
        (
            "one recovered, published as re-forming",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().pc = SavedPc::Reforming),
        ),
        (
            "one interrupted transfer",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().state = NodeState::Incomplete),
        ),
        (
            "one seqno unknown",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().position.seqno = Seqno::UNKNOWN),
        ),
        (
            "another UUID",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().position.uuid = U2.parse().unwrap()),
        ),
        (
            "a nil history",
            Box::new(|r| {
                for x in r.values_mut() {
                    x.position.uuid = NIL.parse().unwrap()
                }
            }),
        ),
        (
            "an older view",
            Box::new(|r| {
                let x = r.remove(&n("pcmk2")).unwrap();
                r.insert(n("pcmk2"), x.view(2, 3, &[1, 2, 3]));
            }),
        ),
        (
            "an arbitrator in the view",
            Box::new(|r| {
                for (k, x) in r.iter_mut() {
                    let me = x.view.as_ref().unwrap().my_uuid;
                    *x = x.clone().view(0, 4, &[1, 2, 3, 9]);
                    x.view.as_mut().unwrap().my_uuid = me;
                    let _ = k;
                }
            }),
        ),
        (
            "two members with one process UUID",
            Box::new(|r| {
                let x = r.remove(&n("pcmk2")).unwrap();
                r.insert(n("pcmk2"), x.view(1, 4, &[1, 2, 3]));
            }),
        ),
        (
            "no saved view on one",
            Box::new(|r| r.get_mut(&n("pcmk2")).unwrap().view = None),
        ),
        (
            "one not reported",
            Box::new(|r| {
                r.remove(&n("pcmk2"));
            }),
        ),
    ];
    for (what, breaks) in breakers {
        let mut r = base.clone();
        breaks(&mut r);
        let d = decide(&set(&THREE), &r);
        assert!(!matches!(d, Decision::Reform { .. }), "{what}: {d:?}");
    }
    // The seqno rule still applies when one is ahead: it bootstraps.
    let mut r = base.clone();
    r.get_mut(&n("pcmk2")).unwrap().position.seqno = Seqno::new(25).unwrap();
    assert_eq!(winner(&decide(&set(&THREE), &r)), "pcmk2");
    // A lone node never re-forms (Galera has no peer address to connect to).
    let lone = reports(vec![(
        "pcmk1",
        rep(U1, 7).view(1, 2, &[1]).pc(SavedPc::OnDisk),
    )]);
    assert_eq!(winner(&decide(&set(&["pcmk1"]), &lone)), "pcmk1");
}

/// A member whose re-forming failed reports again without gvwstate.dat; while another still re-forms
/// (`joining`), nobody bootstraps. Once none does, the seqno rule bootstraps one node.
#[test]
fn a_failed_re_form_waits_for_the_others_then_bootstraps() {
    let mut r = level_with_saved_view(24);
    r.get_mut(&n("pcmk1")).unwrap().pc = SavedPc::Absent;
    {
        let x = r.get_mut(&n("pcmk2")).unwrap();
        x.state = NodeState::Joining;
        x.pc = SavedPc::Reforming;
    }
    assert!(
        matches!(decide(&set(&THREE), &r), Decision::Wait { ref missing, .. } if *missing == set(&["pcmk2"]))
    );
    for x in r.values_mut() {
        x.state = NodeState::Recovered;
        x.pc = SavedPc::Absent;
    }
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Bootstrap { .. }
    ));
}

#[test]
fn cold_start_from_fresh_datadirs_bootstraps_lowest_name() {
    let r = reports(vec![
        ("pcmk2", rep(NIL, -1)),
        ("pcmk1", rep(NIL, -1)),
        ("pcmk3", rep(NIL, -1)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        &d,
        Decision::Bootstrap { node, rule: Rule::ColdStart, .. } if node.as_str() == "pcmk1"
    ));
    assert_eq!(d.notes().empty, set(&THREE));
    assert!(d
        .explain()
        .starts_with("bootstrap pcmk1: every expected node is new"));
}

/// Lab, 2026-12-07: all three servers started after a power loss without their positions; pc.recovery
/// re-formed the component as a nil-UUID history, writes went on as `00000000-…:N`, node1 was powered off
/// at N=5, the others at N=11. Taking nil:11 for "new" cold-started node1 and its SST to the others lost
/// six acknowledged writes. A nil UUID with a known seqno is a history: the highest seqno wins.
#[test]
fn nil_uuid_with_known_seqno_is_history_not_a_cold_start() {
    let r = reports(vec![
        ("pcmk1", rep(NIL, 5)),
        ("pcmk2", rep(NIL, 11)),
        ("pcmk3", rep(NIL, 11)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert!(d.notes().empty.is_empty());
    // Beside fresh nodes the history still wins, and a fresh node never does.
    let r = reports(vec![
        ("pcmk1", rep(NIL, -1)),
        ("pcmk2", rep(NIL, -1)),
        ("pcmk3", rep(NIL, 0)),
    ]);
    assert_eq!(winner(&decide(&set(&THREE), &r)), "pcmk3");
}

/// A nil history continues some named one and restarts its numbering: nil:5 may hold writes U1:3's
/// node never applied, or U1:3 writes the nil members missed. Neither side is chosen.
#[test]
fn nil_history_beside_a_named_uuid_is_a_conflict() {
    let r = reports(vec![
        ("pcmk1", rep(NIL, 5)),
        ("pcmk2", rep(U1, 3)),
        ("pcmk3", rep(U1, 3)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(
        matches!(&d, Decision::Conflict { reason: ConflictReason::NilHistoryBesideNamed { nil, .. }, .. }
            if *nil == set(&["pcmk1"])),
        "{d:?}"
    );
    assert!(
        d.explain().contains("cannot be compared"),
        "{}",
        d.explain()
    );
    assert!(!d.explain().contains("foreign"), "{}", d.explain());
    // An interrupted transfer into the named cluster holds nothing usable: no conflict of its own.
    let only_nil = reports(vec![
        ("pcmk1", rep(NIL, 5)),
        ("pcmk2", rep(NIL, 5)),
        ("pcmk3", rep(U1, -1).state(NodeState::Incomplete)),
    ]);
    assert_eq!(winner(&decide(&set(&THREE), &only_nil)), "pcmk1");
    // A running Primary component still wins: everyone joins it.
    let mut r = r;
    r.insert(n("pcmk2"), rep(U1, 3).primary());
    assert!(matches!(decide(&set(&THREE), &r), Decision::Join { .. }));
}

/// Review of the fix above: an interrupted transfer whose datadir shows no UUID (grastate.dat gone
/// mid-SST) must not tip the vote between a nil history and a real one (it made nil:5 win over U1:3,
/// overwriting U1's data).
#[test]
fn incomplete_without_uuid_does_not_vote_for_the_nil_history() {
    let r = reports(vec![
        ("pcmk1", rep(NIL, 5)),
        ("pcmk2", rep(NIL, -1).state(NodeState::Incomplete)),
        ("pcmk3", rep(U1, 3)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(&d, Decision::Conflict { .. }), "{d:?}");
    // Nor does it make a conflict of its own next to one named history (it used to vote nil: "no node
    // of cluster 00000000-… knows its seqno" for U1:10 + two such nodes).
    let r = reports(vec![
        ("pcmk1", rep(U1, 10)),
        ("pcmk2", rep(NIL, -1).state(NodeState::Incomplete)),
        ("pcmk3", rep(NIL, -1).state(NodeState::Incomplete)),
    ]);
    assert_eq!(winner(&decide(&set(&THREE), &r)), "pcmk1");
    // Alone beside fresh nodes it still rules out a cold start.
    let r = reports(vec![
        ("pcmk1", rep(NIL, -1)),
        ("pcmk2", rep(NIL, -1).state(NodeState::Incomplete)),
        ("pcmk3", rep(NIL, -1)),
    ]);
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Conflict { .. }
    ));
}

#[test]
fn cold_start_waits_for_every_node() {
    let r = reports(vec![("pcmk1", rep(NIL, -1)), ("pcmk2", rep(NIL, -1))]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(&d, Decision::Wait { missing, .. } if *missing == set(&["pcmk3"])));
}

#[test]
fn graceful_stop_last_node_has_highest_seqno_and_stb() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 10)),
        ("pcmk2", rep(U1, 12).stb()),
        ("pcmk3", rep(U1, 11)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(tie(&d), None);
    assert_eq!(
        d.explain(),
        format!("bootstrap pcmk2: highest seqno 12 of cluster {U1}; all 3 expected nodes reported")
    );
}

#[test]
fn graceful_stop_equal_seqnos_stb_breaks_the_tie() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 12)),
        ("pcmk2", rep(U1, 12)),
        ("pcmk3", rep(U1, 12).stb()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk3");
    assert_eq!(tie(&d), Some(TieBreak::SafeToBootstrap));
    assert!(d.explain().contains("tie broken by safe_to_bootstrap=1"));
}

#[test]
fn crash_of_all_nodes_with_differing_seqnos() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 100)),
        ("pcmk2", rep(U1, 102)),
        ("pcmk3", rep(U1, 101)),
    ]);
    assert_eq!(winner(&decide(&set(&THREE), &r)), "pcmk2");
}

#[test]
fn seqnos_compare_as_numbers() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 9)),
        ("pcmk2", rep(U1, 10)),
        ("pcmk3", rep(U1, 100)),
    ]);
    assert_eq!(winner(&decide(&set(&THREE), &r)), "pcmk3");
}

#[test]
fn lagging_node_loses_and_equal_leaders_break_by_name() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 90)),
        ("pcmk2", rep(U1, 100)),
        ("pcmk3", rep(U1, 100)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(tie(&d), Some(TieBreak::LowestName));
}

#[test]
fn two_nodes_with_stb_resolve_to_one() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 50)),
        ("pcmk2", rep(U1, 50).stb()),
        ("pcmk3", rep(U1, 50).stb()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(tie(&d), Some(TieBreak::LowestName));
}

#[test]
fn stb_never_beats_a_higher_seqno() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 5).stb()),
        ("pcmk2", rep(U1, 6)),
        ("pcmk3", rep(U1, 4).stb()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(tie(&d), None);
}

#[test]
fn stb_does_not_allow_deciding_early() {
    let r = reports(vec![("pcmk1", rep(U1, 5).stb()), ("pcmk2", rep(U1, 4))]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        &d,
        Decision::Wait { missing, reason: WaitReason::NoSavedView, .. } if *missing == set(&["pcmk3"])
    ));
    assert!(d
        .explain()
        .starts_with("wait for pcmk3: not every expected node reported"));
}

#[test]
fn foreign_uuid_never_wins() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 10)),
        ("pcmk2", rep(U1, 9)),
        ("pcmk3", rep(U2, 1000).stb()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk1");
    assert_eq!(
        d.notes().foreign,
        BTreeMap::from([(n("pcmk3"), U2.parse().unwrap())])
    );
    assert!(d.explain().ends_with(&format!(
        "; foreign cluster UUID, never chosen: pcmk3 ({U2})"
    )));
}

#[test]
fn equal_size_uuid_split_is_a_conflict() {
    let two = set(&["pcmk1", "pcmk2"]);
    let r = reports(vec![("pcmk1", rep(U1, 10).stb()), ("pcmk2", rep(U2, 20))]);
    let d = decide(&two, &r);
    assert!(matches!(
        &d,
        Decision::Conflict { reason: ConflictReason::UuidSplit { uuids }, .. } if uuids.len() == 2
    ));
    assert!(d.explain().contains("have equally many nodes"));
    // An empty third node does not break the tie.
    let r = reports(vec![
        ("pcmk1", rep(U1, 10)),
        ("pcmk2", rep(U2, 20)),
        ("pcmk3", rep(NIL, -1)),
    ]);
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Conflict {
            reason: ConflictReason::UuidSplit { .. },
            ..
        }
    ));
    // Four nodes, two and two.
    let four = set(&["a", "b", "c", "d"]);
    let r = reports(vec![
        ("a", rep(U1, 1)),
        ("b", rep(U1, 1)),
        ("c", rep(U2, 9)),
        ("d", rep(U2, 9)),
    ]);
    assert!(matches!(
        decide(&four, &r),
        Decision::Conflict {
            reason: ConflictReason::UuidSplit { .. },
            ..
        }
    ));
}

#[test]
fn unknown_seqno_never_beats_a_known_one() {
    let r = reports(vec![
        ("pcmk1", rep(U1, -1).stb()),
        ("pcmk2", rep(U1, 3)),
        ("pcmk3", rep(U1, 2)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(d.notes().unknown_seqno, set(&["pcmk1"]));
    assert!(d.explain().contains("; seqno unknown on pcmk1"));
}

#[test]
fn no_known_seqno_is_a_conflict_not_a_guess() {
    let r = reports(vec![
        ("pcmk1", rep(U1, -1)),
        ("pcmk2", rep(U1, -1).stb()),
        ("pcmk3", rep(NIL, -1)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        &d,
        Decision::Conflict { reason: ConflictReason::NoKnownSeqno { nodes, .. }, .. }
            if *nodes == set(&["pcmk1", "pcmk2"])
    ));
}

#[test]
fn empty_node_joins_the_cluster_of_the_others() {
    let r = reports(vec![
        ("pcmk1", rep(NIL, -1)),
        ("pcmk2", rep(U1, 3)),
        ("pcmk3", rep(U1, 2)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(d.notes().empty, set(&["pcmk1"]));
}

#[test]
fn missing_node_without_saved_view_means_wait() {
    let r = reports(vec![("pcmk1", rep(U1, 10)), ("pcmk2", rep(U1, 11))]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        d,
        Decision::Wait {
            reason: WaitReason::NoSavedView,
            ..
        }
    ));
}

#[test]
fn missing_node_outside_last_view_is_excused() {
    // pcmk3 was killed earlier; pcmk1 and pcmk2 formed view 5 without it, then crashed.
    let r = reports(vec![
        ("pcmk1", rep(U1, 100).view(1, 5, &[1, 2])),
        ("pcmk2", rep(U1, 101).view(2, 5, &[1, 2])),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert!(matches!(
        &d,
        Decision::Bootstrap {
            rule: Rule::HighestSeqno { basis: Basis::LastViewCovered { view_seq: 5 }, .. },
            notes,
            ..
        } if notes.excused == set(&["pcmk3"])
    ));
    assert_eq!(
        d.explain(),
        format!(
            "bootstrap pcmk2: highest seqno 101 of cluster {U1}; pcmk3 did not report but \
             every member of the last Primary view (seq 5) did"
        )
    );
}

#[test]
fn missing_node_inside_last_view_means_wait() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 100).view(1, 5, &[1, 2, 3])),
        ("pcmk2", rep(U1, 101).view(2, 5, &[1, 2, 3])),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        &d,
        Decision::Wait {
            reason: WaitReason::ViewNotCovered { view_seq: 5, unaccounted },
            ..
        } if *unaccounted == BTreeSet::from([m(3)])
    ));
    assert!(d
        .explain()
        .contains("the last Primary view (seq 5) has members no reporting node accounts for"));
}

#[test]
fn stale_view_of_a_node_killed_earlier() {
    // pcmk3 was killed in view 4 {1,2,3}; pcmk1/pcmk2 went on in view 5 {1,2} and crashed.
    let p1 = rep(U1, 100).view(1, 5, &[1, 2]);
    let p2 = rep(U1, 101).view(2, 5, &[1, 2]);
    let p3 = rep(U1, 90).view(3, 4, &[1, 2, 3]);
    let all = reports(vec![
        ("pcmk1", p1.clone()),
        ("pcmk2", p2.clone()),
        ("pcmk3", p3.clone()),
    ]);
    assert_eq!(winner(&decide(&set(&THREE), &all)), "pcmk2");
    // Only the stale node and one survivor: pcmk2 (member 2 of view 5) is unaccounted for.
    let partial = reports(vec![("pcmk1", p1), ("pcmk3", p3)]);
    assert!(matches!(
        decide(&set(&THREE), &partial),
        Decision::Wait {
            reason: WaitReason::ViewNotCovered { view_seq: 5, .. },
            ..
        }
    ));
}

#[test]
fn stale_node_with_equal_seqno_cannot_displace_the_last_view() {
    // pcmk1 (lowest name) was killed with seqno 100 and no writes happened after; the last
    // view's members must keep winning when pcmk1's report arrives late.
    let p1 = rep(U1, 100).view(1, 4, &[1, 2, 3]);
    let p2 = rep(U1, 100).view(2, 5, &[2, 3]);
    let p3 = rep(U1, 100).view(3, 5, &[2, 3]);
    let early = reports(vec![("pcmk2", p2.clone()), ("pcmk3", p3.clone())]);
    let late = reports(vec![("pcmk1", p1), ("pcmk2", p2), ("pcmk3", p3)]);
    let d_early = decide(&set(&THREE), &early);
    let d_late = decide(&set(&THREE), &late);
    assert_eq!(winner(&d_early), "pcmk2");
    assert_eq!(winner(&d_late), "pcmk2");
    // pcmk2 and pcmk3 are both in the last view: the name separates those two.
    assert_eq!(tie(&d_late), Some(TieBreak::LowestName));
    // When only one node of the last view holds the top seqno, the view decides.
    let r = reports(vec![
        ("pcmk1", rep(U1, 100).view(1, 4, &[1, 2, 3])),
        ("pcmk2", rep(U1, 100).view(2, 5, &[2, 3])),
        ("pcmk3", rep(U1, 99).view(3, 5, &[2, 3])),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk2");
    assert_eq!(tie(&d), Some(TieBreak::LastView));
    assert!(d
        .explain()
        .contains("(tie broken by membership in the last Primary view)"));
}

#[test]
fn half_rewritten_views_mean_wait() {
    // Crash within the second in which survivors rewrite their view: pcmk2 still has view 4.
    let r = reports(vec![
        ("pcmk1", rep(U1, 100).view(1, 5, &[1, 2])),
        ("pcmk2", rep(U1, 100).view(2, 4, &[1, 2, 3])),
    ]);
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Wait {
            reason: WaitReason::ViewNotCovered { view_seq: 5, ref unaccounted },
            ..
        } if *unaccounted == BTreeSet::from([m(2)])
    ));
}

#[test]
fn disagreeing_views_with_the_same_seq_mean_wait() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 100).view(1, 5, &[1, 2])),
        ("pcmk2", rep(U1, 100).view(2, 5, &[2])),
    ]);
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Wait {
            reason: WaitReason::ViewsDisagree { view_seq: 5 },
            ..
        }
    ));
}

#[test]
fn covered_view_of_new_nodes_still_needs_everyone_for_a_cold_start() {
    let r = reports(vec![("pcmk1", rep(NIL, -1).view(1, 1, &[1]))]);
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Wait {
            reason: WaitReason::ColdStartNeedsAll,
            ..
        }
    ));
}

#[test]
fn running_primary_means_join_even_when_incomplete() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 5)),
        ("pcmk2", rep(U1, -1).primary()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(&d, Decision::Join { primary, .. } if *primary == set(&["pcmk2"])));
    assert_eq!(d.explain(), "join the running Primary component on pcmk2");
    let r = reports(vec![
        ("pcmk1", rep(U1, 500).stb()),
        ("pcmk2", rep(U1, 7).primary()),
        ("pcmk3", rep(U1, 7).primary()),
    ]);
    assert!(matches!(
        decide(&set(&THREE), &r),
        Decision::Join { primary, .. } if primary == set(&["pcmk2", "pcmk3"])
    ));
}

#[test]
fn primary_outside_expected_blocks_bootstrap() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 5)),
        ("pcmk2", rep(U1, 6)),
        ("pcmk3", rep(U1, 7)),
        ("other", rep(U1, 7).primary()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        &d,
        Decision::Conflict { reason: ConflictReason::PrimaryOutsideExpected { nodes }, .. }
            if *nodes == set(&["other"])
    ));
}

#[test]
fn nodes_outside_expected_are_ignored_and_listed() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 5)),
        ("pcmk2", rep(U1, 6)),
        ("pcmk3", rep(U1, 7)),
        ("intruder", rep(U1, 9999).stb()),
        ("alien", rep(U2, 1)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(winner(&d), "pcmk3");
    assert_eq!(d.notes().ignored, set(&["alien", "intruder"]));
    assert!(d.notes().foreign.is_empty());
    assert!(d
        .explain()
        .ends_with("; ignored reports from nodes outside the cluster address: alien, intruder"));
    // Outsiders never count towards completeness.
    let r = reports(vec![("pcmk1", rep(U1, 5)), ("intruder", rep(U1, 9))]);
    assert!(matches!(
        decide(&set(&["pcmk1", "pcmk2"]), &r),
        Decision::Wait { .. }
    ));
}

#[test]
fn joining_node_without_primary_is_awaited() {
    // The Primary component vanished while pcmk2 was receiving a state transfer: its
    // published seqno 500 is stale and its datadir may be half-written.
    let r = reports(vec![
        ("pcmk1", rep(U1, 90)),
        ("pcmk2", {
            let mut j = rep(U1, 500);
            j.state = NodeState::Joining;
            j
        }),
        ("pcmk3", rep(U1, 80).view(3, 9, &[3])),
    ]);
    let d = decide(&set(&THREE), &r);
    assert!(matches!(
        &d,
        Decision::Wait { missing, reason: WaitReason::Joining { nodes }, .. }
            if *missing == set(&["pcmk2"]) && *nodes == set(&["pcmk2"])
    ));
    assert!(d
        .explain()
        .starts_with("wait for pcmk2: joining although no Primary component runs: pcmk2;"));
    // Once it stops and publishes a recovered position, the election proceeds.
    let mut r = r;
    r.insert(n("pcmk2"), rep(U1, 95));
    assert_eq!(winner(&decide(&set(&THREE), &r)), "pcmk2");
}

#[test]
fn nothing_expected_is_a_conflict() {
    let r = reports(vec![("pcmk1", rep(U1, 5))]);
    assert!(matches!(
        decide(&BTreeSet::new(), &r),
        Decision::Conflict {
            reason: ConflictReason::NothingExpected,
            ..
        }
    ));
}

#[test]
fn no_reports_at_all_means_wait_for_everyone() {
    let d = decide(&set(&THREE), &BTreeMap::new());
    assert!(matches!(&d, Decision::Wait { missing, .. } if *missing == set(&THREE)));
    assert!(d.explain().starts_with("wait for pcmk1, pcmk2, pcmk3:"));
}

#[test]
fn actions_and_promotion_candidates() {
    let r = reports(vec![
        ("pcmk1", rep(U1, 5)),
        ("pcmk2", rep(U1, 6)),
        ("pcmk3", rep(U1, 4)),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(d.action_for(&n("pcmk2")), NodeAction::Bootstrap);
    assert_eq!(
        d.action_for(&n("pcmk1")),
        NodeAction::AwaitBootstrap { node: n("pcmk2") }
    );
    assert_eq!(d.promotion_candidates(&set(&THREE)), set(&["pcmk2"]));
    assert_eq!(d.bootstrap_node(), Some(&n("pcmk2")));

    let r = reports(vec![
        ("pcmk1", rep(U1, 5)),
        ("pcmk2", rep(U1, -1).primary()),
    ]);
    let d = decide(&set(&THREE), &r);
    assert_eq!(d.action_for(&n("pcmk2")), NodeAction::AlreadyPrimary);
    assert_eq!(
        d.action_for(&n("pcmk3")),
        NodeAction::Join {
            peers: set(&["pcmk2"])
        }
    );
    assert_eq!(d.promotion_candidates(&set(&THREE)), set(&THREE));

    let d = decide(&set(&THREE), &reports(vec![("pcmk1", rep(U1, 5))]));
    assert_eq!(d.action_for(&n("pcmk1")), NodeAction::Stay);
    assert!(d.promotion_candidates(&set(&THREE)).is_empty());
    assert_eq!(d.bootstrap_node(), None);
}

#[test]
fn single_node_cluster() {
    let r = reports(vec![("solo", rep(U1, 3))]);
    assert_eq!(winner(&decide(&set(&["solo"]), &r)), "solo");
}

/// Real files from a 3-node lab (tests/fixtures/README.md, "lab3"): node3 killed first,
/// node1+node2 killed later. Reports built from them exactly as the agent would.
fn lab3_report(gvw: &str, recover_log: &str) -> Report {
    Report {
        position: crate::galera::recover::parse(recover_log).unwrap(),
        safe_to_bootstrap: false,
        state: NodeState::Recovered,
        at: 0,
        view: Some(crate::galera::gvwstate::parse(gvw).unwrap().last_view()),
        pc: crate::galera::report::SavedPc::Absent,
    }
}

#[test]
fn real_three_node_crash_with_node_killed_earlier() {
    let r1 = lab3_report(
        fixture!("gvwstate/lab3-crash-n1.dat"),
        fixture!("wsrep-recover/lab3-crash-n1.log"),
    );
    let r2 = lab3_report(
        fixture!("gvwstate/lab3-crash-n2.dat"),
        fixture!("wsrep-recover/lab3-crash-n2.log"),
    );
    let r3 = lab3_report(
        fixture!("gvwstate/lab3-crash-n3.dat"),
        fixture!("wsrep-recover/lab3-crash-n3.log"),
    );
    assert_eq!(
        (
            r1.position.seqno.get(),
            r2.position.seqno.get(),
            r3.position.seqno.get()
        ),
        (13, 13, 6)
    );
    let expected = set(&["node1", "node2", "node3"]);
    let all = reports(vec![
        ("node1", r1.clone()),
        ("node2", r2.clone()),
        ("node3", r3.clone()),
    ]);
    assert_eq!(winner(&decide(&expected, &all)), "node1");
    // node3 (killed earlier, stale view) stays down: the saved views alone do not show that
    // node1+node2 applied what node3 acknowledged before their view formed (issue 13): wait.
    let without3 = reports(vec![("node1", r1.clone()), ("node2", r2.clone())]);
    assert!(matches!(
        decide(&expected, &without3),
        Decision::Wait {
            reason: WaitReason::ViewNotApplied { cc_seqno: None, .. },
            ..
        }
    ));
    // Their logs show the view's configuration change at seqno 7 (after node3's 6 writes): safe
    // to decide without node3.
    let logged = |mut r: Report| {
        if let Some(v) = r.view.as_mut() {
            v.cc_seqno = Some(7);
        }
        r
    };
    let (r1, r2) = (logged(r1), logged(r2));
    let without3 = reports(vec![("node1", r1.clone()), ("node2", r2.clone())]);
    let d = decide(&expected, &without3);
    assert_eq!(winner(&d), "node1");
    assert_eq!(d.notes().excused, set(&["node3"]));
    // Had they stopped applying before that change (seqno 7 > 13 + 1 here is impossible, so
    // pretend the change came later), node3 is awaited again.
    let late = |mut r: Report| {
        if let Some(v) = r.view.as_mut() {
            v.cc_seqno = Some(20);
        }
        r
    };
    let lagging = reports(vec![
        ("node1", late(r1.clone())),
        ("node2", late(r2.clone())),
    ]);
    assert!(matches!(
        decide(&expected, &lagging),
        Decision::Wait {
            reason: WaitReason::ViewNotApplied {
                cc_seqno: Some(20),
                ..
            },
            ..
        }
    ));
    // node2 stays down: it was in the last view, so its data may be newer: wait.
    let without2 = reports(vec![("node1", r1), ("node3", r3)]);
    assert!(matches!(
        decide(&expected, &without2),
        Decision::Wait {
            reason: WaitReason::ViewNotCovered { view_seq: 4, .. },
            ..
        }
    ));
}

// ---- property tests --------------------------------------------------------------------

const NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "n10"];

fn arb_uuid() -> impl Strategy<Value = &'static str> {
    prop_oneof![3 => Just(U1), 1 => Just(U2), 1 => Just(NIL)]
}

fn arb_report(primary_weight: u32) -> impl Strategy<Value = Report> {
    (
        arb_uuid(),
        -1i64..6,
        any::<bool>(),
        prop_oneof![
            6 => Just(NodeState::Recovered),
            3 => Just(NodeState::Stopped),
            1 => Just(NodeState::Joining),
            1 => Just(NodeState::Incomplete),
            primary_weight => Just(NodeState::Primary),
        ],
        proptest::option::of((
            0u8..6,
            0u64..4,
            proptest::collection::btree_set(0u8..6, 1..4),
            proptest::option::of(-1i64..7),
        )),
        prop_oneof![2 => Just(SavedPc::Absent), 2 => Just(SavedPc::OnDisk), 1 => Just(SavedPc::Reforming)],
    )
        .prop_map(|(uuid, seqno, stb, state, view, pc)| {
            let mut r = rep(uuid, seqno);
            r.safe_to_bootstrap = stb;
            r.state = state;
            r.pc = pc;
            r.view = view.map(|(me, seq, ms, cc)| LastView {
                my_uuid: m(me),
                view_seq: seq,
                members: ms.into_iter().map(m).collect(),
                cc_seqno: cc,
                also_me: BTreeSet::new(),
            });
            r
        })
}

fn arb_input(
    primary_weight: u32,
) -> impl Strategy<Value = (BTreeSet<NodeName>, Vec<(NodeName, Report)>)> {
    (
        proptest::collection::btree_set(proptest::sample::select(NAMES.to_vec()), 1..6),
        proptest::collection::vec(
            (
                proptest::sample::select(NAMES.to_vec()),
                arb_report(primary_weight),
            ),
            0..7,
        ),
    )
        .prop_map(|(expected, list)| {
            (
                expected.into_iter().map(n).collect(),
                list.into_iter().map(|(k, r)| (n(k), r)).collect(),
            )
        })
}

/// The spec of the re-form rule, restated independently: every expected node (two or more) reported,
/// recovered with gvwstate.dat on disk or already re-forming; one named UUID and one known seqno; one
/// saved view, whose members are exactly the reporters' process UUIDs.
fn oracle_reform(expected: &BTreeSet<NodeName>, reports: &BTreeMap<NodeName, Report>) -> bool {
    let mine: Vec<&Report> = expected.iter().filter_map(|k| reports.get(k)).collect();
    if mine.len() != expected.len() || mine.len() < 2 {
        return false;
    }
    let first = mine[0];
    let Some(view) = first.view.as_ref() else {
        return false;
    };
    let uuids: BTreeSet<MemberUuid> = mine
        .iter()
        .filter_map(|r| r.view.as_ref().map(|v| v.my_uuid))
        .collect();
    mine.iter().all(|r| {
        matches!(
            (r.state, r.pc),
            (NodeState::Recovered, SavedPc::OnDisk) | (NodeState::Joining, SavedPc::Reforming)
        ) && r.position == first.position
            && r.view
                .as_ref()
                .is_some_and(|v| v.view_seq == view.view_seq && v.members == view.members)
    }) && !first.position.uuid.is_nil()
        && first.position.seqno.is_known()
        && uuids.len() == mine.len()
        && view.members == uuids
}

/// Every subset of `all` as some observer's view: the decisions it reaches.
fn decisions_over_all_subsets(
    expected: &BTreeSet<NodeName>,
    all: &BTreeMap<NodeName, Report>,
) -> Vec<Decision> {
    let keys: Vec<&NodeName> = all.keys().collect();
    (0u32..(1 << keys.len()))
        .map(|mask| {
            let seen: BTreeMap<NodeName, Report> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| ((*k).clone(), all[*k].clone()))
                .collect();
            decide(expected, &seen)
        })
        .collect()
}

/// The spec of rule 3, restated independently: may the reporters decide without the rest?
fn oracle_covered(expected: &BTreeSet<NodeName>, reports: &BTreeMap<NodeName, Report>) -> bool {
    let views: Vec<&LastView> = reports
        .iter()
        .filter(|(k, _)| expected.contains(*k))
        .filter_map(|(_, r)| r.view.as_ref())
        .collect();
    let Some(top) = views.iter().map(|v| v.view_seq).max() else {
        return false;
    };
    let at_top: Vec<&&LastView> = views.iter().filter(|v| v.view_seq == top).collect();
    let members = &at_top[0].members;
    at_top.iter().all(|v| v.members == *members)
        && members
            .iter()
            .all(|mu| at_top.iter().any(|v| v.my_uuid == *mu))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn insertion_order_does_not_matter(
        (expected, list) in arb_input(1),
        seed in any::<u64>(),
    ) {
        let forward: BTreeMap<NodeName, Report> = list.iter().cloned().collect();
        // Same final map built in another order (last write per key must stay the same).
        let mut shuffled: Vec<(usize, (NodeName, Report))> = list.iter().cloned().enumerate().collect();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut other = BTreeMap::new();
        let mut latest: BTreeMap<NodeName, usize> = BTreeMap::new();
        for (i, (k, r)) in shuffled {
            if latest.get(&k).is_none_or(|j| i > *j) {
                latest.insert(k.clone(), i);
                other.insert(k, r);
            }
        }
        prop_assert_eq!(decide(&expected, &forward), decide(&expected, &other));
    }

    #[test]
    fn bootstrap_winner_is_sound((expected, list) in arb_input(1)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        let d = decide(&expected, &reports);
        if let Decision::Bootstrap { node, rule, .. } = &d {
            prop_assert!(expected.contains(node));
            let mine = &reports[node];
            prop_assert!(reports.iter().all(|(k, r)| !expected.contains(k) || r.state != NodeState::Primary));
            match rule {
                Rule::ColdStart => {
                    // Not one expected reporter holds a committed seqno (whatever its UUID says).
                    prop_assert!(reports.iter().filter(|(k, _)| expected.contains(*k)).all(|(_, r)| !r.position.seqno.is_known()));
                    prop_assert_eq!(Some(node), expected.iter().next());
                }
                Rule::HighestSeqno { uuid, seqno, .. } => {
                    prop_assert_eq!(mine.position.uuid, *uuid);
                    prop_assert_eq!(mine.position.seqno, *seqno);
                    prop_assert!(seqno.is_known(), "an unknown seqno never wins");
                    // A nil UUID wins only as a history (a known seqno), never as an empty datadir.
                    prop_assert!(!mine.position.is_empty());
                    for (k, r) in reports.iter().filter(|(k, r)| expected.contains(*k) && r.state != NodeState::Incomplete) {
                        // Highest known seqno of its UUID among reporters with usable data.
                        if r.position.uuid == *uuid {
                            prop_assert!(r.position.seqno <= *seqno, "{k} has a higher seqno");
                        }
                    }
                    // Its UUID is held by strictly more reporters than any other UUID.
                    let count = |u: ClusterUuid| reports.iter()
                        .filter(|(k, r)| expected.contains(*k) && r.names_history() && r.position.uuid == u)
                        .count();
                    for r in reports.values().filter(|r| r.names_history() && r.position.uuid != *uuid) {
                        prop_assert!(count(r.position.uuid) < count(*uuid), "foreign UUID could win");
                    }
                }
            }
        }
    }

    #[test]
    fn never_bootstrap_over_a_nil_history_beside_a_named_one((expected, list) in arb_input(1)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        let voters: Vec<(&NodeName, &Report)> = reports
            .iter()
            .filter(|(k, r)| expected.contains(*k) && r.names_history() && r.state != NodeState::Incomplete)
            .collect();
        let nil = voters.iter().any(|(_, r)| r.position.uuid.is_nil());
        let named = voters.iter().any(|(_, r)| !r.position.uuid.is_nil());
        let d = decide(&expected, &reports);
        if nil && named {
            prop_assert!(!matches!(d, Decision::Bootstrap { .. }), "{:?}", d);
        }
    }

    #[test]
    fn never_bootstrap_while_a_primary_is_reported((expected, list) in arb_input(4)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        let any_primary = reports.values().any(|r| r.state == NodeState::Primary);
        let d = decide(&expected, &reports);
        if any_primary {
            prop_assert!(!matches!(d, Decision::Bootstrap { .. }), "{:?}", d);
        }
        if let Decision::Join { primary, .. } = &d {
            prop_assert!(!primary.is_empty());
            prop_assert!(primary.iter().all(|p| expected.contains(p) && reports[p].state == NodeState::Primary));
        }
    }

    #[test]
    fn wait_whenever_a_node_is_missing_and_no_view_covers_it((expected, list) in arb_input(1)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        let unreported: BTreeSet<NodeName> = expected.iter().filter(|k| !reports.contains_key(*k)).cloned().collect();
        let joining: BTreeSet<NodeName> = reports.iter()
            .filter(|(k, r)| expected.contains(*k) && r.state == NodeState::Joining)
            .map(|(k, _)| k.clone())
            .collect();
        let primary = reports.iter().any(|(k, r)| expected.contains(k) && r.state == NodeState::Primary);
        let outside_primary = reports.iter().any(|(k, r)| !expected.contains(k) && r.state == NodeState::Primary);
        let d = decide(&expected, &reports);
        let awaited: BTreeSet<NodeName> = unreported.union(&joining).cloned().collect();
        let shortcut = joining.is_empty() && oracle_covered(&expected, &reports);
        let reform = oracle_reform(&expected, &reports);
        if !awaited.is_empty() && !primary && !outside_primary && !shortcut && !reform {
            prop_assert!(matches!(&d, Decision::Wait { missing: m, .. } if *m == awaited), "{:?}", d);
        }
        if let Decision::Wait { missing: m, .. } = &d {
            prop_assert_eq!(m, &awaited);
            prop_assert!(!awaited.is_empty());
        }
        if let Decision::Bootstrap { node, notes, .. } = &d {
            prop_assert!(joining.is_empty());
            prop_assert!(matches!(reports[node].state, NodeState::Recovered | NodeState::Stopped));
            prop_assert_eq!(&notes.excused, &unreported);
            prop_assert!(unreported.is_empty() || shortcut);
        }
    }

    /// Interrupted transfers (issue 13): a node whose datadir may be half-copied from a donor is never
    /// the bootstrap node, whatever seqno (e.g. the donor's) it shows, and it never decides alone.
    #[test]
    fn an_interrupted_transfer_never_bootstraps((expected, list) in arb_input(1)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        if let Decision::Bootstrap { node, rule, .. } = decide(&expected, &reports) {
            prop_assert_ne!(reports.get(&node).map(|r| r.state), Some(NodeState::Incomplete));
            if let Rule::HighestSeqno { .. } = rule {
                prop_assert!(reports.iter().any(|(k, r)| expected.contains(k) && r.state != NodeState::Incomplete && !r.position.is_empty()));
            }
        }
    }

    /// The re-form rule holds exactly when its spec says and no Primary component is reported; its members
    /// are every expected node, all level.
    #[test]
    fn reform_exactly_as_specified((expected, list) in arb_input(1)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        let primary = reports.values().any(|r| r.state == NodeState::Primary);
        let d = decide(&expected, &reports);
        prop_assert_eq!(
            matches!(d, Decision::Reform { .. }),
            !primary && oracle_reform(&expected, &reports),
            "{:?}", d
        );
        if let Decision::Reform { members, uuid, seqno, .. } = &d {
            prop_assert_eq!(members, &expected);
            for k in &expected {
                prop_assert_eq!(reports[k].position, Position::new(*uuid, *seqno));
            }
        }
    }

    /// Whenever the complete reports re-form, no observer of a part of them (reports arriving in any
    /// order) bootstraps: the re-forming members would then wait for a node that already runs another
    /// component. Nor when some members have since published `joining` (re-forming).
    #[test]
    fn no_observer_bootstraps_while_the_members_re_form(
        size in 2usize..=5,
        seqno in 0i64..50,
        reforming in any::<u8>(),
        names in Just(NAMES.to_vec()).prop_shuffle(),
    ) {
        let all: BTreeMap<NodeName, Report> = (0..size)
            .map(|k| {
                let members: Vec<u8> = (0..size as u8).collect();
                let mut r = rep(U1, seqno).view(k as u8, 9, &members).pc(SavedPc::OnDisk);
                if reforming & (1 << k) != 0 {
                    r.state = NodeState::Joining;
                    r.pc = SavedPc::Reforming;
                }
                (n(names[k]), r)
            })
            .collect();
        let expected: BTreeSet<NodeName> = all.keys().cloned().collect();
        let full = decide(&expected, &all);
        prop_assert!(matches!(full, Decision::Reform { .. }), "{:?}", full);
        for d in decisions_over_all_subsets(&expected, &all) {
            prop_assert!(matches!(d, Decision::Wait { .. } | Decision::Reform { .. }), "{:?}", d);
        }
    }

    /// The same spec on inputs near the rule's edge: level members with their saved view (where random
    /// reports almost never land), then up to three changes, each of which alone may break a condition.
    #[test]
    fn reform_exactly_as_specified_near_the_edge(
        size in 1usize..=5,
        seqno in 0i64..50,
        changes in proptest::collection::vec((0u8..12, 0usize..5, 0u8..4), 0..4),
    ) {
        let names = &NAMES[..size];
        let members: Vec<u8> = (0..size as u8).collect();
        let mut reports: BTreeMap<NodeName, Report> = names
            .iter()
            .enumerate()
            .map(|(k, nm)| (n(nm), rep(U1, seqno).view(k as u8, 9, &members).pc(SavedPc::OnDisk)))
            .collect();
        let expected: BTreeSet<NodeName> = reports.keys().cloned().collect();
        for (what, who, arg) in changes {
            let k = n(names[who % size]);
            let Some(r) = reports.get_mut(&k) else { continue };
            match what {
                0 => r.position.seqno = Seqno::new(seqno + 1 + i64::from(arg)).unwrap(),
                1 => r.pc = SavedPc::Absent,
                2 => { r.state = NodeState::Joining; r.pc = SavedPc::Reforming; }
                3 => r.state = NodeState::Joining,
                4 => r.state = [NodeState::Stopped, NodeState::Incomplete, NodeState::Primary, NodeState::Recovered][arg as usize],
                5 => r.position.uuid = [U2, NIL, U1, U2][arg as usize].parse().unwrap(),
                6 => if let Some(v) = r.view.as_mut() { v.view_seq = 9 - u64::from(arg % 2) },
                7 => if let Some(v) = r.view.as_mut() { v.members.insert(m(6 + arg % 2)); },
                8 => if let Some(v) = r.view.as_mut() { v.my_uuid = m(arg % 5) },
                9 => { reports.remove(&k); }
                10 => r.view = None,
                _ => r.position.seqno = Seqno::UNKNOWN,
            }
        }
        let primary = reports.values().any(|r| r.state == NodeState::Primary);
        let d = decide(&expected, &reports);
        prop_assert_eq!(
            matches!(d, Decision::Reform { .. }),
            !primary && oracle_reform(&expected, &reports),
            "{:?} from {:?}", d, reports
        );
    }

    /// Reports change while the members re-form: a member re-forming (`joining`), one whose attempt failed
    /// (`recovered` without gvwstate.dat), one whose instance stopped (its report removed). Whatever mix
    /// and part of it an observer sees, it never bootstraps while it sees a member re-forming, and it
    /// re-forms only as specified.
    #[test]
    fn observers_of_changing_re_form_reports(
        size in 2usize..=4,
        seqno in 0i64..50,
        versions in proptest::collection::vec(0u8..4, 4),
    ) {
        let members: Vec<u8> = (0..size as u8).collect();
        let mut all: BTreeMap<NodeName, Report> = BTreeMap::new();
        for k in 0..size {
            let mut r = rep(U1, seqno).view(k as u8, 9, &members).pc(SavedPc::OnDisk);
            match versions[k] {
                0 => {}
                1 => { r.state = NodeState::Joining; r.pc = SavedPc::Reforming; }
                2 => r.pc = SavedPc::Absent,
                _ => continue,
            }
            all.insert(n(NAMES[k]), r);
        }
        let expected: BTreeSet<NodeName> = (0..size).map(|k| n(NAMES[k])).collect();
        let keys: Vec<NodeName> = all.keys().cloned().collect();
        for mask in 0u32..(1 << keys.len()) {
            let seen: BTreeMap<NodeName, Report> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| (k.clone(), all[k].clone()))
                .collect();
            let d = decide(&expected, &seen);
            let reforming_seen = seen.values().any(|r| r.pc == SavedPc::Reforming);
            if reforming_seen {
                prop_assert!(!matches!(d, Decision::Bootstrap { .. }), "{:?} from {:?}", d, seen);
            }
            prop_assert_eq!(matches!(d, Decision::Reform { .. }), oracle_reform(&expected, &seen));
        }
    }

    #[test]
    fn explain_is_one_line((expected, list) in arb_input(2)) {
        let reports: BTreeMap<NodeName, Report> = list.into_iter().collect();
        let text = decide(&expected, &reports).explain();
        prop_assert!(!text.is_empty() && !text.contains('\n'));
    }

    /// Reports without saved views arrive in any order; every node decides on whatever
    /// subset it has seen so far. Across all observers and times, at most one node is ever
    /// chosen (here: every subset of the final reports is some observer's view).
    #[test]
    fn observers_of_partial_reports_never_choose_two_nodes(
        (expected, list) in arb_input(0),
    ) {
        let all: BTreeMap<NodeName, Report> = list
            .into_iter()
            .map(|(k, mut r)| { r.view = None; (k, r) })
            .collect();
        let chosen = bootstrap_nodes_over_all_subsets(&expected, &all);
        prop_assert!(chosen.len() <= 1, "{:?}", chosen);
    }

    /// Same, with realistic saved views: simulated Galera histories (kills, graceful stops,
    /// writes, quorum loss) ending in a full crash. At most one node is ever chosen, and it
    /// always holds the highest seqno of all nodes (no committed write is lost).
    #[test]
    fn simulated_crashes_choose_one_node_with_all_writes(
        size in 1usize..=5,
        ops in proptest::collection::vec((0u8..4, 0u8..8, 0u8..3), 0..12),
        final_lags in proptest::collection::vec(0u8..3, 5),
        slow_rewrite in any::<u8>(),
        behind in any::<u8>(),
        names in Just(NAMES.to_vec()).prop_shuffle(),
        nil_history in any::<bool>(),
    ) {
        let mut reports = simulate(size, &ops, &final_lags, slow_rewrite, behind, &names);
        let reformed = |reports: &BTreeMap<NodeName, Report>| {
            let expected: BTreeSet<NodeName> = reports.keys().cloned().collect();
            matches!(decide(&expected, reports), Decision::Reform { .. })
        };
        if nil_history {
            // The same history after pc.recovery restarted it without positions: nil UUID, known seqnos.
            for r in reports.values_mut() {
                r.position.uuid = NIL.parse().unwrap();
            }
        }
        let expected: BTreeSet<NodeName> = reports.keys().cloned().collect();
        let chosen = bootstrap_nodes_over_all_subsets(&expected, &reports);
        prop_assert!(chosen.len() <= 1, "{:?} from {:?}", chosen, reports);
        let max = reports.values().map(|r| r.position.seqno).max();
        for node in &chosen {
            prop_assert_eq!(Some(reports[node].position.seqno), max, "{} would lose writes", node);
        }
        // With every report in, a decision is always reached: a bootstrap, or, when the members were level
        // in one saved view, a re-forming of it (and then no observer of fewer reports bootstraps).
        let full = decide(&expected, &reports);
        if reformed(&reports) {
            prop_assert!(chosen.is_empty(), "{:?} beside a re-forming", chosen);
            prop_assert!(reports.values().all(|r| Some(r.position.seqno) == max), "re-formed while not level");
        } else {
            prop_assert!(matches!(full, Decision::Bootstrap { .. }), "{:?}", full);
        }
    }
}

fn bootstrap_nodes_over_all_subsets(
    expected: &BTreeSet<NodeName>,
    all: &BTreeMap<NodeName, Report>,
) -> BTreeSet<NodeName> {
    decisions_over_all_subsets(expected, all)
        .into_iter()
        .filter_map(|d| match d {
            Decision::Bootstrap { node, .. } => Some(node),
            _ => None,
        })
        .collect()
}

struct SimNode {
    /// An arbitrator: votes, holds no data, never reports.
    garbd: bool,
    alive: bool,
    in_primary: bool,
    seqno: i64,
    stb: bool,
    me: u8,
    view: Option<LastView>,
}

/// A small model of a Galera cluster's Primary Component history. Assumptions (Galera's
/// guarantees): a view change takes a seqno of its own in the global order; a member saves the
/// view (gvwstate.dat) when it is delivered, and logs it with that seqno only once it has applied
/// everything before it; a killed node may lag behind only by write-sets committed since the last
/// view change; graceful stop deletes gvwstate.dat, a kill keeps it; the component stays Primary
/// only with a strict majority of the previous view. When the full crash hits right after a view
/// change, the members in `slow_rewrite` (a bit mask) had not rewritten gvwstate.dat yet and
/// still hold the previous view. The members in `behind` (a bit mask) were lagging appliers
/// (desynced, blocked by a backup, donating) when the full crash hit: they may not even have
/// applied the write-sets ordered before their saved view, which is what the nodes outside that
/// view acknowledged (issue 13).
fn simulate(
    size: usize,
    ops: &[(u8, u8, u8)],
    final_lags: &[u8],
    slow_rewrite: u8,
    behind: u8,
    names: &[&str],
) -> BTreeMap<NodeName, Report> {
    simulate_cluster(size, 0, ops, final_lags, slow_rewrite, behind, names)
}

/// [`simulate`] with `arbiters` garbd members after the `size` data nodes (issue 17): they vote (count
/// in the majority and are members of every view they are in) but hold no data, take no writes without
/// a data node in the component, and never report. Only the data nodes' reports are returned.
fn simulate_cluster(
    size: usize,
    arbiters: usize,
    ops: &[(u8, u8, u8)],
    final_lags: &[u8],
    slow_rewrite: u8,
    behind: u8,
    names: &[&str],
) -> BTreeMap<NodeName, Report> {
    let mut nodes: Vec<SimNode> = (0..size + arbiters)
        .map(|i| SimNode {
            garbd: i >= size,
            alive: true,
            in_primary: true,
            seqno: 0,
            stb: false,
            me: i as u8,
            view: None,
        })
        .collect();
    let mut pc_seqno: i64 = 0;
    let mut view_base: i64 = 0; // pc seqno at the last view change
    let mut view_seq: u64 = 1;
    let write_view = |nodes: &mut Vec<SimNode>, seq: u64, cc: i64| {
        let members: BTreeSet<MemberUuid> = nodes
            .iter()
            .filter(|x| x.in_primary)
            .map(|x| m(x.me))
            .collect();
        for x in nodes.iter_mut().filter(|x| x.in_primary) {
            x.view = Some(LastView {
                my_uuid: m(x.me),
                view_seq: seq,
                members: members.clone(),
                cc_seqno: Some(cc),
                also_me: BTreeSet::new(),
            });
        }
    };
    write_view(&mut nodes, view_seq, view_base);
    let mut previous_views: Vec<Option<LastView>> = nodes.iter().map(|x| x.view.clone()).collect();
    let mut view_changed_last = false;
    for &(op, arg, lag) in ops {
        view_changed_last = false;
        let i = arg as usize % (size + arbiters);
        let primary_count = nodes.iter().filter(|x| x.in_primary).count();
        // Clients write through data nodes only: a component of arbitrators alone commits nothing.
        let data_in_primary = nodes.iter().any(|x| x.in_primary && !x.garbd);
        match op {
            0 if data_in_primary => {
                pc_seqno += 1 + i64::from(arg % 3);
                for x in nodes.iter_mut().filter(|x| x.in_primary) {
                    x.seqno = pc_seqno;
                }
            }
            1 | 2 if nodes[i].alive => {
                let graceful = op == 2;
                let was_primary = nodes[i].in_primary;
                let x = &mut nodes[i];
                x.alive = false;
                x.in_primary = false;
                if graceful {
                    x.view = None;
                    x.stb = was_primary && primary_count == 1;
                } else if was_primary {
                    x.seqno = (pc_seqno - i64::from(lag)).max(view_base);
                }
                if was_primary {
                    let remaining = primary_count - 1;
                    if remaining > 0 && (graceful || remaining * 2 > primary_count) {
                        view_seq += 1;
                        pc_seqno += 1; // the configuration change's own seqno
                        view_base = pc_seqno;
                        for x in nodes.iter_mut().filter(|x| x.in_primary) {
                            x.seqno = pc_seqno;
                        }
                        previous_views = nodes.iter().map(|x| x.view.clone()).collect();
                        write_view(&mut nodes, view_seq, view_base);
                        view_changed_last = true;
                    } else {
                        // Quorum lost: survivors apply what they have and go non-Primary.
                        for x in nodes.iter_mut().filter(|x| x.in_primary) {
                            x.in_primary = false;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // Full crash of whatever still runs: each may lag since the last view change.
    for (k, x) in nodes.iter_mut().enumerate() {
        if x.alive && x.in_primary && view_changed_last && slow_rewrite & (1 << k) != 0 {
            x.view = previous_views[k].clone();
        }
        if x.alive {
            x.alive = false;
            if x.in_primary && behind & (1 << k) != 0 {
                // A lagging applier: up to a few write-sets behind, before the view change too.
                // Its log shows the view only if it got as far as applying the change.
                x.seqno = (pc_seqno - 2 - i64::from(final_lags[k])).max(0);
                let applied = x.seqno;
                if let Some(v) = x.view.as_mut() {
                    if v.cc_seqno.is_some_and(|cc| applied < cc) {
                        v.cc_seqno = None;
                    }
                }
            } else if x.in_primary {
                x.seqno = (pc_seqno - i64::from(final_lags[k])).max(view_base);
            }
        }
    }
    nodes
        .iter()
        .take(size)
        .enumerate()
        .map(|(k, x)| {
            let mut r = rep(U1, x.seqno);
            r.safe_to_bootstrap = x.stb;
            r.view = x.view.clone();
            // A kill keeps gvwstate.dat, a graceful stop deletes it (`view` is None then).
            if r.view.is_some() {
                r.pc = SavedPc::OnDisk;
            }
            (n(names[k]), r)
        })
        .collect()
}

// ---- arbitrators (issue 17) ------------------------------------------------------------

/// garbd's process UUIDs in saved views: outside the range data nodes' reports use (0..6).
const GARBD_UUIDS: [u8; 2] = [6, 7];

/// A cluster of data nodes and arbitrators, as the agent derives it (hostmap's `with_arbitrators`),
/// with reports from the data nodes (lagging, unknown, interrupted transfers, views that name garbd's
/// UUIDs) and, sometimes, a stale one from an arbitrator's node name (which the agent never publishes,
/// but the election must ignore if an admin's typo put one there).
fn arb_arbitrated(
    primary_weight: u32,
) -> impl Strategy<
    Value = (
        BTreeSet<NodeName>,
        BTreeSet<NodeName>,
        BTreeMap<NodeName, Report>,
    ),
> {
    (
        Just(NAMES.to_vec()).prop_shuffle(),
        1usize..=4,
        1usize..=2,
        proptest::collection::vec((0usize..6, arb_report(primary_weight)), 0..7),
        proptest::collection::vec(any::<bool>(), 7),
        any::<bool>(),
    )
        .prop_map(|(names, data, arbs, list, garbd_in_view, stale)| {
            let address = format!("gcomm://{}", names[..data + arbs].join(","));
            let arbitrators = names[data..data + arbs].join(",");
            let members = Membership::from_params(&address, "")
                .and_then(|m| m.with_arbitrators(&arbitrators))
                .unwrap();
            let expected = members.expected();
            let mut reports = BTreeMap::new();
            for (i, (k, mut r)) in list.into_iter().enumerate() {
                let k = k % (data + arbs);
                if k >= data && !stale {
                    continue;
                }
                if let Some(v) = r.view.as_mut() {
                    if garbd_in_view[i] {
                        v.members.extend(GARBD_UUIDS[..arbs].iter().map(|g| m(*g)));
                    }
                }
                reports.insert(n(names[k]), r);
            }
            (expected, members.arbitrators(), reports)
        })
}

use super::super::hostmap::Membership;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The winner is a data node with the most advanced position among data nodes; an arbitrator never
    /// bootstraps, and a stale report under an arbitrator's name changes nothing but the notes (unless it
    /// claims a Primary component, which blocks any bootstrap).
    #[test]
    fn arbitrators_never_bootstrap_and_the_winner_is_the_most_advanced_data_node(
        (data, arbs, reports) in arb_arbitrated(1),
    ) {
        let d = decide(&data, &reports);
        if let Decision::Bootstrap { node, rule, .. } = &d {
            prop_assert!(data.contains(node) && !arbs.contains(node));
            if let Rule::HighestSeqno { uuid, seqno, .. } = rule {
                prop_assert!(seqno.is_known());
                for (k, r) in reports.iter().filter(|(k, _)| data.contains(*k)) {
                    if r.state != NodeState::Incomplete && r.position.uuid == *uuid {
                        prop_assert!(r.position.seqno <= *seqno, "{} is more advanced", k);
                    }
                }
            }
        }
        let data_only: BTreeMap<NodeName, Report> = reports
            .iter()
            .filter(|(k, _)| data.contains(*k))
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect();
        let stale_primary = reports.iter().any(|(k, r)| arbs.contains(k) && r.state == NodeState::Primary);
        let primary = data_only.values().any(|r| r.state == NodeState::Primary);
        if !stale_primary || primary {
            let mut expect = decide(&data, &data_only);
            let mut got = d.clone();
            let strip = |x: &mut Decision| match x {
                Decision::Join { notes, .. }
                | Decision::Reform { notes, .. }
                | Decision::Bootstrap { notes, .. }
                | Decision::Wait { notes, .. }
                | Decision::Conflict { notes, .. } => notes.ignored.clear(),
            };
            strip(&mut expect);
            strip(&mut got);
            prop_assert_eq!(got, expect);
        } else {
            prop_assert!(d.bootstrap_node().is_none(), "{:?}", d);
        }
    }

    /// A data node whose position is unknown (not reported, or still joining) is waited for unless the
    /// newest saved view is accounted for by data nodes alone: an arbitrator in that view never accounts
    /// for itself (it publishes no report), so it can never be the reason a data node is excused.
    #[test]
    fn a_data_node_is_never_excused_because_an_arbitrator_is_present(
        (data, _arbs, reports) in arb_arbitrated(1),
    ) {
        if let Decision::Bootstrap { notes, .. } = decide(&data, &reports) {
            let unreported: BTreeSet<NodeName> =
                data.iter().filter(|k| !reports.contains_key(*k)).cloned().collect();
            prop_assert_eq!(&notes.excused, &unreported);
            if !unreported.is_empty() {
                let relevant: BTreeMap<NodeName, Report> = reports
                    .iter()
                    .filter(|(k, _)| data.contains(*k))
                    .map(|(k, r)| (k.clone(), r.clone()))
                    .collect();
                prop_assert!(oracle_covered(&data, &relevant));
                let top = relevant.values().filter_map(|r| r.view.as_ref()).map(|v| v.view_seq).max();
                for v in relevant.values().filter_map(|r| r.view.as_ref()).filter(|v| Some(v.view_seq) == top) {
                    prop_assert!(
                        GARBD_UUIDS.iter().all(|g| !v.members.contains(&m(*g))),
                        "excused on a view with an arbitrator: {:?}", v
                    );
                }
            }
            prop_assert!(reports.iter().all(|(k, r)| !data.contains(k) || r.state != NodeState::Joining));
        }
    }

    /// Interrupted transfers next to arbitrators: never the winner, whatever seqno they show.
    #[test]
    fn interrupted_transfers_never_bootstrap_next_to_arbitrators(
        (data, _arbs, reports) in arb_arbitrated(0),
    ) {
        if let Decision::Bootstrap { node, .. } = decide(&data, &reports) {
            prop_assert_ne!(reports[&node].state, NodeState::Incomplete);
        }
    }

    /// Simulated histories of data nodes and garbd (garbd's vote keeps a lone data node Primary; kills,
    /// graceful stops, lagging members, a full crash): over every subset of reports any observer may
    /// see, at most one node is chosen, it is a data node with the highest seqno, and with every data
    /// node's report in, a decision is always reached (a re-forming only of a view garbd had left).
    #[test]
    fn simulated_crashes_with_arbitrators_choose_one_data_node_with_all_writes(
        size in 1usize..=4,
        arbiters in 1usize..=2,
        ops in proptest::collection::vec((0u8..4, 0u8..8, 0u8..3), 0..14),
        final_lags in proptest::collection::vec(0u8..3, 6),
        slow_rewrite in any::<u8>(),
        behind in any::<u8>(),
        names in Just(NAMES.to_vec()).prop_shuffle(),
    ) {
        let reports = simulate_cluster(size, arbiters, &ops, &final_lags, slow_rewrite, behind, &names);
        let data: BTreeSet<NodeName> = reports.keys().cloned().collect();
        prop_assert_eq!(data.len(), size);
        let chosen = bootstrap_nodes_over_all_subsets(&data, &reports);
        prop_assert!(chosen.len() <= 1, "{:?} from {:?}", chosen, reports);
        let max = reports.values().map(|r| r.position.seqno).max();
        for node in &chosen {
            prop_assert!(data.contains(node));
            prop_assert_eq!(Some(reports[node].position.seqno), max, "{} would lose writes", node);
        }
        let full = decide(&data, &reports);
        if matches!(full, Decision::Reform { .. }) {
            // garbd had left the last view (else its process UUID would be a member no report names).
            prop_assert!(chosen.is_empty(), "{:?} beside a re-forming", chosen);
            prop_assert!(reports.values().all(|r| Some(r.position.seqno) == max), "re-formed while not level");
        } else {
            prop_assert!(matches!(full, Decision::Bootstrap { .. }), "{:?}", full);
        }
    }
}

/// Two data nodes and garbd: garbd's vote kept n1 Primary when n2 was killed, n1 committed more, then
/// a full power loss. n1 alone cannot decide (garbd is in its last view and reports nothing, so nothing
/// shows n2 was outside every later Primary component); with both reports in, n1 bootstraps.
#[test]
fn two_data_nodes_and_garbd_after_a_full_power_loss() {
    let data = set(&["n1", "n2"]);
    let n1 = rep(U1, 20).view(1, 3, &[1, 6]);
    let n2 = rep(U1, 12).view(2, 2, &[1, 2, 6]);
    let only_n1 = reports(vec![("n1", n1.clone())]);
    assert!(matches!(
        decide(&data, &only_n1),
        Decision::Wait {
            reason: WaitReason::ViewNotCovered { view_seq: 3, .. },
            ..
        }
    ));
    let both = reports(vec![("n1", n1), ("n2", n2)]);
    assert_eq!(winner(&decide(&data, &both)), "n1");
}
