//! The last Primary view this node was in, kept durably by the agent in the datadir
//! (`galera-ocf-view.sst`, a name both SST methods leave alone, see `edge::datadir`).
//!
//! Galera deletes gvwstate.dat at every orderly close and gives the server a new process UUID at every
//! start, so after the agent's own clean stops the election would lose exactly the evidence that lets a
//! complete last Primary component recover without a node gone for good (issue 13). [`refresh`] is called
//! before every stop the agent makes and whenever the node publishes its position: it merges the file as
//! it is now with the copy (`galera::gvwstate::merge_saved_view`), adds the view's configuration-change
//! seqno from the server log (`galera::viewlog`), and rewrites the copy when that changed. Every failure
//! here is logged and ends in "no view": less evidence only ever makes the election wait.

use std::time::Duration;

use crate::config::Config;
use crate::deadline::Deadline;
use crate::edge::datadir;
use crate::galera::gvwstate::{self, LastView};
use crate::galera::report::{parse_view_fields, render_view};
use crate::galera::viewlog;

/// The durable copy's file name.
pub const RECORD: &str = "galera-ocf-view.sst";

/// How much of the server log is searched for the view's configuration change.
const LOG_TAIL: usize = 8 * 1024 * 1024;

fn current(cfg: &Config) -> Option<LastView> {
    let path = cfg.gvwstate_path();
    match datadir::read_optional(&path) {
        Ok(Some(text)) => match gvwstate::parse(&text) {
            Ok(g) => Some(g.last_view()),
            Err(e) => {
                warn!("{} ignored: {e}", path.display());
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            warn!("{e}");
            None
        }
    }
}

/// Whether Galera's own gvwstate.dat is on disk with a readable view: a server started now restores it
/// (`pc.recovery`) and waits for every member of that view.
pub fn on_disk(cfg: &Config) -> bool {
    current(cfg).is_some()
}

fn record(cfg: &Config) -> Option<LastView> {
    let path = cfg.datadir.join(RECORD);
    match datadir::read_optional(&path) {
        Ok(Some(text)) => {
            let v = parse_view_fields(&text);
            if v.is_none() {
                warn!("{} ignored: not a saved view", path.display());
            }
            v
        }
        Ok(None) => None,
        Err(e) => {
            warn!("{e}");
            None
        }
    }
}

/// Before a join into a running Primary component: gvwstate.dat (what Galera's `pc.recovery` restores at
/// start) is moved out of Galera's way, its view kept in the durable copy first.
///
/// A node restarted after a crash restores its last Primary view (and a process UUID derived from it)
/// from gvwstate.dat and tries to re-form that component. When the restart is quick - the 2 s monitor
/// makes it about 4 s after a kill -9 - its peers still hold the crashed incarnation in their own view
/// (evs.suspect_timeout, 5 s): lab, pacemaker.log and both error.logs: "restore pc from disk", then
/// "No nodes coming from primary view, primary view is not possible", install timers expiring, three
/// non-Primary views, and the join took 21 s instead of 2. Without the file the node joins as any fresh
/// start does. Nothing is lost: the durable copy holds the view for the election; and a joiner never forms
/// a component on its own, so Galera's automatic recovery was never what this start was for. The file is
/// removed only when the copy holds a view (refresh succeeded), or when it holds no usable view at all.
pub async fn clear_for_join(cfg: &Config, deadline: Deadline) {
    move_aside(
        cfg,
        deadline,
        "before joining a running Primary component (its view is kept in the agent's copy): a restored \
         view only delays the join",
    )
    .await;
}

/// After a re-forming start that never reached a Primary component (`decide::election::Decision::Reform`,
/// `actions::common::end_failed_reform`): gvwstate.dat is moved out of the way as for a join, so the next
/// start does not wait again for a member that did not come, and this node's next report says so (no
/// `pcr`): the next election bootstraps the most advanced node, or waits for the missing one.
pub async fn clear_after_failed_reform(cfg: &Config, deadline: Deadline) {
    move_aside(
        cfg,
        deadline,
        "after a re-forming start that never formed a Primary component (its view is kept in the \
         agent's copy): the next start bootstraps or joins instead of waiting for the same members again",
    )
    .await;
}

/// Removes gvwstate.dat once the durable copy holds its view (see [`clear_for_join`]); `why` ends the log
/// line.
async fn move_aside(cfg: &Config, deadline: Deadline, why: &str) {
    let path = cfg.gvwstate_path();
    // Removed only once the copy holds exactly the view merged now: a copy that could not be rewritten
    // (the write failed or ran out of time) may hold an older view than gvwstate.dat.
    if current(cfg).is_some() && {
        let merged = refresh(cfg, deadline).await;
        merged.is_none() || record(cfg) != merged
    } {
        warn!(
            "{} kept: its view could not be saved in {RECORD} first",
            path.display()
        );
        return;
    }
    match datadir::remove_optional(&path) {
        Ok(true) => info!("{} removed {why}", path.display()),
        Ok(false) => {}
        Err(e) => warn!("{e}"),
    }
}

/// How long rewriting the copy may take: a datadir whose disk hangs must not hold up a demote or stop
/// (`datadir::write_own_file`), and an unwritten copy only means less evidence.
const WRITE_WAIT: Duration = Duration::from_secs(5);

/// The view to report (see the module doc); rewrites the durable copy when it changed.
pub async fn refresh(cfg: &Config, deadline: Deadline) -> Option<LastView> {
    let saved = record(cfg);
    let log = || String::from_utf8_lossy(&datadir::read_tail(&cfg.log, LOG_TAIL)).into_owned();
    let merged = gvwstate::merge_saved_view(saved.as_ref(), current(cfg).as_ref(), |members| {
        viewlog::cc_seqno(&log(), members)
    })?;
    if saved.as_ref() != Some(&merged) {
        let text = format!("{}\n", render_view(&merged));
        match datadir::write_own_file(&cfg.datadir, RECORD, &text, deadline.within(WRITE_WAIT))
            .await
        {
            Ok(()) => info!("saved view {}: {}", RECORD, text.trim_end()),
            Err(e) => warn!("could not keep a copy of the saved view: {e}"),
        }
    }
    Some(merged)
}
