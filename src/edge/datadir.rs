//! Files in the data directory: read grastate.dat / gvwstate.dat, and rewrite grastate.dat atomically
//! (temp file in the same directory, fsync, rename, fsync the directory) keeping owner and mode, leaving no
//! backup or temp file behind. Parsing and editing the text is `galera::grastate`'s job.
//!
//! Also the agent's durable files of its own. The **transfer marker** `galera-ocf-joining.sst`: created
//! (and fsynced) before promote starts a joiner, removed only once the node is seen Synced. Present at any
//! other time, it means the last join ended before it completed, so the datadir may be half-copied from a
//! donor (rsync copies the system tablespace and redo log before the databases) and `--wsrep-recover` on it
//! may print the donor's position. It lives in the datadir because it must survive a power loss (the state
//! file in `HA_RSCTMP` does not), and its name is one both SST methods leave alone: rsync's filter skips
//! top-level files of the datadir, and mariabackup's clean-up keeps `*.sst`. The **re-forming marker**
//! ([`REFORM_MARKER`]) for a start that re-forms the saved Primary view, which transfers nothing.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{fchown, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::deadline::Deadline;
use crate::decide::recovery::{FileStamp, Fingerprint, Recovered, Stat};
use crate::edge::command::{self, Cmd};
use crate::error::Error;

/// The file's text, `None` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// The last `max` bytes of a file (e.g. the server log, for an exit reason); empty when unreadable.
pub fn read_tail(path: &Path, max: usize) -> Vec<u8> {
    let text = std::fs::read(path).unwrap_or_default();
    text[text.len().saturating_sub(max)..].to_vec()
}

/// Whether the datadir holds the system tables (its `mysql/` database): what `enable_creation` checks
/// before it runs mariadb-install-db.
pub fn has_system_tables(datadir: &Path) -> bool {
    datadir.join("mysql").is_dir()
}

/// The transfer marker's file name (see the module doc).
pub const TRANSFER_MARKER: &str = "galera-ocf-joining.sst";

/// The re-forming marker's file name: created (durably) before a promote starts its server to re-form the
/// saved Primary view (`decide::election::Decision::Reform`), settled once the server is seen in its
/// component or the attempt is over. Not the transfer marker: re-forming members are level and Galera
/// transfers nothing, so a power loss in the middle must not leave every member `incomplete` (then nobody could ever bootstrap). It says
/// only that a transfer *could* have begun (this server might have joined some other component meanwhile),
/// and records where the server log of the start begins ([`LogMark`]): the end of the attempt
/// (`actions::common::settle_reform_marker`, `decide::reform::after`) turns it into the transfer marker
/// when that log or the SST scripts' `sst_in_progress` shows a transfer may have begun, and otherwise
/// removes it.
pub const REFORM_MARKER: &str = "galera-ocf-reforming.sst";

/// Whether the last join of this datadir ended before the node was Synced.
pub fn transfer_marked(datadir: &Path) -> Result<bool, Error> {
    marked(datadir, TRANSFER_MARKER)
}

/// Whether a re-forming start of this datadir is under way or ended without being cleaned up.
pub fn reform_marked(datadir: &Path) -> Result<bool, Error> {
    marked(datadir, REFORM_MARKER)
}

fn marked(datadir: &Path, name: &str) -> Result<bool, Error> {
    let path = datadir.join(name);
    match std::fs::symlink_metadata(&path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Create the transfer marker durably (file and directory entry on disk) before a joiner starts.
pub fn mark_transfer(datadir: &Path, note: &str) -> Result<(), Error> {
    mark(datadir, TRANSFER_MARKER, note)
}

/// Where the server log of one start begins: its length just before the start, the bytes that end it
/// there (at most [`LogMark::GUARD`]) and its inode, so a reader can tell the same file from one rotated
/// or truncated since and refilled past that length (its bytes there differ: log lines carry timestamps).
/// Taken by `edge::mysqld::log_mark`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogMark {
    pub offset: u64,
    pub before: Vec<u8>,
    pub inode: u64,
}

impl LogMark {
    pub const GUARD: u64 = 32;

    fn render(&self) -> String {
        let hex: String = self.before.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{LOG_OFFSET}{}\n{LOG_BEFORE}{hex}\n{LOG_INODE}{}\n",
            self.offset, self.inode
        )
    }

    fn parse(text: &str) -> Option<LogMark> {
        let field = |name: &str| text.lines().find_map(|l| l.strip_prefix(name));
        let offset = field(LOG_OFFSET)?.trim().parse().ok()?;
        let inode = field(LOG_INODE)?.trim().parse().ok()?;
        let hex = field(LOG_BEFORE)?.trim();
        let before = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        Some(LogMark {
            offset,
            before,
            inode,
        })
    }
}

