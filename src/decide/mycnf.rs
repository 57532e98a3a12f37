//! The node's MariaDB option file (the `config` parameter, my.cnf) against the agent's parameters, for
//! validate-all (issue 5): the line grammar mariadbd reads and the comparison. Pure: `edge::mycnf` reads
//! the files and follows `!include`/`!includedir` in the order [`parse`] returns them.
//!
//! What is compared, and why it matters although the agent passes `--datadir`, `--socket`, `--pid-file`
//! and `--wsrep-cluster-address` on mariadbd's command line (which win over the file): a manual start for
//! maintenance, `mariadb-install-db` and the clients read the file, so a different value there means a
//! second data directory or a socket nobody listens on. `wsrep_on`, `wsrep_provider` and `binlog_format`
//! come from the file only; without them mariadbd runs without Galera, or refuses to (Galera replicates
//! row events only). A different `wsrep_cluster_address` is only a warning: the agent always passes its
//! own.
//!
//! Which options count is mariadbd's answer, not this module's: validate-all and start run
//! `mariadbd --defaults-file=CONFIG --print-defaults` (`edge::mycnf::server_defaults`), which applies the
//! server's own rules (only its version's `[mariadb-X.Y]` groups, `!include`/`!includedir`, aborting on a
//! missing include directory) and prints the options it would start with; [`parse_print_defaults`] reads
//! that list (its values unquoted: the files' own reading settles where one ends), and output that is not
//! such a list is a [`PrintDefaultsError`], never "no options". The hand-written [`parse`] of the files
//! otherwise only finds where each of those options was written ([`with_origins`]), so a finding names
//! `FILE:LINE [group]`; where it disagrees with the server, the server wins and the origin reads "mariadbd
//! --print-defaults". An unset `binlog_format` is not reported.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::hostmap::parse_gcomm;
use crate::ocf::parse_bool;

/// The option groups mariadbd reads (its `load_default_groups`), version-suffixed forms included.
pub fn server_section(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "mysqld",
        "server",
        "galera",
        "mariadb",
        "mariadbd",
        "client-server",
    ]
    .iter()
    .any(|s| name == *s || name.starts_with(&format!("{s}-")))
}

/// One server option: where it was set (`FILE:LINE [group]` or `additional_parameters`), its name in
/// the canonical spelling (lower case, `_` for `-`, without `loose_`) and its value (`None`: bare word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub origin: String,
    pub key: String,
    pub value: Option<String>,
}

/// What a file contributes, in file order: options of server groups, and includes to read in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Setting(Setting),
    Include(PathBuf),
    IncludeDir(PathBuf),
}

/// An option's name in the canonical spelling: lower case, `_` for `-`, without `loose_`.
fn canonical(name: &str) -> String {
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    match key.strip_prefix("loose_") {
        Some(rest) => rest.to_owned(),
        None => key,
    }
}

/// `key`, `key=value` → canonical key and value; `skip-`/`disable-`/`enable-` set a boolean.
fn option(text: &str) -> (String, Option<String>) {
    let (k, v) = match text.split_once('=') {
        Some((k, v)) => (k, Some(value(v))),
        None => (text, None),
    };
    let key = canonical(k);
    for (prefix, flag) in [("skip_", "OFF"), ("disable_", "OFF"), ("enable_", "ON")] {
        if v.is_none() {
            if let Some(rest) = key.strip_prefix(prefix) {
                return (rest.to_owned(), Some(flag.to_owned()));
            }
        }
    }
    (key, v)
}

/// A value without its trailing `#` comment (outside quotes) and without surrounding quotes.
fn value(raw: &str) -> String {
    let mut quote = None;
    let mut end = raw.len();
    for (i, c) in raw.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let v = raw[..end].trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    v.to_owned()
}

/// The server options and includes of one option file's text; `file` names it in origins.
pub fn parse(file: &str, text: &str) -> Vec<Item> {
    let mut group: Option<String> = None;
    let mut items = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(dir) = line.strip_prefix("!includedir") {
            items.push(Item::IncludeDir(PathBuf::from(dir.trim())));
        } else if let Some(f) = line.strip_prefix("!include") {
            items.push(Item::Include(PathBuf::from(f.trim())));
        } else if let Some(g) = line.strip_prefix('[').and_then(|l| l.split_once(']')) {
            group = Some(g.0.trim().to_owned());
        } else if let Some(g) = group.as_deref().filter(|g| server_section(g)) {
            let (key, value) = option(line);
            items.push(Item::Setting(Setting {
                origin: format!("{file}:{} [{g}]", n + 1),
                key,
                value,
            }));
        }
    }
    items
}

