//! promote (Unpromoted → Promoted): re-run the election now, then
//! - Join → start mariadbd with `--wsrep_cluster_address=gcomm://<running members>` (from the election and
//!   the pre-promote notification) and wait, bounded by the action timeout, until Synced. A joiner still
//!   receiving its state transfer when the wait ends is Promoted with `<rsc>-synced=0` (killing it would
//!   restart the transfer from zero, in a loop, on a big dataset); the monitor follows it to Synced. A joiner
//!   that is neither Synced nor transferring in time stops its mariadbd cleanly and fails — it never
//!   bootstraps. With `promote_wait_synced=false` the transfer is handed to the monitor at once;
//! - Bootstrap of this node → set `safe_to_bootstrap: 1` atomically, start with `--wsrep-new-cluster`,
//!   wait until Primary and Synced;
//! - Reform (every member level, Galera's saved view on disk everywhere) → start with the recovered
//!   position and gvwstate.dat kept, publish `joining` with `pcr=reforming`; wait for the component only
//!   when every member is promoted in this same transition (at most [`REFORM_WAIT`]), else hand the wait
//!   to the monitor at once (Promoted, `<rsc>-synced=0`, `decide::reform::wait`): a promote
//!   that waited for members Pacemaker has not promoted yet would hold up the very transition that
//!   promotes them;
//! - anything else → decline: mariadbd stays stopped, the score is removed and promote succeeds (see
//!   [`decline`]).
//!
//! Success publishes `state=primary`.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::actions::common::{self, Ctx};
use crate::actions::members;
use crate::actions::monitor::primary_report;
use crate::deadline::Deadline;
use crate::decide::monitor::{serving, QueryFailure, Serving};
use crate::decide::promotion::{self, PromotePlan, SCORE};
use crate::decide::{join_names, NodeName};
use crate::edge::cib;
use crate::edge::datadir;
use crate::edge::mysqld::{self, Started};
use crate::edge::sql;
use crate::edge::state::{self, Published, State};
use crate::error::{Error, NotReady};
use crate::exit::Outcome;
use crate::galera::grastate;
use crate::galera::report::{NodeState, Report, SavedPc};
use crate::galera::status::{ClusterStatus, Health, ServerVars, WsrepStatus};

const POLL: Duration = Duration::from_millis(250);

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let cfg = ctx.cfg;
    let path = cfg.state_file();
    let mut st = state::load(&path)?.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
    if let Some(pid) = mysqld::find(cfg) {
        return already_running(ctx, &mut st, pid).await;
    }
    let plan = plan(ctx, &st).await?;
    if matches!(plan, PromotePlan::Join { .. } | PromotePlan::Bootstrap) {
        // A failed re-forming attempt whose demote did not run (or did not finish): its saved view and
        // marker are settled before this datadir joins or bootstraps.
        common::end_failed_reform(cfg, &mut st, ctx.deadline).await;
    }
    // Whether a transfer into this datadir was already unfinished before this promote (then it stays so).
    let marked_before = datadir::transfer_marked(&cfg.datadir)?;
    let position = start_position(&st);
    let (mut started, bootstrap) = match plan {
        PromotePlan::Decline(reason) => return decline(ctx, &mut st, reason).await,
        PromotePlan::Join { peers, anchors } => {
            // The turn first: a bootstrap node promoted alongside has had that much more time to listen.
            take_turn(ctx, &st.promoting, &anchors).await;
            let hosts = members::hosts_of(&members::membership(cfg)?, &anchors);
            let hosts: Vec<_> = hosts.iter().collect();
            if !crate::edge::gcomm::any_listening(&hosts, Duration::from_secs(2)) {
                return decline(
                    ctx,
                    &mut st,
                    format!(
                        "no Galera port answers on {} (their primary reports are stale: their mariadbd \
                         is gone, which their monitor has not noticed yet); the election runs again when \
                         they report",
                        join_names(&anchors, ", ")
                    ),
                )
                .await;
            }
            (join(ctx, &mut st, &peers, position).await?, false)
        }
        PromotePlan::Bootstrap => (bootstrap(ctx, position).await?, true),
        PromotePlan::Reform { peers, together } => {
            let Some(position) = position else {
                return decline(
                    ctx,
                    &mut st,
                    "re-forming the saved Primary view needs this node's recovered position, and its \
                     report has none"
                        .into(),
                )
                .await;
            };
            if !crate::edge::lastview::on_disk(cfg) {
                return decline(
                    ctx,
                    &mut st,
                    format!(
                        "re-forming the saved Primary view needs {}, which is gone",
                        cfg.gvwstate_path().display()
                    ),
                )
                .await;
            }
            let mut started = reform(ctx, &mut st, &peers, position).await?;
            return reform_wait(ctx, &mut st, &mut started, together).await;
        }
    };
    let fresh_marker = !bootstrap && !marked_before;
    let ready = match wait_ready(ctx, &st, &mut started, bootstrap).await {
        Ok(r) => r,
        Err(reason) => return Err(give_up(ctx, &st, reason).await),
    };
    match &ready {
        Ready::Running(status, vars) => finish(ctx, &mut st, status, vars).await?,
        Ready::Transferring => transferring(ctx, &mut st).await?,
        Ready::Abandoned(reason) => {
            abandon(ctx, fresh_marker).await?;
            return decline(ctx, &mut st, reason.clone()).await;
        }
    }
    Ok(Outcome::ok())
}

