//! The election: from every node's published [`Report`], decide whether to join a running
//! Primary component, which single node bootstraps the cluster, or why to keep waiting.
//!
//! Pure and deterministic: inputs are a set and a map keyed by node name, so the answer depends
//! neither on iteration order nor on which node evaluates it. Every node runs this on the
//! reports it can see; the rules below make sure that two nodes seeing different subsets of the
//! same reports never pick two different bootstrap nodes.
//!
//! Rules, in the order they apply; each is one function, and [`decide`] lists them in this order.
//! Before them, an empty expected set is a [`Conflict`](Decision::Conflict) (configuration error).
//! 1. **Primary exists** — any expected node reporting `state=primary` → [`Decision::Join`] it.
//!    Never a bootstrap while a Primary component may run.
//! 2. **Outsiders** — reports from nodes not in `expected` take no part (listed in
//!    [`Notes::ignored`]). A `primary` report from one of them (and from no expected node) is a
//!    [`Conflict`](Decision::Conflict) (misconfiguration).
//!    **Re-form** — every expected node reported the same named position (same cluster UUID, same
//!    known seqno: nobody holds a write another lacks), with Galera's own gvwstate.dat on disk
//!    ([`SavedPc`]), all of them the same saved view whose members are exactly their own `my_uuid`s
//!    (no arbitrator, no member outside Pacemaker), at least two of them → [`Decision::Reform`]: every node starts its
//!    server with its position and Galera's `pc.recovery` forms that component again, no bootstrap,
//!    no state transfer. Galera forms it only once every member of the view is back, so no subset
//!    can form a component; and no observer missing a report can bootstrap meanwhile, because the
//!    saved view then names a member nobody accounts for (rule 3 waits). A member already
//!    re-forming reports `joining` with `pcr=reforming` and counts as reported here; any other
//!    rule sees it as `joining` (rule 3 waits), so a re-forming node blocks every bootstrap until
//!    it has stopped and reported again (the demote or stop after a failed attempt moves
//!    gvwstate.dat aside, and the next election bootstraps as usual; after a power loss in the
//!    middle the members simply report again, and re-form again).
//! 3. **Completeness** — no bootstrap until every expected node reported ([`Decision::Wait`]),
//!    except when the newest saved Primary view (gvwstate.dat, `gvw=` in reports) is fully
//!    accounted for: every member of the view with the highest `view_seq` is the `my_uuid` of
//!    a reporter holding that same view. Nodes outside that view left the Primary component
//!    before it formed, so they cannot hold writes its members lack (issue 7) — provided the
//!    members applied everything ordered before the view (rule 6).
//!    safe_to_bootstrap never allows deciding early. A node still reporting `joining` (its
//!    Primary component vanished mid state transfer) counts as missing until it publishes a
//!    recovered position: its data may be half-transferred under an old seqno.
//! 4. **Cluster UUID** — reporters with a nil UUID and no known seqno are empty (fresh datadir); a nil
//!    UUID with a known seqno is a history Galera restarted from 0 (see `Position::is_empty`) and
//!    competes like any other UUID. Among the reporters naming a history (non-empty, or an
//!    interrupted transfer into a named cluster: `Report::names_history`) the UUID held by the most
//!    is the cluster's; other UUIDs are foreign and never win. Two UUIDs with equal counts →
//!    Conflict. A nil history beside a named UUID → Conflict too: one continues the other under a
//!    new numbering, so neither side's seqnos say which holds the newest writes. All reporters
//!    empty, none `incomplete` (and all reported) → cold start: the lowest node name bootstraps.
//! 5. **Winner** — highest known seqno of the cluster UUID (`-1` never beats a known seqno; no
//!    known seqno at all → Conflict). A node reporting `incomplete` (its last state transfer was
//!    interrupted) is never a candidate, whatever seqno it shows. Ties are broken by, in order:
//!    membership in the newest saved Primary view (so a node killed earlier with an equal seqno
//!    cannot displace the last survivors when its late report arrives — this keeps every
//!    observer's choice identical), safe_to_bootstrap=1, then the lowest node name.
//!    safe_to_bootstrap never beats a higher seqno.
//! 6. **The view was applied** — when rule 3 decided without some nodes, on a covered view, the
//!    winner must hold every write ordered before that view: gvwstate.dat is written when the view
//!    is delivered, maybe before a lagging member applied the write-sets queued ahead of it, which
//!    may be the missing nodes' acknowledged writes (issue 13). Proof: the view's configuration
//!    change as a member's log recorded it (`cc_seqno`) is at most one past the winner's seqno;
//!    without it, [`Wait`](WaitReason::ViewNotApplied). Last, because it needs the winner's seqno.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::ControlFlow;

use super::{join_names, NodeName};
use crate::galera::gvwstate::MemberUuid;
use crate::galera::position::{ClusterUuid, Seqno};
use crate::galera::report::{NodeState, Report, SavedPc};

