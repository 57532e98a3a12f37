//! What validate-all checks on this machine's files: an executable, a readable file, the data directory's
//! type, owner and readability. Only metadata is read; nothing is opened for writing.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::config::Config;
use crate::error::Error;

/// `path` is an executable file.
pub fn executable(name: &str, path: &Path) -> Result<(), Error> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::installed(name, format!("{}: {e}", path.display())))?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(Error::installed(
            name,
            format!("{} is not an executable file", path.display()),
        ));
    }
    Ok(())
}

/// `path` is a file this process can open.
pub fn readable_file(name: &str, path: &Path) -> Result<(), Error> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::installed(name, format!("{}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(Error::installed(
            name,
            format!("{} is not a file", path.display()),
        ));
    }
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| Error::installed(name, format!("{}: {e}", path.display())))
}

/// The data directory exists, belongs to the server's user (`uid`) and can be listed.
pub fn datadir(cfg: &Config, uid: u32) -> Result<(), Error> {
    let d = &cfg.datadir;
    let meta = std::fs::metadata(d)
        .map_err(|e| Error::installed("datadir", format!("{}: {e}", d.display())))?;
    if !meta.is_dir() {
        return Err(Error::installed(
            "datadir",
            format!("{} is not a directory", d.display()),
        ));
    }
    if meta.uid() != uid {
        return Err(Error::not_for_this_node(
            "datadir",
            format!(
                "{} is owned by uid {}, not by user {} (uid {uid})",
                d.display(),
                meta.uid(),
                cfg.user
            ),
        ));
    }
    std::fs::read_dir(d)
        .map(drop)
        .map_err(|e| Error::not_for_this_node("datadir", format!("{}: {e}", d.display())))
}

/// Where the clustercheck script (and `ocf:heartbeat:galera`) keep the monitoring credentials: the first
/// of these that exists is read, as the stock agent does.
pub const CLUSTERCHECK_FILES: [&str; 2] =
    ["/etc/sysconfig/clustercheck", "/etc/default/clustercheck"];

/// The first clustercheck file that exists, with its text; `None` when there is none. One that exists but
/// cannot be read is logged and skipped: credentials the resource sets itself still work.
pub fn clustercheck_file() -> Option<(&'static str, String)> {
    for path in CLUSTERCHECK_FILES {
        match std::fs::read_to_string(path) {
            Ok(text) => return Some((path, text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                warn!("{path}: {e}; its credentials are not used");
                return None;
            }
        }
    }
    None
}
