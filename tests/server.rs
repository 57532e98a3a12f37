//! Tier 2: the agent against a REAL single mariadbd with the galera-4 provider, and real `crm_attribute` /
//! `cibadmin` against a CIB file (`CIB_file=`). Needs root (network namespaces, mariadbd --user).
//!
//! Isolation: every agent invocation of a test runs inside its own network namespace with only loopback up
//! (`ip netns add`, deleted by a Drop guard), so mariadbd and Galera (127.0.0.1:3306/4567) cannot reach or
//! be reached from anything else. Each test has its own temp directory (datadir made with
//! `mariadb-install-db`), its own CIB file and its own HA_RSCTMP. mariadbd processes are found by that
//! test's unique datadir path in /proc and SIGKILLed by a Drop guard, also when the test fails; the servers
//! a test starts by hand (issue 13) are killed by their recorded pid by their own guard.
//! Missing packages fail the test loudly; nothing here is skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

use galera_ocf::decide::server::Evidence;
use galera_ocf::edge::mysqld::{scan, Lock, Target};
use galera_ocf::galera::report::{NodeState, Report};
use galera_ocf::pcmk::cib::parse_status;
use support::{poll_until, require, run_ok, snapshot, Agent, Ran, TempDir};

const MARIADBD: &str = "/usr/sbin/mariadbd";
const PROVIDER: &str = "/usr/lib/galera/libgalera_smm.so";
const NODE: &str = "node1";

fn prerequisites() {
    require(&[
        MARIADBD,
        PROVIDER,
        "/usr/bin/mariadb-install-db",
        "/usr/bin/mariadb",
        "/usr/sbin/crm_attribute",
        "/usr/sbin/cibadmin",
        "/usr/sbin/ip",
        "/usr/sbin/ocf-tester",
    ]);
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "tier-2 tests need root (network namespaces, mariadbd --user=mysql)"
    );
}

/// A fresh datadir made by mariadb-install-db (owned by mysql, root via unix_socket). One at a time and
/// with a private tmpdir: parallel bootstraps sharing /tmp were seen to trip over each other's temp tables.
fn install_db(data: &Path, tmp: &Path) {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    run_ok(
        Command::new("mariadb-install-db")
            .args([
                "--no-defaults",
                "--user=mysql",
                "--auth-root-authentication-method=socket",
            ])
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", tmp.display())),
        "mariadb-install-db",
    );
}

/// A named network namespace with only loopback up, deleted on drop.
struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        // Unique per instance: tests with the same tag (every `Pair`) run in parallel.
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let name = format!("gocf-{tag}-{}-{n}", std::process::id());
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        let ok = Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .unwrap();
        assert!(ok.success(), "ip netns add {name}");
        let ok = Command::new("ip")
            .args(["-n", &name, "link", "set", "lo", "up"])
            .status()
            .unwrap();
        assert!(ok.success());
        Netns(name)
    }

    /// Run an agent action inside this namespace (stderr echoed for the test log).
    fn run_agent(&self, agent: &Agent, action: &str) -> Ran {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.0, support::BIN, action])
            .env_clear()
            .envs(&agent.env)
            .output()
            .unwrap();
        let ran = Ran::from(out);
        eprintln!("--- {action} → {}\n{}", ran.code, ran.stderr);
        ran
    }

    /// SQL as root over `socket` through the client binary (the test's own tool, not the agent's);
    /// asserts success, returns the rows without headers.
    fn sql(&self, socket: &Path, q: &str) -> String {
        run_ok(
            Command::new("ip")
                .args([
                    "netns",
                    "exec",
                    &self.0,
                    "mariadb",
                    "--no-defaults",
                    "-uroot",
                    "-N",
                    "-B",
                ])
                .arg(format!("--socket={}", socket.display()))
                .args(["-e", q]),
            q,
        )
        .trim()
        .to_owned()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).output();
    }
}

/// One node's transient attributes in a CIB file.
fn cib_node_attrs(cib: &Path, node: &str) -> BTreeMap<String, String> {
    let out = Command::new("cibadmin")
        .args(["--query", "--scope=status"])
        .env("CIB_file", cib)
        .output()
        .unwrap();
    parse_status(&String::from_utf8_lossy(&out.stdout))
        .unwrap()
        .attrs
        .remove(node)
        .unwrap_or_default()
}

/// SIGKILLs every mariadbd of this test's (unique) datadir on drop.
struct ServerGuard {
    datadir: PathBuf,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let bin = Path::new(MARIADBD);
        for pid in scan(bin, &self.datadir) {
            let _ =
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL);
        }
        poll_until(Duration::from_secs(20), || {
            scan(bin, &self.datadir).is_empty().then_some(())
        });
    }
}

/// Everything one test owns. Field order = drop order: server first, then namespace, then files.
struct Lab {
    _server: ServerGuard,
    ns: Netns,
    dir: TempDir,
}

const MY_CNF: &str = "[mysqld]
bind-address=127.0.0.1
binlog_format=ROW
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_provider_options=\"gcache.size=16M;gmcast.listen_addr=tcp://127.0.0.1:4567\"
wsrep_cluster_name=galera-ocf-test
wsrep_node_address=127.0.0.1
wsrep_sst_method=rsync
";

const CIB: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes><node id="1" uname="node1"/></nodes><resources/><constraints/></configuration>
  <status><node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member"/></status>
</cib>
"#;

impl Lab {
    fn new(tag: &str) -> Lab {
        prerequisites();
        let dir = TempDir::new(tag);
        let data = dir.join("data");
        let run = dir.join("run");
        std::fs::create_dir_all(&run).unwrap();
        let mysql = nix::unistd::User::from_name("mysql").unwrap().unwrap();
        std::os::unix::fs::chown(&run, Some(mysql.uid.as_raw()), Some(mysql.gid.as_raw())).unwrap();
        install_db(&data, &run);
        std::fs::write(dir.join("my.cnf"), MY_CNF).unwrap();
        std::fs::write(dir.join("cib.xml"), CIB).unwrap();
        Lab {
            _server: ServerGuard { datadir: data },
            ns: Netns::new(tag),
            dir,
        }
    }

    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).display().to_string()
    }

    fn agent(&self) -> Agent {
        Agent::new()
            .set("CIB_file", self.path("cib.xml"))
            .set("OCF_ROOT", "/usr/lib/ocf")
            .set("OCF_RESOURCE_INSTANCE", "galera:0")
            .set("HA_RSCTMP", self.path("run"))
            .set("OCF_RESKEY_CRM_meta_on_node", NODE)
            .set("OCF_RESKEY_CRM_meta_timeout", "90000")
            .param("wsrep_cluster_address", "gcomm://127.0.0.1")
            .param("cluster_host_map", "node1:127.0.0.1")
            .param("config", self.path("my.cnf"))
            .param("datadir", self.path("data"))
            .param("pid", self.path("run/mysqld.pid"))
            .param("socket", self.path("run/mysqld.sock"))
            .param("log", self.path("run/error.log"))
    }

    /// Run an action inside this test's network namespace.
    fn run(&self, agent: &Agent, action: &str) -> Ran {
        self.ns.run_agent(agent, action)
    }

    fn act(&self, action: &str) -> Ran {
        self.run(&self.agent(), action)
    }

    fn monitor(&self) -> Ran {
        self.run(
            &self.agent().set("OCF_RESKEY_CRM_meta_interval", "10000"),
            "monitor",
        )
    }

    fn attrs(&self) -> BTreeMap<String, String> {
        cib_node_attrs(&self.dir.join("cib.xml"), NODE)
    }

    fn report(&self) -> Option<Report> {
        self.attrs()
            .get("galera-report")
            .map(|t| Report::parse(t).unwrap())
    }

    fn score(&self) -> Option<String> {
        self.attrs().get("master-galera").cloned()
    }

    fn servers(&self) -> Vec<i32> {
        scan(Path::new(MARIADBD), &self.dir.join("data"))
    }

    fn sql(&self, q: &str) {
        self.ns.sql(&self.dir.join("run/mysqld.sock"), q);
    }

    fn kill9(&self) {
        let pids = self.servers();
        assert!(!pids.is_empty());
        for pid in &pids {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(*pid), nix::sys::signal::SIGKILL)
                .unwrap();
        }
        poll_until(Duration::from_secs(20), || {
            self.servers().is_empty().then_some(())
        })
        .expect("killed mariadbd is gone");
    }
}

