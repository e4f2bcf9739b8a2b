#![forbid(unsafe_code)]
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;
use minga::config::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    minga::telemetry::init(cli.settings.log_format);
    let settings = cli.settings;
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => minga::server::run(settings).await,
        Command::Migrate => minga::cli::migrate(&settings).await,
        Command::Invite(args) => minga::cli::invite(&settings, &args).await,
        Command::Healthcheck => match minga::cli::healthcheck(&settings).await {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(err) => Err(err),
        },
        Command::Verify => match minga::cli::verify(&settings).await {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(err) => Err(err),
        },
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("minga: {err:#}");
            ExitCode::FAILURE
        }
    }
}