/// The end of the first line of `mariadbd --print-defaults` (after the program's name).
pub const PRINT_DEFAULTS_HEADER: &str = " would have been started with the following arguments:";

/// Output of `mariadbd --print-defaults` that is not what a MariaDB server prints (another program, or
/// a wrapper that prints something else): reported, never read as "no options".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintDefaultsError {
    #[error("its first line is not \"PROGRAM{PRINT_DEFAULTS_HEADER}\" but {0:?}")]
    NoHeader(String),
    #[error("its options are not --option words each followed by a blank: {0:?}")]
    NotOptions(String),
}

/// At most this much of unexpected output goes into an error.
const SHOWN: usize = 80;

fn shown(text: &str) -> String {
    text.chars().take(SHOWN).collect()
}

/// The options `mariadbd --print-defaults` prints, one setting per `--option`.
///
/// The server (mysys `my_load_defaults`) prints the header line, then every option exactly as it read it
/// followed by one blank, then a newline: a value is neither quoted nor escaped, so it may hold blanks,
/// runs of blanks, ` --` and (from a `\n` escape in the file) newlines. Each blank followed by `--` and a
/// name character may therefore end an option or belong to its value; the first such blank ends it,
/// unless the option files' own reading (`written`, see [`parse`]) has this option with a value that
/// reaches to a later one: the value the server read is then the one written (the longest that fits).
pub fn parse_print_defaults(
    stdout: &str,
    written: &[Setting],
) -> Result<Vec<Setting>, PrintDefaultsError> {
    let (header, rest) = stdout.split_once('\n').unwrap_or((stdout, ""));
    if !header.ends_with(PRINT_DEFAULTS_HEADER) {
        return Err(PrintDefaultsError::NoHeader(shown(header)));
    }
    let list = rest.strip_suffix('\n').unwrap_or(rest);
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let mut rest = match list.strip_suffix(' ') {
        Some(l) if l.starts_with("--") => l,
        _ => return Err(PrintDefaultsError::NotOptions(shown(list))),
    };
    let mut out = Vec::new();
    loop {
        let end = argument_end(rest, written);
        out.push(printed_setting(rest.get(2..end).unwrap_or("")));
        match rest.get(end + 1..) {
            Some(next) => rest = next,
            None => return Ok(out),
        }
    }
}

