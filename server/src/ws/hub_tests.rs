//! The hub without sockets: who gets presence, and the bounded queue.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::*;
use crate::bus::LocalBus;
use crate::domain::comment::Audience;
use crate::domain::ids::{ProposalId, UserId};

struct Setup {
    hub: Hub,
    topic: Topic,
    _dir: std::path::PathBuf,
}

async fn setup() -> Setup {
    let dir = std::env::temp_dir().join(format!("minga-hub-{}", uuid::Uuid::now_v7().simple()));
    let bus = LocalBus::new(16);
    let store = crate::store::open(&format!("sqlite://{}/t.db", dir.display()), bus.clone()).await.expect("store");
    let hub = Hub::start(store, bus.as_ref(), CancellationToken::new());
    Setup { hub, topic: Topic::Proposal(ProposalId::new()), _dir: dir }
}

fn person(name: &str) -> PresenceUser {
    PresenceUser { id: UserId::new(), display_name: name.into(), organization: "O".into() }
}

fn connect(hub: &Hub, who: &PresenceUser, capacity: usize) -> (Arc<Client>, Receiver) {
    let (client, receiver) =
        Client::new(hub.next_client_id(), who.clone(), Audience::Everyone, capacity, CancellationToken::new(), None);
    hub.register(client.clone());
    (client, receiver)
}

/// The presence lists queued for `receiver` now (names per list).
async fn presences(receiver: &mut Receiver) -> Vec<Vec<String>> {
    let mut batch = std::collections::VecDeque::new();
    let _ = tokio::time::timeout(Duration::from_millis(50), receiver.take_all(&mut batch)).await;
    batch
        .into_iter()
        .filter_map(|message| match message {
            Outgoing::Frame(frame) => {
                let value: serde_json::Value =
                    serde_json::from_str(crate::ws::socket::frame_text(&frame)).expect("json");
                let users = value["users"].as_array()?.iter();
                Some(users.map(|user| user["display_name"].as_str().unwrap_or_default().to_owned()).collect())
            }
            Outgoing::Event { .. } => None,
        })
        .collect()
}

#[tokio::test]
async fn presence_goes_to_everyone_only_when_who_is_present_changes() {
    let s = setup().await;
    let (ana, beto) = (person("ana"), person("beto"));
    let (first, mut first_rx) = connect(&s.hub, &ana, 8);
    s.hub.join(s.topic, &first).await.expect("join");
    assert_eq!(presences(&mut first_rx).await, [["ana"]]);

    // Ana's second tab: it is told who is here; her first tab hears nothing new.
    let (second, mut second_rx) = connect(&s.hub, &ana, 8);
    s.hub.join(s.topic, &second).await.expect("join");
    assert_eq!(presences(&mut second_rx).await, [["ana"]]);
    assert!(presences(&mut first_rx).await.is_empty());

    // Beto arrives: everyone hears.
    let (third, mut third_rx) = connect(&s.hub, &beto, 8);
    s.hub.join(s.topic, &third).await.expect("join");
    for receiver in [&mut first_rx, &mut second_rx, &mut third_rx] {
        assert_eq!(presences(receiver).await, [["ana", "beto"]]);
    }

    // One of Ana's tabs leaves: she is still here, nobody is told.
    s.hub.disconnect(first.id);
    assert!(presences(&mut second_rx).await.is_empty());
    assert!(presences(&mut third_rx).await.is_empty());
    // Her last one leaves: Beto hears.
    s.hub.leave(&s.topic.to_string(), second.id);
    assert_eq!(presences(&mut third_rx).await, [["beto"]]);
}

#[tokio::test]
async fn a_full_queue_ends_the_client_with_a_resync() {
    let s = setup().await;
    let topic = s.topic.to_string();
    let (slow, mut slow_rx) = connect(&s.hub, &person("ana"), 3);
    s.hub.join(s.topic, &slow).await.expect("join");
    let (other, _other_rx) = connect(&s.hub, &person("beto"), 8);
    s.hub.join(s.topic, &other).await.expect("join");
    // Two presence lists and one typing notice fill Ana's queue of three.
    assert!(s.hub.typing(&topic, &other));
    assert!(slow.ending().is_none());
    assert!(s.hub.largest_queue_bytes() > 0);
    assert!(s.hub.typing(&topic, &other));
    assert_eq!(slow.ending(), Some(Ending::Overflow(topic.clone())));
    assert!(tokio::time::timeout(Duration::from_millis(50), slow.stopped()).await.is_ok(), "stopped");
    // What was queued is still there to write before the goodbye.
    let mut batch = std::collections::VecDeque::new();
    slow_rx.take_all(&mut batch).await;
    assert_eq!(batch.len(), 3);
    assert_eq!(slow.queued_bytes(), 0);
}

#[tokio::test]
async fn connections_are_counted_per_person_and_share_the_topic_name() {
    let s = setup().await;
    let (ana, beto) = (person("ana"), person("beto"));
    let (first, _rx1) = connect(&s.hub, &ana, 8);
    let (second, _rx2) = connect(&s.hub, &ana, 8);
    let (other, _rx3) = connect(&s.hub, &beto, 8);
    assert_eq!((s.hub.connections_of(ana.id), s.hub.connections_of(beto.id)), (2, 1));
    let name = s.hub.join(s.topic, &first).await.expect("join");
    assert_eq!(&*name, s.topic.to_string());
    let again = s.hub.join(s.topic, &second).await.expect("join");
    assert!(Arc::ptr_eq(&name, &again), "one name per topic, shared");
    s.hub.disconnect(first.id);
    s.hub.disconnect(first.id);
    assert_eq!(s.hub.connections_of(ana.id), 1, "a connection is uncounted once");
    s.hub.disconnect(second.id);
    s.hub.disconnect(other.id);
    assert_eq!((s.hub.connections_of(ana.id), s.hub.connections_of(beto.id)), (0, 0));
}
