//! Shared helpers of the integration tests: an agent-run builder, temp directories that remove themselves,
//! file-tree snapshots for "nothing changed" assertions, and polling with a deadline.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_galera-ocf");

/// Runs a helper command of a test and returns its stdout; a failure fails the test with `what` and the
/// command's stderr.
pub fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The result of one agent invocation.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Ran {
    fn from(out: std::process::Output) -> Ran {
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Ran {
    /// The `ocf-exit-reason:` lines.
    pub fn reasons(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter_map(|l| l.strip_prefix("ocf-exit-reason:"))
            .collect()
    }

    /// Exactly one error line of an admin command (`galera-ocf status`, `bootstrap --force`), a command's
    /// error (`galera-ocf: error: ...`) and no `ocf-exit-reason:` line: a person reads it whole, so it is
    /// never cut.
    pub fn one_admin_reason(&self) -> &str {
        assert!(
            self.reasons().is_empty(),
            "an OCF exit reason from an admin command:\n{}",
            self.stderr
        );
        let r: Vec<&str> = self
            .stderr
            .lines()
            .filter_map(|l| l.strip_prefix("galera-ocf: error: "))
            .collect();
        assert_eq!(
            r.len(),
            1,
            "expected exactly one exit reason:\n{}",
            self.stderr
        );
        r[0]
    }

    /// Exactly one exit-reason line, within the 128 bytes Pacemaker keeps; return the whole reason: the
    /// line itself, or, when the agent had to cut it (" ..."), the ERROR line it logged whole just before.
    pub fn one_reason(&self) -> &str {
        let r = self.reasons();
        assert_eq!(
            r.len(),
            1,
            "expected exactly one exit reason:\n{}",
            self.stderr
        );
        assert!(
            r[0].len() <= 128,
            "exit reason longer than Pacemaker keeps: {}",
            r[0]
        );
        let Some(cut) = r[0].strip_suffix(" ...") else {
            return r[0];
        };
        self.stderr
            .lines()
            .filter_map(|l| l.split_once(": ERROR: ").map(|(_, t)| t))
            .find(|t| t.starts_with(cut))
            .unwrap_or_else(|| {
                panic!(
                    "a cut exit reason without its whole ERROR line:\n{}",
                    self.stderr
                )
            })
    }
}

/// One agent invocation: argv[0], action, and a clean environment (only what the test sets, plus PATH).
#[derive(Debug, Clone)]
pub struct Agent {
    pub argv0: OsString,
    pub env: BTreeMap<String, String>,
}

impl Agent {
    pub fn new() -> Agent {
        let mut env = BTreeMap::new();
        env.insert("PATH".into(), "/usr/sbin:/usr/bin:/sbin:/bin".into());
        Agent {
            argv0: BIN.into(),
            env,
        }
    }

    pub fn set(mut self, k: &str, v: impl Into<String>) -> Agent {
        self.env.insert(k.to_owned(), v.into());
        self
    }

    /// Set `OCF_RESKEY_<name>`.
    pub fn param(self, name: &str, v: impl Into<String>) -> Agent {
        self.set(&format!("OCF_RESKEY_{name}"), v)
    }

    pub fn unset(mut self, k: &str) -> Agent {
        self.env.remove(k);
        self
    }

    pub fn run(&self, action: &str) -> Ran {
        self.run_args(&[action])
    }

    /// The agent with several arguments (`status --help`).
    pub fn run_args(&self, args: &[&str]) -> Ran {
        let out = Command::new(BIN)
            .arg0(&self.argv0)
            .args(args)
            .env_clear()
            .envs(&self.env)
            .output()
            .expect("run the agent");
        Ran::from(out)
    }
}

use std::os::unix::process::CommandExt;

/// A temp directory removed on drop (also when the test fails).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("galera-ocf-test-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// (size, mode, uid, mtime, mtime_nsec, content) of one file.
pub type FileState = (u64, u32, u32, i64, i64, Vec<u8>);

/// relative path → [`FileState`] of every file under `root`.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, FileState> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(m) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if m.is_dir() {
                stack.push(p.clone());
            }
            let content = if m.is_file() {
                std::fs::read(&p).unwrap_or_default()
            } else {
                Vec::new()
            };
            out.insert(
                p.strip_prefix(root).unwrap_or(&p).to_path_buf(),
                (
                    m.size(),
                    m.mode(),
                    m.uid(),
                    m.mtime(),
                    m.mtime_nsec(),
                    content,
                ),
            );
        }
    }
    out
}

/// Poll `f` every 100 ms until it returns `Some` or `limit` passes.
pub fn poll_until<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Fail loudly (never skip) when a tool a test tier needs is missing.
pub fn require(paths: &[&str]) {
    for p in paths {
        assert!(
            Path::new(p).exists(),
            "{p} is missing: install the packages listed in ../shared/lab-notes.md (this test never skips)"
        );
    }
}

pub fn current_user() -> (String, String) {
    let uid = nix::unistd::Uid::effective();
    let gid = nix::unistd::Gid::effective();
    let u = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| "root".into());
    let g = nix::unistd::Group::from_gid(gid)
        .ok()
        .flatten()
        .map(|g| g.name)
        .unwrap_or_else(|| "root".into());
    (u, g)
}
