//! A proxy on loopback in front of the real Request Tracker, whose faults a test controls:
//! 503s, answers cut halfway, garbage instead of JSON, 401, connections closed without an
//! answer, answers held back past Smena's timeout, 429s, and requests held until released.
#![allow(dead_code)]

use super::http::{closing, exchange, read_request};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fault {
    None,
    /// 503 to every request.
    Unavailable,
    /// The request reaches RT, but only half of RT's answer comes back.
    CutHalf,
    /// 200 with an HTML page instead of JSON.
    Garbage,
    /// 401, as if the token had been revoked.
    Unauthorized,
    /// The connection is closed as soon as the request arrives.
    Hangup,
    /// The request reaches RT, but its answer is held back longer than Smena waits.
    Stall,
    /// A request is answered 429 with `Retry-After: 1` the first time it comes, as a busy
    /// ITSM does, and let through when it is sent again.
    Throttled,
}

/// How long Smena waits for an answer in these tests (`SMENA_ITSM_TIMEOUT`, seconds), and
/// how long a stalled answer is held back.
pub const TIMEOUT: &str = "2";
const STALL: std::time::Duration = std::time::Duration::from_secs(4);

/// A proxy in front of RT; `fault` applies to writes (PUT, POST) or to every request.
pub struct Proxy {
    pub url: String,
    fault: Arc<Mutex<(Fault, bool)>>,
    /// Requests answered 429 so far.
    pub throttled: Arc<std::sync::atomic::AtomicU32>,
    /// Requests held, and every request's first line.
    held: Arc<(Mutex<Gate>, Condvar)>,
}

/// Requests whose first line holds `pattern` wait until it is cleared.
#[derive(Default)]
struct Gate {
    pattern: Option<String>,
    /// How many wait now.
    waiting: u32,
    /// Every request's first line so far.
    seen: Vec<String>,
}

fn respond(c: &mut TcpStream, status: &str, body: &str) {
    respond_with(c, status, "", body);
}

fn respond_with(c: &mut TcpStream, status: &str, header: &str, body: &str) {
    let _ = write!(c, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{header}Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
}

impl Proxy {
    pub fn start(target: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = target.trim_start_matches("http://").to_string();
        let fault = Arc::new(Mutex::new((Fault::None, true)));
        let shared = fault.clone();
        let throttled = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counted = throttled.clone();
        let seen = Arc::new(Mutex::new(std::collections::HashSet::<Vec<u8>>::new()));
        let held = Arc::new((Mutex::new(Gate::default()), Condvar::new()));
        let gate = held.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut c) = conn else { continue };
                let upstream = upstream.clone();
                let (mode, writes_only) = *shared.lock().unwrap();
                let (counted, seen, gate) = (counted.clone(), seen.clone(), gate.clone());
                std::thread::spawn(move || {
                    let Some(request) = read_request(&mut c) else { return };
                    let line = String::from_utf8_lossy(&request[..request.iter().position(|b| *b == b'\n').unwrap_or(request.len())]).to_string();
                    let (lock, opened) = &*gate;
                    let mut state = lock.lock().unwrap();
                    state.seen.push(line.trim().to_string());
                    if state.pattern.as_deref().is_some_and(|p| line.contains(p)) {
                        state.waiting += 1;
                        opened.notify_all();
                        state = opened.wait_while(state, |s| s.pattern.as_deref().is_some_and(|p| line.contains(p))).unwrap();
                        state.waiting -= 1;
                    }
                    drop(state);
                    let is_write = request.starts_with(b"PUT") || request.starts_with(b"POST");
                    let mode = if writes_only && !is_write { Fault::None } else { mode };
                    let mode = if mode == Fault::Throttled && !seen.lock().unwrap().insert(request.clone()) { Fault::None } else { mode };
                    match mode {
                        Fault::Unavailable => respond(&mut c, "503 Service Unavailable", ""),
                        Fault::Garbage => respond(&mut c, "200 OK", "<html><body>Proxy error</body></html>"),
                        Fault::Unauthorized => respond(&mut c, "401 Unauthorized", r#"{"message":"Unauthorized"}"#),
                        Fault::Hangup => {}
                        Fault::Throttled => {
                            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            respond_with(&mut c, "429 Too Many Requests", "Retry-After: 1\r\n", r#"{"message":"Too many requests"}"#);
                        }
                        Fault::None | Fault::CutHalf | Fault::Stall => {
                            let answer = exchange(&upstream, &closing(&request));
                            if mode == Fault::Stall {
                                std::thread::sleep(STALL);
                            }
                            let keep = if mode == Fault::CutHalf { answer.len() / 2 } else { answer.len() };
                            let _ = c.write_all(&answer[..keep]);
                        }
                    }
                });
            }
        });
        Proxy { url, fault, throttled, held }
    }

    /// Holds every request whose first line (method, path and query) contains `pattern`
    /// until [`Proxy::release`].
    pub fn hold(&self, pattern: &str) {
        self.held.0.lock().unwrap().pattern = Some(pattern.to_string());
    }

    /// Lets the held requests go on.
    pub fn release(&self) {
        let (lock, opened) = &*self.held;
        lock.lock().unwrap().pattern = None;
        opened.notify_all();
    }

    /// Waits until a request is held (up to a minute).
    pub fn wait_held(&self) {
        let (lock, opened) = &*self.held;
        let (state, timeout) = opened.wait_timeout_while(lock.lock().unwrap(), std::time::Duration::from_secs(60), |s| s.waiting == 0).unwrap();
        let last: Vec<&String> = state.seen.iter().rev().take(5).collect();
        assert!(!timeout.timed_out() || state.waiting > 0, "no request was held within a minute; {} requests, the last: {last:#?}", state.seen.len());
    }

    pub fn set(&self, fault: Fault, writes_only: bool) {
        *self.fault.lock().unwrap() = (fault, writes_only);
    }
}
