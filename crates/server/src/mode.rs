//! Production or debug mode, decided at build time by the `debug` cargo feature.

use std::path::PathBuf;

use crate::config::ServerSettings;

/// How the binary runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `cargo run --release`: the configured workers, embedded assets, terse errors.
    Production,
    /// `cargo run --features debug`: one worker, templates and static files read from disk on
    /// every request, detailed error pages. Not for production.
    Debug,
}

impl Mode {
    /// The mode this binary was built for.
    pub const fn current() -> Self {
        if cfg!(feature = "debug") {
            Mode::Debug
        } else {
            Mode::Production
        }
    }

    /// True in debug mode.
    pub fn is_debug(self) -> bool {
        self == Mode::Debug
    }

    /// What the mode imposes on the settings: debug mode runs one worker and shows error details.
    pub fn adjust(self, mut settings: ServerSettings) -> ServerSettings {
        if self.is_debug() {
            settings.engine.threads = 1;
            settings.engine.expose_tracebacks = true;
        }
        settings
    }

    /// The banner printed before the `Serving on` lines.
    pub fn banner(self, settings: &ServerSettings) -> String {
        let engine = &settings.engine;
        match self {
            Mode::Production => format!(
                "🚀 生产模式: Storeboard 引擎 (threads={}, connection_limit={})",
                engine.threads, engine.connection_limit
            ),
            Mode::Debug => format!(
                "🐛 调试模式: Storeboard 引擎 (threads={}, connection_limit={})\n\
                 ⚠️  调试模式仅供开发使用,请勿用于生产环境 (debug mode: do not use in production)\n\
                 ♻️  模板与静态文件每次请求都从磁盘读取 (templates and static files hot-reload from {})",
                engine.threads,
                engine.connection_limit,
                source_dir().display()
            ),
        }
    }
}

/// The loud warning for a server that anyone on the network may change: no admin password, and
/// at least one listener that is not loopback. `None` when a password is set or only this
/// machine can connect.
pub fn open_access_warning(
    settings: &ServerSettings,
    listeners: &[std::net::SocketAddr],
) -> Option<String> {
    let exposed = listeners.iter().any(|a| !a.ip().is_loopback());
    (settings.admin_password.is_none() && exposed).then(|| {
        "⚠️  ⚠️  未设置管理员密码:局域网内任何能访问本机的人都可以上传、替换和删除数据!\n\
         ⚠️  ⚠️  NO ADMIN PASSWORD: anyone who can reach this server can upload, replace and delete data.\n\
         ⚠️  ⚠️  设置 --admin-password 或环境变量 STOREBOARD_ADMIN_PASSWORD (see docs/configuration.md)"
            .to_owned()
    })
}

/// Where templates and static files live in the source tree (read from there in debug mode).
pub fn source_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_mode_runs_one_worker_and_exposes_errors() {
        let adjusted = Mode::Debug.adjust(ServerSettings::default());
        assert_eq!(adjusted.engine.threads, 1);
        assert!(adjusted.engine.expose_tracebacks);
        let production = Mode::Production.adjust(ServerSettings::default());
        assert_eq!(production.engine.threads, 4);
    }

    #[test]
    fn production_banner_names_threads_and_limit_and_no_development_server() {
        let banner = Mode::Production.banner(&ServerSettings::default());
        assert_eq!(
            banner,
            "🚀 生产模式: Storeboard 引擎 (threads=4, connection_limit=100)"
        );
        assert!(!banner.to_lowercase().contains("development server"));
    }

    #[test]
    fn debug_banner_warns_against_production_use() {
        let banner = Mode::Debug.banner(&ServerSettings::default());
        assert!(banner.starts_with("🐛 调试模式"));
        assert!(banner.contains("do not use in production"));
    }

    #[test]
    fn open_access_is_warned_about_only_beyond_loopback_without_an_admin_password() {
        let lan: Vec<std::net::SocketAddr> = vec!["0.0.0.0:8050".parse().expect("addr")];
        let local: Vec<std::net::SocketAddr> = vec!["127.0.0.1:8050".parse().expect("addr")];
        let open = ServerSettings::default();
        let warning = open_access_warning(&open, &lan).expect("warned");
        assert!(warning.contains("未设置管理员密码"), "{warning}");
        assert!(open_access_warning(&open, &local).is_none());
        let protected = ServerSettings {
            admin_password: crate::config::Secret::new("pw".into()),
            ..ServerSettings::default()
        };
        assert!(open_access_warning(&protected, &lan).is_none());
    }
}
