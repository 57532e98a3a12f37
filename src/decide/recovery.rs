//! Whether a position recovered earlier still holds, so a start after a demote does not run a second
//! `--wsrep-recover` (issue 16). Pure: `edge::datadir` takes the stamps (`fingerprint`) and reads and
//! writes the cache, `edge::mycnf` runs `mariadbd --print-defaults`.
//!
//! After mariadbd dies under a Promoted instance, Pacemaker runs demote, stop and start. demote recovers the
//! position with `--wsrep-recover` (an InnoDB crash recovery: seconds to minutes on a large datadir), and
//! the start that follows finds grastate.dat still at seqno -1 (`--wsrep-recover` does not write it) and
//! would recover again. The first recovery is reused when neither the data directory nor the server's
//! options provably changed in between: the [`Fingerprint`] taken right after it equals the one taken now.
//! It stamps the files any run of mariadbd writes (grastate.dat at every start, the redo log `ib_logfile0`
//! at every start and write, the system tablespace, the saved view) and the directory itself (files created
//! or removed), each with size, inode, mtime and ctime to the nanosecond (ctime cannot be set from user
//! space, so neither a server run nor a copy over the files leaves all of them as they were), the kernel's
//! boot id (page cache content lost in a host crash can make the same stamps hold other data), and a
//! digest of what `mariadbd --print-defaults` printed ([`options_digest`]: the option files as the server
//! reads them, so an edit between demote and start is seen). Only files of the datadir itself are stamped,
//! so no reuse either while an InnoDB option puts files elsewhere ([`innodb_elsewhere`]). Anything unknown,
//! missing or different, and the position is recovered again ([`Reuse::Recover`] says why): reuse is only
//! ever a shortcut.

use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::decide::mycnf::{effective, same_path, Setting};
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

/// The data directory's state and the server's options as far as a recovery's result depends on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub boot_id: String,
    /// [`options_digest`] of the server's `--print-defaults` output; `None` when it could not be read.
    pub options: Option<String>,
    pub files: Vec<FileStamp>,
}

/// A recovered position and the fingerprint of the datadir right after its recovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    pub position: Position,
    pub fingerprint: Fingerprint,
}

/// The SHA-256 of what `mariadbd --print-defaults` printed, in hex. A digest, not the text: the options
/// may hold a password (`wsrep_sst_auth`), and the cache is a file of its own.
pub fn options_digest(printed: &str) -> String {
    Sha256::digest(printed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The files InnoDB's recovery reads the position from that must be regular files of the datadir itself
/// for a reuse: when they are elsewhere or symlinks, the stamps of the datadir do not show a change to them
/// (`edge::datadir::fingerprint` stamps a symlink as absent).
const MUST_BE_HERE: [&str; 2] = ["ib_logfile0", "ibdata1"];

/// The undo tablespaces the fingerprint stamps (`undo001` … `undo003`).
const STAMPED_UNDO: u64 = 3;

/// The server's InnoDB option (its name and value) that puts InnoDB files where the fingerprint does not
/// stamp them, if any: a directory option (`innodb_*_dir`, `innodb_*_directory`: the redo log, system
/// tablespace and undo tablespaces) that is not the data directory itself (a subdirectory is not stamped
/// either; a relative value is relative to the datadir, an empty one means it), a system tablespace of
/// other files than `ibdata1` (`innodb_data_file_path`), or more undo tablespaces than are stamped.
pub fn innodb_elsewhere<'a>(server: &'a [Setting], datadir: &Path) -> Option<&'a Setting> {
    let mut keys: Vec<&str> = server
        .iter()
        .map(|s| s.key.as_str())
        .filter(|k| k.starts_with("innodb_"))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| effective(server, k))
        .find(|s| {
            let value = s.value.as_deref();
            if s.key.ends_with("_dir") || s.key.ends_with("_directory") {
                value.is_none_or(|v| !same_path(v, datadir, datadir))
            } else if s.key == "innodb_data_file_path" {
                value.is_none_or(|v| {
                    v.split(';').any(|file| {
                        file.split(':')
                            .next()
                            .is_none_or(|name| name.trim() != "ibdata1")
                    })
                })
            } else if s.key == "innodb_undo_tablespaces" {
                value.is_none_or(|v| v.trim().parse::<u64>().is_ok_and(|n| n > STAMPED_UNDO))
            } else {
                false
            }
        })
}

