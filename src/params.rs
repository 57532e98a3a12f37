//! The one parameter table: meta-data, defaults and the names `config.rs` reads all come from here.
//!
//! Names and meanings match the stock `ocf:heartbeat:galera` agent where they exist there, so an admin can
//! switch agents without rewriting the resource definition.

/// The OCF content type of a parameter (the DTD allows exactly these four).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    Time,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::Time => "time",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub kind: ParamType,
    pub default: &'static str,
    pub required: bool,
    pub unique: bool,
    /// OCF 1.1 `reloadable`: a change is applied by `reload-agent` under the running mariadbd, without a
    /// restart. Only for values the agent reads afresh in every invocation and never hands to mariadbd.
    pub reloadable: bool,
    pub short: &'static str,
    pub long: &'static str,
}

const fn p(
    name: &'static str,
    kind: ParamType,
    default: &'static str,
    short: &'static str,
    long: &'static str,
) -> Param {
    Param {
        name,
        kind,
        default,
        required: false,
        unique: false,
        reloadable: false,
        short,
        long,
    }
}

/// A row whose changes `reload-agent` applies (see [`Param::reloadable`]).
const fn reloadable(row: Param) -> Param {
    Param {
        reloadable: true,
        ..row
    }
}

use ParamType::{Boolean, Integer, String as Str};

