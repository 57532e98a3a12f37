//! Admin commands, run by a person on any cluster node (no Pacemaker action context needed):
//!
//! - `galera-ocf status [--json]`: every node's published report and score, the election's current decision
//!   with its rule in one sentence, what it waits for and since when, and the override command.
//!   Exit: 0 a Primary component runs; 7 none runs (bootstrap pending or waiting); 6 the reports conflict
//!   (an administrator has to decide); 1 the cluster state could not be read.
//! - `galera-ocf bootstrap --force NODE [--yes]`: make NODE the bootstrap node although the election does
//!   not choose it. Refuses while a Primary component runs or when NODE has not reported; prints the seqno gap
//!   (what may be lost) and asks for confirmation unless `--yes`. It marks NODE with `<rsc>-force-bootstrap`,
//!   removes every other node's promotion score and gives NODE one; Pacemaker then promotes NODE.
//!
//! Both read the whole CIB with one `cibadmin --query`; the resource and its parameters come from the
//! `ocf:galera-ocf:galera` primitive there (or `OCF_RESOURCE_INSTANCE` / `OCF_RESKEY_*` when set).

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::time::Duration;

use crate::actions::{common, elect, members};
use crate::cli::Admin;
use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::election::Decision;
use crate::decide::NodeName;
use crate::edge::cib::{self, NodeAttrs};
use crate::error::Error;
use crate::galera::report::{NodeState, Report};
use crate::log::format_utc;
use crate::ocf::OcfStatus;

pub async fn run(cmd: Admin, env: &BTreeMap<String, String>) -> OcfStatus {
    let result = match cmd {
        Admin::Status { json } => status(json, env).await,
        Admin::Bootstrap { node, yes, .. } => bootstrap(&node, yes, env).await,
        Admin::Man => Ok(crate::man::print()),
    };
    result.unwrap_or_else(|e| {
        crate::log::exit_reason(&e.to_string());
        OcfStatus::ErrGeneric
    })
}

/// The cluster as the admin commands see it.
struct View {
    cfg: Config,
    attrs: NodeAttrs,
    expected: BTreeSet<NodeName>,
    reports: BTreeMap<NodeName, Report>,
    decision: Decision,
    forced: Option<String>,
    /// This node's name and the seqno its running server has committed by now (a primary node's report
    /// holds the seqno of its promote: the monitor does not republish on every write, to stay fork-free).
    live: Option<(String, i64)>,
}

