//! Where the prompts' sound goes: [`SoundOutput`], played through ALSA on the board
//! ([`AlsaOutput`]), or noted by a [`super::recording_output::RecordingOutput`] in tests and
//! benchmarks. Only the player's thread writes to it, so a slow or missing device never holds
//! the UI.

use std::time::Duration;

/// Why the sound cannot be played; the kiosk runs on silent and says so on its device line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SoundError(pub String);

/// A mono, 16-bit sound output.
pub trait SoundOutput: Send {
    /// Where the sound goes, for the log and the device line ("ALSA default").
    fn describe(&self) -> String;
    /// Opens the output ahead of the first prompt, so that a missing device shows at start.
    fn ready(&mut self) -> Result<(), SoundError>;
    /// Readies the output for the prompt of file `prompt`, recorded at `rate` Hz (opens the
    /// device, or opens it again at another rate).
    fn start_prompt(&mut self, prompt: &std::path::Path, rate: u32) -> Result<(), SoundError>;
    /// Queues samples; returns once they are queued (about as fast as they play).
    fn write(&mut self, samples: &[i16]) -> Result<(), SoundError>;
    /// Drops what is queued: a new moment cuts the old one off.
    fn cut(&mut self);
    /// Lets what is queued play out.
    fn finish(&mut self);
}

/// The sound card's buffer: short, so that a cut is heard at once; long enough that the player's
/// thread is never late on a busy board.
const BUFFER: Duration = Duration::from_millis(120);
const PERIOD: Duration = Duration::from_millis(20);

/// The longest the card may take no samples before it is taken for stalled (a card that stopped,
/// HDMI audio with its display off): the prompt is dropped and the device closed.
const STALLED_AFTER: Duration = Duration::from_secs(2);

/// An ALSA playback device ("default", "hw:0,0", "plughw:1,0", or "null" to play into nothing).
/// Opened without blocking, so a device another program holds is an error at once rather than a
/// wait; each wait for room in its buffer is bounded. The device is held only while a prompt
/// plays (a technician's `aplay` or `speaker-test` can have it in between).
pub struct AlsaOutput {
    device: String,
    pcm: Option<(alsa::pcm::PCM, u32)>,
    /// The last failure to open the device, and when: it is tried again only after
    /// [`RETRY_OPEN_AFTER`], not at every prompt.
    failed: Option<(std::time::Instant, SoundError)>,
}

/// How long a device that would not open is left alone.
const RETRY_OPEN_AFTER: Duration = Duration::from_secs(30);

impl AlsaOutput {
    pub fn new(device: &str) -> Self {
        Self { device: device.to_string(), pcm: None, failed: None }
    }

    /// Opens the device as the player would, and closes it: what `kioskctl doctor` asks while the
    /// kiosk is not running.
    pub fn probe(device: &str) -> Result<(), SoundError> {
        let mut output = Self::new(device);
        output.open(16_000)?;
        output.close();
        Ok(())
    }

    fn open(&mut self, rate: u32) -> Result<(), SoundError> {
        if self.pcm.as_ref().is_some_and(|(_, open_rate)| *open_rate == rate) {
            return Ok(());
        }
        if let Some((at, error)) = &self.failed
            && at.elapsed() < RETRY_OPEN_AFTER
        {
            return Err(error.clone());
        }
        // Another rate: what is queued plays out before the device is opened again.
        self.close();
        let opened = self.open_now(rate);
        self.failed = opened.as_ref().err().map(|e| (std::time::Instant::now(), e.clone()));
        opened
    }