/// Every parameter, in meta-data order.
pub const PARAMS: &[Param] = &[
    p(
        "binary",
        Str,
        "/usr/sbin/mariadbd",
        "MariaDB server binary",
        "Path of the MariaDB server binary (mariadbd). The agent starts it directly, without mysqld_safe.",
    ),
    reloadable(p(
            "client_binary",
            Str,
            "mysql",
            "MySQL client binary (unused)",
            "Accepted for compatibility with ocf:heartbeat:galera and ignored: this agent queries the server over \
             its unix socket itself and never runs a client binary.",
    )),
    p(
        "config",
        Str,
        "/etc/mysql/my.cnf",
        "MariaDB configuration file",
        "Configuration file passed to mariadbd as --defaults-file. validate-all (and start) read it with its \
         !include/!includedir files and refuse a datadir, socket or pid-file other than these parameters, \
         wsrep_on off, no wsrep_provider or a binlog_format other than ROW; a different \
         wsrep_cluster_address is only logged.",
    ),
    p(
        "datadir",
        Str,
        "/var/lib/mysql",
        "MariaDB data directory",
        "Directory containing the databases, grastate.dat and gvwstate.dat. Processes of this resource are \
         recognised by the --datadir argument the agent passes.",
    ),
    p(
        "user",
        Str,
        "mysql",
        "MariaDB user",
        "User running the MariaDB daemon. The agent starts mariadbd as root with --user, and mariadbd drops \
         its privileges itself.",
    ),
    p(
        "group",
        Str,
        "mysql",
        "MariaDB group",
        "Group running the MariaDB daemon (for log file and directory permissions).",
    ),
    p(
        "log",
        Str,
        "/var/log/mysql/error.log",
        "MariaDB log file",
        "The error log file used by mariadbd (--log-error).",
    ),
    p(
        "pid",
        Str,
        "/run/mysqld/mysqld.pid",
        "MariaDB pid file",
        "The pid file used by mariadbd (--pid-file).",
    ),
    p(
        "socket",
        Str,
        "/run/mysqld/mysqld.sock",
        "MariaDB socket",
        "The unix socket used by mariadbd (--socket). The agent reads the server status through it.",
    ),
    reloadable(p(
            "enable_creation",
            Boolean,
            "false",
            "Create the database if it does not exist",
            "If the data directory holds no system tables, run mariadb-install-db before the first start.",
    )),
    p(
        "additional_parameters",
        Str,
        "",
        "Additional parameters to pass to mariadbd",
        "Additional parameters passed to mariadbd on startup, separated by spaces \
         (e.g. --skip-external-locking). Every word must start with --; no shell is involved.",
    ),
    Param {
        required: true,
        ..p(
            "wsrep_cluster_address",
            Str,
            "",
            "Galera cluster address",
            "The Galera cluster address: gcomm://node,node,node (an entry may carry :port). Only nodes in this \
             list may run an instance. The names are expected to be Pacemaker node names; where they differ, \
             map them with cluster_host_map.",
        )
    },
    p(
        "cluster_host_map",
        Str,
        "",
        "Pacemaker to Galera name mapping",
        "A mapping of Pacemaker node names to the Galera names used in wsrep_cluster_address, in the form \
         pcmk1:galera1;pcmk2:galera2;pcmk3:galera3.",
    ),
    p(
        "arbitrators",
        Str,
        "",
        "Members that run garbd (Galera arbitrator)",
        "Comma-separated members of wsrep_cluster_address that run the Galera arbitrator garbd (e.g. as \
         ocf:galera-ocf:garbd) instead of mariadbd: each entry is a host as written in the address (with \
         or without its port) or the Pacemaker node name cluster_host_map gives it. Use it for two data \
         nodes and a small third machine: garbd's vote keeps the surviving data node Primary when the other \
         fails, so the cluster goes on writing without split brain. The election never waits for an \
         arbitrator, never lets it bootstrap, and never excuses a missing data node because of it (garbd \
         holds no writes, so only data nodes can prove where the newest write is): after a full power loss \
         both data nodes must report. Empty: every member holds data (the default).",
    ),
    reloadable(p(
            "check_user",
            Str,
            "root",
            "MariaDB user for status checks",
            "User the agent connects as over the unix socket to read the wsrep status. root with unix_socket \
             authentication needs no password. When unset, MYSQL_USERNAME of /etc/sysconfig/clustercheck or \
             /etc/default/clustercheck (the first that exists) is used, as the stock agent does; start, probes \
             and validate-all log it.",
    )),
    reloadable(p(
            "check_passwd",
            Str,
            "",
            "Password of check_user",
            "Password of check_user. It is sent only over the unix socket by the agent itself, never put on a \
             command line or in a child's environment. When unset, MYSQL_PASSWORD of the clustercheck file \
             (see check_user) is used when check_user is that file's MYSQL_USERNAME (or the file names no user); \
             only a plain assignment is read, never one that needs a shell.",
    )),
    reloadable(p(
            "check_passwd_use_empty",
            Boolean,
            "false",
            "Use an empty check_passwd",
            "As in ocf:heartbeat:galera: true sends no password even when the clustercheck file (see check_user) \
             has one. An empty check_passwd is otherwise sent as no password.",
    )),
    reloadable(p(
            "two_node_mode",
            Boolean,
            "false",
            "Special recovery in a 2-node cluster",
            "In a 2-node cluster, when the peer has not reported, decide without it, but only when Pacemaker \
             shows it is gone for good: not a member of this partition, not expected back, and either fenced \
             (the fencer's history records it) or this node left the Primary component last (its grastate.dat \
             says safe_to_bootstrap: 1). A peer that is online but whose instance is stopped (a ban, a failed or \
             slow start), or that was lost without being fenced, is waited for; galera-ocf status says so. \
             Writes that only an excused peer committed are lost when it rejoins. Needs working fencing \
             (stonith-enabled=true), like ocf:heartbeat:galera's option of the same name.",
    )),
    reloadable(p(
            "promote_wait_synced",
            Boolean,
            "true",
            "Promote waits until Synced",
            "true: a joining node's promote waits until the node is Synced, as long as the promote timeout \
             allows. If by then its state transfer (SST/IST) is still under way, the transfer is not killed: \
             promote succeeds and the node attribute <resource>-synced stays 0 until a monitor sees it Synced \
             (use it in the VIP's location rule, as crm-examples/cluster.crm does); a joiner that is neither \
             Synced nor transferring by then is stopped cleanly and the promote fails. false: promote returns \
             as soon as the joiner answers in the Primary component or its transfer is under way.",
    )),
    reloadable(p(
            "join_stagger_ms",
            Integer,
            "1500",
            "Spacing of joiners promoted together (ms)",
            "When Pacemaker promotes several joining nodes in one transition (after a cold start or a full \
             power loss), each starts its mariadbd this many milliseconds after the joiner before it in node \
             name order (the second waits 1x, the third 2x). Galera admits newcomers best one at a time: in \
             the lab two joiners started at the same moment took 8-11 s until both were Synced (one of them \
             was refused by the group for ~5 s), started 1.5 s apart 5.7-6.7 s. The last joiner waits at \
             most a quarter of the promote timeout (with many joiners the spacing shrinks to fit). 0 starts them all at once. Needs the clone's notify=true (the \
             pre-promote notification names the joiners). Only the order of start-up changes: who joins and \
             who bootstraps is the election's.",
    )),
    reloadable(p(
            "test_table",
            Str,
            "mysql.gtid_slave_pos",
            "Table read at OCF_CHECK_LEVEL 20",
            "A table (schema.table) read by the monitor at OCF_CHECK_LEVEL=20. The default is an InnoDB \
             table every MariaDB has that holds nothing secret (replication positions), so a dedicated \
             monitoring account needs SELECT on it only, never on mysql.user (password hashes).",
    )),
];

