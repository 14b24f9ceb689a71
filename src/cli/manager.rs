//! `kiosk manager set-pin`: makes the Argon2 hash of a new manager PIN and puts it where
//! `kiosk.toml` says. The PIN itself is never written anywhere.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;
use kiosk::config::LoadedConfig;
use kiosk::domain::pin;

use super::{CliResult, invalid};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set the manager PIN (4-12 digits, read from the terminal or standard input).
    SetPin,
}

fn read_pin() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New manager PIN (4-12 digits): ")?;
        pin::check_format(first.trim())?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(
            first.trim() == again.trim(),
            "the two PINs differ; nothing was changed"
        );
        Ok(first.trim().to_owned())
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim().to_owned())
    }
}

pub fn run(loaded: &LoadedConfig, command: Command) -> CliResult {
    match command {
        Command::SetPin => {
            let pin = read_pin().map_err(invalid)?;
            let hash = pin::hash_pin(&pin).map_err(invalid)?;
            let manager = &loaded.config.manager;
            if manager.pin_hash_file.as_os_str().is_empty() {
                // Only an environment variable is configured: the process cannot set it for
                // the kiosk, so print the line to put in its environment (systemd unit, shell).
                println!("{}='{hash}'", manager.pin_hash_env);
                eprintln!(
                    "put this line in the kiosk's environment (e.g. the systemd unit's \
                     EnvironmentFile), or set [manager] pin_hash_file in kiosk.toml and run \
                     this again to have it written there"
                );
                return Ok(());
            }
            let path = loaded.resolve(&manager.pin_hash_file);
            write_private(&path, &hash)
                .with_context(|| format!("writing the PIN hash to {}", path.display()))?;
            println!("manager PIN set: hash written to {}", path.display());
            if std::env::var_os(&manager.pin_hash_env).is_some() {
                eprintln!(
                    "note: ${} is set and wins over the file; unset it for the new PIN to count",
                    manager.pin_hash_env
                );
            }
            Ok(())
        }
    }
}

/// Writes through a temporary file and a rename (no half-written hash), readable by the owner
/// only.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&tmp)?;
        writeln!(file, "{text}")?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
