//! The `<rsc>-report` node attribute: what one node tells the others about its data.
//!
//! Every node publishes one report; every node reads all of them and runs the same election
//! on them, so the text format must mean exactly the same thing to every agent version in a
//! rolling upgrade. Grammar (version 1):
//!
//! ```text
//! v1 uuid=<cluster-uuid> seqno=<n> safe_to_bootstrap=<0|1> state=<stopped|recovered|joining|primary|incomplete> at=<unix-secs>[ gvw=<my_uuid>/<view_seq>/<member>,<member>...[ gvwcc=<seqno>][ gvwids=<uuid>,<uuid>...]][ pcr=<disk|reforming>]
//! ```
//!
//! `pcr` (added after the first release, so absent in older agents' reports) says whether Galera's own
//! gvwstate.dat is on disk ([`SavedPc`]); an unknown value reads as absent: less evidence, no re-forming.
//!
//! Fields are separated by single spaces and may come in any order after `v1`. Unknown
//! `key=value` fields are ignored, so a newer agent may add fields without breaking older ones;
//! the required fields are strict (missing, duplicated or malformed → error), because a
//! misread seqno would elect the wrong node. Pure: no I/O, and `at` is given by the caller.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use super::gvwstate::{LastView, MemberUuid};
use super::position::{ClusterUuid, Position, PositionError, Seqno};

/// What the node's mysqld is doing, as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeState {
    /// mysqld not running; position read from grastate.dat.
    Stopped,
    /// mysqld not running; position obtained by `--wsrep-recover`.
    Recovered,
    /// mysqld started to join a Primary component (state transfer may be under way).
    Joining,
    /// mysqld runs Synced in a Primary component.
    Primary,
    /// mysqld not running; its last state transfer did not complete (the agent's durable marker), so the
    /// datadir may hold part of a donor's files and no position of it is usable. It can only join by a
    /// full state transfer; never a bootstrap node, never a start position. Its seqno is published as -1.
    Incomplete,
}

impl NodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Stopped => "stopped",
            NodeState::Recovered => "recovered",
            NodeState::Joining => "joining",
            NodeState::Primary => "primary",
            NodeState::Incomplete => "incomplete",
        }
    }
}

impl FromStr for NodeState {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "stopped" => Ok(NodeState::Stopped),
            "recovered" => Ok(NodeState::Recovered),
            "joining" => Ok(NodeState::Joining),
            "primary" => Ok(NodeState::Primary),
            "incomplete" => Ok(NodeState::Incomplete),
            other => Err(ReportError::BadValue {
                key: "state",
                value: other.to_string(),
            }),
        }
    }
}

impl fmt::Display for NodeState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Galera's own saved Primary view (gvwstate.dat, which `pc.recovery` restores when the server starts)
/// and what this node is doing with it. The report's `gvw` is the agent's merged copy, which outlives the
/// file (`edge::lastview`); this says whether the file itself is there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SavedPc {
    /// No gvwstate.dat (an orderly close deletes it, a join moves it away), or a report without `pcr`.
    #[default]
    Absent,
    /// gvwstate.dat is on disk: a server started now restores that view and waits for all its members.
    OnDisk,
    /// This node started its server to re-form that view together with its other members
    /// (`decide::election::Decision::Reform`); published with `state=joining`.
    Reforming,
}

impl SavedPc {
    fn as_attr(self) -> Option<&'static str> {
        match self {
            SavedPc::Absent => None,
            SavedPc::OnDisk => Some("disk"),
            SavedPc::Reforming => Some("reforming"),
        }
    }

    fn from_attr(value: &str) -> Self {
        match value {
            "disk" => SavedPc::OnDisk,
            "reforming" => SavedPc::Reforming,
            _ => SavedPc::Absent,
        }
    }
}

/// One node's published report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub position: Position,
    pub safe_to_bootstrap: bool,
    pub state: NodeState,
    /// Unix seconds when the report was made (for `status` displays; never used to decide).
    pub at: u64,
    /// The node's last saved Primary Component view (gvwstate.dat), when it had one.
    pub view: Option<LastView>,
    /// Whether gvwstate.dat itself is on disk, and whether the node is re-forming its view.
    pub pc: SavedPc,
}

