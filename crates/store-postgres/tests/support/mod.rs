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
