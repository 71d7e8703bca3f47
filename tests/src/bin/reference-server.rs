//! `reference-server [--addr HOST:PORT] [--seed-token TOKEN]`: serves the reference in-memory
//! Customer Service until interrupted. The seed token may also come from
//! `OASGEN_REFERENCE_SEED_TOKEN`. Prints `listening on http://ADDR` once it accepts requests.

use oasgen_tests::ReferenceService;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str = "usage: reference-server [--addr HOST:PORT] [--seed-token TOKEN]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut addr = "127.0.0.1:8080".to_string();
    let mut seed = std::env::var("OASGEN_REFERENCE_SEED_TOKEN").ok();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(v)) => addr = v,
            ("--seed-token", Some(v)) => seed = Some(v),
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::FAILURE;
            }
        }
    }
    let mut service = ReferenceService::new();
    if let Some(token) = seed.as_deref().filter(|t| !t.is_empty()) {
        service = service.with_seed_token(token);
    }
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("reference-server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("listening on http://{local}"),
        Err(e) => eprintln!("reference-server: {e}"),
    }
    let shutdown = stopped();
    match oasgen_tests::serve(listener, Arc::new(service), shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("reference-server: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM (`cargo xtask serve` execs into this process, so a SIGTERM
/// sent to it arrives here).
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("reference-server: stopping");
}
