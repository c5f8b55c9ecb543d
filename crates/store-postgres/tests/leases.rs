//! Leases against the PostgreSQL every machine here runs (127.0.0.1:5432, database `test`, or
//! `HONGYAN_TEST_POSTGRES`), each test in a schema of its own: one holder at a time, a lapsed
//! lease taken over in the next generation, a stale holder's renewals and fenced writes
//! refused, a release handed on at once, and a race of many nodes won by exactly one.

mod support;

use std::time::Duration;

use hongyan_store_postgres::{connect, fence, migrate, Leases, Pool};

/// A fresh, empty schema for `tag`.
async fn schema(tag: &str) -> Pool {
    let schema = support::fresh_schema(tag).await;
    connect(&support::url(), Some(&schema)).await.unwrap()
}

/// A fresh schema for `tag`, migrated.
async fn database(tag: &str) -> Pool {
    let pool = schema(tag).await;
    migrate(&pool).await.unwrap();
    pool
}

const TTL: Duration = Duration::from_millis(400);

#[tokio::test]
async fn one_holder_at_a_time_and_a_lapsed_lease_goes_to_the_next_generation() {
    let pool = database("lease_one").await;
    let (a, b) = (Leases::new(pool.clone(), "node-a", TTL), Leases::new(pool.clone(), "node-b", TTL));
    let held = a.acquire("link:cmcc:0").await.unwrap().expect("a free lease is taken");
    assert_eq!((held.holder.as_str(), held.generation), ("node-a", 1));
    assert_eq!(b.acquire("link:cmcc:0").await.unwrap(), None, "held by node-a");
    assert!(a.renew(&held).await.unwrap(), "the holder renews");
    assert_eq!(a.acquire("link:cmcc:0").await.unwrap(), Some(held.clone()), "taking it again keeps the generation");

    // node-a stops renewing: once the lease lapses node-b takes it, one generation on.
    tokio::time::sleep(TTL + Duration::from_millis(200)).await;
    let taken = b.acquire("link:cmcc:0").await.unwrap().expect("a lapsed lease is taken over");
    assert_eq!((taken.holder.as_str(), taken.generation), ("node-b", 2));
    assert!(!a.renew(&held).await.unwrap(), "the old holder learns it lost the lease");
    assert_eq!(b.holder("link:cmcc:0").await.unwrap(), Some(taken));
}

#[tokio::test]
async fn a_write_fenced_with_a_lost_lease_changes_nothing() {
    let pool = database("lease_fence").await;
    let client = pool.get().await.unwrap();
    client.batch_execute("CREATE TABLE sent (message bigint PRIMARY KEY, by_node text NOT NULL)").await.unwrap();
    let (a, b) = (Leases::new(pool.clone(), "node-a", TTL), Leases::new(pool.clone(), "node-b", TTL));
    let insert = format!("INSERT INTO sent SELECT $4, $2 WHERE {}", fence(1));
    let write = |lease: hongyan_store_postgres::Lease, message: i64| {
        let (client, insert) = (&client, insert.clone());
        async move {
            let [name, holder, generation] = lease.params();
            client.execute(&insert, &[name, holder, generation, &message]).await.unwrap()
        }
    };

    let old = a.acquire("job:retention").await.unwrap().unwrap();
    assert_eq!(write(old.clone(), 1).await, 1, "the holder's write goes through");
    // node-a pauses past its lease; node-b takes over.
    tokio::time::sleep(TTL + Duration::from_millis(200)).await;
    let new = b.acquire("job:retention").await.unwrap().unwrap();
    assert_eq!(write(old, 2).await, 0, "the paused node wakes up: its fenced write finds no lease");
    assert_eq!(write(new, 3).await, 1);
    let rows: Vec<(i64, String)> = client
        .query("SELECT message, by_node FROM sent ORDER BY message", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows, [(1, "node-a".to_owned()), (3, "node-b".to_owned())]);
}

#[tokio::test]
async fn a_released_lease_is_taken_at_once_and_a_race_has_one_winner() {
    let pool = database("lease_race").await;
    let a = Leases::new(pool.clone(), "node-a", Duration::from_secs(60));
    let held = a.acquire("job:sweep").await.unwrap().unwrap();
    a.release(&held).await.unwrap();
    let b = Leases::new(pool.clone(), "node-b", Duration::from_secs(60));
    let next = b.acquire("job:sweep").await.unwrap().expect("no wait for the time to live");
    assert_eq!(next.generation, held.generation + 1);

    let racers: Vec<_> = (0..12)
        .map(|i| {
            let leases = Leases::new(pool.clone(), format!("node-{i}"), Duration::from_secs(60));
            tokio::spawn(async move { leases.acquire("link:unicom:0").await.unwrap() })
        })
        .collect();
    let mut winners = Vec::new();
    for r in racers {
        winners.extend(r.await.unwrap());
    }
    assert_eq!(winners.len(), 1, "one of twelve nodes holds the link: {winners:?}");
    assert_eq!(winners[0].generation, 1);
}

#[tokio::test]
async fn nodes_migrating_together_apply_each_migration_once() {
    let pool = schema("migrate").await;
    let nodes: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { migrate(&pool).await.unwrap() })
        })
        .collect();
    let mut applied = Vec::new();
    for node in nodes {
        applied.extend(node.await.unwrap());
    }
    let client = pool.get().await.unwrap();
    let rows = client.query("SELECT name FROM hongyan_migrations ORDER BY name", &[]).await.unwrap();
    let recorded: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert!(recorded.len() >= 4, "{recorded:?}");
    assert_eq!(applied, recorded, "each migration applied once, by one node; the others found them done");
}

#[tokio::test]
async fn a_server_that_is_not_there_is_reported_at_connect() {
    let err = connect("host=127.0.0.1 port=1 user=postgres dbname=test connect_timeout=2", None).await.unwrap_err();
    assert!(err.to_string().contains("no connection to PostgreSQL"), "{err}");
    let err = connect("postgres://[bad", None).await.unwrap_err();
    assert!(err.to_string().contains("not valid"), "{err}");
}