const LOG_OFFSET: &str = "server log offset: ";
const LOG_BEFORE: &str = "server log before offset: ";
const LOG_INODE: &str = "server log inode: ";

/// Create the re-forming marker durably before a re-forming start, with where the server log of that
/// start begins ([`reform_log_mark`], `edge::mysqld::start_log_since`).
pub fn mark_reform(datadir: &Path, since: u64, log: &LogMark) -> Result<(), Error> {
    mark(
        datadir,
        REFORM_MARKER,
        &format!(
            "re-forming the saved Primary view since {since}\n{}",
            log.render()
        ),
    )
}

/// Where the server log of the re-forming start begins, as its marker recorded it: `None` without a
/// marker or when the marker holds no mark (one written by an agent before marks were recorded: then the
/// whole log is read, which can only find more evidence of a transfer, never less).
pub fn reform_log_mark(datadir: &Path) -> Result<Option<LogMark>, Error> {
    Ok(read_optional(&datadir.join(REFORM_MARKER))?.and_then(|t| LogMark::parse(&t)))
}

fn mark(datadir: &Path, name: &str, note: &str) -> Result<(), Error> {
    let path = datadir.join(name);
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    f.write_all(note.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::io(&path, e))?;
    sync_dir(&path)
}

/// The coreutils [`write_own_file`] runs, found on `PATH` (`edge::command::find_in`) as a shell agent
/// finds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteTools {
    install: PathBuf,
    sync: PathBuf,
    mv: PathBuf,
}

impl WriteTools {
    /// The tools in the directories of `path` (`None`: `PATH` unset), or the first one missing. validate-all
    /// (and so start) reports a missing one as ERR_INSTALLED, as it does a missing binary: without them
    /// the agent still runs, but never keeps its copy of the last Primary view (`edge::lastview`).
    pub fn find(path: Option<&OsStr>) -> Result<WriteTools, Error> {
        let tool = |name: &str| {
            command::find_in(path, name).ok_or_else(|| Error::ToolMissing {
                tool: name.to_owned(),
                path: command::searched(path),
                purpose: "to write its own files in the data directory (coreutils)",
            })
        };
        Ok(WriteTools {
            install: tool("install")?,
            sync: tool("sync")?,
            mv: tool("mv")?,
        })
    }

    /// The tools on this process's `PATH`.
    pub fn on_path() -> Result<WriteTools, Error> {
        WriteTools::find(std::env::var_os("PATH").as_deref())
    }
}

/// Write one of the agent's own files in the datadir atomically (temp file, fsync, rename, fsync of the
/// directory), mode 0600, done by child processes, each bounded by `deadline`: `install -m 0600
/// /dev/stdin TMP`, `sync TMP`, `mv -f TMP FILE`, `sync DIR` ([`WriteTools`]). On a filesystem that hangs
/// (a frozen or dead disk) a write blocks in uninterruptible sleep, where no signal ends it. In the agent's
/// own process that would hold the action past Pacemaker's timeout for good ("process will not die": no
/// result reaches Pacemaker, so nothing escalates and the node is never fenced; seen in the lab's
/// fencing-stop-hangs, where demote's copy of the saved view blocked before demote could even stop
/// mariadbd). A child stuck there is left behind and the action goes on without the copy.
pub async fn write_own_file(
    datadir: &Path,
    name: &str,
    contents: &str,
    deadline: Deadline,
) -> Result<(), Error> {
    write_own_file_with(&WriteTools::on_path()?, datadir, name, contents, deadline).await
}

