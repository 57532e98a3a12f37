//! Which Pacemaker nodes belong to the Galera cluster, and how to address them.
//!
//! `wsrep_cluster_address` (`gcomm://host[:port],host[:port][?options]`) lists the Galera
//! hosts; `cluster_host_map` (`pcmk1:galera1;pcmk2:galera2`) maps Pacemaker node names to those
//! hosts where the names differ (unmapped hosts are their own node name). From both this
//! module derives the set of nodes the election waits for, and the gcomm:// address a joiner
//! starts with (only the peers that run a Primary component, never an empty list: an empty
//! `gcomm://` would bootstrap a second cluster).
//!
//! Matching is exact (ASCII case-insensitive for host names, as DNS is), never by substring:
//! `node1` does not match `node10`. Pure: no name resolution, no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::Ipv6Addr;

use super::{NodeName, NodeNameError};

/// Everything that can be wrong with the two parameters; each names the offending part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostmapError {
    #[error("wsrep_cluster_address {0:?} does not start with gcomm://")]
    NotGcomm(String),
    #[error(
        "wsrep_cluster_address lists no hosts (an empty gcomm:// would bootstrap a new cluster)"
    )]
    NoHosts,
    #[error("wsrep_cluster_address has an empty entry at position {0}")]
    EmptyEntry(usize),
    #[error("wsrep_cluster_address contains whitespace: {0:?}")]
    Whitespace(String),
    #[error("wsrep_cluster_address entry {0:?} is not a valid host name or address")]
    BadHost(String),
    #[error("wsrep_cluster_address entry {0:?} has an invalid port (1-65535)")]
    BadPort(String),
    #[error("wsrep_cluster_address entry {0:?} has an unclosed or misplaced '['")]
    BadBracket(String),
    #[error("wsrep_cluster_address lists host {0:?} more than once")]
    DuplicateHost(String),
    #[error("wsrep_cluster_address has an empty option list after '?'")]
    EmptyOptions,
    #[error("cluster_host_map has an empty entry at position {0}")]
    EmptyMapEntry(usize),
    #[error("cluster_host_map entry {0:?} is not NODE:HOST")]
    BadMapEntry(String),
    #[error("cluster_host_map entry {entry:?}: {source}")]
    BadMapNode {
        entry: String,
        #[source]
        source: NodeNameError,
    },
    #[error("cluster_host_map maps node {0} more than once")]
    DuplicateMapNode(NodeName),
    #[error("cluster_host_map maps more than one node to host {0:?}")]
    DuplicateMapHost(String),
    #[error(
        "cluster_host_map maps node {node} to {host:?}, which is not in wsrep_cluster_address"
    )]
    MapHostNotInAddress { node: NodeName, host: String },
    #[error("host {host:?} in wsrep_cluster_address is not a valid node name; map it in cluster_host_map ({source})")]
    UnmappedHost {
        host: String,
        #[source]
        source: NodeNameError,
    },
    #[error("two wsrep_cluster_address hosts map to the same Pacemaker node {0}")]
    DuplicateNode(NodeName),
    #[error("node {0} is not in wsrep_cluster_address/cluster_host_map")]
    UnknownNode(NodeName),
    #[error("no peers to join (refusing to build an empty gcomm:// address)")]
    NoPeers,
    #[error("arbitrators has an empty entry at position {0}")]
    EmptyArbitrator(usize),
    #[error(
        "arbitrators entry {0:?} is neither a host of wsrep_cluster_address nor a node of cluster_host_map"
    )]
    ArbitratorNotInAddress(String),
    #[error("arbitrators names member {0} more than once")]
    DuplicateArbitrator(NodeName),
    #[error(
        "arbitrators lists every member of wsrep_cluster_address: no node would hold the data"
    )]
    OnlyArbitrators,
}

/// One `host[:port]` entry of a gcomm:// address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcommHost {
    /// Host name or address as written, without IPv6 brackets.
    pub host: String,
    pub ipv6: bool,
    pub port: Option<u16>,
}

