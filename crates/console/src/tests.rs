//! The console through its router, in memory: headers, CSRF, login, roles and isolation.
//! The browser tests (`e2e/`) drive the same pages in Chromium.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::{Request, StatusCode};
use axum::Router;
use hongyan_api::{AppState, ConsoleSettings};
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_store::{Role, Store};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::Carrier;
use tower::ServiceExt;

struct Console {
    app: Router,
    engine: Arc<Engine>,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn console() -> Console {
    let dir =
        std::env::temp_dir().join(format!("hongyan-console-{}-{:?}", std::process::id(), std::thread::current().id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("hongyan.db")).unwrap());
    let channels = [ChannelSpec::new("cmpp", &[Carrier::ChinaMobile, Carrier::ChinaUnicom, Carrier::ChinaTelecom])];
    let (engine, _queues) = Engine::new(store, Arc::new(SystemClock), &channels).await.unwrap();
    let state = AppState {
        engine: engine.clone(),
        ready: Arc::new(AtomicBool::new(true)),
        console: ConsoleSettings::default(),
    };
    Console { app: crate::router(state), engine, _dir: TempDir(dir) }
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    cookies: Vec<String>,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn call(app: &Router, method: &str, path: &str, cookie: &str, form: Option<&str>) -> Answer {
    let mut req = Request::builder().method(method).uri(path);
    if !cookie.is_empty() {
        req = req.header(COOKIE, cookie);
    }
    let body = match form {
        Some(f) => {
            req = req.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_owned())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let location = headers.get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let cookies = headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let body = String::from_utf8(to_bytes(resp.into_body(), 1 << 24).await.unwrap().to_vec()).unwrap();
    Answer { status, location, cookies, headers, body }
}

fn cookie_pair(set_cookie: &[String], name: &str) -> String {
    set_cookie
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap()
}

/// Logs in through the login form and returns the session cookie and the page's CSRF token.
async fn log_in(c: &Console, user: &str, password: &str) -> (String, String) {
    let page = call(&c.app, "GET", "/login", "", None).await;
    let pre = cookie_pair(&page.cookies, crate::guard::LOGIN_CSRF_COOKIE);
    let token = pre.split_once('=').unwrap().1.to_owned();
    let form = format!("_csrf={token}&username={user}&password={password}");
    let done = call(&c.app, "POST", "/login", &pre, Some(&form)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let session = cookie_pair(&done.cookies, hongyan_api::SESSION_COOKIE);
    let csrf = crate::guard::for_session(session.split_once('=').unwrap().1);
    (session, csrf)
}

const GOOD: &str = "Str0ng-Passw0rd";

#[tokio::test]
async fn every_page_carries_the_security_headers_and_no_inline_script() {
    let c = console().await;
    let login = call(&c.app, "GET", "/login", "", None).await;
    assert_eq!(login.status, StatusCode::OK);
    let csp = login.headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(login.headers.get("x-frame-options").unwrap(), "DENY");
    assert!(!login.body.contains("<script>") && !login.body.contains(" style="), "no inline script or style");
    let css = call(&c.app, "GET", "/assets/console.css", "", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(call(&c.app, "GET", "/assets/nothing.js", "", None).await.status == StatusCode::NOT_FOUND);
    let away = call(&c.app, "GET", "/overview", "", None).await;
    assert_eq!(away.location.as_deref(), Some("/login"), "no session: to the login page");
}

#[tokio::test]
async fn a_form_without_its_token_is_refused_and_a_forced_change_comes_first() {
    let c = console().await;
    c.engine.create_user("boss", Role::Admin, None, GOOD, true).await.unwrap();
    let refused = call(&c.app, "POST", "/login", "", Some(&format!("username=boss&password={GOOD}"))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "a login post without the form's token");
    let (session, csrf) = log_in(&c, "boss", GOOD).await;
    let first = call(&c.app, "GET", "/overview", &session, None).await;
    assert_eq!(first.location.as_deref(), Some("/password"), "must change the password first");
    let weak = format!("_csrf={csrf}&current={GOOD}&new=short");
    let answer = call(&c.app, "POST", "/password", &session, Some(&weak)).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("至少 10 个字符"), "the policy is explained: {}", answer.body);
    let forged = "current=Str0ng-Passw0rd&new=An0ther-Passw0rd";
    assert_eq!(call(&c.app, "POST", "/password", &session, Some(forged)).await.status, StatusCode::FORBIDDEN);
    let wrong = format!("_csrf={}&current={GOOD}&new=An0ther-Passw0rd", crate::guard::for_session("other"));
    assert_eq!(call(&c.app, "POST", "/password", &session, Some(&wrong)).await.status, StatusCode::FORBIDDEN);
    let good = format!("_csrf={csrf}&current={GOOD}&new=An0ther-Passw0rd");
    let changed = call(&c.app, "POST", "/password", &session, Some(&good)).await;
    assert_eq!(changed.location.as_deref(), Some("/overview"));
    let overview = call(&c.app, "GET", "/overview", &session, None).await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("通道状态") && overview.body.contains("<svg"), "channels and charts");
}

#[tokio::test]
async fn a_tenant_sees_only_its_own_account_and_markup_in_content_stays_text() {
    let c = console().await;
    let admin = hongyan_engine::admin::Actor::cli();
    let new = |name: &str| hongyan_engine::admin::NewAccount {
        name: name.into(),
        signature: Some(format!("{name}签名")),
        ..Default::default()
    };
    let mine = c.engine.admin_create_account(&admin, new("etax")).await.unwrap().account.id;
    let other = c.engine.admin_create_account(&admin, new("other")).await.unwrap().account.id;
    c.engine.admin_create_user(&admin, "clerk", Role::Tenant, Some(mine), GOOD).await.unwrap();
    let req = hongyan_engine::SendRequest::new(
        vec!["13800138000".into()],
        "<b>通知</b>",
        c.engine.category("notification").unwrap(),
    );
    let out = c.engine.accept(other, req).await.unwrap();
    let hongyan_engine::NumberResult::Accepted { message_id, .. } = &out.results[0] else { panic!() };
    let req = hongyan_engine::SendRequest::new(
        vec!["13800138001".into()],
        "<script>x</script>",
        c.engine.category("notification").unwrap(),
    );
    let own = c.engine.accept(mine, req).await.unwrap();
    let hongyan_engine::NumberResult::Accepted { message_id: own_id, .. } = &own.results[0] else { panic!() };

    let (session, csrf) = log_in(&c, "clerk", GOOD).await;
    let good = format!("_csrf={csrf}&current={GOOD}&new=An0ther-Passw0rd");
    call(&c.app, "POST", "/password", &session, Some(&good)).await;
    let theirs = call(&c.app, "GET", &format!("/messages/{message_id}?account={other}"), &session, None).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another account's message does not exist for a tenant");
    let page = call(&c.app, "GET", &format!("/messages/{own_id}"), &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("&lt;script&gt;x") && !page.body.contains("<script>x"), "escaped");
    assert_eq!(call(&c.app, "GET", "/accounts", &session, None).await.status, StatusCode::FORBIDDEN);
    let list = call(&c.app, "GET", &format!("/messages?account={other}"), &session, None).await;
    assert!(
        list.body.contains("13800138001") && !list.body.contains("13800138000"),
        "the account in the URL is ignored"
    );
}

#[tokio::test]
async fn the_send_page_refuses_control_and_bidi_characters_and_names_them() {
    let c = console().await;
    let admin = hongyan_engine::admin::Actor::cli();
    let new = hongyan_engine::admin::NewAccount {
        name: "etax".into(),
        signature: Some("税务签名".into()),
        ..Default::default()
    };
    let mine = c.engine.admin_create_account(&admin, new).await.unwrap().account.id;
    c.engine.admin_create_user(&admin, "clerk", Role::Tenant, Some(mine), GOOD).await.unwrap();
    let (session, csrf) = log_in(&c, "clerk", GOOD).await;
    let good = format!("_csrf={csrf}&current={GOOD}&new=An0ther-Passw0rd");
    call(&c.app, "POST", "/password", &session, Some(&good)).await;
    // "退税" U+202E "txt.exe", form-encoded.
    let form = format!("_csrf={csrf}&to=13800138000&category=notification&content=%E9%80%80%E7%A8%8E%E2%80%AEtxt.exe");
    let page = call(&c.app, "POST", "/send", &session, Some(&form)).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", page.body);
    assert!(page.body.contains("content contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3"), "{}", page.body);
    let list =
        c.engine.messages(hongyan_store::MessageFilter { account_id: Some(mine), limit: 5, ..Default::default() });
    assert!(list.await.unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn the_message_page_lists_a_report_stamped_before_the_submit_after_it() {
    use hongyan_store::{ReportIn, SubmitOutcome};
    use hongyan_types::Timestamp;
    let c = console().await;
    let admin = hongyan_engine::admin::Actor::cli();
    let new = hongyan_engine::admin::NewAccount {
        name: "etax".into(),
        signature: Some("税务签名".into()),
        ..Default::default()
    };
    let mine = c.engine.admin_create_account(&admin, new).await.unwrap().account.id;
    c.engine.admin_create_user(&admin, "clerk", Role::Tenant, Some(mine), GOOD).await.unwrap();
    let req = hongyan_engine::SendRequest::new(
        vec!["13800138000".into()],
        "通知",
        c.engine.category("notification").unwrap(),
    );
    let out = c.engine.accept(mine, req).await.unwrap();
    let hongyan_engine::NumberResult::Accepted { message_id, .. } = &out.results[0] else { panic!() };
    let now = c.engine.clock().now().as_millis();
    let at = |ms: i64| Timestamp::from_millis(ms);
    let outcome = SubmitOutcome {
        message_id: *message_id,
        segment: 1,
        carrier_msg_id: Some("c9".into()),
        result: 0,
        error: None,
        at: at(now + 1_000),
    };
    c.engine.submit_outcomes(vec![outcome]).await.unwrap();
    let carrier = at((now - 120_000) / 60_000 * 60_000);
    let report = ReportIn {
        channel: "cmpp".into(),
        carrier_msg_id: "c9".into(),
        stat: "DELIVRD".into(),
        done_at: Some(carrier),
        received_at: at(now + 2_000),
        raw: String::new(),
    };
    c.engine.reports(vec![report]).await.unwrap();

    let (session, csrf) = log_in(&c, "clerk", GOOD).await;
    let good = format!("_csrf={csrf}&current={GOOD}&new=An0ther-Passw0rd");
    call(&c.app, "POST", "/password", &session, Some(&good)).await;
    let page = call(&c.app, "GET", &format!("/messages/{message_id}"), &session, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let events = &page.body[page.body.find("id=\"events\"").expect("an events table")..];
    let order: Vec<usize> =
        ["event-accepted", "event-submitted", "event-report"].iter().map(|k| events.find(k).expect(k)).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "in the order we recorded them: {order:?}");
    let shown = carrier.to_rfc3339_beijing()[..19].replace('T', " ");
    let report_row = &events[order[2]..];
    assert!(report_row[..report_row.find("</tr>").unwrap()].contains(&shown), "the carrier's time as given");
}

#[tokio::test]
async fn the_overview_shows_staff_the_alerts_holding_now() {
    let c = console().await;
    c.engine.create_user("duty", Role::Operator, None, GOOD, false).await.unwrap();
    let (session, _) = log_in(&c, "duty", GOOD).await;
    let quiet = call(&c.app, "GET", "/overview", &session, None).await;
    assert!(!quiet.body.contains("alert-active"), "no alert, no line");
    let lost = hongyan_engine::alerts::SystemChecks { data_key: Some("the data keys cannot be read".into()) };
    c.engine.alert_tick(&lost).await.unwrap();
    let shown = call(&c.app, "GET", "/overview", &session, None).await;
    assert!(
        shown.body.contains("alert-active") && shown.body.contains("the data keys cannot be read"),
        "{}",
        shown.body
    );
    c.engine.alert_tick(&hongyan_engine::alerts::SystemChecks::default()).await.unwrap();
    let resolved = call(&c.app, "GET", "/overview", &session, None).await;
    assert!(!resolved.body.contains("alert-active"), "a resolved alert leaves the overview");
}
