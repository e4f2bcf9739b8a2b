//! The ceiling: a raw tokio broadcast server. It does the websocket
//! handshake by hand, encodes each published frame once, and writes the
//! same bytes to every socket (everything queued for a socket in one
//! write). No JSON, no auth, no storage, no per-client state: the least
//! work a server can do to deliver the same frames.

use anyhow::{bail, Context};
use bytes::{BufMut, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

/// The same framing Minga's hub does once per event: an unmasked final
/// text frame around the payload.
pub use minga::ws::socket::text_frame;

pub async fn serve(port: u16) -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let (frames, _) = broadcast::channel::<Bytes>(1024);
    let subscribed = text_frame(br#"{"type":"subscribed","topic":"proposal:bench","head":0}"#);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let (frames, subscribed) = (frames.clone(), subscribed.clone());
        tokio::spawn(async move {
            let _ = connection(stream, frames, subscribed).await;
        });
    }
}

/// Position just past the blank line that ends an HTTP head.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|at| at + 4)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

/// Reads more of the request into `buf`; false at the end of the stream.
async fn read_more(stream: &mut TcpStream, buf: &mut BytesMut) -> anyhow::Result<bool> {
    buf.reserve(1024);
    Ok(stream.read_buf(buf).await? > 0)
}

/// Plain HTTP (POST /publish, kept alive) until a websocket upgrade; the
/// request buffer is gone before the websocket starts.
async fn connection(mut stream: TcpStream, frames: broadcast::Sender<Bytes>, subscribed: Bytes) -> anyhow::Result<()> {
    let receiver = match http(&mut stream, &frames).await? {
        Some(receiver) => receiver,
        None => return Ok(()),
    };
    websocket(stream, receiver, subscribed).await
}

/// Serves publishes; on an upgrade, answers 101 and returns the receiver.
async fn http(
    stream: &mut TcpStream,
    frames: &broadcast::Sender<Bytes>,
) -> anyhow::Result<Option<broadcast::Receiver<Bytes>>> {
    let mut buf = BytesMut::new();
    loop {
        let end = loop {
            if let Some(end) = head_end(&buf) {
                break end;
            }
            if !read_more(stream, &mut buf).await? {
                return Ok(None);
            }
        };
        let head = std::str::from_utf8(&buf[..end])?.to_owned();
        if let Some(key) = header(&head, "sec-websocket-key") {
            let accept = derive_accept_key(key.as_bytes());
            let answer = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            );
            let receiver = frames.subscribe();
            stream.write_all(answer.as_bytes()).await?;
            return Ok(Some(receiver));
        }
        if !head.starts_with("POST /publish ") {
            bail!("unexpected request");
        }
        let length: usize = header(&head, "content-length").context("no content-length")?.parse()?;
        while buf.len() < end + length {
            if !read_more(stream, &mut buf).await? {
                return Ok(None);
            }
        }
        let _ = frames.send(text_frame(&buf[end..end + length]));
        let _ = buf.split_to(end + length);
        stream.write_all(b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n").await?;
    }
}

/// Answers the client's first message with `subscribed`, then writes every
/// frame; what the client sends is read and dropped.
async fn websocket(stream: TcpStream, mut frames: broadcast::Receiver<Bytes>, subscribed: Bytes) -> anyhow::Result<()> {
    let (mut reader, mut writer) = stream.into_split();
    let mut scratch = [0u8; 64];
    let mut answered = false;
    let mut batch = BytesMut::new();
    loop {
        tokio::select! {
            read = reader.read(&mut scratch) => {
                if read? == 0 {
                    return Ok(());
                }
                if !answered {
                    writer.write_all(&subscribed).await?;
                    answered = true;
                }
            }
            frame = frames.recv() => match frame {
                Ok(frame) => match frames.try_recv() {
                    Ok(more) => {
                        batch.clear();
                        batch.put_slice(&frame);
                        batch.put_slice(&more);
                        while let Ok(more) = frames.try_recv() {
                            batch.put_slice(&more);
                        }
                        writer.write_all(&batch).await?;
                    }
                    Err(_) => writer.write_all(&frame).await?,
                },
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return Ok(()),
            },
        }
    }
}

/// The ceiling in this process (for `ceiling-server`).
pub fn main(port: u16) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_heads() {
        assert_eq!(&text_frame(b"hi")[..], b"\x81\x02hi");
        let long = text_frame(&[b'a'; 300]);
        assert_eq!(&long[..4], &[0x81, 126, 1, 44]);
        let head = "POST /publish HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
        assert_eq!(head_end(head.as_bytes()), Some(head.len()));
        assert_eq!(header(head, "content-length"), Some("5"));
    }
}