/// The outcome of an election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A Primary component runs on these nodes: everyone else joins them.
    Join {
        primary: BTreeSet<NodeName>,
        notes: Notes,
    },
    /// Every expected node (`members`) starts its server at once with its position; Galera re-forms the
    /// saved Primary view (`pc.recovery`, rule 2's **Re-form**). Nobody bootstraps.
    Reform {
        members: BTreeSet<NodeName>,
        uuid: ClusterUuid,
        seqno: Seqno,
        view_seq: u64,
        notes: Notes,
    },
    /// This node (and only it) starts a new Primary component with `--wsrep-new-cluster`.
    Bootstrap {
        node: NodeName,
        rule: Rule,
        notes: Notes,
    },
    /// Not enough information yet; nobody bootstraps. `missing`: the expected nodes whose
    /// final position is still awaited (not reported, or still `joining`).
    Wait {
        missing: BTreeSet<NodeName>,
        reason: WaitReason,
        notes: Notes,
    },
    /// The reports contradict each other; an administrator has to decide.
    Conflict {
        reason: ConflictReason,
        notes: Notes,
    },
}

/// Why the bootstrap node was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Highest known seqno among the nodes of the cluster UUID.
    HighestSeqno {
        uuid: ClusterUuid,
        seqno: Seqno,
        /// How a tie at `seqno` was broken, if there was one.
        tie: Option<TieBreak>,
        basis: Basis,
    },
    /// Every expected node is new (nil UUID, seqno -1, no interrupted transfer): the lowest node name
    /// starts the cluster.
    ColdStart,
}

/// The criterion that separated the winner from the next-best node at the same seqno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieBreak {
    /// The winner is in the newest saved Primary view, the other is not.
    LastView,
    SafeToBootstrap,
    LowestName,
}

/// Which nodes the choice was made among.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Every expected node reported (this many).
    AllReported { nodes: usize },
    /// Some did not, but the newest saved Primary view (this `view_seq`) is fully accounted
    /// for by reporters; the missing ones are in [`Notes::excused`].
    LastViewCovered { view_seq: u64 },
}

/// Why the decision is to wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitReason {
    /// No reporter published a saved Primary view, so missing nodes cannot be excused.
    NoSavedView,
    /// The newest saved view has members no reporter accounts for (they may hold newer data).
    ViewNotCovered {
        view_seq: u64,
        unaccounted: BTreeSet<MemberUuid>,
    },
    /// Reporters disagree on the members of the view with the highest seq: no safe shortcut.
    ViewsDisagree { view_seq: u64 },
    /// The newest saved view is accounted for, but nothing proves its members applied every write
    /// ordered before it (`cc_seqno`: the view's configuration change as logged, `None` when no
    /// member's log recorded it; `best`: the highest seqno reported), so a missing node may hold
    /// acknowledged writes they lack.
    ViewNotApplied {
        view_seq: u64,
        cc_seqno: Option<i64>,
        best: Seqno,
    },
    /// All reporters are new nodes; a cold start needs every expected node.
    ColdStartNeedsAll,
    /// These nodes report `joining` but no Primary component reports: their data may be
    /// mid-transfer until they stop and publish a recovered position.
    Joining { nodes: BTreeSet<NodeName> },
}

/// Why no node may bootstrap without an administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictReason {
    /// The expected node set is empty (configuration error).
    NothingExpected,
    /// A node outside the expected set runs a Primary component.
    PrimaryOutsideExpected { nodes: BTreeSet<NodeName> },
    /// Two or more cluster UUIDs share the highest number of reporters.
    UuidSplit {
        uuids: BTreeMap<ClusterUuid, BTreeSet<NodeName>>,
    },
    /// Some reporters hold a nil-UUID history (Galera numbered it anew from 0 when the servers were
    /// started without their positions, see `Position::is_empty`), others a named UUID. One continues
    /// the other (a nil history continues a named one; a bootstrap from a nil history starts a new named
    /// one), so neither side is foreign, and the two numberings cannot be compared: which side holds
    /// the newest writes (the nil side's later writes, or a named node's writes its members never
    /// applied) only the data can tell.
    NilHistoryBesideNamed {
        nil: BTreeSet<NodeName>,
        named: BTreeMap<ClusterUuid, BTreeSet<NodeName>>,
    },
    /// No node of the cluster UUID knows its seqno (recovery failed everywhere).
    NoKnownSeqno {
        uuid: ClusterUuid,
        nodes: BTreeSet<NodeName>,
    },
}

/// Facts about the reports that did not decide the outcome but that an admin should see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Reported, but not an expected node: ignored.
    pub ignored: BTreeSet<NodeName>,
    /// Hold a history (a nil UUID with a known seqno included) other than the cluster's: never chosen.
    pub foreign: BTreeMap<NodeName, ClusterUuid>,
    /// Cluster UUID but seqno -1: never chosen over a known seqno.
    pub unknown_seqno: BTreeSet<NodeName>,
    /// Nil UUID and no known seqno (new node): joins by state transfer.
    pub empty: BTreeSet<NodeName>,
    /// Did not report, excused by the newest saved Primary view (see [`Basis::LastViewCovered`]).
    pub excused: BTreeSet<NodeName>,
    /// Their last state transfer was interrupted: never chosen, they join by a full state transfer.
    pub incomplete: BTreeSet<NodeName>,
}