/// Whether an option can start at `i` of `list`: ` --` and a name character.
fn boundary(list: &str, i: usize) -> bool {
    list.get(i..)
        .and_then(|t| t.strip_prefix(" --"))
        .and_then(|t| t.chars().next())
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where the option at the start of `list` ends (see [`parse_print_defaults`]).
fn argument_end(list: &str, written: &[Setting]) -> usize {
    let ends = |i: usize| i == list.len() || boundary(list, i);
    let first = (1..=list.len())
        .find(|&i| list.is_char_boundary(i) && ends(i))
        .unwrap_or(list.len());
    let Some(eq) = list[..first].find('=') else {
        return first;
    };
    let key = canonical(list.get(2..eq).unwrap_or(""));
    let value = &list[eq + 1..];
    written
        .iter()
        .filter(|w| w.key == key)
        .filter_map(|w| w.value.as_deref())
        .filter(|v| value.starts_with(v))
        .map(|v| eq + 1 + v.len())
        .filter(|&i| ends(i))
        .fold(first, usize::max)
}

/// One printed option (without its `--`): the value as printed; `skip-`/`enable-` forms as in a file.
fn printed_setting(arg: &str) -> Setting {
    let (key, value) = match arg.split_once('=') {
        Some((k, v)) => (canonical(k), Some(v.to_owned())),
        None => option(arg),
    };
    Setting {
        origin: "mariadbd --print-defaults".into(),
        key,
        value,
    }
}

/// The server's settings, each with where it was written when the files' own reading ([`parse`]) has the
/// same option with the same value (the last such line, as the last one wins).
pub fn with_origins(server: Vec<Setting>, written: &[Setting]) -> Vec<Setting> {
    server
        .into_iter()
        .map(|s| {
            match written
                .iter()
                .rev()
                .find(|w| w.key == s.key && w.value == s.value)
            {
                Some(w) => Setting {
                    origin: w.origin.clone(),
                    ..s
                },
                None => s,
            }
        })
        .collect()
}

/// Why mariadbd refused its option file, from its stderr: the line that names the problem, not its
/// closing "Fatal error in defaults handling. Program aborted".
pub fn defaults_failure(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines
        .iter()
        .find(|l| !l.starts_with("Fatal error in defaults handling"))
        .or(lines.first())
        .map_or_else(|| "no reason given".to_owned(), |l| (*l).to_owned())
}

/// `additional_parameters` (`--key[=value]` words): command-line options, which win over the file.
pub fn from_arguments(args: &[String]) -> Vec<Setting> {
    args.iter()
        .filter_map(|a| a.strip_prefix("--"))
        .map(|a| {
            let (key, value) = option(a);
            Setting {
                origin: "additional_parameters".into(),
                key,
                value,
            }
        })
        .collect()
}

/// The setting that counts: the last one, as in mariadbd.
pub fn effective<'a>(settings: &'a [Setting], key: &str) -> Option<&'a Setting> {
    settings.iter().rev().find(|s| s.key == key)
}

/// `wsrep_provider` when it names a library (not unset, empty or `none`).
pub fn provider(settings: &[Setting]) -> Option<(&Setting, &str)> {
    let s = effective(settings, "wsrep_provider")?;
    match s.value.as_deref() {
        None | Some("") => None,
        Some(v) if v.eq_ignore_ascii_case("none") => None,
        Some(v) => Some((s, v)),
    }
}

/// The parameters the file must agree with.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub config: &'a Path,
    pub datadir: &'a Path,
    pub socket: &'a Path,
    pub pid: &'a Path,
    pub cluster_address: &'a str,
}

/// One contradiction: the parameter it concerns and a sentence naming the file, line and option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub param: &'static str,
    pub text: String,
}

/// Errors (validate-all fails with the first) and warnings (logged), each in a fixed order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    pub errors: Vec<Finding>,
    pub warnings: Vec<Finding>,
}

fn finding(param: &'static str, text: String) -> Finding {
    Finding { param, text }
}

/// Whether an option's path `value` names `param`. Relative paths are relative to the data directory
/// (mariadbd changes into it before using them).
pub fn same_path(value: &str, param: &Path, datadir: &Path) -> bool {
    let v = Path::new(value);
    let v = if v.is_relative() {
        datadir.join(v)
    } else {
        v.to_path_buf()
    };
    v.components().eq(param.components())
}

fn hosts(address: &str) -> Option<BTreeSet<String>> {
    parse_gcomm(address).ok().map(|a| {
        a.hosts
            .iter()
            .map(|h| h.host.to_ascii_lowercase())
            .collect()
    })
}

fn galera_options(ex: &Expected<'_>, settings: &[Setting], errors: &mut Vec<Finding>) {
    let config = ex.config.display();
    if provider(settings).is_none() {
        errors.push(finding(
            "config",
            match effective(settings, "wsrep_provider") {
                Some(s) => format!(
                    "{}: wsrep_provider = {} names no Galera library",
                    s.origin,
                    s.value.as_deref().unwrap_or("")
                ),
                None => format!("{config} sets no wsrep_provider (the Galera library)"),
            },
        ));
    }
    match effective(settings, "wsrep_on") {
        None => errors.push(finding(
            "config",
            format!("{config} sets no wsrep_on (MariaDB's default is OFF): set wsrep_on=ON"),
        )),
        Some(s) => {
            let v = s.value.as_deref().unwrap_or("ON");
            if parse_bool(v) != Some(true) {
                errors.push(finding(
                    "config",
                    format!(
                        "{}: wsrep_on = {v} turns Galera replication off: set wsrep_on=ON",
                        s.origin
                    ),
                ));
            }
        }
    }
    if let Some(s) = effective(settings, "binlog_format") {
        let v = s.value.as_deref().unwrap_or("");
        if !v.eq_ignore_ascii_case("row") {
            errors.push(finding(
                "config",
                format!(
                    "{}: binlog_format = {v}: Galera replicates row events only: set binlog_format=ROW",
                    s.origin
                ),
            ));
        }
    }
}

