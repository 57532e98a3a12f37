//! The `galera-ocf` binary: answers meta-data and help without a runtime, everything else in a
//! current-thread runtime around [`galera_ocf::run_with_runtime`]. Everything else is in the library so tests can
//! reach it.

use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    galera_ocf::install_panic_hook();
    let args: Vec<_> = std::env::args_os().collect();
    let work = match galera_ocf::answer_without_runtime(galera_ocf::cli::parse(&args)) {
        Ok(status) => return ExitCode::from(status.code()),
        Err(work) => work,
    };
    let env: BTreeMap<String, String> = std::env::vars_os()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let status = match runtime {
        Ok(rt) => rt.block_on(galera_ocf::run_with_runtime(work, &env)),
        Err(e) => {
            eprintln!("ocf-exit-reason:cannot create the async runtime: {e}");
            galera_ocf::ocf::OcfStatus::ErrGeneric
        }
    };
    ExitCode::from(status.code())
}
