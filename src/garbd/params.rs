//! The parameter table of `ocf:galera-ocf:garbd` and its parsed form (pure: an environment map in, a
//! [`GarbdConfig`] or a parameter error out). Same [`Param`] rows as the data agent's table, so the same
//! meta-data renderer serves both.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::decide::hostmap::parse_gcomm;
use crate::error::Error;
use crate::ocf::CrmMeta;
use crate::params::{Param, ParamType};

const fn p(
    name: &'static str,
    default: &'static str,
    required: bool,
    short: &'static str,
    long: &'static str,
) -> Param {
    Param {
        name,
        kind: ParamType::String,
        default,
        required,
        unique: false,
        reloadable: false,
        short,
        long,
    }
}

/// Every parameter of the garbd agent, in meta-data order.
pub const PARAMS: &[Param] = &[
    p(
        "binary",
        "/usr/bin/garbd",
        false,
        "garbd binary",
        "Path of the Galera arbitrator (Debian package galera-arbitrator-4).",
    ),
    p(
        "wsrep_cluster_address",
        "",
        true,
        "Galera cluster address",
        "The Galera cluster address, gcomm://node1,node2,node3, as the data nodes' resource has it (the \
         data nodes' arbitrators parameter names this node's entry). garbd connects to the data nodes listed \
         there; the data nodes reach garbd through their own address.",
    ),
    p(
        "group",
        "my_wsrep_cluster",
        false,
        "Galera cluster name",
        "The data nodes' wsrep_cluster_name (MariaDB's default is my_wsrep_cluster). garbd refuses to join \
         a cluster of another name.",
    ),
    p(
        "options",
        "",
        false,
        "garbd --options",
        "Galera provider options for garbd (e.g. gmcast.listen_addr=tcp://0.0.0.0:4567), separated by ';'. \
         The agent adds pc.wait_prim=no unless this sets pc.wait_prim: garbd then waits in a non-Primary \
         component for the data nodes instead of exiting after 30 s (garbd cannot form a Primary component \
         itself), so it can be started before or after them.",
    ),
    p(
        "log",
        "/var/log/garbd.log",
        false,
        "garbd log file",
        "garbd's log (--log). The monitor reads what garbd appends to it to learn whether garbd is a member \
         of a Primary component; garbd has no other status interface.",
    ),
    p(
        "workdir",
        "/var/lib/galera-arbitrator",
        false,
        "garbd working directory",
        "garbd's working directory (--workdir), where it keeps its saved view gvwstate.dat; created when \
         missing.",
    ),
    Param {
        kind: ParamType::Integer,
        ..p(
            "lost_grace",
            "30",
            false,
            "seconds a lost Primary component is tolerated",
            "How many seconds garbd may be out of the Primary component it was a member of before the \
             monitor fails (and Pacemaker restarts it). garbd's side of a brief network partition goes \
             non-Primary too, and Galera merges it back by itself within seconds of the link's return; a \
             restart at each such flap would only raise the fail count. One that stays out longer is \
             restarted, since garbd does not reliably rejoin a component the data nodes formed anew. The \
             default is twice Galera's evs.inactive_timeout (PT15S, after which a silent peer leaves the \
             view) and lets three monitors at the default 10 s interval pass; raise it with those timeouts. \
             0: the first monitor that sees it fails.",
        )
    },
];

/// The validated parameters of one garbd invocation.
#[derive(Debug, Clone)]
pub struct GarbdConfig {
    /// Resource instance (`garbd`), names the state file.
    pub resource: String,
    pub binary: PathBuf,
    pub address: String,
    pub group: String,
    pub options: String,
    pub log: PathBuf,
    pub workdir: PathBuf,
    /// Seconds a Lost garbd passes the monitor (`decide::arbitrator::monitor`).
    pub lost_grace: u64,
    pub meta: CrmMeta,
    pub state_dir: PathBuf,
}

fn raw(env: &BTreeMap<String, String>, name: &str) -> String {
    env.get(&format!("OCF_RESKEY_{name}"))
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .or_else(|| {
            PARAMS
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.default.to_owned())
        })
        .unwrap_or_default()
}

fn absolute(env: &BTreeMap<String, String>, name: &str) -> Result<PathBuf, Error> {
    let v = raw(env, name);
    if !v.starts_with('/') || v.chars().any(char::is_control) {
        return Err(Error::configured(
            name,
            format!("{v:?} is not an absolute path"),
        ));
    }
    Ok(PathBuf::from(v))
}

/// A value that reaches garbd's argv must not read as an option of its own.
fn word(env: &BTreeMap<String, String>, name: &str) -> Result<String, Error> {
    let v = raw(env, name);
    if v.starts_with('-') || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::configured(
            name,
            format!("{v:?} must be one word that does not start with '-'"),
        ));
    }
    Ok(v)
}

fn seconds(env: &BTreeMap<String, String>, name: &str) -> Result<u64, Error> {
    let v = raw(env, name);
    v.parse()
        .map_err(|_| Error::configured(name, format!("{v:?} is not a whole number of seconds")))
}

