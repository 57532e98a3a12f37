//! `OCF_RESKEY_*` (an environment map passed in) → a typed [`Config`]. Pure: no syscalls, so it can run
//! before anything else and be tested with plain maps. What needs the machine (does the binary exist, is
//! this node a member) is checked in `actions::validate`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::error::Error;
use crate::ocf::parse_bool;
use crate::ocf::CrmMeta;
use crate::params;

/// A password: never printed, never logged, never on a command line.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "***" })
    }
}

/// The validated parameters of one invocation.
#[derive(Debug, Clone)]
pub struct Config {
    /// Resource instance without the clone suffix (`galera:1` → `galera`): the attribute name prefix.
    pub resource: String,
    pub binary: PathBuf,
    pub config: PathBuf,
    pub datadir: PathBuf,
    pub user: String,
    pub group: String,
    pub log: PathBuf,
    pub pid: PathBuf,
    pub socket: PathBuf,
    pub enable_creation: bool,
    pub additional_parameters: Vec<String>,
    pub wsrep_cluster_address: String,
    pub cluster_host_map: String,
    /// Members of wsrep_cluster_address that run garbd (issue 17); empty: every member holds data.
    pub arbitrators: String,
    pub check_user: String,
    pub check_passwd: Secret,
    pub two_node_mode: bool,
    pub promote_wait_synced: bool,
    /// How far apart fellow joiners of one transition start their mariadbd (`join_stagger_ms`).
    pub join_stagger: std::time::Duration,
    /// (schema, table) read at OCF_CHECK_LEVEL 20.
    pub test_table: (String, String),
    pub check_level: u32,
    pub meta: CrmMeta,
    /// Where the marker/state file lives (`HA_RSCTMP`, default /run/resource-agents).
    pub state_dir: PathBuf,
}

/// Options the agent sets itself; accepting them in additional_parameters would let two values fight.
const RESERVED_OPTIONS: &[&str] = &[
    "--defaults-file",
    "--defaults-extra-file",
    "--no-defaults",
    "--datadir",
    "--user",
    "--pid-file",
    "--socket",
    "--log-error",
    "--wsrep-new-cluster",
    "--wsrep_new_cluster",
    "--wsrep-cluster-address",
    "--wsrep_cluster_address",
    "--wsrep-recover",
    "--wsrep_recover",
    "--wsrep-start-position",
    "--wsrep_start_position",
];

struct Reader<'a> {
    env: &'a BTreeMap<String, String>,
}

impl Reader<'_> {
    /// The value or the table default. An empty value counts as unset, as in the shell agents.
    fn raw(&self, name: &str) -> String {
        let default = params::find(name).map(|p| p.default).unwrap_or("");
        match self.env.get(&format!("OCF_RESKEY_{name}")) {
            Some(v) if !v.is_empty() => v.clone(),
            _ => default.to_owned(),
        }
    }

    fn path(&self, name: &str) -> Result<PathBuf, Error> {
        let v = self.raw(name);
        if !v.starts_with('/') {
            return Err(Error::configured(
                name,
                format!("{v:?} must be an absolute path"),
            ));
        }
        no_control(name, &v)?;
        Ok(PathBuf::from(v))
    }

    fn word(&self, name: &str) -> Result<String, Error> {
        let v = self.raw(name);
        if v.is_empty() {
            return Err(Error::configured(name, "must not be empty"));
        }
        if v.starts_with('-') {
            return Err(Error::configured(
                name,
                format!("{v:?} must not start with '-'"),
            ));
        }
        if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::configured(
                name,
                format!("{v:?} must not contain spaces"),
            ));
        }
        Ok(v)
    }

    /// A whole number of milliseconds, at most `max`.
    fn millis(&self, name: &str, max: u64) -> Result<std::time::Duration, Error> {
        let v = self.raw(name);
        match v.trim().parse::<u64>() {
            Ok(ms) if ms <= max => Ok(std::time::Duration::from_millis(ms)),
            _ => Err(Error::configured(
                name,
                format!("{v:?} is not a whole number of milliseconds from 0 to {max}"),
            )),
        }
    }

    fn boolean(&self, name: &str) -> Result<bool, Error> {
        parse_bool(&self.raw(name)).ok_or_else(|| {
            Error::configured(name, format!("{:?} is not a boolean", self.raw(name)))
        })
    }
}

