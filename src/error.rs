//! The agent's error type and the only error → exit-code mappings: [`Error::ocf_status`] for the OCF
//! actions, [`Error::admin_exit_code`] (and [`ADMIN_BAD_ARGUMENTS`]) for the admin commands.
//!
//! Which configuration error gets which code follows Pacemaker's reaction to it:
//! - 6 `ERR_CONFIGURED` (fatal, the resource stops everywhere): the value is wrong on every node — syntax,
//!   type, a missing required parameter, a value that would reach a command line as an option.
//! - 5 `ERR_INSTALLED` (this node only): something the value names is missing here — binary, provider
//!   library, config file, data directory, user, group — or a standard tool the agent runs by name
//!   (`ToolMissing`).
//! - `OptionFile`: this node's my.cnf contradicts a parameter. 6 from validate-all, which is what an admin
//!   asks for; `exit::finish` turns it into 2 for start, because Pacemaker answers a 6 from any instance by
//!   stopping the whole clone on every node, and the file is only this node's.
//! - 2 `ERR_ARGS` (this node only): the configuration is fine but not for this node — the node is not a
//!   member of wsrep_cluster_address, the data directory has the wrong owner — or the invocation itself is
//!   wrong (no `OCF_RESOURCE_INSTANCE`).
//!
//! The admin commands (`galera-ocf status`, `galera-ocf bootstrap --force`) are a person's commands, not
//! OCF actions: they exit 2 when their command line does not parse, and 1 on any error once they run,
//! whatever its OCF code would be. `status` reports the cluster with 0/7/6 (6: the reports conflict), so
//! an error's own code (6 for a parameter in the CIB, say) would read as a cluster state; and a NODE that
//! `bootstrap --force` cannot use is a refusal like the others.

use std::path::PathBuf;

use crate::edge::command::CommandError;
use crate::galera::status::{Health, StatusError};
use crate::ocf::OcfStatus;
use crate::pcmk::cib::CibXmlError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("parameter {name}: {reason}")]
    Configured { name: String, reason: String },
    #[error("parameter {name}: {reason}")]
    Installed { name: String, reason: String },
    #[error("parameter {name}: {reason}")]
    NotForThisNode { name: String, reason: String },
    #[error("parameter {name}: {reason}")]
    OptionFile { name: String, reason: String },
    /// A standard tool the agent runs by name is in no directory of `PATH` (`path`).
    #[error("{tool} not found in PATH ({path}): the agent needs it {purpose}")]
    ToolMissing {
        tool: String,
        path: String,
        purpose: &'static str,
    },
    #[error("{0}")]
    Args(String),
    #[error("unknown action {0:?} (see `galera-ocf usage`)")]
    Unimplemented(String),
    #[error("{0}")]
    Permission(String),
    #[error("{what} failed: {source}")]
    Command {
        what: String,
        #[source]
        source: CommandError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Grastate { path: PathBuf, reason: String },
    #[error("cannot determine the last committed position: {0}")]
    Recover(String),
    #[error("reading the wsrep status over {socket}: {reason}")]
    Sql { socket: PathBuf, reason: String },
    /// reload-agent: the new credentials do not log in. 1, not 6: a 6 stops the clone on every node, and
    /// the running servers are fine; Pacemaker recovers this instance (its monitors would fail the same way).
    #[error("reload refused: check_user {user} cannot log in with the new check_passwd: {reason}")]
    ReloadLogin { user: String, reason: String },
    /// The CIB's or the fencer's XML could not be read.
    #[error("reading the cluster state: {0}")]
    CibXml(#[source] CibXmlError),
    #[error("reading the cluster state: no ocf:galera-ocf:galera resource in the CIB (set OCF_RESOURCE_INSTANCE)")]
    NoGaleraResource,
    #[error("reading the cluster state: no ocf:galera-ocf:galera resource {wanted} in the CIB (there: {})", found_list(.found))]
    NoSuchGaleraResource { wanted: String, found: Vec<String> },
    #[error("reading the cluster state: the CIB has several ocf:galera-ocf:galera resources ({}): choose one with --resource NAME", .0.join(", "))]
    SeveralGaleraResources(Vec<String>),
    #[error("reading the cluster state: wsrep_cluster_address names no node")]
    NoExpectedNode,
    #[error("reading the cluster state: crm_node --name printed no node name")]
    NoLocalNodeName,
    /// Start found the data directory used by something Pacemaker does not control (`what`).
    #[error(
        "start failed: {} is in use outside Pacemaker's control: {what}; stop it, or let the probe find \
         it (crm resource refresh) so that Pacemaker takes it over",
        .datadir.display()
    )]
    DatadirInUse { datadir: PathBuf, what: String },
    /// Only something the agent cannot signal (`left`, e.g. a lock holder in another PID namespace) holds
    /// the data directory.
    #[error("stop failed: {left}; it cannot be stopped from here")]
    Unstoppable { left: String },
    /// `left` of the data directory survived the stop's signals.
    #[error("stop failed: {left} is still running (data directory {})", .datadir.display())]
    SurvivedStop { left: String, datadir: PathBuf },
    /// `left` of the data directory runs again (or still) once stop has cleaned up.
    #[error("stop failed: {left} is still running")]
    StillRunning { left: String },
    /// The running server's wsrep status could not be read.
    #[error("promote failed: {0}")]
    PromoteStatus(#[source] StatusError),
    /// A retried promote found the server running, but not Synced/Donor.
    #[error(
        "promote failed: mariadbd (pid {pid}) already runs but is {}; stop it first",
        .health.as_str()
    )]
    AlreadyRunningUnhealthy { pid: i32, health: Health },
    /// Never bootstrap from a data directory whose last state transfer was interrupted.
    #[error(
        "promote failed: {} holds an interrupted state transfer ({} present): it can only join a running \
         Primary component, never bootstrap one; bootstrap the most advanced other node instead",
        .datadir.display(),
        crate::edge::datadir::TRANSFER_MARKER
    )]
    InterruptedTransfer { datadir: PathBuf },
    /// Promote gave up (`reason`) and stopped its server.
    #[error("promote failed: {reason}")]
    PromoteGaveUp { reason: NotReady },
    /// Promote gave up (`reason`), and stopping its server failed too.
    #[error("promote failed: {reason}; and stopping mariadbd failed: {stop}")]
    PromoteGaveUpStopFailed {
        reason: NotReady,
        #[source]
        stop: Box<Error>,
    },
    /// `galera-ocf bootstrap --force` would be unsafe or pointless now; nothing was changed.
    #[error("bootstrap --force refused: {0}")]
    OverrideRefused(String),
    /// The garbd agent's garbd exited during start (`log_hint`: its log's last ERROR/FATAL line).
    #[error("start failed: garbd (pid {pid}) exited{log_hint}")]
    GarbdExited { pid: i32, log_hint: String },
    /// Another garbd of the same group already runs on this machine (`found`: its pid and command line).
    #[error(
        "start refused: a garbd this resource did not start runs here for group {group} ({found}); stop \
         it (garb.service: systemctl disable --now garb), since two arbitrators on one machine are two \
         votes that one failure takes away together"
    )]
    GarbdForeign { group: String, found: String },
    /// A garbd the garbd agent ended (a stop, or a start replacing several of its own) survived SIGTERM
    /// and SIGKILL within the action's timeout.
    #[error("{action} failed: garbd (pid {pid}) is still running after SIGKILL")]
    GarbdSurvived { action: &'static str, pid: i32 },
    #[error("internal error: {0}")]
    Internal(String),
}

