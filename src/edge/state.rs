//! The per-resource state file in `HA_RSCTMP` (default /run/resource-agents): its existence is the
//! "started" marker, so monitor and probe tell Unpromoted from stopped without forking; it also caches what
//! this node last published, so a steady-state monitor calls crm_attribute only when a value changes.
//!
//! Format: `key=value` lines (`started`, `role`, `report`, `score`, `synced`, `peers`, `decision`). /run is a tmpfs, so the
//! marker disappears with a reboot — exactly when Pacemaker wipes the transient attributes too.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::decide::monitor::Serving;
use crate::error::Error;

/// What the file holds. `score`: `Some(Some(n))` = published n, `Some(None)` = deleted, `None` = unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    pub started: u64,
    /// Whether this node's instance was last promoted (a vanished mariadbd then means FAILED_PROMOTED).
    pub promoted: bool,
    pub report: Option<String>,
    pub score: Option<Option<u32>>,
    /// What `<rsc>-synced` was last set to (`None` = not published or unreadable: republished).
    pub synced: Option<Serving>,
    /// Nodes recorded by the pre-promote notification: promoted or being promoted (gcomm peers).
    pub peers: Vec<String>,
    /// The last election explanation logged, so the same line is not repeated every monitor.
    pub decision: Option<String>,
    /// When a promote was last declined (unix seconds): Pacemaker holds the instance Promoted without a
    /// server until it demotes it (the score is gone); see `actions::promote::decline`.
    pub declined: Option<u64>,
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
            s.push_str(&format!("report={r}\n"));
        }
        match self.score {
            Some(Some(n)) => s.push_str(&format!("score={n}\n")),
            Some(None) => s.push_str("score=none\n"),
            None => {}
        }
        if let Some(v) = self.synced {
            s.push_str(&format!("synced={}\n", v.as_attr()));
        }
        if !self.peers.is_empty() {
            s.push_str(&format!("peers={}\n", self.peers.join(",")));
        }
        if let Some(d) = &self.decision {
            s.push_str(&format!("decision={}\n", d.replace('\n', " ")));
        }
        if let Some(t) = self.declined {
            s.push_str(&format!("declined={t}\n"));
        }
        s
    }

    pub fn parse(text: &str) -> State {
        let kv: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        State {
            started: kv.get("started").and_then(|v| v.parse().ok()).unwrap_or(0),
            promoted: kv.get("role") == Some(&"promoted"),
            report: kv.get("report").map(|v| (*v).to_owned()),
            score: kv.get("score").map(|v| v.parse().ok()),
            synced: kv.get("synced").and_then(|v| Serving::from_attr(v)),
            peers: kv
                .get("peers")
                .map(|v| {
                    v.split(',')
                        .filter(|p| !p.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            decision: kv.get("decision").map(|v| (*v).to_owned()),
            declined: kv.get("declined").and_then(|v| v.parse().ok()),
        }
    }
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
            report: Some("v1 uuid=x seqno=3".into()),
            score: Some(None),
            synced: Some(Serving::Fallback),
            peers: vec!["n1".into(), "n2".into()],
            decision: Some("join n1".into()),
            declined: Some(1_796_000_000),
        };
        assert_eq!(State::parse(&s.render()), s);
        let s2 = State {
            score: Some(Some(100)),
            ..State::default()
        };
        assert_eq!(State::parse(&s2.render()), s2);
        // A file written by an earlier version (synced=1/0) reads the same.
        assert_eq!(State::parse("synced=1\n").synced, Some(Serving::Yes));
        assert_eq!(State::parse("synced=0\n").synced, Some(Serving::No));
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
