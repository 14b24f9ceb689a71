//! `kiosk`: the endless-aisle kiosk and its command-line tools for store managers and IT.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
