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
//! round trip; crm_attribute runs only when what this node published has to change. Once a minute
//! (`RECHECK_AFTER`) it reads its own attributes from the CIB (one `cibadmin`), as a probe does, and
//! republishes what was removed or changed behind its back.
//!
//! A server of the datadir the agent did not start (systemd, `galera_new_cluster`, an admin) is running
//! like its own: the same verdict from SQL, so a probe says 8 for a Synced member and a failure, never 7,
//! when it cannot be queried.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::actions::common::{self, Ctx};
use crate::actions::ctx;
use crate::actions::promote::DECLINE_GRACE;
use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::election::Decision;
use crate::decide::monitor::{verdict, Observation, Process, QueryFailure, RequestedRole, Serving};
use crate::decide::promotion::SCORE;
use crate::decide::reform::{self, ReformElection, ReformWait};
use crate::edge::sql::{self, Snapshot};
use crate::edge::state::{self, Published, State};
use crate::edge::{cib, mysqld};
use crate::error::Error;
use crate::exit::Outcome;
use crate::galera::position::{ClusterUuid, Position, Seqno};
use crate::galera::report::{NodeState, Report, SavedPc};
use crate::galera::status::{Health, ServerVars, WsrepStatus};
use crate::ocf::OcfStatus;

/// What one SQL round trip produced.
struct Query {
    health: Result<Health, QueryFailure>,
    status: Option<WsrepStatus>,
    server: ServerVars,
    detail: Option<String>,
    /// A server variable this version cannot read (`common::server_vars_unlogged`).
    unreadable: Option<String>,
}