/// Runs the election. `expected` is the set of Pacemaker nodes that must take part (from
/// wsrep_cluster_address and cluster_host_map); `reports` are the parsed `<rsc>-report`
/// attributes by node.
///
/// The rules of the module doc, in their order: the first one that settles the election
/// (`Break`) gives the decision; when none does, the winner of rule 5 bootstraps.
pub fn decide(expected: &BTreeSet<NodeName>, reports: &BTreeMap<NodeName, Report>) -> Decision {
    let ballot = Ballot::new(expected, reports);
    let rules = || -> ControlFlow<Decision, Decision> {
        ballot.someone_expected()?;
        ballot.primary_exists()?; // 1
        ballot.outsiders()?; // 2
        ballot.reform()?; // 2: re-form
        let basis = ballot.completeness()?; // 3
        let cluster = ballot.cluster_uuid()?; // 4
        let winner = ballot.winner(&cluster)?; // 5
        ballot.view_applied(&basis, &winner)?; // 6
        ControlFlow::Continue(ballot.bootstrap(cluster.uuid, &winner, basis))
    };
    match rules() {
        ControlFlow::Break(decision) | ControlFlow::Continue(decision) => decision,
    }
}

/// The reports as every rule reads them, and the notes every outcome carries.
struct Ballot<'a> {
    expected: &'a BTreeSet<NodeName>,
    reports: &'a BTreeMap<NodeName, Report>,
    /// The reports of expected nodes: the only ones that take part (rule 2).
    relevant: BTreeMap<&'a NodeName, &'a Report>,
    /// Expected nodes that did not report.
    missing: BTreeSet<NodeName>,
    views: SavedViews,
    /// Everything but [`Notes::excused`], which only a bootstrap on a covered view sets.
    notes: Notes,
}

/// The cluster history the winner comes from (rule 4).
struct Cluster<'a> {
    uuid: ClusterUuid,
    /// The reporters holding `uuid`.
    members: Vec<(&'a NodeName, &'a Report)>,
}

/// The best candidate of the cluster (rule 5).
struct Winner<'a> {
    node: &'a NodeName,
    seqno: Seqno,
    /// How a tie at `seqno` was broken, if there was one.
    tie: Option<TieBreak>,
}

impl<'a> Ballot<'a> {
    fn new(expected: &'a BTreeSet<NodeName>, reports: &'a BTreeMap<NodeName, Report>) -> Self {
        let relevant: BTreeMap<&NodeName, &Report> = reports
            .iter()
            .filter(|(n, _)| expected.contains(*n))
            .collect();
        let mut notes = Notes {
            ignored: reports
                .keys()
                .filter(|n| !expected.contains(*n))
                .cloned()
                .collect(),
            ..Notes::default()
        };
        classify(&relevant, &mut notes);
        Ballot {
            expected,
            reports,
            missing: expected
                .iter()
                .filter(|n| !relevant.contains_key(n))
                .cloned()
                .collect(),
            views: saved_views(&relevant),
            relevant,
            notes,
        }
    }

    fn wait<T>(&self, missing: BTreeSet<NodeName>, reason: WaitReason) -> ControlFlow<Decision, T> {
        ControlFlow::Break(Decision::Wait {
            missing,
            reason,
            notes: self.notes.clone(),
        })
    }

    fn conflict<T>(&self, reason: ConflictReason) -> ControlFlow<Decision, T> {
        ControlFlow::Break(Decision::Conflict {
            reason,
            notes: self.notes.clone(),
        })
    }

    /// Before any rule: an empty expected set is a configuration error.
    fn someone_expected(&self) -> ControlFlow<Decision> {
        if self.expected.is_empty() {
            return self.conflict(ConflictReason::NothingExpected);
        }
        ControlFlow::Continue(())
    }

    /// Rule 1: a running Primary component beats everything, also an incomplete picture.
    fn primary_exists(&self) -> ControlFlow<Decision> {
        let primary: BTreeSet<NodeName> = self
            .relevant
            .iter()
            .filter(|(_, r)| r.state == NodeState::Primary)
            .map(|(n, _)| (*n).clone())
            .collect();
        if !primary.is_empty() {
            return ControlFlow::Break(Decision::Join {
                primary,
                notes: self.notes.clone(),
            });
        }
        ControlFlow::Continue(())
    }

    /// Rule 2: outsiders take no part (they are not in [`Ballot::relevant`]), but a Primary component
    /// among them is a misconfiguration.
    fn outsiders(&self) -> ControlFlow<Decision> {
        let nodes: BTreeSet<NodeName> = self
            .reports
            .iter()
            .filter(|(n, r)| r.state == NodeState::Primary && !self.expected.contains(*n))
            .map(|(n, _)| n.clone())
            .collect();
        if !nodes.is_empty() {
            return self.conflict(ConflictReason::PrimaryOutsideExpected { nodes });
        }
        ControlFlow::Continue(())
    }

