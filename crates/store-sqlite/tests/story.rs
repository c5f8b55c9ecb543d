//! The shared Store story on a real SQLite file.

use hongyan_store::prelude::*;
use hongyan_store_sqlite::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tells_the_story() {
    let dir = std::env::temp_dir().join(format!("hongyan-store-story-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("hongyan.db")).expect("open");
    hongyan_store_tests::run_story(&store).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tells_the_users_story() {
    let dir = std::env::temp_dir().join(format!("hongyan-store-users-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("hongyan.db")).expect("open");
    hongyan_store_tests::users_story(&store).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tells_the_operators_story() {
    let dir = std::env::temp_dir().join(format!("hongyan-store-operations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("hongyan.db")).expect("open");
    hongyan_store_tests::operations_story(&store).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tells_the_accounts_story() {
    let dir = std::env::temp_dir().join(format!("hongyan-store-accounts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("hongyan.db")).expect("open");
    hongyan_store_tests::accounts_story(&store).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tells_the_content_story() {
    let dir = std::env::temp_dir().join(format!("hongyan-store-content-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("hongyan.db")).expect("open");
    let at = hongyan_store::Timestamp::from_millis(0);
    let a = store.create_account("etax", at).await.unwrap().id;
    let b = store.create_account("interaction", at).await.unwrap().id;
    hongyan_store_tests::content_story(&store, a, b).await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tells_the_numbers_story() {
    use hongyan_store::SignatureStatus;
    let dir = std::env::temp_dir().join(format!("hongyan-store-numbers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = SqliteStore::open(&dir.join("hongyan.db")).expect("open");
    let at = hongyan_store::Timestamp::from_millis(0);
    let a = store.create_account("etax", at).await.unwrap().id;
    let b = store.create_account("interaction", at).await.unwrap().id;
    let sig = store.add_signature(a, "某省税务局", "07", at).await.unwrap();
    store.decide_signature(sig.id, SignatureStatus::Approved, at).await.unwrap();
    hongyan_store_tests::numbers_story(&store, a, b, "07").await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_reopening() {
    use hongyan_store::{Store, Timestamp};
    let dir = std::env::temp_dir().join(format!("hongyan-store-reopen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("hongyan.db");
    let store = SqliteStore::open(&path).unwrap();
    store.create_account("etax", Timestamp::from_millis(1)).await.unwrap();
    store.close().await.unwrap();
    drop(store);
    let again = SqliteStore::open(&path).unwrap();
    assert!(again.create_account("etax", Timestamp::from_millis(2)).await.is_err(), "the first account is still there");
    std::fs::remove_dir_all(&dir).ok();
}
