//! demote (Promoted → Unpromoted): stop mariadbd cleanly, re-read the position (grastate.dat, or
//! --wsrep-recover after an unclean end), republish it and remove this node's promotion score. The next
//! monitor re-runs the election, so a demoted node is not promoted again before the others were heard.

use std::time::Duration;

use crate::actions::common::{self, Ctx};
use crate::edge::state::{self, Published, State};
use crate::edge::{cib, mysqld};
use crate::error::Error;
use crate::exit::Outcome;

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let cfg = ctx.cfg;
    // Score first: Pacemaker must not promote this node again while it is on its way down.
    cib::promotion(&ctx.node, &cfg.resource, None, ctx.deadline).await?;
    // Leave time for --wsrep-recover, which an unclean end (SIGKILL) makes necessary.
    let recover_slot = (ctx.deadline.total() / 3).min(Duration::from_secs(60));
    // An orderly close deletes gvwstate.dat: keep the agent's copy of the last Primary view first.
    crate::edge::lastview::refresh(cfg, ctx.deadline).await;
    let stopped = mysqld::stop(cfg, ctx.deadline.leaving(recover_slot)).await?;
    info!("demote: {stopped}");
    let path = cfg.state_file();
    let mut st = state::load(&path)?.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
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
