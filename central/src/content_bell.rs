//! What tells the content shelf to look again when `publish` has put a version there: on
//! PostgreSQL, its notification on [`CHANNEL`], which every server instance on the database
//! hears at once (LISTEN/NOTIFY), so that a kiosk hears of a publish whichever instance holds its
//! stream; and a timer besides (every 250 ms on SQLite, where one instance serves, and every
//! [`POSTGRES_FALLBACK`] on PostgreSQL, for a notification lost while the listener reconnected).

use crate::content_shelf::ContentShelf;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The PostgreSQL notification channel of publications; the payload is the version.
pub const CHANNEL: &str = crate::storage::CONTENT_CHANNEL;

/// How often the shelf looks without being told, on SQLite (reading one folder: cheap).
pub const SQLITE_LOOK: Duration = Duration::from_millis(250);

/// How often it looks without being told, on PostgreSQL.
pub const POSTGRES_FALLBACK: Duration = Duration::from_secs(60);

/// Tells every server instance on the PostgreSQL at `url` that `version` was published.
pub async fn announce(url: &str, version: u64) -> Result<(), crate::storage::StorageError> {
    let client = crate::storage::postgres_tls::connect_one(url).await?;
    client.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &version.to_string()]).await?;
    Ok(())
}

/// Whether `database` (as central.toml or `--database` gives it) is PostgreSQL.
pub fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// Keeps `shelf` up to date until `shutdown`: listening on PostgreSQL if `database` is, looking on
/// a timer besides.
pub fn start(shelf: Arc<ContentShelf>, database: &str, shutdown: CancellationToken) {
    let postgres = is_postgres(database).then(|| database.to_string());
    let look_every = if postgres.is_some() { POSTGRES_FALLBACK } else { SQLITE_LOOK };
    let (told, mut heard) = tokio::sync::mpsc::unbounded_channel();
    // Nothing tells on SQLite: the loop keeps the sender, and the timer alone wakes it.
    let kept_open = match postgres {
        Some(url) => {
            tokio::spawn(crate::pg_listen::listen(url, CHANNEL, told, shutdown.clone()));
            None
        }
        None => Some(told),
    };
    tokio::spawn(async move {
        let _kept_open = kept_open;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                Some(_) = heard.recv() => {}
                _ = tokio::time::sleep(look_every) => {}
            }
            let shelf = shelf.clone();
            // Reading the folder is file IO: off the async threads.
            let _ = tokio::task::spawn_blocking(move || shelf.rescan()).await;
        }
    });
}
