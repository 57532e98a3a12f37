//! The CIB's XML (and the fencer's history XML) parsed into domain types: transient node attributes,
//! node membership, the agent's primitives. Pure: the text comes from `edge::cib`.

use std::collections::BTreeMap;

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

/// Transient attributes of every node that has a `<node_state>`: node → (name → value).
pub type NodeAttrs = BTreeMap<String, BTreeMap<String, String>>;

/// Why a CIB text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CibXmlError {
    #[error("{what} is not XML: {reason}")]
    NotXml { what: &'static str, reason: String },
    #[error("bad XML attribute: {0}")]
    Attribute(String),
}

/// What the CIB's `<node_state>` says about a node's membership.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presence {
    /// In the corosync membership of the partition that wrote this status (`in_ccm` true, or a join
    /// timestamp in newer Pacemaker versions).
    pub member: bool,
    /// Pacemaker expects the node to be up (`expected="member"`): it has not shut down cleanly and has not
    /// been fenced since it last joined. A node that vanished while expected is "unclean" until fenced.
    pub expected_up: bool,
}

/// The status section: every node's transient attributes and membership, from one CIB read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CibStatus {
    pub attrs: NodeAttrs,
    pub presence: BTreeMap<String, Presence>,
}

/// `in_ccm`/`crmd`-style flags: "true", or (Pacemaker ≥ 2.1.7) the epoch second of the change, "0" = false.
fn flag(value: Option<&str>) -> bool {
    match value {
        Some("true" | "online" | "member") => true,
        Some(v) => v.parse::<u64>().is_ok_and(|t| t > 0),
        None => false,
    }
}

