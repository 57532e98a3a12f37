//! The per-resource state file in `HA_RSCTMP` (default /run/resource-agents): its existence is the
//! "started" marker, so monitor and probe tell Unpromoted from stopped without forking; it also caches what
//! this node last published, so a steady-state monitor calls crm_attribute only when a value changes.
//!
//! Format: `key=value` lines (`started`, `role`, `report`, `score`, `synced`, `peers`, `promoting`,
//! `decision`, `declined`, `checked`, `unreadable`), parsed into domain types here, once; a key an older
//! version did not write reads as not known. /run is a tmpfs, so the marker disappears with a reboot —
//! exactly when Pacemaker wipes the transient attributes too.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::decide::monitor::Serving;
use crate::decide::{join_names, NodeName};
use crate::error::Error;
use crate::galera::report::Report;

/// What a node attribute holds as far as this node knows: the cache that lets a steady-state monitor skip
/// crm_attribute, so "not known" must never be mistaken for "deleted".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Published<T> {
    /// Nothing known (no cache, or the CIB was not read): the next write must happen.
    #[default]
    Unknown,
    /// Known to be absent (deleted, or never set).
    Absent,
    /// Known to hold this value.
    Value(T),
}

impl<T: PartialEq> Published<T> {
    /// `Value(v)` for `Some(v)`, `Absent` for `None`: what the attribute should be.
    pub fn known(value: Option<T>) -> Published<T> {
        value.map_or(Published::Absent, Published::Value)
    }

    /// Whether it is known to hold exactly `want` (`None` = absent).
    pub fn is(&self, want: Option<&T>) -> bool {
        match (self, want) {
            (Published::Value(v), Some(w)) => v == w,
            (Published::Absent, None) => true,
            _ => false,
        }
    }
}

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub started: u64,
    /// Whether this node's instance was last promoted (a vanished mariadbd then means FAILED_PROMOTED).
    pub promoted: bool,
    /// The report this node last published (`None`: none, or not known).
    pub report: Option<Report>,
    /// This node's promotion score.
    pub score: Published<u32>,
    /// What `<rsc>-synced` was last set to (`None` = not published or unreadable: republished).
    pub synced: Option<Serving>,
    /// Nodes recorded by the pre-promote notification: promoted or being promoted (gcomm peers).
    pub peers: BTreeSet<NodeName>,
    /// Of those, the nodes being promoted in that transition (`notify_promote_uname`): fellow joiners start
    /// in turn (`decide::promotion::join_turn`).
    pub promoting: BTreeSet<NodeName>,
    /// The last election explanation logged, so the same line is not repeated every monitor.
    pub decision: Option<String>,
    /// When a promote was last declined (unix seconds): Pacemaker holds the instance Promoted without a
    /// server until it demotes it (the score is gone); see `actions::promote::decline`.
    pub declined: Option<u64>,
    /// When a Promoted monitor last read this node's own attributes from the CIB (unix seconds; `None`:
    /// never, or a file from a version that did not record it). The cache above is only as fresh as that
    /// read: attributes removed behind the node's back stay missing until the next one (see
    /// `actions::monitor`'s periodic re-check).
    pub checked: Option<u64>,
    /// The last "server variable this version cannot read" warning a monitor logged, so it is logged
    /// once per change instead of at every monitor.
    pub unreadable: Option<String>,
    /// When the promote started the server to re-form the saved Primary view (unix seconds), until it is
    /// in a Primary component (`decide::election::Decision::Reform`). Still set at demote or stop: the
    /// component never formed, and gvwstate.dat goes so the next election bootstraps instead
    /// (`actions::common::end_failed_reform`).
    pub reforming: Option<u64>,
}

impl State {
    pub fn render(&self) -> String {
        let role = if self.promoted {
            "promoted"
        } else {
            "unpromoted"
        };
        let mut s = format!("started={}\nrole={role}\n", self.started);
        if let Some(r) = &self.report {
            s.push_str(&format!("report={}\n", r.render()));
        }
        match self.score {
            Published::Value(n) => s.push_str(&format!("score={n}\n")),
            Published::Absent => s.push_str("score=none\n"),
            Published::Unknown => {}
        }
        if let Some(v) = self.synced {
            s.push_str(&format!("synced={}\n", v.as_attr()));
        }
        for (key, names) in [("peers", &self.peers), ("promoting", &self.promoting)] {
            if !names.is_empty() {
                s.push_str(&format!("{key}={}\n", join_names(names, ",")));
            }
        }
        if let Some(d) = &self.decision {
            s.push_str(&format!("decision={}\n", d.replace('\n', " ")));
        }
        if let Some(t) = self.declined {
            s.push_str(&format!("declined={t}\n"));
        }
        if let Some(t) = self.checked {
            s.push_str(&format!("checked={t}\n"));
        }
        if let Some(u) = &self.unreadable {
            s.push_str(&format!("unreadable={}\n", u.replace('\n', " ")));
        }
        if let Some(t) = self.reforming {
            s.push_str(&format!("reforming={t}\n"));
        }
        s
    }

