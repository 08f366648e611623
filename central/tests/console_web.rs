//! The console over real HTTPS on its own port, against the real server and its SQLite storage:
//! every page needs a session, a form needs its CSRF token, a kiosk's label shows as text, the
//! session cookie is HttpOnly, Secure and SameSite, and neither port serves the other's routes.

use citizen_central::server::{ServeOptions, start};
use citizen_central::storage::{Storage, token_hash};
use reqwest::StatusCode;
use reqwest::redirect::Policy;

fn init_fleet(dir: &std::path::Path) {
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_citizen-central"))
        .args(["init", "--hostname", "localhost", "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
}

fn browser(dir: &std::path::Path, addr: std::net::SocketAddr) -> reqwest::Client {
    let ca = std::fs::read(dir.join(citizen_central::pki::CA_CERT)).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .resolve("localhost", addr)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` of a Set-Cookie for `name`, and the whole header.
fn set_cookie(response: &reqwest::Response, name: &str) -> (String, String) {
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"));
    (header.split(';').next().unwrap().to_string(), header)
}

/// A form's body, URL-encoded.
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
            .collect()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Posts the form `pairs` with the cookie `cookie`.
async fn post(web: &reqwest::Client, url: String, cookie: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
    let request = web.post(url).header("cookie", cookie).header("content-type", "application/x-www-form-urlencoded");
    request.body(form(pairs)).send().await.unwrap()
}

fn form_token(page: &str) -> String {
    let start = page.find(r#"name="csrf" value=""#).expect("a form with its token") + r#"name="csrf" value=""#.len();
    page[start..start + page[start..].find('"').unwrap()].to_string()
}

/// Every test staff member's password.
const PASSWORD: &str = "a long enough password";

/// A fleet in a folder of its own with `staff` (name, role) and one enrolled kiosk (id, label),
/// its server serving the console; a browser that trusts the fleet's CA.
struct Rig {
    fleet: tempfile::TempDir,
    storage: Storage,
    server: citizen_central::server::RunningServer,
    web: reqwest::Client,
    console: std::net::SocketAddr,
}

impl Rig {
    async fn start(staff: &[(&str, &str)], kiosk: (&str, &str)) -> Self {
        let fleet = tempfile::tempdir().unwrap();
        let dir = fleet.path();
        init_fleet(dir);
        let storage = Storage::open("central.sqlite", dir).await.unwrap();
        let hash = citizen_central::console::staff::hash_password(PASSWORD).unwrap();
        for (name, role) in staff {
            storage.add_staff(name, role, &hash, 1).await.unwrap();
        }
        storage.create_enrol_token(&token_hash("t"), i64::MAX).await.unwrap();
        storage.enrol_kiosk(&token_hash("t"), kiosk.0, Some(kiosk.1), 1).await.unwrap();
        let loopback = "127.0.0.1:0".parse().unwrap();
        let options = ServeOptions { console: Some(loopback), ..ServeOptions::default() };
        let server = start(dir, loopback, &options).await.unwrap();
        let console = server.console_addr.unwrap();
        let web = browser(dir, console);
        Self { storage, web, console, server, fleet }
    }

    fn at(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.console.port())
    }
}

#[tokio::test]
async fn the_console_signs_staff_in_and_keeps_strangers_and_forged_forms_out() {
    let rig = Rig::start(&[("王芳", "staff")], ("kiosk-x", "<script>alert(1)</script>")).await;
    let (storage, web, server, password) = (&rig.storage, &rig.web, &rig.server, PASSWORD);
    let at = |path: &str| rig.at(path);

    // Without a session every page goes to sign-in.
    let home = web.get(at("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::SEE_OTHER);
    assert_eq!(home.headers()["location"], "/sign-in");
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

/// Signs `name` in through the sign-in page; the session cookie and the fleet page.
async fn signed_in(web: &reqwest::Client, at: &dyn Fn(&str) -> String, name: &str, password: &str) -> (String, String) {
    let page = web.get(at("/sign-in")).send().await.unwrap();
    let (pre, _) = set_cookie(&page, "__Host-cw_pre");
    let token = form_token(&page.text().await.unwrap());
    let answer = post(web, at("/sign-in"), &pre, &[("name", name), ("password", password), ("csrf", &token)]).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{name} signs in");
    let (session, _) = set_cookie(&answer, "__Host-cw_session");
    let fleet = web.get(at("/")).header("cookie", &session).send().await.unwrap().text().await.unwrap();
    (session, fleet)
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
    assert_eq!(storage.kiosk_standing("kiosk-y").await.unwrap(), Some(None), "still enrolled");
    let audit = web.get(at("/audit")).header("cookie", &staff_session).send().await.unwrap();
    assert_eq!(audit.status(), StatusCode::FORBIDDEN, "the audit log is for admins");

    // An admin: a forged revoke is refused, a real one revokes and is audited.
    let (admin_session, admin_page) = signed_in(web, &at, "admin.li", password).await;
    assert!(admin_page.contains("/kiosks/revoke"));
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
