use kiosk::config::LoadedConfig;

use super::{CliResult, open_database};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    // The full check (`PRAGMA integrity_check`): a damaged file is refused with what to do.
    let db = open_database(loaded, kiosk::db::Check::Full)?;
    let stats = db.stats()?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "path": db.path(),
                "integrity": "ok",
                "stats": stats,
            }))?
        );
        return Ok(());
    }
    println!("database        {}", db.path().display());
    println!("integrity       ok");
    println!(
        "schema version  {} (this kiosk writes {})",
        stats.schema_version,
        kiosk::db::SCHEMA_VERSION
    );
    println!("styles          {}", stats.styles);
    println!("sizes           {}", stats.variants);
    println!("store stock     {} sizes", stats.store_stock);
    println!("warehouse cache {} sizes", stats.warehouse_availability);
    println!("pending orders  {}", stats.pending_orders);
    println!("shopper events  {}", stats.shopper_events);
    if stats.feeds.is_empty() {
        println!("last sync       never");
    }
    for feed in &stats.feeds {
        println!(
            "last {:<10} {} (cursor {}; {})",
            feed.feed, feed.synced_at, feed.cursor, feed.detail
        );
    }
    Ok(())
}
