//! `galera-ocf man`: the galera-ocf(8) manual page as roff, for the packages.
//!
//! Rendered with clap_mangen from the same clap definition ([`Admin`]) that parses the admin commands, and
//! with sections generated from the OCF action list and the parameter table ([`PARAMS`]), so the page
//! cannot drift from what the binary accepts. Only the prose that has no other home (how Pacemaker calls
//! the agent, the files it uses) is written here.

use std::io::Write;

use clap::{Arg, Command, Subcommand};
use clap_mangen::roff::{bold, italic, roman, Inline, Roff};
use clap_mangen::Man;

use crate::cli::{Admin, BIN_NAME};
use crate::ocf::{Action, OcfStatus};
use crate::params::{Param, PARAMS};

const AGENT_PATH: &str = "/usr/lib/ocf/resource.d/galera-ocf/galera";

/// The clap command the page describes. Help/version flags are off because the binary only hands the
/// admin words to clap (an OCF agent must not print clap's help for an unknown action).
fn command() -> Command {
    let cmd = Command::new(BIN_NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .about("Pacemaker OCF resource agent for MariaDB Galera (promotable clone)")
        .long_about(
            "galera-ocf runs MariaDB Galera as a promotable clone resource under Pacemaker \
             (ocf:galera-ocf:galera). Promoted means mariadbd runs Synced in the Primary component; \
             Unpromoted means mariadbd is stopped and the node's last committed position is published as a \
             transient node attribute. After a full outage the agent waits until every member has reported, \
             then bootstraps exactly one node (the highest seqno of the majority cluster UUID) and joins the \
             others to it; when every member is level and kept Galera's saved view (gvwstate.dat), all of \
             them start at once and Galera re-forms that component (pc.recovery), with no bootstrap.",
        )
        .disable_help_flag(true)
        .disable_help_subcommand(true);
    Admin::augment_subcommands(cmd)
}

/// One synopsis line per admin command, from the clap argument definitions (clap's own usage string
/// folds every flag into "[OPTIONS]", which hides the ones an admin must type, e.g. `--force`).
fn admin_usages(cmd: &Command) -> Vec<(String, String)> {
    cmd.get_subcommands()
        .map(|sub| {
            let mut words = vec![format!("{BIN_NAME} {}", sub.get_name())];
            let (positionals, flags): (Vec<&Arg>, Vec<&Arg>) = sub
                .get_arguments()
                .filter(|a| !a.is_hide_set())
                .partition(|a| a.is_positional());
            for a in flags.into_iter().chain(positionals) {
                let word = match a.get_long() {
                    Some(long) if !a.is_positional() => format!("--{long}"),
                    _ => a.get_id().as_str().to_uppercase(),
                };
                words.push(if a.is_required_set() {
                    word
                } else {
                    format!("[{word}]")
                });
            }
            let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
            (words.join(" "), about)
        })
        .collect()
}

fn tp(roff: &mut Roff, term: Vec<Inline>, text: &str) {
    roff.control("TP", []);
    roff.text(term);
    roff.text([roman(text)]);
}

fn synopsis(roff: &mut Roff, usages: &[(String, String)]) {
    roff.control("SH", ["SYNOPSIS"]);
    roff.text([
        bold(AGENT_PATH),
        roman(" "),
        italic("ACTION"),
        roman("   (as Pacemaker runs it)"),
    ]);
    roff.control("br", []);
    roff.text([bold(BIN_NAME), roman(" "), italic("ACTION")]);
    for (usage, _) in usages {
        roff.control("br", []);
        roff.text([bold(usage.as_str())]);
    }
}

fn admin_commands(roff: &mut Roff, usages: &[(String, String)]) {
    roff.control("SH", ["ADMIN COMMANDS"]);
    roff.text([roman(
        "Run by an administrator as galera-ocf, not by Pacemaker. They read (and, for bootstrap, write) \
         the cluster's CIB.",
    )]);
    for (usage, about) in usages {
        tp(roff, vec![bold(usage.as_str())], about);
    }
}

fn actions(roff: &mut Roff) {
    roff.control("SH", ["OCF ACTIONS"]);
    roff.text([roman(
        "Pacemaker passes the action as the first argument and the parameters as OCF_RESKEY_name \
         environment variables. When the binary is invoked under any name other than galera-ocf (the \
         installed agent path), the first argument is always an OCF action.",
    )]);
    let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    roff.control("PP", []);
    roff.text([bold(names.join(", "))]);
}

fn parameters(roff: &mut Roff) {
    roff.control("SH", ["PARAMETERS"]);
    roff.text([roman(
        "Set as resource parameters (crm configure primitive ... params name=value, or pcs resource \
         create ... name=value). The same table produces the agent's meta-data.",
    )]);
    for p in PARAMS {
        tp(roff, param_term(p, true), p.long);
    }
}

/// A parameter's term: its name, then in parentheses its type (`with_kind`) and whether it is required or
/// its default, whichever there are.
fn param_term(p: &Param, with_kind: bool) -> Vec<Inline> {
    let mut notes = Vec::new();
    if with_kind {
        notes.push(italic(p.kind.as_str()));
    }
    if p.required {
        notes.push(roman("required"));
    } else if !p.default.is_empty() {
        notes.push(roman(format!("default {}", p.default)));
    }
    let mut term = vec![bold(p.name)];
    if !notes.is_empty() {
        for (i, note) in notes.into_iter().enumerate() {
            term.push(roman(if i == 0 { " (" } else { ", " }));
            term.push(note);
        }
        term.push(roman(")"));
    }
    term
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    roff.text([roman(
        "The OCF actions: OCF 1.1 exit codes; every failure also prints one ocf-exit-reason: line on stderr.",
    )]);
    for s in [
        OcfStatus::Success,
        OcfStatus::ErrGeneric,
        OcfStatus::ErrArgs,
        OcfStatus::ErrUnimplemented,
        OcfStatus::ErrPerm,
        OcfStatus::ErrInstalled,
        OcfStatus::ErrConfigured,
        OcfStatus::NotRunning,
        OcfStatus::RunningPromoted,
        OcfStatus::FailedPromoted,
        OcfStatus::Degraded,
    ] {
        tp(roff, vec![bold(s.code().to_string())], s.name());
    }
    roff.control("PP", []);
    // admin::exit_for and admin::bootstrap are what these say; errors are error::Error::admin_exit_code.
    roff.text([roman(
        "The admin commands print errors as galera-ocf: error: lines on stderr. status exits 0 when the \
         election lets the nodes join a running Primary component, 7 when a bootstrap or a re-forming of \
         the saved view is pending or the election waits for reports, 6 on a conflict it cannot decide (e.g. two clusters' UUIDs), 1 on an \
         error (the CIB unreadable, no or several galera primitives without --resource). bootstrap --force \
         exits 0 once the override is set, 1 when not confirmed or on an error; a bad command line exits 2.",
    )]);
}

/// The arbitrator agent (issue 17): the same binary under the name garbd.
fn garbd_agent(roff: &mut Roff) {
    roff.control("SH", ["THE ARBITRATOR AGENT"]);
    roff.text([roman(
        "Installed as /usr/lib/ocf/resource.d/galera-ocf/garbd (ocf:galera-ocf:garbd), the binary runs the \
         Galera arbitrator garbd as a primitive: start, stop, monitor, validate-all, meta-data. Its monitor \
         exits 0 while garbd's log says it is a member of a Primary component (or has said for less than \
         lost_grace that it lost the one it was in), 190 (OCF_DEGRADED) while it waits for its first one, 1 \
         when garbd lost its component for longer than lost_grace, is alone in one, is stopped (SIGSTOP), \
         has closed its connection, or runs several times with the resource's command line, 7 when it is \
         gone. The data agent's arbitrators parameter names the members that run garbd. Parameters:",
    )]);
    for p in crate::garbd::params::PARAMS {
        tp(roff, param_term(p, false), p.long);
    }
}

fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in [
        (
            "OCF_RESKEY_name",
            "a resource parameter (see PARAMETERS); validate-all warns about names it does not know",
        ),
        (
            "OCF_RESKEY_CRM_meta_timeout",
            "the action's timeout in milliseconds: every wait of the action ends a margin before it",
        ),
        (
            "OCF_RESKEY_CRM_meta_interval, OCF_RESKEY_CRM_meta_role",
            "a recurring monitor (interval > 0) and the role it checks; an interval of 0 is a probe",
        ),
        (
            "OCF_RESKEY_CRM_meta_notify_*",
            "the notification variables of a clone with notify=true (type, operation, the nodes of each \
             transition)",
        ),
        (
            "OCF_RESOURCE_INSTANCE",
            "the resource name; node attributes and the state file are named after it",
        ),
        (
            "OCF_CHECK_LEVEL",
            "10 or more: the monitor also fails a Promoted node whose read_only is ON and reads test_table",
        ),
        (
            "HA_RSCTMP",
            "where the state file lives (default /run/resource-agents)",
        ),
        (
            "HA_LOGFACILITY",
            "log to syslog with this facility (pacemakerd sets it), as ocf-shellfuncs does",
        ),
        (
            "HA_LOGFILE, HA_DEBUGLOG",
            "also append log lines (debug lines: HA_DEBUGLOG only) to these files, in pacemaker.log's time \
             format",
        ),
        (
            "HA_debug",
            "set and not 0 or false: debug lines too",
        ),
        (
            "CIB_file",
            "passed on to crm_attribute and cibadmin: galera-ocf status then reads a saved CIB instead of the \
             live one",
        ),
    ] {
        tp(roff, vec![bold(name)], what);
    }
}

