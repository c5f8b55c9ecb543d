//! Who is looking at a page: the logged-in user (from the API's session cookie, the same
//! sessions), the language, and the CSRF token the page's forms carry.
//!
//! A request without a live session is sent to the login page; a user who must change the
//! password is sent to the password page, whatever was asked.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use hongyan_api::{cookie_token, AppState};
use hongyan_engine::admin::Actor;
use hongyan_store::{Role, User};

use crate::guard::for_session;
use crate::i18n::Lang;

/// The cookie that remembers the language.
pub(crate) const LANG_COOKIE: &str = "hongyan_lang";

/// The language a browser chose (Chinese unless it chose English).
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    let chose_en = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|p| p.trim() == format!("{LANG_COOKIE}=en"));
    if chose_en {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// The client's address as the audit log records it.
pub(crate) fn client_addr(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>().map_or_else(|| "-".into(), |c| c.0.ip().to_string())
}

/// The client's address, for pages that have no viewer yet (login).
pub(crate) struct ClientAddr(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_addr(parts)))
    }
}

/// A logged-in user looking at a page.
pub(crate) struct Viewer {
    pub(crate) user: User,
    pub(crate) lang: Lang,
    pub(crate) csrf: String,
    pub(crate) addr: String,
    /// The path asked for (for the navigation's highlight).
    pub(crate) path: String,
}

impl Viewer {
    pub(crate) fn actor(&self) -> Actor {
        Actor::user(&self.user, &self.addr)
    }

    pub(crate) fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.user.role)
    }

    /// The account a tenant user acts for; `None` for the other roles, which do not send.
    pub(crate) fn tenant_account(&self) -> Option<i64> {
        if self.user.role == Role::Tenant {
            self.user.account_id
        } else {
            None
        }
    }

    /// Administrators, operators and auditors see across accounts; tenants only their own.
    pub(crate) fn staff(&self) -> bool {
        self.is(&[Role::Admin, Role::Operator, Role::Auditor])
    }
}

/// Why a page was not shown: go and log in (or change the password) first.
pub(crate) struct Away(Response);

impl IntoResponse for Away {
    fn into_response(self) -> Response {
        self.0
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Away;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Away> {
        let to_login = || Away(Redirect::to("/login").into_response());
        let token = cookie_token(&parts.headers).ok_or_else(to_login)?;
        let user = match state.engine.session(&token, state.console.session_idle).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(to_login()),
            Err(e) => {
                tracing::error!(error = %e, "console: reading the session failed");
                return Err(Away(crate::render::failure(lang_of(&parts.headers))));
            }
        };
        let path = parts.uri.path().to_owned();
        if user.must_change && path != "/password" {
            return Err(Away(Redirect::to("/password").into_response()));
        }
        Ok(Self { user, lang: lang_of(&parts.headers), csrf: for_session(&token), addr: client_addr(parts), path })
    }
}
