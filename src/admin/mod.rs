//! Admin commands, run by a person on any cluster node (no Pacemaker action context needed). Their own
//! room, not `actions/`: they are not OCF actions, they read the whole CIB instead of one node's view, and
//! their errors are a command's errors (exit 1 with the reason, [`Error::admin_exit_code`]), never an
//! action's.
//!
//! - `galera-ocf status [--json]`: every node's published report and score, the verdict with its rule in
//!   one sentence, what it waits for and since when, and — only when one is safe — the override command.
//!   Exit: 0 a Primary component runs; 7 none runs (bootstrap pending or waiting); 6 the reports conflict
//!   (an administrator has to decide); 1 the cluster state could not be read.
//! - `galera-ocf bootstrap --force NODE [--yes] [--accept-data-loss]`: make NODE the bootstrap node although
//!   the election does not choose it. Refused while a Primary component runs, while the election's own
//!   bootstrap is pending, or when NODE has not reported; a NODE that is not the safe candidate
//!   ([`overrides`]) also needs `--accept-data-loss`. Prints what may be lost and asks for confirmation
//!   unless `--yes`. It marks NODE with `<rsc>-force-bootstrap`, removes every other node's promotion score
//!   and gives NODE one; Pacemaker then promotes NODE.
//!
//! Both read the whole CIB with one `cibadmin --query`; the resource and its parameters come from the
//! `ocf:galera-ocf:galera` primitive there (or `OCF_RESOURCE_INSTANCE` / `OCF_RESKEY_*` when set).
//!
//! - [`render`]: the status text and JSON (pure);
//! - [`claims`]: how far each `state=primary` report is confirmed by what `status` can check (pure);
//! - [`overrides`]: the safe override candidate and what forcing another node loses (pure).

pub mod claims;
pub mod overrides;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::time::Duration;

use crate::actions::{common, members};
use crate::cli::Admin;
use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::election::Decision;
use crate::decide::promotion::{self, Facts, Verdict, SCORE};
use crate::decide::{join_names, NodeName};
use crate::edge::cib;
use crate::error::Error;
use crate::galera::report::Report;
use crate::ocf::OcfStatus;
use crate::pcmk::cib::{self as cib_xml, CibStatus};
use render::{Row, StatusView, Suggestion};

pub async fn run(cmd: Admin, env: &BTreeMap<String, String>) -> OcfStatus {
    // `--resource NAME` is OCF_RESOURCE_INSTANCE for the rest: one way to name the primitive.
    let with_resource = |resource: &Option<String>| {
        let mut env = env.clone();
        if let Some(r) = resource {
            env.insert("OCF_RESOURCE_INSTANCE".into(), r.clone());
        }
        env
    };
    let result = match cmd {
        Admin::Status { json, resource } => status(json, &with_resource(&resource)).await,
        Admin::Bootstrap {
            node,
            yes,
            accept_data_loss,
            resource,
            ..
        } => bootstrap(&node, yes, accept_data_loss, &with_resource(&resource)).await,
        Admin::Man => Ok(crate::man::print()),
    };
    result.unwrap_or_else(|e| {
        crate::log::admin_reason(&e.to_string());
        e.admin_exit_code()
    })
}

/// The cluster as the admin commands see it.
struct View {
    cfg: Config,
    status: CibStatus,
    expected: BTreeSet<NodeName>,
    reports: BTreeMap<NodeName, Report>,
    verdict: Verdict,
    /// This node's name and the seqno its running server has committed by now (a primary node's report
    /// holds the seqno of its promote: the monitor does not republish on every write, to stay fork-free).
    live: Option<(String, i64)>,
    /// What backs each primary claim.
    evidence: claims::Evidence,
}

