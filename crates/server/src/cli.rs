//! The command line, built with clap's builder API from [`Settings::FIELDS`] and
//! [`SERVER_FIELDS`]: every setting gets its flag from the same metadata as its environment
//! variable, TOML key and row in `docs/configuration.md`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use storeboard_engine::{Kind, Preset, SettingSpec, Settings};

use crate::config::{
    ConfigError, Given, Layer, Origin, ServerSettingSpec, ServerSettings, ADMIN_PASSWORD_SPEC,
    CONFIG_SPEC, DATA_DIR_SPEC, IMPORT_DIR_SPEC, MAX_PERIOD_DAYS_SPEC, PARSE_FIELDS, PRESET_SPEC,
    SERVER_FIELDS, TAB_CACHE_MB_SPEC, VIEWER_PASSWORD_SPEC,
};
use crate::config::{AUDIT_KEEP_DAYS_SPEC, SECURE_COOKIE_SPEC, TRUSTED_PROXY_SPEC};

const AFTER_HELP: &str = "\
Every setting can also come from an environment variable (STOREBOARD_ and the setting's name in \
capitals: STOREBOARD_CHANNEL_TIMEOUT) or a top-level key of the --config TOML file \
(channel_timeout = 2.5). A flag beats an environment variable, which beats the file, which beats \
the default; see docs/configuration.md.
Backups: `storeboard backup --data-dir DIR --out FILE` and `storeboard restore --data-dir DIR FILE` \
(each with --help; see docs/operations.md).";

/// The `storeboard` command: one `--flag VALUE` per setting, a `--flag`/`--no-flag` pair per
/// boolean setting, and `--help`/`--version`.
pub fn command() -> Command {
    let defaults = ServerSettings::default();
    let engine_args = Settings::FIELDS
        .iter()
        .flat_map(|spec| engine_args(spec, &defaults));
    let server_args = SERVER_FIELDS.iter().map(|spec| server_arg(spec, &defaults));
    Command::new("storeboard")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Storeboard (门店看板): the store dashboard server.")
        .after_help(AFTER_HELP)
        .next_line_help(true)
        .args(engine_args)
        .args(server_args)
}

/// The flag that sets a boolean setting to false: `--no-access-log`.
pub fn negated_flag(spec: &SettingSpec) -> String {
    format!("--no-{}", long_name(&spec.flag()))
}

fn long_name(flag: &str) -> String {
    flag.trim_start_matches("--").to_owned()
}

/// The clap id of a boolean setting's `--no-` flag.
fn negated_id(spec: &SettingSpec) -> String {
    format!("no-{}", spec.key)
}

fn engine_args(spec: &SettingSpec, defaults: &ServerSettings) -> Vec<Arg> {
    let help = normalize(spec.help);
    let default = defaults.get(spec.key).unwrap_or_default();
    let unit = if spec.unit.is_empty() || default == "unset" {
        String::new()
    } else {
        format!(" {}", spec.unit)
    };
    let help = format!("{help} Default is {default}{unit}.");
    let arg = Arg::new(spec.key).long(long_name(&spec.flag())).help(help);
    let value_name = match spec.kind {
        Kind::Bool => {
            let off = Arg::new(negated_id(spec))
                .long(long_name(&negated_flag(spec)))
                .action(ArgAction::SetTrue)
                .conflicts_with(spec.key)
                .help(format!("Sets {} to false.", spec.key));
            return vec![arg.action(ArgAction::SetTrue), off];
        }
        Kind::Seconds => "SECONDS".to_owned(),
        Kind::AddressList => "HOST:PORT".to_owned(),
        Kind::Integer if spec.unit == "bytes" => "BYTES".to_owned(),
        Kind::Integer => "N".to_owned(),
        Kind::Text => spec.key.to_ascii_uppercase(),
    };
    let action = if spec.kind == Kind::AddressList {
        ArgAction::Append
    } else {
        ArgAction::Set
    };
    let arg = arg
        .value_name(value_name)
        .action(action)
        .value_parser(value_parser!(String));
    vec![arg]
}

fn server_arg(spec: &ServerSettingSpec, defaults: &ServerSettings) -> Arg {
    let default = defaults.get(spec.key).unwrap_or_default();
    let (parser, help) = if spec.key == PRESET_SPEC.key {
        (
            value_parser!(String),
            format!("{} Presets: {}.", spec.help, preset_summary()),
        )
    } else if [
        ADMIN_PASSWORD_SPEC.key,
        VIEWER_PASSWORD_SPEC.key,
        MAX_PERIOD_DAYS_SPEC.key,
        TAB_CACHE_MB_SPEC.key,
    ]
    .contains(&spec.key)
        || PARSE_FIELDS.iter().any(|p| p.key == spec.key)
    {
        (value_parser!(String), spec.help.to_owned())
    } else if let Some(arg) = access_arg(spec, &default) {
        return arg;
    } else {
        (value_parser!(PathBuf), spec.help.to_owned())
    };
    Arg::new(spec.key)
        .long(long_name(&spec.flag()))
        .value_name(spec.value_name)
        .action(ArgAction::Set)
        .value_parser(parser)
        .help(format!("{help} Default is {default}."))
}

