//! Device-layer benchmarks, each against its peer or physical limit measured in the same run:
//! receipt encoding against python-escpos, print time on the simulated printer against the wire
//! time, SAM frame decoding against the reader's line speed. Run: `scripts/bench.sh`.

use citizen_window_hardware::escpos::receipt::Alignment;
use citizen_window_hardware::escpos::{Receipt, ReceiptEncoder};
use citizen_window_hardware::printer::{PrintOutcome, PrinterDriver, PrinterProfile};
use citizen_window_hardware::sam::frame::{self, Digest, digest};
use citizen_window_hardware::sam::id_card::IdCard;
use citizen_window_hardware::serial_link::SerialPortOpener;
use citizen_window_hardware::sim::SimulatedDevice;
use citizen_window_hardware::sim::printer::{PrintedElement, PrintedReceipt, SimPrinter};
use citizen_window_hardware::sim::pty_host::PtyHost;
use citizen_window_hardware::sim::sam_reader::{SimCard, sample_cards_dir};
use std::hint::black_box;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    println!("# Device-layer benchmarks\n");
    encoding_against_python_escpos();
    print_time_against_wire_time();
    sam_decoder_throughput();
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The receipt as the simulated printer saw it, as operations python-escpos can replay.
fn laid_out_ops(profile: &PrinterProfile, bytes: &[u8]) -> serde_json::Value {
    let (mut sim, done) = SimPrinter::with_receipt_log(profile.clone());
    sim.receive(bytes, Instant::now());
    let receipt = done.lock().unwrap()[0].clone();
    let align = |a: Alignment| match a {
        Alignment::Left => "left",
        Alignment::Centre => "center",
        Alignment::Right => "right",
    };
    let mut ops = Vec::new();
    for element in &receipt.elements {
        match element {
            PrintedElement::Line { runs, align: a } => {
                let first = &runs[0];
                let text: String = runs.iter().map(|r| r.text.as_str()).collect();
                ops.push(serde_json::json!({"kind": "line", "text": text, "align": align(*a), "bold": first.bold, "width": first.width, "height": first.height}));
            }
            PrintedElement::Qr { data, module_size, align: a } => ops
                .push(serde_json::json!({"kind": "qr", "data": data, "module_size": module_size, "align": align(*a)})),
            // The cut command feeds by itself in both libraries.
            PrintedElement::Feed { .. } => {}
            PrintedElement::Image { .. } | PrintedElement::PaperEnd => unreachable!("the sample has no images"),
        }
    }
    ops.push(serde_json::json!({"kind": "cut", "mode": "PART"}));
    serde_json::Value::Array(ops)
}

fn encoding_against_python_escpos() {
    let profile = PrinterProfile::default_profile();
    let receipt = Receipt::sample_payment();
    let encoder = ReceiptEncoder::new(&profile);
    let bytes = encoder.encode(&receipt).unwrap();
    let iterations = 200_000;
    let mut runs = Vec::new();
    let mut out = Vec::with_capacity(2048);
    for _ in 0..5 {
        let started = Instant::now();
        for _ in 0..iterations {
            out.clear();
            encoder.encode_into(black_box(&receipt), &mut out).unwrap();
            black_box(&out);
        }
        runs.push(started.elapsed().as_secs_f64() / f64::from(iterations));
    }
    let ours = median(runs);

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_escpos_receipt.py");
    let ops = laid_out_ops(&profile, &bytes);
    let peer = Command::new("python3")
        .args([script, "3000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(ops.to_string().as_bytes())?;
            child.wait_with_output()
        });
    println!("## Standard payment receipt: encoding (58 mm, GB18030, native QR)\n");
    println!("| encoder | bytes | time per receipt |");
    println!("|---|---:|---:|");
    println!("| citizen-window-hardware (layout included) | {} | {:.2} µs |", bytes.len(), ours * 1e6);
    match peer {
        Ok(output) if output.status.success() => {
            let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            let peer_bytes = result["bytes"].as_u64().unwrap();
            let peer_time = result["seconds_per_receipt"].as_f64().unwrap();
            println!("| python-escpos 3 (pre-laid-out lines) | {peer_bytes} | {:.2} µs |", peer_time * 1e6);
            println!(
                "\nbytes ratio (ours / python-escpos): {:.3}; speed ratio (python-escpos time / ours): {:.1}x\n",
                bytes.len() as f64 / peer_bytes as f64,
                peer_time / ours
            );
        }
        Ok(output) => println!(
            "\npython-escpos run failed ({}): install it with `pip install python-escpos`\n",
            String::from_utf8_lossy(&output.stderr).lines().last().unwrap_or("")
        ),
        Err(e) => println!("\npython3 not available: {e}\n"),
    }
}