/// Parameters: the CIB's primitive, overridden by OCF_* variables in the environment.
fn config_from(cib_xml: &str, env: &BTreeMap<String, String>) -> Result<Config, Error> {
    let prims = cib_xml::parse_primitives(cib_xml).map_err(Error::CibXml)?;
    let wanted = crate::config::resource_name(env).ok();
    let ids = || prims.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    let prim =
        match &wanted {
            Some(id) => Some(prims.iter().find(|p| &p.id == id).ok_or_else(|| {
                Error::NoSuchGaleraResource {
                    wanted: id.clone(),
                    found: ids(),
                }
            })?),
            // Several primitives and none named: guessing one would show (or force) the wrong cluster.
            None if prims.len() > 1 => return Err(Error::SeveralGaleraResources(ids())),
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
        .ok_or(Error::NoGaleraResource)?;
    crate::config_with_clustercheck(&merged, resource, false)
}

async fn view(env: &BTreeMap<String, String>) -> Result<View, Error> {
    let deadline = Deadline::after(Duration::from_secs(30));
    let xml = cib::query_all(deadline).await?;
    let cfg = config_from(&xml, env)?;
    let status = cib_xml::parse_status(&xml).map_err(Error::CibXml)?;
    // The verdict as any node would compute it; "me" only matters for this node's own score and plan,
    // which status does not show, so the lowest expected name stands in when this host is no member.
    let expected = members::expected(&cfg)?;
    let here = cib::local_node_name(Deadline::after(Duration::from_secs(5)))
        .await
        .ok()
        .filter(|h| NodeName::new(h).is_ok_and(|n| expected.contains(&n)))
        .or_else(|| expected.iter().next().map(|n| n.as_str().to_owned()))
        .ok_or(Error::NoExpectedNode)?;
    let facts = common::gather_facts(
        &cfg,
        &here,
        &status,
        BTreeSet::new(),
        BTreeSet::new(),
        deadline,
    )
    .await?;
    let verdict = promotion::verdict(&facts);
    // A hung local server must not hold up the whole status for long: the live facts are checks, not
    // the point.
    let local_name = cib::local_node_name(Deadline::after(Duration::from_secs(5)))
        .await
        .ok();
    let (local, live_seqno) = local_server(&cfg, Deadline::after(Duration::from_secs(3))).await;
    let live = local_name.clone().zip(live_seqno);
    let evidence = evidence(&cfg, &facts, local_name, local).await;
    Ok(View {
        cfg,
        status,
        expected: facts.expected,
        reports: facts.reports,
        verdict,
        live,
        evidence,
    })
}

/// The local server asked over SQL: in the Primary component or not, and its `wsrep_last_committed`.
async fn local_server(cfg: &Config, deadline: Deadline) -> (claims::LocalServer, Option<i64>) {
    use crate::galera::status::{ClusterStatus, WsrepStatus};
    if crate::edge::mysqld::find(cfg).is_none() {
        return (claims::LocalServer::NotRunning, None);
    }
    let Ok(snap) = crate::edge::sql::snapshot(cfg, 0, deadline).await else {
        return (claims::LocalServer::Unknown, None);
    };
    let Ok(status) = WsrepStatus::from_rows(&snap.wsrep) else {
        return (claims::LocalServer::Unknown, None);
    };
    let seqno = status.last_committed.map(|s| s.get());
    let server = if status.cluster_status == Some(ClusterStatus::Primary) {
        claims::LocalServer::Primary
    } else {
        claims::LocalServer::NotPrimary(format!(
            "{} in a {} component",
            status.health().as_str(),
            status
                .cluster_status
                .map_or("unknown", |c| if c == ClusterStatus::Primary {
                    "Primary"
                } else {
                    "non-Primary"
                })
        ))
    };
    (server, seqno)
}

/// Pacemaker's current roles (one `crm_mon`) and, for every peer claiming the Primary component, whether
/// its Galera port answers. `gather_facts` has already tried those ports (its `stale` set); only the node
/// that stood in for "me" there was not tried, because an action judges its own claim by its own monitor.
async fn evidence(
    cfg: &Config,
    facts: &Facts,
    here: Option<String>,
    local: claims::LocalServer,
) -> claims::Evidence {
    let roles = match cib::crm_mon_xml(Deadline::after(Duration::from_secs(10))).await {
        Ok(xml) => cib_xml::parse_roles(&xml, &cfg.resource).ok(),
        Err(e) => {
            warn!("{e}; primary claims are not checked against Pacemaker");
            None
        }
    };
    let membership = members::membership(cfg).ok();
    let mut port_open = BTreeMap::new();
    for (node, r) in &facts.reports {
        if r.state != crate::galera::report::NodeState::Primary
            || here.as_deref() == Some(node.as_str())
        {
            continue;
        }
        if let Some(host) = membership.as_ref().and_then(|m| m.host_of(node)) {
            let open = if *node == facts.me {
                crate::edge::gcomm::any_listening(&[host], Duration::from_secs(1))
            } else {
                !facts.stale.contains(node)
            };
            port_open.insert(node.as_str().to_owned(), open);
        }
    }
    claims::Evidence {
        here,
        local,
        roles,
        port_open,
    }
}

fn exit_for(d: &Decision) -> OcfStatus {
    match d {
        Decision::Join { .. } => OcfStatus::Success,
        // Nothing runs yet, but nothing is for an administrator to do either: as for a bootstrap.
        Decision::Reform { .. } => OcfStatus::NotRunning,
        Decision::Bootstrap { .. } | Decision::Wait { .. } => OcfStatus::NotRunning,
        Decision::Conflict { .. } => OcfStatus::ErrConfigured,
    }
}

/// The status as the renderer needs it.
fn status_view(v: &View) -> StatusView {
    let nodes: BTreeSet<String> = v
        .expected
        .iter()
        .chain(v.reports.keys())
        .map(|n| n.as_str().to_owned())
        .collect();
    let attr = |node: &str, name: &str| v.status.attrs.get(node).and_then(|a| a.get(name)).cloned();
    let rows = nodes
        .into_iter()
        .map(|node| {
            let name = NodeName::new(&node).ok();
            Row {
                expected: name.as_ref().is_some_and(|n| v.expected.contains(n)),
                report: name.as_ref().and_then(|n| v.reports.get(n)).cloned(),
                synced: attr(&node, &v.cfg.synced_attr()),
                score: attr(&node, &cib::promotion_attr(&v.cfg.resource)),
                node,
            }
        })
        .collect();
    let suggestion = match &v.verdict.decision {
        // Nothing to override: everyone joins the running component, or the chosen node bootstraps.
        Decision::Join { .. } | Decision::Bootstrap { .. } | Decision::Reform { .. } => {
            Suggestion::None
        }
        _ if v.verdict.forced.is_some() => Suggestion::None,
        _ => match overrides::safe_candidate(&v.expected, &v.reports) {
            Some(n) => Suggestion::Safe(n),
            None => Suggestion::NoSafeCandidate,
        },
    };
    let now = common::now();
    let claims = v
        .reports
        .iter()
        .filter_map(|(n, r)| {
            claims::classify(n.as_str(), r, &v.evidence, now).map(|c| (n.as_str().to_owned(), c))
        })
        .collect();
    StatusView {
        resource: v.cfg.resource.clone(),
        expected: v.expected.clone(),
        rows,
        verdict: v.verdict.clone(),
        live: v.live.clone(),
        suggestion,
        claims,
        now,
    }
}

async fn status(json: bool, env: &BTreeMap<String, String>) -> Result<OcfStatus, Error> {
    let v = view(env).await?;
    let sv = status_view(&v);
    print!(
        "{}",
        if json {
            render::json(&sv)
        } else {
            render::text(&sv)
        }
    );
    Ok(exit_for(&v.verdict.decision))
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
    let missing: Vec<&NodeName> = v
        .expected
        .iter()
        .filter(|n| !v.reports.contains_key(*n))
        .collect();
    if !missing.is_empty() {
        s.push_str(&format!(
            "; not reported (their data is unknown): {}",
            join_names(missing, ", ")
        ));
    }
    let foreign: Vec<String> = v
        .reports
        .iter()
        .filter(|(_, o)| o.position.uuid != r.position.uuid && !o.position.is_empty())
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
    accept_data_loss: bool,
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
    if let Decision::Join { primary, .. } = &v.verdict.decision {
        return Err(Error::OverrideRefused(format!(
            "a Primary component runs on {}: nothing to bootstrap, the other nodes join it",
            join_names(primary, ", ")
        )));
    }
    if let (Decision::Reform { members, .. }, None) = (&v.verdict.decision, &v.verdict.forced) {
        return Err(Error::OverrideRefused(format!(
            "{} re-form the saved Primary view (every member is level and kept Galera's saved view): \
             they form the component together, nothing to bootstrap. If one of them cannot start, \
             the others' attempt ends as soon as their monitor sees it (at most 60 s after their start; \
             up to 10 minutes once their log shows the component formed and their storage engines are \
             starting), removes their saved view, and the election then picks the node to bootstrap",
            join_names(members, ", ")
        )));
    }
    if let (Decision::Bootstrap { node: chosen, .. }, None) =
        (&v.verdict.decision, &v.verdict.forced)
    {
        if *chosen != name {
            return Err(Error::OverrideRefused(format!(
                "the election already chose {chosen} to bootstrap and Pacemaker promotes it next; \
                 forcing another node now could start two clusters. If {chosen} cannot start, ban it \
                 first (crm resource ban), then retry"
            )));
        }
    }
    let Some(r) = v.reports.get(&name) else {
        return Err(Error::OverrideRefused(format!(
            "{node} has not published its position; start the resource there first"
        )));
    };
    if let Some(danger) = overrides::danger(&name, r, &v.expected, &v.reports) {
        if !accept_data_loss {
            return Err(Error::OverrideRefused(format!(
                "{node} is not a safe bootstrap node: {danger}. Add --accept-data-loss to force it anyway{}",
                overrides::safe_candidate(&v.expected, &v.reports)
                    .map(|c| format!(", or force {c} instead"))
                    .unwrap_or_default()
            )));
        }
        println!("--accept-data-loss: {danger}");
    }
    println!("{}", loss_estimate(&v, node, r));
    println!(
        "election without override: {}",
        v.verdict.decision.explain()
    );
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
    cib::promotion(node, rsc, Some(SCORE), deadline).await?;
    info!("bootstrap --force {node}: override set by an administrator");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = r#"<cib><configuration><resources>
      <primitive id="db1" class="ocf" provider="galera-ocf" type="galera"><instance_attributes id="a">
        <nvpair id="a1" name="wsrep_cluster_address" value="gcomm://n1,n2,n3"/></instance_attributes></primitive>
      <primitive id="db2" class="ocf" provider="galera-ocf" type="galera"><instance_attributes id="b">
        <nvpair id="b1" name="wsrep_cluster_address" value="gcomm://m1,m2,m3"/></instance_attributes></primitive>
    </resources></configuration></cib>"#;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// With several galera primitives the admin commands never guess: the one named (by --resource, which
    /// is OCF_RESOURCE_INSTANCE here) or a reason that lists them.
    #[test]
    fn the_primitive_is_named_when_there_are_several() {
        let err = config_from(TWO, &env(&[])).unwrap_err();
        assert!(matches!(&err, Error::SeveralGaleraResources(ids) if ids == &["db1", "db2"]));
        assert!(err.to_string().contains("--resource"), "{err}");
        let cfg = config_from(TWO, &env(&[("OCF_RESOURCE_INSTANCE", "db2")])).unwrap();
        assert_eq!(cfg.resource, "db2");
        assert_eq!(cfg.wsrep_cluster_address, "gcomm://m1,m2,m3");
        let err = config_from(TWO, &env(&[("OCF_RESOURCE_INSTANCE", "db3")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reading the cluster state: no ocf:galera-ocf:galera resource db3 in the CIB (there: db1, db2)"
        );
        let one = TWO.replace(
            "galera-ocf\" type=\"galera\"><instance_attributes id=\"b\"",
            "heartbeat\" type=\"galera\"><instance_attributes id=\"b\"",
        );
        assert_eq!(config_from(&one, &env(&[])).unwrap().resource, "db1");
    }
}
