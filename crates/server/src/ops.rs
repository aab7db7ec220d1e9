//! The operations subcommands, dispatched before the server's settings are loaded (see
//! `docs/operations.md`):
//!
//! - `storeboard backup --data-dir DIR --out FILE`: a consistent copy of the database, safe while
//!   the server runs; never overwrites FILE.
//! - `storeboard restore --data-dir DIR FILE`: refused while a server holds DIR; otherwise checks
//!   FILE, keeps the current database as `storeboard.db.before-restore-<UTC time>` and puts FILE
//!   in place. The next start loads it.
//!
//! Exit codes: 0 done, 1 failed (the message names the file and the cause), 2 usage error.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{value_parser, Arg, ArgMatches, Command};
use storeboard_data::backup::{self, Contents, Restored};
use storeboard_data::BackupError;

/// The subcommands' names: a first argument equal to one of them runs [`dispatch`]'s command
/// instead of the server.
pub const SUBCOMMANDS: [&str; 2] = ["backup", "restore"];

/// Runs `backup` or `restore` when the first argument after the program names one, and returns
/// its exit code; `None` otherwise, and the server starts as usual.
pub fn dispatch(args: impl IntoIterator<Item = OsString>) -> Option<ExitCode> {
    let args: Vec<OsString> = args.into_iter().collect();
    let first = args.get(1)?.to_str()?;
    SUBCOMMANDS.contains(&first).then(|| run(args))
}

/// The `storeboard backup|restore` command line, with `--help` on each subcommand.
pub fn command() -> Command {
    let data_dir = Arg::new("data-dir")
        .long("data-dir")
        .value_name("DIR")
        .required(true)
        .value_parser(value_parser!(PathBuf))
        .help("The server's data directory (its --data-dir), holding storeboard.db.");
    let backup = Command::new("backup")
        .about("Copies the database to FILE, consistently, even while the server runs. 备份数据库.")
        .arg(data_dir.clone())
        .arg(
            Arg::new("out")
                .long("out")
                .value_name("FILE")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("The backup file to write; it must not exist (never overwritten)."),
        )
        .after_help("Exit codes: 0 done, 1 failed, 2 usage error. See docs/operations.md.");
    let restore = Command::new("restore")
        .about(
            "Replaces the database by a backup FILE; the server must be stopped. 从备份恢复数据库.",
        )
        .arg(data_dir)
        .arg(
            Arg::new("file")
                .value_name("FILE")
                .required(true)
                .value_parser(value_parser!(PathBuf))
                .help("A file written by `storeboard backup`."),
        )
        .after_help(
            "The current database is kept as DIR/storeboard.db.before-restore-<UTC time>; \
             the next start loads the restored data. Exit codes: 0 done, 1 failed (also while \
             a server uses DIR), 2 usage error. See docs/operations.md.",
        );
    Command::new("storeboard")
        .about("Storeboard (门店看板) backups: `storeboard backup` and `storeboard restore`.")
        .subcommand_required(true)
        .disable_help_subcommand(true)
        .subcommand(backup)
        .subcommand(restore)
}

fn run(args: Vec<OsString>) -> ExitCode {
    init_logging();
    let matches = match command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(err) => {
            // Help goes to stdout with 0, a usage error to stderr with 2.
            let _ = err.print();
            return ExitCode::from(err.exit_code().clamp(0, 255) as u8);
        }
    };
    let path = |m: &ArgMatches, id: &str| m.get_one::<PathBuf>(id).cloned();
    match matches.subcommand() {
        Some(("backup", m)) => match (path(m, "data-dir"), path(m, "out")) {
            (Some(dir), Some(out)) => finish(
                backup::backup(&dir, &out).map(|c| backup_report(&c, &out)),
                "backup",
                "备份失败",
            ),
            _ => ExitCode::from(2),
        },
        Some(("restore", m)) => match (path(m, "data-dir"), path(m, "file")) {
            (Some(dir), Some(file)) => finish(
                backup::restore(&dir, &file).map(|r| restore_report(&r, &file)),
                "restore",
                "恢复失败",
            ),
            _ => ExitCode::from(2),
        },
        _ => ExitCode::from(2),
    }
}

/// Prints the report (exit 0) or the error (exit 1).
fn finish(result: Result<String, BackupError>, name: &str, failed: &str) -> ExitCode {
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("storeboard {name}: {failed} / {name} failed: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Warnings of the data layer (a database that could not be checkpointed) go to stderr.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("STOREBOARD_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// `备份完成: 2 个门店, …` then the same in English.
fn backup_report(contents: &Contents, out: &Path) -> String {
    let (zh, en) = describe(contents);
    let out = out.display();
    format!("备份完成: {zh} → {out}\nBackup done: {en} → {out}")
}

fn restore_report(restored: &Restored, file: &Path) -> String {
    let (zh, en) = describe(&restored.contents);
    let file = file.display();
    let mut report = format!("恢复完成: {zh} ← {file}\nRestored: {en} from {file}");
    if let Some(kept) = &restored.kept {
        report.push_str(&format!(
            "\n原数据库已保留为 / the previous database is kept as: {}",
            kept.display()
        ));
    }
    report.push_str("\n下次启动将加载恢复的数据 / the next start loads the restored data.");
    report
}

/// What a database holds, in Chinese and in English.
fn describe(c: &Contents) -> (String, String) {
    let span = c
        .span
        .as_ref()
        .map(|(first, last)| format!(" ({first} – {last})"))
        .unwrap_or_default();
    let size = human_size(c.bytes);
    (
        format!(
            "{} 个门店, {} 个门店日{span}, {} 次上传, {size}",
            c.stores, c.days, c.uploads
        ),
        format!(
            "{} stores, {} store-days{span}, {} uploads, {size}",
            c.stores, c.days, c.uploads
        ),
    )
}

/// `512 B`, `12.3 KB`, `4.0 MB`, `1.2 GB` (powers of 1024, as Windows Explorer shows them).
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_passes_clap_debug_asserts() {
        command().debug_assert();
    }

    #[test]
    fn only_a_first_argument_naming_a_subcommand_is_dispatched() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(dispatch(args(&["storeboard"])).is_none());
        assert!(dispatch(args(&["storeboard", "--port", "0"])).is_none());
        assert!(dispatch(args(&["storeboard", "--data-dir", "backup"])).is_none());
    }

    #[test]
    fn sizes_are_shown_in_the_largest_whole_unit() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(12_595), "12.3 KB");
        assert_eq!(human_size(4 << 20), "4.0 MB");
    }

    #[test]
    fn a_report_gives_stores_days_span_uploads_and_size_in_chinese_then_english() {
        let contents = Contents {
            stores: 2,
            days: 40,
            span: Some(("2026-11-01".into(), "2026-11-20".into())),
            uploads: 3,
            bytes: 2048,
        };
        let report = backup_report(&contents, Path::new("b.db"));
        assert_eq!(
            report,
            "备份完成: 2 个门店, 40 个门店日 (2026-11-01 – 2026-11-20), 3 次上传, 2.0 KB → b.db\n\
             Backup done: 2 stores, 40 store-days (2026-11-01 – 2026-11-20), 3 uploads, 2.0 KB → b.db"
        );
    }
}