/// Promote of a node whose server already runs (a retried promote): fine if it is healthy.
async fn already_running(ctx: &Ctx<'_>, st: &mut State, pid: i32) -> Result<Outcome, Error> {
    let snap = sql::snapshot(ctx.cfg, 0, ctx.deadline)
        .await
        .map_err(|f| f.into_error(ctx.cfg))?;
    let status = WsrepStatus::from_rows(&snap.wsrep).map_err(Error::PromoteStatus)?;
    if matches!(status.health(), Health::Synced | Health::Donor) {
        info!("promote: mariadbd (pid {pid}) already runs Synced in a Primary component");
        finish(ctx, st, &status, &common::server_vars(&snap.vars)).await?;
        return Ok(Outcome::ok());
    }
    Err(Error::AlreadyRunningUnhealthy {
        pid,
        health: status.health(),
    })
}

/// The verdict at promote time, with the nodes the pre-promote notification named as promoted/promoting.
async fn plan(ctx: &Ctx<'_>, st: &State) -> Result<PromotePlan, Error> {
    let status = cib::query_status(ctx.deadline).await?;
    let promoting = st.peers.clone();
    let facts = common::gather_facts(
        ctx.cfg,
        &ctx.node,
        &status,
        BTreeSet::new(),
        promoting,
        ctx.deadline,
    )
    .await?;
    let verdict = promotion::verdict(&facts);
    info!("promote: election: {}", verdict.explain());
    Ok(verdict.plan)
}

/// The election no longer wants this node promoted (it changed between Pacemaker's decision and now, e.g.
/// a peer reported or left, or the claimed Primary nodes are gone). mariadbd is not started. The score is
/// taken away and promote succeeds, as the stock agent does: a failed promote would count towards
/// `migration-threshold` and soon ban a node the election may be waiting for. Until Pacemaker demotes the
/// instance (its next transition, the score being gone) it is Promoted in name only: `<rsc>-synced=0`
/// keeps the VIP away (the `vip-only-on-synced` rule), and the recurring Promoted monitor, which Pacemaker
/// may run before that demote, reports it running ([`DECLINE_GRACE`]) instead of failing it: in the lab a
/// failed monitor there followed every declined promote and banned the node after three.
async fn decline(ctx: &Ctx<'_>, st: &mut State, reason: String) -> Result<Outcome, Error> {
    warn!(
        "promote declined, no mariadbd running: {reason}; promotion score removed, Promoted in name \
         only until Pacemaker demotes this instance"
    );
    common::set_score(ctx, st, None, Published::Unknown).await?;
    common::set_synced(ctx, st, Serving::No, None).await?;
    st.promoted = false;
    st.declined = Some(common::now());
    st.peers.clear();
    st.promoting.clear();
    state::save(&ctx.cfg.state_file(), st)?;
    Ok(Outcome::ok())
}

