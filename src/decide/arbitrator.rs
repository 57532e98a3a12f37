//! What a monitor of `ocf:galera-ocf:garbd` observed, as an OCF status (issue 17). Pure.
//!
//! garbd's worth is its vote, so "the process runs" is not enough: the monitor is Success only while
//! garbd's log says it is a member of a Primary component. A garbd that runs but is in no Primary
//! component (the data nodes are down, or it is cut off from them) is OCF_DEGRADED (190), not a failure:
//! restarting it cannot help (garbd can never form a Primary component by itself, and with
//! `pc.wait_prim=no` it joins one as soon as the data nodes form it), while a failure would make Pacemaker
//! restart it again and again and, on a start timeout, ban it from its node.
//!
//! OCF_DEGRADED is only for a garbd that has not been in a Primary component yet (started before the data
//! nodes). One that was and is no longer is a failure, so Pacemaker restarts it once, and the new garbd
//! waits (OCF_DEGRADED) for the data nodes:
//! - lost (non-Primary after Primary): in the lab garbd 26.4 stayed non-Primary and silent after the data
//!   nodes left, and refused the component they formed anew; a fresh garbd joins it;
//! - alone in a Primary component (every data node left cleanly, one after the other): a component that
//!   holds no data, which a data node started outside the agent would join (and find no donor), and which
//!   the bootstrap node's new component would have to merge with.
//!
//! Lost fails the monitor only once it has lasted `lost_grace` seconds ([`monitor`]): garbd's side of a
//! brief network partition goes non-Primary too, and Galera merges it back by itself once the link
//! returns (a reconnect attempt a second, then the merge); a restart at each such flap would add nothing
//! but fail counts (and, past `migration-threshold`, a ban from the arbitrator's node). The state file
//! keeps when the log first said Lost ([`lost_since`]), so the grace spans monitors.
//!
//! [`takeover`] is what a start does with the garbd processes it finds when it tracks none that lives.

use crate::galera::garbdlog::GarbdState;
use crate::ocf::OcfStatus;

/// What the agent found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// No garbd of this resource is tracked (never started here, or stopped).
    NotTracked,
    /// The tracked garbd (this pid) is gone.
    Gone { pid: i32 },
    /// It runs, and its log last said this (`None`: nothing yet). `lost_for`: how many seconds its log has
    /// said Lost (`None` when it does not, or when the clock could not be read).
    Running {
        pid: i32,
        state: Option<GarbdState>,
        lost_for: Option<u64>,
    },
    /// It exists but is stopped (SIGSTOP, a debugger): whatever its log last said, it answers nobody, and
    /// the group evicts it within seconds without garbd logging a word.
    Stopped { pid: i32 },
    /// No state file, and several garbd processes run with exactly this resource's command line: they are
    /// this resource's, several votes from one machine, and since they share one log none's state can be
    /// read. Stop ends them all.
    Several { pids: Vec<i32> },
}

/// When garbd's log first said Lost, as the state file is to keep it: `recorded` while it still says so,
/// `now` when it has just begun to, cleared by any other state (back in a Primary component, or closed).
/// `now` is `None` when the clock could not be read: the grace then cannot be measured.
pub fn lost_since(
    state: Option<GarbdState>,
    recorded: Option<u64>,
    now: Option<u64>,
) -> Option<u64> {
    match state {
        Some(GarbdState::Lost) => recorded.or(now),
        _ => None,
    }
}

/// What start does when the state file tracks no garbd that lives (none, or the one it names died),
/// given the garbd processes found by their command line (`edge::garbd::untracked`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takeover {
    /// None of this resource's and none of the group's: start one.
    Launch,
    /// Exactly one runs with this resource's command line: it is this resource's (its state file was lost
    /// or names a garbd that died), so it is tracked again rather than joined by a second vote.
    Adopt,
    /// Several run with this resource's command line. They are this resource's by their argv, so start
    /// ends them all and starts one: keeping one would keep a garbd whose state cannot be read (they all
    /// write the one log of that argv, whose lines say nothing about which process wrote them), while a
    /// garbd started now is followed from its own first line.
    ReplaceAll,
    /// A garbd of the same group that this resource did not start (garb.service, an admin's) runs: two
    /// arbitrators on one machine are two votes that one failure takes away together. Start refuses
    /// rather than end a process it does not own.
    Refuse,
}

