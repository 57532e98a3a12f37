//! Pacemaker's CIB through its command-line tools: transient node attributes (`crm_attribute -l reboot`),
//! the promotion score (`crm_attribute --promotion`), all nodes' attributes with ONE
//! `cibadmin --query --scope status`, and this node's name (`crm_node -n`).
//!
//! Every argument is passed as `--option=value`, so a value can never be taken for another option.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::deadline::Deadline;
use crate::edge::command::{self, Cmd, CommandError};
use crate::error::Error;

const CRM_ATTRIBUTE: &str = "crm_attribute";
const CIBADMIN: &str = "cibadmin";
const CRM_NODE: &str = "crm_node";

/// Transient attributes of every node that has a `<node_state>`: node → (name → value).
pub type NodeAttrs = BTreeMap<String, BTreeMap<String, String>>;

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

/// All nodes' transient attributes from one `cibadmin --query --scope status`.
pub async fn query_status(deadline: Deadline) -> Result<NodeAttrs, Error> {
    let cmd = tool(CIBADMIN).arg("--query").arg("--scope=status");
    let out = command::checked(&cmd, deadline)
        .await
        .map_err(|e| cib_err("reading the CIB status section", e))?;
    parse_status(&out.stdout).map_err(Error::Cib)
}

/// The whole CIB (configuration and status) from one `cibadmin --query`, for the admin commands.
pub async fn query_all(deadline: Deadline) -> Result<String, Error> {
    let out = command::checked(&tool(CIBADMIN).arg("--query"), deadline)
        .await
        .map_err(|e| cib_err("reading the CIB", e))?;
    Ok(out.stdout)
}

/// A configured `ocf:galera-ocf:galera` primitive: its id and instance attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Primitive {
    pub id: String,
    pub params: BTreeMap<String, String>,
}

/// Every `ocf:galera-ocf:galera` primitive in a CIB's configuration section.
pub fn parse_primitives(xml: &str) -> Result<Vec<Primitive>, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<Primitive> = None;
    let mut in_instance = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("CIB is not XML: {e}"))?
        {
            Event::Start(e) if e.name().as_ref() == b"primitive" => {
                let ours = attr(&e, b"class")?.as_deref() == Some("ocf")
                    && attr(&e, b"provider")?.as_deref() == Some("galera-ocf")
                    && attr(&e, b"type")?.as_deref() == Some("galera");
                current = match (ours, attr(&e, b"id")?) {
                    (true, Some(id)) => Some(Primitive {
                        id,
                        params: BTreeMap::new(),
                    }),
                    _ => None,
                };
            }
            Event::End(e) if e.name().as_ref() == b"primitive" => {
                out.extend(current.take());
            }
            Event::Start(e) if e.name().as_ref() == b"instance_attributes" => in_instance = true,
            Event::End(e) if e.name().as_ref() == b"instance_attributes" => in_instance = false,
            Event::Start(e) | Event::Empty(e) if in_instance && e.name().as_ref() == b"nvpair" => {
                if let (Some(p), Some(k), Some(v)) =
                    (current.as_mut(), attr(&e, b"name")?, attr(&e, b"value")?)
                {
                    p.params.insert(k, v);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// This node's Pacemaker name.
pub async fn local_node_name(deadline: Deadline) -> Result<String, Error> {
    let out = command::checked(&tool(CRM_NODE).arg("--name"), deadline)
        .await
        .map_err(|e| cib_err("crm_node --name", e))?;
    let name = out.stdout.trim().to_owned();
    if name.is_empty() {
        return Err(Error::Cib("crm_node --name printed no node name".into()));
    }
    Ok(name)
}

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &[u8]) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        if a.key.as_ref() == key {
            return a
                .unescape_value()
                .map(|v| Some(v.into_owned()))
                .map_err(|e| e.to_string());
        }
    }
    Ok(None)
}

/// Parse `<status><node_state uname=..><transient_attributes>..<nvpair name= value=/>`.
pub fn parse_status(xml: &str) -> Result<NodeAttrs, String> {
    let mut reader = Reader::from_str(xml);
    let mut nodes = NodeAttrs::new();
    let mut node: Option<String> = None;
    let mut in_transient = false;
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("CIB status is not XML: {e}"))?
        {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"node_state" => {
                node = attr(&e, b"uname")?;
                if let Some(n) = &node {
                    nodes.entry(n.clone()).or_default();
                }
            }
            Event::Start(e) if e.name().as_ref() == b"transient_attributes" => in_transient = true,
            Event::End(e) if e.name().as_ref() == b"transient_attributes" => in_transient = false,
            Event::End(e) if e.name().as_ref() == b"node_state" => node = None,
            Event::Start(e) | Event::Empty(e) if in_transient && e.name().as_ref() == b"nvpair" => {
                if let (Some(n), Some(k), Some(v)) =
                    (&node, attr(&e, b"name")?, attr(&e, b"value")?)
                {
                    nodes.entry(n.clone()).or_default().insert(k, v);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = r#"<status>
  <node_state id="1" uname="n1" in_ccm="true" crmd="online">
    <transient_attributes id="1">
      <instance_attributes id="status-1">
        <nvpair id="status-1-galera-report" name="galera-report" value="v1 uuid=a seqno=5 &amp; x"/>
        <nvpair id="status-1-master-galera" name="master-galera" value="100"/>
      </instance_attributes>
    </transient_attributes>
    <lrm id="1"><lrm_resources><lrm_resource id="galera"><lrm_rsc_op id="x" operation="monitor"/>
    </lrm_resource></lrm_resources></lrm>
  </node_state>
  <node_state id="2" uname="n2"/>
</status>"#;

    #[test]
    fn parses_transient_attributes_of_every_node() {
        let m = parse_status(STATUS).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m["n1"]["galera-report"], "v1 uuid=a seqno=5 & x");
        assert_eq!(m["n1"]["master-galera"], "100");
        assert!(m["n2"].is_empty());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(parse_status("<a></b>").is_err());
    }

    #[test]
    fn finds_our_primitives_and_their_parameters() {
        let xml = r#"<cib><configuration><resources>
          <primitive id="vip" class="ocf" provider="heartbeat" type="IPaddr2">
            <instance_attributes id="vip-ia"><nvpair id="a" name="ip" value="198.18.0.100"/></instance_attributes>
          </primitive>
          <clone id="galera-clone"><primitive id="galera" class="ocf" provider="galera-ocf" type="galera">
            <instance_attributes id="g-ia">
              <nvpair id="b" name="wsrep_cluster_address" value="gcomm://n1,n2,n3"/>
            </instance_attributes>
            <operations><op id="o" name="monitor" interval="10s"/></operations>
          </primitive></clone>
        </resources></configuration><status/></cib>"#;
        let p = parse_primitives(xml).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].id, "galera");
        assert_eq!(p[0].params["wsrep_cluster_address"], "gcomm://n1,n2,n3");
    }

    #[test]
    fn empty_status() {
        assert!(parse_status("<status/>").unwrap().is_empty());
    }
}