/// How long after a declined promote a Promoted monitor without a server still reports it running: enough
/// for Pacemaker to run the demote its next transition holds; after that the instance is failed as usual.
pub const DECLINE_GRACE: u64 = 120;

/// After an unclean stop grastate.dat says seqno -1 and mariadbd (started without mysqld_safe) would
/// offer Galera no position: a joiner would need a full SST instead of IST, a bootstrap node would start
/// the new cluster without its history. So the position `--wsrep-recover` found is passed on, as
/// mysqld_safe does. Not for a nil UUID (`ClusterUuid::is_nil`; a nil history, see `Position::is_empty`):
/// Galera takes it for no position, so a recovered nil-history winner bootstraps a new cluster UUID over
/// the same data, and the others, whose UUIDs then differ from it, join it by a full transfer.
fn start_position(st: &State) -> Option<String> {
    let r = st.report.as_ref()?;
    (r.state == NodeState::Recovered && r.position.seqno.is_known() && !r.position.uuid.is_nil())
        .then(|| {
            format!(
                "--wsrep_start_position={}:{}",
                r.position.uuid,
                r.position.seqno.get()
            )
        })
}

async fn join(
    ctx: &Ctx<'_>,
    st: &mut State,
    peers: &BTreeSet<NodeName>,
    position: Option<String>,
) -> Result<Started, Error> {
    let addr = members::gcomm_peers(ctx.cfg, peers)?;
    info!("promote: joining the Primary component at {addr}");
    let mut args = vec![format!("--wsrep_cluster_address={addr}")];
    common::settle_reform_marker(ctx.cfg)?;
    if datadir::transfer_marked(&ctx.cfg.datadir)? {
        // The last join was interrupted: offer Galera no position, so it asks for a full transfer.
        forget_position(ctx)?;
    } else {
        args.extend(position);
    }
    crate::edge::lastview::clear_for_join(ctx.cfg, ctx.deadline).await;
    // Before mariadbd can receive a single file: whatever ends this join before Synced leaves the marker.
    datadir::mark_transfer(
        &ctx.cfg.datadir,
        &format!("joining {addr} since {}\n", common::now()),
    )?;
    let started = mysqld::start(ctx.cfg, &args)?;
    if let Some(r) = st.report.clone() {
        let joining = Report {
            state: NodeState::Joining,
            at: common::now(),
            ..r
        };
        let known = st.report.clone();
        if let Err(e) = common::publish(ctx, st, &joining, known.as_ref()).await {
            warn!("{e}");
        }
    }
    Ok(started)
}

/// A joiner with fellow joiners ahead of it in this transition ([`promotion::join_turn`]) starts its
/// mariadbd `join_stagger_ms` after each of them. In the lab, two joiners whose mariadbd started at the
/// same moment were both Synced after 8-11 s (the group discarded one's connections, then admitted it
/// ~5 s later); started 1.5 s apart, after 5.7-6.7 s. The last joiner waits at most a quarter of the
/// promote timeout so the join itself keeps its time. A pause, not a wait on a condition: what the fellow
/// joiner is doing is not visible from here, and waiting for it would tie this node's join to its health.
/// Each node counts from the start of its own promote, so the spacing is the step give or take the
/// difference between their start-up (a CIB read and a port probe, milliseconds).
async fn take_turn(ctx: &Ctx<'_>, promoting: &BTreeSet<NodeName>, anchors: &BTreeSet<NodeName>) {
    // The name was read as a NodeName by the election just before (`plan`); a promote never gets here
    // with an unreadable one.
    let Ok(me) = NodeName::new(&ctx.node) else {
        return;
    };
    let cap = ctx.deadline.total() / 4;
    let Some(turn) = promotion::join_turn(&me, promoting, anchors, ctx.cfg.join_stagger, cap)
    else {
        return;
    };
    let pause = turn.pause.min(ctx.deadline.remaining());
    info!(
        "promote: fellow joiners of this transition start first ({}): starting mariadbd in {pause:?} \
         (join_stagger_ms)",
        join_names(&turn.ahead, ", ")
    );
    tokio::time::sleep(pause).await;
}