    /// Rule 2, re-form: see the module doc. Every condition is checked on every expected report; any
    /// doubt leaves the decision to the other rules.
    fn reform(&self) -> ControlFlow<Decision> {
        match reformable(self.expected, &self.relevant) {
            Some((uuid, seqno, view_seq)) => ControlFlow::Break(Decision::Reform {
                members: self.expected.clone(),
                uuid,
                seqno,
                view_seq,
                notes: self.notes.clone(),
            }),
            None => ControlFlow::Continue(()),
        }
    }

    /// Rule 3: completeness, or a fully accounted-for last Primary view (its proof of being applied
    /// is rule 6).
    fn completeness(&self) -> ControlFlow<Decision, Basis> {
        // A `joining` node whose Primary component no longer reports may hold a half-received
        // state transfer under an old seqno: its position is not final until it stops and
        // publishes again, so it counts as missing and can never be excused by a saved view.
        let joining: BTreeSet<NodeName> = self
            .relevant
            .iter()
            .filter(|(_, r)| r.state == NodeState::Joining)
            .map(|(n, _)| (*n).clone())
            .collect();
        if !joining.is_empty() {
            return self.wait(
                self.missing.union(&joining).cloned().collect(),
                WaitReason::Joining { nodes: joining },
            );
        }
        if self.missing.is_empty() {
            return ControlFlow::Continue(Basis::AllReported {
                nodes: self.expected.len(),
            });
        }
        match self.views.coverage() {
            Ok(view_seq) => ControlFlow::Continue(Basis::LastViewCovered { view_seq }),
            Err(reason) => self.wait(self.missing.clone(), reason),
        }
    }

