//! The fan-out workload: `subscribers` websockets follow one topic; a few
//! posters publish with `in_flight` posts outstanding, each waiting until its
//! post has reached every (non-stalled) subscriber before sending the next.
//! Latency is from just before the POST is sent to the frame's arrival at
//! each subscriber. The same workload runs against Minga, the Node peer and
//! the raw ceiling.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpSocket;
use tokio::sync::{Notify, Semaphore};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

use crate::servers::Server;
use crate::setup::Session;
use crate::stats::{micros, Latencies};

/// How a post is made.
#[derive(Clone)]
pub enum Publish {
    /// A comment through Minga's API (persisted, then fanned out).
    Minga { session: Session, proposal: String },
    /// POST /publish on the peer or the ceiling: the body is the frame.
    Raw { url: String, frame_len: usize },
}

#[derive(Clone)]
pub struct Target {
    pub ws_url: String,
    pub token: Option<String>,
    pub topic: String,
    pub publish: Publish,
}

#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub subscribers: usize,
    /// Of the subscribers, how many stop reading once subscribed.
    pub stalled: usize,
    pub warmup: u32,
    pub posts: u32,
    pub in_flight: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Subscribers counted (the stalled ones are not).
    pub subscribers: usize,
    pub latencies: Latencies,
    pub deliveries_per_sec: f64,
    /// Deliveries that had not come 30 s after their post.
    pub lost: u64,
    /// Subscribers whose socket ended during the run.
    pub dropped: usize,
    /// Size of an event frame as received (Minga's, copied by the others).
    pub frame_len: usize,
    pub rss_idle_kib: u64,
    /// How long connecting and subscribing everyone took.
    pub connect: Duration,
    pub rss_before_kib: u64,
    /// Server CPU time per 1,000 deliveries.
    pub cpu_per_1k: Duration,
}

impl Outcome {
    /// Server memory each idle, subscribed socket added.
    pub fn kib_per_socket(&self, sockets: usize) -> f64 {
        self.rss_idle_kib.saturating_sub(self.rss_before_kib) as f64 / sockets.max(1) as f64
    }
}

struct Recorder {
    origin: Instant,
    expected: u32,
    warmup: u32,
    sent: Vec<AtomicU64>,
    received: Vec<AtomicU32>,
    completed: Vec<AtomicU64>,
    done: Vec<Notify>,
    frame_len: AtomicUsize,
}

impl Recorder {
    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// A frame for post `n` arrived: its latency, if measured.
    fn arrived(&self, n: usize) -> Option<u32> {
        let now = self.now();
        let sent = self.sent.get(n)?.load(Ordering::Acquire);
        let count = self.received[n].fetch_add(1, Ordering::AcqRel) + 1;
        if count == self.expected {
            self.completed[n].store(now, Ordering::Release);
            self.done[n].notify_one();
        }
        let measured = n >= self.warmup as usize;
        measured.then(|| micros(Duration::from_micros(now.saturating_sub(sent))))
    }
}

/// The post number in `bench#<n>#`, wherever the frame carries it.
pub fn marker(text: &str) -> Option<usize> {
    let at = text.find("bench#")? + "bench#".len();
    let rest = &text[at..];
    rest[..rest.find('#')?].parse().ok()
}

type Ws = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

pub async fn connect(url: &str, token: Option<&str>, small_receive_buffer: bool) -> anyhow::Result<Ws> {
    let mut request = url.into_client_request()?;
    if let Some(token) = token {
        request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    }
    let authority = url.split("://").nth(1).and_then(|rest| rest.split('/').next()).context("bad ws url")?;
    let socket = TcpSocket::new_v4()?;
    if small_receive_buffer {
        // A stalled reader whose kernel buffer fills fast, so the server sees it.
        socket.set_recv_buffer_size(4096)?;
    }
    let stream = socket.connect(authority.parse()?).await?;
    stream.set_nodelay(true)?;
    let config = WebSocketConfig::default().read_buffer_size(8 * 1024);
    let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
    Ok(ws)
}

async fn subscribe(target: &Target, stall: bool) -> anyhow::Result<Ws> {
    let mut ws = connect(&target.ws_url, target.token.as_deref(), stall).await?;
    let subscribe = serde_json::json!({"type": "subscribe", "topic": target.topic}).to_string();
    ws.send(Message::text(subscribe)).await?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) if text.as_str().contains(r#""type":"subscribed""#) => return Ok(ws),
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err(err.into()),
            None => bail!("closed before subscribed"),
        }
    }
}

/// Reads until `stop`; returns the latencies it measured and whether the
/// socket stayed open.
async fn listen(mut ws: Ws, recorder: &Recorder, stop: &CancellationToken) -> (Vec<u32>, bool) {
    let mut latencies = Vec::with_capacity(recorder.sent.len());
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => return (latencies, true),
            frame = ws.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    if let Some(n) = marker(text.as_str()) {
                        recorder.frame_len.store(text.len(), Ordering::Relaxed);
                        latencies.extend(recorder.arrived(n));
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => return (latencies, false),
            }
        }
    }
}

/// The body of post `n` for the peer and the ceiling: an event frame of
/// Minga's shape, padded to Minga's size.
fn raw_frame(n: usize, len: usize) -> String {
    let mut frame = format!(
        r#"{{"type":"event","topic":"proposal:bench","seq":{n},"kind":"comment.created","data":{{"body":"bench#{n}# "#
    );
    let tail = r#""}}"#;
    let pad = len.saturating_sub(frame.len() + tail.len());
    frame.extend(std::iter::repeat_n('x', pad));
    frame.push_str(tail);
    frame
}