fn examples(roff: &mut Roff) {
    roff.control("SH", ["EXAMPLES"]);
    for (what, command) in [
        (
            "Where the cluster stands after an outage, and what the election waits for:",
            "galera-ocf status",
        ),
        (
            "The same as JSON, for a cluster with two galera primitives:",
            "galera-ocf status --json --resource galera",
        ),
        (
            "Let the most advanced reachable node bootstrap when a member is lost for good (its writes that \
             no one else holds are lost):",
            "galera-ocf bootstrap --force",
        ),
        (
            "Check a configuration as Pacemaker would, on one node:",
            "crm_resource --validate --resource galera",
        ),
        (
            "Run the agent's tests against a scratch resource:",
            "ocf-tester -n galera -o wsrep_cluster_address=gcomm://node1,node2,node3 /usr/lib/ocf/resource.d/galera-ocf/galera",
        ),
    ] {
        roff.control("PP", []);
        roff.text([roman(what)]);
        roff.control("PP", []);
        roff.control("RS", ["4"]);
        roff.text([bold(command)]);
        roff.control("RE", []);
    }
}

fn files_and_see_also(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    for (path, what) in [
        (
            AGENT_PATH,
            "the OCF agent (ocf:galera-ocf:galera), a link to this binary",
        ),
        ("/usr/share/galera-ocf/galera.xml", "the agent's meta-data"),
        (
            "/usr/share/doc/galera-ocf/crm-examples/",
            "crmsh and pcs configurations, galera.cnf, maintenance and manual bootstrap steps",
        ),
    ] {
        tp(roff, vec![italic(path)], what);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "ocf_galera-ocf_galera(7) and ocf_galera-ocf_garbd(7) (this page), crm(8), pcs(8), \
         crm_resource(8), crm_attribute(8), cibsecret(8), mariadbd(8), garbd(8), galera_new_cluster(1)",
    )]);
}

