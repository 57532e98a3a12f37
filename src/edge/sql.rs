//! The server's wsrep status over its unix socket with mysql_async: one connection, one
//! `SHOW GLOBAL STATUS WHERE Variable_name IN (...)` for `galera::status::VARIABLES`, no client binary, no
//! shell. The password (if any) travels only over that socket. Interpretation of the rows is
//! `galera::status`'s job.

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

/// `SHOW GLOBAL STATUS` restricted to the variables the agent reads (constant names, no user input).
fn status_query() -> String {
    let names: Vec<String> = crate::galera::status::VARIABLES
        .iter()
        .map(|n| format!("'{n}'"))
        .collect();
    format!(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ({})",
        names.join(",")
    )
}

/// Rows of [`status_query`] plus what the check level asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub wsrep: Vec<(String, String)>,
    /// `@@global.read_only`, read at OCF_CHECK_LEVEL >= 10.
    pub read_only: Option<bool>,
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

async fn queries(conn: &mut Conn, cfg: &Config, check_level: u32) -> Result<Snapshot, SqlFailure> {
    let wsrep: Vec<(String, String)> = conn.query(status_query()).await.map_err(query_failure)?;
    let mut snap = Snapshot {
        wsrep,
        read_only: None,
    };
    if check_level >= 10 {
        let ro: Option<i64> = conn
            .query_first("SELECT @@global.read_only")
            .await
            .map_err(query_failure)?;
        snap.read_only = ro.map(|v| v != 0);
    }
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
