//! monitor / probe / status: gather (marker, /proc, one SQL round trip) → `decide::monitor::verdict` →
//! apply (election for an Unpromoted node, keep `state=primary` published for a Promoted one).
//!
//! - no mariadbd, no marker → 7; no mariadbd, marker of an Unpromoted instance → 0 (a recurring monitor
//!   re-runs the election on one CIB read); no mariadbd while Promoted → 9.
//! - mariadbd runs → Primary and Synced/Donor/catching up → 8 (9 with read_only ON at OCF_CHECK_LEVEL >=
//!   10); otherwise 9 (1 when nobody expects it Promoted) with the reason. `<rsc>-synced` says what a
//!   Promoted node offers clients (`decide::monitor::Serving`: 1, desynced, 0), from the wsrep status and
//!   the server variables of the same round trip.
//!
//! A healthy Promoted node's recurring monitor forks nothing: marker read, pid file + /proc check, one SQL
//! round trip; crm_attribute runs only when what this node published has to change.
//!
//! A server of the datadir the agent did not start (systemd, `galera_new_cluster`, an admin) is running
//! like its own: the same verdict from SQL, so a probe says 8 for a Synced member and a failure, never 7,
//! when it cannot be queried.

use std::collections::BTreeSet;

use crate::actions::common::{self, Ctx};
use crate::actions::ctx;
use crate::actions::promote::DECLINE_GRACE;
use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::monitor::{verdict, Observation, Process, QueryFailure, RequestedRole, Serving};
use crate::decide::promotion::SCORE;
use crate::edge::sql::{self, Snapshot};
use crate::edge::state::{self, Published, State};
use crate::edge::{cib, mysqld};
use crate::error::Error;
use crate::exit::Outcome;
use crate::galera::position::{ClusterUuid, Position, Seqno};
use crate::galera::report::{NodeState, Report};
use crate::galera::status::{Health, ServerVars, WsrepStatus};
use crate::ocf::OcfStatus;

/// What one SQL round trip produced.
struct Query {
    health: Result<Health, QueryFailure>,
    status: Option<WsrepStatus>,
    server: ServerVars,
    detail: Option<String>,
}

async fn query(cfg: &Config, pid: Option<i32>, deadline: Deadline) -> Query {
    match sql::snapshot(cfg, cfg.check_level, deadline).await {
        Ok(Snapshot { wsrep, vars }) => {
            let server = common::server_vars(&vars);
            match WsrepStatus::from_rows(&wsrep) {
                Ok(st) => Query {
                    health: Ok(st.health()),
                    status: Some(st),
                    server,
                    detail: None,
                },
                Err(e) => Query {
                    health: Err(QueryFailure::Query),
                    status: None,
                    server: ServerVars::default(),
                    detail: Some(e.to_string()),
                },
            }
        }
        Err(f)
            if f.kind == QueryFailure::Connect
                && pid.is_some_and(|p| mysqld::state_transfer_in_progress(cfg, p)) =>
        {
            info!("mariadbd is receiving a state transfer (its socket opens afterwards)");
            Query {
                health: Ok(Health::Joiner),
                status: None,
                server: ServerVars::default(),
                detail: None,
            }
        }
        Err(f) => Query {
            health: Err(f.kind),
            status: None,
            server: ServerVars::default(),
            detail: Some(f.text),
        },
    }
}

/// The role Pacemaker expects: its `CRM_meta_role` when given, else what the marker recorded.
fn role(cfg: &Config, marker: Option<&State>) -> RequestedRole {
    match cfg.meta.role.as_deref() {
        Some("Promoted" | "Master") => RequestedRole::Promoted,
        Some("Unpromoted" | "Slave") => RequestedRole::Unpromoted,
        _ if marker.is_some_and(|m| m.promoted) => RequestedRole::Promoted,
        _ => RequestedRole::Unspecified,
    }
}

pub async fn run(cfg: &Config, deadline: Deadline, probe: bool) -> Result<Outcome, Error> {
    let marker = state::load(&cfg.state_file())?;
    let found = mysqld::detect(cfg);
    if let (Some(f), None) = (&found, &marker) {
        info!(
            "a mariadbd of {} runs without a start recorded by this agent: {}",
            cfg.datadir.display(),
            f.describe()
        );
    }
    if let (None, Some(m)) = (&found, &marker) {
        if let Some(outcome) = declined_promote(cfg, deadline, m).await {
            return Ok(outcome);
        }
    }
    let q = match &found {
        Some(f) => Some(query(cfg, f.pid(), deadline).await),
        None => None,
    };
    let obs = Observation {
        process: if found.is_some() {
            Process::Running
        } else {
            Process::NotRunning
        },
        started: marker.is_some(),
        health: q.as_ref().map(|q| q.health),
        server: q.as_ref().map(|q| q.server).unwrap_or_default(),
        read_only_fails: cfg.check_level >= 10,
        role: role(cfg, marker.as_ref()),
    };
    let v = verdict(&obs);
    if v.reason.is_some() {
        let non_primary = matches!(obs.health, Some(Ok(Health::NonPrimary)));
        withdraw_claims(cfg, deadline, marker.as_ref(), non_primary).await;
    }
    if let Some(reason) = v.reason {
        if !v.evidence {
            return Ok(Outcome::failed(v.status, reason));
        }
        let detail = q
            .and_then(|q| q.detail)
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        let who = found
            .map(|f| format!("; {}", f.describe()))
            .unwrap_or_default();
        return Ok(Outcome::failed(v.status, format!("{reason}{who}{detail}")));
    }
    match (v.status, marker, q) {
        (OcfStatus::Success, Some(st), _) if !probe => unpromoted(cfg, deadline, st).await,
        (OcfStatus::RunningPromoted, st, Some(q)) => {
            promoted(cfg, deadline, probe, st, q, v.serving).await
        }
        (status, _, _) => Ok(Outcome::of(status)),
    }
}