    /// Rule 4: which cluster history. The vote is among the reports that name one
    /// ([`Report::names_history`]). A node with an interrupted transfer was joining an existing cluster:
    /// when nothing else names a history it still rules out a cold start (it then stands alone, with no
    /// known seqno, which rule 5 turns into a conflict).
    fn cluster_uuid(&self) -> ControlFlow<Decision, Cluster<'a>> {
        let with_history = history_voters(&self.relevant);
        if with_history.is_empty() {
            return self.cold_start();
        }
        if let Some(mixed) = nil_beside_named(with_history.iter().copied()) {
            return self.conflict(mixed);
        }
        match majority_uuid(&with_history) {
            Ok(uuid) => ControlFlow::Continue(Cluster {
                uuid,
                members: with_history
                    .into_iter()
                    .filter(|(_, r)| r.position.uuid == uuid)
                    .collect(),
            }),
            Err(uuids) => self.conflict(ConflictReason::UuidSplit { uuids }),
        }
    }

    /// Rule 4 when every reporter is new: the lowest node name starts the cluster, once all reported.
    fn cold_start<T>(&self) -> ControlFlow<Decision, T> {
        if !self.missing.is_empty() {
            return self.wait(self.missing.clone(), WaitReason::ColdStartNeedsAll);
        }
        // Every expected node reported and is empty: `expected` is non-empty, so is this.
        match self.relevant.keys().next() {
            Some(node) => ControlFlow::Break(Decision::Bootstrap {
                node: (*node).clone(),
                rule: Rule::ColdStart,
                notes: self.notes.clone(),
            }),
            None => self.conflict(ConflictReason::NothingExpected),
        }
    }

    /// Rule 5: highest known seqno, deterministic tie-breaks.
    fn winner(&self, cluster: &Cluster<'a>) -> ControlFlow<Decision, Winner<'a>> {
        // An interrupted state transfer's seqno (maybe the donor's) describes data the node does not have.
        let mut ranked: Vec<(Rank, &'a NodeName)> = cluster
            .members
            .iter()
            .filter(|(_, r)| r.position.seqno.is_known() && r.state != NodeState::Incomplete)
            .map(|(n, r)| (Rank::of(n, r, &self.views), *n))
            .collect();
        ranked.sort();
        let Some((best, node)) = ranked.first() else {
            return self.conflict(ConflictReason::NoKnownSeqno {
                uuid: cluster.uuid,
                nodes: cluster.members.iter().map(|(n, _)| (*n).clone()).collect(),
            });
        };
        ControlFlow::Continue(Winner {
            node,
            seqno: best.seqno.0,
            tie: ranked.get(1).and_then(|(second, _)| best.tie_break(second)),
        })
    }

    /// Rule 6: the view vouches for the missing nodes only if the winner holds every write ordered
    /// before it: gvwstate.dat is written when a view is delivered, maybe before a lagging (desynced,
    /// blocked, donating) member applied the write-sets queued ahead of it, and those may be the
    /// missing node's acknowledged writes. Proof: the view's configuration change, as a member's log
    /// recorded it once applied, is at most one past the winner's seqno.
    fn view_applied(&self, basis: &Basis, winner: &Winner<'_>) -> ControlFlow<Decision> {
        let &Basis::LastViewCovered { view_seq } = basis else {
            return ControlFlow::Continue(());
        };
        match self.views.top_cc_seqno {
            Some(cc) if winner.seqno.get() >= cc - 1 => ControlFlow::Continue(()),
            cc => self.wait(
                self.missing.clone(),
                WaitReason::ViewNotApplied {
                    view_seq,
                    cc_seqno: cc,
                    best: winner.seqno,
                },
            ),
        }
    }

    /// No rule settled the election: the winner bootstraps, excusing the missing nodes when the
    /// choice rests on a covered view.
    fn bootstrap(&self, uuid: ClusterUuid, winner: &Winner<'_>, basis: Basis) -> Decision {
        let mut notes = self.notes.clone();
        if let Basis::LastViewCovered { .. } = basis {
            notes.excused = self.missing.clone();
        }
        Decision::Bootstrap {
            node: winner.node.clone(),
            rule: Rule::HighestSeqno {
                uuid,
                seqno: winner.seqno,
                tie: winner.tie,
                basis,
            },
            notes,
        }
    }
}

/// The position and view every expected node re-forms from, when the re-form conditions hold.
fn reformable(
    expected: &BTreeSet<NodeName>,
    relevant: &BTreeMap<&NodeName, &Report>,
) -> Option<(ClusterUuid, Seqno, u64)> {
    // One member alone cannot re-form: Galera leaves its own address out of the peers and, not
    // bootstrapping, finds nobody to connect to ("No address to connect", the server aborts).
    if relevant.len() != expected.len() || expected.len() < 2 {
        return None;
    }
    let mut common: Option<(ClusterUuid, Seqno, u64, &BTreeSet<MemberUuid>)> = None;
    let mut reporters: BTreeSet<MemberUuid> = BTreeSet::new();
    for r in relevant.values() {
        let ready = match r.state {
            NodeState::Recovered => r.pc == SavedPc::OnDisk,
            NodeState::Joining => r.pc == SavedPc::Reforming,
            _ => false,
        };
        let view = r.view.as_ref()?;
        if !ready || r.position.uuid.is_nil() || !r.position.seqno.is_known() {
            return None;
        }
        let this = (
            r.position.uuid,
            r.position.seqno,
            view.view_seq,
            &view.members,
        );
        if common.is_some_and(|c| c != this) || !reporters.insert(view.my_uuid) {
            return None;
        }
        common = Some(this);
    }
    let (uuid, seqno, view_seq, members) = common?;
    (*members == reporters).then_some((uuid, seqno, view_seq))
}

/// The reports that vote for the cluster's UUID (rule 4): those naming a history; when none does, the
/// interrupted transfers, so that they never let a cold start happen.
fn history_voters<'a>(
    relevant: &BTreeMap<&'a NodeName, &'a Report>,
) -> Vec<(&'a NodeName, &'a Report)> {
    let named: Vec<(&NodeName, &Report)> = relevant
        .iter()
        .filter(|(_, r)| r.names_history())
        .map(|(n, r)| (*n, *r))
        .collect();
    if !named.is_empty() {
        return named;
    }
    relevant
        .iter()
        .filter(|(_, r)| r.state == NodeState::Incomplete)
        .map(|(n, r)| (*n, *r))
        .collect()
}

/// [`ConflictReason::NilHistoryBesideNamed`] when `reports` hold both a nil-UUID history and named UUIDs
/// among those naming a history ([`Report::names_history`]). An interrupted transfer holds no usable data
/// of its history: it never makes the sides conflict (so the result is the same over rule 4's voters).
pub fn nil_beside_named<'a>(
    reports: impl IntoIterator<Item = (&'a NodeName, &'a Report)>,
) -> Option<ConflictReason> {
    let mut nil = BTreeSet::new();
    let mut named: BTreeMap<ClusterUuid, BTreeSet<NodeName>> = BTreeMap::new();
    for (n, r) in reports
        .into_iter()
        .filter(|(_, r)| r.names_history() && r.state != NodeState::Incomplete)
    {
        if r.position.uuid.is_nil() {
            nil.insert((*n).clone());
        } else {
            named
                .entry(r.position.uuid)
                .or_default()
                .insert((*n).clone());
        }
    }
    (!nil.is_empty() && !named.is_empty())
        .then_some(ConflictReason::NilHistoryBesideNamed { nil, named })
}