/// Compare the effective settings (file order, then `additional_parameters`) with the parameters.
pub fn check(ex: &Expected<'_>, settings: &[Setting]) -> Findings {
    let mut out = Findings::default();
    galera_options(ex, settings, &mut out.errors);
    for (param, key, want) in [
        ("datadir", "datadir", ex.datadir),
        ("socket", "socket", ex.socket),
        ("pid", "pid_file", ex.pid),
    ] {
        if let Some(s) = effective(settings, key) {
            let v = s.value.as_deref().unwrap_or("");
            if !same_path(v, want, ex.datadir) {
                out.errors.push(finding(
                    param,
                    format!(
                        "{}: {} = {v}, but the resource has {param}={}",
                        s.origin,
                        key.replace('_', "-"),
                        want.display()
                    ),
                ));
            }
        }
    }
    if let Some(s) = effective(settings, "wsrep_cluster_address") {
        let v = s.value.as_deref().unwrap_or("");
        if hosts(v) != hosts(ex.cluster_address) {
            out.warnings.push(finding(
                "wsrep_cluster_address",
                format!(
                    "{}: wsrep_cluster_address = {v} lists other hosts than the resource's {} \
                     (the agent passes its own value; a manual start would use the file's)",
                    s.origin, ex.cluster_address
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const GOOD: &str = "[client]\nsocket=/elsewhere.sock\n\
        [mysqld]\ndatadir = /var/lib/mysql/\nsocket=/run/mysqld/mysqld.sock\npid-file=mysqld.pid # in datadir\n\
        binlog-format = row\n[galera]\nwsrep_on=ON\nwsrep_provider = \"/usr/lib/galera/libgalera_smm.so\"\n\
        wsrep_cluster_address = gcomm://NODE1,node2:4567,node3\n";

    fn settings(text: &str) -> Vec<Setting> {
        parse("/etc/my.cnf", text)
            .into_iter()
            .filter_map(|i| match i {
                Item::Setting(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    /// Printed by mariadbd 10.11 for /tmp/pd/a.cnf (`[mysqld] datadir=/srv/a b`, `[mariadb-10.6]
    /// wsrep_on=OFF`, ignored by 10.11, `[galera] wsrep-provider=…`, `loose-foo=1`).
    const PRINTED: &str = "/usr/sbin/mariadbd would have been started with the following arguments:\n\
        --datadir=/srv/a b --wsrep_on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so --loose-foo=1 \n";

    fn printed(stdout: &str, written: &[Setting]) -> Vec<(String, Option<String>)> {
        parse_print_defaults(stdout, written)
            .unwrap()
            .into_iter()
            .map(|s| (s.key, s.value))
            .collect()
    }

    fn kv(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn the_servers_printed_options_are_read() {
        assert_eq!(
            printed(PRINTED, &[]),
            kv(&[
                ("datadir", Some("/srv/a b")),
                ("wsrep_on", Some("ON")),
                ("wsrep_provider", Some("/usr/lib/galera/libgalera_smm.so")),
                ("foo", Some("1")),
            ])
        );
        // A '#' or quote the server printed is part of the value, not a comment.
        let s = printed(
            "x would have been started with the following arguments:\n--socket=/a#b --skip-log-bin \n",
            &[],
        );
        assert_eq!(s, kv(&[("socket", Some("/a#b")), ("log_bin", Some("OFF"))]));
        let all = parse_print_defaults(PRINTED, &[]).unwrap();
        assert!(all.iter().all(|s| s.origin == "mariadbd --print-defaults"));
    }

    /// tests/fixtures/print-defaults/tricky.out: what mariadbd 10.11.19 printed for tricky.cnf beside
    /// it (runs of blanks, ` --` inside values, an escaped newline, an ignored `[mariadb-10.6]` group).
    #[test]
    fn the_servers_real_output_with_blanks_and_dashes_in_values() {
        let written = settings(fixture!("print-defaults/tricky.cnf"));
        let expected = kv(&[
            ("datadir", Some("/srv/my  data")),
            (
                "wsrep_provider_options",
                Some("gcache.size=1G; pc.ignore_sb=false --b"),
            ),
            ("socket", Some("/tmp/x y.sock")),
            ("innodb_undo_directory", Some("")),
            ("log_bin", None),
            ("name_resolve", Some("OFF")),
            ("wsrep_on", Some("ON")),
            ("wsrep_provider", Some("/usr/lib/galera/libgalera_smm.so")),
            ("init_connect", Some("SET NAMES utf8mb4 --x")),
            ("wsrep_sst_auth", Some("u:p #w")),
            ("foo", Some("a\nb")),
        ]);
        assert_eq!(
            printed(fixture!("print-defaults/tricky.out"), &written),
            expected
        );
        // Without the files' reading, a blank before `--` and a name ends the option; blanks alone never.
        let blind = printed(fixture!("print-defaults/tricky.out"), &[]);
        assert_eq!(blind[0], expected[0]);
        assert_eq!(
            blind[1..3],
            kv(&[
                (
                    "wsrep_provider_options",
                    Some("gcache.size=1G; pc.ignore_sb=false")
                ),
                ("b", None)
            ])
        );
        assert_eq!(blind[3], expected[2]);
    }

    #[test]
    fn no_options_is_an_empty_list() {
        assert_eq!(printed(fixture!("print-defaults/none.out"), &[]), kv(&[]));
    }

    #[test]
    fn output_that_is_not_the_servers_is_an_error() {
        for (stdout, no_header) in [
            ("", true),
            ("\n", true),
            ("Usage: something else\n--datadir=/x \n", true),
            ("--datadir=/x \n", true),
            (
                "m would have been started with the following arguments:\ndatadir=/x \n",
                false,
            ),
            (
                "m would have been started with the following arguments:\n--datadir=/x\n",
                false,
            ),
            (
                "m would have been started with the following arguments:\n \n",
                false,
            ),
        ] {
            let e = parse_print_defaults(stdout, &[]).unwrap_err();
            assert_eq!(
                matches!(e, PrintDefaultsError::NoHeader(_)),
                no_header,
                "{stdout:?}: {e}"
            );
        }
        let long = format!("{}\n", "x".repeat(500));
        let e = parse_print_defaults(&long, &[]).unwrap_err().to_string();
        assert!(e.len() < 200, "{e}");
    }

    /// What `my_load_defaults` prints for `options`: the header, each `--option` and one blank, a newline.
    fn print_defaults(options: &[(String, Option<String>)]) -> String {
        let mut out = format!("/usr/sbin/mariadbd{PRINT_DEFAULTS_HEADER}\n");
        for (k, v) in options {
            match v {
                Some(v) => out.push_str(&format!("--{k}={v} ")),
                None => out.push_str(&format!("--{k} ")),
            }
        }
        out.push('\n');
        out
    }

    fn written_as(options: &[(String, Option<String>)]) -> Vec<Setting> {
        options
            .iter()
            .map(|(k, v)| Setting {
                origin: "f:1 [mysqld]".into(),
                key: k.clone(),
                value: v.clone(),
            })
            .collect()
    }

    /// Option names as the server prints them (canonical already: lower case and `_`); not `loose_…`,
    /// which names the same option, nor `skip_…`, `enable_…`, `disable_…`, which a bare word turns into a
    /// boolean.
    fn name() -> impl Strategy<Value = String> {
        "[a-r][a-z0-9_]{0,12}".prop_filter("a prefix with a meaning", |n| {
            !["loose_", "skip_", "enable_", "disable_"]
                .iter()
                .any(|p| n.starts_with(p))
        })
    }

    /// Values with what makes the printed list ambiguous: blanks, runs of them, `=`, `#`, quotes,
    /// newlines, and with `dashes` also `--` after a blank or not.
    fn value(dashes: bool) -> impl Strategy<Value = String> {
        let mut pieces = vec![
            "[a-zA-Z0-9/.:;_=#'\"]{1,6}".boxed(),
            Just(" ".to_owned()).boxed(),
            Just("  ".to_owned()).boxed(),
            Just("\n".to_owned()).boxed(),
        ];
        if dashes {
            pieces.push(Just(" --".to_owned()).boxed());
            pieces.push(Just("--".to_owned()).boxed());
        }
        proptest::collection::vec(proptest::strategy::Union::new(pieces), 0..8)
            .prop_map(|parts| parts.concat())
    }

    proptest! {
        /// With the files' own reading of the same values (one per option, as where no option is set
        /// twice), every printed list reads back exactly, ` --` in values and all.
        #[test]
        fn printed_options_read_back_with_the_files_values(
            opts in proptest::collection::btree_map(name(), proptest::option::of(value(true)), 0..8)
        ) {
            let opts: Vec<_> = opts.into_iter().collect();
            let got = printed(&print_defaults(&opts), &written_as(&opts));
            prop_assert_eq!(got, opts);
        }

        /// Without it, values without `--` read back exactly: blanks, runs of blanks and newlines stay in
        /// their values.
        #[test]
        fn printed_options_read_back_without_dashes_in_values(
            opts in proptest::collection::vec((name(), proptest::option::of(value(false))), 0..8)
        ) {
            prop_assert_eq!(printed(&print_defaults(&opts), &[]), opts);
        }

        /// Whatever the output, the parser returns or errs; it never panics.
        #[test]
        fn any_output_is_read_or_refused(text in "(m would have been started with the following arguments:\n)?[ -~\n]{0,40}") {
            let _ = parse_print_defaults(&text, &[]);
        }
    }

    #[test]
    fn origins_come_from_the_files_when_they_agree_with_the_server() {
        let written = settings("[mysqld]\nwsrep_on=ON\n[mariadb-10.6]\nwsrep_on=OFF\n");
        let server = parse_print_defaults(
            "m would have been started with the following arguments:\n--wsrep_on=ON --binlog_format=ROW \n",
            &written,
        )
        .unwrap();
        let s = with_origins(server, &written);
        assert_eq!(s[0].origin, "/etc/my.cnf:2 [mysqld]");
        assert_eq!(s[1].origin, "mariadbd --print-defaults");
    }

    #[test]
    fn the_servers_refusal_names_the_problem() {
        let stderr = "/usr/sbin/mariadbd: Can't read dir of '/nonexistent' (Errcode: 2 \"No such file or directory\")\n\
            Fatal error in defaults handling. Program aborted\n";
        assert!(defaults_failure(stderr).contains("Can't read dir of '/nonexistent'"));
        assert_eq!(
            defaults_failure("Fatal error in defaults handling. Program aborted\n"),
            "Fatal error in defaults handling. Program aborted"
        );
        assert_eq!(defaults_failure(""), "no reason given");
    }

    fn run(text: &str, args: &[&str]) -> Findings {
        let mut s = settings(text);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        s.extend(from_arguments(&args));
        check(
            &Expected {
                config: Path::new("/etc/my.cnf"),
                datadir: Path::new("/var/lib/mysql"),
                socket: Path::new("/run/mysqld/mysqld.sock"),
                pid: Path::new("/var/lib/mysql/mysqld.pid"),
                cluster_address: "gcomm://node1,node2,node3",
            },
            &s,
        )
    }

    #[test]
    fn a_matching_file_has_no_findings() {
        assert_eq!(run(GOOD, &[]), Findings::default());
    }

    #[test]
    fn grammar() {
        let items = parse(
            "f",
            "# c\n; c\n!includedir /etc/mysql/conf.d/\n[mysqld]\nloose-Wsrep-On\nskip-wsrep-on\n\
             x = 'a # b' # c\n!include /x.cnf\n[mysql]\ndatadir=/no\n",
        );
        assert_eq!(
            items,
            vec![
                Item::IncludeDir("/etc/mysql/conf.d/".into()),
                Item::Setting(Setting {
                    origin: "f:5 [mysqld]".into(),
                    key: "wsrep_on".into(),
                    value: None
                }),
                Item::Setting(Setting {
                    origin: "f:6 [mysqld]".into(),
                    key: "wsrep_on".into(),
                    value: Some("OFF".into())
                }),
                Item::Setting(Setting {
                    origin: "f:7 [mysqld]".into(),
                    key: "x".into(),
                    value: Some("a # b".into())
                }),
                Item::Include("/x.cnf".into()),
            ]
        );
        for (group, server) in [
            ("mysqld", true),
            ("mariadb-10.11", true),
            ("client-server", true),
            ("Galera", true),
            ("mysqld_safe", false),
            ("client", false),
            ("mysql", false),
        ] {
            assert_eq!(server_section(group), server, "{group}");
        }
    }

    /// Each contradiction: the text appended to GOOD (later lines win), the parameter named, and a
    /// piece of the message (file:line and option).
    #[test]
    fn contradictions() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "[mysqld]\ndatadir=/srv/db\n",
                "datadir",
                "/etc/my.cnf:13 [mysqld]: datadir = /srv/db",
            ),
            (
                "[mariadbd]\nsocket=/tmp/x.sock\n",
                "socket",
                "socket = /tmp/x.sock, but the resource has socket=/run/mysqld/mysqld.sock",
            ),
            (
                "[galera]\npid_file=/run/x.pid\n",
                "pid",
                "pid-file = /run/x.pid",
            ),
            ("[galera]\nwsrep_on=OFF\n", "config", "wsrep_on = OFF"),
            ("[galera]\nskip-wsrep-on\n", "config", "wsrep_on = OFF"),
            (
                "[galera]\nwsrep_provider=none\n",
                "config",
                "wsrep_provider = none",
            ),
            (
                "[mysqld]\nbinlog_format=STATEMENT\n",
                "config",
                "binlog_format = STATEMENT",
            ),
            (
                "[mysqld]\nbinlog_format=MIXED\n",
                "config",
                "/etc/my.cnf:13 [mysqld]",
            ),
        ];
        for (extra, param, text) in cases {
            let f = run(&format!("{GOOD}{extra}"), &[]);
            assert_eq!(f.errors.len(), 1, "{extra}: {f:?}");
            assert_eq!(f.errors[0].param, *param, "{extra}");
            assert!(
                f.errors[0].text.contains(text),
                "{extra}: {}",
                f.errors[0].text
            );
            assert!(f.warnings.is_empty());
        }
    }

    #[test]
    fn unset_galera_options() {
        let f = run("[mysqld]\nbinlog_format=ROW\n", &[]);
        let texts: Vec<_> = f.errors.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "/etc/my.cnf sets no wsrep_provider (the Galera library)",
                "/etc/my.cnf sets no wsrep_on (MariaDB's default is OFF): set wsrep_on=ON"
            ]
        );
    }

    #[test]
    fn command_line_wins_over_the_file() {
        let bad = format!("{GOOD}[mysqld]\nbinlog_format=STATEMENT\nwsrep_on=0\n");
        assert_eq!(
            run(&bad, &["--binlog-format=ROW", "--wsrep_on=ON"]),
            Findings::default()
        );
        let f = run(GOOD, &["--loose-wsrep-provider=none"]);
        assert!(f.errors[0]
            .text
            .starts_with("additional_parameters: wsrep_provider"));
    }

    #[test]
    fn cluster_address_differences_only_warn() {
        for (addr, warns) in [
            ("gcomm://node3,node2,node1:4567", false),
            ("gcomm://node1,node2", true),
            ("gcomm://", true),
            ("gcomm://198.18.0.11,198.18.0.12,198.18.0.13", true),
        ] {
            let f = run(&format!("{GOOD}wsrep_cluster_address={addr}\n"), &[]);
            assert!(f.errors.is_empty(), "{addr}");
            assert_eq!(f.warnings.len(), usize::from(warns), "{addr}");
            if warns {
                assert_eq!(f.warnings[0].param, "wsrep_cluster_address");
                assert!(f.warnings[0].text.contains(addr));
            }
        }
    }

    #[test]
    fn paths_compare_by_components() {
        let d = Path::new("/var/lib/mysql");
        assert!(same_path("/var/lib/mysql/", d, d));
        assert!(same_path("//var/lib//mysql", d, d));
        assert!(same_path("x.pid", Path::new("/var/lib/mysql/x.pid"), d));
        assert!(!same_path("/var/lib/mysql2", d, d));
    }
}
