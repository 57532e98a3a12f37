//! The server's wsrep status over its unix socket with mysql_async: one connection, one round trip of
//! two statements, `SHOW GLOBAL STATUS WHERE Variable_name IN (...)` for `galera::status::VARIABLES` and
//! `SHOW GLOBAL VARIABLES WHERE Variable_name IN (...)` for `galera::status::SERVER_VARIABLES`; no client
//! binary, no shell. The password (if any) travels only over that socket. Interpretation of the rows is
//! `galera::status`'s job.
//!
//! Both are SHOW statements on purpose: MariaDB lets SHOW and SET through on a node that is not ready or
//! has `wsrep_reject_queries` set (sql_parse.cc's wsrep check), where a SELECT from information_schema
//! would be refused, so the monitor can still see why the node refuses its clients.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};

use crate::config::Config;
use crate::deadline::Deadline;
use crate::decide::monitor::QueryFailure;
use crate::error::Error;

/// Why the status could not be read: the kind the monitor verdict needs, and the text for the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFailure {
    pub kind: QueryFailure,
    pub text: String,
}

impl SqlFailure {
    pub fn into_error(self, cfg: &Config) -> Error {
        Error::Sql {
            socket: cfg.socket.clone(),
            reason: self.text,
        }
    }
}

/// MariaDB's "access denied" errors (ER_ACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR).
const ACCESS_DENIED: [u16; 2] = [1045, 1698];

fn connect_failure(cfg: &Config, e: mysql_async::Error) -> SqlFailure {
    let kind = match &e {
        mysql_async::Error::Server(s) if ACCESS_DENIED.contains(&s.code) => QueryFailure::Auth,
        _ => QueryFailure::Connect,
    };
    let text = if kind == QueryFailure::Connect && !cfg.socket.exists() {
        // A Galera joiner opens its socket only after it joined (and received its state transfer).
        format!(
            "{} does not exist yet (mariadbd is not accepting connections)",
            cfg.socket.display()
        )
    } else {
        format!("as {} over {}: {e}", cfg.check_user, cfg.socket.display())
    };
    SqlFailure { kind, text }
}

fn query_failure(e: impl std::fmt::Display) -> SqlFailure {
    SqlFailure {
        kind: QueryFailure::Query,
        text: e.to_string(),
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("'{n}'"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `SHOW GLOBAL STATUS` and `SHOW GLOBAL VARIABLES` restricted to what the agent reads (constant names,
/// no user input), sent as one multi-statement query: one round trip, two result sets.
fn status_query() -> String {
    use crate::galera::status::{SERVER_VARIABLES, VARIABLES};
    format!(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ({}); \
         SHOW GLOBAL VARIABLES WHERE Variable_name IN ({})",
        quoted(&VARIABLES),
        quoted(&SERVER_VARIABLES)
    )
}

/// The two result sets of [`status_query`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub wsrep: Vec<(String, String)>,
    /// `wsrep_desync`, `wsrep_reject_queries`, `read_only` rows.
    pub vars: Vec<(String, String)>,
}

const MAX_PACKET: usize = 4 * 1024 * 1024;
const IDLE_TIMEOUT_SECS: usize = 60;

fn opts(cfg: &Config) -> OptsBuilder {
    let pass = cfg.check_passwd.expose();
    OptsBuilder::default()
        .socket(Some(cfg.socket.to_string_lossy().into_owned()))
        .prefer_socket(true)
        .user(Some(cfg.check_user.clone()))
        .pass((!pass.is_empty()).then(|| pass.to_owned()))
        .stmt_cache_size(0)
        // Given here, mysql_async does not ask the server for them after the handshake: one round trip
        // less on every monitor. The status rows are far below either limit.
        .max_allowed_packet(Some(MAX_PACKET))
        .wait_timeout(Some(IDLE_TIMEOUT_SECS))
}

async fn session(cfg: &Config, check_level: u32) -> Result<Snapshot, SqlFailure> {
    let mut conn = Conn::new(opts(cfg))
        .await
        .map_err(|e| connect_failure(cfg, e))?;
    let result = queries(&mut conn, cfg, check_level).await;
    // A clean COM_QUIT keeps "Aborted connection" warnings out of the server log.
    let _ = conn.disconnect().await;
    result
}

/// Rows of one result set as (name, value) pairs; a row of another shape is a query failure, not a panic.
async fn pairs(
    result: &mut mysql_async::QueryResult<'_, 'static, mysql_async::TextProtocol>,
) -> Result<Vec<(String, String)>, SqlFailure> {
    result
        .try_collect::<(String, String)>()
        .await
        .map_err(query_failure)?
        .into_iter()
        .map(|r| r.map_err(query_failure))
        .collect()
}

async fn queries(conn: &mut Conn, cfg: &Config, check_level: u32) -> Result<Snapshot, SqlFailure> {
    let mut result = conn
        .query_iter(status_query())
        .await
        .map_err(query_failure)?;
    let wsrep = pairs(&mut result).await?;
    let vars = pairs(&mut result).await?;
    result.drop_result().await.map_err(query_failure)?;
    let snap = Snapshot { wsrep, vars };
    if check_level >= 20 {
        let (schema, table) = &cfg.test_table;
        // Identifiers were checked to be [A-Za-z0-9_$]+ in config.rs, so backquoting is enough.
        let q = format!("SELECT 1 FROM `{schema}`.`{table}` LIMIT 1");
        let _: Option<i64> = conn.query_first(q).await.map_err(query_failure)?;
    }
    Ok(snap)
}

/// Connect, query, disconnect — all before the deadline.
pub async fn snapshot(
    cfg: &Config,
    check_level: u32,
    deadline: Deadline,
) -> Result<Snapshot, SqlFailure> {
    tokio::time::timeout_at(deadline.instant(), session(cfg, check_level))
        .await
        .map_err(|_| SqlFailure {
            kind: QueryFailure::Timeout,
            text: "no answer before the action's deadline".into(),
        })?
}
