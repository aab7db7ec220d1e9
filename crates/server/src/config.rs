//! Where the server's settings come from, and in which order they win.
//!
//! [`load`] builds one [`ServerSettings`] from four sources, each overriding the one before:
//! defaults < the TOML file (`--config FILE` or `STOREBOARD_CONFIG`) < `STOREBOARD_*`
//! environment variables < command-line flags. The engine's settings are wired from
//! [`Settings::FIELDS`] and the server's own from [`SERVER_FIELDS`], so a new setting gets its
//! flag, environment variable and TOML key without a change here; `docs/configuration.md` is
//! checked against both lists by `tests/config_docs.rs`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::PathBuf;

use storeboard_engine::{Preset, Settings, SettingsError};

use crate::cli;

mod access;
mod error;
mod file;
mod parse;

pub use access::{AccessSettings, DEFAULT_AUDIT_KEEP_DAYS, DEFAULT_SECURE_COOKIE};
pub(crate) use access::{AUDIT_KEEP_DAYS_SPEC, SECURE_COOKIE_SPEC, TRUSTED_PROXY_SPEC};
pub use error::{ConfigError, Origin};
pub use parse::ParseSettings;
pub(crate) use parse::PARSE_FIELDS;

/// Directory for the embedded database and uploaded files when none is given.
pub const DEFAULT_DATA_DIR: &str = "./data";
/// No preset by default: `threads` and `connection_limit` keep the engine's defaults.
pub const DEFAULT_PRESET: Option<Preset> = None;

/// The largest tab cache accepted, in MiB (64 GiB: a typo, not a machine).
const MAX_TAB_CACHE_MB: u32 = 65_536;

/// How an absent optional value is shown, as the engine shows its own.
const UNSET: &str = "unset";

pub(crate) const DATA_DIR: &str = "data_dir";
pub(crate) const IMPORT_DIR: &str = "import_dir";
pub(crate) const PRESET: &str = "preset";
pub(crate) const CONFIG: &str = "config";
pub(crate) const ADMIN_PASSWORD: &str = "admin_password";
pub(crate) const VIEWER_PASSWORD: &str = "viewer_password";
pub(crate) const MAX_PERIOD_DAYS: &str = "max_period_days";
pub(crate) const TAB_CACHE_MB: &str = "tab_cache_mb";

/// The tab cache's default size in MiB ([`storeboard_tabs::DEFAULT_CACHE_BYTES`]).
pub const DEFAULT_TAB_CACHE_MB: u32 = (storeboard_tabs::DEFAULT_CACHE_BYTES >> 20) as u32;

/// Server settings given as text and parsed in [`merge`] (not the engine's).
const SERVER_VALUES: [&str; 3] = [PRESET, MAX_PERIOD_DAYS, TAB_CACHE_MB];

/// A password: compared and used, never printed (`Debug` and `get` show `set`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret; an empty string is no secret (`None`).
    pub fn new(value: String) -> Option<Self> {
        (!value.is_empty()).then_some(Secret(value))
    }

    /// The secret itself, for the code that checks it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Metadata of a setting the server binary owns (the engine's are in [`Settings::FIELDS`]).
#[derive(Debug, Clone, Copy)]
pub struct ServerSettingSpec {
    /// The setting's name, and its TOML key when `in_toml` (`data_dir`).
    pub key: &'static str,
    /// Placeholder for the value in `--help` (`DIR`).
    pub value_name: &'static str,
    /// Whether a TOML file may set it (`config` cannot name another file).
    pub in_toml: bool,
    /// One-line meaning.
    pub help: &'static str,
}

impl ServerSettingSpec {
    /// The command-line flag: `--data-dir`.
    pub fn flag(&self) -> String {
        format!("--{}", self.key.replace('_', "-"))
    }

    /// The environment variable: `STOREBOARD_DATA_DIR`.
    pub fn env_var(&self) -> String {
        format!("STOREBOARD_{}", self.key.to_ascii_uppercase())
    }

    /// The TOML key, if a file may set it.
    pub fn toml_key(&self) -> Option<&'static str> {
        self.in_toml.then_some(self.key)
    }
}

pub(crate) const DATA_DIR_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: DATA_DIR,
    value_name: "DIR",
    in_toml: true,
    help: "Directory for the embedded database and uploaded files; a relative path starts at the working directory.",
};

