//! Out of descriptors, the server keeps accepting (defect 2 of the
//! integrity issue). Run with `ulimit -n 96` and a connection limit set
//! above what that allows, 150 sockets that connect and send nothing
//! exhaust the process's descriptors: accepting fails with `Too many open
//! files`. Before, those sockets were never closed and `/readyz` never
//! answered again; now each is closed after the header timeout, the accept
//! error is waited out, and the server answers.

mod common;

use std::time::{Duration, Instant};

use common::{Dir, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_answers_again_after_running_out_of_descriptors() {
    let dir = Dir::new();
    let env = [("MINGA_HEADER_TIMEOUT_SECS", "2"), ("MINGA_MAX_CONNECTIONS", "1000"), ("RUST_LOG", "info")];
    let mut server = Server::start_with_open_files(&dir.0, &env, 96);
    server.wait_ready().await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut silent = Vec::new();
    for _ in 0..150 {
        silent.push(tokio::net::TcpStream::connect(&address).await.expect("the kernel accepts the connection"));
    }
    let started = Instant::now();
    let answered = async {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().expect("client");
        loop {
            if let Ok(response) = client.get(format!("{}/readyz", server.base)).send().await {
                if response.status() == 200 {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), answered)
        .await
        .unwrap_or_else(|_| panic!("/readyz did not answer while 150 silent sockets are held: {}", server.log_text()));
    let log = server.log_text();
    assert!(log.contains("could not accept a connection"), "the descriptors did run out: {log}");
    assert!(started.elapsed() >= Duration::from_secs(1), "answered only once the silent sockets timed out");
    assert!(server.child.try_wait().expect("wait").is_none(), "still running");
    drop(silent);
}
