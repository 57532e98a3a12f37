//! The agent's error type and the only error → exit-code mappings: [`Error::ocf_status`] for the OCF
//! actions, [`Error::admin_exit_code`] (and [`ADMIN_BAD_ARGUMENTS`]) for the admin commands.
//!
//! Which configuration error gets which code follows Pacemaker's reaction to it:
//! - 6 `ERR_CONFIGURED` (fatal, the resource stops everywhere): the value is wrong on every node — syntax,
//!   type, a missing required parameter, a value that would reach a command line as an option.
//! - 5 `ERR_INSTALLED` (this node only): something the value names is missing here — binary, provider
//!   library, config file, data directory, user, group.
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
use crate::ocf::OcfStatus;

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
    #[error("reading the cluster state: {0}")]
    Cib(String),
    #[error("start failed: {0}")]
    Start(String),
    #[error("stop failed: {0}")]
    Stop(String),
    #[error("promote refused: {0}")]
    PromoteRefused(String),
    #[error("promote failed: {0}")]
    Promote(String),
    /// `galera-ocf bootstrap --force` would be unsafe or pointless now; nothing was changed.
    #[error("bootstrap --force refused: {0}")]
    OverrideRefused(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// The exit code of an admin command whose command line does not parse (clap's message on stderr).
pub const ADMIN_BAD_ARGUMENTS: OcfStatus = OcfStatus::ErrArgs;

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
            Error::Args(_) => OcfStatus::ErrArgs,
            Error::Unimplemented(_) => OcfStatus::ErrUnimplemented,
            Error::Permission(_) => OcfStatus::ErrPerm,
            Error::Command { .. } => OcfStatus::ErrGeneric,
            Error::Io { .. } => OcfStatus::ErrGeneric,
            Error::Grastate { .. } => OcfStatus::ErrGeneric,
            Error::Recover(_) => OcfStatus::ErrGeneric,
            Error::Sql { .. } => OcfStatus::ErrGeneric,
            Error::Cib(_) => OcfStatus::ErrGeneric,
            Error::Start(_) => OcfStatus::ErrGeneric,
            Error::Stop(_) => OcfStatus::ErrGeneric,
            Error::PromoteRefused(_) => OcfStatus::ErrGeneric,
            Error::OverrideRefused(_) => OcfStatus::ErrGeneric,
            Error::Promote(_) => OcfStatus::ErrGeneric,
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
            (Error::Cib("x".into()), 1),
            (Error::Start("x".into()), 1),
            (Error::Stop("x".into()), 1),
            (Error::PromoteRefused("x".into()), 1),
            (Error::OverrideRefused("x".into()), 1),
            (Error::Promote("x".into()), 1),
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

    #[test]
    fn parameter_errors_name_the_parameter() {
        let e = Error::configured("datadir", "must be an absolute path");
        assert_eq!(e.to_string(), "parameter datadir: must be an absolute path");
    }
}