/// The flag of a login or audit setting (`None` for other settings): `--trusted-proxy` may
/// repeat, `--secure-cookie` alone means true. Their text is parsed with the other sources'.
fn access_arg(spec: &ServerSettingSpec, default: &str) -> Option<Arg> {
    let arg = Arg::new(spec.key)
        .long(long_name(&spec.flag()))
        .value_name(spec.value_name)
        .value_parser(value_parser!(String))
        .help(format!("{} Default is {default}.", spec.help));
    Some(match spec.key {
        k if k == TRUSTED_PROXY_SPEC.key => arg.action(ArgAction::Append),
        k if k == SECURE_COOKIE_SPEC.key => arg
            .action(ArgAction::Set)
            .num_args(0..=1)
            .default_missing_value("true"),
        k if k == AUDIT_KEEP_DAYS_SPEC.key => arg.action(ArgAction::Set),
        _ => return None,
    })
}

/// `small 2 threads / 50 connections, ...`, from the engine's preset table.
fn preset_summary() -> String {
    let each = Preset::ALL.iter().map(|p| {
        let (threads, limit) = p.values();
        format!("{p} {threads} threads / {limit} connections")
    });
    each.collect::<Vec<_>>().join(", ")
}

/// The doc comments joined into one line.
fn normalize(help: &str) -> String {
    help.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses the command line into the values it gives, and the `--config` file if named.
pub(crate) fn parse(
    args: impl IntoIterator<Item = OsString>,
) -> Result<(Layer, Option<PathBuf>), ConfigError> {
    let matches = command()
        .try_get_matches_from(args)
        .map_err(|err| match err.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                ConfigError::Help(err.to_string())
            }
            _ => ConfigError::Usage(err.to_string()),
        })?;
    let mut layer = Layer::default();
    for spec in Settings::FIELDS {
        if let Some(given) = engine_value(&matches, spec) {
            layer.values.push(given);
        }
    }
    for spec in [PRESET_SPEC, MAX_PERIOD_DAYS_SPEC, TAB_CACHE_MB_SPEC] {
        if let Some(raw) = matches.get_one::<String>(spec.key) {
            layer.values.push(Given {
                key: spec.key,
                raw: raw.clone(),
                origin: Origin::Flag(spec.flag()),
            });
        }
    }
    for spec in [TRUSTED_PROXY_SPEC, SECURE_COOKIE_SPEC, AUDIT_KEEP_DAYS_SPEC] {
        if let Some(values) = matches.get_many::<String>(spec.key) {
            layer.values.push(Given {
                key: spec.key,
                raw: values.cloned().collect::<Vec<_>>().join(","),
                origin: Origin::Flag(spec.flag()),
            });
        }
    }
    for spec in PARSE_FIELDS {
        if let Some(raw) = matches.get_one::<String>(spec.key) {
            layer.values.push(Given {
                key: spec.key,
                raw: raw.clone(),
                origin: Origin::Flag(spec.flag()),
            });
        }
    }
    layer.data_dir = matches.get_one::<PathBuf>(DATA_DIR_SPEC.key).cloned();
    layer.import_dir = matches.get_one::<PathBuf>(IMPORT_DIR_SPEC.key).cloned();
    layer.admin_password = matches.get_one::<String>(ADMIN_PASSWORD_SPEC.key).cloned();
    layer.viewer_password = matches.get_one::<String>(VIEWER_PASSWORD_SPEC.key).cloned();
    let config = matches.get_one::<PathBuf>(CONFIG_SPEC.key).cloned();
    Ok((layer, config))
}

fn engine_value(matches: &ArgMatches, spec: &SettingSpec) -> Option<Given> {
    let given = |raw: &str, flag: String| Given {
        key: spec.key,
        raw: raw.to_owned(),
        origin: Origin::Flag(flag),
    };
    if spec.kind == Kind::Bool {
        if matches.get_flag(spec.key) {
            return Some(given("true", spec.flag()));
        }
        if matches.get_flag(&negated_id(spec)) {
            return Some(given("false", negated_flag(spec)));
        }
        return None;
    }
    // `--listen` may repeat; each occurrence may itself be a comma-separated list.
    let values: Vec<String> = matches.get_many::<String>(spec.key)?.cloned().collect();
    Some(given(&values.join(","), spec.flag()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn longs() -> Vec<String> {
        command()
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect()
    }

    #[test]
    fn command_passes_clap_debug_asserts() {
        command().debug_assert();
    }

    #[test]
    fn every_setting_has_its_flag_and_every_bool_its_no_flag() {
        let longs = longs();
        for spec in Settings::FIELDS {
            assert!(longs.contains(&spec.flag()), "{}", spec.flag());
            let negated = negated_flag(spec);
            assert_eq!(
                longs.contains(&negated),
                spec.kind == Kind::Bool,
                "{negated}"
            );
        }
        for spec in SERVER_FIELDS {
            assert!(longs.contains(&spec.flag()), "{}", spec.flag());
        }
        assert!(longs.contains(&"--channel-timeout".to_owned()));
        assert!(longs.contains(&"--no-expose-tracebacks".to_owned()));
    }

    #[test]
    fn help_shows_each_default_with_its_unit() {
        let help = command().render_help().to_string();
        assert!(help.contains("Default is 60 seconds."), "{help}");
        assert!(help.contains("--recv-bytes <BYTES>"), "{help}");
        assert!(help.contains("Default is ./data."), "{help}");
        assert!(help.contains("large 8 threads / 200 connections"), "{help}");
    }
}
