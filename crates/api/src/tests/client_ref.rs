//! A client reference reused for a different request is a conflict, not a silent replay of
//! the first answer; the same request again still gets its first answer.

use axum::http::StatusCode;
use serde_json::json;

use super::{basic, call, csv, fixture, get, post, signed_account};

#[tokio::test]
async fn a_reused_client_ref_with_another_body_is_409_and_the_same_body_replays() {
    let f = fixture("ref-conflict").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let send = |to: &str, content: &str| {
        json!({ "to": [to], "content": content, "category": "notification", "client_ref": "order-9" }).to_string()
    };
    let (status, first) = call(&f.state, post(&auth, send("13800138000", "您的申报已受理"))).await;
    assert_eq!((status, first["replayed"].as_bool()), (StatusCode::OK, Some(false)), "{first}");
    let (status, again) = call(&f.state, post(&auth, send("+86 138-0013-8000", "您的申报已受理"))).await;
    assert_eq!((status, again["replayed"].as_bool()), (StatusCode::OK, Some(true)), "the same request, normalised");
    assert_eq!(again["results"], first["results"]);

    for (to, content) in [("13900139000", "您的申报已受理"), ("13800138000", "您的申报未受理")] {
        let (status, err) = call(&f.state, post(&auth, send(to, content))).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("client_ref_conflict")),
            "{to} {content}: {err}"
        );
        assert!(err["error"]["message"].as_str().unwrap().contains("order-9"));
    }
    let (_, list) = call(&f.state, get(&auth, "/api/v1/messages")).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 1, "only the first request was sent");
}

#[tokio::test]
async fn a_bulk_send_with_a_reused_client_ref_and_another_list_is_409() {
    let f = fixture("ref-bulk").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let uri = "/api/v1/bulk?category=notification&content=hi&client_ref=list-3";
    let (status, first) = call(&f.state, csv(&auth, uri, "号码\n13800138000\n13800138001\n")).await;
    assert_eq!((status, first["accepted"].as_u64()), (StatusCode::OK, Some(2)), "{first}");
    let (status, again) = call(&f.state, csv(&auth, uri, "号码\n13800138000\n13800138001\n")).await;
    assert_eq!((status, again["replayed"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    let (status, err) = call(&f.state, csv(&auth, uri, "号码\n13800138000\n13800138002\n")).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("client_ref_conflict")), "{err}");
    let other = "/api/v1/bulk?category=notification&content=bye&client_ref=list-3";
    let (status, _) = call(&f.state, csv(&auth, other, "号码\n13800138000\n13800138001\n")).await;
    assert_eq!(status, StatusCode::CONFLICT, "another content");
    let (_, list) = call(&f.state, get(&auth, "/api/v1/messages")).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 2);
}