pub(crate) const IMPORT_DIR_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: IMPORT_DIR,
    value_name: "DIR",
    in_toml: true,
    help: "Folder to import order exports from without a click: a `.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods` or `.csv` file dropped there is imported like an upload (merge) once it stops growing, then moved to `done/` or, when refused, to `failed/` with `NAME.report.json` beside it (see docs/data-format.md). Unset (or empty) imports from no folder.",
};

pub(crate) const PRESET_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: PRESET,
    value_name: "PRESET",
    in_toml: true,
    help: "Deployment size, `small`, `medium`, `large` or `xlarge`: sets `threads` and `connection_limit` as a baseline; an explicit `threads` or `connection_limit` from any source wins.",
};

pub(crate) const CONFIG_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: CONFIG,
    value_name: "FILE",
    in_toml: false,
    help: "TOML file to read settings from, one top-level key per setting (`channel_timeout = 2.5`); a missing file is an error.",
};

pub(crate) const ADMIN_PASSWORD_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: ADMIN_PASSWORD,
    value_name: "PASSWORD",
    in_toml: true,
    help: "Password that protects every change (upload, replace, delete): log in on the page, or send `Authorization: Bearer <password>`. Unset leaves the server open to anyone who can reach it.",
};

pub(crate) const VIEWER_PASSWORD_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: VIEWER_PASSWORD,
    value_name: "PASSWORD",
    in_toml: true,
    help: "Password that protects reading the dashboard and the APIs (the admin password works too). Unset lets anyone who can reach the server read.",
};

pub(crate) const MAX_PERIOD_DAYS_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: MAX_PERIOD_DAYS,
    value_name: "DAYS",
    in_toml: true,
    help: "Longest period, in days, a tab, page or export may ask for; a longer one is refused with 400 (periods are also narrowed to the days that have data).",
};

pub(crate) const TAB_CACHE_MB_SPEC: ServerSettingSpec = ServerSettingSpec {
    key: TAB_CACHE_MB,
    value_name: "MIB",
    in_toml: true,
    help: "Memory, in MiB, for computed tab answers shared by every user (0 caches nothing); the answers cheapest to recompute go first when it is full. A year of a 28-store chain takes ~670 MB with its aggregates, plus this.",
};

/// The server's own settings, in the order `--help` and the docs list them.
pub const SERVER_FIELDS: &[ServerSettingSpec] = &[
    DATA_DIR_SPEC,
    IMPORT_DIR_SPEC,
    PRESET_SPEC,
    CONFIG_SPEC,
    ADMIN_PASSWORD_SPEC,
    VIEWER_PASSWORD_SPEC,
    MAX_PERIOD_DAYS_SPEC,
    TAB_CACHE_MB_SPEC,
    TRUSTED_PROXY_SPEC,
    SECURE_COOKIE_SPEC,
    AUDIT_KEEP_DAYS_SPEC,
    parse::MAX_SHEET_CELLS_SPEC,
    parse::MAX_XLS_ODS_CELLS_SPEC,
    parse::MAX_XLS_ODS_PARSES_SPEC,
    parse::MAX_CSV_FIELD_BYTES_SPEC,
    parse::MAX_CSV_RECORD_BYTES_SPEC,
];

/// Everything the `storeboard` binary is configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSettings {
    /// The engine's settings, already validated by [`load`].
    pub engine: Settings,
    /// Directory for the embedded database and uploaded files. Default is `./data`.
    pub data_dir: PathBuf,
    /// The folder whose order exports are imported as they arrive. Default is none.
    pub import_dir: Option<PathBuf>,
    /// The deployment preset that gave `threads` and `connection_limit` their baseline.
    pub preset: Option<Preset>,
    /// The TOML file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// Protects every state-changing request when set.
    pub admin_password: Option<Secret>,
    /// Protects reading when set.
    pub viewer_password: Option<Secret>,
    /// The longest period a request may ask for, in days.
    pub max_period_days: u32,
    /// The tab cache's size, in MiB (`tab_cache_mb`; 0: none).
    pub tab_cache_mb: u32,
    /// Trusted proxies, the cookie's `Secure` flag, how long the audit log is kept.
    pub access: AccessSettings,
    /// How large an upload's sheets and CSV lines may be; `.xls`/`.ods` parses at once.
    pub parse: ParseSettings,
}

