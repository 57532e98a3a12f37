//! Just enough of MariaDB's option-file format to find `wsrep_provider` for validate-all:
//! `[section]`, `key = value`, `!include FILE`, `!includedir DIR` (`*.cnf`, sorted), last value wins.

use std::path::Path;

/// Server sections mariadbd reads (the version-suffixed ones included).
fn server_section(name: &str) -> bool {
    ["mysqld", "server", "galera", "mariadb", "mariadbd"]
        .iter()
        .any(|s| name == *s || name.starts_with(&format!("{s}-")))
}

fn scan(path: &Path, depth: u8, found: &mut Option<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let mut in_server = false;
    for line in text.lines().map(str::trim) {
        if let Some(dir) = line.strip_prefix("!includedir") {
            include_dir(Path::new(dir.trim()), depth, found);
        } else if let Some(file) = line.strip_prefix("!include") {
            if depth < 4 {
                scan(Path::new(file.trim()), depth + 1, found);
            }
        } else if let Some(sec) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_server = server_section(sec.trim());
        } else if in_server {
            if let Some((k, v)) = line.split_once('=') {
                if matches!(k.trim(), "wsrep_provider" | "wsrep-provider") {
                    *found = Some(v.trim().trim_matches(['"', '\'']).to_owned());
                }
            }
        }
    }
}

fn include_dir(dir: &Path, depth: u8, found: &mut Option<String>) {
    if depth >= 4 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "cnf"))
        .collect();
    files.sort();
    for f in files {
        scan(&f, depth + 1, found);
    }
}

/// The effective `wsrep_provider` of this option file, if any.
pub fn wsrep_provider(config: &Path) -> Option<String> {
    let mut found = None;
    scan(config, 0, &mut found);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_provider_through_includes() {
        let d = std::env::temp_dir().join(format!("galera-ocf-mycnf-{}", std::process::id()));
        std::fs::create_dir_all(d.join("conf.d")).unwrap();
        std::fs::write(
            d.join("my.cnf"),
            format!(
                "[client]\nwsrep_provider=/nope\n!includedir {}\n",
                d.join("conf.d").display()
            ),
        )
        .unwrap();
        std::fs::write(
            d.join("conf.d/60-galera.cnf"),
            "[galera]\nwsrep_provider = \"/usr/lib/x.so\"\n",
        )
        .unwrap();
        assert_eq!(
            wsrep_provider(&d.join("my.cnf")).as_deref(),
            Some("/usr/lib/x.so")
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
