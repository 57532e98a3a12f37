use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

const LOG: &str = "/var/log/pacemaker/pacemaker.log";
const DBG: &str = "/var/log/galera-debug.log";

#[test]
fn a_terminal_gets_everything_and_nothing_else_does() {
    let r = route(
        &env(&[
            ("HA_LOGFACILITY", "daemon"),
            ("HA_LOGFILE", LOG),
            ("HA_debug", "1"),
        ]),
        true,
    );
    for level in [Level::Debug, Level::Info, Level::Warn, Level::Error] {
        assert_eq!(
            r.targets(level),
            Targets {
                stderr: true,
                ..Targets::default()
            },
            "{level:?}"
        );
    }
    assert_eq!(r.reason_targets(), Targets::default());
    // Without HA_debug, not even a terminal sees debug lines.
    let quiet = route(&env(&[]), true);
    assert_eq!(quiet.targets(Level::Debug), Targets::default());
}

#[test]
fn no_facility_and_no_logfile_is_stderr() {
    for e in [
        env(&[]),
        env(&[("HA_LOGFACILITY", "none")]),
        env(&[("HA_LOGFACILITY", "")]),
        env(&[("HA_LOGFILE", "")]),
        env(&[("HA_LOGFILE", "relative.log")]),
    ] {
        let r = route(&e, false);
        assert_eq!(r.syslog, None, "{e:?}");
        assert_eq!(
            r.targets(Level::Info),
            Targets {
                stderr: true,
                ..Targets::default()
            },
            "{e:?}"
        );
        // stderr carries the ocf-exit-reason line, so the ERROR copy goes nowhere.
        assert_eq!(r.reason_targets(), Targets::default(), "{e:?}");
    }
}

/// What pacemaker-execd exports with the lab's `PCMK_logfacility=none PCMK_logfile=...pacemaker.log`.
#[test]
fn a_logfile_takes_the_lines_off_stderr() {
    let r = route(&env(&[("HA_LOGFILE", LOG)]), false);
    let file_only = Targets {
        stderr: false,
        syslog: None,
        files: vec![p(LOG)],
    };
    assert_eq!(r.targets(Level::Info), file_only);
    assert_eq!(r.targets(Level::Error), file_only);
    assert_eq!(r.reason_targets(), file_only);
    assert_eq!(r.targets(Level::Debug), Targets::default());
}

#[test]
fn a_facility_is_syslog_only_and_unknown_names_are_daemon() {
    let r = route(&env(&[("HA_LOGFACILITY", "local3")]), false);
    let syslog = Targets {
        stderr: false,
        syslog: Some(Facility(19)),
        files: vec![],
    };
    assert_eq!(r.targets(Level::Warn), syslog);
    assert_eq!(r.reason_targets(), syslog);
    let r = route(&env(&[("HA_LOGFACILITY", "lokal9")]), false);
    assert_eq!(r.syslog, Some(Facility::DAEMON));
    let r = route(&env(&[("HA_LOGFACILITY", "NONE")]), false);
    assert_eq!(r.syslog, None);
}

#[test]
fn syslog_and_logfile_together() {
    let r = route(
        &env(&[("HA_LOGFACILITY", "daemon"), ("HA_LOGFILE", LOG)]),
        false,
    );
    assert_eq!(
        r.targets(Level::Info),
        Targets {
            stderr: false,
            syslog: Some(Facility::DAEMON),
            files: vec![p(LOG)],
        }
    );
}

