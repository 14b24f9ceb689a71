use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use kiosk::barcode::Gtin;
use kiosk::catalog;
use kiosk::config::LoadedConfig;
use kiosk::db::DbHandle;
use kiosk::orders::{self, OrderDraft, OrderError};
use kiosk::warehouse::connect;
use kiosk::warehouse::protocol::{Address, Contact};

use super::{CliResult, Failure, invalid, open_database};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Dropship orders in the outbox, newest first (no shopper details are shown).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Send an order now (a pending one, or a refused one after fixing the cause).
    Retry { id: String },
    /// Send every order that is due.
    Send,
    /// Place a dropship order from the command line (integration checks): it goes to the
    /// outbox first, then is sent.
    Place(PlaceArgs),
}

#[derive(Debug, clap::Args)]
pub struct PlaceArgs {
    /// The size's GTIN.
    #[arg(long)]
    gtin: String,
    #[arg(long)]
    name: String,
    #[arg(long)]
    line1: String,
    #[arg(long, default_value = "")]
    line2: String,
    #[arg(long)]
    postal_code: String,
    #[arg(long)]
    city: String,
    /// ISO 3166-1 alpha-2, e.g. DE.
    #[arg(long)]
    country: String,
    #[arg(long, default_value = "")]
    email: String,
    #[arg(long, default_value = "")]
    phone: String,
    /// Write to the outbox only; `kiosk orders send` sends it.
    #[arg(long)]
    no_send: bool,
}

fn order_failure(e: OrderError) -> Failure {
    match e {
        OrderError::Invalid(_) | OrderError::NotFound(_) => invalid(e),
        OrderError::Db(e) => e.into(),
    }
}

pub fn run(loaded: &LoadedConfig, command: Command) -> CliResult {
    let mut db = open_database(loaded)?;
    match command {
        Command::List { json } => {
            let list = orders::list(&db)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(());
            }
            if list.is_empty() {
                println!("no orders");
                return Ok(());
            }
            let mut table = Table::new();
            table.load_preset(UTF8_FULL_CONDENSED).set_header([
                "order",
                "created",
                "GTIN",
                "qty",
                "status",
                "attempts",
                "warehouse order",
                "last error",
            ]);
            for o in list {
                table.add_row([
                    o.id,
                    o.created_at,
                    o.gtin,
                    o.quantity.to_string(),
                    format!("{:?}", o.status).to_lowercase(),
                    o.attempts.to_string(),
                    o.warehouse_order_id.unwrap_or_default(),
                    o.last_error.unwrap_or_default(),
                ]);
            }
            println!("{table}");
            Ok(())
        }
        Command::Retry { id } => {
            orders::retry_now(&db, &id).map_err(order_failure)?;
            send(loaded, DbHandle::new(db), true)
        }
        Command::Send => send(loaded, DbHandle::new(db), false),
        Command::Place(args) => {
            let gtin: Gtin = args
                .gtin
                .parse()
                .map_err(|e| invalid(anyhow::anyhow!("--gtin {:?}: {e}", args.gtin)))?;
            let grid = catalog::size_grid(db.conn(), gtin)?.ok_or_else(|| Failure {
                code: 3,
                error: anyhow::anyhow!("GTIN {gtin} is not in this store's catalog"),
            })?;
            let draft = OrderDraft {
                gtin,
                quantity: 1,
                unit_price_cents: grid.style.price_cents,
                currency: grid.style.currency.clone(),
                shipping_cents: 0,
                ship_to: Address {
                    name: args.name,
                    line1: args.line1,
                    line2: args.line2,
                    postal_code: args.postal_code,
                    city: args.city,
                    country: args.country,
                },
                contact: Contact {
                    email: args.email,
                    phone: args.phone,
                },
            };
            let order =
                orders::enqueue(&mut db, &loaded.config.store.id, &draft).map_err(order_failure)?;
            // Printed before sending: whatever happens next, the order is safe in the outbox.
            println!("order {} written to the outbox", order.id);
            if args.no_send {
                return Ok(());
            }
            send(loaded, DbHandle::new(db), false)
        }
    }
}

fn send(loaded: &LoadedConfig, db: DbHandle, all: bool) -> CliResult {
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = runtime.block_on(async {
        let connection = connect::connect(loaded).await?;
        let report = orders::send_due(&db, &connection.client, all).await;
        let retention = loaded.config.privacy.order_retention_days;
        db.call(move |db| orders::purge_shopper_details(db, retention))
            .await?;
        if let Some(server) = connection.embedded {
            server.shutdown().await;
        }
        anyhow::Ok(report?)
    })?;
    for id in &report.confirmed {
        println!("order {id}: confirmed by the warehouse");
    }
    for id in &report.rejected {
        println!("order {id}: refused by the warehouse (see `kiosk orders list`)");
    }
    for id in &report.deferred {
        println!(
            "order {id}: not sent yet (warehouse unreachable); it stays in the outbox and is retried"
        );
    }
    if report.confirmed.is_empty() && report.rejected.is_empty() && report.deferred.is_empty() {
        println!("no orders due");
    }
    Ok(())
}
