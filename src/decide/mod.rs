//! Pure decisions: observations in, a decision out. No I/O, no clock, no logging.
//!
//! - [`election`]: which node bootstraps, or whether to join or wait (the same answer on every node).
//! - [`monitor`]: what a monitor/probe observation means as an OCF status.
//! - [`hostmap`]: wsrep_cluster_address + cluster_host_map → the Pacemaker nodes that must report.
//! - [`mycnf`]: the node's option file (my.cnf) against the parameters, for validate-all.
//! - [`server`]: whether a process `/proc` describes is a server of this data directory, and why.
//!
//! The actions layer does the I/O around these functions and logs from their results. The
//! folder's purity is checked by a test below that reads the sibling sources at compile time.

use std::fmt;
use std::str::FromStr;

pub mod election;
pub mod hostmap;
pub mod monitor;
pub mod mycnf;
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

    /// The guarantee the folder names promise (style.md 2.2): nothing in `galera/` or
    /// `decide/` reaches the outside world.
    #[test]
    fn pure_modules_import_no_io() {
        let sources = [
            ("galera/mod.rs", include_str!("../galera/mod.rs")),
            ("galera/position.rs", include_str!("../galera/position.rs")),
            ("galera/grastate.rs", include_str!("../galera/grastate.rs")),
            ("galera/recover.rs", include_str!("../galera/recover.rs")),
            ("galera/gvwstate.rs", include_str!("../galera/gvwstate.rs")),
            ("galera/status.rs", include_str!("../galera/status.rs")),
            ("galera/report.rs", include_str!("../galera/report.rs")),
            ("decide/mod.rs", include_str!("mod.rs")),
            ("decide/election.rs", include_str!("election.rs")),
            ("decide/hostmap.rs", include_str!("hostmap.rs")),
            ("decide/monitor.rs", include_str!("monitor.rs")),
            ("decide/mycnf.rs", include_str!("mycnf.rs")),
            ("decide/server.rs", include_str!("server.rs")),
        ];
        // Assembled at run time so this file does not match its own patterns.
        let forbidden: Vec<String> = [
            ["std", "::fs"],
            ["std", "::process"],
            ["Tcp", "Stream"],
            ["Tcp", "Listener"],
            ["Udp", "Socket"],
            ["Unix", "Stream"],
            ["ToSocket", "Addrs"],
            ["std", "::time"],
            ["std", "::env"],
            ["std", "::thread"],
            ["tok", "io"],
            ["mysql", "_async"],
            ["nix", "::"],
            ["crate::", "edge"],
            ["print", "ln!"],
            ["eprint", "ln!"],
        ]
        .iter()
        .map(|p| p.concat())
        .collect();
        for (name, text) in sources {
            for word in &forbidden {
                assert!(!text.contains(word.as_str()), "{name} mentions {word}");
            }
        }
    }
}
