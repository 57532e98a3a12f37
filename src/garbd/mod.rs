//! `ocf:galera-ocf:garbd`: the Galera arbitrator as a Pacemaker resource (issue 17), the same binary
//! installed under the agent name `garbd` (cli.rs picks it from `argv[0]`).
//!
//! A third machine that runs garbd gives two data nodes a majority when one of them fails: garbd votes in
//! the group but stores no data. The data agent's `arbitrators` parameter tells the election that this
//! member never reports a position. This agent only starts, stops and watches garbd:
//! - start: spawn garbd (argv only, `pc.wait_prim=no` so it waits for the data nodes instead of exiting),
//!   then wait briefly for it to join a Primary component. Not longer: a start that waited for the data
//!   nodes would hold up the transition that promotes them, and a timed-out start bans garbd from its node.
//! - monitor: the process (a stopped one, SIGSTOP, is a failure), and garbd's own log
//!   (`galera::garbdlog`) for Primary membership (`decide::arbitrator` turns that into Success,
//!   OCF_DEGRADED or not running; a lost Primary component fails only after `lost_grace`).
//! - stop: SIGTERM (garbd leaves the group gracefully, so the others re-form the view at once), SIGKILL
//!   only when the deadline nears. It needs nothing but the pid the state file tracks (with broken
//!   parameters too), and only without a readable state file does it look for this resource's garbd by
//!   its command line. It reads no log and saves no state: a failed stop gets the node fenced, so nothing
//!   but a garbd that survives SIGKILL may fail it.
//! - a garbd this resource did not start: with exactly its command line it is its own (a lost state
//!   file, or one naming a garbd that died) and is tracked again, by start when it is the only one
//!   (several are all ended and one started: `decide::arbitrator::takeover`), by a monitor without a
//!   state file too; another garbd of the same group (garb.service) makes start refuse, since two
//!   arbitrators on one machine are two votes one failure takes away together.
//!
//! Every wait is bounded by CRM_meta_timeout (`deadline.rs`).

pub mod params;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::deadline::{parse_timeout, poll_until, Deadline};
use crate::decide::arbitrator::{self, Observed, Takeover};
use crate::edge::garbd::{self as edge, Tracked};
use crate::error::Error;
use crate::ocf::{Action, OcfStatus};
use params::GarbdConfig;

/// How long start waits for garbd to join a Primary component before it returns anyway (see the module
/// doc); garbd joins a running component within about a second (fixture `garbd/synced.log`).
const JOIN_WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(200);
/// How long stop waits after SIGTERM before SIGKILL. garbd leaves the group within about a second.
const TERM_GRACE: Duration = Duration::from_secs(5);

/// Default action timeouts, the meta-data's.
fn default_timeout(action: Action) -> Duration {
    Duration::from_secs(match action {
        Action::Start | Action::Stop => 60,
        _ => 20,
    })
}

/// CRM_meta_timeout (or the default) minus the margin `Deadline::after` keeps for the exit reason.
fn deadline(action: Action, meta: &crate::ocf::CrmMeta) -> Deadline {
    let timeout = meta
        .timeout
        .as_deref()
        .and_then(|t| parse_timeout(t).ok())
        .unwrap_or_else(|| default_timeout(action));
    Deadline::after(timeout)
}

/// One OCF action of the garbd agent → its exit status (one exit-reason line when it is not Success).
pub async fn run(action: Action, env: &BTreeMap<String, String>) -> OcfStatus {
    let resource = crate::config::resource_name(env).unwrap_or_else(|_| "garbd".to_owned());
    crate::log::init(&resource, env);
    let state_file = params::state_file(env, &resource);
    let meta = crate::ocf::CrmMeta::from_env(env);
    let cfg = GarbdConfig::from_env(env, resource);
    let (status, reason) = match (action, cfg) {
        // The parameters were broken after garbd started: the state file alone says what runs, and a stop
        // must still end it (reporting it stopped while it votes would let Pacemaker start a second one).
        (Action::Stop, Err(e)) => {
            crate::warn!("stop: configuration unusable ({e}); stopping what the state file tracks");
            match stop(None, &state_file, deadline(action, &meta)).await {
                Ok(()) => (OcfStatus::Success, None),
                Err(e) => (e.ocf_status(), Some(e.to_string())),
            }
        }
        (Action::Monitor | Action::Status, Err(e)) => match edge::load(&state_file) {
            Ok(Some(t)) if edge::alive(&t) => (
                OcfStatus::ErrConfigured,
                Some(format!(
                    "garbd (pid {}) runs, but the configuration is unusable: {e}",
                    t.pid
                )),
            ),
            _ => (OcfStatus::NotRunning, Some(e.to_string())),
        },
        (_, Err(e)) => (e.ocf_status(), Some(e.to_string())),
        (action, Ok(cfg)) => match dispatch(action, &cfg, deadline(action, &meta)).await {
            Ok(v) => (v.status, v.reason),
            Err(e) => (e.ocf_status(), Some(e.to_string())),
        },
    };
    if let Some(r) = &reason {
        crate::log::exit_reason(r);
    }
    status
}

