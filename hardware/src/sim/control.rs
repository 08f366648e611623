//! The simulator's control socket: a Unix socket that takes one command per line ("paper out",
//! "place zhang-wei") and answers with one line, "ok ..." or "error ...".

use super::pty_host::PtyController;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::time::Duration;

/// Serves control commands for one simulated device until the process ends.
pub fn serve(socket: &Path, controller: PtyController) -> std::io::Result<()> {
    if socket.exists() {
        std::fs::remove_file(socket)?;
    }
    let listener = UnixListener::bind(socket)?;
    std::thread::Builder::new().name("devsim-control".into()).spawn(move || {
        for stream in listener.incoming().flatten() {
            let controller = controller.clone();
            let _ = handle(stream, &controller);
        }
    })?;
    Ok(())
}

fn handle(stream: UnixStream, controller: &PtyController) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut writer = stream.try_clone()?;
    for line in BufReader::new(stream).lines() {
        let line = line?;
        let answer = match controller.control(&line) {
            Ok(text) => format!("ok {text}"),
            Err(text) => format!("error {text}"),
        };
        writeln!(writer, "{}", answer.replace('\n', " "))?;
    }
    Ok(())
}

/// Sends one command to a control socket and returns the answer, or the error line as `Err`.
pub fn send(socket: &Path, command: &str) -> Result<String, String> {
    let mut stream = UnixStream::connect(socket)
        .map_err(|e| format!("cannot reach the simulator at {}: {e}; is devsim running?", socket.display()))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    writeln!(stream, "{command}").map_err(|e| e.to_string())?;
    stream.shutdown(std::net::Shutdown::Write).map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).map_err(|e| e.to_string())?;
    let line = line.trim_end();
    match line.strip_prefix("ok ") {
        Some(rest) => Ok(rest.to_string()),
        None => Err(line.strip_prefix("error ").unwrap_or(line).to_string()),
    }
}
