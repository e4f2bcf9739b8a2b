//! The accept loop. axum's own `serve` set no header or idle timeout and no
//! bound on connections: in the probe a connection trickling its headers
//! stayed open 331 s, idle and connect-only sockets never closed, and with a
//! low open-files limit a few hundred of them stopped the server accepting
//! (`Too many open files`). Here every connection must send its headers, and
//! must send the next request, within `header_timeout`; at most `max` are
//! open at once (websockets included) and one more is answered 503 and
//! closed, not left waiting; an accept error (descriptors exhausted) is
//! waited out and accepting goes on.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::config::Settings;
use crate::head_errors::ProblemHeads;
use crate::http::error::ApiError;

/// Descriptors kept free beyond the connections: the database pool, the
/// SQLite files, and the short-lived refusals below.
const RESERVED_DESCRIPTORS: u64 = 128;
/// Refusals (503 answers) in flight at once; beyond them a connection over
/// the limit is closed without an answer.
const REFUSALS_AT_ONCE: usize = 64;
/// How long a refusal may take to be written and its request drained.
const REFUSAL_TIME: Duration = Duration::from_secs(1);
/// After an accept error, the pause before the next try (descriptors may
/// be freed by then); short, so a burst costs little.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);
/// How long shutdown waits for requests in flight.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// A connection's place among the `max`, in each request's extensions: a
/// websocket keeps it after the upgrade, when hyper's connection has ended.
#[derive(Debug, Clone)]
pub struct ConnectionSlot(#[allow(dead_code)] Arc<tokio::sync::OwnedSemaphorePermit>);

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max: usize,
    pub header_timeout: Duration,
}

impl ConnectionLimits {
    pub fn from_settings(settings: &Settings) -> ConnectionLimits {
        let max = match settings.max_connections {
            Some(max) => usize::try_from(max).unwrap_or(usize::MAX),
            None => default_max(open_files_limit()),
        };
        ConnectionLimits { max, header_timeout: Duration::from_secs(settings.header_timeout_secs) }
    }
}

/// What an open-files limit leaves room for; 1024 connections when the
/// limit cannot be read.
pub fn default_max(open_files: Option<u64>) -> usize {
    let room = open_files.map_or(1024, |limit| limit.saturating_sub(RESERVED_DESCRIPTORS).max(16));
    usize::try_from(room.min(65_536)).unwrap_or(65_536)
}

/// The soft limit on open files, from `/proc/self/limits` (Linux).
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|line| line.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files").split_whitespace().next()?.parse().ok()
}

/// The whole refusal of a connection over the limit.
static OVERLOADED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    ApiError::Overloaded("the server has as many connections open as it can hold; try again shortly").raw_http1_answer()
});

/// Serves `app` on `listener` until `shutdown` completes, then lets the
/// requests in flight finish (up to `DRAIN_TIME`).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let open = Arc::new(Semaphore::new(limits.max));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let stopping = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // Room above the request-head limits the middleware answers as problems
    // (hyper's own 431 has no body): twice the header bytes and count.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        .max_buf_size(4 * crate::http::middleware::MAX_HEADER_BYTES)
        .max_headers(2 * crate::http::middleware::MAX_HEADERS);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    metrics::counter!("minga_accept_errors_total").increment(1);
                    tracing::warn!(error = %err, "could not accept a connection; trying again shortly");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics::counter!("minga_connections_refused_total").increment(1);
            if let Ok(refusal) = refusals.clone().try_acquire_owned() {
                tokio::spawn(async move {
                    refuse(stream).await;
                    drop(refusal);
                });
            }
            continue;
        };
        let slot = ConnectionSlot(Arc::new(permit));
        let held = slot.clone();
        let service = app.clone().map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request.extensions_mut().insert(held.clone());
            request
        });
        let connection = http
            .serve_connection(TokioIo::new(ProblemHeads::new(stream)), TowerToHyperService::new(service))
            .with_upgrades();
        let stopping = stopping.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            // A closed, reset or timed-out connection is the client's affair.
            tokio::select! {
                _ = connection.as_mut() => {}
                () = stopping.cancelled() => {
                    // Finish the request in flight, then close.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
        });
    }
    drop(listener);
    stopping.cancel();
    connections.close();
    if tokio::time::timeout(DRAIN_TIME, connections.wait()).await.is_err() {
        tracing::warn!(open = connections.len(), "some requests did not finish in time");
    }
}

/// 503 with Retry-After once the request's head has arrived (a client
/// answered before it has sent its request takes the answer for garbage),
/// then the rest is read and dropped so closing does not reset the
/// connection before the client has read the answer.
async fn refuse(mut stream: TcpStream) {
    let answer = async {
        let mut head = Vec::with_capacity(1024);
        let mut buffer = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            let n = stream.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..n]);
        }
        stream.write_all(OVERLOADED.as_bytes()).await?;
        stream.shutdown().await?;
        while stream.read(&mut buffer).await? > 0 {}
        Ok::<(), std::io::Error>(())
    };
    let _ = tokio::time::timeout(REFUSAL_TIME, answer).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_leaves_descriptors_for_the_rest() {
        assert_eq!(default_max(Some(1024)), 896);
        assert_eq!(default_max(Some(64)), 16, "a very low limit still serves a few");
        assert_eq!(default_max(None), 1024);
        assert_eq!(default_max(Some(1 << 20)), 65_536);
    }

    #[test]
    fn the_refusal_is_a_whole_problem_answer() {
        let (head, body) = OVERLOADED.split_once("\r\n\r\n").unwrap_or_default();
        let length: usize = head
            .lines()
            .find_map(|line| line.strip_prefix("content-length: "))
            .and_then(|n| n.parse().ok())
            .unwrap_or_default();
        assert_eq!(length, body.len());
        let problem: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        assert_eq!(problem["code"], "unavailable");
        assert_eq!(problem["status"], 503);
    }
}
