//! What a running mariadbd says about its Galera state (the [`VARIABLES`] rows of `SHOW GLOBAL STATUS`),
//! reduced to one [`Health`] value the monitor can act on, and the server variables that say whether it
//! takes client queries at all ([`SERVER_VARIABLES`] of `SHOW GLOBAL VARIABLES`, parsed into [`ServerVars`]).
//!
//! Pure: the caller runs the query and passes the rows as `(name, value)` pairs; names are
//! matched case-insensitively because MariaDB's information_schema spells them upper-case.

use super::position::{ClusterUuid, PositionError, Seqno};

/// The status variables [`WsrepStatus::from_rows`] reads: the query asks for exactly these, because the
/// server answers a named list faster than `LIKE 'wsrep%'` (about 70 rows) on every monitor.
pub const VARIABLES: [&str; 8] = [
    "wsrep_ready",
    "wsrep_connected",
    "wsrep_cluster_status",
    "wsrep_local_state",
    "wsrep_local_state_comment",
    "wsrep_cluster_size",
    "wsrep_cluster_state_uuid",
    "wsrep_last_committed",
];

/// The server variables [`ServerVars::from_rows`] reads, asked in the same round trip as [`VARIABLES`]:
/// an admin's `wsrep_desync` (e.g. for a backup), `wsrep_reject_queries` and `read_only`. MaxScale's
/// galeramon takes a node out of rotation on the same three.
pub const SERVER_VARIABLES: [&str; 3] = ["wsrep_desync", "wsrep_reject_queries", "read_only"];

/// `wsrep_reject_queries`: whether the server refuses client queries (MariaDB answers them with
/// ER_UNKNOWN_COM_ERROR; SHOW and SET still work, so the monitor's own query is answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectQueries {
    /// `NONE`: queries are served.
    None,
    /// `ALL`: every client query is refused; connections stay open.
    All,
    /// `ALL_KILL`: every client query is refused and the open connections were killed.
    AllKill,
    /// A value this agent does not know: counted as refusing (the VIP must not bet on it).
    Other,
}

impl RejectQueries {
    pub fn rejects(self) -> bool {
        self != RejectQueries::None
    }
}

/// The server variables that decide whether clients are served here; `None` when the row was absent (a
/// server without the variable does not have the feature: nothing is refused).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ServerVars {
    pub desync: Option<bool>,
    pub reject_queries: Option<RejectQueries>,
    pub read_only: Option<bool>,
}

impl ServerVars {
    /// Builds the variables from SHOW VARIABLES rows; unrelated rows are ignored.
    ///
    /// Never fails: these rows only grade what the node offers clients, and a value this version cannot
    /// read must not fail the monitor of a healthy server (Pacemaker would restart it). An unreadable
    /// `wsrep_desync` counts as desynced (the VIP then prefers another node, never a worse one); the
    /// problem comes back for the caller to log.
    pub fn from_rows(rows: &[(String, String)]) -> (Self, Option<StatusError>) {
        let mut v = ServerVars::default();
        let mut unreadable = None;
        for (name, value) in rows {
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "wsrep_desync" => {
                    v.desync = Some(on_off("wsrep_desync", value).unwrap_or_else(|e| {
                        unreadable = Some(e);
                        true
                    }))
                }
                "wsrep_reject_queries" => {
                    v.reject_queries = Some(match value.to_ascii_uppercase().as_str() {
                        "NONE" => RejectQueries::None,
                        "ALL" => RejectQueries::All,
                        "ALL_KILL" => RejectQueries::AllKill,
                        _ => RejectQueries::Other,
                    })
                }
                // Newer MariaDB releases spell read_only as an enum (OFF, ON, NO_LOCK, ...): anything but
                // OFF refuses writes.
                "read_only" => {
                    v.read_only = Some(!matches!(
                        value.to_ascii_uppercase().as_str(),
                        "OFF" | "0" | "FALSE"
                    ))
                }
                _ => {}
            }
        }
        (v, unreadable)
    }

    pub fn desynced(&self) -> bool {
        self.desync == Some(true)
    }

    pub fn rejects_queries(&self) -> bool {
        self.reject_queries.is_some_and(RejectQueries::rejects)
    }

    pub fn read_only(&self) -> bool {
        self.read_only == Some(true)
    }
}

/// `wsrep_local_state` (Galera's node state machine), numbered as Galera prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalState {
    /// 1: receiving a state transfer or waiting for one.
    Joining,
    /// 2: serving a state transfer, or desynced on purpose (`wsrep_desync`).
    DonorDesynced,
    /// 3: state transfer done, catching up with the cluster's write-sets.
    Joined,
    /// 4: in sync.
    Synced,
    /// Any other number (0 = initialized; newer Galera versions may add states).
    Other(u32),
}

