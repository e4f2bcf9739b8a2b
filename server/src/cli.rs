//! The operator's commands besides `serve`: `migrate`, `invite`, `healthcheck`,
//! `verify`, and `backup`/`restore` (in `backup`).
#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod backup;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::config::{redact_url, InviteArgs, Settings, VerifyArgs};
use crate::domain::account::OrganizationKind;
use crate::domain::limits;
use crate::http::invitations::invite as create_invitation;
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

/// Recomputes every hash chain of the event log, and checks a kept
/// checkpoint against it if one is given; `Ok(false)` when either fails.
pub async fn verify(settings: &Settings, args: &VerifyArgs) -> anyhow::Result<bool> {
    let state = crate::state::open(settings).await?;
    let report = state.store.verify_chains().await?;
    let chains_intact = match report.first_break {
        None => {
            println!("The record is intact: {} topics, {} events verified.", report.topics, report.events);
            true
        }
        Some((topic, seq)) => {
            println!("BROKEN: topic {topic} at seq {seq} does not match its hash chain.");
            println!("({} topics, {} events read.)", report.topics, report.events);
            false
        }
    };
    let checkpoint_holds = match &args.checkpoint {
        Some(path) => verify_checkpoint(&state, path).await?,
        None => true,
    };
    Ok(chains_intact && checkpoint_holds)
}

/// A checkpoint holds when this deployment signed it and every head it
/// names is still in the record with the same hash: with the chains intact,
/// nothing up to those heads was changed, removed or reordered since.
async fn verify_checkpoint(state: &crate::state::AppState, path: &std::path::Path) -> anyhow::Result<bool> {
    use crate::domain::checkpoint::{check, Checkpoint};
    let text = std::fs::read_to_string(path).map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
    let checkpoint: Checkpoint = serde_json::from_str(&text).map_err(|err| {
        anyhow::anyhow!("{} is not a checkpoint (the JSON of GET /api/v1/checkpoints/latest): {err}", path.display())
    })?;
    if let Err(fault) = check(&checkpoint, &state.checkpoint_key.public_key()) {
        println!("CHECKPOINT REFUSED: {fault}.");
        return Ok(false);
    }
    for head in &checkpoint.heads {
        match state.store.event_hash(&head.topic, head.seq).await? {
            Some(hash) if hash == head.hash => {}
            Some(_) => {
                println!(
                    "CHECKPOINT BROKEN: topic {} at seq {} no longer has the checkpoint's hash.",
                    head.topic, head.seq
                );
                return Ok(false);
            }
            None => {
                println!(
                    "CHECKPOINT BROKEN: topic {} has no event at seq {}: the record was cut short.",
                    head.topic, head.seq
                );
                return Ok(false);
            }
        }
    }
    println!(
        "The checkpoint {} of {} holds: {} topics as they were, signed by this deployment's key {}.",
        checkpoint.digest,
        checkpoint.at.to_rfc3339(),
        checkpoint.heads.len(),
        checkpoint.public_key
    );
    Ok(true)
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
