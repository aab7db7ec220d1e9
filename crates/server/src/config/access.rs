//! The settings of logins and the audit log: `trusted_proxy`, `secure_cookie` and
//! `audit_keep_days`. They come in as text from every source like the engine's settings do
//! (see [`super::merge`]) and are parsed here.

use storeboard_auth::TrustedProxy;

use super::{ServerSettingSpec, UNSET};

/// Audit log entries older than this many days are deleted (0 keeps them forever).
pub const DEFAULT_AUDIT_KEEP_DAYS: u32 = 365;
/// The session cookie is not marked `Secure` by default: plain HTTP on the LAN must work.
pub const DEFAULT_SECURE_COOKIE: bool = false;

pub(crate) const TRUSTED_PROXY: &str = "trusted_proxy";
pub(crate) const SECURE_COOKIE: &str = "secure_cookie";
pub(crate) const AUDIT_KEEP_DAYS: &str = "audit_keep_days";

pub(crate) const TRUSTED_PROXY_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: TRUSTED_PROXY,
    value_name: "ADDRESS",
    in_toml: true,
    help: "Reverse proxies (addresses or networks, e.g. `127.0.0.1` or `10.0.0.0/8`; repeat the flag or separate with commas) whose `X-Forwarded-For` names the client: the failed-login limit and the audit log then see the real client behind nginx. Unset believes no proxy (the peer address is the client).",
};

pub(crate) const SECURE_COOKIE_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: SECURE_COOKIE,
    value_name: "BOOL",
    in_toml: true,
    help: "Mark the login cookie `Secure`, so browsers send it over HTTPS only: set it when users reach the server through a TLS proxy (nginx with a certificate). `--secure-cookie` alone means true.",
};

pub(crate) const AUDIT_KEEP_DAYS_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: AUDIT_KEEP_DAYS,
    value_name: "DAYS",
    in_toml: true,
    help: "Days the audit log (uploads, deletes, logins) is kept; older entries are deleted a minute after start-up and every hour. 0 keeps them forever.",
};

/// This module's settings.
pub(crate) const SPECS: [ServerSettingSpec; 3] =
    [TRUSTED_PROXY_SPEC, SECURE_COOKIE_SPEC, AUDIT_KEEP_DAYS_SPEC];

/// The spec of one of this module's settings.
pub(crate) fn spec(key: &str) -> Option<ServerSettingSpec> {
    SPECS.into_iter().find(|s| s.key == key)
}

/// Is `key` one of this module's settings?
pub(crate) fn is_access_key(key: &str) -> bool {
    spec(key).is_some()
}

/// Logins behind a proxy, the cookie, the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessSettings {
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxy: Vec<TrustedProxy>,
    /// Mark the session cookie `Secure`.
    pub secure_cookie: bool,
    /// Days the audit log is kept (0: forever).
    pub audit_keep_days: u32,
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self {
            trusted_proxy: Vec::new(),
            secure_cookie: DEFAULT_SECURE_COOKIE,
            audit_keep_days: DEFAULT_AUDIT_KEEP_DAYS,
        }
    }
}

impl AccessSettings {
    /// The textual form of one of these settings (`None` for another key).
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        match key {
            TRUSTED_PROXY if self.trusted_proxy.is_empty() => Some(UNSET.to_owned()),
            TRUSTED_PROXY => Some(
                self.trusted_proxy
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            SECURE_COOKIE => Some(self.secure_cookie.to_string()),
            AUDIT_KEEP_DAYS => Some(self.audit_keep_days.to_string()),
            _ => None,
        }
    }

    /// Sets one of these settings from text; `Err` says what would have been accepted.
    pub(crate) fn set(&mut self, key: &str, raw: &str) -> Result<(), String> {
        match key {
            TRUSTED_PROXY => {
                let entries = raw.split(',').map(str::trim).filter(|e| !e.is_empty());
                self.trusted_proxy = entries.map(str::parse).collect::<Result<_, _>>().map_err(
                    |e: storeboard_auth::BadProxy| {
                        format!("IP addresses or networks separated by commas ({e})")
                    },
                )?;
            }
            SECURE_COOKIE => {
                self.secure_cookie = match raw.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" | "on" => true,
                    "false" | "no" | "0" | "off" => false,
                    _ => return Err("true or false".to_owned()),
                };
            }
            AUDIT_KEEP_DAYS => {
                self.audit_keep_days = raw
                    .trim()
                    .parse()
                    .map_err(|_| "a whole number of days (0 keeps the log forever)".to_owned())?;
            }
            _ => return Err(format!("a known setting, not {key}")),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load_with, path_of, toml_file};
    use super::*;

    #[test]
    fn access_settings_come_from_flags_env_and_file() {
        let s = load_with(&[], &[]).expect("defaults");
        assert_eq!(s.access, AccessSettings::default());
        assert_eq!(s.get(TRUSTED_PROXY).as_deref(), Some("unset"));
        let file = toml_file(
            "trusted_proxy = [\"127.0.0.1\", \"10.0.0.0/8\"]\nsecure_cookie = true\naudit_keep_days = 30\n",
        );
        let s = load_with(&["--config", path_of(&file)], &[]).expect("loads");
        assert_eq!(
            s.get(TRUSTED_PROXY).as_deref(),
            Some("127.0.0.1,10.0.0.0/8")
        );
        assert!(s.access.secure_cookie);
        assert_eq!(s.access.audit_keep_days, 30);
        let s = load_with(
            &[
                "--trusted-proxy",
                "::1",
                "--secure-cookie",
                "--audit-keep-days",
                "7",
            ],
            &[
                ("STOREBOARD_AUDIT_KEEP_DAYS", "90"),
                ("STOREBOARD_SECURE_COOKIE", "false"),
            ],
        )
        .expect("loads");
        assert_eq!(s.get(TRUSTED_PROXY).as_deref(), Some("::1"));
        assert!(s.access.secure_cookie, "the flag beats the environment");
        assert_eq!(s.access.audit_keep_days, 7);
        let s = load_with(&["--secure-cookie", "false"], &[]).expect("loads");
        assert!(!s.access.secure_cookie);
    }

    #[test]
    fn a_bad_proxy_or_day_count_names_the_setting_and_its_source() {
        let err = load_with(&["--trusted-proxy", "nginx"], &[]).expect_err("not an address");
        let text = err.to_string();
        assert!(
            text.starts_with("invalid value 'nginx' for trusted_proxy (from --trusted-proxy)"),
            "{text}"
        );
        let err = load_with(&[], &[("STOREBOARD_AUDIT_KEEP_DAYS", "-1")]).expect_err("negative");
        assert!(
            err.to_string().contains("STOREBOARD_AUDIT_KEEP_DAYS"),
            "{err}"
        );
        assert_eq!(err.exit_code(), 2);
    }
}