/// A failing monitor takes back, before it returns, what this node told the cluster while it was healthy
/// (best effort: the failure is reported either way).
///
/// - `<rsc>-synced` goes to 0: the VIP's location rule then moves the VIP in the very transition that
///   handles this failure. Without it the scheduler keeps the VIP here through the instance's whole
///   recovery (demote, stop, start, promote: it is Promoted again afterwards), and the VIP left only when
///   demote's own attribute change aborted that transition. `0` rather than deleting it, so a site still
///   on the older `galera-synced eq 0` rule gets the same.
/// - With the server outside any Primary component, the published `state=primary` report is no longer
///   true, and other nodes' elections must not send joiners here (its Galera port is open, so they cannot
///   tell): the report is deleted — not reported is what the election waits on — until the recovery
///   Pacemaker runs next (demote, stop) publishes the position again.
async fn withdraw_claims(
    cfg: &Config,
    deadline: Deadline,
    marker: Option<&State>,
    non_primary: bool,
) {
    let Some(m) = marker else { return };
    let claims_primary = non_primary
        && m.report
            .as_ref()
            .is_some_and(|r| r.state == NodeState::Primary);
    let offers_clients = m.synced.is_some_and(|s| s != Serving::No);
    if !claims_primary && !offers_clients {
        return;
    }
    let c = match ctx(cfg, deadline).await {
        Ok(c) => c,
        Err(e) => {
            warn!("withdrawing what this node published: {e}");
            return;
        }
    };
    let mut st = m.clone();
    if offers_clients {
        match common::set_synced(&c, &mut st, Serving::No, m.synced).await {
            Ok(()) => info!("the monitor failed: no VIP here until the node is recovered"),
            Err(e) => warn!("withdrawing {}: {e}", cfg.synced_attr()),
        }
    }
    if claims_primary {
        match cib::delete(&c.node, &cfg.report_attr(), deadline).await {
            Ok(()) => {
                info!(
                    "mariadbd is outside a Primary component: {} withdrawn (no state=primary claim)",
                    cfg.report_attr()
                );
                st.report = None;
            }
            Err(e) => warn!("withdrawing the primary claim: {e}"),
        }
    }
    if st != *m {
        if let Err(e) = state::save(&cfg.state_file(), &st) {
            warn!("{e}");
        }
    }
}

/// A Promoted monitor right after a declined promote (`actions::promote::decline`): no server on purpose,
/// the demote is on its way. Reported running (with `<rsc>-synced=0` published, so no VIP comes here) for
/// [`DECLINE_GRACE`] seconds; afterwards the usual failure.
///
/// If meanwhile this node got its promotion score back (the election now wants it: e.g. it is the bootstrap
/// node after all), waiting for a demote that never comes would stall the cluster for the whole grace: the
/// monitor fails it instead, so Pacemaker recovers it and promotes it for real.
async fn declined_promote(cfg: &Config, deadline: Deadline, marker: &State) -> Option<Outcome> {
    let at = marker.declined?;
    if role(cfg, Some(marker)) != RequestedRole::Promoted
        || common::now().saturating_sub(at) >= DECLINE_GRACE
    {
        return None;
    }
    let score_back = match ctx(cfg, deadline).await {
        Ok(c) => match cib::query_status(deadline).await {
            Ok(status) => matches!(common::known_score(&c, &status.attrs), Published::Value(_)),
            Err(e) => {
                warn!("{e}");
                false
            }
        },
        Err(e) => {
            warn!("{e}");
            false
        }
    };
    if score_back {
        return Some(Outcome::failed(
            OcfStatus::FailedPromoted,
            "the promote was declined, but the election now wants this node promoted: recover it",
        ));
    }
    info!(
        "promote was declined {} s ago: Promoted in name only, no server, until Pacemaker demotes it",
        common::now().saturating_sub(at)
    );
    Some(Outcome::of(OcfStatus::RunningPromoted))
}

async fn unpromoted(cfg: &Config, deadline: Deadline, mut st: State) -> Result<Outcome, Error> {
    let before = st.clone();
    let c = ctx(cfg, deadline).await?;
    common::elect_and_apply(&c, &mut st, BTreeSet::new()).await?;
    if st != before {
        state::save(&cfg.state_file(), &st)?;
    }
    Ok(Outcome::ok())
}