impl GarbdConfig {
    pub fn from_env(env: &BTreeMap<String, String>, resource: String) -> Result<Self, Error> {
        let address = raw(env, "wsrep_cluster_address");
        if address.is_empty() {
            return Err(Error::configured("wsrep_cluster_address", "is required"));
        }
        parse_gcomm(&address)
            .map_err(|e| Error::configured("wsrep_cluster_address", e.to_string()))?;
        let group = word(env, "group")?;
        if group.is_empty() {
            return Err(Error::configured("group", "is empty"));
        }
        let options = raw(env, "options");
        if options.starts_with('-') || options.chars().any(char::is_control) {
            return Err(Error::configured(
                "options",
                format!("{options:?} must not start with '-'"),
            ));
        }
        Ok(GarbdConfig {
            resource,
            binary: absolute(env, "binary")?,
            address,
            group,
            options,
            log: absolute(env, "log")?,
            workdir: absolute(env, "workdir")?,
            lost_grace: seconds(env, "lost_grace")?,
            meta: CrmMeta::from_env(env),
            state_dir: state_dir(env),
        })
    }

    /// garbd's `--options`: the admin's, plus `pc.wait_prim=no` unless they set pc.wait_prim.
    pub fn provider_options(&self) -> String {
        let own = self.options.trim().trim_end_matches(';');
        if own
            .split(';')
            .any(|o| o.trim().starts_with("pc.wait_prim="))
        {
            own.to_owned()
        } else if own.is_empty() {
            "pc.wait_prim=no".to_owned()
        } else {
            format!("{own};pc.wait_prim=no")
        }
    }

    /// garbd's argv after the binary (no shell: each value is one argument).
    pub fn args(&self) -> Vec<String> {
        vec![
            "--address".into(),
            self.address.clone(),
            "--group".into(),
            self.group.clone(),
            "--options".into(),
            self.provider_options(),
            "--log".into(),
            self.log.display().to_string(),
            "--workdir".into(),
            self.workdir.display().to_string(),
        ]
    }

    /// The agent's state file: garbd's pid and how far the monitor has read the log.
    pub fn state_file(&self) -> PathBuf {
        state_file_in(&self.state_dir, &self.resource)
    }
}

/// `HA_RSCTMP`, as ocf-shellfuncs defaults it.
fn state_dir(env: &BTreeMap<String, String>) -> PathBuf {
    env.get("HA_RSCTMP")
        .filter(|v| v.starts_with('/'))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/run/resource-agents"))
}

fn state_file_in(dir: &std::path::Path, resource: &str) -> PathBuf {
    dir.join(format!("galera-ocf-garbd-{resource}.state"))
}

/// The state file of `resource` without a usable configuration: a stop or monitor whose parameters were
/// broken after garbd started still finds the garbd it must stop or report.
pub fn state_file(env: &BTreeMap<String, String>, resource: &str) -> PathBuf {
    state_file_in(&state_dir(env), resource)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (format!("OCF_RESKEY_{k}"), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_and_argv() {
        let c = GarbdConfig::from_env(
            &env(&[("wsrep_cluster_address", "gcomm://n1,n2,n3")]),
            "garbd".into(),
        )
        .unwrap();
        assert_eq!(
            c.args(),
            [
                "--address",
                "gcomm://n1,n2,n3",
                "--group",
                "my_wsrep_cluster",
                "--options",
                "pc.wait_prim=no",
                "--log",
                "/var/log/garbd.log",
                "--workdir",
                "/var/lib/galera-arbitrator"
            ]
        );
        assert_eq!(c.lost_grace, 30);
        let c = GarbdConfig::from_env(
            &env(&[("wsrep_cluster_address", "gcomm://n1"), ("lost_grace", "0")]),
            "garbd".into(),
        )
        .unwrap();
        assert_eq!(c.lost_grace, 0);
    }

    #[test]
    fn own_wait_prim_is_kept() {
        let mk = |o: &str| {
            GarbdConfig::from_env(
                &env(&[("wsrep_cluster_address", "gcomm://a,b"), ("options", o)]),
                "g".into(),
            )
            .unwrap()
            .provider_options()
        };
        assert_eq!(
            mk("gmcast.listen_addr=tcp://0.0.0.0:4567"),
            "gmcast.listen_addr=tcp://0.0.0.0:4567;pc.wait_prim=no"
        );
        assert_eq!(mk("pc.wait_prim=yes;"), "pc.wait_prim=yes");
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (kv, name) in [
            (vec![], "wsrep_cluster_address"),
            (
                vec![("wsrep_cluster_address", "n1,n2")],
                "wsrep_cluster_address",
            ),
            (
                vec![("wsrep_cluster_address", "gcomm://a"), ("group", "-x")],
                "group",
            ),
            (
                vec![("wsrep_cluster_address", "gcomm://a"), ("group", "a b")],
                "group",
            ),
            (
                vec![("wsrep_cluster_address", "gcomm://a"), ("log", "garbd.log")],
                "log",
            ),
            (
                vec![
                    ("wsrep_cluster_address", "gcomm://a"),
                    ("options", "--daemon"),
                ],
                "options",
            ),
            (
                vec![
                    ("wsrep_cluster_address", "gcomm://a"),
                    ("lost_grace", "15s"),
                ],
                "lost_grace",
            ),
            (
                vec![("wsrep_cluster_address", "gcomm://a"), ("lost_grace", "-1")],
                "lost_grace",
            ),
        ] {
            let e = GarbdConfig::from_env(&env(&kv), "g".into()).unwrap_err();
            assert!(
                matches!(&e, Error::Configured { name: n, .. } if n == name),
                "{kv:?}: {e}"
            );
        }
    }
}
