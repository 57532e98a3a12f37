//! Pacemaker's CIB through its command-line tools: transient node attributes (`crm_attribute -l reboot`),
//! the promotion score (`crm_attribute --promotion`), all nodes' attributes with ONE
//! `cibadmin --query --scope status`, and this node's name (`crm_node -n`).
//!
//! Every argument is passed as `--option=value`, so a value can never be taken for another option.

use crate::deadline::Deadline;
use crate::edge::command::{self, Cmd, CommandError};
use crate::error::Error;

const CRM_ATTRIBUTE: &str = "crm_attribute";
const CIBADMIN: &str = "cibadmin";
const CRM_NODE: &str = "crm_node";
const STONITH_ADMIN: &str = "stonith_admin";

use crate::pcmk::cib;
pub use crate::pcmk::cib::{CibStatus, NodeAttrs};

/// Pacemaker tools live in /usr/sbin, which is not always on the PATH pacemaker-execd hands down.
fn tool(name: &str) -> Cmd {
    let sbin = std::path::Path::new("/usr/sbin").join(name);
    if sbin.exists() {
        Cmd::new(sbin)
    } else {
        Cmd::new(name)
    }
}

fn cib_err(what: &str, e: CommandError) -> Error {
    Error::command(what, e)
}

/// Set a transient (reboot-lifetime) attribute of `node`.
pub async fn set(node: &str, name: &str, value: &str, deadline: Deadline) -> Result<(), Error> {
    let cmd = tool(CRM_ATTRIBUTE)
        .arg(format!("--node={node}"))
        .arg("--lifetime=reboot")
        .arg(format!("--name={name}"))
        .arg(format!("--update={value}"));
    command::checked(&cmd, deadline)
        .await
        .map_err(|e| cib_err(&format!("setting attribute {name} of {node}"), e))?;
    Ok(())
}

/// Delete a transient attribute of `node` (absent is fine).
pub async fn delete(node: &str, name: &str, deadline: Deadline) -> Result<(), Error> {
    let cmd = tool(CRM_ATTRIBUTE)
        .arg(format!("--node={node}"))
        .arg("--lifetime=reboot")
        .arg(format!("--name={name}"))
        .arg("--delete");
    command::checked(&cmd, deadline)
        .await
        .map_err(|e| cib_err(&format!("deleting attribute {name} of {node}"), e))?;
    Ok(())
}

/// Set (`Some`) or delete (`None`) the promotion score of `resource` on `node`.
pub async fn promotion(
    node: &str,
    resource: &str,
    score: Option<u32>,
    deadline: Deadline,
) -> Result<(), Error> {
    let cmd = tool(CRM_ATTRIBUTE)
        .arg(format!("--node={node}"))
        .arg(format!("--promotion={resource}"));
    let cmd = match score {
        Some(s) => cmd.arg(format!("--update={s}")),
        None => cmd.arg("--delete"),
    };
    command::checked(&cmd, deadline)
        .await
        .map_err(|e| cib_err(&format!("updating the promotion score of {node}"), e))?;
    Ok(())
}

/// The node attribute name Pacemaker uses for a promotion score.
pub fn promotion_attr(resource: &str) -> String {
    format!("master-{resource}")
}

/// All nodes' transient attributes and membership from one `cibadmin --query --scope status`.
pub async fn query_status(deadline: Deadline) -> Result<CibStatus, Error> {
    let cmd = tool(CIBADMIN).arg("--query").arg("--scope=status");
    let out = command::checked(&cmd, deadline)
        .await
        .map_err(|e| cib_err("reading the CIB status section", e))?;
    cib::parse_status(&out.stdout).map_err(Error::CibXml)
}

/// Whether the fencer records a completed fencing of `node` (`stonith_admin --history`). Asked only in the
/// rare case that needs it (two_node_mode with a silent peer), so the common paths fork nothing for it.
pub async fn fenced(node: &str, deadline: Deadline) -> Result<bool, Error> {
    let cmd = tool(STONITH_ADMIN)
        .arg(format!("--history={node}"))
        .arg("--output-as=xml");
    let out = command::checked(&cmd, deadline)
        .await
        .map_err(|e| cib_err(&format!("reading the fence history of {node}"), e))?;
    cib::fenced(&out.stdout, node).map_err(Error::CibXml)
}

/// The whole CIB (configuration and status) from one `cibadmin --query`, for the admin commands.
pub async fn query_all(deadline: Deadline) -> Result<String, Error> {
    let out = command::checked(&tool(CIBADMIN).arg("--query"), deadline)
        .await
        .map_err(|e| cib_err("reading the CIB", e))?;
    Ok(out.stdout)
}

/// The cluster as `crm_mon --output-as=xml` shows it now (resources with their roles and failures).
pub async fn crm_mon_xml(deadline: Deadline) -> Result<String, Error> {
    let out = command::checked(
        &tool("crm_mon").arg("--one-shot").arg("--output-as=xml"),
        deadline,
    )
    .await
    .map_err(|e| cib_err("crm_mon", e))?;
    Ok(out.stdout)
}

/// This node's Pacemaker name.
pub async fn local_node_name(deadline: Deadline) -> Result<String, Error> {
    let out = command::checked(&tool(CRM_NODE).arg("--name"), deadline)
        .await
        .map_err(|e| cib_err("crm_node --name", e))?;
    let name = out.stdout.trim().to_owned();
    if name.is_empty() {
        return Err(Error::NoLocalNodeName);
    }
    Ok(name)
}
