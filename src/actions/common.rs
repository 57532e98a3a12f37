//! Steps several actions share: this node's position, publishing the report and the promotion score
//! (only when the value changes), and running the election on one CIB read.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::actions::members;
use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::monitor::Serving;
use crate::decide::promotion::{self, Facts, PeerPresence, Verdict};
use crate::decide::recovery::{self, Reuse, Why};
use crate::decide::reform;
use crate::decide::NodeName;
use crate::edge::cib::{self, CibStatus, NodeAttrs};
use crate::edge::mycnf::{self, ServerDefaults};
use crate::edge::state::{self, Published, State};
use crate::edge::{datadir, mysqld};
use crate::error::Error;
use crate::galera::position::{ClusterUuid, Position, Seqno};
use crate::galera::report::{NodeState, Report, SavedPc};
use crate::galera::startlog::StartLog;
use crate::galera::status::ServerVars;
use crate::galera::{grastate, recover};

/// What every action needs: configuration, this node's Pacemaker name, the deadline.
pub struct Ctx<'a> {
    pub cfg: &'a Config,
    pub node: String,
    pub deadline: Deadline,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The position of the stopped server: grastate.dat when it holds a known seqno, otherwise
/// `mariadbd --wsrep-recover` (`defaults`: see [`recovered`]). Never modifies the data directory.
///
/// A datadir whose last join did not complete (the transfer marker, `edge::datadir`) has no usable
/// position: neither grastate.dat nor `--wsrep-recover` is asked (on a half-copied datadir the latter may
/// print the donor's position), and the report says `incomplete` with seqno -1 and no saved view.
pub async fn local_report(
    cfg: &Config,
    defaults: Option<&ServerDefaults>,
    deadline: Deadline,
) -> Result<Report, Error> {
    let path = cfg.grastate_path();
    // A re-forming start this node never cleaned up (a power loss in the middle): settled before the
    // transfer marker is read.
    settle_reform_marker(cfg)?;
    if datadir::transfer_marked(&cfg.datadir)? {
        let uuid = datadir::read_optional(&path)?
            .and_then(|t| grastate::parse(&t).ok())
            .map_or(ClusterUuid::NIL, |g| g.uuid);
        warn!(
            "the last state transfer into {} did not complete ({} present): no usable position; this \
             node can only join by a full state transfer",
            cfg.datadir.display(),
            datadir::TRANSFER_MARKER
        );
        return Ok(Report {
            position: Position::new(uuid, Seqno::UNKNOWN),
            safe_to_bootstrap: false,
            state: NodeState::Incomplete,
            at: now(),
            view: None,
            pc: SavedPc::Absent,
        });
    }
    // Before a recovery, so the fingerprint a recovery keeps (`recovered`) already includes any rewrite of
    // the view record, and the next start's unchanged record leaves it valid.
    let view = crate::edge::lastview::refresh(cfg, deadline).await;
    let parsed = datadir::read_optional(&path)?.map(|t| grastate::parse(&t));
    let (position, safe_to_bootstrap, state) = match parsed {
        Some(Ok(g)) if g.seqno.is_known() => (
            Position::new(g.uuid, g.seqno),
            g.safe_to_bootstrap == Some(true),
            NodeState::Stopped,
        ),
        other => {
            match other {
                None => info!("{} does not exist; recovering the position", path.display()),
                Some(Err(e)) => warn!(
                    "{} is unusable ({e}); recovering the position",
                    path.display()
                ),
                Some(Ok(_)) => info!(
                    "{} has seqno -1 (unclean stop); recovering the position",
                    path.display()
                ),
            }
            (
                recovered(cfg, defaults, deadline).await?,
                false,
                NodeState::Recovered,
            )
        }
    };
    Ok(Report {
        position,
        safe_to_bootstrap,
        state,
        at: now(),
        view,
        pc: if crate::edge::lastview::on_disk(cfg) {
            SavedPc::OnDisk
        } else {
            SavedPc::Absent
        },
    })
}