async fn dispatch(
    action: Action,
    cfg: &GarbdConfig,
    deadline: Deadline,
) -> Result<arbitrator::Verdict, Error> {
    let ok = arbitrator::Verdict {
        status: OcfStatus::Success,
        reason: None,
    };
    match action {
        Action::Start => start(cfg, deadline).await,
        Action::Stop => stop(Some(cfg), &cfg.state_file(), deadline)
            .await
            .map(|()| ok),
        Action::Monitor | Action::Status => monitor(cfg),
        Action::ValidateAll => validate(cfg).map(|()| ok),
        other => Err(Error::Unimplemented(other.as_str().to_owned())),
    }
}

fn validate(cfg: &GarbdConfig) -> Result<(), Error> {
    edge::executable(&cfg.binary)
}

/// The tracked garbd, caught up with its log; `None` when none runs. Without a state file, a garbd running
/// with exactly this resource's command line is this resource's (its state file was lost) and is tracked
/// again when it is the only one; any other garbd of the group is only logged here (start refuses to add
/// a second one).
fn observe(cfg: &GarbdConfig) -> Result<(Observed, Option<Tracked>), Error> {
    let path = cfg.state_file();
    let t = match edge::load(&path)? {
        Some(t) => t,
        None => {
            let found = edge::untracked(cfg);
            for (pid, argv) in &found.foreign {
                crate::warn!("a garbd this resource did not start runs here (pid {pid}: {argv})");
            }
            match found.ours.as_slice() {
                [] => return Ok((Observed::NotTracked, None)),
                [t] => {
                    crate::info!(
                        "garbd (pid {}) runs with this resource's command line but no state file: \
                         tracking it again",
                        t.pid
                    );
                    edge::save(&path, t)?;
                    *t
                }
                several => {
                    let pids = several.iter().map(|t| t.pid).collect();
                    return Ok((Observed::Several { pids }, None));
                }
            }
        }
    };
    let (o, t) = follow(cfg, t)?;
    Ok((o, Some(t)))
}

/// What became of the tracked `t`; a running one is caught up with its log, its Lost clock kept
/// (`decide::arbitrator::lost_since`), and the state file saved when any of that changed.
fn follow(cfg: &GarbdConfig, mut t: Tracked) -> Result<(Observed, Tracked), Error> {
    match edge::liveness(&t) {
        edge::Liveness::Gone => return Ok((Observed::Gone { pid: t.pid }, t)),
        edge::Liveness::Stopped => return Ok((Observed::Stopped { pid: t.pid }, t)),
        edge::Liveness::Running => {}
    }
    let before = t;
    edge::catch_up(cfg, &mut t)?;
    let now = edge::clock();
    t.lost_since = arbitrator::lost_since(t.state, t.lost_since, now);
    // Logged once each way, not at every monitor of the grace.
    match (before.lost_since, t.lost_since) {
        (None, Some(_)) if cfg.lost_grace > 0 => crate::warn!(
            "garbd (pid {}) lost its Primary component; the monitor fails if it has not rejoined one \
             within {} s (lost_grace)",
            t.pid,
            cfg.lost_grace
        ),
        (Some(since), None) => crate::info!(
            "garbd (pid {}) is {} now, {} s after it lost its Primary component",
            t.pid,
            t.state.map_or("without a state", |s| s.as_str()),
            now.map_or(0, |n| n.saturating_sub(since))
        ),
        _ => {}
    }
    if t != before {
        edge::save(&cfg.state_file(), &t)?;
    }
    let lost_for = t.lost_since.zip(now).map(|(s, n)| n.saturating_sub(s));
    let o = Observed::Running {
        pid: t.pid,
        state: t.state,
        lost_for,
    };
    Ok((o, t))
}

