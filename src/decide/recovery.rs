//! Whether a position recovered earlier still holds, so a start after a demote does not run a second
//! `--wsrep-recover` (issue 16). Pure: `edge::datadir::fingerprint` takes the stamps, `edge::recovery`
//! reads and writes the cache.
//!
//! After mariadbd dies under a Promoted instance, Pacemaker runs demote, stop and start. demote recovers the
//! position with `--wsrep-recover` (an InnoDB crash recovery: seconds to minutes on a large datadir), and
//! the start that follows finds grastate.dat still at seqno -1 (`--wsrep-recover` does not write it) and
//! would recover again. The first recovery is reused when the data directory provably did not change in
//! between: the [`Fingerprint`] taken right after it equals the one taken now. It stamps the files any run
//! of mariadbd writes (grastate.dat at every start, the redo log `ib_logfile0` at every start and write,
//! the system tablespace, the saved view) and the directory itself (files created or removed), each with
//! size, inode, mtime and ctime to the nanosecond (ctime cannot be set from user space, so neither a
//! server run nor a copy over the files leaves all of them as they were), and the kernel's boot id (page
//! cache content lost in a host crash can make the same stamps hold other data). Anything missing or
//! different, and the position is recovered again: reuse is only ever a shortcut.

use crate::galera::position::Position;

/// How one file looked: `None` when absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    pub name: String,
    pub stat: Option<Stat>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stat {
    pub len: u64,
    pub ino: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
}

/// The data directory's state as far as a recovery's result depends on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub boot_id: String,
    pub files: Vec<FileStamp>,
}

/// A recovered position and the fingerprint of the datadir right after its recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub position: Position,
    pub fingerprint: Fingerprint,
}

/// The files InnoDB's recovery reads the position from that must be regular files of the datadir itself
/// for a reuse: when they are elsewhere (`innodb_log_group_home_dir`, `innodb_data_home_dir`) or symlinks,
/// the stamps of the datadir do not show a change to them (`edge::datadir::fingerprint` stamps a symlink as
/// absent).
const MUST_BE_HERE: [&str; 2] = ["ib_logfile0", "ibdata1"];

/// The cached position when it still holds: the same boot (a known boot id), every stamp the same, and the
/// redo log and system tablespace stamped as regular files of the datadir.
pub fn reusable(cached: Option<&Recovered>, now: &Fingerprint) -> Option<Position> {
    let c = cached?;
    let here = MUST_BE_HERE.iter().all(|name| {
        now.files
            .iter()
            .any(|f| f.name == *name && f.stat.is_some())
    });
    let same =
        !now.boot_id.is_empty() && here && c.fingerprint == *now && c.position.seqno.is_known();
    same.then_some(c.position)
}

impl Recovered {
    /// The cache file's text: `position=UUID:SEQNO`, `boot_id=…`, one `file=NAME LEN INO MTIME CTIME` or
    /// `file=NAME absent` per stamp.
    pub fn render(&self) -> String {
        let mut out = format!(
            "position={}\nboot_id={}\n",
            self.position, self.fingerprint.boot_id
        );
        for f in &self.fingerprint.files {
            match f.stat {
                Some(s) => out.push_str(&format!(
                    "file={} {} {} {} {}\n",
                    f.name, s.len, s.ino, s.mtime_ns, s.ctime_ns
                )),
                None => out.push_str(&format!("file={} absent\n", f.name)),
            }
        }
        out
    }

