//! galera-ocf: a Pacemaker OCF resource agent for MariaDB Galera clusters.
