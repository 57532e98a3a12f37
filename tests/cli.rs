//! Tier 1: the built binary, no services. meta-data golden + DTD, unknown action, the validate-all
//! bad-input matrix (each case: the right code, exactly one exit-reason line naming the parameter, nothing in
//! the data directory changed), monitor/stop with nothing running.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use support::{current_user, require, run_ok, snapshot, Agent, TempDir};

const GRASTATE: &str = "# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10\nseqno:   42\nsafe_to_bootstrap: 0\n";

/// A valid setup on this machine: temp datadir owned by the current user, a config naming the real
/// Galera library, this node = node1.
struct Setup {
    dir: TempDir,
}

impl Setup {
    fn new() -> Setup {
        let dir = TempDir::new("cli");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::create_dir_all(dir.join("run")).unwrap();
        std::fs::write(dir.join("data/grastate.dat"), GRASTATE).unwrap();
        std::fs::write(
            dir.join("my.cnf"),
            "[galera]\nwsrep_on=ON\nwsrep_provider=/usr/lib/galera/libgalera_smm.so\n",
        )
        .unwrap();
        Setup { dir }
    }

    fn agent(&self) -> Agent {
        let (user, group) = current_user();
        Agent::new()
            .set("OCF_ROOT", "/usr/lib/ocf")
            .set("OCF_RESOURCE_INSTANCE", "galera:0")
            .set("HA_RSCTMP", self.dir.join("run").display().to_string())
            .set("OCF_RESKEY_CRM_meta_on_node", "node1")
            .param("wsrep_cluster_address", "gcomm://node1,node2,node3")
            .param("config", self.dir.join("my.cnf").display().to_string())
            .param("datadir", self.dir.join("data").display().to_string())
            .param("user", user)
            .param("group", group)
            .param("pid", self.dir.join("run/mysqld.pid").display().to_string())
            .param(
                "socket",
                self.dir.join("run/mysqld.sock").display().to_string(),
            )
            .param("log", self.dir.join("run/error.log").display().to_string())
    }

    fn datadir(&self) -> std::path::PathBuf {
        self.dir.join("data")
    }
}

fn repo_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn meta_data_equals_the_golden_file() {
    let out = Agent::new().run("meta-data");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let golden = std::fs::read_to_string(repo_file("ocf-metadata/galera.xml")).unwrap();
    assert_eq!(
        out.stdout, golden,
        "meta-data changed: regenerate with `galera-ocf meta-data > ocf-metadata/galera.xml`"
    );
}

/// Validated the way ocf-tester does (`xmllint --valid` on stdin, from the DTD's directory): the document's
/// internal subset declares what OCF 1.1 added and ra-api-1.dtd (resource-agents 4.12) lacks.
#[test]
fn golden_meta_data_is_valid_against_the_ocf_dtd() {
    let dir = "/usr/share/resource-agents";
    require(&[&format!("{dir}/ra-api-1.dtd"), "/usr/bin/xmllint"]);
    let golden = std::fs::File::open(repo_file("ocf-metadata/galera.xml")).unwrap();
    run_ok(
        Command::new("xmllint")
            .args(["--noout", "--valid", "-"])
            .current_dir(dir)
            .stdin(golden),
        "xmllint",
    );
}

/// Without the internal subset the OCF 1.1 additions are exactly what the plain DTD refuses: the subset
/// is needed, and it hides nothing else.
#[test]
fn golden_meta_data_differs_from_the_plain_dtd_only_by_ocf_1_1_additions() {
    let dtd = "/usr/share/resource-agents/ra-api-1.dtd";
    require(&[dtd, "/usr/bin/xmllint"]);
    let out = Command::new("xmllint")
        .args(["--noout", "--dtdvalid", dtd])
        .arg(repo_file("ocf-metadata/galera.xml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in stderr.lines().filter(|l| l.contains("validity error")) {
        assert!(
            line.contains("attribute reloadable") || line.contains("\"reload-agent\""),
            "{line}"
        );
    }
}

#[test]
fn meta_data_works_as_the_ocf_path_without_any_environment() {
    let mut a = Agent::new();
    a.argv0 = "/usr/lib/ocf/resource.d/galera-ocf/galera".into();
    let out = a.run("meta-data");
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("<?xml"));
}

#[test]
fn unknown_action_is_unimplemented() {
    for argv0 in ["galera-ocf", "/usr/lib/ocf/resource.d/galera-ocf/galera"] {
        let mut a = Agent::new();
        a.argv0 = argv0.into();
        let out = a.run("frobnicate");
        assert_eq!(out.code, 3, "{}", out.stderr);
        assert!(out.one_reason().contains("frobnicate"));
    }
}

#[test]
fn help_and_version_exit_0() {
    for argv0 in ["galera-ocf", "/usr/lib/ocf/resource.d/galera-ocf/galera"] {
        for flag in ["--help", "-h", "--version", "-V"] {
            let mut a = Agent::new();
            a.argv0 = argv0.into();
            let out = a.run(flag);
            assert_eq!(out.code, 0, "{argv0} {flag}: {}", out.stderr);
            assert!(out.reasons().is_empty(), "{argv0} {flag}: {}", out.stderr);
            let want = if flag.contains('h') {
                "validate-all"
            } else {
                env!("CARGO_PKG_VERSION")
            };
            assert!(out.stdout.contains(want), "{argv0} {flag}: {}", out.stdout);
        }
    }
    assert_eq!(Agent::new().run("usage").code, 0);
}

/// Under the agent's name the help offers the OCF actions only, and an admin command is refused (exit 3, as
/// any word that is no OCF action) with a message pointing to `galera-ocf`; under `galera-ocf` both work.
#[test]
fn agent_name_offers_only_ocf_actions() {
    let mut a = Agent::new();
    a.argv0 = "/usr/lib/ocf/resource.d/galera-ocf/galera".into();
    let help = a.run("--help");
    assert!(!help.stdout.contains("Commands:"), "{}", help.stdout);
    assert!(help.stdout.contains("promote"), "{}", help.stdout);
    for word in ["bootstrap", "man"] {
        let out = a.run(word);
        assert_eq!(out.code, 3, "{word}: {}", out.stderr);
        assert!(
            out.stderr.contains(&format!("run `galera-ocf {word}")),
            "{word}: {}",
            out.stderr
        );
    }
    let tool = Agent::new().run("--help");
    assert!(tool.stdout.contains("bootstrap"), "{}", tool.stdout);
    assert_eq!(Agent::new().run("man").code, 0);
}

/// Every option of the admin commands says what it does in `--help`.
#[test]
fn admin_options_all_have_descriptions() {
    for cmd in ["status", "bootstrap"] {
        let out = Agent::new().run_args(&[cmd, "--help"]);
        assert_eq!(out.code, 0, "{cmd}: {}", out.stderr);
        for line in out.stdout.lines() {
            let t = line.trim_start();
            if t.starts_with("--") || t.starts_with("-h") || t.starts_with('<') {
                let described = t.split("  ").filter(|w| !w.trim().is_empty()).count() >= 2;
                assert!(described, "{cmd}: an option without a description: {line}");
            }
        }
    }
}

#[test]
fn validate_all_accepts_a_valid_setup() {
    let s = Setup::new();
    let out = s.agent().run("validate-all");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.reasons().is_empty());
}

/// Issue 17: two data nodes and garbd on the third member of the address.
#[test]
fn validate_all_accepts_an_arbitrator() {
    let s = Setup::new();
    for arb in ["node3", "node3:4567", " node3 "] {
        let out = s
            .agent()
            .param("wsrep_cluster_address", "gcomm://node1,node2,node3:4567")
            .param("arbitrators", arb)
            .run("validate-all");
        assert_eq!(out.code, 0, "{arb}: {}", out.stderr);
    }
}

