//! Hearing PostgreSQL notifications (LISTEN/NOTIFY) on one channel, on a connection of its own
//! that reconnects with backoff when it is lost: how every server instance on one database hears
//! what another did (a content publication, a kiosk's heartbeat).

use std::time::Duration;
use tokio_postgres::AsyncMessage;
use tokio_util::sync::CancellationToken;

/// What a listener hears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A notification, with its payload.
    Notification(String),
    /// The listening connection was (re)established: notifications may have been missed before,
    /// so look at everything again.
    MayHaveMissed,
}

/// Listens on `channel` of the PostgreSQL at `url` until `shutdown`, telling `told` of each thing
/// heard; reconnects (with backoff) when the connection is lost.
pub async fn listen(
    url: String,
    channel: &'static str,
    told: tokio::sync::mpsc::UnboundedSender<Heard>,
    shutdown: CancellationToken,
) {
    let mut backoff = Duration::from_millis(500);
    loop {
        match listen_once(&url, channel, &told, &shutdown).await {
            Ok(()) => return,
            Err(e) => tracing::warn!("the connection listening on {channel} to PostgreSQL ended: {e}; reconnecting"),
        }
        let _ = told.send(Heard::MayHaveMissed);
        let wait = backoff.mul_f64(0.5 + fastrand::f64());
        backoff = (backoff * 2).min(Duration::from_secs(30));
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One listening connection, until it fails (an error) or `shutdown` (Ok).
async fn listen_once(
    url: &str,
    channel: &'static str,
    told: &tokio::sync::mpsc::UnboundedSender<Heard>,
    shutdown: &CancellationToken,
) -> Result<(), String> {
    let (config, tls, _) = crate::storage::postgres_tls::connection(url).map_err(|e| e.to_string())?;
    let (client, mut connection) = config.connect(tls).await.map_err(|e| e.to_string())?;
    let (failed_tx, mut failed) = tokio::sync::oneshot::channel();
    let told_driver = told.clone();
    // The connection is driven here, so that its notifications are seen.
    let driver = tokio::spawn(async move {
        let result = loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(heard))) => {
                    let _ = told_driver.send(Heard::Notification(heard.payload().to_string()));
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => break e.to_string(),
                None => break "the server closed it".to_string(),
            }
        };
        let _ = failed_tx.send(result);
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {channel}")).await.map_err(|e| e.to_string())?;
        tracing::info!("listening on {channel} on PostgreSQL");
        // Anything sent while the listener was down is looked for now.
        let _ = told.send(Heard::MayHaveMissed);
        tokio::select! {
            _ = shutdown.cancelled() => Ok(()),
            why = &mut failed => Err(why.unwrap_or_else(|_| "its driver stopped".into())),
        }
    }
    .await;
    driver.abort();
    result
}