/// The position by `--wsrep-recover`, or the one recovered earlier when it still holds
/// (`decide::recovery`). `defaults`: the server's options when the action has read them already (start);
/// otherwise (demote) they are read here, and when that fails the position is recovered and kept without
/// them (so never reused).
async fn recovered(
    cfg: &Config,
    defaults: Option<&ServerDefaults>,
    deadline: Deadline,
) -> Result<Position, Error> {
    let read;
    let defaults = match defaults {
        Some(d) => Some(d),
        None => {
            read = match mycnf::server_defaults(cfg, deadline).await {
                Ok(d) => Some(d),
                Err(e) => {
                    info!("the recovered position is kept without the server's options: {e}");
                    None
                }
            };
            read.as_ref()
        }
    };
    let digest = || defaults.map(|d| d.digest.clone());
    let server = defaults.map_or(&[][..], |d| &d.settings[..]);
    let cache = cfg.recovered_cache();
    let before = datadir::fingerprint(&cfg.datadir, digest());
    let cached = datadir::load_recovered(&cache);
    match recovery::reusable(cached.as_ref(), &before, server, &cfg.datadir) {
        Reuse::Position(p) => {
            info!(
                "reusing the position {p} recovered earlier: {} and the server's options are unchanged \
                 since (see decide::recovery)",
                cfg.datadir.display()
            );
            return Ok(p);
        }
        // The usual case (no demote's recovery before this one): nothing to tell an admin.
        Reuse::Recover(why @ Why::NoCache) => debug!("recovering the position: {why}"),
        Reuse::Recover(why) => info!("not reusing the position recovered earlier: {why}"),
    }
    let log = mysqld::wsrep_recover(cfg, deadline).await?;
    let log_path = mysqld::recover_log_path(cfg);
    let rec = recover::parse_detailed(&log)
        .map_err(|e| Error::Recover(format!("{e} (see {})", log_path.display())))?;
    if rec.prepared_transactions {
        warn!("InnoDB found prepared transactions during --wsrep-recover; MariaDB resolved them itself");
    }
    info!(
        "recovered position {}:{}",
        rec.position.uuid,
        rec.position.seqno.get()
    );
    let done = recovery::Recovered {
        position: rec.position,
        fingerprint: datadir::fingerprint(&cfg.datadir, digest()),
    };
    if let Err(e) = datadir::save_recovered(&cache, &done) {
        warn!("keeping the recovered position for the next start: {e}");
    }
    Ok(rec.position)
}

/// The end of a re-forming start that never reached a Primary component (`State::reforming` still set, or
/// its marker left), once its server is stopped: gvwstate.dat is moved aside, so the next election does not
/// choose to re-form again, and the re-forming marker is settled ([`settle_reform_marker`]). Also run
/// before a promote joins or bootstraps, should a failed attempt have left either behind.
pub async fn end_failed_reform(cfg: &Config, st: &mut State, deadline: Deadline) {
    let marked = datadir::reform_marked(&cfg.datadir).unwrap_or_else(|e| {
        warn!("{e}");
        true
    });
    if st.reforming.take().is_none() && !marked {
        return;
    }
    warn!(
        "the saved Primary view was not re-formed (a member did not come back in time, or the server \
         ended first): gvwstate.dat is moved aside; the next election bootstraps or waits as usual"
    );
    crate::edge::lastview::clear_after_failed_reform(cfg, deadline).await;
    if let Err(e) = settle_reform_marker(cfg) {
        warn!("{e}");
    }
}

