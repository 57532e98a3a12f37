//! Renders the OCF 1.1 meta-data XML from [`crate::params::PARAMS`] and the action table below, and the
//! garbd agent's from [`crate::garbd::params::PARAMS`] (`ocf-metadata/garbd.xml`).
//!
//! The checked-in copy `ocf-metadata/galera.xml` is this function's output; a tier-1 test keeps them equal and
//! validates the file against the resource-agents DTD.

use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

use crate::params::{Param, PARAMS};

/// OCF 1.1 added `reloadable` to `<parameter>` and the `reload-agent` action; resource-agents' ra-api-1.dtd
/// (4.12, Debian 12) declares neither, and ocf-tester validates meta-data against that DTD. The internal
/// subset declares both: XML binds the first declaration of an attribute, and the internal subset is read
/// before the external one, so `action name` is the DTD's list plus reload-agent. The document then stays
/// valid for `xmllint --valid` with that DTD; Pacemaker and crmsh parse it without validating.
const DOCTYPE: &str = "resource-agent SYSTEM \"ra-api-1.dtd\" [
<!ATTLIST parameter reloadable (1|0) \"0\">
<!ATTLIST action name (start|stop|recover|monitor|restart|migrate_to|migrate_from|promote|demote|notify|\
status|reload|reload-agent|meta-data|usage|methods|validate-all) #REQUIRED>
]";

/// One `<action>` row. Timeouts are what a default resource definition gets; promote is long because a
/// joiner waits for its state transfer inside it.
struct ActionRow {
    name: &'static str,
    timeout: &'static str,
    interval: Option<&'static str>,
    role: Option<&'static str>,
    depth: Option<&'static str>,
}

const fn row(name: &'static str, timeout: &'static str) -> ActionRow {
    ActionRow {
        name,
        timeout,
        interval: None,
        role: None,
        depth: None,
    }
}

/// Intervals per role must differ: Pacemaker identifies a recurring op by (name, interval). Promoted every
/// 2s: a healthy Promoted monitor forks nothing and costs ~2-3 ms, and its interval is most of the time a
/// crashed mariadbd keeps the VIP (README, Performance, for the CPU it costs).
const ACTIONS: &[ActionRow] = &[
    row("start", "120s"),
    row("stop", "120s"),
    ActionRow {
        interval: Some("20s"),
        depth: Some("0"),
        ..row("monitor", "30s")
    },
    ActionRow {
        interval: Some("2s"),
        role: Some("Promoted"),
        depth: Some("0"),
        ..row("monitor", "30s")
    },
    ActionRow {
        interval: Some("15s"),
        role: Some("Unpromoted"),
        depth: Some("0"),
        ..row("monitor", "30s")
    },
    row("promote", "300s"),
    row("demote", "120s"),
    row("notify", "30s"),
    row("status", "30s"),
    row("validate-all", "10s"),
    row("reload-agent", "30s"),
    row("meta-data", "5s"),
];

/// The default timeout of an action in seconds, used when Pacemaker does not pass `CRM_meta_timeout`
/// (e.g. an admin running the agent by hand).
pub fn default_timeout_secs(action: &str) -> u64 {
    ACTIONS
        .iter()
        .find(|a| a.name == action)
        .and_then(|a| a.timeout.trim_end_matches('s').parse().ok())
        .unwrap_or(30)
}

const LONGDESC: &str = "Manages MariaDB Galera as a promotable clone. Unpromoted means mariadbd is stopped and \
this node has published its last committed position (node attribute <resource>-report); Promoted means \
mariadbd runs Synced in the Primary component. The nodes elect, identically on every node, which one \
bootstraps a cluster that has no Primary component; all others join it. `galera-ocf status` shows the \
published reports and the current decision. With fencing (stonith-enabled=true, the setting for \
production): stop returns success only when no server of the datadir is left, so a server that survives \
SIGKILL (a hung disk) fails the stop and Pacemaker fences the node before anything runs elsewhere; a lost \
node's instance is recovered only after it is fenced; two_node_mode excuses a silent peer that the fencer's \
history records as fenced.";

/// quick-xml's writer reports only I/O errors (since 0.37); writing into a `Vec` makes even those impossible,
/// but the signature stays honest.
type XmlResult<T> = std::io::Result<T>;

/// The meta-data document, ending in a newline.
pub fn render() -> XmlResult<String> {
    render_agent(
        &Agent {
            name: "galera",
            longdesc: LONGDESC,
            shortdesc: "Manages a MariaDB Galera cluster",
            params: PARAMS,
        },
        ACTIONS,
    )
}

/// The garbd agent's actions: no promote (garbd is a plain primitive, one per arbitrator node).
const GARBD_ACTIONS: &[ActionRow] = &[
    row("start", "60s"),
    row("stop", "60s"),
    ActionRow {
        interval: Some("10s"),
        depth: Some("0"),
        ..row("monitor", "20s")
    },
    row("status", "20s"),
    row("validate-all", "10s"),
    row("meta-data", "5s"),
];