fn ok(r: &Ran, code: i32) {
    assert_eq!(r.code, code, "{}", r.stderr);
}

#[test]
fn lifecycle_bootstrap_promote_demote_stop() {
    let lab = Lab::new("life");
    ok(&lab.monitor(), 7);
    ok(&lab.act("monitor"), 7);

    // start → Unpromoted, position published, the only node is elected
    ok(&lab.act("start"), 0);
    let first = lab.report().expect("report published");
    assert_eq!(
        first.state,
        NodeState::Recovered,
        "no grastate.dat yet: --wsrep-recover path"
    );
    assert_eq!(lab.score().as_deref(), Some("100"));
    assert!(
        lab.servers().is_empty(),
        "Unpromoted means mariadbd is stopped"
    );
    ok(&lab.act("monitor"), 0);
    ok(&lab.monitor(), 0);

    // start twice: still 0, the same attribute text
    let text = lab.attrs()["galera-report"].clone();
    ok(&lab.act("start"), 0);
    assert_eq!(lab.attrs()["galera-report"], text);

    // promote → bootstrap, Primary and Synced
    ok(&lab.act("promote"), 0);
    assert_eq!(lab.report().unwrap().state, NodeState::Primary);
    assert_eq!(
        lab.attrs().get("galera-synced").map(String::as_str),
        Some("1")
    );
    ok(&lab.monitor(), 8);
    ok(&lab.act("monitor"), 8);
    ok(&lab.act("promote"), 0);

    lab.sql("CREATE DATABASE t; CREATE TABLE t.x (id INT PRIMARY KEY); INSERT INTO t.x VALUES (1),(2),(3)");

    // demote → clean stop, seqno from grastate.dat kept and published
    ok(&lab.act("demote"), 0);
    assert!(lab.servers().is_empty());
    let demoted = lab.report().unwrap();
    assert_eq!(demoted.state, NodeState::Stopped);
    assert!(demoted.position.seqno.get() >= 3, "{demoted:?}");
    assert!(
        demoted.safe_to_bootstrap,
        "last node to leave is safe to bootstrap"
    );
    assert_eq!(lab.score(), None);
    assert_eq!(lab.attrs().get("galera-synced"), None);
    ok(&lab.act("demote"), 0);
    assert_eq!(lab.report().unwrap().position, demoted.position);

    // the next monitor elects it again; a promote after that bootstraps from the kept data
    ok(&lab.monitor(), 0);
    assert_eq!(lab.score().as_deref(), Some("100"));
    ok(&lab.act("promote"), 0);
    lab.sql("SELECT COUNT(*) FROM t.x");
    ok(&lab.act("demote"), 0);

    // stop → 0, twice; attributes and marker gone, no litter in the data directory: only the agent's
    // documented durable copy of the last Primary view stays (the clean stop deleted gvwstate.dat), and
    // no transfer marker (this node never joined)
    ok(&lab.act("stop"), 0);
    ok(&lab.act("stop"), 0);
    assert!(lab.attrs().is_empty(), "{:?}", lab.attrs());
    assert!(!lab.dir.join("run/galera-ocf-galera.state").exists());
    ok(&lab.act("monitor"), 7);
    let litter: Vec<_> = std::fs::read_dir(lab.dir.join("data"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.contains("galera-ocf") || n.ends_with(".tmp") || n.ends_with(".bak"))
        .filter(|n| n != "galera-ocf-view.sst")
        .collect();
    assert!(litter.is_empty(), "{litter:?}");
    let copy = std::fs::read_to_string(lab.dir.join("data/galera-ocf-view.sst")).unwrap();
    assert!(copy.starts_with("gvw="), "{copy}");
    assert!(
        copy.contains(" gvwcc="),
        "the server log's view change was found: {copy}"
    );
    assert!(!lab.dir.join("data/gvwstate.dat").exists());
}

/// A start after demote's recovery: 0, and either a second `--wsrep-recover` (`again`) or demote's
/// position reused.
fn start_recovering(lab: &Lab, again: bool) -> Ran {
    let started = lab.act("start");
    ok(&started, 0);
    let (said, not) = if again {
        ("recovered position", "INFO: reusing the position")
    } else {
        ("INFO: reusing the position", "recovered position")
    };
    assert!(
        started.stderr.contains(said) && !started.stderr.contains(not),
        "{}",
        started.stderr
    );
    started
}

#[test]
fn kill_9_then_monitor_fails_and_start_recovers_the_position() {
    let lab = Lab::new("kill");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    lab.sql("CREATE DATABASE k; CREATE TABLE k.x (id INT PRIMARY KEY); INSERT INTO k.x VALUES (1)");
    let committed = lab.report().unwrap().position.uuid;

    lab.kill9();
    let r = lab.monitor();
    ok(&r, 9);
    assert!(r.one_reason().contains("not running"));

    // Pacemaker's recovery: demote (recovers the position) → stop → start (recovers again)
    ok(&lab.act("demote"), 0);
    let after_demote = lab.report().unwrap();
    assert_eq!(after_demote.state, NodeState::Recovered);
    assert_eq!(after_demote.position.uuid, committed);
    assert!(after_demote.position.seqno.get() >= 3);
    ok(&lab.act("stop"), 0);
    // The datadir did not change since demote's recovery: its position is reused, no second recovery.
    start_recovering(&lab, false);
    let after_start = lab.report().unwrap();
    assert_eq!(
        after_start.state,
        NodeState::Recovered,
        "grastate.dat says -1: --wsrep-recover path"
    );
    assert_eq!(after_start.position, after_demote.position);

    // and the recovered node bootstraps again with its data and its history (the recovered position is
    // handed to mariadbd: the new Primary component continues at that seqno of the same cluster UUID)
    ok(&lab.act("promote"), 0);
    let primary = lab.report().unwrap();
    assert_eq!(primary.position.uuid, after_start.position.uuid);
    assert!(
        primary.position.seqno.get() >= after_start.position.seqno.get(),
        "{primary:?} vs {after_start:?}"
    );
    lab.sql("SELECT * FROM k.x");
    ok(&lab.act("stop"), 0);
    assert!(lab.servers().is_empty());
}

/// A Promoted node killed, demoted (which recovers its position) and stopped; `between` runs before the
/// start, which must recover again (not reuse demote's position) and log `why`. The position is the same.
fn recovered_again(lab: &Lab, between: impl FnOnce(&Lab), why: &str) {
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    lab.sql("CREATE DATABASE r; CREATE TABLE r.x (id INT PRIMARY KEY); INSERT INTO r.x VALUES (1)");
    lab.kill9();
    ok(&lab.act("demote"), 0);
    let after_demote = lab.report().unwrap();
    ok(&lab.act("stop"), 0);
    between(lab);
    let started = start_recovering(lab, true);
    assert!(
        started
            .stderr
            .lines()
            .any(|l| l.contains("not reusing the position recovered earlier") && l.contains(why)),
        "{why}: {}",
        started.stderr
    );
    assert_eq!(lab.report().unwrap().position, after_demote.position);
    ok(&lab.act("stop"), 0);
}

/// Anything that writes the datadir between demote's recovery and the next start (here: the redo log's
/// times, as any server run changes them) makes the start recover again instead of reusing the position.
#[test]
fn a_datadir_changed_after_demote_is_recovered_again() {
    let lab = Lab::new("rerecover");
    let touch_redo_log = |lab: &Lab| {
        let log = lab.dir.join("data/ib_logfile0");
        let f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        f.set_modified(std::time::SystemTime::now()).unwrap();
    };
    recovered_again(&lab, touch_redo_log, "ib_logfile0 changed since");
}

/// An option file edited between demote's recovery and the next start (what mariadbd --print-defaults
/// prints changed) makes the start recover again: the recovery ran with other options.
#[test]
fn an_option_file_changed_after_demote_is_recovered_again() {
    let lab = Lab::new("recnf");
    let edit = |lab: &Lab| {
        let cnf = lab.dir.join("my.cnf");
        let text = std::fs::read_to_string(&cnf).unwrap();
        std::fs::write(
            &cnf,
            text.replace("innodb_buffer_pool_size=32M", "innodb_buffer_pool_size=48M"),
        )
        .unwrap();
    };
    recovered_again(
        &lab,
        edit,
        "the server's options (--print-defaults) changed since",
    );
}

/// InnoDB's undo directory outside the datadir (set from the start, so the options are unchanged):
/// files there are not stamped, so demote's position is never reused.
#[test]
fn innodb_files_outside_the_datadir_are_recovered_again() {
    let lab = Lab::new("reundo");
    let undo = lab.dir.join("undo");
    std::fs::create_dir_all(&undo).unwrap();
    let mysql = nix::unistd::User::from_name("mysql").unwrap().unwrap();
    std::os::unix::fs::chown(&undo, Some(mysql.uid.as_raw()), Some(mysql.gid.as_raw())).unwrap();
    let cnf = lab.dir.join("my.cnf");
    let text = std::fs::read_to_string(&cnf).unwrap();
    std::fs::write(
        &cnf,
        format!("{text}innodb_undo_directory={}\n", undo.display()),
    )
    .unwrap();
    recovered_again(
        &lab,
        |_| {},
        &format!(
            "innodb_undo_directory = {} puts InnoDB files",
            undo.display()
        ),
    );
}

#[test]
fn killed_promoted_instance_stop_returns_only_when_nothing_is_left() {
    let lab = Lab::new("stop");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    assert_eq!(lab.servers().len(), 1);
    ok(&lab.act("stop"), 0);
    assert!(lab.servers().is_empty());
    assert!(lab.attrs().is_empty());
}

#[test]
fn promote_fails_cleanly_when_mariadbd_refuses_to_start() {
    let lab = Lab::new("refuse");
    ok(&lab.act("start"), 0);
    let before = snapshot(&lab.dir.join("data"));
    // Port 3306 taken in the namespace: mariadbd cannot listen and exits.
    let mut blocker: Child = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.ns.0,
            "socat",
            "TCP-LISTEN:3306,bind=127.0.0.1,reuseaddr,fork",
            "/dev/null",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let listening = poll_until(Duration::from_secs(10), || {
        let out = Command::new("ip")
            .args(["netns", "exec", &lab.ns.0, "ss", "-Hltn", "sport = :3306"])
            .output()
            .ok()?;
        (!out.stdout.is_empty()).then_some(())
    });
    let r = lab.run(
        &lab.agent().set("OCF_RESKEY_CRM_meta_timeout", "30000"),
        "promote",
    );
    let _ = blocker.kill();
    let _ = blocker.wait();
    listening.expect("socat listens on 3306");
    ok(&r, 1);
    let reason = r.one_reason();
    assert!(reason.contains("promote failed"), "{reason}");
    assert!(
        lab.servers().is_empty(),
        "a failed promote leaves no mariadbd behind"
    );
    assert_ne!(lab.report().unwrap().state, NodeState::Primary);
    // grastate.dat may now carry safe_to_bootstrap: 1 (set before the start); nothing else appeared but
    // the agent's documented copy of the last Primary view (taken before it stopped the server), and
    // no transfer marker (a bootstrap is no join)
    let after = snapshot(&lab.dir.join("data"));
    let added: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(
        added.iter().all(|k| {
            let name = k.to_string_lossy();
            !name.contains("galera-ocf") || name.ends_with("galera-ocf-view.sst")
        }),
        "{added:?}"
    );
}

#[test]
fn wrong_check_credentials_fail_the_monitor_with_a_reason() {
    let lab = Lab::new("creds");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    let bad = lab
        .agent()
        .set("OCF_RESKEY_CRM_meta_interval", "10000")
        .param("check_user", "nobody_here")
        .param("check_passwd", "secret-value");
    let r = lab.run(&bad, "monitor");
    ok(&r, 9);
    let reason = r.one_reason();
    assert!(reason.contains("check user was refused"), "{reason}");
    assert!(
        !r.stderr.contains("secret-value"),
        "the password must never be printed"
    );
    ok(&lab.act("stop"), 0);
}

#[test]
fn garbage_grastate_takes_the_recover_path_without_touching_the_file() {
    let lab = Lab::new("garbage");
    let g = lab.dir.join("data/grastate.dat");
    std::fs::write(
        &g,
        "# GALERA saved state\nversion: 2.1\nuuid: not-a-uuid\nseqno: x\n",
    )
    .unwrap();
    ok(&lab.act("start"), 0);
    assert_eq!(lab.report().unwrap().state, NodeState::Recovered);
    assert_eq!(
        std::fs::read_to_string(&g).unwrap(),
        "# GALERA saved state\nversion: 2.1\nuuid: not-a-uuid\nseqno: x\n"
    );
    ok(&lab.act("stop"), 0);
}

/// The exact ocf-tester command (README): run as root inside a private network namespace, with
/// `CIB_file` pointing at a CIB file that lists node1 (see `CIB` above) and `HA_RSCTMP` at a scratch
/// directory:
///
/// ```text
/// ocf-tester -n galera -o CRM_meta_on_node=node1 -o wsrep_cluster_address=gcomm://127.0.0.1 \
///     -o cluster_host_map=node1:127.0.0.1 -o config=DIR/my.cnf -o datadir=DIR/data \
///     -o pid=DIR/run/mysqld.pid -o socket=DIR/run/mysqld.sock -o log=DIR/run/error.log \
///     /path/to/galera-ocf
/// ```
#[test]
fn ocf_tester_passes() {
    let lab = Lab::new("tester");
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", &lab.ns.0, "ocf-tester", "-n", "galera"]);
    for (k, v) in [
        ("CRM_meta_on_node", NODE.to_owned()),
        ("wsrep_cluster_address", "gcomm://127.0.0.1".to_owned()),
        ("cluster_host_map", "node1:127.0.0.1".to_owned()),
        ("config", lab.path("my.cnf")),
        ("datadir", lab.path("data")),
        ("pid", lab.path("run/mysqld.pid")),
        ("socket", lab.path("run/mysqld.sock")),
        ("log", lab.path("run/error.log")),
    ] {
        cmd.arg("-o").arg(format!("{k}={v}"));
    }
    let out = cmd
        .arg(support::BIN)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("CIB_file", lab.path("cib.xml"))
        .env("HA_RSCTMP", lab.path("run"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("passed all tests"), "{text}");
    assert!(lab.servers().is_empty());
}

#[test]
fn password_never_reaches_a_child_and_files_are_private() {
    let lab = Lab::new("secret");
    let secret = "s3cret-never-shown";
    let agent = lab.agent().param("check_passwd", secret);
    ok(&lab.run(&agent, "start"), 0);
    ok(&lab.run(&agent, "promote"), 0);
    let pids = lab.servers();
    assert_eq!(pids.len(), 1);
    for file in ["cmdline", "environ"] {
        let bytes = std::fs::read(format!("/proc/{}/{file}", pids[0])).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(secret),
            "the password is in mariadbd's {file}"
        );
        assert!(
            !String::from_utf8_lossy(&bytes).contains("OCF_RESKEY_"),
            "OCF_RESKEY_* leaked into mariadbd's {file}"
        );
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &str| {
        std::fs::metadata(lab.dir.join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("run/galera-ocf-galera.state"), 0o600);
    assert_eq!(
        mode("run/error.log") & 0o007,
        0,
        "server log not world-readable"
    );
    ok(&lab.run(&agent, "stop"), 0);
}

/// reload-agent under a running, Promoted server: a new password that MariaDB refuses fails the reload
/// with its reason (and without printing the password); the accepted one succeeds; neither touches the
/// server (same PIDs), and a monitor with the new credentials is Promoted.
#[test]
fn reload_agent_checks_the_new_login_and_leaves_the_server_alone() {
    let lab = Lab::new("reload");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    let before = lab.servers();
    assert_eq!(before.len(), 1, "{before:?}");
    lab.sql("CREATE USER 'galera_check'@'localhost' IDENTIFIED BY 'rotated-pw'");
    let with = |pw: &str| {
        lab.agent()
            .param("check_user", "galera_check")
            .param("check_passwd", pw)
    };
    let r = lab.run(&with("stale-pw"), "reload-agent");
    ok(&r, 1);
    assert!(r
        .one_reason()
        .starts_with("reload refused: check_user galera_check cannot log in"));
    assert!(
        !r.stderr.contains("stale-pw"),
        "the password must never be printed"
    );
    ok(&lab.run(&with("rotated-pw"), "reload-agent"), 0);
    assert_eq!(lab.servers(), before);
    ok(
        &lab.run(
            &with("rotated-pw").set("OCF_RESKEY_CRM_meta_interval", "10000"),
            "monitor",
        ),
        8,
    );
    ok(&lab.act("stop"), 0);
}

#[test]
fn deeper_monitor_levels_read_a_table() {
    let lab = Lab::new("levels");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    let deep = |level: &str, table: &str| {
        lab.agent()
            .set("OCF_RESKEY_CRM_meta_interval", "10000")
            .set("OCF_CHECK_LEVEL", level)
            .param("test_table", table)
    };
    ok(&lab.run(&deep("10", "mysql.user"), "monitor"), 8);
    ok(&lab.run(&deep("20", "mysql.user"), "monitor"), 8);
    // The default table exists on a fresh datadir (mariadb-install-db) and is readable.
    let default_table = lab
        .agent()
        .set("OCF_RESKEY_CRM_meta_interval", "10000")
        .set("OCF_CHECK_LEVEL", "20");
    ok(&lab.run(&default_table, "monitor"), 8);
    let r = lab.run(&deep("20", "nosuch.table"), "monitor");
    ok(&r, 9);
    assert!(r.one_reason().contains("nosuch"));
    ok(&lab.act("stop"), 0);
}

/// Issue 16: what the node offers clients (`galera-synced`: 1, desynced, 0) follows an admin's
/// wsrep_desync, wsrep_reject_queries and read_only, while the monitor keeps saying Promoted (8): MariaDB
/// answers the monitor's SHOW statements even with reject_queries=ALL or ALL_KILL. read_only ON makes the node
/// a fallback (`desynced`) and fails only at OCF_CHECK_LEVEL=10.
#[test]
fn monitor_publishes_what_the_node_offers_clients() {
    let lab = Lab::new("serving");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    let synced = || lab.attrs().get("galera-synced").cloned();
    assert_eq!(synced().as_deref(), Some("1"));
    for (set, want) in [
        ("wsrep_desync=ON", "desynced"),
        ("wsrep_desync=OFF", "1"),
        ("wsrep_reject_queries=ALL", "0"),
        ("wsrep_reject_queries=NONE", "1"),
        ("wsrep_reject_queries=ALL_KILL", "0"),
        ("wsrep_reject_queries=NONE", "1"),
        // read_only is a fallback (reads are still served), not 0: decide::monitor's module docs say why.
        ("read_only=ON", "desynced"),
    ] {
        lab.sql(&format!("SET GLOBAL {set}"));
        ok(&lab.monitor(), 8);
        assert_eq!(synced().as_deref(), Some(want), "after SET GLOBAL {set}");
    }
    let deep = lab
        .agent()
        .set("OCF_RESKEY_CRM_meta_interval", "10000")
        .set("OCF_RESKEY_CRM_meta_role", "Promoted")
        .set("OCF_CHECK_LEVEL", "10");
    let r = lab.run(&deep, "monitor");
    ok(&r, 9);
    assert!(r.one_reason().contains("read_only is ON"), "{}", r.stderr);
    lab.sql("SET GLOBAL read_only=OFF");
    ok(&lab.monitor(), 8);
    assert_eq!(synced().as_deref(), Some("1"));
    ok(&lab.act("stop"), 0);
}

/// Two agent "nodes" (n1 on 127.0.0.1, n2 on 127.0.0.2) in one network namespace, one CIB file.
struct Pair {
    _servers: [ServerGuard; 2],
    ns: Netns,
    dir: TempDir,
}

const CIB2: &str = r#"<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes><resources/><constraints/></configuration>
  <status><node_state id="1" uname="n1"/><node_state id="2" uname="n2"/></status>
</cib>
"#;

fn pair_cnf(ip: &str) -> String {
    format!(
        "[mysqld]
bind-address={ip}
binlog_format=ROW
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
wsrep_on=ON
wsrep_provider={PROVIDER}
wsrep_provider_options=\"gcache.size=16M;gmcast.listen_addr=tcp://{ip}:4567;ist.recv_addr={ip}:4568\"
wsrep_cluster_name=galera-ocf-pair
wsrep_node_address={ip}
wsrep_sst_method=rsync
"
    )
}

impl Pair {
    fn new() -> Pair {
        prerequisites();
        let dir = TempDir::new("pair");
        let mysql = nix::unistd::User::from_name("mysql").unwrap().unwrap();
        for (n, ip) in [("n1", "127.0.0.1"), ("n2", "127.0.0.2")] {
            let run = dir.join(&format!("{n}/run"));
            std::fs::create_dir_all(&run).unwrap();
            std::os::unix::fs::chown(&run, Some(mysql.uid.as_raw()), Some(mysql.gid.as_raw()))
                .unwrap();
            install_db(&dir.join(&format!("{n}/data")), &run);
            std::fs::write(dir.join(&format!("{n}/my.cnf")), pair_cnf(ip)).unwrap();
        }
        std::fs::write(dir.join("cib.xml"), CIB2).unwrap();
        Pair {
            _servers: [
                ServerGuard {
                    datadir: dir.join("n1/data"),
                },
                ServerGuard {
                    datadir: dir.join("n2/data"),
                },
            ],
            ns: Netns::new("pair"),
            dir,
        }
    }

    fn agent(&self, node: &str) -> Agent {
        let p = |rel: &str| {
            self.dir
                .join(&format!("{node}/{rel}"))
                .display()
                .to_string()
        };
        Agent::new()
            .set("CIB_file", self.dir.join("cib.xml").display().to_string())
            .set("OCF_RESOURCE_INSTANCE", "galera:0")
            .set("HA_RSCTMP", p("run"))
            .set("OCF_RESKEY_CRM_meta_on_node", node)
            .set("OCF_RESKEY_CRM_meta_timeout", "120000")
            .param("wsrep_cluster_address", "gcomm://127.0.0.1,127.0.0.2")
            .param("cluster_host_map", "n1:127.0.0.1;n2:127.0.0.2")
            .param("config", p("my.cnf"))
            .param("datadir", p("data"))
            .param("pid", p("run/mysqld.pid"))
            .param("socket", p("run/mysqld.sock"))
            .param("log", p("run/error.log"))
    }

    fn run(&self, agent: &Agent, action: &str) -> Ran {
        self.ns.run_agent(agent, action)
    }

    fn act(&self, node: &str, action: &str) -> Ran {
        self.run(&self.agent(node), action)
    }

    fn monitor(&self, node: &str) -> Ran {
        self.run(
            &self
                .agent(node)
                .set("OCF_RESKEY_CRM_meta_interval", "10000"),
            "monitor",
        )
    }

    fn notify(&self, node: &str, kind: &str, op: &str, promoted: &str, promote: &str) -> Ran {
        let a = self
            .agent(node)
            .set("OCF_RESKEY_CRM_meta_notify_type", kind)
            .set("OCF_RESKEY_CRM_meta_notify_operation", op)
            .set("OCF_RESKEY_CRM_meta_notify_promoted_uname", promoted)
            .set("OCF_RESKEY_CRM_meta_notify_promote_uname", promote);
        self.run(&a, "notify")
    }

    fn node_attrs(&self, node: &str) -> BTreeMap<String, String> {
        cib_node_attrs(&self.dir.join("cib.xml"), node)
    }

    fn score(&self, node: &str) -> Option<String> {
        self.node_attrs(node).get("master-galera").cloned()
    }

    fn sql(&self, node: &str, q: &str) -> String {
        self.ns
            .sql(&self.dir.join(&format!("{node}/run/mysqld.sock")), q)
    }
}

#[test]
fn two_nodes_cold_start_elects_one_bootstrap_and_the_other_joins() {
    let p = Pair::new();
    ok(&p.act("n1", "start"), 0);
    assert_eq!(
        p.score("n1"),
        None,
        "n2 has not reported yet: nobody bootstraps"
    );
    ok(&p.act("n2", "start"), 0);
    assert_eq!(
        p.score("n2"),
        None,
        "fresh cluster: the lowest name (n1) bootstraps, n2 waits"
    );
    // post-start notification (all starts of the transition done): n1 elects itself at once
    ok(&p.notify("n1", "post", "start", "", ""), 0);
    assert_eq!(p.score("n1").as_deref(), Some("100"));
    ok(&p.monitor("n1"), 0);
    // A promote the verdict declines succeeds without starting mariadbd (issue 13: a failure would count
    // towards migration-threshold and ban a node the election may wait for) and takes the score away.
    let declined = p.act("n2", "promote");
    ok(&declined, 0);
    assert!(
        declined.stderr.contains("promote declined") && declined.stderr.contains("n1 bootstraps"),
        "{}",
        declined.stderr
    );
    assert!(
        !declined.stderr.contains("ocf-exit-reason"),
        "{}",
        declined.stderr
    );
    assert_eq!(
        p.score("n2"),
        None,
        "a declined promote leaves no score behind"
    );

    // Pacemaker promotes n1 (notifications around it), then n2 gets its score from post-promote.
    ok(&p.notify("n1", "pre", "promote", "", "n1"), 0);
    ok(&p.notify("n2", "pre", "promote", "", "n1"), 0);
    ok(&p.act("n1", "promote"), 0);
    ok(&p.notify("n2", "post", "promote", "", "n1"), 0);
    assert_eq!(p.score("n2").as_deref(), Some("100"));

    ok(&p.notify("n2", "pre", "promote", "n1", "n2"), 0);
    ok(&p.act("n2", "promote"), 0);
    ok(&p.monitor("n1"), 8);
    ok(&p.monitor("n2"), 8);
    assert_eq!(
        p.sql("n2", "SHOW STATUS LIKE 'wsrep_cluster_size'"),
        "wsrep_cluster_size\t2"
    );

    // a write on one is read on the other
    p.sql("n1", "CREATE DATABASE pair; CREATE TABLE pair.x (id INT PRIMARY KEY); INSERT INTO pair.x VALUES (7)");
    let seen = poll_until(Duration::from_secs(20), || {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &p.ns.0,
                "mariadb",
                "--no-defaults",
                "-uroot",
                "-N",
                "-B",
            ])
            .arg(format!(
                "--socket={}",
                p.dir.join("n2/run/mysqld.sock").display()
            ))
            .args(["-e", "SELECT id FROM pair.x"])
            .output()
            .ok()?;
        (String::from_utf8_lossy(&out.stdout).trim() == "7").then_some(())
    });
    assert!(seen.is_some(), "the row replicated to n2");

    // n2 leaves cleanly and is told to rejoin by its next monitor (n1 still Primary)
    ok(&p.act("n2", "demote"), 0);
    assert_eq!(p.score("n2"), None);
    ok(&p.monitor("n2"), 0);
    assert_eq!(p.score("n2").as_deref(), Some("100"));
    ok(&p.act("n2", "stop"), 0);
    ok(&p.act("n1", "stop"), 0);
    assert!(p.node_attrs("n1").is_empty() && p.node_attrs("n2").is_empty());
}

#[test]
fn joiner_that_cannot_sync_in_time_stops_its_server_and_fails() {
    let p = Pair::new();
    ok(&p.act("n1", "start"), 0);
    ok(&p.act("n2", "start"), 0);
    // n1 claims to run a Primary component but nothing listens there: n2 can never sync.
    let fake = "--update=v1 uuid=6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10 seqno=9 safe_to_bootstrap=0 state=primary at=1795000000";
    let out = Command::new("crm_attribute")
        .args([
            "--node=n1",
            "--lifetime=reboot",
            "--name=galera-report",
            fake,
        ])
        .env("CIB_file", p.dir.join("cib.xml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    // Nothing listens on n1's Galera port: the claim is stale, n2 declines at once without starting
    // mariadbd (issue 13: a failed promote would count towards a ban).
    let declined = p.run(
        &p.agent("n2").set("OCF_RESKEY_CRM_meta_timeout", "15000"),
        "promote",
    );
    ok(&declined, 0);
    assert!(
        declined.stderr.contains("promote declined")
            && declined
                .stderr
                .contains("n1 claims the Primary component but nothing answers on its Galera port"),
        "{}",
        declined.stderr
    );
    assert!(scan(Path::new(MARIADBD), &p.dir.join("n2/data")).is_empty());
    assert_eq!(p.score("n2"), None);
    // Until Pacemaker demotes it, its Promoted monitor reports it running (no failure to count) and the
    // synced attribute at 0 keeps the VIP away.
    let promoted_monitor = p.run(
        &p.agent("n2")
            .set("OCF_RESKEY_CRM_meta_interval", "10000")
            .set("OCF_RESKEY_CRM_meta_role", "Promoted"),
        "monitor",
    );
    ok(&promoted_monitor, 8);
    assert_eq!(
        p.node_attrs("n2").get("galera-synced").map(String::as_str),
        Some("0")
    );
    ok(&p.act("n2", "demote"), 0);
    let after_demote = p.run(
        &p.agent("n2")
            .set("OCF_RESKEY_CRM_meta_interval", "10000")
            .set("OCF_RESKEY_CRM_meta_role", "Promoted"),
        "monitor",
    );
    assert_ne!(after_demote.code, 8, "the grace ends with the demote");
    // Something answers on the port (the agent's checks connect and close), but no Primary component
    // forms: the joiner waits, bounded, then stops cleanly and fails; it never bootstraps. (socat forks a
    // child per connection; each ends when its peer closes, the listener is ended below.)
    let mut listener = Command::new("ip")
        .args(["netns", "exec", &p.ns.0, "socat", "-u"])
        .args(["TCP-LISTEN:4567,bind=127.0.0.1,reuseaddr,fork", "/dev/null"])
        .spawn()
        .unwrap();
    poll_until(Duration::from_secs(10), || {
        Command::new("ip")
            .args(["netns", "exec", &p.ns.0, "ss", "-Hltn", "sport = :4567"])
            .output()
            .ok()
            .filter(|o| !o.stdout.is_empty())
    })
    .expect("the stand-in listener is up");
    let r = p.run(
        &p.agent("n2").set("OCF_RESKEY_CRM_meta_timeout", "15000"),
        "promote",
    );
    let _ = listener.kill();
    let _ = listener.wait();
    ok(&r, 1);
    let reason = r.one_reason();
    assert!(reason.contains("promote failed"), "{reason}");
    assert!(
        scan(Path::new(MARIADBD), &p.dir.join("n2/data")).is_empty(),
        "the joiner's mariadbd was stopped"
    );
    // The join ended before Synced: the durable transfer marker stays, and the next start publishes no
    // usable position (issue 13: an interrupted transfer never bootstraps, never passes a position).
    assert!(p.dir.join("n2/data/galera-ocf-joining.sst").exists());
    ok(&p.act("n2", "stop"), 0);
    ok(&p.act("n2", "start"), 0);
    let r2 = Report::parse(&p.node_attrs("n2")["galera-report"]).unwrap();
    assert_eq!(r2.state, NodeState::Incomplete);
    assert!(!r2.position.seqno.is_known());
    ok(&p.act("n2", "stop"), 0);
    ok(&p.act("n1", "stop"), 0);
}

#[test]
fn an_interrupted_transfer_never_bootstraps_even_when_forced() {
    let lab = Lab::new("incomplete");
    // A clean, complete-looking grastate.dat, as a half-finished rsync could leave behind.
    let g = lab.dir.join("data/grastate.dat");
    let text = "# GALERA saved state\nversion: 2.1\nuuid:    6b3c7a4e-0d0f-11ee-8e9a-2b9d5f1c3a10\nseqno:   42\nsafe_to_bootstrap: 1\n";
    std::fs::write(&g, text).unwrap();
    std::fs::write(lab.dir.join("data/galera-ocf-joining.sst"), "joining\n").unwrap();
    ok(&lab.act("start"), 0);
    let r = lab.report().unwrap();
    assert_eq!(r.state, NodeState::Incomplete);
    assert!(
        !r.position.seqno.is_known(),
        "no position from grastate.dat"
    );
    assert!(!r.safe_to_bootstrap);
    assert_eq!(lab.score(), None, "the election never picks it");
    let out = Command::new("crm_attribute")
        .args([
            &format!("--node={NODE}"),
            "--lifetime=reboot",
            "--name=galera-force-bootstrap",
            "--update=1",
        ])
        .env("CIB_file", lab.dir.join("cib.xml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let promote = lab.act("promote");
    ok(&promote, 1);
    assert!(
        promote.one_reason().contains("interrupted state transfer"),
        "{}",
        promote.stderr
    );
    assert!(lab.servers().is_empty(), "no mariadbd was started");
    assert_eq!(
        std::fs::read_to_string(&g).unwrap(),
        text,
        "grastate.dat untouched"
    );
    ok(&lab.act("stop"), 0);
}

#[test]
fn stop_escalates_to_sigkill_only_near_the_deadline() {
    let lab = Lab::new("sigkill");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    let pids = lab.servers();
    assert_eq!(pids.len(), 1);
    // A stopped (SIGSTOP) server cannot act on SIGTERM.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pids[0]),
        nix::sys::signal::SIGSTOP,
    )
    .unwrap();
    let r = lab.run(
        &lab.agent().set("OCF_RESKEY_CRM_meta_timeout", "12000"),
        "stop",
    );
    ok(&r, 0);
    assert!(
        r.stderr.contains("SIGKILL"),
        "the escalation is logged: {}",
        r.stderr
    );
    assert!(lab.servers().is_empty());
}

#[test]
fn monitor_reports_a_state_transfer_as_promoted_but_not_synced() {
    let lab = Lab::new("sst");
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    assert_eq!(
        lab.attrs().get("galera-synced").map(String::as_str),
        Some("1")
    );
    // What a joiner looks like during SST: mariadbd runs, no socket yet, sst_in_progress in the datadir.
    let sock = lab.dir.join("run/mysqld.sock");
    std::fs::remove_file(&sock).unwrap();
    std::fs::write(lab.dir.join("data/sst_in_progress"), "").unwrap();
    ok(&lab.monitor(), 8);
    assert_eq!(
        lab.attrs().get("galera-synced").map(String::as_str),
        Some("0")
    );
    assert_eq!(
        lab.score().as_deref(),
        Some("100"),
        "a transfer is not restarted by a demote"
    );
    // Without the SST marker an unreachable server is a failure.
    std::fs::remove_file(lab.dir.join("data/sst_in_progress")).unwrap();
    let r = lab.monitor();
    ok(&r, 9);
    assert!(r.one_reason().contains("cannot connect"), "{}", r.stderr);
    ok(&lab.act("stop"), 0);
}

#[test]
fn enable_creation_initialises_an_empty_datadir() {
    let lab = Lab::new("create");
    let fresh = lab.dir.join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    let mysql = nix::unistd::User::from_name("mysql").unwrap().unwrap();
    std::os::unix::fs::chown(&fresh, Some(mysql.uid.as_raw()), Some(mysql.gid.as_raw())).unwrap();
    let _guard = ServerGuard {
        datadir: fresh.clone(),
    };
    let agent = lab
        .agent()
        .param("datadir", fresh.display().to_string())
        .param("enable_creation", "true");
    ok(&lab.run(&agent, "start"), 0);
    assert!(fresh.join("mysql").is_dir(), "system tables created");
    ok(&lab.run(&agent, "promote"), 0);
    ok(
        &lab.run(
            &agent.clone().set("OCF_RESKEY_CRM_meta_interval", "10000"),
            "monitor",
        ),
        8,
    );
    ok(&lab.run(&agent, "stop"), 0);
}

/// The programs the agent ran during one action (strace's execve log, the agent itself excluded).
fn execs_during(lab: &Lab, agent: &Agent, action: &str) -> (i32, Vec<String>) {
    let trace = lab.dir.join(&format!("strace-{action}.txt"));
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            &lab.ns.0,
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=execve",
            "-o",
        ])
        .arg(&trace)
        .arg(support::BIN)
        .arg(action)
        .env_clear()
        .envs(&agent.env)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&trace).unwrap();
    let execs = text
        .lines()
        .filter(|l| l.contains("execve(") && !l.contains(support::BIN))
        .map(str::to_owned)
        .collect();
    (out.status.code().unwrap_or(-1), execs)
}

#[test]
fn steady_state_monitor_and_probe_of_a_stopped_resource_fork_nothing() {
    require(&["/usr/bin/strace"]);
    let lab = Lab::new("forks");
    let probe = lab.agent();
    let (code, execs) = execs_during(&lab, &probe, "monitor");
    assert_eq!(code, 7);
    assert!(
        execs.is_empty(),
        "probe of a stopped resource ran {execs:?}"
    );
    ok(&lab.act("start"), 0);
    ok(&lab.act("promote"), 0);
    let recurring = lab.agent().set("OCF_RESKEY_CRM_meta_interval", "10000");
    ok(&lab.run(&recurring, "monitor"), 8);
    let (code, execs) = execs_during(&lab, &recurring, "monitor");
    assert_eq!(code, 8);
    assert!(
        execs.is_empty(),
        "steady-state Promoted monitor ran {execs:?}"
    );
    // control: an Unpromoted monitor re-runs the election, which reads the CIB (so the trace works)
    ok(&lab.act("demote"), 0);
    let (code, execs) = execs_during(&lab, &recurring, "monitor");
    assert_eq!(code, 0);
    assert!(execs.iter().any(|e| e.contains("cibadmin")), "{execs:?}");
    ok(&lab.act("stop"), 0);
}

// ---- issue 13: a server the agent did not start -------------------------------------------------------

/// A mariadbd started the way an admin, `galera_new_cluster` or a systemd unit does it, not by the agent:
/// through a symlink named `mysqld`, with `--defaults-file` only, the datadir only in that file. `ip netns
/// exec` execs, so the child's pid is mariadbd's; the guard SIGKILLs and reaps exactly that pid on drop,
/// also when the test fails.
struct HandStarted {
    child: Child,
    log: PathBuf,
}

impl HandStarted {
    /// Start it in `ns` with the option file `cnf` (written here) and wait until `socket` answers SQL.
    fn start(ns: &Netns, dir: &Path, name: &str, cnf: &str, socket: &Path) -> HandStarted {
        Self::start_wrapped(ns, dir, name, cnf, socket, &[])
    }

    /// [`start`](Self::start) with `wrapper` (e.g. `unshare … sh -c '… exec "$0" "$@"'`) in front of the
    /// server's command line; the wrapper must exec the server, so that the pid stays the same.
    fn start_wrapped(
        ns: &Netns,
        dir: &Path,
        name: &str,
        cnf: &str,
        socket: &Path,
        wrapper: &[&str],
    ) -> HandStarted {
        let bin = dir.join(format!("{name}-bin"));
        std::fs::create_dir_all(&bin).unwrap();
        let mysqld = bin.join("mysqld");
        let _ = std::fs::remove_file(&mysqld);
        std::os::unix::fs::symlink(MARIADBD, &mysqld).unwrap();
        let file = dir.join(format!("{name}.cnf"));
        std::fs::write(&file, cnf).unwrap();
        let child = Command::new("ip")
            .args(["netns", "exec", &ns.0])
            .args(wrapper)
            .arg(&mysqld)
            .arg(format!("--defaults-file={}", file.display()))
            .arg("--wsrep-new-cluster")
            .current_dir("/")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let log = dir.join(format!("{name}-error.log"));
        let mut server = HandStarted { child, log };
        let answers = poll_until(Duration::from_secs(90), || {
            if server.child.try_wait().ok().flatten().is_some() {
                return Some(false);
            }
            let out = Command::new("ip")
                .args(["netns", "exec", &ns.0, "mariadb", "--no-defaults", "-uroot"])
                .arg(format!("--socket={}", socket.display()))
                .args([
                    "-N",
                    "-B",
                    "-e",
                    "SHOW STATUS LIKE 'wsrep_local_state_comment'",
                ])
                .output()
                .ok()?;
            String::from_utf8_lossy(&out.stdout)
                .contains("Synced")
                .then_some(true)
        });
        assert_eq!(
            answers,
            Some(true),
            "the hand-started mariadbd did not come up Synced:\n{}",
            std::fs::read_to_string(&server.log).unwrap_or_default()
        );
        server
    }

    fn pid(&self) -> i32 {
        i32::try_from(self.child.id()).unwrap()
    }

    /// Wait (bounded) for it to exit; its exit status.
    fn wait_exit(&mut self) -> std::process::ExitStatus {
        poll_until(Duration::from_secs(30), || {
            self.child.try_wait().ok().flatten()
        })
        .expect("the hand-started mariadbd exited")
    }
}

impl Drop for HandStarted {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(self.pid()),
                nix::sys::signal::SIGKILL,
            );
        }
        let _ = self.child.wait();
    }
}