/// The re-forming marker (`edge::datadir::REFORM_MARKER`) of an attempt that is over, whether it ended in
/// a demote or stop or in a power loss: when a state transfer may have begun (the server joined some other
/// component; `decide::reform::after` on the server log since the start and `sst_in_progress`) it becomes
/// the transfer marker (a full transfer next time, never a bootstrap from it); otherwise nothing was
/// copied and it simply goes.
pub fn settle_reform_marker(cfg: &Config) -> Result<(), Error> {
    if !datadir::reform_marked(&cfg.datadir)? {
        return Ok(());
    }
    let log = mysqld::start_log_since(cfg, datadir::reform_log_mark(&cfg.datadir)?.as_ref());
    match reform::after(mysqld::sst_file_present(cfg), log) {
        reform::After::MayHoldAHalfCopy(why) => {
            warn!(
                "a state transfer may have begun during the last re-forming start and not completed \
                 ({why}): this node can only join by a full state transfer"
            );
            datadir::mark_transfer(
                &cfg.datadir,
                &format!("re-forming start ended at {}: {why}\n", now()),
            )?;
        }
        reform::After::Untouched => {}
    }
    datadir::clear_reform(&cfg.datadir)
}

/// One look at a re-forming server (`pid`) not answering in a Primary component: whether a transfer into
/// the datadir runs now (`sst_in_progress` written since the server started), and the server log since the
/// start (`decide::reform::Progress`). As soon as either shows a transfer may have begun, the transfer
/// marker is written (durably, before anything else): a monitor may not come again before a power loss,
/// and the log's lines may not outlive one. Level members never request a transfer, so this costs a
/// re-forming member nothing.
///
/// A marker without a mark (an older agent's) gives no log evidence here: the whole log holds every earlier
/// join's request, and a running level member must not be marked for them (the attempt's end,
/// [`settle_reform_marker`], reads the whole log and errs towards the transfer marker). Unreadable evidence
/// is logged and counts as none; only a transfer marker that cannot be read or written fails.
pub fn reform_evidence(cfg: &Config, pid: Option<i32>) -> Result<(bool, Option<StartLog>), Error> {
    let transferring = pid.is_some_and(|p| mysqld::state_transfer_in_progress(cfg, p));
    let log = match datadir::reform_log_mark(&cfg.datadir) {
        Ok(Some(mark)) => mysqld::start_log_since(cfg, Some(&mark)),
        Ok(None) => None,
        Err(e) => {
            warn!("{e}");
            None
        }
    };
    if reform::transfer_may_have_begun(transferring, log)
        && mark_transfer_unless_marked(cfg, "a re-forming start asked for a state transfer")?
    {
        warn!(
            "the re-forming server asked for a state transfer: it is joining another Primary component \
             (a bootstrap elsewhere); the transfer marker is written"
        );
    }
    Ok((transferring, log))
}

/// The transfer marker, written (durably) unless it is there already; whether it was written now.
fn mark_transfer_unless_marked(cfg: &Config, why: &str) -> Result<bool, Error> {
    if datadir::transfer_marked(&cfg.datadir)? {
        return Ok(false);
    }
    datadir::mark_transfer(&cfg.datadir, &format!("{why} (seen at {})\n", now()))?;
    Ok(true)
}

/// A re-forming server found receiving a state transfer (`decide::reform::ReformWait::Joining`): it joined
/// some other component, and from now on it is a join. The transfer marker is already there
/// ([`reform_evidence`]); the re-forming marker and `State::reforming` go, so the re-forming graces no
/// longer apply (they would kill a long transfer), and the report says `joining` without `pcr=reforming`
/// (the others' elections must not count this node as re-forming). Only a transfer marker that cannot be
/// read or written fails: the rest is logged and the join goes on.
pub async fn reform_became_join(ctx: &Ctx<'_>, st: &mut State) -> Result<(), Error> {
    let cfg = ctx.cfg;
    warn!(
        "the re-forming server is receiving a state transfer: it joined another Primary component (a \
         bootstrap elsewhere); followed as a join from now on"
    );
    mark_transfer_unless_marked(cfg, "a re-forming start turned into a join")?;
    if let Err(e) = datadir::clear_reform(&cfg.datadir) {
        warn!("{e}");
    }
    st.reforming = None;
    if let Some(r) = st.report.clone().filter(|r| r.pc == SavedPc::Reforming) {
        let joining = Report {
            state: NodeState::Joining,
            pc: SavedPc::Absent,
            at: now(),
            ..r.clone()
        };
        if let Err(e) = publish(ctx, st, &joining, Some(&r)).await {
            warn!("{e}");
        }
    }
    if let Err(e) = state::save(&cfg.state_file(), st) {
        warn!("{e}");
    }
    Ok(())
}

