//! hyper answers a request head it cannot read by itself, before any
//! service sees the request: 400 for a malformed request line or header,
//! 414 and 431 beyond its buffer. Those answers have empty bodies, where
//! every other error of the API is problem+json. The stream under hyper
//! recognises them by their shape (`connection: close` and
//! `content-length: 0` right after the status line, which no answer of the
//! router has: each carries a content type and the security headers first)
//! and writes a problem answer in their place; hyper closes the connection
//! after them either way.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::http::error::ApiError;

/// What hyper writes after the status line of its own error answers.
const BARE_ANSWER: &[u8] = b"\r\nconnection: close\r\ncontent-length: 0\r\n";

/// The problem answer for a bare answer hyper is writing, if `written` is one.
fn replacement(written: &[u8]) -> Option<(ApiError, usize)> {
    let rest = written.strip_prefix(b"HTTP/1.1 ").or_else(|| written.strip_prefix(b"HTTP/1.0 "))?;
    let status = rest.get(..3)?;
    let line_end = rest.windows(2).position(|w| w == b"\r\n")?;
    if !rest[line_end..].starts_with(BARE_ANSWER) {
        return None;
    }
    let head_end = written.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let error = match status {
        b"400" => {
            ApiError::BadRequest("the request could not be read: its request line or a header is malformed".into())
        }
        b"414" => ApiError::UriTooLong,
        b"431" => ApiError::HeadersTooLarge,
        _ => return None,
    };
    Some((error, head_end))
}

pub struct ProblemHeads<S> {
    inner: S,
    /// The problem answer still to write, and how many of hyper's bytes it
    /// stands for (reported written once it is).
    pending: Option<(Bytes, usize)>,
}

impl<S> ProblemHeads<S> {
    pub fn new(inner: S) -> ProblemHeads<S> {
        ProblemHeads { inner, pending: None }
    }
}

impl<S: AsyncWrite + Unpin> ProblemHeads<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        while let Some((answer, _)) = &mut self.pending {
            if answer.is_empty() {
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, answer))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            answer.advance(n);
        }
        Poll::Ready(Ok(self.pending.take().map_or(0, |(_, stands_for)| stands_for)))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ProblemHeads<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProblemHeads<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match replacement(buf) {
                Some((error, stands_for)) => {
                    this.pending = Some((Bytes::from(error.raw_http1_answer()), stands_for));
                }
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        this.poll_pending(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        // hyper writes a head as the first slice of its write.
        let first = bufs.iter().find(|buf| !buf.is_empty());
        if self.pending.is_some() || first.is_some_and(|first| replacement(first).is_some()) {
            let first = first.map_or(&[][..], |first| &first[..]);
            return self.poll_write(cx, first);
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bare_answers_are_replaced() {
        let bare = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let (error, stands_for) = replacement(bare).expect("replaced");
        assert_eq!(error.status().as_u16(), 400);
        assert_eq!(stands_for, bare.len());
        assert_eq!(
            replacement(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"
            )
            .map(|(e, _)| e.status().as_u16()),
            Some(431)
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(replacement(ours).is_none(), "the router's answers pass untouched");
        assert!(replacement(b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(replacement(b"\x81\x05hello").is_none(), "websocket frames pass untouched");
    }
}
