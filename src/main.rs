//! The `galera-ocf` binary: answers meta-data and help without a runtime, everything else in a
//! current-thread runtime around [`galera_ocf::run_parsed`]. Everything else is in the library so tests can
//! reach it.

use std::collections::BTreeMap;
use std::process::ExitCode;

fn main() -> ExitCode {
    galera_ocf::install_panic_hook();
    let args: Vec<_> = std::env::args_os().collect();
    let invocation = galera_ocf::cli::parse(&args);
    if let Some(status) = galera_ocf::answer_without_runtime(&invocation) {
        return ExitCode::from(status.code());
    }
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
        Ok(rt) => rt.block_on(galera_ocf::run_parsed(invocation, &env)),
        Err(e) => {
            eprintln!("ocf-exit-reason:cannot create the async runtime: {e}");
            galera_ocf::ocf::OcfStatus::ErrGeneric
        }
    };
    ExitCode::from(status.code())
}