/// Two reports that differ only in `at` mean the same: keep the old one so nothing is republished.
fn keep_time(new: &Report, known: Option<&Report>) -> Report {
    let mut r = new.clone();
    if let Some(prev) = known {
        if (Report {
            at: prev.at,
            ..r.clone()
        }) == *prev
        {
            r.at = prev.at;
        }
    }
    r
}

/// Publish `report` unless `known` (what the CIB holds, as far as we know) already says the same.
pub async fn publish(
    ctx: &Ctx<'_>,
    state: &mut State,
    report: &Report,
    known: Option<&Report>,
) -> Result<(), Error> {
    let report = keep_time(report, known);
    if known != Some(&report) {
        let text = report.render();
        cib::set(&ctx.node, &ctx.cfg.report_attr(), &text, ctx.deadline).await?;
        info!("published {}={text}", ctx.cfg.report_attr());
        if report.state == NodeState::Primary && report.position.uuid.is_nil() {
            // Once per change of the report, not per monitor.
            warn!(
                "this Primary component has a nil state UUID: Galera re-formed it from the members' saved \
                 views while none had its position (servers started after a crash without \
                 --wsrep_start_position, pc.recovery); its writes count from 0 as a new history, and members \
                 that were not level before were not made level by any state transfer: compare their data"
            );
        }
    }
    state.report = Some(report);
    Ok(())
}

/// Set or delete this node's promotion score unless `known` already matches.
pub async fn set_score(
    ctx: &Ctx<'_>,
    state: &mut State,
    want: Option<u32>,
    known: Published<u32>,
) -> Result<(), Error> {
    if !known.is(want.as_ref()) {
        cib::promotion(&ctx.node, &ctx.cfg.resource, want, ctx.deadline).await?;
        match want {
            Some(s) => info!("promotion score of {} set to {s}", ctx.node),
            None => info!("promotion score of {} removed", ctx.node),
        }
    }
    state.score = Published::known(want);
    Ok(())
}

/// The server variables of a status query (promote); one this version cannot read is logged, never a
/// failure (see [`ServerVars::from_rows`]).
pub fn server_vars(rows: &[(String, String)]) -> ServerVars {
    let (vars, unreadable) = server_vars_unlogged(rows);
    if let Some(w) = unreadable {
        warn!("{w}");
    }
    vars
}

/// The same, with the warning returned instead of logged: the monitor logs it once per change.
pub fn server_vars_unlogged(rows: &[(String, String)]) -> (ServerVars, Option<String>) {
    let (vars, unreadable) = ServerVars::from_rows(rows);
    (
        vars,
        unreadable.map(|e| format!("{e}: counted as desynced, the VIP prefers another node")),
    )
}

/// Publish `<rsc>-synced` (what this node offers clients, `decide::monitor::Serving`) unless it is known
/// to hold that value already (`known`: its value as far as the caller knows; `None` = not known or absent,
/// either way it is written).
pub async fn set_synced(
    ctx: &Ctx<'_>,
    state: &mut State,
    serving: Serving,
    known: Option<Serving>,
) -> Result<(), Error> {
    if known != Some(serving) {
        let v = serving.as_attr();
        cib::set(&ctx.node, &ctx.cfg.synced_attr(), v, ctx.deadline).await?;
        info!("{}={v}", ctx.cfg.synced_attr());
    }
    state.synced = Some(serving);
    Ok(())
}

/// Remove `<rsc>-synced` (mariadbd no longer runs).
pub async fn clear_synced(ctx: &Ctx<'_>, state: &mut State) -> Result<(), Error> {
    cib::delete(&ctx.node, &ctx.cfg.synced_attr(), ctx.deadline).await?;
    state.synced = None;
    Ok(())
}