impl LocalState {
    fn from_number(n: u32) -> Self {
        match n {
            1 => LocalState::Joining,
            2 => LocalState::DonorDesynced,
            3 => LocalState::Joined,
            4 => LocalState::Synced,
            other => LocalState::Other(other),
        }
    }
}

/// `wsrep_cluster_status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterStatus {
    Primary,
    NonPrimary,
    Disconnected,
    Other(String),
}

/// The wsrep status values the agent uses; `None` when the row was absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WsrepStatus {
    pub ready: Option<bool>,
    pub connected: Option<bool>,
    pub cluster_status: Option<ClusterStatus>,
    pub local_state: Option<LocalState>,
    pub local_state_comment: Option<String>,
    pub cluster_size: Option<u32>,
    pub cluster_state_uuid: Option<ClusterUuid>,
    pub last_committed: Option<Seqno>,
}

/// What a node is doing, as far as the agent cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Health {
    /// Primary component, Synced, wsrep_ready=ON: serves clients with current data.
    Synced,
    /// Primary component, Donor/Desynced: has all data, may be busy feeding a joiner.
    Donor,
    /// Primary component, receiving a state transfer (local state 1).
    Joiner,
    /// Primary component, transfer received, applying the backlog (local state 3).
    Joined,
    /// Connected but not in a Primary component (lost quorum or split).
    NonPrimary,
    /// In a Primary component but wsrep_ready=OFF or an unexpected local state.
    NotReady,
    /// The provider is not connected to any cluster (wsrep_connected=OFF).
    Disconnected,
    /// No wsrep status rows at all: mysqld runs without Galera (wrong config).
    WsrepDisabled,
}

impl Health {
    /// Member of a Primary component (possibly still receiving or applying a state transfer).
    pub fn in_primary(self) -> bool {
        matches!(
            self,
            Health::Synced | Health::Donor | Health::Joiner | Health::Joined
        )
    }

    /// A short word for logs and attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Synced => "synced",
            Health::Donor => "donor",
            Health::Joiner => "joiner",
            Health::Joined => "joined",
            Health::NonPrimary => "non-primary",
            Health::NotReady => "not-ready",
            Health::Disconnected => "disconnected",
            Health::WsrepDisabled => "wsrep-disabled",
        }
    }
}

/// A status row with a value we cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("status variable {name} has an unexpected value {value:?}")]
    BadValue { name: &'static str, value: String },
    #[error("status variable wsrep_cluster_state_uuid: {0}")]
    BadUuid(PositionError),
    #[error("status variable wsrep_last_committed: {0}")]
    BadSeqno(PositionError),
}

fn on_off(name: &'static str, value: &str) -> Result<bool, StatusError> {
    match value.to_ascii_uppercase().as_str() {
        "ON" | "1" | "TRUE" => Ok(true),
        "OFF" | "0" | "FALSE" => Ok(false),
        _ => Err(StatusError::BadValue {
            name,
            value: value.to_string(),
        }),
    }
}

fn number(name: &'static str, value: &str) -> Result<u32, StatusError> {
    value.trim().parse().map_err(|_| StatusError::BadValue {
        name,
        value: value.to_string(),
    })
}