/// Look a row up by name.
pub fn find(name: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.name == name)
}

/// `OCF_RESKEY_*` names in the environment that are no parameter of this agent (a misspelled
/// `wsrep_cluster_adress` would otherwise be ignored in silence). What Pacemaker itself passes is not
/// reported: `CRM_meta_*` and `crm_feature_set`.
pub fn unknown_names<'a>(env_names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    env_names
        .into_iter()
        .filter_map(|k| k.strip_prefix("OCF_RESKEY_"))
        .filter(|n| !n.starts_with("CRM_meta_") && *n != "crm_feature_set" && find(n).is_none())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_parameter_names_are_found() {
        let env = [
            "OCF_RESKEY_wsrep_cluster_adress",
            "OCF_RESKEY_wsrep_cluster_address",
            "OCF_RESKEY_CRM_meta_timeout",
            "OCF_RESKEY_crm_feature_set",
            "OCF_RESKEY_check_passwd",
            "OCF_ROOT",
            "OCF_RESKEY_",
        ];
        assert_eq!(unknown_names(env), ["wsrep_cluster_adress", ""]);
    }
    use std::collections::BTreeSet;

    #[test]
    fn names_are_unique_and_env_safe() {
        let names: BTreeSet<_> = PARAMS.iter().map(|p| p.name).collect();
        assert_eq!(names.len(), PARAMS.len());
        for n in names {
            assert!(n.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{n}");
        }
    }

    #[test]
    fn stock_agent_parameters_are_all_here() {
        for n in [
            "binary",
            "client_binary",
            "config",
            "datadir",
            "user",
            "group",
            "log",
            "pid",
            "socket",
            "enable_creation",
            "additional_parameters",
            "wsrep_cluster_address",
            "cluster_host_map",
            "check_user",
            "check_passwd",
            "check_passwd_use_empty",
            "two_node_mode",
        ] {
            assert!(find(n).is_some(), "{n}");
        }
    }

    #[test]
    fn only_the_address_is_required() {
        let req: Vec<_> = PARAMS
            .iter()
            .filter(|p| p.required)
            .map(|p| p.name)
            .collect();
        assert_eq!(req, ["wsrep_cluster_address"]);
    }

    /// The reloadable set is a decision per parameter (README "Changing parameters"): a row added later
    /// must be decided on purpose, not inherit reloadability by accident.
    #[test]
    fn exactly_the_parameters_read_afresh_per_invocation_are_reloadable() {
        let reload: Vec<_> = PARAMS
            .iter()
            .filter(|p| p.reloadable)
            .map(|p| p.name)
            .collect();
        assert_eq!(
            reload,
            [
                "client_binary",
                "enable_creation",
                "check_user",
                "check_passwd",
                "check_passwd_use_empty",
                "two_node_mode",
                "promote_wait_synced",
                "join_stagger_ms",
                "test_table",
            ]
        );
        // What mariadbd was started with, or what identifies its files and processes, needs a restart.
        for n in [
            "binary",
            "config",
            "datadir",
            "user",
            "group",
            "log",
            "pid",
            "socket",
            "additional_parameters",
            "wsrep_cluster_address",
            "cluster_host_map",
        ] {
            assert!(find(n).is_some_and(|p| !p.reloadable), "{n}");
        }
    }

    #[test]
    fn boolean_defaults_are_booleans() {
        for p in PARAMS.iter().filter(|p| p.kind == ParamType::Boolean) {
            assert!(matches!(p.default, "true" | "false"), "{}", p.name);
        }
    }
}
