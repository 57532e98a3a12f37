//! stop: every mariadbd of this data directory gone (SIGTERM, SIGKILL only near the deadline), also one the
//! agent did not start, this node's report and promotion score removed, the marker removed. 0 only when no
//! mariadbd of the datadir is left.

use crate::actions::common::{self, Ctx};
use crate::edge::mysqld::Stopped;
use crate::edge::{cib, mysqld, state};
use crate::error::Error;
use crate::exit::Outcome;

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let cfg = ctx.cfg;
    // An orderly close deletes gvwstate.dat: keep the agent's copy of the last Primary view first.
    crate::edge::lastview::refresh(cfg, ctx.deadline).await;
    // A re-forming start Pacemaker stops without a demote first (the demote normally ends it).
    let mut reforming = state::load(&cfg.state_file()).ok().flatten();
    let stop_by = match &reforming {
        Some(st) => crate::actions::demote::stop_deadline(ctx, st, std::time::Duration::ZERO),
        None => ctx.deadline,
    };
    let stopped = mysqld::stop(cfg, stop_by).await?;
    if let Some(st) = reforming.as_mut() {
        common::end_failed_reform(cfg, st, ctx.deadline).await;
    }
    match &stopped {
        Stopped::Killed(_) => warn!("stop: {stopped}"),
        _ => info!("stop: {stopped}"),
    }
    // The whole clone stopping cleanly: the most advanced node marks itself safe to bootstrap, while every
    // report is still there (best effort: a stop never depends on the cluster answering).
    if matches!(stopped, Stopped::Clean(_) | Stopped::WasNotRunning) {
        match common::verdict_now(ctx).await {
            Ok(v) => {
                if let Err(e) = common::mark_safe_to_bootstrap(cfg, &v) {
                    warn!("stop: {e}");
                }
            }
            Err(e) => debug!("stop: no verdict ({e}); safe_to_bootstrap left as it is"),
        }
    }
    // Attributes after the process: a stale report is harmless for a moment, a running server is not.
    let cleanup = async {
        cib::promotion(&ctx.node, &cfg.resource, None, ctx.deadline).await?;
        cib::delete(&ctx.node, &cfg.force_attr(), ctx.deadline).await?;
        cib::delete(&ctx.node, &cfg.synced_attr(), ctx.deadline).await?;
        cib::delete(&ctx.node, &cfg.report_attr(), ctx.deadline).await
    };
    if let Err(e) = cleanup.await {
        warn!("stop: mariadbd is stopped, but removing this node's attributes failed: {e}");
    }
    state::remove(&cfg.state_file())?;
    if let Some(left) = mysqld::still_running(cfg) {
        return Err(Error::StillRunning { left });
    }
    Ok(Outcome::ok())
}
