//! Thin adapters to the outside world, one file each. Nothing outside `edge/` spawns a process
//! (`command.rs` is the only place that does), talks SQL or writes the data directory.

pub mod cib;
pub mod command;
pub mod datadir;
pub mod mycnf;
pub mod mysqld;
pub mod sql;
pub mod state;