impl Default for ServerSettings {
    fn default() -> Self {
        let mut engine = Settings::default();
        if let Some(preset) = DEFAULT_PRESET {
            preset.apply(&mut engine);
        }
        Self {
            engine,
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            import_dir: None,
            preset: DEFAULT_PRESET,
            config_file: None,
            admin_password: None,
            viewer_password: None,
            max_period_days: storeboard_tabs::DEFAULT_MAX_PERIOD_DAYS,
            tab_cache_mb: DEFAULT_TAB_CACHE_MB,
            access: AccessSettings::default(),
            parse: ParseSettings::default(),
        }
    }
}

impl ServerSettings {
    /// The textual form of one setting, engine or server (`None` for an unknown key).
    pub fn get(&self, key: &str) -> Option<String> {
        let shown =
            |path: Option<&PathBuf>| path.map_or(UNSET.to_owned(), |p| p.display().to_string());
        match key {
            DATA_DIR => Some(self.data_dir.display().to_string()),
            IMPORT_DIR => Some(shown(self.import_dir.as_ref())),
            PRESET => Some(self.preset.map_or(UNSET, Preset::name).to_owned()),
            CONFIG => Some(shown(self.config_file.as_ref())),
            ADMIN_PASSWORD => Some(set_or_unset(self.admin_password.as_ref())),
            VIEWER_PASSWORD => Some(set_or_unset(self.viewer_password.as_ref())),
            MAX_PERIOD_DAYS => Some(self.max_period_days.to_string()),
            TAB_CACHE_MB => Some(self.tab_cache_mb.to_string()),
            key if parse::spec(key).is_some() => self.parse.get(key),
            _ => self.access.get(key).or_else(|| self.engine.get(key)),
        }
    }
}

/// `set` or `unset`: a password's only printable form.
fn set_or_unset(secret: Option<&Secret>) -> String {
    secret.map_or(UNSET, |_| "set").to_owned()
}

/// One value as a source gave it, before it is parsed.
#[derive(Debug)]
pub(crate) struct Given {
    pub(crate) key: &'static str,
    pub(crate) raw: String,
    pub(crate) origin: Origin,
}

impl Given {
    fn error(&self, err: SettingsError) -> ConfigError {
        ConfigError::from_settings(err, self.origin.clone())
    }

    fn invalid(&self, expected: String) -> ConfigError {
        ConfigError::InvalidValue {
            key: self.key.to_owned(),
            value: self.raw.clone(),
            origin: self.origin.clone(),
            expected,
        }
    }
}

/// What one source (file, environment or command line) gave.
#[derive(Debug, Default)]
pub(crate) struct Layer {
    /// Engine settings and `preset` as text, in the order given.
    pub(crate) values: Vec<Given>,
    pub(crate) data_dir: Option<PathBuf>,
    /// An empty path switches a folder given by an earlier source off.
    pub(crate) import_dir: Option<PathBuf>,
    pub(crate) admin_password: Option<String>,
    pub(crate) viewer_password: Option<String>,
}