const GARBD_LONGDESC: &str = "Runs the Galera arbitrator garbd (galera-arbitrator-4) on a third machine \
next to two MariaDB Galera data nodes (ocf:galera-ocf:galera with arbitrators= naming this machine). garbd \
votes in the group but stores no data: when one data node fails, the other keeps a majority with garbd's \
vote and stays Primary (writable), without split brain and without an administrator. It does not protect \
against losing a data node's writes: after a full power loss the data nodes still wait for each other's \
position, as garbd holds none. The monitor is OCF_SUCCESS only while garbd's own log says it is a member of a \
Primary component; a garbd still waiting for its first component (started before the data nodes) is \
OCF_DEGRADED (190), as restarting it cannot help; one that lost its component for longer than lost_grace \
(garbd's side of a brief network partition rejoins by itself), is alone in one or is stopped (SIGSTOP) \
fails, and is restarted once, since garbd does not reliably rejoin. A garbd running with exactly this \
resource's command line that the agent does not track is its own: start tracks it again, or, when there are \
several, ends them all and starts one. Stop needs only the pid the agent tracks and reads no log, so only a \
garbd that survives SIGKILL fails it. Keep it off the data nodes: two votes on one machine would let that \
machine's failure take the majority with it.";

/// The garbd agent's meta-data document (`ocf-metadata/garbd.xml`).
pub fn render_garbd() -> XmlResult<String> {
    render_agent(
        &Agent {
            name: "garbd",
            longdesc: GARBD_LONGDESC,
            shortdesc: "Manages a Galera arbitrator (garbd)",
            params: crate::garbd::params::PARAMS,
        },
        GARBD_ACTIONS,
    )
}

struct Agent {
    name: &'static str,
    longdesc: &'static str,
    shortdesc: &'static str,
    params: &'static [Param],
}

fn render_agent(agent: &Agent, actions: &[ActionRow]) -> XmlResult<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", None, None)))?;
    w.write_event(Event::DocType(BytesText::from_escaped(DOCTYPE)))?;
    w.create_element("resource-agent")
        .with_attribute(("name", agent.name))
        .with_attribute(("version", env!("CARGO_PKG_VERSION")))
        .write_inner_content(|w| {
            w.create_element("version")
                .write_text_content(BytesText::new("1.1"))?;
            descriptions(w, agent.longdesc, agent.shortdesc)?;
            w.create_element("parameters")
                .write_inner_content(|w| agent.params.iter().try_for_each(|p| parameter(w, p)))?;
            w.create_element("actions")
                .write_inner_content(|w| actions.iter().try_for_each(|a| action(w, a)))?;
            Ok(())
        })?;
    let mut text = String::from_utf8_lossy(&w.into_inner()).into_owned();
    text.push('\n');
    Ok(text)
}

/// Text with only `<`, `>` and `&` escaped: quotes stay readable for people reading the XML.
fn text(s: &str) -> BytesText<'_> {
    BytesText::from_escaped(partial_escape(s))
}

fn descriptions(w: &mut Writer<Vec<u8>>, long: &str, short: &str) -> XmlResult<()> {
    w.create_element("longdesc")
        .with_attribute(("lang", "en"))
        .write_text_content(text(long))?;
    w.create_element("shortdesc")
        .with_attribute(("lang", "en"))
        .write_text_content(text(short))?;
    Ok(())
}

fn flag(b: bool) -> &'static str {
    if b {
        "1"
    } else {
        "0"
    }
}

fn parameter(w: &mut Writer<Vec<u8>>, p: &Param) -> XmlResult<()> {
    w.create_element("parameter")
        .with_attribute(("name", p.name))
        .with_attribute(("unique", flag(p.unique)))
        .with_attribute(("required", flag(p.required)))
        .with_attribute(("reloadable", flag(p.reloadable)))
        .write_inner_content(|w| {
            descriptions(w, p.long, p.short)?;
            let mut c = w
                .create_element("content")
                .with_attribute(("type", p.kind.as_str()));
            if !p.required {
                c = c.with_attribute(("default", p.default));
            }
            c.write_empty()?;
            Ok(())
        })?;
    Ok(())
}

fn action(w: &mut Writer<Vec<u8>>, a: &ActionRow) -> XmlResult<()> {
    let mut e = w
        .create_element("action")
        .with_attribute(("name", a.name))
        .with_attribute(("timeout", a.timeout));
    for (k, v) in [
        ("interval", a.interval),
        ("role", a.role),
        ("depth", a.depth),
    ] {
        if let Some(v) = v {
            e = e.with_attribute((k, v));
        }
    }
    e.write_empty()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_and_role_is_rendered() {
        let xml = render().unwrap();
        for p in PARAMS {
            assert!(xml.contains(&format!("<parameter name=\"{}\"", p.name)));
        }
        assert!(xml.contains("role=\"Promoted\""));
        assert!(xml.contains("role=\"Unpromoted\""));
        assert!(xml.contains("<version>1.1</version>"));
    }

    /// Pacemaker (controld_metadata.c, 2.1.5) uses reload-agent only for an agent whose meta-data says OCF
    /// version 1.1 or later *and* lists the action; without either, a changed parameter restarts it.
    #[test]
    fn reload_agent_is_advertised_with_the_reloadable_parameters() {
        let xml = render().unwrap();
        assert!(xml.contains("<action name=\"reload-agent\" timeout=\"30s\"/>"));
        assert!(xml.contains("<!ATTLIST parameter reloadable (1|0) \"0\">"));
        for p in PARAMS {
            let head = format!(
                "<parameter name=\"{}\" unique=\"{}\" required=\"{}\" reloadable=\"{}\">",
                p.name,
                flag(p.unique),
                flag(p.required),
                flag(p.reloadable)
            );
            assert!(xml.contains(&head), "{head}");
        }
    }

    #[test]
    fn default_timeouts_come_from_the_table() {
        assert_eq!(default_timeout_secs("promote"), 300);
        assert_eq!(default_timeout_secs("nonesuch"), 30);
    }
}
