//! start (→ Unpromoted): mariadbd stays stopped; this node publishes its last committed position and takes
//! part in the election. Idempotent: a second start publishes nothing new and returns 0. Refuses, before
//! it touches the data directory, while any server of the datadir runs (`mysqld::in_use`), whoever
//! started it.

use std::collections::{BTreeMap, BTreeSet};

use crate::actions::common::{self, Ctx};
use crate::actions::validate;
use crate::edge::command::{self, Cmd};
use crate::edge::state::{self, State};
use crate::edge::{datadir, mysqld};
use crate::error::Error;
use crate::exit::Outcome;

pub async fn run(ctx: &Ctx<'_>, env: &BTreeMap<String, String>) -> Result<Outcome, Error> {
    let cfg = ctx.cfg;
    validate::validate(cfg, env, &ctx.node)?;
    // Before anything touches the datadir (install-db, --wsrep-recover) or runs anything: never next to a
    // live server.
    if let Some(what) = mysqld::in_use(cfg) {
        return Err(Error::DatadirInUse {
            datadir: cfg.datadir.clone(),
            what,
        });
    }
    // What validate-all checks too: the option file as mariadbd reads it.
    let defaults = validate::option_file(cfg, ctx.deadline).await?;
    mysqld::prepare_dirs(cfg)?;
    if cfg.enable_creation && !datadir::has_system_tables(&cfg.datadir) {
        install_db(ctx).await?;
    }
    let report = common::local_report(cfg, Some(&defaults), ctx.deadline).await?;
    let path = cfg.state_file();
    let mut st = state::load(&path)?.unwrap_or(State {
        started: common::now(),
        ..State::default()
    });
    st.promoted = false;
    st.declined = None;
    let known = st.report.clone();
    common::publish(ctx, &mut st, &report, known.as_ref()).await?;
    state::save(&path, &st)?;
    common::elect_and_apply(ctx, &mut st, BTreeSet::new()).await?;
    state::save(&path, &st)?;
    Ok(Outcome::ok())
}

/// enable_creation: create the system tables like the packaged scripts do.
async fn install_db(ctx: &Ctx<'_>) -> Result<(), Error> {
    let cfg = ctx.cfg;
    let cmd = Cmd::new("/usr/bin/mariadb-install-db")
        .arg(format!("--defaults-file={}", cfg.config.display()))
        .arg(format!("--datadir={}", cfg.datadir.display()))
        .arg(format!("--user={}", cfg.user))
        // Creating system tables needs no cluster (and some SST methods refuse to start without one).
        .arg("--wsrep_on=OFF");
    info!("enable_creation: {}", cmd.display());
    command::checked(&cmd, ctx.deadline)
        .await
        .map_err(|e| Error::command("mariadb-install-db", e))?;
    Ok(())
}
