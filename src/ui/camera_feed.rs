//! The camera as an iced subscription: capture and decoding run on their own threads
//! (`crate::camera`); this forwards their events to the kiosk as messages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Message;

/// Identifies the camera stream; a changed setting restarts it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct CameraKey {
    pub(super) spec: crate::camera::SourceSpec,
    pub(super) config: String,
    /// The kiosk database, whose GTINs the pipeline trusts more than unknown ones.
    pub(super) database: PathBuf,
    pub(super) formats: Vec<crate::config::BarcodeFormat>,
    /// Only the scan screen shows the preview; elsewhere sending it would only cost redraws.
    pub(super) preview: bool,
}

/// The GTINs of the catalog, read once when the camera starts. The runtime checked the whole
/// file at start-up; reading it again here would cost a second per million sizes.
fn catalog_gtins(
    database: &Path,
) -> Option<std::collections::HashSet<crate::domain::barcode::Gtin>> {
    let db = crate::db::Database::open_with(database, crate::db::Check::OnUse).ok()?;
    let mut stmt = db.conn().prepare("SELECT gtin FROM variants").ok()?;
    let rows = stmt.query_map([], |r| r.get::<_, i64>(0)).ok()?;
    Some(
        rows.filter_map(|r| r.ok().and_then(crate::domain::barcode::Gtin::from_stored))
            .collect(),
    )
}

pub(super) fn camera_stream(key: &CameraKey) -> impl iced::futures::Stream<Item = Message> + use<> {
    let key = key.clone();
    iced::stream::channel(
        16,
        async move |mut output: iced::futures::channel::mpsc::Sender<Message>| {
            use iced::futures::SinkExt;
            let Ok(config) = toml::from_str::<crate::config::Camera>(&key.config) else {
                return;
            };
            let formats = key.formats.clone();
            let database = key.database.clone();
            let catalog = tokio::task::spawn_blocking(move || catalog_gtins(&database))
                .await
                .ok()
                .flatten();
            let options = crate::camera::PipelineOptions {
                formats,
                confirm_frames: config.confirm_frames,
                one_frame_when_certain: config.one_frame_when_certain,
                catalog: catalog.map(Arc::new),
                ..crate::camera::PipelineOptions::default()
            };
            let preview = key.preview;
            let (tx, mut rx) = tokio::sync::mpsc::channel::<crate::camera::CameraEvent>(8);
            // Off the scan screen no preview is made: it would only cost work and redraws.
            let started =
                crate::camera::start(key.spec.clone(), config, options, preview, move |event| {
                    match event {
                        // Previews may be dropped when the screen is busy; reads and status may not.
                        crate::camera::CameraEvent::Preview(_) => !matches!(
                            tx.try_send(event),
                            Err(tokio::sync::mpsc::error::TrySendError::Closed(_))
                        ),
                        other => tx.blocking_send(other).is_ok(),
                    }
                });
            let _handle = match started {
                Ok(handle) => handle,
                Err(e) => {
                    let _ = output
                        .send(Message::Camera(crate::camera::CameraEvent::Unavailable(
                            e.to_string(),
                        )))
                        .await;
                    return;
                }
            };
            while let Some(event) = rx.recv().await {
                if output.send(Message::Camera(event)).await.is_err() {
                    break;
                }
            }
        },
    )
}
