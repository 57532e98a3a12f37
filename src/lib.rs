//! galera-ocf: a Pacemaker OCF resource agent for MariaDB Galera clusters.

/// Pure Galera domain types and parsers, and the pure decisions built on them (no I/O).
pub mod decide;
pub mod galera;
