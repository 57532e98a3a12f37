//! Admin commands (`galera-ocf status`, `bootstrap --force`, `man`): not OCF actions, run by a person.

use std::collections::BTreeMap;

use crate::cli::Admin;
use crate::ocf::OcfStatus;

pub async fn run(cmd: Admin, _env: &BTreeMap<String, String>) -> OcfStatus {
    crate::log::exit_reason(&format!("{cmd:?} is not implemented yet"));
    OcfStatus::ErrUnimplemented
}
