//! A re-forming start (`decide::election::Decision::Reform`: every member level, Galera's pc.recovery
//! restores the last Primary component from gvwstate.dat) once its server runs: how long the monitor waits
//! for it ([`wait`]), and what an attempt that is over leaves of the datadir's position ([`after`]).
//!
//! The members are level, so Galera transfers nothing into a re-forming datadir. But nothing stops the
//! server from joining some *other* component instead (an administrator bootstrapped a node behind the
//! agent's back, with `crm_attribute` rather than `galera-ocf bootstrap --force`, which refuses), and then
//! a state transfer copies a donor's files over this datadir. From the first file on, its position is
//! the donor's half copy. So: every look at the running server writes the transfer marker as soon as
//! [`transfer_may_have_begun`]; [`wait`] turns a re-forming start whose transfer runs into a join (a
//! joiner's patience); and [`after`] keeps the transfer marker whenever a transfer may have begun. The
//! evidence comes from the server log since the start (`galera::startlog`), because the SST scripts'
//! `sst_in_progress` is removed by their own exit trap when a transfer fails, and from `sst_in_progress`
//! itself, which a power loss leaves behind.
//!
//! What is left: a transfer that starts and fails between two looks, followed by a power loss before the
//! demote reads the log, while the log's last lines were still in the page cache only and the copied files
//! were not. A log rotated during a failed attempt costs that member a full transfer ([`after`] cannot rule
//! one out); should that hit every member, an administrator must remove the transfer marker of the member
//! known to be whole.
//!
//! Pure: the caller reads the CIB (the election), the log and the datadir.

use crate::galera::startlog::StartLog;

/// What the election says now about a re-forming start whose server is not answering in a Primary
/// component yet (the monitor re-runs it with one CIB read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReformElection {
    /// Still every member re-forming the saved view.
    Reform,
    /// A Primary component runs (the re-formed one, its members publishing `primary` first): this server is
    /// in it or joins it, and its socket opens once its storage engine is up.
    ComponentRuns,
    /// Anything else (a member stopped, failed, lost its saved view or left): this explanation.
    Other(String),
    /// The CIB could not be read.
    Unknown,
}

/// What a monitor knows of a re-forming server that is not answering in a Primary component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub election: ReformElection,
    /// The server log since the start; `None` when it no longer covers the start (rotated, truncated,
    /// unreadable).
    pub log: Option<StartLog>,
    /// A state transfer into this datadir runs now (`sst_in_progress` written since the server started).
    pub transferring: bool,
    /// Seconds since the re-forming start.
    pub age_secs: u64,
}

/// Whether a Promoted monitor keeps waiting for a re-forming server, fails it now, or takes it for what
/// it has become: a join receiving a state transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReformWait {
    /// Running, serving nobody (`<rsc>-synced=0`).
    Keep,
    /// A transfer into this datadir runs: from now on a join (the transfer marker replaces the re-forming
    /// one; the monitor follows it as it follows any joiner, without the re-forming graces, which would
    /// kill a long transfer and restart it from zero).
    Joining,
    GiveUp(String),
}

/// How long after a re-forming start a Promoted monitor accepts a server that is not (yet) in a Primary
/// component: Galera restores the component only once every member of the view is started, and a promote
/// that is not promoted together with all of them hands that wait to the monitor (it must not hold up
/// the transition that promotes the others). Galera sets no bound of its own here: in the lab two of
/// three members whose third could not start formed a non-Primary component of two and kept waiting. The
/// monitor also ends the wait early, as soon as the election no longer says re-form
/// (`actions::monitor::reform_election`); this grace is for members that all keep waiting for each
/// other (no connectivity between them, `pc.recovery=false` in the provider options).
pub const REFORM_GRACE: u64 = 60;