impl GcommHost {
    /// Same host (DNS names are case-insensitive; IPv6 compared as addresses).
    fn same_host(&self, other: &str) -> bool {
        let other = other
            .strip_prefix('[')
            .and_then(|o| o.strip_suffix(']'))
            .unwrap_or(other);
        if self.ipv6 {
            matches!(
                (self.host.parse::<Ipv6Addr>(), other.parse::<Ipv6Addr>()),
                (Ok(a), Ok(b)) if a == b
            )
        } else {
            self.host.eq_ignore_ascii_case(other)
        }
    }
}

impl fmt::Display for GcommHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ipv6 {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        Ok(())
    }
}

/// A parsed `gcomm://` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GcommAddress {
    pub hosts: Vec<GcommHost>,
    /// Text after `?`, kept verbatim (e.g. `pc.wait_prim=no`).
    pub options: Option<String>,
}

/// Parses `gcomm://host[:port],...[?options]`.
pub fn parse_gcomm(text: &str) -> Result<GcommAddress, HostmapError> {
    if text.chars().any(char::is_whitespace) {
        return Err(HostmapError::Whitespace(text.to_string()));
    }
    let rest = text
        .strip_prefix("gcomm://")
        .ok_or_else(|| HostmapError::NotGcomm(text.chars().take(40).collect()))?;
    let (list, options) = match rest.split_once('?') {
        Some((_, "")) => return Err(HostmapError::EmptyOptions),
        Some((list, opts)) => (list, Some(opts.to_string())),
        None => (rest, None),
    };
    if list.is_empty() {
        return Err(HostmapError::NoHosts);
    }
    let mut hosts: Vec<GcommHost> = Vec::new();
    for (i, entry) in list.split(',').enumerate() {
        if entry.is_empty() {
            return Err(HostmapError::EmptyEntry(i + 1));
        }
        let h = parse_entry(entry)?;
        if hosts.iter().any(|x| x.same_host(&h.host)) {
            return Err(HostmapError::DuplicateHost(h.host));
        }
        hosts.push(h);
    }
    Ok(GcommAddress { hosts, options })
}

fn parse_entry(entry: &str) -> Result<GcommHost, HostmapError> {
    let bad_port = || HostmapError::BadPort(entry.to_string());
    let port_of = |p: &str| -> Result<u16, HostmapError> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad_port());
        }
        match p.parse::<u16>() {
            Ok(0) | Err(_) => Err(bad_port()),
            Ok(n) => Ok(n),
        }
    };
    if let Some(inner) = entry.strip_prefix('[') {
        let (addr, after) = inner
            .split_once(']')
            .ok_or_else(|| HostmapError::BadBracket(entry.to_string()))?;
        if addr.parse::<Ipv6Addr>().is_err() {
            return Err(HostmapError::BadHost(entry.to_string()));
        }
        let port = match after {
            "" => None,
            p => {
                Some(port_of(p.strip_prefix(':').ok_or_else(|| {
                    HostmapError::BadBracket(entry.to_string())
                })?)?)
            }
        };
        return Ok(GcommHost {
            host: addr.to_string(),
            ipv6: true,
            port,
        });
    }
    if entry.contains('[') || entry.contains(']') {
        return Err(HostmapError::BadBracket(entry.to_string()));
    }
    let (host, port) = match entry.split_once(':') {
        Some((h, p)) => (h, Some(port_of(p)?)),
        None => (entry, None),
    };
    if !is_host_name(host) {
        return Err(HostmapError::BadHost(entry.to_string()));
    }
    Ok(GcommHost {
        host: host.to_string(),
        ipv6: false,
        port,
    })
}

/// RFC 1123 host names (underscores tolerated, as in many labs) and dotted IPv4. A leading
/// `-` is refused: the value reaches mariadbd's command line.
fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// A parsed `cluster_host_map`: Pacemaker node → Galera host as written in the address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostMap {
    pub entries: BTreeMap<NodeName, String>,
}

