//! `minga backup --output FILE` and `minga restore --input FILE` (the format
//! is in `store::backup`). Messages go to standard error, so `--output -`
//! leaves standard output to the backup alone.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::config::{redact_url, BackupArgs, RestoreArgs, Settings};

const BUFFER: usize = 1 << 20;

fn is_standard_stream(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// `FILE.partial`: where the backup is written until it is complete.
fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

pub async fn backup(settings: &Settings, args: &BackupArgs) -> anyhow::Result<()> {
    let url = &settings.database_url;
    let started = std::time::Instant::now();
    let summary = if is_standard_stream(&args.output) {
        let mut out = BufWriter::with_capacity(BUFFER, std::io::stdout());
        let summary = crate::store::backup(url, &mut out).await?;
        out.flush()?;
        summary
    } else {
        let partial = partial_path(&args.output);
        let file = std::fs::File::create(&partial)
            .map_err(|err| anyhow::anyhow!("cannot create {}: {err}", partial.display()))?;
        let mut out = BufWriter::with_capacity(BUFFER, file);
        let written = crate::store::backup(url, &mut out).await;
        let finished = written.and_then(|summary| {
            let file = out.into_inner().map_err(|err| anyhow::anyhow!("cannot write {}: {err}", partial.display()))?;
            // On disk before it takes the final name: a crash right after
            // must not leave a complete-looking but empty file.
            file.sync_all()?;
            std::fs::rename(&partial, &args.output).map_err(|err| {
                anyhow::anyhow!("cannot rename {} to {}: {err}", partial.display(), args.output.display())
            })?;
            Ok(summary)
        });
        match finished {
            Ok(summary) => summary,
            Err(err) => {
                let _ = std::fs::remove_file(&partial);
                return Err(err);
            }
        }
    };
    let rows: u64 = summary.rows.values().sum();
    let place =
        if is_standard_stream(&args.output) { "standard output".to_owned() } else { args.output.display().to_string() };
    eprintln!(
        "Backup of {} written to {place}: {rows} rows in {} tables, in {:.1} s. It holds password hashes and \
         the deployment's secrets: keep it as safe as the database.",
        redact_url(url),
        summary.rows.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn restore(settings: &Settings, args: &RestoreArgs) -> anyhow::Result<()> {
    let url = &settings.database_url;
    let started = std::time::Instant::now();
    let summary = if is_standard_stream(&args.input) {
        let mut input = BufReader::with_capacity(BUFFER, std::io::stdin());
        crate::store::restore(url, &mut input).await?
    } else {
        let file = std::fs::File::open(&args.input)
            .map_err(|err| anyhow::anyhow!("cannot open {}: {err}", args.input.display()))?;
        let mut input = BufReader::with_capacity(BUFFER, file);
        crate::store::restore(url, &mut input)
            .await
            .map_err(|err| anyhow::anyhow!("{}: {err:#}", args.input.display()))?
    };
    let rows: u64 = summary.rows.values().sum();
    eprintln!(
        "Restored {rows} rows in {} tables into {} from a {} backup made at {}, in {:.1} s. \
         `minga verify` checks the record.",
        summary.rows.len(),
        redact_url(url),
        summary.source,
        summary.created_at,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_written_beside_its_final_name() {
        assert_eq!(partial_path(Path::new("/srv/minga-2025.jsonl")), PathBuf::from("/srv/minga-2025.jsonl.partial"));
        assert!(is_standard_stream(Path::new("-")));
        assert!(!is_standard_stream(Path::new("./-x")));
    }
}
