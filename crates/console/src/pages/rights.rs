//! An account's rights and limits on its page: administrators change them through
//! `Engine::admin_set_rights` (validated and audited there), other staff read them.

use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongyan_api::AppState;
use hongyan_engine::admin::{AdminError, PriceInput, RightsChange, RightsView};
use hongyan_engine::rights::{INTERFACES, OPERATIONS};
use serde_json::{json, Value};

use crate::viewer::Viewer;

/// The form's values as the page shows them (lists as checked names, numbers as text).
pub(crate) fn form_values(view: &RightsView, categories: &[String]) -> Value {
    let r = &view.rights;
    let all = |list: &Option<Vec<String>>, every: &[String]| -> Vec<String> {
        list.clone().unwrap_or_else(|| every.to_vec())
    };
    let owned = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
    let prices = r.prices.as_ref().map_or_else(String::new, |t| {
        t.0.iter()
            .map(|p| {
                format!(
                    "{} {} {}",
                    p.carrier.map_or("*", |c| c.as_str()),
                    p.category.as_deref().unwrap_or("*"),
                    p.price
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    json!({
        "interfaces": all(&r.interfaces, &owned(&INTERFACES)),
        "operations": all(&r.operations, &owned(&OPERATIONS)),
        "categories": all(&r.categories, categories),
        "ip_allow": r.ip_allow.as_ref().map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")).unwrap_or_default(),
        "free_text": view.free_text, "callback_per_request": view.callback_per_request,
        "rate": num(view.rate.map(u64::from)), "daily_quota": num(view.daily_quota), "monthly_quota": num(view.monthly_quota),
        "per_minute": num(view.verification_limits[0].map(u64::from)),
        "per_hour": num(view.verification_limits[1].map(u64::from)),
        "per_day": num(view.verification_limits[2].map(u64::from)),
        "prices": prices,
        "all_interfaces": INTERFACES, "all_operations": OPERATIONS, "all_categories": categories,
    })
}

/// Pairs of a URL-encoded form body, decoded (checkboxes repeat their name, which the plain
/// `Form` extractor does not take).
fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A checked list: every one checked lifts the restriction.
fn checked(form: &[(String, String)], name: &str, every: &[String]) -> Option<Option<Vec<String>>> {
    let list: Vec<String> = form.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect();
    Some(if every.iter().all(|e| list.contains(e)) { None } else { Some(list) })
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

/// A number field: empty is "no limit".
fn number<T: std::str::FromStr>(
    form: &[(String, String)],
    name: &str,
    what: &str,
) -> Result<Option<Option<T>>, String> {
    match field(form, name) {
        "" => Ok(Some(None)),
        s => s.parse().map(|n| Some(Some(n))).map_err(|_| format!("{what}: `{s}` is not a whole number")),
    }
}

/// Price lines `carrier category price`, `*` for any.
fn prices(text: &str) -> Result<Option<Option<Vec<PriceInput>>>, String> {
    let mut rules = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [carrier, category, price] = parts[..] else {
            return Err(format!("prices, line {}: write `carrier category price`, `*` for any", i + 1));
        };
        let any = |s: &str| (s != "*").then(|| s.to_owned());
        rules.push(PriceInput { carrier: any(carrier), category: any(category), price: price.to_owned() });
    }
    Ok(Some(if rules.is_empty() { None } else { Some(rules) }))
}

fn change(form: &[(String, String)], categories: &[String]) -> Result<RightsChange, String> {
    let owned = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let ip = field(form, "ip_allow");
    let ip_allow = Some(if ip.is_empty() { None } else { Some(ip.split_whitespace().map(str::to_owned).collect()) });
    Ok(RightsChange {
        interfaces: checked(form, "interfaces", &owned(&INTERFACES)),
        operations: checked(form, "operations", &owned(&OPERATIONS)),
        categories: checked(form, "categories", categories),
        ip_allow,
        free_text: Some(field(form, "free_text") == "on"),
        callback_per_request: Some(field(form, "callback_per_request") == "on"),
        rate: number(form, "rate", "rate")?,
        daily_quota: number(form, "daily_quota", "daily quota")?,
        monthly_quota: number(form, "monthly_quota", "monthly quota")?,
        prices: prices(field(form, "prices"))?,
        verification_limits: [
            number(form, "per_minute", "per minute")?,
            number(form, "per_hour", "per hour")?,
            number(form, "per_day", "per day")?,
        ],
    })
}

/// What was typed, in the shape of [`form_values`], so a refused form shows it again.
fn typed(form: &[(String, String)], categories: &[String]) -> Value {
    let list = |name: &str| form.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let mut v = json!({
        "interfaces": list("interfaces"), "operations": list("operations"), "categories": list("categories"),
        "free_text": field(form, "free_text") == "on", "callback_per_request": field(form, "callback_per_request") == "on",
        "all_interfaces": INTERFACES, "all_operations": OPERATIONS, "all_categories": categories,
    });
    for name in ["ip_allow", "rate", "daily_quota", "monthly_quota", "per_minute", "per_hour", "per_day", "prices"] {
        v[name] = json!(field(form, name));
    }
    v
}

/// `POST /accounts/{id}/rights`
pub(crate) async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> Response {
    let form = pairs(&body);
    let categories: Vec<String> = state.engine.categories().iter().map(|d| d.category.name().to_owned()).collect();
    let refusal = match change(&form, &categories) {
        Err(message) => viewer.lang.error("invalid_field", &message),
        Ok(c) => match state.engine.admin_set_rights(&viewer.actor(), id, c).await {
            Ok(_) => return Redirect::to(&format!("/accounts/{id}#rights")).into_response(),
            Err(AdminError::Invalid { code, message }) => viewer.lang.error(code, &message),
            Err(e) => return super::admin_error(&viewer, e),
        },
    };
    let mut resp = super::accounts::detail_page(&state, &viewer, id, Some((refusal, typed(&form, &categories)))).await;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_as_a_change() {
        let body = b"interfaces=http&interfaces=smpp&operations=send&operations=query&operations=reports&operations=templates\
            &categories=verification&ip_allow=10.0.0.0%2F8%0D%0A192.168.1.5&free_text=on&rate=50&daily_quota=&monthly_quota=\
            &per_minute=2&per_hour=&per_day=&prices=china_mobile+*+0.045%0D%0A*+*+0.05";
        let cats = vec!["verification".to_owned(), "notification".to_owned()];
        let c = change(&pairs(body), &cats).unwrap();
        assert_eq!(c.interfaces, Some(Some(vec!["http".into(), "smpp".into()])));
        assert_eq!(c.operations, Some(None), "every operation checked: no restriction");
        assert_eq!(c.categories, Some(Some(vec!["verification".into()])));
        assert_eq!(c.ip_allow, Some(Some(vec!["10.0.0.0/8".into(), "192.168.1.5".into()])));
        assert_eq!((c.free_text, c.callback_per_request), (Some(true), Some(false)));
        assert_eq!((c.rate, c.daily_quota), (Some(Some(50)), Some(None)));
        assert_eq!(c.verification_limits, [Some(Some(2)), Some(None), Some(None)]);
        let p = c.prices.unwrap().unwrap();
        assert_eq!(
            (p[0].carrier.as_deref(), p[0].category.as_deref(), p[0].price.as_str()),
            (Some("china_mobile"), None, "0.045")
        );
        assert!(change(&pairs(b"rate=fast"), &cats).is_err());
        assert!(prices("china_mobile 0.05").is_err());
    }
}
