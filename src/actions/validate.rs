//! validate-all: every parameter checked against this machine, nothing modified, no cluster needed.
//! Also the first step of start (Pacemaker runs start after a probe, not after validate-all).

use std::path::Path;

use crate::actions::members;
use crate::config::Config;
use crate::deadline::{parse_timeout, Deadline};
use crate::decide::mycnf;
use crate::edge::datadir::WriteTools;
use crate::edge::mycnf::ServerDefaults;
use crate::edge::paths::{datadir, executable, readable_file};
use crate::error::Error;
use crate::ocf::parse_bool;

/// The node's option file against the parameters (`decide::mycnf`). A provider library that is not
/// installed here is ERR_INSTALLED, like a missing binary; a contradiction is [`Error::OptionFile`]; a
/// different wsrep_cluster_address is only logged (the agent passes its own). Returns what the server
/// printed (start keeps it for the recovery cache).
pub async fn option_file(cfg: &Config, deadline: Deadline) -> Result<ServerDefaults, Error> {
    let defaults = crate::edge::mycnf::server_defaults(cfg, deadline).await?;
    let mut settings = defaults.settings.clone();
    settings.extend(mycnf::from_arguments(&cfg.additional_parameters));
    if let Some((s, lib)) = mycnf::provider(&settings) {
        readable_file("config", Path::new(lib)).map_err(|_| {
            Error::installed(
                "config",
                format!("{}: wsrep_provider = {lib} does not exist", s.origin),
            )
        })?;
    }
    let expected = mycnf::Expected {
        config: &cfg.config,
        datadir: &cfg.datadir,
        socket: &cfg.socket,
        pid: &cfg.pid,
        cluster_address: &cfg.wsrep_cluster_address,
    };
    let findings = mycnf::check(&expected, &settings);
    for w in &findings.warnings {
        warn!("parameter {}: {}", w.param, w.text);
    }
    match findings.errors.into_iter().next() {
        Some(f) => Err(Error::option_file(f.param, f.text)),
        None => Ok(defaults),
    }
}

fn meta(env: &std::collections::BTreeMap<String, String>) -> Result<(), Error> {
    if let Some(t) = env.get("OCF_RESKEY_CRM_meta_timeout") {
        parse_timeout(t).map_err(|e| Error::configured("CRM_meta_timeout", e.to_string()))?;
    }
    if let Some(p) = env.get("OCF_RESKEY_CRM_meta_promotable") {
        if parse_bool(p) == Some(false) {
            return Err(Error::configured(
                "CRM_meta_promotable",
                "galera must be configured as a promotable clone",
            ));
        }
    }
    Ok(())
}

/// The stock agent's default binary is mysqld_safe; this agent starts and watches the server itself, and
/// a wrapper in between would hide the real server process from it.
fn not_a_wrapper(cfg: &Config) -> Result<(), Error> {
    let name = cfg
        .binary
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.ends_with("_safe") || name.ends_with("-safe") {
        return Err(Error::configured(
            "binary",
            format!(
                "{} is a wrapper script; point binary at the server itself (e.g. /usr/sbin/mariadbd)",
                cfg.binary.display()
            ),
        ));
    }
    Ok(())
}

/// Every check of [`validate`], and the option file as mariadbd reads it (one `mariadbd
/// --print-defaults`, [`option_file`]): validate-all. start runs the same two with its in-use check in
/// between (nothing is run next to a live server); reload-agent does without the option file: the server
/// already runs with it, and no parameter reload-agent applies is compared with it.
pub async fn validate_all(
    cfg: &Config,
    env: &std::collections::BTreeMap<String, String>,
    node: &str,
    deadline: Deadline,
) -> Result<(), Error> {
    validate(cfg, env, node)?;
    option_file(cfg, deadline).await.map(drop)
}

/// The checks that read no option file; the node name decides membership. The tools the agent runs by
/// name ([`WriteTools`]) are checked like the binary: missing, ERR_INSTALLED.
pub fn validate(
    cfg: &Config,
    env: &std::collections::BTreeMap<String, String>,
    node: &str,
) -> Result<(), Error> {
    meta(env)?;
    for name in crate::params::unknown_names(env.keys().map(String::as_str)) {
        warn!("OCF_RESKEY_{name} is no parameter of this agent (misspelled?); it is ignored");
    }
    let membership = members::membership(cfg)?;
    members::require_member(&membership, node, cfg)?;
    not_a_wrapper(cfg)?;
    executable("binary", &cfg.binary)?;
    WriteTools::on_path()?;
    readable_file("config", &cfg.config)?;
    let (uid, _gid) = crate::edge::mysqld::owner(cfg)?;
    datadir(cfg, uid.as_raw())?;
    Ok(())
}
