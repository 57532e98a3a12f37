//! galera-ocf: a Pacemaker OCF resource agent for MariaDB Galera clusters, run as a promotable clone.
//!
//! # Layout
//!
//! ```text
//! main.rs        `answer_without_runtime` (meta-data, help), else a current-thread runtime around
//!                `run_with_runtime`; status → ExitCode
//! cli.rs         argv → OCF action | garbd agent action (argv[0] `garbd`) | admin command | unknown (exit 3)
//! ocf.rs         OCF vocabulary (pure, so decide/ names its outcomes with it): OcfStatus, Action,
//!                CRM_meta_* and notify variables, OCF booleans
//! params.rs      the one parameter table (meta-data, defaults, names)
//! metadata.rs    meta-data XML rendered from params.rs with quick-xml
//! man.rs         `galera-ocf man`: the galera-ocf(8) page, rendered with clap_mangen
//! config.rs      OCF_RESKEY_* map → Config (pure); the clustercheck file's credentials as the stock agent
//!                reads them (parsed here, read by edge/paths)
//! error.rs       Error and the only error → exit-code mappings: OCF actions (`ocf_status`), admin
//!                commands (`admin_exit_code`: 1 on any error; 2 on a bad command line)
//! exit.rs        action-dependent adjustments (stop/monitor with a broken configuration)
//! log.rs         grep-able log lines, routed as ocf-shellfuncs routes them (stderr, syslog, HA_LOGFILE,
//!                HA_DEBUGLOG); the single `ocf-exit-reason:` line
//! deadline.rs    CRM_meta_timeout minus a margin; poll_until
//! galera/        pure Galera types and parsers (grastate, gvwstate, recover log, status, report, the
//!                server log's Primary views (viewlog) and what one start did (startlog), garbd's log:
//!                garbdlog)
//! pcmk/          pure Pacemaker types and parsers (the CIB's status and primitives, the fence history)
//! decide/        pure decisions: election (who bootstraps, or whether every member re-forms the saved
//!                view), promotion (the one verdict of an invocation:
//!                election + two_node_mode + override + this node's score + what promote does), monitor
//!                verdict (a monitor's OcfStatus, read_only ON included, and what the node offers
//!                clients for the VIP: desync, reject_queries, read_only), hostmap (arbitrators
//!                excluded from the expected members), my.cnf vs the parameters (what `mariadbd
//!                --print-defaults` reports), server (which processes are servers of the data directory),
//!                arbitrator (the garbd monitor's status with its grace for a lost Primary component, and
//!                what start does with untracked garbd processes), recovery (whether a position recovered
//!                earlier still holds: the datadir's fingerprint and the server's options), reform (a
//!                re-forming start once its server runs: the monitor's wait, and whether an attempt that
//!                is over may have left a donor's half copy)
//! edge/          the only code touching the world: command (all process spawning), cib, mysqld, sql,
//!                datadir (also its fingerprint, the recovery cache, and the agent's own datadir writes,
//!                done by bounded child processes so a hung disk never blocks an action), paths
//!                (validate-all's file checks, the clustercheck file), host (uname), mycnf (runs `mariadbd
//!                --print-defaults`; reads my.cnf and its includes for FILE:LINE), state (the /run marker
//!                file), garbd (garbd's process, state file and log, read through garbd's own descriptor;
//!                the boot clock of the Lost grace)
//! garbd/         the `ocf:galera-ocf:garbd` agent (issue 17): params.rs (its parameter table and config,
//!                pure), mod.rs (start/stop/monitor/validate-all: gather (edge) → decide → apply)
//! actions/       exactly the OCF actions, one file each: gather (edge) → decide (pure, once) → apply
//!                (edge); reload.rs is OCF 1.1 reload-agent (validate, log in with the new credentials,
//!                refresh the marker; mariadbd untouched); common.rs the steps several share (position,
//!                publish-on-change, gathering the verdict's facts), members.rs the expected members
//! admin/         the admin commands `status` and `bootstrap --force`; render.rs (text/JSON, pure),
//!                overrides.rs (the safe override candidate, pure)
//! ```
//!
//! `tests/architecture.rs` checks what can be checked of this map: `galera/`, `decide/` and `pcmk/` import
//! no I/O and no impure layer; nothing outside `edge/` spawns a process or touches a file (exceptions:
//! `main.rs` reads argv/environment, `log.rs` appends to the log files, sends to `/dev/log` and reads the
//! time zone file); `actions/` holds only the actions.
//!
//! # What the agent keeps where
//!
//! - `<rsc>-report` (transient node attribute): this node's last committed position and state
//!   (`galera::report` grammar: also whether Galera's gvwstate.dat is on disk, `pcr`, which the election's
//!   re-form rule reads); removed by stop.
//! - promotion score (`master-<rsc>`): set by the node itself from the election — the bootstrap node, or
//!   every node once a Primary component runs; removed by demote/stop.
//! - `<rsc>-synced`: what the node offers clients while mariadbd runs (`decide::monitor::Serving`: 1
//!   serving, `desynced` a fallback: Donor, desynced, Joined or read_only; 0 none), for the VIP's
//!   location rules (absent keeps the VIP away too); set to 0 by a failing monitor before it returns, so the
//!   failure's own transition moves the VIP; removed by demote/stop.
//! - `<rsc>-force-bootstrap`: the admin override of `galera-ocf bootstrap --force`; cleared by promote.
//! - `$HA_RSCTMP/galera-ocf-<rsc>.state`: the started marker (Unpromoted vs stopped without forking), the
//!   role, the nodes the pre-promote notification named (`peers`, `promoting`: a joiner's gcomm:// peers
//!   and its turn among fellow joiners), and a cache of what was published so steady-state monitors fork
//!   nothing; `checked` records when
//!   a Promoted monitor last compared that cache with the CIB (one `cibadmin` read at least a minute apart,
//!   republishing what was removed behind the node's back).
//! - `$HA_RSCTMP/galera-ocf-<rsc>.recovered` (0600): the position the last `--wsrep-recover` found and
//!   the datadir's fingerprint after it, with a digest of `mariadbd --print-defaults`; a start reuses it
//!   only while the fingerprint is unchanged and no InnoDB option puts files outside the datadir.
//! - The marker's `reforming`: when a promote started the server to re-form the saved Primary view
//!   (`decide::election::Decision::Reform`, Galera's pc.recovery), until it is in a Primary component; the
//!   monitor's re-forming grace reads it, and a demote or stop that still finds it moves gvwstate.dat
//!   aside (`actions::common::end_failed_reform`). `<datadir>/galera-ocf-reforming.sst` says the same on
//!   disk, with where the server log of that start begins: whatever ends the attempt (a power loss too)
//!   settles it into the transfer marker when the log shows a state transfer may have begun, else removes
//!   it (`decide::reform::after`).
//!
//! Data flow of one invocation: `cli::parse` → `Config::from_env` → `actions::run` → `exit::finish` →
//! one exit-reason line (if any) → exit code.