/// Why a report attribute value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("report is empty")]
    Empty,
    #[error("report version {0:?} is not supported (expected v1)")]
    UnsupportedVersion(String),
    #[error("report field {0:?} is not key=value")]
    BadField(String),
    #[error("report lacks the {0} field")]
    Missing(&'static str),
    #[error("report has the {0} field twice")]
    Duplicate(&'static str),
    #[error("report field {key} has an invalid value {value:?}")]
    BadValue { key: &'static str, value: String },
    #[error("report field {key}: {source}")]
    BadPosition {
        key: &'static str,
        #[source]
        source: PositionError,
    },
}

const VERSION: &str = "v1";

impl Report {
    /// Whether this report names a cluster history in the vote for the cluster's UUID: a non-empty
    /// position, or an interrupted transfer (`incomplete`) into a named cluster. An interrupted transfer
    /// whose datadir shows a nil UUID (grastate.dat gone or not yet written mid-SST) names no history: it
    /// must not tip a vote between a nil-UUID history and a real one.
    pub fn names_history(&self) -> bool {
        !self.position.is_empty()
            || (self.state == NodeState::Incomplete && !self.position.uuid.is_nil())
    }

    /// The attribute value. Members of `gvw` are listed in sorted order so equal reports
    /// render identically.
    pub fn render(&self) -> String {
        let mut s = format!(
            "{VERSION} uuid={} seqno={} safe_to_bootstrap={} state={} at={}",
            self.position.uuid,
            self.position.seqno,
            u8::from(self.safe_to_bootstrap),
            self.state,
            self.at
        );
        if let Some(v) = &self.view {
            s.push(' ');
            s.push_str(&render_view(v));
        }
        if let Some(pc) = self.pc.as_attr() {
            s.push_str(" pcr=");
            s.push_str(pc);
        }
        s
    }

    /// Parses an attribute value.
    pub fn parse(text: &str) -> Result<Report, ReportError> {
        let mut tokens = text.split_ascii_whitespace();
        let version = tokens.next().ok_or(ReportError::Empty)?;
        if version != VERSION {
            return Err(ReportError::UnsupportedVersion(
                version.chars().take(20).collect(),
            ));
        }
        let mut uuid: Option<ClusterUuid> = None;
        let mut seqno: Option<Seqno> = None;
        let mut stb: Option<bool> = None;
        let mut state: Option<NodeState> = None;
        let mut at: Option<u64> = None;
        let mut view: Option<LastView> = None;
        let mut view_cc: Option<i64> = None;
        let mut view_ids: Option<BTreeSet<MemberUuid>> = None;
        let mut pc: Option<SavedPc> = None;
        for token in tokens {
            let (key, value) = token
                .split_once('=')
                .filter(|(k, _)| is_key(k))
                .ok_or_else(|| ReportError::BadField(token.chars().take(40).collect()))?;
            let bad = |key: &'static str| ReportError::BadValue {
                key,
                value: value.chars().take(40).collect(),
            };
            match key {
                "uuid" => set_once(
                    &mut uuid,
                    "uuid",
                    value.parse().map_err(|source| ReportError::BadPosition {
                        key: "uuid",
                        source,
                    })?,
                )?,
                "seqno" => set_once(
                    &mut seqno,
                    "seqno",
                    value.parse().map_err(|source| ReportError::BadPosition {
                        key: "seqno",
                        source,
                    })?,
                )?,
                "safe_to_bootstrap" => {
                    let v = match value {
                        "0" => false,
                        "1" => true,
                        _ => return Err(bad("safe_to_bootstrap")),
                    };
                    set_once(&mut stb, "safe_to_bootstrap", v)?
                }
                "state" => set_once(&mut state, "state", value.parse()?)?,
                "at" => {
                    if !value.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(bad("at"));
                    }
                    set_once(&mut at, "at", value.parse().map_err(|_| bad("at"))?)?
                }
                "gvw" => set_once(
                    &mut view,
                    "gvw",
                    parse_view(value).ok_or_else(|| bad("gvw"))?,
                )?,
                "gvwcc" => set_once(
                    &mut view_cc,
                    "gvwcc",
                    value.parse().map_err(|_| bad("gvwcc"))?,
                )?,
                "gvwids" => set_once(
                    &mut view_ids,
                    "gvwids",
                    parse_uuid_list(value).ok_or_else(|| bad("gvwids"))?,
                )?,
                "pcr" => set_once(&mut pc, "pcr", SavedPc::from_attr(value))?,
                _ => {} // A newer agent's field: ignored on purpose (forward compatibility).
            }
        }
        Ok(Report {
            position: Position::new(
                uuid.ok_or(ReportError::Missing("uuid"))?,
                seqno.ok_or(ReportError::Missing("seqno"))?,
            ),
            safe_to_bootstrap: stb.ok_or(ReportError::Missing("safe_to_bootstrap"))?,
            state: state.ok_or(ReportError::Missing("state"))?,
            at: at.ok_or(ReportError::Missing("at"))?,
            view: view.map(|v| LastView {
                cc_seqno: view_cc,
                also_me: view_ids.unwrap_or_default(),
                ..v
            }),
            pc: pc.unwrap_or_default(),
        })
    }
}

