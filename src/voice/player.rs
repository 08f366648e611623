//! The voice's own thread: plays one utterance at a time, part after part, in 20 ms pieces, and
//! between pieces looks for the next order, so that a new moment cuts the old one off within a
//! piece. An utterance with a recorded prompt that cannot be read is dropped whole (half a number
//! is worse than none); a sound device that is missing or fails is noted on the device line and
//! tried again for a later utterance (at most every 30 s): the kiosk runs on silent.

use super::sound_output::{SoundError, SoundOutput};
use crate::devices::device_board::{self, AvailabilityLine, DeviceBoard};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::Duration;

/// What the player is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Say these prompts, in order, cutting off whatever is playing.
    Say(Utterance),
    /// Stop talking.
    Hush,
}

/// What to play, part after part, at a volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    pub parts: Vec<Part>,
    /// Percent of the recording's loudness, 0 to 100.
    pub volume: u8,
}

/// One part of an utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A recorded prompt's file.
    Recorded(PathBuf),
    /// Words no recording says, spoken by the synthesiser; the recorded prompt `instead` if it
    /// cannot (a board without espeak-ng).
    Words { text: String, instead: PathBuf },
}

/// How much sound goes to the output between two looks for a new order.
const PIECE: Duration = Duration::from_millis(20);

/// After the last piece, how long a new order may still cut the tail the card is playing.
const TAIL: Duration = Duration::from_millis(150);

/// How long dropping the player waits for its thread: a piece, normally. A thread held longer (a
/// stalled card, the synthesiser) finishes on its own; the UI thread never waits for it.
const STOP_WAIT: Duration = Duration::from_millis(300);

/// The running voice thread; stops when dropped.
pub struct VoicePlayer {
    orders: Option<Sender<Order>>,
    /// Closed when the thread ends.
    stopped: Receiver<()>,
}

impl VoicePlayer {
    /// Plays on `output` from its own thread, keeping the sound line of `devices`.
    pub fn start(mut output: Box<dyn SoundOutput>, devices: DeviceBoard) -> std::io::Result<Self> {
        let (orders, inbox) = std::sync::mpsc::channel();
        let (ending, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new().name("voice".into()).spawn(move || {
            let _ending = ending;
            let mut line = AvailabilityLine::new(devices, device_board::SOUND, "sound output", output.describe());
            line.note(output.ready().as_ref().map(|_| ()));
            let mut next = None;
            loop {
                let order = match next.take() {
                    Some(order) => order,
                    None => match inbox.recv() {
                        Ok(order) => order,
                        Err(_) => return,
                    },
                };
                if let Order::Say(utterance) = order {
                    next = play(output.as_mut(), &utterance, &inbox, &mut line);
                }
            }
        })?;
        Ok(Self { orders: Some(orders), stopped })
    }

    /// Passes `order` to the thread; never waits.
    pub fn tell(&self, order: Order) {
        if let Some(orders) = &self.orders {
            let _ = orders.send(order);
        }
    }
}

impl Drop for VoicePlayer {
    fn drop(&mut self) {
        drop(self.orders.take());
        let _ = self.stopped.recv_timeout(STOP_WAIT);
    }
}

/// The orders that came while the thread was busy: the first is kept for when it looks.
struct Inbox<'a> {
    orders: &'a Receiver<Order>,
    waiting: RefCell<Option<Order>>,
    closed: std::cell::Cell<bool>,
}

impl Inbox<'_> {
    /// Whether a new order (or the player's end) should stop what is being done.
    fn interrupted(&self) -> bool {
        if self.waiting.borrow().is_none() && !self.closed.get() {
            match self.orders.try_recv() {
                Ok(order) => *self.waiting.borrow_mut() = Some(order),
                Err(TryRecvError::Disconnected) => self.closed.set(true),
                Err(TryRecvError::Empty) => {}
            }
        }
        self.waiting.borrow().is_some() || self.closed.get()
    }

    fn take(&self) -> Option<Order> {
        self.waiting.borrow_mut().take()
    }
}

