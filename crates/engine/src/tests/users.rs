//! Console users: bootstrap, logins and the lock, sessions and their idle time-out, password
//! changes, and what each leaves in the audit log.

use std::sync::atomic::Ordering;
use std::time::Duration;

use hongyan_store::{AuditFilter, Role};

use super::engine_with_clock;
use crate::users::{LoginError, PasswordError, DEFAULT_SESSION_IDLE, LOCK_MS};

#[tokio::test]
async fn the_bootstrap_administrator_and_the_login_lock() {
    let (e, _rx, store, clock) = engine_with_clock("users-login").await;
    let printed = e.bootstrap_admin(None).await.unwrap().expect("a random password when none is given");
    assert_eq!(printed.len(), 16);
    assert_eq!(e.bootstrap_admin(Some("ignored".into())).await.unwrap(), None, "only at first start");
    let (token, admin) = e.login("admin", &printed, "10.0.0.9").await.unwrap();
    assert!(admin.must_change && admin.role == Role::Admin);
    assert_eq!(e.session(&token, DEFAULT_SESSION_IDLE).await.unwrap().unwrap().username, "admin");

    for _ in 0..5 {
        assert!(matches!(e.login("admin", "wrong-Password-1", "10.0.0.66").await, Err(LoginError::Invalid)));
    }
    assert!(matches!(e.login("admin", &printed, "10.0.0.9").await, Err(LoginError::Invalid)), "locked after five");
    assert!(matches!(e.login("nobody", "whatever", "10.0.0.66").await, Err(LoginError::Invalid)), "the same answer");
    clock.0.fetch_add(LOCK_MS + 1, Ordering::SeqCst);
    assert!(e.login("admin", &printed, "10.0.0.9").await.is_ok(), "the lock lifts after 15 minutes");

    let log = store.audit(AuditFilter { limit: 100, ..AuditFilter::default() }).await.unwrap();
    let actions: Vec<(&str, &str)> =
        log.iter().rev().map(|r| (r.entry.action.as_str(), r.entry.outcome.as_str())).collect();
    assert_eq!(actions[0], ("user.bootstrap", "ok"));
    assert_eq!(actions.iter().filter(|a| a.0 == "login_failed").count(), 7);
    assert!(actions.contains(&("login_failed", "wrong password; locked for 15 minutes")));
    assert!(actions.contains(&("login_failed", "locked")));
    assert!(actions.contains(&("login_failed", "unknown user")));
    assert!(log.iter().all(|r| !r.entry.before.as_deref().unwrap_or("").contains(&printed)), "no password in the log");
    let failed_from = log.iter().find(|r| r.entry.action == "login_failed").unwrap();
    assert_eq!(failed_from.entry.address, "10.0.0.66", "who and from where");
}

#[tokio::test]
async fn sessions_time_out_end_at_logout_and_survive_only_the_password_change_that_made_them() {
    let (e, _rx, _store, clock) = engine_with_clock("users-session").await;
    let user = e.create_user("auditor1", Role::Auditor, None, "Audit-Trail-2026", false).await.unwrap();
    assert!(matches!(e.create_user("weak", Role::Auditor, None, "password", false).await, Err(PasswordError::TooWeak)));
    let (a, _) = e.login("auditor1", "Audit-Trail-2026", "10.0.0.1").await.unwrap();
    let (b, _) = e.login("auditor1", "Audit-Trail-2026", "10.0.0.2").await.unwrap();

    clock.0.fetch_add(29 * 60 * 1000, Ordering::SeqCst);
    assert!(e.session(&a, DEFAULT_SESSION_IDLE).await.unwrap().is_some(), "29 minutes idle: still open");
    clock.0.fetch_add(29 * 60 * 1000, Ordering::SeqCst);
    assert!(e.session(&a, DEFAULT_SESSION_IDLE).await.unwrap().is_some(), "the last request counts as activity");
    assert!(e.session(&b, DEFAULT_SESSION_IDLE).await.unwrap().is_none(), "58 minutes idle: ended");
    assert!(e.session(&b, Duration::from_secs(3600 * 24)).await.unwrap().is_none(), "and it stays ended");

    let (c, _) = e.login("auditor1", "Audit-Trail-2026", "10.0.0.3").await.unwrap();
    assert!(matches!(
        e.change_password(&user, &a, "wrong", "New-Password-99", "x").await,
        Err(PasswordError::WrongCurrent)
    ));
    assert!(matches!(
        e.change_password(&user, &a, "Audit-Trail-2026", "short", "x").await,
        Err(PasswordError::TooWeak)
    ));
    e.change_password(&user, &a, "Audit-Trail-2026", "New-Password-99", "x").await.unwrap();
    assert!(e.session(&a, DEFAULT_SESSION_IDLE).await.unwrap().is_some(), "the session that changed it stays");
    assert!(e.session(&c, DEFAULT_SESSION_IDLE).await.unwrap().is_none(), "the others end");
    assert!(matches!(e.login("auditor1", "Audit-Trail-2026", "x").await, Err(LoginError::Invalid)));
    e.logout(&a, &user, "x").await.unwrap();
    assert!(e.session(&a, DEFAULT_SESSION_IDLE).await.unwrap().is_none(), "logout really ends it");
}