/// How long a re-forming server may stay without an answering socket once it is in a Primary component
/// (its log says so) or one runs (the election says join): its storage engine starts after the component
/// is reached (MariaDB opens its socket last), which on a large datadir takes minutes. Until a member
/// answers, nobody publishes `primary` and the election still says re-form, so the log's word is what
/// tells a slow start from a component that never formed.
pub const REFORM_COMPONENT_GRACE: u64 = 600;

/// The monitor's rule for a re-forming server (see [`REFORM_GRACE`], [`REFORM_COMPONENT_GRACE`]).
pub fn wait(p: &Progress) -> ReformWait {
    if p.transferring {
        return ReformWait::Joining;
    }
    let formed = p.log.is_some_and(|l| l.primary_formed);
    let age = p.age_secs;
    match &p.election {
        ReformElection::Reform | ReformElection::Unknown if age < REFORM_GRACE => ReformWait::Keep,
        ReformElection::Reform | ReformElection::Unknown | ReformElection::ComponentRuns
            if (formed || p.election == ReformElection::ComponentRuns)
                && age < REFORM_COMPONENT_GRACE =>
        {
            ReformWait::Keep
        }
        ReformElection::Reform | ReformElection::Unknown if !formed => ReformWait::GiveUp(format!(
            "the saved Primary view was not re-formed within {REFORM_GRACE} s (a member never \
             connected)"
        )),
        ReformElection::Reform | ReformElection::Unknown | ReformElection::ComponentRuns => {
            ReformWait::GiveUp(format!(
                "a Primary component runs, but this server, started to re-form it, has not answered \
                 for {REFORM_COMPONENT_GRACE} s"
            ))
        }
        ReformElection::Other(explain) => ReformWait::GiveUp(format!(
            "the saved Primary view can no longer be re-formed; the election now says: {explain}"
        )),
    }
}

/// Whether a state transfer into a re-forming server's datadir may have begun while it runs: one runs now,
/// or its log since the start shows Galera asked for one (level members never do). A log that no longer
/// covers the start is no evidence here (the attempt's end, [`after`], decides on it): marking a running
/// member on a rotation would leave every member incomplete after a power loss.
pub fn transfer_may_have_begun(transferring: bool, log: Option<StartLog>) -> bool {
    transferring || log.is_some_and(|l| l.transfer_requested)
}

/// What a re-forming attempt that is over (stopped, failed, or cut by a power loss) leaves of the
/// datadir's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// A state transfer may have begun: the datadir may hold a donor's half copy, so it gets the transfer
    /// marker (a full transfer next time, never a bootstrap from it), for this reason.
    MayHoldAHalfCopy(&'static str),
    /// Nothing was copied: the re-forming marker simply goes and the node keeps its real position.
    Untouched,
}

