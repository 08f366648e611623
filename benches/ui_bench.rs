//! The kiosk UI's start, memory and rendering, beside the usual way kiosks are built: the same
//! home screen as a static page in headless Chromium, measured in the same run.
//! Run: `cargo bench --bench ui_bench` (Chromium from Debian's `chromium` package; without it the
//! peer's rows say so).
//!
//! Each measurement of the kiosk runs in a fresh child process (this binary again, with a role in
//! CITIZEN_WINDOW_UI_BENCH_ROLE), so that start-up and memory are the process's own.

use citizen_window::content::{Content, Language};
use citizen_window::ui::screenshot::{Shot, kiosk_on_page, save_png, snapshot};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "CITIZEN_WINDOW_UI_BENCH_ROLE";
const SESSIONS: usize = 1000;
const FRAMES: usize = 101;

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("first-frame") => child_first_frame(),
        Ok("sessions") => child_sessions(),
        Ok("render") => child_render(),
        _ => parent(),
    }
}

fn home() -> Shot {
    Shot { page: "home".into(), language: Language::Zh, elderly: false, width: 1080, height: 1920 }
}

/// Proportional set size (shared pages split between the processes sharing them), in KiB.
fn pss_kib(pid: u32) -> u64 {
    proc_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:")
}

fn rss_kib(pid: u32) -> u64 {
    proc_field(&format!("/proc/{pid}/status"), "VmRSS:")
}

/// The heap and other private memory in RSS (what a leak grows), in KiB.
fn rss_anon_kib(pid: u32) -> u64 {
    proc_field(&format!("/proc/{pid}/status"), "RssAnon:")
}

/// Pages of mapped files in RSS (the font files, read on demand and shared), in KiB.
fn rss_file_kib(pid: u32) -> u64 {
    proc_field(&format!("/proc/{pid}/status"), "RssFile:")
}

