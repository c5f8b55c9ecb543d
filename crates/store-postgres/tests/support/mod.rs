//! The PostgreSQL every machine here runs (127.0.0.1:5432, database `test`), or the one
//! `HONGYAN_TEST_POSTGRES` names; each test works in a fresh schema of its own.

#![allow(dead_code)]

use hongyan_store_postgres::connect;

/// The database's address.
pub(crate) fn url() -> String {
    std::env::var("HONGYAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "host=127.0.0.1 port=5432 user=postgres dbname=test".to_owned())
}

/// A fresh, empty schema for `tag` (dropped first if a run before left it); its name.
pub(crate) async fn fresh_schema(tag: &str) -> String {
    let schema = format!("hy_{tag}_{}", std::process::id());
    let admin = connect(&url(), None).await.expect("PostgreSQL on 127.0.0.1:5432 (see the README)");
    let client = admin.get().await.unwrap();
    client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")).await.unwrap();
    schema
}

/// A one-segment notification of `account_id` with id `id`, accepted at the id's time, to a
/// number of its own.
pub(crate) fn message(id: hongyan_store::MessageId, account_id: i64) -> hongyan_store::NewMessage {
    use hongyan_store::*;
    NewMessage {
        id,
        account_id,
        to: format!("139{:08}", id.0 % 100_000_000),
        carrier: Carrier::ChinaMobile,
        category: Category::NOTIFICATION,
        content: "您的申报已受理".into(),
        segments: 1,
        channel: "cmpp-1".into(),
        source_ext: String::new(),
        accepted_at: id.timestamp(),
        send_at: None,
        callback_url: None,
        provenance: Provenance {
            sender: "key:AK1".into(),
            interface: "http".into(),
            client_addr: "10.0.0.1".into(),
            client_ref: None,
            template_id: None,
        }
        .into(),
        unit_price: Some(Money(400)),
    }
}
