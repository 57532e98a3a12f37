//! Galera domain types and parsers: positions, grastate.dat, gvwstate.dat, `--wsrep-recover`
//! logs, SHOW STATUS rows, the node-attribute report, the server log (its Primary views: viewlog; what
//! one start of the server did: startlog) and garbd's log (garbdlog).
//!
//! Everything here is pure: callers pass text in and get typed values or typed errors back.
//! No file, process, network, clock or logging access happens in this folder, which is what
//! lets the election be unit- and property-tested exhaustively.

pub mod garbdlog;
pub mod grastate;
pub mod gvwstate;
pub mod position;
pub mod recover;
pub mod report;
pub mod startlog;
pub mod status;
pub mod viewlog;