#[macro_use]
pub mod log;

/// Unit tests' fixture text, read at compile time: `fixture!("grastate/clean.dat")` is
/// `tests/fixtures/grastate/clean.dat` (the same files the tier-1/2 tests and their provenance notes use).
#[cfg(test)]
macro_rules! fixture {
    ($path:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $path
        ))
    };
}

pub mod actions;
pub mod admin;
pub mod cli;
pub mod config;
pub mod deadline;
pub mod decide;
pub mod edge;
pub mod error;
pub mod exit;
pub mod galera;
pub mod garbd;
pub mod man;
pub mod metadata;
pub mod ocf;
pub mod params;
pub mod pcmk;

use std::collections::BTreeMap;
use std::io::Write;

use cli::Invocation;
use config::Config;
use error::Error;
use exit::Outcome;
use ocf::{Action, OcfStatus};

/// A panic is an internal bug: report it as OCF_ERR_GENERIC with one exit-reason line rather than Rust's 101
/// (which Pacemaker would treat as an unknown code) or an abort.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("ocf-exit-reason:internal error (panic): {info}");
        std::process::exit(i32::from(OcfStatus::ErrGeneric.code()));
    }));
}

/// What an invocation needs the async runtime (and the environment) for.
#[derive(Debug)]
pub enum RuntimeWork {
    Action(Action),
    /// An action of the garbd agent.
    Garbd(Action),
    Admin(cli::Admin),
    Unknown(String),
}

/// Answers what needs neither the environment nor the async runtime (meta-data, usage, help, version, man),
/// so the binary skips building a runtime (its epoll, eventfd and signal-pipe set-up) for these calls, which
/// `crm_resource`, crmsh and ocf-tester make often. Everything else comes back as [`RuntimeWork`].
pub fn answer_without_runtime(invocation: Invocation) -> Result<OcfStatus, RuntimeWork> {
    Ok(match invocation {
        Invocation::Ocf(Action::MetaData) => print_meta_data(metadata::render()),
        Invocation::Garbd(Action::MetaData) => print_meta_data(metadata::render_garbd()),
        Invocation::Garbd(Action::Usage) => {
            println!(
                "usage: {} {{start|stop|monitor|status|validate-all|meta-data|usage}}",
                cli::GARBD_AGENT
            );
            OcfStatus::Success
        }
        Invocation::Garbd(action) => return Err(RuntimeWork::Garbd(action)),
        Invocation::Ocf(Action::Usage) => {
            print!("{}", cli::usage());
            OcfStatus::Success
        }
        Invocation::Admin(cli::Admin::Man) => man::print(),
        Invocation::Info(text) => {
            print!("{text}");
            OcfStatus::Success
        }
        // Exit 3 as any other word that is no OCF action: nothing an OCF caller sees changes.
        Invocation::AdminElsewhere(text) => {
            eprint!("{text}");
            OcfStatus::ErrUnimplemented
        }
        Invocation::AdminUsage(text) => {
            eprint!("{text}");
            error::ADMIN_BAD_ARGUMENTS
        }
        Invocation::Ocf(action) => return Err(RuntimeWork::Action(action)),
        Invocation::Admin(cmd) => return Err(RuntimeWork::Admin(cmd)),
        Invocation::Unknown(word) => return Err(RuntimeWork::Unknown(word)),
    })
}

