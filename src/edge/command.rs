//! The only place that starts processes: argv vectors (never a shell), a deadline for everything the agent
//! waits on, and a typed [`CommandError`].
//!
//! Children never see `OCF_RESKEY_*`: Pacemaker puts `check_passwd` there, and a password must not reach
//! any child's environment (it would be readable in `/proc/PID/environ`).

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use crate::deadline::Deadline;

/// A command line: program and arguments, nothing interpreted.
#[derive(Debug, Clone)]
pub struct Cmd {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl Cmd {
    pub fn new(program: impl Into<PathBuf>) -> Cmd {
        Cmd {
            program: program.into(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, a: impl Into<OsString>) -> Cmd {
        self.args.push(a.into());
        self
    }

    pub fn args<I, S>(mut self, it: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(it.into_iter().map(Into::into));
        self
    }

    /// For log lines: program and arguments separated by spaces (for reading, not for running).
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_os_str())
            .chain(self.args.iter().map(OsString::as_os_str))
            .map(|s| s.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn program_name(&self) -> String {
        self.program.display().to_string()
    }
}

/// Where [`find_in`] looks when the agent's environment has no `PATH` (pacemaker-execd passes its own,
/// so this is for a hand-run action under `env -i`): the directories of the standard tools on Debian and
/// RHEL, merged `/usr` or not.
const DEFAULT_PATH: &str = "/usr/sbin:/usr/bin:/sbin:/bin";

/// A standard tool (`install`, `sync`, …) found as an executable file in a directory of `path` (a `PATH`
/// value; `None`: unset), as a shell would find it; `None` when none holds it. Relative entries (an empty
/// one, `.`) are skipped: the agent runs as root in whatever directory Pacemaker started it in.
pub fn find_in(path: Option<&OsStr>, name: &str) -> Option<PathBuf> {
    std::env::split_paths(path.unwrap_or(OsStr::new(DEFAULT_PATH)))
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// The directories [`find_in`] searches for `path`, for a message saying where a tool was not found.
pub fn searched(path: Option<&OsStr>) -> String {
    path.unwrap_or(OsStr::new(DEFAULT_PATH))
        .to_string_lossy()
        .into_owned()
}

/// What a finished command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("cannot run {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{program} exited with {code}: {stderr}")]
    Exit {
        program: String,
        code: i32,
        stderr: String,
    },
    #[error("{program} was killed by signal {signal}")]
    Signal { program: String, signal: i32 },
    #[error("{program} did not finish before the action's deadline")]
    Timeout { program: String },
}

fn scrubbed(program: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(program);
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("OCF_RESKEY_") {
            c.env_remove(k);
        }
    }
    c
}

/// Run to completion within the deadline; any exit code is returned in [`Output`].
/// On timeout the child is killed (kill_on_drop) and [`CommandError::Timeout`] returned.
pub async fn output(cmd: &Cmd, deadline: Deadline) -> Result<Output, CommandError> {
    run(cmd, None, deadline).await
}

/// Like [`output`], with `input` on the child's stdin.
pub async fn output_with_input(
    cmd: &Cmd,
    input: &[u8],
    deadline: Deadline,
) -> Result<Output, CommandError> {
    run(cmd, Some(input), deadline).await
}

async fn run(cmd: &Cmd, input: Option<&[u8]>, deadline: Deadline) -> Result<Output, CommandError> {
    use tokio::io::AsyncWriteExt;
    let mut c = tokio::process::Command::from(scrubbed(&cmd.program));
    c.args(&cmd.args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = c.spawn().map_err(|source| CommandError::Spawn {
        program: cmd.program_name(),
        source,
    })?;
    if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
        let fed = async {
            // A child that exits without reading is its own error, reported by its exit status.
            let _ = stdin.write_all(bytes).await;
        };
        tokio::time::timeout_at(deadline.instant(), fed)
            .await
            .map_err(|_| CommandError::Timeout {
                program: cmd.program_name(),
            })?;
    }
    let out = tokio::time::timeout_at(deadline.instant(), child.wait_with_output())
        .await
        .map_err(|_| CommandError::Timeout {
            program: cmd.program_name(),
        })?
        .map_err(|source| CommandError::Spawn {
            program: cmd.program_name(),
            source,
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    match (out.status.code(), out.status.signal()) {
        (Some(code), _) => Ok(Output {
            code,
            stdout,
            stderr,
        }),
        (None, signal) => Err(CommandError::Signal {
            program: cmd.program_name(),
            signal: signal.unwrap_or(0),
        }),
    }
}

/// Like [`output`], but a non-zero exit is an error.
pub async fn checked(cmd: &Cmd, deadline: Deadline) -> Result<Output, CommandError> {
    let out = output(cmd, deadline).await?;
    if out.code == 0 {
        Ok(out)
    } else {
        Err(CommandError::Exit {
            program: cmd.program_name(),
            code: out.code,
            stderr: telling_line(&out.stderr),
        })
    }
}

/// The most telling line of a tool's stderr: the last one saying ERROR, else the last non-empty one
/// (tools tend to print warnings first and the reason last).
fn telling_line(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    lines
        .iter()
        .rev()
        .find(|l| l.contains("ERROR") || l.contains("error"))
        .or(lines.last())
        .map(|l| (*l).to_owned())
        .unwrap_or_default()
}

/// Start a long-running daemon: stdin from /dev/null, stdout/stderr appended to `log`, in its own process
/// group so signals aimed at the agent's group (e.g. pacemaker-execd killing a timed-out action) do not reach
/// it. (`setsid` would need `pre_exec`, i.e. unsafe code; under Pacemaker there is no controlling terminal
/// to lose, so a new process group gives the same protection.)
pub fn spawn_daemon(cmd: &Cmd, log: &File) -> Result<Child, CommandError> {
    let spawn_err = |source| CommandError::Spawn {
        program: cmd.program_name(),
        source,
    };
    let out = log.try_clone().map_err(spawn_err)?;
    let err = log.try_clone().map_err(spawn_err)?;
    scrubbed(&cmd.program)
        .args(&cmd.args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(spawn_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn soon() -> Deadline {
        Deadline::after(Duration::from_secs(10))
    }

    #[tokio::test]
    async fn exit_codes_and_output_are_returned() {
        let out = output(&Cmd::new("/bin/echo").arg("hi"), soon())
            .await
            .unwrap();
        assert_eq!(out.code, 0);
        assert_eq!(out.stdout, "hi\n");
        let e = checked(&Cmd::new("/bin/false"), soon()).await.unwrap_err();
        assert!(matches!(e, CommandError::Exit { code: 1, .. }));
    }

    #[tokio::test]
    async fn arguments_are_not_interpreted() {
        let out = output(&Cmd::new("/bin/echo").arg("$HOME;`id`"), soon())
            .await
            .unwrap();
        assert_eq!(out.stdout, "$HOME;`id`\n");
    }

    /// The exit reason of an action whose tool is missing names the program.
    #[tokio::test]
    async fn missing_program_is_a_spawn_error() {
        let e = output(&Cmd::new("/nonexistent/x"), soon())
            .await
            .unwrap_err();
        assert!(matches!(e, CommandError::Spawn { .. }), "{e:?}");
        assert!(
            e.to_string().starts_with("cannot run /nonexistent/x: "),
            "{e}"
        );
    }

    /// The tools the agent runs by name are found in PATH's directories, in order, executable files only,
    /// absolute directories only; no PATH at all means the standard directories.
    #[test]
    fn tools_are_found_on_path() {
        let d = std::env::temp_dir().join(format!("galera-ocf-path-{}", std::process::id()));
        let (first, second) = (d.join("first"), d.join("second"));
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(&second).unwrap();
        std::fs::write(first.join("tool"), "").unwrap();
        std::fs::write(second.join("tool"), "").unwrap();
        std::fs::set_permissions(second.join("tool"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        std::fs::create_dir_all(first.join("dir")).unwrap();
        std::fs::set_permissions(first.join("dir"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let path = |dirs: &[&Path]| std::env::join_paths(dirs).unwrap();
        let find = |dirs: &[&Path], name| find_in(Some(&path(dirs)), name);
        // Not executable in the first directory: the second one's.
        assert_eq!(find(&[&first, &second], "tool"), Some(second.join("tool")));
        assert_eq!(find(&[&first], "tool"), None);
        assert_eq!(find(&[&first], "dir"), None);
        assert_eq!(
            find(&[Path::new("/nonexistent"), &second], "tool"),
            Some(second.join("tool"))
        );
        assert_eq!(find(&[], "sync"), None);
        // A relative entry is not searched, even one naming the second directory from here.
        let cwd = std::env::current_dir().unwrap();
        let up: PathBuf = cwd.components().skip(1).map(|_| "..").collect();
        let relative = up.join(second.strip_prefix("/").unwrap());
        assert!(relative.is_relative() && relative.join("tool").is_file());
        assert_eq!(find(&[&relative], "tool"), None);
        assert!(find_in(None, "sync").is_some_and(|p| p.is_absolute()));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[tokio::test]
    async fn timeout_kills() {
        let d = Deadline::after(Duration::from_millis(1200));
        let e = output(&Cmd::new("/bin/sleep").arg("30"), d)
            .await
            .unwrap_err();
        assert!(matches!(e, CommandError::Timeout { .. }));
    }
}
