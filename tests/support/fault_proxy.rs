//! A fault-injecting TCP proxy for the tests, between a kiosk and the server on loopback. TLS
//! passes through it untouched; it breaks the network underneath: down, reset in the middle of a
//! request, or a request that never gets an answer.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkFault {
    /// Forward everything.
    Pass,
    /// Close every connection at once, as a server that is down behind a load balancer.
    Down,
    /// Forward the first `n` bytes from the kiosk, then reset both connections.
    ResetAfter(usize),
    /// Take the connection and never answer.
    BlackHole,
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    fault: Arc<Mutex<NetworkFault>>,
    /// Rung to cut every connection that is forwarding now.
    cut: Arc<tokio::sync::Notify>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let fault = Arc::new(Mutex::new(NetworkFault::Pass));
        let shared = fault.clone();
        let cut = Arc::new(tokio::sync::Notify::new());
        let cuts = cut.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let fault = *shared.lock().unwrap();
                tokio::spawn(handle(client, upstream, fault, cuts.clone()));
            }
        });
        Self { addr, fault, cut }
    }

    /// The network drops: connections open now are reset, and new ones are refused until
    /// [`Self::set`] says otherwise.
    pub fn drop_network(&self) {
        self.set(NetworkFault::Down);
        self.cut.notify_waiters();
    }

    pub fn set(&self, fault: NetworkFault) {
        *self.fault.lock().unwrap() = fault;
    }

    /// The URL a kiosk uses to go through the proxy (the server's certificate names localhost).
    pub fn url(&self) -> String {
        format!("https://localhost:{}", self.addr.port())
    }
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, fault: NetworkFault, cut: Arc<tokio::sync::Notify>) {
    match fault {
        NetworkFault::Down => {
            let _ = client.set_zero_linger();
        }
        NetworkFault::BlackHole => {
            let mut sink = [0u8; 4096];
            while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
        }
        NetworkFault::Pass => {
            if let Ok(mut server) = TcpStream::connect(upstream).await {
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                    _ = cut.notified() => {
                        let _ = client.set_zero_linger();
                        let _ = server.set_zero_linger();
                    }
                }
            }
        }
        NetworkFault::ResetAfter(limit) => {
            let Ok(mut server) = TcpStream::connect(upstream).await else { return };
            let mut forwarded = 0;
            let (mut up, mut down) = ([0u8; 4096], [0u8; 4096]);
            while forwarded < limit {
                tokio::select! {
                    read = client.read(&mut up) => {
                        let Ok(n) = read else { break };
                        let n = n.min(limit - forwarded);
                        if n == 0 || server.write_all(&up[..n]).await.is_err() {
                            break;
                        }
                        forwarded += n;
                    }
                    read = server.read(&mut down) => {
                        let Ok(n) = read else { break };
                        if n == 0 || client.write_all(&down[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
            // Dropping with linger 0 sends RST to both sides.
            let _ = client.set_zero_linger();
            let _ = server.set_zero_linger();
        }
    }
}
