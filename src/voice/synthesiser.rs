//! Words no recording says, spoken by Debian's speech synthesiser (espeak-ng, run as a separate
//! program): a staff member's own answer to a call for staff, at most 60 characters. Bounded in
//! time and size; without the synthesiser, or when it fails, the player says a recorded prompt
//! instead ("please read the message on the screen").

use super::sound_output::SoundError;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The synthesiser's program, looked up on PATH (Debian's package `espeak-ng`).
pub const PROGRAM: &str = "espeak-ng";

/// The longest text spoken: a staff answer's limit (`protocol::help::MAX_REPLY_CHARS`).
const MAX_CHARS: usize = citizen_window_protocol::help::MAX_REPLY_CHARS;
/// How long the synthesiser may take before it is stopped and the recording played instead.
const DEADLINE: Duration = Duration::from_secs(3);
/// The most WAV read from it: sixty characters are well under twenty seconds at 22 050 Hz.
const MAX_WAV_BYTES: u64 = 1 << 20;

/// `text` as samples, with their rate: in the Mandarin voice if it holds any Chinese, else in the
/// English one.
/// `interrupted` is asked while it works: true stops it (a new moment came).
pub fn synthesise(text: &str, interrupted: &dyn Fn() -> bool) -> Result<(u32, Vec<i16>), SoundError> {
    synthesise_with(PROGRAM, text, interrupted)
}

/// [`synthesise`] with another program (tests: one that is not there).
pub fn synthesise_with(
    program: &str,
    text: &str,
    interrupted: &dyn Fn() -> bool,
) -> Result<(u32, Vec<i16>), SoundError> {
    let text: String = text.chars().filter(|c| !c.is_control()).take(MAX_CHARS).collect();
    let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let (voice, words_per_minute) = if chinese { ("cmn", "180") } else { ("en-us", "150") };
    // No shell; `--` so that text starting with '-' is never read as an option; no -m, so that
    // nothing in it is taken as markup.
    let mut child = Command::new(program)
        .args(["-v", voice, "-s", words_per_minute, "--stdout", "--"])
        .arg(&text)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| SoundError(format!("the speech synthesiser {program} cannot start: {e}")))?;
    let stdout = child.stdout.take().ok_or_else(|| SoundError("no output from the synthesiser".into()))?;
    let (sender, wav) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let read = stdout.take(MAX_WAV_BYTES).read_to_end(&mut bytes).map(|_| bytes);
        let _ = sender.send(read);
    });
    let started = std::time::Instant::now();
    let stop = |child: &mut std::process::Child, why: String| {
        let _ = child.kill();
        let _ = child.wait();
        Err(SoundError(why))
    };
    let bytes = loop {
        if interrupted() {
            return stop(&mut child, "the synthesiser was stopped for a new moment".into());
        }
        match wav.recv_timeout(Duration::from_millis(50)) {
            Ok(Ok(bytes)) => break bytes,
            Ok(Err(e)) => return stop(&mut child, format!("the synthesiser's output cannot be read: {e}")),
            Err(_) if started.elapsed() > DEADLINE => {
                return stop(&mut child, format!("the synthesiser took more than {} s", DEADLINE.as_secs()));
            }
            Err(_) => {}
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    // espeak-ng writes to a pipe with the RIFF sizes unknown: read the samples up to the end.
    let reader = hound::WavReader::new(std::io::Cursor::new(bytes))
        .map_err(|e| SoundError(format!("the synthesiser's output is not WAV: {e}")))?;
    let spec = reader.spec();
    if spec.channels != 1 || spec.bits_per_sample != 16 {
        return Err(SoundError("the synthesiser's output is not 16-bit mono".into()));
    }
    let samples: Vec<i16> = reader.into_samples::<i16>().map_while(Result::ok).collect();
    if samples.is_empty() {
        return Err(SoundError("the synthesiser said nothing".into()));
    }
    Ok((spec.sample_rate, samples))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_spoken_by_the_synthesiser_and_its_absence_is_an_error_not_a_crash() {
        // scripts/setup.sh installs espeak-ng (the package recommends it on the board).
        let never = || false;
        let (rate, samples) = synthesise("请稍等，工作人员马上到", &never).unwrap();
        assert_eq!(rate, 22_050);
        assert!(samples.len() > rate as usize / 2, "at least half a second of speech");
        assert!(synthesise("-v xx --stdout", &never).is_ok(), "text that looks like options is spoken, not obeyed");
        let missing = synthesise_with("/nonexistent/espeak-ng", "hello", &never).map(|(rate, _)| rate);
        assert!(matches!(&missing, Err(e) if e.0.contains("cannot start")), "{missing:?}");
        let stopped = synthesise("请稍等，工作人员马上到", &|| true).map(|(rate, _)| rate);
        assert!(matches!(&stopped, Err(e) if e.0.contains("new moment")), "{stopped:?}");
    }
}