/// Everyone's published reports from one CIB read; unreadable ones are logged and left out.
pub fn reports(cfg: &Config, attrs: &NodeAttrs) -> BTreeMap<NodeName, Report> {
    let attr = cfg.report_attr();
    attrs
        .iter()
        .filter_map(|(node, a)| Some((node, a.get(&attr)?)))
        .filter_map(
            |(node, text)| match (NodeName::new(node), Report::parse(text)) {
                (Ok(n), Ok(r)) => Some((n, r)),
                (_, Err(e)) => {
                    warn!("ignoring the report of {node}: {e}");
                    None
                }
                (Err(e), _) => {
                    warn!("ignoring the report of {node}: {e}");
                    None
                }
            },
        )
        .collect()
}

/// Node names from Pacemaker's notify variables; one that is not a valid name is logged, not dropped silently.
pub fn node_names<'a>(names: impl IntoIterator<Item = &'a String>) -> BTreeSet<NodeName> {
    names
        .into_iter()
        .filter_map(|n| match NodeName::new(n) {
            Ok(name) => Some(name),
            Err(e) => {
                warn!("ignoring node {n:?} named by Pacemaker: {e}");
                None
            }
        })
        .collect()
}

/// The node an administrator forced to bootstrap, if any (lowest name if, oddly, several are marked).
fn forced_node(force_attr: &str, attrs: &NodeAttrs) -> Option<NodeName> {
    attrs
        .iter()
        .filter(|(_, a)| a.get(force_attr).is_some_and(|v| v.trim() == "1"))
        .find_map(|(n, _)| NodeName::new(n).ok())
}

/// The facts the verdict needs, from one CIB read. The fence history is read only when two_node_mode
/// could excuse a peer (2 expected nodes, the peer neither a member nor expected back): the only case
/// where it can change the verdict.
pub async fn gather_facts(
    cfg: &Config,
    me: &str,
    status: &CibStatus,
    promoted: BTreeSet<NodeName>,
    promoting: BTreeSet<NodeName>,
    deadline: Deadline,
) -> Result<Facts, Error> {
    let me = NodeName::new(me).map_err(|e| Error::Args(format!("this node's name: {e}")))?;
    let expected = members::expected(cfg)?;
    let mut presence = BTreeMap::new();
    for node in &expected {
        let p = status
            .presence
            .get(node.as_str())
            .copied()
            .unwrap_or_default();
        let fenced = cfg.two_node_mode
            && expected.len() == 2
            && *node != me
            && !p.member
            && !p.expected_up
            && match cib::fenced(node.as_str(), deadline).await {
                Ok(f) => f,
                Err(e) => {
                    warn!("two_node_mode: {e}; {node} counts as not fenced");
                    false
                }
            };
        presence.insert(
            node.clone(),
            PeerPresence {
                member: p.member,
                expected_up: p.expected_up,
                fenced,
            },
        );
    }
    let reports = reports(cfg, &status.attrs);
    let stale = stale_claims(cfg, &me, &reports);
    Ok(Facts {
        promoting: promoting.into_iter().filter(|n| *n != me).collect(),
        me,
        expected,
        stale,
        reports,
        promoted,
        two_node_mode: cfg.two_node_mode,
        presence,
        forced: forced_node(&cfg.force_attr(), &status.attrs),
    })
}

/// Peers whose `state=primary` report is proven stale: nothing answers on their Galera port (one TCP
/// connect each, only for nodes that claim to be Primary; a healthy cluster's Promoted monitors never get
/// here). This node's own claim is judged by its own monitor, not here.
fn stale_claims(
    cfg: &Config,
    me: &NodeName,
    reports: &BTreeMap<NodeName, Report>,
) -> BTreeSet<NodeName> {
    let Ok(m) = members::membership(cfg) else {
        return BTreeSet::new();
    };
    reports
        .iter()
        .filter(|(n, r)| r.state == NodeState::Primary && *n != me)
        .filter_map(|(n, _)| Some((n, m.host_of(n)?)))
        .filter(|(n, h)| {
            let open = crate::edge::gcomm::any_listening(&[h], std::time::Duration::from_secs(1));
            if !open {
                info!("{n} claims the Primary component but nothing answers on its Galera port: stale");
            }
            !open
        })
        .map(|(n, _)| n.clone())
        .collect()
}

