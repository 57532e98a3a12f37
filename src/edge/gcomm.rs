//! Is anybody listening on a Galera group-communication port? One TCP connect per claimed Primary member,
//! closed at once, before a joiner is started: a `state=primary` report is a claim made when the node was
//! promoted, and a node whose mariadbd has just died still carries it until its own monitor notices (up to
//! one monitor interval). Joining only such nodes would leave the joiner waiting, for the whole promote
//! timeout, for a component that no longer exists, and the failed promote would count towards a ban.
//! A closed port proves the claim stale; an open one proves nothing more (Galera decides the rest).

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::decide::hostmap::GcommHost;

/// Galera's default group-communication port.
const GALERA_PORT: u16 = 4567;

/// Whether at least one of `hosts` accepts a TCP connection on its Galera port within `timeout` each.
pub fn any_listening(hosts: &[&GcommHost], timeout: Duration) -> bool {
    hosts.iter().any(|h| {
        let port = h.port.unwrap_or(GALERA_PORT);
        let addrs = match (h.host.as_str(), port).to_socket_addrs() {
            Ok(a) => a.collect::<Vec<_>>(),
            Err(e) => {
                warn!("cannot resolve {}: {e}; counting it as listening", h.host);
                return true;
            }
        };
        addrs
            .iter()
            .any(|a| TcpStream::connect_timeout(a, timeout).is_ok())
    })
}
