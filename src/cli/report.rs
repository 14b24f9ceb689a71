//! `kiosk report`: the manager's analytics on the command line, as text, CSV or SVG charts.

use std::path::PathBuf;

use anyhow::Context;
use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use jiff::civil::Date;
use kiosk::config::LoadedConfig;
use kiosk::domain::analytics::{self, Period, charts};

use super::{CliResult, invalid, open_database};

/// A period of days, as `kiosk report` and `kiosk warehouse report` take it.
#[derive(Debug, clap::Args)]
pub struct PeriodArgs {
    /// First day (YYYY-MM-DD, store time). Default: `--days` before `--to`.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Last day, included (YYYY-MM-DD). Default: today.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Length of the period when `--from` is not given.
    #[arg(long, default_value_t = 30)]
    days: i32,
}

impl PeriodArgs {
    /// The period asked for, ending `today` unless `--to` says otherwise; a bad date or a
    /// period that ends before it begins is the user's mistake (exit 2), said with the fix.
    pub fn period(&self, today: Date) -> Result<Period, super::Failure> {
        let to = match &self.to {
            Some(t) => parse_day("--to", t)?,
            None => today,
        };
        let period = match &self.from {
            Some(f) => Period {
                from: parse_day("--from", f)?,
                to,
            },
            None => Period::last_days(to, self.days),
        };
        if period.from > period.to {
            return Err(invalid(anyhow::anyhow!(
                "--from {} is after --to {}: swap them",
                period.from,
                period.to
            )));
        }
        Ok(period)
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    period: PeriodArgs,
    /// Print the data as CSV (metric,key,label,count) instead of tables; with `--reorder`, the
    /// reorder list as a spreadsheet opens it.
    #[arg(long)]
    csv: bool,
    /// Print what to reorder: each style and size shoppers asked for that the store did not
    /// have, most asked first, with what the store holds of it now.
    #[arg(long)]
    reorder: bool,
    /// Also write the charts as SVG files into DIR.
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
}

fn parse_day(flag: &str, text: &str) -> Result<Date, super::Failure> {
    text.parse::<Date>().map_err(|e| {
        invalid(anyhow::anyhow!(
            "{flag} {text:?} is not a date ({e}); write it as YYYY-MM-DD, e.g. 2026-11-01"
        ))
    })
}

pub fn run(loaded: &LoadedConfig, args: Args) -> CliResult {
    let today = jiff::Zoned::now().date();
    let period = args.period.period(today)?;
    let mut db = open_database(loaded, kiosk::db::Check::Quick)?;
    analytics::summarise(&mut db, today).context("summarising shopper events")?;
    let a = analytics::query(&db, period).context("reading the analytics")?;
    if let Some(dir) = &args.charts {
        let written = charts::write_all(&a, dir)?;
        eprintln!(
            "{} charts written to {}, each as SVG and PNG",
            written.len() / 2,
            dir.display()
        );
    }
    if args.reorder {
        if args.csv {
            analytics::write_reorder_csv(&a, std::io::stdout().lock()).context("writing CSV")?;
        } else {
            print_reorder(&a);
        }
        return Ok(());
    }
    if args.csv {
        analytics::write_csv(&a, std::io::stdout().lock()).context("writing CSV")?;
        return Ok(());
    }
    print_tables(&a);
    Ok(())
}

fn print_tables(a: &analytics::Analytics) {
    println!("Period {} to {}", a.period.0, a.period.1);
    let f = a.funnel;
    let o = a.outcomes;
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(["", "count"])
        .add_row(["scans", &a.total_scans().to_string()])
        .add_row(["shoppers who scanned", &f.scanned.to_string()])
        .add_row(["… chose a size", &f.sized.to_string()])
        .add_row(["… ordered or asked for it", &f.converted.to_string()])
        .add_row(["brought from the stockroom", &o.in_store.to_string()])
        .add_row(["shipped home (dropship)", &o.dropship.to_string()])
        .add_row(["shipped to this store", &o.to_store.to_string()])
        .add_row([
            "reserved in another store",
            &o.reserved_elsewhere.to_string(),
        ])
        .add_row([
            "left an e-mail for when it is back",
            &o.back_in_stock.to_string(),
        ])
        .add_row([
            "… of all these, saved by a substitute",
            &o.saved_by_substitute.to_string(),
        ])
        .add_row(["associate called", &o.associate.to_string()])
        .add_row(["walked away", &o.walked_away.to_string()])
        .add_row(["failed reads", &a.read_failures.to_string()]);
    println!("{t}");
    println!(
        "Lost sales (sizes asked for, not in store): {}",
        a.total_lost()
    );
    let mut styles = Table::new();
    styles
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["style", "name", "asked, not in store"]);
    for s in a.lost_by_style.iter().take(15) {
        styles.add_row([&s.style_code, &s.name, &s.count.to_string()]);
    }
    println!("{styles}");
    let mut sizes = Table::new();
    sizes
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(["size", "foot mm", "asked, not in store"]);
    for (mm, n) in &a.lost_by_size {
        sizes.add_row([analytics::size_label(*mm), mm.to_string(), n.to_string()]);
    }
    println!("{sizes}");
}

fn print_reorder(a: &analytics::Analytics) {
    println!(
        "What to reorder, {} to {} (sizes asked for that the store did not have)",
        a.period.0, a.period.1
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header([
        "style",
        "name",
        "size",
        "asked, not in store",
        "in store now",
    ]);
    for line in &a.reorder {
        t.add_row([
            line.style_code.clone(),
            line.name.clone(),
            analytics::size_label(line.size_mm),
            line.asked.to_string(),
            line.in_store_now.to_string(),
        ]);
    }
    println!("{t}");
}
