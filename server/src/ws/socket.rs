//! The websocket's upgrade and its socket, done here rather than by axum so
//! that event frames can be written as they are.
//!
//! tungstenite still reads and checks every frame the client sends (masks,
//! fragments, sizes, UTF-8, close handshake) and writes the server's few
//! replies (pongs, errors, the replay, close). But it writes them into a
//! buffer, not the socket: the connection appends each event frame, encoded
//! once by the hub for every subscriber, to that same buffer, and writes the
//! buffer to the socket in one call. Going through tungstenite, each
//! delivery was framed again and copied per subscriber.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Version};
use axum::response::{IntoResponse, Response};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

use crate::http::error::ApiError;

/// A server-to-client text frame (final, unmasked) around `payload`.
pub fn text_frame(payload: &[u8]) -> Bytes {
    let mut frame = BytesMut::with_capacity(payload.len() + 10);
    frame.put_u8(0x81);
    match payload.len() {
        len @ 0..=125 => frame.put_u8(len as u8),
        len @ 126..=0xFFFF => {
            frame.put_u8(126);
            frame.put_u16(len as u16);
        }
        len => {
            frame.put_u8(127);
            frame.put_u64(len as u64);
        }
    }
    frame.put_slice(payload);
    frame.freeze()
}

/// The payload of a frame made by [`text_frame`].
#[cfg(test)]
pub fn frame_text(frame: &[u8]) -> &str {
    let start = match frame.get(1) {
        Some(126) => 4,
        Some(127) => 10,
        _ => 2,
    };
    std::str::from_utf8(frame.get(start..).unwrap_or_default()).unwrap_or_default()
}

/// A websocket upgrade request (RFC 6455 over HTTP/1.1), checked as axum's
/// own extractor checks it; anything else is a 400 problem.
pub struct Upgrade {
    key: HeaderValue,
    on_upgrade: hyper::upgrade::OnUpgrade,
}

fn header_is(headers: &HeaderMap, name: HeaderName, value: &str) -> bool {
    headers.get(name).is_some_and(|found| found.as_bytes().eq_ignore_ascii_case(value.as_bytes()))
}

fn header_lists(headers: &HeaderMap, name: HeaderName, value: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|found| found.to_str().ok())
        .any(|found| found.split(',').any(|item| item.trim().eq_ignore_ascii_case(value)))
}

impl<S: Send + Sync> FromRequestParts<S> for Upgrade {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let not_an_upgrade = || ApiError::BadRequest("this address takes a websocket upgrade (RFC 6455)".into());
        if parts.method != Method::GET
            || parts.version > Version::HTTP_11
            || !header_lists(&parts.headers, header::CONNECTION, "upgrade")
            || !header_is(&parts.headers, header::UPGRADE, "websocket")
        {
            return Err(not_an_upgrade());
        }
        if !header_is(&parts.headers, header::SEC_WEBSOCKET_VERSION, "13") {
            return Err(ApiError::BadRequest("only websocket version 13 is spoken here".into()));
        }
        let key = parts.headers.get(header::SEC_WEBSOCKET_KEY).cloned().ok_or_else(not_an_upgrade)?;
        let on_upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>().ok_or_else(not_an_upgrade)?;
        Ok(Upgrade { key, on_upgrade })
    }
}

impl Upgrade {
    /// The 101 answer, and the connection to come once it is sent.
    pub fn accept(self) -> (Response, hyper::upgrade::OnUpgrade) {
        let accept = derive_accept_key(self.key.as_bytes());
        let headers = [
            (header::CONNECTION, HeaderValue::from_static("upgrade")),
            (header::UPGRADE, HeaderValue::from_static("websocket")),
            (header::SEC_WEBSOCKET_ACCEPT, HeaderValue::from_str(&accept).unwrap_or(HeaderValue::from_static(""))),
        ];
        ((StatusCode::SWITCHING_PROTOCOLS, headers).into_response(), self.on_upgrade)
    }
}