#[test]
fn debug_lines_need_ha_debug_and_skip_the_logfile() {
    for (v, on) in [
        ("1", true),
        ("yes", true),
        ("pacemaker-execd", true),
        ("0", false),
        ("", false),
        ("no", false),
        ("false", false),
    ] {
        assert_eq!(route(&env(&[("HA_debug", v)]), false).debug, on, "{v:?}");
    }
    // HA_DEBUG is not what ocf-shellfuncs reads.
    assert!(!route(&env(&[("HA_DEBUG", "1")]), false).debug);

    // pacemaker-execd with PCMK_debug: HA_DEBUGLOG is HA_LOGFILE; every line once.
    let r = route(
        &env(&[("HA_LOGFILE", LOG), ("HA_DEBUGLOG", LOG), ("HA_debug", "1")]),
        false,
    );
    let once = Targets {
        stderr: false,
        syslog: None,
        files: vec![p(LOG)],
    };
    assert_eq!(r.targets(Level::Debug), once);
    assert_eq!(r.targets(Level::Info), once);

    // A separate debug log gets every line; the logfile no debug line.
    let r = route(
        &env(&[("HA_LOGFILE", LOG), ("HA_DEBUGLOG", DBG), ("HA_debug", "1")]),
        false,
    );
    assert_eq!(r.targets(Level::Debug).files, vec![p(DBG)]);
    assert_eq!(r.targets(Level::Info).files, vec![p(LOG), p(DBG)]);
    assert_eq!(r.reason_targets().files, vec![p(LOG), p(DBG)]);

    // Debug lines with a facility: syslog (and the debug log), as ha_debug.
    let r = route(
        &env(&[("HA_LOGFACILITY", "daemon"), ("HA_debug", "1")]),
        false,
    );
    assert_eq!(
        r.targets(Level::Debug),
        Targets {
            stderr: false,
            syslog: Some(Facility::DAEMON),
            files: vec![],
        }
    );
    // Only a logfile: debug lines there rather than on stderr.
    let r = route(&env(&[("HA_LOGFILE", LOG), ("HA_debug", "1")]), false);
    assert_eq!(r.targets(Level::Debug), once);
    // Nothing set: stderr.
    let r = route(&env(&[("HA_debug", "1")]), false);
    assert!(r.targets(Level::Debug).stderr);
}

#[test]
fn only_a_debug_log_keeps_stderr() {
    let r = route(&env(&[("HA_DEBUGLOG", DBG)]), false);
    assert_eq!(
        r.targets(Level::Info),
        Targets {
            stderr: true,
            syslog: None,
            files: vec![p(DBG)],
        }
    );
    assert_eq!(r.reason_targets().files, vec![p(DBG)]);
}

#[test]
fn facility_numbers_and_priorities() {
    for (name, code) in [
        ("kern", 0),
        ("user", 1),
        ("daemon", 3),
        ("DAEMON", 3),
        ("auth", 4),
        ("authpriv", 10),
        ("local0", 16),
        ("local7", 23),
        ("", 3),
        ("bogus", 3),
    ] {
        assert_eq!(Facility::from_name(name).code(), code, "{name}");
    }
    assert_eq!(Facility::DAEMON.priority(Level::Error), 27);
    assert_eq!(Facility::DAEMON.priority(Level::Warn), 28);
    assert_eq!(Facility::DAEMON.priority(Level::Info), 30);
    assert_eq!(Facility::DAEMON.priority(Level::Debug), 31);
    assert_eq!(Facility::from_name("local0").priority(Level::Info), 134);
    assert_eq!(Facility::from_name("user").priority(Level::Error), 11);
}

#[test]
fn syslog_and_file_stamps() {
    // 2026-12-03T06:06:43Z
    let t = 1_796_278_003;
    assert_eq!(format_utc(1_796_278_003), "2026-12-03T06:06:43Z");
    assert_eq!(
        syslog_message(30, t, "galera-ocf(galera)[42]: INFO: hello"),
        "<30>Dec  3 06:06:43 galera-ocf(galera)[42]: INFO: hello"
    );
    assert_eq!(
        syslog_message(27, t + 10 * 86_400, "x"),
        "<27>Dec 13 06:06:43 x"
    );
    assert_eq!(file_stamp(t, 7), "Dec 03 06:06:43.007");
    assert_eq!(file_stamp(0, 999), "Jan 01 00:00:00.999");
}

#[test]
fn exit_reasons_fit_what_pacemaker_keeps() {
    assert_eq!(exit_reason_line("short\nreason"), "short reason");
    let exact = "x".repeat(EXIT_REASON_MAX);
    assert_eq!(exit_reason_line(&exact), exact);
    let long = format!("{} tail that Pacemaker would drop", "y".repeat(120));
    let cut = exit_reason_line(&long);
    assert_eq!(cut.len(), EXIT_REASON_MAX);
    assert!(cut.ends_with(" ..."));
    assert!(cut.starts_with(&"y".repeat(120)));
    // Multi-byte characters are never split.
    let wide = "é".repeat(100);
    let cut = exit_reason_line(&wide);
    assert!(cut.len() <= EXIT_REASON_MAX && cut.ends_with(" ..."));
    assert!(cut.trim_end_matches(" ...").chars().all(|c| c == 'é'));
}

