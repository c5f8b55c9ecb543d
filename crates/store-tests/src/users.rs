//! The console users' part of the story, for any backend that keeps them: users and their
//! lock-out, sessions that end when the user changes, and the audit log read newest first.

use hongyan_store::{AuditEntry, AuditFilter, NewUser, Role, Session, StoreError, UserPatch, UserStore};

use crate::t;

fn new_user(name: &str, role: Role, account_id: Option<i64>) -> NewUser {
    NewUser {
        username: name.into(),
        role,
        account_id,
        password_hash: format!("$argon2id$v=19${name}"),
        must_change: true,
        created_at: t(0),
    }
}

fn session(token: u8, user_id: i64) -> Session {
    Session { token_hash: vec![token; 32], user_id, created_at: t(0), last_seen: t(0), address: "10.0.0.9".into() }
}

/// Runs the users' part of the story.
pub async fn users_story(store: &dyn UserStore) {
    users_and_their_lock_out(store).await;
    sessions_end_when_the_user_changes(store).await;
    the_audit_log_reads_newest_first(store).await;
}

async fn users_and_their_lock_out(store: &dyn UserStore) {
    assert_eq!(store.count_users().await.unwrap(), 0, "no user before the bootstrap administrator");
    let admin = store.create_user(new_user("admin", Role::Admin, None)).await.expect("create admin");
    let clerk = store.create_user(new_user("clerk", Role::Tenant, Some(7))).await.expect("create clerk");
    assert_ne!(admin.id, clerk.id);
    assert_eq!((clerk.role, clerk.account_id, clerk.must_change), (Role::Tenant, Some(7), true));
    assert_eq!((clerk.failed_logins, clerk.locked_until, clerk.disabled), (0, None, false));
    let taken = store.create_user(new_user("admin", Role::Operator, None)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "usernames are unique: {taken:?}");
    assert_eq!(store.count_users().await.unwrap(), 2);
    let names: Vec<String> = store.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["admin", "clerk"], "by name");
    assert_eq!(store.find_user("nobody").await.unwrap(), None);

    store.record_login_failure(clerk.id, 5, Some(t(900_000))).await.unwrap();
    let locked = store.find_user("clerk").await.unwrap().unwrap();
    assert_eq!((locked.failed_logins, locked.locked_until), (5, Some(t(900_000))));
    store.record_login_success(clerk.id).await.unwrap();
    let open = store.find_user("clerk").await.unwrap().unwrap();
    assert_eq!((open.failed_logins, open.locked_until), (0, None), "a good login forgets the failures");
}

async fn sessions_end_when_the_user_changes(store: &dyn UserStore) {
    let clerk = store.find_user("clerk").await.unwrap().unwrap();
    store.create_session(session(1, clerk.id)).await.unwrap();
    store.create_session(session(2, clerk.id)).await.unwrap();
    let (found, owner) = store.find_session(vec![1; 32]).await.unwrap().expect("session found");
    assert_eq!((found.user_id, found.address.as_str(), owner.username.as_str()), (clerk.id, "10.0.0.9", "clerk"));
    store.touch_session(vec![1; 32], t(5_000)).await.unwrap();
    assert_eq!(store.find_session(vec![1; 32]).await.unwrap().unwrap().0.last_seen, t(5_000));
    assert_eq!(store.find_session(vec![9; 32]).await.unwrap(), None);

    // A new password ends every other session of the user, not the one that set it.
    store.set_password(clerk.id, "$argon2id$v=19$new".into(), false, Some(vec![1; 32])).await.unwrap();
    assert!(store.find_session(vec![1; 32]).await.unwrap().is_some(), "the session that changed it stays");
    assert_eq!(store.find_session(vec![2; 32]).await.unwrap(), None, "the others end");
    let changed = store.find_user("clerk").await.unwrap().unwrap();
    assert_eq!((changed.password_hash.as_str(), changed.must_change), ("$argon2id$v=19$new", false));

    // Disabling, or a change of role, ends them all.
    let patch = UserPatch { disabled: Some(true), role: Some((Role::Auditor, None)) };
    let after = store.update_user(clerk.id, patch).await.unwrap().expect("the user exists");
    assert_eq!((after.disabled, after.role, after.account_id), (true, Role::Auditor, None));
    assert_eq!(store.find_session(vec![1; 32]).await.unwrap(), None, "no session outlives a change of rights");
    assert_eq!(store.update_user(9_999, UserPatch::default()).await.unwrap(), None);

    store.create_session(session(3, clerk.id)).await.unwrap();
    assert!(store.delete_session(vec![3; 32]).await.unwrap());
    assert!(!store.delete_session(vec![3; 32]).await.unwrap(), "already ended");
}

fn line(at: i64, actor: &str, action: &str) -> AuditEntry {
    AuditEntry {
        at: t(at),
        actor: actor.into(),
        address: "10.0.0.9".into(),
        action: action.into(),
        target: "account 7".into(),
        before: Some("{\"enabled\":true}".into()),
        after: None,
        outcome: "ok".into(),
    }
}

async fn the_audit_log_reads_newest_first(store: &dyn UserStore) {
    for (at, actor, action) in
        [(1_000, "admin", "account.create"), (2_000, "clerk", "login"), (3_000, "admin", "key.revoke")]
    {
        store.append_audit(line(at, actor, action)).await.unwrap();
    }
    let all = store.audit(AuditFilter { limit: 10, ..Default::default() }).await.unwrap();
    let actions: Vec<&str> = all.iter().map(|r| r.entry.action.as_str()).collect();
    assert_eq!(actions, ["key.revoke", "login", "account.create"], "newest first");
    assert_eq!(all[2].entry, line(1_000, "admin", "account.create"), "every field kept");
    let by_admin =
        store.audit(AuditFilter { actor: Some("admin".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(by_admin.len(), 2);
    let window = AuditFilter { from: Some(t(1_500)), to: Some(t(3_000)), limit: 10, ..Default::default() };
    let in_window = store.audit(window).await.unwrap();
    assert_eq!(in_window.len(), 1, "from is inclusive, to is not");
    assert_eq!(in_window[0].entry.action, "login");
    let page = store.audit(AuditFilter { before_id: Some(all[0].id), limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(page.iter().map(|r| r.entry.action.as_str()).collect::<Vec<_>>(), ["login"], "the next page");
    let action = AuditFilter { action: Some("login".into()), limit: 10, ..Default::default() };
    assert_eq!(store.audit(action).await.unwrap().len(), 1);
}
