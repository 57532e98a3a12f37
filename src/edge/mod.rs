//! Thin adapters to the outside world, one file each. Nothing outside `edge/` spawns a process
//! (`command.rs` is the only place that does), talks SQL, reads or writes files or asks the kernel; the
//! exceptions, checked by `tests/architecture.rs`, are the entry point (`main.rs` reads argv and the
//! environment) and the log sink (`log.rs` appends to `HA_LOGFILE`/`HA_DEBUGLOG`, sends to `/dev/log`, reads
//! the time zone file for local time stamps).

pub mod cib;
pub mod command;
pub mod datadir;
pub mod garbd;
pub mod gcomm;
pub mod host;
pub mod lastview;
pub mod mycnf;
pub mod mysqld;
pub mod paths;
pub mod sql;
pub mod state;
