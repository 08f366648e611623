//! Voice guidance's speed: from a screen change to its prompt's first samples handed to the sound
//! card, through the whole path a kiosk takes (the controller's call, the window brought up to
//! date, the moment read off the screen, the player's thread, the prompt's WAV file read from the
//! example content, ALSA opened at the prompt's rate). The sound card is ALSA's `null` device, the
//! real alsa-lib path with no hardware behind it (it takes samples as fast as they come), then a
//! recording output that takes them at the pace a sound card plays them, so that a new moment
//! meets the old prompt mid-piece as on a board. The goal (issue 16) is under 150 ms.
//! Run: `cargo bench --bench voice_bench`.

use citizen_window::config::VoiceSetup;
use citizen_window::content::Content;
use citizen_window::kiosk::KioskController;
use citizen_window::kiosk::messages::KioskEvent;
use citizen_window::session::SessionTiming;
use citizen_window::ui::screenshot::use_headless_renderer;
use citizen_window::ui::{AppWindow, Clock, KioskUi};
use citizen_window::voice::recording_output::{Notes, RecordingOutput};
use citizen_window::voice::sound_output::SoundError;
use citizen_window::voice::{AlsaOutput, SoundOutput};
use slint::ComponentHandle;
use std::path::Path;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROUNDS: usize = 300;
const GOAL: Duration = Duration::from_millis(150);

/// When each prompt's first samples went to the card: (prompt, instant).
type FirstSamples = Arc<Mutex<Vec<(String, Instant)>>>;

/// An output, with the instant each prompt's first samples are handed to it noted.
struct Timed {
    alsa: Box<dyn SoundOutput>,
    first: FirstSamples,
    starting: Option<String>,
}

impl SoundOutput for Timed {
    fn describe(&self) -> String {
        self.alsa.describe()
    }
    fn ready(&mut self) -> Result<(), SoundError> {
        self.alsa.ready()
    }
    fn start_prompt(&mut self, prompt: &Path, rate: u32) -> Result<(), SoundError> {
        self.starting = prompt.file_stem().map(|s| s.to_string_lossy().into_owned());
        self.alsa.start_prompt(prompt, rate)
    }
    fn write(&mut self, samples: &[i16]) -> Result<(), SoundError> {
        if let Some(prompt) = self.starting.take() {
            self.first.lock().unwrap().push((prompt, Instant::now()));
        }
        self.alsa.write(samples)
    }
    fn cut(&mut self) {
        self.alsa.cut();
    }
    fn finish(&mut self) {
        self.alsa.finish();
    }
}

/// Ticks `ui` until the `count`-th first-samples note of `prompt`; the time from `from`.
fn wait_for(ui: &KioskUi, first: &FirstSamples, prompt: &str, count: usize, from: Instant) -> Duration {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let found = first.lock().unwrap().iter().filter(|(p, _)| p == prompt).nth(count - 1).map(|(_, at)| *at);
        if let Some(at) = found {
            return at - from;
        }
        assert!(Instant::now() < deadline, "{prompt} never started");
        ui.tick();
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn main() {
    use_headless_renderer().unwrap();
    println!("voice guidance: screen change to the prompt's first samples, {ROUNDS} rounds each");
    println!("| What | Median | p99 (max) | Against the goal (150 ms) |");
    println!("|---|---|---|---|");
    let outputs: [(&str, Box<dyn SoundOutput>); 2] = [
        ("ALSA null", Box::new(AlsaOutput::new("null"))),
        ("paced as a card", Box::new(RecordingOutput::new(Notes::default(), 1))),
    ];
    for (name, output) in outputs {
        measure(name, output);
    }
}

fn measure(name: &str, output: Box<dyn SoundOutput>) {
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let content = Content::load(&Content::example_dir()).unwrap();
    let controller = KioskController::new(content, SessionTiming::default(), Instant::now(), 5);
    let clock: Clock = Rc::new(Instant::now);
    let ui = KioskUi::new(window, controller, clock);
    ui.window.show().unwrap();
    let first = FirstSamples::default();
    let output = Timed { alsa: output, first: first.clone(), starting: None };
    ui.with_runtime(|runtime| runtime.start_voice(Box::new(output), VoiceSetup::default(), name)).unwrap();
    ui.update(|k, now| {
        k.touched(now);
        k.set_voice(true, now);
    });

    let (mut fresh, mut cutting) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        ui.update(|k, now| k.go_home(now));
        std::thread::sleep(Duration::from_millis(30));
        // A new page with a moment: 请将身份证放在读卡区.
        let tapped = Instant::now();
        ui.update(|k, now| k.open_service("social_insurance", now));
        fresh.push(wait_for(&ui, &first, "place_card", round, tapped));
        std::thread::sleep(Duration::from_millis(60));
        // A new moment while that one plays: the card is being read; it cuts the first off.
        let placed = Instant::now();
        ui.update(|k, now| k.handle_event(KioskEvent::CardReading, now));
        cutting.push(wait_for(&ui, &first, "card_reading", round, placed));
        std::thread::sleep(Duration::from_millis(20));
    }
    ui.update(|k, now| k.exit(now));

    for (what, mut times) in
        [("a page with a prompt opens (nothing playing)", fresh), ("a new moment cuts the prompt playing", cutting)]
    {
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "| {name}: {what} | {:.2} ms | {:.2} ms ({:.2} ms) | {:.3} of it |",
            ms(at(0.5)),
            ms(at(0.99)),
            ms(*times.last().unwrap()),
            ms(at(0.99)) / ms(GOAL)
        );
    }
}
