//! argv → what to do. Two ways in:
//! - as `galera-ocf WORD ...`: WORD is an OCF action, or one of the admin commands `status [--json]`,
//!   `bootstrap --force NODE [--yes]`, `man` (parsed with clap);
//! - as any other `argv[0]` (the installed OCF path, e.g. /usr/lib/ocf/resource.d/galera-ocf/galera): `argv[1]`
//!   is the OCF action, and `status` is the OCF legacy status action. Only OCF actions apply there: its
//!   `--help` lists them alone, and `bootstrap`/`man` are refused ([`Invocation::AdminElsewhere`], exit 3 as
//!   any unknown action) with a message naming `galera-ocf`, so neither name offers what it then refuses.
//!
//! - as `argv[0]` named `garbd` (/usr/lib/ocf/resource.d/galera-ocf/garbd): the arbitrator agent
//!   (`crate::garbd`), `argv[1]` its OCF action.
//!
//! An unknown action is [`Invocation::Unknown`] → exit 3 (OCF_ERR_UNIMPLEMENTED), never clap's 2, which
//! Pacemaker would read as OCF_ERR_ARGS. `--help`/`-h`/`--version`/`-V` are not OCF actions (Pacemaker never
//! passes them) but what an admin types first: they print clap's help/version and exit 0, whichever
//! `argv[0]`; so do `status --help` and the like.

use std::ffi::OsString;
use std::path::Path;

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};

use crate::ocf::Action;

pub const BIN_NAME: &str = "galera-ocf";
/// The agent name of the arbitrator agent (`ocf:galera-ocf:garbd`, a link to the same binary).
pub const GARBD_AGENT: &str = "garbd";
/// The agent's installed name (/usr/lib/ocf/resource.d/galera-ocf/galera), as its help calls it.
pub const AGENT_NAME: &str = "galera";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    Ocf(Action),
    /// An OCF action of the garbd agent (`argv[0]` named `garbd`).
    Garbd(Action),
    Admin(Admin),
    /// Parse failure of an admin command: clap's rendered message.
    AdminUsage(String),
    /// An admin command typed under the agent's name: the message that points to `galera-ocf`.
    AdminElsewhere(String),
    /// Help or version text asked for (`--help`, `-V`, `status --help`, …): printed on stdout, exit 0.
    Info(String),
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Admin {
    /// Show every node's published report and the election's current decision.
    Status {
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// The galera primitive to show (needed when the CIB has more than one; default: the only one, or
        /// OCF_RESOURCE_INSTANCE).
        #[arg(long, value_name = "NAME")]
        resource: Option<String>,
    },
    /// Make NODE the bootstrap node although the election would not choose it (may lose data).
    Bootstrap {
        /// Required: this overrides the election.
        #[arg(long, required = true)]
        force: bool,
        /// The Pacemaker node that is to bootstrap.
        node: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The galera primitive (needed when the CIB has more than one).
        #[arg(long, value_name = "NAME")]
        resource: Option<String>,
        /// Also when NODE is not the safe candidate (a lower seqno than another node, an empty or foreign
        /// datadir, an unknown seqno): the transactions only the others hold are lost.
        #[arg(long)]
        accept_data_loss: bool,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Parser)]
#[command(
    name = BIN_NAME,
    bin_name = BIN_NAME,
    version,
    about = "MariaDB Galera OCF resource agent: admin commands",
    after_help = ocf_actions_help(),
    disable_help_subcommand = true
)]
struct AdminCli {
    #[command(subcommand)]
    cmd: Admin,
}

fn invoked_as_tool(argv0: Option<&OsString>) -> bool {
    argv0
        .and_then(|a| Path::new(a).file_name())
        .is_some_and(|n| n == BIN_NAME)
}

fn ocf_actions_help() -> String {
    let actions: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
    format!(
        "OCF actions (what Pacemaker runs, parameters in OCF_RESKEY_*):\n  {BIN_NAME} {{{}}}",
        actions.join("|")
    )
}

fn invoked_as_garbd(argv0: Option<&OsString>) -> bool {
    argv0
        .and_then(|a| Path::new(a).file_name())
        .is_some_and(|n| n == GARBD_AGENT)
}

/// Decide what argv asks for.
pub fn parse(args: &[OsString]) -> Invocation {
    let word = args
        .get(1)
        .map(|w| w.to_string_lossy().into_owned())
        .unwrap_or_default();
    if invoked_as_garbd(args.first()) {
        return match Action::parse(&word) {
            Some(a) => Invocation::Garbd(a),
            None if word.is_empty() => Invocation::Unknown("(none)".into()),
            None => Invocation::Unknown(word),
        };
    }
    let as_tool = invoked_as_tool(args.first());
    let help = matches!(word.as_str(), "--help" | "-h" | "--version" | "-V");
    if !as_tool {
        if let Some(info) = agent_info(&word) {
            return info;
        }
    }
    if help || (as_tool && matches!(word.as_str(), "status" | "bootstrap" | "man")) {
        return match AdminCli::try_parse_from(args) {
            Ok(cli) => Invocation::Admin(cli.cmd),
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                Invocation::Info(e.to_string())
            }
            Err(e) => Invocation::AdminUsage(e.to_string()),
        };
    }
    match Action::parse(&word) {
        Some(a) => Invocation::Ocf(a),
        None if word.is_empty() => Invocation::Unknown("(none)".into()),
        None => Invocation::Unknown(word),
    }
}