/// Loads the settings from `args` (the program name first) and the environment variables that
/// `env` returns, reading the TOML file they name; then checks them with [`Settings::validate`].
pub fn load(
    args: impl IntoIterator<Item = OsString>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ServerSettings, ConfigError> {
    let (cli, cli_config) = cli::parse(args)?;
    let config_file = cli_config.or_else(|| env(&CONFIG_SPEC.env_var()).map(PathBuf::from));
    let file = match &config_file {
        Some(path) => file::file_layer(path)?,
        None => Layer::default(),
    };
    merge([file, env_layer(env), cli], config_file)
}

/// [`load`] with this process's arguments and environment.
pub fn load_from_process() -> Result<ServerSettings, ConfigError> {
    load(std::env::args_os(), &|name| {
        std::env::var_os(name).map(|v| v.to_string_lossy().into_owned())
    })
}

fn env_layer(env: &dyn Fn(&str) -> Option<String>) -> Layer {
    let mut layer = Layer::default();
    let keys = Settings::FIELDS.iter().map(|s| (s.key, s.env_var()));
    let server = [
        (PRESET, PRESET_SPEC.env_var()),
        (MAX_PERIOD_DAYS, MAX_PERIOD_DAYS_SPEC.env_var()),
        (TAB_CACHE_MB, TAB_CACHE_MB_SPEC.env_var()),
    ];
    let own = access::SPECS.into_iter().map(|s| (s.key, s.env_var()));
    for (key, var) in keys.chain(server).chain(own) {
        if let Some(raw) = env(&var) {
            layer.values.push(Given {
                key,
                raw,
                origin: Origin::Env(var),
            });
        }
    }
    for spec in parse::PARSE_FIELDS {
        let var = spec.env_var();
        if let Some(raw) = env(&var) {
            layer.values.push(Given {
                key: spec.key,
                raw,
                origin: Origin::Env(var),
            });
        }
    }
    layer.data_dir = env(&DATA_DIR_SPEC.env_var()).map(PathBuf::from);
    layer.import_dir = env(&IMPORT_DIR_SPEC.env_var()).map(PathBuf::from);
    layer.admin_password = env(&ADMIN_PASSWORD_SPEC.env_var());
    layer.viewer_password = env(&VIEWER_PASSWORD_SPEC.env_var());
    layer
}

/// Applies the layers in order (file, environment, command line) over the defaults.
fn merge(layers: [Layer; 3], config_file: Option<PathBuf>) -> Result<ServerSettings, ConfigError> {
    let mut out = ServerSettings {
        config_file,
        ..ServerSettings::default()
    };
    if let Some(dir) = layers.iter().rev().find_map(|l| l.data_dir.clone()) {
        out.data_dir = dir;
    }
    if let Some(dir) = layers.iter().rev().find_map(|l| l.import_dir.clone()) {
        out.import_dir = (!dir.as_os_str().is_empty()).then_some(dir);
    }
    // An empty password given later (e.g. `STOREBOARD_ADMIN_PASSWORD=`) switches it off.
    let last = |f: fn(&Layer) -> Option<String>| layers.iter().rev().find_map(f);
    out.admin_password = last(|l| l.admin_password.clone()).and_then(Secret::new);
    out.viewer_password = last(|l| l.viewer_password.clone()).and_then(Secret::new);
    let given: Vec<&Given> = layers.iter().flat_map(|l| &l.values).collect();
    // A preset is only a baseline: it goes in before every explicit value, whichever source
    // gave that value, so `threads = 3` in the file beats `--preset large`.
    for g in given.iter().filter(|g| g.key == PRESET) {
        out.preset = Some(g.raw.parse().map_err(|e| g.error(e))?);
    }
    if let Some(preset) = out.preset {
        preset.apply(&mut out.engine);
    }
    for g in given.iter().filter(|g| g.key == MAX_PERIOD_DAYS) {
        out.max_period_days = match g.raw.trim().parse::<u32>() {
            Ok(days) if days >= 1 => days,
            _ => {
                return Err(g.error(SettingsError::InvalidValue {
                    key: MAX_PERIOD_DAYS.to_owned(),
                    value: g.raw.clone(),
                    expected: "a whole number of days, at least 1".to_owned(),
                }))
            }
        };
    }
    for g in given.iter().filter(|g| g.key == TAB_CACHE_MB) {
        out.tab_cache_mb = match g.raw.trim().parse::<u32>() {
            Ok(mb) if mb <= MAX_TAB_CACHE_MB => mb,
            _ => {
                return Err(g.error(SettingsError::InvalidValue {
                    key: TAB_CACHE_MB.to_owned(),
                    value: g.raw.clone(),
                    expected: format!("a whole number of MiB from 0 to {MAX_TAB_CACHE_MB}"),
                }))
            }
        };
    }
    let mut origins: HashMap<&str, &Origin> = HashMap::new();
    for g in given.iter().filter(|g| parse::spec(g.key).is_some()) {
        out.parse.set(g)?;
    }
    for g in given
        .iter()
        .filter(|g| !SERVER_VALUES.contains(&g.key) && parse::spec(g.key).is_none())
    {
        if access::is_access_key(g.key) {
            out.access
                .set(g.key, &g.raw)
                .map_err(|expected| g.invalid(expected))?;
            continue;
        }
        out.engine.set(g.key, &g.raw).map_err(|e| g.error(e))?;
        origins.insert(g.key, &g.origin);
    }
    let given_key = |key: &str| origins.contains_key(key);
    if given_key("listen") && (given_key("host") || given_key("port")) {
        return Err(ConfigError::Conflict(
            "host or port may not be set if listen is set.".to_owned(),
        ));
    }
    out.engine.validate().map_err(|err| {
        let origin = match &err {
            SettingsError::InvalidValue { key, .. } => origins.get(key.as_str()).copied(),
            _ => None,
        };
        ConfigError::from_settings(err, origin.cloned().unwrap_or(Origin::Default))
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests;