#[tokio::test]
async fn administrators_disable_unlock_reset_and_re_role_users_and_each_change_is_audited() {
    use crate::admin::{Actor, AdminError, UserChange};
    let (e, _rx, store, _clock) = engine_with_clock("users-admin").await;
    let boss = e.create_user("boss", Role::Admin, None, "Boss-Passw0rd-1", false).await.unwrap();
    let boss = Actor::user(&boss, "10.0.0.1");
    e.admin_create_user(&boss, "ops1", Role::Operator, None, "Ops-Passw0rd-1").await.unwrap();
    let (token, _) = e.login("ops1", "Ops-Passw0rd-1", "10.0.0.2").await.unwrap();

    e.admin_change_user(&boss, "ops1", UserChange::Disable).await.unwrap();
    assert!(e.session(&token, DEFAULT_SESSION_IDLE).await.unwrap().is_none(), "disabling ends the sessions");
    assert!(matches!(e.login("ops1", "Ops-Passw0rd-1", "10.0.0.2").await, Err(LoginError::Invalid)));
    e.admin_change_user(&boss, "ops1", UserChange::Enable).await.unwrap();
    for _ in 0..5 {
        let _ = e.login("ops1", "wrong-Passw0rd-1", "10.0.0.2").await;
    }
    assert!(e.login("ops1", "Ops-Passw0rd-1", "10.0.0.2").await.is_err(), "locked");
    e.admin_change_user(&boss, "ops1", UserChange::Unlock).await.unwrap();
    assert!(e.login("ops1", "Ops-Passw0rd-1", "10.0.0.2").await.is_ok(), "unlocked");

    let weak = e.admin_change_user(&boss, "ops1", UserChange::ResetPassword("weak".into())).await;
    assert!(matches!(weak, Err(AdminError::Invalid { code: "weak_password", .. })));
    e.admin_change_user(&boss, "ops1", UserChange::ResetPassword("Reset-Passw0rd-2".into())).await.unwrap();
    let (_, after) = e.login("ops1", "Reset-Passw0rd-2", "10.0.0.2").await.unwrap();
    assert!(after.must_change, "a reset password must be changed");

    let no_account = e.admin_change_user(&boss, "ops1", UserChange::Role(Role::Tenant, None)).await;
    assert!(matches!(no_account, Err(AdminError::Invalid { .. })));
    let changed = e.admin_change_user(&boss, "ops1", UserChange::Role(Role::Auditor, None)).await.unwrap();
    assert_eq!(changed.role, Role::Auditor);
    let own = e.admin_change_user(&boss, "boss", UserChange::Disable).await;
    assert!(matches!(own, Err(AdminError::Conflict { code: "own_user", .. })), "no administrator locks itself out");
    let ops = Actor::user(&changed, "10.0.0.2");
    assert!(matches!(e.admin_change_user(&ops, "boss", UserChange::Disable).await, Err(AdminError::Forbidden)));

    let names: Vec<String> = store.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, ["boss", "ops1"]);
    let log =
        store.audit(AuditFilter { actor: Some("boss".into()), limit: 100, ..AuditFilter::default() }).await.unwrap();
    let actions: Vec<&str> = log.iter().rev().map(|r| r.entry.action.as_str()).collect();
    for a in ["user.create", "user.disable", "user.enable", "user.unlock", "user.reset_password", "user.role"] {
        assert!(actions.contains(&a), "{a} audited: {actions:?}");
    }
    assert!(log.iter().all(|r| !r.entry.after.as_deref().unwrap_or("").contains("Reset-Passw0rd")), "no password");
}

