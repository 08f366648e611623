//! The console over real HTTPS on its own port, against the real server and its SQLite storage:
//! every page needs a session, a form needs its CSRF token, a kiosk's label shows as text, the
//! session cookie is HttpOnly, Secure and SameSite, and neither port serves the other's routes.

#[path = "support/console_rig.rs"]
mod console_rig;

use citizen_central::storage::token_hash;
use console_rig::{PASSWORD, Rig, browser, form_token, post, set_cookie, signed_in};
use reqwest::StatusCode;

#[tokio::test]
async fn the_console_signs_staff_in_and_keeps_strangers_and_forged_forms_out() {
    let rig = Rig::start(&[("王芳", "staff")], ("kiosk-x", "<script>alert(1)</script>")).await;
    let (storage, web, server, password) = (&rig.storage, &rig.web, &rig.server, PASSWORD);
    let at = |path: &str| rig.at(path);

    // Without a session every page goes to sign-in, and every form too.
    let pages = [
        "/",
        "/?page=2",
        "/audit",
        "/kiosks/kiosk-x",
        "/reports",
        "/reports/2611270000000001",
        "/votes",
        "/votes/p-1",
        "/appointments",
        "/export",
        "/export/transactions?from=2026-12-01&to=2026-12-01",
    ];
    for page in pages {
        let answer = web.get(at(page)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{page}");
        assert_eq!(answer.headers()["location"], "/sign-in", "{page}");
    }
    assert_eq!(web.get(at("/fleet/events")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let full_form = [
        ("csrf", "x"),
        ("kiosk_id", "kiosk-x"),
        ("label", "x"),
        ("tracking_number", "1"),
        ("from", "received"),
        ("to", "assigned"),
        ("note", ""),
        ("proposal", "p-1"),
        ("slot_id", "si-20261204-0900"),
        ("capacity", "1"),
    ];
    let forms = [
        "/kiosks/revoke",
        "/kiosks/rename",
        "/kiosks/enrol-token",
        "/reports/move",
        "/votes/close",
        "/votes/publish",
        "/appointments/capacity",
        "/sign-out",
    ];
    for form in forms {
        let answer = post(web, at(form), "", &full_form).await;
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{form}");
        assert_eq!(answer.headers()["location"], "/sign-in", "{form}");
    }
    let page = web.get(at("/sign-in")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let (pre, _) = set_cookie(&page, "__Host-cw_pre");
    let pre_token = form_token(&page.text().await.unwrap());

    // A sign-in form without its token (another site's forged form) is refused; so is a wrong password.
    let forged = [("name", "王芳"), ("password", password), ("csrf", "forged")];
    let refused = post(web, at("/sign-in"), &pre, &forged).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let wrong = [("name", "王芳"), ("password", "not the password"), ("csrf", pre_token.as_str())];
    let refused = post(web, at("/sign-in"), &pre, &wrong).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.text().await.unwrap().contains("Wrong name or password"));

    // Signed in: the cookie is HttpOnly, Secure and SameSite; the fleet shows the label as text.
    let right = [("name", "王芳"), ("password", password), ("csrf", pre_token.as_str())];
    let signed_in = post(web, at("/sign-in"), &pre, &right).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let (session, header) = set_cookie(&signed_in, "__Host-cw_session");
    for flag in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(header.contains(flag), "{header}");
    }
    let fleet_page = web.get(at("/")).header("cookie", &session).send().await.unwrap();
    assert_eq!(fleet_page.status(), StatusCode::OK);
    let text = fleet_page.text().await.unwrap();
    assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !text.contains("<script>"), "{text}");
    assert!(text.contains("离线 offline") && text.contains("kiosk-x"), "{text}");

    // Signing out needs the session's token too; then the cookie opens nothing.
    let no_token = post(web, at("/sign-out"), &session, &[("csrf", "")]).await;
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let token = form_token(&text);
    let out = post(web, at("/sign-out"), &session, &[("csrf", &token)]).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = web.get(at("/")).header("cookie", &session).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session ended");
    let actions: Vec<String> = storage.audit_log(10).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["sign out", "sign in", "sign-in refused"]);

    // Neither port serves the other's routes.
    let kiosk_api = web.get(at("/v1/content/manifest")).send().await.unwrap();
    assert_eq!(kiosk_api.status(), StatusCode::NOT_FOUND);
    let kiosk_port = browser(rig.fleet.path(), server.addr);
    let console_there =
        kiosk_port.get(format!("https://localhost:{}/sign-in", server.addr.port())).send().await.unwrap();
    assert_ne!(console_there.status(), StatusCode::OK);
    assert!(!console_there.text().await.unwrap().contains("登录"));
    server.shutdown.cancel();
}

