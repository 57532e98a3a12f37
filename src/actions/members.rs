//! Expected members: wsrep_cluster_address mapped through cluster_host_map to Pacemaker node names.
//!
//! NOTE: a small private stand-in until `decide::hostmap` lands on the `pure` branch; it keeps the same
//! rules (exact matches only, never substrings) and is replaced by a call into `decide::hostmap` then.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Config;
use crate::error::Error;

const ADDR: &str = "wsrep_cluster_address";
const MAP: &str = "cluster_host_map";

fn host_ok(h: &str) -> bool {
    if let Some(inner) = h.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        return !inner.is_empty()
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    !h.is_empty()
        && !h.starts_with('-')
        && h.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Split `host[:port]` (IPv6 in brackets).
fn host_of(entry: &str) -> Result<&str, String> {
    let (host, port) = if entry.starts_with('[') {
        match entry.find(']') {
            Some(i) => (&entry[..=i], entry[i + 1..].strip_prefix(':')),
            None => return Err(format!("{entry:?}: unterminated [")),
        }
    } else {
        match entry.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (entry, None),
        }
    };
    if let Some(p) = port {
        if !matches!(p.parse::<u16>(), Ok(n) if n > 0) {
            return Err(format!("{entry:?}: port {p:?} is not 1-65535"));
        }
    }
    if !host_ok(host) {
        return Err(format!("{entry:?} is not a host name or address"));
    }
    Ok(host)
}

/// The Galera host names of `gcomm://a,b:4567,[::1]?opts`.
pub fn gcomm_hosts(addr: &str) -> Result<Vec<String>, String> {
    let rest = addr
        .strip_prefix("gcomm://")
        .ok_or_else(|| format!("{addr:?} does not start with gcomm://"))?;
    let list = rest.split_once('?').map(|(l, _)| l).unwrap_or(rest);
    if list.is_empty() {
        return Err(
            "gcomm:// lists no node (an empty address would bootstrap a new cluster)".into(),
        );
    }
    let mut seen = BTreeSet::new();
    list.split(',')
        .map(|e| {
            if e.is_empty() || e.trim() != e {
                return Err(format!("{addr:?} has an empty entry or spaces"));
            }
            let h = host_of(e)?.to_owned();
            if !seen.insert(h.clone()) {
                return Err(format!("{h:?} is listed twice"));
            }
            Ok(h)
        })
        .collect()
}

/// `pcmk1:galera1;pcmk2:galera2` → pcmk → galera.
pub fn host_map(map: &str) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for item in map.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let (p, g) = item
            .split_once(':')
            .map(|(p, g)| (p.trim(), g.trim()))
            .filter(|(p, g)| !p.is_empty() && !g.is_empty())
            .ok_or_else(|| format!("{item:?} is not pacemaker_name:galera_name"))?;
        if p.starts_with('-') || g.starts_with('-') {
            return Err(format!("{item:?}: names must not start with '-'"));
        }
        if out.insert(p.to_owned(), g.to_owned()).is_some() {
            return Err(format!("{p:?} is mapped twice"));
        }
    }
    Ok(out)
}

/// Expected Pacemaker node names.
pub fn expected(cfg: &Config) -> Result<BTreeSet<String>, Error> {
    let hosts = gcomm_hosts(&cfg.wsrep_cluster_address).map_err(|r| Error::configured(ADDR, r))?;
    let map = host_map(&cfg.cluster_host_map).map_err(|r| Error::configured(MAP, r))?;
    if map.is_empty() {
        return Ok(hosts.into_iter().collect());
    }
    hosts
        .iter()
        .map(|h| {
            map.iter()
                .find(|(_, g)| *g == h)
                .map(|(p, _)| p.clone())
                .ok_or_else(|| {
                    Error::configured(
                        MAP,
                        format!("no Pacemaker node is mapped to Galera node {h:?}"),
                    )
                })
        })
        .collect()
}

/// The Galera name of a Pacemaker node (for gcomm:// peer lists).
pub fn galera_name(cfg: &Config, node: &str) -> String {
    host_map(&cfg.cluster_host_map)
        .ok()
        .and_then(|m| m.get(node).cloned())
        .unwrap_or_else(|| node.to_owned())
}

/// The `host[:port]` entry of wsrep_cluster_address for a Galera host, as the admin wrote it.
pub fn address_entry(addr: &str, galera_host: &str) -> Option<String> {
    let rest = addr.strip_prefix("gcomm://")?;
    let list = rest.split_once('?').map(|(l, _)| l).unwrap_or(rest);
    list.split(',')
        .find(|e| host_of(e).is_ok_and(|h| h == galera_host))
        .map(str::to_owned)
}

pub fn require_member(expected: &BTreeSet<String>, node: &str, cfg: &Config) -> Result<(), Error> {
    if expected.contains(node) {
        return Ok(());
    }
    Err(Error::not_for_this_node(
        ADDR,
        format!(
            "this node {node:?} is not a member of {} (expected one of: {})",
            cfg.wsrep_cluster_address,
            expected.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcomm_grammar() {
        assert_eq!(gcomm_hosts("gcomm://a,b:4567,c").unwrap(), ["a", "b", "c"]);
        assert_eq!(
            gcomm_hosts("gcomm://[fd00::1]:4567,n2?pc.wait_prim=no").unwrap(),
            ["[fd00::1]", "n2"]
        );
        for bad in [
            "gcomm://",
            "gcomm://a,,b",
            "gcomm://a, b",
            "gcomm://a,a:4567",
            "gcomm://a:x",
            "gcomm://a:0",
            "gcomm://a:70000",
            "a,b",
            "gcomm://-a",
            "gcomm://[::1",
            "gcomm://a b",
        ] {
            assert!(gcomm_hosts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn host_maps() {
        let m = host_map("p1:g1; p2:g2").unwrap();
        assert_eq!(m["p2"], "g2");
        assert!(host_map("p1").is_err());
        assert!(host_map("p1:g1;p1:g2").is_err());
        assert!(host_map("").unwrap().is_empty());
    }
}
