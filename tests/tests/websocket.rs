//! The websocket of API.md over real sockets, on both backends: live
//! comments between two clients, presence, resume without gap or duplicate,
//! permissions, bad messages, slow clients, deactivation.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use minga_tests::ws::{refused_status, WsClient};
use minga_tests::{expect_status, on_both_backends, thread, Backend, Thread, PUBLIC_URL};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    a_role_change_ends_that_persons_sockets,
    two_clients_see_each_others_comments_and_presence,
    resume_after_missing_events,
    subscribing_during_writes_sees_every_seq_once,
    upgrade_needs_a_session_and_our_origin,
    bad_messages_get_errors_and_the_socket_stays,
    moderation_topic_is_for_the_secretariat,
    hidden_comments_stay_hidden_live,
    typing_and_ping,
    deactivation_closes_the_socket,
    a_slow_client_is_told_to_resync_and_others_carry_on,
    oversized_messages_close_the_socket,
    a_client_sending_too_fast_is_closed,
    open_websockets_per_person_are_capped,
);

fn topic(t: &Thread) -> String {
    format!("proposal:{}", t.proposal)
}

fn names(presence: &Value) -> Vec<String> {
    let mut names: Vec<String> =
        presence["users"].as_array().unwrap().iter().map(|u| u["display_name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

async fn two_clients_see_each_others_comments_and_presence(backend: Backend) {
    let t = thread(backend).await;
    let topic = topic(&t);
    let mut a = t.app.ws(&t.ana).await;
    let (replayed, head) = a.subscribe(&topic, None).await;
    assert_eq!(replayed.len() as i64, head, "a full replay from the start");
    assert_eq!(replayed[0]["kind"], "proposal.created");
    assert_eq!(names(&a.next_of("presence").await), ["ana"]);
    let mut b = t.app.ws(&t.beto).await;
    b.subscribe(&topic, Some(head)).await;
    assert_eq!(names(&a.next_of("presence").await), ["ana", "beto"]);
    assert_eq!(names(&b.next_of("presence").await), ["ana", "beto"]);

    t.app.comment(&t.ana, &t.proposal, "Propongo **seis** meses.").await;
    let from_ana = b.next_of("event").await;
    assert_eq!(from_ana["kind"], "comment.created");
    assert_eq!(from_ana["seq"], head + 1);
    assert_eq!(from_ana["data"]["comment"]["body"], "Propongo **seis** meses.");
    assert_eq!(from_ana["data"]["comment"]["body_html"], "<p>Propongo <strong>seis</strong> meses.</p>\n");
    assert_eq!(from_ana["actor"]["display_name"], "ana");
    t.app.comment(&t.beto, &t.proposal, "De acuerdo.").await;
    let seen_by_ana = a.events_until(&topic, head + 2).await;
    let kinds: Vec<_> =
        seen_by_ana.iter().map(|e| (e["seq"].as_i64().unwrap(), e["data"]["comment"]["body"].clone())).collect();
    assert_eq!(kinds, [(head + 1, json!("Propongo **seis** meses.")), (head + 2, json!("De acuerdo."))]);

    drop(b);
    assert_eq!(names(&a.next_of("presence").await), ["ana"], "presence shows who left");
}

async fn resume_after_missing_events(backend: Backend) {
    let t = thread(backend).await;
    let topic = topic(&t);
    let mut a = t.app.ws(&t.ana).await;
    let (_, head) = a.subscribe(&topic, None).await;
    a.socket.close(None).await.unwrap();
    const MISSED: i64 = 7;
    for n in 0..MISSED {
        t.app.comment(&t.beto, &t.proposal, &format!("comentario {n}")).await;
    }
    let mut again = t.app.ws(&t.ana).await;
    let (replayed, new_head) = again.subscribe(&topic, Some(head)).await;
    let seqs: Vec<i64> = replayed.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, ((head + 1)..=(head + MISSED)).collect::<Vec<_>>(), "exactly the missed events, in order");
    assert_eq!(new_head, head + MISSED);
    let bodies: Vec<_> = replayed.iter().map(|e| e["data"]["comment"]["body"].as_str().unwrap().to_owned()).collect();
    assert_eq!(bodies.last().unwrap(), "comentario 6");
    // Then live ones follow with no duplicate.
    t.app.comment(&t.beto, &t.proposal, "en vivo").await;
    let live = again.next_of("event").await;
    assert_eq!(live["seq"], head + MISSED + 1);
}

async fn subscribing_during_writes_sees_every_seq_once(backend: Backend) {
    let t = thread(backend).await;
    let topic = topic(&t);
    const WRITES: usize = 40;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (client, url, token) = (
                t.app.client.clone(),
                t.app.url(&format!("/api/v1/proposals/{}/comments", t.proposal)),
                t.ana.token.clone(),
            );
            tokio::spawn(async move {
                for n in 0..WRITES / 4 {
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&json!({"body": format!("w{w} n{n}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), StatusCode::CREATED);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let mut late = t.app.ws(&t.beto).await;
    let (replayed, _) = late.subscribe(&topic, None).await;
    for writer in writers {
        writer.await.unwrap();
    }
    let final_head = 1 + WRITES as i64;
    let mut seqs: Vec<i64> = replayed.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    if seqs.last().copied().unwrap_or(0) < final_head {
        let live = late.events_until(&topic, final_head).await;
        seqs.extend(live.iter().map(|e| e["seq"].as_i64().unwrap()));
    }
    assert_eq!(seqs, (1..=final_head).collect::<Vec<_>>(), "every seq once, in order");
    // Nothing more arrives afterwards (no duplicate tail).
    let extra = late.next_within(Duration::from_millis(300)).await;
    assert!(extra.as_ref().is_none_or(|m| m["type"] != "event"), "unexpected {extra:?}");
}

async fn upgrade_needs_a_session_and_our_origin(backend: Backend) {
    let t = thread(backend).await;
    let url = t.app.url("/api/v1/ws").replace("http://", "ws://");
    let anonymous = WsClient::connect(&url, &[("origin", PUBLIC_URL.to_owned())]).await.err().expect("refused");
    assert_eq!(refused_status(&anonymous), Some(401));
    let bearer = ("authorization", format!("Bearer {}", t.ana.token));
    let foreign = WsClient::connect(&url, &[bearer.clone(), ("origin", "http://evil.example".to_owned())])
        .await
        .err()
        .expect("refused");
    assert_eq!(refused_status(&foreign), Some(403));
    let cookie = ("cookie", format!("minga_session={}", t.ana.token));
    let foreign = WsClient::connect(&url, &[cookie.clone(), ("origin", "http://evil.example".to_owned())])
        .await
        .err()
        .expect("refused");
    assert_eq!(refused_status(&foreign), Some(403));
    // The cookie with our Origin, and a Bearer token with none, are both accepted.
    let mut by_cookie =
        WsClient::connect(&url, &[cookie, ("origin", PUBLIC_URL.to_owned())]).await.expect("cookie session");
    by_cookie.subscribe(&topic(&t), None).await;
    WsClient::connect(&url, &[bearer]).await.expect("bearer without Origin");
    // A plain HTTP request to the websocket path is a problem, not a crash.
    let plain = t.app.as_user(&t.ana, Method::GET, "/api/v1/ws").send().await.unwrap();
    assert!(plain.status().is_client_error());
    assert_eq!(plain.headers()["content-type"], "application/problem+json");
}

async fn bad_messages_get_errors_and_the_socket_stays(backend: Backend) {
    let t = thread(backend).await;
    let mut a = t.app.ws(&t.ana).await;
    for bad in [
        "not json",
        "{}",
        r#"{"type":"dance"}"#,
        r#"{"type":"subscribe"}"#,
        r#"{"type":"subscribe","topic":"x","after":"y"}"#,
    ] {
        a.send_text(bad).await;
        let answer = a.next().await.unwrap();
        assert_eq!(answer["type"], "error", "{bad}");
        assert_eq!(answer["code"], "bad_message");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    a.send(json!({"type": "subscribe", "topic": "ballot:1"})).await;
    assert_eq!(a.next().await.unwrap()["code"], "bad_topic");
    a.send(json!({"type": "typing", "topic": topic(&t)})).await;
    assert_eq!(a.next().await.unwrap()["code"], "not_subscribed");
    a.socket.send(tokio_tungstenite::tungstenite::Message::binary(vec![1, 2, 3])).await.unwrap();
    assert_eq!(a.next().await.unwrap()["type"], "error");
    // Still open and working.
    let (_, head) = a.subscribe(&topic(&t), None).await;
    assert!(head >= 1);
}

async fn moderation_topic_is_for_the_secretariat(backend: Backend) {
    let t = thread(backend).await;
    let mut delegate = t.app.ws(&t.ana).await;
    delegate.send(json!({"type": "subscribe", "topic": "moderation"})).await;
    let refused = delegate.next().await.unwrap();
    assert_eq!((refused["type"].as_str(), refused["code"].as_str()), (Some("error"), Some("forbidden")));
    let mut admin = t.app.ws(&t.admin).await;
    let (_, head) = admin.subscribe("moderation", None).await;
    let comment = t.app.comment(&t.ana, &t.proposal, "texto").await;
    let flag = t
        .app
        .as_user(&t.beto, Method::POST, &format!("/api/v1/comments/{}/flag", comment["id"].as_str().unwrap()))
        .json(&json!({"reason": "ofensivo"}))
        .send()
        .await
        .unwrap();
    expect_status(flag, StatusCode::CREATED).await;
    let event = admin.next_of("event").await;
    assert_eq!((event["kind"].as_str(), event["seq"].as_i64()), (Some("flag.created"), Some(head + 1)));
    // The delegate's socket never received it.
    let nothing = delegate.next_within(Duration::from_millis(300)).await;
    assert!(nothing.is_none(), "{nothing:?}");
}

async fn hidden_comments_stay_hidden_live(backend: Backend) {
    let t = thread(backend).await;
    let topic = topic(&t);
    let comment = t.app.comment(&t.ana, &t.proposal, "un insulto").await;
    let id = comment["id"].as_str().unwrap().to_owned();
    let hide = t
        .app
        .as_user(&t.admin, Method::POST, &format!("/api/v1/comments/{id}/hide"))
        .json(&json!({"reason": "lenguaje"}));
    expect_status(hide.send().await.unwrap(), StatusCode::OK).await;
    let mut observer = t.app.ws(&t.beto).await;
    let mut admin = t.app.ws(&t.admin).await;
    let (seen, head) = observer.subscribe(&topic, None).await;
    let (seen_admin, _) = admin.subscribe(&topic, None).await;
    let bodies = |events: &[Value]| -> Vec<Value> {
        events
            .iter()
            .filter(|e| e["data"]["comment"].is_object())
            .map(|e| e["data"]["comment"]["body"].clone())
            .collect()
    };
    assert_eq!(bodies(&seen), [json!(""), json!("")], "replayed created and hidden events carry no body");
    assert_eq!(bodies(&seen_admin), [json!("un insulto"), json!("un insulto")]);
    // An edit of the hidden comment, live.
    let edit =
        t.app.as_user(&t.ana, Method::PATCH, &format!("/api/v1/comments/{id}")).json(&json!({"body": "otro insulto"}));
    expect_status(edit.send().await.unwrap(), StatusCode::OK).await;
    let live = observer.events_until(&topic, head + 1).await;
    assert_eq!(live[0]["kind"], "comment.edited");
    assert_eq!(live[0]["data"]["comment"]["body"], "");
    assert_eq!(live[0]["data"]["comment"]["body_html"], "");
    let live_admin = admin.events_until(&topic, head + 1).await;
    assert_eq!(live_admin[0]["data"]["comment"]["body"], "otro insulto");
}

async fn typing_and_ping(backend: Backend) {
    let t = thread(backend).await;
    let topic = topic(&t);
    let mut a = t.app.ws(&t.ana).await;
    let mut b = t.app.ws(&t.beto).await;
    a.subscribe(&topic, None).await;
    b.subscribe(&topic, None).await;
    a.send(json!({"type": "typing", "topic": topic})).await;
    let typing = b.next_of("typing").await;
    assert_eq!(
        (typing["topic"].as_str(), typing["user"]["display_name"].as_str()),
        (Some(topic.as_str()), Some("ana"))
    );
    a.send(json!({"type": "ping", "id": "x1"})).await;
    assert_eq!(a.next_of("pong").await, json!({"type": "pong", "id": "x1"}));
}

async fn deactivation_closes_the_socket(backend: Backend) {
    let t = thread(backend).await;
    let mut a = t.app.ws(&t.ana).await;
    a.subscribe(&topic(&t), None).await;
    let patch = t
        .app
        .as_user(&t.admin, Method::PATCH, &format!("/api/v1/users/{}", t.ana.id()))
        .json(&json!({"active": false}));
    expect_status(patch.send().await.unwrap(), StatusCode::OK).await;
    let closed = a.next_of("__close").await;
    assert_eq!(closed["code"], 1008);
}

async fn a_slow_client_is_told_to_resync_and_others_carry_on(backend: Backend) {
    let t = thread(backend).await;
    let topic = topic(&t);
    let url = t.app.url("/api/v1/ws").replace("http://", "ws://");
    let headers = [("authorization", format!("Bearer {}", t.beto.token)), ("origin", PUBLIC_URL.to_owned())];
    let mut slow = WsClient::connect_with_small_buffer(&url, &headers).await;
    slow.subscribe(&topic, None).await;
    let mut fast = t.app.ws(&t.admin).await;
    let (_, head) = fast.subscribe(&topic, None).await;
    // The fast client keeps reading everything; it must see the comment below.
    let watched = topic.clone();
    let reader = tokio::spawn(async move {
        loop {
            let Some(message) = fast.next().await else { return false };
            if message["type"] == "event" && message["topic"] == watched && message["seq"] == head + 1 + FLOOD as i64 {
                return message["data"]["comment"]["body"] == "después";
            }
        }
    });
    // The slow client stops reading while large comments flood the topic:
    // its socket buffers fill, then its queue (1 MiB), and the hub lets it go.
    let big = "palabra ".repeat(2_400);
    for n in 0..FLOOD {
        t.app.comment(&t.ana, &t.proposal, &format!("{n} {big}")).await;
    }
    t.app.comment(&t.ana, &t.proposal, "después").await;
    let fast_saw_it = tokio::time::timeout(Duration::from_secs(20), reader).await.expect("not held back").unwrap();
    assert!(fast_saw_it, "the fast client received the comment");
    // The slow one, reading at last, finds a resync and then the close.
    let mut saw_resync = false;
    while let Some(message) = slow.next().await {
        if message["type"] == "resync" {
            assert_eq!(message["topic"], topic);
            saw_resync = true;
        }
        if message["type"] == "__close" {
            assert_eq!(message["code"], 1013);
            break;
        }
    }
    assert!(saw_resync, "a resync came before the close");
}

/// Comments of about 38 KB each as events: together well over what the
/// socket buffers and the 1 MiB queue hold.
const FLOOD: usize = 120;

async fn oversized_messages_close_the_socket(backend: Backend) {
    let t = thread(backend).await;
    let mut a = t.app.ws(&t.ana).await;
    let big = format!(r#"{{"type":"ping","id":"{}"}}"#, "x".repeat(70 * 1024));
    let _ = a.socket.send(tokio_tungstenite::tungstenite::Message::text(big)).await;
    let mut ended = false;
    for _ in 0..3 {
        match tokio::time::timeout(Duration::from_secs(5), a.socket.next()).await {
            Ok(None) | Ok(Some(Err(_))) => {
                ended = true;
                break;
            }
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame)))) => {
                assert_eq!(frame.map(|f| u16::from(f.code)), Some(1009), "message too big");
                ended = true;
                break;
            }
            Ok(Some(Ok(_))) => {}
            Err(_) => break,
        }
    }
    assert!(ended, "a message over 64 KiB ends the connection");
    // The server itself is fine.
    let mut b = t.app.ws(&t.ana).await;
    b.subscribe(&topic(&t), None).await;
}

async fn a_client_sending_too_fast_is_closed(backend: Backend) {
    let t = thread(backend).await;
    let mut a = t.app.ws(&t.ana).await;
    for n in 0..150 {
        a.socket
            .feed(tokio_tungstenite::tungstenite::Message::text(format!(r#"{{"type":"ping","id":{n}}}"#)))
            .await
            .unwrap();
    }
    a.socket.flush().await.unwrap();
    let mut pongs = 0;
    loop {
        let message = a.next().await.expect("a close, not silence");
        match message["type"].as_str() {
            Some("pong") => pongs += 1,
            Some("__close") => {
                assert_eq!(message["code"], 1008);
                break;
            }
            _ => {}
        }
    }
    assert_eq!(pongs, 100, "the first 100 messages of the window were served");
}

async fn open_websockets_per_person_are_capped(backend: Backend) {
    let t = thread(backend).await;
    let mut open = Vec::new();
    for _ in 0..t.app.state.ws_per_person {
        let mut socket = t.app.ws(&t.ana).await;
        socket.send(json!({"type": "ping"})).await;
        socket.next_of("pong").await;
        open.push(socket);
    }
    let url = t.app.url("/api/v1/ws").replace("http://", "ws://");
    let bearer = ("authorization", format!("Bearer {}", t.ana.token));
    let refused = WsClient::connect(&url, std::slice::from_ref(&bearer)).await.err().expect("refused");
    assert_eq!(refused_status(&refused), Some(429));
    // Someone else is not affected, and closing one makes room again.
    t.app.ws(&t.beto).await;
    let mut first = open.remove(0);
    first.socket.close(None).await.unwrap();
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(socket) = WsClient::connect(&url, std::slice::from_ref(&bearer)).await {
            reopened = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened.is_some(), "a closed websocket frees its place");
}

/// A secretariat member demoted to delegate stops receiving the moderation
/// queue at once: the open socket is ended (1008), a new one cannot
/// subscribe to `moderation`, and other people's sockets are untouched.
async fn a_role_change_ends_that_persons_sockets(backend: Backend) {
    let t = thread(backend).await;
    let carla = t.app.account("carla@secretaria.ec", "Secretaría Técnica", "member", "secretariat").await;
    let mut demoted = t.app.ws(&carla).await;
    demoted.subscribe("moderation", None).await;
    let mut admin = t.app.ws(&t.admin).await;
    admin.subscribe("moderation", None).await;
    let mut ana = t.app.ws(&t.ana).await;
    ana.subscribe(&topic(&t), None).await;
    // The same role again changes nothing.
    let path = format!("/api/v1/users/{}", carla.id());
    t.app.answer(Some(&t.admin), Method::PATCH, &path, Some(json!({"role": "secretariat"})), StatusCode::OK).await;
    demoted.send(json!({"type": "ping", "id": "still"})).await;
    assert_eq!(demoted.next_of("pong").await["id"], "still");

    t.app.answer(Some(&t.admin), Method::PATCH, &path, Some(json!({"role": "delegate"})), StatusCode::OK).await;
    let ended = loop {
        let message = demoted.next().await.expect("a close");
        if message["type"] == "__close" {
            break message;
        }
        assert_ne!(message["type"], "event", "no moderation event after the demotion: {message}");
    };
    assert_eq!(ended["code"], 1008, "{ended}");
    let reason = t
        .app
        .send(
            Some(&t.ana),
            Method::POST,
            &format!("/api/v1/proposals/{}/comments", t.proposal),
            Some(json!({"body": "sigo aquí"})),
        )
        .await;
    expect_status(reason, StatusCode::CREATED).await;
    assert_eq!(ana.next_of("event").await["kind"], "comment.created", "others keep their sockets");
    admin.send(json!({"type": "ping", "id": "admin"})).await;
    assert_eq!(admin.next_of("pong").await["id"], "admin");
}