/// Parses `pcmk1:galera1;pcmk2:galera2`. Blanks around entries are ignored; an empty text is
/// an empty map; a single trailing `;` is tolerated.
pub fn parse_host_map(text: &str) -> Result<HostMap, HostmapError> {
    let mut map = HostMap::default();
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(map);
    }
    let body = trimmed.strip_suffix(';').unwrap_or(trimmed);
    for (i, raw) in body.split(';').enumerate() {
        let entry = raw.trim();
        if entry.is_empty() {
            return Err(HostmapError::EmptyMapEntry(i + 1));
        }
        let (node, host) = entry
            .split_once(':')
            .ok_or_else(|| HostmapError::BadMapEntry(entry.to_string()))?;
        let node = NodeName::new(node.trim()).map_err(|source| HostmapError::BadMapNode {
            entry: entry.to_string(),
            source,
        })?;
        let host = host.trim();
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        if !(is_host_name(bare) || bare.parse::<Ipv6Addr>().is_ok()) {
            return Err(HostmapError::BadMapEntry(entry.to_string()));
        }
        if map.entries.values().any(|h| h.eq_ignore_ascii_case(bare)) {
            return Err(HostmapError::DuplicateMapHost(bare.to_string()));
        }
        if map.entries.insert(node.clone(), bare.to_string()).is_some() {
            return Err(HostmapError::DuplicateMapNode(node));
        }
    }
    Ok(map)
}

/// The cluster's members as Pacemaker nodes, each with its gcomm host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The data nodes: those that run mariadbd, report a position and take part in the election.
    by_node: BTreeMap<NodeName, GcommHost>,
    /// Members of the address that run garbd (parameter `arbitrators`): they vote in the group but hold
    /// no data, so the election neither waits for them nor lets them bootstrap (issue 17).
    arbitrators: BTreeMap<NodeName, GcommHost>,
    options: Option<String>,
}

impl Membership {
    /// Maps every address host to a node; every map entry must name a host of the address.
    pub fn new(address: &GcommAddress, map: &HostMap) -> Result<Self, HostmapError> {
        for (node, host) in &map.entries {
            if !address.hosts.iter().any(|h| h.same_host(host)) {
                return Err(HostmapError::MapHostNotInAddress {
                    node: node.clone(),
                    host: host.clone(),
                });
            }
        }
        let mut by_node = BTreeMap::new();
        for h in &address.hosts {
            let node = match map.entries.iter().find(|(_, mh)| h.same_host(mh)) {
                Some((node, _)) => node.clone(),
                None => NodeName::new(&h.host).map_err(|source| HostmapError::UnmappedHost {
                    host: h.host.clone(),
                    source,
                })?,
            };
            if by_node.insert(node.clone(), h.clone()).is_some() {
                return Err(HostmapError::DuplicateNode(node));
            }
        }
        Ok(Membership {
            by_node,
            arbitrators: BTreeMap::new(),
            options: address.options.clone(),
        })
    }

    /// Moves the members named in `text` (the `arbitrators` parameter: entries separated by commas or
    /// commas, each a host as written in the address, with or without its port, or the Pacemaker node
    /// name cluster_host_map gives it) out of the data nodes. An empty text changes nothing, so an
    /// unset parameter keeps the membership exactly as before.
    pub fn with_arbitrators(mut self, text: &str) -> Result<Self, HostmapError> {
        if text.trim().is_empty() {
            return Ok(self);
        }
        for (i, raw) in text.split(',').enumerate() {
            let entry = raw.trim();
            if entry.is_empty() {
                return Err(HostmapError::EmptyArbitrator(i + 1));
            }
            let node = self.member_named(entry)?;
            let Some(host) = self.by_node.remove(&node) else {
                return Err(HostmapError::DuplicateArbitrator(node));
            };
            self.arbitrators.insert(node, host);
        }
        if self.by_node.is_empty() {
            return Err(HostmapError::OnlyArbitrators);
        }
        Ok(self)
    }

