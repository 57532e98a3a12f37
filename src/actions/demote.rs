//! demote (Promoted → Unpromoted): stop mariadbd cleanly, re-read the position (grastate.dat, or
//! --wsrep-recover after an unclean end), republish it and remove this node's promotion score. The next
//! monitor re-runs the election, so a demoted node is not promoted again before the others were heard.

use std::time::Duration;

use crate::actions::common::{self, Ctx};
use crate::edge::state::{self, Published, State};
use crate::edge::{cib, mysqld};
use crate::error::Error;
use crate::exit::Outcome;

/// How long a re-forming server no monitor saw in a component gets for SIGTERM before SIGKILL. A server
/// waiting for its component applied nothing, so killing it loses nothing, and it ignored SIGTERM for 63 s
/// in the lab (a joiner stuck connecting, 49 s). One that did reach a component unseen (its socket still
/// closed after `decide::reform::REFORM_COMPONENT_GRACE`) is killed as a crash would kill it: its
/// writes are the component's, which its other members hold.
pub const UNFORMED_STOP: Duration = Duration::from_secs(10);

/// The stop's deadline: the action's, less `keep`, and at most [`UNFORMED_STOP`] for a re-forming start
/// that never reached a component (`State::reforming`) and asked for no state transfer (no transfer
/// marker: one that did is a joiner, stopped as joiners are).
pub fn stop_deadline(ctx: &Ctx<'_>, st: &State, keep: Duration) -> crate::deadline::Deadline {
    let d = ctx.deadline.leaving(keep);
    if st.reforming.is_some()
        && !crate::edge::datadir::transfer_marked(&ctx.cfg.datadir).unwrap_or(true)
    {
        d.within(UNFORMED_STOP)
    } else {
        d
    }
}

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let cfg = ctx.cfg;
    // Score first: Pacemaker must not promote this node again while it is on its way down.
    cib::promotion(&ctx.node, &cfg.resource, None, ctx.deadline).await?;
    // Leave time for --wsrep-recover, which an unclean end (SIGKILL) makes necessary.
    let recover_slot = (ctx.deadline.total() / 3).min(Duration::from_secs(60));
    // An orderly close deletes gvwstate.dat: keep the agent's copy of the last Primary view first.
    crate::edge::lastview::refresh(cfg, ctx.deadline).await;
    let path = cfg.state_file();
    let mut st = state::load(&path)?.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
    let stopped = mysqld::stop(cfg, stop_deadline(ctx, &st, recover_slot)).await?;
    info!("demote: {stopped}");
    common::end_failed_reform(cfg, &mut st, ctx.deadline).await;
    common::clear_synced(ctx, &mut st).await?;
    st.promoted = false;
    st.declined = None;
    st.score = Published::Absent;
    st.peers.clear();
    st.promoting.clear();
    let report = common::local_report(cfg, None, ctx.deadline).await?;
    let known = st.report.clone();
    common::publish(ctx, &mut st, &report, known.as_ref()).await?;
    state::save(&path, &st)?;
    Ok(Outcome::ok())
}
