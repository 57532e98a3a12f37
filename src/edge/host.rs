//! This machine's host name (`uname -n`), for actions that must work without a cluster.

/// The kernel's node name; empty when it cannot be read.
pub fn name() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.nodename().to_string_lossy().into_owned())
        .unwrap_or_default()
}
