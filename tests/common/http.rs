//! One HTTP/1.1 exchange on loopback, by hand: a request read whole from a connection, made
//! to close its connection after one answer, and sent on to a server. Shared by the tests'
//! fault proxy (`tests/common/proxy.rs`) and the benchmark's recording proxy
//! (`src-tauri/core/benches/replica.rs`, by path).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;

/// One request from `c`: its head and its body (by Content-Length); none if the connection
/// ends first.
pub fn read_request(c: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = c.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let length = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = c.read(&mut chunk).ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
    }
}

/// The request with `Connection: close`, so one connection carries one exchange.
pub fn closing(request: &[u8]) -> Vec<u8> {
    let end = request.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out: Vec<String> = head.lines().filter(|l| !l.to_lowercase().starts_with("connection:")).map(str::to_string).collect();
    out.push("Connection: close".into());
    let mut bytes = (out.join("\r\n") + "\r\n\r\n").into_bytes();
    bytes.extend_from_slice(&request[end + 4..]);
    bytes
}

/// Sends `request` (made [`closing`]) to `upstream` (host:port) and reads the whole answer.
pub fn exchange(upstream: &str, request: &[u8]) -> Vec<u8> {
    let mut server = TcpStream::connect(upstream).unwrap();
    server.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = server.read_to_end(&mut answer);
    answer
}