fn print_time_against_wire_time() {
    println!("## Print time on the simulated printer against the wire time\n");
    println!(
        "Wire time counts every byte on the line in both directions (status queries and answers, the job, GS r 1 and its answer), 10 bits a byte.\n"
    );
    println!(
        "| profile | baud | job bytes | bytes on the wire | wire time | measured (median of 5) | measured / wire |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (profile_name, baud) in [
        ("generic-58mm", 9600),
        ("generic-58mm", 115_200),
        ("generic-80mm", 115_200),
        ("generic-58mm-raster-qr", 115_200),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let port = dir.path().join("printer");
        let mut profile = PrinterProfile::load(profile_name).unwrap();
        profile.baud = baud;
        let sim = SimPrinter::new(profile.clone(), Box::new(|_: PrintedReceipt, _: &PrinterProfile| {}));
        let _host = PtyHost::start(Box::new(sim), &port, baud).unwrap();
        let mut driver = PrinterDriver::new(SerialPortOpener::new(&port, baud), profile.clone());
        let job = ReceiptEncoder::new(&profile).encode(&Receipt::sample_payment()).unwrap();
        driver.status().unwrap();
        let mut runs = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            let outcome = driver.print(&job).unwrap();
            assert!(matches!(outcome, PrintOutcome::Confirmed { .. }), "{outcome:?}");
            runs.push(started.elapsed().as_secs_f64());
        }
        let measured = median(runs);
        // 4 status queries of 3 bytes and their 1-byte answers, the job, GS r 1 and its answer.
        let wire_bytes = 4 * (3 + 1) + job.len() + 3 + 1;
        let wire = wire_bytes as f64 * 10.0 / f64::from(baud);
        println!(
            "| {profile_name} | {baud} | {} | {wire_bytes} | {:.1} ms | {:.1} ms | {:.3} |",
            job.len(),
            wire * 1e3,
            measured * 1e3,
            measured / wire
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    println!();
}

fn sam_decoder_throughput() {
    let card = SimCard::load(&sample_cards_dir().join("zhang-wei.json")).unwrap();
    let mut one = Vec::new();
    frame::encode(&card.read_answer_payload().unwrap(), &mut one);
    assert_eq!(one.len(), 1295);
    let frames = 20_000;
    let stream: Vec<u8> = one.iter().copied().cycle().take(one.len() * frames).collect();
    let decode_frames = || {
        let mut rest = &stream[..];
        let mut count = 0;
        while let Digest::Frame { payload, consumed } = digest(rest) {
            black_box(payload);
            rest = &rest[consumed..];
            count += 1;
        }
        count
    };
    let decode_cards = || {
        let mut rest = &stream[..];
        let mut count = 0;
        while let Digest::Frame { payload, consumed } = digest(rest) {
            black_box(IdCard::from_read_answer(payload).unwrap());
            rest = &rest[consumed..];
            count += 1;
        }
        count
    };
    let mb = stream.len() as f64 / 1e6;
    let mut frame_runs = Vec::new();
    let mut card_runs = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        assert_eq!(decode_frames(), frames);
        frame_runs.push(mb / started.elapsed().as_secs_f64());
        let started = Instant::now();
        assert_eq!(decode_cards(), frames);
        card_runs.push(mb / started.elapsed().as_secs_f64());
    }
    let line_rate = 115_200.0 / 10.0 / 1e6;
    let (frames_mbs, cards_mbs) = (median(frame_runs), median(card_runs));
    println!("## SAM decoder throughput (1295-byte read answers, {frames} frames, {mb:.1} MB)\n");
    println!("| stage | throughput (median of 7) | ratio to the reader's line rate at 115200 baud (0.0115 MB/s) |");
    println!("|---|---:|---:|");
    println!("| frame decode (sync, length, XOR checksum) | {frames_mbs:.0} MB/s | {:.0}x |", frames_mbs / line_rate);
    println!(
        "| frame decode + card decode (UCS-2 fields, dates, ID check) | {cards_mbs:.0} MB/s | {:.0}x |",
        cards_mbs / line_rate
    );
    println!();
}
