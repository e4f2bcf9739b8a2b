//! Connections are bounded (defect 2 of the integrity issue): a client that
//! trickles its headers, keeps an idle connection, or connects and sends
//! nothing is closed after the header timeout; one connection over the limit
//! is answered 503 with Retry-After, and served again once others close.
//! Before the bounds, each of these sockets stayed open indefinitely.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::{Duration, Instant};

use minga_tests::{Backend, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Longer than the one-second header timeout the tests set, by a margin a
/// slow CI machine still keeps.
const PATIENCE: Duration = Duration::from_secs(8);

async fn bounded_app() -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, &["--header-timeout-secs", "1", "--max-connections", "4"]).await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://")).await.unwrap()
}

/// Reads until the server closes the connection, and how long that took;
/// `None` if it was still open after `PATIENCE`.
async fn read_until_closed(stream: &mut TcpStream) -> Option<(Vec<u8>, Duration)> {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let reading = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(PATIENCE, reading).await.ok()?;
    Some((received, started.elapsed()))
}

const READYZ: &[u8] = b"GET /readyz HTTP/1.1\r\nhost: minga.test\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_is_closed() {
    let app = bounded_app().await;
    let mut silent = connect(&app).await;
    let (received, after) = read_until_closed(&mut silent).await.expect("a silent connection is closed");
    assert!(received.is_empty() || received.starts_with(b"HTTP/1.1 408"), "{:?}", String::from_utf8_lossy(&received));
    assert!(after >= Duration::from_millis(900), "not before the timeout: {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_headers_are_cut_off() {
    let app = bounded_app().await;
    let mut slow = connect(&app).await;
    let started = Instant::now();
    let mut closed = false;
    // One header byte every 200 ms: each arrives well within any per-read
    // timeout, yet the whole head takes far longer than a second.
    for byte in b"GET /readyz HTTP/1.1\r\nhost: minga.test\r\nx-padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        if started.elapsed() > PATIENCE {
            break;
        }
        let mut probe = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(Duration::from_millis(1), slow.read(&mut probe)).await {
            closed = true;
            break;
        }
    }
    assert!(closed, "a connection trickling its headers is closed");
    assert!(started.elapsed() < Duration::from_secs(5), "closed near the timeout: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let app = bounded_app().await;
    let mut idle = connect(&app).await;
    idle.write_all(READYZ).await.unwrap();
    let mut answer = [0u8; 1024];
    let n = idle.read(&mut answer).await.unwrap();
    assert!(answer[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer[..n]));
    let (rest, after) = read_until_closed(&mut idle).await.expect("an idle kept-alive connection is closed");
    assert!(!rest.starts_with(b"HTTP/1.1 200"), "no second answer");
    assert!(after >= Duration::from_millis(900), "kept alive until the timeout: {after:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_over_the_limit_is_told_to_come_back() {
    let app = TestApp::spawn_with(Backend::Sqlite, &["--header-timeout-secs", "30", "--max-connections", "4"]).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&app).await;
        stream.write_all(READYZ).await.unwrap();
        let mut answer = [0u8; 1024];
        let n = stream.read(&mut answer).await.unwrap();
        assert!(
            answer[..n].starts_with(b"HTTP/1.1 200"),
            "within the limit: {}",
            String::from_utf8_lossy(&answer[..n])
        );
        held.push(stream);
    }
    let mut fifth = connect(&app).await;
    fifth.write_all(READYZ).await.unwrap();
    let (refusal, _) = read_until_closed(&mut fifth).await.expect("the refusal is answered and closed");
    let refusal = String::from_utf8_lossy(&refusal).to_string();
    assert!(refusal.starts_with("HTTP/1.1 503"), "{refusal}");
    assert!(refusal.contains("retry-after: 1"), "{refusal}");
    assert!(refusal.contains("application/problem+json"), "{refusal}");
    assert!(refusal.contains(r#""code":"unavailable""#), "{refusal}");
    // reqwest, with a fresh connection, is refused the same way.
    let refused = reqwest::Client::new().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let problem: serde_json::Value = refused.json().await.expect("a whole problem+json body");
    assert_eq!(problem["code"], "unavailable");

    drop(held.pop());
    let served = async {
        loop {
            let response = reqwest::Client::new().get(app.url("/readyz")).send().await.unwrap();
            if response.status() == reqwest::StatusCode::OK {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    tokio::time::timeout(PATIENCE, served).await.expect("served again once a connection closed");
}

/// Before, hyper's own 414 and 431 answers had empty bodies; the request
/// head is now bounded below hyper's limits and answered as a problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_request_head_is_a_problem() {
    let app = bounded_app().await;
    let client = reqwest::Client::new();
    let long = format!("/api/v1/documents?x={}", "a".repeat(9 * 1024));
    let answer = client.get(app.url(&long)).send().await.unwrap();
    minga_tests::expect_problem(answer, reqwest::StatusCode::URI_TOO_LONG, "payload_too_large").await;

    let mut many = client.get(app.url("/readyz"));
    for n in 0..120 {
        many = many.header(format!("x-extra-{n}"), "1");
    }
    let answer = many.send().await.unwrap();
    minga_tests::expect_problem(answer, reqwest::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "payload_too_large")
        .await;

    let big = client.get(app.url("/readyz")).header("x-big", "b".repeat(40 * 1024)).send().await.unwrap();
    minga_tests::expect_problem(big, reqwest::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "payload_too_large").await;

    // Within the limits, the same request is served.
    let fine = client.get(app.url("/readyz")).header("x-big", "b".repeat(16 * 1024)).send().await.unwrap();
    assert_eq!(fine.status(), reqwest::StatusCode::OK);
}

/// Before, a head hyper itself could not read (a malformed request line or
/// header, a head beyond its buffer, which it answers 431) was answered with an
/// empty body; now it is a problem+json answer like every other error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_hyper_cannot_read_is_answered_as_a_problem() {
    let app = bounded_app().await;
    let beyond_the_buffer = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(200 * 1024));
    // A 200 KiB address is refused either way: 431 when hyper's buffer fills
    // before the head ends, 414 from Minga's own check when hyper happens to
    // have read it whole (it reads as the bytes arrive; both were seen).
    for (head, statuses) in [
        ("GARBAGE\r\n\r\n".to_owned(), &[400][..]),
        ("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n".to_owned(), &[400][..]),
        (beyond_the_buffer, &[431, 414][..]),
    ] {
        let mut stream = connect(&app).await;
        // The server may answer and close before it has read all of a long head.
        let _ = stream.write_all(head.as_bytes()).await;
        let (answer, _) = read_until_closed(&mut stream).await.expect("answered and closed");
        let answer = String::from_utf8_lossy(&answer);
        let (head_lines, body) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no head: {answer:?}"));
        let status: u16 = head_lines.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0);
        assert!(statuses.contains(&status), "{answer}");
        assert!(head_lines.contains("content-type: application/problem+json"), "{answer}");
        let problem: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {answer}"));
        assert_eq!(problem["status"], status, "{problem}");
    }
    // Those answers were hyper's: a good request on a new connection is served.
    let fine = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(fine.status(), reqwest::StatusCode::OK);
}