    fn open_now(&mut self, rate: u32) -> Result<(), SoundError> {
        // alsa-lib's own complaints (no card 0, …) go to a buffer of this thread's, not to the
        // kiosk's stderr: the error returned says what matters. A new buffer replaces the last.
        let _complaints = alsa::Output::local_error_handler();
        let fail = |what: &str, e: alsa::Error| SoundError(format!("{what}: {e}"));
        use alsa::pcm::{Access, Format, HwParams, PCM};
        let pcm = PCM::new(&self.device, alsa::Direction::Playback, true)
            .map_err(|e| fail("no sound device, or another program holds it (check the card and `aplay -l`)", e))?;
        {
            let params = HwParams::any(&pcm).map_err(|e| fail("its parameters", e))?;
            params.set_channels(1).map_err(|e| fail("one channel", e))?;
            params.set_rate(rate, alsa::ValueOr::Nearest).map_err(|e| fail("the prompt's rate", e))?;
            params.set_format(Format::S16LE).map_err(|e| fail("16-bit samples", e))?;
            params.set_access(Access::RWInterleaved).map_err(|e| fail("interleaved access", e))?;
            let micros = |d: Duration| d.as_micros() as u32;
            params.set_buffer_time_near(micros(BUFFER), alsa::ValueOr::Nearest).map_err(|e| fail("its buffer", e))?;
            params.set_period_time_near(micros(PERIOD), alsa::ValueOr::Nearest).map_err(|e| fail("its period", e))?;
            pcm.hw_params(&params).map_err(|e| fail("its parameters", e))?;
            // A hw: device that cannot play the prompt's rate takes the nearest: the voice would
            // be too fast or too slow.
            let got = params.get_rate().map_err(|e| fail("its rate", e))?;
            if got != rate {
                return Err(SoundError(format!(
                    "plays at {got} Hz, not the prompts' {rate} Hz: name the card's plughw: device in voice.device \
                     (`aplay -L`), which converts"
                )));
            }
        }
        self.pcm = Some((pcm, rate));
        Ok(())
    }

    /// Lets what is queued play out (at most the buffer's length), then closes the device.
    fn close(&mut self) {
        if let Some((pcm, rate)) = self.pcm.take() {
            let queued = pcm.delay().unwrap_or(0).max(0) as u64;
            let playing = Duration::from_millis(queued * 1000 / u64::from(rate.max(1)));
            std::thread::sleep(playing.min(BUFFER * 2));
            let _ = pcm.drop();
        }
    }
}

/// ALSA's "try again": the buffer is full for now.
fn try_again(e: &alsa::Error) -> bool {
    e.errno().abs() == libc::EAGAIN
}

impl SoundOutput for AlsaOutput {
    fn describe(&self) -> String {
        format!("ALSA {}", self.device)
    }

    fn ready(&mut self) -> Result<(), SoundError> {
        self.open(16_000)?;
        self.close();
        Ok(())
    }

    fn start_prompt(&mut self, _prompt: &std::path::Path, rate: u32) -> Result<(), SoundError> {
        self.open(rate)
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), SoundError> {
        let Some((pcm, _)) = &self.pcm else { return Err(SoundError("not open".into())) };
        let mut rest = samples;
        let mut failure = None;
        let mut stalled_since: Option<std::time::Instant> = None;
        while !rest.is_empty() {
            match pcm.io_i16().and_then(|io| io.writei(rest)) {
                Ok(frames) => {
                    rest = &rest[frames.min(rest.len())..];
                    stalled_since = None;
                }
                // The buffer is full: wait for room, a period at a time, but not for ever.
                Err(e) if try_again(&e) => {
                    let since = *stalled_since.get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() > STALLED_AFTER {
                        failure = Some(SoundError(format!("the card took no sound for {} s", STALLED_AFTER.as_secs())));
                        break;
                    }
                    let _ = pcm.wait(Some(PERIOD.as_millis() as u32 * 2));
                }
                // An underrun (the thread was late) or a suspend is recovered and the rest played;
                // anything else closes the device, to be opened again for the next prompt.
                Err(e) => {
                    if let Err(e) = pcm.try_recover(e, true) {
                        failure = Some(SoundError(e.to_string()));
                        break;
                    }
                }
            }
        }
        match failure {
            Some(failure) => {
                if let Some((pcm, _)) = self.pcm.take() {
                    let _ = pcm.drop();
                }
                Err(failure)
            }
            None => Ok(()),
        }
    }

    fn cut(&mut self) {
        if let Some((pcm, _)) = self.pcm.take() {
            let _ = pcm.drop();
        }
    }

    fn finish(&mut self) {
        self.close();
    }
}