impl FromStr for Report {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Report::parse(s)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

fn is_key(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn set_once<T>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), ReportError> {
    if slot.is_some() {
        return Err(ReportError::Duplicate(key));
    }
    *slot = Some(value);
    Ok(())
}

/// A saved view as `gvw=<my_uuid>/<view_seq>/<members>[ gvwcc=<n>][ gvwids=<uuids>]`: the report's view
/// fields, also the agent's durable copy of the view (`edge::lastview`).
pub fn render_view(v: &LastView) -> String {
    let members: Vec<String> = v.members.iter().map(ToString::to_string).collect();
    let mut s = format!("gvw={}/{}/{}", v.my_uuid, v.view_seq, members.join(","));
    if let Some(cc) = v.cc_seqno {
        s.push_str(&format!(" gvwcc={cc}"));
    }
    if !v.also_me.is_empty() {
        let ids: Vec<String> = v.also_me.iter().map(ToString::to_string).collect();
        s.push_str(&format!(" gvwids={}", ids.join(",")));
    }
    s
}

/// The inverse of [`render_view`] (other tokens are ignored); `None` when `gvw=` is missing or any of
/// the three fields is malformed.
pub fn parse_view_fields(text: &str) -> Option<LastView> {
    let mut view = None;
    let mut cc = None;
    let mut ids = BTreeSet::new();
    for token in text.split_ascii_whitespace() {
        match token.split_once('=')? {
            ("gvw", v) => view = Some(parse_view(v)?),
            ("gvwcc", v) => cc = Some(v.parse().ok()?),
            ("gvwids", v) => ids = parse_uuid_list(v)?,
            _ => {}
        }
    }
    view.map(|v| LastView {
        cc_seqno: cc,
        also_me: ids,
        ..v
    })
}

/// `u1,u2,...`: distinct member UUIDs.
fn parse_uuid_list(text: &str) -> Option<BTreeSet<MemberUuid>> {
    let mut out = BTreeSet::new();
    for m in text.split(',') {
        if !out.insert(m.parse::<MemberUuid>().ok()?) {
            return None;
        }
    }
    Some(out)
}

/// `my_uuid/view_seq/m1,m2,...`; members must be non-empty and distinct.
fn parse_view(text: &str) -> Option<LastView> {
    let mut parts = text.split('/');
    let my_uuid: MemberUuid = parts.next()?.parse().ok()?;
    let seq = parts.next()?;
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let view_seq: u64 = seq.parse().ok()?;
    let list = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    Some(LastView {
        my_uuid,
        view_seq,
        members: parse_uuid_list(list)?,
        cc_seqno: None,
        also_me: BTreeSet::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const U: &str = "8bb6d5e5-2b38-11ee-9e5e-8f5f5b6f0e1a";
    const M1: &str = "1a2b3c4d-0000-11ee-8000-000000000001";
    const M2: &str = "2a2b3c4d-0000-11ee-8000-000000000002";

    fn sample() -> Report {
        Report {
            position: format!("{U}:1234").parse().unwrap(),
            safe_to_bootstrap: true,
            state: NodeState::Recovered,
            at: 1_700_000_000,
            view: Some(LastView {
                my_uuid: M1.parse().unwrap(),
                view_seq: 7,
                members: [M2, M1].iter().map(|m| m.parse().unwrap()).collect(),
                cc_seqno: None,
                also_me: BTreeSet::new(),
            }),
            pc: SavedPc::Absent,
        }
    }

    #[test]
    fn saved_pc_is_optional_and_lenient() {
        let mut r = sample();
        r.pc = SavedPc::OnDisk;
        assert!(r.render().ends_with(" pcr=disk"), "{}", r.render());
        assert_eq!(Report::parse(&r.render()), Ok(r.clone()));
        r.pc = SavedPc::Reforming;
        assert!(r.render().ends_with(" pcr=reforming"));
        assert_eq!(Report::parse(&r.render()), Ok(r.clone()));
        // An older agent's report has no such field; a newer agent's unknown value is no evidence.
        let base = sample().render();
        assert_eq!(Report::parse(&base).map(|r| r.pc), Ok(SavedPc::Absent));
        assert_eq!(
            Report::parse(&format!("{base} pcr=later")).map(|r| r.pc),
            Ok(SavedPc::Absent)
        );
        assert_eq!(
            Report::parse(&format!("{base} pcr=disk pcr=disk")),
            Err(ReportError::Duplicate("pcr"))
        );
    }

    #[test]
    fn renders_the_contract_grammar() {
        assert_eq!(
            sample().render(),
            format!("v1 uuid={U} seqno=1234 safe_to_bootstrap=1 state=recovered at=1700000000 gvw={M1}/7/{M1},{M2}")
        );
        let mut r = sample();
        r.view = None;
        r.safe_to_bootstrap = false;
        r.position = Position::EMPTY;
        r.state = NodeState::Stopped;
        assert_eq!(
            r.render(),
            "v1 uuid=00000000-0000-0000-0000-000000000000 seqno=-1 safe_to_bootstrap=0 state=stopped at=1700000000"
        );
        assert_eq!(Report::parse(&r.render()), Ok(r));
    }

    #[test]
    fn tolerates_unknown_fields_order_and_blanks() {
        let text = format!(
            "v1  at=5 future=x/y,z state=primary uuid={} seqno=9 safe_to_bootstrap=0 other_1=\n",
            U.to_uppercase()
        );
        let r = Report::parse(&text).unwrap();
        assert_eq!(r.state, NodeState::Primary);
        assert_eq!(r.position.to_string(), format!("{U}:9"));
        assert_eq!(r.at, 5);
    }

    #[test]
    fn strict_on_required_fields() {
        let good = sample().render();
        assert_eq!(Report::parse(""), Err(ReportError::Empty));
        assert_eq!(Report::parse("   "), Err(ReportError::Empty));
        assert!(matches!(
            Report::parse(&good.replacen("v1", "v2", 1)),
            Err(ReportError::UnsupportedVersion(v)) if v == "v2"
        ));
        assert!(matches!(
            Report::parse(&good.replacen("v1 ", "", 1)),
            Err(ReportError::UnsupportedVersion(_))
        ));
        for (key, err) in [
            ("uuid", ReportError::Missing("uuid")),
            ("seqno", ReportError::Missing("seqno")),
            (
                "safe_to_bootstrap",
                ReportError::Missing("safe_to_bootstrap"),
            ),
            ("state", ReportError::Missing("state")),
            ("at", ReportError::Missing("at")),
        ] {
            let without: Vec<&str> = good
                .split(' ')
                .filter(|t| !t.starts_with(&format!("{key}=")))
                .collect();
            assert_eq!(Report::parse(&without.join(" ")), Err(err));
        }
        assert_eq!(
            Report::parse(&format!("{good} seqno=5")),
            Err(ReportError::Duplicate("seqno"))
        );
        let bad_values = [
            ("seqno=1234", "seqno=12x"),
            ("seqno=1234", "seqno=-2"),
            ("seqno=1234", "seqno="),
            (&format!("uuid={U}")[..], "uuid=nope"),
            ("safe_to_bootstrap=1", "safe_to_bootstrap=yes"),
            ("state=recovered", "state=donor"),
            ("at=1700000000", "at=-1"),
            ("at=1700000000", "at=1e9"),
            ("/7/", "/x/"),
            (&format!("/{M1},{M2}")[..], "/"),
            (&format!(",{M2}")[..], &format!(",{M1}")[..]),
        ];
        for (from, to) in bad_values {
            let text = good.replacen(from, to, 1);
            assert_ne!(text, good);
            assert!(Report::parse(&text).is_err(), "{text}");
        }
        assert!(matches!(
            Report::parse(&format!("{good} junk")),
            Err(ReportError::BadField(_))
        ));
        assert!(matches!(
            Report::parse(&format!("{good} =x")),
            Err(ReportError::BadField(_))
        ));
    }

    prop_compose! {
        fn arb_report()(
            uuid in any::<[u8; 16]>(),
            seqno in -1i64..=i64::MAX,
            stb in any::<bool>(),
            state in prop_oneof![
                Just(NodeState::Stopped), Just(NodeState::Recovered),
                Just(NodeState::Joining), Just(NodeState::Primary), Just(NodeState::Incomplete)
            ],
            at in any::<u64>(),
            view in proptest::option::of((any::<[u8; 16]>(), any::<u64>(),
                proptest::collection::btree_set(any::<[u8; 16]>(), 1..6))),
            cc in proptest::option::of(-1i64..1_000_000),
            ids in proptest::collection::btree_set(any::<[u8; 16]>(), 0..4),
            pc in prop_oneof![Just(SavedPc::Absent), Just(SavedPc::OnDisk), Just(SavedPc::Reforming)],
        ) -> Report {
            Report {
                position: Position::new(ClusterUuid::from_bytes(uuid), Seqno::new(seqno).unwrap()),
                safe_to_bootstrap: stb,
                state,
                at,
                view: view.map(|(my, seq, ms)| LastView {
                    my_uuid: MemberUuid::from_bytes(my),
                    view_seq: seq,
                    members: ms.into_iter().map(MemberUuid::from_bytes).collect(),
                    cc_seqno: cc,
                    also_me: ids.into_iter().map(MemberUuid::from_bytes).collect(),
                }),
                pc,
            }
        }
    }

    #[test]
    fn view_fields_round_trip() {
        let mut v = sample().view.unwrap();
        assert_eq!(parse_view_fields(&render_view(&v)), Some(v.clone()));
        v.cc_seqno = Some(57);
        v.also_me = [M2.parse().unwrap()].into();
        let text = render_view(&v);
        assert!(text.ends_with(&format!(" gvwcc=57 gvwids={M2}")), "{text}");
        assert_eq!(parse_view_fields(&text), Some(v));
        assert_eq!(parse_view_fields("gvwcc=5"), None);
        assert_eq!(parse_view_fields("gvw=x/1/y"), None);
    }

    proptest! {
        #[test]
        fn parse_render_is_identity(r in arb_report()) {
            prop_assert_eq!(Report::parse(&r.render()), Ok(r));
        }

        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
            let _ = Report::parse(&text);
            let _ = Report::parse(&format!("v1 {text}"));
        }

        #[test]
        fn unknown_fields_anywhere_are_ignored(
            r in arb_report(),
            extra in proptest::collection::vec(("[a-z_][a-z0-9_]{0,8}", "[!-~]{0,12}"), 0..4),
            at in proptest::collection::vec(any::<proptest::sample::Index>(), 4),
        ) {
            let known = ["uuid", "seqno", "safe_to_bootstrap", "state", "at", "gvw", "pcr"];
            let rendered = r.render();
            let mut tokens: Vec<String> = rendered.split(' ').map(str::to_string).collect();
            for (i, (k, v)) in extra.iter().enumerate() {
                if known.contains(&k.as_str()) { continue; }
                let pos = 1 + at[i].index(tokens.len());
                tokens.insert(pos.min(tokens.len()), format!("{k}={v}"));
            }
            prop_assert_eq!(Report::parse(&tokens.join(" ")), Ok(r));
        }
    }
}