    /// The member an `arbitrators` entry names: a node name first, else a host (port ignored).
    fn member_named(&self, entry: &str) -> Result<NodeName, HostmapError> {
        let not_found = || HostmapError::ArbitratorNotInAddress(entry.to_string());
        if let Ok(n) = NodeName::new(entry) {
            if self.by_node.contains_key(&n) || self.arbitrators.contains_key(&n) {
                return Ok(n);
            }
        }
        let host = parse_entry(entry).map_err(|_| not_found())?;
        self.by_node
            .iter()
            .chain(&self.arbitrators)
            .find(|(_, h)| {
                h.same_host(&host.host) && host.port.is_none_or(|p| h.port.is_none_or(|q| p == q))
            })
            .map(|(n, _)| n.clone())
            .ok_or_else(not_found)
    }

    /// The members that run garbd instead of mariadbd.
    pub fn arbitrators(&self) -> BTreeSet<NodeName> {
        self.arbitrators.keys().cloned().collect()
    }

    /// Parses both parameters and maps them.
    pub fn from_params(cluster_address: &str, host_map: &str) -> Result<Self, HostmapError> {
        Membership::new(&parse_gcomm(cluster_address)?, &parse_host_map(host_map)?)
    }

    /// The Pacemaker nodes the election waits for: the data nodes, never an arbitrator.
    pub fn expected(&self) -> BTreeSet<NodeName> {
        self.by_node.keys().cloned().collect()
    }

    /// Exact membership test (never a substring match).
    pub fn contains(&self, node: &NodeName) -> bool {
        self.by_node.contains_key(node)
    }

    pub fn host_of(&self, node: &NodeName) -> Option<&GcommHost> {
        self.by_node.get(node)
    }