/// The exit code of an admin command whose command line does not parse (clap's message on stderr).
pub const ADMIN_BAD_ARGUMENTS: OcfStatus = OcfStatus::ErrArgs;

/// Why the server a promote started never became ready.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    /// mariadbd exited; `log_hint` is the server log's last `[ERROR]` line (or where the log is).
    #[error("mariadbd exited during promote ({status}){log_hint}")]
    Exited { status: String, log_hint: String },
    /// The re-forming start's `joining` report could not be published (the CIB's error).
    #[error("the re-forming report could not be published: {0}")]
    Unpublished(String),
    /// A re-forming start's evidence of a state transfer could not be read or recorded (the I/O error).
    #[error("a transfer into the re-forming datadir could not be ruled out or recorded: {0}")]
    Unguarded(String),
    /// The wait ran out; `last` is what the server said at the last look.
    #[error("not Synced in a Primary component within {waited:?} (last: {last})")]
    TimedOut {
        waited: std::time::Duration,
        last: String,
    },
}

/// The primitives found, for a reason that says what there is to choose from.
fn found_list(found: &[String]) -> String {
    if found.is_empty() {
        "none".to_owned()
    } else {
        found.join(", ")
    }
}

impl Error {
    /// An admin command's exit code for this error: 1 (`OCF_ERR_GENERIC`), whatever the error; the
    /// reason is the exit-reason line. See the module doc for why not [`Error::ocf_status`].
    pub fn admin_exit_code(&self) -> OcfStatus {
        OcfStatus::ErrGeneric
    }