/// Plays `utterance`; returns the order that cut it off, if one did.
fn play(
    output: &mut dyn SoundOutput,
    utterance: &Utterance,
    orders: &Receiver<Order>,
    line: &mut AvailabilityLine,
) -> Option<Order> {
    let inbox = Inbox { orders, waiting: RefCell::new(None), closed: std::cell::Cell::new(false) };
    // Every recording is read before a sound is made: one that cannot be read drops the whole
    // utterance rather than saying a number without one of its digits.
    let mut recorded = Vec::new();
    for part in &utterance.parts {
        if let Part::Recorded(path) = part {
            match read_prompt(path) {
                Ok(sound) => recorded.push(sound),
                Err(e) => {
                    tracing::warn!(
                        "the voice prompt {} cannot be played ({e}): the moment is not said",
                        path.display()
                    );
                    return None;
                }
            }
        }
    }
    let mut recorded = recorded.into_iter();
    for part in &utterance.parts {
        let (path, rate, mut samples) = match part {
            Part::Recorded(path) => {
                let (rate, samples) = recorded.next()?;
                (path.clone(), rate, samples)
            }
            Part::Words { text, instead } => match words(text, instead, &inbox) {
                Some(sound) => sound,
                None if inbox.interrupted() => {
                    output.cut();
                    return inbox.take();
                }
                None => continue,
            },
        };
        let volume = i32::from(utterance.volume.min(100));
        samples.iter_mut().for_each(|s| *s = (i32::from(*s) * volume / 100) as i16);
        let started = output.start_prompt(&path, rate);
        line.note(started.as_ref().map(|_| ()));
        if started.is_err() {
            return None;
        }
        let piece = (rate as usize * PIECE.as_millis() as usize / 1000).max(1);
        for samples in samples.chunks(piece) {
            if inbox.interrupted() {
                output.cut();
                return inbox.take();
            }
            if let Err(e) = output.write(samples) {
                line.note(Err(&e));
                return None;
            }
        }
    }
    if inbox.interrupted() {
        output.cut();
        return inbox.take();
    }
    match orders.recv_timeout(TAIL) {
        Ok(order) => {
            output.cut();
            Some(order)
        }
        Err(RecvTimeoutError::Timeout) => {
            output.finish();
            None
        }
        Err(RecvTimeoutError::Disconnected) => None,
    }
}

/// Staff's own words from the synthesiser (noted as `words` beside the prompt said instead), or
/// that prompt if it cannot; `None` if neither can be said, or a new order came meanwhile.
fn words(text: &str, instead: &Path, inbox: &Inbox) -> Option<(PathBuf, u32, Vec<i16>)> {
    match super::synthesiser::synthesise(text, &|| inbox.interrupted()) {
        Ok((rate, samples)) => Some((instead.with_file_name("words.wav"), rate, samples)),
        Err(_) if inbox.interrupted() => None,
        Err(e) => {
            tracing::info!("{e}: the recorded prompt is said instead");
            match read_prompt(instead) {
                Ok((rate, samples)) => Some((instead.to_path_buf(), rate, samples)),
                Err(e) => {
                    tracing::warn!("the voice prompt {} cannot be played: {e}", instead.display());
                    None
                }
            }
        }
    }
}

/// A prompt's rate and samples. The content was checked when it was loaded (16-bit mono, at
/// most ten seconds); a file changed since is refused here.
fn read_prompt(path: &Path) -> Result<(u32, Vec<i16>), SoundError> {
    let reader = hound::WavReader::open(path).map_err(|e| SoundError(e.to_string()))?;
    let spec = reader.spec();
    if spec.channels != 1 || spec.bits_per_sample != 16 || spec.sample_format != hound::SampleFormat::Int {
        return Err(SoundError("not 16-bit mono PCM".into()));
    }
    let most = citizen_window_content::voice::PROMPT_MAX_SECONDS as usize * spec.sample_rate as usize;
    let samples = reader
        .into_samples::<i16>()
        .take(most)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SoundError(e.to_string()))?;
    Ok((spec.sample_rate, samples))
}

#[cfg(test)]
mod tests {
    use super::super::recording_output::{Heard, Notes, RecordingOutput};
    use super::*;
    use std::path::Path;
    use std::time::Instant;