pub fn takeover(ours: usize, foreign: usize) -> Takeover {
    match (ours, foreign) {
        (_, 1..) => Takeover::Refuse,
        (0, 0) => Takeover::Launch,
        (1, 0) => Takeover::Adopt,
        (_, 0) => Takeover::ReplaceAll,
    }
}

/// The monitor's answer and, when it is not plain Success, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: OcfStatus,
    pub reason: Option<String>,
}

/// The monitor's verdict on `o`; a Lost garbd fails only once it has been lost for `lost_grace` seconds
/// (0: at once; an unknown duration fails at once too, as the grace cannot be told to have run out).
pub fn monitor(o: Observed, lost_grace: u64) -> Verdict {
    let v = |status, reason: Option<String>| Verdict { status, reason };
    match o {
        Observed::NotTracked => v(OcfStatus::NotRunning, None),
        Observed::Several { pids } => v(
            OcfStatus::ErrGeneric,
            Some(format!(
                "{} garbd processes (pids {}) run with this resource's command line and no state file:                  several votes from one machine; stop ends them all",
                pids.len(),
                pids.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
            )),
        ),
        Observed::Gone { pid } => v(
            OcfStatus::NotRunning,
            Some(format!("garbd (pid {pid}) is no longer running")),
        ),
        Observed::Stopped { pid } => v(
            OcfStatus::ErrGeneric,
            Some(format!(
                "garbd (pid {pid}) is stopped (SIGSTOP or a debugger): it does not vote while stopped"
            )),
        ),
        Observed::Running {
            state: Some(GarbdState::Primary { .. }),
            ..
        } => v(OcfStatus::Success, None),
        Observed::Running {
            pid,
            state: Some(GarbdState::Closed),
            ..
        } => v(
            OcfStatus::ErrGeneric,
            Some(format!("garbd (pid {pid}) has closed its group connection but still runs")),
        ),
        Observed::Running {
            pid,
            state: Some(GarbdState::Alone),
            ..
        } => v(
            OcfStatus::ErrGeneric,
            Some(format!(
                "garbd (pid {pid}) is alone in a Primary component of its own (every data node left \
                 cleanly, and a clean leave keeps the rest Primary): a component that holds no data; \
                 restarted, it waits for the data nodes' election instead"
            )),
        ),
        Observed::Running {
            state: Some(GarbdState::Lost),
            lost_for: Some(secs),
            ..
        } if secs < lost_grace => v(OcfStatus::Success, None),
        Observed::Running {
            pid,
            state: Some(GarbdState::Lost),
            lost_for,
        } => v(
            OcfStatus::ErrGeneric,
            Some(format!(
                "garbd (pid {pid}) lost its Primary component{} (the data nodes are gone or cut off) and \
                 may not rejoin the one they form anew: restarted, it waits for them",
                lost_for.map_or_else(String::new, |s| format!(" {s} s ago"))
            )),
        ),
        Observed::Running { pid, state, .. } => v(
            OcfStatus::Degraded,
            Some(format!(
                "garbd (pid {pid}) runs but is in no Primary component ({}): its vote keeps no data node \
                 Primary; it joins by itself once the data nodes form one",
                state.map_or("no state logged yet", GarbdState::as_str)
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_observation_has_one_status() {
        let run = |state| Observed::Running {
            pid: 7,
            state,
            lost_for: None,
        };
        let cases = [
            (Observed::NotTracked, OcfStatus::NotRunning, false),
            (Observed::Gone { pid: 7 }, OcfStatus::NotRunning, true),
            (
                run(Some(GarbdState::Primary { synced: true })),
                OcfStatus::Success,
                false,
            ),
            (
                run(Some(GarbdState::Primary { synced: false })),
                OcfStatus::Success,
                false,
            ),
            (run(Some(GarbdState::NonPrimary)), OcfStatus::Degraded, true),
            (run(Some(GarbdState::Alone)), OcfStatus::ErrGeneric, true),
            (run(Some(GarbdState::Lost)), OcfStatus::ErrGeneric, true),
            (run(Some(GarbdState::Connecting)), OcfStatus::Degraded, true),
            (run(None), OcfStatus::Degraded, true),
            (run(Some(GarbdState::Closed)), OcfStatus::ErrGeneric, true),
            (Observed::Stopped { pid: 7 }, OcfStatus::ErrGeneric, true),
            (
                Observed::Several { pids: vec![7, 8] },
                OcfStatus::ErrGeneric,
                true,
            ),
        ];
        for (o, status, reason) in cases {
            let v = monitor(o.clone(), 30);
            assert_eq!(v.status, status, "{o:?}");
            assert_eq!(v.reason.is_some(), reason, "{o:?}");
        }
    }

    #[test]
    fn lost_fails_only_once_the_grace_has_run_out() {
        let lost = |lost_for| Observed::Running {
            pid: 7,
            state: Some(GarbdState::Lost),
            lost_for,
        };
        let status = |o, grace| monitor(o, grace).status;
        // A brief partition: the monitors inside the grace pass, silently.
        assert_eq!(monitor(lost(Some(0)), 30).reason, None);
        assert_eq!(status(lost(Some(0)), 30), OcfStatus::Success);
        assert_eq!(status(lost(Some(29)), 30), OcfStatus::Success);
        // It lasted: the monitor fails, and the fresh garbd Pacemaker starts waits for the data nodes.
        assert_eq!(status(lost(Some(30)), 30), OcfStatus::ErrGeneric);
        assert!(monitor(lost(Some(41)), 30)
            .reason
            .is_some_and(|r| r.contains("41 s ago")));
        // No grace, or none that can be measured: at once.
        assert_eq!(status(lost(Some(0)), 0), OcfStatus::ErrGeneric);
        assert_eq!(status(lost(None), 30), OcfStatus::ErrGeneric);
        // The grace is for Lost alone: alone in a component comes from clean leaves, no flap.
        let alone = Observed::Running {
            pid: 7,
            state: Some(GarbdState::Alone),
            lost_for: Some(0),
        };
        assert_eq!(status(alone, 30), OcfStatus::ErrGeneric);
    }

    #[test]
    fn lost_since_is_the_first_sighting_and_cleared_by_any_other_state() {
        let lost = Some(GarbdState::Lost);
        assert_eq!(lost_since(lost, None, Some(100)), Some(100));
        assert_eq!(lost_since(lost, Some(90), Some(100)), Some(90));
        assert_eq!(lost_since(lost, Some(90), None), Some(90));
        assert_eq!(lost_since(lost, None, None), None);
        for other in [
            Some(GarbdState::Primary { synced: true }),
            Some(GarbdState::Primary { synced: false }),
            Some(GarbdState::NonPrimary),
            Some(GarbdState::Closed),
            None,
        ] {
            assert_eq!(lost_since(other, Some(90), Some(100)), None, "{other:?}");
        }
    }

    #[test]
    fn start_adopts_one_of_its_own_replaces_several_and_refuses_a_foreign_one() {
        assert_eq!(takeover(0, 0), Takeover::Launch);
        assert_eq!(takeover(1, 0), Takeover::Adopt);
        assert_eq!(takeover(2, 0), Takeover::ReplaceAll);
        assert_eq!(takeover(5, 0), Takeover::ReplaceAll);
        for ours in [0, 1, 2] {
            assert_eq!(takeover(ours, 1), Takeover::Refuse, "{ours}");
        }
    }
}
