//! The console's staff accounts on SQLite and on PostgreSQL alike: added once per name, a new
//! password, disabled but kept; wrong passwords counted within their window and forgotten after
//! it; the audit log newest first; signing in and sessions. And `citizen-central staff` as the
//! operator uses it.

mod support;

use citizen_central::console::auth::{self, IDLE_LIMIT, SESSION_LIMIT, SignInRefusal};
use citizen_central::console::staff::{self, FAILURE_WINDOW, Role, Throttle};
use citizen_central::storage::{AuditEntry, SessionRow, Storage};
use support::postgres_test_database;

async fn staff_contract(storage: &Storage) {
    let hash = staff::hash_password("a long enough password").unwrap();
    assert!(storage.add_staff("王芳", "admin", &hash, 1_000).await.unwrap());
    assert!(!storage.add_staff("王芳", "staff", &hash, 2_000).await.unwrap(), "a name is taken once");
    assert!(storage.add_staff("li.ming", "staff", &hash, 3_000).await.unwrap());
    let wang = storage.staff_member("王芳").await.unwrap().unwrap();
    assert_eq!((wang.role.as_str(), wang.created_at_ms, wang.disabled_at_ms), ("admin", 1_000, None));
    assert!(staff::password_matches("a long enough password", &wang.password_hash));

    let new = staff::hash_password("another long password").unwrap();
    assert!(storage.set_staff_password("王芳", &new).await.unwrap());
    assert!(!storage.set_staff_password("nobody", &new).await.unwrap());
    let wang = storage.staff_member("王芳").await.unwrap().unwrap();
    assert!(staff::password_matches("another long password", &wang.password_hash));

    assert!(storage.disable_staff("li.ming", 5_000).await.unwrap());
    assert!(storage.disable_staff("li.ming", 6_000).await.unwrap(), "again: the first moment stays");
    assert!(!storage.disable_staff("nobody", 5_000).await.unwrap());
    let names: Vec<(String, Option<i64>)> =
        storage.staff_list().await.unwrap().into_iter().map(|m| (m.name, m.disabled_at_ms)).collect();
    assert_eq!(names, [("li.ming".to_string(), Some(5_000)), ("王芳".to_string(), None)]);
    assert_eq!(storage.staff_member("nobody").await.unwrap(), None);

    // Wrong passwords, counted for any name, within the window; forgotten after it.
    let window = FAILURE_WINDOW.as_millis() as i64;
    let t = 1_800_000_000_000;
    assert_eq!(storage.sign_in_failures("nobody").await.unwrap(), (0, 0));
    for n in 1..=5 {
        assert_eq!(storage.note_sign_in_failure("nobody", t + n, window).await.unwrap(), n as u32);
    }
    let (failures, last) = storage.sign_in_failures("nobody").await.unwrap();
    assert_eq!(staff::throttle(failures, last, t + 10), Throttle::LockedUntil(t + 5 + window));
    assert_eq!(storage.note_sign_in_failure("nobody", t + 5 + window, window).await.unwrap(), 1, "a new spell");
    storage.clear_sign_in_failures("nobody").await.unwrap();
    assert_eq!(storage.sign_in_failures("nobody").await.unwrap(), (0, 0));
    // Counts past their window and ended sessions are cleared out.
    storage.note_sign_in_failure("old", t, window).await.unwrap();
    storage.note_sign_in_failure("recent", t + window, window).await.unwrap();
    assert_eq!(storage.prune_console(t + 1, 0, 0).await.unwrap(), 1);
    assert_eq!(storage.sign_in_failures("old").await.unwrap(), (0, 0));
    assert_eq!(storage.sign_in_failures("recent").await.unwrap().0, 1);
    storage.clear_sign_in_failures("recent").await.unwrap();
    for (token_hash, last_seen_ms, created_at_ms) in
        [("idle", t, t), ("old", t + window, t - 1), ("live", t + window, t)]
    {
        let row = SessionRow {
            token_hash: token_hash.into(),
            name: "王芳".into(),
            csrf: "c".into(),
            created_at_ms,
            last_seen_ms,
        };
        storage.open_session(&row).await.unwrap();
    }
    assert_eq!(storage.prune_console(0, t + 1, t).await.unwrap(), 2, "the idle one and the one opened too long ago");
    assert!(storage.session("live").await.unwrap().is_some() && storage.session("idle").await.unwrap().is_none());
    storage.close_session("live").await.unwrap();

    for (at_ms, action) in [(1, "staff add"), (2, "staff disable")] {
        let entry = AuditEntry { at_ms, staff: "王芳".into(), action: action.into(), detail: "li.ming".into() };
        storage.audit(&entry).await.unwrap();
    }
    let log = storage.audit_log(10).await.unwrap();
    assert_eq!(log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["staff disable", "staff add"]);
    assert_eq!(storage.audit_log(1).await.unwrap().len(), 1);
}

