//! `kioskctl status` as a technician waits for it: the whole command, process start included,
//! against a running kiosk (headless, its control socket served, its UI's event loop turning on
//! this thread) and against a stopped one (read from its files). Beside it in the same run, the
//! floor any command pays: starting a process that does nothing (`true`). Goal: under 50 ms.
//! Run: `cargo bench --bench kioskctl_status_bench`.

use citizen_window::content::Content;
use citizen_window::run::start_headless_kiosk;
use citizen_window::service_manager::Notifier;
use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 60;

/// Wall times of `RUNS` runs of `command`, each from its start to its exit.
fn wall_times(mut command: impl FnMut() -> Command) -> Vec<f64> {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let status = command().stdout(std::process::Stdio::null()).status().unwrap();
            assert!(status.success());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

/// `wall_times` on another thread while the kiosk's event loop runs on this one, as on a kiosk.
fn wall_times_with_the_loop_running(command: impl FnMut() -> Command + Send + 'static) -> Vec<f64> {
    let measuring = std::thread::spawn(move || {
        let samples = wall_times(command);
        slint::invoke_from_event_loop(|| slint::quit_event_loop().unwrap()).unwrap();
        samples
    });
    slint::run_event_loop_until_quit().unwrap();
    measuring.join().unwrap()
}

fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(what: &str, samples: &[f64], floor: f64) {
    let median = percentile(samples, 0.5);
    println!(
        "{what:44} median {median:6.1} ms  p95 {:6.1} ms  {:5.1}× the process floor  {:4.2}× the 50 ms goal",
        percentile(samples, 0.95),
        median / floor,
        median / 50.0
    );
}

fn main() {
    // Headless, with an event loop that takes work from other threads, as the board's backend does.
    let options = TestingBackendOptions { renderer_name: Some("software".into()), threading: true, mock_time: false };
    slint::platform::set_platform(Box::new(TestingBackend::new(options))).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(
        &config,
        format!(
            "state_dir = {:?}\ncontent_dir = {:?}\n[control]\nsocket = {:?}\ngroup = \"\"\n",
            state.display().to_string(),
            Content::example_dir().display().to_string(),
            dir.path().join("control.sock").display().to_string()
        ),
    )
    .unwrap();
    let kioskctl = env!("CARGO_BIN_EXE_kioskctl");
    let status = |json: bool| {
        let config = config.clone();
        move || {
            let mut command = Command::new(kioskctl);
            command.arg("--config").arg(&config).arg("status");
            if json {
                command.arg("--json");
            }
            command
        }
    };

    let floor = percentile(&wall_times(|| Command::new("true")), 0.5);
    println!("kioskctl status, {RUNS} runs each (wall time, process start included)");
    println!("{:44} median {floor:6.1} ms", "a process that does nothing (true)");
    report("kioskctl status, the kiosk stopped (files)", &wall_times(status(false)), floor);
    let (_ui, services) = start_headless_kiosk(&config, Notifier::default()).unwrap();
    report("kioskctl status, the kiosk running", &wall_times_with_the_loop_running(status(false)), floor);
    report("kioskctl status --json, the kiosk running", &wall_times_with_the_loop_running(status(true)), floor);
    drop(services);
}
