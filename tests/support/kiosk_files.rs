//! A test kiosk's configuration file: its state folder and control socket in the test's folder,
//! the example content, and whatever else the test adds.

use citizen_window::content::Content;
use std::path::{Path, PathBuf};

/// `dir/kiosk.toml` for a kiosk with its state in `dir/state` (made) and its control socket at
/// `dir/control.sock` (for root alone), with the TOML `extra` before the `[control]` table.
pub fn kiosk_config(dir: &Path, extra: &str) -> PathBuf {
    let path = dir.join("kiosk.toml");
    let text = format!(
        "# the test kiosk\nstate_dir = {:?}\ncontent_dir = {:?}\n{extra}\n[control]\nsocket = {:?}\ngroup = \"\"\n",
        dir.join("state").display().to_string(),
        Content::example_dir().display().to_string(),
        dir.join("control.sock").display().to_string(),
    );
    std::fs::create_dir_all(dir.join("state")).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}
