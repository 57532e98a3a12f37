//! Pure Pacemaker vocabulary: what the agent reads out of the CIB's XML, parsed once into domain types.
//!
//! Its own room (and not `edge/`) because parsing is not I/O: `edge::cib` runs `cibadmin` and hands the text
//! here, and the admin commands parse a whole-CIB dump the same way. Like `galera/` and `decide/` it touches
//! nothing outside the process (checked by `decide`'s purity test).

pub mod cib;
