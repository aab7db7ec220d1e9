//! `storeboard`: starts the store dashboard server (see README.md and docs/configuration.md).

use std::process::ExitCode;

use anyhow::Context as _;
use std::sync::Arc;
use storeboard::config::{self, ServerSettings};
use storeboard::mode::Mode;

use storeboard_analytics::Business;
use storeboard_data::OrderStore;
use storeboard_engine::Engine;
use storeboard_tabs::TabsState;
use storeboard_upload::UploadState;

fn main() -> ExitCode {
    storeboard::allocator::tune();
    // `storeboard backup …` / `storeboard restore …` run instead of the server.
    if let Some(code) = storeboard::ops::dispatch(std::env::args_os()) {
        return code;
    }
    let settings = match config::load_from_process() {
        Ok(settings) => settings,
        Err(err) => {
            let code = err.exit_code();
            if code == 0 {
                println!("{err}");
            } else {
                eprintln!("storeboard: {err}");
            }
            return ExitCode::from(code as u8);
        }
    };
    let business = match storeboard::business::load(settings.config_file.as_deref()) {
        Ok(business) => business,
        Err(err) => {
            eprintln!("storeboard: {err}");
            return ExitCode::from(err.exit_code() as u8);
        }
    };
    // Held until the server has stopped: Ctrl-C and SIGTERM stop it gracefully (the engine
    // returns from `serve`, a second signal just cuts the drain short), then the guard's drop
    // writes out the queued lines, `stopped …` included, before any error below is printed.
    let log = match storeboard::logging::init_stderr() {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("storeboard: {err}");
            return ExitCode::FAILURE;
        }
    };
    let mode = Mode::current();
    let settings = mode.adjust(settings);
    let outcome = actix_rt::System::new().block_on(serve(settings, mode, business));
    drop(log);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("storeboard: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: ServerSettings, mode: Mode, business: Business) -> anyhow::Result<()> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create data directory {}",
            settings.data_dir.display()
        )
    })?;
    // Held until the process ends: a second server or a restore on this directory is refused.
    let _lock = storeboard_data::DataDirLock::acquire(&settings.data_dir)?;
    let data_dir = settings.data_dir.clone();
    // The stores load in the background, spread over the cores: the page and `/healthz` answer
    // at once, `/api/v1/stores` marks the stores still loading, and writes wait for the load.
    let store = tokio::task::spawn_blocking(move || OrderStore::open_in_background(&data_dir))
        .await
        .context("opening the order store")??;
    let loader = Arc::clone(&store);
    let upload = UploadState::new(
        Arc::clone(&store),
        settings.data_dir.clone(),
        settings.engine.max_request_body_size,
    )
    .with_parse_limits(settings.parse.limits, settings.parse.max_xls_ods_parses);
    // The import folder's thread waits for the load itself, and runs off the engine's workers.
    let (import_status, import_dir) = storeboard::import::start(&settings, Arc::clone(&store))?;
    let upload = upload.with_import_status(import_status);
    // One tabs state (and so one cache) shared by every worker.
    let limits = storeboard_tabs::CacheLimits {
        max_bytes: (settings.tab_cache_mb as usize) << 20,
        max_entries: if settings.tab_cache_mb == 0 {
            0
        } else {
            storeboard_tabs::DEFAULT_CAPACITY
        },
    };
    let tabs = TabsState::with_cache(store, business, limits)
        .with_max_period_days(settings.max_period_days);
    let auth = storeboard::access::auth_state(&settings, Arc::clone(upload.store()))?;
    // Old audit entries go now and every hour.
    actix_rt::spawn(storeboard::access::keep_pruning_audit(
        Arc::clone(upload.store()),
        settings.access.audit_keep_days,
    ));
    let engine = Engine::new(settings.engine.clone(), move || {
        storeboard::app_with_auth(mode, upload.clone(), tabs.clone(), auth.clone())
    })
    .bind()?;
    let addrs = engine.local_addrs();
    // Printed once the engine (and its signal handlers) is up, so a script that waits for the
    // `Serving on` line can stop it with SIGTERM right away.
    let server = engine.run();
    println!("{}", mode.banner(&settings));
    if let Some(warning) = storeboard::mode::open_access_warning(&settings, &addrs) {
        println!("{warning}");
    }
    for addr in addrs {
        println!("Serving on http://{addr}");
    }
    // A store that cannot be loaded (a damaged database) stops the server, as it stopped the
    // start before loading moved to the background.
    let handle = server.handle();
    let watcher = Arc::clone(&loader);
    actix_rt::spawn(async move {
        let failed = tokio::task::spawn_blocking(move || loop {
            match watcher.wait_loaded(std::time::Duration::from_secs(3600)) {
                Err(storeboard_data::StoreError::Loading { .. }) => continue,
                outcome => return outcome.is_err(),
            }
        })
        .await
        .unwrap_or(false);
        if failed {
            handle.stop(true).await;
        }
    });
    let served = server.await;
    // After the engine: the file in hand is finished, or left in `.importing/` for the next start.
    if let Some(import_dir) = import_dir {
        let _ = tokio::task::spawn_blocking(move || import_dir.stop(storeboard::import::STOP_WAIT))
            .await;
    }
    served?;
    if let Some(detail) = loader.load_failure() {
        anyhow::bail!("loading the order store failed: {detail}");
    }
    Ok(())
}
