//! One file per OCF action: gather facts (edge) → decide (pure) → apply (edge).

pub mod common;
pub mod demote;
pub mod members;
pub mod monitor;
pub mod notify;
pub mod promote;
pub mod reload;
pub mod start;
pub mod stop;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::Config;
use crate::deadline::{parse_timeout, Deadline};
use crate::edge::{cib, mysqld};
use crate::error::Error;
use crate::exit::Outcome;
use crate::metadata;
use crate::ocf::Action;

/// The deadline of this action: `CRM_meta_timeout` when usable, else the meta-data default.
pub fn deadline(action: Action, cfg: &Config) -> Deadline {
    let fallback = Duration::from_secs(metadata::default_timeout_secs(action.as_str()));
    let timeout = match cfg.meta.timeout.as_deref().map(parse_timeout) {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            warn!("{e}; using the default timeout of {fallback:?}");
            fallback
        }
        None => fallback,
    };
    Deadline::after(timeout)
}

/// This node's Pacemaker name: `CRM_meta_on_node` when Pacemaker passed it, else `crm_node -n`.
pub async fn node_name(cfg: &Config, deadline: Deadline) -> Result<String, Error> {
    match &cfg.meta.on_node {
        Some(n) => Ok(n.clone()),
        None => cib::local_node_name(deadline).await,
    }
}

/// The context of an action that needs this node's name.
pub async fn ctx(cfg: &Config, deadline: Deadline) -> Result<common::Ctx<'_>, Error> {
    Ok(common::Ctx {
        cfg,
        node: node_name(cfg, deadline).await?,
        deadline,
    })
}

/// The node name for validate-all, which must work without a cluster: `CRM_meta_on_node`, else uname.
fn node_name_offline(cfg: &Config) -> String {
    cfg.meta
        .on_node
        .clone()
        .unwrap_or_else(crate::edge::host::name)
}

/// Whether a mariadbd of the configured (possibly invalid) data directory runs — for `exit::finish` when
/// the configuration could not be parsed. Reads the raw parameters, falling back to the defaults.
pub fn raw_mysqld_running(env: &BTreeMap<String, String>) -> bool {
    let raw = |name: &str| {
        env.get(&format!("OCF_RESKEY_{name}"))
            .filter(|v| !v.is_empty())
            .cloned()
            .or_else(|| crate::params::find(name).map(|p| p.default.to_owned()))
            .unwrap_or_default()
    };
    !mysqld::scan(
        &PathBuf::from(raw("binary")),
        &PathBuf::from(raw("datadir")),
    )
    .is_empty()
}

/// Dispatch one OCF action.
pub async fn run(
    action: Action,
    cfg: &Config,
    env: &BTreeMap<String, String>,
) -> Result<Outcome, Error> {
    let deadline = deadline(action, cfg);
    match action {
        Action::ValidateAll => {
            validate::validate_all(cfg, env, &node_name_offline(cfg), deadline).await?;
            Ok(Outcome::ok())
        }
        Action::ReloadAgent => reload::run(cfg, env, &node_name_offline(cfg), deadline).await,
        Action::MetaData | Action::Usage => Ok(Outcome::ok()),
        Action::Monitor => monitor::run(cfg, deadline, cfg.meta.interval_ms == 0).await,
        Action::Status => monitor::run(cfg, deadline, true).await,
        Action::Stop => {
            // Stopping must not depend on the cluster answering: fall back to uname for the node name.
            let node = match node_name(cfg, deadline).await {
                Ok(n) => n,
                Err(e) => {
                    warn!("stop: {e}; using the host name");
                    node_name_offline(cfg)
                }
            };
            stop::run(&common::Ctx {
                cfg,
                node,
                deadline,
            })
            .await
        }
        Action::Start => start::run(&ctx(cfg, deadline).await?, env).await,
        Action::Promote => promote::run(&ctx(cfg, deadline).await?).await,
        Action::Demote => demote::run(&ctx(cfg, deadline).await?).await,
        Action::Notify => notify::run(&ctx(cfg, deadline).await?).await,
    }
}
