//! The operator's commands besides `serve`: `migrate`, `invite`, `healthcheck`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{redact_url, InviteArgs, Settings};
use crate::domain::account::OrganizationKind;
use crate::domain::limits;
use crate::http::admin::invite as create_invitation;
use crate::store::NewOrganization;

pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
    crate::state::open(settings).await?;
    println!("Migrations applied to {}", redact_url(&settings.database_url));
    Ok(())
}

pub async fn invite(settings: &Settings, args: &InviteArgs) -> anyhow::Result<()> {
    let state = crate::state::open(settings).await?;
    let name = limits::title("organization", &args.organization)?;
    let short_name = match &args.short_name {
        Some(short) => limits::short_name(short)?,
        None => initials(&name),
    };
    let org =
        state.store.ensure_organization(NewOrganization { name, short_name, kind: OrganizationKind::Member }).await?;
    let created = create_invitation(&state, &args.email, org.id, args.role.into(), None)
        .await
        .map_err(|err| anyhow::anyhow!("{}", err.problem().detail))?;
    println!(
        "Invitation for {} ({} of {}):",
        args.email.trim(),
        Into::<crate::domain::account::Role>::into(args.role).as_str(),
        org.name
    );
    println!("{}", created.url);
    println!("It can be used once, until {}.", created.expires_at.format("%Y-%m-%d %H:%M UTC"));
    Ok(())
}

/// Recomputes every hash chain of the event log; `Ok(false)` when one is broken.
pub async fn verify(settings: &Settings) -> anyhow::Result<bool> {
    let state = crate::state::open(settings).await?;
    let report = state.store.verify_chains().await?;
    match report.first_break {
        None => {
            println!("The record is intact: {} topics, {} events verified.", report.topics, report.events);
            Ok(true)
        }
        Some((topic, seq)) => {
            println!("BROKEN: topic {topic} at seq {seq} does not match its hash chain.");
            println!("({} topics, {} events read.)", report.topics, report.events);
            Ok(false)
        }
    }
}

/// "Fundación Esperanza del Sur" -> "FEDS"; capped to the short-name limit.
fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .flat_map(char::to_uppercase)
        .take(limits::SHORT_NAME_CHARS.1)
        .collect();
    if letters.is_empty() {
        name.chars().take(limits::SHORT_NAME_CHARS.1).collect()
    } else {
        letters
    }
}

/// GET /readyz on the local server; `Ok(true)` when it answers 200.
pub async fn healthcheck(settings: &Settings) -> anyhow::Result<bool> {
    let mut address = settings.bind;
    if address.ip().is_unspecified() {
        address = SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), address.port());
    }
    let check = async {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream
            .write_all(format!("GET /readyz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").as_bytes())
            .await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        anyhow::Ok(head.starts_with(b"HTTP/1.1 200"))
    };
    match tokio::time::timeout(Duration::from_secs(5), check).await {
        Ok(Ok(ready)) => Ok(ready),
        Ok(Err(err)) => {
            eprintln!("healthcheck: {address}: {err}");
            Ok(false)
        }
        Err(_) => {
            eprintln!("healthcheck: {address}: no answer within 5 s");
            Ok(false)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_of_an_organization() {
        assert_eq!(initials("Fundación Esperanza del Sur"), "FEDS");
        assert_eq!(initials("ñandú"), "Ñ");
    }
}