    /// The one mapping from an error to an OCF exit code. No `_` arm: a new variant must choose its code.
    pub fn ocf_status(&self) -> OcfStatus {
        match self {
            Error::Configured { .. } => OcfStatus::ErrConfigured,
            Error::Installed { .. } => OcfStatus::ErrInstalled,
            Error::NotForThisNode { .. } => OcfStatus::ErrArgs,
            Error::OptionFile { .. } => OcfStatus::ErrConfigured,
            Error::ToolMissing { .. } => OcfStatus::ErrInstalled,
            Error::Args(_) => OcfStatus::ErrArgs,
            Error::Unimplemented(_) => OcfStatus::ErrUnimplemented,
            Error::Permission(_) => OcfStatus::ErrPerm,
            Error::Command { .. } => OcfStatus::ErrGeneric,
            Error::GarbdExited { .. } => OcfStatus::ErrGeneric,
            Error::GarbdSurvived { .. } => OcfStatus::ErrGeneric,
            Error::GarbdForeign { .. } => OcfStatus::ErrGeneric,
            Error::Io { .. } => OcfStatus::ErrGeneric,
            Error::Grastate { .. } => OcfStatus::ErrGeneric,
            Error::Recover(_) => OcfStatus::ErrGeneric,
            Error::Sql { .. } => OcfStatus::ErrGeneric,
            Error::ReloadLogin { .. } => OcfStatus::ErrGeneric,
            Error::CibXml(_) => OcfStatus::ErrGeneric,
            Error::NoGaleraResource => OcfStatus::ErrGeneric,
            Error::NoSuchGaleraResource { .. } => OcfStatus::ErrGeneric,
            Error::SeveralGaleraResources(_) => OcfStatus::ErrGeneric,
            Error::NoExpectedNode => OcfStatus::ErrGeneric,
            Error::NoLocalNodeName => OcfStatus::ErrGeneric,
            Error::DatadirInUse { .. } => OcfStatus::ErrGeneric,
            Error::Unstoppable { .. } => OcfStatus::ErrGeneric,
            Error::SurvivedStop { .. } => OcfStatus::ErrGeneric,
            Error::StillRunning { .. } => OcfStatus::ErrGeneric,
            Error::OverrideRefused(_) => OcfStatus::ErrGeneric,
            Error::PromoteStatus(_) => OcfStatus::ErrGeneric,
            Error::AlreadyRunningUnhealthy { .. } => OcfStatus::ErrGeneric,
            Error::InterruptedTransfer { .. } => OcfStatus::ErrGeneric,
            Error::PromoteGaveUp { .. } => OcfStatus::ErrGeneric,
            Error::PromoteGaveUpStopFailed { .. } => OcfStatus::ErrGeneric,
            Error::Internal(_) => OcfStatus::ErrGeneric,
        }
    }

    /// A configuration problem (as opposed to a runtime failure): stop and probe treat these specially.
    pub fn is_configuration(&self) -> bool {
        matches!(
            self.ocf_status(),
            OcfStatus::ErrConfigured | OcfStatus::ErrInstalled | OcfStatus::ErrArgs
        )
    }

