//! Logging: text for people, JSON for log collectors (`--log-format json`).

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// `to_stderr`: for commands whose standard output is data (`backup --output -`).
pub fn init(format: LogFormat, to_stderr: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Text if to_stderr => registry.with(fmt::layer().with_writer(std::io::stderr)).try_init(),
        LogFormat::Text => registry.with(fmt::layer()).try_init(),
        LogFormat::Json if to_stderr => registry
            .with(fmt::layer().json().flatten_event(true).with_span_list(false).with_writer(std::io::stderr))
            .try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true).with_span_list(false)).try_init(),
    };
    // Already initialised (tests): keep the first subscriber.
    let _ = result;
}
