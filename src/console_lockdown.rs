//! The kiosk's virtual terminal, locked while the kiosk runs on it: graphics mode (the kernel
//! draws no text, no cursor, and its console blanker leaves the screen alone) and the keyboard
//! off (no Ctrl+Alt+F1..F12 switches away, no key reaches a shell). Both are put back when the
//! kiosk ends. On a terminal that is not a virtual console (SSH, a desktop) nothing is done.

use std::os::fd::{AsRawFd, BorrowedFd};

// From <linux/kd.h>.
const KDSETMODE: libc::c_ulong = 0x4B3A;
const KDGKBMODE: libc::c_ulong = 0x4B44;
const KDSKBMODE: libc::c_ulong = 0x4B45;
const KD_TEXT: libc::c_int = 0;
const KD_GRAPHICS: libc::c_int = 1;
const K_OFF: libc::c_int = 4;

/// The locked console, unlocked when dropped.
#[derive(Debug)]
pub struct LockedConsole {
    fd: i32,
    keyboard_mode: libc::c_int,
}

/// Locks the virtual console on `fd` (the kiosk's stdin under systemd's `TTYPath`); `None` if it
/// is not a virtual console.
pub fn lock(fd: BorrowedFd<'_>) -> Option<LockedConsole> {
    let fd = fd.as_raw_fd();
    let mut keyboard_mode: libc::c_int = 0;
    // SAFETY: KDGKBMODE writes one int through the pointer, which points at one.
    if unsafe { libc::ioctl(fd, KDGKBMODE, &mut keyboard_mode) } != 0 {
        return None;
    }
    // SAFETY: KDSETMODE and KDSKBMODE take their argument by value.
    let graphics = unsafe { libc::ioctl(fd, KDSETMODE, KD_GRAPHICS) } == 0;
    let keyboard_off = unsafe { libc::ioctl(fd, KDSKBMODE, K_OFF) } == 0;
    if !(graphics && keyboard_off) {
        tracing::warn!(
            "the kiosk's console could not be locked (graphics mode {graphics}, keyboard off {keyboard_off}): \
             run the kiosk as root on its virtual terminal (the systemd unit does)"
        );
    }
    Some(LockedConsole { fd, keyboard_mode })
}

impl Drop for LockedConsole {
    fn drop(&mut self) {
        // SAFETY: as in `lock`, arguments by value on the descriptor locked there.
        unsafe {
            libc::ioctl(self.fd, KDSKBMODE, self.keyboard_mode);
            libc::ioctl(self.fd, KDSETMODE, KD_TEXT);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_file_or_pipe_is_not_a_console_and_is_left_alone() {
        use std::os::fd::AsFd;
        let file = tempfile::tempfile().unwrap();
        assert!(super::lock(file.as_fd()).is_none());
        let (reader, _writer) = std::io::pipe().unwrap();
        assert!(super::lock(reader.as_fd()).is_none());
    }
}