#[test]
fn validate_all_accepts_ports_ipv6_map_and_huge_timeouts() {
    let s = Setup::new();
    let out = s
        .agent()
        .param(
            "wsrep_cluster_address",
            "gcomm://g1:4567,[fd00::2]:4567,g3?pc.wait_prim=no",
        )
        .param("cluster_host_map", "node1:g1;node2:[fd00::2];node3:g3")
        .set("OCF_RESKEY_CRM_meta_timeout", "99999999999999999999")
        .run("validate-all");
    assert_eq!(out.code, 0, "{}", out.stderr);
}

type Tweak = fn(Agent, &Setup) -> Agent;

/// (name, tweak, expected code, word the reason must contain)
fn matrix() -> Vec<(&'static str, Tweak, i32, &'static str)> {
    vec![
        (
            "address missing",
            |a, _| a.unset("OCF_RESKEY_wsrep_cluster_address"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address not gcomm",
            |a, _| a.param("wsrep_cluster_address", "node1,node2"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address empty list",
            |a, _| a.param("wsrep_cluster_address", "gcomm://"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address empty entry",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node1,,node2"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address spaces",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node1, node2"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address duplicate",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node1,node2,node1:4567"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address port range",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node1:99999"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address port text",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node1:abc"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address ipv6 unterminated",
            |a, _| a.param("wsrep_cluster_address", "gcomm://[fd00::1,node1"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "address option-like host",
            |a, _| a.param("wsrep_cluster_address", "gcomm://-node1"),
            6,
            "wsrep_cluster_address",
        ),
        (
            "node not in address",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node2,node3"),
            2,
            "wsrep_cluster_address",
        ),
        (
            "node only a substring",
            |a, _| a.param("wsrep_cluster_address", "gcomm://node10,node2"),
            2,
            "wsrep_cluster_address",
        ),
        (
            "map garbage",
            |a, _| a.param("cluster_host_map", "node1=g1"),
            6,
            "cluster_host_map",
        ),
        (
            "map host not in address",
            |a, _| a.param("cluster_host_map", "node1:g9"),
            6,
            "cluster_host_map",
        ),
        (
            "map duplicate",
            |a, _| a.param("cluster_host_map", "node1:a;node1:b"),
            6,
            "cluster_host_map",
        ),
        (
            "arbitrator not in address",
            |a, _| a.param("arbitrators", "node9"),
            6,
            "arbitrators",
        ),
        (
            "arbitrators only",
            |a, _| {
                a.param("wsrep_cluster_address", "gcomm://node1,node2")
                    .param("arbitrators", "node2,node1")
            },
            6,
            "arbitrators",
        ),
        (
            "two_node_mode beside an arbitrator",
            |a, _| {
                a.param("wsrep_cluster_address", "gcomm://node1,node2,node3")
                    .param("arbitrators", "node3")
                    .param("two_node_mode", "true")
            },
            6,
            "two_node_mode",
        ),
        (
            "this node is an arbitrator",
            |a, _| a.param("arbitrators", "node1"),
            2,
            "arbitrators",
        ),
        (
            "binary missing",
            |a, _| a.param("binary", "/nonexistent/mariadbd"),
            5,
            "binary",
        ),
        (
            "binary not executable",
            |a, s| a.param("binary", s.dir.join("my.cnf").display().to_string()),
            5,
            "binary",
        ),
        (
            "binary relative",
            |a, _| a.param("binary", "mariadbd"),
            6,
            "binary",
        ),
        (
            "binary option-like",
            |a, _| a.param("binary", "-x"),
            6,
            "binary",
        ),
        (
            "binary is mysqld_safe",
            |a, _| a.param("binary", "/usr/bin/mysqld_safe"),
            6,
            "binary",
        ),
        (
            "config missing",
            |a, _| a.param("config", "/nonexistent/my.cnf"),
            5,
            "config",
        ),
        (
            "provider missing",
            |a, s| {
                std::fs::write(
                    s.dir.join("bad.cnf"),
                    "[mysqld]\nwsrep_provider=/nonexistent/libgalera.so\n",
                )
                .unwrap();
                a.param("config", s.dir.join("bad.cnf").display().to_string())
            },
            5,
            "wsrep_provider",
        ),
        (
            "no provider",
            |a, s| {
                std::fs::write(s.dir.join("none.cnf"), "[mysqld]\nwsrep_on=ON\n").unwrap();
                a.param("config", s.dir.join("none.cnf").display().to_string())
            },
            6,
            "wsrep_provider",
        ),
        (
            "datadir missing",
            |a, s| a.param("datadir", s.dir.join("nope").display().to_string()),
            5,
            "datadir",
        ),
        (
            "datadir is a file",
            |a, s| a.param("datadir", s.dir.join("my.cnf").display().to_string()),
            5,
            "datadir",
        ),
        (
            "datadir relative",
            |a, _| a.param("datadir", "var/lib/mysql"),
            6,
            "datadir",
        ),
        (
            "datadir wrong owner",
            |a, _| a.param("user", "nobody"),
            2,
            "datadir",
        ),
        (
            "user missing",
            |a, _| a.param("user", "no-such-user-x"),
            5,
            "user",
        ),
        (
            "group missing",
            |a, _| a.param("group", "no-such-group-x"),
            5,
            "group",
        ),
        (
            "user option-like",
            |a, _| a.param("user", "-root"),
            6,
            "user",
        ),
        (
            "group with space",
            |a, _| a.param("group", "my sql"),
            6,
            "group",
        ),
        (
            "boolean garbage",
            |a, _| a.param("two_node_mode", "maybe"),
            6,
            "two_node_mode",
        ),
        (
            "enable_creation number",
            |a, _| a.param("enable_creation", "2"),
            6,
            "enable_creation",
        ),
        (
            "check level text",
            |a, _| a.set("OCF_CHECK_LEVEL", "ten"),
            6,
            "OCF_CHECK_LEVEL",
        ),
        (
            "timeout text",
            |a, _| a.set("OCF_RESKEY_CRM_meta_timeout", "20s"),
            6,
            "CRM_meta_timeout",
        ),
        (
            "timeout zero",
            |a, _| a.set("OCF_RESKEY_CRM_meta_timeout", "0"),
            6,
            "CRM_meta_timeout",
        ),
        (
            "not promotable",
            |a, _| a.set("OCF_RESKEY_CRM_meta_promotable", "false"),
            6,
            "promotable",
        ),
        (
            "additional word",
            |a, _| a.param("additional_parameters", "--skip-external-locking rm"),
            6,
            "additional_parameters",
        ),
        (
            "additional reserved",
            |a, _| a.param("additional_parameters", "--datadir=/tmp"),
            6,
            "additional_parameters",
        ),
        (
            "additional new cluster",
            |a, _| a.param("additional_parameters", "--wsrep-new-cluster"),
            6,
            "additional_parameters",
        ),
        (
            "test_table injection",
            |a, _| a.param("test_table", "mysql.user;DROP"),
            6,
            "test_table",
        ),
        (
            "log control char",
            |a, _| a.param("log", "/tmp/x\nINFO: fake"),
            6,
            "log",
        ),
        (
            "socket relative",
            |a, _| a.param("socket", "mysqld.sock"),
            6,
            "socket",
        ),
    ]
}

#[test]
fn validate_all_bad_input_matrix() {
    let cases = matrix();
    assert!(cases.len() >= 30);
    for (name, tweak, code, word) in cases {
        let s = Setup::new();
        let before = snapshot(&s.datadir());
        let out = tweak(s.agent(), &s).run("validate-all");
        assert_eq!(out.code, code, "{name}: {}", out.stderr);
        let reason = out.one_reason();
        assert!(
            reason.contains(word),
            "{name}: reason {reason:?} does not name {word}"
        );
        assert_eq!(
            snapshot(&s.datadir()),
            before,
            "{name}: the data directory changed"
        );
    }
}

/// Setup's my.cnf plus `!includedir conf.d` holding `60-extra.cnf` = `extra`; returns the config path.
fn with_included(s: &Setup, extra: &str) -> String {
    let conf_d = s.dir.join("conf.d");
    std::fs::create_dir_all(&conf_d).unwrap();
    std::fs::write(conf_d.join("60-extra.cnf"), extra).unwrap();
    let base = std::fs::read_to_string(s.dir.join("my.cnf")).unwrap();
    let path = s.dir.join("included.cnf");
    std::fs::write(&path, format!("{base}!includedir {}\n", conf_d.display())).unwrap();
    path.display().to_string()
}

/// Issue 5: the node's option file contradicts a parameter → 6 and one reason naming the parameter, the
/// file:line and the option; nothing in the data directory or the option files changes.
#[test]
fn validate_all_reports_option_file_contradictions() {
    let cases = [
        (
            "[mysqld]\ndatadir=/srv/other\n",
            "datadir",
            "datadir = /srv/other",
        ),
        (
            "[mariadbd]\nsocket=/tmp/other.sock\n",
            "socket",
            "socket = /tmp/other.sock",
        ),
        (
            "[galera]\npid-file=/tmp/other.pid\n",
            "pid",
            "pid-file = /tmp/other.pid",
        ),
        ("[galera]\nwsrep_on=OFF\n", "config", "wsrep_on = OFF"),
        (
            "[mysqld]\nwsrep_provider=none\n",
            "config",
            "wsrep_provider = none",
        ),
        (
            "[mysqld]\nbinlog_format=STATEMENT\n",
            "config",
            "binlog_format = STATEMENT",
        ),
    ];
    for (extra, param, option) in cases {
        let s = Setup::new();
        let config = with_included(&s, extra);
        let before = (snapshot(&s.datadir()), snapshot(&s.dir.join("conf.d")));
        let out = s.agent().param("config", &config).run("validate-all");
        assert_eq!(out.code, 6, "{extra}: {}", out.stderr);
        let reason = out.one_reason();
        for word in [
            format!("parameter {param}:"),
            "60-extra.cnf:2".into(),
            option.into(),
        ] {
            assert!(reason.contains(&word), "{extra}: {reason:?} lacks {word:?}");
        }
        let after = (snapshot(&s.datadir()), snapshot(&s.dir.join("conf.d")));
        assert_eq!(after, before, "{extra}: files changed");
    }
}

/// Issue 15: what counts is what mariadbd itself reads (`--print-defaults`): a group of another server
/// version is ignored as mariadbd ignores it, and an option file mariadbd refuses (a missing
/// `!includedir`) fails validate-all with mariadbd's own reason, as the server's start would abort.
#[test]
fn the_option_file_is_read_as_mariadbd_reads_it() {
    let s = Setup::new();
    let config = with_included(&s, "[mariadb-10.6]\nwsrep_on=OFF\n");
    let out = s.agent().param("config", &config).run("validate-all");
    assert_eq!(
        out.code, 0,
        "a [mariadb-10.6] group counted: {}",
        out.stderr
    );

    let s = Setup::new();
    let base = std::fs::read_to_string(s.dir.join("my.cnf")).unwrap();
    let broken = s.dir.join("broken.cnf");
    std::fs::write(
        &broken,
        format!("{base}!includedir {}\n", s.dir.join("nowhere").display()),
    )
    .unwrap();
    let out = s
        .agent()
        .param("config", broken.display().to_string())
        .run("validate-all");
    assert_eq!(out.code, 6, "{}", out.stderr);
    let reason = out.one_reason();
    assert!(
        reason.contains("cannot read") && reason.contains("nowhere"),
        "{reason}"
    );
}

/// A `binary` whose `--print-defaults` prints no option list (another program, or a wrapper printing
/// something else) is not read as an option file without options (which validate-all would blame on
/// my.cnf: "sets no wsrep_provider"): ERR_INSTALLED naming the binary and what it printed.
#[test]
fn print_defaults_output_that_is_not_the_servers_names_the_binary() {
    for (name, body, printed) in [
        ("silent", "exit 0\n", "\"\""),
        (
            "chatty",
            "echo 'Usage: chatty [OPTIONS]'\n",
            "Usage: chatty",
        ),
    ] {
        let s = Setup::new();
        let bin = s.dir.join(name);
        std::fs::write(&bin, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = s
            .agent()
            .param("binary", bin.display().to_string())
            .run("validate-all");
        assert_eq!(out.code, 5, "{name}: {}", out.stderr);
        let reason = out.one_reason();
        for word in ["parameter binary:", &bin.display().to_string(), printed] {
            assert!(reason.contains(word), "{name}: {reason:?} lacks {word:?}");
        }
    }
}

#[test]
fn option_file_contradiction_fails_start_on_this_node_only() {
    let s = Setup::new();
    let config = with_included(&s, "[galera]\nwsrep_on=OFF\n");
    let out = s
        .agent()
        .param("config", &config)
        .set("CIB_file", s.dir.join("no-cib.xml").display().to_string())
        .run("start");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.one_reason().contains("wsrep_on = OFF"));
}

#[test]
fn option_file_cluster_address_differences_only_warn() {
    let s = Setup::new();
    let config = with_included(&s, "[galera]\nwsrep_cluster_address=gcomm://node1,node2\n");
    let out = s.agent().param("config", &config).run("validate-all");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.reasons().is_empty());
    let warning = out
        .stderr
        .lines()
        .find(|l| l.contains("WARNING"))
        .unwrap_or_default();
    for word in [
        "wsrep_cluster_address",
        "60-extra.cnf:2",
        "gcomm://node1,node2,node3",
    ] {
        assert!(warning.contains(word), "{:?} lacks {word}", out.stderr);
    }
}

#[test]
fn unreadable_binary_path_is_not_installed() {
    let s = Setup::new();
    let bin = s.dir.join("mariadbd");
    std::fs::write(&bin, "").unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = s
        .agent()
        .param("binary", bin.display().to_string())
        .run("validate-all");
    assert_eq!(out.code, 5);
    assert!(out.one_reason().contains("binary"));
}

/// A datadir its user cannot list. Root reads anything, so the agent runs as `nobody` here (setpriv), on a
/// datadir owned by `nobody` with mode 000: the owner matches, the listing fails.
#[test]
fn unreadable_datadir_is_named_and_left_alone() {
    require(&["/usr/bin/setpriv"]);
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: needs root to hand the datadir to nobody");
        return;
    }
    let s = Setup::new();
    let data = s.datadir();
    let nobody = nix::unistd::User::from_name("nobody").unwrap().unwrap();
    let nogroup = nix::unistd::Group::from_gid(nobody.gid).unwrap().unwrap();
    nix::unistd::chown(&data, Some(nobody.uid), Some(nobody.gid)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o000)).unwrap();
    let before = snapshot(&data);
    let agent = s
        .agent()
        .param("user", "nobody")
        .param("group", nogroup.name);
    let out = Command::new("setpriv")
        .args([
            &format!("--reuid={}", nobody.uid),
            &format!("--regid={}", nobody.gid),
            "--clear-groups",
            "--",
            support::BIN,
            "validate-all",
        ])
        .env_clear()
        .envs(&agent.env)
        .output()
        .unwrap();
    let ran = support::Ran::from(out);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let reason = ran.one_reason();
    assert!(
        reason.contains("datadir") && reason.contains("Permission denied"),
        "{reason}"
    );
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(snapshot(&data), before, "the data directory changed");
}

/// grastate.dat that cannot be read as a file (a directory in its place): start fails naming it, and
/// nothing in the datadir is touched (no recovery run over it, no rewrite).
#[test]
fn grastate_that_is_a_directory_fails_start_naming_it() {
    let s = Setup::new();
    let g = s.datadir().join("grastate.dat");
    std::fs::remove_file(&g).unwrap();
    std::fs::create_dir(&g).unwrap();
    let before = snapshot(&s.datadir());
    let out = s
        .agent()
        .param("binary", stand_in(&s, "false", "exit 1\n"))
        .run("start");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let reason = out.one_reason();
    assert!(reason.contains("grastate.dat"), "{reason}");
    assert_eq!(snapshot(&s.datadir()), before, "the data directory changed");
}

#[test]
fn monitor_and_probe_with_nothing_running_are_not_running() {
    let s = Setup::new();
    let probe = s.agent().run("monitor");
    assert_eq!(probe.code, 7, "{}", probe.stderr);
    assert!(probe.reasons().is_empty());
    let recurring = s
        .agent()
        .set("OCF_RESKEY_CRM_meta_interval", "20000")
        .run("monitor");
    assert_eq!(recurring.code, 7, "{}", recurring.stderr);
}

/// A report as the marker caches it (the state file keeps only reports it can read).
const REPORT: &str =
    "v1 uuid=6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10 seqno=3 safe_to_bootstrap=0 state=primary at=1";

fn marker(s: &Setup) -> std::path::PathBuf {
    s.dir.join("run/galera-ocf-galera.state")
}

/// reload-agent with nothing running: the new values are validated, the cached election explanation is
/// dropped (the next monitor explains under the new values), what was published stays cached, and the
/// data directory is not touched.
#[test]
fn reload_agent_refreshes_the_marker_and_changes_nothing_else() {
    let s = Setup::new();
    std::fs::write(
        marker(&s),
        format!(
            "started=5\nrole=promoted\nreport={REPORT}\nscore=100\nsynced=1\ndecision=join node2\n"
        ),
    )
    .unwrap();
    let before = snapshot(&s.datadir());
    let out = s
        .agent()
        .param("check_user", "galera_check")
        .param("check_passwd", "rotated")
        .param("two_node_mode", "false")
        .run("reload-agent");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.reasons().is_empty());
    assert_eq!(
        std::fs::read_to_string(marker(&s)).unwrap(),
        format!("started=5\nrole=promoted\nreport={REPORT}\nscore=100\nsynced=1\n")
    );
    assert_eq!(snapshot(&s.datadir()), before);
}

