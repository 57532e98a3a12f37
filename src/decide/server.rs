//! Which processes are servers of this data directory: facts read from `/proc` (by `edge::mysqld`) in,
//! a yes/no with the evidence out. Pure, so the rules are table-tested without a running server.
//!
//! A process is a server of the data directory when it is a MariaDB server process — its executable
//! (`/proc/PID/exe`) or its `argv[0]` is named `mariadbd` or `mysqld`, or is the configured binary — and
//! one of these ties it to the data directory:
//! 1. its working directory is the data directory: mariadbd changes into its datadir early, before it
//!    opens any file there, whether the datadir came from `--datadir` or from my.cnf;
//! 2. the last `--datadir=<dir>` (or `--datadir <dir>`) on its command line is the data directory, as the
//!    agent always passes it (this also covers the first milliseconds of a server, before its `chdir`);
//! 3. it holds the InnoDB lock (an fcntl write lock) on `<datadir>/ibdata1`;
//! 4. the pid file names it, but only when neither its working directory nor a `--datadir` can be read
//!    (a non-root caller): a pid file is written long after the `chdir`, so a pid-file process whose
//!    working directory is elsewhere is a server of another datadir sharing the pid-file path, or a reused
//!    pid.
//!
//! Directories are compared by identity (device and inode, [`DirId`]), never by path: a server in another
//! mount namespace — a container, or a node of the test lab, with its own `/var/lib/mysql` bind-mounted
//! from elsewhere — shows the path `/var/lib/mysql` in `/proc/PID/cwd` and on its command line, but that
//! is not this host's `/var/lib/mysql`. Identity also makes symlinks and bind mounts of the same directory
//! equal. A zombie or dead process (state `Z`/`X`) is never a server.

use std::fmt;
use std::path::Path;

/// Executable names that are a MariaDB (or MySQL) server whatever the configured binary is:
/// `/usr/sbin/mysqld` is a symlink to `mariadbd` on Debian and the name systemd units of older packages
/// and `mysqld_safe` run.
pub const SERVER_NAMES: [&str; 2] = ["mariadbd", "mysqld"];

/// A directory's identity: `st_dev` and `st_ino` of `stat(2)`, the same through every path, symlink, bind
/// mount or mount namespace that reaches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DirId {
    pub dev: u64,
    pub ino: u64,
}

/// What the caller looks for. `binary_real` is the configured binary with symlinks resolved (the exe link
/// is always canonical); `datadir` is `None` when the data directory cannot be stat'ed (nothing can run in
/// it then).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wanted<'a> {
    pub binary: &'a Path,
    pub binary_real: Option<&'a Path>,
    pub datadir: Option<DirId>,
}

/// The last `--datadir` of a command line, as the process itself resolves it (through `/proc/PID/root`,
/// so in its own mount namespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DatadirArgument {
    /// No `--datadir` on the command line: it came from an option file.
    #[default]
    Absent,
    /// There is one, but it is relative or could not be stat'ed.
    Unresolved,
    Resolved(DirId),
}

/// What `/proc` (and the lock check) said about one process. `None`: could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen<'a> {
    /// The state letter of `/proc/PID/stat` (`R`, `S`, `D`, `T`, `Z`, …).
    pub state: Option<char>,
    /// `/proc/PID/cmdline`: NUL-separated arguments (empty for a zombie).
    pub cmdline: &'a [u8],
    /// The target of `/proc/PID/exe`, possibly with the kernel's ` (deleted)` suffix.
    pub exe: Option<&'a Path>,
    /// The identity of `/proc/PID/cwd`.
    pub cwd: Option<DirId>,
    /// The last `--datadir` of `cmdline`, resolved by the caller.
    pub datadir_argument: DatadirArgument,
    /// The pid file holds this pid.
    pub in_pidfile: bool,
    /// This process holds the fcntl lock on `<datadir>/ibdata1`.
    pub holds_lock: bool,
}