#[tokio::test]
async fn an_admin_revokes_kiosks_and_makes_enrolment_tokens_and_staff_may_not() {
    let rig = Rig::start(&[("admin.li", "admin"), ("staff.zhao", "staff")], ("kiosk-y", "幸福里 2号机")).await;
    let (storage, web, server, password) = (&rig.storage, &rig.web, &rig.server, PASSWORD);
    let at = |path: &str| rig.at(path);

    // Staff see the fleet but no admin's buttons, and an admin's form of theirs is refused.
    let (staff_session, staff_page) = signed_in(web, &at, "staff.zhao", password).await;
    assert!(staff_page.contains("幸福里 2号机") && !staff_page.contains("/kiosks/revoke"), "{staff_page}");
    let token = form_token(&staff_page);
    let revoke = [("csrf", token.as_str()), ("kiosk_id", "kiosk-y")];
    let refused = post(web, at("/kiosks/revoke"), &staff_session, &revoke).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = post(web, at("/kiosks/enrol-token"), &staff_session, &[("csrf", &token)]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let rename = [("csrf", token.as_str()), ("kiosk_id", "kiosk-y"), ("label", "not theirs to give")];
    assert_eq!(post(web, at("/kiosks/rename"), &staff_session, &rename).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(storage.kiosk_standing("kiosk-y").await.unwrap(), Some(None), "still enrolled");
    let audit = web.get(at("/audit")).header("cookie", &staff_session).send().await.unwrap();
    assert_eq!(audit.status(), StatusCode::FORBIDDEN, "the audit log is for admins");

    // An admin: a forged revoke is refused, a real one revokes and is audited.
    let (admin_session, admin_page) = signed_in(web, &at, "admin.li", password).await;
    assert!(admin_page.contains("/kiosks/enrol-token"));
    let forged = post(web, at("/kiosks/revoke"), &admin_session, &[("csrf", &token), ("kiosk_id", "kiosk-y")]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "another session's token");
    let token = form_token(&admin_page);
    let revoked = post(web, at("/kiosks/revoke"), &admin_session, &[("csrf", &token), ("kiosk_id", "kiosk-y")]).await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert!(matches!(storage.kiosk_standing("kiosk-y").await.unwrap(), Some(Some(_))));
    let page = web.get(at("/")).header("cookie", &admin_session).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("已吊销 revoked"), "{page}");

    // An enrolment token, shown once, that enrolment takes.
    let made = post(web, at("/kiosks/enrol-token"), &admin_session, &[("csrf", &token)]).await;
    assert_eq!(made.status(), StatusCode::OK);
    let shown = made.text().await.unwrap();
    let start = shown.find("--token ").unwrap() + "--token ".len();
    let enrol_token = shown[start..].split(|c: char| c.is_whitespace() || c == '<').next().unwrap();
    assert!(storage.enrol_token_usable(&token_hash(enrol_token), citizen_central::api::now_ms()).await.unwrap());
    let actions: Vec<String> = storage.audit_log(3).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["enrolment token", "revoke kiosk", "sign in"]);
    let audit = web.get(at("/audit")).header("cookie", &admin_session).send().await.unwrap().text().await.unwrap();
    assert!(audit.contains("revoke kiosk") && audit.contains("kiosk-y") && audit.contains("admin.li"), "{audit}");
    server.shutdown.cancel();
}

/// A client that sends a request's headers and then trickles, or never sends, its body is answered
/// 408 and cut off after `web::REQUEST_LIMIT`, rather than holding one of the console's
/// connections for minutes.
#[tokio::test]
async fn a_body_that_never_comes_is_cut_off() {
    use rustls::pki_types::pem::PemObject;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rig = Rig::start(&[], ("kiosk-z", "3号机")).await;
    let ca = std::fs::read(rig.fleet.path().join(citizen_central::pki::CA_CERT)).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&ca) {
        roots.add(cert.unwrap()).unwrap();
    }
    let config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(rig.console).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)).connect(name, tcp).await.unwrap();
    let head = "POST /sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                Content-Length: 1000\r\n\r\nname=";
    tls.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // The server closes the connection after its answer: reading to the end ends.
    let closed = tokio::time::timeout(std::time::Duration::from_secs(60), tls.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(closed.is_ok(), "cut off, not left open");
    rig.server.shutdown.cancel();
}
