//! Expected members: wsrep_cluster_address mapped through cluster_host_map to Pacemaker node names
//! (`decide::hostmap`), minus the `arbitrators` (garbd members, which hold no data), with its errors
//! turned into parameter errors.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::decide::hostmap::{GcommHost, HostmapError, Membership};
use crate::decide::{join_names, NodeName};
use crate::error::Error;

const ADDR: &str = "wsrep_cluster_address";
const MAP: &str = "cluster_host_map";
const ARBITRATORS: &str = "arbitrators";

fn param_error(e: HostmapError) -> Error {
    let text = e.to_string();
    let name = [MAP, ARBITRATORS]
        .into_iter()
        .find(|p| text.starts_with(p))
        .unwrap_or(ADDR);
    Error::configured(name, text)
}

/// The parameters parsed and mapped; the members named in `arbitrators` (garbd) are set apart.
pub fn membership(cfg: &Config) -> Result<Membership, Error> {
    let m = Membership::from_params(&cfg.wsrep_cluster_address, &cfg.cluster_host_map)
        .and_then(|m| m.with_arbitrators(&cfg.arbitrators))
        .map_err(param_error)?;
    // two_node_mode lets one of two data nodes decide without its peer; beside an arbitrator that would
    // excuse a data node because garbd is there, and garbd holds no writes (issue 17). The arbitrator's
    // vote already keeps the survivor Primary, which is what two_node_mode is for.
    if cfg.two_node_mode && !m.arbitrators().is_empty() {
        return Err(Error::configured(
            "two_node_mode",
            "two_node_mode=true cannot be combined with arbitrators: garbd's vote already keeps one data \
             node Primary when the other fails; set two_node_mode=false",
        ));
    }
    Ok(m)
}

/// The Pacemaker nodes the election waits for (the data nodes; arbitrators never report).
pub fn expected(cfg: &Config) -> Result<BTreeSet<NodeName>, Error> {
    Ok(membership(cfg)?.expected())
}

/// `gcomm://` for exactly these peers, with the host:port spelling and options of wsrep_cluster_address.
pub fn gcomm_peers(cfg: &Config, peers: &BTreeSet<NodeName>) -> Result<String, Error> {
    membership(cfg)?.gcomm_peers(peers).map_err(param_error)
}

/// This node must be a member — by exact name, never by substring.
pub fn require_member(m: &Membership, node: &str, cfg: &Config) -> Result<(), Error> {
    if NodeName::new(node).is_ok_and(|n| m.contains(&n)) {
        return Ok(());
    }
    if NodeName::new(node).is_ok_and(|n| m.arbitrators().contains(&n)) {
        return Err(Error::not_for_this_node(
            ARBITRATORS,
            format!(
                "this node {node:?} is listed in arbitrators: it runs garbd (ocf:galera-ocf:garbd), \
                 never mariadbd; keep this resource off it with a location constraint"
            ),
        ));
    }
    Err(Error::not_for_this_node(
        ADDR,
        format!(
            "this node {node:?} is not a member of {} (members: {})",
            cfg.wsrep_cluster_address,
            join_names(&m.expected(), ", ")
        ),
    ))
}

/// The gcomm hosts of these nodes (those the address does not name are left out).
pub fn hosts_of(m: &Membership, nodes: &BTreeSet<NodeName>) -> Vec<GcommHost> {
    nodes.iter().filter_map(|n| m.host_of(n).cloned()).collect()
}
