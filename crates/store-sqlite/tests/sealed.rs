//! Field-level encryption at rest, checked on the file itself: nothing personal is readable
//! in the database, a recipient is still found by exact search, and a key rotation loses
//! nothing.

use std::path::{Path, PathBuf};

use hongyan_store::*;
use hongyan_store_sqlite::seal::{new_entry, Algorithm, KeyRing};
use hongyan_store_sqlite::SqliteStore;

const NUMBER: &str = "13912345678";
const TEXT: &str = "【某省税务】您的验证码是 867530，请勿告诉他人";
const REPLY_FROM: &str = "13698765432";
const REPLY: &str = "好的收到谢谢税务局";
const BLOCKED: &str = "15011112222";
const OPTED_OUT: &str = "17733334444";
const SIGNING_SECRET: &str = "cb-secret-5f1e9a7d3c";
const PASSWORD: &str = "pw-7Qx2Lm9";

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_795_910_782_000 + ms)
}

fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hongyan-sealed-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn message(id: u64, account_id: i64, to: &str) -> NewMessage {
    NewMessage {
        id: MessageId(id),
        account_id,
        to: to.into(),
        carrier: Carrier::ChinaMobile,
        category: Category::VERIFICATION,
        content: TEXT.into(),
        segments: 1,
        channel: "cmpp-sim".into(),
        source_ext: "01".into(),
        accepted_at: t(id as i64),
        send_at: None,
        callback_url: None,
        provenance: Default::default(),
        unit_price: None,
    }
}

fn by_recipient(account_id: i64, to: &str) -> MessageFilter {
    MessageFilter { account_id: Some(account_id), to: Some(to.into()), limit: 100, ..Default::default() }
}

/// Every byte the database keeps on disk: the file, its WAL and its shared-memory index.
fn bytes_on_disk(db: &Path) -> Vec<u8> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::read(format!("{}{suffix}", db.display())).ok())
        .flatten()
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// One of everything that holds a number or text: a message with its request answer, a
/// carrier report whose raw fields name the number, a reply, and a waiting long-message part.
async fn write_everything(store: &SqliteStore, account: i64) {
    let answer = format!("{{\"messages\":[{{\"to\":\"{NUMBER}\",\"id\":\"1\"}}]}}");
    let request = RequestRecord {
        account_id: account,
        client_ref: "r1".into(),
        answer: Some(answer),
        request_hash: None,
        created_at: t(0),
        origin: None,
    };
    store.insert_messages(vec![message(1, account, NUMBER)], Some(request)).await.unwrap();
    let submitted = SubmitOutcome {
        message_id: MessageId(1),
        segment: 1,
        carrier_msg_id: Some("c1".into()),
        result: 0,
        error: None,
        at: t(10),
    };
    store.record_submits(vec![submitted]).await.unwrap();
    let raw = format!("{{\"stat\":\"DELIVRD\",\"dest_terminal_id\":\"{NUMBER}\",\"text\":\"{TEXT}\"}}");
    let report = ReportIn {
        channel: "cmpp-sim".into(),
        carrier_msg_id: "c1".into(),
        stat: "DELIVRD".into(),
        done_at: Some(t(50)),
        received_at: t(60),
        raw,
    };
    store.apply_reports(vec![report]).await.unwrap();
    let mo = NewMo {
        account_id: Some(account),
        channel: "cmpp-sim".into(),
        from: REPLY_FROM.into(),
        to: "106900001".into(),
        extension: None,
        text: REPLY.into(),
        unsubscribe: None,
        received_at: t(70),
    };
    store.record_mo(mo).await.unwrap();
    let part = ClientPart {
        account_id: account,
        protocol: "smpp".into(),
        group_key: "g".into(),
        part: 1,
        total: 2,
        client_msg_id: "p1".into(),
        source: "1069".into(),
        to: NUMBER.into(),
        category: "notification".into(),
        receipt: true,
        text: TEXT.into(),
        received_at: t(80),
        sender: "smpp:hy000001".into(),
        client_addr: "127.0.0.1".into(),
    };
    store.add_client_part(part).await.unwrap();
    store.blacklist_add(blocked(account)).await.unwrap();
    store.unsubscribe(account, OPTED_OUT, "TD", t(90)).await.unwrap();
    store.set_callback(account, Some(callback())).await.unwrap();
    store.create_client_login(login(account)).await.unwrap();
}

fn callback() -> Callback {
    Callback { url: "https://etax.example/cb".into(), secret: SIGNING_SECRET.into() }
}

fn login(account: i64) -> ClientLogin {
    ClientLogin {
        protocol: "smpp".into(),
        login: "etax01".into(),
        account_id: account,
        secret: PASSWORD.into(),
        created_at: t(95),
        default_category: None,
    }
}

