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

use crate::config::Config;
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

/// The view to report (see the module doc); rewrites the durable copy when it changed.
pub fn refresh(cfg: &Config) -> Option<LastView> {
    let saved = record(cfg);
    let log = || String::from_utf8_lossy(&datadir::read_tail(&cfg.log, LOG_TAIL)).into_owned();
    let merged = gvwstate::merge_saved_view(saved.as_ref(), current(cfg).as_ref(), |members| {
        viewlog::cc_seqno(&log(), members)
    })?;
    if saved.as_ref() != Some(&merged) {
        let text = format!("{}\n", render_view(&merged));
        match datadir::write_own_file(&cfg.datadir, RECORD, &text) {
            Ok(()) => info!("saved view {}: {}", RECORD, text.trim_end()),
            Err(e) => warn!("could not keep a copy of the saved view: {e}"),
        }
    }
    Some(merged)
}