async fn promoted(
    cfg: &Config,
    deadline: Deadline,
    probe: bool,
    st: Option<State>,
    q: Query,
    serving: Serving,
) -> Result<Outcome, Error> {
    if let (Ok(h @ (Health::Joiner | Health::Joined)), Some(_)) = (q.health, &q.status) {
        info!(
            "mariadbd is {} (state transfer or catch-up in progress)",
            h.as_str()
        );
    }
    match &q.status {
        Some(status) => keep_published(cfg, deadline, probe, status, st, serving).await?,
        None => keep_transferring(cfg, deadline, st).await?,
    }
    Ok(Outcome::of(OcfStatus::RunningPromoted))
}

/// A joiner during its state transfer keeps its score with `<rsc>-synced=0` (no fork once published).
async fn keep_transferring(
    cfg: &Config,
    deadline: Deadline,
    st: Option<State>,
) -> Result<(), Error> {
    let mut st = st.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
    if st.promoted && st.score == Published::Value(SCORE) && st.synced == Some(Serving::No) {
        return Ok(());
    }
    let c: Ctx<'_> = ctx(cfg, deadline).await?;
    let (score, synced) = (st.score, st.synced);
    common::set_score(&c, &mut st, Some(SCORE), score).await?;
    common::set_synced(&c, &mut st, Serving::No, synced).await?;
    st.promoted = true;
    state::save(&cfg.state_file(), &st)
}

/// A published `state=primary` report of the same cluster stays valid while the node runs: its seqno is
/// not refreshed at every write (that would mean a crm_attribute call per monitor).
fn is_current_primary(report: Option<&Report>, status: &WsrepStatus) -> bool {
    report.is_some_and(|r| {
        r.state == NodeState::Primary
            && status
                .cluster_state_uuid
                .is_none_or(|u| u == r.position.uuid)
    })
}

/// Make sure `state=primary` and the score are published. A recurring monitor trusts its cache (no fork
/// when nothing changed); a probe — which runs after Pacemaker restarted and may have wiped the transient
/// attributes — checks the CIB with one read.
async fn keep_published(
    cfg: &Config,
    deadline: Deadline,
    probe: bool,
    status: &WsrepStatus,
    st: Option<State>,
    serving: Serving,
) -> Result<(), Error> {
    let mut st = st.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
    let cached_ok = st.promoted
        && st.score == Published::Value(SCORE)
        && st.synced == Some(serving)
        && is_current_primary(st.report.as_ref(), status);
    if !probe && cached_ok {
        return Ok(());
    }
    if status.health() == Health::Synced {
        // The join is complete: the datadir holds a whole copy now (see edge::datadir's marker).
        crate::edge::datadir::clear_transfer(&cfg.datadir)?;
    }
    let c: Ctx<'_> = ctx(cfg, deadline).await?;
    let (known_report, known_score, known_synced) = if probe {
        let attrs = cib::query_status(deadline).await?.attrs;
        let own = attrs.get(&c.node);
        (
            // A published text this version cannot read is not known: it is replaced.
            own.and_then(|a| a.get(&cfg.report_attr()))
                .and_then(|t| Report::parse(t).ok()),
            common::known_score(&c, &attrs),
            own.and_then(|a| a.get(&cfg.synced_attr()))
                .and_then(|v| Serving::from_attr(v)),
        )
    } else {
        (st.report.clone(), st.score, st.synced)
    };
    if is_current_primary(known_report.as_ref(), status) {
        st.report = known_report;
    } else {
        common::publish(&c, &mut st, &primary_report(status), known_report.as_ref()).await?;
    }
    common::set_score(&c, &mut st, Some(SCORE), known_score).await?;
    common::set_synced(&c, &mut st, serving, known_synced).await?;
    let before = state::load(&cfg.state_file())?;
    st.promoted = true;
    if before.as_ref() != Some(&st) {
        state::save(&cfg.state_file(), &st)?;
    }
    Ok(())
}

/// The report of a node running in the Primary component.
pub fn primary_report(status: &WsrepStatus) -> Report {
    Report {
        position: Position::new(
            status.cluster_state_uuid.unwrap_or(ClusterUuid::NIL),
            status.last_committed.unwrap_or(Seqno::UNKNOWN),
        ),
        safe_to_bootstrap: false,
        state: NodeState::Primary,
        at: common::now(),
        view: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(uuid: &str) -> WsrepStatus {
        WsrepStatus {
            cluster_state_uuid: Some(uuid.parse().unwrap()),
            ..WsrepStatus::default()
        }
    }

    const U: &str = "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10";

    #[test]
    fn a_primary_report_stays_current_while_the_cluster_is_the_same() {
        let text = format!("v1 uuid={U} seqno=5 safe_to_bootstrap=0 state=primary at=1");
        let primary = Report::parse(&text).unwrap();
        assert!(is_current_primary(Some(&primary), &status(U)));
        assert!(!is_current_primary(
            Some(&primary),
            &status("7b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10")
        ));
        let stopped = Report::parse(&text.replace("state=primary", "state=stopped")).unwrap();
        assert!(!is_current_primary(Some(&stopped), &status(U)));
        assert!(!is_current_primary(None, &status(U)));
    }
}