    pub fn configured(name: &str, reason: impl Into<String>) -> Error {
        Error::Configured {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn installed(name: &str, reason: impl Into<String>) -> Error {
        Error::Installed {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn option_file(name: &str, reason: impl Into<String>) -> Error {
        Error::OptionFile {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }

    pub fn not_for_this_node(name: &str, reason: impl Into<String>) -> Error {
        Error::NotForThisNode {
            name: name.to_owned(),
            reason: reason.into(),
        }
    }

    /// grastate.dat at `path` could not be read or edited (`galera::grastate`'s error).
    pub fn grastate(path: &std::path::Path, e: crate::galera::grastate::GrastateError) -> Error {
        Error::Grastate {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn command(what: impl Into<String>, source: CommandError) -> Error {
        Error::Command {
            what: what.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of each variant, with its OCF exit code.
    fn one_of_each() -> Vec<(Error, u8)> {
        let io = || std::io::Error::other("x");
        vec![
            (Error::configured("a", "b"), 6),
            (Error::installed("a", "b"), 5),
            (Error::not_for_this_node("a", "b"), 2),
            (Error::option_file("a", "b"), 6),
            (
                Error::ToolMissing {
                    tool: "t".into(),
                    path: "/p".into(),
                    purpose: "x",
                },
                5,
            ),
            (Error::Args("x".into()), 2),
            (Error::Unimplemented("x".into()), 3),
            (Error::Permission("x".into()), 4),
            (
                Error::command(
                    "x",
                    CommandError::Timeout {
                        program: "p".into(),
                    },
                ),
                1,
            ),
            (Error::io("/x", io()), 1),
            (
                Error::Grastate {
                    path: "/x".into(),
                    reason: "y".into(),
                },
                1,
            ),
            (Error::Recover("x".into()), 1),
            (
                Error::Sql {
                    socket: "/s".into(),
                    reason: "r".into(),
                },
                1,
            ),
            (
                Error::ReloadLogin {
                    user: "u".into(),
                    reason: "r".into(),
                },
                1,
            ),
            (Error::NoGaleraResource, 1),
            (Error::NoExpectedNode, 1),
            (Error::NoLocalNodeName, 1),
            (
                Error::DatadirInUse {
                    datadir: "/d".into(),
                    what: "w".into(),
                },
                1,
            ),
            (Error::Unstoppable { left: "l".into() }, 1),
            (
                Error::SurvivedStop {
                    left: "l".into(),
                    datadir: "/d".into(),
                },
                1,
            ),
            (Error::StillRunning { left: "l".into() }, 1),
            (Error::OverrideRefused("x".into()), 1),
            (
                Error::AlreadyRunningUnhealthy {
                    pid: 1,
                    health: Health::Joiner,
                },
                1,
            ),
            (
                Error::InterruptedTransfer {
                    datadir: "/d".into(),
                },
                1,
            ),
            (
                Error::PromoteGaveUp {
                    reason: NotReady::TimedOut {
                        waited: std::time::Duration::from_secs(1),
                        last: "x".into(),
                    },
                },
                1,
            ),
            (
                Error::PromoteGaveUpStopFailed {
                    reason: NotReady::Exited {
                        status: "x".into(),
                        log_hint: String::new(),
                    },
                    stop: Box::new(Error::StillRunning { left: "l".into() }),
                },
                1,
            ),
            (
                Error::GarbdExited {
                    pid: 7,
                    log_hint: String::new(),
                },
                1,
            ),
            (
                Error::GarbdSurvived {
                    action: "stop",
                    pid: 7,
                },
                1,
            ),
            (
                Error::GarbdForeign {
                    group: "g".into(),
                    found: "pid 7".into(),
                },
                1,
            ),
            (Error::Internal("x".into()), 1),
        ]
    }

    #[test]
    fn every_variant_has_its_code() {
        for (e, code) in one_of_each() {
            assert_eq!(e.ocf_status().code(), code, "{e:?}");
        }
    }

    #[test]
    fn admin_commands_exit_1_on_any_error_and_2_on_bad_arguments() {
        for (e, _) in one_of_each() {
            assert_eq!(e.admin_exit_code().code(), 1, "{e:?}");
        }
        assert_eq!(ADMIN_BAD_ARGUMENTS.code(), 2);
    }

    /// The typed variants render the sentences their preformatted predecessors did.
    #[test]
    fn typed_variants_render_the_old_sentences() {
        let cases = [
            (
                Error::DatadirInUse {
                    datadir: "/var/lib/mysql".into(),
                    what: "mariadbd (pid 7)".into(),
                },
                "start failed: /var/lib/mysql is in use outside Pacemaker's control: mariadbd (pid 7); \
                 stop it, or let the probe find it (crm resource refresh) so that Pacemaker takes it over",
            ),
            (
                Error::ToolMissing {
                    tool: "install".into(),
                    path: "/usr/bin".into(),
                    purpose: "to write its own files in the data directory",
                },
                "install not found in PATH (/usr/bin): the agent needs it to write its own files in the \
                 data directory",
            ),
            (
                Error::SurvivedStop {
                    left: "mariadbd (pid 7)".into(),
                    datadir: "/d".into(),
                },
                "stop failed: mariadbd (pid 7) is still running (data directory /d)",
            ),
            (
                Error::AlreadyRunningUnhealthy {
                    pid: 7,
                    health: Health::Joiner,
                },
                "promote failed: mariadbd (pid 7) already runs but is joiner; stop it first",
            ),
            (
                Error::InterruptedTransfer {
                    datadir: "/d".into(),
                },
                "promote failed: /d holds an interrupted state transfer (galera-ocf-joining.sst present): \
                 it can only join a running Primary component, never bootstrap one; bootstrap the most \
                 advanced other node instead",
            ),
            (
                Error::PromoteGaveUpStopFailed {
                    reason: NotReady::Exited {
                        status: "exit status: 1".into(),
                        log_hint: "; see /l".into(),
                    },
                    stop: Box::new(Error::StillRunning { left: "l".into() }),
                },
                "promote failed: mariadbd exited during promote (exit status: 1); see /l; and stopping \
                 mariadbd failed: stop failed: l is still running",
            ),
            (
                Error::PromoteGaveUp {
                    reason: NotReady::TimedOut {
                        waited: std::time::Duration::from_secs(30),
                        last: "wsrep Joiner".into(),
                    },
                },
                "promote failed: not Synced in a Primary component within 30s (last: wsrep Joiner)",
            ),
        ];
        for (e, text) in cases {
            assert_eq!(e.to_string(), text);
        }
    }

    #[test]
    fn parameter_errors_name_the_parameter() {
        let e = Error::configured("datadir", "must be an absolute path");
        assert_eq!(e.to_string(), "parameter datadir: must be an absolute path");
    }
}