fn proc_field(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn child_first_frame() {
    let content = Content::load(&Content::example_dir()).unwrap();
    let ui = kiosk_on_page(content, &home()).unwrap();
    let pixels = snapshot(&ui).unwrap();
    println!("frame");
    let out = std::env::temp_dir().join(format!("ui-bench-{}.png", std::process::id()));
    save_png(&pixels, &out).unwrap();
    let _ = std::fs::remove_file(out);
    let me = std::process::id();
    println!("png {} {}", rss_kib(me), pss_kib(me));
}

fn child_sessions() {
    let me = std::process::id();
    let content = Content::load(&Content::example_dir()).unwrap();
    let ui = kiosk_on_page(content, &home()).unwrap();
    snapshot(&ui).unwrap();
    let after_start = rss_kib(me);
    let (anon_after_start, file_after_start) = (rss_anon_kib(me), rss_file_kib(me));
    let notice = "n-2026-11-20-heating";
    let mut checkpoints = Vec::new();
    for session in 1..=SESSIONS {
        // A resident reads a notice in English and large print, looks at the directory, starts a
        // problem report and types an account number; every page is drawn.
        ui.update(|k, now| {
            k.touched(now);
            k.open_service("notices", now);
            k.open_notice(notice, now);
            k.set_language(Language::En, now);
            k.set_elderly(true, now);
        });
        snapshot(&ui).unwrap();
        ui.update(|k, now| {
            k.open_service("directory", now);
            k.set_directory_page(1, now);
        });
        snapshot(&ui).unwrap();
        ui.update(|k, now| {
            k.go_home(now);
            k.open_service("reports", now);
            k.choose_report_category("leaking_pipe", now);
        });
        snapshot(&ui).unwrap();
        ui.update(|k, now| {
            k.go_home(now);
            k.open_service("bills", now);
            "330102881742".chars().for_each(|d| k.keypad_digit(d, now));
        });
        snapshot(&ui).unwrap();
        ui.update(|k, now| k.exit(now));
        if [1, 10, 100].contains(&session) {
            checkpoints.push(rss_kib(me));
        }
    }
    snapshot(&ui).unwrap();
    let [one, ten, hundred] = checkpoints[..] else { unreachable!() };
    println!("anon {anon_after_start} {file_after_start} {} {}", rss_anon_kib(me), rss_file_kib(me));
    println!("sessions {after_start} {one} {ten} {hundred} {}", rss_kib(me));
}

/// Full frames as the board draws them: the software renderer into a reused 32-bit frame buffer,
/// the whole window repainted each time (a frame buffer without partial updates).
fn child_render() {
    use slint::platform::software_renderer::{MinimalSoftwareWindow, PremultipliedRgbaColor, RepaintBufferType};
    struct Board(std::rc::Rc<MinimalSoftwareWindow>);
    impl slint::platform::Platform for Board {
        fn create_window_adapter(
            &self,
        ) -> Result<std::rc::Rc<dyn slint::platform::WindowAdapter>, slint::PlatformError> {
            Ok(self.0.clone())
        }
    }
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Board(window.clone()))).unwrap();
    let (width, height) = (1080, 1920);
    window.set_size(slint::PhysicalSize::new(width, height));
    let content = Content::load(&Content::example_dir()).unwrap();
    let ui = citizen_window::ui::screenshot::kiosk_ui_on_page(content, &home()).unwrap();
    let mut frame = vec![PremultipliedRgbaColor::default(); (width * height) as usize];
    let mut times: Vec<f64> = (0..FRAMES)
        .map(|_| {
            window.request_redraw();
            let started = Instant::now();
            let drawn = window.draw_if_needed(|renderer| {
                renderer.render(&mut frame, width as usize);
            });
            assert!(drawn, "a frame was drawn");
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    drop(ui);
    // The frame drawn is the real page: dark ink on a light screen, not a blank buffer.
    let dark = frame.iter().filter(|p| u32::from(p.red) + u32::from(p.green) + u32::from(p.blue) < 300).count();
    assert!(dark > frame.len() / 400, "the rendered frame is almost blank ({dark} dark pixels)");
    if let Ok(path) = std::env::var("CITIZEN_WINDOW_UI_BENCH_FRAME") {
        let rgba: Vec<u8> = frame.iter().flat_map(|p| [p.red, p.green, p.blue, p.alpha]).collect();
        let pixels = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(&rgba, width, height);
        save_png(&pixels, std::path::Path::new(&path)).unwrap();
    }
    times.sort_by(f64::total_cmp);
    println!("render {:.2} {:.2}", times[FRAMES / 2], times[FRAMES * 9 / 10]);
}

/// Runs a role in a child; returns the wall time until each line it printed, and the lines.
fn run_child(role: &str) -> Vec<(Duration, String)> {
    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(ROLE, role)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines().map(|l| (started.elapsed(), l.unwrap())).collect();
    assert!(child.wait().unwrap().success(), "the {role} child failed");
    lines
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

struct Peer {
    first_paint_ms: f64,
    peak_pss_kib: u64,
    peak_rss_kib: u64,
}

/// Headless Chromium screenshots the static page; first paint is when the picture is written.
/// Memory is the peak over all its processes, sampled every 5 ms.
fn chromium_once(binary: &str) -> Option<Peer> {
    let dir = tempfile::tempdir().ok()?;
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/home.html");
    let shot = dir.path().join("home.png");
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", dir.path().join("profile").display()),
            "--window-size=1080,1920",
            &format!("--screenshot={}", shot.display()),
            &format!("file://{}", page.display()),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let (mut first_paint, mut peak_pss, mut peak_rss) = (None, 0, 0);
    loop {
        let tree = process_tree(child.id());
        peak_pss = peak_pss.max(tree.iter().map(|p| pss_kib(*p)).sum());
        peak_rss = peak_rss.max(tree.iter().map(|p| rss_kib(*p)).sum());
        if first_paint.is_none() && shot.metadata().is_ok_and(|m| m.len() > 0) {
            first_paint = Some(started.elapsed());
        }
        if child.try_wait().ok()?.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Some(Peer { first_paint_ms: first_paint?.as_secs_f64() * 1e3, peak_pss_kib: peak_pss, peak_rss_kib: peak_rss })
}

/// `root` and all its descendants, from /proc.
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat.rsplit_once(") ").and_then(|(_, rest)| rest.split(' ').nth(1)?.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    tree
}

fn parent() {
    const RUNS: usize = 5;
    let mut frame_ms = Vec::new();
    let mut png_ms = Vec::new();
    let (mut rss, mut pss) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let lines = run_child("first-frame");
        let (frame_at, _) = lines.iter().find(|(_, l)| l == "frame").unwrap();
        let (png_at, png) = lines.iter().find(|(_, l)| l.starts_with("png")).unwrap();
        frame_ms.push(frame_at.as_secs_f64() * 1e3);
        png_ms.push(png_at.as_secs_f64() * 1e3);
        let fields: Vec<f64> = png.split(' ').skip(1).map(|v| v.parse().unwrap()).collect();
        rss.push(fields[0]);
        pss.push(fields[1]);
    }
    let sessions = run_child("sessions");
    let fields: Vec<f64> = sessions.last().unwrap().1.split(' ').skip(1).map(|v| v.parse().unwrap()).collect();
    let anon_line = &sessions.iter().find(|(_, l)| l.starts_with("anon")).unwrap().1;
    let anon: Vec<f64> = anon_line.split(' ').skip(1).map(|v| v.parse().unwrap()).collect();
    let (after_start, after_one, after_ten, after_hundred, after_sessions) =
        (fields[0], fields[1], fields[2], fields[3], fields[4]);
    let render = run_child("render");
    let fields: Vec<f64> = render.last().unwrap().1.split(' ').skip(1).map(|v| v.parse().unwrap()).collect();

    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()));
    let peers: Vec<Peer> = chromium.map(|b| (0..RUNS).filter_map(|_| chromium_once(b)).collect()).unwrap_or_default();

    let (frame, png, rss, pss) = (median(frame_ms), median(png_ms), median(rss), median(pss));
    println!("# Kiosk UI: start, memory and rendering at 1080x1920 (software renderer), medians of {RUNS} starts\n");
    println!("| measure | Slint kiosk UI | goal |");
    println!("|---|---:|---|");
    println!("| cold start to the first rendered frame | {frame:.0} ms | under 300 ms |");
    println!("| cold start to the first frame written as PNG | {png:.0} ms | (compared with Chromium below) |");
    println!(
        "| full-frame render, median / p90 of {FRAMES} | {:.1} / {:.1} ms | median under 16 ms |",
        fields[0], fields[1]
    );
    println!("| RSS after start (PSS) | {:.1} MiB ({:.1} MiB) | under 60 MB |", rss / 1024.0, pss / 1024.0);
    println!(
        "| RSS after {SESSIONS} scripted sessions | {:.1} MiB (growth {:.2} MiB from {:.1} MiB) | growth under 5 MB |",
        after_sessions / 1024.0,
        (after_sessions - after_start) / 1024.0,
        after_start / 1024.0
    );
    println!(
        "| RSS after 1 / 10 / 100 / {SESSIONS} sessions | {:.1} / {:.1} / {:.1} / {:.1} MiB | growth from the 10th session to the last: {:.2} MiB |",
        after_one / 1024.0,
        after_ten / 1024.0,
        after_hundred / 1024.0,
        after_sessions / 1024.0,
        (after_sessions - after_ten) / 1024.0
    );
    println!(
        "| of which private (heap) / mapped font files, start → after {SESSIONS} | {:.1} → {:.1} MiB / {:.1} → {:.1} MiB | |",
        anon[0] / 1024.0,
        anon[2] / 1024.0,
        anon[1] / 1024.0,
        anon[3] / 1024.0
    );
    println!();
    if peers.is_empty() {
        println!("Peer: no Chromium found (apt-get install chromium), so no ratio this run.");
        return;
    }
    let peer_paint = median(peers.iter().map(|p| p.first_paint_ms).collect());
    let peer_pss = median(peers.iter().map(|p| p.peak_pss_kib as f64).collect());
    let peer_rss = median(peers.iter().map(|p| p.peak_rss_kib as f64).collect());
    println!("| peer: the same home screen, static HTML, headless {} | value | kiosk UI is |", chromium.unwrap());
    println!("|---|---:|---:|");
    println!(
        "| start to the first paint written as PNG | {peer_paint:.0} ms | {:.1}× faster (goal ≥ 3×) |",
        peer_paint / png
    );
    println!(
        "| peak memory, all processes, PSS | {:.1} MiB | {:.1}× less (goal ≥ 5×) |",
        peer_pss / 1024.0,
        peer_pss / pss
    );
    println!("| peak memory, all processes, RSS summed | {:.1} MiB | {:.1}× less |", peer_rss / 1024.0, peer_rss / rss);
}
