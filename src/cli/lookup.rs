use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use kiosk::config::LoadedConfig;
use kiosk::domain::catalog::{self, GridEntry, LookupError, SizeGrid};
use kiosk::warehouse::connect;
use kiosk::warehouse::protocol::AvailabilityResponse;
use serde::Serialize;

use super::{CliResult, Failure, invalid, open_database};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// What the scanner reads: EAN-13, UPC-A, UPC-E, EAN-8, GTIN-14, a GS1 element string
    /// such as (01)09506000134352(10)ABC, or a GS1 Digital Link URI.
    code: String,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also ask the warehouse (as configured: embedded, remote or mapped) for every size's
    /// availability now, and show its answer: how an integrator checks a mapping without
    /// the kiosk's screen. A failure shows the warehouse's error and exits 1.
    #[arg(long)]
    warehouse: bool,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    gtin: String,
    batch: Option<&'a str>,
    serial: Option<&'a str>,
    style: &'a kiosk::domain::catalog::Style,
    sizes: &'a [GridEntry],
    #[serde(skip_serializing_if = "Option::is_none")]
    warehouse: Option<&'a AvailabilityResponse>,
}

/// The warehouse's answer for every size of the grid, asked now.
fn ask_warehouse(loaded: &LoadedConfig, grid: &SizeGrid) -> Result<AvailabilityResponse, Failure> {
    let gtins: Vec<String> = grid.sizes.iter().map(|e| e.gtin.to_string()).collect();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let connection = connect::connect(loaded)
            .await
            .context("connecting to the warehouse")?;
        let answer = connection.client.availability(gtins).await;
        if let Some(server) = connection.embedded {
            server.shutdown().await;
        }
        answer.map_err(|e| Failure::from(anyhow::anyhow!("the warehouse's availability: {e}")))
    })
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let db = open_database(loaded, kiosk::db::Check::OnUse)?;
    let (scan, grid) = match catalog::lookup(db.conn(), &args.code, None) {
        Ok(found) => found,
        Err(e @ LookupError::Barcode(_)) => {
            return Err(invalid(anyhow::anyhow!(
                "{:?} is not a valid product code: {e}",
                args.code
            )));
        }
        Err(e @ LookupError::UnknownProduct(_)) => {
            return Err(Failure {
                code: 3,
                error: e.into(),
            });
        }
        Err(LookupError::Db(e)) => return Err(e.into()),
    };
    let live = if args.warehouse {
        Some(ask_warehouse(loaded, &grid)?)
    } else {
        None
    };
    if args.json {
        let out = JsonOut {
            warehouse: live.as_ref(),
            gtin: scan.gtin.to_string(),
            batch: scan.batch.as_deref(),
            serial: scan.serial.as_deref(),
            style: &grid.style,
            sizes: &grid.sizes,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_table(&grid, live.as_ref());
    }
    Ok(())
}

fn price(cents: i64, currency: &str) -> String {
    format!("{currency} {}.{:02}", cents / 100, cents % 100)
}

fn print_table(grid: &SizeGrid, live: Option<&AvailabilityResponse>) {
    let s = &grid.style;
    println!(
        "{} {} ({}), {}",
        s.brand,
        s.name,
        s.colour,
        price(s.price_cents, &s.currency)
    );
    println!(
        "style {} · {} · scanned {}",
        s.style_code, s.gender, grid.scanned
    );
    if !s.fit_note.is_empty() {
        println!("fit: {}", s.fit_note);
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "",
        "EU",
        "US M",
        "US W",
        "UK",
        "cm",
        "width",
        "GTIN",
        "in store",
        if live.is_some() {
            "warehouse now"
        } else {
            "warehouse (cached)"
        },
    ]);
    for e in &grid.sizes {
        let store = match e.store_quantity {
            None => "not stocked".to_owned(),
            Some(0) => "sold out".to_owned(),
            Some(n) => n.to_string(),
        };
        let warehouse = match live {
            Some(answer) => answer
                .items
                .iter()
                .find(|a| a.gtin == e.gtin.to_string())
                .map_or_else(
                    || "not in the answer".to_owned(),
                    |a| match &a.delivery_estimate {
                        Some(date) if a.quantity > 0 => format!("{} (arrives {date})", a.quantity),
                        _ => a.quantity.to_string(),
                    },
                ),
            None => e
                .warehouse
                .as_ref()
                .map_or_else(|| "not fetched".to_owned(), |w| w.quantity.to_string()),
        };
        table.add_row([
            if e.gtin == grid.scanned { "▶" } else { "" }.to_owned(),
            e.labels.eu.clone(),
            e.labels.us_men.clone(),
            e.labels.us_women.clone(),
            e.labels.uk.clone(),
            e.labels.cm.clone(),
            e.width.code().to_owned(),
            e.gtin.to_string(),
            store,
            warehouse,
        ]);
    }
    println!("{table}");
    if let Some(answer) = live {
        println!("warehouse answered at {}", answer.as_of);
    }
}