/// Fills the notes that depend only on the reports (foreign, unknown seqno, empty).
fn classify(relevant: &BTreeMap<&NodeName, &Report>, notes: &mut Notes) {
    let non_empty: Vec<(&NodeName, &Report)> = relevant
        .iter()
        .filter(|(_, r)| !r.position.is_empty())
        .map(|(n, r)| (*n, *r))
        .collect();
    notes.empty = relevant
        .iter()
        .filter(|(_, r)| r.position.is_empty())
        .map(|(n, _)| (*n).clone())
        .collect();
    notes.incomplete = relevant
        .iter()
        .filter(|(_, r)| r.state == NodeState::Incomplete)
        .map(|(n, _)| (*n).clone())
        .collect();
    // The same vote as rule 4, so the notes name the cluster the decision used; with a nil history beside
    // a named one rule 4 names none (its conflict), and neither side is foreign.
    let voters = history_voters(relevant);
    if nil_beside_named(voters.iter().copied()).is_some() {
        return;
    }
    if let Ok(cluster) = majority_uuid(&voters) {
        for (n, r) in &non_empty {
            if r.state == NodeState::Incomplete {
                continue;
            }
            if r.position.uuid != cluster {
                notes.foreign.insert((*n).clone(), r.position.uuid);
            } else if !r.position.seqno.is_known() && r.state != NodeState::Primary {
                // A running Primary node always shows -1 in grastate.dat: nothing to report.
                notes.unknown_seqno.insert((*n).clone());
            }
        }
    }
}

/// The UUID held by the most reporters, or all UUIDs tied at the top.
fn majority_uuid(
    non_empty: &[(&NodeName, &Report)],
) -> Result<ClusterUuid, BTreeMap<ClusterUuid, BTreeSet<NodeName>>> {
    let mut by_uuid: BTreeMap<ClusterUuid, BTreeSet<NodeName>> = BTreeMap::new();
    for (n, r) in non_empty {
        by_uuid
            .entry(r.position.uuid)
            .or_default()
            .insert((*n).clone());
    }
    let top = by_uuid.values().map(BTreeSet::len).max().unwrap_or(0);
    let leaders: BTreeMap<ClusterUuid, BTreeSet<NodeName>> = by_uuid
        .into_iter()
        .filter(|(_, nodes)| nodes.len() == top)
        .collect();
    match leaders.keys().next() {
        Some(uuid) if leaders.len() == 1 => Ok(*uuid),
        _ => Err(leaders),
    }
}

/// The saved Primary views the reporters published.
struct SavedViews {
    /// Highest view_seq among reporters, if any published one.
    top: Option<u64>,
    /// Reporters whose saved view has seq `top` and lists their own `my_uuid`.
    in_top: BTreeSet<NodeName>,
    /// Distinct member sets published at seq `top` (more than one = disagreement).
    top_member_sets: BTreeSet<BTreeSet<MemberUuid>>,
    /// `my_uuid` (and earlier process UUIDs) of the reporters at seq `top`.
    top_reporter_uuids: BTreeSet<MemberUuid>,
    /// The highest configuration-change seqno a reporter's log recorded for the view at seq `top`.
    top_cc_seqno: Option<i64>,
}

fn saved_views(relevant: &BTreeMap<&NodeName, &Report>) -> SavedViews {
    let top = relevant
        .values()
        .filter_map(|r| r.view.as_ref().map(|v| v.view_seq))
        .max();
    let mut views = SavedViews {
        top,
        in_top: BTreeSet::new(),
        top_member_sets: BTreeSet::new(),
        top_reporter_uuids: BTreeSet::new(),
        top_cc_seqno: None,
    };
    for (n, r) in relevant {
        if let Some(v) = r.view.as_ref().filter(|v| Some(v.view_seq) == top) {
            views.top_member_sets.insert(v.members.clone());
            views.top_reporter_uuids.insert(v.my_uuid);
            views.top_reporter_uuids.extend(v.also_me.iter().copied());
            views.top_cc_seqno = views.top_cc_seqno.max(v.cc_seqno);
            if v.members.contains(&v.my_uuid) || v.also_me.iter().any(|u| v.members.contains(u)) {
                views.in_top.insert((*n).clone());
            }
        }
    }
    views
}

impl SavedViews {
    /// `Ok(view_seq)` when every member of the newest view is a reporter holding that view.
    fn coverage(&self) -> Result<u64, WaitReason> {
        let view_seq = self.top.ok_or(WaitReason::NoSavedView)?;
        let mut sets = self.top_member_sets.iter();
        let members = match (sets.next(), sets.next()) {
            (Some(members), None) => members,
            _ => return Err(WaitReason::ViewsDisagree { view_seq }),
        };
        let unaccounted: BTreeSet<MemberUuid> = members
            .difference(&self.top_reporter_uuids)
            .copied()
            .collect();
        if unaccounted.is_empty() {
            Ok(view_seq)
        } else {
            Err(WaitReason::ViewNotCovered {
                view_seq,
                unaccounted,
            })
        }
    }
}

/// Sort key: the best candidate sorts first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    seqno: std::cmp::Reverse<Seqno>,
    not_in_last_view: bool,
    not_safe_to_bootstrap: bool,
    name: NodeName,
}

impl Rank {
    fn of(node: &NodeName, report: &Report, views: &SavedViews) -> Self {
        Rank {
            seqno: std::cmp::Reverse(report.position.seqno),
            not_in_last_view: !views.in_top.contains(node),
            not_safe_to_bootstrap: !report.safe_to_bootstrap,
            name: node.clone(),
        }
    }