/// The option file of a hand-started server: the test's settings plus what the agent would have passed
/// on the command line (datadir, socket, pid file, log, user, cluster address).
impl Lab {
    /// A server of this lab's datadir started by hand as an admin would (`mysqld` from a directory of its
    /// own, the datadir only in its option file), alone in a Primary component of its own.
    fn start_by_hand(&self, pid_file: &str) -> HandStarted {
        let socket = self.dir.join("run/mysqld.sock");
        let cnf = hand_cnf(
            MY_CNF,
            &self.dir.join("data"),
            &socket,
            &self.dir.join("run").join(pid_file),
            &self.dir.join("hand-error.log"),
            "gcomm://127.0.0.1",
        );
        HandStarted::start(&self.ns, self.dir.path(), "hand", &cnf, &socket)
    }
}

fn hand_cnf(
    base: &str,
    data: &Path,
    socket: &Path,
    pid: &Path,
    log: &Path,
    address: &str,
) -> String {
    format!(
        "{base}datadir={}\nsocket={}\npid-file={}\nlog-error={}\nuser=mysql\nwsrep_cluster_address={address}\n",
        data.display(),
        socket.display(),
        pid.display(),
        log.display()
    )
}

fn cmdline_of(pid: i32) -> String {
    String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).unwrap())
        .replace('\0', " ")
}

