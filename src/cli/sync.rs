use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiosk::config::LoadedConfig;
use kiosk::db::DbHandle;
use kiosk::runtime::sync::{self, FeedCounts, SyncOptions, SyncProgress};
use kiosk::warehouse::connect;

use super::{CliResult, open_database};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Start from the beginning and remove what the warehouse no longer lists.
    #[arg(long)]
    full: bool,
}

struct Spinner(ProgressBar);

impl SyncProgress for Spinner {
    fn page(&mut self, feed: &'static str, c: &FeedCounts) {
        self.0.set_message(format!(
            "{feed}: {} pages, {} added, {} changed, {} removed",
            c.pages, c.added, c.changed, c.removed
        ));
        self.0.tick();
    }
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let db = DbHandle::new(open_database(loaded)?);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = runtime.block_on(async {
        let connection = connect::connect(loaded).await?;
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let mut progress = Spinner(bar);
        let options = SyncOptions {
            full: args.full,
            page_size: loaded.config.warehouse.page_size,
            ..SyncOptions::new(&loaded.config.store.id)
        };
        let result = sync::sync(&db, &connection.client, &options, &mut progress).await;
        progress.0.finish_and_clear();
        if let Some(server) = connection.embedded {
            server.shutdown().await;
        }
        anyhow::Ok(result?)
    })?;
    for (feed, c) in [("catalog", report.catalog), ("stock", report.stock)] {
        println!(
            "{feed:8} {} pages: {} added, {} changed, {} removed{}",
            c.pages,
            c.added,
            c.changed,
            c.removed,
            if c.skipped > 0 {
                format!(", {} skipped (not in catalog)", c.skipped)
            } else {
                String::new()
            }
        );
    }
    println!("done in {:.2} s", report.duration.as_secs_f64());
    Ok(())
}