/// grastate.dat with `seqno: -1` (atomically), so Galera requests a full state transfer.
fn forget_position(ctx: &Ctx<'_>) -> Result<(), Error> {
    let path = ctx.cfg.grastate_path();
    let Some(text) = datadir::read_optional(&path)? else {
        return Ok(());
    };
    // An interrupted transfer can leave grastate.dat empty or cut off: Galera reads such a file as "no
    // state" and asks for a full transfer, which is what is wanted; only a usable seqno must go.
    let known = match grastate::parse(&text) {
        Ok(g) => g.seqno.is_known(),
        Err(e) => {
            info!(
                "promote: {} is unusable ({e}); Galera will ask for a full transfer",
                path.display()
            );
            false
        }
    };
    if known {
        datadir::atomic_rewrite(
            &path,
            &grastate::with_unknown_seqno(&text).map_err(|e| Error::grastate(&path, e))?,
        )?;
        info!(
            "promote: {}: seqno set to -1 after an interrupted state transfer (a full transfer follows)",
            path.display()
        );
    }
    Ok(())
}

/// Start the server to re-form the saved Primary view (`decide::election::Decision::Reform`): the full
/// cluster address (every member of the view is in it), the recovered position, gvwstate.dat left where
/// Galera restores it from. The members are level, so Galera transfers nothing; should this server end up
/// joining some other component instead (someone bootstrapped a server by hand meanwhile), every look at
/// it (`common::reform_evidence`) and the attempt's end (`common::settle_reform_marker`) read the server
/// log since the mark the re-forming marker (`edge::datadir::REFORM_MARKER`) records, and keep the
/// transfer marker once a transfer may have begun.
async fn reform(
    ctx: &Ctx<'_>,
    st: &mut State,
    peers: &BTreeSet<NodeName>,
    position: String,
) -> Result<Started, Error> {
    let cfg = ctx.cfg;
    info!(
        "promote: {} re-forms the saved Primary view with {} (pc.recovery, no bootstrap)",
        ctx.node,
        join_names(peers, ", ")
    );
    // An earlier attempt's marker holds its own evidence: settled first, not overwritten.
    common::settle_reform_marker(cfg)?;
    datadir::mark_reform(&cfg.datadir, common::now(), &mysqld::log_mark(cfg)?)?;
    // Recorded before the server starts: whatever ends this attempt before a Primary component, the
    // demote or stop after it finds the mark and takes gvwstate.dat away (`common::end_failed_reform`).
    st.reforming = Some(common::now());
    state::save(&cfg.state_file(), st)?;
    let args = [
        format!("--wsrep_cluster_address={}", cfg.wsrep_cluster_address),
        position,
        // The end of the attempt reads Galera's notes (`galera::startlog`); `silent-startup` in my.cnf
        // would drop them until the server is up. `loose-`: a server without the option starts anyway.
        "--loose-skip-silent-startup".to_owned(),
    ];
    let started = mysqld::start(cfg, &args)?;
    if let Some(r) = st.report.clone() {
        let reforming = Report {
            state: NodeState::Joining,
            pc: SavedPc::Reforming,
            at: common::now(),
            ..r
        };
        let known = st.report.clone();
        // Unlike a joiner's: while this server runs, the others must not read this node as `recovered`
        // (their elections would take it for a node that could bootstrap). No report, no server.
        if let Err(e) = common::publish(ctx, st, &reforming, known.as_ref()).await {
            return Err(give_up(ctx, st, NotReady::Unpublished(e.to_string())).await);
        }
    }
    Ok(started)
}