/// Help, version and admin words under the agent's name (any `argv[0]` but `galera-ocf`).
fn agent_info(word: &str) -> Option<Invocation> {
    let actions: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
    Some(match word {
        "--help" | "-h" => Invocation::Info(format!(
            "MariaDB Galera OCF resource agent (run by Pacemaker; parameters in OCF_RESKEY_*)\n\n\
             Usage: {AGENT_NAME} {{{}}}\n\n\
             The admin commands (status --json, bootstrap --force, man) are those of {BIN_NAME}.\n",
            actions.join("|")
        )),
        "--version" | "-V" => Invocation::Info(format!("{BIN_NAME} {}\n", env!("CARGO_PKG_VERSION"))),
        "bootstrap" | "man" => Invocation::AdminElsewhere(format!(
            "{AGENT_NAME}: error: '{word}' is an admin command of {BIN_NAME}, not an OCF action: run `{BIN_NAME} {word} ...` ({BIN_NAME} --help)\n"
        )),
        _ => return None,
    })
}

/// `usage` text.
pub fn usage() -> String {
    let actions: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
    format!(
        "usage: {BIN_NAME} {{{}}}\n       {BIN_NAME} status [--json] [--resource NAME] | bootstrap --force NODE [--yes] [--accept-data-loss] [--resource NAME] | man\n",
        actions.join("|")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn ocf_path_status_is_the_ocf_action() {
        let a = argv(&["/usr/lib/ocf/resource.d/galera-ocf/galera", "status"]);
        assert_eq!(parse(&a), Invocation::Ocf(Action::Status));
    }

    #[test]
    fn tool_status_is_the_admin_command() {
        let a = argv(&["/usr/bin/galera-ocf", "status", "--json"]);
        assert_eq!(
            parse(&a),
            Invocation::Admin(Admin::Status {
                json: true,
                resource: None
            })
        );
        let a = argv(&["galera-ocf", "status", "--resource", "db2"]);
        assert_eq!(
            parse(&a),
            Invocation::Admin(Admin::Status {
                json: false,
                resource: Some("db2".into())
            })
        );
    }

    #[test]
    fn bootstrap_needs_force() {
        let a = argv(&["galera-ocf", "bootstrap", "n1"]);
        assert!(matches!(parse(&a), Invocation::AdminUsage(_)));
        let a = argv(&["galera-ocf", "bootstrap", "--force", "n1", "--yes"]);
        assert_eq!(
            parse(&a),
            Invocation::Admin(Admin::Bootstrap {
                force: true,
                node: "n1".into(),
                yes: true,
                accept_data_loss: false,
                resource: None
            })
        );
    }

    #[test]
    fn help_and_version_are_not_unknown_actions() {
        for argv0 in ["galera-ocf", "/usr/lib/ocf/resource.d/galera-ocf/galera"] {
            for flag in ["--help", "-h"] {
                match parse(&argv(&[argv0, flag])) {
                    Invocation::Info(text) => {
                        assert!(text.contains("validate-all"), "{text}");
                        // Only the tool's help offers the admin commands as its own.
                        assert_eq!(
                            text.contains("Commands:"),
                            argv0 == "galera-ocf",
                            "{argv0}: {text}"
                        );
                    }
                    other => panic!("{argv0} {flag}: {other:?}"),
                }
            }
            for flag in ["--version", "-V"] {
                assert_eq!(
                    parse(&argv(&[argv0, flag])),
                    Invocation::Info(format!("{BIN_NAME} {}\n", env!("CARGO_PKG_VERSION")))
                );
            }
        }
        assert!(matches!(
            parse(&argv(&["galera-ocf", "status", "--help"])),
            Invocation::Info(_)
        ));
        assert_eq!(
            parse(&argv(&["galera-ocf", "--frobnicate"])),
            Invocation::Unknown("--frobnicate".into())
        );
    }

    #[test]
    fn the_garbd_agent_name_selects_the_arbitrator() {
        let a = argv(&["/usr/lib/ocf/resource.d/galera-ocf/garbd", "monitor"]);
        assert_eq!(parse(&a), Invocation::Garbd(Action::Monitor));
        let a = argv(&["garbd", "meta-data"]);
        assert_eq!(parse(&a), Invocation::Garbd(Action::MetaData));
        assert_eq!(
            parse(&argv(&["/x/garbd", "frob"])),
            Invocation::Unknown("frob".into())
        );
        // Only the exact name: a galera agent installed as garbd2 stays the data agent.
        assert_eq!(
            parse(&argv(&["/x/garbd2", "start"])),
            Invocation::Ocf(Action::Start)
        );
    }

    #[test]
    fn admin_commands_under_the_agent_name_point_to_the_tool() {
        for word in ["bootstrap", "man"] {
            match parse(&argv(&["/usr/lib/ocf/resource.d/galera-ocf/galera", word])) {
                Invocation::AdminElsewhere(text) => {
                    assert!(text.contains(&format!("galera-ocf {word}")), "{text}")
                }
                other => panic!("{word}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_and_missing_actions() {
        assert_eq!(
            parse(&argv(&["galera-ocf", "reload"])),
            Invocation::Unknown("reload".into())
        );
        assert!(matches!(parse(&argv(&["x"])), Invocation::Unknown(_)));
        assert_eq!(
            parse(&argv(&["/x/galera", "promote"])),
            Invocation::Ocf(Action::Promote)
        );
    }
}
