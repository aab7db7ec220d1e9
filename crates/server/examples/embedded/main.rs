//! Embedding the store dashboard in another actix-web application, served by the storeboard
//! engine.
//!
//! Run: `cargo run -p storeboard --example embedded -- 127.0.0.1:8060 /tmp/embedded-data`, then
//! open <http://127.0.0.1:8060/> (the host's page) and <http://127.0.0.1:8060/dashboard/>.

mod app;

use std::path::PathBuf;
use std::sync::Arc;

use storeboard_dashboard::{DashboardState, Sources};
use storeboard_data::OrderStore;
use storeboard_engine::{Engine, Settings};
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_target(false).init();
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8060".to_owned());
    let data_dir = PathBuf::from(args.next().unwrap_or_else(|| "embedded-data".to_owned()));
    std::fs::create_dir_all(&data_dir)?;
    let store = Arc::new(OrderStore::open(&data_dir)?);
    let mut settings = Settings::default();
    settings.set("listen", &listen)?;
    let tabs = TabsState::new(
        Arc::clone(&store),
        Default::default(),
        storeboard_tabs::DEFAULT_CAPACITY,
    );
    let upload = UploadState::new(store, data_dir, settings.max_request_body_size);
    let dashboard = DashboardState::new(tabs, upload, Sources::embedded());
    let engine = Engine::new(settings, move || app::host_app(dashboard.clone())).bind()?;
    for addr in engine.local_addrs() {
        println!("Serving on http://{addr} (dashboard at http://{addr}/dashboard/)");
    }
    engine.run().await?;
    Ok(())
}
