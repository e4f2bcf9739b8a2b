//! Health, migrations and settings, written once for both backends (see
//! `accounts_sql.rs` for how the macros are used).

macro_rules! meta_store {
    ($store:ty, backend = $backend:ident, migrations = $dir:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::store::{Backend, KeptSecret, MetaStore, StoreResult};

            #[async_trait::async_trait]
            impl MetaStore for $store {
                fn backend(&self) -> Backend {
                    Backend::$backend
                }

                async fn ping(&self) -> StoreResult<()> {
                    sqlx::query("SELECT 1").execute(&self.pool).await.map_err(Self::err)?;
                    Ok(())
                }

                async fn migrate(&self) -> StoreResult<()> {
                    static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!($dir);
                    MIGRATOR.run(&self.pool).await?;
                    Ok(())
                }

                async fn kept_secret(&self, name: KeptSecret, candidate: &str) -> StoreResult<String> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                        .bind(name.key())
                        .bind(candidate)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let secret: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                        .bind(name.key())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    tx.commit().await.map_err(Self::err)?;
                    Ok(secret)
                }
            }
        };
    };
}

pub(crate) use meta_store;