/// Parameters: the CIB's primitive, overridden by OCF_* variables in the environment.
fn config_from(cib_xml: &str, env: &BTreeMap<String, String>) -> Result<Config, Error> {
    let prims = cib::parse_primitives(cib_xml).map_err(Error::Cib)?;
    let wanted = crate::config::resource_name(env).ok();
    let prim = match &wanted {
        Some(id) => prims.iter().find(|p| &p.id == id),
        None => prims.first(),
    };
    let mut merged: BTreeMap<String, String> = prim
        .map(|p| {
            p.params
                .iter()
                .map(|(k, v)| (format!("OCF_RESKEY_{k}"), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    merged.extend(
        env.iter()
            .filter(|(k, _)| k.starts_with("OCF_"))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let resource = wanted
        .or_else(|| prim.map(|p| p.id.clone()))
        .ok_or_else(|| {
            Error::Cib(
                "no ocf:galera-ocf:galera resource in the CIB (set OCF_RESOURCE_INSTANCE)".into(),
            )
        })?;
    Config::from_env(&merged, resource)
}

async fn view(env: &BTreeMap<String, String>) -> Result<View, Error> {
    let deadline = Deadline::after(Duration::from_secs(30));
    let xml = cib::query_all(deadline).await?;
    let cfg = config_from(&xml, env)?;
    let attrs = cib::parse_status(&xml).map_err(Error::Cib)?;
    let expected = members::expected(&cfg)?;
    let reports = common::reports(&cfg, &attrs);
    let decision = elect::decide(&expected, &reports, cfg.two_node_mode);
    let forced = elect::forced_node(&cfg.force_attr(), &attrs);
    // A hung local server must not hold up the whole status for long: the live seqno is a nicety.
    let live = live_seqno(&cfg, Deadline::after(Duration::from_secs(3))).await;
    Ok(View {
        cfg,
        attrs,
        expected,
        reports,
        decision,
        forced,
        live,
    })
}

/// The local server's `wsrep_last_committed`, when it runs and answers; status works without it.
async fn live_seqno(cfg: &Config, deadline: Deadline) -> Option<(String, i64)> {
    crate::edge::mysqld::find(cfg)?;
    let node = cib::local_node_name(deadline).await.ok()?;
    let snap = crate::edge::sql::snapshot(cfg, 0, deadline).await.ok()?;
    let status = crate::galera::status::WsrepStatus::from_rows(&snap.wsrep).ok()?;
    Some((node, status.last_committed?.get()))
}

/// Where a shown seqno comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeqnoAsOf {
    /// This node's running server, read now.
    Live,
    /// A primary node's report: the seqno of its promote (it grows while the node runs).
    Promote,
    /// A stopped node's report: its final position.
    Report,
}

impl SeqnoAsOf {
    fn as_str(self) -> &'static str {
        match self {
            SeqnoAsOf::Live => "live",
            SeqnoAsOf::Promote => "promote",
            SeqnoAsOf::Report => "report",
        }
    }
}

/// The seqno column: the live value for this node's running server, else the published one.
fn seqno_shown(v: &View, node: &str, r: &Report) -> (i64, SeqnoAsOf) {
    match &v.live {
        Some((n, seqno)) if n == node => (*seqno, SeqnoAsOf::Live),
        _ if r.state == NodeState::Primary => (r.position.seqno.get(), SeqnoAsOf::Promote),
        _ => (r.position.seqno.get(), SeqnoAsOf::Report),
    }
}

fn exit_for(d: &Decision) -> OcfStatus {
    match d {
        Decision::Join { .. } => OcfStatus::Success,
        Decision::Bootstrap { .. } | Decision::Wait { .. } => OcfStatus::NotRunning,
        Decision::Conflict { .. } => OcfStatus::ErrConfigured,
    }
}

/// All nodes to show: the expected ones and anyone else who published a report.
fn nodes(v: &View) -> BTreeSet<String> {
    v.expected
        .iter()
        .map(|n| n.as_str().to_owned())
        .chain(v.reports.keys().map(|n| n.as_str().to_owned()))
        .collect()
}

fn report_of<'a>(v: &'a View, node: &str) -> Option<&'a Report> {
    NodeName::new(node).ok().and_then(|n| v.reports.get(&n))
}

/// `<rsc>-synced`: 1 Synced, 0 running but not Synced (e.g. a state transfer under way), absent when stopped.
fn synced_of(v: &View, node: &str) -> Option<String> {
    v.attrs
        .get(node)
        .and_then(|a| a.get(&v.cfg.synced_attr()))
        .cloned()
}

fn score_of(v: &View, node: &str) -> Option<String> {
    v.attrs
        .get(node)
        .and_then(|a| a.get(&cib::promotion_attr(&v.cfg.resource)))
        .cloned()
}

/// Since when the cluster waits: the oldest report's time.
fn waiting_since(v: &View) -> Option<u64> {
    matches!(
        v.decision,
        Decision::Wait { .. } | Decision::Conflict { .. }
    )
    .then(|| v.reports.values().map(|r| r.at).min())
    .flatten()
}

/// The node an override would most sensibly name: the highest seqno among the reports.
fn best_candidate(v: &View) -> Option<String> {
    v.reports
        .iter()
        .max_by_key(|(n, r)| (r.position.seqno.get(), std::cmp::Reverse((*n).clone())))
        .map(|(n, _)| n.as_str().to_owned())
}

async fn status(json: bool, env: &BTreeMap<String, String>) -> Result<OcfStatus, Error> {
    let v = view(env).await?;
    let text = if json {
        render_json(&v)
    } else {
        render_text(&v)
    };
    print!("{text}");
    Ok(exit_for(&v.decision))
}

fn render_text(v: &View) -> String {
    let now = common::now();
    let mut s = format!(
        "resource {} (ocf:galera-ocf:galera), members: {}\n",
        v.cfg.resource,
        v.expected
            .iter()
            .map(NodeName::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    );
    s.push_str(&format!(
        "{:<16} {:<10} {:<36} {:>10} {:>4} {:>6} {:>5}  reported\n",
        "node", "state", "cluster uuid", "seqno", "safe", "synced", "score"
    ));
    for n in nodes(v) {
        let score = score_of(v, &n).unwrap_or_else(|| "-".into());
        let synced = synced_of(v, &n).unwrap_or_else(|| "-".into());
        match report_of(v, &n) {
            Some(r) => s.push_str(&format!(
                "{n:<16} {:<10} {:<36} {:>10} {:>4} {synced:>6} {score:>5}  {} ({} s ago)\n",
                r.state.as_str(),
                r.position.uuid.to_string(),
                match seqno_shown(v, &n, r) {
                    (seqno, SeqnoAsOf::Promote) => format!("{seqno}+"),
                    (seqno, _) => seqno.to_string(),
                },
                u8::from(r.safe_to_bootstrap),
                format_utc(r.at),
                now.saturating_sub(r.at)
            )),
            None => s.push_str(&format!("{n:<16} (no report)\n")),
        }
    }
    if v.reports.values().any(|r| r.state == NodeState::Primary) {
        s.push_str("seqno N+: as of that node's promote (it grows while it runs)");
        if let Some((n, _)) = &v.live {
            s.push_str(&format!("; {n}'s is live"));
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "decision: {}\n",
        elect::explain_with(&v.decision, v.forced.as_deref())
    ));
    if let Some(t) = waiting_since(v) {
        s.push_str(&format!(
            "waiting since: {} ({} s)\n",
            format_utc(t),
            now.saturating_sub(t)
        ));
    }
    if !matches!(v.decision, Decision::Join { .. }) {
        let who = best_candidate(v).unwrap_or_else(|| "NODE".into());
        s.push_str(&format!(
            "override (may lose data, read the seqnos above first): galera-ocf bootstrap --force {who}\n"
        ));
    }
    s
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render_json(v: &View) -> String {
    let node_objs: Vec<String> = nodes(v)
        .iter()
        .map(|n| {
            let score = score_of(v, n)
                .map(|s| json_str(&s))
                .unwrap_or_else(|| "null".into());
            let synced = synced_of(v, n)
                .map(|s| (s == "1").to_string())
                .unwrap_or_else(|| "null".into());
            let report = match report_of(v, n) {
                Some(r) => {
                    let (seqno, as_of) = seqno_shown(v, n, r);
                    format!(
                        "{{\"state\":{},\"uuid\":{},\"seqno\":{seqno},\"seqno_as_of\":{},\"safe_to_bootstrap\":{},\"at\":{}}}",
                        json_str(r.state.as_str()),
                        json_str(&r.position.uuid.to_string()),
                        json_str(as_of.as_str()),
                        r.safe_to_bootstrap,
                        r.at
                    )
                }
                None => "null".into(),
            };
            format!(
                "{{\"node\":{},\"expected\":{},\"report\":{report},\"synced\":{synced},\"promotion_score\":{score}}}",
                json_str(n),
                NodeName::new(n).is_ok_and(|x| v.expected.contains(&x))
            )
        })
        .collect();
    let kind = match &v.decision {
        Decision::Join { .. } => "join",
        Decision::Bootstrap { .. } => "bootstrap",
        Decision::Wait { .. } => "wait",
        Decision::Conflict { .. } => "conflict",
    };
    let bootstrap = v
        .forced
        .clone()
        .filter(|_| !matches!(v.decision, Decision::Join { .. }))
        .or_else(|| v.decision.bootstrap_node().map(|n| n.as_str().to_owned()));
    format!(
        "{{\"resource\":{},\"nodes\":[{}],\"decision\":{{\"kind\":{},\"bootstrap\":{},\"forced\":{},\"explain\":{}}},\"waiting_since\":{}}}\n",
        json_str(&v.cfg.resource),
        node_objs.join(","),
        json_str(kind),
        bootstrap.map(|b| json_str(&b)).unwrap_or_else(|| "null".into()),
        v.forced.as_deref().map(json_str).unwrap_or_else(|| "null".into()),
        json_str(&elect::explain_with(&v.decision, v.forced.as_deref())),
        waiting_since(v).map(|t| t.to_string()).unwrap_or_else(|| "null".into())
    )
}

/// What forcing `node` may lose: its seqno against the highest seqno of the same cluster UUID.
fn loss_estimate(v: &View, node: &str, r: &Report) -> String {
    let best = v
        .reports
        .iter()
        .filter(|(_, o)| o.position.uuid == r.position.uuid)
        .max_by_key(|(_, o)| o.position.seqno.get());
    let mut s = match best {
        Some((b, o)) if o.position.seqno.get() > r.position.seqno.get() => format!(
            "{node} has seqno {}; {b} has {} in the same cluster: up to {} transaction(s) would be lost",
            r.position.seqno.get(),
            o.position.seqno.get(),
            o.position.seqno.get() - r.position.seqno.get()
        ),
        _ => format!(
            "{node} has seqno {}, the highest reported for its cluster UUID",
            r.position.seqno.get()
        ),
    };
    let missing: Vec<&str> = v
        .expected
        .iter()
        .filter(|n| !v.reports.contains_key(*n))
        .map(NodeName::as_str)
        .collect();
    if !missing.is_empty() {
        s.push_str(&format!(
            "; not reported (their data is unknown): {}",
            missing.join(", ")
        ));
    }
    let foreign: Vec<String> = v
        .reports
        .iter()
        .filter(|(_, o)| o.position.uuid != r.position.uuid && !o.position.uuid.is_nil())
        .map(|(n, o)| format!("{n} ({})", o.position.uuid))
        .collect();
    if !foreign.is_empty() {
        s.push_str(&format!(
            "; other cluster UUIDs (will be overwritten by a state transfer): {}",
            foreign.join(", ")
        ));
    }
    s
}

fn confirmed() -> bool {
    eprint!("type 'yes' to force the bootstrap: ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == "yes"
}

async fn bootstrap(
    node: &str,
    yes: bool,
    env: &BTreeMap<String, String>,
) -> Result<OcfStatus, Error> {
    let v = view(env).await?;
    let name = NodeName::new(node).map_err(|e| Error::Args(e.to_string()))?;
    if !v.expected.contains(&name) {
        return Err(Error::Args(format!(
            "{node} is not a member of {}",
            v.cfg.wsrep_cluster_address
        )));
    }
    if let Decision::Join { primary, .. } = &v.decision {
        let p: Vec<&str> = primary.iter().map(NodeName::as_str).collect();
        return Err(Error::OverrideRefused(format!(
            "a Primary component runs on {}: nothing to bootstrap, the other nodes join it",
            p.join(", ")
        )));
    }
    let Some(r) = v.reports.get(&name) else {
        return Err(Error::OverrideRefused(format!(
            "{node} has not published its position; start the resource there first"
        )));
    };
    println!("{}", loss_estimate(&v, node, r));
    println!("election without override: {}", elect::explain(&v.decision));
    if !yes && !confirmed() {
        println!("not confirmed; nothing changed");
        return Ok(OcfStatus::ErrGeneric);
    }
    apply_override(&v, node).await?;
    println!("{node} will bootstrap: Pacemaker promotes it next; the others join once it runs");
    Ok(OcfStatus::Success)
}

/// Mark the node, then take every other candidate's score away before giving the node its own, so at no
/// moment two nodes hold a bootstrap score.
async fn apply_override(v: &View, node: &str) -> Result<(), Error> {
    let deadline = Deadline::after(Duration::from_secs(60));
    let rsc = &v.cfg.resource;
    for other in v
        .expected
        .iter()
        .map(NodeName::as_str)
        .filter(|n| *n != node)
    {
        cib::promotion(other, rsc, None, deadline).await?;
        cib::delete(other, &v.cfg.force_attr(), deadline).await?;
    }
    cib::set(node, &v.cfg.force_attr(), "1", deadline).await?;
    cib::promotion(node, rsc, Some(common::SCORE), deadline).await?;
    info!("bootstrap --force {node}: override set by an administrator");
    Ok(())
}
