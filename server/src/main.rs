#![forbid(unsafe_code)]
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;
use minga::config::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // A backup may go to standard output: the logs must stay out of it.
    let logs_to_stderr = matches!(cli.command, Some(Command::Backup(_) | Command::Restore(_)));
    minga::telemetry::init(cli.settings.log_format, logs_to_stderr);
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
        Command::Verify(args) => match minga::cli::verify(&settings, &args).await {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(err) => Err(err),
        },
        Command::Backup(args) => minga::cli::backup::backup(&settings, &args).await,
        Command::Restore(args) => minga::cli::backup::restore(&settings, &args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("minga: {err:#}");
            ExitCode::FAILURE
        }
    }
}
