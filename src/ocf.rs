//! The OCF vocabulary: exit codes, actions and the `OCF_RESKEY_CRM_meta_*` values Pacemaker hands an agent.
//! Pure vocabulary (no I/O), so the pure layers name their outcomes with it too (`decide::monitor`'s
//! verdict is an [`OcfStatus`]).
//!
//! Everything here is parsed from an environment map that the caller passes in, so tests can build any
//! invocation without touching the process environment.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// An OCF 1.1 exit code. `#[repr(u8)]` so `as u8` is the process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OcfStatus {
    Success = 0,
    ErrGeneric = 1,
    ErrArgs = 2,
    ErrUnimplemented = 3,
    ErrPerm = 4,
    ErrInstalled = 5,
    ErrConfigured = 6,
    NotRunning = 7,
    RunningPromoted = 8,
    FailedPromoted = 9,
    /// OCF 1.1: running, but not fully functional (the garbd agent: running outside any Primary component).
    Degraded = 190,
}

impl OcfStatus {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The name used in Pacemaker's own logs, so an admin can grep for the same word.
    pub fn name(self) -> &'static str {
        match self {
            OcfStatus::Success => "OCF_SUCCESS",
            OcfStatus::ErrGeneric => "OCF_ERR_GENERIC",
            OcfStatus::ErrArgs => "OCF_ERR_ARGS",
            OcfStatus::ErrUnimplemented => "OCF_ERR_UNIMPLEMENTED",
            OcfStatus::ErrPerm => "OCF_ERR_PERM",
            OcfStatus::ErrInstalled => "OCF_ERR_INSTALLED",
            OcfStatus::ErrConfigured => "OCF_ERR_CONFIGURED",
            OcfStatus::NotRunning => "OCF_NOT_RUNNING",
            OcfStatus::RunningPromoted => "OCF_RUNNING_PROMOTED",
            OcfStatus::FailedPromoted => "OCF_FAILED_PROMOTED",
            OcfStatus::Degraded => "OCF_DEGRADED",
        }
    }
}

impl fmt::Display for OcfStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.code())
    }
}

/// The actions this agent implements. `Status` is the legacy LSB-style alias Pacemaker may still call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Monitor,
    Status,
    Promote,
    Demote,
    Notify,
    MetaData,
    ValidateAll,
    /// OCF 1.1: apply changed `reloadable` parameters without restarting the service.
    ReloadAgent,
    Usage,
}

impl Action {
    pub const ALL: [Action; 11] = [
        Action::Start,
        Action::Stop,
        Action::Monitor,
        Action::Status,
        Action::Promote,
        Action::Demote,
        Action::Notify,
        Action::MetaData,
        Action::ValidateAll,
        Action::ReloadAgent,
        Action::Usage,
    ];

    pub fn parse(word: &str) -> Option<Action> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == word)
            .or(match word {
                "help" => Some(Action::Usage),
                _ => None,
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Monitor => "monitor",
            Action::Status => "status",
            Action::Promote => "promote",
            Action::Demote => "demote",
            Action::Notify => "notify",
            Action::MetaData => "meta-data",
            Action::ValidateAll => "validate-all",
            Action::ReloadAgent => "reload-agent",
            Action::Usage => "usage",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Pre or post half of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyType {
    Pre,
    Post,
}

/// The operation a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyOp {
    Start,
    Stop,
    Promote,
    Demote,
}

/// `OCF_RESKEY_CRM_meta_notify_*`: which nodes are in which state or transition.
/// Pacemaker 2.1 sets both the `master_*` and the `promoted_*` spelling; we read either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub kind: NotifyType,
    pub op: NotifyOp,
    pub active: BTreeSet<String>,
    pub inactive: BTreeSet<String>,
    pub promoted: BTreeSet<String>,
    pub unpromoted: BTreeSet<String>,
    pub start: BTreeSet<String>,
    pub stop: BTreeSet<String>,
    pub promote: BTreeSet<String>,
    pub demote: BTreeSet<String>,
}

/// The `OCF_RESKEY_CRM_meta_*` values this agent uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrmMeta {
    /// Raw `CRM_meta_timeout` (milliseconds); parsed by [`crate::deadline`].
    pub timeout: Option<String>,
    pub interval_ms: u64,
    pub on_node: Option<String>,
    /// `CRM_meta_role` of a role-specific recurring monitor (Promoted/Master, Unpromoted/Slave).
    pub role: Option<String>,
    pub clone_max: Option<u32>,
    pub promotable: bool,
    pub notify_enabled: bool,
    pub notify: Option<Notification>,
}