/// Why a process counts as a server of the data directory (the first rule that held, in the order of
/// the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    WorkingDirectory,
    DatadirArgument,
    InnodbLock,
    PidFile,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Evidence::WorkingDirectory => "its working directory is the data directory",
            Evidence::DatadirArgument => "--datadir on its command line",
            Evidence::InnodbLock => "it holds the InnoDB lock on ibdata1",
            Evidence::PidFile => "named by the pid file",
        })
    }
}

fn args(cmdline: &[u8]) -> impl Iterator<Item = &[u8]> {
    cmdline.split(|b| *b == 0).filter(|a| !a.is_empty())
}

/// An argument as a path. The wanted paths come from the (UTF-8) environment, so an argument that is not
/// UTF-8 can never equal one of them.
fn as_path(bytes: &[u8]) -> Option<&Path> {
    std::str::from_utf8(bytes).ok().map(Path::new)
}

/// `Path` equality compares components, so `/usr/sbin/` equals `/usr/sbin`.
fn is_one_of(p: &Path, exact: &[Option<&Path>]) -> bool {
    exact.iter().flatten().any(|e| p == *e)
}

/// The kernel appends ` (deleted)` to the exe link of a process whose binary was replaced (a package
/// upgrade while the server runs).
fn without_deleted(exe: &Path) -> &Path {
    exe.to_str()
        .and_then(|s| s.strip_suffix(" (deleted)"))
        .map_or(exe, Path::new)
}

fn has_server_name(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| SERVER_NAMES.contains(&n))
}

/// Is this a MariaDB server process at all (any data directory)?
pub fn is_server_process(cmdline: &[u8], exe: Option<&Path>, w: &Wanted<'_>) -> bool {
    let binaries = [Some(w.binary), w.binary_real];
    if let Some(exe) = exe.map(without_deleted) {
        if has_server_name(exe) || is_one_of(exe, &binaries) {
            return true;
        }
    }
    let Some(argv0) = args(cmdline).next().and_then(as_path) else {
        return false;
    };
    has_server_name(argv0)
        || is_one_of(argv0, &binaries)
        // Started through $PATH: argv[0] is the bare name of the configured binary.
        || (argv0.parent() == Some(Path::new("")) && argv0.file_name() == w.binary.file_name())
}

/// The last `--datadir` value of a command line (mariadbd uses the last), as raw bytes.
pub fn last_datadir_argument(cmdline: &[u8]) -> Option<&[u8]> {
    let mut last = None;
    let mut next_is_value = false;
    for a in args(cmdline).skip(1) {
        if next_is_value {
            last = Some(a);
        }
        next_is_value = a == b"--datadir";
        if let Some(v) = a.strip_prefix(b"--datadir=") {
            last = Some(v);
        }
    }
    last
}

/// Is this process a server of the wanted data directory, and why?
pub fn identify(seen: &Seen<'_>, w: &Wanted<'_>) -> Option<Evidence> {
    if matches!(seen.state, Some('Z' | 'X') | None) {
        return None;
    }
    if !is_server_process(seen.cmdline, seen.exe, w) {
        return None;
    }
    let ours = |id: Option<DirId>| id.is_some() && id == w.datadir;
    let argument = match seen.datadir_argument {
        DatadirArgument::Resolved(id) => Some(id),
        DatadirArgument::Absent | DatadirArgument::Unresolved => None,
    };
    if ours(seen.cwd) {
        Some(Evidence::WorkingDirectory)
    } else if ours(argument) {
        Some(Evidence::DatadirArgument)
    } else if seen.holds_lock {
        Some(Evidence::InnodbLock)
    } else if seen.in_pidfile
        && seen.cwd.is_none()
        && seen.datadir_argument == DatadirArgument::Absent
    {
        Some(Evidence::PidFile)
    } else {
        None
    }
}

/// The state letter from the text of `/proc/PID/stat` (`pid (comm) S ppid …`; `comm` may itself contain
/// spaces and parentheses, so the field is the first after the last `)`).
pub fn parse_state(stat: &str) -> Option<char> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_ascii_whitespace().next()?.chars().next()
}

