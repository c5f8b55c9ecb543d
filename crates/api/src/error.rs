//! The one place where errors become HTTP answers.

use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::auth::AuthError;
use hongyan_engine::AcceptError;
use hongyan_store::StoreError;

/// An error answer: status, stable machine code, human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code clients can switch on, e.g. `invalid_json`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// Seconds to wait before trying again (sent as `Retry-After`).
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after_secs: None }
    }
    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub(crate) fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
    pub(crate) fn login_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "login_required",
            "log in first (POST /api/v1/auth/login); sessions end after 30 minutes idle",
        )
    }
    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "missing or invalid credentials")
    }
    /// 507: nothing of the request was kept; the same request may be sent again later.
    pub(crate) fn storage_full() -> Self {
        Self {
            retry_after_secs: Some(30),
            ..Self::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "storage_full",
                "the platform's storage is full; nothing of this request was kept, send it again later",
            )
        }
    }
    fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; the request was not carried out")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(serde_json::json!({ "error": { "code": self.code, "message": self.message } }));
        let mut resp = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED && self.code == "unauthorized" {
            resp.headers_mut().insert(WWW_AUTHENTICATE, "Basic realm=\"hongyan\"".parse().expect("static header"));
        }
        if let Some(secs) = self.retry_after_secs {
            resp.headers_mut().insert(RETRY_AFTER, secs.into());
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        // A full store says so once, in the store's own log line; not once per request.
        if !matches!(e, StoreError::Full(_) | StoreError::Closed | StoreError::Unavailable(_)) {
            tracing::error!(error = %e, "store error");
        }
        match e {
            StoreError::Closed => Self::unavailable("the platform is shutting down"),
            // The node says so in its own log (its lease keeper); a client simply tries again.
            StoreError::Unavailable(_) => Self::unavailable("the store cannot be reached; try again shortly"),
            StoreError::Full(_) => Self::storage_full(),
            _ => Self::internal(),
        }
    }
}

impl From<hongyan_engine::rights::AccessError> for ApiError {
    fn from(e: hongyan_engine::rights::AccessError) -> Self {
        use hongyan_engine::rights::AccessError as A;
        let code = match &e {
            A::Interface(_) => "interface_not_allowed",
            A::Operation(_) => "operation_not_allowed",
            A::Address => "address_not_allowed",
            A::Store(_) => return Self::internal(),
        };
        Self::new(StatusCode::FORBIDDEN, code, e.to_string())
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Invalid => Self::unauthorized(),
            AuthError::Skewed => Self::new(StatusCode::UNAUTHORIZED, "timestamp_skewed", e.to_string()),
            AuthError::Replayed => Self::new(StatusCode::UNAUTHORIZED, "nonce_reused", e.to_string()),
            AuthError::BadSignatureHeader(_) => {
                Self::new(StatusCode::UNAUTHORIZED, "bad_signature_header", e.to_string())
            }
            AuthError::Store(e) => e.into(),
            _ => Self::internal(),
        }
    }
}

impl From<hongyan_engine::admin::AdminError> for ApiError {
    fn from(e: hongyan_engine::admin::AdminError) -> Self {
        use hongyan_engine::admin::AdminError as A;
        match e {
            A::Forbidden => Self::new(StatusCode::FORBIDDEN, "forbidden", "this role may not do that"),
            A::NotFound(m) => Self::not_found(m),
            A::Conflict { code, message } => Self::new(StatusCode::CONFLICT, code, message),
            A::Invalid { code, message } => Self::unprocessable(code, message),
            A::Store(e) => e.into(),
            _ => Self::internal(),
        }
    }
}

impl From<AcceptError> for ApiError {
    fn from(e: AcceptError) -> Self {
        let msg = e.to_string();
        match e {
            AcceptError::EmptyContent => Self::unprocessable("empty_content", msg),
            AcceptError::ContentTooLong(_) => Self::unprocessable("content_too_long", msg),
            AcceptError::UnsafeContent(_) => Self::unprocessable("unsafe_content", msg),
            AcceptError::NoRecipients => Self::unprocessable("no_recipients", msg),
            AcceptError::TooManyRecipients(_) => Self::unprocessable("too_many_recipients", msg),
            AcceptError::ShuttingDown => Self::unavailable(msg),
            AcceptError::BadClientRef => Self::unprocessable("invalid_client_ref", msg),
            AcceptError::ClientRefConflict(_) => Self::new(StatusCode::CONFLICT, "client_ref_conflict", msg),
            AcceptError::NoSignature(_) => Self::unprocessable("no_signature", msg),
            AcceptError::BadPersonalisation => Self::unprocessable("bad_personalisation", msg),
            AcceptError::SendAtTooFar => Self::unprocessable("send_at_too_far", msg),
            AcceptError::ContentOrTemplate => Self::unprocessable("content_or_template", msg),
            AcceptError::FreeTextNotAllowed => Self::new(StatusCode::FORBIDDEN, "free_text_not_allowed", msg),
            AcceptError::CategoryNotAllowed(_) => Self::new(StatusCode::FORBIDDEN, "category_not_allowed", msg),
            AcceptError::CallbackNotAllowed => Self::new(StatusCode::FORBIDDEN, "callback_not_allowed", msg),
            AcceptError::UnknownTemplate(_) => Self::unprocessable("unknown_template", msg),
            AcceptError::TemplateCategory { .. } => Self::unprocessable("template_category", msg),
            AcceptError::TemplateParams(_) => Self::unprocessable("invalid_params", msg),
            AcceptError::SensitiveWord(_) => Self::unprocessable("sensitive_word", msg),
            AcceptError::RateLimited { retry_after_ms, .. } => Self {
                retry_after_secs: Some(retry_after_ms.div_ceil(1000)),
                ..Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", msg)
            },
            AcceptError::QuotaExceeded { .. } => Self::new(StatusCode::TOO_MANY_REQUESTS, "quota_exceeded", msg),
            AcceptError::SignatureMismatch { .. } => Self::unprocessable("signature_mismatch", msg),
            AcceptError::Store(e) => e.into(),
            _ => Self::internal(),
        }
    }
}