    /// A prompt of `millis` of sound at 16 kHz in `dir`, named `key`.
    fn prompt(dir: &Path, key: &str, millis: usize) -> Part {
        let path = dir.join("zh").join(format!("{key}.wav"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..millis * 16 {
            writer.write_sample(((i % 64) as i16 - 32) * 500).unwrap();
        }
        writer.finalize().unwrap();
        Part::Recorded(path)
    }

    fn wait_for(notes: &Notes, what: &str, done: impl Fn(&[Heard]) -> bool) -> Vec<Heard> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let heard: Vec<Heard> = notes.all().into_iter().map(|(_, h)| h).collect();
            if done(&heard) {
                return heard;
            }
            assert!(Instant::now() < deadline, "{what}: heard only {heard:?}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn started(key: &str) -> Heard {
        Heard::Started(format!("zh/{key}"))
    }

    #[test]
    fn prompts_play_in_order_and_a_new_order_cuts_the_one_playing() {
        let dir = tempfile::tempdir().unwrap();
        let notes = Notes::default();
        let player = VoicePlayer::start(Box::new(RecordingOutput::new(notes.clone(), 1)), DeviceBoard::new()).unwrap();
        let short = |key| Utterance { parts: vec![prompt(dir.path(), key, 50)], volume: 80 };

        // Two prompts one after the other, then the end.
        let said = Utterance {
            parts: vec![prompt(dir.path(), "ticket_number", 60), prompt(dir.path(), "n3", 40)],
            volume: 80,
        };
        player.tell(Order::Say(said));
        let heard = wait_for(&notes, "a whole utterance", |h| h.contains(&Heard::Finished));
        assert_eq!(heard, [started("ticket_number"), started("n3"), Heard::Finished]);

        // A long prompt is cut off by the next moment, which then plays whole.
        notes.clear();
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "long", 8_000)], volume: 80 }));
        wait_for(&notes, "the long prompt", |h| h.contains(&started("long")));
        player.tell(Order::Say(short("countdown")));
        let heard = wait_for(&notes, "the cut and the next", |h| h.contains(&Heard::Finished));
        assert_eq!(heard, [started("long"), Heard::Cut, started("countdown"), Heard::Finished]);
        let times = notes.all();
        let cut_after = times[1].0 - times[0].0;
        assert!(cut_after < Duration::from_secs(8), "the long prompt did not play out: {cut_after:?}");

        // Hush stops it.
        notes.clear();
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "long", 8_000)], volume: 80 }));
        wait_for(&notes, "the long prompt", |h| h.contains(&started("long")));
        player.tell(Order::Hush);
        wait_for(&notes, "hushed", |h| h.contains(&Heard::Cut));
        notes.clear();
        // A prompt whose file is gone drops its whole utterance (no number said without a
        // digit); the next is said.
        let missing = Part::Recorded(dir.path().join("zh/gone.wav"));
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "n1", 30), missing], volume: 80 }));
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "done", 30)], volume: 80 }));
        let heard = wait_for(&notes, "the next", |h| h.contains(&Heard::Finished));
        assert_eq!(heard, [started("done"), Heard::Finished]);

        // Staff's own words are spoken by the synthesiser, after the recorded lead-in.
        notes.clear();
        let words =
            Part::Words { text: "请稍等，马上来".into(), instead: dir.path().join("zh/help_see_screen.wav") };
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "help_answered", 30), words], volume: 80 }));
        let heard = wait_for(&notes, "the words", |h| h.contains(&Heard::Finished));
        assert_eq!(heard, [started("help_answered"), started("words"), Heard::Finished]);
    }

    /// A sound output with no device behind it, as on a board whose card is missing.
    struct NoDevice;

    impl SoundOutput for NoDevice {
        fn describe(&self) -> String {
            "ALSA default".into()
        }
        fn ready(&mut self) -> Result<(), SoundError> {
            Err(SoundError("no sound device".into()))
        }
        fn start_prompt(&mut self, _: &Path, _: u32) -> Result<(), SoundError> {
            self.ready()
        }
        fn write(&mut self, _: &[i16]) -> Result<(), SoundError> {
            self.ready()
        }
        fn cut(&mut self) {}
        fn finish(&mut self) {}
    }

    #[test]
    fn without_a_sound_device_the_player_runs_on_and_its_device_line_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let board = DeviceBoard::new();
        let player = VoicePlayer::start(Box::new(NoDevice), board.clone()).unwrap();
        for _ in 0..3 {
            player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "done", 30)], volume: 80 }));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let line = loop {
            let line = board.reports().into_iter().find(|r| r.device == device_board::SOUND).unwrap();
            if line.status != "no_device" || Instant::now() > deadline {
                break line;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(line.status, "offline");
        assert_eq!(line.detail.as_deref(), Some("ALSA default: no sound device"));
        drop(player);
    }

    #[test]
    fn the_real_alsa_path_plays_into_alsa_s_null_device() {
        /// ALSA, counting the samples it took.
        struct Counted(super::super::AlsaOutput, std::sync::Arc<std::sync::atomic::AtomicUsize>);
        impl SoundOutput for Counted {
            fn describe(&self) -> String {
                self.0.describe()
            }
            fn ready(&mut self) -> Result<(), SoundError> {
                self.0.ready()
            }
            fn start_prompt(&mut self, prompt: &Path, rate: u32) -> Result<(), SoundError> {
                self.0.start_prompt(prompt, rate)
            }
            fn write(&mut self, samples: &[i16]) -> Result<(), SoundError> {
                self.0.write(samples)?;
                self.1.fetch_add(samples.len(), std::sync::atomic::Ordering::SeqCst);
                Ok(())
            }
            fn cut(&mut self) {
                self.0.cut();
            }
            fn finish(&mut self) {
                self.0.finish();
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let board = DeviceBoard::new();
        let written = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let output = Counted(super::super::AlsaOutput::new("null"), written.clone());
        let player = VoicePlayer::start(Box::new(output), board.clone()).unwrap();
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "done", 200)], volume: 80 }));
        let deadline = Instant::now() + Duration::from_secs(10);
        while written.load(std::sync::atomic::Ordering::SeqCst) < 3_200 {
            assert!(Instant::now() < deadline, "ALSA took the prompt's 3200 samples");
            std::thread::sleep(Duration::from_millis(10));
        }
        drop(player);
        let line = board.reports().into_iter().find(|r| r.device == device_board::SOUND).unwrap();
        assert_eq!((line.status.as_str(), line.detail), ("online", None));
        let missing = super::super::AlsaOutput::probe("hw:99,0").unwrap_err();
        assert!(missing.0.contains("no sound device"), "{missing}");
    }
}