/// This node's score from the CIB attributes. A node with no attributes at all, or a value that is not a
/// score, counts as not known (written again); a node with attributes but no score, as absent.
pub fn known_score(ctx: &Ctx<'_>, attrs: &NodeAttrs) -> Published<u32> {
    let key = cib::promotion_attr(&ctx.cfg.resource);
    match attrs.get(&ctx.node).map(|a| a.get(&key)) {
        None => Published::Unknown,
        Some(None) => Published::Absent,
        Some(Some(v)) => v
            .trim()
            .parse()
            .map_or(Published::Unknown, Published::Value),
    }
}

/// Run the election for an Unpromoted (stopped) instance and set this node's score accordingly:
/// one CIB read, a crm_attribute call only when the score changes, one log line when the decision does.
/// `promoted`: the nodes Pacemaker's notification says are Promoted now.
pub async fn elect_and_apply(
    ctx: &Ctx<'_>,
    state: &mut State,
    promoted: BTreeSet<NodeName>,
) -> Result<Verdict, Error> {
    let status = cib::query_status(ctx.deadline).await?;
    let facts = gather_facts(
        ctx.cfg,
        &ctx.node,
        &status,
        promoted,
        BTreeSet::new(),
        ctx.deadline,
    )
    .await?;
    let verdict = promotion::verdict(&facts);
    let text = verdict.explain();
    if state.decision.as_deref() != Some(text.as_str()) {
        info!("election: {text}");
        state.decision = Some(text);
    }
    // Re-publish our own report when the CIB lost it (e.g. Pacemaker restarted on this node).
    let own = status
        .attrs
        .get(&ctx.node)
        .and_then(|a| a.get(&ctx.cfg.report_attr()));
    if own.is_none() {
        if let Some(r) = state.report.clone() {
            publish(ctx, state, &r, None).await?;
        }
    }
    set_score(ctx, state, verdict.score, known_score(ctx, &status.attrs)).await?;
    Ok(verdict)
}

/// After a clean stop of every member, the node the verdict picks marks its grastate.dat safe to bootstrap
/// (atomically; only that line changes), as Galera marks the last member to leave (`decide::promotion`).
/// Returns whether it did.
pub fn mark_safe_to_bootstrap(cfg: &Config, verdict: &Verdict) -> Result<bool, Error> {
    if !verdict.mark_safe_to_bootstrap {
        return Ok(false);
    }
    let path = cfg.grastate_path();
    let Some(text) = datadir::read_optional(&path)? else {
        return Ok(false);
    };
    let bad = |e| Error::grastate(&path, e);
    let parsed = grastate::parse(&text).map_err(bad)?;
    if !parsed.seqno.is_known() || parsed.safe_to_bootstrap == Some(true) {
        return Ok(false);
    }
    datadir::atomic_rewrite(
        &path,
        &grastate::with_safe_to_bootstrap(&text, true).map_err(bad)?,
    )?;
    info!(
        "every member stopped cleanly and none is marked safe to bootstrap: {} marked as the most \
         advanced node ({})",
        path.display(),
        verdict.explain()
    );
    Ok(true)
}

/// The verdict now, from one CIB read (for actions that do not otherwise elect).
pub async fn verdict_now(ctx: &Ctx<'_>) -> Result<Verdict, Error> {
    let status = cib::query_status(ctx.deadline).await?;
    let facts = gather_facts(
        ctx.cfg,
        &ctx.node,
        &status,
        BTreeSet::new(),
        BTreeSet::new(),
        ctx.deadline,
    )
    .await?;
    Ok(promotion::verdict(&facts))
}