async fn query(cfg: &Config, pid: Option<i32>, deadline: Deadline) -> Query {
    match sql::snapshot(cfg, cfg.check_level, deadline).await {
        Ok(Snapshot { wsrep, vars }) => {
            let (server, unreadable) = common::server_vars_unlogged(&vars);
            match WsrepStatus::from_rows(&wsrep) {
                Ok(st) => Query {
                    health: Ok(st.health()),
                    status: Some(st),
                    server,
                    detail: None,
                    unreadable,
                },
                Err(e) => Query {
                    health: Err(QueryFailure::Query),
                    status: None,
                    server: ServerVars::default(),
                    detail: Some(e.to_string()),
                    unreadable,
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
                unreadable: None,
            }
        }
        Err(f) => Query {
            health: Err(f.kind),
            status: None,
            server: ServerVars::default(),
            detail: Some(f.text),
            unreadable: None,
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
    let mut marker = state::load(&cfg.state_file())?;
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
    // A hung server (SIGSTOP, stuck) holds the query until its deadline: it gets one ending a cleanup
    // reserve earlier, so a failure's `withdraw_claims` (with the full deadline) still has time for its
    // crm_attribute before Pacemaker kills the monitor.
    let q = match &found {
        Some(f) => Some(query(cfg, f.pid(), deadline.keeping_cleanup()).await),
        None => None,
    };
    if let Some(q) = &q {
        note_unreadable(cfg, marker.as_mut(), q.unreadable.as_deref());
    }
    let in_component = q
        .as_ref()
        .and_then(|q| q.status.as_ref())
        .is_some_and(|s| s.health().in_primary());
    // A re-forming server not yet answering in a component: wait, follow it as a join, or give up now
    // (`decide::reform::wait`).
    let reform_since = marker
        .as_ref()
        .and_then(|m| m.reforming)
        .filter(|_| found.is_some() && !in_component)
        .filter(|_| role(cfg, marker.as_ref()) == RequestedRole::Promoted);
    let reforming = match (reform_since, &found, marker.as_mut()) {
        (Some(since), Some(f), Some(m)) => {
            let (transferring, log) = common::reform_evidence(cfg, f.pid())?;
            let progress = reform::Progress {
                // A transfer ends the re-forming wait whatever the election says: no CIB read.
                election: if transferring {
                    ReformElection::Unknown
                } else {
                    reform_election(cfg, deadline).await
                },
                log,
                transferring,
                age_secs: common::now().saturating_sub(since),
            };
            match reform::wait(&progress) {
                ReformWait::Keep => true,
                ReformWait::Joining => {
                    common::reform_became_join(&ctx(cfg, deadline).await?, m).await?;
                    false
                }
                ReformWait::GiveUp(why) => {
                    return Ok(Outcome::failed(OcfStatus::FailedPromoted, why));
                }
            }
        }
        _ => false,
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
        reforming,
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

/// A server re-forming the saved view, not answering in a component yet: the election again (one CIB
/// read) for `decide::reform::wait`. When it no longer says re-form, because a member stopped,
/// failed, lost its saved view or left the cluster, Galera will never form this component: the attempt
/// fails at once (Pacemaker recovers the instance, and its demote moves gvwstate.dat aside) instead of at
/// the end of the grace. In the lab, a member whose server could not start republished its position 16 s
/// after the others' start, and before this each of them held a non-Primary component of two until its
/// grace ended.
async fn reform_election(cfg: &Config, deadline: Deadline) -> ReformElection {
    let verdict = match ctx(cfg, deadline).await {
        Ok(c) => common::verdict_now(&c).await,
        Err(e) => Err(e),
    };
    match verdict {
        Ok(v) => match v.decision {
            Decision::Reform { .. } => ReformElection::Reform,
            Decision::Join { .. } => ReformElection::ComponentRuns,
            _ => ReformElection::Other(v.explain()),
        },
        Err(e) => {
            warn!("re-running the election while re-forming the saved view: {e}");
            ReformElection::Unknown
        }
    }
}

/// Log an unreadable server variable once per change, not at every monitor (the marker remembers the last
/// warning, and what this invocation saves later keeps it; without a marker, every time). Best effort: a
/// marker that cannot be written only repeats it.
fn note_unreadable(cfg: &Config, marker: Option<&mut State>, now: Option<&str>) {
    let Some(m) = marker else {
        if let Some(w) = now {
            warn!("{w}");
        }
        return;
    };
    if m.unreadable.as_deref() == now {
        return;
    }
    match now {
        Some(w) => warn!("{w}"),
        None => info!("every server variable the VIP rule reads is readable again"),
    }
    m.unreadable = now.map(str::to_owned);
    if let Err(e) = state::save(&cfg.state_file(), m) {
        warn!("remembering the warning: {e}");
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
        Some(status) if status.health().in_primary() => {
            keep_published(cfg, deadline, probe, status, st, serving).await?
        }
        // A transfer before the socket opens, or a server re-forming the saved view (the only way the
        // verdict lets a Promoted node outside a Primary component through): nothing to claim yet.
        _ => keep_transferring(cfg, deadline, st).await?,
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

/// How old the last CIB read of this node's own attributes may get before a healthy Promoted node's
/// recurring monitor reads them again. The state file's cache cannot see an attribute removed or changed
/// behind the node's back (an admin's `crm_attribute -D`, Pacemaker clearing a rejoining node's transient
/// attributes after a partition, an attrd restart): trusting it alone, a wiped `<rsc>-synced` (the VIP's
/// rule) or promotion score stays missing for as long as the node runs. 60 s: one `cibadmin` fork a
/// minute is cheap next to the monitor's own work, and it bounds how long a wiped attribute stays missing
/// (about a minute plus one monitor interval).
const RECHECK_AFTER: Duration = Duration::from_secs(60);

/// Whether a recurring Promoted monitor reads its own attributes from the CIB again: `checked` is when it
/// last did, `now` the time (unix seconds). Never read is due; so is a recorded time in the future (the
/// clock went backwards: how old the read is cannot be told).
fn recheck_due(checked: Option<u64>, now: u64) -> bool {
    checked
        .and_then(|t| now.checked_sub(t))
        .is_none_or(|age| age >= RECHECK_AFTER.as_secs())
}

/// What this node's own attributes hold, as far as it knows: the state file's cache, or one CIB read.
#[derive(Debug, PartialEq)]
struct Known {
    report: Option<Report>,
    score: Published<u32>,
    synced: Option<Serving>,
}

impl Known {
    fn cached(st: &State) -> Known {
        Known {
            report: st.report.clone(),
            score: st.score,
            synced: st.synced,
        }
    }

    /// The attributes whose value `cached` knew and this read shows different: removed or changed behind
    /// this node's back. What the cache did not know (a fresh marker) is not counted.
    fn changed_from(&self, cached: &Known, cfg: &Config) -> Vec<String> {
        let mut changed = Vec::new();
        if cached.report.is_some() && self.report != cached.report {
            changed.push(cfg.report_attr());
        }
        if cached.score != Published::Unknown && self.score != cached.score {
            changed.push(cib::promotion_attr(&cfg.resource));
        }
        if cached.synced.is_some() && self.synced != cached.synced {
            changed.push(cfg.synced_attr());
        }
        changed
    }

    /// One `cibadmin` read of the status section.
    async fn read(c: &Ctx<'_>) -> Result<Known, Error> {
        let attrs = cib::query_status(c.deadline).await?.attrs;
        let own = attrs.get(&c.node);
        Ok(Known {
            // A published text this version cannot read is not known: it is replaced.
            report: own
                .and_then(|a| a.get(&c.cfg.report_attr()))
                .and_then(|t| Report::parse(t).ok()),
            score: common::known_score(c, &attrs),
            synced: own
                .and_then(|a| a.get(&c.cfg.synced_attr()))
                .and_then(|v| Serving::from_attr(v)),
        })
    }
}

/// Make sure `state=primary` and the score are published. A recurring monitor trusts its cache (no fork
/// when nothing changed) for [`RECHECK_AFTER`] after its last CIB read, then reads the CIB once, as a probe
/// always does (a probe runs after Pacemaker restarted and may have wiped the transient attributes), and
/// republishes what is missing or different.
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
    let read_cib = probe || recheck_due(st.checked, common::now());
    if cached_ok && !read_cib {
        return Ok(());
    }
    if st.reforming.take().is_some() {
        info!(
            "the saved Primary view is re-formed: {} is in the Primary component",
            cfg.resource
        );
    }
    // A re-forming start in its component (Synced or not: a Donor or a desynced member may stay so for
    // long) is over: its marker is settled now, so it never outlives the attempt (one stat when absent).
    common::settle_reform_marker(cfg)?;
    if status.health() == Health::Synced {
        // The join is complete: the datadir holds a whole copy now (see edge::datadir's marker).
        crate::edge::datadir::clear_transfer(&cfg.datadir)?;
    }
    let c: Ctx<'_> = ctx(cfg, deadline).await?;
    let cached = Known::cached(&st);
    let known = if read_cib {
        match Known::read(&c).await {
            Ok(k) => {
                st.checked = Some(common::now());
                let changed = k.changed_from(&cached, cfg);
                if !probe && !changed.is_empty() {
                    info!(
                        "the CIB no longer holds what {} published ({}: removed or changed behind its \
                         back): publishing it again",
                        c.node,
                        changed.join(", ")
                    );
                }
                k
            }
            Err(e) if probe => return Err(e),
            // The re-check is a safety net, not a health check: a CIB that cannot be read now fails no
            // healthy node. The cache stands, and the next monitor tries again (`checked` is unchanged).
            Err(e) => {
                warn!("re-checking this node's attributes: {e}");
                cached
            }
        }
    } else {
        cached
    };
    if is_current_primary(known.report.as_ref(), status) {
        st.report = known.report;
    } else {
        common::publish(&c, &mut st, &primary_report(status), known.report.as_ref()).await?;
    }
    common::set_score(&c, &mut st, Some(SCORE), known.score).await?;
    common::set_synced(&c, &mut st, serving, known.synced).await?;
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
        pc: SavedPc::Absent,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn status(uuid: &str) -> WsrepStatus {
        WsrepStatus {
            cluster_state_uuid: Some(uuid.parse().unwrap()),
            ..WsrepStatus::default()
        }
    }

    const U: &str = "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10";

    const T: u64 = 1_796_000_000;

    #[test]
    fn no_recheck_within_a_minute_of_the_last_cib_read() {
        assert!(!recheck_due(Some(T), T));
        assert!(!recheck_due(Some(T), T + RECHECK_AFTER.as_secs() - 1));
    }

    #[test]
    fn a_recheck_is_due_a_minute_after_the_last_cib_read() {
        assert!(recheck_due(Some(T), T + RECHECK_AFTER.as_secs()));
        assert!(recheck_due(Some(T), T + 10 * RECHECK_AFTER.as_secs()));
    }

    #[test]
    fn a_recheck_is_due_when_the_cib_was_never_read() {
        // A new marker, or one written by a version before `checked` existed.
        assert!(recheck_due(None, T));
        assert!(recheck_due(None, 0));
    }

    #[test]
    fn a_recheck_is_due_when_the_clock_went_backwards() {
        // The last read seems to lie in the future: its age is unknown.
        assert!(recheck_due(Some(T), T - 1));
        assert!(recheck_due(Some(T), 0));
    }

    #[test]
    fn only_what_the_cache_knew_counts_as_changed_behind_the_nodes_back() {
        let env = BTreeMap::from([(
            "OCF_RESKEY_wsrep_cluster_address".to_owned(),
            "gcomm://a,b,c".to_owned(),
        )]);
        let cfg = Config::from_env(&env, "galera".into()).unwrap();
        let text = format!("v1 uuid={U} seqno=5 safe_to_bootstrap=0 state=primary at=1");
        let cached = Known {
            report: Some(Report::parse(&text).unwrap()),
            score: Published::Value(SCORE),
            synced: Some(Serving::Yes),
        };
        let same = Known {
            report: cached.report.clone(),
            ..cached
        };
        assert!(same.changed_from(&cached, &cfg).is_empty());
        // An admin's `crm_attribute -D` of the VIP's attribute, or every transient attribute cleared.
        let no_synced = Known {
            synced: None,
            report: cached.report.clone(),
            ..cached
        };
        assert_eq!(no_synced.changed_from(&cached, &cfg), ["galera-synced"]);
        let wiped = Known {
            report: None,
            score: Published::Unknown,
            synced: None,
        };
        assert_eq!(
            wiped.changed_from(&cached, &cfg),
            ["galera-report", "master-galera", "galera-synced"]
        );
        // A cache that knew nothing (a fresh marker) finds nothing changed.
        assert!(cached.changed_from(&wiped, &cfg).is_empty());
    }

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
