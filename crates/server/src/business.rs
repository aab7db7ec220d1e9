//! The business rules: the `[business]` table of the TOML config file (the same file as the
//! server settings, `ServerSettings::config_file`), read into [`Business`]. Without a file or a
//! `[business]` table, `Business::default()` (docs/metrics.md). Unknown keys are refused.

use std::path::{Path, PathBuf};

use storeboard_analytics::Business;

/// The table holding the business rules.
const TABLE: &str = "business";

/// Why the `[business]` table could not be read; `main` prints it and exits with code 2, like
/// the other configuration errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BusinessError {
    /// The file could not be read.
    #[error("cannot read config file {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not TOML, or `[business]` holds an unknown key or a value of the wrong type.
    #[error("invalid [business] table in config file {}: {message}", path.display())]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// The parser's message (it names the key).
        message: String,
    },
}

impl BusinessError {
    /// The process exit code: 2, as for every bad setting.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// The business rules of `config_file`'s `[business]` table, or the defaults when there is no
/// file or no table. Keys left out keep their defaults.
pub fn load(config_file: Option<&Path>) -> Result<Business, BusinessError> {
    let Some(path) = config_file else {
        return Ok(Business::default());
    };
    let text = std::fs::read_to_string(path).map_err(|source| BusinessError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// The business rules of the TOML `text` (read from `path`, for messages).
pub fn parse(text: &str, path: &Path) -> Result<Business, BusinessError> {
    let invalid = |message: String| BusinessError::Invalid {
        path: path.to_owned(),
        message: message.trim().replace('\n', "; "),
    };
    let mut table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| invalid(e.message().to_owned()))?;
    match table.remove(TABLE) {
        None => Ok(Business::default()),
        Some(toml::Value::Table(business)) => business
            .try_into()
            .map_err(|e: toml::de::Error| invalid(e.message().to_owned())),
        Some(other) => Err(invalid(format!(
            "'business' must be a table, not {}",
            other.type_str()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Result<Business, BusinessError> {
        parse(text, Path::new("storeboard.toml"))
    }

    #[test]
    fn no_file_or_no_table_means_the_defaults() {
        assert_eq!(load(None).expect("defaults"), Business::default());
        assert_eq!(
            parsed("port = 8080\n").expect("defaults"),
            Business::default()
        );
    }

    #[test]
    fn keys_given_replace_their_defaults_and_the_rest_stay() {
        let b = parsed(
            "port = 8080\n[business]\nhigh_margin_pct = 25.0\nfee_channels = [\"饿了么\"]\n",
        )
        .expect("valid");
        assert_eq!(b.high_margin_pct, 25.0);
        assert_eq!(b.fee_channels, vec!["饿了么".to_owned()]);
        assert_eq!(
            b.consumable_category,
            Business::default().consumable_category
        );
    }

    #[test]
    fn the_today_tables_set_their_rules_and_refuse_unknown_keys() {
        let b = parsed(
            "[business.churn]\nwindow_days = 14\n[business.health]\nwindow_days = 28\n\
             [business.today]\nidle_days = [5, 10, 20]\n",
        )
        .expect("valid");
        assert_eq!(b.today.idle_days, [5, 10, 20]);
        assert_eq!((b.churn.window_days, b.health.window_days), (14, 28));
        assert_eq!(b.churn.quiet_days, Business::default().churn.quiet_days);
        assert!(parsed("[business.churn]\nwindow = 14\n").is_err());
    }

    #[test]
    fn the_stores_table_sets_the_comparisons_fence() {
        let b = parsed("[business.stores]\niqr_factor = 3.0\n").expect("valid");
        assert_eq!(b.stores.iqr_factor, 3.0);
        assert_eq!(b.stores.min_stores, Business::default().stores.min_stores);
        assert!(parsed("[business.stores]\nfactor = 3.0\n").is_err());
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_the_file_and_the_key() {
        let err = parsed("[business]\nhigh_margin = 25.0\n").expect_err("unknown key");
        let text = err.to_string();
        assert!(text.contains("storeboard.toml"), "{text}");
        assert!(text.contains("high_margin"), "{text}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn a_value_of_the_wrong_type_or_a_non_table_is_an_error() {
        assert!(parsed("[business]\nhigh_margin_pct = \"high\"\n").is_err());
        assert!(parsed("business = 3\n").is_err());
    }

    #[test]
    fn a_missing_file_is_an_error_naming_it() {
        let err = load(Some(Path::new("/nonexistent/storeboard.toml"))).expect_err("missing");
        assert!(err.to_string().contains("/nonexistent/storeboard.toml"));
    }
}
