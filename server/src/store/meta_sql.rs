//! Health, migrations and settings, written once for both backends (see
//! `accounts_sql.rs` for how the macros are used).

macro_rules! meta_store {
    ($store:ty, backend = $backend:expr, migrations = $dir:literal) => {
        #[async_trait::async_trait]
        impl $crate::store::MetaStore for $store {
            fn backend(&self) -> $crate::store::Backend {
                $backend
            }

            async fn ping(&self) -> $crate::store::StoreResult<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await.map_err(Self::err)?;
                Ok(())
            }

            async fn migrate(&self) -> $crate::store::StoreResult<()> {
                static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!($dir);
                MIGRATOR.run(&self.pool).await?;
                Ok(())
            }

            async fn jwt_secret(&self, candidate: &str) -> $crate::store::StoreResult<String> {
                let mut tx = self.begin_write().await?;
                sqlx::query("INSERT INTO settings (key, value) VALUES ('jwt_secret', $1) ON CONFLICT (key) DO NOTHING")
                    .bind(candidate)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                let secret: String = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'jwt_secret'")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                tx.commit().await.map_err(Self::err)?;
                Ok(secret)
            }
        }
    };
}

pub(crate) use meta_store;