/// OCF actions and admin commands, inside the runtime this is awaited in.
pub async fn run_with_runtime(work: RuntimeWork, env: &BTreeMap<String, String>) -> OcfStatus {
    match work {
        RuntimeWork::Action(action) => run_action(action, env).await,
        RuntimeWork::Garbd(action) => garbd::run(action, env).await,
        RuntimeWork::Admin(cmd) => {
            init_log(env, "galera");
            admin::run(cmd, env).await
        }
        RuntimeWork::Unknown(word) => {
            init_log(env, "galera");
            let e = Error::Unimplemented(word);
            log::exit_reason(&e.to_string());
            eprint!("{}", cli::usage());
            e.ocf_status()
        }
    }
}

fn print_meta_data(rendered: std::io::Result<String>) -> OcfStatus {
    match rendered {
        Ok(xml) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(xml.as_bytes()).and_then(|()| out.flush()) {
                Ok(()) => OcfStatus::Success,
                Err(_) => OcfStatus::ErrGeneric,
            }
        }
        Err(e) => {
            log::exit_reason(&format!("cannot render meta-data: {e}"));
            OcfStatus::ErrGeneric
        }
    }
}

fn init_log(env: &BTreeMap<String, String>, resource: &str) {
    log::init(resource, env);
}

/// Parse the configuration for `action`. Only validate-all may run without `OCF_RESOURCE_INSTANCE`
/// (admins run it by hand); every other action names attributes after the resource.
fn load_config(action: Action, env: &BTreeMap<String, String>) -> Result<Config, Error> {
    let resource = match config::resource_name(env) {
        Ok(r) => r,
        Err(_) if action == Action::ValidateAll => "galera".to_owned(),
        Err(e) => return Err(e),
    };
    // Said at INFO where an admin looks when a login fails (start, validate-all, a probe); at DEBUG on
    // every other action, which would repeat it every monitor interval.
    let probe = action == Action::Monitor
        && env
            .get("OCF_RESKEY_CRM_meta_interval")
            .is_none_or(|v| v == "0");
    let announce = probe || matches!(action, Action::Start | Action::ValidateAll);
    config_with_clustercheck(env, resource, announce)
}

/// The configuration from `env`, with the stock agent's fallback for the monitoring credentials
/// (`config::with_clustercheck`): the OCF actions and the admin commands log in as the same user.
pub(crate) fn config_with_clustercheck(
    env: &BTreeMap<String, String>,
    resource: String,
    announce: bool,
) -> Result<Config, Error> {
    if !config::clustercheck_may_apply(env) {
        return Config::from_env(env, resource);
    }
    let Some((path, text)) = edge::paths::clustercheck_file() else {
        return Config::from_env(env, resource);
    };
    let file = config::ClustercheckCredentials::parse(&text);
    for name in &file.unreadable {
        warn!("{path}: {name} is not a plain top-level assignment (only a shell could evaluate it); not used");
    }
    let (env, taken) = config::with_clustercheck(env, &file);
    if !taken.is_empty() {
        let what = format!(
            "{} from {path} (the resource leaves {} unset)",
            taken.join(" and "),
            if taken.len() == 1 { "it" } else { "them" }
        );
        if announce {
            info!("{what}");
        } else {
            debug!("{what}");
        }
    }
    Config::from_env(&env, resource)
}

async fn run_action(action: Action, env: &BTreeMap<String, String>) -> OcfStatus {
    let resource = config::resource_name(env).unwrap_or_else(|_| "galera".to_owned());
    init_log(env, &resource);
    let result = match load_config(action, env) {
        Ok(cfg) => actions::run(action, &cfg, env).await,
        Err(e) => Err(e),
    };
    let running =
        exit::needs_process_check(action, &result).then(|| actions::raw_mysqld_running(env));
    if let (Some(false), Err(e)) = (running, &result) {
        info!(
            "{action}: configuration unusable ({e}), but no mariadbd of this data directory runs"
        );
    }
    let outcome: Outcome = exit::finish(action, result, running);
    if let Some(reason) = &outcome.reason {
        log::exit_reason(reason);
    }
    debug!("{action} → {}", outcome.status);
    outcome.status
}
