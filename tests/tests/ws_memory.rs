//! What a stalled websocket client costs the server, measured: a client that
//! never reads is flooded with far more than the per-client cap (1 MiB of
//! queued frames), and the process's resident memory must grow by much less
//! than the flood; the hub's queue for it never passes the cap. The server
//! runs in this process, so /proc/self/status is the server's memory (plus
//! the test's own clients, which read everything and keep nothing).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use minga::ws::hub::MAX_QUEUED_BYTES;
use minga_tests::ws::WsClient;
use minga_tests::{on_both_backends, thread, Backend, Thread, PUBLIC_URL};
use tokio_tungstenite::tungstenite::Message;

on_both_backends!(a_stalled_client_costs_bounded_memory, a_replay_nobody_reads_costs_bounded_memory);

/// Comments posted while the client is stalled; each event is ~38 KB (the
/// body and its HTML), so the flood is ~12 MB, twelve times the cap.
const FLOOD: usize = 320;
/// Posted first, as many as the flood, to warm the allocator, the pools and
/// the database's page caches (SQLite's live in this process and grow with
/// what is written) so that what grows during the flood is the hub's.
const WARM_UP: usize = FLOOD;

/// One test at a time: both backends' variants share this process's memory.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn resident_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
    let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

async fn a_stalled_client_costs_bounded_memory(backend: Backend) {
    let _alone = ONE_AT_A_TIME.lock().await;
    let Thread { app, admin, ana, beto, proposal } = thread(backend).await;
    let topic = format!("proposal:{proposal}");
    let big = "palabra ".repeat(2_400);

    // A fast client reads everything and counts the bytes of the events.
    let mut fast = app.ws(&admin).await;
    let (_, head) = fast.subscribe(&topic, None).await;
    let delivered = Arc::new(AtomicUsize::new(0));
    let last_seq = head + (WARM_UP + FLOOD) as i64;
    let counted = delivered.clone();
    let watched = topic.clone();
    let reader = tokio::spawn(async move {
        while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(30), fast.socket.next()).await {
            let Message::Text(text) = message else { continue };
            let event: serde_json::Value = serde_json::from_str(text.as_str()).unwrap();
            if event["type"] == "event" && event["topic"] == watched {
                let seq = event["seq"].as_i64().unwrap();
                if seq > head + WARM_UP as i64 {
                    counted.fetch_add(text.len(), Ordering::Relaxed);
                }
                if seq == last_seq {
                    return true;
                }
            }
        }
        false
    });
    for n in 0..WARM_UP {
        app.comment(&ana, &proposal, &format!("calentamiento {n} {big}")).await;
    }

    // The stalled client: a tiny receive buffer, and it never reads again.
    let url = app.url("/api/v1/ws").replace("http://", "ws://");
    let headers = [("authorization", format!("Bearer {}", beto.token)), ("origin", PUBLIC_URL.to_owned())];
    let mut slow = WsClient::connect_with_small_buffer(&url, &headers).await;
    slow.subscribe(&topic, Some(head + WARM_UP as i64)).await;

    // Sample the resident memory and the hub's largest queue while flooding.
    let before = resident_bytes();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (sampling, hub) = (sampling.clone(), app.state.hub.clone());
        tokio::spawn(async move {
            let (mut peak, mut largest_queue) = (0, 0);
            while sampling.load(Ordering::Relaxed) {
                peak = peak.max(resident_bytes());
                largest_queue = largest_queue.max(hub.largest_queue_bytes());
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (peak, largest_queue)
        })
    };
    for n in 0..FLOOD {
        app.comment(&ana, &proposal, &format!("{n} {big}")).await;
    }
    let fast_saw_all = tokio::time::timeout(Duration::from_secs(30), reader).await.expect("not held back").unwrap();
    assert!(fast_saw_all, "the fast client received the whole flood");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after = resident_bytes();
    sampling.store(false, Ordering::Relaxed);
    let (peak, largest_queue) = sampler.await.unwrap();
    let peak = peak.max(after);

    let flood = delivered.load(Ordering::Relaxed);
    let grew = peak.saturating_sub(before);
    eprintln!(
        "slow client ({backend:?}): flood {:.1} MB, server RSS grew {:.1} MB at peak ({:.1} MB after), \
         largest queue {:.2} MB (cap {:.2} MB)",
        mb(flood),
        mb(grew),
        mb(after.saturating_sub(before)),
        mb(largest_queue),
        mb(MAX_QUEUED_BYTES),
    );
    assert!(flood > 10 * MAX_QUEUED_BYTES, "the flood ({flood} B) dwarfs the per-client cap");
    assert!(largest_queue <= MAX_QUEUED_BYTES, "a queue held {largest_queue} B");
    assert!(largest_queue > MAX_QUEUED_BYTES / 2, "the slow client's queue filled up ({largest_queue} B)");
    // Kept, the flood would all be resident (frames are shared with the fast
    // client, so exactly once); bounded, the growth is the cap, socket
    // buffers and allocator noise.
    assert!(grew < flood / 2, "RSS grew {grew} B for a flood of {flood} B: the stalled client is buffered");

    // The server lets the stalled client go: its connection leaves the hub
    // (and its queue with it) although the client never read a byte.
    let beto_id = minga::domain::ids::UserId(beto.id().parse().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while app.state.hub.connections_of(beto_id) > 0 {
        assert!(std::time::Instant::now() < deadline, "the stalled client is still held");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Reading at last, it finds what the server managed to tell it before
    // giving up on a peer that would not read: `resync` and close 1013 when
    // they fitted in its buffers, else only the end of the connection. It
    // never gets the flood, and resumes from its last seq like after any drop.
    let mut ending = Vec::new();
    while let Some(message) = slow.next().await {
        assert!(
            message["type"] != "event" || message["seq"].as_i64() < Some(last_seq),
            "the stalled client was sent the whole flood"
        );
        if message["type"] == "resync" || message["type"] == "__close" {
            ending.push(message);
        }
        if ending.last().is_some_and(|m| m["type"] == "__close") {
            break;
        }
    }
    if let Some(resync) = ending.first() {
        assert_eq!(resync["type"], "resync", "{ending:?}");
        assert_eq!(resync["topic"], topic);
        assert_eq!(ending.get(1).map(|close| close["code"].clone()), Some(1013.into()), "{ending:?}");
    }
}

/// Sockets that subscribe to a large topic from its start and never read:
/// the replay is written a page at a time, under the same cap as live
/// frames, so each costs about a page, not the topic; and a reader too slow
/// for its replay is told to resync (1013) rather than held forever.
async fn a_replay_nobody_reads_costs_bounded_memory(backend: Backend) {
    const READERS: usize = 6;
    let _alone = ONE_AT_A_TIME.lock().await;
    let Thread { app, ana, beto, proposal, .. } = thread(backend).await;
    let topic = format!("proposal:{proposal}");
    let big = "palabra ".repeat(2_400);
    // ~12 MB of events, read once in full to warm the caches and pools.
    for n in 0..FLOOD {
        app.comment(&ana, &proposal, &format!("{n} {big}")).await;
    }
    let mut warm = app.ws(&beto).await;
    let (replayed, head) = warm.subscribe(&topic, Some(0)).await;
    let topic_bytes: usize = replayed.iter().map(|event| event.to_string().len()).sum();
    drop(warm);

    let url = app.url("/api/v1/ws").replace("http://", "ws://");
    let headers = [("authorization", format!("Bearer {}", beto.token)), ("origin", PUBLIC_URL.to_owned())];
    let before = resident_bytes();
    let mut stalled = Vec::new();
    for _ in 0..READERS {
        let mut reader = WsClient::connect_with_small_buffer(&url, &headers).await;
        reader.send(serde_json::json!({"type": "subscribe", "topic": topic, "after": 0})).await;
        stalled.push(reader);
    }
    let mut peak = before;
    for _ in 0..100 {
        peak = peak.max(resident_bytes());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let grew = peak.saturating_sub(before);
    eprintln!(
        "unread replays ({backend:?}): {READERS} sockets x {:.1} MB topic, server RSS grew {:.1} MB",
        mb(topic_bytes),
        mb(grew)
    );
    assert!(topic_bytes > 10 * MAX_QUEUED_BYTES, "the topic ({topic_bytes} B) dwarfs the cap");
    // Queued whole, the replays would hold READERS times the topic (and
    // more, as frames); a page each (about the 1 MiB cap, serialized twice
    // at most) and the database's caches are far less.
    assert!(grew < READERS * topic_bytes, "RSS grew {grew} B for {READERS} unread replays of {topic_bytes} B");

    // Each is let go, though none reads, and what it finds when it reads at
    // last ends with `resync` and 1013 when they fitted in its buffers.
    let beto_id = minga::domain::ids::UserId(beto.id().parse().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(40);
    while app.state.hub.connections_of(beto_id) > 0 {
        assert!(std::time::Instant::now() < deadline, "unread replays are still held");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for mut reader in stalled {
        let mut last = None;
        while let Some(message) = reader.next().await {
            assert_ne!(message["type"], "subscribed", "a replay nobody read was not written whole");
            if message["type"] == "event" {
                assert!(message["seq"].as_i64() < Some(head), "{message}");
            }
            if message["type"] == "__close" {
                assert_eq!(message["code"], 1013, "{message}");
            }
            last = Some(message);
        }
        if let Some(last) = last.filter(|m| m["type"] != "event") {
            assert!(last["type"] == "__close" || last["type"] == "resync", "{last}");
        }
    }
}