#[test]
fn hand_started_server_is_probed_refused_by_start_and_stopped() {
    require(&["/usr/bin/strace"]);
    let lab = Lab::new("hand");
    let data = lab.dir.join("data");
    let mut server = lab.start_by_hand("mysqld.pid");
    let pid = server.pid();
    let argv = cmdline_of(pid);
    assert!(
        argv.starts_with(&format!("{}/hand-bin/mysqld ", lab.dir.path().display()))
            && !argv.contains("--datadir"),
        "started as an admin would: {argv}"
    );
    assert_eq!(lab.servers(), vec![pid]);
    let survey = Target::new(Path::new(MARIADBD), &data).survey();
    assert_eq!(survey.servers[0].evidence, Evidence::WorkingDirectory);
    assert_eq!(
        survey.lock,
        Lock::Held(pid),
        "F_GETLK names the holder of ibdata1"
    );

    // probe: it runs, Synced in its own Primary component → 8 (not 7), published like the agent's own
    let probe = lab.act("monitor");
    ok(&probe, 8);
    assert!(
        probe.stderr.contains("without a start recorded"),
        "{}",
        probe.stderr
    );
    assert_eq!(lab.report().unwrap().state, NodeState::Primary);

    // start refuses, names the pid and the evidence, and runs nothing (no --wsrep-recover)
    let marker = lab.dir.join("run/galera-ocf-galera.state");
    let adopted = std::fs::read(&marker).expect("the probe recorded the Promoted instance");
    let refused = lab.act("start");
    ok(&refused, 1);
    let reason = refused.one_reason();
    assert!(
        reason.contains(&format!("pid {pid} ")) && reason.contains("working directory"),
        "{reason}"
    );
    let (code, execs) = execs_during(&lab, &lab.agent(), "start");
    assert_eq!(code, 1);
    assert!(execs.is_empty(), "a refused start ran {execs:?}");
    assert!(!lab.dir.join("run/galera-ocf-galera-recover.log").exists());
    assert_eq!(std::fs::read(&marker).unwrap(), adopted);
    assert_eq!(lab.servers(), vec![pid], "the server was left alone");

    // stop: SIGTERM, a clean shutdown, 0 only once it is gone
    let stopped = lab.act("stop");
    ok(&stopped, 0);
    assert!(
        stopped.stderr.contains(&format!("pid {pid} ")),
        "{}",
        stopped.stderr
    );
    let status = server.wait_exit();
    assert!(status.success(), "a clean shutdown, not a kill: {status}");
    assert!(lab.servers().is_empty());
    assert!(lab.attrs().is_empty(), "{:?}", lab.attrs());
    ok(&lab.act("monitor"), 7);
}