/// The systemd unit or scope a process runs in, from the text of `/proc/PID/cgroup` (the cgroup v2
/// line `0::/system.slice/mariadb.service`, or the `name=systemd` line of v1): tells an admin whether
/// `systemctl`, a login session or Pacemaker started a server.
pub fn unit_of(cgroup: &str) -> Option<&str> {
    cgroup
        .lines()
        .filter_map(|l| {
            l.strip_prefix("0::")
                .or_else(|| l.split_once(":name=systemd:").map(|(_, p)| p))
        })
        .filter_map(|p| p.trim_end().rsplit('/').next())
        .find(|u| u.ends_with(".service") || u.ends_with(".scope"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cl(args: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        for a in args {
            v.extend_from_slice(a.as_bytes());
            v.push(0);
        }
        v
    }

    const BIN: &str = "/usr/sbin/mariadbd";
    /// This host's data directory, and other directories (another datadir; `/`; the same path in a
    /// container, which is another directory).
    const DD: DirId = DirId { dev: 1, ino: 100 };
    const OTHER: DirId = DirId { dev: 1, ino: 200 };
    const ROOT: DirId = DirId { dev: 1, ino: 2 };

    fn wanted() -> Wanted<'static> {
        Wanted {
            binary: Path::new(BIN),
            binary_real: Some(Path::new(BIN)),
            datadir: Some(DD),
        }
    }

    type Row = (
        Option<char>,
        &'static [&'static str],
        Option<&'static str>,
        Option<DirId>,
        DatadirArgument,
        bool,
        bool,
        Option<Evidence>,
    );

    #[test]
    fn table() {
        use DatadirArgument::{Absent, Resolved, Unresolved};
        use Evidence::{InnodbLock, PidFile, WorkingDirectory};
        const ARG: Option<Evidence> = Some(Evidence::DatadirArgument);
        const S: Option<char> = Some('S');
        const R: Option<char> = Some('R');
        const A: &str = "--datadir=/var/lib/mysql";
        // (state, argv, exe, cwd, --datadir as resolved, in_pidfile, holds_lock) → evidence
        #[rustfmt::skip]
        let rows: &[Row] = &[
            // systemd / galera_new_cluster: no --datadir, the datadir from my.cnf
            (S, &[BIN, "--wsrep-new-cluster"], Some(BIN), Some(DD), Absent, false, false, Some(WorkingDirectory)),
            // an admin through the mysqld symlink, relative argv[0], --defaults-file only
            (S, &["./mysqld", "--defaults-file=/x.cnf"], Some(BIN), Some(DD), Absent, false, false, Some(WorkingDirectory)),
            // a binary replaced by a package upgrade while the server runs
            (S, &[BIN], Some("/usr/sbin/mariadbd (deleted)"), Some(DD), Absent, false, false, Some(WorkingDirectory)),
            // mysqld_safe's child, here of another installation's binary
            (S, &["/opt/m/bin/mysqld", A], Some("/opt/m/bin/mysqld"), Some(DD), Resolved(DD), true, true, Some(WorkingDirectory)),
            // the agent's own server just after exec, before its chdir
            (R, &[BIN, A], Some(BIN), Some(ROOT), Resolved(DD), false, false, ARG),
            // a stopped (SIGSTOP) server is still a server
            (Some('T'), &[BIN], Some(BIN), Some(DD), Absent, true, true, Some(WorkingDirectory)),
            // exe and cwd unreadable (not root): the argument, the lock or the pid file decide
            (S, &["mariadbd"], None, None, Absent, true, false, Some(PidFile)),
            (S, &["mariadbd"], None, None, Absent, false, true, Some(InnodbLock)),
            (S, &["mariadbd"], None, None, Absent, false, false, None),
            (S, &["mariadbd", A], None, None, Resolved(DD), false, false, ARG),
            (S, &["mariadbd", "--datadir=/d2"], None, None, Resolved(OTHER), true, false, None),
            (S, &["mariadbd", "--datadir=rel"], None, None, Unresolved, true, false, None),
            // a pid file naming a server whose cwd is another datadir (shared pid-file path): not ours
            (S, &[BIN], Some(BIN), Some(OTHER), Absent, true, false, None),
            // a server in a container: the same path, another directory, on the command line and as cwd
            (S, &[BIN, A], Some(BIN), Some(OTHER), Resolved(OTHER), false, false, None),
            (S, &[BIN], Some(BIN), Some(OTHER), Absent, false, false, None),
            // the lock is proof even when the cwd is elsewhere
            (S, &[BIN], Some(BIN), Some(ROOT), Absent, false, true, Some(InnodbLock)),
            // a zombie or a dead process never counts, nor one whose stat could not be read
            (Some('Z'), &[], None, None, Absent, true, false, None),
            (Some('Z'), &[BIN, A], Some(BIN), Some(DD), Resolved(DD), true, true, None),
            (Some('X'), &[BIN], Some(BIN), Some(DD), Absent, true, true, None),
            (None, &[BIN], Some(BIN), Some(DD), Absent, true, true, None),
            // not a server: wrappers, clients, other programs in the datadir (an SST rsync, innochecksum)
            (S, &["/usr/bin/dash", "/usr/bin/mysqld_safe", A], Some("/usr/bin/dash"), Some(DD), Resolved(DD), true, false, None),
            (S, &["rsync", "--daemon"], Some("/usr/bin/rsync"), Some(DD), Absent, true, false, None),
            (S, &["/usr/bin/mariadb", A], Some("/usr/bin/mariadb"), Some(DD), Resolved(DD), false, false, None),
            (S, &["innochecksum", "ibdata1"], Some("/usr/bin/innochecksum"), Some(DD), Absent, false, true, None),
            (S, &["/opt/x/mariadbd-custom"], Some("/opt/x/mariadbd-custom"), Some(DD), Absent, false, false, None),
        ];
        for (i, &(state, argv, exe, cwd, datadir_argument, in_pidfile, holds_lock, want)) in
            rows.iter().enumerate()
        {
            let cmdline = cl(argv);
            let seen = Seen {
                state,
                cmdline: &cmdline,
                exe: exe.map(Path::new),
                cwd,
                datadir_argument,
                in_pidfile,
                holds_lock,
            };
            assert_eq!(identify(&seen, &wanted()), want, "row {i}: {seen:?}");
        }
    }

    /// Two servers on one host, each with its own datadir, neither with --datadir in argv: each is found
    /// only for its own datadir, also when its pid file path is shared (the other's pid file names it).
    #[test]
    fn servers_of_two_datadirs_are_told_apart() {
        let a = Wanted {
            binary: Path::new(BIN),
            binary_real: None,
            datadir: Some(DD),
        };
        let b = Wanted {
            datadir: Some(OTHER),
            ..a
        };
        let cmdline = cl(&["/usr/sbin/mysqld", "--defaults-file=/etc/mysql/x.cnf"]);
        let server_in = |cwd: DirId| Seen {
            state: Some('S'),
            cmdline: &cmdline,
            exe: Some(Path::new(BIN)),
            cwd: Some(cwd),
            datadir_argument: DatadirArgument::Absent,
            in_pidfile: true,
            holds_lock: false,
        };
        assert_eq!(
            identify(&server_in(DD), &a),
            Some(Evidence::WorkingDirectory)
        );
        assert_eq!(identify(&server_in(DD), &b), None);
        assert_eq!(identify(&server_in(OTHER), &a), None);
        assert_eq!(
            identify(&server_in(OTHER), &b),
            Some(Evidence::WorkingDirectory)
        );
        // the agent's own server before its chdir: the argument decides
        let with_arg = cl(&[BIN, "--datadir=/data/b"]);
        let early = Seen {
            state: Some('R'),
            cmdline: &with_arg,
            exe: Some(Path::new(BIN)),
            cwd: Some(ROOT),
            datadir_argument: DatadirArgument::Resolved(OTHER),
            in_pidfile: true,
            holds_lock: false,
        };
        assert_eq!(identify(&early, &a), None);
        assert_eq!(identify(&early, &b), Some(Evidence::DatadirArgument));
        // a data directory that cannot be stat'ed matches nothing by directory
        let gone = Wanted { datadir: None, ..a };
        assert_eq!(identify(&server_in(DD), &gone), None);
    }

    #[test]
    fn server_process_by_exe_argv0_or_configured_binary() {
        let custom = Wanted {
            binary: Path::new("/opt/mdb/bin/dbserver"),
            binary_real: Some(Path::new("/opt/mdb/bin/dbserver-11.4")),
            ..wanted()
        };
        let yes: &[(&[&str], Option<&str>)] = &[
            (&["/opt/mdb/bin/dbserver"], None),
            (&["/opt/mdb/bin/dbserver/"], None),
            (&["dbserver"], None),
            (&["whatever"], Some("/opt/mdb/bin/dbserver-11.4")),
            (&["whatever"], Some("/opt/mdb/bin/dbserver-11.4 (deleted)")),
            (&["mysqld"], None),
            (
                &["/usr/local/bin/mariadbd"],
                Some("/usr/local/bin/mariadbd"),
            ),
        ];
        for (argv, exe) in yes {
            assert!(
                is_server_process(&cl(argv), exe.map(Path::new), &custom),
                "{argv:?} {exe:?}"
            );
        }
        let no: &[(&[&str], Option<&str>)] = &[
            (&[], None),
            (&["/usr/bin/dbserver"], None),
            (&["./dbserver"], None),
            (&["/usr/bin/mariadb"], Some("/usr/bin/mariadb")),
            (&["mysqld_safe"], Some("/usr/bin/dash")),
        ];
        for (argv, exe) in no {
            assert!(
                !is_server_process(&cl(argv), exe.map(Path::new), &custom),
                "{argv:?} {exe:?}"
            );
        }
    }

    #[test]
    fn the_last_datadir_argument_in_either_spelling() {
        let last = |a: &[&str]| last_datadir_argument(&cl(a)).map(|v| v.to_vec());
        assert_eq!(
            last(&[BIN, "--datadir=/a", "--user=mysql"]),
            Some(b"/a".to_vec())
        );
        assert_eq!(
            last(&[BIN, "--datadir=/a", "--datadir", "/b/"]),
            Some(b"/b/".to_vec())
        );
        assert_eq!(
            last(&[BIN, "--datadir", "/b", "--datadir=/c"]),
            Some(b"/c".to_vec())
        );
        // a trailing --datadir without a value changes nothing; argv[0] is never a value
        assert_eq!(
            last(&[BIN, "--datadir=/a", "--datadir"]),
            Some(b"/a".to_vec())
        );
        assert_eq!(last(&["--datadir=/a"]), None);
        assert_eq!(last(&[BIN, "--defaults-file=/x.cnf"]), None);
    }

    #[test]
    fn state_is_the_field_after_the_last_parenthesis() {
        assert_eq!(
            parse_state("1234 (mariadbd) S 1 1234 1234 0 -1 4194560 ..."),
            Some('S')
        );
        assert_eq!(parse_state("77 (a) b) (c) Z 76 77 77 0"), Some('Z'));
        assert_eq!(parse_state("77 (mariadbd"), None);
        assert_eq!(parse_state("77 (mariadbd)"), None);
        assert_eq!(parse_state(""), None);
    }

    #[test]
    fn systemd_unit_from_the_cgroup_file() {
        assert_eq!(
            unit_of("0::/system.slice/mariadb.service\n"),
            Some("mariadb.service")
        );
        assert_eq!(
            unit_of("0::/user.slice/user-0.slice/session-3.scope\n"),
            Some("session-3.scope")
        );
        assert_eq!(
            unit_of("12:pids:/system.slice\n1:name=systemd:/system.slice/pacemaker.service\n"),
            Some("pacemaker.service")
        );
        assert_eq!(unit_of("0::/\n"), None);
        assert_eq!(unit_of(""), None);
    }
}