/// How long a promote that started together with every other member waits for the re-formed component
/// before it hands the wait to the monitor. In the lab three level members were Synced 2.3 s after their
/// start. Short, because it holds up the transition: a member whose own start failed at once is
/// recovered by Pacemaker only once this transition ends (and then the monitor's election check ends the
/// others' wait, `actions::monitor::reform_election`).
pub const REFORM_WAIT: Duration = Duration::from_secs(8);

/// The promote's end of a re-forming start: Primary and Synced (wait only when `together`) → Promoted as
/// usual; otherwise Promoted with `<rsc>-synced=0` and the monitor follows it. A server that exits fails
/// the promote (stopped, nothing half-joined left behind).
async fn reform_wait(
    ctx: &Ctx<'_>,
    st: &mut State,
    started: &mut Started,
    together: bool,
) -> Result<Outcome, Error> {
    let wait = ctx.deadline.leaving(stop_slot(ctx)).within(REFORM_WAIT);
    let pid = i32::try_from(started.child.id()).ok();
    if together {
        loop {
            match probe(ctx, started, true, true).await {
                Err(reason) => return Err(give_up(ctx, st, reason).await),
                Ok(Look::Ready(Ready::Running(status, vars))) => {
                    finish(ctx, st, &status, &vars).await?;
                    return Ok(Outcome::ok());
                }
                Ok(_) => {
                    // It may have joined another component and receive its state
                    // (`decide::reform::ReformWait::Joining`).
                    let joining = match common::reform_evidence(ctx.cfg, pid) {
                        Ok((transferring, _)) => transferring,
                        Err(e) => {
                            return Err(give_up(ctx, st, NotReady::Unguarded(e.to_string())).await)
                        }
                    };
                    if joining {
                        common::reform_became_join(ctx, st).await?;
                        transferring(ctx, st).await?;
                        return Ok(Outcome::ok());
                    }
                }
            }
            if wait.expired() {
                break;
            }
            tokio::time::sleep(POLL.min(wait.remaining())).await;
        }
    }
    promoted_not_serving(ctx, st).await?;
    info!(
        "promote: {} is re-forming the saved Primary view ({}); promoted, not in a Primary component yet: \
         the monitor follows it",
        ctx.node,
        if together {
            "not formed within the promote's wait"
        } else {
            "the other members are promoted in another transition"
        }
    );
    Ok(Outcome::ok())
}

/// Mark grastate.dat safe to bootstrap (atomically; only that line changes) and start a new cluster.
/// Never from a datadir whose last state transfer was interrupted, whatever the election or an override
/// says: its files may be a donor's half copy.
async fn bootstrap(ctx: &Ctx<'_>, position: Option<String>) -> Result<Started, Error> {
    // A re-forming marker left behind becomes the transfer marker first when a transfer may have begun.
    common::settle_reform_marker(ctx.cfg)?;
    if datadir::transfer_marked(&ctx.cfg.datadir)? {
        return Err(Error::InterruptedTransfer {
            datadir: ctx.cfg.datadir.clone(),
        });
    }
    let path = ctx.cfg.grastate_path();
    if let Some(text) = datadir::read_optional(&path)? {
        let parsed = grastate::parse(&text).map_err(|e| Error::grastate(&path, e))?;
        if parsed.safe_to_bootstrap != Some(true) {
            let new = grastate::with_safe_to_bootstrap(&text, true)
                .map_err(|e| Error::grastate(&path, e))?;
            datadir::atomic_rewrite(&path, &new)?;
            info!("promote: set safe_to_bootstrap: 1 in {}", path.display());
        }
    }
    info!("promote: {} bootstraps a new Primary component", ctx.node);
    // The full address, so the new Primary component's node knows its peers when they come.
    let addr = format!("--wsrep_cluster_address={}", ctx.cfg.wsrep_cluster_address);
    let mut args = vec![addr, "--wsrep-new-cluster".to_owned()];
    args.extend(position);
    mysqld::start(ctx.cfg, &args)
}

