//! Unit tests of the settings' sources and their order.
use std::io::Write;
use std::time::Duration;

use super::*;

pub(super) fn args(list: &[&str]) -> Vec<OsString> {
    std::iter::once("storeboard")
        .chain(list.iter().copied())
        .map(OsString::from)
        .collect()
}

pub(super) fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |name| map.get(name).cloned()
}

pub(super) fn toml_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    file.write_all(text.as_bytes()).expect("write temp file");
    file
}

pub(super) fn load_with(
    list: &[&str],
    env: &[(&str, &str)],
) -> Result<ServerSettings, ConfigError> {
    load(args(list), &vars(env))
}

pub(super) fn path_of(file: &tempfile::NamedTempFile) -> &str {
    file.path().to_str().expect("utf-8 temp path")
}

#[test]
fn defaults_apply_when_nothing_is_given() {
    let s = load_with(&[], &[]).expect("defaults load");
    assert_eq!(s, ServerSettings::default());
    assert_eq!(s.engine, Settings::default());
    assert_eq!(s.data_dir, PathBuf::from("./data"));
}

#[test]
fn cli_flag_beats_env_var_beats_toml_file() {
    let file = toml_file("port = 1001\nthreads = 3\nchannel_timeout = 2.5\ndata_dir = \"/f\"\n");
    let env = [
        ("STOREBOARD_PORT", "1002"),
        ("STOREBOARD_THREADS", "5"),
        ("STOREBOARD_DATA_DIR", "/e"),
    ];
    let s = load_with(&["--config", path_of(&file), "--port", "1003"], &env).expect("loads");
    assert_eq!(s.engine.port, 1003, "flag beats env");
    assert_eq!(s.engine.threads, 5, "env beats file");
    assert_eq!(
        s.engine.channel_timeout,
        Duration::from_millis(2500),
        "file beats default"
    );
    assert_eq!(s.data_dir, PathBuf::from("/e"));
    assert_eq!(s.config_file.as_deref(), Some(file.path()));
    let s = load_with(&["--config", path_of(&file), "--data-dir", "/c"], &env).expect("loads");
    assert_eq!(s.data_dir, PathBuf::from("/c"));
}

#[test]
fn config_file_can_be_named_by_the_environment() {
    let file = toml_file("ident = \"from-file\"\n");
    let s = load_with(&[], &[("STOREBOARD_CONFIG", path_of(&file))]).expect("loads");
    assert_eq!(s.engine.ident, "from-file");
    assert_eq!(s.get("config").as_deref(), Some(path_of(&file)));
}