    /// `None` for anything this version did not write (the position is then recovered again).
    pub fn parse(text: &str) -> Option<Recovered> {
        let mut position = None;
        let mut boot_id = None;
        let mut files = Vec::new();
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            match k {
                "position" => position = Some(v.parse::<Position>().ok()?),
                "boot_id" => boot_id = Some(v.to_owned()),
                "file" => {
                    let mut w = v.split(' ');
                    let name = w.next()?.to_owned();
                    let rest: Vec<&str> = w.collect();
                    let stat = match rest.as_slice() {
                        ["absent"] => None,
                        [len, ino, m, c] => Some(Stat {
                            len: len.parse().ok()?,
                            ino: ino.parse().ok()?,
                            mtime_ns: m.parse().ok()?,
                            ctime_ns: c.parse().ok()?,
                        }),
                        _ => return None,
                    };
                    files.push(FileStamp { name, stat });
                }
                _ => return None,
            }
        }
        Some(Recovered {
            position: position?,
            fingerprint: Fingerprint {
                boot_id: boot_id?,
                files,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fp(boot: &str, log_mtime: i128) -> Fingerprint {
        Fingerprint {
            boot_id: boot.into(),
            files: vec![
                FileStamp {
                    name: ".".into(),
                    stat: Some(Stat {
                        len: 4096,
                        ino: 2,
                        mtime_ns: 10,
                        ctime_ns: 10,
                    }),
                },
                FileStamp {
                    name: "ib_logfile0".into(),
                    stat: Some(Stat {
                        len: 100 << 20,
                        ino: 12,
                        mtime_ns: log_mtime,
                        ctime_ns: log_mtime,
                    }),
                },
                FileStamp {
                    name: "ibdata1".into(),
                    stat: Some(Stat {
                        len: 12 << 20,
                        ino: 13,
                        mtime_ns: 7,
                        ctime_ns: 7,
                    }),
                },
                FileStamp {
                    name: "gvwstate.dat".into(),
                    stat: None,
                },
            ],
        }
    }

    fn rec(f: Fingerprint) -> Recovered {
        Recovered {
            position: "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:77".parse().unwrap(),
            fingerprint: f,
        }
    }

    #[test]
    fn reused_only_when_nothing_changed() {
        let cached = rec(fp("b1", 5));
        assert_eq!(reusable(Some(&cached), &fp("b1", 5)), Some(cached.position));
        // The redo log was written (a server ran), another boot, no cache, no boot id: recover again.
        assert_eq!(reusable(Some(&cached), &fp("b1", 6)), None);
        assert_eq!(reusable(Some(&cached), &fp("b2", 5)), None);
        assert_eq!(reusable(None, &fp("b1", 5)), None);
        let blind = rec(fp("", 5));
        assert_eq!(reusable(Some(&blind), &fp("", 5)), None);
        // A file that appeared where none was.
        let mut grown = fp("b1", 5);
        grown.files[3].stat = grown.files[1].stat;
        assert_eq!(reusable(Some(&cached), &grown), None);
    }

    #[test]
    fn never_reused_when_the_redo_log_or_system_tablespace_is_not_in_the_datadir() {
        // Elsewhere (innodb_log_group_home_dir) or a symlink: stamped as absent both times, yet not proof.
        for missing in ["ib_logfile0", "ibdata1"] {
            let mut f = fp("b1", 5);
            for s in f.files.iter_mut().filter(|s| s.name == missing) {
                s.stat = None;
            }
            let cached = rec(f.clone());
            assert_eq!(reusable(Some(&cached), &f), None, "{missing}");
        }
    }

    #[test]
    fn an_unknown_seqno_is_never_reused() {
        let mut cached = rec(fp("b1", 5));
        cached.position = "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:-1".parse().unwrap();
        assert_eq!(reusable(Some(&cached), &fp("b1", 5)), None);
    }

    #[test]
    fn the_cache_file_round_trips_and_rejects_the_unknown() {
        let r = rec(fp("4f1d-boot", -3));
        assert_eq!(Recovered::parse(&r.render()), Some(r.clone()));
        assert_eq!(Recovered::parse(""), None);
        assert_eq!(Recovered::parse("position=x\nboot_id=b\n"), None);
        let extra = format!("{}color=blue\n", r.render());
        assert_eq!(Recovered::parse(&extra), None);
        let short = r.render().replace(" absent", " 1 2");
        assert_eq!(Recovered::parse(&short), None);
    }

    proptest! {
        /// Any single stamp that differs (one field of one file, or the boot) prevents reuse.
        #[test]
        fn any_difference_prevents_reuse(file in 0usize..2, field in 0usize..5, delta in 1i128..1_000_000) {
            let cached = rec(fp("b1", 5));
            let mut now = cached.fingerprint.clone();
            match field {
                4 => now.boot_id.push('x'),
                _ => {
                    let s = now.files[file].stat.as_mut().unwrap();
                    match field {
                        0 => s.len += delta as u64,
                        1 => s.ino += delta as u64,
                        2 => s.mtime_ns += delta,
                        _ => s.ctime_ns += delta,
                    }
                }
            }
            prop_assert_eq!(reusable(Some(&cached), &now), None);
        }
    }
}
