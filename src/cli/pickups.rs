//! `kiosk pickups`: this store's counter — pairs held here for shoppers who reserved them at
//! another store's kiosk, and parcels shipped here — and "collected" when a shopper shows
//! their code. The warehouse's pick list, asked with this kiosk's token.

use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use kiosk::config::LoadedConfig;
use kiosk::warehouse::connect;

use super::{CliResult, invalid};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// What the counter hands over: open holds and parcels, oldest first.
    List {
        /// Also those collected or expired in the last 30 days.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// The shopper showed CODE (the number on their screen, or its QR read by a scanner) and
    /// took the pair.
    Collected { code: String },
}

pub fn run(loaded: &LoadedConfig, command: Command) -> CliResult {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let store = loaded.config.store.id.clone();
    runtime.block_on(async {
        let connection = connect::connect(loaded).await?;
        let client = &connection.client;
        if !client.offers_pickup() {
            return Err(invalid(anyhow::anyhow!(
                "a mapped warehouse holds no pairs for pick-up; there is no pick list"
            )));
        }
        let result = match command {
            Command::List { all, json } => {
                let list = client
                    .pickups(&store, all)
                    .await
                    .context("asking the warehouse for the pick list")?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&list.items)?);
                } else if list.items.is_empty() {
                    println!("nothing to hand over at store {store}");
                } else {
                    let mut table = Table::new();
                    table.load_preset(UTF8_FULL_CONDENSED).set_header([
                        "code",
                        "kind",
                        "state",
                        "shoe",
                        "from store",
                        "ordered",
                        "kept until",
                    ]);
                    for p in list.items {
                        table.add_row([
                            p.code,
                            p.kind,
                            p.state,
                            p.style,
                            p.ordering_store,
                            p.ordered_at,
                            p.expires_at.unwrap_or_default(),
                        ]);
                    }
                    println!("{table}");
                }
                Ok(())
            }
            Command::Collected { code } => {
                // A scanner types the code as shown; staff may type it in lower case.
                let code = code.trim().to_uppercase();
                let done = client
                    .pickup_collected(&store, &code)
                    .await
                    .map_err(|e| invalid(anyhow::anyhow!("{code}: {e}")))?;
                println!("{}: collected ({})", done.code, done.style);
                Ok(())
            }
        };
        if let Some(server) = connection.embedded {
            server.shutdown().await;
        }
        result
    })
}