    /// Which criterion put `self` ahead of `other` when both have the same seqno.
    fn tie_break(&self, other: &Rank) -> Option<TieBreak> {
        if self.seqno != other.seqno {
            None
        } else if self.not_in_last_view != other.not_in_last_view {
            Some(TieBreak::LastView)
        } else if self.not_safe_to_bootstrap != other.not_safe_to_bootstrap {
            Some(TieBreak::SafeToBootstrap)
        } else {
            Some(TieBreak::LowestName)
        }
    }
}

/// What one node should do under a [`Decision`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeAction {
    /// This node already runs in the Primary component.
    AlreadyPrimary,
    /// This node starts the new Primary component (`--wsrep-new-cluster`).
    Bootstrap,
    /// Join the Primary component running on these peers.
    Join { peers: BTreeSet<NodeName> },
    /// Start with the other members of the saved view (`peers`) to re-form it ([`Decision::Reform`]).
    Reform { peers: BTreeSet<NodeName> },
    /// Another node bootstraps; join it once it runs.
    AwaitBootstrap { node: NodeName },
    /// No decision (wait or conflict): stay stopped.
    Stay,
}

impl Decision {
    /// This node's part in the decision.
    pub fn action_for(&self, me: &NodeName) -> NodeAction {
        match self {
            Decision::Join { primary, .. } if primary.contains(me) => NodeAction::AlreadyPrimary,
            Decision::Join { primary, .. } => NodeAction::Join {
                peers: primary.clone(),
            },
            Decision::Reform { members, .. } if members.contains(me) => NodeAction::Reform {
                peers: members.iter().filter(|n| *n != me).cloned().collect(),
            },
            Decision::Reform { .. } => NodeAction::Stay,
            Decision::Bootstrap { node, .. } if node == me => NodeAction::Bootstrap,
            Decision::Bootstrap { node, .. } => NodeAction::AwaitBootstrap { node: node.clone() },
            Decision::Wait { .. } | Decision::Conflict { .. } => NodeAction::Stay,
        }
    }

    /// The nodes that should carry a promotion score now: the bootstrap node alone, or, when a
    /// Primary component runs, every expected node (its members must keep their score or
    /// Pacemaker would demote them; the others are promoted to join). Nobody otherwise.
    pub fn promotion_candidates(&self, expected: &BTreeSet<NodeName>) -> BTreeSet<NodeName> {
        match self {
            Decision::Bootstrap { node, .. } => BTreeSet::from([node.clone()]),
            Decision::Join { .. } => expected.clone(),
            Decision::Reform { members, .. } => members.clone(),
            Decision::Wait { .. } | Decision::Conflict { .. } => BTreeSet::new(),
        }
    }

    /// The notes attached to any decision.
    pub fn notes(&self) -> &Notes {
        match self {
            Decision::Join { notes, .. }
            | Decision::Reform { notes, .. }
            | Decision::Bootstrap { notes, .. }
            | Decision::Wait { notes, .. }
            | Decision::Conflict { notes, .. } => notes,
        }
    }

    /// The node that should bootstrap, if any.
    pub fn bootstrap_node(&self) -> Option<&NodeName> {
        match self {
            Decision::Bootstrap { node, .. } => Some(node),
            _ => None,
        }
    }

    /// One sentence naming the outcome and the rule that produced it, for logs and `status`.
    pub fn explain(&self) -> String {
        let mut s = match self {
            Decision::Join { primary, .. } => {
                format!("join the running Primary component on {}", list(primary))
            }
            Decision::Bootstrap { node, rule, notes } => explain_bootstrap(node, rule, notes),
            Decision::Reform {
                members,
                uuid,
                seqno,
                view_seq,
                ..
            } => format!(
                "re-form the last Primary component (view seq {view_seq}) on {}: every member \
                 reported seqno {seqno} of cluster {uuid} and Galera's saved view, so Galera restores \
                 it once all are started (pc.recovery); no bootstrap",
                list(members)
            ),
            Decision::Wait {
                missing, reason, ..
            } => format!("wait for {}: {}", list(missing), explain_wait(reason)),
            Decision::Conflict { reason, .. } => {
                format!("no bootstrap: {}", explain_conflict(reason))
            }
        };
        let notes = self.notes();
        if !notes.foreign.is_empty() {
            let items: Vec<String> = notes
                .foreign
                .iter()
                .map(|(n, u)| format!("{n} ({u})"))
                .collect();
            let _ = write!(
                s,
                "; foreign cluster UUID, never chosen: {}",
                items.join(", ")
            );
        }
        if !notes.unknown_seqno.is_empty() {
            let _ = write!(s, "; seqno unknown on {}", list(&notes.unknown_seqno));
        }
        if !notes.incomplete.is_empty() {
            let _ = write!(
                s,
                "; interrupted state transfer, never chosen, joins by a full transfer: {}",
                list(&notes.incomplete)
            );
        }
        if !notes.ignored.is_empty() {
            let _ = write!(
                s,
                "; ignored reports from nodes outside the cluster address: {}",
                list(&notes.ignored)
            );
        }
        s
    }
}

