//! A resident's hands for the headless demo walk and the soak: taps by accessible label, types
//! digits on the keypad, waits for a screen to say something, saves a screen as a PNG.

use crate::ui::KioskUi;
use crate::ui::by_label;
use crate::ui::screenshot::{save_png, snapshot};
use anyhow::{Result, anyhow, bail};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a step may take before the walk gives up (the printer at 9600 baud takes seconds).
pub const STEP_LIMIT: Duration = Duration::from_secs(30);

pub struct Walker<'a> {
    pub ui: Rc<KioskUi>,
    pub screens: PathBuf,
    pub shot: usize,
    pub say: &'a mut dyn FnMut(&str),
}

impl Walker<'_> {
    pub fn text(&self) -> String {
        by_label::screen_text(&self.ui.window)
    }

    pub fn tap(&mut self, label: &str) -> Result<()> {
        self.ui.tick();
        // A list row is labelled with more than its title.
        let found = by_label::labelled(&self.ui.window, label).or_else(|| by_label::containing(&self.ui.window, label));
        let element = found.ok_or_else(|| {
            anyhow!("the demo walk found nothing labelled {label:?}; the screen says:\n{}", self.text())
        })?;
        element.invoke_accessible_default_action();
        Ok(())
    }

    pub fn type_digits(&mut self, digits: &str) -> Result<()> {
        digits.chars().try_for_each(|d| self.tap(&d.to_string()))
    }

    /// Ticks the UI (device and server answers come in) until the screen shows `part`.
    pub fn wait_for(&mut self, part: &str) -> Result<()> {
        self.wait_for_any(&[part]).map(|_| ())
    }

    /// Like [`Self::wait_for`], for the first of several; returns which one showed.
    pub fn wait_for_any(&mut self, parts: &[&str]) -> Result<usize> {
        let deadline = Instant::now() + STEP_LIMIT;
        while Instant::now() < deadline {
            self.ui.tick();
            let text = self.text();
            if let Some(found) = parts.iter().position(|part| text.contains(part)) {
                return Ok(found);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("the demo walk waited {} s for {parts:?}; the screen says:\n{}", STEP_LIMIT.as_secs(), self.text())
    }

    /// Prints the step and saves the screen as it is now.
    pub fn step(&mut self, name: &str, what: &str) -> Result<()> {
        self.shot += 1;
        let path = self.screens.join(format!("{:02}-{name}.png", self.shot));
        save_png(&snapshot(&self.ui)?, &path)?;
        (self.say)(&format!("{what}  [{}]", path.display()));
        Ok(())
    }
}
