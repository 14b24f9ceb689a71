//! The async face of the database: rusqlite is blocking, so every call runs on tokio's
//! blocking pool, never on the async runtime or the UI thread.

use std::sync::{Arc, Mutex};

use super::{Database, DbError};

#[derive(Clone)]
pub struct DbHandle {
    inner: Arc<Mutex<Database>>,
}

impl std::fmt::Debug for DbHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbHandle")
    }
}

impl DbHandle {
    pub fn new(db: Database) -> Self {
        Self {
            inner: Arc::new(Mutex::new(db)),
        }
    }

    /// Runs `f` with the database on the blocking pool.
    pub async fn call<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Database) -> Result<T, DbError> + Send + 'static,
    {
        self.run(f).await
    }

    /// [`DbHandle::call`] for work with its own error type (an order, an import), so that a
    /// refused order stays an `OrderError` rather than being folded into a database error.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
        F: FnOnce(&mut Database) -> Result<T, E> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            // SQLite rolls back an interrupted transaction, so a poisoned lock is still usable.
            let mut db = inner.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut db)
        })
        .await
        .map_err(|e| E::from(DbError::Sqlite(format!("database task failed: {e}"))))?
    }

    /// Blocking access, for code already off the async runtime.
    pub fn blocking<T>(
        &self,
        f: impl FnOnce(&mut Database) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut db = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut db)
    }
}
