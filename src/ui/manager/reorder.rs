//! The analytics tab's reorder list: each style and size shoppers asked for that the store did
//! not have, most asked first, with what the store holds of it now, and a button per place the
//! list can be saved as a spreadsheet file (USB sticks, the import share).

use iced::widget::{column, container, row, scrollable, text};
use iced::{Alignment, Element, Length};

use super::analytics::Message;
use super::{ExportState, ExportTarget, warning};
use crate::domain::analytics::{Analytics, size_label};
use crate::ui::theme::{self, spacing};
use crate::ui::{Ctx, widgets};

/// Lines shown on screen; the saved file has them all.
const SHOWN: usize = 100;

pub(super) fn view<'a>(
    ctx: &Ctx<'a>,
    a: &'a Analytics,
    targets: &'a [ExportTarget],
    export: &'a ExportState,
) -> Element<'a, Message> {
    let p = ctx.palette;
    let mut list = column![].spacing(spacing::XS);
    if a.reorder.is_empty() {
        list = list.push(text(ctx.t("mgr-reorder-none")).size(theme::text::BODY));
    }
    for line in a.reorder.iter().take(SHOWN) {
        let stock = ctx.t_with(
            "mgr-reorder-counts",
            &[
                ("asked", line.asked.to_string()),
                ("stock", line.in_store_now.to_string()),
            ],
        );
        list = list.push(
            container(
                row![
                    text(format!("{}, {}", line.name, size_label(line.size_mm)))
                        .size(theme::text::BODY)
                        .width(Length::Fill),
                    text(stock).size(theme::text::BODY),
                ]
                .spacing(spacing::M)
                .align_y(Alignment::Center),
            )
            .padding([spacing::XS, spacing::S])
            .style(theme::surface(p)),
        );
    }
    if a.reorder.len() > SHOWN {
        list = list.push(
            text(ctx.t_with(
                "mgr-reorder-more",
                &[("count", (a.reorder.len() - SHOWN).to_string())],
            ))
            .size(theme::text::SMALL),
        );
    }
    column![
        text(ctx.t_with(
            "mgr-reorder-title",
            &[
                ("from", ctx.lang.short_date(Some(&a.period.0))),
                ("to", ctx.lang.short_date(Some(&a.period.1))),
            ],
        ))
        .size(theme::text::H2 * 0.8),
        row![
            scrollable(list)
                .spacing(spacing::S)
                .width(Length::FillPortion(3)),
            save_panel(ctx, !a.reorder.is_empty(), targets, export).width(Length::FillPortion(2)),
        ]
        .spacing(spacing::L)
        .height(Length::Fill),
    ]
    .spacing(spacing::S)
    .into()
}

/// One button per place to save; what happened to the last save.
fn save_panel<'a>(
    ctx: &Ctx<'a>,
    anything: bool,
    targets: &'a [ExportTarget],
    export: &'a ExportState,
) -> iced::widget::Column<'a, Message> {
    let p = ctx.palette;
    let mut panel =
        column![text(ctx.t("mgr-reorder-save")).size(theme::text::BODY)].spacing(spacing::S);
    if targets.is_empty() {
        panel = panel.push(text(ctx.t("mgr-reorder-no-target")).size(theme::text::SMALL));
    }
    let idle = !matches!(export, ExportState::Saving);
    for target in targets {
        let key = if target.stick {
            "mgr-reorder-to-stick"
        } else {
            "mgr-reorder-to-share"
        };
        let name = target.path.file_name().map_or_else(
            || target.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        panel = panel.push(
            widgets::touch(
                ctx.t_with(key, &[("name", name)]),
                (anything && idle).then(|| Message::Export(target.path.clone())),
                theme::secondary(p),
            )
            .width(Length::Fill),
        );
    }
    match export {
        ExportState::Idle => {}
        ExportState::Saving => {
            panel = panel.push(text(ctx.t("mgr-reorder-saving")).size(theme::text::BODY));
        }
        ExportState::Saved(path) => {
            panel = panel.push(
                container(
                    text(ctx.t_with("mgr-reorder-saved", &[("path", path.display().to_string())]))
                        .size(theme::text::BODY),
                )
                .padding(spacing::S)
                .style(theme::band(p.in_store, p.on_in_store)),
            );
        }
        ExportState::Failed(e) => {
            panel = panel.push(warning(
                ctx,
                ctx.t_with("mgr-reorder-failed", &[("error", e.to_string())]),
            ));
        }
    }
    panel
}
