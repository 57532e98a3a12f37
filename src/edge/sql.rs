//! The server's wsrep status over its unix socket with mysql_async: one connection, one
//! `SHOW GLOBAL STATUS LIKE 'wsrep%'`, no client binary, no shell. The password (if any) travels only over
//! that socket. Interpretation of the rows is `galera::status`'s job.

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};

use crate::config::Config;
use crate::deadline::Deadline;
use crate::error::Error;

/// Rows of `SHOW GLOBAL STATUS LIKE 'wsrep%'` plus what the check level asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub wsrep: Vec<(String, String)>,
    /// `@@global.read_only`, read at OCF_CHECK_LEVEL >= 10.
    pub read_only: Option<bool>,
}

fn opts(cfg: &Config) -> OptsBuilder {
    let pass = cfg.check_passwd.expose();
    OptsBuilder::default()
        .socket(Some(cfg.socket.to_string_lossy().into_owned()))
        .prefer_socket(true)
        .user(Some(cfg.check_user.clone()))
        .pass((!pass.is_empty()).then(|| pass.to_owned()))
        .stmt_cache_size(0)
}

fn sql_err(cfg: &Config, e: impl std::fmt::Display) -> Error {
    Error::Sql {
        socket: cfg.socket.clone(),
        reason: e.to_string(),
    }
}

async fn session(cfg: &Config, check_level: u32) -> Result<Snapshot, Error> {
    let mut conn = Conn::new(opts(cfg)).await.map_err(|e| sql_err(cfg, e))?;
    let result = queries(&mut conn, cfg, check_level).await;
    // A clean COM_QUIT keeps "Aborted connection" warnings out of the server log.
    let _ = conn.disconnect().await;
    result
}

async fn queries(conn: &mut Conn, cfg: &Config, check_level: u32) -> Result<Snapshot, Error> {
    let wsrep: Vec<(String, String)> = conn
        .query("SHOW GLOBAL STATUS LIKE 'wsrep%'")
        .await
        .map_err(|e| sql_err(cfg, e))?;
    let mut snap = Snapshot {
        wsrep,
        read_only: None,
    };
    if check_level >= 10 {
        let ro: Option<i64> = conn
            .query_first("SELECT @@global.read_only")
            .await
            .map_err(|e| sql_err(cfg, e))?;
        snap.read_only = ro.map(|v| v != 0);
    }
    if check_level >= 20 {
        let (schema, table) = &cfg.test_table;
        // Identifiers were checked to be [A-Za-z0-9_$]+ in config.rs, so backquoting is enough.
        let q = format!("SELECT 1 FROM `{schema}`.`{table}` LIMIT 1");
        let _: Option<i64> = conn.query_first(q).await.map_err(|e| sql_err(cfg, e))?;
    }
    Ok(snap)
}

/// Connect, query, disconnect — all before the deadline.
pub async fn snapshot(
    cfg: &Config,
    check_level: u32,
    deadline: Deadline,
) -> Result<Snapshot, Error> {
    tokio::time::timeout_at(deadline.instant(), session(cfg, check_level))
        .await
        .map_err(|_| sql_err(cfg, "no answer before the action's deadline"))?
}