fn no_control(name: &str, v: &str) -> Result<(), Error> {
    if v.chars().any(char::is_control) {
        return Err(Error::configured(
            name,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// `galera:2` → `galera`; checked because it becomes part of attribute names and argv.
pub fn resource_name(env: &BTreeMap<String, String>) -> Result<String, Error> {
    let raw = env
        .get("OCF_RESOURCE_INSTANCE")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::Args("OCF_RESOURCE_INSTANCE is not set".into()))?;
    let base = raw.split(':').next().unwrap_or(raw);
    let ok = !base.is_empty()
        && !base.starts_with('-')
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(base.to_owned())
    } else {
        Err(Error::Args(format!(
            "OCF_RESOURCE_INSTANCE {raw:?} is not a valid resource name"
        )))
    }
}

/// An option's name as mariadbd reads it: `_` and `-` are the same character, and `--loose-` only turns an
/// unknown option into a warning (`--loose-log_error` is `--log-error`).
fn option_name(key: &str) -> String {
    let bare = key.trim_start_matches("--").replace('_', "-");
    match bare.strip_prefix("loose-") {
        Some(rest) => rest.to_owned(),
        None => bare,
    }
}

fn additional(v: &str) -> Result<Vec<String>, Error> {
    let name = "additional_parameters";
    no_control(name, &v.replace(['\t', '\n'], " "))?;
    v.split_whitespace()
        .map(|w| {
            if !w.starts_with("--") {
                return Err(Error::configured(
                    name,
                    format!("{w:?} is not a --option (no shell is involved: quote nothing)"),
                ));
            }
            let key = w.split('=').next().unwrap_or(w);
            if RESERVED_OPTIONS
                .iter()
                .any(|r| option_name(r) == option_name(key))
            {
                return Err(Error::configured(
                    name,
                    format!("{key} is set by the agent itself"),
                ));
            }
            Ok(w.to_owned())
        })
        .collect()
}

fn table(v: &str) -> Result<(String, String), Error> {
    let ident = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    match v.split_once('.') {
        Some((s, t)) if ident(s) && ident(t) => Ok((s.to_owned(), t.to_owned())),
        _ => Err(Error::configured(
            "test_table",
            format!("{v:?} is not schema.table"),
        )),
    }
}

fn check_level(env: &BTreeMap<String, String>) -> Result<u32, Error> {
    match env.get("OCF_CHECK_LEVEL").map(|s| s.trim()) {
        None | Some("") => Ok(0),
        Some(v) => v
            .parse()
            .map_err(|_| Error::configured("OCF_CHECK_LEVEL", format!("{v:?} is not a number"))),
    }
}

fn required_address(r: &Reader<'_>) -> Result<String, Error> {
    let v = r.raw("wsrep_cluster_address");
    if v.trim().is_empty() {
        return Err(Error::configured(
            "wsrep_cluster_address",
            "is required (gcomm://node1,node2,node3)",
        ));
    }
    no_control("wsrep_cluster_address", &v)?;
    Ok(v)
}

impl Config {
    /// Read and check every parameter that can be checked without the machine.
    /// `resource` falls back to "galera" for meta-data/validate-all run by hand.
    pub fn from_env(env: &BTreeMap<String, String>, resource: String) -> Result<Config, Error> {
        let r = Reader { env };
        let check_user = r.raw("check_user");
        no_control("check_user", &check_user)?;
        Ok(Config {
            resource,
            binary: r.path("binary")?,
            config: r.path("config")?,
            datadir: r.path("datadir")?,
            user: r.word("user")?,
            group: r.word("group")?,
            log: r.path("log")?,
            pid: r.path("pid")?,
            socket: r.path("socket")?,
            enable_creation: r.boolean("enable_creation")?,
            additional_parameters: additional(&r.raw("additional_parameters"))?,
            wsrep_cluster_address: required_address(&r)?,
            cluster_host_map: r.raw("cluster_host_map"),
            arbitrators: r.raw("arbitrators"),
            check_user,
            check_passwd: Secret(r.raw("check_passwd")),
            two_node_mode: r.boolean("two_node_mode")?,
            promote_wait_synced: r.boolean("promote_wait_synced")?,
            join_stagger: r.millis("join_stagger_ms", 60_000)?,
            test_table: table(&r.raw("test_table"))?,
            check_level: check_level(env)?,
            meta: CrmMeta::from_env(env),
            state_dir: env
                .get("HA_RSCTMP")
                .filter(|v| v.starts_with('/'))
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/run/resource-agents")),
        })
    }

    /// `<resource>-report`: this node's published position.
    pub fn report_attr(&self) -> String {
        format!("{}-report", self.resource)
    }

    /// `<resource>-synced`: what this node offers clients while mariadbd runs, for the VIP's location rules
    /// (`decide::monitor::Serving`): 1 Synced and serving, `desynced` a Donor or desynced by an admin, 0
    /// not at all (state transfer, `wsrep_reject_queries`, read_only); absent when mariadbd is stopped.
    pub fn synced_attr(&self) -> String {
        format!("{}-synced", self.resource)
    }

    /// `<resource>-force-bootstrap`: set by `galera-ocf bootstrap --force` on the node to bootstrap.
    pub fn force_attr(&self) -> String {
        format!("{}-force-bootstrap", self.resource)
    }

    /// The marker/state file of this resource instance.
    pub fn state_file(&self) -> PathBuf {
        self.state_dir
            .join(format!("galera-ocf-{}.state", self.resource))
    }

    /// The position the last `--wsrep-recover` found and the datadir's fingerprint after it
    /// (`decide::recovery`): a start after a demote reuses it instead of recovering again.
    pub fn recovered_cache(&self) -> PathBuf {
        self.state_dir
            .join(format!("galera-ocf-{}.recovered", self.resource))
    }

    pub fn grastate_path(&self) -> PathBuf {
        self.datadir.join("grastate.dat")
    }

    pub fn gvwstate_path(&self) -> PathBuf {
        self.datadir.join("gvwstate.dat")
    }
}

/// The monitoring credentials a stock-agent site keeps in `/etc/sysconfig/clustercheck` or
/// `/etc/default/clustercheck` (the clustercheck script's file, which `ocf:heartbeat:galera` also reads):
/// `MYSQL_USERNAME` and `MYSQL_PASSWORD` as shell assignments.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClustercheckCredentials {
    pub user: Option<String>,
    pub password: Option<Secret>,
    /// Assignments this reader will not evaluate (a `$` expansion, a command substitution): named so the
    /// caller can say what was ignored, never guessed at.
    pub unreadable: Vec<String>,
}

impl ClustercheckCredentials {
    /// Reads the plain top-level assignments (`NAME=word`, `NAME="text"`, `NAME='text'`, optionally after
    /// `export `), the last one winning as in a shell. Any other line that mentions one of the two names (an
    /// indented assignment inside an `if`, `declare`, `${NAME:=...}`, an expansion) makes that name
    /// unreadable: listed in `unreadable` and not used at all, since only a shell could say its value.
    pub fn parse(text: &str) -> Self {
        let mut f = ClustercheckCredentials::default();
        for line in text.lines() {
            let trimmed = line.trim_start_matches([' ', '\t']);
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let assignment = line.strip_prefix("export ").unwrap_or(line);
            let parsed = assignment
                .split_once('=')
                .filter(|(name, _)| matches!(*name, "MYSQL_USERNAME" | "MYSQL_PASSWORD"));
            match parsed {
                Some((name, value)) => match shell_word(value) {
                    Some(v) if name == "MYSQL_USERNAME" => f.user = Some(v),
                    Some(v) => f.password = Some(Secret(v)),
                    None => f.mark_unreadable(name),
                },
                None => {
                    for name in ["MYSQL_USERNAME", "MYSQL_PASSWORD"] {
                        if line.contains(name) {
                            f.mark_unreadable(name);
                        }
                    }
                }
            }
        }
        // Once unreadable, a name stays unused even if a plain assignment follows: the shell's value
        // may depend on what came before.
        for name in f.unreadable.clone() {
            f.mark_unreadable(&name);
        }
        f
    }

    fn mark_unreadable(&mut self, name: &str) {
        match name {
            "MYSQL_USERNAME" => self.user = None,
            _ => self.password = None,
        }
        if !self.unreadable.iter().any(|n| n == name) {
            self.unreadable.push(name.to_owned());
        }
    }
}

/// One shell word without expansions: `'...'` verbatim, `"..."` or bare without `$`, `` ` `` or `\`;
/// a trailing comment after a blank is dropped. `None` where only a shell could say what it means.
fn shell_word(v: &str) -> Option<String> {
    if let Some(rest) = v.strip_prefix('\'') {
        let (inner, after) = rest.split_once('\'')?;
        return comment_or_nothing(after).then(|| inner.to_owned());
    }
    if let Some(rest) = v.strip_prefix('"') {
        let (inner, after) = rest.split_once('"')?;
        let plain = !inner.contains(['$', '`', '\\']);
        return (plain && comment_or_nothing(after)).then(|| inner.to_owned());
    }
    let (word, after) = match v.find([' ', '\t']) {
        Some(i) => v.split_at(i),
        None => (v, ""),
    };
    let special = [
        '$', '`', '\\', '\'', '"', ';', '&', '|', '(', ')', '<', '>', '~', '\r',
    ];
    (comment_or_nothing(after) && !word.contains(special)).then(|| word.to_owned())
}

/// What may follow a word: nothing, or blanks and then nothing or a comment. (`'pw'#x` is the word
/// `pw#x` to a shell: a `#` starts a comment only after a blank.)
fn comment_or_nothing(after: &str) -> bool {
    let rest = after.trim_start_matches([' ', '\t']);
    rest.is_empty() || (rest.len() < after.len() && rest.starts_with('#'))
}

/// Whether [`with_clustercheck`] could take anything from a clustercheck file for `env`: not when the
/// resource sets `check_user` and either sets `check_passwd` or asks for an empty one. The caller then
/// skips opening the file (a monitor every few seconds need not stat two paths for nothing).
pub fn clustercheck_may_apply(env: &BTreeMap<String, String>) -> bool {
    let set = |k: &str| env.get(k).is_some_and(|v| !v.is_empty());
    let use_empty = env
        .get("OCF_RESKEY_check_passwd_use_empty")
        .is_some_and(|v| parse_bool(v) == Some(true));
    !(set("OCF_RESKEY_check_user") && (set("OCF_RESKEY_check_passwd") || use_empty))
}

/// The stock agent's fallback: `check_user` and `check_passwd` that the resource leaves unset (or empty)
/// come from the clustercheck file. Returns the environment to read the configuration from, and which
/// parameters were taken from the file (for the log).
///
/// The file's password belongs to the file's user: it is taken only when the check user is that user
/// (taken from the file, or set to the same name), or when the file names no user (the stock agent then
/// pairs it with the default root). It is never taken when `check_passwd_use_empty` asks for an empty
/// password.
pub fn with_clustercheck(
    env: &BTreeMap<String, String>,
    file: &ClustercheckCredentials,
) -> (BTreeMap<String, String>, Vec<&'static str>) {
    let mut env = env.clone();
    let mut taken = Vec::new();
    let unset = |env: &BTreeMap<String, String>, k: &str| env.get(k).is_none_or(|v| v.is_empty());
    if let Some(user) = &file.user {
        if unset(&env, "OCF_RESKEY_check_user") {
            env.insert("OCF_RESKEY_check_user".into(), user.clone());
            taken.push("check_user");
        }
    }
    let user_matches = match &file.user {
        None => true,
        Some(u) => env.get("OCF_RESKEY_check_user") == Some(u),
    };
    let use_empty = env
        .get("OCF_RESKEY_check_passwd_use_empty")
        .is_some_and(|v| parse_bool(v) == Some(true));
    if let Some(password) = &file.password {
        if unset(&env, "OCF_RESKEY_check_passwd") && user_matches && !use_empty {
            env.insert(
                "OCF_RESKEY_check_passwd".into(),
                password.expose().to_owned(),
            );
            taken.push("check_passwd");
        }
    }
    (env, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (format!("OCF_RESKEY_{k}"), v.to_string()))
            .collect();
        m.entry("OCF_RESKEY_wsrep_cluster_address".into())
            .or_insert_with(|| "gcomm://a,b,c".into());
        m
    }

    fn err(pairs: &[(&str, &str)]) -> Error {
        Config::from_env(&env(pairs), "galera".into()).unwrap_err()
    }

    #[test]
    fn clustercheck_file_plain_assignments_only() {
        let f = ClustercheckCredentials::parse(
            "# written by the clustercheck package\nMYSQL_USERNAME=\"clustercheckuser\"\n\
             export MYSQL_PASSWORD='s3cr3t!#x' # set by hand\nMYSQL_HOST=localhost\nMYSQL_PORT=3306\n",
        );
        assert_eq!(f.user.as_deref(), Some("clustercheckuser"));
        assert_eq!(f.password.as_ref().map(Secret::expose), Some("s3cr3t!#x"));
        assert!(f.unreadable.is_empty());
        let f = ClustercheckCredentials::parse(
            "MYSQL_USERNAME=check\nMYSQL_PASSWORD=\"$(cat /root/pw)\"\n",
        );
        assert_eq!(f.user.as_deref(), Some("check"));
        assert_eq!(f.password, None);
        assert_eq!(f.unreadable, ["MYSQL_PASSWORD"]);
        for bad in [
            "$PW", "`cat x`", "a;b", "'open", "\"open", "a b", "\"x\"y", "'pw'#x", "a>b", "~x",
            "a\r",
        ] {
            let f = ClustercheckCredentials::parse(&format!("MYSQL_PASSWORD={bad}"));
            assert_eq!(f.password, None, "{bad}");
            assert_eq!(f.unreadable, ["MYSQL_PASSWORD"], "{bad}");
        }
        let password = |text: &str| {
            ClustercheckCredentials::parse(text)
                .password
                .map(|p| p.expose().to_owned())
        };
        assert_eq!(password("MYSQL_PASSWORD="), Some(String::new()));
        assert_eq!(
            password("MYSQL_PASSWORD=pw#x # comment"),
            Some("pw#x".into())
        );
        // The last plain assignment wins; a conditional or evaluated one makes the name unusable, also
        // when a plain one follows it.
        let f = ClustercheckCredentials::parse("MYSQL_USERNAME=a\nMYSQL_USERNAME=b\n");
        assert_eq!(f.user.as_deref(), Some("b"));
        for text in [
            "MYSQL_PASSWORD=old\nMYSQL_PASSWORD=\"$(cat f)\"\n",
            "MYSQL_PASSWORD=old\nif [ -e x ]; then\n  MYSQL_PASSWORD=new\nfi\n",
            "declare MYSQL_PASSWORD=x\n",
            ": ${MYSQL_PASSWORD:=x}\nMYSQL_PASSWORD=later\n",
            "export\tMYSQL_PASSWORD=x\n",
        ] {
            let f = ClustercheckCredentials::parse(text);
            assert_eq!(f.password, None, "{text:?}");
            assert_eq!(f.unreadable, ["MYSQL_PASSWORD"], "{text:?}");
        }
    }

    /// When `clustercheck_may_apply` says no, `with_clustercheck` takes nothing from any file: skipping
    /// the file never changes the configuration.
    #[test]
    fn clustercheck_file_is_skipped_only_when_it_could_not_apply() {
        let file = ClustercheckCredentials::parse("MYSQL_USERNAME=cc\nMYSQL_PASSWORD=s3cret\n");
        let no_user = ClustercheckCredentials::parse("MYSQL_PASSWORD=s3cret\n");
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&[("check_user", "mon")], true),
            (&[("check_passwd", "pw")], true),
            (&[("check_user", "mon"), ("check_passwd", "")], true),
            (&[("check_user", ""), ("check_passwd", "pw")], true),
            (&[("check_user", "mon"), ("check_passwd", "pw")], false),
            (&[("check_user", "cc"), ("check_passwd", "pw")], false),
            (
                &[("check_user", "mon"), ("check_passwd_use_empty", "true")],
                false,
            ),
            (
                &[("check_user", "mon"), ("check_passwd_use_empty", "false")],
                true,
            ),
        ];
        for (pairs, may) in cases {
            let e = env(pairs);
            assert_eq!(clustercheck_may_apply(&e), *may, "{pairs:?}");
            if !may {
                for f in [&file, &no_user] {
                    assert!(with_clustercheck(&e, f).1.is_empty(), "{pairs:?}");
                }
            }
        }
    }

    #[test]
    fn clustercheck_fills_only_unset_credentials() {
        let file = ClustercheckCredentials::parse("MYSQL_USERNAME=cc\nMYSQL_PASSWORD=pw\n");
        let creds = |e: &BTreeMap<String, String>| {
            let c = Config::from_env(e, "g".into()).unwrap();
            (c.check_user, c.check_passwd.expose().to_owned())
        };
        let (e, taken) = with_clustercheck(&env(&[]), &file);
        assert_eq!(taken, ["check_user", "check_passwd"]);
        assert_eq!(creds(&e), ("cc".into(), "pw".into()));
        // What the resource sets wins, as in the stock agent; an empty value counts as unset. The file's
        // password is never sent for another user.
        let (e, taken) =
            with_clustercheck(&env(&[("check_user", "mon"), ("check_passwd", "")]), &file);
        assert!(taken.is_empty());
        assert_eq!(creds(&e), ("mon".into(), String::new()));
        let (e, taken) = with_clustercheck(&env(&[("check_user", "cc")]), &file);
        assert_eq!(taken, ["check_passwd"]);
        assert_eq!(creds(&e), ("cc".into(), "pw".into()));
        // A file with a password only: the stock agent pairs it with the default root.
        let only_pw = ClustercheckCredentials::parse("MYSQL_PASSWORD=pw\n");
        let (e, taken) = with_clustercheck(&env(&[]), &only_pw);
        assert_eq!(taken, ["check_passwd"]);
        assert_eq!(creds(&e), ("root".into(), "pw".into()));
        // check_passwd_use_empty asks for no password: the file does not override that.
        let (e, taken) = with_clustercheck(&env(&[("check_passwd_use_empty", "true")]), &file);
        assert_eq!(taken, ["check_user"]);
        assert_eq!(creds(&e), ("cc".into(), String::new()));
        let (e, taken) = with_clustercheck(&env(&[]), &ClustercheckCredentials::default());
        assert!(taken.is_empty());
        assert_eq!(e, env(&[]));
    }

    #[test]
    fn join_stagger_is_whole_milliseconds_up_to_a_minute() {
        let stagger = |v: &str| {
            Config::from_env(&env(&[("join_stagger_ms", v)]), "galera".into())
                .map(|c| c.join_stagger)
        };
        assert_eq!(stagger("0").unwrap(), std::time::Duration::ZERO);
        assert_eq!(
            stagger(" 250 ").unwrap(),
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            stagger("60000").unwrap(),
            std::time::Duration::from_secs(60)
        );
        for bad in ["60001", "-1", "1.5", "1500ms", "x"] {
            assert!(stagger(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn defaults_match_the_table() {
        let c = Config::from_env(&env(&[]), "galera".into()).unwrap();
        assert_eq!(c.binary, PathBuf::from("/usr/sbin/mariadbd"));
        assert_eq!(c.datadir, PathBuf::from("/var/lib/mysql"));
        assert_eq!(c.user, "mysql");
        assert_eq!(c.check_user, "root");
        assert!(c.promote_wait_synced);
        assert_eq!(c.join_stagger, std::time::Duration::from_millis(1500));
        assert_eq!(c.test_table, ("mysql".into(), "gtid_slave_pos".into()));
        assert_eq!(
            c.state_file(),
            PathBuf::from("/run/resource-agents/galera-ocf-galera.state")
        );
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("datadir", "var/lib/mysql")], "datadir"),
            (&[("binary", "-x")], "binary"),
            (&[("user", "-mysql")], "user"),
            (&[("group", "my sql")], "group"),
            (&[("two_node_mode", "maybe")], "two_node_mode"),
            (&[("wsrep_cluster_address", " ")], "wsrep_cluster_address"),
            (
                &[("additional_parameters", "--x=1 rm")],
                "additional_parameters",
            ),
            (
                &[("additional_parameters", "--datadir=/tmp")],
                "additional_parameters",
            ),
            (&[("test_table", "mysql.user; drop")], "test_table"),
            (&[("log", "/var/log/x\ny")], "log"),
        ];
        for (pairs, name) in cases {
            let e = err(pairs);
            assert_eq!(e.ocf_status().code(), 6, "{pairs:?}");
            assert!(e.to_string().contains(name), "{e}");
        }
    }

    #[test]
    fn check_level_must_be_numeric() {
        let mut e = env(&[]);
        e.insert("OCF_CHECK_LEVEL".into(), "ten".into());
        let err = Config::from_env(&e, "g".into()).unwrap_err();
        assert!(err.to_string().contains("OCF_CHECK_LEVEL"));
    }

    #[test]
    fn resource_names() {
        let m = |v: &str| BTreeMap::from([("OCF_RESOURCE_INSTANCE".to_string(), v.to_string())]);
        assert_eq!(resource_name(&m("galera:1")).unwrap(), "galera");
        assert_eq!(resource_name(&m("db")).unwrap(), "db");
        assert!(resource_name(&m("-x")).is_err());
        assert!(resource_name(&m("a b")).is_err());
        assert_eq!(
            resource_name(&BTreeMap::new())
                .unwrap_err()
                .ocf_status()
                .code(),
            2
        );
    }

    #[test]
    fn password_is_not_printed() {
        let c = Config::from_env(&env(&[("check_passwd", "hunter2")]), "g".into()).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.check_passwd.expose(), "hunter2");
    }

    #[test]
    fn additional_parameters_split_into_words() {
        let c = Config::from_env(
            &env(&[(
                "additional_parameters",
                "--skip-external-locking  --wsrep_slave_threads=4",
            )]),
            "g".into(),
        )
        .unwrap();
        assert_eq!(c.additional_parameters.len(), 2);
    }

    /// Every spelling mariadbd reads as a reserved option is refused: the re-forming evidence is read from
    /// the log the agent names (`--log-error`), and a second log would hide it.
    #[test]
    fn reserved_options_are_refused_in_every_spelling() {
        for w in [
            "--log-error=/tmp/x",
            "--log_error=/tmp/x",
            "--loose-log-error=/tmp/x",
            "--loose-log_error=/tmp/x",
            "--wsrep-new-cluster",
            "--loose-wsrep_new_cluster",
            "--datadir=/srv",
        ] {
            let e = Config::from_env(&env(&[("additional_parameters", w)]), "g".into());
            assert!(e.is_err(), "{w} accepted");
        }
    }
}