#[test]
fn hand_started_servers_of_two_datadirs_are_told_apart() {
    let p = Pair::new();
    let path = |rel: &str| p.dir.join(rel);
    // n2's server writes its pid into the pid file n1's agent reads: the pid file alone must not decide.
    let cnf1 = hand_cnf(
        &pair_cnf("127.0.0.1"),
        &path("n1/data"),
        &path("n1/run/mysqld.sock"),
        &path("n1/run/hand.pid"),
        &path("n1-error.log"),
        "gcomm://",
    );
    let cnf2 = hand_cnf(
        &pair_cnf("127.0.0.2"),
        &path("n2/data"),
        &path("n2/run/mysqld.sock"),
        &path("n1/run/mysqld.pid"),
        &path("n2-error.log"),
        "gcomm://",
    );
    let mut s1 = HandStarted::start(
        &p.ns,
        p.dir.path(),
        "n1",
        &cnf1,
        &path("n1/run/mysqld.sock"),
    );
    let mut s2 = HandStarted::start(
        &p.ns,
        p.dir.path(),
        "n2",
        &cnf2,
        &path("n2/run/mysqld.sock"),
    );
    let (pid1, pid2) = (s1.pid(), s2.pid());
    assert_eq!(
        std::fs::read_to_string(path("n1/run/mysqld.pid"))
            .unwrap()
            .trim(),
        pid2.to_string()
    );
    assert_eq!(scan(Path::new(MARIADBD), &path("n1/data")), vec![pid1]);
    assert_eq!(scan(Path::new(MARIADBD), &path("n2/data")), vec![pid2]);

    let probe = |node: &str| p.run(&p.agent(node), "monitor");
    ok(&probe("n1"), 8);
    ok(&probe("n2"), 8);

    // stopping n1 stops n1's server only
    ok(&p.act("n1", "stop"), 0);
    assert!(s1.wait_exit().success());
    assert_eq!(scan(Path::new(MARIADBD), &path("n2/data")), vec![pid2]);
    assert!(nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid2), None).is_ok());
    // a pid file naming another datadir's live server is not "stale": it stays
    ok(&p.act("n1", "stop"), 0);
    assert!(path("n1/run/mysqld.pid").exists());
    ok(&probe("n1"), 7);
    ok(&probe("n2"), 8);
    ok(&p.act("n2", "stop"), 0);
    assert!(s2.wait_exit().success());
    ok(&probe("n2"), 7);
}

