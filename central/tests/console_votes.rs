//! Votes in the console over real HTTPS: votes from several kiosks are tallied by choice, comment
//! phrase, day and kiosk, a resident's second vote (at another kiosk) is not counted, closing fixes
//! the tally, and the result is published to the kiosks as a notice in a new content version.

#[path = "support/console_rig.rs"]
mod console_rig;

use citizen_window_content::Content;
use console_rig::{PASSWORD, Rig, SimKiosk, form_token, post, signed_in, vote};
use reqwest::StatusCode;

const PROPOSAL: &str = "p-2026-12-parking";

#[tokio::test]
async fn votes_from_several_kiosks_are_tallied_closed_and_published_as_a_notice() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-a", "东门")).await;
    rig.enrol("kiosk-b", "西门").await;
    let dir = rig.fleet.path();
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let (east, west) = (SimKiosk::new(dir, rig.server.addr, "kiosk-a"), SimKiosk::new(dir, rig.server.addr, "kiosk-b"));
    let yes = Some(("支持，方便安全", "Yes, safer and easier"));
    let worried = Some(("担心占用绿地", "Worried about losing green space"));
    let at_east = vec![
        vote(dir, "kiosk-a", 1, PROPOSAL, 1, "agree", yes),
        vote(dir, "kiosk-a", 2, PROPOSAL, 2, "disagree", worried),
        vote(dir, "kiosk-a", 3, PROPOSAL, 3, "agree", None),
    ];
    assert_eq!(east.upload(at_east).await, StatusCode::OK);
    // Resident 1 votes again at the other kiosk: kept apart, not counted.
    let at_west = vec![
        vote(dir, "kiosk-b", 1, PROPOSAL, 4, "agree", yes),
        vote(dir, "kiosk-b", 2, PROPOSAL, 1, "disagree", None),
    ];
    assert_eq!(west.upload(at_west).await, StatusCode::OK);

    let (session, _) = signed_in(web, &at, "staff.zhao", PASSWORD).await;
    let get = |path: String| web.get(at(&path)).header("cookie", session.clone()).send();
    let list = get("/votes".into()).await.unwrap().text().await.unwrap();
    assert!(list.contains("增设充电棚") && list.contains(PROPOSAL), "{list}");
    let page = get(format!("/votes/{PROPOSAL}")).await.unwrap().text().await.unwrap();
    assert!(page.contains("共 <strong>4</strong> 票"), "four counted: {page}");
    assert!(page.contains("75.0%"), "three of four agree: {page}");
    assert!(page.contains("支持，方便安全") && page.contains("kiosk-a") && page.contains("kiosk-b"), "{page}");

    // Closing fixes the tally: a vote made later is shown apart.
    let token = form_token(&page);
    let forged = post(web, at("/votes/close"), &session, &[("csrf", "forged"), ("proposal", PROPOSAL)]).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let closed = post(web, at("/votes/close"), &session, &[("csrf", &token), ("proposal", PROPOSAL)]).await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(west.upload(vec![vote(dir, "kiosk-b", 3, PROPOSAL, 5, "disagree", None)]).await, StatusCode::OK);
    let page = get(format!("/votes/{PROPOSAL}")).await.unwrap().text().await.unwrap();
    assert!(page.contains("共 <strong>4</strong> 票") && page.contains("截止后另有 1 票未计入"), "{page}");

    // Publishing needs content to start from; then the result is a notice in the next version.
    let refused = post(web, at("/votes/publish"), &session, &[("csrf", &token), ("proposal", PROPOSAL)]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("citizen-central publish"));
    let now = citizen_central::api::now_ms();
    citizen_central::publish::publish(dir, &Content::example_dir(), &[], 30, now).unwrap();
    let published = post(web, at("/votes/publish"), &session, &[("csrf", &token), ("proposal", PROPOSAL)]).await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    assert_eq!(citizen_central::publish::latest_version(dir), 2);
    let files = citizen_central::publish::bundles_dir(dir).join("2").join("files");
    let content = Content::load(&files).expect("the published content is valid for a kiosk");
    let notice = content.notices.iter().find(|n| n.id == format!("result-{PROPOSAL}")).expect("the result notice");
    assert!(notice.body.zh.contains("共有4位居民") && notice.body.zh.contains("同意3票（75.0%）"), "{:?}", notice.body);
    let proposal = content.proposals.iter().find(|p| p.id == PROPOSAL).unwrap();
    let yesterday = citizen_window_protocol::china_time::date_text(now - 86_400_000);
    assert!(proposal.closes <= yesterday, "the kiosks stop taking votes: {}", proposal.closes);
    let again = post(web, at("/votes/publish"), &session, &[("csrf", &token), ("proposal", PROPOSAL)]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "published once");
    let details: Vec<String> = rig.storage.audit_log(2).await.unwrap().into_iter().map(|e| e.detail).collect();
    assert_eq!(details, [format!("{PROPOSAL}: content version 2"), PROPOSAL.to_string()]);
    rig.server.shutdown.cancel();
}
