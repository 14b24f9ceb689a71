//! The manager's words for what went wrong: matched on the kind of error, so each says what it
//! means for the store and what to do, with the error's own detail after it for whoever fixes
//! it. (Errors reach here typed; no screen parses an error's text.)

use crate::db::DbError;
use crate::domain::stock::ImportError;
use crate::runtime::sync::SyncError;
use crate::ui::Ctx;
use crate::warehouse::ClientError;

/// A warehouse request that failed: unreachable, refused, busy, broken, or an answer that did
/// not fit.
pub fn warehouse(ctx: &Ctx<'_>, e: &ClientError) -> String {
    let detail = || ("detail", e.to_string());
    match e {
        ClientError::CircuitOpen
        | ClientError::Unreachable(_)
        | ClientError::Timeout
        | ClientError::Interrupted(_) => ctx.t_with("mgr-problem-unreachable", &[detail()]),
        ClientError::Rejected(p) if p.status == 401 || p.status == 403 => {
            ctx.t_with("mgr-problem-token", &[("status", p.status.to_string())])
        }
        ClientError::RateLimited { .. } => ctx.t("mgr-problem-busy"),
        ClientError::Server { .. } => ctx.t_with("mgr-problem-server", &[detail()]),
        ClientError::Rejected(_) | ClientError::Malformed(_) | ClientError::Mapping(_) => {
            ctx.t_with("mgr-problem-answer", &[detail()])
        }
    }
}

/// The kiosk's own database failed a read (the dashboard, the analytics, a search).
pub fn database(ctx: &Ctx<'_>, e: &DbError) -> String {
    ctx.t_with("mgr-database-problem", &[("detail", e.to_string())])
}

/// A sync that stopped: what arrived before is kept either way.
pub fn sync(ctx: &Ctx<'_>, e: &SyncError) -> String {
    match e {
        SyncError::Warehouse { cause, .. } => warehouse(ctx, cause),
        SyncError::BadData { .. } => ctx.t_with("mgr-problem-answer", &[("detail", e.to_string())]),
        SyncError::Db(db) => ctx.t_with("mgr-problem-database", &[("detail", db.to_string())]),
    }
}

/// A stock file that was not imported (or an undo that could not be done), and why.
pub fn import(ctx: &Ctx<'_>, file: &str, e: &ImportError) -> String {
    let file = || ("file", file.to_owned());
    match e {
        ImportError::BadRows(rows) => {
            let first: Vec<String> = rows
                .iter()
                .take(3)
                .map(|r| format!("line {}: {}", r.line, r.message))
                .collect();
            ctx.t_with(
                "mgr-import-bad-rows",
                &[
                    file(),
                    ("count", rows.len().to_string()),
                    ("first", first.join("; ")),
                ],
            )
        }
        ImportError::Header(detail) => ctx.t_with(
            "mgr-import-bad-header",
            &[file(), ("detail", detail.clone())],
        ),
        ImportError::Io(detail) => ctx.t_with(
            "mgr-import-unreadable",
            &[file(), ("detail", detail.clone())],
        ),
        ImportError::TooManyRemoved {
            removed, stocked, ..
        } => ctx.t_with(
            "mgr-import-too-many",
            &[
                file(),
                ("removed", removed.to_string()),
                ("stocked", stocked.to_string()),
            ],
        ),
        ImportError::NothingToUndo => ctx.t("mgr-import-nothing-to-undo"),
        ImportError::Db(db) => ctx.t_with("mgr-problem-database", &[("detail", db.to_string())]),
    }
}
