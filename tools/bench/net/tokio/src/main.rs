//! The tokio peer of aiosim's network benchmarks (tools/bench/net_compare.py): the same two
//! benchmarks as every peer, server and clients in one process on tokio's single-threaded
//! runtime, over loopback with an OS-chosen port.
//!
//!     net_echo_tokio rr CONNECTIONS SECONDS   round trips of a 64-byte message; prints
//!                                             {"round_trips": N, "seconds": S}
//!     net_echo_tokio bulk BYTES               BYTES one way, in 256 KiB writes; prints
//!                                             {"bytes": N, "seconds": S}
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MESSAGE: usize = 64;
const CHUNK: usize = 256 * 1024;

async fn echo(mut s: TcpStream) {
    s.set_nodelay(true).ok();
    let mut buf = [0u8; MESSAGE];
    while s.read_exact(&mut buf).await.is_ok() {
        if s.write_all(&buf).await.is_err() {
            break;
        }
    }
}

async fn client(port: u16, deadline: Instant) -> u64 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    s.set_nodelay(true).ok();
    let msg = [b'x'; MESSAGE];
    let mut buf = [0u8; MESSAGE];
    let mut n = 0u64;
    while Instant::now() < deadline {
        s.write_all(&msg).await.expect("write");
        s.read_exact(&mut buf).await.expect("read");
        n += 1;
    }
    n
}

async fn round_trips(connections: usize, seconds: f64) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::task::spawn_local(async move {
        loop {
            let (s, _) = listener.accept().await.expect("accept");
            tokio::task::spawn_local(echo(s));
        }
    });
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let clients: Vec<_> = (0..connections).map(|_| tokio::task::spawn_local(client(port, deadline))).collect();
    let mut total = 0u64;
    for c in clients {
        total += c.await.expect("client");
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!("{{\"round_trips\": {}, \"seconds\": {:.6}}}", total, elapsed);
}

async fn bulk(bytes: u64) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = tokio::task::spawn_local(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut buf = vec![0u8; CHUNK];
        let mut got = 0u64;
        loop {
            let n = s.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            got += n as u64;
        }
        s.write_all(format!("{}\n", got).as_bytes()).await.expect("reply");
        got
    });
    let start = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let chunk = vec![b'y'; CHUNK];
    let mut sent = 0u64;
    while sent < bytes {
        let n = std::cmp::min(CHUNK as u64, bytes - sent) as usize;
        s.write_all(&chunk[..n]).await.expect("write");
        sent += n as u64;
    }
    s.shutdown().await.expect("shutdown");
    let mut reply = String::new();
    s.read_to_string(&mut reply).await.expect("reply");
    let elapsed = start.elapsed().as_secs_f64();
    let got = server.await.expect("server");
    assert_eq!(got, bytes, "the server received {} of {} bytes", got, bytes);
    assert_eq!(reply.trim(), bytes.to_string());
    println!("{{\"bytes\": {}, \"seconds\": {:.6}}}", got, elapsed);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: net_echo_tokio rr CONNECTIONS SECONDS | bulk BYTES";
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let local = tokio::task::LocalSet::new();
    match args.get(1).map(String::as_str) {
        Some("rr") if args.len() == 4 => {
            let c: usize = args[2].parse().expect(usage);
            let s: f64 = args[3].parse().expect(usage);
            local.block_on(&rt, round_trips(c, s));
        }
        Some("bulk") if args.len() == 3 => {
            let b: u64 = args[2].parse().expect(usage);
            local.block_on(&rt, bulk(b));
        }
        _ => {
            eprintln!("{}", usage);
            std::process::exit(2);
        }
    }
}
