//! reload-agent (OCF 1.1): Pacemaker changed only parameters the meta-data marks `reloadable` and asks the
//! agent to take them on without a restart. mariadbd is never signalled, restarted or reconfigured.
//!
//! The agent reads its parameters afresh in every invocation, so a reload has little to apply:
//! - validate the new configuration like validate-all (a broken one fails here, with its reason, instead
//!   of at the next monitor);
//! - when mariadbd runs, connect once with the new check_user/check_passwd: a refused login fails the
//!   reload (every later monitor would fail the same way); any other query trouble is the monitor's to
//!   judge and only logged;
//! - refresh the marker: drop the cached election explanation (`decision`), which two_node_mode can
//!   change, so the next monitor logs the explanation under the new values. What was published (report,
//!   score, synced) depends on no reloadable parameter and stays cached.
//!
//! Pacemaker schedules this action only when every changed parameter is reloadable (the op's
//! `op-restart-digest` over the others is unchanged); see `metadata.rs` for what the meta-data must say.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::monitor::QueryFailure;
use crate::edge::state;
use crate::edge::{mysqld, sql};
use crate::error::Error;
use crate::exit::Outcome;

use super::validate;

/// The check level of the credential check: the status query only. The deep monitor's test_table read
/// needs a SELECT grant that an account used without OCF_CHECK_LEVEL=20 need not have.
const CREDENTIAL_CHECK_LEVEL: u32 = 0;

pub async fn run(
    cfg: &Config,
    env: &BTreeMap<String, String>,
    node: &str,
    deadline: Deadline,
) -> Result<Outcome, Error> {
    validate::validate(cfg, env, node)?;
    if mysqld::detect(cfg).is_some() {
        credentials(cfg, deadline).await?;
    }
    refresh_marker(cfg)?;
    info!(
        "reload-agent: new parameters validated; mariadbd left running, the next monitor uses them"
    );
    Ok(Outcome::ok())
}

async fn credentials(cfg: &Config, deadline: Deadline) -> Result<(), Error> {
    match sql::snapshot(cfg, CREDENTIAL_CHECK_LEVEL, deadline).await {
        Ok(_) => Ok(()),
        Err(f) if f.kind == QueryFailure::Auth => Err(Error::ReloadLogin {
            user: cfg.check_user.clone(),
            reason: f.text,
        }),
        Err(f) => {
            warn!("reload-agent: credentials not verified: {}", f.text);
            Ok(())
        }
    }
}

/// No marker (this node's instance is stopped) leaves nothing to refresh.
fn refresh_marker(cfg: &Config) -> Result<(), Error> {
    let path = cfg.state_file();
    match state::load(&path)? {
        Some(st) => state::save(&path, &refreshed(st)),
        None => Ok(()),
    }
}

/// The marker after a reload: everything kept except what was derived from reloadable parameters.
fn refreshed(st: state::State) -> state::State {
    state::State {
        decision: None,
        ..st
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::state::State;

    #[test]
    fn a_reload_forgets_the_election_explanation_and_keeps_what_was_published() {
        let st = State {
            unreadable: None,
            reforming: None,
            started: 7,
            promoted: true,
            report: Some(
                crate::galera::report::Report::parse(
                    "v1 uuid=6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10 seqno=3 safe_to_bootstrap=0 \
                     state=primary at=1",
                )
                .unwrap(),
            ),
            score: crate::edge::state::Published::Value(100),
            synced: Some(crate::decide::monitor::Serving::Yes),
            peers: [crate::decide::NodeName::new("node2").unwrap()].into(),
            promoting: [crate::decide::NodeName::new("node2").unwrap()].into(),
            decision: Some("waiting on node3".into()),
            declined: None,
            checked: Some(9),
        };
        let r = refreshed(st.clone());
        assert_eq!(r.decision, None);
        assert_eq!(
            r,
            State {
                decision: None,
                ..st
            }
        );
    }
}
