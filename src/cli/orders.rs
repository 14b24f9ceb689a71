use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use kiosk::config::LoadedConfig;
use kiosk::db::DbHandle;
use kiosk::domain::barcode::Gtin;
use kiosk::domain::catalog;
use kiosk::domain::orders::{self, OrderDraft, OrderError};
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
    /// Record what you found at the platform for an order that needs checking: it is there
    /// under PLATFORM_ORDER_ID, so the kiosk marks it confirmed and never sends it again. (If it
    /// is not there, `kiosk orders retry ID` sends it again.)
    Settle {
        id: String,
        platform_order_id: String,
    },
    /// Place a dropship order from the command line (integration checks): it goes to the
    /// outbox first, then is sent.
    ///
    /// The shopper's details are read as JSON from --from FILE, or from standard input with
    /// `--from -`, so they never appear in the process list:
    /// {"gtin": "04012345001013", "ship_to": {"name": "…", "line1": "…", "line2": "",
    /// "postal_code": "…", "city": "…", "country": "DE"}, "contact": {"email": "…", "phone": ""}}
    /// The --name, --line1, … options still work, but anyone on the machine can read them
    /// (`ps`); use them only with made-up test data.
    Place(PlaceArgs),
}

#[derive(Debug, clap::Args)]
pub struct PlaceArgs {
    /// JSON order file ("-" = standard input); see above.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["name", "line1", "line2", "postal_code", "city", "country", "email", "phone"])]
    from: Option<std::path::PathBuf>,
    /// The size's GTIN (or "gtin" in the JSON).
    #[arg(long)]
    gtin: Option<String>,
    /// The shopper's full name.
    #[arg(long, required_unless_present = "from")]
    name: Option<String>,
    /// Street and number.
    #[arg(long, required_unless_present = "from")]
    line1: Option<String>,
    /// A second address line (flat, floor), if any.
    #[arg(long)]
    line2: Option<String>,
    /// The postcode, in the format of --country (checked: "28013" for ES, "SW1A 1AA" for GB).
    #[arg(long, required_unless_present = "from")]
    postal_code: Option<String>,
    #[arg(long, required_unless_present = "from")]
    city: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. DE: one of the countries in assets/address/postcodes.toml.
    #[arg(long, required_unless_present = "from")]
    country: Option<String>,
    /// The shopper's e-mail address. An e-mail or a phone number is required.
    #[arg(long)]
    email: Option<String>,
    /// The shopper's phone number. An e-mail or a phone number is required.
    #[arg(long)]
    phone: Option<String>,
    /// Write to the outbox only; `kiosk orders send` sends it.
    #[arg(long)]
    no_send: bool,
}

/// The order as JSON (`--from`).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceJson {
    #[serde(default)]
    gtin: Option<String>,
    ship_to: Address,
    #[serde(default)]
    contact: Option<Contact>,
}

impl PlaceArgs {
    /// The GTIN and the shopper's details, from the JSON or the options.
    fn details(self) -> Result<(String, Address, Contact), Failure> {
        if let Some(from) = &self.from {
            let text = if from.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading standard input")?
            } else {
                std::fs::read_to_string(from)
                    .with_context(|| format!("reading {}", from.display()))?
            };
            // serde's messages name the field and position, never a value it expected.
            let json: PlaceJson = serde_json::from_str(&text).map_err(|e| {
                invalid(anyhow::anyhow!(
                    "{}: not an order ({}, line {} column {})",
                    from.display(),
                    match e.classify() {
                        serde_json::error::Category::Data =>
                            "a field is missing, unknown or of the wrong kind",
                        _ => "not valid JSON",
                    },
                    e.line(),
                    e.column()
                ))
            })?;
            let gtin = json.gtin.or(self.gtin).ok_or_else(|| {
                invalid(anyhow::anyhow!(
                    "no GTIN: give \"gtin\" in the JSON or --gtin"
                ))
            })?;
            return Ok((
                gtin,
                json.ship_to,
                json.contact.unwrap_or(Contact {
                    email: String::new(),
                    phone: String::new(),
                }),
            ));
        }
        let gtin = self
            .gtin
            .ok_or_else(|| invalid(anyhow::anyhow!("no GTIN: give --gtin")))?;
        Ok((
            gtin,
            Address {
                name: self.name.unwrap_or_default(),
                line1: self.line1.unwrap_or_default(),
                line2: self.line2.unwrap_or_default(),
                postal_code: self.postal_code.unwrap_or_default(),
                city: self.city.unwrap_or_default(),
                country: self.country.unwrap_or_default(),
            },
            Contact {
                email: self.email.unwrap_or_default(),
                phone: self.phone.unwrap_or_default(),
            },
        ))
    }
}

fn order_failure(e: OrderError) -> Failure {
    match e {
        OrderError::Invalid(_) | OrderError::NotFound(_) => invalid(e),
        OrderError::Db(e) => e.into(),
    }
}

pub fn run(loaded: &LoadedConfig, command: Command) -> CliResult {
    let mut db = open_database(loaded, kiosk::db::Check::Quick)?;
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
                    serde_json::to_value(o.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
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
        Command::Settle {
            id,
            platform_order_id,
        } => {
            let order = orders::settle(&db, &id, &platform_order_id).map_err(order_failure)?;
            println!(
                "order {}: confirmed as {} at the platform; it will not be sent again",
                order.id,
                order.warehouse_order_id.unwrap_or_default()
            );
            Ok(())
        }
        Command::Place(args) => {
            let no_send = args.no_send;
            let (gtin_text, ship_to, contact) = args.details()?;
            let gtin: Gtin = gtin_text
                .parse()
                .map_err(|e| invalid(anyhow::anyhow!("GTIN {gtin_text:?}: {e}")))?;
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
                ship_to,
                contact,
                fulfilment: Default::default(),
            };
            let order =
                orders::enqueue(&mut db, &loaded.config.store.id, &draft).map_err(order_failure)?;
            // Printed before sending: whatever happens next, the order is safe in the outbox.
            println!("order {} written to the outbox", order.id);
            if no_send {
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
    for id in &report.needs_checking {
        println!(
            "order {id}: its fate at the platform is unknown; check there, then `kiosk orders settle` or `kiosk orders retry` (see `kiosk orders list`)"
        );
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
