//! Listening sockets, set up with socket2 so that the backlog and kernel buffer sizes apply
//! before `listen()` (accepted sockets inherit the buffer sizes).

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Protocol, Socket, Type};

use crate::settings::Settings;

/// Binds `addr` with the settings' backlog and buffer sizes, in non-blocking mode.
pub(crate) fn bind_listener(
    addr: SocketAddr,
    settings: &Settings,
) -> io::Result<std::net::TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // On Windows SO_REUSEADDR lets a second process steal the port; elsewhere it only allows a
    // quick restart while old connections sit in TIME_WAIT.
    #[cfg(not(windows))]
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        // So that `[::]:8050` and `0.0.0.0:8050` can both be listened on.
        socket.set_only_v6(true)?;
    }
    if let Some(size) = settings.so_rcvbuf {
        socket.set_recv_buffer_size(size)?;
    }
    if let Some(size) = settings.so_sndbuf {
        socket.set_send_buffer_size(size)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(i32::try_from(settings.backlog).unwrap_or(i32::MAX))?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}