/// Parse `<status><node_state uname=.. in_ccm=.. expected=..><transient_attributes>..<nvpair name= value=/>`.
pub fn parse_status(xml: &str) -> Result<CibStatus, CibXmlError> {
    let mut reader = Reader::from_str(xml);
    let mut out = CibStatus::default();
    let mut node: Option<String> = None;
    let mut in_transient = false;
    loop {
        match reader.read_event().map_err(|e| CibXmlError::NotXml {
            what: "CIB status",
            reason: e.to_string(),
        })? {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "node_state" => {
                node = attr(&e, "uname")?;
                if let Some(n) = &node {
                    out.attrs.entry(n.clone()).or_default();
                    out.presence.insert(
                        n.clone(),
                        Presence {
                            member: flag(attr(&e, "in_ccm")?.as_deref()),
                            expected_up: attr(&e, "expected")?.as_deref() == Some("member"),
                        },
                    );
                }
            }
            Event::Start(e) if e.name().as_ref() == "transient_attributes" => in_transient = true,
            Event::End(e) if e.name().as_ref() == "transient_attributes" => in_transient = false,
            Event::End(e) if e.name().as_ref() == "node_state" => node = None,
            Event::Start(e) | Event::Empty(e) if in_transient && e.name().as_ref() == "nvpair" => {
                if let (Some(n), Some(k), Some(v)) = (&node, attr(&e, "name")?, attr(&e, "value")?)
                {
                    out.attrs.entry(n.clone()).or_default().insert(k, v);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// `stonith_admin --history=NODE --output-as=xml`: whether the fencer records a successful fencing of
/// `target` and none under way. The history's order and time format differ between Pacemaker versions, so
/// this reads only what every version has: `target` and `status` of each `<fence_event>`.
pub fn fenced(xml: &str, target: &str) -> Result<bool, CibXmlError> {
    let mut reader = Reader::from_str(xml);
    let (mut success, mut pending) = (false, false);
    loop {
        match reader.read_event().map_err(|e| CibXmlError::NotXml {
            what: "fence history",
            reason: e.to_string(),
        })? {
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == "fence_event"
                    && attr(&e, "target")?.as_deref() == Some(target) =>
            {
                match attr(&e, "status")?.as_deref() {
                    Some("success") => success = true,
                    Some("pending") => pending = true,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(success && !pending)
}

/// What `crm_mon --output-as=xml` shows of one resource on one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRole {
    /// `Promoted`, `Unpromoted`, `Started`, `Stopped`, ...
    pub role: String,
    pub failed: bool,
}

/// The instances of `resource` (a clone's primitive id) by node, from `crm_mon --output-as=xml`.
pub fn parse_roles(
    xml: &str,
    resource: &str,
) -> Result<BTreeMap<String, InstanceRole>, CibXmlError> {
    let mut reader = Reader::from_str(xml);
    let mut out = BTreeMap::new();
    let mut current: Option<InstanceRole> = None;
    loop {
        match reader.read_event().map_err(|e| CibXmlError::NotXml {
            what: "crm_mon output",
            reason: e.to_string(),
        })? {
            Event::Start(e) if e.name().as_ref() == "resource" => {
                current = (attr(&e, "id")?.as_deref() == Some(resource))
                    .then(|| -> Result<InstanceRole, CibXmlError> {
                        Ok(InstanceRole {
                            role: attr(&e, "role")?.unwrap_or_default(),
                            failed: attr(&e, "failed")?.as_deref() == Some("true"),
                        })
                    })
                    .transpose()?;
            }
            Event::End(e) if e.name().as_ref() == "resource" => current = None,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "node" => {
                if let (Some(r), Some(n)) = (&current, attr(&e, "name")?) {
                    out.insert(n, r.clone());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// A configured `ocf:galera-ocf:galera` primitive: its id and instance attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Primitive {
    pub id: String,
    pub params: BTreeMap<String, String>,
}

/// Every `ocf:galera-ocf:galera` primitive in a CIB's configuration section.
pub fn parse_primitives(xml: &str) -> Result<Vec<Primitive>, CibXmlError> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current: Option<Primitive> = None;
    let mut in_instance = false;
    loop {
        match reader.read_event().map_err(|e| CibXmlError::NotXml {
            what: "CIB",
            reason: e.to_string(),
        })? {
            Event::Start(e) if e.name().as_ref() == "primitive" => {
                let ours = attr(&e, "class")?.as_deref() == Some("ocf")
                    && attr(&e, "provider")?.as_deref() == Some("galera-ocf")
                    && attr(&e, "type")?.as_deref() == Some("galera");
                current = match (ours, attr(&e, "id")?) {
                    (true, Some(id)) => Some(Primitive {
                        id,
                        params: BTreeMap::new(),
                    }),
                    _ => None,
                };
            }
            Event::End(e) if e.name().as_ref() == "primitive" => {
                out.extend(current.take());
            }
            Event::Start(e) if e.name().as_ref() == "instance_attributes" => in_instance = true,
            Event::End(e) if e.name().as_ref() == "instance_attributes" => in_instance = false,
            Event::Start(e) | Event::Empty(e) if in_instance && e.name().as_ref() == "nvpair" => {
                if let (Some(p), Some(k), Some(v)) =
                    (current.as_mut(), attr(&e, "name")?, attr(&e, "value")?)
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

fn attr(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Result<Option<String>, CibXmlError> {
    for a in e.attributes() {
        let a = a.map_err(|e| CibXmlError::Attribute(e.to_string()))?;
        if a.key.as_ref() == key {
            // Pacemaker writes XML 1.0; normalization turns literal tabs/newlines into spaces as any XML
            // parser does, while `&#10;` (what libxml2 writes for a newline in a value) stays a newline.
            return a
                .normalized_value(XmlVersion::Implicit1_0)
                .map(|v| Some(v.into_owned()))
                .map_err(|e| CibXmlError::Attribute(e.to_string()));
        }
    }
    Ok(None)
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
        let status = parse_status(STATUS).unwrap();
        let m = &status.attrs;
        assert_eq!(m.len(), 2);
        assert_eq!(m["n1"]["galera-report"], "v1 uuid=a seqno=5 & x");
        assert_eq!(m["n1"]["master-galera"], "100");
        assert!(m["n2"].is_empty());
    }

    /// quick-xml 0.37+ normalizes attribute values as XML 1.0 says: a character reference (libxml2's
    /// encoding of a newline in a value) keeps its character, a literal newline becomes a space.
    #[test]
    fn attribute_values_are_normalized_as_xml_says() {
        let status = parse_status(
            r#"<status><node_state uname="n1"><transient_attributes>
  <nvpair name="a" value="x&#10;y"/><nvpair name="b" value="x
y"/></transient_attributes></node_state></status>"#,
        )
        .unwrap();
        assert_eq!(status.attrs["n1"]["a"], "x\ny");
        assert_eq!(status.attrs["n1"]["b"], "x y");
    }

    #[test]
    fn reads_membership_from_node_state() {
        let status = parse_status(
            r#"<status>
  <node_state id="1" uname="n1" in_ccm="true" crmd="online" expected="member"/>
  <node_state id="2" uname="n2" in_ccm="false" crmd="offline" expected="down"/>
  <node_state id="3" uname="n3" in_ccm="1700000000" crmd="1700000000" expected="member"/>
  <node_state id="4" uname="n4" in_ccm="0" expected="member"/>
</status>"#,
        )
        .unwrap();
        let p = |n: &str| status.presence[n];
        assert_eq!(
            p("n1"),
            Presence {
                member: true,
                expected_up: true
            }
        );
        assert_eq!(
            p("n2"),
            Presence {
                member: false,
                expected_up: false
            }
        );
        assert_eq!(
            p("n3"),
            Presence {
                member: true,
                expected_up: true
            }
        );
        assert_eq!(
            p("n4"),
            Presence {
                member: false,
                expected_up: true
            }
        );
        // A node without a node_state has no presence at all (never seen by this partition).
        assert!(!status.presence.contains_key("n5"));
    }

    #[test]
    fn fence_history() {
        let xml = r#"<pacemaker-result><fence_history>
  <fence_event action="off" target="n2" status="success" completed="2026-12-01 10:00:00Z"/>
  <fence_event action="off" target="n3" status="failed"/>
  <fence_event action="off" target="n4" status="success"/>
  <fence_event action="off" target="n4" status="pending"/>
</fence_history><status code="0" message="OK"/></pacemaker-result>"#;
        assert!(fenced(xml, "n2").unwrap());
        assert!(
            !fenced(xml, "n3").unwrap(),
            "a failed fencing is no fencing"
        );
        assert!(!fenced(xml, "n4").unwrap(), "one under way: not fenced yet");
        assert!(!fenced(xml, "n1").unwrap());
        assert!(fenced("<a></b>", "n1").is_err());
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
        assert!(parse_status("<status/>").unwrap().attrs.is_empty());
    }

    #[test]
    fn roles_from_crm_mon() {
        let xml = r#"<pacemaker-result><resources>
  <resource id="vip" resource_agent="ocf:heartbeat:IPaddr2" role="Started" failed="false"><node name="n1" id="1"/></resource>
  <clone id="galera-clone" multi_state="true">
    <resource id="galera" resource_agent="ocf:galera-ocf:galera" role="Promoted" active="true" failed="false"><node name="n1" id="1" cached="true"/></resource>
    <resource id="galera" resource_agent="ocf:galera-ocf:galera" role="Promoted" active="true" failed="true"><node name="n2" id="2" cached="true"/></resource>
    <resource id="galera" resource_agent="ocf:galera-ocf:galera" role="Unpromoted" active="true" failed="false"><node name="n3" id="3" cached="true"/></resource>
    <resource id="galera" resource_agent="ocf:galera-ocf:galera" role="Stopped" active="false" failed="false"/>
  </clone>
</resources></pacemaker-result>"#;
        let r = parse_roles(xml, "galera").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            r["n1"],
            InstanceRole {
                role: "Promoted".into(),
                failed: false
            }
        );
        assert!(r["n2"].failed);
        assert_eq!(r["n3"].role, "Unpromoted");
        assert!(parse_roles("<a></b>", "galera").is_err());
    }
}