/// What a start does with the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reuse {
    /// The position recovered earlier still holds.
    Position(Position),
    /// `--wsrep-recover` again, for this reason.
    Recover(Why),
}

/// Why a cached position is not reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// No cache (or one this version did not write): no recovery since the last start, or a first one.
    NoCache,
    /// An InnoDB option of the server puts files where they are not stamped ([`innodb_elsewhere`]).
    InnodbElsewhere {
        option: String,
        value: Option<String>,
    },
    /// The server's options could not be read, then or now.
    OptionsUnknown,
    OptionsChanged,
    /// No boot id, then or now.
    BootUnknown,
    OtherBoot,
    /// The redo log or the system tablespace is no regular file of the datadir.
    NotHere(&'static str),
    /// This file's stamp differs (`None`: the set of stamped files does).
    FileChanged(Option<String>),
    /// The cached position has no seqno.
    UnknownSeqno,
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::NoCache => f.write_str("no position recovered earlier is kept"),
            Why::InnodbElsewhere { option, value } => write!(
                f,
                "{option} = {} puts InnoDB files where the data directory's stamps do not see them",
                value.as_deref().unwrap_or("(no value)")
            ),
            Why::OptionsUnknown => {
                f.write_str("the server's options (--print-defaults) are not known")
            }
            Why::OptionsChanged => {
                f.write_str("the server's options (--print-defaults) changed since")
            }
            Why::BootUnknown => f.write_str("the boot id is not known"),
            Why::OtherBoot => f.write_str("the machine booted since"),
            Why::NotHere(name) => write!(f, "{name} is no regular file of the data directory"),
            Why::FileChanged(Some(name)) => write!(f, "{name} changed since"),
            Why::FileChanged(None) => f.write_str("the stamped files differ"),
            Why::UnknownSeqno => f.write_str("the position recovered earlier has no seqno"),
        }
    }
}

/// The cached position when it still holds (see the module doc), else why not: the same boot (a known
/// boot id), the same options (known), no InnoDB files elsewhere (by the server's options, `server`), the
/// redo log and system tablespace stamped as regular files of `datadir`, every stamp the same, a known
/// seqno.
pub fn reusable(
    cached: Option<&Recovered>,
    now: &Fingerprint,
    server: &[Setting],
    datadir: &Path,
) -> Reuse {
    match why_not(cached, now, server, datadir) {
        Ok(p) => Reuse::Position(p),
        Err(why) => Reuse::Recover(why),
    }
}

fn why_not(
    cached: Option<&Recovered>,
    now: &Fingerprint,
    server: &[Setting],
    datadir: &Path,
) -> Result<Position, Why> {
    let c = cached.ok_or(Why::NoCache)?;
    if let Some(s) = innodb_elsewhere(server, datadir) {
        return Err(Why::InnodbElsewhere {
            option: s.key.clone(),
            value: s.value.clone(),
        });
    }
    let then = &c.fingerprint;
    match (&then.options, &now.options) {
        (Some(a), Some(b)) if a == b => {}
        (Some(_), Some(_)) => return Err(Why::OptionsChanged),
        _ => return Err(Why::OptionsUnknown),
    }
    if then.boot_id.is_empty() || now.boot_id.is_empty() {
        return Err(Why::BootUnknown);
    }
    if then.boot_id != now.boot_id {
        return Err(Why::OtherBoot);
    }
    if let Some(name) = MUST_BE_HERE.into_iter().find(|name| {
        !now.files
            .iter()
            .any(|f| f.name == *name && f.stat.is_some())
    }) {
        return Err(Why::NotHere(name));
    }
    if then.files != now.files {
        let names = |fp: &Fingerprint| fp.files.iter().map(|f| f.name.clone()).collect::<Vec<_>>();
        let changed = (names(then) == names(now))
            .then(|| {
                then.files
                    .iter()
                    .zip(&now.files)
                    .find(|(a, b)| a != b)
                    .map(|(a, _)| a.name.clone())
            })
            .flatten();
        return Err(Why::FileChanged(changed));
    }
    if !c.position.seqno.is_known() {
        return Err(Why::UnknownSeqno);
    }
    Ok(c.position)
}

