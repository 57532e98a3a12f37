//! monitor / probe / status.
//!
//! - no mariadbd, no marker → 7; no mariadbd, marker of an Unpromoted instance → 0 (and, for a recurring
//!   monitor, the election is re-run on one CIB read); no mariadbd but the marker says Promoted → 9.
//! - mariadbd runs → its wsrep status over the socket decides: Primary and Synced/Donor (or catching up) →
//!   8, anything else → 9 with the reason.
//!
//! A healthy Promoted node's recurring monitor forks nothing: marker read, pid file + /proc check, one SQL
//! round trip; crm_attribute runs only when what this node published has to change.

use std::collections::BTreeSet;

use crate::actions::common::{self, Ctx, SCORE};
use crate::actions::ctx;
use crate::config::Config;
use crate::deadline::Deadline;
use crate::edge::state::{self, State};
use crate::edge::{mysqld, sql};
use crate::error::Error;
use crate::exit::Outcome;
use crate::galera::position::Position;
use crate::galera::report::{NodeState, Report};
use crate::galera::status::{Health, WsrepStatus};
use crate::ocf::OcfStatus;

pub async fn run(cfg: &Config, deadline: Deadline, probe: bool) -> Result<Outcome, Error> {
    let path = cfg.state_file();
    let marker = state::load(&path)?;
    match (mysqld::find(cfg), marker) {
        (None, None) => Ok(Outcome::of(OcfStatus::NotRunning)),
        (None, Some(st)) if st.promoted => Ok(Outcome::failed(
            OcfStatus::FailedPromoted,
            format!(
                "mariadbd of the Promoted instance ({}) is not running",
                cfg.datadir.display()
            ),
        )),
        (None, Some(st)) => unpromoted(cfg, deadline, probe, st).await,
        (Some(pid), st) => running(cfg, deadline, probe, pid, st).await,
    }
}

async fn unpromoted(
    cfg: &Config,
    deadline: Deadline,
    probe: bool,
    mut st: State,
) -> Result<Outcome, Error> {
    if !probe {
        let before = st.clone();
        let c = ctx(cfg, deadline).await?;
        common::elect_and_apply(&c, &mut st, &BTreeSet::new()).await?;
        if st != before {
            state::save(&cfg.state_file(), &st)?;
        }
    }
    Ok(Outcome::ok())
}

/// What the wsrep status means for a running (so: promoted) instance.
pub fn verdict(health: Health, read_only: Option<bool>) -> Result<(), String> {
    match health {
        Health::Synced | Health::Donor | Health::Joiner | Health::Joined => {}
        other => {
            return Err(format!(
                "mariadbd runs but is {} (not Synced in a Primary component)",
                other.as_str()
            ))
        }
    }
    if read_only == Some(true) {
        return Err("mariadbd runs in a Primary component but read_only is ON".into());
    }
    Ok(())
}

async fn running(
    cfg: &Config,
    deadline: Deadline,
    probe: bool,
    pid: i32,
    st: Option<State>,
) -> Result<Outcome, Error> {
    let failed = |reason: String| {
        Ok(Outcome::failed(
            OcfStatus::FailedPromoted,
            format!("pid {pid}: {reason}"),
        ))
    };
    let snap = match sql::snapshot(cfg, cfg.check_level, deadline).await {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let status = match WsrepStatus::from_rows(&snap.wsrep) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let health = status.health();
    if let Err(reason) = verdict(health, snap.read_only) {
        return failed(reason);
    }
    if matches!(health, Health::Joiner | Health::Joined) {
        info!(
            "mariadbd (pid {pid}) is {} (state transfer or catch-up in progress)",
            health.as_str()
        );
    }
    keep_published(cfg, deadline, probe, &status, st).await?;
    Ok(Outcome::of(OcfStatus::RunningPromoted))
}

/// Make sure `state=primary` and the score are published — only when the cache says they are not (or on a
/// probe, which runs after Pacemaker restarted and may have lost the transient attributes).
async fn keep_published(
    cfg: &Config,
    deadline: Deadline,
    probe: bool,
    status: &WsrepStatus,
    st: Option<State>,
) -> Result<(), Error> {
    let mut st = st.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
    let cached_primary = st
        .report
        .as_deref()
        .and_then(|t| Report::parse(t).ok())
        .is_some_and(|r| r.state == NodeState::Primary);
    if !probe && cached_primary && st.promoted && st.score == Some(Some(SCORE)) {
        return Ok(());
    }
    let c: Ctx<'_> = ctx(cfg, deadline).await?;
    let report = primary_report(status);
    let known = if probe { None } else { st.report.clone() };
    common::publish(&c, &mut st, &report, known.as_deref()).await?;
    let known_score = if probe { None } else { st.score };
    common::set_score(&c, &mut st, Some(SCORE), known_score).await?;
    st.promoted = true;
    state::save(&cfg.state_file(), &st)
}

/// The report of a node running in the Primary component.
pub fn primary_report(status: &WsrepStatus) -> Report {
    Report {
        position: Position::new(
            status
                .cluster_state_uuid
                .unwrap_or(crate::galera::position::ClusterUuid::NIL),
            status
                .last_committed
                .unwrap_or(crate::galera::position::Seqno::UNKNOWN),
        ),
        safe_to_bootstrap: false,
        state: NodeState::Primary,
        at: common::now(),
        view: None,
    }
}