fn monitor(cfg: &GarbdConfig) -> Result<arbitrator::Verdict, Error> {
    let (o, _) = observe(cfg)?;
    if let Observed::Gone { .. } = o {
        // Not running either way; a state file left behind names a pid that reads as gone.
        if let Err(e) = edge::forget(&cfg.state_file()) {
            crate::warn!("monitor: {e}");
        }
    }
    Ok(arbitrator::monitor(o, cfg.lost_grace))
}

async fn start(cfg: &GarbdConfig, deadline: Deadline) -> Result<arbitrator::Verdict, Error> {
    validate(cfg)?;
    let t = match edge::load(&cfg.state_file())?.filter(edge::alive) {
        Some(t) => {
            crate::info!("start: garbd (pid {}) already runs", t.pid);
            t
        }
        None => take_over(cfg, deadline).await?,
    };
    if edge::liveness(&t) == edge::Liveness::Stopped {
        return Ok(arbitrator::monitor(
            Observed::Stopped { pid: t.pid },
            cfg.lost_grace,
        ));
    }
    let joined = poll_until(deadline.within(JOIN_WAIT), POLL, || {
        let r = observe(cfg);
        async move {
            match r {
                Ok((Observed::Running { state, .. }, _)) => {
                    state.filter(|s| s.in_primary()).map(|_| Ok(()))
                }
                Ok((Observed::Gone { pid }, _)) => Some(Err(pid)),
                Ok((Observed::NotTracked | Observed::Several { .. }, _)) => Some(Err(t.pid)),
                // Stopped under the start: the next monitor reports it.
                Ok((Observed::Stopped { .. }, _)) | Err(_) => None,
            }
        }
    })
    .await;
    match joined {
        Some(Ok(())) => {
            crate::info!(
                "start: garbd (pid {}) is a member of the Primary component",
                t.pid
            );
            Ok(arbitrator::Verdict {
                status: OcfStatus::Success,
                reason: None,
            })
        }
        Some(Err(pid)) => {
            let _ = edge::forget(&cfg.state_file());
            Err(Error::GarbdExited {
                pid,
                log_hint: edge::last_error(cfg, t.offset).map_or_else(
                    || format!(" (see {})", cfg.log.display()),
                    |l| format!(": {l}"),
                ),
            })
        }
        None => {
            // Running, but no Primary component yet (the data nodes are not up): the monitor says so.
            crate::info!(
                "start: garbd (pid {}) runs but is in no Primary component yet; it joins when the data \
                 nodes form one",
                t.pid
            );
            Ok(arbitrator::Verdict {
                status: OcfStatus::Success,
                reason: None,
            })
        }
    }
}