async fn sign_in_contract(storage: &Storage) {
    let t = 1_800_000_000_000;
    let password = "a long enough password";
    storage.add_staff("zhao", "staff", &staff::hash_password(password).unwrap(), t).await.unwrap();
    let refused = |r: Result<auth::NewSession, SignInRefusal>| r.expect_err("refused");

    // A wrong password: refused, slower each time, in the audit log; a stranger's name likewise
    // refused, with nothing audited.
    let wrong = refused(auth::sign_in(storage, "zhao", "not the password", t).await);
    assert!(matches!(wrong, SignInRefusal::Wrong { wait } if wait.as_millis() == 250), "{wrong:?}");
    assert_eq!(wrong.to_string(), "wrong name or password");
    let stranger = refused(auth::sign_in(storage, "nobody", password, t).await);
    assert_eq!(stranger.to_string(), "wrong name or password");
    assert!(matches!(refused(auth::sign_in(storage, "<script>", password, t).await), SignInRefusal::Wrong { .. }));
    let log = storage.audit_log(10).await.unwrap();
    assert_eq!(log[0].action, "sign-in refused");
    assert!(log.iter().all(|e| e.staff == "zhao" || e.staff == "王芳"), "no stranger's name is audited: {log:?}");

    // The right one opens a session, which the next request finds; signing out ends it.
    let opened = auth::sign_in(storage, "zhao", password, t + 1).await.unwrap();
    let session = auth::session(storage, &opened.token, t + 2).await.unwrap().unwrap();
    assert_eq!((session.name.as_str(), session.role), ("zhao", Role::Staff));
    assert!(auth::csrf_matches(&session, &opened.csrf));
    assert!(!auth::csrf_matches(&session, "") && !auth::csrf_matches(&session, &"0".repeat(64)));
    assert_eq!(auth::session(storage, "not a token", t + 2).await.unwrap(), None);
    assert_eq!(storage.sign_in_failures("zhao").await.unwrap(), (0, 0), "a success forgets the failures");
    auth::sign_out(storage, &opened.token, t + 3).await.unwrap();
    assert_eq!(auth::session(storage, &opened.token, t + 4).await.unwrap(), None);

    // Idle for IDLE_LIMIT, or SESSION_LIMIT after signing in however busy: ended.
    let idle = IDLE_LIMIT.as_millis() as i64;
    let opened = auth::sign_in(storage, "zhao", password, t).await.unwrap();
    assert!(auth::session(storage, &opened.token, t + idle - 1).await.unwrap().is_some());
    assert_eq!(auth::session(storage, &opened.token, t + 2 * idle).await.unwrap(), None);
    let opened = auth::sign_in(storage, "zhao", password, t).await.unwrap();
    let mut now = t;
    while now + idle / 2 < t + SESSION_LIMIT.as_millis() as i64 {
        now += idle / 2;
        assert!(auth::session(storage, &opened.token, now).await.unwrap().is_some(), "kept open by use");
    }
    assert_eq!(auth::session(storage, &opened.token, now + idle / 2).await.unwrap(), None);

    // A disabled staff member's session ends at their next request.
    let opened = auth::sign_in(storage, "zhao", password, t).await.unwrap();
    storage.disable_staff("zhao", t + 1).await.unwrap();
    assert_eq!(auth::session(storage, &opened.token, t + 2).await.unwrap(), None);
    assert!(matches!(refused(auth::sign_in(storage, "zhao", password, t + 3).await), SignInRefusal::Wrong { .. }));

    // Five wrong passwords lock the name, even for the right one, until the window has passed.
    storage.add_staff("qian", "admin", &staff::hash_password(password).unwrap(), t).await.unwrap();
    for n in 0..4 {
        refused(auth::sign_in(storage, "qian", "wrong", t + n).await);
    }
    let fifth = refused(auth::sign_in(storage, "qian", "wrong", t + 4).await);
    let window = FAILURE_WINDOW.as_millis() as i64;
    assert!(matches!(fifth, SignInRefusal::Locked { until_ms } if until_ms == t + 4 + window), "{fifth:?}");
    let right_but_locked = refused(auth::sign_in(storage, "qian", password, t + 5).await);
    assert!(right_but_locked.to_string().contains("too many wrong passwords"), "{right_but_locked}");
    // A try while locked starts the fifteen minutes again.
    let still_locked = refused(auth::sign_in(storage, "qian", password, t + 4 + window).await);
    assert!(matches!(still_locked, SignInRefusal::Locked { .. }), "{still_locked:?}");
    let opened = auth::sign_in(storage, "qian", password, t + 4 + 2 * window).await.unwrap();
    let session = auth::session(storage, &opened.token, t + 5 + 2 * window).await.unwrap().unwrap();
    assert_eq!(session.role, Role::Admin);
}

