//! Which iced renderer draws the window: `[ui] renderer`, and a software one on a machine
//! without a GPU.

use std::path::Path;

/// The iced backend `[ui] renderer` asks for (`None`: let iced choose). The caller sets
/// `ICED_BACKEND` before iced starts: iced reads its backend from that variable only.
pub fn forced_backend(ui: &crate::config::Ui) -> Option<&'static str> {
    forced_backend_with(ui, has_gpu_device(Path::new("/dev/dri")))
}

/// Whether a GPU render node exists (`/dev/dri/renderD*`). Without one, wgpu would draw with
/// Mesa's software OpenGL (llvmpipe), which costs several times the CPU and memory of iced's
/// own software renderer for the same picture (docs/PERFORMANCE.md).
pub(super) fn has_gpu_device(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

pub(super) fn forced_backend_with(ui: &crate::config::Ui, gpu: bool) -> Option<&'static str> {
    match ui.renderer {
        crate::config::Renderer::Auto if !gpu => Some("tiny-skia"),
        crate::config::Renderer::Auto => None,
        crate::config::Renderer::Gpu => Some("wgpu"),
        crate::config::Renderer::Software => Some("tiny-skia"),
    }
}