/// Start when the state file tracks no garbd that lives: the garbd processes of this resource's command
/// line and of its group decide (`decide::arbitrator::takeover`).
async fn take_over(cfg: &GarbdConfig, deadline: Deadline) -> Result<Tracked, Error> {
    let found = edge::untracked(cfg);
    match arbitrator::takeover(found.ours.len(), found.foreign.len()) {
        Takeover::Refuse => {
            let (pid, argv) = found.foreign.into_iter().next().unwrap_or_default();
            Err(Error::GarbdForeign {
                group: cfg.group.clone(),
                found: format!("pid {pid}: {argv}"),
            })
        }
        Takeover::Launch => launch(cfg),
        Takeover::Adopt => {
            let t = found.ours.first().copied().ok_or_else(|| {
                Error::Internal("takeover: adopt without a garbd to adopt".into())
            })?;
            crate::info!(
                "start: garbd (pid {}) runs with this resource's command line but is not tracked: \
                 tracking it",
                t.pid
            );
            edge::save(&cfg.state_file(), &t)?;
            Ok(t)
        }
        Takeover::ReplaceAll => {
            crate::warn!(
                "start: {} garbd processes run with this resource's command line (pids {}): ending them \
                 all and starting one, whose log can be followed",
                found.ours.len(),
                found
                    .ours
                    .iter()
                    .map(|t| t.pid.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            end(&found.ours, deadline, "start").await?;
            launch(cfg)
        }
    }
}

fn launch(cfg: &GarbdConfig) -> Result<Tracked, Error> {
    let offset = edge::log_size(cfg)?;
    let child = edge::spawn(cfg)?;
    let pid = i32::try_from(child.id()).map_err(|_| Error::Internal("pid out of range".into()))?;
    let starttime = edge::starttime(pid).ok_or(Error::GarbdExited {
        pid,
        log_hint: format!(" at once (see {})", cfg.log.display()),
    })?;
    let t = Tracked::new(pid, starttime, offset);
    if let Err(e) = edge::save(&cfg.state_file(), &t) {
        // Untracked, it would vote on while this start fails and the next one adds a second garbd.
        edge::signal(&t, Signal::SIGKILL);
        return Err(e);
    }
    Ok(t)
}

/// Stop the garbd the state file tracks; without a readable one, the garbd processes of this resource's
/// command line (`cfg`: `None` when the parameters are broken, and then an unreadable state file fails the
/// stop, as what runs cannot be told). Nothing else is read or written (module doc): a state file that
/// cannot be removed only costs a warning, as the pid it names reads as gone from now on.
async fn stop(
    cfg: Option<&GarbdConfig>,
    state_file: &Path,
    deadline: Deadline,
) -> Result<(), Error> {
    let targets = match (edge::load(state_file), cfg) {
        (Ok(Some(t)), _) => vec![t],
        (Ok(None), Some(cfg)) => edge::untracked(cfg).ours,
        (Ok(None), None) => Vec::new(),
        (Err(e), Some(cfg)) => {
            crate::warn!("stop: {e}; looking for this resource's garbd by its command line");
            edge::untracked(cfg).ours
        }
        (Err(e), None) => return Err(e),
    };
    end(&targets, deadline, "stop").await?;
    if let Err(e) = edge::forget(state_file) {
        crate::warn!("stop: garbd is stopped, but {e}");
    }
    Ok(())
}

/// End `targets`: SIGTERM (garbd leaves the group gracefully), SIGKILL for a stopped one and for any that
/// outlives [`TERM_GRACE`]; an error only when one is still there at the deadline.
async fn end(targets: &[Tracked], deadline: Deadline, action: &'static str) -> Result<(), Error> {
    for t in targets {
        match edge::liveness(t) {
            // Evicted by the group while stopped, it has nobody to leave gracefully; continued after
            // SIGTERM, garbd 26.4 spins on "Receiving from group failed: -77" and wrote 1.3 GB of log in
            // the lab.
            edge::Liveness::Stopped => {
                crate::info!("garbd (pid {}) is stopped (SIGSTOP): SIGKILL", t.pid);
                edge::signal(t, Signal::SIGKILL);
            }
            edge::Liveness::Running => {
                crate::info!("stopping garbd (pid {}) with SIGTERM", t.pid);
                edge::signal(t, Signal::SIGTERM);
            }
            edge::Liveness::Gone => {}
        }
    }
    let gone = |d: Deadline| {
        poll_until(d, POLL, move || {
            let g = !targets.iter().any(edge::alive);
            async move { g.then_some(()) }
        })
    };
    // garbd leaves within a second of SIGTERM; one that does not is stuck (and may be filling its log).
    if gone(deadline.within(TERM_GRACE)).await.is_none() {
        for t in targets.iter().filter(|t| edge::alive(t)) {
            crate::warn!("garbd (pid {}) ignored SIGTERM; sending SIGKILL", t.pid);
            edge::signal(t, Signal::SIGKILL);
        }
        if gone(deadline).await.is_none() {
            let pid = targets.iter().find(|t| edge::alive(t)).map_or(0, |t| t.pid);
            return Err(Error::GarbdSurvived { action, pid });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::galera::garbdlog::GarbdState;
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    /// A directory of this test's own, removed at the end.
    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Dir {
            let d =
                std::env::temp_dir().join(format!("galera-ocf-garbd-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            Dir(d)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A stand-in for garbd that this test started (`sleep`), killed by its pid if the test left it.
    struct Stand(std::process::Child);

    impl Stand {
        fn spawn(stdout: Stdio) -> Stand {
            Stand(
                Command::new("sleep")
                    .arg("60")
                    .stdout(stdout)
                    .spawn()
                    .unwrap(),
            )
        }

        fn tracked(&self) -> Tracked {
            let pid = i32::try_from(self.0.id()).unwrap();
            Tracked::new(pid, edge::starttime(pid).unwrap(), 0)
        }
    }

    impl Drop for Stand {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    fn config(dir: &Path, log: &Path) -> GarbdConfig {
        let env: BTreeMap<String, String> = [
            (
                "OCF_RESKEY_wsrep_cluster_address",
                "gcomm://192.0.2.1,192.0.2.2",
            ),
            // No process runs this: the command line scans find nothing of "ours" but what a test starts.
            (
                "OCF_RESKEY_binary",
                &dir.join("garbd").display().to_string(),
            ),
            ("OCF_RESKEY_log", &log.display().to_string()),
            (
                "OCF_RESKEY_workdir",
                &dir.join("work").display().to_string(),
            ),
            ("HA_RSCTMP", &dir.join("run").display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        GarbdConfig::from_env(&env, "garbd".into()).unwrap()
    }

    fn soon() -> Deadline {
        Deadline::after(Duration::from_secs(20))
    }

    #[tokio::test]
    async fn stop_reads_no_log_and_ends_the_tracked_garbd() {
        let dir = Dir::new("stop-log");
        // A log that cannot be read (a directory; garbd's own stdout is no file either): a stop that
        // caught up with it first failed, and a failed stop fences the node.
        let cfg = config(&dir.0, &dir.0);
        let mut garbd = Stand::spawn(Stdio::null());
        edge::save(&cfg.state_file(), &garbd.tracked()).unwrap();
        assert!(edge::catch_up(&cfg, &mut garbd.tracked()).is_err());
        let r = dispatch(Action::Stop, &cfg, soon()).await;
        assert_eq!(r.map(|v| v.status).unwrap(), OcfStatus::Success);
        let status = garbd.0.wait().unwrap();
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(15)
        );
        assert_eq!(edge::load(&cfg.state_file()).unwrap(), None);
    }

    #[tokio::test]
    async fn stop_succeeds_with_a_state_file_it_can_neither_read_nor_remove() {
        let dir = Dir::new("stop-state");
        let cfg = config(&dir.0, &dir.0.join("garbd.log"));
        // A directory where the state file belongs: reading and removing it both fail.
        std::fs::create_dir_all(cfg.state_file()).unwrap();
        assert!(edge::load(&cfg.state_file()).is_err());
        // No garbd of this resource's command line runs: stopped.
        let r = dispatch(Action::Stop, &cfg, soon()).await;
        assert_eq!(r.map(|v| v.status).unwrap(), OcfStatus::Success);
        // With broken parameters there is no command line to look for: what runs cannot be told.
        assert!(stop(None, &cfg.state_file(), soon()).await.is_err());
    }

    #[test]
    fn a_lost_primary_component_fails_the_monitor_only_after_the_grace() {
        let dir = Dir::new("grace");
        let log_path = dir.0.join("garbd.log");
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let cfg = config(&dir.0, &log_path);
        assert_eq!(cfg.lost_grace, 30);
        // garbd's standard output is its log: the monitor reads it through /proc/PID/fd/1.
        let garbd = Stand::spawn(Stdio::from(log.try_clone().unwrap()));
        edge::save(&cfg.state_file(), &garbd.tracked()).unwrap();
        let mut append =
            |line: &str| writeln!(log, "2026-12-07 10:00:00.000  INFO: {line}").unwrap();
        let status = || monitor(&cfg).unwrap().status;
        let lost_since = || edge::load(&cfg.state_file()).unwrap().unwrap().lost_since;

        append("Shifting JOINED -> SYNCED (TO: 2)");
        assert_eq!(status(), OcfStatus::Success);
        assert_eq!(lost_since(), None);
        // A partition: non-Primary after Primary. Inside the grace the monitor passes, and the state file
        // keeps when it began.
        append("Shifting SYNCED -> OPEN (TO: 3)");
        assert_eq!(status(), OcfStatus::Success);
        let since = lost_since().unwrap();
        assert_eq!(status(), OcfStatus::Success);
        assert_eq!(lost_since(), Some(since));
        // It has lasted the grace: the monitor fails.
        let mut t = edge::load(&cfg.state_file()).unwrap().unwrap();
        t.lost_since = Some(since.saturating_sub(31));
        edge::save(&cfg.state_file(), &t).unwrap();
        assert_eq!(status(), OcfStatus::ErrGeneric);
        // Merged back into the Primary component: the clock is cleared.
        append("New COMPONENT: primary = yes, bootstrap = no, my_idx = 2, memb_num = 3");
        append("Shifting JOINED -> SYNCED (TO: 5)");
        assert_eq!(status(), OcfStatus::Success);
        assert_eq!(lost_since(), None);
        let t = edge::load(&cfg.state_file()).unwrap().unwrap();
        assert_eq!(t.state, Some(GarbdState::Primary { synced: true }));
    }
}
