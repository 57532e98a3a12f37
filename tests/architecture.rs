//! The map in `src/lib.rs`, checked against the territory: every source file is read at test time, so a
//! new file cannot slip past a hand-written list.
//!
//! - `galera/`, `decide/`, `pcmk/` are pure: no file, process, network, clock, environment, thread, runtime
//!   or SQL, no logging, and no import of the layers that have them (`edge`, `actions`, `admin`, `config`,
//!   `error`, `deadline`, `log`).
//! - Only `edge/` spawns processes, touches files or asks the kernel; the exceptions are named below with
//!   the reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Source text without comment lines, so docs may name what the code must not use.
fn code_of(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn pure_layers_touch_nothing_outside_the_process() {
    let forbidden = [
        "std::fs",
        "std::process",
        // std::net's address types are plain values; its sockets and name lookups are not.
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "ToSocketAddrs",
        "std::time",
        "std::env",
        "std::thread",
        "std::io::stdin",
        "tokio",
        "mysql_async",
        "nix::",
        "crate::edge",
        "crate::actions",
        "crate::admin",
        "crate::config",
        "crate::error",
        "crate::deadline",
        "crate::log",
        "println!",
        "eprintln!",
        "info!(",
        "warn!(",
        "debug!(",
    ];
    let mut files = Vec::new();
    for dir in ["galera", "decide", "pcmk"] {
        rust_files(&src().join(dir), &mut files);
    }
    assert!(files.len() >= 15, "found only {files:?}");
    let mut violations = Vec::new();
    for f in &files {
        let code = code_of(f);
        for word in forbidden {
            if code.contains(word) {
                violations.push(format!("{} uses {word}", f.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn only_edge_spawns_processes_or_touches_files() {
    // Exceptions and why: main.rs is the entry point (argv, environment); log.rs is the log sink
    // (appends to HA_LOGFILE/HA_DEBUGLOG, sends to /dev/log, reads /etc/localtime); man.rs's `Command` is clap's, not a process.
    let allowed = ["main.rs", "log.rs"];
    let forbidden = [
        "std::fs",
        "std::process::Command",
        "tokio::process",
        "std::env::",
        "nix::sys::utsname",
        "std::os::unix::fs",
        "UnixStream",
        "TcpStream",
        // Path's own file-system queries, and files opened without naming std::fs.
        ".exists()",
        "try_exists(",
        ".is_dir()",
        ".is_file()",
        ".is_symlink()",
        ".metadata()",
        "symlink_metadata(",
        "read_link(",
        "read_dir(",
        "canonicalize(",
        "File::",
        "OpenOptions",
    ];
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut violations = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(src()).unwrap();
        if rel.starts_with("edge") || allowed.iter().any(|a| rel == Path::new(a)) {
            continue;
        }
        let code = code_of(f);
        // Unit tests may use the file system for fixtures.
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        for word in forbidden {
            if code.contains(word) {
                violations.push(format!("{} uses {word}", rel.display()));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn actions_holds_exactly_the_ocf_actions() {
    let mut names: Vec<String> = std::fs::read_dir(src().join("actions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // common.rs: the steps several actions share; members.rs: the expected members as parameters.
    let expected = [
        "common.rs",
        "demote.rs",
        "members.rs",
        "mod.rs",
        "monitor.rs",
        "notify.rs",
        "promote.rs",
        "reload.rs",
        "start.rs",
        "stop.rs",
        "validate.rs",
    ];
    assert_eq!(names, expected);
}
