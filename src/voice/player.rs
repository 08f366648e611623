//! The voice's own thread: plays one utterance at a time, prompt after prompt, in 20 ms pieces,
//! and between pieces looks for the next order, so that a new moment cuts the old one off within
//! a piece. A prompt that cannot be read is skipped; a sound device that is missing or fails is
//! noted on the device line and tried again at the next utterance: the kiosk runs on silent.

use super::sound_output::{SoundError, SoundOutput};
use crate::devices::device_board::{self, AvailabilityLine, DeviceBoard};
use std::path::PathBuf;
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

/// The running voice thread; stops when dropped.
pub struct VoicePlayer {
    orders: Option<Sender<Order>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl VoicePlayer {
    /// Plays on `output` from its own thread, keeping the sound line of `devices`.
    pub fn start(mut output: Box<dyn SoundOutput>, devices: DeviceBoard) -> std::io::Result<Self> {
        let (orders, inbox) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new().name("voice".into()).spawn(move || {
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
        Ok(Self { orders: Some(orders), thread: Some(thread) })
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
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Plays `utterance`; returns the order that cut it off, if one did.
fn play(
    output: &mut dyn SoundOutput,
    utterance: &Utterance,
    inbox: &Receiver<Order>,
    line: &mut AvailabilityLine,
) -> Option<Order> {
    for part in &utterance.parts {
        let Some((path, rate, mut samples)) = sound_of(part) else { continue };
        let volume = i32::from(utterance.volume.min(100));
        samples.iter_mut().for_each(|s| *s = (i32::from(*s) * volume / 100) as i16);
        let path = path.as_path();
        let started = output.start_prompt(path, rate);
        line.note(started.as_ref().map(|_| ()));
        if started.is_err() {
            return None;
        }
        let piece = (rate as usize * PIECE.as_millis() as usize / 1000).max(1);
        for samples in samples.chunks(piece) {
            match inbox.try_recv() {
                Ok(order) => {
                    output.cut();
                    return Some(order);
                }
                Err(TryRecvError::Disconnected) => {
                    output.cut();
                    return None;
                }
                Err(TryRecvError::Empty) => {}
            }
            if let Err(e) = output.write(samples) {
                line.note(Err(&e));
                return None;
            }
        }
    }
    match inbox.recv_timeout(TAIL) {
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

/// A part's sound: the file it names for the output's log (for words, `words` beside the
/// prompt said instead), its rate and samples; `None` (logged) if it has none.
fn sound_of(part: &Part) -> Option<(PathBuf, u32, Vec<i16>)> {
    let recorded = |path: &std::path::Path| match read_prompt(path) {
        Ok((rate, samples)) => Some((path.to_path_buf(), rate, samples)),
        Err(e) => {
            tracing::warn!("the voice prompt {} cannot be played: {e}", path.display());
            None
        }
    };
    match part {
        Part::Recorded(path) => recorded(path),
        Part::Words { text, instead } => match super::synthesiser::synthesise(text) {
            Ok((rate, samples)) => Some((instead.with_file_name("words.wav"), rate, samples)),
            Err(e) => {
                tracing::info!("{e}: the recorded prompt is said instead");
                recorded(instead)
            }
        },
    }
}

/// A prompt's rate and samples. The content was checked when it was loaded (16-bit mono, at
/// most ten seconds); a file changed since is refused here.
fn read_prompt(path: &std::path::Path) -> Result<(u32, Vec<i16>), SoundError> {
    let reader = hound::WavReader::open(path).map_err(|e| SoundError(e.to_string()))?;
    let spec = reader.spec();
    if spec.channels != 1 || spec.bits_per_sample != 16 || spec.sample_format != hound::SampleFormat::Int {
        return Err(SoundError("not 16-bit mono PCM".into()));
    }
    let most = citizen_window_content::voice::PROMPT_MAX_BYTES as usize / 2;
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

        // Hush stops it; a prompt whose file is gone is skipped, the rest said.
        notes.clear();
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "long", 8_000)], volume: 80 }));
        wait_for(&notes, "the long prompt", |h| h.contains(&started("long")));
        player.tell(Order::Hush);
        wait_for(&notes, "hushed", |h| h.contains(&Heard::Cut));
        notes.clear();
        let missing = Part::Recorded(dir.path().join("zh/gone.wav"));
        player.tell(Order::Say(Utterance { parts: vec![missing, prompt(dir.path(), "done", 30)], volume: 80 }));
        let heard = wait_for(&notes, "the rest", |h| h.contains(&Heard::Finished));
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
        let dir = tempfile::tempdir().unwrap();
        let board = DeviceBoard::new();
        let player = VoicePlayer::start(Box::new(super::super::AlsaOutput::new("null")), board.clone()).unwrap();
        player.tell(Order::Say(Utterance { parts: vec![prompt(dir.path(), "done", 200)], volume: 80 }));
        drop(player);
        let line = board.reports().into_iter().find(|r| r.device == device_board::SOUND).unwrap();
        assert_eq!((line.status.as_str(), line.detail), ("online", None));
        let missing = super::super::AlsaOutput::probe("hw:99,0").unwrap_err();
        assert!(missing.0.contains("no sound device"), "{missing}");
    }
}
