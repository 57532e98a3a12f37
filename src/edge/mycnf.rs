//! The node's MariaDB option file (the `config` parameter): what mariadbd itself reads from it
//! ([`server_defaults`]: `mariadbd --print-defaults`, the truth), and where each option was written
//! ([`server_settings`]: the files read by hand, `!include FILE` and `!includedir DIR` (`*.cnf`, sorted)
//! in place, for the `FILE:LINE` of a finding and where a value the server printed ends). The grammar
//! and the comparison with the parameters are pure, in `decide::mycnf`; this file only opens files and
//! runs the server.

use std::path::Path;

use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::mycnf::{self, Item, Setting};
use crate::decide::recovery::options_digest;
use crate::edge::command::{self, Cmd};
use crate::error::Error;

/// Includes nest at most this deep (a loop of includes must end).
const MAX_DEPTH: u8 = 4;

fn scan(path: &Path, depth: u8, out: &mut Vec<Setting>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    for item in mycnf::parse(&path.display().to_string(), &text) {
        match item {
            Item::Setting(s) => out.push(s),
            Item::Include(file) if depth < MAX_DEPTH => scan(&file, depth + 1, out),
            Item::IncludeDir(dir) if depth < MAX_DEPTH => include_dir(&dir, depth, out),
            Item::Include(_) | Item::IncludeDir(_) => {}
        }
    }
}

fn include_dir(dir: &Path, depth: u8, out: &mut Vec<Setting>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "cnf"))
        .collect();
    files.sort();
    for f in files {
        scan(&f, depth + 1, out);
    }
}

/// Every server option of this option file and its includes, in the order mariadbd reads them, as read
/// by hand (for origins only; see the module doc).
pub fn server_settings(config: &Path) -> Vec<Setting> {
    let mut out = Vec::new();
    scan(config, 0, &mut out);
    out
}

/// What `mariadbd --print-defaults` reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerDefaults {
    /// The options, each with where it was written when that can be told.
    pub settings: Vec<Setting>,
    /// `decide::recovery::options_digest` of the output, for the recovery cache.
    pub digest: String,
}

/// The options mariadbd would start with from `config` (`--defaults-file=CONFIG --print-defaults`: it
/// reads the files and prints, nothing else). An option file the server refuses (a missing
/// `!includedir`, an option before any group) is [`Error::OptionFile`] with the server's own reason: a
/// start would abort the same way. Output that is not the server's option list is [`Error::Installed`]
/// for `binary` (it names some other program).
pub async fn server_defaults(cfg: &Config, deadline: Deadline) -> Result<ServerDefaults, Error> {
    let cmd = Cmd::new(&cfg.binary)
        .arg(format!("--defaults-file={}", cfg.config.display()))
        .arg("--print-defaults");
    let out = command::output(&cmd, deadline)
        .await
        .map_err(|e| Error::command("reading the option file with mariadbd --print-defaults", e))?;
    if out.code != 0 {
        return Err(Error::option_file(
            "config",
            format!(
                "{} cannot read {}: {}",
                cfg.binary.display(),
                cfg.config.display(),
                mycnf::defaults_failure(&out.stderr)
            ),
        ));
    }
    let written = server_settings(&cfg.config);
    let printed = mycnf::parse_print_defaults(&out.stdout, &written).map_err(|e| {
        Error::installed(
            "binary",
            format!(
                "{} is no MariaDB server as far as its --print-defaults output shows: {e}",
                cfg.binary.display()
            ),
        )
    })?;
    Ok(ServerDefaults {
        settings: mycnf::with_origins(printed, &written),
        digest: options_digest(&out.stdout),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_includes_in_place() {
        let d = std::env::temp_dir().join(format!("galera-ocf-mycnf-{}", std::process::id()));
        std::fs::create_dir_all(d.join("conf.d")).unwrap();
        std::fs::write(
            d.join("my.cnf"),
            format!(
                "[client]\nwsrep_provider=/nope\n[mysqld]\nwsrep_on=OFF\n!includedir {}\n[galera]\nbinlog_format=ROW\n",
                d.join("conf.d").display()
            ),
        )
        .unwrap();
        std::fs::write(
            d.join("conf.d/60-galera.cnf"),
            "[galera]\nwsrep_provider = \"/usr/lib/x.so\"\nwsrep_on=ON\n",
        )
        .unwrap();
        std::fs::write(d.join("conf.d/70-other.txt"), "[galera]\nwsrep_on=OFF\n").unwrap();
        let s = server_settings(&d.join("my.cnf"));
        let keys: Vec<_> = s.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            ["wsrep_on", "wsrep_provider", "wsrep_on", "binlog_format"]
        );
        assert_eq!(mycnf::provider(&s).map(|(_, p)| p), Some("/usr/lib/x.so"));
        assert_eq!(
            mycnf::effective(&s, "wsrep_on").and_then(|s| s.value.as_deref()),
            Some("ON")
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