#[test]
fn bad_env_value_names_setting_value_and_source() {
    let err = load_with(&[], &[("STOREBOARD_PORT", "abc")]).expect_err("not a port");
    assert_eq!(
        err.to_string(),
        "invalid value 'abc' for port (from environment variable STOREBOARD_PORT): \
         expected a whole number from 0 to 65535"
    );
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn bad_flag_value_names_the_flag() {
    let err = load_with(&["--channel-timeout", "soon"], &[]).expect_err("not seconds");
    let text = err.to_string();
    assert!(
        text.starts_with("invalid value 'soon' for channel_timeout (from --channel-timeout)"),
        "{text}"
    );
}

#[test]
fn unknown_storeboard_env_vars_are_ignored() {
    let s = load_with(
        &[],
        &[
            ("STOREBOARD_NOT_A_SETTING", "x"),
            ("STOREBOARD_LOG", "debug"),
        ],
    );
    assert_eq!(s.expect("ignored"), ServerSettings::default());
}

#[test]
fn preset_sets_threads_and_connection_limit_as_a_baseline() {
    let s = load_with(&[], &[("STOREBOARD_PRESET", "large")]).expect("loads");
    assert_eq!(s.preset, Some(Preset::Large));
    assert_eq!((s.engine.threads, s.engine.connection_limit), (8, 200));
    let s = load_with(&["--preset", "small"], &[("STOREBOARD_PRESET", "large")]).expect("loads");
    assert_eq!((s.engine.threads, s.engine.connection_limit), (2, 50));
}

#[test]
fn explicit_threads_beats_preset() {
    let file = toml_file("threads = 3\n");
    let s = load_with(&["--config", path_of(&file), "--preset", "xlarge"], &[]).expect("loads");
    assert_eq!((s.engine.threads, s.engine.connection_limit), (3, 500));
    let s = load_with(
        &["--preset", "small"],
        &[("STOREBOARD_CONNECTION_LIMIT", "7")],
    );
    assert_eq!(s.expect("loads").engine.connection_limit, 7);
}

#[test]
fn unknown_preset_names_its_source() {
    let err = load_with(&["--preset", "huge"], &[]).expect_err("no such preset");
    assert_eq!(
        err.to_string(),
        "invalid value 'huge' for preset (from --preset): expected one of small, medium, large, xlarge"
    );
}

#[test]
fn listen_with_port_is_rejected_with_waitress_message() {
    let file = toml_file("listen = [\"127.0.0.1:8050\"]\n");
    let err =
        load_with(&["--config", path_of(&file), "--port", "9000"], &[]).expect_err("conflict");
    assert_eq!(
        err.to_string(),
        "host or port may not be set if listen is set."
    );
    let err = load_with(&["--listen", "127.0.0.1:1"], &[("STOREBOARD_HOST", "::1")])
        .expect_err("conflict");
    assert_eq!(
        err.to_string(),
        "host or port may not be set if listen is set."
    );
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn listen_flag_is_repeatable_and_comma_separated() {
    let s = load_with(
        &["--listen", "127.0.0.1:0,127.0.0.1:1", "--listen", "[::1]:2"],
        &[],
    )
    .expect("loads");
    assert_eq!(s.engine.listen, ["127.0.0.1:0", "127.0.0.1:1", "[::1]:2"]);
    let file = toml_file("listen = [\"127.0.0.1:8050\", \"[::1]:8050\"]\n");
    let s = load_with(&["--config", path_of(&file)], &[]).expect("loads");
    assert_eq!(s.engine.listen, ["127.0.0.1:8050", "[::1]:8050"]);
}

#[test]
fn bad_listen_entry_from_validation_still_names_its_source() {
    let file = toml_file("listen = [\"nohost\"]\n");
    let err = load_with(&["--config", path_of(&file)], &[]).expect_err("no port");
    let expected = format!(
        "invalid value 'nohost' for listen (from config file {})",
        path_of(&file)
    );
    assert!(err.to_string().starts_with(&expected), "{err}");
    let err = load_with(&["--threads", "0"], &[]).expect_err("zero");
    assert_eq!(err.to_string(), "threads must be at least 1");
}

#[test]
fn bool_flag_pair_sets_and_clears_and_both_at_once_is_a_usage_error() {
    let env = [
        ("STOREBOARD_ACCESS_LOG", "false"),
        ("STOREBOARD_EXPOSE_TRACEBACKS", "yes"),
    ];
    let s = load_with(&["--access-log", "--no-expose-tracebacks"], &env).expect("loads");
    assert!(s.engine.access_log && !s.engine.expose_tracebacks);
    let file = toml_file("log_socket_errors = false\n");
    let s = load_with(&["--config", path_of(&file)], &[]).expect("loads");
    assert!(!s.engine.log_socket_errors);
    let err = load_with(&["--access-log", "--no-access-log"], &[]).expect_err("both");
    assert!(matches!(err, ConfigError::Usage(_)), "{err}");
    assert_eq!(err.exit_code(), 2);
}

#[test]
fn help_and_version_are_not_failures() {
    let err = load_with(&["--help"], &[]).expect_err("help is shown");
    assert_eq!(err.exit_code(), 0);
    assert!(err.to_string().contains("--connection-limit"), "{err}");
    let err = load_with(&["--version"], &[]).expect_err("version is shown");
    assert_eq!(err.exit_code(), 0);
    assert!(err.to_string().contains(env!("CARGO_PKG_VERSION")), "{err}");
    let err = load_with(&["--no-such-flag"], &[]).expect_err("unknown flag");
    assert!(
        matches!(err, ConfigError::Usage(_)) && err.exit_code() == 2,
        "{err}"
    );
}

#[test]
fn import_dir_is_off_by_default_comes_from_every_source_and_an_empty_value_turns_it_off() {
    let s = load_with(&[], &[]).expect("defaults");
    assert_eq!(s.import_dir, None);
    assert_eq!(s.get(IMPORT_DIR).as_deref(), Some("unset"));
    let file = toml_file("import_dir = \"/srv/exports\"\n");
    let s = load_with(&["--config", path_of(&file)], &[]).expect("loads");
    assert_eq!(s.import_dir, Some(PathBuf::from("/srv/exports")));
    let env = [("STOREBOARD_IMPORT_DIR", "/e")];
    let s = load_with(&["--config", path_of(&file)], &env).expect("loads");
    assert_eq!(s.import_dir, Some(PathBuf::from("/e")), "env beats file");
    let s = load_with(&["--import-dir", "/f"], &env).expect("loads");
    assert_eq!(s.import_dir, Some(PathBuf::from("/f")), "flag beats env");
    let s = load_with(
        &["--config", path_of(&file)],
        &[("STOREBOARD_IMPORT_DIR", "")],
    )
    .expect("loads");
    assert_eq!(s.import_dir, None, "an empty value switches it off");
    let file = toml_file("import_dir = 5\n");
    assert!(load_with(&["--config", path_of(&file)], &[]).is_err());
}

#[test]
fn the_tab_cache_size_comes_from_every_source_and_a_bad_size_is_refused_by_name() {
    let s = load_with(&[], &[]).expect("defaults");
    assert_eq!(s.tab_cache_mb, 128);
    let file = toml_file("tab_cache_mb = 32\n");
    let s = load_with(&["--config", path_of(&file)], &[]).expect("file");
    assert_eq!(s.tab_cache_mb, 32);
    let env = [("STOREBOARD_TAB_CACHE_MB", "64")];
    assert_eq!(load_with(&[], &env).expect("env").tab_cache_mb, 64);
    let s = load_with(&["--tab-cache-mb", "0"], &env).expect("flag");
    assert_eq!(s.tab_cache_mb, 0, "flag beats env");
    let err = load_with(&["--tab-cache-mb", "lots"], &[]).expect_err("not a number");
    assert!(err.to_string().contains("tab_cache_mb"), "{err}");
    assert!(
        load_with(&["--tab-cache-mb", "70000"], &[]).is_err(),
        "above 64 GiB"
    );
}
