//! Help: the user manual and the operations manual, rendered from the same Markdown files that
//! ship in `docs/`, so the console's help cannot drift from them.

use axum::extract::Path;
use axum::response::Response;
use serde_json::json;

use crate::render;
use crate::viewer::Viewer;

/// (path segment, Chinese title, English title, Markdown).
const DOCS: &[(&str, &str, &str, &str)] = &[
    ("user-manual", "用户手册", "User manual", include_str!("../../../../docs/user-manual.md")),
    ("operations", "运维手册", "Operations manual", include_str!("../../../../docs/operations.md")),
];

fn to_html(markdown: &str) -> String {
    use pulldown_cmark::{html, Event, Options, Parser};
    // The manuals are ours, but raw HTML in them is shown as text all the same: the help page
    // must not be a way around the page's escaping.
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        e => e,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

/// `GET /help`
pub(crate) async fn index(viewer: Viewer) -> Response {
    let docs: Vec<_> =
        DOCS.iter().map(|(slug, zh, en, _)| json!({ "slug": slug, "title": viewer.lang.pick(zh, en) })).collect();
    render::page(&viewer, "help.html", json!({ "docs": docs }))
}

/// `GET /help/{doc}`
pub(crate) async fn doc(viewer: Viewer, Path(slug): Path<String>) -> Response {
    let Some((_, zh, en, md)) = DOCS.iter().find(|d| d.0 == slug) else { return super::not_found(&viewer) };
    let docs: Vec<_> =
        DOCS.iter().map(|(slug, zh, en, _)| json!({ "slug": slug, "title": viewer.lang.pick(zh, en) })).collect();
    render::page(&viewer, "help.html", json!({ "docs": docs, "title": viewer.lang.pick(zh, en), "html": to_html(md) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manuals_render_and_raw_html_stays_text() {
        assert!(to_html("# 标题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").contains("<table>"));
        let html = to_html("<script>alert(1)</script>");
        assert!(!html.contains("<script>"), "{html}");
        for (_, _, _, md) in DOCS {
            assert!(to_html(md).contains("<h1>"));
        }
    }
}