async fn publish(publish: &Publish, client: &reqwest::Client, n: usize) -> anyhow::Result<()> {
    match publish {
        Publish::Minga { session, proposal } => {
            session.comment(client, proposal, format!("bench#{n}# a comment on the fan-out benchmark")).await
        }
        Publish::Raw { url, frame_len } => {
            client.post(url).body(raw_frame(n, *frame_len)).send().await?.error_for_status()?;
            Ok(())
        }
    }
}

/// Connects everyone, measures the server's memory, runs the posts.
pub async fn run(target: &Target, workload: Workload, server: &Server) -> anyhow::Result<Outcome> {
    let total = (workload.warmup + workload.posts) as usize;
    let recorder = Arc::new(Recorder {
        origin: Instant::now(),
        expected: u32::try_from(workload.subscribers - workload.stalled)?,
        warmup: workload.warmup,
        sent: (0..total).map(|_| AtomicU64::new(0)).collect(),
        received: (0..total).map(|_| AtomicU32::new(0)).collect(),
        completed: (0..total).map(|_| AtomicU64::new(0)).collect(),
        done: (0..total).map(|_| Notify::new()).collect(),
        frame_len: AtomicUsize::new(0),
    });
    let rss_before_kib = server.rss_kib()?;
    let stop = CancellationToken::new();
    let gate = Arc::new(Semaphore::new(64));
    let ready = Arc::new(AtomicUsize::new(0));
    let failure: Arc<Mutex<Option<String>>> = Arc::default();
    let stall_every = workload.subscribers.checked_div(workload.stalled).unwrap_or(usize::MAX);
    let mut tasks = Vec::with_capacity(workload.subscribers);
    for i in 0..workload.subscribers {
        let stall = i % stall_every == stall_every - 1;
        let (target, recorder, stop) = (target.clone(), recorder.clone(), stop.clone());
        let (gate, ready, failure) = (gate.clone(), ready.clone(), failure.clone());
        tasks.push(tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let ws = match subscribe(&target, stall).await {
                Ok(ws) => ws,
                Err(err) => {
                    failure.lock().map(|mut f| f.get_or_insert(err.to_string()).clone()).ok();
                    return (Vec::new(), false);
                }
            };
            drop(permit);
            ready.fetch_add(1, Ordering::Relaxed);
            if stall {
                stop.cancelled().await;
                drop(ws);
                return (Vec::new(), true);
            }
            listen(ws, &recorder, &stop).await
        }));
    }
    let connecting = Instant::now();
    let deadline = connecting + Duration::from_secs(180);
    while ready.load(Ordering::Relaxed) < workload.subscribers {
        if let Some(err) = failure.lock().ok().and_then(|f| f.clone()) {
            stop.cancel();
            bail!("a subscriber failed: {err}");
        }
        if Instant::now() > deadline {
            stop.cancel();
            bail!("only {} of {} subscribers ready after 180 s", ready.load(Ordering::Relaxed), workload.subscribers);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connect = connecting.elapsed();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let rss_idle_kib = server.rss_kib()?;
    let cpu_before = server.cpu()?;

    let next = Arc::new(AtomicUsize::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    let mut posters = Vec::new();
    for _ in 0..workload.in_flight {
        let (publish_how, recorder, next, lost) =
            (target.publish.clone(), recorder.clone(), next.clone(), lost.clone());
        posters.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().tcp_nodelay(true).build()?;
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return anyhow::Ok(());
                }
                recorder.sent[n].store(recorder.now(), Ordering::Release);
                publish(&publish_how, &client, n).await?;
                if tokio::time::timeout(Duration::from_secs(30), recorder.done[n].notified()).await.is_err() {
                    let got = recorder.received[n].load(Ordering::Relaxed);
                    lost.fetch_add(u64::from(recorder.expected.saturating_sub(got)), Ordering::Relaxed);
                }
            }
        }));
    }
    for poster in posters {
        poster.await??;
    }
    let cpu = server.cpu()?.saturating_sub(cpu_before);
    stop.cancel();
    let mut all = Vec::new();
    let mut dropped = 0;
    for task in tasks {
        let (latencies, open) = task.await?;
        all.extend(latencies);
        dropped += usize::from(!open);
    }
    let measured = workload.warmup as usize..total;
    let first_sent = measured.clone().map(|n| recorder.sent[n].load(Ordering::Acquire)).min().unwrap_or(0);
    let last_done = measured.map(|n| recorder.completed[n].load(Ordering::Acquire)).max().unwrap_or(0);
    let window = Duration::from_micros(last_done.saturating_sub(first_sent)).as_secs_f64();
    let deliveries = all.len() as f64;
    Ok(Outcome {
        subscribers: workload.subscribers - workload.stalled,
        latencies: Latencies::new(all),
        deliveries_per_sec: if window > 0.0 { deliveries / window } else { 0.0 },
        lost: lost.load(Ordering::Relaxed),
        dropped,
        frame_len: recorder.frame_len.load(Ordering::Relaxed),
        rss_idle_kib,
        connect,
        rss_before_kib,
        cpu_per_1k: cpu.mul_f64(1000.0 / (deliveries + (workload.warmup as f64 * recorder.expected as f64)).max(1.0)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_raw_frames() {
        assert_eq!(marker(r#"{"data":{"body":"bench#42# hi","body_html":"<p>bench#42# hi</p>"}}"#), Some(42));
        assert_eq!(marker("no marker"), None);
        let frame = raw_frame(7, 600);
        assert_eq!(frame.len(), 600);
        assert_eq!(marker(&frame), Some(7));
        assert!(serde_json::from_str::<serde_json::Value>(&frame).is_ok());
    }
}