impl Recovered {
    /// The cache file's text: `position=UUID:SEQNO`, `boot_id=…`, `options=DIGEST` (empty when not known),
    /// one `file=NAME LEN INO MTIME CTIME` or `file=NAME absent` per stamp.
    pub fn render(&self) -> String {
        let fp = &self.fingerprint;
        let mut out = format!(
            "position={}\nboot_id={}\noptions={}\n",
            self.position,
            fp.boot_id,
            fp.options.as_deref().unwrap_or("")
        );
        for f in &fp.files {
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

    /// `None` for anything this version did not write (the position is then recovered again), a cache
    /// without the `options` line of an older version included.
    pub fn parse(text: &str) -> Option<Recovered> {
        let mut position = None;
        let mut boot_id = None;
        let mut options = None;
        let mut files = Vec::new();
        for line in text.lines() {
            let (k, v) = line.split_once('=')?;
            match k {
                "position" => position = Some(v.parse::<Position>().ok()?),
                "boot_id" => boot_id = Some(v.to_owned()),
                "options" => options = Some((!v.is_empty()).then(|| v.to_owned())),
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
                options: options?,
                files,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stamp(name: &str, len: u64, ino: u64, t: i128) -> FileStamp {
        FileStamp {
            name: name.into(),
            stat: Some(Stat {
                len,
                ino,
                mtime_ns: t,
                ctime_ns: t,
            }),
        }
    }

    fn fp(boot: &str, log_mtime: i128) -> Fingerprint {
        Fingerprint {
            boot_id: boot.into(),
            options: Some(options_digest(PRINTED)),
            files: vec![
                stamp(".", 4096, 2, 10),
                stamp("ib_logfile0", 100 << 20, 12, log_mtime),
                stamp("ibdata1", 12 << 20, 13, 7),
                FileStamp {
                    name: "gvwstate.dat".into(),
                    stat: None,
                },
            ],
        }
    }

    const PRINTED: &str =
        "/usr/sbin/mariadbd would have been started with the following arguments:\n\
        --wsrep_on=ON --innodb_buffer_pool_size=32M \n";

    const DATADIR: &str = "/var/lib/mysql";

    fn rec(f: Fingerprint) -> Recovered {
        Recovered {
            position: "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:77".parse().unwrap(),
            fingerprint: f,
        }
    }

    fn option(key: &str, value: Option<&str>) -> Setting {
        Setting {
            origin: "/etc/my.cnf:3 [mysqld]".into(),
            key: key.into(),
            value: value.map(str::to_owned),
        }
    }

    fn decide(cached: Option<&Recovered>, now: &Fingerprint, server: &[Setting]) -> Reuse {
        reusable(cached, now, server, Path::new(DATADIR))
    }

    #[test]
    fn reused_only_when_nothing_changed() {
        let cached = rec(fp("b1", 5));
        let same = decide(Some(&cached), &fp("b1", 5), &[]);
        assert_eq!(same, Reuse::Position(cached.position));
        let at_home = [
            option("innodb_data_home_dir", Some("")),
            option("innodb_log_group_home_dir", Some("./")),
            option("innodb_undo_directory", Some("/var/lib/mysql/")),
            option("innodb_data_file_path", Some("ibdata1:12M:autoextend")),
            option("innodb_undo_tablespaces", Some("3")),
            option("innodb_tmpdir", Some("/tmp")),
        ];
        assert_eq!(decide(Some(&cached), &fp("b1", 5), &at_home), same);
    }

    /// Every reason, each from the one difference that gives it; the first that applies is the one
    /// reported, so each case changes one thing only.
    #[test]
    fn each_reason_to_recover_again() {
        let cached = rec(fp("b1", 5));
        let now = fp("b1", 5);
        let with = |f: fn(&mut Fingerprint)| {
            let mut n = now.clone();
            f(&mut n);
            n
        };
        let elsewhere = [option("innodb_undo_directory", Some("/srv/undo"))];
        let mut unknown = cached.clone();
        unknown.position = "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:-1".parse().unwrap();
        let mut blind = cached.clone();
        blind.fingerprint.options = None;
        let mut bootless = cached.clone();
        bootless.fingerprint.boot_id.clear();
        let mut fewer = cached.clone();
        fewer.fingerprint.files.pop();
        let cases: Vec<(Option<&Recovered>, Fingerprint, &[Setting], Why)> = vec![
            (None, now.clone(), &[], Why::NoCache),
            (
                Some(&cached),
                now.clone(),
                &elsewhere,
                Why::InnodbElsewhere {
                    option: "innodb_undo_directory".into(),
                    value: Some("/srv/undo".into()),
                },
            ),
            (
                Some(&cached),
                with(|n| n.options = None),
                &[],
                Why::OptionsUnknown,
            ),
            (Some(&blind), now.clone(), &[], Why::OptionsUnknown),
            (
                Some(&cached),
                with(|n| n.options = Some(options_digest("other"))),
                &[],
                Why::OptionsChanged,
            ),
            (
                Some(&cached),
                with(|n| n.boot_id.clear()),
                &[],
                Why::BootUnknown,
            ),
            (Some(&bootless), now.clone(), &[], Why::BootUnknown),
            (Some(&cached), fp("b2", 5), &[], Why::OtherBoot),
            (
                Some(&cached),
                with(|n| n.files[1].stat = None),
                &[],
                Why::NotHere("ib_logfile0"),
            ),
            (
                Some(&cached),
                with(|n| n.files.retain(|f| f.name != "ibdata1")),
                &[],
                Why::NotHere("ibdata1"),
            ),
            (
                Some(&cached),
                fp("b1", 6),
                &[],
                Why::FileChanged(Some("ib_logfile0".into())),
            ),
            // A file that appeared where none was.
            (
                Some(&cached),
                with(|n| n.files[3].stat = n.files[1].stat),
                &[],
                Why::FileChanged(Some("gvwstate.dat".into())),
            ),
            (Some(&fewer), now.clone(), &[], Why::FileChanged(None)),
            (Some(&unknown), now.clone(), &[], Why::UnknownSeqno),
        ];
        // Every variant (a new one fails to compile here until it has a case), each case its own sentence.
        let variant = |w: &Why| match w {
            Why::NoCache => 0,
            Why::InnodbElsewhere { .. } => 1,
            Why::OptionsUnknown => 2,
            Why::OptionsChanged => 3,
            Why::BootUnknown => 4,
            Why::OtherBoot => 5,
            Why::NotHere(_) => 6,
            Why::FileChanged(_) => 7,
            Why::UnknownSeqno => 8,
        };
        let mut variants = std::collections::BTreeSet::new();
        let mut texts = std::collections::BTreeSet::new();
        for (cached, now, server, why) in &cases {
            assert_eq!(
                decide(*cached, now, server),
                Reuse::Recover(why.clone()),
                "{why:?}"
            );
            variants.insert(variant(why));
            texts.insert(why.to_string());
        }
        assert_eq!(variants, (0..9).collect());
        let distinct: std::collections::BTreeSet<_> =
            cases.iter().map(|c| format!("{:?}", c.3)).collect();
        assert_eq!(texts.len(), distinct.len(), "{texts:#?}");
    }

    /// Which InnoDB options put files where the datadir's stamps cannot see them.
    #[test]
    fn innodb_files_elsewhere() {
        let datadir = Path::new(DATADIR);
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("innodb_undo_directory", Some("/srv/undo"), true),
            ("innodb_undo_directory", Some("undo"), true),
            ("innodb_undo_directory", Some("../mysql"), true),
            ("innodb_undo_directory", Some("/var/lib/mysql/undo"), true),
            ("innodb_undo_directory", None, true),
            ("innodb_undo_directory", Some("."), false),
            ("innodb_undo_directory", Some(""), false),
            ("innodb_undo_directory", Some("//var/lib/mysql/."), false),
            ("innodb_log_group_home_dir", Some("/srv/redo"), true),
            ("innodb_log_group_home_dir", Some("./"), false),
            ("innodb_data_home_dir", Some("/srv/ibdata"), true),
            ("innodb_data_home_dir", Some("/var/lib/mysql"), false),
            // Any directory option of InnoDB, not only the three known ones.
            ("innodb_new_home_dir", Some("/elsewhere"), true),
            ("innodb_tmpdir", Some("/tmp"), false),
            (
                "innodb_data_file_path",
                Some("ibdata1:12M:autoextend"),
                false,
            ),
            ("innodb_data_file_path", Some(" ibdata1:12M"), false),
            (
                "innodb_data_file_path",
                Some("ibdata1:12M;ibdata2:12M:autoextend"),
                true,
            ),
            (
                "innodb_data_file_path",
                Some("/srv/ibdata1:12M:autoextend"),
                true,
            ),
            ("innodb_data_file_path", None, true),
            ("innodb_undo_tablespaces", Some("0"), false),
            ("innodb_undo_tablespaces", Some("3"), false),
            ("innodb_undo_tablespaces", Some("4"), true),
            ("innodb_buffer_pool_size", Some("/srv"), false),
            ("datadir", Some("/srv"), false),
        ];
        for (key, value, outside) in cases {
            let server = [option(key, *value)];
            let found = innodb_elsewhere(&server, datadir);
            assert_eq!(found.is_some(), *outside, "{key} = {value:?}");
            if *outside {
                assert_eq!(found.map(|s| s.key.as_str()), Some(*key));
            }
        }
        // The server's setting that counts is the last one.
        let later_home = [
            option("innodb_undo_directory", Some("/srv/undo")),
            option("innodb_undo_directory", Some(".")),
        ];
        assert_eq!(innodb_elsewhere(&later_home, datadir), None);
        let later_away = [
            option("innodb_undo_directory", Some(".")),
            option("innodb_undo_directory", Some("/srv/undo")),
        ];
        assert_eq!(innodb_elsewhere(&later_away, datadir), Some(&later_away[1]));
    }

    #[test]
    fn the_options_digest_is_sha256_of_the_printed_text() {
        assert_eq!(
            options_digest(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(options_digest(PRINTED), options_digest(PRINTED));
        assert_ne!(
            options_digest(PRINTED),
            options_digest(&PRINTED.replace("32M", "33M"))
        );
        // The password of an option is not in the digest's text.
        let secret = "x would have been started with the following arguments:\n--wsrep_sst_auth=u:hunter2 \n";
        assert!(!options_digest(secret).contains("hunter2"));
    }

    #[test]
    fn the_cache_file_round_trips_and_rejects_the_unknown() {
        let r = rec(fp("4f1d-boot", -3));
        assert_eq!(Recovered::parse(&r.render()), Some(r.clone()));
        let mut blind = r.clone();
        blind.fingerprint.options = None;
        assert!(blind.render().contains("\noptions=\n"));
        assert_eq!(Recovered::parse(&blind.render()), Some(blind));
        assert_eq!(Recovered::parse(""), None);
        assert_eq!(Recovered::parse("position=x\nboot_id=b\n"), None);
        let extra = format!("{}color=blue\n", r.render());
        assert_eq!(Recovered::parse(&extra), None);
        let short = r.render().replace(" absent", " 1 2");
        assert_eq!(Recovered::parse(&short), None);
        // The previous version's cache (no options line) is recovered again.
        let older: String = r
            .render()
            .lines()
            .filter(|l| !l.starts_with("options="))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(Recovered::parse(&older), None);
    }

    proptest! {
        /// Any single stamp that differs (one field of one file, the boot, the options) prevents reuse.
        #[test]
        fn any_difference_prevents_reuse(file in 0usize..3, field in 0usize..6, delta in 1i128..1_000_000) {
            let cached = rec(fp("b1", 5));
            let mut now = cached.fingerprint.clone();
            match field {
                4 => now.boot_id.push('x'),
                5 => now.options = Some(options_digest(&format!("{PRINTED}{delta}"))),
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
            prop_assert!(matches!(decide(Some(&cached), &now, &[]), Reuse::Recover(_)));
        }

        /// A directory option naming any other absolute directory than the datadir prevents reuse, however
        /// it is spelled; the datadir itself, however spelled, does not.
        #[test]
        fn innodb_directories_other_than_the_datadir_prevent_reuse(
            key in prop_oneof![
                Just("innodb_undo_directory"),
                Just("innodb_log_group_home_dir"),
                Just("innodb_data_home_dir"),
            ],
            dir in "(/[a-z]{1,6}){1,4}",
            slashes in "/{0,2}",
        ) {
            let cached = rec(fp("b1", 5));
            let away = [option(key, Some(&format!("{dir}{slashes}")))];
            let expect_away = dir != DATADIR;
            prop_assert_eq!(
                matches!(decide(Some(&cached), &fp("b1", 5), &away), Reuse::Recover(Why::InnodbElsewhere { .. })),
                expect_away
            );
            let home = [option(key, Some(&format!("{DATADIR}{slashes}")))];
            prop_assert_eq!(decide(Some(&cached), &fp("b1", 5), &home), Reuse::Position(cached.position));
        }
    }
}