    /// `gcomm://host[:port],...[?options]` for exactly these nodes (e.g. the running Primary
    /// members a joiner should contact). Refuses an empty set: `gcomm://` alone bootstraps.
    pub fn gcomm_peers(&self, nodes: &BTreeSet<NodeName>) -> Result<String, HostmapError> {
        if nodes.is_empty() {
            return Err(HostmapError::NoPeers);
        }
        let mut hosts = Vec::with_capacity(nodes.len());
        for n in nodes {
            let h = self
                .by_node
                .get(n)
                .ok_or_else(|| HostmapError::UnknownNode(n.clone()))?;
            hosts.push(h.to_string());
        }
        let mut s = format!("gcomm://{}", hosts.join(","));
        if let Some(o) = &self.options {
            s.push('?');
            s.push_str(o);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> NodeName {
        NodeName::new(s).unwrap()
    }

    fn set(names: &[&str]) -> BTreeSet<NodeName> {
        names.iter().map(|s| n(s)).collect()
    }

    #[test]
    fn gcomm_good_addresses() {
        let a = parse_gcomm("gcomm://galera1,galera2:4567,198.18.0.13:4568").unwrap();
        let rendered: Vec<String> = a.hosts.iter().map(ToString::to_string).collect();
        assert_eq!(rendered, ["galera1", "galera2:4567", "198.18.0.13:4568"]);
        assert_eq!(a.options, None);
        let a =
            parse_gcomm("gcomm://[fd00::1]:4567,[fd00::2],node-3?pc.wait_prim=no&gmcast.segment=1")
                .unwrap();
        assert!(a.hosts[0].ipv6 && a.hosts[0].port == Some(4567));
        assert_eq!(a.hosts[1].to_string(), "[fd00::2]");
        assert_eq!(
            a.options.as_deref(),
            Some("pc.wait_prim=no&gmcast.segment=1")
        );
    }

    #[test]
    fn gcomm_bad_addresses_name_the_problem() {
        use HostmapError as E;
        let cases: Vec<(&str, E)> = vec![
            ("", E::NotGcomm(String::new())),
            ("galera1,galera2", E::NotGcomm("galera1,galera2".into())),
            ("tcp://a,b", E::NotGcomm("tcp://a,b".into())),
            ("GCOMM://a", E::NotGcomm("GCOMM://a".into())),
            ("gcomm://", E::NoHosts),
            ("gcomm://?pc.wait_prim=no", E::NoHosts),
            ("gcomm://a?", E::EmptyOptions),
            ("gcomm://a,,b", E::EmptyEntry(2)),
            ("gcomm://a,b,", E::EmptyEntry(3)),
            ("gcomm://,a", E::EmptyEntry(1)),
            ("gcomm://a, b", E::Whitespace("gcomm://a, b".into())),
            ("gcomm://a,b ", E::Whitespace("gcomm://a,b ".into())),
            ("gcomm://a,A", E::DuplicateHost("A".into())),
            ("gcomm://a:4567,a:4568", E::DuplicateHost("a".into())),
            (
                "gcomm://[fd00::1],[fd00:0::1]:5",
                E::DuplicateHost("fd00:0::1".into()),
            ),
            ("gcomm://a:0", E::BadPort("a:0".into())),
            ("gcomm://a:65536", E::BadPort("a:65536".into())),
            ("gcomm://a:", E::BadPort("a:".into())),
            ("gcomm://a:x", E::BadPort("a:x".into())),
            ("gcomm://a:+5", E::BadPort("a:+5".into())),
            ("gcomm://fd00::1", E::BadPort("fd00::1".into())),
            ("gcomm://[fd00::1", E::BadBracket("[fd00::1".into())),
            ("gcomm://[fd00::1]x", E::BadBracket("[fd00::1]x".into())),
            ("gcomm://a]", E::BadBracket("a]".into())),
            ("gcomm://[nothex]", E::BadHost("[nothex]".into())),
            ("gcomm://-oops", E::BadHost("-oops".into())),
            ("gcomm://a..b", E::BadHost("a..b".into())),
            ("gcomm://a/b", E::BadHost("a/b".into())),
            ("gcomm://a;b", E::BadHost("a;b".into())),
        ];
        for (text, want) in cases {
            assert_eq!(parse_gcomm(text), Err(want), "{text:?}");
        }
    }

    #[test]
    fn host_map_parsing() {
        let m = parse_host_map("pcmk1:galera1;pcmk2:galera2").unwrap();
        assert_eq!(
            m.entries.get(&n("pcmk2")).map(String::as_str),
            Some("galera2")
        );
        assert_eq!(parse_host_map("").unwrap(), HostMap::default());
        assert_eq!(
            parse_host_map(" pcmk1:galera1 ; pcmk2:galera2; ")
                .unwrap()
                .entries
                .len(),
            2
        );
        let v6 = parse_host_map("pcmk1:[fd00::1];pcmk2:fd00::2").unwrap();
        assert_eq!(
            v6.entries.get(&n("pcmk1")).map(String::as_str),
            Some("fd00::1")
        );
        assert_eq!(
            v6.entries.get(&n("pcmk2")).map(String::as_str),
            Some("fd00::2")
        );

        use HostmapError as E;
        assert_eq!(parse_host_map("a:x;;b:y"), Err(E::EmptyMapEntry(2)));
        assert_eq!(parse_host_map("pcmk1"), Err(E::BadMapEntry("pcmk1".into())));
        assert_eq!(
            parse_host_map("pcmk1:"),
            Err(E::BadMapEntry("pcmk1:".into()))
        );
        assert_eq!(
            parse_host_map("pcmk1:a b"),
            Err(E::BadMapEntry("pcmk1:a b".into()))
        );
        assert!(matches!(
            parse_host_map(":galera1"),
            Err(E::BadMapNode { .. })
        ));
        assert!(matches!(
            parse_host_map("-x:galera1"),
            Err(E::BadMapNode { .. })
        ));
        assert_eq!(
            parse_host_map("pcmk1:g1;pcmk1:g2"),
            Err(E::DuplicateMapNode(n("pcmk1")))
        );
        assert_eq!(
            parse_host_map("pcmk1:g1;pcmk2:G1"),
            Err(E::DuplicateMapHost("G1".into()))
        );
        assert_eq!(
            parse_host_map("pcmk1,galera1"),
            Err(E::BadMapEntry("pcmk1,galera1".into()))
        );
    }

    #[test]
    fn membership_maps_hosts_to_nodes_exactly() {
        let m = Membership::from_params(
            "gcomm://galera1:4567,galera10,galera2",
            "pcmk1:galera1;pcmk2:galera2",
        )
        .unwrap();
        // galera10 is unmapped: its own node name; it is not confused with galera1.
        assert_eq!(m.expected(), set(&["galera10", "pcmk1", "pcmk2"]));
        // A map entry names its host case-insensitively (a DNS name), but only the whole host.
        let upper =
            Membership::from_params("gcomm://galera1:4567,galera2", "pcmk1:GALERA1").unwrap();
        assert_eq!(
            upper
                .host_of(&n("pcmk1"))
                .map(ToString::to_string)
                .as_deref(),
            Some("galera1:4567")
        );
        for part in ["galera", "galera100"] {
            assert!(matches!(
                Membership::from_params(
                    "gcomm://galera1:4567,galera10,galera2",
                    &format!("pcmk1:{part}")
                ),
                Err(HostmapError::MapHostNotInAddress { .. })
            ));
        }
        assert!(m.contains(&n("pcmk1")) && !m.contains(&n("pcmk")) && !m.contains(&n("pcmk10")));
        assert_eq!(
            m.host_of(&n("pcmk1")).map(ToString::to_string).as_deref(),
            Some("galera1:4567")
        );
    }

    #[test]
    fn membership_errors() {
        use HostmapError as E;
        assert_eq!(
            Membership::from_params("gcomm://g1,g2", "pcmk1:g1;pcmk3:g3"),
            Err(E::MapHostNotInAddress {
                node: n("pcmk3"),
                host: "g3".into()
            })
        );
        // A map entry can only be matched exactly, not as part of a longer host.
        assert_eq!(
            Membership::from_params("gcomm://galera10", "pcmk1:galera1"),
            Err(E::MapHostNotInAddress {
                node: n("pcmk1"),
                host: "galera1".into()
            })
        );
        assert!(matches!(
            Membership::from_params("gcomm://[fd00::1]", ""),
            Err(E::UnmappedHost { .. })
        ));
        assert_eq!(
            Membership::from_params("gcomm://a,b", "a:b"),
            Err(E::DuplicateNode(n("a")))
        );
        // Errors of the parts come through.
        assert_eq!(Membership::from_params("gcomm://", ""), Err(E::NoHosts));
        assert_eq!(
            Membership::from_params("gcomm://a", "x"),
            Err(E::BadMapEntry("x".into()))
        );
    }

    #[test]
    fn ipv6_members_need_and_use_the_map() {
        let m = Membership::from_params(
            "gcomm://[fd00::11]:4567,[fd00::12]?gmcast.listen_addr=tcp://[::]:4567",
            "pcmk1:[fd00::11];pcmk2:fd00:0::12",
        )
        .unwrap();
        assert_eq!(m.expected(), set(&["pcmk1", "pcmk2"]));
        assert_eq!(
            m.gcomm_peers(&set(&["pcmk2"])).unwrap(),
            "gcomm://[fd00::12]?gmcast.listen_addr=tcp://[::]:4567"
        );
    }

    #[test]
    fn gcomm_peers_for_a_joiner() {
        let m = Membership::from_params(
            "gcomm://galera1:4567,galera2,galera3:4568",
            "pcmk1:galera1;pcmk2:galera2;pcmk3:galera3",
        )
        .unwrap();
        assert_eq!(
            m.gcomm_peers(&set(&["pcmk3", "pcmk1"])).unwrap(),
            "gcomm://galera1:4567,galera3:4568"
        );
        assert_eq!(m.gcomm_peers(&BTreeSet::new()), Err(HostmapError::NoPeers));
        assert_eq!(
            m.gcomm_peers(&set(&["pcmk4"])),
            Err(HostmapError::UnknownNode(n("pcmk4")))
        );
        // Round trip: the full peer list parses back to the same hosts.
        let all = m.gcomm_peers(&m.expected()).unwrap();
        assert_eq!(parse_gcomm(&all).unwrap().hosts.len(), 3);
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_parameters(addr in "\\PC{0,80}", map in "\\PC{0,80}") {
            let _ = parse_gcomm(&addr);
            let _ = parse_gcomm(&format!("gcomm://{addr}"));
            let _ = parse_host_map(&map);
            let _ = Membership::from_params(&format!("gcomm://{addr}"), &map);
        }

        /// Every accepted address renders back to something that parses to the same hosts.
        #[test]
        fn accepted_addresses_round_trip(
            hosts in proptest::collection::btree_set("[a-z][a-z0-9-]{0,8}(\\.[a-z0-9]{1,5})?", 1..5),
            ports in proptest::collection::vec(proptest::option::of(1u16..), 5),
        ) {
            let entries: Vec<String> = hosts.iter().zip(&ports).map(|(h, p)| match p {
                Some(p) => format!("{h}:{p}"),
                None => h.clone(),
            }).collect();
            let text = format!("gcomm://{}", entries.join(","));
            let parsed = parse_gcomm(&text).unwrap();
            let rendered: Vec<String> = parsed.hosts.iter().map(ToString::to_string).collect();
            prop_assert_eq!(rendered, entries);
            let m = Membership::from_params(&text, "").unwrap();
            prop_assert_eq!(m.gcomm_peers(&m.expected()).unwrap().len(), text.len());
        }
    }

    // ---- arbitrators (issue 17) -------------------------------------------------------------

    #[test]
    fn arbitrators_leave_the_expected_set() {
        let m = Membership::from_params("gcomm://n1,n2,garb:4567", "")
            .unwrap()
            .with_arbitrators("garb")
            .unwrap();
        assert_eq!(m.expected(), set(&["n1", "n2"]));
        assert_eq!(m.arbitrators(), set(&["garb"]));
        assert!(
            !m.contains(&n("garb")),
            "garbd's node never runs the data agent"
        );
        // Joiners are pointed at data nodes only.
        assert_eq!(m.gcomm_peers(&set(&["n1"])).unwrap(), "gcomm://n1");
        assert!(m.gcomm_peers(&set(&["garb"])).is_err());
    }

    #[test]
    fn arbitrators_by_host_port_or_mapped_node_name() {
        let base = || {
            Membership::from_params(
                "gcomm://10.0.0.1,10.0.0.2,10.0.0.3:4567",
                "p1:10.0.0.1;p2:10.0.0.2;p3:10.0.0.3",
            )
            .unwrap()
        };
        for text in ["p3", "10.0.0.3", "10.0.0.3:4567", " p3 "] {
            let m = base().with_arbitrators(text).unwrap();
            assert_eq!(m.expected(), set(&["p1", "p2"]), "{text}");
            assert_eq!(m.arbitrators(), set(&["p3"]), "{text}");
        }
        let two = base().with_arbitrators("p2, 10.0.0.3").unwrap();
        assert_eq!(two.expected(), set(&["p1"]));
    }

    #[test]
    fn unset_arbitrators_change_nothing() {
        let plain = Membership::from_params("gcomm://a,b,c", "").unwrap();
        assert_eq!(plain.clone().with_arbitrators("").unwrap(), plain);
        assert_eq!(plain.clone().with_arbitrators("  ").unwrap(), plain);
    }

    #[test]
    fn bad_arbitrators_name_the_problem() {
        use HostmapError as E;
        let m = || Membership::from_params("gcomm://a,b,c:4567", "").unwrap();
        assert_eq!(
            m().with_arbitrators("d").unwrap_err(),
            E::ArbitratorNotInAddress("d".into())
        );
        assert_eq!(
            m().with_arbitrators("c:4568").unwrap_err(),
            E::ArbitratorNotInAddress("c:4568".into())
        );
        assert_eq!(
            m().with_arbitrators("c,c").unwrap_err(),
            E::DuplicateArbitrator(n("c"))
        );
        assert_eq!(
            m().with_arbitrators("c,").unwrap_err(),
            E::EmptyArbitrator(2)
        );
        assert_eq!(
            m().with_arbitrators("a,b,c").unwrap_err(),
            E::OnlyArbitrators
        );
        for e in [
            E::ArbitratorNotInAddress("d".into()),
            E::OnlyArbitrators,
            E::EmptyArbitrator(1),
        ] {
            assert!(e.to_string().starts_with("arbitrators"), "{e}");
        }
    }
}