#[test]
fn hand_started_server_out_of_sight_of_the_pid_namespace_blocks_start_and_stop() {
    let lab = Lab::new("pidns");
    let mut server = lab.start_by_hand("hand.pid");
    // The agent in a PID namespace of its own (as in a container): /proc shows no mariadbd, only the
    // InnoDB lock (F_GETLK: write-locked, pid 0) tells that the datadir is in use.
    let hidden = |action: &str| {
        let out = Command::new("ip")
            .args([
                "netns",
                "exec",
                &lab.ns.0,
                "unshare",
                "--pid",
                "--fork",
                "--mount-proc",
            ])
            .arg(support::BIN)
            .arg(action)
            .env_clear()
            .envs(&lab.agent().env)
            .output()
            .unwrap();
        let ran = Ran::from(out);
        eprintln!(
            "--- {action} (own PID namespace) → {}\n{}",
            ran.code, ran.stderr
        );
        ran
    };
    ok(&hidden("monitor"), 8);
    let start = hidden("start");
    ok(&start, 1);
    assert!(
        start.one_reason().contains("outside this PID namespace"),
        "{}",
        start.stderr
    );
    let stop = hidden("stop");
    ok(&stop, 1);
    assert!(
        stop.one_reason().contains("cannot be stopped"),
        "{}",
        stop.stderr
    );
    assert_eq!(lab.servers(), vec![server.pid()]);
    // from the server's PID namespace, stop sees and stops it
    ok(&lab.act("stop"), 0);
    assert!(server.wait_exit().success());
    ok(&hidden("monitor"), 7);
}

