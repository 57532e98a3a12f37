//! notify (the clone runs with `notify=true`). What each notification does:
//!
//! - **pre-promote**: record the nodes that are Promoted or being promoted (`notify_promoted_uname` +
//!   `notify_promote_uname`) in this node's state file; a joiner's promote uses them as its gcomm:// peers,
//!   which matters when several nodes are promoted in one transition; the nodes being promoted
//!   (`notify_promote_uname`) alone tell fellow joiners their turn (`decide::promotion::join_turn`).
//! - **post-promote** (on an Unpromoted node): the promoted nodes now run a Primary component — re-run the
//!   election with them counted as primary, so this node gets its promotion score at once instead of at its
//!   next monitor (attrd may not have written their `state=primary` yet). A stale `safe_to_bootstrap=1` in
//!   this node's own report is cleared: with a Primary component running elsewhere it no longer means
//!   anything, and it must not win a later election against newer data.
//! - **post-start** (on an Unpromoted node): the instances started in this transition have published their
//!   positions — re-run the election now (nodes demoted or stopped in the same transition do not count as
//!   Promoted), so on a cold start the bootstrap node gets its score right after
//!   the last start instead of at its next monitor.
//! - **post-demote / post-stop** (on an Unpromoted node): re-run the election without the nodes that left,
//!   so a new bootstrap node can be chosen without waiting for the next monitor. After a clean stop of
//!   every member (e.g. `crm resource stop` of the clone), the most advanced node marks its grastate.dat
//!   safe to bootstrap (`decide::promotion`); `stop` tries the same once more before it removes the report.
//! - everything else: nothing.
//!
//! A node without a started marker ignores notifications. A notification always returns 0 (Pacemaker and
//! ocf-tester expect that); a step that failed is logged and left to the next monitor.

use std::collections::BTreeSet;

use crate::actions::common::{self, Ctx};
use crate::decide::{join_names, NodeName};
use crate::edge::mysqld;
use crate::edge::state::{self, State};
use crate::error::Error;
use crate::exit::Outcome;
use crate::galera::report::Report;
use crate::ocf::{Notification, NotifyOp, NotifyType};

/// A notification never fails the transition: what it could not do, the next monitor does. Problems are
/// logged as warnings instead.
pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    if let Err(e) = handle(ctx).await {
        warn!("notify: {e} (the next monitor retries)");
    }
    Ok(Outcome::ok())
}

async fn handle(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let Some(n) = ctx.cfg.meta.notify.clone() else {
        debug!("notify without notify_type/notify_operation: nothing to do");
        return Ok(Outcome::ok());
    };
    let path = ctx.cfg.state_file();
    let Some(mut st) = state::load(&path)? else {
        return Ok(Outcome::ok());
    };
    let before = st.clone();
    let stopped = mysqld::find(ctx.cfg).is_none();
    match (n.kind, n.op) {
        (NotifyType::Pre, NotifyOp::Promote) => {
            st.peers = common::node_names(n.promoted.union(&n.promote));
            st.promoting = common::node_names(&n.promote);
            // One line the lab reads (full-crash: a transition's later joiners take their turn).
            info!(
                "pre-promote: peers [{}]; being promoted [{}]",
                join_names(&st.peers, " "),
                join_names(&st.promoting, " ")
            );
        }
        (NotifyType::Post, NotifyOp::Promote) if stopped => post_promote(ctx, &mut st, &n).await?,
        (NotifyType::Post, NotifyOp::Start | NotifyOp::Demote | NotifyOp::Stop)
            if stopped && !st.promoted =>
        {
            let verdict = common::elect_and_apply(ctx, &mut st, still_promoted(&n)).await?;
            if n.op != NotifyOp::Start && common::mark_safe_to_bootstrap(ctx.cfg, &verdict)? {
                // Publish the mark too, so every node's verdict sees that somebody is marked.
                if let Some(r) = st.report.clone() {
                    let marked = Report {
                        safe_to_bootstrap: true,
                        ..r
                    };
                    let known = st.report.clone();
                    common::publish(ctx, &mut st, &marked, known.as_ref()).await?;
                }
            }
        }
        _ => {}
    }
    if st != before {
        state::save(&path, &st)?;
    }
    Ok(Outcome::ok())
}

/// The nodes still Promoted after this transition: Pacemaker's promoted list names nodes being demoted or
/// stopped in the same transition too, and counting them as a running Primary component would hand out
/// join scores towards a component that is going away.
fn still_promoted(n: &Notification) -> BTreeSet<NodeName> {
    let leaving: BTreeSet<&String> = n.demote.iter().chain(&n.stop).collect();
    common::node_names(n.promoted.iter().filter(|p| !leaving.contains(p)))
}

async fn post_promote(ctx: &Ctx<'_>, st: &mut State, n: &Notification) -> Result<(), Error> {
    let leaving: BTreeSet<&String> = n.demote.iter().chain(&n.stop).collect();
    let promoted: BTreeSet<NodeName> = common::node_names(
        n.promoted
            .union(&n.promote)
            .filter(|p| **p != ctx.node && !leaving.contains(p)),
    );
    st.peers.clear();
    st.promoting.clear();
    if promoted.is_empty() || st.promoted {
        return Ok(());
    }
    if let Some(r) = st.report.clone() {
        if r.safe_to_bootstrap {
            info!("post-promote: clearing the stale safe_to_bootstrap=1 of this node's report");
            let cleared = Report {
                safe_to_bootstrap: false,
                ..r
            };
            let known = st.report.clone();
            common::publish(ctx, st, &cleared, known.as_ref()).await?;
        }
    }
    common::elect_and_apply(ctx, st, promoted).await?;
    Ok(())
}
