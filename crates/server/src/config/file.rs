//! The TOML file layer: flat top-level keys named like the settings, turned into the same text
//! a flag or environment variable would hold.

use std::path::{Path, PathBuf};

use storeboard_engine::{Kind, Settings};

use super::{
    ConfigError, Given, Layer, Origin, ADMIN_PASSWORD, DATA_DIR, IMPORT_DIR, MAX_PERIOD_DAYS,
    PRESET, TAB_CACHE_MB, VIEWER_PASSWORD,
};

/// A TOML table reserved for the business settings of a later issue; skipped here.
const BUSINESS_TABLE: &str = "business";

pub(super) fn file_layer(path: &Path) -> Result<Layer, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
        path: path.to_owned(),
        source,
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::ParseFile {
            path: path.to_owned(),
            message: e.message().trim().replace('\n', "; ") + &line_of(&text, e.span()),
        })?;
    let origin = Origin::File(path.to_owned());
    let mut layer = Layer::default();
    for (key, value) in table {
        let invalid = |expected: &str| ConfigError::InvalidValue {
            key: key.clone(),
            value: value.to_string(),
            origin: origin.clone(),
            expected: expected.to_owned(),
        };
        if key == BUSINESS_TABLE {
            if !value.is_table() {
                return Err(invalid(
                    "a [business] table (reserved for business settings)",
                ));
            }
        } else if let Some(spec) = Settings::FIELDS.iter().find(|s| s.key == key) {
            let raw = toml_text(&value, spec.kind).ok_or_else(|| invalid("a single value"))?;
            layer.values.push(Given {
                key: spec.key,
                raw,
                origin: origin.clone(),
            });
        } else if let Some(spec) = super::access::spec(&key) {
            // A list of proxies may be a TOML array, like `listen`.
            let raw =
                toml_text(&value, Kind::AddressList).ok_or_else(|| invalid("a single value"))?;
            layer.values.push(Given {
                key: spec.key,
                raw,
                origin: origin.clone(),
            });
        } else if let Some(spec) = super::parse::spec(&key) {
            let raw = toml_text(&value, Kind::Integer).ok_or_else(|| invalid("a whole number"))?;
            layer.values.push(Given {
                key: spec.key,
                raw,
                origin: origin.clone(),
            });
        } else if key == PRESET || key == MAX_PERIOD_DAYS || key == TAB_CACHE_MB {
            let kind = if key == PRESET {
                Kind::Text
            } else {
                Kind::Integer
            };
            let raw = toml_text(&value, kind).ok_or_else(|| invalid("a single value"))?;
            layer.values.push(Given {
                key: match key.as_str() {
                    PRESET => PRESET,
                    MAX_PERIOD_DAYS => MAX_PERIOD_DAYS,
                    _ => TAB_CACHE_MB,
                },
                raw,
                origin: origin.clone(),
            });
        } else if key == DATA_DIR || key == IMPORT_DIR {
            let dir = value
                .as_str()
                .ok_or_else(|| invalid("a directory path in quotes"))?;
            let dir = Some(PathBuf::from(dir));
            if key == DATA_DIR {
                layer.data_dir = dir;
            } else {
                layer.import_dir = dir;
            }
        } else if key == ADMIN_PASSWORD || key == VIEWER_PASSWORD {
            let text = value
                .as_str()
                .ok_or_else(|| invalid("a password in quotes"))?
                .to_owned();
            if key == ADMIN_PASSWORD {
                layer.admin_password = Some(text);
            } else {
                layer.viewer_password = Some(text);
            }
        } else {
            return Err(ConfigError::UnknownKey {
                key,
                file: path.to_owned(),
            });
        }
    }
    Ok(layer)
}

/// ` at line N` for a parse error's span.
fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map_or_else(String::new, |span| {
        let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
        format!(" at line {line}")
    })
}

/// The text a flag or environment variable would hold for this TOML value; `None` for a list
/// (except for a list setting) or a table. Floats keep their decimal point, so `threads = 4.0`
/// is refused like `--threads 4.0`.
fn toml_text(value: &toml::Value, kind: Kind) -> Option<String> {
    match value {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(format!("{f:?}")),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Array(items) if kind == Kind::AddressList => {
            let items: Option<Vec<String>> =
                items.iter().map(|v| toml_text(v, Kind::Text)).collect();
            items.map(|items| items.join(","))
        }
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{args, load_with, path_of, toml_file, vars};
    use super::super::*;

    #[test]
    fn wrong_toml_type_names_the_key_and_the_file() {
        let file = toml_file("threads = \"x\"\n");
        let err = load_with(&["--config", path_of(&file)], &[]).expect_err("not a number");
        let expected = format!(
            "invalid value 'x' for threads (from config file {})",
            path_of(&file)
        );
        assert!(err.to_string().starts_with(&expected), "{err}");
        for text in [
            "threads = 4.0",
            "ident = [\"a\"]",
            "port = { a = 1 }",
            "data_dir = 5",
        ] {
            let file = toml_file(text);
            let err = load_with(&["--config", path_of(&file)], &[]).expect_err(text);
            assert!(
                matches!(err, ConfigError::InvalidValue { .. }),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn unknown_toml_key_is_rejected() {
        let file = toml_file("port = 8050\nchanel_timeout = 5\n");
        let err = load_with(&["--config", path_of(&file)], &[]).expect_err("typo");
        let text = err.to_string();
        assert!(
            text.contains("'chanel_timeout'") && text.contains(path_of(&file)),
            "{text}"
        );
        let file = toml_file("config = \"other.toml\"\n");
        assert!(
            load_with(&["--config", path_of(&file)], &[]).is_err(),
            "config is no TOML key"
        );
    }

    #[test]
    fn business_table_in_toml_is_ignored() {
        let file = toml_file("threads = 2\n\n[business]\nchannels = [\"美团\"]\nmargin = 0.3\n");
        let s = load_with(&["--config", path_of(&file)], &[]).expect("business is reserved");
        assert_eq!(s.engine.threads, 2);
        let file = toml_file("business = 5\n");
        assert!(
            load_with(&["--config", path_of(&file)], &[]).is_err(),
            "business must be a table"
        );
    }

    #[test]
    fn missing_or_malformed_config_file_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nope.toml");
        let err = load(
            args(&["--config"])
                .into_iter()
                .chain([missing.clone().into()]),
            &vars(&[]),
        )
        .expect_err("missing file");
        assert!(matches!(err, ConfigError::ReadFile { .. }), "{err}");
        assert!(
            err.to_string().contains(&missing.display().to_string()),
            "{err}"
        );
        let file = toml_file("port = \n");
        let err = load_with(&["--config", path_of(&file)], &[]).expect_err("bad toml");
        assert!(
            err.to_string().contains(path_of(&file)) && err.to_string().contains("line 1"),
            "{err}"
        );
    }
}