#[test]
fn utc_formatting() {
    assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    assert_eq!(format_utc(1_795_000_000), "2026-11-18T11:06:40Z");
}

/// A TZif header: version, then isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
fn tzif_header(version: u8, counts: [u32; 6]) -> Vec<u8> {
    let mut h = b"TZif".to_vec();
    h.push(version);
    h.extend([0u8; 15]);
    for c in counts {
        h.extend(c.to_be_bytes());
    }
    h
}

/// A Berlin-like zone: +1 h (type 0), +2 h from `summer`, +1 h again from `winter`; the v1 block has
/// wrong (UTC) data so reading it instead of the 64-bit block shows.
fn berlin_like(summer: i64, winter: i64) -> Vec<u8> {
    let mut f = tzif_header(b'2', [0, 0, 0, 0, 1, 4]);
    f.extend(0i32.to_be_bytes());
    f.extend([0, 0]);
    f.extend(b"UTC\0");
    f.extend(tzif_header(b'2', [0, 0, 0, 2, 2, 9]));
    f.extend(summer.to_be_bytes());
    f.extend(winter.to_be_bytes());
    f.extend([1, 0]);
    f.extend(3600i32.to_be_bytes());
    f.extend([0, 0]);
    f.extend(7200i32.to_be_bytes());
    f.extend([1, 4]);
    f.extend(b"CET\0CEST\0");
    f.extend(b"\nCET-1CEST,M3.5.0,M10.5.0/3\n");
    f
}

#[test]
fn tzif_offsets() {
    let (summer, winter) = (1_774_746_000, 1_792_890_000);
    let f = berlin_like(summer, winter);
    assert_eq!(tzif_offset(&f, summer - 1), Some(3600));
    assert_eq!(tzif_offset(&f, summer), Some(7200));
    assert_eq!(tzif_offset(&f, winter - 1), Some(7200));
    assert_eq!(tzif_offset(&f, winter + 86_400), Some(3600));
    // A version 1 file: the 32-bit block.
    let mut v1 = tzif_header(0, [0, 0, 0, 1, 2, 8]);
    v1.extend(1_000i32.to_be_bytes());
    v1.push(1);
    v1.extend((-18_000i32).to_be_bytes());
    v1.extend([0, 0]);
    v1.extend((-14_400i32).to_be_bytes());
    v1.extend([1, 4]);
    v1.extend(b"EST\0EDT\0");
    assert_eq!(tzif_offset(&v1, 999), Some(-18_000));
    assert_eq!(tzif_offset(&v1, 1_000), Some(-14_400));
    // Not TZif, or cut short: no offset (the caller uses UTC).
    assert_eq!(tzif_offset(b"UTC0\n", 0), None);
    assert_eq!(tzif_offset(&f[..60], 0), None);
    assert_eq!(local_offset(Some(""), 0), 0);
    // A transition pointing past the type table: no offset, not a byte of the abbreviations.
    let mut bad = v1.clone();
    bad[44 + 4] = 7;
    assert_eq!(tzif_offset(&bad, 1_000), None);
    // Counts that promise more than the file holds, or would overflow: no offset, no panic.
    let huge = tzif_header(0, [u32::MAX; 6]);
    assert_eq!(tzif_offset(&huge, 0), None);
    // A TZ that leaves the zoneinfo tree, or names something that is not a regular file: UTC, at once.
    assert_eq!(local_offset(Some("../../../dev/zero"), 0), 0);
    assert_eq!(local_offset(Some("/dev/zero"), 0), 0);
    assert_eq!(local_offset(Some("/"), 0), 0);
}

proptest::proptest! {
    /// Whatever the bytes, the reader answers (an offset or none) and never panics.
    #[test]
    fn tzif_never_panics(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), t in proptest::prelude::any::<i64>()) {
        let mut f = tzif_header(b'2', [1, 1, 1, 2, 2, 3]);
        f.extend(data.iter());
        let _ = tzif_offset(&f, t);
        let _ = tzif_offset(&data, t);
    }
}