impl WsrepStatus {
    /// Builds the status from SHOW STATUS rows; unrelated rows are ignored.
    pub fn from_rows(rows: &[(String, String)]) -> Result<Self, StatusError> {
        let mut s = WsrepStatus::default();
        for (name, value) in rows {
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "wsrep_ready" => s.ready = Some(on_off("wsrep_ready", value)?),
                "wsrep_connected" => s.connected = Some(on_off("wsrep_connected", value)?),
                "wsrep_cluster_status" => {
                    s.cluster_status = Some(match value {
                        "Primary" => ClusterStatus::Primary,
                        "non-Primary" | "Non-Primary" | "non-primary" => ClusterStatus::NonPrimary,
                        "Disconnected" => ClusterStatus::Disconnected,
                        other => ClusterStatus::Other(other.to_string()),
                    })
                }
                "wsrep_local_state" => {
                    s.local_state =
                        Some(LocalState::from_number(number("wsrep_local_state", value)?))
                }
                "wsrep_local_state_comment" => s.local_state_comment = Some(value.to_string()),
                "wsrep_cluster_size" => s.cluster_size = Some(number("wsrep_cluster_size", value)?),
                "wsrep_cluster_state_uuid" if !value.is_empty() => {
                    s.cluster_state_uuid = Some(value.parse().map_err(StatusError::BadUuid)?)
                }
                "wsrep_last_committed" => {
                    s.last_committed = Some(value.parse().map_err(StatusError::BadSeqno)?)
                }
                _ => {}
            }
        }
        Ok(s)
    }

    /// True when no wsrep row was present at all.
    fn is_blank(&self) -> bool {
        *self == WsrepStatus::default()
    }

    /// The node's health. Order matters: a node outside a Primary component is NonPrimary
    /// whatever its local state says, because Galera refuses its writes.
    pub fn health(&self) -> Health {
        if self.is_blank() {
            return Health::WsrepDisabled;
        }
        if self.connected == Some(false) {
            return Health::Disconnected;
        }
        match &self.cluster_status {
            Some(ClusterStatus::Primary) => {}
            Some(ClusterStatus::Disconnected) => return Health::Disconnected,
            _ => return Health::NonPrimary,
        }
        match self.local_state {
            Some(LocalState::Joining) => Health::Joiner,
            Some(LocalState::Joined) => Health::Joined,
            Some(LocalState::DonorDesynced) if self.ready == Some(true) => Health::Donor,
            Some(LocalState::Synced) if self.ready == Some(true) => Health::Synced,
            _ => Health::NotReady,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// Rows as printed by a real one-node cluster on this lab (MariaDB 10.11.19, galera 26.4.23).
    fn real_synced() -> Vec<(String, String)> {
        rows(&[
            (
                "wsrep_local_state_uuid",
                "e330a252-e730-11f1-ac14-8f4cd598dd70",
            ),
            ("wsrep_last_committed", "1"),
            ("wsrep_local_state", "4"),
            ("wsrep_local_state_comment", "Synced"),
            ("wsrep_evs_state", "OPERATIONAL"),
            ("wsrep_gcomm_uuid", "e3305553-e730-11f1-9de9-c2976492e2cf"),
            ("wsrep_cluster_conf_id", "1"),
            ("wsrep_cluster_size", "1"),
            (
                "wsrep_cluster_state_uuid",
                "e330a252-e730-11f1-ac14-8f4cd598dd70",
            ),
            ("wsrep_cluster_status", "Primary"),
            ("wsrep_connected", "ON"),
            ("wsrep_ready", "ON"),
        ])
    }

    fn with(mut base: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
        base.retain(|(n, _)| n != name);
        base.push((name.to_string(), value.to_string()));
        base
    }

    fn health(rows: &[(String, String)]) -> Health {
        WsrepStatus::from_rows(rows).unwrap().health()
    }

    #[test]
    fn real_synced_node() {
        let s = WsrepStatus::from_rows(&real_synced()).unwrap();
        assert_eq!(s.health(), Health::Synced);
        assert_eq!(s.cluster_size, Some(1));
        assert_eq!(s.last_committed.map(Seqno::get), Some(1));
        assert_eq!(
            s.cluster_state_uuid.map(|u| u.to_string()).as_deref(),
            Some("e330a252-e730-11f1-ac14-8f4cd598dd70")
        );
        assert_eq!(s.local_state_comment.as_deref(), Some("Synced"));
    }

    #[test]
    fn information_schema_upper_case_names() {
        let upper: Vec<_> = real_synced()
            .into_iter()
            .map(|(n, v)| (n.to_uppercase(), v))
            .collect();
        assert_eq!(health(&upper), Health::Synced);
    }

    #[test]
    fn states_map_to_health() {
        let base = real_synced();
        let cases = [
            ("wsrep_local_state", "1", Health::Joiner),
            ("wsrep_local_state", "2", Health::Donor),
            ("wsrep_local_state", "3", Health::Joined),
            ("wsrep_local_state", "0", Health::NotReady),
            ("wsrep_local_state", "5", Health::NotReady),
            ("wsrep_ready", "OFF", Health::NotReady),
            ("wsrep_cluster_status", "non-Primary", Health::NonPrimary),
            ("wsrep_cluster_status", "Disconnected", Health::Disconnected),
            ("wsrep_cluster_status", "weird", Health::NonPrimary),
            ("wsrep_connected", "OFF", Health::Disconnected),
        ];
        for (name, value, want) in cases {
            assert_eq!(
                health(&with(base.clone(), name, value)),
                want,
                "{name}={value}"
            );
        }
        // Joiner is Joiner even before wsrep_ready turns ON.
        let joining = with(
            with(base.clone(), "wsrep_local_state", "1"),
            "wsrep_ready",
            "OFF",
        );
        assert_eq!(health(&joining), Health::Joiner);
        // Missing cluster status: not provably Primary.
        let mut no_status = base.clone();
        no_status.retain(|(n, _)| n != "wsrep_cluster_status");
        assert_eq!(health(&no_status), Health::NonPrimary);
    }

    #[test]
    fn no_rows_means_wsrep_disabled() {
        assert_eq!(health(&[]), Health::WsrepDisabled);
        assert_eq!(health(&rows(&[("Uptime", "5")])), Health::WsrepDisabled);
    }

    #[test]
    fn unreadable_values_are_errors() {
        let base = real_synced();
        assert!(matches!(
            WsrepStatus::from_rows(&with(base.clone(), "wsrep_local_state", "four")),
            Err(StatusError::BadValue {
                name: "wsrep_local_state",
                ..
            })
        ));
        assert!(matches!(
            WsrepStatus::from_rows(&with(base.clone(), "wsrep_ready", "maybe")),
            Err(StatusError::BadValue {
                name: "wsrep_ready",
                ..
            })
        ));
        assert!(matches!(
            WsrepStatus::from_rows(&with(base.clone(), "wsrep_cluster_state_uuid", "x")),
            Err(StatusError::BadUuid(_))
        ));
        assert!(matches!(
            WsrepStatus::from_rows(&with(base, "wsrep_last_committed", "-5")),
            Err(StatusError::BadSeqno(_))
        ));
    }

    #[test]
    fn in_primary_covers_transfers() {
        assert!(Health::Joiner.in_primary() && Health::Joined.in_primary());
        assert!(!Health::NonPrimary.in_primary() && !Health::NotReady.in_primary());
    }

    #[test]
    fn server_variables() {
        let v = ServerVars::from_rows(&rows(&[
            ("wsrep_desync", "ON"),
            ("wsrep_reject_queries", "ALL_KILL"),
            ("read_only", "OFF"),
            ("wsrep_ready", "ON"),
        ]))
        .0;
        assert!(v.desynced() && v.rejects_queries() && !v.read_only());
        assert_eq!(v.reject_queries, Some(RejectQueries::AllKill));
        // information_schema spelling, and the defaults of a freshly started server.
        let v = ServerVars::from_rows(&rows(&[
            ("WSREP_DESYNC", "OFF"),
            ("WSREP_REJECT_QUERIES", "NONE"),
            ("READ_ONLY", "ON"),
        ]))
        .0;
        assert!(!v.desynced() && !v.rejects_queries() && v.read_only());
        for (value, rejects) in [
            ("NONE", false),
            ("ALL", true),
            ("all", true),
            ("SOMEDAY", true),
        ] {
            let v = ServerVars::from_rows(&rows(&[("wsrep_reject_queries", value)])).0;
            assert_eq!(v.rejects_queries(), rejects, "{value}");
        }
        for (value, ro) in [
            ("OFF", false),
            ("0", false),
            ("ON", true),
            ("NO_LOCK", true),
        ] {
            let v = ServerVars::from_rows(&rows(&[("read_only", value)])).0;
            assert_eq!(v.read_only(), ro, "{value}");
        }
        // Absent rows: the feature does not exist on that server, nothing is refused.
        let (none, problem) = ServerVars::from_rows(&[]);
        assert!(!none.desynced() && !none.rejects_queries() && !none.read_only());
        assert!(problem.is_none());
        // An unreadable desync value: counted as desynced, reported, never a failure.
        let (v, problem) =
            ServerVars::from_rows(&rows(&[("wsrep_desync", "maybe"), ("read_only", "OFF")]));
        assert!(v.desynced() && !v.read_only());
        assert!(matches!(
            problem,
            Some(StatusError::BadValue {
                name: "wsrep_desync",
                ..
            })
        ));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_rows(
            rows in proptest::collection::vec(
                (prop_oneof![
                    Just("wsrep_ready".to_string()), Just("wsrep_connected".to_string()),
                    Just("wsrep_cluster_status".to_string()), Just("wsrep_local_state".to_string()),
                    Just("wsrep_cluster_size".to_string()), Just("wsrep_cluster_state_uuid".to_string()),
                    Just("wsrep_last_committed".to_string()), "\\PC{0,20}",
                ], "\\PC{0,40}"),
                0..10,
            )
        ) {
            if let Ok(s) = WsrepStatus::from_rows(&rows) {
                let _ = s.health().as_str();
            }
        }
    }
}
