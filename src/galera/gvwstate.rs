//! gvwstate.dat: the last Primary Component view a node saw (Galera `pc.recovery`).
//!
//! The election uses it to decide safely without a node that stays down after a full crash
//! (issue 7): when every member of the newest saved view has reported, nodes outside that
//! view cannot hold writes the others lack. Pure: the caller reads the file.
//!
//! Shape (MariaDB 10.11 / galera-4 26.4):
//! ```text
//! my_uuid: 1a2b3c4d-0000-11ee-8000-000000000001
//! #vwbeg
//! view_id: 3 1a2b3c4d-0000-11ee-8000-000000000001 7
//! bootstrap: 0
//! member: 1a2b3c4d-0000-11ee-8000-000000000001 0
//! member: 2a2b3c4d-0000-11ee-8000-000000000002 0
//! #vwend
//! ```
//! Member UUIDs identify one mysqld *process* (a new one at every start), not a node name and
//! not the cluster: hence a separate [`MemberUuid`] type. An empty or cut-off file (Galera can
//! leave one after an unclean stop, codership/galera#354) is a typed error, never a view.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::position::{fmt_uuid_bytes, parse_uuid_bytes, PositionError};

/// Galera's per-process node UUID (`my_uuid`, `member:` lines, `wsrep_gcomm_uuid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MemberUuid([u8; 16]);

impl MemberUuid {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        MemberUuid(bytes)
    }
}

impl FromStr for MemberUuid {
    type Err = PositionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_uuid_bytes(s)
            .map(MemberUuid)
            .ok_or_else(|| PositionError::BadUuid(s.to_string()))
    }
}

impl fmt::Display for MemberUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_uuid_bytes(&self.0, f)
    }
}

/// The parsed gvwstate.dat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GvwState {
    /// This node's process UUID when it saved the view.
    pub my_uuid: MemberUuid,
    /// First field of `view_id:` (the view type as Galera numbers it); kept, not interpreted.
    pub view_type: u32,
    /// The view's UUID (second field of `view_id:`).
    pub view_uuid: MemberUuid,
    /// The view's sequence number; a later Primary Component view has a higher one.
    pub view_seq: u64,
    pub bootstrap: bool,
    pub members: BTreeSet<MemberUuid>,
}

/// The part of a saved view the election needs; published in the node's report (`gvw=`, `gvwcc=`,
/// `gvwids=`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LastView {
    pub my_uuid: MemberUuid,
    pub view_seq: u64,
    pub members: BTreeSet<MemberUuid>,
    /// The global seqno of the view's configuration change, as this node's server log recorded it once
    /// it had applied everything ordered before the change (`galera::viewlog`). `None`: not known to
    /// have been applied (not logged, log unreadable, or an older agent).
    pub cc_seqno: Option<i64>,
    /// This node's earlier process UUIDs (Galera gives a server a new one at every start): a member of
    /// an old view listed under one of them is this node too.
    pub also_me: BTreeSet<MemberUuid>,
}

impl GvwState {
    pub fn last_view(&self) -> LastView {
        LastView {
            my_uuid: self.my_uuid,
            view_seq: self.view_seq,
            members: self.members.clone(),
            cc_seqno: None,
            also_me: BTreeSet::new(),
        }
    }
}