/// Is this status what promote waits for?
fn ready(status: &WsrepStatus, bootstrap: bool, wait_synced: bool) -> bool {
    let primary =
        status.cluster_status == Some(ClusterStatus::Primary) && status.ready == Some(true);
    let health = status.health();
    match (bootstrap, wait_synced) {
        (true, _) | (false, true) => primary && matches!(health, Health::Synced),
        (false, false) => health.in_primary(),
    }
}

/// What promote waited for.
enum Ready {
    /// Answering in the Primary component: Synced, or (transfer handed to the monitor) Joiner/Joined; with
    /// the server variables the same round trip read (what the node offers clients).
    Running(WsrepStatus, ServerVars),
    /// A joiner whose state transfer is under way (socket not open yet), handed to the monitor.
    Transferring,
    /// A joiner that never got a state transfer going, and the election no longer says join: the
    /// component it was sent to is gone (see [`JOIN_RECHECK`]).
    Abandoned(String),
}

/// How often a joiner that has neither a state transfer nor an answering server re-runs the election.
///
/// A `state=primary` report can outlive the component it names by up to a monitor interval: after a power
/// loss of two nodes the survivor's server keeps running, non-Primary, with its Galera port open (so the
/// stale-claim check cannot see it), until its own monitor withdraws the claim. A joiner sent there can
/// never sync; before this it waited out its whole promote timeout (230 s in the soak, seed 23) and blocked
/// the transition that would have recovered the survivor. A transfer, once it runs, proves a Primary
/// component with a donor exists, so only joiners without one re-check.
const JOIN_RECHECK: Duration = Duration::from_secs(5);

/// One look at the starting server.
enum Look {
    Ready(Ready),
    /// Not ready yet: what it is now (the exit reason's "last:" if the wait runs out).
    NotYet(String),
}

async fn probe(
    ctx: &Ctx<'_>,
    started: &mut Started,
    bootstrap: bool,
    wait_synced: bool,
) -> Result<Look, NotReady> {
    if let Some(status) = started.exited() {
        return Err(NotReady::Exited {
            status,
            log_hint: last_error(&ctx.cfg.log),
        });
    }
    Ok(match sql::snapshot(ctx.cfg, 0, ctx.deadline).await {
        Ok(s) => match WsrepStatus::from_rows(&s.wsrep) {
            Ok(st) if ready(&st, bootstrap, wait_synced) => {
                Look::Ready(Ready::Running(st, common::server_vars(&s.vars)))
            }
            Ok(st) => Look::NotYet(format!("wsrep {}", st.health().as_str())),
            Err(e) => Look::NotYet(e.to_string()),
        },
        Err(f)
            if f.kind == QueryFailure::Connect
                && !bootstrap
                && !wait_synced
                && i32::try_from(started.child.id())
                    .is_ok_and(|pid| mysqld::state_transfer_in_progress(ctx.cfg, pid)) =>
        {
            Look::Ready(Ready::Transferring)
        }
        Err(f) => Look::NotYet(f.text),
    })
}

/// The part of the promote timeout kept for stopping a server that did not get ready.
fn stop_slot(ctx: &Ctx<'_>) -> Duration {
    (ctx.deadline.total() / 4).clamp(Duration::from_secs(2), Duration::from_secs(60))
}

