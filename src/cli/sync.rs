use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use kiosk::config::LoadedConfig;
use kiosk::db::DbHandle;
use kiosk::runtime::sync::{self, SyncOptions};
use kiosk::warehouse::connect;
use sipper::Sipper;

use super::{CliResult, open_database};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Start from the beginning and remove what the warehouse no longer lists.
    #[arg(long)]
    full: bool,
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let db = DbHandle::new(open_database(loaded, kiosk::db::Check::Quick)?);
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = runtime.block_on(async {
        let connection = connect::connect(loaded).await?;
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        let options = SyncOptions {
            full: args.full,
            page_size: loaded.config.warehouse.page_size,
            ..SyncOptions::new(&loaded.config.store.id)
        };
        let mut sync = sync::sync(db, connection.client.clone(), options).pin();
        while let Some(page) = sync.sip().await {
            let c = page.counts;
            bar.set_message(format!(
                "{}: {} pages, {} added, {} changed, {} removed",
                page.feed, c.pages, c.added, c.changed, c.removed
            ));
            bar.tick();
        }
        let result = sync.await;
        bar.finish_and_clear();
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
