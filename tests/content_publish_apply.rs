//! A folder published by the central server (`citizen-central publish`) is applied by a kiosk's
//! content store with the fleet's content key, file by file from the published bundle; a second
//! publish becomes current, and the first is kept as the previous version.

use citizen_central::publish::publish;
use citizen_window::content::Content;
use citizen_window::content_store::ContentStore;
use citizen_window_protocol::content_bundle::SignedManifest;

#[test]
fn what_the_server_publishes_a_kiosk_applies() {
    let server = tempfile::tempdir().unwrap();
    citizen_central::pki::init_fleet(server.path(), &["localhost".to_string()]).unwrap();
    let public = citizen_central::pki::Fleet::load(server.path()).unwrap().content_signing_public_key_hex;
    let kiosk = tempfile::tempdir().unwrap();
    let mut store = ContentStore::open(kiosk.path(), &public, "district-a", 2 * 1024 * 1024).unwrap();
    let now = citizen_window_protocol::china_time::unix_now_ms();
    for expected in 1..=2 {
        let published = publish(server.path(), &Content::example_dir(), &["district-a".into()], 30, now).unwrap();
        let signed: SignedManifest =
            serde_json::from_slice(&std::fs::read(published.folder.join("manifest.json")).unwrap()).unwrap();
        let files = published.folder.join("files");
        let applied =
            store.apply(&signed, now, |file| std::fs::read(files.join(&file.path)).map_err(|e| e.to_string())).unwrap();
        assert_eq!(applied, expected);
    }
    let shown = Content::load(&store.current_dir().unwrap()).unwrap();
    assert_eq!(shown.station.community.zh, "幸福里社区");
    assert_eq!((store.status().current, store.status().previous), (Some(2), Some(1)));
}
