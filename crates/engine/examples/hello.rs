//! Serves a small actix-web app with the storeboard engine instead of `HttpServer`.
//!
//! Run: `cargo run -p storeboard-engine --example hello -- 127.0.0.1:8080`, then
//! `curl http://127.0.0.1:8080/` and `curl http://127.0.0.1:8080/stats`. Ctrl-C stops it
//! gracefully.

use actix_web::{web, App, HttpResponse};
use storeboard_engine::{Engine, EngineInfo, Settings};

async fn hello() -> &'static str {
    "hello from the storeboard engine\n"
}

async fn stats(info: EngineInfo) -> HttpResponse {
    HttpResponse::Ok().json(info.stats.snapshot())
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().with_target(false).init();
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let mut settings = Settings::default();
    settings.set("listen", &listen)?;
    settings.threads = 2;
    let engine = Engine::new(settings, || {
        App::new()
            .route("/", web::get().to(hello))
            .route("/stats", web::get().to(stats))
    })
    .bind()?;
    for addr in engine.local_addrs() {
        println!("Serving on http://{addr}");
    }
    engine.run().await?;
    Ok(())
}
