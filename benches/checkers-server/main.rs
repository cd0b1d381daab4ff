//! A tiny real server for benches/checkers.sh, built static with
//! `rustc --target x86_64-unknown-linux-musl -O main.rs`.
//!
//!   checkers-server ADDR FIRST_PORT LAST_PORT
//!
//! Listens on ADDR (0.0.0.0 serves every address of the namespace) at each
//! port from FIRST_PORT to LAST_PORT, one thread a port. Every connection
//! gets, after its request (or EOF, or 2 s of silence), a minimal
//! `HTTP/1.0 200 OK` answer and is closed: enough for TCP_CHECK (connect and
//! close) and HTTP_GET (status 200). One process serves thousands of
//! (address, port) real servers, which busybox httpd's fork per connection
//! could not in a TCG VM.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const ANSWER: &[u8] =
    b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

fn serve(mut s: TcpStream) {
    let _ = s.set_read_timeout(Some(Duration::from_millis(2000)));
    let mut buf = [0u8; 2048];
    let mut seen = Vec::new();
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return, // closed (TCP_CHECK) or silent
            Ok(n) => {
                seen.extend_from_slice(&buf[..n]);
                if seen.windows(4).any(|w| w == b"\r\n\r\n")
                    || seen.len() > 8192
                {
                    break;
                }
            }
        }
    }
    let _ = s.write_all(ANSWER);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: checkers-server ADDR FIRST_PORT LAST_PORT");
        std::process::exit(2);
    }
    let addr = &args[1];
    let (first, last): (u16, u16) = match (args[2].parse(), args[3].parse()) {
        (Ok(a), Ok(b)) if a <= b => (a, b),
        _ => {
            eprintln!("checkers-server: bad port range");
            std::process::exit(2);
        }
    };
    let mut threads = Vec::new();
    for port in first..=last {
        let l = match TcpListener::bind((addr.as_str(), port)) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("checkers-server: bind {addr}:{port}: {e}");
                std::process::exit(1);
            }
        };
        threads.push(
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    for s in l.incoming().flatten() {
                        serve(s);
                    }
                })
                .unwrap_or_else(|e| {
                    eprintln!("checkers-server: thread: {e}");
                    std::process::exit(1);
                }),
        );
    }
    for t in threads {
        let _ = t.join();
    }
}