/// Wait until ready, mariadbd exits, or the deadline (leaving time to stop a joiner cleanly).
async fn wait_ready(
    ctx: &Ctx<'_>,
    st: &State,
    started: &mut Started,
    bootstrap: bool,
) -> Result<Ready, NotReady> {
    let wait: Deadline = ctx.deadline.leaving(stop_slot(ctx));
    let wait_synced = ctx.cfg.promote_wait_synced;
    let pid = i32::try_from(started.child.id()).ok();
    let mut transfer_seen = false;
    let mut next_recheck = std::time::Instant::now() + JOIN_RECHECK;
    loop {
        let last = match probe(ctx, started, bootstrap, wait_synced).await? {
            Look::Ready(r) => return Ok(r),
            Look::NotYet(last) => last,
        };
        if !bootstrap && !transfer_seen {
            transfer_seen = pid.is_some_and(|p| mysqld::state_transfer_in_progress(ctx.cfg, p));
            if !transfer_seen && std::time::Instant::now() >= next_recheck {
                next_recheck = std::time::Instant::now() + JOIN_RECHECK;
                match plan(ctx, st).await {
                    Ok(p) if !p.joins() => {
                        return Ok(Ready::Abandoned(format!(
                            "the Primary component this node was joining is gone before any state \
                             transfer began (last: {last}); the election now says: {}",
                            p.describe()
                        )))
                    }
                    Ok(_) => {}
                    Err(e) => warn!("promote: re-running the election: {e}"),
                }
            }
        }
        if wait.expired() {
            // Out of time but the transfer runs: hand it to the monitor rather than kill it.
            if wait_synced && !bootstrap {
                if let Look::Ready(r) = probe(ctx, started, bootstrap, false).await? {
                    info!(
                        "promote: not Synced within {:?} ({last}) but the state transfer is under way; \
                         promoting with the synced attribute at 0",
                        wait.total()
                    );
                    return Ok(r);
                }
            }
            return Err(NotReady::TimedOut {
                waited: wait.total(),
                last,
            });
        }
        tokio::time::sleep(POLL.min(wait.remaining())).await;
    }
}

/// The state transfer runs (at once with promote_wait_synced=false, else when the wait ran out): Promoted,
/// but `<rsc>-synced=0` keeps the VIP away until a monitor sees it Synced.
async fn transferring(ctx: &Ctx<'_>, st: &mut State) -> Result<(), Error> {
    promoted_not_serving(ctx, st).await?;
    info!(
        "promote: {} is receiving a state transfer; promoted, not Synced yet",
        ctx.node
    );
    Ok(())
}

/// A promote that hands its server to the monitor (a running transfer, a re-forming start): Promoted with
/// its score, `<rsc>-synced=0`, the notification's lists spent.
async fn promoted_not_serving(ctx: &Ctx<'_>, st: &mut State) -> Result<(), Error> {
    st.declined = None;
    common::set_score(ctx, st, Some(SCORE), Published::Unknown).await?;
    common::set_synced(ctx, st, Serving::No, None).await?;
    st.promoted = true;
    st.peers.clear();
    st.promoting.clear();
    state::save(&ctx.cfg.state_file(), st)
}

/// The last `[ERROR]` line of the server log, for the exit reason.
fn last_error(log: &std::path::Path) -> String {
    let tail = datadir::read_tail(log, 64 * 1024);
    String::from_utf8_lossy(&tail)
        .lines()
        .rev()
        .find(|l| l.contains("[ERROR]"))
        .map(|l| format!(": {}", l.trim()))
        .unwrap_or_else(|| format!("; see {}", log.display()))
}

/// Stop a joiner that never started a transfer (bounded: its server may be stuck connecting to a
/// component that is gone, and SIGTERM alone took 49 s in the lab). When this promote created the transfer
/// marker and no transfer ever began, nothing was copied into the datadir: the marker goes, so the node
/// keeps its real position (`--wsrep-recover` at the next start) instead of being published as incomplete,
/// which would keep the most advanced node out of the next election.
async fn abandon(ctx: &Ctx<'_>, fresh_marker: bool) -> Result<(), Error> {
    crate::edge::lastview::refresh(ctx.cfg, ctx.deadline).await;
    let s = mysqld::stop(ctx.cfg, ctx.deadline.within(Duration::from_secs(30))).await?;
    info!("promote: {s}");
    if fresh_marker && !mysqld::sst_file_present(ctx.cfg) {
        datadir::clear_transfer(&ctx.cfg.datadir)?;
        info!("promote: no state transfer began; the transfer marker is removed");
    }
    Ok(())
}