/// Why gvwstate.dat text is not a usable view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GvwstateError {
    #[error("gvwstate.dat is empty")]
    Empty,
    #[error("gvwstate.dat is incomplete: no {missing}")]
    Partial { missing: &'static str },
    #[error("gvwstate.dat line {line} is not understood: {text:?}")]
    BadLine { line: usize, text: String },
    #[error("gvwstate.dat line {line} has an invalid UUID: {source}")]
    BadUuid {
        line: usize,
        #[source]
        source: PositionError,
    },
    #[error("gvwstate.dat has {key} twice")]
    Duplicate { key: &'static str },
    #[error("gvwstate.dat view has no members")]
    NoMembers,
}

/// Parses gvwstate.dat text.
pub fn parse(text: &str) -> Result<GvwState, GvwstateError> {
    if text.trim().is_empty() {
        return Err(GvwstateError::Empty);
    }
    let mut my_uuid = None;
    let mut view: Option<(u32, MemberUuid, u64)> = None;
    let mut bootstrap = None;
    let mut members = BTreeSet::new();
    let mut began = false;
    let mut ended = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        let bad = || GvwstateError::BadLine {
            line: n,
            text: line.chars().take(80).collect(),
        };
        let uuid = |s: &str| {
            s.parse::<MemberUuid>()
                .map_err(|source| GvwstateError::BadUuid { line: n, source })
        };
        if line.is_empty() {
            continue;
        }
        if ended {
            // Content after #vwend would be a second view we do not know how to read.
            return Err(bad());
        }
        match line {
            "#vwbeg" if !began && my_uuid.is_some() => {
                began = true;
                continue;
            }
            "#vwend" if began => {
                ended = true;
                continue;
            }
            _ => {}
        }
        let (key, value) = line.split_once(':').ok_or_else(bad)?;
        let fields: Vec<&str> = value.split_whitespace().collect();
        match (key.trim(), began, fields.as_slice()) {
            ("my_uuid", false, [u]) => {
                if my_uuid.replace(uuid(u)?).is_some() {
                    return Err(GvwstateError::Duplicate { key: "my_uuid" });
                }
            }
            ("view_id", true, [t, u, s]) => {
                let t = t.parse().map_err(|_| bad())?;
                let s = s.parse().map_err(|_| bad())?;
                if view.replace((t, uuid(u)?, s)).is_some() {
                    return Err(GvwstateError::Duplicate { key: "view_id" });
                }
            }
            ("bootstrap", true, [b]) => {
                let b = match *b {
                    "0" => false,
                    "1" => true,
                    _ => return Err(bad()),
                };
                if bootstrap.replace(b).is_some() {
                    return Err(GvwstateError::Duplicate { key: "bootstrap" });
                }
            }
            ("member", true, [u, segment]) => {
                segment.parse::<u32>().map_err(|_| bad())?;
                if !members.insert(uuid(u)?) {
                    return Err(GvwstateError::Duplicate { key: "member" });
                }
            }
            _ => return Err(bad()),
        }
    }
    let my_uuid = my_uuid.ok_or(GvwstateError::Partial { missing: "my_uuid" })?;
    if !began {
        return Err(GvwstateError::Partial { missing: "#vwbeg" });
    }
    let (view_type, view_uuid, view_seq) =
        view.ok_or(GvwstateError::Partial { missing: "view_id" })?;
    if !ended {
        return Err(GvwstateError::Partial { missing: "#vwend" });
    }
    if members.is_empty() {
        return Err(GvwstateError::NoMembers);
    }
    Ok(GvwState {
        my_uuid,
        view_type,
        view_uuid,
        view_seq,
        bootstrap: bootstrap.unwrap_or(false),
        members,
    })
}

/// How many earlier process UUIDs of this node the durable copy keeps (a node restarts its server a few
/// times between two views at most; old ones only make matching more generous for views long gone).
pub const MAX_ALSO_ME: usize = 16;

