//! The display checks of `kioskctl doctor`, read from the kernel (/dev/dri, /sys/class/drm,
//! /sys/class/input) and the service's environment: the renderer, the DRM device, a connected
//! output and its mode, the rotation, the touch screen.

use super::doctor::Check;
use std::path::Path;

/// The service's environment file (docs/INSTALL.md, "Portrait screens").
const SERVICE_ENVIRONMENT: &str = "/etc/citizen-window/environment";
/// What the systemd unit sets.
const UNIT_BACKEND: &str = "linuxkms-software";

pub fn checks() -> Vec<Check> {
    checks_under(Path::new("/"))
}

/// The checks with the system's folders under `root` (a test's own tree).
pub fn checks_under(root: &Path) -> Vec<Check> {
    let environment =
        std::fs::read_to_string(root.join(SERVICE_ENVIRONMENT.trim_start_matches('/'))).unwrap_or_default();
    let setting = |name: &str| {
        environment
            .lines()
            .rev()
            .find_map(|line| line.trim().strip_prefix(name)?.strip_prefix('='))
            .map(|value| value.trim().trim_matches('"').to_string())
    };
    let backend = setting("SLINT_BACKEND").unwrap_or_else(|| UNIT_BACKEND.into());
    let mut found = vec![renderer(&backend)];
    found.push(drm(root));
    found.push(rotation(setting("SLINT_KMS_ROTATION").as_deref()));
    found.push(touch(root));
    found
}

fn renderer(backend: &str) -> Check {
    if backend.starts_with("linuxkms") {
        Check::pass("renderer", format!("{backend} (Slint's linuxkms backend, no window system)"))
    } else {
        Check::warn(
            "renderer",
            format!("SLINT_BACKEND={backend} in {SERVICE_ENVIRONMENT}"),
            format!("on the board use {UNIT_BACKEND} (remove the line to take the unit's)"),
        )
    }
}

/// A DRM card with a connected output, and the output's preferred mode.
fn drm(root: &Path) -> Check {
    let cards: Vec<String> = read_names(&root.join("dev/dri")).into_iter().filter(|n| n.starts_with("card")).collect();
    if cards.is_empty() {
        return Check::fail(
            "display",
            "no DRM device (/dev/dri/card*): the board's display driver is not loaded",
            "check the kernel has the board's display driver (`dmesg | grep -i drm`) and the device tree enables the display",
        );
    }
    let class = root.join("sys/class/drm");
    let connected: Vec<(String, String)> = read_names(&class)
        .into_iter()
        .filter(|name| cards.iter().any(|card| name.starts_with(&format!("{card}-"))))
        .filter(|name| std::fs::read_to_string(class.join(name).join("status")).is_ok_and(|s| s.trim() == "connected"))
        .map(|name| {
            let mode = std::fs::read_to_string(class.join(&name).join("modes")).unwrap_or_default();
            (name, mode.lines().next().unwrap_or("no mode").to_string())
        })
        .collect();
    match connected.first() {
        Some((output, mode)) => Check::pass("display", format!("/dev/dri/{}: output {output}, mode {mode}", cards[0])),
        None => Check::fail(
            "display",
            format!("/dev/dri/{} has no connected output", cards.join(", /dev/dri/")),
            "check the screen's cable and power; `cat /sys/class/drm/card*-*/status` shows each output",
        ),
    }
}

fn rotation(setting: Option<&str>) -> Check {
    match setting {
        None | Some("0") => Check::pass("rotation", "none (SLINT_KMS_ROTATION unset): a landscape picture"),
        Some(degrees @ ("90" | "180" | "270")) => Check::pass(
            "rotation",
            format!("{degrees}° (the touch needs the matching LIBINPUT_CALIBRATION_MATRIX: docs/INSTALL.md)"),
        ),
        Some(other) => Check::fail(
            "rotation",
            format!("SLINT_KMS_ROTATION={other} in {SERVICE_ENVIRONMENT}"),
            "use 0, 90, 180 or 270",
        ),
    }
}

/// An input device the kernel marks as direct (a touch screen: INPUT_PROP_DIRECT).
fn touch(root: &Path) -> Check {
    let class = root.join("sys/class/input");
    let touch_screens: Vec<String> = read_names(&class)
        .into_iter()
        .filter(|name| name.starts_with("event"))
        .filter(|name| {
            let properties = std::fs::read_to_string(class.join(name).join("device/properties")).unwrap_or_default();
            u64::from_str_radix(properties.trim(), 16).is_ok_and(|bits| bits & 0b10 != 0)
        })
        .map(|name| {
            let device = std::fs::read_to_string(class.join(&name).join("device/name")).unwrap_or_default();
            format!("{name} ({})", device.trim())
        })
        .collect();
    if touch_screens.is_empty() {
        Check::fail(
            "touch",
            "no touch screen among the input devices",
            "check the touch controller's cable (USB or I2C) and `libinput list-devices`",
        )
    } else {
        Check::pass("touch", touch_screens.join(", "))
    }
}

fn read_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_board_with_a_connected_portrait_touch_screen_passes() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        write(r, "dev/dri/card0", "");
        write(r, "sys/class/drm/card0-HDMI-A-1/status", "connected\n");
        write(r, "sys/class/drm/card0-HDMI-A-1/modes", "1920x1080\n1280x720\n");
        write(r, "sys/class/drm/card0-DSI-1/status", "disconnected\n");
        write(r, "sys/class/input/event2/device/properties", "2\n");
        write(r, "sys/class/input/event2/device/name", "Goodix Capacitive TouchScreen\n");
        write(r, "sys/class/input/event1/device/properties", "0\n");
        write(r, "etc/citizen-window/environment", "SLINT_KMS_ROTATION=90\n");
        let checks = checks_under(r);
        assert!(checks.iter().all(|c| c.verdict == super::super::doctor::Verdict::Pass), "{checks:#?}");
        assert!(checks[1].detail.contains("HDMI-A-1") && checks[1].detail.contains("1920x1080"));
        assert!(checks[3].detail.contains("Goodix") && !checks[3].detail.contains("event1"));
    }

    #[test]
    fn no_display_no_output_no_touch_and_a_bad_rotation_each_fail_with_what_to_do() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        write(r, "etc/citizen-window/environment", "SLINT_KMS_ROTATION=45\nSLINT_BACKEND=winit\n");
        let checks = checks_under(r);
        let verdict = |name: &str| checks.iter().find(|c| c.name == name).unwrap().verdict;
        use super::super::doctor::Verdict::{Fail, Warn};
        assert_eq!(
            [verdict("renderer"), verdict("display"), verdict("rotation"), verdict("touch")],
            [Warn, Fail, Fail, Fail]
        );
        write(r, "dev/dri/card0", "");
        write(r, "sys/class/drm/card0-HDMI-A-1/status", "disconnected\n");
        let display = checks_under(r).into_iter().find(|c| c.name == "display").unwrap();
        assert!(display.detail.contains("no connected output") && display.fix.is_some());
    }
}