/// The shortest of a few runs of `f`, so a busy machine does not inflate it.
async fn fastest<F: std::future::Future>(mut f: impl FnMut() -> F) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        f().await;
        best = best.min(t.elapsed());
    }
    best
}

#[tokio::test]
async fn an_unknown_name_and_a_locked_user_get_the_same_answer_lock_and_hash_work() {
    use crate::users::{decoy_hash, verify_password};
    let (e, _rx, store, _clock) = engine_with_clock("users-unknown").await;
    e.create_user("ops1", Role::Operator, None, "Ops-Passw0rd-1", false).await.unwrap();
    for name in ["ops1", "ghost"] {
        for _ in 0..5 {
            assert!(matches!(e.login(name, "wrong-Passw0rd-1", "198.51.100.1").await, Err(LoginError::Invalid)));
        }
    }
    // Locked: even the right password is refused, for the real name and the made-up one alike.
    assert!(matches!(e.login("ops1", "Ops-Passw0rd-1", "198.51.100.2").await, Err(LoginError::Invalid)));
    assert!(matches!(e.login("ghost", "Ops-Passw0rd-1", "198.51.100.2").await, Err(LoginError::Invalid)));
    let log = store.audit(AuditFilter { limit: 100, ..AuditFilter::default() }).await.unwrap();
    let outcomes = |name: &str| -> Vec<String> {
        log.iter().rev().filter(|r| r.entry.actor == name).map(|r| r.entry.outcome.clone()).collect()
    };
    for name in ["ops1", "ghost"] {
        let o = outcomes(name);
        assert!(o[4].ends_with("locked for 15 minutes") && o[5] == "locked", "{name}: {o:?}");
    }

    // Both refusals of a locked name run argon2: neither is much faster than one hash.
    let hash = fastest(|| verify_password("x".into(), decoy_hash())).await;
    let locked = fastest(|| e.login("ops1", "Ops-Passw0rd-1", "198.51.100.3")).await;
    let unknown = fastest(|| e.login("ghost", "Ops-Passw0rd-1", "198.51.100.3")).await;
    assert!(locked >= hash / 2 && unknown >= hash / 2, "hash {hash:?}, locked {locked:?}, unknown {unknown:?}");
}

#[tokio::test]
async fn many_failures_from_one_address_throttle_it_whatever_the_names() {
    use crate::login_guard::{ADDRESS_WINDOW_MS, MAX_ADDRESS_FAILURES};
    let (e, _rx, _store, clock) = engine_with_clock("users-address").await;
    e.create_user("ops1", Role::Operator, None, "Ops-Passw0rd-1", false).await.unwrap();
    for i in 0..MAX_ADDRESS_FAILURES {
        let _ = e.login(&format!("guess{i}"), "wrong-Passw0rd-1", "203.0.113.9").await;
    }
    assert!(
        matches!(e.login("ops1", "Ops-Passw0rd-1", "203.0.113.9").await, Err(LoginError::Throttled)),
        "the address is throttled, even with a good password for a name it never tried"
    );
    assert!(e.login("ops1", "Ops-Passw0rd-1", "203.0.113.10").await.is_ok(), "other addresses are not");
    clock.0.fetch_add(ADDRESS_WINDOW_MS + 1, Ordering::SeqCst);
    assert!(e.login("ops1", "Ops-Passw0rd-1", "203.0.113.9").await.is_ok(), "the throttle lifts");
}