/// What tungstenite reads from and writes to: it reads the socket, and
/// writes into `out`, which the connection writes to the socket itself with
/// [`Duplex::write_out`] (see the module's comment). One value, not two
/// halves of a split socket, so no lock is taken between reading and writing.
pub struct Duplex<T> {
    io: T,
    pub out: BytesMut,
    /// Bytes written to the socket so far: a write that waits is alive as
    /// long as this moves (the client reads, slowly).
    pub written: u64,
}

/// An output buffer grown past this (by a backlog) is let go once written,
/// so a socket that goes idle holds little.
const KEEP_OUT: usize = 64 * 1024;

impl<T: AsyncWrite + Unpin> Duplex<T> {
    pub fn new(io: T) -> Duplex<T> {
        Duplex { io, out: BytesMut::new(), written: 0 }
    }

    /// Writes `out` to the socket and empties it. Cancel-safe: whatever was
    /// not written stays in `out`, and the frames after it whole.
    pub async fn write_out(&mut self) -> io::Result<()> {
        while !self.out.is_empty() {
            let written = self.io.write(&self.out).await?;
            if written == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.out.advance(written);
            self.written += written as u64;
        }
        if self.out.capacity() > KEEP_OUT {
            self.out = BytesMut::new();
        }
        self.io.flush().await
    }

    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.io.shutdown().await
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Duplex<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: Unpin> AsyncWrite for Duplex<T> {
    fn poll_write(mut self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.out.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_their_length_in_the_shortest_form() {
        for (size, header) in [(0, 2), (125, 2), (126, 4), (65_535, 4), (65_536, 10)] {
            let payload = "x".repeat(size);
            let frame = text_frame(payload.as_bytes());
            assert_eq!(frame.len(), size + header, "{size} bytes");
            assert_eq!(frame[0], 0x81, "a final text frame");
            assert_eq!(frame[1] & 0x80, 0, "a server's frames are not masked");
            assert_eq!(frame_text(&frame), payload);
        }
    }

    async fn refusal(request: axum::http::request::Builder) -> Option<String> {
        let (mut parts, ()) = request.body(()).expect("request").into_parts();
        match Upgrade::from_request_parts(&mut parts, &()).await {
            Ok(_) => None,
            Err(ApiError::BadRequest(why)) => Some(why),
            Err(other) => Some(format!("unexpected {other:?}")),
        }
    }

    fn upgrade_request() -> axum::http::request::Builder {
        axum::http::Request::builder()
            .uri("/api/v1/ws")
            .header(header::CONNECTION, "Upgrade")
            .header(header::UPGRADE, "websocket")
            .header(header::SEC_WEBSOCKET_VERSION, "13")
            .header(header::SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
    }

    #[tokio::test]
    async fn what_is_not_a_websocket_upgrade_is_a_bad_request() {
        let plain = axum::http::Request::builder().uri("/api/v1/ws");
        assert!(refusal(plain).await.expect("refused").contains("websocket upgrade"));
        let posted = upgrade_request().method(Method::POST);
        assert!(refusal(posted).await.is_some());
        let mut old = upgrade_request();
        old.headers_mut().expect("headers").insert(header::SEC_WEBSOCKET_VERSION, HeaderValue::from_static("8"));
        assert!(refusal(old).await.expect("refused").contains("version 13"));
        let mut keyless = upgrade_request();
        keyless.headers_mut().expect("headers").remove(header::SEC_WEBSOCKET_KEY);
        assert!(refusal(keyless).await.is_some());
        // Everything right but the connection hyper hands over: not an upgrade either.
        assert!(refusal(upgrade_request()).await.expect("refused").contains("websocket upgrade"));
    }

    #[test]
    fn the_accept_key_is_rfc_6455s() {
        // The example handshake of RFC 6455, section 1.3.
        assert_eq!(derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    #[test]
    fn connection_header_lists_are_read_item_by_item() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        assert!(header_lists(&headers, header::CONNECTION, "upgrade"));
        headers.insert(header::CONNECTION, HeaderValue::from_static("keep-alive, upgraded"));
        assert!(!header_lists(&headers, header::CONNECTION, "upgrade"));
    }
}
