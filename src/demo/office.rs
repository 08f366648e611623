//! The community office in the demo: a staff account on the demo server's console, signed in the
//! way a browser does (the sign-in form, its cookies and tokens), answering a kiosk's call for
//! staff from the kiosk's page. The password is the demo's own, named as such; never a real one.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};

/// The demo office's staff member and password: for this throwaway demo fleet only.
pub const DEMO_STAFF: &str = "demo.office";
pub const DEMO_ONLY_STAFF_PASSWORD: &str = "demo-only-office-password";

/// Adds the demo's staff member to the fleet in `central_dir`.
pub fn add_demo_staff(central: &Path, central_dir: &Path) -> Result<()> {
    use std::io::Write;
    let mut add = Command::new(central)
        .args(["staff", "add", DEMO_STAFF, "--role", "staff", "--password-stdin", "--dir"])
        .arg(central_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run citizen-central staff add")?;
    add.stdin.take().context("no stdin")?.write_all(format!("{DEMO_ONLY_STAFF_PASSWORD}\n").as_bytes())?;
    let output = add.wait_with_output()?;
    if !output.status.success() {
        bail!("the demo staff member could not be added: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// The value of `name="<field>" value="…"` in a page.
fn field(page: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page.find(&marker)? + marker.len();
    Some(page[start..start + page[start..].find('"')?].to_string())
}

/// Posts an HTML form's fields with `cookie`.
async fn post_form(
    web: &reqwest::Client,
    url: String,
    cookie: &str,
    fields: &[(&str, &str)],
) -> reqwest::Result<reqwest::Response> {
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
    let request = web.post(url).header("cookie", cookie).header("content-type", "application/x-www-form-urlencoded");
    request.body(body).send().await
}

/// `name=value` of the cookie `name` the answer sets.
fn cookie(answer: &reqwest::Response, name: &str) -> Option<String> {
    answer
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// Signs in at the console `console_url` and answers `kiosk_id`'s open call with `reply`.
pub fn answer_call(console_url: &str, ca_pem: &str, kiosk_id: &str, reply: &str) -> Result<()> {
    let ca = reqwest::Certificate::from_pem(ca_pem.as_bytes())?;
    let web = reqwest::Client::builder()
        .tls_certs_only([ca])
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let at = |path: &str| format!("{console_url}{path}");
        let sign_in = web.get(at("/sign-in")).send().await?;
        let pre = cookie(&sign_in, "__Host-cw_pre").context("the sign-in page set no cookie")?;
        let token = field(&sign_in.text().await?, "csrf").context("the sign-in page has no form token")?;
        let form = [("name", DEMO_STAFF), ("password", DEMO_ONLY_STAFF_PASSWORD), ("csrf", token.as_str())];
        let signed = post_form(&web, at("/sign-in"), &pre, &form).await?;
        let session = cookie(&signed, "__Host-cw_session").context("the console did not sign the demo staff in")?;
        let page = web.get(at(&format!("/kiosks/{kiosk_id}"))).header("cookie", &session).send().await?.text().await?;
        let (Some(token), Some(call_id)) = (field(&page, "csrf"), field(&page, "call_id")) else {
            bail!("the kiosk's page on the console shows no call for staff");
        };
        let form = [("csrf", token.as_str()), ("call_id", call_id.as_str()), ("reply", reply)];
        let answered = post_form(&web, at("/help/answer"), &session, &form).await?;
        if answered.status() != reqwest::StatusCode::SEE_OTHER {
            bail!(
                "the console refused the answer: {} {}",
                answered.status(),
                answered.text().await.unwrap_or_default()
            );
        }
        Ok(())
    })
}