/// The page's date (.TH): when its text last changed, kept by hand so the rendered page is reproducible
/// (no build time in it).
const PAGE_DATE: &str = "2026-12-07";

/// The whole page.
pub fn render() -> std::io::Result<String> {
    let cmd = command();
    let usages = admin_usages(&cmd);
    let man = Man::new(cmd)
        .section("8")
        .manual("System Administration")
        .date(PAGE_DATE)
        .source(format!("galera-ocf {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    let mut roff = Roff::new();
    synopsis(&mut roff, &usages);
    roff.to_writer(&mut out)?;
    man.render_description_section(&mut out)?;
    let mut roff = Roff::new();
    admin_commands(&mut roff, &usages);
    actions(&mut roff);
    parameters(&mut roff);
    garbd_agent(&mut roff);
    exit_status(&mut roff);
    environment(&mut roff);
    files_and_see_also(&mut roff);
    examples(&mut roff);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    String::from_utf8(out).map_err(std::io::Error::other)
}

/// `galera-ocf man`: print the page on stdout.
pub fn print() -> OcfStatus {
    let written = render().and_then(|page| {
        let mut out = std::io::stdout().lock();
        out.write_all(page.as_bytes())?;
        out.flush()
    });
    match written {
        Ok(()) => OcfStatus::Success,
        Err(e) => {
            crate::log::exit_reason(&format!("cannot write the man page: {e}"));
            OcfStatus::ErrGeneric
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_has_every_section_command_and_parameter() {
        let page = render().unwrap();
        assert!(page.contains(".TH galera-ocf 8"), "{page}");
        let title = page
            .lines()
            .find(|l| l.starts_with(".TH"))
            .unwrap_or_default();
        assert!(title.contains(PAGE_DATE), "no date in {title}");
        assert!(page.contains("status exits 0"), "admin exit codes missing");
        for heading in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "ADMIN COMMANDS",
            "OCF ACTIONS",
            "PARAMETERS",
            "EXIT STATUS",
            "ENVIRONMENT",
            "FILES",
            "EXAMPLES",
            "THE ARBITRATOR AGENT",
        ] {
            assert!(
                page.contains(&format!(".SH \"{heading}\""))
                    || page.contains(&format!(".SH {heading}")),
                "missing section {heading}"
            );
        }
        for p in PARAMS {
            // roff escapes '-' but parameter names only use '_'.
            assert!(page.contains(p.name), "parameter {} missing", p.name);
        }
        assert!(page.contains("bootstrap \\-\\-force"), "{page}");
        assert!(page.contains("status [\\-\\-json]"), "{page}");
    }
}