fn meta<'a>(env: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    env.get(&format!("OCF_RESKEY_CRM_meta_{key}"))
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
}

fn is_true(v: Option<&str>) -> bool {
    matches!(
        v.map(|s| s.trim().to_ascii_lowercase()).as_deref(),
        Some("1" | "true" | "yes" | "on" | "y")
    )
}

fn names(env: &BTreeMap<String, String>, keys: &[&str]) -> BTreeSet<String> {
    keys.iter()
        .filter_map(|k| meta(env, k))
        .flat_map(|v| v.split_whitespace().map(str::to_owned))
        .collect()
}

impl CrmMeta {
    pub fn from_env(env: &BTreeMap<String, String>) -> CrmMeta {
        CrmMeta {
            timeout: meta(env, "timeout").map(str::to_owned),
            interval_ms: meta(env, "interval")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            on_node: meta(env, "on_node").map(|s| s.trim().to_owned()),
            role: meta(env, "role").map(|s| s.trim().to_owned()),
            clone_max: meta(env, "clone_max").and_then(|v| v.trim().parse().ok()),
            promotable: is_true(meta(env, "promotable")),
            notify_enabled: is_true(meta(env, "notify")),
            notify: Notification::from_env(env),
        }
    }
}

impl Notification {
    fn from_env(env: &BTreeMap<String, String>) -> Option<Notification> {
        let kind = match meta(env, "notify_type")? {
            "pre" => NotifyType::Pre,
            "post" => NotifyType::Post,
            _ => return None,
        };
        let op = match meta(env, "notify_operation")? {
            "start" => NotifyOp::Start,
            "stop" => NotifyOp::Stop,
            "promote" => NotifyOp::Promote,
            "demote" => NotifyOp::Demote,
            _ => return None,
        };
        Some(Notification {
            kind,
            op,
            active: names(env, &["notify_active_uname"]),
            inactive: names(env, &["notify_inactive_uname"]),
            promoted: names(env, &["notify_promoted_uname", "notify_master_uname"]),
            unpromoted: names(env, &["notify_unpromoted_uname", "notify_slave_uname"]),
            start: names(env, &["notify_start_uname"]),
            stop: names(env, &["notify_stop_uname"]),
            promote: names(env, &["notify_promote_uname"]),
            demote: names(env, &["notify_demote_uname"]),
        })
    }
}

/// OCF booleans as ocf-shellfuncs' `ocf_is_true` accepts them, plus their negations.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" | "y" => Some(true),
        "0" | "false" | "no" | "off" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (format!("OCF_RESKEY_CRM_meta_{k}"), v.to_string()))
            .collect()
    }

    #[test]
    fn every_action_round_trips() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("help"), Some(Action::Usage));
        assert_eq!(Action::parse("reload"), None);
    }

    #[test]
    fn codes_are_ocf_1_1() {
        assert_eq!(OcfStatus::NotRunning.code(), 7);
        assert_eq!(OcfStatus::RunningPromoted.code(), 8);
        assert_eq!(OcfStatus::FailedPromoted.code(), 9);
    }

    /// The five statuses of the monitor verdict (`decide::monitor`).
    #[test]
    fn monitor_codes_are_the_ocf_numbers() {
        assert_eq!(
            [
                OcfStatus::Success,
                OcfStatus::ErrGeneric,
                OcfStatus::NotRunning,
                OcfStatus::RunningPromoted,
                OcfStatus::FailedPromoted
            ]
            .map(OcfStatus::code),
            [0, 1, 7, 8, 9]
        );
    }

    #[test]
    fn notify_reads_both_spellings() {
        let e = env(&[
            ("notify_type", "pre"),
            ("notify_operation", "promote"),
            ("notify_master_uname", "n1 "),
            ("notify_promoted_uname", "n2"),
            ("notify_promote_uname", "n3 n4"),
        ]);
        let n = CrmMeta::from_env(&e).notify.unwrap();
        assert_eq!(n.kind, NotifyType::Pre);
        assert_eq!(n.op, NotifyOp::Promote);
        assert_eq!(n.promoted.len(), 2);
        assert!(n.promote.contains("n4"));
    }

    #[test]
    fn meta_defaults_when_absent() {
        let m = CrmMeta::from_env(&BTreeMap::new());
        assert_eq!(m, CrmMeta::default());
    }
}
