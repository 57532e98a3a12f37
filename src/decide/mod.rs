//! Pure decisions: observations in, a decision out. No I/O, no clock, no logging.
//!
//! - [`arbitrator`]: what a monitor of the garbd agent observed, as an OCF status.
//! - [`election`]: which node bootstraps, or whether to join or wait (the same answer on every node).
//! - [`monitor`]: what a monitor/probe observation means as an OCF status.
//! - [`hostmap`]: wsrep_cluster_address + cluster_host_map → the Pacemaker nodes that must report.
//! - [`mycnf`]: the node's option file (my.cnf) against the parameters, for validate-all.
//! - [`server`]: whether a process `/proc` describes is a server of this data directory, and why.
//! - [`recovery`]: whether a position recovered earlier still holds (the datadir's fingerprint unchanged).
//! - [`reform`]: a re-forming start (Galera's pc.recovery) once its server runs: the monitor's wait, and
//!   whether an attempt that is over may have left a donor's half copy.
//!
//! - [`promotion`]: the one verdict of an invocation (election + two_node_mode + override + score + plan).
//!
//! A file whose tests outgrow its code keeps them beside it as `<name>_tests.rs` (election, promotion).
//!
//! The actions layer does the I/O around these functions and logs from their results. The
//! folder's purity is checked by `tests/architecture.rs`, which reads every file here at test time.

use std::fmt;
use std::str::FromStr;

pub mod arbitrator;
pub mod election;
pub mod hostmap;
pub mod monitor;
pub mod mycnf;
pub mod promotion;
pub mod recovery;
pub mod reform;
pub mod server;

/// A Pacemaker node name (`crm_node -n`, `OCF_RESKEY_CRM_meta_on_node`).
///
/// Restricted to host-name characters (`A-Z a-z 0-9 . _ -`, not starting with `-`) because it
/// ends up in command lines (`crm_attribute -N NAME`) and in the report/host-map grammars,
/// whose separators must not occur inside a name. Ordered byte-wise; the election's last
/// tie-break ("lowest node name") uses this order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeName(String);

/// Why a text is not a usable node name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeNameError {
    #[error("empty node name")]
    Empty,
    #[error("node name {0:?} is too long (more than 253 characters)")]
    TooLong(String),
    #[error("node name {0:?} starts with '-'")]
    LeadingDash(String),
    #[error("node name {0:?} contains {1:?}; only letters, digits, '.', '_' and '-' are allowed")]
    BadChar(String, char),
}

impl NodeName {
    pub fn new(name: &str) -> Result<Self, NodeNameError> {
        if name.is_empty() {
            return Err(NodeNameError::Empty);
        }
        if name.len() > 253 {
            return Err(NodeNameError::TooLong(name.chars().take(40).collect()));
        }
        if name.starts_with('-') {
            return Err(NodeNameError::LeadingDash(name.to_string()));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(NodeNameError::BadChar(name.to_string(), c));
        }
        Ok(NodeName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for NodeName {
    type Err = NodeNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NodeName::new(s)
    }
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for NodeName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// `names` in the given order, joined by `sep`: the one way node lists are written into log lines,
/// explanations and the state file (a [`NodeName`] never contains `,` or a space, so both separate).
pub fn join_names<'a>(names: impl IntoIterator<Item = &'a NodeName>, sep: &str) -> String {
    names
        .into_iter()
        .map(NodeName::as_str)
        .collect::<Vec<_>>()
        .join(sep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names() {
        for ok in ["pcmk1", "node-a.example.com", "N_1", "a"] {
            assert_eq!(NodeName::new(ok).unwrap().as_str(), ok);
        }
        assert_eq!(NodeName::new(""), Err(NodeNameError::Empty));
        assert!(matches!(
            NodeName::new("-x"),
            Err(NodeNameError::LeadingDash(_))
        ));
        for bad in ["a b", "a;b", "a:b", "a,b", "a=b", "a/b", "ä", "a\n"] {
            assert!(
                matches!(NodeName::new(bad), Err(NodeNameError::BadChar(..))),
                "{bad:?}"
            );
        }
        assert!(matches!(
            NodeName::new(&"x".repeat(254)),
            Err(NodeNameError::TooLong(_))
        ));
        assert!(NodeName::new("a").unwrap() < NodeName::new("b").unwrap());
    }
}
