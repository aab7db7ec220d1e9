//! The I/O wrapper between a client socket and actix-http.
//!
//! It stamps activity into the channel's atomics on every read or write that moves bytes, caps
//! each read at `recv_bytes` and each write at `send_bytes`, notes when the client stalls our
//! writes, and turns a close request into end-of-stream so actix-http ends the connection softly.

use std::io;
use std::pin::Pin;
use std::sync::atomic::Ordering::*;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::registry::{Channel, Clock, CloseReason};
use crate::shared::Shared;
use crate::stats::{Stats, WorkerStats};

/// A client socket as actix-http sees it.
#[derive(Debug)]
pub struct TrackedIo {
    stream: TcpStream,
    channel: Arc<Channel>,
    stats: Arc<Stats>,
    clock: Clock,
    recv_bytes: usize,
    send_bytes: usize,
    log_socket_errors: bool,
    told_timeout: bool,
    request_timeout: Arc<[u8]>,
}

impl TrackedIo {
    pub(crate) fn new(stream: TcpStream, channel: Arc<Channel>, shared: &Shared) -> Self {
        let settings = &shared.settings;
        Self {
            stream,
            channel,
            stats: Arc::clone(&shared.stats),
            clock: shared.clock,
            recv_bytes: settings.recv_bytes,
            send_bytes: settings.send_bytes,
            log_socket_errors: settings.log_socket_errors,
            told_timeout: false,
            request_timeout: Arc::clone(&shared.canned.request_timeout),
        }
    }

    /// The channel this socket belongs to.
    pub fn channel(&self) -> &Arc<Channel> {
        &self.channel
    }

    fn worker_stats(&self) -> &WorkerStats {
        &self.stats.workers[self.channel.worker]
    }

    fn note_error(&self, op: &str, err: &io::Error) {
        self.stats.socket_errors.fetch_add(1, Relaxed);
        if self.log_socket_errors {
            tracing::info!(peer = %self.channel.peer, "socket {op} error: {err}");
        }
    }

    /// On a head timeout the client is told `408` before the stream ends. The write is a
    /// best-effort non-blocking try: no response is in progress when a head is still pending.
    fn tell_head_timeout(&mut self) {
        if !self.told_timeout {
            self.told_timeout = true;
            let _ = self.stream.try_write(&self.request_timeout);
        }
    }

    fn on_read(&self, n: usize) {
        if n == 0 {
            return;
        }
        let ch = &self.channel;
        let now = self.clock.now_ms();
        ch.last_activity_ms.store(now, Relaxed);
        self.worker_stats().bytes_in.fetch_add(n as u64, Relaxed);
        // Bytes arriving while nothing is in flight start a new request head; the service
        // clears the mark once actix-http has parsed that head.
        if ch.in_flight.load(Acquire) == 0 && ch.head_started_ms.load(Relaxed) == 0 {
            ch.head_started_ms.store(now, Release);
        }
    }
}

impl AsyncRead for TrackedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        this.channel.read_waker.register(cx.waker());
        match this.channel.close_reason() {
            CloseReason::Open => {}
            CloseReason::HeadTimeout => {
                this.tell_head_timeout();
                return Poll::Ready(Ok(()));
            }
            CloseReason::Quiet => return Poll::Ready(Ok(())),
        }
        let result = if buf.remaining() > this.recv_bytes {
            let mut limited = ReadBuf::new(buf.initialize_unfilled_to(this.recv_bytes));
            let res = ready!(Pin::new(&mut this.stream).poll_read(cx, &mut limited));
            let n = limited.filled().len();
            buf.advance(n);
            res.map(|()| n)
        } else {
            let before = buf.filled().len();
            let res = ready!(Pin::new(&mut this.stream).poll_read(cx, buf));
            res.map(|()| buf.filled().len() - before)
        };
        match result {
            Ok(n) => {
                this.on_read(n);
                Poll::Ready(Ok(()))
            }
            Err(err) => {
                this.note_error("read", &err);
                Poll::Ready(Err(err))
            }
        }
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let chunk = &data[..data.len().min(this.send_bytes)];
        match Pin::new(&mut this.stream).poll_write(cx, chunk) {
            Poll::Pending => {
                this.channel.write_blocked.store(true, Release);
                Poll::Pending
            }
            Poll::Ready(Ok(n)) => {
                this.channel.write_blocked.store(false, Release);
                if n > 0 {
                    let now = this.clock.now_ms();
                    this.channel.last_activity_ms.store(now, Relaxed);
                    this.worker_stats().bytes_out.fetch_add(n as u64, Relaxed);
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(err)) => {
                this.note_error("write", &err);
                Poll::Ready(Err(err))
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