    pub fn parse(text: &str) -> State {
        let kv: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        State {
            started: kv.get("started").and_then(|v| v.parse().ok()).unwrap_or(0),
            promoted: kv.get("role") == Some(&"promoted"),
            // An unreadable cached report or score is not known: the next action publishes it again.
            report: kv.get("report").and_then(|v| Report::parse(v).ok()),
            score: match kv.get("score") {
                None => Published::Unknown,
                Some(&"none") => Published::Absent,
                Some(v) => v.parse().map_or(Published::Unknown, Published::Value),
            },
            synced: kv.get("synced").and_then(|v| Serving::from_attr(v)),
            peers: names(kv.get("peers")),
            promoting: names(kv.get("promoting")),
            decision: kv.get("decision").map(|v| (*v).to_owned()),
            declined: kv.get("declined").and_then(|v| v.parse().ok()),
            checked: kv.get("checked").and_then(|v| v.parse().ok()),
            unreadable: kv.get("unreadable").map(|v| (*v).to_owned()),
            reforming: kv.get("reforming").and_then(|v| v.parse().ok()),
        }
    }
}

/// A comma-separated list of node names; unreadable names are left out.
fn names(list: Option<&&str>) -> BTreeSet<NodeName> {
    list.map(|v| v.split(',').filter_map(|p| NodeName::new(p).ok()).collect())
        .unwrap_or_default()
}

/// `None` when there is no marker (the resource is stopped as far as this node knows).
pub fn load(path: &Path) -> Result<Option<State>, Error> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(State::parse(&t))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Write atomically (temp + rename), mode 0600: nothing in it is secret, but nobody else needs it.
pub fn save(path: &Path, state: &State) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        // create_new: never follow or reuse something already at the temp path.
        let _ = std::fs::remove_file(&tmp);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(state.render().as_bytes())?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Remove the marker; absent is fine.
pub fn remove(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let s = State {
            started: 5,
            promoted: true,
            report: Some(
                Report::parse(
                    "v1 uuid=6f2b4c1e-0000-4000-8000-000000000001 seqno=3 safe_to_bootstrap=0 \
                     state=recovered at=7",
                )
                .unwrap(),
            ),
            score: Published::Absent,
            synced: Some(Serving::Fallback),
            peers: ["n1", "n2"]
                .into_iter()
                .map(|n| NodeName::new(n).unwrap())
                .collect(),
            promoting: [NodeName::new("n2").unwrap()].into(),
            decision: Some("join n1".into()),
            declined: Some(1_796_000_000),
            checked: Some(1_796_000_060),
            unreadable: Some("wsrep_desync = maybe is not a boolean".into()),
            reforming: Some(1_796_000_030),
        };
        assert_eq!(State::parse(&s.render()), s);
        let s2 = State {
            score: Published::Value(100),
            ..State::default()
        };
        assert_eq!(State::parse(&s2.render()), s2);
        // A file written by an earlier version (synced=1/0) reads the same.
        assert_eq!(State::parse("synced=1\n").synced, Some(Serving::Yes));
        assert_eq!(State::parse("synced=0\n").synced, Some(Serving::No));
        assert_eq!(
            State::parse("started=1\nscore=x\n").score,
            Published::Unknown
        );
        assert_eq!(State::parse("started=1\nreport=garbage\n").report, None);
    }

    #[test]
    fn a_file_without_checked_loads_as_never_checked() {
        // Written by a version before the periodic re-check: everything else reads as before.
        let old = State::parse("started=5\nrole=promoted\nscore=100\nsynced=1\n");
        assert_eq!(old.checked, None);
        assert!(old.promoted);
        assert_eq!(old.score, Published::Value(100));
        assert_eq!(old.synced, Some(Serving::Yes));
        assert_eq!(State::parse("checked=x\n").checked, None);
        assert!(!State::default().render().contains("checked="));
    }

    #[test]
    fn save_load_remove() {
        let p =
            std::env::temp_dir().join(format!("galera-ocf-state-{}/x.state", std::process::id()));
        assert!(load(&p).unwrap().is_none());
        save(&p, &State::default()).unwrap();
        assert_eq!(load(&p).unwrap(), Some(State::default()));
        remove(&p).unwrap();
        remove(&p).unwrap();
        std::fs::remove_dir(p.parent().unwrap()).unwrap();
    }
}