/// A failed promote leaves no half-joined server behind (a re-forming one, which applied nothing, is killed
/// after `actions::demote::UNFORMED_STOP`, as the demote would).
async fn give_up(ctx: &Ctx<'_>, st: &State, reason: NotReady) -> Error {
    warn!("promote failed: {reason}; stopping mariadbd");
    crate::edge::lastview::refresh(ctx.cfg, ctx.deadline).await;
    let stop_by = crate::actions::demote::stop_deadline(ctx, st, Duration::ZERO);
    match mysqld::stop(ctx.cfg, stop_by).await {
        Ok(s) => info!("promote: {s}"),
        Err(e) => {
            return Error::PromoteGaveUpStopFailed {
                reason,
                stop: Box::new(e),
            }
        }
    }
    Error::PromoteGaveUp { reason }
}

async fn finish(
    ctx: &Ctx<'_>,
    st: &mut State,
    status: &WsrepStatus,
    vars: &ServerVars,
) -> Result<(), Error> {
    st.declined = None;
    st.reforming = None;
    common::settle_reform_marker(ctx.cfg)?;
    if status.health() == Health::Synced {
        datadir::clear_transfer(&ctx.cfg.datadir)?;
    }
    common::publish(ctx, st, &primary_report(status), None).await?;
    // A forced bootstrap has happened (or was overtaken by a running cluster): the override is spent.
    cib::delete(&ctx.node, &ctx.cfg.force_attr(), ctx.deadline).await?;
    common::set_score(ctx, st, Some(SCORE), Published::Unknown).await?;
    // What the node offers clients, from the same round trip as its health: a server started with
    // read_only or wsrep_reject_queries in my.cnf must not draw the VIP until its first monitor.
    common::set_synced(ctx, st, serving(status.health(), vars), None).await?;
    st.promoted = true;
    st.peers.clear();
    st.promoting.clear();
    state::save(&ctx.cfg.state_file(), st)?;
    info!(
        "promote: {} is {} in the Primary component",
        ctx.node,
        status.health().as_str()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::galera::status::LocalState;

    fn report(state: &str, seqno: i64) -> State {
        State {
            report: Some(
                Report::parse(&format!(
                    "v1 uuid=6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10 seqno={seqno} safe_to_bootstrap=0 state={state} at=1"
                ))
                .unwrap(),
            ),
            ..State::default()
        }
    }

    #[test]
    fn start_position_only_for_a_recovered_known_position() {
        assert_eq!(
            start_position(&report("recovered", 42)).as_deref(),
            Some("--wsrep_start_position=6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:42")
        );
        assert_eq!(start_position(&report("stopped", 42)), None);
        assert_eq!(start_position(&report("recovered", -1)), None);
        assert_eq!(start_position(&State::default()), None);
        // A nil-UUID history: Galera would take the nil UUID for no position at all.
        let mut nil = report("recovered", 42);
        if let Some(r) = nil.report.as_mut() {
            r.position.uuid = crate::galera::position::ClusterUuid::NIL;
        }
        assert_eq!(start_position(&nil), None);
    }

    fn status(primary: bool, ready_on: bool, local: LocalState) -> WsrepStatus {
        WsrepStatus {
            ready: Some(ready_on),
            connected: Some(true),
            cluster_status: Some(if primary {
                ClusterStatus::Primary
            } else {
                ClusterStatus::NonPrimary
            }),
            local_state: Some(local),
            ..WsrepStatus::default()
        }
    }

    #[test]
    fn what_promote_waits_for() {
        let synced = status(true, true, LocalState::Synced);
        let joiner = status(true, false, LocalState::Joining);
        assert!(ready(&synced, true, true));
        assert!(ready(&synced, false, true));
        assert!(
            !ready(&joiner, false, true),
            "a joiner waits for Synced by default"
        );
        assert!(
            !ready(&joiner, true, false),
            "a bootstrap node is always Synced first"
        );
        assert!(!ready(
            &status(false, false, LocalState::Synced),
            false,
            false
        ));
    }
}