/// The rule for an attempt that is over: `sst_file` is `sst_in_progress` present (a power loss in the middle
/// of a transfer), `log` the server log since the start (`None`: it no longer covers the start, so a
/// transfer cannot be ruled out).
pub fn after(sst_file: bool, log: Option<StartLog>) -> After {
    match log {
        _ if sst_file => After::MayHoldAHalfCopy(
            "the SST scripts' sst_in_progress is still there (a transfer was cut off)",
        ),
        Some(l) if l.transfer_requested => After::MayHoldAHalfCopy(
            "the server log shows a state transfer requested since the re-forming start",
        ),
        Some(_) => After::Untouched,
        None => After::MayHoldAHalfCopy(
            "the server log no longer covers the re-forming start (rotated, truncated or unreadable), so \
             a state transfer cannot be ruled out",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn progress(election: ReformElection, formed: bool, age_secs: u64) -> Progress {
        Progress {
            election,
            log: Some(StartLog {
                transfer_requested: false,
                primary_formed: formed,
            }),
            transferring: false,
            age_secs,
        }
    }

    fn keeps(p: &Progress) -> bool {
        wait(p) == ReformWait::Keep
    }

    /// The re-forming wait: kept while the election still says re-form (or the CIB cannot be read) within
    /// the grace, and longer once a component runs or the server's log shows it formed (the socket opens
    /// after the storage engine); given up at once when the election says anything else.
    #[test]
    fn the_re_forming_wait_follows_the_election_and_the_log() {
        use ReformElection as E;
        for formed in [false, true] {
            assert!(keeps(&progress(E::Reform, formed, 0)));
            assert!(keeps(&progress(E::Reform, formed, REFORM_GRACE - 1)));
            assert!(keeps(&progress(E::Unknown, formed, REFORM_GRACE - 1)));
            assert!(keeps(&progress(E::ComponentRuns, formed, REFORM_GRACE)));
            assert!(keeps(&progress(
                E::ComponentRuns,
                formed,
                REFORM_COMPONENT_GRACE - 1
            )));
            assert!(matches!(
                wait(&progress(E::ComponentRuns, formed, REFORM_COMPONENT_GRACE)),
                ReformWait::GiveUp(_)
            ));
            match wait(&progress(E::Other("wait for node3: ...".into()), formed, 0)) {
                ReformWait::GiveUp(why) => assert!(
                    why.ends_with("the election now says: wait for node3: ..."),
                    "{why}"
                ),
                other => panic!("{other:?}"),
            }
        }
        // No component formed: the short grace.
        for e in [E::Reform, E::Unknown] {
            match wait(&progress(e.clone(), false, REFORM_GRACE)) {
                ReformWait::GiveUp(why) => assert!(why.contains("not re-formed"), "{why}"),
                other => panic!("{other:?}"),
            }
            // Formed (every member's InnoDB slow, nobody publishing `primary` yet): the long one.
            assert!(keeps(&progress(e.clone(), true, REFORM_GRACE)));
            assert!(keeps(&progress(
                e.clone(),
                true,
                REFORM_COMPONENT_GRACE - 1
            )));
            assert!(matches!(
                wait(&progress(e.clone(), true, REFORM_COMPONENT_GRACE)),
                ReformWait::GiveUp(_)
            ));
            // A log that no longer covers the start proves no component.
            let lost = Progress {
                log: None,
                ..progress(e, true, REFORM_GRACE)
            };
            assert!(matches!(wait(&lost), ReformWait::GiveUp(_)));
        }
    }

    /// A transfer into the datadir makes the start a join, whatever the election and the age say (never
    /// the re-forming graces, which would kill it).
    #[test]
    fn a_running_transfer_is_a_join() {
        use ReformElection as E;
        for e in [
            E::Reform,
            E::Unknown,
            E::ComponentRuns,
            E::Other("x".into()),
        ] {
            for age in [
                0,
                REFORM_GRACE,
                REFORM_COMPONENT_GRACE,
                10 * REFORM_COMPONENT_GRACE,
            ] {
                let p = Progress {
                    transferring: true,
                    ..progress(e.clone(), false, age)
                };
                assert_eq!(wait(&p), ReformWait::Joining);
            }
        }
    }

    /// Only a log covering the start that shows no transfer request, with no `sst_in_progress`, lets the
    /// re-forming marker go without the transfer marker.
    #[test]
    fn an_attempt_leaves_the_transfer_marker_unless_nothing_was_copied() {
        let log = |transfer_requested, primary_formed| {
            Some(StartLog {
                transfer_requested,
                primary_formed,
            })
        };
        assert_eq!(after(false, log(false, false)), After::Untouched);
        assert_eq!(after(false, log(false, true)), After::Untouched);
        for (sst_file, l) in [
            (true, log(false, false)),
            (true, log(false, true)),
            (true, None),
            (false, log(true, false)),
            (false, log(true, true)),
            (false, None),
        ] {
            assert!(
                matches!(after(sst_file, l), After::MayHoldAHalfCopy(_)),
                "{sst_file} {l:?}"
            );
        }
    }

    /// What can happen to a re-forming member, in the order the world allows: Galera logs its request
    /// before the SST script starts, the script writes `sst_in_progress` before it copies anything, and
    /// its exit trap removes the file when the transfer fails.
    #[derive(Debug, Clone, Copy)]
    enum Event {
        /// Lines every member logs: another member's donor selection, a non-Primary component.
        Noise,
        Formed,
        /// This server asks for a state transfer (it joined some other component); with `prepared`, MariaDB's
        /// SST script was started too.
        Requested {
            prepared: bool,
        },
        ScriptStarts,
        FileCopied,
        ScriptFails,
        /// logrotate (create or copytruncate): the reader no longer finds the start's mark.
        LogRotated,
        /// A monitor (or the promote's wait) looks at the server: `transfer_may_have_begun` → the transfer
        /// marker at once.
        Looks,
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            Just(Event::Noise),
            Just(Event::Formed),
            any::<bool>().prop_map(|prepared| Event::Requested { prepared }),
            Just(Event::ScriptStarts),
            Just(Event::FileCopied),
            Just(Event::ScriptFails),
            Just(Event::LogRotated),
            Just(Event::Looks),
        ]
    }

    proptest! {
        /// Over any run of a re-forming attempt cut off at any point (stop, failure, power loss): the
        /// re-forming marker goes without the transfer marker only when nothing was copied; a running
        /// transfer is always followed as a join; and a level attempt (no request, log intact) never
        /// leaves a member incomplete (else a power loss could leave every member unable to bootstrap).
        #[test]
        fn no_half_copy_goes_unmarked(events in proptest::collection::vec(event(), 0..24)) {
            let mut log = String::new();
            let (mut requested, mut sst_file, mut copied, mut rotated) = (false, false, false, false);
            let mut marked = false;
            for e in events {
                match e {
                    Event::Noise => log.push_str(
                        "x [Note] WSREP: Member 1.0 (node2) requested state transfer from '*any*'. \
                         Selected 0.0 (node1)(SYNCED) as donor.\n\
                         x [Note] WSREP: New COMPONENT: primary = no, bootstrap = no, my_idx = 0, memb_num = 2\n",
                    ),
                    Event::Formed => log.push_str(
                        "x [Note] WSREP: New COMPONENT: primary = yes, bootstrap = no, my_idx = 0, memb_num = 3\n",
                    ),
                    Event::Requested { prepared } => {
                        requested = true;
                        log.push_str("x [Note] WSREP: State transfer required: \n\tGroup state: u:9\n");
                        if prepared {
                            log.push_str("x [Note] WSREP: Prepared SST request: rsync|198.18.0.13:4444/rsync_sst\n");
                        }
                    }
                    Event::ScriptStarts if requested => sst_file = true,
                    Event::FileCopied if sst_file => copied = true,
                    Event::ScriptFails => sst_file = false,
                    Event::LogRotated => rotated = true,
                    Event::Looks => {
                        let log = (!rotated).then(|| crate::galera::startlog::read(&log));
                        marked |= transfer_may_have_begun(sst_file, log);
                    }
                    Event::ScriptStarts | Event::FileCopied => {}
                }
                if sst_file {
                    for election in [ReformElection::Reform, ReformElection::Unknown, ReformElection::ComponentRuns] {
                        let p = Progress {
                            election,
                            log: (!rotated).then(|| crate::galera::startlog::read(&log)),
                            transferring: true,
                            age_secs: REFORM_COMPONENT_GRACE,
                        };
                        prop_assert_eq!(wait(&p), ReformWait::Joining);
                    }
                }
            }
            let seen = (!rotated).then(|| crate::galera::startlog::read(&log));
            let end = after(sst_file, seen);
            if copied {
                prop_assert!(
                    marked || matches!(end, After::MayHoldAHalfCopy(_)),
                    "copied, yet unmarked and {:?}", end
                );
            }
            if !requested {
                // A level attempt: no look marks it, and its end marks it only when the log was lost.
                prop_assert!(!marked);
                if !rotated {
                    prop_assert_eq!(end, After::Untouched);
                }
            }
        }
    }
}