/// The view this node reports, from gvwstate.dat as it is now (`current`) and the agent's durable copy
/// (`record`, taken before every stop the agent makes, because an orderly close deletes gvwstate.dat).
/// The current file wins when it exists; every process UUID either names is kept in `also_me`, so members
/// of an old view are matched across this node's restarts. `cc_from_log` finds the view's configuration
/// change in the server log when neither already knows it.
pub fn merge_saved_view(
    record: Option<&LastView>,
    current: Option<&LastView>,
    cc_from_log: impl Fn(&BTreeSet<MemberUuid>) -> Option<i64>,
) -> Option<LastView> {
    let base = current.or(record)?;
    let mut also_me: BTreeSet<MemberUuid> = [record, current]
        .into_iter()
        .flatten()
        .flat_map(|v| v.also_me.iter().copied().chain([v.my_uuid]))
        .filter(|u| *u != base.my_uuid)
        .collect();
    while also_me.len() > MAX_ALSO_ME {
        also_me.pop_first();
    }
    let same_view = |a: &LastView, b: &LastView| a.view_seq == b.view_seq && a.members == b.members;
    let cc_seqno = base
        .cc_seqno
        .or_else(|| {
            record
                .filter(|r| same_view(r, base))
                .and_then(|r| r.cc_seqno)
        })
        .or_else(|| cc_from_log(&base.members));
    Some(LastView {
        my_uuid: base.my_uuid,
        view_seq: base.view_seq,
        members: base.members.clone(),
        cc_seqno,
        also_me,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> MemberUuid {
        s.parse().unwrap()
    }

    #[test]
    fn real_single_node_views() {
        let g = parse(fixture!("gvwstate/single-node-running.dat")).unwrap();
        assert_eq!(g.my_uuid, m("e3305553-e730-11f1-9de9-c2976492e2cf"));
        assert_eq!((g.view_type, g.view_seq, g.bootstrap), (3, 1, false));
        assert_eq!(g.members, BTreeSet::from([g.my_uuid]));
        let r = parse(fixture!("gvwstate/single-node-restarted.dat")).unwrap();
        assert_ne!(r.my_uuid, g.my_uuid, "a restart brings a new process UUID");
        assert_eq!(r.view_seq, 3);
    }

    #[test]
    fn real_three_node_views_after_a_kill() {
        let running = parse(fixture!("gvwstate/lab3-running-n1.dat")).unwrap();
        let n1 = parse(fixture!("gvwstate/lab3-crash-n1.dat")).unwrap();
        let n2 = parse(fixture!("gvwstate/lab3-crash-n2.dat")).unwrap();
        let n3 = parse(fixture!("gvwstate/lab3-crash-n3.dat")).unwrap();
        assert_eq!((running.view_seq, running.members.len()), (3, 3));
        // Survivors rewrote their view without node3; node3 kept the stale one.
        assert_eq!((n1.view_seq, n2.view_seq, n3.view_seq), (4, 4, 3));
        assert_eq!(n1.members, n2.members);
        assert_eq!(n1.members, BTreeSet::from([n1.my_uuid, n2.my_uuid]));
        assert_eq!(n3.members, running.members);
        assert!(n3.members.contains(&n3.my_uuid) && !n1.members.contains(&n3.my_uuid));
    }

    #[test]
    fn three_member_view() {
        let g = parse(fixture!("gvwstate/three-members.dat")).unwrap();
        assert_eq!(g.view_seq, 7);
        assert_eq!(g.members.len(), 3);
        assert!(g.members.contains(&g.my_uuid));
        let v = g.last_view();
        assert_eq!(
            (v.my_uuid, v.view_seq, &v.members),
            (g.my_uuid, 7, &g.members)
        );
        let stale = parse(fixture!("gvwstate/stale-killed-earlier.dat")).unwrap();
        assert!(stale.view_seq < g.view_seq && stale.members.len() == 4);
    }

    #[test]
    fn empty_and_partial_files_are_typed_errors() {
        assert_eq!(
            parse(fixture!("gvwstate/empty.dat")),
            Err(GvwstateError::Empty)
        );
        assert_eq!(
            parse(fixture!("gvwstate/partial-no-vwend.dat")),
            Err(GvwstateError::Partial { missing: "#vwend" })
        );
        let full = fixture!("gvwstate/three-members.dat");
        // Every cut at a line boundary before #vwend is reported as partial or empty, never a view.
        let ends: Vec<usize> = full.match_indices('\n').map(|(i, _)| i + 1).collect();
        for cut in &ends[..ends.len() - 1] {
            let r = parse(&full[..*cut]);
            assert!(
                matches!(
                    r,
                    Err(GvwstateError::Partial { .. }) | Err(GvwstateError::Empty)
                ),
                "cut at {cut}: {r:?}"
            );
        }
        // Cuts inside a line are errors too.
        for cut in 1..full.len() - 1 {
            assert!(parse(&full[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn bad_content_is_rejected() {
        let u = "1a2b3c4d-0000-11ee-8000-000000000001";
        let ok = format!(
            "my_uuid: {u}\n#vwbeg\nview_id: 3 {u} 7\nbootstrap: 0\nmember: {u} 0\n#vwend\n"
        );
        assert!(parse(&ok).is_ok());
        let cases = [
            (ok.replace("view_id: 3", "view_id: x"), "bad view type"),
            (
                ok.replace(&format!("{u} 7"), &format!("{u} -7")),
                "negative seq",
            ),
            (
                ok.replace(&format!("member: {u} 0"), &format!("member: {u}")),
                "no segment",
            ),
            (
                ok.replace("bootstrap: 0", "bootstrap: yes"),
                "bad bootstrap",
            ),
            (ok.replace("my_uuid: 1a2b", "my_uuid: zz2b"), "bad uuid"),
            (format!("{ok}my_uuid: {u}\n"), "content after vwend"),
            (
                ok.replace("#vwend\n", &format!("member: {u} 0\n#vwend\n")),
                "dup member",
            ),
            (ok.replace("#vwbeg\n", ""), "no vwbeg"),
            ("hello\n".to_string(), "garbage"),
        ];
        for (text, what) in cases {
            assert!(parse(&text).is_err(), "{what}");
        }
        assert_eq!(
            parse(&ok.replace(&format!("member: {u} 0\n"), "")),
            Err(GvwstateError::NoMembers)
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_mutated_files(cut in any::<proptest::sample::Index>(), junk in "\\PC{0,8}") {
            let text = fixture!("gvwstate/three-members.dat");
            let at = cut.index(text.len() + 1);
            if text.is_char_boundary(at) {
                let mut mutated = text.to_string();
                mutated.insert_str(at, &junk);
                let _ = parse(&mutated);
            }
        }
    }

    #[test]
    fn merged_view_keeps_the_copy_when_a_clean_stop_deleted_the_file() {
        let u = |i: u8| MemberUuid::from_bytes([i; 16]);
        let v = |me: u8, seq: u64, ms: &[u8]| LastView {
            my_uuid: u(me),
            view_seq: seq,
            members: ms.iter().map(|i| u(*i)).collect(),
            cc_seqno: None,
            also_me: BTreeSet::new(),
        };
        let no_log = |_: &BTreeSet<MemberUuid>| None;
        let logged = |_: &BTreeSet<MemberUuid>| Some(42);
        // Nothing anywhere: no view.
        assert_eq!(merge_saved_view(None, None, logged), None);
        // The file only: it, with the log's change seqno.
        let cur = v(1, 5, &[1, 2]);
        let m = merge_saved_view(None, Some(&cur), logged).unwrap();
        assert_eq!((m.view_seq, m.cc_seqno), (5, Some(42)));
        // The copy only (the file was deleted by a clean stop): the copy, as recorded.
        let mut rec = m.clone();
        let m2 = merge_saved_view(Some(&rec), None, no_log).unwrap();
        assert_eq!(m2, rec);
        // A restart gave the server a new process UUID for the same old view: the old one is kept.
        rec.cc_seqno = Some(42);
        let restarted = v(9, 5, &[1, 2]);
        let m3 = merge_saved_view(Some(&rec), Some(&restarted), no_log).unwrap();
        assert_eq!(m3.my_uuid, u(9));
        assert!(m3.also_me.contains(&u(1)));
        assert_eq!(
            m3.cc_seqno,
            Some(42),
            "same view: the recorded change seqno carries over"
        );
        // A newer view in the file replaces the copy's view; its seqno comes from the log or nowhere.
        let newer = v(9, 6, &[9, 2]);
        let m4 = merge_saved_view(Some(&m3), Some(&newer), no_log).unwrap();
        assert_eq!((m4.view_seq, m4.cc_seqno), (6, None));
        assert!(m4.also_me.contains(&u(1)) && !m4.also_me.contains(&u(9)));
    }
}