/// The secrets read back as they were given.
async fn secrets_answer(store: &SqliteStore, account: i64) {
    assert_eq!(store.callback(account).await.unwrap(), Some(callback()));
    let (found, _) = store.find_client_login("smpp", "etax01").await.unwrap().unwrap();
    assert_eq!(found.secret, PASSWORD);
}

fn blocked(account: i64) -> BlacklistEntry {
    BlacklistEntry { account_id: Some(account), number: BLOCKED.into(), reason: "complaint".into(), created_at: t(85) }
}

/// The lists answer by number, as before sealing.
async fn lists_answer(store: &SqliteStore, account: i64) {
    let numbers = vec![NUMBER.to_owned(), BLOCKED.to_owned(), OPTED_OUT.to_owned()];
    let hits = store.blacklisted(account, numbers.clone()).await.unwrap();
    assert_eq!(hits.iter().map(|e| e.number.as_str()).collect::<Vec<_>>(), [BLOCKED]);
    assert_eq!(store.blacklist_list(Some(account)).await.unwrap(), [blocked(account)]);
    assert_eq!(store.unsubscribed(account, numbers).await.unwrap(), [OPTED_OUT]);
}

async fn nothing_readable_on_disk(algorithm: Algorithm) {
    let dir = folder(&format!("{algorithm:?}"));
    let db = dir.join("hongyan.db");
    let ring = KeyRing::parse(&new_entry(1), algorithm).unwrap();
    let store = SqliteStore::open_with(&db, ring.clone()).unwrap();
    let account = store.create_account("etax", t(0)).await.unwrap().id;
    write_everything(&store, account).await;

    let on_disk = bytes_on_disk(&db);
    let personal = [NUMBER, TEXT, "867530", REPLY_FROM, REPLY, "验证码", BLOCKED, OPTED_OUT];
    for secret in personal.into_iter().chain([SIGNING_SECRET, PASSWORD]) {
        assert!(!contains(&on_disk, secret), "{secret:?} is readable in the database files ({algorithm:?})");
    }
    assert!(contains(&on_disk, "etax"), "the scan reads the files the store writes");

    // Everything still reads back in plain text through the store.
    let found = store.list_messages(by_recipient(account, NUMBER)).await.unwrap();
    assert_eq!(found.len(), 1, "exact search by recipient");
    let detail = &found[0];
    assert_eq!((detail.message.to.as_str(), &*detail.message.content), (NUMBER, TEXT));
    assert!(detail.segments[0].report_raw.as_deref().unwrap().contains(NUMBER), "raw report fields");
    assert!(store.list_messages(by_recipient(account, "13912345679")).await.unwrap().is_empty());
    let sent = store.sent_to_since(account, NUMBER, Category::VERIFICATION, MessageId(0)).await.unwrap();
    assert_eq!(sent, [t(1)], "the frequency limit counts by the hash too");
    assert!(store.find_request(account, "r1").await.unwrap().unwrap().answer.contains(NUMBER));
    lists_answer(&store, account).await;
    secrets_answer(&store, account).await;
    let events = store.feed(account, FeedConsumer::Push, 10).await.unwrap();
    let texts: Vec<String> = events
        .iter()
        .map(|e| match &e.item {
            FeedItem::Report(r) => r.to.clone(),
            FeedItem::Mo(m) => format!("{} {}", m.from, m.text),
            FeedItem::Final(f) => f.to.clone(),
        })
        .collect();
    assert_eq!(texts, [NUMBER.to_owned(), format!("{REPLY_FROM} {REPLY}")]);
    store.close().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aes_256_gcm_leaves_nothing_readable_on_disk() {
    nothing_readable_on_disk(Algorithm::Aes256Gcm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sm4_gcm_leaves_nothing_readable_on_disk() {
    nothing_readable_on_disk(Algorithm::Sm4Gcm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_keeps_every_row_readable_and_searchable() {
    let dir = folder("rotation");
    let db = dir.join("hongyan.db");
    let (first, second) = (new_entry(1), new_entry(2));
    let old = KeyRing::parse(&first, Algorithm::Aes256Gcm).unwrap();
    let store = SqliteStore::open_with(&db, old.clone()).unwrap();
    let account = store.create_account("etax", t(0)).await.unwrap().id;
    store.insert_messages(vec![message(1, account, NUMBER)], None).await.unwrap();
    store.blacklist_add(blocked(account)).await.unwrap();
    store.unsubscribe(account, OPTED_OUT, "TD", t(90)).await.unwrap();
    store.close().await.unwrap();

    // The new key is added (and the algorithm changed): old rows open, new rows use key 2.
    let both = KeyRing::parse(&format!("{first}{second}"), Algorithm::Sm4Gcm).unwrap();
    let store = SqliteStore::open_with(&db, both.clone()).unwrap();
    store.insert_messages(vec![message(2, account, NUMBER)], None).await.unwrap();
    let found = store.list_messages(by_recipient(account, NUMBER)).await.unwrap();
    assert_eq!(found.iter().map(|d| d.message.id.0).collect::<Vec<_>>(), [2, 1], "both keys' rows are found");
    lists_answer(&store, account).await;
    // Added again under the new key: still one entry, before and after the rekey.
    store.blacklist_add(blocked(account)).await.unwrap();
    store.unsubscribe(account, OPTED_OUT, "TD", t(95)).await.unwrap();
    lists_answer(&store, account).await;
    store.close().await.unwrap();

    // Before `rekey`, a ring without key 1 is refused rather than leaving rows unreadable.
    let newest = KeyRing::parse(&second, Algorithm::Sm4Gcm).unwrap();
    let refused = SqliteStore::open_with(&db, newest.clone()).unwrap_err().to_string();
    assert!(refused.contains("lacks"), "{refused}");

    let counts = SqliteStore::rekey(&db, &both).unwrap();
    assert_eq!(counts.iter().find(|(t, _)| *t == "messages").map(|c| c.1), Some(1), "only the stale row");
    assert_eq!(SqliteStore::rekey(&db, &both).unwrap().iter().map(|c| c.1).sum::<u64>(), 0, "nothing left");

    // Key 1 may go now: every row opens and is found with key 2 alone.
    let store = SqliteStore::open_with(&db, newest).unwrap();
    let found = store.list_messages(by_recipient(account, NUMBER)).await.unwrap();
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|d| d.message.to == NUMBER && &*d.message.content == TEXT));
    lists_answer(&store, account).await;
    assert!(store.blacklist_remove(Some(account), BLOCKED).await.unwrap());
    assert!(store.blacklisted(account, vec![BLOCKED.into()]).await.unwrap().is_empty());
    store.close().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_written_before_sealing_are_sealed_at_the_first_open() {
    let dir = folder("upgrade");
    let db = dir.join("hongyan.db");
    let store = SqliteStore::open(&db).unwrap();
    let account = store.create_account("etax", t(0)).await.unwrap().id;
    store.insert_messages(vec![message(1, account, NUMBER)], None).await.unwrap();
    store.blacklist_add(blocked(account)).await.unwrap();
    store.close().await.unwrap();
    drop(store);
    // Make the file look like one from before migrations 13 and 14: plain columns, no hashes.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&format!(
        "UPDATE messages SET to_number = '{NUMBER}', content = '{TEXT}', to_hash = NULL;
         UPDATE blacklist SET number = '{BLOCKED}', number_hash = NULL;
         UPDATE seal_state SET sealed_with = 'plain';"
    ))
    .unwrap();
    drop(conn);

    let store = SqliteStore::open(&db).unwrap();
    let found = store.list_messages(by_recipient(account, NUMBER)).await.unwrap();
    assert_eq!(found.len(), 1, "the old row is found by its new hash");
    assert_eq!(&*found[0].message.content, TEXT);
    assert_eq!(store.blacklisted(account, vec![BLOCKED.into()]).await.unwrap(), [blocked(account)]);
    store.close().await.unwrap();
    drop(store);
    let on_disk = bytes_on_disk(&db);
    for plain in [NUMBER, "867530", BLOCKED] {
        assert!(!contains(&on_disk, plain), "{plain} is still in the file");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_an_older_version_kept_in_clear_are_sealed_at_the_next_open() {
    let dir = folder("secrets");
    let db = dir.join("hongyan.db");
    let store = SqliteStore::open(&db).unwrap();
    let account = store.create_account("etax", t(0)).await.unwrap().id;
    store.set_callback(account, Some(callback())).await.unwrap();
    store.create_client_login(login(account)).await.unwrap();
    store.close().await.unwrap();
    drop(store);
    // As versions before sealed them wrote them: in clear, in a database otherwise sealed.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&format!(
        "UPDATE accounts SET callback_secret = '{SIGNING_SECRET}';
         UPDATE client_logins SET secret = '{PASSWORD}';"
    ))
    .unwrap();
    drop(conn);
    assert!(contains(&bytes_on_disk(&db), PASSWORD), "the old file holds the password in clear");

    let store = SqliteStore::open(&db).unwrap();
    secrets_answer(&store, account).await;
    store.close().await.unwrap();
    drop(store);
    let on_disk = bytes_on_disk(&db);
    for secret in [SIGNING_SECRET, PASSWORD] {
        assert!(!contains(&on_disk, secret), "{secret} is still in the file");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_keys_message_data_is_refused_not_written_plain() {
    let dir = folder("unsealed");
    let db = dir.join("hongyan.db");
    let store = SqliteStore::open_unsealed(&db).unwrap();
    let account = store.create_account("etax", t(0)).await.unwrap().id;
    let err = store.insert_messages(vec![message(1, account, NUMBER)], None).await.unwrap_err();
    assert!(err.to_string().contains("no data keys"), "{err}");
    store.close().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
