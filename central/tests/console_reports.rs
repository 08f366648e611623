//! Residents' reports in the console over real HTTPS: a report a kiosk uploads is listed, a staff
//! member moves it on with a note, and from then on the kiosk's status lookup returns that status
//! and note; a move from a stale page is refused; notes show as text; filters and pages work.

#[path = "support/console_rig.rs"]
mod console_rig;

use console_rig::{PASSWORD, Rig, SimKiosk, form_token, issue_report, post, signed_in};
use reqwest::StatusCode;

#[tokio::test]
async fn staff_move_a_report_on_and_the_kiosk_s_lookup_shows_it() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-r", "东门")).await;
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-r");
    let records = vec![
        issue_report(1, "2611270001000001", ("b3", "3 号楼")),
        issue_report(2, "2611270001000002", ("b5", "5 号楼")),
    ];
    assert_eq!(kiosk.upload(records).await, StatusCode::OK);
    assert_eq!(kiosk.report_status("2611270001000001").await.status, "received");

    let (session, _) = signed_in(web, &at, "staff.zhao", PASSWORD).await;
    let get = |path: &str| web.get(at(path)).header("cookie", session.clone()).send();
    let list = get("/reports").await.unwrap().text().await.unwrap();
    assert!(list.contains("2611 2700 0100 0001") && list.contains("3 号楼") && list.contains("水管漏水"), "{list}");
    assert!(list.contains("东门"), "the kiosk by its label: {list}");
    let only_b5 = get("/reports?place=b5").await.unwrap().text().await.unwrap();
    assert!(only_b5.contains("2611 2700 0100 0002") && !only_b5.contains("2611 2700 0100 0001"), "{only_b5}");
    assert_eq!(get("/reports?status=lost").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(get("/reports?after=x").await.unwrap().status(), StatusCode::BAD_REQUEST);

    // Moved to assigned with a note holding markup: the page shows it as text, the kiosk reads it.
    let page = get("/reports/2611270001000001").await.unwrap().text().await.unwrap();
    let token = form_token(&page);
    let note = "<script>alert(1)</script> 王师傅下午到";
    let move_to = |to: &'static str, from: &'static str, note: &'static str| {
        [
            ("csrf", token.clone()),
            ("tracking_number", "2611270001000001".into()),
            ("from", from.into()),
            ("to", to.into()),
            ("note", note.into()),
        ]
    };
    let pairs = |form: &[(&'static str, String)]| form.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let send = |form: Vec<(&'static str, String)>| {
        let session = session.clone();
        async move {
            let borrowed: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post(web, at("/reports/move"), &session, &borrowed).await.status()
        }
    };
    assert_eq!(send(pairs(&move_to("assigned", "received", note))).await, StatusCode::SEE_OTHER);
    let page = get("/reports/2611270001000001").await.unwrap().text().await.unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; 王师傅下午到") && !page.contains("<script>"),
        "{page}"
    );
    let status = kiosk.report_status("2611270001000001").await;
    assert_eq!((status.status.as_str(), status.note.as_deref()), ("assigned", Some(note)));

    // A second tab still showing "received" cannot move it again; backwards is refused; a rejection needs a note.
    assert_eq!(send(pairs(&move_to("rejected", "received", "重复"))).await, StatusCode::CONFLICT);
    assert_eq!(send(pairs(&move_to("received", "assigned", ""))).await, StatusCode::BAD_REQUEST);
    assert_eq!(send(pairs(&move_to("rejected", "assigned", ""))).await, StatusCode::BAD_REQUEST);
    let mut forged = pairs(&move_to("resolved", "assigned", "done"));
    forged[0].1 = "forged".into();
    assert_eq!(send(forged).await, StatusCode::FORBIDDEN);
    assert_eq!(send(pairs(&move_to("resolved", "assigned", "已修好"))).await, StatusCode::SEE_OTHER);
    let status = kiosk.report_status("2611270001000001").await;
    assert_eq!((status.status.as_str(), status.note.as_deref()), ("resolved", Some("已修好")));
    let open = get("/reports?status=open").await.unwrap().text().await.unwrap();
    assert!(!open.contains("2611 2700 0100 0001") && open.contains("2611 2700 0100 0002"), "{open}");
    let actions: Vec<String> = rig.storage.audit_log(2).await.unwrap().into_iter().map(|e| e.detail).collect();
    assert_eq!(actions, ["2611270001000001: assigned → resolved", "2611270001000001: received → assigned"]);
    rig.server.shutdown.cancel();
}

#[tokio::test]
async fn the_report_list_comes_in_pages() {
    let rig = Rig::start(&[("staff.zhao", "staff")], ("kiosk-p", "南门")).await;
    let kiosk = SimKiosk::new(rig.fleet.path(), rig.server.addr, "kiosk-p");
    let records: Vec<_> = (1..=120).map(|n| issue_report(n, &format!("26112700020{n:05}"), ("b1", "1 号楼"))).collect();
    assert_eq!(kiosk.upload(records).await, StatusCode::OK);
    let (web, at) = (&rig.web, |path: &str| rig.at(path));
    let (session, _) = signed_in(web, &at, "staff.zhao", PASSWORD).await;
    let mut seen = 0;
    let mut next = Some("/reports".to_string());
    let mut pages = 0;
    while let Some(path) = next.take() {
        let page = web.get(at(&path)).header("cookie", &session).send().await.unwrap().text().await.unwrap();
        seen += page.matches("href=\"/reports/26112700020").count();
        pages += 1;
        assert!(pages <= 3, "{page}");
        if let Some(start) = page.find(r#"id="older" href=""#) {
            let rest = &page[start + r#"id="older" href=""#.len()..];
            next = Some(rest[..rest.find('"').unwrap()].replace("&amp;", "&"));
        }
    }
    assert_eq!((seen, pages), (120, 3), "50, 50 and 20");
    rig.server.shutdown.cancel();
}