#[test]
fn reload_agent_of_a_stopped_instance_creates_no_marker() {
    let s = Setup::new();
    let out = s.agent().run("reload-agent");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!marker(&s).exists());
}

/// A configuration that fails validation fails the reload with its reason, and the marker is left as it
/// was (a failed reload applied nothing).
#[test]
fn reload_agent_with_a_broken_configuration_fails_and_keeps_the_marker() {
    let s = Setup::new();
    let text = "started=5\nrole=unpromoted\ndecision=wait node3\n";
    std::fs::write(marker(&s), text).unwrap();
    let out = s
        .agent()
        .param("wsrep_cluster_address", "gcomm://node2,node3")
        .run("reload-agent");
    assert_ne!(out.code, 0);
    assert!(
        out.one_reason().contains("wsrep_cluster_address"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(marker(&s)).unwrap(), text);
}

#[test]
fn stop_when_stopped_succeeds_twice_and_changes_nothing() {
    let s = Setup::new();
    let before = snapshot(&s.datadir());
    for _ in 0..2 {
        let out = s
            .agent()
            .set("CIB_file", s.dir.join("no-cib.xml").display().to_string())
            .run("stop");
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    assert_eq!(snapshot(&s.datadir()), before);
}

#[test]
fn stop_and_probe_with_a_broken_configuration_and_nothing_running() {
    let s = Setup::new();
    let broken = || {
        s.agent()
            .param("binary", "/nonexistent/mariadbd")
            .param("user", "-x")
    };
    assert_eq!(broken().run("stop").code, 0);
    let probe = broken().run("monitor");
    assert_eq!(probe.code, 7, "{}", probe.stderr);
    assert!(probe.reasons().is_empty());
    let start = broken().run("start");
    assert_eq!(start.code, 6);
    start.one_reason();
}

#[test]
fn missing_resource_instance_is_an_argument_error() {
    let s = Setup::new();
    let out = s.agent().unset("OCF_RESOURCE_INSTANCE").run("start");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.one_reason().contains("OCF_RESOURCE_INSTANCE"));
    // validate-all is run by hand: it does not need it
    assert_eq!(
        s.agent()
            .unset("OCF_RESOURCE_INSTANCE")
            .run("validate-all")
            .code,
        0
    );
}

#[test]
fn usage_and_notify_without_a_marker() {
    let s = Setup::new();
    assert_eq!(Agent::new().run("usage").code, 0);
    let out = s
        .agent()
        .set("OCF_RESKEY_CRM_meta_notify_type", "pre")
        .set("OCF_RESKEY_CRM_meta_notify_operation", "promote")
        .run("notify");
    assert_eq!(out.code, 0, "{}", out.stderr);
}

const CRASHED: &str = "# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10\nseqno:   -1\nsafe_to_bootstrap: 0\n";

/// A stand-in mariadbd (test fixture only) named `name` in the setup's directory: `--print-defaults` is
/// answered by the real server (validate-all and start ask it what the option file holds), anything else
/// runs the shell `body`.
fn stand_in(s: &Setup, name: &str, body: &str) -> String {
    let p = s.dir.join(name);
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\ncase \" $* \" in *' --print-defaults '*) exec /usr/sbin/mariadbd \"$@\";; esac\n{body}"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

/// A stand-in mariadbd (test fixture only) named `name` whose --wsrep-recover log is a start line and
/// then `last`.
fn recover_stand_in(s: &Setup, name: &str, last: &str) -> String {
    stand_in(
        s,
        name,
        &format!(
            "for a; do case $a in --log-error=*) log=${{a#--log-error=}};; esac; done\n\
             echo '2026-01-01 0 [Note] Starting MariaDB 10.11 as process 1' >> \"$log\"\n\
             echo '2026-01-01 0 [Note] {last}' >> \"$log\"\n"
        ),
    )
}

/// A stand-in for mariadbd (test fixture only) whose --wsrep-recover log has no position line.
fn fake_mariadbd(s: &Setup) -> String {
    recover_stand_in(s, "mariadbd", "InnoDB: Buffer pool(s) load completed")
}

/// A directory holding only the coreutils the agent runs by name (linked), to be the whole PATH.
fn coreutils_only(s: &Setup) -> std::path::PathBuf {
    let dir = s.dir.join("coreutils-only");
    std::fs::create_dir_all(&dir).unwrap();
    for tool in ["install", "sync", "mv"] {
        std::os::unix::fs::symlink(Path::new("/usr/bin").join(tool), dir.join(tool)).unwrap();
    }
    dir
}

/// The coreutils the agent's own datadir writes run (`edge::datadir::WriteTools`) are looked up on PATH;
/// validate-all and start report a missing one as ERR_INSTALLED naming it and the PATH searched, as they
/// report a missing binary, before anything runs.
#[test]
fn a_tool_missing_from_path_is_not_installed() {
    for missing in ["install", "sync", "mv"] {
        for action in ["validate-all", "start"] {
            let s = Setup::new();
            let path = coreutils_only(&s);
            std::fs::remove_file(path.join(missing)).unwrap();
            let before = snapshot(&s.datadir());
            let out = s
                .agent()
                .set("PATH", path.display().to_string())
                .run(action);
            assert_eq!(out.code, 5, "{missing} {action}: {}", out.stderr);
            let reason = out.one_reason();
            assert!(
                reason.starts_with(&format!("{missing} not found in PATH ({})", path.display())),
                "{reason}"
            );
            assert_eq!(snapshot(&s.datadir()), before, "{missing} {action}");
        }
    }
    // The same PATH with all three: validate-all passes (mariadbd is the binary parameter, not looked up).
    let s = Setup::new();
    let out = s
        .agent()
        .set("PATH", coreutils_only(&s).display().to_string())
        .run("validate-all");
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// Runtime failures of start: each → 1, one exit reason naming the cause, datadir unchanged.
#[test]
fn start_failure_matrix() {
    type Case = (
        &'static str,
        fn(Agent, &Setup) -> Agent,
        Option<&'static str>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "recover log without a position",
            |a, s| a.param("binary", fake_mariadbd(s)),
            Some(CRASHED),
            "Recovered position",
        ),
        (
            "recover log empty, binary fails",
            |a, s| a.param("binary", stand_in(s, "false", "exit 1\n")),
            Some(CRASHED),
            "empty",
        ),
        (
            "no grastate, recover finds nothing",
            |a, s| a.param("binary", stand_in(s, "true", "exit 0\n")),
            None,
            "position",
        ),
        (
            "crm_attribute fails (no CIB)",
            |a, s| {
                a.set(
                    "CIB_file",
                    s.dir.join("missing-cib.xml").display().to_string(),
                )
            },
            Some(GRASTATE),
            "crm_attribute",
        ),
        (
            "crm_attribute fails with a PATH holding only coreutils",
            |a, s| {
                a.set("PATH", coreutils_only(s).display().to_string()).set(
                    "CIB_file",
                    s.dir.join("missing-cib.xml").display().to_string(),
                )
            },
            Some(GRASTATE),
            "galera-report",
        ),
    ];
    for (name, tweak, grastate, word) in cases {
        let s = Setup::new();
        match grastate {
            Some(g) => std::fs::write(s.datadir().join("grastate.dat"), g).unwrap(),
            None => std::fs::remove_file(s.datadir().join("grastate.dat")).unwrap(),
        }
        let before = snapshot(&s.datadir());
        let out = tweak(s.agent(), &s).run("start");
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        let reason = out.one_reason();
        assert!(
            reason.contains(word),
            "{name}: {reason:?} does not mention {word}"
        );
        assert_eq!(
            snapshot(&s.datadir()),
            before,
            "{name}: the data directory changed"
        );
        assert!(
            !s.dir.join("run/galera-ocf-galera.state").exists(),
            "{name}: no marker after a failed start"
        );
    }
}

const CIB3: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/>
    <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
    <resources><clone id="galera-clone"><primitive id="galera" class="ocf" provider="galera-ocf" type="galera">
      <instance_attributes id="galera-ia">
        <nvpair id="galera-ia-a" name="wsrep_cluster_address" value="gcomm://n1,n2,n3"/>
      </instance_attributes>
    </primitive></clone></resources><constraints/></configuration>
  <status><node_state id="1" uname="n1"/><node_state id="2" uname="n2"/><node_state id="3" uname="n3"/></status>
</cib>
"#;

fn crm_attribute(cib: &Path, args: &[&str]) {
    run_ok(
        Command::new("crm_attribute")
            .args(args)
            .env("CIB_file", cib),
        &format!("crm_attribute {args:?}"),
    );
}

/// A CIB file with three nodes n1..n3 and the galera primitive, in a fresh temp dir.
fn cib3(tag: &str) -> (TempDir, std::path::PathBuf) {
    require(&["/usr/sbin/crm_attribute", "/usr/sbin/cibadmin"]);
    let dir = TempDir::new(tag);
    let cib = dir.join("cib.xml");
    std::fs::write(&cib, CIB3).unwrap();
    (dir, cib)
}

fn publish(cib: &Path, node: &str, seqno: i64, state: &str) {
    publish_raw(
        cib,
        node,
        &format!("v1 uuid=6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10 seqno={seqno} safe_to_bootstrap=0 state={state} at=1795000000"),
    );
}

fn publish_raw(cib: &Path, node: &str, value: &str) {
    crm_attribute(
        cib,
        &[
            &format!("--node={node}"),
            "--lifetime=reboot",
            "--name=galera-report",
            &format!("--update={value}"),
        ],
    );
}

/// Two nodes with safe_to_bootstrap=1 and a third from another cluster (higher seqno, safe_to_bootstrap=1
/// too): `status` names exactly one bootstrap node of the majority UUID and shows the foreign one.
#[test]
fn admin_status_two_safe_nodes_and_a_foreign_uuid() {
    let (_dir, cib) = cib3("admin-conflict");
    let ours = "6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10";
    let other = "0f0e0d0c-0b0a-4999-8888-777766665555";
    publish_raw(
        &cib,
        "n1",
        &format!("v1 uuid={ours} seqno=40 safe_to_bootstrap=1 state=stopped at=1795000000"),
    );
    publish_raw(
        &cib,
        "n2",
        &format!("v1 uuid={ours} seqno=40 safe_to_bootstrap=1 state=stopped at=1795000000"),
    );
    publish_raw(
        &cib,
        "n3",
        &format!("v1 uuid={other} seqno=9000 safe_to_bootstrap=1 state=stopped at=1795000000"),
    );

    let st = admin(&cib, &["status"]);
    assert_eq!(
        st.code, 7,
        "a bootstrap is pending: {}{}",
        st.stdout, st.stderr
    );
    assert!(
        st.stdout.contains("decision: bootstrap n1"),
        "{}",
        st.stdout
    );
    assert!(
        st.stdout
            .contains(&format!("foreign cluster UUID, never chosen: n3 ({other})")),
        "{}",
        st.stdout
    );
    for n in ["n1", "n2"] {
        let line = st
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{n} ")))
            .unwrap();
        assert!(line.contains(ours) && line.contains("   1 "), "{line}");
    }
    let js = admin(&cib, &["status", "--json"]);
    assert!(
        js.stdout
            .contains("\"kind\":\"bootstrap\",\"bootstrap\":\"n1\""),
        "{}",
        js.stdout
    );
    assert!(
        js.stdout.contains(&format!("\"uuid\":\"{other}\"")),
        "{}",
        js.stdout
    );
}

fn admin(cib: &Path, args: &[&str]) -> support::Ran {
    let out = Command::new(support::BIN)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("CIB_file", cib)
        .output()
        .unwrap();
    support::Ran::from(out)
}

fn attr(cib: &Path, node: &str, name: &str) -> Option<String> {
    let out = Command::new("crm_attribute")
        .args([
            &format!("--node={node}"),
            "--lifetime=reboot",
            &format!("--name={name}"),
            "--query",
            "--quiet",
        ])
        .env("CIB_file", cib)
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn admin_status_and_forced_bootstrap() {
    let (_dir, cib) = cib3("admin");
    publish(&cib, "n1", 10, "stopped");
    publish(&cib, "n2", 12, "recovered");

    let st = admin(&cib, &["status"]);
    assert_eq!(st.code, 7, "{}{}", st.stdout, st.stderr);
    assert!(st.stdout.contains("decision: wait for n3"), "{}", st.stdout);
    assert!(
        st.stdout.contains("n3               (no report)"),
        "{}",
        st.stdout
    );
    assert!(
        st.stdout.contains("galera-ocf bootstrap --force n2"),
        "{}",
        st.stdout
    );
    let js = admin(&cib, &["status", "--json"]);
    assert_eq!(js.code, 7);
    assert!(js.stdout.contains("\"kind\":\"wait\""), "{}", js.stdout);

    // not confirmed (no stdin): nothing changes
    let no = admin(&cib, &["bootstrap", "--force", "n1"]);
    assert_eq!(no.code, 1, "{}", no.stdout);
    assert_eq!(attr(&cib, "n1", "galera-force-bootstrap"), None);

    // n1 is behind n2: not the safe candidate, so --yes alone is refused and nothing changes.
    let unsafe_ = admin(&cib, &["bootstrap", "--force", "n1", "--yes"]);
    assert_eq!(unsafe_.code, 1, "{}{}", unsafe_.stdout, unsafe_.stderr);
    let reason = unsafe_.one_admin_reason();
    assert!(reason.contains("--accept-data-loss"), "{reason}");
    assert!(reason.contains("force n2 instead"), "{reason}");
    assert_eq!(attr(&cib, "n1", "galera-force-bootstrap"), None);

    let yes = admin(
        &cib,
        &["bootstrap", "--force", "n1", "--yes", "--accept-data-loss"],
    );
    assert_eq!(yes.code, 0, "{}{}", yes.stdout, yes.stderr);
    assert!(
        yes.stdout.contains("up to 2 transaction(s) would be lost"),
        "{}",
        yes.stdout
    );
    assert!(
        yes.stdout
            .contains("not reported (their data is unknown): n3"),
        "{}",
        yes.stdout
    );
    assert_eq!(
        attr(&cib, "n1", "galera-force-bootstrap").as_deref(),
        Some("1")
    );
    assert_eq!(attr(&cib, "n1", "master-galera").as_deref(), Some("100"));
    assert_eq!(attr(&cib, "n2", "master-galera"), None);
    assert!(admin(&cib, &["status"])
        .stdout
        .contains("forced by an administrator"));

    // a running Primary component: the override is refused
    publish(&cib, "n2", 12, "primary");
    crm_attribute(
        &cib,
        &[
            "--node=n2",
            "--lifetime=reboot",
            "--name=galera-synced",
            "--update=0",
        ],
    );
    let refused = admin(&cib, &["bootstrap", "--force", "n3", "--yes"]);
    assert_eq!(refused.code, 1);
    let reason = refused.one_admin_reason();
    assert!(reason.contains("Primary component runs on n2"), "{reason}");
    // An admin command, so the reason names it, not a promote.
    assert!(reason.starts_with("bootstrap --force refused"), "{reason}");
    let running = admin(&cib, &["status"]);
    assert_eq!(running.code, 0, "{}", running.stdout);
    // A primary node's published seqno is the one of its promote: marked, and explained once.
    let n2 = running
        .stdout
        .lines()
        .find(|l| l.starts_with("n2 "))
        .unwrap();
    assert!(n2.contains(" 12+ "), "{n2}");
    // Its synced attribute (0: e.g. a state transfer under way) is shown beside it.
    let columns: Vec<&str> = n2.split_whitespace().collect();
    assert_eq!(columns[5], "0", "synced column of {n2}");
    assert!(
        running
            .stdout
            .contains("seqno N+: as of that node's promote"),
        "{}",
        running.stdout
    );
    let js = admin(&cib, &["status", "--json"]);
    assert!(
        js.stdout
            .contains("\"seqno\":12,\"seqno_as_of\":\"promote\""),
        "{}",
        js.stdout
    );
    assert!(js.stdout.contains("\"synced\":false"), "{}", js.stdout);
    assert!(
        js.stdout
            .contains("\"seqno\":10,\"seqno_as_of\":\"report\""),
        "{}",
        js.stdout
    );

    // not a member
    let bad = admin(&cib, &["bootstrap", "--force", "n9", "--yes"]);
    assert_eq!(bad.code, 1);
    assert!(bad.one_admin_reason().contains("n9"));
}

/// A stand-in mariadbd (test fixture only) whose --wsrep-recover log reports a position.
fn recovering_mariadbd(s: &Setup) -> String {
    recover_stand_in(
        s,
        "mariadbd-recover",
        "WSREP: Recovered position: 6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10:77,0-1-77",
    )
}

const CIB1: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes><node id="1" uname="node1"/></nodes><resources/><constraints/></configuration>
  <status><node_state id="1" uname="node1"/></status>
</cib>
"#;

/// Every unusable grastate.dat → start recovers the position with --wsrep-recover (GTID suffix and all),
/// publishes it, and leaves the data directory exactly as it was.
#[test]
fn bad_grastate_matrix_takes_the_recover_path_and_changes_nothing() {
    require(&["/usr/sbin/crm_attribute", "/usr/sbin/cibadmin"]);
    let cases: &[(&str, Option<&str>)] = &[
        ("missing", None),
        ("empty", Some("")),
        ("garbage", Some("\u{0}\u{1}not a grastate at all\n")),
        ("truncated", Some("# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-0d0f")),
        ("seqno text", Some("# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10\nseqno:   many\nsafe_to_bootstrap: 0\n")),
        ("bad uuid", Some("# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-XXXX\nseqno:   5\nsafe_to_bootstrap: 0\n")),
        ("seqno -1", Some(CRASHED)),
    ];
    for (name, content) in cases {
        let s = Setup::new();
        let g = s.datadir().join("grastate.dat");
        match content {
            Some(c) => std::fs::write(&g, c).unwrap(),
            None => std::fs::remove_file(&g).unwrap(),
        }
        std::fs::write(s.dir.join("cib.xml"), CIB1).unwrap();
        let before = snapshot(&s.datadir());
        let out = s
            .agent()
            .set("CIB_file", s.dir.join("cib.xml").display().to_string())
            .param("binary", recovering_mariadbd(&s))
            .run("start");
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert!(out.reasons().is_empty(), "{name}");
        assert_eq!(
            snapshot(&s.datadir()),
            before,
            "{name}: the data directory changed"
        );
        let report = attr(&s.dir.join("cib.xml"), "node1", "galera-report").unwrap();
        assert!(
            report.contains("seqno=77") && report.contains("state=recovered"),
            "{name}: {report}"
        );
    }
}

/// A line the agent appended to a log file: `Mmm dd hh:mm:ss.mmm galera-ocf(<rsc>)[<pid>]: LEVEL: text`
/// (pacemaker.log's time stamp); returns the part from the tag on.
fn file_line(line: &str) -> &str {
    let (stamp, rest) = line.split_at(19);
    let b = stamp.as_bytes();
    assert!(
        b[3] == b' ' && b[6] == b' ' && b[9] == b':' && b[12] == b':' && b[15] == b'.',
        "not pacemaker.log's stamp: {line}"
    );
    assert!(rest.starts_with(" galera-ocf("), "{line}");
    &rest[1..]
}

/// stderr holds the one exit reason and nothing else: the log lines went to the configured destinations.
fn only_the_reason_on_stderr(out: &support::Ran) -> &str {
    let reason = out.one_reason();
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    reason
}

/// pacemaker-execd exports HA_LOGFILE from PCMK_logfile (the lab's setting): the lines go there, stamped
/// like pacemaker.log, and not to stderr, which execd would log as error output.
#[test]
fn ha_logfile_gets_the_log_lines_and_the_exit_reason() {
    let s = Setup::new();
    let log = s.dir.join("ha.log");
    let out = s
        .agent()
        .set("HA_LOGFILE", log.display().to_string())
        .set("HA_debug", "1")
        .param("datadir", "relative")
        .run("validate-all");
    assert_eq!(out.code, 6);
    let reason = only_the_reason_on_stderr(&out);
    assert!(reason.starts_with("parameter datadir"), "{reason}");
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().map(file_line).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("galera-ocf(galera)[")
                && l.contains("]: ERROR: parameter datadir")),
        "{text}"
    );
    // ocf-shellfuncs keeps debug lines out of HA_LOGFILE when it has a debug log; here none is set, so
    // they land in HA_LOGFILE rather than on stderr.
    assert!(
        lines.iter().any(|l| l.contains("]: DEBUG: validate-all")),
        "{text}"
    );
}

/// HA_DEBUGLOG gets every line, debug lines included; HA_LOGFILE no debug line.
#[test]
fn ha_debuglog_gets_every_line_and_the_logfile_no_debug_line() {
    let s = Setup::new();
    let (log, debuglog) = (s.dir.join("ha.log"), s.dir.join("ha-debug.log"));
    let agent = s
        .agent()
        .set("HA_LOGFILE", log.display().to_string())
        .set("HA_DEBUGLOG", debuglog.display().to_string())
        .param("datadir", "relative");
    let out = agent.clone().set("HA_debug", "1").run("validate-all");
    assert_eq!(out.code, 6);
    only_the_reason_on_stderr(&out);
    let text = std::fs::read_to_string(&log).unwrap();
    let debug = std::fs::read_to_string(&debuglog).unwrap();
    assert!(
        text.lines()
            .map(file_line)
            .all(|l| !l.contains("]: DEBUG: ")),
        "{text}"
    );
    assert!(text.contains("]: ERROR: parameter datadir"), "{text}");
    let debug_lines: Vec<&str> = debug.lines().map(file_line).collect();
    assert!(
        debug_lines
            .iter()
            .any(|l| l.contains("]: DEBUG: validate-all")),
        "{debug}"
    );
    assert!(
        debug_lines
            .iter()
            .any(|l| l.contains("]: ERROR: parameter datadir")),
        "{debug}"
    );
    // HA_debug=0 (what Pacemaker exports without PCMK_debug): no debug line anywhere.
    std::fs::remove_file(&debuglog).unwrap();
    let out = agent.set("HA_debug", "0").run("validate-all");
    only_the_reason_on_stderr(&out);
    let debug = std::fs::read_to_string(&debuglog).unwrap();
    assert!(!debug.contains("DEBUG"), "{debug}");
    assert!(debug.contains("]: ERROR: parameter datadir"), "{debug}");
}

/// Nothing configured (an admin's shell, these tests): stderr, as before.
#[test]
fn without_log_settings_the_lines_stay_on_stderr() {
    let s = Setup::new();
    let out = s
        .agent()
        .set("HA_debug", "yes")
        .param("datadir", "relative")
        .run("validate-all");
    assert_eq!(out.code, 6);
    out.one_reason();
    assert!(out.stderr.contains("galera-ocf(galera)["), "{}", out.stderr);
    assert!(
        out.stderr.contains("]: DEBUG: validate-all"),
        "{}",
        out.stderr
    );
}

/// Run by hand on a terminal (here a pty from script(1)): everything on the terminal, even with HA_LOGFILE
/// set, as ocf_log does for an interactive run.
#[test]
fn a_terminal_gets_the_lines_and_the_logfile_none() {
    require(&["/usr/bin/script"]);
    let s = Setup::new();
    let log = s.dir.join("ha.log");
    let agent = s
        .agent()
        .set("HA_LOGFILE", log.display().to_string())
        .set("HA_debug", "1")
        .param("datadir", "relative");
    let out: support::Ran = Command::new("/usr/bin/script")
        .args([
            "-q",
            "-e",
            "-c",
            &format!("'{}' validate-all", support::BIN),
            "/dev/null",
        ])
        .env_clear()
        .envs(&agent.env)
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 6, "{}{}", out.stdout, out.stderr);
    let terminal: Vec<&str> = out
        .stdout
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .collect();
    let reasons: Vec<&&str> = terminal
        .iter()
        .filter(|l| l.starts_with("ocf-exit-reason:"))
        .collect();
    assert_eq!(reasons.len(), 1, "{}", out.stdout);
    assert!(
        terminal
            .iter()
            .any(|l| l.starts_with("galera-ocf(galera)[") && l.contains("]: DEBUG: validate-all")),
        "{}",
        out.stdout
    );
    assert!(
        !log.exists(),
        "{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
}

/// HA_LOGFACILITY: RFC 3164 datagrams on /dev/log with the facility and the level's priority. The agent runs
/// in a private mount namespace whose /dev (a tmpfs) holds /dev/null and a /dev/log that leads to this
/// test's socket.
#[test]
fn ha_logfacility_sends_to_syslog() {
    require(&["/usr/bin/unshare"]);
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "this test needs root (unshare -m, a tmpfs on /dev): run the tests as root"
    );
    let s = Setup::new();
    let sock = s.dir.join("log.sock");
    let listener = std::os::unix::net::UnixDatagram::bind(&sock).unwrap();
    listener.set_nonblocking(true).unwrap();
    let agent = s
        .agent()
        .set("HA_LOGFACILITY", "local0")
        .set("HA_debug", "1")
        .param("datadir", "relative");
    let script = "set -e; mount -t tmpfs -o mode=0755 tmpfs /dev; mknod -m 0666 /dev/null c 1 3; \
                  ln -s \"$1\" /dev/log; shift; exec \"$@\"";
    let out: support::Ran = Command::new("/usr/bin/unshare")
        .args([
            "-m",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&sock)
        .args([support::BIN, "validate-all"])
        .env_clear()
        .envs(&agent.env)
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 6, "{}", out.stderr);
    let reason = only_the_reason_on_stderr(&out);
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = listener.recv(&mut buf) {
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    // <PRI>Mmm dd hh:mm:ss galera-ocf(galera)[pid]: LEVEL: text; local0 = 16: err 131, debug 135.
    let parse = |m: &str| -> (String, String) {
        let (pri, rest) = m.strip_prefix('<').unwrap().split_once('>').unwrap();
        let (stamp, body) = rest.split_at(15);
        let b = stamp.as_bytes();
        assert!(
            b[3] == b' ' && b[6] == b' ' && b[9] == b':' && b[12] == b':',
            "{m}"
        );
        (pri.to_owned(), body.trim_start().to_owned())
    };
    let msgs: Vec<(String, String)> = got.iter().map(|m| parse(m)).collect();
    let errors: Vec<&String> = msgs
        .iter()
        .filter(|(p, _)| p == "131")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(errors.len(), 1, "{got:#?}");
    assert!(errors[0].starts_with("galera-ocf(galera)["), "{got:#?}");
    assert!(
        errors[0].ends_with(&format!("]: ERROR: {reason}")),
        "{got:#?}"
    );
    assert!(
        msgs.iter()
            .any(|(p, b)| p == "135" && b.contains("]: DEBUG: validate-all")),
        "{got:#?}"
    );
}

/// The agent never runs a shell, and edge/command.rs is the only place that starts processes.
#[test]
fn no_shell_and_a_single_place_that_spawns() {
    let mut stack = vec![repo_file("src")];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let rel = p.strip_prefix(repo_file("")).unwrap().display().to_string();
            for needle in ["/bin/sh", "\"sh\"", "\"-c\"", "/bin/bash"] {
                assert!(!text.contains(needle), "{rel} mentions {needle}");
            }
            if rel != "src/edge/command.rs" {
                for needle in [
                    "std::process::Command",
                    "tokio::process",
                    "process::Command::new",
                ] {
                    assert!(
                        !text.contains(needle),
                        "{rel} spawns processes ({needle}); only edge/command.rs may"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 20);
}

#[test]
fn notify_never_fails_even_when_the_cluster_cannot_be_read() {
    let s = Setup::new();
    std::fs::write(
        s.dir.join("run/galera-ocf-galera.state"),
        "started=1\nrole=unpromoted\n",
    )
    .unwrap();
    let out = s
        .agent()
        .set(
            "CIB_file",
            s.dir.join("missing-cib.xml").display().to_string(),
        )
        .set("OCF_RESKEY_CRM_meta_notify_type", "post")
        .set("OCF_RESKEY_CRM_meta_notify_operation", "start")
        .run("notify");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.reasons().is_empty());
    assert!(out.stderr.contains("WARNING: notify:"), "{}", out.stderr);
}

// ---- ocf:galera-ocf:garbd (issue 17) ------------------------------------------------------------

const GARBD_ARGV0: &str = "/usr/lib/ocf/resource.d/galera-ocf/garbd";

fn garbd_agent(dir: &TempDir) -> Agent {
    let mut a = Agent::new()
        .set("OCF_ROOT", "/usr/lib/ocf")
        .set("OCF_RESOURCE_INSTANCE", "garbd")
        .set("HA_RSCTMP", dir.join("run").display().to_string())
        .param("log", dir.join("garbd.log").display().to_string())
        .param("workdir", dir.join("work").display().to_string());
    a.argv0 = GARBD_ARGV0.into();
    a
}

#[test]
fn garbd_meta_data_equals_its_golden_file_and_the_dtd() {
    let mut a = Agent::new();
    a.argv0 = GARBD_ARGV0.into();
    let out = a.run("meta-data");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let golden = std::fs::read_to_string(repo_file("ocf-metadata/garbd.xml")).unwrap();
    assert_eq!(
        out.stdout, golden,
        "meta-data changed: regenerate with `argv0=garbd galera-ocf meta-data > ocf-metadata/garbd.xml`"
    );
    let dir = "/usr/share/resource-agents";
    require(&[&format!("{dir}/ra-api-1.dtd"), "/usr/bin/xmllint"]);
    run_ok(
        Command::new("xmllint")
            .args(["--noout", "--valid", "-"])
            .current_dir(dir)
            .stdin(std::fs::File::open(repo_file("ocf-metadata/garbd.xml")).unwrap()),
        "xmllint",
    );
}

#[test]
fn garbd_validate_all_names_the_bad_parameter() {
    let dir = TempDir::new("garbd-validate");
    let ok = garbd_agent(&dir).param("wsrep_cluster_address", "gcomm://node1,node2,node3");
    require(&["/usr/bin/garbd"]);
    let out = ok.clone().run("validate-all");
    assert_eq!(out.code, 0, "{}", out.stderr);
    for (tweak, code, word) in [
        (("wsrep_cluster_address", ""), 6, "wsrep_cluster_address"),
        (
            ("wsrep_cluster_address", "node1,node2"),
            6,
            "wsrep_cluster_address",
        ),
        (("group", "--daemon"), 6, "group"),
        (("log", "garbd.log"), 6, "log"),
        (("binary", "/nonexistent/garbd"), 5, "binary"),
    ] {
        let out = ok.clone().param(tweak.0, tweak.1).run("validate-all");
        assert_eq!(out.code, code, "{tweak:?}: {}", out.stderr);
        assert!(out.one_reason().contains(word), "{tweak:?}: {}", out.stderr);
    }
    // Not running: monitor 7, stop 0, an unknown action 3.
    assert_eq!(ok.run("monitor").code, 7);
    assert_eq!(ok.run("stop").code, 0);
    assert_eq!(ok.run("promote").code, 3);
}

/// A real garbd (galera-arbitrator-4) with no data node to reach, in a network namespace of its own: start
/// returns once garbd runs (pc.wait_prim=no keeps it up), the monitor reads garbd's log and says it is in
/// no Primary component (OCF_DEGRADED, 190), stop ends it, and the monitor then says 7.
#[test]
fn garbd_without_any_data_node_runs_degraded_and_stops() {
    require(&[
        "/usr/bin/garbd",
        "/usr/bin/unshare",
        "/usr/sbin/ip",
        "/usr/bin/bash",
    ]);
    let dir = TempDir::new("garbd-real");
    let a = garbd_agent(&dir)
        .param("wsrep_cluster_address", "gcomm://127.0.0.1:45991")
        .param("group", "galera-ocf-test")
        .param("options", "gmcast.listen_addr=tcp://127.0.0.1:45992")
        .set("OCF_RESKEY_CRM_meta_timeout", "30000");
    // garbd's traffic stays in a network namespace of this test's own (only its loopback): the four calls
    // run in one `unshare --net` shell, each under the agent name, each result on its own line.
    let script = r#"ip link set lo up || exit 99
for action in start monitor stop monitor; do
  ( exec -a "$GARBD_ARGV0" "$GALERA_OCF_BIN" "$action" ) 2>>"$STDERR_LOG"
  echo "$action=$?"
done"#;
    let stderr_log = dir.join("agent.stderr");
    let out = Command::new("unshare")
        .args(["--net", "--", "bash", "-c", script])
        .env_clear()
        .envs(&a.env)
        .env("GARBD_ARGV0", GARBD_ARGV0)
        .env("GALERA_OCF_BIN", support::BIN)
        .env("STDERR_LOG", &stderr_log)
        .output()
        .unwrap();
    let stderr = std::fs::read_to_string(&stderr_log).unwrap_or_default();
    let codes = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "unshare: {codes} {stderr}");
    assert_eq!(
        codes.lines().collect::<Vec<_>>(),
        ["start=0", "monitor=190", "stop=0", "monitor=7"],
        "{stderr}"
    );
    assert!(stderr.contains("no Primary component"), "{stderr}");
    let log = std::fs::read_to_string(dir.join("garbd.log")).unwrap();
    assert!(log.contains("Shifting OPEN -> CLOSED"), "{log}");
}

/// Real garbd, in a network namespace of this test's own: a start that finds this resource's garbd
/// running untracked (the state file names a pid that is no longer it) tracks that garbd instead of adding
/// a second vote; several with this resource's command line and no state file fail the monitor, and start
/// ends them all and starts one; stop leaves none.
#[test]
fn garbd_start_adopts_its_own_garbd_and_replaces_several() {
    require(&[
        "/usr/bin/garbd",
        "/usr/bin/unshare",
        "/usr/sbin/ip",
        "/usr/bin/bash",
    ]);
    let dir = TempDir::new("garbd-adopt");
    // Port 0: the duplicate garbd this test starts by hand listens too.
    let a = garbd_agent(&dir)
        .param("wsrep_cluster_address", "gcomm://127.0.0.1:45991")
        // A group of its own: the other real-garbd test's garbd, in the same process namespace, is no
        // garbd of this group (a foreign one would make start refuse).
        .param("group", "galera-ocf-test-adopt")
        .param("options", "gmcast.listen_addr=tcp://127.0.0.1:0")
        .set("OCF_RESKEY_CRM_meta_timeout", "30000");
    let script = r#"ip link set lo up || exit 99
agent() {
  ( exec -a "$GARBD_ARGV0" "$GALERA_OCF_BIN" "$1" ) 2>>"$STDERR_LOG"
  echo "$1=$?"
}
tracked() { sed -n 's/^pid=//p' "$STATE"; }
# The processes whose arguments hold this test's working directory: the garbd processes of this resource.
ours() {
  for d in /proc/[0-9]*; do
    if tr '\0' '\n' <"$d/cmdline" 2>/dev/null | grep -qxF -- "$WORKDIR"; then echo "${d#/proc/}"; fi
  done
}
agent start
first=$(tracked)
# The tracked garbd "died": the state file names its pid with another process's start time.
sed -i 's/^starttime=.*/starttime=1/' "$STATE"
agent start
echo "adopted=$([ "$(tracked)" = "$first" ] && echo yes || echo no) running=$(ours | wc -l)"
# A second garbd with exactly this resource's command line, and no state file.
mapfile -d '' argv <"/proc/$first/cmdline"
"${argv[@]}" >>"$GARBD_LOG" 2>&1 </dev/null &
second=$!
rm -f "$STATE"
sleep 0.5
echo "running=$(ours | wc -l)"
agent monitor
agent start
now=$(tracked)
echo "replaced=$([ "$now" != "$first" ] && [ "$now" != "$second" ] && echo yes || echo no) running=$(ours | wc -l)"
agent stop
echo "left=$(ours | wc -l)"
# Whatever an assertion above would leave running, ended by its pid.
for p in $(ours); do kill -9 "$p"; done"#;
    let stderr_log = dir.join("agent.stderr");
    let out = Command::new("unshare")
        .args(["--net", "--", "bash", "-c", script])
        .env_clear()
        .envs(&a.env)
        .env("GARBD_ARGV0", GARBD_ARGV0)
        .env("GALERA_OCF_BIN", support::BIN)
        .env("STDERR_LOG", &stderr_log)
        .env("STATE", dir.join("run/galera-ocf-garbd-garbd.state"))
        .env("WORKDIR", dir.join("work"))
        .env("GARBD_LOG", dir.join("garbd.log"))
        .output()
        .unwrap();
    let stderr = std::fs::read_to_string(&stderr_log).unwrap_or_default();
    let codes = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "unshare: {codes} {stderr}");
    assert_eq!(
        codes.lines().collect::<Vec<_>>(),
        [
            "start=0",
            "start=0",
            "adopted=yes running=1",
            "running=2",
            "monitor=1",
            "start=0",
            "replaced=yes running=1",
            "stop=0",
            "left=0"
        ],
        "{stderr}"
    );
    assert!(stderr.contains("not tracked: tracking it"), "{stderr}");
    assert!(
        stderr.contains("2 garbd processes (pids"),
        "the monitor's reason: {stderr}"
    );
}