/// Thirty wrong passwords for one name sent all at once: five are checked, the rest refused as
/// locked, as if they had come one by one.
async fn tries_at_once_get_five_guesses(storage: &Storage) {
    let t = 1_900_000_000_000;
    storage.add_staff("sun", "staff", &staff::hash_password("a long enough password").unwrap(), t).await.unwrap();
    let tries = (0..30).map(|i| auth::sign_in(storage, "sun", "a wrong password!", t + i));
    let answers = futures_util::future::join_all(tries).await;
    let locked = answers.iter().filter(|a| matches!(a, Err(SignInRefusal::Locked { .. }))).count();
    let checked = storage.audit_log(100).await.unwrap().iter().filter(|e| e.staff == "sun").count();
    assert_eq!(checked, 5, "five passwords looked at");
    assert_eq!(locked, 26, "the fifth wrong one and every one after it say locked: {answers:?}");
}

#[tokio::test]
async fn sqlite_keeps_the_staff_contract() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::open("central.sqlite", dir.path()).await.unwrap();
    staff_contract(&storage).await;
    sign_in_contract(&storage).await;
    tries_at_once_get_five_guesses(&storage).await;
}

#[tokio::test]
async fn postgres_keeps_the_staff_contract() {
    let Some(url) = postgres_test_database().await else {
        return;
    };
    let storage = Storage::open(&url, std::path::Path::new(".")).await.unwrap();
    staff_contract(&storage).await;
    sign_in_contract(&storage).await;
    tries_at_once_get_five_guesses(&storage).await;
}

/// `citizen-central staff …` in a fleet folder, with `input` on standard input.
fn central(dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_citizen-central"))
        .args(args)
        .arg("--dir")
        .arg(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_operator_adds_changes_disables_and_lists_staff_and_each_change_is_audited() {
    let fleet = tempfile::tempdir().unwrap();
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_citizen-central"))
        .args(["init", "--hostname", "localhost", "--dir"])
        .arg(fleet.path())
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let said = |out: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };
    let dir = fleet.path();

    let out =
        central(dir, &["staff", "add", "王芳", "--role", "admin", "--password-stdin"], "a long enough password\n");
    assert!(out.status.success(), "{}", said(&out));
    let out =
        central(dir, &["staff", "add", "王芳", "--role", "staff", "--password-stdin"], "a long enough password\n");
    assert!(!out.status.success() && said(&out).contains("already a staff member"), "{}", said(&out));
    let out =
        central(dir, &["staff", "add", "li ming", "--role", "staff", "--password-stdin"], "a long enough password\n");
    assert!(!out.status.success() && said(&out).contains("letters, digits"), "{}", said(&out));
    let out = central(dir, &["staff", "add", "li.ming", "--role", "staff", "--password-stdin"], "short\n");
    assert!(!out.status.success() && said(&out).contains("at least 12 characters"), "{}", said(&out));
    let out = central(dir, &["staff", "add", "li.ming", "--role", "staff", "--password-stdin"], "another long one!\n");
    assert!(out.status.success(), "{}", said(&out));
    let out = central(dir, &["staff", "passwd", "li.ming", "--password-stdin"], "yet another long one\n");
    assert!(out.status.success(), "{}", said(&out));
    let out = central(dir, &["staff", "disable", "li.ming"], "");
    assert!(out.status.success(), "{}", said(&out));
    let out = central(dir, &["staff", "disable", "nobody"], "");
    assert!(!out.status.success() && said(&out).contains("no staff member nobody"), "{}", said(&out));

    let listed = said(&central(dir, &["staff", "list"], ""));
    assert!(listed.contains("li.ming") && listed.contains("DISABLED") && listed.contains("王芳"), "{listed}");
    let json: serde_json::Value =
        serde_json::from_slice(&central(dir, &["staff", "list", "--json"], "").stdout).unwrap();
    assert!(!json.to_string().contains("argon2"), "no password hash is ever shown: {json}");
    let audit = said(&central(dir, &["staff", "audit"], ""));
    assert_eq!(audit.lines().count(), 4, "add, add, passwd, disable: {audit}");
    assert!(audit.lines().next().unwrap().contains("staff disable") && audit.contains("(command line)"), "{audit}");
}
