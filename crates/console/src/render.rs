//! Templates compiled into the binary, rendered with the page's common context.
//!
//! Every template is an `.html` file, so minijinja escapes every value it prints: message
//! content, template text and account names are user input and can never become markup.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, State};
use serde_json::{json, Value};

use crate::i18n::Lang;
use crate::viewer::Viewer;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("password.html", include_str!("../templates/password.html")),
    ("overview.html", include_str!("../templates/overview.html")),
    ("channels.html", include_str!("../templates/channels.html")),
    ("channel_table.html", include_str!("../templates/channel_table.html")),
    ("send.html", include_str!("../templates/send.html")),
    ("send_preview.html", include_str!("../templates/send_preview.html")),
    ("send_result.html", include_str!("../templates/send_result.html")),
    ("bulk.html", include_str!("../templates/bulk.html")),
    ("bulk_preview.html", include_str!("../templates/bulk_preview.html")),
    ("messages.html", include_str!("../templates/messages.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("accounts.html", include_str!("../templates/accounts.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("secret.html", include_str!("../templates/secret.html")),
    ("signatures.html", include_str!("../templates/signatures.html")),
    ("statements.html", include_str!("../templates/statements.html")),
    ("acceptance.html", include_str!("../templates/acceptance.html")),
    ("incidents.html", include_str!("../templates/incidents.html")),
    ("acceptance_body.html", include_str!("../templates/acceptance_body.html")),
    ("acceptance_print.html", include_str!("../templates/acceptance_print.html")),
    ("help.html", include_str!("../templates/help.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    ("blacklist.html", include_str!("../templates/blacklist.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("error.html", include_str!("../templates/error.html")),
];

/// `tr("中文", "English")`: the text in the page's language.
fn tr(state: &State, zh: String, en: String) -> String {
    let en_page = state.lookup("lang").is_some_and(|v| v.as_str() == Some("en"));
    if en_page {
        en
    } else {
        zh
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A missing field (an optional error, a form not filled in yet) prints as nothing.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in TEMPLATES {
            // The templates are part of the binary and covered by tests; a broken one is a
            // build defect, reported at the first page rather than hidden.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "console template does not parse");
            }
        }
        env.add_function("tr", tr);
        env
    })
}

/// Renders `name` with `ctx` plus what every page has: language, user, CSRF token, path.
pub(crate) fn page(viewer: &Viewer, name: &str, ctx: Value) -> Response {
    let user = &viewer.user;
    let common = json!({
        "lang": viewer.lang.code(),
        "csrf": viewer.csrf,
        "path": viewer.path,
        "user": { "username": user.username, "role": user.role.as_str(), "account_id": user.account_id },
        "staff": viewer.staff(),
        "admin": user.role == hongyan_store::Role::Admin,
        "tenant": user.role == hongyan_store::Role::Tenant,
    });
    render(viewer.lang, name, merge(common, ctx), StatusCode::OK)
}

/// The acceptance report as a standalone, printable HTML file (`hongyan acceptance`).
pub fn acceptance_html(report: &hongyan_engine::acceptance::AcceptanceReport, english: bool) -> Result<String, String> {
    let ctx = json!({ "lang": if english { "en" } else { "zh" }, "r": hongyan_api::acceptance::report_json(report) });
    env()
        .get_template("acceptance_print.html")
        .and_then(|t| t.render(minijinja::Value::from_serialize(&ctx)))
        .map_err(|e| e.to_string())
}

/// Renders a page that has no logged-in viewer (login).
pub(crate) fn bare(lang: Lang, name: &str, ctx: Value, status: StatusCode) -> Response {
    render(lang, name, merge(json!({ "lang": lang.code() }), ctx), status)
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

fn render(lang: Lang, name: &str, ctx: Value, status: StatusCode) -> Response {
    let out = env().get_template(name).and_then(|t| t.render(minijinja::Value::from_serialize(&ctx)));
    match out {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(template = name, error = %e, "console page failed to render");
            failure(lang)
        }
    }
}

/// An error page for people: what went wrong and a way back.
pub(crate) fn error(viewer: &Viewer, status: StatusCode, message: &str) -> Response {
    let mut resp = page(viewer, "error.html", json!({ "status": status.as_u16(), "message": message }));
    *resp.status_mut() = status;
    resp
}

/// The page for a failure inside the platform (details are in the log, never on the page).
pub(crate) fn failure(lang: Lang) -> Response {
    let text = lang.pick(
        "内部错误，操作未执行；详情已记录在日志中。",
        "Internal error; nothing was done. The details are in the log.",
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(format!("<!doctype html><meta charset=\"utf-8\"><title>500</title><p>{text}</p>")),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let mut env = Environment::new();
        env.add_function("tr", tr);
        for (name, source) in TEMPLATES {
            env.add_template(name, source).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn every_template_renders_for_a_viewer() {
        let ctx = json!({
            "lang": "zh", "csrf": "t", "path": "/overview", "staff": true, "admin": true, "tenant": true,
            "user": { "username": "u", "role": "admin", "account_id": 1 },
        });
        for (name, _) in TEMPLATES {
            let t = env().get_template(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            t.render(minijinja::Value::from_serialize(&ctx)).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        }
    }
}