fn list(nodes: &BTreeSet<NodeName>) -> String {
    if nodes.is_empty() {
        "nobody".to_string()
    } else {
        join_names(nodes, ", ")
    }
}

fn explain_bootstrap(node: &NodeName, rule: &Rule, notes: &Notes) -> String {
    match rule {
        Rule::ColdStart => format!(
            "bootstrap {node}: every expected node is new (no cluster UUID yet) and all reported; \
             lowest node name starts the cluster"
        ),
        Rule::HighestSeqno {
            uuid,
            seqno,
            tie,
            basis,
        } => {
            let mut s = format!("bootstrap {node}: highest seqno {seqno} of cluster {uuid}");
            match tie {
                None => {}
                Some(TieBreak::LastView) => {
                    s.push_str(" (tie broken by membership in the last Primary view)")
                }
                Some(TieBreak::SafeToBootstrap) => {
                    s.push_str(" (tie broken by safe_to_bootstrap=1)")
                }
                Some(TieBreak::LowestName) => s.push_str(" (tie broken by lowest node name)"),
            }
            match basis {
                Basis::AllReported { nodes } => {
                    let _ = write!(s, "; all {nodes} expected nodes reported");
                }
                Basis::LastViewCovered { view_seq } => {
                    let _ = write!(
                        s,
                        "; {} did not report but every member of the last Primary view \
                         (seq {view_seq}) did",
                        list(&notes.excused)
                    );
                }
            }
            s
        }
    }
}

fn explain_wait(reason: &WaitReason) -> String {
    match reason {
        WaitReason::ViewNotApplied {
            view_seq,
            cc_seqno: None,
            ..
        } => format!(
            "every member of the last Primary view (seq {view_seq}) reported, but no member's server \
             log shows it processed that view, so the missing nodes may hold writes the others never \
             applied"
        ),
        WaitReason::ViewNotApplied {
            view_seq,
            cc_seqno: Some(cc),
            best,
        } => format!(
            "every member of the last Primary view (seq {view_seq}) reported, but the highest seqno \
             {best} is below that view's configuration change ({cc}): its members had not applied \
             everything ordered before it, and the missing nodes may hold those writes"
        ),
        WaitReason::NoSavedView => {
            "not every expected node reported and no saved Primary view shows it is safe \
             to decide without them"
                .to_string()
        }
        WaitReason::ViewNotCovered {
            view_seq,
            unaccounted,
        } => {
            let ids: Vec<String> = unaccounted.iter().map(ToString::to_string).collect();
            format!(
                "the last Primary view (seq {view_seq}) has members no reporting node accounts \
                 for: {}",
                ids.join(", ")
            )
        }
        WaitReason::ViewsDisagree { view_seq } => format!(
            "reporting nodes disagree on the members of the last Primary view (seq {view_seq})"
        ),
        WaitReason::ColdStartNeedsAll => {
            "every reporting node is new; a cold start needs all expected nodes".to_string()
        }
        WaitReason::Joining { nodes } => format!(
            "joining although no Primary component runs: {}; data may be mid-transfer until \
             the node stops and publishes a recovered position",
            list(nodes)
        ),
    }
}

fn explain_conflict(reason: &ConflictReason) -> String {
    match reason {
        ConflictReason::NothingExpected => {
            "no expected nodes (check wsrep_cluster_address and cluster_host_map)".to_string()
        }
        ConflictReason::PrimaryOutsideExpected { nodes } => format!(
            "{} report a running Primary component but are not in the cluster address; \
             fix the configuration",
            list(nodes)
        ),
        ConflictReason::UuidSplit { uuids } => {
            let items: Vec<String> = uuids
                .iter()
                .map(|(u, n)| format!("{u} ({})", list(n)))
                .collect();
            format!(
                "cluster UUIDs {} have equally many nodes; an administrator must choose \
                 (galera-ocf bootstrap --force NODE)",
                items.join(" and ")
            )
        }
        ConflictReason::NilHistoryBesideNamed { nil, named } => {
            let items: Vec<String> = named
                .iter()
                .map(|(u, n)| format!("{} ({u})", list(n)))
                .collect();
            format!(
                "{} hold a history Galera numbered anew from 0 under a nil UUID (their servers were \
                 started without their positions), {} a named one: the seqnos cannot be compared, so \
                 no node is chosen; compare their newest data and force the node that holds it \
                 (galera-ocf bootstrap --force NODE --accept-data-loss)",
                list(nil),
                items.join(" and ")
            )
        }
        ConflictReason::NoKnownSeqno { uuid, nodes } => format!(
            "no node of cluster {uuid} knows its seqno ({}); recovery failed, an administrator \
             must choose (galera-ocf bootstrap --force NODE)",
            list(nodes)
        ),
    }
}

#[cfg(test)]
#[path = "election_tests.rs"]
mod tests;
