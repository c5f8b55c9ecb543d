//! The shared store story on PostgreSQL (127.0.0.1:5432, database `test`, or
//! `HONGYAN_TEST_POSTGRES`), each run in a schema of its own: the same promises the SQLite
//! store keeps, one concern at a time as this backend grows.

mod support;

use hongyan_seal::{new_entry, Algorithm, KeyRing};
use hongyan_store_postgres::PgStore;

async fn store(tag: &str) -> PgStore {
    let schema = support::fresh_schema(tag).await;
    let ring = KeyRing::parse(&new_entry(1), Algorithm::Aes256Gcm).unwrap();
    PgStore::open(&support::url(), Some(&schema), Some(ring)).await.unwrap()
}

#[tokio::test]
async fn postgres_tells_the_accounts_story_and_keeps_secrets_sealed() {
    let store = store("accounts").await;
    hongyan_store_tests::accounts_story(&store).await;
    let client = store.pool().get().await.unwrap();
    let clear: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM accounts WHERE position(convert_to('cb-secret', 'UTF8') IN callback_secret) > 0)
                  + (SELECT count(*) FROM client_logins WHERE position(convert_to('s3cret', 'UTF8') IN secret) > 0)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let kept: i64 = client
        .query_one("SELECT (SELECT count(*) FROM client_logins) * (SELECT count(callback_secret) FROM accounts)", &[])
        .await
        .unwrap()
        .get(0);
    assert!(kept > 0, "the story leaves a login and a callback to look at");
    assert_eq!(clear, 0, "no signing secret or password in clear in the database");
}

#[tokio::test]
async fn postgres_tells_the_content_story() {
    use hongyan_store::{AccountStore, Timestamp};
    let store = store("content").await;
    let a = store.create_account("etax", Timestamp::from_millis(0)).await.unwrap().id;
    let b = store.create_account("interaction", Timestamp::from_millis(0)).await.unwrap().id;
    hongyan_store_tests::content_story(&store, a, b).await;
}

#[tokio::test]
async fn postgres_tells_the_numbers_story_and_keeps_numbers_sealed() {
    use hongyan_store::{AccountStore, ContentStore, SignatureStatus, Timestamp};
    let store = store("numbers").await;
    let at = Timestamp::from_millis(0);
    let a = store.create_account("etax", at).await.unwrap().id;
    let b = store.create_account("interaction", at).await.unwrap().id;
    let sig = store.add_signature(a, "某省税务局", "07", at).await.unwrap();
    store.decide_signature(sig.id, SignatureStatus::Approved, at).await.unwrap();
    hongyan_store_tests::numbers_story(&store, a, b, "07").await;
    let client = store.pool().get().await.unwrap();
    let clear: i64 = client
        .query_one(
            "SELECT (SELECT count(*) FROM blacklist WHERE position(convert_to('139001', 'UTF8') IN number) > 0)
                  + (SELECT count(*) FROM unsubscribes WHERE position(convert_to('138001', 'UTF8') IN number) > 0)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(clear, 0, "no number in clear in the lists");
}

#[tokio::test]
async fn postgres_tells_the_users_story() {
    let store = store("users").await;
    hongyan_store_tests::users_story(&store).await;
}

#[tokio::test]
async fn postgres_tells_the_operators_story_and_keeps_incident_texts_sealed() {
    let store = store("operations").await;
    hongyan_store_tests::operations_story(&store).await;
    let client = store.pool().get().await.unwrap();
    let clear: i64 = client
        .query_one(
            "SELECT count(*) FROM incidents WHERE position(convert_to('通道中断', 'UTF8') IN symptom) > 0
                OR position(convert_to('光缆', 'UTF8') IN coalesce(cause, ''::bytea)) > 0",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(clear, 0, "no incident text in clear in the database");
}

#[tokio::test]
async fn the_audit_log_refuses_changes_whoever_asks() {
    use hongyan_store::{AuditEntry, Timestamp, UserStore};
    let store = store("audit").await;
    let entry = AuditEntry {
        at: Timestamp::from_millis(1),
        actor: "admin".into(),
        address: "10.0.0.9".into(),
        action: "account.create".into(),
        target: "account 1".into(),
        before: None,
        after: None,
        outcome: "ok".into(),
    };
    store.append_audit(entry).await.unwrap();
    let client = store.pool().get().await.unwrap();
    for sql in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
        let err = client.batch_execute(sql).await.expect_err(sql);
        assert!(
            err.to_string().contains("append-only") || format!("{err:?}").contains("append-only"),
            "{sql}: {err:?}"
        );
    }
    let n: i64 = client.query_one("SELECT count(*) FROM audit_log", &[]).await.unwrap().get(0);
    assert_eq!(n, 1, "the line is still there");
}

/// Every text and bytea column of the store's tables (the portability list aside: it is
/// plain by design, as template bodies are, which name no one) where `needle` is readable.
async fn readable(store: &PgStore, needle: &str) -> Vec<String> {
    let client = store.pool().get().await.unwrap();
    let columns = client
        .query(
            "SELECT c.table_name::text, c.column_name::text, c.data_type::text FROM information_schema.columns c
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('text', 'bytea') AND c.table_name <> 'ported_numbers'",
            &[],
        )
        .await
        .unwrap();
    let mut found = Vec::new();
    for c in &columns {
        let (table, column, kind): (String, String, String) = (c.get(0), c.get(1), c.get(2));
        let test = match kind.as_str() {
            "bytea" => format!("position(convert_to($1, 'UTF8') IN {column}) > 0"),
            _ => format!("position($1 IN {column}) > 0"),
        };
        let sql = format!("SELECT count(*) FROM ONLY {table} WHERE {test}");
        let n: i64 = client.query_one(&sql, &[&needle]).await.unwrap().get(0);
        if n > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    assert!(columns.len() > 40, "the scan reads the store's columns ({})", columns.len());
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tells_the_whole_story_and_keeps_numbers_and_texts_sealed() {
    let store = store("whole").await;
    hongyan_store_tests::run_story(&store).await;
    let store = PgStore::open(&support::url(), Some(&format!("hy_whole_{}", std::process::id())), None).await.unwrap();
    for needle in ["13800138", "13900139", "是 123456"] {
        assert_eq!(readable(&store, needle).await, Vec::<String>::new(), "{needle} readable in the database");
    }
    let names = readable(&store, "etax").await;
    assert!(names.contains(&"accounts.name".to_owned()), "the scan finds what is plain: {names:?}");
}