/// The lab's nodes and containers: a mariadbd in another mount namespace whose `/var/lib/mysql` is a bind
/// mount of another directory shows that path as its working directory and on its command line. It is not
/// this host's datadir of the same path: the agent must neither report nor stop it.
#[test]
fn server_of_the_same_datadir_path_in_another_mount_namespace_is_not_ours() {
    let lab = Lab::new("mntns");
    let data = lab.dir.join("data");
    let elsewhere = lab.dir.join("elsewhere");
    install_db(&elsewhere, &lab.dir.join("run"));
    let socket = lab.dir.join("run/elsewhere.sock");
    let cnf = hand_cnf(
        MY_CNF,
        &data,
        &socket,
        &lab.dir.join("run/elsewhere.pid"),
        &lab.dir.join("elsewhere-error.log"),
        "gcomm://127.0.0.1",
    );
    let bind = format!(
        "mount --bind {} {} && exec \"$0\" \"$@\" --datadir={}",
        elsewhere.display(),
        data.display(),
        data.display()
    );
    let wrapper = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-c",
        &bind,
    ];
    let mut server = HandStarted::start_wrapped(
        &lab.ns,
        lab.dir.path(),
        "elsewhere",
        &cnf,
        &socket,
        &wrapper,
    );
    let pid = server.pid();
    // the trap is real: by their text, cwd and --datadir name this test's datadir
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap();
    assert_eq!(cwd, data);
    assert!(cmdline_of(pid).contains(&format!("--datadir={}", data.display())));
    // but they are another directory
    assert!(
        lab.servers().is_empty(),
        "matched a server of another directory"
    );
    assert_eq!(scan(Path::new(MARIADBD), &elsewhere), vec![pid]);
    ok(&lab.act("monitor"), 7);
    ok(&lab.act("stop"), 0);
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "stop left it alone"
    );
    assert_eq!(scan(Path::new(MARIADBD), &elsewhere), vec![pid]);
}