async fn write_own_file_with(
    tools: &WriteTools,
    datadir: &Path,
    name: &str,
    contents: &str,
    deadline: Deadline,
) -> Result<(), Error> {
    let path = datadir.join(name);
    let tmp = temp_path(&path);
    let dir = path.parent().unwrap_or(Path::new("/"));
    let written = async {
        let install = Cmd::new(&tools.install)
            .args(["-m", "0600", "/dev/stdin"])
            .arg(&tmp);
        write_step(&path, &install, Some(contents.as_bytes()), deadline).await?;
        write_step(&path, &Cmd::new(&tools.sync).arg(&tmp), None, deadline).await?;
        let rename = Cmd::new(&tools.mv).arg("-f").arg(&tmp).arg(&path);
        write_step(&path, &rename, None, deadline).await?;
        write_step(&path, &Cmd::new(&tools.sync).arg(dir), None, deadline).await
    }
    .await;
    if written.is_err() && !deadline.expired() {
        // Not after a timeout: on a filesystem that hangs, this unlink would block this process too.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// One child of [`write_own_file`]; a non-zero exit is an error naming the command.
async fn write_step(
    path: &Path,
    cmd: &Cmd,
    input: Option<&[u8]>,
    deadline: Deadline,
) -> Result<(), Error> {
    let out = match input {
        Some(bytes) => command::output_with_input(cmd, bytes, deadline).await,
        None => command::output(cmd, deadline).await,
    }
    .map_err(|e| Error::command(format!("writing {}", path.display()), e))?;
    if out.code == 0 {
        Ok(())
    } else {
        Err(Error::Internal(format!(
            "{} exited with {}: {}",
            cmd.display(),
            out.code,
            out.stderr
        )))
    }
}

/// Remove the transfer marker (the node is Synced: its datadir is complete). Absent is fine.
pub fn clear_transfer(datadir: &Path) -> Result<(), Error> {
    clear(datadir, TRANSFER_MARKER)
}

/// Remove the re-forming marker. Absent is fine.
pub fn clear_reform(datadir: &Path) -> Result<(), Error> {
    clear(datadir, REFORM_MARKER)
}

fn clear(datadir: &Path, name: &str) -> Result<(), Error> {
    // Look first (a stat): an unlink waits for a frozen filesystem even when the name does not exist, and
    // a healthy Synced node's monitor calls this; it must not write anything there in the steady state.
    if !marked(datadir, name)? {
        return Ok(());
    }
    let path = datadir.join(name);
    match std::fs::remove_file(&path) {
        Ok(()) => sync_dir(&path),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Remove a file of the data directory if it is there (durably: the directory is synced). Absent is fine.
pub fn remove_optional(path: &Path) -> Result<bool, Error> {
    match std::fs::remove_file(path) {
        Ok(()) => sync_dir(path).map(|()| true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.galera-ocf.{}", std::process::id()))
}

/// Replace `path` with `contents` atomically; a crash leaves either the old or the new file, never half.
/// Owner and mode of the existing file are kept (mariadbd must still be able to rewrite it).
pub fn atomic_rewrite(path: &Path, contents: &str) -> Result<(), Error> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_file() {
        return Err(Error::io(
            path,
            std::io::Error::other("not a regular file (a symlink is not rewritten)"),
        ));
    }
    let tmp = temp_path(path);
    let result = write_temp(&tmp, contents, &meta).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        sync_dir(path)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn write_temp(tmp: &Path, contents: &str, meta: &std::fs::Metadata) -> Result<(), Error> {
    let io = |e| Error::io(tmp, e);
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(meta.mode() & 0o7777)
        .open(tmp)
        .map_err(io)?;
    fchown(&f, Some(meta.uid()), Some(meta.gid())).map_err(io)?;
    // Explicitly, because the umask narrowed the mode given to open().
    f.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
        .map_err(io)?;
    f.write_all(contents.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}

/// fsync the directory holding `path`, so a created, renamed or removed entry survives a power loss.
pub fn sync_dir(path: &Path) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("/"));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// The files a run of mariadbd writes and the directory itself (see `decide::recovery`).
const STAMPED: [&str; 9] = [
    ".",
    "grastate.dat",
    "gvwstate.dat",
    "ib_logfile0",
    "ibdata1",
    "undo001",
    "undo002",
    "undo003",
    "aria_log_control",
];

/// The data directory's fingerprint now: each stamped file's size, inode, mtime and ctime, and the boot
/// id; with the digest of the server's options (`edge::mycnf::ServerDefaults`) read now.
pub fn fingerprint(datadir: &Path, options: Option<String>) -> Fingerprint {
    let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let files = STAMPED
        .iter()
        .map(|name| FileStamp {
            name: (*name).to_owned(),
            // A symlink counts as absent: its own stamps do not change when its target does.
            stat: std::fs::symlink_metadata(datadir.join(name))
                .ok()
                .filter(|m| !m.file_type().is_symlink())
                .map(|m| Stat {
                    len: m.len(),
                    ino: m.ino(),
                    mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
                    ctime_ns: i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec()),
                }),
        })
        .collect();
    Fingerprint {
        boot_id,
        options,
        files,
    }
}

/// The recovery cache; `None` when absent or not understood.
pub fn load_recovered(path: &Path) -> Option<Recovered> {
    Recovered::parse(&std::fs::read_to_string(path).ok()?)
}

/// Write the recovery cache (temp file + rename, so a reader never sees half of it), mode 0600 like the
/// option files it has a digest of.
pub fn save_recovered(path: &Path, r: &Recovered) -> Result<(), Error> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| f.write_all(r.render().as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("galera-ocf-dd-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn rewrite_keeps_mode_and_leaves_no_litter() {
        let d = tempdir("rw");
        let f = d.join("grastate.dat");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o660)).unwrap();
        atomic_rewrite(&f, "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new\n");
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o777, 0o660);
        let names: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_symlink_is_not_rewritten() {
        let d = tempdir("link");
        std::fs::write(d.join("target"), "keep").unwrap();
        std::os::unix::fs::symlink(d.join("target"), d.join("grastate.dat")).unwrap();
        assert!(atomic_rewrite(&d.join("grastate.dat"), "x").is_err());
        assert_eq!(std::fs::read_to_string(d.join("target")).unwrap(), "keep");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn missing_file_is_none_and_rewrite_refuses() {
        let d = tempdir("missing");
        let f = d.join("grastate.dat");
        assert!(read_optional(&f).unwrap().is_none());
        assert!(atomic_rewrite(&f, "x").is_err());
        assert!(std::fs::read_dir(&d).unwrap().next().is_none());
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// The write's tools are the ones on PATH: links there to the real tools write the file; a `mv` there
    /// that fails fails the write, naming it; none there is the tool's name and the PATH searched.
    #[tokio::test]
    async fn own_files_are_written_with_the_tools_on_path() {
        let d = tempdir("tools");
        let (bin, data) = (d.join("bin"), d.join("data"));
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::create_dir_all(&data).unwrap();
        let link = |name: &str, to: &str| {
            let _ = std::fs::remove_file(bin.join(name));
            std::os::unix::fs::symlink(command::find_in(None, to).unwrap(), bin.join(name))
                .unwrap();
        };
        for name in ["install", "sync", "mv"] {
            link(name, name);
        }
        let soon = || Deadline::after(std::time::Duration::from_secs(10));
        let tools = WriteTools::find(Some(bin.as_os_str())).unwrap();
        assert_eq!(tools.install, bin.join("install"));
        write_own_file_with(&tools, &data, "own.sst", "view\n", soon())
            .await
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(data.join("own.sst")).unwrap(),
            "view\n"
        );
        assert_eq!(
            std::fs::metadata(data.join("own.sst")).unwrap().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::read_dir(&data).unwrap().count(),
            1,
            "no temp file left"
        );

        link("mv", "false");
        let tools = WriteTools::find(Some(bin.as_os_str())).unwrap();
        let e = write_own_file_with(&tools, &data, "own.sst", "other\n", soon())
            .await
            .unwrap_err();
        let mv = format!("{} -f", bin.join("mv").display());
        assert!(e.to_string().contains(&mv), "{e}");
        assert_eq!(
            std::fs::read_to_string(data.join("own.sst")).unwrap(),
            "view\n"
        );
        assert_eq!(
            std::fs::read_dir(&data).unwrap().count(),
            1,
            "temp file removed"
        );

        std::fs::remove_file(bin.join("sync")).unwrap();
        let e = WriteTools::find(Some(bin.as_os_str())).unwrap_err();
        assert!(
            matches!(&e, Error::ToolMissing { tool, .. } if tool == "sync"),
            "{e:?}"
        );
        assert!(e.to_string().contains(&bin.display().to_string()), "{e}");
        assert_eq!(e.ocf_status(), crate::ocf::OcfStatus::ErrInstalled);
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// The cache holds a digest of options that may hold a password: only root reads it.
    #[test]
    fn the_recovery_cache_is_private_and_round_trips() {
        let d = tempdir("cache");
        let path = d.join("run/galera-ocf-galera.recovered");
        let r = Recovered {
            position: "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:77".parse().unwrap(),
            fingerprint: fingerprint(&d, Some("ab12".into())),
        };
        save_recovered(&path, &r).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(load_recovered(&path), Some(r.clone()));
        save_recovered(&path, &r).unwrap();
        assert_eq!(std::fs::read_dir(d.join("run")).unwrap().count(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn transfer_marker_round_trip() {
        let dir = tempdir("marker");
        assert!(!transfer_marked(&dir).unwrap());
        mark_transfer(&dir, "joining node2\n").unwrap();
        assert!(transfer_marked(&dir).unwrap());
        mark_transfer(&dir, "again\n").unwrap();
        clear_transfer(&dir).unwrap();
        assert!(!transfer_marked(&dir).unwrap());
        clear_transfer(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn reform_marker_keeps_the_log_offset() {
        let dir = tempdir("reform-marker");
        assert_eq!(reform_log_mark(&dir).unwrap(), None);
        let mark = LogMark {
            offset: 48_213,
            before: b"\x00 [Note] WSREP: a line\n".to_vec(),
            inode: 917_514,
        };
        mark_reform(&dir, 1_765_000_000, &mark).unwrap();
        assert!(reform_marked(&dir).unwrap());
        assert!(!transfer_marked(&dir).unwrap());
        assert_eq!(reform_log_mark(&dir).unwrap(), Some(mark));
        // A marker of an agent that recorded no offset.
        std::fs::write(
            dir.join(REFORM_MARKER),
            "re-forming the saved Primary view since 1\n",
        )
        .unwrap();
        assert_eq!(reform_log_mark(&dir).unwrap(), None);
        clear_reform(&dir).unwrap();
        assert!(!reform_marked(&dir).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