#[tokio::test]
async fn the_administrator_logs_in_from_a_trusted_range_while_the_name_is_locked_for_others() {
    let (e, _rx, _store, _clock) = engine_with_clock("users-trusted").await;
    e.create_user("root", Role::Admin, None, "Root-Passw0rd-1", false).await.unwrap();
    for _ in 0..5 {
        let _ = e.login("root", "wrong-Passw0rd-1", "203.0.113.5").await;
    }
    assert!(matches!(e.login("root", "Root-Passw0rd-1", "203.0.113.6").await, Err(LoginError::Invalid)));
    assert!(e.login("root", "Root-Passw0rd-1", "127.0.0.1").await.is_ok(), "loopback by default");
    assert!(
        matches!(e.login("root", "Root-Passw0rd-1", "203.0.113.6").await, Err(LoginError::Invalid)),
        "that login did not lift the lock for everyone else"
    );
    e.set_login_trusted(vec![hongyan_types::Cidr::parse("10.8.0.0/16").unwrap()]);
    assert!(e.login("root", "Root-Passw0rd-1", "10.8.3.4").await.is_ok(), "the configured range");
    assert!(matches!(e.login("root", "Root-Passw0rd-1", "127.0.0.1").await, Err(LoginError::Invalid)));
}

/// Who reads what through the engine: one rule for the console and the admin API. Operators
/// read accounts and lists but not the users or the audit log; auditors read those; a
/// tenant reads its own signatures and templates and no one else's, and no staff list.
#[tokio::test]
async fn each_role_reads_what_it_may_and_is_refused_the_rest() {
    use crate::admin::{Actor, AdminError};
    let (e, _rx, _store, _clock) = engine_with_clock("users-reads").await;
    let own = e.create_account("etax").await.unwrap().account.id;
    let other = e.create_account("other").await.unwrap().account.id;
    let as_role = |role: Role, account_id: Option<i64>| Actor {
        username: format!("{role:?}"),
        role,
        account_id,
        address: "10.0.0.1".into(),
    };
    let (admin, operator, auditor) =
        (as_role(Role::Admin, None), as_role(Role::Operator, None), as_role(Role::Auditor, None));
    let tenant = as_role(Role::Tenant, Some(own));
    let forbidden = |r: Result<usize, AdminError>| matches!(r, Err(AdminError::Forbidden));
    fn count<T>(r: Result<Vec<T>, AdminError>) -> Result<usize, AdminError> {
        r.map(|v| v.len())
    }

    for staff in [&admin, &operator, &auditor] {
        let names: Vec<String> = e.admin_accounts(staff).await.unwrap().into_iter().map(|a| a.name).collect();
        assert!(names.contains(&"etax".into()) && names.contains(&"other".into()), "{staff:?} lists accounts");
        assert_eq!(e.admin_account(staff, other).await.unwrap().name, "other");
        assert!(e.admin_blacklist(staff, None).await.is_ok());
        assert!(e.admin_push_failures(staff, None).await.is_ok());
    }
    assert!(forbidden(count(e.admin_users(&operator).await)), "operators do not read the users");
    assert!(forbidden(count(e.admin_audit(&operator, AuditFilter { limit: 10, ..Default::default() }).await)));
    assert!(count(e.admin_users(&auditor).await).is_ok());
    assert!(count(e.admin_audit(&auditor, AuditFilter { limit: 10, ..Default::default() }).await).is_ok());

    assert!(forbidden(count(e.admin_accounts(&tenant).await)), "a tenant lists no accounts");
    assert!(matches!(e.admin_account(&tenant, own).await, Err(AdminError::Forbidden)));
    assert!(forbidden(count(e.admin_push_failures(&tenant, Some(own)).await)));
    assert!(e.admin_signatures(&tenant, own).await.is_ok(), "its own signatures");
    assert!(count(e.admin_templates(&tenant, own).await).is_ok());
    assert!(matches!(e.admin_signatures(&tenant, other).await, Err(AdminError::Forbidden)), "not another's");
    assert!(forbidden(count(e.admin_templates(&tenant, other).await)));
    assert!(matches!(e.admin_account(&admin, 999).await, Err(AdminError::NotFound(_))));
}
